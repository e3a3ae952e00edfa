//! Display API against the simulator.

mod common;

use common::Harness;
use serde_json::json;
use tiktok_api::{ErrorClass, ErrorKind, UserAction, UserField, VideoField};
use tokdeck_sim::SimOptions;

#[tokio::test]
async fn user_info_returns_only_requested_fields() {
    let h = Harness::start().await;
    let client = h.client();
    let (open_id, t) = h
        .connect(&client, json!({"username": "ivy", "display_name": "Ivy", "follower_count": 42, "verified": true}), None)
        .await;
    let u = client
        .user_info(
            &t.access_token,
            &[
                UserField::OpenId,
                UserField::DisplayName,
                UserField::FollowerCount,
            ],
        )
        .await
        .unwrap();
    assert_eq!(u.open_id.as_deref(), Some(open_id.as_str()));
    assert_eq!(u.display_name.as_deref(), Some("Ivy"));
    assert_eq!(u.follower_count, Some(42));
    assert_eq!(u.username, None);
    assert_eq!(u.is_verified, None);
    assert!(u.log_id.is_some());
    let all = client
        .user_info(&t.access_token, &UserField::ALL)
        .await
        .unwrap();
    assert_eq!(all.username.as_deref(), Some("ivy"));
    assert_eq!(all.is_verified, Some(true));
    assert!(all.union_id.is_some() && all.avatar_url.is_some());
}

#[tokio::test]
async fn field_without_scope_is_a_bug_or_reauthorize() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h
        .connect(
            &client,
            json!({"username": "jo"}),
            Some(vec!["user.info.basic"]),
        )
        .await;
    let e = client
        .user_info(&t.access_token, &[UserField::FollowerCount])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("scope_permission_missed"));
    assert_eq!(e.class(), ErrorClass::Bug);
    // The other reading: scope_not_authorized (401) → the creator must grant the scope.
    h.behaviour(json!({"field_scope_error": "scope_not_authorized"}))
        .await;
    let e = client
        .user_info(&t.access_token, &[UserField::FollowerCount])
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("scope_not_authorized"));
    assert_eq!(e.user_action(), Some(UserAction::ScopeNotGranted));
    // Missing endpoint scope.
    let e = client
        .list_videos(&t.access_token, &[VideoField::Id], None, 10)
        .await
        .unwrap_err();
    assert_eq!(e.user_action(), Some(UserAction::ScopeNotGranted));
}

#[tokio::test]
async fn video_list_pages_and_query() {
    let h = Harness::start_with(SimOptions {
        seed: true,
        fast: true,
        ..Default::default()
    })
    .await;
    let client = h.client();
    let accounts = h.get("/__sim/accounts").await;
    let leo = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "leo_travels")
        .unwrap()["open_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let t = h.connect_existing(&client, &leo, None).await;

    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let page = client
            .list_videos(
                &t.access_token,
                &[VideoField::Id, VideoField::CreateTime, VideoField::Title],
                cursor,
                3,
            )
            .await
            .unwrap();
        assert!(page.videos.len() <= 3);
        for v in &page.videos {
            let id = v.id.clone().unwrap();
            assert!(
                id.len() >= 18 && id.chars().all(|c| c.is_ascii_digit()),
                "{id}"
            );
            assert!(v.create_time.is_some() && v.title.is_some());
            assert_eq!(v.like_count, None);
            ids.push(id);
        }
        if !page.has_more {
            break;
        }
        cursor = page.cursor;
    }
    assert_eq!(ids.len(), 4);

    let q = client
        .query_videos(
            &t.access_token,
            &[VideoField::Id, VideoField::LikeCount, VideoField::ViewCount],
            &ids,
        )
        .await
        .unwrap();
    assert_eq!(q.videos.len(), 4);
    for v in &q.videos {
        assert!(ids.contains(v.id.as_ref().unwrap()));
        assert!(v.like_count.is_some() && v.view_count.is_some());
    }
}

#[tokio::test]
async fn client_side_limits_are_enforced_before_sending() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "kim"}), None).await;
    let before = h.requests("video_query").await;
    let ids: Vec<String> = (0..21)
        .map(|i| format!("73000000000000000{i:02}"))
        .collect();
    let e = client
        .query_videos(&t.access_token, &[VideoField::Id], &ids)
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput(_)));
    let e = client
        .list_videos(&t.access_token, &[VideoField::Id], None, 21)
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidInput(_)));
    assert_eq!(h.requests("video_query").await, before);
}

#[tokio::test]
async fn transient_faults_are_retried_for_reads() {
    let h = Harness::start().await;
    let client = h.client();
    let (_, t) = h.connect(&client, json!({"username": "lu"}), None).await;
    for spec in [
        json!({"endpoint": "user_info", "kind": "status", "status": 500}),
        json!({"endpoint": "user_info", "kind": "rate_limit"}),
        json!({"endpoint": "user_info", "kind": "drop"}),
        json!({"endpoint": "video_list", "kind": "status", "status": 503, "times": 2}),
    ] {
        h.fault(spec).await;
    }
    client
        .user_info(&t.access_token, &[UserField::OpenId])
        .await
        .unwrap();
    assert_eq!(h.requests("user_info").await, 4);
    client
        .list_videos(&t.access_token, &[VideoField::Id], None, 5)
        .await
        .unwrap();
    assert_eq!(h.requests("video_list").await, 3);
    // Retries are bounded: a persistent 5xx surfaces as RetryLater with TikTok's log_id.
    h.fault(json!({"endpoint": "user_info", "kind": "status", "status": 500, "times": 10}))
        .await;
    let e = client
        .user_info(&t.access_token, &[UserField::OpenId])
        .await
        .unwrap_err();
    assert_eq!(e.class(), ErrorClass::RetryLater);
    assert_eq!(e.code(), Some("internal_error"));
    assert!(e.log_id().is_some());
}
