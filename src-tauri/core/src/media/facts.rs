//! What probing finds out about a video, and how it fails: the types the container readers
//! (`mp4`, `matroska`) fill in and the rest of the engine reads.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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
    #[error("{path} is {kind}, not a video file. Choose the exported video file.")]
    NotAFile { path: PathBuf, kind: String },
    #[error(
        "The video file {path} could not be read within {secs} s — is the drive still connected?"
    )]
    TimedOut { path: PathBuf, secs: u64 },
}

impl From<ProbeError> for crate::error::CoreError {
    fn from(e: ProbeError) -> Self {
        crate::error::CoreError::InvalidInput(e.to_string())
    }
}

pub(crate) fn damaged(path: &Path, reason: impl Into<String>) -> ProbeError {
    ProbeError::Damaged {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}
