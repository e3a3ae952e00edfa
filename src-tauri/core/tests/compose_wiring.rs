//! The Compose wiring: ingest of dropped/picked files into drafts, fresh creator_info through a
//! connected account (simulator), duplicates fetching each target's creator_info, pause on
//! account removal and resume on reconnect, PostsChanged events, and the loopback preview
//! server (token, ids, Range).

mod common;
mod media_common;

use media_common::{ffmpeg, h264};
use reqwest::Method;
use serde_json::json;
use tokdeck_core::accounts::service::REMOVED_PAUSE_REASON;
use tokdeck_core::accounts::AccountStatus;
use tokdeck_core::events::EngineEvent;
use tokdeck_core::media::MediaRule;
use tokdeck_core::posts::{ComposePatch, LocalResolution, PostStatus, When};
use tokdeck_core::ErrorCode;

/// A connected simulator account; answers (open_id, account id).
async fn connected(h: &common::H, username: &str, extra: serde_json::Value) -> (String, i64) {
    let open_id = h.sim_account(username, 100).await;
    if extra.as_object().is_some_and(|o| !o.is_empty()) {
        h.ctl(Method::PATCH, &format!("/__sim/accounts/{open_id}"), extra)
            .await;
    }
    let acc = h.connect(&open_id).await;
    (open_id, acc.id)
}

fn later(days: i64) -> When {
    let t = chrono::Utc::now() + chrono::Duration::days(days);
    When::At {
        local: t.format("%Y-%m-%dT%H:%M").to_string(),
        zone: Some("UTC".into()),
        dst: None,
    }
}

#[tokio::test]
async fn ingest_makes_one_draft_per_good_video_and_explains_the_rest() {
    let h = common::start().await;
    let (_, a) = connected(&h, "alice", json!({})).await;
    let dir = h.dir.path().join("drop");
    std::fs::create_dir_all(&dir).unwrap();
    let good = h264(&dir, "good.mp4", 2.0);
    let slow = ffmpeg(
        &dir,
        "slow.mp4",
        "testsrc=size=640x360:rate=20",
        2.0,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ],
    );
    let text = dir.join("notes.mp4");
    std::fs::write(&text, "this is not a video\n").unwrap();
    // Skipped inside a folder (not a video name), reported when given directly.
    let readme = dir.join("readme.txt");
    std::fs::write(&readme, "hello").unwrap();
    std::fs::write(dir.join("._good.mp4"), "resource fork").unwrap();

    let mut events = h.engine.events().subscribe();
    let results = h
        .engine
        .ingest_paths(&[dir.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    assert_eq!(results.len(), 3, "{results:#?}");
    let by = |p: &std::path::Path| {
        results
            .iter()
            .find(|r| r.path == p.to_string_lossy())
            .unwrap()
            .clone()
    };
    let g = by(&good);
    assert!(g.error.is_none() && g.violations.is_empty(), "{g:?}");
    assert_eq!(g.account_id, Some(a));
    let draft = h.engine.post(g.draft_id.expect("draft")).await.unwrap();
    assert_eq!(draft.status, PostStatus::Draft);
    assert_eq!(draft.account_id, a);

    let s = by(&slow);
    assert!(s.draft_id.is_none());
    assert_eq!(s.facts.as_ref().unwrap().width, 640);
    assert_eq!(s.violations.len(), 1);
    assert_eq!(s.violations[0].rule, MediaRule::FrameRate);

    let t = by(&text);
    assert!(t.facts.is_none() && t.draft_id.is_none());
    assert!(t.error.as_deref().unwrap().contains("not a video"), "{t:?}");

    let direct = h
        .engine
        .ingest_paths(&[readme.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    assert_eq!(direct.len(), 1);
    assert!(direct[0].error.is_some());

    let mut changed = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::PostsChanged {
            post_id,
            account_id,
        } = e
        {
            changed.push((post_id, account_id));
        }
    }
    // One announcement for the drop (naming its only draft); the thumbnail made afterwards in
    // the background may add an account-wide one.
    assert_eq!(
        changed.first(),
        Some(&(Some(draft.id), Some(a))),
        "{changed:?}"
    );
    assert!(
        changed[1..].iter().all(|c| *c == (None, Some(a))),
        "{changed:?}"
    );
}

#[tokio::test]
async fn ingest_checks_the_duration_limit_of_the_account() {
    let h = common::start().await;
    let (_, a) = connected(&h, "shorty", json!({"max_video_post_duration_sec": 1})).await;
    let video = h264(h.dir.path(), "three.mp4", 3.0);
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].violations.len(), 1, "{r:?}");
    assert_eq!(r[0].violations[0].rule, MediaRule::Duration);
    assert!(r[0].draft_id.is_none());
}

