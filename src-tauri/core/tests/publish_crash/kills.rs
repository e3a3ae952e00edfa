//! One kill per state, then several posts over several accounts killed twice mid-way.

use super::*;

// ---------------------------------------------------------------------------------------------
// One kill per state.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_queued_for_a_retry_resumes_and_posts_once() {
    let mut r = rig(&["alice"], &[(0, "queued")]).await;
    let id = r.posts[0].id;
    // A refused init (answered 503: nothing created) puts the job back to queued, waiting
    // ~1 s for its retry. (creator_info 5xx would be retried inside the client instead.)
    r.ctl
        .fault(json!({"endpoint": "video_init", "kind": "status", "status": 503}))
        .await;
    let e = r.spawn(true);
    r.kill_when(e, "queued for a retry", |jobs, _| {
        jobs.get(&id)
            .is_some_and(|j| j.step() == PublishStep::Queued && j.attempts >= 1)
    })
    .await;
    r.run_to_end().await;
    // The refused init created nothing: the second one is the post.
    r.assert_each_published_once(2).await;
    let hist = r.history(id).await;
    let retried = hist.windows(2).any(|w| w == ["initializing", "queued"]);
    assert!(retried, "{hist:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_checking_resumes_and_posts_once() {
    let mut r = rig(&["alice"], &[(0, "checking")]).await;
    let id = r.posts[0].id;
    let before = r.ctl.requests("creator_info").await;
    r.hold("creator_info").await;
    let e = r.spawn(true);
    r.kill_when(e, "checking with creator_info under way", |jobs, req| {
        in_state(jobs, id, PublishStep::Checking) && count(req, "creator_info") > before
    })
    .await;
    assert_eq!(r.ctl.requests("video_init").await, 0);
    r.ctl.clear_faults().await;
    r.run_to_end().await;
    r.assert_each_published_once(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_initializing_needs_attention_and_never_inits_twice() {
    let mut r = rig(&["alice"], &[(0, "initializing")]).await;
    let id = r.posts[0].id;
    r.hold("video_init").await;
    let e = r.spawn(true);
    r.kill_when(e, "initializing with the init sent", |jobs, req| {
        in_state(jobs, id, PublishStep::Initializing) && count(req, "video_init") == 1
    })
    .await;
    r.ctl.clear_faults().await;
    r.run_to_end().await;

    // The init reached TikTok but its answer died with the engine: only the creator can tell.
    let job = r.jobs().await.remove(&id).unwrap();
    assert_eq!(job.step(), PublishStep::NeedsAttention, "{job:#?}");
    assert!(job.outcome_unknown, "{job:#?}");
    assert_eq!(job.error_message.as_deref(), Some(UNKNOWN_OUTCOME_MESSAGE));
    assert!(job.publish_id.is_none());
    assert_eq!(r.post_status(id).await, "needs_attention");
    assert_eq!(r.ctl.requests("video_init").await, 1, "no blind re-init");
    assert_eq!(r.ctl.requests("upload").await, 0);
    assert!(r.ctl.posts().await.len() <= 1);
    let hist = r.history(id).await;
    assert_eq!(
        hist.iter().filter(|s| *s == "initializing").count(),
        1,
        "{hist:?}"
    );
    assert_eq!(hist.last().map(String::as_str), Some("needs_attention"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_uploading_resumes_with_the_same_publish_and_posts_once() {
    let mut r = rig(&["alice"], &[(0, "uploading")]).await;
    let id = r.posts[0].id;
    r.hold("upload").await;
    let e = r.spawn(true);
    r.kill_when(e, "uploading with a chunk under way", |jobs, req| {
        in_state(jobs, id, PublishStep::Uploading) && count(req, "upload") >= 1
    })
    .await;
    let publish_id = r.jobs().await[&id].publish_id.clone();
    assert!(publish_id.is_some());
    r.ctl.clear_faults().await;
    r.run_to_end().await;
    r.assert_each_published_once(1).await;
    assert_eq!(r.jobs().await[&id].publish_id, publish_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_tiktok_took_every_byte_but_before_processing_was_written() {
    let mut r = rig(&["alice"], &[(0, "all bytes")]).await;
    let id = r.posts[0].id;
    // TikTok stores the whole chunk but the answer is lost; the client's re-send is held.
    r.ctl
        .fault(json!({"endpoint": "upload", "kind": "drop_after"}))
        .await;
    r.hold("upload").await;
    let e = r.spawn(true);
    r.kill_when(e, "uploading, re-sending bytes TikTok has", |jobs, req| {
        in_state(jobs, id, PublishStep::Uploading) && count(req, "upload") >= 2
    })
    .await;
    let on_sim = r.ctl.posts().await;
    assert_eq!(on_sim.len(), 1);
    assert_eq!(on_sim[0]["uploaded_bytes"], on_sim[0]["video_size"]);
    assert_eq!(
        r.jobs().await[&id].confirmed_bytes,
        0,
        "the engine never heard"
    );
    let uploads = r.ctl.requests("upload").await;
    r.ctl.clear_faults().await;
    r.run_to_end().await;
    r.assert_each_published_once(1).await;
    // One PUT after the restart, answered with TikTok's own count (416, all bytes confirmed).
    assert_eq!(r.ctl.requests("upload").await, uploads + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_processing_keeps_polling_and_posts_once() {
    let mut r = rig(&["alice"], &[(0, "processing")]).await;
    let id = r.posts[0].id;
    r.hold("status").await;
    let e = r.spawn(true);
    r.kill_when(
        e,
        "processing with a status fetch under way",
        |jobs, req| in_state(jobs, id, PublishStep::Processing) && count(req, "status") >= 1,
    )
    .await;
    let uploads = r.ctl.requests("upload").await;
    r.ctl.clear_faults().await;
    r.run_to_end().await;
    r.assert_each_published_once(1).await;
    assert_eq!(r.ctl.requests("upload").await, uploads, "nothing re-sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_just_after_published_does_nothing_more() {
    let mut r = rig(&["alice"], &[(0, "published")]).await;
    let id = r.posts[0].id;
    let e = r.spawn(true);
    r.kill_when(e, "published", |jobs, _| {
        in_state(jobs, id, PublishStep::Published)
    })
    .await;
    let counts = r
        .ctl
        .call(Method::GET, "/__sim/requests", Value::Null)
        .await;
    r.run_to_end().await;
    r.assert_each_published_once(1).await;
    // The restarted engine asked TikTok nothing about the finished post.
    for endpoint in ["video_init", "upload", "status"] {
        assert_eq!(
            r.ctl.requests(endpoint).await,
            count(&counts, endpoint),
            "{endpoint}"
        );
    }
    let hist = r.history(id).await;
    assert_eq!(
        hist.iter().filter(|s| *s == "published").count(),
        1,
        "{hist:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Several posts over several accounts, killed twice mid-way.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_posts_on_two_accounts_survive_two_kills_and_post_once_each() {
    let mut r = rig(
        &["alice", "bob"],
        &[(0, "alice one"), (1, "bob one"), (0, "alice two")],
    )
    .await;
    let (a1, b1, a2) = (r.posts[0].id, r.posts[1].id, r.posts[2].id);

    // Kill 1: both accounts' first posts processing at once (one publish per account at a
    // time, so alice's second post is still waiting).
    r.hold("status").await;
    let e = r.spawn(true);
    r.kill_when(e, "both first posts processing", |jobs, req| {
        in_state(jobs, a1, PublishStep::Processing)
            && in_state(jobs, b1, PublishStep::Processing)
            && count(req, "status") >= 2
    })
    .await;
    assert_eq!(r.post_status(a2).await, "scheduled");

    // Kill 2: the first posts finish, alice's second is caught mid-upload.
    r.ctl.clear_faults().await;
    r.hold("upload").await;
    let uploads = r.ctl.requests("upload").await;
    let e = r.spawn(true);
    r.kill_when(
        e,
        "the first posts published, the second uploading",
        |jobs, req| {
            in_state(jobs, a1, PublishStep::Published)
                && in_state(jobs, b1, PublishStep::Published)
                && in_state(jobs, a2, PublishStep::Uploading)
                && count(req, "upload") > uploads
        },
    )
    .await;

    r.ctl.clear_faults().await;
    r.run_to_end().await;
    r.assert_each_published_once(3).await;
}
