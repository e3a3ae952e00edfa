//! Automatic backups of the live database: consistent copies in `<data dir>/backups/`.
//!
//! A copy is made with `VACUUM INTO` on a connection of the live pool, so it is one consistent
//! read transaction of a WAL database (a raw copy of the file could miss what the WAL holds or
//! catch a half-written page). It is written under a temporary name that no listing accepts
//! (`.tokdeck-…sqlite3.partial`), checked (`PRAGMA integrity_check` on the copy), fsynced,
//! then renamed into place and the folder fsynced: a crash at any point leaves either a
//! complete, checked backup or a partial file that the next backup removes.
//!
//! Kept: the newest backup of each of the last 7 days that have one, and of each of the last
//! 4 weeks; the last 3 taken before a migration and the last 3 taken before a restore.

pub mod check;
pub mod swap;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};

use super::store_files::StoreError;
pub use super::store_files::{io_reason, sql_reason};

pub const BACKUP_DIR: &str = "backups";
const PREFIX: &str = "tokdeck-";
const SUFFIX: &str = ".sqlite3";
const PARTIAL: &str = ".partial";
/// Milliseconds in the name: two backups in the same second (a migration right after a
/// restore) must not collide.
const STAMP: &str = "%Y%m%dT%H%M%S%3fZ";
pub const KEEP_DAILY: usize = 7;
pub const KEEP_WEEKLY: usize = 4;
/// Backups taken before a migration or a restore are kept apart from the daily ones (the
/// daily rotation must never remove the copy that undoes a bad update).
pub const KEEP_SAFETY: usize = 3;

/// Why a backup was taken; part of its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BackupKind {
    Daily,
    PreMigration,
    PreRestore,
}

impl BackupKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Daily => "daily",
            BackupKind::PreMigration => "pre-migration",
            BackupKind::PreRestore => "pre-restore",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            BackupKind::Daily,
            BackupKind::PreMigration,
            BackupKind::PreRestore,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// A complete, checked backup in the backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    pub path: PathBuf,
    pub kind: BackupKind,
    pub created_at: DateTime<Utc>,
    pub size: u64,
}

pub fn backup_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(BACKUP_DIR)
}

fn file_name(kind: BackupKind, at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}-{}{SUFFIX}", kind.as_str(), at.format(STAMP))
}

/// Reads a backup's kind and time from its name; `None` for anything else (partial files,
/// files the user put there).
fn parse_name(name: &str) -> Option<(BackupKind, DateTime<Utc>)> {
    let rest = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    let (kind, stamp) = rest.rsplit_once('-')?;
    let kind = BackupKind::parse(kind)?;
    let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
    Some((kind, at))
}

/// The complete backups, newest first. Partial files are never listed.
pub fn list(data_dir: &Path) -> Vec<BackupFile> {
    let Ok(entries) = std::fs::read_dir(backup_dir(data_dir)) else {
        return Vec::new();
    };
    let mut out: Vec<BackupFile> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let (kind, created_at) = parse_name(&name)?;
            let meta = e.metadata().ok().filter(|m| m.is_file())?;
            Some(BackupFile {
                path: e.path(),
                kind,
                created_at,
                size: meta.len(),
            })
        })
        .collect();
    out.sort_by_key(|b| std::cmp::Reverse(b.created_at));
    out
}

/// Removes what an interrupted backup left behind. Only called with the snapshot lock held,
/// so no backup of this process is writing one; the data-dir lock keeps other processes out.
pub fn remove_partials(data_dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(backup_dir(data_dir)) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.') && n.ends_with(PARTIAL))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// One backup at a time per process: the daily worker, a migration and a restore could
/// otherwise clean up each other's partial file.
static SNAPSHOT_LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Writes a checked backup of the database behind `conn` into the backups folder, then
/// applies the retention rules. On any failure nothing but the partial file was written, and
/// it is removed.
pub async fn snapshot<'c, E>(
    conn: E,
    data_dir: &Path,
    kind: BackupKind,
    now: DateTime<Utc>,
) -> Result<BackupFile, StoreError>
where
    E: sqlx::SqliteExecutor<'c>,
{
    let _one = SNAPSHOT_LOCK.lock().await;
    let dir = backup_dir(data_dir);
    std::fs::create_dir_all(&dir).map_err(|e| {
        StoreError::backup(format!(
            "its folder {} cannot be created ({e})",
            dir.display()
        ))
    })?;
    remove_partials(data_dir);
    let name = file_name(kind, now);
    let partial = dir.join(format!(".{name}{PARTIAL}"));
    let done = dir.join(&name);
    let result = async {
        copy_into(conn, &partial).await?;
        check::verify_copy(&partial).await?;
        let (p, d) = (partial.clone(), done.clone());
        tokio::task::spawn_blocking(move || commit_file(&p, &d))
            .await
            .map_err(|e| StoreError::backup(e.to_string()))?
            .map_err(|e| StoreError::backup(io_reason(&e)))
    }
    .await;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    prune(data_dir);
    let size = std::fs::metadata(&done).map(|m| m.len()).unwrap_or(0);
    Ok(BackupFile {
        path: done,
        kind,
        created_at: now,
        size,
    })
}

