//! The Compose, Calendar and Queue pages' commands: each a few lines over the engine. Each is
//! declared in `core/src/commands.list.rs` (tests check it). Dropped files, the
//! native file picker and `ingest_paths` all go through [`ingest`].

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, State};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;
use tokdeck_core::compose::{self, CreatorInfoDto, IngestResult, VIDEO_EXTENSIONS};
use tokdeck_core::events::{EngineEvent, NoticeLevel};
use tokdeck_core::posts::{
    self, CalendarItem, CalendarRange, Caps, ComposePatch, DraftList, DraftQuery, LocalResolution,
    PostDto, QueueQuery, ScheduleOutcome, When,
};
use tokdeck_core::publisher::{OnTiktok, PublishAttempt, PublishJob};
use tokdeck_core::{Engine, ErrorCode, UiError};

use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

/// The one ingest path (drop, picker, `ingest_paths`).
pub async fn ingest(
    engine: &Arc<Engine>,
    paths: Vec<String>,
    account_id: Option<i64>,
) -> CmdResult<Vec<IngestResult>> {
    Ok(engine.ingest_paths(&paths, account_id).await?)
}

/// Native drop on the main window: ingest, then tell the UI (it cannot see the paths itself).
pub fn on_drop(engine: Arc<Engine>, paths: Vec<PathBuf>) {
    let paths: Vec<String> = paths
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    tauri::async_runtime::spawn(async move {
        match ingest(&engine, paths, None).await {
            Ok(results) => engine.events().emit(EngineEvent::Ingested { results }),
            Err(e) => engine.events().emit(EngineEvent::Notice {
                level: NoticeLevel::Error,
                message: format!("The dropped files could not be added: {}", e.message),
            }),
        }
    });
}

#[tauri::command]
pub async fn ingest_paths(
    state: State<'_, AppState>,
    paths: Vec<String>,
    account_id: Option<i64>,
) -> CmdResult<Vec<IngestResult>> {
    ingest(&state.engine()?, paths, account_id).await
}

/// Opens the native file picker from Rust (the webview has no dialog permission), then
/// ingests what was chosen. Cancelling answers an empty list.
#[tauri::command]
pub async fn pick_videos(
    app: AppHandle,
    state: State<'_, AppState>,
    account_id: Option<i64>,
) -> CmdResult<Vec<IngestResult>> {
    let engine = state.engine()?.clone();
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("Choose videos")
            .add_filter("Videos", VIDEO_EXTENSIONS)
            .blocking_pick_files()
    })
    .await
    .map_err(|e| UiError::new(ErrorCode::Internal, e.to_string()))?;
    let paths: Vec<String> = picked
        .unwrap_or_default()
        .into_iter()
        .filter_map(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    ingest(&engine, paths, account_id).await
}

/// Opens the native folder picker, then ingests every video in the folder and its subfolders.
/// Cancelling answers an empty list.
#[tauri::command]
pub async fn pick_video_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    account_id: Option<i64>,
) -> CmdResult<Vec<IngestResult>> {
    let engine = state.engine()?.clone();
    let picked = crate::dialogs::pick(
        &app,
        crate::dialogs::Pick::Folder {
            title: "Choose a folder of videos",
        },
    )
    .await?;
    match picked {
        Some(folder) => ingest(&engine, vec![folder], account_id).await,
        None => Ok(Vec::new()),
    }
}

#[tauri::command]
pub async fn creator_info(
    state: State<'_, AppState>,
    account_id: i64,
) -> CmdResult<CreatorInfoDto> {
    Ok(state.engine()?.creator_info(account_id).await?)
}

#[tauri::command]
pub async fn get_post(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.post(post_id).await?)
}

#[tauri::command]
pub async fn update_post(
    state: State<'_, AppState>,
    post_id: i64,
    patch: ComposePatch,
) -> CmdResult<PostDto> {
    Ok(state.engine()?.update_post_fresh(post_id, &patch).await?)
}

