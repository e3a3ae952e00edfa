//! Fault injection per endpoint, and the control API (reset, counters, clock).

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn fault(c: &Ctx, spec: Value) -> u64 {
    c.ctl(Method::POST, "/__sim/faults", spec).await["id"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn status_fault_answers_the_status_then_recovers() {
    let c = start().await;
    let (_, at) = c.user("f1", false).await;
    fault(
        &c,
        json!({"endpoint": "user_info", "kind": "status", "status": 503, "times": 2}),
    )
    .await;
    for _ in 0..2 {
        let (s, b) = c
            .api(Method::GET, "/v2/user/info/?fields=open_id", &at, None)
            .await;
        assert_eq!(
            (s, b["error"]["code"].as_str()),
            (503, Some("internal_error"))
        );
    }
    assert_eq!(
        c.api(Method::GET, "/v2/user/info/?fields=open_id", &at, None)
            .await
            .0,
        200
    );
    // OAuth endpoints answer flat errors.
    fault(
        &c,
        json!({"endpoint": "token", "kind": "status", "status": 500}),
    )
    .await;
    let resp = c.refresh("rft.x").await;
    assert_eq!(resp.status(), 500);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"], "server_error");
    // Upload answers a bare status.
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let url = b["data"]["upload_url"].as_str().unwrap();
    fault(
        &c,
        json!({"endpoint": "upload", "kind": "status", "status": 502}),
    )
    .await;
    assert_eq!(
        c.put(url, &bytes(900, 0), 0, 900).await.unwrap().status(),
        502
    );
    assert_eq!(
        c.put(url, &bytes(900, 0), 0, 900).await.unwrap().status(),
        201
    );
}

#[tokio::test]
async fn rate_limit_and_delay_faults() {
    let c = start().await;
    let (_, at) = c.user("f2", false).await;
    fault(
        &c,
        json!({"endpoint": "creator_info", "kind": "rate_limit"}),
    )
    .await;
    let (s, b) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &at,
            None,
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (429, Some("rate_limit_exceeded"))
    );
    fault(
        &c,
        json!({"endpoint": "creator_info", "kind": "delay", "delay_ms": 300}),
    )
    .await;
    let t0 = Instant::now();
    let (s, _) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &at,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let faults = c.ctl(Method::GET, "/__sim/faults", Value::Null).await;
    assert_eq!(faults, json!([]), "consumed");
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let c = start().await;
    let (_, at) = c.user("f3", false).await;
    fault(&c, json!({"endpoint": "creator_info", "kind": "drop"})).await;
    let err = c
        .http
        .post(format!("{}/v2/post/publish/creator_info/query/", c.base))
        .bearer_auth(&at)
        .send()
        .await
        .expect_err("no response");
    assert!(err.status().is_none(), "{err:?}");
    fault(&c, json!({"endpoint": "authorize", "kind": "drop"})).await;
    assert!(c
        .http
        .get(c.authorize_url(None, ALL, &[]))
        .send()
        .await
        .is_err());
    fault(&c, json!({"endpoint": "token", "kind": "drop"})).await;
    assert!(c
        .http
        .post(format!("{}/v2/oauth/token/", c.base))
        .form(&[("a", "b")])
        .send()
        .await
        .is_err());
}

#[tokio::test]
async fn upload_drop_mid_body_keeps_progress_unchanged() {
    let c = start().await;
    let (_, at) = c.user("f4", false).await;
    let data = bytes(10_500, 4);
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 10_500, 4000, 2).await;
    let url = b["data"]["upload_url"].as_str().unwrap();
    assert_eq!(
        c.put(url, &data[..4000], 0, 10_500).await.unwrap().status(),
        206
    );
    fault(&c, json!({"endpoint": "upload", "kind": "drop"})).await;
    assert!(c.put(url, &data[4000..], 4000, 10_500).await.is_err());
    assert_eq!(c.posts().await[0]["uploaded_bytes"], 4000);
    assert_eq!(
        c.put(url, &data[4000..], 4000, 10_500)
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(c.posts().await[0]["sha256"], json!(sha256_hex(&data)));
}

#[tokio::test]
async fn drop_after_does_the_work_but_never_answers() {
    let c = start().await;
    let (_, at) = c.user("f5", false).await;
    fault(&c, json!({"endpoint": "video_init", "kind": "drop_after"})).await;
    let res = c
        .http
        .post(format!("{}/v2/post/publish/video/init/", c.base))
        .bearer_auth(&at)
        .json(&json!({"post_info": {"privacy_level": "SELF_ONLY"}, "source_info": {"source": "FILE_UPLOAD", "video_size": 900, "chunk_size": 900, "total_chunk_count": 1}}))
        .send()
        .await;
    assert!(res.is_err(), "no answer");
    assert_eq!(c.posts().await.len(), 1, "but the publish exists");
    // The token exchange too: the code is spent although the client never heard back.
    let id = c.account("f5b", false).await;
    let (code, v, _) = c.code_for(&id, ALL).await;
    fault(&c, json!({"endpoint": "token", "kind": "drop_after"})).await;
    let form = [
        ("client_key", "sim_client_key"),
        ("client_secret", "sim_client_secret"),
        ("code", code.as_str()),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code_verifier", v.as_str()),
    ];
    let res = c
        .http
        .post(format!("{}/v2/oauth/token/", c.base))
        .form(&form)
        .send()
        .await;
    assert!(res.is_err(), "no answer");
    assert_eq!(
        c.ctl(Method::GET, "/__sim/tokens", Value::Null)
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let e: Value = c.exchange(&code, &v).await.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
}

#[tokio::test]
async fn expire_upload_url_fault() {
    let c = start().await;
    let (_, at) = c.user("f6", false).await;
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let url = b["data"]["upload_url"].as_str().unwrap();
    fault(
        &c,
        json!({"endpoint": "upload", "kind": "expire_upload_url"}),
    )
    .await;
    assert_eq!(
        c.put(url, &bytes(900, 0), 0, 900).await.unwrap().status(),
        403
    );
    assert_eq!(
        c.put(url, &bytes(900, 0), 0, 900).await.unwrap().status(),
        403,
        "stays expired"
    );
}

#[tokio::test]
async fn fail_reason_fault_ends_the_publish_failed() {
    let c = start().await;
    let (_, at) = c.user("f7", false).await;
    fault(&c, json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": "frame_rate_check_failed"})).await;
    let (_, b) = c.init_direct(&at, "PUBLIC_TO_EVERYONE", 900, 900, 1).await;
    let pid = b["data"]["publish_id"].as_str().unwrap();
    assert_eq!(
        c.put(
            b["data"]["upload_url"].as_str().unwrap(),
            &bytes(900, 0),
            0,
            900
        )
        .await
        .unwrap()
        .status(),
        201
    );
    c.advance(1.0).await;
    let (_, st) = c.status(&at, pid).await;
    assert_eq!(st["data"]["status"], "FAILED");
    assert_eq!(st["data"]["fail_reason"], "frame_rate_check_failed");
    assert_eq!(st["data"]["publicaly_available_post_id"], json!([]));
}

#[tokio::test]
async fn revoke_mid_publish_fails_with_auth_removed() {
    let c = start().await;
    let (id, at) = c.user("f8", false).await;
    fault(
        &c,
        json!({"endpoint": "video_init", "kind": "revoke_mid_publish"}),
    )
    .await;
    let (_, b) = c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    let pid = b["data"]["publish_id"].as_str().unwrap().to_string();
    assert_eq!(
        c.status(&at, &pid).await.0,
        200,
        "tokens live until processing starts"
    );
    assert_eq!(
        c.put(
            b["data"]["upload_url"].as_str().unwrap(),
            &bytes(900, 0),
            0,
            900
        )
        .await
        .unwrap()
        .status(),
        201
    );
    let (s, e) = c.status(&at, &pid).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (401, Some("access_token_invalid"))
    );
    let at2 = c.login(&id, ALL).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, st) = c.status(&at2, &pid).await;
    assert_eq!(st["data"]["status"], "FAILED");
    assert_eq!(st["data"]["fail_reason"], "auth_removed");

    // The control call does the same to a publish in flight.
    let (_, b) = c.init_direct(&at2, "SELF_ONLY", 900, 900, 1).await;
    let pid = b["data"]["publish_id"].as_str().unwrap().to_string();
    c.ctl(Method::POST, "/__sim/tokens/revoke", json!({"open_id": id}))
        .await;
    let at3 = c.login(&id, ALL).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        c.status(&at3, &pid).await.1["data"]["fail_reason"],
        "auth_removed"
    );
}

