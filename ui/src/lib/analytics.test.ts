import { describe, expect, it } from 'vitest';
import type { AccountSeries, Heatmap, PostCurve, PostPerformance, SnapshotPoint } from './bindings';
import {
  ageLabel,
  alignDaily,
  bestOpenSlots,
  cellText,
  confidence,
  curveColumns,
  deltas,
  heatGrid,
  heatLevel,
  postNote,
  hasNumbers,
  seriesColumns,
  signed,
  slotsNote,
  totalColumns,
  vsMedian,
  weekdayOf,
} from './analytics';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T09:00:00Z');

function pt(day: number, followers: number | null, likes: number | null = null): SnapshotPoint {
  return {
    takenAt: new Date(T0 + day * DAY).toISOString(),
    followerCount: followers,
    likesCount: likes,
    followingCount: null,
    videoCount: null,
  };
}

function series(
  accountId: number,
  points: SnapshotPoint[],
  gaps: [number, number][] = [],
): AccountSeries {
  return {
    accountId,
    points,
    gaps: gaps.map(([a, b]) => ({
      from: new Date(T0 + a * DAY).toISOString(),
      to: new Date(T0 + b * DAY).toISOString(),
    })),
  };
}

function perf(over: Partial<PostPerformance> = {}): PostPerformance {
  return {
    id: 1,
    accountId: 1,
    postId: 10,
    videoId: 'v1',
    matchKind: 'public_id',
    visibility: 'public',
    shareUrl: null,
    caption: 'A post',
    publishedAt: '2026-11-01T18:00:00Z',
    liveAt: null,
    goneAt: null,
    views: 1200,
    likes: 80,
    comments: 3,
    shares: 1,
    countedAt: null,
    ...over,
  };
}

describe('growth series', () => {
  it('breaks the line in the middle of every gap the engine reported', () => {
    const s = series(1, [pt(0, 100), pt(1, 110), pt(5, 150), pt(6, 160)], [[1, 5]]);
    const [xs, ys] = seriesColumns(s, 'followers');
    expect(ys).toEqual([100, 110, null, 150, 160]);
    expect(xs[2]).toBe((T0 + 3 * DAY) / 1000);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
  });

  it('reads likes or followers', () => {
    const s = series(1, [pt(0, 100, 7)]);
    expect(seriesColumns(s, 'likes')[1]).toEqual([7]);
  });

  it('aligns accounts on days and sums only days every account has', () => {
    const a = series(1, [pt(0, 100), pt(1, 110), pt(2, 120)]);
    const b = series(2, [pt(0, 10), pt(2, 30)]);
    const [xs, total, la, lb] = alignDaily([a, b], 'followers', true);
    expect(xs).toHaveLength(3);
    expect(la).toEqual([100, 110, 120]);
    expect(lb).toEqual([10, null, 30]);
    expect(total).toEqual([110, null, 150]);
    expect(totalColumns([a, b], 'followers')[1]).toEqual([110, null, 150]);
  });

  it('keeps a day’s last value when an account was seen twice that day', () => {
    const twice = { ...pt(0, 105), takenAt: new Date(T0 + 3 * 3600_000).toISOString() };
    const [, line] = alignDaily([series(1, [pt(0, 100), twice])], 'followers');
    expect(line).toEqual([105]);
  });
});

describe('deltas', () => {
  it('compares the latest count with a day, a week and a month back', () => {
    const points = Array.from({ length: 40 }, (_, d) => pt(d, 1000 + d * 10));
    expect(deltas(points, 'followers')).toEqual({ latest: 1390, day: 10, week: 70, month: 300 });
  });

  it('says nothing for a span the series does not reach', () => {
    const d = deltas([pt(0, 100), pt(1, 90)], 'followers');
    expect(d).toEqual({ latest: 90, day: -10, week: null, month: null });
  });

  it('takes the last snapshot at or before the span across a gap', () => {
    const d = deltas([pt(0, 100), pt(2, 130), pt(10, 200)], 'followers');
    expect(d.week).toBe(70); // day 2 is the last one a week or more before day 10
  });

  it('is empty without counts', () => {
    expect(deltas([pt(0, null)], 'followers').latest).toBeNull();
  });

  it('signs numbers for people', () => {
    expect(signed(1204, 'en')).toBe('+1,204');
    expect(signed(-37, 'en')).toBe('−37');
    expect(signed(0)).toBe('0');
    expect(signed(null)).toBe('—');
  });
});

