//! The `accounts` table: connected TikTok accounts, unique by `open_id`, soft-deleted on removal
//! so a reconnect restores the same row. Queries and the DTOs the UI sees. Tokens are not here
//! (see `tokens`), only their expiry instants.

use serde::{Deserialize, Serialize};
// Dynamic SQL here is built only from constant fragments; values are always bound.
use sqlx::{AssertSqlSafe, SqlitePool};
use ts_rs::TS;

use crate::clock::rfc3339;
use crate::error::{CoreError, CoreResult};

pub const DEFAULT_PAGE: i64 = 20;
pub const MAX_PAGE: i64 = 50;
/// The refresh-token warning window.
pub const REFRESH_WARNING_MS: i64 = 7 * 24 * 3600 * 1000;

/// How an account is named in messages: its @handle, else its display name; `None` when TikTok
/// gave neither (the caller picks the words).
pub(crate) fn handle(username: &str, display_name: &str) -> Option<String> {
    if !username.is_empty() {
        Some(format!("@{username}"))
    } else if !display_name.is_empty() {
        Some(display_name.to_owned())
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    NeedsReconnect,
    Disconnected,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::NeedsReconnect => "needs_reconnect",
            Self::Disconnected => "disconnected",
        }
    }
    pub fn parse(s: &str) -> Self {
        match s {
            "active" => Self::Active,
            "needs_reconnect" => Self::NeedsReconnect,
            _ => Self::Disconnected,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Connected",
            Self::NeedsReconnect => "Needs reconnect",
            Self::Disconnected => "Disconnected",
        }
    }
}

/// One row, as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub open_id: String,
    pub union_id: Option<String>,
    pub username: String,
    pub display_name: String,
    pub avatar_file: Option<String>,
    pub bio: String,
    pub profile_url: Option<String>,
    pub verified: bool,
    pub follower_count: Option<i64>,
    pub following_count: Option<i64>,
    pub likes_count: Option<i64>,
    pub video_count: Option<i64>,
    pub granted_scopes: String,
    pub access_expires_at: Option<i64>,
    pub refresh_expires_at: Option<i64>,
    pub refresh_warned_at: Option<i64>,
    pub status: String,
    pub last_synced_at: Option<i64>,
    pub last_error: Option<String>,
    pub label: String,
    pub is_default: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub removed_at: Option<i64>,
    /// The TikTok app that issued the tokens (client key or `demo`); `None` when not known.
    pub app_key: Option<String>,
}

const COLUMNS: &str =
    "id, open_id, union_id, username, display_name, avatar_file, bio, profile_url, \
    verified, follower_count, following_count, likes_count, video_count, granted_scopes, \
    access_expires_at, refresh_expires_at, refresh_warned_at, status, last_synced_at, last_error, \
    label, is_default, created_at, updated_at, removed_at, app_key";

impl AccountRow {
    pub fn status(&self) -> AccountStatus {
        AccountStatus::parse(&self.status)
    }
    pub fn scopes(&self) -> Vec<String> {
        split_scopes(&self.granted_scopes)
    }
    pub fn has_scope(&self, scope: &str) -> bool {
        self.granted_scopes.split(',').any(|s| s == scope)
    }
    /// Whether the tokens were issued by `app` (an unknown issuer is taken as the current app:
    /// rows Tokdeck writes always name it).
    pub fn issued_by(&self, app: &str) -> bool {
        self.app_key.as_deref().is_none_or(|k| k == app)
    }
}

/// What the account list says of an account whose tokens another TikTok app issued.
pub const OTHER_APP_LABEL: &str = "Connected with another TikTok app — reconnect";

