//! Publishing paused (from the tray or Settings) is said in the window: a banner on every page
//! with Resume, and the scheduled posts show as paused. Before, only the tray said it.

use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{wait_for, wait_invoke, App, Launch};

#[tokio::test]
async fn paused_publishing_shows_on_every_page_until_resumed() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("paused_banner", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let id = draft(app, &video, maya, "Paused in the window").await;
        let at = Local::now() + Span::days(1);
        schedule(
            app,
            id,
            json!({ "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() }),
        )
        .await;

        // Paused the way the tray does it: through the engine, not this page.
        app.invoke(
            "update_settings",
            json!({ "patch": { "publishingPaused": true } }),
        )
        .await
        .unwrap();
        for page in [
            "#/accounts",
            "#/calendar",
            "#/compose",
            "#/settings",
            "#/queue",
        ] {
            goto(app, page).await;
            app.wait_testid("paused-banner").await;
        }
        let row =
            format!("[data-testid=queue-row][data-post-id=\"{id}\"] [data-testid=queue-status]");
        app.wait_css(&row).await;
        wait_for("the scheduled post to show as paused", async || {
            let text = app
                .client
                .find(fantoccini::Locator::Css(&row))
                .await
                .map_err(|e| e.to_string())?
                .text()
                .await
                .map_err(|e| e.to_string())?;
            if text.contains("Paused") {
                Ok(())
            } else {
                Err(text)
            }
        })
        .await;

        app.click("paused-banner-resume").await;
        wait_invoke(
            app,
            "publishing to be resumed in the engine",
            "get_settings",
            json!({}),
            |s| s["publishingPaused"] == false,
        )
        .await;
        wait_for("the banner to go", async || {
            let gone = app
                .client
                .execute(
                    "return !document.querySelector('[data-testid=paused-banner]');",
                    vec![],
                )
                .await
                .unwrap();
            if gone == json!(true) {
                Ok(())
            } else {
                Err("still shown".into())
            }
        })
        .await;
    })
    .await;
}

/// #13, trap 3: "Publish now" on a post whose account was removed said "Publishing now", did
/// nothing visible, rewrote its time to now and fired the moment the account came back.
#[tokio::test]
async fn publish_now_on_a_removed_accounts_post_says_why_and_keeps_its_time() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("publish_now_removed", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let id = draft(app, &video, maya, "Waits for its account").await;
        let at = Local::now() + Span::days(1);
        let scheduled = app
            .invoke(
                "schedule_post",
                json!({ "postId": id, "when": {
                    "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() } }),
            )
            .await
            .unwrap();
        let time = scheduled["post"]["scheduledAt"].clone();
        assert!(time.is_string(), "{scheduled}");

        app.invoke("remove_account", json!({ "accountId": maya }))
            .await
            .unwrap();
        goto(app, "#/queue").await;
        app.record_toasts().await;
        let button = format!(
            "[data-testid=queue-row][data-post-id=\"{id}\"] [data-testid=queue-publish-now]"
        );
        app.wait_css(&button).await;
        app.click_css(&button).await;
        let toast = app.wait_toast("reconnect it first").await;
        assert!(toast.contains("disconnected"), "{toast}");
        assert!(!toast.contains("Publishing now"), "{toast}");
        let post = app
            .invoke("get_post", json!({ "postId": id }))
            .await
            .unwrap();
        assert_eq!(post["status"], "scheduled", "{post}");
        assert_eq!(
            post["scheduledAt"], time,
            "the time was not touched: {post}"
        );

        // Reconnected, it keeps its own time: nothing goes out now.
        let again = connect(app, &sim, "maya.makes").await;
        assert_eq!(again, maya, "the same TikTok user lands on the same card");
        let post = wait_invoke(
            app,
            "the post to be resumed",
            "get_post",
            json!({ "postId": id }),
            |p| p["pausedReason"].is_null(),
        )
        .await;
        assert_eq!(post["status"], "scheduled", "{post}");
        assert_eq!(post["scheduledAt"], time, "{post}");
        let job = app
            .invoke("publish_job", json!({ "postId": id }))
            .await
            .unwrap();
        assert!(job.is_null(), "nothing was started: {job}");
    })
    .await;
}
