//! The `Publisher` service: what it holds and is built from. Its operations live next to the
//! step they belong to (`run`, `check`, `init`, `upload`, `poll`, `actions`, `scheduler`, …).

use std::sync::{Arc, Weak};

use super::running::Running;
use crate::accounts::tokens::Tokens;
use crate::ctx::Ctx;
use crate::error::CoreResult;
use crate::posts::service::Posts;
use crate::posts::status::PostMode;
use crate::settings_service::SettingsService;
use crate::tiktok_app::TiktokApp;

/// The publisher service: runs each post's persisted state machine, the scheduler's passes
/// that start them, and the creator's actions on a publish.
pub struct Publisher {
    pub(super) ctx: Ctx,
    pub(super) tiktok_app: Arc<TiktokApp>,
    pub(super) tokens: Arc<Tokens>,
    pub(super) settings: Arc<SettingsService>,
    pub(super) posts: Arc<Posts>,
    pub(super) running: std::sync::Mutex<Running>,
    /// Itself, for the publish tasks it starts (a run that hands its slot on starts the next).
    pub(super) me: Weak<Publisher>,
}

impl Publisher {
    pub fn new(
        ctx: Ctx,
        tiktok_app: Arc<TiktokApp>,
        tokens: Arc<Tokens>,
        settings: Arc<SettingsService>,
        posts: Arc<Posts>,
    ) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            ctx,
            tiktok_app,
            tokens,
            settings,
            posts,
            running: std::sync::Mutex::new(Default::default()),
            me: me.clone(),
        })
    }

    /// Why the account cannot be posted to in `mode` (a scope it did not grant), if so.
    pub(super) async fn missing_scope(
        &self,
        account_id: i64,
        mode: PostMode,
    ) -> CoreResult<Option<String>> {
        let row = crate::accounts::get_live(self.ctx.pool(), account_id).await?;
        Ok(crate::compose::missing_scope_message(&row, mode))
    }

    /// Bytes of `post_id`'s upload that went out so far in this process (at least what TikTok
    /// confirmed), while it uploads; `None` when it is not uploading here.
    pub fn bytes_sent(&self, post_id: i64) -> Option<u64> {
        self.running
            .lock()
            .expect("running")
            .sent
            .get(&post_id)
            .copied()
    }
}
