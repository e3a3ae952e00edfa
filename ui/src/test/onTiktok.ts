/** The fake backend's `on_tiktok`: what the engine answers, from the same facts. */
import type { OnTiktok, PostDto, PublishJob } from '../lib/bindings';

/** TikTok's page per public id from the account's @username, as the engine builds it. */
export function onTiktokOf(
  postId: number,
  job: PublishJob | undefined,
  post: PostDto | undefined,
  username: string,
): OnTiktok {
  const published = job?.state === 'published';
  const ids = published ? (JSON.parse(job.publicPostIds ?? '[]') as string[]) : [];
  return {
    postId,
    publishedAt: published ? job.updatedAt : null,
    inInbox: published && job.tiktokStatus === 'SendToUserInbox',
    links: ids.map((publicId) => ({
      publicId,
      url: username ? `https://www.tiktok.com/@${username}/video/${publicId}` : null,
    })),
    idPending: published && ids.length === 0 && job.publicIdNextAt !== null,
    onlyMe: post?.privacyLevel === 'SELF_ONLY',
  };
}
