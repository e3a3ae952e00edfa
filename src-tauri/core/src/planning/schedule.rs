//! "Add to queue" and "Schedule all into slots": a preview that commits nothing, then a
//! commit in one transaction that takes each post only if it is still the draft that was
//! previewed and its slot still fits (compare-and-set), and one Undo for the whole batch that
//! takes back only posts still scheduled where the commit put them.
//!
//! The checks are the ones `Posts::schedule_post` makes: the post's fields against the
//! account's rules (`Content::check_for_posting`), the account live and connected, the post
//! not paused; the file is checked by size here (the publisher checks its fingerprint before
//! sending anything).

use std::collections::{HashMap, HashSet};

use super::dto::{
    PlanItem, PlanProblemKind as Kind, PlannedPost, SlotCommit, SlotPlan, UndoEntry, UndoKept,
    UndoReport,
};
use super::service::{books, free_slot, Board, Planning, RulesSource};
use super::slots::{Book, Limits, Refusal};
use crate::accounts::dto::{display, AccountRow, AccountStatus};
use crate::audit::Outcome;
use crate::compose::rules::inbox_rules;
use crate::db;
use crate::db::posts::{PostRow, Slot};
use crate::error::{CoreError, CoreResult};
use crate::events::EngineEvent;
use crate::posts::caps::DAY_MS;
use crate::posts::dto::CreatorRules;
use crate::posts::local_time::local_text;
use crate::posts::status::{PostMode, PostStatus};

type Problem = (Kind, String);
type RulesBook = HashMap<(i64, PostMode), Result<CreatorRules, String>>;

/// What a batch needs before placing anything: rows, accounts, rules and file checks.
struct Facts {
    rows: HashMap<i64, PostRow>,
    accounts: HashMap<i64, Option<AccountRow>>,
    rules: RulesBook,
    files_ok: HashSet<i64>,
}

pub(super) fn item(row: &PostRow) -> PlanItem {
    PlanItem {
        post_id: row.id,
        account_id: row.account_id,
        mode: PostMode::parse(&row.mode),
        caption: row.caption.chars().take(120).collect(),
        updated_at: row.updated_at,
        at: None,
        at_ms: None,
        local: None,
        zone: None,
        problem: None,
        message: None,
    }
}

pub(super) fn missing(post_id: i64) -> PlanItem {
    PlanItem {
        post_id,
        account_id: 0,
        mode: PostMode::Direct,
        caption: String::new(),
        updated_at: 0,
        at: None,
        at_ms: None,
        local: None,
        zone: None,
        problem: Some(Kind::NotFound),
        message: Some(format!(
            "Post {post_id} no longer exists (it may have been deleted)."
        )),
    }
}

pub(super) fn refuse(mut it: PlanItem, (kind, message): Problem) -> PlanItem {
    it.problem = Some(kind);
    it.message = Some(message);
    it
}

fn who(acc: Option<&AccountRow>) -> String {
    acc.map(display)
        .unwrap_or_else(|| "this account".to_owned())
}

/// Why a planned time can no longer be taken at commit: it has passed, or the account's book
/// (caps, rate, gap) refuses it now.
pub(super) fn slot_refusal(
    book: &Book,
    at_ms: i64,
    now: i64,
    mode: PostMode,
    limits: &Limits,
) -> Option<String> {
    if at_ms <= now {
        return Some("That time has passed.".to_owned());
    }
    book.refusal(at_ms, mode, limits)
        .map(|r| refusal_text(r, limits))
}

pub(super) fn refusal_text(r: Refusal, limits: &Limits) -> String {
    match r {
        Refusal::TooClose => format!(
            "Another post of this account is now within {} minutes of that time.",
            limits.min_gap_ms / 60_000
        ),
        Refusal::InitsPerMinute => {
            "More than 6 posts of this account would start within one minute (TikTok's limit)."
                .to_owned()
        }
        Refusal::DailyCap => format!(
            "This account would go over about {} direct posts in 24 hours, TikTok's limit.",
            limits.daily_posts
        ),
        Refusal::InboxCap => format!(
            "This account would go over {} inbox uploads in 24 hours, TikTok's limit.",
            limits.pending_inbox
        ),
    }
}

