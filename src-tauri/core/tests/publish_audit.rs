//! The app's Direct Post audit against the in-process simulator: what the creator says about
//! their own app is stored and used, the simulator's app is asked (and switched) in simulator
//! mode, and a wider audience than "Only me" published by an app that is not audited is never
//! reported as that audience — TikTok may have stored it as "Only me" (the "downgrade"
//! reading), and its status answer does not carry the privacy.

mod common;
mod media_common;

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use tokdeck_core::events::{EngineEvent, NotificationKind};
use tokdeck_core::ipc::TiktokMode;
use tokdeck_core::posts::{ComposeInput, PostMode, PostStatus, When};
use tokdeck_core::tiktok_config::{DirectPostAudit, TiktokConfigPatch, TiktokEndpoints};
use tokdeck_core::Engine;
use tokdeck_sim::SimOptions;
use tokio::sync::broadcast::Receiver;

struct T {
    h: common::H,
    video: PathBuf,
}

fn fast() -> SimOptions {
    SimOptions {
        fast: true,
        ..Default::default()
    }
}

/// The engine in simulator mode (no client key; demo mode).
async fn simulator_mode() -> T {
    let h = common::start_opts(fast(), |c| c).await;
    let video = media_common::h264(h.dir.path(), "clip.mp4", 1.0);
    T { h, video }
}

