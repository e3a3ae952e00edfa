import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import App from '../App.svelte';
import { toasts } from '../lib/toasts.svelte';
import { makeAccount, makeItem, makePost, mockBackend } from '../test/backend';

beforeEach(() => {
  window.location.hash = '';
});

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

function setup() {
  const backend = mockBackend({
    accounts: [makeAccount({ id: 1 }), makeAccount({ id: 2 })],
    items: [
      makeItem({ id: 11, accountId: 1, accountTitle: 'Alpha', caption: 'Dance challenge' }),
      makeItem({
        id: 12,
        accountId: 1,
        accountTitle: 'Alpha',
        caption: 'Cooking show',
        status: 'needs_attention',
        needsAttention: true,
      }),
      makeItem({ id: 21, accountId: 2, accountTitle: 'Beta', caption: 'Paused one', paused: true }),
    ],
    posts: [
      makePost({
        id: 12,
        accountId: 1,
        mediaPath: '/old/cook.mp4',
        status: 'needs_attention',
        attentionReason: 'The video file is no longer at /old/cook.mp4. Relink it.',
      }),
      makePost({ id: 21, accountId: 2, pausedReason: 'Beta needs to be reconnected.' }),
    ],
  });
  window.location.hash = '#/queue';
  render(App);
  return { backend, user: userEvent.setup() };
}

const row = (id: number) =>
  within(document.querySelector<HTMLElement>(`[data-testid="queue-row"][data-post-id="${id}"]`)!);

describe('QueuePage', () => {
  it('lists upcoming posts per account with status badges and reasons', async () => {
    setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    expect(screen.getByRole('region', { name: 'Alpha' })).toBeInTheDocument();
    expect(screen.getByRole('region', { name: 'Beta' })).toBeInTheDocument();
    expect(row(11).getByTestId('queue-status')).toHaveTextContent('Scheduled');
    expect(row(12).getByTestId('queue-status')).toHaveTextContent('Needs attention');
    expect(await row(12).findByText(/no longer at \/old\/cook\.mp4/)).toBeInTheDocument();
    expect(row(12).getByTestId('queue-relink')).toHaveTextContent('Relink file…');
    expect(row(21).getByTestId('queue-status')).toHaveTextContent('Paused');
    expect(await row(21).findByText('Beta needs to be reconnected.')).toBeInTheDocument();
    expect(row(11).queryByTestId('queue-relink')).toBeNull();
  });

  it('search calls queue with the text', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    await user.type(screen.getByTestId('queue-search'), 'dance');
    await waitFor(() =>
      expect(backend.calls('queue').at(-1)).toEqual({
        query: { accountId: null, search: 'dance', limit: 200 },
      }),
    );
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(1));
    expect(screen.getByTestId('queue-row')).toHaveAttribute('data-post-id', '11');
  });

  it('relinks a file, cancels, deletes, and edit opens the composer', async () => {
    const { backend, user } = setup();
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(3));
    await user.click(row(12).getByTestId('queue-relink'));
    const path = row(12).getByTestId('queue-relink-path');
    await user.clear(path);
    await user.type(path, '/new/cook.mp4');
    await user.click(row(12).getByTestId('queue-relink-save'));
    await waitFor(() =>
      expect(backend.calls('relink_post_media')).toEqual([
        { postId: 12, newPath: '/new/cook.mp4', acceptChanged: false },
      ]),
    );

    await user.click(row(11).getByTestId('queue-cancel'));
    await waitFor(() => expect(backend.calls('cancel_post')).toEqual([{ postId: 11 }]));
    await user.click(row(21).getByTestId('queue-delete'));
    await waitFor(() => expect(backend.calls('delete_post')).toEqual([{ postId: 21 }]));
    await waitFor(() => expect(screen.getAllByTestId('queue-row')).toHaveLength(2));

    await user.click(row(12).getByTestId('queue-edit'));
    await waitFor(() => expect(window.location.hash).toBe('#/compose/12'));
    expect(await screen.findByTestId('composer')).toBeInTheDocument();
  });
});
