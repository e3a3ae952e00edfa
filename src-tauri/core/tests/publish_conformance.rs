//! Issue #11 against the strict simulator: a lost chunk answer is settled with well-formed
//! chunks only, upload refusals say what they are, and inbox uploads need only what TikTok's
//! inbox endpoint needs (`video.upload`, no creator_info, no privacy).

mod common;
mod media_common;

use serde_json::json;
use tokdeck_core::accounts::AccountStatus;
use tokdeck_core::posts::{ComposeInput, CreatorRules, PostMode, PostStatus, When};
use tokdeck_core::publisher::PublishStep;

use common::publish::{sha256_file, Publishing as T};

/// Connects a new simulated account that grants only `scopes`; returns (open_id, account id).
async fn account_granting(t: &T, name: &str, scopes: &str) -> (String, i64) {
    let open_id = t.h.sim_account(name, 10).await;
    let (status, page) =
        t.h.browse(&format!("sim_open_id={open_id}&sim_scopes={scopes}"))
            .await;
    assert_eq!(status, 200, "{page}");
    let acc = t.h.find(&open_id).await.expect("account stored");
    assert_eq!(acc.granted_scopes.join(","), scopes);
    (open_id, acc.id)
}

fn inbox_input(t: &T, account_id: i64) -> ComposeInput {
    ComposeInput {
        account_id,
        media_path: t.video.to_string_lossy().into_owned(),
        caption: "to the inbox".into(),
        privacy_level: None,
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Default::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Inbox,
    }
}

/// The chunk is stored but its answer is lost: the engine re-sends the same chunk, TikTok's
/// 416 names its progress, and the post is published once — never a one-byte probe, which a
/// strict TikTok answers 400.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_chunk_answer_is_settled_with_the_same_chunk() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = t.account("lost").await;
    let id = t.draft(a, "lost answer").await;
    t.fault(json!({"endpoint": "upload", "kind": "drop_after"}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_status(id, PostStatus::Published, 20).await;
    // the chunk (answer lost), the same chunk again (416 with the progress)
    assert_eq!(t.h.requests("upload").await, 2);
    let posts = t.sim_posts_of(&open_id).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["sha256"], sha256_file(&t.video));
    t.h.engine.shutdown().await;
}

/// A 4xx from the upload host is about the upload, not the app's credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_refusal_names_the_upload_not_the_settings() {
    let t = T::start(media_common::h264).await;
    let (_, a) = t.account("refused").await;
    let id = t.draft(a, "refused chunk").await;
    t.fault(json!({"endpoint": "upload", "kind": "status", "status": 400}))
        .await;
    t.h.engine.start_background();
    t.publish_now(id).await;
    t.wait_step(id, PublishStep::NeedsAttention, 20).await;
    let msg = t.job(id).await.error_message.unwrap();
    assert!(msg.contains("refused part of the video upload"), "{msg}");
    for wrong in [
        "client key",
        "client secret",
        "redirect URI",
        "Settings → TikTok",
    ] {
        assert!(!msg.contains(wrong), "{wrong} in: {msg}");
    }
    assert!(
        !msg.contains("injected failure"),
        "the body is echoed: {msg}"
    );
    let acc = t.h.engine.get_account(a).await.unwrap();
    assert_eq!(acc.status, AccountStatus::Active);
    t.h.engine.shutdown().await;
}

