//! P-ingest: 500 videos (made by ffmpeg: mixed sizes, resolutions and lengths, each file's
//! content distinct) dropped at once as one folder of subfolders. Goal: every draft listed
//! (`Engine::drafts`) ≤ 5 s after the drop on this 2-core machine, with probing bounded in
//! memory; thumbnails finish in the background afterwards (their time is printed, not a goal).
//!
//! The reference, measured in the same run on the same files: `ffprobe` reading each file's
//! format and streams, run `compose::ingest::PARALLEL` at a time like the engine's probing —
//! what a scheduler that shells out to ffprobe would spend before it could list anything.
//!
//! The ten source videos are cached under the target folder (`bench-media/ingest/`); the 500
//! files are copies with a unique MP4 `free` box appended, so every file has its own content
//! fingerprint and thumbnail, as a creator's real files would.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{open_engine, runtime};
use tokdeck_core::compose::ingest::PARALLEL;
use tokdeck_core::events::EngineEvent;
use tokdeck_core::posts::DraftQuery;

const FILES: usize = 500;
const GOAL: Duration = Duration::from_secs(5);
/// (width, height, seconds, bitrate): from a 1 s phone clip to a 15 s 1080p one.
const SOURCES: &[(u32, u32, u32, &str)] = &[
    (540, 960, 1, "400k"),
    (540, 960, 4, "800k"),
    (720, 1280, 2, "1500k"),
    (720, 1280, 6, "2M"),
    (720, 1280, 10, "1M"),
    (1080, 1920, 3, "4M"),
    (1080, 1920, 8, "3M"),
    (1080, 1920, 15, "2M"),
    (1280, 720, 5, "1500k"),
    (1080, 1080, 7, "2500k"),
];

