//! The publisher: a persisted state machine per post.
//!
//! `queued → checking → initializing → uploading → processing → published`, ending instead in
//! `failed` (TikTok's reason, a plain message, retryable or not) or `needs_attention` (outcome
//! unknown, reconnect needed, file missing or changed). Every state is written to
//! `publish_jobs` — with the post's status, in one transaction — *before* the next network
//! step, and appended to `publish_attempts`. After a crash the job resumes from its row:
//!
//! - `queued`/`checking`: nothing was sent that creates anything; start again.
//! - `initializing`: the intent was recorded but no publish id came back: the outcome is
//!   unknown, so the post needs attention ("check TikTok before retrying"); never a blind init.
//! - `uploading`: with a still-valid upload URL (kept in the keychain), resume from the offset
//!   TikTok confirmed; an expired URL needs attention (a new init could post twice).
//! - `processing`: keep polling the status, until a deadline (then needs attention, outcome
//!   unknown: the creator presses Check again, marks it as posted or dismisses it).
//!
//! Exactly once: every state change is compare-and-set on the job's and the post's prior state
//! (cancel, delete, edits, user actions and the run race each other; the loser is refused or
//! stops); a publish TikTok already knows of (its id is kept before anything else) is asked
//! about with a status fetch before any new init; an unknown outcome survives relink, claim
//! and retry until the creator or TikTok settles it. A locked keychain makes a post wait
//! (needs attention, tried again by itself), never fail.
//!
//! Retries (exponential backoff with jitter, capped) happen only where safe: before the init
//! (creator_info, a refused init), chunk re-sends (inside the client), status polling, and a
//! publish TikTok reports `FAILED` with `internal`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use tiktok_api::{ErrorClass, PostInfo, PrivacyLevel, PublishId, PublishState, UploadUrl};
use ts_rs::TS;

use crate::audit::Outcome;
use crate::db::audit;
use crate::engine::Engine;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};
use crate::media::{self, Fingerprint};
use crate::posts::{PostDto, PostMode, PostStatus};
use crate::secrets::Secret;

/// How long an upload URL is trusted after its init (TikTok: one hour), with a safety margin.
pub const UPLOAD_URL_TTL_MS: i64 = 55 * 60 * 1000;
/// Attempts of a retryable step before the post fails (retryable by hand).
pub const MAX_ATTEMPTS: i64 = 5;
/// First retry delay; doubles per attempt, with ±20 % jitter.
pub const RETRY_BASE_MS: i64 = 1000;
/// Longest retry delay.
pub const RETRY_CAP_MS: i64 = 5 * 60 * 1000;

/// How long TikTok may say PROCESSING before the post needs the creator (TikTok documents a
/// few minutes for 4 GB; the rest is margin).
pub const PROCESSING_DEADLINE_MS: i64 = 30 * 60 * 1000;
/// First wait before asking TikTok again for a public post's id (moderation, usually < 1 min);
/// the wait doubles up to [`PUBLIC_ID_MAX_INTERVAL_MS`], for [`PUBLIC_ID_WINDOW_MS`] at most.
pub const PUBLIC_ID_FIRST_MS: i64 = 60 * 1000;
pub const PUBLIC_ID_MAX_INTERVAL_MS: i64 = 60 * 60 * 1000;
pub const PUBLIC_ID_WINDOW_MS: i64 = 24 * 60 * 60 * 1000;
/// History lines kept per post (older ones are trimmed in the transaction that adds one).
pub const HISTORY_LINES_PER_POST: i64 = 200;
/// Longest wait between two tries of a post waiting for the keychain.
pub const KEYCHAIN_RETRY_CAP_MS: i64 = 10 * 60 * 1000;

/// The error code of a post waiting for the keychain (retried by itself).
pub const KEYCHAIN_WAIT_CODE: &str = "keychain_locked";
pub const KEYCHAIN_WAIT_MESSAGE: &str = "Unlock your keychain: the system keychain is locked or not answering, so Tokdeck cannot read this account's sign-in (or the upload link). Tokdeck tries again by itself every few minutes, or press Retry once it is unlocked.";
/// A run of the publisher found its post taken from it (cancelled, deleted, edited, or moved
/// on by another actor) and stopped.
const TAKEN: &str = "This post changed meanwhile (cancelled, edited or moved on by the publisher). Look at it again.";

pub const EXPIRED_URL_MESSAGE: &str =
    "The upload link expired before the video was fully sent. Check TikTok before retrying: open the account's profile (or inbox) and see whether the post is there.";
pub const UNKNOWN_OUTCOME_MESSAGE: &str =
    "Outcome unknown — TikTok may or may not have received this post. Check TikTok before retrying, then mark it as posted or dismiss it.";

/// The publisher's states (`publish_jobs.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PublishStep {
    Queued,
    Checking,
    Initializing,
    Uploading,
    Processing,
    Published,
    Failed,
    NeedsAttention,
}

impl PublishStep {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Checking => "checking",
            Self::Initializing => "initializing",
            Self::Uploading => "uploading",
            Self::Processing => "processing",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::NeedsAttention => "needs_attention",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "checking" => Self::Checking,
            "initializing" => Self::Initializing,
            "uploading" => Self::Uploading,
            "processing" => Self::Processing,
            "published" => Self::Published,
            "failed" => Self::Failed,
            "needs_attention" => Self::NeedsAttention,
            _ => Self::Queued,
        }
    }
    pub fn is_final(self) -> bool {
        matches!(self, Self::Published | Self::Failed | Self::NeedsAttention)
    }
    /// The post status that goes with this state.
    pub fn post_status(self) -> PostStatus {
        match self {
            Self::Queued => PostStatus::Queued,
            Self::Checking | Self::Initializing | Self::Uploading | Self::Processing => {
                PostStatus::Publishing
            }
            Self::Published => PostStatus::Published,
            Self::Failed => PostStatus::Failed,
            Self::NeedsAttention => PostStatus::NeedsAttention,
        }
    }
}

/// A post's publish job as persisted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct PublishJob {
    pub post_id: i64,
    pub account_id: i64,
    pub state: String,
    pub publish_id: Option<String>,
    pub upload_url_expires_at: Option<i64>,
    pub video_size: Option<i64>,
    pub chunk_size: Option<i64>,
    pub total_chunks: Option<i64>,
    pub confirmed_bytes: i64,
    pub attempts: i64,
    pub next_retry_at: Option<i64>,
    pub retryable: bool,
    pub outcome_unknown: bool,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub log_id: Option<String>,
    pub tiktok_status: Option<String>,
    pub public_post_ids: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// TikTok still processing after this instant: the post needs attention.
    #[serde(default)]
    pub processing_deadline_at: Option<i64>,
    /// Published without a public id yet: when to ask TikTok again (None: not asking).
    #[serde(default)]
    pub public_id_next_at: Option<i64>,
    /// Until when to keep asking for the public id.
    #[serde(default)]
    pub public_id_until: Option<i64>,
}

impl PublishJob {
    pub fn step(&self) -> PublishStep {
        PublishStep::parse(&self.state)
    }
}

/// One line of a post's publish history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct PublishAttempt {
    pub at: i64,
    pub state: String,
    pub log_id: Option<String>,
    pub error: Option<String>,
}

/// The keychain entry holding a job's upload URL.
pub fn upload_url_entry(post_id: i64) -> String {
    format!("publish:{post_id}:upload_url")
}

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

/// Refuses to schedule again a post whose last publish may have reached TikTok: the creator
/// must check TikTok first (mark as posted, or dismiss), or it could be posted twice.
pub(crate) async fn ensure_outcome_known(pool: &SqlitePool, post_id: i64) -> CoreResult<()> {
    let unknown: Option<bool> =
        sqlx::query_scalar("SELECT outcome_unknown FROM publish_jobs WHERE post_id = ?")
            .bind(post_id)
            .fetch_optional(pool)
            .await?;
    if unknown == Some(true) {
        return Err(CoreError::Conflict(UNKNOWN_OUTCOME_MESSAGE.to_owned()));
    }
    Ok(())
}

fn taken() -> CoreError {
    CoreError::Conflict(TAKEN.to_owned())
}

/// The post was taken from this actor by another one (see `Engine::set_state`).
pub fn is_taken(e: &CoreError) -> bool {
    matches!(e, CoreError::Conflict(m) if m == TAKEN)
}

