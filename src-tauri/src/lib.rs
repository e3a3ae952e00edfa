//! Tokdeck's desktop shell: plugins, window and tray lifecycle, deep links, and thin commands
//! over the engine in `tokdeck-core`.

mod account_commands;
mod analytics_commands;
mod backup_commands;
mod commands;
mod deeplinks;
mod dialogs;
#[cfg(feature = "e2e")]
mod e2e_hooks;
mod forwarder;
mod logging;
pub mod memory;
mod planning_commands;
mod post_commands;
pub mod rendering;
mod startup;
mod state;
mod trash_commands;
mod tray;
mod tray_host;
mod window;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use tauri::{AppHandle, DragDropEvent, Manager, RunEvent, WindowEvent};
use tauri_plugin_deep_link::DeepLinkExt;
use tokdeck_core::{Engine, EngineConfig, ErrorCode, UiError};

use crate::state::AppState;

/// Reads `core/src/commands.list.rs` as the invoke handler of every listed command.
macro_rules! tokdeck_commands {
    ($(
        $module:ident :: $name:ident $args:tt
            -> $ret:ident $([$($arr:tt)*])? $(| $null:ident)?;
    )*) => {
        tauri::generate_handler![$($module::$name),*]
    };
}

pub fn run() {
    startup::begin();
    rendering::prepare();
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
        // Used from Rust only (pick_videos); the webview is granted none of its commands.
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            Some(vec!["--hidden"]),
        ))
        // Size, place and maximized state; not visibility: a window shows itself once its page
        // has loaded (window::on_page_load), and one started hidden stays in the tray.
        .plugin(
            tauri_plugin_window_state::Builder::default()
                .with_state_flags(
                    tauri_plugin_window_state::StateFlags::all()
                        - tauri_plugin_window_state::StateFlags::VISIBLE,
                )
                .build(),
        )
        .on_page_load(|webview, payload| window::on_page_load(webview, payload.event()))
        .invoke_handler(include!("../core/src/commands.list.rs"))
        .setup(|app| {
            setup(app.handle())?;
            Ok(())
        })
        .on_window_event(|window, event| {
            if let WindowEvent::DragDrop(drop) = event {
                if window.label() == "main" {
                    handle_drop(window.app_handle(), drop);
                }
                return;
            }
            match event {
                WindowEvent::Destroyed => memory::release_after_window_closed(),
                WindowEvent::CloseRequested { .. } => window::on_close_requested(window),
                _ => {}
            }
        })
        .build(context())
        .expect("error while building Tokdeck");

    app.run(|app, event| match event {
        RunEvent::ExitRequested { code, api, .. } => {
            // The last window went away (closed to the tray, not quit): keep running.
            let state = app.state::<AppState>();
            if window::keep_running(
                code,
                state.tray_available(),
                state.quitting.load(Ordering::SeqCst),
            ) {
                api.prevent_exit();
            }
        }
        RunEvent::Exit => shutdown(app),
        _ => {}
    });
}

/// Tauri's build-time context: config, embedded UI and the resolved capabilities.
fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!()
}

/// Fixes the built-in simulator's control secret (end-to-end tests steer the simulator).
const SIM_CONTROL_TOKEN_ENV: &str = "TOKDECK_SIM_CONTROL_TOKEN";

