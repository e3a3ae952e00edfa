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
/// History lines kept per post (older ones are trimmed in the transaction that adds one).
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
mod tests {
    use super::*;

    fn job(state: PublishStep) -> PublishJob {
        PublishJob {
            post_id: 7,
            account_id: 3,
            state: state.as_str().to_owned(),
            publish_id: None,
            upload_url_expires_at: None,
            video_size: None,
            chunk_size: None,
            total_chunks: None,
            confirmed_bytes: 0,
            attempts: 0,
            next_retry_at: None,
            retryable: false,
            outcome_unknown: false,
            error_code: None,
            error_message: None,
            log_id: None,
            tiktok_status: None,
            public_post_ids: None,
            created_at: 1,
            updated_at: 1,
            processing_deadline_at: None,
            public_id_next_at: None,
            public_id_until: None,
        }
    }

    #[test]
    fn every_step_round_trips_through_its_text_and_unknown_text_is_queued() {
        use PublishStep::*;
        for s in [
            Queued,
            Checking,
            Initializing,
            Uploading,
            Processing,
            Published,
            Failed,
            NeedsAttention,
        ] {
            assert_eq!(PublishStep::parse(s.as_str()), s);
        }
        assert_eq!(PublishStep::parse("bogus"), Queued);
        assert!(Published.is_final() && Failed.is_final() && NeedsAttention.is_final());
        assert!(!Processing.is_final());
        assert_eq!(Uploading.post_status(), PostStatus::Publishing);
        assert_eq!(Queued.post_status(), PostStatus::Queued);
    }

    #[test]
    fn forgetting_a_publish_clears_its_id_plan_and_progress_but_keeps_the_rest() {
        let mut j = job(PublishStep::Uploading);
        j.publish_id = Some("p".into());
        j.upload_url_expires_at = Some(9);
        j.video_size = Some(100);
        j.chunk_size = Some(10);
        j.total_chunks = Some(10);
        j.confirmed_bytes = 50;
        j.tiktok_status = Some("Failed".into());
        j.attempts = 2;
        let applied = Change {
            forget_publish: true,
            log_id: Some("log".into()),
            ..Default::default()
        }
        .apply(&mut j, PublishStep::Checking, 42);
        assert_eq!(j.state, "checking");
        assert_eq!(
            (
                j.publish_id,
                j.video_size,
                j.confirmed_bytes,
                j.tiktok_status
            ),
            (None, None, 0, None)
        );
        assert_eq!((j.attempts, j.updated_at), (2, 42));
        assert_eq!(j.log_id.as_deref(), Some("log"));
        assert_eq!(applied.log_id.as_deref(), Some("log"));
        assert_eq!(applied.error_text, None);
    }

