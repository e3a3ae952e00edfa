/** Pure date helpers for the calendar (system time zone, i.e. local `Date` fields). */

export type DayCell = {
  date: Date;
  day: number;
  /** ISO-like local key `YYYY-MM-DD` (not UTC). */
  key: string;
  isToday: boolean;
};

/** A week row: `null` pads the days before the 1st / after the last of the month. */
export type Week = (DayCell | null)[];

export function daysInMonth(year: number, month: number): number {
  return new Date(year, month + 1, 0).getDate();
}

export function localDateKey(d: Date): string {
  const mm = String(d.getMonth() + 1).padStart(2, '0');
  const dd = String(d.getDate()).padStart(2, '0');
  return `${d.getFullYear()}-${mm}-${dd}`;
}

/** First day of the week for a locale (0 = Sunday … 6 = Saturday); Monday if unknown. */
export function weekStartFor(locale?: string): number {
  try {
    const loc = new Intl.Locale(
      locale ?? Intl.DateTimeFormat().resolvedOptions().locale,
    ) as Intl.Locale & {
      getWeekInfo?: () => { firstDay: number };
      weekInfo?: { firstDay: number };
    };
    const info = loc.getWeekInfo?.() ?? loc.weekInfo;
    if (info) return info.firstDay % 7; // Intl uses 1 = Monday … 7 = Sunday
  } catch {
    // fall through
  }
  return 1;
}

/** The Week starts on setting's days (0 = Sunday … 6 = Saturday); `auto` follows the locale. */
const WEEK_START_DAYS = { monday: 1, sunday: 0, saturday: 6 } as const;

/**
 * The first day of the week (0 = Sunday … 6 = Saturday) the Week starts on setting says:
 * its day, or the locale's for `auto` (and while the settings are not loaded yet).
 */
export function resolveWeekStart(
  setting: 'auto' | 'monday' | 'sunday' | 'saturday' | null | undefined,
  locale?: string,
): number {
  return setting && setting !== 'auto' ? WEEK_START_DAYS[setting] : weekStartFor(locale);
}

/** The weeks of the month containing `today`, with today marked. */
export function monthGrid(today: Date, weekStartsOn = 1): Week[] {
  const year = today.getFullYear();
  const month = today.getMonth();
  const count = daysInMonth(year, month);
  const todayKey = localDateKey(today);
  const lead = (new Date(year, month, 1).getDay() - weekStartsOn + 7) % 7;

  const cells: (DayCell | null)[] = Array.from({ length: lead }, () => null);
  for (let day = 1; day <= count; day++) {
    const date = new Date(year, month, day);
    const key = localDateKey(date);
    cells.push({ date, day, key, isToday: key === todayKey });
  }
  while (cells.length % 7 !== 0) cells.push(null);

  const weeks: Week[] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Localised weekday names starting at `weekStartsOn`. */
export function weekdayNames(
  weekStartsOn = 1,
  locale?: string,
  style: 'short' | 'long' = 'short',
): string[] {
  const fmt = new Intl.DateTimeFormat(locale, { weekday: style });
  // 2024-01-07 was a Sunday.
  return Array.from({ length: 7 }, (_, i) =>
    fmt.format(new Date(2024, 0, 7 + ((weekStartsOn + i) % 7))),
  );
}

export function monthTitle(d: Date, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric' }).format(d);
}
