//! The one error type of the crate and its classification.
//!
//! TikTok answers failures in two shapes: the flat OAuth object
//! `{"error","error_description","log_id"}` (sometimes with HTTP 200) and the Open API envelope
//! `{"data":…,"error":{"code","message","log_id"}}`. Both decode into [`Error`], and every error is
//! mapped onto an [`ErrorClass`] so the engine can decide what to do without string matching.

mod class;
mod decode;

use std::fmt;

use crate::redact::redact;

pub use class::{classify_code, classify_fail_reason, ErrorClass, UserAction};
pub(crate) use decode::{decode_failure, success_log_id};

/// The specific failure behind an [`Error`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An Open API envelope error (`error.code != "ok"`). `invalid_param` and `invalid_params`
    /// are both kept verbatim; use [`Error::is_invalid_params`] to test for either.
    Api {
        /// TikTok's `error.code`.
        code: String,
        /// TikTok's `error.message`.
        message: String,
    },
    /// A flat OAuth error (`{"error","error_description"}`), whatever the HTTP status.
    OAuth {
        /// TikTok's `error` category, e.g. `invalid_grant`.
        error: String,
        /// TikTok's `error_description`.
        description: String,
    },
    /// The login callback carried an error instead of a code.
    Authorization {
        /// `error`, e.g. `access_denied` or `param_error`.
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
        /// `error_type`, e.g. `code_challenge` or `non_sandbox_target`.
        error_type: Option<String>,
        /// `errCode`, e.g. `10007`.
        err_code: Option<String>,
    },
    /// The callback's `state` did not match the one sent (possible CSRF, or a stale tab).
    StateMismatch,
    /// The callback had neither a `code` nor an `error`.
    MissingCode,
    /// The request failed before an answer arrived and it was safe to report as transient.
    Network {
        /// reqwest's description.
        detail: String,
        /// The connection could not be opened, so the request certainly was not sent.
        connect: bool,
        /// The request timed out.
        timeout: bool,
    },
    /// A non-idempotent request was sent and its answer was lost or unreadable.
    OutcomeUnknown {
        /// Why the outcome is unknown.
        detail: String,
    },
    /// Chunk PUT answered 403: the `upload_url` expired. A new init (new publish) is needed.
    UploadUrlExpired,
    /// Chunk PUT answered 404: TikTok has no upload task for this URL.
    UploadNotFound,
    /// Chunk PUT answered something unexpected (e.g. 400: malformed headers); the body is kept.
    UploadRejected {
        /// HTTP status.
        status: u16,
        /// Response text, truncated.
        body: String,
    },
    /// TikTok answered in a shape this crate cannot read.
    InvalidResponse {
        /// What was wrong.
        detail: String,
    },
    /// The caller passed something TikTok would reject; nothing was sent.
    InvalidInput(String),
    /// The local video file could not be read.
    Io(std::io::Error),
    /// The client configuration is invalid.
    Config(String),
}

/// The crate's error: a [`ErrorKind`] plus TikTok's `log_id` and the HTTP status when known.
/// Boxed so `Result<T, Error>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct Error(Box<Inner>);

#[derive(Debug)]
struct Inner {
    kind: ErrorKind,
    log_id: Option<String>,
    http_status: Option<u16>,
}

