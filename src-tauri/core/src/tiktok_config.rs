//! Which TikTok Tokdeck talks to and as which developer app: the mode (real TikTok with the
//! creator's own app, or the built-in simulator), the client key, the redirect mode and the
//! requested scopes. The client key and the choices live in SQLite (`settings`, key `tiktok`);
//! the client secret only in the keychain (`app:client_secret`).

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};
use crate::ipc::TiktokMode;
use crate::secrets::{Secret, Secrets};

pub const CLIENT_SECRET_ENTRY: &str = "app:client_secret";
/// What to register in TikTok's developer portal for loopback redirects.
pub const LOOPBACK_REDIRECT_PATTERN: &str = "http://127.0.0.1:*/callback/";
pub const DEEP_LINK_REDIRECT_URI: &str = "tokdeck://oauth/callback";
pub const SIM_CLIENT_KEY: &str = "sim_client_key";
pub const SIM_CLIENT_SECRET: &str = "sim_client_secret";
pub const DEFAULT_SCOPES: [&str; 6] = [
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
];
const KEY: &str = "tiktok";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RedirectMode {
    /// `http://127.0.0.1:<ephemeral port>/callback/` served by Tokdeck during a connect.
    #[default]
    Loopback,
    /// `tokdeck://oauth/callback` (only if the app registration accepts it).
    DeepLink,
}

/// What is stored in SQLite (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredTiktokConfig {
    pub client_key: Option<String>,
    pub redirect_mode: RedirectMode,
    pub scopes: Vec<String>,
}

