//! Exactly once, never stuck: the publisher's answers to issue #10 against the in-process
//! simulator (fast mode). A post whose outcome is unknown is never published again by a relink,
//! a retry or the scheduler; answers lost after the last chunk make the outcome unknown and
//! TikTok is asked about the publish it already has; Cancel races the scheduler and either wins
//! (nothing reaches TikTok) or is refused (the post goes out once); a locked keychain makes a
//! post wait, not fail; the publish id is kept when the upload URL cannot be stored.

mod common;
mod media_common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::posts::PostStatus;
use tokdeck_core::publisher::{PublishStep, HISTORY_LINES_PER_POST, PROCESSING_DEADLINE_MS};
use tokdeck_core::secrets::Secrets;

use common::locked_keychain::{Lock, LockableStore, Refuse};
use common::publish::{fast, Publishing as T};

/// The publishing harness with a keychain the test can lock.
async fn lockable() -> (T, Lock) {
    let lock = Lock::default();
    let l = lock.clone();
    let h = common::start_keyed(
        fast(),
        move |_| Secrets::with_store("tokdeck-test", LockableStore::open(l)),
        |c| c,
    )
    .await;
    let video = media_common::h264(h.dir.path(), "clip.mp4", 1.0);
    (T { h, video }, lock)
}

/// Lifts the simulator's daily cap and shortens its rate windows (and the client's pacing) so
/// many publishes can run in a few seconds.
async fn unthrottled() -> T {
    let t = T::start_with(media_common::h264, |c| {
        let mut c = c;
        c.rate_window = Duration::from_millis(200);
        c
    })
    .await;
    t.h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"rate_window_ms": 200, "posts_per_day_cap": 10_000}),
    )
    .await;
    t
}

/// Completed publishes TikTok holds for the account.
async fn complete(t: &T, open_id: &str) -> usize {
    t.sim_posts_of(open_id)
        .await
        .iter()
        .filter(|p| p["status"] == "PUBLISH_COMPLETE")
        .count()
}

