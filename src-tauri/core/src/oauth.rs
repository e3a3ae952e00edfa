//! Connecting an account: a pending authorization (fresh state and PKCE verifier, the redirect
//! URI, a 10-minute lifetime), the loopback listener that receives TikTok's redirect, and the one
//! `complete` path shared by the listener and the `tokdeck://oauth/callback` deep link.
//!
//! One flow is pending at a time; starting another cancels it. A callback must carry the state of
//! the pending flow; unknown, reused or late states are rejected and audited, and nothing is
//! stored. The token exchange sends exactly the flow's redirect URI.

use std::collections::VecDeque;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tiktok_api::{AuthorizationCallback, CodeVerifier, UserField};
use tokio::sync::oneshot;

pub use crate::accounts::dto::PendingConnect;
use crate::accounts::{self, AccountDto, Profile};
use crate::audit::{self, Outcome};
use crate::clock::rfc3339;
use crate::engine::{Engine, TiktokCtx};
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NoticeLevel};
use crate::tiktok_config::{RedirectMode, DEEP_LINK_REDIRECT_URI};

pub const FLOW_TTL: Duration = Duration::from_secs(10 * 60);
const REMEMBERED_STATES: usize = 64;

struct Flow {
    id: String,
    state: String,
    verifier: CodeVerifier,
    redirect_uri: String,
    authorize_url: String,
    redirect_mode: RedirectMode,
    requested_scopes: Vec<String>,
    expires_at_ms: i64,
    tiktok: Arc<TiktokCtx>,
    stop_listener: Option<oneshot::Sender<()>>,
}

impl Flow {
    fn dto(&self) -> PendingConnect {
        PendingConnect {
            flow_id: self.id.clone(),
            authorize_url: self.authorize_url.clone(),
            redirect_uri: self.redirect_uri.clone(),
            redirect_mode: self.redirect_mode,
            expires_at: rfc3339(self.expires_at_ms),
        }
    }

    fn stop(&mut self) {
        if let Some(stop) = self.stop_listener.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Default)]
pub struct Flows {
    inner: Mutex<FlowsInner>,
}

impl std::fmt::Debug for Flows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Flows")
    }
}

#[derive(Default)]
struct FlowsInner {
    pending: Option<Flow>,
    /// States already used or cancelled, to tell a replay from a forgery in the audit log.
    spent: VecDeque<String>,
}

impl FlowsInner {
    fn spend(&mut self, state: String) {
        if self.spent.len() >= REMEMBERED_STATES {
            self.spent.pop_front();
        }
        self.spent.push_back(state);
    }
}

