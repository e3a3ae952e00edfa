//! No error of the client carries a credential: not the upload URL's token when chunk PUTs
//! fail, not the tokens of a token answer that cannot be read. Checked against every secret the
//! simulator issued.

mod common;

use common::{make_video, Harness, REDIRECT};
use serde_json::json;
use tiktok_api::{PostInfo, PrivacyLevel, Scope};

/// Panics naming the secret (its first characters) if `text` contains any issued secret.
fn assert_clean(h: &Harness, what: &str, text: &str) {
    let secrets = h.sim.issued_secrets();
    assert!(secrets.len() > 2, "the test issued secrets");
    for s in secrets {
        assert!(
            !text.contains(&s.value),
            "{what} contains the {} {}…: {text}",
            s.kind,
            &s.value[..6]
        );
    }
}

#[tokio::test]
async fn failed_chunks_do_not_name_the_upload_url() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, tokens) = h.connect(&client, json!({"username": "u"}), None).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = make_video(dir.path(), "a.mp4", 200_000);
    let plan = client.plan_upload(200_000).unwrap();
    let init = client
        .init_direct_post(
            &tokens.access_token,
            &PostInfo::new(PrivacyLevel::SelfOnly),
            &plan,
        )
        .await
        .unwrap();
    // Every PUT (and every progress probe) loses its connection mid-body.
    h.fault(json!({"endpoint": "upload", "kind": "drop", "times": 50}))
        .await;
    let err = client
        .upload_file(&init, &path, |_| {})
        .await
        .expect_err("every PUT fails");
    assert!(err.to_string().contains("network"), "{err}");
    assert_clean(&h, "the error's text", &err.to_string());
    assert_clean(&h, "the error's debug text", &format!("{err:?}"));
}

#[tokio::test]
async fn a_cut_token_answer_does_not_echo_the_tokens() {
    let h = Harness::start().await;
    let client = h.client();
    let open_id = h.add_account(json!({"username": "t"})).await;
    h.post("/__sim/consent", json!({ "open_id": open_id }))
        .await;
    let req = client.authorization_request(REDIRECT, &Scope::ALL).unwrap();
    let code = h.authorize(&req.url).await.into_code(&req.state).unwrap();
    // TikTok issues the tokens, but the answer arrives cut in half.
    h.fault(json!({"endpoint": "token", "kind": "truncate"}))
        .await;
    let err = client
        .exchange_code(&code.code, &req.verifier, &req.redirect_uri)
        .await
        .expect_err("a cut answer cannot be read");
    let issued = h.sim.issued_secrets();
    assert!(
        issued.iter().any(|s| s.kind == "access_token"),
        "the simulator did issue tokens"
    );
    assert_clean(&h, "the error's text", &err.to_string());
    assert_clean(&h, "the error's debug text", &format!("{err:?}"));
}
