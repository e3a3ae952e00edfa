//! What the Accounts page does: list, detail, label, default and current account, sync,
//! connection test, summary, removal. Every operation and every failure is audited; every change
//! emits `AccountsChanged`.
//!
//! Removal keeps the row (soft delete) so a reconnect restores it; the account's pending posts
//! are paused with a visible reason and resumed when a sign-in restores the account.

use std::sync::Arc;

use tiktok_api::UserField;

use crate::accounts::avatars::Avatars;
use crate::accounts::connect::fields_for;
pub use crate::accounts::dto::AccountCheck;
use crate::accounts::dto::{
    AccountDto, AccountPage, AccountQuery, AccountRow, AccountsSummary, Profile,
};
use crate::accounts::tokens::{access_entry, display, Tokens};
use crate::analytics::dto::Counts;
use crate::audit::{AuditEntry, AuditQuery, Outcome};
use crate::ctx::Ctx;
use crate::db::accounts::{self, CURRENT_KEY};
use crate::db::audit;
use crate::error::{CoreError, CoreResult};
use crate::events::EngineEvent;
use crate::posts::service::Posts;
use crate::tiktok_app::TiktokApp;

/// Shown on the pending posts of a removed account.
pub const REMOVED_PAUSE_REASON: &str =
    "The account was removed from Tokdeck. Reconnect it (Accounts → Disconnected → Reconnect) to publish this post.";
/// Accounts synced at once by `sync_all` (the client also paces per token).
const SYNC_PARALLELISM: usize = 4;

/// The accounts as the creator manages them. The avatars it caches are also written by
/// [`crate::accounts::connect::Connect`] (through [`Accounts::store_avatar`]).
pub struct Accounts {
    ctx: Ctx,
    tiktok_app: Arc<TiktokApp>,
    tokens: Arc<Tokens>,
    posts: Arc<Posts>,
    avatars: Avatars,
}

impl Accounts {
    pub fn new(
        ctx: Ctx,
        tiktok_app: Arc<TiktokApp>,
        tokens: Arc<Tokens>,
        posts: Arc<Posts>,
    ) -> Self {
        let avatars = Avatars::new(ctx.data_dir());
        Self {
            ctx,
            tiktok_app,
            tokens,
            posts,
            avatars,
        }
    }

    async fn wanted_scopes(&self) -> Vec<String> {
        self.tiktok_app.wanted_scopes().await
    }

    fn dto_of(
        &self,
        row: &AccountRow,
        wanted: &[String],
        current: Option<i64>,
        app: &str,
    ) -> AccountDto {
        let avatar = self
            .avatars
            .data_url(&row.open_id, row.avatar_file.as_deref());
        AccountDto::from_row(row, avatar, wanted, current, app, self.ctx.clock().now_ms())
    }

    /// The TikTok app whose tokens are usable now (see [`AccountRow::issued_by`]).
    async fn current_app(&self) -> CoreResult<String> {
        Ok(crate::tiktok_config::load(self.ctx.pool())
            .await?
            .app_id()
            .to_owned())
    }

    pub async fn account_dto(&self, id: i64) -> CoreResult<AccountDto> {
        let row = accounts::get(self.ctx.pool(), id)
            .await?
            .ok_or_else(|| accounts::not_found(id))?;
        let wanted = self.wanted_scopes().await;
        let current = self.current_account_id().await?;
        let app = self.current_app().await?;
        Ok(self.dto_of(&row, &wanted, current, &app))
    }

    pub async fn list_accounts(&self, q: &AccountQuery) -> CoreResult<AccountPage> {
        let (rows, more) = accounts::list(self.ctx.pool(), q).await?;
        let wanted = self.wanted_scopes().await;
        let current = self.current_account_id().await?;
        let app = self.current_app().await?;
        let next_cursor = if more {
            rows.last().map(|r| r.id.to_string())
        } else {
            None
        };
        Ok(AccountPage {
            items: rows
                .iter()
                .map(|r| self.dto_of(r, &wanted, current, &app))
                .collect(),
            next_cursor,
        })
    }

