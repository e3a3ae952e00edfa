//! What the SQL benches share: percentiles, the SQL with its parameters inlined for the
//! `sqlite3` CLI, the CLI reference measured in the same run, and one report line.

#![allow(dead_code)] // each bench uses its part

use std::time::{Duration, Instant};

/// How many copies of a statement the CLI runs (its process start amortised).
pub const CALLS: usize = 1000;

/// The `p` quantile of `sorted`, in milliseconds.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// `sql` with its numbered parameters (`?1`, `?2`, ...) replaced by `params` (SQL literals).
pub fn inline(sql: &str, params: &[String]) -> String {
    let mut out = sql.to_owned();
    // Highest number first, so `?1` does not eat the start of `?10`.
    for (i, p) in params.iter().enumerate().rev() {
        out = out.replace(&format!("?{}", i + 1), p);
    }
    out
}

/// `sql` with its anonymous parameters (`?`) replaced in order by `params`.
pub fn inline_anonymous(sql: &str, params: &[String]) -> String {
    let mut out = String::new();
    let mut it = params.iter();
    for c in sql.chars() {
        if c == '?' {
            out.push_str(it.next().expect("a parameter per placeholder"));
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` as an SQL string literal.
pub fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Mean ms per run of `script` (one or more statements) when the CLI runs it [`CALLS`] times;
/// `None` without the CLI.
pub fn sqlite3_reference(db: &std::path::Path, script: &str) -> Option<f64> {
    use std::io::Write;
    let script = format!("{script};\n").repeat(CALLS);
    let started = Instant::now();
    let mut child = std::process::Command::new("sqlite3")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let status = child.wait().ok()?;
    status
        .success()
        .then(|| started.elapsed().as_secs_f64() * 1000.0 / CALLS as f64)
}

/// One line: p50 and p99 against the goal (p99 ≤ 2 ms) and against the CLI on the same SQL.
pub fn report(name: &str, times: &mut [Duration], reference: Option<f64>, rows: usize) {
    times.sort();
    let (p50, p99) = (pct(times, 0.5), pct(times, 0.99));
    let verdict = if p99 <= 2.0 { "ok" } else { "OVER GOAL" };
    match reference {
        Some(r) => println!(
            "{name}: p50 {p50:.3} ms, p99 {p99:.3} ms (goal p99 <= 2 ms: {verdict}); sqlite3 CLI same SQL {r:.3} ms/query; engine p50 / CLI = {:.2}x, p99 / CLI = {:.2}x; {rows} rows",
            p50 / r,
            p99 / r
        ),
        None => println!(
            "{name}: p50 {p50:.3} ms, p99 {p99:.3} ms (goal p99 <= 2 ms: {verdict}); sqlite3 CLI not installed, no ratio (scripts/setup.sh installs it); {rows} rows"
        ),
    }
}

/// The benches' runtime: two worker threads, as on the 2-core machines they are measured on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A keychain in memory (the benches measure SQL, not the OS keychain).
pub fn secrets() -> tokdeck_core::secrets::Secrets {
    tokdeck_core::secrets::Secrets::with_store("bench", keyring_core::mock::Store::new().unwrap())
}

/// An engine on a new database in `dir`.
pub async fn open_engine(dir: &std::path::Path) -> std::sync::Arc<tokdeck_core::Engine> {
    tokdeck_core::Engine::open(tokdeck_core::EngineConfig::new(
        dir.to_path_buf(),
        secrets(),
    ))
    .await
    .unwrap()
}

/// Accounts 1..=`n` (`creator1`…), written in the caller's transaction.
pub async fn insert_accounts(tx: &mut sqlx::SqliteConnection, n: i64) {
    for a in 1..=n {
        sqlx::query(
            "INSERT INTO accounts (id, open_id, username, display_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, 0, 0)",
        )
        .bind(a)
        .bind(format!("open-{a}"))
        .bind(format!("creator{a}"))
        .bind(format!("Creator {a}"))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
}

/// A simulated creator made in the simulator at `base` (control client `ctl`) and connected
/// through the real OAuth flow (`browser` follows the redirects); answers the account id.
pub async fn connect_simulated(
    engine: &std::sync::Arc<tokdeck_core::Engine>,
    base: &str,
    ctl: &reqwest::Client,
    browser: &reqwest::Client,
    username: &str,
) -> i64 {
    let resp = ctl
        .post(format!("{base}/__sim/accounts"))
        .json(&serde_json::json!({
            "username": username, "display_name": username, "follower_count": 10
        }))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{}", resp.status());
    let a: serde_json::Value = resp.json().await.unwrap();
    let open_id = a["open_id"].as_str().unwrap().to_owned();
    let flow = engine.begin_connect().await.unwrap();
    let url = format!("{}&sim_open_id={open_id}", flow.authorize_url);
    let resp = browser.get(url).send().await.unwrap();
    let (status, page) = (resp.status(), resp.text().await.unwrap());
    assert!(
        status.is_success() && page.contains("is connected"),
        "{status}: {page}"
    );
    sqlx::query_scalar("SELECT id FROM accounts WHERE open_id = ?")
        .bind(&open_id)
        .fetch_one(engine.store().pool())
        .await
        .unwrap()
}

/// The simulator (fast, with `behaviour`) and an engine on a new database pointed at it, both
/// pacing TikTok's limit over `rate_window`; `ctl` carries the simulator's control token and
/// `browser` follows the OAuth redirects.
pub struct SimRig {
    pub sim: tokdeck_sim::Simulator,
    pub base: String,
    pub engine: std::sync::Arc<tokdeck_core::Engine>,
    pub dir: tempfile::TempDir,
    pub ctl: reqwest::Client,
    pub browser: reqwest::Client,
}

pub async fn sim_rig(behaviour: tokdeck_sim::Behaviour, rate_window: Duration) -> SimRig {
    let sim = tokdeck_sim::Simulator::start(tokdeck_sim::SimOptions {
        fast: true,
        behaviour,
        ..Default::default()
    })
    .await
    .expect("the simulator starts");
    let base = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let mut config = tokdeck_core::EngineConfig::new(dir.path().to_path_buf(), secrets())
        .with_simulator(&base, sim.control_token());
    config.rate_window = rate_window;
    let engine = tokdeck_core::Engine::open(config)
        .await
        .expect("the engine opens");
    let mut control = reqwest::header::HeaderMap::new();
    control.insert(
        tokdeck_sim::CONTROL_TOKEN_HEADER,
        sim.control_token().parse().unwrap(),
    );
    SimRig {
        ctl: reqwest::Client::builder()
            .default_headers(control)
            .build()
            .unwrap(),
        browser: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
        sim,
        base,
        engine,
        dir,
    }
}
