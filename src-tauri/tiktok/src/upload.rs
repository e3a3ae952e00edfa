//! Chunked, resumable, streaming upload to an init's `upload_url` (reference §5.3).
//!
//! Each chunk is streamed from disk (open, seek, take, 64 KiB reads), so memory stays flat
//! whatever the chunk size. Progress is reported as the bytes TikTok *confirmed* (from the
//! answer's `Content-Range`), which is what the engine persists: after a crash it resumes with
//! [`TikTokClient::resume_upload`] at that offset, and any disagreement is settled by TikTok's
//! 416 answer, which states its own progress.
//!
//! Every PUT is a whole chunk of the plan announced at init (TikTok takes nothing else: pieces
//! of other sizes are 400, reference §5.3). When an answer is lost, the same chunk is sent
//! again: if TikTok already has it, its 416 names the progress to continue from.

use std::io::SeekFrom;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::chunk_plan::{Chunk, ChunkPlan};
use crate::error::{Error, ErrorKind, Result};
use crate::http::TikTokClient;
use crate::posting::{PublishInit, UploadUrl};

/// Read buffer for streaming a chunk from disk.
pub const READ_BUFFER: usize = 64 * 1024;

/// Consecutive 416 answers without progress before giving up (guards against a loop when the
/// server's idea of progress cannot be reached from our plan).
const MAX_STALLED_RESYNCS: u32 = 5;

/// Progress as confirmed by TikTok, reported after every chunk answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes TikTok has confirmed (`Content-Range` last byte + 1). Persist this to resume.
    pub confirmed_bytes: u64,
    /// The file size.
    pub total_bytes: u64,
    /// Chunks fully confirmed.
    pub chunks_confirmed: u64,
    /// Chunks in the plan.
    pub total_chunks: u64,
}

/// Bytes handed to the connection so far, TikTok's answer not in yet. A single chunk can be
/// 64 MB: without this, progress would sit at 0 % for the whole of it. Not a resume point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentProgress {
    /// Bytes sent, counted from the start of the file (the chunk's start + what went out).
    pub sent_bytes: u64,
    /// The file size.
    pub total_bytes: u64,
}

/// Sent bytes are reported in steps of at least this much (and at least 1 % of the chunk), so a
/// fast local upload does not flood whoever listens.
pub const SENT_STEP_MIN: u64 = 256 * 1024;

/// What the body stream counts and the uploading task reads.
#[derive(Default)]
struct SentCounter {
    bytes: AtomicU64,
    moved: tokio::sync::Notify,
}

/// How an upload ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOutcome {
    /// Bytes TikTok confirmed (equals the file size on success).
    pub confirmed_bytes: u64,
    /// TikTok answered 201: all parts received, processing starts. Poll status next.
    pub complete: bool,
    /// Chunk PUTs repeated after a 5xx or a dropped connection.
    pub retries: u32,
    /// 416 answers that moved our position to TikTok's.
    pub resyncs: u32,
}

/// `Content-Type` for a video file from its extension (`.mp4`/`.m4v`, `.mov`, `.webm`).
pub fn content_type_for(path: &Path) -> Result<&'static str> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("mp4" | "m4v") => Ok("video/mp4"),
        Some("mov" | "qt") => Ok("video/quicktime"),
        Some("webm") => Ok("video/webm"),
        _ => Err(Error::from(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is not an MP4, MOV or WebM video",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
            ),
        ))),
    }
}

/// Parses `Content-Range: bytes 0-{last}/{total}` into the number of bytes received.
/// `bytes */{total}` (nothing received yet) gives 0.
pub fn parse_confirmed(header: &str) -> Option<u64> {
    let rest = header.trim().strip_prefix("bytes")?.trim_start();
    let (range, _total) = rest.split_once('/')?;
    if range.trim() == "*" {
        return Some(0);
    }
    let (first, last) = range.split_once('-')?;
    let first: u64 = first.trim().parse().ok()?;
    let last = last.trim();
    if last.starts_with('-') {
        return Some(first); // "0--1": empty
    }
    let last: u64 = last.parse().ok()?;
    if last < first {
        return Some(first);
    }
    Some(last + 1)
}