    /// Asks TikTok's creator info whether the account is private (no "everyone" among its
    /// privacy options) and remembers it for the card. Needs video.publish; a failure leaves
    /// what was known (the card just does not say), and is only logged: the sync or connect
    /// that asked has its own outcome.
    pub async fn learn_privacy(&self, row: &AccountRow) {
        if !row.has_scope("video.publish") {
            return;
        }
        let info = self
            .tokens
            .with_token(row.id, |client, token| async move {
                client.creator_info(&token).await
            })
            .await;
        match info {
            Ok(info) => {
                let private = !info
                    .privacy_level_options
                    .contains(&tiktok_api::PrivacyLevel::PublicToEveryone);
                if let Err(e) = accounts::set_private(self.ctx.pool(), row.id, Some(private)).await
                {
                    tracing::warn!(account = row.id, error = %e, "privacy not saved");
                }
            }
            Err(e) => tracing::info!(account = row.id, error = %e, "privacy not known"),
        }
    }

    /// The removed accounts (newest removal first), for the Disconnected list: each can be
    /// reconnected onto its own card, with its posts.
    pub async fn list_removed_accounts(&self) -> CoreResult<Vec<AccountDto>> {
        let rows = accounts::list_removed(self.ctx.pool()).await?;
        let wanted = self.wanted_scopes().await;
        let app = self.current_app().await?;
        Ok(rows
            .iter()
            .map(|r| self.dto_of(r, &wanted, None, &app))
            .collect())
    }

    /// A live account's detail.
    pub async fn get_account(&self, id: i64) -> CoreResult<AccountDto> {
        accounts::get_live(self.ctx.pool(), id).await?;
        self.account_dto(id).await
    }

    pub async fn set_account_label(&self, id: i64, label: &str) -> CoreResult<AccountDto> {
        let label = label.trim();
        if label.chars().count() > 60 {
            return Err(CoreError::InvalidInput(
                "A label can be at most 60 characters.".into(),
            ));
        }
        let pool = self.ctx.pool();
        if let Err(e) = accounts::set_label(pool, id, label, self.ctx.clock().now_ms()).await {
            audit::record(
                pool,
                Some(id),
                "account.label",
                Outcome::Error,
                &e.user_message(),
            )
            .await;
            return Err(e);
        }
        audit::record(
            pool,
            Some(id),
            "account.label",
            Outcome::Ok,
            &format!("label “{label}”"),
        )
        .await;
        self.changed(Some(id));
        self.account_dto(id).await
    }

    pub async fn set_default_account(&self, id: i64) -> CoreResult<AccountDto> {
        let pool = self.ctx.pool();
        if let Err(e) = accounts::set_default(pool, id, self.ctx.clock().now_ms()).await {
            audit::record(
                pool,
                Some(id),
                "account.set_default",
                Outcome::Error,
                &e.user_message(),
            )
            .await;
            return Err(e);
        }
        audit::record(pool, Some(id), "account.set_default", Outcome::Ok, "").await;
        self.changed(Some(id));
        self.account_dto(id).await
    }

    /// The account the UI works with (persisted). Falls back to the default account, then to
    /// the first live one.
    pub async fn current_account_id(&self) -> CoreResult<Option<i64>> {
        accounts::current_account_id(self.ctx.pool()).await
    }

    pub async fn current_account(&self) -> CoreResult<Option<AccountDto>> {
        match self.current_account_id().await? {
            Some(id) => Ok(Some(self.account_dto(id).await?)),
            None => Ok(None),
        }
    }

    pub async fn set_current_account(&self, id: i64) -> CoreResult<AccountDto> {
        let pool = self.ctx.pool();
        accounts::get_live(pool, id).await?;
        // Stored as the bare number (its JSON), which the account list reads with CAST.
        crate::settings::write_json(pool, CURRENT_KEY, &id).await?;
        audit::record(pool, Some(id), "account.set_current", Outcome::Ok, "").await;
        self.changed(Some(id));
        self.account_dto(id).await
    }

    pub async fn accounts_summary(&self) -> CoreResult<AccountsSummary> {
        let app = self.current_app().await?;
        accounts::summary(self.ctx.pool(), &app, self.ctx.clock().now_ms()).await
    }