/// `when` is `{ kind: "now" }` (publish now) or `{ kind: "at", local, zone, dst }`.
#[tauri::command]
pub async fn schedule_post(
    state: State<'_, AppState>,
    post_id: i64,
    when: When,
) -> CmdResult<ScheduleOutcome> {
    Ok(state.engine()?.schedule_post_fresh(post_id, &when).await?)
}

#[tauri::command]
pub async fn reschedule_post(
    state: State<'_, AppState>,
    post_id: i64,
    when: When,
) -> CmdResult<ScheduleOutcome> {
    Ok(state.engine()?.reschedule_post(post_id, &when).await?)
}

#[tauri::command]
pub async fn duplicate_post(
    state: State<'_, AppState>,
    post_id: i64,
    account_ids: Vec<i64>,
) -> CmdResult<Vec<ScheduleOutcome>> {
    Ok(state
        .engine()?
        .duplicate_post_fresh(post_id, &account_ids)
        .await?)
}

#[tauri::command]
pub async fn cancel_post(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.cancel_post(post_id).await?)
}

#[tauri::command]
pub async fn delete_post(state: State<'_, AppState>, post_id: i64) -> CmdResult<()> {
    Ok(state.engine()?.delete_post(post_id).await?)
}

#[tauri::command]
pub async fn relink_post_media(
    state: State<'_, AppState>,
    post_id: i64,
    new_path: String,
    accept_changed: bool,
) -> CmdResult<PostDto> {
    Ok(state
        .engine()?
        .relink_post_media_fresh(post_id, &new_path, accept_changed)
        .await?)
}

#[tauri::command]
pub async fn calendar_month(
    state: State<'_, AppState>,
    year: i32,
    month: u32,
    zone: String,
    account_id: Option<i64>,
) -> CmdResult<CalendarRange> {
    Ok(state
        .engine()?
        .calendar_month(year, month, &zone, account_id)
        .await?)
}

#[tauri::command]
pub async fn calendar_week(
    state: State<'_, AppState>,
    date: String,
    zone: String,
    account_id: Option<i64>,
) -> CmdResult<CalendarRange> {
    Ok(state
        .engine()?
        .calendar_week(&date, &zone, account_id)
        .await?)
}

/// Every post of a few days from `from` (a week starting on the creator's day, a day's list,
/// a month of the agenda).
#[tauri::command]
pub async fn calendar_days(
    state: State<'_, AppState>,
    from: String,
    days: u32,
    zone: String,
    account_id: Option<i64>,
) -> CmdResult<CalendarRange> {
    Ok(state
        .engine()?
        .calendar_days(&from, days, &zone, account_id)
        .await?)
}

#[tauri::command]
pub async fn queue(state: State<'_, AppState>, query: QueueQuery) -> CmdResult<Vec<CalendarItem>> {
    Ok(state.engine()?.queue(&query).await?)
}

#[tauri::command]
pub async fn get_posting_caps(state: State<'_, AppState>) -> CmdResult<Caps> {
    Ok(state.engine()?.posting_caps().await?)
}

#[tauri::command]
pub async fn set_posting_caps(state: State<'_, AppState>, caps: Caps) -> CmdResult<Caps> {
    Ok(state.engine()?.set_posting_caps(caps).await?)
}

#[tauri::command]
pub fn system_time_zone() -> String {
    posts::system_zone()
}

#[tauri::command]
pub fn list_time_zones() -> Vec<String> {
    compose::time_zone_names()
}

#[tauri::command]
pub async fn recent_time_zones(state: State<'_, AppState>) -> CmdResult<Vec<String>> {
    Ok(state.engine()?.recent_time_zones().await?)
}

#[tauri::command]
pub async fn remember_time_zone(
    state: State<'_, AppState>,
    zone: String,
) -> CmdResult<Vec<String>> {
    Ok(state.engine()?.remember_time_zone(&zone).await?)
}

#[tauri::command]
pub fn resolve_local_time(local: String, zone: String) -> CmdResult<LocalResolution> {
    Ok(compose::resolve_local_time(&local, &zone)?)
}

#[tauri::command]
pub async fn media_preview_url(state: State<'_, AppState>, post_id: i64) -> CmdResult<String> {
    Ok(state.engine()?.media_preview_url(post_id).await?)
}

