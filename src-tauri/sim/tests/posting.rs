//! Content Posting: creator_info, init validation, chunk rules, status, caps, limits.
//! Chunk rules are shrunk (min 1000, max 4000, final ≤ 8000) to keep uploads tiny.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CI: &str = "/v2/post/publish/creator_info/query/";

#[tokio::test]
async fn creator_info_options_follow_account_privacy() {
    let c = start().await;
    let (_, public) = c.user("pub.user", false).await;
    let (_, private) = c.user("priv.user", true).await;
    let (s, b) = c.api(Method::POST, CI, &public, None).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["data"]["privacy_level_options"],
        json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(b["data"]["creator_username"], "pub.user");
    assert_eq!(b["data"]["max_video_post_duration_sec"], 300);
    assert_eq!(b["data"]["duet_disabled"], false);
    assert!(b["data"]["creator_avatar_url"]
        .as_str()
        .unwrap()
        .starts_with(&c.base));
    // An empty JSON body is accepted too.
    let (s, b) = c.api(Method::POST, CI, &private, Some(json!({}))).await;
    assert_eq!(s, 200);
    assert_eq!(
        b["data"]["privacy_level_options"],
        json!(["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"])
    );
    assert_eq!(b["data"]["duet_disabled"], true);
    assert_eq!(b["data"]["stitch_disabled"], true);
}

#[tokio::test]
async fn direct_post_uploads_in_chunks_and_completes_with_sha256() {
    let c = start().await;
    let (_, at) = c.user("poster", false).await;
    let data = bytes(10_500, 7);
    let (s, b) = c
        .init_direct(&at, "PUBLIC_TO_EVERYONE", 10_500, 4000, 2)
        .await;
    assert_eq!(s, 200, "{b}");
    let pid = b["data"]["publish_id"].as_str().unwrap().to_string();
    assert!(pid.starts_with("v_pub_file~v2-1."));
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/upload/video/?upload_id=", c.base)));

    let (_, st) = c.status(&at, &pid).await;
    assert_eq!(st["data"]["status"], "PROCESSING_UPLOAD");
    assert_eq!(st["data"]["uploaded_bytes"], 0);

    let r = c.put(&url, &data[..4000], 0, 10_500).await.unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 0-3999/10500");
    assert_eq!(c.status(&at, &pid).await.1["data"]["uploaded_bytes"], 4000);
    // The final chunk absorbs the remainder (6500 > chunk_size).
    let r = c.put(&url, &data[4000..], 4000, 10_500).await.unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["content-range"], "bytes 0-10499/10500");
    let (_, st) = c.status(&at, &pid).await;
    assert_eq!(
        st["data"]["status"], "PROCESSING_UPLOAD",
        "still processing"
    );
    assert_eq!(st["data"]["uploaded_bytes"], 10_500);

    tokio::time::sleep(Duration::from_millis(250)).await;
    let (_, st) = c.status(&at, &pid).await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    let ids = st["data"]["publicaly_available_post_id"]
        .as_array()
        .unwrap();
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0].as_u64().unwrap().to_string().len(), 19);

    let posts = c.posts().await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["sha256"], json!(sha256_hex(&data)));
    assert_eq!(posts[0]["post_info"]["title"], "hello #sim");
    assert_eq!(posts[0]["mode"], "direct");
    // The public post shows up in the Display API.
    let (_, list) = c
        .api(
            Method::POST,
            "/v2/video/list/?fields=id,title",
            &at,
            Some(json!({})),
        )
        .await;
    assert_eq!(
        list["data"]["videos"][0]["id"],
        json!(ids[0].as_u64().unwrap().to_string())
    );
}

#[tokio::test]
async fn self_only_completes_without_public_ids() {
    let c = start().await;
    let (_, at) = c.user("shy", false).await;
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let url = b["data"]["upload_url"].as_str().unwrap();
    assert_eq!(
        c.put(url, &bytes(900, 1), 0, 900).await.unwrap().status(),
        201
    );
    c.advance(1.0).await;
    let (_, st) = c
        .status(&at, b["data"]["publish_id"].as_str().unwrap())
        .await;
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE");
    assert_eq!(st["data"]["publicaly_available_post_id"], json!([]));
}

