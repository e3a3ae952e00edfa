//! Bulk planning's commands (posting slots, the queue, "Schedule all into slots" with its
//! preview and Undo): each a line over the engine. Declared in `core/src/commands.list.rs`.

use tauri::{AppHandle, State};
use tokdeck_core::planning::{
    check_caption as check, AccountBudget, AccountSlots, BatchEdit, BatchEditItem, BulkOutcome,
    BulkTarget, BulkUndo, BulkUndoReport, CaptionCheck, CaptionPreset, CsvImportReport, FreeSlot,
    PlannedPost, PlanningSettings, SlotCommit, SlotInput, SlotPlan, UndoEntry, UndoReport,
    VariantOutcome,
};
use tokdeck_core::posts::PostMode;
use tokdeck_core::{ErrorCode, UiError};

use crate::dialogs::{self, Pick};
use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn get_planning_settings(state: State<'_, AppState>) -> CmdResult<PlanningSettings> {
    Ok(state.engine()?.planning_settings().await?)
}

#[tauri::command]
pub async fn set_planning_settings(
    state: State<'_, AppState>,
    settings: PlanningSettings,
) -> CmdResult<PlanningSettings> {
    Ok(state.engine()?.set_planning_settings(settings).await?)
}

#[tauri::command]
pub async fn list_posting_slots(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<AccountSlots> {
    Ok(state.engine()?.posting_slots(account_id).await?)
}

#[tauri::command]
pub async fn add_posting_slots(
    state: State<'_, AppState>,
    account_id: i64,
    slots: Vec<SlotInput>,
) -> CmdResult<AccountSlots> {
    Ok(state
        .engine()?
        .add_posting_slots(account_id, &slots)
        .await?)
}

#[tauri::command]
pub async fn set_posting_slots(
    state: State<'_, AppState>,
    account_id: i64,
    slots: Vec<SlotInput>,
) -> CmdResult<AccountSlots> {
    Ok(state
        .engine()?
        .set_posting_slots(account_id, &slots)
        .await?)
}

#[tauri::command]
pub async fn remove_posting_slot(
    state: State<'_, AppState>,
    slot_id: i64,
) -> CmdResult<AccountSlots> {
    Ok(state.engine()?.remove_posting_slot(slot_id).await?)
}

#[tauri::command]
pub async fn next_free_slots(
    state: State<'_, AppState>,
    account_id: i64,
    mode: PostMode,
    count: u32,
) -> CmdResult<Vec<FreeSlot>> {
    Ok(state
        .engine()?
        .next_free_slots(account_id, mode, count)
        .await?)
}

#[tauri::command]
pub async fn preview_slot_schedule(
    state: State<'_, AppState>,
    post_ids: Vec<i64>,
) -> CmdResult<SlotPlan> {
    Ok(state.engine()?.preview_slot_schedule(&post_ids).await?)
}

#[tauri::command]
pub async fn commit_slot_schedule(
    state: State<'_, AppState>,
    planned: Vec<PlannedPost>,
) -> CmdResult<SlotCommit> {
    Ok(state.engine()?.commit_slot_schedule(&planned).await?)
}

#[tauri::command]
pub async fn undo_slot_schedule(
    state: State<'_, AppState>,
    entries: Vec<UndoEntry>,
) -> CmdResult<UndoReport> {
    Ok(state.engine()?.undo_slot_schedule(&entries).await?)
}

#[tauri::command]
pub async fn add_to_queue(state: State<'_, AppState>, post_id: i64) -> CmdResult<SlotCommit> {
    Ok(state.engine()?.add_to_queue(post_id).await?)
}

#[tauri::command]
pub async fn account_budgets(state: State<'_, AppState>) -> CmdResult<Vec<AccountBudget>> {
    Ok(state.engine()?.account_budgets().await?)
}

#[tauri::command]
pub async fn batch_edit(
    state: State<'_, AppState>,
    post_ids: Vec<i64>,
    edit: BatchEdit,
) -> CmdResult<Vec<BatchEditItem>> {
    Ok(state.engine()?.batch_edit(&post_ids, &edit).await?)
}

/// The live caption checks (length in UTF-16 units, more than 5 hashtags, @mentions).
#[tauri::command]
pub fn check_caption(text: String) -> CaptionCheck {
    check(&text)
}

#[tauri::command]
pub async fn list_caption_presets(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<Vec<CaptionPreset>> {
    Ok(state.engine()?.caption_presets(account_id).await?)
}

#[tauri::command]
pub async fn save_caption_preset(
    state: State<'_, AppState>,
    preset: CaptionPreset,
) -> CmdResult<CaptionPreset> {
    Ok(state.engine()?.save_caption_preset(&preset).await?)
}

#[tauri::command]
pub async fn delete_caption_preset(state: State<'_, AppState>, preset_id: i64) -> CmdResult<()> {
    Ok(state.engine()?.delete_caption_preset(preset_id).await?)
}

#[tauri::command]
pub async fn create_variants(
    state: State<'_, AppState>,
    post_id: i64,
    account_ids: Vec<i64>,
) -> CmdResult<Vec<VariantOutcome>> {
    Ok(state
        .engine()?
        .create_variants(post_id, &account_ids)
        .await?)
}

#[tauri::command]
pub async fn duplicate_content(state: State<'_, AppState>, post_id: i64) -> CmdResult<Vec<String>> {
    Ok(state.engine()?.duplicate_content(post_id).await?)
}

/// The schedule as CSV text (the UI saves it where the creator chooses).
#[tauri::command]
pub async fn export_schedule_csv(state: State<'_, AppState>) -> CmdResult<String> {
    Ok(state.engine()?.export_schedule_csv().await?)
}

#[tauri::command]
pub async fn import_schedule_csv(
    state: State<'_, AppState>,
    text: String,
) -> CmdResult<CsvImportReport> {
    Ok(state.engine()?.import_schedule_csv(&text).await?)
}

/// A schedule CSV larger than this is refused unread (1,000 rows are far below it).
const MAX_CSV_BYTES: u64 = 8 * 1024 * 1024;

/// "Export schedule…": the native save dialog, then the schedule's CSV written there. Answers
/// the path saved to, or nothing when the person cancelled.
#[tauri::command]
pub async fn save_schedule_csv(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<Option<String>> {
    let file_name = dialogs::schedule_csv_name(chrono::Local::now().date_naive());
    let Some(path) = dialogs::pick(&app, Pick::SaveCsv { file_name }).await? else {
        return Ok(None);
    };
    let text = state.engine()?.export_schedule_csv().await?;
    let target = path.clone();
    tauri::async_runtime::spawn_blocking(move || std::fs::write(&target, text))
        .await
        .map_err(|e| UiError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|e| {
            UiError::new(
                ErrorCode::Storage,
                format!(
                    "The file could not be saved there ({}). Choose another place.",
                    e.kind()
                ),
            )
        })?;
    Ok(Some(path))
}

/// "Import schedule…": the native open dialog, then the file checked and imported (all rows
/// or none). Answers the report, or nothing when the person cancelled.
#[tauri::command]
pub async fn open_schedule_csv(
    app: AppHandle,
    state: State<'_, AppState>,
) -> CmdResult<Option<CsvImportReport>> {
    let Some(path) = dialogs::pick(&app, Pick::OpenCsv).await? else {
        return Ok(None);
    };
    let text = tauri::async_runtime::spawn_blocking(move || read_capped(&path))
        .await
        .map_err(|e| UiError::new(ErrorCode::Internal, e.to_string()))??;
    Ok(Some(state.engine()?.import_schedule_csv(&text).await?))
}

fn read_capped(path: &str) -> CmdResult<String> {
    let unreadable = |e: std::io::Error| {
        UiError::new(
            ErrorCode::InvalidInput,
            format!("The file could not be read ({}).", e.kind()),
        )
    };
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_CSV_BYTES {
        return Err(UiError::new(
            ErrorCode::InvalidInput,
            "This file is too large for a schedule (over 8 MB). Split it into smaller files.",
        ));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    String::from_utf8(bytes).map_err(|_| {
        UiError::new(
            ErrorCode::InvalidInput,
            "This file is not a text CSV (save it as CSV, UTF-8).",
        )
    })
}

#[tauri::command]
pub async fn shift_posts(
    state: State<'_, AppState>,
    targets: Vec<BulkTarget>,
    days: i32,
) -> CmdResult<BulkOutcome> {
    Ok(state.engine()?.shift_posts(&targets, days).await?)
}

#[tauri::command]
pub async fn preview_slot_move(
    state: State<'_, AppState>,
    targets: Vec<BulkTarget>,
) -> CmdResult<SlotPlan> {
    Ok(state.engine()?.preview_slot_move(&targets).await?)
}

#[tauri::command]
pub async fn commit_slot_move(
    state: State<'_, AppState>,
    planned: Vec<PlannedPost>,
) -> CmdResult<BulkOutcome> {
    Ok(state.engine()?.commit_slot_move(&planned).await?)
}

#[tauri::command]
pub async fn trash_posts(
    state: State<'_, AppState>,
    targets: Vec<BulkTarget>,
    deleted: bool,
) -> CmdResult<BulkOutcome> {
    Ok(state.engine()?.trash_posts(&targets, deleted).await?)
}

#[tauri::command]
pub async fn undo_bulk(
    state: State<'_, AppState>,
    entries: Vec<BulkUndo>,
) -> CmdResult<BulkUndoReport> {
    Ok(state.engine()?.undo_bulk(&entries).await?)
}
