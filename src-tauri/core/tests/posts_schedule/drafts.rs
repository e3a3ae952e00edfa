//! The drafts library on a real SQLite file: every unscheduled post of every account (not only
//! those made in this run), each with the problems known without asking TikTok; and a post
//! scheduled from the library going back to a draft.

use super::*;
use tokdeck_core::posts::{DraftProblemKind, DraftQuery};

fn kinds(list: &tokdeck_core::posts::DraftList, id: i64) -> Vec<DraftProblemKind> {
    let item = list.items.iter().find(|i| i.id == id).expect("listed");
    item.problems.iter().map(|p| p.kind).collect()
}

#[tokio::test]
async fn every_unscheduled_post_is_listed_with_its_problems() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let b = env.account("bruno").await;
    let ready = e
        .create_draft(&input(a, &video, "Ready to go #tokdeck"), None)
        .await
        .unwrap();
    let mut unfinished = input(b, &video, "");
    unfinished.privacy_level = None;
    let unfinished = e.create_draft(&unfinished, None).await.unwrap();
    let scheduled = e
        .create_draft(&input(a, &video, "on the calendar"), None)
        .await
        .unwrap();
    e.schedule_post(
        scheduled.id,
        &at("2027-06-01T10:00", "UTC", None),
        &public_creator("Alice"),
    )
    .await
    .unwrap();
    let other = h264(env.path(), "moving.mp4", 1.0);
    let moved = e
        .create_draft(&input(a, &other, "file moves"), None)
        .await
        .unwrap();

    let list = e.drafts(&DraftQuery::default()).await.unwrap();
    let ids: Vec<i64> = list.items.iter().map(|i| i.id).collect();
    assert_eq!(ids, vec![moved.id, unfinished.id, ready.id], "newest first");
    assert_eq!(list.total, 3);
    assert!(kinds(&list, ready.id).is_empty());
    assert_eq!(
        kinds(&list, unfinished.id),
        vec![DraftProblemKind::Unfinished]
    );
    let first = &list.items[2];
    assert_eq!(
        (first.caption.as_str(), first.file_name.as_str()),
        ("Ready to go #tokdeck", "v.mp4")
    );
    let names: Vec<(i64, &str, u32)> = list
        .accounts
        .iter()
        .map(|a| (a.id, a.handle.as_str(), a.drafts))
        .collect();
    assert_eq!(names, vec![(a, "@alice", 2), (b, "@bruno", 1)]);

    // Filtered to one account; the accounts and the total still cover all.
    let only_b = e
        .drafts(&DraftQuery {
            account_id: Some(b),
        })
        .await
        .unwrap();
    assert_eq!(
        only_b.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![unfinished.id]
    );
    assert_eq!((only_b.total, only_b.accounts.len()), (3, 2));

    // The file goes; the start-up check sets the draft aside (needs attention, no time): it
    // stays in the library, saying where the file was.
    std::fs::remove_file(&other).unwrap();
    e.check_pending_media().await.unwrap();
    assert_eq!(
        e.post(moved.id).await.unwrap().status,
        PostStatus::NeedsAttention
    );
    let list = e.drafts(&DraftQuery::default()).await.unwrap();
    assert_eq!(kinds(&list, moved.id), vec![DraftProblemKind::FileMissing]);
    let missing = &list.items[0].problems[0].message;
    assert!(missing.contains("moving.mp4 is no longer at"), "{missing}");

    // Bruno is removed from Tokdeck: his draft stays, saying so.
    sqlx::query("UPDATE accounts SET removed_at = 1, status = 'disconnected' WHERE id = ?")
        .bind(b)
        .execute(e.store().pool())
        .await
        .unwrap();
    let list = e.drafts(&DraftQuery::default()).await.unwrap();
    assert_eq!(
        kinds(&list, unfinished.id),
        vec![
            DraftProblemKind::AccountRemoved,
            DraftProblemKind::Unfinished
        ]
    );
    assert!(list.accounts.iter().any(|x| x.id == b && x.removed));
}

#[tokio::test]
async fn a_draft_scheduled_from_the_library_can_go_back_to_the_drafts() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let p = e
        .create_draft(&input(a, &video, "dropped on a day"), None)
        .await
        .unwrap();
    let err = e.unschedule_post(p.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "a draft already");

    e.schedule_post(
        p.id,
        &at("2027-06-01T09:00", "Europe/Paris", None),
        &public_creator("Alice"),
    )
    .await
    .unwrap();
    let list = e.drafts(&DraftQuery::default()).await.unwrap();
    assert!(list.items.is_empty(), "a scheduled post is not a draft");
    let back = e.unschedule_post(p.id).await.unwrap();
    assert_eq!(back.status, PostStatus::Draft);
    assert_eq!(
        (back.scheduled_at, back.schedule_zone, back.consent_at),
        (None, None, None),
        "no time and no consent left"
    );
    let list = e.drafts(&DraftQuery::default()).await.unwrap();
    assert_eq!(
        list.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![p.id]
    );
    let month = e
        .calendar_month(2027, 6, "Europe/Paris", None)
        .await
        .unwrap();
    assert!(month.items.is_empty(), "gone from the calendar");

    // Once the publisher has it, it stays where it is.
    e.schedule_post(
        p.id,
        &at("2027-06-01T09:00", "Europe/Paris", None),
        &public_creator("Alice"),
    )
    .await
    .unwrap();
    set_status(&env, &[p.id], "queued").await;
    let err = e.unschedule_post(p.id).await.unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
}
