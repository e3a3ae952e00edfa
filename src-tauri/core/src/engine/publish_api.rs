//! The engine's publish operations, each delegating in one line to the service that owns it.

use super::Engine;
use crate::error::CoreResult;
use crate::posts::PostDto;
use crate::publisher::{OnTiktok, PublishAttempt, PublishJob};

impl Engine {
    /// The publish job of a post, if it ever entered publishing.
    pub async fn publish_job(&self, post_id: i64) -> CoreResult<Option<PublishJob>> {
        self.publisher.publish_job(post_id).await
    }

    /// The post's publish history, oldest first.
    pub async fn publish_history(&self, post_id: i64) -> CoreResult<Vec<PublishAttempt>> {
        self.publisher.publish_history(post_id).await
    }

    /// The post on TikTok: its public links, when it was published, inbox or not.
    pub async fn on_tiktok(&self, post_id: i64) -> CoreResult<OnTiktok> {
        self.publisher.on_tiktok(post_id).await
    }

    /// The web page of one of the post's public ids (built by the engine, never passed in).
    pub async fn tiktok_link(&self, post_id: i64, public_id: &str) -> CoreResult<String> {
        self.publisher.tiktok_link(post_id, public_id).await
    }

    /// Tries a failed or stuck post again — only when that cannot post it twice.
    pub async fn retry_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        self.publisher.retry_publish(post_id).await
    }

    /// The creator checked TikTok and the post is there: published.
    pub async fn mark_as_posted(&self, post_id: i64) -> CoreResult<PostDto> {
        self.publisher.mark_as_posted(post_id).await
    }

    /// The creator checked TikTok and the post is not there: failed, and retry is now safe.
    pub async fn dismiss_unknown_outcome(&self, post_id: i64) -> CoreResult<PostDto> {
        self.publisher.dismiss_unknown_outcome(post_id).await
    }

    /// "Check again": asks TikTok once about a post whose outcome is unknown.
    pub async fn check_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        self.publisher.check_publish(post_id).await
    }

    /// Cancels a post that has not started publishing.
    pub async fn cancel_publish(&self, post_id: i64) -> CoreResult<PostDto> {
        self.publisher.cancel_publish(post_id).await
    }

    /// How late a post may be (after the app was closed, asleep or paused) and still be
    /// published.
    pub async fn missed_grace_minutes(&self) -> CoreResult<u32> {
        self.publisher.missed_grace_minutes().await
    }

    pub async fn set_missed_grace_minutes(&self, minutes: u32) -> CoreResult<u32> {
        self.publisher.set_missed_grace_minutes(minutes).await
    }

    /// Scheduler passes (wake-ups) since the engine started.
    pub fn scheduler_wakeups(&self) -> u64 {
        self.publisher.scheduler_wakeups()
    }

    /// Post ids being published right now.
    pub fn active_publishes(&self) -> Vec<i64> {
        self.publisher.active_publishes()
    }
}
