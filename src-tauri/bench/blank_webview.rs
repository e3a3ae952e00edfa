//! The platform floor for `make bench`'s P5 and P6 (tests/e2e/tray_bench.rs): the smallest
//! GTK + WebKitGTK program, one window with one webview showing one line of text.
//!
//! It prints `fcp <epoch ms>` when the page reports its first contentful paint, and answers
//! lines on stdin: `destroy` (the window and its webview go, the WebKit context stays, as
//! in Tokdeck closed to the tray; prints `destroyed`), `trim` (hands memory back as Tokdeck
//! does once its window closed, `src-tauri/src/memory.rs`; prints `trimmed`) and `quit`.

#[cfg(target_os = "linux")]
fn main() {
    use std::io::{BufRead, Write};
    use std::time::Duration;

    use gtk::prelude::*;
    use webkit2gtk::{WebContext, WebView, WebViewExt};

    // Drawn as Tokdeck draws (without compositing only when TOKDECK_RENDERING=software).
    tokdeck_lib::rendering::prepare();
    gtk::init().expect("GTK needs a display");
    let context = WebContext::default().expect("the default WebKit context");
    let window = gtk::Window::new(gtk::WindowType::Toplevel);
    window.set_title("Blank WebKit");
    window.set_default_size(1200, 800);
    let webview = WebView::with_context(&context);
    if tokdeck_lib::rendering::software_only() {
        tokdeck_lib::rendering::draw_without_compositing(&webview);
    }
    webview.connect_title_notify(|view| {
        if let Some(fcp) = view
            .title()
            .and_then(|t| t.strip_prefix("fcp:").map(str::to_owned))
        {
            println!("fcp {fcp}");
            let _ = std::io::stdout().flush();
        }
    });
    webview.load_html(
        "<!doctype html><html><body><p>Blank WebKit window</p><script>\
         new PerformanceObserver((list) => { for (const e of list.getEntries()) \
           if (e.name === 'first-contentful-paint') \
             document.title = 'fcp:' + (performance.timeOrigin + e.startTime); \
         }).observe({ type: 'paint', buffered: true });\
         </script></body></html>",
        None,
    );
    window.add(&webview);
    window.show_all();

    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut window = Some(window);
    gtk::glib::timeout_add_local(Duration::from_millis(20), move || {
        match rx.try_recv().as_deref() {
            Ok("destroy") => {
                if let Some(w) = window.take() {
                    // SAFETY: the window is ours and nothing uses it after this.
                    unsafe { w.destroy() };
                }
                println!("destroyed");
                let _ = std::io::stdout().flush();
            }
            Ok("trim") => {
                let _ = tokdeck_lib::memory::hand_back();
                println!("trimmed");
                let _ = std::io::stdout().flush();
            }
            Ok("quit") => gtk::main_quit(),
            _ => {}
        }
        gtk::glib::ControlFlow::Continue
    });
    // The context lives as long as the program (Tokdeck's does too).
    let _keep = context;
    gtk::main();
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("the blank WebKitGTK window is a Linux benchmark reference");
}
