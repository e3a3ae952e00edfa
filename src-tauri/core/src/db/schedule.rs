//! SQL of the scheduler: which posts and jobs are due, when the next one is, missed posts, and
//! the two `settings` rows it keeps (the grace period and the heartbeat).

use sqlx::SqlitePool;

use crate::error::CoreResult;

/// A `settings` row's text, if set.
pub async fn setting(pool: &SqlitePool, key: &str) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(v,)| v))
}

/// Writes a `settings` row.
pub async fn set_setting(
    pool: &SqlitePool,
    key: &str,
    value: &str,
    updated_at: &str,
) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(value)
    .bind(updated_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Which jobs are due at `?1` (`j`: the job, `p`: its post): resumed, retried, or waiting for
/// the keychain with their time come, whose post is not paused. One text for the pass's read
/// and the hand-off's, so both run the same jobs first.
macro_rules! due_job {
    () => {
        "(j.state NOT IN ('published', 'failed', 'needs_attention')
              OR (j.state = 'needs_attention' AND j.next_retry_at IS NOT NULL))
          AND (j.next_retry_at IS NULL OR j.next_retry_at <= ?1)
          AND p.status IN ('queued', 'publishing', 'needs_attention')
          AND (p.paused_reason IS NULL OR p.status = 'publishing')"
    };
}

/// Jobs to run at `now`: resumed, retried, or waiting for the keychain with their time come,
/// whose post is not paused; earliest retry first. (post id, account id).
pub async fn due_jobs(pool: &SqlitePool, now: i64) -> CoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(concat!(
        "SELECT j.post_id, j.account_id FROM publish_jobs j JOIN posts p ON p.id = j.post_id
             WHERE ",
        due_job!(),
        " ORDER BY COALESCE(j.next_retry_at, 0), j.updated_at, j.post_id"
    ))
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// The due post a publish that ends at `now` hands its upload slot to: the first post the
/// scheduler's pass would start ([`due_posts_page`]'s order) whose account is not among `busy`
/// — unless a job the pass runs first ([`due_jobs`]) waits that is not among `running` (the
/// publishes under way here). `None` leaves the choice to the scheduler.
pub async fn handoff_candidate(
    pool: &SqlitePool,
    now: i64,
    busy: &[i64],
    running: &[i64],
) -> CoreResult<Option<DuePost>> {
    let list = |ids: &[i64]| serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query_as(concat!(
        "SELECT id, account_id, scheduled_at FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at <= ?1
               AND account_id NOT IN (SELECT value FROM json_each(?2))
               AND NOT EXISTS (SELECT 1 FROM publish_jobs j JOIN posts p ON p.id = j.post_id
                               WHERE j.post_id NOT IN (SELECT value FROM json_each(?3)) AND ",
        due_job!(),
        ") ORDER BY scheduled_at, id LIMIT 1"
    ))
    .bind(now)
    .bind(list(busy))
    .bind(list(running))
    .fetch_optional(pool)
    .await?)
}

/// A post due now, as the scheduler reads it: (post id, account id), and where the next page
/// starts after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct DuePost {
    pub id: i64,
    pub account_id: i64,
    pub scheduled_at: i64,
}

/// Scheduled, unpaused posts due at `now`, in due order: at most `limit`, those after `after`
/// (the last post of the previous page). A pass reads only as far as it can start posts:
/// reading 500 at each pass made every pass dearer the further the scheduler fell behind.
pub async fn due_posts_page(
    pool: &SqlitePool,
    now: i64,
    after: Option<DuePost>,
    limit: i64,
) -> CoreResult<Vec<DuePost>> {
    let (after_at, after_id) = after.map_or((i64::MIN, i64::MIN), |p| (p.scheduled_at, p.id));
    Ok(sqlx::query_as(
        "SELECT id, account_id, scheduled_at FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at <= ?1
               AND (scheduled_at > ?2 OR (scheduled_at = ?2 AND id > ?3))
             ORDER BY scheduled_at, id LIMIT ?4",
    )
    .bind(now)
    .bind(after_at)
    .bind(after_id)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The next scheduled time after `now` of an unpaused post.
pub async fn next_post_at(pool: &SqlitePool, now: i64) -> CoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(scheduled_at) FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at > ?",
    )
    .bind(now)
    .fetch_one(pool)
    .await?)
}

