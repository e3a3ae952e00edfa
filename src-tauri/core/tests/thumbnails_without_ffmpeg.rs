//! Without ffmpeg on PATH a draft is still created, just without a thumbnail. Its own test
//! binary: it changes this process's PATH.

mod media_common;

use media_common::{engine, h264};
use tokdeck_core::posts::{Commercial, ComposeInput, PostMode};
use tokdeck_core::thumbnails;

#[tokio::test]
async fn a_missing_ffmpeg_means_no_thumbnail_and_no_error() {
    let env = engine().await;
    let a = env.account("alice").await;
    // Made while ffmpeg is still reachable.
    let video = h264(env.path(), "v.mp4", 1.0);
    let empty = env.path().join("empty-bin");
    std::fs::create_dir_all(&empty).unwrap();
    std::env::set_var("PATH", &empty);
    assert_eq!(thumbnails::ffmpeg(), None);

    let post = env
        .engine
        .create_draft(
            &ComposeInput {
                account_id: a,
                media_path: video.to_string_lossy().into_owned(),
                caption: String::new(),
                privacy_level: None,
                allow_comment: false,
                allow_duet: false,
                allow_stitch: false,
                commercial: Commercial::default(),
                is_aigc: false,
                cover_timestamp_ms: Some(500),
                mode: PostMode::Direct,
            },
            None,
        )
        .await
        .expect("the draft does not depend on ffmpeg");
    assert_eq!(post.thumbnail_path, None);
    assert!(!env.engine.thumbnails_dir().join("x").exists());
    let files = std::fs::read_dir(env.engine.thumbnails_dir())
        .map(|rd| rd.count())
        .unwrap_or(0);
    assert_eq!(files, 0);
}
