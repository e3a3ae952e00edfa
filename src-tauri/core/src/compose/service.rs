//! The `Compose` service: the operations that need fresh creator_info (through the account's
//! token) before the `Posts` service checks a post against it.

use std::sync::Arc;

use super::dto::{CreatorInfoDto, IngestResult};
use super::ingest;
use super::rules::{
    cannot_post, cannot_post_dto, expand_paths, inbox_rules, missing_scope_message,
    MAX_FILES_PER_DROP,
};
use crate::accounts;
use crate::accounts::tokens::Tokens;
use crate::ctx::Ctx;
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NoticeLevel};
use crate::posts::service::Posts;
use crate::posts::{
    ComposePatch, CreatorRules, PostDto, PostMode, PostStatus, ScheduleOutcome, When,
};

pub struct Compose {
    ctx: Ctx,
    tokens: Arc<Tokens>,
    posts: Arc<Posts>,
}

impl Compose {
    pub fn new(ctx: Ctx, tokens: Arc<Tokens>, posts: Arc<Posts>) -> Self {
        Self { ctx, tokens, posts }
    }

    /// Fresh creator_info for an account, through its token. "Cannot post now" answers become
    /// `canPost: false` with the reason; other failures are errors.
    pub async fn creator_info(&self, account_id: i64) -> CoreResult<CreatorInfoDto> {
        let row = accounts::get_live(self.ctx.pool(), account_id).await?;
        if let Some(reason) = missing_scope_message(&row, PostMode::Direct) {
            // creator_info needs video.publish: asking would only earn scope_not_authorized.
            return Ok(cannot_post_dto(&row, reason));
        }
        let result = self
            .tokens
            .with_token(account_id, |client, token| async move {
                client.creator_info(&token).await
            })
            .await;
        match result {
            Ok(info) => {
                let rules = CreatorRules::from(&info);
                Ok(CreatorInfoDto {
                    account_id,
                    nickname: if rules.nickname.is_empty() {
                        row.display_name.clone()
                    } else {
                        rules.nickname
                    },
                    username: info.creator_username.clone().unwrap_or(row.username),
                    avatar_url: info.creator_avatar_url.clone(),
                    privacy_level_options: rules.privacy_level_options,
                    comment_disabled: rules.comment_disabled,
                    duet_disabled: rules.duet_disabled,
                    stitch_disabled: rules.stitch_disabled,
                    max_video_post_duration_sec: rules.max_video_post_duration_sec,
                    can_post: true,
                    cannot_post_reason: None,
                })
            }
            Err(e) => match cannot_post(&e) {
                Some(reason) => Ok(cannot_post_dto(&row, reason)),
                None => Err(e),
            },
        }
    }

    /// The rules a post in `mode` is checked against: fresh creator_info for Direct Post, the
    /// inbox's own for inbox uploads. A scope the creator did not grant is refused first, with
    /// that as the reason.
    pub async fn posting_rules(&self, account_id: i64, mode: PostMode) -> CoreResult<CreatorRules> {
        let row = accounts::get_live(self.ctx.pool(), account_id).await?;
        if let Some(reason) = missing_scope_message(&row, mode) {
            return Err(CoreError::InvalidInput(reason));
        }
        match mode {
            PostMode::Direct => self.creator_rules(account_id).await,
            PostMode::Inbox => Ok(inbox_rules(&row)),
        }
    }

    /// creator_info as the rules scheduling checks against; an error when TikTok says the
    /// creator cannot post now.
    pub async fn creator_rules(&self, account_id: i64) -> CoreResult<CreatorRules> {
        let info = self.creator_info(account_id).await?;
        if !info.can_post {
            return Err(CoreError::InvalidInput(
                info.cannot_post_reason.unwrap_or_default(),
            ));
        }
        Ok(info.rules())
    }

    /// The account a drop or pick goes to: the one given, else the current account.
    async fn ingest_account(&self, account_id: Option<i64>) -> CoreResult<Option<i64>> {
        match account_id {
            Some(id) => Ok(Some(id)),
            None => crate::db::accounts::current_account_id(self.ctx.pool()).await,
        }
    }

    /// One result per video file (folders walked recursively): facts or a clear error,
    /// violations against the account's duration limit when creator_info can be had, and a
    /// draft for each acceptable file (see `ingest`). The one path for drops and the pickers.
    pub async fn ingest_paths(
        &self,
        paths: &[String],
        account_id: Option<i64>,
    ) -> CoreResult<Vec<IngestResult>> {
        let files = {
            let paths = paths.to_vec();
            tokio::task::spawn_blocking(move || expand_paths(&paths))
                .await
                .map_err(|e| CoreError::Internal(e.to_string()))?
        };
        let account = self.ingest_account(account_id).await?;
        // The duration limit, best effort: without it every other rule is still checked.
        let rules = match account {
            Some(id) if !files.files.is_empty() => match self.creator_info(id).await {
                Ok(info) if info.can_post => Some(info.rules()),
                Ok(_) => None,
                Err(e) => {
                    tracing::info!(account = id, error = %e, "creator_info unavailable for ingest");
                    None
                }
            },
            _ => None,
        };
        let results = ingest::ingest(
            &self.ctx,
            &self.posts,
            files.files,
            ingest::Batch { account, rules },
        )
        .await;
        if files.truncated {
            self.ctx.events().emit(EngineEvent::Notice {
                level: NoticeLevel::Warning,
                message: format!(
                    "Only the first {MAX_FILES_PER_DROP} videos were added: drop the rest in smaller folders."
                ),
            });
        }
        Ok(results)
    }

    /// Edits a post; a scheduled one is checked against the rules of its (new) mode.
    pub async fn update_post_fresh(&self, id: i64, patch: &ComposePatch) -> CoreResult<PostDto> {
        let post = self.posts.post(id).await?;
        let rules = if post.status == PostStatus::Scheduled {
            let mode = patch.mode.unwrap_or(post.mode);
            Some(self.posting_rules(post.account_id, mode).await?)
        } else {
            None
        };
        self.posts.update_post(id, patch, rules.as_ref()).await
    }

    /// Schedules (or publishes now) against fresh creator_info (Direct Post) or the inbox's
    /// rules (inbox upload).
    pub async fn schedule_post_fresh(&self, id: i64, when: &When) -> CoreResult<ScheduleOutcome> {
        let post = self.posts.post(id).await?;
        let rules = self.posting_rules(post.account_id, post.mode).await?;
        self.posts.schedule_post(id, when, &rules).await
    }

    /// Copies a post to other accounts, each checked against its own rules for the post's mode.
    pub async fn duplicate_post_fresh(
        &self,
        id: i64,
        account_ids: &[i64],
    ) -> CoreResult<Vec<ScheduleOutcome>> {
        let post = self.posts.post(id).await?;
        let mut targets = Vec::with_capacity(account_ids.len());
        for &a in account_ids {
            targets.push((a, self.posting_rules(a, post.mode).await?));
        }
        self.posts.duplicate_post(id, &targets).await
    }

    /// Relinks a post's file; a changed file is checked against fresh creator_info when it can
    /// be had (else the limit stored at scheduling).
    pub async fn relink_post_media_fresh(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
    ) -> CoreResult<PostDto> {
        let post = self.posts.post(id).await?;
        let rules = if accept_changed {
            self.posting_rules(post.account_id, post.mode).await.ok()
        } else {
            None
        };
        self.posts
            .relink_post_media(id, new_path, accept_changed, rules.as_ref())
            .await
    }
}
