//! File I/O for posts off the async runtime: probing and fingerprinting a video in
//! `spawn_blocking`.

use std::path::PathBuf;

use crate::error::{CoreError, CoreResult};
use crate::media::{self, Fingerprint, VideoFacts};

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> CoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CoreError::Internal(format!("background task failed: {e}")))
}

/// Probes and fingerprints a file (blocking I/O off the runtime).
pub async fn probe_file(path: PathBuf) -> CoreResult<(VideoFacts, Fingerprint)> {
    blocking(move || -> CoreResult<(VideoFacts, Fingerprint)> {
        let facts = media::probe(&path)?;
        let fp = media::fingerprint(&path).map_err(|e| {
            CoreError::InvalidInput(format!("Tokdeck cannot read {}: {e}.", path.display()))
        })?;
        Ok((facts, fp))
    })
    .await?
}
