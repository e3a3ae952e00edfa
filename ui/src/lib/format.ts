/** Small formatters (pure: unit-tested): numbers, relative times, and the one rule for showing a post's time. */
import { localInZone } from './posts';
import { offsetMinutes, zoneLabel, zoneName } from './zones';

/** 950 → "950", 12_345 → "12.3K", 1_200_000 → "1.2M"; `null` (not granted) → "—". */
export function compactNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const sign = value < 0 ? '-' : '';
  const units: [number, string][] = [
    [1e9, 'B'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [size, suffix] of units) {
    if (abs >= size) {
      const scaled = abs / size;
      // One decimal below 100 (12.3K), none above (123K); always rounded down.
      const text = scaled >= 100 ? String(Math.floor(scaled)) : trimZero(floorTo(scaled, 1));
      return `${sign}${text}${suffix}`;
    }
  }
  return `${sign}${Math.floor(abs)}`;
}

function floorTo(n: number, digits: number): string {
  const f = 10 ** digits;
  return (Math.floor(n * f + 1e-9) / f).toFixed(digits);
}

function trimZero(s: string): string {
  return s.replace(/\.0$/, '');
}

/** "just now", "5 minutes ago", "in 3 days" … relative to `now` (ms). */
export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return 'unknown';
  const diff = t - now;
  const abs = Math.abs(diff);
  const steps: [number, string][] = [
    [365 * 86_400_000, 'year'],
    [30 * 86_400_000, 'month'],
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  if (abs < 45_000) return 'just now';
  for (const [size, unit] of steps) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const words = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return diff < 0 ? `${words} ago` : `in ${words}`;
    }
  }
  return diff < 0 ? '1 minute ago' : 'in 1 minute';
}

/** Whole days (rounded up) from `now` until `iso`; negative when past. */
export function daysUntil(iso: string | null | undefined, now: number = Date.now()): number | null {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return null;
  return Math.ceil((t - now) / 86_400_000);
}

/** "Refresh token expires in 5 days" / "… within a day" / "Sign-in has expired". */
export function tokenExpiryText(iso: string | null | undefined, now: number = Date.now()): string {
  const days = daysUntil(iso, now);
  if (days === null) return 'Refresh token expires soon';
  if (days <= 0) return 'Sign-in has expired';
  if (days === 1) return 'Refresh token expires within a day';
  return `Refresh token expires in ${days} days`;
}

/** Remaining time as "9:58" (minutes:seconds), never negative. */
export function countdown(untilIso: string, now: number = Date.now()): string {
  const ms = Math.max(0, Date.parse(untilIso) - now);
  const total = Math.ceil(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** "Ana Lopez" → "AL", "@ana" → "A", "" → "?". */
export function initials(name: string): string {
  const words = name
    .replace(/^@/, '')
    .split(/[\s._-]+/)
    .filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [words[0][0]] : [words[0][0], words[words.length - 1][0]];
  return letters.join('').toUpperCase();
}

/** Local date and time for the audit log, e.g. "23 Nov 2025, 14:05:09". */
export function localDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}

// ---------------------------------------------------------------------------------------------
// The one rule for showing a post's time, everywhere (Queue, Calendar, Compose, Drafts):
// in your computer's time; a post set in another zone whose clock reads differently also
// shows its own time ("09:00 New York").

/** The rule as said on screen, e.g. under the Queue's and the Calendar's titles. */
export function timeRuleText(yours: string | null): string {
  const where = yours ? ` (${zoneLabel(yours)})` : '';
  return `Times are your computer's time${where}. A post set in another time zone also shows its own time.`;
}

/** "09:00" where clocks run 0–23, "9:00 AM" where they run 1–12 (no "09:00 AM"). */
export function hourStyle(locale?: string): '2-digit' | 'numeric' {
  const cycle = dtf('UTC', locale, { hour: 'numeric' }).resolvedOptions().hourCycle;
  return cycle === 'h11' || cycle === 'h12' ? 'numeric' : '2-digit';
}

/**
 * Formatters are kept: building one costs far more than using it, and a month of the
 * calendar formats a few hundred times with the same handful.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function dtf(zone: string, locale: string | undefined, opts: Intl.DateTimeFormatOptions) {
  const key = `${zone}|${locale ?? ''}|${JSON.stringify(opts)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, ...opts });
    formatters.set(key, f);
  }
  return f;
}

/** "14:00" (or "2:00 PM", as the locale writes times) of `iso` in `zone`. */
export function clockIn(iso: string, zone: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return dtf(zone, locale, { hour: hourStyle(locale), minute: '2-digit' }).format(d);
}

/** "Wed 2 Dec, 14:00" of `iso` in `zone`; the year only when it is not this year's. */
export function dayTimeIn(
  iso: string,
  zone: string,
  locale?: string,
  now: number = Date.now(),
): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const year = (t: number) => dtf(zone, 'en', { year: 'numeric' }).format(t);
  return dtf(zone, locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: year(d.getTime()) === year(now) ? undefined : 'numeric',
    hour: hourStyle(locale),
    minute: '2-digit',
  }).format(d);
}

