//! A post's status and posting mode, as stored (`posts.status`, `posts.mode`) and as the UI
//! sees them. A leaf: imports no services.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    Scheduled,
    NeedsAttention,
    Cancelled,
    Queued,
    Publishing,
    Published,
    Failed,
    Missed,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::NeedsAttention => "needs_attention",
            Self::Cancelled => "cancelled",
            Self::Queued => "queued",
            Self::Publishing => "publishing",
            Self::Published => "published",
            Self::Failed => "failed",
            Self::Missed => "missed",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "scheduled" => Self::Scheduled,
            "needs_attention" => Self::NeedsAttention,
            "cancelled" => Self::Cancelled,
            "queued" => Self::Queued,
            "publishing" => Self::Publishing,
            "published" => Self::Published,
            "failed" => Self::Failed,
            "missed" => Self::Missed,
            _ => Self::Draft,
        }
    }
    /// The creator can still change it (the publisher has not taken it).
    pub fn editable(self) -> bool {
        matches!(
            self,
            Self::Draft | Self::Scheduled | Self::NeedsAttention | Self::Failed | Self::Missed
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PostMode {
    /// Direct Post: published by Tokdeck.
    Direct,
    /// Upload to the creator's TikTok inbox as a draft they finish in the app.
    Inbox,
}

impl PostMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Inbox => "inbox",
        }
    }
    pub fn parse(s: &str) -> Self {
        if s == "inbox" {
            Self::Inbox
        } else {
            Self::Direct
        }
    }
}