/// Appends a line to the post's history and trims it to the last [`HISTORY_LINES_PER_POST`].
async fn append_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
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
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM publish_attempts WHERE post_id = ? AND id <= (
             SELECT id FROM publish_attempts WHERE post_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)",
    )
    .bind(post_id)
    .bind(post_id)
    .bind(HISTORY_LINES_PER_POST)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A change of a job's row, applied with the post's status in one transaction.
#[derive(Debug, Default, Clone)]
struct Change {
    publish_id: Option<String>,
    upload_url_expires_at: Option<i64>,
    plan: Option<(i64, i64, i64)>,
    confirmed_bytes: Option<i64>,
    attempts: Option<i64>,
    /// `Some(None)` clears it.
    next_retry_at: Option<Option<i64>>,
    retryable: Option<bool>,
    outcome_unknown: Option<bool>,
    /// (code, message); `Some(None)` clears both.
    error: Option<Option<(String, String)>>,
    log_id: Option<String>,
    tiktok_status: Option<String>,
    public_post_ids: Option<Vec<String>>,
    /// Forgets the publish TikTok knows of (its id, upload plan and progress): a new init
    /// follows. Only where TikTok said it failed or it can never become a post.
    forget_publish: bool,
    processing_deadline_at: Option<Option<i64>>,
    public_id_next_at: Option<Option<i64>>,
    public_id_until: Option<Option<i64>>,
}

impl Change {
    /// Keeps TikTok's `log_id` of the failed request for the post's history.
    fn logged(log_id: Option<&str>) -> Self {
        Change {
            log_id: log_id.map(str::to_owned),
            ..Default::default()
        }
    }

    /// TikTok may have acted on the request: only the creator can tell, so the post is never
    /// retried blindly.
    fn unknown_outcome(log_id: Option<&str>) -> Self {
        Change {
            outcome_unknown: Some(true),
            ..Change::logged(log_id)
        }
    }
}

/// How a run of a job ended for the scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// In a final state.
    Done,
    /// Waiting for `next_retry_at`.
    RetryLater,
}

fn backoff_ms(attempt: i64) -> i64 {
    let exp = RETRY_BASE_MS.saturating_mul(1i64 << attempt.clamp(0, 20));
    let base = exp.min(RETRY_CAP_MS);
    let jitter = (base as f64 * 0.2 * (rand::random::<f64>() * 2.0 - 1.0)) as i64;
    (base + jitter).max(100)
}

fn caption_start(caption: &str) -> String {
    let t: String = caption.chars().take(40).collect();
    if caption.chars().count() > 40 {
        format!("{t}…")
    } else if t.is_empty() {
        "(no caption)".to_owned()
    } else {
        t
    }
}

fn user_action_text(class: ErrorClass, fallback: &str) -> (bool, String) {
    match class {
        ErrorClass::UserMustAct(a) => (false, plain(a)),
        ErrorClass::RetryLater => (true, fallback.to_owned()),
        _ => (false, fallback.to_owned()),
    }
}

impl Engine {
    /// The publish job of a post, if it ever entered publishing.
    pub async fn publish_job(&self, post_id: i64) -> CoreResult<Option<PublishJob>> {
        load_job(self.store().pool(), post_id).await
    }

    /// The post's publish history, oldest first.
    pub async fn publish_history(&self, post_id: i64) -> CoreResult<Vec<PublishAttempt>> {
        Ok(sqlx::query_as::<_, PublishAttempt>(
            "SELECT at, state, log_id, error FROM publish_attempts WHERE post_id = ? ORDER BY id",
        )
        .bind(post_id)
        .fetch_all(self.store().pool())
        .await?)
    }

