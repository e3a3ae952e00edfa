//! Tokdeck's desktop shell: plugins, window and tray lifecycle, deep links, and thin commands
//! over the engine in `tokdeck-core`.

mod account_commands;
mod commands;
mod deeplinks;
mod forwarder;
mod logging;
mod state;
mod tray;
mod tray_host;
mod window;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tauri::{AppHandle, Manager, RunEvent, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;
use tokdeck_core::{Engine, EngineConfig, UiError};

use crate::state::AppState;

pub fn run() {
    let app = tauri::Builder::default()
        // Single-instance must be registered first: a second launch then forwards its argv
        // (including a tokdeck:// URL, through the deep-link feature) and exits.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            tracing::info!(
                args = argv.len(),
                "second launch forwarded to this instance"
            );
            window::show_main(app);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::get_settings,
            commands::update_settings,
            commands::open_logs_folder,
            commands::recent_audit,
            account_commands::get_tiktok_config,
            account_commands::update_tiktok_config,
            account_commands::connect_account,
            account_commands::cancel_connect,
            account_commands::pending_connect,
            account_commands::list_accounts,
            account_commands::get_account,
            account_commands::set_account_label,
            account_commands::set_default_account,
            account_commands::set_current_account,
            account_commands::get_current_account,
            account_commands::sync_account,
            account_commands::sync_all_accounts,
            account_commands::test_account_connection,
            account_commands::accounts_summary,
            account_commands::remove_account,
            account_commands::list_audit,
        ])
        .setup(|app| {
            setup(app.handle())?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { api, .. } = event {
                let state = window.state::<AppState>();
                match window::close_action(
                    state.tray_available(),
                    state.quitting.load(Ordering::SeqCst),
                ) {
                    window::CloseAction::HideToTray => {
                        api.prevent_close();
                        let _ = window.hide();
                        tracing::info!("window hidden to the tray; publishing continues");
                    }
                    window::CloseAction::Quit => {
                        if !state.quitting.load(Ordering::SeqCst) {
                            tracing::info!(
                                "no tray host on this desktop: closing the window quits Tokdeck"
                            );
                        }
                    }
                }
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building Tokdeck");

    app.run(|app, event| match event {
        RunEvent::ExitRequested {
            code: None, api, ..
        } => {
            // The last window went away (hidden to the tray, not quit): keep running.
            let state = app.state::<AppState>();
            if state.tray_available() && !state.quitting.load(Ordering::SeqCst) {
                api.prevent_exit();
            }
        }
        RunEvent::Exit => shutdown(app),
        _ => {}
    });
}

fn setup(app: &AppHandle) -> Result<(), Box<dyn std::error::Error>> {
    let default_data = app.path().app_data_dir()?;
    let config = EngineConfig::from_env(default_data);
    let log_dir = if std::env::var_os(tokdeck_core::engine::DATA_DIR_ENV).is_some() {
        config.data_dir.join("logs")
    } else {
        app.path().app_log_dir()?
    };
    let guard = logging::init(&log_dir);
    app.manage(LogGuard(Mutex::new(guard)));
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        data_dir = %config.data_dir.display(),
        log_dir = %log_dir.display(),
        "Tokdeck starting"
    );

    // The built-in simulator always runs (it is small and local): the engine talks to it
    // whenever no TikTok app is configured in Settings, and switching needs no restart.
    let (simulator, simulator_url) = match tauri::async_runtime::block_on(
        tokdeck_sim::Simulator::start(tokdeck_sim::SimOptions {
            seed: true,
            ..Default::default()
        }),
    ) {
        Ok(sim) => {
            let url = sim.base_url();
            tracing::info!(%url, "built-in TikTok simulator ready");
            (Some(sim), Some(url))
        }
        Err(e) => {
            tracing::error!(error = %e, "the built-in simulator could not start");
            (None, None)
        }
    };

    // The engine answers with the simulator while no client key is configured.
    let mut config = config;
    config.simulator_url = simulator_url.clone();
    let data_dir: PathBuf = config.data_dir.clone();
    let (engine, startup_error) = match tauri::async_runtime::block_on(Engine::open(config)) {
        Ok(engine) => (Some(engine), None),
        Err(e) => {
            tracing::error!(error = %e, "engine could not start");
            (None, Some(UiError::from(e)))
        }
    };

    let tray_available = tray_host::available();
    let state = AppState {
        engine: engine.clone(),
        startup_error,
        data_dir,
        log_dir,
        simulator: Mutex::new(simulator),
        simulator_url,
        tray_available: AtomicBool::new(tray_available),
        quitting: AtomicBool::new(false),
    };
    app.manage(state);

    let paused = engine
        .as_ref()
        .map(|e| tauri::async_runtime::block_on(e.settings()).publishing_paused)
        .unwrap_or(false);
    if tray_available {
        // appindicator is loaded at run time; a missing library must not take the app down.
        let built =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tray::build(app, paused)));
        match built {
            Ok(Ok(())) => tracing::info!("tray icon ready"),
            Ok(Err(e)) => disable_tray(app, &e.to_string()),
            Err(_) => disable_tray(app, "the tray library could not be loaded"),
        }
    } else {
        tracing::warn!(
            "no tray host (StatusNotifierWatcher) on this desktop: closing the window will quit Tokdeck"
        );
    }

    if let Some(engine) = &engine {
        forwarder::spawn(app.clone(), engine.clone());
        // The background token refresher runs on Tauri's Tokio runtime until shutdown.
        let engine_bg = engine.clone();
        tauri::async_runtime::block_on(async move { engine_bg.start_background() });
        let launch_at_login = tauri::async_runtime::block_on(engine.settings()).launch_at_login;
        forwarder::apply_autostart(app, launch_at_login);
    }

    setup_deep_links(app);

    let hidden = std::env::args().any(|a| a == "--hidden");
    if !hidden || !tray_available {
        window::show_main(app);
    }
    Ok(())
}

