//! SQL of bulk planning over `posts`: the times that occupy an account's slots and caps, the
//! drafts of a batch, scheduling a draft into a slot and taking it back (Undo), both
//! compare-and-set, and the posts that carry the same video content.

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqliteExecutor};

use super::{PostRow, Slot, CAP_STATUSES, COLUMNS};
use crate::error::CoreResult;

/// A post that occupies its account's time: (account, instant, mode, counts against the caps).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Occupied {
    pub account_id: i64,
    pub scheduled_at: i64,
    pub mode: String,
    /// In a status the caps count (scheduled, queued, publishing, published).
    pub capped: bool,
}

/// Every timed post of the accounts at or after `from` that holds its account's time: the
/// ones the caps count, and those that need attention (they keep their time and may go out).
pub async fn occupied<'e, E: SqliteExecutor<'e>>(
    ex: E,
    account_ids: &[i64],
    from: i64,
) -> CoreResult<Vec<Occupied>> {
    occupied_except(ex, account_ids, from, &[]).await
}

/// Like `occupied`, without the posts in `except` (those a batch moves).
pub async fn occupied_except<'e, E: SqliteExecutor<'e>>(
    ex: E,
    account_ids: &[i64],
    from: i64,
    except: &[i64],
) -> CoreResult<Vec<Occupied>> {
    let ids = serde_json::to_string(account_ids).expect("ids serialise");
    let except = serde_json::to_string(except).expect("ids serialise");
    Ok(sqlx::query_as::<_, Occupied>(AssertSqlSafe(format!(
        "SELECT account_id, scheduled_at, mode, status IN ({CAP_STATUSES}) AS capped FROM posts
         WHERE account_id IN (SELECT value FROM json_each(?)) AND scheduled_at >= ?
           AND id NOT IN (SELECT value FROM json_each(?))
           AND (status IN ({CAP_STATUSES}) OR status = 'needs_attention')
         ORDER BY account_id, scheduled_at"
    )))
    .bind(ids)
    .bind(from)
    .bind(except)
    .fetch_all(ex)
    .await?)
}

/// The posts with these ids (missing ones are simply absent), in id order.
pub async fn load_many<'e, E: SqliteExecutor<'e>>(ex: E, ids: &[i64]) -> CoreResult<Vec<PostRow>> {
    let ids = serde_json::to_string(ids).expect("ids serialise");
    Ok(sqlx::query_as::<_, PostRow>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id"
    )))
    .bind(ids)
    .fetch_all(ex)
    .await?)
}

/// Schedules a draft into a slot if it is still the draft that was planned (status `draft`,
/// not paused, unchanged since `updated_at`), with consent at `now`.
pub async fn schedule_planned<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    updated_at: i64,
    slot: &Slot,
    max_duration_sec: Option<i64>,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET status = 'scheduled', scheduled_at = ?, schedule_zone = ?,
            schedule_local = ?, publish_now = 0, consent_at = ?, max_duration_sec = ?,
            attention_reason = NULL, updated_at = ?
         WHERE id = ? AND status = 'draft' AND updated_at = ? AND paused_reason IS NULL",
    )
    .bind(slot.at)
    .bind(&slot.zone)
    .bind(&slot.local)
    .bind(now)
    .bind(max_duration_sec)
    .bind(now)
    .bind(id)
    .bind(updated_at)
    .execute(ex)
    .await?
    .rows_affected())
}

/// Undo: takes a post back to a draft (no time, no consent) if it is still scheduled at `at`
/// (the publisher has not taken it and nobody moved it).
pub async fn unschedule_planned<'e, E: SqliteExecutor<'e>>(
    ex: E,
    id: i64,
    at: i64,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET status = 'draft', scheduled_at = NULL, schedule_zone = NULL,
            schedule_local = NULL, publish_now = 0, consent_at = NULL, max_duration_sec = NULL,
            updated_at = ?
         WHERE id = ? AND status = 'scheduled' AND scheduled_at = ?",
    )
    .bind(now)
    .bind(id)
    .bind(at)
    .execute(ex)
    .await?
    .rows_affected())
}

/// A post with the same video content: (post, account, status, scheduled instant).
pub type SameContent = (i64, i64, String, Option<i64>);

/// Scheduled, publishing or published posts (and queued) whose file has this content
/// (size and both hashes), on accounts other than `account_id`.
pub async fn same_content<'e, E: SqliteExecutor<'e>>(
    ex: E,
    size: i64,
    head: &str,
    tail: &str,
    account_id: i64,
) -> CoreResult<Vec<SameContent>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT id, account_id, status, scheduled_at FROM posts
         WHERE media_head_sha256 = ? AND media_size = ? AND media_tail_sha256 = ?
           AND account_id != ? AND status IN ({CAP_STATUSES})
         ORDER BY id"
    )))
    .bind(head)
    .bind(size)
    .bind(tail)
    .bind(account_id)
    .fetch_all(ex)
    .await?)
}

/// Per account: (account, direct posts in `(now - day, now]`, direct in `(now, now + day)`,
/// inbox uploads in `(now - day, now]`), counting the statuses the caps count.
pub type BudgetCounts = (i64, i64, i64, i64);

pub async fn budget_counts<'e, E: SqliteExecutor<'e>>(
    ex: E,
    now: i64,
    day: i64,
) -> CoreResult<Vec<BudgetCounts>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT account_id,
            coalesce(sum(mode = 'direct' AND scheduled_at <= ?1), 0),
            coalesce(sum(mode = 'direct' AND scheduled_at > ?1), 0),
            coalesce(sum(mode = 'inbox' AND scheduled_at <= ?1), 0)
         FROM posts
         WHERE scheduled_at > ?1 - ?2 AND scheduled_at < ?1 + ?2 AND status IN ({CAP_STATUSES})
         GROUP BY account_id"
    )))
    .bind(now)
    .bind(day)
    .fetch_all(ex)
    .await?)
}

/// Every scheduled post, soonest first (the CSV export).
pub async fn scheduled<'e, E: SqliteExecutor<'e>>(ex: E) -> CoreResult<Vec<PostRow>> {
    Ok(sqlx::query_as::<_, PostRow>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts WHERE status = 'scheduled' ORDER BY scheduled_at, id"
    )))
    .fetch_all(ex)
    .await?)
}
