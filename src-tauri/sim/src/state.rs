//! The simulator's shared, in-memory world and the helpers every handler needs.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Account};
use crate::app::DevApp;
use crate::behaviour::Behaviour;
use crate::clock::Clock;
use crate::errors::ApiError;
use crate::faults::{Endpoint, FaultBook};
use crate::post_index::PostIndex;
use crate::posts::{self, Post};
use crate::rate::RateLimiter;
use crate::tokens::{Bearer, TokenStore};

#[derive(Debug, Clone)]
pub struct AuthCode {
    pub client_key: String,
    pub open_id: String,
    pub scopes: Vec<String>,
    pub redirect_uri: String,
    pub challenge: String,
    pub expires_ms: u64,
    pub used: bool,
}

/// A `/__sim/consent` waiting for the next authorize request.
#[derive(Debug, Clone)]
pub struct PendingConsent {
    pub open_id: String,
    pub scopes: Option<Vec<String>>,
    pub deny: Option<String>,
}

#[derive(Debug, Default)]
pub struct State {
    pub app: DevApp,
    pub accounts: Vec<Account>,
    pub codes: HashMap<String, AuthCode>,
    pub tokens: TokenStore,
    /// Appended through [`State::add_post`] only, so that `index` stays true.
    pub posts: Vec<Post>,
    index: PostIndex,
    pub faults: FaultBook,
    pub rate: RateLimiter,
    pub requests: BTreeMap<String, u64>,
    pub pending_consent: Option<PendingConsent>,
    pub behaviour: Behaviour,
}

impl State {
    pub fn fresh(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            ..Self::default()
        }
    }

    pub fn account(&self, open_id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.open_id == open_id)
    }

    pub fn account_mut(&mut self, open_id: &str) -> Option<&mut Account> {
        self.accounts.iter_mut().find(|a| a.open_id == open_id)
    }

    /// Finishes the publishes whose processing time has come (only those still in flight
    /// are looked at).
    pub fn settle(&mut self, now_ms: u64) {
        let from = self.indexed().unsettled_from();
        posts::settle(&mut self.posts[from..], &mut self.accounts, now_ms);
        self.index.advance_settled(&self.posts);
    }

    /// Appends a publish to the world.
    pub fn add_post(&mut self, post: Post) {
        self.index.add(self.posts.len(), &post);
        self.posts.push(post);
    }

    /// Indexes the publishes again (after they were replaced: a loaded world).
    pub fn reindex(&mut self) {
        self.index = PostIndex::of(&self.posts);
        self.index.advance_settled(&self.posts);
    }

    /// The index, checked to cover every publish (none appended past [`Self::add_post`]).
    fn indexed(&self) -> &PostIndex {
        debug_assert_eq!(
            self.index.len(),
            self.posts.len(),
            "posts added past add_post"
        );
        &self.index
    }

    /// The publish with this id (its place in `posts`).
    pub fn post_by_publish_id(&self, publish_id: &str) -> Option<usize> {
        self.indexed().publish(publish_id)
    }

    /// The publish whose upload this is (its place in `posts`).
    pub fn post_by_upload_id(&self, upload_id: &str) -> Option<usize> {
        self.indexed().upload(upload_id)
    }

    /// The creator's publishes, oldest first.
    pub fn posts_of<'a>(&'a self, open_id: &str) -> impl Iterator<Item = &'a Post> + 'a {
        self.indexed()
            .of_creator(open_id)
            .iter()
            .map(move |&i| &self.posts[i])
    }

    /// Each creator with publishes, and their publishes, oldest first.
    pub fn creators_posts(&self) -> impl Iterator<Item = (&String, &Vec<usize>)> {
        self.indexed().creators()
    }

    /// Control/API revoke: every token dies and publishes in flight end `auth_removed`.
    pub fn revoke_account(&mut self, open_id: &str, now_ms: u64) {
        // Publishes that finished before the revoke must keep their outcome.
        self.settle(now_ms);
        self.tokens.revoke_account(open_id);
        if let Some(acc) = self.account_mut(open_id) {
            acc.revoked_at = Some(now_ms);
        }
    }
}

/// A credential the simulator handed out (or holds, for the app's client secret).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IssuedSecret {
    /// `access_token`, `refresh_token`, `auth_code`, `upload_url`, `upload_token` or
    /// `client_secret`.
    pub kind: String,
    pub value: String,
}

impl IssuedSecret {
    fn new(kind: &str, value: impl Into<String>) -> Self {
        Self {
            kind: kind.to_owned(),
            value: value.into(),
        }
    }
}

