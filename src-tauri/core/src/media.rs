//! Video files: probing (container, codec, size, frame rate, duration) in pure Rust, validation
//! against TikTok's video rules (tiktok-api.md §6.3), and fingerprints that notice when a file
//! moved or changed between composing and publishing.
//!
//! Probing reads metadata only: for MP4/MOV the top-level boxes are walked by their headers
//! (seeking over `mdat`, wherever `moov` is) and only `moov` is handed to `mp4parse`; for
//! Matroska/WebM `matroska-demuxer` reads the segment's head elements through seeks. Memory is
//! bounded by the size of the metadata, never by the size of the file. The parsers run inside
//! `catch_unwind`: a hostile file yields an error, never a crash.
//!
//! Everything here blocks on file I/O: async callers use `spawn_blocking`.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::clock::system_time_ms;

/// TikTok's limits (§6.3).
pub const MIN_FPS: f64 = 23.0;
pub const MAX_FPS: f64 = 60.0;
pub const MIN_SIDE_PX: u32 = 360;
pub const MAX_SIDE_PX: u32 = 4096;
pub const MAX_SIZE_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// How much of each end of the file the fingerprint hashes.
pub const FINGERPRINT_SPAN: u64 = 1024 * 1024;
/// The largest `moov` box Tokdeck reads into memory (real ones are a few MB even for hours).
const MAX_MOOV_BYTES: u64 = 256 * 1024 * 1024;
/// Frames read to estimate a Matroska frame rate when the track has no default duration.
const MKV_SAMPLE_FRAMES: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    Mp4,
    Mov,
    Webm,
    Matroska,
}

impl Container {
    pub fn label(self) -> &'static str {
        match self {
            Self::Mp4 => "MP4",
            Self::Mov => "MOV",
            Self::Webm => "WebM",
            Self::Matroska => "Matroska (MKV)",
        }
    }
    /// The upload `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Mp4 => "video/mp4",
            Self::Mov => "video/quicktime",
            Self::Webm | Self::Matroska => "video/webm",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum VideoCodec {
    H264,
    H265,
    Vp8,
    Vp9,
    Av1,
    Other,
}

impl VideoCodec {
    pub fn label(self) -> &'static str {
        match self {
            Self::H264 => "H.264",
            Self::H265 => "H.265",
            Self::Vp8 => "VP8",
            Self::Vp9 => "VP9",
            Self::Av1 => "AV1",
            Self::Other => "an unknown codec",
        }
    }
}

/// What probing found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct VideoFacts {
    pub container: Container,
    pub codec: VideoCodec,
    /// The codec as written in the file (`avc1`, `hvc1`, `V_VP9`, …).
    pub codec_tag: String,
    pub width: u32,
    pub height: u32,
    /// Frames per second (average).
    pub frame_rate: f64,
    pub duration_ms: u64,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

/// Why a file could not be probed at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProbeError {
    #[error("Tokdeck cannot find the file {0}. It may have been moved, renamed or deleted.")]
    NotFound(PathBuf),
    #[error("Tokdeck cannot read {path}: {reason}.")]
    Unreadable { path: PathBuf, reason: String },
    #[error("{0} is empty (0 bytes). Choose the exported video file.")]
    Empty(PathBuf),
    #[error("{0} is not a video Tokdeck can read. TikTok accepts MP4, MOV and WebM files.")]
    NotVideo(PathBuf),
    #[error("{path} looks incomplete or damaged ({reason}). Export or copy the video again.")]
    Damaged { path: PathBuf, reason: String },
    #[error("{0} has no video track. Choose a video file.")]
    NoVideoTrack(PathBuf),
}

impl From<ProbeError> for crate::error::CoreError {
    fn from(e: ProbeError) -> Self {
        crate::error::CoreError::InvalidInput(e.to_string())
    }
}

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

/// Probes a file: never panics, reads only metadata.
pub fn probe(path: &Path) -> Result<VideoFacts, ProbeError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ProbeError::NotFound(path.to_path_buf()))
        }
        Err(e) => {
            return Err(ProbeError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })
        }
    };
    if !meta.is_file() {
        return Err(ProbeError::NotVideo(path.to_path_buf()));
    }
    let size = meta.len();
    if size == 0 {
        return Err(ProbeError::Empty(path.to_path_buf()));
    }
    let file = File::open(path).map_err(|e| ProbeError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let path_buf = path.to_path_buf();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        probe_reader(BufReader::with_capacity(64 * 1024, file), size, &path_buf)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(ProbeError::Damaged {
            path: path.to_path_buf(),
            reason: "its metadata could not be parsed".to_owned(),
        }),
    }
}

