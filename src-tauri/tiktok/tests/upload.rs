//! Chunk uploads against the simulator; every path is checked by the sha256 of the bytes the
//! simulator received.

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{make_video, post_by_id, Harness};
use serde_json::json;
use tiktok_api::{
    AccessToken, ErrorClass, ErrorKind, PostInfo, PrivacyLevel, PublishInit, SentProgress,
    TikTokClient, UploadProgress, UploadUrl, SENT_STEP_MIN,
};

const SIZE: u64 = 12_000_000; // 2 chunks of the small-chunk client: 5,242,880 + 6,757,120
const CHUNK: u64 = 5 * 1024 * 1024;

async fn setup(h: &Harness, client: &TikTokClient, name: &str) -> (AccessToken, PublishInit) {
    let (_, t) = h.connect(client, json!({"username": name}), None).await;
    let plan = client.plan_upload(SIZE).unwrap();
    assert_eq!((plan.chunk_size(), plan.total_chunk_count()), (CHUNK, 2));
    let init = client
        .init_direct_post(
            &t.access_token,
            &PostInfo::new(PrivacyLevel::SelfOnly),
            &plan,
        )
        .await
        .unwrap();
    (t.access_token, init)
}

async fn received_sha(h: &Harness, init: &PublishInit) -> serde_json::Value {
    post_by_id(&h.posts().await, &init.publish_id.0)["sha256"].clone()
}

fn recorder() -> (
    Arc<Mutex<Vec<UploadProgress>>>,
    impl FnMut(UploadProgress) + Send,
) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    (log, move |p| l.lock().unwrap().push(p))
}

#[tokio::test]
async fn multi_chunk_upload_reports_confirmed_progress() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let (_, init) = setup(&h, &client, "a").await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "a.mp4", SIZE);
    let (log, cb) = recorder();
    let out = client.upload_file(&init, &path, cb).await.unwrap();
    assert!(out.complete);
    assert_eq!(
        (out.retries, out.resyncs, out.confirmed_bytes),
        (0, 0, SIZE)
    );
    let log = log.lock().unwrap().clone();
    let confirmed: Vec<u64> = log.iter().map(|p| p.confirmed_bytes).collect();
    assert_eq!(confirmed, vec![CHUNK, SIZE]);
    assert_eq!(log[0].chunks_confirmed, 1);
    assert_eq!(log[1].chunks_confirmed, 2);
    assert_eq!(received_sha(&h, &init).await, sha);
}

#[tokio::test]
async fn bytes_sent_are_told_inside_each_chunk_before_tiktok_confirms_it() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let (_, init) = setup(&h, &client, "s").await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "s.mp4", SIZE);
    let (log, cb) = recorder();
    let sent = Arc::new(Mutex::new(Vec::<SentProgress>::new()));
    let s = sent.clone();
    let out = client
        .resume_upload_observed(&init.upload_url, &init.plan, &path, 0, cb, move |p| {
            s.lock().unwrap().push(p)
        })
        .await
        .unwrap();
    assert!(out.complete);
    // The confirmed reports (the resume points) are exactly as without the observer.
    let confirmed: Vec<u64> = log
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.confirmed_bytes)
        .collect();
    assert_eq!(confirmed, vec![CHUNK, SIZE]);
    let sent: Vec<u64> = sent.lock().unwrap().iter().map(|p| p.sent_bytes).collect();
    let first: Vec<u64> = sent.iter().copied().filter(|&b| b < CHUNK).collect();
    let second: Vec<u64> = sent.iter().copied().filter(|&b| b > CHUNK).collect();
    assert!(!first.is_empty() && !second.is_empty(), "{sent:?}");
    assert!(sent.windows(2).all(|w| w[0] < w[1]), "{sent:?}");
    assert!(sent.iter().all(|&b| b > 0 && b < SIZE), "{sent:?}");
    // In steps: a fast upload does not flood the listener.
    assert!(
        sent.len() as u64 <= SIZE / SENT_STEP_MIN + 2,
        "{} reports",
        sent.len()
    );
    assert_eq!(received_sha(&h, &init).await, sha);
}

#[tokio::test]
async fn server_errors_and_dropped_connections_resend_the_chunk() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "b.mp4", SIZE);
    for (i, fault) in [
        json!({"endpoint": "upload", "kind": "status", "status": 500, "times": 2}),
        json!({"endpoint": "upload", "kind": "status", "status": 503}),
        json!({"endpoint": "upload", "kind": "drop"}),
    ]
    .into_iter()
    .enumerate()
    {
        let (_, init) = setup(&h, &client, &format!("b{i}")).await;
        h.fault(fault.clone()).await;
        let out = client.upload_file(&init, &path, |_| {}).await.unwrap();
        assert!(out.complete, "{fault}");
        assert!(out.retries >= 1, "{fault}: {out:?}");
        assert_eq!(received_sha(&h, &init).await, sha, "{fault}");
    }
}

