//! Asking TikTok again for the public id of a published post (moderation delays it).

use std::sync::Arc;

use crate::db::publish_jobs as db;
use crate::error::CoreResult;
use crate::events::EngineEvent;

use super::state::next_public_id_ask;
use super::Publisher;

impl Publisher {
    /// Published public posts whose id TikTok has not given yet: asks again for those due
    /// (one status fetch each, at growing intervals, so a token's 30 status fetches a minute
    /// are never near), stores the id when it comes. Answers when the next one is due.
    pub(crate) async fn public_id_followups(self: &Arc<Self>) -> CoreResult<Option<i64>> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let due = db::due_public_id_followups(pool, now).await?;
        for (post_id, account_id, next_at, until, pid) in due {
            // Growing intervals: the wait doubles from the first one.
            let next = match next_public_id_ask(now, next_at, until) {
                Some(next) if !pid.is_empty() => next,
                _ => {
                    db::stop_public_id_followup(pool, post_id, next_at).await?;
                    continue;
                }
            };
            // Taken by this pass (compare-and-set): a concurrent pass skips it.
            if !db::take_public_id_followup(pool, post_id, next_at, next).await? {
                continue;
            }
            let publisher = self.clone();
            tokio::spawn(async move {
                match publisher.fetch_status_once(account_id, &pid).await {
                    Ok(st) if !st.public_post_ids.is_empty() => {
                        let ids = serde_json::to_string(&st.public_post_ids).unwrap_or_default();
                        let now = publisher.ctx.clock().now_ms();
                        let stored =
                            db::store_public_ids(publisher.ctx.pool(), post_id, &ids, now).await;
                        if matches!(stored, Ok(true)) {
                            publisher.ctx.events().emit(EngineEvent::PostsChanged {
                                post_id: Some(post_id),
                                account_id: Some(account_id),
                            });
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::info!(post_id, error = %e, "public post id not fetched; asking again later")
                    }
                }
            });
        }
        db::next_public_id_at(pool).await
    }
}
