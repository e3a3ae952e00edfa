//! Regression replays (shrunk by the model). Each runs with nothing skipped.

use super::*;

pub(crate) fn replay(case: Case) {
    replay_tries(case, 1);
}

/// For replays that hit a race: fails if any of `tries` runs breaks an invariant.
pub(crate) fn replay_tries(case: Case, tries: u32) {
    for _ in 0..tries {
        if let Err(e) = run_case(&case, &[]) {
            panic!("replay failed:\n{case:?}\n{e}");
        }
    }
}

pub(crate) fn one_post(due_min: u16) -> Vec<P> {
    vec![P {
        account: 0,
        due_min,
    }]
}

/// The model's smallest world works: one post, published.
#[test]
fn replay_one_post_publishes() {
    replay(Case {
        accounts: 1,
        posts: vec![P {
            account: 0,
            due_min: 0,
        }],
        ops: vec![Op::Advance(1)],
    });
}

#[test]
fn bug_locked_keychain_fails_the_post_for_good() {
    replay(Case {
        accounts: 1,
        posts: vec![P {
            account: 0,
            due_min: 1,
        }],
        ops: vec![Op::Lock, Op::Act(0, Action::PublishNow)],
    });
}

#[test]
fn bug_endless_processing_keeps_the_post_publishing() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        // Found by the model (TOKDECK_MODEL_HUNT=EndlessProcessing), shrunk, skipped ops removed.
        ops: vec![
            Op::Fault(Ep::VideoInit, Kind::Stall, 4),
            Op::Act(0, Action::PublishNow),
            Op::Advance(10_860),
        ],
    });
}

#[test]
fn bug_relink_after_unknown_outcome_posts_twice() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        ops: vec![
            Op::Fault(Ep::Upload, Kind::DropAfter, 60),
            Op::Advance(60),
            Op::Advance(3_400),
            Op::ClearFaults,
            Op::Act(0, Action::RelinkSame),
        ],
    });
}

#[test]
fn bug_retry_after_lost_final_chunk_answers_posts_twice() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        ops: vec![
            Op::Fault(Ep::Upload, Kind::DropAfter, 60),
            Op::Advance(60),
            Op::Advance(20),
            Op::Advance(20),
            Op::Advance(20),
            Op::Advance(20),
            Op::ClearFaults,
            Op::Act(0, Action::Retry),
        ],
    });
}

#[test]
fn bug_cancel_racing_the_claim_still_publishes() {
    replay_tries(
        Case {
            accounts: 1,
            posts: one_post(1),
            ops: vec![Op::Hurry, Op::Advance(60), Op::Act(0, Action::Cancel)],
        },
        20,
    );
}

#[test]
fn bug_queue_offers_delete_while_publishing() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        ops: vec![
            Op::Fault(Ep::Upload, Kind::Status500, 5),
            Op::Advance(60),
            Op::Act(0, Action::Delete),
        ],
    });
}

#[test]
fn bug_publish_now_on_a_removed_account_fails_for_good() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        ops: vec![
            Op::Advance(3_700),
            Op::RemoveAccount(0),
            Op::Act(0, Action::PublishNow),
        ],
    });
}

#[test]
fn bug_removed_account_fails_its_queued_post_for_good() {
    replay(Case {
        accounts: 1,
        posts: one_post(1),
        ops: vec![
            Op::Fault(Ep::CreatorInfo, Kind::Drop, 4),
            Op::Advance(60),
            Op::RemoveAccount(0),
            Op::Advance(20),
            // The reconnect lifts the pause: (c) holds it to going on within the bound.
            Op::Reconnect(0),
            Op::Advance(3 * 3600 + 60),
            Op::Advance(20),
        ],
    });
}
