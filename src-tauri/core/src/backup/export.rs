//! Export: the posts (every state; times in UTC and in the post's own zone), the accounts
//! (nothing secret: tokens never leave the keychain this way), the activity log and the
//! analytics history (account snapshots, post samples), as CSV or JSON files in a folder the
//! creator chose.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use chrono_tz::Tz;
use serde::Serialize;

use super::dto::{ExportFormat, ExportReport};
use super::service::{blocking, rfc3339, Backups};
use crate::db::analytics::metrics::{self, SampleLine};
use crate::db::export::{self as db, AccountExportRow, AuditExportRow, PostExportRow};
use crate::error::{CoreError, CoreResult};

/// A post as exported: its times spelled out.
#[derive(Debug, Serialize)]
struct PostOut {
    id: i64,
    account: String,
    status: String,
    mode: String,
    caption: String,
    privacy_level: Option<String>,
    video: String,
    scheduled_utc: Option<String>,
    scheduled_local: Option<String>,
    zone: Option<String>,
    created_utc: Option<String>,
    updated_utc: Option<String>,
    attention_reason: Option<String>,
    in_trash_since_utc: Option<String>,
}

#[derive(Debug, Serialize)]
struct AccountOut {
    id: i64,
    handle: String,
    display_name: String,
    label: String,
    status: String,
    verified: bool,
    followers: Option<i64>,
    videos: Option<i64>,
    added_utc: Option<String>,
    removed_utc: Option<String>,
}

/// An account's counts at one instant (the growth charts' points).
#[derive(Debug, Serialize)]
struct SnapshotOut {
    account: String,
    taken_utc: Option<String>,
    followers: Option<i64>,
    following: Option<i64>,
    likes: Option<i64>,
    videos: Option<i64>,
}

/// A video's numbers at one age.
#[derive(Debug, Serialize)]
struct SampleOut {
    account: String,
    post_id: Option<i64>,
    tiktok_video_id: Option<String>,
    caption: String,
    published_utc: Option<String>,
    age_hours: i64,
    sampled_utc: Option<String>,
    views: i64,
    likes: i64,
    comments: i64,
    shares: i64,
}

fn sample_out(s: SampleLine) -> SampleOut {
    SampleOut {
        account: format!("@{}", s.username),
        post_id: s.post_id,
        tiktok_video_id: s.video_id,
        caption: s.caption,
        published_utc: utc(s.published_at),
        age_hours: s.age_bucket,
        sampled_utc: utc(s.sampled_at),
        views: s.views,
        likes: s.likes,
        comments: s.comments,
        shares: s.shares,
    }
}

fn utc(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(rfc3339)
}

fn post_out(p: PostExportRow) -> PostOut {
    let local = match (p.scheduled_at, p.schedule_zone.as_deref()) {
        (Some(ms), Some(zone)) => zone.parse::<Tz>().ok().and_then(|tz| {
            DateTime::from_timestamp_millis(ms).map(|t| {
                t.with_timezone(&tz)
                    .format("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
            })
        }),
        _ => None,
    };
    PostOut {
        id: p.id,
        account: format!("@{}", p.account_username),
        status: p.status,
        mode: p.mode,
        caption: p.caption,
        privacy_level: p.privacy_level,
        video: p.media_path,
        scheduled_utc: p.scheduled_at.and_then(utc),
        scheduled_local: local,
        zone: p.schedule_zone,
        created_utc: utc(p.created_at),
        updated_utc: utc(p.updated_at),
        attention_reason: p.attention_reason,
        in_trash_since_utc: p.trashed_at.and_then(utc),
    }
}

fn account_out(a: AccountExportRow) -> AccountOut {
    AccountOut {
        id: a.id,
        handle: format!("@{}", a.username),
        display_name: a.display_name,
        label: a.label,
        status: a.status,
        verified: a.verified,
        followers: a.follower_count,
        videos: a.video_count,
        added_utc: utc(a.created_at),
        removed_utc: a.removed_at.and_then(utc),
    }
}

fn write_rows<T: Serialize>(path: &Path, rows: &[T], format: ExportFormat) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial)?;
    match format {
        ExportFormat::Json => {
            serde_json::to_writer_pretty(std::io::BufWriter::new(&file), rows)
                .map_err(std::io::Error::other)?;
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::BufWriter::new(&file));
            for r in rows {
                w.serialize(r).map_err(std::io::Error::other)?;
            }
            w.flush()?;
        }
    }
    file.sync_all()?;
    std::fs::rename(&partial, path)
}

impl Backups {
    /// Writes `posts`, `accounts`, `activity`, `account-history` and `post-samples` (`.csv` or
    /// `.json`) into `folder`.
    pub async fn export(&self, folder: &Path, format: ExportFormat) -> CoreResult<ExportReport> {
        if !folder.is_dir() {
            return Err(CoreError::InvalidInput(format!(
                "{} is not a folder. Choose a folder to export into.",
                folder.display()
            )));
        }
        let pool = self.ctx.pool();
        let posts: Vec<PostOut> = db::posts(pool).await?.into_iter().map(post_out).collect();
        let accounts: Vec<AccountOut> = db::accounts(pool)
            .await?
            .into_iter()
            .map(account_out)
            .collect();
        let audit: Vec<AuditExportRow> = db::audit(pool).await?;
        let snapshots: Vec<SnapshotOut> = metrics::all_snapshots(pool, None)
            .await?
            .into_iter()
            .map(|(_, user, at, f, g, l, v)| SnapshotOut {
                account: format!("@{user}"),
                taken_utc: utc(at),
                followers: f,
                following: g,
                likes: l,
                videos: v,
            })
            .collect();
        let samples: Vec<SampleOut> = metrics::all_samples(pool, None)
            .await?
            .into_iter()
            .map(sample_out)
            .collect();
        let ext = match format {
            ExportFormat::Csv => "csv",
            ExportFormat::Json => "json",
        };
        let file = |name: &str| folder.join(format!("tokdeck-{name}.{ext}"));
        let paths: [PathBuf; 5] = [
            file("posts"),
            file("accounts"),
            file("activity"),
            file("account-history"),
            file("post-samples"),
        ];
        let report = ExportReport {
            files: paths.iter().map(|p| p.display().to_string()).collect(),
            posts: posts.len() as u32,
            accounts: accounts.len() as u32,
            audit_entries: audit.len() as u32,
            snapshots: snapshots.len() as u32,
            samples: samples.len() as u32,
        };
        blocking(move || {
            write_rows(&paths[0], &posts, format)?;
            write_rows(&paths[1], &accounts, format)?;
            write_rows(&paths[2], &audit, format)?;
            write_rows(&paths[3], &snapshots, format)?;
            write_rows(&paths[4], &samples, format)
        })
        .await?
        .map_err(|e| {
            CoreError::Unavailable(format!(
                "The export could not be written: {}.",
                crate::db::backup::io_reason(&e)
            ))
        })?;
        Ok(report)
    }
}