/// Why `row` cannot be scheduled at all (before looking at slots).
fn static_problem(row: &PostRow, facts: &Facts) -> Option<Problem> {
    if row.status() != PostStatus::Draft {
        return Some((
            Kind::NotADraft,
            format!(
                "This post is {}; only drafts go into slots. Move it in the calendar instead.",
                row.status().as_str().replace('_', " ")
            ),
        ));
    }
    if let Some(reason) = &row.paused_reason {
        return Some((Kind::Paused, format!("This post is paused: {reason}")));
    }
    let acc = facts.accounts.get(&row.account_id).and_then(|a| a.as_ref());
    match acc {
        None => {
            return Some((
                Kind::AccountUnavailable,
                "Its account no longer exists in Tokdeck.".to_owned(),
            ))
        }
        Some(a) if a.removed_at.is_some() => {
            return Some((
                Kind::AccountUnavailable,
                format!(
                    "{} was removed from Tokdeck. Reconnect it to post to it.",
                    display(a)
                ),
            ))
        }
        Some(a) if AccountStatus::parse(&a.status) != AccountStatus::Active => {
            return Some((
                Kind::AccountUnavailable,
                format!(
                    "{} must be reconnected before posts can be scheduled for it.",
                    display(a)
                ),
            ))
        }
        _ => {}
    }
    if !facts.files_ok.contains(&row.id) {
        return Some((
            Kind::FileMissing,
            "Its video file is no longer where it was, or it changed. Open the draft to find it."
                .to_owned(),
        ));
    }
    let mode = PostMode::parse(&row.mode);
    let rules = match facts.rules.get(&(row.account_id, mode)) {
        Some(Ok(r)) => r,
        Some(Err(reason)) => return Some((Kind::CannotPost, reason.clone())),
        None => {
            return Some((
                Kind::CannotPost,
                format!(
                    "{}'s TikTok settings could not be read. Try again.",
                    who(acc)
                ),
            ))
        }
    };
    let facts_v = match row.facts() {
        Ok(f) => f,
        Err(e) => return Some((Kind::FileMissing, e.user_message())),
    };
    if let Err(e) = row.content().check_for_posting(&facts_v, rules) {
        return Some((Kind::Rules, e.user_message()));
    }
    None
}

