import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import type { Caps } from '../lib/bindings';
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

async function openSettingsWith(caps: Caps) {
  const backend = mockBackend();
  let stored = { ...caps };
  backend.handlers.get_posting_caps = () => stored;
  backend.handlers.set_posting_caps = (args) => {
    stored = (args as { caps: Caps }).caps;
    return stored;
  };
  window.location.hash = '#/settings';
  render(App);
  await screen.findByTestId('app-ready');
  await waitFor(() => expect(screen.getByTestId('caps-daily')).toBeEnabled());
  return { backend, user: userEvent.setup() };
}

describe('posting limits', () => {
  it('shows the stored caps and saves edited values', async () => {
    const { backend, user } = await openSettingsWith({ dailyPosts: 15, pendingInbox: 5 });
    const daily = screen.getByTestId('caps-daily') as HTMLInputElement;
    expect(daily.value).toBe('15');
    expect((screen.getByTestId('caps-inbox') as HTMLInputElement).value).toBe('5');
    expect(screen.getByTestId('caps-save')).toBeDisabled();

    await user.clear(daily);
    await user.type(daily, '10');
    await user.click(screen.getByTestId('caps-save'));

    await waitFor(() =>
      expect(backend.calls('set_posting_caps')).toEqual([
        { caps: { dailyPosts: 10, pendingInbox: 5 } },
      ]),
    );
    expect(await screen.findByTestId('toast')).toHaveTextContent('Posting limits saved');
    await waitFor(() => expect(screen.getByTestId('caps-save')).toBeDisabled());
  });

  it('refuses values below one', async () => {
    const { backend, user } = await openSettingsWith({ dailyPosts: 15, pendingInbox: 5 });
    const inbox = screen.getByTestId('caps-inbox') as HTMLInputElement;
    await user.clear(inbox);
    await user.type(inbox, '0');
    expect(screen.getByTestId('caps-save')).toBeDisabled();
    expect(screen.getByTestId('posting-caps')).toHaveTextContent('Use whole numbers of 1 or more.');
    expect(backend.calls('set_posting_caps')).toEqual([]);
  });
});
