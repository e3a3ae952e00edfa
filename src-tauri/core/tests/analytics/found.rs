//! Finding a post's video when TikTok did not give its id, and what is said of posts TikTok
//! does not report (private from the start, made private later).

use super::*;
use tokdeck_core::analytics::{MatchKind, Visibility};
use tokdeck_core::events::{EngineEvent, NotificationKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_public_id_the_video_is_matched_by_time_and_caption_and_doubt_is_said() {
    let a = A::start_with(json!({"omit_public_post_id": true})).await;
    let (open_id, acc) = a.account("leo_travels").await;
    let post = a
        .publish(acc, "Night train to Vienna", "PUBLIC_TO_EVERYONE")
        .await;
    let job = a.t.job(post).await;
    assert!(
        job.public_post_ids.is_none_or(|ids| ids == "[]"),
        "TikTok gave no id"
    );
    a.pass().await;
    // Not decided while another video could still appear within half an hour of it.
    assert_eq!(a.perf(post).await.match_kind, MatchKind::Pending);
    a.advance(HOUR).await;
    let p = a.perf(post).await;
    assert_eq!(p.match_kind, MatchKind::Matched, "{p:?}");
    let sim = a.sim_videos(&open_id).await;
    let (vid, title, _) = sim.iter().find(|v| v.1 == "Night train to Vienna").unwrap();
    assert_eq!(p.video_id.as_deref(), Some(vid.as_str()), "{title}");
    assert_eq!(p.visibility, Visibility::Public);
    assert!(p.share_url.is_some());
    let curve =
        a.t.h
            .engine
            .post_curve(a.perf(post).await.id)
            .await
            .unwrap();
    assert_eq!(curve.points.len(), 1);

    // Two posts with one caption, minutes apart: each gets a video, both flagged uncertain.
    let first = a.publish(acc, "Packing light", "PUBLIC_TO_EVERYONE").await;
    let second = a.publish(acc, "Packing light", "PUBLIC_TO_EVERYONE").await;
    a.advance(HOUR).await;
    let (p1, p2) = (a.perf(first).await, a.perf(second).await);
    assert_eq!(p1.match_kind, MatchKind::Uncertain, "{p1:?}");
    assert_eq!(p2.match_kind, MatchKind::Uncertain, "{p2:?}");
    assert_ne!(p1.video_id, p2.video_id);
    assert!(p1.video_id.is_some() && p2.video_id.is_some());
    // Nothing else was taken for a post: the first match stays exact.
    assert_eq!(a.perf(post).await.match_kind, MatchKind::Matched);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_post_says_so_and_a_post_made_private_raises_a_notification_not_zeros() {
    let a = A::start().await;
    let (_, acc) = a.account("quiet.kitchen").await;
    let only_me = a.publish(acc, "Miso soup, slowly", "SELF_ONLY").await;
    let public = a
        .publish(acc, "Knife care basics", "PUBLIC_TO_EVERYONE")
        .await;
    // From here on only the test runs passes, so it can count the calls.
    let (a, _) = a.closed_for(0).await;
    a.pass().await;
    let queries_before = a.requests("video_query").await;
    a.advance(HOUR).await;
    let p = a.perf(only_me).await;
    assert_eq!(p.visibility, Visibility::Private);
    assert_eq!(
        (p.views, p.likes, p.video_id),
        (None, None, None),
        "no numbers, not zeros"
    );
    assert!(a
        .t
        .h
        .engine
        .post_curve(p.id)
        .await
        .unwrap()
        .points
        .is_empty());
    let live = a.perf(public).await;
    assert_eq!(live.visibility, Visibility::Public);
    assert!(live.views.is_some());
    assert_eq!(
        a.requests("video_query").await,
        queries_before + 1,
        "one query, public post only"
    );

    // The creator makes it "Only me" in the TikTok app.
    let mut events = a.t.h.engine.events().subscribe();
    a.t.sim()
        .call(
            Method::PATCH,
            &format!("/__sim/videos/{}", live.video_id.clone().unwrap()),
            json!({"public": false}),
        )
        .await;
    a.advance(5 * HOUR).await;
    let gone = a.perf(public).await;
    assert_eq!(gone.visibility, Visibility::Gone);
    assert!(gone.gone_at.is_some());
    assert_eq!(gone.views, live.views, "numbers stay as last seen");
    let curve = a.t.h.engine.post_curve(gone.id).await.unwrap();
    assert_eq!(
        curve.points.len(),
        1,
        "no 6-h sample of a video TikTok no longer shows"
    );
    assert!(curve
        .points
        .iter()
        .all(|c| c.views > 0 || c.age_bucket_hours == 1));
    let mut told = 0;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::Notify {
            notification: NotificationKind::General,
            title,
            body,
        } = e
        {
            assert!(body.contains("Knife care basics"), "{title}: {body}");
            told += 1;
        }
    }
    assert_eq!(told, 1);
    // Once said, not again; and no more calls for it.
    let queries = a.requests("video_query").await;
    a.advance(DAY).await;
    assert_eq!(a.requests("video_query").await, queries);
    let top = a.rows(acc).await;
    assert!(
        top.iter().all(|r| r.visibility != Visibility::Private),
        "{top:?}"
    );
}

/// Passes asked for while the worker's own pass runs (a sync, a test) are taken one at a
/// time: none fails, and a post found by time and caption ends with one row and its link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_at_once_never_trip_over_each_other() {
    let a = A::start_with(json!({"omit_public_post_id": true})).await;
    let (_, acc) = a.account("two_at_once").await;
    let mut posts = Vec::new();
    for caption in ["Sunrise run", "Market haul", "Desk tour"] {
        posts.push(a.publish(acc, caption, "PUBLIC_TO_EVERYONE").await);
    }
    // The daily walk sees the videos before they may be matched, and imports them: matching
    // later moves each post onto its imported row and deletes the post's own.
    a.pass().await;
    for _ in 0..3 {
        a.t.h.engine.clock().advance(Duration::from_secs(HOUR));
        a.t.h.sim.advance_clock(HOUR);
        let e = &a.t.h.engine;
        let (x, y, z) = tokio::join!(
            e.sample_analytics_now(),
            e.sample_analytics_now(),
            e.sample_analytics_now()
        );
        x.unwrap();
        y.unwrap();
        z.unwrap();
    }
    let rows = a.rows(acc).await;
    for post in posts {
        let p = a.perf(post).await;
        assert_eq!(p.match_kind, MatchKind::Matched, "{p:?}");
        assert!(p.share_url.is_some(), "{p:?}");
        let same: Vec<_> = rows.iter().filter(|r| r.video_id == p.video_id).collect();
        assert_eq!(same.len(), 1, "one row per video: {same:?}");
    }
}
