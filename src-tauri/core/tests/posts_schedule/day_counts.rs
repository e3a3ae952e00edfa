//! Day counts kept by triggers (post_hours), checked against the posts themselves.

use super::*;

/// Views checked: DST changes in March (New York, London), offsets that are not whole hours
/// (Kolkata +05:30, Kathmandu +05:45: their midnights fall inside UTC hours) and UTC.
const ZONES: [&str; 5] = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "UTC",
];

/// The month's day counts recomputed from the posts themselves, in `zone`.
async fn expected_days(
    pool: &sqlx::SqlitePool,
    year: i32,
    zone: &str,
    account: Option<i64>,
) -> Vec<(String, u32)> {
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let instants: Vec<i64> = sqlx::query_scalar(
        "SELECT scheduled_at FROM posts WHERE scheduled_at IS NOT NULL \
         AND status != 'cancelled' AND (?1 IS NULL OR account_id = ?1)",
    )
    .bind(account)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut days = std::collections::BTreeMap::new();
    let mut d = chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
    while d.month() == 3 {
        days.insert(d.format("%Y-%m-%d").to_string(), 0u32);
        d = d.succ_opt().unwrap();
    }
    for ms in instants {
        let local = chrono::DateTime::from_timestamp_millis(ms)
            .unwrap()
            .with_timezone(&tz)
            .format("%Y-%m-%d")
            .to_string();
        if let Some(n) = days.get_mut(&local) {
            *n += 1;
        }
    }
    days.into_iter().collect()
}

/// Every view's day counts equal the recount, and the hour table equals a fresh aggregate.
async fn check_counts(env: &Env, year: i32, account: i64, step: &str) {
    let e = &env.engine;
    let pool = e.store().pool();
    let table: Vec<(i64, i64)> = sqlx::query_as("SELECT hour, n FROM post_hours ORDER BY hour")
        .fetch_all(pool)
        .await
        .unwrap();
    let fresh: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT scheduled_at / 3600000, count(*) FROM posts \
         WHERE scheduled_at IS NOT NULL AND status != 'cancelled' GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(table, fresh, "post_hours after {step}");
    for zone in ZONES {
        for filter in [None, Some(account)] {
            let month = e.calendar_month(year, 3, zone, filter).await.unwrap();
            let got: Vec<(String, u32)> = month
                .days
                .iter()
                .map(|d| (d.date.clone(), d.count))
                .collect();
            let want = expected_days(pool, year, zone, filter).await;
            assert_eq!(got, want, "{zone} {filter:?} after {step}");
            // The listed posts are the first ones of each day, at most MONTH_ITEMS_PER_DAY.
            for day in &month.days {
                let listed = month
                    .items
                    .iter()
                    .filter(|i| i.local.starts_with(&day.date))
                    .count();
                assert_eq!(
                    listed as u32,
                    day.count.min(tokdeck_core::posts::MONTH_ITEMS_PER_DAY),
                    "{zone} {} {step}",
                    day.date
                );
            }
        }
    }
}

#[tokio::test]
async fn day_counts_follow_schedule_reschedule_cancel_delete_and_status_changes() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let e = &env.engine;
    let c = public_creator("X");
    let pool = e.store().pool();
    let year = Utc::now().year() + 1;
    // Around midnights of the zones above (UTC): 04:30 is the New York midnight's neighbour,
    // 18:10 / 18:20 / 18:40 straddle Kathmandu's (18:15) and Kolkata's (18:30) midnights,
    // 23:59 / 00:00 straddle London's and UTC's.
    let times = ["00:00", "04:30", "18:10", "18:20", "18:40", "23:59"];
    let mut ids = Vec::new();
    for day in [1, 7, 8, 9, 13, 14, 15, 27, 28, 29, 31] {
        for (i, t) in times.iter().enumerate() {
            let acct = if i % 2 == 0 { a } else { b };
            let p = e
                .create_draft(&input(acct, &video, &format!("d{day} {t}")), None)
                .await
                .unwrap();
            let local = format!("{year}-03-{day:02}T{t}");
            e.schedule_post(p.id, &at(&local, "UTC", None), &c)
                .await
                .unwrap();
            ids.push(p.id);
        }
    }
    // A busy day: more posts than the month view lists.
    for i in 0..4 {
        let p = e
            .create_draft(&input(a, &video, &format!("busy {i}")), None)
            .await
            .unwrap();
        let local = format!("{year}-03-20T1{i}:00");
        e.schedule_post(p.id, &at(&local, "UTC", None), &c)
            .await
            .unwrap();
        ids.push(p.id);
    }
    // A draft has no time and counts nowhere.
    e.create_draft(&input(a, &video, "draft"), None)
        .await
        .unwrap();
    check_counts(&env, year, a, "schedule").await;
    let busy = e.calendar_month(year, 3, "UTC", None).await.unwrap();
    let day20 = busy
        .days
        .iter()
        .find(|d| d.date.ends_with("-03-20"))
        .unwrap();
    assert_eq!(day20.count, 4);

    // Reschedule across a zone's midnight, into another month, and within the same hour.
    for (id, local, zone) in [
        (ids[2], format!("{year}-03-20T05:45"), "Asia/Kathmandu"),
        (ids[3], format!("{year}-03-20T18:00"), "America/New_York"),
        (ids[4], format!("{year}-04-02T09:00"), "UTC"),
        (ids[5], format!("{year}-03-01T23:58"), "UTC"),
    ] {
        e.reschedule_post(id, &at(&local, zone, None))
            .await
            .unwrap();
    }
    check_counts(&env, year, a, "reschedule").await;

    e.cancel_post(ids[6]).await.unwrap();
    e.cancel_post(ids[7]).await.unwrap();
    check_counts(&env, year, a, "cancel").await;

    // ids[7] is already in Trash (cancelled): it goes for good; ids[8] goes to Trash.
    e.delete_forever(ids[7]).await.unwrap();
    e.delete_post(ids[8]).await.unwrap();
    check_counts(&env, year, a, "delete").await;

    // The publisher's moves: published, failed and missed posts stay on the calendar; a post
    // taken back out of cancelled returns to it; one without a time leaves it.
    for (id, status) in [
        (ids[9], "published"),
        (ids[10], "failed"),
        (ids[11], "missed"),
        (ids[12], "queued"),
        (ids[6], "scheduled"),
    ] {
        sqlx::query("UPDATE posts SET status = ? WHERE id = ?")
            .bind(status)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query(
        "UPDATE posts SET status = 'cancelled', scheduled_at = scheduled_at + 7200000 WHERE id = ?",
    )
    .bind(ids[13])
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE posts SET status = 'draft', scheduled_at = NULL WHERE id = ?")
        .bind(ids[14])
        .execute(pool)
        .await
        .unwrap();
    check_counts(&env, year, a, "status changes").await;

    // Removing an account removes its posts (foreign-key cascade) and their counts.
    sqlx::query("DELETE FROM accounts WHERE id = ?")
        .bind(b)
        .execute(pool)
        .await
        .unwrap();
    check_counts(&env, year, a, "account removed").await;
}
