/**
 * A draft dropped on the calendar: the wall-clock time it gets, and scheduling it through the
 * engine (the same `schedule_post` and checks as the composer's Schedule button) with an Undo
 * that takes it back to the drafts.
 */
import { commands, type When } from './bindings';
import type { DropTarget } from './calendarView';
import { draftTitle, type DraftItem } from './drafts';
import { attempt } from './ipc';
import { toasts } from './toasts.svelte';

/**
 * The hour a draft dropped on a month day is scheduled at when nothing says otherwise: the
 * morning slot creators schedule most, and the same for every account, so a drop always does
 * what the last one did.
 */
export const DEFAULT_DROP_HOUR = 9;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * Where a dropped draft lands (`YYYY-MM-DDTHH:MM` in the calendar's zone): a week slot gives
 * its hour; a month day gives 09:00, or on today once 09:00 is past, the next whole hour.
 * `nowLocal` is the current time in the calendar's zone.
 */
export function dropLocal(target: DropTarget, nowLocal: string): string {
  if (target.hour !== null) return `${target.date}T${two(target.hour)}:00`;
  let hour = DEFAULT_DROP_HOUR;
  if (target.date === nowLocal.slice(0, 10)) {
    const next = Number(nowLocal.slice(11, 13)) + 1;
    if (next > hour) hour = Math.min(next, 23);
  }
  return `${target.date}T${two(hour)}:00`;
}

/** "2026-03-10T09:00" → "2026-03-10 09:00". */
export const shownLocal = (local: string) => local.replace('T', ' ');

/**
 * Schedules `draft` at `local` in `zone`; says how it went in a toast (Undo on success, Open
 * draft when it cannot be scheduled, with the engine's reason). `changed` runs after anything
 * changed; `open` opens the draft in the composer. Answers whether it was scheduled.
 */
export async function scheduleDropped(
  draft: DraftItem,
  local: string,
  zone: string,
  { changed, open }: { changed: () => void; open: (id: number) => void },
): Promise<boolean> {
  const when: When = { kind: 'at', local, zone, dst: null };
  const title = draftTitle(draft);
  const r = await attempt(() => commands.schedulePost(draft.id, when));
  if (!r.ok) {
    toasts.error(`Couldn't schedule “${title}”: ${r.error.message}`, {
      code: r.error.code,
      action: { label: 'Open draft', run: () => open(draft.id) },
    });
    return false;
  }
  for (const w of r.value.warnings) toasts.warning(w.message);
  toasts.success(`Scheduled “${title}” for ${shownLocal(local)}`, {
    timeout: 10_000,
    action: { label: 'Undo', run: () => void unschedule(draft, changed) },
  });
  changed();
  return true;
}

async function unschedule(draft: DraftItem, changed: () => void) {
  const r = await attempt(() => commands.unschedulePost(draft.id));
  if (!r.ok) toasts.error(`Couldn't undo: ${r.error.message}`, { code: r.error.code });
  else toasts.info(`“${draftTitle(draft)}” is back in your drafts`);
  changed();
}