#[tokio::test]
async fn chunk_puts_enforce_order_ranges_and_sizes() {
    let c = start().await;
    let (_, at) = c.user("chunky", false).await;
    let data = bytes(10_500, 3);
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 10_500, 4000, 2).await;
    let url = b["data"]["upload_url"].as_str().unwrap().to_string();

    // Out of order: the second chunk first → 416 with progress (nothing yet).
    let r = c.put(&url, &data[4000..], 4000, 10_500).await.unwrap();
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes */10500");
    // Content-Range that disagrees with Content-Length → 400.
    let r = c
        .http
        .put(&url)
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 0-4999/10500")
        .body(data[..4000].to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Wrong total, malformed header, missing content type → 400.
    for (range, ct) in [
        ("bytes 0-3999/10501", "video/mp4"),
        ("0-3999/10500", "video/mp4"),
        ("bytes 0-3999/10500", "application/octet-stream"),
    ] {
        let r = c
            .http
            .put(&url)
            .header("content-type", ct)
            .header("content-range", range)
            .body(data[..4000].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{range} {ct}");
    }
    // A chunk smaller than chunk_size that is not the final one → 400.
    let r = c.put(&url, &data[..3000], 0, 10_500).await.unwrap();
    assert_eq!(r.status(), 400);

    assert_eq!(
        c.put(&url, &data[..4000], 0, 10_500)
            .await
            .unwrap()
            .status(),
        206
    );
    // Overlap: re-sending the accepted range → 416 with progress.
    let r = c.put(&url, &data[..4000], 0, 10_500).await.unwrap();
    assert_eq!(r.status(), 416);
    assert_eq!(r.headers()["content-range"], "bytes 0-3999/10500");
    // A chunk-sized piece off the plan's boundaries: 400 by default (see the knob test).
    let r = c.put(&url, &data[2000..6000], 2000, 10_500).await.unwrap();
    assert_eq!(r.status(), 400);
    // A one-byte piece just past TikTok's progress is no chunk at all: 400, never a 416 that
    // would tell the progress.
    let r = c.put(&url, &data[4001..4002], 4001, 10_500).await.unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers().get("content-range").is_none());
    // Not even at the expected offset: a chunk must be whole.
    let r = c.put(&url, &data[4000..4001], 4000, 10_500).await.unwrap();
    assert_eq!(r.status(), 400);
    // A range past the end of the video.
    let r = c
        .http
        .put(&url)
        .header("content-type", "video/mp4")
        .header("content-range", "bytes 8000-12999/10500")
        .body(vec![0u8; 5000])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    // Final chunk must carry exactly the remainder.
    let r = c.put(&url, &data[4000..8000], 4000, 10_500).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        c.put(&url, &data[4000..], 4000, 10_500)
            .await
            .unwrap()
            .status(),
        201
    );
    // Anything after completion is out of range.
    assert_eq!(
        c.put(&url, &data[4000..], 4000, 10_500)
            .await
            .unwrap()
            .status(),
        416
    );
    assert_eq!(c.posts().await[0]["sha256"], json!(sha256_hex(&data)));

    // Unknown upload → 404; expired URL → 403.
    let r = c
        .put(
            &url.replace("upload_token=", "upload_token=x"),
            &data[..900],
            0,
            900,
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let url = b["data"]["upload_url"].as_str().unwrap();
    c.advance(3601.0).await;
    assert_eq!(
        c.put(url, &data[..900], 0, 900).await.unwrap().status(),
        403
    );
}

