//! Connecting accounts end to end: engine ↔ loopback listener ↔ simulator, through a real HTTP
//! "browser".

mod common;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::accounts::deeplink::DeepLink;
use tokdeck_core::accounts::tokens::{access_entry, refresh_entry};
use tokdeck_core::accounts::{AccountQuery, AccountStatus};
use tokdeck_core::audit::AuditQuery;
use tokdeck_core::events::EngineEvent;
use tokdeck_core::tiktok_config::{RedirectMode, TiktokConfigPatch, TiktokEndpoints};
use tokdeck_core::ErrorCode;

async fn audit(h: &common::H, action: &str) -> Vec<tokdeck_core::audit::AuditEntry> {
    h.engine
        .list_audit(&AuditQuery {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn connect_two_accounts_then_reconnect_without_duplicate() {
    let h = common::start().await;
    let a = h.sim_account("alice", 1200).await;
    let b = h.sim_account("bob", 300).await;
    let mut events = h.engine.events().subscribe();

    let acc_a = h.connect(&a).await;
    let acc_b = h.connect(&b).await;
    assert_eq!(acc_a.username, "alice");
    assert_eq!(acc_a.handle, "@alice");
    assert_eq!(acc_a.follower_count, Some(1200));
    assert_eq!(acc_a.status, AccountStatus::Active);
    assert!(acc_a.is_default, "first account becomes the default");
    assert!(!acc_b.is_default);
    assert!(acc_a.missing_scopes.is_empty());
    assert!(acc_a
        .avatar
        .as_deref()
        .unwrap()
        .starts_with("data:image/png;base64,"));
    assert!(acc_a.refresh_expires_at.is_some() && !acc_a.refresh_expires_soon);
    assert!(h
        .keychain(&refresh_entry(&a))
        .await
        .unwrap()
        .starts_with("rft."));
    assert!(h.engine.pending_connect().is_none(), "flow consumed");

    let mut finished = 0;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::ConnectFinished { ok, account, .. } = e {
            assert!(ok);
            assert!(account.is_some());
            finished += 1;
        }
    }
    assert_eq!(finished, 2);

    // Reconnecting the same TikTok account updates the row instead of adding one.
    h.ctl(
        Method::PATCH,
        &format!("/__sim/accounts/{a}"),
        json!({"follower_count": 1500}),
    )
    .await;
    let again = h.connect(&a).await;
    assert_eq!(again.id, acc_a.id);
    assert_eq!(again.follower_count, Some(1500));
    let page = h
        .engine
        .list_accounts(&AccountQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(audit(&h, "account.reconnect").await.len(), 1);

    let s = h.engine.accounts_summary().await.unwrap();
    assert_eq!((s.accounts, s.active, s.total_followers), (2, 2, 1800));
    assert_eq!(s.total_likes, 15000);
}

#[tokio::test]
async fn remove_then_reconnect_restores_the_same_account() {
    let h = common::start().await;
    let a = h.sim_account("carol", 10).await;
    let acc = h.connect(&a).await;
    let (live_access, _) = h.sim_tokens(&a).await;

    let removed = h.engine.remove_account(acc.id).await.unwrap();
    assert_eq!(removed.status, AccountStatus::Disconnected);
    assert!(removed.removed_at.is_some());
    assert_eq!(h.requests("revoke").await, 1);
    assert_eq!(h.keychain(&access_entry(&a)).await, None);
    assert_eq!(h.keychain(&refresh_entry(&a)).await, None);
    assert!(
        h.find(&a).await.is_none(),
        "removed accounts are not listed"
    );
    let err = h.engine.get_account(acc.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    // TikTok no longer accepts the old token.
    let status = h
        .ctl
        .get(format!("{}/v2/user/info/?fields=open_id", h.base))
        .bearer_auth(&live_access)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);

    let back = h.connect(&a).await;
    assert_eq!(back.id, acc.id, "restored, not duplicated");
    assert_eq!(back.status, AccountStatus::Active);
    assert!(back.removed_at.is_none());
    assert_eq!(audit(&h, "account.restore").await.len(), 1);
    assert_eq!(audit(&h, "account.remove").await[0].outcome, "ok");
}

#[tokio::test]
async fn forged_and_replayed_callbacks_are_rejected_and_store_nothing() {
    let h = common::start().await;
    let a = h.sim_account("dora", 1).await;

    // No flow at all.
    let err = h.engine.complete("code", "nostate").await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);

    let flow = h.engine.begin_connect().await.unwrap();
    // A forged state at the listener: rejected, the real flow keeps waiting.
    let forged = format!("{}?code=abc&state=forged", flow.redirect_uri);
    let (status, page) = h.browse_url(&forged).await;
    assert_eq!(status, 400);
    assert!(page.contains("ignored"), "{page}");
    assert!(h.engine.pending_connect().is_some());
    // The favicon is not a callback.
    let fav = flow.redirect_uri.replace("/callback/", "/favicon.ico");
    assert_eq!(h.browse_url(&fav).await.0, 404);

    // The real consent: capture the redirect instead of following it, then deliver it twice.
    let resp = h
        .ctl
        .get(format!("{}&sim_open_id={a}", flow.authorize_url))
        .send()
        .await
        .unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&flow.redirect_uri));
    let (status, _) = h.browse_url(&location).await;
    assert_eq!(status, 200);
    let query = location.split_once('?').unwrap().1;
    let replay = tiktok_api::AuthorizationCallback::parse_query(query);
    let err = h.engine.complete_callback(replay).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(err.to_string().contains("already used"), "{err}");
    // The listener stopped after its one valid hit.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(h.browser.get(&location).send().await.is_err());

    let rejected = h
        .engine
        .list_audit(&AuditQuery {
            action: Some("account.connect.callback".into()),
            outcome: Some("rejected".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rejected.len(), 3, "{rejected:?}");
    for r in &rejected {
        assert!(!r.detail.contains("abc"));
    }
    let page = h
        .engine
        .list_accounts(&AccountQuery::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn an_expired_flow_is_refused() {
    let h = common::start().await;
    let a = h.sim_account("erin", 1).await;
    let flow = h.engine.begin_connect().await.unwrap();
    h.engine
        .clock()
        .advance(std::time::Duration::from_secs(11 * 60));
    assert!(h.engine.pending_connect().is_none());
    let (status, page) = h
        .browse_url(&format!("{}&sim_open_id={a}", flow.authorize_url))
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("expired"), "{page}");
    assert!(h.find(&a).await.is_none());
    assert_eq!(
        h.requests("token").await,
        0,
        "no code exchange for a late callback"
    );
}

#[tokio::test]
async fn access_denied_and_cancel_end_the_flow_with_a_message() {
    let h = common::start().await;
    let a = h.sim_account("fay", 1).await;
    let mut events = h.engine.events().subscribe();
    let (status, page) = h
        .browse(&format!("sim_open_id={a}&sim_deny=access_denied"))
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("declined"), "{page}");
    assert!(h.find(&a).await.is_none());
    let mut saw = false;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::ConnectFinished { ok, message, .. } = e {
            assert!(!ok);
            assert!(message.contains("declined"));
            saw = true;
        }
    }
    assert!(saw);

    let flow = h.engine.begin_connect().await.unwrap();
    assert_eq!(h.engine.pending_connect().unwrap().flow_id, flow.flow_id);
    assert!(h.engine.cancel_connect().await);
    assert!(h.engine.pending_connect().is_none());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let after = h
        .browser
        .get(format!("{}?code=x&state=y", flow.redirect_uri))
        .send()
        .await;
    assert!(after.is_err(), "the listener closed with the flow");
}

#[tokio::test]
async fn a_scope_not_granted_is_recorded_as_a_warning() {
    let h = common::start().await;
    let a = h.sim_account("gus", 5).await;
    let (status, page) = h
        .browse(&format!(
            "sim_open_id={a}&sim_scopes=user.info.basic,user.info.profile,video.list,video.upload"
        ))
        .await;
    assert_eq!(status, 200, "{page}");
    let acc = h.find(&a).await.unwrap();
    assert_eq!(acc.missing_scopes, vec!["user.info.stats", "video.publish"]);
    assert_eq!(
        acc.follower_count, None,
        "stats were not requested without their scope"
    );
    let w = audit(&h, "account.scope_warning").await;
    assert_eq!(w.len(), 1);
    assert!(w[0].detail.contains("video.publish"));
    assert_eq!(w[0].account_id, Some(acc.id));
}

#[tokio::test]
async fn deep_link_mode_completes_through_the_same_path() {
    let h = common::start().await;
    let a = h.sim_account("hana", 7).await;
    h.engine
        .update_tiktok_config(&TiktokConfigPatch {
            redirect_mode: Some(RedirectMode::DeepLink),
            ..Default::default()
        })
        .await
        .unwrap();
    let flow = h.engine.begin_connect().await.unwrap();
    assert_eq!(flow.redirect_uri, "tokdeck://oauth/callback");
    let resp = h
        .ctl
        .get(format!("{}&sim_open_id={a}", flow.authorize_url))
        .send()
        .await
        .unwrap();
    let link = resp.headers()["location"].to_str().unwrap().to_owned();
    let DeepLink::OAuthCallback { code, state, .. } = DeepLink::parse(&link).unwrap() else {
        panic!("not a callback: {link}")
    };
    let acc = h
        .engine
        .complete(&code.unwrap(), &state.unwrap())
        .await
        .unwrap();
    assert_eq!(acc.open_id, a);
}

#[tokio::test]
async fn tokens_and_client_secret_never_reach_the_database() {
    let h = common::start_with(|mut c| {
        // Own-credentials mode, pointed at the simulator.
        c.endpoints = TiktokEndpoints::server(&c.simulator_url.clone().unwrap());
        c.simulator_url = None;
        c
    })
    .await;
    let cfg = h
        .engine
        .update_tiktok_config(&TiktokConfigPatch {
            client_key: Some("sim_client_key".into()),
            client_secret: Some("sim_client_secret".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(cfg.has_secret);
    assert_eq!(cfg.mode, tokdeck_core::ipc::TiktokMode::Tiktok);
    let json = serde_json::to_string(&cfg).unwrap();
    assert!(!json.contains("sim_client_secret"), "{json}");

    let a = h.sim_account("ivan", 1).await;
    let acc = h.connect(&a).await;
    let (access, refresh) = h.sim_tokens(&a).await;
    assert_eq!(
        h.keychain(&access_entry(&a)).await.as_deref(),
        Some(access.as_str())
    );
    let dto = serde_json::to_string(&acc).unwrap();
    assert!(!dto.contains(&access) && !dto.contains(&refresh));

    for file in ["tokdeck.sqlite3", "tokdeck.sqlite3-wal"] {
        let path = h.dir.path().join(file);
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        for needle in [access.as_str(), refresh.as_str(), "sim_client_secret"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{file} contains a secret"
            );
        }
    }
    let audit_all = h.engine.list_audit(&AuditQuery::default()).await.unwrap();
    let text = format!("{audit_all:?}");
    assert!(
        !text.contains(&access) && !text.contains(&refresh) && !text.contains("sim_client_secret")
    );
}

/// #13, trap 8: a removed account stays listed (under Disconnected) until a sign-in of the
/// same TikTok user brings it back onto its own card; and a dead sign-in is said in plain
/// words, never with TikTok's raw code.
#[tokio::test]
async fn a_removed_account_is_listed_until_reconnected_onto_its_card() {
    let h = common::start().await;
    let a = h.sim_account("alice", 10).await;
    let acc = h.connect(&a).await;
    assert!(h.engine.list_removed_accounts().await.unwrap().is_empty());

    h.engine.remove_account(acc.id).await.unwrap();
    let removed = h.engine.list_removed_accounts().await.unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].id, acc.id);
    assert_eq!(removed[0].status, AccountStatus::Disconnected);
    assert!(removed[0].removed_at.is_some());
    let page = h
        .engine
        .list_accounts(&AccountQuery::default())
        .await
        .unwrap();
    assert!(page.items.is_empty(), "not among the connected accounts");

    let back = h.connect(&a).await;
    assert_eq!(back.id, acc.id, "the same card comes back");
    assert_eq!(back.status, AccountStatus::Active);
    assert!(h.engine.list_removed_accounts().await.unwrap().is_empty());
    assert_eq!(audit(&h, "account.restore").await.len(), 1);

    // Private accounts are marked: TikTok's creator info offers them no "everyone".
    assert_eq!(back.is_private, Some(false));
    h.ctl(
        Method::PATCH,
        &format!("/__sim/accounts/{a}"),
        json!({"private": true}),
    )
    .await;
    let synced = h.engine.sync_account(acc.id).await.unwrap();
    assert_eq!(synced.is_private, Some(true));

    // TikTok drops the sign-in; the next use finds out and the card says so plainly.
    h.ctl(
        Method::POST,
        "/__sim/tokens/revoke",
        json!({ "open_id": a }),
    )
    .await;
    h.ctl(
        Method::POST,
        "/__sim/tokens/expire",
        json!({ "open_id": a, "refresh": false }),
    )
    .await;
    let _ = h.engine.sync_account(acc.id).await;
    let dead = h.engine.get_account(acc.id).await.unwrap();
    assert_eq!(dead.status, AccountStatus::NeedsReconnect);
    let said = dead.last_error.unwrap_or_default();
    assert!(said.contains("Reconnect"), "{said}");
    for raw in ["invalid_grant", "TikTok code", "access_token_invalid"] {
        assert!(!said.contains(raw), "{said}");
    }
    for e in h
        .engine
        .list_audit(&AuditQuery::default())
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "account.needs_reconnect")
    {
        assert!(!e.detail.contains("invalid_grant"), "{}", e.detail);
    }
}
