//! Every reading of a fact the reference marks uncertain, so tests can play either side.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenLifetimes {
    /// 86400 s access / 31536000 s refresh (older docs, all client code seen).
    Legacy,
    /// 7200 s access / 15552000 s refresh (docs dated Nov 2026).
    Nov2026,
}

impl TokenLifetimes {
    pub fn access_secs(self) -> u64 {
        match self {
            Self::Legacy => 86_400,
            Self::Nov2026 => 7_200,
        }
    }
    pub fn refresh_secs(self) -> u64 {
        match self {
            Self::Legacy => 31_536_000,
            Self::Nov2026 => 15_552_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rotation {
    /// A new refresh token is returned; the old one keeps working.
    Sometimes,
    /// A new refresh token is returned; the old one dies (`invalid_grant`).
    Always,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnauditedNonSelfOnly {
    Reject,
    Downgrade,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChunkMb {
    Decimal,
    Binary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    pub token_lifetimes: TokenLifetimes,
    pub rotation: Rotation,
    /// 200 or 400.
    pub oauth_error_status: u16,
    /// `invalid_params` (global list) or `invalid_param` (posting reference tables).
    pub invalid_param_spelling: String,
    pub unaudited_non_self_only: UnauditedNonSelfOnly,
    pub processing_ms: u64,
    pub code_ttl_secs: u64,
    pub upload_url_ttl_secs: u64,
    pub rate_window_ms: u64,
    /// Reported for information; writing it rewrites the four chunk sizes below.
    pub chunk_mb: ChunkMb,
    pub max_chunk_bytes: u64,
    pub min_chunk_bytes: u64,
    pub max_final_chunk_bytes: u64,
    pub single_chunk_below: u64,
    // Extensions beyond the first contract (documented in docs/simulator.md).
    pub posts_per_day_cap: u32,
    pub pending_drafts_cap: u32,
    pub unaudited_user_cap: u32,
    /// `scope_permission_missed` (400, doc wording) or `scope_not_authorized` (401).
    pub field_scope_error: String,
    /// Whether an uppercase-hex PKCE challenge is accepted (reference §12.3).
    pub accept_uppercase_challenge: bool,
    /// Whether a refresh restarts the refresh token's lifetime (reference §12.1).
    pub refresh_extends_refresh_lifetime: bool,
    /// Plays the Aug-2026 reports: multi-chunk inits fail with "The chunk size is invalid".
    pub reject_multi_chunk: bool,
    /// Moderation delay: a public post's id is reported only from this many status fetches
    /// after PUBLISH_COMPLETE on (0: at once).
    #[serde(default)]
    pub public_id_after_polls: u32,
    /// Overrides the access-token lifetime of `token_lifetimes` (seconds), for clients facing
    /// short-lived tokens.
    #[serde(default)]
    pub access_token_secs: Option<u64>,
    /// A chunk of a valid size that starts off the chunk plan's boundaries: 400 (a malformed
    /// chunk) or 416 (a range that does not match progress). The reference does not say.
    pub misaligned_chunk_status: u16,
    /// Reads upload bodies no faster than this (bytes per second; 0: as fast as they come), as
    /// a creator's uplink would send them, so a client's progress inside a chunk can be seen.
    #[serde(default)]
    pub upload_bytes_per_sec: u64,
    /// Seed of the analytics evolution (`evolution.rs`): with a seed, followers grow with
    /// noise and every public video's counts rise and decay with its age and its weekday/hour
    /// of posting; `None` keeps the counts as set.
    #[serde(default)]
    pub evolution_seed: Option<u64>,
    /// Plays the 2026 reports of a publish status that never carries the public post id, even
    /// for a public post (the app must find its video in video.list).
    #[serde(default)]
    pub omit_public_post_id: bool,
}

const MB: u64 = 1_000_000;
const MIB: u64 = 1 << 20;

impl Default for Behaviour {
    fn default() -> Self {
        Self {
            token_lifetimes: TokenLifetimes::Legacy,
            rotation: Rotation::Sometimes,
            oauth_error_status: 400,
            invalid_param_spelling: "invalid_params".into(),
            unaudited_non_self_only: UnauditedNonSelfOnly::Reject,
            processing_ms: 3000,
            code_ttl_secs: 600,
            upload_url_ttl_secs: 3600,
            rate_window_ms: 60_000,
            chunk_mb: ChunkMb::Decimal,
            max_chunk_bytes: 64 * MB,
            min_chunk_bytes: 5 * MB,
            max_final_chunk_bytes: 128 * MB,
            single_chunk_below: 5 * MB,
            posts_per_day_cap: 15,
            pending_drafts_cap: 5,
            unaudited_user_cap: 5,
            field_scope_error: "scope_permission_missed".into(),
            accept_uppercase_challenge: false,
            refresh_extends_refresh_lifetime: false,
            reject_multi_chunk: false,
            public_id_after_polls: 0,
            access_token_secs: None,
            misaligned_chunk_status: 400,
            upload_bytes_per_sec: 0,
            evolution_seed: None,
            omit_public_post_id: false,
        }
    }
}

impl Behaviour {
    pub fn fast() -> Self {
        Self {
            processing_ms: 200,
            ..Self::default()
        }
    }

    /// Applies a JSON object holding any subset of the fields; rejects unknown fields and
    /// values outside each field's readings, leaving `self` untouched on error.
    pub fn patch(&mut self, patch: &Value) -> Result<(), String> {
        let Value::Object(map) = patch else {
            return Err("behaviour patch must be a JSON object".into());
        };
        let mut merged = serde_json::to_value(&*self).map_err(|e| e.to_string())?;
        let obj = merged
            .as_object_mut()
            .expect("behaviour serialises to an object");
        for (k, v) in map {
            obj.insert(k.clone(), v.clone());
        }
        let mut next: Behaviour = serde_json::from_value(merged).map_err(|e| e.to_string())?;
        if let Some(mb) = map.get("chunk_mb") {
            let unit = match serde_json::from_value::<ChunkMb>(mb.clone()) {
                Ok(ChunkMb::Binary) => MIB,
                _ => MB,
            };
            next.max_chunk_bytes = 64 * unit;
            next.min_chunk_bytes = 5 * unit;
            next.max_final_chunk_bytes = 128 * unit;
            next.single_chunk_below = 5 * unit;
        }
        next.validate()?;
        *self = next;
        Ok(())
    }

    /// Lifetime of a newly issued access token, in seconds.
    pub fn access_secs(&self) -> u64 {
        self.access_token_secs
            .unwrap_or(self.token_lifetimes.access_secs())
    }

    fn validate(&self) -> Result<(), String> {
        if self.access_token_secs == Some(0) {
            return Err("access_token_secs must be at least 1".into());
        }
        if self.oauth_error_status != 200 && self.oauth_error_status != 400 {
            return Err("oauth_error_status must be 200 or 400".into());
        }
        if !matches!(self.misaligned_chunk_status, 400 | 416) {
            return Err("misaligned_chunk_status must be 400 or 416".into());
        }
        if !matches!(
            self.invalid_param_spelling.as_str(),
            "invalid_params" | "invalid_param"
        ) {
            return Err("invalid_param_spelling must be invalid_params or invalid_param".into());
        }
        if !matches!(
            self.field_scope_error.as_str(),
            "scope_permission_missed" | "scope_not_authorized"
        ) {
            return Err(
                "field_scope_error must be scope_permission_missed or scope_not_authorized".into(),
            );
        }
        if self.min_chunk_bytes == 0
            || self.min_chunk_bytes > self.max_chunk_bytes
            || self.max_chunk_bytes > self.max_final_chunk_bytes
        {
            return Err("chunk sizes must satisfy 0 < min <= max <= max_final".into());
        }
        if self.rate_window_ms == 0 {
            return Err("rate_window_ms must be > 0".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_subset_and_binary_mb() {
        let mut b = Behaviour::default();
        b.patch(&json!({"rotation": "always", "chunk_mb": "binary"}))
            .unwrap();
        assert_eq!(b.rotation, Rotation::Always);
        assert_eq!(b.min_chunk_bytes, 5 * 1024 * 1024);
        assert!(b.patch(&json!({"oauth_error_status": 500})).is_err());
        assert!(b.patch(&json!({"nope": 1})).is_err());
        assert_eq!(b.oauth_error_status, 400);
    }
}
