//! Demo mode across a restart (#13, trap 4) and removed accounts (trap 8). Before: the
//! built-in simulator started empty each run, so every demo account's sign-in was dead after a
//! restart and reconnecting made a second card while the posts stayed on the dead one; and a
//! removed account vanished from the Accounts page while its posts said to reconnect it.

use std::sync::Mutex;

use chrono::{Duration as Span, Local};
use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{wait_for, wait_invoke, App, Launch};

/// What the first run leaves for the second: Maya's TikTok id, her card, Leo's card, a post.
#[derive(Clone, Default)]
struct Before {
    maya_open_id: String,
    maya: i64,
    leo: i64,
    post: i64,
}

async fn account(app: &App, id: i64) -> Value {
    app.invoke("get_account", json!({ "accountId": id }))
        .await
        .unwrap()
}

/// Every card (live account) for this TikTok user.
async fn cards_of(app: &App, open_id: &str) -> Vec<Value> {
    let page = app
        .invoke("list_accounts", json!({ "query": {} }))
        .await
        .unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["openId"] == open_id)
        .cloned()
        .collect()
}

/// Waits until a sign-in of `id` newer than audit entry `after` was recorded, and answers it.
async fn wait_signin(app: &App, id: i64, after: i64) -> Value {
    let log = wait_invoke(
        app,
        &format!("account {id} to be signed in again"),
        "list_audit",
        json!({ "query": { "accountId": id, "limit": 50 } }),
        |entries| {
            entries.as_array().unwrap().iter().any(|e| {
                e["id"].as_i64().unwrap() > after
                    && ["account.reconnect", "account.restore"]
                        .contains(&e["action"].as_str().unwrap())
            })
        },
    )
    .await;
    log.as_array().unwrap()[0].clone()
}

/// Saves what the window shows (to look at, nothing asserted) with `selector` scrolled into
/// view, once two frames have been painted.
async fn shoot(app: &App, name: &str, selector: &str) {
    app.shoot_at("demo_restart", name, selector, "center").await;
}

async fn last_audit_id(app: &App) -> i64 {
    let log = app
        .invoke("list_audit", json!({ "query": { "limit": 1 } }))
        .await
        .unwrap();
    log.as_array()
        .unwrap()
        .first()
        .map_or(0, |e| e["id"].as_i64().unwrap())
}

#[tokio::test]
async fn demo_accounts_survive_a_restart_and_a_removed_one_comes_back_on_its_card() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    std::fs::create_dir_all(root.path().join("app")).unwrap();
    let launch = || Launch {
        root: Some(root.path().join("app")),
        ..Default::default()
    };
    let before = Mutex::new(Before::default());

    let app = App::launch("demo_restart_first", launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let leo = connect(app, &sim, "leo_travels").await;
        let post = draft(app, &video, maya, "Still mine after a restart").await;
        let at = Local::now() + Span::days(2);
        schedule(
            app,
            post,
            json!({ "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() }),
        )
        .await;
        *before.lock().unwrap() = Before {
            maya_open_id: sim.open_id_of("maya.makes").await,
            maya,
            leo,
            post,
        };
    })
    .await;
    let b = before.lock().unwrap().clone();

    // Quit and start again on the same data, as a creator does the next morning.
    let app = App::launch("demo_restart_second", launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        assert_eq!(
            sim.open_id_of("maya.makes").await,
            b.maya_open_id,
            "the simulated TikTok still knows the same Maya"
        );

        // The sign-ins of the first run still work: a sync and TikTok's creator info succeed.
        let synced = app
            .invoke("sync_account", json!({ "accountId": b.maya }))
            .await
            .unwrap();
        assert_eq!(synced["status"], "active", "{synced}");
        assert!(synced["lastError"].is_null(), "{synced}");
        let info = app
            .invoke("creator_info", json!({ "accountId": b.maya }))
            .await;
        assert!(info.is_ok(), "creator info after the restart: {info:?}");
        let leo = app
            .invoke("sync_account", json!({ "accountId": b.leo }))
            .await
            .unwrap();
        assert_eq!(leo["status"], "active", "{leo}");
        assert!(leo["lastError"].is_null(), "{leo}");

        // Reconnecting the same TikTok user lands on the same card, which keeps its post.
        let mark = last_audit_id(app).await;
        sim.post("/__sim/consent", json!({ "open_id": b.maya_open_id }))
            .await;
        app.invoke("connect_account", json!({})).await.unwrap();
        wait_signin(app, b.maya, mark).await;
        let cards = cards_of(app, &b.maya_open_id).await;
        assert_eq!(cards.len(), 1, "one card for Maya: {cards:?}");
        assert_eq!(cards[0]["id"], b.maya);
        let post = app
            .invoke("get_post", json!({ "postId": b.post }))
            .await
            .unwrap();
        assert_eq!(post["accountId"], b.maya, "{post}");
        assert_eq!(post["status"], "scheduled", "{post}");

        // Removed, Leo stays listed under Disconnected, with a Reconnect button.
        app.invoke("remove_account", json!({ "accountId": b.leo }))
            .await
            .unwrap();
        goto(app, "#/settings").await;
        goto(app, "#/accounts").await;
        let row = format!(
            "[data-testid=removed-account][data-account-id=\"{}\"]",
            b.leo
        );
        let shown = app.wait_css(&row).await;
        // Below the fold in a small window: its text as the page has it, seen or not.
        let text = shown.prop("textContent").await.unwrap().unwrap_or_default();
        assert!(text.contains("leo_travels"), "{text}");
        let section = app
            .wait_testid("removed-accounts")
            .await
            .prop("textContent")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(section.contains("Disconnected"), "{section}");
        assert!(
            app.card_opt(&sim.open_id_of("leo_travels").await)
                .await
                .is_none(),
            "a removed account is not among the connected cards"
        );
        // At 900×600 the page scrolls: one shot of the Disconnected list, one of the cards. At
        // 1920×1080 both fit in one window, so one shot shows them.
        app.resize(900, 600).await;
        for (name, selector) in [
            (
                "accounts-disconnected-900x600",
                "[data-testid=removed-accounts]",
            ),
            ("accounts-card-900x600", "[data-testid=account-card]"),
        ] {
            shoot(app, name, selector).await;
        }
        app.resize(1920, 1080).await;
        shoot(app, "accounts-1920x1080", "[data-testid=removed-accounts]").await;

        // Reconnect brings Leo back on the same card.
        let mark = last_audit_id(app).await;
        let leo_open_id = sim.open_id_of("leo_travels").await;
        sim.post("/__sim/consent", json!({ "open_id": leo_open_id }))
            .await;
        app.click_css(&format!("{row} [data-testid=removed-reconnect]"))
            .await;
        wait_signin(app, b.leo, mark).await;
        let back = account(app, b.leo).await;
        assert_eq!(back["status"], "active", "{back}");
        assert!(back["removedAt"].is_null(), "{back}");
        assert_eq!(cards_of(app, &leo_open_id).await.len(), 1);
        app.card(&leo_open_id).await;
        wait_for("Leo to leave the Disconnected list", async || {
            let rows = app
                .client
                .find_all(fantoccini::Locator::Css("[data-testid=removed-account]"))
                .await
                .map_err(|e| e.to_string())?;
            if rows.is_empty() {
                Ok(())
            } else {
                Err(format!("{} removed rows", rows.len()))
            }
        })
        .await;
    })
    .await;
}
