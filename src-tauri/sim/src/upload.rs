//! The upload host: chunk plan rules and sequential chunk PUTs (reference §5.3).
//! Bodies are streamed frame by frame through an incremental SHA-256; nothing is buffered.
//! A chunk hashes into a copy of the running digest, committed only once the chunk is whole.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;

use crate::behaviour::Behaviour;
use crate::faults::{dropped, gate, Endpoint};
use crate::posting::apply_fault;
use crate::state::Sim;

/// Validates `video_size` / `chunk_size` / `total_chunk_count` against the chunk rules.
pub fn check_plan(b: &Behaviour, size: u64, chunk: u64, count: u64) -> Result<(), ()> {
    let ok = if size < b.single_chunk_below {
        chunk == size && count == 1
    } else {
        chunk >= b.min_chunk_bytes
            && chunk <= b.max_chunk_bytes
            && chunk <= size
            && count == size / chunk
            && (1..=1000).contains(&count)
            && !(size > b.max_chunk_bytes && count < 2)
            && size - (count - 1) * chunk <= b.max_final_chunk_bytes
            && !(b.reject_multi_chunk && count > 1)
    };
    if ok {
        Ok(())
    } else {
        Err(())
    }
}

/// TikTok takes the chunks announced at init, whole and in order (reference §5.3): every chunk
/// is `chunk_size` bytes except the final one, which is the remainder. A piece of any other
/// size, or a chunk-sized piece at the final chunk's place (or the reverse), is 400. A
/// well-sized piece that starts off the plan's boundaries is where the reference is unsure:
/// `Ok(true)` asks for a 416 (Behaviour `misaligned_chunk_status: 416`), otherwise 400.
fn check_chunk_shape(
    post: &crate::posts::Post,
    first: u64,
    len: u64,
    misaligned_status: u16,
) -> Result<bool, UploadError> {
    let chunk = post.chunk_size;
    let final_start = (post.total_chunks - 1) * chunk;
    let final_len = post.video_size - final_start;
    let on_boundary = first.is_multiple_of(chunk) && first <= final_start;
    if on_boundary {
        let expected = if first == final_start {
            final_len
        } else {
            chunk
        };
        if len == expected {
            return Ok(false);
        }
        return Err(UploadError::bad(format!(
            "The chunk size is invalid: the chunk starting at byte {first} must be {expected} bytes"
        )));
    }
    if (len == chunk || len == final_len) && misaligned_status == 416 {
        return Ok(true);
    }
    Err(UploadError::bad(
        "The chunk size is invalid: chunks must follow the chunk_size announced at init",
    ))
}

#[derive(Debug)]
pub struct UploadError {
    status: StatusCode,
    message: String,
    progress: Option<String>,
}

impl UploadError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            progress: None,
        }
    }
    fn bad(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, self.message).into_response();
        if let Some(p) = self.progress {
            if let Ok(v) = p.parse() {
                resp.headers_mut().insert(header::CONTENT_RANGE, v);
            }
        }
        resp
    }
}

/// `bytes 0-{last}/{total}`; `bytes */{total}` while nothing has been received.
pub fn progress_header(received: u64, total: u64) -> String {
    if received == 0 {
        format!("bytes */{total}")
    } else {
        format!("bytes 0-{}/{total}", received - 1)
    }
}

fn parse_range(v: &str) -> Option<(u64, u64, u64)> {
    let rest = v.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    Some((first.parse().ok()?, last.parse().ok()?, total.parse().ok()?))
}

/// Clears the "a PUT is streaming" mark however the handler ends (including when hyper
/// drops the handler because the client went away).
struct BusyGuard {
    sim: Arc<Sim>,
    upload_id: String,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut st = self.sim.lock();
        if let Some(i) = st.post_by_upload_id(&self.upload_id) {
            st.posts[i].upload.busy = false;
        }
    }
}

struct Accepted {
    first: u64,
    len: u64,
    hasher: crate::posts::RunningSha256,
    guard: BusyGuard,
}

fn precheck(
    sim: &Arc<Sim>,
    query: &str,
    headers: &HeaderMap,
    fault: Option<crate::faults::PublishFault>,
) -> Result<Accepted, UploadError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let q = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let (id, token) = (
        q("upload_id").unwrap_or_default(),
        q("upload_token").unwrap_or_default(),
    );
    let now = sim.now_ms();
    let mut st = sim.lock();
    let misaligned_status = st.behaviour.misaligned_chunk_status;
    let post = st
        .post_by_upload_id(&id)
        .filter(|&i| st.posts[i].upload.token == token)
        .map(|i| &mut st.posts[i])
        .ok_or_else(|| UploadError::new(StatusCode::NOT_FOUND, "no upload task for this URL"))?;
    apply_fault(post, fault);
    if post.upload.force_expired || now >= post.upload.expires_ms {
        return Err(UploadError::new(
            StatusCode::FORBIDDEN,
            "upload_url expired",
        ));
    }
    let h = |k: header::HeaderName| headers.get(k).and_then(|v| v.to_str().ok());
    let len: u64 = h(header::CONTENT_LENGTH)
        .ok_or_else(|| UploadError::bad("Content-Length is required"))?
        .parse()
        .map_err(|_| UploadError::bad("Content-Length is malformed"))?;
    match h(header::CONTENT_TYPE) {
        Some("video/mp4" | "video/quicktime" | "video/webm") => {}
        _ => {
            return Err(UploadError::bad(
                "Content-Type must be video/mp4, video/quicktime or video/webm",
            ))
        }
    }
    let (first, last, total) = h(header::CONTENT_RANGE)
        .and_then(parse_range)
        .ok_or_else(|| UploadError::bad("Content-Range must be `bytes {first}-{last}/{total}`"))?;
    if total != post.video_size {
        return Err(UploadError::bad(
            "Content-Range total does not match video_size",
        ));
    }
    if last < first || last - first + 1 != len {
        return Err(UploadError::bad(
            "Content-Range does not match Content-Length",
        ));
    }
    if last >= total {
        return Err(UploadError::bad(
            "Content-Range goes past the end of the video",
        ));
    }
    let misaligned = check_chunk_shape(post, first, len, misaligned_status)?;
    let up = &post.upload;
    if misaligned || up.busy || first != up.offset || up.offset >= post.video_size {
        return Err(UploadError {
            progress: Some(progress_header(up.offset, post.video_size)),
            ..UploadError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "Content-Range does not continue the upload",
            )
        });
    }
    post.upload.busy = true;
    Ok(Accepted {
        first,
        len,
        hasher: post.upload.hasher.clone(),
        guard: BusyGuard {
            sim: sim.clone(),
            upload_id: id,
        },
    })
}

