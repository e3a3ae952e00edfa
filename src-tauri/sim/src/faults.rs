//! Injected failures, consumed per endpoint in registration order.

use std::time::Duration;

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use crate::errors::{ApiError, OAuthError};
use crate::state::Sim;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Authorize,
    Token,
    Revoke,
    UserInfo,
    VideoList,
    VideoQuery,
    CreatorInfo,
    VideoInit,
    InboxInit,
    Status,
    Cancel,
    Upload,
}

impl Endpoint {
    pub fn name(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Token => "token",
            Self::Revoke => "revoke",
            Self::UserInfo => "user_info",
            Self::VideoList => "video_list",
            Self::VideoQuery => "video_query",
            Self::CreatorInfo => "creator_info",
            Self::VideoInit => "video_init",
            Self::InboxInit => "inbox_init",
            Self::Status => "status",
            Self::Cancel => "cancel",
            Self::Upload => "upload",
        }
    }

    fn flavour(self) -> Flavour {
        match self {
            Self::Authorize => Flavour::Html,
            Self::Token | Self::Revoke => Flavour::OAuth,
            Self::Upload => Flavour::Upload,
            _ => Flavour::Api,
        }
    }
}

#[derive(Clone, Copy)]
enum Flavour {
    Api,
    OAuth,
    Html,
    Upload,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Status,
    RateLimit,
    Delay,
    Drop,
    DropAfter,
    /// The work is done and answered 200, but the body is cut in half (unreadable JSON).
    Truncate,
    ExpireUploadUrl,
    FailReason,
    RevokeMidPublish,
    /// The publish never leaves `PROCESSING_UPLOAD` (TikTok's processing hangs).
    StallProcessing,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub endpoint: Endpoint,
    pub kind: FaultKind,
    #[serde(default = "one")]
    pub times: u32,
    pub status: Option<u16>,
    pub delay_ms: Option<u64>,
    pub fail_reason: Option<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone)]
struct Fault {
    id: u64,
    spec: FaultSpec,
}

#[derive(Debug, Default)]
pub struct FaultBook {
    next_id: u64,
    faults: Vec<Fault>,
}

impl FaultBook {
    pub fn add(&mut self, spec: FaultSpec) -> Result<u64, String> {
        match spec.kind {
            FaultKind::Status => {
                let s = spec.status.ok_or("kind status needs `status`")?;
                if !(400..=599).contains(&s) {
                    return Err("status must be 400..599".into());
                }
            }
            FaultKind::Delay if spec.delay_ms.is_none() => {
                return Err("kind delay needs `delay_ms`".into())
            }
            FaultKind::FailReason if spec.fail_reason.is_none() => {
                return Err("kind fail_reason needs `fail_reason`".into())
            }
            _ => {}
        }
        if spec.times == 0 {
            return Err("times must be >= 1".into());
        }
        self.next_id += 1;
        self.faults.push(Fault {
            id: self.next_id,
            spec,
        });
        Ok(self.next_id)
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    fn take(&mut self, ep: Endpoint) -> Option<FaultSpec> {
        let i = self.faults.iter().position(|f| f.spec.endpoint == ep)?;
        let f = &mut self.faults[i];
        f.spec.times -= 1;
        let spec = f.spec.clone();
        if f.spec.times == 0 {
            self.faults.remove(i);
        }
        Some(spec)
    }

    pub fn list(&self) -> Vec<serde_json::Value> {
        self.faults
            .iter()
            .map(|f| {
                let mut v = serde_json::to_value(&f.spec).unwrap_or_default();
                v["id"] = f.id.into();
                v
            })
            .collect()
    }
}

/// A fault that changes the fate of a publish rather than of one HTTP exchange.
#[derive(Debug, Clone, PartialEq)]
pub enum PublishFault {
    ExpireUploadUrl,
    FailReason(String),
    RevokeMidPublish,
    StallProcessing,
}

/// Permission to handle a request, carrying what the handler must still honour.
#[derive(Debug, Default)]
pub struct Ticket {
    pub publish_fault: Option<PublishFault>,
    /// Upload only: read part of the body, then drop the connection.
    pub drop_mid_body: bool,
    drop_after: bool,
    truncate: bool,
}

impl Ticket {
    /// Wraps the handler's answer: `drop_after` means the work is done but nobody hears of it.
    pub fn finish(self, resp: Response) -> Response {
        if self.drop_after {
            dropped()
        } else if self.truncate {
            truncated(resp)
        } else {
            resp
        }
    }
}

/// A response whose body fails on first poll. hyper then tears the connection down before
/// flushing the head, so the client sees a connection error rather than a response.
pub fn dropped() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("tokdeck-sim: injected drop"))
    });
    Response::new(Body::from_stream(stream))
}

