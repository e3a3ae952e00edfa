//! The IPC surface shared with the UI: DTOs that only exist at the edge, the command list, and
//! the generator of `ui/src/lib/bindings.ts` (types come from the Rust types via ts-rs).

use serde::Serialize;
use ts_rs::{Config, TS};

use crate::accounts::dto::{
    AccountCheck, AccountDto, AccountPage, AccountQuery, AccountStatus, AccountsSummary,
    PendingConnect,
};
use crate::analytics::dto::{
    AccountSeries, Counts, CsvKind, CurvePoint, Gap, HeatCell, Heatmap, MatchKind, MedianAt,
    PostCurve, PostPerformance, SnapshotPoint, TopPostsQuery, TopSort, Visibility,
};
use crate::audit::{AuditEntry, AuditQuery};
use crate::backup::dto::{
    BackupEntry, BackupFailure, BackupPreview, BackupStatus, ExportFormat, ExportReport, Manifest,
    ManifestAccount, MissingVideo, Recovered, RelinkReport, RestoreReport,
};
use crate::compose::dto::{CreatorInfoDto, IngestResult};
use crate::error::{ErrorCode, UiError};
use crate::events::{EngineEvent, NoticeLevel, NotificationKind};
use crate::media::{
    Container, FileCheck, Fingerprint, MediaRule, VideoCodec, VideoFacts, Violation,
};
use crate::planning::bulk_dto::{
    BulkAction, BulkDone, BulkOutcome, BulkSkipped, BulkTarget, BulkUndo, BulkUndoReport,
};
use crate::planning::captions::CaptionCheck;
use crate::planning::dto::{
    AccountBudget, AccountSlots, BatchEdit, BatchEditItem, CaptionPreset, CsvImportReport,
    CsvRowError, FreeSlot, LastPublish, PlanItem, PlanProblemKind, PlannedPost, PlanningSettings,
    PostingSlot, PresetKind, SlotCommit, SlotInput, SlotPlan, UndoEntry, UndoKept, UndoReport,
    VariantOutcome,
};
use crate::posts::drafts_dto::{
    DraftAccount, DraftItem, DraftList, DraftProblem, DraftProblemKind, DraftQuery,
};
use crate::posts::dto::{
    CalendarDay, CalendarItem, CalendarRange, CapKind, CapWarning, Caps, Commercial, ComposePatch,
    PostDto, QueueQuery, ScheduleOutcome, When,
};
use crate::posts::local_time::{DstChoice, LocalResolution};
use crate::posts::status::{PostMode, PostStatus};
use crate::posts::trash_dto::{RestoreOutcome, TrashItem};
use crate::publisher::{OnTiktok, PublishAttempt, PublishJob, TiktokLink};
use crate::settings::{Settings, SettingsPatch, Theme, WeekStart};
use crate::tiktok_config::{DirectPostAudit, RedirectMode, TiktokConfigDto, TiktokConfigPatch};

pub use crate::tiktok_config::TiktokMode;

/// The event name every [`EngineEvent`] is emitted under.
pub const ENGINE_EVENT: &str = "tokdeck://engine";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub log_dir: String,
    pub tiktok_mode: TiktokMode,
    pub simulator_url: Option<String>,
    pub tray_available: bool,
    /// Set when the engine could not start (e.g. a damaged database); the UI then shows only
    /// this error and what to do.
    pub startup_error: Option<UiError>,
    /// With a damaged database (`startup_error` coded `damaged`): when the newest good backup,
    /// the one "Restore the latest good backup" puts back, was taken (RFC 3339 UTC).
    pub latest_good_backup: Option<String>,
}