#[tokio::test]
async fn bad_fault_specs_are_refused() {
    let c = start().await;
    for spec in [
        json!({"endpoint": "nowhere", "kind": "drop"}),
        json!({"endpoint": "status", "kind": "explode"}),
        json!({"endpoint": "status", "kind": "status"}),
        json!({"endpoint": "status", "kind": "delay"}),
    ] {
        let r = c
            .http
            .post(format!("{}/__sim/faults", c.base))
            .json(&spec)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{spec}");
    }
    fault(
        &c,
        json!({"endpoint": "status", "kind": "drop", "times": 3}),
    )
    .await;
    c.http
        .delete(format!("{}/__sim/faults", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        c.ctl(Method::GET, "/__sim/faults", Value::Null).await,
        json!([])
    );
}

#[tokio::test]
async fn request_counters_reset_and_clock() {
    let c = start().await;
    let (id, at) = c.user("ctl", false).await;
    c.api(
        Method::POST,
        "/v2/post/publish/creator_info/query/",
        &at,
        None,
    )
    .await;
    c.api(
        Method::POST,
        "/v2/post/publish/creator_info/query/",
        &at,
        None,
    )
    .await;
    let r = c.ctl(Method::GET, "/__sim/requests", Value::Null).await;
    assert_eq!(r["creator_info"], 2);
    assert_eq!(r["token"], 1);
    assert_eq!(r["authorize"], 1);

    let before = c.ctl(Method::GET, "/__sim/clock", Value::Null).await["now_ms"]
        .as_u64()
        .unwrap();
    let after = c
        .ctl(Method::POST, "/__sim/clock/advance", json!({"secs": 3600}))
        .await["now_ms"]
        .as_u64()
        .unwrap();
    assert!(after >= before + 3_600_000);

    c.behave(json!({"rotation": "always"})).await;
    c.ctl(Method::PATCH, "/__sim/app", json!({"audited": false}))
        .await;
    c.init_direct(&at, "SELF_ONLY", 900, 900, 1).await;
    fault(&c, json!({"endpoint": "status", "kind": "drop"})).await;
    c.ctl(Method::POST, "/__sim/reset", json!({})).await;
    assert_eq!(
        c.ctl(Method::GET, "/__sim/accounts", Value::Null).await,
        json!([])
    );
    assert_eq!(c.posts().await.len(), 0);
    assert_eq!(
        c.ctl(Method::GET, "/__sim/faults", Value::Null).await,
        json!([])
    );
    assert_eq!(
        c.ctl(Method::GET, "/__sim/app", Value::Null).await["audited"],
        true
    );
    let b = c.ctl(Method::GET, "/__sim/behaviour", Value::Null).await;
    assert_eq!(b["rotation"], "sometimes");
    assert_eq!(
        b["min_chunk_bytes"], 1000,
        "reset returns to the start behaviour"
    );
    assert_eq!(
        c.ctl(Method::GET, "/__sim/requests", Value::Null).await,
        json!({})
    );
    assert_eq!(
        c.api(Method::GET, "/v2/user/info/?fields=open_id", &at, None)
            .await
            .0,
        401
    );
    let _ = id;
}
