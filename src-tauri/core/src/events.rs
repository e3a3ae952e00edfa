//! What the engine tells the outside world. The shell forwards every event to the UI and turns
//! [`EngineEvent::Notify`] into a native notification when the user allows it.

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::accounts::dto::AccountDto;
use crate::compose::dto::IngestResult;
pub use crate::settings::NotificationKind;
use crate::settings::Settings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NoticeLevel {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum EngineEvent {
    #[serde(rename_all = "camelCase")]
    SettingsChanged { settings: Settings },
    /// A `tokdeck://` link reached the app (at start or from a second launch).
    #[serde(rename_all = "camelCase")]
    DeepLink {
        url: String,
        handled: bool,
        detail: String,
    },
    /// Something the user should see in the window (a toast).
    #[serde(rename_all = "camelCase")]
    Notice { level: NoticeLevel, message: String },
    /// The account list changed (connect, sync, rename, remove, status change): reload it.
    #[serde(rename_all = "camelCase")]
    AccountsChanged { account_id: Option<i64> },
    /// A connect flow ended, by callback, cancel or expiry.
    #[serde(rename_all = "camelCase")]
    ConnectFinished {
        flow_id: Option<String>,
        ok: bool,
        message: String,
        account: Option<Box<AccountDto>>,
    },
    /// Posts changed (created, edited, scheduled, cancelled, deleted, paused, resumed…): reload
    /// what shows them. `postId` is `None` when several posts of `accountId` changed at once.
    #[serde(rename_all = "camelCase")]
    PostsChanged {
        post_id: Option<i64>,
        account_id: Option<i64>,
    },
    /// Files are dragged over the window (`active: true`) or left it / were dropped (`false`):
    /// show or hide the drop zone.
    #[serde(rename_all = "camelCase")]
    DropHover { active: bool },
    /// Files of a drop or pick being checked: the results since the last progress event, and
    /// how many of the drop's files are done. Sent at most every 150 ms while a drop runs.
    #[serde(rename_all = "camelCase")]
    IngestProgress {
        done: u32,
        total: u32,
        results: Vec<IngestResult>,
    },
    /// Dropped or picked files were ingested: one result per video file.
    #[serde(rename_all = "camelCase")]
    Ingested { results: Vec<IngestResult> },
    /// Upload progress of a post being published: bytes TikTok confirmed so far (where a
    /// resume starts) and bytes sent (at least the confirmed ones; moves within a chunk).
    #[serde(rename_all = "camelCase")]
    PublishProgress {
        post_id: i64,
        account_id: i64,
        state: crate::publisher::state::PublishStep,
        #[ts(type = "number")]
        bytes_confirmed: u64,
        #[ts(type = "number")]
        bytes_sent: u64,
        #[ts(type = "number")]
        bytes_total: u64,
    },
    /// A post's publish moved to another state (`message` says why for failed/needs attention).
    #[serde(rename_all = "camelCase")]
    PublishStateChanged {
        post_id: i64,
        account_id: i64,
        state: crate::publisher::state::PublishStep,
        message: Option<String>,
    },
    /// Analytics of an account changed (a snapshot, samples, a video found, imported or
    /// gone): reload the Analytics page's data of that account (`None`: all).
    #[serde(rename_all = "camelCase")]
    AnalyticsChanged { account_id: Option<i64> },
    /// The data was replaced (a restore, or the latest good backup after a damaged start)
    /// and a new engine answers: reload everything shown.
    #[serde(rename_all = "camelCase")]
    DataReplaced { message: String },
    /// Something worth a native notification as well as a toast.
    #[serde(rename_all = "camelCase")]
    Notify {
        notification: NotificationKind,
        title: String,
        body: String,
    },
}

/// A cheap, cloneable sender; receivers that fall behind lose old events rather than block the
/// engine.
#[derive(Debug, Clone)]
pub struct Events {
    tx: broadcast::Sender<EngineEvent>,
}

impl Default for Events {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(256);
        Self { tx }
    }
}

impl Events {
    pub fn emit(&self, event: EngineEvent) {
        // No receiver is fine (no window yet); the event is simply dropped.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.tx.subscribe()
    }
}