/// The built-in simulator's world, under the data folder (in a folder of its own: the data
/// folder's top level holds only what the secrets checks scan, and this file holds the
/// simulated TikTok's own tokens).
const SIM_STATE_FILE: &str = "demo/simulated-tiktok.json";

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
    startup::phase("setup entered (GTK, WebKit and plugins ready)");

    // The window first, so its page loads while the engine opens; started hidden (at login)
    // with a tray to come back from, there is no window (and no webview) until asked for.
    let tray_available = tray_host::available();
    let hidden = std::env::args().any(|a| a == "--hidden");
    app.manage(window::LastPage::default());
    if !hidden || !tray_available {
        window::create_main(app, None)?;
        startup::phase("window created");
    }

    // The built-in simulator runs in demo mode (no TikTok app configured): the engine talks to
    // it until a client key is set. With the creator's own app it does not run at all (its
    // control API has no business listening next to real accounts); clearing the key later
    // needs a restart to bring the demo back. The control secret can be fixed from outside
    // for the end-to-end tests, which steer the simulator.
    let own_app = tauri::async_runtime::block_on(tokdeck_core::tiktok_config::own_app_configured(
        &config.data_dir,
    ));
    let started = if own_app {
        tracing::info!("a TikTok app is configured: the built-in simulator stays off");
        None
    } else {
        match tauri::async_runtime::block_on(tokdeck_sim::Simulator::start(
            tokdeck_sim::SimOptions {
                seed: true,
                // The demo's TikTok keeps its creators, their sign-ins and publishes across
                // restarts, next to the app's own data.
                state_file: Some(config.data_dir.join(SIM_STATE_FILE)),
                control_token: std::env::var(SIM_CONTROL_TOKEN_ENV)
                    .ok()
                    .filter(|t| !t.is_empty()),
                ..Default::default()
            },
        )) {
            Ok(sim) => {
                startup::phase("simulator started");
                tracing::info!(url = %sim.base_url(), "built-in TikTok simulator ready");
                Some(sim)
            }
            Err(e) => {
                tracing::error!(error = %e, "the built-in simulator could not start");
                None
            }
        }
    };
    let simulator_url = started.as_ref().map(|s| s.base_url());

    // The engine answers with the simulator while no client key is configured.
    let mut config = config;
    #[cfg(feature = "e2e")]
    e2e_hooks::tune(&mut config);
    if let Some(sim) = &started {
        config = config.with_simulator(sim.base_url(), sim.control_token());
    }
    let simulator = started;
    let data_dir: PathBuf = config.data_dir.clone();
    let engine_config = config.clone();
    let opened = tauri::async_runtime::block_on(Engine::open(config));
    startup::phase("engine opened (migrations included)");
    let (engine, startup_error) = match opened {
        Ok(engine) => (Some(engine), None),
        Err(e) => {
            let detail = e.to_string();
            let shown = UiError::from(e);
            // The code is for problem reports: the start screen shows only the advice.
            tracing::error!(code = ?shown.code, error = %detail, "engine could not start");
            (None, Some(shown))
        }
    };
    // A damaged database: the startup screen offers the newest good backup by its date.
    let latest_good_backup = match &startup_error {
        Some(e) if e.code == ErrorCode::Damaged => {
            tauri::async_runtime::block_on(Engine::latest_good_backup(&data_dir))
        }
        _ => None,
    };

    let state = AppState {
        engine: std::sync::RwLock::new(engine.clone()),
        startup_error: std::sync::RwLock::new(startup_error),
        config: engine_config,
        data_dir,
        log_dir,
        simulator: Mutex::new(simulator),
        simulator_url,
        tray_available: AtomicBool::new(tray_available),
        quitting: AtomicBool::new(false),
        generation: tokio::sync::watch::channel(0).0,
        midnight_refresh: Default::default(),
        latest_good_backup: std::sync::RwLock::new(latest_good_backup),
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
            Ok(Ok(())) => startup::phase("tray icon ready"),
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
    // A click on one of Tokdeck's notifications opens the window (remade if closed to the tray).
    {
        use tauri_plugin_notification::NotificationExt;
        let handle = app.clone();
        let _ = app
            .notification()
            .on_action(move |_| window::show_main(&handle));
    }
    #[cfg(feature = "e2e")]
    e2e_hooks::follow_sim_clock(app);

    startup::phase("setup done");
    Ok(())
}

/// Native file drop (HTML5 drag-and-drop stays off for files): the drop zone shows while files
/// hover, and dropped files go through the same ingest as `ingest_paths`.
fn handle_drop(app: &AppHandle, event: &DragDropEvent) {
    let state = app.state::<AppState>();
    let Some(engine) = state.current() else {
        return;
    };
    match event {
        DragDropEvent::Enter { .. } => engine
            .events()
            .emit(tokdeck_core::events::EngineEvent::DropHover { active: true }),
        DragDropEvent::Leave => engine
            .events()
            .emit(tokdeck_core::events::EngineEvent::DropHover { active: false }),
        DragDropEvent::Drop { paths, .. } => {
            engine
                .events()
                .emit(tokdeck_core::events::EngineEvent::DropHover { active: false });
            post_commands::on_drop(engine, paths.clone());
        }
        _ => {}
    }
}