/// Shorthand result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Every error is built here, so every text it carries passes [`redact`] once, whoever
    /// built it (reqwest's text with the upload URL, a body snippet, a callback parameter).
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Self(Box::new(Inner {
            kind: kind.redacted(),
            log_id: None,
            http_status: None,
        }))
    }

    /// A request that got no (complete) answer. reqwest's text names the URL, and an upload
    /// URL's query is a credential: the URL is dropped and the causes that explain the failure
    /// (refused, reset, timed out) are kept instead.
    pub(crate) fn network(e: reqwest::Error) -> Self {
        let connect = e.is_connect();
        let timeout = e.is_timeout();
        Self::new(ErrorKind::Network {
            detail: transport_detail(e),
            connect,
            timeout,
        })
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.0.http_status = Some(status);
        self
    }

    pub(crate) fn with_log_id(mut self, log_id: Option<String>) -> Self {
        if log_id.is_some() {
            self.0.log_id = log_id;
        }
        self
    }

    pub(crate) fn invalid_input(msg: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidInput(msg.into()))
    }

    pub(crate) fn invalid_response(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidResponse {
            detail: detail.into(),
        })
    }

    pub(crate) fn outcome_unknown(detail: impl Into<String>) -> Self {
        Self::new(ErrorKind::OutcomeUnknown {
            detail: detail.into(),
        })
    }

    /// The specific failure.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// TikTok's `log_id` for this failure (quote it when contacting TikTok support).
    pub fn log_id(&self) -> Option<&str> {
        self.0.log_id.as_deref()
    }

    /// The HTTP status of the answer, if one came.
    pub fn http_status(&self) -> Option<u16> {
        self.0.http_status
    }

    /// TikTok's code: the Open API `error.code`, the OAuth `error` or the callback `error`.
    pub fn code(&self) -> Option<&str> {
        match &self.0.kind {
            ErrorKind::Api { code, .. } => Some(code),
            ErrorKind::OAuth { error, .. } => Some(error),
            ErrorKind::Authorization { error, .. } => Some(error),
            _ => None,
        }
    }

    /// True for `invalid_params` and its singular spelling `invalid_param`.
    pub fn is_invalid_params(&self) -> bool {
        matches!(self.code(), Some("invalid_params" | "invalid_param"))
    }

    /// True if the upload must restart with a new init (the `upload_url` expired).
    pub fn needs_new_init(&self) -> bool {
        matches!(self.0.kind, ErrorKind::UploadUrlExpired)
    }

    /// What the caller should do about this error.
    pub fn class(&self) -> ErrorClass {
        match &self.0.kind {
            ErrorKind::Api { code, .. } | ErrorKind::OAuth { error: code, .. } => {
                classify_code(code, self.0.http_status)
            }
            ErrorKind::Authorization {
                error, error_type, ..
            } => match error_type.as_deref() {
                Some("non_sandbox_target") => ErrorClass::UserMustAct(UserAction::ConsentDenied),
                _ => classify_code(error, None),
            },
            ErrorKind::StateMismatch | ErrorKind::MissingCode => ErrorClass::Bug,
            ErrorKind::Network { .. } => ErrorClass::RetryLater,
            ErrorKind::OutcomeUnknown { .. } => ErrorClass::OutcomeUnknown,
            // The engine restarts the publish with a new init; from its point of view this is a
            // transient failure of the step, distinguished by `needs_new_init`.
            ErrorKind::UploadUrlExpired => ErrorClass::RetryLater,
            ErrorKind::UploadNotFound => ErrorClass::Bug,
            ErrorKind::UploadRejected { status, .. } if *status >= 500 => ErrorClass::RetryLater,
            ErrorKind::UploadRejected { .. } => ErrorClass::Bug,
            ErrorKind::InvalidResponse { .. } => match self.0.http_status {
                Some(s) if s >= 500 || s == 429 => ErrorClass::RetryLater,
                Some(401) => ErrorClass::RefreshToken,
                _ => ErrorClass::Bug,
            },
            ErrorKind::InvalidInput(_) | ErrorKind::Config(_) => ErrorClass::Bug,
            ErrorKind::Io(_) => ErrorClass::UserMustAct(UserAction::LocalFile),
        }
    }

    /// The creator-facing situation, if only the creator can fix this.
    pub fn user_action(&self) -> Option<UserAction> {
        match self.class() {
            ErrorClass::UserMustAct(a) => Some(a),
            _ => None,
        }
    }
}

/// reqwest's description of a failed exchange without the URL, followed by its causes.
pub(crate) fn transport_detail(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        let t = c.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cause = c.source();
    }
    redact(&text)
}

