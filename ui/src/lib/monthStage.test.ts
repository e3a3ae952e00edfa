import { describe, expect, it } from 'vitest';
import type { CalendarRange } from './bindings';
import { makeItem } from '../test/backend';
import {
  DRAWN_MAX,
  drawnFor,
  drawnMonth,
  keepDrawn,
  monthKeyOf,
  stageOf,
  type DrawnMonth,
  type Neighbour,
} from './monthStage';

const rangeOf = (locals: string[]): CalendarRange =>
  ({
    zone: 'UTC',
    start: '',
    end: '',
    items: locals.map((local, i) => makeItem({ id: i + 1, local })),
    days: [],
  }) as unknown as CalendarRange;

const at = (year: number, month: number): Neighbour => ({
  year,
  month,
  cacheKey: `${year}-${month}|UTC|`,
  title: `${year}-${month}`,
  range: null,
});

describe('monthStage', () => {
  it('draws a month from its posts, by day, with today marked', () => {
    const d = drawnMonth(
      rangeOf(['2027-03-02T09:00', '2027-03-02T08:00']),
      at(2027, 3),
      1,
      '2027-03-02',
    );
    expect(d.key).toBe('2027-03');
    expect(d.period).toBe('2027-03');
    expect(d.byDay['2027-03-02'].map((i) => i.local)).toEqual([
      '2027-03-02T08:00',
      '2027-03-02T09:00',
    ]);
    const today = d.weeks.flat().filter((c) => c?.isToday);
    expect(today.map((c) => c?.key)).toEqual(['2027-03-02']);
    expect(monthKeyOf(2027, 3)).toBe('2027-03');
  });

  it('reuses a drawn month only for the same posts, day and week start', () => {
    const range = rangeOf(['2027-03-02T09:00']);
    const d = drawnMonth(range, at(2027, 3), 1, '2027-03-02');
    const drawn = [d];
    expect(drawnFor(drawn, d.cacheKey, range.items, '2027-03-02', 1)).toBe(d);
    expect(drawnFor(drawn, d.cacheKey, [...range.items], '2027-03-02', 1)).toBeNull();
    expect(drawnFor(drawn, d.cacheKey, range.items, '2027-03-03', 1)).toBeNull();
    expect(drawnFor(drawn, d.cacheKey, range.items, '2027-03-02', 0)).toBeNull();
    expect(drawnFor(drawn, '2027-3|Europe/Paris|', range.items, '2027-03-02', 1)).toBeNull();
    expect(drawnFor(drawn, d.cacheKey, undefined, '2027-03-02', 1)).toBeNull();
  });

  it('keeps the shown month and its loaded neighbours, as drawn when they still hold', () => {
    const shown = drawnMonth(rangeOf([]), at(2027, 3), 1, '2027-03-02');
    const febPosts = rangeOf(['2027-02-10T10:00']);
    const feb = drawnMonth(febPosts, at(2027, 2), 1, '2027-03-02');
    const around = [
      { ...at(2027, 2), range: febPosts },
      { ...at(2027, 4), range: rangeOf(['2027-04-01T10:00']) },
    ];
    const kept = (d: DrawnMonth) => d.source;
    const next = keepDrawn(shown, [feb], around, '2027-03-02', 1, kept);
    expect(next.map((d) => d.key)).toEqual(['2027-03', '2027-02', '2027-04']);
    expect(next[1]).toBe(feb);
    // A neighbour whose posts are not loaded is not drawn as a neighbour.
    expect(keepDrawn(shown, [], [at(2027, 2)], '2027-03-02', 1, kept)).toEqual([shown]);
  });

  it('keeps the last others drawn while their posts hold, up to the most kept', () => {
    const month = (m: number) => drawnMonth(rangeOf([]), at(2027, m), 1, '2027-03-02');
    const [jan, feb, mar, apr, may, jun] = [1, 2, 3, 4, 5, 6].map(month);
    // Shown June, drawn before (latest first): March, February, January, April, May.
    const before = [mar, feb, jan, apr, may];
    const kept = keepDrawn(jun, before, [], '2027-03-02', 1, (d) => (d === feb ? [] : d.source));
    expect(kept.map((d) => d.key)).toEqual(['2027-06', '2027-03', '2027-01', '2027-04', '2027-05']);
    expect(kept).toHaveLength(DRAWN_MAX);
    // Another day or week start: drawn anew when needed, not kept.
    expect(keepDrawn(jun, before, [], '2027-03-03', 1, (d) => d.source)).toEqual([jun]);
  });

  it('stages months in order, the shown one instead of any other grid of its month', () => {
    const mar = drawnMonth(rangeOf([]), at(2027, 3), 1, '2027-03-02');
    const feb = drawnMonth(rangeOf([]), at(2027, 2), 1, '2027-03-02');
    const apr = drawnMonth(rangeOf([]), at(2027, 4), 1, '2027-03-02');
    const marAgain = { ...mar, period: '' };
    const stage = stageOf(marAgain, [apr, mar, feb]);
    expect(stage.map((d) => d.key)).toEqual(['2027-02', '2027-03', '2027-04']);
    expect(stage[1]).toBe(marAgain);
  });
});
