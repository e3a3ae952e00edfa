//! Client-side pacing under TikTok's per-token rate limits.
//!
//! TikTok counts requests per access token per endpoint in a sliding window (one minute) and
//! answers 429 beyond the limit. Waiting locally is cheaper than collecting 429s, and for inits it
//! avoids wasting one of only six slots a minute. Each permit occupies a slot from the moment the
//! request is sent until `window` after its answer arrived: the server stamps a request somewhere
//! between those two instants, so measuring from the answer can never let a request reach the
//! server earlier than `window` after the one it replaces.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::tokens::AccessToken;

/// Endpoint groups that have their own limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateGroup {
    /// `POST /v2/post/publish/video/init/`: 6 per window.
    VideoInit,
    /// `POST /v2/post/publish/inbox/video/init/`: 6 per window.
    InboxInit,
    /// `POST /v2/post/publish/creator_info/query/`: 20 per window.
    CreatorInfo,
    /// `POST /v2/post/publish/status/fetch/`: 30 per window.
    StatusFetch,
    /// `GET /v2/user/info/`: 600 per window.
    UserInfo,
    /// `POST /v2/video/list/`: 600 per window.
    VideoList,
    /// `POST /v2/video/query/`: 600 per window.
    VideoQuery,
}

impl RateGroup {
    /// Requests allowed per window per access token.
    pub fn limit(self) -> usize {
        match self {
            Self::VideoInit | Self::InboxInit => 6,
            Self::CreatorInfo => 20,
            Self::StatusFetch => 30,
            Self::UserInfo | Self::VideoList | Self::VideoQuery => 600,
        }
    }
}

#[derive(Default)]
struct Window {
    next_id: u64,
    /// (permit id, instant its answer arrived; None while in flight)
    slots: Vec<(u64, Option<Instant>)>,
}

type Key = ([u8; 16], RateGroup);

/// Sliding-window pacer shared by all calls of one client.
#[derive(Clone)]
pub struct Pacer {
    window: Duration,
    state: Arc<Mutex<HashMap<Key, Window>>>,
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("window", &self.window)
            .finish()
    }
}

/// A taken slot. Dropping it (or calling [`Permit::done`]) starts the slot's window.
pub struct Permit {
    pacer: Pacer,
    key: Key,
    id: u64,
}

impl Permit {
    /// Marks the request as answered now.
    pub fn done(self) {}
}

impl Drop for Permit {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut state = self.pacer.state.lock().expect("pacer lock");
        if let Some(w) = state.get_mut(&self.key) {
            if let Some(slot) = w.slots.iter_mut().find(|(id, _)| *id == self.id) {
                slot.1 = Some(now);
            }
        }
    }
}

impl Pacer {
    /// A pacer with the given window (TikTok: one minute).
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            state: Arc::default(),
        }
    }

    /// The window length.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// Waits until `token` may make one more request in `group`, then takes a slot.
    pub async fn acquire(&self, token: &AccessToken, group: RateGroup) -> Permit {
        // Keyed by a digest so the pacer never holds token values.
        let digest = Sha256::digest(token.secret().as_bytes());
        let mut short = [0u8; 16];
        short.copy_from_slice(&digest[..16]);
        let key = (short, group);
        let mut waited = false;
        loop {
            let wait = {
                let now = Instant::now();
                let mut state = self.state.lock().expect("pacer lock");
                let w = state.entry(key).or_default();
                let window = self.window;
                w.slots
                    .retain(|(_, done)| done.is_none_or(|t| t + window > now));
                if w.slots.len() < group.limit() {
                    let id = w.next_id;
                    w.next_id += 1;
                    w.slots.push((id, None));
                    if waited {
                        tracing::debug!(?group, "pacing: slot free after waiting");
                    }
                    return Permit {
                        pacer: self.clone(),
                        key,
                        id,
                    };
                }
                // Earliest expiry among answered slots; if every slot is in flight, poll.
                w.slots
                    .iter()
                    .filter_map(|(_, d)| d.map(|t| t + window - now))
                    .min()
                    .unwrap_or(Duration::from_millis(10))
            };
            waited = true;
            tracing::debug!(?group, ?wait, "pacing: rate limit window full, waiting");
            tokio::time::sleep(wait + Duration::from_millis(1)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_the_window_and_keys_by_token() {
        let pacer = Pacer::new(Duration::from_millis(200));
        let a = AccessToken::new("act.a");
        let b = AccessToken::new("act.b");
        let start = Instant::now();
        for _ in 0..6 {
            pacer.acquire(&a, RateGroup::VideoInit).await.done();
        }
        // Another token and another group are independent.
        pacer.acquire(&b, RateGroup::VideoInit).await.done();
        pacer.acquire(&a, RateGroup::InboxInit).await.done();
        assert!(start.elapsed() < Duration::from_millis(100));
        pacer.acquire(&a, RateGroup::VideoInit).await.done();
        assert!(start.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn in_flight_permits_hold_their_slot() {
        let pacer = Pacer::new(Duration::from_millis(50));
        let t = AccessToken::new("act.t");
        let held: Vec<Permit> =
            futures_util::future::join_all((0..6).map(|_| pacer.acquire(&t, RateGroup::InboxInit)))
                .await;
        let p2 = pacer.clone();
        let t2 = t.clone();
        let waiter = tokio::spawn(async move {
            let s = Instant::now();
            p2.acquire(&t2, RateGroup::InboxInit).await.done();
            s.elapsed()
        });
        tokio::time::sleep(Duration::from_millis(120)).await;
        drop(held);
        let waited = waiter.await.unwrap();
        assert!(waited >= Duration::from_millis(170), "{waited:?}");
    }
}
