/**
 * Reads a date and time as a creator types it: "2 Dec 2026 09:00", "2026-12-02 9am",
 * "tomorrow 18:00", "fri 7pm", or digits only ("12022026 0900") in the locale's order. Pure:
 * it only turns text into `YYYY-MM-DD` / `HH:MM`; whether that moment exists in the zone
 * (and is not past) is the engine's call (`resolveLocalTime`).
 */

export type DateOrder = 'dmy' | 'mdy' | 'ymd';

export type Parsed = {
  /** `YYYY-MM-DD`, or null when the text names no date (keep the one set). */
  date: string | null;
  /** `HH:MM`, or null when the text names no time (keep the one set). */
  time: string | null;
};

export type ParseResult = { ok: true; value: Parsed } | { ok: false; message: string };

/** The order the locale writes numeric dates in (en-US → mdy, en-GB → dmy, sv/ja → ymd). */
export function localeDateOrder(locale?: string): DateOrder {
  const parts = new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date(2001, 10, 22));
  const order = parts
    .map((p) => p.type)
    .filter((t) => t === 'year' || t === 'month' || t === 'day')
    .map((t) => t[0])
    .join('');
  return order === 'mdy' || order === 'ymd' ? order : 'dmy';
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const pad = (n: number) => String(n).padStart(2, '0');
const key = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;

