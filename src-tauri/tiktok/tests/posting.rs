//! Content Posting API against the simulator: creator_info, inits, status, cancel, and every
//! posting error the simulator can be made to produce.

mod common;

use std::time::Duration;

use common::{make_video, post_by_id, Harness};
use serde_json::json;
use tiktok_api::{
    ChunkPlan, ErrorClass, ErrorKind, PostInfo, PrivacyLevel, PublishState, TikTokClient,
    UserAction,
};

fn self_only() -> PostInfo {
    PostInfo::new(PrivacyLevel::SelfOnly)
}

async fn poll_final(
    client: &TikTokClient,
    t: &tiktok_api::AccessToken,
    id: &tiktok_api::PublishId,
) -> tiktok_api::PublishStatus {
    for _ in 0..100 {
        let s = client.fetch_status(t, id).await.unwrap();
        if s.status.is_final() || s.status == PublishState::SendToUserInbox {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("publish never finished");
}

#[tokio::test]
async fn creator_info_reflects_account() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h
        .connect(&client, json!({"username": "mo", "display_name": "Mo", "private": true, "comment_disabled": true, "max_video_post_duration_sec": 600}), None)
        .await;
    let ci = client.creator_info(&t.access_token).await.unwrap();
    assert_eq!(ci.creator_nickname.as_deref(), Some("Mo"));
    assert_eq!(ci.creator_username.as_deref(), Some("mo"));
    assert_eq!(
        ci.privacy_level_options,
        vec![
            PrivacyLevel::FollowerOfCreator,
            PrivacyLevel::MutualFollowFriends,
            PrivacyLevel::SelfOnly
        ]
    );
    assert!(ci.comment_disabled && ci.duet_disabled && ci.stitch_disabled);
    assert_eq!(ci.max_video_post_duration_sec, Some(600));
    assert!(ci.log_id.is_some());
}

#[tokio::test]
async fn creator_info_cannot_post_answers_with_http_200() {
    let h = Harness::start().await;
    let client = h.client();
    let (open_id, t) = h
        .connect(&client, json!({"username": "ned", "can_post": false}), None)
        .await;
    let e = client.creator_info(&t.access_token).await.unwrap_err();
    assert_eq!(e.http_status(), Some(200));
    assert_eq!(e.code(), Some("spam_risk_too_many_posts"));
    assert_eq!(e.user_action(), Some(UserAction::TooManyPosts));
    h.control(
        reqwest::Method::PATCH,
        &format!("/__sim/accounts/{open_id}"),
        json!({"can_post": true, "banned": true}),
    )
    .await;
    let e = client.creator_info(&t.access_token).await.unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::BannedFromPosting));
    // Without video.publish the scope is missing: the creator must grant it; the sign-in
    // itself is fine.
    let (_, t2) = h
        .connect(
            &client,
            json!({"username": "ned2"}),
            Some(vec!["user.info.basic"]),
        )
        .await;
    let e = client.creator_info(&t2.access_token).await.unwrap_err();
    assert_eq!(e.code(), Some("scope_not_authorized"));
    assert_eq!(e.user_action(), Some(UserAction::ScopeNotGranted));
}

#[tokio::test]
async fn direct_post_end_to_end_with_every_post_info_field() {
    let h = Harness::start().await;
    let client = h.client();
    let (open_id, t) = h.connect(&client, json!({"username": "oli"}), None).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "clip.mp4", 3_000_000);
    let plan = client.plan_upload(3_000_000).unwrap();
    let info = PostInfo {
        privacy_level: PrivacyLevel::PublicToEveryone,
        title: Some("Hello #tokdeck @friend".into()),
        disable_duet: true,
        disable_stitch: false,
        disable_comment: true,
        video_cover_timestamp_ms: Some(1500),
        brand_content_toggle: false,
        brand_organic_toggle: true,
        is_aigc: true,
    };
    let init = client
        .init_direct_post(&t.access_token, &info, &plan)
        .await
        .unwrap();
    assert!(init.publish_id.0.starts_with("v_pub_file~"));
    assert!(!format!("{:?}", init.upload_url).contains("upload_token"));
    let mut seen = Vec::new();
    let out = client
        .upload_file(&init, &path, |p| seen.push(p.confirmed_bytes))
        .await
        .unwrap();
    assert!(out.complete);
    assert_eq!(seen, vec![3_000_000]);
    let s = poll_final(&client, &t.access_token, &init.publish_id).await;
    assert_eq!(s.status, PublishState::PublishComplete);
    assert_eq!(s.uploaded_bytes, Some(3_000_000));
    assert_eq!(s.public_post_ids.len(), 1, "{s:?}");
    assert!(s.public_post_ids[0].chars().all(|c| c.is_ascii_digit()));

    let posts = h.posts().await;
    let p = post_by_id(&posts, &init.publish_id.0);
    assert_eq!(p["sha256"], sha);
    assert_eq!(p["open_id"], open_id);
    assert_eq!(p["mode"], "direct");
    let pi = &p["post_info"];
    assert_eq!(pi["title"], "Hello #tokdeck @friend");
    assert_eq!(pi["video_cover_timestamp_ms"], 1500);
    for (k, v) in [
        ("disable_duet", true),
        ("disable_stitch", false),
        ("disable_comment", true),
        ("brand_content_toggle", false),
        ("brand_organic_toggle", true),
        ("is_aigc", true),
    ] {
        assert_eq!(pi[k], v, "{k}");
    }
    assert_eq!(p["source_info"]["source"], "FILE_UPLOAD");
    assert_eq!(p["source_info"]["video_size"], 3_000_000);
    assert_eq!(p["source_info"]["total_chunk_count"], 1);
}

