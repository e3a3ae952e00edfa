//! A published post opens read-only (#13, trap 7): its caption, account and TikTok link ("View
//! on TikTok", opened in the system browser), the publish history, and "Duplicate as new" for
//! an editable copy; before, it opened in the editable composer, which refused only on Save.
//! And a failed post offers Retry in the Queue, which publishes it.

use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_for, wait_invoke, wait_until, App, Launch, PATIENCE};

/// Saves what the window shows with `selector` scrolled to the top of the page.
async fn shoot(app: &App, name: &str, selector: &str) {
    app.shoot_at("published", name, selector, "start").await;
}

#[tokio::test]
async fn a_published_post_opens_read_only_with_its_tiktok_link_history_and_duplicate() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("published_view", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let caption = "Morning light on the wheel #tokdeck";
        let id = draft(app, &video, maya, caption).await;
        // Public, so TikTok names the post and it has a page to link to.
        app.invoke(
            "update_post",
            json!({ "postId": id, "patch": {
                "caption": null, "privacyLevel": "PUBLIC_TO_EVERYONE", "allowComment": null,
                "allowDuet": null, "allowStitch": null, "commercial": null, "isAigc": null,
                "coverTimestampMs": null, "mode": null } }),
        )
        .await
        .unwrap();
        schedule(app, id, json!({ "kind": "now" })).await;
        post_status(app, id, "published").await;
        let job = wait_invoke(
            app,
            "TikTok's public post id",
            "publish_job",
            json!({ "postId": id }),
            |j| j["publicPostIds"].as_str().is_some_and(|s| s.len() > 2),
        )
        .await;
        let ids: Vec<String> =
            serde_json::from_str(job["publicPostIds"].as_str().unwrap()).unwrap();
        let url = format!("https://www.tiktok.com/@maya.makes/video/{}", ids[0]);

        // Opened as the Queue's Edit and the calendar open it.
        goto(app, &format!("#/compose/{id}")).await;
        app.wait_testid("post-view").await;
        let fields = app
            .js(
                "return document.querySelectorAll('[data-testid=post-view] input, \
             [data-testid=post-view] textarea, [data-testid=post-view] select').length \
             + (document.querySelector('[data-testid=composer]') ? 100 : 0);",
                vec![],
            )
            .await;
        assert_eq!(fields, json!(0), "no editable field, no composer");
        assert!(app.text("post-view-caption").await.contains(caption));
        assert!(app.text("post-view-account").await.contains("@maya.makes"));
        let link = app.wait_testid("post-view-on-tiktok").await;
        assert_eq!(link.text().await.unwrap(), "View on TikTok");
        assert_eq!(
            link.attr("href").await.unwrap().as_deref(),
            Some(url.as_str())
        );
        wait_for("the publish history", async || {
            let n = app
                .js(
                    "return document.querySelectorAll('[data-testid=post-view] \
                 [data-testid=queue-history-row]').length;",
                    vec![],
                )
                .await;
            if n.as_u64().unwrap_or(0) >= 2 {
                Ok(())
            } else {
                Err(n.to_string())
            }
        })
        .await;
        app.resize(900, 600).await;
        shoot(app, "post-view-900x600", "[data-testid=post-view]").await;
        app.resize(1920, 1080).await;
        shoot(app, "post-view-1920x1080", "[data-testid=post-view]").await;
        app.invoke("update_settings", json!({ "patch": { "theme": "dark" } }))
            .await
            .unwrap();
        shoot(app, "post-view-1920x1080-dark", "[data-testid=post-view]").await;
        app.resize(900, 600).await;
        shoot(app, "post-view-900x600-dark", "[data-testid=post-view]").await;

        // The system browser opens TikTok's page.
        app.click("post-view-on-tiktok").await;
        wait_until(PATIENCE, "the browser to open the post's page", || {
            app.browser_log().contains(&format!("visit {url}"))
        })
        .await;

        // Duplicate as new: an editable draft with the same caption, in the composer.
        app.click("post-duplicate").await;
        app.wait_testid("composer").await;
        let copy = wait_for("the copy to open", async || {
            let hash = app.js("return location.hash;", vec![]).await;
            let hash = hash.as_str().unwrap_or_default().to_owned();
            match hash.strip_prefix("#/compose/").map(str::parse::<i64>) {
                Some(Ok(n)) if n != id => Ok(n),
                _ => Err(hash),
            }
        })
        .await;
        let post = app
            .invoke("get_post", json!({ "postId": copy }))
            .await
            .unwrap();
        assert_eq!(post["status"], "draft");
        assert_eq!(post["caption"], caption);
        let value = app
            .js(
                "return document.querySelector('[data-testid=compose-caption]').value;",
                vec![],
            )
            .await;
        assert_eq!(value, json!(caption));
        assert_eq!(
            app.js(
                "return !!document.querySelector('[data-testid=post-view]');",
                vec![]
            )
            .await,
            json!(false)
        );
        // The published post itself is untouched.
        let original = app
            .invoke("get_post", json!({ "postId": id }))
            .await
            .unwrap();
        assert_eq!(original["status"], "published");
    })
    .await;
}

#[tokio::test]
async fn a_failed_post_offers_retry_in_the_queue_and_retry_publishes_it() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("published_retry", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let id = draft(app, &video, maya, "Fails once, then goes out").await;
        // TikTok ends this publish as cancelled: a failure the publisher does not retry alone.
        sim.post(
            "/__sim/faults",
            json!({ "endpoint": "video_init", "kind": "fail_reason", "fail_reason": "publish_cancelled" }),
        )
        .await;
        schedule(app, id, json!({ "kind": "now" })).await;
        post_status(app, id, "failed").await;

        goto(app, "#/queue").await;
        let row = format!("[data-testid=queue-row][data-post-id=\"{id}\"]");
        let retry = format!("{row} [data-testid=queue-retry]");
        app.wait_css(&retry).await;
        let chips = app.js(&format!(
                "return [...document.querySelectorAll('{row} .badge')].map(b => b.textContent.trim());"
            ), vec![])
        .await;
        let failed = chips
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c.as_str() == Some("Failed"))
            .count();
        assert_eq!(failed, 1, "Failed once: {chips}");
        app.resize(900, 600).await;
        shoot(app, "queue-failed-900x600", &row).await;
        app.click_css(&retry).await;
        post_status(app, id, "published").await;
        let posts = sim.get("/__sim/posts").await;
        let complete = posts
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["status"] == "PUBLISH_COMPLETE")
            .count();
        assert_eq!(complete, 1, "{posts}");
        app.resize(1920, 1080).await;
        shoot(app, "queue-retried-1920x1080", &row).await;
    })
    .await;
}
