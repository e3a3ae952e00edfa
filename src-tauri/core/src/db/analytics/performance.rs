//! SQL of the sampler: the rows of `post_performance` (published posts and imported videos)
//! and their `performance_samples`.

use std::collections::HashMap;

use sqlx::SqlitePool;

use crate::analytics::dto::{MatchKind, Visibility};
use crate::error::CoreResult;

/// The numbers of a video at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VideoCounts {
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
}

/// Creates a row for every published post that has none: public and inbox posts wait to be
/// found ('pending', looked at now); posts to a narrower audience are 'private' for good
/// (TikTok never reports them), with nothing left to do. Answers how many were added.
pub async fn register_published(pool: &SqlitePool, now: i64) -> CoreResult<u64> {
    let done = sqlx::query(
        "INSERT INTO post_performance (account_id, post_id, match_kind, visibility, caption,
                                       published_at, next_at, created_at, updated_at)
         SELECT p.account_id, p.id, 'pending',
                CASE WHEN p.mode = 'inbox' OR p.privacy_level = 'PUBLIC_TO_EVERYONE'
                     THEN 'pending' ELSE 'private' END,
                p.caption,
                COALESCE((SELECT MAX(at) FROM publish_attempts a
                          WHERE a.post_id = p.id AND a.state = 'published'), j.updated_at),
                CASE WHEN p.mode = 'inbox' OR p.privacy_level = 'PUBLIC_TO_EVERYONE'
                     THEN ?1 END,
                ?1, ?1
           FROM publish_jobs j JOIN posts p ON p.id = j.post_id
          WHERE j.state = 'published' AND p.status = 'published'
            AND NOT EXISTS (SELECT 1 FROM post_performance r WHERE r.post_id = p.id)",
    )
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// A published post whose video is not known yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Pending {
    pub id: i64,
    pub account_id: i64,
    pub caption: String,
    pub published_at: i64,
    /// The publish job's public ids (JSON array), when TikTok gave them.
    pub public_post_ids: Option<String>,
}

/// Rows waiting to be found whose time to look has come, or whose public id TikTok has given
/// since the last look (the publisher asks for it after moderation).
pub async fn pending_due(pool: &SqlitePool, now: i64) -> CoreResult<Vec<Pending>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.account_id, r.caption, r.published_at, j.public_post_ids
           FROM post_performance r LEFT JOIN publish_jobs j ON j.post_id = r.post_id
          WHERE r.match_kind = 'pending'
            AND (r.next_at <= ?1 OR COALESCE(j.public_post_ids, '[]') != '[]')
            AND r.account_id IN (SELECT id FROM accounts
                                  WHERE removed_at IS NULL AND status = 'active')
          ORDER BY r.account_id, r.id",
    )
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Ties a pending row to its video. When the video was imported first (the daily walk saw it
/// before the post was matched), that row becomes the post's, keeping its samples, and the
/// pending row goes. One transaction.
pub async fn resolve(
    pool: &SqlitePool,
    id: i64,
    video_id: &str,
    kind: MatchKind,
    now: i64,
) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    // A write first: the transaction holds the write lock from its start, so it never has to
    // upgrade a read (which SQLite refuses at once, busy timeout or not, when another
    // connection wrote in between).
    let row: (i64, Option<i64>) = sqlx::query_as(
        "UPDATE post_performance SET updated_at = ? WHERE id = ? RETURNING account_id, post_id",
    )
    .bind(now)
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let imported: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM post_performance WHERE account_id = ? AND video_id = ? AND id != ?",
    )
    .bind(row.0)
    .bind(video_id)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    match imported {
        Some((other,)) => {
            sqlx::query("DELETE FROM post_performance WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE post_performance SET post_id = ?, match_kind = ?, next_at = ?,
                        updated_at = ? WHERE id = ?",
            )
            .bind(row.1)
            .bind(kind.as_str())
            .bind(now)
            .bind(now)
            .bind(other)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query(
                "UPDATE post_performance SET video_id = ?, match_kind = ?, next_at = ?,
                        updated_at = ? WHERE id = ?",
            )
            .bind(video_id)
            .bind(kind.as_str())
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Not found yet: look again at `next_at`; `None` gives up ('unmatched').
pub async fn defer_pending(
    pool: &SqlitePool,
    id: i64,
    next_at: Option<i64>,
    now: i64,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE post_performance
            SET next_at = ?1, updated_at = ?2,
                match_kind = CASE WHEN ?1 IS NULL THEN 'unmatched' ELSE match_kind END
          WHERE id = ?3",
    )
    .bind(next_at)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Video ids of the account's rows → (row id, visibility).
pub async fn tracked(
    pool: &SqlitePool,
    account_id: i64,
) -> CoreResult<HashMap<String, (i64, Visibility)>> {
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT video_id, id, visibility FROM post_performance
          WHERE account_id = ? AND video_id IS NOT NULL",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(v, id, vis)| (v, (id, Visibility::parse(&vis))))
        .collect())
}

/// A public video the account posted outside Tokdeck.
pub struct Imported<'a> {
    pub video_id: &'a str,
    pub caption: &'a str,
    pub create_ms: i64,
}

