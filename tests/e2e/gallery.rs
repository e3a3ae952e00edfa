//! `make screenshot`: every page of the real app at the smallest supported window (900×600)
//! and at 1920×1080, in the light and the dark theme, written to `docs/screenshots/` and linked
//! from the README. The demo it shows is made the way a creator makes it (three accounts,
//! a month of posts, one published, one failed, one waiting for a decision, drafts); nothing is
//! asserted about pixels, but every page must reach its ready state or the run fails.

use std::path::PathBuf;

use chrono::{Duration as Span, Local, Timelike};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video, schedule};
use crate::support::{post_status, wait_for, App, Launch};

const SIZES: [(u32, u32); 2] = [(900, 600), (1920, 1080)];
const THEMES: [&str; 2] = ["light", "dark"];

/// One picture: a name, the route that opens it and what shows it is ready.
struct Shot {
    name: &'static str,
    route: String,
    ready: &'static str,
    /// A control (test id) to press once the page is open, e.g. another view of the calendar.
    press: Option<&'static str>,
    /// The part of the page to bring to the top (the page's top when none).
    at: Option<&'static str>,
}

fn out_dir() -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
}

pub(crate) async fn set_theme(app: &App, theme: &str) {
    app.invoke("update_settings", json!({ "patch": { "theme": theme } }))
        .await
        .unwrap();
    wait_for(&format!("the {theme} theme"), async || {
        let t = app
            .client
            .execute("return document.documentElement.dataset.theme;", vec![])
            .await
            .unwrap();
        if t == json!(theme) {
            Ok(())
        } else {
            Err(t.to_string())
        }
    })
    .await;
}

/// Closes every toast as a creator would and shows the page from its top.
async fn top(app: &App) {
    app.client
        .execute(
            "document.querySelector('[data-testid=toast-dismiss-all]')?.click(); \
             for (const b of document.querySelectorAll('[aria-label=\"Dismiss notification\"]')) b.click(); \
             document.querySelector('.main')?.scrollTo(0, 0);",
            vec![],
        )
        .await
        .unwrap();
}

async fn dismiss_toasts(app: &App) {
    app.client
        .execute(
            "for (const b of document.querySelectorAll('[aria-label=\"Dismiss notification\"]')) b.click();",
            vec![],
        )
        .await
        .unwrap();
}

/// A month a creator would recognise: posts spread over the coming weeks at their usual hours.
async fn seed(app: &App, sim: &Sim, video: &std::path::Path) -> Vec<(String, i64)> {
    let maya = connect(app, sim, "maya.makes").await;
    let leo = connect(app, sim, "leo_travels").await;
    let kitchen = connect(app, sim, "quiet.kitchen").await;
    let captions = [
        (maya, "Sunday market haul #food #weekend"),
        (leo, "Sunrise over the harbour 🌅 #travel"),
        (kitchen, "One-pan lemon pasta in 10 minutes"),
        (maya, "Behind the scenes of today's shoot"),
        (leo, "Three days in Lisbon on a budget"),
        (kitchen, "Knife skills: the claw grip"),
    ];
    let start = Local::now().with_minute(0).unwrap() + Span::days(1);
    for day in 0..14 {
        let (account, caption) = captions[day % captions.len()];
        let id = draft(app, video, account, caption).await;
        let at = start + Span::days(day as i64) + Span::hours([0, 3, 8][day % 3]);
        schedule(
            app,
            id,
            json!({ "kind": "at", "local": at.format("%Y-%m-%dT%H:%M").to_string() }),
        )
        .await;
    }

    // Published now, so the read-only view and the history have something to show.
    let published = draft(app, video, maya, "Five-minute breakfast ideas #food").await;
    schedule(app, published, json!({ "kind": "now" })).await;
    post_status(app, published, "published").await;

    // TikTok refuses a file after the upload: a failure with its reason.
    let failed = draft(app, video, leo, "Packing light for a week").await;
    sim.post(
        "/__sim/faults",
        json!({ "endpoint": "status", "kind": "fail_reason", "fail_reason": "file_format_check_failed" }),
    )
    .await;
    schedule(app, failed, json!({ "kind": "now" })).await;
    post_status(app, failed, "failed").await;

    // The init's answer is lost: Tokdeck cannot know whether TikTok has the post.
    let unknown = draft(app, video, kitchen, "Sourdough starter, day 1").await;
    sim.post(
        "/__sim/faults",
        json!({ "endpoint": "video_init", "kind": "drop_after" }),
    )
    .await;
    schedule(app, unknown, json!({ "kind": "now" })).await;
    post_status(app, unknown, "needs_attention").await;

    // Drafts not yet planned.
    let d1 = draft(app, video, maya, "Draft: what I eat in a day").await;
    draft(app, video, leo, "Draft: night train to Porto").await;

    // Three months of the accounts' lives as the sampler would have kept them (a test cannot
    // wait for them): daily counts with a few days Tokdeck was closed, and each account's
    // public videos with their views by age, so Analytics has charts and a best-time pattern.
    let db = crate::analytics_seed::pool(app).await;
    crate::analytics_seed::snapshots(&db, &[maya, leo, kitchen], 90, Some((20, 23))).await;
    for (account, n) in [(maya, 40), (leo, 24), (kitchen, 6)] {
        crate::analytics_seed::videos(&db, account, n, 60).await;
    }
    db.close().await;

    // One post deleted, so Trash has something to restore.
    let gone = draft(app, video, kitchen, "Old take of the pasta video").await;
    app.invoke("delete_post", json!({ "postId": gone }))
        .await
        .unwrap();
    vec![
        ("published".into(), published),
        ("failed".into(), failed),
        ("draft".into(), d1),
    ]
}

