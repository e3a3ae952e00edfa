//! SQL of `caption_presets`: saved caption templates and hashtag sets, per account.

use sqlx::SqlitePool;

use crate::error::CoreResult;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PresetRow {
    pub id: i64,
    pub account_id: i64,
    /// `caption` or `hashtags`.
    pub kind: String,
    pub name: String,
    pub body: String,
}

pub async fn list(pool: &SqlitePool, account_id: i64) -> CoreResult<Vec<PresetRow>> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, kind, name, body FROM caption_presets WHERE account_id = ?
         ORDER BY kind, lower(name), id",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// Inserts (`id` None) or updates a preset; returns its id (`None`: no such preset).
pub async fn save(
    pool: &SqlitePool,
    id: Option<i64>,
    account_id: i64,
    kind: &str,
    name: &str,
    body: &str,
    now: i64,
) -> CoreResult<Option<i64>> {
    Ok(match id {
        None => Some(
            sqlx::query_scalar(
                "INSERT INTO caption_presets (account_id, kind, name, body, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(account_id)
            .bind(kind)
            .bind(name)
            .bind(body)
            .bind(now)
            .bind(now)
            .fetch_one(pool)
            .await?,
        ),
        Some(id) => {
            sqlx::query_scalar(
                "UPDATE caption_presets SET kind = ?, name = ?, body = ?, updated_at = ?
             WHERE id = ? AND account_id = ? RETURNING id",
            )
            .bind(kind)
            .bind(name)
            .bind(body)
            .bind(now)
            .bind(id)
            .bind(account_id)
            .fetch_optional(pool)
            .await?
        }
    })
}

/// Deletes a preset; returns its account (`None`: no such preset).
pub async fn delete(pool: &SqlitePool, id: i64) -> CoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("DELETE FROM caption_presets WHERE id = ? RETURNING account_id")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}
