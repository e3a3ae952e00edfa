/**
 * The months the calendar keeps drawn: the month shown and, out of sight, the months before
 * and after it once their posts are known (`MonthCache`). Pressing Next or Previous then shows
 * a grid that is already built, styled and laid out, instead of making ~600 elements in the
 * press's frame: in the busy-month bench the building took 15–25 ms of a 51–58 ms render, the
 * rest is WebKit painting the chips, which no page can skip. The grids next to the new month
 * are drawn after its frame is painted (`afterPaint`), never in it.
 */
import type { CalendarRange } from './bindings';
import { monthGrid, type Week } from './calendar';
import { groupByDay } from './calendarView';
import type { CalendarItem } from './posts';

/** One month's grid as drawn: what `CalendarMonth` is given. */
export interface DrawnMonth {
  /** `YYYY-MM`: the grid's identity in the stage. */
  key: string;
  /** `YYYY-MM` once its posts are in the grid, '' while they are loading (`data-period`). */
  period: string;
  /** What its posts depend on (`MonthCache.key`: month, zone, filter). */
  cacheKey: string;
  title: string;
  weeks: Week[];
  byDay: Record<string, CalendarItem[]>;
  counts: Record<string, number>;
  /** The list of posts it was made from, today's date and the week's first day then: a
   * drawn month is reused only while all three still hold. */
  source: readonly CalendarItem[];
  today: string;
  start: number;
}

/** A month's weeks, Monday (or `start`) first, today marked. */
export function monthWeeks(year: number, month: number, start: number, today: string): Week[] {
  return monthGrid(new Date(year, month - 1, 1), start).map((w) =>
    w.map((c) => (c ? { ...c, isToday: c.key === today } : null)),
  );
}

/** Posts per day of a month as the engine counted them (it lists only a busy day's first). */
export function countsOf(range: CalendarRange): Record<string, number> {
  return Object.fromEntries((range.days ?? []).map((d) => [d.date, d.count]));
}

/** `YYYY-MM` of a year and month (1–12). */
export function monthKeyOf(year: number, month: number): string {
  return `${year}-${String(month).padStart(2, '0')}`;
}

/** A month drawn from its loaded posts. */
export function drawnMonth(
  range: CalendarRange,
  at: { year: number; month: number; cacheKey: string; title: string },
  start: number,
  today: string,
): DrawnMonth {
  const key = monthKeyOf(at.year, at.month);
  return {
    key,
    period: key,
    cacheKey: at.cacheKey,
    title: at.title,
    weeks: monthWeeks(at.year, at.month, start, today),
    byDay: groupByDay(range.items),
    counts: countsOf(range),
    source: range.items,
    today,
    start,
  };
}

/** Whether `d` can be drawn again as it is for these posts (none: no), day and week start. */
export function stillDrawn(
  d: DrawnMonth | undefined,
  source: readonly CalendarItem[] | undefined,
  today: string,
  start: number,
): d is DrawnMonth {
  return !!d && !!source && d.source === source && d.today === today && d.start === start;
}

/** The month drawn for `cacheKey`, when it was drawn from `source` (the posts to show) and
 * for today and this week start; else null (it has to be drawn anew). */
export function drawnFor(
  drawn: readonly DrawnMonth[],
  cacheKey: string,
  source: readonly CalendarItem[] | undefined,
  today: string,
  start: number,
): DrawnMonth | null {
  const d = drawn.find((x) => x.cacheKey === cacheKey);
  return stillDrawn(d, source, today, start) ? d : null;
}

/** A month next to the one shown: where it is, and its posts if they are kept. */
export interface Neighbour {
  year: number;
  month: number;
  cacheKey: string;
  title: string;
  range: CalendarRange | null;
}

/** Months kept drawn at most: the one shown, the two next to it, and the last others shown
 * while they still hold (going back and forth then draws nothing anew). */
export const DRAWN_MAX = 5;

/** The months to keep drawn: `shown`, each neighbour whose posts are kept (as drawn already
 * when that still holds, else drawn anew), then the others drawn before, latest first, that
 * still hold for the posts `kept` for them, up to [`DRAWN_MAX`]. */
export function keepDrawn(
  shown: DrawnMonth,
  drawn: readonly DrawnMonth[],
  around: readonly Neighbour[],
  today: string,
  start: number,
  kept: (d: DrawnMonth) => readonly CalendarItem[] | undefined,
): DrawnMonth[] {
  const next = [shown];
  for (const n of around) {
    if (!n.range) continue;
    next.push(
      drawnFor(drawn, n.cacheKey, n.range.items, today, start) ??
        drawnMonth(n.range, n, start, today),
    );
  }
  for (const d of drawn) {
    if (next.length >= DRAWN_MAX) break;
    if (next.some((n) => n.key === d.key)) continue;
    if (stillDrawn(d, kept(d), today, start)) next.push(d);
  }
  return next;
}

/** The grids to keep in the page, in month order: the shown month and the others drawn
 * (another month's grid, never a second one of the month shown). */
export function stageOf(shown: DrawnMonth, drawn: readonly DrawnMonth[]): DrawnMonth[] {
  return [...drawn.filter((d) => d.key !== shown.key), shown].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
  );
}

/** Runs `fn` after the next frame is painted (a task queued from its animation frame).
 * Answers a cancel. */
export function afterPaint(fn: () => void): () => void {
  let cancelled = false;
  const run = () => {
    if (!cancelled) fn();
  };
  if (typeof requestAnimationFrame === 'function') {
    requestAnimationFrame(() => setTimeout(run, 0));
  } else {
    setTimeout(run, 0);
  }
  return () => {
    cancelled = true;
  };
}
