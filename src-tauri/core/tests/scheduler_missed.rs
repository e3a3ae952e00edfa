//! "Missed" means Tokdeck could not act on a post: closed, asleep, its clock jumped. A due post
//! that waits for a free publish slot while Tokdeck runs is waiting, however long, and starts
//! when a slot frees.

mod common;
mod media_common;

use std::time::Duration;

use serde_json::json;
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::posts::PostStatus;
use tokdeck_core::publisher::PublishStep;
use tokio::sync::broadcast::{error::RecvError, Receiver};

use common::publish::Publishing as T;

/// Past the default 60 min grace period.
const PAST_GRACE: Duration = Duration::from_secs(61 * 60);

/// Two posts holding both publish slots (their uploads held up by the simulator for
/// `upload_delay_ms`) and a third, due now, waiting for one. Answers (busy posts, waiting post).
async fn both_slots_busy(t: &T, upload_delay_ms: u64) -> ([i64; 2], i64) {
    let (_, a) = t.account("alice").await;
    let (_, b) = t.account("bob").await;
    let (_, c) = t.account("carol").await;
    let p1 = t.draft(a, "long upload one").await;
    let p2 = t.draft(b, "long upload two").await;
    let p3 = t.draft(c, "the one that waits").await;
    t.fault(
        json!({"endpoint": "upload", "kind": "delay", "delay_ms": upload_delay_ms, "times": 2}),
    )
    .await;
    t.h.engine.start_background();
    t.publish_now(p1).await;
    t.publish_now(p2).await;
    t.wait_step(p1, PublishStep::Uploading, 10).await;
    t.wait_step(p2, PublishStep::Uploading, 10).await;
    t.publish_now(p3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(t.h.engine.active_publishes(), vec![p1, p2]);
    assert_eq!(
        t.h.engine.post(p3).await.unwrap().status,
        PostStatus::Scheduled
    );
    ([p1, p2], p3)
}

/// Missed notifications and "Posted" bodies, received until `done` holds for them or `secs`
/// pass. A notification follows its post's new status (it is sent after the audit line that
/// follows the status write), so a test that sees the status waits for the notification too.
async fn notifications(
    events: &mut Receiver<EngineEvent>,
    secs: u64,
    done: impl Fn(&[String], &[String]) -> bool,
) -> (Vec<String>, Vec<String>) {
    let (mut missed, mut posted) = (Vec::new(), Vec::new());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        // What came already, then whether that is enough.
        while let Ok(e) = events.try_recv() {
            sort(e, &mut missed, &mut posted);
        }
        if done(&missed, &posted) {
            return (missed, posted);
        }
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) => sort(e, &mut missed, &mut posted),
            Ok(Err(RecvError::Lagged(_))) => {}
            Ok(Err(RecvError::Closed)) | Err(_) => return (missed, posted),
        }
    }
}

fn sort(e: EngineEvent, missed: &mut Vec<String>, posted: &mut Vec<String>) {
    match e {
        EngineEvent::Notify {
            notification: NotificationKind::Missed,
            body,
            ..
        } => missed.push(body),
        EngineEvent::Notify {
            notification: NotificationKind::Published,
            body,
            ..
        } => posted.push(body),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_waiting_for_a_slot_past_the_grace_is_published_when_one_frees() {
    let t = T::start(media_common::h264).await;
    let mut events = t.h.engine.events().subscribe();
    let (busy, waiting) = both_slots_busy(&t, 3_000).await;
    // An hour passes with Tokdeck running and both slots taken.
    t.h.engine.clock().advance(PAST_GRACE);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        t.h.engine.post(waiting).await.unwrap().status,
        PostStatus::Scheduled,
        "a post waiting for a slot is not missed"
    );
    for id in busy {
        t.wait_status(id, PostStatus::Published, 20).await;
    }
    t.wait_status(waiting, PostStatus::Published, 20).await;
    assert_eq!(t.sim_posts().await.len(), 3);
    let (missed, posted) = notifications(&mut events, 10, |_, posted| posted.len() == 3).await;
    assert!(missed.is_empty(), "{missed:?}");
    assert!(
        posted.iter().all(|b| !b.contains("closed or asleep")),
        "{posted:?}"
    );
    assert!(
        posted
            .iter()
            .any(|b| b.contains("min late") && b.contains("waited for other posts")),
        "{posted:?}"
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_waiting_for_a_slot_is_missed_when_the_machine_sleeps_past_the_grace() {
    let t = T::start(media_common::h264).await;
    let mut events = t.h.engine.events().subscribe();
    let (busy, waiting) = both_slots_busy(&t, 1_500).await;
    // The machine sleeps for an hour while the post waits: Tokdeck could not have run it then.
    t.h.engine.clock().advance_unnoticed(PAST_GRACE);
    for id in busy {
        t.wait_status(id, PostStatus::Published, 20).await;
    }
    t.wait_status(waiting, PostStatus::Missed, 10).await;
    let (missed, _) = notifications(&mut events, 10, |missed, _| !missed.is_empty()).await;
    assert_eq!(missed.len(), 1, "{missed:?}");
    assert!(missed[0].contains("closed or asleep"), "{missed:?}");
    assert_eq!(t.sim_posts().await.len(), 2);
    t.h.engine.shutdown().await;
}

/// Shuts the engine down, lets `closed` pass (Tokdeck is not running), and opens a new engine
/// on the same data and clock.
async fn restart_after(t: T, closed: Duration) -> T {
    t.h.engine.shutdown().await;
    let clock = t.h.engine.clock().clone();
    clock.advance_unnoticed(closed);
    let T { h, video } = t;
    let h = h
        .reopen(|mut c| {
            c.clock = clock.clone();
            c
        })
        .await;
    T { h, video }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_that_waited_survives_a_short_restart_and_is_missed_after_a_long_one() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let first = t.draft(a, "busy first").await;
    let short = t.draft(a, "waited, then a short restart").await;
    let long = t.draft(a, "waited, then a long close").await;
    // Alice's first upload is held up, so the other two wait for her account.
    t.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 3_000}))
        .await;
    t.h.engine.start_background();
    t.publish_now(first).await;
    t.wait_step(first, PublishStep::Uploading, 10).await;
    t.publish_now(short).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // An hour of waiting with Tokdeck running, then a five-minute restart.
    t.h.engine.clock().advance(PAST_GRACE);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = restart_after(t, Duration::from_secs(5 * 60)).await;
    t.h.engine.start_background();
    // (`first`'s upload URL expired during the hour; the publisher's resume rules handle it.)
    t.wait_status(short, PostStatus::Published, 20).await;

    // `long` waits for alice again, and this time Tokdeck stays closed past the grace.
    let busy = t.draft(a, "busy again").await;
    t.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 3_000}))
        .await;
    t.publish_now(busy).await;
    t.wait_step(busy, PublishStep::Uploading, 10).await;
    t.publish_now(long).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = restart_after(t, PAST_GRACE).await;
    t.h.engine.start_background();
    t.wait_status(long, PostStatus::Missed, 10).await;
    t.h.engine.shutdown().await;
}
