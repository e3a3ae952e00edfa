//! #13 trap 1, "drafts vanish": drafts made in one run are listed after leaving Compose and
//! after a restart, on the Drafts page (with the sidebar's count) and in Compose's list; and a
//! draft dragged from the calendar's Drafts panel onto a day is scheduled there (09:00).

use chrono::{Datelike, Duration as Days, NaiveDate};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{click_next, connect, draft, drag, ingest, make_video, wait_post_in};
use crate::support::{post_status, wait_for, App, Launch};

/// The post ids shown by the elements with `testid`, in page order, once `want` of them show.
async fn ids_shown(app: &App, testid: &str, want: usize) -> Vec<i64> {
    wait_for(&format!("{want} × {testid}"), async || {
        let got = app
            .client
            .execute(
                "return [...document.querySelectorAll(`[data-testid=\"${arguments[0]}\"]`)] \
                 .map((e) => Number(e.dataset.postId));",
                vec![json!(testid)],
            )
            .await
            .unwrap();
        let ids: Vec<i64> = serde_json::from_value(got).unwrap();
        if ids.len() == want {
            Ok(ids)
        } else {
            Err(format!("{ids:?}"))
        }
    })
    .await
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort();
    ids
}

/// Saves what the window shows under `tests/artifacts/drafts/` (to look at; nothing asserted).
async fn shoot(app: &App, name: &str) {
    app.shoot("drafts", name).await;
}

async fn drag_onto(app: &App, from: &str, to: &str) {
    let from = app.wait_css(from).await;
    let to = app.wait_css(to).await;
    drag(app, from, to).await;
}

#[tokio::test]
async fn drafts_survive_leaving_compose_and_a_restart_and_drag_onto_the_calendar() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let launch = || Launch {
        root: Some(root.path().join("app")),
        ..Default::default()
    };
    std::fs::create_dir_all(root.path().join("app")).unwrap();

    // A day two days ahead (the drop gives it 09:00, in the future), and how many months
    // ahead of today's it is.
    let today = chrono::Local::now().date_naive();
    let day: NaiveDate = today + Days::days(2);
    let months_ahead =
        (day.year() - today.year()) as i64 * 12 + day.month() as i64 - today.month() as i64;
    let cell = format!("[data-testid=calendar-day][data-date=\"{day}\"]");
    let at_nine = format!("{}T09:00", day.format("%Y-%m-%d"));

    let mut drafts = vec![];
    let mut dropped = 0;
    let app = App::launch("drafts_first_run", launch()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let leo = connect(app, &sim, "leo_travels").await;
        // Three drafts as a drop makes them: one ready to schedule, two unfinished (no
        // privacy chosen yet), on two accounts.
        dropped = draft(app, &video, maya, "Pottery timelapse #clay").await;
        let unfinished = ingest(app, &video, leo).await["draftId"].as_i64().unwrap();
        let other = ingest(app, &video, maya).await["draftId"].as_i64().unwrap();
        drafts = sorted(vec![dropped, unfinished, other]);

        // Compose lists them, then the creator goes elsewhere.
        app.click("nav-compose").await;
        assert_eq!(sorted(ids_shown(app, "compose-draft", 3).await), drafts);
        app.click("nav-drafts").await;
        assert_eq!(sorted(ids_shown(app, "draft-card", 3).await), drafts);
        wait_for("the sidebar to count 3 drafts", async || {
            let n = app.text("nav-drafts-count").await;
            if n == "3" {
                Ok(())
            } else {
                Err(n)
            }
        })
        .await;
        let card = app
            .wait_css(&format!(
                "[data-testid=draft-card][data-post-id=\"{unfinished}\"]"
            ))
            .await;
        let text = card.text().await.unwrap();
        assert!(
            text.contains("Choose who can see it (privacy) before scheduling."),
            "the unfinished draft says what is missing: {text}"
        );
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            shoot(app, &format!("drafts-page-{w}x{h}")).await;
        }

        // Filter by account: Leo has one draft.
        app.select("drafts-filter", &leo.to_string()).await;
        assert_eq!(ids_shown(app, "draft-card", 1).await, vec![unfinished]);
        app.select("drafts-filter", "").await;
        ids_shown(app, "draft-card", 3).await;

        // The calendar's Drafts panel: drag the ready draft onto the day.
        app.record_toasts().await;
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_ahead).await;
        ids_shown(app, "calendar-draft", 3).await;
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            shoot(app, &format!("calendar-drafts-panel-{w}x{h}")).await;
        }
        let item = format!("[data-testid=calendar-draft][data-post-id=\"{dropped}\"]");
        drag_onto(app, &item, &cell).await;
        let post = post_status(app, dropped, "scheduled").await;
        assert_eq!(
            post["scheduleLocal"], at_nine,
            "a day's drop is at 09:00: {post}"
        );
        wait_post_in(app, &cell, dropped).await;
        app.wait_toast("Scheduled “Pottery timelapse #clay”").await;
        shoot(app, "calendar-after-drop-1920x1080").await;

        // Undo takes it back to the drafts; dropped again, it is scheduled again.
        app.click("toast-action").await;
        post_status(app, dropped, "draft").await;
        ids_shown(app, "calendar-draft", 3).await;
        drag_onto(app, &item, &cell).await;
        let post = post_status(app, dropped, "scheduled").await;
        assert_eq!(post["scheduleLocal"], at_nine, "{post}");
        ids_shown(app, "calendar-draft", 2).await;
    })
    .await;

    // Restart on the same data: the other drafts are all still listed, on the Drafts page, in
    // Compose and in the calendar's panel; the dropped one is on its day.
    let rest: Vec<i64> = drafts.iter().copied().filter(|id| *id != dropped).collect();
    let app = App::launch("drafts_after_restart", launch()).await;
    app.run(async |app| {
        app.click("nav-drafts").await;
        assert_eq!(sorted(ids_shown(app, "draft-card", 2).await), rest);
        assert_eq!(app.text("nav-drafts-count").await, "2");
        app.click("nav-compose").await;
        assert_eq!(sorted(ids_shown(app, "compose-draft", 2).await), rest);
        let title = app.text("compose-drafts-title").await;
        assert!(title.starts_with("Drafts (2)"), "{title}");

        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_ahead).await;
        wait_post_in(app, &cell, dropped).await;
        assert_eq!(sorted(ids_shown(app, "calendar-draft", 2).await), rest);
    })
    .await;
}
