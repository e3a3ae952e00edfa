//! SQL of the `accounts` table: connected TikTok accounts, unique by `open_id`, soft-deleted on
//! removal so a reconnect restores the same row. Tokens are not here (see `accounts::tokens`),
//! only their expiry instants.

// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};

use crate::accounts::dto::{
    display, AccountQuery, AccountRow, AccountStatus, AccountsSummary, Profile, TokenFacts,
};
use crate::error::{CoreError, CoreResult};

pub const DEFAULT_PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 50;

/// The `settings` key holding the account the UI works with.
pub const CURRENT_KEY: &str = "accounts.current";

const COLUMNS: &str =
    "id, open_id, union_id, username, display_name, avatar_file, bio, profile_url, \
    verified, follower_count, following_count, likes_count, video_count, granted_scopes, \
    access_expires_at, refresh_expires_at, refresh_warned_at, status, last_synced_at, last_error, \
    label, is_default, created_at, updated_at, removed_at, app_key, is_private";

/// The account the UI works with: the stored choice if it is still live, else the default,
/// else the oldest live account (one statement).
pub async fn current_account_id(pool: &SqlitePool) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE removed_at IS NULL
             ORDER BY id = (SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?) DESC,
                      is_default DESC, id
             LIMIT 1",
    )
    .bind(CURRENT_KEY)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// The accounts `sync_all` visits: live and not disconnected.
pub async fn syncable_ids(pool: &SqlitePool) -> CoreResult<Vec<i64>> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM accounts WHERE removed_at IS NULL AND status != 'disconnected' ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

fn search_text(username: &str, display: &str, label: &str) -> String {
    format!("{username}\n{display}\n{label}").to_lowercase()
}

