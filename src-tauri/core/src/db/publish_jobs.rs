//! SQL of the publisher's aggregate: a post's `publish_jobs` row, its `publish_attempts`
//! history and the post's status, which change together.
//!
//! The durability rule lives here: a state change ([`write_state`], [`claim_or_park`]) is one
//! transaction holding the job's row, the post's status and the history line, and it is
//! compare-and-set on the prior state and status, so a run, a cancel, an edit and a creator's
//! action racing each other cannot both win. Statuses come in as text so this module needs no
//! post types.

use sqlx::SqlitePool;

use crate::error::CoreResult;
use crate::publisher::state::{PublishAttempt, PublishJob};

const JOB_COLUMNS: &str = "post_id, account_id, state, publish_id, upload_url_expires_at, \
    video_size, chunk_size, total_chunks, confirmed_bytes, attempts, next_retry_at, retryable, \
    outcome_unknown, error_code, error_message, log_id, tiktok_status, public_post_ids, \
    created_at, updated_at, processing_deadline_at, public_id_next_at, public_id_until";

pub async fn load_job(pool: &SqlitePool, post_id: i64) -> CoreResult<Option<PublishJob>> {
    Ok(sqlx::query_as::<_, PublishJob>(sqlx::AssertSqlSafe(format!(
        "SELECT {JOB_COLUMNS} FROM publish_jobs WHERE post_id = ?"
    )))
    .bind(post_id)
    .fetch_optional(pool)
    .await?)
}

/// The post's publish history, oldest first.
pub async fn history(pool: &SqlitePool, post_id: i64) -> CoreResult<Vec<PublishAttempt>> {
    Ok(sqlx::query_as::<_, PublishAttempt>(
        "SELECT at, state, log_id, error FROM publish_attempts WHERE post_id = ? ORDER BY id",
    )
    .bind(post_id)
    .fetch_all(pool)
    .await?)
}

