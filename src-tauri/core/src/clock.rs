//! The engine's wall clock. Production reads the system clock; tests shift it forward to expire
//! flows and tokens without waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// System time plus an offset that only tests change. Cheap to clone; clones share the offset.
#[derive(Debug, Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    /// What [`Self::advance`] added to [`Self::awake_ms`]: in tests that time passed with the
    /// process running, unlike [`Self::advance_unnoticed`] (a suspend).
    awake_offset_ms: Arc<AtomicI64>,
    /// Counts the moves of [`Self::advance`], so the scheduler and the token refresher each look
    /// at the time again at once.
    moved: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self {
            offset_ms: Arc::default(),
            awake_offset_ms: Arc::default(),
            moved: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Milliseconds this process has been running, on the monotonic clock: it stops while the
    /// machine sleeps (Linux, macOS) and ignores wall-clock changes, so the wall clock moving
    /// further than this between two readings means a suspend or a clock jump in between.
    pub fn awake_ms(&self) -> i64 {
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_millis() as i64
            + self.awake_offset_ms.load(Ordering::SeqCst)
    }

    /// Moves this clock (and every clone) forward, as if that much time passed with the process
    /// running.
    pub fn advance(&self, by: Duration) {
        self.awake_offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
        self.moved.send_modify(|n| *n += 1);
    }

    /// Moves this clock forward without telling anyone — what a suspend looks like from inside
    /// the process. For tests of the resume path.
    pub fn advance_unnoticed(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// Changes when [`Self::advance`] moves the clock (each receiver sees every move).
    pub fn moved(&self) -> tokio::sync::watch::Receiver<u64> {
        self.moved.subscribe()
    }
}

/// Epoch milliseconds as RFC 3339 (UTC, millisecond precision), the format of every DTO time.
pub fn rfc3339(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn system_time_ms(t: std::time::SystemTime) -> i64 {
    match t.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(_) => 0,
    }
}
