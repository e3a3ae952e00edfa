//! User settings, persisted as JSON values in the `settings` table.

use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use ts_rs::TS;

use crate::error::CoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub notifications_enabled: bool,
    pub launch_at_login: bool,
    pub publishing_paused: bool,
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            notifications_enabled: true,
            launch_at_login: false,
            publishing_paused: false,
            theme: Theme::System,
        }
    }
}

/// A partial update: `null` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsPatch {
    pub notifications_enabled: Option<bool>,
    pub launch_at_login: Option<bool>,
    pub publishing_paused: Option<bool>,
    pub theme: Option<Theme>,
}

impl Settings {
    pub fn apply(&mut self, patch: &SettingsPatch) {
        if let Some(v) = patch.notifications_enabled {
            self.notifications_enabled = v;
        }
        if let Some(v) = patch.launch_at_login {
            self.launch_at_login = v;
        }
        if let Some(v) = patch.publishing_paused {
            self.publishing_paused = v;
        }
        if let Some(v) = patch.theme {
            self.theme = v;
        }
    }
}

const KEY: &str = "app";

/// The raw JSON stored under `key` in the `settings` table, if any. Every module that keeps a
/// small document of settings (app settings, TikTok app, posting caps) goes through these two.
pub(crate) async fn read_json(pool: &SqlitePool, key: &str) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = ?")
        .bind(key)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(json,)| json))
}

pub(crate) async fn write_json<T: Serialize>(
    pool: &SqlitePool,
    key: &str,
    value: &T,
) -> CoreResult<()> {
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

/// Reads the settings; keys missing from an older file take their defaults.
pub async fn load(pool: &SqlitePool) -> CoreResult<Settings> {
    let Some(json) = read_json(pool, KEY).await? else {
        return Ok(Settings::default());
    };
    // Merge over defaults so a newer field missing from an older row keeps its default.
    let mut value = serde_json::to_value(Settings::default()).expect("settings serialise");
    if let (Ok(serde_json::Value::Object(stored)), serde_json::Value::Object(base)) =
        (serde_json::from_str::<serde_json::Value>(&json), &mut value)
    {
        for (k, v) in stored {
            base.insert(k, v);
        }
    }
    Ok(serde_json::from_value(value).unwrap_or_default())
}

pub async fn save(pool: &SqlitePool, settings: &Settings) -> CoreResult<()> {
    write_json(pool, KEY, settings).await
}
