//! What a finished post shows of itself on TikTok, and the upload's progress while it goes out.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

/// A valid clip made ~20 MB by a trailing `free` box (players and TikTok skip it): one chunk,
/// big enough that bytes go out in many steps before TikTok answers.
fn big_clip(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    padded_clip(dir, name, seconds, 20_000_000)
}

/// About 4 MB: under TikTok's 5 MB, so one chunk whatever the plan.
fn few_mb_clip(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    padded_clip(dir, name, seconds, 4_000_000)
}

fn padded_clip(dir: &Path, name: &str, seconds: f64, pad: u32) -> PathBuf {
    let path = media_common::h264(dir, name, seconds);
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&pad.to_be_bytes()).unwrap();
    f.write_all(b"free").unwrap();
    f.write_all(&vec![0u8; pad as usize - 8]).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_chunk_upload_tells_bytes_sent_before_tiktok_confirms_them() {
    let t = T::start(big_clip).await;
    let total = std::fs::metadata(&t.video).unwrap().len();
    assert!(
        total > 20_000_000 && total < 64_000_000,
        "one chunk: {total}"
    );
    let (_, a) = t.account("sam").await;
    let id = t.draft(a, "big one").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 30).await;

    let mut seen = Vec::new();
    while let Ok(e) = events.try_recv() {
        if let EngineEvent::PublishProgress {
            post_id,
            bytes_confirmed,
            bytes_sent,
            bytes_total,
            ..
        } = e
        {
            if post_id == id {
                assert_eq!(bytes_total, total);
                seen.push((bytes_confirmed, bytes_sent));
            }
        }
    }
    // Before TikTok's one answer: sent bytes move while nothing is confirmed yet.
    let moving: Vec<_> = seen
        .iter()
        .filter(|(c, s)| *c == 0 && *s > 0 && *s < total)
        .collect();
    assert!(moving.len() >= 2, "no progress inside the chunk: {seen:?}");
    assert!(
        seen.windows(2).all(|w| w[0].1 <= w[1].1),
        "sent bytes went back: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&(total, total)), "{seen:?}");
    // Only TikTok's confirmation is a resume point.
    assert_eq!(t.job(id).await.confirmed_bytes as u64, total);
    t.h.engine.shutdown().await;
}

/// A few MB over a 2 MB/s uplink: TikTok's one answer comes after the last byte, so only the
/// bytes sent can move the bar. Both the window (its events) and the tray (its percent, which
/// read only TikTok's confirmed bytes and sat at 0 % until Processing) move in between.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_mb_single_chunk_upload_moves_the_window_and_the_tray_before_tiktok_answers() {
    let t = T::start(few_mb_clip).await;
    let total = std::fs::metadata(&t.video).unwrap().len();
    assert!(total > 3_000_000 && total < 5_000_000, "one chunk: {total}");
    t.sim()
        .call(
            Method::POST,
            "/__sim/behaviour",
            json!({ "upload_bytes_per_sec": 2_000_000 }),
        )
        .await;
    let (_, a) = t.account("rio").await;
    let id = t.draft(a, "a few MB").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    t.publish_now(id).await;

    let mut window = Vec::new();
    let mut tray = Vec::new();
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let e = tokio::time::timeout_at(until, events.recv())
            .await
            .expect("the upload to end within 30 s")
            .unwrap();
        match e {
            EngineEvent::PublishProgress {
                post_id,
                bytes_confirmed: 0,
                bytes_sent,
                ..
            } if post_id == id && bytes_sent > 0 && bytes_sent < total => {
                window.push(bytes_sent);
                let status = t.h.engine.tray_status().await.unwrap();
                tray.extend(status.uploads.iter().filter_map(|u| u.percent));
            }
            EngineEvent::PublishStateChanged { post_id, state, .. }
                if post_id == id
                    && !matches!(
                        state,
                        PublishStep::Queued
                            | PublishStep::Checking
                            | PublishStep::Initializing
                            | PublishStep::Uploading
                    ) =>
            {
                break
            }
            _ => {}
        }
    }
    assert!(!window.is_empty(), "no progress inside the one chunk");
    assert!(
        tray.iter().any(|&p| p > 0 && p < 100),
        "the tray's percent did not move: {tray:?} (window: {window:?})"
    );
    t.wait_status(id, PostStatus::Published, 30).await;
    // Only TikTok's confirmation is a resume point; the tray forgets what was sent.
    assert_eq!(t.job(id).await.confirmed_bytes as u64, total);
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_post_links_to_its_tiktok_page_and_an_only_me_post_says_it_has_none() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("gina").await;
    let public = t.draft_as(a, "for everyone", "PUBLIC_TO_EVERYONE").await;
    let private = t.draft(a, "only me").await;
    // Nothing on TikTok before it is published.
    let before = t.h.engine.on_tiktok(public).await.unwrap();
    assert!(before.published_at.is_none() && before.links.is_empty());
    assert!(t.h.engine.tiktok_link(public, "1").await.is_err());

    t.h.engine.start_background();
    t.publish_now(public).await;
    t.publish_now(private).await;
    t.wait_status(public, PostStatus::Published, 15).await;
    t.wait_status(private, PostStatus::Published, 15).await;

    let job = t.job(public).await;
    let ids: Vec<String> = serde_json::from_str(job.public_post_ids.as_deref().unwrap()).unwrap();
    assert_eq!(ids.len(), 1, "{job:#?}");
    let view = t.h.engine.on_tiktok(public).await.unwrap();
    assert!(view.published_at.is_some() && !view.in_inbox && !view.id_pending && !view.only_me);
    let url = format!("https://www.tiktok.com/@gina/video/{}", ids[0]);
    assert_eq!(view.links[0].url.as_deref(), Some(url.as_str()));
    assert_eq!(t.h.engine.tiktok_link(public, &ids[0]).await.unwrap(), url);
    // Only an id TikTok gave is ever opened.
    assert!(t.h.engine.tiktok_link(public, "123").await.is_err());

    let view = t.h.engine.on_tiktok(private).await.unwrap();
    assert!(view.published_at.is_some());
    assert!(
        view.links.is_empty() && !view.id_pending && view.only_me,
        "{view:#?}"
    );
    t.h.engine.shutdown().await;
}
