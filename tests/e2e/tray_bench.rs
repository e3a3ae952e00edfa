//! `make bench` P5 and P6 (ignored: run by `make bench`), each against a reference measured in
//! the same run, `src-tauri/bench/blank_webview.rs` (bin `blank-webview`, the smallest
//! GTK + WebKitGTK program, built with the app by `make bench`):
//!
//! - P5, weight: the process tree's PSS (the app and its WebKit processes) after 20 s idle with
//!   the window open and after it was closed to the tray, against the blank window and the same
//!   program after its webview was destroyed; and Tokdeck started with `--hidden` (never a
//!   webview: engine, tray and notifications only), the background mode's prototype.
//! - P6, time to first contentful paint: exec → the page's first contentful paint for a cold
//!   start (with the start-up phases from the app's log) and from "Open Tokdeck" in the tray to
//!   the new window's first contentful paint, against the blank window's exec → first paint.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{
    bin, close_main_window_until, comm, descendants, main_window_visible, tray_click, wait_for,
    wait_until, web_processes, App, Launch, TrayHost, PATIENCE,
};

const IDLE: Duration = Duration::from_secs(20);
const COLD_RUNS: usize = 3;
const BLANK_TITLE: &str = "Blank WebKit";
/// Issue #17's goals for exec -> first contentful paint (release build).
const COLD_GOAL_MS: f64 = 500.0;
const REOPEN_GOAL_MS: f64 = 400.0;

fn verdict(ms: f64, goal: f64) -> &'static str {
    if ms <= goal {
        "met"
    } else {
        "NOT met"
    }
}

/// PSS of `root` and every process under it, in kB, with the per-process lines and, last, the
/// tree's anonymous memory (what the system cannot take back without swap, unlike file pages).
fn tree_pss(root: u32) -> (u64, Vec<String>) {
    let mut total = 0;
    let mut anonymous = 0;
    let mut lines = vec![];
    for pid in std::iter::once(root).chain(descendants(root)) {
        let rollup =
            std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
        let field = |name: &str| {
            rollup
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        let pss = field("Pss:");
        total += pss;
        anonymous += field("Anonymous:");
        lines.push(format!("{} {} kB", comm(pid), pss));
    }
    lines.push(format!("anonymous {anonymous} kB"));
    (total, lines)
}

/// The `n` mappings of `pid` holding the most PSS (`TOKDECK_P5_DETAIL=1`), grouped by what
/// they map (a library, `[heap]`, or anonymous memory), to say where a process's weight is.
fn top_mappings(pid: u32, n: usize) -> Vec<String> {
    let smaps = std::fs::read_to_string(format!("/proc/{pid}/smaps")).unwrap_or_default();
    let mut by_name: std::collections::BTreeMap<String, u64> = Default::default();
    let mut name = String::new();
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        match fields.next() {
            Some(first) if first.contains('-') && !first.ends_with(':') => {
                name = fields.nth(4).unwrap_or("[anon]").to_owned();
            }
            Some("Pss:") => {
                let kb = fields
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
                *by_name.entry(name.clone()).or_default() += kb;
            }
            _ => {}
        }
    }
    let mut all: Vec<(String, u64)> = by_name.into_iter().collect();
    all.sort_by_key(|b| std::cmp::Reverse(b.1));
    all.into_iter()
        .take(n)
        .map(|(name, kb)| format!("{kb:>7} kB  {name}"))
        .collect()
}

/// Processes outside `root`'s tree that map WebKit: PSS splits a shared page between every
/// process mapping it, so another WebKit program running beside the bench (a test, a browser)
/// makes these figures smaller than they are alone.
fn other_webkit_processes(root: u32) -> usize {
    let ours: Vec<u32> = std::iter::once(root).chain(descendants(root)).collect();
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .filter(|pid| !ours.contains(pid) && *pid != std::process::id())
                .filter(|pid| {
                    std::fs::read_to_string(format!("/proc/{pid}/maps"))
                        .is_ok_and(|m| m.contains("libwebkit2gtk"))
                })
                .count()
        })
        .unwrap_or(0)
}

