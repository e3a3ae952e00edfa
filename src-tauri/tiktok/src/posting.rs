//! Content Posting API: creator_info, Direct Post and inbox inits, status fetch, cancel.

use std::fmt;

use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::json;
use url::Url;

use crate::chunk_plan::ChunkPlan;
use crate::error::{classify_fail_reason, Error, ErrorClass, Result};
use crate::http::{Body, Endpoint, TikTokClient};
use crate::tokens::AccessToken;

/// Who can view a post. Unknown values TikTok may add are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PrivacyLevel {
    /// `PUBLIC_TO_EVERYONE`
    PublicToEveryone,
    /// `MUTUAL_FOLLOW_FRIENDS`
    MutualFollowFriends,
    /// `FOLLOWER_OF_CREATOR`
    FollowerOfCreator,
    /// `SELF_ONLY`
    SelfOnly,
    /// A value this crate does not know.
    Other(String),
}

impl PrivacyLevel {
    /// TikTok's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::PublicToEveryone => "PUBLIC_TO_EVERYONE",
            Self::MutualFollowFriends => "MUTUAL_FOLLOW_FRIENDS",
            Self::FollowerOfCreator => "FOLLOWER_OF_CREATOR",
            Self::SelfOnly => "SELF_ONLY",
            Self::Other(s) => s,
        }
    }
}

impl From<&str> for PrivacyLevel {
    fn from(s: &str) -> Self {
        match s {
            "PUBLIC_TO_EVERYONE" => Self::PublicToEveryone,
            "MUTUAL_FOLLOW_FRIENDS" => Self::MutualFollowFriends,
            "FOLLOWER_OF_CREATOR" => Self::FollowerOfCreator,
            "SELF_ONLY" => Self::SelfOnly,
            other => Self::Other(other.to_owned()),
        }
    }
}

impl Serialize for PrivacyLevel {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PrivacyLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Self::from(String::deserialize(d)?.as_str()))
    }
}

/// `POST /v2/post/publish/creator_info/query/` answer: what this creator may post right now.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct CreatorInfo {
    /// Avatar URL (valid about 2 h).
    #[serde(default)]
    pub creator_avatar_url: Option<String>,
    /// The creator's handle.
    #[serde(default)]
    pub creator_username: Option<String>,
    /// Nickname; the posting screen must show it.
    #[serde(default)]
    pub creator_nickname: Option<String>,
    /// The only privacy levels allowed for the next post.
    #[serde(default)]
    pub privacy_level_options: Vec<PrivacyLevel>,
    #[serde(default)]
    pub comment_disabled: bool,
    #[serde(default)]
    pub duet_disabled: bool,
    #[serde(default)]
    pub stitch_disabled: bool,
    /// Longest video (seconds) this creator may post.
    #[serde(default)]
    pub max_video_post_duration_sec: Option<u32>,
    /// TikTok's `log_id` for the call.
    #[serde(skip)]
    pub log_id: Option<String>,
}

/// Direct Post `post_info`. Build it from what the creator chose on the posting screen.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PostInfo {
    /// Must be one of creator_info's `privacy_level_options`.
    pub privacy_level: PrivacyLevel,
    /// Caption with #hashtags and @mentions; at most 2200 UTF-16 code units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub disable_duet: bool,
    pub disable_stitch: bool,
    pub disable_comment: bool,
    /// Cover frame in ms; TikTok uses the first frame when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_cover_timestamp_ms: Option<u32>,
    /// Paid partnership for a third party ("Branded content").
    pub brand_content_toggle: bool,
    /// Promotes the creator's own business ("Your brand").
    pub brand_organic_toggle: bool,
    /// AI-generated content label.
    pub is_aigc: bool,
}

/// Caption limit in UTF-16 code units.
pub const MAX_TITLE_UTF16: usize = 2200;

impl PostInfo {
    /// A post with the given privacy and everything else off/empty.
    pub fn new(privacy_level: PrivacyLevel) -> Self {
        Self {
            privacy_level,
            title: None,
            disable_duet: false,
            disable_stitch: false,
            disable_comment: false,
            video_cover_timestamp_ms: None,
            brand_content_toggle: false,
            brand_organic_toggle: false,
            is_aigc: false,
        }
    }

