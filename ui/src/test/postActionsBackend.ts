/**
 * Parts of the fake backend kept apart so `backend.ts` stays one readable file: Trash
 * (the engine's way out of Delete and Cancel), a publish's decisions, and the Settings page's
 * documents.
 *
 * The fake backend's Trash (`list_trash`, `undo_trash`, `restore_post`, `delete_forever`,
 * `empty_trash`) over the same posts as `mockBackend`, and the Settings page's own documents
 * (posting caps, the missed-post grace period). Tests fill `trash`; Undo answers the post
 * scheduled again, Restore a draft without a time, as the engine does.
 */
import type { InvokeArgs } from '@tauri-apps/api/core';
import type { Caps, PostDto, PublishJob, TrashItem } from '../lib/bindings';

type Handler = (args: InvokeArgs | undefined) => unknown;

export function trashHandlers(
  trash: TrashItem[],
  findPost: (id: number) => PostDto,
  putPost: (p: PostDto) => PostDto,
  postId: (args: InvokeArgs | undefined) => number,
): Record<string, Handler> {
  const drop = (id: number) => trash.splice(0, trash.length, ...trash.filter((t) => t.id !== id));
  return {
    list_trash: () => trash,
    undo_trash: (args) => ({
      post: putPost({ ...findPost(postId(args)), status: 'scheduled' }),
      note: null,
    }),
    restore_post: (args) => {
      const id = postId(args);
      drop(id);
      return { post: putPost({ ...findPost(id), status: 'draft', scheduledAt: null }), note: null };
    },
    delete_forever: (args) => {
      drop(postId(args));
      return null;
    },
    empty_trash: () => trash.splice(0).length,
  };
}

export function settingsPageHandlers(): Record<string, Handler> {
  let caps: Caps = { dailyPosts: 15, pendingInbox: 5 };
  let graceMinutes = 60;
  return {
    get_missed_grace_minutes: () => graceMinutes,
    set_missed_grace_minutes: (args) => {
      const { minutes } = args as { minutes: number };
      if (minutes > 7 * 24 * 60) {
        throw { code: 'invalid_input', message: 'The grace period can be at most a week.' };
      }
      graceMinutes = minutes;
      return graceMinutes;
    },
    get_posting_caps: () => caps,
    set_posting_caps: (args) => {
      caps = (args as { caps: Caps }).caps;
      return caps;
    },
  };
}

/** A creator's decisions on a publish (Retry, Mark as posted, Dismiss, Check again, Cancel). */
export function publishDecisionHandlers(
  jobs: Record<number, PublishJob>,
  findPost: (id: number) => PostDto,
  putPost: (p: PostDto) => PostDto,
  postId: (args: InvokeArgs | undefined) => number,
): Record<string, Handler> {
  return {
    retry_publish: (args) => {
      const id = postId(args);
      if (jobs[id]) jobs[id] = { ...jobs[id], state: 'queued', retryable: false };
      return putPost({ ...findPost(id), status: 'queued' });
    },
    mark_as_posted: (args) => {
      const id = postId(args);
      if (jobs[id]) jobs[id] = { ...jobs[id], state: 'published', outcomeUnknown: false };
      return putPost({ ...findPost(id), status: 'published' });
    },
    dismiss_unknown_outcome: (args) => {
      const id = postId(args);
      if (jobs[id]) jobs[id] = { ...jobs[id], state: 'failed', outcomeUnknown: false };
      return putPost({ ...findPost(id), status: 'failed' });
    },
    check_publish: (args) => {
      const id = postId(args);
      if (jobs[id]) jobs[id] = { ...jobs[id], state: 'published', outcomeUnknown: false };
      return putPost({ ...findPost(id), status: 'published' });
    },
    cancel_publish: (args) => {
      const id = postId(args);
      delete jobs[id];
      return putPost({ ...findPost(id), status: 'cancelled' });
    },
  };
}
