//! media: probing real files made by ffmpeg, TikTok's rules with the file's value in each
//! message, broken files, and fingerprints.

mod media_common;

use std::io::Write;
use std::time::{Duration, Instant};

use media_common::{ffmpeg, h264, has_encoder};
use tokdeck_core::media::{self, Container, FileCheck, MediaRule, ProbeError, VideoCodec};

fn only(v: &[media::Violation], rule: MediaRule) -> &media::Violation {
    assert_eq!(v.len(), 1, "expected one violation, got {v:?}");
    assert_eq!(v[0].rule, rule);
    &v[0]
}

#[test]
fn h264_mp4_moov_at_end_and_faststart() {
    let dir = tempfile::tempdir().unwrap();
    let p = h264(dir.path(), "a.mp4", 2.0);
    let f = media::probe(&p).unwrap();
    assert_eq!(f.container, Container::Mp4);
    assert_eq!(f.codec, VideoCodec::H264);
    assert_eq!((f.width, f.height), (640, 360));
    assert!((f.frame_rate - 30.0).abs() < 0.01, "{f:?}");
    assert_eq!(f.duration_ms, 2000);
    assert_eq!(f.size_bytes, std::fs::metadata(&p).unwrap().len());
    assert!(media::validate(&f, Some(3)).is_empty());

    let fast = ffmpeg(
        dir.path(),
        "fast.mp4",
        "testsrc=size=640x360:rate=30",
        1.0,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-movflags",
            "+faststart",
        ],
    );
    let f = media::probe(&fast).unwrap();
    assert_eq!((f.codec, f.duration_ms), (VideoCodec::H264, 1000));
}

#[test]
fn h265_mov() {
    if !has_encoder("libx265") {
        println!("SKIPPED h265_mov: this ffmpeg has no libx265 encoder (ffmpeg -encoders)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = ffmpeg(
        dir.path(),
        "b.mov",
        "testsrc=size=640x360:rate=25",
        1.0,
        &[
            "-c:v",
            "libx265",
            "-preset",
            "ultrafast",
            "-tag:v",
            "hvc1",
            "-x265-params",
            "log-level=error",
        ],
    );
    let f = media::probe(&p).unwrap();
    assert_eq!(f.container, Container::Mov);
    assert_eq!(f.codec, VideoCodec::H265);
    assert_eq!((f.width, f.height), (640, 360));
    assert!((f.frame_rate - 25.0).abs() < 0.01, "{f:?}");
    assert!(media::validate(&f, Some(60)).is_empty());
}

#[test]
fn vp9_webm() {
    let dir = tempfile::tempdir().unwrap();
    let p = ffmpeg(
        dir.path(),
        "c.webm",
        "testsrc=size=640x360:rate=30",
        1.0,
        &[
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-b:v",
            "200k",
        ],
    );
    let f = media::probe(&p).unwrap();
    assert_eq!(f.container, Container::Webm);
    assert_eq!(f.codec, VideoCodec::Vp9);
    assert_eq!((f.width, f.height), (640, 360));
    assert!((f.frame_rate - 30.0).abs() < 0.1, "{f:?}");
    assert!((f.duration_ms as i64 - 1000).abs() <= 40, "{f:?}");
    assert!(media::validate(&f, Some(60)).is_empty());
}

#[test]
fn twenty_fps_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = ffmpeg(
        dir.path(),
        "slow.mp4",
        "testsrc=size=640x360:rate=20",
        1.0,
        &["-c:v", "libx264", "-preset", "ultrafast"],
    );
    let f = media::probe(&p).unwrap();
    let v = media::validate(&f, Some(60));
    let v = only(&v, MediaRule::FrameRate);
    assert_eq!(v.value, "20 fps");
    assert_eq!(
        v.message,
        "Frame rate is 20 fps; TikTok needs 23–60 fps. Re-export the video at 30 fps."
    );
}