/// The next retry time after `now` of an unfinished job.
pub async fn next_retry_at(pool: &SqlitePool, now: i64) -> CoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(next_retry_at) FROM publish_jobs
             WHERE state NOT IN ('published', 'failed') AND next_retry_at > ?",
    )
    .bind(now)
    .fetch_one(pool)
    .await?)
}

/// Scheduled, unpaused posts due before `before`. (post id, account id).
pub async fn overdue_posts(pool: &SqlitePool, before: i64) -> CoreResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, account_id FROM posts
             WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at < ?",
    )
    .bind(before)
    .fetch_all(pool)
    .await?)
}

/// Marks a still-scheduled post missed. Answers whether it was still scheduled.
pub async fn mark_missed(pool: &SqlitePool, post_id: i64, now: i64) -> CoreResult<bool> {
    let mut conn = crate::db::write_conn(pool).await?;
    let n = sqlx::query(
        "UPDATE posts SET status = 'missed', updated_at = ? WHERE id = ? AND status = 'scheduled'",
    )
    .bind(now)
    .bind(post_id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::publish_jobs::tests::post_in;

    async fn set(pool: &SqlitePool, id: i64, scheduled_at: i64, paused: Option<&str>) {
        sqlx::query("UPDATE posts SET scheduled_at = ?, paused_reason = ? WHERE id = ?")
            .bind(scheduled_at)
            .bind(paused)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn due_and_next_posts_skip_paused_ones_and_come_in_due_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        let (a, b, c, d) = (
            post_in(pool, "scheduled").await,
            post_in(pool, "scheduled").await,
            post_in(pool, "scheduled").await,
            post_in(pool, "scheduled").await,
        );
        set(pool, a, 20, None).await;
        set(pool, b, 10, None).await;
        set(pool, c, 15, Some("removed")).await;
        set(pool, d, 40, None).await;
        assert_eq!(due(pool, 30, None, 10).await, vec![(b, 1), (a, 1)]);
        // A page ends where it is asked to, and the next starts after its last post.
        let first = due_posts_page(pool, 30, None, 1).await.unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(due(pool, 30, Some(first[0]), 10).await, vec![(a, 1)]);
        assert_eq!(due(pool, 30, Some(first[0]), 0).await, vec![]);
        assert_eq!(next_post_at(pool, 30).await.unwrap(), Some(40));
        assert_eq!(overdue_posts(pool, 20).await.unwrap(), vec![(b, 1)]);
        assert!(mark_missed(pool, b, 50).await.unwrap());
        assert!(
            !mark_missed(pool, b, 51).await.unwrap(),
            "no longer scheduled"
        );
        assert_eq!(due(pool, 30, None, 10).await, vec![(a, 1)]);
    }

    async fn due(
        pool: &SqlitePool,
        now: i64,
        after: Option<DuePost>,
        limit: i64,
    ) -> Vec<(i64, i64)> {
        due_posts_page(pool, now, after, limit)
            .await
            .unwrap()
            .into_iter()
            .map(|p| (p.id, p.account_id))
            .collect()
    }

    #[tokio::test]
    async fn due_jobs_include_keychain_waits_whose_time_came_but_not_other_ends() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        let running = post_in(pool, "publishing").await;
        let waiting = post_in(pool, "needs_attention").await;
        let failed = post_in(pool, "failed").await;
        for (id, state, retry) in [
            (running, "uploading", None),
            (waiting, "needs_attention", Some(30)),
            (failed, "failed", Some(5)),
        ] {
            sqlx::query(
                "INSERT INTO publish_jobs (post_id, account_id, state, next_retry_at, created_at,
                     updated_at) VALUES (?, 1, ?, ?, 0, 0)",
            )
            .bind(id)
            .bind(state)
            .bind(retry)
            .execute(pool)
            .await
            .unwrap();
        }
        assert_eq!(due_jobs(pool, 10).await.unwrap(), vec![(running, 1)]);
        assert_eq!(
            due_jobs(pool, 30).await.unwrap(),
            vec![(running, 1), (waiting, 1)]
        );
        assert_eq!(next_retry_at(pool, 10).await.unwrap(), Some(30));
    }

    #[tokio::test]
    async fn a_setting_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        assert_eq!(setting(pool, "k").await.unwrap(), None);
        set_setting(pool, "k", "1", "t").await.unwrap();
        set_setting(pool, "k", "2", "t").await.unwrap();
        assert_eq!(setting(pool, "k").await.unwrap().as_deref(), Some("2"));
    }
}
