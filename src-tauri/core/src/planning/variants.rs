//! One video to several accounts as per-account variants: a draft per account from one post's
//! file and fields, privacy and interactions kept only where that account's creator_info
//! allows them (otherwise left for the creator to choose: no default), a suggested time
//! staggered per account, and the duplicate-content warning (TikTok treats identical
//! re-uploads on several accounts as non-original content).

use super::dto::VariantOutcome;
use super::service::{Planning, RulesSource};
use crate::accounts::dto::display;
use crate::clock::rfc3339;
use crate::db;
use crate::error::CoreResult;
use crate::posts::dto::{ComposeInput, CreatorRules};
use crate::posts::status::{PostMode, PostStatus};

impl Planning {
    /// Warnings when this post's video content is already scheduled or published on another
    /// account (by content fingerprint: size and both hashes).
    pub async fn duplicate_content(&self, post_id: i64) -> CoreResult<Vec<String>> {
        let pool = self.ctx.pool();
        let row = db::posts::load(pool, post_id).await?;
        let same = db::posts::planning::same_content(
            pool,
            row.media_size,
            &row.media_head_sha256,
            &row.media_tail_sha256,
            row.account_id,
        )
        .await?;
        let mut out = Vec::new();
        for (_, account, status, at) in same {
            let who = db::accounts::get(pool, account)
                .await?
                .map(|a| display(&a))
                .unwrap_or_else(|| "another account".to_owned());
            let when = match (PostStatus::parse(&status), at) {
                (PostStatus::Published, _) => "already published".to_owned(),
                (_, Some(at)) => format!("scheduled for {}", rfc3339(at)),
                _ => "scheduled".to_owned(),
            };
            out.push(format!(
                "The same video is {when} on {who}. TikTok treats identical uploads on several accounts as unoriginal content and may limit their reach; consider a different edit."
            ));
        }
        Ok(out)
    }

    /// A draft per account from `post_id`'s file and fields (its own account skipped).
    pub async fn create_variants(
        &self,
        post_id: i64,
        account_ids: &[i64],
        source: RulesSource<'_>,
    ) -> CoreResult<Vec<VariantOutcome>> {
        let pool = self.ctx.pool();
        let row = db::posts::load(pool, post_id).await?;
        let stagger_ms = i64::from(self.settings().await?.stagger_minutes) * 60_000;
        let content = row.content();
        let mut out = Vec::new();
        let mut k = 0i64;
        for &account_id in account_ids {
            if account_id == row.account_id {
                continue;
            }
            k += 1;
            let mut v = VariantOutcome {
                account_id,
                post: None,
                suggested_at: row.scheduled_at.map(|at| rfc3339(at + k * stagger_ms)),
                notes: Vec::new(),
                warnings: Vec::new(),
                error: None,
            };
            let rules: Result<CreatorRules, String> = match source {
                RulesSource::Given(map) => map
                    .get(&account_id)
                    .cloned()
                    .ok_or_else(|| "This account's TikTok settings are not known.".to_owned()),
                RulesSource::Fresh => self
                    .compose
                    .posting_rules(account_id, content.mode)
                    .await
                    .map_err(|e| e.user_message()),
            };
            let rules = match rules {
                Ok(r) => r,
                Err(e) => {
                    v.error = Some(e);
                    out.push(v);
                    continue;
                }
            };
            let who = if rules.nickname.is_empty() {
                "This account".to_owned()
            } else {
                rules.nickname.clone()
            };
            let mut input = ComposeInput {
                account_id,
                media_path: row.media_path.clone(),
                caption: content.caption.clone(),
                privacy_level: content.privacy_level.clone(),
                allow_comment: content.allow_comment,
                allow_duet: content.allow_duet,
                allow_stitch: content.allow_stitch,
                commercial: content.commercial,
                is_aigc: content.is_aigc,
                cover_timestamp_ms: content.cover_timestamp_ms,
                mode: content.mode,
            };
            if content.mode == PostMode::Direct {
                if let Some(p) = &input.privacy_level {
                    if !rules.privacy_level_options.iter().any(|o| o == p) {
                        v.notes.push(format!(
                            "{who} does not offer the same audience: choose who can see this copy."
                        ));
                        input.privacy_level = None;
                    }
                }
                for (on, disabled, what) in [
                    (&mut input.allow_comment, rules.comment_disabled, "comments"),
                    (&mut input.allow_duet, rules.duet_disabled, "duets"),
                    (&mut input.allow_stitch, rules.stitch_disabled, "stitches"),
                ] {
                    if *on && disabled {
                        *on = false;
                        v.notes
                            .push(format!("{who} has turned {what} off on TikTok."));
                    }
                }
            }
            match self.posts.create_draft(&input, Some(&rules)).await {
                Ok(p) => {
                    v.warnings = self.duplicate_content(p.id).await?;
                    v.post = Some(p);
                }
                Err(e) => v.error = Some(e.user_message()),
            }
            out.push(v);
        }
        Ok(out)
    }
}
