//! SQL of the `posts` table.
//! A change another actor may race (the scheduler, the publisher) is a compare-and-set on the
//! status read before: these functions return the rows changed and the caller says "changed
//! meanwhile" when it is 0.

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};

use crate::error::{CoreError, CoreResult};
use crate::media::{Fingerprint, VideoFacts};
use crate::posts::content::Content;

pub mod bulk;
pub mod drafts;
pub mod planning;

/// Statuses of a post not yet taken by the publisher (pausing an account holds these).
pub const PENDING: &str = "'draft', 'scheduled', 'needs_attention', 'queued'";

/// A `posts` row (its methods are in `posts::row`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: i64,
    pub account_id: i64,
    pub status: String,
    pub mode: String,
    pub caption: String,
    pub privacy_level: Option<String>,
    pub allow_comment: bool,
    pub allow_duet: bool,
    pub allow_stitch: bool,
    pub commercial: bool,
    pub your_brand: bool,
    pub branded_content: bool,
    pub is_aigc: bool,
    pub cover_timestamp_ms: Option<i64>,
    pub media_path: String,
    pub media_size: i64,
    pub media_mtime_ms: i64,
    pub media_head_sha256: String,
    pub media_tail_sha256: String,
    pub media_facts: String,
    pub thumbnail_path: Option<String>,
    pub scheduled_at: Option<i64>,
    pub schedule_zone: Option<String>,
    pub schedule_local: Option<String>,
    pub publish_now: bool,
    pub consent_at: Option<i64>,
    pub max_duration_sec: Option<i64>,
    pub attention_reason: Option<String>,
    pub paused_reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

pub const COLUMNS: &str = "id, account_id, status, mode, caption, privacy_level, allow_comment, \
    allow_duet, allow_stitch, commercial, your_brand, branded_content, is_aigc, \
    cover_timestamp_ms, media_path, media_size, media_mtime_ms, media_head_sha256, \
    media_tail_sha256, media_facts, thumbnail_path, scheduled_at, schedule_zone, schedule_local, \
    publish_now, consent_at, max_duration_sec, attention_reason, paused_reason, created_at, \
    updated_at";

pub async fn load(pool: &SqlitePool, id: i64) -> CoreResult<PostRow> {
    sqlx::query_as::<_, PostRow>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        CoreError::NotFound(format!(
            "Post {id} does not exist (it may have been deleted)."
        ))
    })
}

/// Fails unless the account exists and was not removed (reads `accounts`).
pub async fn live_account(pool: &SqlitePool, account_id: i64) -> CoreResult<()> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT removed_at FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    match row {
        None => Err(CoreError::NotFound(format!(
            "Account {account_id} does not exist."
        ))),
        Some((Some(_),)) => Err(CoreError::InvalidInput(
            "This account was removed from Tokdeck. Reconnect it to post to it.".to_owned(),
        )),
        Some((None,)) => Ok(()),
    }
}

/// A new draft; returns its id.
pub async fn insert<'e, E: sqlx::SqliteExecutor<'e>>(
    ex: E,
    account_id: i64,
    c: &Content,
    media_path: &str,
    fp: &Fingerprint,
    facts: &VideoFacts,
    now: i64,
) -> CoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (account_id, status, mode, caption, privacy_level, allow_comment,
            allow_duet, allow_stitch, commercial, your_brand, branded_content, is_aigc,
            cover_timestamp_ms, media_path, media_size, media_mtime_ms, media_head_sha256,
            media_tail_sha256, media_facts, created_at, updated_at)
         VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(account_id)
    .bind(c.mode.as_str())
    .bind(&c.caption)
    .bind(&c.privacy_level)
    .bind(c.allow_comment)
    .bind(c.allow_duet)
    .bind(c.allow_stitch)
    .bind(c.commercial.enabled)
    .bind(c.commercial.your_brand)
    .bind(c.commercial.branded_content)
    .bind(c.is_aigc)
    .bind(c.cover_timestamp_ms.map(i64::from))
    .bind(media_path)
    .bind(fp.size as i64)
    .bind(fp.mtime_ms)
    .bind(&fp.head_sha256)
    .bind(&fp.tail_sha256)
    .bind(serde_json::to_string(facts).expect("facts serialise"))
    .bind(now)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(id)
}

/// Saves edited compose fields if the post is still `expected` (a scheduled post's consent is
/// renewed: the creator saw the posting screen again).
pub async fn update_content(
    pool: &SqlitePool,
    id: i64,
    expected: &str,
    content: &Content,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET caption = ?, privacy_level = ?, allow_comment = ?, allow_duet = ?,
            allow_stitch = ?, commercial = ?, your_brand = ?, branded_content = ?, is_aigc = ?,
            cover_timestamp_ms = ?, mode = ?, updated_at = ?,
            consent_at = CASE WHEN status = 'scheduled' THEN ? ELSE consent_at END
         WHERE id = ? AND status = ?",
    )
    .bind(&content.caption)
    .bind(&content.privacy_level)
    .bind(content.allow_comment)
    .bind(content.allow_duet)
    .bind(content.allow_stitch)
    .bind(content.commercial.enabled)
    .bind(content.commercial.your_brand)
    .bind(content.commercial.branded_content)
    .bind(content.is_aigc)
    .bind(content.cover_timestamp_ms.map(i64::from))
    .bind(content.mode.as_str())
    .bind(now)
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(pool)
    .await?
    .rows_affected())
}

