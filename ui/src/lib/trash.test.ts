import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { makePost, mockBackend } from '../test/backend';
import { toasts } from './toasts.svelte';
import { goesAwayText, hadTimeText, moveToTrash, restoredText, trashedText } from './trash';

afterEach(() => {
  clearMocks();
  toasts.clear();
});

describe('Trash words', () => {
  it('says when a post leaves for good, in whole days', () => {
    expect(goesAwayText(30)).toBe('Deleted for good in 30 days');
    expect(goesAwayText(29)).toBe('Deleted for good in 29 days');
    expect(goesAwayText(1)).toBe('Deleted for good tomorrow');
    expect(goesAwayText(0)).toBe('Deleted for good today');
  });

  it('says what the post was, and whether it was deleted or cancelled', () => {
    expect(trashedText({ deleted: true, was: 'scheduled' })).toBe('Deleted (it was scheduled)');
    expect(trashedText({ deleted: false, was: 'draft' })).toBe('Cancelled (it was a draft)');
  });

  it('shows a time in its own zone by city, never a raw zone id', () => {
    const text = hadTimeText({ postLocal: '2026-12-02T09:00', postZone: 'America/New_York' });
    expect(text).toMatch(/Dec.*2.*9:00.*\(New York\)$/);
    expect(hadTimeText({ postLocal: '2026-12-02T09:00', postZone: 'Etc/UTC' })).toMatch(/\(UTC\)$/);
    expect(hadTimeText({ postLocal: null, postZone: null })).toBeNull();
  });

  it('says how a post came back', () => {
    expect(restoredText('scheduled')).toContain('scheduled again');
    expect(restoredText('draft')).toBe('Restored as a draft.');
  });
});

describe('moveToTrash', () => {
  it('deletes, offers Undo, and Undo gives the post back as it was', async () => {
    const backend = mockBackend({ posts: [makePost({ id: 7, status: 'scheduled' })] });
    let changed = 0;
    expect(await moveToTrash('delete', 7, { changed: () => changed++ })).toBe(true);
    expect(backend.calls('delete_post')).toEqual([{ postId: 7 }]);
    expect(changed).toBe(1);
    const [toast] = toasts.items;
    expect(toast.message).toContain('Trash');
    expect(toast.action?.label).toBe('Undo');
    toast.action!.run();
    await waitFor(() => expect(backend.calls('undo_trash')).toEqual([{ postId: 7 }]));
    await waitFor(() => expect(changed).toBe(2));
    expect(toasts.items.at(-1)?.message).toContain('scheduled again');
  });

  it('says so when Undo cannot give it back as it was', async () => {
    const backend = mockBackend({ posts: [makePost({ id: 8, status: 'scheduled' })] });
    backend.handlers.undo_trash = () => ({
      post: makePost({ id: 8, status: 'draft' }),
      note: 'Its time has passed, so it is back as a draft: schedule it again.',
    });
    await moveToTrash('cancel', 8);
    expect(backend.calls('cancel_post')).toEqual([{ postId: 8 }]);
    toasts.items[0].action!.run();
    await waitFor(() => expect(toasts.items.at(-1)?.level).toBe('warning'));
    expect(toasts.items.at(-1)?.message).toContain('Its time has passed');
  });

  it('says why when the engine refuses, and offers no Undo', async () => {
    const backend = mockBackend();
    backend.handlers.delete_post = () => {
      throw { code: 'conflict', message: 'This post is being published right now.' };
    };
    expect(await moveToTrash('delete', 9)).toBe(false);
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0].message).toContain('being published');
    expect(toasts.items[0].action).toBeUndefined();
  });
});
