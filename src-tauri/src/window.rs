//! Showing, hiding and closing the main window.

use tauri::{AppHandle, Manager, Runtime};

pub const MAIN: &str = "main";

pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window(MAIN) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// What closing the window does: hide to the tray when there is one, otherwise let it close (the
/// app then exits, since nothing could bring the window back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    HideToTray,
    Quit,
}

pub fn close_action(tray_available: bool, quitting: bool) -> CloseAction {
    if tray_available && !quitting {
        CloseAction::HideToTray
    } else {
        CloseAction::Quit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_hides_only_when_a_tray_can_bring_it_back() {
        assert_eq!(close_action(true, false), CloseAction::HideToTray);
        assert_eq!(close_action(false, false), CloseAction::Quit);
        assert_eq!(close_action(true, true), CloseAction::Quit);
    }
}
