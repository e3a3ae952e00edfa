/**
 * What a calendar chip shows of a post, worked out once per post object: the busy month
 * draws a hundred chips at every change of month, and formatting each one's times again
 * (Intl calls, a zone conversion) was a good part of the render.
 */
import { chipStatus, type ChipStatus } from './calendarView';
import { initials, localClock, ownTime } from './format';
import type { CalendarItem } from './posts';

export type ChipView = {
  /** The locale's wall clock ("9:15 AM", "09:15"). */
  time: string;
  /** The post's own time when its zone's clock reads differently ("09:00 EST"), else null. */
  own: string | null;
  caption: string;
  status: ChipStatus;
  initials: string;
  /** The tooltip and the accessible name: every part in words. */
  title: string;
  label: string;
};

// Caches nothing reads reactively: plain Maps, bounded by what a calendar can show.
/** A wall clock's text depends only on its `HH:MM`: at most 1,440 of them. */
const clocks = new Map<string, string>();
const owns = new Map<string, string | null>();
/** Posts are replaced as whole objects when they change: the same object, the same view. */
const views = new WeakMap<CalendarItem, ChipView>();

function clockOf(local: string): string {
  const hm = local.slice(11, 16);
  let c = clocks.get(hm);
  if (c === undefined) {
    c = localClock(local);
    clocks.set(hm, c);
  }
  return c;
}

function ownOf(item: CalendarItem): string | null {
  const key = `${item.scheduledAt}|${item.postZone}|${item.local}`;
  let own = owns.get(key);
  if (own === undefined) {
    if (owns.size > 5000) owns.clear();
    own = ownTime(item.scheduledAt, item.postZone, item.local);
    owns.set(key, own);
  }
  return own;
}

export function chipView(item: CalendarItem): ChipView {
  let v = views.get(item);
  if (v) return v;
  const clock = clockOf(item.local);
  const own = ownOf(item);
  const status = chipStatus(item);
  const caption = item.caption.slice(0, 80) || '(no caption)';
  const when = own ? `${clock} (${own})` : clock;
  v = {
    time: clock,
    own,
    caption,
    status,
    initials: initials(item.accountTitle),
    title: `${when} · ${item.accountTitle} · ${status.label} · ${caption}`,
    label: `${when}, ${item.accountTitle}, ${caption}, ${status.label}`,
  };
  views.set(item, v);
  return v;
}
