//! Restoring a `.tokdeck-backup` file, in two halves so the engine can stop in between:
//!
//! 1. [`Backups::stage_restore`] (engine running, nothing changed): reads the file into a
//!    staging file in the data folder and checks everything — the archive, the manifest, the
//!    database's checksum and integrity, its schema against this app, the passphrase.
//! 2. [`Backups::install_staged`] (engine shut down, pool closed): swaps the staged database
//!    in and puts the keychain entries back.
//!
//! The engine's `restore_backup` runs 1, takes a safety backup, shuts down, runs 2 and
//! releases the data-folder lock; the shell then opens a new engine on the same folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::archive::{self, ArchiveError};
use super::dto::{BackupPreview, Manifest, MissingVideo, Recovered, RestoreReport};
use super::service::{blocking, rfc3339, Backups};
use crate::db::backup::{check, swap};
use crate::db::export as db;
use crate::db::open::MIGRATOR;
use crate::error::{CoreError, CoreResult};
use crate::secrets::Secret;

/// A backup read and checked, waiting in the data folder to be swapped in.
#[derive(Debug)]
pub struct Staged {
    pub manifest: Manifest,
    db_path: PathBuf,
    /// The keychain entries, decrypted (only when the passphrase was given and right).
    secrets: Option<BTreeMap<String, String>>,
    pub missing_videos: Vec<MissingVideo>,
}

impl Staged {
    /// Gives up on the restore: the staging file is removed.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.db_path);
    }
}

fn refused(e: impl std::fmt::Display) -> CoreError {
    CoreError::InvalidInput(e.to_string())
}

impl Backups {
    /// Reads and checks a backup file; what it holds, for the creator to confirm.
    pub async fn inspect(
        &self,
        path: &Path,
        passphrase: Option<&str>,
    ) -> CoreResult<BackupPreview> {
        let staged = self.stage_restore(path, passphrase).await?;
        let preview = BackupPreview {
            manifest: staged.manifest.clone(),
            tokens_unlocked: staged.secrets.is_some(),
            missing_videos: staged.missing_videos.clone(),
        };
        staged.discard();
        Ok(preview)
    }

    /// Step 1 of a restore: every check, nothing changed. A wrong passphrase is refused; no
    /// passphrase means "restore without the connections".
    pub async fn stage_restore(&self, path: &Path, passphrase: Option<&str>) -> CoreResult<Staged> {
        let data_dir = self.ctx.data_dir().to_path_buf();
        swap::remove_staging(&data_dir);
        let staging = swap::staging_path(&data_dir, self.now());
        let (p, s) = (path.to_path_buf(), staging.clone());
        let opened = blocking(move || archive::open(&p, &s))
            .await?
            .map_err(refused)?;
        let result = self.check_staged(&opened, passphrase).await;
        match result {
            Ok((secrets, missing_videos)) => Ok(Staged {
                manifest: opened.manifest,
                db_path: opened.db_path,
                secrets,
                missing_videos,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&staging);
                Err(e)
            }
        }
    }

    async fn check_staged(
        &self,
        opened: &archive::Opened,
        passphrase: Option<&str>,
    ) -> CoreResult<(Option<BTreeMap<String, String>>, Vec<MissingVideo>)> {
        let facts = check::check_file(&opened.db_path)
            .await
            .map_err(|e| {
                refused(format!(
                    "The backup's database cannot be read ({e}). Use another copy of the backup."
                ))
            })?
            .ok_or_else(|| refused(ArchiveError::Damaged))?;
        let known = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        let found = facts.schema_version.ok_or_else(|| {
            refused("This backup holds no Tokdeck data (no schema). Use another backup.")
        })?;
        if found > known {
            return Err(refused(format!(
                "This backup was made by a newer Tokdeck (app {}, schema {found}; this app knows up to {known}). Update Tokdeck, then restore it; nothing was changed.",
                opened.manifest.app_version
            )));
        }
        let secrets = match (&opened.secrets, passphrase) {
            (Some(blob), Some(p)) => {
                let (b, p) = (blob.clone(), p.to_owned());
                let plain = blocking(move || archive::decrypt(&b, &p))
                    .await?
                    .map_err(refused)?;
                let map: BTreeMap<String, String> = serde_json::from_slice(&plain)
                    .map_err(|_| refused(archive::UnlockError::Damaged("not a list".into())))?;
                Some(map)
            }
            _ => None,
        };
        let pool = db::open_file(&opened.db_path).await?;
        let rows = db::media_rows(&pool).await;
        pool.close().await;
        let missing = rows?
            .into_iter()
            .filter(|r| !Path::new(&r.media_path).exists())
            .map(|r| MissingVideo {
                post_id: r.post_id,
                status: r.status,
                path: r.media_path,
            })
            .collect();
        Ok((secrets, missing))
    }

    /// Step 2 of a restore, with the engine shut down (its pool closed): swaps the staged
    /// database in and puts the keychain entries back.
    pub async fn install_staged(
        &self,
        staged: Staged,
        safety_backup: &Path,
    ) -> CoreResult<RestoreReport> {
        let (dir, file) = (self.ctx.data_dir().to_path_buf(), staged.db_path.clone());
        let swapped = blocking(move || swap::install(&dir, &file)).await?;
        if let Err(e) = swapped {
            let _ = std::fs::remove_file(&staged.db_path);
            return Err(CoreError::Store(crate::db::open::StoreError::restore(
                format!(
                    "{}; your data was not changed",
                    crate::db::backup::io_reason(&e)
                ),
            )));
        }
        let mut tokens_restored = 0;
        let mut tokens_problem = None;
        for (name, value) in staged.secrets.iter().flatten() {
            match self
                .ctx
                .secrets()
                .set(name, &Secret::new(value.clone()))
                .await
            {
                Ok(()) => tokens_restored += 1,
                Err(e) => {
                    tokens_problem = Some(format!(
                        "The data was restored, but the accounts' connections could not be put in the keychain: {e}"
                    ));
                    break;
                }
            }
        }
        Ok(RestoreReport {
            manifest: staged.manifest,
            tokens_restored,
            tokens_problem,
            missing_videos: staged.missing_videos,
            safety_backup: safety_backup.display().to_string(),
        })
    }
}

/// The newest backup that passes the integrity check: what [`recover_damaged`] restores.
pub async fn latest_good_at(data_dir: &Path) -> Option<String> {
    swap::latest_good(data_dir)
        .await
        .map(|b| rfc3339(b.created_at))
}

/// At startup, after the database was found damaged (no engine): puts the newest good backup
/// in its place and keeps the damaged file aside.
pub async fn recover_damaged(data_dir: &Path) -> CoreResult<Recovered> {
    let r = swap::restore_latest_good(data_dir, chrono::Utc::now()).await?;
    Ok(Recovered {
        backup_taken_at: rfc3339(r.backup.created_at),
        damaged_kept_in: r.damaged_kept_in.display().to_string(),
    })
}
