//! A post's video file: checking that it is still where and what it was, relinking it after
//! it moved, and probing a new file. File I/O runs in `spawn_blocking`.

use std::path::{Path, PathBuf};

use super::dto::{CreatorRules, PostDto};
use super::files::{blocking, probe_file};
use super::service::{changed_meanwhile, Posts};
use super::status::PostStatus;
use crate::audit::Outcome;
use crate::db::audit;
use crate::db::posts::{self as db, PostRow};
use crate::error::{CoreError, CoreResult};
use crate::media::{self, FileCheck};

impl Posts {
    /// Checks a pending post's file. A moved or changed file puts the post in
    /// "needs attention" with the reason.
    pub async fn check_post_media(&self, id: i64) -> CoreResult<FileCheck> {
        let (result, flagged) = self.check_one(id).await?;
        if let Some(account_id) = flagged {
            self.posts_changed(Some(id), Some(account_id));
        }
        Ok(result)
    }

    /// Checks the files of every pending post; returns the ids that need attention. One
    /// announcement for all the posts it flagged: a thousand posts on an unplugged drive
    /// would otherwise make every page reload a thousand times.
    pub async fn check_pending_media(&self) -> CoreResult<Vec<i64>> {
        let ids = db::pending_ids(self.ctx.pool()).await?;
        let mut bad = Vec::new();
        let mut flagged = false;
        for id in ids {
            let (result, newly) = self.check_one(id).await?;
            if result != FileCheck::Ok {
                bad.push(id);
            }
            flagged |= newly.is_some();
        }
        if flagged {
            self.posts_changed(None, None);
        }
        Ok(bad)
    }

    /// A post's file checked; `Some(account)` when this check put the post in "needs
    /// attention" (recorded in the audit log), `None` when it was fine or already said so.
    async fn check_one(&self, id: i64) -> CoreResult<(FileCheck, Option<i64>)> {
        let pool = self.ctx.pool();
        let row = db::load(pool, id).await?;
        let path = PathBuf::from(&row.media_path);
        let fp = row.fingerprint();
        let result = blocking(move || media::check(&path, &fp)).await?;
        let Some(reason) = result.reason(Path::new(&row.media_path)) else {
            return Ok((result, None));
        };
        let pending = matches!(
            row.status(),
            PostStatus::Draft
                | PostStatus::Scheduled
                | PostStatus::Queued
                | PostStatus::NeedsAttention
        );
        let now = self.ctx.clock().now_ms();
        if !pending || !db::mark_needs_attention(pool, id, &reason, now).await? {
            return Ok((result, None));
        }
        audit::record(
            pool,
            Some(row.account_id),
            "post.needs_attention",
            Outcome::Error,
            &format!("post {id}: {reason}"),
        )
        .await;
        Ok((result, Some(row.account_id)))
    }

    /// Points a post at its file's new place. The file there must have the same fingerprint
    /// (size and content; a copy's new modification time is fine), unless `accept_changed`:
    /// then it is probed and validated again (against `creator` when given, else the limit
    /// stored at scheduling).
    pub async fn relink_post_media(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
        creator: Option<&CreatorRules>,
    ) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let row = db::load(pool, id).await?;
        if !row.status().editable() && row.status() != PostStatus::Queued {
            return Err(CoreError::Conflict(format!(
                "This post is {} and its file cannot be changed.",
                row.status().as_str()
            )));
        }
        let path = PathBuf::from(new_path);
        let (facts, fp) = probe_file(path.clone()).await?;
        let old = row.fingerprint();
        let facts = if fp.same_content(&old) {
            row.facts()?
        } else if accept_changed {
            let max = creator
                .and_then(|c| c.max_video_post_duration_sec)
                .or(row.max_duration_sec.and_then(|m| u32::try_from(m).ok()));
            let v = media::validate(&facts, max);
            if !v.is_empty() {
                return Err(CoreError::InvalidInput(media::describe(&v)));
            }
            facts
        } else {
            let mut diffs = Vec::new();
            if fp.size != old.size {
                diffs.push(format!("{} bytes instead of {}", fp.size, old.size));
            } else {
                diffs.push("same size, different content".to_owned());
            }
            return Err(CoreError::InvalidInput(format!(
                "{} is not the same video ({}). Choose the original file, or accept the changed file to check it again.",
                path.display(),
                diffs.join(", ")
            )));
        };
        // A post whose last publish may have reached TikTok stays where it is: back on the
        // schedule it could be posted twice (check again, mark as posted or dismiss first).
        let unknown = db::outcome_unknown(pool, id).await?;
        let unknown = unknown == Some(true);
        let back_to = if row.status() == PostStatus::NeedsAttention && !unknown {
            if row.consent_at.is_some() && row.scheduled_at.is_some() {
                "scheduled"
            } else {
                "draft"
            }
        } else {
            row.status.as_str()
        };
        let path_text = path.to_string_lossy().into_owned();
        let to = db::Relink {
            path: &path_text,
            fingerprint: &fp,
            facts: &facts,
            status: back_to,
            keep_reason: unknown,
        };
        let n = db::relink(pool, id, &row.status, to, self.ctx.clock().now_ms()).await?;
        if n == 0 {
            return Err(changed_meanwhile());
        }
        self.thumbnails.refresh(id).await;
        self.post_changed(&row, "post.relink").await
    }

    pub(super) async fn ensure_file_unchanged(&self, row: &PostRow) -> CoreResult<()> {
        let path = PathBuf::from(&row.media_path);
        let fp = row.fingerprint();
        let check = blocking(move || media::check(&path, &fp)).await?;
        match check.reason(Path::new(&row.media_path)) {
            None => Ok(()),
            Some(reason) => Err(CoreError::InvalidInput(reason)),
        }
    }
}
