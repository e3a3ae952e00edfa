//! The publisher and the scheduler against the in-process simulator (fast mode): on-time
//! publishing, parallel accounts, a slot handed from one publish to the next, TikTok faults,
//! crash/restart resume rules, missed posts, the grace period, clock jumps and pause.

#[path = "../common/mod.rs"]
mod common;
#[path = "../media_common/mod.rs"]
mod media_common;

mod controls;
mod faults;
mod handoff;
mod handoff_races;
mod on_tiktok;
mod restarts;
mod timing;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::posts::{PostStatus, When};
use tokdeck_core::publisher::PublishStep;
use tokdeck_core::settings::SettingsPatch;
use tokdeck_core::Engine;

use common::publish::{sha256_file, wait_status, Publishing as T};

fn in_minutes(engine: &Engine, minutes: i64) -> When {
    let t = engine.clock().now() + chrono::Duration::minutes(minutes);
    When::At {
        local: t.format("%Y-%m-%dT%H:%M").to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}

/// Sets the wall clock to what it reads now: a discontinuous change of a few microseconds that
/// the kernel reports to CANCEL_ON_SET timers exactly like a resume. Needs CAP_SYS_TIME (CI
/// runs as root); elsewhere the test says it was skipped.
#[cfg(target_os = "linux")]
fn poke_wall_clock() -> bool {
    use nix::time::{clock_gettime, clock_settime, ClockId};
    let now = clock_gettime(ClockId::CLOCK_REALTIME).unwrap();
    match clock_settime(ClockId::CLOCK_REALTIME, now) {
        Ok(()) => true,
        Err(nix::errno::Errno::EPERM) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: setting the clock needs CAP_SYS_TIME (CI has it)");
            false
        }
        Err(e) => panic!("cannot set the wall clock: {e}"),
    }
}

/// Stops the engine (publishes in flight stop where they are, like a crash between two
/// steps), drops it and opens a new one on the same data folder and keychain.
async fn reopen(t: T) -> T {
    t.h.engine.shutdown().await;
    let T { h, video } = t;
    T {
        h: h.reopen(|c| c).await,
        video,
    }
}

async fn sqlx_exec(pool: &sqlx::SqlitePool, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(pool)
        .await
        .unwrap();
}

/// Pauses or resumes publishing (Settings); answers whether the engine took it.
async fn set_paused(engine: &Engine, paused: bool) -> bool {
    let patch = SettingsPatch {
        publishing_paused: Some(paused),
        ..Default::default()
    };
    engine.update_settings(&patch).await.is_ok()
}

/// A copy of the post `from` (scheduled, due when it is), with `caption` if given, made in
/// SQLite: each compose asks TikTok for the creator's info, 20 times a minute at most.
async fn copy_post(pool: &sqlx::SqlitePool, from: i64, caption: Option<&str>) -> i64 {
    let cols: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('posts') WHERE name != 'id'")
            .fetch_all(pool)
            .await
            .unwrap();
    let sql = format!(
        "INSERT INTO posts ({0}) SELECT {0} FROM posts WHERE id = ? RETURNING id",
        cols.join(", ")
    );
    let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(from)
        .fetch_one(pool)
        .await
        .unwrap();
    if let Some(caption) = caption {
        sqlx::query("UPDATE posts SET caption = ? WHERE id = ?")
            .bind(caption)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    id
}

/// When the post's last history line of `state` was written (panics when it has none).
async fn history_at(t: &T, id: i64, state: &str) -> i64 {
    let history = t.h.engine.publish_history(id).await.unwrap();
    history
        .iter()
        .rev()
        .find(|h| h.state == state)
        .unwrap_or_else(|| panic!("post {id}: no {state} line in {history:?}"))
        .at
}