/// When a post goes out: the instant, the zone and wall-clock text it was chosen in, and
/// whether it was "publish now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub at: i64,
    pub zone: String,
    pub local: String,
    pub publish_now: bool,
}

/// Schedules the post if it is still `expected`, with consent recorded at `now` and the
/// duration limit it was checked against.
pub async fn schedule(
    pool: &SqlitePool,
    id: i64,
    expected: &str,
    slot: &Slot,
    max_duration_sec: Option<i64>,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET status = 'scheduled', scheduled_at = ?, schedule_zone = ?,
            schedule_local = ?, publish_now = ?, consent_at = ?, max_duration_sec = ?,
            attention_reason = NULL, updated_at = ?
         WHERE id = ? AND status = ?",
    )
    .bind(slot.at)
    .bind(&slot.zone)
    .bind(&slot.local)
    .bind(slot.publish_now)
    .bind(now)
    .bind(max_duration_sec)
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(pool)
    .await?
    .rows_affected())
}

/// Moves the post to another slot (and `status`) if it is still `expected`.
pub async fn reschedule(
    pool: &SqlitePool,
    id: i64,
    expected: &str,
    status: &str,
    slot: &Slot,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET status = ?, scheduled_at = ?, schedule_zone = ?, schedule_local = ?,
            publish_now = ?, updated_at = ? WHERE id = ? AND status = ?",
    )
    .bind(status)
    .bind(slot.at)
    .bind(&slot.zone)
    .bind(&slot.local)
    .bind(slot.publish_now)
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(pool)
    .await?
    .rows_affected())
}

/// Copies `source` to each target account (with the duration limit it was checked against),
/// all in one transaction; a scheduled source gives scheduled copies at the same instant with
/// consent at `now`. Returns (account, new post) pairs in target order.
pub async fn insert_copies(
    pool: &SqlitePool,
    source: &PostRow,
    content: &Content,
    facts: &VideoFacts,
    targets: &[(i64, Option<u32>)],
    scheduled: bool,
    now: i64,
) -> CoreResult<Vec<(i64, i64)>> {
    let row = source;
    let mut ids = Vec::new();
    let mut tx = crate::db::begin_write(pool).await?;
    for (account_id, max_duration_sec) in targets {
        let new_id = insert(
            &mut *tx,
            *account_id,
            content,
            &row.media_path,
            &row.fingerprint(),
            facts,
            now,
        )
        .await?;
        if scheduled {
            sqlx::query(
                "UPDATE posts SET status = 'scheduled', scheduled_at = ?, schedule_zone = ?,
                    schedule_local = ?, publish_now = ?, consent_at = ?, max_duration_sec = ?
                 WHERE id = ?",
            )
            .bind(row.scheduled_at)
            .bind(&row.schedule_zone)
            .bind(&row.schedule_local)
            .bind(row.publish_now)
            .bind(now)
            .bind(max_duration_sec.map(i64::from))
            .bind(new_id)
            .execute(&mut *tx)
            .await?;
        }
        ids.push((*account_id, new_id));
    }
    tx.commit().await?;
    Ok(ids)
}

/// Pauses every pending post of an account with `reason`; returns how many.
pub async fn pause_of_account(
    pool: &SqlitePool,
    account_id: i64,
    reason: &str,
    now: i64,
) -> CoreResult<u64> {
    Ok(sqlx::query(AssertSqlSafe(format!(
        "UPDATE posts SET paused_reason = ?, updated_at = ?
             WHERE account_id = ? AND status IN ({PENDING})"
    )))
    .bind(reason)
    .bind(now)
    .bind(account_id)
    .execute(pool)
    .await?
    .rows_affected())
}

/// Lifts the pause of every post of an account; returns how many.
pub async fn resume_of_account(pool: &SqlitePool, account_id: i64, now: i64) -> CoreResult<u64> {
    Ok(sqlx::query(
        "UPDATE posts SET paused_reason = NULL, updated_at = ?
             WHERE account_id = ? AND paused_reason IS NOT NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(pool)
    .await?
    .rows_affected())
}

/// The post needs the creator: its file moved or changed (`reason` says how). Answers false
/// when it already said so (nothing written): a check at every start of a file that is still
/// missing must not log or announce the same post again.
pub async fn mark_needs_attention(
    pool: &SqlitePool,
    id: i64,
    reason: &str,
    now: i64,
) -> CoreResult<bool> {
    Ok(sqlx::query(
        "UPDATE posts SET status = 'needs_attention', attention_reason = ?1, updated_at = ?2
                     WHERE id = ?3
                       AND NOT (status = 'needs_attention' AND attention_reason IS ?1)",
    )
    .bind(reason)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

/// Every pending post, by id.
pub async fn pending_ids(pool: &SqlitePool) -> CoreResult<Vec<i64>> {
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT id FROM posts WHERE status IN ({PENDING}) ORDER BY id"
    )))
    .fetch_all(pool)
    .await?)
}

