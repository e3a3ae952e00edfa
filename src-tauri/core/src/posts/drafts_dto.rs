//! The drafts library as the UI sees it: each unscheduled post with what keeps it from being
//! scheduled, in words, and the accounts they belong to. A leaf: imports no services.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::status::{PostMode, PostStatus};
use crate::accounts::dto::AccountStatus;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftQuery {
    /// One account's drafts; none: every account's.
    #[serde(default)]
    pub account_id: Option<i64>,
}

/// What a draft's problem is about (the UI picks an icon; the words are in `message`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DraftProblemKind {
    /// The video is not where it was added.
    FileMissing,
    /// Something else is at the video's path now (another size), or it cannot be read.
    FileChanged,
    /// The account was removed from Tokdeck.
    AccountRemoved,
    /// The account must be reconnected before posting.
    AccountDisconnected,
    /// A choice TikTok requires before scheduling is not made yet (privacy, disclosure).
    Unfinished,
    /// A rule the draft breaks (caption too long, branded content set to private, …).
    Rule,
    /// Why the engine set the draft aside (its stored attention reason).
    Attention,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftProblem {
    pub kind: DraftProblemKind,
    /// In the creator's words, with the next step.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftItem {
    pub id: i64,
    pub account_id: i64,
    pub status: PostStatus,
    pub mode: PostMode,
    /// The caption's start (at most [`CAPTION_START`] characters, then "…").
    pub caption: String,
    pub media_path: String,
    /// The video's file name, to name a draft without a caption.
    pub file_name: String,
    pub duration_ms: u64,
    pub thumbnail_path: Option<String>,
    pub privacy_level: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Empty when it can be scheduled as it is (TikTok's account settings are checked then).
    pub problems: Vec<DraftProblem>,
}

/// An account that has drafts (removed ones included: their drafts are still kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftAccount {
    pub id: i64,
    /// The label, else the display name, else the handle.
    pub title: String,
    /// `@username`, or empty when TikTok gave none.
    pub handle: String,
    pub label: String,
    /// The cached avatar as a `data:` URL, if one was fetched.
    pub avatar: Option<String>,
    pub status: AccountStatus,
    pub removed: bool,
    /// Its drafts (all of them, whatever the filter).
    pub drafts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftList {
    /// Most recently changed first.
    pub items: Vec<DraftItem>,
    /// Every account with drafts, for the filter and for each item's account.
    pub accounts: Vec<DraftAccount>,
    /// Drafts over all accounts (the sidebar's count), whatever the filter.
    pub total: u32,
}

/// Characters of the caption a draft shows.
pub const CAPTION_START: usize = 120;
