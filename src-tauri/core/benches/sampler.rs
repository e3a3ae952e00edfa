//! P-sampler: the analytics sampler's capacity. 100 accounts × 1,000 public videos each, all
//! of them reaching their 6-hour sample at once, against the simulator with TikTok's limit of
//! 600 calls a minute per token: how long the import walk (user.info, video.list pages) and the
//! 100,000 samples (video.query, 20 ids per call) take, and how many calls TikTok refused (goal:
//! none). A second run gives one account 10,000 videos with the limit's window shortened to
//! 10 s, so the client's pacing is what bounds it: still no refusal.

mod common;
use common::{connect_simulated, runtime, sim_rig};

use std::time::{Duration, Instant};

use reqwest::Client;
use serde_json::{json, Value};
use tokdeck_core::Engine;
use tokdeck_sim::Behaviour;

/// The newest video's age at the walk, and the clocks' move after it.
const WALK_AGE_SECS: u64 = 7500;
const ADVANCE_SECS: u64 = 4 * 3600;

struct Run {
    name: &'static str,
    accounts: usize,
    videos_per_account: u32,
    window: Duration,
}

async fn sim_get(ctl: &Client, base: &str, path: &str) -> Value {
    ctl.get(format!("{base}{path}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn sim_post(ctl: &Client, base: &str, path: &str, body: Value) -> Value {
    let resp = ctl
        .post(format!("{base}{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

fn count(requests: &Value, key: &str) -> u64 {
    requests[key].as_u64().unwrap_or(0)
}

async fn samples(engine: &Engine, bucket: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM performance_samples WHERE age_bucket = ?")
        .bind(bucket)
        .fetch_one(engine.store().pool())
        .await
        .unwrap()
}

async fn run(r: &Run) {
    let behaviour = Behaviour {
        rate_window_ms: r.window.as_millis() as u64,
        ..Default::default()
    };
    let rig = sim_rig(behaviour, r.window).await;
    let (engine, base, ctl, browser) = (&rig.engine, rig.base.as_str(), &rig.ctl, &rig.browser);

    let now_secs = sim_get(ctl, base, "/__sim/clock").await["now_ms"]
        .as_u64()
        .unwrap()
        / 1000;
    for a in 0..r.accounts {
        connect_simulated(engine, base, ctl, browser, &format!("creator{a}")).await;
        let open_id: String = sqlx::query_scalar("SELECT open_id FROM accounts ORDER BY id DESC")
            .fetch_one(engine.store().pool())
            .await
            .unwrap();
        // One a second, the newest 2 h 05 min old: between the 1-hour and the 6-hour sample, so
        // the walk samples none of them.
        sim_post(
            ctl,
            base,
            &format!("/__sim/accounts/{open_id}/videos"),
            json!({"title": format!("clip of creator{a}"), "create_time": now_secs - WALK_AGE_SECS,
                   "count": r.videos_per_account, "every_secs": 1}),
        )
        .await;
    }
    let videos = r.accounts as i64 * r.videos_per_account as i64;
    let before = sim_get(ctl, base, "/__sim/requests").await;

    // The first pass walks every account: a snapshot, then every video imported.
    let walk = Instant::now();
    engine.sample_analytics_now().await.unwrap();
    let walk = walk.elapsed();
    let imported: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM post_performance")
        .fetch_one(engine.store().pool())
        .await
        .unwrap();
    assert_eq!(imported, videos, "every video imported");

    // 4 hours later every video is between 6 h 05 min and 8 h 51 min old: its 6-hour sample
    // (taken until 9 h) is due.
    engine.clock().advance(Duration::from_secs(ADVANCE_SECS));
    sim_post(
        ctl,
        base,
        "/__sim/clock/advance",
        json!({"secs": ADVANCE_SECS}),
    )
    .await;
    let sampling = Instant::now();
    let mut passes = 0;
    while samples(engine, 6).await < videos {
        passes += 1;
        assert!(passes < 10_000, "the samples never completed");
        engine.sample_analytics_now().await.unwrap();
    }
    let sampling = sampling.elapsed();
    let after = sim_get(ctl, base, "/__sim/requests").await;
    let delta = |k: &str| count(&after, k) - count(&before, k);
    let (list, query, info) = (
        delta("video_list"),
        delta("video_query"),
        delta("user_info"),
    );
    let refused = delta("rate_limited");
    let per_token = (list + query + info) as f64 / r.accounts as f64;
    println!(
        "P-sampler {}: {} accounts x {} videos; import walk {:.1} s ({} user.info, {} video.list calls); \
         {} samples in {:.1} s over {} passes ({} video.query calls, {:.0} videos/s); \
         {:.0} calls per token, limit 600 per {:.0} s window; rate-limit refusals {} (goal 0: {})",
        r.name,
        r.accounts,
        r.videos_per_account,
        walk.as_secs_f64(),
        info,
        list,
        videos,
        sampling.as_secs_f64(),
        passes,
        query,
        videos as f64 / sampling.as_secs_f64(),
        per_token,
        r.window.as_secs_f64(),
        refused,
        if refused == 0 { "ok" } else { "OVER GOAL" },
    );
    engine.shutdown().await;
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        for r in [
            Run {
                name: "100 accounts",
                accounts: 100,
                videos_per_account: 1000,
                window: Duration::from_secs(60),
            },
            Run {
                name: "one account, paced",
                accounts: 1,
                videos_per_account: 10_000,
                window: Duration::from_secs(10),
            },
        ] {
            run(&r).await;
        }
    });
}
