//! TikTok's faults and answers: lost init, chunk/status faults, expired URL and token, removed
//! auth, fail reasons, a deleted file.

use super::*;

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
