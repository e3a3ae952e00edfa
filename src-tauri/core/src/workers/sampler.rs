//! The analytics sampler worker: runs `Analytics::sampler_pass`, sleeping until the next
//! sample, walk or retry is due (never longer than [`MAX_SLEEP`], never shorter than
//! [`MIN_SLEEP`] unless woken), or until rung: an account connected or removed, a post
//! published, the engine clock moved, the wall clock jumped (resume from sleep). Idle, it
//! wakes once per [`MAX_SLEEP`], far under two wake-ups a minute.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::analytics::Analytics;
use crate::ctx::Ctx;
use crate::events::EngineEvent;
use crate::publisher::state::PublishStep;

use super::worker::Worker;

/// The longest sleep: re-reads the clock at least this often (resume is also a bell on Linux).
pub const MAX_SLEEP: Duration = Duration::from_secs(10 * 60);
/// The shortest sleep between passes that were not rung, so a row due again at once (a bug)
/// can never make the worker spin.
pub const MIN_SLEEP: Duration = Duration::from_secs(1);

/// How long the sampler waits after the app starts before its first pass (production): the
/// start belongs to resuming publishes and the creator's first clicks, and analytics can wait.
pub const START_DELAY: Duration = Duration::from_secs(30);

/// Starts the sampler, first pass after `start_delay`; it ends when stopped or when the
/// analytics service is gone.
pub fn spawn(ctx: &Ctx, analytics: &Arc<Analytics>, start_delay: Duration) -> Worker {
    let weak: Weak<Analytics> = Arc::downgrade(analytics);
    let wake = ctx.wakes().sampler.clone();
    let mut clock_moved = ctx.clock().moved();
    let mut events = ctx.events().subscribe();
    let clock = ctx.clock().clone();
    Worker::spawn("analytics sampler", move |mut stop| async move {
        tokio::select! {
            _ = tokio::time::sleep(start_delay) => {}
            _ = stop.changed() => return,
        }
        loop {
            let Some(analytics) = weak.upgrade() else {
                break;
            };
            // Publishes told of before this pass are all in it: one pass for them, not one each.
            while let Ok(_) | Err(TryRecvError::Lagged(_)) = events.try_recv() {}
            let pass_started = tokio::time::Instant::now();
            let next = match analytics.sampler_pass().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "analytics pass failed");
                    Some(clock.now_ms() + MAX_SLEEP.as_millis() as i64)
                }
            };
            drop(analytics);
            let now = clock.now_ms();
            let sleep = next.map_or(MAX_SLEEP, |t| {
                Duration::from_millis((t - now).max(0) as u64).clamp(MIN_SLEEP, MAX_SLEEP)
            });
            let published = async {
                loop {
                    match events.recv().await {
                        Ok(EngineEvent::PublishStateChanged {
                            state: PublishStep::Published,
                            ..
                        }) => {
                            // Publishes in a row ring it at most once per MIN_SLEEP: a pass
                            // per post would compete with the publisher for the CPU and the
                            // write lock while posts are due.
                            tokio::time::sleep_until(pass_started + MIN_SLEEP).await;
                            return;
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => std::future::pending::<()>().await,
                    }
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
                _ = clock_moved.changed() => {}
                _ = published => {}
                _ = stop.changed() => break,
            }
        }
    })
}
