//! Accounts end to end: connecting through the real loopback redirect and through a
//! `tokdeck://` deep link delivered by a second launch, with the simulator playing TikTok and
//! scripts/fake_browser.py playing the system browser.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{App, Launch};

/// The in-app simulator's control API.
pub struct Sim {
    base: String,
    http: reqwest::Client,
}

impl Sim {
    pub async fn of(app: &App) -> Sim {
        let info = app.invoke("app_info", json!({})).await.unwrap();
        let base = info["simulatorUrl"]
            .as_str()
            .expect("demo mode runs the simulator")
            .to_owned();
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            "x-tokdeck-sim-token",
            crate::support::SIM_CONTROL_TOKEN.parse().unwrap(),
        );
        Sim {
            base,
            http: reqwest::Client::builder()
                .default_headers(headers)
                .build()
                .unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap_or(Value::Null)
    }

    pub async fn open_id_of(&self, username: &str) -> String {
        let accounts = self.get("/__sim/accounts").await;
        accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == username)
            .unwrap_or_else(|| panic!("simulator has no {username}: {accounts}"))["open_id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// Every IPC answer a test saw, to check afterwards that no secret ever crossed to the UI.
#[derive(Default)]
pub struct Seen(pub Vec<String>);

async fn invoke(app: &App, seen: &mut Seen, cmd: &str, args: Value) -> Value {
    let out = app.invoke(cmd, args).await;
    seen.0.push(format!("{out:?}"));
    out.unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

async fn wait_for_account(app: &App, seen: &mut Seen, open_id: &str) -> Value {
    for _ in 0..100 {
        let page = invoke(app, seen, "list_accounts", json!({ "query": {} })).await;
        if let Some(a) = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["openId"] == open_id && a["status"] == "active")
        {
            return a.clone();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!(
        "account {open_id} never appeared; browser log:\n{}",
        app.browser_log()
    );
}

#[tokio::test]
async fn connect_two_accounts_by_loopback_switch_and_remove_one_then_reconnect_by_deep_link() {
    let app = App::launch("accounts_connect", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let mut seen = Seen::default();
        let maya = sim.open_id_of("maya.makes").await;
        let leo = sim.open_id_of("leo_travels").await;
        let quiet = sim.open_id_of("quiet.kitchen").await;

        // Loopback: the browser "consents" as Maya, TikTok redirects to 127.0.0.1.
        sim.post("/__sim/consent", json!({ "open_id": maya })).await;
        // The simulator consents at once, so the pending panel may already be gone: the flow
        // is judged by its result.
        app.click("connect-first").await;
        let a = wait_for_account(app, &mut seen, &maya).await;
        assert_eq!(a["username"], "maya.makes");
        let card = app.card(&maya).await;
        assert!(card.text().await.unwrap().contains("maya.makes"));

        sim.post("/__sim/consent", json!({ "open_id": leo })).await;
        app.click("add-account").await;
        wait_for_account(app, &mut seen, &leo).await;
        app.card(&leo).await;
        assert!(
            app.browser_log().contains("visit http://127.0.0.1:"),
            "{}",
            app.browser_log()
        );

        // Switch the current account from the header.
        app.click("account-switcher").await;
        let options = app.all_testid("account-switcher-option").await;
        assert_eq!(options.len(), 2, "both accounts offered");
        let mut picked = false;
        for o in options {
            if o.text().await.unwrap().contains("leo") {
                o.click().await.unwrap();
                picked = true;
                break;
            }
        }
        assert!(picked, "Leo is in the switcher");
        let mut current = Value::Null;
        for _ in 0..50 {
            current = invoke(app, &mut seen, "get_current_account", json!({})).await;
            if current["openId"] == leo {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(current["openId"], leo, "switching persisted in the engine");

        // Remove Maya from her card, confirming.
        let card = app.card(&maya).await;
        card.find(fantoccini::Locator::Css("[data-testid=account-remove]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        app.click("confirm-remove-yes").await;
        for _ in 0..50 {
            if app.card_opt(&maya).await.is_none() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let page = invoke(
            app,
            &mut seen,
            "list_accounts",
            json!({ "query": { "status": "active" } }),
        )
        .await;
        let ids: Vec<_> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["openId"].clone())
            .collect();
        assert_eq!(ids, vec![json!(leo)]);

        // Deep-link mode: TikTok redirects to tokdeck://…, the browser hands it to the OS, the OS
        // starts a second Tokdeck, which forwards the link to this one.
        invoke(
            app,
            &mut seen,
            "update_tiktok_config",
            json!({ "patch": { "redirectMode": "deep_link" } }),
        )
        .await;
        sim.post("/__sim/consent", json!({ "open_id": quiet }))
            .await;
        invoke(app, &mut seen, "connect_account", json!({})).await;
        wait_for_account(app, &mut seen, &quiet).await;
        assert!(
            app.browser_log()
                .contains("handoff tokdeck://oauth/callback"),
            "{}",
            app.browser_log()
        );

        // Reconnecting a removed account restores it, never a duplicate.
        invoke(
            app,
            &mut seen,
            "update_tiktok_config",
            json!({ "patch": { "redirectMode": "loopback" } }),
        )
        .await;
        sim.post("/__sim/consent", json!({ "open_id": maya })).await;
        invoke(app, &mut seen, "connect_account", json!({})).await;
        wait_for_account(app, &mut seen, &maya).await;
        let page = invoke(app, &mut seen, "list_accounts", json!({ "query": {} })).await;
        let mayas = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["openId"] == maya)
            .count();
        assert_eq!(mayas, 1);

        // No secret anywhere: SQLite (and its WAL), logs, IPC answers.
        let tokens = sim.get("/__sim/tokens").await;
        let mut secrets: Vec<String> = vec!["sim_client_secret".into()];
        for t in tokens.as_array().unwrap() {
            for k in ["access_token", "refresh_token"] {
                secrets.push(t[k].as_str().unwrap().to_owned());
            }
        }
        assert!(secrets.len() > 4, "the run created tokens");
        let mut haystacks: Vec<(String, Vec<u8>)> = vec![];
        for e in std::fs::read_dir(&app.data_dir).unwrap().flatten() {
            if e.path().is_file() {
                haystacks.push((
                    e.path().display().to_string(),
                    std::fs::read(e.path()).unwrap(),
                ));
            }
        }
        haystacks.push(("logs".into(), app.log_text().into_bytes()));
        haystacks.push(("ipc".into(), seen.0.join("\n").into_bytes()));
        for (name, bytes) in &haystacks {
            let text = String::from_utf8_lossy(bytes);
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "a secret leaked into {name}");
            }
        }
    })
    .await;
}

/// Regenerates the README's picture: the Accounts page with the demo accounts connected.
#[tokio::test]
#[ignore = "writes docs/screenshot.png: run `make screenshot`"]
async fn readme_screenshot() {
    let app = App::launch("readme_screenshot", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let mut seen = Seen::default();
        for user in ["maya.makes", "leo_travels", "quiet.kitchen"] {
            let open_id = sim.open_id_of(user).await;
            sim.post("/__sim/consent", json!({ "open_id": open_id }))
                .await;
            invoke(app, &mut seen, "connect_account", json!({})).await;
            wait_for_account(app, &mut seen, &open_id).await;
            app.card(&open_id).await;
        }
        app.client
            .set_window_size(1280, 800)
            .await
            .unwrap_or_default();
        tokio::time::sleep(Duration::from_millis(800)).await;
        let png = app.client.screenshot().await.unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshot.png");
        std::fs::write(&path, png).unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_revoked_account_is_announced_natively_unless_notifications_are_off() {
    let daemon = crate::support::NotificationDaemon::start().await;
    let app = App::launch("notifications", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let mut seen = Seen::default();
        let mut ids = vec![];
        for user in ["maya.makes", "leo_travels"] {
            let open_id = sim.open_id_of(user).await;
            sim.post("/__sim/consent", json!({ "open_id": open_id })).await;
            invoke(app, &mut seen, "connect_account", json!({})).await;
            let a = wait_for_account(app, &mut seen, &open_id).await;
            ids.push((open_id, a["id"].clone()));
        }

        // TikTok revokes Maya's sign-in; the next use finds out and tells the desktop.
        sim.post("/__sim/tokens/revoke", json!({ "open_id": ids[0].0 }))
            .await;
        sim.post(
            "/__sim/tokens/expire",
            json!({ "open_id": ids[0].0, "refresh": false }),
        )
        .await;
        let _ = app
            .invoke("sync_account", json!({ "accountId": ids[0].1 }))
            .await;
        let mut announced = false;
        for _ in 0..150 {
            if daemon
                .notifications()
                .iter()
                .any(|n| n.contains("Reconnect @maya.makes"))
            {
                announced = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let maya = app.invoke("get_account", json!({ "accountId": ids[0].1 })).await;
        assert!(
            announced,
            "no Notify call; daemon log: {:?}; account: {maya:?}",
            daemon.raw_log()
        );
        let account = invoke(app, &mut seen, "get_account", json!({ "accountId": ids[0].1 })).await;
        assert_eq!(account["status"], "needs_reconnect");

        // With notifications off, the same event for Leo stays in the window only.
        invoke(
            app,
            &mut seen,
            "update_settings",
            json!({ "patch": { "notificationsEnabled": false, "launchAtLogin": null, "publishingPaused": null, "theme": null } }),
        )
        .await;
        sim.post("/__sim/tokens/revoke", json!({ "open_id": ids[1].0 }))
            .await;
        sim.post(
            "/__sim/tokens/expire",
            json!({ "open_id": ids[1].0, "refresh": false }),
        )
        .await;
        let _ = app
            .invoke("sync_account", json!({ "accountId": ids[1].1 }))
            .await;
        let mut leo = Value::Null;
        for _ in 0..50 {
            leo = invoke(app, &mut seen, "get_account", json!({ "accountId": ids[1].1 })).await;
            if leo["status"] == "needs_reconnect" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(leo["status"], "needs_reconnect");
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let all = daemon.notifications();
        assert!(
            !all.iter().any(|n| n.contains("Reconnect @leo_travels")),
            "notifications were turned off: {all:?}"
        );
        assert_eq!(all.len(), 1, "{all:?}");
    })
    .await;
}