function dayKey(iso: string, zone: string): string {
  return localInZone(new Date(iso), zone).slice(0, 10);
}

/** Whether a clock in `a` and one in `b` read the same at `iso` (same offset then). */
export function sameClock(iso: string, a: string, b: string): boolean {
  const d = new Date(iso);
  return a === b || offsetMinutes(a, d) === offsetMinutes(b, d);
}

export type PostTime = {
  /** In your computer's time: "Wed 2 Dec, 15:00". */
  yours: string;
  /** The post's own time when its clock reads differently: "09:00 New York" (with the day
   * when that differs: "Tue 1 Dec, 23:00 New York"); null otherwise. */
  own: string | null;
};

/** A post's time by the rule: yours, and its own when its zone's clock reads differently. */
export function postTime(
  iso: string,
  postZone: string | null | undefined,
  yours: string,
  locale?: string,
  now: number = Date.now(),
): PostTime {
  const mine = dayTimeIn(iso, yours, locale, now);
  if (!postZone || sameClock(iso, postZone, yours)) return { yours: mine, own: null };
  const sameDay = dayKey(iso, postZone) === dayKey(iso, yours);
  const when = sameDay ? clockIn(iso, postZone, locale) : dayTimeIn(iso, postZone, locale, now);
  return { yours: mine, own: `${when} ${zoneName(postZone, new Date(iso))}` };
}

/** "09:00 New York = 15:00 your time" when the zones' clocks differ; null when they agree. */
export function bothZones(
  iso: string,
  postZone: string,
  yours: string,
  locale?: string,
  now: number = Date.now(),
): string | null {
  if (!postZone || !yours || sameClock(iso, postZone, yours)) return null;
  const sameDay = dayKey(iso, postZone) === dayKey(iso, yours);
  const at = (z: string) => (sameDay ? clockIn(iso, z, locale) : dayTimeIn(iso, z, locale, now));
  return `${at(postZone)} ${zoneName(postZone, new Date(iso))} = ${at(yours)} your time`;
}

/**
 * For a view already in your time (the calendar): the post's own time when its zone's clock
 * reads differently from `yoursLocal` (`YYYY-MM-DDTHH:MM`), e.g. "09:00 New York"; else null.
 */
export function ownTime(
  iso: string,
  postZone: string | null | undefined,
  yoursLocal: string,
  locale?: string,
): string | null {
  if (!postZone) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const there = localInZone(d, postZone);
  if (there === yoursLocal) return null;
  const sameDay = there.slice(0, 10) === yoursLocal.slice(0, 10);
  const when = sameDay ? clockIn(iso, postZone, locale) : dayTimeIn(iso, postZone, locale);
  return `${when} ${zoneName(postZone, d)}`;
}

/** A wall-clock `YYYY-MM-DDTHH:MM` as people read it: "Wed 2 Dec, 14:00". */
export function localText(local: string, locale?: string, now: number = Date.now()): string {
  return dayTimeIn(`${local}:00Z`, 'UTC', locale, now) || local.replace('T', ' ');
}

/** The clock of a wall-clock `YYYY-MM-DDTHH:MM` as the locale writes it ("14:00" / "2:00 PM"). */
export function localClock(local: string, locale?: string): string {
  return clockIn(`${local}:00Z`, 'UTC', locale) || local.slice(11, 16);
}
