//! The data folder's files as every storage module sees them: the database's name, the
//! folder lock, the storage error and failures said in plain words. A leaf: `open.rs` and
//! `backup/` both import it, never each other's internals.

use std::fs::File;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

pub const DB_FILE: &str = "tokdeck.sqlite3";
const LOCK_FILE: &str = "tokdeck.lock";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("Tokdeck could not create its data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Another Tokdeck is already using the data folder {0}. Close it (check the tray) and try again.")]
    InUse(PathBuf),
    #[error("The database {0} is not a Tokdeck database or is damaged. Tokdeck left it untouched; move it aside or restore a backup, then start again.")]
    Corrupt(PathBuf),
    #[error("The database {path} was last used by a newer version of Tokdeck (schema {found}, this version knows up to {known}). Install the newer version; nothing was changed.")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("The database {0} is locked by another program. Close it and start Tokdeck again.")]
    Locked(PathBuf),
    #[error("Tokdeck could not open its database {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("Tokdeck could not update its database {path}: {source}. The database was put back as it was before the update{}.", restored_note(.restored_from))]
    Migrate {
        path: PathBuf,
        source: sqlx::migrate::MigrateError,
        /// The pre-migration backup put back in place, when the update had started.
        restored_from: Option<PathBuf>,
    },
    /// The database opens but fails SQLite's quick check. Nothing was changed;
    /// `db::backup::swap::restore_latest_good` puts `latest_backup` in its place and keeps
    /// this file aside.
    #[error("The database {path} is damaged. Tokdeck left it untouched. {}", damaged_next_step(.latest_backup))]
    Damaged {
        path: PathBuf,
        /// When the newest backup that passes the integrity check was taken.
        latest_backup: Option<DateTime<Utc>>,
    },
    /// A backup could not be made; the reason is in plain words.
    #[error("Tokdeck could not make a backup: {0}.")]
    Backup(String),
    /// A restore could not be done; the reason is in plain words.
    #[error("Tokdeck could not restore the backup: {0}.")]
    Restore(String),
}

impl StoreError {
    pub fn backup(reason: String) -> Self {
        StoreError::Backup(reason)
    }

    pub fn restore(reason: String) -> Self {
        StoreError::Restore(reason)
    }
}

fn restored_note(from: &Option<PathBuf>) -> String {
    match from {
        Some(p) => format!(" (from the backup {} taken just before)", p.display()),
        None => String::new(),
    }
}

fn damaged_next_step(latest: &Option<DateTime<Utc>>) -> String {
    match latest {
        Some(at) => format!(
            "Restore the latest good backup, from {} (the damaged file is kept aside, never deleted).",
            at.format("%-d %b %Y %H:%M UTC")
        ),
        None => "No good backup exists yet: keep the file and ask for help, or start with an empty database by moving it aside.".to_owned(),
    }
}

/// The data-folder lock: one Tokdeck process per folder.
pub fn acquire_dir_lock(data_dir: &Path) -> Result<File, StoreError> {
    let lock_path = data_dir.join(LOCK_FILE);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|source| StoreError::DataDir {
            path: lock_path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::InUse(data_dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(source)) => Err(StoreError::DataDir {
            path: lock_path,
            source,
        }),
    }
}

/// A database failure in plain words: a full disk says so.
pub fn sql_reason(e: &sqlx::Error) -> String {
    if let sqlx::Error::Database(db) = e {
        let code = db.code().unwrap_or_default();
        let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(-1);
        if primary == 13 {
            return "the disk is full. Free some space and try again".to_owned();
        }
        if primary == 10 {
            return format!(
                "the file could not be written (the disk may be full or failing: {}). Free some space or choose another disk, then try again",
                db.message()
            );
        }
        if primary == 11 || primary == 26 {
            return "the database is damaged".to_owned();
        }
        return db.message().to_owned();
    }
    if let sqlx::Error::Io(io) = e {
        return io_reason(io);
    }
    e.to_string()
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(28) | Some(27) => "the disk is full. Free some space and try again".to_owned(),
        _ => e.to_string(),
    }
}
