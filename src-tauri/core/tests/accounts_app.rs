//! Tokens are bound to the TikTok app that issued them: two configurations (the built-in demo
//! simulator, and a "real" app whose API is a second simulator) and accounts of each. An
//! account of the other app reads as "reconnect" and its tokens never reach the configured
//! app's backend; switching back makes it work again.

mod common;

use reqwest::Method;
use serde_json::{json, Value};
use tokdeck_core::accounts::AccountStatus;
use tokdeck_core::tiktok_config::{TiktokConfigPatch, TiktokEndpoints};
use tokdeck_sim::{SimOptions, Simulator};

/// Every API request a simulator has received, all endpoints together.
async fn api_requests(sim: &Simulator) -> u64 {
    let v: Value = sim_call(sim, Method::GET, "/__sim/requests", Value::Null).await;
    v.as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_u64)
        .sum()
}

async fn sim_call(sim: &Simulator, method: Method, path: &str, body: Value) -> Value {
    let resp = reqwest::Client::new()
        .request(method, format!("{}{path}", sim.base_url()))
        .header(tokdeck_sim::CONTROL_TOKEN_HEADER, sim.control_token())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

async fn use_app(h: &common::H, client_key: &str, secret: &str) {
    h.engine
        .update_tiktok_config(&TiktokConfigPatch {
            client_key: Some(client_key.into()),
            client_secret: Some(secret.into()),
            ..Default::default()
        })
        .await
        .unwrap();
}

async fn stored_status(h: &common::H, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM accounts WHERE id = ?")
        .bind(id)
        .fetch_one(h.engine.store().pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn another_apps_tokens_are_never_sent_and_switching_back_restores_the_account() {
    let real = Simulator::start(SimOptions::default()).await.unwrap();
    let real_base = real.base_url();
    let h = common::start_with(|mut c| {
        c.endpoints = TiktokEndpoints::server(&real_base);
        c
    })
    .await;

    // Demo mode: an account connected through the built-in simulator.
    let demo_open_id = h.sim_account("dora", 10).await;
    let dora = h.connect(&demo_open_id).await;
    assert_eq!(dora.status, AccountStatus::Active);

    // The creator sets up their own app: Dora's tokens mean nothing to it.
    use_app(&h, "sim_client_key", "sim_client_secret").await;
    let listed = h.find(&demo_open_id).await.unwrap();
    assert!(listed.needs_reconnect, "{listed:?}");
    assert_eq!(listed.status, AccountStatus::NeedsReconnect);
    assert!(
        listed.status_label.contains("another TikTok app"),
        "{}",
        listed.status_label
    );

    let summary = h.engine.accounts_summary().await.unwrap();
    assert_eq!((summary.active, summary.needs_reconnect), (0, 1));

    let before = api_requests(&real).await;
    let err = h.engine.sync_account(dora.id).await.unwrap_err();
    assert!(err.user_message().contains("another TikTok app"), "{err}");
    assert!(h.engine.creator_info(dora.id).await.is_err());
    // Even an expired token is not refreshed against the other app.
    sqlx::query("UPDATE accounts SET access_expires_at = 0 WHERE id = ?")
        .bind(dora.id)
        .execute(h.engine.store().pool())
        .await
        .unwrap();
    assert!(h.engine.access_token(dora.id).await.is_err());
    assert_eq!(
        api_requests(&real).await,
        before,
        "no request with Dora's tokens reached the other app"
    );
    assert_eq!(stored_status(&h, dora.id).await, "active", "not flagged");

    // An account connected with the real app works with it.
    let real_open_id = sim_call(
        &real,
        Method::POST,
        "/__sim/accounts",
        json!({"username": "rita", "display_name": "Rita", "follower_count": 5}),
    )
    .await["open_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rita = h.connect(&real_open_id).await;
    assert_eq!(rita.status, AccountStatus::Active);
    h.engine.sync_account(rita.id).await.unwrap();

    // Back to demo mode: Dora works again (refreshing her expired token with the simulator),
    // Rita's tokens stay away from the simulator.
    use_app(&h, "", "").await;
    let back = h.engine.sync_account(dora.id).await.unwrap();
    assert_eq!(back.status, AccountStatus::Active);
    assert!(!back.needs_reconnect);
    let demo_before = h.requests("token").await + h.requests("user_info").await;
    let err = h.engine.sync_account(rita.id).await.unwrap_err();
    assert!(err.user_message().contains("another TikTok app"), "{err}");
    assert_eq!(
        h.requests("token").await + h.requests("user_info").await,
        demo_before
    );
    assert!(h.find(&real_open_id).await.unwrap().needs_reconnect);
    assert_eq!(stored_status(&h, rita.id).await, "active");
}
