//! The Trash page's and the Undo toast's commands: each a line over the engine. Declared in
//! `core/src/commands.list.rs`.

use tauri::State;
use tokdeck_core::posts::{RestoreOutcome, TrashItem};
use tokdeck_core::UiError;

use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn list_trash(state: State<'_, AppState>) -> CmdResult<Vec<TrashItem>> {
    Ok(state.engine()?.trash().await?)
}

#[tauri::command]
pub async fn restore_post(state: State<'_, AppState>, post_id: i64) -> CmdResult<RestoreOutcome> {
    Ok(state.engine()?.restore_post(post_id).await?)
}

#[tauri::command]
pub async fn undo_trash(state: State<'_, AppState>, post_id: i64) -> CmdResult<RestoreOutcome> {
    Ok(state.engine()?.undo_trash(post_id).await?)
}

#[tauri::command]
pub async fn delete_forever(state: State<'_, AppState>, post_id: i64) -> CmdResult<()> {
    Ok(state.engine()?.delete_forever(post_id).await?)
}

#[tauri::command]
pub async fn empty_trash(state: State<'_, AppState>) -> CmdResult<u64> {
    Ok(state.engine()?.empty_trash().await?)
}