#[tokio::test]
async fn inbox_post_then_status_and_cancel() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "pia"}), None).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = make_video(dir.path(), "draft.webm", 1_234_567);
    let plan = client.plan_upload(1_234_567).unwrap();
    let init = client.init_inbox(&t.access_token, &plan).await.unwrap();
    assert!(init.publish_id.0.starts_with("v_inbox_file~"));
    let s = client
        .fetch_status(&t.access_token, &init.publish_id)
        .await
        .unwrap();
    assert_eq!(s.status, PublishState::ProcessingUpload);
    assert_eq!(s.uploaded_bytes, Some(0));
    client.upload_file(&init, &path, |_| {}).await.unwrap();
    let s = poll_final(&client, &t.access_token, &init.publish_id).await;
    assert_eq!(s.status, PublishState::SendToUserInbox);
    assert_eq!(
        post_by_id(&h.posts().await, &init.publish_id.0)["sha256"],
        sha
    );

    // Cancel applies to PULL_FROM_URL only; TikTok answers with just an error object.
    let e = client
        .cancel(&t.access_token, &init.publish_id)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("publish_not_cancellable"));
    assert!(e.log_id().is_some());
    // Unknown publish id.
    let e = client
        .fetch_status(
            &t.access_token,
            &tiktok_api::PublishId("v_pub_file~v2-1.999".into()),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("invalid_publish_id"));
    assert_eq!(e.class(), ErrorClass::Bug);
    // Another user's publish.
    let (_, other) = h.connect(&client, json!({"username": "pia2"}), None).await;
    let e = client
        .fetch_status(&other.access_token, &init.publish_id)
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some("token_not_authorized_for_specified_publish_id")
    );
}

#[tokio::test]
async fn init_rejections_are_classified() {
    let h = Harness::start().await;
    let client = h.client();
    let plan = ChunkPlan::for_size(1_000_000).unwrap();

    // privacy not offered (private account offers no PUBLIC_TO_EVERYONE)
    let (_, t) = h
        .connect(&client, json!({"username": "q1", "private": true}), None)
        .await;
    let e = client
        .init_direct_post(
            &t.access_token,
            &PostInfo::new(PrivacyLevel::PublicToEveryone),
            &plan,
        )
        .await
        .unwrap_err();
    assert_eq!(e.http_status(), Some(403));
    assert_eq!(e.user_action(), Some(UserAction::PrivacyOptionMismatch));

    // banned
    let (_, t) = h
        .connect(&client, json!({"username": "q2", "banned": true}), None)
        .await;
    let e = client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::BannedFromPosting));
    let e = client.init_inbox(&t.access_token, &plan).await.unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::BannedFromPosting));

    // daily post cap
    h.behaviour(json!({"posts_per_day_cap": 1})).await;
    let (_, t) = h.connect(&client, json!({"username": "q3"}), None).await;
    client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap();
    let e = client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::TooManyPosts));
    assert!(!e.user_action().unwrap().next_step().is_empty());

    // pending drafts cap
    h.behaviour(json!({"pending_drafts_cap": 1})).await;
    let (_, t) = h.connect(&client, json!({"username": "q4"}), None).await;
    client.init_inbox(&t.access_token, &plan).await.unwrap();
    let e = client.init_inbox(&t.access_token, &plan).await.unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::TooManyPendingShares));

    // scope missing for inbox
    let (_, t) = h
        .connect(
            &client,
            json!({"username": "q5"}),
            Some(vec!["video.publish"]),
        )
        .await;
    let e = client.init_inbox(&t.access_token, &plan).await.unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::ScopeNotGranted));
}

