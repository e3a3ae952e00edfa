//! Putting another database file in place of the live one: a restore, or the latest good
//! backup after the live file was found damaged. The live database must be closed (every
//! pool connection, so its WAL is checkpointed) before [`install`] runs.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{backup_dir, check, commit_file, list, sync_dir, BackupFile};
use crate::db::store_files::io_reason;
use crate::db::store_files::{acquire_dir_lock, StoreError, DB_FILE};

/// Where damaged databases are kept (never deleted by Tokdeck).
pub const DAMAGED_DIR: &str = "damaged";
const STAGING_PREFIX: &str = ".restore-";

/// The sidecar files SQLite keeps next to a WAL database.
fn sidecars(data_dir: &Path) -> [PathBuf; 2] {
    [
        data_dir.join(format!("{DB_FILE}-wal")),
        data_dir.join(format!("{DB_FILE}-shm")),
    ]
}

/// A fresh staging path in the data folder (the same file system as the live database, so
/// the final rename is atomic). Staging files start with a dot and are never read as data.
pub fn staging_path(data_dir: &Path, now: DateTime<Utc>) -> PathBuf {
    data_dir.join(format!(
        "{STAGING_PREFIX}{}.sqlite3.partial",
        now.format("%Y%m%dT%H%M%S%3fZ")
    ))
}

/// Removes staging files an interrupted restore left behind.
pub fn remove_staging(data_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(STAGING_PREFIX))
        {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Replaces the live database with `staged` (a checked file in the data folder). The stale
/// `-wal`/`-shm` go first: left next to the new file, SQLite would replay the old WAL into it.
/// A crash before the rename leaves the old database (already checkpointed on close); after,
/// the new one.
pub fn install(data_dir: &Path, staged: &Path) -> std::io::Result<()> {
    std::fs::File::open(staged)?.sync_all()?;
    for side in sidecars(data_dir) {
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    commit_file(staged, &data_dir.join(DB_FILE))
}

/// Moves the damaged database and its sidecars into `damaged/<time>/`; returns that folder.
pub fn set_aside_damaged(data_dir: &Path, now: DateTime<Utc>) -> std::io::Result<PathBuf> {
    let dest = data_dir
        .join(DAMAGED_DIR)
        .join(now.format("%Y%m%dT%H%M%S%3fZ").to_string());
    std::fs::create_dir_all(&dest)?;
    let live = data_dir.join(DB_FILE);
    let mut files = vec![live];
    files.extend(sidecars(data_dir));
    for f in files.iter().filter(|f| f.exists()) {
        std::fs::rename(f, dest.join(f.file_name().unwrap_or_default()))?;
    }
    sync_dir(&dest)?;
    sync_dir(data_dir)?;
    Ok(dest)
}

/// The newest backup that passes the integrity check, if any.
pub async fn latest_good(data_dir: &Path) -> Option<BackupFile> {
    for b in list(data_dir) {
        if let Ok(Some(_)) = check::check_file(&b.path).await {
            return Some(b);
        }
    }
    None
}

/// What [`restore_latest_good`] did.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub backup: BackupFile,
    /// Where the damaged database now is.
    pub damaged_kept_in: PathBuf,
}

/// After the live database was found damaged (no engine running): copies the newest good
/// backup in, keeping the damaged file aside. Takes the data-folder lock for the duration.
pub async fn restore_latest_good(
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<Recovered, StoreError> {
    let _lock = acquire_dir_lock(data_dir)?;
    let backup = latest_good(data_dir).await.ok_or_else(|| {
        StoreError::restore(format!(
            "there is no good backup in {} to restore",
            backup_dir(data_dir).display()
        ))
    })?;
    let staged = staging_path(data_dir, now);
    let (from, to, dir) = (backup.path.clone(), staged.clone(), data_dir.to_path_buf());
    let result = tokio::task::spawn_blocking(move || -> std::io::Result<PathBuf> {
        std::fs::copy(&from, &to)?;
        let kept = set_aside_damaged(&dir, now)?;
        install(&dir, &to)?;
        Ok(kept)
    })
    .await
    .map_err(|e| StoreError::restore(e.to_string()))?;
    match result {
        Ok(damaged_kept_in) => Ok(Recovered {
            backup,
            damaged_kept_in,
        }),
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            Err(StoreError::restore(io_reason(&e)))
        }
    }
}
