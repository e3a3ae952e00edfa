//! Carries engine events out of the engine: to the UI (every event), to native notifications
//! (when the user allows them), to the tray menu and to the autostart entry.

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_notification::NotificationExt;
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::ipc::ENGINE_EVENT;
use tokdeck_core::Engine;
use tokio::sync::{broadcast, watch};

use crate::state::AppState;
use crate::tray;

const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Forwards `engine`'s events for as long as it is the app's engine. Called at start and
/// after every reopen (a restore): the forwarder of the engine that was replaced ends, and
/// the tray's midnight refresh, which reads whichever engine is current, runs once per app
/// however many times the engine is reopened.
pub fn spawn(app: AppHandle, engine: std::sync::Arc<Engine>) {
    let state = app.state::<AppState>();
    if state.midnight_refresh.first_start() {
        tauri::async_runtime::spawn(tray::refresh_at_midnight(app.clone()));
    }
    let mut rx = engine.events().subscribe();
    let mut replaced = state.replaced();
    tauri::async_runtime::spawn(async move {
        tray::refresh_status(&app).await;
        let mut last_progress = std::time::Instant::now() - PROGRESS_EVERY;
        while let Some(event) = next_event(&mut rx, &mut replaced).await {
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

/// The engine's next event, or `None` once its bus closed or it was replaced (`replaced`
/// changed). Before this, a restore left the old engine's forwarder waiting on a bus nobody
/// would ever send on again, holding the old engine: one more per restore.
pub(crate) async fn next_event(
    rx: &mut broadcast::Receiver<EngineEvent>,
    replaced: &mut watch::Receiver<u64>,
) -> Option<EngineEvent> {
    loop {
        let event = tokio::select! {
            // Biased: once replaced, nothing more of the old engine reaches the window.
            biased;
            _ = replaced.changed() => return None,
            e = rx.recv() => e,
        };
        match event {
            Ok(e) => return Some(e),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                tracing::warn!(missed = n, "UI fell behind engine events");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokdeck_core::events::{EngineEvent, Events};
    use tokio::sync::watch;

    use super::next_event;
    use crate::state::OnceFlag;

    fn notice(text: &str) -> EngineEvent {
        EngineEvent::Notice {
            level: tokdeck_core::events::NoticeLevel::Info,
            message: text.to_owned(),
        }
    }

    /// After a restore the first engine's forwarder ends: it neither holds the old engine nor
    /// passes on anything of it, and the new engine's forwarder is the only one left.
    #[tokio::test]
    async fn the_forwarder_of_a_replaced_engine_ends() {
        let (generation, _) = watch::channel(0u64);
        let seen = Arc::new(Mutex::new(Vec::<String>::new()));
        let forward = |bus: &Events, name: &'static str| {
            let seen = seen.clone();
            let (mut rx, mut replaced) = (bus.subscribe(), generation.subscribe());
            tokio::spawn(async move {
                while let Some(e) = next_event(&mut rx, &mut replaced).await {
                    if let EngineEvent::Notice { message, .. } = e {
                        seen.lock().unwrap().push(format!("{name}: {message}"));
                    }
                }
            })
        };
        let seen_all = |n: usize| {
            let seen = seen.clone();
            async move {
                while seen.lock().unwrap().len() < n {
                    tokio::task::yield_now().await;
                }
            }
        };
        let first = Events::default();
        let first_task = forward(&first, "first");
        first.emit(notice("before"));
        tokio::time::timeout(std::time::Duration::from_secs(5), seen_all(1))
            .await
            .expect("the first engine's event is forwarded");
        // The restore: the engine is replaced, a new one opens with its own forwarder.
        generation.send_modify(|g| *g += 1);
        tokio::time::timeout(std::time::Duration::from_secs(5), first_task)
            .await
            .expect("the first forwarder ends once its engine is replaced")
            .unwrap();
        let second = Events::default();
        let second_task = forward(&second, "second");
        first.emit(notice("old engine, after"));
        second.emit(notice("after"));
        tokio::time::timeout(std::time::Duration::from_secs(5), seen_all(2))
            .await
            .expect("the second engine's event is forwarded");
        generation.send_modify(|g| *g += 1);
        second_task.await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            vec!["first: before".to_owned(), "second: after".to_owned()]
        );
    }

    /// The tray's midnight refresh starts with the first engine and never again, however
    /// many restores reopen it (each reopen used to start one more).
    #[test]
    fn the_midnight_refresh_starts_once_whatever_the_reopens() {
        let flag = OnceFlag::default();
        let started = (0..4).filter(|_| flag.first_start()).count();
        assert_eq!(started, 1);
    }
}
