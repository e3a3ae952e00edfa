//! The generated cases: posts, ops, faults and the creator's actions, and their replay code.

use super::*;

#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Case {
    pub(crate) accounts: u8,
    pub(crate) posts: Vec<P>,
    pub(crate) ops: Vec<Op>,
}

/// A post: its account (index, modulo the accounts) and when it is due at the start (minutes
/// from now; 0 = publish now).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct P {
    pub(crate) account: u8,
    pub(crate) due_min: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Both clocks forward, seconds.
    Advance(u32),
    /// A fault at an endpoint, for that many requests.
    Fault(Ep, Kind, u8),
    ClearFaults,
    /// Engine crash and restart on the same data folder.
    Restart,
    Lock,
    Unlock,
    /// The next op does not wait for the engine to settle.
    Hurry,
    PausePublishing,
    ResumePublishing,
    RemoveAccount(u8),
    Reconnect(u8),
    /// The Trash page's Empty trash (confirmed): every post in Trash gone for good.
    EmptyTrash,
    /// A creator action on a post (index modulo the posts).
    Act(u8, Action),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ep {
    CreatorInfo,
    VideoInit,
    Upload,
    Status,
    Token,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// The connection closes before the simulator acts.
    Drop,
    /// The simulator acts, the answer is lost.
    DropAfter,
    Status500,
    RateLimit,
    /// Longer than the client's timeout.
    Timeout,
    /// Shorter than the client's timeout.
    Delay,
    /// Processing never ends.
    Stall,
    /// TikTok fails the publish (`internal`).
    FailInternal,
    ExpireUploadUrl,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    PublishNow,
    Retry,
    RelinkSame,
    RelinkOther,
    /// To that many minutes from now (calendar drag).
    Reschedule(u16),
    Edit,
    Cancel,
    Delete,
    MarkPosted,
    Dismiss,
    /// The Trash page's Restore (back as a draft).
    Restore,
    /// The Undo toast after a Delete or Cancel (back as it was).
    Undo,
    /// The Trash page's Delete forever.
    DeleteForever,
}

impl Ep {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Ep::CreatorInfo => "creator_info",
            Ep::VideoInit => "video_init",
            Ep::Upload => "upload",
            Ep::Status => "status",
            Ep::Token => "token",
        }
    }
}

/// The client's timeouts (see [`tune`]) and the faults' delays.
pub(crate) const CLIENT_TIMEOUT_MS: u64 = 400;
pub(crate) const TIMEOUT_FAULT_MS: u64 = 700;
pub(crate) const DELAY_FAULT_MS: u64 = 120;

impl Kind {
    pub(crate) fn spec(self, ep: Ep, times: u8) -> Value {
        let mut v = json!({"endpoint": ep.name(), "times": times.max(1)});
        let kind = match self {
            Kind::Drop => "drop",
            Kind::DropAfter => "drop_after",
            Kind::Status500 => {
                v["status"] = json!(500);
                "status"
            }
            Kind::RateLimit => "rate_limit",
            Kind::Timeout => {
                v["delay_ms"] = json!(TIMEOUT_FAULT_MS);
                "delay"
            }
            Kind::Delay => {
                v["delay_ms"] = json!(DELAY_FAULT_MS);
                "delay"
            }
            Kind::Stall => "stall_processing",
            Kind::FailInternal => {
                v["fail_reason"] = json!("internal");
                "fail_reason"
            }
            Kind::ExpireUploadUrl => "expire_upload_url",
        };
        v["kind"] = json!(kind);
        v
    }
}

/// Shortens the client's backoffs and timeouts; every other knob stays the production one.
pub(crate) fn tune(c: &mut tiktok_api::ClientConfig) {
    let fast = tiktok_api::RetryPolicy {
        max_attempts: c.retry.max_attempts,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
    c.retry = fast.clone();
    c.upload.chunk_retry = tiktok_api::RetryPolicy {
        max_attempts: c.upload.chunk_retry.max_attempts,
        ..fast
    };
    c.request_timeout = Duration::from_millis(CLIENT_TIMEOUT_MS);
    c.upload.chunk_timeout_base = Duration::from_millis(CLIENT_TIMEOUT_MS);
}

// Strategies ----------------------------------------------------------------------------------

pub(crate) fn advance() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(1u32),
        3 => Just(20),
        2 => Just(300),
        // Past the engine's 55-min trust in an upload URL, inside the 60-min grace.
        1 => Just(3_400),
        2 => Just(3_700),
        1 => Just(3 * 3600 + 60),
    ]
    .prop_map(Op::Advance)
}

