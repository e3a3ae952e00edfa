//! The Queue's and Calendar's batch operations on scheduled posts: shift by whole days (in
//! each post's own zone, so 09:00 stays 09:00 across a clock change), move into the accounts'
//! next free slots (preview, then commit), cancel and delete (to Trash). Each is one
//! transaction that takes a post only if it is still the scheduled post the creator chose
//! (compare-and-set on `updated_at`); the others are reported in plain words, never
//! overwritten. Each answers what one Undo of the whole batch needs, and the Undo is itself a
//! compare-and-set: it puts back only posts nobody touched since.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration};
use chrono_tz::Tz;

use super::bulk_dto::{
    BulkAction, BulkDone, BulkOutcome, BulkSkipped, BulkTarget, BulkUndo, BulkUndoReport,
};
use super::dto::{PlanProblemKind as Kind, PlannedPost, SlotPlan, UndoKept};
use super::schedule::{dedup, item, missing, refuse, slot_refusal, summarise};
use super::service::{books, Planning};
use crate::accounts::dto::{display, AccountRow, AccountStatus};
use crate::clock::rfc3339;
use crate::db;
use crate::db::posts::bulk as sql;
use crate::db::posts::{PostRow, Slot};
use crate::error::{CoreError, CoreResult};
use crate::posts::caps::{account_zone, cap_warnings, DAY_MS};
use crate::posts::local_time::{
    local_text, parse_local, parse_zone, resolve_local, LocalResolution, LOCAL_FORMAT,
};
use crate::posts::status::{PostMode, PostStatus};

/// The furthest a shift goes, either way.
pub const MAX_SHIFT_DAYS: i32 = 366;

const CHANGED: &str =
    "It changed since you chose it, so it was left as it is. Look at it again and retry.";

/// The chosen posts, each once, with the `updated_at` the UI saw (ms).
fn seen(targets: &[BulkTarget]) -> CoreResult<Vec<(i64, Option<i64>)>> {
    let mut once = HashSet::new();
    let mut out = Vec::new();
    for t in targets {
        if !once.insert(t.post_id) {
            continue;
        }
        let at = match t.updated_at.as_deref() {
            None => None,
            Some(s) => Some(
                DateTime::parse_from_rfc3339(s)
                    .map_err(|_| {
                        CoreError::InvalidInput(
                            "The chosen posts could not be read. Reload the page and choose them again."
                                .to_owned(),
                        )
                    })?
                    .timestamp_millis(),
            ),
        };
        out.push((t.post_id, at));
    }
    Ok(out)
}

/// Why a batch leaves `row` alone: not scheduled any more, changed since the UI saw it, or
/// (when it would be moved) paused.
fn not_movable(row: &PostRow, seen: Option<i64>, moving: bool) -> Option<String> {
    let why = match row.status() {
        PostStatus::Scheduled => None,
        PostStatus::Queued | PostStatus::Publishing => {
            Some("It has started publishing, so it was left as it is.".to_owned())
        }
        PostStatus::Published => Some("It is already published.".to_owned()),
        PostStatus::Cancelled => Some("It is in Trash.".to_owned()),
        PostStatus::Draft => Some("It is a draft now, not scheduled.".to_owned()),
        other => Some(format!(
            "It is {}; only scheduled posts are changed together. Open it to sort it out.",
            other.as_str().replace('_', " ")
        )),
    };
    if why.is_some() {
        return why;
    }
    if seen.is_some_and(|s| s != row.updated_at) {
        return Some(CHANGED.to_owned());
    }
    match &row.paused_reason {
        Some(reason) if moving => Some(format!("It is paused: {reason}")),
        _ => None,
    }
}

fn caption(row: Option<&PostRow>) -> String {
    row.map(|r| r.caption.chars().take(80).collect())
        .unwrap_or_default()
}

fn skip(id: i64, row: Option<&PostRow>, message: impl Into<String>) -> BulkSkipped {
    BulkSkipped {
        post_id: id,
        caption: caption(row),
        message: message.into(),
    }
}