enum Taken {
    Flow(Box<Flow>),
    Unknown(&'static str),
}

impl Engine {
    /// Starts connecting an account (also used to reconnect one: the account is matched by
    /// `open_id` when the callback arrives). Opens the loopback listener in loopback mode.
    pub async fn begin_connect(self: &Arc<Self>) -> CoreResult<PendingConnect> {
        let tiktok = self.tiktok().await?;
        let (redirect_uri, stop) = match tiktok.resolved.redirect_mode {
            RedirectMode::Loopback => {
                let (port, stop) = start_listener(Arc::downgrade(self)).await.map_err(|e| {
                    CoreError::Unavailable(format!(
                        "Tokdeck could not open a local port to receive TikTok's answer ({e}). Try again, or switch the redirect mode to deep link in Settings → TikTok."
                    ))
                })?;
                (format!("http://127.0.0.1:{port}/callback/"), Some(stop))
            }
            RedirectMode::DeepLink => (DEEP_LINK_REDIRECT_URI.to_owned(), None),
        };
        let req = tiktok
            .client
            .authorization_request(&redirect_uri, &tiktok.resolved.scopes)?;
        let flow = Flow {
            id: uuid::Uuid::new_v4().to_string(),
            state: req.state,
            verifier: req.verifier,
            redirect_uri: req.redirect_uri,
            authorize_url: req.url.to_string(),
            redirect_mode: tiktok.resolved.redirect_mode,
            requested_scopes: tiktok.resolved.scope_names(),
            expires_at_ms: self.clock().now_ms() + self.flow_ttl().as_millis() as i64,
            tiktok: tiktok.clone(),
            stop_listener: stop,
        };
        let dto = flow.dto();
        let replaced = {
            let mut inner = self.flows().inner.lock().expect("flows");
            let old = inner.pending.take();
            if let Some(old) = &old {
                inner.spend(old.state.clone());
            }
            inner.pending = Some(flow);
            old
        };
        if let Some(mut old) = replaced {
            old.stop();
            self.finish_flow(
                &old.id,
                false,
                "A new connect was started; the previous one was cancelled.",
                None,
            );
        }
        // Expire the flow (and close its port) after the TTL even if no callback ever comes.
        let weak = Arc::downgrade(self);
        let id = dto.flow_id.clone();
        let ttl = self.flow_ttl();
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            if let Some(engine) = weak.upgrade() {
                engine.expire_flow(&id).await;
            }
        });
        audit::record(
            self.store().pool(),
            None,
            "account.connect.start",
            Outcome::Ok,
            &format!("redirect {}", dto.redirect_uri),
        )
        .await;
        Ok(dto)
    }

    pub fn pending_connect(&self) -> Option<PendingConnect> {
        let inner = self.flows().inner.lock().expect("flows");
        inner
            .pending
            .as_ref()
            .filter(|f| f.expires_at_ms > self.clock().now_ms())
            .map(Flow::dto)
    }

    /// Cancels the pending flow, if any. Returns whether there was one.
    pub async fn cancel_connect(&self) -> bool {
        let taken = {
            let mut inner = self.flows().inner.lock().expect("flows");
            let f = inner.pending.take();
            if let Some(f) = &f {
                inner.spend(f.state.clone());
            }
            f
        };
        let Some(mut flow) = taken else {
            return false;
        };
        flow.stop();
        audit::record(
            self.store().pool(),
            None,
            "account.connect.cancel",
            Outcome::Ok,
            "",
        )
        .await;
        self.finish_flow(&flow.id, false, "Connecting was cancelled.", None);
        true
    }

    async fn expire_flow(&self, id: &str) {
        let taken = {
            let mut inner = self.flows().inner.lock().expect("flows");
            if inner.pending.as_ref().is_some_and(|f| f.id == id) {
                let f = inner.pending.take();
                if let Some(f) = &f {
                    inner.spend(f.state.clone());
                }
                f
            } else {
                None
            }
        };
        if let Some(mut flow) = taken {
            flow.stop();
            audit::record(
                self.store().pool(),
                None,
                "account.connect.expire",
                Outcome::Error,
                "no answer from TikTok within 10 minutes",
            )
            .await;
            self.finish_flow(&flow.id, false, "Connecting timed out: TikTok's page was not completed within 10 minutes. Click Add account to try again.", None);
        }
    }

    fn finish_flow(&self, id: &str, ok: bool, message: &str, account: Option<AccountDto>) {
        let account = account.map(Box::new);
        self.events().emit(EngineEvent::ConnectFinished {
            flow_id: Some(id.to_owned()),
            ok,
            message: tiktok_api::redact::redact(message),
            account,
        });
    }

    /// `complete(code, state)`: the deep-link entry point.
    pub async fn complete(&self, code: &str, state: &str) -> CoreResult<AccountDto> {
        self.complete_callback(AuthorizationCallback {
            code: Some(tiktok_api::AuthCode::new(code)),
            state: Some(state.to_owned()),
            ..Default::default()
        })
        .await
    }

    /// The one completion path: checks the state against the pending flow (single use), turns a
    /// callback error into a plain message, exchanges the code with the flow's exact redirect URI,
    /// reads the profile, saves tokens to the keychain and upserts the account by `open_id`.
    pub async fn complete_callback(&self, cb: AuthorizationCallback) -> CoreResult<AccountDto> {
        let pool = self.store().pool();
        let taken = {
            let mut inner = self.flows().inner.lock().expect("flows");
            match cb.state.as_deref() {
                None | Some("") => Taken::Unknown("the callback carries no state"),
                Some(s) => {
                    if inner.pending.as_ref().is_some_and(|f| f.state == s) {
                        let f = inner.pending.take().expect("checked");
                        inner.spend(s.to_owned());
                        Taken::Flow(Box::new(f))
                    } else if inner.spent.iter().any(|x| x == s) {
                        Taken::Unknown(
                            "the callback was already used (or its connect was cancelled)",
                        )
                    } else if inner.pending.is_none() {
                        Taken::Unknown("no connect is in progress")
                    } else {
                        Taken::Unknown(
                            "the callback's state does not match the connect in progress",
                        )
                    }
                }
            }
        };
        let mut flow = match taken {
            Taken::Flow(f) => f,
            Taken::Unknown(why) => {
                audit::record(
                    pool,
                    None,
                    "account.connect.callback",
                    Outcome::Rejected,
                    why,
                )
                .await;
                return Err(CoreError::Conflict(format!(
                    "This sign-in answer was ignored: {why}. If you are connecting an account, click Add account and finish on TikTok's page."
                )));
            }
        };
        flow.stop();
        if self.clock().now_ms() > flow.expires_at_ms {
            let msg = "This sign-in took longer than 10 minutes and has expired. Click Add account to try again.";
            audit::record(
                pool,
                None,
                "account.connect.callback",
                Outcome::Rejected,
                "flow expired",
            )
            .await;
            self.finish_flow(&flow.id, false, msg, None);
            return Err(CoreError::Conflict(msg.into()));
        }
        match self.finish_connect(&flow, cb).await {
            Ok((account, warning)) => {
                let msg = match &warning {
                    Some(w) => format!("{} is connected. {w}", account.title),
                    None => format!("{} is connected.", account.title),
                };
                self.finish_flow(&flow.id, true, &msg, Some(account.clone()));
                self.events().emit(EngineEvent::AccountsChanged {
                    account_id: Some(account.id),
                });
                self.wake_background();
                Ok(account)
            }
            Err(e) => {
                audit::record(
                    pool,
                    None,
                    "account.connect",
                    Outcome::Error,
                    &e.user_message(),
                )
                .await;
                self.finish_flow(&flow.id, false, &e.user_message(), None);
                Err(e)
            }
        }
    }

    async fn finish_connect(
        &self,
        flow: &Flow,
        cb: AuthorizationCallback,
    ) -> CoreResult<(AccountDto, Option<String>)> {
        let pool = self.store().pool();
        let code = cb.into_code(&flow.state).map_err(callback_error)?;
        let client = &flow.tiktok.client;
        let tokens = client
            .exchange_code(&code.code, &flow.verifier, &flow.redirect_uri)
            .await?;
        let info = client
            .user_info(&tokens.access_token, &fields_for(&tokens.scopes))
            .await?;
        let mut profile = Profile::from(&info);
        if profile.open_id.is_empty() {
            profile.open_id = tokens.open_id.clone();
        }
        if profile.open_id != tokens.open_id {
            return Err(CoreError::Internal(
                "TikTok's profile answer names a different account than the sign-in; nothing was saved.".into(),
            ));
        }
        // Keychain first: the account row only says "connected" once its tokens are safe.
        let facts = self.save_tokens(&tokens).await?;
        let now = self.clock().now_ms();
        let existed = accounts::get_by_open_id(pool, &profile.open_id).await?;
        let app = flow.tiktok.resolved.app_id();
        let id = accounts::upsert_connected(pool, &profile, &facts, app, now).await?;
        if existed.as_ref().is_some_and(|r| r.removed_at.is_some()) {
            // Restored: the posts paused by the removal may publish again.
            if let Err(e) = self.resume_posts_of_account(id).await {
                tracing::warn!(account = id, error = %e, "posts of the restored account not resumed");
            }
        }
        let avatar_url = info
            .avatar_url_100
            .as_deref()
            .or(info.avatar_url.as_deref());
        let avatar_note = self.store_avatar(id, &profile.open_id, avatar_url).await;
        let action = match &existed {
            None => "account.connect",
            Some(r) if r.removed_at.is_some() => "account.restore",
            Some(_) => "account.reconnect",
        };
        let missing: Vec<String> = flow
            .requested_scopes
            .iter()
            .filter(|s| !facts.scopes.contains(s))
            .cloned()
            .collect();
        audit::record(
            pool,
            Some(id),
            action,
            Outcome::Ok,
            &format!(
                "scopes {}{}",
                facts.scopes.join(","),
                avatar_note.map(|n| format!("; {n}")).unwrap_or_default()
            ),
        )
        .await;
        let warning = if missing.is_empty() {
            None
        } else {
            let w = format!(
                "TikTok did not grant: {}. Features that need them will not work for this account; reconnect and tick every permission to enable them.",
                missing.join(", ")
            );
            audit::record(
                pool,
                Some(id),
                "account.scope_warning",
                Outcome::Ok,
                &format!("not granted: {}", missing.join(",")),
            )
            .await;
            self.events().emit(EngineEvent::Notice {
                level: NoticeLevel::Warning,
                message: w.clone(),
            });
            Some(w)
        };
        let account = self.account_dto(id).await?;
        Ok((account, warning))
    }
}

