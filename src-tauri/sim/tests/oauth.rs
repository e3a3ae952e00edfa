//! Login Kit: authorize page, PKCE, codes, token exchange/refresh/revoke, user info scopes.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn full_flow_with_hex_pkce_reaches_user_info() {
    let c = start().await;
    let id = c.account("ana.k", false).await;
    let v = verifier();
    let url = c.authorize_url(Some(&hex_challenge(&v)), ALL, &[("sim_open_id", &id)]);
    let resp = c.http.get(url).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let loc = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(loc.starts_with(REDIRECT), "{loc}");
    let p = query_of(&loc);
    assert_eq!(q(&p, "state"), Some("st-42"));
    assert_eq!(q(&p, "scopes"), Some(ALL));
    let code = q(&p, "code").unwrap();
    assert!(
        code.contains('*') && code.contains('!'),
        "codes need URL-decoding: {code}"
    );

    let resp = c.exchange(code, &v).await;
    assert_eq!(resp.status(), 200);
    let t: Value = resp.json().await.unwrap();
    assert_eq!(t["open_id"], json!(id));
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 86_400);
    assert_eq!(t["refresh_expires_in"], 31_536_000);
    assert!(t["access_token"].as_str().unwrap().starts_with("act."));
    assert!(t["refresh_token"].as_str().unwrap().starts_with("rft."));

    let at = t["access_token"].as_str().unwrap();
    let (s, body) = c
        .api(
            Method::GET,
            "/v2/user/info/?fields=open_id,display_name,username,follower_count,avatar_url",
            at,
            None,
        )
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["error"]["code"], "ok");
    let log_id = body["error"]["log_id"].as_str().unwrap();
    assert_eq!(log_id.len(), 32);
    let user = &body["data"]["user"];
    assert_eq!(user["open_id"], json!(id));
    assert_eq!(user["username"], "ana.k");
    assert_eq!(user["follower_count"], 0);
    assert!(user.get("union_id").is_none(), "only requested fields");
    let avatar = user["avatar_url"].as_str().unwrap();
    assert!(avatar.starts_with(&c.base));
    let png = c
        .http
        .get(avatar)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
}