pub(crate) fn fault() -> impl Strategy<Value = Op> {
    use Kind::*;
    // Lost answers weigh most: they are what makes an outcome unknown.
    let network = || {
        prop_oneof![
            2 => Just(Drop),
            3 => Just(DropAfter),
            1 => Just(Status500),
            1 => Just(RateLimit),
            1 => Just(Timeout),
            1 => Just(Delay)
        ]
    };
    let few = || prop_oneof![Just(1u8), Just(2), Just(4)];
    // 60: enough to outlast every retry of the client and of the publisher.
    let many = || prop_oneof![3 => Just(1u8), 1 => Just(2), 2 => Just(4), 3 => Just(60)];
    let token = prop_oneof![Just(Drop), Just(Status500)];
    prop_oneof![
        1 => (network(), many()).prop_map(|(k, t)| Op::Fault(Ep::CreatorInfo, k, t)),
        2 => (
            prop_oneof![
                4 => network(),
                2 => Just(Stall),
                1 => Just(FailInternal),
                1 => Just(ExpireUploadUrl)
            ],
            many()
        )
            .prop_map(|(k, t)| Op::Fault(Ep::VideoInit, k, t)),
        3 => (
            prop_oneof![5 => network(), 1 => Just(ExpireUploadUrl)],
            many()
        )
            .prop_map(|(k, t)| Op::Fault(Ep::Upload, k, t)),
        // The status poll sleeps in real time between errors: few faults there.
        1 => (
            prop_oneof![4 => network(), 1 => Just(Stall), 1 => Just(FailInternal)],
            few()
        )
            .prop_map(|(k, t)| Op::Fault(Ep::Status, k, t)),
        1 => (token, few()).prop_map(|(k, t)| Op::Fault(Ep::Token, k, t)),
    ]
}

pub(crate) fn action() -> impl Strategy<Value = Action> {
    use Action::*;
    prop_oneof![
        3 => Just(PublishNow),
        4 => Just(Retry),
        3 => Just(RelinkSame),
        1 => Just(RelinkOther),
        2 => prop_oneof![Just(0u16), Just(2), Just(90)].prop_map(Reschedule),
        1 => Just(Edit),
        3 => Just(Cancel),
        2 => Just(Delete),
        2 => Just(MarkPosted),
        2 => Just(Dismiss),
        3 => Just(Restore),
        3 => Just(Undo),
        2 => Just(DeleteForever),
    ]
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => advance(),
        7 => fault(),
        1 => Just(Op::ClearFaults),
        2 => Just(Op::Restart),
        1 => Just(Op::Lock),
        1 => Just(Op::Unlock),
        3 => Just(Op::Hurry),
        1 => Just(Op::PausePublishing),
        1 => Just(Op::ResumePublishing),
        1 => (0..2u8).prop_map(Op::RemoveAccount),
        1 => (0..2u8).prop_map(Op::Reconnect),
        1 => Just(Op::EmptyTrash),
        12 => (0..3u8, action()).prop_map(|(p, a)| Op::Act(p, a)),
    ]
    .prop_filter("op combination hits a bug listed in KNOWN_BUGS", |op| {
        !generation_excluded(op, skipped_bugs())
    })
}

/// Ops never generated while a bug is listed (the rest are skipped at run time, in context).
pub(crate) fn generation_excluded(op: &Op, bugs: &[Bug]) -> bool {
    match op {
        Op::Fault(_, Kind::Stall, _) => bugs.contains(&Bug::EndlessProcessing),
        Op::Lock => bugs.contains(&Bug::LockedKeychainFailsForGood),
        _ => false,
    }
}

pub(crate) fn case() -> impl Strategy<Value = Case> {
    (
        1..=2u8,
        proptest::collection::vec(
            (
                0..2u8,
                prop_oneof![Just(0u16), Just(1), Just(1), Just(2), Just(30)],
            )
                .prop_map(|(account, due_min)| P { account, due_min }),
            1..=2,
        ),
        proptest::collection::vec(op(), 1..=MAX_OPS),
    )
        .prop_map(|(accounts, posts, ops)| Case {
            accounts,
            posts,
            ops,
        })
}

/// The case as Rust code, to paste into a regression test.
impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Case {{")?;
        writeln!(f, "    accounts: {},", self.accounts)?;
        write!(f, "    posts: vec![")?;
        for (i, p) in self.posts.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{p:?}")?;
        }
        writeln!(f, "],")?;
        writeln!(f, "    ops: vec![")?;
        for op in &self.ops {
            writeln!(f, "        {},", op_code(op))?;
        }
        write!(f, "    ],\n}}")
    }
}

pub(crate) fn op_code(op: &Op) -> String {
    match op {
        Op::Fault(ep, k, t) => format!("Op::Fault(Ep::{ep:?}, Kind::{k:?}, {t})"),
        Op::Act(p, a) => format!("Op::Act({p}, Action::{a:?})"),
        other => format!("Op::{other:?}"),
    }
}
