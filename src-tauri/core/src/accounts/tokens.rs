//! Account tokens: kept in the keychain (`account:<open_id>:access` / `:refresh`), their expiry
//! instants in SQLite. A token is refreshed ahead of expiry, one refresh at a time per account
//! (single-flight: a per-account async mutex; a waiter re-reads the keychain after the holder
//! finished), and the new refresh token reaches the keychain before the new access token is
//! used. A revoked grant marks the account `needs_reconnect` and notifies the creator.
//!
//! A token is refreshed ahead of expiry by [`REFRESH_MARGIN_MS`], or by half its lifetime when
//! it lives shorter than twice that, and an account's token is never refreshed ahead of need
//! more often than every [`MIN_REFRESH_INTERVAL_MS`] (a token TikTok rejected is refreshed at
//! once). The background refresher is a task owned by the engine: it sleeps until the earliest
//! refresh or warning is due (see [`MAX_SLEEP`]), and is woken early when accounts change or
//! the clock moves.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tiktok_api::{AccessToken, ErrorClass, RefreshToken, TokenSet};

pub(crate) use crate::accounts::dto::display;
use crate::accounts::dto::{AccountRow, AccountStatus, TokenFacts, REFRESH_WARNING_MS};
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::ctx::Ctx;
use crate::db::accounts;
use crate::db::audit;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NoticeLevel, NotificationKind};
use crate::secrets::Secret;
use crate::tiktok_app::{TiktokApp, TiktokCtx};

/// Refresh this long before the access token expires (at most half the token's lifetime).
pub const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;
/// The shortest time between two refreshes of one account made ahead of expiry, so a token
/// that lives shorter than expected cannot make the refresher spin.
pub const MIN_REFRESH_INTERVAL_MS: i64 = 30 * 1000;
/// The refresher sleeps until the next refresh or warning is due, but re-reads the wall clock at
/// least this often. On Linux a resume or a clock change wakes it at once (`wall_clock`), so the
/// ceiling only guards against a missed signal; elsewhere it is what bounds the delay after a
/// resume.
pub const MAX_SLEEP: Duration = if cfg!(target_os = "linux") {
    Duration::from_secs(10 * 60)
} else {
    Duration::from_secs(30)
};
/// After a transient refresh failure, wait this long before the background retries.
const RETRY_AFTER_MS: i64 = 60 * 1000;

pub fn access_entry(open_id: &str) -> String {
    format!("account:{open_id}:access")
}

pub fn refresh_entry(open_id: &str) -> String {
    format!("account:{open_id}:refresh")
}

/// When an account's tokens were last issued and how long that access token lives, from
/// TikTok's answer (known since this process saved the tokens).
#[derive(Debug, Clone, Copy)]
struct Issued {
    at: i64,
    lifetime_ms: i64,
}

/// Per-account refresh locks, the background retry schedule, and the last issuance per account.
#[derive(Debug, Default)]
pub struct TokenLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    retry_at: Mutex<HashMap<i64, i64>>,
    /// By open_id.
    issued: Mutex<HashMap<String, Issued>>,
    /// Background refresher passes since start (the idle-wake-up benchmark reads it).
    passes: std::sync::atomic::AtomicU64,
}

impl TokenLocks {
    fn for_account(&self, open_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .lock()
            .expect("token locks")
            .entry(open_id.to_owned())
            .or_default()
            .clone()
    }

    fn issued(&self, open_id: &str) -> Option<Issued> {
        self.issued
            .lock()
            .expect("issued map")
            .get(open_id)
            .copied()
    }
}

/// When the account's access token should be refreshed ahead of expiry (epoch ms): the margin
/// before expiry, capped at half the token's lifetime, and not sooner than
/// [`MIN_REFRESH_INTERVAL_MS`] after the last issuance. `None` without a known expiry.
fn refresh_due_at(row: &AccountRow, issued: Option<Issued>) -> Option<i64> {
    let expires = row.access_expires_at?;
    let margin = issued.map_or(REFRESH_MARGIN_MS, |i| {
        (i.lifetime_ms / 2).min(REFRESH_MARGIN_MS)
    });
    let due = expires - margin;
    Some(issued.map_or(due, |i| due.max(i.at + MIN_REFRESH_INTERVAL_MS)))
}

/// Milliseconds until this account's 7-day warning falls due; `i64::MAX` when it was sent, is
/// due already (the current pass sends it) or cannot be (no known refresh expiry).
fn warning_due_in(row: &AccountRow, now: i64) -> i64 {
    match row.refresh_expires_at {
        Some(expires) if row.refresh_warned_at.is_none() => {
            let due_in = expires - REFRESH_WARNING_MS - now;
            if due_in > 0 {
                due_in
            } else {
                i64::MAX
            }
        }
        _ => i64::MAX,
    }
}