/// Whether the post's last publish may have reached TikTok (`None`: it never had a job).
pub async fn outcome_unknown(pool: &SqlitePool, post_id: i64) -> CoreResult<Option<bool>> {
    Ok(
        sqlx::query_scalar("SELECT outcome_unknown FROM publish_jobs WHERE post_id = ?")
            .bind(post_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Appends a line to the post's history. The schema trims the history to the post's last
/// [`crate::publisher::state::HISTORY_LINES_PER_POST`] lines (trigger `publish_attempts_trim`),
/// so a state change costs one statement less on the publisher's path.
async fn append_history(
    tx: &mut sqlx::SqliteConnection,
    post_id: i64,
    at: i64,
    state: &str,
    log_id: Option<&str>,
    error: Option<&str>,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO publish_attempts (post_id, at, state, log_id, error) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(post_id)
    .bind(at)
    .bind(state)
    .bind(log_id)
    .bind(error)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// What [`claim_or_park`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    Claimed,
    /// Its last publish has an unknown outcome: it needs attention with the reason given.
    Parked,
    /// No longer scheduled, or paused: nothing written.
    Skipped,
}

/// Takes a due scheduled post into the publisher in one write transaction (one turn of the
/// write lock, one fsync, on the scheduler's path): the post `queued`, its job row reset (or
/// created) in `queued`, the history line. A post whose last publish has an unknown outcome is
/// never claimed: it goes to needs attention with `reason` instead, since publishing it again
/// could post it twice. Nothing is written when the post is no longer scheduled, or is paused.
///
/// Three statements, each writing first: a transaction that read before writing could not wait
/// for a publish's concurrent write (SQLite answers BUSY at once). They are few because every
/// one is a round trip to the connection's thread, which is what a claim costs on a busy
/// machine.
pub async fn claim_or_park(
    pool: &SqlitePool,
    post_id: i64,
    reason: &str,
    now: i64,
) -> CoreResult<Claim> {
    let mut tx = crate::db::begin_write(pool).await?;
    let claim = claim_in(&mut tx, post_id, reason, now).await?;
    tx.commit().await?;
    Ok(claim)
}

/// [`claim_or_park`]'s statements, in a transaction the caller holds (it writes nothing when
/// the post is skipped, so the transaction may go on).
async fn claim_in(
    tx: &mut sqlx::SqliteConnection,
    post_id: i64,
    reason: &str,
    now: i64,
) -> CoreResult<Claim> {
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE posts SET
                status = CASE WHEN u.unknown THEN 'needs_attention' ELSE 'queued' END,
                attention_reason = CASE WHEN u.unknown THEN ? ELSE attention_reason END,
                updated_at = ?
             FROM (SELECT EXISTS (SELECT 1 FROM publish_jobs
                                  WHERE post_id = ? AND outcome_unknown = 1) AS unknown) AS u
             WHERE id = ? AND status = 'scheduled' AND (paused_reason IS NULL OR u.unknown)
             RETURNING status",
    )
    .bind(reason)
    .bind(now)
    .bind(post_id)
    .bind(post_id)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(match status.as_deref() {
        None => Claim::Skipped,
        Some("needs_attention") => Claim::Parked,
        Some(_) => {
            // The job row: reset when a publish of this post came before (it keeps the
            // publish TikTok knows of, so the run asks TikTok about it before any new init),
            // else created. Its outcome is known here: the post was not parked.
            sqlx::query(
                "INSERT INTO publish_jobs (post_id, account_id, state, created_at, updated_at)
                     SELECT id, account_id, 'queued', ?, ? FROM posts WHERE id = ?
                 ON CONFLICT (post_id) DO UPDATE SET state = 'queued',
                     account_id = excluded.account_id, attempts = 0, next_retry_at = NULL,
                     retryable = 0, error_code = NULL, error_message = NULL,
                     processing_deadline_at = NULL, public_id_next_at = NULL,
                     public_id_until = NULL, updated_at = excluded.updated_at",
            )
            .bind(now)
            .bind(now)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
            append_history(tx, post_id, now, "queued", None, None).await?;
            Claim::Claimed
        }
    })
}

/// One state change as [`write_state`] persists it.
#[derive(Debug)]
pub struct StateWrite<'a> {
    /// The job's row with the change applied (its `state` the new one).
    pub job: &'a PublishJob,
    /// The state the row must still be in.
    pub prior_state: &'a str,
    /// The status the post must still be in.
    pub prior_status: &'a str,
    /// The post's new status.
    pub status: &'a str,
    /// Replaces the post's attention reason when set.
    pub attention: Option<&'a str>,
    /// The history line's TikTok log id and error text.
    pub log_id: Option<&'a str>,
    pub error: Option<&'a str>,
    pub now: i64,
}

/// Writes the job's row, the post's status and the history line in ONE transaction,
/// compare-and-set on the prior state and status. Answers false, writing nothing, when another
/// actor moved the job or the post meanwhile.
pub async fn write_state(pool: &SqlitePool, w: StateWrite<'_>) -> CoreResult<bool> {
    Ok(write_state_and_claim(pool, w, None).await?.is_some())
}

/// [`write_state`], and when the state is written, in the same transaction, the claim of the
/// due post a run that ends hands its upload slot to ([`claim_or_park`]'s statements, with
/// `reason` for a post it parks): one turn of the write gate, one commit, for the end of one
/// publish and the start of the next. `None` when the state was not written (nothing was, the
/// claim neither); else what the claim did, if one was asked.
pub async fn write_state_and_claim(
    pool: &SqlitePool,
    w: StateWrite<'_>,
    next: Option<(i64, &str)>,
) -> CoreResult<Option<Option<Claim>>> {
    let mut tx = crate::db::begin_write(pool).await?;
    if !state_in(&mut tx, &w).await? {
        return Ok(None);
    }
    let claim = match next {
        Some((post_id, reason)) => Some(claim_in(&mut tx, post_id, reason, w.now).await?),
        None => None,
    };
    tx.commit().await?;
    Ok(Some(claim))
}

/// [`write_state`]'s statements, in a transaction the caller holds; false when the
/// compare-and-set failed (the caller drops the transaction: nothing is kept).
async fn state_in(tx: &mut sqlx::SqliteConnection, w: &StateWrite<'_>) -> CoreResult<bool> {
    let job = w.job;
    let now = w.now;
    let n = sqlx::query(
        "UPDATE publish_jobs SET state = ?, publish_id = ?, upload_url_expires_at = ?,
                video_size = ?, chunk_size = ?, total_chunks = ?, confirmed_bytes = ?, attempts = ?,
                next_retry_at = ?, retryable = ?, outcome_unknown = ?, error_code = ?,
                error_message = ?, log_id = ?, tiktok_status = ?, public_post_ids = ?,
                processing_deadline_at = ?, public_id_next_at = ?, public_id_until = ?,
                updated_at = ?
             WHERE post_id = ? AND state = ?",
    )
    .bind(&job.state)
    .bind(&job.publish_id)
    .bind(job.upload_url_expires_at)
    .bind(job.video_size)
    .bind(job.chunk_size)
    .bind(job.total_chunks)
    .bind(job.confirmed_bytes)
    .bind(job.attempts)
    .bind(job.next_retry_at)
    .bind(job.retryable)
    .bind(job.outcome_unknown)
    .bind(&job.error_code)
    .bind(&job.error_message)
    .bind(&job.log_id)
    .bind(&job.tiktok_status)
    .bind(&job.public_post_ids)
    .bind(job.processing_deadline_at)
    .bind(job.public_id_next_at)
    .bind(job.public_id_until)
    .bind(now)
    .bind(job.post_id)
    .bind(w.prior_state)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let m = if n == 1 {
        sqlx::query(
            "UPDATE posts SET status = ?, attention_reason = COALESCE(?, attention_reason),
                    updated_at = ? WHERE id = ? AND status = ?",
        )
        .bind(w.status)
        .bind(w.attention)
        .bind(now)
        .bind(job.post_id)
        .bind(w.prior_status)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        0
    };
    if n != 1 || m != 1 {
        return Ok(false);
    }
    append_history(tx, job.post_id, now, &job.state, w.log_id, w.error).await?;
    Ok(true)
}

/// Clears the attention reason of a post back in the queue.
pub async fn clear_queued_attention(pool: &SqlitePool, post_id: i64) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query("UPDATE posts SET attention_reason = NULL WHERE id = ? AND status = 'queued'")
        .bind(post_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes a job that never sent anything (its post was cancelled or taken back).
pub async fn delete_void_job(pool: &SqlitePool, post_id: i64) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query("DELETE FROM publish_jobs WHERE post_id = ? AND state = 'queued'")
        .bind(post_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// History lines of the post carrying `error` (how often it waited for the keychain).
pub async fn count_history_errors(pool: &SqlitePool, post_id: i64, error: &str) -> CoreResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM publish_attempts WHERE post_id = ? AND error = ?",
    )
    .bind(post_id)
    .bind(error)
    .fetch_one(pool)
    .await?)
}

