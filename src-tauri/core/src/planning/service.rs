//! The `Planning` service: posting slots per account, bulk planning's settings, the next free
//! slots, and the board the batch operations (`planning::schedule`) place posts on. The
//! operations that need TikTok's rules get them through `Compose` (fresh) or from the caller.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono_tz::Tz;

use super::dto::{AccountSlots, FreeSlot, PlanningSettings, PostingSlot, SlotInput};
use super::slots::{horizon, slot_instants, Book, Limits, Queue, WeeklyTime};
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::compose::service::Compose;
use crate::ctx::Ctx;
use crate::db;
use crate::error::{CoreError, CoreResult};
use crate::events::EngineEvent;
use crate::posts::caps::{account_zone, caps, DAY_MS};
use crate::posts::dto::CreatorRules;
use crate::posts::local_time::{local_text, parse_zone};
use crate::posts::service::Posts;
use crate::posts::status::PostMode;
use crate::tiktok_app::TiktokApp;

const SETTINGS_KEY: &str = "planning.settings";
/// A slot this close to now is not handed out (the publisher needs a moment).
pub const LEAD_MS: i64 = 60_000;

/// Where the rules a post is checked against come from.
#[derive(Debug, Clone, Copy)]
pub enum RulesSource<'a> {
    /// Fresh creator_info through each account's token (inbox uploads: the inbox's rules).
    Fresh,
    /// Given per account (tests, benches); inbox uploads still get the inbox's rules.
    Given(&'a HashMap<i64, CreatorRules>),
}

pub struct Planning {
    pub(super) ctx: Ctx,
    pub(super) posts: Arc<Posts>,
    pub(super) compose: Arc<Compose>,
    pub(super) tiktok_app: Arc<TiktokApp>,
}

