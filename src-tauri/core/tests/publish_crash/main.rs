//! Crash safety of the publisher (issue #6): the engine runs in a child process, is killed with
//! SIGKILL while a publish is held in each state of the machine, and is restarted on the same
//! data folder; the simulator must end with exactly one post per scheduled post, none lost.
//!
//! The child is this test binary run again (`child_engine`, ignored unless the environment
//! names a data folder), so nothing but the engine runs in the process that dies. The simulator
//! runs in the test process and holds a publish in a state with a `delay` fault on the request
//! that state waits for; the test watches the child's SQLite file (read-only) to kill it at the
//! right moment. Secrets live in a file keychain (see `common/file_keychain.rs`) because the
//! tests' usual in-memory keychain would die with the child.

#![cfg(unix)]

#[path = "../common/mod.rs"]
mod common;
#[path = "../media_common/mod.rs"]
mod media_common;

mod kills;

use std::collections::HashMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::SqlitePool;
use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::posts::When;
use tokdeck_core::publisher::{PublishJob, PublishStep, UNKNOWN_OUTCOME_MESSAGE};
use tokdeck_core::secrets::Secrets;
use tokdeck_core::{Engine, EngineConfig};
use tokdeck_sim::Simulator;

use common::file_keychain::FileStore;
use common::publish::{fast, sha256_file, SimCtl};

const ENV_DATA: &str = "TOKDECK_CRASH_DATA_DIR";
const ENV_SIM: &str = "TOKDECK_CRASH_SIM_URL";
const ENV_SIM_TOKEN: &str = "TOKDECK_CRASH_SIM_TOKEN";
/// Set for a child that is going to be killed: it must not exit on its own once the posts are
/// done (a kill "just after published" would otherwise hit a process that already quit).
const ENV_LINGER: &str = "TOKDECK_CRASH_LINGER";
const KEYCHAIN_SERVICE: &str = "tokdeck-crash-test";
/// Long enough that a held request is still pending when the kill comes.
const HOLD_MS: u64 = 30_000;

fn keychain(data_dir: &Path) -> Secrets {
    Secrets::with_store(
        KEYCHAIN_SERVICE,
        FileStore::open(&data_dir.join("test-keychain")),
    )
}

// ---------------------------------------------------------------------------------------------
// The child: the engine alone, as the app runs it.

#[test]
#[ignore = "the engine half of the crash tests, started by them in a child process"]
fn child_engine() {
    let Some(data_dir) = std::env::var_os(ENV_DATA) else {
        return;
    };
    let sim = std::env::var(ENV_SIM).expect("the crash test passes the simulator's URL");
    let linger = std::env::var_os(ENV_LINGER).is_some();
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_engine(PathBuf::from(data_dir), sim, linger));
}

async fn run_engine(data_dir: PathBuf, sim: String, linger: bool) {
    let token = std::env::var(ENV_SIM_TOKEN).expect("the crash test passes the simulator's secret");
    let engine = open_engine(&data_dir, &sim, &token).await;
    engine.start_background();
    // A child waiting for its kill still ends if the test that started it died first.
    let orphaned = Instant::now() + Duration::from_secs(60);
    loop {
        if !linger && settled(engine.store().pool()).await {
            break;
        }
        if Instant::now() > orphaned {
            eprintln!("child: never killed; exiting");
            std::process::exit(3);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    engine.shutdown().await;
}

/// The data folder's lock is released by the kernel when the killed child is reaped, but the
/// parent's own engine may still be closing: retry briefly.
async fn open_engine(data_dir: &Path, sim: &str, token: &str) -> std::sync::Arc<Engine> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let config = EngineConfig::new(data_dir.to_path_buf(), keychain(data_dir))
            .with_simulator(sim, token);
        match Engine::open(config).await {
            Ok(e) => return e,
            Err(e) if Instant::now() < deadline => {
                eprintln!("child: engine not open yet ({e}); retrying");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("child: cannot open the engine: {e}"),
        }
    }
}

/// No post is waiting for or going through the publisher.
async fn settled(pool: &SqlitePool) -> bool {
    let busy: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM posts WHERE status IN ('scheduled', 'queued', 'publishing')",
    )
    .fetch_one(pool)
    .await
    .unwrap_or(1);
    busy == 0
}

