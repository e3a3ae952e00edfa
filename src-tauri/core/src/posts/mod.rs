//! Posts: compose, drafts, scheduling in time zones, calendar and queue queries, posting caps.
//!
//! A post belongs to an account and carries its video (path, fingerprint, probe facts), what
//! the creator chose on the posting screen (tiktok-api.md §5.2, §7) and its schedule: the UTC
//! instant that counts plus the IANA zone and the wall-clock text the user chose. Local times
//! that do not exist (spring-forward gap) or exist twice (fall-back overlap) are never shifted
//! silently: [`resolve_local`] says so and scheduling them needs an explicit [`DstChoice`].
//!
//! The caller fetches creator_info and passes it as [`CreatorRules`]; nothing here talks to
//! TikTok. File I/O (probe, fingerprint) runs in `spawn_blocking`.
//!
//! Leaves (no services): `status`, `dto`, `local_time`, `content`. The `Posts` service is
//! `service` (drafts, edits, scheduling, cancelling, pausing), `media_links` (a post's file),
//! `caps` (caps and default zones), `views` (calendar and queue), `trash` (Delete and Cancel
//! keep a post 30 days, restorable; leaf `trash_dto`) and `drafts` (the drafts library,
//! unscheduling). The SQL is in
//! `db::posts` and `db::post_views`.

pub mod caps;
pub mod content;
pub mod drafts;
pub mod drafts_dto;
pub mod dto;
pub mod files;
pub mod local_time;
pub mod media_links;
pub mod row;
pub mod service;
pub mod status;
pub mod trash;
pub mod trash_dto;
pub mod views;

pub use caps::{account_zone, cap_warnings, caps, set_account_zone, set_caps};
pub use content::MAX_CAPTION_UTF16;
pub use drafts_dto::{
    DraftAccount, DraftItem, DraftList, DraftProblem, DraftProblemKind, DraftQuery,
};
pub use dto::{
    CalendarDay, CalendarItem, CalendarRange, CapKind, CapWarning, Caps, Commercial, ComposeInput,
    ComposePatch, CreatorRules, PostDto, QueueQuery, ScheduleOutcome, When, MONTH_ITEMS_PER_DAY,
};
pub use files::probe_file;
pub use local_time::{
    parse_local, parse_zone, resolve_local, system_zone, DstChoice, LocalResolution, FIRST_YEAR,
    LAST_YEAR, LOCAL_FORMAT,
};
pub use service::Posts;
pub use status::{PostMode, PostStatus};
pub use trash::KEEP_DAYS;
pub use trash_dto::{RestoreOutcome, TrashItem};
pub use views::{queue_in_zone, queue_limits, queue_search};
// The calendar and queue statements, for the benchmark (it EXPLAINs what the app runs).
pub use crate::db::post_views::{
    calendar_day_values, calendar_range_sql, fts_phrase, like_pattern, queue_sql, QueueSearch,
    CALENDAR_ACCOUNT_FILTER, CALENDAR_ORDER, CALENDAR_SQL, FTS_RARE, QUEUE_FINISHED, QUEUE_PENDING,
};
