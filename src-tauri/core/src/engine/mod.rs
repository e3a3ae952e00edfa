//! The engine handle the shell keeps in its state: one per process, no globals.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Mutex, Notify};

mod accounts_api;
mod posts_api;
mod publish_api;

use crate::accounts::TokenFacts;
use crate::audit::Outcome;
use crate::avatars::Avatars;
use crate::clock::Clock;
use crate::compose::service::Compose;
use crate::ctx::Ctx;
use crate::error::CoreResult;
use crate::events::{EngineEvent, Events};
use crate::oauth::{Flows, FLOW_TTL};
use crate::posts::service::Posts;
use crate::preview::Previews;
use crate::secrets::Secrets;
use crate::settings::{Settings, SettingsPatch};
use crate::settings_service::SettingsService;
use crate::store::Store;
use crate::tiktok_app::{TiktokApp, TiktokAppConfig};
use crate::tiktok_config::{DirectPostAudit, TiktokConfigDto, TiktokConfigPatch, TiktokEndpoints};
use crate::tokens::Tokens;
use crate::tray_status::Tray;

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
    tray: Arc<Tray>,
    flow_ttl: Duration,
    flows: Flows,
    avatars: Avatars,
    running: std::sync::Mutex<crate::scheduler::Running>,
    scheduler: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    stop: watch::Sender<bool>,
    background: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
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
        let tray = Arc::new(Tray::new(ctx.clone(), settings.clone()));
        let preview = Arc::new(Previews::new(ctx.clone(), posts.clone()));
        Ok(Arc::new(Engine {
            avatars: Avatars::new(&config.data_dir),
            ctx,
            tiktok_app,
            settings,
            tokens,
            posts,
            compose,
            tray,
            flow_ttl: config.flow_ttl,
            flows: Flows::default(),
            running: std::sync::Mutex::new(Default::default()),
            scheduler: std::sync::Mutex::new(None),
            stop: watch::channel(false).0,
            background: std::sync::Mutex::new(None),
            preview,
        }))
    }

    pub fn clock(&self) -> &Clock {
        self.ctx.clock()
    }

    #[allow(dead_code)] // the services moving out of `impl Engine` (#12) take it
    pub(crate) fn ctx(&self) -> &Ctx {
        &self.ctx
    }

    pub(crate) fn flow_ttl(&self) -> Duration {
        self.flow_ttl
    }

    pub(crate) fn flows(&self) -> &Flows {
        &self.flows
    }

    pub(crate) fn tiktok_app(&self) -> &Arc<TiktokApp> {
        &self.tiktok_app
    }

    #[allow(dead_code)] // the services moving out of `impl Engine` (#12) take it
    pub(crate) fn tokens(&self) -> &Arc<Tokens> {
        &self.tokens
    }

    pub(crate) fn avatars(&self) -> &Avatars {
        &self.avatars
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

    // Tokens.
    pub(crate) async fn save_tokens(&self, ts: &tiktok_api::TokenSet) -> CoreResult<TokenFacts> {
        self.tokens.save_tokens(ts).await
    }

    pub(crate) fn token_locks_for(&self, open_id: &str) -> Arc<Mutex<()>> {
        self.tokens.token_locks_for(open_id)
    }

    pub(crate) async fn delete_tokens(&self, open_id: &str) -> CoreResult<()> {
        self.tokens.delete_tokens(open_id).await
    }

    /// A valid access token for the account, refreshed first if it expires within the margin.
    pub async fn access_token(&self, account_id: i64) -> CoreResult<tiktok_api::AccessToken> {
        self.tokens.access_token(account_id).await
    }

    pub(crate) async fn with_token<T, F, Fut>(&self, account_id: i64, call: F) -> CoreResult<T>
    where
        F: Fn(tiktok_api::TikTokClient, tiktok_api::AccessToken) -> Fut,
        Fut: std::future::Future<Output = tiktok_api::Result<T>>,
    {
        self.tokens.with_token(account_id, call).await
    }

    /// Background refresher passes (wake-ups) since the engine started.
    pub fn refresher_wakeups(&self) -> u64 {
        self.tokens.refresher_wakeups()
    }

    /// Starts the background token refresher (once). The shell calls this after setup; tests
    /// that want it call it too.
    pub fn start_background(self: &Arc<Self>) {
        let mut slot = self.background.lock().expect("background slot");
        if slot.is_some() || *self.stop.borrow() {
            return;
        }
        // At start, a scheduled post whose video moved or changed while Tokdeck was closed goes
        // to "needs attention" now, not at publish time.
        let checker = Arc::downgrade(self);
        tokio::spawn(async move {
            let Some(engine) = checker.upgrade() else {
                return;
            };
            match engine.check_pending_media().await {
                Ok(bad) if !bad.is_empty() => engine.ctx.events().emit(EngineEvent::Notice {
                    level: crate::events::NoticeLevel::Warning,
                    message: format!(
                        "{} scheduled post{} need{} attention: the video file moved or changed. Open the Queue to relink it.",
                        bad.len(),
                        if bad.len() == 1 { "" } else { "s" },
                        if bad.len() == 1 { "s" } else { "" },
                    ),
                }),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not check the videos of pending posts"),
            }
        });
        *self.scheduler.lock().expect("scheduler slot") =
            Some(self.spawn_scheduler(self.stop.subscribe()));
        // After a resume or a clock change, due posts and due refreshes are looked at now, not
        // when the current (monotonic) sleep ends. The watch ends with `stop`.
        let (scheduler_wake, refresher_wake) = (
            self.ctx.wakes().scheduler.clone(),
            self.ctx.wakes().refresher.clone(),
        );
        crate::wall_clock::spawn_jump_watch(
            move || {
                scheduler_wake.notify_one();
                refresher_wake.notify_one();
            },
            self.stop.subscribe(),
        );
        let weak = Arc::downgrade(self);
        let wake = self.ctx.wakes().refresher.clone();
        let mut stop = self.stop.subscribe();
        let mut clock_moved = self.ctx.clock().moved();
        *slot = Some(tokio::spawn(async move {
            loop {
                let Some(engine) = weak.upgrade() else { break };
                let sleep = engine.tokens.refresh_due().await;
                drop(engine);
                tokio::select! {
                    _ = tokio::time::sleep(sleep) => {}
                    _ = wake.notified() => {}
                    _ = clock_moved.changed() => {}
                    _ = stop.changed() => break,
                }
            }
        }));
    }

    pub(crate) fn running(&self) -> &std::sync::Mutex<crate::scheduler::Running> {
        &self.running
    }

    pub(crate) fn scheduler_wake(&self) -> Arc<Notify> {
        self.ctx.wakes().scheduler.clone()
    }

    /// Makes the scheduler read the due posts again now.
    pub(crate) fn wake_scheduler(&self) {
        self.ctx.wake_scheduler();
    }

    /// Makes the background refresher look at the accounts again now.
    pub(crate) fn wake_background(&self) {
        self.ctx.wake_refresher();
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

    pub async fn settings(&self) -> Settings {
        self.settings.get().await
    }

    pub async fn update_settings(&self, patch: &SettingsPatch) -> CoreResult<Settings> {
        self.settings.update(patch).await
    }

    /// Stops background work and closes the database. Safe to call more than once.
    pub async fn shutdown(&self) {
        let _ = self.stop.send(true);
        let task = self.background.lock().expect("background slot").take();
        if let Some(task) = task {
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::warn!("background refresher did not stop in time");
            }
        }
        let scheduler = self.scheduler.lock().expect("scheduler slot").take();
        if let Some(task) = scheduler {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
        // Publishes in flight stop where they are; their persisted state resumes them at the
        // next start.
        self.running.lock().expect("running").abort_all();
        self.cancel_connect().await;
        if let Some(preview) = self.preview.get() {
            preview.stop();
        }
        self.ctx.audit(None, "app.quit", Outcome::Ok, "").await;
        self.ctx.store().close().await;
    }
}