// ---------------------------------------------------------------------------------------------
// The parent: simulator, setup, kills and checks.

struct Planned {
    id: i64,
    open_id: String,
    caption: String,
}

struct Rig {
    _sim: Simulator,
    ctl: SimCtl,
    dir: tempfile::TempDir,
    video_sha256: String,
    posts: Vec<Planned>,
    /// Read-only view of the child's database.
    db: SqlitePool,
    children: usize,
}

/// Accounts (by username) and posts (account index, caption), all scheduled "now" by an engine
/// in this process that is then closed without publishing anything.
async fn rig(accounts: &[&str], posts: &[(usize, &str)]) -> Rig {
    let h = common::start_keyed(fast(), keychain, |c| c).await;
    let video = media_common::h264(h.dir.path(), "clip.mp4", 1.0);
    let mut ids = Vec::new();
    for name in accounts {
        ids.push(h.connected_account(name).await);
    }
    let mut planned = Vec::new();
    for &(account, caption) in posts {
        let (open_id, account_id) = &ids[account];
        let id = h.direct_draft(*account_id, &video, caption).await;
        h.engine.schedule_post_fresh(id, &When::Now).await.unwrap();
        planned.push(Planned {
            id,
            open_id: open_id.clone(),
            caption: caption.to_owned(),
        });
    }
    let ctl = h.sim_ctl();
    let common::H {
        sim, engine, dir, ..
    } = h;
    engine.shutdown().await;
    drop(engine);
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(dir.path().join(DB_FILE))
                .read_only(true),
        )
        .await
        .expect("read-only view of the engine's database");
    Rig {
        _sim: sim,
        ctl,
        video_sha256: sha256_file(&video),
        dir,
        posts: planned,
        db,
        children: 0,
    }
}

/// A running child engine; its output goes to a log in the data folder, shown on failure.
struct ChildEngine {
    child: Child,
    log: PathBuf,
}

