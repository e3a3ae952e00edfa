/**
 * Pure rules of the Calendar page: posts per day and hour, moving the period shown, and the
 * wall-clock time a dragged post lands on.
 */
import { addDays, type CalendarItem } from './posts';

/** Posts per local day (`YYYY-MM-DD`), each day's posts by time. */
export function groupByDay(items: readonly CalendarItem[]): Record<string, CalendarItem[]> {
  const map: Record<string, CalendarItem[]> = {};
  for (const it of items) (map[it.local.slice(0, 10)] ??= []).push(it);
  for (const list of Object.values(map)) list.sort((a, b) => a.local.localeCompare(b.local));
  return map;
}

/** The posts of one day that start in `hour` (0–23). */
export function inHour(day: readonly CalendarItem[] | undefined, hour: number): CalendarItem[] {
  return (day ?? []).filter((it) => Number(it.local.slice(11, 13)) === hour);
}

/** The first day of the week (starting on `weekStart`, 0 = Sunday … 6 = Saturday) of `key`. */
export function weekStartOf(key: string, weekStart = 1): string {
  const [y, m, d] = key.split('-').map(Number);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return addDays(key, -((dow - weekStart + 7) % 7));
}

/** The seven days (`YYYY-MM-DD`) of the week containing `anchor` (Monday-based by default). */
export function weekDaysOf(anchor: string, weekStart = 1): string[] {
  const first = weekStartOf(anchor, weekStart);
  return Array.from({ length: 7 }, (_, i) => addDays(first, i));
}

/** The calendar's views: a month grid, a week of hours, a list of the month's posts by day. */
export type CalendarView = 'month' | 'week' | 'agenda';

/** The anchor day after moving `step` weeks (week view) or months (month and agenda). */
export function movedAnchor(
  view: CalendarView,
  anchor: string,
  step: number,
  weekStart = 1,
): string {
  if (view === 'week') return addDays(weekStartOf(anchor, weekStart), 7 * step);
  const year = Number(anchor.slice(0, 4));
  const month = Number(anchor.slice(5, 7));
  return new Date(Date.UTC(year, month - 1 + step, 1)).toISOString().slice(0, 10);
}

/** Where a drag ends: a day (month view) or a day and hour (week view). */
export type DropTarget = { date: string; hour: number | null };

/**
 * The wall-clock time a post dropped on `target` gets: the day changes, the hour only in the
 * week view, the minutes never.
 */
export function droppedLocal(local: string, target: DropTarget): string {
  const time = local.slice(11, 16);
  const hhmm =
    target.hour === null ? time : `${String(target.hour).padStart(2, '0')}:${time.slice(3, 5)}`;
  return `${target.date}T${hhmm}`;
}

/** Chips a month cell shows before "+N more": a few, so a busy month fits one screen. */
export const MONTH_CHIPS = 3;

/**
 * What a month cell shows of a day: its first `max` posts (of those the engine listed) and how
 * many more there are (`count` is the day's whole number of posts). A day of exactly `max`
 * posts shows them all.
 */
export function dayChips(
  listed: readonly CalendarItem[] | undefined,
  count: number | undefined,
  max = MONTH_CHIPS,
): { shown: readonly CalendarItem[]; more: number } {
  const all = listed ?? [];
  const total = Math.max(count ?? 0, all.length);
  const shown = total <= max ? all : all.slice(0, max - 1);
  return { shown, more: total - shown.length };
}

/** A post's state as the calendar draws it: an icon, its words and how loud it is. */
export type ChipStatus = {
  icon: 'clock' | 'check' | 'upload' | 'alert' | 'close' | 'pause' | 'missed' | 'edit';
  label: string;
  tone: 'quiet' | 'ok' | 'warn' | 'danger' | 'paused';
};

/** The icon and words of a post's state; what needs the creator stands out. */
export function chipStatus(
  item: Pick<CalendarItem, 'status' | 'paused' | 'needsAttention'>,
): ChipStatus {
  if (item.needsAttention || item.status === 'needs_attention')
    return { icon: 'alert', label: 'Needs attention', tone: 'warn' };
  if (item.status === 'failed') return { icon: 'close', label: 'Failed', tone: 'danger' };
  if (item.status === 'missed') return { icon: 'missed', label: 'Missed', tone: 'danger' };
  if (item.paused) return { icon: 'pause', label: 'Paused', tone: 'paused' };
  switch (item.status) {
    case 'published':
      return { icon: 'check', label: 'Published', tone: 'ok' };
    case 'queued':
      return { icon: 'upload', label: 'Queued', tone: 'quiet' };
    case 'publishing':
      return { icon: 'upload', label: 'Publishing', tone: 'ok' };
    case 'draft':
      return { icon: 'edit', label: 'Draft', tone: 'quiet' };
    default:
      return { icon: 'clock', label: 'Scheduled', tone: 'quiet' };
  }
}

/** The agenda: days (`YYYY-MM-DD`, in order) with their posts by time; empty days left out. */
export function agendaDays(
  items: readonly CalendarItem[],
  from = '',
): { date: string; items: CalendarItem[] }[] {
  const byDay = groupByDay(items.filter((it) => it.local.slice(0, 10) >= from));
  return Object.keys(byDay)
    .sort()
    .map((date) => ({ date, items: byDay[date] }));
}

/**
 * Where the week view's "now" line is: today's column, and how far down the day (0 to 1) the
 * current time `nowLocal` (`YYYY-MM-DDTHH:MM`, the calendar's zone) is.
 */
export function nowLine(nowLocal: string): { date: string; hour: number; fraction: number } {
  const hour = Number(nowLocal.slice(11, 13));
  const minute = Number(nowLocal.slice(14, 16));
  return { date: nowLocal.slice(0, 10), hour, fraction: (hour * 60 + minute) / (24 * 60) };
}
