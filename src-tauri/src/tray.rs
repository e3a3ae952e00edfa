//! The tray icon. On Linux the tray delivers menu clicks only, so every action is a menu item.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tokdeck_core::settings::SettingsPatch;
use tokdeck_core::tray_status;

use crate::state::AppState;
use crate::window;

pub const OPEN: &str = "open";
pub const PAUSE: &str = "toggle-pause";
pub const QUIT: &str = "quit";
pub const NEXT: &str = "status-next";
pub const UPLOADS: &str = "status-uploads";

/// Menu items whose text changes with state. The two status lines are disabled items: Linux
/// trays show no tooltip, so the menu is where "what happens next" is told.
pub struct TrayItems {
    pub pause: MenuItem<Wry>,
    pub next: MenuItem<Wry>,
    pub uploads: MenuItem<Wry>,
}

const NO_UPLOADS: &str = "Nothing publishing now";

pub fn pause_label(paused: bool) -> &'static str {
    if paused {
        "Resume publishing"
    } else {
        "Pause publishing"
    }
}

pub fn build(app: &AppHandle, paused: bool) -> tauri::Result<()> {
    let next = MenuItem::with_id(app, NEXT, "No post scheduled", false, None::<&str>)?;
    let uploads = MenuItem::with_id(app, UPLOADS, NO_UPLOADS, false, None::<&str>)?;
    let open = MenuItem::with_id(app, OPEN, "Open Tokdeck", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE, pause_label(paused), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let sep2 = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&next, &uploads, &sep, &open, &pause, &sep2, &quit])?;
    let icon = Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    TrayIconBuilder::with_id("main")
        .icon(icon)
        .tooltip("Tokdeck")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    app.manage(Mutex::new(TrayItems {
        pause,
        next,
        uploads,
    }));
    Ok(())
}

pub fn on_menu(app: &AppHandle, id: &str) {
    match id {
        OPEN => window::show_main(app),
        PAUSE => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                let Ok(engine) = state.engine() else { return };
                let paused = engine.settings().await.publishing_paused;
                let patch = SettingsPatch {
                    publishing_paused: Some(!paused),
                    ..Default::default()
                };
                if let Err(e) = engine.update_settings(&patch).await {
                    tracing::error!(error = %e, "could not change publishing pause from the tray");
                }
            });
        }
        QUIT => crate::quit(app),
        other => tracing::debug!(id = other, "unknown tray menu item"),
    }
}

/// Keeps the Pause/Resume item in step with the setting, whoever changed it.
pub fn sync_pause(app: &AppHandle, paused: bool) {
    if let Some(items) = app.try_state::<Mutex<TrayItems>>() {
        if let Ok(items) = items.lock() {
            let _ = items.pause.set_text(pause_label(paused));
        }
    }
}

/// Re-reads the next post and the running publishes and puts them in the menu (and the tooltip,
/// where the desktop shows one).
pub async fn refresh_status(app: &AppHandle) {
    if app.try_state::<Mutex<TrayItems>>().is_none() {
        return;
    }
    let state = app.state::<AppState>();
    let Ok(engine) = state.engine() else { return };
    let status = match engine.tray_status().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the tray status");
            return;
        }
    };
    let next = tray_status::next_line_here(&status, engine.clock().now_ms());
    let uploads = tray_status::uploads_line(&status);
    if let Some(items) = app.try_state::<Mutex<TrayItems>>() {
        if let Ok(items) = items.lock() {
            let _ = items.next.set_text(&next);
            let _ = items
                .uploads
                .set_text(uploads.as_deref().unwrap_or(NO_UPLOADS));
        }
    }
    if let Some(tray) = app.tray_by_id("main") {
        let tip = match &uploads {
            Some(u) => format!("Tokdeck — {next}\n{u}"),
            None => format!("Tokdeck — {next}"),
        };
        let _ = tray.set_tooltip(Some(tip));
    }
}

/// "today"/"tomorrow" in the menu change at midnight: one wake-up a day, not a poll.
pub async fn refresh_at_midnight(app: AppHandle) {
    loop {
        let now = tokdeck_core::clock::system_time_ms(std::time::SystemTime::now());
        let wait = tokdeck_core::tray_status::until_next_midnight_here(now);
        tokio::time::sleep(wait).await;
        refresh_status(&app).await;
    }
}