/// A test that fails half-way never leaves an engine running.
impl Drop for ChildEngine {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Rig {
    fn spawn(&mut self, linger: bool) -> ChildEngine {
        self.children += 1;
        let log = self.dir.path().join(format!("child-{}.log", self.children));
        let out = std::fs::File::create(&log).unwrap();
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "child_engine", "--ignored", "--nocapture"])
            .env(ENV_DATA, self.dir.path())
            .env(ENV_SIM, &self.ctl.base)
            .env(ENV_SIM_TOKEN, &self.ctl.token)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        if linger {
            cmd.env(ENV_LINGER, "1");
        } else {
            cmd.env_remove(ENV_LINGER);
        }
        ChildEngine {
            child: cmd.spawn().expect("re-run the test binary as the engine"),
            log,
        }
    }

    async fn jobs(&self) -> HashMap<i64, PublishJob> {
        sqlx::query_as::<_, PublishJob>("SELECT * FROM publish_jobs")
            .fetch_all(&self.db)
            .await
            .expect("read publish_jobs")
            .into_iter()
            .map(|j| (j.post_id, j))
            .collect()
    }

    async fn post_status(&self, id: i64) -> String {
        sqlx::query_scalar("SELECT status FROM posts WHERE id = ?")
            .bind(id)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    async fn history(&self, id: i64) -> Vec<String> {
        sqlx::query_scalar("SELECT state FROM publish_attempts WHERE post_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&self.db)
            .await
            .unwrap()
    }

    /// Waits until `held` is true of the jobs and the simulator's request counters, then kills
    /// the child with SIGKILL (std's `Child::kill` on Unix) and reaps it.
    async fn kill_when(
        &self,
        mut e: ChildEngine,
        what: &str,
        held: impl Fn(&HashMap<i64, PublishJob>, &Value) -> bool,
    ) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let jobs = self.jobs().await;
            let counts = self
                .ctl
                .call(Method::GET, "/__sim/requests", Value::Null)
                .await;
            if held(&jobs, &counts) {
                break;
            }
            if let Some(status) = e.child.try_wait().unwrap() {
                panic!(
                    "the engine exited ({status}) before {what}; jobs {}\n{}",
                    summary(&jobs),
                    child_log(&e.log)
                );
            }
            if Instant::now() > deadline {
                let _ = e.child.kill();
                let _ = e.child.wait();
                panic!(
                    "never reached {what}; jobs {}; requests {counts}\n{}",
                    summary(&jobs),
                    child_log(&e.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        e.child.kill().expect("SIGKILL the engine");
        let status = e.child.wait().unwrap();
        assert_eq!(status.signal(), Some(9), "killed by SIGKILL: {status}");
        // The engine died with the jobs persisted as wanted, not a step later.
        let jobs = self.jobs().await;
        let counts = self
            .ctl
            .call(Method::GET, "/__sim/requests", Value::Null)
            .await;
        assert!(
            held(&jobs, &counts),
            "moved on before the kill landed ({what}); jobs {}",
            summary(&jobs)
        );
    }

    /// Runs a fresh child until every post has ended (it exits by itself then).
    async fn run_to_end(&mut self) {
        let mut e = self.spawn(false);
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = e.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = e.child.kill();
                let _ = e.child.wait();
                panic!(
                    "the restarted engine did not finish; jobs {}\n{}",
                    summary(&self.jobs().await),
                    child_log(&e.log)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(status.success(), "engine: {status}\n{}", child_log(&e.log));
    }

    async fn hold(&self, endpoint: &str) {
        self.ctl
            .fault(
                json!({"endpoint": endpoint, "kind": "delay", "delay_ms": HOLD_MS, "times": 100}),
            )
            .await;
    }

    /// Every planned post is published, and the simulator holds exactly one complete post for
    /// each — the right account, caption and bytes — and nothing else.
    async fn assert_each_published_once(&self, inits: u64) {
        let jobs = self.jobs().await;
        let sim_posts = self.ctl.posts().await;
        assert_eq!(
            sim_posts.len(),
            self.posts.len(),
            "one simulator post per scheduled post: {sim_posts:#?}"
        );
        assert_eq!(self.ctl.requests("video_init").await, inits, "inits");
        for p in &self.posts {
            let job = &jobs[&p.id];
            assert_eq!(job.step(), PublishStep::Published, "{job:#?}");
            assert_eq!(self.post_status(p.id).await, "published");
            let on_sim: Vec<&Value> = sim_posts
                .iter()
                .filter(|s| s["post_info"]["title"] == p.caption.as_str())
                .collect();
            assert_eq!(on_sim.len(), 1, "{}: {sim_posts:#?}", p.caption);
            let s = on_sim[0];
            assert_eq!(s["publish_id"].as_str(), job.publish_id.as_deref());
            assert_eq!(s["open_id"], p.open_id.as_str());
            assert_eq!(s["status"], "PUBLISH_COMPLETE");
            assert_eq!(s["sha256"], self.video_sha256.as_str());
        }
    }
}

/// One line per job: what a failed wait shows.
fn summary(jobs: &HashMap<i64, PublishJob>) -> String {
    let mut ids: Vec<_> = jobs.keys().copied().collect();
    ids.sort();
    ids.iter()
        .map(|id| {
            let j = &jobs[id];
            format!(
                "\n  post {id}: {} attempts={} retry_at={:?} bytes={} error={:?}",
                j.state, j.attempts, j.next_retry_at, j.confirmed_bytes, j.error_message
            )
        })
        .collect()
}

fn child_log(path: &Path) -> String {
    format!(
        "--- {} ---\n{}",
        path.display(),
        std::fs::read_to_string(path).unwrap_or_default()
    )
}

fn in_state(jobs: &HashMap<i64, PublishJob>, id: i64, step: PublishStep) -> bool {
    jobs.get(&id).is_some_and(|j| j.step() == step)
}

fn count(requests: &Value, endpoint: &str) -> u64 {
    requests[endpoint].as_u64().unwrap_or(0)
}
