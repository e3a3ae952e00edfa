//! SQL of analytics: account snapshots and the sampler's per-account state here;
//! `performance.rs` the posts' and videos' rows and samples the sampler writes; `metrics.rs`
//! what the Analytics page reads (public for the benches, which run the same SQL in the
//! sqlite3 CLI).

use sqlx::SqlitePool;

use crate::analytics::dto::Counts;
use crate::error::CoreResult;

pub mod metrics;
pub mod performance;

/// How often an account gets a snapshot and a walk of its video list.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// Appends a snapshot (never updates one: the series is history).
pub async fn insert_snapshot(
    pool: &SqlitePool,
    account_id: i64,
    c: &Counts,
    at: i64,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO account_snapshots (account_id, taken_at, follower_count, following_count,
                                        likes_count, video_count)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(account_id)
    .bind(at)
    .bind(c.follower_count)
    .bind(c.following_count)
    .bind(c.likes_count)
    .bind(c.video_count)
    .execute(pool)
    .await?;
    Ok(())
}

/// Accounts whose daily walk (snapshot + video list) is due at `now`: connected (active), not
/// waiting after a failure, never listed or listed a day ago.
pub async fn accounts_due(pool: &SqlitePool, now: i64) -> CoreResult<Vec<i64>> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT a.id FROM accounts a LEFT JOIN analytics_accounts s ON s.account_id = a.id
             WHERE a.removed_at IS NULL AND a.status = 'active'
               AND (s.retry_at IS NULL OR s.retry_at <= ?1)
               AND (s.listed_at IS NULL OR s.listed_at + ?2 <= ?1)
             ORDER BY a.id",
    )
    .bind(now)
    .bind(DAY_MS)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// When the next account walk is due (`None`: no active account).
pub async fn next_account_due(pool: &SqlitePool) -> CoreResult<Option<i64>> {
    let row: (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(MAX(COALESCE(s.listed_at + ?, 0), COALESCE(s.retry_at, 0)))
             FROM accounts a LEFT JOIN analytics_accounts s ON s.account_id = a.id
             WHERE a.removed_at IS NULL AND a.status = 'active'",
    )
    .bind(DAY_MS)
    .fetch_one(pool)
    .await?;
    Ok(row.0)
}

/// The walk of `account_id` succeeded at `now`.
pub async fn mark_listed(pool: &SqlitePool, account_id: i64, now: i64) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO analytics_accounts (account_id, listed_at, retry_at, failures)
             VALUES (?1, ?2, NULL, 0)
         ON CONFLICT (account_id) DO UPDATE SET listed_at = ?2, retry_at = NULL, failures = 0",
    )
    .bind(account_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// A call for `account_id` failed: answers how many times in a row, and waits until `retry_at`
/// for the next walk.
pub async fn mark_failed(pool: &SqlitePool, account_id: i64, retry_at: i64) -> CoreResult<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "INSERT INTO analytics_accounts (account_id, retry_at, failures) VALUES (?1, ?2, 1)
         ON CONFLICT (account_id) DO UPDATE SET retry_at = ?2, failures = failures + 1
         RETURNING failures",
    )
    .bind(account_id)
    .bind(retry_at)
    .fetch_one(pool)
    .await?;
    Ok(n)
}

/// Consecutive failures of the account's calls (0 when none).
pub async fn failures(pool: &SqlitePool, account_id: i64) -> CoreResult<i64> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT failures FROM analytics_accounts WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map_or(0, |r| r.0))
}

/// Whether the account may be called now (not waiting after a failure).
pub async fn may_call(pool: &SqlitePool, account_id: i64, now: i64) -> CoreResult<bool> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT retry_at FROM analytics_accounts WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0).is_none_or(|t| t <= now))
}

/// The account's calls work again.
pub async fn clear_failures(pool: &SqlitePool, account_id: i64) -> CoreResult<()> {
    sqlx::query(
        "UPDATE analytics_accounts SET retry_at = NULL, failures = 0
             WHERE account_id = ? AND (retry_at IS NOT NULL OR failures > 0)",
    )
    .bind(account_id)
    .execute(pool)
    .await?;
    Ok(())
}