/// Usable without a refresh: not expired, and no refresh due yet.
fn is_fresh(row: &AccountRow, issued: Option<Issued>, now: i64) -> bool {
    row.access_expires_at.is_some_and(|t| t > now)
        && refresh_due_at(row, issued).is_some_and(|t| t > now)
}

fn reconnect_error(row: &AccountRow) -> CoreError {
    CoreError::Tiktok {
        message: format!(
            "TikTok no longer accepts the sign-in of {}. Reconnect the account (Accounts → Reconnect).",
            display(row)
        ),
        class: ErrorClass::Reauthorize,
        log_id: None,
    }
}

/// The account's tokens were issued by another TikTok app than the configured one: they are
/// not sent (that app's backend would reject them, and the account would be flagged). The
/// stored status stays, so switching back to that app makes the account work again.
fn other_app_error(row: &AccountRow) -> CoreError {
    CoreError::Tiktok {
        message: format!(
            "{} was connected with another TikTok app than the one set up now. Reconnect it (Accounts → Reconnect), or switch back to that app in Settings → TikTok app.",
            display(row)
        ),
        class: ErrorClass::Reauthorize,
        log_id: None,
    }
}

/// Account tokens as a service: the keychain entries, their expiry in SQLite, the per-account
/// single-flight refresh and the background refresher's passes.
pub struct Tokens {
    ctx: Ctx,
    app: Arc<TiktokApp>,
    locks: TokenLocks,
}

impl Tokens {
    pub fn new(ctx: Ctx, app: Arc<TiktokApp>) -> Self {
        Self {
            ctx,
            app,
            locks: TokenLocks::default(),
        }
    }

    /// Saves a token set from TikTok: the refresh token first (it may have rotated, and the old
    /// one may already be dead), then the access token, then the expiry in SQLite.
    pub async fn save_tokens(&self, ts: &TokenSet) -> CoreResult<TokenFacts> {
        self.ctx
            .secrets()
            .set(
                &refresh_entry(&ts.open_id),
                &Secret::new(ts.refresh_token.secret()),
            )
            .await?;
        self.ctx
            .secrets()
            .set(
                &access_entry(&ts.open_id),
                &Secret::new(ts.access_token.secret()),
            )
            .await?;
        // Expiry counts from when the answer arrived, on the engine's clock (TokenSet's
        // `received_at` is the system clock; the two differ only in tests).
        let received = self.ctx.clock().now_ms();
        self.locks.issued.lock().expect("issued map").insert(
            ts.open_id.clone(),
            Issued {
                at: received,
                lifetime_ms: ts.expires_in.as_millis() as i64,
            },
        );
        Ok(TokenFacts {
            scopes: ts.scopes.clone(),
            access_expires_at: received + ts.expires_in.as_millis() as i64,
            refresh_expires_at: received + ts.refresh_expires_in.as_millis() as i64,
        })
    }

    /// The account's refresh lock (held while tokens are written or deleted).
    pub fn token_locks_for(&self, open_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.locks.for_account(open_id)
    }

    pub async fn delete_tokens(&self, open_id: &str) -> CoreResult<()> {
        self.ctx.secrets().delete(&access_entry(open_id)).await?;
        self.ctx.secrets().delete(&refresh_entry(open_id)).await?;
        Ok(())
    }

    /// A valid access token for the account, refreshed first if it expires within the margin.
    pub async fn access_token(&self, account_id: i64) -> CoreResult<AccessToken> {
        self.token_for(account_id, None).await
    }

    /// Like [`Self::access_token`]; with `rejected` (a token TikTok just refused) a refresh is
    /// forced unless another task already replaced that token.
    pub async fn token_for(
        &self,
        account_id: i64,
        rejected: Option<&AccessToken>,
    ) -> CoreResult<AccessToken> {
        let ctx = self.app.current().await?;
        self.token_with(&ctx, account_id, rejected).await
    }

