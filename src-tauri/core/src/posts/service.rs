//! The `Posts` service: drafts, edits, scheduling, cancelling, pausing, media checks, caps and
//! the calendar/queue reads. Built with the `Ctx` only; it never reaches TikTok (the caller
//! hands it the creator's rules).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Datelike, Days, Months, NaiveDate};
use sqlx::AssertSqlSafe;

use super::*;
use crate::audit::{self, Outcome};
use crate::clock::rfc3339;
use crate::ctx::Ctx;
use crate::error::{CoreError, CoreResult};
use crate::media::{self, FileCheck};
use crate::thumbnails::Thumbnails;

const PENDING: &str = "'draft', 'scheduled', 'needs_attention', 'queued'";

pub struct Posts {
    ctx: Ctx,
    thumbnails: Arc<Thumbnails>,
}

impl Posts {
    pub fn new(ctx: Ctx) -> Self {
        let thumbnails = Arc::new(Thumbnails::new(ctx.clone()));
        Self { ctx, thumbnails }
    }

    pub fn thumbnails(&self) -> &Arc<Thumbnails> {
        &self.thumbnails
    }

    /// Creates an unscheduled draft. The file must be a video that passes TikTok's file rules
    /// (the duration too when `creator` is given).
    pub async fn create_draft(
        &self,
        input: &ComposeInput,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        live_account(pool, input.account_id).await?;
        let path = PathBuf::from(&input.media_path);
        let (facts, fp) = probe_file(path.clone()).await?;
        let violations =
            media::validate(&facts, creator.and_then(|c| c.max_video_post_duration_sec));
        if !violations.is_empty() {
            return Err(CoreError::InvalidInput(media::describe(&violations)));
        }
        let content = Content {
            caption: input.caption.clone(),
            privacy_level: input.privacy_level.clone().filter(|p| !p.is_empty()),
            allow_comment: input.allow_comment,
            allow_duet: input.allow_duet,
            allow_stitch: input.allow_stitch,
            commercial: input.commercial,
            is_aigc: input.is_aigc,
            cover_timestamp_ms: input.cover_timestamp_ms,
            mode: input.mode,
        };
        content.check_draft(&facts)?;
        let now = self.ctx.clock().now_ms();
        let id = insert_post(
            pool,
            input.account_id,
            &content,
            &path.to_string_lossy(),
            &fp,
            &facts,
            now,
        )
        .await?;
        audit::record(
            pool,
            Some(input.account_id),
            "post.create",
            Outcome::Ok,
            &format!("post {id}"),
        )
        .await;
        self.thumbnails.refresh(id).await;
        self.posts_changed(Some(id), Some(input.account_id));
        load_row(pool, id).await?.dto()
    }

    pub async fn post(&self, id: i64) -> CoreResult<PostDto> {
        load_row(self.ctx.pool(), id).await?.dto()
    }

    /// Edits a post. A scheduled post stays scheduled only if it still passes every rule for
    /// `creator` (required then); a draft is checked only for the rules a draft must keep.
    pub async fn update_post(
        &self,
        id: i64,
        patch: &ComposePatch,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        if !row.status().editable() {
            return Err(CoreError::Conflict(format!(
                "This post is {} and can no longer be edited.",
                row.status().as_str().replace('_', " ")
            )));
        }
        let facts = row.facts()?;
        let mut content = Content::of(&row);
        content.apply(patch);
        if row.status() == PostStatus::Scheduled {
            let creator = creator.ok_or_else(|| {
                CoreError::InvalidInput(
                    "Editing a scheduled post needs the account's current TikTok settings; open the post again."
                        .to_owned(),
                )
            })?;
            content.check_for_posting(&facts, creator)?;
        } else {
            content.check_draft(&facts)?;
        }
        let now = self.ctx.clock().now_ms();
        // Compare-and-set: the scheduler may have taken the post since it was read.
        let n = sqlx::query(
            "UPDATE posts SET caption = ?, privacy_level = ?, allow_comment = ?, allow_duet = ?,
                allow_stitch = ?, commercial = ?, your_brand = ?, branded_content = ?, is_aigc = ?,
                cover_timestamp_ms = ?, mode = ?, updated_at = ?,
                consent_at = CASE WHEN status = 'scheduled' THEN ? ELSE consent_at END
             WHERE id = ? AND status = ?",
        )
        .bind(&content.caption)
        .bind(&content.privacy_level)
        .bind(content.allow_comment)
        .bind(content.allow_duet)
        .bind(content.allow_stitch)
        .bind(content.commercial.enabled)
        .bind(content.commercial.your_brand)
        .bind(content.commercial.branded_content)
        .bind(content.is_aigc)
        .bind(content.cover_timestamp_ms.map(i64::from))
        .bind(content.mode.as_str())
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(&row.status)
        .execute(pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(changed_meanwhile());
        }
        // The cover may have moved (a no-op when the thumbnail is current).
        self.thumbnails.refresh(id).await;
        self.post_changed(&row, "post.update").await
    }

