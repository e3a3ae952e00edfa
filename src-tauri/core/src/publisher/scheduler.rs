//! The scheduler's passes: one worker (`crate::workers::scheduler`) owns the clock and runs them.
//!
//! Each pass reads SQLite: due posts are claimed for the publisher, and jobs waiting for a retry
//! whose time came are run again — at most [`DEFAULT_PARALLEL`] at once, one at a time per
//! account. A due post that finds no free slot waits, however long, and starts when one frees:
//! the publish that frees it hands it on (`handoff`), or else the next pass starts it.
//! A post is `missed` only when its time passed while Tokdeck could not act on it — closed,
//! asleep, its clock jumped, or publishing paused — for longer than the grace period. The
//! scheduler tells those stretches apart from waiting by comparing the wall clock with the
//! process's awake time between passes, and across restarts by a heartbeat in SQLite.
//!
//! Then it sleeps until the next due time, never longer than [`MAX_SLEEP`] (so a suspend or a
//! clock change cannot delay a post by more than that), and wakes at once when posts or
//! settings change, a publish ends, or the engine clock is moved. With nothing due it waits
//! only for those wake-ups.

use std::sync::Arc;
use std::time::Duration;

use crate::audit::Outcome;
use crate::db::audit;
use crate::db::schedule as db;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};

use super::running::Unattended;
use super::state::RunEnd;
use super::Publisher;

/// Longest sleep before the wall clock is read again.
pub const MAX_SLEEP: Duration = Duration::from_secs(30);
/// Posts late by less than this are still published (minutes).
pub const DEFAULT_GRACE_MINUTES: u32 = 60;
/// Uploads running at once (over all accounts).
pub const DEFAULT_PARALLEL: usize = 2;
/// Due posts a pass reads at a time: a few more than it can start, for posts whose account is
/// busy (it reads on while a slot is still free).
const DUE_PAGE: i64 = 8;
const GRACE_KEY: &str = "publisher.missed_grace_minutes";
/// The wall-clock time of the last scheduler pass that could publish (epoch ms). At start, the
/// stretch since then is time Tokdeck was not running.
const HEARTBEAT_KEY: &str = "scheduler.alive_at";
/// The heartbeat is written again after this much engine time (ms); staler by at most that.
const HEARTBEAT_EVERY_MS: i64 = 5_000;
/// Wall clock ahead of awake time by less than this between two passes is timer jitter, not a
/// suspend or a clock jump.
pub(super) const CLOCK_SLACK_MS: i64 = 2_000;
/// Published this late or later, the "Posted" notification says why.
const LATE_NOTE_MS: i64 = 2 * 60_000;

