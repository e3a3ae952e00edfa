//! A stored post as the rest of the engine reads it: its status, file, compose fields and the
//! `PostDto` the UI gets (the row type itself is `db::posts::PostRow`).

use chrono_tz::Tz;

use super::content::Content;
use super::dto::{Commercial, PostDto};
use super::local_time::local_text;
use super::status::{PostMode, PostStatus};
use crate::clock::rfc3339;
use crate::db::posts::PostRow;
use crate::error::{CoreError, CoreResult};
use crate::media::{Fingerprint, VideoFacts};

impl PostRow {
    pub fn status(&self) -> PostStatus {
        PostStatus::parse(&self.status)
    }
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            size: self.media_size as u64,
            mtime_ms: self.media_mtime_ms,
            head_sha256: self.media_head_sha256.clone(),
            tail_sha256: self.media_tail_sha256.clone(),
        }
    }
    pub fn facts(&self) -> CoreResult<VideoFacts> {
        serde_json::from_str(&self.media_facts)
            .map_err(|e| CoreError::Internal(format!("stored media facts unreadable: {e}")))
    }
    pub fn commercial(&self) -> Commercial {
        Commercial {
            enabled: self.commercial,
            your_brand: self.your_brand,
            branded_content: self.branded_content,
        }
    }
    /// The compose fields, to check or to copy.
    pub fn content(&self) -> Content {
        let row = self;
        Content {
            caption: row.caption.clone(),
            privacy_level: row.privacy_level.clone(),
            allow_comment: row.allow_comment,
            allow_duet: row.allow_duet,
            allow_stitch: row.allow_stitch,
            commercial: row.commercial(),
            is_aigc: row.is_aigc,
            cover_timestamp_ms: row.cover_timestamp_ms.and_then(|v| u32::try_from(v).ok()),
            mode: PostMode::parse(&row.mode),
        }
    }

    pub fn dto(&self) -> CoreResult<PostDto> {
        let zone = self
            .schedule_zone
            .as_deref()
            .and_then(|z| z.parse::<Tz>().ok());
        Ok(PostDto {
            id: self.id,
            account_id: self.account_id,
            status: self.status(),
            mode: PostMode::parse(&self.mode),
            caption: self.caption.clone(),
            privacy_level: self.privacy_level.clone(),
            allow_comment: self.allow_comment,
            allow_duet: self.allow_duet,
            allow_stitch: self.allow_stitch,
            commercial: self.commercial(),
            is_aigc: self.is_aigc,
            cover_timestamp_ms: self.cover_timestamp_ms.and_then(|v| u32::try_from(v).ok()),
            media_path: self.media_path.clone(),
            media: self.facts()?,
            fingerprint: self.fingerprint(),
            thumbnail_path: self.thumbnail_path.clone(),
            scheduled_at: self.scheduled_at.map(rfc3339),
            schedule_zone: self.schedule_zone.clone(),
            schedule_local_chosen: self.schedule_local.clone(),
            schedule_local: match (self.scheduled_at, zone) {
                (Some(at), Some(z)) => Some(local_text(at, z)),
                _ => None,
            },
            publish_now: self.publish_now,
            consent_at: self.consent_at.map(rfc3339),
            attention_reason: self.attention_reason.clone(),
            paused_reason: self.paused_reason.clone(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}