/// Upload progress as TikTok confirmed it (not a state change: no history line).
pub async fn save_progress(
    pool: &SqlitePool,
    post_id: i64,
    confirmed_bytes: i64,
    now: i64,
) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query("UPDATE publish_jobs SET confirmed_bytes = ?, updated_at = ? WHERE post_id = ?")
        .bind(confirmed_bytes)
        .bind(now)
        .bind(post_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The bytes TikTok confirmed so far (`None`: the job is gone).
pub async fn confirmed_bytes(pool: &SqlitePool, post_id: i64) -> CoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT confirmed_bytes FROM publish_jobs WHERE post_id = ?")
            .bind(post_id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Gives a processing job without one its deadline.
pub async fn set_processing_deadline(
    pool: &SqlitePool,
    post_id: i64,
    deadline: i64,
) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query(
        "UPDATE publish_jobs SET processing_deadline_at = ?
                     WHERE post_id = ? AND state = 'processing'",
    )
    .bind(deadline)
    .bind(post_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A run that stopped on an error is looked at again at `at` (unless it reached an end).
pub async fn retry_unfinished_at(pool: &SqlitePool, post_id: i64, at: i64) -> CoreResult<()> {
    let mut conn = crate::db::write_conn(pool).await?;
    sqlx::query(
        "UPDATE publish_jobs SET next_retry_at = ? WHERE post_id = ?
                       AND state NOT IN ('published', 'failed', 'needs_attention')",
    )
    .bind(at)
    .bind(post_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A published post still waiting for its public id: (post, account, when asked next, asked
/// until (0 if never set), publish id ('' if none)).
pub type PublicIdFollowup = (i64, i64, i64, i64, String);

/// The public-id follow-ups due at `now`, earliest first (at most 20).
pub async fn due_public_id_followups(
    pool: &SqlitePool,
    now: i64,
) -> CoreResult<Vec<PublicIdFollowup>> {
    Ok(sqlx::query_as(
        "SELECT post_id, account_id, public_id_next_at, COALESCE(public_id_until, 0),
                    COALESCE(publish_id, '')
             FROM publish_jobs INDEXED BY publish_jobs_public_id
             WHERE public_id_next_at IS NOT NULL AND public_id_next_at <= ?
             ORDER BY public_id_next_at LIMIT 20",
    )
    .bind(now)
    .fetch_all(pool)
    .await?)
}

/// Stops asking for the public id (compare-and-set on the follow-up read).
pub async fn stop_public_id_followup(
    pool: &SqlitePool,
    post_id: i64,
    next_at: i64,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE publish_jobs SET public_id_next_at = NULL WHERE post_id = ? AND public_id_next_at = ?",
    )
    .bind(post_id)
    .bind(next_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes a due follow-up for this pass by moving it to `next` (compare-and-set: a concurrent
/// pass skips it). Answers whether this pass got it.
pub async fn take_public_id_followup(
    pool: &SqlitePool,
    post_id: i64,
    next_at: i64,
    next: i64,
) -> CoreResult<bool> {
    let n = sqlx::query(
        "UPDATE publish_jobs SET public_id_next_at = ?
                 WHERE post_id = ? AND public_id_next_at = ? AND state = 'published'",
    )
    .bind(next)
    .bind(post_id)
    .bind(next_at)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n > 0)
}

/// Stores the public ids (a JSON array) of a published post and stops asking. Answers whether
/// the post was still published.
pub async fn store_public_ids(
    pool: &SqlitePool,
    post_id: i64,
    ids_json: &str,
    now: i64,
) -> CoreResult<bool> {
    let res = sqlx::query(
        "UPDATE publish_jobs SET public_post_ids = ?, public_id_next_at = NULL,
                                updated_at = ? WHERE post_id = ? AND state = 'published'",
    )
    .bind(ids_json)
    .bind(now)
    .bind(post_id)
    .execute(pool)
    .await?;
    Ok(res.rows_affected() > 0)
}

/// When the next public-id follow-up is due.
pub async fn next_public_id_at(pool: &SqlitePool) -> CoreResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT MIN(public_id_next_at) FROM publish_jobs INDEXED BY publish_jobs_public_id
             WHERE public_id_next_at IS NOT NULL",
    )
    .fetch_one(pool)
    .await?)
}

#[cfg(test)]
#[path = "publish_jobs_tests.rs"]
pub(crate) mod tests;

/// Each account's last publish that ended: (account, post, state, when, error message).
pub type LastEnded = (i64, i64, String, i64, Option<String>);

pub async fn last_ended_per_account(pool: &SqlitePool) -> CoreResult<Vec<LastEnded>> {
    Ok(sqlx::query_as(
        "SELECT account_id, post_id, state, updated_at, error_message FROM (
             SELECT account_id, post_id, state, updated_at, error_message,
                 row_number() OVER (PARTITION BY account_id ORDER BY updated_at DESC, post_id DESC) AS n
             FROM publish_jobs WHERE state IN ('published', 'failed', 'needs_attention'))
         WHERE n = 1",
    )
    .fetch_all(pool)
    .await?)
}
