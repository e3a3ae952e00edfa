//! Shared helpers for the media and posts tests: real videos made with `ffmpeg` at test time in
//! a temp dir (nothing binary is committed), and an engine on a temp store with plain accounts.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use tokdeck_core::posts::CreatorRules;
use tokdeck_core::secrets::Secrets;
use tokdeck_core::{Engine, EngineConfig};

/// Runs ffmpeg with a lavfi test source; panics with ffmpeg's stderr on failure.
pub fn ffmpeg(dir: &Path, name: &str, source: &str, seconds: f64, codec_args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-v", "error", "-y", "-f", "lavfi", "-i", source, "-t"])
        .arg(format!("{seconds}"))
        .args(codec_args)
        .arg(&out);
    let res = cmd
        .output()
        .expect("ffmpeg runs (scripts/setup.sh installs it)");
    assert!(
        res.status.success(),
        "ffmpeg failed for {name}: {}",
        String::from_utf8_lossy(&res.stderr)
    );
    out
}

/// A small H.264 MP4: 640x360, 30 fps.
pub fn h264(dir: &Path, name: &str, seconds: f64) -> PathBuf {
    ffmpeg(
        dir,
        name,
        "testsrc=size=640x360:rate=30",
        seconds,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ],
    )
}

pub fn has_encoder(name: &str) -> bool {
    Command::new("ffmpeg")
        .args(["-hide_banner", "-encoders"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.split_whitespace().nth(1) == Some(name))
        })
        .unwrap_or(false)
}

pub struct Env {
    pub engine: Arc<Engine>,
    pub dir: tempfile::TempDir,
}

pub async fn engine() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::with_store("tokdeck-test", keyring_core::mock::Store::new().unwrap());
    let engine = Engine::open(EngineConfig::new(dir.path().join("data"), secrets))
        .await
        .unwrap();
    Env { engine, dir }
}

impl Env {
    pub async fn account(&self, username: &str) -> i64 {
        sqlx::query_scalar(
            "INSERT INTO accounts (open_id, username, display_name, created_at, updated_at)
             VALUES (?, ?, ?, 0, 0) RETURNING id",
        )
        .bind(format!("open-{username}"))
        .bind(username)
        .bind(format!("{username} TV"))
        .fetch_one(self.engine.store().pool())
        .await
        .unwrap()
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

pub fn public_creator(nickname: &str) -> CreatorRules {
    CreatorRules {
        nickname: nickname.to_owned(),
        privacy_level_options: vec![
            "PUBLIC_TO_EVERYONE".into(),
            "MUTUAL_FOLLOW_FRIENDS".into(),
            "SELF_ONLY".into(),
        ],
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: Some(300),
    }
}

pub fn private_creator(nickname: &str) -> CreatorRules {
    CreatorRules {
        nickname: nickname.to_owned(),
        privacy_level_options: vec![
            "FOLLOWER_OF_CREATOR".into(),
            "MUTUAL_FOLLOW_FRIENDS".into(),
            "SELF_ONLY".into(),
        ],
        comment_disabled: false,
        duet_disabled: true,
        stitch_disabled: true,
        max_video_post_duration_sec: Some(600),
    }
}
