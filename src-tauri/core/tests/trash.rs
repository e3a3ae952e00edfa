//! Trash through the engine (#13, trap 2): Delete and Cancel keep the post, Undo gives it back
//! as it was (scheduled only while its time is ahead and its account connected), Restore gives
//! a draft, and after 30 days the clean-up removes the post but never the creator's video.

mod common;
mod media_common;

use std::time::Duration;

use tokdeck_core::clock::Clock;
use tokdeck_core::error::CoreError;
use tokdeck_core::posts::{PostStatus, When};

use common::publish::Publishing as T;

fn in_minutes(clock: &Clock, min: i64) -> When {
    let t = clock.now() + chrono::Duration::minutes(min);
    When::At {
        local: t.format("%Y-%m-%dT%H:%M").to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}

async fn start() -> T {
    T::start(media_common::h264).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_gives_a_post_back_as_it_was_or_as_a_draft_and_says_why() {
    let t = start().await;
    let e = &t.h.engine;
    let (_, a) = t.account("tara").await;
    // Scheduled, time still ahead: back scheduled at the same instant.
    let ahead = t.draft(a, "ahead").await;
    t.schedule(ahead, in_minutes(e.clock(), 120)).await;
    let at = e.post(ahead).await.unwrap().scheduled_at;
    e.delete_post(ahead).await.unwrap();
    assert_eq!(e.post(ahead).await.unwrap().status, PostStatus::Cancelled);
    let back = e.undo_trash(ahead).await.unwrap();
    assert_eq!(back.post.status, PostStatus::Scheduled);
    assert_eq!(back.post.scheduled_at, at);
    assert!(back.note.is_none());
    // Cancelled, then its time passed: a draft, and the note says so.
    e.cancel_post(ahead).await.unwrap();
    e.clock().advance(Duration::from_secs(3 * 3600));
    let back = e.undo_trash(ahead).await.unwrap();
    assert_eq!(back.post.status, PostStatus::Draft);
    assert!(back.note.unwrap().contains("time has passed"));
    // Undo twice: the second is refused with the reason, nothing changes.
    let again = e.undo_trash(ahead).await.unwrap_err();
    assert!(matches!(again, CoreError::Conflict(ref m) if m.contains("not in Trash")));
    // A draft deleted comes back a draft.
    let draft = t.draft(a, "just a draft").await;
    e.delete_post(draft).await.unwrap();
    assert_eq!(
        e.undo_trash(draft).await.unwrap().post.status,
        PostStatus::Draft
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_in_trash_is_never_published_and_restore_gives_a_draft() {
    let t = start().await;
    let e = &t.h.engine;
    let (open_id, a) = t.account("uma").await;
    e.start_background();
    let id = t.draft(a, "due soon").await;
    t.schedule(id, in_minutes(e.clock(), 2)).await;
    e.delete_post(id).await.unwrap();
    // Well past its time: the scheduler must not take it.
    e.clock().advance(Duration::from_secs(600));
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(e.post(id).await.unwrap().status, PostStatus::Cancelled);
    assert!(t.sim_posts_of(&open_id).await.is_empty(), "nothing sent");
    let listed = e.trash().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].deleted);
    assert_eq!(listed[0].was, PostStatus::Scheduled);
    assert_eq!(listed[0].days_left, 30);
    // Restore: a draft, off the schedule, content kept; still nothing sent.
    let back = e.restore_post(id).await.unwrap();
    assert_eq!(back.post.status, PostStatus::Draft);
    assert!(back.post.scheduled_at.is_none());
    assert_eq!(back.post.caption, "due soon");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(t.sim_posts_of(&open_id).await.is_empty(), "nothing sent");
    assert!(e.trash().await.unwrap().is_empty());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_30_days_the_clean_up_removes_the_post_but_never_the_video() {
    let t = start().await;
    let e = &t.h.engine;
    let (_, a) = t.account("vera").await;
    let (old, young) = (t.draft(a, "old").await, t.draft(a, "young").await);
    let video = std::path::PathBuf::from(e.post(old).await.unwrap().media_path);
    e.delete_post(old).await.unwrap();
    e.clock().advance(Duration::from_secs(20 * 86_400));
    e.cancel_post(young).await.unwrap();
    assert_eq!(
        e.purge_trash().await.unwrap(),
        0,
        "nothing is 30 days old yet"
    );
    e.clock().advance(Duration::from_secs(10 * 86_400 + 60));
    assert_eq!(e.purge_trash().await.unwrap(), 1);
    assert!(matches!(e.post(old).await, Err(CoreError::NotFound(_))));
    assert_eq!(e.trash().await.unwrap()[0].days_left, 20);
    assert!(video.exists(), "the creator's video is never deleted");
    // Empty trash takes the rest; Delete forever of what is gone is what was asked.
    assert_eq!(e.empty_trash().await.unwrap(), 1);
    e.delete_forever(young).await.unwrap();
    assert!(video.exists());
    t.h.engine.shutdown().await;
}
