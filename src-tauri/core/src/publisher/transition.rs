//! Persisting a state: each change of a job is written with the post's status and a history
//! line in one transaction (`db::publish_jobs::write_state`) before the next network step, then
//! told to the UI; and the ways a run ends (failed, needs attention, waiting for a retry, the
//! keychain or a reconnect).

use crate::audit::Outcome;
use crate::db::audit;
use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};
use crate::posts::PostDto;

use super::notify::{plain, post_body, taken, KEYCHAIN_WAIT_MESSAGE, UNKNOWN_OUTCOME_MESSAGE};
use super::state::{
    backoff_ms, keychain_wait_ms, Change, PublishJob, PublishStep, RunEnd, KEYCHAIN_WAIT_CODE,
    MAX_ATTEMPTS,
};
use super::Publisher;

impl Publisher {
    /// Takes a due scheduled post into the publisher: `queued`, its job row reset (a previous
    /// one keeps the publish TikTok knows of, so the run asks TikTok about it before any new
    /// init). Answers false if the post is no longer scheduled (edited, cancelled, paused in
    /// between) — or if its last publish has an unknown outcome: then it needs attention, since
    /// publishing it again could post it twice.
    pub(crate) async fn claim_post(&self, post_id: i64) -> CoreResult<bool> {
        let now = self.ctx.clock().now_ms();
        let claim =
            db::claim_or_park(self.ctx.pool(), post_id, UNKNOWN_OUTCOME_MESSAGE, now).await?;
        if claim == db::Claim::Parked {
            self.ctx.events().emit(EngineEvent::PostsChanged {
                post_id: Some(post_id),
                account_id: None,
            });
        }
        Ok(claim == db::Claim::Claimed)
    }

    /// Writes a state (and the post's status) in one transaction, appends the history line,
    /// and tells the UI. Compare-and-set: the job must still be in the state `job` holds and
    /// the post in the status that goes with it; otherwise another actor (cancel, delete, an
    /// edit, a user's action) took the post and nothing is written ([`is_taken`]).
    pub(super) async fn set_state(
        &self,
        job: &mut PublishJob,
        step: PublishStep,
        change: Change,
    ) -> CoreResult<()> {
        self.set_state_then_claim(job, step, change, None)
            .await
            .map(|_| ())
    }