fn print_detail(label: &str, root: u32) {
    if std::env::var_os("TOKDECK_P5_DETAIL").is_none() {
        return;
    }
    for pid in std::iter::once(root).chain(descendants(root)) {
        println!("  [{label}] {} ({pid}):", comm(pid));
        for line in top_mappings(pid, 14) {
            println!("      {line}");
        }
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// When `pid` was exec'd, in ms since the epoch (to the kernel's 10 ms clock tick).
fn exec_epoch_ms(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let ticks: f64 = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .nth(19)
        .unwrap()
        .parse()
        .unwrap();
    let hz = 100.0; // USER_HZ on Linux
                    // The start time counts from boot. When the machine booted, as an epoch time, is read from
                    // the clocks now: `/proc/stat`'s `btime` is whole seconds, which put every exec up to a
                    // second early (the boot's fraction of a second: 74 ms on the machine where it was noticed,
                    // added to every cold start figure before).
    (boot_epoch_ms() + ticks / hz * 1000.0).round()
}

/// The wall-clock time of boot, in ms since the epoch (realtime minus time since boot).
fn boot_epoch_ms() -> f64 {
    let ms = |clock| {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through the pointer it is given.
        unsafe { libc::clock_gettime(clock, &mut t) };
        t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
    };
    ms(libc::CLOCK_REALTIME) - ms(libc::CLOCK_BOOTTIME)
}

fn now_epoch_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        * 1000.0
}

fn window_titled(title: &str) -> bool {
    Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &format!("^{title}$")])
        .output()
        .map(|o| o.status.success() && !o.stdout.is_empty())
        .unwrap_or(false)
}

/// The blank WebKit window, running.
struct Blank {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Blank {
    fn start() -> Blank {
        Blank::drawn(None)
    }

    /// With `rendering` as `TOKDECK_RENDERING` (`software`: without compositing), or drawn as
    /// Tokdeck draws.
    fn drawn(rendering: Option<&str>) -> Blank {
        let exe = blank_exe();
        let mut command = Command::new(&exe);
        if let Some(rendering) = rendering {
            command.env(tokdeck_lib::rendering::RENDERING_ENV, rendering);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{} ({e}): run `make bench`", exe.display()));
        let out = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Blank { child, lines }
    }

    /// The next line the program prints that starts with `prefix`.
    fn line(&self, prefix: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("the blank window never printed {prefix}"));
            if let Some(rest) = line.strip_prefix(prefix) {
                return rest.trim().to_owned();
            }
        }
    }

    fn say(&mut self, what: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{what}").unwrap();
        stdin.flush().unwrap();
    }
}

impl Drop for Blank {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `blank-webview` of the same build as the app binary.
fn blank_exe() -> PathBuf {
    Path::new(&bin()).parent().unwrap().join("blank-webview")
}

/// The page's first contentful paint, in ms since the epoch (waits until it is reported).
async fn app_fcp(app: &App) -> f64 {
    wait_for("the first contentful paint", async || {
        let v = app
            .client
            .execute(
                "const p = performance.getEntriesByType('paint') \
                   .find((e) => e.name === 'first-contentful-paint'); \
                 return p ? performance.timeOrigin + p.startTime : null;",
                vec![],
            )
            .await
            .map_err(|e| e.to_string())?;
        v.as_f64().ok_or_else(|| "no paint yet".to_owned())
    })
    .await
}

/// The page's own start-up marks (`ui/src/main.ts`, `ui/src/lib/app.svelte.ts`) and its
/// navigation timing, in ms since the epoch, in the order they happened.
async fn page_marks(app: &App) -> Vec<(String, f64)> {
    let v = app
        .client
        .execute(
            "const t0 = performance.timeOrigin; \
             const nav = performance.getEntriesByType('navigation')[0]; \
             const out = performance.getEntriesByType('mark') \
               .map((m) => [m.name, t0 + m.startTime]); \
             if (nav) { \
               out.push(['page requested', t0 + nav.requestStart]); \
               out.push(['page received', t0 + nav.responseEnd]); \
               out.push(['DOM content loaded', t0 + nav.domContentLoadedEventEnd]); \
               out.push(['load event done', t0 + nav.loadEventEnd]); \
             } \
             return out;",
            vec![],
        )
        .await
        .unwrap_or_default();
    let mut marks: Vec<(String, f64)> = v
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| Some((m[0].as_str()?.to_owned(), m[1].as_f64()?)))
        .filter(|(_, at)| *at > 0.0)
        .collect();
    marks.sort_by(|a, b| a.1.total_cmp(&b.1));
    marks
}

