import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { clearMocks } from '@tauri-apps/api/mocks';
import type { Heatmap } from '../../lib/bindings';
import { makeAccount, makeItem, mockBackend } from '../../test/backend';
import ComposerBestTimes from './ComposerBestTimes.svelte';

afterEach(() => {
  cleanup();
  clearMocks();
});

function map(enough: boolean, posts = 14): Heatmap {
  return {
    accountId: 1,
    zone: 'UTC',
    // Saturday 19:00 and Friday 12:00 did best; Wednesday 08:00 is as usual.
    cells: [
      { weekday: 5, hour: 19, relative: 2.5, posts: 4 },
      { weekday: 4, hour: 12, relative: 1.6, posts: 2 },
      { weekday: 2, hour: 8, relative: 1, posts: 3 },
    ],
    posts,
    medianViews: 900,
    enough,
  };
}

function setup(heat: Heatmap) {
  const b = mockBackend({
    accounts: [makeAccount({ id: 1 })],
    // Another post of the account already holds Saturday 5 December at 19:00.
    items: [
      makeItem({ id: 7, accountId: 1, status: 'scheduled', scheduledAt: '2026-12-05T19:00:00Z' }),
    ],
  });
  b.handlers.best_time_heatmap = () => heat;
  const onpick = vi.fn();
  render(ComposerBestTimes, {
    accountId: 1,
    zone: 'UTC',
    todayLocal: '2026-12-02T10:15',
    postId: 99,
    onpick,
  });
  return { b, onpick };
}

describe("the composer's best open times", () => {
  it('offers the best hours not already taken, and a click fills Date and Time', async () => {
    const { onpick } = setup(map(true));
    const slots = await screen.findAllByTestId('compose-best-time');
    expect(slots.map((s) => s.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      expect.stringMatching(/12.*19:00 2\.5×$/),
      expect.stringMatching(/4.*12:00 1\.6×$/),
    ]);
    await userEvent.setup().click(slots[0] as HTMLElement);
    expect(onpick).toHaveBeenCalledWith('2026-12-12', '19:00');
  });

  it('says "not enough posts yet" instead while the engine says so', async () => {
    setup(map(false, 4));
    const note = await screen.findByTestId('compose-best-times-not-enough');
    expect(note).toHaveTextContent(/^Not enough posts yet/);
    expect(screen.queryByTestId('compose-best-time')).toBeNull();
  });
});