/// The loopback base the UI appends a post id to for its thumbnail.
#[tauri::command]
pub async fn thumbnail_base_url(state: State<'_, AppState>) -> CmdResult<String> {
    Ok(state.engine()?.thumbnail_base_url().await?)
}

/// Opens the native picker for one video (e.g. to relink a moved file) and answers its path,
/// or null when cancelled. Nothing is read here: the caller decides what to do with it.
#[tauri::command]
pub async fn pick_video_file(app: AppHandle) -> CmdResult<Option<String>> {
    let picked = tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title("Choose the video")
            .add_filter("Videos", VIDEO_EXTENSIONS)
            .blocking_pick_file()
    })
    .await
    .map_err(|e| UiError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(picked
        .and_then(|f| f.into_path().ok())
        .map(|p| p.to_string_lossy().into_owned()))
}

/// A post's publish job (state, progress, whether a retry is safe), or null before its first
/// publish.
#[tauri::command]
pub async fn publish_job(
    state: State<'_, AppState>,
    post_id: i64,
) -> CmdResult<Option<PublishJob>> {
    Ok(state.engine()?.publish_job(post_id).await?)
}

/// Every publish attempt of a post, as kept.
#[tauri::command]
pub async fn publish_history(
    state: State<'_, AppState>,
    post_id: i64,
) -> CmdResult<Vec<PublishAttempt>> {
    Ok(state.engine()?.publish_history(post_id).await?)
}

/// Retries a failed publish; the engine refuses when a retry is not safe.
#[tauri::command]
pub async fn retry_publish(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.retry_publish(post_id).await?)
}

/// The creator checked TikTok and the post is there.
#[tauri::command]
pub async fn mark_as_posted(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.mark_as_posted(post_id).await?)
}

/// The creator checked TikTok and the post is not there.
#[tauri::command]
pub async fn dismiss_unknown_outcome(
    state: State<'_, AppState>,
    post_id: i64,
) -> CmdResult<PostDto> {
    Ok(state.engine()?.dismiss_unknown_outcome(post_id).await?)
}

/// Asks TikTok again about a post whose outcome is unknown.
#[tauri::command]
pub async fn check_publish(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.check_publish(post_id).await?)
}

/// Cancels a queued publish.
#[tauri::command]
pub async fn cancel_publish(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.cancel_publish(post_id).await?)
}

/// Every unscheduled post with its problems (the Drafts page, Compose's list, the calendar's
/// drafts panel).
#[tauri::command]
pub async fn list_drafts(state: State<'_, AppState>, query: DraftQuery) -> CmdResult<DraftList> {
    Ok(state.engine()?.drafts(&query).await?)
}

/// Takes a scheduled post back to the drafts (Undo after a draft is dropped on the calendar).
#[tauri::command]
pub async fn unschedule_post(state: State<'_, AppState>, post_id: i64) -> CmdResult<PostDto> {
    Ok(state.engine()?.unschedule_post(post_id).await?)
}

/// The post on TikTok (links, when, inbox) for its read-only view.
#[tauri::command]
pub async fn on_tiktok(state: State<'_, AppState>, post_id: i64) -> CmdResult<OnTiktok> {
    Ok(state.engine()?.on_tiktok(post_id).await?)
}

/// Opens one of the post's TikTok pages in the system browser. The UI names the public id;
/// the engine builds the link, so the window can never have an arbitrary URL opened.
#[tauri::command]
pub async fn open_on_tiktok(
    app: AppHandle,
    state: State<'_, AppState>,
    post_id: i64,
    public_id: String,
) -> CmdResult<()> {
    let url = state.engine()?.tiktok_link(post_id, &public_id).await?;
    app.opener()
        .open_url(url.as_str(), None::<&str>)
        .map_err(|e| {
            tracing::warn!(error = %e, "could not open the browser for a TikTok post");
            UiError::new(
                ErrorCode::Unavailable,
                format!("Could not open your browser. The post is at {url}"),
            )
        })
}
