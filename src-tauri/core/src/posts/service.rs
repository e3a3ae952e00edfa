//! The `Posts` service: drafts, edits, scheduling, cancelling, pausing. Built with
//! the `Ctx` only; it never reaches TikTok (the caller hands it the creator's rules). The
//! other operations on posts are further `impl Posts` blocks: `media_links` (a post's file),
//! `caps` (caps and default zones), `views` (calendar and queue) and `trash` (delete, restore,
//! purge).

use std::path::PathBuf;
use std::sync::Arc;

use super::caps::{account_zone, cap_warnings, caps, set_account_zone, set_caps};
use super::content::Content;
use super::dto::{Caps, ComposeInput, ComposePatch, CreatorRules, PostDto, ScheduleOutcome, When};
use super::files::probe_file;
use super::local_time::{
    fmt_instant_in, local_text, parse_local, parse_zone, resolve_local, LocalResolution,
    LOCAL_FORMAT,
};
use super::status::{PostMode, PostStatus};
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::ctx::Ctx;
use crate::db::audit;
use crate::db::posts::trash::{to_trash, Cancel};
use crate::db::posts::{self as db, PostRow, Slot};
use crate::error::{CoreError, CoreResult};
use crate::media;
use crate::thumbnails::Thumbnails;

/// A compare-and-set of a post lost: the scheduler or the publisher moved it meanwhile.
pub(super) fn changed_meanwhile() -> CoreError {
    CoreError::Conflict(
        "This post changed meanwhile (the publisher may have started it). Look at it again."
            .to_owned(),
    )
}

