//! CSV import and export of the schedule (docs/csv.md lists the columns). An import is
//! validated completely first — every row, with its line number — and creates nothing unless
//! every row is valid; then all its posts are created and scheduled in one transaction.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::PathBuf;

use super::dto::{CsvImportReport, CsvRowError};
use super::service::{books, Planning, RulesSource};
use super::slots::Book;
use crate::accounts::dto::AccountStatus;
use crate::compose::rules::inbox_rules;
use crate::db;
use crate::db::posts::Slot;
use crate::error::{CoreError, CoreResult};
use crate::media::{Fingerprint, VideoFacts};
use crate::posts::caps::DAY_MS;
use crate::posts::content::Content;
use crate::posts::dto::{Commercial, CreatorRules};
use crate::posts::files::probe_file;
use crate::posts::local_time::{
    local_text, parse_local, parse_zone, resolve_local, LocalResolution,
};
use crate::posts::status::PostMode;

/// The columns, in order.
pub const COLUMNS: [&str; 10] = [
    "file",
    "account",
    "local_time",
    "zone",
    "caption",
    "privacy",
    "allow_comment",
    "allow_duet",
    "allow_stitch",
    "mode",
];

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn parse_bool(text: &str, what: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" => Ok(true),
        "no" | "false" | "0" | "" => Ok(false),
        other => Err(format!("{what} must be yes or no, not \"{other}\".")),
    }
}

fn parse_privacy(text: &str) -> Result<Option<String>, String> {
    let t = text.trim();
    Ok(Some(match t.to_ascii_lowercase().as_str() {
        "" => return Ok(None),
        "public_to_everyone" | "everyone" => "PUBLIC_TO_EVERYONE",
        "mutual_follow_friends" | "friends" => "MUTUAL_FOLLOW_FRIENDS",
        "follower_of_creator" | "followers" => "FOLLOWER_OF_CREATOR",
        "self_only" | "only me" => "SELF_ONLY",
        _ => {
            return Err(format!(
                "privacy \"{t}\" is not one Tokdeck knows: use everyone, friends, followers or only me."
            ))
        }
    }
    .to_owned()))
}

/// One row, valid, ready to create.
struct Row {
    account_id: i64,
    path: String,
    facts: VideoFacts,
    fp: Fingerprint,
    content: Content,
    slot: Slot,
    max_duration: Option<i64>,
}

impl Planning {
    /// Every scheduled post as CSV, soonest first.
    pub async fn export_schedule_csv(&self) -> CoreResult<String> {
        let pool = self.ctx.pool();
        let rows = db::posts::planning::scheduled(pool).await?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let bad = |e: csv::Error| CoreError::Internal(format!("csv: {e}"));
        w.write_record(COLUMNS).map_err(bad)?;
        let mut handles: HashMap<i64, String> = HashMap::new();
        for r in rows {
            if let Entry::Vacant(e) = handles.entry(r.account_id) {
                let h = db::accounts::get(pool, r.account_id)
                    .await?
                    .map(|a| format!("@{}", a.username))
                    .unwrap_or_default();
                e.insert(h);
            }
            let zone = r.schedule_zone.clone().unwrap_or_else(|| "UTC".to_owned());
            let tz = parse_zone(&zone)?;
            let local = local_text(r.scheduled_at.unwrap_or_default(), tz);
            w.write_record([
                r.media_path.as_str(),
                handles[&r.account_id].as_str(),
                local.as_str(),
                tz.name(),
                r.caption.as_str(),
                r.privacy_level.as_deref().unwrap_or(""),
                yes_no(r.allow_comment),
                yes_no(r.allow_duet),
                yes_no(r.allow_stitch),
                r.mode.as_str(),
            ])
            .map_err(bad)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| CoreError::Internal(e.to_string()))
    }