describe('a post against the median', () => {
  const curve: PostCurve = {
    post: perf(),
    points: [
      {
        ageBucketHours: 1,
        ageHours: 1.02,
        sampledAt: '',
        views: 50,
        likes: 0,
        comments: 0,
        shares: 0,
      },
      {
        ageBucketHours: 24,
        ageHours: 24.1,
        sampledAt: '',
        views: 2100,
        likes: 0,
        comments: 0,
        shares: 0,
      },
    ],
    accountMedian: [
      { ageBucketHours: 1, views: 40, videos: 5 },
      { ageBucketHours: 6, views: 300, videos: 5 },
      { ageBucketHours: 24, views: 1000, videos: 4 },
    ],
  };

  it('aligns the post and the median on the sampled ages', () => {
    expect(curveColumns(curve)).toEqual([
      [1, 6, 24],
      [50, null, 2100],
      [40, 300, 1000],
    ]);
  });

  it('names ages the way people say them, also a hair off from the log scale', () => {
    expect([1, 6, 10 ** Math.log10(24), 72, 168].map(ageLabel)).toEqual([
      '1 h',
      '6 h',
      '1 day',
      '3 days',
      '7 days',
    ]);
  });

  it('compares at the oldest age both have', () => {
    expect(vsMedian(curve)?.text).toBe('2.1× your median at 1 day (over 4 posts)');
    expect(vsMedian({ ...curve, points: [] })).toBeNull();
  });
});

describe('what a post’s numbers mean', () => {
  it('never shows zeros for a private post', () => {
    const p = perf({ visibility: 'private', views: null, likes: null });
    expect(hasNumbers(p)).toBe(false);
    expect(postNote(p)).toMatch(/TikTok doesn’t report/);
  });

  it('says when the match is uncertain', () => {
    expect(postNote(perf({ matchKind: 'uncertain' }))).toMatch(/not for sure/);
    expect(postNote(perf())).toBeNull();
    expect(postNote(perf({ visibility: 'pending', matchKind: 'pending', views: null }))).toMatch(
      /Waiting for TikTok/,
    );
  });
});

function heatmap(cells: Heatmap['cells'], enough = true, posts = 12): Heatmap {
  return { accountId: 1, zone: 'UTC', cells, posts, medianViews: 1000, enough };
}

describe('best time to post', () => {
  it('lays the cells out as 7 weekdays of 24 hours', () => {
    const grid = heatGrid(heatmap([{ weekday: 6, hour: 20, relative: 2, posts: 3 }]));
    expect(grid).toHaveLength(7);
    expect(grid.every((r) => r.length === 24)).toBe(true);
    expect(grid[6]?.[20]).toMatchObject({ relative: 2, posts: 3 });
    expect(grid[0]?.[0]).toMatchObject({ relative: null, posts: 0 });
  });

  it('tints on a log scale, as usual in the middle', () => {
    expect(heatLevel(1)).toBe(0.5);
    expect(heatLevel(4)).toBeCloseTo(1);
    expect(heatLevel(0.25)).toBeCloseTo(0);
    expect(heatLevel(100)).toBe(1);
    expect(heatLevel(null)).toBeNull();
  });

  it('grades confidence by the posts behind a cell', () => {
    expect([0, 1, 2, 3, 4, 9].map(confidence)).toEqual([
      'none',
      'low',
      'some',
      'some',
      'good',
      'good',
    ]);
    expect(cellText({ weekday: 0, hour: 9, relative: 1.5, posts: 1 }, 'en')).toBe(
      'Monday 09:00: 1.5× your usual 24-hour views (1 post; one post: a hint only)',
    );
  });

  it('suggests the best open slots, skipping taken and past ones', () => {
    // 2026-12-02 is a Wednesday (2).
    expect(weekdayOf('2026-12-02')).toBe(2);
    const map = heatmap([
      { weekday: 2, hour: 8, relative: 3, posts: 4 }, // earlier today: next week
      { weekday: 5, hour: 19, relative: 2.5, posts: 3 }, // Saturday, taken this week
      { weekday: 4, hour: 12, relative: 1.6, posts: 2 },
      { weekday: 6, hour: 20, relative: 4, posts: 1 }, // one post: not trusted
      { weekday: 1, hour: 3, relative: 0.4, posts: 5 }, // worse than usual
    ]);
    const slots = bestOpenSlots(map, '2026-12-02T10:15', new Set(['2026-12-05T19']));
    expect(slots.map((s) => `${s.date} ${s.time}`)).toEqual([
      '2026-12-09 08:00',
      '2026-12-12 19:00',
      '2026-12-04 12:00',
    ]);
  });

  it('says "not enough posts yet" instead of suggesting', () => {
    const map = heatmap([{ weekday: 2, hour: 8, relative: 3, posts: 4 }], false, 4);
    expect(bestOpenSlots(map, '2026-12-02T10:15', new Set())).toEqual([]);
    expect(slotsNote(map)).toMatch(/^Not enough posts yet/);
    expect(slotsNote(map)).toMatch(/4 so far/);
    expect(slotsNote(heatmap([]))).toBeNull();
  });
});
