//! Trash: Delete and Cancel move a post here instead of losing it. It is kept [`KEEP_DAYS`]
//! days, then purged (`workers/trash_purge.rs`); until then it can be restored (as a draft:
//! it must never fire unexpectedly), undone (exactly as it was, right after the creator
//! pressed Delete or Cancel), deleted forever, or the whole Trash emptied.
//!
//! Compare-and-set against the scheduler and the publisher (`db::posts::trash`): a post being
//! published cannot be trashed, and a post in Trash is `cancelled`, which no claim takes.
//! Purging removes the post's rows and Tokdeck's own thumbnail, never the creator's video.

use chrono_tz::Tz;

use super::local_time::local_text;
use super::service::{changed_meanwhile, Posts};
use super::status::PostStatus;
use super::trash_dto::{RestoreOutcome, TrashItem};
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::db::audit;
use crate::db::posts as posts_db;
use crate::db::posts::trash::{self as db, Cancel, Purged, TrashRow};
use crate::error::{CoreError, CoreResult};

/// How long a post stays in Trash before it is removed for good.
pub const KEEP_DAYS: i64 = 30;
const DAY_MS: i64 = 24 * 3600 * 1000;

impl Posts {
    /// Moves a post to Trash (the Queue's, Calendar's and composer's Delete). Refused while it
    /// is being published; a queued post only while its job has not started.
    pub async fn delete_post(&self, id: i64) -> CoreResult<()> {
        // The scheduler may claim the post between the read and the write: read again.
        for _ in 0..3 {
            if self.try_delete(id).await? {
                return Ok(());
            }
        }
        Err(changed_meanwhile())
    }

    /// One compare-and-set attempt; false when the post moved between the read and the write.
    async fn try_delete(&self, id: i64) -> CoreResult<bool> {
        let pool = self.ctx.pool();
        let row = posts_db::load(pool, id).await?;
        match row.status() {
            PostStatus::Publishing => {
                return Err(CoreError::Conflict(
                    "This post is being published right now; wait for it to finish.".to_owned(),
                ))
            }
            PostStatus::Cancelled => {
                return Err(CoreError::Conflict(
                    "This post is already in Trash. Open Trash to restore it or delete it forever."
                        .to_owned(),
                ))
            }
            _ => {}
        }
        let now = self.ctx.clock().now_ms();
        match db::to_trash(pool, id, &row.status, now, true).await? {
            Cancel::Cancelled => {}
            Cancel::Moved => return Ok(false),
            Cancel::JobStarted => {
                return Err(CoreError::Conflict(
                    "This post is being published right now and can no longer be deleted."
                        .to_owned(),
                ))
            }
        }
        self.post_changed(&row, "post.delete").await?;
        Ok(true)
    }

    /// Every post in Trash, most recently trashed first.
    pub async fn trash(&self) -> CoreResult<Vec<TrashItem>> {
        let now = self.ctx.clock().now_ms();
        let rows = db::list(self.ctx.pool()).await?;
        Ok(rows.into_iter().map(|r| trash_item(r, now)).collect())
    }

    /// Takes a post out of Trash as a draft (a published one stays published): nothing comes
    /// back on the schedule by itself.
    pub async fn restore_post(&self, id: i64) -> CoreResult<RestoreOutcome> {
        let facts = self.trashed(id).await?;
        let to = match facts.trashed_from.as_deref().map(PostStatus::parse) {
            Some(PostStatus::Published) => PostStatus::Published,
            _ => PostStatus::Draft,
        };
        let note = (to == PostStatus::Draft && facts.scheduled_at.is_some())
            .then(|| "It is back as a draft: schedule it again when you want it posted.".into());
        self.take_out(id, facts.account_id, to, note, "post.restore")
            .await
    }

    /// Undoes a Delete or Cancel: the post comes back as it was. A scheduled (or queued) post
    /// comes back scheduled only if its time is still ahead and its account still connected;
    /// otherwise it is a draft and the note says why.
    pub async fn undo_trash(&self, id: i64) -> CoreResult<RestoreOutcome> {
        let facts = self.trashed(id).await?;
        let now = self.ctx.clock().now_ms();
        let was = facts
            .trashed_from
            .as_deref()
            .map(PostStatus::parse)
            .unwrap_or(PostStatus::Draft);
        let (to, note) = match was {
            PostStatus::Scheduled | PostStatus::Queued => {
                if facts.account_removed {
                    (
                        PostStatus::Draft,
                        Some("Its account was removed, so it is back as a draft: reconnect the account, then schedule it again.".to_owned()),
                    )
                } else if facts.scheduled_at.is_some_and(|t| t > now) {
                    (PostStatus::Scheduled, None)
                } else {
                    (
                        PostStatus::Draft,
                        Some(
                            "Its time has passed, so it is back as a draft: schedule it again."
                                .to_owned(),
                        ),
                    )
                }
            }
            // Being published is never given back: a post in that state was never trashed.
            PostStatus::Publishing | PostStatus::Cancelled => (PostStatus::Draft, None),
            other => (other, None),
        };
        self.take_out(id, facts.account_id, to, note, "post.undo")
            .await
    }

