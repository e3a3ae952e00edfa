//! Managing accounts: list pagination, status filter, search, labels, default and current
//! account (persisted), summary, audit queries.

mod common;

use tokdeck_core::accounts::{self, AccountQuery, AccountStatus, Profile, TokenFacts};
use tokdeck_core::audit::AuditQuery;
use tokdeck_core::secrets::Secrets;
use tokdeck_core::{Engine, EngineConfig, ErrorCode};

async fn seed(engine: &Engine, n: usize) -> Vec<i64> {
    let pool = engine.store().pool();
    let now = engine.clock().now_ms();
    let mut ids = Vec::new();
    for i in 0..n {
        let p = Profile {
            open_id: format!("open-{i:03}"),
            username: Some(format!("creator{i:03}")),
            display_name: Some(if i % 2 == 0 {
                format!("Cooking {i}")
            } else {
                format!("Travel {i}")
            }),
            follower_count: Some(100),
            likes_count: Some(10),
            video_count: Some(1),
            ..Default::default()
        };
        let t = TokenFacts {
            scopes: vec!["user.info.basic".into()],
            access_expires_at: now + 3_600_000,
            refresh_expires_at: now + 300 * 86_400_000,
        };
        ids.push(
            accounts::upsert_connected(pool, &p, &t, tokdeck_core::tiktok_config::DEMO_APP, now)
                .await
                .unwrap(),
        );
    }
    ids
}

fn q() -> AccountQuery {
    AccountQuery::default()
}

#[tokio::test]
async fn list_paginates_filters_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::with_store("t", keyring_core::mock::Store::new().unwrap());
    let engine = Engine::open(EngineConfig::new(dir.path().to_path_buf(), secrets))
        .await
        .unwrap();
    let ids = seed(&engine, 25).await;

    let p1 = engine.list_accounts(&q()).await.unwrap();
    assert_eq!(p1.items.len(), 20);
    let cursor = p1.next_cursor.clone().unwrap();
    let p2 = engine
        .list_accounts(&AccountQuery {
            cursor: Some(cursor),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(p2.items.len(), 5);
    assert_eq!(p2.next_cursor, None);
    let mut all: Vec<i64> = p1.items.iter().chain(&p2.items).map(|a| a.id).collect();
    all.dedup();
    assert_eq!(all, ids);
    let big = engine
        .list_accounts(&AccountQuery {
            limit: Some(500),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(big.items.len(), 25, "limit is clamped to 50");
    let bad = engine
        .list_accounts(&AccountQuery {
            cursor: Some("x".into()),
            ..q()
        })
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput);

    let pool = engine.store().pool();
    accounts::set_status(
        pool,
        ids[3],
        AccountStatus::NeedsReconnect,
        Some("revoked"),
        0,
    )
    .await
    .unwrap();
    let needs = engine
        .list_accounts(&AccountQuery {
            status: Some(AccountStatus::NeedsReconnect),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(needs.items.len(), 1);
    assert_eq!(needs.items[0].status_label, "Needs reconnect");

    let travel = engine
        .list_accounts(&AccountQuery {
            search: Some("TRAVEL".into()),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(travel.items.len(), 12);
    let handle = engine
        .list_accounts(&AccountQuery {
            search: Some("@creator007".into()),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(handle.items.len(), 1);
    engine
        .set_account_label(ids[0], "Main brand")
        .await
        .unwrap();
    let label = engine
        .list_accounts(&AccountQuery {
            search: Some("main br".into()),
            ..q()
        })
        .await
        .unwrap();
    assert_eq!(label.items.len(), 1);
    assert_eq!(label.items[0].title, "Main brand");
    // A LIKE wildcard in the search is a literal character.
    let pct = engine
        .list_accounts(&AccountQuery {
            search: Some("%".into()),
            ..q()
        })
        .await
        .unwrap();
    assert!(pct.items.is_empty());

    let s = engine.accounts_summary().await.unwrap();
    assert_eq!((s.accounts, s.active, s.needs_reconnect), (25, 24, 1));
    assert_eq!(
        (s.total_followers, s.total_likes, s.total_videos),
        (2500, 250, 25)
    );
}

#[tokio::test]
async fn label_default_and_current_persist_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let store = keyring_core::mock::Store::new().unwrap();
    let cfg = || {
        EngineConfig::new(
            dir.path().to_path_buf(),
            Secrets::with_store("t", store.clone()),
        )
    };
    let engine = Engine::open(cfg()).await.unwrap();
    let ids = seed(&engine, 3).await;
    assert_eq!(
        engine.current_account().await.unwrap().unwrap().id,
        ids[0],
        "default first"
    );
    engine.set_default_account(ids[1]).await.unwrap();
    engine.set_current_account(ids[2]).await.unwrap();
    engine.set_account_label(ids[2], "  Side  ").await.unwrap();
    assert!(engine
        .set_account_label(ids[2], &"x".repeat(61))
        .await
        .is_err());
    assert_eq!(
        engine.set_default_account(999).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
    engine.shutdown().await;
    drop(engine);

    let engine = Engine::open(cfg()).await.unwrap();
    let cur = engine.current_account().await.unwrap().unwrap();
    assert_eq!(cur.id, ids[2]);
    assert!(cur.is_current);
    assert_eq!(cur.label, "Side");
    let page = engine.list_accounts(&q()).await.unwrap();
    let defaults: Vec<_> = page
        .items
        .iter()
        .filter(|a| a.is_default)
        .map(|a| a.id)
        .collect();
    assert_eq!(defaults, vec![ids[1]]);

    // Removing the current account falls back to the default one.
    engine.remove_account(ids[2]).await.unwrap();
    assert_eq!(engine.current_account().await.unwrap().unwrap().id, ids[1]);

    let mine = engine
        .list_audit(&AuditQuery {
            account_id: Some(ids[2]),
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = mine.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "account.remove");
    assert!(actions.contains(&"account.set_current"));
    let errors = engine
        .list_audit(&AuditQuery {
            action: Some("account.".into()),
            outcome: Some("error".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(errors.iter().any(|e| e.action == "account.set_default"));
}

#[tokio::test]
async fn sync_all_reports_per_account_results() {
    let h = common::start().await;
    let a = h.sim_account("xena", 10).await;
    let b = h.sim_account("yuri", 20).await;
    let acc_a = h.connect(&a).await;
    let acc_b = h.connect(&b).await;
    h.ctl(
        reqwest::Method::POST,
        "/__sim/tokens/revoke",
        serde_json::json!({"open_id": b}),
    )
    .await;
    h.ctl(
        reqwest::Method::PATCH,
        &format!("/__sim/accounts/{a}"),
        serde_json::json!({"follower_count": 99}),
    )
    .await;
    let results = h.engine.sync_all_accounts().await.unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .find(|r| r.account_id == acc_a.id)
            .unwrap()
            .ok
    );
    let rb = results.iter().find(|r| r.account_id == acc_b.id).unwrap();
    assert!(!rb.ok);
    assert!(rb.message.contains("Reconnect"), "{}", rb.message);
    assert_eq!(
        h.engine.get_account(acc_a.id).await.unwrap().follower_count,
        Some(99)
    );
    let t = h.engine.test_account_connection(acc_a.id).await.unwrap();
    assert!(t.ok, "{}", t.message);
    let t = h.engine.test_account_connection(acc_b.id).await.unwrap();
    assert!(!t.ok);
}
