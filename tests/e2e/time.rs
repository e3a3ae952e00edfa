//! Time is unambiguous (#13): a date typed as digits reads back in words, a post in another
//! zone says both times, the zone picker finds a city and an offset (recent zones first), and
//! the Queue and the Calendar show the same post at the same time, by the rule they state.

use fantoccini::{elements::Element, Locator};
use serde_json::json;

use crate::accounts::Sim;
use crate::compose::{connect, draft, goto, make_video};
use crate::support::{post_status, wait_for, wait_invoke, wait_text, App, Launch};

/// Saves what the window shows (to look at; nothing is asserted about pixels).
async fn shoot(app: &App, name: &str) {
    app.shoot("time", name).await;
}

/// The zone picker's options for what is typed in its search (zone ids, in order).
async fn search_zones(app: &App, query: &str, want: &str) -> Vec<(String, String)> {
    let search = app.wait_testid("compose-zone-search").await;
    search.clear().await.unwrap();
    search.send_keys(query).await.unwrap();
    wait_for(
        &format!("the zone search for {query:?} to list {want}"),
        async || {
            let mut got = vec![];
            for o in app.all_testid("compose-zone-option").await {
                let zone = o.attr("data-zone").await.unwrap().unwrap_or_default();
                got.push((zone, o.text().await.unwrap_or_default()));
            }
            if got.iter().any(|(z, _)| z == want) {
                Ok(got)
            } else {
                Err(format!("{got:?}"))
            }
        },
    )
    .await
}

async fn option(app: &App, zone: &str) -> Element {
    app.wait_css(&format!(
        "[data-testid=compose-zone-option][data-zone=\"{zone}\"]"
    ))
    .await
}

