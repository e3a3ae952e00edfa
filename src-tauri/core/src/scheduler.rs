//! The scheduler: one tokio task owns the clock.
//!
//! Each pass reads SQLite: posts due long ago (beyond the grace period) become `missed`, due
//! posts are claimed for the publisher, and jobs waiting for a retry whose time came are run
//! again — at most [`DEFAULT_PARALLEL`] at once, one at a time per account. Then it sleeps until
//! the next due time, never longer than [`MAX_SLEEP`] (so a suspend or a clock change cannot
//! delay a post by more than that), and wakes at once when posts or settings change, a publish
//! ends, or the engine clock is moved. With nothing due it waits only for those wake-ups.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use crate::audit::{self, Outcome};
use crate::engine::Engine;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};
use crate::publisher::RunEnd;

/// Longest sleep before the wall clock is read again.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);
/// Posts late by less than this are still published (minutes).
pub const DEFAULT_GRACE_MINUTES: u32 = 60;
/// Uploads running at once (over all accounts).
pub const DEFAULT_PARALLEL: usize = 2;
const GRACE_KEY: &str = "publisher.missed_grace_minutes";

/// Publishes running now.
#[derive(Debug, Default)]
pub(crate) struct Running {
    posts: HashMap<i64, tokio::task::AbortHandle>,
    accounts: HashSet<i64>,
    /// Scheduler passes since start (the idle-wake-up benchmark reads it).
    passes: u64,
}

impl Running {
    pub(crate) fn abort_all(&mut self) {
        for (_, h) in self.posts.drain() {
            h.abort();
        }
        self.accounts.clear();
    }

    pub(crate) fn active(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.posts.keys().copied().collect();
        v.sort();
        v
    }
}