    /// [`Self::token_for`] for the app of `ctx`: the caller sends the token only to `ctx`'s
    /// client, so the check and the use cannot see two different configurations.
    async fn token_with(
        &self,
        ctx: &TiktokCtx,
        account_id: i64,
        rejected: Option<&AccessToken>,
    ) -> CoreResult<AccessToken> {
        let pool = self.ctx.store().pool();
        let row = accounts::get_live(pool, account_id).await?;
        if row.status() == AccountStatus::NeedsReconnect {
            return Err(reconnect_error(&row));
        }
        if !row.issued_by(ctx.resolved.app_id()) {
            return Err(other_app_error(&row));
        }
        let issued = self.locks.issued(&row.open_id);
        if rejected.is_none() && is_fresh(&row, issued, self.ctx.clock().now_ms()) {
            if let Some(t) = self.ctx.secrets().get(&access_entry(&row.open_id)).await? {
                return Ok(AccessToken::new(t.expose()));
            }
        }
        let lock = self.locks.for_account(&row.open_id);
        let _guard = lock.lock().await;
        // Whoever held the lock before us may have refreshed: read everything again.
        let row = accounts::get_live(pool, account_id).await?;
        if row.status() == AccountStatus::NeedsReconnect {
            return Err(reconnect_error(&row));
        }
        if let Some(current) = self.ctx.secrets().get(&access_entry(&row.open_id)).await? {
            let replaced = rejected.is_some_and(|r| r.secret() != current.expose());
            let issued = self.locks.issued(&row.open_id);
            if replaced || (rejected.is_none() && is_fresh(&row, issued, self.ctx.clock().now_ms()))
            {
                return Ok(AccessToken::new(current.expose()));
            }
        }
        if !row.issued_by(ctx.resolved.app_id()) {
            return Err(other_app_error(&row));
        }
        self.refresh_locked(ctx, &row).await
    }

    /// The refresh itself; the caller holds the account's lock and checked the app.
    async fn refresh_locked(
        &self,
        tiktok: &TiktokCtx,
        row: &AccountRow,
    ) -> CoreResult<AccessToken> {
        let pool = self.ctx.store().pool();
        let Some(refresh) = self.ctx.secrets().get(&refresh_entry(&row.open_id)).await? else {
            let err = reconnect_error(row);
            self.mark_needs_reconnect(row, "no refresh token in the keychain")
                .await;
            return Err(err);
        };
        match tiktok
            .client
            .refresh(&RefreshToken::new(refresh.expose()))
            .await
        {
            Ok(ts) => {
                if ts.open_id != row.open_id {
                    let err = CoreError::Internal(
                        "TikTok answered a token refresh for a different account; the tokens were not saved.".into(),
                    );
                    audit::record(
                        pool,
                        Some(row.id),
                        "token.refresh",
                        Outcome::Error,
                        &err.to_string(),
                    )
                    .await;
                    return Err(err);
                }
                let facts = self.save_tokens(&ts).await?;
                accounts::set_tokens(pool, row.id, &facts, self.ctx.clock().now_ms()).await?;
                self.locks
                    .retry_at
                    .lock()
                    .expect("retry map")
                    .remove(&row.id);
                audit::record(
                    pool,
                    Some(row.id),
                    "token.refresh",
                    Outcome::Ok,
                    &format!(
                        "access token valid until {}",
                        rfc3339(facts.access_expires_at)
                    ),
                )
                .await;
                Ok(ts.access_token)
            }
            Err(e) => {
                let err = CoreError::from(e);
                if err.needs_reconnect() {
                    self.mark_needs_reconnect(row, &err.user_message()).await;
                    Err(reconnect_error(row))
                } else {
                    let now = self.ctx.clock().now_ms();
                    let _ = accounts::set_last_error(pool, row.id, &err.user_message(), now).await;
                    audit::record(
                        pool,
                        Some(row.id),
                        "token.refresh",
                        Outcome::Error,
                        &err.user_message(),
                    )
                    .await;
                    Err(err)
                }
            }
        }
    }

    /// The grant is gone: flag the account, tell the creator (window and native notification).
    pub async fn mark_needs_reconnect(&self, row: &AccountRow, reason: &str) {
        tracing::info!(account = row.id, reason, "account needs a reconnect");
        let reason = &crate::accounts::plain::creator_text(reason);
        let pool = self.ctx.store().pool();
        let now = self.ctx.clock().now_ms();
        if let Err(e) = accounts::set_status(
            pool,
            row.id,
            AccountStatus::NeedsReconnect,
            Some(reason),
            now,
        )
        .await
        {
            tracing::warn!(error = %e, "could not flag an account for reconnect");
        }
        audit::record(
            pool,
            Some(row.id),
            "account.needs_reconnect",
            Outcome::Error,
            reason,
        )
        .await;
        let who = display(row);
        self.ctx.events().emit(EngineEvent::AccountsChanged {
            account_id: Some(row.id),
        });
        self.ctx.events().emit(EngineEvent::Notify {
            notification: NotificationKind::Account,
            title: format!("Reconnect {who}"),
            body: format!(
                "TikTok no longer accepts Tokdeck's sign-in for {who}. Open Tokdeck → Accounts and click Reconnect; scheduled posts for it wait until then."
            ),
        });
    }