#[tokio::test]
async fn a_typed_time_reads_back_both_zones_show_and_queue_and_calendar_agree() {
    let root = tempfile::tempdir().unwrap();
    let video = make_video(root.path());
    let app = App::launch("time", Launch::default()).await;
    app.run(async |app| {
        let sim = Sim::of(app).await;
        let account = connect(app, &sim, "maya.makes").await;
        let yours = app.invoke("system_time_zone", json!({})).await.unwrap();
        // A post zone whose clock reads differently from this computer's.
        let (there, city) = if yours == "America/New_York" {
            ("Asia/Kolkata", "Kolkata")
        } else {
            ("America/New_York", "New York")
        };
        let id = draft(app, &video, account, "Typed time").await;
        goto(app, &format!("#/compose/{id}")).await;

        // Empty, it says so in words (no grey text that looks filled in).
        let empty = app.text("compose-readback").await;
        assert_eq!(empty, "No time set");
        assert_eq!(
            app.wait_testid("compose-date")
                .await
                .prop("value")
                .await
                .unwrap(),
            Some(String::new())
        );

        // Digits in the locale's order, typed as a creator types them.
        let order = app
            .wait_testid("compose-field")
            .await
            .attr("data-order")
            .await
            .unwrap()
            .unwrap();
        let digits = match order.as_str() {
            "mdy" => "12022027 0900",
            "ymd" => "20271202 0900",
            _ => "02122027 0900",
        };
        let date = app.wait_testid("compose-date").await;
        date.click().await.unwrap();
        date.send_keys(digits).await.unwrap();
        let day_in_words = app
            .js(
                "return new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' })\
               .format(new Date('2027-12-02T00:00:00Z'));",
                vec![],
            )
            .await;
        let day_in_words = day_in_words.as_str().unwrap().to_owned();
        let read = wait_text(
            app,
            "[data-testid=compose-readback]",
            "the typed digits to read back as 2 December 2027, 09:00",
            |t| t.starts_with(&day_in_words) && t.contains("9:00"),
        )
        .await;
        assert!(!read.contains("add a"), "date and time both read: {read}");
        // Leaving the field writes the date out the way the read-back says it.
        app.click("compose-caption").await;
        let shown = app
            .wait_testid("compose-date")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(shown.contains("2027") && !shown.contains(digits), "{shown}");

        // The zone picker: by city …
        app.click("compose-zone").await;
        let by_city = search_zones(app, &city.to_lowercase(), there).await;
        assert_eq!(by_city[0].0, there, "{by_city:?}");
        assert!(
            by_city[0].1.starts_with(&format!("{city} (GMT")),
            "said as people say it: {by_city:?}"
        );
        shoot(app, "zone-search-city").await;
        // … and by offset.
        let by_offset = search_zones(app, "+5:30", "Asia/Kolkata").await;
        assert!(
            by_offset
                .iter()
                .all(|(_, label)| label.contains("GMT+5:30")),
            "{by_offset:?}"
        );
        let minus5 = search_zones(app, "GMT-5", "America/Bogota").await;
        assert!(
            minus5
                .iter()
                .all(|(_, l)| !l.contains('_') && !l.contains("Etc/")),
            "{minus5:?}"
        );
        option(app, "America/Bogota").await.click().await.unwrap();
        // Recent zones come first next time.
        app.click("compose-zone").await;
        let search = app.wait_testid("compose-zone-search").await;
        search.clear().await.unwrap();
        option(app, "America/Bogota").await;
        let first = app.all_testid("compose-zone-option").await;
        assert_eq!(
            first[0].attr("data-zone").await.unwrap().as_deref(),
            Some("America/Bogota"),
            "the zone picked last is first"
        );
        search_zones(app, &city.to_lowercase(), there).await;
        option(app, there).await.click().await.unwrap();
        assert_eq!(
            app.wait_testid("compose-zone")
                .await
                .attr("data-zone")
                .await
                .unwrap()
                .as_deref(),
            Some(there)
        );
        wait_invoke(
            app,
            "the picked zones to be kept in settings, newest first",
            "recent_time_zones",
            json!({}),
            |r| *r == json!([there, "America/Bogota"]),
        )
        .await;

        // Both zones, said in one line.
        let both = wait_text(
            app,
            "[data-testid=compose-both-zones]",
            "both zones to be said",
            |t| t.contains(&format!("{city} =")) && t.ends_with("your time"),
        )
        .await;
        assert!(both.contains("9:00"), "{both}");
        shoot(app, "compose-both-zones").await;

        // Tomorrow, so the Calendar shows it without paging far.
        let date = app.wait_testid("compose-date").await;
        date.clear().await.unwrap();
        // Enter takes what was typed, as leaving the field does.
        date.send_keys("tomorrow 09:00\u{E007}").await.unwrap();
        app.select("compose-privacy", "SELF_ONLY").await;
        app.click("compose-schedule").await;
        let post = post_status(app, id, "scheduled").await;
        assert_eq!(post["scheduleZone"], there);
        assert!(post["scheduleLocal"].as_str().unwrap().ends_with("T09:00"));

        // The Queue: your time, and the post's own.
        app.click("nav-queue").await;
        let row = format!("[data-testid=queue-row][data-post-id=\"{id}\"]");
        let queue_own = wait_text(
            app,
            &format!("{row} [data-testid=queue-time-own]"),
            "the Queue to show the post's own time",
            |t| t.contains(city),
        )
        .await;
        let queue_time = app
            .wait_css(&format!("{row} [data-testid=queue-time]"))
            .await
            .text()
            .await
            .unwrap();
        assert!(!queue_time.contains(there), "no raw zone ids: {queue_time}");
        assert!(app.text("time-rule").await.contains("your computer's time"));
        shoot(app, "queue").await;

        // The Calendar: the same post at the same time.
        app.click("nav-calendar").await;
        app.click("calendar-toggle-month").await;
        let chip = format!("[data-testid=calendar-post][data-post-id=\"{id}\"]");
        if app.client.find(Locator::Css(&chip)).await.is_err() {
            // Tomorrow is in next month.
            let before = app.text("calendar-month").await;
            app.click_css("[data-testid=page-calendar] button[aria-label=Next]")
                .await;
            wait_text(app, "[data-testid=calendar-month]", "the next month", |t| {
                t != before
            })
            .await;
        }
        let clock = app
            .wait_css(&format!("{chip} [data-testid=calendar-time]"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            queue_time.contains(&clock),
            "the Queue ({queue_time}) and the Calendar ({clock}) agree"
        );
        let cal_own = app
            .wait_css(&format!("{chip} [data-testid=calendar-own-time]"))
            .await
            .text()
            .await
            .unwrap();
        assert!(queue_own.contains(cal_own.trim_matches(|c| c == '(' || c == ')')));
        assert!(app.text("time-rule").await.contains("your computer's time"));
        shoot(app, "calendar").await;

        // The same at the smallest window and the largest.
        for (w, h) in [(900, 600), (1920, 1080)] {
            app.resize(w, h).await;
            shoot(app, &format!("calendar-{w}x{h}")).await;
            goto(app, &format!("#/compose/{id}")).await;
            app.wait_testid("compose-both-zones").await;
            app.js(
                "document.querySelector('[data-testid=page-compose]').scrollIntoView();",
                vec![],
            )
            .await;
            shoot(app, &format!("compose-top-{w}x{h}")).await;
            app.click("compose-zone").await;
            search_zones(app, "+5:30", "Asia/Kolkata").await;
            app.js(
                "document.querySelector('[data-testid=compose-zone-search]')\
                   .scrollIntoView({ block: 'center' });",
                vec![],
            )
            .await;
            shoot(app, &format!("compose-{w}x{h}")).await;
            app.click("nav-queue").await;
            app.wait_css(&row).await;
            shoot(app, &format!("queue-{w}x{h}")).await;
        }
        // And in the dark.
        app.invoke("update_settings", json!({ "patch": { "theme": "dark" } }))
            .await
            .unwrap();
        goto(app, &format!("#/compose/{id}")).await;
        app.wait_testid("compose-both-zones").await;
        app.click("compose-zone").await;
        search_zones(app, "india", "Asia/Kolkata").await;
        app.js(
            "document.querySelector('[data-testid=compose-zone-search]')\
               .scrollIntoView({ block: 'center' });",
            vec![],
        )
        .await;
        shoot(app, "compose-dark-1920x1080").await;
    })
    .await;
}
