//! What the shell keeps in Tauri's state: the engine (or why it could not start) and the facts
//! the About panel shows.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokdeck_core::ipc::{AppInfo, TiktokMode};
use tokdeck_core::{Engine, EngineConfig, ErrorCode, UiError};

pub struct AppState {
    /// Replaced after a restore (the engine that restored is shut down; a new one opens on
    /// the same folder) and after "Restore the latest good backup" at a damaged start.
    pub engine: RwLock<Option<Arc<Engine>>>,
    pub startup_error: RwLock<Option<UiError>>,
    /// What the engine was opened with, to open it again.
    pub config: EngineConfig,
    pub data_dir: PathBuf,
    pub log_dir: PathBuf,
    pub simulator: Mutex<Option<tokdeck_sim::Simulator>>,
    pub simulator_url: Option<String>,
    pub tray_available: AtomicBool,
    /// Set by Quit so the close handler stops hiding the window.
    pub quitting: AtomicBool,
    /// Counts engine replacements; an engine's event forwarder ends when it changes.
    pub generation: tokio::sync::watch::Sender<u64>,
    /// The tray's midnight refresh: one per app, not one per engine.
    pub midnight_refresh: OnceFlag,
    /// When the engine found its database damaged: the newest good backup's time (RFC 3339),
    /// for "Restore the latest good backup (<date>)".
    pub latest_good_backup: RwLock<Option<String>>,
}

/// True for the first caller only.
#[derive(Debug, Default)]
pub struct OnceFlag(AtomicBool);

impl OnceFlag {
    pub fn first_start(&self) -> bool {
        !self.0.swap(true, Ordering::SeqCst)
    }
}

impl AppState {
    pub fn engine(&self) -> Result<Arc<Engine>, UiError> {
        self.current().ok_or_else(|| {
            self.startup_error().unwrap_or_else(|| {
                UiError::new(ErrorCode::Unavailable, "Tokdeck's engine is not running.")
            })
        })
    }

    /// The engine, if one is running.
    pub fn current(&self) -> Option<Arc<Engine>> {
        self.engine.read().ok().and_then(|e| e.clone())
    }

    pub fn startup_error(&self) -> Option<UiError> {
        self.startup_error.read().ok().and_then(|e| e.clone())
    }

    /// Puts `engine` in place of the current one (or records why none could open).
    pub fn replace(&self, engine: Result<Arc<Engine>, UiError>) {
        let (e, err) = match engine {
            Ok(e) => (Some(e), None),
            Err(err) => (None, Some(err)),
        };
        if let Ok(mut slot) = self.engine.write() {
            *slot = e;
        }
        if let Ok(mut slot) = self.startup_error.write() {
            *slot = err;
        }
        if let Ok(mut slot) = self.latest_good_backup.write() {
            *slot = None;
        }
        self.generation.send_modify(|g| *g += 1);
    }

    /// Changes when the engine is replaced (see [`AppState::replace`]).
    pub fn replaced(&self) -> tokio::sync::watch::Receiver<u64> {
        self.generation.subscribe()
    }

    pub fn tray_available(&self) -> bool {
        self.tray_available.load(Ordering::SeqCst)
    }

    /// The mode follows the engine's TikTok settings: the simulator answers while no TikTok app
    /// (client key) is configured.
    pub async fn app_info(&self) -> AppInfo {
        let tiktok_mode = match &self.current() {
            Some(engine) => engine
                .tiktok_config()
                .await
                .map(|c| c.mode)
                .unwrap_or(TiktokMode::Simulator),
            None => TiktokMode::Simulator,
        };
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.data_dir.display().to_string(),
            log_dir: self.log_dir.display().to_string(),
            tiktok_mode,
            simulator_url: self.simulator_url.clone(),
            tray_available: self.tray_available(),
            startup_error: self.startup_error(),
            latest_good_backup: self.latest_good_backup.read().ok().and_then(|b| b.clone()),
        }
    }
}
