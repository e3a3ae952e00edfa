//! The startup media check: a scheduled post whose video moved or changed while Tokdeck was
//! closed goes to "needs attention" at start, not at publish time, and the creator is told.

use std::sync::{Arc, Weak};

use crate::ctx::Ctx;
use crate::events::{EngineEvent, NoticeLevel};
use crate::posts::service::Posts;

use super::worker::Worker;

/// Runs the check once; a stop before it ends abandons it.
pub fn spawn(ctx: &Ctx, posts: &Arc<Posts>) -> Worker {
    let weak: Weak<Posts> = Arc::downgrade(posts);
    let events = ctx.events().clone();
    Worker::spawn("startup media check", move |mut stop| async move {
        let Some(posts) = weak.upgrade() else {
            return;
        };
        let checked = tokio::select! {
            checked = posts.check_pending_media() => checked,
            _ = stop.changed() => return,
        };
        match checked {
            Ok(bad) if !bad.is_empty() => events.emit(EngineEvent::Notice {
                level: NoticeLevel::Warning,
                message: notice(bad.len()),
            }),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not check the videos of pending posts"),
        }
    })
}

fn notice(n: usize) -> String {
    format!(
        "{} scheduled post{} need{} attention: the video file moved or changed. Open the Queue to relink it.",
        n,
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" },
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_notice_agrees_with_the_count() {
        assert!(super::notice(1).starts_with("1 scheduled post needs attention"));
        assert!(super::notice(2).starts_with("2 scheduled posts need attention"));
    }
}
