//! Compose and schedule end to end: a real video made by ffmpeg, ingested through the same
//! path as a window drop, composed in the UI under TikTok's rules, scheduled, seen in the month
//! and week views, dragged to another day with the pointer, and still there after a restart.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{Datelike, Duration as Days, NaiveDate};
use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::elements::Element;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::accounts::Sim;
use crate::support::{post_status, wait_for, wait_invoke, App, Launch};

pub(crate) fn make_video(dir: &Path) -> PathBuf {
    let out = dir.join("clip.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=640x360:rate=30",
            "-t",
            "2",
        ])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&out)
        .status()
        .expect("ffmpeg is installed by scripts/setup.sh");
    assert!(status.success());
    out
}

/// Presses on `from`, moves past the drag threshold, then over `to` and releases, as a hand
/// with a mouse does (the calendar drags with pointer events).
pub(crate) async fn drag(app: &App, from: Element, to: Element) {
    let drag = MouseActions::new("mouse".to_owned())
        .then(PointerAction::MoveToElement {
            element: from,
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(100)),
            x: 10.0,
            y: 0.0,
        })
        .then(PointerAction::MoveToElement {
            element: to,
            duration: Some(Duration::from_millis(300)),
            x: 0.0,
            y: 10.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    app.client.perform_actions(drag).await.unwrap();
    let _ = app.client.release_actions().await;
}

pub(crate) async fn connect(app: &App, sim: &Sim, username: &str) -> i64 {
    let open_id = sim.open_id_of(username).await;
    sim.post("/__sim/consent", json!({ "open_id": open_id }))
        .await;
    app.invoke("connect_account", json!({})).await.unwrap();
    let connected = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["openId"] == open_id)
            .cloned()
    };
    let page = wait_invoke(
        app,
        &format!("{username} to connect"),
        "list_accounts",
        json!({ "query": {} }),
        |page| connected(page).is_some(),
    )
    .await;
    connected(&page).unwrap()["id"].as_i64().unwrap()
}

/// Adds a video for an account the way a drop or the file picker does (both end in
/// `ingest_paths`); answers its accepted result (facts and draft id).
pub(crate) async fn ingest(app: &App, video: &Path, account: i64) -> Value {
    let results = app
        .invoke(
            "ingest_paths",
            json!({ "paths": [video.display().to_string()], "accountId": account }),
        )
        .await
        .unwrap();
    let result = results.as_array().unwrap()[0].clone();
    assert!(result["error"].is_null(), "{result}");
    result
}

/// A draft with a caption and a privacy level, ready to schedule.
pub(crate) async fn draft(app: &App, video: &std::path::Path, account: i64, caption: &str) -> i64 {
    let id = ingest(app, video, account).await["draftId"]
        .as_i64()
        .expect("a draft");
    app.invoke(
        "update_post",
        json!({ "postId": id, "patch": {
            "caption": caption, "privacyLevel": "SELF_ONLY", "allowComment": null,
            "allowDuet": null, "allowStitch": null, "commercial": null, "isAigc": null,
            "coverTimestampMs": null, "mode": null } }),
    )
    .await
    .unwrap();
    id
}

pub(crate) async fn schedule(app: &App, id: i64, when: Value) {
    app.invoke("schedule_post", json!({ "postId": id, "when": when }))
        .await
        .unwrap();
}

/// Sets an input's value the way typing does (an `input` event), for date/time inputs whose
/// native pickers WebDriver cannot type into portably.
pub(crate) async fn set_input(app: &App, testid: &str, value: &str) {
    app.wait_testid(testid).await;
    app.client
        .execute(
            r#"const [id, v] = arguments;
               const el = document.querySelector(`[data-testid="${id}"]`);
               const proto = Object.getPrototypeOf(el);
               Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);
               el.dispatchEvent(new Event('input', { bubbles: true }));
               el.dispatchEvent(new Event('change', { bubbles: true }));"#,
            vec![json!(testid), json!(value)],
        )
        .await
        .unwrap();
}

pub(crate) async fn goto(app: &App, hash: &str) {
    app.client
        .execute("location.hash = arguments[0];", vec![json!(hash)])
        .await
        .unwrap();
}

async fn post_local_date(app: &App, id: i64) -> String {
    let post = app
        .invoke("get_post", json!({ "postId": id }))
        .await
        .unwrap();
    post_local(&post)[..10].to_owned()
}

fn post_local(post: &Value) -> String {
    post["scheduleLocal"]
        .as_str()
        .unwrap_or_else(|| panic!("post has no local time: {post}"))
        .to_owned()
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Days::days(d.weekday().num_days_from_monday() as i64)
}

