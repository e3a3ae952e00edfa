//! The read-only views over posts: the calendar and the queue (SQL built from constant
//! fragments, values always bound) and the tray's status.

use sqlx::SqlitePool;

use crate::error::CoreResult;

/// The next scheduled, unpaused post: (instant ms, username, display name).
pub async fn tray_next(pool: &SqlitePool) -> CoreResult<Option<(i64, String, String)>> {
    let next: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT p.scheduled_at, a.username, a.display_name FROM posts p \
         JOIN accounts a ON a.id = p.account_id \
         WHERE p.status = 'scheduled' AND p.paused_reason IS NULL \
         AND p.scheduled_at IS NOT NULL \
         ORDER BY p.scheduled_at, p.id LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(next)
}

/// One publish under way: (job state, confirmed bytes, video size, username, display name).
pub type UploadRow = (String, i64, Option<i64>, String, String);

/// The publishes under way, oldest change first.
pub async fn tray_uploads(pool: &SqlitePool) -> CoreResult<Vec<UploadRow>> {
    let uploads: Vec<UploadRow> = sqlx::query_as(
        "SELECT j.state, j.confirmed_bytes, j.video_size, a.username, a.display_name \
         FROM publish_jobs j JOIN accounts a ON a.id = j.account_id \
         WHERE j.state IN ('checking', 'initializing', 'uploading', 'processing') \
         ORDER BY j.updated_at, j.post_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(uploads)
}