#[tokio::test]
async fn unaudited_app_rules_both_readings() {
    let h = Harness::start().await;
    h.control(
        reqwest::Method::PATCH,
        "/__sim/app",
        json!({"audited": false}),
    )
    .await;
    h.behaviour(json!({"unaudited_user_cap": 2})).await;
    let client = h.client();
    let plan = ChunkPlan::for_size(1_000_000).unwrap();

    let (_, public) = h.connect(&client, json!({"username": "r1"}), None).await;
    let e = client
        .init_direct_post(&public.access_token, &self_only(), &plan)
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        Some("unaudited_client_can_only_post_to_private_accounts")
    );
    assert_eq!(e.user_action(), Some(UserAction::AccountMustBePrivate));

    let (_, private) = h
        .connect(&client, json!({"username": "r2", "private": true}), None)
        .await;
    let friends = PostInfo::new(PrivacyLevel::MutualFollowFriends);
    // reading 1: rejected
    let e = client
        .init_direct_post(&private.access_token, &friends, &plan)
        .await
        .unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::PrivacyOptionMismatch));
    // reading 2: silently downgraded to SELF_ONLY
    h.behaviour(json!({"unaudited_non_self_only": "downgrade"}))
        .await;
    let init = client
        .init_direct_post(&private.access_token, &friends, &plan)
        .await
        .unwrap();
    let posts = h.posts().await;
    assert_eq!(
        post_by_id(&posts, &init.publish_id.0)["post_info"]["privacy_level"],
        "SELF_ONLY"
    );

    // active user cap: r2 and r3 post; r4 is the third user of the day.
    let (_, r3) = h
        .connect(&client, json!({"username": "r3", "private": true}), None)
        .await;
    client
        .init_direct_post(&r3.access_token, &self_only(), &plan)
        .await
        .unwrap();
    let (_, r4) = h
        .connect(&client, json!({"username": "r4", "private": true}), None)
        .await;
    let e = client
        .init_direct_post(&r4.access_token, &self_only(), &plan)
        .await
        .unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::ActiveUserCap));
    let e = client.creator_info(&r4.access_token).await.unwrap_err();
    assert_eq!(e.http_status(), Some(200));
    assert_eq!(e.user_action(), Some(UserAction::ActiveUserCap));
}

#[tokio::test]
async fn invalid_param_in_both_spellings() {
    for spelling in ["invalid_params", "invalid_param"] {
        let h = Harness::start().await;
        h.behaviour(json!({"invalid_param_spelling": spelling, "reject_multi_chunk": true}))
            .await;
        let client = h.client();
        let (_, t) = h.connect(&client, json!({"username": "sam"}), None).await;
        // A multi-chunk plan against the Aug-2026 behaviour: "The chunk size is invalid".
        let plan = ChunkPlan::from_parts(20_000_000, 10_000_000).unwrap();
        let e = client
            .init_direct_post(&t.access_token, &self_only(), &plan)
            .await
            .unwrap_err();
        assert_eq!(e.code(), Some(spelling));
        assert!(e.is_invalid_params());
        assert_eq!(e.class(), ErrorClass::Bug);
        assert!(e.to_string().contains("chunk size"), "{e}");
        assert!(e.log_id().is_some());
        // The default plan for a 20 MB file is a single chunk, which keeps working.
        let plan = client.plan_upload(20_000_000).unwrap();
        assert_eq!(plan.total_chunk_count(), 1);
        client
            .init_direct_post(&t.access_token, &self_only(), &plan)
            .await
            .unwrap();
        // Injected 400 on status uses the same spelling.
        h.fault(json!({"endpoint": "status", "kind": "status", "status": 400}))
            .await;
        let e = client
            .fetch_status(&t.access_token, &tiktok_api::PublishId("x".into()))
            .await
            .unwrap_err();
        assert!(e.is_invalid_params(), "{e}");
    }
}

#[tokio::test]
async fn init_outcome_unknown_is_never_retried() {
    let h = Harness::start().await;
    let mut cfg = h.config();
    cfg.request_timeout = Duration::from_millis(400);
    let client = TikTokClient::new(cfg).unwrap();
    let (_, t) = h.connect(&client, json!({"username": "tom"}), None).await;
    let plan = ChunkPlan::for_size(1_000_000).unwrap();
    let cases = [
        (
            "video_init",
            json!({"endpoint": "video_init", "kind": "drop_after"}),
            true,
        ),
        (
            "video_init",
            json!({"endpoint": "video_init", "kind": "drop"}),
            false,
        ),
        // The simulator abandons the handler when the client hangs up, so no publish appears;
        // real TikTok may or may not have created one — hence OutcomeUnknown.
        (
            "video_init",
            json!({"endpoint": "video_init", "kind": "delay", "delay_ms": 1500}),
            false,
        ),
        (
            "inbox_init",
            json!({"endpoint": "inbox_init", "kind": "drop_after"}),
            true,
        ),
    ];
    for (endpoint, fault, created) in cases {
        h.fault(fault.clone()).await;
        let posts_before = h.posts().await.len();
        let before = h.requests(endpoint).await;
        let r = if endpoint == "video_init" {
            client
                .init_direct_post(&t.access_token, &self_only(), &plan)
                .await
        } else {
            client.init_inbox(&t.access_token, &plan).await
        };
        let e = r.unwrap_err();
        assert_eq!(e.class(), ErrorClass::OutcomeUnknown, "{fault}: {e}");
        assert!(matches!(e.kind(), ErrorKind::OutcomeUnknown { .. }));
        assert_eq!(
            h.requests(endpoint).await,
            before + 1,
            "{fault}: init must not be resent"
        );
        if fault["kind"] == "delay" {
            tokio::time::sleep(Duration::from_millis(1300)).await; // let the server finish
        }
        assert_eq!(
            h.posts().await.len(),
            posts_before + usize::from(created),
            "{fault}"
        );
    }
}