/// The profile fields the granted scopes allow (asking for more is an error at TikTok).
pub fn fields_for(scopes: &[String]) -> Vec<UserField> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut f = vec![
        UserField::OpenId,
        UserField::UnionId,
        UserField::AvatarUrl,
        UserField::AvatarUrl100,
        UserField::DisplayName,
    ];
    if has("user.info.profile") {
        f.extend([
            UserField::BioDescription,
            UserField::ProfileDeepLink,
            UserField::IsVerified,
            UserField::Username,
        ]);
    }
    if has("user.info.stats") {
        f.extend([
            UserField::FollowerCount,
            UserField::FollowingCount,
            UserField::LikesCount,
            UserField::VideoCount,
        ]);
    }
    f
}

/// A callback that carries an error (or no code), in words for the creator.
fn callback_error(e: tiktok_api::Error) -> CoreError {
    use tiktok_api::ErrorKind;
    let message = match e.kind() {
        ErrorKind::Authorization {
            error,
            description,
            error_type,
            err_code,
        } => {
            let error_type = error_type.as_deref().unwrap_or("");
            match (error.as_str(), error_type) {
                (_, "non_sandbox_target") => "This TikTok account is not a target user of your sandbox app, so TikTok refused it. Add it under Sandbox → Target users in the TikTok developer portal, or sign in with a listed account.".to_owned(),
                ("access_denied", _) => "You declined on TikTok's page, so nothing was connected. Click Add account to try again and approve the permissions.".to_owned(),
                ("invalid_scope", _) | (_, "scope") => "TikTok refused the requested permissions (scopes). Check that your app is approved for them in the TikTok developer portal, or remove them in Settings → TikTok.".to_owned(),
                (_, "code_challenge") | ("param_error", _) => format!(
                    "TikTok rejected Tokdeck's sign-in request (PKCE check{}). This is a Tokdeck problem: update Tokdeck or report it.",
                    err_code.as_deref().map(|c| format!(", errCode {c}")).unwrap_or_default()
                ),
                _ => format!(
                    "TikTok could not complete the sign-in ({error}{}). Click Add account to try again.",
                    description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                ),
            }
        }
        ErrorKind::MissingCode => {
            "TikTok's answer carried no sign-in code. Click Add account to try again.".to_owned()
        }
        _ => return CoreError::from(e),
    };
    CoreError::Tiktok {
        message,
        class: e.class(),
        log_id: e.log_id().map(str::to_owned),
    }
}

