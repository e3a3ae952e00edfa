//! #15, multi-select in the Queue: several queued posts are chosen, shifted a day later, the
//! shift undone with the toast's one Undo, then all of them cancelled to Trash and restored
//! with the next toast's Undo — at 900×600, where the action bar and the toasts cover nothing.
//! In the Calendar, Select mode chooses chips instead of opening them; the chosen posts are
//! deleted to Trash and come back with the toast's Undo.

use chrono::Days;
use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::calendar::{count_is, months_to};
use crate::compose::{click_next, connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_for, App, Launch};
use crate::trash::toast_covers_nothing;

fn choose(id: i64) -> String {
    format!("[data-testid=queue-row][data-post-id=\"{id}\"] [data-testid=queue-choose]")
}

async fn scheduled_at(app: &App, id: i64) -> String {
    app.invoke("get_post", json!({ "postId": id }))
        .await
        .unwrap()["scheduledAt"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits until post `id` is scheduled at `at` (or, with `moved`, anywhere else).
async fn wait_at(app: &App, id: i64, at: &str, moved: bool) -> String {
    wait_for(
        &format!("post {id} {}", if moved { "moved" } else { "back" }),
        async || {
            let now = scheduled_at(app, id).await;
            if (now == at) != moved {
                Ok(now)
            } else {
                Err(format!("at {now}"))
            }
        },
    )
    .await
}

#[tokio::test]
async fn chosen_queue_posts_shift_a_day_undo_then_cancel_and_restore() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("bulk_queue", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        app.resize(900, 600).await;
        let mut ids = Vec::new();
        for d in 2..5 {
            let id = draft(app, &video, maya, &format!("Beach day {d}")).await;
            let at = (Local::now() + Span::days(d))
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            schedule(app, id, json!({ "kind": "at", "local": at })).await;
            ids.push(id);
        }
        let before: Vec<String> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(scheduled_at(app, *id).await);
            }
            v
        };
        goto(app, "#/queue").await;
        app.record_toasts().await;
        for id in &ids {
            app.click_css(&choose(*id)).await;
        }
        let count = app.text("bulk-count").await;
        assert!(count.contains("3 posts chosen"), "{count}");

        // Shift… one day later: the preview line says so, the toast offers Undo.
        app.click("bulk-shift").await;
        let line = app.text("bulk-shift-preview").await;
        assert!(line.contains("3 posts move 1 day later"), "{line}");
        app.shoot("bulk", "queue-chosen-900x600").await;
        app.click("bulk-shift-apply").await;
        app.wait_toast("3 posts moved 1 day later").await;
        for (id, at) in ids.iter().zip(&before) {
            let moved = wait_at(app, *id, at, true).await;
            let (a, b) = (
                chrono::DateTime::parse_from_rfc3339(at).unwrap(),
                chrono::DateTime::parse_from_rfc3339(&moved).unwrap(),
            );
            let hours = (b - a).num_hours();
            assert!((23..=25).contains(&hours), "moved {hours} h");
        }
        toast_covers_nothing(app, "Queue after a shift at 900x600", true).await;
        app.shoot("bulk", "queue-shift-toast-900x600").await;
        app.click_css("[data-testid=toast]:last-child [data-testid=toast-action]")
            .await;
        for (id, at) in ids.iter().zip(&before) {
            wait_at(app, *id, at, false).await;
        }

        // Choose them again (the choice cleared after the shift) and cancel them all.
        for id in &ids {
            app.wait_css(&choose(*id)).await;
            app.click_css(&choose(*id)).await;
        }
        app.click("bulk-cancel").await;
        app.wait_toast("3 posts cancelled").await;
        toast_covers_nothing(app, "Queue after a cancel at 900x600", true).await;
        for id in &ids {
            post_status(app, *id, "cancelled").await;
        }
        app.click_css("[data-testid=toast]:last-child [data-testid=toast-action]")
            .await;
        for (id, at) in ids.iter().zip(&before) {
            let back = post_status(app, *id, "scheduled").await;
            assert_eq!(back["scheduledAt"].as_str(), Some(at.as_str()), "same time");
        }
    })
    .await;
}

#[tokio::test]
async fn calendar_select_mode_chooses_chips_deletes_them_and_undo_brings_them_back() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("bulk_calendar", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        app.resize(900, 600).await;
        let day = Local::now().date_naive() + Days::new(2);
        let mut ids = Vec::new();
        for (i, hour) in [9, 11].into_iter().enumerate() {
            let id = draft(app, &video, maya, &format!("Market day {i}")).await;
            let local = format!("{}T{hour:02}:15", day.format("%Y-%m-%d"));
            schedule(app, id, json!({ "kind": "at", "local": local })).await;
            ids.push(id);
        }
        let before = [
            scheduled_at(app, ids[0]).await,
            scheduled_at(app, ids[1]).await,
        ];

        goto(app, "#/calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_to(day)).await;
        let chip = |id: i64| format!("[data-testid=calendar-post][data-post-id=\"{id}\"]");
        for id in &ids {
            app.wait_css(&chip(*id)).await;
        }
        app.record_toasts().await;
        app.click("calendar-select").await;
        for id in &ids {
            app.click_css(&chip(*id)).await;
        }
        // Clicking in Select mode chose the chips; it opened no post.
        count_is(app, "[data-testid=calendar-post][aria-pressed=true]", 2).await;
        let count = app.text("bulk-count").await;
        assert!(count.contains("2 posts chosen"), "{count}");
        let hash = app.js("return location.hash;", vec![]).await;
        assert!(
            hash.as_str().unwrap_or_default().starts_with("#/calendar"),
            "still on the calendar: {hash}"
        );

        app.click("bulk-delete").await;
        app.wait_toast("2 posts deleted (in Trash)").await;
        toast_covers_nothing(app, "Calendar after a delete at 900x600", true).await;
        for id in &ids {
            post_status(app, *id, "cancelled").await;
            count_is(app, &chip(*id), 0).await;
        }
        app.click_css("[data-testid=toast]:last-child [data-testid=toast-action]")
            .await;
        for (id, at) in ids.iter().zip(&before) {
            let back = post_status(app, *id, "scheduled").await;
            assert_eq!(back["scheduledAt"].as_str(), Some(at.as_str()), "same time");
            app.wait_css(&chip(*id)).await;
        }
    })
    .await;
}