#[test]
fn eight_k_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = ffmpeg(
        dir.path(),
        "8k.mp4",
        "color=c=black:size=7680x4320:rate=30",
        0.1,
        &["-c:v", "libx264", "-preset", "ultrafast", "-b:v", "100k"],
    );
    let f = media::probe(&p).unwrap();
    assert_eq!((f.width, f.height), (7680, 4320));
    let v = media::validate(&f, Some(60));
    let v = only(&v, MediaRule::Resolution);
    assert_eq!(v.value, "7680x4320");
    assert!(
        v.message
            .starts_with("Resolution is 7680x4320 px; TikTok needs 360–4096 px on each side."),
        "{}",
        v.message
    );
}

#[test]
fn two_hundred_px_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = ffmpeg(
        dir.path(),
        "tiny.mp4",
        "testsrc=size=200x200:rate=30",
        1.0,
        &["-c:v", "libx264", "-preset", "ultrafast"],
    );
    let f = media::probe(&p).unwrap();
    let v = media::validate(&f, Some(60));
    let v = only(&v, MediaRule::Resolution);
    assert_eq!(v.value, "200x200");
    assert!(
        v.message
            .starts_with("Resolution is 200x200 px; TikTok needs 360–4096 px on each side."),
        "{}",
        v.message
    );
}

#[test]
fn duration_against_the_accounts_limit() {
    let dir = tempfile::tempdir().unwrap();
    let ok = media::probe(&h264(dir.path(), "two.mp4", 2.0)).unwrap();
    assert!(media::validate(&ok, Some(3)).is_empty());
    let long = media::probe(&h264(dir.path(), "four.mp4", 4.0)).unwrap();
    assert_eq!(long.duration_ms, 4000);
    let v = media::validate(&long, Some(3));
    let v = only(&v, MediaRule::Duration);
    assert_eq!(v.value, "4 s");
    assert_eq!(
        v.message,
        "The video is 4 s long; this account can post videos up to 3 s. Trim it to 3 s or less."
    );
    // Unknown limit: not checked.
    assert!(media::validate(&long, None).is_empty());
}

#[test]
fn broken_files_get_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Truncated, moov at the end (ffmpeg's default): the header is gone.
    let full = std::fs::read(h264(dir.path(), "full.mp4", 2.0)).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &full[..full.len() / 2]).unwrap();
    let e = media::probe(&cut).unwrap_err();
    assert!(matches!(e, ProbeError::Damaged { .. }), "{e:?}");
    assert!(
        e.to_string().contains(
            "looks incomplete or damaged (the movie header (moov) is missing; the file was not completely written or copied)"
        ),
        "{e}"
    );
    // Truncated, moov first: the video data is cut.
    let fast = std::fs::read(ffmpeg(
        dir.path(),
        "fast.mp4",
        "testsrc=size=640x360:rate=30",
        2.0,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-movflags",
            "+faststart",
        ],
    ))
    .unwrap();
    let cut2 = dir.path().join("cut2.mp4");
    std::fs::write(&cut2, &fast[..fast.len() - 1000]).unwrap();
    let e = media::probe(&cut2).unwrap_err();
    assert!(e.to_string().contains("the video data stops at"), "{e}");
    // Zero bytes.
    let empty = dir.path().join("empty.mp4");
    std::fs::write(&empty, b"").unwrap();
    let e = media::probe(&empty).unwrap_err();
    assert_eq!(e, ProbeError::Empty(empty.clone()));
    assert!(e
        .to_string()
        .ends_with("is empty (0 bytes). Choose the exported video file."));
    // Text named .mp4.
    let text = dir.path().join("notes.mp4");
    std::fs::write(&text, "Remember to buy milk.\n").unwrap();
    let e = media::probe(&text).unwrap_err();
    assert_eq!(e, ProbeError::NotVideo(text.clone()));
    assert!(e
        .to_string()
        .ends_with("is not a video Tokdeck can read. TikTok accepts MP4, MOV and WebM files."));
    // Missing.
    let e = media::probe(&dir.path().join("nope.mp4")).unwrap_err();
    assert!(matches!(e, ProbeError::NotFound(_)));
}