pub fn split_scopes(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What the UI shows for one account. Never contains a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountDto {
    pub id: i64,
    pub open_id: String,
    pub union_id: Option<String>,
    pub username: String,
    pub display_name: String,
    /// What to call the account: the label, else the display name, else `@username`.
    pub title: String,
    /// `@username`, or empty when the profile scope was not granted.
    pub handle: String,
    /// The cached avatar as a `data:` URL (TikTok's avatar URLs expire), if one was fetched.
    pub avatar: Option<String>,
    pub bio: String,
    pub profile_url: Option<String>,
    pub verified: bool,
    pub follower_count: Option<i64>,
    pub following_count: Option<i64>,
    pub likes_count: Option<i64>,
    pub video_count: Option<i64>,
    pub granted_scopes: Vec<String>,
    /// Scopes Tokdeck asks for that this account did not grant.
    pub missing_scopes: Vec<String>,
    pub access_expires_at: Option<String>,
    pub refresh_expires_at: Option<String>,
    /// The sign-in ends within 7 days: show a badge and offer Reconnect.
    pub refresh_expires_soon: bool,
    pub status: AccountStatus,
    /// `Connected` / `Needs reconnect` / `Disconnected`.
    pub status_label: String,
    pub needs_reconnect: bool,
    pub last_synced_at: Option<String>,
    pub last_error: Option<String>,
    pub label: String,
    pub is_default: bool,
    pub is_current: bool,
    pub created_at: String,
    pub updated_at: String,
    pub removed_at: Option<String>,
}

impl AccountDto {
    pub fn from_row(
        r: &AccountRow,
        avatar: Option<String>,
        wanted_scopes: &[String],
        current: Option<i64>,
        current_app: &str,
        now_ms: i64,
    ) -> Self {
        let granted = r.scopes();
        let missing = wanted_scopes
            .iter()
            .filter(|w| !granted.contains(w))
            .cloned()
            .collect();
        let handle = if r.username.is_empty() {
            String::new()
        } else {
            format!("@{}", r.username)
        };
        let title = [&r.label, &r.display_name, &handle]
            .into_iter()
            .find(|s| !s.is_empty())
            .cloned()
            .unwrap_or_else(|| "TikTok account".to_owned());
        // Tokens of another app are useless with this one (and never sent to it): the account
        // reads as needing a reconnect, without the stored status changing, so switching back
        // to that app makes it work again.
        let other_app = r.status() == AccountStatus::Active && !r.issued_by(current_app);
        let status = if other_app {
            AccountStatus::NeedsReconnect
        } else {
            r.status()
        };
        AccountDto {
            id: r.id,
            open_id: r.open_id.clone(),
            union_id: r.union_id.clone(),
            username: r.username.clone(),
            display_name: r.display_name.clone(),
            title,
            handle,
            avatar,
            bio: r.bio.clone(),
            profile_url: r.profile_url.clone(),
            verified: r.verified,
            follower_count: r.follower_count,
            following_count: r.following_count,
            likes_count: r.likes_count,
            video_count: r.video_count,
            granted_scopes: granted,
            missing_scopes: missing,
            access_expires_at: r.access_expires_at.map(rfc3339),
            refresh_expires_at: r.refresh_expires_at.map(rfc3339),
            refresh_expires_soon: status == AccountStatus::Active
                && r.refresh_expires_at
                    .is_some_and(|t| t - now_ms <= REFRESH_WARNING_MS),
            status,
            status_label: if other_app {
                OTHER_APP_LABEL.to_owned()
            } else {
                status.label().to_owned()
            },
            needs_reconnect: status == AccountStatus::NeedsReconnect,
            last_synced_at: r.last_synced_at.map(rfc3339),
            last_error: if other_app {
                Some(format!(
                    "{OTHER_APP_LABEL} it with the app set up in Settings → TikTok, or switch back to the app it was connected with."
                ))
            } else {
                r.last_error.clone()
            },
            label: r.label.clone(),
            is_default: r.is_default,
            is_current: current == Some(r.id),
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            removed_at: r.removed_at.map(rfc3339),
        }
    }
}

/// `list_accounts` arguments. Removed accounts are never listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountQuery {
    #[ts(optional)]
    pub status: Option<AccountStatus>,
    /// Matches username, display name or label (case-insensitive substring).
    #[ts(optional)]
    pub search: Option<String>,
    /// `nextCursor` of the previous page.
    #[ts(optional)]
    pub cursor: Option<String>,
    /// 20 by default, at most 50.
    #[ts(optional)]
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountPage {
    pub items: Vec<AccountDto>,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountsSummary {
    pub accounts: i64,
    pub active: i64,
    pub needs_reconnect: i64,
    pub total_followers: i64,
    pub total_likes: i64,
    pub total_videos: i64,
}

/// Profile fields from TikTok (`None` = not returned, keep what we had).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub open_id: String,
    pub union_id: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub profile_url: Option<String>,
    pub verified: Option<bool>,
    pub follower_count: Option<i64>,
    pub following_count: Option<i64>,
    pub likes_count: Option<i64>,
    pub video_count: Option<i64>,
}

impl From<&tiktok_api::UserInfo> for Profile {
    fn from(u: &tiktok_api::UserInfo) -> Self {
        Profile {
            open_id: u.open_id.clone().unwrap_or_default(),
            union_id: u.union_id.clone(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            bio: u.bio_description.clone(),
            profile_url: u.profile_deep_link.clone(),
            verified: u.is_verified,
            follower_count: u.follower_count,
            following_count: u.following_count,
            likes_count: u.likes_count,
            video_count: u.video_count,
        }
    }
}

/// Token facts stored next to the account (the tokens themselves are in the keychain).
#[derive(Debug, Clone)]
pub struct TokenFacts {
    pub scopes: Vec<String>,
    pub access_expires_at: i64,
    pub refresh_expires_at: i64,
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
    let mut tx = pool.begin().await?;
    let existing: Option<(i64, String, String, String)> =
        sqlx::query_as("SELECT id, username, display_name, label FROM accounts WHERE open_id = ?")
            .bind(&p.open_id)
            .fetch_optional(&mut *tx)
            .await?;
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
    let mut tx = pool.begin().await?;
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
        "{} is disconnected — reconnect it first (Accounts → Connect).",
        crate::tokens::display(r)
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

/// Counts for the header; an account of another TikTok app than `app` counts as needing a
/// reconnect, as the list shows it.
pub async fn summary(pool: &SqlitePool, app: &str) -> CoreResult<AccountsSummary> {
    let (accounts, active, needs, followers, likes, videos): (i64, i64, i64, i64, i64, i64) =
        sqlx::query_as(
            "SELECT COUNT(*),
                COALESCE(SUM(status = 'active' AND (app_key IS NULL OR app_key = ?1)), 0),
                COALESCE(SUM(status = 'needs_reconnect'
                    OR (status = 'active' AND app_key IS NOT NULL AND app_key != ?1)), 0),
                COALESCE(SUM(follower_count), 0),
                COALESCE(SUM(likes_count), 0),
                COALESCE(SUM(video_count), 0)
             FROM accounts WHERE removed_at IS NULL",
        )
        .bind(app)
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