    /// Re-reads the profile from TikTok (and the avatar).
    pub async fn sync_account(&self, id: i64) -> CoreResult<AccountDto> {
        let pool = self.ctx.pool();
        let row = accounts::get_live(pool, id).await?;
        let fields = fields_for(&row.scopes());
        let result = self
            .tokens
            .with_token(id, |client, token| {
                let fields = fields.clone();
                async move { client.user_info(&token, &fields).await }
            })
            .await;
        match result {
            Ok(info) => {
                let mut profile = Profile::from(&info);
                profile.open_id = row.open_id.clone();
                let now = self.ctx.clock().now_ms();
                accounts::update_profile(pool, id, &profile, now).await?;
                // Every sync is a point of the account's analytics series.
                let counts = Counts {
                    follower_count: info.follower_count,
                    following_count: info.following_count,
                    likes_count: info.likes_count,
                    video_count: info.video_count,
                };
                if !counts.is_empty() {
                    crate::db::analytics::insert_snapshot(pool, id, &counts, now).await?;
                }
                let url = info
                    .avatar_url_100
                    .as_deref()
                    .or(info.avatar_url.as_deref());
                let note = self.store_avatar(id, &row.open_id, url).await;
                self.learn_privacy(&row).await;
                audit::record(
                    pool,
                    Some(id),
                    "account.sync",
                    Outcome::Ok,
                    note.as_deref().unwrap_or(""),
                )
                .await;
                self.changed(Some(id));
                self.account_dto(id).await
            }
            Err(e) => {
                if !e.needs_reconnect() {
                    let _ = accounts::set_last_error(
                        pool,
                        id,
                        &e.user_message(),
                        self.ctx.clock().now_ms(),
                    )
                    .await;
                }
                audit::record(
                    pool,
                    Some(id),
                    "account.sync",
                    Outcome::Error,
                    &e.user_message(),
                )
                .await;
                self.changed(Some(id));
                Err(e)
            }
        }
    }

