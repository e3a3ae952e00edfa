//! The main window's life cycle.
//!
//! Closed to the tray, the window is destroyed, not hidden: its webview goes and with it the
//! WebKit web process (about 200 MB), while the engine, the tray and notifications run on in
//! this process. "Open Tokdeck", a deep link, a second launch or a notification bring it back:
//! a new window from the same configuration, at the size and place it had (the window-state
//! plugin keeps them) and on the page it showed (remembered here when it closed). A window
//! shows itself once its page has loaded, so it never appears as a blank frame.

use std::sync::atomic::Ordering;
use std::sync::Mutex;

use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Manager, Runtime, Url, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// The page the window showed when it was closed to the tray (`#/queue`, `#/compose/12`…).
#[derive(Default)]
pub struct LastPage(Mutex<Option<String>>);

/// Shows the main window, creating it (on the page it was last closed on) when it was closed
/// to the tray. Runs on the main thread, whoever asks (the tray, a second launch's D-Bus call,
/// a deep link): two requests at once then make one window, one after the other.
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    let handle = app.clone();
    if let Err(e) = app.run_on_main_thread(move || show_main_now(&handle)) {
        tracing::error!(error = %e, "could not reach the main thread to open the window");
    }
}

fn show_main_now<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        reveal(&w);
        return;
    }
    let page = app
        .try_state::<LastPage>()
        .and_then(|p| p.0.lock().ok().and_then(|p| p.clone()));
    crate::startup::mark_reopen();
    if let Err(e) = create_main(app, page.as_deref()) {
        tracing::error!(error = %e, "could not open the window");
    }
}

/// Builds the main window from its configuration (hidden: [`on_page_load`] shows it), on
/// `page` when given (a fragment [`page_of`] accepted).
pub fn create_main<R: Runtime>(
    app: &AppHandle<R>,
    page: Option<&str>,
) -> tauri::Result<WebviewWindow<R>> {
    let mut config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or_else(|| tauri::Error::WindowNotFound)?;
    if let Some(page) = page {
        config.url = WebviewUrl::App(format!("index.html{page}").into());
    }
    config.visible = false;
    let window = WebviewWindowBuilder::from_config(app, &config)?.build()?;
    crate::rendering::apply(&window);
    Ok(window)
}

/// The window's close button: to the tray (the window and its webview go, the web process
/// with them; the app makes a new window when asked) or, with no tray, the app quits.
pub fn on_close_requested(window: &tauri::Window) {
    let state = window.state::<crate::state::AppState>();
    let quitting = state.quitting.load(Ordering::SeqCst);
    match close_action(state.tray_available(), quitting) {
        CloseAction::CloseToTray => {
            remember_page(window);
            tracing::info!("window closed to the tray (webview released); publishing continues");
        }
        CloseAction::Quit if !quitting => {
            tracing::info!("no tray host on this desktop: closing the window quits Tokdeck");
        }
        CloseAction::Quit => {}
    }
}

/// Remembers the page of the window about to be destroyed, for the next [`show_main`].
pub fn remember_page<R: Runtime>(window: &tauri::Window<R>) {
    let Some(webview) = window.app_handle().get_webview_window(window.label()) else {
        return;
    };
    let page = webview.url().ok().and_then(|u| page_of(&u));
    if let Some(last) = window.app_handle().try_state::<LastPage>() {
        if let Ok(mut slot) = last.0.lock() {
            *slot = page;
        }
    }
}

/// The router's fragment of a page URL (`#/queue`, `#/compose/12/when`), if it is one: a `#/`
/// then short lowercase path segments, nothing else (it is pasted into the next window's URL).
pub fn page_of(url: &Url) -> Option<String> {
    let fragment = url.fragment()?;
    let path = fragment.strip_prefix('/')?;
    let segment_ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 40
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    };
    let segments: Vec<&str> = path.split('/').collect();
    (segments.len() <= 4 && segments.iter().all(|s| segment_ok(s))).then(|| format!("#{fragment}"))
}

/// Every main window shows itself once its page has loaded (it is built hidden): the first
/// frame a person sees already has the page's shell in it.
pub fn on_page_load<R: Runtime>(webview: &tauri::Webview<R>, event: PageLoadEvent) {
    if event != PageLoadEvent::Finished || webview.label() != MAIN {
        return;
    }
    crate::startup::mark_page_loaded();
    if let Some(w) = webview.app_handle().get_webview_window(MAIN) {
        reveal(&w);
    }
}

fn reveal<R: Runtime>(w: &WebviewWindow<R>) {
    let _ = w.unminimize();
    let _ = w.show();
    let _ = w.set_focus();
}

/// What closing the window does: with a tray to bring it back, the window is destroyed and the
/// app keeps running in the tray; otherwise the app quits (nothing could bring the window
/// back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    CloseToTray,
    Quit,
}

pub fn close_action(tray_available: bool, quitting: bool) -> CloseAction {
    if tray_available && !quitting {
        CloseAction::CloseToTray
    } else {
        CloseAction::Quit
    }
}

/// Whether the app stays running when its last window went (`code` is `None` then; an explicit
/// exit such as Quit carries a code): only with a tray to come back from.
pub fn keep_running(code: Option<i32>, tray_available: bool, quitting: bool) -> bool {
    code.is_none() && tray_available && !quitting
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_goes_to_the_tray_only_when_a_tray_can_bring_it_back() {
        assert_eq!(close_action(true, false), CloseAction::CloseToTray);
        assert_eq!(close_action(false, false), CloseAction::Quit);
        assert_eq!(close_action(true, true), CloseAction::Quit);
    }

    #[test]
    fn the_app_outlives_its_window_only_in_the_tray() {
        assert!(keep_running(None, true, false));
        assert!(
            !keep_running(None, false, false),
            "no tray: last window quits"
        );
        assert!(!keep_running(None, true, true), "Quit from the tray");
        assert!(!keep_running(Some(0), true, false), "an explicit exit");
    }

    #[test]
    fn the_page_is_the_routers_fragment_only() {
        let page = |u: &str| page_of(&Url::parse(u).unwrap());
        assert_eq!(
            page("tauri://localhost/#/queue").as_deref(),
            Some("#/queue")
        );
        assert_eq!(
            page("http://tauri.localhost/index.html#/compose/12/when").as_deref(),
            Some("#/compose/12/when")
        );
        assert_eq!(page("tauri://localhost/"), None, "no fragment");
        assert_eq!(page("tauri://localhost/#queue"), None, "not a route");
        assert_eq!(page("tauri://localhost/#/"), None, "empty page");
        assert_eq!(page("tauri://localhost/#/a//b"), None);
        assert_eq!(
            page("tauri://localhost/#/x?y=1"),
            None,
            "a query is not a page"
        );
        assert_eq!(page("tauri://localhost/#/%22%3E"), None);
        assert_eq!(page("tauri://localhost/#/a/b/c/d/e"), None, "too deep");
        assert_eq!(
            page(&format!("tauri://localhost/#/{}", "a".repeat(41))),
            None
        );
    }
}
