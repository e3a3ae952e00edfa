//! Avatar images: TikTok's avatar URLs are signed and expire, so the bytes are fetched once per
//! sync and kept under `<data dir>/avatars/`; the UI gets them as a small `data:` URL.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;

/// Larger answers are not avatars (TikTok's 100×100 JPEGs are a few KB).
const MAX_BYTES: usize = 512 * 1024;

#[derive(Debug)]
pub struct Avatars {
    dir: PathBuf,
    http: reqwest::Client,
    /// open_id → data URL, filled on first read.
    cache: Mutex<HashMap<String, Option<String>>>,
}

impl Avatars {
    pub fn new(data_dir: &Path) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .expect("HTTP client");
        Self {
            dir: dir_in(data_dir),
            http,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Downloads `url` and stores it for `open_id`; returns the file name. HTTPS only, except
    /// loopback (the simulator).
    pub async fn fetch(&self, open_id: &str, url: &str) -> Result<String, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("bad avatar URL: {e}"))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err("avatar URL is not HTTPS".into());
        }
        // Avatar URLs are signed (the query grants access): reqwest's error text names the URL.
        let resp = self
            .http
            .get(parsed)
            .send()
            .await
            .map_err(|e| format!("avatar download failed: {}", e.without_url()))?;
        if !resp.status().is_success() {
            return Err(format!("avatar download answered HTTP {}", resp.status()));
        }
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("avatar download failed: {}", e.without_url()))?;
        if bytes.is_empty() || bytes.len() > MAX_BYTES {
            return Err(format!(
                "avatar has an unexpected size ({} bytes)",
                bytes.len()
            ));
        }
        let Some(ext) = sniff(&bytes) else {
            return Err("avatar is not a PNG, JPEG, GIF or WebP image".into());
        };
        let name = format!("{}.{ext}", safe_name(open_id));
        let dir = self.dir.clone();
        let path = dir.join(&name);
        let data = bytes.to_vec();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let tmp = path.with_extension("part");
            std::fs::write(&tmp, &data)?;
            std::fs::rename(&tmp, &path)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("could not save the avatar: {e}"))?;
        self.cache
            .lock()
            .expect("avatar cache")
            .insert(open_id.to_owned(), Some(data_url(ext, &bytes)));
        Ok(name)
    }

    /// The avatar as a data URL, read from disk on first use and then kept in memory.
    pub fn data_url(&self, open_id: &str, file: Option<&str>) -> Option<String> {
        let file = file?;
        if let Some(hit) = self.cache.lock().expect("avatar cache").get(open_id) {
            return hit.clone();
        }
        let loaded = read_data_url(&self.dir, file);
        self.cache
            .lock()
            .expect("avatar cache")
            .insert(open_id.to_owned(), loaded.clone());
        loaded
    }

    pub fn forget(&self, open_id: &str, file: Option<&str>) {
        self.cache.lock().expect("avatar cache").remove(open_id);
        if let Some(f) = file {
            let _ = std::fs::remove_file(self.dir.join(f));
        }
    }
}

/// A stored avatar as a data URL, read from `dir` (`<data dir>/avatars`) without a cache (for
/// readers other than the Accounts service, whose cache a sync keeps current).
pub fn read_data_url(dir: &Path, file: &str) -> Option<String> {
    let bytes = std::fs::read(dir.join(file)).ok()?;
    let ext = sniff(&bytes)?;
    Some(data_url(ext, &bytes))
}

/// Where the avatars are kept under the data dir.
pub fn dir_in(data_dir: &Path) -> PathBuf {
    data_dir.join("avatars")
}

fn safe_name(open_id: &str) -> String {
    open_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect()
}

fn sniff(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else if b.starts_with(b"GIF8") {
        Some("gif")
    } else if b.len() > 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

fn data_url(ext: &str, bytes: &[u8]) -> String {
    format!(
        "data:image/{ext};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_and_names_safely() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(safe_name("../a/b"), "___a_b");
        assert!(data_url("png", b"x").starts_with("data:image/png;base64,"));
    }
}
