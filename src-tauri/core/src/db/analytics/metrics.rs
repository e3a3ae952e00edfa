//! What the Analytics page reads. The statements are public so the benches can run the same
//! SQL in the sqlite3 CLI.

use sqlx::SqlitePool;

use crate::analytics::dto::{Counts, TopSort};
use crate::error::CoreResult;

/// One account's snapshots in `[from, to)`, oldest first, as one JSON array of
/// `[taken_at, followers, following, likes, videos]`: two years are 730 rows, and sqlx hands
/// rows over one at a time from its database thread, which cost more than the query itself.
pub const SERIES_SQL: &str = "SELECT json_group_array(json_array(taken_at, follower_count, \
     following_count, likes_count, video_count)) FROM (SELECT * FROM account_snapshots \
     WHERE account_id = ?1 AND taken_at >= ?2 AND taken_at < ?3 ORDER BY taken_at)";

/// (taken_at, followers, following, likes, videos).
type CountsRow = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

pub async fn series(
    pool: &SqlitePool,
    account_id: i64,
    from: i64,
    to: i64,
) -> CoreResult<Vec<(i64, Counts)>> {
    let json: String = sqlx::query_scalar(SERIES_SQL)
        .bind(account_id)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?;
    let mut rows: Vec<CountsRow> = serde_json::from_str(&json)
        .map_err(|e| crate::error::CoreError::Internal(format!("snapshot series: {e}")))?;
    // The subquery's order is what SQLite aggregates in; said again here, at no cost when
    // already sorted.
    rows.sort_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .map(|(at, f, g, l, v)| {
            (
                at,
                Counts {
                    follower_count: f,
                    following_count: g,
                    likes_count: l,
                    video_count: v,
                },
            )
        })
        .collect())
}

/// A `post_performance` row as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PerformanceRow {
    pub id: i64,
    pub account_id: i64,
    pub post_id: Option<i64>,
    pub video_id: Option<String>,
    pub match_kind: String,
    pub visibility: String,
    pub share_url: Option<String>,
    pub caption: String,
    pub published_at: i64,
    pub live_at: Option<i64>,
    pub gone_at: Option<i64>,
    pub views: Option<i64>,
    pub likes: Option<i64>,
    pub comments: Option<i64>,
    pub shares: Option<i64>,
    pub counted_at: Option<i64>,
}

/// The columns of a [`PerformanceRow`], as a literal so the constant statements can embed them.
macro_rules! row_columns {
    () => {
        "id, account_id, post_id, video_id, match_kind, visibility, share_url, caption, \
         published_at, live_at, gone_at, views, likes, comments, shares, counted_at"
    };
}

const ROW: &str = row_columns!();

/// One row by its id (`?1`).
pub const ROW_BY_ID_SQL: &str = concat!(
    "SELECT ",
    row_columns!(),
    " FROM post_performance WHERE id = ?1"
);

pub async fn by_id(pool: &SqlitePool, id: i64) -> CoreResult<Option<PerformanceRow>> {
    Ok(sqlx::query_as(ROW_BY_ID_SQL)
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_post(pool: &SqlitePool, post_id: i64) -> CoreResult<Option<PerformanceRow>> {
    let sql = format!("SELECT {ROW} FROM post_performance WHERE post_id = ?");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(post_id)
        .fetch_optional(pool)
        .await?)
}

/// The rows of `post_ids` (the Queue and Published views' latest numbers).
pub async fn by_posts(pool: &SqlitePool, post_ids: &[i64]) -> CoreResult<Vec<PerformanceRow>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; post_ids.len()].join(",");
    let sql = format!("SELECT {ROW} FROM post_performance WHERE post_id IN ({marks})");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for id in post_ids {
        q = q.bind(id);
    }
    Ok(q.fetch_all(pool).await?)
}

/// A video's samples, youngest age first: (bucket, sampled_at, views, likes, comments, shares).
pub type SampleRow = (i64, i64, i64, i64, i64, i64);

/// Per age of `buckets` ages, in one statement: the bucket (`b`), the account's samples at
/// that age (`n`), and the median views (`m`: the `(n - 1) / 2`-th smallest, read from the
/// (account, age, views) index). `?1` is the account, `?(k + 2)` the k-th bucket. One round
/// trip, where one per age made the post curve 12.
pub fn medians_sql(buckets: usize) -> String {
    medians_of("?1", buckets)
}

