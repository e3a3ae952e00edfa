//! Publishing paused (from the tray or Settings) is said in the window: a banner on every page
//! with Resume, and the scheduled posts show as paused. Before, only the tray said it.

use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, goto, ingest, make_video};
use crate::support::{wait_for, wait_invoke, App, Launch};

#[tokio::test]
async fn paused_publishing_shows_on_every_page_until_resumed() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("paused_banner", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let id = ingest(app, &video, maya).await["draftId"]
            .as_i64()
            .expect("a draft");
        app.invoke(
            "update_post",
            json!({ "postId": id, "patch": {
                "caption": "Paused in the window", "privacyLevel": "SELF_ONLY",
                "allowComment": null, "allowDuet": null, "allowStitch": null,
                "commercial": null, "isAigc": null, "coverTimestampMs": null, "mode": null } }),
        )
        .await
        .unwrap();
        let at = Local::now() + Span::days(1);
        app.invoke(
            "schedule_post",
            json!({ "postId": id, "when": {
                "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() } }),
        )
        .await
        .unwrap();

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