impl State {
    /// Every credential of this world: tokens (rotated ones too), codes, upload URLs and their
    /// tokens, the client secret.
    pub fn issued_secrets(&self, base_url: &str) -> Vec<IssuedSecret> {
        let mut v: Vec<IssuedSecret> = self
            .tokens
            .issued()
            .iter()
            .map(|(k, t)| IssuedSecret::new(k, t.clone()))
            .collect();
        v.extend(
            self.codes
                .keys()
                .map(|c| IssuedSecret::new("auth_code", c.clone())),
        );
        for p in &self.posts {
            v.push(IssuedSecret::new(
                "upload_url",
                upload_url(base_url, &p.upload),
            ));
            v.push(IssuedSecret::new("upload_token", p.upload.token.clone()));
        }
        v.push(IssuedSecret::new(
            "client_secret",
            self.app.client_secret.clone(),
        ));
        v
    }
}

/// The upload URL an init answers for `upload` (one place for the init and the secret list).
pub fn upload_url(base_url: &str, upload: &crate::posts::Upload) -> String {
    format!(
        "{base_url}/upload/video/?upload_id={}&upload_token={}",
        upload.upload_id, upload.token
    )
}

pub struct Sim {
    pub clock: Clock,
    /// Where the world is saved after every change; `None` keeps it in memory only.
    store: Option<crate::persist::Store>,
    pub base_url: String,
    /// What `/__sim/reset` returns to (SimOptions' behaviour with `--fast` applied).
    pub start_behaviour: Behaviour,
    state: Mutex<State>,
    /// Secrets of the worlds wiped by a reset: they may still sit in a client's files.
    retired: Mutex<Vec<IssuedSecret>>,
}

impl Sim {
    /// The world saved in `store` if there is one, else a fresh one (seeded when `seed`),
    /// saved there from now on.
    pub fn open(
        base_url: String,
        behaviour: Behaviour,
        seed: bool,
        store: Option<crate::persist::Store>,
    ) -> Self {
        let clock = Clock::new();
        let loaded = store.as_ref().and_then(|s| match s.load(&behaviour) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(file = %s.path().display(), error = %e, "the saved simulated world could not be read; starting a new one");
                None
            }
        });
        let st = match loaded {
            Some(l) => {
                let now = clock.now_ms();
                if l.clock_ms > now {
                    clock.advance_ms(l.clock_ms - now);
                }
                l.state
            }
            None => {
                let mut st = State::fresh(behaviour.clone());
                if seed {
                    st.accounts = accounts::demo(clock.now_secs());
                }
                st
            }
        };
        let sim = Self {
            clock,
            store,
            base_url,
            start_behaviour: behaviour,
            state: Mutex::new(st),
            retired: Mutex::new(Vec::new()),
        };
        sim.save();
        sim
    }

    /// Whether the world is kept in a file (the demo's), i.e. whether [`Self::save`] writes.
    pub fn persists(&self) -> bool {
        self.store.is_some()
    }

    /// Writes the world to its file (nothing without one). A failed save is logged, not
    /// fatal: the simulator keeps answering and the next change tries again.
    pub fn save(&self) {
        let Some(store) = &self.store else { return };
        let result = store.save(|| {
            let now = self.now_ms();
            crate::persist::encode(&self.lock(), now)
        });
        if let Err(e) = result {
            tracing::warn!(file = %store.path().display(), error = %e, "the simulated world could not be saved");
        }
    }

    /// Back to a fresh world (`/__sim/reset`), remembering the secrets it had issued.
    pub fn reset(&self) {
        let mut st = self.lock();
        let old = std::mem::replace(&mut *st, State::fresh(self.start_behaviour.clone()));
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        retired.extend(old.issued_secrets(&self.base_url));
        drop(retired);
        drop(st);
        self.save();
    }

    /// Every secret issued since the simulator started, without duplicates.
    pub fn issued_secrets(&self) -> Vec<IssuedSecret> {
        let mut all = self.lock().issued_secrets(&self.base_url);
        all.extend(
            self.retired
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .cloned(),
        );
        let mut seen = std::collections::HashSet::new();
        all.retain(|s| seen.insert(s.clone()));
        all
    }

    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not take the whole simulator down with a poisoned lock.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    pub fn avatar_url(&self, open_id: &str) -> String {
        format!("{}/__sim/avatar/{open_id}.png", self.base_url)
    }

    /// Bearer check, then the per-token rate limit, then the scope (any of `scopes`).
    pub fn authorize_api(
        &self,
        headers: &HeaderMap,
        ep: Endpoint,
        scopes: &[&str],
    ) -> Result<Bearer, ApiError> {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::token_invalid)?;
        let now = self.now_ms();
        let mut st = self.lock();
        let bearer = st
            .tokens
            .bearer(token, now)
            .ok_or_else(ApiError::token_invalid)?;
        let window = st.behaviour.rate_window_ms;
        if !st.rate.allow(token, ep, window, now) {
            // Counted apart from injected 429s: a client that paces itself never sees one.
            *st.requests.entry("rate_limited".to_string()).or_default() += 1;
            return Err(ApiError::rate_limited());
        }
        if !scopes.is_empty() && !scopes.iter().any(|s| bearer.scopes.iter().any(|g| g == s)) {
            return Err(ApiError::scope_not_authorized(&scopes.join(" or ")));
        }
        Ok(bearer)
    }
}
