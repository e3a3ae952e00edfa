//! SQL of the `settings` table: small JSON documents under a key (app settings, the TikTok
//! app, posting caps, the scheduler's heartbeat).

use serde::Serialize;
use sqlx::SqlitePool;

use crate::error::CoreResult;

/// The raw JSON stored under `key` in the `settings` table, if any. Every module that keeps a
/// small document of settings (app settings, TikTok app, posting caps) goes through these two.
pub async fn read_json(pool: &SqlitePool, key: &str) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(json,)| json))
}

pub async fn write_json<T: Serialize>(pool: &SqlitePool, key: &str, value: &T) -> CoreResult<()> {
    let json = serde_json::to_string(value)
        .map_err(|e| crate::error::CoreError::Internal(format!("settings {key}: {e}")))?;
    sqlx::query(
        "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )
    .bind(key)
    .bind(json)
    .bind(chrono::Utc::now().to_rfc3339())
    .execute(pool)
    .await?;
    Ok(())
}