    /// Takes a due scheduled post into the publisher: `queued`, its job row reset (a previous
    /// one keeps the publish TikTok knows of, so the run asks TikTok about it before any new
    /// init). Answers false if the post is no longer scheduled (edited, cancelled, paused in
    /// between) — or if its last publish has an unknown outcome: then it needs attention, since
    /// publishing it again could post it twice.
    pub(crate) async fn claim_post(&self, post_id: i64) -> CoreResult<bool> {
        let pool = self.store().pool();
        let now = self.clock().now_ms();
        // Every statement here writes first: a transaction that read before writing could not
        // wait for a publish's concurrent write (SQLite answers BUSY at once).
        let parked = sqlx::query(
            "UPDATE posts SET status = 'needs_attention', attention_reason = ?, updated_at = ?
             WHERE id = ? AND status = 'scheduled'
               AND EXISTS (SELECT 1 FROM publish_jobs WHERE post_id = ? AND outcome_unknown = 1)",
        )
        .bind(UNKNOWN_OUTCOME_MESSAGE)
        .bind(now)
        .bind(post_id)
        .bind(post_id)
        .execute(pool)
        .await?
        .rows_affected();
        if parked > 0 {
            self.events().emit(EngineEvent::PostsChanged {
                post_id: Some(post_id),
                account_id: None,
            });
            return Ok(false);
        }
        let mut tx = pool.begin().await?;
        let n = sqlx::query(
            "UPDATE posts SET status = 'queued', updated_at = ?
             WHERE id = ? AND status = 'scheduled' AND paused_reason IS NULL
               AND NOT EXISTS (SELECT 1 FROM publish_jobs WHERE post_id = ? AND outcome_unknown = 1)",
        )
        .bind(now)
        .bind(post_id)
        .bind(post_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let reset = sqlx::query(
            "UPDATE publish_jobs SET state = 'queued',
                account_id = (SELECT account_id FROM posts WHERE id = ?),
                attempts = 0, next_retry_at = NULL, retryable = 0, error_code = NULL,
                error_message = NULL, processing_deadline_at = NULL, public_id_next_at = NULL,
                public_id_until = NULL, updated_at = ?
             WHERE post_id = ? AND outcome_unknown = 0",
        )
        .bind(post_id)
        .bind(now)
        .bind(post_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if reset == 0 {
            sqlx::query(
                "INSERT INTO publish_jobs (post_id, account_id, state, created_at, updated_at)
                 SELECT id, account_id, 'queued', ?, ? FROM posts WHERE id = ?",
            )
            .bind(now)
            .bind(now)
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        }
        append_history(&mut tx, post_id, now, "queued", None, None).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Writes a state (and the post's status) in one transaction, appends the history line,
    /// and tells the UI. Compare-and-set: the job must still be in the state `job` holds and
    /// the post in the status that goes with it; otherwise another actor (cancel, delete, an
    /// edit, a user's action) took the post and nothing is written ([`is_taken`]).
    async fn set_state(
        &self,
        job: &mut PublishJob,
        step: PublishStep,
        change: Change,
    ) -> CoreResult<()> {
        let pool = self.store().pool();
        let now = self.clock().now_ms();
        let before = job.clone();
        let prior_state = job.state.clone();
        let prior_status = job.step().post_status();
        job.state = step.as_str().to_owned();
        if change.forget_publish {
            job.publish_id = None;
            job.upload_url_expires_at = None;
            job.video_size = None;
            job.chunk_size = None;
            job.total_chunks = None;
            job.confirmed_bytes = 0;
            job.tiktok_status = None;
        }
        if let Some(v) = change.publish_id {
            job.publish_id = Some(v);
        }
        if let Some(v) = change.upload_url_expires_at {
            job.upload_url_expires_at = Some(v);
        }
        if let Some((size, chunk, total)) = change.plan {
            job.video_size = Some(size);
            job.chunk_size = Some(chunk);
            job.total_chunks = Some(total);
        }
        if let Some(v) = change.confirmed_bytes {
            job.confirmed_bytes = v;
        }
        if let Some(v) = change.attempts {
            job.attempts = v;
        }
        if let Some(v) = change.next_retry_at {
            job.next_retry_at = v;
        }
        if let Some(v) = change.retryable {
            job.retryable = v;
        }
        if let Some(v) = change.outcome_unknown {
            job.outcome_unknown = v;
        }
        if let Some(v) = change.processing_deadline_at {
            job.processing_deadline_at = v;
        }
        if let Some(v) = change.public_id_next_at {
            job.public_id_next_at = v;
        }
        if let Some(v) = change.public_id_until {
            job.public_id_until = v;
        }
        let error_text = match &change.error {
            Some(Some((code, msg))) => {
                job.error_code = Some(code.clone());
                job.error_message = Some(msg.clone());
                Some(msg.clone())
            }
            Some(None) => {
                job.error_code = None;
                job.error_message = None;
                None
            }
            None => None,
        };
        if let Some(v) = &change.log_id {
            job.log_id = Some(v.clone());
        }
        if let Some(v) = change.tiktok_status {
            job.tiktok_status = Some(v);
        }
        if let Some(v) = &change.public_post_ids {
            job.public_post_ids = Some(serde_json::to_string(v).unwrap_or_default());
        }
        job.updated_at = now;
        let mut tx = pool.begin().await?;
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
        .bind(&prior_state)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let attention = if step == PublishStep::NeedsAttention {
            job.error_message.clone()
        } else {
            None
        };
        let m = if n == 1 {
            sqlx::query(
                "UPDATE posts SET status = ?, attention_reason = COALESCE(?, attention_reason),
                    updated_at = ? WHERE id = ? AND status = ?",
            )
            .bind(step.post_status().as_str())
            .bind(&attention)
            .bind(now)
            .bind(job.post_id)
            .bind(prior_status.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            0
        };
        if n != 1 || m != 1 {
            drop(tx);
            *job = before;
            tracing::info!(post_id = job.post_id, from = %prior_state, to = step.as_str(), "post taken meanwhile; stopping");
            return Err(taken());
        }
        append_history(
            &mut tx,
            job.post_id,
            now,
            &job.state,
            change.log_id.as_deref(),
            error_text.as_deref(),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(post_id = job.post_id, state = %job.state, "publish state");
        self.events().emit(EngineEvent::PublishStateChanged {
            post_id: job.post_id,
            account_id: job.account_id,
            state: step,
            message: error_text,
        });
        self.events().emit(EngineEvent::PostsChanged {
            post_id: Some(job.post_id),
            account_id: Some(job.account_id),
        });
        Ok(())
    }

    /// A Direct Post with a wider audience than "Only me" from an app that has not passed the
    /// Direct Post audit: TikTok may have stored it as "Only me", and the status answer does
    /// not carry the privacy, so the published message says so instead of naming the audience.
    async fn unconfirmed_audience(&self, post: &PostDto) -> Option<String> {
        if post.privacy_level.as_deref().unwrap_or("SELF_ONLY") == "SELF_ONLY" {
            return None;
        }
        match self.direct_post_audit().await {
            Ok(crate::tiktok_config::DirectPostAudit::NotAudited) => {
                Some(AUDIENCE_UNCONFIRMED_MESSAGE.to_owned())
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(post_id = post.id, "audit state unreadable: {e}");
                None
            }
        }
    }

    /// A native notification about a post: "@account — “caption start…”. body".
    pub(crate) async fn notify_post(
        &self,
        post: &PostDto,
        kind: NotificationKind,
        title: &str,
        body: &str,
    ) {
        let who = crate::accounts::get_live(self.store().pool(), post.account_id)
            .await
            .map(|a| crate::tokens::display(&a))
            .unwrap_or_else(|_| format!("account {}", post.account_id));
        self.events().emit(EngineEvent::Notify {
            notification: kind,
            title: title.to_owned(),
            body: format!("{who} — “{}”. {body}", caption_start(&post.caption))
                .trim_end()
                .to_owned(),
        });
    }

    /// Ends a job in `failed` or `needs_attention` with a message, and notifies.
    /// A pre-init check against fresh creator_info failed: nothing was sent, the creator must act.
    async fn fail_check(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        action: tiktok_api::UserAction,
        code: &str,
    ) -> CoreResult<RunEnd> {
        self.end_with(
            job,
            post,
            PublishStep::Failed,
            code,
            plain(action),
            Change::default(),
        )
        .await
    }

    /// A posting cap was reached: nothing is wrong with the post, it waits for the creator
    /// (retry later or reschedule), retryable.
    async fn wait_for_cap(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        action: tiktok_api::UserAction,
        change: Change,
    ) -> CoreResult<RunEnd> {
        let change = Change {
            retryable: Some(true),
            ..change
        };
        self.end_with(
            job,
            post,
            PublishStep::NeedsAttention,
            "caps_reached",
            plain(action),
            change,
        )
        .await
    }

    async fn end_with(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        step: PublishStep,
        code: &str,
        message: String,
        mut change: Change,
    ) -> CoreResult<RunEnd> {
        change.error = Some(Some((code.to_owned(), message.clone())));
        if change.next_retry_at.is_none() {
            change.next_retry_at = Some(None);
        }
        self.set_state(job, step, change).await?;
        let (kind, title) = if step == PublishStep::Failed {
            (NotificationKind::Failed, "Post failed")
        } else {
            (NotificationKind::NeedsAttention, "Post needs attention")
        };
        audit::record(
            self.store().pool(),
            Some(job.account_id),
            "post.publish",
            Outcome::Error,
            &format!("post {}: {} ({code})", job.post_id, step.as_str()),
        )
        .await;
        self.notify_post(post, kind, title, &message).await;
        Ok(RunEnd::Done)
    }

    /// The keychain refused (locked, or its service is not answering): nothing is wrong with
    /// the post, it waits — needs attention with the way out named, tried again by itself with
    /// a growing interval (the scheduler runs it at `next_retry_at`), and Retry stays offered.
    async fn keychain_wait(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: &CoreError,
        change: Change,
    ) -> CoreResult<RunEnd> {
        tracing::warn!(post_id = job.post_id, error = %e, "keychain refused; the post waits for it");
        let waits = sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM publish_attempts WHERE post_id = ? AND error = ?",
        )
        .bind(job.post_id)
        .bind(KEYCHAIN_WAIT_MESSAGE)
        .fetch_one(self.store().pool())
        .await
        .unwrap_or(0);
        let wait =
            (30_000i64.saturating_mul(1i64 << waits.clamp(0, 10))).min(KEYCHAIN_RETRY_CAP_MS);
        let change = Change {
            retryable: Some(true),
            next_retry_at: Some(Some(self.clock().now_ms() + wait)),
            error: Some(Some((
                KEYCHAIN_WAIT_CODE.to_owned(),
                KEYCHAIN_WAIT_MESSAGE.to_owned(),
            ))),
            ..change
        };
        self.set_state(job, PublishStep::NeedsAttention, change)
            .await?;
        if waits == 0 {
            self.notify_post(
                post,
                NotificationKind::NeedsAttention,
                "Unlock your keychain",
                KEYCHAIN_WAIT_MESSAGE,
            )
            .await;
        }
        self.wake_scheduler();
        Ok(RunEnd::Done)
    }

    /// The account's row when it was removed from Tokdeck (its tokens are gone).
    async fn removed_account(&self, id: i64) -> CoreResult<Option<crate::accounts::AccountRow>> {
        Ok(crate::accounts::get(self.store().pool(), id)
            .await?
            .filter(|r| r.removed_at.is_some()))
    }

    /// The account was removed while the post waited or ran, before anything reached TikTok:
    /// nothing is wrong with the post, so it goes back to the queue, paused like the account's
    /// other posts, and the reconnect lifts the pause (cancel and delete stay offered).
    async fn wait_for_reconnect(
        &self,
        job: &mut PublishJob,
        account: &crate::accounts::AccountRow,
    ) -> CoreResult<RunEnd> {
        let CoreError::Conflict(message) = crate::accounts::disconnected(account) else {
            unreachable!("disconnected() is a conflict")
        };
        self.set_state(
            job,
            PublishStep::Queued,
            Change {
                next_retry_at: Some(None),
                error: Some(Some(("reconnect".to_owned(), message))),
                ..Default::default()
            },
        )
        .await?;
        self.pause_posts_of_account(job.account_id, crate::account_ops::REMOVED_PAUSE_REASON)
            .await?;
        Ok(RunEnd::Done)
    }

    /// Schedules another try of the current step (or of the whole publish for `to`), or fails
    /// once the attempts are used up.
    async fn retry_or_fail(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        to: PublishStep,
        err: &CoreError,
    ) -> CoreResult<RunEnd> {
        let attempts = job.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            let change = Change {
                attempts: Some(attempts),
                retryable: Some(true),
                ..Change::logged(err.tiktok_log_id())
            };
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "retries_exhausted",
                    format!(
                        "TikTok kept failing ({}). Retry later, or post it from the TikTok app.",
                        err.user_message()
                    ),
                    change,
                )
                .await;
        }
        let at = self.clock().now_ms() + backoff_ms(job.attempts);
        let change = Change {
            attempts: Some(attempts),
            next_retry_at: Some(Some(at)),
            error: Some(Some(("retry".to_owned(), err.user_message()))),
            ..Change::logged(err.tiktok_log_id())
        };
        self.set_state(job, to, change).await?;
        Ok(RunEnd::RetryLater)
    }

    /// Runs a job from its persisted state until it ends or waits for a retry. A run whose
    /// post was taken from it (cancelled, deleted, moved on by someone else) stops quietly.
    pub(crate) async fn run_publish(self: &Arc<Self>, post_id: i64) -> CoreResult<RunEnd> {
        match self.run_publish_inner(post_id).await {
            Err(e) if is_taken(&e) => Ok(RunEnd::Done),
            other => other,
        }
    }

    async fn run_publish_inner(self: &Arc<Self>, post_id: i64) -> CoreResult<RunEnd> {
        let pool = self.store().pool();
        let Some(mut job) = load_job(pool, post_id).await? else {
            return Ok(RunEnd::Done);
        };
        // A post waiting for the keychain is tried again by itself once its time came.
        if job.step() == PublishStep::NeedsAttention {
            let due = job
                .next_retry_at
                .is_some_and(|t| t <= self.clock().now_ms());
            if !(due && job.error_code.as_deref() == Some(KEYCHAIN_WAIT_CODE)) {
                return Ok(RunEnd::Done);
            }
            self.requeue(&mut job).await?;
        }
        let post = self.post(post_id).await?;
        if !matches!(post.status, PostStatus::Queued | PostStatus::Publishing) {
            // Cancelled (or taken back) before anything was sent: the job is void.
            if job.step() == PublishStep::Queued && job.publish_id.is_none() {
                sqlx::query("DELETE FROM publish_jobs WHERE post_id = ? AND state = 'queued'")
                    .bind(post_id)
                    .execute(pool)
                    .await?;
            }
            return Ok(RunEnd::Done);
        }
        // The first state handled in this run was persisted by an earlier run (maybe one that
        // crashed); `initializing` then means the init's outcome is unknown.
        let mut first = true;
        loop {
            let step = job.step();
            if step.is_final() {
                return Ok(RunEnd::Done);
            }
            let next = match step {
                PublishStep::Queued | PublishStep::Checking
                    if job.publish_id.is_some()
                        && job.tiktok_status.as_deref() != Some("Failed") =>
                {
                    // An earlier publish of this post exists on TikTok: ask about it before
                    // anything could init a second one.
                    self.reconcile(&mut job, &post).await?
                }
                PublishStep::Queued | PublishStep::Checking => {
                    self.step_check(&mut job, &post).await?
                }
                PublishStep::Initializing => {
                    if first {
                        if job.publish_id.is_some() {
                            // The init answered and its id was kept: TikTok can say how far
                            // that publish got.
                            self.reconcile(&mut job, &post).await?
                        } else {
                            // Intent recorded but no publish id: the request may have reached
                            // TikTok. Never init again blindly.
                            let change = Change::unknown_outcome(None);
                            return self
                                .end_with(
                                    &mut job,
                                    &post,
                                    PublishStep::NeedsAttention,
                                    "outcome_unknown",
                                    UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                                    change,
                                )
                                .await;
                        }
                    } else {
                        self.step_init(&mut job, &post).await?
                    }
                }
                PublishStep::Uploading => self.step_upload(&mut job, &post).await?,
                PublishStep::Processing => self.step_poll(&mut job, &post).await?,
                _ => return Ok(RunEnd::Done),
            };
            first = false;
            if let Some(end) = next {
                return Ok(end);
            }
        }
    }

    /// One status fetch for the job's publish id.
    async fn fetch_status_once(
        &self,
        account_id: i64,
        publish_id: &str,
    ) -> CoreResult<tiktok_api::PublishStatus> {
        let id = PublishId(publish_id.to_owned());
        self.with_token(account_id, |c, t| {
            let id = id.clone();
            async move { c.fetch_status(&t, &id).await }
        })
        .await
    }

    /// Asks TikTok how far the publish it already has got, and continues from there: published
    /// → done; every byte received → processing; failed, or only part of the bytes with no way
    /// to send the rest → forgotten (a new init cannot duplicate it); part of the bytes with a
    /// live upload link → resume. No answer → the outcome is unknown.
    async fn reconcile(&self, job: &mut PublishJob, post: &PostDto) -> CoreResult<Option<RunEnd>> {
        let pid = job.publish_id.clone().unwrap_or_default();
        let st = match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => st,
            Err(e) => return self.no_status_answer(job, post, e).await.map(Some),
        };
        let status_text = format!("{:?}", st.status);
        match st.status {
            PublishState::PublishComplete | PublishState::SendToUserInbox => {
                return self.finish_published(job, post, &st).await.map(Some);
            }
            PublishState::Failed => {
                let change = Change {
                    forget_publish: true,
                    log_id: st.log_id.clone(),
                    ..Default::default()
                };
                self.set_state(job, PublishStep::Checking, change).await?;
                return Ok(None);
            }
            _ => {}
        }
        let uploaded = st.uploaded_bytes.unwrap_or(0) as i64;
        if job.video_size.is_some_and(|size| uploaded >= size) {
            self.set_state(
                job,
                PublishStep::Processing,
                Change {
                    tiktok_status: Some(status_text),
                    confirmed_bytes: Some(uploaded),
                    processing_deadline_at: Some(Some(
                        self.clock().now_ms() + PROCESSING_DEADLINE_MS,
                    )),
                    outcome_unknown: Some(false),
                    ..Default::default()
                },
            )
            .await?;
            return Ok(None);
        }
        let live_url = job
            .upload_url_expires_at
            .is_some_and(|t| self.clock().now_ms() < t)
            && matches!(
                self.secrets().get(&upload_url_entry(job.post_id)).await,
                Ok(Some(_))
            );
        if live_url {
            self.set_state(
                job,
                PublishStep::Uploading,
                Change {
                    confirmed_bytes: Some(job.confirmed_bytes.min(uploaded)),
                    outcome_unknown: Some(false),
                    ..Default::default()
                },
            )
            .await?;
            return Ok(None);
        }
        // TikTok holds part of the video and nobody can send it the rest: it can never
        // become a post.
        let _ = self.secrets().delete(&upload_url_entry(job.post_id)).await;
        self.set_state(
            job,
            PublishStep::Checking,
            Change {
                forget_publish: true,
                outcome_unknown: Some(false),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// TikTok did not answer a status fetch about a publish that may have all its bytes: the
    /// outcome is unknown (the creator checks again, marks it as posted or dismisses it).
    async fn no_status_answer(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: CoreError,
    ) -> CoreResult<RunEnd> {
        if let CoreError::Secrets(_) = e {
            return self.keychain_wait(job, post, &e, Change::default()).await;
        }
        let reconnect = matches!(
            e.tiktok_class(),
            Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken)
        );
        let message = if reconnect {
            format!(
                "{} TikTok may already have this video; once reconnected, press Check again (or check TikTok, then mark it as posted or dismiss it).",
                e.user_message()
            )
        } else {
            format!(
                "TikTok did not say whether the post went out ({}). Press Check again later, or check TikTok, then mark it as posted or dismiss it.",
                e.user_message()
            )
        };
        self.end_with(
            job,
            post,
            PublishStep::NeedsAttention,
            if reconnect {
                "reconnect"
            } else {
                "status_unavailable"
            },
            message,
            Change::unknown_outcome(e.tiktok_log_id()),
        )
        .await
    }

    /// queued/checking: file fingerprint, fresh creator_info; then records the init intent.
    async fn step_check(&self, job: &mut PublishJob, post: &PostDto) -> CoreResult<Option<RunEnd>> {
        if job.step() == PublishStep::Queued || job.publish_id.is_some() {
            self.set_state(
                job,
                PublishStep::Checking,
                Change {
                    forget_publish: job.publish_id.is_some(),
                    ..Default::default()
                },
            )
            .await?;
        }
        // The file must still be the one the creator scheduled; nothing is sent otherwise.
        let path = PathBuf::from(&post.media_path);
        let fp: Fingerprint = post.fingerprint.clone();
        let p2 = path.clone();
        let check = tokio::task::spawn_blocking(move || media::check(&p2, &fp))
            .await
            .map_err(|e| CoreError::Internal(format!("file check failed: {e}")))?;
        if let Some(reason) = check.reason(&path) {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "file_changed",
                    format!("{reason} Relink the video, then retry."),
                    Change::default(),
                )
                .await
                .map(Some);
        }
        if let Some(msg) = self.missing_scope(post.account_id, post.mode).await? {
            let change = Change::default();
            return self
                .end_with(job, post, PublishStep::Failed, "scope_missing", msg, change)
                .await
                .map(Some);
        }
        let fetched = match post.mode {
            // The inbox init takes no post_info and needs only video.upload; creator_info
            // would need video.publish.
            PostMode::Inbox => Ok(tiktok_api::CreatorInfo::default()),
            PostMode::Direct => {
                self.with_token(
                    post.account_id,
                    |c, t| async move { c.creator_info(&t).await },
                )
                .await
            }
        };
        let info = match fetched {
            Ok(i) => i,
            Err(e) => return self.handle_pre_init_error(job, post, e).await.map(Some),
        };
        if let Some(p) = &post.privacy_level {
            if post.mode == PostMode::Direct
                && !info.privacy_level_options.iter().any(|o| o.as_str() == p)
            {
                return self
                    .fail_check(
                        job,
                        post,
                        tiktok_api::UserAction::PrivacyOptionMismatch,
                        "privacy_level_option_mismatch",
                    )
                    .await
                    .map(Some);
            }
        }
        if let Some(max) = info.max_video_post_duration_sec {
            if post.media.duration_ms > u64::from(max) * 1000 + 500 {
                return self
                    .fail_check(
                        job,
                        post,
                        tiktok_api::UserAction::Duration,
                        "duration_check_failed",
                    )
                    .await
                    .map(Some);
            }
        }
        // The intent, recorded before the request: a crash from here on is "outcome unknown".
        self.set_state(
            job,
            PublishStep::Initializing,
            Change {
                log_id: info.log_id.clone(),
                error: Some(None),
                next_retry_at: Some(None),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// Errors before anything was created on TikTok: retry transient ones, else end.
    async fn handle_pre_init_error(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: CoreError,
    ) -> CoreResult<RunEnd> {
        let logged = || Change::logged(e.tiktok_log_id());
        if let CoreError::Secrets(_) = e {
            return self.keychain_wait(job, post, &e, logged()).await;
        }
        if let Some(account) = self.removed_account(job.account_id).await? {
            return self.wait_for_reconnect(job, &account).await;
        }
        match e.tiktok_class() {
            Some(ErrorClass::RetryLater) => {
                self.retry_or_fail(job, post, PublishStep::Queued, &e).await
            }
            Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken) => {
                self.end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "reconnect",
                    e.user_message(),
                    logged(),
                )
                .await
            }
            Some(ErrorClass::UserMustAct(a)) if is_cap(a) => {
                self.wait_for_cap(job, post, a, logged()).await
            }
            Some(class @ ErrorClass::UserMustAct(_)) => {
                let (_, msg) = user_action_text(class, &e.user_message());
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "user_must_act",
                    msg,
                    logged(),
                )
                .await
            }
            Some(ErrorClass::OutcomeUnknown) => {
                self.end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "outcome_unknown",
                    UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                    Change::unknown_outcome(e.tiktok_log_id()),
                )
                .await
            }
            _ => {
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    "error",
                    e.user_message(),
                    logged(),
                )
                .await
            }
        }
    }

    /// initializing: the init request (intent already recorded).
    async fn step_init(&self, job: &mut PublishJob, post: &PostDto) -> CoreResult<Option<RunEnd>> {
        let ctx = self.tiktok().await?;
        let plan = ctx
            .client
            .plan_upload(post.fingerprint.size)
            .map_err(CoreError::from)?;
        let info = post_info(post);
        let mode = post.mode;
        let res = self
            .with_token(post.account_id, |c, t| {
                let info = info.clone();
                async move {
                    match mode {
                        PostMode::Direct => c.init_direct_post(&t, &info, &plan).await,
                        PostMode::Inbox => c.init_inbox(&t, &plan).await,
                    }
                }
            })
            .await;
        let init = match res {
            Ok(i) => i,
            Err(e) => {
                if refuses_offered_audience(&e, post) {
                    return self.fail_unaudited_audience(job, post, &e).await.map(Some);
                }
                // A refused init (a clean TikTok answer) created nothing; a lost answer may have.
                return self.handle_pre_init_error(job, post, e).await.map(Some);
            }
        };
        let now = self.clock().now_ms();
        // The publish id first: whatever fails next, TikTok can be asked about this publish.
        // Until the upload state is written the outcome counts as unknown.
        self.set_state(
            job,
            PublishStep::Initializing,
            Change {
                publish_id: Some(init.publish_id.0.clone()),
                upload_url_expires_at: Some(now + UPLOAD_URL_TTL_MS),
                plan: Some((
                    plan.video_size() as i64,
                    plan.chunk_size() as i64,
                    plan.total_chunk_count() as i64,
                )),
                confirmed_bytes: Some(0),
                outcome_unknown: Some(true),
                log_id: init.log_id.clone(),
                ..Default::default()
            },
        )
        .await?;
        // The URL is a credential: keychain only, written before the state that needs it.
        if let Err(e) = self
            .secrets()
            .set(
                &upload_url_entry(job.post_id),
                &Secret::new(init.upload_url.secret().as_str()),
            )
            .await
        {
            // No byte was sent: this publish can never become a post, and the next try asks
            // TikTok about it before a new init.
            let e = CoreError::from(e);
            return self
                .keychain_wait(
                    job,
                    post,
                    &e,
                    Change {
                        outcome_unknown: Some(false),
                        ..Default::default()
                    },
                )
                .await
                .map(Some);
        }
        self.set_state(
            job,
            PublishStep::Uploading,
            Change {
                outcome_unknown: Some(false),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// TikTok refused at init an audience step_check saw offered, so "pick an offered one"
    /// would not help: the app's audit state is the likely cause.
    async fn fail_unaudited_audience(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: &CoreError,
    ) -> CoreResult<RunEnd> {
        let change = Change::logged(e.tiktok_log_id());
        self.end_with(
            job,
            post,
            PublishStep::Failed,
            "privacy_level_option_mismatch",
            UNAUDITED_AUDIENCE_MESSAGE.to_owned(),
            change,
        )
        .await
    }

    /// uploading: resume from the offset TikTok confirmed, with a still-valid URL.
    async fn step_upload(
        self: &Arc<Self>,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        let now = self.clock().now_ms();
        let url = match self.secrets().get(&upload_url_entry(job.post_id)).await {
            Ok(u) => u,
            Err(e) => {
                let e = CoreError::from(e);
                return self
                    .keychain_wait(job, post, &e, Change::default())
                    .await
                    .map(Some);
            }
        };
        let expired = job.upload_url_expires_at.is_none_or(|t| now >= t);
        let (Some(url), false) = (url, expired) else {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "upload_url_expired",
                    EXPIRED_URL_MESSAGE.to_owned(),
                    Change::unknown_outcome(None),
                )
                .await
                .map(Some);
        };
        let url = UploadUrl::parse(url.expose()).map_err(CoreError::from)?;
        let plan = tiktok_api::ChunkPlan::from_parts(
            job.video_size.unwrap_or_default() as u64,
            job.chunk_size.unwrap_or_default() as u64,
        )
        .map_err(CoreError::from)?;
        let client = self.tiktok().await?.client.clone();
        // Progress is persisted by a writer task as each chunk is confirmed (the client's
        // callback is synchronous).
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<tiktok_api::UploadProgress>();
        let engine = self.clone();
        let (post_id, account_id) = (job.post_id, job.account_id);
        let writer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let _ = sqlx::query(
                    "UPDATE publish_jobs SET confirmed_bytes = ?, updated_at = ? WHERE post_id = ?",
                )
                .bind(p.confirmed_bytes as i64)
                .bind(engine.clock().now_ms())
                .bind(post_id)
                .execute(engine.store().pool())
                .await;
                engine.events().emit(EngineEvent::PublishProgress {
                    post_id,
                    account_id,
                    state: PublishStep::Uploading,
                    bytes_confirmed: p.confirmed_bytes,
                    bytes_total: p.total_bytes,
                });
            }
        });
        let path = PathBuf::from(&post.media_path);
        let res = client
            .resume_upload(&url, &plan, &path, job.confirmed_bytes as u64, move |p| {
                let _ = tx.send(p);
            })
            .await;
        let _ = writer.await;
        let confirmed: i64 =
            sqlx::query_scalar("SELECT confirmed_bytes FROM publish_jobs WHERE post_id = ?")
                .bind(job.post_id)
                .fetch_optional(self.store().pool())
                .await?
                .ok_or_else(taken)?;
        job.confirmed_bytes = confirmed;
        match res {
            Ok(out) if out.complete => {
                self.set_state(
                    job,
                    PublishStep::Processing,
                    Change {
                        confirmed_bytes: Some(out.confirmed_bytes as i64),
                        attempts: Some(0),
                        error: Some(None),
                        processing_deadline_at: Some(Some(
                            self.clock().now_ms() + PROCESSING_DEADLINE_MS,
                        )),
                        ..Default::default()
                    },
                )
                .await?;
                let _ = self.secrets().delete(&upload_url_entry(job.post_id)).await;
                Ok(None)
            }
            Ok(_) => {
                let e = CoreError::Internal("the upload stopped before the last chunk".into());
                self.upload_failed(job, post, &e).await
            }
            Err(e) if e.needs_new_init() => self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "upload_url_expired",
                    EXPIRED_URL_MESSAGE.to_owned(),
                    Change::unknown_outcome(e.log_id()),
                )
                .await
                .map(Some),
            Err(e) => {
                let class = e.class();
                let err = CoreError::from(e);
                let log_id = err.tiktok_log_id();
                match class {
                    ErrorClass::RetryLater => self.upload_failed(job, post, &err).await,
                    ErrorClass::UserMustAct(_) => {
                        let (_, msg) = user_action_text(class, &err.user_message());
                        self.end_with(
                            job,
                            post,
                            PublishStep::NeedsAttention,
                            "local_file",
                            msg,
                            Change::logged(log_id),
                        )
                        .await
                        .map(Some)
                    }
                    _ => self
                        .end_with(
                            job,
                            post,
                            PublishStep::NeedsAttention,
                            "upload_failed",
                            format!("{} Check TikTok before retrying.", err.user_message()),
                            Change::unknown_outcome(log_id),
                        )
                        .await
                        .map(Some),
                }
            }
        }
    }

    /// A chunk re-send failed for good (TikTok or the network). If the last chunk was in
    /// flight, every byte may be at TikTok already and a new init could post twice: TikTok is
    /// asked first. Otherwise the upload is tried again later.
    async fn upload_failed(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        err: &CoreError,
    ) -> CoreResult<Option<RunEnd>> {
        let size = job.video_size.unwrap_or(0);
        let chunk = job.chunk_size.unwrap_or(size).max(1);
        let total = job.total_chunks.unwrap_or(1).max(1);
        let last_chunk_start = chunk.saturating_mul(total - 1);
        if job.confirmed_bytes < last_chunk_start {
            return self
                .retry_or_fail(job, post, PublishStep::Uploading, err)
                .await
                .map(Some);
        }
        let pid = job.publish_id.clone().unwrap_or_default();
        match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => match st.status {
                PublishState::PublishComplete | PublishState::SendToUserInbox => {
                    self.finish_published(job, post, &st).await.map(Some)
                }
                PublishState::Failed => self.tiktok_failed(job, post, &st).await.map(Some),
                _ if st.uploaded_bytes.unwrap_or(0) as i64 >= size => {
                    self.set_state(
                        job,
                        PublishStep::Processing,
                        Change {
                            confirmed_bytes: Some(size),
                            attempts: Some(0),
                            error: Some(None),
                            processing_deadline_at: Some(Some(
                                self.clock().now_ms() + PROCESSING_DEADLINE_MS,
                            )),
                            ..Default::default()
                        },
                    )
                    .await?;
                    let _ = self.secrets().delete(&upload_url_entry(job.post_id)).await;
                    Ok(None)
                }
                // TikTok lacks bytes: sending them again cannot duplicate the post.
                _ => self
                    .retry_or_fail(job, post, PublishStep::Uploading, err)
                    .await
                    .map(Some),
            },
            Err(e) => {
                tracing::warn!(post_id = job.post_id, error = %e, "no status after the last chunk failed");
                self.no_status_answer(job, post, e).await.map(Some)
            }
        }
    }

    /// TikTok said the publish is complete (or in the inbox): published, with the public id
    /// when TikTok gave one — else, for a public post, asked again later (moderation).
    async fn finish_published(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        st: &tiktok_api::PublishStatus,
    ) -> CoreResult<RunEnd> {
        let inbox = st.status == PublishState::SendToUserInbox;
        let audience_note = if inbox {
            None
        } else {
            self.unconfirmed_audience(post).await
        };
        let now = self.clock().now_ms();
        let ask_for_id = !inbox
            && post.mode == PostMode::Direct
            && st.public_post_ids.is_empty()
            && post.privacy_level.as_deref().unwrap_or("SELF_ONLY") != "SELF_ONLY";
        self.set_state(
            job,
            PublishStep::Published,
            Change {
                tiktok_status: Some(format!("{:?}", st.status)),
                public_post_ids: Some(st.public_post_ids.clone()),
                log_id: st.log_id.clone(),
                // Not an error: the job's message is where the truth about the audience is
                // kept and shown.
                error: Some(
                    audience_note
                        .clone()
                        .map(|m| (AUDIENCE_UNCONFIRMED_CODE.to_owned(), m)),
                ),
                next_retry_at: Some(None),
                outcome_unknown: Some(false),
                processing_deadline_at: Some(None),
                public_id_next_at: Some(ask_for_id.then_some(now + PUBLIC_ID_FIRST_MS)),
                public_id_until: Some(ask_for_id.then_some(now + PUBLIC_ID_WINDOW_MS)),
                ..Default::default()
            },
        )
        .await?;
        if ask_for_id {
            self.wake_scheduler();
        }
        audit::record(
            self.store().pool(),
            Some(job.account_id),
            "post.publish",
            Outcome::Ok,
            &format!("post {}", job.post_id),
        )
        .await;
        let mut body = if inbox {
            "Sent to the TikTok inbox: finish it in the TikTok app.".to_owned()
        } else {
            audience_note.unwrap_or_default()
        };
        let late_min = post
            .scheduled_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| (self.clock().now_ms() - t.timestamp_millis()) / 60_000)
            .unwrap_or(0);
        body.push_str(&self.late_note(job.post_id, late_min));
        self.notify_post(post, NotificationKind::Published, "Posted", &body)
            .await;
        Ok(RunEnd::Done)
    }

    /// TikTok said the publish FAILED: a new publish where TikTok's side failed, else the
    /// creator's next step.
    async fn tiktok_failed(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        st: &tiktok_api::PublishStatus,
    ) -> CoreResult<RunEnd> {
        let reason = st.fail_reason.clone().unwrap_or_default();
        let class = st.failure_class().unwrap_or(ErrorClass::RetryLater);
        let change = Change {
            tiktok_status: Some(format!("{:?}", st.status)),
            log_id: st.log_id.clone(),
            outcome_unknown: Some(false),
            processing_deadline_at: Some(None),
            ..Default::default()
        };
        match class {
            ErrorClass::RetryLater if job.step() == PublishStep::Processing => {
                // The publish failed on TikTok's side: a new one is safe.
                let e = CoreError::Tiktok {
                    message: format!("TikTok could not finish the post ({reason})."),
                    class,
                    log_id: st.log_id.clone(),
                };
                self.set_state(job, PublishStep::Processing, change).await?;
                self.retry_or_fail(job, post, PublishStep::Queued, &e).await
            }
            ErrorClass::RetryLater => {
                let change = Change {
                    retryable: Some(true),
                    ..change
                };
                self.end_with(
                    job,
                    post,
                    PublishStep::Failed,
                    &reason,
                    format!("TikTok could not finish the post ({reason}). Retry it, or post it from the TikTok app."),
                    change,
                )
                .await
            }
            ErrorClass::Reauthorize | ErrorClass::RefreshToken => self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    &reason,
                    "TikTok removed Tokdeck's access to this account while posting. Reconnect the account (Accounts → Reconnect), then retry.".to_owned(),
                    change,
                )
                .await,
            ErrorClass::UserMustAct(a) if is_cap(a) => {
                self.wait_for_cap(job, post, a, change).await
            }
            _ => {
                let (_, msg) = user_action_text(
                    class,
                    &format!("TikTok did not publish the post ({reason})."),
                );
                self.end_with(job, post, PublishStep::Failed, &reason, msg, change)
                    .await
            }
        }
    }

    /// processing: polls the status with backoff until TikTok says how it ended, or until the
    /// processing deadline: then the post needs the creator (outcome unknown, Check again).
    async fn step_poll(&self, job: &mut PublishJob, post: &PostDto) -> CoreResult<Option<RunEnd>> {
        let Some(pid) = job.publish_id.clone() else {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "outcome_unknown",
                    UNKNOWN_OUTCOME_MESSAGE.to_owned(),
                    Change::unknown_outcome(None),
                )
                .await
                .map(Some);
        };
        let deadline = match job.processing_deadline_at {
            Some(d) => d,
            None => {
                // A job from before deadlines were kept: its deadline counts from now.
                let d = self.clock().now_ms() + PROCESSING_DEADLINE_MS;
                sqlx::query(
                    "UPDATE publish_jobs SET processing_deadline_at = ?
                     WHERE post_id = ? AND state = 'processing'",
                )
                .bind(d)
                .bind(job.post_id)
                .execute(self.store().pool())
                .await?;
                job.processing_deadline_at = Some(d);
                d
            }
        };
        let mut delay = Duration::from_millis(250);
        let mut errors = 0u32;
        loop {
            match self.fetch_status_once(post.account_id, &pid).await {
                Ok(st) => {
                    errors = 0;
                    match st.status {
                        PublishState::PublishComplete | PublishState::SendToUserInbox => {
                            return self.finish_published(job, post, &st).await.map(Some);
                        }
                        PublishState::Failed => {
                            return self.tiktok_failed(job, post, &st).await.map(Some);
                        }
                        _ => {}
                    }
                }
                Err(e) => match e.tiktok_class() {
                    Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken) => {
                        return self
                            .end_with(
                                job,
                                post,
                                PublishStep::NeedsAttention,
                                "reconnect",
                                format!(
                                    "{} The video was uploaded; once reconnected, press Check again (or check TikTok, then mark it as posted or dismiss it).",
                                    e.user_message()
                                ),
                                // TikTok may still publish what it received: a blind retry
                                // could post twice.
                                Change::unknown_outcome(e.tiktok_log_id()),
                            )
                            .await
                            .map(Some);
                    }
                    _ => {
                        errors += 1;
                        tracing::warn!(post_id = job.post_id, error = %e, "status fetch failed; polling on");
                        if errors > 30 {
                            return self.no_status_answer(job, post, e).await.map(Some);
                        }
                    }
                },
            }
            // Asked at least once in this run (after a restart too) before giving up.
            if self.clock().now_ms() >= deadline {
                return self
                    .end_with(
                        job,
                        post,
                        PublishStep::NeedsAttention,
                        "processing_timeout",
                        format!(
                            "TikTok has been processing this video for over {} minutes without saying how it ended. Press Check again later, or check TikTok, then mark it as posted or dismiss it.",
                            PROCESSING_DEADLINE_MS / 60_000
                        ),
                        Change::unknown_outcome(None),
                    )
                    .await
                    .map(Some);
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(15));
        }
    }

    /// Tries a failed or stuck post again — only when that cannot post it twice: not after an
    /// unknown outcome (check again, mark it as posted or dismiss it first). A publish TikTok
    /// already has is asked about before any new init.
    pub async fn retry_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        let pool = self.store().pool();
        let mut job = load_job(pool, post_id)
            .await?
            .ok_or_else(|| CoreError::Conflict("This post was never published.".into()))?;
        let step = job.step();
        // Failed and needs-attention jobs with a known outcome hold TikTok's definitive answer
        // (or never reached TikTok): a new publish cannot duplicate one.
        let safe = matches!(step, PublishStep::Failed | PublishStep::NeedsAttention)
            && !job.outcome_unknown;
        if !safe {
            return Err(CoreError::Conflict(if job.outcome_unknown {
                UNKNOWN_OUTCOME_MESSAGE.to_owned()
            } else {
                format!(
                    "This post is {} and cannot be retried now.",
                    step.as_str().replace('_', " ")
                )
            }));
        }
        crate::accounts::ensure_connected(pool, job.account_id).await?;
        self.requeue(&mut job).await.map_err(user_taken)?;
        self.post(post_id).await
    }

    /// Back to `queued` (compare-and-set from the job's final state), keeping the publish
    /// TikTok knows of so the run asks about it first.
    async fn requeue(&self, job: &mut PublishJob) -> CoreResult<()> {
        self.set_state(
            job,
            PublishStep::Queued,
            Change {
                attempts: Some(0),
                next_retry_at: Some(None),
                retryable: Some(false),
                error: Some(None),
                ..Default::default()
            },
        )
        .await?;
        sqlx::query("UPDATE posts SET attention_reason = NULL WHERE id = ? AND status = 'queued'")
            .bind(job.post_id)
            .execute(self.store().pool())
            .await?;
        self.wake_scheduler();
        Ok(())
    }

    /// The creator checked TikTok and the post is there: published.
    pub async fn mark_as_posted(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await?;
        self.set_state(
            &mut job,
            PublishStep::Published,
            Change {
                outcome_unknown: Some(false),
                tiktok_status: Some("MARKED_AS_POSTED".into()),
                error: Some(None),
                next_retry_at: Some(None),
                ..Default::default()
            },
        )
        .await
        .map_err(user_taken)?;
        audit::record(
            self.store().pool(),
            Some(job.account_id),
            "post.mark_posted",
            Outcome::Ok,
            &format!("post {post_id}"),
        )
        .await;
        self.post(post_id).await
    }

    /// The creator checked TikTok and the post is not there: failed, and retry is now safe.
    pub async fn dismiss_unknown_outcome(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await?;
        let _ = self.secrets().delete(&upload_url_entry(post_id)).await;
        self.set_state(
            &mut job,
            PublishStep::Failed,
            Change {
                outcome_unknown: Some(false),
                retryable: Some(true),
                // The creator's word: the publish is not on TikTok, a new one follows a retry.
                forget_publish: true,
                tiktok_status: Some("Failed".into()),
                next_retry_at: Some(None),
                error: Some(Some((
                    "dismissed".into(),
                    "Not on TikTok (checked by you). Retry or reschedule it.".into(),
                ))),
                ..Default::default()
            },
        )
        .await
        .map_err(user_taken)?;
        self.post(post_id).await
    }

    async fn unknown_outcome_job(&self, post_id: i64) -> CoreResult<PublishJob> {
        match load_job(self.store().pool(), post_id).await? {
            Some(j) if j.outcome_unknown && j.step() == PublishStep::NeedsAttention => Ok(j),
            _ => Err(CoreError::Conflict(
                "Only a post whose outcome is unknown can be marked as posted or dismissed.".into(),
            )),
        }
    }

    /// "Check again": asks TikTok once about the publish of a post whose outcome is unknown,
    /// and moves it to published or failed when TikTok knows; otherwise it stays as it is
    /// (with what TikTok said).
    pub async fn check_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        let mut job = self.unknown_outcome_job(post_id).await.map_err(|_| {
            CoreError::Conflict("Only a post whose outcome is unknown can be checked again.".into())
        })?;
        let Some(pid) = job.publish_id.clone() else {
            return Err(CoreError::Conflict(
                "TikTok never gave this post a publish id, so Tokdeck cannot ask about it. Check the account on TikTok, then mark it as posted or dismiss it.".into(),
            ));
        };
        let post = self.post(post_id).await?;
        let st = match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => st,
            // TikTok answered, but not about the post: the sign-in is the creator's to fix
            // first, and "did not answer, check again later" would send them round in circles.
            Err(e)
                if matches!(
                    e.tiktok_class(),
                    Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken)
                ) =>
            {
                return Err(CoreError::Unavailable(format!(
                    "{} Then press Check again; the post stays as it is until then.",
                    e.user_message()
                )))
            }
            Err(e) => {
                return Err(CoreError::Unavailable(format!(
                    "TikTok did not answer ({}). The post stays as it is; check again later.",
                    e.user_message().trim_end_matches('.')
                )))
            }
        };
        let size = job.video_size.unwrap_or(i64::MAX);
        let res = match st.status {
            PublishState::PublishComplete | PublishState::SendToUserInbox => {
                self.finish_published(&mut job, &post, &st).await
            }
            PublishState::Failed => self.tiktok_failed(&mut job, &post, &st).await,
            _ if (st.uploaded_bytes.unwrap_or(0) as i64) < size => {
                // Part of the video, and nobody sends it the rest: it can never become a post.
                let _ = self.secrets().delete(&upload_url_entry(post_id)).await;
                self.end_with(
                    &mut job,
                    &post,
                    PublishStep::Failed,
                    "upload_incomplete",
                    "TikTok received only part of the video, so it cannot post it. Retry to send it again.".into(),
                    Change {
                        outcome_unknown: Some(false),
                        retryable: Some(true),
                        forget_publish: true,
                        tiktok_status: Some("Failed".into()),
                        ..Default::default()
                    },
                )
                .await
            }
            _ => {
                self.set_state(
                    &mut job,
                    PublishStep::NeedsAttention,
                    Change {
                        tiktok_status: Some(format!("{:?}", st.status)),
                        log_id: st.log_id.clone(),
                        error: Some(Some((
                            "still_processing".into(),
                            "TikTok is still processing this video. Check again in a few minutes, or check TikTok, then mark it as posted or dismiss it.".into(),
                        ))),
                        ..Default::default()
                    },
                )
                .await
                .map(|_| RunEnd::Done)
            }
        };
        res.map_err(user_taken)?;
        self.post(post_id).await
    }

    /// Cancels a post that has not started publishing (scheduled, or queued with nothing sent):
    /// compare-and-set with the scheduler's claim and the publisher's first step, so either
    /// the cancel wins and nothing reaches TikTok, or it is refused.
    pub async fn cancel_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        self.cancel_post(post_id).await
    }

    /// Published public posts whose id TikTok has not given yet: asks again for those due
    /// (one status fetch each, at growing intervals, so a token's 30 status fetches a minute
    /// are never near), stores the id when it comes. Answers when the next one is due.
    pub(crate) async fn public_id_followups(self: &Arc<Self>) -> CoreResult<Option<i64>> {
        let pool = self.store().pool();
        let now = self.clock().now_ms();
        let due: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT post_id, account_id, public_id_next_at, COALESCE(public_id_until, 0),
                    COALESCE(publish_id, '')
             FROM publish_jobs INDEXED BY publish_jobs_public_id
             WHERE public_id_next_at IS NOT NULL AND public_id_next_at <= ?
             ORDER BY public_id_next_at LIMIT 20",
        )
        .bind(now)
        .fetch_all(pool)
        .await?;
        for (post_id, account_id, next_at, until, pid) in due {
            if now > until || pid.is_empty() {
                sqlx::query(
                    "UPDATE publish_jobs SET public_id_next_at = NULL WHERE post_id = ? AND public_id_next_at = ?",
                )
                .bind(post_id)
                .bind(next_at)
                .execute(pool)
                .await?;
                continue;
            }
            // Growing intervals: the wait doubles from the first one.
            let start = until - PUBLIC_ID_WINDOW_MS;
            let waited = (next_at - start).max(PUBLIC_ID_FIRST_MS);
            let next = now + waited.min(PUBLIC_ID_MAX_INTERVAL_MS);
            // Taken by this pass (compare-and-set): a concurrent pass skips it.
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
            if n == 0 {
                continue;
            }
            let engine = self.clone();
            tokio::spawn(async move {
                match engine.fetch_status_once(account_id, &pid).await {
                    Ok(st) if !st.public_post_ids.is_empty() => {
                        let ids = serde_json::to_string(&st.public_post_ids).unwrap_or_default();
                        let res = sqlx::query(
                            "UPDATE publish_jobs SET public_post_ids = ?, public_id_next_at = NULL,
                                updated_at = ? WHERE post_id = ? AND state = 'published'",
                        )
                        .bind(ids)
                        .bind(engine.clock().now_ms())
                        .bind(post_id)
                        .execute(engine.store().pool())
                        .await;
                        if matches!(res, Ok(r) if r.rows_affected() > 0) {
                            engine.events().emit(EngineEvent::PostsChanged {
                                post_id: Some(post_id),
                                account_id: Some(account_id),
                            });
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::info!(post_id, error = %e, "public post id not fetched; asking again later")
                    }
                }
            });
        }
        Ok(sqlx::query_scalar(
            "SELECT MIN(public_id_next_at) FROM publish_jobs INDEXED BY publish_jobs_public_id
             WHERE public_id_next_at IS NOT NULL",
        )
        .fetch_one(pool)
        .await?)
    }
}

