//! Checking a SQLite file: the whole-file integrity check on backups and restores, the quick
//! check at startup, and the schema version a file was written by.

use std::path::Path;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::db::store_files::{sql_reason, StoreError};

#[derive(Clone, Copy)]
enum Check {
    Full,
    Quick,
}

/// What a checked file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFacts {
    /// The newest migration applied (`None`: not a Tokdeck database, or an empty one).
    pub schema_version: Option<i64>,
}

/// Makes a freshly written copy stand alone (rollback journal, so no `-wal` file ever sits
/// next to it) and runs the full integrity check on it.
pub async fn verify_copy(path: &Path) -> Result<FileFacts, StoreError> {
    let mut conn = connect(path, false).await?;
    let checked = async {
        sqlx::query("PRAGMA journal_mode = DELETE")
            .execute(&mut conn)
            .await?;
        let ok = integrity(&mut conn, Check::Full).await?;
        let version = schema_version(&mut conn).await?;
        Ok::<_, sqlx::Error>((ok, version))
    }
    .await;
    let _ = conn.close().await;
    let (ok, schema_version) = checked.map_err(|e| StoreError::backup(sql_reason(&e)))?;
    if !ok {
        return Err(StoreError::backup(
            "the copy failed its integrity check (the disk may be failing)".to_owned(),
        ));
    }
    Ok(FileFacts { schema_version })
}

/// The full integrity check of a file, read-only. `Ok(None)` when the file is damaged or not
/// a database at all.
pub async fn check_file(path: &Path) -> Result<Option<FileFacts>, sqlx::Error> {
    let mut conn = match connect_read_only(path).await {
        Ok(c) => c,
        Err(e) if is_damage(&e) => return Ok(None),
        Err(e) => return Err(e),
    };
    let result = async {
        if !integrity(&mut conn, Check::Full).await? {
            return Ok(None);
        }
        let schema_version = schema_version(&mut conn).await?;
        Ok(Some(FileFacts { schema_version }))
    }
    .await;
    let _ = conn.close().await;
    match result {
        Err(e) if is_damage(&e) => Ok(None),
        other => other,
    }
}

/// `PRAGMA quick_check` (page structure, no index cross-check: fast enough for every start).
pub async fn quick_check(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    match integrity(conn, Check::Quick).await {
        Err(e) if is_damage(&e) => Ok(false),
        other => other,
    }
}

async fn integrity(conn: &mut SqliteConnection, pragma: Check) -> Result<bool, sqlx::Error> {
    let sql = match pragma {
        Check::Full => "PRAGMA integrity_check",
        Check::Quick => "PRAGMA quick_check",
    };
    // The check walks every table and index; SQLite's default 2 MB page cache makes it
    // re-read pages of a large file many times over.
    sqlx::query("PRAGMA cache_size = -65536")
        .execute(&mut *conn)
        .await?;
    let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *conn).await?;
    Ok(rows.len() == 1 && rows[0].0 == "ok")
}

/// The newest migration applied to the database behind `conn`.
pub async fn schema_version(conn: &mut SqliteConnection) -> Result<Option<i64>, sqlx::Error> {
    let exists: Option<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await?;
    Ok(max)
}

/// Whether the database has anything worth a backup (any table but the migrations').
pub async fn has_data(conn: &mut SqliteConnection) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0)
}

async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection, StoreError> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .journal_mode(SqliteJournalMode::Delete)
        .connect()
        .await
        .map_err(|e| StoreError::backup(sql_reason(&e)))
}

async fn connect_read_only(path: &Path) -> Result<SqliteConnection, sqlx::Error> {
    // No journal-mode change: a read-only connection must not try to write the header.
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(true)
        .connect()
        .await
}

/// SQLITE_CORRUPT (11) or SQLITE_NOTADB (26), extended codes included.
pub fn is_damage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            let primary = code.parse::<i32>().map(|c| c & 0xff).unwrap_or(-1);
            primary == 11 || primary == 26 || db.message().contains("malformed")
        }
        _ => false,
    }
}
