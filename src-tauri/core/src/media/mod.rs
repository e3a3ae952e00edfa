//! Video files: probing (container, codec, size, frame rate, duration) in pure Rust, validation
//! against TikTok's video rules (tiktok-api.md §6.3), and fingerprints that notice when a file
//! moved or changed between composing and publishing.
//!
//! Probing reads metadata only, and a file is untrusted input: memory stays bounded whatever
//! sizes it declares (see `mp4` and `matroska`), header walks have a count and time budget, and
//! the parsers run inside `catch_unwind`. Every file step (stat, probe, fingerprint, check) runs
//! under a watchdog ([`IO_TIMEOUT`]) and only regular files are opened, so a FIFO or a dead
//! network mount at the media path yields an error naming the cause instead of a hang.
//!
//! Everything here blocks on file I/O: async callers use `spawn_blocking`.

mod facts;
mod io;
mod matroska;
mod mp4;

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::clock::system_time_ms;

use facts::damaged;
pub use facts::{Container, ProbeError, VideoCodec, VideoFacts};
use io::read_up_to;
pub use io::{run_bounded, IO_TIMEOUT};

/// TikTok's limits (§6.3).
pub const MIN_FPS: f64 = 23.0;
pub const MAX_FPS: f64 = 60.0;
pub const MIN_SIDE_PX: u32 = 360;
pub const MAX_SIDE_PX: u32 = 4096;
pub const MAX_SIZE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// How much of each end of the file the fingerprint hashes.
pub const FINGERPRINT_SPAN: u64 = 1024 * 1024;

/// TikTok's rules, each named so the UI and tests can tell which one a file broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum MediaRule {
    Container,
    Codec,
    FrameRate,
    Resolution,
    Size,
    Duration,
}

/// One broken rule: which, the file's value, and a sentence naming both and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    pub rule: MediaRule,
    pub value: String,
    pub message: String,
}

fn fmt_num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r}")
    }
}

fn fmt_secs(ms: u64) -> String {
    fmt_num(ms as f64 / 1000.0)
}

fn fmt_size(bytes: u64) -> String {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes as f64 >= GIB {
        format!("{} GB", fmt_num(bytes as f64 / GIB))
    } else {
        format!("{} MB", fmt_num(bytes as f64 / MIB))
    }
}

/// Checks the facts against TikTok's rules. `max_duration_sec` is the account's
/// `max_video_post_duration_sec` from creator_info (`None`: not known yet, not checked).
pub fn validate(facts: &VideoFacts, max_duration_sec: Option<u32>) -> Vec<Violation> {
    let mut out = Vec::new();
    if !matches!(
        facts.container,
        Container::Mp4 | Container::Mov | Container::Webm
    ) {
        out.push(Violation {
            rule: MediaRule::Container,
            value: facts.container.label().to_owned(),
            message: format!(
                "The file is {}; TikTok accepts MP4, MOV or WebM. Re-export it as MP4.",
                facts.container.label()
            ),
        });
    }
    if !matches!(
        facts.codec,
        VideoCodec::H264 | VideoCodec::H265 | VideoCodec::Vp8 | VideoCodec::Vp9
    ) {
        let name = if facts.codec == VideoCodec::Other {
            facts.codec_tag.clone()
        } else {
            facts.codec.label().to_owned()
        };
        out.push(Violation {
            rule: MediaRule::Codec,
            value: name.clone(),
            message: format!(
                "The video codec is {name}; TikTok needs H.264, H.265, VP8 or VP9. Re-export the video as H.264."
            ),
        });
    }
    // A tolerance so 23.976 and 59.94 pass and rounding noise does not reject 60.
    if facts.frame_rate < MIN_FPS - 0.05 || facts.frame_rate > MAX_FPS + 0.05 {
        let fps = fmt_num(facts.frame_rate);
        out.push(Violation {
            rule: MediaRule::FrameRate,
            value: format!("{fps} fps"),
            message: format!(
                "Frame rate is {fps} fps; TikTok needs 23–60 fps. Re-export the video at 30 fps."
            ),
        });
    }
    let sides = [facts.width, facts.height];
    if sides
        .iter()
        .any(|&s| !(MIN_SIDE_PX..=MAX_SIDE_PX).contains(&s))
    {
        let value = format!("{}x{}", facts.width, facts.height);
        let fix = if sides.iter().any(|&s| s > MAX_SIDE_PX) {
            "Re-export it at 1080x1920 or another size with no side over 4096 px."
        } else {
            "Re-export it at 720x1280 or larger."
        };
        out.push(Violation {
            rule: MediaRule::Resolution,
            message: format!(
                "Resolution is {value} px; TikTok needs 360–4096 px on each side. {fix}"
            ),
            value,
        });
    }
    if facts.size_bytes > MAX_SIZE_BYTES {
        let value = fmt_size(facts.size_bytes);
        out.push(Violation {
            rule: MediaRule::Size,
            message: format!(
                "The file is {value}; TikTok accepts up to 4 GB. Export it at a lower bitrate."
            ),
            value,
        });
    }
    if let Some(max) = max_duration_sec {
        if facts.duration_ms > u64::from(max) * 1000 {
            let value = format!("{} s", fmt_secs(facts.duration_ms));
            out.push(Violation {
                rule: MediaRule::Duration,
                message: format!(
                    "The video is {value} long; this account can post videos up to {max} s. Trim it to {max} s or less."
                ),
                value,
            });
        }
    }
    out
}

