import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import type { TrashItem } from '../lib/bindings';
import { toasts } from '../lib/toasts.svelte';
import { makePost, mockBackend } from '../test/backend';
import TrashPage from './TrashPage.svelte';

afterEach(() => {
  cleanup();
  clearMocks();
  toasts.clear();
});

function item(partial: Partial<TrashItem> = {}): TrashItem {
  return {
    id: 1,
    accountId: 1,
    accountTitle: 'Maya Makes',
    mode: 'direct',
    caption: 'Sourdough, day 3',
    thumbnailPath: null,
    was: 'scheduled',
    deleted: true,
    trashedAt: '2026-12-01T10:00:00Z',
    purgeAt: '2026-12-31T10:00:00Z',
    daysLeft: 29,
    postLocal: '2026-12-02T09:00',
    postZone: 'America/New_York',
    ...partial,
  };
}

function setup(items: TrashItem[]) {
  const backend = mockBackend({
    posts: items.map((t) => makePost({ id: t.id, status: 'cancelled' })),
  });
  backend.trash.push(...items);
  render(TrashPage);
  return { backend, user: userEvent.setup() };
}

const row = (id: number) =>
  within(screen.getAllByTestId('trash-row').find((r) => r.dataset.postId === String(id))!);

describe('TrashPage', () => {
  it('lists cancelled and deleted posts with what they were and when they go', async () => {
    setup([item(), item({ id: 2, deleted: false, was: 'scheduled', caption: 'Cancelled one' })]);
    await waitFor(() => expect(screen.getAllByTestId('trash-row')).toHaveLength(2));
    expect(row(1).getByTestId('trash-was')).toHaveTextContent('Deleted (it was scheduled)');
    expect(row(2).getByTestId('trash-was')).toHaveTextContent('Cancelled (it was scheduled)');
    expect(row(1).getByTestId('trash-goes')).toHaveTextContent('Deleted for good in 29 days');
    expect(screen.getAllByTestId('trash-row')[0]).toHaveTextContent('Dec 2, 9:00 AM (New York)');
    expect(screen.getByTestId('page-trash')).not.toHaveTextContent('America/New_York');
  });

  it('restores a post as a draft and says so', async () => {
    const { backend, user } = setup([item()]);
    await user.click(await screen.findByTestId('trash-restore'));
    await waitFor(() => expect(backend.calls('restore_post')).toEqual([{ postId: 1 }]));
    await waitFor(() => expect(screen.queryAllByTestId('trash-row')).toHaveLength(0));
    expect(toasts.items.at(-1)?.message).toBe('Restored as a draft.');
    expect(screen.getByText('Trash is empty')).toBeInTheDocument();
  });

  it('deletes forever only once confirmed', async () => {
    const { backend, user } = setup([item()]);
    await user.click(await screen.findByTestId('trash-forget'));
    expect(backend.calls('delete_forever')).toEqual([]);
    expect(screen.getByRole('alert')).toHaveTextContent('cannot be undone');
    await user.click(screen.getByTestId('trash-forget-confirm'));
    await waitFor(() => expect(backend.calls('delete_forever')).toEqual([{ postId: 1 }]));
    expect(toasts.items.at(-1)?.message).toContain('video file was not touched');
  });

  it('empties Trash only once confirmed', async () => {
    const { backend, user } = setup([item(), item({ id: 2 })]);
    await user.click(await screen.findByTestId('trash-empty'));
    expect(backend.calls('empty_trash')).toEqual([]);
    await user.click(screen.getByTestId('trash-empty-confirm'));
    await waitFor(() => expect(backend.calls('empty_trash')).toHaveLength(1));
    await waitFor(() => expect(screen.queryAllByTestId('trash-row')).toHaveLength(0));
    expect(toasts.items.at(-1)?.message).toContain('2 posts deleted for good');
  });
});
