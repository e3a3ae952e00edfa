//! What the engine should do about a failure: TikTok's error codes and fail reasons sorted into
//! classes, and the action the creator is asked for.

/// What the caller (the engine) should do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Transient: TikTok or the network failed. Retry the same step later.
    RetryLater,
    /// The access token is invalid or expired: refresh it, then retry.
    RefreshToken,
    /// The grant is gone or insufficient: the creator has to connect the account again.
    Reauthorize,
    /// Only the creator can fix this; show [`UserAction::message`] and [`UserAction::next_step`].
    UserMustAct(UserAction),
    /// A request the client or app should never have sent (bad parameters, misconfiguration).
    Bug,
    /// A non-idempotent request (an init) was sent but no usable answer came back: TikTok may or
    /// may not have created a publish. Do not resend blindly; reconcile first (e.g. ask the
    /// creator to check their profile/inbox, or poll a known `publish_id`).
    OutcomeUnknown,
}

/// Situations that only the creator can resolve, each with plain-language text for the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UserAction {
    /// `spam_risk_too_many_posts`: daily API post cap of the creator reached.
    TooManyPosts,
    /// `spam_risk_too_many_pending_share`: too many drafts waiting in the TikTok inbox.
    TooManyPendingShares,
    /// `reached_active_user_cap`: the app's daily quota of posting creators is used up.
    ActiveUserCap,
    /// `spam_risk_user_banned_from_posting`.
    BannedFromPosting,
    /// `unaudited_client_can_only_post_to_private_accounts`: the account must be private.
    AccountMustBePrivate,
    /// `privacy_level_option_mismatch`: the chosen audience is not offered to this creator.
    PrivacyOptionMismatch,
    /// `file_format_check_failed` or an unsupported file extension.
    FileFormat,
    /// `duration_check_failed`.
    Duration,
    /// `frame_rate_check_failed`.
    FrameRate,
    /// `picture_size_check_failed`.
    PictureSize,
    /// `invalid_file_upload`: the uploaded file does not meet TikTok's requirements.
    InvalidFile,
    /// `spam_risk_text`: the caption was judged spammy.
    SpamRiskText,
    /// `spam_risk`: the request was judged risky.
    SpamRisk,
    /// `access_denied` (or `non_sandbox_target`) on the consent page.
    ConsentDenied,
    /// `publish_cancelled`.
    PublishCancelled,
    /// The local video file is missing, unreadable, empty or too large.
    LocalFile,
    /// `scope_not_authorized`: the creator did not grant the permission (scope) this call
    /// needs. The sign-in itself still works.
    ScopeNotGranted,
}

impl UserAction {
    /// What happened, in words a creator understands.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooManyPosts => "TikTok won't accept more posts from this account right now: it has reached its daily limit for posts made through apps.",
            Self::TooManyPendingShares => "This account already has too many videos waiting in its TikTok inbox.",
            Self::ActiveUserCap => "Tokdeck has reached TikTok's daily limit of accounts that can post through it.",
            Self::BannedFromPosting => "TikTok has blocked this account from posting.",
            Self::AccountMustBePrivate => "TikTok only lets this app post to private accounts, and this account is public.",
            Self::PrivacyOptionMismatch => "The chosen audience (who can view) is not available for this account anymore.",
            Self::FileFormat => "TikTok could not read this video's format.",
            Self::Duration => "The video is too long (or too short) for this account.",
            Self::FrameRate => "The video's frame rate is outside what TikTok accepts (23 to 60 frames per second).",
            Self::PictureSize => "The video's resolution or shape is outside what TikTok accepts.",
            Self::InvalidFile => "TikTok rejected the uploaded video file.",
            Self::SpamRiskText => "TikTok flagged the caption as spam.",
            Self::SpamRisk => "TikTok flagged this post as risky and did not publish it.",
            Self::ConsentDenied => "The TikTok account was not connected: access was denied on TikTok's page.",
            Self::PublishCancelled => "The post was cancelled before TikTok published it.",
            Self::LocalFile => "The video file could not be read from this computer.",
            Self::ScopeNotGranted => "This account did not give Tokdeck the TikTok permission this needs.",
        }
    }

    /// What the creator can do next.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::TooManyPosts => "Try again tomorrow, or post this one from the TikTok app.",
            Self::TooManyPendingShares => "Open TikTok, post or delete the drafts in your inbox, then try again.",
            Self::ActiveUserCap => "Try again tomorrow.",
            Self::BannedFromPosting => "Check the account's notifications in the TikTok app.",
            Self::AccountMustBePrivate => "In the TikTok app, set the account to Private, then try again.",
            Self::PrivacyOptionMismatch => "Open the post, pick one of the audiences offered now, and schedule it again.",
            Self::FileFormat => "Export the video as MP4 (H.264) and attach it again.",
            Self::Duration => "Trim the video to the length allowed for this account and attach it again.",
            Self::FrameRate => "Export the video at 30 or 60 frames per second and attach it again.",
            Self::PictureSize => "Export the video between 360 and 4096 pixels on each side (9:16 is best) and attach it again.",
            Self::InvalidFile => "Export the video again as MP4 (H.264) and attach the new file.",
            Self::SpamRiskText => "Edit the caption (fewer hashtags, mentions or links) and schedule it again.",
            Self::SpamRisk => "Wait a while, then try again or post from the TikTok app.",
            Self::ConsentDenied => "Connect the account again and approve the requested permissions.",
            Self::PublishCancelled => "Schedule the post again if you still want it published.",
            Self::LocalFile => "Check that the file still exists, then attach it again.",
            Self::ScopeNotGranted => "Reconnect the account and allow that permission on TikTok's page.",
        }
    }
}

