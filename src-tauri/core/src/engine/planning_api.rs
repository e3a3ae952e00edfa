//! The engine's bulk-planning operations (posting slots, the queue, Schedule all into slots,
//! Undo), each delegating in one line to the `Planning` service.

use std::collections::HashMap;

use super::Engine;
use crate::error::CoreResult;
use crate::planning::{
    AccountBudget, AccountSlots, BatchEdit, BatchEditItem, BulkOutcome, BulkTarget, BulkUndo,
    BulkUndoReport, CaptionPreset, CsvImportReport, FreeSlot, PlannedPost, PlanningSettings,
    RulesSource, SlotCommit, SlotInput, SlotPlan, UndoEntry, UndoReport, VariantOutcome,
};
use crate::posts::{CreatorRules, PostMode};

impl Engine {
    pub async fn planning_settings(&self) -> CoreResult<PlanningSettings> {
        self.planning.settings().await
    }

    pub async fn set_planning_settings(&self, s: PlanningSettings) -> CoreResult<PlanningSettings> {
        self.planning.set_settings(s).await
    }

    pub async fn posting_slots(&self, account_id: i64) -> CoreResult<AccountSlots> {
        self.planning.posting_slots(account_id).await
    }

    pub async fn add_posting_slots(
        &self,
        account_id: i64,
        slots: &[SlotInput],
    ) -> CoreResult<AccountSlots> {
        self.planning.add_posting_slots(account_id, slots).await
    }

    pub async fn set_posting_slots(
        &self,
        account_id: i64,
        slots: &[SlotInput],
    ) -> CoreResult<AccountSlots> {
        self.planning.set_posting_slots(account_id, slots).await
    }

    pub async fn remove_posting_slot(&self, slot_id: i64) -> CoreResult<AccountSlots> {
        self.planning.remove_posting_slot(slot_id).await
    }

    pub async fn next_free_slots(
        &self,
        account_id: i64,
        mode: PostMode,
        count: u32,
    ) -> CoreResult<Vec<FreeSlot>> {
        self.planning.next_free_slots(account_id, mode, count).await
    }

    /// Preview with fresh creator_info per account.
    pub async fn preview_slot_schedule(&self, post_ids: &[i64]) -> CoreResult<SlotPlan> {
        self.planning
            .preview_slot_schedule(post_ids, RulesSource::Fresh)
            .await
    }

    /// Preview against the given rules per account (tests, benches).
    pub async fn preview_slot_schedule_with(
        &self,
        post_ids: &[i64],
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<SlotPlan> {
        self.planning
            .preview_slot_schedule(post_ids, RulesSource::Given(rules))
            .await
    }

    pub async fn commit_slot_schedule(&self, planned: &[PlannedPost]) -> CoreResult<SlotCommit> {
        self.planning
            .commit_slot_schedule(planned, RulesSource::Fresh)
            .await
    }

    pub async fn commit_slot_schedule_with(
        &self,
        planned: &[PlannedPost],
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<SlotCommit> {
        self.planning
            .commit_slot_schedule(planned, RulesSource::Given(rules))
            .await
    }

    pub async fn undo_slot_schedule(&self, entries: &[UndoEntry]) -> CoreResult<UndoReport> {
        self.planning.undo_slot_schedule(entries).await
    }

    pub async fn add_to_queue(&self, post_id: i64) -> CoreResult<SlotCommit> {
        self.planning
            .add_to_queue(post_id, RulesSource::Fresh)
            .await
    }

    pub async fn add_to_queue_with(
        &self,
        post_id: i64,
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<SlotCommit> {
        self.planning
            .add_to_queue(post_id, RulesSource::Given(rules))
            .await
    }

    pub async fn account_budgets(&self) -> CoreResult<Vec<AccountBudget>> {
        self.planning.account_budgets().await
    }

    pub async fn batch_edit(
        &self,
        post_ids: &[i64],
        edit: &BatchEdit,
    ) -> CoreResult<Vec<BatchEditItem>> {
        self.planning
            .batch_edit(post_ids, edit, RulesSource::Fresh)
            .await
    }

    pub async fn batch_edit_with(
        &self,
        post_ids: &[i64],
        edit: &BatchEdit,
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<Vec<BatchEditItem>> {
        self.planning
            .batch_edit(post_ids, edit, RulesSource::Given(rules))
            .await
    }

    pub async fn caption_presets(&self, account_id: i64) -> CoreResult<Vec<CaptionPreset>> {
        self.planning.caption_presets(account_id).await
    }

    pub async fn save_caption_preset(&self, p: &CaptionPreset) -> CoreResult<CaptionPreset> {
        self.planning.save_caption_preset(p).await
    }

    pub async fn delete_caption_preset(&self, id: i64) -> CoreResult<()> {
        self.planning.delete_caption_preset(id).await
    }

    pub async fn duplicate_content(&self, post_id: i64) -> CoreResult<Vec<String>> {
        self.planning.duplicate_content(post_id).await
    }

    pub async fn create_variants(
        &self,
        post_id: i64,
        account_ids: &[i64],
    ) -> CoreResult<Vec<VariantOutcome>> {
        self.planning
            .create_variants(post_id, account_ids, RulesSource::Fresh)
            .await
    }

    pub async fn create_variants_with(
        &self,
        post_id: i64,
        account_ids: &[i64],
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<Vec<VariantOutcome>> {
        self.planning
            .create_variants(post_id, account_ids, RulesSource::Given(rules))
            .await
    }

    pub async fn export_schedule_csv(&self) -> CoreResult<String> {
        self.planning.export_schedule_csv().await
    }

    pub async fn import_schedule_csv(&self, text: &str) -> CoreResult<CsvImportReport> {
        self.planning
            .import_schedule_csv(text, RulesSource::Fresh)
            .await
    }

    pub async fn import_schedule_csv_with(
        &self,
        text: &str,
        rules: &HashMap<i64, CreatorRules>,
    ) -> CoreResult<CsvImportReport> {
        self.planning
            .import_schedule_csv(text, RulesSource::Given(rules))
            .await
    }
}

/// The Queue's and Calendar's batch operations on scheduled posts, each with one Undo.
impl Engine {
    pub async fn shift_posts(&self, targets: &[BulkTarget], days: i32) -> CoreResult<BulkOutcome> {
        self.planning.shift_posts(targets, days).await
    }

    pub async fn preview_slot_move(&self, targets: &[BulkTarget]) -> CoreResult<SlotPlan> {
        self.planning.preview_slot_move(targets).await
    }

    pub async fn commit_slot_move(&self, planned: &[PlannedPost]) -> CoreResult<BulkOutcome> {
        self.planning.commit_slot_move(planned).await
    }

    /// Cancel (`deleted` false) or Delete: the chosen posts to Trash.
    pub async fn trash_posts(
        &self,
        targets: &[BulkTarget],
        deleted: bool,
    ) -> CoreResult<BulkOutcome> {
        self.planning.trash_posts(targets, deleted).await
    }

    pub async fn undo_bulk(&self, entries: &[BulkUndo]) -> CoreResult<BulkUndoReport> {
        self.planning.undo_bulk(entries).await
    }
}