/// Whether the post's last publish may have reached TikTok (`None`: it has no job). Reads
/// `publish_jobs`.
pub async fn outcome_unknown(pool: &SqlitePool, id: i64) -> CoreResult<Option<bool>> {
    Ok(
        sqlx::query_scalar("SELECT outcome_unknown FROM publish_jobs WHERE post_id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// A post's file at its new place.
#[derive(Debug, Clone, Copy)]
pub struct Relink<'a> {
    pub path: &'a str,
    pub fingerprint: &'a Fingerprint,
    pub facts: &'a VideoFacts,
    /// The status the post goes back to.
    pub status: &'a str,
    /// Keep the attention reason (the post stays in "needs attention").
    pub keep_reason: bool,
}

/// Points the post at its file's new place if it is still `expected`.
pub async fn relink(
    pool: &SqlitePool,
    id: i64,
    expected: &str,
    to: Relink<'_>,
    now: i64,
) -> CoreResult<u64> {
    let fp = to.fingerprint;
    Ok(sqlx::query(
        "UPDATE posts SET media_path = ?, media_size = ?, media_mtime_ms = ?,
            media_head_sha256 = ?, media_tail_sha256 = ?, media_facts = ?, status = ?,
            attention_reason = CASE WHEN ? THEN attention_reason END, updated_at = ?
         WHERE id = ? AND status = ?",
    )
    .bind(to.path)
    .bind(fp.size as i64)
    .bind(fp.mtime_ms)
    .bind(&fp.head_sha256)
    .bind(&fp.tail_sha256)
    .bind(serde_json::to_string(to.facts).expect("facts serialise"))
    .bind(to.status)
    .bind(to.keep_reason)
    .bind(now)
    .bind(id)
    .bind(expected)
    .execute(pool)
    .await?
    .rows_affected())
}

/// Statuses that count against the posting caps.
pub const CAP_STATUSES: &str = "'scheduled', 'queued', 'publishing', 'published'";

/// The scheduled instants of an account's posts in `mode` strictly between `after` and
/// `before` that count against the caps, `exclude` aside, in time order.
pub async fn cap_times(
    pool: &SqlitePool,
    account_id: i64,
    mode: &str,
    after: i64,
    before: i64,
    exclude: Option<i64>,
) -> CoreResult<Vec<i64>> {
    let statuses = CAP_STATUSES;
    Ok(sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT scheduled_at FROM posts
         WHERE account_id = ? AND scheduled_at > ? AND scheduled_at < ? AND mode = ?
           AND status IN ({statuses}) AND id != ?
         ORDER BY scheduled_at"
    )))
    .bind(account_id)
    .bind(after)
    .bind(before)
    .bind(mode)
    .bind(exclude.unwrap_or(-1))
    .fetch_all(pool)
    .await?)
}

/// What a thumbnail is made from: (video path, size, head hash, tail hash, cover ms, current
/// thumbnail).
pub type ThumbnailSource = (String, i64, String, String, Option<i64>, Option<String>);

pub async fn thumbnail_source(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<ThumbnailSource>> {
    sqlx::query_as(
        "SELECT media_path, media_size, media_head_sha256, media_tail_sha256,
                cover_timestamp_ms, thumbnail_path FROM posts WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}

pub async fn set_thumbnail(pool: &SqlitePool, id: i64, path: Option<&str>) -> sqlx::Result<()> {
    sqlx::query("UPDATE posts SET thumbnail_path = ? WHERE id = ?")
        .bind(path)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// How many posts use this thumbnail file.
pub async fn thumbnail_users(pool: &SqlitePool, path: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE thumbnail_path = ?")
        .bind(path)
        .fetch_one(pool)
        .await
}

/// The file and probe facts of a post, for the preview server: (media path, facts JSON).
/// A deleted post (in Trash after Delete) has none: its file is no longer served for previews.
pub async fn media_of(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as("SELECT media_path, media_facts FROM posts WHERE id = ? AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// A post's thumbnail file, if it has one (`None` also when there is no such post).
pub async fn thumbnail_of(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<String>> {
    let path: Option<Option<String>> =
        sqlx::query_scalar("SELECT thumbnail_path FROM posts WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(path.flatten())
}

pub mod trash;

#[cfg(test)]
pub(crate) mod tests;