/// The engine with the creator's own app (a client key), whose TikTok is the simulator.
async fn own_app() -> T {
    let h = common::start_opts(fast(), |mut c| {
        c.endpoints = TiktokEndpoints::server(&c.simulator_url.clone().unwrap());
        c.simulator_url = None;
        c
    })
    .await;
    let cfg = h
        .engine
        .update_tiktok_config(&TiktokConfigPatch {
            client_key: Some("sim_client_key".into()),
            client_secret: Some("sim_client_secret".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(cfg.mode, TiktokMode::Tiktok);
    let video = media_common::h264(h.dir.path(), "clip.mp4", 1.0);
    T { h, video }
}

impl T {
    async fn set_audit(&self, audit: DirectPostAudit) -> DirectPostAudit {
        self.h
            .engine
            .update_tiktok_config(&TiktokConfigPatch {
                direct_post_audit: Some(audit),
                ..Default::default()
            })
            .await
            .unwrap()
            .direct_post_audit
    }

    async fn sim_audited(&self) -> bool {
        let app = self.h.ctl(Method::GET, "/__sim/app", Value::Null).await;
        app["audited"].as_bool().expect("audited flag")
    }

    /// Plays TikTok for an app that is not audited, in the reading where a wider audience is
    /// accepted and stored as "Only me".
    async fn sim_unaudited_downgrading(&self) {
        self.h
            .ctl(Method::PATCH, "/__sim/app", json!({"audited": false}))
            .await;
        self.downgrading().await;
    }

    async fn downgrading(&self) {
        self.h
            .ctl(
                Method::POST,
                "/__sim/behaviour",
                json!({"unaudited_non_self_only": "downgrade"}),
            )
            .await;
    }

    async fn private_account(&self, name: &str) -> (String, i64) {
        let open_id = self.h.sim_account(name, 10).await;
        self.h
            .ctl(
                Method::PATCH,
                &format!("/__sim/accounts/{open_id}"),
                json!({"private": true}),
            )
            .await;
        (open_id.clone(), self.h.connect(&open_id).await.id)
    }

    async fn publish(&self, account_id: i64, caption: &str, privacy: &str) -> i64 {
        let rules = self.h.engine.creator_rules(account_id).await.unwrap();
        let id = self
            .h
            .engine
            .create_draft(
                &ComposeInput {
                    account_id,
                    media_path: self.video.to_string_lossy().into_owned(),
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
            .id;
        self.h
            .engine
            .schedule_post_fresh(id, &When::Now)
            .await
            .unwrap();
        wait_published(&self.h.engine, id).await;
        id
    }

    async fn sim_privacy(&self, open_id: &str, caption: &str) -> String {
        let Value::Array(posts) = self.h.ctl(Method::GET, "/__sim/posts", Value::Null).await else {
            panic!("/__sim/posts is not a list")
        };
        let mine: Vec<_> = posts
            .iter()
            .filter(|p| p["open_id"] == open_id && p["post_info"]["title"] == caption)
            .collect();
        assert_eq!(mine.len(), 1, "{posts:#?}");
        mine[0]["post_info"]["privacy_level"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The job's message, the last history line's text and the published notification's body.
    async fn published_texts(
        &self,
        id: i64,
        events: &mut Receiver<EngineEvent>,
    ) -> (Option<String>, Option<String>, String) {
        let job = self.h.engine.publish_job(id).await.unwrap().expect("job");
        let history = self.h.engine.publish_history(id).await.unwrap();
        let last = history.last().expect("history");
        assert_eq!(last.state, "published", "{history:#?}");
        let mut body = None;
        while let Ok(e) = events.try_recv() {
            if let EngineEvent::Notify {
                notification: NotificationKind::Published,
                body: b,
                ..
            } = e
            {
                body = Some(b);
            }
        }
        (
            job.error_message,
            last.error.clone(),
            body.expect("a published notification"),
        )
    }
}

async fn wait_published(engine: &Engine, id: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let post = engine.post(id).await.unwrap();
        if post.status == PostStatus::Published {
            return;
        }
        if tokio::time::Instant::now() > deadline || post.status == PostStatus::Failed {
            let job = engine.publish_job(id).await.unwrap();
            panic!(
                "post {id} is {:?}, not published; job {job:#?}",
                post.status
            );
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

/// The published texts tell the truth: "Only me" is possible, the audience asked for is not
/// claimed.
fn assert_says_maybe_only_me(what: &str, text: &str) {
    assert!(text.contains("\"Only me\""), "{what}: {text}");
    assert!(text.contains("not audited"), "{what}: {text}");
    let lower = text.to_lowercase();
    assert!(
        !lower.contains("follower") && !lower.contains("everyone") && !lower.contains("public"),
        "{what} claims an audience TikTok may not have applied: {text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_own_app_marked_not_audited_never_reports_a_downgraded_audience_as_asked() {
    let t = own_app().await;
    // A real app's audit is unknown until the creator says.
    let cfg = t.h.engine.tiktok_config().await.unwrap();
    assert_eq!(cfg.direct_post_audit, DirectPostAudit::Unknown);
    assert_eq!(
        t.set_audit(DirectPostAudit::NotAudited).await,
        DirectPostAudit::NotAudited
    );
    // Stored for the creator's app: the simulator's own flag is not touched by the setting.
    assert!(t.sim_audited().await);
    t.sim_unaudited_downgrading().await;

    let (open_id, a) = t.private_account("private_dana").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    let id = t.publish(a, "for my circle", "FOLLOWER_OF_CREATOR").await;
    assert_eq!(t.sim_privacy(&open_id, "for my circle").await, "SELF_ONLY");
    let (job_msg, history, body) = t.published_texts(id, &mut events).await;
    assert_says_maybe_only_me("job message", &job_msg.expect("a job message"));
    assert_says_maybe_only_me("history", &history.expect("a history line text"));
    assert_says_maybe_only_me("notification", &body);

    // "Only me" was asked for: nothing to warn about.
    let id = t.publish(a, "just me", "SELF_ONLY").await;
    let (job_msg, history, body) = t.published_texts(id, &mut events).await;
    assert_eq!((job_msg, history), (None, None));
    assert!(!body.contains("Only me"), "{body}");
    t.h.engine.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_simulator_mode_the_setting_is_the_simulators_app() {
    let t = simulator_mode().await;
    // The in-app simulator's app starts audited, and Tokdeck reports what the simulator says.
    let cfg = t.h.engine.tiktok_config().await.unwrap();
    assert_eq!(cfg.mode, TiktokMode::Simulator);
    assert_eq!(cfg.direct_post_audit, DirectPostAudit::Audited);
    t.h.ctl(Method::PATCH, "/__sim/app", json!({"audited": false}))
        .await;
    assert_eq!(
        t.h.engine.tiktok_config().await.unwrap().direct_post_audit,
        DirectPostAudit::NotAudited
    );
    t.h.ctl(Method::PATCH, "/__sim/app", json!({"audited": true}))
        .await;

    // The setting switches the simulator's app.
    assert_eq!(
        t.set_audit(DirectPostAudit::NotAudited).await,
        DirectPostAudit::NotAudited
    );
    assert!(!t.sim_audited().await);
    let err =
        t.h.engine
            .update_tiktok_config(&TiktokConfigPatch {
                direct_post_audit: Some(DirectPostAudit::Unknown),
                ..Default::default()
            })
            .await
            .unwrap_err();
    assert!(err.to_string().contains("audited"), "{err}");
    assert!(!t.sim_audited().await);

    t.downgrading().await;
    let (open_id, a) = t.private_account("private_eve").await;
    let mut events = t.h.engine.events().subscribe();
    t.h.engine.start_background();
    let id = t.publish(a, "circle one", "FOLLOWER_OF_CREATOR").await;
    assert_eq!(t.sim_privacy(&open_id, "circle one").await, "SELF_ONLY");
    let (job_msg, _, body) = t.published_texts(id, &mut events).await;
    assert_says_maybe_only_me("job message", &job_msg.expect("a job message"));
    assert_says_maybe_only_me("notification", &body);

    // Audited again: TikTok applies the audience and the published texts carry no warning.
    assert_eq!(
        t.set_audit(DirectPostAudit::Audited).await,
        DirectPostAudit::Audited
    );
    assert!(t.sim_audited().await);
    let id = t.publish(a, "circle two", "FOLLOWER_OF_CREATOR").await;
    assert_eq!(
        t.sim_privacy(&open_id, "circle two").await,
        "FOLLOWER_OF_CREATOR"
    );
    let (job_msg, history, body) = t.published_texts(id, &mut events).await;
    assert_eq!((job_msg, history), (None, None));
    assert!(!body.contains("Only me"), "{body}");
    t.h.engine.shutdown().await;
}