    /// Validates every row, then (only if all are valid) creates and schedules them all in one
    /// transaction.
    pub async fn import_schedule_csv(
        &self,
        text: &str,
        source: RulesSource<'_>,
    ) -> CoreResult<CsvImportReport> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut errors = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(|s| s.trim().to_ascii_lowercase()).collect(),
            Err(e) => {
                return Err(CoreError::InvalidInput(format!(
                    "This file is not a CSV Tokdeck can read ({e})."
                )))
            }
        };
        if headers != COLUMNS {
            return Err(CoreError::InvalidInput(format!(
                "The first line must name the columns {} (see the CSV help).",
                COLUMNS.join(", ")
            )));
        }
        let mut accounts: HashMap<String, Option<i64>> = HashMap::new();
        let mut rules: HashMap<(i64, PostMode), Result<CreatorRules, String>> = HashMap::new();
        let mut probed: HashMap<String, Result<(VideoFacts, Fingerprint), String>> = HashMap::new();
        let mut valid = Vec::new();
        for rec in reader.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    errors.push(CsvRowError {
                        line,
                        message: "This row does not have the 10 columns of the first line."
                            .to_owned(),
                    });
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            match self
                .check_row(&rec, now, &mut accounts, &mut rules, &mut probed, source)
                .await?
            {
                Ok(row) => valid.push((line, row)),
                Err(message) => errors.push(CsvRowError { line, message }),
            }
        }
        // The caps and the gap, over the file's rows and what is already planned.
        let ids: Vec<i64> = valid.iter().map(|(_, r)| r.account_id).collect();
        let occupied = db::posts::planning::occupied(pool, &ids, now - DAY_MS).await?;
        let mut books: HashMap<i64, Book> = books(&occupied);
        let limits = self.limits().await?;
        let mut sorted: Vec<&(u64, Row)> = valid.iter().collect();
        sorted.sort_by_key(|(_, r)| r.slot.at);
        for (line, r) in sorted {
            let book = books.entry(r.account_id).or_default();
            match book.refusal(r.slot.at, r.content.mode, &limits) {
                None => book.add(r.slot.at, r.content.mode, true),
                Some(why) => errors.push(CsvRowError {
                    line: *line,
                    message: super::schedule::refusal_text(why, &limits),
                }),
            }
        }
        if !errors.is_empty() || valid.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Ok(CsvImportReport {
                created: Vec::new(),
                errors,
            });
        }
        let mut tx = db::begin_write(pool).await?;
        let mut created = Vec::with_capacity(valid.len());
        for (_, r) in &valid {
            let id = db::posts::insert(
                &mut *tx,
                r.account_id,
                &r.content,
                &r.path,
                &r.fp,
                &r.facts,
                now,
            )
            .await?;
            db::posts::planning::schedule_planned(&mut *tx, id, now, &r.slot, r.max_duration, now)
                .await?;
            created.push(id);
        }
        tx.commit().await?;
        let mut per: HashMap<i64, usize> = HashMap::new();
        for (_, r) in &valid {
            *per.entry(r.account_id).or_default() += 1;
        }
        for (a, n) in per {
            self.ctx
                .audit(
                    Some(a),
                    "post.import_csv",
                    crate::audit::Outcome::Ok,
                    &format!("{n} posts"),
                )
                .await;
            self.ctx
                .events()
                .emit(crate::events::EngineEvent::PostsChanged {
                    post_id: None,
                    account_id: Some(a),
                });
        }
        self.ctx.wake_scheduler();
        Ok(CsvImportReport {
            created,
            errors: Vec::new(),
        })
    }

    /// One row checked completely: `Ok(Err(message))` for a row error.
    async fn check_row(
        &self,
        rec: &csv::StringRecord,
        now: i64,
        accounts: &mut HashMap<String, Option<i64>>,
        rules: &mut HashMap<(i64, PostMode), Result<CreatorRules, String>>,
        probed: &mut HashMap<String, Result<(VideoFacts, Fingerprint), String>>,
        source: RulesSource<'_>,
    ) -> CoreResult<Result<Row, String>> {
        let pool = self.ctx.pool();
        let f = |i: usize| rec.get(i).unwrap_or("").to_owned();
        let handle = f(1).trim().trim_start_matches('@').to_ascii_lowercase();
        if let Entry::Vacant(e) = accounts.entry(handle.clone()) {
            let id = db::accounts::live_with_status(pool, AccountStatus::Active)
                .await?
                .into_iter()
                .find(|a| a.username.to_ascii_lowercase() == handle)
                .map(|a| a.id);
            e.insert(id);
        }
        let Some(account_id) = accounts[&handle] else {
            return Ok(Err(format!(
                "no connected account @{handle} in Tokdeck (connect it, or fix the handle)."
            )));
        };
        let mode = match f(9).trim().to_ascii_lowercase().as_str() {
            "" | "direct" => PostMode::Direct,
            "inbox" => PostMode::Inbox,
            other => {
                return Ok(Err(format!(
                    "mode must be direct or inbox, not \"{other}\"."
                )))
            }
        };
        let tz = match parse_zone(&f(3)) {
            Ok(tz) => tz,
            Err(e) => return Ok(Err(e.user_message())),
        };
        let naive = match parse_local(&f(2)) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e.user_message())),
        };
        let at = match resolve_local(naive, tz) {
            LocalResolution::Unique { instant } => instant.timestamp_millis(),
            LocalResolution::Ambiguous { .. } => {
                return Ok(Err(format!(
                    "{} happens twice in {} (the clocks go back): pick another time.",
                    f(2).trim(),
                    tz.name()
                )))
            }
            LocalResolution::Nonexistent { .. } => {
                return Ok(Err(format!(
                    "{} does not exist in {} (the clocks go forward): pick another time.",
                    f(2).trim(),
                    tz.name()
                )))
            }
        };
        if at <= now {
            return Ok(Err(format!(
                "{} in {} is in the past.",
                f(2).trim(),
                tz.name()
            )));
        }
        let privacy = match parse_privacy(&f(5)) {
            Ok(p) => p,
            Err(e) => return Ok(Err(e)),
        };
        let mut toggles = [false; 3];
        for (i, what) in ["allow_comment", "allow_duet", "allow_stitch"]
            .iter()
            .enumerate()
        {
            match parse_bool(&f(6 + i), what) {
                Ok(b) => toggles[i] = b,
                Err(e) => return Ok(Err(e)),
            }
        }
        let path = f(0).trim().to_owned();
        if let Entry::Vacant(e) = probed.entry(path.clone()) {
            let got = probe_file(PathBuf::from(&path))
                .await
                .map_err(|e| e.user_message());
            e.insert(got);
        }
        let (facts, fp) = match &probed[&path] {
            Ok(v) => v.clone(),
            Err(e) => return Ok(Err(e.clone())),
        };
        if let Entry::Vacant(slot) = rules.entry((account_id, mode)) {
            let got = match (mode, source) {
                (PostMode::Inbox, _) => match db::accounts::get(pool, account_id).await? {
                    Some(a) => Ok(inbox_rules(&a)),
                    None => Err("its account no longer exists.".to_owned()),
                },
                (_, RulesSource::Given(map)) => map
                    .get(&account_id)
                    .cloned()
                    .ok_or_else(|| "its account's TikTok settings are not known.".to_owned()),
                (_, RulesSource::Fresh) => self
                    .compose
                    .posting_rules(account_id, mode)
                    .await
                    .map_err(|e| e.user_message()),
            };
            slot.insert(got);
        }
        let creator = match &rules[&(account_id, mode)] {
            Ok(r) => r.clone(),
            Err(e) => return Ok(Err(e.clone())),
        };
        let content = Content {
            caption: f(4),
            privacy_level: privacy,
            allow_comment: toggles[0],
            allow_duet: toggles[1],
            allow_stitch: toggles[2],
            commercial: Commercial::default(),
            is_aigc: false,
            cover_timestamp_ms: None,
            mode,
        };
        if let Err(e) = content.check_for_posting(&facts, &creator) {
            return Ok(Err(e.user_message()));
        }
        Ok(Ok(Row {
            account_id,
            path,
            facts,
            fp,
            content,
            slot: Slot {
                at,
                zone: tz.name().to_owned(),
                local: local_text(at, tz),
                publish_now: false,
            },
            max_duration: creator.max_video_post_duration_sec.map(i64::from),
        }))
    }
}