impl ErrorKind {
    /// The kind with every free text redacted. TikTok's codes stay as they are: the
    /// classification reads them and they carry no credential.
    fn redacted(self) -> Self {
        let r = |s: String| redact(&s);
        match self {
            Self::Api { code, message } => Self::Api {
                code,
                message: r(message),
            },
            Self::OAuth { error, description } => Self::OAuth {
                error,
                description: r(description),
            },
            Self::Authorization {
                error,
                description,
                error_type,
                err_code,
            } => Self::Authorization {
                error,
                description: description.map(r),
                error_type: error_type.map(r),
                err_code: err_code.map(r),
            },
            Self::Network {
                detail,
                connect,
                timeout,
            } => Self::Network {
                detail: r(detail),
                connect,
                timeout,
            },
            Self::OutcomeUnknown { detail } => Self::OutcomeUnknown { detail: r(detail) },
            Self::UploadRejected { status, body } => Self::UploadRejected {
                status,
                body: r(body),
            },
            Self::InvalidResponse { detail } => Self::InvalidResponse { detail: r(detail) },
            Self::InvalidInput(m) => Self::InvalidInput(r(m)),
            Self::Config(m) => Self::Config(r(m)),
            other => other,
        }
    }
}

/// The text goes through [`redact`] as a whole: a last guard for the parts not built by
/// [`Error::new`] (an I/O error's text, a `log_id`).
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.unredacted_text()))
    }
}

impl Error {
    fn unredacted_text(&self) -> String {
        let mut text = String::new();
        let _ = self.write_text(&mut text);
        text
    }

