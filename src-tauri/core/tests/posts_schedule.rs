//! posts: drafts, scheduling across DST gaps and overlaps, zones, CRUD, duplicates, caps,
//! calendar and queue queries, moved/changed files.

mod media_common;

use chrono::{Datelike, Utc};
use media_common::{engine, h264, private_creator, public_creator, Env};
use tokdeck_core::media::FileCheck;
use tokdeck_core::posts::{
    CapKind, Caps, Commercial, ComposeInput, ComposePatch, DstChoice, PostMode, PostStatus,
    QueueQuery, When,
};
use tokdeck_core::ErrorCode;

fn input(account_id: i64, path: &std::path::Path, caption: &str) -> ComposeInput {
    ComposeInput {
        account_id,
        media_path: path.to_string_lossy().into_owned(),
        caption: caption.to_owned(),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    }
}

fn at(local: &str, zone: &str, dst: Option<DstChoice>) -> When {
    When::At {
        local: local.into(),
        zone: Some(zone.into()),
        dst,
    }
}

async fn setup() -> (Env, i64, std::path::PathBuf) {
    let env = engine().await;
    let a = env.account("alice").await;
    let video = h264(env.path(), "v.mp4", 2.0);
    (env, a, video)
}

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

#[tokio::test]
async fn compose_rules_and_crud() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    // Draft without privacy: fine as a draft, not schedulable.
    let mut i = input(a, &video, "hello #tokdeck");
    i.privacy_level = None;
    let p = e.create_draft(&i, None).await.unwrap();
    assert_eq!(p.status, PostStatus::Draft);
    assert!(!p.allow_comment && !p.allow_duet && !p.allow_stitch);
    assert_eq!(p.media.duration_ms, 2000);
    let err = e
        .schedule_post(p.id, &at("2027-05-01T10:00", "UTC", None), &c)
        .await
        .unwrap_err();
    assert!(err
        .user_message()
        .starts_with("Choose who can see this post"));

    // Caption counted in UTF-16 units: 1100 emoji = 2200 units is fine, one more is not.
    let ok = "😀".repeat(1100);
    e.update_post(
        p.id,
        &ComposePatch {
            caption: Some(ok),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let err = e
        .update_post(
            p.id,
            &ComposePatch {
                caption: Some(format!("{}a", "😀".repeat(1100))),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(
        err.user_message()
            .starts_with("The caption is 2201 characters long"),
        "{}",
        err.user_message()
    );

    // Commercial disclosure on with neither box.
    e.update_post(
        p.id,
        &ComposePatch {
            privacy_level: Some("SELF_ONLY".into()),
            commercial: Some(Commercial {
                enabled: true,
                your_brand: false,
                branded_content: false,
            }),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let err = e
        .schedule_post(p.id, &at("2027-05-01T10:00", "UTC", None), &c)
        .await
        .unwrap_err();
    assert_eq!(
        err.user_message(),
        "You need to indicate if your content promotes yourself, a third party, or both."
    );
    // Branded content cannot be private.
    let err = e
        .update_post(
            p.id,
            &ComposePatch {
                commercial: Some(Commercial {
                    enabled: true,
                    your_brand: false,
                    branded_content: true,
                }),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap_err();
    assert!(err
        .user_message()
        .starts_with("Branded content visibility cannot be set to private."));
    // A privacy the creator does not offer.
    e.update_post(
        p.id,
        &ComposePatch {
            privacy_level: Some("FOLLOWER_OF_CREATOR".into()),
            commercial: Some(Commercial {
                enabled: true,
                your_brand: true,
                branded_content: false,
            }),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let err = e
        .schedule_post(p.id, &at("2027-05-01T10:00", "UTC", None), &c)
        .await
        .unwrap_err();
    assert!(
        err.user_message()
            .starts_with("Privacy \"Followers\" is not offered by Alice"),
        "{}",
        err.user_message()
    );
    // Allow duet when the creator disabled duets.
    let pc = private_creator("Alice");
    e.update_post(
        p.id,
        &ComposePatch {
            allow_duet: Some(true),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let err = e
        .schedule_post(p.id, &at("2027-05-01T10:00", "UTC", None), &pc)
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("has turned duets off"),
        "{}",
        err.user_message()
    );
    e.update_post(
        p.id,
        &ComposePatch {
            allow_duet: Some(false),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let s = e
        .schedule_post(p.id, &at("2027-05-01T10:00", "UTC", None), &pc)
        .await
        .unwrap();
    assert_eq!(s.post.status, PostStatus::Scheduled);
    // Editing a scheduled post needs fresh creator info.
    assert!(e
        .update_post(
            p.id,
            &ComposePatch {
                caption: Some("x".into()),
                ..Default::default()
            },
            None
        )
        .await
        .is_err());
    let up = e
        .update_post(
            p.id,
            &ComposePatch {
                caption: Some("new".into()),
                ..Default::default()
            },
            Some(&pc),
        )
        .await
        .unwrap();
    assert_eq!(up.caption, "new");
    // Duration over this account's limit is refused at compose.
    let mut short = public_creator("Alice");
    short.max_video_post_duration_sec = Some(1);
    let err = e
        .create_draft(&input(a, &video, "long"), Some(&short))
        .await
        .unwrap_err();
    assert_eq!(
        err.user_message(),
        "The video is 2 s long; this account can post videos up to 1 s. Trim it to 1 s or less."
    );
    // Cancel, delete.
    let cancelled = e.cancel_post(p.id).await.unwrap();
    assert_eq!(cancelled.status, PostStatus::Cancelled);
    e.delete_post(p.id).await.unwrap();
    assert_eq!(e.post(p.id).await.unwrap_err().code(), ErrorCode::NotFound);
    // Pause on account removal.
    let q = e
        .create_draft(&input(a, &video, "paused"), None)
        .await
        .unwrap();
    assert_eq!(
        e.pause_posts_of_account(a, "The account was removed.")
            .await
            .unwrap(),
        1
    );
    let q = e.post(q.id).await.unwrap();
    assert_eq!(q.paused_reason.as_deref(), Some("The account was removed."));
    assert!(e
        .schedule_post(q.id, &at("2027-05-01T10:00", "UTC", None), &c)
        .await
        .is_err());
    assert_eq!(e.resume_posts_of_account(a).await.unwrap(), 1);
}

#[tokio::test]
async fn duplicate_revalidates_per_account() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let c = env.account("carol").await;
    let e = &env.engine;
    let p = e
        .create_draft(&input(a, &video, "dup me"), None)
        .await
        .unwrap();
    e.schedule_post(
        p.id,
        &at("2027-08-01T12:00", "America/New_York", None),
        &public_creator("A"),
    )
    .await
    .unwrap();
    // Bob's account is private: PUBLIC_TO_EVERYONE is not offered.
    let err = e
        .duplicate_post(
            p.id,
            &[(c, public_creator("Carol")), (b, private_creator("Bob"))],
        )
        .await
        .unwrap_err();
    assert!(
        err.user_message()
            .starts_with("Cannot copy to Bob: Privacy \"Everyone\" is not offered by Bob"),
        "{}",
        err.user_message()
    );
    // All or nothing: Carol got no copy either.
    assert!(e
        .calendar_month(2027, 8, "UTC", Some(c))
        .await
        .unwrap()
        .items
        .is_empty());
    let copies = e
        .duplicate_post(p.id, &[(c, public_creator("Carol"))])
        .await
        .unwrap();
    assert_eq!(copies.len(), 1);
    let copy = &copies[0].post;
    assert_eq!(copy.account_id, c);
    assert_eq!(copy.status, PostStatus::Scheduled);
    assert_eq!(
        copy.scheduled_at.as_deref(),
        Some("2027-08-01T16:00:00.000Z")
    );
    assert_eq!(copy.caption, "dup me");
}

#[tokio::test]
async fn caps_warn_but_do_not_refuse() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    assert_eq!(
        e.posting_caps().await.unwrap(),
        Caps {
            daily_posts: 15,
            pending_inbox: 5
        }
    );
    e.set_posting_caps(Caps {
        daily_posts: 3,
        pending_inbox: 2,
    })
    .await
    .unwrap();
    let mut last = None;
    for h in [8, 12, 16, 20] {
        let p = e
            .create_draft(&input(a, &video, "cap"), None)
            .await
            .unwrap();
        last = Some(
            e.schedule_post(p.id, &at(&format!("2027-09-01T{h:02}:00"), "UTC", None), &c)
                .await
                .unwrap(),
        );
        if h < 20 {
            assert!(last.as_ref().unwrap().warnings.is_empty());
        }
    }
    let w = &last.unwrap().warnings;
    assert_eq!(w.len(), 1);
    assert_eq!(
        (w[0].cap, w[0].count, w[0].limit),
        (CapKind::DailyPosts, 4, 3)
    );
    // A post a day later is in no crowded window.
    let p = e
        .create_draft(&input(a, &video, "cap"), None)
        .await
        .unwrap();
    let s = e
        .schedule_post(p.id, &at("2027-09-02T21:00", "UTC", None), &c)
        .await
        .unwrap();
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    // Inbox uploads count against the pending-draft cap only.
    let mut warnings = Vec::new();
    for h in [9, 10, 11] {
        let mut i = input(a, &video, "inbox");
        i.mode = PostMode::Inbox;
        let p = e.create_draft(&i, None).await.unwrap();
        warnings = e
            .schedule_post(p.id, &at(&format!("2027-09-01T{h:02}:30"), "UTC", None), &c)
            .await
            .unwrap()
            .warnings;
    }
    assert_eq!(warnings.len(), 1);
    assert_eq!(
        (warnings[0].cap, warnings[0].count, warnings[0].limit),
        (CapKind::PendingInbox, 3, 2)
    );
}

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

#[tokio::test]
async fn moved_and_changed_files_need_attention_and_relink() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let p = e
        .create_draft(&input(a, &video, "file"), None)
        .await
        .unwrap();
    e.schedule_post(p.id, &at("2027-06-01T10:00", "UTC", None), &c)
        .await
        .unwrap();
    assert_eq!(e.check_post_media(p.id).await.unwrap(), FileCheck::Ok);

    let moved = env.path().join("moved.mp4");
    std::fs::rename(&video, &moved).unwrap();
    assert_eq!(e.check_post_media(p.id).await.unwrap(), FileCheck::Moved);
    let post = e.post(p.id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    assert!(post
        .attention_reason
        .unwrap()
        .starts_with("The video file is no longer at"));
    assert_eq!(e.check_pending_media().await.unwrap(), vec![p.id]);

    // Relink to the moved file: same fingerprint, back to scheduled.
    let post = e
        .relink_post_media(p.id, &moved.to_string_lossy(), false, None)
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Scheduled);
    assert_eq!(post.attention_reason, None);

    // Another video at the relink path is refused unless accepted (then re-probed).
    let other = h264(env.path(), "other.mp4", 1.0);
    let err = e
        .relink_post_media(p.id, &other.to_string_lossy(), false, None)
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("is not the same video"),
        "{}",
        err.user_message()
    );
    let post = e
        .relink_post_media(p.id, &other.to_string_lossy(), true, Some(&c))
        .await
        .unwrap();
    assert_eq!(post.media.duration_ms, 1000);

    // Changed in place (a byte appended): needs attention with what changed.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&other)
        .unwrap()
        .write_all(b"x")
        .unwrap();
    assert!(matches!(
        e.check_post_media(p.id).await.unwrap(),
        FileCheck::Changed { .. }
    ));
    let post = e.post(p.id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    assert!(post
        .attention_reason
        .unwrap()
        .contains("changed since it was scheduled"));
    // Scheduling again refuses the changed file; accepting it re-validates.
    assert!(e
        .schedule_post(p.id, &at("2027-06-01T10:00", "UTC", None), &c)
        .await
        .is_err());
    let post = e
        .relink_post_media(p.id, &other.to_string_lossy(), true, None)
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Scheduled);
}

#[tokio::test]
async fn a_file_that_vanished_while_closed_needs_attention_at_start() {
    let (env, a, video) = setup().await;
    let data_dir = env.path().join("data");
    let p = {
        let e = &env.engine;
        let p = e
            .create_draft(&input(a, &video, "gone"), None)
            .await
            .unwrap();
        e.schedule_post(
            p.id,
            &at("2027-06-01T10:00", "UTC", None),
            &public_creator("Alice"),
        )
        .await
        .unwrap();
        e.shutdown().await;
        p
    };
    let Env { engine, dir } = env;
    drop(engine);
    std::fs::remove_file(&video).unwrap();

    let secrets = tokdeck_core::secrets::Secrets::with_store(
        "tokdeck-test",
        keyring_core::mock::Store::new().unwrap(),
    );
    let engine = tokdeck_core::Engine::open(tokdeck_core::EngineConfig::new(data_dir, secrets))
        .await
        .unwrap();
    let mut events = engine.events().subscribe();
    engine.start_background();
    let mut status = PostStatus::Scheduled;
    for _ in 0..50 {
        status = engine.post(p.id).await.unwrap().status;
        if status == PostStatus::NeedsAttention {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, PostStatus::NeedsAttention);
    let notice = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let Ok(tokdeck_core::events::EngineEvent::Notice { message, .. }) =
                events.recv().await
            {
                return message;
            }
        }
    })
    .await
    .expect("a notice about the post");
    assert!(
        notice.contains("1 scheduled post needs attention"),
        "{notice}"
    );
    engine.shutdown().await;
    drop(dir);
}

// ---------------------------------------------------------------------------------------------
// Day counts kept by triggers (post_hours) and the queue's finished posts.

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
            // The listed posts are the first ones of each day, at most five.
            for day in &month.days {
                let listed = month
                    .items
                    .iter()
                    .filter(|i| i.local.starts_with(&day.date))
                    .count();
                assert_eq!(
                    listed as u32,
                    day.count.min(5),
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

    e.delete_post(ids[7]).await.unwrap();
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

/// Sets posts' statuses as the publisher does.
async fn set_status(env: &Env, ids: &[i64], status: &str) {
    for id in ids {
        sqlx::query("UPDATE posts SET status = ? WHERE id = ?")
            .bind(status)
            .bind(id)
            .execute(env.engine.store().pool())
            .await
            .unwrap();
    }
}

fn captions(items: &[tokdeck_core::posts::CalendarItem]) -> Vec<&str> {
    items.iter().map(|i| i.caption.as_str()).collect()
}

#[tokio::test]
async fn queue_lists_recently_finished_posts_after_upcoming_ones() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let e = &env.engine;
    let c = public_creator("X");
    let year = Utc::now().year() + 1;
    let mut ids = Vec::new();
    for (i, (acct, caption)) in [
        (a, "up one"),
        (b, "up two"),
        (a, "done published early"),
        (b, "done failed"),
        (a, "done missed"),
        (b, "done published late"),
        (a, "gone cancelled"),
        (a, "up three"),
    ]
    .into_iter()
    .enumerate()
    {
        let p = e
            .create_draft(&input(acct, &video, caption), None)
            .await
            .unwrap();
        let local = format!("{year}-05-{:02}T10:00", i + 1);
        e.schedule_post(p.id, &at(&local, "Europe/Paris", None), &c)
            .await
            .unwrap();
        ids.push(p.id);
    }
    set_status(&env, &[ids[2], ids[5]], "published").await;
    set_status(&env, &[ids[3]], "failed").await;
    set_status(&env, &[ids[4]], "missed").await;
    set_status(&env, &[ids[7]], "needs_attention").await;
    e.cancel_post(ids[6]).await.unwrap();
    e.create_draft(&input(a, &video, "draft only"), None)
        .await
        .unwrap();

    // Without finished posts: the upcoming ones only, as before.
    let q = e.queue(&QueueQuery::default()).await.unwrap();
    assert_eq!(captions(&q), ["up one", "up two", "up three"]);

    // With them: upcoming soonest first, then finished latest first; drafts and cancelled
    // posts in neither.
    let all = QueueQuery {
        finished_limit: Some(10),
        ..Default::default()
    };
    let q = e.queue(&all).await.unwrap();
    assert_eq!(
        captions(&q),
        [
            "up one",
            "up two",
            "up three",
            "done published late",
            "done missed",
            "done failed",
            "done published early"
        ]
    );
    let statuses: Vec<_> = q.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses[3..],
        [
            PostStatus::Published,
            PostStatus::Missed,
            PostStatus::Failed,
            PostStatus::Published
        ]
    );
    // Each part has its own bound.
    let q = e
        .queue(&QueueQuery {
            limit: Some(1),
            finished_limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        captions(&q),
        ["up one", "done published late", "done missed"]
    );
    // Search and account filter apply to both parts, through every search path: a short term
    // (scan), a long one over all accounts (trigram index), and one account's (scan).
    for (account_id, search, want) in [
        (None, "up", vec!["up one", "up two", "up three"]),
        (
            None,
            "PUBLISHED",
            vec!["done published late", "done published early"],
        ),
        (
            None,
            "ne",
            vec![
                "up one",
                "done published late",
                "done missed",
                "done failed",
                "done published early",
            ],
        ),
        (Some(b), "done", vec!["done published late", "done failed"]),
        (
            Some(a),
            "e",
            vec!["up one", "up three", "done missed", "done published early"],
        ),
    ] {
        let q = e
            .queue(&QueueQuery {
                account_id,
                search: Some(search.into()),
                ..all.clone()
            })
            .await
            .unwrap();
        assert_eq!(captions(&q), want, "{account_id:?} {search}");
    }
}

#[tokio::test]
async fn queue_search_over_many_matches_scans_in_time_order() {
    // Past FTS_RARE matches the search leaves the trigram index for the time-ordered scan;
    // both must list the same posts in the same order.
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("X");
    let year = Utc::now().year() + 1;
    let p = e
        .create_draft(&input(a, &video, "seed"), None)
        .await
        .unwrap();
    e.schedule_post(p.id, &at(&format!("{year}-01-01T00:00"), "UTC", None), &c)
        .await
        .unwrap();
    let total = tokdeck_core::posts::FTS_RARE + 50;
    // Copies of the seed, later ones scheduled earlier (time order is not id order), every
    // fifth one published.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path, \
             media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts, \
             scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at) \
         SELECT account_id, CASE WHEN i % 5 = 0 THEN 'published' ELSE 'scheduled' END, mode, \
             'bulk item ' || i, privacy_level, media_path, media_size, media_mtime_ms, \
             media_head_sha256, media_tail_sha256, media_facts, \
             scheduled_at + (1000 - i) * 60000, schedule_zone, schedule_local, consent_at, \
             created_at, updated_at \
         FROM n, posts WHERE posts.id = ?",
    )
    .bind(total)
    .bind(p.id)
    .execute(e.store().pool())
    .await
    .unwrap();
    let listed = |search: &str| {
        let q = QueueQuery {
            search: Some(search.into()),
            limit: Some(3),
            finished_limit: Some(2),
            ..Default::default()
        };
        async move { e.queue(&q).await.unwrap() }
    };
    // Many matches (scan): the highest-numbered items are the soonest upcoming ones, the
    // lowest-numbered published ones the latest finished.
    let n = total;
    let q = listed("bulk item").await;
    let want: Vec<String> = [n - 1, n - 2, n - 3, 5, 10]
        .iter()
        .map(|i| format!("bulk item {i}"))
        .collect();
    assert_eq!(captions(&q), want);
    // Few matches (trigram index): "item 4" matches 4, 40-49 and 400-449.
    let q = listed("item 4").await;
    assert_eq!(
        captions(&q),
        [
            "bulk item 449",
            "bulk item 448",
            "bulk item 447",
            "bulk item 40",
            "bulk item 45"
        ]
    );
}
