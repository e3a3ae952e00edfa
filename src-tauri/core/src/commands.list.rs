// The one list of IPC commands: every command the UI can call is declared here once, with the
// shell module that implements it and its signature as the UI sees it (argument names as in
// Rust; types in TypeScript terms: `number`, `string`, `boolean`, `void`, an IPC type by its
// Rust name, `T[]`, `T | null`). Order is the order of `commands` in `ui/src/lib/bindings.ts`.
//
// This file is not a module: each reader `include!`s it after defining its own
// `tokdeck_commands!` that keeps what it needs:
// - `src-tauri/build.rs`: the names, for `AppManifest::commands` (an `allow-<name>` permission
//   per command) and the generated permission set `tokdeck-commands` that the capability grants;
// - `core/src/ipc.rs`: `COMMAND_NAMES` and the signatures that generate the UI bindings;
// - `src-tauri/src/lib.rs`: `tauri::generate_handler![module::name, ...]`.
// So a command added here is registered, granted and bound; one missing here is none of these
// (and its unused function fails clippy).
tokdeck_commands! {
    commands::app_info() -> AppInfo;
    commands::get_settings() -> Settings;
    commands::update_settings(patch: SettingsPatch) -> Settings;
    commands::open_logs_folder() -> void;
    commands::get_missed_grace_minutes() -> number;
    commands::set_missed_grace_minutes(minutes: number) -> number;
    account_commands::get_tiktok_config() -> TiktokConfigDto;
    account_commands::update_tiktok_config(patch: TiktokConfigPatch) -> TiktokConfigDto;
    account_commands::connect_account() -> PendingConnect;
    account_commands::cancel_connect() -> boolean;
    account_commands::pending_connect() -> PendingConnect | null;
    account_commands::list_accounts(query: AccountQuery) -> AccountPage;
    account_commands::get_account(account_id: number) -> AccountDto;
    account_commands::set_account_label(account_id: number, label: string) -> AccountDto;
    account_commands::set_default_account(account_id: number) -> AccountDto;
    account_commands::set_current_account(account_id: number) -> AccountDto;
    account_commands::get_current_account() -> AccountDto | null;
    account_commands::sync_account(account_id: number) -> AccountDto;
    account_commands::sync_all_accounts() -> AccountCheck[];
    account_commands::test_account_connection(account_id: number) -> AccountCheck;
    account_commands::accounts_summary() -> AccountsSummary;
    account_commands::remove_account(account_id: number) -> AccountDto;
    account_commands::list_removed_accounts() -> AccountDto[];
    account_commands::list_audit(query: AuditQuery) -> AuditEntry[];
    post_commands::ingest_paths(paths: string[], account_id: number | null) -> IngestResult[];
    post_commands::pick_videos(account_id: number | null) -> IngestResult[];
    post_commands::pick_video_folder(account_id: number | null) -> IngestResult[];
    post_commands::creator_info(account_id: number) -> CreatorInfoDto;
    post_commands::get_post(post_id: number) -> PostDto;
    post_commands::update_post(post_id: number, patch: ComposePatch) -> PostDto;
    post_commands::schedule_post(post_id: number, when: When) -> ScheduleOutcome;
    post_commands::reschedule_post(post_id: number, when: When) -> ScheduleOutcome;
    post_commands::duplicate_post(post_id: number, account_ids: number[]) -> ScheduleOutcome[];
    post_commands::cancel_post(post_id: number) -> PostDto;
    post_commands::delete_post(post_id: number) -> void;
    post_commands::relink_post_media(post_id: number, new_path: string, accept_changed: boolean) -> PostDto;
    post_commands::calendar_month(year: number, month: number, zone: string, account_id: number | null) -> CalendarRange;
    post_commands::calendar_week(date: string, zone: string, account_id: number | null) -> CalendarRange;
    post_commands::calendar_days(from: string, days: number, zone: string, account_id: number | null) -> CalendarRange;
    post_commands::queue(query: QueueQuery) -> CalendarItem[];
    post_commands::get_posting_caps() -> Caps;
    post_commands::set_posting_caps(caps: Caps) -> Caps;
    post_commands::system_time_zone() -> string;
    post_commands::list_time_zones() -> string[];
    post_commands::resolve_local_time(local: string, zone: string) -> LocalResolution;
    post_commands::media_preview_url(post_id: number) -> string;
    post_commands::thumbnail_base_url() -> string;
    post_commands::pick_video_file() -> string | null;
    account_commands::get_account_time_zone(account_id: number) -> string;
    account_commands::set_account_time_zone(account_id: number, zone: string | null) -> string;
    post_commands::recent_time_zones() -> string[];
    post_commands::remember_time_zone(zone: string) -> string[];
    post_commands::publish_job(post_id: number) -> PublishJob | null;
    post_commands::publish_history(post_id: number) -> PublishAttempt[];
    post_commands::retry_publish(post_id: number) -> PostDto;
    post_commands::mark_as_posted(post_id: number) -> PostDto;
    post_commands::dismiss_unknown_outcome(post_id: number) -> PostDto;
    post_commands::check_publish(post_id: number) -> PostDto;
    post_commands::cancel_publish(post_id: number) -> PostDto;
    trash_commands::list_trash() -> TrashItem[];
    trash_commands::restore_post(post_id: number) -> RestoreOutcome;
    trash_commands::undo_trash(post_id: number) -> RestoreOutcome;
    trash_commands::delete_forever(post_id: number) -> void;
    trash_commands::empty_trash() -> number;
    post_commands::list_drafts(query: DraftQuery) -> DraftList;
    post_commands::unschedule_post(post_id: number) -> PostDto;
    post_commands::on_tiktok(post_id: number) -> OnTiktok;
    post_commands::open_on_tiktok(post_id: number, public_id: string) -> void;
    analytics_commands::account_series(account_id: number, from: string | null, to: string | null) -> AccountSeries;
    analytics_commands::post_performance(post_id: number) -> PostPerformance | null;
    analytics_commands::posts_performance(post_ids: number[]) -> PostPerformance[];
    analytics_commands::post_curve(performance_id: number) -> PostCurve;
    analytics_commands::top_posts(query: TopPostsQuery) -> PostPerformance[];
    analytics_commands::best_time_heatmap(account_id: number, zone: string) -> Heatmap;
    analytics_commands::save_analytics_csv(kind: CsvKind, account_id: number | null) -> string | null;
    backup_commands::backup_status() -> BackupStatus;
    backup_commands::back_up_now(path: string, passphrase: string | null) -> Manifest;
    backup_commands::inspect_backup(path: string, passphrase: string | null) -> BackupPreview;
    backup_commands::restore_backup(path: string, passphrase: string | null) -> RestoreReport;
    backup_commands::restore_latest_backup() -> Recovered;
    backup_commands::missing_videos() -> MissingVideo[];
    backup_commands::relink_folder(folder: string) -> RelinkReport;
    backup_commands::export_data(folder: string, format: ExportFormat) -> ExportReport;
    backup_commands::choose_backup_destination() -> string | null;
    backup_commands::choose_backup_file() -> string | null;
    backup_commands::choose_relink_folder() -> string | null;
    backup_commands::choose_export_folder() -> string | null;
    planning_commands::get_planning_settings() -> PlanningSettings;
    planning_commands::set_planning_settings(settings: PlanningSettings) -> PlanningSettings;
    planning_commands::list_posting_slots(account_id: number) -> AccountSlots;
    planning_commands::add_posting_slots(account_id: number, slots: SlotInput[]) -> AccountSlots;
    planning_commands::set_posting_slots(account_id: number, slots: SlotInput[]) -> AccountSlots;
    planning_commands::remove_posting_slot(slot_id: number) -> AccountSlots;
    planning_commands::next_free_slots(account_id: number, mode: PostMode, count: number) -> FreeSlot[];
    planning_commands::preview_slot_schedule(post_ids: number[]) -> SlotPlan;
    planning_commands::commit_slot_schedule(planned: PlannedPost[]) -> SlotCommit;
    planning_commands::undo_slot_schedule(entries: UndoEntry[]) -> UndoReport;
    planning_commands::add_to_queue(post_id: number) -> SlotCommit;
    planning_commands::account_budgets() -> AccountBudget[];
    planning_commands::batch_edit(post_ids: number[], edit: BatchEdit) -> BatchEditItem[];
    planning_commands::check_caption(text: string) -> CaptionCheck;
    planning_commands::list_caption_presets(account_id: number) -> CaptionPreset[];
    planning_commands::save_caption_preset(preset: CaptionPreset) -> CaptionPreset;
    planning_commands::delete_caption_preset(preset_id: number) -> void;
    planning_commands::create_variants(post_id: number, account_ids: number[]) -> VariantOutcome[];
    planning_commands::duplicate_content(post_id: number) -> string[];
    planning_commands::export_schedule_csv() -> string;
    planning_commands::import_schedule_csv(text: string) -> CsvImportReport;
    planning_commands::save_schedule_csv() -> string | null;
    planning_commands::open_schedule_csv() -> CsvImportReport | null;
    planning_commands::shift_posts(targets: BulkTarget[], days: number) -> BulkOutcome;
    planning_commands::preview_slot_move(targets: BulkTarget[]) -> SlotPlan;
    planning_commands::commit_slot_move(planned: PlannedPost[]) -> BulkOutcome;
    planning_commands::trash_posts(targets: BulkTarget[], deleted: boolean) -> BulkOutcome;
    planning_commands::undo_bulk(entries: BulkUndo[]) -> BulkUndoReport;
}
