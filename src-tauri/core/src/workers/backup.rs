//! The daily backup: a day after the newest daily backup (at start when that is already
//! past), a checked copy into `backups/`. A failure is reported by `Backups` (status,
//! activity log, notification) and tried again in an hour, never silently skipped.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::backup::Backups;
use crate::db::backup::BackupKind;

use super::worker::Worker;

const EVERY: chrono::Duration = chrono::Duration::hours(24);
const RETRY: Duration = Duration::from_secs(3600);

pub fn spawn(backups: &Arc<Backups>) -> Worker {
    let weak: Weak<Backups> = Arc::downgrade(backups);
    Worker::spawn("daily backup", move |mut stop| async move {
        loop {
            let Some(backups) = weak.upgrade() else {
                return;
            };
            let now = chrono::Utc::now();
            let due = backups.last_daily().map_or(now, |last| last + EVERY);
            let wait = if due <= now {
                let ran = tokio::select! {
                    r = backups.run_automatic(BackupKind::Daily) => r,
                    _ = stop.changed() => return,
                };
                if ran.is_ok() {
                    EVERY.to_std().unwrap_or(RETRY)
                } else {
                    RETRY
                }
            } else {
                (due - now).to_std().unwrap_or(RETRY)
            };
            // A held `Arc` would keep the engine's services alive through the sleep.
            drop(backups);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => return,
            }
        }
    })
}