/// Inserts or restores the account with this `open_id` after a successful sign-in: profile,
/// scopes and expiry are updated, a removed or needs-reconnect account becomes active again.
/// Returns the row id.
pub async fn upsert_connected(
    pool: &SqlitePool,
    p: &Profile,
    t: &TokenFacts,
    app: &str,
    now: i64,
) -> CoreResult<i64> {
    let mut tx = crate::db::begin_write(pool).await?;
    let existing: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, username, display_name, label FROM accounts WHERE open_id = ?")
            .bind(&p.open_id)
            .fetch_optional(&mut *tx)
            .await?;
    // The same person signed in through another app of the same developer has another
    // open_id but the same union_id: that is still their card (with its posts), not a new one.
    let existing = match (existing, p.union_id.as_deref().filter(|u| !u.is_empty())) {
        (Some(found), _) => Some(found),
        (None, Some(union_id)) => {
            let same_person: Option<(i64, String, String, String)> = sqlx::query_as(
                "SELECT id, username, display_name, label FROM accounts WHERE union_id = ?
                 ORDER BY removed_at IS NOT NULL, id LIMIT 1",
            )
            .bind(union_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some((id, ..)) = &same_person {
                sqlx::query("UPDATE accounts SET open_id = ? WHERE id = ?")
                    .bind(&p.open_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            same_person
        }
        (None, None) => None,
    };
    let scopes = t.scopes.join(",");
    let id = match existing {
        Some((id, username, display, label)) => {
            let username = p.username.clone().unwrap_or(username);
            let display = p.display_name.clone().unwrap_or(display);
            sqlx::query(
                "UPDATE accounts SET union_id = COALESCE(?, union_id), username = ?, display_name = ?,
                    bio = COALESCE(?, bio), profile_url = COALESCE(?, profile_url),
                    verified = COALESCE(?, verified),
                    follower_count = COALESCE(?, follower_count), following_count = COALESCE(?, following_count),
                    likes_count = COALESCE(?, likes_count), video_count = COALESCE(?, video_count),
                    granted_scopes = ?, access_expires_at = ?, refresh_expires_at = ?, refresh_warned_at = NULL,
                    status = 'active', last_synced_at = ?, last_error = NULL, updated_at = ?,
                    removed_at = NULL, search_text = ?, app_key = ?
                 WHERE id = ?",
            )
            .bind(&p.union_id)
            .bind(&username)
            .bind(&display)
            .bind(&p.bio)
            .bind(&p.profile_url)
            .bind(p.verified)
            .bind(p.follower_count)
            .bind(p.following_count)
            .bind(p.likes_count)
            .bind(p.video_count)
            .bind(&scopes)
            .bind(t.access_expires_at)
            .bind(t.refresh_expires_at)
            .bind(now)
            .bind(now)
            .bind(search_text(&username, &display, &label))
            .bind(app)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let username = p.username.clone().unwrap_or_default();
            let display = p.display_name.clone().unwrap_or_default();
            // The first live account becomes the default.
            let (live,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM accounts WHERE removed_at IS NULL AND is_default = 1",
            )
            .fetch_one(&mut *tx)
            .await?;
            let res = sqlx::query(
                "INSERT INTO accounts (open_id, union_id, username, display_name, bio, profile_url,
                    verified, follower_count, following_count, likes_count, video_count,
                    granted_scopes, access_expires_at, refresh_expires_at, status, last_synced_at,
                    is_default, created_at, updated_at, search_text, app_key)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?)",
            )
            .bind(&p.open_id)
            .bind(&p.union_id)
            .bind(&username)
            .bind(&display)
            .bind(p.bio.clone().unwrap_or_default())
            .bind(&p.profile_url)
            .bind(p.verified.unwrap_or(false))
            .bind(p.follower_count)
            .bind(p.following_count)
            .bind(p.likes_count)
            .bind(p.video_count)
            .bind(&scopes)
            .bind(t.access_expires_at)
            .bind(t.refresh_expires_at)
            .bind(now)
            .bind(live == 0)
            .bind(now)
            .bind(now)
            .bind(search_text(&username, &display, ""))
            .bind(app)
            .execute(&mut *tx)
            .await?;
            res.last_insert_rowid()
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// Updates the profile after a sync.
pub async fn update_profile(pool: &SqlitePool, id: i64, p: &Profile, now: i64) -> CoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET union_id = COALESCE(?, union_id), username = COALESCE(?, username),
            display_name = COALESCE(?, display_name), bio = COALESCE(?, bio),
            profile_url = COALESCE(?, profile_url), verified = COALESCE(?, verified),
            follower_count = COALESCE(?, follower_count), following_count = COALESCE(?, following_count),
            likes_count = COALESCE(?, likes_count), video_count = COALESCE(?, video_count),
            last_synced_at = ?, last_error = NULL, updated_at = ?,
            search_text = lower(COALESCE(?, username) || char(10) || COALESCE(?, display_name) || char(10) || label)
         WHERE id = ?",
    )
    .bind(&p.union_id)
    .bind(&p.username)
    .bind(&p.display_name)
    .bind(&p.bio)
    .bind(&p.profile_url)
    .bind(p.verified)
    .bind(p.follower_count)
    .bind(p.following_count)
    .bind(p.likes_count)
    .bind(p.video_count)
    .bind(now)
    .bind(now)
    .bind(&p.username)
    .bind(&p.display_name)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

/// What TikTok's creator info says of the account's privacy (`None`: not known).
pub async fn set_private(pool: &SqlitePool, id: i64, private: Option<bool>) -> CoreResult<()> {
    sqlx::query("UPDATE accounts SET is_private = ? WHERE id = ?")
        .bind(private)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_avatar_file(pool: &SqlitePool, id: i64, file: Option<&str>) -> CoreResult<()> {
    sqlx::query("UPDATE accounts SET avatar_file = ? WHERE id = ?")
        .bind(file)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_tokens(pool: &SqlitePool, id: i64, t: &TokenFacts, now: i64) -> CoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET granted_scopes = ?, access_expires_at = ?, refresh_expires_at = ?,
            status = CASE WHEN removed_at IS NULL THEN 'active' ELSE status END,
            last_error = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(t.scopes.join(","))
    .bind(t.access_expires_at)
    .bind(t.refresh_expires_at)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set_status(
    pool: &SqlitePool,
    id: i64,
    status: AccountStatus,
    error: Option<&str>,
    now: i64,
) -> CoreResult<()> {
    sqlx::query("UPDATE accounts SET status = ?, last_error = ?, updated_at = ? WHERE id = ?")
        .bind(status.as_str())
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_last_error(pool: &SqlitePool, id: i64, error: &str, now: i64) -> CoreResult<()> {
    sqlx::query("UPDATE accounts SET last_error = ?, updated_at = ? WHERE id = ?")
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn mark_refresh_warned(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<()> {
    sqlx::query("UPDATE accounts SET refresh_warned_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Soft delete: the row stays (history, and a reconnect restores it), the account leaves every
/// list and loses its default flag.
pub async fn mark_removed(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET status = 'disconnected', removed_at = ?, is_default = 0,
            access_expires_at = NULL, refresh_expires_at = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(now)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set_label(pool: &SqlitePool, id: i64, label: &str, now: i64) -> CoreResult<()> {
    let res = sqlx::query(
        "UPDATE accounts SET label = ?, updated_at = ?,
            search_text = lower(username || char(10) || display_name || char(10) || ?)
         WHERE id = ? AND removed_at IS NULL",
    )
    .bind(label)
    .bind(now)
    .bind(label)
    .bind(id)
    .execute(pool)
    .await?;
    if res.rows_affected() == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

pub async fn set_default(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    let live: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM accounts WHERE id = ? AND removed_at IS NULL")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    if live.is_none() {
        return Err(not_found(id));
    }
    sqlx::query("UPDATE accounts SET is_default = 0, updated_at = ? WHERE is_default = 1")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE accounts SET is_default = 1, updated_at = ? WHERE id = ?")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub fn not_found(id: i64) -> CoreError {
    CoreError::NotFound(format!(
        "Account {id} is not connected (it may have been removed). Reload the account list."
    ))
}

pub async fn get(pool: &SqlitePool, id: i64) -> CoreResult<Option<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// A live (not removed) account or NotFound.
pub async fn get_live(pool: &SqlitePool, id: i64) -> CoreResult<AccountRow> {
    match get(pool, id).await? {
        Some(r) if r.removed_at.is_none() => Ok(r),
        _ => Err(not_found(id)),
    }
}

/// Refuses an action that needs the account connected (publish now, retry), naming the
/// account and the way out; an unknown id is "not found".
pub async fn ensure_connected(pool: &SqlitePool, id: i64) -> CoreResult<()> {
    match get(pool, id).await? {
        Some(r) if r.removed_at.is_none() => Ok(()),
        Some(r) => Err(disconnected(&r)),
        None => Err(not_found(id)),
    }
}

/// "@x is disconnected — reconnect it first."
pub fn disconnected(r: &AccountRow) -> CoreError {
    CoreError::Conflict(format!(
        "{} is disconnected — reconnect it first (Accounts → Disconnected → Reconnect).",
        display(r)
    ))
}

pub async fn get_by_open_id(pool: &SqlitePool, open_id: &str) -> CoreResult<Option<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE open_id = ?"
    )))
    .bind(open_id)
    .fetch_optional(pool)
    .await?)
}

/// How many removed accounts the Disconnected list shows (newest removals first).
pub const REMOVED_LIST: i64 = 50;

/// The removed (soft-deleted) accounts, most recently removed first: the Accounts page lists
/// them under Disconnected so they can be reconnected onto the same card.
pub async fn list_removed(pool: &SqlitePool) -> CoreResult<Vec<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE removed_at IS NOT NULL
         ORDER BY removed_at DESC, id DESC LIMIT ?"
    )))
    .bind(REMOVED_LIST)
    .fetch_all(pool)
    .await?)
}

/// The account with this union_id (the same person across one developer's TikTok apps).
pub async fn get_by_union_id(pool: &SqlitePool, union_id: &str) -> CoreResult<Option<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE union_id = ? ORDER BY removed_at IS NOT NULL, id LIMIT 1"
    )))
    .bind(union_id)
    .fetch_optional(pool)
    .await?)
}

