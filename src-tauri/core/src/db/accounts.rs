//! SQL of the `accounts` table.

use sqlx::SqlitePool;

use crate::error::CoreResult;

/// The `settings` key holding the account the UI works with.
pub const CURRENT_KEY: &str = "accounts.current";

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