/// A consistent copy of the database behind `conn` at `dest` (which must not exist).
pub async fn copy_into<'c, E>(conn: E, dest: &Path) -> Result<(), StoreError>
where
    E: sqlx::SqliteExecutor<'c>,
{
    let dest_text = dest.to_string_lossy().into_owned();
    sqlx::query("VACUUM INTO ?")
        .bind(dest_text)
        .execute(conn)
        .await
        .map(|_| ())
        .map_err(|e| StoreError::backup(sql_reason(&e)))
}

/// fsync the file, rename it into place, fsync the folder so the rename itself survives a
/// power loss.
pub fn commit_file(partial: &Path, done: &Path) -> std::io::Result<()> {
    std::fs::File::open(partial)?.sync_all()?;
    std::fs::rename(partial, done)?;
    sync_dir(done.parent().unwrap_or(Path::new(".")))
}

pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The files the retention rules keep, from a newest-first listing.
pub fn to_keep(all: &[BackupFile]) -> BTreeSet<PathBuf> {
    let mut keep = BTreeSet::new();
    let mut days = BTreeSet::new();
    let mut weeks = BTreeSet::new();
    for b in all.iter().filter(|b| b.kind == BackupKind::Daily) {
        let day = b.created_at.date_naive();
        if days.len() < KEEP_DAILY && days.insert(day) {
            keep.insert(b.path.clone());
        }
        let week = (day.iso_week().year(), day.iso_week().week());
        if weeks.len() < KEEP_WEEKLY && weeks.insert(week) {
            keep.insert(b.path.clone());
        }
    }
    for kind in [BackupKind::PreMigration, BackupKind::PreRestore] {
        keep.extend(
            all.iter()
                .filter(|b| b.kind == kind)
                .take(KEEP_SAFETY)
                .map(|b| b.path.clone()),
        );
    }
    keep
}

fn prune(data_dir: &Path) {
    let all = list(data_dir);
    let keep = to_keep(&all);
    for b in all.iter().filter(|b| !keep.contains(&b.path)) {
        if let Err(e) = std::fs::remove_file(&b.path) {
            tracing::warn!(error = %e, "could not remove an old backup");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn daily(i: i64) -> BackupFile {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).unwrap() - Duration::days(i);
        BackupFile {
            path: PathBuf::from(file_name(BackupKind::Daily, at)),
            kind: BackupKind::Daily,
            created_at: at,
            size: 1,
        }
    }

    #[test]
    fn names_round_trip_and_partials_are_not_backups() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 3, 4, 5).unwrap();
        let name = file_name(BackupKind::PreMigration, at);
        assert_eq!(parse_name(&name), Some((BackupKind::PreMigration, at)));
        assert_eq!(parse_name(&format!(".{name}{PARTIAL}")), None);
        assert_eq!(parse_name("tokdeck.sqlite3"), None);
    }

    #[test]
    fn retention_keeps_seven_days_and_four_weeks() {
        let all: Vec<BackupFile> = (0..60).map(daily).collect();
        let keep = to_keep(&all);
        // 7 days (this week and last) + the newest of 2 more weeks.
        for (i, b) in all.iter().enumerate().take(KEEP_DAILY) {
            assert!(keep.contains(&b.path), "day {i}");
        }
        let weeks: BTreeSet<_> = all
            .iter()
            .filter(|b| keep.contains(&b.path))
            .map(|b| b.created_at.date_naive().iso_week())
            .collect();
        assert_eq!(weeks.len(), KEEP_WEEKLY);
        assert!(keep.len() <= KEEP_DAILY + KEEP_WEEKLY);
        assert!(!keep.contains(&all[59].path));
    }
}