/// Classifies a TikTok code: an Open API `error.code`, an OAuth `error` value or a status
/// `fail_reason`. `http_status` is the fallback for codes this crate does not know.
pub fn classify_code(code: &str, http_status: Option<u16>) -> ErrorClass {
    use ErrorClass::*;
    match code {
        "internal_error"
        | "rate_limit_exceeded"
        | "server_error"
        | "temporarily_unavailable"
        | "internal"
        | "video_pull_failed"
        | "photo_pull_failed" => RetryLater,
        "access_token_invalid" => RefreshToken,
        // A missing scope is not a dead sign-in: the token works for what was granted.
        "scope_not_authorized" => UserMustAct(UserAction::ScopeNotGranted),
        "invalid_grant" | "auth_removed" => Reauthorize,
        "access_denied" | "non_sandbox_target" => UserMustAct(UserAction::ConsentDenied),
        "spam_risk_too_many_posts" => UserMustAct(UserAction::TooManyPosts),
        "spam_risk_too_many_pending_share" => UserMustAct(UserAction::TooManyPendingShares),
        "reached_active_user_cap" => UserMustAct(UserAction::ActiveUserCap),
        "spam_risk_user_banned_from_posting" => UserMustAct(UserAction::BannedFromPosting),
        "unaudited_client_can_only_post_to_private_accounts" => {
            UserMustAct(UserAction::AccountMustBePrivate)
        }
        "privacy_level_option_mismatch" => UserMustAct(UserAction::PrivacyOptionMismatch),
        "file_format_check_failed" => UserMustAct(UserAction::FileFormat),
        "duration_check_failed" => UserMustAct(UserAction::Duration),
        "frame_rate_check_failed" => UserMustAct(UserAction::FrameRate),
        "picture_size_check_failed" => UserMustAct(UserAction::PictureSize),
        "invalid_file_upload" => UserMustAct(UserAction::InvalidFile),
        "spam_risk_text" => UserMustAct(UserAction::SpamRiskText),
        "spam_risk" => UserMustAct(UserAction::SpamRisk),
        "publish_cancelled" => UserMustAct(UserAction::PublishCancelled),
        // Known bugs on our side: invalid_param(s), scope_permission_missed, invalid_request,
        // invalid_client, invalid_scope, unauthorized_client, unsupported_*,
        // invalid_publish_id, token_not_authorized_for_specified_publish_id,
        // url_ownership_unverified, publish_not_cancellable, app_version_check_failed.
        _ => match http_status {
            Some(429) => RetryLater,
            Some(s) if s >= 500 => RetryLater,
            Some(401) => RefreshToken,
            _ => Bug,
        },
    }
}

/// Maps a status-fetch `fail_reason` onto the same classification as request errors
/// (`internal` → retry, `auth_removed` → reauthorize, `*_check_failed` and `spam_risk_*` → the
/// creator must act).
pub fn classify_fail_reason(fail_reason: &str) -> ErrorClass {
    classify_code(fail_reason, None)
}
