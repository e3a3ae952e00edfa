//! Unit tests of the publisher's states and transition rules (no I/O).

use super::*;

fn job(state: PublishStep) -> PublishJob {
    PublishJob {
        post_id: 7,
        account_id: 3,
        state: state.as_str().to_owned(),
        publish_id: None,
        upload_url_expires_at: None,
        video_size: None,
        chunk_size: None,
        total_chunks: None,
        confirmed_bytes: 0,
        attempts: 0,
        next_retry_at: None,
        retryable: false,
        outcome_unknown: false,
        error_code: None,
        error_message: None,
        log_id: None,
        tiktok_status: None,
        public_post_ids: None,
        created_at: 1,
        updated_at: 1,
        processing_deadline_at: None,
        public_id_next_at: None,
        public_id_until: None,
    }
}

#[test]
fn every_step_round_trips_through_its_text_and_unknown_text_is_queued() {
    use PublishStep::*;
    for s in [
        Queued,
        Checking,
        Initializing,
        Uploading,
        Processing,
        Published,
        Failed,
        NeedsAttention,
    ] {
        assert_eq!(PublishStep::parse(s.as_str()), s);
    }
    assert_eq!(PublishStep::parse("bogus"), Queued);
    assert!(Published.is_final() && Failed.is_final() && NeedsAttention.is_final());
    assert!(!Processing.is_final());
    assert_eq!(Uploading.post_status(), PostStatus::Publishing);
    assert_eq!(Queued.post_status(), PostStatus::Queued);
}

#[test]
fn forgetting_a_publish_clears_its_id_plan_and_progress_but_keeps_the_rest() {
    let mut j = job(PublishStep::Uploading);
    j.publish_id = Some("p".into());
    j.upload_url_expires_at = Some(9);
    j.video_size = Some(100);
    j.chunk_size = Some(10);
    j.total_chunks = Some(10);
    j.confirmed_bytes = 50;
    j.tiktok_status = Some("Failed".into());
    j.attempts = 2;
    let applied = Change {
        forget_publish: true,
        log_id: Some("log".into()),
        ..Default::default()
    }
    .apply(&mut j, PublishStep::Checking, 42);
    assert_eq!(j.state, "checking");
    assert_eq!(
        (
            j.publish_id,
            j.video_size,
            j.confirmed_bytes,
            j.tiktok_status
        ),
        (None, None, 0, None)
    );
    assert_eq!((j.attempts, j.updated_at), (2, 42));
    assert_eq!(j.log_id.as_deref(), Some("log"));
    assert_eq!(applied.log_id.as_deref(), Some("log"));
    assert_eq!(applied.error_text, None);
}

