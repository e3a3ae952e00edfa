/**
 * Bulk planning on the Drafts page: where "Schedule into slots" would put each draft (a preview,
 * nothing committed), the commit with one Undo for the whole batch, "Add to queue" for one
 * draft, and batch edits. The engine decides everything (`preview_slot_schedule`,
 * `commit_slot_schedule`, `undo_slot_schedule`, `add_to_queue`, `batch_edit`); this file says
 * it in plain words.
 */
import {
  commands,
  type BatchEdit,
  type BatchEditItem,
  type PlanItem,
  type SlotCommit,
  type SlotPlan,
  type UndoEntry,
} from './bindings';
import { localText } from './format';
import { attempt, type Result } from './ipc';
import { toasts } from './toasts.svelte';
import { UNDO_MS } from './trash';
import { zoneName } from './zones';

/** "Tue 8 Dec, 09:00 London" for a placed item; its reason in words otherwise. */
export function planLine(item: PlanItem, locale?: string, now: number = Date.now()): string {
  if (item.local && item.zone && item.at) {
    return `${localText(item.local, locale, now)} ${zoneName(item.zone, new Date(item.at))}`;
  }
  return item.message ?? 'Cannot be placed.';
}

/** "3 of 4 drafts fit into free slots" (or why none do). */
export function planSummary(plan: SlotPlan): string {
  const total = plan.items.length;
  if (plan.placed === 0)
    return total === 1 ? 'This draft fits no free slot.' : 'None of these drafts fits a free slot.';
  if (plan.placed === total)
    return total === 1
      ? 'The draft fits into a free slot.'
      : `All ${total} drafts fit into free slots.`;
  return `${plan.placed} of ${total} drafts fit into free slots; the others stay drafts.`;
}

export function preview(postIds: number[]): Promise<Result<SlotPlan>> {
  return attempt(() => commands.previewSlotSchedule(postIds));
}

/** Schedules the placed items of `plan`; toasts the result with one Undo for all of them. */
export async function commitPlan(plan: SlotPlan, changed: () => void): Promise<SlotCommit | null> {
  const planned = plan.items
    .filter((i) => i.atMs !== null && i.problem === null)
    .map((i) => ({ postId: i.postId, atMs: i.atMs!, updatedAt: i.updatedAt }));
  if (planned.length === 0) return null;
  const r = await attempt(() => commands.commitSlotSchedule(planned));
  if (!r.ok) {
    toasts.fromError(r.error);
    return null;
  }
  announce(r.value, changed);
  changed();
  return r.value;
}

/** Puts one draft into its account's next free slot, with Undo. */
export async function addToQueue(postId: number, changed: () => void): Promise<boolean> {
  const r = await attempt(() => commands.addToQueue(postId));
  if (!r.ok) {
    toasts.fromError(r.error);
    return false;
  }
  announce(r.value, changed);
  changed();
  return r.value.scheduled.length > 0;
}

function announce(done: SlotCommit, changed: () => void) {
  const n = done.scheduled.length;
  if (n === 0) {
    const why = done.refused[0]?.message;
    toasts.warning(why ?? 'Nothing was scheduled: the slots are taken.');
    return;
  }
  const first = done.scheduled[0];
  const text =
    n === 1
      ? `Scheduled for ${planLine(first)}.`
      : `${n} posts scheduled into their accounts' slots.`;
  const refused = done.refused.length;
  toasts.success(refused > 0 ? `${text} ${refused} changed meanwhile and stayed drafts.` : text, {
    timeout: UNDO_MS,
    action: { label: 'Undo', run: () => void undo(done.undo, changed) },
  });
}

/** One Undo for the whole batch: back to drafts, except posts that moved on meanwhile. */
export async function undo(entries: UndoEntry[], changed: () => void): Promise<void> {
  const r = await attempt(() => commands.undoSlotSchedule(entries));
  if (!r.ok) {
    toasts.fromError(r.error);
    return;
  }
  const { undone, kept } = r.value;
  if (kept.length === 0) {
    toasts.info(undone.length === 1 ? 'Back to drafts.' : `${undone.length} posts back to drafts.`);
  } else {
    toasts.warning(
      `${undone.length} back to drafts; ${kept.length} left as ${kept.length === 1 ? 'it is' : 'they are'}: ${kept[0].message}`,
    );
  }
  changed();
}

/** The edit to send: only what the person chose to change. */
export interface BatchForm {
  captionTemplate: string;
  hashtags: string;
  /** '' keeps each draft's own. */
  privacyLevel: string;
  /** 'keep' | 'on' | 'off' per interaction. */
  comment: Tri;
  duet: Tri;
  stitch: Tri;
}
export type Tri = 'keep' | 'on' | 'off';

export const EMPTY_FORM: BatchForm = {
  captionTemplate: '',
  hashtags: '',
  privacyLevel: '',
  comment: 'keep',
  duet: 'keep',
  stitch: 'keep',
};

const tri = (t: Tri): boolean | null => (t === 'keep' ? null : t === 'on');

export function toBatchEdit(f: BatchForm): BatchEdit {
  return {
    captionTemplate: f.captionTemplate.trim() ? f.captionTemplate : null,
    hashtags: f.hashtags.trim() ? f.hashtags.trim() : null,
    privacyLevel: f.privacyLevel || null,
    allowComment: tri(f.comment),
    allowDuet: tri(f.duet),
    allowStitch: tri(f.stitch),
  };
}

export function formChangesSomething(f: BatchForm): boolean {
  const e = toBatchEdit(f);
  return Object.values(e).some((v) => v !== null);
}

/** "5 drafts updated; 1 kept its privacy (…)". */
export function batchSummary(items: BatchEditItem[]): string {
  const saved = items.filter((i) => i.saved).length;
  const withConflicts = items.filter((i) => i.conflicts.length > 0).length;
  let text = saved === 1 ? '1 draft updated.' : `${saved} drafts updated.`;
  if (saved < items.length) text += ` ${items.length - saved} could not be changed.`;
  if (withConflicts > 0)
    text += ` ${withConflicts} kept some settings their account does not allow.`;
  return text;
}
