//! Ninety days of a post's life with the app closed twice: samples only where they still mean
//! something, gaps left as gaps, daily snapshots while open, an imported video, CSV and the
//! heatmap over what was stored.

use super::*;
use common::publish::Publishing;
use tokdeck_core::analytics::{CsvKind, MatchKind, Visibility};
use tokdeck_core::clock::Clock;

impl A {
    /// Quits the app, lets `secs` pass on both clocks, starts it again (no background: passes
    /// are run by the test). Answers the new rig and the closed stretch (engine ms).
    pub async fn closed_for(self, secs: u64) -> (A, (i64, i64)) {
        let Publishing { h, video } = self.t;
        let clock: Clock = h.engine.clock().clone();
        let from = clock.now_ms();
        h.engine.shutdown().await;
        clock.advance(Duration::from_secs(secs));
        h.sim.advance_clock(secs);
        let to = clock.now_ms();
        let h = h
            .reopen(move |c| EngineConfig {
                clock: clock.clone(),
                client_tuning: Some(quick_retries),
                sampler_delay: Duration::ZERO,
                ..c
            })
            .await;
        (
            A {
                t: Publishing { h, video },
            },
            (from, to),
        )
    }
}

fn ms(rfc: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc)
        .unwrap()
        .timestamp_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ninety_days_with_the_app_closed_twice_leave_gaps_and_invent_nothing() {
    let a = A::start().await;
    let (open_id, acc) = a.account("maya.makes").await;
    // A video the creator posted in the TikTok app three days ago.
    let three_days_ago = a.t.h.sim.now_ms() / 1000 - 3 * DAY;
    a.t.sim()
        .call(
            Method::POST,
            &format!("/__sim/accounts/{open_id}/videos"),
            json!({"title": "Old studio tour", "create_time": three_days_ago}),
        )
        .await;
    let post = a
        .publish(acc, "Sunset timelapse #1", "PUBLIC_TO_EVERYONE")
        .await;
    a.pass().await;
    let p = a.perf(post).await;
    assert_eq!(p.match_kind, MatchKind::PublicId, "{p:?}");
    let sim_ids: Vec<String> = a
        .sim_videos(&open_id)
        .await
        .into_iter()
        .map(|v| v.0)
        .collect();
    assert!(sim_ids.contains(p.video_id.as_ref().unwrap()), "{p:?}");

    // 1 h, 6 h and 24 h with the app open.
    a.advance(HOUR).await;
    a.advance(5 * HOUR).await;
    a.advance(18 * HOUR).await;
    // Closed for four days: the 72-h sample cannot be taken.
    let (a, closed1) = a.closed_for(4 * DAY).await;
    a.pass().await;
    a.advance(DAY).await;
    a.advance(DAY).await; // 7 days old
    for _ in 7..40 {
        a.advance(DAY).await;
    }
    // Closed from day 40 to day 53: 44 d is lost, 51 d is still taken (at 53 d, within its week).
    let (a, closed2) = a.closed_for(13 * DAY).await;
    a.pass().await;
    for _ in 53..91 {
        a.advance(DAY).await;
    }

    let engine = &a.t.h.engine;
    let p = a.perf(post).await;
    assert_eq!(p.visibility, Visibility::Public);
    let curve = engine.post_curve(p.id).await.unwrap();
    let buckets: Vec<u32> = curve.points.iter().map(|c| c.age_bucket_hours).collect();
    assert_eq!(
        buckets,
        [1, 6, 24, 168, 720, 888, 1224, 1392, 1560, 1728, 1896, 2064, 2160],
        "{curve:#?}"
    );
    let closed = [closed1, closed2];
    let inside = |t: i64| closed.iter().any(|(f, to)| t > *f && t < *to);
    for w in curve.points.windows(2) {
        assert!(w[1].views >= w[0].views, "views never fall: {w:?}");
    }
    for c in &curve.points {
        assert!(!inside(ms(&c.sampled_at)), "a sample while closed: {c:?}");
        assert!(c.age_hours >= c.age_bucket_hours as f64, "{c:?}");
    }
    // The 51-day sample was taken at 53 days: its real age says so.
    let late = curve
        .points
        .iter()
        .find(|c| c.age_bucket_hours == 1224)
        .unwrap();
    assert!((late.age_hours - 53.0 * 24.0).abs() < 2.0, "{late:?}");
    assert!(curve.points[2].views > 0);
    assert_eq!(p.views, Some(curve.points.last().unwrap().views));

    // Snapshots: daily while open, none while closed, two gaps, followers grew.
    let series = engine.account_series(acc, None, None).await.unwrap();
    assert!(series.points.len() >= 70, "{}", series.points.len());
    for s in &series.points {
        assert!(!inside(ms(&s.taken_at)), "a snapshot while closed: {s:?}");
    }
    assert_eq!(series.gaps.len(), 2, "{:?}", series.gaps);
    let first = series
        .points
        .first()
        .unwrap()
        .counts
        .follower_count
        .unwrap();
    let last = series.points.last().unwrap().counts.follower_count.unwrap();
    assert!(last > first + 500, "followers {first} → {last}");

    // The video posted outside Tokdeck was imported and sampled the same way.
    let rows = a.rows(acc).await;
    let old = rows
        .iter()
        .find(|r| r.caption == "Old studio tour")
        .expect("imported");
    assert_eq!((old.match_kind, old.post_id), (MatchKind::Imported, None));
    let old_curve = engine.post_curve(old.id).await.unwrap();
    assert!(!old_curve.points.is_empty());
    for c in &old_curve.points {
        assert!(c.age_hours >= c.age_bucket_hours as f64, "{c:?}");
        assert!(!inside(ms(&c.sampled_at)));
    }
    // The post's curve is compared with the account's median at each age.
    assert!(curve
        .account_median
        .iter()
        .any(|m| m.age_bucket_hours == 24));

    // Pacing kept every call under TikTok's limits; tokens were refreshed on the way.
    assert_eq!(a.requests("rate_limited").await, 0);
    assert!(a.requests("token").await >= 3, "access tokens live a day");

    // CSV: a line per snapshot and per sample, after the header.
    let csv = engine
        .export_analytics_csv(CsvKind::Snapshots, Some(acc))
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), series.points.len() + 1);
    assert!(csv.starts_with("account_id,username,taken_at,followers"));
    let csv = engine
        .export_analytics_csv(CsvKind::Samples, None)
        .await
        .unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + curve.points.len() + old_curve.points.len()
    );
    assert!(csv.contains("Sunset timelapse #1"));
    // Saved as a file (the Analytics page's Export CSV): the same text, no partial file left;
    // a folder that does not exist is a clear refusal.
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("numbers.csv");
    let lines = engine
        .save_analytics_csv(CsvKind::Samples, None, &file)
        .await
        .unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), csv);
    assert_eq!(lines as usize, csv.lines().count() - 1);
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 1);
    let err = engine
        .save_analytics_csv(CsvKind::Samples, None, &out.path().join("gone/x.csv"))
        .await
        .unwrap_err();
    assert!(err.user_message().contains("could not be saved"), "{err}");

    // The heatmap rests on the two 24-hour samples there are: not enough to say anything yet.
    let map = engine.best_time_heatmap(acc, "UTC").await.unwrap();
    assert!(!map.enough);
    assert_eq!(map.cells.iter().map(|c| c.posts).sum::<u32>(), map.posts);
}
