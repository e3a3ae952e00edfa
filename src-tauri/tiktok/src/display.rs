//! Display API: user info, video list, video query.

use reqwest::Method;
use serde::{Deserialize, Deserializer};
use serde_json::json;

use crate::error::{Error, Result};
use crate::http::{Body, Endpoint, TikTokClient};
use crate::tokens::AccessToken;

/// Fields of `GET /v2/user/info/`. Each needs the scope noted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UserField {
    /// `open_id` (user.info.basic)
    OpenId,
    /// `union_id` (user.info.basic)
    UnionId,
    /// `avatar_url` (user.info.basic)
    AvatarUrl,
    /// `avatar_url_100` (user.info.basic)
    AvatarUrl100,
    /// `avatar_large_url` (user.info.basic)
    AvatarLargeUrl,
    /// `display_name` (user.info.basic)
    DisplayName,
    /// `bio_description` (user.info.profile)
    BioDescription,
    /// `profile_deep_link` (user.info.profile)
    ProfileDeepLink,
    /// `is_verified` (user.info.profile)
    IsVerified,
    /// `username` (user.info.profile)
    Username,
    /// `follower_count` (user.info.stats)
    FollowerCount,
    /// `following_count` (user.info.stats)
    FollowingCount,
    /// `likes_count` (user.info.stats)
    LikesCount,
    /// `video_count` (user.info.stats)
    VideoCount,
}

impl UserField {
    /// Every field.
    pub const ALL: [UserField; 14] = [
        Self::OpenId,
        Self::UnionId,
        Self::AvatarUrl,
        Self::AvatarUrl100,
        Self::AvatarLargeUrl,
        Self::DisplayName,
        Self::BioDescription,
        Self::ProfileDeepLink,
        Self::IsVerified,
        Self::Username,
        Self::FollowerCount,
        Self::FollowingCount,
        Self::LikesCount,
        Self::VideoCount,
    ];

    /// TikTok's field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OpenId => "open_id",
            Self::UnionId => "union_id",
            Self::AvatarUrl => "avatar_url",
            Self::AvatarUrl100 => "avatar_url_100",
            Self::AvatarLargeUrl => "avatar_large_url",
            Self::DisplayName => "display_name",
            Self::BioDescription => "bio_description",
            Self::ProfileDeepLink => "profile_deep_link",
            Self::IsVerified => "is_verified",
            Self::Username => "username",
            Self::FollowerCount => "follower_count",
            Self::FollowingCount => "following_count",
            Self::LikesCount => "likes_count",
            Self::VideoCount => "video_count",
        }
    }
}

/// The requested subset of a user's profile; fields not requested (or not returned) are `None`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct UserInfo {
    pub open_id: Option<String>,
    pub union_id: Option<String>,
    /// Short-lived signed URL: cache the image, not the URL.
    pub avatar_url: Option<String>,
    pub avatar_url_100: Option<String>,
    pub avatar_large_url: Option<String>,
    pub display_name: Option<String>,
    pub bio_description: Option<String>,
    pub profile_deep_link: Option<String>,
    pub is_verified: Option<bool>,
    pub username: Option<String>,
    pub follower_count: Option<i64>,
    pub following_count: Option<i64>,
    pub likes_count: Option<i64>,
    pub video_count: Option<i64>,
    /// TikTok's `log_id` for the call.
    #[serde(skip)]
    pub log_id: Option<String>,
}

/// Fields of the Video object (`/v2/video/list/`, `/v2/video/query/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoField {
    Id,
    CreateTime,
    CoverImageUrl,
    ShareUrl,
    VideoDescription,
    Duration,
    Height,
    Width,
    Title,
    EmbedHtml,
    EmbedLink,
    LikeCount,
    CommentCount,
    ShareCount,
    ViewCount,
}

impl VideoField {
    /// Every field.
    pub const ALL: [VideoField; 15] = [
        Self::Id,
        Self::CreateTime,
        Self::CoverImageUrl,
        Self::ShareUrl,
        Self::VideoDescription,
        Self::Duration,
        Self::Height,
        Self::Width,
        Self::Title,
        Self::EmbedHtml,
        Self::EmbedLink,
        Self::LikeCount,
        Self::CommentCount,
        Self::ShareCount,
        Self::ViewCount,
    ];

    /// TikTok's field name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::CreateTime => "create_time",
            Self::CoverImageUrl => "cover_image_url",
            Self::ShareUrl => "share_url",
            Self::VideoDescription => "video_description",
            Self::Duration => "duration",
            Self::Height => "height",
            Self::Width => "width",
            Self::Title => "title",
            Self::EmbedHtml => "embed_html",
            Self::EmbedLink => "embed_link",
            Self::LikeCount => "like_count",
            Self::CommentCount => "comment_count",
            Self::ShareCount => "share_count",
            Self::ViewCount => "view_count",
        }
    }
}

/// A video with the requested fields. `id` stays a string: 19-digit ids do not survive `f64`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Video {
    #[serde(default, deserialize_with = "de_opt_id")]
    pub id: Option<String>,
    /// Epoch seconds.
    pub create_time: Option<i64>,
    /// Signed URL, valid about 6 h.
    pub cover_image_url: Option<String>,
    pub share_url: Option<String>,
    pub video_description: Option<String>,
    /// Seconds.
    pub duration: Option<i64>,
    pub height: Option<i64>,
    pub width: Option<i64>,
    pub title: Option<String>,
    pub embed_html: Option<String>,
    pub embed_link: Option<String>,
    pub like_count: Option<i64>,
    pub comment_count: Option<i64>,
    pub share_count: Option<i64>,
    pub view_count: Option<i64>,
}

