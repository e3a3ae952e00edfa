//! The secrets tripwire over the failures most likely to leak a credential: a chunk PUT that
//! fails (reqwest names the upload URL, whose query holds `upload_token`), a token answer cut in
//! half (its body holds live tokens), a failed revoke, refresh rotation. Each test logs to a file
//! in the data folder, so the tripwire (run by the harness when `H` is dropped, and explicitly
//! here) covers the log, the SQLite files, the events and the browser's result page. The last
//! test proves the tripwire does see a secret in the WAL and in a log file.

mod common;
mod media_common;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::audit::AuditQuery;

use common::publish::Publishing;
use common::tripwire::Tripwire;
use common::H;

/// Logs everything of this test's thread (the engine's tasks run on it: current-thread
/// runtime) to `<data dir>/logs/tokdeck.log`, like the app's file log.
fn log_to_file(dir: &Path) -> tracing::subscriber::DefaultGuard {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    let file = std::fs::File::create(logs.join("tokdeck.log")).unwrap();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    tracing::subscriber::set_default(subscriber)
}

/// The tripwire over everything the harness sees, plus `extra` texts; panics on a hit.
fn assert_no_secret(h: &H, extra: &[(&str, &str)]) {
    let events = h.events_seen.lock().unwrap().clone();
    let mut t = Tripwire::new(&h.sim.issued_secrets());
    t.scan_data_dir(h.dir.path()).scan_texts("event", &events);
    for (what, text) in extra {
        t.scan_text(what, text);
    }
    assert!(
        t.scanned().iter().any(|s| s.ends_with("-wal")),
        "the WAL was scanned: {:?}",
        t.scanned()
    );
    t.assert_clean();
}

async fn wait_until<F, Fut>(secs: u64, what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while !cond().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn failed_chunks_leave_no_upload_url_anywhere() {
    let t = Publishing::start(media_common::h264).await;
    let _log = log_to_file(t.h.dir.path());
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "failing chunks").await;
    // Every PUT and progress probe loses its connection, for longer than the client retries.
    t.fault(json!({"endpoint": "upload", "kind": "drop", "times": 40}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    let engine = t.h.engine.clone();
    wait_until(20, "a failed upload attempt is recorded", || {
        let engine = engine.clone();
        async move {
            let hist = engine.publish_history(id).await.unwrap();
            hist.iter().any(|a| a.error.is_some())
        }
    })
    .await;
    let job = t.job(id).await;
    let hist = t.h.engine.publish_history(id).await.unwrap();
    let errors: Vec<String> = hist.iter().filter_map(|a| a.error.clone()).collect();
    assert!(
        errors.iter().any(|e| e.contains("network")),
        "the chunk failed on the network: {errors:?}"
    );
    assert!(
        t.h.requests("upload").await >= 2,
        "the chunk was tried again"
    );
    let job_text = format!("{job:?}");
    let errors = errors.join("\n");
    assert_no_secret(&t.h, &[("the job", &job_text), ("the history", &errors)]);
    t.h.engine.shutdown().await;
}

#[tokio::test]
async fn a_cut_token_answer_leaves_no_token_anywhere() {
    let h = common::start().await;
    let _log = log_to_file(h.dir.path());
    // At connect: the code is exchanged (TikTok issues tokens) but the answer arrives cut.
    let open_id = h.sim_account("cut", 1).await;
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "token", "kind": "truncate"}),
    )
    .await;
    let (status, page) = h.browse(&format!("sim_open_id={open_id}")).await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("not connected"), "{page}");
    assert!(
        h.sim
            .issued_secrets()
            .iter()
            .any(|s| s.kind == "access_token"),
        "TikTok issued tokens behind the cut answer"
    );
    // At refresh: the access token expired, the refresh answer arrives cut.
    let acc = h.connect(&open_id).await;
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "token", "kind": "truncate"}),
    )
    .await;
    h.engine
        .clock()
        .advance(Duration::from_secs(24 * 3600 + 60));
    let err = h.engine.access_token(acc.id).await.unwrap_err();
    let err_text = format!("{err} / {err:?}");
    let audit = h.engine.list_audit(&AuditQuery::default()).await.unwrap();
    let audit_text = format!("{audit:?}");
    let account = format!("{:?}", h.find(&open_id).await);
    assert_no_secret(
        &h,
        &[
            ("the result page", &page),
            ("the refresh error", &err_text),
            ("the audit log", &audit_text),
            ("the account", &account),
        ],
    );
}