/// Serves `GET /callback/` on 127.0.0.1 (ephemeral port) until the flow's callback arrives or
/// the flow ends. `/favicon.ico` and everything else get a 404.
async fn start_listener(engine: Weak<Engine>) -> std::io::Result<(u16, oneshot::Sender<()>)> {
    start_listener_with(engine, CALLBACK_LIMITS).await
}

/// One browser finishing a sign-in needs a few connections; any local program could otherwise
/// hold the port with unlimited idle sockets.
pub(crate) const CALLBACK_LIMITS: crate::serve::Limits = crate::serve::Limits {
    max_connections: 16,
    header_timeout: Duration::from_secs(10),
};

pub(crate) async fn start_listener_with(
    engine: Weak<Engine>,
    limits: crate::serve::Limits,
) -> std::io::Result<(u16, oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let port = listener.local_addr()?.port();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = axum::Router::new()
        .route("/callback/", get(callback_handler))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
        .with_state(engine);
    tokio::spawn(async move {
        let stop = async move {
            let _ = stop_rx.await;
        };
        let serve = crate::serve::serve(listener, app, limits, stop, Duration::from_secs(5));
        // Bound the graceful phase: an idle keep-alive browser connection must not keep the
        // port open.
        let _ = tokio::time::timeout(FLOW_TTL + Duration::from_secs(60), serve).await;
    });
    Ok((port, stop_tx))
}

