//! What every service is handed instead of the engine: the database, the keychain, the event
//! bus, the clock, the data folder and the wake-up signals of the background workers.
//!
//! Cheap to clone (every part is shared). A service keeps the `Ctx` plus the few other services
//! it really calls, given to it by the composition root (`engine`), so what a service can reach
//! is written in its constructor.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sqlx::SqlitePool;
use tokio::sync::Notify;

use crate::audit::Outcome;
use crate::clock::Clock;
use crate::db::open::Store;
use crate::events::Events;
use crate::secrets::Secrets;

#[derive(Clone)]
pub struct Ctx {
    store: Arc<Store>,
    secrets: Secrets,
    events: Events,
    clock: Clock,
    data_dir: Arc<PathBuf>,
    wakes: Wakes,
}

/// The background workers' doorbells: whoever changes what a worker waits for rings its bell so
/// it looks again now instead of when its sleep ends.
#[derive(Clone, Default)]
pub struct Wakes {
    /// Posts scheduled, edited, paused, resumed; a publish ended; settings changed.
    pub scheduler: Arc<Notify>,
    /// Accounts connected, removed or reconnected (the token refresher).
    pub refresher: Arc<Notify>,
    /// The analytics sampler: accounts changed too (a new account gets its first walk now).
    pub sampler: Arc<Notify>,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl Ctx {
    pub fn new(store: Store, secrets: Secrets, clock: Clock, data_dir: PathBuf) -> Self {
        Self {
            store: Arc::new(store),
            secrets,
            events: Events::default(),
            clock,
            data_dir: Arc::new(data_dir),
            wakes: Wakes::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn pool(&self) -> &SqlitePool {
        self.store.pool()
    }

    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    pub fn events(&self) -> &Events {
        &self.events
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn wakes(&self) -> &Wakes {
        &self.wakes
    }

    /// Makes the scheduler read the due posts again now.
    pub fn wake_scheduler(&self) {
        self.wakes.scheduler.notify_one();
    }

    /// Makes the background token refresher (and the analytics sampler) look at the accounts
    /// again now.
    pub fn wake_refresher(&self) {
        self.wakes.refresher.notify_one();
        self.wakes.sampler.notify_one();
    }

    /// Appends to the activity log (never fails the caller; see `db::audit::record`).
    pub async fn audit(
        &self,
        account_id: Option<i64>,
        action: &str,
        outcome: Outcome,
        detail: &str,
    ) {
        crate::db::audit::record(self.pool(), account_id, action, outcome, detail).await;
    }
}
