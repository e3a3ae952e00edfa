/**
 * Multi-select in the Queue and the Calendar: which posts can be chosen, Choose all and
 * Shift/Ctrl-click ranges (pure), and the batch actions — shift by days, move into slots,
 * cancel, delete — each with one Undo. The engine decides what moves (`shift_posts`,
 * `preview_slot_move`, `commit_slot_move`, `trash_posts`, `undo_bulk`); this file says it in
 * plain words.
 */
import {
  commands,
  type BulkOutcome,
  type BulkTarget,
  type BulkUndo,
  type CalendarItem,
  type SlotPlan,
} from './bindings';
import { attempt, type Result } from './ipc';
import { toasts } from './toasts.svelte';
import { UNDO_MS } from './trash';

/** Only scheduled posts can be chosen: one that started publishing or finished cannot move. */
export function choosable(it: Pick<CalendarItem, 'status'>): boolean {
  return it.status === 'scheduled';
}

/** Choose all the visible choosable posts, or none when they all are chosen already. */
export function toggleAll(visible: CalendarItem[], chosen: Set<number>): number[] {
  const ids = visible.filter(choosable).map((i) => i.id);
  const all = ids.length > 0 && ids.every((id) => chosen.has(id));
  return all ? [] : [...new Set([...chosen, ...ids])];
}

/** "Choose all" is checked when every visible choosable post is chosen. */
export function allChosen(visible: CalendarItem[], chosen: Set<number>): boolean {
  const ids = visible.filter(choosable).map((i) => i.id);
  return ids.length > 0 && ids.every((id) => chosen.has(id));
}

/**
 * What a click on a post does to the choice: a plain click (or Ctrl/⌘) toggles it, a Shift
 * click chooses every choosable post from the last one clicked (`anchor`) to this one.
 */
export function clickChoose(
  order: CalendarItem[],
  chosen: Set<number>,
  id: number,
  anchor: number | null,
  range: boolean,
): number[] {
  const next = new Set(chosen);
  const at = order.findIndex((i) => i.id === id);
  const from = anchor === null ? -1 : order.findIndex((i) => i.id === anchor);
  if (range && from >= 0 && at >= 0) {
    const [a, b] = from < at ? [from, at] : [at, from];
    for (const it of order.slice(a, b + 1)) if (choosable(it)) next.add(it.id);
    return [...next];
  }
  if (next.has(id)) next.delete(id);
  else if (at < 0 || choosable(order[at])) next.add(id);
  return [...next];
}

const posts = (n: number) => (n === 1 ? '1 post' : `${n} posts`);
const daysText = (d: number) => (Math.abs(d) === 1 ? '1 day' : `${Math.abs(d)} days`);

/** "12 posts move 3 days later". */
export function shiftLine(n: number, days: number): string {
  if (days === 0 || !Number.isFinite(days)) return 'Choose how many days to move them.';
  const verb = n === 1 ? 'moves' : 'move';
  return `${posts(n)} ${verb} ${daysText(days)} ${days > 0 ? 'later' : 'earlier'}, each at the same time of day.`;
}

/** The toast line of a batch, naming what was skipped and why. */
export function outcomeText(out: BulkOutcome, days = 0): string {
  const n = out.done.length;
  const did =
    out.action === 'shift'
      ? `${posts(n)} moved ${daysText(days)} ${days > 0 ? 'later' : 'earlier'}.`
      : out.action === 'slots'
        ? `${posts(n)} moved into free slots.`
        : out.action === 'cancel'
          ? `${posts(n)} cancelled (in Trash).`
          : `${posts(n)} deleted (in Trash).`;
  const nothing = n === 0 ? 'Nothing changed. ' : '';
  if (out.skipped.length === 0) return did;
  const first = out.skipped[0];
  const name = first.caption ? `“${first.caption.slice(0, 40)}”` : 'One post';
  const more =
    out.skipped.length > 1 ? ` (and ${out.skipped.length - 1} more left as they were)` : '';
  return `${nothing}${n > 0 ? did + ' ' : ''}${name} was left as it was: ${first.message}${more}`;
}

/** When each chosen post last changed, as the page read it (`null`: as it is now). */
export type SeenOf = (postId: number) => string | null;

/** The chosen posts as the page saw them: the engine leaves any changed since. */
export const targets = (ids: Iterable<number>, seen: SeenOf = () => null): BulkTarget[] =>
  [...ids].map((postId) => ({ postId, updatedAt: seen(postId) }));

/** Toasts a batch's result with one Undo for all of it. */
function announce(out: BulkOutcome, changed: () => void, days = 0) {
  const text = outcomeText(out, days);
  if (out.done.length === 0) {
    toasts.warning(text);
    return;
  }
  const opts = {
    timeout: UNDO_MS,
    action: { label: 'Undo', run: () => void undo(out.undo, changed) },
  };
  if (out.skipped.length > 0) toasts.warning(text, opts);
  else toasts.success(text, opts);
}

async function run(
  call: () => Promise<BulkOutcome>,
  changed: () => void,
  days = 0,
): Promise<BulkOutcome | null> {
  const r = await attempt(call);
  if (!r.ok) {
    toasts.fromError(r.error);
    return null;
  }
  announce(r.value, changed, days);
  changed();
  return r.value;
}

export const shift = (ids: Iterable<number>, days: number, changed: () => void, seen?: SeenOf) =>
  run(() => commands.shiftPosts(targets(ids, seen), days), changed, days);

export const trash = (
  ids: Iterable<number>,
  deleted: boolean,
  changed: () => void,
  seen?: SeenOf,
) => run(() => commands.trashPosts(targets(ids, seen), deleted), changed);

export function previewSlots(ids: Iterable<number>, seen?: SeenOf): Promise<Result<SlotPlan>> {
  return attempt(() => commands.previewSlotMove(targets(ids, seen)));
}

export function commitSlots(plan: SlotPlan, changed: () => void) {
  const planned = plan.items
    .filter((i) => i.atMs !== null && i.problem === null)
    .map((i) => ({ postId: i.postId, atMs: i.atMs!, updatedAt: i.updatedAt }));
  return run(() => commands.commitSlotMove(planned), changed);
}

/** One Undo for the whole batch: only posts nobody changed since go back. */
export async function undo(entries: BulkUndo[], changed: () => void): Promise<void> {
  const r = await attempt(() => commands.undoBulk(entries));
  if (!r.ok) {
    toasts.fromError(r.error);
    return;
  }
  const { undone, asDrafts, kept } = r.value;
  const back = undone.length + asDrafts.length;
  const parts = [`${posts(back)} back as ${back === 1 ? 'it was' : 'they were'}.`];
  if (asDrafts.length > 0)
    parts.push(`${posts(asDrafts.length)} came back as drafts: their time has passed.`);
  if (kept.length > 0) parts.push(`${posts(kept.length)} left as they are: ${kept[0].message}`);
  if (kept.length > 0 || asDrafts.length > 0) toasts.warning(parts.join(' '));
  else toasts.info(parts[0]);
  changed();
}
