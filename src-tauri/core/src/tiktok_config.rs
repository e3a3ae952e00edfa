//! Which TikTok Tokdeck talks to and as which developer app: the mode (real TikTok with the
//! creator's own app, or the built-in simulator), the client key, the redirect mode and the
//! requested scopes. The client key and the choices live in SQLite (`settings`, key `tiktok`);
//! the client secret only in the keychain (`app:client_secret`).

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};
use crate::secrets::{Secret, Secrets};

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
const KEY: &str = "tiktok";

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

/// Whether the creator's own app (a client key) is configured in the data folder, read before
/// the engine opens it: the shell starts the built-in simulator only when it is not (its
/// control API has no business listening next to a real app). `false` when there is no
/// database yet or it cannot be read.
pub async fn own_app_configured(data_dir: &std::path::Path) -> bool {
    let Some(pool) = crate::db::open::open_read_only(data_dir).await else {
        return false;
    };
    let configured = load(&pool).await.is_ok_and(|c| c.client_key.is_some());
    pool.close().await;
    configured
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
        direct_post_audit: stored.direct_post_audit,
    }
}

/// The header the simulator's control API reads its secret from (tokdeck-sim's
/// `CONTROL_TOKEN_HEADER`; the engine does not depend on the simulator crate).
pub const SIM_CONTROL_TOKEN_HEADER: &str = "x-tokdeck-sim-token";
/// How long Tokdeck waits for the simulator's control API before reporting `unknown`.
const SIM_CONTROL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// A client for the simulator's control API, which wants the run's secret on every request.
fn sim_control(control_token: Option<&str>) -> CoreResult<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = control_token {
        let value = reqwest::header::HeaderValue::from_str(token).map_err(|_| {
            CoreError::Internal("the simulator's control secret is not a header value".into())
        })?;
        headers.insert(SIM_CONTROL_TOKEN_HEADER, value);
    }
    reqwest::Client::builder()
        .timeout(SIM_CONTROL_TIMEOUT)
        .default_headers(headers)
        .build()
        .map_err(|e| CoreError::Internal(format!("HTTP client for the simulator: {e}")))
}

/// The audit state that applies to the app in use: the stored one for the creator's own app;
/// for the simulator its app's live `audited` flag (tests and the demo change it at runtime,
/// so it is asked, not cached).
pub async fn effective_audit(
    stored: &StoredTiktokConfig,
    simulator_url: Option<&str>,
    control_token: Option<&str>,
) -> DirectPostAudit {
    let sim = match (&stored.client_key, simulator_url) {
        (None, Some(sim)) => sim,
        _ => return stored.direct_post_audit,
    };
    let answer = async {
        let app: serde_json::Value = sim_control(control_token)
            .ok()?
            .get(format!("{}/__sim/app", sim.trim_end_matches('/')))
            .send()
            .await
            .ok()?
            .error_for_status()
            .ok()?
            .json()
            .await
            .ok()?;
        app.get("audited")?.as_bool()
    };
    match answer.await {
        Some(true) => DirectPostAudit::Audited,
        Some(false) => DirectPostAudit::NotAudited,
        None => {
            tracing::warn!("the simulator did not say whether its app is audited");
            DirectPostAudit::Unknown
        }
    }
}

