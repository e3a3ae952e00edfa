//! The client handle and the request machinery shared by every endpoint: pacing, retries, and
//! decoding of TikTok's two answer formats.

use std::sync::Arc;

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::ClientConfig;
use crate::error::{
    decode_failure, success_log_id, transport_detail, Error, ErrorClass, ErrorKind, Result,
};
use crate::pacing::{Pacer, RateGroup};
use crate::tokens::AccessToken;

/// The typed TikTok client. Cheap to clone; clones share the connection pool and the pacer, so
/// one instance should serve all accounts of the app.
#[derive(Clone, Debug)]
pub struct TikTokClient {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: ClientConfig,
    /// For API calls: whole-request timeout, no redirects (a redirect from the API is never
    /// legitimate and would carry the bearer token elsewhere).
    pub(crate) api: reqwest::Client,
    /// For chunk PUTs: per-request timeouts computed from the chunk size.
    pub(crate) upload: reqwest::Client,
    pub(crate) pacer: Pacer,
}

impl TikTokClient {
    /// Builds a client; fails if the configuration is invalid (e.g. plain HTTP to a
    /// non-loopback host).
    pub fn new(config: ClientConfig) -> Result<Self> {
        config.validate()?;
        let build = |timeout: Option<std::time::Duration>| {
            let mut b = reqwest::Client::builder()
                .user_agent(config.user_agent.clone())
                .connect_timeout(config.connect_timeout)
                .redirect(reqwest::redirect::Policy::none())
                .https_only(false);
            if let Some(t) = timeout {
                b = b.timeout(t);
            }
            b.build()
                .map_err(|e| Error::new(ErrorKind::Config(format!("HTTP client: {e}"))))
        };
        let api = build(Some(config.request_timeout))?;
        let upload = build(None)?;
        let pacer = Pacer::new(config.rate_window);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                api,
                upload,
                pacer,
            }),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }
}

/// Every endpoint the client calls, with its pacing group and retry safety.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
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
}

impl Endpoint {
    fn group(self) -> Option<RateGroup> {
        match self {
            Self::UserInfo => Some(RateGroup::UserInfo),
            Self::VideoList => Some(RateGroup::VideoList),
            Self::VideoQuery => Some(RateGroup::VideoQuery),
            Self::CreatorInfo => Some(RateGroup::CreatorInfo),
            Self::VideoInit => Some(RateGroup::VideoInit),
            Self::InboxInit => Some(RateGroup::InboxInit),
            Self::Status => Some(RateGroup::StatusFetch),
            Self::Token | Self::Revoke | Self::Cancel => None,
        }
    }

    /// Inits create a publish: a resend after a lost answer could post the video twice.
    fn is_init(self) -> bool {
        matches!(self, Self::VideoInit | Self::InboxInit)
    }

    /// Reads that can be repeated freely on network errors and 5xx. The token endpoint is not
    /// one: codes are single-use and, with rotation, a refresh answer lost in transit cannot be
    /// replayed. Cancel is left to the caller too.
    fn is_idempotent(self) -> bool {
        matches!(
            self,
            Self::UserInfo | Self::VideoList | Self::VideoQuery | Self::CreatorInfo | Self::Status
        )
    }
}

