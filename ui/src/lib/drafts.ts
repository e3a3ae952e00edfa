/**
 * The drafts library: every unscheduled post in SQLite (the engine's `list_drafts`), shared by
 * the Drafts page, Compose's list of drafts and the calendar's Drafts panel. Pure helpers plus
 * the one loader, so the three read the same list the same way.
 */
import {
  commands,
  type DraftAccount,
  type DraftItem,
  type DraftList,
  type DraftProblem,
  type PostDto,
  type PostStatus,
} from './bindings';
import { attempt, type Result } from './ipc';

export type { DraftAccount, DraftItem, DraftList, DraftProblem };

export const EMPTY_DRAFTS: DraftList = { items: [], accounts: [], total: 0 };

/** Every draft, or one account's (the accounts and the total always cover all). */
export function loadDrafts(accountId: number | null = null): Promise<Result<DraftList>> {
  return attempt(() => commands.listDrafts({ accountId }));
}

/** What a draft is called: its caption's start, else its video's file name. */
export function draftTitle(d: Pick<DraftItem, 'caption' | 'fileName'>): string {
  return d.caption.trim() || d.fileName;
}

export function accountOf(list: DraftList, id: number): DraftAccount | null {
  return list.accounts.find((a) => a.id === id) ?? null;
}

/** An account as the filter names it: "Travel (@leo) · 3", "(removed)" when it is gone. */
export function accountOption(a: DraftAccount): string {
  const handle = a.handle && a.handle !== a.title ? ` (${a.handle})` : '';
  return `${a.title}${handle}${a.removed ? ' — removed' : ''} · ${a.drafts}`;
}

/** The filter's choice, kept only while that account still has drafts. */
export function validFilter(list: DraftList, filter: number | null): number | null {
  return filter !== null && list.accounts.some((a) => a.id === filter) ? filter : null;
}

/** Can be scheduled as far as Tokdeck knows without asking TikTok. */
export function ready(d: DraftItem): boolean {
  return d.problems.length === 0;
}

/** "1 draft", "3 drafts". */
export function draftCount(n: number): string {
  return n === 1 ? '1 draft' : `${n} drafts`;
}

/** One line of Compose's list: a draft of the library or a post opened to edit. */
export type ComposeEntry = {
  id: number;
  name: string;
  status: PostStatus;
  accountId: number;
  problems: number;
};

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/**
 * Compose's list: every draft of the library (newest change first), then the posts opened
 * here that are not drafts (a scheduled post being edited, a draft just scheduled), so what is
 * open never disappears from the list.
 */
export function composeEntries(library: readonly DraftItem[], opened: readonly PostDto[]) {
  const out: ComposeEntry[] = library.map((d) => {
    const post = opened.find((p) => p.id === d.id);
    return {
      id: d.id,
      name: post ? baseName(post.mediaPath) : d.fileName,
      status: post?.status ?? d.status,
      accountId: post?.accountId ?? d.accountId,
      problems: d.problems.length,
    };
  });
  for (const p of opened) {
    if (library.some((d) => d.id === p.id)) continue;
    out.push({
      id: p.id,
      name: baseName(p.mediaPath),
      status: p.status,
      accountId: p.accountId,
      problems: 0,
    });
  }
  return out;
}

/** Words for a status in Compose's list ("needs attention", not "needs_attention"). */
export function statusWords(s: PostStatus): string {
  return s.replaceAll('_', ' ');
}