fn disable_tray(app: &AppHandle, why: &str) {
    tracing::warn!(
        reason = why,
        "tray unavailable: closing the window will quit Tokdeck"
    );
    app.state::<AppState>()
        .tray_available
        .store(false, Ordering::SeqCst);
    // Started hidden for a tray that turned out not to work: show the window after all.
    window::show_main(app);
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
            match app.deep_link().register_all() {
                Ok(()) => {
                    #[cfg(target_os = "linux")]
                    unquote_handler_exec();
                }
                Err(e) => tracing::warn!(error = %e, "could not register the tokdeck:// scheme"),
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

/// The deep-link plugin writes `Exec="/path/to/tokdeck" %u`. Desktop environments accept the
/// quotes, but xdg-open's generic fallback (no DE, many tiling WMs) runs the quoted word as a
/// program name and fails with "Permission denied", dropping every tokdeck:// link. When the
/// path needs no quoting, write it bare.
#[cfg(target_os = "linux")]
fn unquote_handler_exec() {
    let Some(dir) = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
    else {
        return;
    };
    let Some(exe_name) = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
    else {
        return;
    };
    let file = dir
        .join("applications")
        .join(format!("{exe_name}-handler.desktop"));
    let Ok(text) = std::fs::read_to_string(&file) else {
        return;
    };
    if let Some(fixed) = unquoted_exec(&text) {
        if let Err(e) = std::fs::write(&file, fixed) {
            tracing::warn!(error = %e, "could not rewrite the tokdeck:// handler entry");
        }
    }
}

/// `Exec="/plain/path" %u` → `Exec=/plain/path %u`, only when the path holds no character that
/// the desktop-entry spec reserves.
#[cfg(any(target_os = "linux", test))]
fn unquoted_exec(entry: &str) -> Option<String> {
    let mut changed = false;
    let lines: Vec<String> = entry
        .lines()
        .map(|line| {
            if let Some(rest) = line.strip_prefix("Exec=\"") {
                if let Some((path, tail)) = rest.split_once('"') {
                    let plain = path.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '+')
                    });
                    if plain {
                        changed = true;
                        return format!("Exec={path}{tail}");
                    }
                }
            }
            line.to_owned()
        })
        .collect();
    changed.then(|| lines.join("\n") + "\n")
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
    if let Some(engine) = state.current() {
        tauri::async_runtime::block_on(engine.shutdown());
    }
    if let Some(sim) = state.simulator.lock().ok().and_then(|mut s| s.take()) {
        tauri::async_runtime::block_on(sim.shutdown());
    }
    tracing::info!("Tokdeck stopped cleanly");
    // The process exits without dropping managed state, and the log writer runs on its own
    // thread: unless its guard is dropped here (which flushes it), the last lines, this one
    // included, can be lost when the machine is busy.
    let guard = app
        .state::<LogGuard>()
        .0
        .lock()
        .ok()
        .and_then(|mut g| g.take());
    drop(guard);
}

struct LogGuard(Mutex<Option<tracing_appender::non_blocking::WorkerGuard>>);

#[cfg(test)]
mod tests {
    use tokdeck_core::ipc::COMMAND_NAMES;

