//! Bulk planning's inputs and answers as the shell and the UI see them. A leaf: no services.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::posts::status::PostMode;

/// One weekly posting slot of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PostingSlot {
    pub id: i64,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: u8,
    /// Wall-clock time in the account's zone, `HH:MM`.
    pub time: String,
}

/// An account's slots and the zone they are read in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountSlots {
    pub account_id: i64,
    /// The account's zone (its default zone, else the system's).
    pub zone: String,
    /// In week order.
    pub slots: Vec<PostingSlot>,
}

/// Slots to add: one time on several weekdays (e.g. Mon–Fri 09:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SlotInput {
    /// 0 = Monday … 6 = Sunday.
    pub weekdays: Vec<u8>,
    /// `HH:MM`, 24-hour.
    pub time: String,
}

/// Bulk planning's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct PlanningSettings {
    /// No two posts of one account closer than this (minutes; 0: only never at the same
    /// instant).
    pub min_gap_minutes: u32,
    /// Between the accounts of "one video to several accounts" (minutes).
    pub stagger_minutes: u32,
}

impl Default for PlanningSettings {
    fn default() -> Self {
        Self {
            min_gap_minutes: 30,
            stagger_minutes: 30,
        }
    }
}

/// A free slot as the queue would hand it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FreeSlot {
    /// RFC 3339 UTC.
    pub at: String,
    pub at_ms: i64,
    /// `YYYY-MM-DDTHH:MM` in `zone`.
    pub local: String,
    pub zone: String,
}

/// Why a post cannot go into a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PlanProblemKind {
    /// No such post (deleted meanwhile).
    NotFound,
    /// Only drafts are scheduled into slots.
    NotADraft,
    /// Only scheduled posts are moved together (Queue, Calendar).
    NotScheduled,
    /// The account has no posting slots.
    NoSlots,
    /// Every slot in the next year is taken or over a cap.
    NoFreeSlot,
    /// The account was removed, is disconnected or must be reconnected.
    AccountUnavailable,
    /// The post is paused (its account was removed).
    Paused,
    /// TikTok says the creator cannot post now, or its settings could not be had.
    CannotPost,
    /// The post breaks a rule of the account's creator_info (privacy, interactions…).
    Rules,
    /// Its video file is gone or changed.
    FileMissing,
    /// Commit only: the post changed since the preview; it was left as it is.
    Changed,
    /// Commit only: its slot was taken or went over a cap since the preview.
    SlotTaken,
}

/// Where one post lands, or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlanItem {
    pub post_id: i64,
    pub account_id: i64,
    pub mode: PostMode,
    pub caption: String,
    /// The post's last change as read; the commit only takes the post if it is unchanged.
    pub updated_at: i64,
    /// RFC 3339 UTC, when placed.
    pub at: Option<String>,
    pub at_ms: Option<i64>,
    /// `YYYY-MM-DDTHH:MM` in `zone`, when placed.
    pub local: Option<String>,
    pub zone: Option<String>,
    pub problem: Option<PlanProblemKind>,
    /// In plain words, with what to do.
    pub message: Option<String>,
}

/// A preview of "Schedule all into slots": nothing is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SlotPlan {
    /// In the order the posts were given.
    pub items: Vec<PlanItem>,
    pub placed: u32,
    pub refused: u32,
}

/// One post of a preview to commit (from [`PlanItem`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedPost {
    pub post_id: i64,
    pub at_ms: i64,
    pub updated_at: i64,
}

/// A scheduled post an Undo takes back (only while still scheduled at that instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoEntry {
    pub post_id: i64,
    pub at_ms: i64,
}

/// What a commit did: every post scheduled in one transaction, or reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SlotCommit {
    pub scheduled: Vec<PlanItem>,
    /// Left as they were, with the reason (changed since the preview, slot taken…).
    pub refused: Vec<PlanItem>,
    /// Hand back to `undo_slot_schedule` for one Undo of the whole batch.
    pub undo: Vec<UndoEntry>,
}