/// Every live account with a given status (background work).
pub async fn live_with_status(
    pool: &SqlitePool,
    status: AccountStatus,
) -> CoreResult<Vec<AccountRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM accounts WHERE removed_at IS NULL AND status = ? ORDER BY id"
    )))
    .bind(status.as_str())
    .fetch_all(pool)
    .await?)
}

/// The SQL of one list page; shared with the benchmark's `sqlite3` reference.
pub fn list_sql(with_status: bool, with_search: bool) -> String {
    let mut sql = format!("SELECT {COLUMNS} FROM accounts WHERE removed_at IS NULL AND id > ?");
    if with_status {
        sql.push_str(" AND status = ?");
    }
    if with_search {
        sql.push_str(" AND instr(search_text, ?) > 0");
    }
    sql.push_str(" ORDER BY id LIMIT ?");
    sql
}

/// One page of rows (plus whether more follow).
pub async fn list(pool: &SqlitePool, q: &AccountQuery) -> CoreResult<(Vec<AccountRow>, bool)> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let after: i64 = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse().map_err(|_| {
            CoreError::InvalidInput("That page cursor is not valid; reload the list.".into())
        })?,
    };
    let search = q
        .search
        .as_deref()
        .map(|s| s.trim().to_lowercase())
        .map(|s| s.trim_start_matches('@').to_owned())
        .filter(|s| !s.is_empty());
    let sql = list_sql(q.status.is_some(), search.is_some());
    let mut query = sqlx::query_as::<_, AccountRow>(AssertSqlSafe(sql)).bind(after);
    if let Some(s) = q.status {
        query = query.bind(s.as_str());
    }
    if let Some(s) = &search {
        query = query.bind(s.clone());
    }
    let mut rows = query.bind(limit + 1).fetch_all(pool).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// Counts for the header; an account of another TikTok app than `app`, or whose sign-in ran
/// out before `now`, counts as needing a reconnect, as the list shows it.
pub async fn summary(pool: &SqlitePool, app: &str, now: i64) -> CoreResult<AccountsSummary> {
    let (accounts, active, needs, followers, likes, videos): (i64, i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT COUNT(*),
                COALESCE(SUM(status = 'active' AND (app_key IS NULL OR app_key = ?1)
                    AND (refresh_expires_at IS NULL OR refresh_expires_at > ?2)), 0),
                COALESCE(SUM(status = 'needs_reconnect'
                    OR (status = 'active' AND app_key IS NOT NULL AND app_key != ?1)
                    OR (status = 'active' AND refresh_expires_at <= ?2)), 0),
                COALESCE(SUM(follower_count), 0),
                COALESCE(SUM(likes_count), 0),
                COALESCE(SUM(video_count), 0)
             FROM accounts WHERE removed_at IS NULL",
        )
        .bind(app)
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(AccountsSummary {
        accounts,
        active,
        needs_reconnect: needs,
        total_followers: followers,
        total_likes: likes,
        total_videos: videos,
    })
}

#[cfg(test)]
mod tests;
