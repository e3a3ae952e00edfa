//! The Accounts page's commands: each a few lines over the engine. Each is declared in
//! `core/src/commands.list.rs` (tests check it).

use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tokdeck_core::accounts::connect::PendingConnect;
use tokdeck_core::accounts::service::AccountCheck;
use tokdeck_core::accounts::{AccountDto, AccountPage, AccountQuery, AccountsSummary};
use tokdeck_core::audit::{AuditEntry, AuditQuery};
use tokdeck_core::tiktok_config::{TiktokConfigDto, TiktokConfigPatch};
use tokdeck_core::UiError;

use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn get_tiktok_config(state: State<'_, AppState>) -> CmdResult<TiktokConfigDto> {
    Ok(state.engine()?.tiktok_config().await?)
}

/// The secret goes to the keychain; the answer only says `hasSecret`.
#[tauri::command]
pub async fn update_tiktok_config(
    state: State<'_, AppState>,
    patch: TiktokConfigPatch,
) -> CmdResult<TiktokConfigDto> {
    Ok(state.engine()?.update_tiktok_config(&patch).await?)
}

/// Starts a connect (or reconnect) flow and opens TikTok's page in the system browser. If the
/// browser cannot be opened, the flow stays pending and the UI shows the URL to copy.
#[tauri::command]
pub async fn connect_account(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<PendingConnect> {
    let flow = state.engine()?.begin_connect().await?;
    if let Err(e) = app
        .opener()
        .open_url(flow.authorize_url.as_str(), None::<&str>)
    {
        tracing::warn!(error = %e, "could not open the browser for TikTok's sign-in page");
    }
    Ok(flow)
}

#[tauri::command]
pub async fn cancel_connect(state: State<'_, AppState>) -> CmdResult<bool> {
    Ok(state.engine()?.cancel_connect().await)
}

#[tauri::command]
pub fn pending_connect(state: State<'_, AppState>) -> CmdResult<Option<PendingConnect>> {
    Ok(state.engine()?.pending_connect())
}

#[tauri::command]
pub async fn list_accounts(
    state: State<'_, AppState>,
    query: AccountQuery,
) -> CmdResult<AccountPage> {
    Ok(state.engine()?.list_accounts(&query).await?)
}

#[tauri::command]
pub async fn get_account(state: State<'_, AppState>, account_id: i64) -> CmdResult<AccountDto> {
    Ok(state.engine()?.get_account(account_id).await?)
}

#[tauri::command]
pub async fn set_account_label(
    state: State<'_, AppState>,
    account_id: i64,
    label: String,
) -> CmdResult<AccountDto> {
    Ok(state
        .engine()?
        .set_account_label(account_id, &label)
        .await?)
}

#[tauri::command]
pub async fn set_default_account(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<AccountDto> {
    Ok(state.engine()?.set_default_account(account_id).await?)
}

#[tauri::command]
pub async fn set_current_account(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<AccountDto> {
    Ok(state.engine()?.set_current_account(account_id).await?)
}

#[tauri::command]
pub async fn get_current_account(state: State<'_, AppState>) -> CmdResult<Option<AccountDto>> {
    Ok(state.engine()?.current_account().await?)
}

#[tauri::command]
pub async fn sync_account(state: State<'_, AppState>, account_id: i64) -> CmdResult<AccountDto> {
    Ok(state.engine()?.sync_account(account_id).await?)
}

#[tauri::command]
pub async fn sync_all_accounts(state: State<'_, AppState>) -> CmdResult<Vec<AccountCheck>> {
    Ok(state.engine()?.sync_all_accounts().await?)
}

#[tauri::command]
pub async fn test_account_connection(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<AccountCheck> {
    Ok(state.engine()?.test_account_connection(account_id).await?)
}

#[tauri::command]
pub async fn accounts_summary(state: State<'_, AppState>) -> CmdResult<AccountsSummary> {
    Ok(state.engine()?.accounts_summary().await?)
}

#[tauri::command]
pub async fn remove_account(state: State<'_, AppState>, account_id: i64) -> CmdResult<AccountDto> {
    Ok(state.engine()?.remove_account(account_id).await?)
}

#[tauri::command]
pub async fn list_removed_accounts(state: State<'_, AppState>) -> CmdResult<Vec<AccountDto>> {
    Ok(state.engine()?.list_removed_accounts().await?)
}

#[tauri::command]
pub async fn list_audit(
    state: State<'_, AppState>,
    query: AuditQuery,
) -> CmdResult<Vec<AuditEntry>> {
    Ok(state.engine()?.list_audit(&query).await?)
}

/// The zone new posts of this account start in (its own if set, else the system's).
#[tauri::command]
pub async fn get_account_time_zone(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<String> {
    Ok(state.engine()?.account_default_zone(account_id).await?)
}

/// Sets an account's default zone (an IANA name), or with null goes back to the system's.
/// Answers the zone now in effect.
#[tauri::command]
pub async fn set_account_time_zone(
    state: State<'_, AppState>,
    account_id: i64,
    zone: Option<String>,
) -> CmdResult<String> {
    Ok(state
        .engine()?
        .set_account_default_zone(account_id, zone.as_deref())
        .await?)
}
