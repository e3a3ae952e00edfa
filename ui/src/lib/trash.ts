/**
 * Trash in the UI: Delete and Cancel move a post to Trash (kept 30 days) and toast an Undo
 * that gives it back exactly as it was; the Trash page's words. The engine decides what comes
 * back how (`undo_trash`, `restore_post`); this file only says it.
 */
import { commands, type PostStatus, type RestoreOutcome, type TrashItem } from './bindings';
import { localText } from './format';
import { attempt } from './ipc';
import { zoneName } from './zones';
import { toasts } from './toasts.svelte';

export type TrashVerb = 'delete' | 'cancel';

/** How long Undo stays offered (ms): long enough to notice a misclick. */
export const UNDO_MS = 10_000;

export const KEEP_DAYS = 30;

const MOVED: Record<TrashVerb, string> = {
  delete: 'Post deleted. It stays in Trash for 30 days.',
  cancel: 'Post cancelled. It is in Trash for 30 days (it will not be posted).',
};

export interface TrashOptions {
  /** Reload what the page shows (runs after the move and after an Undo). */
  changed?: () => void;
  /** The post came back (the composer shows it again). */
  restored?: (outcome: RestoreOutcome) => void;
}

/**
 * Delete or Cancel a post, then offer Undo. Answers whether the post went to Trash (a refusal
 * is toasted with the engine's reason).
 */
export async function moveToTrash(
  verb: TrashVerb,
  id: number,
  opts: TrashOptions = {},
): Promise<boolean> {
  const r = await attempt<unknown>(() =>
    verb === 'delete' ? commands.deletePost(id) : commands.cancelPost(id),
  );
  if (!r.ok) {
    toasts.fromError(r.error);
    return false;
  }
  toasts.info(MOVED[verb], {
    timeout: UNDO_MS,
    action: { label: 'Undo', run: () => void undoTrash(id, opts) },
  });
  opts.changed?.();
  return true;
}

/** Undo of a Delete or Cancel: the post as it was, or a draft and why. */
export async function undoTrash(id: number, opts: TrashOptions = {}): Promise<boolean> {
  const r = await attempt(() => commands.undoTrash(id));
  if (!r.ok) {
    toasts.fromError(r.error);
    return false;
  }
  announce(r.value);
  opts.changed?.();
  opts.restored?.(r.value);
  return true;
}

/** The Trash page's Restore: back as a draft (a published post stays published). */
export async function restoreFromTrash(id: number): Promise<RestoreOutcome | null> {
  const r = await attempt(() => commands.restorePost(id));
  if (!r.ok) {
    toasts.fromError(r.error);
    return null;
  }
  announce(r.value);
  return r.value;
}

function announce(o: RestoreOutcome): void {
  const text = restoredText(o.post.status);
  if (o.note) toasts.warning(`${text} ${o.note}`);
  else toasts.success(text);
}

export function restoredText(status: PostStatus): string {
  switch (status) {
    case 'scheduled':
      return 'Restored: it is scheduled again at its time.';
    case 'draft':
      return 'Restored as a draft.';
    case 'published':
      return 'Restored: it is back with your published posts.';
    default:
      return 'Restored.';
  }
}

/** "Deleted for good in 29 days" (when it leaves Trash). */
export function goesAwayText(daysLeft: number): string {
  if (daysLeft <= 0) return 'Deleted for good today';
  if (daysLeft === 1) return 'Deleted for good tomorrow';
  return `Deleted for good in ${daysLeft} days`;
}

const WAS: Partial<Record<PostStatus, string>> = {
  draft: 'a draft',
  scheduled: 'scheduled',
  queued: 'about to be published',
  needs_attention: 'waiting for you',
  published: 'published',
  failed: 'failed',
  missed: 'missed',
};

/** "Deleted (it was scheduled)" / "Cancelled (it was a draft)". */
export function trashedText(item: Pick<TrashItem, 'deleted' | 'was'>): string {
  const verb = item.deleted ? 'Deleted' : 'Cancelled';
  const was = WAS[item.was];
  return was ? `${verb} (it was ${was})` : verb;
}

/** The time it had, in its own zone, as the app's time rule writes it: "Thu, Dec 3, 9:00 AM (New York)". */
export function hadTimeText(item: Pick<TrashItem, 'postLocal' | 'postZone'>): string | null {
  if (!item.postLocal) return null;
  const when = localText(item.postLocal);
  return item.postZone ? `${when} (${zoneName(item.postZone)})` : when;
}
