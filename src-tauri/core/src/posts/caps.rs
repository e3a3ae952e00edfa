//! Posting caps planned ahead (§6.2) and each account's default zone: the settings a post is
//! scheduled against, and the warning when one more post would go over a cap.

use sqlx::SqlitePool;

use super::dto::{CapKind, CapWarning, Caps};
use super::local_time::{parse_zone, system_zone};
use super::status::PostMode;
use crate::db;
use crate::error::{CoreError, CoreResult};

const CAPS_KEY: &str = "posts.caps";
/// The caps' rolling window.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// How many of `times` (sorted, `at` among them) fall in the busiest window shorter than
/// `window` that contains `at`: what the caps count for a post at `at`. Pure; the slot planner
/// uses it too, so a slot is refused exactly when this warning would be given.
pub fn busiest_window(times: &[i64], at: i64, window: i64) -> usize {
    let mut worst = 0usize;
    let mut lo = 0usize;
    for hi in 0..times.len() {
        while times[hi] - times[lo] >= window {
            lo += 1;
        }
        if times[lo] <= at && at <= times[hi] {
            worst = worst.max(hi - lo + 1);
        }
    }
    worst
}

pub async fn caps(pool: &SqlitePool) -> CoreResult<Caps> {
    Ok(db::settings::read_json(pool, CAPS_KEY)
        .await?
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

pub async fn set_caps(pool: &SqlitePool, caps: Caps) -> CoreResult<Caps> {
    if caps.daily_posts == 0 || caps.pending_inbox == 0 {
        return Err(CoreError::InvalidInput(
            "A cap must be at least 1 post.".to_owned(),
        ));
    }
    db::settings::write_json(pool, CAPS_KEY, &caps).await?;
    Ok(caps)
}

/// The account's default zone if set, else the system's.
pub async fn account_zone(pool: &SqlitePool, account_id: i64) -> CoreResult<String> {
    Ok(db::account_post_settings::default_zone(pool, account_id)
        .await?
        .unwrap_or_else(system_zone))
}

/// Sets (or with `None` clears) an account's default zone.
pub async fn set_account_zone(
    pool: &SqlitePool,
    account_id: i64,
    zone: Option<&str>,
) -> CoreResult<()> {
    let zone = match zone.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => Some(parse_zone(z)?.name().to_owned()),
        None => None,
    };
    db::account_post_settings::set_default_zone(pool, account_id, zone.as_deref()).await
}

/// Warnings for one more post of `mode` at `at_ms` on the account (the post itself excluded).
pub async fn cap_warnings(
    pool: &SqlitePool,
    account_id: i64,
    mode: PostMode,
    at_ms: i64,
    exclude_post: Option<i64>,
) -> CoreResult<Vec<CapWarning>> {
    let caps = caps(pool).await?;
    let (limit, kind) = match mode {
        PostMode::Direct => (caps.daily_posts, CapKind::DailyPosts),
        PostMode::Inbox => (caps.pending_inbox, CapKind::PendingInbox),
    };
    let mut times = db::posts::cap_times(
        pool,
        account_id,
        mode.as_str(),
        at_ms - DAY_MS,
        at_ms + DAY_MS,
        exclude_post,
    )
    .await?;
    times.push(at_ms);
    times.sort_unstable();
    let count = busiest_window(&times, at_ms, DAY_MS) as u32;
    if count <= limit {
        return Ok(Vec::new());
    }
    let message = match kind {
        CapKind::DailyPosts => format!(
            "This would be {count} direct posts for this account within 24 hours; TikTok allows about {limit}, so some may be refused. Spread them out."
        ),
        CapKind::PendingInbox => format!(
            "This would be {count} inbox uploads for this account within 24 hours; TikTok allows {limit} pending drafts, so some may be refused."
        ),
    };
    Ok(vec![CapWarning {
        cap: kind,
        count,
        limit,
        message,
    }])
}
