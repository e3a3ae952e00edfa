//! End-to-end tests of the real app (see tests/e2e/support/). Run with `make e2e`.

mod accounts;
mod analytics;
mod analytics_bench;
mod analytics_seed;
mod backup;
mod bulk;
mod calendar;
mod calendar_bench;
mod compose;
mod demo_restart;
mod drafts;
mod gallery;
mod layout;
mod paused;
mod planning;
mod publish;
mod published;
mod screens;
mod support;
mod time;
mod trash;
mod tray_bench;
mod tray_life;
mod variants;

use serde_json::json;
use support::{
    app_pids, close_main_window_until, main_window_visible, wait_for, wait_invoke, wait_until,
    web_processes, App, Launch, TrayHost, PATIENCE,
};

#[tokio::test]
async fn the_shell_renders_and_commands_round_trip() {
    let app = App::launch("shell_renders", Launch::default()).await;
    app.run(async |app| {
        let info = app.invoke("app_info", json!({})).await.unwrap();
        assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(info["dataDir"], app.data_dir.display().to_string());
        assert_eq!(info["tiktokMode"], "simulator");
        assert!(info["startupError"].is_null());

        // The About panel shows the same facts, through the UI.
        app.click("nav-settings").await;
        assert_eq!(app.text("about-version").await, env!("CARGO_PKG_VERSION"));
        assert_eq!(app.text("about-data-dir").await, app.data_dir.display().to_string());
        assert!(app.text("mode-badge").await.contains("Demo — simulated TikTok"));

        // A settings change round-trips and persists in SQLite.
        let s = app
            .invoke("update_settings", json!({ "patch": { "notificationsEnabled": null, "launchAtLogin": null, "publishingPaused": true, "theme": null } }))
            .await
            .unwrap();
        assert_eq!(s["publishingPaused"], true);
        let s = app.invoke("get_settings", json!({})).await.unwrap();
        assert_eq!(s["publishingPaused"], true);

        // Launch at login is off by default; turning it on writes the XDG autostart entry
        // (started hidden, in the tray), turning it off removes it.
        let autostart = app.home().join(".config/autostart");
        let entries = || -> Vec<String> {
            std::fs::read_dir(&autostart)
                .map(|d| {
                    d.flatten()
                        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(entries().is_empty(), "no login item by default");
        app.invoke(
            "update_settings",
            json!({ "patch": { "notificationsEnabled": null, "launchAtLogin": true, "publishingPaused": null, "theme": null } }),
        )
        .await
        .unwrap();
        wait_until(PATIENCE, "the autostart entry", || {
            entries().iter().any(|e| e.contains("--hidden"))
        })
        .await;
        app.invoke(
            "update_settings",
            json!({ "patch": { "notificationsEnabled": null, "launchAtLogin": false, "publishingPaused": null, "theme": null } }),
        )
        .await
        .unwrap();
        wait_until(PATIENCE, "the autostart entry to go", || {
            entries().is_empty()
        })
        .await;

        // Commands outside the capability are refused.
        let err = app.invoke("plugin:autostart|enable", json!({})).await.unwrap_err();
        assert!(err.to_string().contains("not allowed") || err.to_string().contains("not found"), "{err}");
    })
    .await;
}

/// Both ways of drawing work: WebKit's own (what a machine with a GPU gets) and without
/// compositing (the default without one, as on this test machine, where every other test runs
/// that way): the calendar shows, takes a click and can be shot, and the log says which way.
#[tokio::test]
async fn pages_draw_both_composited_and_without_compositing() {
    for (mode, software) in [("webkit", false), ("software", true)] {
        let opts = Launch {
            env: vec![(
                tokdeck_lib::rendering::RENDERING_ENV.to_owned(),
                mode.to_owned(),
            )],
            ..Launch::default()
        };
        let app = App::launch(&format!("drawing_{mode}"), opts).await;
        app.run(async |app| {
            app.click("nav-calendar").await;
            app.click("calendar-toggle-month").await;
            app.wait_css("[data-testid=calendar-month-view]:not([data-loading])")
                .await;
            let png = app.screenshot().await.expect("a screenshot");
            assert!(png.starts_with(b"\x89PNG"), "{mode}: a PNG");
            let said = app
                .log_text()
                .contains("pages are drawn without compositing");
            assert_eq!(said, software, "{mode}: the log says how pages are drawn");
        })
        .await;
    }
}

#[tokio::test]
async fn closing_to_the_tray_releases_the_webview_and_a_second_launch_brings_it_back() {
    let _tray = TrayHost::start();
    let app = App::launch("hide_to_tray", Launch::default()).await;
    app.run(async |app| {
        let info = app.invoke("app_info", json!({})).await.unwrap();
        assert_eq!(
            info["trayAvailable"], true,
            "the fake tray host should be seen"
        );
        wait_until(PATIENCE, "the window to show", main_window_visible).await;
        let pids = app_pids();
        assert_eq!(pids.len(), 1, "one app process");

        close_main_window_until("the window to close", || !main_window_visible()).await;
        // Closed, the webview is gone; that the app kept running (rather than quitting late)
        // shows below: the second launch finds it and hands over, and it is still the one
        // process.
        wait_until(PATIENCE, "the web process to exit", || {
            web_processes(pids[0]).is_empty()
        })
        .await;
        assert_eq!(app_pids(), pids, "the process keeps running in the tray");

        let status = app.second_launch(&[]).await;
        assert!(
            status.success(),
            "second launch exits after handing over: {status:?}"
        );
        wait_until(PATIENCE, "the window to come back", main_window_visible).await;
        app.follow_new_window().await;
        app.invoke("app_info", json!({})).await.unwrap();
        assert_eq!(app_pids(), pids, "still one instance");
    })
    .await;
}

#[tokio::test]
async fn a_second_launch_delivers_its_tokdeck_url_to_the_running_instance() {
    let _tray = TrayHost::start();
    let app = App::launch("deep_link_forwarding", Launch::default()).await;
    app.run(async |app| {
        close_main_window_until("the window to close", || !main_window_visible()).await;

        assert!(app.second_launch(&["tokdeck://focus"]).await.success());
        wait_until(PATIENCE, "the link to open the window", main_window_visible).await;
        app.follow_new_window().await;
        app.record_toasts().await;
        assert!(app.second_launch(&["tokdeck://focus"]).await.success());
        app.wait_toast("tokdeck://focus").await;

        assert!(app
            .second_launch(&["tokdeck://unknown-action?x=1"])
            .await
            .success());
        // Both links reached the first instance and were audited.
        wait_invoke(
            app,
            "both links in the audit log",
            "list_audit",
            json!({ "query": { "limit": 20 } }),
            |audit| {
                let entries = audit.as_array().unwrap();
                let focus = entries.iter().any(|e| {
                    e["action"] == "deeplink.receive"
                        && e["outcome"] == "ok"
                        && e["detail"].as_str().unwrap().contains("tokdeck://focus")
                });
                let unknown = entries.iter().any(|e| {
                    e["action"] == "deeplink.receive"
                        && e["outcome"] == "rejected"
                        && e["detail"]
                            .as_str()
                            .unwrap()
                            .contains("tokdeck://unknown-action")
                });
                focus && unknown
            },
        )
        .await;
        assert!(
            !app.log_text().contains("x=1"),
            "link queries never reach the log"
        );
    })
    .await;
}

#[tokio::test]
async fn without_a_tray_host_closing_the_window_quits_and_says_why() {
    let app = App::launch("no_tray_quits", Launch::default()).await;
    let data_dir = app.data_dir.clone();
    let info = app.invoke("app_info", json!({})).await.unwrap();
    assert_eq!(info["trayAvailable"], false);
    close_main_window_until("the app to quit", || app_pids().is_empty()).await;
    let log = std::fs::read_dir(data_dir.join("logs"))
        .unwrap()
        .flatten()
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect::<String>();
    assert!(log.contains("no tray host"), "log says why: {log}");
    assert!(
        log.contains("Tokdeck stopped cleanly"),
        "clean shutdown: {log}"
    );
    app.close().await;
}

#[tokio::test]
async fn a_damaged_database_gets_a_clear_error_and_is_left_untouched() {
    let root = tempfile::tempdir().unwrap();
    let data_dir = root.path().join("data");
    std::fs::create_dir_all(&data_dir).unwrap();
    let db = data_dir.join("tokdeck.sqlite3");
    std::fs::write(&db, b"definitely not sqlite").unwrap();
    let app = App::launch(
        "damaged_database",
        Launch {
            data_dir: Some(data_dir),
            ..Default::default()
        },
    )
    .await;
    app.run(async |app| {
        let info = app.invoke("app_info", json!({})).await.unwrap();
        assert_eq!(info["startupError"]["code"], "storage");
        let text = app.text("startup-error").await;
        assert!(text.contains("left it untouched"), "{text}");
        let err = app.invoke("get_settings", json!({})).await.unwrap_err();
        assert_eq!(err["code"], "storage");
    })
    .await;
    assert_eq!(std::fs::read(&db).unwrap(), b"definitely not sqlite");
}

#[tokio::test]
async fn the_window_comes_back_where_and_how_big_it_was() {
    let root = tempfile::tempdir().unwrap();
    let launch = || Launch {
        root: Some(root.path().to_path_buf()),
        ..Default::default()
    };
    let app = App::launch("window_state_first", launch()).await;
    app.client
        .set_window_rect(40, 30, 1024, 700)
        .await
        .expect("resize the window");
    wait_for("the window to be moved and resized", async || {
        let rect = app.client.get_window_rect().await.unwrap();
        if rect == (40, 30, 1024, 700) {
            Ok(())
        } else {
            Err(format!("{rect:?}"))
        }
    })
    .await;
    // No tray host here, so closing the window quits and saves the window state.
    close_main_window_until("the app to quit", || app_pids().is_empty()).await;
    app.close().await;

    let app = App::launch("window_state_second", launch()).await;
    app.run(async |app| {
        let (x, y, w, h) = app.client.get_window_rect().await.unwrap();
        assert_eq!((w, h), (1024, 700), "size restored");
        assert_eq!((x, y), (40, 30), "position restored");
    })
    .await;
}
