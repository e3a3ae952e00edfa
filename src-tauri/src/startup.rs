//! Start-up timing: each phase of a cold start (and of reopening the window from the tray) is
//! logged as `startup phase` with the milliseconds since `run()` began, so the bench and a
//! person reading the log see where the time goes (tests/e2e/tray_bench.rs prints them).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();
static FIRST_IPC: AtomicBool = AtomicBool::new(false);
static FIRST_LOAD: AtomicBool = AtomicBool::new(false);
static REOPEN: Mutex<Option<Instant>> = Mutex::new(None);

/// The clock the phases count from; call first thing.
pub fn begin() {
    START.get_or_init(Instant::now);
}

pub fn ms_since_start() -> u128 {
    START.get_or_init(Instant::now).elapsed().as_millis()
}

/// Logs that `name` was reached.
pub fn phase(name: &'static str) {
    tracing::info!(phase = name, ms = ms_since_start() as u64, "startup phase");
}

/// The first command the UI called (its first IPC answer follows).
pub fn mark_first_ipc() {
    if !FIRST_IPC.swap(true, Ordering::SeqCst) {
        phase("first IPC call");
    }
}

/// The window is being made again after it was closed to the tray.
pub fn mark_reopen() {
    if let Ok(mut r) = REOPEN.lock() {
        *r = Some(Instant::now());
    }
}

/// The main window's page finished loading (it shows now).
pub fn mark_page_loaded() {
    if !FIRST_LOAD.swap(true, Ordering::SeqCst) {
        phase("page loaded, window shown");
        return;
    }
    let since = REOPEN.lock().ok().and_then(|mut r| r.take());
    if let Some(at) = since {
        tracing::info!(
            ms = at.elapsed().as_millis() as u64,
            "reopen phase: page loaded, window shown"
        );
    }
}
