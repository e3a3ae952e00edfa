//! The engine's backup, restore and export methods.
//!
//! Restoring swaps the database file under the engine, so the engine that restores ends
//! shut down. The shell's sequence (no process restart):
//! 1. `inspect_backup(path, passphrase)` — every check, nothing changed; show the preview.
//! 2. `restore_backup(path, passphrase)` — checks again; on a refusal the engine runs on,
//!    untouched. Past the checks it takes a safety backup, stops the workers and the
//!    publisher, closes the database, swaps the restored file in, puts the keychain entries
//!    back and releases the data-folder lock. `is_shut_down()` is then true whether the swap
//!    succeeded or not.
//! 3. The shell drops this engine and calls `Engine::open` with the same config: the new one
//!    migrates the restored database if it is older, and starts its workers.

use std::path::Path;

use super::Engine;
use crate::backup::{
    self, BackupPreview, BackupStatus, ExportFormat, ExportReport, MissingVideo, Recovered,
    RelinkReport, RestoreReport,
};
use crate::db::backup::{BackupFile, BackupKind};
use crate::error::CoreResult;

impl Engine {
    /// The automatic backups: last good one, last failure, the list.
    pub fn backup_status(&self) -> BackupStatus {
        self.backups.status()
    }

    /// Takes an automatic-style backup now (what the daily worker does).
    pub async fn backup_into_data_dir(&self, kind: BackupKind) -> CoreResult<BackupFile> {
        self.backups.run_automatic(kind).await
    }

    /// "Back up now" to a `.tokdeck-backup` file; with a passphrase the connections go in
    /// too, encrypted.
    pub async fn back_up_now(
        &self,
        dest: &Path,
        passphrase: Option<&str>,
    ) -> CoreResult<backup::Manifest> {
        self.backups.back_up_to(dest, passphrase).await
    }

    pub async fn inspect_backup(
        &self,
        path: &Path,
        passphrase: Option<&str>,
    ) -> CoreResult<BackupPreview> {
        self.backups.inspect(path, passphrase).await
    }

    /// See the module's documentation for what the shell does around it.
    pub async fn restore_backup(
        &self,
        path: &Path,
        passphrase: Option<&str>,
    ) -> CoreResult<RestoreReport> {
        let staged = self.backups.stage_restore(path, passphrase).await?;
        let safety = match self.backups.run_automatic(BackupKind::PreRestore).await {
            Ok(b) => b,
            Err(e) => {
                staged.discard();
                return Err(e);
            }
        };
        self.shutdown().await;
        let report = self.backups.install_staged(staged, &safety.path).await;
        self.ctx.store().release_lock();
        report
    }

    /// True once the engine was shut down (by quit or by a restore).
    pub fn is_shut_down(&self) -> bool {
        self.ctx.pool().is_closed()
    }

    pub async fn missing_videos(&self) -> CoreResult<Vec<MissingVideo>> {
        self.backups.missing_videos().await
    }

    /// "Find moved files in a folder".
    pub async fn relink_folder(&self, folder: &Path) -> CoreResult<RelinkReport> {
        self.backups.relink_folder(folder).await
    }

    pub async fn export_data(
        &self,
        folder: &Path,
        format: ExportFormat,
    ) -> CoreResult<ExportReport> {
        self.backups.export(folder, format).await
    }

    /// When `Engine::open` failed with a damaged database: restores the latest good backup
    /// (the damaged file is kept aside), after which `Engine::open` can be called again.
    pub async fn recover_damaged(data_dir: &Path) -> CoreResult<Recovered> {
        backup::recover_damaged(data_dir).await
    }

    /// When `Engine::open` failed with a damaged database: when the backup that
    /// `recover_damaged` would restore was taken (RFC 3339), for the startup screen.
    pub async fn latest_good_backup(data_dir: &Path) -> Option<String> {
        backup::latest_good_at(data_dir).await
    }
}
