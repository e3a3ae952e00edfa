//! Harness for driving the real Tokdeck binary: tauri-driver + WebKitWebDriver under the Xvfb,
//! D-Bus session and keyring that `scripts/with-desktop.sh` provides. On failure it saves a
//! screenshot and the app's logs under `tests/artifacts/<test>/`.

mod app;
mod desktop;
mod waits;

pub use desktop::*;
pub use waits::*;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::{CmdError, ErrorStatus};
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt;
use serde_json::{json, Value};

/// The built-in simulator's control secret in the app under test (it steers the simulator).
pub const SIM_CONTROL_TOKEN: &str = "e2e-sim-control-secret";
/// The engine tests' secrets tripwire (std + the simulator's secret list only).
#[path = "../../../src-tauri/core/tests/common/tripwire.rs"]
mod tripwire;

pub const BIN: &str = env!("CARGO_BIN_EXE_tokdeck");

/// The app binary under test: [`BIN`], or `TOKDECK_E2E_BIN` (the bench points it at a release
/// build, with `blank-webview` next to it).
pub fn bin() -> String {
    std::env::var("TOKDECK_E2E_BIN")
        .ok()
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| BIN.to_owned())
}
pub const TITLE: &str = "Tokdeck";

/// How long any wait may take before the test fails. Generous on purpose: on a 2-core machine
/// that is also compiling, the app can stall for seconds. Every wait ends as soon as its
/// condition holds, so patience costs nothing when things are fast; no test waits for time.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// How often a wait looks again; a sampling rate, not a delay anything depends on.
const POLL: Duration = Duration::from_millis(100);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_desktop() {
    assert!(
        std::env::var_os("DISPLAY").is_some()
            && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "end-to-end tests need the desktop session of scripts/with-desktop.sh (run `make e2e`)"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct RootDir<'a>(&'a Path);

impl RootDir<'_> {
    fn path(&self) -> &Path {
        self.0
    }
}

#[derive(Default)]
pub struct Launch {
    /// Reuse this folder for data, XDG dirs and home (a relaunch "on the same machine").
    pub root: Option<PathBuf>,
    /// Extra environment for the app (and for second launches).
    pub env: Vec<(String, String)>,
    /// Use this data dir instead of a fresh one (to test what the app does with existing data).
    pub data_dir: Option<PathBuf>,
}

pub struct App {
    pub name: String,
    root: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    pub data_dir: PathBuf,
    pub env: Vec<(String, String)>,
    driver: Child,
    pub client: Client,
    closed: bool,
}

impl Drop for App {
    /// A test that fails before [`App::close`] must not leave its driver and app running into
    /// the next test (which would then find a second instance on the bus).
    fn drop(&mut self) {
        if !self.closed {
            kill_group(&self.driver);
            let _ = self.driver.wait();
        }
    }
}

/// Ends tauri-driver with the WebKitWebDriver and app it started (its own process group).
fn kill_group(driver: &Child) {
    let group = format!("-{}", driver.id());
    let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
}

/// Makes scripts/fake_browser.py the desktop's web browser in these XDG dirs, the way a real
/// browser registers itself, so `xdg-open https://…` from the app reaches it.
fn install_fake_browser(xdg_data: &Path, xdg_config: &Path) {
    let apps = xdg_data.join("applications");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::create_dir_all(xdg_config).unwrap();
    std::fs::write(
        apps.join("tokdeck-fake-browser.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=Fake browser\nExec={} %u\nMimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n",
            repo().join("scripts/fake_browser.py").display()
        ),
    )
    .unwrap();
    std::fs::write(
        xdg_config.join("mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/http=tokdeck-fake-browser.desktop\nx-scheme-handler/https=tokdeck-fake-browser.desktop\n",
    )
    .unwrap();
}

fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

fn card_selector(open_id: &str) -> String {
    format!("[data-testid=\"account-card\"][data-open-id=\"{open_id}\"]")
}

/// Click failures that a moment later may not happen: the element is covered, not yet
/// interactable, re-rendered or not rendered yet.
fn retryable(e: &CmdError) -> bool {
    matches!(e, CmdError::Standard(w) if w.error == ErrorStatus::ElementClickIntercepted)
        || e.is_element_not_interactable()
        || e.is_stale_element_reference()
        || e.is_no_such_element()
}

fn copy_dir(from: &Path, to: &Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    let _ = std::fs::create_dir_all(to);
    for e in entries.flatten() {
        let _ = std::fs::copy(e.path(), to.join(e.file_name()));
    }
}

/// `TOKDECK_PROFILE_DIR` (`scripts/webkit-profile.py`): the folder where a bench run by hand
/// keeps its app's data and video, so the profiler can start the app again over them without
/// WebDriver (the inspector it reads through and WebDriver's cannot share the app).
pub fn profile_dir() -> Option<PathBuf> {
    std::env::var_os("TOKDECK_PROFILE_DIR").map(PathBuf::from)
}

/// A launch whose data stays in the profile folder (a fresh one without it).
pub fn profile_launch() -> Launch {
    Launch {
        data_dir: profile_dir().map(|d| d.join("data")),
        ..Launch::default()
    }
}

/// What the profiler replays, written into the profile folder when there is one: a `setup`
/// script run first (unmeasured) with its `setup_args`, then the bench's `script` with its
/// `args`.
pub fn profile_replay(replay: serde_json::Value) {
    if let Some(dir) = profile_dir() {
        let path = dir.join("replay.json");
        std::fs::write(path, serde_json::to_vec_pretty(&replay).unwrap()).unwrap();
    }
}
