//! The engine's error type and its serialisable face for the UI.
//!
//! Every failure that can reach a person carries a stable [`ErrorCode`] (the UI switches on it,
//! never on text) and a message written for a creator, not a developer.

use serde::Serialize;
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
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error("{0}")]
    InvalidInput(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CoreError::Store(_) | CoreError::Sql(_) => ErrorCode::Storage,
            CoreError::Secrets(_) => ErrorCode::Keychain,
            CoreError::InvalidInput(_) => ErrorCode::InvalidInput,
            CoreError::NotFound(_) => ErrorCode::NotFound,
            CoreError::Conflict(_) => ErrorCode::Conflict,
            CoreError::Unavailable(_) => ErrorCode::Unavailable,
            CoreError::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The sentence shown to the user.
    pub fn user_message(&self) -> String {
        match self {
            CoreError::Sql(e) => format!("Tokdeck could not read or write its database ({e})."),
            other => other.to_string(),
        }
    }
}

impl From<CoreError> for UiError {
    fn from(e: CoreError) -> Self {
        UiError::new(e.code(), e.user_message())
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
