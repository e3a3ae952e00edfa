//! The Analytics page's commands: each a line over the engine. Declared in
//! `core/src/commands.list.rs`.

use tauri::{AppHandle, State};
use tokdeck_core::analytics::{
    AccountSeries, CsvKind, Heatmap, PostCurve, PostPerformance, TopPostsQuery,
};
use tokdeck_core::UiError;

use crate::dialogs::{self, Pick};
use crate::state::AppState;

type CmdResult<T> = Result<T, UiError>;

#[tauri::command]
pub async fn account_series(
    state: State<'_, AppState>,
    account_id: i64,
    from: Option<String>,
    to: Option<String>,
) -> CmdResult<AccountSeries> {
    Ok(state
        .engine()?
        .account_series(account_id, from.as_deref(), to.as_deref())
        .await?)
}

#[tauri::command]
pub async fn post_performance(
    state: State<'_, AppState>,
    post_id: i64,
) -> CmdResult<Option<PostPerformance>> {
    Ok(state.engine()?.post_performance(post_id).await?)
}

#[tauri::command]
pub async fn posts_performance(
    state: State<'_, AppState>,
    post_ids: Vec<i64>,
) -> CmdResult<Vec<PostPerformance>> {
    Ok(state.engine()?.posts_performance(&post_ids).await?)
}

#[tauri::command]
pub async fn post_curve(state: State<'_, AppState>, performance_id: i64) -> CmdResult<PostCurve> {
    Ok(state.engine()?.post_curve(performance_id).await?)
}

#[tauri::command]
pub async fn top_posts(
    state: State<'_, AppState>,
    query: TopPostsQuery,
) -> CmdResult<Vec<PostPerformance>> {
    Ok(state.engine()?.top_posts(&query).await?)
}

#[tauri::command]
pub async fn best_time_heatmap(
    state: State<'_, AppState>,
    account_id: i64,
    zone: String,
) -> CmdResult<Heatmap> {
    Ok(state.engine()?.best_time_heatmap(account_id, &zone).await?)
}

/// "Export CSV": the native save dialog, then the engine writes the file. Answers the path
/// saved to, or nothing when the person cancelled.
#[tauri::command]
pub async fn save_analytics_csv(
    app: AppHandle,
    state: State<'_, AppState>,
    kind: CsvKind,
    account_id: Option<i64>,
) -> CmdResult<Option<String>> {
    let file_name = dialogs::analytics_csv_name(kind, chrono::Local::now().date_naive());
    let Some(path) = dialogs::pick(&app, Pick::SaveCsv { file_name }).await? else {
        return Ok(None);
    };
    state
        .engine()?
        .save_analytics_csv(kind, account_id, std::path::Path::new(&path))
        .await?;
    Ok(Some(path))
}