#[tokio::test]
async fn a_failed_revoke_leaves_no_token_anywhere() {
    let h = common::start().await;
    let _log = log_to_file(h.dir.path());
    let a = h.sim_account("rev", 1).await;
    let acc = h.connect(&a).await;
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "revoke", "kind": "truncate"}),
    )
    .await;
    h.engine.remove_account(acc.id).await.unwrap();
    let b = h.sim_account("rev2", 1).await;
    let acc = h.connect(&b).await;
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "revoke", "kind": "drop"}),
    )
    .await;
    h.engine.remove_account(acc.id).await.unwrap();
    let audit = h
        .engine
        .list_audit(&AuditQuery {
            action: Some("account.revoke".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert!(audit.iter().all(|e| e.outcome == "error"), "{audit:?}");
    assert_no_secret(&h, &[("the audit log", &format!("{audit:?}"))]);
}

#[tokio::test]
async fn refresh_rotation_leaves_no_old_or_new_token_anywhere() {
    let h = common::start().await;
    let _log = log_to_file(h.dir.path());
    h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"rotation": "always"}),
    )
    .await;
    let a = h.sim_account("rot", 1).await;
    let acc = h.connect(&a).await;
    for _ in 0..3 {
        h.engine
            .clock()
            .advance(Duration::from_secs(24 * 3600 + 60));
        h.engine.access_token(acc.id).await.unwrap();
    }
    let refreshes = h
        .sim
        .issued_secrets()
        .iter()
        .filter(|s| s.kind == "refresh_token")
        .count();
    assert_eq!(refreshes, 4, "one grant, three rotations");
    assert_no_secret(&h, &[]);
}

#[tokio::test]
async fn the_tripwire_finds_a_secret_in_the_wal_and_in_a_log_file() {
    let mut h = common::start().await;
    let a = h.sim_account("plant", 1).await;
    h.connect(&a).await;
    let (access, refresh) = h.sim_tokens(&a).await;
    // Written behind the engine's back, straight into the WAL.
    sqlx::query(
        "INSERT INTO audit_log (at, account_id, action, outcome, detail) VALUES ('x', NULL, 'planted', 'ok', ?)",
    )
    .bind(format!("token {access}"))
    .execute(h.engine.store().pool())
    .await
    .unwrap();
    let logs = h.dir.path().join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(
        logs.join("tokdeck.2026-01-01.log"),
        format!("INFO refreshed: {refresh}\n"),
    )
    .unwrap();
    let mut t = Tripwire::new(&h.sim.issued_secrets());
    t.scan_data_dir(h.dir.path())
        .scan_text("an event", &format!("{{\"message\":\"{refresh}\"}}"));
    let hits = t.hits().join("\n");
    assert!(
        t.hits()
            .iter()
            .any(|x| x.contains("-wal") && x.contains("access_token")),
        "{hits}"
    );
    assert!(
        t.hits()
            .iter()
            .any(|x| x.contains("tokdeck.2026-01-01.log") && x.contains("refresh_token")),
        "{hits}"
    );
    assert!(t.hits().iter().any(|x| x.contains("an event")), "{hits}");
    // A report shows where, and only the start of the secret.
    assert!(
        !hits.contains(&access) && !hits.contains(&refresh),
        "{hits}"
    );
    assert!(hits.contains(&access[..6]), "{hits}");
    let planted = std::panic::catch_unwind(|| t.assert_clean());
    assert!(planted.is_err(), "assert_clean fails on a hit");
    // The planted secrets stay in the WAL: the harness's own check would fail on them.
    h.tripwire.armed = false;
}
