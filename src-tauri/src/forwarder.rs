//! Carries engine events out of the engine: to the UI (every event), to native notifications
//! (when the user allows them), to the tray menu and to the autostart entry.

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_notification::NotificationExt;
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::ipc::ENGINE_EVENT;
use tokdeck_core::Engine;

use crate::tray;

const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub fn spawn(app: AppHandle, engine: std::sync::Arc<Engine>) {
    let mut rx = engine.events().subscribe();
    tauri::async_runtime::spawn(tray::refresh_at_midnight(app.clone()));
    tauri::async_runtime::spawn(async move {
        tray::refresh_status(&app).await;
        let mut last_progress = std::time::Instant::now() - PROGRESS_EVERY;
        loop {
            let event = match rx.recv().await {
                Ok(e) => e,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    tracing::warn!(missed = n, "UI fell behind engine events");
                    continue;
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            match &event {
                EngineEvent::SettingsChanged { settings } => {
                    tray::sync_pause(&app, settings.publishing_paused);
                    apply_autostart(&app, settings.launch_at_login);
                    tray::refresh_status(&app).await;
                }
                EngineEvent::PostsChanged { .. } | EngineEvent::PublishStateChanged { .. } => {
                    tray::refresh_status(&app).await;
                }
                // One chunk after another: the percent in the menu need not move faster.
                EngineEvent::PublishProgress { .. }
                    if last_progress.elapsed() >= PROGRESS_EVERY =>
                {
                    last_progress = std::time::Instant::now();
                    tray::refresh_status(&app).await;
                }
                EngineEvent::Notify {
                    notification,
                    title,
                    body,
                } => notify_if_allowed(&app, &engine, *notification, title, body).await,
                _ => {}
            }
            if let Err(e) = app.emit(ENGINE_EVENT, &event) {
                tracing::warn!(error = %e, "could not send an event to the window");
            }
        }
    });
}

async fn notify_if_allowed(
    app: &AppHandle,
    engine: &Engine,
    kind: NotificationKind,
    title: &str,
    body: &str,
) {
    if engine.settings().await.wants_notification(kind) {
        notify(app, title, body);
    }
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    // Fire-and-forget on desktop: the plugin cannot tell whether anything was displayed, so a
    // notification is never the only place something is reported.
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        tracing::warn!(error = %e, "notification failed");
    }
}

/// Makes the OS login item match the setting (it may have been changed outside the app).
pub fn apply_autostart(app: &AppHandle, wanted: bool) {
    if app
        .try_state::<tauri_plugin_autostart::AutoLaunchManager>()
        .is_none()
    {
        return;
    }
    let autolaunch = app.autolaunch();
    let current = autolaunch.is_enabled().unwrap_or(false);
    let result = match (wanted, current) {
        (true, false) => autolaunch.enable(),
        (false, true) => autolaunch.disable(),
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, wanted, "could not update launch at login");
    }
}
