//! The rule every path that would send a post to TikTok again checks first.

use sqlx::SqlitePool;

use super::notify::UNKNOWN_OUTCOME_MESSAGE;
use crate::error::{CoreError, CoreResult};

/// Refuses to schedule again a post whose last publish may have reached TikTok: the creator
/// must check TikTok first (mark as posted, or dismiss), or it could be posted twice.
pub async fn ensure_outcome_known(pool: &SqlitePool, post_id: i64) -> CoreResult<()> {
    let unknown = crate::db::publish_jobs::outcome_unknown(pool, post_id).await?;
    if unknown == Some(true) {
        return Err(CoreError::Conflict(UNKNOWN_OUTCOME_MESSAGE.to_owned()));
    }
    Ok(())
}
