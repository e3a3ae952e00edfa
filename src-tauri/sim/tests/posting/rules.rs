//! Init validation, caps, unaudited apps, rate limits, inbox, ownership, the video list, and the
//! large upload throughput.

use super::*;

#[tokio::test]
async fn init_rejects_invalid_chunk_plans_and_fields() {
    let c = start().await;
    // Many inits on one token: a 1 ms window keeps the rate limit out of the way.
    c.behave(json!({"rate_window_ms": 1})).await;
    let (_, at) = c.user("plans", false).await;
    // (size, chunk, count): wrong count, chunk too small, too big, small file split,
    // big file in one chunk, final chunk too large.
    for (size, chunk, count) in [
        (10_500, 4000, 3),
        (10_500, 500, 21),
        (10_500, 5000, 2),
        (900, 450, 2),
        (5000, 5000, 1),
        (9000, 1000, 9),
    ] {
        let (s, b) = c.init_direct(&at, "SELF_ONLY", size, chunk, count).await;
        if (size, chunk, count) == (9000, 1000, 9) {
            assert_eq!(s, 200, "valid plan {b}");
            continue;
        }
        assert_eq!(s, 400, "{size}/{chunk}/{count}: {b}");
        assert_eq!(b["error"]["code"], "invalid_params");
        assert_eq!(b["error"]["message"], "The chunk size is invalid");
    }
    // Final chunk above max_final_chunk_bytes.
    c.behave(json!({"max_final_chunk_bytes": 5000})).await;
    assert_eq!(
        c.init_direct(&at, "SELF_ONLY", 12_500, 4000, 3).await.0,
        200
    );
    assert_eq!(
        c.init_direct(&at, "SELF_ONLY", 15_900, 4000, 3).await.0,
        400
    );
    c.behave(json!({"invalid_param_spelling": "invalid_param"}))
        .await;
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 10_500, 4000, 3).await;
    assert_eq!(b["error"]["code"], "invalid_param");
    c.behave(json!({"invalid_param_spelling": "invalid_params", "reject_multi_chunk": true}))
        .await;
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 9000, 1000, 9).await.0, 400);
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 3000, 3000, 1).await.0, 200);

    let init = |post_info: Value| {
        let c = &c;
        let at = at.clone();
        async move {
            c.api(Method::POST, "/v2/post/publish/video/init/", &at, Some(json!({
                "post_info": post_info,
                "source_info": {"source": "FILE_UPLOAD", "video_size": 900, "chunk_size": 900, "total_chunk_count": 1}
            }))).await
        }
    };
    let (s, b) = init(json!({"privacy_level": "FOLLOWER_OF_CREATOR"})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("privacy_level_option_mismatch"))
    );
    let (s, _) = init(json!({"title": "x"})).await;
    assert_eq!(s, 403, "missing privacy");
    let emoji_2200 = "😀".repeat(1100);
    assert_eq!(
        init(json!({"privacy_level": "SELF_ONLY", "title": emoji_2200}))
            .await
            .0,
        200
    );
    let (s, b) =
        init(json!({"privacy_level": "SELF_ONLY", "title": format!("{emoji_2200}a")})).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("invalid_params"))
    );
    let (s, _) = init(json!({"privacy_level": "SELF_ONLY", "brand_content_toggle": true})).await;
    assert_eq!(s, 400, "branded content cannot be private");
    let (s, _) = init(json!({"privacy_level": "MUTUAL_FOLLOW_FRIENDS", "brand_content_toggle": true, "brand_organic_toggle": false, "is_aigc": true, "disable_duet": true, "video_cover_timestamp_ms": 1000})).await;
    assert_eq!(s, 200);
    let (s, _) = init(json!({"privacy_level": "SELF_ONLY", "disable_comment": "yes"})).await;
    assert_eq!(s, 400);
    let (s, b) = c
        .api(
            Method::POST,
            "/v2/post/publish/video/init/",
            &at,
            Some(json!({
                "post_info": {"privacy_level": "SELF_ONLY"},
                "source_info": {"source": "PULL_FROM_URL", "video_url": "https://example.com/v.mp4"}
            })),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("url_ownership_unverified"))
    );
}

#[tokio::test]
async fn posting_caps_per_creator_and_pending_drafts() {
    let c = start().await;
    c.behave(json!({"posts_per_day_cap": 2})).await;
    let (busy, at) = c.user("busy", false).await;
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await.0, 200);
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await.0, 200);
    let (s, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("spam_risk_too_many_posts"))
    );
    let (s, b) = c.api(Method::POST, CI, &at, None).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (200, Some("spam_risk_too_many_posts"))
    );
    c.advance(86_401.0).await;
    // The old access token expired with the day; a fresh one can post again.
    let at2 = c.login(&busy, ALL).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(c.api(Method::POST, CI, &at2, None).await.0, 200);
    assert_eq!(c.init_direct(&at2, "SELF_ONLY", 900, 900, 1).await.0, 200);

    // can_post=false and banned are reflected by creator_info with HTTP 200.
    let (id, at) = c.user("blocked", false).await;
    c.ctl(
        Method::PATCH,
        &format!("/__sim/accounts/{id}"),
        json!({"banned": true}),
    )
    .await;
    let (s, b) = c.api(Method::POST, CI, &at, None).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (200, Some("spam_risk_user_banned_from_posting"))
    );
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await.0, 403);

    let (_, at) = c.user("drafts", false).await;
    for _ in 0..5 {
        assert_eq!(c.init_inbox(&at, 900).await.0, 200);
    }
    let (s, b) = c.init_inbox(&at, 900).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("spam_risk_too_many_pending_share"))
    );
}

