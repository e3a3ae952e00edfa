import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import Toaster from '../components/Toaster.svelte';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeItem, mockBackend } from '../test/backend';
import CalendarPage from './CalendarPage.svelte';

describe('CalendarPage Select mode', () => {
  const ZONE = 'America/New_York';
  const NOW = new Date('2026-03-11T02:00:00Z');

  afterEach(() => {
    cleanup();
    clearMocks();
    toasts.clear();
  });

  const post = (id: number) =>
    document.querySelector<HTMLElement>(`[data-testid="calendar-post"][data-post-id="${id}"]`)!;

  it('chooses chips instead of opening them, a range with Shift, and cancels them together', async () => {
    const items = [
      makeItem({ id: 1, local: '2026-03-10T09:30', caption: 'Morning dance' }),
      makeItem({ id: 2, local: '2026-03-12T18:00', caption: 'Live now', status: 'publishing' }),
      makeItem({ id: 3, local: '2026-03-14T07:15', caption: 'Weekend' }),
      makeItem({ id: 4, local: '2026-03-21T07:15', caption: 'Later' }),
    ];
    const backend = mockBackend({
      accounts: [makeAccount({ id: 1 })],
      items: items.map((i) => ({ ...i, postZone: ZONE, postLocal: i.local })),
    });
    backend.handlers.trash_posts = () => ({
      action: 'cancel',
      done: [1, 3].map((postId) => ({
        postId,
        accountId: 1,
        caption: '',
        at: null,
        local: null,
        zone: null,
        warnings: [],
      })),
      skipped: [],
      undo: [],
    });
    render(CalendarPage, { now: NOW, weekStartsOn: 1, zone: ZONE });
    render(Toaster);
    const user = userEvent.setup();
    await waitFor(() => expect(screen.getAllByTestId('calendar-post')).toHaveLength(4));
    await user.click(screen.getByTestId('calendar-select'));
    expect(screen.getByTestId('calendar-select')).toHaveAttribute('aria-pressed', 'true');
    await user.click(post(1));
    expect(post(1)).toHaveAttribute('aria-pressed', 'true');
    expect(window.location.hash).not.toContain('compose');
    // Shift-click: the range, without the post being published.
    await user.keyboard('{Shift>}');
    await user.click(post(3));
    await user.keyboard('{/Shift}');
    expect(post(2)).not.toHaveAttribute('aria-pressed');
    expect(post(3)).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('bulk-count')).toHaveTextContent('2 posts chosen');
    await user.click(screen.getByTestId('bulk-cancel'));
    await waitFor(() => expect(backend.calls('trash_posts')).toHaveLength(1));
    const sent = backend.calls('trash_posts')[0] as { targets: { postId: number }[] };
    expect(sent.targets.map((t) => t.postId).sort()).toEqual([1, 3]);
    await screen.findByText(/2 posts cancelled/);
    // Leaving Select mode clears the choice.
    await user.click(screen.getByTestId('calendar-select'));
    expect(screen.queryByTestId('bulk-bar')).toBeNull();
  });
});