impl Planning {
    async fn gather(&self, ids: &[i64], source: RulesSource<'_>) -> CoreResult<Facts> {
        let pool = self.ctx.pool();
        let rows: HashMap<i64, PostRow> = db::posts::planning::load_many(pool, ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut accounts = HashMap::new();
        for r in rows.values() {
            if let std::collections::hash_map::Entry::Vacant(e) = accounts.entry(r.account_id) {
                e.insert(db::accounts::get(pool, r.account_id).await?);
            }
        }
        let mut rules: RulesBook = HashMap::new();
        for r in rows.values() {
            let key = (r.account_id, PostMode::parse(&r.mode));
            if rules.contains_key(&key) || r.status() != PostStatus::Draft {
                continue;
            }
            let acc: Option<&AccountRow> = accounts.get(&r.account_id).and_then(|a| a.as_ref());
            let got = match (key.1, source, acc) {
                (_, _, None) => Err("Its account no longer exists in Tokdeck.".to_owned()),
                (PostMode::Inbox, RulesSource::Given(_), Some(a)) => Ok(inbox_rules(a)),
                (_, RulesSource::Given(map), Some(a)) => map
                    .get(&key.0)
                    .cloned()
                    .ok_or_else(|| format!("{}'s TikTok settings are not known.", display(a))),
                (mode, RulesSource::Fresh, Some(_)) => self
                    .compose
                    .posting_rules(key.0, mode)
                    .await
                    .map_err(|e| e.user_message()),
            };
            rules.insert(key, got);
        }
        let files: Vec<(i64, String, i64)> = rows
            .values()
            .map(|r| (r.id, r.media_path.clone(), r.media_size))
            .collect();
        let files_ok = tokio::task::spawn_blocking(move || {
            files
                .into_iter()
                .filter(|(_, p, size)| {
                    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.len() as i64 == *size)
                })
                .map(|(id, _, _)| id)
                .collect::<HashSet<i64>>()
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(Facts {
            rows,
            accounts,
            rules,
            files_ok,
        })
    }

    /// Where each draft would land in its account's next free slot, in the order given, or why
    /// it cannot. Nothing is committed.
    pub async fn preview_slot_schedule(
        &self,
        post_ids: &[i64],
        source: RulesSource<'_>,
    ) -> CoreResult<SlotPlan> {
        let ids = dedup(post_ids);
        let facts = self.gather(&ids, source).await?;
        let now = self.ctx.clock().now_ms();
        let accounts: Vec<i64> = facts.accounts.keys().copied().collect();
        let mut board = self.board(&accounts, now).await?;
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(row) = facts.rows.get(&id) else {
                items.push(missing(id));
                continue;
            };
            let it = item(row);
            if let Some(p) = static_problem(row, &facts) {
                items.push(refuse(it, p));
                continue;
            }
            let acc = facts.accounts.get(&row.account_id).and_then(|a| a.as_ref());
            items.push(board.place(it, &who(acc)));
        }
        Ok(summarise(items))
    }

    /// Commits a preview in one transaction. Each post is taken only if it is still the draft
    /// that was previewed and its instant still fits its account's limits; the others are
    /// reported, never overwritten.
    pub async fn commit_slot_schedule(
        &self,
        planned: &[PlannedPost],
        source: RulesSource<'_>,
    ) -> CoreResult<SlotCommit> {
        let ids = dedup(&planned.iter().map(|p| p.post_id).collect::<Vec<_>>());
        let facts = self.gather(&ids, source).await?;
        let accounts: Vec<i64> = facts.accounts.keys().copied().collect();
        let limits = self.limits().await?;
        let mut zones = HashMap::new();
        for &a in &accounts {
            let z = crate::posts::caps::account_zone(self.ctx.pool(), a).await?;
            zones.insert(a, crate::posts::local_time::parse_zone(&z)?);
        }
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let current: HashMap<i64, PostRow> = db::posts::planning::load_many(&mut *tx, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let occupied = db::posts::planning::occupied(&mut *tx, &accounts, now - DAY_MS).await?;
        let mut books = books(&occupied);
        let (mut scheduled, mut refused, mut undo) = (Vec::new(), Vec::new(), Vec::new());
        let mut seen = HashSet::new();
        for p in planned {
            if !seen.insert(p.post_id) {
                continue;
            }
            let Some(row) = current.get(&p.post_id) else {
                refused.push(missing(p.post_id));
                continue;
            };
            let it = item(row);
            if row.updated_at != p.updated_at {
                refused.push(refuse(it, (Kind::Changed,
                    "This post changed since the preview, so it was left as it is. Preview again.".to_owned())));
                continue;
            }
            if let Some(pr) = static_problem(row, &facts) {
                refused.push(refuse(it, pr));
                continue;
            }
            let mode = it.mode;
            let book = books.entry(row.account_id).or_default();
            let why = slot_refusal(book, p.at_ms, now, mode, &limits);
            if let Some(why) = why {
                refused.push(refuse(
                    it,
                    (
                        Kind::SlotTaken,
                        format!("{why} Preview again to find another slot."),
                    ),
                ));
                continue;
            }
            let tz = zones[&row.account_id];
            let slot = Slot {
                at: p.at_ms,
                zone: tz.name().to_owned(),
                local: local_text(p.at_ms, tz),
                publish_now: false,
            };
            let max = facts
                .rules
                .get(&(row.account_id, mode))
                .and_then(|r| r.as_ref().ok())
                .and_then(|r| r.max_video_post_duration_sec)
                .map(i64::from);
            let n = db::posts::planning::schedule_planned(
                &mut *tx,
                row.id,
                p.updated_at,
                &slot,
                max,
                now,
            )
            .await?;
            if n == 0 {
                refused.push(refuse(it, (Kind::Changed,
                    "This post changed since the preview, so it was left as it is. Preview again.".to_owned())));
                continue;
            }
            book.add(p.at_ms, mode, true);
            undo.push(UndoEntry {
                post_id: row.id,
                at_ms: p.at_ms,
            });
            scheduled.push(place(it, p.at_ms, tz));
        }
        tx.commit().await?;
        self.announce(
            scheduled.iter().map(|it| it.account_id),
            "post.schedule_slots",
        )
        .await;
        Ok(SlotCommit {
            scheduled,
            refused,
            undo,
        })
    }

    /// Puts every post of a committed batch back to drafts in one transaction, except those
    /// no longer scheduled where the commit put them (started publishing, moved, deleted).
    pub async fn undo_slot_schedule(&self, entries: &[UndoEntry]) -> CoreResult<UndoReport> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let mut undone = Vec::new();
        let mut left = Vec::new();
        for e in entries {
            if db::posts::planning::unschedule_planned(&mut *tx, e.post_id, e.at_ms, now).await?
                == 1
            {
                undone.push(e.post_id);
            } else {
                left.push(e.post_id);
            }
        }
        let rows: HashMap<i64, PostRow> = db::posts::planning::load_many(&mut *tx, &left)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        tx.commit().await?;
        let kept = left
            .into_iter()
            .map(|id| UndoKept {
                post_id: id,
                message: match rows.get(&id).map(|r| r.status()) {
                    None => "It no longer exists.".to_owned(),
                    Some(PostStatus::Queued | PostStatus::Publishing | PostStatus::Published) => {
                        "It has started publishing, so it was left as it is.".to_owned()
                    }
                    Some(_) => "It was moved or changed since, so it was left as it is.".to_owned(),
                },
            })
            .collect();
        let pool_accounts = db::posts::planning::load_many(pool, &undone).await?;
        for a in pool_accounts
            .iter()
            .map(|r| r.account_id)
            .collect::<HashSet<_>>()
        {
            self.ctx
                .audit(
                    Some(a),
                    "post.unschedule_slots",
                    Outcome::Ok,
                    &format!("{} posts", undone.len()),
                )
                .await;
            self.ctx.events().emit(EngineEvent::PostsChanged {
                post_id: None,
                account_id: Some(a),
            });
        }
        self.ctx.wake_scheduler();
        Ok(UndoReport { undone, kept })
    }

    /// "Add to queue": the draft into its account's next free slot, committed at once.
    pub async fn add_to_queue(
        &self,
        post_id: i64,
        source: RulesSource<'_>,
    ) -> CoreResult<SlotCommit> {
        let plan = self.preview_slot_schedule(&[post_id], source).await?;
        let it = &plan.items[0];
        if let Some(kind) = it.problem {
            let msg = it.message.clone().unwrap_or_default();
            return Err(match kind {
                Kind::NotFound => CoreError::NotFound(msg),
                Kind::Rules | Kind::NoSlots | Kind::FileMissing => CoreError::InvalidInput(msg),
                _ => CoreError::Conflict(msg),
            });
        }
        let planned = PlannedPost {
            post_id,
            at_ms: it.at_ms.unwrap_or_default(),
            updated_at: it.updated_at,
        };
        let done = self.commit_slot_schedule(&[planned], source).await?;
        if let Some(r) = done.refused.first() {
            return Err(CoreError::Conflict(r.message.clone().unwrap_or_default()));
        }
        Ok(done)
    }
}

impl Board {
    /// `it` at its account's next free slot (taken on the board, so the next item of the batch
    /// sees it), or refused: no slots at all, or none free within the horizon.
    pub(super) fn place(&mut self, it: PlanItem, who: &str) -> PlanItem {
        let tz = self.zones[&it.account_id];
        let q = self.queues.get_mut(&it.account_id).expect("queue built");
        if q.instants.is_empty() {
            return refuse(it, (Kind::NoSlots, format!(
                "{who} has no posting slots yet. Add some (for example weekdays at 09:00) in its queue settings."
            )));
        }
        let mode = it.mode;
        match q.next_free(mode, &self.limits) {
            Some(at) => {
                q.take(at, mode);
                place(it, at, tz)
            }
            None => refuse(it, (Kind::NoFreeSlot, format!(
                "No free slot for {who} in the next year: every slot is taken, too close to another post or over TikTok's daily limits. Add slots or spread posts out."
            ))),
        }
    }
}

pub(super) fn place(mut it: PlanItem, at: i64, tz: chrono_tz::Tz) -> PlanItem {
    let f = free_slot(at, tz);
    it.at = Some(f.at);
    it.at_ms = Some(at);
    it.local = Some(f.local);
    it.zone = Some(f.zone);
    it
}

pub(super) fn summarise(items: Vec<PlanItem>) -> SlotPlan {
    let placed = items.iter().filter(|i| i.problem.is_none()).count() as u32;
    SlotPlan {
        refused: items.len() as u32 - placed,
        placed,
        items,
    }
}

pub(super) fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut seen = HashSet::new();
    ids.iter().copied().filter(|i| seen.insert(*i)).collect()
}
