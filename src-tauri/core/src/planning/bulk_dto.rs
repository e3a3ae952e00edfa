//! The Queue's and Calendar's batch operations as the shell and the UI see them (shift by
//! days, move into slots, cancel, delete, each with one Undo). A leaf: no services.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A chosen post as the UI saw it: the batch takes it only if it is unchanged since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkTarget {
    pub post_id: i64,
    /// The post's `updatedAt` (RFC 3339) as the UI read it; `None`: as it is now (the batch
    /// still takes only scheduled posts).
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// What the batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    Shift,
    Slots,
    Cancel,
    Delete,
}

/// A post the batch changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkDone {
    pub post_id: i64,
    pub account_id: i64,
    pub caption: String,
    /// The new time (shift, slots): RFC 3339 UTC, and `YYYY-MM-DDTHH:MM` in `zone`.
    pub at: Option<String>,
    pub local: Option<String>,
    pub zone: Option<String>,
    /// TikTok's caps at the new time, in plain words (the post is moved all the same).
    pub warnings: Vec<String>,
}

/// A post the batch left as it was, and why in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkSkipped {
    pub post_id: i64,
    pub caption: String,
    pub message: String,
}

/// One post an Undo puts back, only while it is exactly as the batch left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkUndo {
    pub post_id: i64,
    /// Moved (shift, slots) or put in Trash (cancel, delete).
    pub trashed: bool,
    /// The post's `updated_at` after the batch (ms).
    pub updated_at: i64,
    /// Moved: the time the batch gave it, and the one before (ms, zone, wall clock).
    pub at_ms: i64,
    pub before_ms: i64,
    pub before_zone: String,
    pub before_local: String,
}

/// What a batch did: every post changed in one transaction, or reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkOutcome {
    pub action: BulkAction,
    pub done: Vec<BulkDone>,
    pub skipped: Vec<BulkSkipped>,
    /// Hand back to `undo_bulk` for one Undo of the whole batch.
    pub undo: Vec<BulkUndo>,
}

/// What an Undo of a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkUndoReport {
    /// Back as they were.
    pub undone: Vec<i64>,
    /// Back, but as drafts (their time passed, or their account was removed meanwhile).
    pub as_drafts: Vec<i64>,
    /// Changed since the batch (moved, published, restored…): left as they are, and why.
    pub kept: Vec<super::dto::UndoKept>,
}
