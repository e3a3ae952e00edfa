//! A run of a job from its persisted state, and the reconciliation with TikTok that comes
//! first whenever TikTok may already know of the publish.

use std::sync::Arc;

use tiktok_api::{ErrorClass, PublishId, PublishState};

use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};
use crate::posts::{PostDto, PostStatus};

use super::notify::{is_taken, UNKNOWN_OUTCOME_MESSAGE};
use super::state::{
    keychain_retry_due, next_step, upload_url_entry, upload_url_live, Change, Next, PublishJob,
    PublishStep, RunEnd, PROCESSING_DEADLINE_MS,
};
use super::Publisher;

impl Publisher {
    /// Runs a job from its persisted state until it ends or waits for a retry. A run whose
    /// post was taken from it (cancelled, deleted, moved on by someone else) stops quietly.
    pub(crate) async fn run_publish(self: &Arc<Self>, post_id: i64) -> CoreResult<RunEnd> {
        match self.run_publish_inner(post_id).await {
            Err(e) if is_taken(&e) => Ok(RunEnd::Done),
            other => other,
        }
    }

    pub(super) async fn run_publish_inner(self: &Arc<Self>, post_id: i64) -> CoreResult<RunEnd> {
        let pool = self.ctx.pool();
        let Some(mut job) = db::load_job(pool, post_id).await? else {
            return Ok(RunEnd::Done);
        };
        // A post waiting for the keychain is tried again by itself once its time came.
        if job.step() == PublishStep::NeedsAttention {
            if !keychain_retry_due(&job, self.ctx.clock().now_ms()) {
                return Ok(RunEnd::Done);
            }
            self.requeue(&mut job).await?;
        }
        let post = self.posts.post(post_id).await?;
        if !matches!(post.status, PostStatus::Queued | PostStatus::Publishing) {
            // Cancelled (or taken back) before anything was sent: the job is void.
            if job.step() == PublishStep::Queued && job.publish_id.is_none() {
                db::delete_void_job(pool, post_id).await?;
            }
            return Ok(RunEnd::Done);
        }
        // The first state handled in this run was persisted by an earlier run (maybe one that
        // crashed); `initializing` then means the init's outcome is unknown.
        let mut first = true;
        loop {
            let next = match next_step(&job, first) {
                // An earlier publish of this post exists on TikTok (or the init answered and its
                // id was kept): ask how far it got before anything could init a second one.
                Next::Reconcile => self.reconcile(&mut job, &post).await?,
                Next::Check => self.step_check(&mut job, &post).await?,
                Next::UnknownInit => {
                    // Intent recorded but no publish id: the request may have reached TikTok.
                    // Never init again blindly.
                    let change = Change::unknown_outcome(None);
                    return self
                        .end_with(
                            &mut job,
                            &post,
                            PublishStep::NeedsAttention,
                            "outcome_unknown",
                            UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                            change,
                        )
                        .await;
                }
                Next::Init => self.step_init(&mut job, &post).await?,
                Next::Upload => self.step_upload(&mut job, &post).await?,
                Next::Poll => self.step_poll(&mut job, &post).await?,
                Next::Stop => return Ok(RunEnd::Done),
            };
            first = false;
            if let Some(end) = next {
                return Ok(end);
            }
        }
    }

    /// One status fetch for the job's publish id.
    pub(super) async fn fetch_status_once(
        &self,
        account_id: i64,
        publish_id: &str,
    ) -> CoreResult<tiktok_api::PublishStatus> {
        let id = PublishId(publish_id.to_owned());
        self.tokens
            .with_token(account_id, |c, t| {
                let id = id.clone();
                async move { c.fetch_status(&t, &id).await }
            })
            .await
    }

    /// Asks TikTok how far the publish it already has got, and continues from there: published
    /// → done; every byte received → processing; failed, or only part of the bytes with no way
    /// to send the rest → forgotten (a new init cannot duplicate it); part of the bytes with a
    /// live upload link → resume. No answer → the outcome is unknown.
    pub(super) async fn reconcile(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        let pid = job.publish_id.clone().unwrap_or_default();
        let st = match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => st,
            Err(e) => return self.no_status_answer(job, post, e).await.map(Some),
        };
        let status_text = format!("{:?}", st.status);
        match st.status {
            PublishState::PublishComplete | PublishState::SendToUserInbox => {
                return self.finish_published(job, post, &st).await.map(Some);
            }
            PublishState::Failed => {
                let change = Change {
                    forget_publish: true,
                    log_id: st.log_id.clone(),
                    ..Default::default()
                };
                self.set_state(job, PublishStep::Checking, change).await?;
                return Ok(None);
            }
            _ => {}
        }
        let uploaded = st.uploaded_bytes.unwrap_or(0) as i64;
        if job.video_size.is_some_and(|size| uploaded >= size) {
            self.set_state(
                job,
                PublishStep::Processing,
                Change {
                    tiktok_status: Some(status_text),
                    confirmed_bytes: Some(uploaded),
                    processing_deadline_at: Some(Some(
                        self.ctx.clock().now_ms() + PROCESSING_DEADLINE_MS,
                    )),
                    outcome_unknown: Some(false),
                    ..Default::default()
                },
            )
            .await?;
            return Ok(None);
        }
        let live_url = upload_url_live(job, self.ctx.clock().now_ms())
            && matches!(
                self.ctx.secrets().get(&upload_url_entry(job.post_id)).await,
                Ok(Some(_))
            );
        if live_url {
            self.set_state(
                job,
                PublishStep::Uploading,
                Change {
                    confirmed_bytes: Some(job.confirmed_bytes.min(uploaded)),
                    outcome_unknown: Some(false),
                    ..Default::default()
                },
            )
            .await?;
            return Ok(None);
        }
        // TikTok holds part of the video and nobody can send it the rest: it can never
        // become a post.
        let _ = self
            .ctx
            .secrets()
            .delete(&upload_url_entry(job.post_id))
            .await;
        self.set_state(
            job,
            PublishStep::Checking,
            Change {
                forget_publish: true,
                outcome_unknown: Some(false),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// TikTok did not answer a status fetch about a publish that may have all its bytes: the
    /// outcome is unknown (the creator checks again, marks it as posted or dismisses it).
    pub(super) async fn no_status_answer(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: CoreError,
    ) -> CoreResult<RunEnd> {
        if let CoreError::Secrets(_) = e {
            return self.keychain_wait(job, post, &e, Change::default()).await;
        }
        let reconnect = matches!(
            e.tiktok_class(),
            Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken)
        );
        let message = if reconnect {
            format!(
                "{} TikTok may already have this video; once reconnected, press Check again (or check TikTok, then mark it as posted or dismiss it).",
                e.user_message()
            )
        } else {
            format!(
                "TikTok did not say whether the post went out ({}). Press Check again later, or check TikTok, then mark it as posted or dismiss it.",
                e.user_message()
            )
        };
        self.end_with(
            job,
            post,
            PublishStep::NeedsAttention,
            if reconnect {
                "reconnect"
            } else {
                "status_unavailable"
            },
            message,
            Change::unknown_outcome(e.tiktok_log_id()),
        )
        .await
    }
}
