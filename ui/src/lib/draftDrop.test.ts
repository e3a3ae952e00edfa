import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';
import { makePost, mockBackend } from '../test/backend';
import { draftItem } from '../test/draftsBackend';
import { DEFAULT_DROP_HOUR, dropLocal, scheduleDropped } from './draftDrop';
import { toasts } from './toasts.svelte';

describe('dropLocal', () => {
  it('gives a week slot its hour and a month day 09:00', () => {
    expect(DEFAULT_DROP_HOUR).toBe(9);
    expect(dropLocal({ date: '2026-03-12', hour: 14 }, '2026-03-10T08:00')).toBe(
      '2026-03-12T14:00',
    );
    expect(dropLocal({ date: '2026-03-12', hour: null }, '2026-03-10T20:00')).toBe(
      '2026-03-12T09:00',
    );
  });

  it('on today after 09:00, takes the next whole hour', () => {
    expect(dropLocal({ date: '2026-03-10', hour: null }, '2026-03-10T08:10')).toBe(
      '2026-03-10T09:00',
    );
    expect(dropLocal({ date: '2026-03-10', hour: null }, '2026-03-10T13:40')).toBe(
      '2026-03-10T14:00',
    );
  });
});

describe('scheduleDropped', () => {
  afterEach(() => {
    clearMocks();
    toasts.clear();
  });

  it('schedules through the engine and Undo takes it back to the drafts', async () => {
    const post = makePost({ id: 7, caption: 'Beach day' });
    const backend = mockBackend({ posts: [post] });
    let changed = 0;
    const ok = await scheduleDropped(draftItem(post), '2026-03-12T09:00', 'Europe/Paris', {
      changed: () => changed++,
      open: () => {},
    });
    expect(ok).toBe(true);
    expect(backend.calls('schedule_post')).toEqual([
      {
        postId: 7,
        when: { kind: 'at', local: '2026-03-12T09:00', zone: 'Europe/Paris', dst: null },
      },
    ]);
    const toast = toasts.items.at(-1)!;
    expect(toast.message).toBe('Scheduled “Beach day” for 2026-03-12 09:00');
    toast.action!.run();
    await expect.poll(() => backend.calls('unschedule_post')).toEqual([{ postId: 7 }]);
    await expect.poll(() => backend.posts[0].status).toBe('draft');
    expect(changed).toBeGreaterThanOrEqual(1);
  });

  it("says the engine's reason and offers to open the draft when it cannot be scheduled", async () => {
    const post = makePost({ id: 8, mediaPath: '/v/clip.mp4' });
    const backend = mockBackend({ posts: [post] });
    backend.handlers.schedule_post = () => {
      throw { code: 'invalid_input', message: 'Choose who can see this post.' };
    };
    let opened: number | null = null;
    const ok = await scheduleDropped(draftItem(post), '2026-03-12T09:00', 'UTC', {
      changed: () => {},
      open: (id) => (opened = id),
    });
    expect(ok).toBe(false);
    const toast = toasts.items.at(-1)!;
    expect(toast.message).toBe("Couldn't schedule “clip.mp4”: Choose who can see this post.");
    toast.action!.run();
    expect(opened).toBe(8);
  });
});
