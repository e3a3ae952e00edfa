//! P2: 10,000 posts over 50 accounts due in a short window, published by the real scheduler and
//! publisher against the in-process simulator (fast mode). Goal: lateness p99 ≤ 1 s.
//! P2 runs twice, each pass on a fresh engine and simulator with its own calibration and its own
//! ideal-scheduler reference: on the machine as it is ("quiet"), then "under load" — a thread
//! per CPU spinning at normal priority from the calibration to the end of the batch, like
//! `yes > /dev/null` once per CPU beside the app (a video export or a game on a creator's
//! laptop). Goal under load: p99 ≤ 1 s and ≤ 1.5× the ideal scheduler's p99 of that pass. Like
//! every goal here, a missed one is printed as MISSED; the bench does not fail on it.
//! P4: scheduler wake-ups per minute while idle. Goal: ≤ 2.
//!
//! Lateness of a post = the instant its publish started minus its due time. "Started" is the
//! `queued` line of the post's publish history: the scheduler writes it when it claims the due
//! post for a free upload slot and spawns the publish (the very next step is creator_info, then
//! the init). The init's own lateness (the `initializing` line, written just before the init
//! request is sent) is printed too. Both are engine-clock epoch ms, like `scheduled_at`.
//!
//! Why the due times are spread over a window instead of all due at one instant: uploads run at
//! most `DEFAULT_PARALLEL` (2) at once, so 10,000 posts due together would wait for each other
//! for minutes whatever the scheduler does — p99 ≤ 1 s is physically impossible there. The bench
//! first measures the publish capacity with a calibration batch, then spreads the 10,000 due
//! times evenly over a window that offers `LOAD` × that capacity, so the load is feasible and
//! the lateness left is the scheduler's own. The calibration posts come due one after another
//! faster than they can be published (`CALIBRATION_RATE`), like the real batch: a batch all due
//! at one instant overstates the capacity about twofold, because the scheduler then runs a
//! pass only when a publish ends, not also at every due time. Capacity = publishes started while
//! calibration posts were still coming due, per second. The machine is shared (load average
//! printed): the capacity, hence the window, varies from run to run. The reference, measured in
//! the same run, is the lateness an ideal scheduler would have given: the same due times, the
//! same 2 slots and one-per-account rule, each publish taking exactly as long as it took here,
//! started the instant a slot and its account are free.
//!
//! The simulator's limits are lifted so that 10,000 posts fit in minutes: `posts_per_day_cap`
//! (15 per creator per day) is set to u32::MAX, `processing_ms` to 0 (fast mode alone leaves
//! 200 ms), and the rate-limit window (6 inits / 20 creator_info / 30 status fetches per minute
//! per token) to 1 ms on both sides — the simulator's `rate_window_ms` and the engine's
//! `EngineConfig::rate_window` for the client's own pacing. With TikTok's real limits 50
//! accounts can start at most 300 posts a minute (and 750 a day), so 10,000 posts in a short
//! window only exist with the limits lifted.
//!
//! P4 runs three engines side by side over the same idle period in real (wall-clock) time, not
//! tokio's paused clock: nothing scheduled, a post due in 2 hours, a post due in a year. It
//! counts scheduler passes (`Engine::scheduler_wakeups`) and, separately, the token refresher's
//! passes (`Engine::refresher_wakeups`), and the context switches of the whole process.
//!
//! `P2_SKIP=1` / `P4_SKIP=1` run one half only; `P2_QUIET_SKIP=1` / `P2_LOAD_SKIP=1` one P2
//! pass only; `P2_POSTS` makes the batch smaller (a shorter run); `P2_CAPACITY` (posts/s)
//! replaces the calibrated capacity the batch is offered 70 % of, to compare builds at one
//! offered rate; `P4_IDLE_SECS` changes the idle period.

#[path = "../common/mod.rs"]
mod common;
mod idle;
mod lateness;
mod load;

use idle::p4;
use lateness::p2;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::Value;
use tokdeck_core::posts::{ComposeInput, PostMode, When};
use tokdeck_core::publisher::scheduler::{DEFAULT_GRACE_MINUTES, DEFAULT_PARALLEL};
use tokdeck_core::Engine;
use tokdeck_sim::{Behaviour, Simulator};

