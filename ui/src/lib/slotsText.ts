/**
 * Posting slots, budgets and planning settings in plain words: slots grouped by time, weekday
 * labels, free-slot previews, the settings' checks and the budget bars (issue #15). Pure
 * helpers; the components under `components/planning/` call the commands.
 */
import type { AccountBudget, FreeSlot, PlanningSettings, PostingSlot } from './bindings';

export type {
  AccountBudget,
  AccountSlots,
  CaptionCheck,
  CaptionPreset,
  CsvImportReport,
  FreeSlot,
  PlanningSettings,
  PostingSlot,
  PresetKind,
  SlotInput,
} from './bindings';

/** 0 = Monday … 6 = Sunday, as the engine numbers them. */
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export const WEEKDAY_NAMES = [
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
] as const;
export const WORKDAYS = [0, 1, 2, 3, 4];
export const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

/** One time of day and the weekdays it recurs on (the slots' ids, to remove one day). */
export type SlotGroup = { time: string; days: { weekday: number; id: number }[] };

/** Slots grouped by time of day, earliest first, each group's days in week order. */
export function groupSlots(slots: PostingSlot[]): SlotGroup[] {
  const byTime = new Map<string, SlotGroup>();
  for (const s of slots) {
    const g = byTime.get(s.time) ?? { time: s.time, days: [] };
    g.days.push({ weekday: s.weekday, id: s.id });
    byTime.set(s.time, g);
  }
  const groups = [...byTime.values()].sort((a, b) => a.time.localeCompare(b.time));
  for (const g of groups) g.days.sort((a, b) => a.weekday - b.weekday);
  return groups;
}

/** "Every day", "Weekdays", "Weekends", "Mon–Wed" or "Mon, Wed, Fri". */
export function daysLabel(weekdays: number[]): string {
  const days = [...new Set(weekdays)].sort((a, b) => a - b);
  const key = days.join(',');
  if (key === EVERY_DAY.join(',')) return 'Every day';
  if (key === WORKDAYS.join(',')) return 'Weekdays';
  if (key === '5,6') return 'Weekends';
  if (days.length === 1) return WEEKDAY_NAMES[days[0]];
  const consecutive = days.every((d, i) => i === 0 || d === days[i - 1] + 1);
  if (consecutive && days.length > 2) {
    return `${WEEKDAYS[days[0]]}–${WEEKDAYS[days[days.length - 1]]}`;
  }
  return days.map((d) => WEEKDAYS[d]).join(', ');
}

/** `HH:MM`, 24-hour, as the engine takes it (null when not a time of day). */
export function normalTime(text: string): string | null {
  const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/** The weekday (0 = Monday) of a `YYYY-MM-DD…` local date. */
function weekdayOf(local: string): number {
  const [y, m, d] = local.slice(0, 10).split('-').map(Number);
  return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
}

/** "Tue 09:00" for a free slot (its wall-clock time in the account's zone). */
export function freeSlotText(slot: FreeSlot): string {
  return `${WEEKDAYS[weekdayOf(slot.local)]} ${slot.local.slice(11, 16)}`;
}

/** "Tuesday 2 December 2026, 09:00 (Europe/London)": the full time, for a tooltip. */
export function freeSlotTitle(slot: FreeSlot): string {
  const [y, m, d] = slot.local.slice(0, 10).split('-').map(Number);
  const month = new Date(Date.UTC(y, m - 1, d)).toLocaleString('en-GB', {
    month: 'long',
    timeZone: 'UTC',
  });
  return `${WEEKDAY_NAMES[weekdayOf(slot.local)]} ${d} ${month} ${y}, ${slot.local.slice(11, 16)} (${slot.zone})`;
}

/** The longest gap or stagger the settings take (a week, in minutes). */
export const MAX_PLANNING_MINUTES = 7 * 24 * 60;

/** What is wrong with a gap or stagger typed in minutes, in plain words (null: fine). */
export function minutesProblem(text: string, what: string): string | null {
  if (text.trim() === '') return `Enter the ${what} in minutes (0 or more).`;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) return `The ${what} is a whole number of minutes, 0 or more.`;
  if (n > MAX_PLANNING_MINUTES) return `The ${what} can be at most a week (10,080 minutes).`;
  return null;
}

/** The settings as typed, or null while any field is invalid. */
export function parseSettings(gap: string, stagger: string): PlanningSettings | null {
  if (minutesProblem(gap, 'gap') || minutesProblem(stagger, 'stagger')) return null;
  return { minGapMinutes: Number(gap), staggerMinutes: Number(stagger) };
}

/** "1 h 30 min", "45 min", "no gap". */
export function minutesText(minutes: number): string {
  if (minutes <= 0) return 'none';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** How full a cap is: 0…1 for the bar, and its tone. */
export function capUse(used: number, cap: number): { ratio: number; tone: 'ok' | 'near' | 'full' } {
  if (cap <= 0) return { ratio: 1, tone: 'full' };
  const ratio = Math.min(1, used / cap);
  const tone = used >= cap ? 'full' : ratio >= 0.8 ? 'near' : 'ok';
  return { ratio, tone };
}

/** "Public", "Private" or "Not known yet". */
export function privacyText(b: AccountBudget): string {
  if (b.isPrivate === null) return 'Not known yet';
  return b.isPrivate ? 'Private (posts can only be “Only me”)' : 'Public';
}

/** "Signs in for 42 more days", "Sign-in has expired", or null when not known. */
export function signInText(days: number | null): string | null {
  if (days === null) return null;
  if (days <= 0) return 'Sign-in has expired';
  return days === 1 ? 'Sign-in: 1 day left' : `Sign-in: ${days} days left`;
}

/** The last publish in plain words. */
export function lastPublishText(b: AccountBudget): string {
  const last = b.lastPublish;
  if (!last) return 'Nothing published yet';
  switch (last.state) {
    case 'published':
      return 'Last post published';
    case 'failed':
      return last.message ? `Last post failed: ${last.message}` : 'Last post failed';
    default:
      return last.message
        ? `Last post needs attention: ${last.message}`
        : 'Last post needs attention';
  }
}

/** "12 posts scheduled", "1 post scheduled". */
export function createdText(n: number): string {
  return n === 1 ? '1 post scheduled' : `${n} posts scheduled`;
}
