//! Issued grants: access and refresh tokens with their lifetimes and rotation history.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::behaviour::{Behaviour, Rotation};
use crate::ids;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Grant {
    pub open_id: String,
    pub scopes: Vec<String>,
    pub access_token: String,
    pub access_expires_ms: u64,
    pub refresh_token: String,
    pub refresh_expires_ms: u64,
    pub revoked: bool,
}

/// What a valid bearer token resolves to.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub open_id: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenView {
    pub open_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires_at: u64,
    pub refresh_expires_at: u64,
    pub live: bool,
}

pub struct Issued {
    pub grant: Grant,
    pub expires_in: u64,
    pub refresh_expires_in: u64,
}

/// Saved whole with the world (see `persist.rs`): the grants and both token indexes.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TokenStore {
    grants: Vec<Grant>,
    /// access token → (grant index, expiry). Older access tokens stay valid until expiry.
    access: HashMap<String, (usize, u64)>,
    /// refresh token → grant index; retired tokens are removed in "always" rotation.
    refresh: HashMap<String, usize>,
    /// Every token ever issued, rotated and revoked ones included, as `(kind, value)`: what
    /// the secrets tripwire looks for.
    issued: Vec<(String, String)>,
}

pub enum RefreshError {
    Invalid,
    Expired,
}

impl TokenStore {
    pub fn issue(
        &mut self,
        open_id: &str,
        scopes: Vec<String>,
        b: &Behaviour,
        now_ms: u64,
    ) -> Issued {
        let lt = b.token_lifetimes;
        let grant = Grant {
            open_id: open_id.to_string(),
            scopes,
            access_token: ids::access_token(),
            access_expires_ms: now_ms + b.access_secs() * 1000,
            refresh_token: ids::refresh_token(),
            refresh_expires_ms: now_ms + lt.refresh_secs() * 1000,
            revoked: false,
        };
        let idx = self.grants.len();
        self.remember(&grant);
        self.access
            .insert(grant.access_token.clone(), (idx, grant.access_expires_ms));
        self.refresh.insert(grant.refresh_token.clone(), idx);
        self.grants.push(grant.clone());
        Issued {
            grant,
            expires_in: b.access_secs(),
            refresh_expires_in: lt.refresh_secs(),
        }
    }

    pub fn refresh(
        &mut self,
        token: &str,
        b: &Behaviour,
        now_ms: u64,
    ) -> Result<Issued, RefreshError> {
        let idx = *self.refresh.get(token).ok_or(RefreshError::Invalid)?;
        let g = &mut self.grants[idx];
        if g.revoked {
            return Err(RefreshError::Invalid);
        }
        if now_ms >= g.refresh_expires_ms {
            return Err(RefreshError::Expired);
        }
        let lt = b.token_lifetimes;
        g.access_token = ids::access_token();
        g.access_expires_ms = now_ms + b.access_secs() * 1000;
        if b.refresh_extends_refresh_lifetime {
            g.refresh_expires_ms = now_ms + lt.refresh_secs() * 1000;
        }
        g.refresh_token = ids::refresh_token();
        if b.rotation == Rotation::Always {
            // Every earlier refresh token of this grant dies, not only the one presented.
            self.refresh.retain(|_, i| *i != idx);
        }
        let g = g.clone();
        self.remember(&g);
        self.refresh.insert(g.refresh_token.clone(), idx);
        self.access
            .insert(g.access_token.clone(), (idx, g.access_expires_ms));
        Ok(Issued {
            expires_in: b.access_secs(),
            refresh_expires_in: (g.refresh_expires_ms.saturating_sub(now_ms)) / 1000,
            grant: g,
        })
    }

    fn remember(&mut self, g: &Grant) {
        self.issued
            .push(("access_token".into(), g.access_token.clone()));
        self.issued
            .push(("refresh_token".into(), g.refresh_token.clone()));
    }

    /// Every token issued so far.
    pub fn issued(&self) -> &[(String, String)] {
        &self.issued
    }

    pub fn bearer(&self, access: &str, now_ms: u64) -> Option<Bearer> {
        let &(idx, exp) = self.access.get(access)?;
        let g = &self.grants[idx];
        (!g.revoked && now_ms < exp).then(|| Bearer {
            open_id: g.open_id.clone(),
            scopes: g.scopes.clone(),
        })
    }

    pub fn revoke_account(&mut self, open_id: &str) {
        for g in self.grants.iter_mut().filter(|g| g.open_id == open_id) {
            g.revoked = true;
        }
    }

    pub fn expire_account(&mut self, open_id: &str, refresh_too: bool, now_ms: u64) {
        for (i, g) in self.grants.iter_mut().enumerate() {
            if g.open_id != open_id {
                continue;
            }
            g.access_expires_ms = now_ms;
            if refresh_too {
                g.refresh_expires_ms = now_ms;
            }
            for (_, (idx, exp)) in self.access.iter_mut() {
                if *idx == i {
                    *exp = now_ms;
                }
            }
        }
    }

    pub fn view(&self, now_ms: u64) -> Vec<TokenView> {
        self.grants
            .iter()
            .map(|g| TokenView {
                open_id: g.open_id.clone(),
                access_token: g.access_token.clone(),
                refresh_token: g.refresh_token.clone(),
                access_expires_at: g.access_expires_ms / 1000,
                refresh_expires_at: g.refresh_expires_ms / 1000,
                live: !g.revoked && now_ms < g.access_expires_ms,
            })
            .collect()
    }
}
