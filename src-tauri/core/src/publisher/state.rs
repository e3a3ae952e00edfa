//! The publisher's states and the rules between them, with no I/O: what a job's row becomes
//! after a change, which step a run takes next, how long to wait before a retry. The steps
//! (`check`, `init`, `upload`, `poll`) and the transaction that persists each state
//! (`crate::db::publish_jobs`) are elsewhere; this file is a leaf the db layer and the event
//! types import.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::posts::PostStatus;

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
/// History lines kept per post: the trigger `publish_attempts_trim` (migration 0014) trims older
/// ones in the transaction that adds one; `the_history_is_trimmed_to_its_last_lines` holds the
/// two to the same number.
pub const HISTORY_LINES_PER_POST: i64 = 200;
/// Longest wait between two tries of a post waiting for the keychain.
pub const KEYCHAIN_RETRY_CAP_MS: i64 = 10 * 60 * 1000;

/// The error code of a post waiting for the keychain (retried by itself).
pub const KEYCHAIN_WAIT_CODE: &str = "keychain_locked";

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

/// A change of a job's row, applied with the post's status in one transaction.
#[derive(Debug, Default, Clone)]
pub(crate) struct Change {
    pub(crate) publish_id: Option<String>,
    pub(crate) upload_url_expires_at: Option<i64>,
    pub(crate) plan: Option<(i64, i64, i64)>,
    pub(crate) confirmed_bytes: Option<i64>,
    pub(crate) attempts: Option<i64>,
    /// `Some(None)` clears it.
    pub(crate) next_retry_at: Option<Option<i64>>,
    pub(crate) retryable: Option<bool>,
    pub(crate) outcome_unknown: Option<bool>,
    /// (code, message); `Some(None)` clears both.
    pub(crate) error: Option<Option<(String, String)>>,
    pub(crate) log_id: Option<String>,
    pub(crate) tiktok_status: Option<String>,
    pub(crate) public_post_ids: Option<Vec<String>>,
    /// Forgets the publish TikTok knows of (its id, upload plan and progress): a new init
    /// follows. Only where TikTok said it failed or it can never become a post.
    pub(crate) forget_publish: bool,
    pub(crate) processing_deadline_at: Option<Option<i64>>,
    pub(crate) public_id_next_at: Option<Option<i64>>,
    pub(crate) public_id_until: Option<Option<i64>>,
}

impl Change {
    /// Keeps TikTok's `log_id` of the failed request for the post's history.
    pub(crate) fn logged(log_id: Option<&str>) -> Self {
        Change {
            log_id: log_id.map(str::to_owned),
            ..Default::default()
        }
    }

    /// TikTok may have acted on the request: only the creator can tell, so the post is never
    /// retried blindly.
    pub(crate) fn unknown_outcome(log_id: Option<&str>) -> Self {
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

/// The wait before another try of a retryable step: doubling per attempt, ±20 % jitter, capped.
pub(crate) fn backoff_ms(attempt: i64) -> i64 {
    let exp = RETRY_BASE_MS.saturating_mul(1i64 << attempt.clamp(0, 20));
    let base = exp.min(RETRY_CAP_MS);
    let jitter = (base as f64 * 0.2 * (rand::random::<f64>() * 2.0 - 1.0)) as i64;
    (base + jitter).max(100)
}

/// TikTok's posting caps: nothing is wrong with the post, it only has to wait — so it needs
/// the creator's attention (reschedule or retry later) rather than counting as failed.
pub(crate) fn is_cap(action: tiktok_api::UserAction) -> bool {
    use tiktok_api::UserAction as A;
    matches!(
        action,
        A::TooManyPosts | A::TooManyPendingShares | A::ActiveUserCap
    )
}

/// What [`Change::apply`] leaves for the history line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Applied {
    /// The error message the change set (the history line's error).
    pub error_text: Option<String>,
    /// TikTok's log id the change carried.
    pub log_id: Option<String>,
}

impl Change {
    /// The job's row after moving to `step` with this change at `now`: what gets persisted.
    pub(crate) fn apply(self, job: &mut PublishJob, step: PublishStep, now: i64) -> Applied {
        let change = self;
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
        Applied {
            error_text,
            log_id: change.log_id,
        }
    }
}

/// What a run does next with a job in its persisted state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Ask TikTok about the publish it already knows of before anything could init another.
    Reconcile,
    /// Check the file and creator_info, then record the init intent.
    Check,
    /// The init's intent was recorded by an earlier run but no publish id came back: the
    /// request may have reached TikTok, so the outcome is unknown (never a blind init).
    UnknownInit,
    Init,
    Upload,
    Poll,
    /// A final state: nothing to do.
    Stop,
}