/// Why the account cannot take posts now.
fn account_problem(acc: Option<&AccountRow>) -> Option<String> {
    match acc {
        None => Some("Its account no longer exists in Tokdeck.".to_owned()),
        Some(a) if a.removed_at.is_some() => {
            Some(format!("{} was removed from Tokdeck.", display(a)))
        }
        Some(a) if AccountStatus::parse(&a.status) != AccountStatus::Active => {
            Some(format!("{} must be reconnected first.", display(a)))
        }
        _ => None,
    }
}

/// The zone a post's wall clock is kept in (its own, else its account's).
async fn zone_of(pool: &sqlx::SqlitePool, row: &PostRow) -> CoreResult<Tz> {
    match &row.schedule_zone {
        Some(z) => parse_zone(z),
        None => parse_zone(&account_zone(pool, row.account_id).await?),
    }
}

/// The slot an Undo puts a moved post back into.
fn before(row: &PostRow, tz: Tz) -> (i64, String, String) {
    let at = row.scheduled_at.unwrap_or_default();
    (
        at,
        row.schedule_zone
            .clone()
            .unwrap_or_else(|| tz.name().to_owned()),
        row.schedule_local
            .clone()
            .unwrap_or_else(|| local_text(at, tz)),
    )
}

/// `at`'s wall clock `days` later (earlier when negative) in `tz`, or why it has none.
pub fn shift_instant(at: i64, days: i32, tz: Tz) -> Result<(i64, String), String> {
    let local = parse_local(&local_text(at, tz)).map_err(|e| e.user_message())?;
    let target = local + Duration::days(i64::from(days));
    let new_at = match resolve_local(target, tz) {
        LocalResolution::Unique { instant } => instant,
        // The clocks go back that night: the first of the two.
        LocalResolution::Ambiguous { earlier, .. } => earlier,
        LocalResolution::Nonexistent { .. } => {
            return Err(format!(
            "{} does not exist on {} in {} (the clocks go forward that night). Move it by hand.",
            target.format("%H:%M"),
            target.format("%Y-%m-%d"),
            tz.name()
        ))
        }
    };
    Ok((
        new_at.timestamp_millis(),
        target.format(LOCAL_FORMAT).to_string(),
    ))
}

impl Planning {
    /// Moves the chosen scheduled posts by `days` whole calendar days, each in its own zone.
    pub async fn shift_posts(&self, targets: &[BulkTarget], days: i32) -> CoreResult<BulkOutcome> {
        if days == 0 || days.abs() > MAX_SHIFT_DAYS {
            return Err(CoreError::InvalidInput(format!(
                "Shift by 1 to {MAX_SHIFT_DAYS} days, earlier or later."
            )));
        }
        let chosen = seen(targets)?;
        let ids: Vec<i64> = chosen.iter().map(|c| c.0).collect();
        let pool = self.ctx.pool();
        let mut zones = HashMap::new();
        for r in db::posts::planning::load_many(pool, &ids).await? {
            zones.insert(r.id, zone_of(pool, &r).await?);
        }
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let rows = by_id(db::posts::planning::load_many(&mut *tx, &ids).await?);
        let mut out = outcome(BulkAction::Shift);
        for (id, seen) in chosen {
            let row = rows.get(&id);
            let (Some(row), Some(&tz)) = (row, zones.get(&id)) else {
                out.skipped.push(skip(id, row, "It no longer exists."));
                continue;
            };
            if let Some(why) = not_movable(row, seen, true) {
                out.skipped.push(skip(id, Some(row), why));
                continue;
            }
            let (at, local) = match shift_instant(row.scheduled_at.unwrap_or_default(), days, tz) {
                Ok(x) => x,
                Err(why) => {
                    out.skipped.push(skip(id, Some(row), why));
                    continue;
                }
            };
            if at <= now {
                out.skipped.push(skip(
                    id,
                    Some(row),
                    format!(
                        "It would move into the past ({}), so it was left as it is.",
                        local.replace('T', " ")
                    ),
                ));
                continue;
            }
            let slot = Slot {
                at,
                zone: tz.name().to_owned(),
                local,
                publish_now: false,
            };
            self.retime_one(&mut tx, row, tz, slot, now, &mut out)
                .await?;
        }
        tx.commit().await?;
        self.finish(&mut out, "post.shift").await?;
        Ok(out)
    }

