//! Tests of the `posts` SQL on a real SQLite file; the helpers serve the other post db tests.

use super::trash::{to_trash, Cancel};
use super::*;
use crate::db::open::Store;
use crate::media::{Container, VideoCodec};
use crate::posts::dto::Commercial;
use crate::posts::status::PostMode;

pub(crate) async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    (dir, store)
}

pub(crate) async fn account(pool: &SqlitePool, open_id: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO accounts (open_id, username, created_at, updated_at)
         VALUES (?, ?, 0, 0) RETURNING id",
    )
    .bind(open_id)
    .bind(open_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn content() -> Content {
    Content {
        caption: "hello".to_owned(),
        privacy_level: None,
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    }
}

fn fp() -> Fingerprint {
    Fingerprint {
        size: 10,
        mtime_ms: 1,
        head_sha256: "aa".to_owned(),
        tail_sha256: "bb".to_owned(),
    }
}

fn facts() -> VideoFacts {
    VideoFacts {
        container: Container::Mp4,
        codec: VideoCodec::H264,
        codec_tag: "avc1".to_owned(),
        width: 1080,
        height: 1920,
        frame_rate: 30.0,
        duration_ms: 5000,
        size_bytes: 10,
    }
}

pub(crate) async fn draft(pool: &SqlitePool, account_id: i64) -> i64 {
    insert(pool, account_id, &content(), "/v.mp4", &fp(), &facts(), 7)
        .await
        .unwrap()
}

fn slot(at: i64) -> Slot {
    Slot {
        at,
        zone: "UTC".to_owned(),
        local: "1970-01-01T00:00".to_owned(),
        publish_now: false,
    }
}

#[tokio::test]
async fn a_draft_reads_back_and_a_missing_post_is_not_found() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let id = draft(pool, a).await;
    let row = load(pool, id).await.unwrap();
    assert_eq!((row.account_id, row.status.as_str()), (a, "draft"));
    assert_eq!((row.media_path.as_str(), row.created_at), ("/v.mp4", 7));
    assert_eq!(row.fingerprint(), fp());
    assert!(matches!(
        load(pool, id + 1).await,
        Err(CoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn writes_are_compare_and_set_on_the_status_read() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let id = draft(pool, account(pool, "a").await).await;
    assert_eq!(
        schedule(pool, id, "queued", &slot(50), None, 9)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        schedule(pool, id, "draft", &slot(50), Some(60), 9)
            .await
            .unwrap(),
        1
    );
    let row = load(pool, id).await.unwrap();
    assert_eq!(row.status, "scheduled");
    assert_eq!(
        (row.scheduled_at, row.consent_at, row.max_duration_sec),
        (Some(50), Some(9), Some(60))
    );
    assert_eq!(
        update_content(pool, id, "draft", &content(), 10)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        to_trash(pool, id, "draft", 11, false).await.unwrap(),
        Cancel::Moved
    );
    assert_eq!(
        to_trash(pool, id, "scheduled", 11, false).await.unwrap(),
        Cancel::Cancelled
    );
}

#[tokio::test]
async fn cancelling_a_queued_post_takes_its_job_or_nothing() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let a = account(pool, "a").await;
    let id = draft(pool, a).await;
    sqlx::query("UPDATE posts SET status = 'queued' WHERE id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO publish_jobs (post_id, account_id, state, created_at, updated_at)
         VALUES (?, ?, 'checking', 0, 0)",
    )
    .bind(id)
    .bind(a)
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(
        to_trash(pool, id, "queued", 5, false).await.unwrap(),
        Cancel::JobStarted
    );
    assert_eq!(load(pool, id).await.unwrap().status, "queued");
    sqlx::query("UPDATE publish_jobs SET state = 'queued' WHERE post_id = ?")
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        to_trash(pool, id, "draft", 5, false).await.unwrap(),
        Cancel::Moved
    );
    assert_eq!(
        to_trash(pool, id, "queued", 5, false).await.unwrap(),
        Cancel::Cancelled
    );
    assert_eq!(load(pool, id).await.unwrap().status, "cancelled");
    assert_eq!(outcome_unknown(pool, id).await.unwrap(), None);
}

#[tokio::test]
async fn pausing_holds_only_pending_posts_of_the_account() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let (a, b) = (account(pool, "a").await, account(pool, "b").await);
    let (p1, p2, other) = (
        draft(pool, a).await,
        draft(pool, a).await,
        draft(pool, b).await,
    );
    assert_eq!(
        to_trash(pool, p2, "draft", 2, false).await.unwrap(),
        Cancel::Cancelled
    );
    assert_eq!(pause_of_account(pool, a, "removed", 3).await.unwrap(), 1);
    let paused = load(pool, p1).await.unwrap().paused_reason;
    assert_eq!(paused.as_deref(), Some("removed"));
    assert_eq!(load(pool, other).await.unwrap().paused_reason, None);
    assert_eq!(pending_ids(pool).await.unwrap(), vec![p1, other]);
    assert_eq!(resume_of_account(pool, a, 4).await.unwrap(), 1);
    assert_eq!(resume_of_account(pool, a, 4).await.unwrap(), 0);
}

#[tokio::test]
async fn copies_are_inserted_together_and_cap_times_see_them() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let (a, b) = (account(pool, "a").await, account(pool, "b").await);
    let id = draft(pool, a).await;
    schedule(pool, id, "draft", &slot(1_000), None, 9)
        .await
        .unwrap();
    let source = load(pool, id).await.unwrap();
    let ids = insert_copies(
        pool,
        &source,
        &content(),
        &facts(),
        &[(b, Some(30))],
        true,
        11,
    )
    .await
    .unwrap();
    let copy = load(pool, ids[0].1).await.unwrap();
    assert_eq!((ids[0].0, copy.status.as_str()), (b, "scheduled"));
    assert_eq!(
        (copy.scheduled_at, copy.max_duration_sec),
        (Some(1_000), Some(30))
    );
    assert_eq!(
        cap_times(pool, b, "direct", 0, 2_000, None).await.unwrap(),
        vec![1_000]
    );
    assert!(cap_times(pool, b, "direct", 0, 2_000, Some(copy.id))
        .await
        .unwrap()
        .is_empty());
    assert!(cap_times(pool, b, "inbox", 0, 2_000, None)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn thumbnails_are_counted_by_path() {
    let (_dir, store) = store().await;
    let pool = store.pool();
    let id = draft(pool, account(pool, "a").await).await;
    set_thumbnail(pool, id, Some("/t/x.jpg")).await.unwrap();
    assert_eq!(thumbnail_users(pool, "/t/x.jpg").await.unwrap(), 1);
    assert_eq!(
        thumbnail_of(pool, id).await.unwrap().as_deref(),
        Some("/t/x.jpg")
    );
    let source = thumbnail_source(pool, id).await.unwrap().unwrap();
    assert_eq!(source.5.as_deref(), Some("/t/x.jpg"));
    assert_eq!(media_of(pool, id).await.unwrap().unwrap().0, "/v.mp4");
    assert_eq!(thumbnail_of(pool, id + 1).await.unwrap(), None);
}
