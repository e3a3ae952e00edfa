import { describe, expect, it } from 'vitest';
import type { PublishJob } from './bindings';
import type { CalendarItem } from './posts';
import {
  checkedText,
  countSections,
  groupByAccount,
  hasMore,
  percent,
  reasonOf,
  sectionOf,
  stepOf,
  type LiveStep,
} from './queue';

const item = (over: Partial<CalendarItem> = {}) =>
  ({
    id: 1,
    accountId: 1,
    accountTitle: '@dana',
    status: 'scheduled',
    needsAttention: false,
    paused: false,
    postLocal: '2030-05-01T09:30',
    postZone: 'Europe/Paris',
    ...over,
  }) as CalendarItem;
const job = (over: Partial<PublishJob> = {}) =>
  ({
    state: 'uploading',
    outcomeUnknown: false,
    errorCode: null,
    errorMessage: null,
    tiktokStatus: null,
    publicPostIds: null,
    publicIdNextAt: null,
    videoSize: null,
    confirmedBytes: 0,
    ...over,
  }) as PublishJob;
const live = (over: Partial<LiveStep> = {}): LiveStep => ({
  state: 'uploading',
  confirmed: 0,
  sent: 0,
  total: 0,
  message: null,
  ...over,
});

describe('queue rules', () => {
  it('shows the live step first, then the job, then the post status', () => {
    expect(stepOf(item(), live({ state: 'processing' }), job())).toBe('processing');
    expect(stepOf(item(), undefined, job({ state: 'checking' }))).toBe('checking');
    expect(stepOf(item({ status: 'published' }), undefined, null)).toBe('published');
    expect(stepOf(item({ status: 'failed' }), undefined, null)).toBe('failed');
    expect(stepOf(item({ status: 'queued' }), undefined, null)).toBe('queued');
    expect(stepOf(item({ status: 'scheduled' }), undefined, null)).toBeNull();
  });

  it('puts each post in one section', () => {
    expect(sectionOf(item({ needsAttention: true }), null, null)).toBe('attention');
    expect(sectionOf(item(), 'failed', null)).toBe('attention');
    expect(sectionOf(item(), 'needs_attention', null)).toBe('attention');
    expect(sectionOf(item({ status: 'missed' }), null, null)).toBe('attention');
    expect(sectionOf(item(), 'processing', job({ outcomeUnknown: true }))).toBe('attention');
    expect(sectionOf(item(), 'published', null)).toBe('published');
    expect(sectionOf(item(), 'uploading', null)).toBe('progress');
    expect(sectionOf(item({ status: 'publishing' }), null, null)).toBe('progress');
    expect(sectionOf(item(), 'queued', null)).toBe('upcoming');
    expect(sectionOf(item(), null, null)).toBe('upcoming');
  });

  it('takes the reason from the live event, else the job', () => {
    expect(reasonOf(live({ message: 'live' }), job({ errorMessage: 'job' }))).toBe('live');
    expect(reasonOf(live(), job({ errorMessage: 'job' }))).toBe('job');
    expect(reasonOf(undefined, null)).toBeNull();
  });

  it('computes upload progress from live bytes or the job', () => {
    expect(percent(live({ confirmed: 50, total: 200 }), null)).toBe(25);
    expect(percent(undefined, job({ videoSize: 400, confirmedBytes: 100 }))).toBe(25);
    expect(percent(live({ confirmed: 10, total: 0 }), job({ videoSize: 20 }))).toBe(50);
    expect(percent(undefined, null)).toBe(0);
    expect(percent(live({ confirmed: 300, total: 200 }), null)).toBe(100);
    // Inside one chunk the bar follows the bytes sent, before TikTok confirms any.
    expect(percent(live({ confirmed: 0, sent: 150, total: 200 }), null)).toBe(75);
  });

  it('says what Check again found', () => {
    expect(checkedText({ status: 'published' })).toBe('TikTok says it is posted');
    expect(checkedText({ status: 'failed' })).toBe(
      'TikTok says it was not posted: retry or reschedule it',
    );
    expect(checkedText({ status: 'publishing' })).toBe(
      'TikTok has not finished with it yet: check again later',
    );
  });

  it('counts sections and groups by account title', () => {
    const items = [
      item({ id: 1, accountId: 2, accountTitle: 'Zed' }),
      item({ id: 2, accountId: 1, accountTitle: 'Amy', needsAttention: true }),
      item({ id: 3, accountId: 2, accountTitle: 'Zed' }),
    ];
    expect(countSections(items, (it) => sectionOf(it, null, null))).toEqual({
      all: 3,
      upcoming: 2,
      progress: 0,
      published: 0,
      attention: 1,
    });
    expect(groupByAccount(items).map((g) => [g.title, g.items.map((i) => i.id)])).toEqual([
      ['Amy', [2]],
      ['Zed', [1, 3]],
    ]);
  });

  it('offers more while a full page came back, up to the cap', () => {
    const up = (n: number) => Array.from({ length: n }, () => ({ status: 'scheduled' as const }));
    const fin = (n: number) => Array.from({ length: n }, () => ({ status: 'published' as const }));
    expect(hasMore(up(49), 50, 25)).toBe(false);
    expect(hasMore(up(50), 50, 25)).toBe(true);
    expect(hasMore(fin(25), 50, 25)).toBe(true);
    expect(hasMore(up(200), 200, 200)).toBe(false);
  });
});

describe('captionStart', () => {
  it('shows the first non-empty line, cut to 80 characters', async () => {
    const { captionStart } = await import('./queue');
    expect(captionStart('\nHello world\n#tag')).toBe('Hello world');
    expect(captionStart('x'.repeat(100))).toHaveLength(80);
    expect(captionStart('')).toBe('');
  });
});