    /// Takes `row` to `slot` inside the batch's transaction and records its Undo.
    async fn retime_one(
        &self,
        tx: &mut db::WriteTx,
        row: &PostRow,
        tz: Tz,
        slot: Slot,
        now: i64,
        out: &mut BulkOutcome,
    ) -> CoreResult<bool> {
        let Some(after) = sql::retime(&mut **tx, row.id, row.updated_at, &slot, now).await? else {
            out.skipped.push(skip(row.id, Some(row), CHANGED));
            return Ok(false);
        };
        let (before_ms, before_zone, before_local) = before(row, tz);
        out.undo.push(BulkUndo {
            post_id: row.id,
            trashed: false,
            updated_at: after,
            at_ms: slot.at,
            before_ms,
            before_zone,
            before_local,
        });
        out.done.push(BulkDone {
            post_id: row.id,
            account_id: row.account_id,
            caption: caption(Some(row)),
            at: Some(rfc3339(slot.at)),
            local: Some(slot.local),
            zone: Some(slot.zone),
            warnings: Vec::new(),
        });
        Ok(true)
    }

    /// Where each chosen scheduled post would land in its account's next free slot (its own
    /// current time counted as free), in the order given. Nothing is committed.
    pub async fn preview_slot_move(&self, targets: &[BulkTarget]) -> CoreResult<SlotPlan> {
        let chosen = seen(targets)?;
        let ids: Vec<i64> = chosen.iter().map(|c| c.0).collect();
        let pool = self.ctx.pool();
        let rows = by_id(db::posts::planning::load_many(pool, &ids).await?);
        let accounts = self.accounts_of(rows.values()).await?;
        let now = self.ctx.clock().now_ms();
        let account_ids: Vec<i64> = accounts.keys().copied().collect();
        let occupied =
            db::posts::planning::occupied_except(pool, &account_ids, now - DAY_MS, &ids).await?;
        let mut board = self.board_from(&account_ids, now, books(&occupied)).await?;
        let mut items = Vec::with_capacity(ids.len());
        for (id, seen) in chosen {
            let Some(row) = rows.get(&id) else {
                items.push(missing(id));
                continue;
            };
            let it = item(row);
            let acc = accounts.get(&row.account_id).and_then(|a| a.as_ref());
            if let Some(why) = not_movable(row, seen, true) {
                let kind = if why == CHANGED {
                    Kind::Changed
                } else {
                    Kind::NotScheduled
                };
                items.push(refuse(it, (kind, why)));
                continue;
            }
            if let Some(why) = account_problem(acc) {
                items.push(refuse(it, (Kind::AccountUnavailable, why)));
                continue;
            }
            items.push(board.place(it, &acc.map(display).unwrap_or_default()));
        }
        Ok(summarise(items))
    }

