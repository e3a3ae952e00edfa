//! The desktop around the app: the tray host, the notification daemon, processes, bus names
//! and windows.

use super::*;

/// A fake `org.kde.StatusNotifierWatcher`, i.e. a desktop with a tray.
pub struct TrayHost(Child);

impl TrayHost {
    pub fn start() -> TrayHost {
        use std::io::BufRead;
        let mut child = Command::new(repo().join("scripts/fake_tray_host.py"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the fake tray host");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "fake tray host did not start");
        TrayHost(child)
    }
}

impl Drop for TrayHost {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The tray menu's items as a tray host sees them (enabled flag, label), read over D-Bus.
pub fn tray_menu() -> Vec<(bool, String)> {
    let out = Command::new(repo().join("scripts/tray_menu.py"))
        .arg("labels")
        .output()
        .expect("run scripts/tray_menu.py");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(enabled, label)| (enabled == "1", label.to_owned()))
        .collect()
}

/// Clicks a tray menu item as the tray host would. False when no item has that label.
pub fn tray_click(label: &str) -> bool {
    Command::new(repo().join("scripts/tray_menu.py"))
        .args(["click", label])
        .status()
        .expect("run scripts/tray_menu.py")
        .success()
}

/// A fake desktop notification daemon (python3-dbusmock's template) that logs every Notify call.
pub struct NotificationDaemon {
    child: Child,
    _dir: tempfile::TempDir,
    log: PathBuf,
}

impl NotificationDaemon {
    pub async fn start() -> NotificationDaemon {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("notifications.log");
        let child = Command::new("/usr/bin/python3")
            .args([
                "-m",
                "dbusmock",
                "--session",
                "-t",
                "notification_daemon",
                "-l",
            ])
            .arg(&log)
            .stdout(Stdio::null())
            .spawn()
            .expect("python3-dbusmock is installed by scripts/setup.sh");
        wait_until(PATIENCE, "the notification daemon", || {
            name_owned("org.freedesktop.Notifications")
        })
        .await;
        NotificationDaemon {
            child,
            _dir: dir,
            log,
        }
    }

    pub fn raw_log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The id the daemon gave the first notification whose Notify line `matches` (it numbers
    /// new notifications 1, 2, 3… in the order they come).
    pub fn id_of(&self, matches: impl Fn(&str) -> bool) -> Option<u32> {
        let position = self.notifications().iter().position(|n| matches(n))?;
        u32::try_from(position + 1).ok()
    }

    /// A click on notification `id`, as a desktop reports it: the `ActionInvoked` signal with
    /// the action `default`.
    pub fn click(&self, id: u32) {
        let status = Command::new("gdbus")
            .args([
                "call",
                "--session",
                "--dest",
                "org.freedesktop.Notifications",
                "--object-path",
                "/org/freedesktop/Notifications",
                "--method",
                "org.freedesktop.DBus.Mock.EmitSignal",
                "org.freedesktop.Notifications",
                "ActionInvoked",
                "us",
            ])
            .arg(format!("[<uint32 {id}>, <'default'>]"))
            .stdout(Stdio::null())
            .status()
            .expect("gdbus (libglib2.0-bin) is installed by scripts/setup.sh");
        assert!(status.success(), "the daemon did not emit the click");
    }

    /// Every Notify call so far, one log line each.
    pub fn notifications(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("Notify "))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for NotificationDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pids of running Tokdeck processes (the app under test; one at a time in a session).
pub fn app_pids() -> Vec<u32> {
    let target = std::fs::canonicalize(bin()).unwrap();
    let mut pids = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        if std::fs::read_link(format!("/proc/{pid}/exe"))
            .ok()
            .as_deref()
            == Some(target.as_path())
        {
            pids.push(pid);
        }
    }
    pids
}

/// Whether a Tokdeck instance owns its single-instance name on the session bus.
pub fn single_instance_name_owned() -> bool {
    name_owned("app.tokdeck.desktop.SingleInstance")
}

/// Whether some process owns `name` on the session bus.
pub fn name_owned(name: &str) -> bool {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .output()
        .expect("dbus-send");
    String::from_utf8_lossy(&out.stdout).contains("boolean true")
}

/// Whether X11 shows a mapped window titled "Tokdeck" (what a person would see).
pub fn main_window_visible() -> bool {
    Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{TITLE}$")])
        .output()
        .map(|o| o.status.success() && !o.stdout.is_empty())
        .unwrap_or(false)
}

/// Sends the window manager's close request to the main window. Returns false when no visible
/// window carries the title.
pub fn close_main_window() -> bool {
    Command::new(repo().join("scripts/close_window.py"))
        .arg(TITLE)
        .status()
        .unwrap()
        .success()
}

/// Asks the window to close, as a person clicking the close button would, until `done` holds:
/// a request that lands while the toolkit is still wiring the window up can go unanswered, and
/// a person would click again (every 2 s: asking again never hurts, it only must not be needed).
pub async fn close_main_window_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        close_main_window();
        let retry_at = Instant::now() + Duration::from_secs(2);
        while Instant::now() < retry_at {
            if done() {
                return;
            }
            tokio::time::sleep(POLL).await;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
    }
}

/// The processes `root` started, and theirs (WebKit's web and network processes, whether
/// sandboxed or not), read from /proc.
pub fn descendants(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = vec![];
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": comm may hold spaces and parentheses.
        let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        parents.push((pid, ppid));
    }
    let mut out = vec![];
    let mut frontier = vec![root];
    while let Some(p) = frontier.pop() {
        for &(child, parent) in &parents {
            if parent == p && !out.contains(&child) {
                out.push(child);
                frontier.push(child);
            }
        }
    }
    out
}

/// A process's name as the kernel keeps it (at most 15 characters).
pub fn comm(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|c| c.trim().to_owned())
        .unwrap_or_default()
}

/// The WebKit web processes (one per page) of the app with pid `app`.
pub fn web_processes(app: u32) -> Vec<u32> {
    descendants(app)
        .into_iter()
        .filter(|p| comm(*p).starts_with("WebKitWebProces"))
        .collect()
}
