//! `Backups`: the automatic backups (with their status and failure reports) and "Back up
//! now" to a file the creator chose. Restores are in `restore.rs`, relinking moved videos in
//! `relink.rs`, exports in `export.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, SecondsFormat, Utc};

use super::archive;
use super::dto::{BackupEntry, BackupFailure, BackupStatus, Manifest, ManifestAccount};
use crate::accounts::tokens::{access_entry, refresh_entry};
use crate::audit::Outcome;
use crate::ctx::Ctx;
use crate::db::backup::{self as db_backup, BackupFile, BackupKind};
use crate::db::export as db;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};
use crate::posts::service::Posts;
use crate::tiktok_config::CLIENT_SECRET_ENTRY;

pub struct Backups {
    pub(super) ctx: Ctx,
    pub(super) posts: Arc<Posts>,
    failure: Mutex<Option<BackupFailure>>,
}

pub(super) fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl Backups {
    pub fn new(ctx: Ctx, posts: Arc<Posts>) -> Self {
        Self {
            ctx,
            posts,
            failure: Mutex::new(None),
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.ctx.clock().now_ms()).unwrap_or_else(Utc::now)
    }

    pub fn status(&self) -> BackupStatus {
        let all = db_backup::list(self.ctx.data_dir());
        BackupStatus {
            last_good_at: all.first().map(|b| rfc3339(b.created_at)),
            last_failure: self.failure.lock().ok().and_then(|f| f.clone()),
            backups: all
                .iter()
                .map(|b| BackupEntry {
                    kind: b.kind.as_str().to_owned(),
                    created_at: rfc3339(b.created_at),
                    size: b.size,
                })
                .collect(),
            folder: db_backup::backup_dir(self.ctx.data_dir())
                .display()
                .to_string(),
        }
    }

    /// When the newest daily backup was taken (the worker waits a day from it).
    pub fn last_daily(&self) -> Option<DateTime<Utc>> {
        db_backup::list(self.ctx.data_dir())
            .into_iter()
            .find(|b| b.kind == BackupKind::Daily)
            .map(|b| b.created_at)
    }

    /// Takes a backup into the data folder's `backups/`. A failure is remembered for the
    /// status, written to the activity log and announced as a notification, then returned.
    pub async fn run_automatic(&self, kind: BackupKind) -> CoreResult<BackupFile> {
        let result =
            db_backup::snapshot(self.ctx.pool(), self.ctx.data_dir(), kind, self.now()).await;
        match result {
            Ok(file) => {
                if let Ok(mut f) = self.failure.lock() {
                    *f = None;
                }
                self.ctx
                    .audit(None, "backup.auto", Outcome::Ok, kind.as_str())
                    .await;
                Ok(file)
            }
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(error = %reason, kind = kind.as_str(), "backup failed");
                if let Ok(mut f) = self.failure.lock() {
                    *f = Some(BackupFailure {
                        at: rfc3339(self.now()),
                        reason: reason.clone(),
                    });
                }
                self.ctx
                    .audit(None, "backup.auto", Outcome::Error, &reason)
                    .await;
                self.ctx.events().emit(EngineEvent::Notify {
                    notification: NotificationKind::General,
                    title: "Backup failed".to_owned(),
                    body: reason,
                });
                Err(e.into())
            }
        }
    }

    /// Writes a `.tokdeck-backup` file to `dest`. With a passphrase, the accounts' keychain
    /// entries (and the TikTok app's client secret) go in too, encrypted to it.
    pub async fn back_up_to(&self, dest: &Path, passphrase: Option<&str>) -> CoreResult<Manifest> {
        if passphrase.is_some_and(|p| p.trim().len() < 8) {
            return Err(CoreError::InvalidInput(
                "Choose a passphrase of at least 8 characters to protect the accounts' connections.".to_owned(),
            ));
        }
        let dest = with_extension(dest);
        let staging = dest.with_file_name(format!(
            ".tokdeck-backup-db-{}.partial",
            self.now().timestamp_millis()
        ));
        let result = self.write_backup(&dest, &staging, passphrase).await;
        let _ = std::fs::remove_file(&staging);
        let detail = match &result {
            Ok(_) => format!("to {}", dest.display()),
            Err(e) => e.to_string(),
        };
        let outcome = if result.is_ok() {
            Outcome::Ok
        } else {
            Outcome::Error
        };
        self.ctx.audit(None, "backup.now", outcome, &detail).await;
        result
    }

    async fn write_backup(
        &self,
        dest: &Path,
        staging: &Path,
        passphrase: Option<&str>,
    ) -> CoreResult<Manifest> {
        db_backup::copy_into(self.ctx.pool(), staging).await?;
        db_backup::check::verify_copy(staging).await?;
        let secrets = match passphrase {
            Some(p) => Some(self.sealed_secrets(p).await?),
            None => None,
        };
        let staged = staging.to_path_buf();
        let (sha, size) = blocking(move || archive::sha256_file(&staged))
            .await?
            .map_err(|e| CoreError::Unavailable(db_backup::io_reason(&e)))?;
        let mut manifest = manifest_of(self.ctx.pool(), self.now()).await?;
        manifest.tokens_included = secrets.is_some();
        manifest.database_sha256 = sha;
        manifest.database_size = size;
        let (d, s, m) = (dest.to_path_buf(), staging.to_path_buf(), manifest.clone());
        blocking(move || archive::write(&d, &m, &s, secrets.as_deref()))
            .await?
            .map_err(|e| CoreError::Unavailable(e.to_string()))?;
        Ok(manifest)
    }

    /// The keychain entries of every account and of the TikTok app, as JSON, encrypted.
    async fn sealed_secrets(&self, passphrase: &str) -> CoreResult<Vec<u8>> {
        let mut names = vec![CLIENT_SECRET_ENTRY.to_owned()];
        for open_id in db::account_open_ids(self.ctx.pool()).await? {
            names.push(access_entry(&open_id));
            names.push(refresh_entry(&open_id));
        }
        let mut entries = BTreeMap::new();
        for name in names {
            if let Some(v) = self.ctx.secrets().get(&name).await? {
                entries.insert(name, v.expose().to_owned());
            }
        }
        let json = serde_json::to_vec(&entries).map_err(|e| CoreError::Internal(e.to_string()))?;
        let p = passphrase.to_owned();
        blocking(move || archive::encrypt(&json, &p))
            .await?
            .map_err(|e| CoreError::Unavailable(e.to_string()))
    }
}

/// The manifest of the database behind `pool` (database fields left for the caller).
pub(super) async fn manifest_of(
    pool: &sqlx::SqlitePool,
    now: DateTime<Utc>,
) -> CoreResult<Manifest> {
    let accounts = db::account_handles(pool)
        .await?
        .into_iter()
        .map(|a| ManifestAccount {
            handle: format!("@{}", a.username),
            display_name: a.display_name,
            status: a.status,
            removed: a.removed,
        })
        .collect();
    Ok(Manifest {
        format: archive::FORMAT,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: db::schema_version(pool).await?.unwrap_or(0),
        created_at: rfc3339(now),
        accounts,
        post_counts: db::post_counts(pool).await?.into_iter().collect(),
        tokens_included: false,
        database_sha256: String::new(),
        database_size: 0,
    })
}

fn with_extension(dest: &Path) -> PathBuf {
    if dest.extension().is_some_and(|e| e == archive::EXTENSION) {
        dest.to_path_buf()
    } else {
        let mut name = dest.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".{}", archive::EXTENSION));
        dest.with_file_name(name)
    }
}

pub(super) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))
}
