//! IPC commands: each a few lines over the engine. Each is declared in
//! `core/src/commands.list.rs` (tests check it).

use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;
use tokdeck_core::ipc::AppInfo;
use tokdeck_core::settings::{Settings, SettingsPatch};
use tokdeck_core::{ErrorCode, UiError};

use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    crate::startup::mark_first_ipc();
    Ok(state.app_info().await)
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> CmdResult<Settings> {
    Ok(state.engine()?.settings().await)
}

#[tauri::command]
pub async fn update_settings(
    state: State<'_, AppState>,
    patch: SettingsPatch,
) -> CmdResult<Settings> {
    Ok(state.engine()?.update_settings(&patch).await?)
}

/// How late a post may start after Tokdeck was closed, asleep or paused before it is missed.
#[tauri::command]
pub async fn get_missed_grace_minutes(state: State<'_, AppState>) -> CmdResult<u32> {
    Ok(state.engine()?.missed_grace_minutes().await?)
}

#[tauri::command]
pub async fn set_missed_grace_minutes(state: State<'_, AppState>, minutes: u32) -> CmdResult<u32> {
    Ok(state.engine()?.set_missed_grace_minutes(minutes).await?)
}

#[tauri::command]
pub fn open_logs_folder(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    app.opener()
        .open_path(state.log_dir.display().to_string(), None::<&str>)
        .map_err(|e| {
            UiError::new(
                ErrorCode::Unavailable,
                format!(
                    "Could not open the logs folder ({e}). It is at {}",
                    state.log_dir.display()
                ),
            )
        })
}