impl Engine {
    /// How late a post may be (after the app was closed or asleep) and still be published.
    pub async fn missed_grace_minutes(&self) -> CoreResult<u32> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
            .bind(GRACE_KEY)
            .fetch_optional(self.store().pool())
            .await?;
        Ok(row
            .and_then(|(v,)| v.parse().ok())
            .unwrap_or(DEFAULT_GRACE_MINUTES))
    }

    pub async fn set_missed_grace_minutes(&self, minutes: u32) -> CoreResult<u32> {
        if minutes > 7 * 24 * 60 {
            return Err(CoreError::InvalidInput(
                "The grace period can be at most a week.".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(GRACE_KEY)
        .bind(minutes.to_string())
        .bind(chrono::Utc::now().to_rfc3339())
        .execute(self.store().pool())
        .await?;
        self.wake_scheduler();
        Ok(minutes)
    }

    /// Scheduler passes (wake-ups) since the engine started.
    pub fn scheduler_wakeups(&self) -> u64 {
        self.running().lock().expect("running").passes
    }

    /// Post ids being published right now.
    pub fn active_publishes(&self) -> Vec<i64> {
        self.running().lock().expect("running").active()
    }

    /// One pass: missed posts, due posts, due retries. Answers when to look again (epoch ms),
    /// `None` when nothing is waiting for a time.
    pub(crate) async fn scheduler_pass(self: &Arc<Self>) -> CoreResult<Option<i64>> {
        if self.settings().await.publishing_paused {
            return Ok(None);
        }
        let pool = self.store().pool();
        let now = self.clock().now_ms();
        let grace_ms = i64::from(self.missed_grace_minutes().await?) * 60_000;
        self.mark_missed(now - grace_ms).await?;

        // Resumed or retried jobs first, then newly due posts.
        // Posts waiting for the keychain are needs-attention jobs with a retry time.
        let jobs: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT post_id, account_id FROM publish_jobs
             WHERE (state NOT IN ('published', 'failed', 'needs_attention')
                    OR (state = 'needs_attention' AND next_retry_at IS NOT NULL))
               AND (next_retry_at IS NULL OR next_retry_at <= ?)
               AND post_id IN (SELECT id FROM posts
                               WHERE status IN ('queued', 'publishing', 'needs_attention'))
             ORDER BY COALESCE(next_retry_at, 0), updated_at, post_id",
        )
        .bind(now)
        .fetch_all(pool)
        .await?;
        for (post_id, account_id) in jobs {
            self.try_start(post_id, account_id, false).await?;
        }
        let due: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, account_id FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at <= ?
             ORDER BY scheduled_at, id LIMIT 500",
        )
        .bind(now)
        .fetch_all(pool)
        .await?;
        for (post_id, account_id) in due {
            self.try_start(post_id, account_id, true).await?;
        }

        let next_post: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(scheduled_at) FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at > ?",
        )
        .bind(now)
        .fetch_one(pool)
        .await?;
        let next_retry: Option<i64> = sqlx::query_scalar(
            "SELECT MIN(next_retry_at) FROM publish_jobs
             WHERE state NOT IN ('published', 'failed') AND next_retry_at > ?",
        )
        .bind(now)
        .fetch_one(pool)
        .await?;
        let next_public_id = self.public_id_followups().await?;
        Ok([next_post, next_retry, next_public_id]
            .into_iter()
            .flatten()
            .min())
    }

    /// Starts a publish if a slot is free and its account is idle.
    async fn try_start(
        self: &Arc<Self>,
        post_id: i64,
        account_id: i64,
        claim: bool,
    ) -> CoreResult<()> {
        {
            let running = self.running().lock().expect("running");
            if running.posts.contains_key(&post_id)
                || running.accounts.contains(&account_id)
                || running.posts.len() >= DEFAULT_PARALLEL
            {
                return Ok(());
            }
        }
        if claim && !self.claim_post(post_id).await? {
            return Ok(());
        }
        let mut running = self.running().lock().expect("running");
        if running.posts.contains_key(&post_id) {
            return Ok(());
        }
        running.accounts.insert(account_id);
        let weak = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            let Some(engine) = weak.upgrade() else { return };
            let res = engine.run_publish(post_id).await;
            if let Err(e) = &res {
                tracing::warn!(post_id, error = %e, "publish stopped on an error; trying again later");
                let _ = sqlx::query(
                    "UPDATE publish_jobs SET next_retry_at = ? WHERE post_id = ?
                       AND state NOT IN ('published', 'failed', 'needs_attention')",
                )
                .bind(engine.clock().now_ms() + MAX_SLEEP.as_millis() as i64)
                .bind(post_id)
                .execute(engine.store().pool())
                .await;
            }
            if let Ok(RunEnd::RetryLater) = res {
                tracing::debug!(post_id, "publish waits for a retry");
            }
            {
                let mut running = engine.running().lock().expect("running");
                running.posts.remove(&post_id);
                running.accounts.remove(&account_id);
            }
            engine.wake_scheduler();
        });
        running.posts.insert(post_id, task.abort_handle());
        Ok(())
    }

    /// Scheduled posts due before `before` (the app was closed or asleep): missed, with a
    /// notification each.
    async fn mark_missed(&self, before: i64) -> CoreResult<()> {
        let pool = self.store().pool();
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, account_id FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at < ?",
        )
        .bind(before)
        .fetch_all(pool)
        .await?;
        for (id, account_id) in rows {
            let n = sqlx::query(
                "UPDATE posts SET status = 'missed', updated_at = ? WHERE id = ? AND status = 'scheduled'",
            )
            .bind(self.clock().now_ms())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected();
            if n == 0 {
                continue;
            }
            audit::record(
                pool,
                Some(account_id),
                "post.missed",
                Outcome::Error,
                &format!("post {id}"),
            )
            .await;
            let post = self.post(id).await?;
            self.notify_post(
                &post,
                NotificationKind::Missed,
                "Post missed",
                "Its time passed while Tokdeck was closed or asleep. Publish it now or reschedule it.",
            )
            .await;
            self.events().emit(EngineEvent::PostsChanged {
                post_id: Some(id),
                account_id: Some(account_id),
            });
        }
        Ok(())
    }

    /// Starts the scheduler task; it ends when `stop` changes.
    pub(crate) fn spawn_scheduler(
        self: &Arc<Self>,
        mut stop: tokio::sync::watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        let wake = self.scheduler_wake();
        let clock_moved = self.clock().changed();
        tokio::spawn(async move {
            loop {
                let Some(engine) = weak.upgrade() else { break };
                engine.running().lock().expect("running").passes += 1;
                let next = match engine.scheduler_pass().await {
                    Ok(n) => n,
                    Err(e) => {
                        tracing::warn!(error = %e, "scheduler pass failed");
                        Some(engine.clock().now_ms() + MAX_SLEEP.as_millis() as i64)
                    }
                };
                let now = engine.clock().now_ms();
                drop(engine);
                let sleep =
                    next.map(|t| Duration::from_millis((t - now).max(0) as u64).min(MAX_SLEEP));
                tokio::select! {
                    _ = async {
                        match sleep {
                            Some(d) => tokio::time::sleep(d).await,
                            None => std::future::pending::<()>().await,
                        }
                    } => {}
                    _ = wake.notified() => {}
                    _ = clock_moved.notified() => {}
                    _ = stop.changed() => break,
                }
            }
        })
    }
}