    /// [`Self::set_state`], and in the same transaction the claim of `next`, the due post the
    /// run hands its slot to (`handoff`): what that claim did.
    pub(super) async fn set_state_then_claim(
        &self,
        job: &mut PublishJob,
        step: PublishStep,
        change: Change,
        next: Option<i64>,
    ) -> CoreResult<Option<db::Claim>> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let before = job.clone();
        let prior_state = job.state.clone();
        let prior_status = job.step().post_status();
        let applied = change.apply(job, step, now);
        let attention = if step == PublishStep::NeedsAttention {
            job.error_message.clone()
        } else {
            None
        };
        let written = db::write_state_and_claim(
            pool,
            db::StateWrite {
                job,
                prior_state: &prior_state,
                prior_status: prior_status.as_str(),
                status: step.post_status().as_str(),
                attention: attention.as_deref(),
                log_id: applied.log_id.as_deref(),
                error: applied.error_text.as_deref(),
                now,
            },
            next.map(|id| (id, UNKNOWN_OUTCOME_MESSAGE)),
        )
        .await?;
        let Some(claim) = written else {
            *job = before;
            tracing::info!(post_id = job.post_id, from = %prior_state, to = step.as_str(), "post taken meanwhile; stopping");
            return Err(taken());
        };
        let error_text = applied.error_text;
        tracing::info!(post_id = job.post_id, state = %job.state, "publish state");
        self.ctx.events().emit(EngineEvent::PublishStateChanged {
            post_id: job.post_id,
            account_id: job.account_id,
            state: step,
            message: error_text,
        });
        self.ctx.events().emit(EngineEvent::PostsChanged {
            post_id: Some(job.post_id),
            account_id: Some(job.account_id),
        });
        Ok(claim)
    }

    /// Ends a job in `failed` or `needs_attention` with a message, and notifies.
    pub(super) async fn end_with(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        step: PublishStep,
        code: &str,
        message: String,
        mut change: Change,
    ) -> CoreResult<RunEnd> {
        change.error = Some(Some((code.to_owned(), message.clone())));
        if change.next_retry_at.is_none() {
            change.next_retry_at = Some(None);
        }
        self.set_state(job, step, change).await?;
        let (kind, title) = if step == PublishStep::Failed {
            (NotificationKind::Failed, "Post failed")
        } else {
            (NotificationKind::NeedsAttention, "Post needs attention")
        };
        audit::record(
            self.ctx.pool(),
            Some(job.account_id),
            "post.publish",
            Outcome::Error,
            &format!("post {}: {} ({code})", job.post_id, step.as_str()),
        )
        .await;
        self.notify_post(post, kind, title, &message).await;
        Ok(RunEnd::Done)
    }

    /// A pre-init check against fresh creator_info failed: nothing was sent, the creator must act.
    pub(super) async fn fail_check(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        action: tiktok_api::UserAction,
        code: &str,
    ) -> CoreResult<RunEnd> {
        self.end_with(
            job,
            post,
            PublishStep::Failed,
            code,
            plain(action),
            Change::default(),
        )
        .await
    }

    /// A posting cap was reached: nothing is wrong with the post, it waits for the creator
    /// (retry later or reschedule), retryable.
    pub(super) async fn wait_for_cap(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        action: tiktok_api::UserAction,
        change: Change,
    ) -> CoreResult<RunEnd> {
        let change = Change {
            retryable: Some(true),
            ..change
        };
        self.end_with(
            job,
            post,
            PublishStep::NeedsAttention,
            "caps_reached",
            plain(action),
            change,
        )
        .await
    }

    /// The keychain refused (locked, or its service is not answering): nothing is wrong with
    /// the post, it waits — needs attention with the way out named, tried again by itself with
    /// a growing interval (the scheduler runs it at `next_retry_at`), and Retry stays offered.
    pub(super) async fn keychain_wait(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: &CoreError,
        change: Change,
    ) -> CoreResult<RunEnd> {
        tracing::warn!(post_id = job.post_id, error = %e, "keychain refused; the post waits for it");
        let waits = db::count_history_errors(self.ctx.pool(), job.post_id, KEYCHAIN_WAIT_MESSAGE)
            .await
            .unwrap_or(0);
        let wait = keychain_wait_ms(waits);
        let change = Change {
            retryable: Some(true),
            next_retry_at: Some(Some(self.ctx.clock().now_ms() + wait)),
            error: Some(Some((
                KEYCHAIN_WAIT_CODE.to_owned(),
                KEYCHAIN_WAIT_MESSAGE.to_owned(),
            ))),
            ..change
        };
        self.set_state(job, PublishStep::NeedsAttention, change)
            .await?;
        if waits == 0 {
            self.notify_post(
                post,
                NotificationKind::NeedsAttention,
                "Unlock your keychain",
                KEYCHAIN_WAIT_MESSAGE,
            )
            .await;
        }
        self.ctx.wake_scheduler();
        Ok(RunEnd::Done)
    }

    /// The account's row when it was removed from Tokdeck (its tokens are gone).
    pub(super) async fn removed_account(
        &self,
        id: i64,
    ) -> CoreResult<Option<crate::accounts::AccountRow>> {
        Ok(crate::accounts::get(self.ctx.pool(), id)
            .await?
            .filter(|r| r.removed_at.is_some()))
    }

    /// The account was removed while the post waited or ran, before anything reached TikTok:
    /// nothing is wrong with the post, so it goes back to the queue, paused like the account's
    /// other posts, and the reconnect lifts the pause (cancel and delete stay offered).
    pub(super) async fn wait_for_reconnect(
        &self,
        job: &mut PublishJob,
        account: &crate::accounts::AccountRow,
    ) -> CoreResult<RunEnd> {
        let CoreError::Conflict(message) = crate::accounts::disconnected(account) else {
            unreachable!("disconnected() is a conflict")
        };
        self.set_state(
            job,
            PublishStep::Queued,
            Change {
                next_retry_at: Some(None),
                error: Some(Some(("reconnect".to_owned(), message))),
                ..Default::default()
            },
        )
        .await?;
        self.posts
            .pause_posts_of_account(
                job.account_id,
                crate::accounts::service::REMOVED_PAUSE_REASON,
            )
            .await?;
        Ok(RunEnd::Done)
    }

    /// Schedules another try of the current step (or of the whole publish for `to`), or fails
    /// once the attempts are used up.
    pub(super) async fn retry_or_fail(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        to: PublishStep,
        err: &CoreError,
    ) -> CoreResult<RunEnd> {
        let attempts = job.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            let change = Change {
                attempts: Some(attempts),
                retryable: Some(true),
                ..Change::logged(err.tiktok_log_id())
            };
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "retries_exhausted",
                    format!(
                        "TikTok kept failing ({}). Retry later, or post it from the TikTok app.",
                        err.user_message()
                    ),
                    change,
                )
                .await;
        }
        let at = self.ctx.clock().now_ms() + backoff_ms(job.attempts);
        let change = Change {
            attempts: Some(attempts),
            next_retry_at: Some(Some(at)),
            error: Some(Some(("retry".to_owned(), err.user_message()))),
            ..Change::logged(err.tiktok_log_id())
        };
        self.set_state(job, to, change).await?;
        Ok(RunEnd::RetryLater)
    }

    /// Back to `queued` (compare-and-set from the job's final state), keeping the publish
    /// TikTok knows of so the run asks about it first.
    pub(super) async fn requeue(&self, job: &mut PublishJob) -> CoreResult<()> {
        self.set_state(
            job,
            PublishStep::Queued,
            Change {
                attempts: Some(0),
                next_retry_at: Some(None),
                retryable: Some(false),
                error: Some(None),
                ..Default::default()
            },
        )
        .await?;
        db::clear_queued_attention(self.ctx.pool(), job.post_id).await?;
        self.ctx.wake_scheduler();
        Ok(())
    }

    /// A native notification about a post: "@account — “caption start…”. body".
    pub(crate) async fn notify_post(
        &self,
        post: &PostDto,
        kind: NotificationKind,
        title: &str,
        body: &str,
    ) {
        let who = crate::accounts::get_live(self.ctx.pool(), post.account_id)
            .await
            .map(|a| crate::accounts::tokens::display(&a))
            .unwrap_or_else(|_| format!("account {}", post.account_id));
        self.ctx.events().emit(EngineEvent::Notify {
            notification: kind,
            title: title.to_owned(),
            body: post_body(&who, &post.caption, body),
        });
    }
}
