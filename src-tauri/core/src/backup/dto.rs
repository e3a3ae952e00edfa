//! What backups, restores, relinks and exports tell the UI (a leaf: types only).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The automatic backups: when the last good one was taken, and the last failure if the
/// newest attempt failed (the Settings page shows both).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// RFC 3339 UTC of the newest complete, checked backup.
    pub last_good_at: Option<String>,
    /// Set while the newest attempt failed; cleared by the next good backup.
    pub last_failure: Option<BackupFailure>,
    /// The backups kept in the data folder, newest first.
    pub backups: Vec<BackupEntry>,
    /// The folder they are in.
    pub folder: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupFailure {
    pub at: String,
    /// What went wrong and what to do, in plain words.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupEntry {
    /// `daily`, `pre-migration` or `pre-restore`.
    pub kind: String,
    pub created_at: String,
    #[ts(type = "number")]
    pub size: u64,
}

/// An account as a backup's manifest lists it (no ids, no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ManifestAccount {
    /// `@username`.
    pub handle: String,
    pub display_name: String,
    pub status: String,
    pub removed: bool,
}

/// `manifest.json` in a `.tokdeck-backup` file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// The container's own version (1).
    pub format: u32,
    pub app_version: String,
    /// The newest migration the database has.
    pub schema_version: i64,
    /// RFC 3339 UTC.
    pub created_at: String,
    pub accounts: Vec<ManifestAccount>,
    /// Posts by status (`draft`, `scheduled`, `published`…).
    pub post_counts: BTreeMap<String, i64>,
    /// The accounts' connections are in the file, encrypted with a passphrase.
    pub tokens_included: bool,
    /// SHA-256 (hex) and size of the database copy, to tell a damaged file from a good one.
    pub database_sha256: String,
    #[ts(type = "number")]
    pub database_size: u64,
}

/// A post whose video is not at its recorded path on this machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MissingVideo {
    pub post_id: i64,
    pub status: String,
    pub path: String,
}

/// What a backup holds, after every check passed (shown before a restore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BackupPreview {
    pub manifest: Manifest,
    /// The passphrase given opened the connections (false when none was given).
    pub tokens_unlocked: bool,
    pub missing_videos: Vec<MissingVideo>,
}

/// What a restore did. The engine that ran it is shut down: the shell opens a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// Keychain entries put back (0 when the backup had none or no passphrase was given).
    pub tokens_restored: u32,
    /// Set when the connections could not be put back (the data was restored anyway).
    pub tokens_problem: Option<String>,
    pub missing_videos: Vec<MissingVideo>,
    /// The copy of the data as it was just before the restore.
    pub safety_backup: String,
}

/// What "Find moved files in a folder" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RelinkReport {
    /// Posts now pointing at their file's new place.
    pub relinked: Vec<i64>,
    /// Still missing after the search.
    pub still_missing: Vec<MissingVideo>,
    /// Found, but could not be relinked (e.g. already published), with the reason.
    pub not_relinked: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Json,
}

/// The files an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub files: Vec<String>,
    pub posts: u32,
    pub accounts: u32,
    pub audit_entries: u32,
    /// Analytics: account snapshots (followers, likes… over time) and post samples (a video's
    /// numbers at each age).
    pub snapshots: u32,
    pub samples: u32,
}

/// What the startup recovery put in place of a damaged database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Recovered {
    pub backup_taken_at: String,
    /// The folder the damaged database was moved to.
    pub damaged_kept_in: String,
}