#[tokio::test]
async fn unaudited_app_rules_both_readings() {
    let c = start().await;
    c.ctl(Method::PATCH, "/__sim/app", json!({"audited": false}))
        .await;
    c.behave(json!({"unaudited_user_cap": 2})).await;
    let (_, public) = c.user("loud", false).await;
    let (s, b) = c.init_direct(&public, "SELF_ONLY", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (
            403,
            Some("unaudited_client_can_only_post_to_private_accounts")
        )
    );

    let (_, a) = c.user("quiet.a", true).await;
    assert_eq!(c.init_direct(&a, "SELF_ONLY", 900, 900, 1).await.0, 200);
    let (s, b) = c.init_direct(&a, "FOLLOWER_OF_CREATOR", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("privacy_level_option_mismatch"))
    );
    c.behave(json!({"unaudited_non_self_only": "downgrade"}))
        .await;
    let (s, b) = c.init_direct(&a, "FOLLOWER_OF_CREATOR", 900, 900, 1).await;
    assert_eq!(s, 200, "{b}");
    let posts = c.posts().await;
    let last = posts
        .iter()
        .find(|p| p["publish_id"] == b["data"]["publish_id"])
        .unwrap();
    assert_eq!(last["post_info"]["privacy_level"], "SELF_ONLY");

    let (_, bb) = c.user("quiet.b", true).await;
    assert_eq!(c.init_direct(&bb, "SELF_ONLY", 900, 900, 1).await.0, 200);
    let (_, cc) = c.user("quiet.c", true).await;
    let (s, b) = c.init_direct(&cc, "SELF_ONLY", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (403, Some("reached_active_user_cap"))
    );
    let (s, b) = c.api(Method::POST, CI, &cc, None).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (200, Some("reached_active_user_cap"))
    );
    // Users already counted keep posting.
    assert_eq!(c.init_direct(&a, "SELF_ONLY", 900, 900, 1).await.0, 200);
}

#[tokio::test]
async fn rate_limits_use_a_sliding_window_per_token() {
    let c = start().await;
    c.behave(json!({"rate_window_ms": 400})).await;
    let (_, at) = c.user("spammy", false).await;
    let (_, other) = c.user("calm", false).await;
    for _ in 0..6 {
        assert_eq!(c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await.0, 200);
    }
    let (s, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (429, Some("rate_limit_exceeded"))
    );
    assert_eq!(
        c.init_direct(&other, "SELF_ONLY", 900, 900, 1).await.0,
        200,
        "per token"
    );
    for _ in 0..20 {
        assert_eq!(c.api(Method::POST, CI, &at, None).await.0, 200);
    }
    assert_eq!(c.api(Method::POST, CI, &at, None).await.0, 429);
    for _ in 0..30 {
        assert_eq!(c.status(&at, "nope").await.0, 400);
    }
    assert_eq!(c.status(&at, "nope").await.0, 429);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await.0, 200);
    assert_eq!(c.api(Method::POST, CI, &at, None).await.0, 200);
}

#[tokio::test]
async fn inbox_flow_reaches_the_user_inbox_then_completes() {
    let c = start().await;
    let (_, at) = c.user("drafty", false).await;
    let data = bytes(2500, 9);
    let (s, b) = c.init_inbox(&at, 2500).await;
    assert_eq!(s, 200);
    let pid = b["data"]["publish_id"].as_str().unwrap().to_string();
    assert!(pid.starts_with("v_inbox_file~v2."));
    let url = b["data"]["upload_url"].as_str().unwrap();
    assert_eq!(c.put(url, &data, 0, 2500).await.unwrap().status(), 201);
    c.advance(1.0).await;
    let (_, st) = c.status(&at, &pid).await;
    assert_eq!(st["data"]["status"], "SEND_TO_USER_INBOX");
    let p = c
        .ctl(
            Method::POST,
            &format!("/__sim/posts/{pid}/publish"),
            json!({"privacy_level": "PUBLIC_TO_EVERYONE"}),
        )
        .await;
    assert_eq!(p["status"], "PUBLISH_COMPLETE");
    let (_, st) = c.status(&at, &pid).await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(
        st["data"]["publicaly_available_post_id"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let posts = c.posts().await;
    assert_eq!(posts[0]["mode"], "inbox");
    assert_eq!(posts[0]["sha256"], json!(sha256_hex(&data)));
}

#[tokio::test]
async fn status_and_cancel_check_ownership() {
    let c = start().await;
    let (_, a) = c.user("owner", false).await;
    let (_, b) = c.user("stranger", false).await;
    let (_, init) = c.init_direct(&a, "SELF_ONLY", 900, 900, 1).await;
    let pid = init["data"]["publish_id"].as_str().unwrap();
    let (s, e) = c.status(&b, pid).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("token_not_authorized_for_specified_publish_id"))
    );
    let (s, e) = c.status(&a, "v_pub_file~v2-1.0").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("invalid_publish_id"))
    );
    let (s, e) = c
        .api(
            Method::POST,
            "/v2/post/publish/cancel/",
            &a,
            Some(json!({"publish_id": pid})),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e["error"]["code"], "publish_not_cancellable");
    assert!(e.get("data").is_none(), "cancel answers only `error`: {e}");
}

