//! How the webview draws its pages.
//!
//! WebKitGTK composites pages with OpenGL. On a machine with no GPU render node (a virtual
//! machine, a remote desktop, a headless session) that OpenGL is Mesa's software rasteriser.
//! Measured here (no GPU): a blank window's web process held ~156 MB composited and ~87 MB
//! drawn without compositing (WebKit's documented hardware-acceleration policy "never", with
//! its DMA-BUF renderer off); the first paint looked earlier too, but only under load, so not
//! shown. It is not the default: the calendar benchmark's render script never finished in that
//! mode (not yet understood), so `TOKDECK_RENDERING=software` turns it on for a comparison or
//! a problem report; anything else keeps WebKit's own choice.

/// `software` draws without compositing; anything else keeps WebKit's choice.
pub const RENDERING_ENV: &str = "TOKDECK_RENDERING";

/// Whether pages should be drawn without compositing: only when [`RENDERING_ENV`] asks.
pub fn software_only() -> bool {
    decide(std::env::var(RENDERING_ENV).ok().as_deref())
}

fn decide(asked: Option<&str>) -> bool {
    asked == Some("software")
}

/// WebKit reads its renderer from the environment when it starts (and passes it on to its
/// processes); a value the person set is left alone. Call first thing, before any thread.
pub fn prepare() {
    const DMABUF: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if software_only() && std::env::var_os(DMABUF).is_none() {
        std::env::set_var(DMABUF, "1");
    }
}

/// Applies the choice to a webview just built (before its page has painted).
#[cfg(target_os = "linux")]
pub fn apply<R: tauri::Runtime>(window: &tauri::WebviewWindow<R>) {
    if !software_only() {
        return;
    }
    let applied = window.with_webview(|webview| draw_without_compositing(&webview.inner()));
    match applied {
        Ok(()) => {
            tracing::info!("pages are drawn without compositing (TOKDECK_RENDERING=software)")
        }
        Err(e) => tracing::warn!(error = %e, "could not set the webview's drawing policy"),
    }
}

/// WebKit's hardware-acceleration policy "never" on `webview` (the app's and the bench's blank
/// window's).
#[cfg(target_os = "linux")]
pub fn draw_without_compositing(webview: &webkit2gtk::WebView) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    if let Some(settings) = WebViewExt::settings(webview) {
        settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
    }
}

#[cfg(not(target_os = "linux"))]
pub fn apply<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_drawing_only_when_asked_for() {
        assert!(!decide(None), "WebKit's own choice by default");
        assert!(decide(Some("software")));
        assert!(!decide(Some("gpu")));
        assert!(!decide(Some("nonsense")), "an unknown value is ignored");
    }
}
