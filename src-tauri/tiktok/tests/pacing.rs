//! Pacing under TikTok's per-token limits with a short window (simulator and client agree on
//! 300 ms): callers never see a 429 and the calls take at least one window.

mod common;

use std::time::{Duration, Instant};

use common::Harness;
use futures_util::{stream, StreamExt};
use serde_json::json;
use tiktok_api::{ChunkPlan, PostInfo, PrivacyLevel, RetryPolicy, TikTokClient, UserField};

const WINDOW: Duration = Duration::from_millis(300);

fn paced_client(h: &Harness, window: Duration) -> TikTokClient {
    let mut c = h.config();
    c.rate_window = window;
    // No retries: a 429 would surface as an error, so success proves the pacing.
    c.retry = RetryPolicy {
        max_attempts: 1,
        ..c.retry
    };
    TikTokClient::new(c).unwrap()
}

#[tokio::test]
async fn every_group_waits_instead_of_failing() {
    let h = Harness::start().await;
    h.behaviour(json!({"rate_window_ms": WINDOW.as_millis() as u64, "pending_drafts_cap": 100, "posts_per_day_cap": 100})).await;
    let client = paced_client(&h, WINDOW);
    let (_, t) = h.connect(&client, json!({"username": "pace"}), None).await;
    let token = &t.access_token;
    let plan = ChunkPlan::for_size(1_000_000).unwrap();
    let post = PostInfo::new(PrivacyLevel::SelfOnly);

    let start = Instant::now();
    let video_inits = async {
        let s = Instant::now();
        let r = stream::iter(0..7)
            .map(|_| client.init_direct_post(token, &post, &plan))
            .buffer_unordered(7)
            .collect::<Vec<_>>()
            .await;
        (r.into_iter().filter(|r| r.is_ok()).count(), s.elapsed())
    };
    let inbox_inits = async {
        let s = Instant::now();
        let r = stream::iter(0..7)
            .map(|_| client.init_inbox(token, &plan))
            .buffer_unordered(7)
            .collect::<Vec<_>>()
            .await;
        let ids: Vec<_> = r.into_iter().map(|r| r.unwrap().publish_id).collect();
        (ids, s.elapsed())
    };
    let creator = async {
        let s = Instant::now();
        let r = stream::iter(0..21)
            .map(|_| client.creator_info(token))
            .buffer_unordered(21)
            .collect::<Vec<_>>()
            .await;
        (r.into_iter().filter(|r| r.is_ok()).count(), s.elapsed())
    };
    let display = async {
        let s = Instant::now();
        let r = stream::iter(0..601)
            .map(|_| client.user_info(token, &[UserField::OpenId]))
            .buffer_unordered(32)
            .collect::<Vec<_>>()
            .await;
        (r.into_iter().filter(|r| r.is_ok()).count(), s.elapsed())
    };
    let ((v_ok, v_t), (inbox_ids, i_t), (c_ok, c_t), (d_ok, d_t)) =
        tokio::join!(video_inits, inbox_inits, creator, display);
    assert_eq!((v_ok, inbox_ids.len(), c_ok, d_ok), (7, 7, 21, 601));
    for (name, took) in [
        ("video_init", v_t),
        ("inbox_init", i_t),
        ("creator_info", c_t),
        ("user_info", d_t),
    ] {
        assert!(
            took >= WINDOW,
            "{name} took {took:?}: the last call should have waited a window"
        );
    }
    // Status fetch: 31 calls in one window.
    let s = Instant::now();
    let ok = stream::iter(0..31)
        .map(|i| client.fetch_status(token, &inbox_ids[i % inbox_ids.len()]))
        .buffer_unordered(31)
        .filter(|r| std::future::ready(r.is_ok()))
        .count()
        .await;
    assert_eq!(ok, 31);
    assert!(s.elapsed() >= WINDOW, "status took {:?}", s.elapsed());

    // Exactly one request per call reached TikTok: nothing was refused and retried.
    for (ep, n) in [
        ("video_init", 7),
        ("inbox_init", 7),
        ("creator_info", 21),
        ("user_info", 601),
        ("status", 31),
    ] {
        assert_eq!(h.requests(ep).await, n, "{ep}");
    }
    assert!(start.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn tokens_are_paced_independently() {
    let h = Harness::start().await;
    h.behaviour(json!({"rate_window_ms": 1000})).await;
    let client = paced_client(&h, Duration::from_millis(1000));
    let (_, a) = h.connect(&client, json!({"username": "ta"}), None).await;
    let (_, b) = h.connect(&client, json!({"username": "tb"}), None).await;
    let plan = ChunkPlan::for_size(1_000_000).unwrap();
    let post = PostInfo::new(PrivacyLevel::SelfOnly);
    let s = Instant::now();
    for _ in 0..6 {
        client
            .init_direct_post(&a.access_token, &post, &plan)
            .await
            .unwrap();
    }
    for _ in 0..6 {
        client
            .init_direct_post(&b.access_token, &post, &plan)
            .await
            .unwrap();
    }
    assert!(
        s.elapsed() < Duration::from_millis(900),
        "{:?}",
        s.elapsed()
    );
}

#[tokio::test]
async fn rate_limit_answers_are_retried_with_backoff_for_reads() {
    // The client's window is shorter than TikTok's (e.g. a misconfiguration): TikTok answers
    // 429 and the client backs off until the window slides.
    let h = Harness::start().await;
    h.behaviour(json!({"rate_window_ms": 500})).await;
    let mut c = h.config();
    c.rate_window = Duration::from_millis(50);
    c.retry = RetryPolicy {
        max_attempts: 8,
        initial_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(300),
    };
    let client = TikTokClient::new(c).unwrap();
    let (_, t) = h.connect(&client, json!({"username": "rl"}), None).await;
    for _ in 0..22 {
        client.creator_info(&t.access_token).await.unwrap();
    }
    assert!(
        h.requests("creator_info").await > 22,
        "some 429s were expected and retried"
    );
}