fn main() {
    let media = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/bench-media/ingest")
        .to_path_buf();
    std::fs::create_dir_all(&media).unwrap();
    let sources: Vec<PathBuf> = SOURCES
        .iter()
        .map(|&(w, h, s, rate)| source(&media, w, h, s, rate))
        .collect();
    let work = tempfile::tempdir_in(&media).unwrap();
    let drop = work.path().join("drop");
    let files = copies(&sources, &drop);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().len())
        .sum();
    println!(
        "P-ingest: {FILES} files in {} subfolders, {:.0} MB in all ({:.1}-{:.1} MB each)",
        FILES / 50,
        bytes as f64 / 1e6,
        files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .min()
            .unwrap() as f64
            / 1e6,
        files
            .iter()
            .map(|f| std::fs::metadata(f).unwrap().len())
            .max()
            .unwrap() as f64
            / 1e6
    );

    let reference = ffprobe_all(&files);
    let rt = runtime();
    rt.block_on(async {
        let engine = open_engine(&work.path().join("data")).await;
        let mut tx = engine.store().pool().begin().await.unwrap();
        common::insert_accounts(&mut tx, 1).await;
        tx.commit().await.unwrap();

        let mut events = engine.events().subscribe();
        let first_progress = tokio::spawn(async move {
            let started = Instant::now();
            loop {
                match events.recv().await {
                    Ok(EngineEvent::IngestProgress { .. }) => return Some(started.elapsed()),
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return None,
                }
            }
        });
        let rss_before = status_kb("VmRSS");
        let started = Instant::now();
        let results = engine
            .ingest_paths(&[drop.to_string_lossy().into_owned()], Some(1))
            .await
            .unwrap();
        let listed = engine
            .drafts(&DraftQuery { account_id: None })
            .await
            .unwrap();
        let elapsed = started.elapsed();
        let peak_growth = status_kb("VmHWM").saturating_sub(rss_before);
        let made = results.iter().filter(|r| r.draft_id.is_some()).count();
        assert_eq!(made, FILES, "every file becomes a draft: {:?}", results
            .iter()
            .find(|r| r.draft_id.is_none()));
        assert!(listed.items.len() >= FILES, "{} drafts listed", listed.items.len());
        let first = first_progress.await.unwrap().unwrap_or_default();
        let verdict = if elapsed <= GOAL { "ok" } else { "OVER GOAL" };
        match reference {
            Some(r) => println!(
                "P-ingest: all {FILES} drafts listed in {:.0} ms (goal <= {} ms: {verdict}); first results shown after {:.0} ms; ffprobe on the same files ({PARALLEL} at a time) {:.0} ms; engine / ffprobe = {:.2}x",
                ms(elapsed),
                GOAL.as_millis(),
                ms(first),
                ms(r),
                ms(elapsed) / ms(r)
            ),
            None => println!(
                "P-ingest: all {FILES} drafts listed in {:.0} ms (goal <= {} ms: {verdict}); first results shown after {:.0} ms; ffprobe not installed, no ratio (scripts/setup.sh installs ffmpeg)",
                ms(elapsed),
                GOAL.as_millis(),
                ms(first)
            ),
        }
        println!(
            "P-ingest: memory: resident set grew by at most {:.1} MB while {FILES} files were probed ({PARALLEL} at a time)",
            peak_growth as f64 / 1024.0
        );
        thumbnails_done(&engine, started).await;
        engine.shutdown().await;
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Waits (bounded) for every draft's thumbnail and prints when they were all there.
async fn thumbnails_done(engine: &Arc<tokdeck_core::Engine>, started: Instant) {
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let list = engine
            .drafts(&DraftQuery { account_id: None })
            .await
            .unwrap();
        let missing = list
            .items
            .iter()
            .filter(|d| d.thumbnail_path.is_none())
            .count();
        if missing == 0 {
            println!(
                "P-ingest: thumbnails of all {FILES} drafts made in the background {:.1} s after the drop (not a goal)",
                started.elapsed().as_secs_f64()
            );
            return;
        }
        if Instant::now() > deadline {
            println!("P-ingest: {missing} thumbnails still missing after 10 minutes");
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A value of /proc/self/status in kB (0 where there is none).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One cached source video made by ffmpeg.
fn source(dir: &Path, w: u32, h: u32, seconds: u32, rate: &str) -> PathBuf {
    let out = dir.join(format!("src-{w}x{h}-{seconds}s-{rate}.mp4"));
    if out.is_file() {
        return out;
    }
    let tmp = out.with_extension("part.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=size={w}x{h}:rate=30"))
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100"])
        .arg("-t")
        .arg(seconds.to_string())
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .args([
            "-b:v",
            rate,
            "-c:a",
            "aac",
            "-shortest",
            "-movflags",
            "+faststart",
        ])
        .arg(&tmp)
        .status()
        .expect("the ingest bench needs ffmpeg (scripts/setup.sh installs it)");
    assert!(status.success(), "ffmpeg failed for {}", out.display());
    std::fs::rename(&tmp, &out).unwrap();
    out
}

/// `FILES` copies of the sources in subfolders of 50, each with a unique `free` box appended
/// (a valid MP4 box any reader skips), so every file's content differs.
fn copies(sources: &[PathBuf], drop: &Path) -> Vec<PathBuf> {
    let mut files = Vec::with_capacity(FILES);
    for i in 0..FILES {
        let sub = drop.join(format!("batch{:02}", i / 50));
        std::fs::create_dir_all(&sub).unwrap();
        let to = sub.join(format!("clip{i:03}.mp4"));
        std::fs::copy(&sources[i % sources.len()], &to).unwrap();
        let mut f = std::fs::OpenOptions::new().append(true).open(&to).unwrap();
        f.write_all(&16u32.to_be_bytes()).unwrap();
        f.write_all(b"free").unwrap();
        f.write_all(&(i as u64).to_be_bytes()).unwrap();
        files.push(to);
    }
    files
}

/// Wall time of `ffprobe -show_format -show_streams` over every file, `PARALLEL` at a time;
/// `None` without ffprobe.
fn ffprobe_all(files: &[PathBuf]) -> Option<Duration> {
    Command::new("ffprobe").arg("-version").output().ok()?;
    let started = Instant::now();
    for chunk in files.chunks(PARALLEL) {
        let children: Vec<_> = chunk
            .iter()
            .map(|f| {
                Command::new("ffprobe")
                    .args([
                        "-v",
                        "error",
                        "-show_format",
                        "-show_streams",
                        "-of",
                        "json",
                    ])
                    .arg(f)
                    .stdout(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
    }
    Some(started.elapsed())
}
