/**
 * Pure rules of a post's read-only view: which posts open read-only (TikTok has them, or is
 * being sent them, so an edit could not reach TikTok), and what to say about the post on TikTok.
 */
import type { OnTiktok, PostStatus, PublishJob } from '../../lib/bindings';

/** Being sent or already on TikTok: nothing the composer changes would reach it. */
export const READ_ONLY: readonly PostStatus[] = ['queued', 'publishing', 'published'];

export function isReadOnly(post: { status: PostStatus }): boolean {
  return READ_ONLY.includes(post.status);
}

export const HEADINGS: Partial<Record<PostStatus, string>> = {
  queued: 'Queued to publish',
  publishing: 'Being published',
  published: 'Published',
};

/**
 * What the view says when there is no link to open, in words (null when there are links).
 * The audience note applies only to posts that really went out as "Only me".
 */
export function noLinkNote(
  status: PostStatus,
  view: Pick<OnTiktok, 'inInbox' | 'links' | 'idPending' | 'onlyMe'> | null,
  job?: Pick<PublishJob, 'errorCode' | 'errorMessage'> | null,
): string | null {
  if (status !== 'published') return 'Not on TikTok yet: the link comes once it is published.';
  if (!view) return null;
  if (view.links.length > 0) return null;
  if (view.inInbox) return 'In the creator’s TikTok inbox: finish it in the TikTok app.';
  if (view.idPending)
    return 'On TikTok. Its link comes once TikTok has reviewed it; Tokdeck keeps asking.';
  // TikTok published it but may have narrowed the audience (an app not audited for Direct Post).
  if (job?.errorCode === 'audience_unconfirmed' && job.errorMessage) return job.errorMessage;
  if (view.onlyMe) return 'On TikTok as “Only me”: TikTok gives private posts no public link.';
  return 'On TikTok, but TikTok gave no public post id, so there is no link to it.';
}

/** A link whose web page could not be built (the account's @username is unknown). */
export function unlinkedNote(publicId: string): string {
  return `TikTok's post id is ${publicId}, but Tokdeck doesn't know this account's @username to link it. Sync the account on the Accounts page.`;
}
