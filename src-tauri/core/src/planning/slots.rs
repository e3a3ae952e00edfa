//! Posting slots, pure: what a weekly wall-clock time means on each day in a zone, and whether
//! one more post of an account fits at an instant under TikTok's limits and the minimum gap.
//!
//! **Clock changes.** A slot time the clocks skip (02:30 on spring-forward day in New York) is
//! moved past the jump by the same distance: 03:30 EDT, the instant "later" means in the
//! composer. A slot time that happens twice (01:30 on fall-back day) is its first occurrence.
//! Two slots that land on one instant (02:30 and 03:30 on spring-forward day) count once.
//!
//! **Limits** (the same figures the caps warnings use, `posts::caps`): at most `daily_posts`
//! direct posts and `pending_inbox` inbox uploads of one account in any rolling 24 h (counted
//! exactly as `cap_warnings` counts them), at most [`INITS_PER_MINUTE`] posts of one account
//! in any minute (TikTok's init rate per token), and no two posts of one account closer than
//! the minimum gap (never at the same instant, even with a zero gap).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::posts::caps::{busiest_window, DAY_MS};
use crate::posts::local_time::{resolve_local, LocalResolution};
use crate::posts::status::PostMode;

/// TikTok's init rate per user token (tiktok-api.md §6.1).
pub const INITS_PER_MINUTE: usize = 6;
const MINUTE_MS: i64 = 60_000;
/// How far ahead a free slot is looked for.
pub const HORIZON_DAYS: i64 = 366;

/// A weekly slot: weekday 0 = Monday … 6 = Sunday, minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct WeeklyTime {
    pub weekday: u8,
    pub minute: u16,
}

/// The instant a wall-clock `minute` of `date` means in `tz` (see the module's clock rules).
pub fn slot_instant(date: NaiveDate, minute: u16, tz: Tz) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(u32::from(minute / 60), u32::from(minute % 60), 0)
        .unwrap_or(NaiveTime::MIN);
    match resolve_local(date.and_time(time), tz) {
        LocalResolution::Unique { instant } => instant,
        LocalResolution::Ambiguous { earlier, .. } => earlier,
        LocalResolution::Nonexistent { after, .. } => after,
    }
}

/// Every slot instant (epoch ms) in `[from, to)`, sorted, each once.
pub fn slot_instants(slots: &[WeeklyTime], tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::new();
    if slots.is_empty() || to <= from {
        return out;
    }
    let day = |ms: i64| {
        DateTime::<Utc>::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&tz)
            .date_naive()
    };
    let (first, last) = (day(from) - Duration::days(1), day(to) + Duration::days(1));
    let mut date = first;
    while date <= last {
        let weekday = date.weekday().num_days_from_monday() as u8;
        for s in slots.iter().filter(|s| s.weekday == weekday) {
            let at = slot_instant(date, s.minute, tz).timestamp_millis();
            if (from..to).contains(&at) {
                out.push(at);
            }
        }
        date = match date.succ_opt() {
            Some(d) => d,
            None => break,
        };
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The limits a slot is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub daily_posts: u32,
    pub pending_inbox: u32,
    pub min_gap_ms: i64,
}

/// Why one more post does not fit at an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    TooClose,
    InitsPerMinute,
    DailyCap,
    InboxCap,
}

/// One account's timed posts: the direct and inbox ones the caps count, and every one that
/// holds the account's time (for the gap and the init rate). Sorted.
#[derive(Debug, Clone, Default)]
pub struct Book {
    direct: Vec<i64>,
    inbox: Vec<i64>,
    all: Vec<i64>,
}

fn insert_sorted(v: &mut Vec<i64>, x: i64) {
    let i = v.partition_point(|&t| t < x);
    v.insert(i, x);
}

/// The times of `v` strictly within `window` of `at`, with `at` among them, sorted.
fn around(v: &[i64], at: i64, window: i64) -> Vec<i64> {
    let lo = v.partition_point(|&t| t <= at - window);
    let hi = v.partition_point(|&t| t < at + window);
    let mut w = v[lo..hi].to_vec();
    insert_sorted(&mut w, at);
    w
}

impl Book {
    /// A post at `at`; `capped` when its status counts against the caps.
    pub fn add(&mut self, at: i64, mode: PostMode, capped: bool) {
        if capped {
            match mode {
                PostMode::Direct => insert_sorted(&mut self.direct, at),
                PostMode::Inbox => insert_sorted(&mut self.inbox, at),
            }
        }
        insert_sorted(&mut self.all, at);
    }

