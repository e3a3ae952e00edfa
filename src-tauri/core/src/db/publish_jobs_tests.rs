//! Tests of the publisher's SQL on a real SQLite file.

use super::*;
use crate::publisher::state::{PublishStep, HISTORY_LINES_PER_POST};

/// An account and one post of it in `status`; answers the post's id.
pub(crate) async fn post_in(pool: &SqlitePool, status: &str) -> i64 {
    sqlx::query(
        "INSERT OR IGNORE INTO accounts (id, open_id, created_at, updated_at)
         VALUES (1, 'open-1', 0, 0)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query_scalar(
        "INSERT INTO posts (account_id, status, media_path, media_size, media_mtime_ms,
             media_head_sha256, media_tail_sha256, media_facts, scheduled_at, created_at,
             updated_at)
         VALUES (1, ?, '/v.mp4', 1, 0, '', '', '{}', 0, 0, 0) RETURNING id",
    )
    .bind(status)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn post_status(pool: &SqlitePool, id: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, attention_reason FROM posts WHERE id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn open() -> (tempfile::TempDir, crate::db::open::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::db::open::Store::open(dir.path()).await.unwrap();
    (dir, store)
}

/// Runs one statement about the post `id` (its one parameter).
async fn set(pool: &SqlitePool, sql: &'static str, id: i64) {
    sqlx::query(sql).bind(id).execute(pool).await.unwrap();
}

/// Claims the post; answers whether it was taken.
pub(crate) async fn claim(pool: &SqlitePool, id: i64, now: i64) -> CoreResult<bool> {
    Ok(claim_or_park(pool, id, "why", now).await? == Claim::Claimed)
}

fn moved(job: &PublishJob, step: PublishStep) -> PublishJob {
    PublishJob {
        state: step.as_str().to_owned(),
        ..job.clone()
    }
}

#[tokio::test]
async fn a_claim_queues_the_post_creates_its_job_and_writes_the_history_line() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    assert!(load_job(pool, id).await.unwrap().is_none());
    assert!(claim(pool, id, 10).await.unwrap());
    assert_eq!(post_status(pool, id).await.0, "queued");
    let job = load_job(pool, id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.account_id), ("queued", 1));
    let h = history(pool, id).await.unwrap();
    assert_eq!((h.len(), h[0].state.as_str(), h[0].at), (1, "queued", 10));
    // No longer scheduled: refused, nothing written.
    assert!(!claim(pool, id, 11).await.unwrap());
    assert_eq!(history(pool, id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_post_whose_last_publish_has_an_unknown_outcome_is_parked_not_claimed() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    assert!(claim(pool, id, 1).await.unwrap());
    set(
        pool,
        "UPDATE publish_jobs SET outcome_unknown = 1 WHERE post_id = ?",
        id,
    )
    .await;
    assert_eq!(outcome_unknown(pool, id).await.unwrap(), Some(true));
    // Scheduled again, and paused: still parked, never claimed again blindly.
    set(
        pool,
        "UPDATE posts SET status = 'scheduled', paused_reason = 'p' WHERE id = ?",
        id,
    )
    .await;
    let lines = history(pool, id).await.unwrap().len();
    assert_eq!(
        claim_or_park(pool, id, "why", 3).await.unwrap(),
        Claim::Parked
    );
    assert_eq!(
        post_status(pool, id).await,
        ("needs_attention".to_owned(), Some("why".to_owned()))
    );
    let job = load_job(pool, id).await.unwrap().unwrap();
    assert_eq!((job.state.as_str(), job.outcome_unknown), ("queued", true));
    assert_eq!(history(pool, id).await.unwrap().len(), lines);
    // No longer scheduled: nothing more.
    assert_eq!(
        claim_or_park(pool, id, "why", 4).await.unwrap(),
        Claim::Skipped
    );
}

#[tokio::test]
async fn a_paused_post_is_not_claimed_and_a_second_claim_resets_the_job() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    set(
        pool,
        "UPDATE posts SET paused_reason = 'p' WHERE id = ?",
        id,
    )
    .await;
    assert!(!claim(pool, id, 1).await.unwrap());
    assert_eq!(post_status(pool, id).await, ("scheduled".to_owned(), None));
    assert!(load_job(pool, id).await.unwrap().is_none());
    set(
        pool,
        "UPDATE posts SET paused_reason = NULL WHERE id = ?",
        id,
    )
    .await;
    assert!(claim(pool, id, 2).await.unwrap());
    // A failed publish of it, then scheduled again: the job is reset, its publish id kept.
    set(
        pool,
        "UPDATE publish_jobs SET state = 'failed', publish_id = 'v1', attempts = 3,
             error_code = 'x', error_message = 'm', retryable = 1 WHERE post_id = ?",
        id,
    )
    .await;
    set(
        pool,
        "UPDATE posts SET status = 'scheduled' WHERE id = ?",
        id,
    )
    .await;
    assert!(claim(pool, id, 3).await.unwrap());
    let job = load_job(pool, id).await.unwrap().unwrap();
    assert_eq!(
        (
            job.state.as_str(),
            job.publish_id.as_deref(),
            job.attempts,
            job.error_code,
            job.retryable,
            job.updated_at
        ),
        ("queued", Some("v1"), 0, None, false, 3)
    );
    assert_eq!(history(pool, id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_state_is_written_with_the_post_status_and_history_or_not_at_all() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    claim(pool, id, 1).await.unwrap();
    let job = load_job(pool, id).await.unwrap().unwrap();
    let checking = moved(&job, PublishStep::Checking);
    let write = |prior_state, prior_status| StateWrite {
        job: &checking,
        prior_state,
        prior_status,
        status: "publishing",
        attention: None,
        log_id: Some("log"),
        error: None,
        now: 5,
    };
    // The post moved on meanwhile (cancelled): nothing of the job is written either.
    assert!(!write_state(pool, write("queued", "scheduled"))
        .await
        .unwrap());
    assert_eq!(load_job(pool, id).await.unwrap().unwrap().state, "queued");
    assert_eq!(history(pool, id).await.unwrap().len(), 1);
    // The job moved on meanwhile.
    assert!(!write_state(pool, write("uploading", "queued"))
        .await
        .unwrap());
    assert_eq!(post_status(pool, id).await.0, "queued");
    // Both as expected.
    assert!(write_state(pool, write("queued", "queued")).await.unwrap());
    assert_eq!(load_job(pool, id).await.unwrap().unwrap().state, "checking");
    assert_eq!(post_status(pool, id).await.0, "publishing");
    let h = history(pool, id).await.unwrap();
    assert_eq!(h.last().unwrap().log_id.as_deref(), Some("log"));
}

/// A run that ends hands its slot on: the next post's claim rides in the transaction of the
/// final state, or nothing of either is written.
#[tokio::test]
async fn a_final_state_and_the_next_posts_claim_are_written_together_or_not_at_all() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    let next = post_in(pool, "scheduled").await;
    claim(pool, id, 1).await.unwrap();
    let job = load_job(pool, id).await.unwrap().unwrap();
    let checking = moved(&job, PublishStep::Checking);
    let write = |prior_state| StateWrite {
        job: &checking,
        prior_state,
        prior_status: "queued",
        status: "publishing",
        attention: None,
        log_id: None,
        error: None,
        now: 7,
    };
    // The run's post was taken meanwhile: the next post is not claimed either.
    let refused = write_state_and_claim(pool, write("uploading"), Some((next, "why")));
    assert_eq!(refused.await.unwrap(), None);
    assert_eq!(post_status(pool, next).await.0, "scheduled");
    assert!(load_job(pool, next).await.unwrap().is_none());
    // Written, and the next post claimed in the same transaction, at the same instant.
    let written = write_state_and_claim(pool, write("queued"), Some((next, "why")));
    assert_eq!(written.await.unwrap(), Some(Some(Claim::Claimed)));
    assert_eq!(post_status(pool, next).await.0, "queued");
    let line = |h: Vec<PublishAttempt>| h.last().map(|l| (l.state.clone(), l.at));
    assert_eq!(
        line(history(pool, id).await.unwrap()),
        Some(("checking".into(), 7))
    );
    assert_eq!(
        line(history(pool, next).await.unwrap()),
        Some(("queued".into(), 7))
    );
    // A next post no longer scheduled is skipped; the state is written all the same.
    let uploading = moved(&checking, PublishStep::Uploading);
    let w = StateWrite {
        job: &uploading,
        prior_state: "checking",
        prior_status: "publishing",
        ..write("checking")
    };
    let skipped = write_state_and_claim(pool, w, Some((next, "why")));
    assert_eq!(skipped.await.unwrap(), Some(Some(Claim::Skipped)));
    assert_eq!(
        load_job(pool, id).await.unwrap().unwrap().state,
        "uploading"
    );
    assert_eq!(history(pool, next).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_history_is_trimmed_to_its_last_lines() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    claim(pool, id, 1).await.unwrap();
    let job = load_job(pool, id).await.unwrap().unwrap();
    let attention = moved(&job, PublishStep::NeedsAttention);
    let queued = moved(&job, PublishStep::Queued);
    for i in 0..HISTORY_LINES_PER_POST {
        let (from, to, st, pst) = if i % 2 == 0 {
            (&job, &attention, "needs_attention", "queued")
        } else {
            (&attention, &queued, "queued", "needs_attention")
        };
        let w = StateWrite {
            job: to,
            prior_state: &from.state,
            prior_status: pst,
            status: st,
            attention: Some("a"),
            log_id: None,
            error: Some("e"),
            now: 2 + i,
        };
        assert!(write_state(pool, w).await.unwrap());
    }
    let h = history(pool, id).await.unwrap();
    assert_eq!(h.len() as i64, HISTORY_LINES_PER_POST);
    assert_eq!(h[0].at, 2, "the claim's line went first");
    assert_eq!(
        count_history_errors(pool, id, "e").await.unwrap(),
        HISTORY_LINES_PER_POST
    );
}

#[tokio::test]
async fn progress_deadlines_and_the_void_job_touch_only_their_rows() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "scheduled").await;
    claim(pool, id, 1).await.unwrap();
    save_progress(pool, id, 512, 2).await.unwrap();
    assert_eq!(confirmed_bytes(pool, id).await.unwrap(), Some(512));
    set_processing_deadline(pool, id, 99).await.unwrap();
    let job = load_job(pool, id).await.unwrap().unwrap();
    assert_eq!(job.processing_deadline_at, None, "only a processing job");
    retry_unfinished_at(pool, id, 77).await.unwrap();
    assert_eq!(
        load_job(pool, id).await.unwrap().unwrap().next_retry_at,
        Some(77)
    );
    delete_void_job(pool, id).await.unwrap();
    assert_eq!(confirmed_bytes(pool, id).await.unwrap(), None);
    assert_eq!(outcome_unknown(pool, id).await.unwrap(), None);
}

#[tokio::test]
async fn a_public_id_followup_is_taken_once_and_stops_when_stored() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "published").await;
    set(
        pool,
        "INSERT INTO publish_jobs (post_id, account_id, state, publish_id, public_id_next_at,
             public_id_until, created_at, updated_at)
         VALUES (?, 1, 'published', 'pid', 100, 1000, 0, 0)",
        id,
    )
    .await;
    assert!(due_public_id_followups(pool, 99).await.unwrap().is_empty());
    assert_eq!(
        due_public_id_followups(pool, 100).await.unwrap(),
        vec![(id, 1, 100, 1000, "pid".to_owned())]
    );
    assert!(take_public_id_followup(pool, id, 100, 200).await.unwrap());
    assert!(
        !take_public_id_followup(pool, id, 100, 300).await.unwrap(),
        "taken"
    );
    assert_eq!(next_public_id_at(pool).await.unwrap(), Some(200));
    assert!(store_public_ids(pool, id, r#"["1"]"#, 5).await.unwrap());
    assert_eq!(next_public_id_at(pool).await.unwrap(), None);
    let job = load_job(pool, id).await.unwrap().unwrap();
    assert_eq!(job.public_post_ids.as_deref(), Some(r#"["1"]"#));
    stop_public_id_followup(pool, id, 200).await.unwrap();
}

#[tokio::test]
async fn clearing_the_attention_reason_needs_the_post_back_in_the_queue() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = post_in(pool, "needs_attention").await;
    set(
        pool,
        "UPDATE posts SET attention_reason = 'x' WHERE id = ?",
        id,
    )
    .await;
    clear_queued_attention(pool, id).await.unwrap();
    assert_eq!(post_status(pool, id).await.1.as_deref(), Some("x"));
    set(pool, "UPDATE posts SET status = 'queued' WHERE id = ?", id).await;
    clear_queued_attention(pool, id).await.unwrap();
    assert_eq!(post_status(pool, id).await.1, None);
}