/// [`medians_sql`] of the account `account` (an SQL expression). Each age is counted once,
/// into a one-row table (`n<k>`) that both the count and the median's offset read: counting
/// it again for the offset walked each age's index entries twice.
fn medians_of(account: &str, buckets: usize) -> String {
    let at = format!("FROM performance_samples WHERE account_id = {account} AND age_bucket");
    let counts = (0..buckets)
        .map(|k| {
            format!(
                "n{k}(n) AS MATERIALIZED (SELECT COUNT(*) {at} = ?{})",
                k + 2
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let ages = (0..buckets)
        .map(|k| {
            let b = k + 2;
            format!(
                "SELECT ?{b} AS b, n, (SELECT views {at} = ?{b} ORDER BY views LIMIT 1 \
                 OFFSET (SELECT (n - 1) / 2 FROM n{k})) AS m FROM n{k}"
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    format!("WITH {counts} {ages}")
}

/// A post's curve in one statement (`?1`: its `post_performance` id, `?(k + 2)` the k-th
/// bucket): its row, its samples (`samples`: one JSON array of [`SampleRow`]s, youngest
/// first) and its account's median per age (`medians`: one JSON array of `[bucket, samples,
/// median]`). One round trip and one row, where the row, the samples and the medians were
/// three, and 25 rows handed over one by one.
pub fn post_curve_sql(buckets: usize) -> String {
    let medians = medians_of(
        "(SELECT account_id FROM post_performance WHERE id = ?1)",
        buckets,
    );
    format!(
        "SELECT {ROW}, (SELECT json_group_array(json_array(age_bucket, sampled_at, views, \
         likes, comments, shares)) FROM (SELECT * FROM performance_samples \
         WHERE performance_id = ?1 ORDER BY age_bucket)) AS samples, \
         (SELECT json_group_array(json_array(b, n, m)) FROM ({medians})) AS medians \
         FROM post_performance WHERE id = ?1"
    )
}

/// A post's row, its samples, and its account's (bucket, samples, median views) per age.
pub type CurveParts = (PerformanceRow, Vec<SampleRow>, Vec<(i64, i64, i64)>);

#[derive(sqlx::FromRow)]
struct CurveRow {
    #[sqlx(flatten)]
    row: PerformanceRow,
    samples: String,
    medians: String,
}

/// A post's row, its samples and its account's medians per age of `buckets` (see
/// [`medians`]); `None` when there is no such row.
pub async fn curve_with_medians(
    pool: &SqlitePool,
    id: i64,
    buckets: &[u32],
) -> CoreResult<Option<CurveParts>> {
    let mut q =
        sqlx::query_as::<_, CurveRow>(sqlx::AssertSqlSafe(post_curve_sql(buckets.len()))).bind(id);
    for b in buckets {
        q = q.bind(b);
    }
    let Some(r) = q.fetch_optional(pool).await? else {
        return Ok(None);
    };
    let json = |what: &str, e: serde_json::Error| {
        crate::error::CoreError::Internal(format!("post curve {what}: {e}"))
    };
    let mut samples: Vec<SampleRow> =
        serde_json::from_str(&r.samples).map_err(|e| json("samples", e))?;
    samples.sort_by_key(|s| s.0);
    let medians: Vec<(i64, i64, Option<i64>)> =
        serde_json::from_str(&r.medians).map_err(|e| json("medians", e))?;
    Ok(Some((r.row, samples, present(medians))))
}

/// The ages that have samples, youngest first.
fn present(rows: Vec<(i64, i64, Option<i64>)>) -> Vec<(i64, i64, i64)> {
    let mut out: Vec<(i64, i64, i64)> = rows
        .into_iter()
        .filter_map(|(bucket, n, views)| Some((bucket, n, views.filter(|_| n > 0)?)))
        .collect();
    out.sort_by_key(|m| m.0);
    out
}

/// Per age of `buckets` that has samples: (bucket, samples, median views — the lower one for
/// an even count).
pub async fn medians(
    pool: &SqlitePool,
    account_id: i64,
    buckets: &[u32],
) -> CoreResult<Vec<(i64, i64, i64)>> {
    if buckets.is_empty() {
        return Ok(Vec::new());
    }
    let sql = medians_sql(buckets.len());
    let mut q =
        sqlx::query_as::<_, (i64, i64, Option<i64>)>(sqlx::AssertSqlSafe(sql)).bind(account_id);
    for b in buckets {
        q = q.bind(b);
    }
    Ok(present(q.fetch_all(pool).await?))
}

/// The statement of the top posts: one account (`?1`) or all (`?1` NULL), published at or
/// after `?2`, best first by `sort`, `?3` rows. `recent_only`: the period is short, so read its
/// rows by publish time and sort them, instead of walking the sort's index past every older
/// video.
pub fn top_sql(sort: TopSort, one_account: bool, recent_only: bool) -> String {
    let (order, index) = match sort {
        TopSort::Views => ("views DESC", "views"),
        TopSort::Likes => ("likes DESC", "likes"),
        TopSort::Comments => ("comments DESC", "comments"),
        TopSort::Shares => ("shares DESC", "shares"),
        TopSort::Recent => ("published_at DESC", "recent"),
    };
    let index = if recent_only { "recent" } else { index };
    // The statement names its index: without ANALYZE (the app never runs it) SQLite may walk
    // another sort's index of all accounts instead of this account's thousand rows.
    let (account, index) = if one_account {
        (
            "account_id = ?1",
            format!("post_performance_account_{index}"),
        )
    } else {
        match index {
            "views" => ("?1 IS NULL", "post_performance_top".to_owned()),
            _ => ("?1 IS NULL", format!("post_performance_top_{index}")),
        }
    };
    format!(
        "SELECT {ROW} FROM post_performance INDEXED BY {index} WHERE {account} \
         AND published_at >= ?2 AND visibility != 'private' ORDER BY {order}, id DESC LIMIT ?3"
    )
}

/// A period holding at most this many rows is read by publish time and sorted; a longer one
/// walks the sort's index (50 rows of a period holding 4% of them are found after ~1,250 index
/// entries; sorting the 4,000 rows took 2.7 ms).
pub const RECENT_ROWS: i64 = 1000;

/// The rows of one account (`?1`) published at or after `?2`, counted from its publish-time
/// index alone. (One statement for both scopes, `?1 IS NULL OR account_id = ?1`, cannot use
/// the account's index: it counted every account's rows, 9 ms.)
pub const PERIOD_ROWS_SQL: &str = "SELECT COUNT(*) FROM post_performance \
     WHERE account_id = ?1 AND published_at >= ?2";

/// The same over all accounts (`?1`: the period's start).
pub const PERIOD_ROWS_ALL_SQL: &str =
    "SELECT COUNT(*) FROM post_performance WHERE published_at >= ?1";

pub async fn top(
    pool: &SqlitePool,
    account_id: Option<i64>,
    since: i64,
    sort: TopSort,
    limit: i64,
) -> CoreResult<Vec<PerformanceRow>> {
    top_choosing(pool, account_id, since, sort, limit, RECENT_ROWS).await
}

/// [`top`], reading a period of at most `recent_rows` rows by publish time (tests try both
/// ways on the same data).
pub async fn top_choosing(
    pool: &SqlitePool,
    account_id: Option<i64>,
    since: i64,
    sort: TopSort,
    limit: i64,
    recent_rows: i64,
) -> CoreResult<Vec<PerformanceRow>> {
    let recent_only = since > 0 && {
        let n: i64 = match account_id {
            Some(id) => sqlx::query_scalar(PERIOD_ROWS_SQL).bind(id).bind(since),
            None => sqlx::query_scalar(PERIOD_ROWS_ALL_SQL).bind(since),
        }
        .fetch_one(pool)
        .await?;
        n <= recent_rows
    };
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(top_sql(
        sort,
        account_id.is_some(),
        recent_only,
    )))
    .bind(account_id)
    .bind(since)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The heatmap's input: each video's publish time and 24-hour views, for one account, as one
/// JSON array of `[published_at, views]` (a thousand rows handed over one by one cost 8× the
/// query).
pub const DAY_VIEWS_SQL: &str = "SELECT json_group_array(json_array(published_at, views)) \
     FROM performance_samples WHERE account_id = ?1 AND age_bucket = ?2";

pub async fn day_views(
    pool: &SqlitePool,
    account_id: i64,
    bucket: u32,
) -> CoreResult<Vec<(i64, i64)>> {
    let json: String = sqlx::query_scalar(DAY_VIEWS_SQL)
        .bind(account_id)
        .bind(bucket)
        .fetch_one(pool)
        .await?;
    serde_json::from_str(&json)
        .map_err(|e| crate::error::CoreError::Internal(format!("heatmap views: {e}")))
}

/// (account, @username, taken_at, followers, following, likes, videos).
pub type SnapshotLine = (
    i64,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every snapshot, for the CSV: (account, @username, taken_at, counts…), by account and time.
pub async fn all_snapshots(
    pool: &SqlitePool,
    account_id: Option<i64>,
) -> CoreResult<Vec<SnapshotLine>> {
    Ok(sqlx::query_as(
        "SELECT s.account_id, a.username, s.taken_at, s.follower_count, s.following_count,
                s.likes_count, s.video_count
           FROM account_snapshots s JOIN accounts a ON a.id = s.account_id
          WHERE ?1 IS NULL OR s.account_id = ?1
          ORDER BY s.account_id, s.taken_at",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// One line of the samples CSV.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SampleLine {
    pub account_id: i64,
    pub username: String,
    pub post_id: Option<i64>,
    pub video_id: Option<String>,
    pub caption: String,
    pub published_at: i64,
    pub age_bucket: i64,
    pub sampled_at: i64,
    pub views: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
}

pub async fn all_samples(
    pool: &SqlitePool,
    account_id: Option<i64>,
) -> CoreResult<Vec<SampleLine>> {
    Ok(sqlx::query_as(
        "SELECT p.account_id, a.username, p.post_id, p.video_id, p.caption, p.published_at,
                s.age_bucket, s.sampled_at, s.views, s.likes, s.comments, s.shares
           FROM performance_samples s
           JOIN post_performance p ON p.id = s.performance_id
           JOIN accounts a ON a.id = p.account_id
          WHERE ?1 IS NULL OR p.account_id = ?1
          ORDER BY p.account_id, p.published_at, p.id, s.age_bucket",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}