/// A request body.
pub(crate) enum Body<'a> {
    None,
    Json(&'a serde_json::Value),
    Form(&'a [(&'a str, &'a str)]),
}

enum Verdict<T> {
    Done(Result<T>),
    Retry(Error),
}

const BODY_SNIPPET: usize = 300;

fn snippet(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    s.chars().take(BODY_SNIPPET).collect()
}

/// What an error may say about a body it could not use. The token and revoke endpoints answer
/// with live credentials (and a truncated answer defeats any key-based redaction), so of their
/// bodies only the size and the top-level field names are told; other bodies are shown as a
/// snippet, which [`Error::new`] redacts.
fn shown_body(endpoint: Endpoint, bytes: &[u8]) -> String {
    match endpoint {
        Endpoint::Token | Endpoint::Revoke => {
            let fields = serde_json::from_slice::<serde_json::Value>(bytes)
                .ok()
                .and_then(|v| match v {
                    serde_json::Value::Object(m) => {
                        Some(m.keys().cloned().collect::<Vec<_>>().join(", "))
                    }
                    _ => None,
                });
            match fields {
                Some(f) => format!("{} bytes with fields [{f}] (not shown)", bytes.len()),
                None => format!("{} bytes of unreadable JSON (not shown)", bytes.len()),
            }
        }
        _ => snippet(bytes),
    }
}

/// Why a body did not fit the expected shape. serde's text can quote the offending value
/// (`invalid type: string "act.…"`), so for the token endpoints only missing fields are named.
fn mismatch(endpoint: Endpoint, e: &serde_json::Error) -> String {
    match endpoint {
        Endpoint::Token | Endpoint::Revoke => {
            let text = e.to_string();
            if text.starts_with("missing field") {
                text
            } else {
                "a field has an unexpected type or value".to_owned()
            }
        }
        _ => e.to_string(),
    }
}

impl TikTokClient {
    /// Sends one logical call, retrying as `endpoint` allows, and returns `data` (Open API) or
    /// the whole body (OAuth) deserialized as `T`, plus TikTok's `log_id`.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        token: Option<&AccessToken>,
        body: Body<'_>,
    ) -> Result<(T, Option<String>)> {
        let cfg = &self.inner.config;
        let mut url = cfg.api_url(path)?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let max_attempts = cfg.retry.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let permit = match (token, endpoint.group()) {
                (Some(t), Some(g)) => Some(self.inner.pacer.acquire(t, g).await),
                _ => None,
            };
            let mut req = self.inner.api.request(method.clone(), url.clone());
            if let Some(t) = token {
                req = req.bearer_auth(t.secret());
            }
            req = match &body {
                Body::None => req,
                Body::Json(v) => req
                    .header(
                        CONTENT_TYPE,
                        HeaderValue::from_static("application/json; charset=UTF-8"),
                    )
                    .body(serde_json::to_vec(v).expect("JSON value serializes")),
                Body::Form(f) => req.header("Cache-Control", "no-cache").form(f),
            };
            let answer = async {
                let resp = req.send().await?;
                let status = resp.status();
                let bytes = resp.bytes().await?;
                Ok::<_, reqwest::Error>((status, bytes))
            }
            .await;
            drop(permit);
            let verdict = match answer {
                Err(e) => Self::judge_transport(endpoint, e),
                Ok((status, bytes)) => Self::judge_answer(endpoint, status, &bytes),
            };
            match verdict {
                Verdict::Done(r) => return r,
                Verdict::Retry(err) if attempt < max_attempts => {
                    let delay = cfg.retry.backoff(attempt);
                    tracing::warn!(?endpoint, attempt, ?delay, error = %err, "retrying TikTok call");
                    tokio::time::sleep(delay).await;
                }
                Verdict::Retry(err) => return Err(err),
            }
        }
    }

    fn judge_transport<T>(endpoint: Endpoint, e: reqwest::Error) -> Verdict<T> {
        if e.is_builder() {
            return Verdict::Done(Err(Error::invalid_input(transport_detail(e))));
        }
        let connect = e.is_connect();
        let err = Error::network(e);
        if connect {
            // The connection never opened, so nothing was sent: safe to retry anything.
            return Verdict::Retry(err);
        }
        if endpoint.is_init() {
            let ErrorKind::Network { detail, .. } = err.kind() else {
                unreachable!("Error::network builds a network error")
            };
            return Verdict::Done(Err(Error::outcome_unknown(format!(
                "no answer to {endpoint:?}: {detail}"
            ))));
        }
        if endpoint.is_idempotent() {
            Verdict::Retry(err)
        } else {
            Verdict::Done(Err(err))
        }
    }

    fn judge_answer<T: DeserializeOwned>(
        endpoint: Endpoint,
        status: StatusCode,
        bytes: &[u8],
    ) -> Verdict<(T, Option<String>)> {
        let code = status.as_u16();
        let parsed: Option<serde_json::Value> = if bytes.iter().all(u8::is_ascii_whitespace) {
            // Revoke may answer with an empty body.
            Some(serde_json::Value::Object(Default::default()))
        } else {
            serde_json::from_slice(bytes).ok()
        };
        let decoded = parsed.as_ref().map(decode_failure);
        match (parsed.as_ref(), decoded) {
            (Some(_), Some(Ok(Some(failure)))) => {
                let err = failure.into_error(code);
                // A 429 is a clean rejection: TikTok answered that it did not process the
                // request, so even an init can be resent without risking a duplicate post.
                let rate_limited = code == 429 || err.code() == Some("rate_limit_exceeded");
                if rate_limited && endpoint != Endpoint::Token {
                    return Verdict::Retry(err);
                }
                if endpoint.is_idempotent() && err.class() == ErrorClass::RetryLater {
                    return Verdict::Retry(err);
                }
                Verdict::Done(Err(err))
            }
            (Some(v), Some(Ok(None))) if status.is_success() => {
                let log_id = success_log_id(v);
                let target = match endpoint {
                    Endpoint::Token | Endpoint::Revoke => v.clone(),
                    _ => v.get("data").cloned().unwrap_or(serde_json::Value::Null),
                };
                match serde_json::from_value::<T>(target) {
                    Ok(data) => Verdict::Done(Ok((data, log_id))),
                    Err(e) if endpoint.is_init() => {
                        Verdict::Done(Err(Error::outcome_unknown(format!(
                            "unreadable init answer ({}): {}",
                            mismatch(endpoint, &e),
                            shown_body(endpoint, bytes)
                        ))
                        .with_log_id(log_id)))
                    }
                    Err(e) => Verdict::Done(Err(Error::invalid_response(format!(
                        "{}: {}",
                        mismatch(endpoint, &e),
                        shown_body(endpoint, bytes)
                    ))
                    .with_status(code)
                    .with_log_id(log_id))),
                }
            }
            // Unreadable body, an unknown error shape, or a non-2xx without a TikTok error.
            _ => {
                let err = Error::invalid_response(format!(
                    "HTTP {code}: {}",
                    shown_body(endpoint, bytes)
                ))
                .with_status(code);
                if endpoint.is_init() && (status.is_success() || status.is_server_error()) {
                    // A truncated 200 or a bare gateway 5xx: TikTok may have created the
                    // publish behind it.
                    return Verdict::Done(Err(Error::outcome_unknown(format!(
                        "HTTP {code} with unreadable body: {}",
                        shown_body(endpoint, bytes)
                    ))
                    .with_status(code)));
                }
                if code == 429 && endpoint != Endpoint::Token {
                    return Verdict::Retry(err);
                }
                if endpoint.is_idempotent() && status.is_server_error() {
                    return Verdict::Retry(err);
                }
                Verdict::Done(Err(err))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(
        ep: Endpoint,
        status: u16,
        body: &str,
    ) -> Verdict<(serde_json::Value, Option<String>)> {
        TikTokClient::judge_answer(ep, StatusCode::from_u16(status).unwrap(), body.as_bytes())
    }

    #[test]
    fn truncated_init_answer_is_outcome_unknown() {
        let Verdict::Done(Err(e)) =
            judge(Endpoint::VideoInit, 200, r#"{"data":{"publish_id":"v_pub"#)
        else {
            panic!()
        };
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown);
        let Verdict::Done(Err(e)) = judge(Endpoint::InboxInit, 502, "<html>bad gateway</html>")
        else {
            panic!()
        };
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown);
    }

    #[test]
    fn envelope_5xx_retries_only_idempotent_calls() {
        let body = r#"{"error":{"code":"internal_error","message":"x","log_id":"L"}}"#;
        assert!(matches!(
            judge(Endpoint::Status, 500, body),
            Verdict::Retry(_)
        ));
        let Verdict::Done(Err(e)) = judge(Endpoint::VideoInit, 500, body) else {
            panic!()
        };
        assert_eq!(e.class(), ErrorClass::RetryLater);
        assert_eq!(e.log_id(), Some("L"));
    }

    #[test]
    fn rate_limit_retries_even_for_init() {
        let body = r#"{"error":{"code":"rate_limit_exceeded","message":"","log_id":"L"}}"#;
        assert!(matches!(
            judge(Endpoint::VideoInit, 429, body),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn oauth_error_with_200_is_an_error() {
        let Verdict::Done(Err(e)) = judge(
            Endpoint::Token,
            200,
            r#"{"error":"invalid_grant","error_description":"x","log_id":"L"}"#,
        ) else {
            panic!()
        };
        assert_eq!(e.class(), ErrorClass::Reauthorize);
        assert_eq!(e.http_status(), Some(200));
    }

    const TOKENS: &str = r#"{"access_token":"act.live0123456789abcdef","expires_in":86400,"open_id":"o1","refresh_expires_in":31536000,"refresh_token":"rft.live0123456789abcdef","scope":"user.info.basic","token_type":"Bearer"}"#;

    fn assert_no_token(e: &Error) {
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(
                !shown.contains("live0123456789"),
                "a token is in the error: {shown}"
            );
        }
    }

    #[test]
    fn unreadable_token_answers_never_echo_the_body() {
        // Truncated: not JSON at all.
        let cut = &TOKENS[..TOKENS.len() - 40];
        let Verdict::Done(Err(e)) = judge(Endpoint::Token, 200, cut) else {
            panic!()
        };
        assert_no_token(&e);
        assert!(e.to_string().contains("not shown"), "{e}");
        // Valid JSON of the wrong shape: serde's message would quote the value.
        let wrong = TOKENS.replace(
            r#""expires_in":86400"#,
            r#""expires_in":"act.live0123456789abcdef""#,
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Tokens {
            open_id: String,
            expires_in: u64,
        }
        let v: Verdict<(Tokens, Option<String>)> =
            TikTokClient::judge_answer(Endpoint::Token, StatusCode::OK, wrong.as_bytes());
        let Verdict::Done(Err(e)) = v else { panic!() };
        assert_no_token(&e);
        assert!(e.to_string().contains("open_id"), "fields are named: {e}");
        // A 5xx from the revoke endpoint echoing the form.
        let Verdict::Done(Err(e)) = judge(
            Endpoint::Revoke,
            502,
            "bad gateway: token=act.live0123456789abcdef&client_secret=s",
        ) else {
            panic!()
        };
        assert_no_token(&e);
    }

    #[test]
    fn other_bodies_are_shown_redacted() {
        let Verdict::Done(Err(e)) = judge(
            Endpoint::VideoInit,
            200,
            r#"{"data":{"publish_id":"p","upload_url":"https://up.example/v/?upload_token=live0123456789"#,
        ) else {
            panic!()
        };
        assert_no_token(&e);
        assert!(e.to_string().contains("publish_id"), "{e}");
    }

    #[test]
    fn creator_info_cap_with_200_is_an_error() {
        let Verdict::Done(Err(e)) = judge(
            Endpoint::CreatorInfo,
            200,
            r#"{"data":{},"error":{"code":"spam_risk_too_many_posts","message":"","log_id":"L"}}"#,
        ) else {
            panic!()
        };
        assert!(e.user_action().is_some());
    }
}
