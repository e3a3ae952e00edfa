import { afterEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { makeAccount, mockBackend } from '../../test/backend';
import { openAccounts, resetAppBetweenTests } from '../../test/pages';
import PresetPicker from './PresetPicker.svelte';
import { forgetPresets } from './presets';

resetAppBetweenTests();
afterEach(() => forgetPresets());

describe('Settings → Planning', () => {
  it('shows the gap and stagger, explains wrong values and saves', async () => {
    const backend = mockBackend();
    const user = await openAccounts('#/settings');
    expect(screen.getByTestId('jump-planning')).toHaveTextContent('Planning');
    const gap = screen.getByTestId('plan-gap') as HTMLInputElement;
    await waitFor(() => expect(gap).toBeEnabled());
    expect(gap.value).toBe('60');
    expect((screen.getByTestId('plan-stagger') as HTMLInputElement).value).toBe('30');
    expect(screen.getByTestId('plan-save')).toBeDisabled();

    await user.clear(gap);
    expect(screen.getByTestId('plan-gap-problem')).toHaveTextContent('Enter the gap in minutes');
    expect(screen.getByTestId('plan-save')).toBeDisabled();
    await user.type(gap, '20000');
    expect(screen.getByTestId('plan-gap-problem')).toHaveTextContent('at most a week');

    await user.clear(gap);
    await user.type(gap, '90');
    expect(screen.queryByTestId('plan-gap-problem')).not.toBeInTheDocument();
    expect(screen.getByTestId('plan-summary')).toHaveTextContent('Gap: 1 h 30 min');
    await user.click(screen.getByTestId('plan-save'));
    await waitFor(() =>
      expect(backend.calls('set_planning_settings')).toEqual([
        { settings: { minGapMinutes: 90, staggerMinutes: 30 } },
      ]),
    );
    expect(await screen.findByTestId('toast')).toHaveTextContent('Planning settings saved');
  });
});

describe('Queue → schedule file', () => {
  it('exports through the save dialog', async () => {
    const backend = mockBackend();
    const user = await openAccounts('#/queue');
    await user.click(await screen.findByTestId('schedule-export'));
    expect(await screen.findByTestId('toast')).toHaveTextContent('Schedule exported');
    expect(backend.calls('save_schedule_csv')).toHaveLength(1);
  });

  it('says how many posts an import scheduled', async () => {
    const backend = mockBackend();
    backend.planning.importReport = {
      created: Array.from({ length: 12 }, (_, i) => i),
      errors: [],
    };
    const user = await openAccounts('#/queue');
    await user.click(await screen.findByTestId('schedule-import'));
    expect(await screen.findByTestId('schedule-import-report')).toHaveTextContent(
      '12 posts scheduled',
    );
  });

  it('lists every refused line and says nothing was created', async () => {
    const backend = mockBackend();
    backend.planning.importReport = {
      created: [],
      errors: [
        { line: 4, message: 'No connected account is @nobody.' },
        { line: 7, message: 'This time is in the past.' },
      ],
    };
    const user = await openAccounts('#/queue');
    await user.click(await screen.findByTestId('schedule-import'));
    const report = within(await screen.findByTestId('schedule-import-report'));
    expect(report.getByText(/Nothing was scheduled/)).toHaveTextContent('2 lines need fixing');
    expect(report.getAllByTestId('schedule-import-error').map((e) => e.textContent)).toEqual([
      'Line 4: No connected account is @nobody.',
      'Line 7: This time is in the past.',
    ]);
  });

  it('does nothing when the dialog is cancelled, and shows the columns on request', async () => {
    const backend = mockBackend();
    backend.planning.importReport = null;
    const user = await openAccounts('#/queue');
    await user.click(await screen.findByTestId('schedule-import'));
    await waitFor(() => expect(backend.calls('open_schedule_csv')).toHaveLength(1));
    expect(screen.queryByTestId('schedule-import-report')).not.toBeInTheDocument();
    await user.click(screen.getByTestId('schedule-columns-toggle'));
    expect(screen.getByTestId('schedule-columns')).toHaveTextContent('local_time');
  });

  it('shows a failed import in plain words', async () => {
    const backend = mockBackend();
    backend.handlers.open_schedule_csv = () => {
      throw {
        code: 'invalid_input',
        message: 'This file is not a text CSV (save it as CSV, UTF-8).',
      };
    };
    const user = await openAccounts('#/queue');
    await user.click(await screen.findByTestId('schedule-import'));
    expect(await screen.findByTestId('error-banner')).toHaveTextContent('not a text CSV');
  });
});

describe('PresetPicker', () => {
  it('offers the account’s presets grouped by kind and hands back the body', async () => {
    const backend = mockBackend({ accounts: [makeAccount({ id: 1 })] });
    backend.planning.presets = [
      { id: 1, accountId: 1, kind: 'caption', name: 'Launch', body: 'New drop today!' },
      { id: 2, accountId: 1, kind: 'hashtags', name: 'Travel', body: '#travel #beach' },
      { id: 3, accountId: 2, kind: 'caption', name: 'Other account', body: 'no' },
    ];
    const picked: string[] = [];
    render(PresetPicker, { accountId: 1, onpick: (body: string) => picked.push(body) });
    const select = (await screen.findByTestId('preset-picker-select')) as HTMLSelectElement;
    await waitFor(() => expect(select).toBeEnabled());
    expect([...select.querySelectorAll('optgroup')].map((g) => g.label)).toEqual([
      'Captions',
      'Hashtag sets',
    ]);
    expect(select).not.toHaveTextContent('Other account');
    await userEvent.setup().selectOptions(select, '2');
    expect(picked).toEqual(['#travel #beach']);
    expect(select.value).toBe('');
  });

  it('shows only one kind when asked, and says when there is none', async () => {
    mockBackend();
    render(PresetPicker, { accountId: 9, kind: 'hashtags', onpick: () => {} });
    const select = await screen.findByTestId('preset-picker-select');
    await waitFor(() => expect(select).toHaveTextContent('No saved presets for this account'));
    expect(select).toBeDisabled();
  });
});