/// Reads TikTok's progress under both readings of `bytes 0-{UPLOADED_BYTES}/{TOTAL}`: the
/// number is normally the last byte index (progress = n + 1), but the reference's wording also
/// allows the byte count itself (progress = n). TikTok only accepts whole chunks, so progress
/// lies on a chunk boundary (or the end): if `n + 1` is not one but `n` is, the count reading is
/// the one in use. `None` when neither is a boundary: no whole chunk continues from there.
pub fn snap_to_plan(plan: &ChunkPlan, last_plus_one: u64) -> Option<u64> {
    let on_boundary =
        |x: u64| x == plan.video_size() || plan.chunk_containing(x).is_some_and(|c| c.start == x);
    if on_boundary(last_plus_one) || last_plus_one == 0 {
        Some(last_plus_one)
    } else if on_boundary(last_plus_one - 1) {
        Some(last_plus_one - 1)
    } else {
        None
    }
}

/// TikTok reported progress that no whole chunk of the plan continues from.
fn off_plan(status: u16, reported: u64) -> Error {
    Error::new(ErrorKind::UploadRejected {
        status,
        body: format!(
            "TikTok reports {reported} bytes received, which is not the end of a chunk of this upload"
        ),
    })
    .with_status(status)
}

enum ChunkAnswer {
    /// 206: accepted; TikTok's confirmed byte count.
    Partial(u64),
    /// 201: everything received.
    Complete(u64),
    /// 416: TikTok's own progress.
    Resync(u64),
}

impl TikTokClient {
    /// Uploads the whole file for a fresh init. See [`Self::resume_upload`].
    pub async fn upload_file<F>(
        &self,
        init: &PublishInit,
        path: &Path,
        progress: F,
    ) -> Result<UploadOutcome>
    where
        F: FnMut(UploadProgress) + Send,
    {
        self.resume_upload(&init.upload_url, &init.plan, path, 0, progress)
            .await
    }

    /// Uploads `path` to `upload_url` following `plan`, starting at `confirmed_offset` (0 for a
    /// fresh upload, otherwise the last [`UploadProgress::confirmed_bytes`] persisted).
    ///
    /// - Only whole chunks of `plan` are sent; an offset inside a chunk restarts that chunk.
    /// - 206/201 advance; `progress` is called with TikTok's confirmed count after each.
    /// - 416 moves to TikTok's reported position, the chunk starting there (a position inside
    ///   a chunk is an error: no valid request continues from it).
    /// - 5xx, 429 and dropped connections re-send the same chunk, with backoff, up to
    ///   `config.upload.chunk_retry.max_attempts` times. A chunk TikTok stored although its
    ///   answer was lost is answered 416 with the progress, and the upload moves on.
    /// - 403 stops with [`ErrorKind::UploadUrlExpired`] (a new init is needed) and 404 with
    ///   [`ErrorKind::UploadNotFound`].
    pub async fn resume_upload<F>(
        &self,
        upload_url: &UploadUrl,
        plan: &ChunkPlan,
        path: &Path,
        confirmed_offset: u64,
        progress: F,
    ) -> Result<UploadOutcome>
    where
        F: FnMut(UploadProgress) + Send,
    {
        self.resume_upload_observed(upload_url, plan, path, confirmed_offset, progress, |_| {})
            .await
    }