/// Waits until the post is in one of `wanted` and answers which.
async fn settle(t: &T, id: i64, wanted: &[PostStatus], secs: u64) -> PostStatus {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let s = t.h.engine.post(id).await.unwrap().status;
        if wanted.contains(&s) {
            return s;
        }
        if std::time::Instant::now() > deadline {
            let job = t.h.engine.publish_job(id).await.unwrap();
            let hist = t.h.engine.publish_history(id).await.unwrap();
            panic!("post {id} is {s:?}, wanted one of {wanted:?}; job {job:#?}; history {hist:#?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A post in needs attention with an unknown outcome: two 401s on the status fetch while
/// TikTok processes it (a refresh does not help: the account needs a reconnect). TikTok
/// publishes it meanwhile.
async fn unknown_after_processing(t: &T, open_id: &str, a: i64) -> i64 {
    let id = t.draft(a, "unknown outcome").await;
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 401, "times": 2}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::NeedsAttention, 20).await;
    let job = t.job(id).await;
    assert!(job.outcome_unknown, "{job:#?}");
    // TikTok finished the publish it received.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while complete(t, open_id).await < 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "TikTok never finished"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relinking_a_post_whose_outcome_is_unknown_never_posts_it_again() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("alice").await;
    let id = unknown_after_processing(&t, &open_id, a).await;

    // Reconnect, then relink the same file: the post must not go back to the schedule.
    t.h.connect(&open_id).await;
    t.h.engine
        .relink_post_media(id, &t.video.to_string_lossy(), false, None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(t.h.requests("video_init").await, 1, "a second init");
    assert_eq!(complete(&t, &open_id).await, 1);
    let job = t.job(id).await;
    assert!(job.outcome_unknown, "relink cleared the flag: {job:#?}");
    assert_eq!(
        t.h.engine.post(id).await.unwrap().status,
        PostStatus::NeedsAttention
    );
    assert!(t.h.engine.retry_publish(id).await.is_err());
    // The way out stays: the creator checked TikTok.
    t.h.engine.mark_as_posted(id).await.unwrap();
    assert_eq!(
        t.h.engine.post(id).await.unwrap().status,
        PostStatus::Published
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relinking_without_reconnecting_keeps_the_outcome_unknown_and_retry_refused() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("bob").await;
    let id = unknown_after_processing(&t, &open_id, a).await;

    t.h.engine
        .relink_post_media(id, &t.video.to_string_lossy(), false, None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let job = t.job(id).await;
    assert!(job.outcome_unknown, "the flag was wiped: {job:#?}");
    t.h.connect(&open_id).await;
    let retried = t.h.engine.retry_publish(id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(retried.is_err(), "retry accepted after an unknown outcome");
    assert_eq!(t.h.requests("video_init").await, 1);
    assert_eq!(complete(&t, &open_id).await, 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_lost_after_the_last_chunk_never_lead_to_a_second_init() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("carol").await;
    let id = t.draft(a, "lost after the last chunk").await;
    // The only chunk reaches TikTok; every answer after it (chunk re-sends, probes, status)
    // is lost for a while.
    t.fault(json!({"endpoint": "upload", "kind": "drop_after", "times": 500}))
        .await;
    t.fault(json!({"endpoint": "status", "kind": "drop", "times": 500}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    let end = settle(
        &t,
        id,
        &[PostStatus::Failed, PostStatus::NeedsAttention],
        120,
    )
    .await;
    let job = t.job(id).await;
    assert_eq!(end, PostStatus::NeedsAttention, "{job:#?}");
    assert!(job.outcome_unknown, "bytes may all be at TikTok: {job:#?}");
    assert!(job.publish_id.is_some(), "{job:#?}");
    // The answers come back: a retry is still refused, and nothing inits again.
    t.sim().clear_faults().await;
    let _ = t.h.engine.retry_publish(id).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(t.h.requests("video_init").await, 1, "a second init");
    assert_eq!(complete(&t, &open_id).await, 1);
    // "Check again" asks TikTok about the publish it has: published, once.
    let post = t.h.engine.check_publish(id).await.unwrap();
    assert_eq!(post.status, PostStatus::Published);
    assert_eq!(t.h.requests("video_init").await, 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_racing_the_scheduler_either_wins_cleanly_or_is_refused() {
    let t = unthrottled().await;
    let (open_id, a) = t.account("racer").await;
    t.h.engine.start_background();
    let (mut won, mut lost) = (0, 0);
    for i in 0..50 {
        let id = t.draft(a, &format!("race {i}")).await;
        let before = complete(&t, &open_id).await;
        let inits_before = t.h.requests("video_init").await;
        t.publish_now(id).await;
        let delay = fastrand::u64(0..2500);
        tokio::time::sleep(Duration::from_micros(delay)).await;
        let cancelled = t.h.engine.cancel_publish(id).await;
        let end = settle(
            &t,
            id,
            &[
                PostStatus::Cancelled,
                PostStatus::Published,
                PostStatus::Failed,
                PostStatus::NeedsAttention,
            ],
            20,
        )
        .await;
        // Let a run that lost the race (if any) go as far as it would.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            !t.h.engine.active_publishes().contains(&id),
            "post {id} still running"
        );
        match cancelled {
            Ok(_) => {
                won += 1;
                assert_eq!(end, PostStatus::Cancelled, "iteration {i}");
                assert_eq!(
                    t.h.requests("video_init").await,
                    inits_before,
                    "iteration {i}: cancelled, yet TikTok got an init"
                );
                assert_eq!(complete(&t, &open_id).await, before, "iteration {i}");
            }
            Err(e) => {
                lost += 1;
                assert_eq!(end, PostStatus::Published, "iteration {i}: refused ({e})");
                assert_eq!(complete(&t, &open_id).await, before + 1, "iteration {i}");
            }
        }
    }
    eprintln!("cancel won {won}, refused {lost}");
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_keychain_makes_the_post_wait_then_it_goes_out_by_itself() {
    let (t, lock) = lockable().await;
    let (open_id, a) = t.account("dave").await;
    let id = t.draft(a, "keychain locked").await;
    t.publish_now(id).await;
    lock.set(Refuse::Everything);
    t.h.engine.start_background();
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    let job = t.job(id).await;
    assert!(job.retryable, "{job:#?}");
    assert!(!job.outcome_unknown, "{job:#?}");
    assert!(job.next_retry_at.is_some(), "retried by itself: {job:#?}");
    let msg = job.error_message.clone().unwrap_or_default();
    assert!(msg.contains("Unlock"), "{msg}");
    assert!(t.sim_posts_of(&open_id).await.is_empty());
    // Unlocked: it goes out without the creator pressing anything.
    lock.set(Refuse::Nothing);
    t.h.engine.clock().advance(Duration::from_secs(120));
    t.wait_status(id, PostStatus::Published, 30).await;
    assert_eq!(complete(&t, &open_id).await, 1);
    assert_eq!(t.h.requests("video_init").await, 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_publish_id_is_kept_when_the_upload_url_cannot_be_stored() {
    let (t, lock) = lockable().await;
    let (open_id, a) = t.account("erin").await;
    let id = t.draft(a, "url not stored").await;
    t.h.engine.start_background();
    lock.set(Refuse::WritesOf("upload_url".into()));
    t.publish_now(id).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let job = loop {
        let job = t.h.engine.publish_job(id).await.unwrap();
        if let Some(j) = job.filter(|j| j.publish_id.is_some()) {
            break j;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "publish id never persisted: {:#?}",
            t.h.engine.publish_job(id).await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let sim = t.sim_posts_of(&open_id).await;
    assert_eq!(sim.len(), 1, "{sim:#?}");
    assert_eq!(job.publish_id.as_deref(), sim[0]["publish_id"].as_str());
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    // The keychain works again: the post goes out once, after TikTok was asked about the
    // publish it already had (no bytes: it can never become a post).
    lock.set(Refuse::Nothing);
    t.h.engine.clock().advance(Duration::from_secs(120));
    t.wait_status(id, PostStatus::Published, 30).await;
    assert_eq!(complete(&t, &open_id).await, 1);
    assert_eq!(t.job(id).await.step(), PublishStep::Published);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processing_that_never_ends_needs_attention_and_check_again_settles_it() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("frank").await;
    // TikTok keeps saying PROCESSING_UPLOAD (for about a day of its own time).
    t.h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"processing_ms": 86_400_000u64}),
    )
    .await;
    let id = t.draft(a, "processing forever").await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_step(id, PublishStep::Processing, 15).await;
    // Past the processing deadline: the post needs the creator and frees its slot.
    t.h.engine.clock().advance(Duration::from_millis(
        PROCESSING_DEADLINE_MS as u64 + 60_000,
    ));
    t.wait_status(id, PostStatus::NeedsAttention, 30).await;
    let job = t.job(id).await;
    assert!(job.outcome_unknown, "{job:#?}");
    assert_eq!(job.error_code.as_deref(), Some("processing_timeout"));
    assert!(job.error_message.clone().unwrap().contains("Check again"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!t.h.engine.active_publishes().contains(&id));
    assert!(t.h.engine.retry_publish(id).await.is_err());
    // Still processing on TikTok: Check again leaves it where it is.
    let post = t.h.engine.check_publish(id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    assert!(t.job(id).await.outcome_unknown);
    // TikTok finishes: Check again finds it published, with no new init.
    t.h.sim.advance_clock(2 * 86_400);
    let post = t.h.engine.check_publish(id).await.unwrap();
    assert_eq!(post.status, PostStatus::Published);
    assert_eq!(t.h.requests("video_init").await, 1);
    assert_eq!(complete(&t, &open_id).await, 1);
    // Nothing left to check.
    assert!(t.h.engine.check_publish(id).await.is_err());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_post_id_is_picked_up_after_moderation() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("gina").await;
    // TikTok gives the id only from the fourth status fetch after PUBLISH_COMPLETE.
    t.h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"public_id_after_polls": 3}),
    )
    .await;
    let public = t.draft_as(a, "for everyone", "PUBLIC_TO_EVERYONE").await;
    let private = t.draft(a, "only me").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    t.publish_now(public).await;
    t.wait_status(public, PostStatus::Published, 15).await;
    let job = t.job(public).await;
    assert_eq!(job.public_post_ids.as_deref(), Some("[]"));
    assert!(job.public_id_next_at.is_some(), "{job:#?}");
    let status_before = t.h.requests("status").await;
    // Each hour of the engine's time brings at most a status fetch or two.
    let mut hours = 0;
    let ids = loop {
        let job = t.job(public).await;
        assert_eq!(job.step(), PublishStep::Published);
        let ids: Vec<String> =
            serde_json::from_str(job.public_post_ids.as_deref().unwrap()).unwrap();
        if !ids.is_empty() {
            break ids;
        }
        assert!(hours < 12, "no id after {hours} h: {job:#?}");
        hours += 1;
        t.h.engine.clock().advance(Duration::from_secs(3600));
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(ids.len(), 1);
    let fetches = t.h.requests("status").await - status_before;
    assert!(
        fetches <= hours as u64 * 2 + 2,
        "{fetches} status fetches in {hours} h"
    );
    let job = t.job(public).await;
    assert!(job.public_id_next_at.is_none(), "stopped asking: {job:#?}");
    let mut told = false;
    while let Ok(e) = events.try_recv() {
        if let tokdeck_core::events::EngineEvent::PostsChanged {
            post_id: Some(p), ..
        } = e
        {
            told |= p == public;
        }
    }
    assert!(told, "the UI was told");
    // A private post has no public id to wait for.
    t.publish_now(private).await;
    t.wait_status(private, PostStatus::Published, 15).await;
    assert!(t.job(private).await.public_id_next_at.is_none());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_posts_history_keeps_its_last_lines_only() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("hank").await;
    let id = t.draft(a, "long history").await;
    let pool = t.h.engine.store().pool();
    for i in 0..250 {
        sqlx::query("INSERT INTO publish_attempts (post_id, at, state) VALUES (?, ?, 'queued')")
            .bind(id)
            .bind(i as i64)
            .execute(pool)
            .await
            .unwrap();
    }
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 15).await;
    let history = t.h.engine.publish_history(id).await.unwrap();
    assert_eq!(history.len() as i64, HISTORY_LINES_PER_POST);
    assert_eq!(history.last().unwrap().state, "published");
    t.h.engine.shutdown().await;
}

/// The Queue page's way-out table (shared with the UI's test).
const WAY_OUT: &str = include_str!("../../../ui/src/lib/wayOut.json");

/// A copy of `template` put in the row's state directly in SQLite (no scheduler runs).
async fn post_in_state(t: &T, template: i64, row: &serde_json::Value) -> i64 {
    let pool = t.h.engine.store().pool();
    let now = t.h.engine.clock().now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path,
            media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
            scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at)
         SELECT account_id, ?, mode, caption, privacy_level, media_path, media_size,
            media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
            ?, 'UTC', '2030-01-01T10:00', ?, ?, ?
         FROM posts WHERE id = ? RETURNING id",
    )
    .bind(row["status"].as_str().unwrap())
    .bind(now + 3_600_000)
    .bind((row["status"] != "draft").then_some(now))
    .bind(now)
    .bind(now)
    .bind(template)
    .fetch_one(pool)
    .await
    .unwrap();
    let job = &row["job"];
    if !job.is_null() {
        let flag = |k: &str| job[k].as_bool().unwrap_or(false);
        sqlx::query(
            "INSERT INTO publish_jobs (post_id, account_id, state, publish_id, retryable,
                outcome_unknown, error_code, error_message, next_retry_at, created_at, updated_at)
             SELECT id, account_id, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM posts WHERE id = ?",
        )
        .bind(job["state"].as_str().unwrap())
        .bind(flag("publishId").then_some("v_pub_file~v2-1.7000000000000000001"))
        .bind(flag("retryable"))
        .bind(flag("outcomeUnknown"))
        .bind(job["errorCode"].as_str())
        .bind(
            job["errorCode"]
                .as_str()
                .map(|c| format!("Set up by the test ({c}).")),
        )
        .bind(flag("nextRetry").then_some(now + 3_600_000))
        .bind(now)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    }
    id
}

/// Tries one action; true if the engine accepted it (a Conflict is a refusal; "Publish now"
/// counts only if the post is then on the schedule).
async fn accepted(t: &T, id: i64, action: &str) -> bool {
    use tokdeck_core::error::CoreError;
    let e = &t.h.engine;
    let res: Result<(), CoreError> = match action {
        "cancel" => e.cancel_publish(id).await.map(drop),
        "delete" => e.delete_post(id).await,
        "retry" => e.retry_publish(id).await.map(drop),
        "markPosted" => e.mark_as_posted(id).await.map(drop),
        "dismiss" => e.dismiss_unknown_outcome(id).await.map(drop),
        "checkAgain" => e.check_publish(id).await.map(drop),
        "restore" => e.restore_post(id).await.map(drop),
        "deleteForever" => e.delete_forever(id).await,
        "publishNow" => match e.reschedule_post(id, &tokdeck_core::posts::When::Now).await {
            Ok(o) if o.post.status == PostStatus::Scheduled => Ok(()),
            Ok(o) => Err(CoreError::Conflict(format!("stays {:?}", o.post.status))),
            Err(err) => Err(err),
        },
        other => panic!("unknown action {other}"),
    };
    !matches!(res, Err(CoreError::Conflict(_)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_offers_exactly_the_ways_out_the_engine_accepts() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("iris").await;
    let template = t.draft(a, "way out").await;
    let table: serde_json::Value = serde_json::from_str(WAY_OUT).unwrap();
    let actions: Vec<&str> = table["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut wrong = Vec::new();
    for row in table["rows"].as_array().unwrap() {
        let name = row["name"].as_str().unwrap();
        let offered: Vec<&str> = row["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            !offered.is_empty() || row["auto"].is_string(),
            "{name}: no way out"
        );
        for &action in &actions {
            let id = post_in_state(&t, template, row).await;
            let ok = accepted(&t, id, action).await;
            if ok != offered.contains(&action) {
                wrong.push(format!(
                    "{name}: {action} {}",
                    if ok {
                        "accepted but not offered"
                    } else {
                        "offered but refused"
                    }
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    t.h.engine.shutdown().await;
}
