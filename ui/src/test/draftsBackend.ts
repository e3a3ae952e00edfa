/**
 * The fake backend's drafts library (`list_drafts`, `unschedule_post`), over the same posts and
 * accounts as the rest of `mockBackend`: like the engine, every draft (and every post needing
 * attention without a time), newest first, whatever page made it.
 */
import type { InvokeArgs } from '@tauri-apps/api/core';
import type {
  AccountDto,
  DraftAccount,
  DraftItem,
  DraftList,
  DraftProblem,
  DraftQuery,
  PostDto,
} from '../lib/bindings';

type Handler = (args: InvokeArgs | undefined) => unknown;

const unscheduled = (p: PostDto) =>
  p.status === 'draft' || (p.status === 'needs_attention' && p.scheduledAt === null);

export function draftItem(p: PostDto, problems: DraftProblem[] = []): DraftItem {
  return {
    id: p.id,
    accountId: p.accountId,
    status: p.status,
    mode: p.mode,
    caption: p.caption,
    mediaPath: p.mediaPath,
    fileName: p.mediaPath.split('/').pop() ?? p.mediaPath,
    durationMs: p.media.durationMs,
    thumbnailPath: p.thumbnailPath,
    privacyLevel: p.privacyLevel,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    problems,
  };
}

/** `problems`: what each draft (by id) is listed with; none by default. */
export function draftHandlers(
  posts: PostDto[],
  accounts: AccountDto[],
  problems: Record<number, DraftProblem[]>,
): Record<string, Handler> {
  const account = (id: number, n: number): DraftAccount => {
    const a = accounts.find((x) => x.id === id);
    return {
      id,
      title: a?.title ?? `Account ${id}`,
      handle: a?.handle ?? '',
      label: a?.label ?? '',
      avatar: a?.avatar ?? null,
      status: a?.status ?? 'disconnected',
      removed: !a || a.removedAt !== null,
      drafts: n,
    };
  };
  return {
    list_drafts: (args): DraftList => {
      const q = (args as { query: DraftQuery }).query;
      const all = posts.filter(unscheduled).sort((a, b) => b.id - a.id);
      const per = new Map<number, number>();
      for (const p of all) per.set(p.accountId, (per.get(p.accountId) ?? 0) + 1);
      return {
        items: all
          .filter((p) => q.accountId == null || p.accountId === q.accountId)
          .map((p) => draftItem(p, problems[p.id])),
        accounts: [...per].map(([id, n]) => account(id, n)),
        total: all.length,
      };
    },
    unschedule_post: (args) => {
      const id = (args as { postId: number }).postId;
      const i = posts.findIndex((p) => p.id === id);
      if (i < 0 || posts[i].status !== 'scheduled')
        throw { code: 'conflict', message: 'Only a scheduled post can go back to the drafts.' };
      posts[i] = {
        ...posts[i],
        status: 'draft',
        scheduledAt: null,
        scheduleZone: null,
        scheduleLocal: null,
        scheduleLocalChosen: null,
        consentAt: null,
      };
      return posts[i];
    },
  };
}
