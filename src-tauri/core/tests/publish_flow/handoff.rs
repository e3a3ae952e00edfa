//! The hand-off: a publish that ends published starts the next due post waiting for its slot
//! in the transaction of its final state — and leaves the choice to the scheduler when that
//! could differ from a pass's (here: publishing paused).

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_post_hands_its_slot_to_the_next_due_post_in_its_final_transaction() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    // One account publishes one post at a time: each of the later three waits for the slot of
    // the one before.
    let mut posts = Vec::new();
    for i in 0..4 {
        let id = t.draft(a, &format!("alice {i}")).await;
        t.schedule(id, in_minutes(&t.h.engine, 2)).await;
        posts.push(id);
    }
    t.h.engine.start_background();
    t.h.engine.clock().advance(Duration::from_secs(180));
    for &id in &posts {
        t.wait_status(id, PostStatus::Published, 30).await;
    }
    for pair in posts.windows(2) {
        let published = history_at(&t, pair[0], "published").await;
        let queued = history_at(&t, pair[1], "queued").await;
        assert_eq!(
            queued, published,
            "post {} did not start in the transaction that published post {}",
            pair[1], pair[0]
        );
    }
    let sim = t.sim_posts().await;
    assert_eq!(sim.len(), 4, "each post once: {sim:#?}");
    assert_eq!(t.h.requests("video_init").await, 4);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_that_ends_while_publishing_is_paused_hands_its_slot_to_nobody() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let first = t.draft(a, "first").await;
    let second = t.draft(a, "second").await;
    t.schedule(first, in_minutes(&t.h.engine, 2)).await;
    t.schedule(second, in_minutes(&t.h.engine, 2)).await;
    // The first one's status fetches fail a few times: it is still publishing when the pause
    // comes.
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 500, "times": 3}))
        .await;
    t.h.engine.start_background();
    t.h.engine.clock().advance(Duration::from_secs(180));
    t.wait_status(first, PostStatus::Publishing, 15).await;
    assert!(set_paused(&t.h.engine, true).await);
    // A publish under way finishes; what it would have handed its slot to waits for the resume.
    t.wait_status(first, PostStatus::Published, 30).await;
    assert_eq!(
        t.h.engine.post(second).await.unwrap().status,
        PostStatus::Scheduled
    );
    assert_eq!(t.h.requests("video_init").await, 1);
    assert!(set_paused(&t.h.engine, false).await);
    t.wait_status(second, PostStatus::Published, 15).await;
    assert!(history_at(&t, second, "queued").await > history_at(&t, first, "published").await);
    t.h.engine.shutdown().await;
}
