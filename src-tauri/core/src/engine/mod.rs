//! The engine handle the shell keeps in its state: one per process, no globals.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod accounts_api;
mod analytics_api;
mod backup_api;
mod planning_api;
mod posts_api;
mod publish_api;

use crate::accounts::connect::{Connect, FLOW_TTL};
use crate::accounts::service::Accounts;
use crate::accounts::tokens::Tokens;
use crate::analytics::Analytics;
use crate::audit::Outcome;
use crate::backup::Backups;
use crate::clock::Clock;
use crate::compose::service::Compose;
use crate::ctx::Ctx;
use crate::db::open::Store;
use crate::error::CoreResult;
use crate::events::Events;
use crate::planning::Planning;
use crate::posts::service::Posts;
use crate::preview::Previews;
use crate::publisher::Publisher;
use crate::secrets::Secrets;
use crate::settings::{Settings, SettingsPatch};
use crate::settings_service::SettingsService;
use crate::tiktok_app::{TiktokApp, TiktokAppConfig};
use crate::tiktok_config::{DirectPostAudit, TiktokConfigDto, TiktokConfigPatch, TiktokEndpoints};
use crate::tray_status::Tray;
use crate::workers::{WorkerDeps, Workers};

/// Environment variable that moves all of Tokdeck's data (tests, E2E, portable installs).
pub const DATA_DIR_ENV: &str = "TOKDECK_DATA_DIR";
/// Environment variable naming the keychain service, so test runs never touch real entries.
pub const KEYCHAIN_SERVICE_ENV: &str = "TOKDECK_KEYCHAIN_SERVICE";
pub const DEFAULT_KEYCHAIN_SERVICE: &str = "tokdeck";

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub secrets: Secrets,
    /// TikTok's hosts, used when the creator configured their own developer app. Tests point
    /// them at the simulator.
    pub endpoints: TiktokEndpoints,
    /// The in-process simulator the shell started (demo mode while no client key is set).
    pub simulator_url: Option<String>,
    /// The secret of that simulator's control API (`Simulator::control_token`).
    pub simulator_token: Option<String>,
    pub clock: Clock,
    /// How long a connect flow waits for TikTok's callback.
    pub flow_ttl: Duration,
    /// TikTok's rate-limit window for the client's pacing (one minute in production; benches
    /// shorten it together with the simulator's `rate_window_ms`).
    pub rate_window: Duration,
    /// Changes the TikTok client's timeouts and retry pacing (tests that inject faults by the
    /// hundred shorten the seconds-long backoffs; production leaves it `None`).
    pub client_tuning: Option<fn(&mut tiktok_api::ClientConfig)>,
    /// How long the analytics sampler waits after start before its first pass
    /// (`workers::sampler::START_DELAY`; the analytics tests use zero).
    pub sampler_delay: Duration,
}

impl EngineConfig {
    pub fn new(data_dir: PathBuf, secrets: Secrets) -> Self {
        Self {
            data_dir,
            secrets,
            endpoints: TiktokEndpoints::default(),
            simulator_url: None,
            simulator_token: None,
            clock: Clock::system(),
            flow_ttl: FLOW_TTL,
            rate_window: Duration::from_secs(60),
            client_tuning: None,
            sampler_delay: crate::workers::sampler::START_DELAY,
        }
    }

    /// The simulator at `base_url`, whose control API wants `control_token`.
    pub fn with_simulator(
        mut self,
        base_url: impl Into<String>,
        control_token: impl Into<String>,
    ) -> Self {
        self.simulator_url = Some(base_url.into());
        self.simulator_token = Some(control_token.into());
        self
    }

    /// The data dir from `TOKDECK_DATA_DIR` if set, else `default_dir`; the keychain service
    /// from `TOKDECK_KEYCHAIN_SERVICE` if set.
    pub fn from_env(default_dir: PathBuf) -> Self {
        let data_dir = std::env::var_os(DATA_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or(default_dir);
        let service = std::env::var(KEYCHAIN_SERVICE_ENV)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_KEYCHAIN_SERVICE.to_owned());
        Self::new(data_dir, Secrets::native(service))
    }
}

pub use crate::tiktok_app::TiktokCtx;

/// The composition root: builds the services from the configuration, starts and stops the
/// background workers, and answers the shell, the tests and the benches by delegating to the
/// service that owns each operation.
pub struct Engine {
    ctx: Ctx,
    tiktok_app: Arc<TiktokApp>,
    settings: Arc<SettingsService>,
    tokens: Arc<Tokens>,
    posts: Arc<Posts>,
    compose: Arc<Compose>,
    planning: Arc<Planning>,
    tray: Arc<Tray>,
    accounts: Arc<Accounts>,
    connect: Arc<Connect>,
    publisher: Arc<Publisher>,
    analytics: Arc<Analytics>,
    sampler_delay: Duration,
    backups: Arc<Backups>,
    workers: Workers,
    /// The loopback video preview server, started on first use.
    preview: Arc<Previews>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.ctx.data_dir())
            .finish()
    }
}

