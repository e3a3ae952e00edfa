//! Small JPEG thumbnails of a post's cover frame for the calendar and the queue.
//!
//! Decoding H.264/H.265/VP9 in Rust is not realistic, so the `ffmpeg` program is used when it is
//! on PATH; without it (or when it fails) a post simply has no thumbnail. Nothing here ever
//! fails a post operation: problems are logged at debug level.
//!
//! Files are keyed by the video's content fingerprint and the cover time
//! (`<data>/thumbnails/<key>.jpg`), so duplicates of a post, and a relink to a moved copy, share
//! one file without running ffmpeg again; a file is removed when the last post using it goes.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::sync::Semaphore;

use crate::ctx::Ctx;

/// Thumbnail width in pixels; the height follows the video's aspect ratio.
pub const WIDTH: u32 = 160;
/// The folder under the data dir.
pub const DIR: &str = "thumbnails";

/// A hung or very slow ffmpeg is killed after this.
const TIMEOUT: Duration = Duration::from_secs(15);
/// How much of ffmpeg's error output is kept for the log.
const STDERR_CAP: u64 = 4 * 1024;
/// A 160 px wide JPEG is a few KiB; anything far larger is not what was asked for.
const MAX_JPEG_BYTES: u64 = 2 * 1024 * 1024;

/// Drops of many files would otherwise start one ffmpeg per file at once.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// The first executable called `name` in the directories of `path_var` (a PATH value).
pub fn find_program(name: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    let dirs = path_var?;
    std::env::split_paths(dirs)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file() || p.with_extension("exe").is_file()
}

/// `ffmpeg` from the current PATH.
pub fn ffmpeg() -> Option<PathBuf> {
    find_program("ffmpeg", std::env::var_os("PATH").as_deref())
}

/// The file name for a video's content and cover time.
pub fn file_name(size: u64, head_sha256: &str, tail_sha256: &str, cover_ms: u32) -> String {
    let mut h = Sha256::new();
    h.update(size.to_le_bytes());
    h.update(head_sha256.as_bytes());
    h.update(tail_sha256.as_bytes());
    h.update(cover_ms.to_le_bytes());
    format!("{}.jpg", &hex::encode(h.finalize())[..32])
}

fn looks_like_jpeg(path: &Path) -> bool {
    let Ok(meta) = path.metadata() else {
        return false;
    };
    if meta.len() < 4 || meta.len() > MAX_JPEG_BYTES {
        return false;
    }
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == [0xFF, 0xD8, 0xFF]
}

/// Runs ffmpeg once (no shell, stdin closed, bounded stderr, killed on timeout) to write the
/// frame at `at_ms` of `video`, `WIDTH` px wide, as a JPEG at `out`.
async fn run_ffmpeg(ffmpeg: &Path, video: &Path, at_ms: u32, out: &Path) -> Result<(), String> {
    let mut child = Command::new(ffmpeg)
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-ss"])
        .arg(format!("{:.3}", f64::from(at_ms) / 1000.0))
        .arg("-i")
        .arg(video)
        .args([
            "-map",
            "0:v:0",
            "-frames:v",
            "1",
            "-an",
            "-sn",
            "-dn",
            "-vf",
        ])
        .arg(format!("scale={WIDTH}:-2"))
        .args(["-c:v", "mjpeg", "-q:v", "5", "-f", "image2", "-y"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("ffmpeg could not start: {e}"))?;
    let mut stderr = child.stderr.take().ok_or("no stderr pipe")?;
    let run = async {
        let mut kept = Vec::new();
        let read = async {
            let _ = (&mut stderr).take(STDERR_CAP).read_to_end(&mut kept).await;
            // The rest is drained unread so ffmpeg never blocks on a full pipe.
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
        };
        let (_, status) = tokio::join!(read, child.wait());
        (status, kept)
    };
    let (status, kept) = tokio::time::timeout(TIMEOUT, run)
        .await
        .map_err(|_| format!("ffmpeg took longer than {} s", TIMEOUT.as_secs()))?;
    let status = status.map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!(
            "ffmpeg {status}: {}",
            String::from_utf8_lossy(&kept).trim()
        ));
    }
    if !looks_like_jpeg(out) {
        return Err("ffmpeg wrote no JPEG (no frame at that time?)".to_owned());
    }
    Ok(())
}

/// Writes the thumbnail of `video` at `at_ms` (the first frame when that fails) to `out`,
/// atomically. Errors say why, for the log.
pub async fn render(ffmpeg: &Path, video: &Path, at_ms: u32, out: &Path) -> Result<(), String> {
    let _slot = SLOTS.acquire().await.map_err(|e| e.to_string())?;
    if let Some(dir) = out.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let part = out.with_extension(format!("part{}", rand::random::<u32>()));
    let mut res = run_ffmpeg(ffmpeg, video, at_ms, &part).await;
    if res.is_err() && at_ms > 0 {
        res = run_ffmpeg(ffmpeg, video, 0, &part).await;
    }
    let res = match res {
        Ok(()) => tokio::fs::rename(&part, out)
            .await
            .map_err(|e| format!("{}: {e}", out.display())),
        Err(e) => Err(e),
    };
    if res.is_err() {
        let _ = tokio::fs::remove_file(&part).await;
    }
    res
}

