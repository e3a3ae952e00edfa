//! Restarts mid-publish: processing, initializing, uploading.

use super::*;

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
