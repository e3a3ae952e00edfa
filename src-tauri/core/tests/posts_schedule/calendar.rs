//! The calendar's month and week across DST, and the queue's search.

use super::*;

#[tokio::test]
async fn calendar_month_and_week_across_dst_and_queue_search() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let e = &env.engine;
    let c = public_creator("X");
    let ny = "America/New_York";
    let mut ids = Vec::new();
    for (acct, local, caption) in [
        (a, "2027-03-01T00:00", "first of march"),
        (a, "2027-03-13T23:30", "before the jump"),
        (b, "2027-03-14T03:30", "after the jump Sunday"),
        (a, "2027-03-15T09:00", "monday coffee"),
        (b, "2027-03-31T23:30", "last of march"),
        (a, "2027-04-01T00:30", "april fool"),
    ] {
        let p = e
            .create_draft(&input(acct, &video, caption), None)
            .await
            .unwrap();
        e.schedule_post(p.id, &at(local, ny, None), &c)
            .await
            .unwrap();
        ids.push(p.id);
    }
    let march = e.calendar_month(2027, 3, ny, None).await.unwrap();
    assert_eq!(march.start, "2027-03-01T05:00:00.000Z");
    assert_eq!(march.end, "2027-04-01T04:00:00.000Z");
    let captions: Vec<_> = march.items.iter().map(|i| i.caption.as_str()).collect();
    assert_eq!(
        captions,
        [
            "first of march",
            "before the jump",
            "after the jump Sunday",
            "monday coffee",
            "last of march"
        ]
    );
    assert_eq!(march.items[4].local, "2027-03-31T23:30");
    assert_eq!(march.items[0].account_title, "alice TV");
    // The same month seen from UTC: the first post (05:00Z) is in, the 31st 23:30 EDT is April.
    let march_utc = e.calendar_month(2027, 3, "UTC", None).await.unwrap();
    assert_eq!(march_utc.items.len(), 4);
    // Filter by account.
    let bob = e.calendar_month(2027, 3, ny, Some(b)).await.unwrap();
    assert_eq!(bob.items.len(), 2);
    // The week of the jump (Mon 8 – Mon 15 March) is 167 hours long.
    let week = e.calendar_week("2027-03-14", ny, None).await.unwrap();
    assert_eq!(week.start, "2027-03-08T05:00:00.000Z");
    assert_eq!(week.end, "2027-03-15T04:00:00.000Z");
    let captions: Vec<_> = week.items.iter().map(|i| i.caption.as_str()).collect();
    assert_eq!(captions, ["before the jump", "after the jump Sunday"]);

    // Queue: upcoming, soonest first, search over captions (trigram and short terms).
    let q = e.queue(&QueueQuery::default()).await.unwrap();
    assert_eq!(q.len(), 6);
    assert_eq!(q[0].caption, "first of march");
    let q = e
        .queue(&QueueQuery {
            search: Some("MARCH".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(q.iter().map(|i| i.id).collect::<Vec<_>>(), [ids[0], ids[4]]);
    let q = e
        .queue(&QueueQuery {
            account_id: Some(b),
            search: Some("jump".into()),
            limit: None,
            finished_limit: None,
        })
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].caption, "after the jump Sunday");
    let q = e
        .queue(&QueueQuery {
            search: Some("of".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // "first of", "coffee", "last of": a substring match, any case.
    assert_eq!(q.len(), 3);
    // Cancelled posts leave the calendar and the queue; edits reach the search index.
    e.cancel_post(ids[0]).await.unwrap();
    e.update_post(
        ids[3],
        &ComposePatch {
            caption: Some("tea time".into()),
            ..Default::default()
        },
        Some(&c),
    )
    .await
    .unwrap();
    assert_eq!(
        e.calendar_month(2027, 3, ny, None)
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    let q = e
        .queue(&QueueQuery {
            search: Some("tea".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert!(e
        .queue(&QueueQuery {
            search: Some("coffee".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .is_empty());
}

/// A week that starts on Sunday (or any day), one busy day's whole list and a month of the
/// agenda: `calendar_days` lists every post of its days, none held back as the month does.
#[tokio::test]
async fn calendar_days_lists_every_post_of_any_range() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let e = &env.engine;
    let c = public_creator("X");
    let ny = "America/New_York";
    // Sunday 14 March 2027 (the DST jump) holds seven posts, more than the month lists.
    for (i, acct) in [a, b, a, b, a, b, a].into_iter().enumerate() {
        let p = e
            .create_draft(&input(acct, &video, &format!("busy {i}")), None)
            .await
            .unwrap();
        e.schedule_post(p.id, &at(&format!("2027-03-14T1{i}:00"), ny, None), &c)
            .await
            .unwrap();
    }
    let p = e
        .create_draft(&input(a, &video, "saturday"), None)
        .await
        .unwrap();
    e.schedule_post(p.id, &at("2027-03-20T09:00", ny, None), &c)
        .await
        .unwrap();

    let month = e.calendar_month(2027, 3, ny, None).await.unwrap();
    assert_eq!(month.items.len(), 4, "three of the busy day, then Saturday");

    // The Sunday-based week of 14 March: every post of the day, then Saturday the 20th.
    let week = e.calendar_days("2027-03-14", 7, ny, None).await.unwrap();
    assert_eq!(week.start, "2027-03-14T05:00:00.000Z");
    assert_eq!(week.end, "2027-03-21T04:00:00.000Z");
    assert_eq!(week.items.len(), 8);
    assert_eq!(week.per_day_limit, None);
    assert_eq!(week.days.len(), 7);
    assert_eq!(week.days[0].date, "2027-03-14");
    assert_eq!(week.days[0].count, 7);

    // One day, one account.
    let day = e.calendar_days("2027-03-14", 1, ny, Some(b)).await.unwrap();
    let captions: Vec<_> = day.items.iter().map(|i| i.caption.as_str()).collect();
    assert_eq!(captions, ["busy 1", "busy 3", "busy 5"]);

    // A whole month for the agenda.
    let march = e.calendar_days("2027-03-01", 31, ny, None).await.unwrap();
    assert_eq!(march.items.len(), 8);

    // Out of bounds: no days, too many, not a date.
    for (from, days) in [("2027-03-01", 0), ("2027-03-01", 43), ("14/03/2027", 7)] {
        let err = e.calendar_days(from, days, ny, None).await.unwrap_err();
        assert!(
            matches!(err, tokdeck_core::CoreError::InvalidInput(_)),
            "{from} {days}: {err:?}"
        );
    }
}
