//! The read-only views over posts: the calendar and the queue, and the tray's status. The
//! calendar and queue statements are built from constant fragments (values are always bound)
//! and public, so the benchmark EXPLAINs exactly what the app runs.

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};

use crate::error::{CoreError, CoreResult};

pub type CalTuple = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    String,
);

impl From<CalTuple> for CalRow {
    fn from(t: CalTuple) -> Self {
        CalRow {
            id: t.0,
            account_id: t.1,
            status: t.2,
            mode: t.3,
            caption: t.4,
            thumbnail_path: t.5,
            scheduled_at: t.6,
            schedule_zone: t.7,
            paused_reason: t.8,
            updated_at: t.9,
            display_name: t.10,
            username: t.11,
            label: t.12,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct CalRow {
    pub id: i64,
    pub account_id: i64,
    pub status: String,
    pub mode: String,
    pub caption: String,
    pub thumbnail_path: Option<String>,
    pub scheduled_at: i64,
    pub schedule_zone: Option<String>,
    pub paused_reason: Option<String>,
    /// The post's last change (ms): batch operations compare-and-set on it.
    pub updated_at: i64,
    pub display_name: String,
    pub username: String,
    pub label: String,
}

/// The SQL of a calendar range (public for the benchmark's CLI reference).
pub const CALENDAR_SQL: &str = "SELECT p.id, p.account_id, p.status, p.mode, \
    substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, p.schedule_zone, \
    p.paused_reason, p.updated_at, a.display_name, a.username, a.label \
    FROM posts p JOIN accounts a ON a.id = p.account_id \
    WHERE p.scheduled_at >= ? AND p.scheduled_at < ? AND p.status != 'cancelled'";
pub const CALENDAR_ACCOUNT_FILTER: &str = " AND p.account_id = ?";
pub const CALENDAR_ORDER: &str = " ORDER BY p.scheduled_at, p.id";

/// A range row as the statement's JSON array gives it (one row per fetch instead of one per
/// post: every row crossing from SQLite's worker thread costs more than the query itself).
pub type RangeTuple = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl From<RangeTuple> for RangeRow {
    fn from(t: RangeTuple) -> Self {
        RangeRow {
            d: t.0,
            n: t.1,
            id: t.2,
            account_id: t.3,
            status: t.4,
            mode: t.5,
            caption: t.6,
            thumbnail_path: t.7,
            scheduled_at: t.8,
            schedule_zone: t.9,
            paused_reason: t.10,
            updated_at: t.11,
            display_name: t.12,
            username: t.13,
            label: t.14,
        }
    }
}

pub struct RangeRow {
    pub d: i64,
    pub n: i64,
    pub id: Option<i64>,
    pub account_id: Option<i64>,
    pub status: Option<String>,
    pub mode: Option<String>,
    pub caption: Option<String>,
    pub thumbnail_path: Option<String>,
    pub scheduled_at: Option<i64>,
    pub schedule_zone: Option<String>,
    pub paused_reason: Option<String>,
    pub updated_at: Option<i64>,
    pub display_name: Option<String>,
    pub username: Option<String>,
    pub label: Option<String>,
}

impl RangeRow {
    pub fn into_cal_row(self) -> Option<CalRow> {
        Some(CalRow {
            id: self.id?,
            account_id: self.account_id?,
            status: self.status?,
            mode: self.mode?,
            caption: self.caption.unwrap_or_default(),
            thumbnail_path: self.thumbnail_path,
            scheduled_at: self.scheduled_at?,
            schedule_zone: self.schedule_zone,
            paused_reason: self.paused_reason,
            updated_at: self.updated_at.unwrap_or_default(),
            display_name: self.display_name.unwrap_or_default(),
            username: self.username.unwrap_or_default(),
            label: self.label.unwrap_or_default(),
        })
    }
}

/// Milliseconds per `post_hours` bucket (migration 0006).
pub const HOUR_MS: i64 = 3_600_000;

/// The values bound for each day of a calendar range, given the day boundaries (one more than
/// days): `(index, start, end, first whole hour, end of the last whole hour)`; hours are
/// `post_hours` buckets. A day in a zone whose offset is not whole hours starts and ends inside
/// a bucket: those partial hours are counted from the index instead.
pub fn calendar_day_values(bounds: &[i64]) -> Vec<[i64; 5]> {
    bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (s, e) = (w[0], w[1]);
            let first = s.div_euclid(HOUR_MS) + i64::from(s.rem_euclid(HOUR_MS) != 0);
            // A range shorter than an hour has no whole hour: count it all from the index.
            let last = e.div_euclid(HOUR_MS).max(first);
            let (first, last) = if first * HOUR_MS > e {
                (0, 0)
            } else {
                (first, last)
            };
            [i as i64, s, e, first, last]
        })
        .collect()
}

/// A calendar range in one statement: for each day (bound as the five values of
/// [`calendar_day_values`]), its number of posts and its first posts (the per-day limit is the
/// last parameter; negative: all), soonest first, as one JSON array. With an account filter the
/// account is bound twice after the days. Over all accounts a day's count sums its whole hours
/// in `post_hours` (kept by triggers) plus the posts of its partial hours; one account's posts
/// are few, so they are counted from the account's index. Rows are read only for the posts
/// listed.
pub fn calendar_range_sql(days: usize, account: bool) -> String {
    let values = vec!["(?, ?, ?, ?, ?)"; days].join(", ");
    let live = "q.status != 'cancelled'";
    let (filter, count) = if account {
        (
            " AND q.account_id = ?",
            format!(
                "(SELECT count(*) FROM posts q WHERE q.scheduled_at >= v.s \
                 AND q.scheduled_at < v.e AND {live} AND q.account_id = ?)"
            ),
        )
    } else {
        (
            "",
            format!(
                "(SELECT coalesce(sum(h.n), 0) FROM post_hours h WHERE h.hour >= v.hs \
                     AND h.hour < v.he) \
                 + (SELECT count(*) FROM posts q WHERE q.scheduled_at >= v.s \
                     AND q.scheduled_at < v.hs * {HOUR_MS} AND {live}) \
                 + (SELECT count(*) FROM posts q WHERE q.scheduled_at >= max(v.s, v.he * {HOUR_MS}) \
                     AND q.scheduled_at < v.e AND {live})"
            ),
        )
    };
    let inner = format!(
        "WITH v(d, s, e, hs, he) AS (VALUES {values}), \
         days AS MATERIALIZED (SELECT d, s, e, {count} AS n FROM v) \
         SELECT days.d, days.n, p.id, p.account_id, p.status, p.mode, \
             substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, \
             p.schedule_zone, p.paused_reason, p.updated_at, a.display_name, a.username, a.label \
         FROM days LEFT JOIN posts p ON days.n > 0 AND p.id IN (SELECT q.id FROM posts q \
             WHERE q.scheduled_at >= days.s AND q.scheduled_at < days.e \
             AND {live}{filter} \
             ORDER BY q.scheduled_at, q.id LIMIT ?) \
         LEFT JOIN accounts a ON a.id = p.account_id \
         ORDER BY days.d, p.scheduled_at, p.id"
    );
    format!(
        "SELECT json_group_array(json_array(d, n, id, account_id, status, mode, caption, \
         thumbnail_path, scheduled_at, schedule_zone, paused_reason, updated_at, display_name, \
         username, label)) FROM ({inner})"
    )
}

/// Posts still to publish: the queue's upcoming part, soonest first. Exactly the condition of
/// the partial index `posts_pending` (migration 0006), which SQLite uses only when the query
/// repeats it.
pub const QUEUE_PENDING: &str =
    "p.status IN ('scheduled', 'needs_attention', 'queued', 'publishing') \
    AND p.scheduled_at IS NOT NULL";
/// Finished posts (the queue's optional second part, most recent first): index `posts_finished`.
pub const QUEUE_FINISHED: &str =
    "p.status IN ('published', 'failed', 'missed') AND p.scheduled_at IS NOT NULL";

/// Below this many caption matches the queue search uses the trigram index.
pub const FTS_RARE: i64 = 400;

/// How the queue finds a search term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSearch {
    None,
    /// A substring scan in time order (`?2`, a LIKE pattern).
    Like,
    /// Over all accounts, a term of 3+ characters: the trigram index (`?3`, an FTS5 phrase)
    /// when it matches fewer than [`FTS_RARE`] posts, else the scan (`?2`).
    Trigram,
}

