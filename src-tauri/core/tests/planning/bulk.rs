//! The Queue's and Calendar's batch operations on scheduled posts: shift by days (across the
//! clock changes in New York), move into slots, cancel and delete, each with one Undo, and a
//! model test interleaving them with single-post changes and publisher claims.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, Utc};
use proptest::prelude::*;
use tokdeck_core::planning::{BulkOutcome, BulkTarget, PlannedPost};
use tokdeck_core::posts::{PostStatus, When};

use super::*;

const NY: &str = "America/New_York";

async fn schedule_at(r: &Rig, account: i64, local: &str, zone: &str) -> i64 {
    let id = r.drafts(account, 1).await[0];
    let when = When::At {
        local: local.into(),
        zone: Some(zone.into()),
        dst: None,
    };
    r.env
        .engine
        .schedule_post(id, &when, &r.rules[&account])
        .await
        .unwrap();
    id
}

/// `days` from now at `time`, as `YYYY-MM-DDTHH:MM`.
fn ahead(days: i64, time: &str) -> String {
    format!(
        "{}T{time}",
        (Utc::now() + Duration::days(days)).format("%Y-%m-%d")
    )
}

async fn targets(r: &Rig, ids: &[i64]) -> Vec<BulkTarget> {
    let mut out = Vec::new();
    for id in ids {
        let p = r.env.engine.post(*id).await.unwrap();
        out.push(BulkTarget {
            post_id: *id,
            updated_at: Some(p.updated_at),
        });
    }
    out
}

async fn sql(r: &Rig, q: &'static str, id: i64) {
    sqlx::query(q)
        .bind(id)
        .execute(r.env.engine.store().pool())
        .await
        .unwrap();
}

fn ids(out: &BulkOutcome) -> Vec<i64> {
    out.done.iter().map(|d| d.post_id).collect()
}

#[tokio::test]
async fn shift_skips_started_and_changed_posts_and_undo_puts_the_rest_back() {
    let mut r = Rig::new().await;
    let a = r.account("a", "Europe/Paris").await;
    let e = &r.env.engine;
    let mut p = Vec::new();
    for d in 2..6 {
        p.push(schedule_at(&r, a, &ahead(d, "09:00"), "Europe/Paris").await);
    }
    let chosen = targets(&r, &p).await;
    // After the creator chose them: one starts publishing, one is edited.
    sql(&r, "UPDATE posts SET status = 'queued' WHERE id = ?", p[0]).await;
    sql(
        &r,
        "UPDATE posts SET updated_at = updated_at + 7 WHERE id = ?",
        p[1],
    )
    .await;
    let before: Vec<_> = futures_post(&r, &p).await;
    let out = e.shift_posts(&chosen, 3).await.unwrap();
    assert_eq!(ids(&out), vec![p[2], p[3]]);
    let skipped: HashMap<i64, &str> = out
        .skipped
        .iter()
        .map(|s| (s.post_id, s.message.as_str()))
        .collect();
    assert!(skipped[&p[0]].contains("started publishing"), "{skipped:?}");
    assert!(skipped[&p[1]].contains("changed since you chose it"));
    let after = futures_post(&r, &p).await;
    assert_eq!(before[0], after[0], "a queued post is never moved");
    assert_eq!(before[1], after[1], "a changed post is never overwritten");
    for i in 2..4 {
        let (at0, local0) = before[i].clone();
        let (at1, local1) = after[i].clone();
        assert_eq!(at1.unwrap() - at0.unwrap(), 3 * 86_400_000);
        assert_eq!(&local0.unwrap()[11..], &local1.unwrap()[11..]);
    }
    // Moving a post by hand after the batch: the Undo leaves it there.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    e.reschedule_post(
        p[3],
        &When::At {
            local: ahead(20, "10:00"),
            zone: None,
            dst: None,
        },
    )
    .await
    .unwrap();
    let moved = futures_post(&r, &p[3..]).await;
    let undo = e.undo_bulk(&out.undo).await.unwrap();
    assert_eq!(undo.undone, vec![p[2]]);
    assert_eq!(undo.kept.len(), 1);
    assert_eq!(futures_post(&r, &p[2..3]).await[0], before[2]);
    assert_eq!(futures_post(&r, &p[3..]).await, moved);
    // Shifting into the past is refused per post, and zero days not at all.
    let back = e
        .shift_posts(&targets(&r, &p[2..3]).await, -10)
        .await
        .unwrap();
    assert!(back.done.is_empty());
    assert!(back.skipped[0].message.contains("past"));
    assert!(e
        .shift_posts(&targets(&r, &p[2..3]).await, 0)
        .await
        .is_err());
}

