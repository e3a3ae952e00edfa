//! Trash's SQL on a real SQLite file: compare-and-set in and out, never claimable while in,
//! purged by age only.

use super::*;
use crate::db::posts::tests::{account, draft, store};
use crate::db::posts::{load, schedule, Slot};
use crate::db::publish_jobs::tests::claim;

async fn scheduled(pool: &SqlitePool, a: i64, at: i64) -> i64 {
    let id = draft(pool, a).await;
    let slot = Slot {
        at,
        zone: "UTC".to_owned(),
        local: "1970-01-01T00:00".to_owned(),
        publish_now: false,
    };
    assert_eq!(
        schedule(pool, id, "draft", &slot, None, 1).await.unwrap(),
        1
    );
    id
}

#[tokio::test]
async fn a_trashed_post_keeps_what_it_was_and_is_never_claimed() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let id = scheduled(pool, a, 50).await;
    // Compare-and-set on the status read before.
    assert_eq!(
        to_trash(pool, id, "draft", 10, true).await.unwrap(),
        Cancel::Moved
    );
    assert_eq!(
        to_trash(pool, id, "scheduled", 10, true).await.unwrap(),
        Cancel::Cancelled
    );
    // Already in Trash: nothing changes (its first trashing is kept).
    assert_eq!(
        to_trash(pool, id, "cancelled", 20, false).await.unwrap(),
        Cancel::Moved
    );
    let facts = trashed_facts(pool, id).await.unwrap().unwrap();
    assert_eq!(facts.trashed_from.as_deref(), Some("scheduled"));
    assert_eq!(facts.scheduled_at, Some(50));
    assert!(!facts.account_removed);
    // Due, but in Trash: the scheduler's claim does not take it.
    assert!(!claim(pool, id, 100).await.unwrap());
    let listed = list(pool).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].trashed_at, listed[0].deleted_at),
        (Some(10), Some(10))
    );
    assert_eq!(listed[0].account_title, "@a");
}

#[tokio::test]
async fn a_post_being_published_cannot_be_trashed() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let id = scheduled(pool, a, 50).await;
    assert!(claim(pool, id, 60).await.unwrap());
    sqlx::query("UPDATE publish_jobs SET state = 'uploading' WHERE post_id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        to_trash(pool, id, "queued", 70, true).await.unwrap(),
        Cancel::JobStarted
    );
    sqlx::query("UPDATE posts SET status = 'publishing' WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        to_trash(pool, id, "publishing", 70, true).await.unwrap(),
        Cancel::Moved
    );
    assert_eq!(load(pool, id).await.unwrap().status, "publishing");
}

#[tokio::test]
async fn a_restore_is_compare_and_set_and_a_draft_loses_its_instant() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let id = scheduled(pool, a, 50).await;
    assert!(!restore(pool, id, PostStatus::Draft, 5).await.unwrap());
    to_trash(pool, id, "scheduled", 10, false).await.unwrap();
    assert!(restore(pool, id, PostStatus::Draft, 11).await.unwrap());
    let row = load(pool, id).await.unwrap();
    assert_eq!((row.status.as_str(), row.scheduled_at), ("draft", None));
    assert_eq!(row.caption, "hello", "content kept");
    assert!(trashed_facts(pool, id).await.unwrap().is_none());
    // Undo as scheduled keeps the instant.
    to_trash(pool, id, "draft", 12, false).await.unwrap();
    sqlx::query("UPDATE posts SET scheduled_at = 99 WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    assert!(restore(pool, id, PostStatus::Scheduled, 13).await.unwrap());
    assert_eq!(load(pool, id).await.unwrap().scheduled_at, Some(99));
    assert!(!restore(pool, id, PostStatus::Draft, 14).await.unwrap());
}

#[tokio::test]
async fn purging_takes_only_old_trash_and_delete_forever_only_trash() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let (old, recent, live) = (
        draft(pool, a).await,
        draft(pool, a).await,
        draft(pool, a).await,
    );
    to_trash(pool, old, "draft", 100, true).await.unwrap();
    to_trash(pool, recent, "draft", 300, false).await.unwrap();
    let gone = purge(pool, Some(200)).await.unwrap();
    assert_eq!(gone.iter().map(|p| p.id).collect::<Vec<_>>(), vec![old]);
    assert!(load(pool, old).await.is_err());
    assert!(delete_forever(pool, live).await.unwrap().is_none());
    assert_eq!(load(pool, live).await.unwrap().status, "draft");
    let gone = purge(pool, None).await.unwrap();
    assert_eq!(gone.iter().map(|p| p.id).collect::<Vec<_>>(), vec![recent]);
    assert!(delete_forever(pool, recent).await.unwrap().is_none());
    assert_eq!(load(pool, live).await.unwrap().status, "draft");
}