/// The app's "startup phase" lines: (phase, ms since exec).
fn phases(data_dir: &Path) -> Vec<(String, u64)> {
    let mut out = vec![];
    let Ok(dir) = std::fs::read_dir(data_dir.join("logs")) else {
        return out;
    };
    for e in dir.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        for line in text.lines().filter(|l| l.contains("startup phase")) {
            let field = |name: &str| {
                line.split_once(&format!("{name}="))
                    .map(|(_, rest)| rest.trim_start_matches('"'))
                    .map(|rest| {
                        if line.contains(&format!("{name}=\"")) {
                            rest.split('"').next().unwrap_or("").to_owned()
                        } else {
                            rest.split_whitespace().next().unwrap_or("").to_owned()
                        }
                    })
            };
            if let (Some(p), Some(ms)) = (field("phase"), field("ms")) {
                out.push((p, ms.parse().unwrap_or(0)));
            }
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Tokdeck launched straight (no WebDriver) in a desktop with a tray, with `args`.
fn launch_plain(root: &Path, args: &[&str]) -> Child {
    let data = root.join("data");
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    Command::new(bin())
        .args(args)
        .env("TOKDECK_DATA_DIR", &data)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", root.join("xdg-data"))
        .env("XDG_CONFIG_HOME", root.join("xdg-config"))
        .env("TOKDECK_KEYCHAIN_SERVICE", "tokdeck-bench")
        .env("TOKDECK_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn stop(mut child: Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let _ = child.wait();
    wait_until(PATIENCE, "the single-instance name to be released", || {
        !crate::support::single_instance_name_owned()
    })
    .await;
}

#[tokio::test]
#[ignore = "benchmark: run by `make bench`"]
async fn p5_p6_tray_weight_and_first_paint() {
    let _tray = TrayHost::start();

    // `TOKDECK_TRAY_BENCH=p5` or `p6` runs one half (the blank window's first paint is the
    // reference for P6 either way).
    let only = std::env::var("TOKDECK_TRAY_BENCH").unwrap_or_default();
    println!(
        "Drawing on this machine: {}",
        if tokdeck_lib::rendering::software_only() {
            "without compositing (no GPU, or TOKDECK_RENDERING=software); the blank window draws the same way"
        } else {
            "WebKit's own choice (the blank window too)"
        }
    );
    if only != "p6" {
        p5().await;
    }
    if only == "p5" {
        return;
    }
    let blank_first_paint = |rendering: Option<&str>| {
        let fcps = (0..COLD_RUNS).map(|_| {
            let blank = Blank::drawn(rendering);
            blank.line("fcp ").parse::<f64>().unwrap() - exec_epoch_ms(blank.child.id())
        });
        median(fcps.collect())
    };
    let blank_fcp = blank_first_paint(None);
    // The blank window drawn the other way too (composited when Tokdeck draws without).
    let other_way = if tokdeck_lib::rendering::software_only() {
        "webkit"
    } else {
        "software"
    };
    let blank_other_fcp = blank_first_paint(Some(other_way));

    // ---- P6: exec -> first contentful paint ----
    let mut colds = vec![];
    let mut cold_phases = vec![];
    let mut cold_marks = vec![];
    for run in 0..COLD_RUNS {
        let app = App::launch(&format!("bench_cold_{run}"), Launch::default()).await;
        let pid = crate::support::app_pids()[0];
        let exec = exec_epoch_ms(pid);
        let fcp = app_fcp(&app).await - exec;
        colds.push(fcp);
        cold_phases = phases(&app.data_dir);
        cold_marks = page_marks(&app)
            .await
            .into_iter()
            .map(|(name, at)| (name, at - exec))
            .collect();
        app.close().await;
    }
    let cold = median(colds.clone());

    let app = App::launch("bench_reopen", Launch::default()).await;
    let mut reopens = vec![];
    for _ in 0..COLD_RUNS {
        close_main_window_until("the window to close", || !main_window_visible()).await;
        let pid = crate::support::app_pids()[0];
        wait_until(PATIENCE, "the web process to exit", || {
            web_processes(pid).is_empty()
        })
        .await;
        let clicked = now_epoch_ms();
        assert!(tray_click("Open Tokdeck"));
        let delivered = now_epoch_ms();
        app.follow_new_window().await;
        let fcp = app_fcp(&app).await;
        reopens.push((fcp - clicked, fcp - delivered));
    }
    let reopen_log: Vec<String> = std::fs::read_dir(app.data_dir.join("logs"))
        .map(|d| {
            d.flatten()
                .flat_map(|e| {
                    std::fs::read_to_string(e.path())
                        .unwrap_or_default()
                        .lines()
                        .filter(|l| l.contains("reopen phase"))
                        .map(|l| {
                            l.split_once("ms=")
                                .map(|(_, r)| r.split_whitespace().next().unwrap_or("").to_owned())
                                .unwrap_or_default()
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        })
        .unwrap_or_default();
    let _ = app.invoke("app_info", json!({})).await;
    app.close().await;

    let reopen = median(reopens.iter().map(|r| r.0).collect());
    let reopen_delivered = median(reopens.iter().map(|r| r.1).collect());
    println!("P6 exec -> first contentful paint (same run):");
    println!("  blank WebKitGTK window:  {blank_fcp:7.0} ms (median of {COLD_RUNS})");
    println!(
        "  (the same drawn the other way, TOKDECK_RENDERING={other_way}: {blank_other_fcp:.0} ms)"
    );
    println!(
        "  Tokdeck cold start:      {cold:7.0} ms (median of {COLD_RUNS}: {:?}) = {:.2}x the blank window (goal <= {COLD_GOAL_MS} ms: {})",
        colds.iter().map(|c| c.round()).collect::<Vec<_>>(),
        cold / blank_fcp,
        verdict(cold, COLD_GOAL_MS)
    );
    println!("    the last run's phases, ms since exec (the shell's log and the page's marks):");
    let mut timeline: Vec<(f64, String)> = cold_phases
        .iter()
        .map(|(phase, ms)| (*ms as f64, format!("shell: {phase}")))
        .chain(cold_marks.iter().map(|(m, ms)| (*ms, format!("page: {m}"))))
        .collect();
    timeline.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (ms, what) in &timeline {
        println!("    {ms:6.0} ms  {what}");
    }
    println!(
        "  Tokdeck reopen from the tray: {reopen:7.0} ms from the click (median of {COLD_RUNS}: {:?}; {reopen_delivered:.0} ms after the tray host's call returned) = {:.2}x the blank window's cold first paint (goal <= {REOPEN_GOAL_MS} ms: {})",
        reopens.iter().map(|r| r.0.round()).collect::<Vec<_>>(),
        reopen / blank_fcp,
        verdict(reopen, REOPEN_GOAL_MS)
    );
    println!("    window made -> page loaded and shown (app log): {reopen_log:?} ms");
    let _: Value = json!(null);
}

/// P5, printed.
async fn p5() {
    // ---- P5: weight ----
    let mut blank = Blank::start();
    let blank_pid = blank.child.id();
    blank.line("fcp ");
    wait_until(PATIENCE, "the blank window", || window_titled(BLANK_TITLE)).await;
    tokio::time::sleep(IDLE).await;
    let (blank_open, blank_open_lines) = tree_pss(blank_pid);
    blank.say("destroy");
    blank.line("destroyed");
    wait_until(PATIENCE, "the blank web process to exit", || {
        web_processes(blank_pid).is_empty()
    })
    .await;
    tokio::time::sleep(IDLE).await;
    let (blank_closed, blank_closed_lines) = tree_pss(blank_pid);
    print_detail("blank, destroyed", blank_pid);
    // Tokdeck hands memory back when its window closes; the floor program does not by itself.
    // Asked to do the same, it says how much of the gap that alone makes.
    blank.say("trim");
    blank.line("trimmed");
    tokio::time::sleep(IDLE).await;
    let (blank_trimmed, blank_trimmed_lines) = tree_pss(blank_pid);
    print_detail("blank, destroyed, trimmed", blank_pid);
    blank.say("quit");
    drop(blank);

    let root = tempfile::tempdir().unwrap();
    let app = launch_plain(root.path(), &[]);
    let pid = app.id();
    wait_until(PATIENCE, "the window to show", main_window_visible).await;
    wait_until(PATIENCE, "the web process", || {
        !web_processes(pid).is_empty()
    })
    .await;
    tokio::time::sleep(IDLE).await;
    let (open, open_lines) = tree_pss(pid);
    close_main_window_until("the window to close", || !main_window_visible()).await;
    wait_until(PATIENCE, "the web process to exit", || {
        web_processes(pid).is_empty()
    })
    .await;
    tokio::time::sleep(IDLE).await;
    let (closed, closed_lines) = tree_pss(pid);
    print_detail("Tokdeck, closed", pid);
    let others = other_webkit_processes(pid);
    if others > 0 {
        println!(
            "  WARNING: {others} other processes map WebKit while P5 runs; PSS shares their pages, so these figures read low. Run it alone."
        );
    }
    stop(app).await;

    // The background mode's prototype: started hidden in the tray, no webview ever.
    let root = tempfile::tempdir().unwrap();
    let app = launch_plain(root.path(), &["--hidden"]);
    let pid = app.id();
    wait_until(PATIENCE, "the tray icon", || {
        !crate::support::tray_menu().is_empty()
    })
    .await;
    tokio::time::sleep(IDLE).await;
    let (background, background_lines) = tree_pss(pid);
    print_detail("Tokdeck, --hidden", pid);
    assert!(web_processes(pid).is_empty(), "--hidden made a webview");
    stop(app).await;

    println!(
        "P5 process-tree PSS after {} s idle (same run):",
        IDLE.as_secs()
    );
    println!(
        "  blank WebKitGTK window, open:        {:7.1} MB  [{}]",
        mb(blank_open),
        blank_open_lines.join(", ")
    );
    println!(
        "  blank window, webview destroyed:     {:7.1} MB  [{}]",
        mb(blank_closed),
        blank_closed_lines.join(", ")
    );
    println!(
        "  Tokdeck, window open:                {:7.1} MB  [{}]  = {:.2}x the blank window",
        mb(open),
        open_lines.join(", "),
        open as f64 / blank_open as f64
    );
    println!(
        "  Tokdeck, closed to the tray:         {:7.1} MB  [{}]  = {:.2}x the destroyed-webview floor (goal <= 1.10x)",
        mb(closed),
        closed_lines.join(", "),
        closed as f64 / blank_closed as f64
    );
    println!(
        "  the floor trimmed as Tokdeck trims:  {:7.1} MB  [{}]  Tokdeck closed = {:.2}x it",
        mb(blank_trimmed),
        blank_trimmed_lines.join(", "),
        closed as f64 / blank_trimmed as f64
    );
    println!(
        "  Tokdeck --hidden (no webview ever):  {:7.1} MB  [{}]  = {:.2}x the destroyed-webview floor",
        mb(background),
        background_lines.join(", "),
        background as f64 / blank_closed as f64
    );
}
