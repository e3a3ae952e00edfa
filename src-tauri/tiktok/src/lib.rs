//! Typed client for TikTok's Login Kit v2 (desktop PKCE), Display API and Content Posting API.
//!
//! One [`TikTokClient`] serves every connected account; the access token is passed per call.
//! The client paces itself under TikTok's per-token rate limits, retries only what is safe to
//! retry, and reports every failure as one [`Error`] type with an [`ErrorClass`] telling the
//! engine what to do next (retry later, refresh, reauthorize, ask the creator, fix a bug, or
//! reconcile an init whose outcome is unknown).
//!
//! Publishing a local video:
//! 1. [`TikTokClient::creator_info`] → show the posting screen;
//! 2. [`TikTokClient::plan_upload`] → [`TikTokClient::init_direct_post`] (or
//!    [`TikTokClient::init_inbox`]); persist the [`PublishInit`];
//! 3. [`TikTokClient::upload_file`], persisting each [`UploadProgress`]; after a crash,
//!    [`TikTokClient::resume_upload`] at the persisted offset;
//! 4. poll [`TikTokClient::fetch_status`] until [`PublishState::is_final`].

pub mod chunk_plan;
pub mod config;
pub mod display;
pub mod error;
mod http;
pub mod oauth;
pub mod pacing;
pub mod posting;
pub mod redact;
pub mod tokens;
pub mod upload;

pub use chunk_plan::{Chunk, ChunkPlan};
pub use config::{ClientConfig, RetryPolicy, UploadConfig};
pub use display::{UserField, UserInfo, Video, VideoField, VideoPage};
pub use error::{
    classify_code, classify_fail_reason, Error, ErrorClass, ErrorKind, Result, UserAction,
};
pub use http::TikTokClient;
pub use oauth::{AuthorizationCallback, AuthorizationRequest, AuthorizedCode, Scope, TokenSet};
pub use posting::{
    CreatorInfo, PostInfo, PrivacyLevel, PublishId, PublishInit, PublishState, PublishStatus,
    UploadUrl,
};
pub use tokens::{AccessToken, AuthCode, ClientSecret, CodeVerifier, RefreshToken};
pub use upload::{SentProgress, UploadOutcome, UploadProgress, SENT_STEP_MIN};
