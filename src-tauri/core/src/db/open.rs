//! The SQLite store: one file in the data dir, opened defensively.
//!
//! Opening never overwrites or deletes anything. A file that is not a SQLite database, that
//! another process holds, or that a newer Tokdeck has migrated is refused with a clear reason,
//! so the user's schedule survives whatever went wrong.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::Utc;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};

use super::backup::{self, check, swap, BackupKind};
use super::store_files::{acquire_dir_lock, io_reason};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

pub use super::store_files::{StoreError, DB_FILE};
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// An open store. Holding it keeps the data-dir lock, so a second engine cannot open the same
/// folder underneath us.
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
    /// `None` once released by [`Store::release_lock`].
    lock: std::sync::Mutex<Option<File>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and runs pending migrations.
    pub async fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Self::open_with(data_dir, &MIGRATOR).await
    }

    /// [`Store::open`] with another set of migrations (the migration-safety tests add a
    /// failing one).
    pub async fn open_with(data_dir: &Path, migrator: &Migrator) -> Result<Store, StoreError> {
        match Self::open_checked(data_dir, migrator).await {
            // SQLite found damage past a valid header: say which backup can replace it.
            Err(StoreError::Corrupt(path)) if header_is_sqlite(&path) => {
                Err(damaged(data_dir, &path).await)
            }
            other => other,
        }
    }

    async fn open_checked(data_dir: &Path, migrator: &Migrator) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let lock = acquire_dir_lock(data_dir)?;
        let path = data_dir.join(DB_FILE);
        check_header(&path)?;

        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?
            .filename(&path)
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // The publisher writes each step before the next network call; FULL keeps that step
            // after a power loss, and the write rate is tiny.
            .synchronous(SqliteSynchronous::Full);

        // Switching to WAL needs an exclusive lock: do it once on a single connection before the
        // pool exists, so pool connections never race for it.
        let mut first = options
            .clone()
            .journal_mode(SqliteJournalMode::Wal)
            .connect()
            .await
            .map_err(|e| classify_open_error(&path, e))?;
        let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let found = check::schema_version(&mut first)
            .await
            .map_err(|e| classify_open_error(&path, e))?;
        if let Some(found) = found {
            if found > known {
                return Err(StoreError::TooNew { path, found, known });
            }
        }
        let has_data = check::has_data(&mut first)
            .await
            .map_err(|e| classify_open_error(&path, e))?;
        if has_data
            && !check::quick_check(&mut first)
                .await
                .map_err(|e| classify_open_error(&path, e))?
        {
            let _ = first.close().await;
            return Err(damaged(data_dir, &path).await);
        }
        // Before an update touches the data, a checked copy of it: the way back if the update
        // fails here, or turns out wrong later.
        let pre_migration = if has_data && found.unwrap_or(0) < known {
            Some(
                backup::snapshot(&mut first, data_dir, BackupKind::PreMigration, Utc::now())
                    .await?,
            )
        } else {
            None
        };
        first
            .close()
            .await
            .map_err(|e| classify_open_error(&path, e))?;

        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A connection to a local file cannot go away while it sits idle: a test before
            // each acquire was one more round trip to the connection's thread for every query
            // and transaction (the pool still tests each connection as it comes back).
            .test_before_acquire(false)
            .connect_with(options.journal_mode(SqliteJournalMode::Wal))
            .await
            .map_err(|e| classify_open_error(&path, e))?;
        if let Err(source) = migrator.run(&pool).await {
            // Each migration commits on its own: one that fails after others ran would leave
            // a half-updated database. Put the pre-migration copy back instead.
            pool.close().await;
            let restored_from = match &pre_migration {
                Some(b) => {
                    let staged = swap::staging_path(data_dir, Utc::now());
                    std::fs::copy(&b.path, &staged)
                        .and_then(|_| swap::install(data_dir, &staged))
                        .map_err(|e| StoreError::restore(io_reason(&e)))?;
                    Some(b.path.clone())
                }
                None => None,
            };
            return Err(match source {
                sqlx::migrate::MigrateError::Execute(e) if restored_from.is_none() => {
                    classify_open_error(&path, e)
                }
                source => StoreError::Migrate {
                    path: path.clone(),
                    source,
                    restored_from,
                },
            });
        }
        Ok(Store {
            pool,
            path,
            lock: std::sync::Mutex::new(Some(lock)),
        })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection (checkpointing the WAL). Called on quit.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Lets another `Store` open the folder in this process (a restore swapped the file in
    /// and the shell opens a new engine). Call only after [`Store::close`].
    pub fn release_lock(&self) {
        if let Ok(mut lock) = self.lock.lock() {
            lock.take();
        }
    }
}

/// Refuses a non-empty file that does not start with SQLite's magic header: SQLite would report
/// "file is not a database" only on first use, and we must never write into such a file.
fn check_header(path: &Path) -> Result<(), StoreError> {
    use std::io::Read;
    let Ok(mut f) = File::open(path) else {
        return Ok(()); // does not exist yet
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match f.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(_) => return Err(StoreError::Corrupt(path.to_path_buf())),
        }
    }
    if read == 0 || (read == 16 && &header == SQLITE_MAGIC) {
        Ok(())
    } else {
        Err(StoreError::Corrupt(path.to_path_buf()))
    }
}

fn header_is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && &header == SQLITE_MAGIC
}

/// The error for a damaged live database, naming the newest good backup.
async fn damaged(data_dir: &Path, path: &Path) -> StoreError {
    StoreError::Damaged {
        path: path.to_path_buf(),
        latest_backup: swap::latest_good(data_dir).await.map(|b| b.created_at),
    }
}

fn classify_open_error(path: &Path, e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        let code = db.code().unwrap_or_default();
        // SQLITE_BUSY (5) / SQLITE_LOCKED (6), plus extended codes.
        if code == "5" || code == "6" || code.ends_with("05") || db.message().contains("locked") {
            return StoreError::Locked(path.to_path_buf());
        }
        // SQLITE_CORRUPT (11) / SQLITE_NOTADB (26).
        if code == "11" || code == "26" || db.message().contains("not a database") {
            return StoreError::Corrupt(path.to_path_buf());
        }
    }
    StoreError::Open {
        path: path.to_path_buf(),
        source: e,
    }
}

/// A read-only connection to the data folder's database, for a peek before the engine opens it
/// (no lock, no migrations). `None` when there is no database yet or it cannot be opened.
pub async fn open_read_only(data_dir: &Path) -> Option<SqlitePool> {
    let path = data_dir.join(DB_FILE);
    if !path.exists() {
        return None;
    }
    let opts = SqliteConnectOptions::new().filename(&path).read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .ok()
}
