//! Per-token sliding-window rate limits (reference §6.1).

use std::collections::{HashMap, VecDeque};

use crate::faults::Endpoint;

#[derive(Debug, Default)]
pub struct RateLimiter {
    hits: HashMap<(String, Endpoint), VecDeque<u64>>,
}

/// Requests allowed per window; `None` = not limited (limits undocumented).
pub fn limit_for(ep: Endpoint) -> Option<usize> {
    match ep {
        Endpoint::VideoInit | Endpoint::InboxInit => Some(6),
        Endpoint::CreatorInfo => Some(20),
        Endpoint::Status => Some(30),
        Endpoint::UserInfo | Endpoint::VideoList | Endpoint::VideoQuery => Some(600),
        _ => None,
    }
}

impl RateLimiter {
    /// Records the hit and returns true if it fits in the window; a refused hit is not
    /// recorded, so a client that backs off is let through once the window slides.
    pub fn allow(&mut self, token: &str, ep: Endpoint, window_ms: u64, now_ms: u64) -> bool {
        let Some(limit) = limit_for(ep) else {
            return true;
        };
        let q = self.hits.entry((token.to_string(), ep)).or_default();
        while q.front().is_some_and(|&t| t + window_ms <= now_ms) {
            q.pop_front();
        }
        if q.len() >= limit {
            return false;
        }
        q.push_back(now_ms);
        true
    }
}