impl Publisher {
    /// How late a post may be (after the app was closed, asleep or paused) and still be
    /// published. Waiting for a free publish slot does not count.
    ///
    /// Read once, then kept in memory (only [`Self::set_missed_grace_minutes`] changes it): a
    /// scheduler pass runs before every claim.
    pub async fn missed_grace_minutes(&self) -> CoreResult<u32> {
        if let Some(m) = self.running.lock().expect("running").grace_minutes {
            return Ok(m);
        }
        let value = db::setting(self.ctx.pool(), GRACE_KEY).await?;
        let minutes = value
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_GRACE_MINUTES);
        // A change written meanwhile wins over what was read before it.
        Ok(*self
            .running
            .lock()
            .expect("running")
            .grace_minutes
            .get_or_insert(minutes))
    }

    pub async fn set_missed_grace_minutes(&self, minutes: u32) -> CoreResult<u32> {
        if minutes > 7 * 24 * 60 {
            return Err(CoreError::InvalidInput(
                "The grace period can be at most a week.".into(),
            ));
        }
        db::set_setting(
            self.ctx.pool(),
            GRACE_KEY,
            &minutes.to_string(),
            &chrono::Utc::now().to_rfc3339(),
        )
        .await?;
        self.running.lock().expect("running").grace_minutes = Some(minutes);
        self.ctx.wake_scheduler();
        Ok(minutes)
    }

    /// Scheduler passes (wake-ups) since the engine started.
    pub fn scheduler_wakeups(&self) -> u64 {
        self.running.lock().expect("running").passes
    }

    /// Post ids being published right now.
    pub fn active_publishes(&self) -> Vec<i64> {
        self.running.lock().expect("running").active()
    }

    /// One pass: missed posts, due posts, due retries. Answers when to look again (epoch ms),
    /// `None` when nothing is waiting for a time.
    pub(crate) async fn scheduler_pass(self: &Arc<Self>) -> CoreResult<Option<i64>> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let unattended = self.unattended_since(now).await?;
        let paused = self.settings.get().await.publishing_paused;
        let judged = {
            let mut running = self.running.lock().expect("running");
            let mut earliest = running.unattended.take();
            for u in [unattended, paused.then_some((now, Unattended::Paused))]
                .into_iter()
                .flatten()
            {
                earliest = Some(earliest.map_or(u, |e| if u.0 < e.0 { u } else { e }));
            }
            if paused {
                running.unattended = earliest;
                return Ok(None);
            }
            if earliest.is_some_and(|(since, _)| now.saturating_sub(since) >= LATE_NOTE_MS) {
                // Lateness from here on is not (only) the waiting's doing.
                running.waited.clear();
            }
            earliest
        };
        let grace_ms = i64::from(self.missed_grace_minutes().await?) * 60_000;
        let cutoff = now - grace_ms;
        if let Some((since, why)) = judged {
            // Missed: due before `now - grace` and unattended since before it, i.e. nothing
            // could act on it for longer than the grace.
            if since < cutoff {
                if let Err(e) = self.mark_missed(cutoff, why).await {
                    // Judged again at the next pass, not forgotten.
                    self.running.lock().expect("running").unattended = judged;
                    return Err(e);
                }
            }
        }

        // Resumed or retried jobs first, then newly due posts.
        // Posts waiting for the keychain are needs-attention jobs with a retry time.
        let jobs = db::due_jobs(pool, now).await?;
        for (post_id, account_id) in jobs {
            self.try_start(post_id, account_id, false).await?;
        }
        // The last pass left every slot taken: whatever came due since waited for one.
        let after_full = std::mem::take(&mut self.running.lock().expect("running").full);
        let mut waiting = false;
        // Page by page, and only while a slot is free: the posts after those a pass reads wait
        // for a slot either way, and are counted as having waited when they start (the pass
        // that starts them follows one that left every slot taken).
        let mut after = None;
        loop {
            let page = db::due_posts_page(pool, now, after, DUE_PAGE).await?;
            for post in &page {
                let started = self.try_start(post.id, post.account_id, true).await?;
                if !started || after_full {
                    self.running.lock().expect("running").waited.insert(post.id);
                }
                waiting |= !started;
            }
            let slots_taken = self.running.lock().expect("running").posts.len() >= DEFAULT_PARALLEL;
            if page.len() < DUE_PAGE as usize || slots_taken {
                waiting |= page.len() == DUE_PAGE as usize;
                break;
            }
            after = page.last().copied();
        }
        // Every slot taken: a post coming due cannot start before a publish ends, and the end
        // rings the scheduler. Waking at each due time meanwhile would only compete with the
        // publishes for the CPU and the database (under load, a pass per due post).
        let full = {
            let mut running = self.running.lock().expect("running");
            running.full = running.posts.len() >= DEFAULT_PARALLEL;
            running.full
        };

        // After the claims, not before: this write is not what a due post waits for.
        self.write_heartbeat(now).await?;
        let (next_post, next_retry) = if full {
            (None, None)
        } else {
            (
                db::next_post_at(pool, now).await?,
                db::next_retry_at(pool, now).await?,
            )
        };
        let next_public_id = self.public_id_followups().await?;
        // While posts wait for a slot, keep the heartbeat fresh: after a restart they are judged
        // by how long Tokdeck was away, not by how long they waited.
        let heartbeat = (waiting || full).then_some(now + MAX_SLEEP.as_millis() as i64);
        Ok([next_post, next_retry, next_public_id, heartbeat]
            .into_iter()
            .flatten()
            .min())
    }

    /// Since when (epoch ms) Tokdeck could not act on due posts, as far as this pass can tell:
    /// at the first pass, since the heartbeat of the last run (or always, with none); later,
    /// the stretch by which the wall clock outran awake time since the last pass (a suspend or
    /// a clock jump), taken as ending now. `None` when the engine ran all along.
    async fn unattended_since(&self, now: i64) -> CoreResult<Option<(i64, Unattended)>> {
        let awake = self.ctx.clock().awake_ms();
        let prev = self.running.lock().expect("running").last_pass;
        let since = match prev {
            Some((wall, was_awake)) => {
                let away = (now - wall) - (awake - was_awake);
                (away > CLOCK_SLACK_MS).then_some(now - away)
            }
            None => Some(self.heartbeat().await?.unwrap_or(i64::MIN)),
        };
        self.running.lock().expect("running").last_pass = Some((now, awake));
        Ok(since.map(|s| (s, Unattended::ClosedOrAsleep)))
    }

    async fn heartbeat(&self) -> CoreResult<Option<i64>> {
        let value = db::setting(self.ctx.pool(), HEARTBEAT_KEY).await?;
        Ok(value.and_then(|v| v.parse().ok()))
    }

    /// Writes the heartbeat, at most once per [`HEARTBEAT_EVERY_MS`] of engine time: it is read
    /// only at the next start, in minutes against the grace. Every pass wrote it before (one
    /// fsync'd write per pass, two per post while posts kept coming due — the largest part of a
    /// pass in P2 under load: p50 7 ms, p99 206 ms).
    async fn write_heartbeat(&self, now: i64) -> CoreResult<()> {
        {
            let mut running = self.running.lock().expect("running");
            if running
                .heartbeat_at
                .is_some_and(|at| (now - at).abs() < HEARTBEAT_EVERY_MS)
            {
                return Ok(());
            }
            running.heartbeat_at = Some(now);
        }
        let written = db::set_setting(
            self.ctx.pool(),
            HEARTBEAT_KEY,
            &now.to_string(),
            &crate::clock::rfc3339(now),
        )
        .await;
        if written.is_err() {
            self.running.lock().expect("running").heartbeat_at = None;
        }
        written
    }

    /// Why a post was published late, for the "Posted" notification (empty under 2 minutes).
    pub(crate) fn late_note(&self, post_id: i64, late_min: i64) -> String {
        if late_min < LATE_NOTE_MS / 60_000 {
            return String::new();
        }
        let running = self.running.lock().expect("running");
        let started_late_ms = running
            .started
            .get(&post_id)
            .map(|at| late_min * 60_000 - (self.ctx.clock().now_ms() - at));
        let why = if running.waited.contains(&post_id) {
            "it waited for other posts to finish publishing"
        } else if started_late_ms.is_some_and(|l| l < LATE_NOTE_MS) {
            "it started on time; the upload, TikTok's processing or retries took that long"
        } else {
            "Tokdeck was closed or asleep at the scheduled time"
        };
        format!(" Published {late_min} min late: {why}.")
    }

    /// Starts a publish if a slot is free and its account is idle. Answers false when the post
    /// has to wait for a slot or its account.
    async fn try_start(&self, post_id: i64, account_id: i64, claim: bool) -> CoreResult<bool> {
        {
            let running = self.running.lock().expect("running");
            if running.posts.contains_key(&post_id) || running.handing_off.contains_key(&post_id) {
                return Ok(true);
            }
            if running.account_busy(account_id) || running.posts.len() >= DEFAULT_PARALLEL {
                return Ok(false);
            }
        }
        if claim && !self.claim_post(post_id).await? {
            return Ok(true);
        }
        let mut running = self.running.lock().expect("running");
        if running.posts.contains_key(&post_id) {
            return Ok(true);
        }
        running.accounts.insert(account_id);
        let now = self.ctx.clock().now_ms();
        running.started.entry(post_id).or_insert(now);
        let task = self.spawn_run(post_id, account_id);
        running.posts.insert(post_id, task);
        Ok(true)
    }

    /// Runs a publish in its own task; when it ends, frees its slot and account (unless its end
    /// released or handed them on already) and rings the scheduler. The caller holds the
    /// `running` lock and records the handle.
    pub(super) fn spawn_run(&self, post_id: i64, account_id: i64) -> tokio::task::AbortHandle {
        let weak = self.me.clone();
        tokio::spawn(async move {
            let Some(publisher) = weak.upgrade() else {
                return;
            };
            let res = publisher.run_publish(post_id).await;
            if let Err(e) = &res {
                tracing::warn!(post_id, error = %e, "publish stopped on an error; trying again later");
                let at = publisher.ctx.clock().now_ms() + MAX_SLEEP.as_millis() as i64;
                let _ =
                    crate::db::publish_jobs::retry_unfinished_at(publisher.ctx.pool(), post_id, at)
                        .await;
            }
            if let Ok(RunEnd::RetryLater) = res {
                tracing::debug!(post_id, "publish waits for a retry");
            }
            let freed = {
                let mut running = publisher.running.lock().expect("running");
                // Released already when the run's last state was written (`release_slot`,
                // a hand-off): the account may be another publish's by now.
                let freed = running.posts.remove(&post_id).is_some();
                if freed {
                    running.accounts.remove(&account_id);
                }
                if let Ok(RunEnd::Done) = res {
                    running.waited.remove(&post_id);
                    running.started.remove(&post_id);
                }
                freed
            };
            if freed {
                publisher.ctx.wake_scheduler();
            }
        })
        .abort_handle()
    }

    /// Frees the publish slot and the account of a run whose final state is written, before
    /// the run's remaining local work (its audit line and notification), and lets the scheduler
    /// start the next due post now: that work is no upload, and a post waiting for the slot
    /// would wait for it (an fsync'd audit write and a read: in P2 under load, p50 1 ms but
    /// p99 56 ms, a mean 5 ms of idle slot per publish of 68 ms).
    pub(super) fn release_slot(&self, post_id: i64, account_id: i64) {
        {
            let mut running = self.running.lock().expect("running");
            if running.posts.remove(&post_id).is_none() {
                return;
            }
            running.accounts.remove(&account_id);
        }
        self.ctx.wake_scheduler();
    }

    /// Scheduled posts due before `before` that nothing could act on for longer than the
    /// grace: missed, with a notification each saying `why`.
    async fn mark_missed(&self, before: i64, why: Unattended) -> CoreResult<()> {
        let pool = self.ctx.pool();
        let rows = db::overdue_posts(pool, before).await?;
        for (id, account_id) in rows {
            if !db::mark_missed(pool, id, self.ctx.clock().now_ms()).await? {
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
            let post = self.posts.post(id).await?;
            self.notify_post(&post, NotificationKind::Missed, "Post missed", why.body())
                .await;
            self.ctx.events().emit(EngineEvent::PostsChanged {
                post_id: Some(id),
                account_id: Some(account_id),
            });
        }
        Ok(())
    }

    /// Counts a scheduler pass (the worker calls it before each one).
    pub(crate) fn count_pass(&self) {
        self.running.lock().expect("running").passes += 1;
    }

    /// Publishes in flight stop where they are; their persisted state resumes them at the next
    /// start.
    pub(crate) fn abort_all(&self) {
        self.running.lock().expect("running").abort_all();
    }
}