    fn write_text(&self, f: &mut String) -> fmt::Result {
        use fmt::Write;
        match &self.0.kind {
            ErrorKind::Api { code, message } => write!(f, "TikTok error {code}: {message}")?,
            ErrorKind::OAuth { error, description } => {
                write!(f, "TikTok OAuth error {error}: {description}")?
            }
            ErrorKind::Authorization {
                error,
                description,
                error_type,
                err_code,
            } => {
                write!(f, "TikTok authorization failed: {error}")?;
                if let Some(t) = error_type {
                    write!(f, " ({t})")?;
                }
                if let Some(c) = err_code {
                    write!(f, " [errCode {c}]")?;
                }
                if let Some(d) = description {
                    write!(f, ": {d}")?;
                }
            }
            ErrorKind::StateMismatch => f.write_str("login callback state does not match")?,
            ErrorKind::MissingCode => f.write_str("login callback carries no code")?,
            ErrorKind::Network { detail, .. } => write!(f, "network error: {detail}")?,
            ErrorKind::OutcomeUnknown { detail } => {
                write!(f, "request sent but its outcome is unknown: {detail}")?
            }
            ErrorKind::UploadUrlExpired => {
                f.write_str("upload URL expired; a new init is needed")?
            }
            ErrorKind::UploadNotFound => f.write_str("TikTok has no upload task for this URL")?,
            ErrorKind::UploadRejected { status, body } => {
                write!(f, "chunk upload rejected with HTTP {status}: {body}")?
            }
            ErrorKind::InvalidResponse { detail } => {
                write!(f, "unreadable answer from TikTok: {detail}")?
            }
            ErrorKind::InvalidInput(m) => write!(f, "invalid request: {m}")?,
            ErrorKind::Io(e) => write!(f, "video file error: {e}")?,
            ErrorKind::Config(m) => write!(f, "invalid client configuration: {m}")?,
        }
        if let Some(s) = self.0.http_status {
            write!(f, " (HTTP {s})")?;
        }
        if let Some(l) = &self.0.log_id {
            write!(f, " [log_id {l}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.kind {
            ErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self::new(ErrorKind::Io(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_flat_oauth_error() {
        let f = decode_failure(
            &json!({"error":"invalid_grant","error_description":"expired","log_id":"L1"}),
        )
        .unwrap()
        .unwrap();
        assert!(f.oauth);
        let e = f.into_error(200);
        assert_eq!(e.code(), Some("invalid_grant"));
        assert_eq!(e.log_id(), Some("L1"));
        assert_eq!(e.class(), ErrorClass::Reauthorize);
    }

    #[test]
    fn decodes_envelope_both_spellings() {
        for code in ["invalid_param", "invalid_params"] {
            let e = decode_failure(&json!({"data":{},"error":{"code":code,"message":"The chunk size is invalid","log_id":"L2"}}))
                .unwrap()
                .unwrap()
                .into_error(400);
            assert!(e.is_invalid_params());
            assert_eq!(e.class(), ErrorClass::Bug);
            assert_eq!(e.log_id(), Some("L2"));
        }
    }

    #[test]
    fn ok_envelope_is_success() {
        assert_eq!(
            decode_failure(
                &json!({"data":{"a":1},"error":{"code":"ok","message":"","log_id":"x"}})
            ),
            Ok(None)
        );
        assert_eq!(decode_failure(&json!({"access_token":"act.x"})), Ok(None));
        assert_eq!(
            success_log_id(&json!({"error":{"code":"ok","log_id":"x"}})).as_deref(),
            Some("x")
        );
    }

    #[test]
    fn classification_table() {
        use ErrorClass::*;
        for (code, class) in [
            ("internal_error", RetryLater),
            ("rate_limit_exceeded", RetryLater),
            ("access_token_invalid", RefreshToken),
            (
                "scope_not_authorized",
                UserMustAct(UserAction::ScopeNotGranted),
            ),
            ("invalid_grant", Reauthorize),
            ("auth_removed", Reauthorize),
            ("scope_permission_missed", Bug),
            ("invalid_params", Bug),
            (
                "spam_risk_too_many_posts",
                UserMustAct(UserAction::TooManyPosts),
            ),
            (
                "spam_risk_too_many_pending_share",
                UserMustAct(UserAction::TooManyPendingShares),
            ),
            (
                "reached_active_user_cap",
                UserMustAct(UserAction::ActiveUserCap),
            ),
            (
                "spam_risk_user_banned_from_posting",
                UserMustAct(UserAction::BannedFromPosting),
            ),
            (
                "unaudited_client_can_only_post_to_private_accounts",
                UserMustAct(UserAction::AccountMustBePrivate),
            ),
            (
                "privacy_level_option_mismatch",
                UserMustAct(UserAction::PrivacyOptionMismatch),
            ),
        ] {
            assert_eq!(classify_code(code, Some(400)), class, "{code}");
        }
        assert_eq!(classify_code("something_new", Some(503)), RetryLater);
        assert_eq!(classify_code("something_new", Some(400)), Bug);
    }

    #[test]
    fn fail_reason_classification() {
        use ErrorClass::*;
        assert_eq!(classify_fail_reason("internal"), RetryLater);
        assert_eq!(classify_fail_reason("auth_removed"), Reauthorize);
        for r in [
            "file_format_check_failed",
            "duration_check_failed",
            "frame_rate_check_failed",
            "picture_size_check_failed",
            "spam_risk_text",
            "spam_risk",
            "spam_risk_too_many_posts",
            "spam_risk_user_banned_from_posting",
        ] {
            let c = classify_fail_reason(r);
            let UserMustAct(a) = c else {
                panic!("{r} → {c:?}")
            };
            assert!(!a.message().is_empty() && !a.next_step().is_empty());
        }
    }

    #[test]
    fn display_carries_log_id() {
        let e = Error::new(ErrorKind::Api {
            code: "internal_error".into(),
            message: "boom".into(),
        })
        .with_status(500)
        .with_log_id(Some("LOG".into()));
        let s = e.to_string();
        assert!(
            s.contains("internal_error") && s.contains("LOG") && s.contains("500"),
            "{s}"
        );
    }
}
