//! The token refresher worker: refreshes the accounts' tokens before they expire, sleeping
//! until the next one is due or until rung (accounts changed, the clock moved or jumped).

use std::sync::{Arc, Weak};

use crate::accounts::tokens::Tokens;
use crate::ctx::Ctx;

use super::worker::Worker;

/// Starts the refresher; it ends when stopped or when the tokens service is gone.
pub fn spawn(ctx: &Ctx, tokens: &Arc<Tokens>) -> Worker {
    let weak: Weak<Tokens> = Arc::downgrade(tokens);
    let wake = ctx.wakes().refresher.clone();
    let mut clock_moved = ctx.clock().moved();
    Worker::spawn("token refresher", move |mut stop| async move {
        loop {
            let Some(tokens) = weak.upgrade() else { break };
            let sleep = tokens.refresh_due().await;
            drop(tokens);
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake.notified() => {}
                _ = clock_moved.changed() => {}
                _ = stop.changed() => break,
            }
        }
    })
}