    #[test]
    fn an_error_is_set_as_code_and_message_and_some_none_clears_it() {
        let mut j = job(PublishStep::Checking);
        let applied = Change {
            error: Some(Some(("code".into(), "message".into()))),
            public_post_ids: Some(vec!["1".into()]),
            next_retry_at: Some(Some(5)),
            ..Default::default()
        }
        .apply(&mut j, PublishStep::Failed, 1);
        assert_eq!(applied.error_text.as_deref(), Some("message"));
        assert_eq!(j.error_code.as_deref(), Some("code"));
        assert_eq!(j.public_post_ids.as_deref(), Some(r#"["1"]"#));
        assert_eq!(j.next_retry_at, Some(5));
        let applied = Change {
            error: Some(None),
            next_retry_at: Some(None),
            ..Default::default()
        }
        .apply(&mut j, PublishStep::Queued, 2);
        assert_eq!(applied.error_text, None);
        assert_eq!(
            (j.error_code, j.error_message, j.next_retry_at),
            (None, None, None)
        );
        // Untouched fields stay.
        assert_eq!(j.public_post_ids.as_deref(), Some(r#"["1"]"#));
    }

    #[test]
    fn an_unknown_outcome_change_keeps_the_log_id() {
        let c = Change::unknown_outcome(Some("l"));
        assert_eq!(c.outcome_unknown, Some(true));
        assert_eq!(c.log_id.as_deref(), Some("l"));
        assert_eq!(Change::logged(None).log_id, None);
    }

    #[test]
    fn a_run_asks_tiktok_before_any_second_init() {
        let mut j = job(PublishStep::Queued);
        assert_eq!(next_step(&j, true), Next::Check);
        j.publish_id = Some("p".into());
        assert_eq!(next_step(&j, true), Next::Reconcile);
        assert_eq!(next_step(&j, false), Next::Reconcile);
        j.tiktok_status = Some("Failed".into());
        assert_eq!(next_step(&j, true), Next::Check, "TikTok said it failed");
    }

    #[test]
    fn an_init_intent_found_at_start_is_an_unknown_outcome_unless_its_id_was_kept() {
        let mut j = job(PublishStep::Initializing);
        assert_eq!(next_step(&j, true), Next::UnknownInit);
        assert_eq!(next_step(&j, false), Next::Init);
        j.publish_id = Some("p".into());
        assert_eq!(next_step(&j, true), Next::Reconcile);
        assert_eq!(next_step(&job(PublishStep::Uploading), true), Next::Upload);
        assert_eq!(next_step(&job(PublishStep::Processing), true), Next::Poll);
        for s in [
            PublishStep::Published,
            PublishStep::Failed,
            PublishStep::NeedsAttention,
        ] {
            assert_eq!(next_step(&job(s), true), Next::Stop);
        }
    }

    #[test]
    fn only_a_due_keychain_wait_is_retried_by_itself() {
        let mut j = job(PublishStep::NeedsAttention);
        j.next_retry_at = Some(100);
        assert!(!keychain_retry_due(&j, 200), "another reason");
        j.error_code = Some(KEYCHAIN_WAIT_CODE.into());
        assert!(!keychain_retry_due(&j, 99));
        assert!(keychain_retry_due(&j, 100));
        assert_eq!(keychain_wait_ms(0), 30_000);
        assert_eq!(keychain_wait_ms(1), 60_000);
        assert_eq!(keychain_wait_ms(50), KEYCHAIN_RETRY_CAP_MS);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        for attempt in 0..30 {
            let b = backoff_ms(attempt);
            let base = RETRY_BASE_MS
                .saturating_mul(1i64 << attempt.clamp(0, 20))
                .min(RETRY_CAP_MS);
            assert!(b >= (base as f64 * 0.79) as i64 && b <= (base as f64 * 1.21) as i64);
        }
    }

    #[test]
    fn the_last_chunk_counts_as_in_flight_once_every_earlier_chunk_is_confirmed() {
        let mut j = job(PublishStep::Uploading);
        j.video_size = Some(100);
        j.chunk_size = Some(30);
        j.total_chunks = Some(3);
        j.confirmed_bytes = 59;
        assert!(!last_chunk_in_flight(&j));
        j.confirmed_bytes = 60;
        assert!(last_chunk_in_flight(&j));
        assert!(
            last_chunk_in_flight(&job(PublishStep::Uploading)),
            "one chunk"
        );
        j.upload_url_expires_at = Some(10);
        assert!(upload_url_live(&j, 9) && !upload_url_live(&j, 10));
    }

    #[test]
    fn only_an_ended_job_with_a_known_outcome_may_be_retried() {
        let mut j = job(PublishStep::Failed);
        assert!(safe_to_retry(&j));
        j.outcome_unknown = true;
        assert!(!safe_to_retry(&j));
        assert!(!safe_to_retry(&job(PublishStep::Uploading)));
        assert!(safe_to_retry(&job(PublishStep::NeedsAttention)));
    }

    #[test]
    fn the_public_id_is_asked_for_at_doubling_intervals_within_its_window() {
        let until = 10 * PUBLIC_ID_WINDOW_MS;
        let start = until - PUBLIC_ID_WINDOW_MS;
        let first = start + PUBLIC_ID_FIRST_MS;
        assert_eq!(
            next_public_id_ask(first, first, until),
            Some(first + PUBLIC_ID_FIRST_MS)
        );
        let later = start + 4 * PUBLIC_ID_FIRST_MS;
        assert_eq!(
            next_public_id_ask(later, later, until),
            Some(later + 4 * PUBLIC_ID_FIRST_MS)
        );
        let late = until - 1;
        assert_eq!(
            next_public_id_ask(late, late, until),
            Some(late + PUBLIC_ID_MAX_INTERVAL_MS)
        );
        assert_eq!(next_public_id_ask(until + 1, until, until), None);
    }

    #[test]
    fn posting_caps_are_waits_not_failures() {
        use tiktok_api::UserAction as A;
        assert!(is_cap(A::TooManyPosts) && is_cap(A::ActiveUserCap));
        assert!(!is_cap(A::Duration));
    }
}