/// A user's action met a post the publisher (or another action) moved meanwhile.
fn user_taken(e: CoreError) -> CoreError {
    if is_taken(&e) {
        CoreError::Conflict(
            "This post changed while you acted on it (the publisher or another action moved it). Look at it again."
                .into(),
        )
    } else {
        e
    }
}

fn post_info(post: &PostDto) -> PostInfo {
    let mut info = PostInfo::new(PrivacyLevel::from(
        post.privacy_level.as_deref().unwrap_or("SELF_ONLY"),
    ));
    info.title = Some(post.caption.clone()).filter(|c| !c.is_empty());
    info.disable_comment = !post.allow_comment;
    info.disable_duet = !post.allow_duet;
    info.disable_stitch = !post.allow_stitch;
    info.video_cover_timestamp_ms = post.cover_timestamp_ms;
    info.brand_content_toggle = post.commercial.enabled && post.commercial.branded_content;
    info.brand_organic_toggle = post.commercial.enabled && post.commercial.your_brand;
    info.is_aigc = post.is_aigc;
    info
}

/// What the creator reads: TikTok's reason in plain words, then the next step.
/// TikTok's posting caps: nothing is wrong with the post, it only has to wait — so it needs
/// the creator's attention (reschedule or retry later) rather than counting as failed.
fn is_cap(action: tiktok_api::UserAction) -> bool {
    use tiktok_api::UserAction as A;
    matches!(
        action,
        A::TooManyPosts | A::TooManyPendingShares | A::ActiveUserCap
    )
}

