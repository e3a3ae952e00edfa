//! The publisher and the scheduler against the in-process simulator (fast mode): on-time
//! publishing, parallel accounts, TikTok faults, crash/restart resume rules, missed posts, the
//! grace period, clock jumps and pause.

mod common;
mod media_common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::posts::{PostStatus, When};
use tokdeck_core::publisher::PublishStep;
use tokdeck_core::settings::SettingsPatch;
use tokdeck_core::Engine;

use common::publish::{sha256_file, wait_status, Publishing as T};

fn in_minutes(engine: &Engine, minutes: i64) -> When {
    let t = engine.clock().now() + chrono::Duration::minutes(minutes);
    When::At {
        local: t.format("%Y-%m-%dT%H:%M").to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}

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

/// Sets the wall clock to what it reads now: a discontinuous change of a few microseconds that
/// the kernel reports to CANCEL_ON_SET timers exactly like a resume. Needs CAP_SYS_TIME (CI
/// runs as root); elsewhere the test says it was skipped.
#[cfg(target_os = "linux")]
fn poke_wall_clock() -> bool {
    use nix::time::{clock_gettime, clock_settime, ClockId};
    let now = clock_gettime(ClockId::CLOCK_REALTIME).unwrap();
    match clock_settime(ClockId::CLOCK_REALTIME, now) {
        Ok(()) => true,
        Err(nix::errno::Errno::EPERM) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: setting the clock needs CAP_SYS_TIME (CI has it)");
            false
        }
        Err(e) => panic!("cannot set the wall clock: {e}"),
    }
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
    let mut order = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::PublishStateChanged { post_id, state, .. } = e {
            order.push((post_id, state));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_init_answer_is_never_retried_blindly() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "lost").await;
    t.fault(json!({"endpoint": "video_init", "kind": "drop_after"}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    let job = t.h.engine.publish_job(id).await.unwrap().unwrap();
    assert!(job.outcome_unknown, "{job:#?}");
    assert!(job
        .error_message
        .unwrap()
        .contains("Check TikTok before retrying"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    // Retry, publish now and reschedule are refused until the creator says what TikTok shows.
    assert!(t.h.engine.retry_publish(id).await.is_err());
    assert!(t
        .h
        .engine
        .schedule_post_fresh(id, &When::Now)
        .await
        .is_err());
    assert!(t
        .h
        .engine
        .reschedule_post(id, &in_minutes(&t.h.engine, 5))
        .await
        .is_err());
    let post = t.h.engine.mark_as_posted(id).await.unwrap();
    assert_eq!(post.status, PostStatus::Published);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunk_and_status_faults_are_retried_and_publish() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "bumpy").await;
    t.fault(json!({"endpoint": "upload", "kind": "status", "status": 503}))
        .await;
    t.fault(json!({"endpoint": "status", "kind": "rate_limit", "times": 2}))
        .await;
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 500, "times": 2}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::Published, 30).await;
    assert_eq!(t.sim_posts().await.len(), 1);
    assert_eq!(t.h.requests("video_init").await, 1);
    assert!(t.h.requests("upload").await >= 2);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_upload_url_needs_attention() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "slow").await;
    t.fault(json!({"endpoint": "upload", "kind": "expire_upload_url"}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    let post = t.h.engine.post(id).await.unwrap();
    assert!(post
        .attention_reason
        .unwrap()
        .contains("upload link expired"));
    assert_eq!(t.h.requests("video_init").await, 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_access_token_is_refreshed_and_publishing_continues() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "later").await;
    let refreshes = t.h.requests("token").await;
    // TikTok's clock passes the access token's lifetime; the engine still thinks it is fresh.
    t.h.ctl(Method::POST, "/__sim/clock/advance", json!({"secs": 90000}))
        .await;
    t.h.engine.start_background();
    // …and once more while polling (TikTok answers 401 access_token_invalid).
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 401}))
        .await;
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::Published, 15).await;
    assert!(t.h.requests("token").await >= refreshes + 2);
    assert_eq!(t.sim_posts().await.len(), 1);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_removed_while_processing_needs_a_reconnect() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "revoked").await;
    t.fault(json!({"endpoint": "status", "kind": "revoke_mid_publish"}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    let job = t.h.engine.publish_job(id).await.unwrap().unwrap();
    assert!(job
        .error_message
        .unwrap()
        .to_lowercase()
        .contains("reconnect"));
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fail_reasons_internal_retries_and_a_posting_cap_needs_attention_with_log_id() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let (_, b) = t.account("bob").await;
    let p1 = t.draft(a, "internal").await;
    t.fault(json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": "internal"}))
        .await;
    t.h.engine.start_background();
    t.schedule(p1, When::Now).await;
    t.wait_status(p1, PostStatus::Published, 20).await;
    assert_eq!(
        t.h.requests("video_init").await,
        2,
        "a new publish after TikTok's FAILED internal"
    );

    let p2 = t.draft(b, "spam").await;
    t.fault(json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": "spam_risk_too_many_posts"}))
        .await;
    t.schedule(p2, When::Now).await;
    // A posting cap is not the post's fault: it waits for the creator, retryable.
    t.wait_status(p2, PostStatus::NeedsAttention, 20).await;
    let job = t.h.engine.publish_job(p2).await.unwrap().unwrap();
    assert_eq!(job.error_code.as_deref(), Some("caps_reached"));
    assert!(job.retryable && !job.outcome_unknown, "{job:?}");
    let log_id = job.log_id.clone().expect("TikTok's log id is kept");
    assert_eq!(log_id.len(), 32, "{log_id}");
    let msg = job.error_message.unwrap();
    assert!(msg.contains("daily limit"), "{msg}");
    assert!(msg.contains("Try again tomorrow"), "{msg}");
    let history = t.h.engine.publish_history(p2).await.unwrap();
    assert!(
        history
            .iter()
            .any(|a| a.log_id.as_deref() == Some(log_id.as_str()) && a.error.is_some()),
        "the refused attempt is in the history with TikTok's log id: {history:?}"
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_file_needs_attention_and_nothing_is_sent() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "gone").await;
    t.schedule(id, in_minutes(&t.h.engine, 2)).await;
    std::fs::remove_file(&t.video).unwrap();
    t.h.engine.start_background();
    t.h.engine.clock().advance(Duration::from_secs(180));
    t.wait_status(id, PostStatus::NeedsAttention, 10).await;
    assert_eq!(t.h.requests("video_init").await, 0);
    t.h.engine.shutdown().await;
}

/// Stops the engine (publishes in flight stop where they are, like a crash between two
/// steps), drops it and opens a new one on the same data folder and keychain.
async fn reopen(t: T) -> T {
    t.h.engine.shutdown().await;
    let T { h, video } = t;
    T {
        h: h.reopen(|c| c).await,
        video,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_while_processing_keeps_polling_and_publishes_once() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "crashy").await;
    t.fault(json!({"endpoint": "status", "kind": "status", "status": 500, "times": 1000}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_step(id, PublishStep::Processing, 15).await;
    let t = reopen(t).await;
    t.sim().clear_faults().await;
    t.h.engine.start_background();
    t.wait_status(id, PostStatus::Published, 15).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["sha256"], sha256_file(&t.video).as_str());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_in_initializing_needs_attention_without_a_second_init() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "unsure").await;
    t.schedule(id, When::Now).await;
    // A crash right after the intent was recorded (state written, request maybe sent).
    let pool = t.h.engine.store().pool();
    sqlx_exec(
        pool,
        &format!(
            "INSERT INTO publish_jobs (post_id, account_id, state, created_at, updated_at)
         VALUES ({id}, {a}, 'initializing', 0, 0)"
        ),
    )
    .await;
    sqlx_exec(
        pool,
        &format!("UPDATE posts SET status = 'publishing' WHERE id = {id}"),
    )
    .await;
    let t = reopen(t).await;
    let engine = t.h.engine.clone();
    engine.start_background();
    wait_status(&engine, id, PostStatus::NeedsAttention, 10).await;
    let job = engine.publish_job(id).await.unwrap().unwrap();
    assert!(job.outcome_unknown);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(t.h.requests("video_init").await, 0);
    // The creator checked: not on TikTok. Now retrying is safe.
    engine.dismiss_unknown_outcome(id).await.unwrap();
    engine.retry_publish(id).await.unwrap();
    wait_status(&engine, id, PostStatus::Published, 15).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    engine.shutdown().await;
}

async fn sqlx_exec(pool: &sqlx::SqlitePool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
        .unwrap();
}

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
    t.h.engine
        .update_settings(&SettingsPatch {
            publishing_paused: Some(true),
            ..Default::default()
        })
        .await
        .unwrap();
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        t.h.engine.post(id).await.unwrap().status,
        PostStatus::Scheduled
    );
    assert_eq!(t.h.requests("video_init").await, 0);
    t.h.engine
        .update_settings(&SettingsPatch {
            publishing_paused: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
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
async fn a_restart_while_uploading_resumes_with_the_same_upload_url() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "mid upload").await;
    t.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 5000}))
        .await;
    t.h.engine.start_background();
    t.schedule(id, When::Now).await;
    t.wait_step(id, PublishStep::Uploading, 15).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let t = reopen(t).await;
    t.h.engine.start_background();
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("video_init").await, 1, "no second init");
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["sha256"], sha256_file(&t.video).as_str());
    t.h.engine.shutdown().await;
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
