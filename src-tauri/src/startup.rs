//! Start-up timing: each phase of a cold start (and of reopening the window from the tray) is
//! logged as `startup phase` with the milliseconds since the process was started (exec), so the
//! bench and a person reading the log see where the time goes, on the same clock as the page's
//! own marks (tests/e2e/tray_bench.rs prints them). The first phase, `run() began`, is what the
//! loader and the runtime took before Tokdeck's code ran.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

static START: OnceLock<Instant> = OnceLock::new();
/// How long the process had been running when `begin` was called, in ms.
static BEGUN_AFTER_MS: OnceLock<u128> = OnceLock::new();
static FIRST_IPC: AtomicBool = AtomicBool::new(false);
static FIRST_LOAD: AtomicBool = AtomicBool::new(false);
static REOPEN: Mutex<Option<Instant>> = Mutex::new(None);

/// The clock the phases count from; call first thing.
pub fn begin() {
    START.get_or_init(Instant::now);
    BEGUN_AFTER_MS.get_or_init(|| process_age_ms().unwrap_or(0));
}

/// Milliseconds since the process was started.
pub fn ms_since_start() -> u128 {
    BEGUN_AFTER_MS.get().copied().unwrap_or(0)
        + START.get_or_init(Instant::now).elapsed().as_millis()
}

/// Logs that `name` was reached (the first time, also when `run()` began).
pub fn phase(name: &'static str) {
    static FIRST: AtomicBool = AtomicBool::new(true);
    if FIRST.swap(false, Ordering::SeqCst) {
        let ms = BEGUN_AFTER_MS.get().copied().unwrap_or(0) as u64;
        tracing::info!(phase = "run() began", ms, "startup phase");
    }
    tracing::info!(phase = name, ms = ms_since_start() as u64, "startup phase");
}

/// The process's age now: the boot clock minus its start time (`/proc/self/stat`, in the
/// kernel's 10 ms ticks).
#[cfg(target_os = "linux")]
fn process_age_ms() -> Option<u128> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let ticks: u128 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through the pointer it is given.
    if unsafe { libc::clock_gettime(libc::CLOCK_BOOTTIME, &mut now) } != 0 {
        return None;
    }
    let now_ms = now.tv_sec as u128 * 1000 + now.tv_nsec as u128 / 1_000_000;
    now_ms.checked_sub(ticks * 10)
}

#[cfg(not(target_os = "linux"))]
fn process_age_ms() -> Option<u128> {
    None
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
