//! Analytics against the in-process simulator with its counts evolving (`evolution_seed`):
//! the engine's and the simulator's clocks are moved together, passes of the sampler are run
//! at chosen instants, and what the engine stored is compared with what TikTok could have
//! said then.

#[path = "../common/mod.rs"]
mod common;
#[path = "../media_common/mod.rs"]
mod media_common;

mod faults;
mod found;
mod queries;
mod timeline;

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokdeck_core::analytics::{PostPerformance, TopPostsQuery};
use tokdeck_core::posts::PostStatus;
use tokdeck_core::EngineConfig;

use common::publish::Publishing;

pub const HOUR: u64 = 3600;
pub const DAY: u64 = 24 * HOUR;

/// The rig: the engine and the fast simulator with evolving counts, background running.
pub struct A {
    pub t: Publishing,
}

/// Retries of TikTok calls in milliseconds, so a test of 429 answers does not wait seconds.
fn quick_retries(c: &mut tiktok_api::ClientConfig) {
    c.retry = tiktok_api::RetryPolicy {
        max_attempts: 2,
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(20),
    };
}

impl A {
    pub async fn start() -> A {
        Self::start_with(json!({})).await
    }

    /// With `behaviour` (simulator fields, e.g. `{"omit_public_post_id": true}`) on top of
    /// evolving counts.
    pub async fn start_with(behaviour: Value) -> A {
        let t = Publishing::start_with(media_common::h264, |c| EngineConfig {
            client_tuning: Some(quick_retries),
            sampler_delay: Duration::ZERO,
            ..c
        })
        .await;
        let mut b = json!({"evolution_seed": 7});
        b.as_object_mut()
            .unwrap()
            .extend(behaviour.as_object().unwrap().clone());
        t.sim().call(Method::POST, "/__sim/behaviour", b).await;
        A { t }
    }

    /// A connected public account: (open_id, account id).
    pub async fn account(&self, name: &str) -> (String, i64) {
        self.t.account(name).await
    }

    /// Publishes a post of the clip now and waits until it is published; its id.
    pub async fn publish(&self, account_id: i64, caption: &str, privacy: &str) -> i64 {
        let id = self.t.draft_as(account_id, caption, privacy).await;
        self.t.h.engine.start_background();
        self.t.publish_now(id).await;
        self.t.wait_status(id, PostStatus::Published, 30).await;
        id
    }

    /// Moves both clocks by `secs` with the app running, then runs a sampler pass.
    pub async fn advance(&self, secs: u64) {
        self.t.h.engine.clock().advance(Duration::from_secs(secs));
        self.t.h.sim.advance_clock(secs);
        self.pass().await;
    }

    pub async fn pass(&self) {
        self.t.h.engine.sample_analytics_now().await.unwrap();
    }

    pub async fn perf(&self, post_id: i64) -> PostPerformance {
        self.t
            .h
            .engine
            .post_performance(post_id)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("post {post_id} has no analytics row"))
    }

    /// Every row of an account (posts and imported videos), most viewed first.
    pub async fn rows(&self, account_id: i64) -> Vec<PostPerformance> {
        self.t
            .h
            .engine
            .top_posts(&TopPostsQuery {
                account_id: Some(account_id),
                limit: Some(200),
                ..Default::default()
            })
            .await
            .unwrap()
    }

    /// The simulator's videos of an account: (id, title, public).
    pub async fn sim_videos(&self, open_id: &str) -> Vec<(String, String, bool)> {
        let accounts = self
            .t
            .sim()
            .call(Method::GET, "/__sim/accounts", Value::Null)
            .await;
        accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["open_id"] == open_id)
            .unwrap()["videos"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["id"].as_u64().unwrap().to_string(),
                    v["title"].as_str().unwrap().to_owned(),
                    v["public"].as_bool().unwrap(),
                )
            })
            .collect()
    }

    pub async fn requests(&self, endpoint: &str) -> u64 {
        self.t.sim().requests(endpoint).await
    }
}
