//! Model test: random sequences of planning steps (drafts made, "Schedule all into slots",
//! Add to queue, posts unscheduled, cancelled or published, Undo, a draft edited between
//! preview and commit) with random slots, zones, caps and minimum gaps. After every step no
//! account has a planned post the caps would refuse (`cap_warnings` is empty for each) and no
//! two posts of one account are closer than the minimum gap (nor more than 6 in a minute).

use proptest::prelude::*;
use tokdeck_core::planning::{PlanningSettings, SlotCommit, UndoEntry};
use tokdeck_core::posts::{cap_warnings, Caps, ComposePatch};

use super::*;

const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
];

#[derive(Debug, Clone)]
enum Step {
    Drafts {
        account: usize,
        n: usize,
        inbox: bool,
    },
    ScheduleAll {
        take: usize,
    },
    AddToQueue,
    Unschedule {
        k: usize,
    },
    Cancel {
        k: usize,
    },
    Publish {
        k: usize,
    },
    Undo,
    EditBetween,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..2usize, 1..5usize, any::<bool>()).prop_map(|(account, n, inbox)| Step::Drafts { account, n, inbox }),
        3 => (1..8usize).prop_map(|take| Step::ScheduleAll { take }),
        2 => Just(Step::AddToQueue),
        1 => (0..20usize).prop_map(|k| Step::Unschedule { k }),
        1 => (0..20usize).prop_map(|k| Step::Cancel { k }),
        1 => (0..20usize).prop_map(|k| Step::Publish { k }),
        1 => Just(Step::Undo),
        1 => Just(Step::EditBetween),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    zones: [usize; 2],
    slots: Vec<Vec<(u8, u16)>>,
    daily: u32,
    inbox: u32,
    gap: u32,
    steps: Vec<Step>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        [0..ZONES.len(), 0..ZONES.len()],
        prop::collection::vec(prop::collection::vec((0..7u8, 0..96u16), 1..8), 2),
        1..5u32,
        1..3u32,
        prop_oneof![Just(0u32), Just(30), Just(120), Just(600)],
        prop::collection::vec(step(), 1..14),
    )
        .prop_map(|(zones, slots, daily, inbox, gap, steps)| Case {
            zones,
            // Quarter hours.
            slots: slots
                .into_iter()
                .map(|v| v.into_iter().map(|(d, q)| (d, q * 15)).collect())
                .collect(),
            daily,
            inbox,
            gap,
            steps,
        })
}

async fn drafts_of(r: &Rig) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM posts WHERE status = 'draft' ORDER BY id")
        .fetch_all(r.env.engine.store().pool())
        .await
        .unwrap()
}

async fn scheduled_of(r: &Rig) -> Vec<i64> {
    sqlx::query_scalar("SELECT id FROM posts WHERE status = 'scheduled' ORDER BY id")
        .fetch_all(r.env.engine.store().pool())
        .await
        .unwrap()
}

/// The invariants, over every timed post that holds its account's time.
async fn check(r: &Rig, gap_ms: i64) {
    let pool = r.env.engine.store().pool();
    let rows: Vec<(i64, i64, i64, String, String)> = sqlx::query_as(
        "SELECT id, account_id, scheduled_at, mode, status FROM posts
         WHERE scheduled_at IS NOT NULL AND status IN ('scheduled', 'queued', 'publishing', 'published')
         ORDER BY account_id, scheduled_at",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for w in rows.windows(2) {
        if w[0].1 == w[1].1 {
            assert!(
                w[1].2 - w[0].2 >= gap_ms.max(1),
                "posts {} and {} too close: {rows:?}",
                w[0].0,
                w[1].0
            );
        }
    }
    for w in rows.windows(7) {
        assert!(
            !(w[0].1 == w[6].1 && w[6].2 - w[0].2 < 60_000),
            "7 in a minute: {rows:?}"
        );
    }
    for (id, account, at, mode, _) in &rows {
        let mode = if mode == "inbox" {
            PostMode::Inbox
        } else {
            PostMode::Direct
        };
        let w = cap_warnings(pool, *account, mode, *at, Some(*id))
            .await
            .unwrap();
        assert!(w.is_empty(), "post {id} over a cap: {w:?}");
    }
}