const ACCOUNTS: usize = 50;
const POSTS: usize = 10_000;
/// Posts of the P2 batch: [`POSTS`] unless `P2_POSTS` says otherwise (a shorter run).
fn posts() -> usize {
    std::env::var("P2_POSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(POSTS)
}
/// Posts per account in the calibration batch.
const CALIBRATION_PER_ACCOUNT: usize = 20;
/// Due times per second in the calibration batch: above what 2 uploads at once can follow here.
const CALIBRATION_RATE: f64 = 250.0;
/// Offered load as a share of the measured capacity: headroom for the other work of a shared
/// 2-core machine (at 0.8, p99 was 0.3–0.5 s on a quiet machine and > 10 s while another
/// process took a whole CPU).
const LOAD: f64 = 0.7;
/// The first post is due this long after the posts are written.
const LEAD: Duration = Duration::from_secs(2);
/// Idle period per P4 variant (override with `P4_IDLE_SECS`).
const IDLE_SECS: u64 = 65;
const GOAL_P99_MS: f64 = 1000.0;
/// Under load, lateness p99 at most this many times the ideal scheduler's in the same pass.
const GOAL_LOAD_RATIO: f64 = 1.5;
const GOAL_WAKEUPS_PER_MIN: f64 = 2.0;

struct Rig {
    _sim: Simulator,
    base: String,
    engine: Arc<Engine>,
    _dir: tempfile::TempDir,
    ctl: Client,
    browser: Client,
}

async fn rig(behaviour: Behaviour, rate_window: Duration) -> Rig {
    let r = common::sim_rig(behaviour, rate_window).await;
    Rig {
        _sim: r.sim,
        base: r.base,
        engine: r.engine,
        _dir: r.dir,
        ctl: r.ctl,
        browser: r.browser,
    }
}

impl Rig {
    async fn sim(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .ctl
            .request(method.clone(), format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path} -> {status}: {v}");
        v
    }

    /// A simulated creator connected through the real OAuth flow; answers the account id.
    async fn connect(&self, username: &str) -> i64 {
        common::connect_simulated(&self.engine, &self.base, &self.ctl, &self.browser, username)
            .await
    }

    /// A post scheduled through the compose path (fresh creator_info, real media checks).
    async fn schedule(&self, account_id: i64, video: &Path, caption: &str, at: When) -> i64 {
        let e = &self.engine;
        let rules = e.creator_rules(account_id).await.unwrap();
        let input = ComposeInput {
            account_id,
            media_path: video.to_string_lossy().into_owned(),
            caption: caption.into(),
            privacy_level: Some("SELF_ONLY".into()),
            allow_comment: true,
            allow_duet: false,
            allow_stitch: false,
            commercial: Default::default(),
            is_aigc: false,
            cover_timestamp_ms: None,
            mode: PostMode::Direct,
        };
        let id = e.create_draft(&input, Some(&rules)).await.unwrap().id;
        e.schedule_post(id, &at, &rules).await.unwrap();
        id
    }
}

fn at_in(engine: &Engine, d: chrono::Duration) -> When {
    When::At {
        local: (engine.clock().now() + d)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}

/// A 1 s 640x360 H.264 clip made by ffmpeg now (a few kB).
fn tiny_video(dir: &Path) -> PathBuf {
    let out = dir.join("tiny.mp4");
    let res = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .args(["testsrc=size=640x360:rate=30", "-t", "1"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&out)
        .output()
        .expect("ffmpeg runs (scripts/setup.sh installs it)");
    assert!(
        res.status.success(),
        "ffmpeg failed: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    out
}

fn pct(sorted: &[i64], p: f64) -> i64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Copies of the template posts (one per account, round robin), due at `due[i]`, in one
/// transaction; answers nothing — the caption prefix marks the batch.
async fn clone_posts(engine: &Engine, templates: &[i64], due: &[i64], batch: &str) {
    let pool = engine.store().pool();
    let cols: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info('posts')")
        .fetch_all(pool)
        .await
        .unwrap();
    let copied: Vec<&str> = cols
        .iter()
        .map(String::as_str)
        .filter(|c| !["id", "caption", "scheduled_at", "status"].contains(c))
        .collect();
    let sql = format!(
        "INSERT INTO posts (caption, scheduled_at, status, {0})
         SELECT ?, ?, 'scheduled', {0} FROM posts WHERE id = ?",
        copied.join(", ")
    );
    let mut tx = pool.begin().await.unwrap();
    for (i, at) in due.iter().enumerate() {
        sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(format!("{batch} {i}"))
            .bind(at)
            .bind(templates[i % templates.len()])
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    // A settings change wakes the scheduler, which may be waiting with nothing due.
    engine
        .set_missed_grace_minutes(DEFAULT_GRACE_MINUTES)
        .await
        .unwrap();
}

/// Per post of a batch: (due, started, init sent, ended, account, final status).
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    due: i64,
    started: Option<i64>,
    init: Option<i64>,
    ended: Option<i64>,
    account: i64,
    status: String,
}

async fn wait_batch(engine: &Engine, batch: &str, n: usize, timeout: Duration) -> Vec<Row> {
    let pool = engine.store().pool();
    let like = format!("{batch} %");
    let deadline = Instant::now() + timeout;
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts WHERE caption LIKE ?
               AND status NOT IN ('published', 'failed', 'needs_attention', 'missed')",
        )
        .bind(&like)
        .fetch_one(pool)
        .await
        .unwrap();
        if open == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT p.scheduled_at AS due,
                (SELECT MIN(at) FROM publish_attempts a
                  WHERE a.post_id = p.id AND a.state = 'queued') AS started,
                (SELECT MIN(at) FROM publish_attempts a
                  WHERE a.post_id = p.id AND a.state = 'initializing') AS init,
                (SELECT MAX(at) FROM publish_attempts a WHERE a.post_id = p.id
                   AND a.state IN ('published', 'failed', 'needs_attention')) AS ended,
                p.account_id AS account, p.status
         FROM posts p WHERE p.caption LIKE ? ORDER BY p.scheduled_at, p.id",
    )
    .bind(&like)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), n, "batch {batch} has every post");
    rows
}