    /// Removes one post from Trash for good.
    pub async fn delete_forever(&self, id: i64) -> CoreResult<()> {
        match db::delete_forever(self.ctx.pool(), id).await? {
            Some(p) => {
                self.purged(&[p], "post.delete_forever").await;
                Ok(())
            }
            None => {
                // Gone already (purged or deleted forever meanwhile) is what was asked.
                match posts_db::load(self.ctx.pool(), id).await {
                    Err(CoreError::NotFound(_)) => Ok(()),
                    Err(e) => Err(e),
                    Ok(_) => Err(CoreError::Conflict(
                        "This post is no longer in Trash (it was restored meanwhile).".to_owned(),
                    )),
                }
            }
        }
    }

    /// Removes every post in Trash for good; answers how many.
    pub async fn empty_trash(&self) -> CoreResult<u64> {
        let gone = db::purge(self.ctx.pool(), None).await?;
        self.purged(&gone, "trash.empty").await;
        Ok(gone.len() as u64)
    }

    /// Removes the posts trashed more than [`KEEP_DAYS`] days ago; answers how many.
    pub async fn purge_trash(&self) -> CoreResult<u64> {
        let before = self.ctx.clock().now_ms() - KEEP_DAYS * DAY_MS;
        let gone = db::purge(self.ctx.pool(), Some(before)).await?;
        self.purged(&gone, "trash.purge").await;
        Ok(gone.len() as u64)
    }

    async fn trashed(&self, id: i64) -> CoreResult<db::TrashedFacts> {
        let pool = self.ctx.pool();
        if let Some(f) = db::trashed_facts(pool, id).await? {
            return Ok(f);
        }
        // Says "deleted for good" when it is gone.
        posts_db::load(pool, id).await?;
        Err(CoreError::Conflict(
            "This post is not in Trash (it was restored meanwhile).".to_owned(),
        ))
    }

    async fn take_out(
        &self,
        id: i64,
        account_id: i64,
        to: PostStatus,
        note: Option<String>,
        action: &str,
    ) -> CoreResult<RestoreOutcome> {
        let pool = self.ctx.pool();
        if !db::restore(pool, id, to, self.ctx.clock().now_ms()).await? {
            return Err(changed_meanwhile());
        }
        audit::record(
            pool,
            Some(account_id),
            action,
            Outcome::Ok,
            &format!("post {id} as {}", to.as_str()),
        )
        .await;
        self.posts_changed(Some(id), Some(account_id));
        let post = posts_db::load(pool, id).await?.dto()?;
        Ok(RestoreOutcome { post, note })
    }

    /// After posts left for good: Tokdeck's thumbnails go (the videos are the creator's and
    /// stay), the activity log says so, the UI reloads.
    async fn purged(&self, gone: &[Purged], action: &str) {
        if gone.is_empty() {
            return;
        }
        for p in gone {
            self.thumbnails.forget(p.thumbnail_path.clone()).await;
        }
        let account = match gone {
            [one] => Some(one.account_id),
            _ => None,
        };
        let ids: Vec<String> = gone.iter().map(|p| p.id.to_string()).collect();
        audit::record(
            self.ctx.pool(),
            account,
            action,
            Outcome::Ok,
            &format!("posts {}", ids.join(", ")),
        )
        .await;
        self.posts_changed(None, account);
    }
}

fn trash_item(r: TrashRow, now: i64) -> TrashItem {
    let trashed_at = r.trashed_at.unwrap_or(r.updated_at);
    let purge_at = trashed_at + KEEP_DAYS * DAY_MS;
    let left = (purge_at - now).max(0);
    let zone = r
        .schedule_zone
        .as_deref()
        .and_then(|z| z.parse::<Tz>().ok());
    let post_local = match (r.scheduled_at, zone) {
        (Some(at), Some(z)) => Some(local_text(at, z)),
        _ => None,
    };
    TrashItem {
        id: r.id,
        account_id: r.account_id,
        account_title: r.account_title,
        mode: super::status::PostMode::parse(&r.mode),
        caption: r.caption,
        thumbnail_path: r.thumbnail_path,
        was: r
            .trashed_from
            .as_deref()
            .map(PostStatus::parse)
            .unwrap_or(PostStatus::Draft),
        deleted: r.deleted_at.is_some(),
        trashed_at: rfc3339(trashed_at),
        purge_at: rfc3339(purge_at),
        days_left: ((left + DAY_MS - 1) / DAY_MS) as u32,
        post_local,
        post_zone: zone.map(|z| z.name().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(trashed_at: Option<i64>) -> TrashRow {
        TrashRow {
            id: 1,
            account_id: 2,
            account_title: "@maya".into(),
            mode: "direct".into(),
            caption: "hi".into(),
            thumbnail_path: None,
            scheduled_at: Some(0),
            schedule_zone: Some("UTC".into()),
            schedule_local: None,
            trashed_from: Some("scheduled".into()),
            trashed_at,
            deleted_at: None,
            updated_at: 5,
        }
    }

    #[test]
    fn days_left_count_whole_days_to_the_purge() {
        let it = trash_item(row(Some(0)), 0);
        assert_eq!(it.days_left, 30);
        assert_eq!(trash_item(row(Some(0)), DAY_MS + 1).days_left, 29);
        assert_eq!(trash_item(row(Some(0)), 31 * DAY_MS).days_left, 0);
        assert_eq!(it.was, PostStatus::Scheduled);
        assert!(!it.deleted);
        assert_eq!(it.post_local.as_deref(), Some("1970-01-01T00:00"));
    }

    #[test]
    fn a_post_cancelled_before_trash_existed_counts_from_its_last_change() {
        let it = trash_item(row(None), 5);
        assert_eq!(it.trashed_at, rfc3339(5));
    }
}