    /// Commits a slot-move preview in one transaction: each post only if it is still the
    /// scheduled post previewed and its new time still fits its account's limits.
    pub async fn commit_slot_move(&self, planned: &[PlannedPost]) -> CoreResult<BulkOutcome> {
        let ids = dedup(&planned.iter().map(|p| p.post_id).collect::<Vec<_>>());
        let pool = self.ctx.pool();
        let pre = by_id(db::posts::planning::load_many(pool, &ids).await?);
        let accounts = self.accounts_of(pre.values()).await?;
        let account_ids: Vec<i64> = accounts.keys().copied().collect();
        let mut zones = HashMap::new();
        for &a in &account_ids {
            zones.insert(a, parse_zone(&account_zone(pool, a).await?)?);
        }
        let limits = self.limits().await?;
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let rows = by_id(db::posts::planning::load_many(&mut *tx, &ids).await?);
        let occupied =
            db::posts::planning::occupied_except(&mut *tx, &account_ids, now - DAY_MS, &ids)
                .await?;
        let mut books = books(&occupied);
        let mut out = outcome(BulkAction::Slots);
        let mut once = HashSet::new();
        for p in planned {
            if !once.insert(p.post_id) {
                continue;
            }
            let row = rows.get(&p.post_id);
            let (Some(row), Some(&tz)) = (row, row.and_then(|r| zones.get(&r.account_id))) else {
                out.skipped
                    .push(skip(p.post_id, row, "It no longer exists."));
                continue;
            };
            let acc = accounts.get(&row.account_id).and_then(|a| a.as_ref());
            if let Some(why) =
                not_movable(row, Some(p.updated_at), true).or_else(|| account_problem(acc))
            {
                out.skipped.push(skip(row.id, Some(row), why));
                continue;
            }
            let mode = PostMode::parse(&row.mode);
            let book = books.entry(row.account_id).or_default();
            let why = slot_refusal(book, p.at_ms, now, mode, &limits);
            if let Some(why) = why {
                out.skipped.push(skip(
                    row.id,
                    Some(row),
                    format!("{why} It was left as it is; preview again to find another slot."),
                ));
                continue;
            }
            let slot = Slot {
                at: p.at_ms,
                zone: tz.name().to_owned(),
                local: local_text(p.at_ms, tz),
                publish_now: false,
            };
            if self
                .retime_one(&mut tx, row, tz, slot, now, &mut out)
                .await?
            {
                book.add(p.at_ms, mode, true);
            }
        }
        tx.commit().await?;
        self.finish(&mut out, "post.move_slots").await?;
        Ok(out)
    }

    /// Cancels (or, with `deleted`, deletes) the chosen scheduled posts: all to Trash in one
    /// transaction. Queued and publishing posts are never taken.
    pub async fn trash_posts(
        &self,
        targets: &[BulkTarget],
        deleted: bool,
    ) -> CoreResult<BulkOutcome> {
        let chosen = seen(targets)?;
        let ids: Vec<i64> = chosen.iter().map(|c| c.0).collect();
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let rows = by_id(db::posts::planning::load_many(&mut *tx, &ids).await?);
        let mut out = outcome(if deleted {
            BulkAction::Delete
        } else {
            BulkAction::Cancel
        });
        for (id, seen) in chosen {
            let Some(row) = rows.get(&id) else {
                out.skipped.push(skip(id, None, "It no longer exists."));
                continue;
            };
            if let Some(why) = not_movable(row, seen, false) {
                out.skipped.push(skip(id, Some(row), why));
                continue;
            }
            let Some(after) =
                sql::trash_scheduled(&mut *tx, id, row.updated_at, now, deleted).await?
            else {
                out.skipped.push(skip(id, Some(row), CHANGED));
                continue;
            };
            out.undo.push(BulkUndo {
                post_id: id,
                trashed: true,
                updated_at: after,
                at_ms: row.scheduled_at.unwrap_or_default(),
                before_ms: row.scheduled_at.unwrap_or_default(),
                before_zone: row.schedule_zone.clone().unwrap_or_default(),
                before_local: row.schedule_local.clone().unwrap_or_default(),
            });
            out.done.push(BulkDone {
                post_id: id,
                account_id: row.account_id,
                caption: caption(Some(row)),
                at: None,
                local: None,
                zone: None,
                warnings: Vec::new(),
            });
        }
        tx.commit().await?;
        let action = if deleted {
            "post.delete"
        } else {
            "post.cancel"
        };
        self.finish(&mut out, action).await?;
        Ok(out)
    }

