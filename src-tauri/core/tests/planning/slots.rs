//! Slot instants across clock changes and zones, through the pure rules and the engine.

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use tokdeck_core::planning::slots::{slot_instant, slot_instants, WeeklyTime};
use tokdeck_core::posts::PostMode;

use super::*;

fn utc(date: (i32, u32, u32), minute: u16, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap();
    let d = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
    slot_instant(d, minute, tz).to_rfc3339()
}

#[test]
fn new_york_spring_and_fall() {
    // 02:30 does not exist on 2027-03-14: past the jump, 03:30 EDT.
    assert_eq!(
        utc((2027, 3, 14), 150, "America/New_York"),
        "2027-03-14T07:30:00+00:00"
    );
    // The day before and after keep their own offsets.
    assert_eq!(
        utc((2027, 3, 13), 150, "America/New_York"),
        "2027-03-13T07:30:00+00:00"
    );
    assert_eq!(
        utc((2027, 3, 15), 150, "America/New_York"),
        "2027-03-15T06:30:00+00:00"
    );
    // 01:30 happens twice on 2027-11-07: the first (EDT).
    assert_eq!(
        utc((2027, 11, 7), 90, "America/New_York"),
        "2027-11-07T05:30:00+00:00"
    );
    assert_eq!(
        utc((2027, 11, 8), 90, "America/New_York"),
        "2027-11-08T06:30:00+00:00"
    );
    // 09:00 either side of the change keeps its wall-clock time.
    assert_eq!(
        utc((2027, 3, 14), 540, "America/New_York"),
        "2027-03-14T13:00:00+00:00"
    );
    assert_eq!(
        utc((2027, 3, 12), 540, "America/New_York"),
        "2027-03-12T14:00:00+00:00"
    );
}

#[test]
fn london_spring_and_fall() {
    assert_eq!(
        utc((2027, 3, 28), 90, "Europe/London"),
        "2027-03-28T01:30:00+00:00"
    );
    assert_eq!(
        utc((2027, 10, 31), 90, "Europe/London"),
        "2027-10-31T00:30:00+00:00"
    );
    assert_eq!(
        utc((2027, 10, 30), 90, "Europe/London"),
        "2027-10-30T00:30:00+00:00"
    );
    assert_eq!(
        utc((2027, 11, 1), 90, "Europe/London"),
        "2027-11-01T01:30:00+00:00"
    );
}

#[test]
fn half_hour_zones() {
    // Kolkata, +05:30, no clock changes.
    assert_eq!(
        utc((2027, 3, 14), 540, "Asia/Kolkata"),
        "2027-03-14T03:30:00+00:00"
    );
}

#[test]
fn lord_howe_gap_and_overlap() {
    // Gap 02:00–02:30 (+10:30 → +11): 02:15 becomes 02:45 +11 = 15:45Z the day before.
    assert_eq!(
        utc((2027, 10, 3), 135, "Australia/Lord_Howe"),
        "2027-10-02T15:45:00+00:00"
    );
    // Overlap 01:30–02:00 (+11 → +10:30): 01:45 is first at +11 = 14:45Z.
    assert_eq!(
        utc((2027, 4, 4), 105, "Australia/Lord_Howe"),
        "2027-04-03T14:45:00+00:00"
    );
    // Adelaide, +09:30/+10:30: 02:30 skipped on 2027-10-03 → 03:30 +10:30 = 17:00Z.
    assert_eq!(
        utc((2027, 10, 3), 150, "Australia/Adelaide"),
        "2027-10-02T17:00:00+00:00"
    );
}

