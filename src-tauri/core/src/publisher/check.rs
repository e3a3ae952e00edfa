//! Step `checking`: the file is still the one scheduled and fresh creator_info allows the post;
//! then the init intent is recorded. Nothing has reached TikTok yet, so errors here are retried
//! or end the post safely.

use std::path::PathBuf;

use tiktok_api::ErrorClass;

use crate::error::{CoreError, CoreResult};
use crate::media::{self, Fingerprint};
use crate::posts::{PostDto, PostMode};

use super::notify::{user_action_text, UNKNOWN_OUTCOME_MESSAGE};
use super::state::{is_cap, Change, PublishJob, PublishStep, RunEnd};
use super::Publisher;

impl Publisher {
    /// queued/checking: file fingerprint, fresh creator_info; then records the init intent.
    pub(super) async fn step_check(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        if job.step() == PublishStep::Queued || job.publish_id.is_some() {
            self.set_state(
                job,
                PublishStep::Checking,
                Change {
                    forget_publish: job.publish_id.is_some(),
                    ..Default::default()
                },
            )
            .await?;
        }
        // The file must still be the one the creator scheduled; nothing is sent otherwise.
        let path = PathBuf::from(&post.media_path);
        let fp: Fingerprint = post.fingerprint.clone();
        let p2 = path.clone();
        let check = tokio::task::spawn_blocking(move || media::check(&p2, &fp))
            .await
            .map_err(|e| CoreError::Internal(format!("file check failed: {e}")))?;
        if let Some(reason) = check.reason(&path) {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "file_changed",
                    format!("{reason} Relink the video, then retry."),
                    Change::default(),
                )
                .await
                .map(Some);
        }
        if let Some(msg) = self.missing_scope(post.account_id, post.mode).await? {
            let change = Change::default();
            return self
                .end_with(job, post, PublishStep::Failed, "scope_missing", msg, change)
                .await
                .map(Some);
        }
        let fetched = match post.mode {
            // The inbox init takes no post_info and needs only video.upload; creator_info
            // would need video.publish.
            PostMode::Inbox => Ok(tiktok_api::CreatorInfo::default()),
            PostMode::Direct => {
                self.tokens
                    .with_token(
                        post.account_id,
                        |c, t| async move { c.creator_info(&t).await },
                    )
                    .await
            }
        };
        let info = match fetched {
            Ok(i) => i,
            Err(e) => return self.handle_pre_init_error(job, post, e).await.map(Some),
        };
        if let Some(p) = &post.privacy_level {
            if post.mode == PostMode::Direct
                && !info.privacy_level_options.iter().any(|o| o.as_str() == p)
            {
                return self
                    .fail_check(
                        job,
                        post,
                        tiktok_api::UserAction::PrivacyOptionMismatch,
                        "privacy_level_option_mismatch",
                    )
                    .await
                    .map(Some);
            }
        }
        if let Some(max) = info.max_video_post_duration_sec {
            if post.media.duration_ms > u64::from(max) * 1000 + 500 {
                return self
                    .fail_check(
                        job,
                        post,
                        tiktok_api::UserAction::Duration,
                        "duration_check_failed",
                    )
                    .await
                    .map(Some);
            }
        }
        // The intent, recorded before the request: a crash from here on is "outcome unknown".
        self.set_state(
            job,
            PublishStep::Initializing,
            Change {
                log_id: info.log_id.clone(),
                error: Some(None),
                next_retry_at: Some(None),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// Errors before anything was created on TikTok: retry transient ones, else end.
    pub(super) async fn handle_pre_init_error(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: CoreError,
    ) -> CoreResult<RunEnd> {
        let logged = || Change::logged(e.tiktok_log_id());
        if let CoreError::Secrets(_) = e {
            return self.keychain_wait(job, post, &e, logged()).await;
        }
        if let Some(account) = self.removed_account(job.account_id).await? {
            return self.wait_for_reconnect(job, &account).await;
        }
        match e.tiktok_class() {
            Some(ErrorClass::RetryLater) => {
                self.retry_or_fail(job, post, PublishStep::Queued, &e).await
            }
            Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken) => {
                self.end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "reconnect",
                    e.user_message(),
                    logged(),
                )
                .await
            }
            Some(ErrorClass::UserMustAct(a)) if is_cap(a) => {
                self.wait_for_cap(job, post, a, logged()).await
            }
            Some(class @ ErrorClass::UserMustAct(_)) => {
                let (_, msg) = user_action_text(class, &e.user_message());
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "user_must_act",
                    msg,
                    logged(),
                )
                .await
            }
            Some(ErrorClass::OutcomeUnknown) => {
                self.end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "outcome_unknown",
                    UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                    Change::unknown_outcome(e.tiktok_log_id()),
                )
                .await
            }
            _ => {
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "error",
                    e.user_message(),
                    logged(),
                )
                .await
            }
        }
    }
}
