//! Hand-offs raced by the creator and the scheduler: generated sequences of cancels, deletes
//! and pauses land while posts of two accounts hand their upload slots on. Whatever the order:
//! no post reaches TikTok twice, a post whose cancel or delete was answered OK never reaches
//! it, no account has two posts publishing at once, and every other post ends published.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use super::*;

const POSTS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Cancel,
    Delete,
    Pause,
    Resume,
}

#[derive(Debug, Clone)]
struct Race {
    /// Each post's account (0 or 1).
    accounts: Vec<usize>,
    /// (wait before it in ms, post index, what).
    acts: Vec<(u64, usize, Act)>,
}

fn race() -> impl Strategy<Value = Race> {
    let act = prop_oneof![
        Just(Act::Cancel),
        Just(Act::Delete),
        Just(Act::Pause),
        Just(Act::Resume)
    ];
    (
        proptest::collection::vec(0..2usize, POSTS),
        proptest::collection::vec((0..25u64, 0..POSTS, act), 0..6),
    )
        .prop_map(|(accounts, acts)| Race { accounts, acts })
}

async fn run(r: Race) {
    let t = T::start(media_common::h264).await;
    let e = t.h.engine.clone();
    let accounts = [t.account("alice").await.1, t.account("bob").await.1];
    let mut ids = Vec::new();
    let mut first: HashMap<i64, i64> = HashMap::new();
    for (i, &k) in r.accounts.iter().enumerate() {
        let account = accounts[k];
        let caption = format!("race {i}");
        let id = match first.get(&account) {
            Some(&from) => copy_post(e.store().pool(), from, Some(&caption)).await,
            None => {
                let id = t.draft(account, &caption).await;
                t.schedule(id, in_minutes(&e, 2)).await;
                first.insert(account, id);
                id
            }
        };
        ids.push(id);
    }
    let account_of: HashMap<i64, i64> = ids
        .iter()
        .zip(&r.accounts)
        .map(|(&id, &k)| (id, accounts[k]))
        .collect();

    // Watches the publishes under way until told to stop: never two of one account.
    let stop = Arc::new(AtomicBool::new(false));
    let watch = {
        let (e, stop, account_of) = (e.clone(), stop.clone(), account_of.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let active = e.active_publishes();
                let mut seen = std::collections::HashSet::new();
                for id in &active {
                    let a = account_of[id];
                    assert!(
                        seen.insert(a),
                        "account {a} publishes two at once: {active:?}"
                    );
                }
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
        })
    };

    e.start_background();
    // All six come due at once: one account's posts wait for it, the other's for a slot.
    e.clock().advance(Duration::from_secs(180));
    let mut gone = Vec::new();
    for &(wait, i, act) in &r.acts {
        tokio::time::sleep(Duration::from_millis(wait)).await;
        let id = ids[i];
        let ok = match act {
            Act::Cancel => match e.post(id).await.unwrap().status {
                PostStatus::Queued => e.cancel_publish(id).await.is_ok(),
                _ => e.cancel_post(id).await.is_ok(),
            },
            Act::Delete => e.delete_post(id).await.is_ok(),
            Act::Pause => set_paused(&e, true).await,
            Act::Resume => set_paused(&e, false).await,
        };
        if ok && matches!(act, Act::Cancel | Act::Delete) {
            gone.push(i);
        }
    }
    assert!(set_paused(&e, false).await);

    // Every post not cancelled or deleted ends published; the others never reach TikTok.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut left = Vec::new();
        for (i, &id) in ids.iter().enumerate() {
            if !gone.contains(&i) && e.post(id).await.unwrap().status != PostStatus::Published {
                left.push((i, e.post(id).await.unwrap().status));
            }
        }
        if left.is_empty() && e.active_publishes().is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "posts left behind: {left:?} (cancelled or deleted: {gone:?}, race {r:?})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    watch.await.expect("never two publishes of one account");
    let sim = t.sim_posts().await;
    for i in 0..POSTS {
        let on_tiktok = sim
            .iter()
            .filter(|p| p["post_info"]["title"] == format!("race {i}").as_str())
            .count();
        let want = usize::from(!gone.contains(&i));
        assert_eq!(
            on_tiktok, want,
            "post {i}: {on_tiktok} publishes on TikTok (cancelled or deleted: {gone:?}, race {r:?})"
        );
    }
    e.shutdown().await;
}

#[test]
fn hand_offs_raced_by_cancels_deletes_and_pauses_never_post_twice_or_leave_a_post_behind() {
    let cases = std::env::var("TOKDECK_HANDOFF_RACES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let result = runner.run(&race(), |r| {
        rt.block_on(run(r));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
