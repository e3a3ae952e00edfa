//! Scheduling across DST gaps and overlaps, the past, far dates and zone changes.

use super::*;

#[tokio::test]
async fn spring_forward_gap_needs_a_choice() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let p = e
        .create_draft(&input(a, &video, "gap"), Some(&c))
        .await
        .unwrap();
    let err = e
        .schedule_post(p.id, &at("2027-03-14T02:30", "America/New_York", None), &c)
        .await
        .unwrap_err();
    let msg = err.user_message();
    assert!(
        msg.contains("2027-03-14 02:30 does not exist in America/New_York"),
        "{msg}"
    );
    assert!(
        msg.contains("the earlier time (01:30 EST (UTC-05:00))"),
        "{msg}"
    );
    assert!(
        msg.contains("the later time (03:30 EDT (UTC-04:00))"),
        "{msg}"
    );
    assert_eq!(e.post(p.id).await.unwrap().status, PostStatus::Draft);

    let s = e
        .schedule_post(
            p.id,
            &at(
                "2027-03-14T02:30",
                "America/New_York",
                Some(DstChoice::Earlier),
            ),
            &c,
        )
        .await
        .unwrap();
    assert_eq!(
        s.post.scheduled_at.as_deref(),
        Some("2027-03-14T06:30:00.000Z")
    );
    assert_eq!(
        s.post.schedule_local_chosen.as_deref(),
        Some("2027-03-14T02:30")
    );
    assert_eq!(s.post.schedule_local.as_deref(), Some("2027-03-14T01:30"));
    assert!(s.post.consent_at.is_some());
    let s = e
        .reschedule_post(
            p.id,
            &at(
                "2027-03-14T02:30",
                "America/New_York",
                Some(DstChoice::Later),
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        s.post.scheduled_at.as_deref(),
        Some("2027-03-14T07:30:00.000Z")
    );
    assert_eq!(s.post.schedule_local.as_deref(), Some("2027-03-14T03:30"));
}

#[tokio::test]
async fn fall_back_overlap_needs_a_choice() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let p = e
        .create_draft(&input(a, &video, "overlap"), None)
        .await
        .unwrap();
    let err = e
        .schedule_post(p.id, &at("2027-10-31T01:30", "Europe/London", None), &c)
        .await
        .unwrap_err();
    let msg = err.user_message();
    assert!(msg.contains("happens twice in Europe/London"), "{msg}");
    assert!(
        msg.contains("the earlier one (01:30 BST (UTC+01:00))"),
        "{msg}"
    );
    assert!(
        msg.contains("the later one (01:30 GMT (UTC+00:00))"),
        "{msg}"
    );
    let s = e
        .schedule_post(
            p.id,
            &at(
                "2027-10-31T01:30",
                "Europe/London",
                Some(DstChoice::Earlier),
            ),
            &c,
        )
        .await
        .unwrap();
    assert_eq!(
        s.post.scheduled_at.as_deref(),
        Some("2027-10-31T00:30:00.000Z")
    );
    let s = e
        .reschedule_post(
            p.id,
            &at("2027-10-31T01:30", "Europe/London", Some(DstChoice::Later)),
        )
        .await
        .unwrap();
    assert_eq!(
        s.post.scheduled_at.as_deref(),
        Some("2027-10-31T01:30:00.000Z")
    );
}

#[tokio::test]
async fn past_refused_now_and_two_years_ahead() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let p = e
        .create_draft(&input(a, &video, "when"), None)
        .await
        .unwrap();
    let err = e
        .schedule_post(p.id, &at("2020-01-01T10:00", "UTC", None), &c)
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("is in the past"),
        "{}",
        err.user_message()
    );

    let two_years = Utc::now().year() + 2;
    let local = format!("{two_years}-06-15T18:45");
    let s = e
        .schedule_post(p.id, &at(&local, "Asia/Tokyo", None), &c)
        .await
        .unwrap();
    assert_eq!(
        s.post.scheduled_at,
        Some(format!("{two_years}-06-15T09:45:00.000Z"))
    );
    assert_eq!(s.post.schedule_zone.as_deref(), Some("Asia/Tokyo"));

    let q = e
        .create_draft(&input(a, &video, "now"), None)
        .await
        .unwrap();
    let s = e.publish_now(q.id, &c).await.unwrap();
    assert!(s.post.publish_now);
    assert_eq!(s.post.status, PostStatus::Scheduled);
}

#[tokio::test]
async fn zone_change_keeps_the_instant() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    e.set_account_default_zone(a, Some("Europe/Berlin"))
        .await
        .unwrap();
    let p = e
        .create_draft(&input(a, &video, "zone"), None)
        .await
        .unwrap();
    let when = When::At {
        local: "2027-07-01T20:00".into(),
        zone: None,
        dst: None,
    };
    let s = e.schedule_post(p.id, &when, &c).await.unwrap();
    assert_eq!(s.post.schedule_zone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(
        s.post.scheduled_at.as_deref(),
        Some("2027-07-01T18:00:00.000Z")
    );
    // The user moves (account default zone changes) before publishing.
    assert_eq!(
        e.set_account_default_zone(a, Some("Asia/Tokyo"))
            .await
            .unwrap(),
        "Asia/Tokyo"
    );
    let after = e.post(p.id).await.unwrap();
    assert_eq!(after.scheduled_at, s.post.scheduled_at);
    assert_eq!(after.schedule_local.as_deref(), Some("2027-07-01T20:00"));
    let cal = e
        .calendar_month(2027, 7, "Asia/Tokyo", Some(a))
        .await
        .unwrap();
    assert_eq!(cal.items.len(), 1);
    assert_eq!(cal.items[0].local, "2027-07-02T03:00");
    assert_eq!(cal.items[0].post_local, "2027-07-01T20:00");
    assert_eq!(cal.items[0].post_zone, "Europe/Berlin");
    assert!(e
        .set_account_default_zone(a, Some("Mars/Olympus"))
        .await
        .is_err());
}
