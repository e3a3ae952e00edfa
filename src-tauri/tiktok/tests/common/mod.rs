//! Shared harness: a fresh simulator per test, its control API, and a connected account.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};
use tiktok_api::{
    AuthorizationCallback, ClientConfig, ClientSecret, RetryPolicy, Scope, TikTokClient, TokenSet,
};
use tokdeck_sim::{SimOptions, Simulator};

pub const REDIRECT: &str = "http://127.0.0.1:53682/callback/";

pub struct Harness {
    pub sim: Simulator,
    pub base: String,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        Self::start_with(SimOptions {
            fast: true,
            ..Default::default()
        })
        .await
    }

    pub async fn start_with(opts: SimOptions) -> Self {
        let sim = Simulator::start(opts).await.expect("simulator starts");
        let base = sim.base_url();
        // The control API's secret goes with every request (the API endpoints ignore it).
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            tokdeck_sim::CONTROL_TOKEN_HEADER,
            sim.control_token().parse().unwrap(),
        );
        Self {
            base,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .unwrap(),
            sim,
        }
    }

    /// Client config pointed at the simulator, with quick retries for tests.
    pub fn config(&self) -> ClientConfig {
        let mut c = ClientConfig::new("sim_client_key", ClientSecret::new("sim_client_secret"))
            .with_server(&self.base)
            .unwrap();
        c.retry = RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
        };
        c.upload.chunk_retry = RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
        };
        c.request_timeout = Duration::from_secs(10);
        c
    }

    pub fn client(&self) -> TikTokClient {
        TikTokClient::new(self.config()).unwrap()
    }

    /// A client whose uploads use 5 MiB chunks even for small files, so multi-chunk paths run
    /// on files of a few MB.
    pub fn small_chunk_client(&self) -> TikTokClient {
        let mut c = self.config();
        c.upload.single_chunk_max = 0;
        c.upload.preferred_chunk_size = 5 * 1024 * 1024;
        TikTokClient::new(c).unwrap()
    }

    pub async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "control {path}: {status} {v}");
        v
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.control(reqwest::Method::POST, path, body).await
    }

    pub async fn get(&self, path: &str) -> Value {
        self.control(reqwest::Method::GET, path, Value::Null).await
    }

    pub async fn behaviour(&self, patch: Value) -> Value {
        self.post("/__sim/behaviour", patch).await
    }

    pub async fn fault(&self, spec: Value) {
        self.post("/__sim/faults", spec).await;
    }

    pub async fn add_account(&self, spec: Value) -> String {
        let v = self.post("/__sim/accounts", spec).await;
        v["open_id"].as_str().unwrap().to_owned()
    }

    pub async fn requests(&self, endpoint: &str) -> u64 {
        self.get("/__sim/requests").await[endpoint]
            .as_u64()
            .unwrap_or(0)
    }

    pub async fn posts(&self) -> Vec<Value> {
        self.get("/__sim/posts").await.as_array().unwrap().clone()
    }

    /// Follows the authorize URL once (the simulator answers a pending consent with a 302) and
    /// returns the parsed callback.
    pub async fn authorize(&self, url: &url::Url) -> AuthorizationCallback {
        let resp = self.http.get(url.clone()).send().await.unwrap();
        assert_eq!(resp.status(), 302, "authorize answered {}", resp.status());
        let loc = resp.headers()["location"].to_str().unwrap().to_owned();
        let loc = url::Url::parse(&loc).unwrap();
        assert!(loc.as_str().starts_with(REDIRECT), "{loc}");
        AuthorizationCallback::from_url(&loc)
    }

    /// Creates an account and connects it with the given scopes (all if None).
    pub async fn connect(
        &self,
        client: &TikTokClient,
        account: Value,
        scopes: Option<Vec<&str>>,
    ) -> (String, TokenSet) {
        let open_id = self.add_account(account).await;
        let tokens = self.connect_existing(client, &open_id, scopes).await;
        (open_id, tokens)
    }

    pub async fn connect_existing(
        &self,
        client: &TikTokClient,
        open_id: &str,
        scopes: Option<Vec<&str>>,
    ) -> TokenSet {
        let mut consent = json!({ "open_id": open_id });
        if let Some(s) = scopes {
            consent["scopes"] = json!(s);
        }
        self.post("/__sim/consent", consent).await;
        let req = client.authorization_request(REDIRECT, &Scope::ALL).unwrap();
        let cb = self.authorize(&req.url).await;
        let code = cb.into_code(&req.state).unwrap();
        client
            .exchange_code(&code.code, &req.verifier, &req.redirect_uri)
            .await
            .unwrap()
    }
}

/// Writes `size` pseudo-random bytes to `dir/name` and returns the path and its sha256.
pub fn make_video(dir: &Path, name: &str, size: u64) -> (PathBuf, String) {
    use rand::{RngCore, SeedableRng};
    use sha2::{Digest, Sha256};
    use std::io::Write;
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut rng = rand::rngs::StdRng::seed_from_u64(size);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        rng.fill_bytes(&mut buf[..n]);
        hasher.update(&buf[..n]);
        f.write_all(&buf[..n]).unwrap();
        left -= n as u64;
    }
    f.flush().unwrap();
    (path, hex::encode(hasher.finalize()))
}

pub fn post_by_id<'a>(posts: &'a [Value], publish_id: &str) -> &'a Value {
    posts
        .iter()
        .find(|p| p["publish_id"] == publish_id)
        .unwrap_or_else(|| panic!("no post {publish_id}"))
}