/// Pages the calendar forward, each time until the title names the next period (the grid is
/// drawn with it; the period's posts load after, so look for them with `wait_post_in`).
pub(crate) async fn click_next(app: &App, times: i64) {
    for _ in 0..times {
        let before = app.text("calendar-month").await;
        app.click_css("[data-testid=page-calendar] button[aria-label=Next]")
            .await;
        wait_for("the calendar to show the next period", async || {
            let now = app.text("calendar-month").await;
            if now == before {
                Err(now)
            } else {
                Ok(())
            }
        })
        .await;
    }
}

pub(crate) async fn wait_post_in(app: &App, cell_selector: &str, id: i64) {
    app.wait_css(&format!(
        "{cell_selector} [data-testid=calendar-post][data-post-id=\"{id}\"]"
    ))
    .await;
}

async fn wait_post_date(app: &App, id: i64, what: &str, date: NaiveDate) -> Value {
    let want = date.format("%Y-%m-%d").to_string();
    wait_invoke(app, what, "get_post", json!({ "postId": id }), |post| {
        post["scheduleLocal"]
            .as_str()
            .is_some_and(|l| l.starts_with(&want))
    })
    .await
}

#[tokio::test]
async fn compose_schedule_see_drag_and_find_it_after_a_restart() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let launch = || Launch {
        root: Some(root.path().join("app")),
        ..Default::default()
    };
    std::fs::create_dir_all(root.path().join("app")).unwrap();

    // A date whose next day is in the same month, so month navigation is one click at most.
    let today = chrono::Local::now().date_naive();
    let mut day = today + Days::days(2);
    if (day + Days::days(1)).month() != day.month() {
        day = NaiveDate::from_ymd_opt(
            day.year() + (day.month() / 12) as i32,
            day.month() % 12 + 1,
            3,
        )
        .unwrap();
    }
    let moved_to = day + Days::days(1);
    let months_ahead =
        (day.year() - today.year()) as i64 * 12 + day.month() as i64 - today.month() as i64;
    let weeks_ahead = (monday(day) - monday(today)).num_days() / 7;

    let app = App::launch("compose_schedule", launch()).await;
    let mut post_id = 0;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let account = connect(app, &sim, "maya.makes").await;

        let result = ingest(app, &video, account).await;
        assert_eq!(result["facts"]["width"], 640);
        post_id = result["draftId"]
            .as_i64()
            .expect("a draft per acceptable video");

        goto(app, &format!("#/compose/{post_id}")).await;
        let nickname = app.text("compose-creator-nickname").await;
        assert!(
            nickname.contains("Maya Makes"),
            "fresh creator info names the account: {nickname}"
        );

        // TikTok's rules: privacy has no default and is required; the choices are the creator's.
        let schedule = app.wait_testid("compose-schedule").await;
        assert!(
            schedule.attr("disabled").await.unwrap().is_some(),
            "no privacy chosen yet"
        );
        let privacy = app.wait_testid("compose-privacy").await;
        assert_eq!(privacy.prop("value").await.unwrap().unwrap_or_default(), "");
        let options = privacy.find_all(Locator::Css("option")).await.unwrap();
        let mut values = vec![];
        for o in options {
            let v = o.attr("value").await.unwrap().unwrap_or_default();
            if !v.is_empty() {
                values.push(v);
            }
        }
        assert_eq!(
            values,
            ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        );
        for toggle in [
            "compose-allow-comment",
            "compose-allow-duet",
            "compose-allow-stitch",
        ] {
            let el = app.wait_testid(toggle).await;
            assert!(
                !el.is_selected().await.unwrap(),
                "{toggle} is off by default"
            );
        }
        assert!(app
            .text("compose-consent")
            .await
            .contains("Music Usage Confirmation"));

        // WebKit's WebDriver cannot type characters outside the BMP, so the caption is set the
        // way an input method would deliver it.
        set_input(
            app,
            "compose-caption",
            "First clip of the week #tokdeck @leo_travels 🎬",
        )
        .await;
        // 🎬 counts as two UTF-16 units, as TikTok counts.
        let count = app.text("compose-caption-count").await;
        assert!(count.starts_with("47"), "UTF-16 count: {count}");
        app.select("compose-privacy", "SELF_ONLY").await;
        set_input(app, "compose-date", &day.format("%Y-%m-%d").to_string()).await;
        set_input(app, "compose-time", "10:30").await;
        app.click("compose-schedule").await;

        post_status(app, post_id, "scheduled")
        .await;
        assert_eq!(
            post_local_date(app, post_id).await,
            day.format("%Y-%m-%d").to_string()
        );

        // Month view, then week view.
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_ahead).await;
        let cell = format!("[data-testid=calendar-day][data-date=\"{day}\"]");
        wait_post_in(app, &cell, post_id).await;
        // Its thumbnail (made by ffmpeg at ingest) loads through the CSP from the loopback
        // server: the agenda shows it (month chips are one line, without images).
        app.click("calendar-toggle-agenda").await;
        let thumb = format!(
            "[data-testid=calendar-agenda-post][data-post-id=\"{post_id}\"] [data-testid=calendar-thumb]"
        );
        let width = wait_for("the thumbnail to load", async || {
            let width = app
                .client
                .execute(
                    "const el = document.querySelector(arguments[0]); \
                     return el && el.complete ? el.naturalWidth : null;",
                    vec![json!(thumb)],
                )
                .await
                .unwrap();
            match width.as_i64() {
                Some(w) if w > 0 => Ok(w),
                _ => Err(width.to_string()),
            }
        })
        .await;
        assert_eq!(width, 160, "the thumbnail image loaded, 160 px wide");
        app.click("calendar-toggle-month").await;
        wait_post_in(app, &cell, post_id).await;
        app.click("calendar-toggle-week").await;
        app.click("calendar-toggle-month").await;
        app.click("calendar-toggle-week").await;
        // The week view opens on the displayed anchor; walk to the post's week (its day's column
        // is drawn at once), then its post is in the 10 o'clock slot once the week has loaded.
        let column = format!("[data-testid=calendar-week-day][data-date=\"{day}\"]");
        let mut walked = 0;
        while app.client.find(Locator::Css(&column)).await.is_err() {
            assert!(
                walked <= weeks_ahead.max(0) + 5,
                "the week view never reached {day}"
            );
            click_next(app, 1).await;
            walked += 1;
        }
        let slot = format!("[data-testid=calendar-slot][data-date=\"{day}\"][data-hour=\"10\"]");
        wait_post_in(app, &slot, post_id).await;

        // Drag it to the next day in the month view, with the pointer.
        app.click("calendar-toggle-month").await;
        wait_post_in(app, &cell, post_id).await;
        let post_el = app
            .client
            .find(Locator::Css(&format!(
                "{cell} [data-testid=calendar-post][data-post-id=\"{post_id}\"]"
            )))
            .await
            .unwrap();
        let target = app
            .client
            .find(Locator::Css(&format!(
                "[data-testid=calendar-day][data-date=\"{moved_to}\"]"
            )))
            .await
            .unwrap();
        drag(app, post_el, target).await;
        let post = wait_post_date(app, post_id, "dragging to reschedule the post", moved_to).await;
        assert!(
            post_local(&post).contains("10:30"),
            "the time of day is kept: {post}"
        );
    })
    .await;

    // Reopen the app on the same data: the post is where it was dragged.
    let app = App::launch("compose_schedule_reopen", launch()).await;
    app.run(async |app| {
        let post = app
            .invoke("get_post", json!({ "postId": post_id }))
            .await
            .unwrap();
        assert_eq!(post["status"], "scheduled");
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_ahead).await;
        wait_post_in(
            app,
            &format!("[data-testid=calendar-day][data-date=\"{moved_to}\"]"),
            post_id,
        )
        .await;
    })
    .await;
}

