//! Shared harness for the accounts tests: a real SQLite store in a temp dir, the simulator
//! in-process on 127.0.0.1:0, a mock keychain, and a "browser" (reqwest following redirects).
#![allow(dead_code)]

pub mod file_keychain;
pub mod locked_keychain;
pub mod publish;
pub mod tripwire;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tokdeck_core::accounts::{AccountDto, AccountQuery};
use tokdeck_core::secrets::Secrets;
use tokdeck_core::{Engine, EngineConfig};
use tokdeck_sim::{SimOptions, Simulator};

pub struct H {
    /// First field, so it runs before the data folder is deleted.
    pub tripwire: TripwireGuard,
    pub sim: Simulator,
    pub base: String,
    pub engine: Arc<Engine>,
    pub secrets: Secrets,
    pub dir: tempfile::TempDir,
    pub ctl: Client,
    pub browser: Client,
    /// Every event the engine emitted, as JSON, for the secrets tripwire.
    pub events_seen: Arc<Mutex<Vec<String>>>,
}

/// After every test that used the harness (and did not already fail), the secrets tripwire
/// looks for every secret the simulator issued in the database files, the logs and the events.
/// A guard of its own rather than `Drop for H`, so tests may still take `H` apart.
pub struct TripwireGuard {
    secrets: tokdeck_sim::SecretList,
    dir: PathBuf,
    events: Arc<Mutex<Vec<String>>>,
    /// Off only for the tripwire's self-test, which plants secrets.
    pub armed: bool,
}

impl Drop for TripwireGuard {
    fn drop(&mut self) {
        if std::thread::panicking() || !self.armed {
            return;
        }
        let events = self.events.lock().unwrap().clone();
        tripwire::check(&self.secrets.get(), &self.dir, &events, &[]);
    }
}