    fn validate(&self) -> Result<()> {
        if let Some(t) = &self.title {
            let n = t.encode_utf16().count();
            if n > MAX_TITLE_UTF16 {
                return Err(Error::invalid_input(format!(
                    "title has {n} UTF-16 code units; TikTok allows {MAX_TITLE_UTF16}"
                )));
            }
        }
        Ok(())
    }
}

/// A publish id (`v_pub_file~v2-1.…`, `v_inbox_file~v2.…`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PublishId(pub String);

impl fmt::Display for PublishId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The `upload_url` from an init. Its query carries the `upload_token` credential, so Debug
/// hides the query. Valid for one hour.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadUrl(Url);

impl UploadUrl {
    /// Wraps a URL (e.g. one persisted by the engine for resuming).
    pub fn parse(s: &str) -> Result<Self> {
        let url =
            Url::parse(s).map_err(|e| Error::invalid_input(format!("bad upload_url: {e}")))?;
        crate::config::check_transport(&url)?;
        Ok(Self(url))
    }

    /// The full URL, to use verbatim (and to persist for resuming).
    pub fn secret(&self) -> &Url {
        &self.0
    }
}

impl fmt::Debug for UploadUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "UploadUrl({}://{}{}?***)",
            self.0.scheme(),
            self.0.host_str().unwrap_or(""),
            self.0.path()
        )
    }
}

/// A successful init: the publish exists on TikTok from now on.
#[derive(Debug, Clone)]
pub struct PublishInit {
    /// Poll status with it.
    pub publish_id: PublishId,
    /// Where the chunks go.
    pub upload_url: UploadUrl,
    /// The chunk plan announced in `source_info` (the upload must follow it).
    pub plan: ChunkPlan,
    /// TikTok's `log_id` for the init.
    pub log_id: Option<String>,
}

#[derive(Deserialize)]
struct RawInit {
    publish_id: String,
    #[serde(default)]
    upload_url: Option<String>,
}

/// Publish states from status fetch. Unknown states are kept verbatim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishState {
    /// `PROCESSING_UPLOAD`
    ProcessingUpload,
    /// `PROCESSING_DOWNLOAD`
    ProcessingDownload,
    /// `SEND_TO_USER_INBOX`: inbox flow; the creator finishes the post in the app.
    SendToUserInbox,
    /// `PUBLISH_COMPLETE`
    PublishComplete,
    /// `FAILED`; see `fail_reason`.
    Failed,
    /// Anything else.
    Other(String),
}

impl PublishState {
    /// True when no further change is expected from polling (inbox drafts may still complete
    /// later when the creator posts them).
    pub fn is_final(&self) -> bool {
        matches!(self, Self::PublishComplete | Self::Failed)
    }
}

impl<'de> Deserialize<'de> for PublishState {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "PROCESSING_UPLOAD" => Self::ProcessingUpload,
            "PROCESSING_DOWNLOAD" => Self::ProcessingDownload,
            "SEND_TO_USER_INBOX" => Self::SendToUserInbox,
            "PUBLISH_COMPLETE" => Self::PublishComplete,
            "FAILED" => Self::Failed,
            _ => Self::Other(s),
        })
    }
}

/// `POST /v2/post/publish/status/fetch/` answer.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct PublishStatus {
    pub status: PublishState,
    /// Why it failed (`FAILED` only; empty strings are normalised to `None`).
    #[serde(default, deserialize_with = "de_opt_nonempty")]
    pub fail_reason: Option<String>,
    /// Public post ids (TikTok's misspelled `publicaly_available_post_id`), ints or strings,
    /// kept as strings. Empty for `SELF_ONLY` posts.
    #[serde(
        default,
        rename = "publicaly_available_post_id",
        alias = "publicly_available_post_id",
        deserialize_with = "crate::display::de_id_list"
    )]
    pub public_post_ids: Vec<String>,
    /// FILE_UPLOAD progress as TikTok counts it.
    #[serde(default)]
    pub uploaded_bytes: Option<u64>,
    /// PULL_FROM_URL progress.
    #[serde(default)]
    pub downloaded_bytes: Option<u64>,
    /// TikTok's `log_id` for the call.
    #[serde(skip)]
    pub log_id: Option<String>,
}

