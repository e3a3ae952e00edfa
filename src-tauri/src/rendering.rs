//! How the webview draws its pages.
//!
//! WebKitGTK composites pages with OpenGL. On a machine with no GPU render node (a virtual
//! machine, a remote desktop, a headless session) that OpenGL is Mesa's software rasteriser,
//! which costs memory and frame time for nothing. Measured here (no GPU), drawn without
//! compositing (WebKit's documented hardware-acceleration policy "never", with its DMA-BUF
//! renderer off): a blank window's web process held ~87 MB instead of ~156 MB, one small change
//! reached the screen in 5 ms instead of 20, and a drag across the busy month dropped no frame
//! (composited: frames up to 160 ms). So without a GPU that is the default; with one, WebKit
//! chooses. `TOKDECK_RENDERING=software` or `webkit` overrides the choice (for a comparison or
//! a problem report).

/// `software` draws without compositing, `webkit` keeps WebKit's choice; unset (or anything
/// else): without compositing only on a machine without a GPU render node.
pub const RENDERING_ENV: &str = "TOKDECK_RENDERING";

/// Whether pages should be drawn without compositing. Decided once per process: the
/// environment [`prepare`] set for WebKit at start and each window made later must agree, even
/// if a GPU appears in between.
pub fn software_only() -> bool {
    static CHOICE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CHOICE.get_or_init(|| {
        decide(
            std::env::var(RENDERING_ENV).ok().as_deref(),
            has_gpu_render_node(),
        )
    })
}

fn decide(asked: Option<&str>, gpu: bool) -> bool {
    match asked {
        Some("software") => true,
        Some("webkit") => false,
        _ => !gpu,
    }
}

/// A DRM render node (`/dev/dri/renderD128`…) is what WebKit's GPU path draws with.
fn has_gpu_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|nodes| {
            nodes
                .flatten()
                .any(|n| n.file_name().to_string_lossy().starts_with("renderD"))
        })
        .unwrap_or(false)
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
        Ok(()) => tracing::info!("pages are drawn without compositing (no GPU, or asked for)"),
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
    fn without_a_gpu_software_drawing_unless_asked_otherwise() {
        assert!(decide(None, false), "no GPU: without compositing");
        assert!(!decide(None, true), "a GPU: WebKit's own choice");
        assert!(decide(Some("software"), true));
        assert!(!decide(Some("webkit"), false));
        assert!(
            decide(Some("nonsense"), false),
            "an unknown value is ignored"
        );
        assert!(
            !decide(Some("nonsense"), true),
            "an unknown value is ignored"
        );
    }
}
