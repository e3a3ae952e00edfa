//! Connecting an account: a pending authorization (fresh state and PKCE verifier, the redirect
//! URI, a 10-minute lifetime), the loopback listener that receives TikTok's redirect, and the one
//! `complete` path shared by the listener and the `tokdeck://oauth/callback` deep link.
//!
//! One flow is pending at a time; starting another cancels it. A callback must carry the state of
//! the pending flow; unknown, reused or late states are rejected and audited, and nothing is
//! stored. The token exchange sends exactly the flow's redirect URI.

use crate::accounts::plain::creator_text;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tiktok_api::{AuthorizationCallback, CodeVerifier};
use tokio::sync::oneshot;

mod callback;
mod listener;

use callback::callback_error;
pub use callback::fields_for;
use listener::start_listener;

use crate::accounts::dto::{AccountDto, Profile};
// The old path `oauth::PendingConnect` (the shell uses it).
pub use crate::accounts::dto::PendingConnect;
use crate::accounts::service::Accounts;
use crate::accounts::tokens::Tokens;
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::ctx::Ctx;
use crate::db::accounts;
use crate::db::audit;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NoticeLevel};
use crate::posts::service::Posts;
use crate::tiktok_app::{TiktokApp, TiktokCtx};
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
struct Flows {
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

/// Connecting (and reconnecting) accounts: the pending flow, its loopback listener, and the one
/// completion path for the listener and the deep link.
pub struct Connect {
    ctx: Ctx,
    tiktok_app: Arc<TiktokApp>,
    tokens: Arc<Tokens>,
    accounts: Arc<Accounts>,
    posts: Arc<Posts>,
    flows: Flows,
    flow_ttl: Duration,
}

impl Connect {
    pub fn new(
        ctx: Ctx,
        tiktok_app: Arc<TiktokApp>,
        tokens: Arc<Tokens>,
        accounts: Arc<Accounts>,
        posts: Arc<Posts>,
        flow_ttl: Duration,
    ) -> Self {
        Self {
            ctx,
            tiktok_app,
            tokens,
            accounts,
            posts,
            flows: Flows::default(),
            flow_ttl,
        }
    }

    /// What the loopback listener calls with TikTok's redirect. It holds the service weakly: a
    /// listener outliving the engine answers that Tokdeck is shutting down.
    fn on_callback(self: &Arc<Self>) -> listener::OnCallback {
        let weak = Arc::downgrade(self);
        Arc::new(move |cb| {
            let weak = weak.clone();
            Box::pin(async move {
                let Some(connect) = weak.upgrade() else {
                    return Err(
                        "Tokdeck is shutting down. Start it again and reconnect the account."
                            .to_owned(),
                    );
                };
                connect
                    .complete_callback(cb)
                    .await
                    .map(|account| account.title)
                    .map_err(|e| e.user_message())
            })
        })
    }

    /// Starts connecting an account (also used to reconnect one: the account is matched by
    /// `open_id` when the callback arrives). Opens the loopback listener in loopback mode.
    pub async fn begin_connect(self: &Arc<Self>) -> CoreResult<PendingConnect> {
        let tiktok = self.tiktok_app.current().await?;
        let (redirect_uri, stop) = match tiktok.resolved.redirect_mode {
            RedirectMode::Loopback => {
                let (port, stop) = start_listener(self.on_callback(), FLOW_TTL).await.map_err(|e| {
                    CoreError::Unavailable(format!(
                        "Tokdeck could not open a local port to receive TikTok's answer ({e}). Try again, or switch the redirect mode to deep link in Settings → TikTok app."
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
            expires_at_ms: self.ctx.clock().now_ms() + self.flow_ttl.as_millis() as i64,
            tiktok: tiktok.clone(),
            stop_listener: stop,
        };
        let dto = flow.dto();
        let replaced = {
            let mut inner = self.flows.inner.lock().expect("flows");
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
        let ttl = self.flow_ttl;
        tokio::spawn(async move {
            tokio::time::sleep(ttl).await;
            if let Some(connect) = weak.upgrade() {
                connect.expire_flow(&id).await;
            }
        });
        audit::record(
            self.ctx.pool(),
            None,
            "account.connect.start",
            Outcome::Ok,
            &format!("redirect {}", dto.redirect_uri),
        )
        .await;
        Ok(dto)
    }

    pub fn pending_connect(&self) -> Option<PendingConnect> {
        let inner = self.flows.inner.lock().expect("flows");
        inner
            .pending
            .as_ref()
            .filter(|f| f.expires_at_ms > self.ctx.clock().now_ms())
            .map(Flow::dto)
    }

    /// Cancels the pending flow, if any. Returns whether there was one.
    pub async fn cancel_connect(&self) -> bool {
        let taken = {
            let mut inner = self.flows.inner.lock().expect("flows");
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
            self.ctx.pool(),
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
            let mut inner = self.flows.inner.lock().expect("flows");
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
                self.ctx.pool(),
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
        self.ctx.events().emit(EngineEvent::ConnectFinished {
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
        let pool = self.ctx.pool();
        let taken = {
            let mut inner = self.flows.inner.lock().expect("flows");
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
        if self.ctx.clock().now_ms() > flow.expires_at_ms {
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
                self.ctx.events().emit(EngineEvent::AccountsChanged {
                    account_id: Some(account.id),
                });
                self.ctx.wake_refresher();
                Ok(account)
            }
            Err(e) => {
                tracing::info!(error = %e, "connect failed");
                let said = creator_text(&e.user_message());
                audit::record(pool, None, "account.connect", Outcome::Error, &said).await;
                self.finish_flow(&flow.id, false, &said, None);
                Err(e)
            }
        }
    }

    async fn finish_connect(
        &self,
        flow: &Flow,
        cb: AuthorizationCallback,
    ) -> CoreResult<(AccountDto, Option<String>)> {
        let pool = self.ctx.pool();
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
        let facts = self.tokens.save_tokens(&tokens).await?;
        let now = self.ctx.clock().now_ms();
        let existed = accounts::get_by_open_id(pool, &profile.open_id).await?;
        let app = flow.tiktok.resolved.app_id();
        let id = accounts::upsert_connected(pool, &profile, &facts, app, now).await?;
        if existed.as_ref().is_some_and(|r| r.removed_at.is_some()) {
            // Restored: the posts paused by the removal may publish again.
            if let Err(e) = self.posts.resume_posts_of_account(id).await {
                tracing::warn!(account = id, error = %e, "posts of the restored account not resumed");
            }
        }
        if let Some(row) = accounts::get(pool, id).await? {
            self.accounts.learn_privacy(&row).await;
        }
        let avatar_url = info
            .avatar_url_100
            .as_deref()
            .or(info.avatar_url.as_deref());
        let avatar_note = self
            .accounts
            .store_avatar(id, &profile.open_id, avatar_url)
            .await;
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
            self.ctx.events().emit(EngineEvent::Notice {
                level: NoticeLevel::Warning,
                message: w.clone(),
            });
            Some(w)
        };
        let account = self.accounts.account_dto(id).await?;
        Ok((account, warning))
    }
}