/// Random corruption of real files (inside the metadata, where parsers are most exposed):
/// always an answer, never a panic or a crash.
#[test]
fn corrupted_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mp4 = std::fs::read(ffmpeg(
        dir.path(),
        "m.mp4",
        "testsrc=size=360x360:rate=30",
        0.5,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-movflags",
            "+faststart",
        ],
    ))
    .unwrap();
    let webm = std::fs::read(ffmpeg(
        dir.path(),
        "w.webm",
        "testsrc=size=360x360:rate=30",
        0.5,
        &["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"],
    ))
    .unwrap();
    let target = dir.path().join("fuzz.bin");
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for i in 0..400 {
        let base = if i % 2 == 0 { &mp4 } else { &webm };
        let mut data = base.clone();
        let span = data.len().min(2048);
        for _ in 0..(1 + rnd() % 8) {
            let at = (rnd() as usize) % span;
            data[at] = rnd() as u8;
        }
        if i % 5 == 0 {
            data.truncate((rnd() as usize) % data.len() + 1);
        }
        std::fs::File::create(&target)
            .unwrap()
            .write_all(&data)
            .unwrap();
        let _ = media::probe(&target); // must return, Ok or Err
    }
    // Pure noise.
    for _ in 0..200 {
        let len = 1 + (rnd() % 5000) as usize;
        let data: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
        std::fs::write(&target, &data).unwrap();
        assert!(media::probe(&target).is_err());
    }
}

#[test]
fn fingerprint_moved_changed_touched() {
    let dir = tempfile::tempdir().unwrap();
    let p = h264(dir.path(), "fp.mp4", 1.0);
    let fp = media::fingerprint(&p).unwrap();
    assert_eq!(media::check(&p, &fp), FileCheck::Ok);

    // Moved.
    let moved = dir.path().join("elsewhere.mp4");
    std::fs::rename(&p, &moved).unwrap();
    assert_eq!(media::check(&p, &fp), FileCheck::Moved);
    assert_eq!(media::check(&moved, &fp), FileCheck::Ok);

    // Touched: only the modification time.
    let f = std::fs::File::options().write(true).open(&moved).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
        .unwrap();
    drop(f);
    match media::check(&moved, &fp) {
        FileCheck::Changed { changes } => {
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert!(changes[0].starts_with("modified time was"), "{changes:?}");
        }
        other => panic!("{other:?}"),
    }

    // One byte appended: size and end differ.
    std::fs::OpenOptions::new()
        .append(true)
        .open(&moved)
        .unwrap()
        .write_all(b"x")
        .unwrap();
    match media::check(&moved, &fp) {
        FileCheck::Changed { changes } => {
            assert!(changes.contains(&format!(
                "size was {} bytes, now {} bytes",
                fp.size,
                fp.size + 1
            )));
            assert!(changes.contains(&"the end of the file differs".to_owned()));
        }
        other => panic!("{other:?}"),
    }
}

fn mkfifo(path: &std::path::Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs `f` on a thread and fails the test if it does not return within `limit` (before the
/// fix, opening a FIFO blocked forever).
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("did not return within {limit:?}"))
}

#[test]
fn a_fifo_or_folder_at_the_media_path_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let real = h264(dir.path(), "real.mp4", 1.0);
    let fp = media::fingerprint(&real).unwrap();
    let fifo = dir.path().join("pipe.mp4");
    mkfifo(&fifo);
    let t0 = Instant::now();

    let p = fifo.clone();
    let e = within(Duration::from_secs(5), move || media::probe(&p)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} is a named pipe (FIFO), not a video file. Choose the exported video file.",
            fifo.display()
        )
    );
    let p = fifo.clone();
    let e = within(Duration::from_secs(5), move || media::fingerprint(&p)).unwrap_err();
    assert_eq!(e.to_string(), "it is a named pipe (FIFO), not a video file");
    // What the publisher's `checking` step calls.
    let p = fifo.clone();
    let check = within(Duration::from_secs(5), move || media::check(&p, &fp));
    assert_eq!(
        check,
        FileCheck::Changed {
            changes: vec![
                "it can no longer be read: it is a named pipe (FIFO), not a video file".into()
            ]
        }
    );
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());

    let e = media::probe(dir.path()).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("is a folder, not a video file. Choose the exported video file."),
        "{e}"
    );
}