/// Rows for the account's videos posted outside Tokdeck (each ignored if already known), in one
/// transaction: a creator's back catalogue is hundreds of videos, and a commit each (with its
/// disk sync) made the first walk of an account take seconds. Sampling starts now; the
/// schedule decides which ages are still meaningful.
pub async fn import_many(
    pool: &SqlitePool,
    account_id: i64,
    videos: &[Imported<'_>],
    now: i64,
) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    for v in videos {
        sqlx::query(
            "INSERT INTO post_performance (account_id, video_id, match_kind, visibility, caption,
                                           published_at, next_at, created_at, updated_at)
             VALUES (?1, ?2, 'imported', 'pending', ?3, ?4, ?5, ?5, ?5)
             ON CONFLICT DO NOTHING",
        )
        .bind(account_id)
        .bind(v.video_id)
        .bind(v.caption)
        .bind(v.create_ms)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A video as TikTok just reported it.
pub struct Seen<'a> {
    pub id: i64,
    pub counts: VideoCounts,
    pub share_url: Option<&'a str>,
    /// TikTok's create time: replaces Tokdeck's publish time as the age's origin.
    pub create_ms: Option<i64>,
}

/// What to store after a video was seen, given its publish time: the age bucket this sample
/// stands for (if any) and when to look next (`None`: never again).
pub type SamplePlan<'p> = &'p (dyn Fn(i64) -> (Option<u32>, Option<i64>) + Sync);