    /// [`Self::resume_upload`], also telling `sent` how far each PUT's body has gone out (in
    /// steps of at least [`SENT_STEP_MIN`]), while TikTok's answer is awaited.
    pub async fn resume_upload_observed<F, S>(
        &self,
        upload_url: &UploadUrl,
        plan: &ChunkPlan,
        path: &Path,
        confirmed_offset: u64,
        mut progress: F,
        mut sent: S,
    ) -> Result<UploadOutcome>
    where
        F: FnMut(UploadProgress) + Send,
        S: FnMut(SentProgress) + Send,
    {
        let content_type = content_type_for(path)?;
        let size = tokio::fs::metadata(path).await?.len();
        if size != plan.video_size() {
            return Err(Error::from(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "the file is {size} bytes but the upload was planned for {}; it changed since",
                    plan.video_size()
                ),
            )));
        }
        let total = plan.video_size();
        let policy = &self.inner.config.upload.chunk_retry;
        let mut outcome = UploadOutcome {
            confirmed_bytes: confirmed_offset.min(total),
            complete: false,
            retries: 0,
            resyncs: 0,
        };
        let mut stalled = 0;
        let report = |confirmed: u64, progress: &mut F| {
            let chunks_confirmed = if confirmed >= total {
                plan.total_chunk_count()
            } else {
                plan.chunk_containing(confirmed).map_or(0, |c| c.index)
            };
            progress(UploadProgress {
                confirmed_bytes: confirmed,
                total_bytes: total,
                chunks_confirmed,
                total_chunks: plan.total_chunk_count(),
            });
        };
        // A persisted offset inside a chunk (older versions kept partial chunks) restarts
        // that chunk: TikTok only takes whole ones.
        let mut pos = plan
            .chunk_containing(outcome.confirmed_bytes)
            .map_or(outcome.confirmed_bytes, |c| c.start);
        outcome.confirmed_bytes = pos;
        loop {
            let Some(range) = plan.chunk_containing(pos) else {
                // Everything is confirmed (e.g. resumed after the last 206 was persisted but
                // the 201 was lost): TikTok already has the whole file.
                outcome.complete = true;
                return Ok(outcome);
            };
            let mut attempt = 0;
            let answer = loop {
                attempt += 1;
                let counter = Arc::new(SentCounter::default());
                let put = self.put_range(upload_url, path, range, total, content_type, &counter);
                tokio::pin!(put);
                let step = (range.len / 100).max(SENT_STEP_MIN);
                let mut reported = 0;
                let answer = loop {
                    tokio::select! {
                        a = &mut put => break a,
                        _ = counter.moved.notified() => {
                            let n = counter.bytes.load(Ordering::Relaxed);
                            if n >= reported + step && n < range.len {
                                reported = n;
                                sent(SentProgress { sent_bytes: range.start + n, total_bytes: total });
                            }
                        }
                    }
                };
                let failure = match answer {
                    Ok(a) => break a,
                    Err(f) => f,
                };
                let err = match failure {
                    PutFailure::Fatal(err) => return Err(err),
                    PutFailure::Retry(err) => err,
                };
                if attempt >= policy.max_attempts {
                    return Err(err);
                }
                outcome.retries += 1;
                let delay = policy.backoff(attempt);
                tracing::warn!(chunk = range.index, attempt, ?delay, error = %err, "chunk PUT failed");
                // A lost answer may hide a stored chunk: the re-sent chunk then gets a 416
                // carrying TikTok's progress.
                tokio::time::sleep(delay).await;
            };
            match answer {
                ChunkAnswer::Complete(confirmed) => {
                    outcome.confirmed_bytes = confirmed.max(range.end()).min(total);
                    outcome.complete = true;
                    report(outcome.confirmed_bytes, &mut progress);
                    return Ok(outcome);
                }
                ChunkAnswer::Partial(reported) => {
                    let confirmed =
                        snap_to_plan(plan, reported).ok_or_else(|| off_plan(206, reported))?;
                    stalled = 0;
                    outcome.confirmed_bytes = confirmed;
                    pos = confirmed;
                    report(confirmed, &mut progress);
                }
                ChunkAnswer::Resync(reported) => {
                    let confirmed =
                        snap_to_plan(plan, reported).ok_or_else(|| off_plan(416, reported))?;
                    outcome.resyncs += 1;
                    tracing::info!(
                        from = pos,
                        to = confirmed,
                        "416: resyncing to TikTok's progress"
                    );
                    if confirmed == pos {
                        // TikTok wants the range we just sent: typically it is still closing
                        // the previous, interrupted PUT of the same chunk. Give it a moment.
                        stalled += 1;
                        if stalled >= MAX_STALLED_RESYNCS {
                            return Err(Error::new(ErrorKind::UploadRejected {
                                status: 416,
                                body: format!("TikTok keeps refusing the range starting at {pos}"),
                            })
                            .with_status(416));
                        }
                        tokio::time::sleep(policy.backoff(stalled)).await;
                    } else {
                        stalled = 0;
                    }
                    outcome.confirmed_bytes = confirmed.min(total);
                    pos = outcome.confirmed_bytes;
                    report(outcome.confirmed_bytes, &mut progress);
                }
            }
        }
    }

    /// One PUT of `range`.
    async fn put_range(
        &self,
        upload_url: &UploadUrl,
        path: &Path,
        range: Chunk,
        total: u64,
        content_type: &'static str,
        counter: &Arc<SentCounter>,
    ) -> std::result::Result<ChunkAnswer, PutFailure> {
        let mut file = tokio::fs::File::open(path)
            .await
            .map_err(|e| PutFailure::Fatal(Error::from(e)))?;
        file.seek(SeekFrom::Start(range.start))
            .await
            .map_err(|e| PutFailure::Fatal(Error::from(e)))?;
        let count = counter.clone();
        let stream =
            ReaderStream::with_capacity(file.take(range.len), READ_BUFFER).inspect(move |read| {
                if let Ok(bytes) = read {
                    count.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    count.moved.notify_one();
                }
            });
        let cfg = &self.inner.config.upload;
        let timeout = cfg.chunk_timeout_base
            + Duration::from_secs_f64(
                range.len as f64 / cfg.min_throughput_bytes_per_sec.max(1) as f64,
            );
        let resp = self
            .inner
            .upload
            .put(upload_url.secret().clone())
            .header(CONTENT_TYPE, content_type)
            .header(CONTENT_LENGTH, range.len)
            .header(
                CONTENT_RANGE,
                format!("bytes {}-{}/{}", range.start, range.last_byte(), total),
            )
            .timeout(timeout)
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e) => {
                let err = Error::new(ErrorKind::Network {
                    detail: e.to_string(),
                    connect: e.is_connect(),
                    timeout: e.is_timeout(),
                });
                return Err(if e.is_builder() {
                    PutFailure::Fatal(err)
                } else {
                    PutFailure::Retry(err)
                });
            }
        };
        let status = resp.status();
        let confirmed = resp
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_confirmed);
        // Drain the body so the connection can be reused; its text explains 4xx answers.
        let body = resp.text().await.unwrap_or_default();
        let body: String = body.chars().take(300).collect();
        match status {
            StatusCode::CREATED => Ok(ChunkAnswer::Complete(confirmed.unwrap_or(total))),
            StatusCode::PARTIAL_CONTENT => {
                Ok(ChunkAnswer::Partial(confirmed.unwrap_or(range.end())))
            }
            StatusCode::RANGE_NOT_SATISFIABLE => match confirmed {
                Some(c) => Ok(ChunkAnswer::Resync(c)),
                None => Err(PutFailure::Fatal(
                    Error::new(ErrorKind::UploadRejected { status: 416, body }).with_status(416),
                )),
            },
            StatusCode::FORBIDDEN => Err(PutFailure::Fatal(
                Error::new(ErrorKind::UploadUrlExpired).with_status(403),
            )),
            StatusCode::NOT_FOUND => Err(PutFailure::Fatal(
                Error::new(ErrorKind::UploadNotFound).with_status(404),
            )),
            s => {
                let err = Error::new(ErrorKind::UploadRejected {
                    status: s.as_u16(),
                    body,
                })
                .with_status(s.as_u16());
                if s.is_server_error() || s == StatusCode::TOO_MANY_REQUESTS {
                    Err(PutFailure::Retry(err))
                } else {
                    Err(PutFailure::Fatal(err))
                }
            }
        }
    }
}

