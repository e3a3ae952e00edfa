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
 * A series' snapshot times (ms), parsed once per series: the comparison and the cards read
 * every account's 730 points again at each metric or account change.
 */
const timesOf = new WeakMap<SnapshotPoint[], number[]>();
function times(points: SnapshotPoint[]): number[] {
  let t = timesOf.get(points);
  if (!t) {
    t = points.map((p) => Date.parse(p.takenAt));
    timesOf.set(points, t);
  }
  return t;
}

/**
 * One account's line: a point per snapshot, and a `null` in the middle of every gap the
 * engine reported, so the chart breaks there instead of drawing through days nobody saw.
 */
export function seriesColumns(series: AccountSeries, metric: Metric): Columns {
  const at = times(series.points);
  const rows: [number, number | null][] = series.points.map((p, i) => [
    at[i] / 1000,
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
  const at = times(points);
  const rows = points
    .map((p, i) => ({ at: at[i], v: metricOf(p, metric) }))
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

/**
 * One formatter per language: `toLocaleString` builds a new one at each call, and the
 * comparison table formats 300 numbers at each metric change.
 */
const numberFormats = new Map<string, Intl.NumberFormat>();
export function numberFormat(locale?: string): Intl.NumberFormat {
  let f = numberFormats.get(locale ?? '');
  if (!f) {
    f = new Intl.NumberFormat(locale);
    numberFormats.set(locale ?? '', f);
  }
  return f;
}

/** "+1,204", "−37", "0"; `null` → "—". */
export function signed(n: number | null, locale?: string): string {
  if (n === null) return '—';
  const text = numberFormat(locale).format(Math.abs(n));
  return n > 0 ? `+${text}` : n < 0 ? `−${text}` : '0';
}

/** One account's last value of each UTC day (day numbers ascending), per series and metric. */
type Daily = { days: number[]; values: number[] };
const dailyOf = new WeakMap<SnapshotPoint[], Partial<Record<Metric, Daily>>>();
function daily(points: SnapshotPoint[], metric: Metric): Daily {
  let byMetric = dailyOf.get(points);
  if (!byMetric) {
    byMetric = {};
    dailyOf.set(points, byMetric);
  }
  let d = byMetric[metric];
  if (!d) {
    const at = times(points);
    const last = new Map<number, number>();
    points.forEach((p, i) => {
      const v = metricOf(p, metric);
      if (v !== null) last.set(Math.floor(at[i] / DAY_MS), v);
    });
    const days = [...last.keys()].sort((a, b) => a - b);
    d = { days, values: days.map((k) => last.get(k) as number) };
    byMetric[metric] = d;
  }
  return d;
}

/**
 * Several accounts on one daily axis (UTC days): each account's last value of each day, `null`
 * on days it has none. With `total`, a first line sums them, only on days every account has a
 * value (a sum missing an account would look like a fall).
 */
export function alignDaily(list: AccountSeries[], metric: Metric, total = false): Columns {
  const each = list.map((s) => daily(s.points, metric));
  let lo = Infinity;
  let hi = -Infinity;
  for (const d of each) {
    if (d.days.length === 0) continue;
    lo = Math.min(lo, d.days[0]);
    hi = Math.max(hi, d.days[d.days.length - 1]);
  }
  // Every day any account has, in order: marked on the span, then numbered.
  const span = lo <= hi ? hi - lo + 1 : 0;
  const slot = new Int32Array(span).fill(-1);
  for (const d of each) for (const k of d.days) slot[k - lo] = 0;
  const xs: number[] = [];
  for (let k = 0; k < span; k++) {
    if (slot[k] === 0) {
      slot[k] = xs.length;
      xs.push(((lo + k) * DAY_MS) / 1000);
    }
  }
  const lines = each.map((d) => {
    const line: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (let j = 0; j < d.days.length; j++) line[slot[d.days[j] - lo]] = d.values[j];
    return line;
  });
  if (!total) return [xs, ...lines];
  const sum = xs.map((_, i) => {
    let s = 0;
    for (const l of lines) {
      const v = l[i];
      if (v === null) return null;
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

/** 2.14 → "2.1", 0.5 → "0.5", 12 → "12": a ratio's number, without its "×". */
export function ratioNumber(r: number): string {
  return String(r >= 10 ? Math.round(r) : Math.round(r * 10) / 10);
}

/** 2.14 → "2.1×", 0.5 → "0.5×", 12 → "12×". */
export function ratioText(r: number): string {
  return `${ratioNumber(r)}×`;
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

const weekdayNames = new Map<string, string>();

/** "Monday" … "Sunday" (0 = Monday) in the reader's language (each built once: the heatmap
 * names a weekday in each of its 168 cells). */
export function weekdayName(weekday: number, style: 'long' | 'short' = 'long', locale?: string) {
  const key = `${weekday} ${style} ${locale ?? ''}`;
  let name = weekdayNames.get(key);
  if (name === undefined) {
    // 2024-01-01 was a Monday.
    const d = new Date(Date.UTC(2024, 0, 1 + weekday, 12));
    name = d.toLocaleDateString(locale, { weekday: style, timeZone: 'UTC' });
    weekdayNames.set(key, name);
  }
  return name;
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