#[tokio::test]
async fn creator_info_dto_through_a_connected_account() {
    let h = common::start().await;
    let (_, a) = connected(&h, "alice", json!({"comment_disabled": true})).await;
    let info = h.engine.creator_info(a).await.unwrap();
    assert!(info.can_post);
    assert!(info.cannot_post_reason.is_none());
    assert_eq!(info.account_id, a);
    assert_eq!(info.username, "alice");
    assert!(!info.nickname.is_empty());
    assert!(info.comment_disabled);
    assert!(info.privacy_level_options.contains(&"SELF_ONLY".to_owned()));
    assert_eq!(info.max_video_post_duration_sec, Some(300));
    assert!(info.avatar_url.is_some());

    // TikTok says "cannot post now" with HTTP 200: a DTO with the reason, not an error.
    let (_, b) = connected(&h, "capped", json!({"can_post": false})).await;
    let info = h.engine.creator_info(b).await.unwrap();
    assert!(!info.can_post);
    assert!(info.privacy_level_options.is_empty());
    let reason = info.cannot_post_reason.unwrap();
    assert!(reason.to_lowercase().contains("limit"), "{reason}");
    assert!(!reason.contains("TikTok code"), "plain words: {reason}");
    // Scheduling needs a creator who can post.
    let video = h264(h.dir.path(), "v.mp4", 2.0);
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(b))
        .await
        .unwrap();
    let id = r[0].draft_id.expect("draft without the duration check");
    let err = h
        .engine
        .schedule_post_fresh(id, &later(1))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn schedule_then_duplicate_across_two_accounts() {
    let h = common::start().await;
    let (_, a) = connected(&h, "alice", json!({})).await;
    let (_, b) = connected(&h, "bob", json!({})).await;
    let (_, c) = connected(&h, "carol", json!({})).await;
    let video = h264(h.dir.path(), "v.mp4", 2.0);
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    let id = r[0].draft_id.unwrap();
    h.engine
        .update_post_fresh(
            id,
            &ComposePatch {
                caption: Some("hello #tokdeck".into()),
                privacy_level: Some("SELF_ONLY".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let out = h.engine.schedule_post_fresh(id, &later(2)).await.unwrap();
    assert_eq!(out.post.status, PostStatus::Scheduled);

    let copies = h.engine.duplicate_post_fresh(id, &[b, c]).await.unwrap();
    assert_eq!(copies.len(), 2);
    for (copy, acc) in copies.iter().zip([b, c]) {
        assert_eq!(copy.post.account_id, acc);
        assert_eq!(copy.post.status, PostStatus::Scheduled);
        assert_eq!(copy.post.scheduled_at, out.post.scheduled_at);
        assert_eq!(copy.post.caption, "hello #tokdeck");
    }
    // creator_info fetched for each target (plus the source's schedule and edit checks).
    assert!(h.requests("creator_info").await >= 3);

    // Publish now is a `When`.
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(b))
        .await
        .unwrap();
    let id2 = r[0].draft_id.unwrap();
    h.engine
        .update_post_fresh(
            id2,
            &ComposePatch {
                privacy_level: Some("SELF_ONLY".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let now = h.engine.schedule_post_fresh(id2, &When::Now).await.unwrap();
    assert!(now.post.publish_now);
}

#[tokio::test]
async fn removal_pauses_pending_posts_and_reconnecting_resumes_them() {
    let h = common::start().await;
    let (open_id, a) = connected(&h, "alice", json!({})).await;
    let video = h264(h.dir.path(), "v.mp4", 2.0);
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    let id = r[0].draft_id.unwrap();
    h.engine
        .update_post_fresh(
            id,
            &ComposePatch {
                privacy_level: Some("SELF_ONLY".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    h.engine.schedule_post_fresh(id, &later(3)).await.unwrap();

    let mut events = h.engine.events().subscribe();
    let removed = h.engine.remove_account(a).await.unwrap();
    assert_eq!(removed.status, AccountStatus::Disconnected);
    let post = h.engine.post(id).await.unwrap();
    assert_eq!(post.paused_reason.as_deref(), Some(REMOVED_PAUSE_REASON));
    assert_eq!(post.status, PostStatus::Scheduled);
    let mut saw = false;
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::PostsChanged { account_id, .. } = e {
            saw |= account_id == Some(a);
        }
    }
    assert!(saw, "PostsChanged after the pause");
    let week = h
        .engine
        .queue(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id == id)
        .unwrap();
    assert!(week.paused);

    let back = h.connect(&open_id).await;
    assert_eq!(back.id, a);
    let post = h.engine.post(id).await.unwrap();
    assert!(post.paused_reason.is_none(), "{post:?}");
    assert_eq!(post.status, PostStatus::Scheduled);
}

#[tokio::test]
async fn preview_server_serves_only_posts_under_its_token_with_ranges() {
    let h = common::start().await;
    let (_, a) = connected(&h, "alice", json!({})).await;
    let video = h264(h.dir.path(), "v.mp4", 2.0);
    let r = h
        .engine
        .ingest_paths(&[video.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    let id = r[0].draft_id.unwrap();
    let url = h.engine.media_preview_url(id).await.unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let token = url.split('/').nth(4).unwrap().to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    let size = std::fs::metadata(&video).unwrap().len();

    let client = reqwest::Client::new();
    let full = client.get(&url).send().await.unwrap();
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "video/mp4");
    assert_eq!(full.bytes().await.unwrap().len() as u64, size);

    let part = client
        .get(&url)
        .header("Range", "bytes=10-19")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 10-19/{size}").as_str()
    );
    let body = part.bytes().await.unwrap();
    assert_eq!(&body[..], &std::fs::read(&video).unwrap()[10..20]);

    let base = url.rsplit_once('/').unwrap().0.to_owned();
    let wrong_token = url.replace(&token, &"0".repeat(64));
    for bad in [
        wrong_token,
        format!("{base}/{}", id + 1000),
        format!("{base}/abc"),
        base.replace(&token, "short"),
    ] {
        let s = client.get(&bad).send().await.unwrap().status();
        assert_eq!(s, 404, "{bad}");
    }
    // A deleted post's file is no longer served; unknown posts have no URL.
    h.engine.delete_post(id).await.unwrap();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 404);
    assert_eq!(
        h.engine.media_preview_url(id).await.unwrap_err().code(),
        ErrorCode::NotFound
    );
}

#[test]
fn zones_and_local_resolution() {
    let names = tokdeck_core::compose::time_zone_names();
    assert!(names.len() > 300);
    assert!(names.contains(&"Europe/London".to_owned()));
    match tokdeck_core::compose::resolve_local_time("2027-03-14T02:30", "America/New_York").unwrap()
    {
        LocalResolution::Nonexistent { .. } => {}
        other => panic!("{other:?}"),
    }
    assert!(tokdeck_core::compose::resolve_local_time("x", "UTC").is_err());
    assert!(tokdeck_core::compose::resolve_local_time("2027-01-01T10:00", "Mars/Base").is_err());
}

#[tokio::test]
async fn month_lists_a_few_posts_per_day_and_counts_them_all() {
    let env = media_common::engine().await;
    let e = &env.engine;
    let a = env.account("busy").await;
    let video = h264(env.path(), "v.mp4", 2.0);
    let c = media_common::public_creator("Busy");
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 1;
    for i in 0..7 {
        let p = e
            .create_draft(
                &tokdeck_core::posts::ComposeInput {
                    account_id: a,
                    media_path: video.to_string_lossy().into_owned(),
                    caption: format!("post {i}"),
                    privacy_level: Some("SELF_ONLY".into()),
                    allow_comment: false,
                    allow_duet: false,
                    allow_stitch: false,
                    commercial: Default::default(),
                    is_aigc: false,
                    cover_timestamp_ms: None,
                    mode: tokdeck_core::posts::PostMode::Direct,
                },
                Some(&c),
            )
            .await
            .unwrap();
        let day = if i == 6 { 20 } else { 10 };
        e.schedule_post(
            p.id,
            &When::At {
                local: format!("{year}-06-{day}T{:02}:00", 8 + i),
                zone: Some("Europe/Paris".into()),
                dst: None,
            },
            &c,
        )
        .await
        .unwrap();
    }
    for account in [Some(a), None] {
        let m = e
            .calendar_month(year, 6, "Europe/Paris", account)
            .await
            .unwrap();
        assert_eq!(m.days.len(), 30);
        assert_eq!(m.per_day_limit, Some(3));
        let d10 = m.days.iter().find(|d| d.date.ends_with("-06-10")).unwrap();
        assert_eq!(d10.count, 6);
        let d20 = m.days.iter().find(|d| d.date.ends_with("-06-20")).unwrap();
        assert_eq!(d20.count, 1);
        assert_eq!(m.days.iter().map(|d| d.count).sum::<u32>(), 7);
        assert_eq!(m.items.len(), 4, "3 of the 10th, 1 of the 20th");
        let locals: Vec<_> = m.items.iter().map(|i| i.local.clone()).collect();
        let mut sorted = locals.clone();
        sorted.sort();
        assert_eq!(locals, sorted, "soonest first");
        assert!(locals[0].ends_with("-06-10T08:00"), "{locals:?}");
        assert!(locals[3].ends_with("-06-20T14:00"), "{locals:?}");
    }
    let w = e
        .calendar_week(&format!("{year}-06-10"), "Europe/Paris", Some(a))
        .await
        .unwrap();
    assert_eq!(w.items.len(), 6);
    assert_eq!(w.per_day_limit, None);
    assert_eq!(w.days.len(), 7);
}

/// A folder of many videos (nested, with bad files among them): one result per file in the
/// walk's order, results reported in batches as they arrive (every file exactly once, the count
/// only growing), the drafts announced once, and every draft's thumbnail made in the background.
#[tokio::test]
async fn a_folder_of_many_videos_becomes_drafts_with_progress_and_thumbnails_afterwards() {
    let h = common::start().await;
    let (_, a) = connected(&h, "bulk", json!({})).await;
    let src = h.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let originals = [
        h264(&src, "one.mp4", 1.0),
        h264(&src, "two.mp4", 2.0),
        h264(&src, "three.mp4", 3.0),
    ];
    let root = h.dir.path().join("season");
    let mut expected = Vec::new();
    for i in 0..36 {
        let sub = root
            .join(format!("week{}", i / 12))
            .join(if i % 2 == 0 { "" } else { "b" });
        std::fs::create_dir_all(&sub).unwrap();
        let to = sub.join(format!("clip{i:02}.mp4"));
        std::fs::copy(&originals[i % 3], &to).unwrap();
        expected.push(to);
    }
    let broken = root.join("week0").join("broken.mp4");
    std::fs::write(&broken, vec![0u8; 4096]).unwrap();
    expected.push(broken.clone());
    expected.sort();

    let mut events = h.engine.events().subscribe();
    let results = h
        .engine
        .ingest_paths(&[root.to_string_lossy().into_owned()], Some(a))
        .await
        .unwrap();
    let paths: Vec<std::path::PathBuf> = results.iter().map(|r| r.path.clone().into()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(results.iter().filter(|r| r.draft_id.is_some()).count(), 36);
    let bad = results
        .iter()
        .find(|r| r.path == broken.to_string_lossy())
        .unwrap();
    assert!(bad.error.is_some() && bad.draft_id.is_none(), "{bad:?}");

    let (mut seen, mut last_done, mut announced) = (Vec::new(), 0, Vec::new());
    while let Ok(e) = events.try_recv() {
        match e {
            EngineEvent::IngestProgress {
                done,
                total,
                results,
            } => {
                assert_eq!(total, 37);
                assert!(done > last_done && done as usize == seen.len() + results.len());
                last_done = done;
                seen.extend(results.into_iter().map(|r| r.path));
            }
            EngineEvent::PostsChanged {
                post_id,
                account_id,
            } => announced.push((post_id, account_id)),
            _ => {}
        }
    }
    assert_eq!(last_done, 37);
    seen.sort();
    let mut all: Vec<String> = results.iter().map(|r| r.path.clone()).collect();
    all.sort();
    assert_eq!(seen, all, "every file reported exactly once");
    assert_eq!(announced.first(), Some(&(None, Some(a))), "{announced:?}");

    // Thumbnails arrive afterwards; three distinct videos share three files.
    let drafts: Vec<i64> = results.iter().filter_map(|r| r.draft_id).collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let mut missing = 0;
        for &id in &drafts {
            if h.engine.post(id).await.unwrap().thumbnail_path.is_none() {
                missing += 1;
            }
        }
        if missing == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{missing} drafts still have no thumbnail"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