#[tokio::test]
async fn lost_answer_after_commit_resyncs_with_416() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let (_, init) = setup(&h, &client, "c").await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "c.mov", SIZE);
    // The first chunk is stored but its 206 never arrives: the re-send gets 416 with TikTok's
    // progress and the client continues from there.
    h.fault(json!({"endpoint": "upload", "kind": "drop_after"}))
        .await;
    let (log, cb) = recorder();
    let out = client.upload_file(&init, &path, cb).await.unwrap();
    assert!(out.complete);
    assert_eq!(out.resyncs, 1, "{out:?}");
    assert_eq!(log.lock().unwrap().last().unwrap().confirmed_bytes, SIZE);
    assert_eq!(received_sha(&h, &init).await, sha);
    // chunk 1 (answer lost), chunk 1 again (416 with the progress), chunk 2 (201)
    assert_eq!(h.requests("upload").await, 3, "{out:?}");
    assert_eq!(out.retries, 1, "{out:?}");
}

/// Issue #11: the answer to chunk 2 of 3 is lost. The client must find TikTok's progress with
/// well-formed chunks only (a strict TikTok answers any other piece 400), under both readings
/// of a misaligned chunk, and finish the upload.
#[tokio::test]
async fn lost_answer_mid_upload_resyncs_with_whole_chunks_only() {
    const SIZE3: u64 = 17_000_000; // 3 chunks: 5,242,880 × 2 + 6,514,240
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "m.mp4", SIZE3);
    for misaligned in [400, 416] {
        let h = Harness::start().await;
        h.behaviour(json!({"misaligned_chunk_status": misaligned}))
            .await;
        let client = h.small_chunk_client();
        let (_, t) = h.connect(&client, json!({"username": "m"}), None).await;
        let plan = client.plan_upload(SIZE3).unwrap();
        assert_eq!(plan.total_chunk_count(), 3);
        let init = client
            .init_direct_post(
                &t.access_token,
                &PostInfo::new(PrivacyLevel::SelfOnly),
                &plan,
            )
            .await
            .unwrap();
        // Chunk 1 goes through (an instant delay consumes the first fault slot); chunk 2 is
        // stored but its answer is lost.
        h.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 0}))
            .await;
        h.fault(json!({"endpoint": "upload", "kind": "drop_after"}))
            .await;
        let (log, cb) = recorder();
        let out = client.upload_file(&init, &path, cb).await.unwrap();
        assert!(out.complete, "{misaligned}: {out:?}");
        assert_eq!((out.retries, out.resyncs), (1, 1), "{misaligned}: {out:?}");
        assert_eq!(received_sha(&h, &init).await, sha, "{misaligned}");
        // chunk 1, chunk 2 (answer lost), chunk 2 again (416 with progress), chunk 3 (201)
        assert_eq!(h.requests("upload").await, 4, "{misaligned}: {out:?}");
        let confirmed: Vec<u64> = log
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.confirmed_bytes)
            .collect();
        assert_eq!(confirmed, vec![CHUNK, 2 * CHUNK, SIZE3], "{misaligned}");
    }
}

/// Sends the first chunk by hand, as if the app crashed before persisting its progress.
async fn put_first_chunk(h: &Harness, init: &PublishInit, path: &Path) {
    let bytes = std::fs::read(path).unwrap()[..CHUNK as usize].to_vec();
    let resp = h
        .http
        .put(init.upload_url.secret().clone())
        .header("Content-Type", "video/mp4")
        .header("Content-Range", format!("bytes 0-{}/{SIZE}", CHUNK - 1))
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 206);
}

