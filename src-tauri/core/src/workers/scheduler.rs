//! The scheduler worker: runs the publisher's passes, sleeping until the next due time (never
//! longer than [`MAX_SLEEP`]) or until rung: posts or settings changed, a publish ended, the
//! engine clock moved, the wall clock jumped. With nothing due it waits only for those.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::ctx::Ctx;
use crate::publisher::scheduler::MAX_SLEEP;
use crate::publisher::Publisher;

use super::worker::Worker;

/// Starts the scheduler; it ends when stopped or when the publisher is gone.
pub fn spawn(ctx: &Ctx, publisher: &Arc<Publisher>) -> Worker {
    let weak: Weak<Publisher> = Arc::downgrade(publisher);
    let wake = ctx.wakes().scheduler.clone();
    let mut clock_moved = ctx.clock().moved();
    let clock = ctx.clock().clone();
    Worker::spawn("scheduler", move |mut stop| async move {
        loop {
            let Some(publisher) = weak.upgrade() else {
                break;
            };
            publisher.count_pass();
            let next = match publisher.scheduler_pass().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "scheduler pass failed");
                    Some(clock.now_ms() + MAX_SLEEP.as_millis() as i64)
                }
            };
            let now = clock.now_ms();
            drop(publisher);
            let sleep = next.map(|t| Duration::from_millis((t - now).max(0) as u64).min(MAX_SLEEP));
            tokio::select! {
                _ = async {
                    match sleep {
                        Some(d) => tokio::time::sleep(d).await,
                        None => std::future::pending::<()>().await,
                    }
                } => {}
                _ = wake.notified() => {}
                _ = clock_moved.changed() => {}
                _ = stop.changed() => break,
            }
        }
    })
}
