//! Simulated wall clock. Every TTL (codes, tokens, upload URLs, 24-h caps, rate windows,
//! processing) reads this clock so tests can jump forward instead of sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug)]
pub struct Clock {
    started: Instant,
    epoch_ms_at_start: u64,
    offset_ms: AtomicU64,
}

impl Default for Clock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock {
    pub fn new() -> Self {
        let epoch_ms_at_start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0);
        Self {
            started: Instant::now(),
            epoch_ms_at_start,
            offset_ms: AtomicU64::new(0),
        }
    }

    /// Milliseconds since the Unix epoch, as the simulated world sees it.
    pub fn now_ms(&self) -> u64 {
        // Monotonic base so a system clock step cannot make TTLs run backwards.
        self.epoch_ms_at_start
            + self.started.elapsed().as_millis() as u64
            + self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    pub fn advance_ms(&self, ms: u64) {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