impl PublishStatus {
    /// Classification of `fail_reason` for `FAILED` publishes.
    pub fn failure_class(&self) -> Option<ErrorClass> {
        match self.status {
            PublishState::Failed => Some(
                self.fail_reason
                    .as_deref()
                    .map(classify_fail_reason)
                    .unwrap_or(ErrorClass::RetryLater),
            ),
            _ => None,
        }
    }
}

fn de_opt_nonempty<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()))
}

fn file_source(plan: &ChunkPlan) -> serde_json::Value {
    json!({
        "source": "FILE_UPLOAD",
        "video_size": plan.video_size(),
        "chunk_size": plan.chunk_size(),
        "total_chunk_count": plan.total_chunk_count(),
    })
}

impl TikTokClient {
    /// Plans the chunks for a file of `video_size` bytes with this client's upload preferences.
    pub fn plan_upload(&self, video_size: u64) -> Result<ChunkPlan> {
        let u = &self.inner.config.upload;
        ChunkPlan::with_preferences(video_size, u.preferred_chunk_size, u.single_chunk_max)
    }

    /// What the creator may post now. Query it right before showing the posting screen and again
    /// right before publishing. A creator who cannot post answers (with HTTP 200) an error whose
    /// class is [`ErrorClass::UserMustAct`].
    pub async fn creator_info(&self, token: &AccessToken) -> Result<CreatorInfo> {
        let body = json!({});
        let (info, log_id): (CreatorInfo, _) = self
            .call(
                Endpoint::CreatorInfo,
                Method::POST,
                "/v2/post/publish/creator_info/query/",
                &[],
                Some(token),
                Body::Json(&body),
            )
            .await?;
        Ok(CreatorInfo { log_id, ..info })
    }

    /// Direct Post init (`FILE_UPLOAD`). Never retried after the request was sent: a lost answer
    /// is [`ErrorClass::OutcomeUnknown`]. A 429 is retried (it is a clean refusal).
    pub async fn init_direct_post(
        &self,
        token: &AccessToken,
        post_info: &PostInfo,
        plan: &ChunkPlan,
    ) -> Result<PublishInit> {
        post_info.validate()?;
        let body = json!({ "post_info": post_info, "source_info": file_source(plan) });
        self.init(
            Endpoint::VideoInit,
            "/v2/post/publish/video/init/",
            token,
            &body,
            plan,
        )
        .await
    }

    /// Inbox (draft) init (`FILE_UPLOAD`); the creator finishes the post in the TikTok app. Same
    /// retry rules as [`Self::init_direct_post`].
    pub async fn init_inbox(&self, token: &AccessToken, plan: &ChunkPlan) -> Result<PublishInit> {
        let body = json!({ "source_info": file_source(plan) });
        self.init(
            Endpoint::InboxInit,
            "/v2/post/publish/inbox/video/init/",
            token,
            &body,
            plan,
        )
        .await
    }

    async fn init(
        &self,
        endpoint: Endpoint,
        path: &str,
        token: &AccessToken,
        body: &serde_json::Value,
        plan: &ChunkPlan,
    ) -> Result<PublishInit> {
        let (raw, log_id): (RawInit, _) = self
            .call(
                endpoint,
                Method::POST,
                path,
                &[],
                Some(token),
                Body::Json(body),
            )
            .await?;
        let Some(url) = raw.upload_url else {
            return Err(Error::invalid_response(format!(
                "init answer for {} has no upload_url",
                raw.publish_id
            ))
            .with_log_id(log_id));
        };
        let upload_url = UploadUrl::parse(&url).map_err(|e| {
            Error::invalid_response(format!("unusable upload_url for {}: {e}", raw.publish_id))
                .with_log_id(log_id.clone())
        })?;
        Ok(PublishInit {
            publish_id: PublishId(raw.publish_id),
            upload_url,
            plan: *plan,
            log_id,
        })
    }

