//! The TikTok configuration's constants and types (a leaf: the DTOs the IPC spec and the
//! account types name).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};
use crate::secrets::Secret;

pub const CLIENT_SECRET_ENTRY: &str = "app:client_secret";
/// What to register in TikTok's developer portal for loopback redirects.
pub const LOOPBACK_REDIRECT_PATTERN: &str = "http://127.0.0.1:*/callback/";
pub const DEEP_LINK_REDIRECT_URI: &str = "tokdeck://oauth/callback";
pub const SIM_CLIENT_KEY: &str = "sim_client_key";
pub const SIM_CLIENT_SECRET: &str = "sim_client_secret";
/// The app an account connected through the built-in simulator is bound to (real apps are
/// named by their client key).
pub const DEMO_APP: &str = "demo";
pub const DEFAULT_SCOPES: [&str; 6] = [
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
];
pub(super) const KEY: &str = "tiktok";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TiktokMode {
    /// No TikTok credentials: the built-in simulator answers.
    Simulator,
    Tiktok,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RedirectMode {
    /// `http://127.0.0.1:<ephemeral port>/callback/` served by Tokdeck during a connect.
    #[default]
    Loopback,
    /// `tokdeck://oauth/callback` (only if the app registration accepts it).
    DeepLink,
}

/// Whether the developer app passed TikTok's Direct Post audit. Until it has, TikTok takes
/// Direct Posts only as "Only me", only to private accounts, for at most 5 users a day; the
/// inbox (`video.upload`) is not subject to it. TikTok's API does not tell, so the creator does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DirectPostAudit {
    Audited,
    NotAudited,
    #[default]
    Unknown,
}

/// What is stored in SQLite (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredTiktokConfig {
    pub client_key: Option<String>,
    pub redirect_mode: RedirectMode,
    pub scopes: Vec<String>,
    /// The creator's own app's audit; rows written before it existed load as `Unknown`.
    pub direct_post_audit: DirectPostAudit,
}

impl StoredTiktokConfig {
    /// The app whose tokens are valid now: the client key, or [`DEMO_APP`].
    pub fn app_id(&self) -> &str {
        self.client_key.as_deref().unwrap_or(DEMO_APP)
    }
}

impl Default for StoredTiktokConfig {
    fn default() -> Self {
        Self {
            client_key: None,
            redirect_mode: RedirectMode::Loopback,
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
            direct_post_audit: DirectPostAudit::Unknown,
        }
    }
}

/// The settings page's view. Never contains the secret, only whether one is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TiktokConfigDto {
    /// `simulator` while no client key is set.
    pub mode: TiktokMode,
    pub client_key: Option<String>,
    pub has_secret: bool,
    /// Sandbox apps have their own keys, usually starting with `sb`.
    pub looks_like_sandbox: bool,
    pub redirect_mode: RedirectMode,
    /// The redirect URI to register in the developer portal for the chosen mode.
    pub redirect_uri_to_register: String,
    pub scopes: Vec<String>,
    pub default_scopes: Vec<String>,
    /// Where API calls go (TikTok, or the simulator's address).
    pub api_base: String,
    /// A plain sentence on what is missing, if anything (e.g. "Add the client secret").
    pub problem: Option<String>,
    /// The app's Direct Post audit: as the creator set it for their own app; in simulator mode
    /// the simulator's app as the simulator reports it (`unknown` if it does not answer).
    pub direct_post_audit: DirectPostAudit,
}

/// A partial update. `clientKey: ""` clears the key (back to the simulator); `clientSecret: ""`
/// deletes the stored secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TiktokConfigPatch {
    #[ts(optional)]
    pub client_key: Option<String>,
    #[ts(optional)]
    pub client_secret: Option<String>,
    #[ts(optional)]
    pub redirect_mode: Option<RedirectMode>,
    #[ts(optional)]
    pub scopes: Option<Vec<String>>,
    /// In simulator mode this switches the simulator's app (demo of the unaudited rules).
    #[ts(optional)]
    pub direct_post_audit: Option<DirectPostAudit>,
}

/// Where TikTok lives for this process: TikTok's own hosts by default, overridable by tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TiktokEndpoints {
    pub authorize_url: String,
    pub api_base: String,
}

impl Default for TiktokEndpoints {
    fn default() -> Self {
        Self {
            authorize_url: tiktok_api::config::DEFAULT_AUTHORIZE_URL.to_owned(),
            api_base: tiktok_api::config::DEFAULT_API_BASE.to_owned(),
        }
    }
}

impl TiktokEndpoints {
    /// One server serving both the consent page and the API (the simulator).
    pub fn server(base: &str) -> Self {
        let base = base.trim_end_matches('/');
        Self {
            authorize_url: format!("{base}/v2/auth/authorize/"),
            api_base: base.to_owned(),
        }
    }
}

/// Everything needed to build a client, resolved from the stored config, the keychain and the
/// process's endpoints.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    pub mode: TiktokMode,
    pub client_key: String,
    pub client_secret: Secret,
    pub endpoints: TiktokEndpoints,
    pub redirect_mode: RedirectMode,
    pub scopes: Vec<tiktok_api::Scope>,
}

impl ResolvedConfig {
    /// The app that issues (and alone accepts) the tokens of accounts connected through this
    /// configuration: the client key, or [`DEMO_APP`] for the simulator.
    pub fn app_id(&self) -> &str {
        match self.mode {
            TiktokMode::Simulator => DEMO_APP,
            TiktokMode::Tiktok => &self.client_key,
        }
    }

    pub fn client(&self, rate_window: std::time::Duration) -> CoreResult<tiktok_api::TikTokClient> {
        self.client_tuned(rate_window, None)
    }

    /// Like [`Self::client`], with the client's timeouts and retry pacing changed by `tune`.
    pub fn client_tuned(
        &self,
        rate_window: std::time::Duration,
        tune: Option<fn(&mut tiktok_api::ClientConfig)>,
    ) -> CoreResult<tiktok_api::TikTokClient> {
        let mut cfg = tiktok_api::ClientConfig::new(
            self.client_key.clone(),
            tiktok_api::ClientSecret::new(self.client_secret.expose()),
        );
        cfg.authorize_url = url::Url::parse(&self.endpoints.authorize_url)
            .map_err(|e| CoreError::InvalidInput(format!("Bad TikTok authorize URL: {e}")))?;
        cfg.api_base = url::Url::parse(&self.endpoints.api_base)
            .map_err(|e| CoreError::InvalidInput(format!("Bad TikTok API address: {e}")))?;
        cfg.rate_window = rate_window;
        if let Some(tune) = tune {
            tune(&mut cfg);
        }
        Ok(tiktok_api::TikTokClient::new(cfg)?)
    }

    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.as_str().to_owned()).collect()
    }
}
