//! Screenshots of the parts a creator judges by eye (`cargo test ... screens -- --ignored`):
//! the Queue page with posts whose outcome is unknown, the Accounts page's cards, the calendar,
//! the composer open on a draft, and a toast, each at the smallest supported window (900×600)
//! and at 1920×1080. Saved under
//! `tests/artifacts/screens/` to be looked at; nothing is asserted about pixels.

use chrono::{Duration as Span, Local};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_invoke, App, Launch};

const SIZES: [(u32, u32); 2] = [(900, 600), (1920, 1080)];

/// Saves what the window shows into `tests/artifacts/screens/`.
async fn shoot(app: &App, name: &str) {
    app.shoot("screens", name).await;
}

/// Closes every toast (each with its own close button, as a creator would) and scrolls
/// `selector` into the middle of the page.
async fn tidy(app: &App, selector: &str) {
    app.client
        .execute(
            "document.querySelector('[data-testid=toast-dismiss-all]')?.click(); \
             for (const b of document.querySelectorAll('[aria-label=\"Dismiss notification\"]')) b.click(); \
             document.querySelector(arguments[0])?.scrollIntoView({ block: 'center' });",
            vec![json!(selector)],
        )
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "writes screenshots to look at; run by hand"]
async fn screens() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("screens", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let leo = connect(app, &sim, "leo_travels").await;
        let kitchen = connect(app, &sim, "quiet.kitchen").await;

        // Two ordinary posts later this week.
        for (i, caption) in [
            "Sunday market haul #food",
            "Behind the scenes of today's shoot",
        ]
        .iter()
        .enumerate()
        {
            let id = draft(app, &video, maya, caption).await;
            let at = Local::now() + Span::days(i as i64 + 1);
            schedule(
                app,
                id,
                json!({ "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() }),
            )
            .await;
        }

        // The init's answer is lost: TikTok may have the post, no publish id is known.
        let lost = draft(app, &video, leo, "Sunrise over the harbour #travel").await;
        sim.post(
            "/__sim/faults",
            json!({ "endpoint": "video_init", "kind": "drop_after" }),
        )
        .await;
        schedule(app, lost, json!({ "kind": "now" })).await;
        post_status(app, lost, "needs_attention").await;

        // Processing hangs and the sign-in is revoked meanwhile: a publish id is known, so
        // Check again is offered, next to Mark as posted and Dismiss.
        let stuck = draft(app, &video, kitchen, "One-pan lemon pasta in 10 minutes").await;
        sim.post(
            "/__sim/faults",
            json!({ "endpoint": "video_init", "kind": "stall_processing" }),
        )
        .await;
        schedule(app, stuck, json!({ "kind": "now" })).await;
        wait_invoke(
            app,
            "the stuck post to be processing",
            "publish_job",
            json!({ "postId": stuck }),
            |j| j["state"] == "processing",
        )
        .await;
        let open_id = sim.open_id_of("quiet.kitchen").await;
        sim.post("/__sim/tokens/revoke", json!({ "open_id": open_id }))
            .await;
        sim.post(
            "/__sim/tokens/expire",
            json!({ "open_id": open_id, "refresh": false }),
        )
        .await;
        post_status(app, stuck, "needs_attention").await;

        goto(app, "#/queue").await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            app.wait_css(&format!(
                "[data-testid=queue-row][data-post-id=\"{stuck}\"] [data-testid=queue-check-again]"
            ))
            .await;
            tidy(
                app,
                &format!("[data-testid=queue-row][data-post-id=\"{stuck}\"]"),
            )
            .await;
            shoot(app, &format!("queue-{w}x{h}")).await;
        }

        goto(app, "#/accounts").await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            app.wait_testid("account-card").await;
            tidy(app, "[data-testid=account-card][data-status=active]").await;
            shoot(app, &format!("accounts-{w}x{h}")).await;
        }
        // The card of the account whose sign-in was revoked.
        tidy(
            app,
            "[data-testid=account-card][data-status=needs_reconnect]",
        )
        .await;
        shoot(app, "accounts-reconnect-1920x1080").await;

        goto(app, "#/calendar").await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            app.wait_testid("calendar-month-view").await;
            tidy(app, "[data-testid=calendar-post]").await;
            shoot(app, &format!("calendar-{w}x{h}")).await;
        }

        // The composer on a fresh draft (its sections are separate components).
        let fresh = draft(app, &video, maya, "Three ways to fold a dumpling #food").await;
        goto(app, &format!("#/compose/{fresh}")).await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            app.wait_testid("compose-creator-nickname").await;
            tidy(app, "[data-testid=composer]").await;
            shoot(app, &format!("compose-{w}x{h}")).await;
        }

        // A toast, from what a creator does: Check again on the post whose account is revoked.
        goto(app, "#/queue").await;
        app.record_toasts().await;
        for (w, h) in SIZES {
            app.resize(w, h).await;
            let row = format!("[data-testid=queue-row][data-post-id=\"{stuck}\"]");
            tidy(app, &row).await;
            app.click_css(&format!(
                "[data-testid=queue-row][data-post-id=\"{stuck}\"] [data-testid=queue-check-again]"
            ))
            .await;
            app.wait_testid("toast").await;
            shoot(app, &format!("toast-{w}x{h}")).await;
        }
    })
    .await;
}
