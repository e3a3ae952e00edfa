//! Publishing helpers: connected accounts, direct-post drafts, the simulator's control API
//! through a handle that outlives the engine (tests that restart or kill the engine keep it),
//! and [`Publishing`]: the engine against the fast simulator with a real video to post.

use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::{Client, Method};
use serde_json::{json, Value};
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::posts::{ComposeInput, PostMode, PostStatus, When};
use tokdeck_core::publisher::{PublishJob, PublishStep};
use tokdeck_core::{Engine, EngineConfig};
use tokdeck_sim::SimOptions;
use tokio::sync::broadcast::Receiver;

use super::H;

impl H {
    /// A new simulated account, connected; returns (open_id, account id).
    pub async fn connected_account(&self, username: &str) -> (String, i64) {
        self.connected_account_with(username, Value::Null).await
    }

    /// Like [`H::connected_account`], with `sim_patch` (e.g. `{"private": true}`) applied to the
    /// simulated account before connecting, so creator_info already tells it.
    pub async fn connected_account_with(&self, username: &str, sim_patch: Value) -> (String, i64) {
        let open_id = self.sim_account(username, 10).await;
        if !sim_patch.is_null() {
            self.ctl(
                Method::PATCH,
                &format!("/__sim/accounts/{open_id}"),
                sim_patch,
            )
            .await;
        }
        let acc = self.connect(&open_id).await;
        (open_id, acc.id)
    }

    /// A direct post (`SELF_ONLY`) of `video`, checked against fresh creator_info.
    pub async fn direct_draft(&self, account_id: i64, video: &Path, caption: &str) -> i64 {
        self.direct_draft_as(account_id, video, caption, "SELF_ONLY")
            .await
    }

    /// A direct post of `video` to the `privacy` audience, checked against fresh creator_info.
    pub async fn direct_draft_as(
        &self,
        account_id: i64,
        video: &Path,
        caption: &str,
        privacy: &str,
    ) -> i64 {
        let rules = self.engine.creator_rules(account_id).await.unwrap();
        self.engine
            .create_draft(
                &ComposeInput {
                    account_id,
                    media_path: video.to_string_lossy().into_owned(),
                    caption: caption.into(),
                    privacy_level: Some(privacy.into()),
                    allow_comment: true,
                    allow_duet: false,
                    allow_stitch: false,
                    commercial: Default::default(),
                    is_aigc: false,
                    cover_timestamp_ms: None,
                    mode: PostMode::Direct,
                },
                Some(&rules),
            )
            .await
            .unwrap()
            .id
    }

    pub fn sim_ctl(&self) -> SimCtl {
        SimCtl {
            base: self.base.clone(),
            token: self.sim.control_token().to_owned(),
            client: self.ctl.clone(),
        }
    }
}

/// The simulator's control API (`/__sim/...`).
#[derive(Clone)]
pub struct SimCtl {
    pub base: String,
    /// The control API's secret (a child process needs it too).
    pub token: String,
    client: Client,
}

impl SimCtl {
    pub async fn call(&self, method: Method, path: &str, body: Value) -> Value {
        let resp = self
            .client
            .request(method.clone(), format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path} -> {status}: {v}");
        v
    }

    /// Registers a fault (`{endpoint, kind, ...}`, see docs/simulator.md).
    pub async fn fault(&self, spec: Value) {
        self.call(Method::POST, "/__sim/faults", spec).await;
    }

    pub async fn clear_faults(&self) {
        self.call(Method::DELETE, "/__sim/faults", Value::Null)
            .await;
    }

    /// How many requests an endpoint (`video_init`, `upload`, `status`, ...) received.
    pub async fn requests(&self, endpoint: &str) -> u64 {
        let v = self.call(Method::GET, "/__sim/requests", Value::Null).await;
        v[endpoint].as_u64().unwrap_or(0)
    }

    /// Every publish the simulator knows of.
    pub async fn posts(&self) -> Vec<Value> {
        match self.call(Method::GET, "/__sim/posts", Value::Null).await {
            Value::Array(a) => a,
            other => panic!("/__sim/posts answered {other}"),
        }
    }

    /// Makes the simulator's app not audited, answering a wider audience than "Only me" the
    /// way `reading` says (`reject` or `downgrade`, see docs/simulator.md).
    pub async fn unaudited(&self, reading: &str) {
        self.set_audited(false).await;
        self.unaudited_reading(reading).await;
    }

    /// Whether the simulator's app is audited for Direct Post.
    pub async fn audited(&self) -> bool {
        let app = self.call(Method::GET, "/__sim/app", Value::Null).await;
        app["audited"].as_bool().expect("audited flag")
    }

    pub async fn set_audited(&self, audited: bool) {
        self.call(Method::PATCH, "/__sim/app", json!({ "audited": audited }))
            .await;
    }

