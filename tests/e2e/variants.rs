//! One video to several accounts (#15) as a creator does it: a post composed for one account
//! in Compose, "Post to other accounts too" for two others, each copy given its own caption,
//! Schedule all; the Queue then lists three posts, one account after the other at the
//! planning stagger, and the duplicate-content warning was said.

use chrono::{Duration as Days, Local};
use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::compose::{connect, goto, ingest, make_video, set_input};
use crate::gallery::set_theme;
use crate::support::{wait_for, wait_invoke, wait_text, App, Launch};

/// Types `text` into the caption of the copy for `account` (as an input method delivers it).
async fn variant_caption(app: &App, account: i64, text: &str) {
    let css = format!(
        "[data-testid=variant-row][data-account-id=\"{account}\"] [data-testid=variant-caption]"
    );
    app.wait_css(&css).await;
    app.js(
        r#"const [css, v] = arguments;
           const el = document.querySelector(css);
           Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value').set.call(el, v);
           el.dispatchEvent(new Event('input', { bubbles: true }));"#,
        vec![json!(css), json!(text)],
    )
    .await;
}

fn scheduled(queue: &Value) -> Vec<Value> {
    queue
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["status"] == "scheduled")
        .cloned()
        .collect()
}

#[tokio::test]
async fn one_video_goes_to_three_accounts_as_staggered_variants_with_their_own_captions() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let day = Local::now().date_naive() + Days::days(3);
    let app = App::launch(
        "variants_schedule_all",
        Launch {
            root: Some(root.path().join("app")),
            ..Default::default()
        },
    )
    .await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let leo = connect(app, &sim, "leo_travels").await;
        let kitchen = connect(app, &sim, "quiet.kitchen").await;
        let post = ingest(app, &video, maya).await["draftId"].as_i64().unwrap();

        goto(app, &format!("#/compose/{post}")).await;
        app.text("compose-creator-nickname").await;
        set_input(app, "compose-caption", "Morning light").await;
        app.select("compose-privacy", "SELF_ONLY").await;
        set_input(app, "compose-date", &day.format("%Y-%m-%d").to_string()).await;
        set_input(app, "compose-time", "10:00").await;
        wait_for("the post to be ready to schedule", async || {
            let off = app
                .js(
                    "return document.querySelector('[data-testid=compose-schedule]').disabled;",
                    vec![],
                )
                .await;
            if off == json!(false) { Ok(()) } else { Err("still disabled".to_owned()) }
        })
        .await;

        wait_text(app, "[data-testid=variants-stagger]", "the stagger", |t| {
            t.contains("30 min after the one before")
        })
        .await;
        for id in [leo, kitchen] {
            app.click_css(&format!("[data-testid=variants-target][value=\"{id}\"]"))
                .await;
        }
        app.click("variants-create").await;
        for id in [leo, kitchen] {
            app.wait_css(&format!(
                "[data-testid=variant-row][data-account-id=\"{id}\"] [data-testid=variant-privacy] option[value=SELF_ONLY]"
            ))
            .await;
        }
        wait_text(
            app,
            "[data-testid=variants-duplicate-warning]",
            "the duplicate-content warning",
            |t| t.contains("unoriginal"),
        )
        .await;
        variant_caption(app, leo, "Morning light, Leo's cut").await;
        variant_caption(app, kitchen, "Morning light in the kitchen").await;
        // To look at: the copies at the smallest window and at full HD, light and dark.
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            for theme in ["light", "dark"] {
                set_theme(app, theme).await;
                app.shoot_at(
                    "variants",
                    &format!("compose-with-variants-{theme}-{w}x{h}"),
                    "[data-testid=compose-variants]",
                    "start",
                )
                .await;
            }
        }

        app.click("variants-schedule-all").await;
        wait_text(app, "[data-testid=variants-summary]", "all scheduled", |t| {
            t.contains("2 copies scheduled.")
        })
        .await;
        // Now that the copies are scheduled, the warning names them.
        wait_text(
            app,
            "[data-testid=variants-duplicate-warning]",
            "the warning naming the copies",
            |t| t.contains("The same video is scheduled for"),
        )
        .await;

        let queue = wait_invoke(app, "three scheduled posts", "queue", json!({ "query": {} }), |q| {
            scheduled(q).len() == 3
        })
        .await;
        let mut posts = scheduled(&queue);
        posts.sort_by_key(|p| p["scheduledAt"].as_str().unwrap().to_owned());
        let accounts: Vec<i64> = posts.iter().map(|p| p["accountId"].as_i64().unwrap()).collect();
        assert_eq!(accounts, [maya, leo, kitchen]);
        let captions: Vec<&str> = posts.iter().map(|p| p["caption"].as_str().unwrap()).collect();
        assert_eq!(
            captions,
            ["Morning light", "Morning light, Leo's cut", "Morning light in the kitchen"]
        );
        let at: Vec<chrono::DateTime<chrono::FixedOffset>> = posts
            .iter()
            .map(|p| chrono::DateTime::parse_from_rfc3339(p["scheduledAt"].as_str().unwrap()).unwrap())
            .collect();
        assert_eq!((at[1] - at[0]).num_minutes(), 30, "{at:?}");
        assert_eq!((at[2] - at[1]).num_minutes(), 30, "{at:?}");

        goto(app, "#/queue").await;
        for p in &posts {
            app.wait_css(&format!("[data-testid=queue-row][data-post-id=\"{}\"]", p["id"]))
                .await;
        }
    })
    .await;
}
