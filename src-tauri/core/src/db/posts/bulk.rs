//! SQL of the Queue's and Calendar's batch operations on scheduled posts (shift by days, move
//! into slots, cancel, delete) and their Undo. Every write is a compare-and-set: a post is
//! taken only while it is still `scheduled` and unchanged since `updated_at`, and an Undo
//! puts it back only while it is exactly as the batch left it. Each write bumps `updated_at`
//! past its old value, so a later change always differs from what a batch wrote.

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::SqliteExecutor;

use super::Slot;
use crate::error::CoreResult;

/// Moves a scheduled post to `slot` if it is still scheduled, not paused and unchanged since
/// `updated_at`. Answers its new `updated_at`, `None` when it was not taken.
pub async fn retime<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    updated_at: i64,
    slot: &Slot,
    now: i64,
) -> CoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE posts SET scheduled_at = ?, schedule_zone = ?, schedule_local = ?,
            publish_now = 0, updated_at = MAX(?, updated_at + 1)
         WHERE id = ? AND status = 'scheduled' AND updated_at = ? AND paused_reason IS NULL
         RETURNING updated_at",
    )
    .bind(slot.at)
    .bind(&slot.zone)
    .bind(&slot.local)
    .bind(now)
    .bind(id)
    .bind(updated_at)
    .fetch_optional(ex)
    .await?)
}

/// Undo of [`retime`]: back to `before` if the post is still scheduled at `at` and unchanged
/// since the batch (`updated_at`). Answers whether it was.
pub async fn retime_back<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    updated_at: i64,
    at: i64,
    before: &Slot,
    now: i64,
) -> CoreResult<bool> {
    let n = sqlx::query(
        "UPDATE posts SET scheduled_at = ?, schedule_zone = ?, schedule_local = ?,
            updated_at = MAX(?, updated_at + 1)
         WHERE id = ? AND status = 'scheduled' AND updated_at = ? AND scheduled_at = ?",
    )
    .bind(before.at)
    .bind(&before.zone)
    .bind(&before.local)
    .bind(now)
    .bind(id)
    .bind(updated_at)
    .bind(at)
    .execute(ex)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Moves a scheduled post to Trash (Cancel, or Delete when `deleted`) if it is still scheduled
/// and unchanged since `updated_at` (a queued or publishing post is never taken). Answers its
/// new `updated_at`.
pub async fn trash_scheduled<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    updated_at: i64,
    now: i64,
    deleted: bool,
) -> CoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE posts SET status = 'cancelled', trashed_from = status, trashed_at = ?,
            deleted_at = ?, updated_at = MAX(?, updated_at + 1)
         WHERE id = ? AND status = 'scheduled' AND updated_at = ?
         RETURNING updated_at",
    )
    .bind(now)
    .bind(deleted.then_some(now))
    .bind(now)
    .bind(id)
    .bind(updated_at)
    .fetch_optional(ex)
    .await?)
}

/// Undo of [`trash_scheduled`]: out of Trash if it is still there as the batch left it;
/// scheduled again when its time is still ahead, its account not removed and the post not
/// paused, else a draft (no time). Answers the status it came back as.
pub async fn untrash<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    updated_at: i64,
    now: i64,
) -> CoreResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE posts SET
            status = CASE WHEN ok THEN 'scheduled' ELSE 'draft' END,
            scheduled_at = CASE WHEN ok THEN scheduled_at ELSE NULL END,
            trashed_from = NULL, trashed_at = NULL, deleted_at = NULL,
            updated_at = MAX(?1, updated_at + 1)
         FROM (SELECT p.id AS pid, (p.scheduled_at > ?1 AND p.paused_reason IS NULL
                    AND a.removed_at IS NULL) AS ok
                 FROM posts p JOIN accounts a ON a.id = p.account_id WHERE p.id = ?2)
         WHERE posts.id = pid AND status = 'cancelled' AND trashed_from = 'scheduled'
           AND updated_at = ?3
         RETURNING status",
    )
    .bind(now)
    .bind(id)
    .bind(updated_at)
    .fetch_optional(ex)
    .await?)
}
