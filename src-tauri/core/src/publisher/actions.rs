//! The creator's actions on a publish: retry, mark as posted, dismiss, check again, cancel;
//! and what the UI reads (the job, its history).

use tiktok_api::{ErrorClass, PublishState};

use crate::audit::Outcome;
use crate::db::audit;
use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};
use crate::posts::PostDto;

use super::notify::{user_taken, UNKNOWN_OUTCOME_MESSAGE};
use super::state::{
    safe_to_retry, upload_url_entry, Change, PublishAttempt, PublishJob, PublishStep, RunEnd,
};
use super::Publisher;

impl Publisher {
    /// The publish job of a post, if it ever entered publishing.
    pub async fn publish_job(&self, post_id: i64) -> CoreResult<Option<PublishJob>> {
        db::load_job(self.ctx.pool(), post_id).await
    }

    /// The post's publish history, oldest first.
    pub async fn publish_history(&self, post_id: i64) -> CoreResult<Vec<PublishAttempt>> {
        db::history(self.ctx.pool(), post_id).await
    }

    /// Tries a failed or stuck post again — only when that cannot post it twice: not after an
    /// unknown outcome (check again, mark it as posted or dismiss it first). A publish TikTok
    /// already has is asked about before any new init.
    pub async fn retry_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let mut job = db::load_job(pool, post_id)
            .await?
            .ok_or_else(|| CoreError::Conflict("This post was never published.".into()))?;
        let step = job.step();
        if !safe_to_retry(&job) {
            return Err(CoreError::Conflict(if job.outcome_unknown {
                UNKNOWN_OUTCOME_MESSAGE.to_owned()
            } else {
                format!(
                    "This post is {} and cannot be retried now.",
                    step.as_str().replace('_', " ")
                )
            }));
        }
        crate::accounts::ensure_connected(pool, job.account_id).await?;
        self.requeue(&mut job).await.map_err(user_taken)?;
        self.posts.post(post_id).await
    }

    /// The creator checked TikTok and the post is there: published.
    pub async fn mark_as_posted(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await?;
        self.set_state(
            &mut job,
            PublishStep::Published,
            Change {
                outcome_unknown: Some(false),
                tiktok_status: Some("MARKED_AS_POSTED".into()),
                error: Some(None),
                next_retry_at: Some(None),
                ..Default::default()
            },
        )
        .await
        .map_err(user_taken)?;
        audit::record(
            self.ctx.pool(),
            Some(job.account_id),
            "post.mark_posted",
            Outcome::Ok,
            &format!("post {post_id}"),
        )
        .await;
        self.posts.post(post_id).await
    }

    /// The creator checked TikTok and the post is not there: failed, and retry is now safe.
    pub async fn dismiss_unknown_outcome(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await?;
        let _ = self.ctx.secrets().delete(&upload_url_entry(post_id)).await;
        self.set_state(
            &mut job,
            PublishStep::Failed,
            Change {
                outcome_unknown: Some(false),
                retryable: Some(true),
                // The creator's word: the publish is not on TikTok, a new one follows a retry.
                forget_publish: true,
                tiktok_status: Some("Failed".into()),
                next_retry_at: Some(None),
                error: Some(Some((
                    "dismissed".into(),
                    "Not on TikTok (checked by you). Retry or reschedule it.".into(),
                ))),
                ..Default::default()
            },
        )
        .await
        .map_err(user_taken)?;
        self.posts.post(post_id).await
    }

    pub(super) async fn unknown_outcome_job(&self, post_id: i64) -> CoreResult<PublishJob> {
        match db::load_job(self.ctx.pool(), post_id).await? {
            Some(j) if j.outcome_unknown && j.step() == PublishStep::NeedsAttention => Ok(j),
            _ => Err(CoreError::Conflict(
                "Only a post whose outcome is unknown can be marked as posted or dismissed.".into(),
            )),
        }
    }

    /// "Check again": asks TikTok once about the publish of a post whose outcome is unknown,
    /// and moves it to published or failed when TikTok knows; otherwise it stays as it is
    /// (with what TikTok said).
    pub async fn check_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await.map_err(|_| {
            CoreError::Conflict("Only a post whose outcome is unknown can be checked again.".into())
        })?;
        let Some(pid) = job.publish_id.clone() else {
            return Err(CoreError::Conflict(
                "TikTok never gave this post a publish id, so Tokdeck cannot ask about it. Check the account on TikTok, then mark it as posted or dismiss it.".into(),
            ));
        };
        let post = self.posts.post(post_id).await?;
        let st = match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => st,
            // TikTok answered, but not about the post: the sign-in is the creator's to fix
            // first, and "did not answer, check again later" would send them round in circles.
            Err(e)
                if matches!(
                    e.tiktok_class(),
                    Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken)
                ) =>
            {
                return Err(CoreError::Unavailable(format!(
                    "{} Then press Check again; the post stays as it is until then.",
                    e.user_message()
                )))
            }
            Err(e) => {
                return Err(CoreError::Unavailable(format!(
                    "TikTok did not answer ({}). The post stays as it is; check again later.",
                    e.user_message().trim_end_matches('.')
                )))
            }
        };
        let size = job.video_size.unwrap_or(i64::MAX);
        let res = match st.status {
            PublishState::PublishComplete | PublishState::SendToUserInbox => {
                self.finish_published(&mut job, &post, &st).await
            }
            PublishState::Failed => self.tiktok_failed(&mut job, &post, &st).await,
            _ if (st.uploaded_bytes.unwrap_or(0) as i64) < size => {
                // Part of the video, and nobody sends it the rest: it can never become a post.
                let _ = self.ctx.secrets().delete(&upload_url_entry(post_id)).await;
                self.end_with(
                    &mut job,
                    &post,
                    PublishStep::Failed,
                    "upload_incomplete",
                    "TikTok received only part of the video, so it cannot post it. Retry to send it again.".into(),
                    Change {
                        outcome_unknown: Some(false),
                        retryable: Some(true),
                        forget_publish: true,
                        tiktok_status: Some("Failed".into()),
                        ..Default::default()
                    },
                )
                .await
            }
            _ => {
                self.set_state(
                    &mut job,
                    PublishStep::NeedsAttention,
                    Change {
                        tiktok_status: Some(format!("{:?}", st.status)),
                        log_id: st.log_id.clone(),
                        error: Some(Some((
                            "still_processing".into(),
                            "TikTok is still processing this video. Check again in a few minutes, or check TikTok, then mark it as posted or dismiss it.".into(),
                        ))),
                        ..Default::default()
                    },
                )
                .await
                .map(|_| RunEnd::Done)
            }
        };
        res.map_err(user_taken)?;
        self.posts.post(post_id).await
    }

    /// Cancels a post that has not started publishing (scheduled, or queued with nothing sent):
    /// compare-and-set with the scheduler's claim and the publisher's first step, so either
    /// the cancel wins and nothing reaches TikTok, or it is refused.
    pub async fn cancel_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        self.posts.cancel_post(post_id).await
    }
}
