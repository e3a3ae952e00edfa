//! SQL of the drafts library: every unscheduled post (a draft, or a draft whose file moved and
//! so needs attention without a time), the accounts they belong to, and taking a scheduled post
//! back to a draft (the calendar's Undo after a draft was dropped on it).

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};

use super::{PostRow, COLUMNS};
use crate::error::CoreResult;

/// An unscheduled post. A draft whose file went missing is marked `needs_attention` by the file
/// check without ever getting a time: it is still a draft to the creator, so it is listed too.
/// Scheduled posts that need attention have a time and stay in the Queue and Calendar.
pub const UNSCHEDULED: &str =
    "(status = 'draft' OR (status = 'needs_attention' AND scheduled_at IS NULL))";

/// The account columns the library shows with each draft.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DraftAccountRow {
    pub id: i64,
    pub open_id: String,
    pub username: String,
    pub display_name: String,
    pub label: String,
    pub avatar_file: Option<String>,
    pub status: String,
    pub removed_at: Option<i64>,
    /// Unscheduled posts of this account.
    pub drafts: i64,
}

/// The unscheduled posts, most recently changed first, of one account or of all.
pub async fn list(pool: &SqlitePool, account_id: Option<i64>) -> CoreResult<Vec<PostRow>> {
    let filter = if account_id.is_some() {
        " AND account_id = ?"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM posts WHERE {UNSCHEDULED}{filter} \
         ORDER BY updated_at DESC, id DESC"
    );
    let mut q = sqlx::query_as::<_, PostRow>(AssertSqlSafe(sql));
    if let Some(a) = account_id {
        q = q.bind(a);
    }
    Ok(q.fetch_all(pool).await?)
}

/// Every account that has unscheduled posts (removed ones too: their drafts are still there),
/// with how many, in name order.
pub async fn accounts(pool: &SqlitePool) -> CoreResult<Vec<DraftAccountRow>> {
    let sql = format!(
        "SELECT a.id, a.open_id, a.username, a.display_name, a.label, a.avatar_file, a.status, \
             a.removed_at, d.n AS drafts \
         FROM (SELECT account_id, count(*) AS n FROM posts WHERE {UNSCHEDULED} \
               GROUP BY account_id) d \
         JOIN accounts a ON a.id = d.account_id \
         ORDER BY lower(coalesce(nullif(a.label, ''), nullif(a.display_name, ''), a.username)), \
             a.id"
    );
    Ok(sqlx::query_as::<_, DraftAccountRow>(AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?)
}

/// Takes a post scheduled (and not yet claimed by the publisher) back to a draft with no time
/// and no consent; returns the rows changed (0: it moved on meanwhile).
pub async fn unschedule(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET status = 'draft', scheduled_at = NULL, schedule_zone = NULL, \
             schedule_local = NULL, publish_now = 0, consent_at = NULL, updated_at = ? \
         WHERE id = ? AND status = 'scheduled'",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::posts::tests::{account, draft, store};

    async fn set(pool: &SqlitePool, id: i64, status: &str, at: Option<i64>) {
        sqlx::query("UPDATE posts SET status = ?, scheduled_at = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(at)
            .bind(id)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn only_unscheduled_posts_are_listed_newest_change_first() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let (a, b) = (account(pool, "a").await, account(pool, "b").await);
        let plain = draft(pool, a).await;
        let moved = draft(pool, b).await;
        let scheduled = draft(pool, a).await;
        let late = draft(pool, a).await;
        let gone = draft(pool, b).await;
        set(pool, plain, "draft", None).await;
        set(pool, moved, "needs_attention", None).await;
        set(pool, scheduled, "scheduled", Some(10)).await;
        set(pool, late, "needs_attention", Some(10)).await;
        set(pool, gone, "cancelled", None).await;

        let ids = |rows: Vec<PostRow>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        assert_eq!(ids(list(pool, None).await.unwrap()), vec![moved, plain]);
        assert_eq!(ids(list(pool, Some(a)).await.unwrap()), vec![plain]);
        let counts: Vec<(i64, i64)> = accounts(pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.drafts))
            .collect();
        assert_eq!(counts, vec![(a, 1), (b, 1)]);
    }

    #[tokio::test]
    async fn unscheduling_takes_only_a_scheduled_post_back() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "a").await;
        let id = draft(pool, a).await;
        assert_eq!(unschedule(pool, id, 5).await.unwrap(), 0, "a draft already");
        set(pool, id, "scheduled", Some(10)).await;
        assert_eq!(unschedule(pool, id, 5).await.unwrap(), 1);
        let row = super::super::load(pool, id).await.unwrap();
        assert_eq!(
            (row.status.as_str(), row.scheduled_at, row.consent_at),
            ("draft", None, None)
        );
        set(pool, id, "queued", Some(10)).await;
        assert_eq!(
            unschedule(pool, id, 5).await.unwrap(),
            0,
            "the publisher has it"
        );
    }
}
