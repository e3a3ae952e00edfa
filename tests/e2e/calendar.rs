//! The calendar for a busy month, through the real app: a busy day is a few one-line chips
//! and "+N more", which opens the day's whole list in place; the legend filters by account;
//! the week view opens at the current hour with a line at now; the agenda lists the day; and
//! the Week starts on setting moves the calendar's first column.

use chrono::{Datelike, Duration as Days, Local, NaiveDate};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{click_next, connect, draft, make_video, schedule};
use crate::gallery::set_theme;
use crate::support::{wait_for, App, Launch};

/// How many elements `selector` finds once there are exactly `n` (the view may still load).
pub(crate) async fn count_is(app: &App, selector: &str, n: usize) {
    wait_for(&format!("{n} of {selector}"), async || {
        let got = app
            .js(
                "return document.querySelectorAll(arguments[0]).length;",
                vec![json!(selector)],
            )
            .await;
        if got == json!(n) {
            Ok(())
        } else {
            Err(got.to_string())
        }
    })
    .await;
}

/// The long name of the month grid's first column.
async fn first_column(app: &App) -> String {
    app.wait_testid("calendar-weekday").await;
    app.js(
        "return document.querySelector('[data-testid=calendar-weekday] abbr').title;",
        vec![],
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

/// Months from today's month to `day`'s.
pub(crate) fn months_to(day: NaiveDate) -> i64 {
    let today = Local::now().date_naive();
    (day.year() - today.year()) as i64 * 12 + day.month() as i64 - today.month() as i64
}

#[tokio::test]
async fn a_busy_day_the_legend_the_week_the_agenda_and_the_week_start() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("calendar_busy", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let maya = connect(app, &sim, "maya.makes").await;
        let leo = connect(app, &sim, "leo_travels").await;
        // Seven posts on one day, two days ahead: four of Maya's, three of Leo's.
        let day = Local::now().date_naive() + Days::days(2);
        let mut ids = vec![];
        for i in 0..7 {
            let account = if i % 2 == 0 { maya } else { leo };
            let id = draft(app, &video, account, &format!("Busy day post {i} #batch")).await;
            let local = format!("{}T{:02}:15", day.format("%Y-%m-%d"), 9 + i);
            schedule(app, id, json!({ "kind": "at", "local": local })).await;
            ids.push(id);
        }

        app.resize(900, 600).await;
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        click_next(app, months_to(day)).await;
        let cell = format!("[data-testid=calendar-day][data-date=\"{day}\"]");
        let chips = format!("{cell} .posts [data-testid=calendar-post]");
        count_is(app, &chips, 2).await;
        let more = app.text("calendar-more").await;
        assert_eq!(more, "+5 more");
        // One line each, inside its cell, even at the smallest window.
        let fit = app.js("const cell = document.querySelector(arguments[0]).getBoundingClientRect(); \
             return [...document.querySelectorAll(arguments[1])].map((c) => { \
               const r = c.getBoundingClientRect(); \
               return { h: r.height, inside: r.left >= cell.left - 0.5 && r.right <= cell.right + 0.5, \
                        clipped: c.scrollWidth > c.clientWidth + 1 || c.scrollHeight > c.clientHeight + 1 }; });",
            vec![json!(cell), json!(chips)],
        )
        .await;
        for chip in fit.as_array().unwrap() {
            assert!(chip["h"].as_f64().unwrap() <= 24.0, "one line: {fit}");
            assert_eq!(chip["inside"], true, "the chip stays in its cell: {fit}");
        }
        app.shoot("calendar_busy", "month-900x600").await;

        // "+5 more" opens the whole day in its cell, chips to open or drag.
        app.click("calendar-more").await;
        let list = format!("{cell} [data-testid=calendar-day-list]");
        app.wait_css(&list).await;
        count_is(app, &format!("{list} [data-testid=calendar-post]"), 7).await;
        app.shoot("calendar_busy", "day-list-900x600").await;
        app.click("calendar-day-list-close").await;
        count_is(app, "[data-testid=calendar-day-list]", 0).await;

        // The legend: only Leo's posts, then every account again.
        let leo_button = format!("[data-testid=calendar-legend-account][data-account-id=\"{leo}\"]");
        app.click_css(&leo_button).await;
        count_is(app, &chips, 3).await;
        count_is(app, &format!("{cell} [data-testid=calendar-more]"), 0).await;
        app.click_css(&leo_button).await;
        count_is(app, &chips, 2).await;

        // The week of today opens at the current hour, with the now line in view, and only
        // the content pane scrolled.
        app.click("calendar-today").await;
        app.click("calendar-toggle-week").await;
        app.wait_testid("calendar-now-line").await;
        let seen = wait_for("the now line in view", async || {
            let v = app.js("const main = document.getElementById('main').getBoundingClientRect(); \
                 const line = document.querySelector('[data-testid=calendar-now-line]').getBoundingClientRect(); \
                 const head = document.querySelector('[data-testid=calendar-week-day]').getBoundingClientRect(); \
                 const hour = new Date().getHours(); \
                 const pane = document.getElementById('main'); \
                 const before = document.querySelector(`[data-testid=calendar-week-view] tr[data-hour=\"${Math.max(0, hour - 1)}\"]`).getBoundingClientRect(); \
                 return { inView: line.top >= head.bottom - 1 && line.bottom <= main.bottom, \
                          hourBeforeAtTop: hour === 0 || Math.abs(before.top - head.bottom) < 3 || pane.scrollHeight - pane.clientHeight - pane.scrollTop < 2, \
                          offBy: before.top - head.bottom, \
                          scrolled: pane.scrollTop, \
                          documentTop: document.scrollingElement.scrollTop, \
                          hour };",
                vec![],
            )
            .await;
            // Opened an hour before now, whatever the minute (at the top of an hour an off
            // placement hid the line under the headers).
            if v["inView"] == json!(true) && v["hourBeforeAtTop"] == json!(true) {
                Ok(v)
            } else {
                Err(v.to_string())
            }
        })
        .await;
        assert_eq!(seen["documentTop"], json!(0), "the shell never scrolls: {seen}");
        if seen["hour"].as_i64().unwrap() >= 6 {
            assert!(seen["scrolled"].as_f64().unwrap() > 0.0, "opened at the hour: {seen}");
        }
        app.shoot("calendar_busy", "week-900x600").await;

        // The agenda lists the busy day's seven posts, by time.
        app.click("calendar-toggle-agenda").await;
        click_next(app, months_to(day)).await;
        let rows = format!(
            "[data-testid=calendar-agenda-day][data-date=\"{day}\"] [data-testid=calendar-agenda-post]"
        );
        count_is(app, &rows, 7).await;
        let order = app.js("return [...document.querySelectorAll(arguments[0])].map((r) => Number(r.dataset.postId));",
            vec![json!(rows)],
        )
        .await;
        assert_eq!(order, json!(ids));
        app.shoot("calendar_busy", "agenda-900x600").await;

        // Week starts on: Sunday, then Saturday, from Settings; the grid follows.
        for (value, name) in [("sunday", "Sunday"), ("saturday", "Saturday"), ("monday", "Monday")] {
            app.click("nav-settings").await;
            app.select("setting-week-start", value).await;
            wait_for("the setting to be saved", async || {
                let s = app.invoke("get_settings", json!({})).await.unwrap();
                if s["weekStart"] == value {
                    Ok(())
                } else {
                    Err(s.to_string())
                }
            })
            .await;
            app.click("nav-calendar").await;
            app.click("calendar-toggle-month").await;
            wait_for(&format!("the month to start on {name}"), async || {
                let first = first_column(app).await;
                if first == name {
                    Ok(())
                } else {
                    Err(first)
                }
            })
            .await;
        }

        // Light and dark, small and large, to look at.
        for theme in ["light", "dark"] {
            set_theme(app, theme).await;
            for (w, h) in [(900, 600), (1920, 1080)] {
                app.resize(w, h).await;
                for view in ["month", "week", "agenda"] {
                    app.click(&format!("calendar-toggle-{view}")).await;
                    app.wait_testid(&format!(
                        "calendar-{}",
                        if view == "agenda" { "agenda".into() } else { format!("{view}-view") }
                    ))
                    .await;
                    app.shoot("calendar_busy", &format!("{view}-{theme}-{w}x{h}")).await;
                }
            }
        }
        set_theme(app, "system").await;
    })
    .await;
}
