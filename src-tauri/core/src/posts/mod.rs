//! Posts: compose, drafts, scheduling in time zones, calendar and queue queries, posting caps.
//!
//! A post belongs to an account and carries its video (path, fingerprint, probe facts), what
//! the creator chose on the posting screen (tiktok-api.md §5.2, §7) and its schedule: the UTC
//! instant that counts plus the IANA zone and the wall-clock text the user chose. Local times
//! that do not exist (spring-forward gap) or exist twice (fall-back overlap) are never shifted
//! silently: [`resolve_local`] says so and scheduling them needs an explicit [`DstChoice`].
//!
//! The caller fetches creator_info and passes it as [`CreatorRules`]; nothing here talks to
//! TikTok. File I/O (probe, fingerprint) runs in `spawn_blocking`.

use std::path::PathBuf;

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, LocalResult, NaiveDate, NaiveDateTime,
    NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};
use ts_rs::TS;

use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};
use crate::media::{self, Fingerprint, VideoFacts};

pub mod service;

pub use service::Posts;

/// Caption limit in UTF-16 code units (§6.5).
pub const MAX_CAPTION_UTF16: usize = 2200;
/// The local wall-clock format stored and accepted (`2027-03-14T02:30`; seconds optional).
pub const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";
const CAPS_KEY: &str = "posts.caps";
const DAY_MS: i64 = 24 * 3600 * 1000;

// ---------------------------------------------------------------------------------------------
// Enums

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// Which instant a gap or overlap local time means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DstChoice {
    /// The earlier instant: the first occurrence of a repeated time; for a skipped time, the
    /// same distance before the jump (02:30 in a 02:00→03:00 gap means 01:30 standard time).
    Earlier,
    /// The later instant: the second occurrence; for a skipped time, after the jump (03:30).
    Later,
}

/// What a local date-time means in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LocalResolution {
    Unique {
        #[ts(type = "string")]
        instant: DateTime<Utc>,
    },
    /// The clocks go back: the time happens twice.
    Ambiguous {
        #[ts(type = "string")]
        earlier: DateTime<Utc>,
        #[ts(type = "string")]
        later: DateTime<Utc>,
    },
    /// The clocks go forward: the time does not happen. `before`/`after` are the instants a
    /// [`DstChoice::Earlier`] / [`DstChoice::Later`] choice means.
    Nonexistent {
        #[ts(type = "string")]
        before: DateTime<Utc>,
        #[ts(type = "string")]
        after: DateTime<Utc>,
    },
}

impl LocalResolution {
    pub fn pick(&self, choice: Option<DstChoice>) -> Option<DateTime<Utc>> {
        match (*self, choice) {
            (Self::Unique { instant }, _) => Some(instant),
            (Self::Ambiguous { earlier, .. }, Some(DstChoice::Earlier)) => Some(earlier),
            (Self::Ambiguous { later, .. }, Some(DstChoice::Later)) => Some(later),
            (Self::Nonexistent { before, .. }, Some(DstChoice::Earlier)) => Some(before),
            (Self::Nonexistent { after, .. }, Some(DstChoice::Later)) => Some(after),
            _ => None,
        }
    }
}

/// Resolves a wall-clock time in a zone without shifting anything silently.
pub fn resolve_local(local: NaiveDateTime, zone: Tz) -> LocalResolution {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => LocalResolution::Unique {
            instant: t.with_timezone(&Utc),
        },
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Ambiguous {
                earlier: a.min(b),
                later: a.max(b),
            }
        }
        LocalResult::None => {
            // The offsets in force on either side of the gap (gaps are at most a day long).
            let off = |t: NaiveDateTime| -> Option<i64> {
                zone.from_local_datetime(&t)
                    .earliest()
                    .map(|d| i64::from(d.offset().fix().local_minus_utc()))
            };
            // Checked steps: a gap at the very edge of chrono's range must not panic (parse_local
            // keeps user input far from it, but this is public).
            let before_off = (1..=48)
                .filter_map(|h| local.checked_sub_signed(ChronoDuration::minutes(30 * h)))
                .find_map(off)
                .unwrap_or(0);
            let after_off = (1..=48)
                .filter_map(|h| local.checked_add_signed(ChronoDuration::minutes(30 * h)))
                .find_map(off)
                .unwrap_or(0);
            let as_utc = |offset_s: i64| {
                Utc.from_utc_datetime(
                    &local
                        .checked_sub_signed(ChronoDuration::seconds(offset_s))
                        .unwrap_or(local),
                )
            };
            // Read with the later offset the time lands before the jump, with the earlier
            // offset after it.
            let (x, y) = (as_utc(after_off), as_utc(before_off));
            LocalResolution::Nonexistent {
                before: x.min(y),
                after: x.max(y),
            }
        }
    }
}

pub fn parse_zone(zone: &str) -> CoreResult<Tz> {
    zone.trim().parse::<Tz>().map_err(|_| {
        CoreError::InvalidInput(format!(
            "\"{zone}\" is not a time zone Tokdeck knows. Use an IANA name such as Europe/London or America/New_York."
        ))
    })
}

/// The years the calendar and the scheduler accept. chrono reaches year 262142, but date
/// arithmetic near that edge overflows, and nothing a creator schedules lies outside these.
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 9999;