async fn callback_handler(
    State(engine): State<Weak<Engine>>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(engine) = engine.upgrade() else {
        return page(
            false,
            "Tokdeck is shutting down. Start it again and reconnect the account.",
        );
    };
    let cb = AuthorizationCallback::parse_query(query.as_deref().unwrap_or(""));
    match engine.complete_callback(cb).await {
        Ok(account) => page(
            true,
            &format!(
                "{} is connected to Tokdeck. You can close this tab and go back to Tokdeck.",
                account.title
            ),
        ),
        Err(e) => page(false, &e.user_message()),
    }
}

/// The page the browser shows after the redirect. The message is redacted once more: the page
/// stays in the browser's history and cache, out of Tokdeck's reach.
fn page(ok: bool, message: &str) -> Response {
    let message = &tiktok_api::redact::redact(message);
    let (title, colour) = if ok {
        ("Account connected", "#127a3a")
    } else {
        ("Account not connected", "#a1261b")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tokdeck — {title}</title>\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}\
         h1{{color:{colour};font-size:1.5rem}}</style></head>\
         <body><h1>{title}</h1><p>{}</p><p>You can close this tab.</p></body></html>",
        escape(message)
    );
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        [
            ("cache-control", "no-store"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
            ("referrer-policy", "no-referrer"),
        ],
        Html(body),
    )
        .into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_scopes() {
        assert_eq!(fields_for(&["user.info.basic".into()]).len(), 5);
        assert_eq!(
            fields_for(&[
                "user.info.basic".into(),
                "user.info.stats".into(),
                "user.info.profile".into()
            ])
            .len(),
            13
        );
    }

    #[test]
    fn callback_errors_read_well() {
        let e = AuthorizationCallback::parse_query("error=access_denied&state=s")
            .into_code("s")
            .unwrap_err();
        assert!(callback_error(e).to_string().contains("declined"));
        let e = AuthorizationCallback::parse_query(
            "error=access_denied&error_type=non_sandbox_target&state=s",
        )
        .into_code("s")
        .unwrap_err();
        assert!(callback_error(e).to_string().contains("sandbox"));
        let e = AuthorizationCallback::parse_query(
            "error=param_error&errCode=10007&error_type=code_challenge&state=s",
        )
        .into_code("s")
        .unwrap_err();
        assert!(callback_error(e).to_string().contains("10007"));
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
    }
}

#[cfg(test)]
mod listener_tests {
    use super::*;

    #[tokio::test]
    async fn the_callback_listener_bounds_and_closes_idle_connections() {
        let limits = crate::serve::testing::TIGHT;
        let (port, stop) = start_listener_with(Weak::new(), limits).await.unwrap();
        let addr = std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let status =
            crate::serve::testing::flood_then_request(addr, limits, "/callback/?code=c&state=s")
                .await;
        assert!(status.starts_with("HTTP/1.1 "), "{status}");
        let _ = stop.send(());
    }
}