    /// How the simulator answers a wider audience than "Only me" from an app not audited.
    pub async fn unaudited_reading(&self, reading: &str) {
        self.call(
            Method::POST,
            "/__sim/behaviour",
            json!({"unaudited_non_self_only": reading}),
        )
        .await;
    }
}

/// The engine against the in-process simulator in fast mode, with a one-second H.264 clip in
/// the data folder to publish.
pub struct Publishing {
    pub h: H,
    pub video: PathBuf,
}

pub fn fast() -> SimOptions {
    SimOptions {
        fast: true,
        ..Default::default()
    }
}

/// Makes a video file: `(folder, file name, seconds)`, i.e. `media_common::h264`, which the
/// test binary passes in because not every binary that includes `common` has `media_common`.
pub type MakeClip = fn(&Path, &str, f64) -> PathBuf;

impl Publishing {
    pub async fn start(clip: MakeClip) -> Self {
        Self::start_with(clip, |c| c).await
    }

    /// Like [`Publishing::start`] with the engine's configuration changed by `tweak`.
    pub async fn start_with(
        clip: MakeClip,
        tweak: impl FnOnce(EngineConfig) -> EngineConfig,
    ) -> Self {
        let h = super::start_opts(fast(), tweak).await;
        let video = clip(h.dir.path(), "clip.mp4", 1.0);
        Self { h, video }
    }

    pub fn sim(&self) -> SimCtl {
        self.h.sim_ctl()
    }

    pub async fn account(&self, name: &str) -> (String, i64) {
        self.h.connected_account(name).await
    }

    /// A connected account; `sim_patch` (e.g. `{"private": true}`) is applied before connecting.
    pub async fn account_with(&self, name: &str, sim_patch: Value) -> (String, i64) {
        self.h.connected_account_with(name, sim_patch).await
    }

    /// A direct post of the clip to "Only me".
    pub async fn draft(&self, account_id: i64, caption: &str) -> i64 {
        self.h.direct_draft(account_id, &self.video, caption).await
    }

    /// A direct post of the clip to the `privacy` audience.
    pub async fn draft_as(&self, account_id: i64, caption: &str, privacy: &str) -> i64 {
        self.h
            .direct_draft_as(account_id, &self.video, caption, privacy)
            .await
    }

    pub async fn schedule(&self, id: i64, when: When) {
        self.h.engine.schedule_post_fresh(id, &when).await.unwrap();
    }

    pub async fn publish_now(&self, id: i64) {
        self.schedule(id, When::Now).await;
    }

    pub async fn fault(&self, spec: Value) {
        self.sim().fault(spec).await;
    }

    pub async fn sim_posts(&self) -> Vec<Value> {
        self.sim().posts().await
    }

    pub async fn sim_posts_of(&self, open_id: &str) -> Vec<Value> {
        let mut v = self.sim_posts().await;
        v.retain(|p| p["open_id"] == open_id);
        v
    }

    pub async fn job(&self, id: i64) -> PublishJob {
        self.h.engine.publish_job(id).await.unwrap().expect("job")
    }

    /// Waits until the post reaches `want` (panics with the job after `secs`).
    pub async fn wait_status(&self, id: i64, want: PostStatus, secs: u64) {
        wait_status(&self.h.engine, id, want, secs).await
    }

    /// Waits until the post's publish job reaches `want` (panics with the job after `secs`).
    pub async fn wait_step(&self, id: i64, want: PublishStep, secs: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let job = self.h.engine.publish_job(id).await.unwrap();
            if job.as_ref().is_some_and(|j| j.step() == want) {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "post {id} never reached {want:?}: {job:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Waits until the post reaches `want`; after `secs` panics with its job and history.
pub async fn wait_status(engine: &Engine, id: i64, want: PostStatus, secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let post = engine.post(id).await.unwrap();
        if post.status == want {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let job = engine.publish_job(id).await.unwrap();
            let hist = engine.publish_history(id).await.unwrap();
            panic!(
                "post {id} is {:?}, wanted {want:?}; job {job:#?}; history {hist:#?}",
                post.status
            );
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// What the simulator reports as a post's `sha256`, for the bytes the test handed over.
pub fn sha256_file(p: &Path) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}

/// The body of the "published" notification: the last one among the events received so far,
/// else the next one to come. The post's status is committed before the notification is sent,
/// so a test that saw the status may be ahead of the event.
pub async fn published_notification(events: &mut Receiver<EngineEvent>) -> String {
    fn body_of(e: EngineEvent) -> Option<String> {
        match e {
            EngineEvent::Notify {
                notification: NotificationKind::Published,
                body,
                ..
            } => Some(body),
            _ => None,
        }
    }
    let mut body = None;
    while let Ok(e) = events.try_recv() {
        body = body_of(e).or(body);
    }
    if let Some(b) = body {
        return b;
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(e)) => {
                if let Some(b) = body_of(e) {
                    return b;
                }
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(_))) => {}
            _ => panic!("a published notification"),
        }
    }
}