    pub fn len(&self) -> usize {
        self.all.len()
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Why one more `mode` post at `at` would not fit (`None`: it fits).
    pub fn refusal(&self, at: i64, mode: PostMode, limits: &Limits) -> Option<Refusal> {
        let gap = limits.min_gap_ms.max(1);
        let i = self.all.partition_point(|&t| t < at);
        let near = |j: usize| self.all.get(j).is_some_and(|&t| (t - at).abs() < gap);
        if near(i) || (i > 0 && near(i - 1)) {
            return Some(Refusal::TooClose);
        }
        if busiest_window(&around(&self.all, at, MINUTE_MS), at, MINUTE_MS) > INITS_PER_MINUTE {
            return Some(Refusal::InitsPerMinute);
        }
        let (list, limit, refusal) = match mode {
            PostMode::Direct => (&self.direct, limits.daily_posts, Refusal::DailyCap),
            PostMode::Inbox => (&self.inbox, limits.pending_inbox, Refusal::InboxCap),
        };
        if busiest_window(&around(list, at, DAY_MS), at, DAY_MS) > limit as usize {
            return Some(refusal);
        }
        None
    }
}

/// One account's slot instants over the horizon and where the search for each mode stands.
/// Adding posts only ever refuses more instants, so an instant refused once is never looked
/// at again for that mode.
#[derive(Debug, Clone)]
pub struct Queue {
    pub instants: Vec<i64>,
    pub book: Book,
    cursor: [usize; 2],
}

impl Queue {
    pub fn new(instants: Vec<i64>, book: Book) -> Self {
        Self {
            instants,
            book,
            cursor: [0, 0],
        }
    }

    /// The next free slot instant for a `mode` post (not taken: see [`Queue::take`]).
    pub fn next_free(&mut self, mode: PostMode, limits: &Limits) -> Option<i64> {
        let c = &mut self.cursor[mode as usize];
        while let Some(&at) = self.instants.get(*c) {
            if self.book.refusal(at, mode, limits).is_none() {
                return Some(at);
            }
            *c += 1;
        }
        None
    }

    /// Puts a planned post at `at` (it now occupies its slot).
    pub fn take(&mut self, at: i64, mode: PostMode) {
        self.book.add(at, mode, true);
    }
}

/// The first day of the horizon that starts at `now`: the UTC instants `[from, to)`.
pub fn horizon(now: i64) -> (i64, i64) {
    (now, now + HORIZON_DAYS * DAY_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    #[test]
    fn spring_forward_moves_past_the_jump_and_fall_back_takes_the_first() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let d = NaiveDate::from_ymd_opt(2027, 3, 14).unwrap();
        assert_eq!(
            slot_instant(d, 150, ny).to_rfc3339(),
            "2027-03-14T07:30:00+00:00"
        );
        let d = NaiveDate::from_ymd_opt(2027, 11, 7).unwrap();
        assert_eq!(
            slot_instant(d, 90, ny).to_rfc3339(),
            "2027-11-07T05:30:00+00:00"
        );
    }

    #[test]
    fn colliding_slots_count_once() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let sunday = 6;
        let slots = [
            WeeklyTime {
                weekday: sunday,
                minute: 150,
            },
            WeeklyTime {
                weekday: sunday,
                minute: 210,
            },
        ];
        let v = slot_instants(
            &slots,
            ny,
            ms("2027-03-14T00:00:00Z"),
            ms("2027-03-15T00:00:00Z"),
        );
        assert_eq!(v, vec![ms("2027-03-14T07:30:00Z")]);
    }

    #[test]
    fn the_book_refuses_gap_rate_and_caps() {
        let limits = Limits {
            daily_posts: 2,
            pending_inbox: 1,
            min_gap_ms: 0,
        };
        let mut b = Book::default();
        b.add(0, PostMode::Direct, true);
        assert_eq!(
            b.refusal(0, PostMode::Direct, &limits),
            Some(Refusal::TooClose)
        );
        assert_eq!(b.refusal(1, PostMode::Direct, &limits), None);
        for t in 1..6 {
            b.add(t * 1000, PostMode::Inbox, false);
        }
        assert_eq!(
            b.refusal(10_000, PostMode::Direct, &limits),
            Some(Refusal::InitsPerMinute)
        );
        assert_eq!(b.refusal(70_000, PostMode::Direct, &limits), None);
        b.add(3_600_000, PostMode::Direct, true);
        assert_eq!(
            b.refusal(7_200_000, PostMode::Direct, &limits),
            Some(Refusal::DailyCap)
        );
        // The caps' window is shorter than 24 h, as `cap_warnings` counts it.
        assert_eq!(
            b.refusal(DAY_MS - 1, PostMode::Direct, &limits),
            Some(Refusal::DailyCap)
        );
        assert_eq!(b.refusal(DAY_MS, PostMode::Direct, &limits), None);
        assert_eq!(
            b.refusal(DAY_MS + 3_600_000, PostMode::Direct, &limits),
            None
        );
        assert_eq!(b.refusal(7_200_000, PostMode::Inbox, &limits), None);
        let gap = Limits {
            min_gap_ms: 1_800_000,
            ..limits
        };
        assert_eq!(
            b.refusal(3_600_000 + 1_799_999, PostMode::Inbox, &gap),
            Some(Refusal::TooClose)
        );
    }
}