/// Scopes per endpoint (reference §3): creator_info and Direct Post need `video.publish`, the
/// inbox init only `video.upload` (and takes no post_info), status either.
#[tokio::test]
async fn posting_endpoints_need_their_own_scope_and_inbox_takes_no_post_info() {
    let c = start().await;
    let uploader = c.account("uploader", false).await;
    let t = c.login(&uploader, "user.info.basic,video.upload").await;
    let up = t["access_token"].as_str().unwrap().to_string();
    assert_eq!(t["scope"], "user.info.basic,video.upload");
    let (s, b) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &up,
            None,
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("scope_not_authorized"))
    );
    let (s, b) = c.init_direct(&up, "SELF_ONLY", 900, 900, 1).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("scope_not_authorized"))
    );
    let (s, b) = c.init_inbox(&up, 900).await;
    assert_eq!(s, 200, "{b}");
    let pid = b["data"]["publish_id"].as_str().unwrap().to_string();
    assert_eq!(c.status(&up, &pid).await.0, 200);
    // A post_info (or any other field) on the inbox init is refused.
    let (s, b) = c
        .api(
            Method::POST,
            "/v2/post/publish/inbox/video/init/",
            &up,
            Some(json!({
                "post_info": {"privacy_level": "SELF_ONLY"},
                "source_info": {"source": "FILE_UPLOAD", "video_size": 900, "chunk_size": 900, "total_chunk_count": 1}
            })),
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("invalid_params")),
        "{b}"
    );
    assert_eq!(c.posts().await.len(), 1);
    // Direct Post takes only the documented fields too.
    let (_, full) = c.user("fields", false).await;
    let src = json!({"source": "FILE_UPLOAD", "video_size": 900, "chunk_size": 900, "total_chunk_count": 1});
    let mut extra_src = src.clone();
    extra_src["md5"] = json!("x");
    for body in [
        json!({"post_info": {"privacy_level": "SELF_ONLY", "cover": 1}, "source_info": src}),
        json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": extra_src}),
        json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": src, "post_mode": "DIRECT_POST"}),
    ] {
        let (s, b) = c
            .api(
                Method::POST,
                "/v2/post/publish/video/init/",
                &full,
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (400, Some("invalid_params")),
            "{body}: {b}"
        );
    }
    assert_eq!(c.posts().await.len(), 1);

    let poster = c.account("poster", false).await;
    let t = c.login(&poster, "user.info.basic,video.publish").await;
    let pt = t["access_token"].as_str().unwrap().to_string();
    let (s, b) = c.init_inbox(&pt, 900).await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("scope_not_authorized"))
    );
    let (s, _) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &pt,
            None,
        )
        .await;
    assert_eq!(s, 200);
}

/// The reference does not say whether a chunk of a valid size that starts off the plan's
/// boundaries is a malformed chunk (400) or a range that does not match progress (416); both
/// readings are playable, and neither ever accepts it.
#[tokio::test]
async fn misaligned_chunk_answer_follows_the_behaviour_knob() {
    for status in [400u16, 416] {
        let c = start().await;
        c.behave(json!({"misaligned_chunk_status": status})).await;
        let (_, at) = c.user("mis", false).await;
        let data = bytes(10_500, 4);
        let (_, b) = c.init_direct(&at, "SELF_ONLY", 10_500, 4000, 2).await;
        let url = b["data"]["upload_url"].as_str().unwrap().to_string();
        assert_eq!(
            c.put(&url, &data[..4000], 0, 10_500)
                .await
                .unwrap()
                .status(),
            206
        );
        // chunk_size bytes and final-chunk bytes, both one byte past the boundary.
        for (from, to) in [(4001, 8001), (3999, 10_499)] {
            let r = c
                .put(&url, &data[from..to], from as u64, 10_500)
                .await
                .unwrap();
            assert_eq!(r.status().as_u16(), status, "{from}..{to}");
            if status == 416 {
                assert_eq!(r.headers()["content-range"], "bytes 0-3999/10500");
            }
        }
        // A piece of no valid size is 400 under both readings.
        let r = c.put(&url, &data[4001..4002], 4001, 10_500).await.unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(c.posts().await[0]["uploaded_bytes"], 4000);
        assert_eq!(
            c.put(&url, &data[4000..], 4000, 10_500)
                .await
                .unwrap()
                .status(),
            201
        );
    }
    let c = start().await;
    let r = c
        .http
        .post(format!("{}/__sim/behaviour", c.base))
        .json(&json!({"misaligned_chunk_status": 409}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn short_body_is_never_accepted() {
    let c = start().await;
    let (_, at) = c.user("shorty", false).await;
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let url = url::Url::parse(b["data"]["upload_url"].as_str().unwrap()).unwrap();
    let mut sock = tokio::net::TcpStream::connect(c.sim.addr()).await.unwrap();
    let head = format!(
        "PUT {}?{} HTTP/1.1\r\nHost: {}\r\nContent-Type: video/mp4\r\nContent-Length: 900\r\nContent-Range: bytes 0-899/900\r\n\r\n",
        url.path(),
        url.query().unwrap(),
        c.sim.addr()
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(&bytes(500, 0)).await.unwrap();
    sock.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), sock.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
    );
    let posts = c.posts().await;
    assert_eq!(posts[0]["uploaded_bytes"], 0);
    assert_eq!(posts[0]["sha256"], Value::Null);
    // The upload can still be completed properly afterwards.
    assert_eq!(
        c.put(url.as_str(), &bytes(900, 0), 0, 900)
            .await
            .unwrap()
            .status(),
        201
    );
}

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
