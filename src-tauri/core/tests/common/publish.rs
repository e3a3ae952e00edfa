//! Publishing helpers: connected accounts, direct-post drafts, and the simulator's control API
//! through a handle that outlives the engine (tests that restart or kill the engine keep it).

use std::path::Path;

use reqwest::{Client, Method};
use serde_json::Value;
use tokdeck_core::posts::{ComposeInput, PostMode};

use super::H;

impl H {
    /// A new simulated account, connected; returns (open_id, account id).
    pub async fn connected_account(&self, username: &str) -> (String, i64) {
        let open_id = self.sim_account(username, 10).await;
        let acc = self.connect(&open_id).await;
        (open_id, acc.id)
    }

    /// A direct post (`SELF_ONLY`) of `video`, checked against fresh creator_info.
    pub async fn direct_draft(&self, account_id: i64, video: &Path, caption: &str) -> i64 {
        let rules = self.engine.creator_rules(account_id).await.unwrap();
        self.engine
            .create_draft(
                &ComposeInput {
                    account_id,
                    media_path: video.to_string_lossy().into_owned(),
                    caption: caption.into(),
                    privacy_level: Some("SELF_ONLY".into()),
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
            client: self.ctl.clone(),
        }
    }
}

/// The simulator's control API (`/__sim/...`).
#[derive(Clone)]
pub struct SimCtl {
    pub base: String,
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
}