/// Reads and discards the rest of a refused PUT's body before answering, as HTTP servers'
/// lingering close does: answering mid-body and closing would make the client's kernel reset
/// the connection and drop the answer (a 416's progress) unread.
async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}

pub async fn put_chunk(
    State(sim): State<Arc<Sim>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut ticket = match gate(&sim, Endpoint::Upload).await {
        Ok(t) => t,
        Err(r) => {
            drain(body).await;
            return r;
        }
    };
    let fault = ticket.publish_fault.take();
    let acc = match precheck(&sim, query.as_deref().unwrap_or(""), &headers, fault) {
        Ok(a) => a,
        Err(e) => {
            drain(body).await;
            return ticket.finish(e.into_response());
        }
    };
    let Accepted {
        first,
        len,
        mut hasher,
        guard,
    } = acc;
    let mut received = 0u64;
    let rate = sim.lock().behaviour.upload_bytes_per_sec;
    let began = tokio::time::Instant::now();
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(bytes) => {
                received += bytes.len() as u64;
                if rate > 0 {
                    // A slow uplink: the next bytes are read once these would have arrived.
                    let due = std::time::Duration::from_secs_f64(received as f64 / rate as f64);
                    tokio::time::sleep_until(began + due).await;
                }
                if received > len {
                    return UploadError::bad("body longer than Content-Length").into_response();
                }
                hasher.update(&bytes);
                if ticket.drop_mid_body {
                    return dropped();
                }
            }
            // Typically a body shorter than Content-Length followed by a closed connection.
            Err(_) => {
                return UploadError::bad("body ended before Content-Length bytes").into_response()
            }
        }
    }
    if ticket.drop_mid_body {
        return dropped();
    }
    if received != len {
        return UploadError::bad("body size does not match Content-Length").into_response();
    }
    let now = sim.now_ms();
    let resp = {
        let mut st = sim.lock();
        let processing = st.behaviour.processing_ms;
        let Some(i) = st.post_by_upload_id(&guard.upload_id) else {
            return UploadError::new(StatusCode::NOT_FOUND, "no upload task for this URL")
                .into_response();
        };
        let post = &mut st.posts[i];
        if post.upload.offset != first {
            // The world moved on (e.g. reset) while we streamed; do not commit.
            return UploadError::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "upload changed while streaming",
            )
            .into_response();
        }
        post.upload.offset += len;
        let done = post.upload.offset == post.video_size;
        if done {
            post.sha256 = Some(hasher.hex());
            post.ready_ms = Some(now + processing);
        }
        post.upload.hasher = hasher;
        let range = progress_header(post.upload.offset, post.video_size);
        let revoke = done && post.doom == Some(crate::posts::Doom::AuthRemoved);
        let open_id = post.open_id.clone();
        if revoke {
            // revoke_mid_publish: the user removes the app while TikTok processes the video.
            st.revoke_account(&open_id, now);
        }
        let status = if done {
            StatusCode::CREATED
        } else {
            StatusCode::PARTIAL_CONTENT
        };
        (status, [(header::CONTENT_RANGE, range)]).into_response()
    };
    drop(guard);
    ticket.finish(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_rules_decimal() {
        let b = Behaviour::default();
        assert!(check_plan(&b, 50_000_123, 10_000_000, 5).is_ok());
        assert!(check_plan(&b, 50_000_123, 10_000_000, 6).is_err());
        assert!(check_plan(&b, 4_194_304, 4_194_304, 1).is_ok());
        assert!(check_plan(&b, 4_194_304, 1_000_000, 4).is_err());
        assert!(check_plan(&b, 30_000_000, 30_000_000, 1).is_ok());
        assert!(check_plan(&b, 70_000_000, 70_000_000, 1).is_err());
        assert!(check_plan(&b, 70_000_000, 4_000_000, 17).is_err());
        assert!(check_plan(&b, 127_000_000, 63_500_000, 2).is_ok());
        assert!(check_plan(&b, 10_000_000, 10_000_000, 0).is_err());
    }

    #[test]
    fn progress_shapes() {
        assert_eq!(progress_header(0, 10), "bytes */10");
        assert_eq!(progress_header(4, 10), "bytes 0-3/10");
    }
}
