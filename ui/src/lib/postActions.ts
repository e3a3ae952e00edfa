/**
 * Which actions the Queue page offers for a post: one pure function of the post's status and
 * its publish job, so the table in `wayOut.json` can check it against what the engine accepts
 * (the engine's test tries every action in every state of that table).
 */
import type { PostStatus } from './bindings';

export type PostAction =
  | 'cancel'
  | 'delete'
  | 'retry'
  | 'markPosted'
  | 'dismiss'
  | 'checkAgain'
  | 'publishNow'
  | 'restore'
  | 'deleteForever';

/** The fields of a publish job the choice depends on. */
export interface JobFacts {
  state: string;
  outcomeUnknown?: boolean;
  retryable?: boolean;
  /** TikTok's publish id (or, in the table, whether there is one). */
  publishId?: string | boolean | null;
}

export const ACTION_ORDER: readonly PostAction[] = [
  'cancel',
  'delete',
  'retry',
  'markPosted',
  'dismiss',
  'checkAgain',
  'publishNow',
  'restore',
  'deleteForever',
];

const CANCELLABLE: readonly PostStatus[] = [
  'draft',
  'scheduled',
  'missed',
  'needs_attention',
  'failed',
  'queued',
];

export function postActions(status: PostStatus, job: JobFacts | null): PostAction[] {
  // Being published: the engine itself ends it (retries and deadlines are bounded).
  if (status === 'publishing') return [];
  // In Trash (cancelled or deleted): the Trash page's ways out; it never publishes from there.
  if (status === 'cancelled') return ['restore', 'deleteForever'];
  const out = new Set<PostAction>(['delete']);
  if (job?.outcomeUnknown && job.state === 'needs_attention' && status === 'needs_attention') {
    // It may be on TikTok: only the creator's word or TikTok's answer settles it.
    out.add('markPosted');
    out.add('dismiss');
    if (job.publishId) out.add('checkAgain');
  } else {
    if (CANCELLABLE.includes(status) && (status !== 'queued' || job?.state === 'queued'))
      out.add('cancel');
    // Retry takes the post from where the publisher left it (its status still says so).
    if (job && (job.state === 'failed' || job.state === 'needs_attention') && status === job.state)
      out.add('retry');
    if (status === 'scheduled' || status === 'missed' || status === 'failed') out.add('publishNow');
  }
  return ACTION_ORDER.filter((a) => out.has(a));
}
