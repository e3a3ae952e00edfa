/**
 * Pure rules of the Calendar page: posts per day and hour, moving the period shown, and the
 * wall-clock time a dragged post lands on.
 */
import { addDays, mondayOf, type CalendarItem } from './posts';

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

/** The seven days (`YYYY-MM-DD`) of the Monday-based week containing `anchor`. */
export function weekDaysOf(anchor: string): string[] {
  const monday = mondayOf(anchor);
  return Array.from({ length: 7 }, (_, i) => addDays(monday, i));
}

/** The anchor day after moving `step` weeks or months from `anchor`. */
export function movedAnchor(view: 'month' | 'week', anchor: string, step: number): string {
  if (view === 'week') return addDays(mondayOf(anchor), 7 * step);
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
