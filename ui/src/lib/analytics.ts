/**
 * The Analytics page's data shaping (pure, unit-tested): the engine's series, curves and
 * heatmaps turned into what the charts draw and the words beside them.
 */
import type {
  AccountSeries,
  HeatCell,
  Heatmap,
  PostCurve,
  PostPerformance,
  SnapshotPoint,
} from './bindings';

export type Metric = 'followers' | 'likes';
export const METRIC_LABELS: Record<Metric, string> = { followers: 'Followers', likes: 'Likes' };

const DAY_MS = 86_400_000;

export function metricOf(p: SnapshotPoint, metric: Metric): number | null {
  return metric === 'followers' ? p.followerCount : p.likesCount;
}

/** uPlot's columns: x in seconds, then one column per line; `null` breaks a line. */
export type Columns = [number[], ...(number | null)[][]];

/**
 * One account's line: a point per snapshot, and a `null` in the middle of every gap the
 * engine reported, so the chart breaks there instead of drawing through days nobody saw.
 */
export function seriesColumns(series: AccountSeries, metric: Metric): Columns {
  const rows: [number, number | null][] = series.points.map((p) => [
    Date.parse(p.takenAt) / 1000,
    metricOf(p, metric),
  ]);
  for (const g of series.gaps) {
    const mid = (Date.parse(g.from) + Date.parse(g.to)) / 2000;
    rows.push([mid, null]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return [rows.map((r) => r[0]), rows.map((r) => r[1])];
}

export type Deltas = {
  latest: number | null;
  day: number | null;
  week: number | null;
  month: number | null;
};

/**
 * The latest value and its change over a day, a week and a month: against the last snapshot
 * at or before that long ago (none when the series does not reach back that far).
 */
export function deltas(points: SnapshotPoint[], metric: Metric): Deltas {
  const rows = points
    .map((p) => ({ at: Date.parse(p.takenAt), v: metricOf(p, metric) }))
    .filter((r): r is { at: number; v: number } => r.v !== null)
    .sort((a, b) => a.at - b.at);
  const last = rows.at(-1);
  if (!last) return { latest: null, day: null, week: null, month: null };
  const back = (days: number): number | null => {
    // Half a day of slack: a daily snapshot taken a little later than yesterday's still counts.
    const limit = last.at - days * DAY_MS + DAY_MS / 2;
    let found: number | null = null;
    for (const r of rows) {
      if (r.at > limit) break;
      found = r.v;
    }
    return found === null ? null : last.v - found;
  };
  return { latest: last.v, day: back(1), week: back(7), month: back(30) };
}

/** "+1,204", "−37", "0"; `null` → "—". */
export function signed(n: number | null, locale?: string): string {
  if (n === null) return '—';
  const text = Math.abs(n).toLocaleString(locale);
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : '0';
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * Several accounts on one daily axis (UTC days): each account's last value of each day, `null`
 * on days it has none. With `total`, a first line sums them, only on days every account has a
 * value (a sum missing an account would look like a fall).
 */
export function alignDaily(list: AccountSeries[], metric: Metric, total = false): Columns {
  const perAccount = list.map((s) => {
    const m = new Map<number, number>();
    for (const p of s.points) {
      const v = metricOf(p, metric);
      if (v !== null) m.set(dayStart(Date.parse(p.takenAt)), v);
    }
    return m;
  });
  const days = [...new Set(perAccount.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const lines = perAccount.map((m) => days.map((d) => m.get(d) ?? null));
  const xs = days.map((d) => d / 1000);
  if (!total) return [xs, ...lines];
  const sum = days.map((_, i) => {
    let s = 0;
    for (const l of lines) {
      const v = l[i];
      if (v === null || v === undefined) return null;
      s += v;
    }
    return s;
  });
  return [xs, sum, ...lines];
}

/** All accounts added up, as one line. */
export function totalColumns(list: AccountSeries[], metric: Metric): Columns {
  const [xs, total] = alignDaily(list, metric, true);
  return [xs, total ?? []];
}

/** A post's curve against the account's median, on the sampled ages (hours). */
export function curveColumns(curve: PostCurve): Columns {
  const ages = [
    ...new Set([
      ...curve.points.map((p) => p.ageBucketHours),
      ...curve.accountMedian.map((m) => m.ageBucketHours),
    ]),
  ].sort((a, b) => a - b);
  const post = new Map(curve.points.map((p) => [p.ageBucketHours, p.views]));
  const median = new Map(curve.accountMedian.map((m) => [m.ageBucketHours, m.views]));
  return [ages, ages.map((a) => post.get(a) ?? null), ages.map((a) => median.get(a) ?? null)];
}

/** 1 → "1 h", 24 → "1 day", 168 → "7 days". */
export function ageLabel(hours: number): string {
  // Ages come back from a log scale a hair off (23.9999…): round first.
  hours = Math.round(hours * 100) / 100;
  if (hours < 24) return `${Math.round(hours)} h`;
  const days = Math.round(hours / 24);
  return days === 1 ? '1 day' : `${days} days`;
}

/**
 * "This post vs your median at the same age", at the oldest age both have: "2.1× your median
 * at 1 day". `null` when there is nothing to compare yet.
 */
export function vsMedian(curve: PostCurve): { ratio: number; text: string } | null {
  const median = new Map(curve.accountMedian.map((m) => [m.ageBucketHours, m]));
  const points = [...curve.points].sort((a, b) => b.ageBucketHours - a.ageBucketHours);
  for (const p of points) {
    const m = median.get(p.ageBucketHours);
    if (!m || m.views <= 0) continue;
    const ratio = p.views / m.views;
    const at = ageLabel(p.ageBucketHours);
    const others = m.videos <= 1 ? ' (only this post so far)' : ` (over ${m.videos} posts)`;
    return { ratio, text: `${ratioText(ratio)} your median at ${at}${others}` };
  }
  return null;
}

/** 2.14 → "2.1×", 0.5 → "0.5×", 12 → "12×". */
export function ratioText(r: number): string {
  return `${r >= 10 ? Math.round(r) : Math.round(r * 10) / 10}×`;
}

/**
 * Why a post has no numbers, or why its numbers may not be its own: plain words for the
 * table, the curve and the Queue. `null` when its numbers speak for themselves.
 */
export function postNote(p: PostPerformance): string | null {
  switch (p.visibility) {
    case 'private':
      return 'Private post: TikTok doesn’t report numbers for posts only some people can see.';
    case 'gone':
      return 'No longer on TikTok (removed, hidden or made private): these are its last numbers.';
    case 'pending':
      if (p.matchKind === 'unmatched') return 'Not found among the account’s public videos.';
      return 'Waiting for TikTok to list it (after its review, sometimes hours later).';
    default:
      break;
  }
  if (p.matchKind === 'uncertain')
    return 'Found by its time and caption, but not for sure: these numbers may be another video’s.';
  return null;
}

/** Whether a post's numbers exist at all (private ones never do: not zeros). */
export function hasNumbers(p: PostPerformance): boolean {
  return p.visibility !== 'private' && p.views !== null;
}

// ---- Best time to post ----

/** How sure a cell is, from the posts behind it. */
export type Confidence = 'none' | 'low' | 'some' | 'good';

export function confidence(posts: number): Confidence {
  if (posts <= 0) return 'none';
  if (posts === 1) return 'low';
  if (posts <= 3) return 'some';
  return 'good';
}

export const CONFIDENCE_LABELS: Record<Confidence, string> = {
  none: 'no posts',
  low: 'one post: a hint only',
  some: 'a few posts',
  good: 'several posts',
};

/** A cell's tint: 0 (far below usual) … 0.5 (as usual) … 1 (far above), on a log scale. */
export function heatLevel(relative: number | null): number | null {
  if (relative === null || !(relative > 0)) return null;
  const l = 0.5 + Math.log2(relative) / 4; // 4× above or below reaches the ends
  return Math.min(1, Math.max(0, l));
}

/** The heatmap's rows: 7 weekdays (Monday first) of 24 hours, whatever order the cells came in. */
export function heatGrid(map: Heatmap): HeatCell[][] {
  const grid: HeatCell[][] = Array.from({ length: 7 }, (_, w) =>
    Array.from({ length: 24 }, (_, h) => ({ weekday: w, hour: h, relative: null, posts: 0 })),
  );
  for (const c of map.cells) {
    const row = grid[c.weekday];
    if (row && c.hour < 24) row[c.hour] = c;
  }
  return grid;
}

/** "Monday" … "Sunday" (0 = Monday) in the reader's language. */
export function weekdayName(weekday: number, style: 'long' | 'short' = 'long', locale?: string) {
  // 2024-01-01 was a Monday.
  const d = new Date(Date.UTC(2024, 0, 1 + weekday, 12));
  return d.toLocaleDateString(locale, { weekday: style, timeZone: 'UTC' });
}

export function cellText(c: HeatCell, locale?: string): string {
  const when = `${weekdayName(c.weekday, 'long', locale)} ${String(c.hour).padStart(2, '0')}:00`;
  if (c.posts === 0 || c.relative === null) return `${when}: no posts yet`;
  const posts = c.posts === 1 ? '1 post' : `${c.posts} posts`;
  return `${when}: ${ratioText(c.relative)} your usual 24-hour views (${posts}; ${CONFIDENCE_LABELS[confidence(c.posts)]})`;
}

/** A slot the composer can offer: a date and hour in the post's zone. */
export type Slot = { date: string; time: string; weekday: number; hour: number; relative: number };

/** Weekday (0 = Monday) of a `YYYY-MM-DD` date. */
export function weekdayOf(date: string): number {
  const d = new Date(`${date}T12:00:00Z`);
  return (d.getUTCDay() + 6) % 7;
}

function addDaysKey(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The account's best open slots: the cells that did better than usual (with at least two posts
 * behind them), best first, each at its next date from `nowLocal` (`YYYY-MM-DDTHH:MM` in the
 * post's zone) that no post of the account already holds (`taken`: `YYYY-MM-DDTHH` keys).
 * None when the engine says there is not enough yet.
 */
export function bestOpenSlots(
  map: Heatmap,
  nowLocal: string,
  taken: Set<string>,
  count = 3,
): Slot[] {
  if (!map.enough) return [];
  const good = map.cells
    .filter((c) => c.relative !== null && c.relative > 1 && c.posts >= 2)
    .sort((a, b) => (b.relative ?? 0) - (a.relative ?? 0) || b.posts - a.posts);
  const today = nowLocal.slice(0, 10);
  const nowHour = Number(nowLocal.slice(11, 13));
  const base = weekdayOf(today);
  const out: Slot[] = [];
  for (const c of good) {
    let ahead = (c.weekday - base + 7) % 7;
    if (ahead === 0 && c.hour <= nowHour) ahead = 7;
    // The next free one within four weeks.
    for (let week = 0; week < 4; week++) {
      const date = addDaysKey(today, ahead + week * 7);
      const hh = String(c.hour).padStart(2, '0');
      if (taken.has(`${date}T${hh}`)) continue;
      out.push({
        date,
        time: `${hh}:00`,
        weekday: c.weekday,
        hour: c.hour,
        relative: c.relative ?? 1,
      });
      break;
    }
    if (out.length >= count) break;
  }
  return out;
}

/** What the composer says under its time fields about the best slots. */
export function slotsNote(map: Heatmap | null): string | null {
  if (!map) return null;
  if (!map.enough) {
    const n = map.posts;
    const have = n === 0 ? 'none yet' : n === 1 ? 'one so far' : `${n} so far`;
    return `Not enough posts yet to suggest a time: best times show once about 10 posts have a day of views (${have}).`;
  }
  return null;
}
