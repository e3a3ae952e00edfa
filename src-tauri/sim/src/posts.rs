//! Publishes received by the simulator and how their status evolves over (simulated) time.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::accounts::{self, Account};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Direct,
    Inbox,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    ProcessingUpload,
    SendToUserInbox,
    PublishComplete,
    Failed,
}

/// How a publish is doomed to end, decided by an injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Doom {
    FailReason(String),
    AuthRemoved,
    /// Processing never ends.
    Stall,
}

/// Incremental SHA-256 (ring: its assembly stays fast even in unoptimised builds).
#[derive(Clone)]
pub struct RunningSha256(ring::digest::Context);

impl RunningSha256 {
    pub fn new() -> Self {
        Self(ring::digest::Context::new(&ring::digest::SHA256))
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    pub fn hex(&self) -> String {
        hex::encode(self.0.clone().finish().as_ref())
    }
}

impl Default for RunningSha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for RunningSha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunningSha256")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Upload {
    pub upload_id: String,
    pub token: String,
    pub expires_ms: u64,
    pub force_expired: bool,
    /// Bytes confirmed so far (sum of accepted chunks).
    pub offset: u64,
    /// Running SHA-256 of the confirmed bytes (not saved: an unfinished upload does not
    /// survive a restart, see `persist.rs`).
    #[serde(skip)]
    pub hasher: RunningSha256,
    /// A PUT is streaming; a concurrent PUT is answered 416 (uploads are sequential).
    #[serde(skip)]
    pub busy: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Post {
    pub publish_id: String,
    pub open_id: String,
    pub mode: Mode,
    pub post_info: Value,
    pub source_info: Value,
    /// Effective privacy (after a possible unaudited downgrade); direct posts only.
    pub privacy: Option<String>,
    pub created_ms: u64,
    pub video_size: u64,
    pub chunk_size: u64,
    pub total_chunks: u64,
    pub upload: Upload,
    pub sha256: Option<String>,
    /// When processing ends (set by the final chunk).
    pub ready_ms: Option<u64>,
    pub status: Status,
    pub fail_reason: Option<String>,
    pub post_ids: Vec<u64>,
    pub doom: Option<Doom>,
    /// Status fetches answered since PUBLISH_COMPLETE (the moderation delay counts them).
    pub polls_since_complete: u32,
}

#[derive(Serialize)]
pub struct PostView {
    pub publish_id: String,
    pub open_id: String,
    pub mode: Mode,
    pub post_info: Value,
    pub source_info: Value,
    pub status: Status,
    pub fail_reason: Option<String>,
    pub uploaded_bytes: u64,
    pub video_size: u64,
    pub sha256: Option<String>,
    pub post_ids: Vec<String>,
    pub created_at: u64,
}

impl Post {
    pub fn view(&self) -> PostView {
        PostView {
            publish_id: self.publish_id.clone(),
            open_id: self.open_id.clone(),
            mode: self.mode,
            post_info: self.post_info.clone(),
            source_info: self.source_info.clone(),
            status: self.status,
            fail_reason: self.fail_reason.clone(),
            uploaded_bytes: self.upload.offset,
            video_size: self.video_size,
            sha256: self.sha256.clone(),
            post_ids: self.post_ids.iter().map(|i| i.to_string()).collect(),
            created_at: self.created_ms / 1000,
        }
    }

    pub fn in_flight(&self) -> bool {
        self.status == Status::ProcessingUpload
    }

    fn fail(&mut self, reason: &str) {
        self.status = Status::Failed;
        self.fail_reason = Some(reason.to_string());
    }
}

/// Moves every publish whose time has come to its final (or inbox) state. Called lazily by
/// anything that reads posts, so a clock jump takes effect without a background task.
pub fn settle(posts: &mut [Post], accounts: &mut [Account], now_ms: u64) {
    for post in posts.iter_mut().filter(|p| p.in_flight()) {
        let Some(acc) = accounts.iter_mut().find(|a| a.open_id == post.open_id) else {
            continue;
        };
        if acc.revoked_at.is_some_and(|t| t >= post.created_ms) {
            post.fail("auth_removed");
            continue;
        }
        let Some(ready) = post.ready_ms else { continue };
        if now_ms < ready {
            continue;
        }
        match post.doom.clone() {
            Some(Doom::FailReason(r)) => post.fail(&r),
            Some(Doom::AuthRemoved) => post.fail("auth_removed"),
            Some(Doom::Stall) => {}
            None if post.mode == Mode::Inbox => post.status = Status::SendToUserInbox,
            None => {
                post.status = Status::PublishComplete;
                let public = post.privacy.as_deref() == Some("PUBLIC_TO_EVERYONE");
                let title = post.post_info["title"].as_str().unwrap_or("").to_string();
                let v = accounts::video(ready / 1000, &title, public);
                if public {
                    post.post_ids.push(v.id);
                }
                acc.videos.push(v);
            }
        }
    }
}