async fn futures_post(r: &Rig, ids: &[i64]) -> Vec<(Option<i64>, Option<String>)> {
    let mut out = Vec::new();
    for id in ids {
        let p = r.env.engine.post(*id).await.unwrap();
        out.push((
            p.scheduled_at.map(|s| {
                chrono::DateTime::parse_from_rfc3339(&s)
                    .unwrap()
                    .timestamp_millis()
            }),
            p.schedule_local,
        ));
    }
    out
}

#[tokio::test]
async fn a_shift_keeps_the_wall_clock_across_new_yorks_clock_changes() {
    let mut r = Rig::new().await;
    let a = r.account("a", NY).await;
    let e = &r.env.engine;
    let year = Utc::now().format("%Y").to_string().parse::<i32>().unwrap() + 1;
    // Spring forward on the second Sunday of March, fall back on the first of November.
    let spring = schedule_at(&r, a, &format!("{year}-03-06T09:00"), NY).await;
    let fall = schedule_at(&r, a, &format!("{year}-10-30T09:00"), NY).await;
    // Two weeks before the second Sunday of March, at a time that night skips.
    let march = chrono::NaiveDate::from_ymd_opt(year, 3, 1).unwrap();
    let first_sunday = (0..7)
        .map(|d| march + Duration::days(d))
        .find(|d| chrono::Datelike::weekday(d) == chrono::Weekday::Sun)
        .unwrap();
    let skip_night = first_sunday + Duration::days(7);
    let gap_local = format!(
        "{}T02:30",
        (skip_night - Duration::days(14)).format("%Y-%m-%d")
    );
    let gap = schedule_at(&r, a, &gap_local, NY).await;
    let out = e
        .shift_posts(&targets(&r, &[spring, fall, gap]).await, 14)
        .await
        .unwrap();
    assert_eq!(ids(&out), vec![spring, fall]);
    let hour = 3_600_000;
    for (id, delta) in [
        (spring, 14 * 24 * hour - hour),
        (fall, 14 * 24 * hour + hour),
    ] {
        let d = out.done.iter().find(|d| d.post_id == id).unwrap();
        assert_eq!(&d.local.as_deref().unwrap()[11..], "09:00");
        let u = out.undo.iter().find(|u| u.post_id == id).unwrap();
        assert_eq!(u.at_ms - u.before_ms, delta, "post {id}");
    }
    // 02:30 on the night the clocks skip: left alone, said why.
    let second_sunday = out.skipped.iter().find(|s| s.post_id == gap).unwrap();
    assert!(
        second_sunday.message.contains("does not exist"),
        "{second_sunday:?}"
    );
    let undo = e.undo_bulk(&out.undo).await.unwrap();
    assert_eq!(undo.undone.len(), 2);
    let p = e.post(spring).await.unwrap();
    assert_eq!(
        p.schedule_local.as_deref(),
        Some(format!("{year}-03-06T09:00").as_str())
    );
}

#[tokio::test]
async fn cancel_and_delete_go_to_trash_and_undo_brings_them_back_scheduled() {
    let mut r = Rig::new().await;
    let a = r.account("a", "UTC").await;
    let e = &r.env.engine;
    let mut p = Vec::new();
    for d in 1..5 {
        p.push(schedule_at(&r, a, &ahead(d, "12:00"), "UTC").await);
    }
    sql(
        &r,
        "UPDATE posts SET status = 'publishing' WHERE id = ?",
        p[3],
    )
    .await;
    let cancel = e
        .trash_posts(&targets(&r, &p[..2]).await, false)
        .await
        .unwrap();
    let delete = e
        .trash_posts(&targets(&r, &p[2..]).await, true)
        .await
        .unwrap();
    assert_eq!(ids(&cancel), p[..2].to_vec());
    assert_eq!(ids(&delete), vec![p[2]]);
    assert!(delete.skipped[0].message.contains("started publishing"));
    let trash = e.trash().await.unwrap();
    assert_eq!(trash.len(), 3);
    assert!(trash.iter().any(|t| t.id == p[2] && t.deleted));
    // One of the cancelled posts is restored by hand meanwhile (as a draft): Undo leaves it.
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    e.restore_post(p[1]).await.unwrap();
    let undo = e.undo_bulk(&cancel.undo).await.unwrap();
    assert_eq!(undo.undone, vec![p[0]]);
    assert_eq!(undo.kept[0].post_id, p[1]);
    assert_eq!(e.post(p[0]).await.unwrap().status, PostStatus::Scheduled);
    assert_eq!(e.post(p[1]).await.unwrap().status, PostStatus::Draft);
    let undo = e.undo_bulk(&delete.undo).await.unwrap();
    assert_eq!(undo.undone, vec![p[2]]);
    assert_eq!(e.post(p[3]).await.unwrap().status, PostStatus::Publishing);
    // Twice changes nothing more.
    assert!(e.undo_bulk(&delete.undo).await.unwrap().undone.is_empty());
}