    /// Runs a TikTok call with the account's token; if TikTok says the token is invalid, refreshes
    /// once (single-flight) and retries. A revoked grant flags the account.
    pub async fn with_token<T, F, Fut>(&self, account_id: i64, call: F) -> CoreResult<T>
    where
        F: Fn(tiktok_api::TikTokClient, AccessToken) -> Fut,
        Fut: std::future::Future<Output = tiktok_api::Result<T>>,
    {
        let ctx = self.app.current().await?;
        let token = self.token_with(&ctx, account_id, None).await?;
        let client = ctx.client.clone();
        let first = call(client.clone(), token.clone()).await;
        let result = match first {
            Err(e) if e.class() == ErrorClass::RefreshToken => {
                let token = self.token_with(&ctx, account_id, Some(&token)).await?;
                call(client, token).await
            }
            other => other,
        };
        match result {
            Ok(v) => Ok(v),
            Err(e) => {
                let err = CoreError::from(e);
                if matches!(
                    err.tiktok_class(),
                    Some(ErrorClass::Reauthorize | ErrorClass::RefreshToken)
                ) {
                    if let Ok(row) = accounts::get_live(self.ctx.store().pool(), account_id).await {
                        self.mark_needs_reconnect(&row, &err.user_message()).await;
                        return Err(reconnect_error(&row));
                    }
                }
                Err(err)
            }
        }
    }

    /// Background refresher passes (wake-ups) since the engine started.
    pub fn refresher_wakeups(&self) -> u64 {
        self.locks.passes.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// One pass of the background refresher: refreshes what is due, sends the 7-day warnings,
    /// and answers how long to sleep.
    pub async fn refresh_due(&self) -> Duration {
        self.locks
            .passes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let pool = self.ctx.store().pool();
        let rows = match accounts::live_with_status(pool, AccountStatus::Active).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "background refresh could not read accounts");
                return Duration::from_millis(RETRY_AFTER_MS as u64);
            }
        };
        let mut next = MAX_SLEEP.as_millis() as i64;
        for row in rows {
            let now = self.ctx.clock().now_ms();
            let retry_at = self
                .locks
                .retry_at
                .lock()
                .expect("retry map")
                .get(&row.id)
                .copied();
            let due_at = refresh_due_at(&row, self.locks.issued(&row.open_id)).unwrap_or(now);
            let due_at = retry_at.map_or(due_at, |r| due_at.max(r));
            if due_at <= now {
                match self.token_for(row.id, None).await {
                    Ok(_) => {}
                    Err(e) => {
                        tracing::info!(account = row.id, error = %e, "background refresh failed");
                        if !e.needs_reconnect() {
                            self.locks
                                .retry_at
                                .lock()
                                .expect("retry map")
                                .insert(row.id, now + RETRY_AFTER_MS);
                            next = next.min(RETRY_AFTER_MS);
                        }
                        continue;
                    }
                }
                // Re-read the new expiry for the next wake-up (and the warning below).
                let Ok(Some(fresh)) = accounts::get(pool, row.id).await else {
                    continue;
                };
                if let Some(t) = refresh_due_at(&fresh, self.locks.issued(&fresh.open_id)) {
                    next = next.min(t - self.ctx.clock().now_ms());
                }
                self.warn_refresh_expiry(&fresh, now).await;
                next = next.min(warning_due_in(&fresh, now));
            } else {
                next = next.min(due_at - now);
                self.warn_refresh_expiry(&row, now).await;
                next = next.min(warning_due_in(&row, now));
            }
        }
        Duration::from_millis(next.clamp(200, MAX_SLEEP.as_millis() as i64) as u64)
    }

    /// Sends the "sign-in ends in N days" warning once, when the refresh token has less than
    /// [`REFRESH_WARNING_MS`] left.
    async fn warn_refresh_expiry(&self, row: &AccountRow, now: i64) {
        let Some(expires) = row.refresh_expires_at else {
            return;
        };
        if expires - now > REFRESH_WARNING_MS || row.refresh_warned_at.is_some() {
            return;
        }
        let pool = self.ctx.store().pool();
        let _ = accounts::mark_refresh_warned(pool, row.id, now).await;
        let who = display(row);
        let days = ((expires - now).max(0) as f64 / 86_400_000.0).ceil() as i64;
        audit::record(
            pool,
            Some(row.id),
            "token.refresh_expiry_warning",
            Outcome::Ok,
            &format!("sign-in ends {}", rfc3339(expires)),
        )
        .await;
        self.ctx.events().emit(EngineEvent::AccountsChanged {
            account_id: Some(row.id),
        });
        self.ctx.events().emit(EngineEvent::Notice {
            level: NoticeLevel::Warning,
            message: format!(
                "{who}'s TikTok sign-in ends in {days} day(s). Reconnect it to keep posting."
            ),
        });
        self.ctx.events().emit(EngineEvent::Notify {
            notification: NotificationKind::Account,
            title: format!("Reconnect {who} soon"),
            body: format!(
                "TikTok's sign-in for {who} ends in {days} day(s). Open Tokdeck → Accounts and click Reconnect to keep scheduled posts going."
            ),
        });
    }
}