    /// Schedules a draft (or a post that needs attention, missed or failed) with the creator's
    /// consent, recorded now. Everything TikTok requires is checked against `creator`, and the
    /// file must still be the one that was probed.
    pub async fn schedule_post(
        &self,
        id: i64,
        when: &When,
        creator: &CreatorRules,
    ) -> CoreResult<ScheduleOutcome> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        crate::publisher::ensure_outcome_known(pool, id).await?;
        if row.paused_reason.is_some() {
            return Err(CoreError::Conflict(format!(
                "This post is paused: {}",
                row.paused_reason.clone().unwrap_or_default()
            )));
        }
        if !row.status().editable() {
            return Err(CoreError::Conflict(format!(
                "This post is {} and cannot be scheduled again.",
                row.status().as_str().replace('_', " ")
            )));
        }
        let facts = row.facts()?;
        Content::of(&row).check_for_posting(&facts, creator)?;
        self.ensure_file_unchanged(&row).await?;
        let (at, zone, local, now_flag) = self.resolve_when(row.account_id, when).await?;
        let now = self.ctx.clock().now_ms();
        let n = sqlx::query(
            "UPDATE posts SET status = 'scheduled', scheduled_at = ?, schedule_zone = ?,
                schedule_local = ?, publish_now = ?, consent_at = ?, max_duration_sec = ?,
                attention_reason = NULL, updated_at = ?
             WHERE id = ? AND status = ?",
        )
        .bind(at)
        .bind(&zone)
        .bind(&local)
        .bind(now_flag)
        .bind(now)
        .bind(creator.max_video_post_duration_sec.map(i64::from))
        .bind(now)
        .bind(id)
        .bind(&row.status)
        .execute(pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(changed_meanwhile());
        }
        let detail = format!("post {id} at {} ({zone} {local})", rfc3339(at));
        self.schedule_outcome(&row, at, "post.schedule", &detail)
            .await
    }

    /// "Publish now": schedules for the current instant.
    pub async fn publish_now(
        &self,
        id: i64,
        creator: &CreatorRules,
    ) -> CoreResult<ScheduleOutcome> {
        self.schedule_post(id, &When::Now, creator).await
    }

    /// Moves a scheduled (or missed/failed/needs-attention) post to another time. Consent and
    /// settings stay as they were given.
    pub async fn reschedule_post(&self, id: i64, when: &When) -> CoreResult<ScheduleOutcome> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        crate::publisher::ensure_outcome_known(pool, id).await?;
        let status = row.status();
        if !matches!(
            status,
            PostStatus::Scheduled
                | PostStatus::Missed
                | PostStatus::Failed
                | PostStatus::NeedsAttention
        ) || row.consent_at.is_none()
        {
            return Err(CoreError::Conflict(format!(
                "Only a scheduled post can be rescheduled; this one is {}.",
                status.as_str().replace('_', " ")
            )));
        }
        // Refused before anything changes: the post keeps its time and waits, paused.
        if matches!(when, When::Now) {
            crate::accounts::ensure_connected(pool, row.account_id).await?;
        }
        let (at, zone, local, now_flag) = self.resolve_when(row.account_id, when).await?;
        let new_status = if status == PostStatus::NeedsAttention {
            "needs_attention"
        } else {
            "scheduled"
        };
        let n = sqlx::query(
            "UPDATE posts SET status = ?, scheduled_at = ?, schedule_zone = ?, schedule_local = ?,
                publish_now = ?, updated_at = ? WHERE id = ? AND status = ?",
        )
        .bind(new_status)
        .bind(at)
        .bind(&zone)
        .bind(&local)
        .bind(now_flag)
        .bind(self.ctx.clock().now_ms())
        .bind(id)
        .bind(&row.status)
        .execute(pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(changed_meanwhile());
        }
        let detail = format!("post {id} to {} ({zone} {local})", rfc3339(at));
        self.schedule_outcome(&row, at, "post.reschedule", &detail)
            .await
    }

    /// The common end of an edit that needs no cap check: audit entry, change event, and the
    /// post as it now is.
    async fn post_changed(&self, row: &PostRow, action: &str) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let id = row.id;
        audit::record(
            pool,
            Some(row.account_id),
            action,
            Outcome::Ok,
            &format!("post {id}"),
        )
        .await;
        self.posts_changed(Some(id), Some(row.account_id));
        load_row(pool, id).await?.dto()
    }

    /// The common end of scheduling and rescheduling: cap warnings for the new instant, the
    /// audit entry, the change event, and the post as it now is.
    async fn schedule_outcome(
        &self,
        row: &PostRow,
        at: i64,
        action: &str,
        detail: &str,
    ) -> CoreResult<ScheduleOutcome> {
        let pool = self.ctx.pool();
        let warnings = cap_warnings(
            pool,
            row.account_id,
            PostMode::parse(&row.mode),
            at,
            Some(row.id),
        )
        .await?;
        audit::record(pool, Some(row.account_id), action, Outcome::Ok, detail).await;
        self.posts_changed(Some(row.id), Some(row.account_id));
        Ok(ScheduleOutcome {
            post: load_row(pool, row.id).await?.dto()?,
            warnings,
        })
    }

    /// Copies a post to other accounts, each copy checked against that account's creator_info.
    /// A scheduled source gives scheduled copies at the same instant (consent recorded now);
    /// otherwise drafts. All or nothing: one invalid target fails the whole call.
    pub async fn duplicate_post(
        &self,
        id: i64,
        targets: &[(i64, CreatorRules)],
    ) -> CoreResult<Vec<ScheduleOutcome>> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        let facts = row.facts()?;
        let content = Content::of(&row);
        let scheduled = row.status() == PostStatus::Scheduled;
        for (account_id, creator) in targets {
            live_account(pool, *account_id).await?;
            let res = if scheduled {
                content.check_for_posting(&facts, creator)
            } else {
                content.check_draft(&facts).and_then(|_| {
                    let v = media::validate(&facts, creator.max_video_post_duration_sec);
                    if v.is_empty() {
                        Ok(())
                    } else {
                        Err(CoreError::InvalidInput(media::describe(&v)))
                    }
                })
            };
            if let Err(e) = res {
                let who = if creator.nickname.is_empty() {
                    format!("account {account_id}")
                } else {
                    creator.nickname.clone()
                };
                return Err(CoreError::InvalidInput(format!(
                    "Cannot copy to {who}: {}",
                    e.user_message()
                )));
            }
        }
        if scheduled {
            self.ensure_file_unchanged(&row).await?;
        }
        let now = self.ctx.clock().now_ms();
        let mut ids = Vec::new();
        let mut tx = pool.begin().await?;
        for (account_id, creator) in targets {
            let new_id = insert_post(
                &mut *tx,
                *account_id,
                &content,
                &row.media_path,
                &row.fingerprint(),
                &facts,
                now,
            )
            .await?;
            if scheduled {
                sqlx::query(
                    "UPDATE posts SET status = 'scheduled', scheduled_at = ?, schedule_zone = ?,
                        schedule_local = ?, publish_now = ?, consent_at = ?, max_duration_sec = ?
                     WHERE id = ?",
                )
                .bind(row.scheduled_at)
                .bind(&row.schedule_zone)
                .bind(&row.schedule_local)
                .bind(row.publish_now)
                .bind(now)
                .bind(creator.max_video_post_duration_sec.map(i64::from))
                .bind(new_id)
                .execute(&mut *tx)
                .await?;
            }
            ids.push((*account_id, new_id));
        }
        tx.commit().await?;
        let mut out = Vec::new();
        for (account_id, new_id) in ids {
            // Same file and cover: the source's thumbnail file is reused.
            self.thumbnails.refresh(new_id).await;
            let new_row = load_row(pool, new_id).await?;
            let warnings = match new_row.scheduled_at {
                Some(at) if scheduled => {
                    cap_warnings(
                        pool,
                        account_id,
                        PostMode::parse(&new_row.mode),
                        at,
                        Some(new_id),
                    )
                    .await?
                }
                _ => Vec::new(),
            };
            audit::record(
                pool,
                Some(account_id),
                "post.duplicate",
                Outcome::Ok,
                &format!("post {new_id} from post {id}"),
            )
            .await;
            out.push(ScheduleOutcome {
                post: new_row.dto()?,
                warnings,
            });
            self.posts_changed(Some(new_id), Some(account_id));
        }
        Ok(out)
    }

    /// Cancels a post that has not started publishing. Compare-and-set against the scheduler
    /// and the publisher: a queued post is cancelled only while its job is still queued (the
    /// job goes in the same transaction), so either nothing reaches TikTok or the cancel is
    /// refused.
    pub async fn cancel_post(&self, id: i64) -> CoreResult<PostDto> {
        // The scheduler may claim the post between the read and the write: read again.
        for _ in 0..3 {
            if let Some(dto) = self.try_cancel(id).await? {
                return Ok(dto);
            }
        }
        Err(changed_meanwhile())
    }

    /// One compare-and-set attempt; `None` when the post moved between the read and the write.
    async fn try_cancel(&self, id: i64) -> CoreResult<Option<PostDto>> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        // It may be on TikTok: cancelling would hide that (check again, mark it as posted or
        // dismiss it first).
        crate::publisher::ensure_outcome_known(pool, id).await?;
        if matches!(
            row.status(),
            PostStatus::Publishing | PostStatus::Published | PostStatus::Cancelled
        ) {
            return Err(CoreError::Conflict(format!(
                "This post is {} and cannot be cancelled.",
                row.status().as_str()
            )));
        }
        let mut tx = pool.begin().await?;
        if row.status() == PostStatus::Queued {
            let n = sqlx::query("DELETE FROM publish_jobs WHERE post_id = ? AND state = 'queued'")
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(CoreError::Conflict(
                    "This post is being published right now and can no longer be cancelled.".into(),
                ));
            }
        }
        let n = sqlx::query(
            "UPDATE posts SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = ?",
        )
        .bind(self.ctx.clock().now_ms())
        .bind(id)
        .bind(&row.status)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        tx.commit().await?;
        self.post_changed(&row, "post.cancel").await.map(Some)
    }

    pub async fn delete_post(&self, id: i64) -> CoreResult<()> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        if row.status() == PostStatus::Publishing {
            return Err(CoreError::Conflict(
                "This post is being published right now; wait for it to finish.".to_owned(),
            ));
        }
        // Compare-and-set: a queued post the publisher started meanwhile is not deleted.
        let n = sqlx::query("DELETE FROM posts WHERE id = ? AND status = ?")
            .bind(id)
            .bind(&row.status)
            .execute(pool)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(changed_meanwhile());
        }
        self.thumbnails.forget(row.thumbnail_path.clone()).await;
        audit::record(
            pool,
            Some(row.account_id),
            "post.delete",
            Outcome::Ok,
            &format!("post {id}"),
        )
        .await;
        self.posts_changed(Some(id), Some(row.account_id));
        Ok(())
    }

    /// Pauses every pending post of an account (e.g. it was removed) with a visible reason.
    /// Returns how many were paused.
    pub async fn pause_posts_of_account(&self, account_id: i64, reason: &str) -> CoreResult<u64> {
        let pool = self.ctx.pool();
        let n = sqlx::query(AssertSqlSafe(format!(
            "UPDATE posts SET paused_reason = ?, updated_at = ?
             WHERE account_id = ? AND status IN ({PENDING})"
        )))
        .bind(reason)
        .bind(self.ctx.clock().now_ms())
        .bind(account_id)
        .execute(pool)
        .await?
        .rows_affected();
        if n > 0 {
            audit::record(
                pool,
                Some(account_id),
                "post.pause",
                Outcome::Ok,
                &format!("{n} posts: {reason}"),
            )
            .await;
            self.posts_changed(None, Some(account_id));
        }
        Ok(n)
    }

    /// Lifts the pause (e.g. the account was reconnected).
    pub async fn resume_posts_of_account(&self, account_id: i64) -> CoreResult<u64> {
        let pool = self.ctx.pool();
        let n = sqlx::query(
            "UPDATE posts SET paused_reason = NULL, updated_at = ?
             WHERE account_id = ? AND paused_reason IS NOT NULL",
        )
        .bind(self.ctx.clock().now_ms())
        .bind(account_id)
        .execute(pool)
        .await?
        .rows_affected();
        if n > 0 {
            self.posts_changed(None, Some(account_id));
        }
        Ok(n)
    }

    /// Checks a pending post's file. A moved or changed file puts the post in
    /// "needs attention" with the reason.
    pub async fn check_post_media(&self, id: i64) -> CoreResult<FileCheck> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        let path = PathBuf::from(&row.media_path);
        let fp = row.fingerprint();
        let result = blocking(move || media::check(&path, &fp)).await?;
        if let Some(reason) = result.reason(Path::new(&row.media_path)) {
            if matches!(
                row.status(),
                PostStatus::Draft
                    | PostStatus::Scheduled
                    | PostStatus::Queued
                    | PostStatus::NeedsAttention
            ) {
                sqlx::query(
                    "UPDATE posts SET status = 'needs_attention', attention_reason = ?, updated_at = ?
                     WHERE id = ?",
                )
                .bind(&reason)
                .bind(self.ctx.clock().now_ms())
                .bind(id)
                .execute(pool)
                .await?;
                audit::record(
                    pool,
                    Some(row.account_id),
                    "post.needs_attention",
                    Outcome::Error,
                    &format!("post {id}: {reason}"),
                )
                .await;
                self.posts_changed(Some(id), Some(row.account_id));
            }
        }
        Ok(result)
    }

    /// Checks the files of every pending post; returns the ids that now need attention.
    pub async fn check_pending_media(&self) -> CoreResult<Vec<i64>> {
        let ids: Vec<i64> = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT id FROM posts WHERE status IN ({PENDING}) ORDER BY id"
        )))
        .fetch_all(self.ctx.pool())
        .await?;
        let mut bad = Vec::new();
        for id in ids {
            if self.check_post_media(id).await? != FileCheck::Ok {
                bad.push(id);
            }
        }
        Ok(bad)
    }

    /// Points a post at its file's new place. The file there must have the same fingerprint
    /// (size and content; a copy's new modification time is fine), unless `accept_changed`:
    /// then it is probed and validated again (against `creator` when given, else the limit
    /// stored at scheduling).
    pub async fn relink_post_media(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let row = load_row(pool, id).await?;
        if !row.status().editable() && row.status() != PostStatus::Queued {
            return Err(CoreError::Conflict(format!(
                "This post is {} and its file cannot be changed.",
                row.status().as_str()
            )));
        }
        let path = PathBuf::from(new_path);
        let (facts, fp) = probe_file(path.clone()).await?;
        let old = row.fingerprint();
        let facts = if fp.same_content(&old) {
            row.facts()?
        } else if accept_changed {
            let max = creator
                .and_then(|c| c.max_video_post_duration_sec)
                .or(row.max_duration_sec.and_then(|m| u32::try_from(m).ok()));
            let v = media::validate(&facts, max);
            if !v.is_empty() {
                return Err(CoreError::InvalidInput(media::describe(&v)));
            }
            facts
        } else {
            let mut diffs = Vec::new();
            if fp.size != old.size {
                diffs.push(format!("{} bytes instead of {}", fp.size, old.size));
            } else {
                diffs.push("same size, different content".to_owned());
            }
            return Err(CoreError::InvalidInput(format!(
                "{} is not the same video ({}). Choose the original file, or accept the changed file to check it again.",
                path.display(),
                diffs.join(", ")
            )));
        };
        // A post whose last publish may have reached TikTok stays where it is: back on the
        // schedule it could be posted twice (check again, mark as posted or dismiss first).
        let unknown: Option<bool> =
            sqlx::query_scalar("SELECT outcome_unknown FROM publish_jobs WHERE post_id = ?")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        let unknown = unknown == Some(true);
        let back_to = if row.status() == PostStatus::NeedsAttention && !unknown {
            if row.consent_at.is_some() && row.scheduled_at.is_some() {
                "scheduled"
            } else {
                "draft"
            }
        } else {
            row.status.as_str()
        };
        let n = sqlx::query(
            "UPDATE posts SET media_path = ?, media_size = ?, media_mtime_ms = ?,
                media_head_sha256 = ?, media_tail_sha256 = ?, media_facts = ?, status = ?,
                attention_reason = CASE WHEN ? THEN attention_reason END, updated_at = ?
             WHERE id = ? AND status = ?",
        )
        .bind(path.to_string_lossy().into_owned())
        .bind(fp.size as i64)
        .bind(fp.mtime_ms)
        .bind(&fp.head_sha256)
        .bind(&fp.tail_sha256)
        .bind(serde_json::to_string(&facts).expect("facts serialise"))
        .bind(back_to)
        .bind(unknown)
        .bind(self.ctx.clock().now_ms())
        .bind(id)
        .bind(&row.status)
        .execute(pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(changed_meanwhile());
        }
        self.thumbnails.refresh(id).await;
        self.post_changed(&row, "post.relink").await
    }

    pub async fn posting_caps(&self) -> CoreResult<Caps> {
        caps(self.ctx.pool()).await
    }

    pub async fn set_posting_caps(&self, caps: Caps) -> CoreResult<Caps> {
        set_caps(self.ctx.pool(), caps).await
    }

    pub async fn account_default_zone(&self, account_id: i64) -> CoreResult<String> {
        account_zone(self.ctx.pool(), account_id).await
    }

    pub async fn set_account_default_zone(
        &self,
        account_id: i64,
        zone: Option<&str>,
    ) -> CoreResult<String> {
        // A clear "no such account" rather than a foreign-key failure.
        live_account(self.ctx.pool(), account_id).await?;
        set_account_zone(self.ctx.pool(), account_id, zone).await?;
        account_zone(self.ctx.pool(), account_id).await
    }

    /// Posts of a calendar month in `zone` (midnight on the 1st to midnight on the next 1st).
    pub async fn calendar_month(
        &self,
        year: i32,
        month: u32,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        let tz = parse_zone(zone)?;
        check_year(year, &format!("The year {year}"))?;
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| CoreError::InvalidInput(format!("{year}-{month} is not a month.")))?;
        let next = first
            .checked_add_months(Months::new(1))
            .ok_or_else(|| CoreError::InvalidInput(format!("{year}-{month} is out of range.")))?;
        calendar_range(
            self.ctx.pool(),
            tz,
            first,
            next,
            account_id,
            Some(MONTH_ITEMS_PER_DAY),
        )
        .await
    }

    /// Posts of the week (Monday to Monday, in `zone`) that contains `date` (`YYYY-MM-DD`).
    pub async fn calendar_week(
        &self,
        date: &str,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        let tz = parse_zone(zone)?;
        let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
            CoreError::InvalidInput(format!("\"{date}\" is not a date; use 2027-03-14."))
        })?;
        check_year(day.year(), &format!("\"{date}\""))?;
        let out_of_range =
            || CoreError::InvalidInput(format!("The week of \"{date}\" is out of range."));
        let monday = day
            .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
            .ok_or_else(out_of_range)?;
        let next_monday = monday
            .checked_add_days(Days::new(7))
            .ok_or_else(out_of_range)?;
        calendar_range(self.ctx.pool(), tz, monday, next_monday, account_id, None).await
    }

    /// Upcoming posts (scheduled, needing attention, queued or publishing), soonest first; with
    /// `finished_limit`, then the latest finished ones (published, failed, missed).
    pub async fn queue(&self, q: &QueueQuery) -> CoreResult<Vec<CalendarItem>> {
        queue(self.ctx.pool(), q, &system_zone()).await
    }

    fn posts_changed(&self, post_id: Option<i64>, account_id: Option<i64>) {
        tracing::debug!(?post_id, ?account_id, "posts changed");
        self.ctx.wake_scheduler();
        self.ctx
            .events()
            .emit(crate::events::EngineEvent::PostsChanged {
                post_id,
                account_id,
            });
    }

    async fn ensure_file_unchanged(&self, row: &PostRow) -> CoreResult<()> {
        let path = PathBuf::from(&row.media_path);
        let fp = row.fingerprint();
        let check = blocking(move || media::check(&path, &fp)).await?;
        match check.reason(Path::new(&row.media_path)) {
            None => Ok(()),
            Some(reason) => Err(CoreError::InvalidInput(reason)),
        }
    }

    /// (instant ms, zone name, local text, publish-now flag)
    async fn resolve_when(
        &self,
        account_id: i64,
        when: &When,
    ) -> CoreResult<(i64, String, String, bool)> {
        let now = self.ctx.clock().now();
        match when {
            When::Now => {
                let zone = account_zone(self.ctx.pool(), account_id).await?;
                let tz = parse_zone(&zone)?;
                Ok((
                    now.timestamp_millis(),
                    tz.name().to_owned(),
                    local_text(now.timestamp_millis(), tz),
                    true,
                ))
            }
            When::At { local, zone, dst } => {
                let zone = match zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
                    Some(z) => z.to_owned(),
                    None => account_zone(self.ctx.pool(), account_id).await?,
                };
                let tz = parse_zone(&zone)?;
                let naive = parse_local(local)?;
                let resolution = resolve_local(naive, tz);
                let Some(at) = resolution.pick(*dst) else {
                    let text = naive.format("%Y-%m-%d %H:%M");
                    return Err(CoreError::InvalidInput(match resolution {
                        LocalResolution::Ambiguous { earlier, later } => format!(
                            "{text} happens twice in {zone} (the clocks go back). Choose the earlier one ({}) or the later one ({}).",
                            fmt_instant_in(earlier, tz),
                            fmt_instant_in(later, tz)
                        ),
                        LocalResolution::Nonexistent { before, after } => format!(
                            "{text} does not exist in {zone} (the clocks go forward). Choose the earlier time ({}) or the later time ({}).",
                            fmt_instant_in(before, tz),
                            fmt_instant_in(after, tz)
                        ),
                        LocalResolution::Unique { .. } => unreachable!("unique always resolves"),
                    }));
                };
                if at < now {
                    return Err(CoreError::InvalidInput(format!(
                        "{} in {zone} is in the past. Pick a later time, or use Publish now.",
                        naive.format("%Y-%m-%d %H:%M")
                    )));
                }
                Ok((
                    at.timestamp_millis(),
                    tz.name().to_owned(),
                    naive.format(LOCAL_FORMAT).to_string(),
                    false,
                ))
            }
        }
    }
}