#[test]
fn a_file_step_that_blocks_is_abandoned_at_the_bound_with_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("stuck");
    mkfifo(&fifo);
    // A real blocked open (no writer): what a dead mount does to `stat` and `open`.
    let p = fifo.clone();
    let t0 = Instant::now();
    let r = media::run_bounded(Duration::from_millis(300), move || std::fs::File::open(&p));
    let waited = t0.elapsed();
    assert!(r.is_none());
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    // Let the abandoned worker finish.
    drop(std::fs::OpenOptions::new().write(true).open(&fifo).unwrap());

    let secs = media::IO_TIMEOUT.as_secs();
    let e = media::ProbeError::TimedOut {
        path: "/mnt/nas/a.mp4".into(),
        secs,
    };
    assert_eq!(
        e.to_string(),
        format!("The video file /mnt/nas/a.mp4 could not be read within {secs} s — is the drive still connected?")
    );
    let check = FileCheck::Changed {
        changes: vec![format!(
            "The video file could not be read within {secs} s — is the drive still connected?"
        )],
    };
    assert_eq!(
        check.reason(std::path::Path::new("/mnt/nas/a.mp4")).unwrap(),
        format!("The video file /mnt/nas/a.mp4 could not be read within {secs} s — is the drive still connected?")
    );
}

/// The engine's own file checks (what `checking` and the scheduler run) return at once when
/// the post's file was replaced by a FIFO, and the post says why.
#[tokio::test]
async fn a_scheduled_post_whose_file_became_a_fifo_needs_attention_without_hanging() {
    use tokdeck_core::posts::{Commercial, ComposeInput, PostMode, PostStatus, When};
    let env = media_common::engine().await;
    let a = env.account("alice").await;
    let video = h264(env.path(), "v.mp4", 1.0);
    let e = &env.engine;
    let c = media_common::public_creator("Alice");
    let input = |path: &std::path::Path| ComposeInput {
        account_id: a,
        media_path: path.to_string_lossy().into_owned(),
        caption: "fifo".into(),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    };
    let p = e.create_draft(&input(&video), None).await.unwrap();
    let when = When::At {
        local: "2027-06-01T10:00".into(),
        zone: Some("UTC".into()),
        dst: None,
    };
    e.schedule_post(p.id, &when, &c).await.unwrap();
    std::fs::remove_file(&video).unwrap();
    mkfifo(&video);

    let bound = Duration::from_secs(5);
    let check = tokio::time::timeout(bound, e.check_post_media(p.id))
        .await
        .expect("check_post_media returns")
        .unwrap();
    assert!(matches!(check, FileCheck::Changed { .. }), "{check:?}");
    let post = e.post(p.id).await.unwrap();
    assert_eq!(post.status, PostStatus::NeedsAttention);
    let reason = post.attention_reason.unwrap();
    assert!(
        reason.contains("it is a named pipe (FIFO), not a video file"),
        "{reason}"
    );

    // A new draft on the FIFO: refused, not hung.
    let err = tokio::time::timeout(bound, e.create_draft(&input(&video), None))
        .await
        .expect("create_draft returns")
        .unwrap_err();
    assert!(
        err.user_message()
            .contains("is a named pipe (FIFO), not a video file"),
        "{}",
        err.user_message()
    );
}

/// The watchdog limits stuck workers only: many probes at once all get their answer.
#[test]
fn many_probes_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let p = h264(dir.path(), "many.mp4", 1.0);
    let handles: Vec<_> = (0..12)
        .map(|_| {
            let p = p.clone();
            std::thread::spawn(move || (media::probe(&p), media::fingerprint(&p)))
        })
        .collect();
    for h in handles {
        let (facts, fp) = h.join().unwrap();
        assert_eq!(facts.unwrap().duration_ms, 1000);
        assert!(fp.is_ok());
    }
}
