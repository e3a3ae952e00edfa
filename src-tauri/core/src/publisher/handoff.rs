//! The hand-off: a publish that ends published gives its upload slot straight to the due post
//! that waits for one — the post the scheduler's next pass would start — in the transaction
//! that writes its final state (`db::publish_jobs::write_state_and_claim`).
//!
//! Without it, a slot freed on a busy machine stayed idle for a second transaction and a
//! scheduler pass (a wake-up, two reads, the claim's transaction), each step waiting for a CPU
//! (issue 17's P2 under load: a mean 1.6 ms of idle slot a publish, 14 % of a publish). The
//! scheduler still decides whenever a hand-off could differ from its pass: publishing paused,
//! a stretch it has not judged (a suspend or clock jump may have made due posts missed), a
//! resumed or retried job waiting (it runs those first), or nothing due.

use crate::db::publish_jobs::Claim;
use crate::db::schedule::{self as db, DuePost};
use crate::events::EngineEvent;

use super::running::Running;
use super::scheduler::CLOCK_SLACK_MS;
use super::Publisher;

/// A due post reserved for a hand-off: until [`Publisher::hand_off`] takes it, the scheduler
/// starts neither it nor another post of its account. Dropped any other way (the final state
/// not written, the run stopped or panicking), it gives the post back to the scheduler, so no
/// reservation outlives its run.
pub(super) struct Reserved<'a> {
    publisher: &'a Publisher,
    pub(super) target: DuePost,
}

impl Drop for Reserved<'_> {
    fn drop(&mut self) {
        let freed = {
            let mut running = match self.publisher.running.lock() {
                Ok(r) => r,
                Err(poisoned) => poisoned.into_inner(),
            };
            running.handing_off.remove(&self.target.id).is_some()
        };
        if freed {
            self.publisher.ctx.wake_scheduler();
        }
    }
}

impl Publisher {
    /// The due post the slot of `post_id` goes to when it ends now, reserved for it; `None`
    /// when the scheduler decides, or when this run holds no slot here (a creator's Check
    /// again). A read that fails leaves the choice to the scheduler.
    pub(super) async fn handoff_target(
        &self,
        post_id: i64,
        account_id: i64,
    ) -> Option<Reserved<'_>> {
        if self.settings.get().await.publishing_paused {
            return None;
        }
        let now = self.ctx.clock().now_ms();
        let (busy, running) = {
            let running = self.running.lock().expect("running");
            if !running.posts.contains_key(&post_id) || !self.judged(&running, now) {
                return None;
            }
            let busy: Vec<i64> = running
                .accounts
                .iter()
                .chain(running.handing_off.values())
                .copied()
                .filter(|&a| a != account_id)
                .collect();
            let ids: Vec<i64> = running
                .posts
                .keys()
                .chain(running.handing_off.keys())
                .copied()
                .collect();
            (busy, ids)
        };
        let target = match db::handoff_candidate(self.ctx.pool(), now, &busy, &running).await {
            Ok(t) => t?,
            Err(e) => {
                tracing::debug!(error = %e, "no hand-off: the due posts could not be read");
                return None;
            }
        };
        let mut running = self.running.lock().expect("running");
        // Started, or its account taken, while the read ran.
        let taken = running.posts.contains_key(&target.id)
            || running.handing_off.contains_key(&target.id)
            || (target.account_id != account_id && running.account_busy(target.account_id));
        if taken || !running.posts.contains_key(&post_id) {
            return None;
        }
        running.handing_off.insert(target.id, target.account_id);
        Some(Reserved {
            publisher: self,
            target,
        })
    }

    /// Whether every stretch since the last pass is one the scheduler has judged: no pause or
    /// suspend left for it, and the wall clock kept pace with awake time since.
    fn judged(&self, running: &Running, now: i64) -> bool {
        let Some((wall, awake)) = running.last_pass else {
            return false;
        };
        let away = (now - wall) - (self.ctx.clock().awake_ms() - awake);
        running.unattended.is_none() && away <= CLOCK_SLACK_MS
    }

    /// After the run's final state was written with the claim of `target` (`claim`: what the
    /// claim did): the slot and the account are the next post's, whose run starts now — or,
    /// when nothing was claimed, free, and the scheduler is rung (as [`Self::release_slot`]).
    pub(super) fn hand_off(
        &self,
        post_id: i64,
        account_id: i64,
        reserved: Reserved<'_>,
        claim: Option<Claim>,
    ) {
        let target = reserved.target;
        let started = {
            let mut running = self.running.lock().expect("running");
            running.handing_off.remove(&target.id);
            if running.posts.remove(&post_id).is_none() {
                // Every publish was stopped meanwhile (shutdown): a claimed post is a queued
                // job that the next start resumes.
                return;
            }
            running.accounts.remove(&account_id);
            let free =
                !running.posts.contains_key(&target.id) && !running.account_busy(target.account_id);
            if claim == Some(Claim::Claimed) && free {
                let now = self.ctx.clock().now_ms();
                running.accounts.insert(target.account_id);
                running.started.entry(target.id).or_insert(now);
                // It came due while the slot was taken.
                running.waited.insert(target.id);
                let task = self.spawn_run(target.id, target.account_id);
                running.posts.insert(target.id, task);
                true
            } else {
                // Claimed but its account got busy meanwhile: a queued job, which the
                // scheduler runs once the account is free.
                false
            }
        };
        if claim == Some(Claim::Parked) {
            self.ctx.events().emit(EngineEvent::PostsChanged {
                post_id: Some(target.id),
                account_id: Some(target.account_id),
            });
        }
        if started {
            tracing::debug!(from = post_id, to = target.id, "upload slot handed on");
        } else {
            self.ctx.wake_scheduler();
        }
    }
}