/// The upload slots and each account's last end, as a scheduler running at most
/// `DEFAULT_PARALLEL` publishes, one per account at a time, sees them.
struct SlotBook {
    slots: [i64; DEFAULT_PARALLEL],
    account_free: std::collections::HashMap<i64, i64>,
}

impl SlotBook {
    fn new() -> Self {
        Self {
            slots: [i64::MIN; DEFAULT_PARALLEL],
            account_free: Default::default(),
        }
    }

    /// The slot a publish of `account` due at `due` takes (the one that frees first), and the
    /// earliest it could start there: its due time, that slot's and its account's last end,
    /// whichever comes last.
    fn earliest(&self, due: i64, account: i64) -> (usize, i64) {
        let (slot, free) = self
            .slots
            .iter()
            .copied()
            .enumerate()
            .min_by_key(|&(_, t)| t)
            .unwrap();
        let account_free = self.account_free.get(&account).copied();
        (slot, due.max(free).max(account_free.unwrap_or(i64::MIN)))
    }

    /// A publish of `account` holds `slot` until `end`.
    fn take(&mut self, slot: usize, account: i64, end: i64) {
        self.slots[slot] = end;
        self.account_free.insert(account, end);
    }
}

/// Start lateness an ideal scheduler would give: due order, `DEFAULT_PARALLEL` slots, one
/// publish per account at a time, each publish lasting what it lasted in this run.
fn ideal_lateness(rows: &[Row]) -> Vec<i64> {
    let mut book = SlotBook::new();
    let mut late = Vec::with_capacity(rows.len());
    for r in rows {
        let (Some(s), Some(e)) = (r.started, r.ended) else {
            continue;
        };
        let (slot, start) = book.earliest(r.due, r.account);
        book.take(slot, r.account, start + (e - s));
        late.push(start - r.due);
    }
    late.sort();
    late
}

/// The scheduler's own time per publish, which the ideal scheduler does not have: for each
/// publish in the order they started, how long it could have been running already (from
/// [`SlotBook::earliest`], with the publishes as they ran) until it started.
fn slot_idle(rows: &[Row]) -> Vec<i64> {
    let mut order: Vec<&Row> = rows.iter().filter(|r| r.started.is_some()).collect();
    order.sort_by_key(|r| r.started);
    let mut book = SlotBook::new();
    let mut idle = Vec::with_capacity(order.len());
    for r in order {
        let (Some(s), Some(e)) = (r.started, r.ended) else {
            continue;
        };
        let (slot, could) = book.earliest(r.due, r.account);
        idle.push((s - could).max(0));
        book.take(slot, r.account, e);
    }
    idle
}