const QUEUE_COLUMNS: &str = "p.id, p.account_id, p.status, p.mode, \
    substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, p.schedule_zone, \
    p.paused_reason, p.updated_at, a.display_name, a.username, a.label";

/// The queue's tables with the way to read `posts` fixed: the app never runs ANALYZE, and
/// without statistics SQLite prefers `posts_status` (every post of the listed statuses, then a
/// sort) to the time-ordered scan that stops after `limit` rows.
fn queue_from(posts_access: &str) -> String {
    format!("FROM posts p {posts_access} JOIN accounts a ON a.id = p.account_id")
}

/// One part of the queue: `section` 0 upcoming (soonest first), 1 finished (latest first), at
/// most `limit` rows.
fn queue_part(section: u8, account: bool, like: bool, limit: &str) -> String {
    let (cond, dir) = if section == 0 {
        (QUEUE_PENDING, "")
    } else {
        (QUEUE_FINISHED, " DESC")
    };
    let index = match (account, section) {
        (true, _) => "posts_account_time",
        (false, 0) => "posts_pending",
        (false, _) => "posts_finished",
    };
    let from = queue_from(&format!("INDEXED BY {index}"));
    let account = if account {
        " AND p.account_id = ?1"
    } else {
        ""
    };
    let like = if like {
        " AND p.caption LIKE ?2 ESCAPE '\\'"
    } else {
        ""
    };
    format!(
        "SELECT * FROM (SELECT {section} AS sec, {QUEUE_COLUMNS} {from} \
         WHERE {cond}{account}{like} \
         ORDER BY p.scheduled_at{dir}, p.id{dir} LIMIT {limit})"
    )
}

