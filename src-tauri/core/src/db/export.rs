//! Reads for backups and exports: what a backup's manifest says, the posts' video files, and
//! the rows the CSV/JSON exports write. Every function takes a pool, so the same reads serve
//! the live database and a backup's copy opened with [`open_file`].

use std::path::Path;

use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;

/// A read-only pool over a database file (a backup being inspected).
pub async fn open_file(path: &Path) -> Result<SqlitePool, sqlx::Error> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
}

/// An account as a manifest lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountHandle {
    pub username: String,
    pub display_name: String,
    pub status: String,
    pub removed: bool,
}

pub async fn account_handles(pool: &SqlitePool) -> sqlx::Result<Vec<AccountHandle>> {
    sqlx::query_as(
        "SELECT username, display_name, status, removed_at IS NOT NULL AS removed
         FROM accounts ORDER BY removed_at IS NOT NULL, id",
    )
    .fetch_all(pool)
    .await
}

/// The open ids of every account (their keychain entries are named after them).
pub async fn account_open_ids(pool: &SqlitePool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar("SELECT open_id FROM accounts ORDER BY id")
        .fetch_all(pool)
        .await
}

pub async fn post_counts(pool: &SqlitePool) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("SELECT status, COUNT(*) FROM posts GROUP BY status ORDER BY status")
        .fetch_all(pool)
        .await
}

pub async fn schema_version(pool: &SqlitePool) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(pool)
        .await
}

/// A post's video file as recorded.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MediaRow {
    pub post_id: i64,
    pub status: String,
    pub media_path: String,
    pub media_size: i64,
    pub media_head_sha256: String,
    pub media_tail_sha256: String,
}

pub async fn media_rows(pool: &SqlitePool) -> sqlx::Result<Vec<MediaRow>> {
    sqlx::query_as(
        "SELECT id AS post_id, status, media_path, media_size, media_head_sha256,
                media_tail_sha256
         FROM posts ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

/// One post, as the export writes it (times as stored: UTC epoch milliseconds).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PostExportRow {
    pub id: i64,
    pub account_username: String,
    pub status: String,
    pub mode: String,
    pub caption: String,
    pub privacy_level: Option<String>,
    pub media_path: String,
    pub scheduled_at: Option<i64>,
    pub schedule_zone: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub attention_reason: Option<String>,
    pub trashed_at: Option<i64>,
}

pub async fn posts(pool: &SqlitePool) -> sqlx::Result<Vec<PostExportRow>> {
    sqlx::query_as(
        "SELECT p.id, a.username AS account_username, p.status, p.mode, p.caption,
                p.privacy_level, p.media_path, p.scheduled_at, p.schedule_zone, p.created_at,
                p.updated_at, p.attention_reason, p.trashed_at
         FROM posts p JOIN accounts a ON a.id = p.account_id ORDER BY p.id",
    )
    .fetch_all(pool)
    .await
}

/// One account without anything secret (tokens live only in the keychain anyway).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AccountExportRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub label: String,
    pub status: String,
    pub verified: bool,
    pub follower_count: Option<i64>,
    pub video_count: Option<i64>,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

pub async fn accounts(pool: &SqlitePool) -> sqlx::Result<Vec<AccountExportRow>> {
    sqlx::query_as(
        "SELECT id, username, display_name, label, status, verified, follower_count,
                video_count, created_at, removed_at
         FROM accounts ORDER BY id",
    )
    .fetch_all(pool)
    .await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditExportRow {
    pub id: i64,
    pub at: String,
    pub account_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub detail: String,
}

pub async fn audit(pool: &SqlitePool) -> sqlx::Result<Vec<AuditExportRow>> {
    sqlx::query_as("SELECT id, at, account_id, action, outcome, detail FROM audit_log ORDER BY id")
        .fetch_all(pool)
        .await
}
