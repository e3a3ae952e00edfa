//! The posts' inputs and answers as the shell, the events and the UI see them. A leaf: imports
//! no services.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::local_time::DstChoice;
use super::status::{PostMode, PostStatus};
use crate::media::{Fingerprint, VideoFacts};

/// What creator_info says about the account right now (the caller fetches it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreatorRules {
    pub nickname: String,
    /// TikTok's spellings, exactly as offered.
    pub privacy_level_options: Vec<String>,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: Option<u32>,
}

impl From<&tiktok_api::CreatorInfo> for CreatorRules {
    fn from(c: &tiktok_api::CreatorInfo) -> Self {
        Self {
            nickname: c.creator_nickname.clone().unwrap_or_default(),
            privacy_level_options: c
                .privacy_level_options
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            comment_disabled: c.comment_disabled,
            duet_disabled: c.duet_disabled,
            stitch_disabled: c.stitch_disabled,
            max_video_post_duration_sec: c.max_video_post_duration_sec,
        }
    }
}

/// Commercial content disclosure (§7.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Commercial {
    pub enabled: bool,
    /// "Your brand" → `brand_organic_toggle`.
    pub your_brand: bool,
    /// "Branded content" → `brand_content_toggle`.
    pub branded_content: bool,
}

/// A new post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ComposeInput {
    pub account_id: i64,
    pub media_path: String,
    #[serde(default)]
    pub caption: String,
    /// No default: the creator picks one of creator_info's options.
    #[serde(default)]
    pub privacy_level: Option<String>,
    #[serde(default)]
    pub allow_comment: bool,
    #[serde(default)]
    pub allow_duet: bool,
    #[serde(default)]
    pub allow_stitch: bool,
    #[serde(default)]
    pub commercial: Commercial,
    #[serde(default)]
    pub is_aigc: bool,
    #[serde(default)]
    pub cover_timestamp_ms: Option<u32>,
    pub mode: PostMode,
}

/// A partial update; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ComposePatch {
    pub caption: Option<String>,
    pub privacy_level: Option<String>,
    pub allow_comment: Option<bool>,
    pub allow_duet: Option<bool>,
    pub allow_stitch: Option<bool>,
    pub commercial: Option<Commercial>,
    pub is_aigc: Option<bool>,
    /// `Some(None)` clears the cover.
    pub cover_timestamp_ms: Option<Option<u32>>,
    pub mode: Option<PostMode>,
}

/// When to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum When {
    /// As soon as possible.
    Now,
    /// A wall-clock time in a zone (the account's default zone, else the system's, when
    /// `zone` is empty). `dst` is required when the time is skipped or repeated.
    #[serde(rename_all = "camelCase")]
    At {
        local: String,
        #[serde(default)]
        zone: Option<String>,
        #[serde(default)]
        dst: Option<DstChoice>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PostDto {
    pub id: i64,
    pub account_id: i64,
    pub status: PostStatus,
    pub mode: PostMode,
    pub caption: String,
    pub privacy_level: Option<String>,
    pub allow_comment: bool,
    pub allow_duet: bool,
    pub allow_stitch: bool,
    pub commercial: Commercial,
    pub is_aigc: bool,
    pub cover_timestamp_ms: Option<u32>,
    pub media_path: String,
    pub media: VideoFacts,
    pub fingerprint: Fingerprint,
    pub thumbnail_path: Option<String>,
    /// RFC 3339 UTC: the instant that counts.
    pub scheduled_at: Option<String>,
    pub schedule_zone: Option<String>,
    /// The wall-clock time the user chose, as they typed it.
    pub schedule_local_chosen: Option<String>,
    /// The instant shown in the stored zone (`YYYY-MM-DDTHH:MM`).
    pub schedule_local: Option<String>,
    pub publish_now: bool,
    pub consent_at: Option<String>,
    pub attention_reason: Option<String>,
    pub paused_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A planned post would go over one of TikTok's caps. A warning: scheduling still happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CapWarning {
    pub cap: CapKind,
    pub count: u32,
    pub limit: u32,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CapKind {
    DailyPosts,
    PendingInbox,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleOutcome {
    pub post: PostDto,
    pub warnings: Vec<CapWarning>,
}

/// Posting caps planned ahead (§6.2); editable because TikTok's real numbers vary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Caps {
    /// Direct posts per account in any rolling 24 h.
    pub daily_posts: u32,
    /// Inbox uploads per account in any rolling 24 h.
    pub pending_inbox: u32,
}

impl Default for Caps {
    fn default() -> Self {
        Self {
            daily_posts: 15,
            pending_inbox: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarItem {
    pub id: i64,
    pub account_id: i64,
    pub account_title: String,
    pub status: PostStatus,
    pub mode: PostMode,
    pub caption: String,
    pub thumbnail_path: Option<String>,
    pub scheduled_at: String,
    /// In the calendar's zone (`YYYY-MM-DDTHH:MM`).
    pub local: String,
    /// In the post's own zone.
    pub post_zone: String,
    pub post_local: String,
    pub paused: bool,
    pub needs_attention: bool,
    /// RFC 3339 UTC: the post's last change, which the Queue's and Calendar's batch
    /// operations hand back (a post changed since is left as it is).
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarRange {
    pub zone: String,
    /// RFC 3339 UTC, start inclusive, end exclusive.
    pub start: String,
    pub end: String,
    /// Soonest first. The month view lists at most `perDayLimit` posts per day (see `days`
    /// for how many there are: show "+N more" and open the week for the rest).
    pub items: Vec<CalendarItem>,
    /// Every day of the range in the calendar's zone, with its number of posts.
    pub days: Vec<CalendarDay>,
    pub per_day_limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CalendarDay {
    /// `YYYY-MM-DD` in the calendar's zone.
    pub date: String,
    /// Posts that day (cancelled ones aside), all of them even when fewer are listed.
    pub count: u32,
}

/// Posts listed per day in the month view (the week view lists all). A month cell shows at most
/// three (`MONTH_CHIPS` in the UI's calendarView.ts): three, or two and "+N more"; listing more
/// would only be sent and dropped.
pub const MONTH_ITEMS_PER_DAY: u32 = 3;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct QueueQuery {
    #[serde(default)]
    pub account_id: Option<i64>,
    /// Substring of the caption, any case.
    #[serde(default)]
    pub search: Option<String>,
    /// Upcoming posts listed: 50 by default, at most 200.
    #[serde(default)]
    pub limit: Option<i64>,
    /// Also list up to this many finished posts (published, failed, missed), most recent
    /// first, after the upcoming ones; at most 200. None or 0: upcoming posts only.
    #[serde(default)]
    pub finished_limit: Option<i64>,
}