type SourceRow = (String, i64, String, String, Option<i64>, Option<String>);

/// The thumbnail files of the posts and the posts' `thumbnail_path` column.
pub struct Thumbnails {
    ctx: Ctx,
}

impl Thumbnails {
    pub fn new(ctx: Ctx) -> Self {
        Self { ctx }
    }

    pub fn dir(&self) -> PathBuf {
        self.ctx.data_dir().join(DIR)
    }

    /// Makes sure post `id` has the thumbnail of its current file and cover (made with ffmpeg
    /// when no post has it yet) and drops the one it had if nothing else uses it. Never fails:
    /// without ffmpeg, or when it cannot read the file, the post just has no thumbnail.
    pub async fn refresh(&self, id: i64) {
        if let Err(e) = self.try_refresh(id).await {
            tracing::debug!(post = id, reason = %e, "no thumbnail");
        }
    }

    async fn try_refresh(&self, id: i64) -> Result<(), String> {
        let pool = self.ctx.pool();
        let row: Option<SourceRow> = sqlx::query_as(
            "SELECT media_path, media_size, media_head_sha256, media_tail_sha256,
                cover_timestamp_ms, thumbnail_path FROM posts WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())?;
        let Some((video, size, head, tail, cover, old)) = row else {
            return Ok(());
        };
        let cover = cover.and_then(|c| u32::try_from(c).ok()).unwrap_or(0);
        let name = file_name(size as u64, &head, &tail, cover);
        let path = self.dir().join(name);
        let path_text = path.to_string_lossy().into_owned();
        if old.as_deref() == Some(path_text.as_str()) && path.is_file() {
            return Ok(());
        }
        if !path.is_file() {
            let made = match ffmpeg() {
                Some(ffmpeg) => render(&ffmpeg, Path::new(&video), cover, &path).await,
                None => Err("ffmpeg is not on PATH".to_owned()),
            };
            if let Err(e) = made {
                // A stale thumbnail of another cover or file would mislead.
                self.set_thumbnail(id, None, old).await;
                return Err(e);
            }
        }
        self.set_thumbnail(id, Some(path_text), old).await;
        Ok(())
    }

    async fn set_thumbnail(&self, id: i64, new: Option<String>, old: Option<String>) {
        let res = sqlx::query("UPDATE posts SET thumbnail_path = ? WHERE id = ?")
            .bind(&new)
            .bind(id)
            .execute(self.ctx.pool())
            .await;
        if let Err(e) = res {
            tracing::debug!(post = id, error = %e, "thumbnail not recorded");
            return;
        }
        if old.is_some() && old != new {
            self.forget(old).await;
        }
    }

    /// Removes a thumbnail file once no post refers to it (call after the post let go of it).
    pub async fn forget(&self, path: Option<String>) {
        let Some(path) = path else { return };
        let used: Result<i64, _> =
            sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE thumbnail_path = ?")
                .bind(&path)
                .fetch_one(self.ctx.pool())
                .await;
        // Only files in our own folder are ever removed, whatever the column says.
        let ours = Path::new(&path).parent() == Some(self.dir().as_path());
        if matches!(used, Ok(0)) && ours {
            if let Err(e) = tokio::fs::remove_file(&path).await {
                tracing::debug!(path, error = %e, "thumbnail not removed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_lookup_needs_an_executable_in_an_absolute_dir() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("ffmpeg");
        std::fs::write(&plain, "#!/bin/sh\n").unwrap();
        let path_var = std::env::join_paths([dir.path()]).unwrap();
        #[cfg(unix)]
        {
            assert_eq!(find_program("ffmpeg", Some(&path_var)), None);
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        assert_eq!(find_program("ffmpeg", Some(&path_var)), Some(plain));
        assert_eq!(
            find_program("ffmpeg", Some(OsStr::new("relative/dir"))),
            None
        );
        assert_eq!(find_program("ffmpeg", None), None);
    }

    #[test]
    fn names_change_with_content_and_cover_only() {
        let a = file_name(10, "aa", "bb", 0);
        assert_eq!(a, file_name(10, "aa", "bb", 0));
        assert_ne!(a, file_name(10, "aa", "bb", 500));
        assert_ne!(a, file_name(11, "aa", "bb", 0));
        assert_ne!(a, file_name(10, "aa", "bc", 0));
        assert!(a.ends_with(".jpg") && a.len() == 36);
    }
}
