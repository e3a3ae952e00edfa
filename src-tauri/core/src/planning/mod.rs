//! Bulk planning (issue 15): posting slots per account and the queue that hands them out,
//! "Add to queue" and "Schedule all into slots" (preview, one-transaction commit, one Undo).
//!
//! Leaves: `dto`, `slots` (pure: slot instants across clock changes, the caps-aware book).
//! The `Planning` service is `service` (slots CRUD, settings, next free slots) and `schedule`
//! (preview, commit, undo, add to queue), `bulk` (the Queue's and Calendar's batch shift, move into slots, cancel and delete with one Undo; its leaf `bulk_dto`) `budget` (each account's TikTok budget) and `batch` (batch edit, caption presets), `schedule_csv` (CSV import and export of the schedule, docs/csv.md), `variants` (one video to several accounts, the
//! duplicate-content warning); leaf
//! `captions` (pure: live caption checks, the template and its variables). The SQL is in `db::posting_slots` and
//! `db::posts::planning`.

pub mod batch;
pub mod budget;
pub mod bulk;
pub mod bulk_dto;
pub mod captions;
pub mod dto;
pub mod schedule;
pub mod schedule_csv;
pub mod service;
pub mod slots;
pub mod variants;

pub use bulk_dto::{
    BulkAction, BulkDone, BulkOutcome, BulkSkipped, BulkTarget, BulkUndo, BulkUndoReport,
};
pub use captions::{check_caption, CaptionCheck, MAX_HASHTAGS};
pub use dto::{
    AccountBudget, AccountSlots, BatchEdit, BatchEditItem, CaptionPreset, CsvImportReport,
    CsvRowError, FreeSlot, LastPublish, PlanItem, PlanProblemKind, PlannedPost, PlanningSettings,
    PostingSlot, PresetKind, SlotCommit, SlotInput, SlotPlan, UndoEntry, UndoKept, UndoReport,
    VariantOutcome,
};
pub use service::{Planning, RulesSource};