impl Default for StoredTiktokConfig {
    fn default() -> Self {
        Self {
            client_key: None,
            redirect_mode: RedirectMode::Loopback,
            scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
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
    pub fn client(&self, rate_window: std::time::Duration) -> CoreResult<tiktok_api::TikTokClient> {
        let mut cfg = tiktok_api::ClientConfig::new(
            self.client_key.clone(),
            tiktok_api::ClientSecret::new(self.client_secret.expose()),
        );
        cfg.authorize_url = url::Url::parse(&self.endpoints.authorize_url)
            .map_err(|e| CoreError::InvalidInput(format!("Bad TikTok authorize URL: {e}")))?;
        cfg.api_base = url::Url::parse(&self.endpoints.api_base)
            .map_err(|e| CoreError::InvalidInput(format!("Bad TikTok API address: {e}")))?;
        cfg.rate_window = rate_window;
        Ok(tiktok_api::TikTokClient::new(cfg)?)
    }

    pub fn scope_names(&self) -> Vec<String> {
        self.scopes.iter().map(|s| s.as_str().to_owned()).collect()
    }
}

pub fn parse_scope(name: &str) -> Option<tiktok_api::Scope> {
    tiktok_api::Scope::ALL
        .iter()
        .copied()
        .find(|s| s.as_str() == name.trim())
}

pub async fn load(pool: &SqlitePool) -> CoreResult<StoredTiktokConfig> {
    Ok(crate::settings::read_json(pool, KEY)
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

pub async fn save(pool: &SqlitePool, cfg: &StoredTiktokConfig) -> CoreResult<()> {
    crate::settings::write_json(pool, KEY, cfg).await
}

/// Checks a patch and applies its non-secret part to `cfg`.
pub fn apply(cfg: &mut StoredTiktokConfig, patch: &TiktokConfigPatch) -> CoreResult<()> {
    if let Some(key) = &patch.client_key {
        let key = key.trim();
        if key.is_empty() {
            cfg.client_key = None;
        } else if key.len() > 128 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(CoreError::InvalidInput(
                "The client key looks wrong: copy it again from your app's page in the TikTok developer portal.".into(),
            ));
        } else {
            cfg.client_key = Some(key.to_owned());
        }
    }
    if let Some(mode) = patch.redirect_mode {
        cfg.redirect_mode = mode;
    }
    if let Some(scopes) = &patch.scopes {
        let mut out: Vec<String> = Vec::new();
        for s in scopes {
            let Some(scope) = parse_scope(s) else {
                return Err(CoreError::InvalidInput(format!(
                    "Unknown scope “{s}”. Tokdeck knows: {}.",
                    DEFAULT_SCOPES.join(", ")
                )));
            };
            if !out.iter().any(|o| o == scope.as_str()) {
                out.push(scope.as_str().to_owned());
            }
        }
        if !out.iter().any(|s| s == "user.info.basic") {
            return Err(CoreError::InvalidInput(
                "user.info.basic is required: Tokdeck needs it to know which account was connected.".into(),
            ));
        }
        cfg.scopes = out;
    }
    Ok(())
}

/// Resolves the configuration in use. Without a client key, the simulator (if the shell started
/// one) answers as the default simulated app.
pub async fn resolve(
    stored: &StoredTiktokConfig,
    secrets: &Secrets,
    endpoints: &TiktokEndpoints,
    simulator_url: Option<&str>,
) -> CoreResult<ResolvedConfig> {
    let scopes: Vec<_> = stored
        .scopes
        .iter()
        .filter_map(|s| parse_scope(s))
        .collect();
    match &stored.client_key {
        Some(key) => {
            let secret = secrets.get(CLIENT_SECRET_ENTRY).await?.ok_or_else(|| {
                CoreError::InvalidInput(
                    "Add your TikTok app's client secret in Settings → TikTok before connecting an account.".into(),
                )
            })?;
            Ok(ResolvedConfig {
                mode: TiktokMode::Tiktok,
                client_key: key.clone(),
                client_secret: secret,
                endpoints: endpoints.clone(),
                redirect_mode: stored.redirect_mode,
                scopes,
            })
        }
        None => {
            let Some(sim) = simulator_url else {
                return Err(CoreError::InvalidInput(
                    "No TikTok app is set up: add your client key and secret in Settings → TikTok."
                        .into(),
                ));
            };
            Ok(ResolvedConfig {
                mode: TiktokMode::Simulator,
                client_key: SIM_CLIENT_KEY.to_owned(),
                client_secret: Secret::new(SIM_CLIENT_SECRET),
                endpoints: TiktokEndpoints::server(sim),
                redirect_mode: stored.redirect_mode,
                scopes,
            })
        }
    }
}

pub fn dto(
    stored: &StoredTiktokConfig,
    has_secret: bool,
    endpoints: &TiktokEndpoints,
    simulator_url: Option<&str>,
) -> TiktokConfigDto {
    let mode = if stored.client_key.is_some() {
        TiktokMode::Tiktok
    } else {
        TiktokMode::Simulator
    };
    let api_base = match (mode, simulator_url) {
        (TiktokMode::Simulator, Some(s)) => s.to_owned(),
        _ => endpoints.api_base.clone(),
    };
    let problem = match (mode, has_secret, simulator_url) {
        (TiktokMode::Tiktok, false, _) => Some("Add the client secret of your TikTok app.".into()),
        (TiktokMode::Simulator, _, None) => Some(
            "No TikTok app is set up and the built-in simulator is not running: add your client key and secret.".into(),
        ),
        _ => None,
    };
    TiktokConfigDto {
        mode,
        looks_like_sandbox: stored
            .client_key
            .as_deref()
            .is_some_and(|k| k.starts_with("sb")),
        client_key: stored.client_key.clone(),
        has_secret,
        redirect_mode: stored.redirect_mode,
        redirect_uri_to_register: match stored.redirect_mode {
            RedirectMode::Loopback => LOOPBACK_REDIRECT_PATTERN.to_owned(),
            RedirectMode::DeepLink => DEEP_LINK_REDIRECT_URI.to_owned(),
        },
        scopes: stored.scopes.clone(),
        default_scopes: DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
        api_base,
        problem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_validates_scopes_and_key() {
        let mut c = StoredTiktokConfig::default();
        apply(
            &mut c,
            &TiktokConfigPatch {
                client_key: Some(" sbawkey ".into()),
                scopes: Some(vec![
                    "user.info.basic".into(),
                    "video.publish".into(),
                    "video.publish".into(),
                ]),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.client_key.as_deref(), Some("sbawkey"));
        assert_eq!(c.scopes, vec!["user.info.basic", "video.publish"]);
        assert!(apply(
            &mut c,
            &TiktokConfigPatch {
                scopes: Some(vec!["video.publish".into()]),
                ..Default::default()
            }
        )
        .is_err());
        assert!(apply(
            &mut c,
            &TiktokConfigPatch {
                scopes: Some(vec!["bogus".into()]),
                ..Default::default()
            }
        )
        .is_err());
        apply(
            &mut c,
            &TiktokConfigPatch {
                client_key: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.client_key, None);
        let d = dto(
            &c,
            false,
            &TiktokEndpoints::default(),
            Some("http://127.0.0.1:1"),
        );
        assert_eq!(d.mode, TiktokMode::Simulator);
        assert_eq!(d.redirect_uri_to_register, LOOPBACK_REDIRECT_PATTERN);
    }
}
