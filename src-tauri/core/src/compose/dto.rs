//! The Compose types the events and the IPC spec name (a leaf: no services).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::media::{VideoFacts, Violation};
use crate::posts::CreatorRules;

/// What happened to one file of a drop or a pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IngestResult {
    pub path: String,
    /// What probing found; `None` when the file is not a readable video (see `error`).
    pub facts: Option<VideoFacts>,
    /// Why the file cannot be used (not found, not a video, damaged, draft not created…).
    pub error: Option<String>,
    /// TikTok's rules the video breaks (the duration against the account's limit when known).
    pub violations: Vec<Violation>,
    /// The account the draft was created for (or would have been).
    pub account_id: Option<i64>,
    /// Set when the file was acceptable and a draft was created (one draft per video).
    pub draft_id: Option<i64>,
}

/// creator_info for the posting screen (tiktok-api.md §5.1, §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreatorInfoDto {
    pub account_id: i64,
    /// The nickname the posting screen must show.
    pub nickname: String,
    pub username: String,
    /// TikTok's avatar URL (valid about 2 h); `None` when TikTok gave none.
    pub avatar_url: Option<String>,
    /// TikTok's spellings (`PUBLIC_TO_EVERYONE`, `MUTUAL_FOLLOW_FRIENDS`, `FOLLOWER_OF_CREATOR`,
    /// `SELF_ONLY`); offer exactly these, with no default.
    pub privacy_level_options: Vec<String>,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: Option<u32>,
    /// False when TikTok says this creator cannot post right now (daily cap, app's creator cap,
    /// banned…); the other fields then come from the stored profile.
    pub can_post: bool,
    pub cannot_post_reason: Option<String>,
}

impl CreatorInfoDto {
    pub fn rules(&self) -> CreatorRules {
        CreatorRules {
            nickname: self.nickname.clone(),
            privacy_level_options: self.privacy_level_options.clone(),
            comment_disabled: self.comment_disabled,
            duet_disabled: self.duet_disabled,
            stitch_disabled: self.stitch_disabled,
            max_video_post_duration_sec: self.max_video_post_duration_sec,
        }
    }
}