/// TikTok reported these videos: their latest numbers and link (live from now if they were
/// not), the sample of the age `plan` names, and the next look, all in one transaction (a
/// video.query answers 20 videos; one commit each was 60 disk syncs).
pub async fn record_seen(
    pool: &SqlitePool,
    account_id: i64,
    seen: &[Seen<'_>],
    now: i64,
    plan: SamplePlan<'_>,
) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    for s in seen {
        let c = &s.counts;
        let published: i64 = sqlx::query_scalar(
            "UPDATE post_performance
                SET visibility = 'public', live_at = COALESCE(live_at, ?1), gone_at = NULL,
                    views = ?2, likes = ?3, comments = ?4, shares = ?5, counted_at = ?1,
                    share_url = COALESCE(?6, share_url),
                    published_at = COALESCE(?7, published_at), updated_at = ?1
              WHERE id = ?8
          RETURNING published_at",
        )
        .bind(now)
        .bind(c.views)
        .bind(c.likes)
        .bind(c.comments)
        .bind(c.shares)
        .bind(s.share_url)
        .bind(s.create_ms)
        .bind(s.id)
        .fetch_one(&mut *tx)
        .await?;
        let (bucket, next_at) = plan(published);
        if let Some(bucket) = bucket {
            // Once per age: a second sample for the same age is ignored.
            sqlx::query(
                "INSERT INTO performance_samples (performance_id, account_id, published_at,
                        age_bucket, sampled_at, views, likes, comments, shares)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT DO NOTHING",
            )
            .bind(s.id)
            .bind(account_id)
            .bind(published)
            .bind(bucket)
            .bind(now)
            .bind(c.views)
            .bind(c.likes)
            .bind(c.comments)
            .bind(c.shares)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE post_performance SET next_at = ? WHERE id = ?")
            .bind(next_at)
            .bind(s.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// TikTok no longer reports a video it reported: answers true when this changed it (so the
/// creator is told once). Its numbers stay as last seen; sampling stops.
pub async fn mark_gone(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<bool> {
    let done = sqlx::query(
        "UPDATE post_performance SET visibility = 'gone', gone_at = ?1, next_at = NULL,
                updated_at = ?1
          WHERE id = ?2 AND visibility = 'public'",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A video due for a sample (or a first look).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub account_id: i64,
    pub post_id: Option<i64>,
    pub video_id: String,
    pub caption: String,
    pub published_at: i64,
    pub visibility: String,
}

/// Videos whose next sample is due, by account (at most `limit`).
pub async fn samples_due(pool: &SqlitePool, now: i64, limit: i64) -> CoreResult<Vec<Due>> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, post_id, video_id, caption, published_at, visibility
           FROM post_performance
          WHERE next_at <= ? AND video_id IS NOT NULL AND match_kind != 'pending'
            AND visibility IN ('pending', 'public')
            AND account_id IN (SELECT id FROM accounts
                                WHERE removed_at IS NULL AND status = 'active')
          ORDER BY account_id, next_at LIMIT ?",
    )
    .bind(now)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// When the sampler looks at the row next (`None`: never again).
pub async fn set_next(pool: &SqlitePool, id: i64, next_at: Option<i64>) -> CoreResult<()> {
    sqlx::query("UPDATE post_performance SET next_at = ? WHERE id = ?")
        .bind(next_at)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The earliest instant some row of a connected account needs the sampler.
pub async fn next_due(pool: &SqlitePool) -> CoreResult<Option<i64>> {
    let row: (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(next_at) FROM post_performance
          WHERE next_at IS NOT NULL
            AND account_id IN (SELECT id FROM accounts
                                WHERE removed_at IS NULL AND status = 'active')",
    )
    .fetch_one(pool)
    .await?;
    Ok(row.0)
}

/// The account's rows waiting to be found, whatever their next look.
pub async fn pending_of(pool: &SqlitePool, account_id: i64) -> CoreResult<Vec<Pending>> {
    Ok(sqlx::query_as(
        "SELECT r.id, r.account_id, r.caption, r.published_at, j.public_post_ids
           FROM post_performance r LEFT JOIN publish_jobs j ON j.post_id = r.post_id
          WHERE r.match_kind = 'pending' AND r.account_id = ?
          ORDER BY r.id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// Video ids already tied to one of the account's posts.
pub async fn matched_video_ids(
    pool: &SqlitePool,
    account_id: i64,
) -> CoreResult<std::collections::HashSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT video_id FROM post_performance
          WHERE account_id = ? AND video_id IS NOT NULL AND post_id IS NOT NULL",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(v,)| v).collect())
}

/// The account's calls wait until `until`: so do its rows due by `now`.
pub async fn postpone_account(
    pool: &SqlitePool,
    account_id: i64,
    now: i64,
    until: i64,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE post_performance SET next_at = ?1
          WHERE account_id = ?2 AND next_at IS NOT NULL AND next_at <= ?3",
    )
    .bind(until)
    .bind(account_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The account has rows waiting to be found.
pub async fn has_pending(pool: &SqlitePool, account_id: i64) -> CoreResult<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM post_performance WHERE account_id = ? AND match_kind = 'pending' LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}
