//! The app's Direct Post audit against the in-process simulator: what the creator says about
//! their own app is stored and used, the simulator's app is asked (and switched) in simulator
//! mode, and a wider audience than "Only me" published by an app that is not audited is never
//! reported as that audience — TikTok may have stored it as "Only me" (the "downgrade"
//! reading), and its status answer does not carry the privacy.

mod common;
mod media_common;

use std::time::Duration;

use serde_json::json;
use tokdeck_core::events::EngineEvent;
use tokdeck_core::ipc::TiktokMode;
use tokdeck_core::posts::PostStatus;
use tokdeck_core::tiktok_config::{DirectPostAudit, TiktokConfigPatch, TiktokEndpoints};
use tokdeck_core::Engine;
use tokio::sync::broadcast::Receiver;

use common::publish::{published_notification, Publishing as T};

/// The engine in simulator mode (no client key; demo mode).
async fn simulator_mode() -> T {
    T::start(media_common::h264).await
}

/// The engine with the creator's own app (a client key), whose TikTok is the simulator.
async fn own_app() -> T {
    let t = T::start_with(media_common::h264, |mut c| {
        c.endpoints = TiktokEndpoints::server(&c.simulator_url.clone().unwrap());
        c.simulator_url = None;
        c
    })
    .await;
    let cfg =
        t.h.engine
            .update_tiktok_config(&TiktokConfigPatch {
                client_key: Some("sim_client_key".into()),
                client_secret: Some("sim_client_secret".into()),
                ..Default::default()
            })
            .await
            .unwrap();
    assert_eq!(cfg.mode, TiktokMode::Tiktok);
    t
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

    async fn publish(&self, account_id: i64, caption: &str, privacy: &str) -> i64 {
        let id = self.draft_as(account_id, caption, privacy).await;
        self.publish_now(id).await;
        wait_published(&self.h.engine, id).await;
        id
    }

    async fn sim_privacy(&self, open_id: &str, caption: &str) -> String {
        let posts = self.sim_posts().await;
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
        let job = self.job(id).await;
        let history = self.h.engine.publish_history(id).await.unwrap();
        let last = history.last().expect("history");
        assert_eq!(last.state, "published", "{history:#?}");
        (
            job.error_message,
            last.error.clone(),
            published_notification(events).await,
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
    assert!(t.sim().audited().await);
    t.sim().unaudited("downgrade").await;

    let (open_id, a) = t
        .account_with("private_dana", json!({"private": true}))
        .await;
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
    t.sim().set_audited(false).await;
    assert_eq!(
        t.h.engine.tiktok_config().await.unwrap().direct_post_audit,
        DirectPostAudit::NotAudited
    );
    t.sim().set_audited(true).await;

    // The setting switches the simulator's app.
    assert_eq!(
        t.set_audit(DirectPostAudit::NotAudited).await,
        DirectPostAudit::NotAudited
    );
    assert!(!t.sim().audited().await);
    let err =
        t.h.engine
            .update_tiktok_config(&TiktokConfigPatch {
                direct_post_audit: Some(DirectPostAudit::Unknown),
                ..Default::default()
            })
            .await
            .unwrap_err();
    assert!(err.to_string().contains("audited"), "{err}");
    assert!(!t.sim().audited().await);

    t.sim().unaudited_reading("downgrade").await;
    let (open_id, a) = t
        .account_with("private_eve", json!({"private": true}))
        .await;
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
    assert!(t.sim().audited().await);
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
