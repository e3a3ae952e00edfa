/**
 * The fake backend's `calendar_days` (a week starting on any day, one day's whole list, a month
 * of the agenda) over the same calendar items as the rest of `mockBackend`: like the engine,
 * every post of the days asked for, none held back, with each day's count.
 */
import type { InvokeArgs } from '@tauri-apps/api/core';
import type { CalendarItem, CalendarRange } from '../lib/bindings';
import { addDays } from '../lib/posts';

type Handler = (args: InvokeArgs | undefined) => unknown;

export function calendarHandlers(items: CalendarItem[]): Record<string, Handler> {
  return {
    calendar_days: (args): CalendarRange => {
      const { from, days, zone, accountId } = args as {
        from: string;
        days: number;
        zone: string;
        accountId: number | null;
      };
      if (days < 1 || days > 42) throw { code: 'invalid_input', message: `Ask for 1 to 42 days.` };
      const end = addDays(from, days);
      const listed = items
        .filter((x) => {
          const k = x.local.slice(0, 10);
          return k >= from && k < end && (accountId == null || x.accountId === accountId);
        })
        .sort((a, b) => a.local.localeCompare(b.local));
      return {
        zone,
        start: `${from}T00:00:00Z`,
        end: `${end}T00:00:00Z`,
        items: listed,
        days: Array.from({ length: days }, (_, i) => {
          const date = addDays(from, i);
          return { date, count: listed.filter((x) => x.local.startsWith(date)).length };
        }),
        perDayLimit: null,
      };
    },
  };
}