/// Probes any seekable stream of `size` bytes (`path` only names it in messages).
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
    let n = read_up_to(&mut r, &mut head).map_err(io_err)?;
    r.seek(SeekFrom::Start(0)).map_err(io_err)?;
    let head = &head[..n];
    if head.len() >= 4 && head[..4] == [0x1A, 0x45, 0xDF, 0xA3] {
        return probe_matroska(r, size, path);
    }
    if head.len() >= 8 && is_mp4_box_type(&head[4..8]) {
        return probe_mp4(r, size, path);
    }
    Err(ProbeError::NotVideo(path.to_path_buf()))
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buf.len() {
        match r.read(&mut buf[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(read)
}

fn is_mp4_box_type(t: &[u8]) -> bool {
    matches!(
        t,
        b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot" | b"uuid"
    )
}

// ---------------------------------------------------------------------------------------------
// MP4 / MOV

fn damaged(path: &Path, reason: impl Into<String>) -> ProbeError {
    ProbeError::Damaged {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

fn probe_mp4<R: Read + Seek>(mut r: R, size: u64, path: &Path) -> Result<VideoFacts, ProbeError> {
    let io = |e: std::io::Error| damaged(path, e.to_string());
    // Walk the top-level boxes by their headers only.
    let mut pos = 0u64;
    let mut brand: Option<[u8; 4]> = None;
    let mut moov: Option<(u64, u64)> = None; // (offset of content, content length)
    let mut saw_mdat = false;
    while pos < size {
        if size - pos < 8 {
            if moov.is_some() {
                break; // a few bytes of trailing padding after complete boxes
            }
            return Err(damaged(path, "the file ends in the middle of a box"));
        }
        r.seek(SeekFrom::Start(pos)).map_err(io)?;
        let mut hdr = [0u8; 16];
        let got = read_up_to(&mut r, &mut hdr[..8]).map_err(io)?;
        if got < 8 {
            return Err(damaged(path, "the file ends in the middle of a box"));
        }
        let size32 = u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]) as u64;
        let typ: [u8; 4] = [hdr[4], hdr[5], hdr[6], hdr[7]];
        let (box_len, header_len) = match size32 {
            0 => (size - pos, 8), // to the end of the file
            1 => {
                if read_up_to(&mut r, &mut hdr[8..16]).map_err(io)? < 8 {
                    return Err(damaged(path, "the file ends in the middle of a box"));
                }
                let l = u64::from_be_bytes(hdr[8..16].try_into().expect("8 bytes"));
                (l, 16)
            }
            l => (l, 8),
        };
        if box_len < header_len {
            return Err(damaged(path, "a box has an impossible size"));
        }
        let end = pos
            .checked_add(box_len)
            .ok_or_else(|| damaged(path, "a box has an impossible size"))?;
        if pos == 0 && !is_mp4_box_type(&typ) {
            return Err(ProbeError::NotVideo(path.to_path_buf()));
        }
        match &typ {
            b"ftyp" => {
                let mut b = [0u8; 4];
                if read_up_to(&mut r, &mut b).map_err(io)? == 4 {
                    brand = Some(b);
                }
            }
            b"moov" => {
                if end > size {
                    return Err(damaged(
                        path,
                        "the movie header (moov) is cut off; the file was not completely written or copied",
                    ));
                }
                moov = Some((pos + header_len, box_len - header_len));
            }
            b"mdat" => saw_mdat = true,
            _ => {}
        }
        if end > size {
            // Only a trailing `mdat` may be cut off (and then `moov` is missing anyway).
            if moov.is_some() && typ == *b"mdat" {
                return Err(damaged(
                    path,
                    format!("the video data stops at {} of {} bytes", size, end),
                ));
            }
            if moov.is_none() {
                return Err(damaged(
                    path,
                    "the movie header (moov) is missing; the file was not completely written or copied",
                ));
            }
            break;
        }
        pos = end;
    }
    let Some((moov_off, moov_len)) = moov else {
        return Err(if saw_mdat || brand.is_some() {
            damaged(
                path,
                "the movie header (moov) is missing; the file was not completely written or copied",
            )
        } else {
            ProbeError::NotVideo(path.to_path_buf())
        });
    };
    if moov_len > MAX_MOOV_BYTES {
        return Err(damaged(path, "its movie header is unreasonably large"));
    }
    // Hand mp4parse the moov box alone (header included).
    let mut buf = Vec::new();
    buf.try_reserve_exact(moov_len as usize + 8)
        .map_err(|_| damaged(path, "its movie header is too large to read"))?;
    let total = moov_len + 8;
    if total > u32::MAX as u64 {
        return Err(damaged(path, "its movie header is unreasonably large"));
    }
    buf.extend_from_slice(&(total as u32).to_be_bytes());
    buf.extend_from_slice(b"moov");
    r.seek(SeekFrom::Start(moov_off)).map_err(io)?;
    (&mut r).take(moov_len).read_to_end(&mut buf).map_err(io)?;
    if (buf.len() as u64) < total {
        return Err(damaged(path, "the movie header (moov) is cut off"));
    }
    let ctx = mp4parse::read_mp4(&mut std::io::Cursor::new(&buf[..]))
        .map_err(|e| damaged(path, format!("its movie header could not be read ({e:?})")))?;

    let container = match brand.as_ref() {
        Some(b"qt  ") => Container::Mov,
        _ => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            if brand.is_none() && ext.as_deref() == Some("mov") {
                Container::Mov
            } else {
                Container::Mp4
            }
        }
    };
    let tags = stsd_video_tags(&buf);
    let (idx, track) = ctx
        .tracks
        .iter()
        .enumerate()
        .find(|(_, t)| t.track_type == mp4parse::TrackType::Video)
        .ok_or_else(|| ProbeError::NoVideoTrack(path.to_path_buf()))?;
    let tag = tags.get(idx).cloned().flatten().unwrap_or_default();
    let codec = match tag.as_str() {
        "avc1" | "avc2" | "avc3" | "avc4" => VideoCodec::H264,
        "hvc1" | "hev1" | "dvh1" | "dvhe" => VideoCodec::H265,
        "vp08" => VideoCodec::Vp8,
        "vp09" => VideoCodec::Vp9,
        "av01" => VideoCodec::Av1,
        _ => VideoCodec::Other,
    };
    let (mut width, mut height) = (0u32, 0u32);
    if let Some(stsd) = &track.stsd {
        if let Some(mp4parse::SampleEntry::Video(v)) = stsd.descriptions.first() {
            width = u32::from(v.width);
            height = u32::from(v.height);
        }
    }
    if width == 0 || height == 0 {
        if let Some(tkhd) = &track.tkhd {
            width = tkhd.width >> 16;
            height = tkhd.height >> 16;
        }
    }
    let timescale = track.timescale.map(|t| t.0).unwrap_or(0);
    let stts_total: (u64, u64) = track
        .stts
        .as_ref()
        .map(|s| {
            s.samples.iter().fold((0u64, 0u64), |(n, d), x| {
                (
                    n + u64::from(x.sample_count),
                    d + u64::from(x.sample_count) * u64::from(x.sample_delta),
                )
            })
        })
        .unwrap_or((0, 0));
    let media_duration = match track.duration.map(|d| d.0) {
        Some(d) if d > 0 => d,
        _ => stts_total.1,
    };
    if timescale == 0 || media_duration == 0 || stts_total.0 == 0 {
        return Err(damaged(
            path,
            "the video track has no timing information (no frames listed)",
        ));
    }
    let duration_ms = media_duration.saturating_mul(1000) / timescale;
    let frame_rate = stts_total.0 as f64 * timescale as f64 / media_duration as f64;
    Ok(VideoFacts {
        container,
        codec,
        codec_tag: tag,
        width,
        height,
        frame_rate,
        duration_ms,
        size_bytes: size,
    })
}

/// For each `trak` in a `moov` buffer (in order), the four-character code of its first sample
/// entry (`avc1`, `hvc1`, …). mp4parse does not name H.265, so the tag is read here.
fn stsd_video_tags(moov: &[u8]) -> Vec<Option<String>> {
    fn boxes(data: &[u8]) -> Vec<(&[u8], &[u8])> {
        let mut out = Vec::new();
        let mut p = 0usize;
        while p + 8 <= data.len() {
            let len = u32::from_be_bytes([data[p], data[p + 1], data[p + 2], data[p + 3]]) as usize;
            let typ = &data[p + 4..p + 8];
            let (hl, len) = match len {
                0 => (8, data.len() - p),
                1 => {
                    if p + 16 > data.len() {
                        break;
                    }
                    let l = u64::from_be_bytes(data[p + 8..p + 16].try_into().expect("8"));
                    (16, usize::try_from(l).unwrap_or(usize::MAX))
                }
                l => (8, l),
            };
            if len < hl || p.checked_add(len).is_none_or(|e| e > data.len()) {
                break;
            }
            out.push((typ, &data[p + hl..p + len]));
            p += len;
        }
        out
    }
    fn child<'a>(data: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        boxes(data)
            .into_iter()
            .find(|(t, _)| *t == name)
            .map(|(_, c)| c)
    }
    let Some((_, moov_content)) = boxes(moov).into_iter().find(|(t, _)| *t == b"moov") else {
        return Vec::new();
    };
    boxes(moov_content)
        .into_iter()
        .filter(|(t, _)| *t == b"trak")
        .map(|(_, trak)| {
            let stsd = child(trak, b"mdia")
                .and_then(|m| child(m, b"minf"))
                .and_then(|m| child(m, b"stbl"))
                .and_then(|m| child(m, b"stsd"))?;
            // full box (4) + entry count (4), then the first entry's size (4) and type (4).
            let t = stsd.get(12..16)?;
            Some(String::from_utf8_lossy(t).into_owned())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Matroska / WebM

fn probe_matroska<R: Read + Seek>(r: R, size: u64, path: &Path) -> Result<VideoFacts, ProbeError> {
    use matroska_demuxer::{DemuxError, Frame, MatroskaFile, TrackType};
    let mut mkv = MatroskaFile::open(r).map_err(|e| match e {
        DemuxError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            damaged(path, "the file ends before its headers are complete")
        }
        DemuxError::ElementSizeExceedsStream { .. } => {
            damaged(path, "the file ends before its headers are complete")
        }
        e => damaged(path, format!("its headers could not be read ({e})")),
    })?;
    let container = match mkv.ebml_header().doc_type() {
        "webm" => Container::Webm,
        "matroska" => Container::Matroska,
        _ => return Err(ProbeError::NotVideo(path.to_path_buf())),
    };
    let track = mkv
        .tracks()
        .iter()
        .find(|t| t.track_type() == TrackType::Video)
        .ok_or_else(|| ProbeError::NoVideoTrack(path.to_path_buf()))?;
    let track_number = track.track_number().get();
    let codec_tag = track.codec_id().to_owned();
    let codec = match codec_tag.as_str() {
        "V_MPEG4/ISO/AVC" => VideoCodec::H264,
        "V_MPEGH/ISO/HEVC" => VideoCodec::H265,
        "V_VP8" => VideoCodec::Vp8,
        "V_VP9" => VideoCodec::Vp9,
        "V_AV1" => VideoCodec::Av1,
        _ => VideoCodec::Other,
    };
    let (width, height) = track
        .video()
        .map(|v| {
            (
                u32::try_from(v.pixel_width().get()).unwrap_or(u32::MAX),
                u32::try_from(v.pixel_height().get()).unwrap_or(u32::MAX),
            )
        })
        .ok_or_else(|| damaged(path, "the video track has no picture size"))?;
    let default_duration_ns = track.default_duration().map(|d| d.get());
    let scale_ns = mkv.info().timestamp_scale().get() as f64;
    let duration_ms = mkv
        .info()
        .duration()
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| (d * scale_ns / 1_000_000.0).round() as u64);
    let frame_rate = match default_duration_ns {
        Some(ns) if ns > 0 => 1e9 / ns as f64,
        _ => {
            // Estimate from the first frames' timestamps.
            let mut frame = Frame::default();
            let mut stamps = Vec::new();
            while stamps.len() < MKV_SAMPLE_FRAMES {
                match mkv.next_frame(&mut frame) {
                    Ok(true) => {
                        if frame.track == track_number {
                            stamps.push(frame.timestamp);
                        }
                    }
                    Ok(false) => break,
                    Err(_) => break,
                }
            }
            stamps.sort_unstable();
            match (stamps.first(), stamps.last()) {
                (Some(a), Some(b)) if stamps.len() > 1 && b > a => {
                    (stamps.len() - 1) as f64 * 1e9 / ((b - a) as f64 * scale_ns)
                }
                _ => {
                    return Err(damaged(
                        path,
                        "its frame rate cannot be read (no frame timing in the file)",
                    ))
                }
            }
        }
    };
    let duration_ms = duration_ms.ok_or_else(|| {
        damaged(
            path,
            "its duration is not recorded (a live recording?); re-export it",
        )
    })?;
    Ok(VideoFacts {
        container,
        codec,
        codec_tag,
        width,
        height,
        frame_rate,
        duration_ms,
        size_bytes: size,
    })
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

pub fn fingerprint(path: &Path) -> std::io::Result<Fingerprint> {
    let mut f = File::open(path)?;
    let meta = f.metadata()?;
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
            FileCheck::Changed { changes } => Some(format!(
                "The video file {} changed since it was scheduled ({}). Relink it to check it again.",
                path.display(),
                changes.join("; ")
            )),
        }
    }
}

pub fn check(path: &Path, expected: &Fingerprint) -> FileCheck {
    let now = match fingerprint(path) {
        Ok(fp) => fp,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return FileCheck::Moved,
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
