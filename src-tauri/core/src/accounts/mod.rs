//! Connected TikTok accounts: the shared types (`dto`), the account operations of the Accounts
//! page (`service`), connecting an account (`connect`: OAuth flows, the loopback listener, deep
//! links), the tokens in the keychain (`tokens`) and the cached avatars (`avatars`). The SQL of
//! the `accounts` table is in `db::accounts`.
//!
//! The old flat paths (`crate::accounts::AccountDto`, `crate::accounts::get_live`, …) keep
//! working through the re-exports below: the shell, the tests and the benches use them.

pub mod avatars;
pub mod connect;
pub mod deeplink;
pub mod dto;
pub mod plain;
pub mod service;
pub mod tokens;

pub(crate) use dto::handle;
pub use dto::{
    split_scopes, AccountCheck, AccountDto, AccountPage, AccountQuery, AccountRow, AccountStatus,
    AccountsSummary, PendingConnect, Profile, TokenFacts, OTHER_APP_LABEL, REFRESH_WARNING_MS,
};

pub use crate::db::accounts::{
    disconnected, ensure_connected, get, get_by_open_id, get_by_union_id, get_live, list,
    list_removed, list_sql, live_with_status, mark_refresh_warned, mark_removed, not_found,
    set_avatar_file, set_default, set_label, set_last_error, set_private, set_status, set_tokens,
    summary, update_profile, upsert_connected, DEFAULT_PAGE, MAX_PAGE,
};