    /// The capability grants exactly Tokdeck's own commands (plus event listening): a command
    /// added without a grant is unreachable, a grant without a command is dead weight.
    #[test]
    fn the_capability_grants_exactly_the_commands() {
        let cap: serde_json::Value =
            serde_json::from_str(include_str!("../capabilities/main.json")).unwrap();
        assert_eq!(
            cap["permissions"],
            serde_json::json!([
                "core:event:allow-listen",
                "core:event:allow-unlisten",
                "tokdeck-commands"
            ])
        );
        // The set build.rs generated from the command list.
        let set: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("OUT_DIR"),
            "/tokdeck-commands.json"
        )))
        .unwrap();
        assert_eq!(set["set"][0]["identifier"], "tokdeck-commands");
        let mut granted: Vec<String> = set["set"][0]["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_owned())
            .collect();
        granted.sort();
        let mut wanted: Vec<String> = COMMAND_NAMES
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        wanted.sort();
        assert_eq!(granted, wanted);
    }

    /// What the app really enforces: the ACL compiled into the context lets the main window call
    /// every listed command and listen to events, and nothing else tried here.
    #[test]
    fn the_main_window_may_call_exactly_the_commands() {
        // `runtime_authority_mut` is Tauri's (hidden) access to the resolved ACL.
        let mut context = super::context();
        let acl = context.runtime_authority_mut();
        let allowed = |command: &str| {
            acl.resolve_access(command, "main", "main", &tauri::ipc::Origin::Local)
                .is_some()
        };
        for command in COMMAND_NAMES {
            assert!(allowed(command), "{command} is not granted");
        }
        assert!(allowed("plugin:event|listen"));
        assert!(allowed("plugin:event|unlisten"));
        for command in [
            "plugin:event|emit",
            "plugin:window|close",
            "plugin:webview|create_webview_window",
            "plugin:dialog|open",
            "plugin:opener|open_path",
            "plugin:notification|notify",
            "plugin:autostart|enable",
            "plugin:deep-link|get_current",
            "plugin:window-state|save_window_state",
            "not_a_command",
        ] {
            assert!(!allowed(command), "{command} is granted");
        }
        assert!(
            acl.resolve_access("app_info", "other", "other", &tauri::ipc::Origin::Local)
                .is_none(),
            "a window other than main may call commands"
        );
    }

    #[test]
    fn handler_exec_is_unquoted_only_when_safe() {
        let entry = "[Desktop Entry]\nExec=\"/opt/tok deck/tokdeck\" %u\n";
        assert_eq!(super::unquoted_exec(entry), None);
        let entry =
            "[Desktop Entry]\nType=Application\nExec=\"/home/a/tokdeck\" %u\nNoDisplay=true\n";
        assert_eq!(
            super::unquoted_exec(entry).as_deref(),
            Some("[Desktop Entry]\nType=Application\nExec=/home/a/tokdeck %u\nNoDisplay=true\n")
        );
        assert_eq!(super::unquoted_exec("Exec=/x %u\n"), None);
    }

    // The list again, with each command's module: the handler is generated from it, so what is
    // left to check is that no command function is missing from it.
    macro_rules! tokdeck_commands {
        ($(
            $module:ident :: $name:ident $args:tt
                -> $ret:ident $([$($arr:tt)*])? $(| $null:ident)?;
        )*) => {
            const LISTED: &[(&str, &str)] = &[$((stringify!($module), stringify!($name))),*];
        };
    }
    include!("../core/src/commands.list.rs");

    /// Every `#[tauri::command]` of the shell is in the command list (so registered, granted and
    /// bound), under the module it is written in.
    #[test]
    fn every_command_function_is_listed() {
        let modules = [
            ("commands", include_str!("commands.rs")),
            ("account_commands", include_str!("account_commands.rs")),
            ("post_commands", include_str!("post_commands.rs")),
            ("trash_commands", include_str!("trash_commands.rs")),
            ("analytics_commands", include_str!("analytics_commands.rs")),
            ("backup_commands", include_str!("backup_commands.rs")),
            ("planning_commands", include_str!("planning_commands.rs")),
        ];
        let mut written: Vec<(&str, &str)> = Vec::new();
        for (module, source) in modules {
            for after in source.split("#[tauri::command]").skip(1) {
                let name = after
                    .split_once("fn ")
                    .and_then(|(_, rest)| rest.split(['(', '<']).next())
                    .unwrap();
                written.push((module, name.trim()));
            }
        }
        written.sort();
        let mut listed = LISTED.to_vec();
        listed.sort();
        assert_eq!(written, listed);
        let mut names: Vec<_> = LISTED.iter().map(|(_, n)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            COMMAND_NAMES.len(),
            "a command is listed twice"
        );
    }
}