/// All violations joined into one sentence list (for an error message).
pub fn describe(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| v.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Probes a file: never panics, reads only metadata, and returns within [`IO_TIMEOUT`] even when
/// the file sits on a drive that stopped answering.
pub fn probe(path: &Path) -> Result<VideoFacts, ProbeError> {
    let owned = path.to_path_buf();
    io::run_bounded(IO_TIMEOUT, move || probe_now(&owned)).unwrap_or_else(|| {
        Err(ProbeError::TimedOut {
            path: path.to_path_buf(),
            secs: IO_TIMEOUT.as_secs(),
        })
    })
}

fn probe_now(path: &Path) -> Result<VideoFacts, ProbeError> {
    let unreadable = |e: std::io::Error| ProbeError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ProbeError::NotFound(path.to_path_buf()))
        }
        Err(e) => return Err(unreadable(e)),
    };
    if let Some(kind) = io::not_regular(&meta) {
        return Err(ProbeError::NotAFile {
            path: path.to_path_buf(),
            kind: kind.to_owned(),
        });
    }
    if meta.len() == 0 {
        return Err(ProbeError::Empty(path.to_path_buf()));
    }
    let (file, meta) = io::open_regular(path).map_err(unreadable)?;
    let size = meta.len();
    let path_buf = path.to_path_buf();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        probe_reader(file, size, &path_buf)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(damaged(path, "its metadata could not be parsed")),
    }
}

/// Probes any seekable stream of `size` bytes (`path` only names it in messages). Memory stays
/// bounded whatever sizes the stream declares; the walk gives up after [`io::PARSE_BUDGET`].
pub fn probe_reader<R: Read + Seek>(
    mut r: R,
    size: u64,
    path: &Path,
) -> Result<VideoFacts, ProbeError> {
    let io_err = |e: std::io::Error| ProbeError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if size == 0 {
        return Err(ProbeError::Empty(path.to_path_buf()));
    }
    let mut head = [0u8; 12];
    r.seek(SeekFrom::Start(0)).map_err(io_err)?;
    let n = read_up_to(&mut r, &mut head).map_err(io_err)?;
    let head = &head[..n];
    if head.len() >= 4 && head[..4] == matroska::MAGIC {
        return matroska::probe(r, size, path);
    }
    if head.len() >= 8 && mp4::is_box_type(&head[4..8]) {
        return mp4::probe(r, size, path);
    }
    Err(ProbeError::NotVideo(path.to_path_buf()))
}

// ---------------------------------------------------------------------------------------------
// Fingerprints

/// Enough to notice that a file moved or changed without hashing gigabytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Fingerprint {
    #[ts(type = "number")]
    pub size: u64,
    /// Modification time, epoch milliseconds.
    pub mtime_ms: i64,
    /// SHA-256 (hex) of the first MiB.
    pub head_sha256: String,
    /// SHA-256 (hex) of the last MiB (the whole file when it is smaller).
    pub tail_sha256: String,
}

impl Fingerprint {
    /// Same bytes as far as the fingerprint can tell (the modification time aside).
    pub fn same_content(&self, other: &Fingerprint) -> bool {
        self.size == other.size
            && self.head_sha256 == other.head_sha256
            && self.tail_sha256 == other.tail_sha256
    }
}

