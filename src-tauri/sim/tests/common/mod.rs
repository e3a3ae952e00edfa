//! Shared helpers: a started simulator, a raw reqwest client and the OAuth dance.
#![allow(dead_code)]

use reqwest::redirect::Policy;
use reqwest::{Client, Method, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokdeck_sim::{Behaviour, SimOptions, Simulator};

pub const REDIRECT: &str = "http://127.0.0.1:4567/callback/";
pub const ALL: &str =
    "user.info.basic,user.info.profile,user.info.stats,video.list,video.upload,video.publish";

pub struct Ctx {
    pub sim: Simulator,
    pub base: String,
    pub http: Client,
}

/// Small chunk rules so uploads stay tiny: min 1000, max 4000, final up to 8000.
pub fn small_chunks() -> Behaviour {
    Behaviour {
        min_chunk_bytes: 1000,
        max_chunk_bytes: 4000,
        max_final_chunk_bytes: 8000,
        single_chunk_below: 1000,
        processing_ms: 150,
        ..Behaviour::default()
    }
}

pub async fn start() -> Ctx {
    start_with(small_chunks(), false).await
}

pub async fn start_with(behaviour: Behaviour, seed: bool) -> Ctx {
    start_opts(SimOptions {
        port: 0,
        seed,
        fast: false,
        behaviour,
        ..Default::default()
    })
    .await
}

pub async fn start_opts(opts: SimOptions) -> Ctx {
    let sim = Simulator::start(opts).await.expect("simulator starts");
    let base = sim.base_url();
    let http = Client::builder()
        .redirect(Policy::none())
        .default_headers(control_headers(&sim))
        .build()
        .unwrap();
    Ctx { sim, base, http }
}

/// The control API's secret, sent with every request of the tests' client (the API
/// endpoints ignore it).
pub fn control_headers(sim: &Simulator) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        tokdeck_sim::CONTROL_TOKEN_HEADER,
        sim.control_token().parse().unwrap(),
    );
    h
}

pub fn verifier() -> String {
    use rand::Rng;
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let mut r = rand::thread_rng();
    (0..64)
        .map(|_| ALPHA[r.gen_range(0..ALPHA.len())] as char)
        .collect()
}

pub fn hex_challenge(v: &str) -> String {
    hex::encode(Sha256::digest(v.as_bytes()))
}

pub fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).expect("absolute Location");
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn q<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

impl Ctx {
    pub async fn ctl(&self, method: Method, path: &str, body: Value) -> Value {
        let resp = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let v: Value = resp.json().await.unwrap();
        assert!(status.is_success(), "{method} {path} -> {status}: {v}");
        v
    }

    pub async fn behave(&self, patch: Value) -> Value {
        self.ctl(Method::POST, "/__sim/behaviour", patch).await
    }

    pub async fn account(&self, username: &str, private: bool) -> String {
        let a = self
            .ctl(
                Method::POST,
                "/__sim/accounts",
                json!({"username": username, "private": private}),
            )
            .await;
        a["open_id"].as_str().unwrap().to_string()
    }

    pub fn authorize_url(
        &self,
        challenge: Option<&str>,
        scope: &str,
        extra: &[(&str, &str)],
    ) -> String {
        let mut u = url::Url::parse(&self.sim.authorize_url()).unwrap();
        {
            let mut qp = u.query_pairs_mut();
            qp.append_pair("client_key", "sim_client_key")
                .append_pair("scope", scope)
                .append_pair("redirect_uri", REDIRECT)
                .append_pair("state", "st-42")
                .append_pair("response_type", "code");
            if let Some(c) = challenge {
                qp.append_pair("code_challenge", c)
                    .append_pair("code_challenge_method", "S256");
            }
            for (k, v) in extra {
                qp.append_pair(k, v);
            }
        }
        u.to_string()
    }

    /// Auto-consents as `open_id`; returns (code, verifier, granted scopes).
    pub async fn code_for(&self, open_id: &str, scopes: &str) -> (String, String, String) {
        let v = verifier();
        let url = self.authorize_url(
            Some(&hex_challenge(&v)),
            ALL,
            &[("sim_open_id", open_id), ("sim_scopes", scopes)],
        );
        let resp = self.http.get(url).send().await.unwrap();
        assert_eq!(resp.status(), 302);
        let loc = resp.headers()["location"].to_str().unwrap().to_string();
        let p = query_of(&loc);
        assert_eq!(q(&p, "state"), Some("st-42"));
        (
            q(&p, "code").expect("code in redirect").to_string(),
            v,
            q(&p, "scopes").unwrap().to_string(),
        )
    }

    pub async fn token_raw(&self, form: &[(&str, &str)]) -> Response {
        self.http
            .post(format!("{}/v2/oauth/token/", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn exchange(&self, code: &str, verifier: &str) -> Response {
        self.token_raw(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "sim_client_secret"),
            ("code", code),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    pub async fn refresh(&self, rt: &str) -> Response {
        self.token_raw(&[
            ("client_key", "sim_client_key"),
            ("client_secret", "sim_client_secret"),
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
        ])
        .await
    }

    /// Full OAuth for `open_id` with `scopes`; returns the token JSON.
    pub async fn login(&self, open_id: &str, scopes: &str) -> Value {
        let (code, v, _) = self.code_for(open_id, scopes).await;
        let resp = self.exchange(&code, &v).await;
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// A new account with every scope; returns (open_id, access_token).
    pub async fn user(&self, name: &str, private: bool) -> (String, String) {
        let id = self.account(name, private).await;
        let t = self.login(&id, ALL).await;
        (id, t["access_token"].as_str().unwrap().to_string())
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap())
    }

    pub async fn init_direct(
        &self,
        token: &str,
        privacy: &str,
        size: u64,
        chunk: u64,
        count: u64,
    ) -> (u16, Value) {
        self.api(
            Method::POST,
            "/v2/post/publish/video/init/",
            token,
            Some(json!({
                "post_info": {"title": "hello #sim", "privacy_level": privacy},
                "source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": chunk, "total_chunk_count": count}
            })),
        )
        .await
    }

    pub async fn init_inbox(&self, token: &str, size: u64) -> (u16, Value) {
        self.api(
            Method::POST,
            "/v2/post/publish/inbox/video/init/",
            token,
            Some(json!({"source_info": {"source": "FILE_UPLOAD", "video_size": size, "chunk_size": size, "total_chunk_count": 1}})),
        )
        .await
    }

    pub async fn put(
        &self,
        url: &str,
        data: &[u8],
        first: u64,
        total: u64,
    ) -> reqwest::Result<Response> {
        self.http
            .put(url)
            .header("content-type", "video/mp4")
            .header(
                "content-range",
                format!("bytes {first}-{}/{total}", first + data.len() as u64 - 1),
            )
            .body(data.to_vec())
            .send()
            .await
    }

    pub async fn status(&self, token: &str, publish_id: &str) -> (u16, Value) {
        self.api(
            Method::POST,
            "/v2/post/publish/status/fetch/",
            token,
            Some(json!({"publish_id": publish_id})),
        )
        .await
    }

    pub async fn posts(&self) -> Vec<Value> {
        self.ctl(Method::GET, "/__sim/posts", Value::Null)
            .await
            .as_array()
            .unwrap()
            .clone()
    }

    pub async fn advance(&self, secs: f64) {
        self.ctl(Method::POST, "/__sim/clock/advance", json!({"secs": secs}))
            .await;
    }
}

pub fn bytes(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

pub fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}
