//! The engine handle the shell keeps in its state: one per process, no globals.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Mutex, Notify};

use crate::audit::{self, Outcome};
use crate::avatars::Avatars;
use crate::clock::Clock;
use crate::error::CoreResult;
use crate::events::{EngineEvent, Events};
use crate::oauth::{Flows, FLOW_TTL};
use crate::secrets::Secrets;
use crate::settings::{self, Settings, SettingsPatch};
use crate::store::Store;
use crate::tiktok_config::{
    self, ResolvedConfig, TiktokConfigDto, TiktokConfigPatch, TiktokEndpoints,
};
use crate::tokens::TokenLocks;

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

/// The TikTok configuration in use and a client built from it (shared by every account so the
/// client's pacing covers them all).
#[derive(Debug)]
pub struct TiktokCtx {
    pub resolved: ResolvedConfig,
    pub client: tiktok_api::TikTokClient,
}

pub struct Engine {
    store: Store,
    secrets: Secrets,
    events: Events,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
    clock: Clock,
    endpoints: TiktokEndpoints,
    simulator_url: Option<String>,
    simulator_token: Option<String>,
    flow_ttl: Duration,
    rate_window: Duration,
    client_tuning: Option<fn(&mut tiktok_api::ClientConfig)>,
    tiktok: Mutex<Option<Arc<TiktokCtx>>>,
    flows: Flows,
    token_locks: TokenLocks,
    avatars: Avatars,
    wake: Arc<Notify>,
    /// Pokes the scheduler (posts scheduled, edited, paused, resumed; a publish ended).
    scheduler_wake: Arc<Notify>,
    running: std::sync::Mutex<crate::scheduler::Running>,
    scheduler: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    stop: watch::Sender<bool>,
    background: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    /// The requested scopes (for `missingScopes`), cleared when the TikTok config changes.
    wanted_scopes: std::sync::Mutex<Option<Vec<String>>>,
    /// The loopback video preview server, started on first use.
    preview: tokio::sync::OnceCell<crate::preview::PreviewServer>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl Engine {
    pub async fn open(config: EngineConfig) -> CoreResult<Arc<Engine>> {
        let store = Store::open(&config.data_dir).await?;
        let settings = settings::load(store.pool()).await?;
        audit::record(store.pool(), None, "app.start", Outcome::Ok, "").await;
        Ok(Arc::new(Engine {
            store,
            secrets: config.secrets,
            events: Events::default(),
            settings: Mutex::new(settings),
            avatars: Avatars::new(&config.data_dir),
            data_dir: config.data_dir,
            clock: config.clock,
            endpoints: config.endpoints,
            simulator_url: config.simulator_url,
            simulator_token: config.simulator_token,
            flow_ttl: config.flow_ttl,
            rate_window: config.rate_window,
            client_tuning: config.client_tuning,
            tiktok: Mutex::new(None),
            flows: Flows::default(),
            token_locks: TokenLocks::default(),
            wake: Arc::new(Notify::new()),
            scheduler_wake: Arc::new(Notify::new()),
            running: std::sync::Mutex::new(Default::default()),
            scheduler: std::sync::Mutex::new(None),
            stop: watch::channel(false).0,
            background: std::sync::Mutex::new(None),
            wanted_scopes: std::sync::Mutex::new(None),
            preview: tokio::sync::OnceCell::new(),
        }))
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn flow_ttl(&self) -> Duration {
        self.flow_ttl
    }

    pub(crate) fn flows(&self) -> &Flows {
        &self.flows
    }

    pub(crate) fn token_locks(&self) -> &TokenLocks {
        &self.token_locks
    }

    pub(crate) fn wanted_scopes_cache(&self) -> &std::sync::Mutex<Option<Vec<String>>> {
        &self.wanted_scopes
    }

    pub(crate) fn preview_slot(&self) -> &tokio::sync::OnceCell<crate::preview::PreviewServer> {
        &self.preview
    }

    pub(crate) fn avatars(&self) -> &Avatars {
        &self.avatars
    }

    /// The TikTok client for the current configuration (built once, rebuilt after a change).
    pub async fn tiktok(&self) -> CoreResult<Arc<TiktokCtx>> {
        let mut cache = self.tiktok.lock().await;
        if let Some(ctx) = cache.as_ref() {
            return Ok(ctx.clone());
        }
        let stored = tiktok_config::load(self.store.pool()).await?;
        let resolved = tiktok_config::resolve(
            &stored,
            &self.secrets,
            &self.endpoints,
            self.simulator_url.as_deref(),
        )
        .await?;
        let client = resolved.client_tuned(self.rate_window, self.client_tuning)?;
        let ctx = Arc::new(TiktokCtx { resolved, client });
        *cache = Some(ctx.clone());
        Ok(ctx)
    }

    pub async fn tiktok_config(&self) -> CoreResult<TiktokConfigDto> {
        let stored = tiktok_config::load(self.store.pool()).await?;
        let has_secret = self
            .secrets
            .get(tiktok_config::CLIENT_SECRET_ENTRY)
            .await?
            .is_some();
        let mut dto = tiktok_config::dto(
            &stored,
            has_secret,
            &self.endpoints,
            self.simulator_url.as_deref(),
        );
        dto.direct_post_audit = tiktok_config::effective_audit(
            &stored,
            self.simulator_url.as_deref(),
            self.simulator_token.as_deref(),
        )
        .await;
        Ok(dto)
    }

    /// The Direct Post audit of the app in use (asked of the simulator in simulator mode).
    pub async fn direct_post_audit(&self) -> CoreResult<tiktok_config::DirectPostAudit> {
        let stored = tiktok_config::load(self.store.pool()).await?;
        Ok(tiktok_config::effective_audit(
            &stored,
            self.simulator_url.as_deref(),
            self.simulator_token.as_deref(),
        )
        .await)
    }

    /// Applies a partial update: the secret goes to the keychain only, the rest to SQLite. The
    /// answer never contains the secret.
    pub async fn update_tiktok_config(
        &self,
        patch: &TiktokConfigPatch,
    ) -> CoreResult<TiktokConfigDto> {
        let mut cache = self.tiktok.lock().await;
        let mut stored = tiktok_config::load(self.store.pool()).await?;
        let before = stored.clone();
        tiktok_config::apply(&mut stored, patch)?;
        if let Some(audit) = patch.direct_post_audit {
            tiktok_config::apply_audit(
                &mut stored,
                audit,
                self.simulator_url.as_deref(),
                self.simulator_token.as_deref(),
            )
            .await?;
        }
        if let Some(secret) = &patch.client_secret {
            let secret = secret.trim();
            if secret.is_empty() {
                self.secrets
                    .delete(tiktok_config::CLIENT_SECRET_ENTRY)
                    .await?;
            } else {
                self.secrets
                    .set(
                        tiktok_config::CLIENT_SECRET_ENTRY,
                        &crate::secrets::Secret::new(secret),
                    )
                    .await?;
            }
        }
        tiktok_config::save(self.store.pool(), &stored).await?;
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
        audit::record(
            self.store.pool(),
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
        self.tiktok_config().await
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
                Ok(bad) if !bad.is_empty() => engine.events.emit(EngineEvent::Notice {
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
        let (scheduler_wake, refresher_wake) = (self.scheduler_wake.clone(), self.wake.clone());
        crate::wall_clock::spawn_jump_watch(
            move || {
                scheduler_wake.notify_one();
                refresher_wake.notify_one();
            },
            self.stop.subscribe(),
        );
        let weak = Arc::downgrade(self);
        let wake = self.wake.clone();
        let mut stop = self.stop.subscribe();
        let mut clock_moved = self.clock.moved();
        *slot = Some(tokio::spawn(async move {
            loop {
                let Some(engine) = weak.upgrade() else { break };
                let sleep = engine.refresh_due().await;
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
        self.scheduler_wake.clone()
    }

    /// Makes the scheduler read the due posts again now.
    pub(crate) fn wake_scheduler(&self) {
        self.scheduler_wake.notify_one();
    }

    /// Makes the background refresher look at the accounts again now.
    pub(crate) fn wake_background(&self) {
        self.wake.notify_one();
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    pub async fn settings(&self) -> Settings {
        self.settings.lock().await.clone()
    }

    /// Applies a partial update, persists it, then tells everyone. The lock is held across the
    /// write so two concurrent patches cannot lose each other's fields.
    pub async fn update_settings(&self, patch: &SettingsPatch) -> CoreResult<Settings> {
        let mut current = self.settings.lock().await;
        let mut next = current.clone();
        next.apply(patch);
        settings::save(self.store.pool(), &next).await?;
        *current = next.clone();
        drop(current);
        self.wake_scheduler();
        let detail = serde_json::to_string(patch).unwrap_or_default();
        audit::record(
            self.store.pool(),
            None,
            "settings.update",
            Outcome::Ok,
            &detail,
        )
        .await;
        self.events.emit(EngineEvent::SettingsChanged {
            settings: next.clone(),
        });
        Ok(next)
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
        audit::record(self.store.pool(), None, "app.quit", Outcome::Ok, "").await;
        self.store.close().await;
    }
}
