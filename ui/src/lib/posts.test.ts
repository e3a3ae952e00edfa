import { describe, expect, it } from 'vitest';
import {
  accountColor,
  addDays,
  captionParts,
  localInZone,
  mondayOf,
  privacyLabel,
  utf16Length,
  waitingNote,
} from './posts';

describe('posts helpers', () => {
  it('counts UTF-16 code units like TikTok', () => {
    expect(utf16Length('abc')).toBe(3);
    expect(utf16Length('😀')).toBe(2);
    expect(utf16Length('👍🏽')).toBe(4);
    expect(utf16Length('é')).toBe(1);
  });

  it('splits hashtags and mentions delimited by spaces and newlines', () => {
    expect(captionParts('#a b\n@c d#e')).toEqual([
      { text: '#a', kind: 'hashtag' },
      { text: ' b\n', kind: 'text' },
      { text: '@c', kind: 'mention' },
      { text: ' d#e', kind: 'text' },
    ]);
  });

  it('labels privacy levels for people', () => {
    expect(privacyLabel('PUBLIC_TO_EVERYONE')).toBe('Everyone');
    expect(privacyLabel('MUTUAL_FOLLOW_FRIENDS')).toBe('Friends');
    expect(privacyLabel('FOLLOWER_OF_CREATOR')).toBe('Followers');
    expect(privacyLabel('SELF_ONLY')).toBe('Only me');
  });

  it('gives each account a stable colour', () => {
    expect(accountColor(7)).toBe(accountColor(7));
    expect(accountColor(7)).not.toBe(accountColor(8));
  });

  it('does calendar arithmetic on date keys and reads instants in a zone', () => {
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(mondayOf('2026-03-15')).toBe('2026-03-09'); // a Sunday
    expect(mondayOf('2026-03-09')).toBe('2026-03-09');
    expect(localInZone(new Date('2026-03-11T02:00:00Z'), 'America/New_York')).toBe(
      '2026-03-10T22:00',
    );
    expect(localInZone(new Date('2026-03-11T02:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-11T11:00');
  });

  it('tells a due post waiting for a publish slot from a scheduled one', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    const post = (
      id: number,
      accountId: number,
      status: 'scheduled' | 'publishing',
      at: string,
    ) => ({
      id,
      accountId,
      status,
      scheduledAt: at,
      paused: false,
      needsAttention: false,
    });
    const busy = [
      post(1, 1, 'publishing', '2026-12-02T08:00:00Z'),
      post(2, 2, 'publishing', '2026-12-02T08:00:00Z'),
    ];
    const due = post(3, 3, 'scheduled', '2026-12-02T09:00:00Z');
    expect(waitingNote(due, [...busy, due], now)).toBe('Waiting — 2 posts are publishing');
    expect(waitingNote(due, [busy[0], due], now)).toBe('Waiting — 1 post is publishing');
    expect(waitingNote({ ...due, accountId: 1 }, busy, now)).toBe(
      'Waiting — another post of this account is publishing',
    );
    // Not due yet, nothing publishing, paused, or publishing itself: not waiting.
    expect(waitingNote(due, [], now)).toBeNull();
    expect(waitingNote({ ...due, scheduledAt: '2026-12-02T11:00:00Z' }, busy, now)).toBeNull();
    expect(waitingNote({ ...due, paused: true }, busy, now)).toBeNull();
    expect(waitingNote(busy[0], busy, now)).toBeNull();
  });
});
