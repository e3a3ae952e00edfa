//! How the webview draws its pages.
//!
//! WebKitGTK composites pages with OpenGL. On a machine with no GPU render node (a virtual
//! machine, a remote desktop, a headless session) that OpenGL is Mesa's software rasteriser:
//! measured here, a blank window's first paint came ~300 ms later and its web process held
//! ~70 MB more than drawing the same page without compositing. There, and only there, the
//! webview draws without compositing (WebKit's documented hardware-acceleration policy
//! "never") and its DMA-BUF renderer is off (without it the web process held another ~40 MB);
//! with a GPU WebKit keeps its own choice. `TOKDECK_RENDERING=gpu|software` overrides the
//! guess (a problem report, a comparison).

use std::path::Path;

/// The override's variable: `gpu` keeps WebKit's choice, `software` draws without
/// compositing.
pub const RENDERING_ENV: &str = "TOKDECK_RENDERING";

/// Whether pages should be drawn without compositing: forced by [`RENDERING_ENV`], or else
/// when `/dev/dri` has no render node.
pub fn software_only() -> bool {
    decide(
        std::env::var(RENDERING_ENV).ok().as_deref(),
        has_render_node(Path::new("/dev/dri")),
    )
}

fn decide(forced: Option<&str>, render_node: bool) -> bool {
    match forced {
        Some("software") => true,
        Some("gpu") => false,
        _ => !render_node,
    }
}

/// A DRM render node (`renderD128`…) is what WebKit's GPU path draws through.
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
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
    let applied = window.with_webview(|webview| {
        use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
        if let Some(settings) = WebViewExt::settings(&webview.inner()) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
        }
    });
    match applied {
        Ok(()) => tracing::info!("no GPU render node: pages are drawn without compositing"),
        Err(e) => tracing::warn!(error = %e, "could not set the webview's drawing policy"),
    }
}

#[cfg(not(target_os = "linux"))]
pub fn apply<R: tauri::Runtime>(_window: &tauri::WebviewWindow<R>) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_drawing_only_without_a_render_node_unless_forced() {
        assert!(decide(None, false), "no GPU: no compositing");
        assert!(!decide(None, true), "a GPU: WebKit's own choice");
        assert!(decide(Some("software"), true));
        assert!(!decide(Some("gpu"), false));
        assert!(
            !decide(Some("nonsense"), true),
            "an unknown value is ignored"
        );
    }

    #[test]
    fn a_render_node_is_found_by_its_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(dir.path()));
        assert!(!has_render_node(&dir.path().join("missing")));
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(
            !has_render_node(dir.path()),
            "a card node alone is not a render node"
        );
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
