//! Moved and changed files: needs attention, relinking, the check at start.

use super::*;

#[tokio::test]
async fn moved_and_changed_files_need_attention_and_relink() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let p = e
        .create_draft(&input(a, &video, "file"), None)
        .await
        .unwrap();
    e.schedule_post(p.id, &at("2027-06-01T10:00", "UTC", None), &c)
        .await
        .unwrap();
    assert_eq!(e.check_post_media(p.id).await.unwrap(), FileCheck::Ok);

    let moved = env.path().join("moved.mp4");
    std::fs::rename(&video, &moved).unwrap();
    assert_eq!(e.check_post_media(p.id).await.unwrap(), FileCheck::Moved);
    let post = e.post(p.id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    assert!(post
        .attention_reason
        .unwrap()
        .starts_with("The video file is no longer at"));
    assert_eq!(e.check_pending_media().await.unwrap(), vec![p.id]);

    // Relink to the moved file: same fingerprint, back to scheduled.
    let post = e
        .relink_post_media(p.id, &moved.to_string_lossy(), false, None)
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Scheduled);
    assert_eq!(post.attention_reason, None);

    // Another video at the relink path is refused unless accepted (then re-probed).
    let other = h264(env.path(), "other.mp4", 1.0);
    let err = e
        .relink_post_media(p.id, &other.to_string_lossy(), false, None)
        .await
        .unwrap_err();
    assert!(
        err.user_message().contains("is not the same video"),
        "{}",
        err.user_message()
    );
    let post = e
        .relink_post_media(p.id, &other.to_string_lossy(), true, Some(&c))
        .await
        .unwrap();
    assert_eq!(post.media.duration_ms, 1000);

    // Changed in place (a byte appended): needs attention with what changed.
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&other)
        .unwrap()
        .write_all(b"x")
        .unwrap();
    assert!(matches!(
        e.check_post_media(p.id).await.unwrap(),
        FileCheck::Changed { .. }
    ));
    let post = e.post(p.id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    assert!(post
        .attention_reason
        .unwrap()
        .contains("changed since it was scheduled"));
    // Scheduling again refuses the changed file; accepting it re-validates.
    assert!(e
        .schedule_post(p.id, &at("2027-06-01T10:00", "UTC", None), &c)
        .await
        .is_err());
    let post = e
        .relink_post_media(p.id, &other.to_string_lossy(), true, None)
        .await
        .unwrap();
    assert_eq!(post.status, PostStatus::Scheduled);
}

#[tokio::test]
async fn a_file_that_vanished_while_closed_needs_attention_at_start() {
    let (env, a, video) = setup().await;
    let data_dir = env.path().join("data");
    let p = {
        let e = &env.engine;
        let p = e
            .create_draft(&input(a, &video, "gone"), None)
            .await
            .unwrap();
        e.schedule_post(
            p.id,
            &at("2027-06-01T10:00", "UTC", None),
            &public_creator("Alice"),
        )
        .await
        .unwrap();
        e.shutdown().await;
        p
    };
    let Env { engine, dir } = env;
    drop(engine);
    std::fs::remove_file(&video).unwrap();

    let secrets = tokdeck_core::secrets::Secrets::with_store(
        "tokdeck-test",
        keyring_core::mock::Store::new().unwrap(),
    );
    let engine = tokdeck_core::Engine::open(tokdeck_core::EngineConfig::new(data_dir, secrets))
        .await
        .unwrap();
    let mut events = engine.events().subscribe();
    engine.start_background();
    let mut status = PostStatus::Scheduled;
    for _ in 0..50 {
        status = engine.post(p.id).await.unwrap().status;
        if status == PostStatus::NeedsAttention {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, PostStatus::NeedsAttention);
    let notice = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            if let Ok(tokdeck_core::events::EngineEvent::Notice { message, .. }) =
                events.recv().await
            {
                return message;
            }
        }
    })
    .await
    .expect("a notice about the post");
    assert!(
        notice.contains("1 scheduled post needs attention"),
        "{notice}"
    );
    engine.shutdown().await;
    drop(dir);
}

/// A file still missing at the next check (every start checks) is not news: the posts that
/// already say so are not logged or announced again, and a check that flags many posts
/// announces them once (every page reloads on an announcement).
#[tokio::test]
async fn a_missing_file_is_flagged_once_and_announced_once_for_all_its_posts() {
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("Alice");
    let mut ids = vec![];
    for i in 0..5 {
        let p = e
            .create_draft(&input(a, &video, &format!("post {i}")), None)
            .await
            .unwrap();
        e.schedule_post(p.id, &at("2027-06-01T10:00", "UTC", None), &c)
            .await
            .unwrap();
        ids.push(p.id);
    }
    std::fs::remove_file(&video).unwrap();
    let flagged = || async {
        e.list_audit(&tokdeck_core::audit::AuditQuery {
            action: Some("post.needs_attention".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
    };
    let mut events = e.events().subscribe();
    let mut announced = || {
        let mut n = 0;
        while let Ok(ev) = events.try_recv() {
            n += usize::from(matches!(
                ev,
                tokdeck_core::events::EngineEvent::PostsChanged { .. }
            ));
        }
        n
    };
    for round in 0..3 {
        assert_eq!(e.check_pending_media().await.unwrap(), ids, "round {round}");
        assert_eq!(
            flagged().await,
            ids.len(),
            "round {round}: one line per post"
        );
        assert_eq!(
            announced(),
            usize::from(round == 0),
            "round {round}: one announcement for the five, then none"
        );
        for &id in &ids {
            assert_eq!(e.post(id).await.unwrap().status, PostStatus::NeedsAttention);
        }
    }
    // A different reason (the file is back, changed) is news again.
    std::fs::write(&video, b"not the same video").unwrap();
    assert!(matches!(
        e.check_post_media(ids[0]).await.unwrap(),
        FileCheck::Changed { .. }
    ));
    assert_eq!(flagged().await, ids.len() + 1);
    assert_eq!(announced(), 1);
}
