//! The tray publisher end to end: a post scheduled a minute ahead in the composer goes out while
//! the window is closed to the tray; the tray menu tells what is next, a native notification
//! says it was posted, and a click on that notification brings the window back, where the
//! Queue shows it published.

use std::time::Duration;

use chrono::{Duration as Span, Local, Timelike};

use crate::accounts::Sim;
use crate::compose::{connect, goto, ingest, make_video, set_input};
use crate::support::{
    close_main_window_until, main_window_visible, post_status, tray_menu, wait_for, wait_until,
    App, Launch, NotificationDaemon, TrayHost, PATIENCE,
};

fn menu_has(prefix: &str) -> Option<String> {
    tray_menu()
        .into_iter()
        .map(|(_, label)| label)
        .find(|l| l.starts_with(prefix))
}

#[tokio::test]
async fn a_post_scheduled_a_minute_ahead_goes_out_from_the_tray_once() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let _tray = TrayHost::start();
    let daemon = NotificationDaemon::start().await;
    let app = App::launch("tray_publish", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let account = connect(app, &sim, "maya.makes").await;
        let post_id = ingest(app, &video, account).await["draftId"]
            .as_i64()
            .expect("a draft");

        // The next whole minute at least 20 s away, in the composer's (the system's) zone.
        let mut due = Local::now() + Span::minutes(1);
        due = due.with_second(0).unwrap().with_nanosecond(0).unwrap();
        if due - Local::now() < Span::seconds(20) {
            due += Span::minutes(1);
        }
        goto(app, &format!("#/compose/{post_id}")).await;
        app.wait_testid("compose-creator-nickname").await;
        app.select("compose-privacy", "SELF_ONLY").await;
        set_input(app, "compose-caption", "Out from the tray #tokdeck").await;
        set_input(app, "compose-date", &due.format("%Y-%m-%d").to_string()).await;
        set_input(app, "compose-time", &due.format("%H:%M").to_string()).await;
        app.click("compose-schedule").await;
        post_status(app, post_id, "scheduled").await;

        // The tray tells what comes next (Linux trays show no tooltip, so the menu does).
        let expected = format!("Next post: today {} · @maya.makes", due.format("%H:%M"));
        let expected_tomorrow =
            format!("Next post: tomorrow {} · @maya.makes", due.format("%H:%M"));
        wait_until(PATIENCE, "the tray to show the next post", || {
            menu_has("Next post").is_some_and(|l| l == expected || l == expected_tomorrow)
        })
        .await;
        assert!(
            tray_menu()
                .iter()
                .any(|(enabled, l)| !enabled && l == "Nothing publishing now"),
            "{:?}",
            tray_menu()
        );

        close_main_window_until("the window to close", || !main_window_visible()).await;

        // The simulator receives exactly one post, at the due time.
        let limit = (due - Local::now()).to_std().unwrap_or_default() + Duration::from_secs(60);
        let started = std::time::Instant::now();
        let posts = loop {
            let posts = sim.get("/__sim/posts").await;
            let done = posts
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p["status"] == "PUBLISH_COMPLETE"));
            if done {
                break posts;
            }
            assert!(started.elapsed() < limit, "not published: {posts}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        assert_eq!(posts.as_array().unwrap().len(), 1, "{posts}");
        let published_at = Local::now();
        assert!(
            published_at >= due && published_at - due < Span::seconds(30),
            "published at {published_at}, due {due}"
        );
        let requests = sim.get("/__sim/requests").await;
        assert_eq!(requests["video_init"], 1, "one init: {requests}");

        // A native notification said so, with the account and the caption's start.
        let posted = |n: &str| {
            n.contains("Posted") && n.contains("@maya.makes") && n.contains("Out from the tray")
        };
        wait_until(PATIENCE, "the Posted notification", || {
            daemon.notifications().iter().any(|n| posted(n))
        })
        .await;
        wait_until(PATIENCE, "the tray to drop the post", || {
            menu_has("No post scheduled").is_some()
        })
        .await;
        assert!(!main_window_visible(), "publishing did not open the window");

        // A click on the notification brings the window back (made anew: it was closed to the
        // tray), and the Queue shows the post published.
        let id = daemon.id_of(posted).expect("the Posted notification's id");
        daemon.click(id);
        wait_until(PATIENCE, "the window to come back", main_window_visible).await;
        app.follow_new_window().await;
        goto(app, "#/queue").await;
        let row = format!(
            "[data-testid=queue-row][data-post-id=\"{post_id}\"] [data-testid=queue-status]"
        );
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
    })
    .await;
}
