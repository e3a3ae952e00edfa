//! posts: drafts, scheduling across DST gaps and overlaps, zones, CRUD, duplicates, caps,
//! calendar and queue queries, moved/changed files.

#[path = "../media_common/mod.rs"]
mod media_common;

mod calendar;
mod compose;
mod day_counts;
mod drafts;
mod dst;
mod files;
mod queue;

use chrono::{Datelike, Utc};
use media_common::{engine, h264, private_creator, public_creator, Env};
use tokdeck_core::media::FileCheck;
use tokdeck_core::posts::{
    CapKind, Caps, Commercial, ComposeInput, ComposePatch, DstChoice, PostMode, PostStatus,
    QueueQuery, When,
};
use tokdeck_core::ErrorCode;

fn input(account_id: i64, path: &std::path::Path, caption: &str) -> ComposeInput {
    ComposeInput {
        account_id,
        media_path: path.to_string_lossy().into_owned(),
        caption: caption.to_owned(),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    }
}

fn at(local: &str, zone: &str, dst: Option<DstChoice>) -> When {
    When::At {
        local: local.into(),
        zone: Some(zone.into()),
        dst,
    }
}

async fn setup() -> (Env, i64, std::path::PathBuf) {
    let env = engine().await;
    let a = env.account("alice").await;
    let video = h264(env.path(), "v.mp4", 2.0);
    (env, a, video)
}

/// Sets posts' statuses as the publisher does.
async fn set_status(env: &Env, ids: &[i64], status: &str) {
    for id in ids {
        sqlx::query("UPDATE posts SET status = ? WHERE id = ?")
            .bind(status)
            .bind(id)
            .execute(env.engine.store().pool())
            .await
            .unwrap();
    }
}

fn captions(items: &[tokdeck_core::posts::CalendarItem]) -> Vec<&str> {
    items.iter().map(|i| i.caption.as_str()).collect()
}
