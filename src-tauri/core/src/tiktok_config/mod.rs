//! Which TikTok Tokdeck talks to and as which developer app: the mode (real TikTok with the
//! creator's own app, or the built-in simulator), the client key, the redirect mode and the
//! requested scopes. The client key and the choices live in SQLite (`settings`, key `tiktok`);
//! the client secret only in the keychain (`app:client_secret`).

mod audit;
mod types;

use sqlx::SqlitePool;

use crate::error::{CoreError, CoreResult};
use crate::secrets::{Secret, Secrets};

pub use audit::*;
pub use types::*;

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
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
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
            let store = crate::db::open::Store::open(dir.path()).await.unwrap();
            save(store.pool(), &c).await.unwrap();
        }
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
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
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let mut c = StoredTiktokConfig::default();
        save(store.pool(), &c).await.unwrap();
        store.pool().close().await;
        drop(store);
        assert!(!own_app_configured(dir.path()).await, "demo mode");
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
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
