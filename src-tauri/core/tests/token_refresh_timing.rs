//! Refresh timing with short-lived access tokens: the background refresher refreshes ahead by
//! at most half a token's lifetime, never spins, and backs off after a failure. Simulated time:
//! the engine's clock and the simulator's move forward together in steps.

mod common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::accounts::tokens::access_entry;

const STEP: Duration = Duration::from_secs(5);

/// Moves the engine and the simulator forward by `STEP`, `steps` times, giving the refresher a
/// moment after each; `each` runs after every step.
async fn run_for(h: &common::H, steps: u32, mut each: impl AsyncFnMut()) {
    for _ in 0..steps {
        h.engine.clock().advance(STEP);
        h.ctl(
            Method::POST,
            "/__sim/clock/advance",
            json!({"secs": STEP.as_secs()}),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(40)).await;
        each().await;
    }
}

/// Whether TikTok (the simulator, on its own clock) accepts `token` now.
async fn accepted(h: &common::H, token: &str) -> bool {
    let resp = h
        .ctl
        .get(format!("{}/v2/user/info/?fields=open_id", h.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    resp.status().is_success()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_90_second_token_is_refreshed_at_most_every_45_s_and_never_expires_in_use() {
    let h = common::start().await;
    h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"access_token_secs": 90}),
    )
    .await;
    let a = h.sim_account("brief", 1).await;
    h.connect(&a).await;
    h.engine.start_background();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (tokens_before, wakeups_before) = (h.requests("token").await, h.engine.refresher_wakeups());

    // Ten minutes of simulated time.
    let steps = 120;
    let sim_secs = u64::from(steps) * STEP.as_secs();
    run_for(&h, steps, async || {
        let token = h.keychain(&access_entry(&a)).await.expect("access token");
        assert!(
            accepted(&h, &token).await,
            "the stored access token expired"
        );
    })
    .await;

    let refreshes = h.requests("token").await - tokens_before;
    let wakeups = h.engine.refresher_wakeups() - wakeups_before;
    eprintln!("{refreshes} refreshes, {wakeups} refresher wake-ups over {sim_secs} s");
    assert!(
        refreshes <= sim_secs / 45 + 1,
        "{refreshes} refreshes in {sim_secs} s of a 90 s token"
    );
    assert!(
        refreshes >= sim_secs / 90,
        "only {refreshes} refreshes in {sim_secs} s"
    );
    // One wake-up per clock move, one per refresh, and a few more at most: no spinning.
    assert!(
        wakeups <= u64::from(steps) + refreshes + 5,
        "{wakeups} wake-ups for {steps} clock moves and {refreshes} refreshes"
    );
    h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_failed_refresh_the_refresher_backs_off() {
    let h = common::start().await;
    h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"access_token_secs": 90}),
    )
    .await;
    let a = h.sim_account("flaky", 1).await;
    h.connect(&a).await;
    // Every refresh fails for the next five minutes.
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "token", "kind": "status", "status": 503, "times": 1000}),
    )
    .await;
    h.engine.start_background();
    let before = h.requests("token").await;
    let steps = 60;
    let sim_secs = u64::from(steps) * STEP.as_secs();
    run_for(&h, steps, async || {}).await;
    let attempts = h.requests("token").await - before;
    eprintln!("{attempts} refresh attempts over {sim_secs} s of failures");
    assert!(attempts >= 1, "the refresher never tried");
    assert!(
        attempts <= sim_secs / 60 + 1,
        "{attempts} refresh attempts in {sim_secs} s"
    );
    h.engine.shutdown().await;
}