struct CommandSpec {
    name: &'static str,
    args: Vec<(&'static str, String)>,
    ret: String,
}

/// A type of `commands.list.rs` in TypeScript: primitives as written, IPC types by their ts-rs
/// name.
macro_rules! ts_type {
    ($cfg:ident; $t:ident | null) => {
        format!("{} | null", ts_type!($cfg; $t))
    };
    ($cfg:ident; $t:ident []) => {
        format!("{}[]", ts_type!($cfg; $t))
    };
    ($cfg:ident; number) => {
        String::from("number")
    };
    ($cfg:ident; string) => {
        String::from("string")
    };
    ($cfg:ident; boolean) => {
        String::from("boolean")
    };
    ($cfg:ident; void) => {
        String::from("void")
    };
    ($cfg:ident; $t:ident) => {
        <$t as TS>::name($cfg)
    };
}

// The `[...]` groups below only carry a `[]` suffix through (a metavariable must mark where it
// was written).
macro_rules! tokdeck_commands {
    ($(
        $module:ident :: $name:ident (
            $($arg:ident : $aty:ident $([$($aarr:tt)*])? $(| $anull:ident)?),*
        ) -> $ret:ident $([$($rarr:tt)*])? $(| $rnull:ident)?;
    )*) => {
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        fn commands(cfg: &Config) -> Vec<CommandSpec> {
            vec![$(CommandSpec {
                name: stringify!($name),
                args: vec![$((
                    stringify!($arg),
                    ts_type!(cfg; $aty $([$($aarr)*])? $(| $anull)?),
                )),*],
                ret: ts_type!(cfg; $ret $([$($rarr)*])? $(| $rnull)?),
            }),*]
        }
    };
}

include!("commands.list.rs");

fn camel(s: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in s.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The whole text of `ui/src/lib/bindings.ts`.
pub fn bindings_ts() -> String {
    // Counts and ids fit in a double; `bigint` would make every number awkward in the UI.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        ErrorCode::decl(&cfg),
        UiError::decl(&cfg),
        Theme::decl(&cfg),
        WeekStart::decl(&cfg),
        Settings::decl(&cfg),
        SettingsPatch::decl(&cfg),
        TiktokMode::decl(&cfg),
        AppInfo::decl(&cfg),
        NoticeLevel::decl(&cfg),
        NotificationKind::decl(&cfg),
        crate::publisher::PublishStep::decl(&cfg),
        PublishJob::decl(&cfg),
        PublishAttempt::decl(&cfg),
        TiktokLink::decl(&cfg),
        OnTiktok::decl(&cfg),
        EngineEvent::decl(&cfg),
        AuditEntry::decl(&cfg),
        AuditQuery::decl(&cfg),
        RedirectMode::decl(&cfg),
        DirectPostAudit::decl(&cfg),
        TiktokConfigDto::decl(&cfg),
        TiktokConfigPatch::decl(&cfg),
        PendingConnect::decl(&cfg),
        AccountStatus::decl(&cfg),
        AccountDto::decl(&cfg),
        AccountQuery::decl(&cfg),
        AccountPage::decl(&cfg),
        AccountsSummary::decl(&cfg),
        AccountCheck::decl(&cfg),
        Container::decl(&cfg),
        VideoCodec::decl(&cfg),
        VideoFacts::decl(&cfg),
        MediaRule::decl(&cfg),
        Violation::decl(&cfg),
        Fingerprint::decl(&cfg),
        FileCheck::decl(&cfg),
        IngestResult::decl(&cfg),
        CreatorInfoDto::decl(&cfg),
        PostStatus::decl(&cfg),
        PostMode::decl(&cfg),
        DstChoice::decl(&cfg),
        LocalResolution::decl(&cfg),
        Commercial::decl(&cfg),
        ComposePatch::decl(&cfg),
        When::decl(&cfg),
        PostDto::decl(&cfg),
        CapKind::decl(&cfg),
        CapWarning::decl(&cfg),
        ScheduleOutcome::decl(&cfg),
        Caps::decl(&cfg),
        CalendarItem::decl(&cfg),
        CalendarDay::decl(&cfg),
        CalendarRange::decl(&cfg),
        QueueQuery::decl(&cfg),
        TrashItem::decl(&cfg),
        RestoreOutcome::decl(&cfg),
        DraftQuery::decl(&cfg),
        DraftProblemKind::decl(&cfg),
        DraftProblem::decl(&cfg),
        DraftItem::decl(&cfg),
        DraftAccount::decl(&cfg),
        DraftList::decl(&cfg),
        MatchKind::decl(&cfg),
        Visibility::decl(&cfg),
        Counts::decl(&cfg),
        SnapshotPoint::decl(&cfg),
        Gap::decl(&cfg),
        AccountSeries::decl(&cfg),
        CurvePoint::decl(&cfg),
        PostPerformance::decl(&cfg),
        MedianAt::decl(&cfg),
        PostCurve::decl(&cfg),
        TopSort::decl(&cfg),
        TopPostsQuery::decl(&cfg),
        HeatCell::decl(&cfg),
        Heatmap::decl(&cfg),
        CsvKind::decl(&cfg),
        BackupFailure::decl(&cfg),
        BackupEntry::decl(&cfg),
        BackupStatus::decl(&cfg),
        ManifestAccount::decl(&cfg),
        Manifest::decl(&cfg),
        MissingVideo::decl(&cfg),
        BackupPreview::decl(&cfg),
        RestoreReport::decl(&cfg),
        RelinkReport::decl(&cfg),
        ExportFormat::decl(&cfg),
        ExportReport::decl(&cfg),
        Recovered::decl(&cfg),
        PostingSlot::decl(&cfg),
        AccountSlots::decl(&cfg),
        SlotInput::decl(&cfg),
        PlanningSettings::decl(&cfg),
        FreeSlot::decl(&cfg),
        PlanProblemKind::decl(&cfg),
        PlanItem::decl(&cfg),
        SlotPlan::decl(&cfg),
        PlannedPost::decl(&cfg),
        UndoEntry::decl(&cfg),
        SlotCommit::decl(&cfg),
        UndoKept::decl(&cfg),
        UndoReport::decl(&cfg),
        BulkTarget::decl(&cfg),
        BulkAction::decl(&cfg),
        BulkDone::decl(&cfg),
        BulkSkipped::decl(&cfg),
        BulkUndo::decl(&cfg),
        BulkOutcome::decl(&cfg),
        BulkUndoReport::decl(&cfg),
        LastPublish::decl(&cfg),
        AccountBudget::decl(&cfg),
        PresetKind::decl(&cfg),
        CaptionPreset::decl(&cfg),
        BatchEdit::decl(&cfg),
        BatchEditItem::decl(&cfg),
        CaptionCheck::decl(&cfg),
        VariantOutcome::decl(&cfg),
        CsvRowError::decl(&cfg),
        CsvImportReport::decl(&cfg),
    ];
    let mut out = String::from(
        "// GENERATED by `cargo test -p tokdeck-core bindings` — do not edit.\n\
         // Regenerate with `make bindings` after changing an IPC type or command.\n\
         import { invoke } from \"@tauri-apps/api/core\";\n\n",
    );
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push('\n');
    }
    out.push_str(&format!(
        "\nexport const ENGINE_EVENT = \"{ENGINE_EVENT}\";\n\nexport const commands = {{\n"
    ));
    for c in commands(&cfg) {
        let params = c
            .args
            .iter()
            .map(|(n, t)| format!("{}: {}", camel(n), t))
            .collect::<Vec<_>>()
            .join(", ");
        let payload = if c.args.is_empty() {
            String::new()
        } else {
            let keys = c
                .args
                .iter()
                .map(|(n, _)| camel(n))
                .collect::<Vec<_>>()
                .join(", ");
            format!(", {{ {keys} }}")
        };
        out.push_str(&format!(
            "  {}: ({params}): Promise<{}> => invoke(\"{}\"{payload}),\n",
            camel(c.name),
            c.ret,
            c.name
        ));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_spec_and_no_more() {
        let cfg = Config::new();
        let names: Vec<_> = commands(&cfg).iter().map(|c| c.name).collect();
        assert_eq!(names, COMMAND_NAMES);
    }

    /// CI fails when the checked-in bindings differ from what the Rust types generate.
    #[test]
    fn bindings_are_fresh() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
        let want = bindings_ts();
        if std::env::var_os("TOKDECK_UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &want).unwrap();
            return;
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/bindings.ts is stale: run `make bindings` and commit the result"
        );
    }

    #[test]
    fn camel_case_matches_tauri_argument_names() {
        assert_eq!(camel("account_id"), "accountId");
        assert_eq!(camel("patch"), "patch");
    }
}