/// One page of `/v2/video/list/` or the result of `/v2/video/query/`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct VideoPage {
    #[serde(default)]
    pub videos: Vec<Video>,
    /// Pass back as `cursor` (epoch ms) to get the next page while `has_more`.
    pub cursor: Option<i64>,
    #[serde(default)]
    pub has_more: bool,
    /// TikTok's `log_id` for the call.
    #[serde(skip)]
    pub log_id: Option<String>,
}

#[derive(Deserialize)]
struct UserEnvelope {
    #[serde(default)]
    user: UserInfo,
}

/// Most videos per list page / ids per query.
pub const MAX_VIDEOS_PER_CALL: usize = 20;

fn fields_param<T: Copy>(fields: &[T], name: impl Fn(T) -> &'static str) -> Result<String> {
    if fields.is_empty() {
        return Err(Error::invalid_input("at least one field is required"));
    }
    Ok(fields
        .iter()
        .map(|f| name(*f))
        .collect::<Vec<_>>()
        .join(","))
}

impl TikTokClient {
    /// `GET /v2/user/info/?fields=…`. Only the requested fields are filled in.
    pub async fn user_info(&self, token: &AccessToken, fields: &[UserField]) -> Result<UserInfo> {
        let fields = fields_param(fields, UserField::as_str)?;
        let (env, log_id): (UserEnvelope, _) = self
            .call(
                Endpoint::UserInfo,
                Method::GET,
                "/v2/user/info/",
                &[("fields", fields)],
                Some(token),
                Body::None,
            )
            .await?;
        Ok(UserInfo { log_id, ..env.user })
    }

    /// `POST /v2/video/list/`: the user's public videos, newest first. `max_count` 1–20.
    pub async fn list_videos(
        &self,
        token: &AccessToken,
        fields: &[VideoField],
        cursor: Option<i64>,
        max_count: u32,
    ) -> Result<VideoPage> {
        if max_count == 0 || max_count as usize > MAX_VIDEOS_PER_CALL {
            return Err(Error::invalid_input(format!(
                "max_count {max_count} outside 1..=20"
            )));
        }
        let fields = fields_param(fields, VideoField::as_str)?;
        let mut body = json!({ "max_count": max_count });
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        self.video_page(Endpoint::VideoList, "/v2/video/list/", fields, &body, token)
            .await
    }

    /// `POST /v2/video/query/`: up to 20 of the user's videos by id.
    pub async fn query_videos(
        &self,
        token: &AccessToken,
        fields: &[VideoField],
        video_ids: &[String],
    ) -> Result<VideoPage> {
        if video_ids.is_empty() || video_ids.len() > MAX_VIDEOS_PER_CALL {
            return Err(Error::invalid_input(format!(
                "{} video ids; TikTok accepts 1..=20 per query",
                video_ids.len()
            )));
        }
        let fields = fields_param(fields, VideoField::as_str)?;
        let body = json!({ "filters": { "video_ids": video_ids } });
        self.video_page(
            Endpoint::VideoQuery,
            "/v2/video/query/",
            fields,
            &body,
            token,
        )
        .await
    }

    async fn video_page(
        &self,
        endpoint: Endpoint,
        path: &str,
        fields: String,
        body: &serde_json::Value,
        token: &AccessToken,
    ) -> Result<VideoPage> {
        let (page, log_id): (VideoPage, _) = self
            .call(
                endpoint,
                Method::POST,
                path,
                &[("fields", fields)],
                Some(token),
                Body::Json(body),
            )
            .await?;
        Ok(VideoPage { log_id, ..page })
    }
}

/// Accepts an id as a JSON string or integer and keeps it as a string.
fn de_opt_id<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) if n.is_u64() || n.is_i64() => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!("bad id {other}"))),
    }
}

/// Accepts a list of ids given as strings or integers.
pub(crate) fn de_id_list<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<String>, D::Error> {
    let v = Option::<Vec<serde_json::Value>>::deserialize(d)?.unwrap_or_default();
    v.into_iter()
        .map(|x| match x {
            serde_json::Value::String(s) => Ok(s),
            serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => Ok(n.to_string()),
            other => Err(serde::de::Error::custom(format!("bad id {other}"))),
        })
        .collect()
}

/// Accepts a non-negative integer given as a JSON number or a numeric string.
pub(crate) fn de_u64_lenient<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<u64, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| serde::de::Error::custom(format!("bad integer {n}"))),
        serde_json::Value::String(s) => s.trim().parse().map_err(serde::de::Error::custom),
        other => Err(serde::de::Error::custom(format!("bad integer {other}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_ids_stay_exact_strings() {
        let page: VideoPage = serde_json::from_str(
            r#"{"videos":[{"id":"7300000000000000001"},{"id":7300000000000000002,"like_count":3}],"cursor":1700000000000,"has_more":true}"#,
        )
        .unwrap();
        assert_eq!(page.videos[0].id.as_deref(), Some("7300000000000000001"));
        assert_eq!(page.videos[1].id.as_deref(), Some("7300000000000000002"));
        assert_eq!(page.videos[1].title, None);
    }

    #[test]
    fn user_info_fields_are_optional() {
        let u: UserEnvelope = serde_json::from_str(r#"{"user":{"display_name":"A"}}"#).unwrap();
        assert_eq!(u.user.display_name.as_deref(), Some("A"));
        assert_eq!(u.user.follower_count, None);
    }
}