/// The queue as one statement returning one JSON array of rows `[part, ...CalTuple]`.
/// Parameters: `?1` account, `?2` LIKE pattern, `?3` FTS5 phrase, `?4` upcoming limit, `?5`
/// finished limit (bind all five; unused ones are ignored). The trigram case chooses between index and scan inside
/// the statement: the matches (at most `FTS_RARE`) are materialised once, and the branch not
/// taken gets `LIMIT 0`, which SQLite checks before reading any row (a `WHERE` condition would
/// be tested row by row over the whole scan).
pub fn queue_sql(account: bool, search: QueueSearch, finished: bool) -> String {
    let like = search != QueueSearch::None;
    let trigram = search == QueueSearch::Trigram;
    let scan_limit = |param: &str| {
        if trigram {
            format!("CASE WHEN (SELECT yes FROM rare) THEN 0 ELSE {param} END")
        } else {
            param.to_owned()
        }
    };
    let mut parts = vec![queue_part(0, account, like, &scan_limit("?4"))];
    if finished {
        parts.push(queue_part(1, account, like, &scan_limit("?5")));
    }
    let mut with = String::new();
    if trigram {
        with = format!(
            "WITH m AS MATERIALIZED (SELECT rowid AS id FROM posts_fts \
             WHERE posts_fts MATCH ?3 LIMIT {FTS_RARE}), \
             rare(yes) AS MATERIALIZED (SELECT count(*) < {FTS_RARE} FROM m) "
        );
        // Few matches: every matching post of either part (fewer than FTS_RARE); the caller
        // orders and bounds each part.
        let statuses = if finished {
            format!("(({QUEUE_PENDING}) OR ({QUEUE_FINISHED}))")
        } else {
            format!("({QUEUE_PENDING})")
        };
        let account = if account {
            " AND p.account_id = ?1"
        } else {
            ""
        };
        parts.push(format!(
            "SELECT * FROM (SELECT CASE WHEN {QUEUE_FINISHED} THEN 1 ELSE 0 END AS sec, \
             {QUEUE_COLUMNS} {} WHERE p.id IN (SELECT id FROM m) AND {statuses}{account} \
             LIMIT CASE WHEN (SELECT yes FROM rare) THEN -1 ELSE 0 END)",
            // Rowid look-ups of the matches only.
            queue_from("NOT INDEXED")
        ));
    }
    format!(
        "{with}SELECT json_group_array(json_array(sec, id, account_id, status, mode, caption, \
         thumbnail_path, scheduled_at, schedule_zone, paused_reason, updated_at, display_name, \
         username, label)) FROM ({})",
        parts.join(" UNION ALL ")
    )
}