fn check_year(year: i32, what: &str) -> CoreResult<()> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CoreError::InvalidInput(format!(
            "{what} is outside the years Tokdeck handles ({FIRST_YEAR} to {LAST_YEAR})."
        )))
    }
}

/// Parses `YYYY-MM-DDTHH:MM` (a space instead of `T` and `:SS` are accepted), years
/// [`FIRST_YEAR`] to [`LAST_YEAR`].
pub fn parse_local(text: &str) -> CoreResult<NaiveDateTime> {
    let t = text.trim().replace(' ', "T");
    let local = NaiveDateTime::parse_from_str(&t, LOCAL_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            CoreError::InvalidInput(format!(
                "\"{text}\" is not a date and time Tokdeck understands; use the form 2027-03-14T09:30."
            ))
        })?;
    check_year(local.year(), &format!("\"{text}\""))?;
    Ok(local)
}

/// The system's IANA zone, or UTC when it cannot be told.
pub fn system_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| z.parse::<Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

fn local_text(instant_ms: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(instant_ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn fmt_instant_in(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%H:%M %Z (UTC%:z)")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Inputs and DTOs

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

/// Posts listed per day in the month view (the week view lists all).
pub const MONTH_ITEMS_PER_DAY: u32 = 5;

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

// ---------------------------------------------------------------------------------------------
// Rows

#[derive(Debug, Clone, sqlx::FromRow)]
struct PostRow {
    id: i64,
    account_id: i64,
    status: String,
    mode: String,
    caption: String,
    privacy_level: Option<String>,
    allow_comment: bool,
    allow_duet: bool,
    allow_stitch: bool,
    commercial: bool,
    your_brand: bool,
    branded_content: bool,
    is_aigc: bool,
    cover_timestamp_ms: Option<i64>,
    media_path: String,
    media_size: i64,
    media_mtime_ms: i64,
    media_head_sha256: String,
    media_tail_sha256: String,
    media_facts: String,
    thumbnail_path: Option<String>,
    scheduled_at: Option<i64>,
    schedule_zone: Option<String>,
    schedule_local: Option<String>,
    publish_now: bool,
    consent_at: Option<i64>,
    max_duration_sec: Option<i64>,
    attention_reason: Option<String>,
    paused_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "id, account_id, status, mode, caption, privacy_level, allow_comment, \
    allow_duet, allow_stitch, commercial, your_brand, branded_content, is_aigc, \
    cover_timestamp_ms, media_path, media_size, media_mtime_ms, media_head_sha256, \
    media_tail_sha256, media_facts, thumbnail_path, scheduled_at, schedule_zone, schedule_local, \
    publish_now, consent_at, max_duration_sec, attention_reason, paused_reason, created_at, \
    updated_at";

impl PostRow {
    fn status(&self) -> PostStatus {
        PostStatus::parse(&self.status)
    }
    fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            size: self.media_size as u64,
            mtime_ms: self.media_mtime_ms,
            head_sha256: self.media_head_sha256.clone(),
            tail_sha256: self.media_tail_sha256.clone(),
        }
    }
    fn facts(&self) -> CoreResult<VideoFacts> {
        serde_json::from_str(&self.media_facts)
            .map_err(|e| CoreError::Internal(format!("stored media facts unreadable: {e}")))
    }
    fn commercial(&self) -> Commercial {
        Commercial {
            enabled: self.commercial,
            your_brand: self.your_brand,
            branded_content: self.branded_content,
        }
    }
    fn dto(&self) -> CoreResult<PostDto> {
        let zone = self
            .schedule_zone
            .as_deref()
            .and_then(|z| z.parse::<Tz>().ok());
        Ok(PostDto {
            id: self.id,
            account_id: self.account_id,
            status: self.status(),
            mode: PostMode::parse(&self.mode),
            caption: self.caption.clone(),
            privacy_level: self.privacy_level.clone(),
            allow_comment: self.allow_comment,
            allow_duet: self.allow_duet,
            allow_stitch: self.allow_stitch,
            commercial: self.commercial(),
            is_aigc: self.is_aigc,
            cover_timestamp_ms: self.cover_timestamp_ms.and_then(|v| u32::try_from(v).ok()),
            media_path: self.media_path.clone(),
            media: self.facts()?,
            fingerprint: self.fingerprint(),
            thumbnail_path: self.thumbnail_path.clone(),
            scheduled_at: self.scheduled_at.map(rfc3339),
            schedule_zone: self.schedule_zone.clone(),
            schedule_local_chosen: self.schedule_local.clone(),
            schedule_local: match (self.scheduled_at, zone) {
                (Some(at), Some(z)) => Some(local_text(at, z)),
                _ => None,
            },
            publish_now: self.publish_now,
            consent_at: self.consent_at.map(rfc3339),
            attention_reason: self.attention_reason.clone(),
            paused_reason: self.paused_reason.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}

/// The compose fields validated together.
#[derive(Debug, Clone)]
struct Content {
    caption: String,
    privacy_level: Option<String>,
    allow_comment: bool,
    allow_duet: bool,
    allow_stitch: bool,
    commercial: Commercial,
    is_aigc: bool,
    cover_timestamp_ms: Option<u32>,
    mode: PostMode,
}

impl Content {
    fn of(row: &PostRow) -> Self {
        Self {
            caption: row.caption.clone(),
            privacy_level: row.privacy_level.clone(),
            allow_comment: row.allow_comment,
            allow_duet: row.allow_duet,
            allow_stitch: row.allow_stitch,
            commercial: row.commercial(),
            is_aigc: row.is_aigc,
            cover_timestamp_ms: row.cover_timestamp_ms.and_then(|v| u32::try_from(v).ok()),
            mode: PostMode::parse(&row.mode),
        }
    }
    fn apply(&mut self, p: &ComposePatch) {
        if let Some(v) = &p.caption {
            self.caption = v.clone();
        }
        if let Some(v) = &p.privacy_level {
            self.privacy_level = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = p.allow_comment {
            self.allow_comment = v;
        }
        if let Some(v) = p.allow_duet {
            self.allow_duet = v;
        }
        if let Some(v) = p.allow_stitch {
            self.allow_stitch = v;
        }
        if let Some(v) = p.commercial {
            self.commercial = v;
        }
        if let Some(v) = p.is_aigc {
            self.is_aigc = v;
        }
        if let Some(v) = p.cover_timestamp_ms {
            self.cover_timestamp_ms = v;
        }
        if let Some(v) = p.mode {
            self.mode = v;
        }
    }

    /// Rules that hold even for a draft.
    fn check_draft(&self, facts: &VideoFacts) -> CoreResult<()> {
        let units = self.caption.encode_utf16().count();
        if units > MAX_CAPTION_UTF16 {
            return Err(CoreError::InvalidInput(format!(
                "The caption is {units} characters long (UTF-16 units); TikTok allows up to {MAX_CAPTION_UTF16}. Shorten it by {}.",
                units - MAX_CAPTION_UTF16
            )));
        }
        if let Some(c) = self.cover_timestamp_ms {
            if u64::from(c) > facts.duration_ms {
                return Err(CoreError::InvalidInput(format!(
                    "The cover frame at {} ms is past the end of the video ({} ms). Pick a frame inside the video.",
                    c, facts.duration_ms
                )));
            }
        }
        if self.commercial.branded_content
            && self.commercial.enabled
            && self.privacy_level.as_deref() == Some("SELF_ONLY")
        {
            return Err(CoreError::InvalidInput(
                "Branded content visibility cannot be set to private. Choose another privacy level or turn off Branded content.".to_owned(),
            ));
        }
        Ok(())
    }

    /// Everything TikTok requires before the post may be scheduled (§5.2, §7).
    fn check_for_posting(&self, facts: &VideoFacts, creator: &CreatorRules) -> CoreResult<()> {
        self.check_draft(facts)?;
        if self.mode == PostMode::Inbox {
            // The inbox init takes no post_info (§5.4): audience, interactions and disclosure
            // are chosen in the TikTok app, so only the video itself is checked.
            let violations = media::validate(facts, creator.max_video_post_duration_sec);
            if !violations.is_empty() {
                return Err(CoreError::InvalidInput(media::describe(&violations)));
            }
            return Ok(());
        }
        let who = if creator.nickname.is_empty() {
            "this account".to_owned()
        } else {
            creator.nickname.clone()
        };
        match &self.privacy_level {
            None => {
                return Err(CoreError::InvalidInput(
                    "Choose who can see this post (privacy level) before scheduling it.".to_owned(),
                ))
            }
            Some(p) if !creator.privacy_level_options.iter().any(|o| o == p) => {
                return Err(CoreError::InvalidInput(format!(
                    "Privacy \"{}\" is not offered by {who}; TikTok offers {}. Choose one of those.",
                    privacy_label(p),
                    creator
                        .privacy_level_options
                        .iter()
                        .map(|o| privacy_label(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            _ => {}
        }
        for (on, disabled, what) in [
            (self.allow_comment, creator.comment_disabled, "comments"),
            (self.allow_duet, creator.duet_disabled, "duets"),
            (self.allow_stitch, creator.stitch_disabled, "stitches"),
        ] {
            if on && disabled {
                return Err(CoreError::InvalidInput(format!(
                    "{who} has turned {what} off on TikTok, so this post cannot allow {what}. Untick it or change the setting on TikTok."
                )));
            }
        }
        if self.commercial.enabled
            && !self.commercial.your_brand
            && !self.commercial.branded_content
        {
            return Err(CoreError::InvalidInput(
                "You need to indicate if your content promotes yourself, a third party, or both."
                    .to_owned(),
            ));
        }
        let violations = media::validate(facts, creator.max_video_post_duration_sec);
        if !violations.is_empty() {
            return Err(CoreError::InvalidInput(media::describe(&violations)));
        }
        Ok(())
    }
}

fn privacy_label(p: &str) -> &str {
    match p {
        "PUBLIC_TO_EVERYONE" => "Everyone",
        "MUTUAL_FOLLOW_FRIENDS" => "Friends",
        "FOLLOWER_OF_CREATOR" => "Followers",
        "SELF_ONLY" => "Only me",
        other => other,
    }
}

async fn load_row(pool: &SqlitePool, id: i64) -> CoreResult<PostRow> {
    sqlx::query_as::<_, PostRow>(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM posts WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?
    .ok_or_else(|| {
        CoreError::NotFound(format!(
            "Post {id} does not exist (it may have been deleted)."
        ))
    })
}

async fn live_account(pool: &SqlitePool, account_id: i64) -> CoreResult<()> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT removed_at FROM accounts WHERE id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    match row {
        None => Err(CoreError::NotFound(format!(
            "Account {account_id} does not exist."
        ))),
        Some((Some(_),)) => Err(CoreError::InvalidInput(
            "This account was removed from Tokdeck. Reconnect it to post to it.".to_owned(),
        )),
        Some((None,)) => Ok(()),
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(format!("background task failed: {e}")))
}

/// A compare-and-set of a post lost: the scheduler or the publisher moved it meanwhile.
fn changed_meanwhile() -> CoreError {
    CoreError::Conflict(
        "This post changed meanwhile (the publisher may have started it). Look at it again."
            .to_owned(),
    )
}

/// Probes and fingerprints a file (blocking I/O off the runtime).
pub async fn probe_file(path: PathBuf) -> CoreResult<(VideoFacts, Fingerprint)> {
    blocking(move || -> CoreResult<(VideoFacts, Fingerprint)> {
        let facts = media::probe(&path)?;
        let fp = media::fingerprint(&path).map_err(|e| {
            CoreError::InvalidInput(format!("Tokdeck cannot read {}: {e}.", path.display()))
        })?;
        Ok((facts, fp))
    })
    .await?
}

// ---------------------------------------------------------------------------------------------
// Settings: caps and default zones

pub async fn caps(pool: &SqlitePool) -> CoreResult<Caps> {
    Ok(crate::settings::read_json(pool, CAPS_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub async fn set_caps(pool: &SqlitePool, caps: Caps) -> CoreResult<Caps> {
    if caps.daily_posts == 0 || caps.pending_inbox == 0 {
        return Err(CoreError::InvalidInput(
            "A cap must be at least 1 post.".to_owned(),
        ));
    }
    crate::settings::write_json(pool, CAPS_KEY, &caps).await?;
    Ok(caps)
}

/// The account's default zone if set, else the system's.
pub async fn account_zone(pool: &SqlitePool, account_id: i64) -> CoreResult<String> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT default_zone FROM account_post_settings WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(z,)| z).unwrap_or_else(system_zone))
}

/// Sets (or with `None` clears) an account's default zone.
pub async fn set_account_zone(
    pool: &SqlitePool,
    account_id: i64,
    zone: Option<&str>,
) -> CoreResult<()> {
    let zone = match zone.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => Some(parse_zone(z)?.name().to_owned()),
        None => None,
    };
    sqlx::query(
        "INSERT INTO account_post_settings (account_id, default_zone) VALUES (?, ?)
         ON CONFLICT(account_id) DO UPDATE SET default_zone = excluded.default_zone",
    )
    .bind(account_id)
    .bind(zone)
    .execute(pool)
    .await?;
    Ok(())
}

/// Warnings for one more post of `mode` at `at_ms` on the account (the post itself excluded).
pub async fn cap_warnings(
    pool: &SqlitePool,
    account_id: i64,
    mode: PostMode,
    at_ms: i64,
    exclude_post: Option<i64>,
) -> CoreResult<Vec<CapWarning>> {
    let caps = caps(pool).await?;
    let (limit, statuses, kind) = match mode {
        PostMode::Direct => (
            caps.daily_posts,
            "'scheduled', 'queued', 'publishing', 'published'",
            CapKind::DailyPosts,
        ),
        PostMode::Inbox => (
            caps.pending_inbox,
            "'scheduled', 'queued', 'publishing', 'published'",
            CapKind::PendingInbox,
        ),
    };
    let mut times: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
        "SELECT scheduled_at FROM posts
         WHERE account_id = ? AND scheduled_at > ? AND scheduled_at < ? AND mode = ?
           AND status IN ({statuses}) AND id != ?
         ORDER BY scheduled_at"
    )))
    .bind(account_id)
    .bind(at_ms - DAY_MS)
    .bind(at_ms + DAY_MS)
    .bind(mode.as_str())
    .bind(exclude_post.unwrap_or(-1))
    .fetch_all(pool)
    .await?;
    times.push(at_ms);
    times.sort_unstable();
    // The busiest 24 h window that contains the new post.
    let mut worst = 0usize;
    let mut lo = 0usize;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= DAY_MS {
            lo += 1;
        }
        if times[lo] <= at_ms && at_ms <= times[hi] {
            worst = worst.max(hi - lo + 1);
        }
    }
    let count = worst as u32;
    if count <= limit {
        return Ok(Vec::new());
    }
    let message = match kind {
        CapKind::DailyPosts => format!(
            "This would be {count} direct posts for this account within 24 hours; TikTok allows about {limit}, so some may be refused. Spread them out."
        ),
        CapKind::PendingInbox => format!(
            "This would be {count} inbox uploads for this account within 24 hours; TikTok allows {limit} pending drafts, so some may be refused."
        ),
    };
    Ok(vec![CapWarning {
        cap: kind,
        count,
        limit,
        message,
    }])
}

async fn insert_post<'e, E: sqlx::SqliteExecutor<'e>>(
    ex: E,
    account_id: i64,
    c: &Content,
    media_path: &str,
    fp: &Fingerprint,
    facts: &VideoFacts,
    now: i64,
) -> CoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (account_id, status, mode, caption, privacy_level, allow_comment,
            allow_duet, allow_stitch, commercial, your_brand, branded_content, is_aigc,
            cover_timestamp_ms, media_path, media_size, media_mtime_ms, media_head_sha256,
            media_tail_sha256, media_facts, created_at, updated_at)
         VALUES (?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         RETURNING id",
    )
    .bind(account_id)
    .bind(c.mode.as_str())
    .bind(&c.caption)
    .bind(&c.privacy_level)
    .bind(c.allow_comment)
    .bind(c.allow_duet)
    .bind(c.allow_stitch)
    .bind(c.commercial.enabled)
    .bind(c.commercial.your_brand)
    .bind(c.commercial.branded_content)
    .bind(c.is_aigc)
    .bind(c.cover_timestamp_ms.map(i64::from))
    .bind(media_path)
    .bind(fp.size as i64)
    .bind(fp.mtime_ms)
    .bind(&fp.head_sha256)
    .bind(&fp.tail_sha256)
    .bind(serde_json::to_string(facts).expect("facts serialise"))
    .bind(now)
    .bind(now)
    .fetch_one(ex)
    .await?;
    Ok(id)
}

/// Midnight at the start of `day` in `tz` (the first instant of the day when midnight is
/// skipped, as in zones that change at 00:00).
fn day_start(tz: Tz, day: NaiveDate) -> i64 {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..(24 * 4) {
        if let Some(d) = tz.from_local_datetime(&t).earliest() {
            return d.timestamp_millis();
        }
        match t.checked_add_signed(ChronoDuration::minutes(15)) {
            Some(next) => t = next,
            None => break,
        }
    }
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
        .timestamp_millis()
}

type CalTuple = (
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

impl From<CalTuple> for CalRow {
    fn from(t: CalTuple) -> Self {
        CalRow {
            id: t.0,
            account_id: t.1,
            status: t.2,
            mode: t.3,
            caption: t.4,
            thumbnail_path: t.5,
            scheduled_at: t.6,
            schedule_zone: t.7,
            paused_reason: t.8,
            display_name: t.9,
            username: t.10,
            label: t.11,
        }
    }
}

#[derive(sqlx::FromRow)]
struct CalRow {
    id: i64,
    account_id: i64,
    status: String,
    mode: String,
    caption: String,
    thumbnail_path: Option<String>,
    scheduled_at: i64,
    schedule_zone: Option<String>,
    paused_reason: Option<String>,
    display_name: String,
    username: String,
    label: String,
}

/// The SQL of a calendar range (public for the benchmark's CLI reference).
pub const CALENDAR_SQL: &str = "SELECT p.id, p.account_id, p.status, p.mode, \
    substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, p.schedule_zone, \
    p.paused_reason, a.display_name, a.username, a.label \
    FROM posts p JOIN accounts a ON a.id = p.account_id \
    WHERE p.scheduled_at >= ? AND p.scheduled_at < ? AND p.status != 'cancelled'";
pub const CALENDAR_ACCOUNT_FILTER: &str = " AND p.account_id = ?";
pub const CALENDAR_ORDER: &str = " ORDER BY p.scheduled_at, p.id";

fn cal_item(r: CalRow, view: Tz) -> CalendarItem {
    let post_tz = r
        .schedule_zone
        .as_deref()
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(view);
    let title = if !r.label.is_empty() {
        r.label
    } else if !r.display_name.is_empty() {
        r.display_name
    } else {
        format!("@{}", r.username)
    };
    let status = PostStatus::parse(&r.status);
    CalendarItem {
        id: r.id,
        account_id: r.account_id,
        account_title: title,
        status,
        mode: PostMode::parse(&r.mode),
        caption: r.caption,
        thumbnail_path: r.thumbnail_path,
        scheduled_at: rfc3339(r.scheduled_at),
        local: local_text(r.scheduled_at, view),
        post_zone: post_tz.name().to_owned(),
        post_local: local_text(r.scheduled_at, post_tz),
        paused: r.paused_reason.is_some(),
        needs_attention: status == PostStatus::NeedsAttention,
    }
}

async fn calendar_range(
    pool: &SqlitePool,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    account_id: Option<i64>,
    per_day: Option<u32>,
) -> CoreResult<CalendarRange> {
    let mut dates = Vec::new();
    let mut d = from;
    while d < to {
        dates.push(d);
        let Some(next) = d.succ_opt() else { break };
        d = next;
    }
    let bounds: Vec<i64> = dates
        .iter()
        .map(|d| day_start(tz, *d))
        .chain(std::iter::once(day_start(tz, to)))
        .collect();
    let (start, end) = (bounds[0], bounds[bounds.len() - 1]);

    let sql = calendar_range_sql(dates.len(), account_id.is_some());
    let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
    for values in calendar_day_values(&bounds) {
        for v in values {
            q = q.bind(v);
        }
    }
    if let Some(a) = account_id {
        q = q.bind(a).bind(a);
    }
    // SQLite reads a negative LIMIT as "no limit".
    let limit = per_day.map_or(-1, i64::from);
    let json = q.bind(limit).fetch_one(pool).await?;
    let fetched: Vec<RangeRow> = serde_json::from_str::<Vec<RangeTuple>>(&json)
        .map_err(|e| CoreError::Internal(format!("calendar rows: {e}")))?
        .into_iter()
        .map(RangeRow::from)
        .collect();
    let mut days: Vec<CalendarDay> = dates
        .iter()
        .map(|d| CalendarDay {
            date: d.format("%Y-%m-%d").to_string(),
            count: 0,
        })
        .collect();
    let mut rows = Vec::with_capacity(fetched.len());
    for r in fetched {
        if let Some(day) = usize::try_from(r.d).ok().and_then(|i| days.get_mut(i)) {
            day.count = u32::try_from(r.n).unwrap_or(u32::MAX);
        }
        if let Some(row) = r.into_cal_row() {
            rows.push(row);
        }
    }
    rows.sort_by_key(|r| (r.scheduled_at, r.id));
    Ok(CalendarRange {
        zone: tz.name().to_owned(),
        start: rfc3339(start),
        end: rfc3339(end),
        items: rows.into_iter().map(|r| cal_item(r, tz)).collect(),
        days,
        per_day_limit: per_day,
    })
}

/// A range row as the statement's JSON array gives it (one row per fetch instead of one per
/// post: every row crossing from SQLite's worker thread costs more than the query itself).
type RangeTuple = (
    i64,
    i64,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl From<RangeTuple> for RangeRow {
    fn from(t: RangeTuple) -> Self {
        RangeRow {
            d: t.0,
            n: t.1,
            id: t.2,
            account_id: t.3,
            status: t.4,
            mode: t.5,
            caption: t.6,
            thumbnail_path: t.7,
            scheduled_at: t.8,
            schedule_zone: t.9,
            paused_reason: t.10,
            display_name: t.11,
            username: t.12,
            label: t.13,
        }
    }
}

struct RangeRow {
    d: i64,
    n: i64,
    id: Option<i64>,
    account_id: Option<i64>,
    status: Option<String>,
    mode: Option<String>,
    caption: Option<String>,
    thumbnail_path: Option<String>,
    scheduled_at: Option<i64>,
    schedule_zone: Option<String>,
    paused_reason: Option<String>,
    display_name: Option<String>,
    username: Option<String>,
    label: Option<String>,
}

impl RangeRow {
    fn into_cal_row(self) -> Option<CalRow> {
        Some(CalRow {
            id: self.id?,
            account_id: self.account_id?,
            status: self.status?,
            mode: self.mode?,
            caption: self.caption.unwrap_or_default(),
            thumbnail_path: self.thumbnail_path,
            scheduled_at: self.scheduled_at?,
            schedule_zone: self.schedule_zone,
            paused_reason: self.paused_reason,
            display_name: self.display_name.unwrap_or_default(),
            username: self.username.unwrap_or_default(),
            label: self.label.unwrap_or_default(),
        })
    }
}

/// Milliseconds per `post_hours` bucket (migration 0006).
const HOUR_MS: i64 = 3_600_000;

/// The values bound for each day of a calendar range, given the day boundaries (one more than
/// days): `(index, start, end, first whole hour, end of the last whole hour)`; hours are
/// `post_hours` buckets. A day in a zone whose offset is not whole hours starts and ends inside
/// a bucket: those partial hours are counted from the index instead.
pub fn calendar_day_values(bounds: &[i64]) -> Vec<[i64; 5]> {
    bounds
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (s, e) = (w[0], w[1]);
            let first = s.div_euclid(HOUR_MS) + i64::from(s.rem_euclid(HOUR_MS) != 0);
            // A range shorter than an hour has no whole hour: count it all from the index.
            let last = e.div_euclid(HOUR_MS).max(first);
            let (first, last) = if first * HOUR_MS > e {
                (0, 0)
            } else {
                (first, last)
            };
            [i as i64, s, e, first, last]
        })
        .collect()
}

/// A calendar range in one statement: for each day (bound as the five values of
/// [`calendar_day_values`]), its number of posts and its first posts (the per-day limit is the
/// last parameter; negative: all), soonest first, as one JSON array. With an account filter the
/// account is bound twice after the days. Over all accounts a day's count sums its whole hours
/// in `post_hours` (kept by triggers) plus the posts of its partial hours; one account's posts
/// are few, so they are counted from the account's index. Rows are read only for the posts
/// listed.
pub fn calendar_range_sql(days: usize, account: bool) -> String {
    let values = vec!["(?, ?, ?, ?, ?)"; days].join(", ");
    let live = "q.status != 'cancelled'";
    let (filter, count) = if account {
        (
            " AND q.account_id = ?",
            format!(
                "(SELECT count(*) FROM posts q WHERE q.scheduled_at >= v.s \
                 AND q.scheduled_at < v.e AND {live} AND q.account_id = ?)"
            ),
        )
    } else {
        (
            "",
            format!(
                "(SELECT coalesce(sum(h.n), 0) FROM post_hours h WHERE h.hour >= v.hs \
                     AND h.hour < v.he) \
                 + (SELECT count(*) FROM posts q WHERE q.scheduled_at >= v.s \
                     AND q.scheduled_at < v.hs * {HOUR_MS} AND {live}) \
                 + (SELECT count(*) FROM posts q WHERE q.scheduled_at >= max(v.s, v.he * {HOUR_MS}) \
                     AND q.scheduled_at < v.e AND {live})"
            ),
        )
    };
    let inner = format!(
        "WITH v(d, s, e, hs, he) AS (VALUES {values}), \
         days AS MATERIALIZED (SELECT d, s, e, {count} AS n FROM v) \
         SELECT days.d, days.n, p.id, p.account_id, p.status, p.mode, \
             substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, \
             p.schedule_zone, p.paused_reason, a.display_name, a.username, a.label \
         FROM days LEFT JOIN posts p ON days.n > 0 AND p.id IN (SELECT q.id FROM posts q \
             WHERE q.scheduled_at >= days.s AND q.scheduled_at < days.e \
             AND {live}{filter} \
             ORDER BY q.scheduled_at, q.id LIMIT ?) \
         LEFT JOIN accounts a ON a.id = p.account_id \
         ORDER BY days.d, p.scheduled_at, p.id"
    );
    format!(
        "SELECT json_group_array(json_array(d, n, id, account_id, status, mode, caption, \
         thumbnail_path, scheduled_at, schedule_zone, paused_reason, display_name, username, \
         label)) FROM ({inner})"
    )
}

/// Posts still to publish: the queue's upcoming part, soonest first. Exactly the condition of
/// the partial index `posts_pending` (migration 0006), which SQLite uses only when the query
/// repeats it.
pub const QUEUE_PENDING: &str =
    "p.status IN ('scheduled', 'needs_attention', 'queued', 'publishing') \
    AND p.scheduled_at IS NOT NULL";
/// Finished posts (the queue's optional second part, most recent first): index `posts_finished`.
pub const QUEUE_FINISHED: &str =
    "p.status IN ('published', 'failed', 'missed') AND p.scheduled_at IS NOT NULL";

/// Below this many caption matches the queue search uses the trigram index.
pub const FTS_RARE: i64 = 400;

/// How the queue finds a search term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSearch {
    None,
    /// A substring scan in time order (`?2`, a LIKE pattern).
    Like,
    /// Over all accounts, a term of 3+ characters: the trigram index (`?3`, an FTS5 phrase)
    /// when it matches fewer than [`FTS_RARE`] posts, else the scan (`?2`).
    Trigram,
}

const QUEUE_COLUMNS: &str = "p.id, p.account_id, p.status, p.mode, \
    substr(p.caption, 1, 200) AS caption, p.thumbnail_path, p.scheduled_at, p.schedule_zone, \
    p.paused_reason, a.display_name, a.username, a.label";

/// The queue's tables with the way to read `posts` fixed: the app never runs ANALYZE, and
/// without statistics SQLite prefers `posts_status` (every post of the listed statuses, then a
/// sort) to the time-ordered scan that stops after `limit` rows.
fn queue_from(posts_access: &str) -> String {
    format!("FROM posts p {posts_access} JOIN accounts a ON a.id = p.account_id")
}

/// One part of the queue: `section` 0 upcoming (soonest first), 1 finished (latest first), at
/// most `limit` rows.
fn queue_part(section: u8, account: bool, like: bool, limit: &str) -> String {
    let (cond, dir) = if section == 0 {
        (QUEUE_PENDING, "")
    } else {
        (QUEUE_FINISHED, " DESC")
    };
    let index = match (account, section) {
        (true, _) => "posts_account_time",
        (false, 0) => "posts_pending",
        (false, _) => "posts_finished",
    };
    let from = queue_from(&format!("INDEXED BY {index}"));
    let account = if account {
        " AND p.account_id = ?1"
    } else {
        ""
    };
    let like = if like {
        " AND p.caption LIKE ?2 ESCAPE '\\'"
    } else {
        ""
    };
    format!(
        "SELECT * FROM (SELECT {section} AS sec, {QUEUE_COLUMNS} {from} \
         WHERE {cond}{account}{like} \
         ORDER BY p.scheduled_at{dir}, p.id{dir} LIMIT {limit})"
    )
}

/// The queue as one statement returning one JSON array of rows `[part, ...CalTuple]`.
/// Parameters: `?1` account, `?2` LIKE pattern, `?3` FTS5 phrase, `?4` upcoming limit, `?5`
/// finished limit (bind all five; unused ones are ignored). The trigram case chooses between index and scan inside
/// the statement: the matches (at most `FTS_RARE`) are materialised once, and the branch not
/// taken gets `LIMIT 0`, which SQLite checks before reading any row (a `WHERE` condition would
/// be tested row by row over the whole scan).
pub fn queue_sql(account: bool, search: QueueSearch, finished: bool) -> String {
    let like = search != QueueSearch::None;
    let trigram = search == QueueSearch::Trigram;
    let scan_limit = |param: &str| {
        if trigram {
            format!("CASE WHEN (SELECT yes FROM rare) THEN 0 ELSE {param} END")
        } else {
            param.to_owned()
        }
    };
    let mut parts = vec![queue_part(0, account, like, &scan_limit("?4"))];
    if finished {
        parts.push(queue_part(1, account, like, &scan_limit("?5")));
    }
    let mut with = String::new();
    if trigram {
        with = format!(
            "WITH m AS MATERIALIZED (SELECT rowid AS id FROM posts_fts \
             WHERE posts_fts MATCH ?3 LIMIT {FTS_RARE}), \
             rare(yes) AS MATERIALIZED (SELECT count(*) < {FTS_RARE} FROM m) "
        );
        // Few matches: every matching post of either part (fewer than FTS_RARE); the caller
        // orders and bounds each part.
        let statuses = if finished {
            format!("(({QUEUE_PENDING}) OR ({QUEUE_FINISHED}))")
        } else {
            format!("({QUEUE_PENDING})")
        };
        let account = if account {
            " AND p.account_id = ?1"
        } else {
            ""
        };
        parts.push(format!(
            "SELECT * FROM (SELECT CASE WHEN {QUEUE_FINISHED} THEN 1 ELSE 0 END AS sec, \
             {QUEUE_COLUMNS} {} WHERE p.id IN (SELECT id FROM m) AND {statuses}{account} \
             LIMIT CASE WHEN (SELECT yes FROM rare) THEN -1 ELSE 0 END)",
            // Rowid look-ups of the matches only.
            queue_from("NOT INDEXED")
        ));
    }
    format!(
        "{with}SELECT json_group_array(json_array(sec, id, account_id, status, mode, caption, \
         thumbnail_path, scheduled_at, schedule_zone, paused_reason, display_name, username, \
         label)) FROM ({})",
        parts.join(" UNION ALL ")
    )
}

/// An FTS5 string literal matching `term` as a substring.
pub fn fts_phrase(term: &str) -> String {
    format!("\"{}\"", term.replace('"', "\"\""))
}

/// A LIKE pattern (escape `\\`) matching `term` as a substring.
pub fn like_pattern(term: &str) -> String {
    format!(
        "%{}%",
        term.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// How `queue` searches `q` (public so the benchmark runs the same statement).
pub fn queue_search(q: &QueueQuery) -> QueueSearch {
    match q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => QueueSearch::None,
        // One account's posts are few: scan them in time order. Over all accounts, a rare
        // term goes through the trigram index; a common one is found quickly by the scan.
        Some(t) if q.account_id.is_none() && t.chars().count() >= 3 => QueueSearch::Trigram,
        Some(_) => QueueSearch::Like,
    }
}

/// A queue row as the statement's JSON array gives it: the part (0 upcoming, 1 finished), then
/// the columns of a [`CalTuple`].
type QueueTuple = (
    u8,
    i64,
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

fn queue_row(t: QueueTuple) -> (u8, CalRow) {
    let row = (
        t.1, t.2, t.3, t.4, t.5, t.6, t.7, t.8, t.9, t.10, t.11, t.12,
    );
    (t.0, CalRow::from(row))
}

/// The queue's bounds: upcoming posts (50 by default, 1 to 200) and finished ones (0 to 200).
pub fn queue_limits(q: &QueueQuery) -> (i64, i64) {
    (
        q.limit.unwrap_or(50).clamp(1, 200),
        q.finished_limit.unwrap_or(0).clamp(0, 200),
    )
}

async fn queue(pool: &SqlitePool, q: &QueueQuery, zone: &str) -> CoreResult<Vec<CalendarItem>> {
    let tz = parse_zone(zone).unwrap_or(Tz::UTC);
    let search = queue_search(q);
    let term = q.search.as_deref().map(str::trim).unwrap_or_default();
    let (limit, finished_limit) = queue_limits(q);
    let sql = queue_sql(q.account_id.is_some(), search, finished_limit > 0);
    let json = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql))
        .bind(q.account_id)
        .bind((search != QueueSearch::None).then(|| like_pattern(term)))
        .bind((search == QueueSearch::Trigram).then(|| fts_phrase(term)))
        .bind(limit)
        .bind(finished_limit)
        .fetch_one(pool)
        .await?;
    let rows = serde_json::from_str::<Vec<QueueTuple>>(&json)
        .map_err(|e| CoreError::Internal(format!("queue rows: {e}")))?;
    let (mut upcoming, mut finished): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .map(queue_row)
        .partition(|(sec, _)| *sec == 0);
    upcoming.sort_by_key(|(_, r)| (r.scheduled_at, r.id));
    finished.sort_by_key(|(_, r)| std::cmp::Reverse((r.scheduled_at, r.id)));
    let take = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(upcoming
        .into_iter()
        .take(take(limit))
        .chain(finished.into_iter().take(take(finished_limit)))
        .map(|(_, r)| cal_item(r, tz))
        .collect())
}

/// The queue shown in a given zone (the UI's zone rather than the system's).
pub async fn queue_in_zone(
    pool: &SqlitePool,
    q: &QueueQuery,
    zone: &str,
) -> CoreResult<Vec<CalendarItem>> {
    queue(pool, q, zone).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_and_overlap() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let t = parse_local("2027-03-14T02:30").unwrap();
        match resolve_local(t, ny) {
            LocalResolution::Nonexistent { before, after } => {
                assert_eq!(before.to_rfc3339(), "2027-03-14T06:30:00+00:00");
                assert_eq!(after.to_rfc3339(), "2027-03-14T07:30:00+00:00");
            }
            other => panic!("{other:?}"),
        }
        let london: Tz = "Europe/London".parse().unwrap();
        let t = parse_local("2027-10-31T01:30").unwrap();
        match resolve_local(t, london) {
            LocalResolution::Ambiguous { earlier, later } => {
                assert_eq!(earlier.to_rfc3339(), "2027-10-31T00:30:00+00:00");
                assert_eq!(later.to_rfc3339(), "2027-10-31T01:30:00+00:00");
            }
            other => panic!("{other:?}"),
        }
    }
}