/// The next step of a run. `first`: the state was persisted by an earlier run (maybe one that
/// crashed), so `initializing` means the init's outcome is unknown.
pub(crate) fn next_step(job: &PublishJob, first: bool) -> Next {
    let step = job.step();
    if step.is_final() {
        return Next::Stop;
    }
    match step {
        PublishStep::Queued | PublishStep::Checking
            if job.publish_id.is_some() && job.tiktok_status.as_deref() != Some("Failed") =>
        {
            Next::Reconcile
        }
        PublishStep::Queued | PublishStep::Checking => Next::Check,
        PublishStep::Initializing if first && job.publish_id.is_some() => Next::Reconcile,
        PublishStep::Initializing if first => Next::UnknownInit,
        PublishStep::Initializing => Next::Init,
        PublishStep::Uploading => Next::Upload,
        PublishStep::Processing => Next::Poll,
        _ => Next::Stop,
    }
}

/// A post waiting for the keychain whose retry time came: it is tried again by itself.
pub(crate) fn keychain_retry_due(job: &PublishJob, now: i64) -> bool {
    let due = job.next_retry_at.is_some_and(|t| t <= now);
    due && job.error_code.as_deref() == Some(KEYCHAIN_WAIT_CODE)
}

/// The wait before the next try of a post that waited `waits` times for the keychain: 30 s,
/// doubling, capped at [`KEYCHAIN_RETRY_CAP_MS`].
pub(crate) fn keychain_wait_ms(waits: i64) -> i64 {
    (30_000i64.saturating_mul(1i64 << waits.clamp(0, 10))).min(KEYCHAIN_RETRY_CAP_MS)
}

/// The upload URL recorded at init is still trusted at `now`.
pub(crate) fn upload_url_live(job: &PublishJob, now: i64) -> bool {
    job.upload_url_expires_at.is_some_and(|t| now < t)
}

/// The last chunk may have been in flight: every byte may be at TikTok already, so a new init
/// could post twice and TikTok is asked first.
pub(crate) fn last_chunk_in_flight(job: &PublishJob) -> bool {
    let size = job.video_size.unwrap_or(0);
    let chunk = job.chunk_size.unwrap_or(size).max(1);
    let total = job.total_chunks.unwrap_or(1).max(1);
    let last_chunk_start = chunk.saturating_mul(total - 1);
    job.confirmed_bytes >= last_chunk_start
}

/// Failed and needs-attention jobs with a known outcome hold TikTok's definitive answer (or
/// never reached TikTok): a new publish cannot duplicate one.
pub(crate) fn safe_to_retry(job: &PublishJob) -> bool {
    matches!(
        job.step(),
        PublishStep::Failed | PublishStep::NeedsAttention
    ) && !job.outcome_unknown
}

/// When to ask TikTok again for a public post's id after asking at `now` for the follow-up due
/// at `next_at`, asking until `until`: the wait doubles from [`PUBLIC_ID_FIRST_MS`] up to
/// [`PUBLIC_ID_MAX_INTERVAL_MS`]. `None`: the window is over, stop asking.
pub(crate) fn next_public_id_ask(now: i64, next_at: i64, until: i64) -> Option<i64> {
    if now > until {
        return None;
    }
    let start = until - PUBLIC_ID_WINDOW_MS;
    let waited = (next_at - start).max(PUBLIC_ID_FIRST_MS);
    Some(now + waited.min(PUBLIC_ID_MAX_INTERVAL_MS))
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
