//! The engine handle the shell keeps in its state: one per process, no globals.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::Mutex;

use crate::audit::{self, Outcome};
use crate::error::CoreResult;
use crate::events::{EngineEvent, Events};
use crate::secrets::Secrets;
use crate::settings::{self, Settings, SettingsPatch};
use crate::store::Store;

/// Environment variable that moves all of Tokdeck's data (tests, E2E, portable installs).
pub const DATA_DIR_ENV: &str = "TOKDECK_DATA_DIR";
/// Environment variable naming the keychain service, so test runs never touch real entries.
pub const KEYCHAIN_SERVICE_ENV: &str = "TOKDECK_KEYCHAIN_SERVICE";
pub const DEFAULT_KEYCHAIN_SERVICE: &str = "tokdeck";

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub secrets: Secrets,
}

impl EngineConfig {
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
        Self {
            data_dir,
            secrets: Secrets::native(service),
        }
    }
}

pub struct Engine {
    store: Store,
    secrets: Secrets,
    events: Events,
    settings: Mutex<Settings>,
    data_dir: PathBuf,
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
            data_dir: config.data_dir,
        }))
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
        let detail = serde_json::to_string(patch).unwrap_or_default();
        audit::record(self.store.pool(), None, "settings.update", Outcome::Ok, &detail).await;
        self.events.emit(EngineEvent::SettingsChanged {
            settings: next.clone(),
        });
        Ok(next)
    }

    pub async fn recent_audit(&self, limit: i64) -> CoreResult<Vec<audit::AuditEntry>> {
        audit::recent(self.store.pool(), limit.clamp(1, 500)).await
    }

    /// Stops background work and closes the database. Safe to call more than once.
    pub async fn shutdown(&self) {
        audit::record(self.store.pool(), None, "app.quit", Outcome::Ok, "").await;
        self.store.close().await;
    }
}
