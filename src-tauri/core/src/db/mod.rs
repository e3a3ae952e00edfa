//! The only place with SQL. Each module is one table (or one aggregate whose rows change
//! together in one transaction) and knows nothing but types: no services, no events, no
//! TikTok. Services call these functions with the pool from their `Ctx`.

pub mod account_post_settings;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod backup;
pub mod caption_presets;
pub mod export;
pub mod open;
pub mod post_views;
pub mod posting_slots;
pub mod posts;
pub mod publish_jobs;
pub mod schedule;
pub mod settings;
pub mod store_files;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::OwnedMutexGuard;

/// A transaction that will write. SQLite's default `BEGIN` (deferred) takes the write lock only
/// at the first write; in WAL mode a transaction that read first and finds another connection
/// committed since then fails at once with "database is locked", without waiting for the busy
/// timeout. `BEGIN IMMEDIATE` takes the write lock up front, so writers queue behind each other
/// (up to the busy timeout) instead of failing: an account connecting while the publisher
/// writes must not be refused.
///
/// Writers of this process queue first on the database's write gate, in arrival order, and
/// sleep until the one before them is done. Left to SQLite, a writer that finds the lock taken
/// polls it with sleeps that grow to 25–100 ms: on a busy machine, where a transaction holds
/// the lock longer (its fsync, its threads waiting for a CPU), the scheduler's claim waited
/// that way behind the publishes' state writes (claims p90 27 ms, p99 113 ms in P2 under load).
pub async fn begin_write(pool: &SqlitePool) -> sqlx::Result<WriteTx> {
    let gate = write_gate(pool).lock_owned().await;
    let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    Ok(WriteTx { tx, _gate: gate })
}

/// A write transaction holding its database's write gate until it ends.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    _gate: OwnedMutexGuard<()>,
}

impl WriteTx {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// A pooled connection holding the database's write gate, for writes that are one autocommit
/// statement (or a few that need no transaction): they queue on the gate like
/// [`begin_write`]'s transactions. Written straight on the pool instead, such a write that meets
/// a transaction holding SQLite's lock falls to SQLite's busy handler, which sleeps 1, 2, 5,
/// 10… ms between tries — and a transaction that meets it does the same.
pub async fn write_conn(pool: &SqlitePool) -> sqlx::Result<WriteConn> {
    let gate = write_gate(pool).lock_owned().await;
    let conn = pool.acquire().await?;
    Ok(WriteConn { conn, _gate: gate })
}

/// See [`write_conn`].
pub struct WriteConn {
    conn: PoolConnection<Sqlite>,
    _gate: OwnedMutexGuard<()>,
}

impl std::ops::Deref for WriteConn {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for WriteConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

type Gates = Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>;
static WRITE_GATES: LazyLock<Gates> = LazyLock::new(Default::default);

/// The write gate of the database file `pool` opens (one per file in this process).
fn write_gate(pool: &SqlitePool) -> Arc<tokio::sync::Mutex<()>> {
    let file = pool.connect_options().get_filename().to_path_buf();
    WRITE_GATES
        .lock()
        .expect("write gates")
        .entry(file)
        .or_default()
        .clone()
}