impl Engine {
    pub async fn open(config: EngineConfig) -> CoreResult<Arc<Engine>> {
        let store = Store::open(&config.data_dir).await?;
        let ctx = Ctx::new(store, config.secrets, config.clock, config.data_dir.clone());
        let settings = Arc::new(SettingsService::load(ctx.clone()).await?);
        ctx.audit(None, "app.start", Outcome::Ok, "").await;
        let tiktok_app = Arc::new(TiktokApp::new(
            ctx.clone(),
            TiktokAppConfig {
                endpoints: config.endpoints,
                simulator_url: config.simulator_url,
                simulator_token: config.simulator_token,
                rate_window: config.rate_window,
                client_tuning: config.client_tuning,
            },
        ));
        let tokens = Arc::new(Tokens::new(ctx.clone(), tiktok_app.clone()));
        let posts = Arc::new(Posts::new(ctx.clone()));
        let compose = Arc::new(Compose::new(ctx.clone(), tokens.clone(), posts.clone()));
        let planning = Arc::new(Planning::new(
            ctx.clone(),
            posts.clone(),
            compose.clone(),
            tiktok_app.clone(),
        ));
        let preview = Arc::new(Previews::new(ctx.clone(), posts.clone()));
        let accounts = Arc::new(Accounts::new(
            ctx.clone(),
            tiktok_app.clone(),
            tokens.clone(),
            posts.clone(),
        ));
        let connect = Arc::new(Connect::new(
            ctx.clone(),
            tiktok_app.clone(),
            tokens.clone(),
            accounts.clone(),
            posts.clone(),
            config.flow_ttl,
        ));
        let publisher = Publisher::new(
            ctx.clone(),
            tiktok_app.clone(),
            tokens.clone(),
            settings.clone(),
            posts.clone(),
        );
        let tray = Arc::new(Tray::new(ctx.clone(), settings.clone(), publisher.clone()));
        let analytics = Arc::new(Analytics::new(ctx.clone(), tokens.clone()));
        let backups = Arc::new(Backups::new(ctx.clone(), posts.clone()));
        Ok(Arc::new(Engine {
            ctx,
            tiktok_app,
            settings,
            tokens,
            posts,
            compose,
            planning,
            tray,
            accounts,
            connect,
            publisher,
            analytics,
            sampler_delay: config.sampler_delay,
            backups,
            workers: Workers::default(),
            preview,
        }))
    }

    pub fn clock(&self) -> &Clock {
        self.ctx.clock()
    }

    /// The TikTok client for the current configuration (built once, rebuilt after a change).
    pub async fn tiktok(&self) -> CoreResult<Arc<TiktokCtx>> {
        self.tiktok_app.current().await
    }

    pub async fn tiktok_config(&self) -> CoreResult<TiktokConfigDto> {
        self.tiktok_app.config_dto().await
    }

    /// The Direct Post audit of the app in use (asked of the simulator in simulator mode).
    pub async fn direct_post_audit(&self) -> CoreResult<DirectPostAudit> {
        self.tiktok_app.direct_post_audit().await
    }

    pub async fn update_tiktok_config(
        &self,
        patch: &TiktokConfigPatch,
    ) -> CoreResult<TiktokConfigDto> {
        self.tiktok_app.update_config(patch).await
    }

    /// Starts the background workers (once): the startup media check, the scheduler, the
    /// wall-clock jump watch, the token refresher, the Trash clean-up, the analytics sampler
    /// and the daily backup. The shell calls this after setup; tests that want it call it too.
    pub fn start_background(self: &Arc<Self>) {
        self.workers.start(WorkerDeps {
            ctx: &self.ctx,
            posts: &self.posts,
            publisher: &self.publisher,
            tokens: &self.tokens,
            analytics: &self.analytics,
            sampler_delay: self.sampler_delay,
            backups: &self.backups,
        });
    }

    /// The background workers running now, by name (empty before start and after shutdown).
    pub fn running_workers(&self) -> Vec<&'static str> {
        self.workers.running()
    }

    pub fn data_dir(&self) -> &Path {
        self.ctx.data_dir()
    }

    pub fn store(&self) -> &Store {
        self.ctx.store()
    }

    pub fn secrets(&self) -> &Secrets {
        self.ctx.secrets()
    }

    pub fn events(&self) -> &Events {
        self.ctx.events()
    }

    /// Appends to the activity log (for what the shell sees first, e.g. deep links).
    pub async fn record_activity(
        &self,
        account_id: Option<i64>,
        action: &str,
        outcome: Outcome,
        detail: &str,
    ) {
        self.ctx.audit(account_id, action, outcome, detail).await;
    }

    pub async fn settings(&self) -> Settings {
        self.settings.get().await
    }

    pub async fn update_settings(&self, patch: &SettingsPatch) -> CoreResult<Settings> {
        self.settings.update(patch).await
    }

    /// Stops background work and closes the database. Safe to call more than once.
    pub async fn shutdown(&self) {
        self.workers.stop().await;
        // Publishes in flight stop where they are; their persisted state resumes them at the
        // next start.
        self.publisher.abort_all();
        self.cancel_connect().await;
        if let Some(preview) = self.preview.get() {
            preview.stop();
        }
        self.ctx.audit(None, "app.quit", Outcome::Ok, "").await;
        self.ctx.store().close().await;
    }
}