pub struct Posts {
    pub(super) ctx: Ctx,
    pub(super) thumbnails: Arc<Thumbnails>,
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
        let id = self.insert_draft(input, creator).await?;
        self.thumbnails.refresh(id).await;
        self.posts_changed(Some(id), Some(input.account_id));
        db::load(self.ctx.pool(), id).await?.dto()
    }

    /// The draft's row and audit line only: a bulk ingest makes the thumbnails in the background
    /// and announces the new drafts once, instead of one ffmpeg run and one event per file on
    /// the ingest's path.
    pub async fn insert_draft(
        &self,
        input: &ComposeInput,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<i64> {
        let pool = self.ctx.pool();
        db::live_account(pool, input.account_id).await?;
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
        let id = db::insert(
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
        Ok(id)
    }

    pub async fn post(&self, id: i64) -> CoreResult<PostDto> {
        db::load(self.ctx.pool(), id).await?.dto()
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
        let row = db::load(pool, id).await?;
        if !row.status().editable() {
            return Err(CoreError::Conflict(format!(
                "This post is {} and can no longer be edited.",
                row.status().as_str().replace('_', " ")
            )));
        }
        let facts = row.facts()?;
        let mut content = row.content();
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
        let n = db::update_content(pool, id, &row.status, &content, now).await?;
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
        let row = db::load(pool, id).await?;
        crate::publisher::guard::ensure_outcome_known(pool, id).await?;
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
        row.content().check_for_posting(&facts, creator)?;
        self.ensure_file_unchanged(&row).await?;
        let slot = self.resolve_when(row.account_id, when).await?;
        let now = self.ctx.clock().now_ms();
        let max_duration = creator.max_video_post_duration_sec.map(i64::from);
        let n = db::schedule(pool, id, &row.status, &slot, max_duration, now).await?;
        if n == 0 {
            return Err(changed_meanwhile());
        }
        let Slot {
            at, zone, local, ..
        } = slot;
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
        let row = db::load(pool, id).await?;
        crate::publisher::guard::ensure_outcome_known(pool, id).await?;
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
        let slot = self.resolve_when(row.account_id, when).await?;
        let new_status = if status == PostStatus::NeedsAttention {
            "needs_attention"
        } else {
            "scheduled"
        };
        let now = self.ctx.clock().now_ms();
        let n = db::reschedule(pool, id, &row.status, new_status, &slot, now).await?;
        if n == 0 {
            return Err(changed_meanwhile());
        }
        let Slot {
            at, zone, local, ..
        } = slot;
        let detail = format!("post {id} to {} ({zone} {local})", rfc3339(at));
        self.schedule_outcome(&row, at, "post.reschedule", &detail)
            .await
    }

    /// The common end of an edit that needs no cap check: audit entry, change event, and the
    /// post as it now is.
    pub(super) async fn post_changed(&self, row: &PostRow, action: &str) -> CoreResult<PostDto> {
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
        db::load(pool, id).await?.dto()
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
            post: db::load(pool, row.id).await?.dto()?,
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
        let row = db::load(pool, id).await?;
        let facts = row.facts()?;
        let content = row.content();
        let scheduled = row.status() == PostStatus::Scheduled;
        for (account_id, creator) in targets {
            db::live_account(pool, *account_id).await?;
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
        let limits: Vec<(i64, Option<u32>)> = targets
            .iter()
            .map(|(a, c)| (*a, c.max_video_post_duration_sec))
            .collect();
        let ids = db::insert_copies(pool, &row, &content, &facts, &limits, scheduled, now).await?;
        let mut out = Vec::new();
        for (account_id, new_id) in ids {
            // Same file and cover: the source's thumbnail file is reused.
            self.thumbnails.refresh(new_id).await;
            let new_row = db::load(pool, new_id).await?;
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
        let row = db::load(pool, id).await?;
        // It may be on TikTok: cancelling would hide that (check again, mark it as posted or
        // dismiss it first).
        crate::publisher::guard::ensure_outcome_known(pool, id).await?;
        if matches!(
            row.status(),
            PostStatus::Publishing | PostStatus::Published | PostStatus::Cancelled
        ) {
            return Err(CoreError::Conflict(format!(
                "This post is {} and cannot be cancelled.",
                row.status().as_str()
            )));
        }
        match to_trash(pool, id, &row.status, self.ctx.clock().now_ms(), false).await? {
            Cancel::Cancelled => {}
            Cancel::Moved => return Ok(None),
            Cancel::JobStarted => {
                return Err(CoreError::Conflict(
                    "This post is being published right now and can no longer be cancelled.".into(),
                ))
            }
        }
        self.post_changed(&row, "post.cancel").await.map(Some)
    }

    /// Pauses every pending post of an account (e.g. it was removed) with a visible reason.
    /// Returns how many were paused.
    pub async fn pause_posts_of_account(&self, account_id: i64, reason: &str) -> CoreResult<u64> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let n = db::pause_of_account(pool, account_id, reason, now).await?;
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
        let now = self.ctx.clock().now_ms();
        let n = db::resume_of_account(pool, account_id, now).await?;
        if n > 0 {
            self.posts_changed(None, Some(account_id));
        }
        Ok(n)
    }

    /// Announces that posts of `account_id` changed (`post_id` when only one did).
    pub fn posts_changed(&self, post_id: Option<i64>, account_id: Option<i64>) {
        tracing::debug!(?post_id, ?account_id, "posts changed");
        self.ctx.wake_scheduler();
        self.ctx
            .events()
            .emit(crate::events::EngineEvent::PostsChanged {
                post_id,
                account_id,
            });
    }

    /// What `when` means for the account: the instant, the zone and the wall-clock text.
    async fn resolve_when(&self, account_id: i64, when: &When) -> CoreResult<Slot> {
        let now = self.ctx.clock().now();
        match when {
            When::Now => {
                let zone = account_zone(self.ctx.pool(), account_id).await?;
                let tz = parse_zone(&zone)?;
                Ok(Slot {
                    at: now.timestamp_millis(),
                    zone: tz.name().to_owned(),
                    local: local_text(now.timestamp_millis(), tz),
                    publish_now: true,
                })
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
                Ok(Slot {
                    at: at.timestamp_millis(),
                    zone: tz.name().to_owned(),
                    local: naive.format(LOCAL_FORMAT).to_string(),
                    publish_now: false,
                })
            }
        }
    }
}

/// Posting caps and each account's default zone.
impl Posts {
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
        crate::db::posts::live_account(self.ctx.pool(), account_id).await?;
        set_account_zone(self.ctx.pool(), account_id, zone).await?;
        account_zone(self.ctx.pool(), account_id).await
    }
}