function daysIn(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function addDays(today: string, n: number): string {
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

function validDate(y: number, m: number, d: number): string | null {
  if (y < 100) y += 2000;
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return key(y, m, d);
}

/** Day and month without a year: the next time that date comes (today counts). */
function nextOccurrence(m: number, d: number, today: string): string | null {
  const y = Number(today.slice(0, 4));
  const thisYear = validDate(y, m, d);
  if (thisYear && thisYear >= today) return thisYear;
  return validDate(y + 1, m, d) ?? thisYear;
}

/** Pulls a time out of the text; answers the time and what is left. */
function takeTime(text: string): { time: string | null; rest: string } | { error: string } {
  const found: { re: RegExp; read: (m: RegExpExecArray) => [number, number] | null }[] = [
    { re: /\bnoon\b/, read: () => [12, 0] },
    { re: /\bmidnight\b/, read: () => [0, 0] },
    {
      re: /\b(\d{1,2})(?:[:.h](\d{2}))?\s*([ap])\.?m?\.?(?=\s|$)/,
      read: (m) => {
        const h = Number(m[1]);
        if (h < 1 || h > 12) return null;
        return [(h % 12) + (m[3] === 'p' ? 12 : 0), m[2] ? Number(m[2]) : 0];
      },
    },
    { re: /\b(\d{1,2})[:h](\d{2})\b/, read: (m) => [Number(m[1]), Number(m[2])] },
    { re: /\b(\d{1,2})h\b/, read: (m) => [Number(m[1]), 0] },
    // "2 Dec 2026 9.30": a dot-time only after something else, not a dotted date.
    // (No lookbehind: older WebKit cannot parse it, and the whole bundle would fail.)
    { re: /\s(\d{1,2})\.(\d{2})$/, read: (m) => [Number(m[1]), Number(m[2])] },
    // Four digits after a date: "12022026 0900", "2 Dec 2026 0930".
    { re: /\s(\d{2})(\d{2})$/, read: (m) => [Number(m[1]), Number(m[2])] },
  ];
  for (const { re, read } of found) {
    const m = re.exec(text);
    if (!m) continue;
    const hm = read(m);
    if (!hm || hm[0] > 23 || hm[1] > 59)
      return { error: `"${m[0].trim()}" is not a time of day. Try 09:00 or 9pm.` };
    const rest = (text.slice(0, m.index) + ' ' + text.slice(m.index + m[0].length)).trim();
    return { time: `${pad(hm[0])}:${pad(hm[1])}`, rest };
  }
  return { time: null, rest: text };
}

function monthOf(word: string): number | null {
  if (word.length < 3) return null;
  const i = MONTHS.findIndex((m) => word.startsWith(m));
  return i < 0 ? null : i + 1;
}

function byOrder(nums: number[], order: DateOrder): [number, number, number] {
  const [a, b, c] = nums;
  if (order === 'ymd') return [a, b, c];
  if (order === 'mdy') return [c, a, b];
  return [c, b, a];
}

/** The date in `text`: null when there is no text, undefined when it is not a real date. */
function takeDate(text: string, order: DateOrder, today: string): string | null | undefined {
  const t = text.replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
  if (!t) return null;
  return readDate(t, order, today) ?? undefined;
}

function readDate(t: string, order: DateOrder, today: string): string | null | undefined {
  if (t === 'today') return today;
  if (t === 'tomorrow' || t === 'tmrw') return addDays(today, 1);
  const wd = /^(?:next\s+)?([a-z]{3,})$/.exec(t);
  if (wd) {
    const i = WEEKDAYS.findIndex((w) => wd[1].startsWith(w));
    if (i >= 0) {
      const [y, m, d] = today.split('-').map(Number);
      const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
      return addDays(today, ((i - dow + 7) % 7) + (t.startsWith('next') ? 7 : 0));
    }
  }
  // Digits only: 8 (12022026, 20261202) or 6 (120226) in the locale's order.
  if (/^\d{8}$/.test(t) || /^\d{6}$/.test(t)) {
    const long = t.length === 8;
    const split = (s: string, sizes: number[]) => {
      let i = 0;
      return sizes.map((n) => Number(s.slice(i, (i += n))));
    };
    const y4 = long ? 4 : 2;
    const tryOrder = (o: DateOrder) =>
      o === 'ymd'
        ? validDate(...byOrder(split(t, [y4, 2, 2]), o))
        : validDate(...byOrder(split(t, [2, 2, y4]), o));
    // A year written first (20261202) reads as one whatever the locale.
    if (long && /^(19|20)/.test(t) && order !== 'ymd') return tryOrder('ymd') ?? tryOrder(order);
    return tryOrder(order);
  }
  // Numbers with separators: 2026-12-02, 12/02/2026, 2.12.2026, 2/12.
  const nums = /^(\d{1,4})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?$/.exec(t);
  if (nums) {
    const [, a, b, c] = nums;
    if (a.length === 4) return c ? validDate(Number(a), Number(b), Number(c)) : undefined;
    if (!c) {
      const [m, d] = order === 'mdy' ? [Number(a), Number(b)] : [Number(b), Number(a)];
      return nextOccurrence(m, d, today) ?? undefined;
    }
    return validDate(
      ...byOrder([Number(a), Number(b), Number(c)], order === 'ymd' ? 'dmy' : order),
    );
  }
  // A month by name: "2 Dec 2026", "Dec 2", "december 2nd, 2026", "2 dec".
  const words = t.replace(/(\d)(st|nd|rd|th)\b/g, '$1').split(' ');
  let month: number | null = null;
  const numbers: string[] = [];
  for (const w of words) {
    const m = monthOf(w);
    if (m && month === null) month = m;
    else if (/^\d{1,4}$/.test(w)) numbers.push(w);
    else if (!WEEKDAYS.some((d) => w.startsWith(d))) return undefined;
  }
  if (month === null || numbers.length === 0 || numbers.length > 2) return undefined;
  const year = numbers.find((n) => n.length === 4);
  const day = numbers.find((n) => n.length <= 2);
  if (!day) return undefined;
  if (year) return validDate(Number(year), month, Number(day));
  if (numbers.length === 2) return validDate(Number(numbers[1]), month, Number(day));
  return nextOccurrence(month, Number(day), today);
}

/**
 * Reads `text` against `today` (`YYYY-MM-DD` in the post's zone). Only what is typed is set:
 * "18:00" alone leaves the date as it was.
 */
export function parseDateTime(text: string, today: string, order: DateOrder): ParseResult {
  const t = text.trim().toLowerCase();
  if (!t) return { ok: true, value: { date: null, time: null } };
  // The whole text as a date first, so "2 Dec 2026" is never read as 20:26.
  const whole = takeDate(t, order, today);
  if (whole) return { ok: true, value: { date: whole, time: null } };
  const timed = takeTime(t);
  if ('error' in timed) return { ok: false, message: timed.error };
  const date = takeDate(timed.rest, order, today);
  if (date === undefined)
    return {
      ok: false,
      message: `Couldn't read "${text.trim()}" as a date. Try 2 Dec 2026 09:00, or tomorrow 18:00.`,
    };
  if (date === null && timed.time === null)
    return { ok: false, message: `Couldn't read "${text.trim()}". Try 2 Dec 2026 09:00.` };
  return { ok: true, value: { date, time: timed.time } };
}

/** The example shown for digits in this order ("digits work too: 02122026 = 2 Dec 2026"). */
export function digitsHint(order: DateOrder): string {
  if (order === 'mdy') return 'MMDDYYYY';
  if (order === 'ymd') return 'YYYYMMDD';
  return 'DDMMYYYY';
}
