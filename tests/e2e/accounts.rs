//! Accounts end to end: connecting through the real loopback redirect and through a
//! `tokdeck://` deep link delivered by a second launch, with the simulator playing TikTok and
//! scripts/fake_browser.py playing the system browser.

use serde_json::{json, Value};

use crate::support::{wait_for, App, Launch};

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
    wait_for(&format!("account {open_id} to be active"), async || {
        let page = invoke(app, seen, "list_accounts", json!({ "query": {} })).await;
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["openId"] == open_id && a["status"] == "active")
            .cloned()
            .ok_or_else(|| format!("{page}; browser log:\n{}", app.browser_log()))
    })
    .await
}

/// Polls `cmd` (recording its answers in `seen`) until `done` accepts one; answers it.
async fn wait_invoke_seen(
    app: &App,
    seen: &mut Seen,
    what: &str,
    cmd: &str,
    args: Value,
    mut done: impl FnMut(&Value) -> bool,
) -> Value {
    wait_for(what, async || {
        let out = invoke(app, seen, cmd, args.clone()).await;
        if done(&out) {
            Ok(out)
        } else {
            Err(out.to_string())
        }
    })
    .await
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
        let leo_id = wait_for_account(app, &mut seen, &leo).await["id"].clone();
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
        let leo_option = app
            .wait_css(&format!(
                "[data-testid=account-switcher-option][data-account-id=\"{leo_id}\"]"
            ))
            .await;
        assert!(
            leo_option.text().await.unwrap().contains("leo"),
            "Leo is in the switcher"
        );
        app.click_css(&format!(
            "[data-testid=account-switcher-option][data-account-id=\"{leo_id}\"]"
        ))
        .await;
        wait_invoke_seen(
            app,
            &mut seen,
            "switching to persist in the engine",
            "get_current_account",
            json!({}),
            |current| current["openId"] == leo,
        )
        .await;

        // Remove Maya from her card, confirming.
        app.click_css(&format!(
            "[data-testid=account-card][data-open-id=\"{maya}\"] [data-testid=account-remove]"
        ))
        .await;
        app.click("confirm-remove-yes").await;
        wait_for("Maya's card to go", async || {
            match app.card_opt(&maya).await {
                None => Ok(()),
                Some(_) => Err("still shown".into()),
            }
        })
        .await;
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
        // Drawn at the new size: the page has it, and two frames have been painted since.
        wait_for("the page to be 1280 wide", async || {
            let w = app
                .client
                .execute("return innerWidth;", vec![])
                .await
                .unwrap();
            if w == json!(1280) {
                Ok(())
            } else {
                Err(w.to_string())
            }
        })
        .await;
        app.client
            .execute_async(
                "const done = arguments[0]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
                vec![],
            )
            .await
            .unwrap();
        let png = app.screenshot().await.unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshot.png");
        std::fs::write(&path, png).unwrap();
    })
    .await;
}

/// Settings patch that only turns native notifications on or off.
fn notifications(on: bool) -> Value {
    json!({ "patch": { "notificationsEnabled": on, "launchAtLogin": null, "publishingPaused": null, "theme": null } })
}

/// Makes TikTok revoke an account's sign-in and has Tokdeck find out on its next use.
async fn revoke(app: &App, sim: &Sim, open_id: &str, id: &Value) {
    sim.post("/__sim/tokens/revoke", json!({ "open_id": open_id }))
        .await;
    sim.post(
        "/__sim/tokens/expire",
        json!({ "open_id": open_id, "refresh": false }),
    )
    .await;
    let _ = app.invoke("sync_account", json!({ "accountId": id })).await;
}

#[tokio::test]
async fn a_revoked_account_is_announced_natively_unless_notifications_are_off() {
    let daemon = crate::support::NotificationDaemon::start().await;
    let app = App::launch("notifications", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let mut seen = Seen::default();
        let mut ids = vec![];
        for user in ["maya.makes", "leo_travels", "quiet.kitchen"] {
            let open_id = sim.open_id_of(user).await;
            sim.post("/__sim/consent", json!({ "open_id": open_id }))
                .await;
            invoke(app, &mut seen, "connect_account", json!({})).await;
            let a = wait_for_account(app, &mut seen, &open_id).await;
            ids.push((open_id, a["id"].clone()));
        }
        let announced = |who: &str| {
            daemon
                .notifications()
                .iter()
                .any(|n| n.contains(&format!("Reconnect {who}")))
        };

        // TikTok revokes Maya's sign-in; the next use finds out and tells the desktop.
        revoke(app, &sim, &ids[0].0, &ids[0].1).await;
        wait_for("the Notify call for Maya", async || {
            if announced("@maya.makes") {
                return Ok(());
            }
            let maya = app
                .invoke("get_account", json!({ "accountId": ids[0].1 }))
                .await;
            Err(format!(
                "daemon log: {:?}; account: {maya:?}",
                daemon.raw_log()
            ))
        })
        .await;
        let account = invoke(
            app,
            &mut seen,
            "get_account",
            json!({ "accountId": ids[0].1 }),
        )
        .await;
        assert_eq!(account["status"], "needs_reconnect");

        // With notifications off, the same event for Leo stays in the window only: the window
        // shows it once the app has decided about the desktop one.
        invoke(app, &mut seen, "update_settings", notifications(false)).await;
        app.record_toasts().await;
        revoke(app, &sim, &ids[1].0, &ids[1].1).await;
        app.wait_toast("Reconnect @leo_travels").await;
        let leo = invoke(
            app,
            &mut seen,
            "get_account",
            json!({ "accountId": ids[1].1 }),
        )
        .await;
        assert_eq!(leo["status"], "needs_reconnect");

        // Desktop notifications leave in order; one allowed after Leo's event arriving means
        // Leo's, had it been sent, would have arrived first.
        invoke(app, &mut seen, "update_settings", notifications(true)).await;
        revoke(app, &sim, &ids[2].0, &ids[2].1).await;
        wait_for("the Notify call for the next account", async || {
            if announced("@quiet.kitchen") {
                Ok(())
            } else {
                Err(daemon.raw_log())
            }
        })
        .await;
        let all = daemon.notifications();
        assert!(
            !announced("@leo_travels"),
            "notifications were turned off: {all:?}"
        );
        assert_eq!(all.len(), 2, "{all:?}");
    })
    .await;
}