#[tokio::test]
async fn init_5xx_and_429() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "uma"}), None).await;
    let plan = ChunkPlan::for_size(1_000_000).unwrap();
    // 5xx with TikTok's envelope: answered, not retried by the client, RetryLater for the engine.
    h.fault(json!({"endpoint": "video_init", "kind": "status", "status": 500}))
        .await;
    let e = client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::RetryLater);
    assert_eq!(h.requests("video_init").await, 1);
    // 429 is a clean refusal: retried, and exactly one publish results.
    h.fault(json!({"endpoint": "video_init", "kind": "rate_limit"}))
        .await;
    client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap();
    assert_eq!(h.requests("video_init").await, 3);
    assert_eq!(h.posts().await.len(), 1);
}

#[tokio::test]
async fn status_fail_reasons_and_revoke_mid_publish() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "vic"}), None).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = make_video(dir.path(), "v.mov", 500_000);
    let plan = client.plan_upload(500_000).unwrap();
    let cases = [
        ("internal", ErrorClass::RetryLater),
        (
            "picture_size_check_failed",
            ErrorClass::UserMustAct(UserAction::PictureSize),
        ),
        (
            "duration_check_failed",
            ErrorClass::UserMustAct(UserAction::Duration),
        ),
        (
            "spam_risk_text",
            ErrorClass::UserMustAct(UserAction::SpamRiskText),
        ),
    ];
    for (reason, class) in cases {
        h.fault(json!({"endpoint": "video_init", "kind": "fail_reason", "fail_reason": reason}))
            .await;
        let init = client
            .init_direct_post(&t.access_token, &self_only(), &plan)
            .await
            .unwrap();
        client.upload_file(&init, &path, |_| {}).await.unwrap();
        let s = poll_final(&client, &t.access_token, &init.publish_id).await;
        assert_eq!(s.status, PublishState::Failed);
        assert_eq!(s.fail_reason.as_deref(), Some(reason));
        assert_eq!(s.failure_class(), Some(class), "{reason}");
    }
    // The user removes the app while TikTok processes the video.
    h.fault(json!({"endpoint": "video_init", "kind": "revoke_mid_publish"}))
        .await;
    let init = client
        .init_direct_post(&t.access_token, &self_only(), &plan)
        .await
        .unwrap();
    client.upload_file(&init, &path, |_| {}).await.unwrap();
    let e = client
        .fetch_status(&t.access_token, &init.publish_id)
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::RefreshToken, "{e}");
    let posts = h.posts().await;
    let p = post_by_id(&posts, &init.publish_id.0);
    // Processing ends FAILED with auth_removed once the sim settles.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let posts = h.posts().await;
    let p2 = post_by_id(&posts, &init.publish_id.0);
    assert_eq!(p2["fail_reason"], "auth_removed", "{p} / {p2}");
    assert_eq!(
        tiktok_api::classify_fail_reason("auth_removed"),
        ErrorClass::Reauthorize
    );
}

#[tokio::test]
async fn status_reads_are_retried_on_transient_faults() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "wes"}), None).await;
    let plan = ChunkPlan::for_size(1_000_000).unwrap();
    let init = client.init_inbox(&t.access_token, &plan).await.unwrap();
    h.fault(json!({"endpoint": "status", "kind": "status", "status": 502}))
        .await;
    h.fault(json!({"endpoint": "status", "kind": "drop"})).await;
    h.fault(json!({"endpoint": "creator_info", "kind": "rate_limit"}))
        .await;
    client
        .fetch_status(&t.access_token, &init.publish_id)
        .await
        .unwrap();
    assert_eq!(h.requests("status").await, 3);
    client.creator_info(&t.access_token).await.unwrap();
    assert_eq!(h.requests("creator_info").await, 2);
}
