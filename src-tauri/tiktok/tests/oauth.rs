//! Login Kit against the simulator: connect, callback errors, both OAuth error formats,
//! refresh in both rotation modes, both token-lifetime readings, revoke and expiry.

mod common;

use std::time::Duration;

use common::{Harness, REDIRECT};
use serde_json::json;
use tiktok_api::{
    AuthCode, CodeVerifier, ErrorClass, ErrorKind, RefreshToken, Scope, TikTokClient, UserField,
};

#[tokio::test]
async fn connect_exchanges_code_with_hex_pkce() {
    let h = Harness::start().await;
    let client = h.client();
    let (open_id, t) = h
        .connect(
            &client,
            json!({"username": "ana"}),
            Some(vec!["user.info.basic", "video.publish"]),
        )
        .await;
    assert_eq!(t.open_id, open_id);
    assert!(t.access_token.secret().starts_with("act."));
    assert!(t.refresh_token.secret().starts_with("rft."));
    assert_eq!(t.scopes, vec!["user.info.basic", "video.publish"]);
    assert_eq!(t.expires_in, Duration::from_secs(86_400));
    assert_eq!(t.refresh_expires_in, Duration::from_secs(31_536_000));
    assert_eq!(t.token_type, "Bearer");
    // The token set's Debug output never shows the tokens.
    let dbg = format!("{t:?}");
    assert!(!dbg.contains(t.access_token.secret()) && !dbg.contains(t.refresh_token.secret()));
}

#[tokio::test]
async fn nov2026_lifetimes_are_taken_from_the_answer() {
    let h = Harness::start().await;
    h.behaviour(json!({"token_lifetimes": "nov2026"})).await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "ben"}), None).await;
    assert_eq!(t.expires_in, Duration::from_secs(7_200));
    assert_eq!(t.refresh_expires_in, Duration::from_secs(15_552_000));
    assert_eq!(
        t.access_expires_at(),
        t.received_at + Duration::from_secs(7_200)
    );
    let r = client.refresh(&t.refresh_token).await.unwrap();
    assert_eq!(r.expires_in, Duration::from_secs(7_200));
}

#[tokio::test]
async fn callback_errors_denied_pkce_and_state() {
    let h = Harness::start().await;
    let client = h.client();
    let open_id = h.add_account(json!({"username": "cy"})).await;

    // The user denies consent.
    h.post(
        "/__sim/consent",
        json!({"open_id": open_id, "deny": "access_denied"}),
    )
    .await;
    let req = client
        .authorization_request(REDIRECT, &[Scope::UserInfoBasic])
        .unwrap();
    let err = h
        .authorize(&req.url)
        .await
        .into_code(&req.state)
        .unwrap_err();
    assert_eq!(err.code(), Some("access_denied"));
    assert!(err.user_action().is_some());

    // A base64url challenge (RFC 7636 style) is refused like a missing one.
    let mut url = req.url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "code_challenge" {
                (k, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into())
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    h.post("/__sim/consent", json!({"open_id": open_id})).await;
    let cb = h.authorize(&url).await;
    assert_eq!(cb.err_code.as_deref(), Some("10007"));
    assert_eq!(cb.error_type.as_deref(), Some("code_challenge"));
    let err = cb.into_code(&req.state).unwrap_err();
    assert_eq!(err.class(), ErrorClass::Bug);

    // A callback belonging to another login attempt is refused.
    h.post("/__sim/consent", json!({"open_id": open_id})).await;
    let req2 = client
        .authorization_request(REDIRECT, &[Scope::UserInfoBasic])
        .unwrap();
    let cb = h.authorize(&req2.url).await;
    assert!(cb.code.is_some());
    let err = cb.into_code(&req.state).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::StateMismatch));
}

