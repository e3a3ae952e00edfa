//! Calendar and schedule-time inputs: any date text, year, month or zone gets an answer or a
//! plain refusal, never a panic (chrono's date arithmetic panics near its range's edge).

mod media_common;

use chrono::{Days, NaiveDate};
use media_common::engine;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use tokdeck_core::compose::resolve_local_time;
use tokdeck_core::ErrorCode;

#[tokio::test]
async fn a_far_future_or_far_past_week_is_refused_plainly() {
    let env = engine().await;
    let e = &env.engine;
    for date in [
        "+262142-12-31",
        "-262143-01-01",
        "+10000-01-01",
        "1969-12-31",
    ] {
        let err = e.calendar_week(date, "UTC", None).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{date}: {err}");
        assert!(
            err.user_message().contains("1970 to 9999"),
            "{date}: {}",
            err.user_message()
        );
    }
    for (year, month) in [(i32::MAX, 12), (262142, 12), (10000, 1), (1969, 12)] {
        let err = e
            .calendar_month(year, month, "UTC", None)
            .await
            .unwrap_err();
        assert!(err.user_message().contains("1970 to 9999"), "{year}: {err}");
    }
    let err = resolve_local_time("+262142-12-31T23:30", "Pacific/Kiritimati").unwrap_err();
    assert!(err.user_message().contains("1970 to 9999"), "{err}");

    // The edges themselves work: the last week reaches into year 10000's first days.
    let week = e
        .calendar_week("9999-12-31", "Pacific/Kiritimati", None)
        .await
        .unwrap();
    assert_eq!(week.days.len(), 7);
    assert_eq!(week.days[0].date, "9999-12-27");
    let dec = e
        .calendar_month(9999, 12, "Etc/GMT+12", None)
        .await
        .unwrap();
    assert_eq!(dec.days.len(), 31);
    let jan = e.calendar_month(1970, 1, "Etc/GMT-14", None).await.unwrap();
    assert_eq!(jan.days.len(), 31);
}

fn zones() -> impl Strategy<Value = String> {
    let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    prop_oneof![
        3 => proptest::sample::select(names).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn dates() -> impl Strategy<Value = String> {
    // The last and first weeks chrono can represent: where its date arithmetic overflows.
    let edges = (any::<bool>(), 0u64..21).prop_map(|(end, k)| {
        let d = if end {
            NaiveDate::MAX.checked_sub_days(Days::new(k))
        } else {
            NaiveDate::MIN.checked_add_days(Days::new(k))
        };
        d.unwrap().format("%Y-%m-%d").to_string()
    });
    prop_oneof![
        edges,
        (-262_145i32..=262_145, 0u32..=13, 0u32..=32)
            .prop_map(|(y, m, d)| format!("{y:+}-{m:02}-{d:02}")),
        (1960i32..=10_010, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}")),
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}",
        any::<String>(),
    ]
}

fn years() -> impl Strategy<Value = i32> {
    prop_oneof![any::<i32>(), 1960i32..=10_010, -262_145i32..=262_145]
}

/// One engine, many cases: the property runs inside a single runtime.
#[test]
fn no_date_text_year_or_zone_panics() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let env = rt.block_on(engine());
    let e = &env.engine;
    let mut runner = TestRunner::new(Config::with_cases(400));
    runner
        .run(
            &(dates(), years(), any::<u32>(), zones()),
            |(date, year, month, zone)| {
                let _ = rt.block_on(e.calendar_week(&date, &zone, None));
                let _ = rt.block_on(e.calendar_month(year, month % 14, &zone, None));
                let _ = rt.block_on(e.calendar_month(year, month, &zone, Some(1)));
                let _ = resolve_local_time(&format!("{date}T23:59"), &zone);
                let _ = resolve_local_time(&date, &zone);
                Ok(())
            },
        )
        .unwrap();
}
