//! Creator info, Direct Post uploads, chunk rules, scopes and short bodies.

use super::*;

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
