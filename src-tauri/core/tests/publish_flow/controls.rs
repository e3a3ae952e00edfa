//! The user's controls and the schedule: missed posts, pause, cancel, retries, the tray status,
//! a removed account.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missed_posts_beyond_the_grace_period_are_missed_within_it_published() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let (_, b) = t.account("bob").await;
    let old = t.draft(a, "too late").await;
    let recent = t.draft(b, "a bit late").await;
    t.schedule(old, in_minutes(&t.h.engine, 2)).await;
    t.schedule(recent, in_minutes(&t.h.engine, 100)).await;
    let mut events = t.h.engine.events().subscribe();
    // The app was closed for two hours: `old` is 118 min late, `recent` is not due yet… then
    // 30 more minutes make `recent` 28 min late (within the 60 min grace).
    t.h.engine
        .clock()
        .advance(Duration::from_secs(120 * 60 + 130 * 60 - 100 * 60));
    t.h.engine.start_background();
    t.wait_status(old, PostStatus::Missed, 5).await;
    t.wait_status(recent, PostStatus::Published, 15).await;
    assert_eq!(t.sim_posts().await.len(), 1);
    let mut missed_notice = false;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::Notify {
            notification: NotificationKind::Missed,
            body,
            ..
        } = e
        {
            assert!(body.contains("too late"), "{body}");
            missed_notice = true;
        }
    }
    assert!(missed_notice);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_published_while_paused() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "wait").await;
    assert!(set_paused(&t.h.engine, true).await);
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        t.h.engine.post(id).await.unwrap().status,
        PostStatus::Scheduled
    );
    assert_eq!(t.h.requests("video_init").await, 0);
    assert!(set_paused(&t.h.engine, false).await);
    t.wait_status(id, PostStatus::Published, 15).await;
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_post_can_be_cancelled_and_is_never_sent() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let busy = t.draft(a, "first").await;
    let queued = t.draft(a, "second").await;
    // Slow the first one down so the second waits for the account.
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 500, "times": 3}))
        .await;
    t.h.engine.start_background();
    t.schedule(busy, When::Now).await;
    t.schedule(queued, When::Now).await;
    let post = t.h.engine.cancel_publish(queued).await.unwrap();
    assert_eq!(post.status, PostStatus::Cancelled);
    t.wait_status(busy, PostStatus::Published, 20).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        t.h.engine.post(queued).await.unwrap().status,
        PostStatus::Cancelled
    );
    assert_eq!(t.h.requests("video_init").await, 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answered_5xx_on_init_is_retried_and_publishes_once() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "retry init").await;
    t.fault(json!({"endpoint": "video_init", "kind": "status", "status": 503}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("video_init").await, 2);
    assert_eq!(t.sim_posts().await.len(), 1);
    let hist = t.h.engine.publish_history(id).await.unwrap();
    assert!(hist.iter().any(|h| h.error.is_some()), "{hist:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_post_can_be_retried_by_hand() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "again").await;
    t.fault(json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": "spam_risk_too_many_posts"}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::NeedsAttention, 20).await;
    t.h.engine.retry_publish(id).await.unwrap();
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("video_init").await, 2);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tray_status_tells_the_next_post_and_the_publish_under_way() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let later = t.draft(a, "later").await;
    t.schedule(later, in_minutes(&t.h.engine, 90)).await;
    let s = t.h.engine.tray_status().await.unwrap();
    let next = s.next.clone().expect("a next post");
    assert!(next.account.contains("alice"), "{next:?}");
    assert!(s.uploads.is_empty());

    // Hold the chunk upload so the publish is seen under way.
    t.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 3000}))
        .await;
    let now = t.draft(a, "now").await;
    t.h.engine.start_background();
    t.schedule(now, When::Now).await;
    let started = std::time::Instant::now();
    let under_way = loop {
        let s = t.h.engine.tray_status().await.unwrap();
        if let Some(u) = s.uploads.first() {
            if u.percent.is_some() {
                break u.clone();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no upload seen"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(under_way.account.contains("alice"), "{under_way:?}");
    assert!(under_way.percent.unwrap() < 100);
    t.wait_status(now, PostStatus::Published, 20).await;
    let s = t.h.engine.tray_status().await.unwrap();
    assert!(s.uploads.is_empty(), "{s:?}");
    assert_eq!(
        s.next.unwrap().at_ms,
        next.at_ms,
        "the later post is still next"
    );
    t.h.engine.shutdown().await;
}

/// A removed account's post waits for the reconnect: "publish now" is refused naming the
/// account (the post keeps its time), and after the reconnect it goes out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_now_of_a_removed_accounts_post_is_refused_until_it_is_reconnected() {
    let t = T::start(media_common::h264).await;
    t.h.engine.start_background();
    let (open_id, account) = t.account("gone").await;
    let id = t.draft(account, "waits for its account").await;
    t.schedule(id, in_minutes(&t.h.engine, 180)).await;
    let before = t.h.engine.post(id).await.unwrap();
    t.h.engine.remove_account(account).await.unwrap();

    let err =
        t.h.engine
            .reschedule_post(id, &When::Now)
            .await
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("@gone is disconnected — reconnect it first"),
        "{err}"
    );
    let after = t.h.engine.post(id).await.unwrap();
    assert_eq!(after.scheduled_at, before.scheduled_at);
    assert_eq!(after.status, PostStatus::Scheduled);
    assert!(after.paused_reason.is_some(), "{after:?}");
    assert!(t.h.engine.retry_publish(id).await.is_err());

    t.h.connect(&open_id).await;
    let resumed = t.h.engine.post(id).await.unwrap();
    assert!(resumed.paused_reason.is_none(), "{resumed:?}");
    t.h.engine.reschedule_post(id, &When::Now).await.unwrap();
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.sim_posts_of(&open_id).await.len(), 1);
}
