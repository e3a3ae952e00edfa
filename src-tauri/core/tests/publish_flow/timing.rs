//! Publish now, a resume noticed through the kernel, parallel accounts and a clock jump.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_now_goes_out_once_with_the_right_bytes_and_post_info() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("alice").await;
    let id = t.draft(a, "hello #tokdeck").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::Published, 15).await;

    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let p = &posts[0];
    assert_eq!(p["open_id"], open_id.as_str());
    assert_eq!(p["status"], "PUBLISH_COMPLETE");
    assert_eq!(p["sha256"], sha256_file(&t.video).as_str());
    assert_eq!(p["post_info"]["title"], "hello #tokdeck");
    assert_eq!(p["post_info"]["privacy_level"], "SELF_ONLY");
    assert_eq!(p["post_info"]["disable_comment"], false);
    assert_eq!(p["post_info"]["disable_duet"], true);
    assert_eq!(t.h.requests("video_init").await, 1);

    let job = t.h.engine.publish_job(id).await.unwrap().unwrap();
    assert_eq!(job.step(), PublishStep::Published);
    assert_eq!(job.publish_id.as_deref(), p["publish_id"].as_str());
    assert_eq!(
        job.confirmed_bytes as u64,
        std::fs::metadata(&t.video).unwrap().len()
    );
    // The upload URL never stays behind in the keychain or the database.
    assert!(t
        .h
        .keychain(&format!("publish:{id}:upload_url"))
        .await
        .is_none());
    let states: Vec<String> =
        t.h.engine
            .publish_history(id)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.state)
            .collect();
    for s in [
        "queued",
        "checking",
        "initializing",
        "uploading",
        "processing",
        "published",
    ] {
        assert!(states.iter().any(|x| x == s), "{s} missing from {states:?}");
    }
    let mut saw_progress = false;
    let mut saw_notify = false;
    // The notification follows the committed status: wait for it rather than read only what
    // has arrived.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !(saw_progress && saw_notify) {
        let e = match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) => e,
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => continue,
            _ => break,
        };
        match e {
            EngineEvent::PublishProgress {
                post_id,
                bytes_total,
                ..
            } if post_id == id => {
                assert!(bytes_total > 0);
                saw_progress = true;
            }
            EngineEvent::Notify {
                notification: NotificationKind::Published,
                body,
                ..
            } => {
                assert!(body.contains("hello #tokdeck"), "{body}");
                saw_notify = true;
            }
            _ => {}
        }
    }
    assert!(saw_progress && saw_notify);
    t.h.engine.shutdown().await;
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resume_is_noticed_through_the_kernel_and_overdue_posts_start_within_2_s() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let p1 = t.draft(a, "after the nap").await;
    // Due in 1–2 minutes: the scheduler goes to sleep for its 30 s ceiling of monotonic time.
    t.schedule(p1, in_minutes(&t.h.engine, 2)).await;
    t.h.engine.start_background();
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The machine sleeps for three minutes: wall time moves on, the process is told nothing and
    // its monotonic sleep has not advanced.
    t.h.engine
        .clock()
        .advance_unnoticed(Duration::from_secs(180));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        t.h.engine.post(p1).await.unwrap().status,
        PostStatus::Scheduled,
        "nothing noticed the jump yet"
    );
    // On resume the kernel steps the wall clock, which cancels the engine's timerfd.
    if !poke_wall_clock() {
        return;
    }
    let started = std::time::Instant::now();
    while t.h.engine.post(p1).await.unwrap().status == PostStatus::Scheduled {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "an overdue post was not started within 2 s of the resume"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    t.wait_status(p1, PostStatus::Published, 15).await;
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_accounts_publish_in_parallel_and_a_clock_jump_is_caught_up() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let (_, b) = t.account("bob").await;
    let p1 = t.draft(a, "from alice").await;
    let p2 = t.draft(b, "from bob").await;
    t.schedule(p1, in_minutes(&t.h.engine, 2)).await;
    t.schedule(p2, in_minutes(&t.h.engine, 2)).await;
    t.h.engine.start_background();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        t.h.engine.post(p1).await.unwrap().status,
        PostStatus::Scheduled
    );
    let mut events = t.h.engine.events().subscribe();
    // The wall clock jumps past the due time (e.g. after a suspend): caught up within 2 s.
    let started = std::time::Instant::now();
    t.h.engine.clock().advance(Duration::from_secs(180));
    let mut both_active = false;
    while started.elapsed() < Duration::from_secs(2) {
        if t.h.engine.active_publishes().len() == 2 {
            both_active = true;
        }
        let s1 = t.h.engine.post(p1).await.unwrap().status;
        let s2 = t.h.engine.post(p2).await.unwrap().status;
        if s1 != PostStatus::Scheduled && s2 != PostStatus::Scheduled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not caught up in 2 s"
    );
    t.wait_status(p1, PostStatus::Published, 15).await;
    t.wait_status(p2, PostStatus::Published, 15).await;
    // Both publishes were under way at once: each account started checking before either
    // was published.
    // The state is announced just after it is committed: the test may have seen the second
    // post published before its announcement went out.
    let mut order = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while [p1, p2]
        .iter()
        .any(|&p| !order.contains(&(p, PublishStep::Published)))
    {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(EngineEvent::PublishStateChanged { post_id, state, .. })) => {
                order.push((post_id, state))
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => panic!("events: {e}"),
            Err(_) => break,
        }
    }
    let pos = |id: i64, st: PublishStep| {
        order
            .iter()
            .position(|&(p, s)| p == id && s == st)
            .unwrap_or_else(|| panic!("{id} {st:?} not in {order:?}"))
    };
    let last_start = pos(p1, PublishStep::Checking).max(pos(p2, PublishStep::Checking));
    let first_end = pos(p1, PublishStep::Published).min(pos(p2, PublishStep::Published));
    assert!(
        last_start < first_end,
        "not in parallel: {order:?} (saw 2 active: {both_active})"
    );
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 2);
    t.h.engine.shutdown().await;
}

/// A pass reads due posts a page at a time (8) and reads on while a slot is free: nine posts of
/// one account due first (one at a time per account) must not keep another account's post,
/// due after them and beyond the first page, from the second slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_accounts_backlog_does_not_keep_another_account_from_the_free_slot() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let (_, b) = t.account("bob").await;
    let first = t.draft(a, "alice 0").await;
    t.schedule(first, in_minutes(&t.h.engine, 2)).await;
    // Eight copies due at the same time.
    let mut alice = vec![first];
    for _ in 0..8 {
        alice.push(copy_post(t.h.engine.store().pool(), first, None).await);
    }
    let bob = t.draft(b, "bob, due after all of alice's").await;
    t.schedule(bob, in_minutes(&t.h.engine, 3)).await;
    t.h.engine.start_background();
    // All ten come due at once.
    t.h.engine.clock().advance(Duration::from_secs(240));
    t.wait_status(bob, PostStatus::Published, 15).await;
    let bob_at = history_at(&t, bob, "queued").await;
    // Alice's posts go one at a time: her second starts only once her first is published.
    t.wait_status(alice[1], PostStatus::Published, 60).await;
    let alice_second = history_at(&t, alice[1], "queued").await;
    assert!(
        bob_at <= alice_second,
        "bob's post waited behind alice's backlog: started at {bob_at}, alice's second at {alice_second}"
    );
    t.h.engine.shutdown().await;
}
