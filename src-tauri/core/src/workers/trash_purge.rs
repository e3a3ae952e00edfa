//! The Trash clean-up: at start and then once a day, posts in Trash for more than
//! [`crate::posts::KEEP_DAYS`] days are removed for good (their rows and Tokdeck's
//! thumbnails; never the creator's video files).

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::posts::service::Posts;

use super::worker::Worker;

/// How often the clean-up runs after the first pass at start.
const EVERY: Duration = Duration::from_secs(24 * 3600);

pub fn spawn(posts: &Arc<Posts>) -> Worker {
    let weak: Weak<Posts> = Arc::downgrade(posts);
    Worker::spawn("trash clean-up", move |mut stop| async move {
        loop {
            let Some(posts) = weak.upgrade() else {
                return;
            };
            let purged = tokio::select! {
                purged = posts.purge_trash() => purged,
                _ = stop.changed() => return,
            };
            // A held `Arc` would keep the engine's posts alive through the day's sleep.
            drop(posts);
            match purged {
                Ok(0) => {}
                Ok(n) => tracing::info!(posts = n, "removed posts kept in Trash for 30 days"),
                Err(e) => tracing::warn!(error = %e, "could not clean up Trash"),
            }
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.changed() => return,
            }
        }
    })
}