#[tokio::test]
async fn move_into_slots_previews_then_commits_and_undoes() {
    let mut r = Rig::new().await;
    let a = r.account("a", "Europe/Paris").await;
    let e = &r.env.engine;
    e.set_posting_slots(a, &[slot(&[0, 1, 2, 3, 4, 5, 6], "18:00")])
        .await
        .unwrap();
    let mut p = Vec::new();
    for d in 3..6 {
        p.push(schedule_at(&r, a, &ahead(d, "07:15"), "Europe/Paris").await);
    }
    let before = futures_post(&r, &p).await;
    let plan = e.preview_slot_move(&targets(&r, &p).await).await.unwrap();
    assert_eq!((plan.placed, plan.refused), (3, 0), "{plan:?}");
    assert_eq!(
        futures_post(&r, &p).await,
        before,
        "a preview changes nothing"
    );
    assert!(plan
        .items
        .iter()
        .all(|i| i.local.as_deref().unwrap().ends_with("18:00")));
    let planned: Vec<PlannedPost> = plan
        .items
        .iter()
        .map(|i| PlannedPost {
            post_id: i.post_id,
            at_ms: i.at_ms.unwrap(),
            updated_at: i.updated_at,
        })
        .collect();
    let done = e.commit_slot_move(&planned).await.unwrap();
    assert_eq!(ids(&done), p);
    let undo = e.undo_bulk(&done.undo).await.unwrap();
    assert_eq!(undo.undone.len(), 3);
    assert_eq!(futures_post(&r, &p).await, before);
    // A draft is not moved by "Move into slots".
    let d = r.drafts(a, 1).await;
    let plan = e.preview_slot_move(&targets(&r, &d).await).await.unwrap();
    assert_eq!(plan.refused, 1);
}

// ---- Model test ----

#[derive(Debug, Clone)]
enum Step {
    Shift { take: u8, days: i8 },
    Slots { take: u8 },
    Trash { take: u8, deleted: bool },
    Undo { back: usize },
    Reschedule { k: usize },
    Cancel { k: usize },
    Claim { k: usize, to: u8 },
    Restore { k: usize },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<u8>(), prop_oneof![-3..0i8, 1..4i8]).prop_map(|(take, days)| Step::Shift { take, days }),
        2 => any::<u8>().prop_map(|take| Step::Slots { take }),
        2 => (any::<u8>(), any::<bool>()).prop_map(|(take, deleted)| Step::Trash { take, deleted }),
        3 => (0..3usize).prop_map(|back| Step::Undo { back }),
        1 => (0..20usize).prop_map(|k| Step::Reschedule { k }),
        1 => (0..20usize).prop_map(|k| Step::Cancel { k }),
        2 => (0..20usize, 0..3u8).prop_map(|(k, to)| Step::Claim { k, to }),
        1 => (0..20usize).prop_map(|k| Step::Restore { k }),
    ]
}

type State = (String, Option<i64>, Option<String>);

async fn states(r: &Rig) -> HashMap<i64, State> {
    let rows: Vec<(i64, String, Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT id, status, scheduled_at, trashed_from FROM posts")
            .fetch_all(r.env.engine.store().pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(id, s, at, from)| (id, (s, at, from)))
        .collect()
}

async fn of_status(r: &Rig, status: &str) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM posts WHERE status = ? ORDER BY id")
        .bind(status)
        .fetch_all(r.env.engine.store().pool())
        .await
        .unwrap()
}

/// Each post is in exactly one consistent state.
async fn check_states(r: &Rig) {
    let bad: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM posts WHERE
            (status = 'cancelled') != (trashed_at IS NOT NULL)
         OR (status = 'scheduled' AND scheduled_at IS NULL)
         OR (status = 'cancelled' AND EXISTS (SELECT 1 FROM publish_jobs j
                WHERE j.post_id = posts.id AND j.state = 'queued'))",
    )
    .fetch_all(r.env.engine.store().pool())
    .await
    .unwrap();
    assert!(bad.is_empty(), "posts in two states: {bad:?}");
}

/// A batch still to undo, and the posts changed by someone else since.
struct Batch {
    out: BulkOutcome,
    touched: HashSet<i64>,
}

fn pick(ids: &[i64], take: u8) -> Vec<i64> {
    ids.iter()
        .enumerate()
        .filter(|(i, _)| take & (1 << (i % 8)) != 0)
        .map(|(_, id)| *id)
        .collect()
}

