//! What this process is publishing right now, and what the scheduler remembers between its
//! passes (owned by the `Publisher`, behind a mutex).

use std::collections::{HashMap, HashSet};

/// Why posts could not be acted on, for the missed notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unattended {
    ClosedOrAsleep,
    Paused,
}

impl Unattended {
    pub(super) fn body(self) -> &'static str {
        match self {
            Self::ClosedOrAsleep => {
                "Its time passed while Tokdeck was closed or asleep. Publish it now or reschedule it."
            }
            Self::Paused => {
                "Its time passed while publishing was paused. Publish it now or reschedule it."
            }
        }
    }
}

/// Publishes running now.
#[derive(Debug, Default)]
pub(crate) struct Running {
    pub(super) posts: HashMap<i64, tokio::task::AbortHandle>,
    pub(super) accounts: HashSet<i64>,
    /// Scheduler passes since start (the idle-wake-up benchmark reads it).
    pub(super) passes: u64,
    /// Wall and awake time (epoch ms, [`crate::clock::Clock::awake_ms`]) of the last pass.
    pub(super) last_pass: Option<(i64, i64)>,
    /// The earliest instant from which Tokdeck could not act on due posts, not yet judged
    /// (a pass while paused leaves it for the first pass after the pause).
    pub(super) unattended: Option<(i64, Unattended)>,
    /// Due posts that waited for a free slot or for their account while Tokdeck ran.
    pub(super) waited: HashSet<i64>,
    /// When (wall clock) this process first started each post's publish.
    pub(super) started: HashMap<i64, i64>,
    /// Bytes of each upload under way that went out, TikTok's answer not in yet (memory only:
    /// a one-chunk upload confirms nothing until its end, so the tray's percent reads this).
    pub(super) sent: HashMap<i64, u64>,
    /// The grace period (minutes), once read.
    pub(super) grace_minutes: Option<u32>,
    /// The last pass left every upload slot taken (it sleeps until a publish ends).
    pub(super) full: bool,
    /// When (engine clock) the heartbeat was last written by this process.
    pub(super) heartbeat_at: Option<i64>,
    /// Due posts a run that is ending is handing its slot to (post id → account id): the
    /// scheduler starts neither them nor another post of their accounts meanwhile.
    pub(super) handing_off: HashMap<i64, i64>,
}

impl Running {
    pub(crate) fn abort_all(&mut self) {
        for (_, h) in self.posts.drain() {
            h.abort();
        }
        self.accounts.clear();
        self.handing_off.clear();
    }

    /// Whether a post of `account_id` is publishing here, or is being handed a slot.
    pub(super) fn account_busy(&self, account_id: i64) -> bool {
        self.accounts.contains(&account_id) || self.handing_off.values().any(|&a| a == account_id)
    }

    pub(crate) fn active(&self) -> Vec<i64> {
        let mut v: Vec<i64> = self.posts.keys().copied().collect();
        v.sort();
        v
    }
}