#[tokio::test]
async fn display_video_list_and_query_on_seeded_accounts() {
    let c = start_with(small_chunks(), true).await;
    let accounts = c.ctl(Method::GET, "/__sim/accounts", Value::Null).await;
    let accounts = accounts.as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    assert_eq!(accounts.iter().filter(|a| a["private"] == true).count(), 1);
    let leo = accounts
        .iter()
        .find(|a| a["username"] == "leo_travels")
        .unwrap();
    let maya = accounts
        .iter()
        .find(|a| a["username"] == "maya.makes")
        .unwrap();
    let at = c.login(leo["open_id"].as_str().unwrap(), ALL).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let path = "/v2/video/list/?fields=id,create_time,title,cover_image_url";
    let (s, p1) = c
        .api(Method::POST, path, &at, Some(json!({"max_count": 3})))
        .await;
    assert_eq!(s, 200, "{p1}");
    let v1 = p1["data"]["videos"].as_array().unwrap();
    assert_eq!(v1.len(), 3);
    assert_eq!(p1["data"]["has_more"], true);
    let times: Vec<u64> = v1
        .iter()
        .map(|v| v["create_time"].as_u64().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] > w[1]),
        "newest first {times:?}"
    );
    assert_eq!(p1["data"]["cursor"].as_u64().unwrap(), times[2] * 1000);
    let (_, p2) = c
        .api(
            Method::POST,
            path,
            &at,
            Some(json!({"max_count": 3, "cursor": p1["data"]["cursor"]})),
        )
        .await;
    assert_eq!(p2["data"]["videos"].as_array().unwrap().len(), 1);
    assert_eq!(p2["data"]["has_more"], false);
    let (s, e) = c
        .api(Method::POST, path, &at, Some(json!({"max_count": 21})))
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("invalid_params"))
    );

    let own = v1[0]["id"].as_str().unwrap();
    assert_eq!(own.len(), 19);
    let foreign = maya["videos"][0]["id"].as_u64().unwrap().to_string();
    let (s, qv) = c
        .api(
            Method::POST,
            "/v2/video/query/?fields=id,like_count",
            &at,
            Some(json!({"filters": {"video_ids": [own, foreign]}})),
        )
        .await;
    assert_eq!(s, 200);
    let got = qv["data"]["videos"].as_array().unwrap();
    assert_eq!(got.len(), 1, "only owned videos");
    assert_eq!(got[0]["id"], json!(own));
    let many: Vec<String> = (0..21).map(|i| i.to_string()).collect();
    let (s, _) = c
        .api(
            Method::POST,
            "/v2/video/query/?fields=id",
            &at,
            Some(json!({"filters": {"video_ids": many}})),
        )
        .await;
    assert_eq!(s, 400);
}

/// Throughput check with the real chunk rules (run with `--ignored`; size via SIM_BENCH_MB).
#[tokio::test]
#[ignore]
async fn large_upload_throughput() {
    let mb: u64 = std::env::var("SIM_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    let c = start_with(tokdeck_sim::Behaviour::default(), false).await;
    let (_, at) = c.user("bulk", false).await;
    let size = mb * 1_048_576;
    let chunk = 32 * 1_048_576u64;
    let count = size / chunk;
    let (s, b) = c.init_direct(&at, "SELF_ONLY", size, chunk, count).await;
    assert_eq!(s, 200, "{b}");
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    let block = bytes(chunk as usize, 5);
    let t0 = std::time::Instant::now();
    let mut off = 0;
    for i in 0..count {
        let len = if i + 1 == count { size - off } else { chunk };
        let body: Vec<u8> = if len == chunk {
            block.clone()
        } else {
            bytes(len as usize, 5)
        };
        let r = c.put(&url, &body, off, size).await.unwrap();
        assert!(r.status() == 206 || r.status() == 201);
        off += len;
    }
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "uploaded {mb} MiB in {secs:.2}s = {:.0} MiB/s",
        mb as f64 / secs
    );
    assert_eq!(c.posts().await[0]["uploaded_bytes"], size);
}
