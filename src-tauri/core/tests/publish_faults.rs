//! The publisher's fault matrix against the in-process simulator (fast mode): every fault TikTok
//! can throw at a publish ends either published (once) or in a state the creator can act on,
//! with a message that says what to do. Complements publish_flow/ (which covers lost init
//! answers, 5xx/429 while uploading and polling, expired URLs, 401 while polling, revocation,
//! caps, restarts and scheduling).

mod common;
mod media_common;

use std::time::Duration;

use reqwest::Method;
use serde_json::json;
use tokdeck_core::accounts::tokens;
use tokdeck_core::posts::PostStatus;
use tokdeck_core::publisher::PublishStep;

use common::publish::{published_notification, sha256_file, Publishing as T};

impl T {
    async fn expire_access_token(&self, open_id: &str) {
        self.h
            .ctl(
                Method::POST,
                "/__sim/tokens/expire",
                json!({"open_id": open_id}),
            )
            .await;
    }
}

/// A creator-facing message: a sentence, not a bare TikTok code.
fn assert_readable(msg: &str, code: &str) {
    assert!(!msg.trim().is_empty(), "empty message for {code}");
    assert_ne!(msg.trim(), code, "the message is only the code");
    assert!(
        msg.split_whitespace().count() >= 5,
        "{code}: not a sentence: {msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_init_is_an_unknown_outcome_and_never_resent() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("alice").await;
    let id = t.draft(a, "dropped init").await;
    t.fault(json!({"endpoint": "video_init", "kind": "drop"}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    let job = t.job(id).await;
    assert!(job.outcome_unknown, "{job:#?}");
    assert!(!job.retryable, "{job:#?}");
    let msg = job.error_message.clone().unwrap();
    assert!(msg.contains("Outcome unknown"), "{msg}");
    assert!(msg.contains("Check TikTok before retrying"), "{msg}");
    let post = t.h.engine.post(id).await.unwrap();
    assert_eq!(post.attention_reason.as_deref(), Some(msg.as_str()));
    // The connection died with the request sent: no resend by the client, the engine, or a
    // scheduler pass.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    assert!(t.sim_posts_of(&open_id).await.is_empty());
    assert!(t.h.engine.retry_publish(id).await.is_err());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_chunk_is_resent_and_tiktok_gets_the_exact_file() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "dropped chunk").await;
    t.fault(json!({"endpoint": "upload", "kind": "drop"})).await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    assert!(t.h.requests("upload").await >= 2, "the chunk was re-sent");
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0]["status"], "PUBLISH_COMPLETE");
    assert_eq!(posts[0]["sha256"], sha256_file(&t.video).as_str());
    assert_eq!(
        t.job(id).await.confirmed_bytes as u64,
        std::fs::metadata(&t.video).unwrap().len()
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_status_answers_keep_polling_and_publish_once() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "dropped status").await;
    t.fault(json!({"endpoint": "status", "kind": "drop", "times": 3}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 30).await;
    assert_eq!(t.h.requests("video_init").await, 1);
    assert!(t.h.requests("status").await >= 4);
    assert_eq!(t.sim_posts().await.len(), 1);
    assert_eq!(
        t.job(id).await.tiktok_status.as_deref(),
        Some("PublishComplete")
    );
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_on_creator_info_and_init_are_waited_out() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("alice").await;
    let id = t.draft(a, "busy minute").await;
    let info_before = t.h.requests("creator_info").await;
    t.fault(json!({"endpoint": "creator_info", "kind": "rate_limit", "times": 2}))
        .await;
    t.fault(json!({"endpoint": "video_init", "kind": "rate_limit"}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 30).await;
    // A 429 is a clean refusal: TikTok created nothing, so even the init is resent.
    assert_eq!(t.h.requests("video_init").await, 2);
    assert!(t.h.requests("creator_info").await >= info_before + 3);
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0]["status"], "PUBLISH_COMPLETE");
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_expiring_mid_upload_is_refreshed_and_the_publish_continues() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("alice").await;
    let id = t.draft(a, "long upload").await;
    let (old_access, _) = t.h.sim_tokens(&open_id).await;
    // Hold the chunk so the token dies while the upload is under way.
    t.fault(json!({"endpoint": "upload", "kind": "delay", "delay_ms": 1500}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_step(id, PublishStep::Uploading, 15).await;
    let refreshes = t.h.requests("token").await;
    t.expire_access_token(&open_id).await;
    t.wait_status(id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("token").await, refreshes + 1, "one refresh");
    assert_eq!(t.h.requests("video_init").await, 1, "no second init");
    let posts = t.sim_posts().await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["sha256"], sha256_file(&t.video).as_str());
    let saved = t.h.keychain(&tokens::access_entry(&open_id)).await.unwrap();
    assert_ne!(saved, old_access, "the refreshed token was saved");
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_refresh_token_is_saved_and_serves_the_next_post() {
    let t = T::start(media_common::h264).await;
    t.h.ctl(
        Method::POST,
        "/__sim/behaviour",
        json!({"rotation": "always"}),
    )
    .await;
    let (open_id, a) = t.account("alice").await;
    let first = t.draft(a, "first after rotation").await;
    let second = t.draft(a, "second after rotation").await;
    let (_, refresh0) = t.h.sim_tokens(&open_id).await;
    assert_eq!(
        t.h.keychain(&tokens::refresh_entry(&open_id))
            .await
            .as_deref(),
        Some(refresh0.as_str())
    );
    t.h.engine.start_background();

    t.expire_access_token(&open_id).await;
    let refreshes = t.h.requests("token").await;
    t.publish_now(first).await;
    t.wait_status(first, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("token").await, refreshes + 1);
    let (_, refresh1) = t.h.sim_tokens(&open_id).await;
    assert_ne!(refresh1, refresh0, "TikTok rotated the refresh token");
    assert_eq!(
        t.h.keychain(&tokens::refresh_entry(&open_id))
            .await
            .as_deref(),
        Some(refresh1.as_str()),
        "the rotated refresh token is the one kept"
    );

    // The old refresh token is dead now: only the saved new one can refresh again.
    t.expire_access_token(&open_id).await;
    t.publish_now(second).await;
    t.wait_status(second, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("token").await, refreshes + 2);
    let (_, refresh2) = t.h.sim_tokens(&open_id).await;
    assert_ne!(refresh2, refresh1);
    assert_eq!(
        t.h.keychain(&tokens::refresh_entry(&open_id))
            .await
            .as_deref(),
        Some(refresh2.as_str())
    );
    assert_eq!(t.sim_posts_of(&open_id).await.len(), 2);
    let acc = t.h.find(&open_id).await.unwrap();
    assert!(
        !format!("{:?}", acc.status)
            .to_lowercase()
            .contains("reconnect"),
        "{acc:?}"
    );
    t.h.engine.shutdown().await;
}

/// How a publish TikTok ended `FAILED` with a reason must end in Tokdeck.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// TikTok-side trouble: a new publish, which goes out.
    RetriedAndPublished,
    /// A posting cap: waits for the creator, retryable.
    Caps,
    /// The grant is gone: reconnect.
    Reconnect,
    /// Failed; the message names the next step (a fragment of it).
    Failed(&'static str),
}

/// Every `fail_reason` of the reference's status section.
const FAIL_REASONS: &[(&str, Want)] = &[
    ("internal", Want::RetriedAndPublished),
    ("video_pull_failed", Want::RetriedAndPublished),
    ("photo_pull_failed", Want::RetriedAndPublished),
    ("spam_risk_too_many_posts", Want::Caps),
    ("auth_removed", Want::Reconnect),
    ("file_format_check_failed", Want::Failed("Export the video")),
    ("duration_check_failed", Want::Failed("Trim the video")),
    ("frame_rate_check_failed", Want::Failed("frames per second")),
    ("picture_size_check_failed", Want::Failed("pixels")),
    ("publish_cancelled", Want::Failed("Schedule the post again")),
    (
        "spam_risk_user_banned_from_posting",
        Want::Failed("notifications in the TikTok app"),
    ),
    ("spam_risk_text", Want::Failed("Edit the caption")),
    (
        "spam_risk",
        Want::Failed("try again or post from the TikTok app"),
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fail_reason_ends_published_or_with_its_next_step() {
    let t = T::start(media_common::h264).await;
    let mut cases = Vec::new();
    // One account per reason: posts of different accounts run in parallel, and no account
    // comes near TikTok's daily cap.
    for (i, &(reason, want)) in FAIL_REASONS.iter().enumerate() {
        let (open_id, a) = t.account(&format!("creator{i}")).await;
        let id = t.draft(a, &format!("fails with {reason}")).await;
        cases.push((reason, want, open_id, id));
    }
    // Faults on `video_init` are taken in registration order by whichever init comes next
    // (a retried publish included): one post at a time, so each meets its own reason.
    t.h.engine.start_background();
    for &(reason, want, ref open_id, id) in &cases {
        t.fault(json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": reason}))
            .await;
        t.publish_now(id).await;
        let status = match want {
            Want::RetriedAndPublished => PostStatus::Published,
            Want::Caps | Want::Reconnect => PostStatus::NeedsAttention,
            Want::Failed(_) => PostStatus::Failed,
        };
        t.wait_status(id, status, 30).await;
        let job = t.job(id).await;
        let sim = t.sim_posts_of(open_id).await;
        let failed = sim
            .iter()
            .find(|p| p["status"] == "FAILED")
            .unwrap_or_else(|| panic!("{reason}: no FAILED publish on TikTok: {sim:#?}"));
        assert_eq!(failed["fail_reason"], reason);
        let history = t.h.engine.publish_history(id).await.unwrap();
        if let Want::RetriedAndPublished = want {
            assert_eq!(
                sim.len(),
                2,
                "{reason}: one failed, one new publish: {sim:#?}"
            );
            assert!(
                sim.iter().any(|p| p["status"] == "PUBLISH_COMPLETE"),
                "{reason}: {sim:#?}"
            );
            assert!(
                history.iter().any(|h| h.error.is_some()),
                "{reason}: the failed try is in the history: {history:#?}"
            );
            assert_eq!(job.step(), PublishStep::Published);
            continue;
        }
        assert_eq!(sim.len(), 1, "{reason}: not retried: {sim:#?}");
        let msg = job.error_message.clone().unwrap_or_default();
        assert_readable(&msg, reason);
        assert!(
            !job.outcome_unknown,
            "{reason}: TikTok said how it ended: {job:#?}"
        );
        let log_id = job
            .log_id
            .clone()
            .unwrap_or_else(|| panic!("{reason}: TikTok's log id lost: {job:#?}"));
        assert_eq!(log_id.len(), 32, "{reason}: {log_id}");
        assert!(
            history
                .iter()
                .any(|h| h.log_id.as_deref() == Some(log_id.as_str())),
            "{reason}: {history:#?}"
        );
        match want {
            Want::Caps => {
                assert_eq!(job.error_code.as_deref(), Some("caps_reached"));
                assert!(job.retryable, "{reason}: {job:#?}");
                assert!(msg.contains("Try again tomorrow"), "{msg}");
            }
            Want::Reconnect => {
                assert!(msg.contains("Reconnect"), "{reason}: {msg}");
                let post = t.h.engine.post(id).await.unwrap();
                assert_eq!(post.attention_reason.as_deref(), Some(msg.as_str()));
            }
            Want::Failed(next) => {
                assert_eq!(job.error_code.as_deref(), Some(reason));
                assert!(msg.contains(next), "{reason}: {msg}");
            }
            Want::RetriedAndPublished => unreachable!(),
        }
    }
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unaudited_app_posts_only_to_private_accounts() {
    let t = T::start(media_common::h264).await;
    t.sim().unaudited("reject").await;
    let (open_id, a) = t.account("public_alice").await;
    let id = t.draft(a, "only me").await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Failed, 15).await;
    let job = t.job(id).await;
    let msg = job.error_message.clone().unwrap();
    assert_readable(&msg, "unaudited_client_can_only_post_to_private_accounts");
    assert!(msg.contains("Private"), "{msg}");
    assert!(
        msg.contains("audit"),
        "the other way out is the app's audit: {msg}"
    );
    assert!(!job.outcome_unknown && job.log_id.is_some(), "{job:#?}");
    assert!(t.sim_posts_of(&open_id).await.is_empty());

    // The creator makes the account private: the same post now goes out (only me).
    t.h.ctl(
        Method::PATCH,
        &format!("/__sim/accounts/{open_id}"),
        json!({"private": true}),
    )
    .await;
    t.h.engine.retry_publish(id).await.unwrap();
    t.wait_status(id, PostStatus::Published, 15).await;
    let posts = t.sim_posts_of(&open_id).await;
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(posts[0]["status"], "PUBLISH_COMPLETE");
    assert_eq!(posts[0]["post_info"]["privacy_level"], "SELF_ONLY");
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unaudited_app_refusing_a_wider_audience_says_only_me_is_allowed() {
    let t = T::start(media_common::h264).await;
    t.sim().unaudited("reject").await;
    let (open_id, a) = t
        .account_with("private_bob", json!({"private": true}))
        .await;
    let id = t.draft_as(a, "followers", "FOLLOWER_OF_CREATOR").await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Failed, 15).await;
    let job = t.job(id).await;
    let msg = job.error_message.clone().unwrap();
    assert_readable(&msg, "privacy_level_option_mismatch");
    // creator_info still offers the audience, so "pick another one" alone would not help.
    assert!(msg.contains("Only me"), "{msg}");
    assert!(msg.contains("audit"), "{msg}");
    assert!(t.sim_posts_of(&open_id).await.is_empty());
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unaudited_app_downgrading_a_wider_audience_is_not_reported_as_that_audience() {
    let t = T::start(media_common::h264).await;
    t.sim().unaudited("downgrade").await;
    let (open_id, a) = t
        .account_with("private_carol", json!({"private": true}))
        .await;
    let id = t.draft_as(a, "for my circle", "FOLLOWER_OF_CREATOR").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 15).await;
    let posts = t.sim_posts_of(&open_id).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["post_info"]["privacy_level"], "SELF_ONLY");
    let body = published_notification(&mut events).await;
    let lower = body.to_lowercase();
    assert!(
        !lower.contains("public") && !lower.contains("everyone") && !lower.contains("follower"),
        "the notification claims an audience TikTok did not apply: {body}"
    );
    t.h.engine.shutdown().await;
}

/// Check again on a post whose account's sign-in was revoked meanwhile names the sign-in as
/// the thing to fix, not "TikTok did not answer, check again later" (which never helps).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_again_with_a_revoked_sign_in_says_reconnect_first() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("alice").await;
    let id = t.draft(a, "stuck, then revoked").await;
    t.fault(json!({"endpoint": "video_init", "kind": "stall_processing"}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_step(id, PublishStep::Processing, 15).await;
    t.h.ctl(
        Method::POST,
        "/__sim/tokens/revoke",
        json!({"open_id": open_id}),
    )
    .await;
    t.expire_access_token(&open_id).await;
    t.wait_status(id, PostStatus::NeedsAttention, 15).await;
    assert!(t.job(id).await.outcome_unknown);
    let err = t.h.engine.check_publish(id).await.unwrap_err().to_string();
    assert!(err.contains("Reconnect"), "{err}");
    assert!(err.contains("Check again"), "{err}");
    assert!(!err.contains("did not answer"), "{err}");
    t.h.engine.shutdown().await;
}
