import { afterEach, describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/svelte';
import { makeAccount, mockBackend } from '../../test/backend';
import { makeBudget } from '../../test/planningBackend';
import { openAccounts, resetAppBetweenTests } from '../../test/pages';
import { forgetPresets } from './presets';

resetAppBetweenTests();
afterEach(() => forgetPresets());

function setup() {
  const backend = mockBackend({ accounts: [makeAccount({ id: 1, username: 'maya.makes' })] });
  return backend;
}

async function openSlots() {
  const user = await openAccounts();
  await user.click(await screen.findByTestId('account-slots-toggle'));
  const panel = await screen.findByTestId('posting-slots');
  return { user, panel: within(panel) };
}

describe('posting times', () => {
  it('explains what slots are for when there are none, in the account zone', async () => {
    setup();
    const { panel } = await openSlots();
    expect(await panel.findByTestId('slots-empty')).toHaveTextContent(
      'Add to queue then puts a draft into the next free time',
    );
    expect(panel.getByTestId('slots-zone')).toHaveTextContent('Times in Europe/London');
  });

  it('adds weekdays at a time, lists them grouped, previews free times and removes one day', async () => {
    const backend = setup();
    backend.planning.free[1] = [
      { at: '', atMs: 1, local: '2026-12-08T09:00', zone: 'Europe/London' },
      { at: '', atMs: 2, local: '2026-12-08T18:00', zone: 'Europe/London' },
    ];
    const { user, panel } = await openSlots();
    await panel.findByTestId('slots-empty');

    // Weekdays are picked by default; every day at 18:00 too.
    const time = panel.getByTestId('slot-time') as HTMLInputElement;
    await user.clear(time);
    await user.type(time, '09:00');
    await user.click(panel.getByTestId('slot-add'));
    await waitFor(() =>
      expect(backend.calls('add_posting_slots')).toEqual([
        { accountId: 1, slots: [{ weekdays: [0, 1, 2, 3, 4], time: '09:00' }] },
      ]),
    );
    await user.click(panel.getByTestId('slot-every-day'));
    await user.clear(time);
    await user.type(time, '18:00');
    await user.click(panel.getByTestId('slot-add'));

    await waitFor(() => expect(panel.getAllByTestId('slot-group')).toHaveLength(2));
    const [morning, evening] = panel.getAllByTestId('slot-group');
    expect(morning).toHaveTextContent('09:00');
    expect(morning).toHaveTextContent('Weekdays');
    expect(evening).toHaveTextContent('Every day');
    expect(panel.getByTestId('slots-next-free')).toHaveTextContent(
      'Next free: Tue 09:00, Tue 18:00',
    );

    await user.click(within(morning).getByRole('button', { name: 'Remove Friday at 09:00' }));
    await waitFor(() => expect(panel.getAllByTestId('slot-group')[0]).toHaveTextContent('Mon–Thu'));
    expect(backend.calls('remove_posting_slot')).toHaveLength(1);
  });

  it('asks for a day and a valid time before adding', async () => {
    setup();
    const { user, panel } = await openSlots();
    for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) {
      await user.click(panel.getByRole('button', { name: day }));
    }
    expect(panel.getByTestId('slot-problem')).toHaveTextContent('Pick at least one day.');
    expect(panel.getByTestId('slot-add')).toBeDisabled();
  });

  it('shows the engine’s refusal in plain words', async () => {
    const backend = setup();
    backend.handlers.add_posting_slots = () => {
      throw { code: 'invalid_input', message: 'This account has too many posting times.' };
    };
    const { user, panel } = await openSlots();
    await panel.findByTestId('slots-empty');
    await user.click(panel.getByTestId('slot-add'));
    expect(await panel.findByTestId('error-banner')).toHaveTextContent('too many posting times');
  });
});

describe('captions and hashtag sets', () => {
  it('saves a hashtag set with live checks, lists it and deletes it', async () => {
    const backend = setup();
    const user = await openAccounts();
    await user.click(await screen.findByTestId('account-presets-toggle'));
    const panel = within(await screen.findByTestId('caption-presets'));
    await panel.findByTestId('presets-empty');

    await user.click(panel.getByTestId('preset-new-hashtags'));
    await user.type(panel.getByTestId('preset-name'), 'Travel tags');
    await user.type(panel.getByTestId('preset-body'), '#a #b #c #d #e #f @leo');
    expect(await panel.findByTestId('preset-check-warning')).toHaveTextContent(
      'at most 5 hashtags',
    );
    expect(panel.getByTestId('preset-check-count')).toHaveTextContent('22 / 2,200');
    expect(panel.getByTestId('preset-check-mentions')).toHaveTextContent('@leo');

    await user.click(panel.getByTestId('preset-save'));
    await waitFor(() => expect(panel.getAllByTestId('preset-row')).toHaveLength(1));
    expect(panel.getByTestId('preset-row')).toHaveTextContent('Travel tags');
    expect(backend.calls('save_caption_preset')[0]).toEqual({
      preset: {
        id: null,
        accountId: 1,
        kind: 'hashtags',
        name: 'Travel tags',
        body: '#a #b #c #d #e #f @leo',
      },
    });

    await user.click(panel.getByRole('button', { name: 'Delete Travel tags' }));
    await waitFor(() => expect(panel.queryAllByTestId('preset-row')).toHaveLength(0));
  });
});

describe('posting budget', () => {
  it('shows each account’s caps, plans, sign-in and warnings, and refreshes on events', async () => {
    const backend = setup();
    backend.planning.budgets = [
      makeBudget({
        directLast24h: 14,
        refreshDaysLeft: 3,
        isPrivate: true,
        lastPublish: {
          postId: 5,
          state: 'failed',
          at: '2026-12-01T09:00:00Z',
          message: 'TikTok refused the video.',
        },
        warnings: ['Sign-in ends in 3 days: reconnect.', 'One post left in 24 hours.'],
      }),
    ];
    await openAccounts();
    const row = within(await screen.findByTestId('budget-row'));
    expect(row.getByTestId('budget-direct')).toHaveTextContent('14 / 15');
    expect(row.getByTestId('budget-direct')).toHaveAttribute('data-tone', 'near');
    expect(row.getByTestId('budget-inbox')).toHaveTextContent('1 / 5');
    expect(row.getByTestId('budget-planned')).toHaveTextContent('2 planned in the next 24 hours');
    expect(row.getByTestId('budget-sign-in')).toHaveTextContent('Sign-in: 3 days left');
    expect(row.getByTestId('budget-privacy')).toHaveTextContent('Private');
    expect(row.getByTestId('budget-last')).toHaveTextContent(
      'Last post failed: TikTok refused the video.',
    );
    expect(row.getAllByTestId('budget-warning').map((w) => w.textContent)).toEqual([
      'Sign-in ends in 3 days: reconnect.',
      'One post left in 24 hours.',
    ]);

    backend.planning.budgets = [makeBudget({ directLast24h: 15 })];
    await backend.emit({ kind: 'postsChanged', postId: null, accountId: 1 });
    await waitFor(() => expect(screen.getByTestId('budget-direct')).toHaveTextContent('15 / 15'));
    expect(screen.getByTestId('budget-direct')).toHaveAttribute('data-tone', 'full');
  });
});
