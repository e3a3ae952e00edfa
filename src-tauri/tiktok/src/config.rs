//! Client configuration: endpoints, credentials, timeouts, retry and pacing knobs.

use std::time::Duration;

use url::Url;

use crate::error::{Error, ErrorKind, Result};
use crate::tokens::ClientSecret;

/// TikTok's consent page.
pub const DEFAULT_AUTHORIZE_URL: &str = "https://www.tiktok.com/v2/auth/authorize/";
/// TikTok's OAuth and Open API host.
pub const DEFAULT_API_BASE: &str = "https://open.tiktokapis.com";

/// Bounded retries with exponential backoff, used for idempotent calls, 429s and chunk PUTs.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Total attempts including the first (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled each time.
    pub initial_backoff: Duration,
    /// Upper bound for one delay.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1-based), with up to 25 % random jitter so several
    /// accounts failing together do not retry in lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << retry.saturating_sub(1).min(16));
        let base = exp.min(self.max_backoff);
        let jitter = rand::random::<f64>() * 0.25;
        base + base.mul_f64(jitter)
    }
}

/// Chunking and transfer settings for uploads.
#[derive(Debug, Clone)]
pub struct UploadConfig {
    /// Preferred `chunk_size` for files that need several chunks. Clamped into
    /// `5_242_880..=64_000_000` (see [`crate::chunk_plan`]). Default 10,000,000.
    pub preferred_chunk_size: u64,
    /// Send files up to this size (capped at 64,000,000) as one chunk. Default 64,000,000: the
    /// rules allow it under both MB readings, and single-chunk uploads kept working when TikTok
    /// started rejecting some multi-chunk inits (Aug 2026).
    pub single_chunk_max: u64,
    /// Attempts per chunk on 5xx or a dropped connection.
    pub chunk_retry: RetryPolicy,
    /// Per-chunk request timeout = `chunk_timeout_base` + bytes / `min_throughput_bytes_per_sec`.
    pub chunk_timeout_base: Duration,
    /// Slowest transfer rate tolerated before a chunk PUT times out.
    pub min_throughput_bytes_per_sec: u64,
}

impl Default for UploadConfig {
    fn default() -> Self {
        Self {
            preferred_chunk_size: 10_000_000,
            single_chunk_max: crate::chunk_plan::MAX_CHUNK,
            chunk_retry: RetryPolicy {
                max_attempts: 5,
                initial_backoff: Duration::from_millis(500),
                max_backoff: Duration::from_secs(10),
            },
            chunk_timeout_base: Duration::from_secs(30),
            min_throughput_bytes_per_sec: 128 * 1024,
        }
    }
}

/// Everything [`crate::TikTokClient`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The app's `client_key`.
    pub client_key: String,
    /// The app's `client_secret`.
    pub client_secret: ClientSecret,
    /// Consent page URL (default TikTok's).
    pub authorize_url: Url,
    /// Base for `/v2/...` calls (default `https://open.tiktokapis.com`).
    pub api_base: Url,
    /// Timeout for one API call (not for chunk PUTs; see [`UploadConfig`]).
    pub request_timeout: Duration,
    /// Timeout for opening a connection.
    pub connect_timeout: Duration,
    /// Sent as `User-Agent`; default `Tokdeck/<crate version>`.
    pub user_agent: String,
    /// Retries for idempotent calls (user info, video list/query, creator_info, status) on
    /// network errors, 5xx and 429.
    pub retry: RetryPolicy,
    /// Length of TikTok's sliding rate-limit window (one minute in production; tests shorten it
    /// together with the simulator's `rate_window_ms`).
    pub rate_window: Duration,
    /// Upload settings.
    pub upload: UploadConfig,
}

impl ClientConfig {
    /// A configuration for production TikTok with default timeouts.
    pub fn new(client_key: impl Into<String>, client_secret: ClientSecret) -> Self {
        Self {
            client_key: client_key.into(),
            client_secret,
            authorize_url: Url::parse(DEFAULT_AUTHORIZE_URL).expect("static URL"),
            api_base: Url::parse(DEFAULT_API_BASE).expect("static URL"),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: format!("Tokdeck/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
            rate_window: Duration::from_secs(60),
            upload: UploadConfig::default(),
        }
    }

    /// Points both the consent page and the API at one server (e.g. the simulator), which serves
    /// `/v2/auth/authorize/` and `/v2/...`.
    pub fn with_server(mut self, base: &str) -> Result<Self> {
        let base = parse_url(base)?;
        self.authorize_url = base
            .join("/v2/auth/authorize/")
            .map_err(|e| config_err(format!("bad base URL: {e}")))?;
        self.api_base = base;
        Ok(self)
    }

    /// Checks that endpoints are HTTPS (or HTTP to a loopback host, for the simulator).
    pub fn validate(&self) -> Result<()> {
        check_transport(&self.authorize_url)?;
        check_transport(&self.api_base)?;
        if self.client_key.is_empty() {
            return Err(config_err("client_key is empty"));
        }
        Ok(())
    }

    pub(crate) fn api_url(&self, path: &str) -> Result<Url> {
        self.api_base
            .join(path)
            .map_err(|e| config_err(format!("bad API path {path}: {e}")))
    }
}

fn parse_url(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| config_err(format!("bad URL {s}: {e}")))
}

fn config_err(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::Config(msg.into()))
}

/// HTTPS everywhere; plain HTTP only to loopback, where nothing crosses a network.
pub(crate) fn check_transport(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        other => Err(config_err(format!(
            "{other}:// is not allowed for {} (HTTPS required outside loopback)",
            url.host_str().unwrap_or("?")
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> ClientConfig {
        ClientConfig::new("ck", ClientSecret::new("cs"))
    }

    #[test]
    fn defaults_are_tiktok_and_https() {
        let c = cfg();
        assert_eq!(c.authorize_url.as_str(), DEFAULT_AUTHORIZE_URL);
        assert_eq!(
            c.api_url("/v2/oauth/token/").unwrap().as_str(),
            "https://open.tiktokapis.com/v2/oauth/token/"
        );
        assert!(c.user_agent.starts_with("Tokdeck/"));
        c.validate().unwrap();
    }

    #[test]
    fn http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:7171",
            "http://localhost:1",
            "http://[::1]:9",
        ] {
            cfg().with_server(ok).unwrap().validate().unwrap();
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1:80",
            "ftp://127.0.0.1",
        ] {
            assert!(cfg().with_server(bad).unwrap().validate().is_err(), "{bad}");
        }
        let c = cfg().with_server("http://127.0.0.1:7171").unwrap();
        assert_eq!(
            c.authorize_url.as_str(),
            "http://127.0.0.1:7171/v2/auth/authorize/"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        };
        assert!(
            p.backoff(1) >= Duration::from_millis(100)
                && p.backoff(1) <= Duration::from_millis(125)
        );
        assert!(p.backoff(2) >= Duration::from_millis(200));
        assert!(p.backoff(10) <= Duration::from_millis(375));
    }
}