#[tokio::test]
async fn consent_page_lists_accounts_and_its_forms_work() {
    let c = start().await;
    // No accounts yet: the page offers to create one.
    let v = verifier();
    let url = c.authorize_url(
        Some(&hex_challenge(&v)),
        "user.info.basic,video.publish",
        &[],
    );
    let html = c.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Create a simulated account"));
    assert!(!html.contains("<script"));

    let mut form: Vec<(String, String)> = query_of(&url);
    form.push(("username".into(), "page.user".into()));
    form.push(("private".into(), "on".into()));
    let resp = c
        .http
        .post(format!("{}/v2/auth/authorize/account", c.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let html = c.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("@page.user"));
    assert!(html.contains(">private<"));
    assert!(html.contains("value=\"video.publish\" checked"));
    let accounts = c.ctl(Method::GET, "/__sim/accounts", Value::Null).await;
    let id = accounts[0]["open_id"].as_str().unwrap().to_string();
    assert_eq!(accounts[0]["private"], true);

    // Authorize with a subset of scopes.
    let mut form = query_of(&url);
    form.push(("open_id".into(), id.clone()));
    form.push(("granted".into(), "user.info.basic".into()));
    form.push(("action".into(), "authorize".into()));
    let resp = c
        .http
        .post(format!("{}/v2/auth/authorize/consent", c.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    assert_eq!(q(&p, "scopes"), Some("user.info.basic"));
    let t: Value = c
        .exchange(q(&p, "code").unwrap(), &v)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["scope"], "user.info.basic");

    // Cancel → access_denied with state.
    let mut form = query_of(&url);
    form.push(("open_id".into(), id));
    form.push(("action".into(), "cancel".into()));
    let resp = c
        .http
        .post(format!("{}/v2/auth/authorize/consent", c.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    assert_eq!(q(&p, "error"), Some("access_denied"));
    assert_eq!(q(&p, "state"), Some("st-42"));
    assert_eq!(q(&p, "code"), None);
}

#[tokio::test]
async fn pkce_challenge_must_be_hex() {
    let c = start().await;
    let id = c.account("pk", false).await;
    let v = verifier();
    let b64 = {
        // base64url(sha256(v)) without padding, as RFC 7636 would do.
        use sha2::Digest;
        let d = sha2::Sha256::digest(v.as_bytes());
        const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for ch in d.chunks(3) {
            let n = ch
                .iter()
                .enumerate()
                .fold(0u32, |a, (i, b)| a | (*b as u32) << (16 - 8 * i));
            for i in 0..=ch.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    };
    assert_eq!(b64.len(), 43);
    for ch in [
        Some(b64.as_str()),
        None,
        Some(&hex_challenge(&v).to_uppercase()),
    ] {
        let resp = c
            .http
            .get(c.authorize_url(ch, ALL, &[("sim_open_id", &id)]))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 302);
        let p = query_of(resp.headers()["location"].to_str().unwrap());
        assert_eq!(q(&p, "error"), Some("param_error"), "{ch:?}");
        assert_eq!(q(&p, "errCode"), Some("10007"));
        assert_eq!(q(&p, "error_type"), Some("code_challenge"));
        assert_eq!(q(&p, "state"), Some("st-42"));
        assert_eq!(q(&p, "code"), None);
    }
    // The other reading: uppercase hex accepted.
    c.behave(json!({"accept_uppercase_challenge": true})).await;
    let resp = c
        .http
        .get(c.authorize_url(
            Some(&hex_challenge(&v).to_uppercase()),
            ALL,
            &[("sim_open_id", &id)],
        ))
        .send()
        .await
        .unwrap();
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    let code = q(&p, "code").expect("uppercase accepted");
    assert_eq!(c.exchange(code, &v).await.status(), 200);
}

#[tokio::test]
async fn unregistered_redirect_gets_an_error_page_not_a_redirect() {
    let c = start().await;
    let v = hex_challenge(&verifier());
    for bad in [
        "http://127.0.0.1/callback/",
        "http://127.0.0.1:5000/callback",
        "http://example.com:5000/callback/",
        "myapp://callback",
    ] {
        let url = c.authorize_url(Some(&v), ALL, &[]).replace(
            &url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
            &url::form_urlencoded::byte_serialize(bad.as_bytes()).collect::<String>(),
        );
        let resp = c.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 400, "{bad}");
        assert!(resp.headers().get("location").is_none());
        assert!(resp.text().await.unwrap().contains("redirect_uri"));
    }
    // The deep-link registration and the localhost wildcard work.
    let id = c.account("dl", false).await;
    for good in [
        "tokdeck://oauth/callback",
        "http://localhost:65000/callback/",
    ] {
        let url = c
            .authorize_url(Some(&v), ALL, &[("sim_open_id", &id)])
            .replace(
                &url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
                &url::form_urlencoded::byte_serialize(good.as_bytes()).collect::<String>(),
            );
        let resp = c.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 302);
        assert!(resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with(&format!("{good}?code=")));
    }
    // Registration rules are enforced when the app is patched.
    let resp = c
        .http
        .patch(format!("{}/__sim/app", c.base))
        .json(&json!({"redirect_uris": ["http://evil.example:80/cb/"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn codes_are_single_use_and_expire() {
    let c = start().await;
    let id = c.account("codes", false).await;
    let (code, v, _) = c.code_for(&id, ALL).await;
    assert_eq!(c.exchange(&code, &v).await.status(), 200);
    let resp = c.exchange(&code, &v).await;
    assert_eq!(resp.status(), 400);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert!(
        e["log_id"].is_string() && e.get("data").is_none(),
        "flat error: {e}"
    );

    let (code, v, _) = c.code_for(&id, ALL).await;
    c.advance(601.0).await;
    let e: Value = c.exchange(&code, &v).await.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(e["error_description"], "Authorization code is expired.");
}

#[tokio::test]
async fn wrong_verifier_redirect_or_secret_is_refused() {
    let c = start().await;
    let id = c.account("wv", false).await;
    let (code, v, _) = c.code_for(&id, ALL).await;
    let e: Value = c.exchange(&code, &verifier()).await.json().await.unwrap();
    assert_eq!(e["error"], "invalid_request");
    assert_eq!(
        e["error_description"],
        "Code verifier or code challenge is invalid."
    );
    let e: Value = c
        .token_raw(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "sim_client_secret"),
            ("code", &code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", "http://127.0.0.1:4567/callback"),
            ("code_verifier", &v),
        ])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "invalid_request");
    let e: Value = c
        .token_raw(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "nope"),
            ("grant_type", "authorization_code"),
        ])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "invalid_client");
    // The failures above did not burn the code.
    assert_eq!(c.exchange(&code, &v).await.status(), 200);
}

#[tokio::test]
async fn oauth_error_status_is_configurable() {
    let c = start().await;
    assert_eq!(c.refresh("rft.unknown").await.status(), 400);
    c.behave(json!({"oauth_error_status": 200})).await;
    let resp = c.refresh("rft.unknown").await;
    assert_eq!(resp.status(), 200);
    let e: Value = resp.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_rotation_both_modes() {
    let c = start().await;
    let id = c.account("rot", false).await;
    let t = c.login(&id, ALL).await;
    let rt1 = t["refresh_token"].as_str().unwrap().to_string();
    let r: Value = c.refresh(&rt1).await.json().await.unwrap();
    let rt2 = r["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert_eq!(r["open_id"], json!(id));
    assert_eq!(r["scope"], ALL);
    // "sometimes": the old one still works.
    assert_eq!(c.refresh(&rt1).await.status(), 200);

    c.behave(json!({"rotation": "always"})).await;
    let r: Value = c.refresh(&rt2).await.json().await.unwrap();
    let rt3 = r["refresh_token"].as_str().unwrap().to_string();
    let e: Value = c.refresh(&rt2).await.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
    assert_eq!(c.refresh(&rt3).await.status(), 200);
}

#[tokio::test]
async fn lifetimes_follow_both_readings_and_tokens_expire() {
    let c = start().await;
    c.behave(json!({"token_lifetimes": "nov2026"})).await;
    let id = c.account("life", false).await;
    let t = c.login(&id, ALL).await;
    assert_eq!(t["expires_in"], 7200);
    assert_eq!(t["refresh_expires_in"], 15_552_000);
    let at = t["access_token"].as_str().unwrap();
    let path = "/v2/user/info/?fields=open_id";
    assert_eq!(c.api(Method::GET, path, at, None).await.0, 200);
    c.advance(7201.0).await;
    let (s, e) = c.api(Method::GET, path, at, None).await;
    assert_eq!(s, 401);
    assert_eq!(e["error"]["code"], "access_token_invalid");
    // Refresh still works and does not restart the refresh clock.
    let r: Value = c
        .refresh(t["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["expires_in"], 7200);
    let left = r["refresh_expires_in"].as_u64().unwrap();
    assert!(
        (15_552_000 - 7203..=15_552_000 - 7201).contains(&left),
        "{left}"
    );
    c.advance(15_552_000.0).await;
    let e: Value = c
        .refresh(r["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "invalid_grant");
}

#[tokio::test]
async fn revoke_kills_tokens_and_control_expire_works() {
    let c = start().await;
    let id = c.account("rev", false).await;
    let t = c.login(&id, ALL).await;
    let at = t["access_token"].as_str().unwrap();
    let resp = c
        .http
        .post(format!("{}/v2/oauth/revoke/", c.base))
        .form(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "sim_client_secret"),
            ("token", at),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        c.api(Method::GET, "/v2/user/info/?fields=open_id", at, None)
            .await
            .0,
        401
    );
    let e: Value = c
        .refresh(t["refresh_token"].as_str().unwrap())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(e["error"], "invalid_grant");

    let t = c.login(&id, ALL).await;
    c.ctl(Method::POST, "/__sim/tokens/expire", json!({"open_id": id}))
        .await;
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(
        c.api(Method::GET, "/v2/user/info/?fields=open_id", at, None)
            .await
            .0,
        401
    );
    let tokens = c.ctl(Method::GET, "/__sim/tokens", Value::Null).await;
    let mine = tokens
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["access_token"] == t["access_token"])
        .unwrap();
    assert_eq!(mine["live"], false);
    assert_eq!(
        c.refresh(t["refresh_token"].as_str().unwrap())
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn scopes_are_checked_per_field() {
    let c = start().await;
    let id = c.account("scoped", false).await;
    let t = c.login(&id, "user.info.basic").await;
    assert_eq!(t["scope"], "user.info.basic");
    let at = t["access_token"].as_str().unwrap();
    let (s, b) = c
        .api(
            Method::GET,
            "/v2/user/info/?fields=open_id,display_name",
            at,
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = c
        .api(
            Method::GET,
            "/v2/user/info/?fields=open_id,username",
            at,
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(b["error"]["code"], "scope_permission_missed");
    let (s, b) = c
        .api(
            Method::GET,
            "/v2/user/info/?fields=follower_count",
            at,
            None,
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (400, Some("scope_permission_missed"))
    );
    c.behave(json!({"field_scope_error": "scope_not_authorized"}))
        .await;
    let (s, b) = c
        .api(Method::GET, "/v2/user/info/?fields=username", at, None)
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("scope_not_authorized"))
    );
    // Endpoint-level scope.
    let (s, b) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            at,
            None,
        )
        .await;
    assert_eq!(
        (s, b["error"]["code"].as_str()),
        (401, Some("scope_not_authorized"))
    );
}

#[tokio::test]
async fn control_consent_is_used_once_and_sandbox_targets_apply() {
    let c = start().await;
    let id = c.account("once", false).await;
    c.ctl(
        Method::POST,
        "/__sim/consent",
        json!({"open_id": id, "scopes": ["user.info.basic"]}),
    )
    .await;
    let url = c.authorize_url(Some(&hex_challenge(&verifier())), ALL, &[]);
    let resp = c.http.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 302);
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    assert_eq!(q(&p, "scopes"), Some("user.info.basic"));
    assert_eq!(
        c.http.get(&url).send().await.unwrap().status(),
        200,
        "second request shows the page"
    );

    c.ctl(
        Method::POST,
        "/__sim/consent",
        json!({"open_id": id, "deny": "access_denied"}),
    )
    .await;
    let resp = c.http.get(&url).send().await.unwrap();
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    assert_eq!(q(&p, "error"), Some("access_denied"));

    c.ctl(
        Method::PATCH,
        "/__sim/app",
        json!({"sandbox": true, "sandbox_targets": []}),
    )
    .await;
    let resp = c
        .http
        .get(c.authorize_url(
            Some(&hex_challenge(&verifier())),
            ALL,
            &[("sim_open_id", &id)],
        ))
        .send()
        .await
        .unwrap();
    let p = query_of(resp.headers()["location"].to_str().unwrap());
    assert_eq!(q(&p, "error"), Some("access_denied"));
    assert_eq!(q(&p, "error_type"), Some("non_sandbox_target"));
}
