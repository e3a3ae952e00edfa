//! The window's life cycle with a tray: closing it destroys the webview (its WebKit web process
//! exits) while the app keeps publishing; "Open Tokdeck" makes a new window on the page it
//! showed, as big and where it was.

use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{
    app_pids, close_main_window_until, main_window_visible, post_status, tray_click, tray_menu,
    wait_for, wait_until, web_processes, App, Launch, TrayHost, PATIENCE,
};

#[tokio::test]
async fn closed_to_the_tray_the_webview_goes_publishing_goes_on_and_it_reopens_where_it_was() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let _tray = TrayHost::start();
    let app = App::launch("tray_life", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let account = connect(app, &sim, "maya.makes").await;
        let id = draft(app, &video, account, "Out while the window is closed").await;

        wait_until(PATIENCE, "the window to show", main_window_visible).await;
        let pids = app_pids();
        assert_eq!(pids.len(), 1, "one app process");
        let pid = pids[0];
        wait_until(PATIENCE, "a web process for the page", || {
            !web_processes(pid).is_empty()
        })
        .await;

        app.client
            .set_window_rect(60, 40, 1000, 700)
            .await
            .expect("resize the window");
        wait_for("the window to be moved and resized", async || {
            let rect = app.client.get_window_rect().await.unwrap();
            if rect == (60, 40, 1000, 700) {
                Ok(())
            } else {
                Err(format!("{rect:?}"))
            }
        })
        .await;

        // Due in 40 s: it must go out while the window is closed.
        let due = Local::now() + Span::seconds(40);
        schedule(
            app,
            id,
            json!({ "kind": "at", "local": due.format("%Y-%m-%dT%H:%M:%S").to_string() }),
        )
        .await;
        post_status(app, id, "scheduled").await;
        goto(app, "#/queue").await;
        app.wait_css(&format!("[data-testid=queue-row][data-post-id=\"{id}\"]"))
            .await;

        close_main_window_until("the window to close", || !main_window_visible()).await;
        wait_until(PATIENCE, "the web process to exit", || {
            web_processes(pid).is_empty()
        })
        .await;
        assert_eq!(app_pids(), pids, "the app keeps running in the tray");
        // Closed, it hands back the memory the window used (its own code pages among it), and
        // still publishes below: the pages it needs come back.
        wait_until(PATIENCE, "the window's memory to be handed back", || {
            app.log_text()
                .contains("unused pages of the program and its libraries handed back")
        })
        .await;
        let before = sim.get("/__sim/posts").await;
        assert!(
            !before.to_string().contains("PUBLISH_COMPLETE"),
            "published before the window closed: {before}"
        );

        // Published while closed: the simulator receives it, with no window to see it.
        wait_for("the post to be published while closed", async || {
            let posts = sim.get("/__sim/posts").await;
            let done = posts
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["status"] == "PUBLISH_COMPLETE"));
            if done {
                Ok(())
            } else {
                Err(posts.to_string())
            }
        })
        .await;
        assert!(!main_window_visible(), "publishing did not open the window");
        assert!(
            web_processes(pid).is_empty(),
            "no webview came back by itself"
        );

        // "Open Tokdeck": a new window, on the Queue, as big and where it was.
        assert!(tray_click("Open Tokdeck"), "menu: {:?}", tray_menu());
        wait_until(PATIENCE, "the window to come back", main_window_visible).await;
        app.follow_new_window().await;
        let hash = app.js("return location.hash;", vec![]).await;
        assert_eq!(hash, json!("#/queue"), "reopened on the page it showed");
        assert_eq!(
            app.client.get_window_rect().await.unwrap(),
            (60, 40, 1000, 700),
            "reopened as big and where it was"
        );
        let row =
            format!("[data-testid=queue-row][data-post-id=\"{id}\"] [data-testid=queue-status]");
        wait_for("the queue to show it published", async || {
            let el = app
                .client
                .find(fantoccini::Locator::Css(&row))
                .await
                .map_err(|e| e.to_string())?;
            let text = el.text().await.unwrap_or_default();
            if text.contains("Published") {
                Ok(())
            } else {
                Err(format!("queue status: {text:?}"))
            }
        })
        .await;
        assert_eq!(app_pids(), pids, "still the one instance");
        assert_eq!(web_processes(pid).len(), 1, "one web process again");
    })
    .await;
}