/// Records every event `engine` emits, serialized, until the engine goes away.
pub fn collect_events(engine: &Engine, into: Arc<Mutex<Vec<String>>>) {
    let mut rx = engine.events().subscribe();
    tokio::spawn(async move {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            match rx.recv().await {
                Ok(e) => into
                    .lock()
                    .unwrap()
                    .push(serde_json::to_string(&e).unwrap()),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
}

/// The simulator's control secret as default headers (the API endpoints ignore it).
pub fn control_headers(token: &str) -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(tokdeck_sim::CONTROL_TOKEN_HEADER, token.parse().unwrap());
    h
}

pub async fn start() -> H {
    start_with(|c| c).await
}

pub async fn start_with(tweak: impl FnOnce(EngineConfig) -> EngineConfig) -> H {
    start_opts(SimOptions::default(), tweak).await
}

/// Like [`start_with`] with the simulator's options (e.g. `fast: true`).
pub async fn start_opts(opts: SimOptions, tweak: impl FnOnce(EngineConfig) -> EngineConfig) -> H {
    start_keyed(
        opts,
        |_| Secrets::with_store("tokdeck-test", keyring_core::mock::Store::new().unwrap()),
        tweak,
    )
    .await
}

/// Like [`start_opts`] with the keychain made from the data folder (e.g. a
/// [`file_keychain::FileStore`] that other processes can open too).
pub async fn start_keyed(
    opts: SimOptions,
    keychain: impl FnOnce(&Path) -> Secrets,
    tweak: impl FnOnce(EngineConfig) -> EngineConfig,
) -> H {
    let sim = Simulator::start(opts).await.expect("sim");
    let base = sim.base_url();
    let control_token = sim.control_token().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let secrets = keychain(dir.path());
    let config = tweak(
        EngineConfig::new(dir.path().to_path_buf(), secrets.clone())
            .with_simulator(&base, sim.control_token()),
    );
    let engine = Engine::open(config).await.unwrap();
    let events_seen = Arc::new(Mutex::new(Vec::new()));
    collect_events(&engine, events_seen.clone());
    H {
        tripwire: TripwireGuard {
            secrets: sim.secret_list(),
            dir: dir.path().to_path_buf(),
            events: events_seen.clone(),
            armed: true,
        },
        events_seen,
        sim,
        base,
        engine,
        secrets,
        dir,
        ctl: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(control_headers(&control_token))
            .build()
            .unwrap(),
        browser: Client::builder()
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap(),
    }
}

impl H {
    /// After `engine.shutdown()`: opens a new engine on the same data folder, keychain and
    /// simulator, with `tweak` applied to its config; its events are collected like the first
    /// engine's.
    pub async fn reopen(self, tweak: impl Fn(EngineConfig) -> EngineConfig) -> H {
        let H {
            tripwire,
            sim,
            base,
            engine,
            secrets,
            dir,
            ctl,
            browser,
            events_seen,
        } = self;
        // The old engine holds the data folder's lock until it is dropped.
        drop(engine);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let engine = loop {
            let config = tweak(
                EngineConfig::new(dir.path().to_path_buf(), secrets.clone())
                    .with_simulator(&base, sim.control_token()),
            );
            match Engine::open(config).await {
                Ok(e) => break e,
                // The old engine's tasks still hold the data folder for a moment.
                Err(_) if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                }
                Err(e) => panic!("reopen: {e}"),
            }
        };
        collect_events(&engine, events_seen.clone());
        H {
            tripwire,
            sim,
            base,
            engine,
            secrets,
            dir,
            ctl,
            browser,
            events_seen,
        }
    }

    /// A call to the simulator's control API that must succeed; answers its JSON.
    pub async fn ctl(&self, method: Method, path: &str, body: Value) -> Value {
        self.sim_ctl().call(method, path, body).await
    }

    /// A simulated TikTok account; returns its open_id.
    pub async fn sim_account(&self, username: &str, followers: i64) -> String {
        let a = self
            .ctl(
                Method::POST,
                "/__sim/accounts",
                json!({"username": username, "display_name": format!("{username} TV"),
                       "follower_count": followers, "likes_count": followers * 10, "video_count": 3}),
            )
            .await;
        a["open_id"].as_str().unwrap().to_owned()
    }

    pub async fn requests(&self, endpoint: &str) -> u64 {
        self.sim_ctl().requests(endpoint).await
    }

    /// The simulator's live tokens for an account: (access, refresh).
    pub async fn sim_tokens(&self, open_id: &str) -> (String, String) {
        let v = self.ctl(Method::GET, "/__sim/tokens", Value::Null).await;
        let t = v
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|t| t["open_id"] == open_id && t["live"].as_bool().unwrap_or(true))
            .unwrap_or_else(|| panic!("no live tokens for {open_id}: {v}"));
        (
            t["access_token"].as_str().unwrap().to_owned(),
            t["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    /// Starts a connect flow and plays the browser with `extra` query parameters (e.g.
    /// `sim_open_id`); returns the final HTTP status and page.
    pub async fn browse(&self, extra: &str) -> (u16, String) {
        let flow = self.engine.begin_connect().await.unwrap();
        self.browse_url(&format!("{}&{extra}", flow.authorize_url))
            .await
    }

    pub async fn browse_url(&self, url: &str) -> (u16, String) {
        let resp = self.browser.get(url).send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap())
    }

    /// Connects (or reconnects) a simulated account through the loopback listener.
    pub async fn connect(&self, open_id: &str) -> AccountDto {
        let (status, page) = self.browse(&format!("sim_open_id={open_id}")).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("is connected"), "{page}");
        self.find(open_id).await.expect("account stored")
    }

    pub async fn find(&self, open_id: &str) -> Option<AccountDto> {
        self.engine
            .list_accounts(&AccountQuery {
                limit: Some(50),
                ..Default::default()
            })
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|a| a.open_id == open_id)
    }

    pub async fn keychain(&self, name: &str) -> Option<String> {
        self.secrets
            .get(name)
            .await
            .unwrap()
            .map(|s| s.expose().to_owned())
    }
}
