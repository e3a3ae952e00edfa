//! Step `processing`: polls TikTok until it says how the publish ended, and the published and
//! failed ends.

use std::time::Duration;

use tiktok_api::{ErrorClass, PublishState};

use crate::audit::Outcome;
use crate::db::audit;
use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};
use crate::events::NotificationKind;
use crate::posts::{PostDto, PostMode};

use super::notify::{
    user_action_text, AUDIENCE_UNCONFIRMED_CODE, AUDIENCE_UNCONFIRMED_MESSAGE,
    UNKNOWN_OUTCOME_MESSAGE,
};
use super::state::{
    is_cap, Change, PublishJob, PublishStep, RunEnd, PROCESSING_DEADLINE_MS, PUBLIC_ID_FIRST_MS,
    PUBLIC_ID_WINDOW_MS,
};
use super::Publisher;

impl Publisher {
    /// processing: polls the status with backoff until TikTok says how it ended, or until the
    /// processing deadline: then the post needs the creator (outcome unknown, Check again).
    pub(super) async fn step_poll(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        let Some(pid) = job.publish_id.clone() else {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "outcome_unknown",
                    UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                    Change::unknown_outcome(None),
                )
                .await
                .map(Some);
        };
        let deadline = match job.processing_deadline_at {
            Some(d) => d,
            None => {
                // A job from before deadlines were kept: its deadline counts from now.
                let d = self.ctx.clock().now_ms() + PROCESSING_DEADLINE_MS;
                db::set_processing_deadline(self.ctx.pool(), job.post_id, d).await?;
                job.processing_deadline_at = Some(d);
                d
            }
        };
        let mut delay = Duration::from_millis(250);
        let mut errors = 0u32;
        loop {
            match self.fetch_status_once(post.account_id, &pid).await {
                Ok(st) => {
                    errors = 0;
                    match st.status {
                        PublishState::PublishComplete | PublishState::SendToUserInbox => {
                            return self.finish_published(job, post, &st).await.map(Some);
                        }
                        PublishState::Failed => {
                            return self.tiktok_failed(job, post, &st).await.map(Some);
                        }
                        _ => {}
                    }
                }
                Err(e) => match e.tiktok_class() {
                    Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken) => {
                        return self
                            .end_with(
                                job,
                                post,
                                PublishStep::NeedsAttention,
                                "reconnect",
                                format!(
                                    "{} The video was uploaded; once reconnected, press Check again (or check TikTok, then mark it as posted or dismiss it).",
                                    e.user_message()
                                ),
                                // TikTok may still publish what it received: a blind retry
                                // could post twice.
                                Change::unknown_outcome(e.tiktok_log_id()),
                            )
                            .await
                            .map(Some);
                    }
                    _ => {
                        errors += 1;
                        tracing::warn!(post_id = job.post_id, error = %e, "status fetch failed; polling on");
                        if errors > 30 {
                            return self.no_status_answer(job, post, e).await.map(Some);
                        }
                    }
                },
            }
            // Asked at least once in this run (after a restart too) before giving up.
            if self.ctx.clock().now_ms() >= deadline {
                return self
                    .end_with(
                        job,
                        post,
                        PublishStep::NeedsAttention,
                        "processing_timeout",
                        format!(
                            "TikTok has been processing this video for over {} minutes without saying how it ended. Press Check again later, or check TikTok, then mark it as posted or dismiss it.",
                            PROCESSING_DEADLINE_MS / 60_000
                        ),
                        Change::unknown_outcome(None),
                    )
                    .await
                    .map(Some);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(15));
        }
    }

    /// TikTok said the publish is complete (or in the inbox): published, with the public id
    /// when TikTok gave one — else, for a public post, asked again later (moderation).
    pub(super) async fn finish_published(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        st: &tiktok_api::PublishStatus,
    ) -> CoreResult<RunEnd> {
        let inbox = st.status == PublishState::SendToUserInbox;
        let audience_note = if inbox {
            None
        } else {
            self.unconfirmed_audience(post).await
        };
        let now = self.ctx.clock().now_ms();
        let ask_for_id = !inbox
            && post.mode == PostMode::Direct
            && st.public_post_ids.is_empty()
            && post.privacy_level.as_deref().unwrap_or("SELF_ONLY") != "SELF_ONLY";
        let target = self.handoff_target(job.post_id, job.account_id).await;
        // Not written: the reserved post goes back to the scheduler as `target` drops.
        let claim = self
            .set_state_then_claim(
                job,
                PublishStep::Published,
                Change {
                    tiktok_status: Some(format!("{:?}", st.status)),
                    public_post_ids: Some(st.public_post_ids.clone()),
                    log_id: st.log_id.clone(),
                    // Not an error: the job's message is where the truth about the audience is
                    // kept and shown.
                    error: Some(
                        audience_note
                            .clone()
                            .map(|m| (AUDIENCE_UNCONFIRMED_CODE.to_owned(), m)),
                    ),
                    next_retry_at: Some(None),
                    outcome_unknown: Some(false),
                    processing_deadline_at: Some(None),
                    public_id_next_at: Some(ask_for_id.then_some(now + PUBLIC_ID_FIRST_MS)),
                    public_id_until: Some(ask_for_id.then_some(now + PUBLIC_ID_WINDOW_MS)),
                    ..Default::default()
                },
                target.as_ref().map(|t| t.target.id),
            )
            .await?;
        // Published: the upload slot goes to the next due post, or is free for the scheduler;
        // what follows is local.
        match target {
            Some(t) => self.hand_off(job.post_id, job.account_id, t, claim),
            None => self.release_slot(job.post_id, job.account_id),
        }
        if ask_for_id {
            self.ctx.wake_scheduler();
        }
        audit::record(
            self.ctx.pool(),
            Some(job.account_id),
            "post.publish",
            Outcome::Ok,
            &format!("post {}", job.post_id),
        )
        .await;
        let mut body = if inbox {
            "Sent to the TikTok inbox: finish it in the TikTok app.".to_owned()
        } else {
            audience_note.unwrap_or_default()
        };
        let late_min = post
            .scheduled_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (self.ctx.clock().now_ms() - t.timestamp_millis()) / 60_000)
            .unwrap_or(0);
        body.push_str(&self.late_note(job.post_id, late_min));
        self.notify_post(post, NotificationKind::Published, "Posted", &body)
            .await;
        Ok(RunEnd::Done)
    }

    /// TikTok said the publish FAILED: a new publish where TikTok's side failed, else the
    /// creator's next step.
    pub(super) async fn tiktok_failed(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        st: &tiktok_api::PublishStatus,
    ) -> CoreResult<RunEnd> {
        let reason = st.fail_reason.clone().unwrap_or_default();
        let class = st.failure_class().unwrap_or(ErrorClass::RetryLater);
        let change = Change {
            tiktok_status: Some(format!("{:?}", st.status)),
            log_id: st.log_id.clone(),
            outcome_unknown: Some(false),
            processing_deadline_at: Some(None),
            ..Default::default()
        };
        match class {
            ErrorClass::RetryLater if job.step() == PublishStep::Processing => {
                // The publish failed on TikTok's side: a new one is safe.
                let e = CoreError::Tiktok {
                    message: format!("TikTok could not finish the post ({reason})."),
                    class,
                    log_id: st.log_id.clone(),
                };
                self.set_state(job, PublishStep::Processing, change).await?;
                self.retry_or_fail(job, post, PublishStep::Queued, &e).await
            }
            ErrorClass::RetryLater => {
                let change = Change {
                    retryable: Some(true),
                    ..change
                };
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    &reason,
                    format!("TikTok could not finish the post ({reason}). Retry it, or post it from the TikTok app."),
                    change,
                )
                .await
            }
            ErrorClass::Reauthorize | ErrorClass::RefreshToken => self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    &reason,
                    "TikTok removed Tokdeck's access to this account while posting. Reconnect the account (Accounts → Reconnect), then retry.".to_owned(),
                    change,
                )
                .await,
            ErrorClass::UserMustAct(a) if is_cap(a) => {
                self.wait_for_cap(job, post, a, change).await
            }
            _ => {
                let (_, msg) = user_action_text(
                    class,
                    &format!("TikTok did not publish the post ({reason})."),
                );
                self.end_with(job, post, PublishStep::Failed, &reason, msg, change)
                    .await
            }
        }
    }

    /// A Direct Post with a wider audience than "Only me" from an app that has not passed the
    /// Direct Post audit: TikTok may have stored it as "Only me", and the status answer does
    /// not carry the privacy, so the published message says so instead of naming the audience.
    pub(super) async fn unconfirmed_audience(&self, post: &PostDto) -> Option<String> {
        if post.privacy_level.as_deref().unwrap_or("SELF_ONLY") == "SELF_ONLY" {
            return None;
        }
        match self.tiktok_app.direct_post_audit().await {
            Ok(crate::tiktok_config::DirectPostAudit::NotAudited) => {
                Some(AUDIENCE_UNCONFIRMED_MESSAGE.to_owned())
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(post_id = post.id, "audit state unreadable: {e}");
                None
            }
        }
    }
}
