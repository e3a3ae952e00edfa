//! The TikTok app in use — the creator's own developer app, or the built-in simulator in demo
//! mode — and the one client built from it. Every account shares that client so its pacing
//! covers them all; the client is built once and rebuilt after the configuration changes.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;

use crate::audit::Outcome;
use crate::ctx::Ctx;
use crate::error::CoreResult;
use crate::secrets::Secret;
use crate::tiktok_config::{
    self, DirectPostAudit, ResolvedConfig, TiktokConfigDto, TiktokConfigPatch, TiktokEndpoints,
};

/// The TikTok configuration in use and a client built from it.
#[derive(Debug)]
pub struct TiktokCtx {
    pub resolved: ResolvedConfig,
    pub client: tiktok_api::TikTokClient,
}

/// Where TikTok is and how the client paces itself (from `EngineConfig`).
#[derive(Debug, Clone)]
pub struct TiktokAppConfig {
    pub endpoints: TiktokEndpoints,
    pub simulator_url: Option<String>,
    pub simulator_token: Option<String>,
    pub rate_window: Duration,
    pub client_tuning: Option<fn(&mut tiktok_api::ClientConfig)>,
}

pub struct TiktokApp {
    ctx: Ctx,
    config: TiktokAppConfig,
    current: Mutex<Option<Arc<TiktokCtx>>>,
    /// The requested scopes (for `missingScopes`), cleared when the configuration changes.
    wanted_scopes: std::sync::Mutex<Option<Vec<String>>>,
}

impl TiktokApp {
    pub fn new(ctx: Ctx, config: TiktokAppConfig) -> Self {
        Self {
            ctx,
            config,
            current: Mutex::new(None),
            wanted_scopes: std::sync::Mutex::new(None),
        }
    }

    pub fn simulator_url(&self) -> Option<&str> {
        self.config.simulator_url.as_deref()
    }

    /// The TikTok client for the current configuration (built once, rebuilt after a change).
    pub async fn current(&self) -> CoreResult<Arc<TiktokCtx>> {
        let mut cache = self.current.lock().await;
        if let Some(ctx) = cache.as_ref() {
            return Ok(ctx.clone());
        }
        let stored = tiktok_config::load(self.ctx.pool()).await?;
        let resolved = tiktok_config::resolve(
            &stored,
            self.ctx.secrets(),
            &self.config.endpoints,
            self.config.simulator_url.as_deref(),
        )
        .await?;
        let client = resolved.client_tuned(self.config.rate_window, self.config.client_tuning)?;
        let ctx = Arc::new(TiktokCtx { resolved, client });
        *cache = Some(ctx.clone());
        Ok(ctx)
    }

    /// The scopes Tokdeck asks for (cached until the configuration changes).
    pub async fn wanted_scopes(&self) -> Vec<String> {
        if let Some(cached) = self.wanted_scopes.lock().expect("scopes cache").clone() {
            return cached;
        }
        let scopes = match tiktok_config::load(self.ctx.pool()).await {
            Ok(c) => c.scopes,
            Err(_) => tiktok_config::DEFAULT_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        };
        *self.wanted_scopes.lock().expect("scopes cache") = Some(scopes.clone());
        scopes
    }

    pub async fn config_dto(&self) -> CoreResult<TiktokConfigDto> {
        let stored = tiktok_config::load(self.ctx.pool()).await?;
        let has_secret = self
            .ctx
            .secrets()
            .get(tiktok_config::CLIENT_SECRET_ENTRY)
            .await?
            .is_some();
        let mut dto = tiktok_config::dto(
            &stored,
            has_secret,
            &self.config.endpoints,
            self.config.simulator_url.as_deref(),
        );
        dto.direct_post_audit = tiktok_config::effective_audit(
            &stored,
            self.config.simulator_url.as_deref(),
            self.config.simulator_token.as_deref(),
        )
        .await;
        Ok(dto)
    }

    /// The Direct Post audit of the app in use (asked of the simulator in simulator mode).
    pub async fn direct_post_audit(&self) -> CoreResult<DirectPostAudit> {
        let stored = tiktok_config::load(self.ctx.pool()).await?;
        Ok(tiktok_config::effective_audit(
            &stored,
            self.config.simulator_url.as_deref(),
            self.config.simulator_token.as_deref(),
        )
        .await)
    }

    /// Applies a partial update: the secret goes to the keychain only, the rest to SQLite. The
    /// answer never contains the secret.
    pub async fn update_config(&self, patch: &TiktokConfigPatch) -> CoreResult<TiktokConfigDto> {
        let mut cache = self.current.lock().await;
        let mut stored = tiktok_config::load(self.ctx.pool()).await?;
        let before = stored.clone();
        tiktok_config::apply(&mut stored, patch)?;
        if let Some(audit) = patch.direct_post_audit {
            tiktok_config::apply_audit(
                &mut stored,
                audit,
                self.config.simulator_url.as_deref(),
                self.config.simulator_token.as_deref(),
            )
            .await?;
        }
        if let Some(secret) = &patch.client_secret {
            let secret = secret.trim();
            if secret.is_empty() {
                self.ctx
                    .secrets()
                    .delete(tiktok_config::CLIENT_SECRET_ENTRY)
                    .await?;
            } else {
                self.ctx
                    .secrets()
                    .set(tiktok_config::CLIENT_SECRET_ENTRY, &Secret::new(secret))
                    .await?;
            }
        }
        tiktok_config::save(self.ctx.pool(), &stored).await?;
        *cache = None;
        *self.wanted_scopes.lock().expect("scopes cache") = None;
        drop(cache);
        let mut changed = Vec::new();
        if before.client_key != stored.client_key {
            changed.push("client key");
        }
        if patch.client_secret.is_some() {
            changed.push("client secret");
        }
        if before.redirect_mode != stored.redirect_mode {
            changed.push("redirect mode");
        }
        if before.scopes != stored.scopes {
            changed.push("scopes");
        }
        if patch.direct_post_audit.is_some() {
            changed.push("direct post audit");
        }
        self.ctx
            .audit(
                None,
                "tiktok_config.update",
                Outcome::Ok,
                &format!(
                    "changed: {}",
                    if changed.is_empty() {
                        "nothing".to_owned()
                    } else {
                        changed.join(", ")
                    }
                ),
            )
            .await;
        self.config_dto().await
    }
}
