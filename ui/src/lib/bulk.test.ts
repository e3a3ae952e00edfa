import { describe, expect, it } from 'vitest';
import type { BulkOutcome, CalendarItem, PostStatus } from './bindings';
import { allChosen, choosable, clickChoose, outcomeText, shiftLine, toggleAll } from './bulk';

const item = (id: number, status: PostStatus = 'scheduled'): CalendarItem =>
  ({ id, status, caption: `post ${id}` }) as CalendarItem;

describe('multi-select', () => {
  const rows = [item(1), item(2, 'publishing'), item(3), item(4, 'published'), item(5)];

  it('only scheduled posts can be chosen', () => {
    expect(rows.filter(choosable).map((r) => r.id)).toEqual([1, 3, 5]);
  });

  it('Choose all takes the visible choosable posts, and a second press none', () => {
    const all = toggleAll(rows, new Set());
    expect(all.sort()).toEqual([1, 3, 5]);
    expect(allChosen(rows, new Set(all))).toBe(true);
    expect(toggleAll(rows, new Set(all))).toEqual([]);
    // Posts chosen elsewhere (another filter) stay chosen.
    expect(toggleAll(rows.slice(0, 2), new Set([5])).sort()).toEqual([1, 5]);
  });

  it('a click toggles one post, a Shift-click the range from the last one', () => {
    let c = clickChoose(rows, new Set(), 1, null, false);
    expect(c).toEqual([1]);
    c = clickChoose(rows, new Set(c), 5, 1, true);
    expect(c.sort()).toEqual([1, 3, 5]);
    c = clickChoose(rows, new Set(c), 3, 5, false);
    expect(c.sort()).toEqual([1, 5]);
    // A post being published is never chosen, even by a plain click.
    expect(clickChoose(rows, new Set(), 2, null, false)).toEqual([]);
    // Shift without a last click is a plain click.
    expect(clickChoose(rows, new Set(), 3, null, true)).toEqual([3]);
  });
});

describe('plain words', () => {
  it('says how far the posts move', () => {
    expect(shiftLine(12, 3)).toBe('12 posts move 3 days later, each at the same time of day.');
    expect(shiftLine(1, -1)).toBe('1 post moves 1 day earlier, each at the same time of day.');
  });

  it('names a skipped post and why, never a code', () => {
    const out: BulkOutcome = {
      action: 'shift',
      done: [
        {
          postId: 1,
          accountId: 1,
          caption: 'a',
          at: null,
          local: null,
          zone: null,
          warnings: [],
        },
      ],
      skipped: [
        {
          postId: 2,
          caption: 'Beach day',
          message: 'It has started publishing, so it was left as it is.',
        },
        { postId: 3, caption: '', message: 'It is in Trash.' },
      ],
      undo: [],
    };
    expect(outcomeText(out, 2)).toBe(
      '1 post moved 2 days later. “Beach day” was left as it was: It has started publishing, so it was left as it is. (and 1 more left as they were)',
    );
    expect(outcomeText({ ...out, action: 'cancel', skipped: [] })).toBe(
      '1 post cancelled (in Trash).',
    );
  });
});