    /// Syncs every live account, a few at a time; one result per account.
    pub async fn sync_all_accounts(self: &Arc<Self>) -> CoreResult<Vec<AccountCheck>> {
        let ids = accounts::syncable_ids(self.ctx.pool()).await?;
        let permits = Arc::new(tokio::sync::Semaphore::new(SYNC_PARALLELISM));
        let mut set = tokio::task::JoinSet::new();
        for id in ids {
            let accounts = self.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let result = accounts.sync_account(id).await;
                let title = accounts
                    .account_dto(id)
                    .await
                    .map(|a| a.title)
                    .unwrap_or_default();
                match result {
                    Ok(_) => AccountCheck {
                        account_id: id,
                        title,
                        ok: true,
                        message: "Up to date.".into(),
                        latency_ms: None,
                    },
                    Err(e) => AccountCheck {
                        account_id: id,
                        title,
                        ok: false,
                        message: e.user_message(),
                        latency_ms: None,
                    },
                }
            });
        }
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            out.push(r.map_err(|e| CoreError::Internal(e.to_string()))?);
        }
        out.sort_by_key(|c| c.account_id);
        let failed = out.iter().filter(|c| !c.ok).count();
        audit::record(
            self.ctx.pool(),
            None,
            "account.sync_all",
            if failed == 0 {
                Outcome::Ok
            } else {
                Outcome::Error
            },
            &format!("{} synced, {failed} failed", out.len() - failed),
        )
        .await;
        Ok(out)
    }

    /// Checks that TikTok accepts the account's sign-in (refreshing it if due).
    pub async fn test_account_connection(&self, id: i64) -> CoreResult<AccountCheck> {
        let pool = self.ctx.pool();
        let row = accounts::get_live(pool, id).await?;
        let started = std::time::Instant::now();
        let result = self
            .tokens
            .with_token(id, |client, token| async move {
                client.user_info(&token, &[UserField::OpenId]).await
            })
            .await;
        let latency = started.elapsed().as_millis() as i64;
        let title = display(&row);
        let check = match result {
            Ok(info) if info.open_id.as_deref().is_none_or(|o| o == row.open_id) => AccountCheck {
                account_id: id,
                title,
                ok: true,
                message: format!(
                    "TikTok accepts Tokdeck's sign-in for this account ({latency} ms)."
                ),
                latency_ms: Some(latency),
            },
            Ok(_) => AccountCheck {
                account_id: id,
                title,
                ok: false,
                message: "TikTok answered for a different account. Reconnect this account.".into(),
                latency_ms: Some(latency),
            },
            Err(e) => AccountCheck {
                account_id: id,
                title,
                ok: false,
                message: e.user_message(),
                latency_ms: Some(latency),
            },
        };
        audit::record(
            pool,
            Some(id),
            "account.test",
            if check.ok {
                Outcome::Ok
            } else {
                Outcome::Error
            },
            &check.message,
        )
        .await;
        self.changed(Some(id));
        Ok(check)
    }

    /// Disconnects an account: revokes at TikTok (best effort), deletes its keychain entries,
    /// soft-deletes the row. Removal completes locally even when TikTok cannot be reached.
    pub async fn remove_account(&self, id: i64) -> CoreResult<AccountDto> {
        let pool = self.ctx.pool();
        let row = accounts::get_live(pool, id).await?;
        let revoke_note = match self.ctx.secrets().get(&access_entry(&row.open_id)).await {
            Ok(Some(token)) => match self.tiktok_app.current().await {
                // Another app's token means nothing to this one: it is not sent.
                Ok(ctx) if !row.issued_by(ctx.resolved.app_id()) => {
                    "connected with another TikTok app; revoke skipped (remove Tokdeck under TikTok → Settings → Security → Manage app permissions)".to_owned()
                }
                Ok(ctx) => match ctx
                    .client
                    .revoke(&tiktok_api::AccessToken::new(token.expose()))
                    .await
                {
                    Ok(_) => {
                        audit::record(pool, Some(id), "account.revoke", Outcome::Ok, "").await;
                        "access revoked at TikTok".to_owned()
                    }
                    Err(e) => {
                        let e = CoreError::from(e);
                        audit::record(
                            pool,
                            Some(id),
                            "account.revoke",
                            Outcome::Error,
                            &e.user_message(),
                        )
                        .await;
                        "TikTok could not be told (revoke failed); remove Tokdeck under TikTok → Settings → Security → Manage app permissions".to_owned()
                    }
                },
                Err(e) => {
                    audit::record(
                        pool,
                        Some(id),
                        "account.revoke",
                        Outcome::Error,
                        &e.user_message(),
                    )
                    .await;
                    "TikTok not configured; revoke skipped".to_owned()
                }
            },
            Ok(None) => "no token to revoke".to_owned(),
            Err(e) => {
                audit::record(
                    pool,
                    Some(id),
                    "account.revoke",
                    Outcome::Error,
                    &e.to_string(),
                )
                .await;
                "keychain unavailable; revoke skipped".to_owned()
            }
        };
        // Hold the refresh lock so a concurrent refresh cannot write tokens back afterwards.
        let lock = self.tokens.token_locks_for(&row.open_id);
        let _guard = lock.lock().await;
        if let Err(e) = self.tokens.delete_tokens(&row.open_id).await {
            audit::record(
                pool,
                Some(id),
                "account.remove",
                Outcome::Error,
                &e.user_message(),
            )
            .await;
            return Err(e);
        }
        accounts::mark_removed(pool, id, self.ctx.clock().now_ms()).await?;
        drop(_guard);
        audit::record(pool, Some(id), "account.remove", Outcome::Ok, &revoke_note).await;
        // Its pending posts wait, visibly, until the account is reconnected.
        if let Err(e) = self
            .posts
            .pause_posts_of_account(id, REMOVED_PAUSE_REASON)
            .await
        {
            tracing::warn!(account = id, error = %e, "posts of the removed account not paused");
        }
        self.changed(Some(id));
        self.account_dto(id).await
    }

    pub async fn list_audit(&self, q: &AuditQuery) -> CoreResult<Vec<AuditEntry>> {
        audit::query(self.ctx.pool(), q).await
    }

    /// Fetches and caches the avatar; returns a note for the audit detail when it failed.
    pub(crate) async fn store_avatar(
        &self,
        id: i64,
        open_id: &str,
        url: Option<&str>,
    ) -> Option<String> {
        let url = url?;
        match self.avatars.fetch(open_id, url).await {
            Ok(file) => {
                if let Err(e) = accounts::set_avatar_file(self.ctx.pool(), id, Some(&file)).await {
                    return Some(format!("avatar not saved: {e}"));
                }
                None
            }
            Err(e) => {
                tracing::info!(account = id, error = %e, "avatar not cached");
                Some(format!("avatar not cached: {e}"))
            }
        }
    }

    fn changed(&self, id: Option<i64>) {
        self.ctx
            .events()
            .emit(EngineEvent::AccountsChanged { account_id: id });
        self.ctx.wake_refresher();
    }
}
