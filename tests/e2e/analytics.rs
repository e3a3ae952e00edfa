//! Analytics end to end (#14): a post published in demo mode is found on TikTok, the
//! simulator's clock moves it through its first day (the engine's clock follows it: the e2e
//! build's hook), the sampler reads its views at 1 h, 6 h and 1 day, and the Analytics page
//! shows its curve against the account's median and the best-time heatmap with the post in
//! its cell and "not enough posts yet".

use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_for, wait_invoke, wait_text, App, Launch};

const HOUR: u64 = 3600;

/// The e2e build's hooks: the sampler starts at once and the engine's clock follows the
/// simulator's (`src-tauri/src/e2e_hooks.rs`).
pub(crate) fn analytics_launch() -> Launch {
    Launch {
        env: vec![
            ("TOKDECK_E2E_SAMPLER_DELAY_MS".into(), "0".into()),
            ("TOKDECK_E2E_FOLLOW_SIM_CLOCK".into(), "1".into()),
        ],
        ..Default::default()
    }
}

/// Moves the simulated TikTok (and with it the engine) `secs` ahead.
async fn advance(sim: &Sim, secs: u64) {
    sim.post("/__sim/clock/advance", json!({ "secs": secs }))
        .await;
}

/// Waits for the post's curve to hold a sample at `bucket` hours; answers the curve.
async fn sampled(app: &App, perf_id: i64, bucket: u64) -> Value {
    wait_invoke(
        app,
        &format!("a sample at {bucket} h"),
        "post_curve",
        json!({ "performanceId": perf_id }),
        |c| {
            c["points"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["ageBucketHours"] == bucket)
        },
    )
    .await
}

/// Waits until the element `css` holds `needle` in its text content (visible or cut off by an
/// ellipsis).
async fn has_text(app: &App, css: &str, what: &str, needle: &str) {
    wait_for(what, async || {
        let text = app
            .js(
                "return document.querySelector(arguments[0])?.textContent ?? '';",
                vec![json!(css)],
            )
            .await;
        let text = text.as_str().unwrap_or_default().to_owned();
        if text.contains(needle) {
            Ok(())
        } else {
            Err(text)
        }
    })
    .await;
}

async fn drawn(app: &App, testid: &str) -> u64 {
    wait_for(&format!("the {testid} drawn"), async || {
        let n = app
            .js(
                "const el = document.querySelector(`[data-testid=\"${arguments[0]}\"]`); \
                 return el && el.querySelector('canvas') ? Number(el.dataset.drawn) : 0;",
                vec![json!(testid)],
            )
            .await;
        match n.as_u64() {
            Some(n) if n > 0 => Ok(n),
            _ => Err(n.to_string()),
        }
    })
    .await
}

#[tokio::test]
async fn a_published_post_gets_its_curve_and_the_heatmap_as_the_simulator_ages_it() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("analytics", analytics_launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let caption = "Glaze test, second firing #pottery";
        let id = draft(app, &video, maya, caption).await;
        // Public: TikTok reports only public videos' numbers.
        app.invoke(
            "update_post",
            json!({ "postId": id, "patch": {
                "caption": null, "privacyLevel": "PUBLIC_TO_EVERYONE", "allowComment": null,
                "allowDuet": null, "allowStitch": null, "commercial": null, "isAigc": null,
                "coverTimestampMs": null, "mode": null } }),
        )
        .await
        .unwrap();
        schedule(app, id, json!({ "kind": "now" })).await;
        post_status(app, id, "published").await;

        // The sampler finds it among the account's public videos.
        let perf = wait_invoke(
            app,
            "the post live on TikTok",
            "post_performance",
            json!({ "postId": id }),
            |p| p["visibility"] == "public",
        )
        .await;
        let perf_id = perf["id"].as_i64().unwrap();
        assert_ne!(perf["matchKind"], "uncertain", "{perf}");

        // Its first day, as the sampler sees it: 1 h, 6 h, 1 day.
        advance(&sim, HOUR + 120).await;
        sampled(app, perf_id, 1).await;
        advance(&sim, 5 * HOUR).await;
        sampled(app, perf_id, 6).await;
        advance(&sim, 18 * HOUR).await;
        let curve = sampled(app, perf_id, 24).await;
        let views: Vec<i64> = curve["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["views"].as_i64().unwrap())
            .collect();
        assert!(
            views.windows(2).all(|w| w[0] <= w[1]) && views[views.len() - 1] > 0,
            "views grow as the post ages: {views:?}"
        );

        // The Analytics page: the post in Top posts; opened, its curve and the comparison.
        app.resize(1920, 1080).await;
        goto(app, "#/analytics").await;
        app.wait_testid("page-analytics").await;
        let row = format!("[data-testid=analytics-top-row][data-post-id=\"{id}\"]");
        has_text(app, &row, "the post in Top posts", caption).await;
        app.click_css(&format!("{row} [data-testid=analytics-top-open]"))
            .await;
        wait_text(
            app,
            "[data-testid=analytics-curve]",
            "the post's curve opened",
            |t| t.contains(caption),
        )
        .await;
        drawn(app, "analytics-curve-chart").await;
        wait_text(
            app,
            "[data-testid=analytics-curve-vs-median]",
            "this post against the median at a day",
            |t| t.contains("your median at 1 day"),
        )
        .await;
        wait_text(
            app,
            "[data-testid=analytics-curve-numbers]",
            "its latest views",
            |t| t.contains("views"),
        )
        .await;

        // The heatmap: the post (and the demo account's older videos that had their first day
        // sampled) in their weekday and hour cells; not enough posts yet to say more.
        let zone = app.invoke("system_time_zone", json!({})).await.unwrap();
        let map = app
            .invoke(
                "best_time_heatmap",
                json!({ "accountId": maya, "zone": zone }),
            )
            .await
            .unwrap();
        let posts = map["posts"].as_u64().unwrap();
        assert!(posts >= 1 && map["enough"] == false, "{map}");
        let heat = wait_text(
            app,
            "[data-testid=analytics-heatmap]",
            "the best-time heatmap",
            |t| t.contains("Not enough posts yet"),
        )
        .await;
        assert!(heat.contains(&format!("{posts} so far")), "{heat}");
        let shown = app
            .js(
                "return [...document.querySelectorAll('[data-testid=analytics-heat-cell]')] \
                 .reduce((n, c) => n + Number(c.dataset.posts), 0);",
                vec![],
            )
            .await;
        assert_eq!(
            shown,
            json!(posts),
            "every post with a day of views is in a cell"
        );
        // The growth chart has the account's snapshots.
        drawn(app, "analytics-growth-chart").await;
        app.shoot("analytics", "analytics-1920x1080").await;

        // The Queue's published row shows the numbers too.
        goto(app, "#/queue").await;
        wait_text(
            app,
            "[data-testid=queue-numbers]",
            "the Queue's latest numbers",
            |t| t.contains("views"),
        )
        .await;
    })
    .await;
}
