//! The tray icon. On Linux the tray delivers menu clicks only, so every action is a menu item.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Wry};
use tokdeck_core::settings::SettingsPatch;

use crate::state::AppState;
use crate::window;

pub const OPEN: &str = "open";
pub const PAUSE: &str = "toggle-pause";
pub const QUIT: &str = "quit";

/// Menu items whose text changes with state.
pub struct TrayItems {
    pub pause: MenuItem<Wry>,
}

pub fn pause_label(paused: bool) -> &'static str {
    if paused {
        "Resume publishing"
    } else {
        "Pause publishing"
    }
}

pub fn build(app: &AppHandle, paused: bool) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, OPEN, "Open Tokdeck", true, None::<&str>)?;
    let pause = MenuItem::with_id(app, PAUSE, pause_label(paused), true, None::<&str>)?;
    let quit = MenuItem::with_id(app, QUIT, "Quit", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &pause, &sep, &quit])?;
    let icon = Image::from_bytes(include_bytes!("../../icons/tray.png"))?;
    TrayIconBuilder::with_id("main")
        .icon(icon)
        .tooltip("Tokdeck")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| on_menu(app, event.id().as_ref()))
        .build(app)?;
    app.manage(Mutex::new(TrayItems { pause }));
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
