//! The account types every area shares: the stored row, its status, the DTOs the UI sees and
//! the connect flow's DTO. A leaf: no services, no SQL (the queries are in `db::accounts`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::accounts::plain::creator_text;
use crate::clock::rfc3339;
use crate::tiktok_config::RedirectMode;

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

/// How an account is named in sentences: its handle, else "this account".
pub(crate) fn display(row: &AccountRow) -> String {
    handle(&row.username, &row.display_name).unwrap_or_else(|| "this account".to_owned())
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
    /// A private TikTok account (creator info offers no "everyone"); `None` when not known.
    pub is_private: Option<bool>,
}

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

/// What the account list says of an account whose sign-in has run out (its refresh token's
/// expiry is past): nothing Tokdeck holds can post for it any more.
pub const EXPIRED_LABEL: &str = "Sign-in expired — reconnect";

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
    /// A private TikTok account: its posts reach approved followers, never everyone. `null`
    /// while not known (TikTok is asked on connect and sync).
    pub is_private: Option<bool>,
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
        // A sign-in known to be dead never reads as healthy, even before anything tried it.
        let expired = r.status() == AccountStatus::Active
            && !other_app
            && r.refresh_expires_at.is_some_and(|t| t <= now_ms);
        let status = if other_app || expired {
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
            is_private: r.is_private,
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
            } else if expired {
                EXPIRED_LABEL.to_owned()
            } else {
                status.label().to_owned()
            },
            needs_reconnect: status == AccountStatus::NeedsReconnect,
            last_synced_at: r.last_synced_at.map(rfc3339),
            last_error: if other_app {
                Some(format!(
                    "{OTHER_APP_LABEL} it with the app set up in Settings → TikTok app, or switch back to the app it was connected with."
                ))
            } else if expired {
                Some(
                    "TikTok's sign-in for this account has run out. Click Reconnect on this card to sign in again; its scheduled posts wait until then."
                        .to_owned(),
                )
            } else {
                r.last_error.as_deref().map(creator_text)
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

/// The outcome of one account's sync or connection test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountCheck {
    pub account_id: i64,
    pub title: String,
    pub ok: bool,
    pub message: String,
    /// For connection tests: how long TikTok took to answer.
    pub latency_ms: Option<i64>,
}

/// The connect flow the UI shows while the browser is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PendingConnect {
    pub flow_id: String,
    pub authorize_url: String,
    pub redirect_uri: String,
    pub redirect_mode: RedirectMode,
    pub expires_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> AccountRow {
        AccountRow {
            id: 7,
            open_id: "o7".into(),
            union_id: None,
            username: String::new(),
            display_name: "Dana".into(),
            avatar_file: None,
            bio: String::new(),
            profile_url: None,
            verified: false,
            follower_count: None,
            following_count: None,
            likes_count: None,
            video_count: None,
            granted_scopes: "user.info.basic, video.publish".into(),
            access_expires_at: Some(1_000),
            refresh_expires_at: Some(REFRESH_WARNING_MS),
            refresh_warned_at: None,
            status: "active".into(),
            last_synced_at: None,
            last_error: None,
            label: String::new(),
            is_default: true,
            created_at: 0,
            updated_at: 0,
            removed_at: None,
            app_key: Some("app-a".into()),
            is_private: None,
        }
    }

    #[test]
    fn the_dto_names_the_account_and_its_missing_scopes() {
        let wanted = ["video.publish".to_owned(), "user.info.stats".to_owned()];
        let dto = AccountDto::from_row(&row(), None, &wanted, Some(7), "app-a", 0);
        assert_eq!((dto.title.as_str(), dto.handle.as_str()), ("Dana", ""));
        assert_eq!(dto.granted_scopes, ["user.info.basic", "video.publish"]);
        assert_eq!(dto.missing_scopes, ["user.info.stats"]);
        assert_eq!(dto.status, AccountStatus::Active);
        assert!(dto.is_current && dto.refresh_expires_soon);
        assert_eq!(display(&row()), "Dana");
        let mut nameless = row();
        nameless.display_name.clear();
        assert_eq!(display(&nameless), "this account");
    }

    #[test]
    fn a_sign_in_past_its_refresh_expiry_never_reads_as_healthy() {
        let mut dead = row();
        dead.refresh_expires_at = Some(1_000);
        let dto = AccountDto::from_row(&dead, None, &[], None, "app-a", 1_000);
        assert_eq!(dto.status, AccountStatus::NeedsReconnect);
        assert_eq!(dto.status_label, EXPIRED_LABEL);
        assert!(dto.last_error.unwrap().contains("Reconnect"));
        let alive = AccountDto::from_row(&dead, None, &[], None, "app-a", 999);
        assert_eq!(alive.status, AccountStatus::Active);
    }

    #[test]
    fn tokens_of_another_app_read_as_needing_a_reconnect() {
        let dto = AccountDto::from_row(&row(), None, &[], None, "app-b", 0);
        assert_eq!(dto.status, AccountStatus::NeedsReconnect);
        assert!(dto.needs_reconnect && !dto.refresh_expires_soon);
        assert_eq!(dto.status_label, OTHER_APP_LABEL);
        assert!(dto.last_error.unwrap().starts_with(OTHER_APP_LABEL));
        let mut unknown = row();
        unknown.app_key = None;
        assert!(
            unknown.issued_by("app-b"),
            "an unknown issuer is the current app"
        );
    }
}