    /// Undoes a batch in one transaction: each post goes back only while it is exactly as
    /// the batch left it; a moved post whose old time has passed stays where it is.
    pub async fn undo_bulk(&self, entries: &[BulkUndo]) -> CoreResult<BulkUndoReport> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut tx = db::begin_write(pool).await?;
        let mut report = BulkUndoReport {
            undone: Vec::new(),
            as_drafts: Vec::new(),
            kept: Vec::new(),
        };
        let mut left = Vec::new();
        for e in entries {
            if e.trashed {
                match sql::untrash(&mut *tx, e.post_id, e.updated_at, now).await? {
                    Some(s) if s == "scheduled" => report.undone.push(e.post_id),
                    Some(_) => report.as_drafts.push(e.post_id),
                    None => left.push(e.post_id),
                }
                continue;
            }
            if e.before_ms <= now {
                report.kept.push(UndoKept {
                    post_id: e.post_id,
                    message: "Its old time has passed, so it stays at its new time.".to_owned(),
                });
                continue;
            }
            let back = Slot {
                at: e.before_ms,
                zone: e.before_zone.clone(),
                local: e.before_local.clone(),
                publish_now: false,
            };
            if sql::retime_back(&mut *tx, e.post_id, e.updated_at, e.at_ms, &back, now).await? {
                report.undone.push(e.post_id);
            } else {
                left.push(e.post_id);
            }
        }
        let rows = by_id(db::posts::planning::load_many(&mut *tx, &left).await?);
        tx.commit().await?;
        for id in left {
            let message = match rows.get(&id).map(|r| r.status()) {
                None => "It no longer exists.",
                Some(PostStatus::Queued | PostStatus::Publishing | PostStatus::Published) => {
                    "It has started publishing, so it was left as it is."
                }
                Some(_) => "It was changed since, so it was left as it is.",
            };
            report.kept.push(UndoKept {
                post_id: id,
                message: message.to_owned(),
            });
        }
        let back: Vec<i64> = report
            .undone
            .iter()
            .chain(&report.as_drafts)
            .copied()
            .collect();
        let rows = db::posts::planning::load_many(pool, &back).await?;
        self.announce(rows.iter().map(|r| r.account_id), "post.undo_batch")
            .await;
        Ok(report)
    }

    async fn accounts_of(
        &self,
        rows: impl Iterator<Item = &PostRow>,
    ) -> CoreResult<HashMap<i64, Option<AccountRow>>> {
        let mut out = HashMap::new();
        for r in rows {
            if let std::collections::hash_map::Entry::Vacant(e) = out.entry(r.account_id) {
                e.insert(db::accounts::get(self.ctx.pool(), r.account_id).await?);
            }
        }
        Ok(out)
    }

    /// After a batch: cap warnings at the new times, one audit line and one change event per
    /// account, the scheduler's doorbell.
    async fn finish(&self, out: &mut BulkOutcome, action: &str) -> CoreResult<()> {
        let pool = self.ctx.pool();
        for d in &mut out.done {
            let Some(at) = d.at.as_deref() else { continue };
            let at = DateTime::parse_from_rfc3339(at)
                .map(|t| t.timestamp_millis())
                .unwrap_or_default();
            let mode = db::posts::planning::load_many(pool, &[d.post_id])
                .await?
                .first()
                .map(|r| PostMode::parse(&r.mode))
                .unwrap_or(PostMode::Direct);
            d.warnings = cap_warnings(pool, d.account_id, mode, at, Some(d.post_id))
                .await?
                .into_iter()
                .map(|w| w.message)
                .collect();
        }
        self.announce(out.done.iter().map(|d| d.account_id), action)
            .await;
        Ok(())
    }
}

fn by_id(rows: Vec<PostRow>) -> HashMap<i64, PostRow> {
    rows.into_iter().map(|r| (r.id, r)).collect()
}

fn outcome(action: BulkAction) -> BulkOutcome {
    BulkOutcome {
        action,
        done: Vec::new(),
        skipped: Vec::new(),
        undo: Vec::new(),
    }
}
