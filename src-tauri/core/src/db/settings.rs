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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_document_is_written_once_per_key_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        assert_eq!(read_json(pool, "test.doc").await.unwrap(), None);
        write_json(pool, "test.doc", &serde_json::json!({"a": 1}))
            .await
            .unwrap();
        write_json(pool, "test.doc", &serde_json::json!({"a": 2}))
            .await
            .unwrap();
        assert_eq!(
            read_json(pool, "test.doc").await.unwrap().as_deref(),
            Some(r#"{"a":2}"#)
        );
        let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM settings WHERE key = 'test.doc'")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(rows, 1, "an update replaces the row");
        // Other keys are untouched.
        write_json(pool, "test.other", &7).await.unwrap();
        assert_eq!(
            read_json(pool, "test.doc").await.unwrap().as_deref(),
            Some(r#"{"a":2}"#)
        );
        store.close().await;
    }
}