/// `resp` with only the first half of its body's first frame (the whole JSON for the API's
/// answers) and no `Content-Length`, so the client reads a complete but cut answer.
fn truncated(resp: Response) -> Response {
    use futures_util::StreamExt;
    let (mut parts, body) = resp.into_parts();
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    let half = body
        .into_data_stream()
        .take(1)
        .map(|frame| frame.map(|b| b.slice(..b.len() / 2)));
    Response::from_parts(parts, Body::from_stream(half))
}

/// Counts the request and applies the next fault registered for `ep`, if any.
pub async fn gate(sim: &Sim, ep: Endpoint) -> Result<Ticket, Response> {
    let (fault, spelling) = {
        let mut st = sim.lock();
        *st.requests.entry(ep.name().to_string()).or_default() += 1;
        (
            st.faults.take(ep),
            st.behaviour.invalid_param_spelling.clone(),
        )
    };
    let Some(fault) = fault else {
        return Ok(Ticket::default());
    };
    tracing::info!(endpoint = ep.name(), kind = ?fault.kind, "injecting fault");
    let mut ticket = Ticket::default();
    match fault.kind {
        FaultKind::Delay => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms.unwrap_or(0))).await;
        }
        FaultKind::Status => {
            return Err(status_response(
                ep.flavour(),
                fault.status.unwrap_or(500),
                &spelling,
            ))
        }
        FaultKind::RateLimit => return Err(status_response(ep.flavour(), 429, &spelling)),
        FaultKind::Drop if ep == Endpoint::Upload => ticket.drop_mid_body = true,
        FaultKind::Drop => return Err(dropped()),
        FaultKind::DropAfter => ticket.drop_after = true,
        FaultKind::Truncate => ticket.truncate = true,
        FaultKind::ExpireUploadUrl => ticket.publish_fault = Some(PublishFault::ExpireUploadUrl),
        FaultKind::FailReason => {
            ticket.publish_fault = Some(PublishFault::FailReason(
                fault.fail_reason.unwrap_or_else(|| "internal".into()),
            ))
        }
        FaultKind::RevokeMidPublish => ticket.publish_fault = Some(PublishFault::RevokeMidPublish),
        FaultKind::StallProcessing => ticket.publish_fault = Some(PublishFault::StallProcessing),
    }
    Ok(ticket)
}

fn status_response(flavour: Flavour, status: u16, spelling: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match flavour {
        Flavour::Api => match status {
            400 => ApiError::invalid(spelling, "Injected bad request."),
            401 => ApiError::token_invalid(),
            429 => ApiError::rate_limited(),
            s if s >= 500 => ApiError::internal(s),
            s => ApiError::new(s, "internal_error", "Injected failure."),
        }
        .into_response(),
        Flavour::OAuth => {
            let (err, desc) = match status {
                429 => ("rate_limit_exceeded", "Too many requests."),
                s if s >= 500 => ("server_error", "Internal server error."),
                _ => ("invalid_request", "Injected failure."),
            };
            OAuthError::new(status, err, desc).into_response()
        }
        Flavour::Html => (
            code,
            Html(format!(
                "<!doctype html><title>Error</title><h1>Something went wrong ({status})</h1>"
            )),
        )
            .into_response(),
        Flavour::Upload => (code, format!("injected failure {status}")).into_response(),
    }
}