#[tokio::test]
async fn exchange_errors_in_both_oauth_statuses() {
    for status in [400u16, 200] {
        let h = Harness::start().await;
        h.behaviour(json!({"oauth_error_status": status})).await;
        let client = h.client();
        let open_id = h.add_account(json!({"username": "dee"})).await;
        h.post("/__sim/consent", json!({"open_id": open_id})).await;
        let req = client.authorization_request(REDIRECT, &Scope::ALL).unwrap();
        let code = h.authorize(&req.url).await.into_code(&req.state).unwrap();

        // Wrong verifier → invalid_request (a bug on our side).
        let e = client
            .exchange_code(&code.code, &CodeVerifier::generate(), REDIRECT)
            .await
            .unwrap_err();
        assert_eq!(e.http_status(), Some(status));
        assert!(matches!(e.kind(), ErrorKind::OAuth { .. }), "{e}");
        assert!(e.log_id().is_some(), "{e}");

        // Correct exchange, then reuse of the code → invalid_grant (reauthorize).
        client
            .exchange_code(&code.code, &req.verifier, REDIRECT)
            .await
            .unwrap();
        let e = client
            .exchange_code(&code.code, &req.verifier, REDIRECT)
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some("invalid_grant"));
        assert_eq!(e.class(), ErrorClass::Reauthorize);

        // Unknown code.
        let e = client
            .exchange_code(&AuthCode::new("nope"), &req.verifier, REDIRECT)
            .await
            .unwrap_err();
        assert_eq!(e.class(), ErrorClass::Reauthorize);

        // Wrong client secret.
        let mut cfg = h.config();
        cfg.client_secret = tiktok_api::ClientSecret::new("wrong");
        let bad = TikTokClient::new(cfg).unwrap();
        let e = bad.refresh(&RefreshToken::new("rft.x")).await.unwrap_err();
        assert_eq!(e.code(), Some("invalid_client"));
        assert_eq!(e.class(), ErrorClass::Bug);
    }
}

#[tokio::test]
async fn refresh_rotation_sometimes_keeps_old_token_alive() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "eve"}), None).await;
    let r1 = client.refresh(&t.refresh_token).await.unwrap();
    assert_ne!(r1.access_token, t.access_token);
    // "sometimes": the old refresh token still works.
    client.refresh(&t.refresh_token).await.unwrap();
    client
        .user_info(&r1.access_token, &[UserField::OpenId])
        .await
        .unwrap();
}

#[tokio::test]
async fn refresh_rotation_always_kills_old_token() {
    let h = Harness::start().await;
    h.behaviour(json!({"rotation": "always"})).await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "fay"}), None).await;
    let r1 = client.refresh(&t.refresh_token).await.unwrap();
    assert_ne!(r1.refresh_token, t.refresh_token);
    let e = client.refresh(&t.refresh_token).await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_grant"));
    assert_eq!(e.class(), ErrorClass::Reauthorize);
    // The newest one works and rotates again.
    let r2 = client.refresh(&r1.refresh_token).await.unwrap();
    assert_ne!(r2.refresh_token, r1.refresh_token);
}

#[tokio::test]
async fn expiry_and_revoke() {
    let h = Harness::start().await;
    let client = h.client();
    let (open_id, t) = h.connect(&client, json!({"username": "gus"}), None).await;

    // Expired access token → access_token_invalid → refresh fixes it.
    h.post("/__sim/tokens/expire", json!({"open_id": open_id}))
        .await;
    let e = client
        .user_info(&t.access_token, &[UserField::OpenId])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("access_token_invalid"));
    assert_eq!(e.class(), ErrorClass::RefreshToken);
    assert!(e.log_id().is_some());
    let r = client.refresh(&t.refresh_token).await.unwrap();
    client
        .user_info(&r.access_token, &[UserField::OpenId])
        .await
        .unwrap();

    // Expired refresh token → invalid_grant → reauthorize.
    h.post(
        "/__sim/tokens/expire",
        json!({"open_id": open_id, "refresh": true}),
    )
    .await;
    let e = client.refresh(&r.refresh_token).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Reauthorize);

    // Revoke through the API: the token stops working.
    let t2 = h.connect_existing(&client, &open_id, None).await;
    client.revoke(&t2.access_token).await.unwrap();
    let e = client
        .user_info(&t2.access_token, &[UserField::OpenId])
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::RefreshToken);
    let e = client.refresh(&t2.refresh_token).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Reauthorize);

    // Revoke from TikTok's side (the user removes the app).
    let t3 = h.connect_existing(&client, &open_id, None).await;
    h.post("/__sim/tokens/revoke", json!({"open_id": open_id}))
        .await;
    let e = client.refresh(&t3.refresh_token).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::Reauthorize);
}

#[tokio::test]
async fn token_endpoint_faults() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "hal"}), None).await;
    // A 5xx on the token endpoint is not retried (rotation could make a replay unsafe) and is
    // transient for the engine.
    h.fault(json!({"endpoint": "token", "kind": "status", "status": 503}))
        .await;
    let before = h.requests("token").await;
    let e = client.refresh(&t.refresh_token).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::RetryLater);
    assert_eq!(h.requests("token").await, before + 1);
    // A dropped connection after the request was sent: transient, not replayed.
    h.fault(json!({"endpoint": "token", "kind": "drop"})).await;
    let e = client.refresh(&t.refresh_token).await.unwrap_err();
    assert_eq!(e.class(), ErrorClass::RetryLater);
    assert!(matches!(e.kind(), ErrorKind::Network { .. }), "{e}");
    client.refresh(&t.refresh_token).await.unwrap();
}