/// An FTS5 string literal matching `term` as a substring.
pub fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// A LIKE pattern (escape `\\`) matching `term` as a substring.
pub fn like_pattern(term: &str) -> String {
    format!(
        "%{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// A queue row as the statement's JSON array gives it: the part (0 upcoming, 1 finished), then
/// the columns of a [`CalTuple`].
pub type QueueTuple = (
    u8,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    i64,
    String,
    String,
    String,
);

pub fn queue_row(t: QueueTuple) -> (u8, CalRow) {
    let row = (
        t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10, t.11, t.12, t.13,
    );
    (t.0, CalRow::from(row))
}

/// The rows of a calendar range whose day boundaries (one more than days) are `bounds`, at
/// most `per_day` posts listed per day (negative: all), in the statement's day order.
pub async fn calendar_range(
    pool: &SqlitePool,
    bounds: &[i64],
    account_id: Option<i64>,
    per_day: i64,
) -> CoreResult<Vec<RangeRow>> {
    let days = bounds.len().saturating_sub(1);
    let sql = calendar_range_sql(days, account_id.is_some());
    let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
    for values in calendar_day_values(bounds) {
        for v in values {
            q = q.bind(v);
        }
    }
    if let Some(a) = account_id {
        q = q.bind(a).bind(a);
    }
    let json = q.bind(per_day).fetch_one(pool).await?;
    Ok(serde_json::from_str::<Vec<RangeTuple>>(&json)
        .map_err(|e| CoreError::Internal(format!("calendar rows: {e}")))?
        .into_iter()
        .map(RangeRow::from)
        .collect())
}

/// The queue's rows as (part, row): part 0 upcoming, 1 finished, in no particular order (the
/// caller orders and bounds each part). `term` is the trimmed search text.
pub async fn queue(
    pool: &SqlitePool,
    account_id: Option<i64>,
    search: QueueSearch,
    term: &str,
    limit: i64,
    finished_limit: i64,
) -> CoreResult<Vec<(u8, CalRow)>> {
    let sql = queue_sql(account_id.is_some(), search, finished_limit > 0);
    let json = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql))
        .bind(account_id)
        .bind((search != QueueSearch::None).then(|| like_pattern(term)))
        .bind((search == QueueSearch::Trigram).then(|| fts_phrase(term)))
        .bind(limit)
        .bind(finished_limit)
        .fetch_one(pool)
        .await?;
    let rows = serde_json::from_str::<Vec<QueueTuple>>(&json)
        .map_err(|e| CoreError::Internal(format!("queue rows: {e}")))?;
    Ok(rows.into_iter().map(queue_row).collect())
}

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
/// (post id, state, confirmed bytes, video size, username, display name)
pub type UploadRow = (i64, String, i64, Option<i64>, String, String);

