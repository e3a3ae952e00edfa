//! Backups, restore, moved videos and export: each a line over the engine, except the two
//! restores, which end with the engine replaced. Declared in `core/src/commands.list.rs`.
//!
//! Restore without a process restart: the engine checks the file first (a refusal leaves it
//! running, untouched); past the checks it shuts itself down and swaps the database in; this
//! module then opens a new engine on the same folder with the same config, forwards its
//! events, starts its workers and tells the UI to reload (`DataReplaced`).

use std::path::Path;
use std::sync::Arc;

use tauri::{AppHandle, Manager, State};
use tokdeck_core::backup::{
    BackupPreview, BackupStatus, ExportFormat, ExportReport, Manifest, MissingVideo, Recovered,
    RelinkReport, RestoreReport,
};
use tokdeck_core::events::EngineEvent;
use tokdeck_core::{Engine, UiError};

use crate::dialogs::{self, Pick};
use crate::forwarder;
use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn backup_status(state: State<'_, AppState>) -> CmdResult<BackupStatus> {
    Ok(state.engine()?.backup_status())
}

#[tauri::command]
pub async fn back_up_now(
    state: State<'_, AppState>,
    path: String,
    passphrase: Option<String>,
) -> CmdResult<Manifest> {
    let engine = state.engine()?;
    Ok(engine
        .back_up_now(Path::new(&path), passphrase.as_deref())
        .await?)
}

#[tauri::command]
pub async fn inspect_backup(
    state: State<'_, AppState>,
    path: String,
    passphrase: Option<String>,
) -> CmdResult<BackupPreview> {
    let engine = state.engine()?;
    Ok(engine
        .inspect_backup(Path::new(&path), passphrase.as_deref())
        .await?)
}

#[tauri::command]
pub async fn restore_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
    passphrase: Option<String>,
) -> CmdResult<RestoreReport> {
    let engine = state.engine()?;
    let result = engine
        .restore_backup(Path::new(&path), passphrase.as_deref())
        .await;
    if engine.is_shut_down() {
        drop(engine);
        // Past the checks the engine stopped either way; a swap that failed left the data
        // as it was, and the toast must not say otherwise.
        let said = if result.is_ok() {
            "Your backup was restored."
        } else {
            "The restore did not complete; Tokdeck reopened your data as it was."
        };
        reopen(&app, said).await?;
    }
    Ok(result?)
}

/// At a damaged start: puts the latest good backup in place and opens the engine on it.
#[tauri::command]
pub async fn restore_latest_backup(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<Recovered> {
    if state.current().is_some() {
        return Err(UiError::new(
            tokdeck_core::ErrorCode::Conflict,
            "Tokdeck's database is fine; use Restore… to go back to a backup.",
        ));
    }
    let recovered = Engine::recover_damaged(&state.config.data_dir).await?;
    reopen(&app, "The latest good backup was restored.").await?;
    Ok(recovered)
}

#[tauri::command]
pub async fn missing_videos(state: State<'_, AppState>) -> CmdResult<Vec<MissingVideo>> {
    Ok(state.engine()?.missing_videos().await?)
}

#[tauri::command]
pub async fn relink_folder(state: State<'_, AppState>, folder: String) -> CmdResult<RelinkReport> {
    Ok(state.engine()?.relink_folder(Path::new(&folder)).await?)
}

#[tauri::command]
pub async fn export_data(
    state: State<'_, AppState>,
    folder: String,
    format: ExportFormat,
) -> CmdResult<ExportReport> {
    Ok(state
        .engine()?
        .export_data(Path::new(&folder), format)
        .await?)
}

/// "Back up now…": where to save the file (null when the person cancelled).
#[tauri::command]
pub async fn choose_backup_destination(app: AppHandle) -> CmdResult<Option<String>> {
    let today = chrono::Local::now().date_naive();
    let file_name = dialogs::backup_file_name(today);
    dialogs::pick(&app, Pick::SaveBackup { file_name }).await
}

/// "Restore…": the backup file to look into (null when cancelled).
#[tauri::command]
pub async fn choose_backup_file(app: AppHandle) -> CmdResult<Option<String>> {
    dialogs::pick(&app, Pick::OpenBackup).await
}

/// "Find moved files in a folder…": the folder to search (null when cancelled).
#[tauri::command]
pub async fn choose_relink_folder(app: AppHandle) -> CmdResult<Option<String>> {
    let title = "Choose the folder your videos are in now";
    dialogs::pick(&app, Pick::Folder { title }).await
}

/// "Export…": the folder the files go to (null when cancelled).
#[tauri::command]
pub async fn choose_export_folder(app: AppHandle) -> CmdResult<Option<String>> {
    let title = "Choose where to save the export";
    dialogs::pick(&app, Pick::Folder { title }).await
}

/// Opens a new engine on the same folder and config, in place of the one that stopped.
async fn reopen(app: &AppHandle, message: &str) -> CmdResult<()> {
    let state = app.state::<AppState>();
    let opened = Engine::open(state.config.clone())
        .await
        .map_err(UiError::from);
    state.replace(opened.clone());
    let engine: Arc<Engine> = opened?;
    forwarder::spawn(app.clone(), engine.clone());
    engine.start_background();
    engine.events().emit(EngineEvent::DataReplaced {
        message: message.to_owned(),
    });
    Ok(())
}