/// A post an Undo left alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoKept {
    pub post_id: i64,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UndoReport {
    /// Back to drafts.
    pub undone: Vec<i64>,
    /// Started publishing, moved or deleted meanwhile: left as they are.
    pub kept: Vec<UndoKept>,
}

/// The last publish of an account that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct LastPublish {
    pub post_id: i64,
    /// `published`, `failed` or `needs_attention`.
    pub state: String,
    /// RFC 3339 UTC.
    pub at: String,
    /// What went wrong, in plain words (failed or needs attention).
    pub message: Option<String>,
}

/// One account's TikTok budget: what the panel shows before a cap, an expired sign-in or a
/// private-only account makes a post fail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountBudget {
    pub account_id: i64,
    /// @handle, else the display name.
    pub title: String,
    pub status: crate::accounts::dto::AccountStatus,
    /// TikTok's last word on whether the account is private (`None`: not known).
    pub is_private: Option<bool>,
    /// Direct posts sent or due in the last 24 h, against `dailyCap`.
    pub direct_last_24h: u32,
    /// Direct posts planned in the next 24 h.
    pub direct_next_24h: u32,
    pub daily_cap: u32,
    /// Inbox uploads in the last 24 h (pending drafts), against `inboxCap`.
    pub inbox_last_24h: u32,
    pub inbox_cap: u32,
    /// Whole days until the sign-in (refresh token) expires; `None` when not known.
    pub refresh_days_left: Option<i64>,
    pub last_publish: Option<LastPublish>,
    /// The app's Direct Post audit (the same for every account).
    pub audit: crate::tiktok_config::DirectPostAudit,
    /// Plain-words warnings, most urgent first.
    pub warnings: Vec<String>,
}

/// A saved caption template or hashtag set of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptionPreset {
    /// `None` when saving a new one.
    #[serde(default)]
    pub id: Option<i64>,
    pub account_id: i64,
    pub kind: PresetKind,
    pub name: String,
    pub body: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PresetKind {
    /// A caption template (see `planning::captions` for its variables).
    Caption,
    /// A set of hashtags added to a caption.
    Hashtags,
}

/// One batch edit applied to many posts. `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct BatchEdit {
    /// Replaces the caption; variables `{file}`, `{date}`, `{n}`, `{account}`, `{caption}`.
    pub caption_template: Option<String>,
    /// Hashtags added to the (new) caption, those already there not repeated.
    pub hashtags: Option<String>,
    pub privacy_level: Option<String>,
    pub allow_comment: Option<bool>,
    pub allow_duet: Option<bool>,
    pub allow_stitch: Option<bool>,
}

/// What a batch edit did to one post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BatchEditItem {
    pub post_id: i64,
    /// The post was saved (possibly without the conflicting fields).
    pub saved: bool,
    pub caption: Option<String>,
    /// Fields not applied, and why, in plain words (the account's TikTok settings decide).
    pub conflicts: Vec<String>,
    /// Caption warnings (hashtags over 5).
    pub warnings: Vec<String>,
}

/// One per-account variant of "one video to several accounts".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VariantOutcome {
    pub account_id: i64,
    /// The new draft (`None` when it could not be made: see `error`).
    pub post: Option<crate::posts::dto::PostDto>,
    /// The source's time plus this account's stagger (RFC 3339 UTC), when the source has a
    /// time: what the composer offers for this variant.
    pub suggested_at: Option<String>,
    /// Settings not copied because this account's TikTok settings do not allow them.
    pub notes: Vec<String>,
    /// The same video content is already scheduled or published on another account.
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

/// A row of an imported CSV that cannot be used, by its line in the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CsvRowError {
    pub line: u64,
    pub message: String,
}

/// What an import did: every row created and scheduled, or nothing and every row's errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CsvImportReport {
    /// The posts created (empty when any row has an error).
    pub created: Vec<i64>,
    /// In line order.
    pub errors: Vec<CsvRowError>,
}