fn hash_span<R: Read + Seek>(r: &mut R, start: u64, len: u64) -> std::io::Result<String> {
    r.seek(SeekFrom::Start(start))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let n = r.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Fingerprints a regular file, within [`IO_TIMEOUT`] (`ErrorKind::TimedOut` past it).
pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let owned = path.to_path_buf();
    io::run_bounded(IO_TIMEOUT, move || fingerprint_now(&owned)).unwrap_or_else(|| {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            io::timeout_message(IO_TIMEOUT),
        ))
    })
}

fn fingerprint_now(path: &Path) -> std::io::Result<Fingerprint> {
    let (mut f, meta) = io::open_regular(path)?;
    let size = meta.len();
    let mtime_ms = meta.modified().map(system_time_ms).unwrap_or(0);
    let span = FINGERPRINT_SPAN.min(size);
    let head_sha256 = hash_span(&mut f, 0, span)?;
    let tail_sha256 = hash_span(&mut f, size - span, span)?;
    Ok(Fingerprint {
        size,
        mtime_ms,
        head_sha256,
        tail_sha256,
    })
}

/// How a file compares with its fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum FileCheck {
    Ok,
    /// Nothing at the path any more.
    Moved,
    /// Something else is there now; `changes` says what differs, in words.
    Changed {
        changes: Vec<String>,
    },
}

impl FileCheck {
    /// The reason shown on a post that needs attention.
    pub fn reason(&self, path: &Path) -> Option<String> {
        match self {
            FileCheck::Ok => None,
            FileCheck::Moved => Some(format!(
                "The video file is no longer at {}. Relink it (choose the file where it is now).",
                path.display()
            )),
            // A file that did not answer in time has not "changed"; say what happened.
            FileCheck::Changed { changes }
                if changes.len() == 1 && changes[0].starts_with(io::TIMEOUT_PREFIX) =>
            {
                Some(changes[0].replacen(
                    "The video file",
                    &format!("The video file {}", path.display()),
                    1,
                ))
            }
            FileCheck::Changed { changes } => Some(format!(
                "The video file {} changed since it was scheduled ({}). Relink it to check it again.",
                path.display(),
                changes.join("; ")
            )),
        }
    }
}

/// Compares the file at `path` with its fingerprint, within [`IO_TIMEOUT`]: a file that cannot
/// be read in time (or is not a regular file any more) is reported as changed, with the cause.
pub fn check(path: &Path, expected: &Fingerprint) -> FileCheck {
    let now = match fingerprint(path) {
        Ok(fp) => fp,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileCheck::Moved,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            return FileCheck::Changed {
                changes: vec![e.to_string()],
            }
        }
        Err(e) => {
            return FileCheck::Changed {
                changes: vec![format!("it can no longer be read: {e}")],
            }
        }
    };
    let mut changes = Vec::new();
    if now.size != expected.size {
        changes.push(format!(
            "size was {} bytes, now {} bytes",
            expected.size, now.size
        ));
    }
    if now.mtime_ms != expected.mtime_ms {
        changes.push(format!(
            "modified time was {}, now {}",
            crate::clock::rfc3339(expected.mtime_ms),
            crate::clock::rfc3339(now.mtime_ms)
        ));
    }
    if now.head_sha256 != expected.head_sha256 {
        changes.push("the beginning of the file differs".to_owned());
    }
    if now.tail_sha256 != expected.tail_sha256 {
        changes.push("the end of the file differs".to_owned());
    }
    if changes.is_empty() {
        FileCheck::Ok
    } else {
        FileCheck::Changed { changes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn random_bytes_never_panic() {
        let mut rng = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for i in 0..2000 {
            let len = (next() % 4096) as usize + 1;
            let mut data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            // Give half of them a plausible signature so the parsers get exercised.
            if i % 4 == 0 && len >= 8 {
                data[4..8].copy_from_slice(b"ftyp");
            } else if i % 4 == 1 && len >= 4 {
                data[..4].copy_from_slice(&[0x1A, 0x45, 0xDF, 0xA3]);
            }
            let r = std::panic::catch_unwind(|| {
                probe_reader(Cursor::new(&data), data.len() as u64, Path::new("x.mp4"))
            });
            assert!(r.is_ok(), "probe panicked on case {i}");
            assert!(r.unwrap().is_err());
        }
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(fmt_num(20.0), "20");
        assert_eq!(fmt_num(29.97002997), "29.97");
        assert_eq!(fmt_secs(4000), "4");
    }
}