fn disable_tray(app: &AppHandle, why: &str) {
    tracing::warn!(
        reason = why,
        "tray unavailable: closing the window will quit Tokdeck"
    );
    app.state::<AppState>()
        .tray_available
        .store(false, Ordering::SeqCst);
}

fn setup_deep_links(app: &AppHandle) {
    // Installed packages register the scheme through their desktop entry; a development or
    // portable binary registers itself at run time.
    #[cfg(any(target_os = "linux", windows))]
    {
        let installed = std::env::current_exe()
            .map(|p| p.starts_with("/usr/"))
            .unwrap_or(false);
        if !installed {
            if let Err(e) = app.deep_link().register_all() {
                tracing::warn!(error = %e, "could not register the tokdeck:// scheme");
            }
        }
    }
    let handle = app.clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            deeplinks::route(&handle, url.as_str());
        }
    });
    // A cold-start link may have been emitted before the handler existed; routing it twice is
    // harmless (callbacks are single-use by state).
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            deeplinks::route(app, url.as_str());
        }
    }
}

/// Quit from the tray: stop hiding, then exit through the normal path.
pub(crate) fn quit(app: &AppHandle) {
    app.state::<AppState>()
        .quitting
        .store(true, Ordering::SeqCst);
    app.exit(0);
}

fn shutdown(app: &AppHandle) {
    let state = app.state::<AppState>();
    state.quitting.store(true, Ordering::SeqCst);
    if let Some(engine) = &state.engine {
        tauri::async_runtime::block_on(engine.shutdown());
    }
    if let Some(sim) = state.simulator.lock().ok().and_then(|mut s| s.take()) {
        tauri::async_runtime::block_on(sim.shutdown());
    }
    tracing::info!("Tokdeck stopped cleanly");
}

struct LogGuard(#[allow(dead_code)] Mutex<Option<tracing_appender::non_blocking::WorkerGuard>>);
