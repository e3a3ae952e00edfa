//! The engine's accounts operations, each delegating in one line to the service that owns it.

use std::sync::Arc;

use tiktok_api::{AccessToken, AuthorizationCallback};

use super::Engine;
use crate::accounts::dto::{
    AccountCheck, AccountDto, AccountPage, AccountQuery, AccountsSummary, PendingConnect,
};
use crate::audit::{AuditEntry, AuditQuery};
use crate::error::CoreResult;

impl Engine {
    pub async fn account_dto(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.account_dto(id).await
    }

    pub async fn list_accounts(&self, q: &AccountQuery) -> CoreResult<AccountPage> {
        self.accounts.list_accounts(q).await
    }

    /// The removed accounts, for the Disconnected list (newest removal first).
    pub async fn list_removed_accounts(&self) -> CoreResult<Vec<AccountDto>> {
        self.accounts.list_removed_accounts().await
    }

    /// A live account's detail.
    pub async fn get_account(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.get_account(id).await
    }

    pub async fn set_account_label(&self, id: i64, label: &str) -> CoreResult<AccountDto> {
        self.accounts.set_account_label(id, label).await
    }

    pub async fn set_default_account(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.set_default_account(id).await
    }

    /// The account the UI works with (persisted). Falls back to the default account, then to
    /// the first live one.
    pub async fn current_account_id(&self) -> CoreResult<Option<i64>> {
        self.accounts.current_account_id().await
    }

    pub async fn current_account(&self) -> CoreResult<Option<AccountDto>> {
        self.accounts.current_account().await
    }

    pub async fn set_current_account(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.set_current_account(id).await
    }

    pub async fn accounts_summary(&self) -> CoreResult<AccountsSummary> {
        self.accounts.accounts_summary().await
    }

    /// Re-reads the profile from TikTok (and the avatar).
    pub async fn sync_account(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.sync_account(id).await
    }

    /// Syncs every live account, a few at a time; one result per account.
    pub async fn sync_all_accounts(self: &Arc<Self>) -> CoreResult<Vec<AccountCheck>> {
        self.accounts.sync_all_accounts().await
    }

    /// Checks that TikTok accepts the account's sign-in (refreshing it if due).
    pub async fn test_account_connection(&self, id: i64) -> CoreResult<AccountCheck> {
        self.accounts.test_account_connection(id).await
    }

    /// Disconnects an account: revokes at TikTok (best effort), deletes its keychain entries,
    /// soft-deletes the row, pauses its pending posts.
    pub async fn remove_account(&self, id: i64) -> CoreResult<AccountDto> {
        self.accounts.remove_account(id).await
    }

    pub async fn list_audit(&self, q: &AuditQuery) -> CoreResult<Vec<AuditEntry>> {
        self.accounts.list_audit(q).await
    }

    /// Starts connecting an account (also used to reconnect one: the account is matched by
    /// `open_id` when the callback arrives). Opens the loopback listener in loopback mode.
    pub async fn begin_connect(self: &Arc<Self>) -> CoreResult<PendingConnect> {
        self.connect.begin_connect().await
    }

    pub fn pending_connect(&self) -> Option<PendingConnect> {
        self.connect.pending_connect()
    }

    /// Cancels the pending flow, if any. Returns whether there was one.
    pub async fn cancel_connect(&self) -> bool {
        self.connect.cancel_connect().await
    }

    /// `complete(code, state)`: the deep-link entry point.
    pub async fn complete(&self, code: &str, state: &str) -> CoreResult<AccountDto> {
        self.connect.complete(code, state).await
    }

    /// The one completion path of a connect (loopback listener and deep link).
    pub async fn complete_callback(&self, cb: AuthorizationCallback) -> CoreResult<AccountDto> {
        self.connect.complete_callback(cb).await
    }

    /// A valid access token for the account, refreshed first if it expires within the margin.
    pub async fn access_token(&self, account_id: i64) -> CoreResult<AccessToken> {
        self.tokens.access_token(account_id).await
    }

    /// Background refresher passes (wake-ups) since the engine started.
    pub fn refresher_wakeups(&self) -> u64 {
        self.tokens.refresher_wakeups()
    }
}