#[test]
fn an_error_is_set_as_code_and_message_and_some_none_clears_it() {
    let mut j = job(PublishStep::Checking);
    let applied = Change {
        error: Some(Some(("code".into(), "message".into()))),
        public_post_ids: Some(vec!["1".into()]),
        next_retry_at: Some(Some(5)),
        ..Default::default()
    }
    .apply(&mut j, PublishStep::Failed, 1);
    assert_eq!(applied.error_text.as_deref(), Some("message"));
    assert_eq!(j.error_code.as_deref(), Some("code"));
    assert_eq!(j.public_post_ids.as_deref(), Some(r#"["1"]"#));
    assert_eq!(j.next_retry_at, Some(5));
    let applied = Change {
        error: Some(None),
        next_retry_at: Some(None),
        ..Default::default()
    }
    .apply(&mut j, PublishStep::Queued, 2);
    assert_eq!(applied.error_text, None);
    assert_eq!(
        (j.error_code, j.error_message, j.next_retry_at),
        (None, None, None)
    );
    // Untouched fields stay.
    assert_eq!(j.public_post_ids.as_deref(), Some(r#"["1"]"#));
}

#[test]
fn an_unknown_outcome_change_keeps_the_log_id() {
    let c = Change::unknown_outcome(Some("l"));
    assert_eq!(c.outcome_unknown, Some(true));
    assert_eq!(c.log_id.as_deref(), Some("l"));
    assert_eq!(Change::logged(None).log_id, None);
}

#[test]
fn a_run_asks_tiktok_before_any_second_init() {
    let mut j = job(PublishStep::Queued);
    assert_eq!(next_step(&j, true), Next::Check);
    j.publish_id = Some("p".into());
    assert_eq!(next_step(&j, true), Next::Reconcile);
    assert_eq!(next_step(&j, false), Next::Reconcile);
    j.tiktok_status = Some("Failed".into());
    assert_eq!(next_step(&j, true), Next::Check, "TikTok said it failed");
}

#[test]
fn an_init_intent_found_at_start_is_an_unknown_outcome_unless_its_id_was_kept() {
    let mut j = job(PublishStep::Initializing);
    assert_eq!(next_step(&j, true), Next::UnknownInit);
    assert_eq!(next_step(&j, false), Next::Init);
    j.publish_id = Some("p".into());
    assert_eq!(next_step(&j, true), Next::Reconcile);
    assert_eq!(next_step(&job(PublishStep::Uploading), true), Next::Upload);
    assert_eq!(next_step(&job(PublishStep::Processing), true), Next::Poll);
    for s in [
        PublishStep::Published,
        PublishStep::Failed,
        PublishStep::NeedsAttention,
    ] {
        assert_eq!(next_step(&job(s), true), Next::Stop);
    }
}

#[test]
fn only_a_due_keychain_wait_is_retried_by_itself() {
    let mut j = job(PublishStep::NeedsAttention);
    j.next_retry_at = Some(100);
    assert!(!keychain_retry_due(&j, 200), "another reason");
    j.error_code = Some(KEYCHAIN_WAIT_CODE.into());
    assert!(!keychain_retry_due(&j, 99));
    assert!(keychain_retry_due(&j, 100));
    assert_eq!(keychain_wait_ms(0), 30_000);
    assert_eq!(keychain_wait_ms(1), 60_000);
    assert_eq!(keychain_wait_ms(50), KEYCHAIN_RETRY_CAP_MS);
}

#[test]
fn backoff_doubles_with_jitter_and_is_capped() {
    for attempt in 0..30 {
        let b = backoff_ms(attempt);
        let base = RETRY_BASE_MS
            .saturating_mul(1i64 << attempt.clamp(0, 20))
            .min(RETRY_CAP_MS);
        assert!(b >= (base as f64 * 0.79) as i64 && b <= (base as f64 * 1.21) as i64);
    }
}

#[test]
fn the_last_chunk_counts_as_in_flight_once_every_earlier_chunk_is_confirmed() {
    let mut j = job(PublishStep::Uploading);
    j.video_size = Some(100);
    j.chunk_size = Some(30);
    j.total_chunks = Some(3);
    j.confirmed_bytes = 59;
    assert!(!last_chunk_in_flight(&j));
    j.confirmed_bytes = 60;
    assert!(last_chunk_in_flight(&j));
    assert!(
        last_chunk_in_flight(&job(PublishStep::Uploading)),
        "one chunk"
    );
    j.upload_url_expires_at = Some(10);
    assert!(upload_url_live(&j, 9) && !upload_url_live(&j, 10));
}

#[test]
fn only_an_ended_job_with_a_known_outcome_may_be_retried() {
    let mut j = job(PublishStep::Failed);
    assert!(safe_to_retry(&j));
    j.outcome_unknown = true;
    assert!(!safe_to_retry(&j));
    assert!(!safe_to_retry(&job(PublishStep::Uploading)));
    assert!(safe_to_retry(&job(PublishStep::NeedsAttention)));
}

#[test]
fn the_public_id_is_asked_for_at_doubling_intervals_within_its_window() {
    let until = 10 * PUBLIC_ID_WINDOW_MS;
    let start = until - PUBLIC_ID_WINDOW_MS;
    let first = start + PUBLIC_ID_FIRST_MS;
    assert_eq!(
        next_public_id_ask(first, first, until),
        Some(first + PUBLIC_ID_FIRST_MS)
    );
    let later = start + 4 * PUBLIC_ID_FIRST_MS;
    assert_eq!(
        next_public_id_ask(later, later, until),
        Some(later + 4 * PUBLIC_ID_FIRST_MS)
    );
    let late = until - 1;
    assert_eq!(
        next_public_id_ask(late, late, until),
        Some(late + PUBLIC_ID_MAX_INTERVAL_MS)
    );
    assert_eq!(next_public_id_ask(until + 1, until, until), None);
}

#[test]
fn posting_caps_are_waits_not_failures() {
    use tiktok_api::UserAction as A;
    assert!(is_cap(A::TooManyPosts) && is_cap(A::ActiveUserCap));
    assert!(!is_cap(A::Duration));
}