/// Applies a patch's audit: stored for the creator's own app; in simulator mode it switches
/// the simulator's app, so what Tokdeck reports stays what the simulator does.
pub async fn apply_audit(
    stored: &mut StoredTiktokConfig,
    audit: DirectPostAudit,
    simulator_url: Option<&str>,
    control_token: Option<&str>,
) -> CoreResult<()> {
    let sim = match (&stored.client_key, simulator_url) {
        (None, Some(sim)) => sim,
        _ => {
            stored.direct_post_audit = audit;
            return Ok(());
        }
    };
    let audited = match audit {
        DirectPostAudit::Audited => true,
        DirectPostAudit::NotAudited => false,
        DirectPostAudit::Unknown => {
            return Err(CoreError::InvalidInput(
                "The simulator's app is either audited or not audited: pick one.".into(),
            ))
        }
    };
    let res = sim_control(control_token)?
        .patch(format!("{}/__sim/app", sim.trim_end_matches('/')))
        .json(&serde_json::json!({ "audited": audited }))
        .send()
        .await
        .and_then(|r| r.error_for_status());
    res.map(|_| ()).map_err(|e| {
        CoreError::Unavailable(format!(
            "The simulator did not take the new audit state ({e}). Restart Tokdeck and try again."
        ))
    })
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

    #[tokio::test]
    async fn a_row_written_before_the_audit_field_loads_it_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).await.unwrap();
        crate::settings::write_json(
            store.pool(),
            KEY,
            &serde_json::json!({"clientKey": "awkey", "redirectMode": "deep_link",
                "scopes": ["user.info.basic", "video.upload"]}),
        )
        .await
        .unwrap();
        let c = load(store.pool()).await.unwrap();
        assert_eq!(c.direct_post_audit, DirectPostAudit::Unknown);
        assert_eq!(c.client_key.as_deref(), Some("awkey"));
        assert_eq!(c.redirect_mode, RedirectMode::DeepLink);
        assert_eq!(c.scopes, vec!["user.info.basic", "video.upload"]);
    }

    #[tokio::test]
    async fn a_real_apps_audit_is_stored_and_survives_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = StoredTiktokConfig::default();
        assert_eq!(c.direct_post_audit, DirectPostAudit::Unknown);
        apply(
            &mut c,
            &TiktokConfigPatch {
                client_key: Some("awkey".into()),
                ..Default::default()
            },
        )
        .unwrap();
        // A simulator is running, but a client key means the creator's own app: it is stored,
        // the simulator is not asked.
        let sim = Some("http://127.0.0.1:1");
        apply_audit(&mut c, DirectPostAudit::NotAudited, sim, None)
            .await
            .unwrap();
        {
            let store = crate::store::Store::open(dir.path()).await.unwrap();
            save(store.pool(), &c).await.unwrap();
        }
        let store = crate::store::Store::open(dir.path()).await.unwrap();
        let back = load(store.pool()).await.unwrap();
        assert_eq!(back, c);
        assert_eq!(back.direct_post_audit, DirectPostAudit::NotAudited);
        assert_eq!(
            effective_audit(&back, sim, None).await,
            DirectPostAudit::NotAudited
        );
        let d = dto(&back, true, &TiktokEndpoints::default(), sim);
        assert_eq!(d.direct_post_audit, DirectPostAudit::NotAudited);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["directPostAudit"], "not_audited");
    }

    #[tokio::test]
    async fn own_app_is_told_from_the_data_folder_before_the_engine_opens() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!own_app_configured(dir.path()).await, "no database yet");
        let store = crate::store::Store::open(dir.path()).await.unwrap();
        let mut c = StoredTiktokConfig::default();
        save(store.pool(), &c).await.unwrap();
        store.pool().close().await;
        drop(store);
        assert!(!own_app_configured(dir.path()).await, "demo mode");
        let store = crate::store::Store::open(dir.path()).await.unwrap();
        c.client_key = Some("awkey".into());
        save(store.pool(), &c).await.unwrap();
        store.pool().close().await;
        drop(store);
        assert!(own_app_configured(dir.path()).await);
    }

    #[tokio::test]
    async fn in_simulator_mode_the_simulator_is_asked_and_unknown_is_refused() {
        let c = StoredTiktokConfig::default();
        // Nothing listens on port 1: no answer is not reported as audited.
        let gone = Some("http://127.0.0.1:1");
        assert_eq!(
            effective_audit(&c, gone, None).await,
            DirectPostAudit::Unknown
        );
        let mut c2 = c.clone();
        let err = apply_audit(&mut c2, DirectPostAudit::Unknown, gone, None)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("audited"), "{err}");
        assert!(
            apply_audit(&mut c2, DirectPostAudit::NotAudited, gone, None)
                .await
                .is_err()
        );
        assert_eq!(c2, c, "the stored config is the creator's app's, untouched");
    }
}
