//! Compose rules, CRUD, duplicates checked per account, and the caps' warnings.

use super::*;

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
    // A cancelled post is in Trash: Delete forever removes it.
    e.delete_forever(p.id).await.unwrap();
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
