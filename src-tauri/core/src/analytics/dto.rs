//! What the analytics API answers (a leaf: types only). Times are RFC 3339 UTC like every DTO
//! time; ages are hours since TikTok's create time of the video.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a post's TikTok video was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The publish status gave its public id.
    PublicId,
    /// One video in the account's list had the post's create time and caption.
    Matched,
    /// A video close in time, but its caption or a neighbour leaves doubt: say so.
    Uncertain,
    /// Not found yet (TikTok shows a post after moderation, sometimes hours later).
    Pending,
    /// Never found in the account's public videos.
    Unmatched,
    /// Posted outside Tokdeck; imported from the account's public videos.
    Imported,
}

impl MatchKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublicId => "public_id",
            Self::Matched => "matched",
            Self::Uncertain => "uncertain",
            Self::Pending => "pending",
            Self::Unmatched => "unmatched",
            Self::Imported => "imported",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "public_id" => Self::PublicId,
            "matched" => Self::Matched,
            "uncertain" => Self::Uncertain,
            "unmatched" => Self::Unmatched,
            "imported" => Self::Imported,
            _ => Self::Pending,
        }
    }
}

/// What TikTok reports of a video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Not seen in the account's public videos yet.
    Pending,
    /// Live on TikTok: its numbers are reported.
    Public,
    /// Posted to a narrower audience than everyone ("Only me", friends, followers): TikTok
    /// never reports its numbers, so there are none (not zeros).
    Private,
    /// Was live, TikTok no longer reports it: removed, moderated or made private.
    Gone,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Public => "public",
            Self::Private => "private",
            Self::Gone => "gone",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "public" => Self::Public,
            "private" => Self::Private,
            "gone" => Self::Gone,
            _ => Self::Pending,
        }
    }
}

/// An account's public counts at one instant (fields TikTok did not give are `None`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    #[ts(type = "number | null")]
    pub follower_count: Option<i64>,
    #[ts(type = "number | null")]
    pub following_count: Option<i64>,
    #[ts(type = "number | null")]
    pub likes_count: Option<i64>,
    #[ts(type = "number | null")]
    pub video_count: Option<i64>,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        self.follower_count.is_none()
            && self.following_count.is_none()
            && self.likes_count.is_none()
            && self.video_count.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotPoint {
    pub taken_at: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// One account's snapshots in a time range, oldest first. Days without a snapshot are gaps:
/// `gaps` lists every stretch longer than [`GAP_MS`] with no snapshot, so a chart breaks its
/// line there instead of drawing through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountSeries {
    pub account_id: i64,
    pub points: Vec<SnapshotPoint>,
    pub gaps: Vec<Gap>,
}

/// No snapshot from `from` to `to` (the two snapshots around the hole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Gap {
    pub from: String,
    pub to: String,
}

/// A longer stretch than this without a snapshot is a gap (snapshots are at least daily).
pub const GAP_MS: i64 = 36 * 3600 * 1000;

/// One video's numbers at one sampled age.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CurvePoint {
    /// The schedule's age (hours) this sample stands for.
    pub age_bucket_hours: u32,
    /// Its real age when sampled (hours, fractional).
    pub age_hours: f64,
    pub sampled_at: String,
    #[ts(type = "number")]
    pub views: i64,
    #[ts(type = "number")]
    pub likes: i64,
    #[ts(type = "number")]
    pub comments: i64,
    #[ts(type = "number")]
    pub shares: i64,
}

/// A published post (or an imported video) as analytics knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PostPerformance {
    pub id: i64,
    pub account_id: i64,
    /// Tokdeck's post; `None` for a video posted outside Tokdeck.
    pub post_id: Option<i64>,
    pub video_id: Option<String>,
    pub match_kind: MatchKind,
    pub visibility: Visibility,
    pub share_url: Option<String>,
    pub caption: String,
    pub published_at: String,
    /// When TikTok first listed it; when it stopped.
    pub live_at: Option<String>,
    pub gone_at: Option<String>,
    /// The latest numbers TikTok gave (none for private posts, none before it was seen).
    #[ts(type = "number | null")]
    pub views: Option<i64>,
    #[ts(type = "number | null")]
    pub likes: Option<i64>,
    #[ts(type = "number | null")]
    pub comments: Option<i64>,
    #[ts(type = "number | null")]
    pub shares: Option<i64>,
    pub counted_at: Option<String>,
}

/// A post's curve, with the account's median at each sampled age ("this post vs your median").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PostCurve {
    pub post: PostPerformance,
    pub points: Vec<CurvePoint>,
    /// The median views of the account's videos (this one included) at each sampled age.
    pub account_median: Vec<MedianAt>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MedianAt {
    pub age_bucket_hours: u32,
    pub views: f64,
    /// How many videos the median is over.
    pub videos: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TopSort {
    #[default]
    Views,
    Likes,
    Comments,
    Shares,
    Recent,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TopPostsQuery {
    /// One account, or all of them.
    pub account_id: Option<i64>,
    #[serde(default)]
    pub sort: TopSort,
    /// Default 50, at most 200.
    pub limit: Option<u32>,
    /// Only videos published at or after this instant (RFC 3339).
    pub since: Option<String>,
}

/// One cell of the best-time heatmap: posts published on `weekday` (0 = Monday) at `hour`, in
/// the zone asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeatCell {
    pub weekday: u8,
    pub hour: u8,
    /// Median of these posts' 24-hour views divided by the account's median 24-hour views
    /// (1.0 = as usual); `None` without posts.
    pub relative: Option<f64>,
    pub posts: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Heatmap {
    pub account_id: i64,
    pub zone: String,
    /// 7 × 24 cells, Monday 00 h first.
    pub cells: Vec<HeatCell>,
    /// Posts with a 24-hour sample behind the map, and the account's median 24-hour views.
    pub posts: u32,
    pub median_views: Option<f64>,
    /// Fewer posts than [`HEATMAP_MIN_POSTS`]: the UI says "not enough posts yet".
    pub enough: bool,
}

/// Posts with a 24-hour sample an account needs before its heatmap says anything.
pub const HEATMAP_MIN_POSTS: u32 = 10;

/// Which table a CSV export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CsvKind {
    Snapshots,
    Samples,
}