/// An account that granted `video.upload` but not `video.publish`: inbox uploads are scheduled
/// and sent without creator_info or a privacy level; Direct Post is refused as a missing
/// permission, and the account's sign-in is never flagged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inbox_uploads_need_only_video_upload() {
    let t = T::start(media_common::h264).await;
    let (open_id, a) = account_granting(
        &t,
        "drafty",
        "user.info.basic,user.info.profile,video.upload",
    )
    .await;
    let e = &t.h.engine;

    let rules = e.posting_rules(a, PostMode::Inbox).await.unwrap();
    let draft = e
        .create_draft(&inbox_input(&t, a), Some(&rules))
        .await
        .unwrap();
    e.schedule_post_fresh(draft.id, &When::Now).await.unwrap();
    e.start_background();
    t.wait_status(draft.id, PostStatus::Published, 20).await;
    assert_eq!(t.h.requests("creator_info").await, 0);
    assert_eq!(t.h.requests("inbox_init").await, 1);
    let posts = t.sim_posts_of(&open_id).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["mode"], "inbox");
    assert_eq!(posts[0]["status"], "SEND_TO_USER_INBOX");

    // Direct Post needs video.publish: refused as that, with the account's handle.
    let info = e.creator_info(a).await.unwrap();
    assert!(!info.can_post);
    let why =
        "@drafty did not allow posting directly — reconnect and allow it, or send to the inbox.";
    assert_eq!(info.cannot_post_reason.as_deref(), Some(why));
    let mut direct = inbox_input(&t, a);
    direct.mode = PostMode::Direct;
    direct.privacy_level = Some("SELF_ONLY".into());
    let d = e.create_draft(&direct, None).await.unwrap();
    let err = e.schedule_post_fresh(d.id, &When::Now).await.unwrap_err();
    assert_eq!(err.user_message(), why);
    // Never asked TikTok (it would answer scope_not_authorized), never a dead sign-in.
    assert_eq!(t.h.requests("creator_info").await, 0);
    assert_eq!(t.h.requests("video_init").await, 0);
    let acc = e.get_account(a).await.unwrap();
    assert_eq!(acc.status, AccountStatus::Active, "{acc:#?}");
    assert!(!acc.needs_reconnect);
    e.shutdown().await;
}

/// TikTok answering scope_not_authorized (the stored grant said otherwise) fails the post with
/// a permission message and leaves the sign-in alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_not_authorized_is_not_a_dead_sign_in() {
    let t = T::start(media_common::h264).await;
    let granted = "user.info.basic,user.info.profile,video.upload";
    let (_, a) = account_granting(&t, "scoped", granted).await;
    // Tokdeck believes video.publish was granted; TikTok's token says otherwise.
    sqlx::query("UPDATE accounts SET granted_scopes = ? WHERE id = ?")
        .bind(format!("{granted},video.publish"))
        .bind(a)
        .execute(t.h.engine.store().pool())
        .await
        .unwrap();
    let err = t.h.engine.creator_info(a).await.unwrap_err();
    assert!(err.user_message().contains("permission"), "{err}");
    let acc = t.h.engine.get_account(a).await.unwrap();
    assert_eq!(acc.status, AccountStatus::Active, "{acc:#?}");

    let id = t.draft_as_unchecked(a).await;
    t.h.engine.start_background();
    t.h.engine
        .schedule_post(id, &When::Now, &public_rules())
        .await
        .unwrap();
    t.wait_status(id, PostStatus::Failed, 20).await;
    let msg = t.job(id).await.error_message.unwrap();
    assert!(msg.contains("permission"), "{msg}");
    assert!(!msg.contains("sign-in"), "{msg}");
    assert_eq!(t.h.requests("video_init").await, 0);
    let acc = t.h.engine.get_account(a).await.unwrap();
    assert_eq!(acc.status, AccountStatus::Active, "{acc:#?}");
    t.h.engine.shutdown().await;
}

fn public_rules() -> CreatorRules {
    CreatorRules {
        nickname: "scoped TV".into(),
        privacy_level_options: vec!["SELF_ONLY".into()],
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: Some(600),
    }
}

impl T {
    /// A direct post to "Only me" created without asking TikTok.
    async fn draft_as_unchecked(&self, account_id: i64) -> i64 {
        let mut input = inbox_input(self, account_id);
        input.mode = PostMode::Direct;
        input.privacy_level = Some("SELF_ONLY".into());
        self.h.engine.create_draft(&input, None).await.unwrap().id
    }
}
