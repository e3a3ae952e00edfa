//! Preview, commit and Undo of "Schedule all into slots", "Add to queue", caps-aware placement
//! and the problems a preview reports.

use tokdeck_core::planning::{PlanProblemKind, PlanningSettings};
use tokdeck_core::posts::{cap_warnings, Caps, ComposePatch, PostStatus};

use super::media_common::private_creator;
use super::*;

async fn status(r: &Rig, id: i64) -> PostStatus {
    r.env.engine.post(id).await.unwrap().status
}

async fn sql(r: &Rig, q: &'static str, id: i64) {
    sqlx::query(q)
        .bind(id)
        .execute(r.env.engine.store().pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn preview_commits_nothing_then_one_commit_and_one_undo() {
    let mut r = Rig::new().await;
    let a = r.account("a", "Europe/Paris").await;
    let b = r.account("b", "America/Los_Angeles").await;
    let e = &r.env.engine;
    e.set_posting_slots(
        a,
        &[
            slot(&[0, 1, 2, 3, 4], "09:00"),
            slot(&[0, 1, 2, 3, 4], "18:00"),
        ],
    )
    .await
    .unwrap();
    e.set_posting_slots(b, &[slot(&[5, 6], "12:00")])
        .await
        .unwrap();
    let mut ids = r.drafts(a, 3).await;
    ids.extend(r.drafts(b, 3).await);
    let plan = r.preview(&ids).await;
    assert_eq!((plan.placed, plan.refused), (6, 0), "{plan:?}");
    for id in &ids {
        assert_eq!(
            status(&r, *id).await,
            PostStatus::Draft,
            "the preview changed nothing"
        );
    }
    // Each account's posts in its own slots, in order, each slot once.
    let a_local: Vec<&str> = plan.items[..3]
        .iter()
        .map(|i| &i.local.as_deref().unwrap()[11..])
        .collect();
    assert!(
        a_local.iter().all(|t| *t == "09:00" || *t == "18:00"),
        "{a_local:?}"
    );
    let ats: Vec<i64> = plan.items[..3].iter().map(|i| i.at_ms.unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] < w[1]));
    assert!(plan.items[3..]
        .iter()
        .all(|i| i.zone.as_deref() == Some("America/Los_Angeles")));

    let done = e
        .commit_slot_schedule_with(&planned(&plan), &r.rules)
        .await
        .unwrap();
    assert_eq!((done.scheduled.len(), done.refused.len()), (6, 0));
    for it in &done.scheduled {
        let p = e.post(it.post_id).await.unwrap();
        assert_eq!(p.status, PostStatus::Scheduled);
        assert!(p.consent_at.is_some());
        assert_eq!(p.scheduled_at, it.at);
    }
    // The slots are taken now: the next preview lands later.
    let more = r.drafts(a, 1).await;
    let next = r.preview(&more).await;
    assert!(next.items[0].at_ms.unwrap() > *ats.last().unwrap());

    // One post started publishing: Undo leaves it and takes back the rest.
    sql(
        &r,
        "UPDATE posts SET status = 'publishing' WHERE id = ?",
        ids[0],
    )
    .await;
    let undo = e.undo_slot_schedule(&done.undo).await.unwrap();
    assert_eq!(undo.undone.len(), 5);
    assert_eq!(undo.kept.len(), 1);
    assert_eq!(undo.kept[0].post_id, ids[0]);
    assert!(undo.kept[0].message.contains("started publishing"));
    for id in &ids[1..] {
        let p = e.post(*id).await.unwrap();
        assert_eq!(
            (p.status, p.scheduled_at, p.consent_at),
            (PostStatus::Draft, None, None)
        );
    }
    // An Undo twice changes nothing more.
    let again = e.undo_slot_schedule(&done.undo).await.unwrap();
    assert!(again.undone.is_empty());
}

