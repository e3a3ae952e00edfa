//! Token refresh: rotation, single-flight under concurrent demand, revoked grants, the
//! background refresher and its 7-day warning, and removal when TikTok's revoke fails.

mod common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::accounts::tokens::{access_entry, refresh_entry};
use tokdeck_core::accounts::AccountStatus;
use tokdeck_core::audit::AuditQuery;
use tokdeck_core::events::{EngineEvent, NotificationKind};

const DAY: Duration = Duration::from_secs(24 * 3600);

#[tokio::test]
async fn rotation_always_kills_the_old_refresh_token_and_the_keychain_holds_the_new_one() {
    let h = common::start().await;
    h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"rotation": "always"}),
    )
    .await;
    let a = h.sim_account("rita", 1).await;
    let acc = h.connect(&a).await;
    let (_, old_refresh) = h.sim_tokens(&a).await;
    assert_eq!(h.keychain(&refresh_entry(&a)).await.unwrap(), old_refresh);

    h.engine.clock().advance(DAY + Duration::from_secs(60));
    let token = h.engine.access_token(acc.id).await.unwrap();
    let (new_access, new_refresh) = h.sim_tokens(&a).await;
    assert_eq!(token.secret(), new_access);
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(h.keychain(&refresh_entry(&a)).await.unwrap(), new_refresh);
    assert_eq!(h.keychain(&access_entry(&a)).await.unwrap(), new_access);

    // The old refresh token is dead at TikTok.
    let resp = h
        .ctl
        .post(format!("{}/v2/oauth/token/", h.base))
        .form(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "sim_client_secret"),
            ("grant_type", "refresh_token"),
            ("refresh_token", old_refresh.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_grant");
    // And the account still works with the new pair.
    assert_eq!(
        h.engine.sync_account(acc.id).await.unwrap().status,
        AccountStatus::Active
    );
}

#[tokio::test]
async fn ten_tasks_needing_an_expired_token_cause_exactly_one_refresh() {
    let h = common::start().await;
    h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"rotation": "always"}),
    )
    .await;
    let a = h.sim_account("sam", 1).await;
    let acc = h.connect(&a).await;
    h.engine.clock().advance(DAY);
    let before = h.requests("token").await;

    let mut tasks = Vec::new();
    for _ in 0..10 {
        let engine = h.engine.clone();
        tasks.push(tokio::spawn(
            async move { engine.access_token(acc.id).await },
        ));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().unwrap().secret().to_owned());
    }
    assert_eq!(
        h.requests("token").await - before,
        1,
        "one refresh at TikTok"
    );
    tokens.dedup();
    assert_eq!(tokens.len(), 1, "everyone got the same new token");
    assert_eq!(tokens[0], h.sim_tokens(&a).await.0);
}

#[tokio::test]
async fn a_revoked_grant_flags_needs_reconnect_notifies_and_reconnect_restores() {
    let h = common::start().await;
    let a = h.sim_account("tia", 1).await;
    let acc = h.connect(&a).await;
    let mut events = h.engine.events().subscribe();
    h.ctl(Method::POST, "/__sim/tokens/revoke", json!({"open_id": a}))
        .await;

    let err = h.engine.sync_account(acc.id).await.unwrap_err();
    assert!(err.needs_reconnect(), "{err}");
    assert!(err.to_string().contains("Reconnect"));
    let now = h.engine.get_account(acc.id).await.unwrap();
    assert_eq!(now.status, AccountStatus::NeedsReconnect);
    assert!(now.needs_reconnect);
    let mut notified = false;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::Notify {
            notification,
            title,
            ..
        } = e
        {
            assert_eq!(notification, NotificationKind::Account);
            assert!(title.contains("@tia"));
            notified = true;
        }
    }
    assert!(notified);
    // Further calls fail fast without hitting TikTok.
    let before = h.requests("token").await;
    assert!(h.engine.access_token(acc.id).await.is_err());
    assert_eq!(h.requests("token").await, before);

    let back = h.connect(&a).await;
    assert_eq!(back.id, acc.id);
    assert_eq!(back.status, AccountStatus::Active);
    assert!(h.engine.sync_account(acc.id).await.is_ok());
}

#[tokio::test]
async fn the_background_refresher_refreshes_ahead_of_expiry_and_warns_before_the_refresh_token_ends(
) {
    let h = common::start().await;
    let a = h.sim_account("uma", 1).await;
    let b = h.sim_account("vic", 1).await;
    let acc_a = h.connect(&a).await;
    let acc_b = h.connect(&b).await;
    // b: a sign-in ending in 3 days, access token still fresh.
    let now = h.engine.clock().now_ms();
    sqlx::query("UPDATE accounts SET refresh_expires_at = ?, access_expires_at = ? WHERE id = ?")
        .bind(now + 3 * 86_400_000)
        .bind(now + 48 * 3_600_000)
        .bind(acc_b.id)
        .execute(h.engine.store().pool())
        .await
        .unwrap();
    // a: access token inside the refresh margin.
    h.engine.clock().advance(DAY - Duration::from_secs(120));
    let mut events = h.engine.events().subscribe();
    let before = h.requests("token").await;
    h.engine.start_background();

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while h.requests("token").await == before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no background refresh"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut warned = false;
    while !warned {
        match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
            Ok(Ok(EngineEvent::Notify { title, .. })) if title.contains("@vic") => warned = true,
            Ok(Ok(_)) => {}
            other => panic!("no warning: {other:?}"),
        }
    }
    let dto_b = h.engine.get_account(acc_b.id).await.unwrap();
    assert!(dto_b.refresh_expires_soon);
    let dto_a = h.engine.get_account(acc_a.id).await.unwrap();
    assert!(!dto_a.refresh_expires_soon);
    assert_eq!(
        h.requests("token").await - before,
        1,
        "only the due account was refreshed"
    );
    assert_eq!(
        h.keychain(&access_entry(&a)).await.unwrap(),
        h.sim_tokens(&a).await.0
    );
    let warnings = h
        .engine
        .list_audit(&AuditQuery {
            account_id: Some(acc_b.id),
            action: Some("token.".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].action, "token.refresh_expiry_warning");
    h.engine.shutdown().await;
}

#[tokio::test]
async fn removal_completes_locally_when_tiktok_revoke_fails() {
    let h = common::start().await;
    let a = h.sim_account("wes", 1).await;
    let acc = h.connect(&a).await;
    h.ctl(
        Method::POST,
        "/__sim/faults",
        json!({"endpoint": "revoke", "kind": "status", "status": 503, "times": 5}),
    )
    .await;
    let removed = h.engine.remove_account(acc.id).await.unwrap();
    assert_eq!(removed.status, AccountStatus::Disconnected);
    assert_eq!(h.keychain(&access_entry(&a)).await, None);
    assert_eq!(h.keychain(&refresh_entry(&a)).await, None);
    let revoke = h
        .engine
        .list_audit(&AuditQuery {
            action: Some("account.revoke".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(revoke[0].outcome, "error");
    let remove = h
        .engine
        .list_audit(&AuditQuery {
            account_id: Some(acc.id),
            action: Some("account.remove".into()),
            outcome: Some("ok".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(remove.len(), 1);
    assert!(remove[0].detail.contains("revoke failed"));
}
