//! The two error formats TikTok speaks, plus the simulator's own control-API error.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::ids;

/// Open API v2 error, rendered as the `{data, error:{code,message,log_id}}` envelope.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: code.into(),
            message: message.into(),
        }
    }

    /// `spelling` comes from `Behaviour::invalid_param_spelling`.
    pub fn invalid(spelling: &str, message: impl Into<String>) -> Self {
        Self::new(400, spelling, message)
    }

    pub fn token_invalid() -> Self {
        Self::new(
            401,
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        )
    }

    pub fn scope_not_authorized(scope: &str) -> Self {
        Self::new(
            401,
            "scope_not_authorized",
            format!("The user did not authorize the scope required for completing this request: {scope}."),
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            429,
            "rate_limit_exceeded",
            "API rate limit was exceeded, please try again later.",
        )
    }

    pub fn internal(status: u16) -> Self {
        Self::new(
            status,
            "internal_error",
            "Something went wrong. Please try again later.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "data": {},
            "error": {"code": self.code, "message": self.message, "log_id": ids::log_id()}
        });
        (self.status, Json(body)).into_response()
    }
}

/// Successful envelope: `{data, error:{code:"ok"}}`.
pub fn ok(data: Value) -> Response {
    let body = json!({
        "data": data,
        "error": {"code": "ok", "message": "", "log_id": ids::log_id()}
    });
    (StatusCode::OK, Json(body)).into_response()
}

/// Success or "cannot post" for endpoints that answer only the `error` object (cancel).
pub fn error_only(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message, "log_id": ids::log_id()}});
    (status, Json(body)).into_response()
}

/// Flat OAuth error `{error, error_description, log_id}`; status is 200 or 400 per Behaviour.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: String,
    pub description: String,
}

impl OAuthError {
    pub fn new(status: u16, error: &str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            error: error.into(),
            description: description.into(),
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": self.description,
            "log_id": ids::log_id(),
        });
        (self.status, Json(body)).into_response()
    }
}

/// Errors of the `/__sim/` control API: `{error: "..."}`.
#[derive(Debug, Clone)]
pub struct ControlError {
    pub status: StatusCode,
    pub message: String,
}

impl ControlError {
    pub fn bad(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.message}))).into_response()
    }
}