    /// Status of a publish. Safe to poll (paced to 30/min per token, retried on transient
    /// failures).
    pub async fn fetch_status(
        &self,
        token: &AccessToken,
        publish_id: &PublishId,
    ) -> Result<PublishStatus> {
        let body = json!({ "publish_id": publish_id.0 });
        let (status, log_id): (PublishStatus, _) = self
            .call(
                Endpoint::Status,
                Method::POST,
                "/v2/post/publish/status/fetch/",
                &[],
                Some(token),
                Body::Json(&body),
            )
            .await?;
        Ok(PublishStatus { log_id, ..status })
    }

    /// Cancels a publish (TikTok documents it for PULL_FROM_URL downloads only; best effort).
    /// Returns TikTok's `log_id`.
    pub async fn cancel(
        &self,
        token: &AccessToken,
        publish_id: &PublishId,
    ) -> Result<Option<String>> {
        let body = json!({ "publish_id": publish_id.0 });
        let (_, log_id): (serde::de::IgnoredAny, _) = self
            .call(
                Endpoint::Cancel,
                Method::POST,
                "/v2/post/publish/cancel/",
                &[],
                Some(token),
                Body::Json(&body),
            )
            .await?;
        Ok(log_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_info_serializes_every_field() {
        let mut p = PostInfo::new(PrivacyLevel::SelfOnly);
        p.title = Some("hi #tag".into());
        p.video_cover_timestamp_ms = Some(1000);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["privacy_level"], "SELF_ONLY");
        for k in [
            "disable_duet",
            "disable_stitch",
            "disable_comment",
            "brand_content_toggle",
            "brand_organic_toggle",
            "is_aigc",
        ] {
            assert_eq!(v[k], false, "{k}");
        }
        assert_eq!(v["video_cover_timestamp_ms"], 1000);
        let v = serde_json::to_value(PostInfo::new(PrivacyLevel::Other("NEW".into()))).unwrap();
        assert!(v.get("title").is_none());
        assert_eq!(v["privacy_level"], "NEW");
    }

    #[test]
    fn title_limit_counts_utf16() {
        let mut p = PostInfo::new(PrivacyLevel::SelfOnly);
        p.title = Some("😀".repeat(1100)); // 2200 units
        p.validate().unwrap();
        p.title = Some("😀".repeat(1101));
        assert!(p.validate().is_err());
    }

    #[test]
    fn status_accepts_ids_as_strings_or_numbers_and_unknown_states() {
        let s: PublishStatus = serde_json::from_str(
            r#"{"status":"PUBLISH_COMPLETE","fail_reason":"","publicaly_available_post_id":[7300000000000000001,"7300000000000000002"],"uploaded_bytes":10}"#,
        )
        .unwrap();
        assert_eq!(
            s.public_post_ids,
            vec!["7300000000000000001", "7300000000000000002"]
        );
        assert_eq!(s.fail_reason, None);
        let s: PublishStatus = serde_json::from_str(r#"{"status":"MODERATION_PENDING"}"#).unwrap();
        assert_eq!(s.status, PublishState::Other("MODERATION_PENDING".into()));
        let s: PublishStatus =
            serde_json::from_str(r#"{"status":"FAILED","fail_reason":"internal"}"#).unwrap();
        assert_eq!(s.failure_class(), Some(ErrorClass::RetryLater));
    }

    #[test]
    fn upload_url_debug_hides_token() {
        let u = UploadUrl::parse(
            "https://open-upload.tiktokapis.com/video/?upload_id=1&upload_token=SECRET",
        )
        .unwrap();
        let s = format!("{u:?}");
        assert!(!s.contains("SECRET"), "{s}");
        assert!(UploadUrl::parse("http://upload.example.com/video/").is_err());
    }
}