fn shots(posts: &[(String, i64)]) -> Vec<Shot> {
    let id = |name: &str| {
        posts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .unwrap()
    };
    vec![
        Shot {
            name: "accounts",
            route: "#/accounts".into(),
            ready: "[data-testid=account-card]",
            press: None,
            at: None,
        },
        Shot {
            name: "compose",
            route: "#/compose".into(),
            ready: "[data-testid=page-compose]",
            press: None,
            at: None,
        },
        Shot {
            name: "compose-draft",
            route: format!("#/compose/{}", id("draft")),
            ready: "[data-testid=compose-creator-nickname]",
            press: None,
            at: None,
        },
        Shot {
            name: "compose-variants",
            route: format!("#/compose/{}", id("draft")),
            ready: "[data-testid=variants-target]",
            press: None,
            at: Some("[data-testid=compose-variants]"),
        },
        Shot {
            name: "drafts",
            route: "#/drafts".into(),
            ready: "[data-testid=page-drafts]",
            press: None,
            at: None,
        },
        Shot {
            name: "calendar-month",
            route: "#/calendar".into(),
            ready: "[data-testid=calendar-month-view]",
            press: None,
            at: None,
        },
        Shot {
            name: "calendar-week",
            route: "#/calendar".into(),
            ready: "[data-testid=calendar-now-line]",
            press: Some("calendar-toggle-week"),
            at: None,
        },
        Shot {
            name: "calendar-agenda",
            route: "#/calendar".into(),
            ready: "[data-testid=calendar-agenda-post]",
            press: Some("calendar-toggle-agenda"),
            at: None,
        },
        Shot {
            name: "queue",
            route: "#/queue".into(),
            ready: "[data-testid=queue-row]",
            press: None,
            at: None,
        },
        Shot {
            name: "published-post",
            route: format!("#/compose/{}", id("published")),
            ready: "[data-testid=post-view]",
            press: None,
            at: None,
        },
        Shot {
            name: "analytics",
            route: "#/analytics".into(),
            ready: "[data-testid=analytics-compare-chart] canvas",
            press: None,
            at: None,
        },
        Shot {
            name: "analytics-compare",
            route: "#/analytics".into(),
            ready: "[data-testid=analytics-compare-row]",
            press: None,
            at: Some("[data-testid=analytics-compare]"),
        },
        Shot {
            name: "analytics-best-time",
            route: "#/analytics".into(),
            ready: "[data-testid=analytics-heatmap][data-enough=true]",
            press: None,
            at: Some("[data-testid=analytics-best-time]"),
        },
        Shot {
            name: "trash",
            route: "#/trash".into(),
            ready: "[data-testid=trash-row]",
            press: None,
            at: None,
        },
        Shot {
            name: "settings",
            route: "#/settings".into(),
            ready: "[data-testid=settings-jump]",
            press: None,
            at: None,
        },
        Shot {
            name: "settings-backups",
            route: "#/settings".into(),
            ready: "[data-testid=backup-status-title]",
            press: None,
            at: Some("#backups"),
        },
    ]
}

/// `TOKDECK_GALLERY_ONLY=settings-backups,trash` regenerates only those pictures (the whole
/// set takes a while); unset, every picture.
fn wanted(name: &str) -> bool {
    match std::env::var("TOKDECK_GALLERY_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|n| n.trim() == name),
        _ => true,
    }
}

#[tokio::test]
#[ignore = "writes docs/screenshots/: run `make screenshot`"]
async fn gallery() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("gallery", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let posts = seed(app, &sim, &video).await;
        let dir = out_dir();
        std::fs::create_dir_all(&dir).unwrap();
        for theme in THEMES {
            set_theme(app, theme).await;
            for shot in shots(&posts).into_iter().filter(|s| wanted(s.name)) {
                goto(app, &shot.route).await;
                for (w, h) in SIZES {
                    app.resize(w, h).await;
                    // Opened at this size: the week scrolls to the current hour as it opens.
                    if let Some(control) = shot.press {
                        app.click("calendar-toggle-month").await;
                        app.click(control).await;
                    }
                    app.wait_css(shot.ready).await;
                    // The week opens at the current hour: keep that scroll, not the top.
                    if shot.name == "calendar-week" {
                        dismiss_toasts(app).await;
                    } else if let Some(part) = shot.at {
                        dismiss_toasts(app).await;
                        app.js(
                            "document.querySelector(arguments[0]).scrollIntoView({ block: 'start' }); return null;",
                            vec![json!(part)],
                        )
                        .await;
                    } else {
                        top(app).await;
                    }
                    app.shoot_to(&dir, &format!("{}-{theme}-{w}x{h}", shot.name))
                        .await;
                }
            }
        }
        set_theme(app, "system").await;
    })
    .await;
}