async fn run(steps: Vec<Step>) {
    let mut r = Rig::new().await;
    let a = r.account("a", NY).await;
    let e = r.env.engine.clone();
    e.set_posting_slots(a, &[slot(&[0, 1, 2, 3, 4, 5, 6], "09:00")])
        .await
        .unwrap();
    for d in 0..8 {
        schedule_at(&r, a, &ahead(5 + d, "12:00"), NY).await;
    }
    let mut batches: Vec<Batch> = Vec::new();
    for s in steps {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        let scheduled = of_status(&r, "scheduled").await;
        let before = states(&r).await;
        let mut changed_by_others: Vec<i64> = Vec::new();
        let mut batch: Option<BulkOutcome> = None;
        match s {
            Step::Shift { take, days } => {
                let t = targets(&r, &pick(&scheduled, take)).await;
                batch = Some(e.shift_posts(&t, i32::from(days)).await.unwrap());
            }
            Step::Slots { take } => {
                let t = targets(&r, &pick(&scheduled, take)).await;
                let plan = e.preview_slot_move(&t).await.unwrap();
                let planned: Vec<PlannedPost> = plan
                    .items
                    .iter()
                    .filter(|i| i.problem.is_none())
                    .map(|i| PlannedPost {
                        post_id: i.post_id,
                        at_ms: i.at_ms.unwrap(),
                        updated_at: i.updated_at,
                    })
                    .collect();
                batch = Some(e.commit_slot_move(&planned).await.unwrap());
            }
            Step::Trash { take, deleted } => {
                let t = targets(&r, &pick(&scheduled, take)).await;
                batch = Some(e.trash_posts(&t, deleted).await.unwrap());
            }
            Step::Undo { back } if batches.len() > back => {
                let b = batches.remove(batches.len() - 1 - back);
                let rep = e.undo_bulk(&b.out.undo).await.unwrap();
                let after = states(&r).await;
                for id in &b.touched {
                    assert_eq!(
                        before.get(id),
                        after.get(id),
                        "undo overwrote a later change to post {id}"
                    );
                }
                for u in &b.out.undo {
                    if !b.touched.contains(&u.post_id) {
                        assert!(
                            rep.undone.contains(&u.post_id),
                            "untouched post {} not undone: {rep:?}",
                            u.post_id
                        );
                    }
                }
                changed_by_others.extend(rep.undone.iter().chain(&rep.as_drafts));
            }
            Step::Reschedule { k } if !scheduled.is_empty() => {
                let id = scheduled[k % scheduled.len()];
                let when = When::At {
                    local: ahead(30 + k as i64, "15:00"),
                    zone: None,
                    dst: None,
                };
                if e.reschedule_post(id, &when).await.is_ok() {
                    changed_by_others.push(id);
                }
            }
            Step::Cancel { k } if !scheduled.is_empty() => {
                let id = scheduled[k % scheduled.len()];
                if e.cancel_post(id).await.is_ok() {
                    changed_by_others.push(id);
                }
            }
            Step::Claim { k, to } if !scheduled.is_empty() => {
                let id = scheduled[k % scheduled.len()];
                let q = [
                    "UPDATE posts SET status = 'queued' WHERE id = ? AND status = 'scheduled'",
                    "UPDATE posts SET status = 'publishing' WHERE id = ? AND status = 'scheduled'",
                    "UPDATE posts SET status = 'published' WHERE id = ? AND status = 'scheduled'",
                ][to as usize];
                sql(&r, q, id).await;
                changed_by_others.push(id);
            }
            Step::Restore { k } => {
                let trashed = of_status(&r, "cancelled").await;
                if !trashed.is_empty() {
                    let id = trashed[k % trashed.len()];
                    if e.undo_trash(id).await.is_ok() {
                        changed_by_others.push(id);
                    }
                }
            }
            _ => {}
        }
        let after = states(&r).await;
        if let Some(out) = &batch {
            for (id, (status, _, _)) in &before {
                if matches!(status.as_str(), "queued" | "publishing" | "published") {
                    assert_eq!(
                        Some(&before[id]),
                        after.get(id),
                        "a started post {id} was changed"
                    );
                }
            }
            changed_by_others.extend(ids(out));
        }
        for b in &mut batches {
            let mine: HashSet<i64> = b.out.undo.iter().map(|u| u.post_id).collect();
            b.touched
                .extend(changed_by_others.iter().filter(|id| mine.contains(id)));
        }
        if let Some(out) = batch {
            batches.push(Batch {
                out,
                touched: HashSet::new(),
            });
        }
        check_states(&r).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    #[test]
    fn batches_undos_and_single_changes_never_clash(steps in prop::collection::vec(step(), 1..16)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(run(steps));
    }
}