/// Why a PUT failed, and so what may follow.
enum PutFailure {
    /// Stop: 400/403/404, local I/O, or a request that cannot be built.
    Fatal(Error),
    /// 5xx, 429 or no answer: re-send the same chunk.
    Retry(Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(content_type_for(Path::new("a/b.MP4")).unwrap(), "video/mp4");
        assert_eq!(
            content_type_for(Path::new("x.mov")).unwrap(),
            "video/quicktime"
        );
        assert_eq!(content_type_for(Path::new("x.webm")).unwrap(), "video/webm");
        let e = content_type_for(Path::new("x.avi")).unwrap_err();
        assert!(e.user_action().is_some());
    }

    #[test]
    fn progress_snaps_to_chunk_boundaries_under_both_readings() {
        let plan = ChunkPlan::from_parts(50_000_123, 10_000_000).unwrap();
        // last-index reading: "bytes 0-9999999/…"
        assert_eq!(snap_to_plan(&plan, 10_000_000), Some(10_000_000));
        // count reading: "bytes 0-10000000/…"
        assert_eq!(snap_to_plan(&plan, 10_000_001), Some(10_000_000));
        assert_eq!(snap_to_plan(&plan, 50_000_124), Some(50_000_123));
        assert_eq!(snap_to_plan(&plan, 50_000_123), Some(50_000_123));
        // neither: no whole chunk starts there
        assert_eq!(snap_to_plan(&plan, 12_345), None);
        assert_eq!(snap_to_plan(&plan, 0), Some(0));
    }

    #[test]
    fn content_range_parsing() {
        assert_eq!(
            parse_confirmed("bytes 0-9999999/50000123"),
            Some(10_000_000)
        );
        assert_eq!(parse_confirmed("bytes */50000123"), Some(0));
        assert_eq!(parse_confirmed("bytes 0--1/5"), Some(0));
        assert_eq!(parse_confirmed("garbage"), None);
    }
}
