import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import { toasts } from '../lib/toasts.svelte';
import { mockBackend } from '../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

async function openSettings() {
  const backend = mockBackend();
  window.location.hash = '#/settings';
  render(App);
  await screen.findByTestId('app-ready');
  await waitFor(() => expect(screen.getByTestId('grace-minutes')).toBeEnabled());
  return { backend, user: userEvent.setup() };
}

describe('settings sections', () => {
  it('opens at the section the address names (the composer links to Planning)', async () => {
    mockBackend();
    const seen: string[] = [];
    const original = Element.prototype.scrollIntoView;
    Element.prototype.scrollIntoView = function (this: Element) {
      seen.push(this.id);
    };
    try {
      window.location.hash = '#/settings/planning';
      render(App);
      await screen.findByTestId('page-settings');
      await waitFor(() => expect(seen).toContain('planning'));
    } finally {
      Element.prototype.scrollIntoView = original;
    }
  });

  it('lists every section in the jump list and scrolls to the one chosen', async () => {
    const { user } = await openSettings();
    const jump = within(screen.getByTestId('settings-jump'));
    const names = jump.getAllByRole('button').map((b) => b.textContent?.trim());
    expect(names).toEqual([
      'General',
      'Calendar',
      'Notifications',
      'Publishing',
      'Planning',
      'TikTok app',
      'Backups',
      'Troubleshooting',
      'About',
    ]);
    for (const id of [
      'general',
      'calendar',
      'notifications',
      'publishing',
      'planning',
      'backups',
      'troubleshooting',
      'about',
    ]) {
      expect(document.getElementById(id)).not.toBeNull();
    }
    const publishing = document.getElementById('publishing')!;
    const scrolled = vi.fn();
    publishing.scrollIntoView = scrolled;
    await user.click(jump.getByRole('button', { name: 'Publishing' }));
    expect(scrolled).toHaveBeenCalledOnce();
    expect(within(publishing).getByTestId('setting-paused')).toHaveFocus();
  });
});

describe('week starts on', () => {
  it('shows Automatic with the region’s day by default and saves the day chosen', async () => {
    const { backend, user } = await openSettings();
    const section = within(document.getElementById('calendar')!);
    const select = section.getByTestId('setting-week-start') as HTMLSelectElement;
    expect(select).toHaveValue('auto');
    expect(select.options[0].textContent).toMatch(/^Automatic \((Monday|Sunday|Saturday)\)$/);
    expect([...select.options].map((o) => o.value)).toEqual([
      'auto',
      'monday',
      'sunday',
      'saturday',
    ]);
    await user.selectOptions(select, 'sunday');
    await waitFor(() => expect(backend.settings.weekStart).toBe('sunday'));
    expect(backend.calls('update_settings').at(-1)).toMatchObject({
      patch: { weekStart: 'sunday', theme: null, publishingPaused: null },
    });
    expect(select).toHaveValue('sunday');
  });
});

describe('grace period for late posts', () => {
  it('shows the stored minutes, explains them and saves a change', async () => {
    const { backend, user } = await openSettings();
    const field = screen.getByTestId('grace-minutes') as HTMLInputElement;
    expect(field.value).toBe('60');
    expect(screen.getByTestId('grace-explained')).toHaveTextContent('Up to 1 h late');
    expect(screen.getByTestId('grace-save')).toBeDisabled();

    await user.clear(field);
    await user.type(field, '90');
    expect(screen.getByTestId('grace-explained')).toHaveTextContent('Up to 1 h 30 min late');
    await user.click(screen.getByTestId('grace-save'));

    expect(backend.calls('set_missed_grace_minutes')).toEqual([{ minutes: 90 }]);
    await waitFor(() => expect(screen.getByTestId('grace-save')).toBeDisabled());
  });

  it('says why the engine refused a value and keeps it in the field', async () => {
    const { user } = await openSettings();
    const field = screen.getByTestId('grace-minutes') as HTMLInputElement;
    await user.clear(field);
    await user.type(field, '20000');
    await user.click(screen.getByTestId('grace-save'));
    expect(await screen.findByText('The grace period can be at most a week.')).toBeVisible();
    expect(field.value).toBe('20000');
  });

  it('refuses what is not a whole number before sending it', async () => {
    const { backend, user } = await openSettings();
    const field = screen.getByTestId('grace-minutes') as HTMLInputElement;
    await user.clear(field);
    expect(screen.getByTestId('grace-explained')).toHaveTextContent('Use a whole number');
    expect(screen.getByTestId('grace-save')).toBeDisabled();
    expect(backend.calls('set_missed_grace_minutes')).toEqual([]);
  });
});