/// Parses `HH:MM` (24-hour) into a minute of the day.
pub fn parse_time(text: &str) -> CoreResult<u16> {
    let bad = || {
        CoreError::InvalidInput(format!(
            "\"{text}\" is not a time of day Tokdeck understands; use the 24-hour form 09:00 or 18:30."
        ))
    };
    let (h, m) = text.trim().split_once(':').ok_or_else(bad)?;
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 || text.trim().len() > 5 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

pub fn time_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// The accounts' queues: slot instants over the horizon and the posts that hold their time.
pub(super) struct Board {
    pub queues: HashMap<i64, Queue>,
    pub zones: HashMap<i64, Tz>,
    pub limits: Limits,
}

impl Planning {
    /// After a batch: one audit line ("n posts") and one change event per account it touched,
    /// then the scheduler's doorbell. `accounts` holds one entry per post.
    pub(super) async fn announce(&self, accounts: impl IntoIterator<Item = i64>, action: &str) {
        let mut per: HashMap<i64, usize> = HashMap::new();
        for a in accounts {
            *per.entry(a).or_default() += 1;
        }
        for (&a, n) in &per {
            self.ctx
                .audit(Some(a), action, Outcome::Ok, &format!("{n} posts"))
                .await;
            self.ctx.events().emit(EngineEvent::PostsChanged {
                post_id: None,
                account_id: Some(a),
            });
        }
        if !per.is_empty() {
            self.ctx.wake_scheduler();
        }
    }

    pub fn new(
        ctx: Ctx,
        posts: Arc<Posts>,
        compose: Arc<Compose>,
        tiktok_app: Arc<TiktokApp>,
    ) -> Self {
        Self {
            ctx,
            posts,
            compose,
            tiktok_app,
        }
    }

    pub async fn settings(&self) -> CoreResult<PlanningSettings> {
        Ok(db::settings::read_json(self.ctx.pool(), SETTINGS_KEY)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    pub async fn set_settings(&self, s: PlanningSettings) -> CoreResult<PlanningSettings> {
        if s.min_gap_minutes > 7 * 24 * 60 || s.stagger_minutes > 7 * 24 * 60 {
            return Err(CoreError::InvalidInput(
                "A gap or stagger can be at most a week (10080 minutes).".to_owned(),
            ));
        }
        db::settings::write_json(self.ctx.pool(), SETTINGS_KEY, &s).await?;
        Ok(s)
    }

    pub async fn posting_slots(&self, account_id: i64) -> CoreResult<AccountSlots> {
        let pool = self.ctx.pool();
        db::posts::live_account(pool, account_id).await?;
        let rows = db::posting_slots::list(pool, account_id).await?;
        Ok(AccountSlots {
            account_id,
            zone: account_zone(pool, account_id).await?,
            slots: rows
                .into_iter()
                .map(|r| PostingSlot {
                    id: r.id,
                    weekday: r.weekday as u8,
                    time: time_text(r.minute as u16),
                })
                .collect(),
        })
    }

    fn slot_pairs(input: &[SlotInput]) -> CoreResult<Vec<(i64, i64)>> {
        let mut out = Vec::new();
        for s in input {
            let minute = parse_time(&s.time)?;
            if s.weekdays.is_empty() {
                return Err(CoreError::InvalidInput(format!(
                    "Pick at least one day for the {} slot.",
                    s.time.trim()
                )));
            }
            for &d in &s.weekdays {
                if d > 6 {
                    return Err(CoreError::InvalidInput(
                        "A weekday is 0 (Monday) to 6 (Sunday).".to_owned(),
                    ));
                }
                out.push((i64::from(d), i64::from(minute)));
            }
        }
        Ok(out)
    }

    /// Adds slots (existing ones stay).
    pub async fn add_posting_slots(
        &self,
        account_id: i64,
        input: &[SlotInput],
    ) -> CoreResult<AccountSlots> {
        db::posts::live_account(self.ctx.pool(), account_id).await?;
        let pairs = Self::slot_pairs(input)?;
        db::posting_slots::add(self.ctx.pool(), account_id, &pairs).await?;
        self.slots_changed(account_id);
        self.posting_slots(account_id).await
    }

    /// Replaces all of an account's slots.
    pub async fn set_posting_slots(
        &self,
        account_id: i64,
        input: &[SlotInput],
    ) -> CoreResult<AccountSlots> {
        db::posts::live_account(self.ctx.pool(), account_id).await?;
        let pairs = Self::slot_pairs(input)?;
        db::posting_slots::replace(self.ctx.pool(), account_id, &pairs).await?;
        self.slots_changed(account_id);
        self.posting_slots(account_id).await
    }

    pub async fn remove_posting_slot(&self, slot_id: i64) -> CoreResult<AccountSlots> {
        let account_id = db::posting_slots::remove(self.ctx.pool(), slot_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("That posting slot no longer exists.".to_owned()))?;
        self.slots_changed(account_id);
        self.posting_slots(account_id).await
    }

    fn slots_changed(&self, account_id: i64) {
        // The queue's next free slots changed: whatever shows them reads again.
        self.ctx.events().emit(EngineEvent::PostsChanged {
            post_id: None,
            account_id: Some(account_id),
        });
    }

    pub(super) async fn limits(&self) -> CoreResult<Limits> {
        let caps = caps(self.ctx.pool()).await?;
        let s = self.settings().await?;
        Ok(Limits {
            daily_posts: caps.daily_posts,
            pending_inbox: caps.pending_inbox,
            min_gap_ms: i64::from(s.min_gap_minutes) * 60_000,
        })
    }

    /// The accounts' queues as they stand at `now`, read from the pool.
    pub(super) async fn board(&self, accounts: &[i64], now: i64) -> CoreResult<Board> {
        let pool = self.ctx.pool();
        let occupied = db::posts::planning::occupied(pool, accounts, now - DAY_MS).await?;
        self.board_from(accounts, now, books(&occupied)).await
    }

    /// The board with the given books (a commit reads them inside its transaction).
    pub(super) async fn board_from(
        &self,
        accounts: &[i64],
        now: i64,
        mut books: HashMap<i64, Book>,
    ) -> CoreResult<Board> {
        let pool = self.ctx.pool();
        let wanted: HashSet<i64> = accounts.iter().copied().collect();
        let mut slots: HashMap<i64, Vec<WeeklyTime>> = HashMap::new();
        for r in db::posting_slots::list_all(pool).await? {
            if wanted.contains(&r.account_id) {
                slots.entry(r.account_id).or_default().push(WeeklyTime {
                    weekday: r.weekday as u8,
                    minute: r.minute as u16,
                });
            }
        }
        let (from, to) = horizon(now + LEAD_MS);
        let mut queues = HashMap::new();
        let mut zones = HashMap::new();
        for &a in &wanted {
            let tz = parse_zone(&account_zone(pool, a).await?)?;
            let instants = slot_instants(slots.get(&a).map_or(&[][..], |v| v), tz, from, to);
            queues.insert(
                a,
                Queue::new(instants, books.remove(&a).unwrap_or_default()),
            );
            zones.insert(a, tz);
        }
        Ok(Board {
            queues,
            zones,
            limits: self.limits().await?,
        })
    }

    /// The next `count` free slots of an account for `mode` posts, as the queue would hand
    /// them to that many drafts one after another.
    pub async fn next_free_slots(
        &self,
        account_id: i64,
        mode: PostMode,
        count: u32,
    ) -> CoreResult<Vec<FreeSlot>> {
        db::posts::live_account(self.ctx.pool(), account_id).await?;
        let now = self.ctx.clock().now_ms();
        let mut board = self.board(&[account_id], now).await?;
        let tz = board.zones[&account_id];
        let limits = board.limits;
        let q = board.queues.get_mut(&account_id).expect("queue built");
        let mut out = Vec::new();
        for _ in 0..count.min(500) {
            let Some(at) = q.next_free(mode, &limits) else {
                break;
            };
            q.take(at, mode);
            out.push(free_slot(at, tz));
        }
        Ok(out)
    }
}

pub(super) fn free_slot(at: i64, tz: Tz) -> FreeSlot {
    FreeSlot {
        at: rfc3339(at),
        at_ms: at,
        local: local_text(at, tz),
        zone: tz.name().to_owned(),
    }
}

/// The books of the accounts from their occupied times.
pub(super) fn books(occupied: &[db::posts::planning::Occupied]) -> HashMap<i64, Book> {
    let mut out: HashMap<i64, Book> = HashMap::new();
    for o in occupied {
        out.entry(o.account_id).or_default().add(
            o.scheduled_at,
            PostMode::parse(&o.mode),
            o.capped,
        );
    }
    out
}