#[tokio::test]
async fn a_draft_changed_since_the_preview_is_reported_not_overwritten() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let e = &r.env.engine;
    e.set_posting_slots(a, &[slot(&[0, 1, 2, 3, 4, 5, 6], "10:00")])
        .await
        .unwrap();
    let ids = r.drafts(a, 3).await;
    let plan = r.preview(&ids).await;
    // Make sure the edit lands on a later millisecond than the draft's creation.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    e.update_post(
        ids[1],
        &ComposePatch {
            caption: Some("edited".into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    e.cancel_post(ids[2]).await.unwrap();
    let done = e
        .commit_slot_schedule_with(&planned(&plan), &r.rules)
        .await
        .unwrap();
    assert_eq!(done.scheduled.len(), 1);
    let kinds: Vec<_> = done
        .refused
        .iter()
        .map(|i| (i.post_id, i.problem.unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ids[1], PlanProblemKind::Changed),
            (ids[2], PlanProblemKind::Changed)
        ]
    );
    assert_eq!(e.post(ids[1]).await.unwrap().caption, "edited");
    assert_eq!(status(&r, ids[1]).await, PostStatus::Draft);
    assert_eq!(status(&r, ids[2]).await, PostStatus::Cancelled);
}

#[tokio::test]
async fn a_slot_taken_since_the_preview_is_reported() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let e = &r.env.engine;
    e.set_posting_slots(a, &[slot(&[0, 1, 2, 3, 4, 5, 6], "10:00")])
        .await
        .unwrap();
    let first = r.drafts(a, 1).await;
    let second = r.drafts(a, 1).await;
    let p1 = r.preview(&first).await;
    let p2 = r.preview(&second).await;
    assert_eq!(
        p1.items[0].at_ms, p2.items[0].at_ms,
        "both previews see the same free slot"
    );
    e.commit_slot_schedule_with(&planned(&p1), &r.rules)
        .await
        .unwrap();
    let done = e
        .commit_slot_schedule_with(&planned(&p2), &r.rules)
        .await
        .unwrap();
    assert_eq!(done.refused[0].problem, Some(PlanProblemKind::SlotTaken));
    assert!(done.refused[0]
        .message
        .as_deref()
        .unwrap()
        .contains("Preview again"));
    assert_eq!(status(&r, second[0]).await, PostStatus::Draft);
    // Add to queue finds the next one.
    let q = e.add_to_queue_with(second[0], &r.rules).await.unwrap();
    assert!(q.scheduled[0].at_ms > p1.items[0].at_ms);
}

#[tokio::test]
async fn placement_keeps_the_caps_the_gap_and_frees_slots_when_posts_move() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let e = &r.env.engine;
    // A slot every hour of every day.
    let every_hour: Vec<SlotInput> = (0..24)
        .map(|h| slot(&[0, 1, 2, 3, 4, 5, 6], &format!("{h:02}:00")))
        .collect();
    e.set_posting_slots(a, &every_hour).await.unwrap();
    e.set_posting_caps(Caps {
        daily_posts: 4,
        pending_inbox: 2,
    })
    .await
    .unwrap();
    e.set_planning_settings(PlanningSettings {
        min_gap_minutes: 90,
        stagger_minutes: 30,
    })
    .await
    .unwrap();
    let ids = r.drafts(a, 10).await;
    let plan = r.preview(&ids).await;
    assert_eq!(plan.placed, 10);
    let done = e
        .commit_slot_schedule_with(&planned(&plan), &r.rules)
        .await
        .unwrap();
    let mut ats: Vec<i64> = done.scheduled.iter().map(|i| i.at_ms.unwrap()).collect();
    ats.sort();
    assert!(
        ats.windows(2).all(|w| w[1] - w[0] >= 90 * 60_000),
        "{ats:?}"
    );
    let pool = e.store().pool();
    for it in &done.scheduled {
        let w = cap_warnings(
            pool,
            a,
            PostMode::Direct,
            it.at_ms.unwrap(),
            Some(it.post_id),
        )
        .await
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
    }
    // Four a day at most: the 10 posts reach into a third day.
    assert!(
        ats[9] - ats[0] >= 2 * 24 * 3600 * 1000 - 3600 * 1000,
        "{ats:?}"
    );
    // Unscheduling the first frees its slot: the queue refills it.
    let first = done.scheduled.iter().min_by_key(|i| i.at_ms).unwrap();
    e.unschedule_post(first.post_id).await.unwrap();
    let refill = r.drafts(a, 1).await;
    let q = e.add_to_queue_with(refill[0], &r.rules).await.unwrap();
    assert_eq!(q.scheduled[0].at_ms, first.at_ms);
}

