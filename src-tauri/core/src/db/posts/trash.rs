//! SQL of Trash: cancelled and deleted posts (status `cancelled`, `trashed_at` set), kept
//! [`crate::posts::trash::KEEP_DAYS`] days, restorable, then purged.
//!
//! Every change is a compare-and-set against the scheduler and the publisher: a post goes to
//! Trash only from the status read before (a queued one only together with its still-queued
//! job), and comes back only while it is still in Trash. A post in Trash is `cancelled`, which
//! no claim ever takes (they all require `scheduled`), so it can never be published.

use sqlx::SqlitePool;

use crate::error::CoreResult;
use crate::posts::status::PostStatus;

/// What a move to Trash (Cancel or Delete) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancel {
    Cancelled,
    /// The post is no longer `expected` (nothing changed).
    Moved,
    /// The post was queued but its job already left the queue (nothing changed).
    JobStarted,
}

/// A post in Trash, as the Trash page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrashRow {
    pub id: i64,
    pub account_id: i64,
    pub account_title: String,
    pub mode: String,
    pub caption: String,
    pub thumbnail_path: Option<String>,
    pub scheduled_at: Option<i64>,
    pub schedule_zone: Option<String>,
    pub schedule_local: Option<String>,
    pub trashed_from: Option<String>,
    pub trashed_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub updated_at: i64,
}

/// What a restore needs to know of a post in Trash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrashedFacts {
    pub account_id: i64,
    pub trashed_from: Option<String>,
    pub scheduled_at: Option<i64>,
    pub account_removed: bool,
}

/// A post removed for good: what is left to clean up (its thumbnail, never its video).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Purged {
    pub id: i64,
    pub account_id: i64,
    pub thumbnail_path: Option<String>,
}

/// Moves the post to Trash if it is still `expected`; a queued post only together with its job
/// while that job is still queued, in the same transaction, so either nothing reaches TikTok
/// or nothing changes. `deleted` says the creator deleted it (rather than cancelled it).
pub async fn to_trash(
    pool: &SqlitePool,
    id: i64,
    expected: &str,
    now: i64,
    deleted: bool,
) -> CoreResult<Cancel> {
    let mut tx = crate::db::begin_write(pool).await?;
    if PostStatus::parse(expected) == PostStatus::Queued {
        let n = sqlx::query("DELETE FROM publish_jobs WHERE post_id = ? AND state = 'queued'")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Ok(Cancel::JobStarted);
        }
    }
    // `trashed_from = status` reads the status before this update (SQLite's SET semantics).
    let n = sqlx::query(
        "UPDATE posts SET status = 'cancelled', trashed_from = status, trashed_at = ?,
                deleted_at = ?, updated_at = ?
             WHERE id = ? AND status = ? AND status NOT IN ('cancelled', 'publishing')",
    )
    .bind(now)
    .bind(deleted.then_some(now))
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(Cancel::Moved);
    }
    tx.commit().await?;
    Ok(Cancel::Cancelled)
}

/// Every post in Trash, most recently trashed first.
pub async fn list(pool: &SqlitePool) -> CoreResult<Vec<TrashRow>> {
    Ok(sqlx::query_as(
        "SELECT p.id, p.account_id,
                COALESCE(NULLIF(a.label, ''), NULLIF(a.display_name, ''), '@' || a.username)
                    AS account_title,
                p.mode, p.caption, p.thumbnail_path, p.scheduled_at, p.schedule_zone,
                p.schedule_local, p.trashed_from, p.trashed_at, p.deleted_at, p.updated_at
             FROM posts p JOIN accounts a ON a.id = p.account_id
             WHERE p.status = 'cancelled'
             ORDER BY COALESCE(p.trashed_at, p.updated_at) DESC, p.id DESC",
    )
    .fetch_all(pool)
    .await?)
}

/// What a restore of `id` needs, if it is in Trash.
pub async fn trashed_facts(pool: &SqlitePool, id: i64) -> CoreResult<Option<TrashedFacts>> {
    Ok(sqlx::query_as(
        "SELECT p.account_id, p.trashed_from, p.scheduled_at,
                a.removed_at IS NOT NULL AS account_removed
             FROM posts p JOIN accounts a ON a.id = p.account_id
             WHERE p.id = ? AND p.status = 'cancelled'",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Takes the post out of Trash as `to`, if it is still there. A draft loses its instant (it
/// must be scheduled again); every other status keeps it. Answers whether it was there.
pub async fn restore(pool: &SqlitePool, id: i64, to: PostStatus, now: i64) -> CoreResult<bool> {
    let draft = to == PostStatus::Draft;
    let n = sqlx::query(
        "UPDATE posts SET status = ?, trashed_from = NULL, trashed_at = NULL, deleted_at = NULL,
                scheduled_at = CASE WHEN ? THEN NULL ELSE scheduled_at END,
                publish_now = CASE WHEN ? THEN 0 ELSE publish_now END,
                updated_at = ?
             WHERE id = ? AND status = 'cancelled'",
    )
    .bind(to.as_str())
    .bind(draft)
    .bind(draft)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Removes one post from Trash for good (its jobs and history go with it).
pub async fn delete_forever(pool: &SqlitePool, id: i64) -> CoreResult<Option<Purged>> {
    Ok(sqlx::query_as(
        "DELETE FROM posts WHERE id = ? AND status = 'cancelled'
             RETURNING id, account_id, thumbnail_path",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Removes every post trashed before `before` (all of Trash when `None`).
pub async fn purge(pool: &SqlitePool, before: Option<i64>) -> CoreResult<Vec<Purged>> {
    Ok(sqlx::query_as(
        "DELETE FROM posts WHERE status = 'cancelled'
                AND (? IS NULL OR COALESCE(trashed_at, updated_at) < ?)
             RETURNING id, account_id, thumbnail_path",
    )
    .bind(before)
    .bind(before)
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
#[path = "trash_tests.rs"]
mod tests;
