//! TikTok saying "too many requests", a token expiring between samples, and the worker's idle
//! wake-ups.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_make_the_account_wait_and_no_number_is_invented() {
    let a = A::start().await;
    let (_, acc) = a.account("sam").await;
    let post = a
        .publish(acc, "Clay mug in 60 seconds", "PUBLIC_TO_EVERYONE")
        .await;
    let (a, _) = a.closed_for(0).await;
    a.pass().await;
    // Every video.query of the next minute answers 429 (more than the client's retries).
    a.t.sim()
        .fault(json!({"endpoint": "video_query", "kind": "rate_limit", "times": 4}))
        .await;
    a.advance(HOUR).await;
    let id = a.perf(post).await.id;
    assert!(a.t.h.engine.post_curve(id).await.unwrap().points.is_empty());
    // The account waits: a pass a minute later sends nothing.
    let queries = a.requests("video_query").await;
    a.advance(60).await;
    assert_eq!(a.requests("video_query").await, queries, "backs off");
    // Five minutes after the failure, still within the 1-h sample's window, it is taken.
    a.t.sim().clear_faults().await;
    a.advance(5 * 60).await;
    let curve = a.t.h.engine.post_curve(id).await.unwrap();
    assert_eq!(curve.points.len(), 1, "{curve:#?}");
    assert_eq!(curve.points[0].age_bucket_hours, 1);
    assert!(
        curve.points[0].age_hours > 1.09,
        "taken after the wait: {curve:#?}"
    );
    // The simulator's own window never refused a call: the 429s were the injected ones.
    assert_eq!(a.requests("rate_limited").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expiring_between_samples_is_refreshed_and_sampling_goes_on() {
    let a = A::start().await;
    let (open_id, acc) = a.account("ana").await;
    let post = a.publish(acc, "Glaze test #3", "PUBLIC_TO_EVERYONE").await;
    let (a, _) = a.closed_for(0).await;
    a.pass().await;
    a.advance(HOUR).await;
    // TikTok expires the access token early (the engine still thinks it fresh).
    a.t.sim()
        .call(
            Method::POST,
            "/__sim/tokens/expire",
            json!({ "open_id": open_id }),
        )
        .await;
    let refreshes = a.requests("token").await;
    a.advance(5 * HOUR).await;
    let curve =
        a.t.h
            .engine
            .post_curve(a.perf(post).await.id)
            .await
            .unwrap();
    let buckets: Vec<u32> = curve.points.iter().map(|c| c.age_bucket_hours).collect();
    assert_eq!(buckets, [1, 6]);
    assert_eq!(a.requests("token").await, refreshes + 1, "one refresh");
    let acc_dto = a.t.h.find(&open_id).await.unwrap();
    assert_eq!(acc_dto.id, acc);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_the_sampler_worker_wakes_rarely() {
    let a = A::start().await;
    let (_, acc) = a.account("idle").await;
    a.publish(acc, "One post", "PUBLIC_TO_EVERYONE").await;
    // Everything done for now: the next sample is an hour away. The publish rings the sampler
    // once, up to a second after its last pass (publishes in a row are merged): wait until the
    // wake-ups have settled for longer than that.
    let mut before = a.t.h.engine.sampler_wakeups();
    let mut settled = std::time::Instant::now();
    let give_up = std::time::Instant::now() + Duration::from_secs(30);
    while settled.elapsed() < Duration::from_millis(1500) {
        assert!(
            std::time::Instant::now() < give_up,
            "the sampler never settles"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = a.t.h.engine.sampler_wakeups();
        if now != before {
            before = now;
            settled = std::time::Instant::now();
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        a.t.h.engine.sampler_wakeups(),
        before,
        "no wake-up while idle"
    );
    // Moving the clock past the 1-h age wakes it at once.
    a.t.h.sim.advance_clock(HOUR + 60);
    a.t.h.engine.clock().advance(Duration::from_secs(HOUR + 60));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = a.rows(acc).await;
        let id = rows.iter().find(|r| r.caption == "One post").map(|r| r.id);
        if let Some(id) = id {
            if !a.t.h.engine.post_curve(id).await.unwrap().points.is_empty() {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no sample after the clock moved: {:?}",
            a.rows(acc).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_is_a_snapshot_and_cover_links_expire_after_six_hours() {
    let a = A::start().await;
    let (open_id, acc) = a.account("cora").await;
    a.t.h.engine.sync_account(acc).await.unwrap();
    let series = a.t.h.engine.account_series(acc, None, None).await.unwrap();
    assert_eq!(series.points.len(), 1, "no background here: the sync's");
    assert!(series.points[0].counts.follower_count.is_some());

    a.t.sim()
        .call(
            Method::POST,
            &format!("/__sim/accounts/{open_id}/videos"),
            json!({"title": "Cover test"}),
        )
        .await;
    let (access, _) = a.t.h.sim_tokens(&open_id).await;
    let tiktok = a.t.h.engine.tiktok().await.unwrap();
    let page = tiktok
        .client
        .list_videos(
            &tiktok_api::AccessToken::new(access),
            &[
                tiktok_api::VideoField::Id,
                tiktok_api::VideoField::CoverImageUrl,
            ],
            None,
            20,
        )
        .await
        .unwrap();
    let cover = page.videos[0].cover_image_url.clone().unwrap();
    assert_eq!(reqwest::get(&cover).await.unwrap().status(), 200);
    a.t.h.sim.advance_clock(6 * HOUR + 1);
    assert_eq!(reqwest::get(&cover).await.unwrap().status(), 403, "{cover}");
}
