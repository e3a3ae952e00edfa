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

/// What a scheduler pass acts on at `now`, read in one statement: each read is a round trip
/// to the database's thread, and on a busy machine every round trip waits for a CPU (a due
/// post waits for the reads before its claim).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DueWork {
    /// Jobs to run: resumed, retried, or waiting for the keychain with their time come, whose
    /// post is not paused; earliest retry first. (post id, account id).
    pub jobs: Vec<(i64, i64)>,
    /// Scheduled, unpaused posts due, in due order (at most 500). (post id, account id).
    pub posts: Vec<(i64, i64)>,
}

pub async fn due_work(pool: &SqlitePool, now: i64) -> CoreResult<DueWork> {
    // Each row says which list it belongs to (0: a job, 1: a post) and carries its sort keys.
    let rows: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT 0, post_id, account_id, COALESCE(next_retry_at, 0), updated_at FROM publish_jobs
             WHERE (state NOT IN ('published', 'failed', 'needs_attention')
                    OR (state = 'needs_attention' AND next_retry_at IS NOT NULL))
               AND (next_retry_at IS NULL OR next_retry_at <= ?1)
               AND post_id IN (SELECT id FROM posts
                               WHERE status IN ('queued', 'publishing', 'needs_attention')
                                 AND (paused_reason IS NULL OR status = 'publishing'))
         UNION ALL
         SELECT 1, id, account_id, scheduled_at, id FROM (
             SELECT id, account_id, scheduled_at FROM posts
                 WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at <= ?1
                 ORDER BY scheduled_at, id LIMIT 500)
         ORDER BY 1, 4, 5, 2",
    )
    .bind(now)
    .fetch_all(pool)
    .await?;
    let mut work = DueWork::default();
    for (list, post_id, account_id, _, _) in rows {
        let to = if list == 0 {
            &mut work.jobs
        } else {
            &mut work.posts
        };
        to.push((post_id, account_id));
    }
    Ok(work)
}

/// When the scheduler has something to do next, read in one statement (see [`DueWork`]).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct NextTimes {
    /// The next scheduled time after `now` of an unpaused post.
    pub post: Option<i64>,
    /// The next retry time after `now` of an unfinished job.
    pub retry: Option<i64>,
    /// The earliest public-id follow-up, due or not.
    pub public_id: Option<i64>,
}

pub async fn next_times(pool: &SqlitePool, now: i64) -> CoreResult<NextTimes> {
    let (post, retry, public_id) = sqlx::query_as(
        "SELECT
             (SELECT MIN(scheduled_at) FROM posts
                  WHERE status = 'scheduled' AND paused_reason IS NULL AND scheduled_at > ?1),
             (SELECT MIN(next_retry_at) FROM publish_jobs
                  WHERE state NOT IN ('published', 'failed') AND next_retry_at > ?1),
             (SELECT MIN(public_id_next_at) FROM publish_jobs INDEXED BY publish_jobs_public_id
                  WHERE public_id_next_at IS NOT NULL)",
    )
    .bind(now)
    .fetch_one(pool)
    .await?;
    Ok(NextTimes {
        post,
        retry,
        public_id,
    })
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
        assert_eq!(
            due_work(pool, 30).await.unwrap(),
            DueWork {
                jobs: vec![],
                posts: vec![(b, 1), (a, 1)]
            }
        );
        assert_eq!(next_times(pool, 30).await.unwrap().post, Some(40));
        assert_eq!(overdue_posts(pool, 20).await.unwrap(), vec![(b, 1)]);
        assert!(mark_missed(pool, b, 50).await.unwrap());
        assert!(
            !mark_missed(pool, b, 51).await.unwrap(),
            "no longer scheduled"
        );
        assert_eq!(due_work(pool, 30).await.unwrap().posts, vec![(a, 1)]);
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
        let due = post_in(pool, "scheduled").await;
        set(pool, due, 5, None).await;
        assert_eq!(
            due_work(pool, 10).await.unwrap(),
            DueWork {
                jobs: vec![(running, 1)],
                posts: vec![(due, 1)]
            },
            "one read, each row in its own list"
        );
        assert_eq!(
            due_work(pool, 30).await.unwrap().jobs,
            vec![(running, 1), (waiting, 1)]
        );
        assert_eq!(next_times(pool, 10).await.unwrap().retry, Some(30));
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
