//! The engine's error type and its serialisable face for the UI.
//!
//! Every failure that can reach a person carries a stable [`ErrorCode`] (the UI switches on it,
//! never on text) and a message written for a creator, not a developer.

use serde::Serialize;
use tiktok_api::redact::redact;
use ts_rs::TS;

/// Stable error categories the UI can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    Internal,
    InvalidInput,
    NotFound,
    Storage,
    Keychain,
    Tiktok,
    Conflict,
    Unavailable,
    /// The database is damaged: offer "Restore the latest good backup" (`recover_damaged`).
    Damaged,
}

/// What a command returns on failure: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
}

impl UiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for UiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for UiError {}

/// Failures of the engine. Each variant knows its code and its human message.
///
/// Every text goes through [`redact`] on display: these messages end up in the log, the audit
/// log, `last_error` columns, events and notifications, and some are built from text the engine
/// does not control (HTTP client errors naming a URL, a callback's description).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{}", redact(&.0.to_string()))]
    Store(#[from] crate::db::open::StoreError),
    #[error("{}", redact(&.0.to_string()))]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("{}", redact(.0))]
    InvalidInput(String),
    #[error("{}", redact(.0))]
    NotFound(String),
    #[error("{}", redact(.0))]
    Conflict(String),
    #[error("{}", redact(.0))]
    Unavailable(String),
    #[error("database error: {}", redact(&.0.to_string()))]
    Sql(#[from] sqlx::Error),
    #[error("internal error: {}", redact(.0))]
    Internal(String),
    /// A TikTok call failed. `message` is written for the creator (what happened and what to do
    /// next) and never contains a token; `class` tells the engine how to react.
    #[error("{}", redact(message))]
    Tiktok {
        message: String,
        class: tiktok_api::ErrorClass,
        /// TikTok's `log_id` for the failed request, kept for the post's history (support asks
        /// for it).
        log_id: Option<String>,
    },
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Store(crate::db::open::StoreError::Damaged { .. }) => ErrorCode::Damaged,
            CoreError::Store(_) | CoreError::Sql(_) => ErrorCode::Storage,
            CoreError::Secrets(_) => ErrorCode::Keychain,
            CoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::Unavailable(_) => ErrorCode::Unavailable,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::Tiktok { .. } => ErrorCode::Tiktok,
        }
    }

    /// The sentence shown to the user.
    pub fn user_message(&self) -> String {
        match self {
            CoreError::Sql(e) => redact(&format!(
                "Tokdeck could not read or write its database ({e})."
            )),
            other => other.to_string(),
        }
    }
}

impl CoreError {
    /// The TikTok classification, if this is a TikTok failure.
    pub fn tiktok_class(&self) -> Option<tiktok_api::ErrorClass> {
        match self {
            CoreError::Tiktok { class, .. } => Some(*class),
            _ => None,
        }
    }

    /// TikTok's `log_id` for the failed request, if TikTok gave one.
    pub fn tiktok_log_id(&self) -> Option<&str> {
        match self {
            CoreError::Tiktok { log_id, .. } => log_id.as_deref(),
            _ => None,
        }
    }

    /// True when only a new sign-in can fix this (revoked or expired grant).
    pub fn needs_reconnect(&self) -> bool {
        matches!(
            self.tiktok_class(),
            Some(tiktok_api::ErrorClass::Reauthorize)
        )
    }
}

impl From<tiktok_api::Error> for CoreError {
    fn from(e: tiktok_api::Error) -> Self {
        use tiktok_api::ErrorClass as C;
        let class = e.class();
        let reference = match (e.code(), e.log_id()) {
            (Some(c), Some(l)) => format!(" (TikTok code {c}, log id {l})"),
            (Some(c), None) => format!(" (TikTok code {c})"),
            (None, Some(l)) => format!(" (TikTok log id {l})"),
            (None, None) => String::new(),
        };
        // A refused chunk PUT is about the upload itself (its ranges, the upload task), never
        // about the app's credentials: it gets its own message, without the answer's body.
        let upload_refusal = match e.kind() {
            tiktok_api::ErrorKind::UploadRejected { status, .. } if *status < 500 => {
                Some(format!(
                    "TikTok refused part of the video upload (HTTP {status}). Tokdeck's settings and the account's sign-in are not the cause; retry the post."
                ))
            }
            tiktok_api::ErrorKind::UploadNotFound => Some(
                "TikTok no longer has the upload this post was sending (HTTP 404); retry the post."
                    .to_owned(),
            ),
            _ => None,
        };
        // The crate's Display is redacted (no URL query, no token-like field, no token body).
        let message = upload_refusal.unwrap_or_else(|| match class {
            C::RetryLater => format!(
                "TikTok did not answer properly ({e}). Check your internet connection; Tokdeck will try again, or retry in a minute."
            ),
            C::RefreshToken => format!(
                "TikTok did not accept this account's sign-in{reference}. Try again; if it keeps happening, reconnect the account."
            ),
            C::Reauthorize => format!(
                "TikTok no longer accepts this account's sign-in{reference}. Reconnect the account (Accounts → Reconnect)."
            ),
            C::UserMustAct(a) => format!("{} {}{reference}", a.message(), a.next_step()),
            C::Bug => format!(
                "TikTok rejected Tokdeck's request: {e}. Check the client key, client secret and redirect URI in Settings → TikTok, then try again."
            ),
            C::OutcomeUnknown => format!(
                "TikTok received the request but its answer was lost ({e}). Check on TikTok before trying again."
            ),
        });
        CoreError::Tiktok {
            message,
            class,
            log_id: e.log_id().map(str::to_owned),
        }
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        UiError::new(e.code(), e.user_message())
    }
}

pub type CoreResult<T> = Result<T, CoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_redacted() {
        let url = "http://127.0.0.1:9/upload/video/?upload_id=1&upload_token=live0123456789";
        for e in [
            CoreError::Internal(format!("error sending request for url ({url})")),
            CoreError::Unavailable(r#"answer {"access_token":"live0123456789"}"#.into()),
            CoreError::Tiktok {
                message: format!("lost ({url})"),
                class: tiktok_api::ErrorClass::RetryLater,
                log_id: None,
            },
        ] {
            for text in [e.to_string(), e.user_message(), UiError::from(e).message] {
                assert!(!text.contains("live0123456789"), "{text}");
            }
        }
    }
}