async fn run(c: Case) {
    let mut r = Rig::new().await;
    let mut accounts = Vec::new();
    for (i, z) in c.zones.iter().enumerate() {
        accounts.push(r.account(&format!("acc{i}"), ZONES[*z]).await);
    }
    let e = r.env.engine.clone();
    for (i, a) in accounts.iter().enumerate() {
        let slots: Vec<SlotInput> = c.slots[i]
            .iter()
            .map(|(d, m)| slot(&[*d], &format!("{:02}:{:02}", m / 60, m % 60)))
            .collect();
        e.set_posting_slots(*a, &slots).await.unwrap();
    }
    e.set_posting_caps(Caps {
        daily_posts: c.daily,
        pending_inbox: c.inbox,
    })
    .await
    .unwrap();
    e.set_planning_settings(PlanningSettings {
        min_gap_minutes: c.gap,
        stagger_minutes: 30,
    })
    .await
    .unwrap();
    let gap_ms = i64::from(c.gap) * 60_000;
    let mut last: Option<SlotCommit> = None;
    for s in &c.steps {
        match s {
            Step::Drafts { account, n, inbox } => {
                for id in r.drafts(accounts[*account], *n).await {
                    if *inbox {
                        let patch = ComposePatch {
                            mode: Some(PostMode::Inbox),
                            ..Default::default()
                        };
                        e.update_post(id, &patch, None).await.unwrap();
                    }
                }
            }
            Step::ScheduleAll { take } => {
                let ids: Vec<i64> = drafts_of(&r).await.into_iter().take(*take).collect();
                let plan = r.preview(&ids).await;
                last = Some(
                    e.commit_slot_schedule_with(&planned(&plan), &r.rules)
                        .await
                        .unwrap(),
                );
            }
            Step::AddToQueue => {
                if let Some(id) = drafts_of(&r).await.first() {
                    if let Ok(done) = e.add_to_queue_with(*id, &r.rules).await {
                        last = Some(done);
                    }
                }
            }
            Step::Unschedule { k } | Step::Cancel { k } | Step::Publish { k } => {
                let ids = scheduled_of(&r).await;
                if ids.is_empty() {
                    continue;
                }
                let id = ids[k % ids.len()];
                match s {
                    Step::Unschedule { .. } => {
                        e.unschedule_post(id).await.unwrap();
                    }
                    Step::Cancel { .. } => {
                        e.cancel_post(id).await.unwrap();
                    }
                    _ => {
                        sqlx::query("UPDATE posts SET status = 'published' WHERE id = ?")
                            .bind(id)
                            .execute(e.store().pool())
                            .await
                            .unwrap();
                    }
                }
            }
            Step::Undo => {
                if let Some(done) = last.take() {
                    let entries: Vec<UndoEntry> = done.undo;
                    e.undo_slot_schedule(&entries).await.unwrap();
                }
            }
            Step::EditBetween => {
                let ids = drafts_of(&r).await;
                let plan = r.preview(&ids).await;
                if let Some(id) = ids.first() {
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    let patch = ComposePatch {
                        caption: Some("edited".into()),
                        ..Default::default()
                    };
                    e.update_post(*id, &patch, None).await.unwrap();
                }
                let done = e
                    .commit_slot_schedule_with(&planned(&plan), &r.rules)
                    .await
                    .unwrap();
                if let Some(id) = ids.first() {
                    assert!(
                        done.scheduled.iter().all(|i| i.post_id != *id),
                        "an edited draft was taken"
                    );
                }
                last = Some(done);
            }
        }
        check(&r, gap_ms).await;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn plans_never_break_a_cap_or_the_gap(c in case()) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(run(c));
    }
}