/// Mean publish duration (start → end) of the first and of the last tenth of a batch, in
/// start order: a publish that takes longer as the world fills up lowers the capacity the
/// calibration measured.
fn duration_drift(rows: &[Row]) -> (f64, f64) {
    let mut d: Vec<(i64, i64)> = rows
        .iter()
        .filter_map(|r| Some((r.started?, r.ended? - r.started?)))
        .collect();
    d.sort();
    let tenth = (d.len() / 10).max(1);
    let mean = |s: &[(i64, i64)]| s.iter().map(|x| x.1 as f64).sum::<f64>() / s.len() as f64;
    (mean(&d[..tenth]), mean(&d[d.len() - tenth..]))
}

fn summary(mut v: Vec<i64>) -> String {
    if v.is_empty() {
        return "no samples".into();
    }
    v.sort();
    format!(
        "p50 {} ms, p99 {} ms, max {} ms",
        pct(&v, 0.5),
        pct(&v, 0.99),
        v[v.len() - 1]
    )
}

/// Publishes per second over a batch, from the first start to the last end.
fn throughput(rows: &[Row]) -> f64 {
    let first = rows.iter().filter_map(|r| r.started).min().unwrap();
    let last = rows.iter().filter_map(|r| r.ended).max().unwrap();
    rows.len() as f64 / ((last - first).max(1) as f64 / 1000.0)
}

/// CPU ticks (busy, total) of the whole machine, busy ticks of this process without the load
/// threads, and the load threads' ticks.
fn cpu_ticks(load: Option<&load::CpuLoad>) -> Option<(u64, u64, u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: u64 = cpu.iter().take(8).sum();
    let idle = cpu.get(3)? + cpu.get(4)?;
    let own = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
    let rest: Vec<&str> = own.rsplit_once(')')?.1.split_whitespace().collect();
    let mine = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    let hogs = load.map_or(0, |l| l.ticks());
    Some((total - idle, total, mine.saturating_sub(hogs), hogs))
}

/// "this process X%, the load Z%, other processes Y%" of the machine between two readings.
fn cpu_share(a: Option<(u64, u64, u64, u64)>, b: Option<(u64, u64, u64, u64)>) -> String {
    match a.zip(b) {
        Some(((busy0, total0, mine0, hogs0), (busy1, total1, mine1, hogs1))) if total1 > total0 => {
            let total = (total1 - total0) as f64;
            let mine = mine1.saturating_sub(mine0) as f64;
            let hogs = hogs1.saturating_sub(hogs0) as f64;
            let others = (busy1 - busy0) as f64 - mine - hogs;
            let load = if hogs > 0.0 {
                format!(", the load threads {:.0}%", 100.0 * hogs / total)
            } else {
                String::new()
            };
            format!(
                "this process {:.0}%{load}, other processes {:.0}% of all CPUs",
                100.0 * mine / total,
                100.0 * others.max(0.0) / total
            )
        }
        _ => "CPU use not readable".into(),
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let video = tiny_video(dir.path());
        if std::env::var("P2_SKIP").is_err() {
            let mut figures = Vec::new();
            if std::env::var("P2_QUIET_SKIP").is_err() {
                figures.push(p2(&video, 0).await);
            }
            if std::env::var("P2_LOAD_SKIP").is_err() {
                let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
                figures.push(p2(&video, threads).await);
            }
            for f in &figures {
                let goal = if f.label.contains("load") {
                    f.p99 as f64 <= GOAL_P99_MS && f.ratio() <= GOAL_LOAD_RATIO
                } else {
                    f.p99 as f64 <= GOAL_P99_MS
                };
                println!(
                    "{}: capacity {:.1} posts/s, start lateness p99 {} ms, ideal scheduler p99 {} ms, ratio {:.2}x (goal p99 <= {GOAL_P99_MS} ms{}: {})",
                    f.label,
                    f.capacity,
                    f.p99,
                    f.ideal_p99,
                    f.ratio(),
                    if f.label.contains("load") {
                        format!(" and <= {GOAL_LOAD_RATIO}x the ideal")
                    } else {
                        String::new()
                    },
                    if goal { "OK" } else { "MISSED" }
                );
            }
        }
        if std::env::var("P4_SKIP").is_err() {
            p4(&video).await;
        }
    });
}
