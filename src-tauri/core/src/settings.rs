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

/// The day the calendar's weeks (month and week views, the date picker) start on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum WeekStart {
    /// As the computer's language and region say (the UI reads it from the locale).
    Auto,
    Monday,
    Sunday,
    Saturday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The master switch; each kind below can also be turned off on its own.
    pub notifications_enabled: bool,
    pub notify_published: bool,
    pub notify_failed: bool,
    pub notify_needs_attention: bool,
    pub notify_missed: bool,
    /// Account problems: reconnect needed, sign-in about to expire.
    pub notify_account: bool,
    pub launch_at_login: bool,
    pub publishing_paused: bool,
    pub theme: Theme,
    pub week_start: WeekStart,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            notifications_enabled: true,
            notify_published: true,
            notify_failed: true,
            notify_needs_attention: true,
            notify_missed: true,
            notify_account: true,
            launch_at_login: false,
            publishing_paused: false,
            theme: Theme::System,
            week_start: WeekStart::Auto,
        }
    }
}

/// A partial update: `null` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SettingsPatch {
    pub notifications_enabled: Option<bool>,
    pub notify_published: Option<bool>,
    pub notify_failed: Option<bool>,
    pub notify_needs_attention: Option<bool>,
    pub notify_missed: Option<bool>,
    pub notify_account: Option<bool>,
    pub launch_at_login: Option<bool>,
    pub publishing_paused: Option<bool>,
    pub theme: Option<Theme>,
    pub week_start: Option<WeekStart>,
}

impl Settings {
    pub fn apply(&mut self, patch: &SettingsPatch) {
        let switches = [
            (patch.notifications_enabled, &mut self.notifications_enabled),
            (patch.notify_published, &mut self.notify_published),
            (patch.notify_failed, &mut self.notify_failed),
            (
                patch.notify_needs_attention,
                &mut self.notify_needs_attention,
            ),
            (patch.notify_missed, &mut self.notify_missed),
            (patch.notify_account, &mut self.notify_account),
        ];
        for (wanted, current) in switches {
            if let Some(v) = wanted {
                *current = v;
            }
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
        if let Some(v) = patch.week_start {
            self.week_start = v;
        }
    }
}

impl Settings {
    /// Whether a notification of this kind should be shown.
    pub fn wants_notification(&self, kind: NotificationKind) -> bool {
        self.notifications_enabled
            && match kind {
                NotificationKind::Published => self.notify_published,
                NotificationKind::Failed => self.notify_failed,
                NotificationKind::NeedsAttention => self.notify_needs_attention,
                NotificationKind::Missed => self.notify_missed,
                NotificationKind::Account => self.notify_account,
                NotificationKind::General => true,
            }
    }
}

/// The kinds of native notification; each can be turned off on its own in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    General,
    /// An account needs attention: reconnect needed, refresh token about to expire.
    Account,
    /// A post went out on TikTok.
    Published,
    /// A post could not be published; the body says why and what to do.
    Failed,
    /// A post needs the creator (unknown outcome, reconnect, file changed, caps).
    NeedsAttention,
    /// A post's time passed while Tokdeck was closed or asleep, beyond the grace period.
    Missed,
}

const KEY: &str = "app";

pub(crate) use crate::db::settings::{read_json, write_json};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_its_own_switch_under_the_master_switch() {
        let mut s = Settings::default();
        let kinds = [
            NotificationKind::Published,
            NotificationKind::Failed,
            NotificationKind::NeedsAttention,
            NotificationKind::Missed,
            NotificationKind::Account,
        ];
        assert!(kinds.iter().all(|k| s.wants_notification(*k)));
        s.apply(&SettingsPatch {
            notify_published: Some(false),
            ..Default::default()
        });
        assert!(!s.wants_notification(NotificationKind::Published));
        assert!(s.wants_notification(NotificationKind::Failed));
        assert!(s.wants_notification(NotificationKind::Missed));
        s.apply(&SettingsPatch {
            notifications_enabled: Some(false),
            ..Default::default()
        });
        assert!(kinds.iter().all(|k| !s.wants_notification(*k)));
        assert!(!s.wants_notification(NotificationKind::General));
        // The master switch back on restores each kind's own choice.
        s.apply(&SettingsPatch {
            notifications_enabled: Some(true),
            ..Default::default()
        });
        assert!(!s.wants_notification(NotificationKind::Published));
        assert!(s.wants_notification(NotificationKind::NeedsAttention));
    }

    #[tokio::test]
    async fn a_row_written_before_the_per_kind_switches_loads_them_on() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        write_json(
            store.pool(),
            KEY,
            &serde_json::json!({"notificationsEnabled": false, "launchAtLogin": true,
                "publishingPaused": false, "theme": "dark"}),
        )
        .await
        .unwrap();
        let s = load(store.pool()).await.unwrap();
        assert!(!s.notifications_enabled && s.launch_at_login);
        assert!(s.notify_published && s.notify_failed && s.notify_missed);
        assert!(s.notify_needs_attention && s.notify_account);
        assert_eq!(
            s.week_start,
            WeekStart::Auto,
            "a row from before the setting"
        );
    }

    #[tokio::test]
    async fn the_week_start_is_saved_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let mut s = Settings::default();
        // A patch without the field (older callers) leaves it as it is.
        let old: SettingsPatch = serde_json::from_str(r#"{"theme":"dark"}"#).unwrap();
        s.apply(&old);
        assert_eq!(s.week_start, WeekStart::Auto);
        let patch: SettingsPatch = serde_json::from_str(r#"{"weekStart":"sunday"}"#).unwrap();
        s.apply(&patch);
        save(store.pool(), &s).await.unwrap();
        let back = load(store.pool()).await.unwrap();
        assert_eq!(back.week_start, WeekStart::Sunday);
        assert_eq!(back.theme, Theme::Dark);
        let json = serde_json::to_value(&back).unwrap();
        assert_eq!(json["weekStart"], "sunday");
    }
}
