//! The engine's posts operations, each delegating in one line to the service that owns it.

use std::path::PathBuf;

use super::Engine;
use crate::compose::{CreatorInfoDto, IngestResult};
use crate::error::CoreResult;
use crate::media::FileCheck;
use crate::posts::{
    CalendarItem, CalendarRange, Caps, ComposeInput, ComposePatch, CreatorRules, DraftList,
    DraftQuery, PostDto, PostMode, QueueQuery, RestoreOutcome, ScheduleOutcome, TrashItem, When,
};
use crate::tray_status::TrayStatus;

impl Engine {
    /// Creates an unscheduled draft (see `Posts::create_draft`).
    pub async fn create_draft(
        &self,
        input: &ComposeInput,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        self.posts.create_draft(input, creator).await
    }

    pub async fn post(&self, id: i64) -> CoreResult<PostDto> {
        self.posts.post(id).await
    }

    pub async fn update_post(
        &self,
        id: i64,
        patch: &ComposePatch,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        self.posts.update_post(id, patch, creator).await
    }

    pub async fn schedule_post(
        &self,
        id: i64,
        when: &When,
        creator: &CreatorRules,
    ) -> CoreResult<ScheduleOutcome> {
        self.posts.schedule_post(id, when, creator).await
    }

    pub async fn publish_now(
        &self,
        id: i64,
        creator: &CreatorRules,
    ) -> CoreResult<ScheduleOutcome> {
        self.posts.publish_now(id, creator).await
    }

    pub async fn reschedule_post(&self, id: i64, when: &When) -> CoreResult<ScheduleOutcome> {
        self.posts.reschedule_post(id, when).await
    }

    pub async fn duplicate_post(
        &self,
        id: i64,
        targets: &[(i64, CreatorRules)],
    ) -> CoreResult<Vec<ScheduleOutcome>> {
        self.posts.duplicate_post(id, targets).await
    }

    /// The zones the creator picked last, newest first (see `recent_zones`).
    pub async fn recent_time_zones(&self) -> CoreResult<Vec<String>> {
        crate::recent_zones::list(self.ctx.pool()).await
    }

    pub async fn remember_time_zone(&self, zone: &str) -> CoreResult<Vec<String>> {
        crate::recent_zones::remember(self.ctx.pool(), zone).await
    }

    pub async fn cancel_post(&self, id: i64) -> CoreResult<PostDto> {
        self.posts.cancel_post(id).await
    }

    pub async fn delete_post(&self, id: i64) -> CoreResult<()> {
        self.posts.delete_post(id).await
    }

    pub async fn trash(&self) -> CoreResult<Vec<TrashItem>> {
        self.posts.trash().await
    }

    pub async fn restore_post(&self, id: i64) -> CoreResult<RestoreOutcome> {
        self.posts.restore_post(id).await
    }

    pub async fn undo_trash(&self, id: i64) -> CoreResult<RestoreOutcome> {
        self.posts.undo_trash(id).await
    }

    pub async fn delete_forever(&self, id: i64) -> CoreResult<()> {
        self.posts.delete_forever(id).await
    }

    pub async fn empty_trash(&self) -> CoreResult<u64> {
        self.posts.empty_trash().await
    }

    pub async fn purge_trash(&self) -> CoreResult<u64> {
        self.posts.purge_trash().await
    }

    pub async fn pause_posts_of_account(&self, account_id: i64, reason: &str) -> CoreResult<u64> {
        self.posts.pause_posts_of_account(account_id, reason).await
    }

    pub async fn resume_posts_of_account(&self, account_id: i64) -> CoreResult<u64> {
        self.posts.resume_posts_of_account(account_id).await
    }

    pub async fn check_post_media(&self, id: i64) -> CoreResult<FileCheck> {
        self.posts.check_post_media(id).await
    }

    pub async fn check_pending_media(&self) -> CoreResult<Vec<i64>> {
        self.posts.check_pending_media().await
    }

    pub async fn relink_post_media(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        self.posts
            .relink_post_media(id, new_path, accept_changed, creator)
            .await
    }

    pub async fn posting_caps(&self) -> CoreResult<Caps> {
        self.posts.posting_caps().await
    }

    pub async fn set_posting_caps(&self, caps: Caps) -> CoreResult<Caps> {
        self.posts.set_posting_caps(caps).await
    }

    pub async fn account_default_zone(&self, account_id: i64) -> CoreResult<String> {
        self.posts.account_default_zone(account_id).await
    }

    pub async fn set_account_default_zone(
        &self,
        account_id: i64,
        zone: Option<&str>,
    ) -> CoreResult<String> {
        self.posts.set_account_default_zone(account_id, zone).await
    }

    pub async fn calendar_month(
        &self,
        year: i32,
        month: u32,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        self.posts
            .calendar_month(year, month, zone, account_id)
            .await
    }

    pub async fn calendar_week(
        &self,
        date: &str,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        self.posts.calendar_week(date, zone, account_id).await
    }

    pub async fn calendar_days(
        &self,
        from: &str,
        days: u32,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        self.posts.calendar_days(from, days, zone, account_id).await
    }

    pub async fn queue(&self, q: &QueueQuery) -> CoreResult<Vec<CalendarItem>> {
        self.posts.queue(q).await
    }

    pub async fn drafts(&self, q: &DraftQuery) -> CoreResult<DraftList> {
        self.posts.drafts(q).await
    }

    pub async fn unschedule_post(&self, id: i64) -> CoreResult<PostDto> {
        self.posts.unschedule_post(id).await
    }

    pub fn thumbnails_dir(&self) -> PathBuf {
        self.posts.thumbnails().dir()
    }
}

// Compose: the operations that fetch creator_info first.
impl Engine {
    pub async fn creator_info(&self, account_id: i64) -> CoreResult<CreatorInfoDto> {
        self.compose.creator_info(account_id).await
    }

    pub async fn posting_rules(&self, account_id: i64, mode: PostMode) -> CoreResult<CreatorRules> {
        self.compose.posting_rules(account_id, mode).await
    }

    pub async fn creator_rules(&self, account_id: i64) -> CoreResult<CreatorRules> {
        self.compose.creator_rules(account_id).await
    }

    pub async fn ingest_paths(
        &self,
        paths: &[String],
        account_id: Option<i64>,
    ) -> CoreResult<Vec<IngestResult>> {
        self.compose.ingest_paths(paths, account_id).await
    }

    pub async fn update_post_fresh(&self, id: i64, patch: &ComposePatch) -> CoreResult<PostDto> {
        self.compose.update_post_fresh(id, patch).await
    }

    pub async fn schedule_post_fresh(&self, id: i64, when: &When) -> CoreResult<ScheduleOutcome> {
        self.compose.schedule_post_fresh(id, when).await
    }

    pub async fn duplicate_post_fresh(
        &self,
        id: i64,
        account_ids: &[i64],
    ) -> CoreResult<Vec<ScheduleOutcome>> {
        self.compose.duplicate_post_fresh(id, account_ids).await
    }

    pub async fn relink_post_media_fresh(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
    ) -> CoreResult<PostDto> {
        self.compose
            .relink_post_media_fresh(id, new_path, accept_changed)
            .await
    }
}

// Previews and the tray.
impl Engine {
    pub async fn media_preview_url(&self, post_id: i64) -> CoreResult<String> {
        self.preview.media_preview_url(post_id).await
    }

    pub async fn thumbnail_base_url(&self) -> CoreResult<String> {
        self.preview.thumbnail_base_url().await
    }

    pub async fn tray_status(&self) -> CoreResult<TrayStatus> {
        self.tray.tray_status().await
    }
}
