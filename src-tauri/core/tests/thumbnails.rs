//! Post thumbnails: a small JPEG of the cover frame made with ffmpeg when a draft is created,
//! remade when the cover moves, shared by duplicates, removed with the last post using it, and
//! served by the loopback preview server only under its token and only from its folder.

mod media_common;

use std::path::Path;

use media_common::{engine, h264, public_creator, Env};
use tokdeck_core::posts::{Commercial, ComposeInput, ComposePatch, PostMode};
use tokdeck_core::thumbnails;

fn input(account_id: i64, path: &Path, cover_ms: Option<u32>) -> ComposeInput {
    ComposeInput {
        account_id,
        media_path: path.to_string_lossy().into_owned(),
        caption: "thumb".into(),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: cover_ms,
        mode: PostMode::Direct,
    }
}

/// Width and height from a JPEG's start-of-frame segment (any SOFn but DHT/JPG/DAC).
fn jpeg_size(bytes: &[u8]) -> (u16, u16) {
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "JPEG magic bytes");
    let mut i = 2;
    while i + 9 < bytes.len() {
        assert_eq!(bytes[i], 0xFF, "segment marker at {i}");
        let marker = bytes[i + 1];
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]);
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]);
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no start-of-frame segment");
}

fn thumb_files(env: &Env) -> Vec<String> {
    let dir = env.engine.thumbnails_dir();
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test]
async fn drafts_get_a_cover_thumbnail_that_follows_the_cover_and_is_shared_by_copies() {
    assert!(
        thumbnails::ffmpeg().is_some(),
        "these tests need ffmpeg on PATH"
    );
    let env = engine().await;
    let a = env.account("alice").await;
    let b = env.account("bob").await;
    let video = h264(env.path(), "v.mp4", 2.0);
    let e = &env.engine;

    let post = e
        .create_draft(&input(a, &video, Some(1000)), None)
        .await
        .unwrap();
    let first = post.thumbnail_path.clone().expect("a thumbnail");
    assert_eq!(Path::new(&first).parent().unwrap(), e.thumbnails_dir());
    let bytes = std::fs::read(&first).unwrap();
    // 640x360 scaled to 160 px wide keeps 16:9.
    assert_eq!(jpeg_size(&bytes), (160, 90));
    assert!(bytes.len() < 64 * 1024, "{} bytes", bytes.len());

    // testsrc's counter changes every second: another cover is another picture and file.
    let moved = e
        .update_post(
            post.id,
            &ComposePatch {
                cover_timestamp_ms: Some(Some(0)),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    let second = moved.thumbnail_path.clone().expect("a thumbnail");
    assert_ne!(second, first);
    assert_ne!(std::fs::read(&second).unwrap(), bytes);
    assert!(!Path::new(&first).exists(), "the old cover's file is gone");

    // A caption edit keeps the same file.
    let edited = e
        .update_post(
            post.id,
            &ComposePatch {
                caption: Some("new".into()),
                ..Default::default()
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(edited.thumbnail_path.as_deref(), Some(second.as_str()));

    let copies = e
        .duplicate_post(post.id, &[(b, public_creator("Bob"))])
        .await
        .unwrap();
    let copy = &copies[0].post;
    assert_eq!(copy.thumbnail_path.as_deref(), Some(second.as_str()));
    assert_eq!(thumb_files(&env).len(), 1, "{:?}", thumb_files(&env));

    // The file stays while a post uses it, in Trash too (the Trash page shows it).
    e.delete_post(post.id).await.unwrap();
    e.delete_post(copy.id).await.unwrap();
    assert!(Path::new(&second).is_file());
    e.delete_forever(post.id).await.unwrap();
    assert!(Path::new(&second).is_file());
    e.delete_forever(copy.id).await.unwrap();
    assert!(!Path::new(&second).exists());
    assert_eq!(thumb_files(&env), Vec::<String>::new());
}

#[tokio::test]
async fn preview_server_serves_thumbnails_only_under_its_token_and_from_its_folder() {
    let env = engine().await;
    let a = env.account("alice").await;
    let video = h264(env.path(), "v.mp4", 1.0);
    let e = &env.engine;
    let post = e.create_draft(&input(a, &video, None), None).await.unwrap();
    let file = post.thumbnail_path.clone().expect("a thumbnail");
    let other = e.create_draft(&input(a, &video, None), None).await.unwrap();

    let base = e.thumbnail_base_url().await.unwrap();
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with('/'),
        "{base}"
    );
    let token = base.split('/').nth(4).unwrap().to_owned();
    assert_eq!(token.len(), 64);
    // The same server (and origin) as the video previews.
    let media = e.media_preview_url(post.id).await.unwrap();
    assert_eq!(media.split('/').nth(2), base.split('/').nth(2));

    let client = reqwest::Client::new();
    let ok = client
        .get(format!("{base}{}?v=x", post.id))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "image/jpeg");
    assert_eq!(
        &ok.bytes().await.unwrap()[..],
        &std::fs::read(&file).unwrap()[..]
    );

    // A thumbnail path pointing out of the folder (a damaged or edited row) is not served.
    sqlx::query("UPDATE posts SET thumbnail_path = ? WHERE id = ?")
        .bind(video.to_string_lossy().into_owned())
        .bind(other.id)
        .execute(e.store().pool())
        .await
        .unwrap();
    let dotdot = format!(
        "{}/../{}",
        e.thumbnails_dir().display(),
        Path::new(&file).file_name().unwrap().to_string_lossy()
    );
    let third = e.create_draft(&input(a, &video, None), None).await.unwrap();
    sqlx::query("UPDATE posts SET thumbnail_path = ? WHERE id = ?")
        .bind(&dotdot)
        .bind(third.id)
        .execute(e.store().pool())
        .await
        .unwrap();
    for bad in [
        base.replace(&token, &"0".repeat(64)) + &post.id.to_string(),
        base.replace(&token, "short") + &post.id.to_string(),
        format!("{base}{}", post.id + 1000),
        format!("{base}abc"),
        format!("{base}{}", other.id),
        format!("{base}{}", third.id),
    ] {
        let s = client.get(&bad).send().await.unwrap().status();
        assert_eq!(s, 404, "{bad}");
    }
}