#[tokio::test]
async fn problems_are_reported_per_post_in_plain_words() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let no_slots = r.account("b", "UTC").await;
    let gone = r.account("c", "UTC").await;
    let private = r.account("d", "UTC").await;
    r.rules.insert(private, private_creator("d"));
    let e = &r.env.engine;
    for acc in [a, gone, private] {
        e.set_posting_slots(acc, &[slot(&[0, 1, 2, 3, 4, 5, 6], "10:00")])
            .await
            .unwrap();
    }
    let ok = r.drafts(a, 1).await[0];
    let none = r.drafts(no_slots, 1).await[0];
    let disc = r.drafts(gone, 1).await[0];
    let bad_privacy = r.drafts(private, 1).await[0];
    let paused = r.drafts(a, 1).await[0];
    let scheduled = r.drafts(a, 1).await[0];
    e.add_to_queue_with(scheduled, &r.rules).await.unwrap();
    sqlx::query("UPDATE accounts SET status = 'needs_reconnect' WHERE id = ?")
        .bind(gone)
        .execute(e.store().pool())
        .await
        .unwrap();
    sql(
        &r,
        "UPDATE posts SET paused_reason = 'its account was removed' WHERE id = ?",
        paused,
    )
    .await;
    let plan = r
        .preview(&[ok, none, disc, bad_privacy, paused, scheduled, 99_999])
        .await;
    let kinds: Vec<_> = plan.items.iter().map(|i| i.problem).collect();
    assert_eq!(
        kinds,
        vec![
            None,
            Some(PlanProblemKind::NoSlots),
            Some(PlanProblemKind::AccountUnavailable),
            Some(PlanProblemKind::Rules),
            Some(PlanProblemKind::Paused),
            Some(PlanProblemKind::NotADraft),
            Some(PlanProblemKind::NotFound),
        ]
    );
    let msgs: Vec<&str> = plan
        .items
        .iter()
        .filter_map(|i| i.message.as_deref())
        .collect();
    assert!(msgs[0].contains("@b has no posting slots"), "{msgs:?}");
    assert!(msgs[1].contains("@c must be reconnected"), "{msgs:?}");
    assert!(msgs[2].contains("not offered by d"), "{msgs:?}");
    for m in &msgs {
        assert!(
            !m.contains('_') || m.contains("PUBLIC_TO"),
            "no raw codes: {m}"
        );
    }
    let err = e.add_to_queue_with(none, &r.rules).await.unwrap_err();
    assert!(err.user_message().contains("no posting slots"));
}

#[tokio::test]
async fn inbox_uploads_keep_their_own_cap() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let e = &r.env.engine;
    let every_hour: Vec<SlotInput> = (0..24)
        .map(|h| slot(&[0, 1, 2, 3, 4, 5, 6], &format!("{h:02}:00")))
        .collect();
    e.set_posting_slots(a, &every_hour).await.unwrap();
    e.set_posting_caps(Caps {
        daily_posts: 15,
        pending_inbox: 2,
    })
    .await
    .unwrap();
    let ids = r.drafts(a, 4).await;
    for id in &ids {
        e.update_post(
            *id,
            &ComposePatch {
                mode: Some(PostMode::Inbox),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    }
    let plan = r.preview(&ids).await;
    let ats: Vec<i64> = plan.items.iter().map(|i| i.at_ms.unwrap()).collect();
    // Two in any 24 h: the third is at least a day after the first.
    assert!(ats[2] - ats[0] >= 24 * 3600 * 1000, "{ats:?}");
    assert!(ats[3] - ats[1] >= 24 * 3600 * 1000, "{ats:?}");
}