#[test]
fn a_week_of_slots_in_every_zone_is_sorted_distinct_and_on_its_weekdays() {
    let slots: Vec<WeeklyTime> = (0..7)
        .flat_map(|d| {
            [90u16, 150, 540, 1080].map(|m| WeeklyTime {
                weekday: d,
                minute: m,
            })
        })
        .collect();
    let from = DateTime::parse_from_rfc3339("2027-01-01T00:00:00Z")
        .unwrap()
        .timestamp_millis();
    let to = from + 366 * 24 * 3600 * 1000;
    for tz in chrono_tz::TZ_VARIANTS.iter().step_by(7) {
        let v = slot_instants(&slots, *tz, from, to);
        assert!(v.windows(2).all(|w| w[0] < w[1]), "{tz}");
        // 4 a day, minus the few that collide on a clock change.
        assert!(
            v.len() >= 365 * 4 - 8 && v.len() <= 366 * 4 + 8,
            "{tz}: {}",
            v.len()
        );
    }
}

#[tokio::test]
async fn the_queue_hands_out_sundays_across_both_changes_in_new_york_and_london() {
    let mut r = Rig::new().await;
    let ny = r.account("ny", "America/New_York").await;
    let ldn = r.account("ldn", "Europe/London").await;
    let e = &r.env.engine;
    e.set_posting_slots(ny, &[slot(&[6], "02:30"), slot(&[6], "01:30")])
        .await
        .unwrap();
    e.set_posting_slots(ldn, &[slot(&[6], "01:30")])
        .await
        .unwrap();
    let ny_free: Vec<String> = e
        .next_free_slots(ny, PostMode::Direct, 120)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.at)
        .collect();
    // Spring forward: 01:30 EST and the moved 02:30 (03:30 EDT).
    assert!(
        ny_free.contains(&"2027-03-14T06:30:00.000Z".to_owned()),
        "{ny_free:?}"
    );
    assert!(ny_free.contains(&"2027-03-14T07:30:00.000Z".to_owned()));
    // Fall back: 01:30 first occurrence (EDT), 02:30 EST.
    assert!(ny_free.contains(&"2027-11-07T05:30:00.000Z".to_owned()));
    assert!(ny_free.contains(&"2027-11-07T07:30:00.000Z".to_owned()));
    let ldn_free: Vec<String> = e
        .next_free_slots(ldn, PostMode::Direct, 60)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.at)
        .collect();
    assert!(
        ldn_free.contains(&"2027-03-28T01:30:00.000Z".to_owned()),
        "{ldn_free:?}"
    );
    assert!(ldn_free.contains(&"2027-10-31T00:30:00.000Z".to_owned()));
    // Every Sunday of the year, once.
    assert!(ldn_free.len() >= 52);
}

#[tokio::test]
async fn slots_crud_and_plain_errors() {
    let mut r = Rig::new().await;
    let a = r.account("a", "Asia/Kolkata").await;
    let e = &r.env.engine;
    let s = e
        .add_posting_slots(
            a,
            &[
                slot(&[0, 1, 2, 3, 4], "09:00"),
                slot(&[0, 1, 2, 3, 4], "18:00"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(s.zone, "Asia/Kolkata");
    assert_eq!(s.slots.len(), 10);
    assert_eq!((s.slots[0].weekday, s.slots[0].time.as_str()), (0, "09:00"));
    let s = e.remove_posting_slot(s.slots[0].id).await.unwrap();
    assert_eq!(s.slots.len(), 9);
    let err = e
        .add_posting_slots(a, &[slot(&[1], "25:00")])
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("24-hour form"),
        "{}",
        err.user_message()
    );
    let err = e
        .add_posting_slots(a, &[slot(&[7], "09:00")])
        .await
        .unwrap_err();
    assert!(err.user_message().contains("0 (Monday) to 6 (Sunday)"));
    let err = e
        .add_posting_slots(a, &[slot(&[], "09:00")])
        .await
        .unwrap_err();
    assert!(err.user_message().contains("at least one day"));
    let s = e.set_posting_slots(a, &[slot(&[5], "7:05")]).await.unwrap();
    assert_eq!(
        s.slots.iter().map(|x| x.time.as_str()).collect::<Vec<_>>(),
        ["07:05"]
    );
}
