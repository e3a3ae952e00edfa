//! What the Trash page and the Undo toast see (a leaf: types only).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::dto::PostDto;
use super::status::{PostMode, PostStatus};

/// A cancelled or deleted post, kept until `purgeAt` and restorable until then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TrashItem {
    pub id: i64,
    pub account_id: i64,
    pub account_title: String,
    pub mode: PostMode,
    pub caption: String,
    pub thumbnail_path: Option<String>,
    /// What it was before it went to Trash (a draft for posts cancelled before Trash existed).
    pub was: PostStatus,
    /// The creator deleted it (rather than cancelled it).
    pub deleted: bool,
    /// RFC 3339 UTC: when it went to Trash, and when it is removed for good.
    pub trashed_at: String,
    pub purge_at: String,
    /// Whole days left before it is removed for good (0: at the next daily clean-up).
    pub days_left: u32,
    /// The time it had, in its own zone (`YYYY-MM-DDTHH:MM` and the zone's IANA name).
    pub post_local: Option<String>,
    pub post_zone: Option<String>,
}

/// A post taken out of Trash, and what the creator must be told when it did not come back
/// exactly as it was (e.g. its time has passed, so it is a draft now).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreOutcome {
    pub post: PostDto,
    pub note: Option<String>,
}