#[tokio::test]
async fn resume_after_crash_from_any_offset() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "d.mp4", SIZE);

    // Persisted progress is behind TikTok's: 416 → continue at TikTok's offset.
    let (_, init) = setup(&h, &client, "d1").await;
    put_first_chunk(&h, &init, &path).await;
    let out = client
        .resume_upload(&init.upload_url, &init.plan, &path, 0, |_| {})
        .await
        .unwrap();
    assert!(out.complete && out.resyncs == 1, "{out:?}");
    assert_eq!(received_sha(&h, &init).await, sha);

    // Persisted progress matches: no resync.
    let (_, init) = setup(&h, &client, "d2").await;
    put_first_chunk(&h, &init, &path).await;
    let out = client
        .resume_upload(&init.upload_url, &init.plan, &path, CHUNK, |_| {})
        .await
        .unwrap();
    assert!(out.complete && out.resyncs == 0, "{out:?}");
    assert_eq!(received_sha(&h, &init).await, sha);

    // An offset inside a chunk: only whole chunks are sent, so that chunk starts over.
    let (_, init) = setup(&h, &client, "d3").await;
    let out = client
        .resume_upload(&init.upload_url, &init.plan, &path, 1_000, |_| {})
        .await
        .unwrap();
    assert!(out.complete && out.resyncs == 0, "{out:?}");
    assert_eq!(received_sha(&h, &init).await, sha);

    // An offset TikTok does not have yet: 416 says `bytes */N`, the client starts over from 0.
    let (_, init) = setup(&h, &client, "d4").await;
    let out = client
        .resume_upload(&init.upload_url, &init.plan, &path, CHUNK, |_| {})
        .await
        .unwrap();
    assert!(out.complete && out.resyncs == 1, "{out:?}");
    assert_eq!(received_sha(&h, &init).await, sha);

    // The plan can be rebuilt from what the engine persisted.
    let plan = tiktok_api::ChunkPlan::from_parts(SIZE, CHUNK).unwrap();
    assert_eq!(plan, init.plan);
    let url = UploadUrl::parse(init.upload_url.secret().as_str()).unwrap();
    assert_eq!(url, init.upload_url);
}

#[tokio::test]
async fn expired_url_and_unknown_task_stop_with_distinct_errors() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = make_video(dir.path(), "e.mp4", SIZE);

    let (_, init) = setup(&h, &client, "e1").await;
    h.fault(json!({"endpoint": "upload", "kind": "expire_upload_url"}))
        .await;
    let e = client.upload_file(&init, &path, |_| {}).await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UploadUrlExpired), "{e}");
    assert!(e.needs_new_init());
    assert_eq!(e.http_status(), Some(403));

    // Real expiry: the URL lives one hour of simulated time.
    let (_, init) = setup(&h, &client, "e2").await;
    h.post("/__sim/clock/advance", json!({"secs": 3601})).await;
    let e = client.upload_file(&init, &path, |_| {}).await.unwrap_err();
    assert!(e.needs_new_init(), "{e}");

    let (_, init) = setup(&h, &client, "e3").await;
    let mut bogus = init.upload_url.secret().clone();
    bogus.set_query(Some("upload_id=1&upload_token=nope"));
    let bogus = UploadUrl::parse(bogus.as_str()).unwrap();
    let e = client
        .resume_upload(&bogus, &init.plan, &path, 0, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::UploadNotFound), "{e}");
    assert_eq!(e.class(), ErrorClass::Bug);
}

#[tokio::test]
async fn local_file_problems_are_caught_before_sending() {
    let h = Harness::start().await;
    let client = h.small_chunk_client();
    let (_, init) = setup(&h, &client, "f").await;
    let dir = tempfile::tempdir().unwrap();
    let (wrong_size, _) = make_video(dir.path(), "f.mp4", SIZE - 1);
    let before = h.requests("upload").await;
    let e = client
        .upload_file(&init, &wrong_size, |_| {})
        .await
        .unwrap_err();
    assert!(e.user_action().is_some(), "{e}");
    let (wrong_ext, _) = make_video(dir.path(), "f.avi", SIZE);
    let e = client
        .upload_file(&init, &wrong_ext, |_| {})
        .await
        .unwrap_err();
    assert!(e.user_action().is_some(), "{e}");
    let e = client
        .upload_file(&init, &dir.path().join("missing.mp4"), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Io(_)));
    assert_eq!(h.requests("upload").await, before);
}

#[tokio::test]
async fn binary_mb_reading_accepts_the_same_plans() {
    // With 2^20 "MB" the simulator demands chunks >= 5,242,880: the client's plans satisfy it.
    let h = Harness::start().await;
    h.behaviour(json!({"chunk_mb": "binary"})).await;
    let client = h.small_chunk_client();
    let (_, init) = setup(&h, &client, "g").await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "g.mp4", SIZE);
    client.upload_file(&init, &path, |_| {}).await.unwrap();
    assert_eq!(received_sha(&h, &init).await, sha);
    // A single-chunk file between 5,000,000 and 5,242,880 bytes is accepted as one chunk.
    let (_, t) = h.connect(&client, json!({"username": "g2"}), None).await;
    let plan = client.plan_upload(5_100_000).unwrap();
    assert_eq!(plan.total_chunk_count(), 1);
    client.init_inbox(&t.access_token, &plan).await.unwrap();
}
