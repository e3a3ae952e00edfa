//! Step `initializing`: the init request, whose publish id is persisted before anything else.

use tiktok_api::{ErrorClass, PostInfo, PrivacyLevel};

use crate::error::{CoreError, CoreResult};
use crate::posts::{PostDto, PostMode};
use crate::secrets::Secret;

use super::notify::UNAUDITED_AUDIENCE_MESSAGE;
use super::state::{upload_url_entry, Change, PublishJob, PublishStep, RunEnd, UPLOAD_URL_TTL_MS};
use super::Publisher;

impl Publisher {
    /// initializing: the init request (intent already recorded).
    pub(super) async fn step_init(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        let ctx = self.tiktok_app.current().await?;
        let plan = ctx
            .client
            .plan_upload(post.fingerprint.size)
            .map_err(CoreError::from)?;
        let info = post_info(post);
        let mode = post.mode;
        let res = self
            .tokens
            .with_token(post.account_id, |c, t| {
                let info = info.clone();
                async move {
                    match mode {
                        PostMode::Direct => c.init_direct_post(&t, &info, &plan).await,
                        PostMode::Inbox => c.init_inbox(&t, &plan).await,
                    }
                }
            })
            .await;
        let init = match res {
            Ok(i) => i,
            Err(e) => {
                if refuses_offered_audience(&e, post) {
                    return self.fail_unaudited_audience(job, post, &e).await.map(Some);
                }
                // A refused init (a clean TikTok answer) created nothing; a lost answer may have.
                return self.handle_pre_init_error(job, post, e).await.map(Some);
            }
        };
        let now = self.ctx.clock().now_ms();
        // The publish id first: whatever fails next, TikTok can be asked about this publish.
        // Until the upload state is written the outcome counts as unknown.
        self.set_state(
            job,
            PublishStep::Initializing,
            Change {
                publish_id: Some(init.publish_id.0.clone()),
                upload_url_expires_at: Some(now + UPLOAD_URL_TTL_MS),
                plan: Some((
                    plan.video_size() as i64,
                    plan.chunk_size() as i64,
                    plan.total_chunk_count() as i64,
                )),
                confirmed_bytes: Some(0),
                outcome_unknown: Some(true),
                log_id: init.log_id.clone(),
                ..Default::default()
            },
        )
        .await?;
        // The URL is a credential: keychain only, written before the state that needs it.
        if let Err(e) = self
            .ctx
            .secrets()
            .set(
                &upload_url_entry(job.post_id),
                &Secret::new(init.upload_url.secret().as_str()),
            )
            .await
        {
            // No byte was sent: this publish can never become a post, and the next try asks
            // TikTok about it before a new init.
            let e = CoreError::from(e);
            return self
                .keychain_wait(
                    job,
                    post,
                    &e,
                    Change {
                        outcome_unknown: Some(false),
                        ..Default::default()
                    },
                )
                .await
                .map(Some);
        }
        self.set_state(
            job,
            PublishStep::Uploading,
            Change {
                outcome_unknown: Some(false),
                ..Default::default()
            },
        )
        .await?;
        Ok(None)
    }

    /// TikTok refused at init an audience step_check saw offered, so "pick an offered one"
    /// would not help: the app's audit state is the likely cause.
    pub(super) async fn fail_unaudited_audience(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        e: &CoreError,
    ) -> CoreResult<RunEnd> {
        let change = Change::logged(e.tiktok_log_id());
        self.end_with(
            job,
            post,
            PublishStep::Failed,
            "privacy_level_option_mismatch",
            UNAUDITED_AUDIENCE_MESSAGE.to_owned(),
            change,
        )
        .await
    }
}

fn post_info(post: &PostDto) -> PostInfo {
    let mut info = PostInfo::new(PrivacyLevel::from(
        post.privacy_level.as_deref().unwrap_or("SELF_ONLY"),
    ));
    info.title = Some(post.caption.clone()).filter(|c| !c.is_empty());
    info.disable_comment = !post.allow_comment;
    info.disable_duet = !post.allow_duet;
    info.disable_stitch = !post.allow_stitch;
    info.video_cover_timestamp_ms = post.cover_timestamp_ms;
    info.brand_content_toggle = post.commercial.enabled && post.commercial.branded_content;
    info.brand_organic_toggle = post.commercial.enabled && post.commercial.your_brand;
    info.is_aigc = post.is_aigc;
    info
}

fn refuses_offered_audience(e: &CoreError, post: &PostDto) -> bool {
    e.tiktok_class()
        == Some(ErrorClass::UserMustAct(
            tiktok_api::UserAction::PrivacyOptionMismatch,
        ))
        && post.privacy_level.as_deref() != Some("SELF_ONLY")
}