/// Measures, in the page, which of its controls the shown toasts cover: every control's visible
/// part (clipped by the window and by each scroll area around it) against every toast's,
/// with the page scrolled to its top and to its bottom. Answers how many toasts it measured and
/// the covered controls.
const COVERED_BY_TOASTS: &str = r#"
const region = document.querySelector('[data-testid="toaster"]');
const controls = 'a[href], button, input, select, textarea, summary, label, [role="button"], '
  + '[role="switch"], [role="checkbox"], [role="radio"], [role="menuitem"], [role="tab"], '
  + '[tabindex]:not([tabindex="-1"])';
const meet = (a, b) => ({
  left: Math.max(a.left, b.left), top: Math.max(a.top, b.top),
  right: Math.min(a.right, b.right), bottom: Math.min(a.bottom, b.bottom),
});
const none = (r) => r.right <= r.left || r.bottom <= r.top;
function shown(el) {
  const style = getComputedStyle(el);
  if (style.visibility === 'hidden' || style.display === 'none') return null;
  let r = meet(el.getBoundingClientRect(), { left: 0, top: 0, right: innerWidth, bottom: innerHeight });
  for (let p = el.parentElement; p && !none(r); p = p.parentElement) {
    const o = getComputedStyle(p);
    if (/auto|scroll|hidden|clip/.test(o.overflowX + o.overflowY)) r = meet(r, p.getBoundingClientRect());
  }
  return none(r) ? null : r;
}
// What of each toast shows (a crowded toast area scrolls, clipping the oldest).
const toasts = [...document.querySelectorAll('[data-testid="toast"]')].map(shown).filter(Boolean);
const covered = new Set();
function measure() {
  for (const el of document.querySelectorAll(controls)) {
    if (region && region.contains(el)) continue;
    const r = shown(el);
    if (!r) continue;
    for (const t of toasts) {
      if (none(meet(r, t))) continue;
      const name = el.dataset.testid || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40);
      covered.add(`${el.tagName.toLowerCase()} "${name}"`);
    }
  }
}
const main = document.getElementById('main');
const was = main.scrollTop;
main.scrollTop = 0;
measure();
main.scrollTop = main.scrollHeight;
measure();
main.scrollTop = was;
return { toasts: toasts.length, covered: [...covered], width: innerWidth, height: innerHeight };
"#;