/// The publishes under way, oldest change first.
pub async fn tray_uploads(pool: &SqlitePool) -> CoreResult<Vec<UploadRow>> {
    let uploads: Vec<UploadRow> = sqlx::query_as(
        "SELECT j.post_id, j.state, j.confirmed_bytes, j.video_size, a.username, a.display_name \
         FROM publish_jobs j JOIN accounts a ON a.id = j.account_id \
         WHERE j.state IN ('checking', 'initializing', 'uploading', 'processing') \
         ORDER BY j.updated_at, j.post_id",
    )
    .fetch_all(pool)
    .await?;
    Ok(uploads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::posts::tests::{account, draft, store};

    async fn at(pool: &SqlitePool, id: i64, status: &str, at: i64) {
        sqlx::query("UPDATE posts SET status = ?, scheduled_at = ? WHERE id = ?")
            .bind(status)
            .bind(at)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }

    #[test]
    fn day_values_count_partial_hours_from_the_index() {
        // A whole-hour day, then a day that starts half past (a +05:30 zone).
        let h = HOUR_MS;
        let values = calendar_day_values(&[0, 24 * h, 48 * h + h / 2]);
        assert_eq!(values[0], [0, 0, 24 * h, 0, 24]);
        assert_eq!(values[1], [1, 24 * h, 48 * h + h / 2, 24, 48]);
        assert_eq!(
            calendar_day_values(&[h / 4, h / 2]),
            vec![[0, h / 4, h / 2, 0, 0]]
        );
    }

    #[test]
    fn search_terms_are_escaped() {
        assert_eq!(like_pattern(r"50%_off\"), r"%50\%\_off\\%");
        assert_eq!(fts_phrase(r#"say "hi""#), r#""say ""hi""""#);
    }

    #[tokio::test]
    async fn a_range_lists_per_day_counts_and_the_first_posts() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "a").await;
        let h = HOUR_MS;
        for (i, when) in [h, 2 * h, 3 * h, 25 * h].into_iter().enumerate() {
            let id = draft(pool, a).await;
            let status = if i == 2 { "cancelled" } else { "scheduled" };
            at(pool, id, status, when).await;
        }
        let bounds = [0, 24 * h, 48 * h];
        for account_id in [None, Some(a)] {
            let rows = calendar_range(pool, &bounds, account_id, 1).await.unwrap();
            let per_day: Vec<(i64, i64, Option<i64>)> =
                rows.iter().map(|r| (r.d, r.n, r.scheduled_at)).collect();
            assert_eq!(per_day, vec![(0, 2, Some(h)), (1, 1, Some(25 * h))]);
        }
        let all = calendar_range(pool, &bounds, None, -1).await.unwrap();
        assert_eq!(all.len(), 3);
        let other = account(pool, "b").await;
        let none = calendar_range(pool, &bounds, Some(other), -1)
            .await
            .unwrap();
        assert!(none.iter().all(|r| r.n == 0 && r.id.is_none()));
    }

    #[tokio::test]
    async fn the_queue_gives_upcoming_then_finished_rows_and_searches() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "a").await;
        let (up, done) = (draft(pool, a).await, draft(pool, a).await);
        at(pool, up, "scheduled", 10).await;
        at(pool, done, "published", 5).await;
        let rows = queue(pool, None, QueueSearch::None, "", 50, 10)
            .await
            .unwrap();
        let mut parts: Vec<(u8, i64)> = rows.iter().map(|(s, r)| (*s, r.id)).collect();
        parts.sort();
        assert_eq!(parts, vec![(0, up), (1, done)]);
        let rows = queue(pool, Some(a), QueueSearch::None, "", 50, 0)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        for search in [QueueSearch::Like, QueueSearch::Trigram] {
            let hit = queue(pool, None, search, "hell", 50, 10).await.unwrap();
            assert_eq!(hit.len(), 2, "{search:?}");
            let miss = queue(pool, None, search, "nope", 50, 10).await.unwrap();
            assert!(miss.is_empty(), "{search:?}");
        }
    }

    #[tokio::test]
    async fn the_tray_reads_the_next_unpaused_post_and_the_uploads() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "maya").await;
        assert_eq!(tray_next(pool).await.unwrap(), None);
        let (p1, p2) = (draft(pool, a).await, draft(pool, a).await);
        at(pool, p1, "scheduled", 20).await;
        at(pool, p2, "scheduled", 10).await;
        sqlx::query("UPDATE posts SET paused_reason = 'x' WHERE id = ?")
            .bind(p2)
            .execute(pool)
            .await
            .unwrap();
        let next = tray_next(pool).await.unwrap().unwrap();
        assert_eq!((next.0, next.1.as_str()), (20, "maya"));
        sqlx::query(
            "INSERT INTO publish_jobs (post_id, account_id, state, video_size, confirmed_bytes,
                 created_at, updated_at) VALUES (?, ?, 'uploading', 100, 40, 0, 0)",
        )
        .bind(p1)
        .bind(a)
        .execute(pool)
        .await
        .unwrap();
        let uploads = tray_uploads(pool).await.unwrap();
        assert_eq!(uploads.len(), 1);
        assert_eq!(
            (uploads[0].1.as_str(), uploads[0].2, uploads[0].3),
            ("uploading", 40, Some(100))
        );
    }
}
