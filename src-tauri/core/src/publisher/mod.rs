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
//!
//! `state` holds the states and the rules between them (pure, unit-tested); one file per
//! persisted step (`check`, `init`, `upload`, `poll`), `run` drives them, `transition` persists
//! each state in one transaction, `actions` are the creator's, `notify` the creator-facing texts.
//! All SQL is in `crate::db::publish_jobs`.

mod actions;
mod check;
mod followups;
pub mod guard;
mod handoff;
mod init;
pub mod links;
pub mod notify;
mod poll;
mod run;
mod running;
pub mod scheduler;
mod service;
pub mod state;
mod transition;
mod upload;

pub use crate::db::publish_jobs::load_job;
pub use links::{OnTiktok, TiktokLink};
pub use notify::{is_taken, EXPIRED_URL_MESSAGE, KEYCHAIN_WAIT_MESSAGE, UNKNOWN_OUTCOME_MESSAGE};
pub use service::Publisher;
pub use state::{
    upload_url_entry, PublishAttempt, PublishJob, PublishStep, RunEnd, HISTORY_LINES_PER_POST,
    KEYCHAIN_RETRY_CAP_MS, KEYCHAIN_WAIT_CODE, MAX_ATTEMPTS, PROCESSING_DEADLINE_MS,
    PUBLIC_ID_FIRST_MS, PUBLIC_ID_MAX_INTERVAL_MS, PUBLIC_ID_WINDOW_MS, RETRY_BASE_MS,
    RETRY_CAP_MS, UPLOAD_URL_TTL_MS,
};