/// The toast row's height, each shown toast's, and whether older ones are folded away.
const TOAST_STRIP: &str = r#"
const region = document.querySelector('[data-testid="toaster"]');
return {
  height: region.getBoundingClientRect().height,
  shown: [...region.querySelectorAll('[data-testid="toast"]')].map((t) => t.getBoundingClientRect().height),
  more: !!region.querySelector('[data-testid="toast-more"]'),
};
"#;

/// The smallest window the app allows, toasts showing: none of them covers a control of the
/// composer, so a click meant for one (the privacy select, once) is never taken by a toast.
#[tokio::test]
async fn toasts_never_cover_the_composer_in_the_smallest_window() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("toasts_never_cover", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let account = connect(app, &sim, "maya.makes").await;
        let post_id = ingest(app, &video, account).await["draftId"]
            .as_i64()
            .expect("a draft");
        goto(app, &format!("#/compose/{post_id}")).await;
        app.wait_testid("compose-creator-nickname").await;

        app.client
            .set_window_rect(0, 0, 900, 600)
            .await
            .expect("resize the window");
        wait_for("the page to be 900×600", async || {
            let size = app
                .client
                .execute("return [innerWidth, innerHeight];", vec![])
                .await
                .unwrap();
            if size == json!([900, 600]) {
                Ok(())
            } else {
                Err(size.to_string())
            }
        })
        .await;

        // Toasts that stay a while (a link Tokdeck cannot open warns for 8 s), as many as show
        // at once; when one has gone before it was measured, another is called up.
        for _ in 0..3 {
            assert!(app
                .second_launch(&["tokdeck://unknown-action"])
                .await
                .success());
        }
        let seen = wait_for("several toasts to measure", async || {
            let seen = app.client.execute(COVERED_BY_TOASTS, vec![]).await.unwrap();
            if seen["toasts"].as_u64().unwrap_or(0) >= 2 {
                return Ok(seen);
            }
            assert!(app
                .second_launch(&["tokdeck://unknown-action"])
                .await
                .success());
            Err(seen.to_string())
        })
        .await;
        assert_eq!(seen["covered"], json!([]), "toasts cover controls: {seen}");

        // More toasts than it shows: one line each, the newest two and "+N more", so the row
        // stays short (three toasts of two lines took 110 px of this 600 px-high window).
        let strip = wait_for("a third toast, folded away", async || {
            let strip = app.client.execute(TOAST_STRIP, vec![]).await.unwrap();
            if strip["more"] == json!(true) {
                return Ok(strip);
            }
            assert!(app
                .second_launch(&["tokdeck://unknown-action"])
                .await
                .success());
            Err(strip.to_string())
        })
        .await;
        println!("toast strip at 900x600: {strip}");
        assert!(
            strip["shown"].as_array().unwrap().len() <= 2,
            "at most two shown: {strip}"
        );
        assert!(
            strip["shown"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h.as_f64().unwrap() <= 40.0),
            "one line per toast: {strip}"
        );
        assert!(
            strip["height"].as_f64().unwrap() <= 84.0,
            "the strip stays short: {strip}"
        );
        let seen = app.client.execute(COVERED_BY_TOASTS, vec![]).await.unwrap();
        assert_eq!(seen["covered"], json!([]), "toasts cover controls: {seen}");
        app.shoot("toasts_never_cover", "toasts-900x600").await;

        // And a person's click reaches the select while they show: no retry here, a toast in
        // the way would fail it with ElementClickIntercepted.
        let privacy = app.wait_testid("compose-privacy").await;
        privacy
            .select_by_value("SELF_ONLY")
            .await
            .expect("the privacy select takes the click");
        assert_eq!(
            privacy.prop("value").await.unwrap().as_deref(),
            Some("SELF_ONLY")
        );
    })
    .await;
}