fn plain(action: tiktok_api::UserAction) -> String {
    let text = format!("{} {}", action.message(), action.next_step());
    if action == tiktok_api::UserAction::AccountMustBePrivate {
        // The rule is the developer app's, and creators bring their own app: its audit is the
        // other way out.
        return format!("{text} {AUDIT_WAY_OUT}");
    }
    text
}

fn refuses_offered_audience(e: &CoreError, post: &PostDto) -> bool {
    e.tiktok_class()
        == Some(ErrorClass::UserMustAct(
            tiktok_api::UserAction::PrivacyOptionMismatch,
        ))
        && post.privacy_level.as_deref() != Some("SELF_ONLY")
}

const AUDIENCE_UNCONFIRMED_CODE: &str = "audience_unconfirmed";
const AUDIENCE_UNCONFIRMED_MESSAGE: &str = "TikTok may have posted it as \"Only me\": your TikTok app is not audited for Direct Post, and TikTok does not say which audience it applied. Check the post in the TikTok app.";

const AUDIT_WAY_OUT: &str =
    "Or have your TikTok developer app pass TikTok's Direct Post audit, which lifts this rule.";

/// TikTok refused at init an audience its fresh creator_info offered: what an app TikTok has
/// not audited gets for anything but "Only me".
const UNAUDITED_AUDIENCE_MESSAGE: &str = "TikTok refused the chosen audience although this account offers it: apps that TikTok has not audited may only post with the audience \"Only me\". Pick \"Only me\" for this post and schedule it again, or have your TikTok developer app pass TikTok's Direct Post audit.";
