//! Step `uploading`: resumes from the offset TikTok confirmed, persisting progress per chunk
//! and telling the bytes sent in between.

use std::path::PathBuf;
use std::sync::Arc;

use tiktok_api::{ErrorClass, PublishState, UploadUrl};

use crate::db::publish_jobs as db;
use crate::error::{CoreError, CoreResult};
use crate::events::EngineEvent;
use crate::posts::PostDto;

use super::notify::{taken, user_action_text, EXPIRED_URL_MESSAGE};
use super::state::{
    last_chunk_in_flight, upload_url_entry, upload_url_live, Change, PublishJob, PublishStep,
    RunEnd, PROCESSING_DEADLINE_MS,
};
use super::Publisher;

/// What the upload tells the writer task.
enum Progress {
    /// TikTok answered a chunk: persisted, it is where a resume starts.
    Confirmed(tiktok_api::UploadProgress),
    /// Bytes on their way, TikTok's answer not in yet: only told to the window.
    Sent(tiktok_api::SentProgress),
}

impl Progress {
    fn total(&self) -> u64 {
        match self {
            Progress::Confirmed(c) => c.total_bytes,
            Progress::Sent(s) => s.total_bytes,
        }
    }
}

impl Publisher {
    /// uploading: resume from the offset TikTok confirmed, with a still-valid URL.
    pub(super) async fn step_upload(
        self: &Arc<Self>,
        job: &mut PublishJob,
        post: &PostDto,
    ) -> CoreResult<Option<RunEnd>> {
        let now = self.ctx.clock().now_ms();
        let url = match self.ctx.secrets().get(&upload_url_entry(job.post_id)).await {
            Ok(u) => u,
            Err(e) => {
                let e = CoreError::from(e);
                return self
                    .keychain_wait(job, post, &e, Change::default())
                    .await
                    .map(Some);
            }
        };
        let expired = !upload_url_live(job, now);
        let (Some(url), false) = (url, expired) else {
            return self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "upload_url_expired",
                    EXPIRED_URL_MESSAGE.to_owned(),
                    Change::unknown_outcome(None),
                )
                .await
                .map(Some);
        };
        let url = UploadUrl::parse(url.expose()).map_err(CoreError::from)?;
        let plan = tiktok_api::ChunkPlan::from_parts(
            job.video_size.unwrap_or_default() as u64,
            job.chunk_size.unwrap_or_default() as u64,
        )
        .map_err(CoreError::from)?;
        let client = self.tiktok_app.current().await?.client.clone();
        // TikTok's confirmed count is persisted (the resume point) by a writer task as each
        // chunk is answered (the client's callbacks are synchronous); bytes merely sent are only
        // told, so a 64 MB chunk moves the bar without a database write per step.
        // What an earlier, interrupted run of this upload had sent is not sent now.
        self.running
            .lock()
            .expect("running")
            .sent
            .remove(&job.post_id);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Progress>();
        let publisher = self.clone();
        let (post_id, account_id) = (job.post_id, job.account_id);
        let mut confirmed = job.confirmed_bytes.max(0) as u64;
        let writer = tokio::spawn(async move {
            while let Some(p) = rx.recv().await {
                let sent = match p {
                    Progress::Confirmed(c) => {
                        confirmed = c.confirmed_bytes;
                        let _ = db::save_progress(
                            publisher.ctx.pool(),
                            post_id,
                            c.confirmed_bytes as i64,
                            publisher.ctx.clock().now_ms(),
                        )
                        .await;
                        c.confirmed_bytes
                    }
                    Progress::Sent(s) => s.sent_bytes,
                };
                publisher
                    .running
                    .lock()
                    .expect("running")
                    .sent
                    .insert(post_id, sent.max(confirmed));
                publisher.ctx.events().emit(EngineEvent::PublishProgress {
                    post_id,
                    account_id,
                    state: PublishStep::Uploading,
                    bytes_confirmed: confirmed,
                    bytes_sent: sent.max(confirmed),
                    bytes_total: p.total(),
                });
            }
        });
        let path = PathBuf::from(&post.media_path);
        let sent_tx = tx.clone();
        let res = client
            .resume_upload_observed(
                &url,
                &plan,
                &path,
                job.confirmed_bytes as u64,
                move |p| {
                    let _ = tx.send(Progress::Confirmed(p));
                },
                move |s| {
                    let _ = sent_tx.send(Progress::Sent(s));
                },
            )
            .await;
        let _ = writer.await;
        self.running
            .lock()
            .expect("running")
            .sent
            .remove(&job.post_id);
        let confirmed = db::confirmed_bytes(self.ctx.pool(), job.post_id)
            .await?
            .ok_or_else(taken)?;
        job.confirmed_bytes = confirmed;
        match res {
            Ok(out) if out.complete => {
                self.set_state(
                    job,
                    PublishStep::Processing,
                    Change {
                        confirmed_bytes: Some(out.confirmed_bytes as i64),
                        attempts: Some(0),
                        error: Some(None),
                        processing_deadline_at: Some(Some(
                            self.ctx.clock().now_ms() + PROCESSING_DEADLINE_MS,
                        )),
                        ..Default::default()
                    },
                )
                .await?;
                let _ = self
                    .ctx
                    .secrets()
                    .delete(&upload_url_entry(job.post_id))
                    .await;
                Ok(None)
            }
            Ok(_) => {
                let e = CoreError::Internal("the upload stopped before the last chunk".into());
                self.upload_failed(job, post, &e).await
            }
            Err(e) if e.needs_new_init() => self
                .end_with(
                    job,
                    post,
                    PublishStep::NeedsAttention,
                    "upload_url_expired",
                    EXPIRED_URL_MESSAGE.to_owned(),
                    Change::unknown_outcome(e.log_id()),
                )
                .await
                .map(Some),
            Err(e) => {
                let class = e.class();
                let err = CoreError::from(e);
                let log_id = err.tiktok_log_id();
                match class {
                    ErrorClass::RetryLater => self.upload_failed(job, post, &err).await,
                    ErrorClass::UserMustAct(_) => {
                        let (_, msg) = user_action_text(class, &err.user_message());
                        self.end_with(
                            job,
                            post,
                            PublishStep::NeedsAttention,
                            "local_file",
                            msg,
                            Change::logged(log_id),
                        )
                        .await
                        .map(Some)
                    }
                    _ => self
                        .end_with(
                            job,
                            post,
                            PublishStep::NeedsAttention,
                            "upload_failed",
                            format!("{} Check TikTok before retrying.", err.user_message()),
                            Change::unknown_outcome(log_id),
                        )
                        .await
                        .map(Some),
                }
            }
        }
    }

    /// A chunk re-send failed for good (TikTok or the network). If the last chunk was in
    /// flight, every byte may be at TikTok already and a new init could post twice: TikTok is
    /// asked first. Otherwise the upload is tried again later.
    pub(super) async fn upload_failed(
        &self,
        job: &mut PublishJob,
        post: &PostDto,
        err: &CoreError,
    ) -> CoreResult<Option<RunEnd>> {
        let size = job.video_size.unwrap_or(0);
        if !last_chunk_in_flight(job) {
            return self
                .retry_or_fail(job, post, PublishStep::Uploading, err)
                .await
                .map(Some);
        }
        let pid = job.publish_id.clone().unwrap_or_default();
        match self.fetch_status_once(post.account_id, &pid).await {
            Ok(st) => match st.status {
                PublishState::PublishComplete | PublishState::SendToUserInbox => {
                    self.finish_published(job, post, &st).await.map(Some)
                }
                PublishState::Failed => self.tiktok_failed(job, post, &st).await.map(Some),
                _ if st.uploaded_bytes.unwrap_or(0) as i64 >= size => {
                    self.set_state(
                        job,
                        PublishStep::Processing,
                        Change {
                            confirmed_bytes: Some(size),
                            attempts: Some(0),
                            error: Some(None),
                            processing_deadline_at: Some(Some(
                                self.ctx.clock().now_ms() + PROCESSING_DEADLINE_MS,
                            )),
                            ..Default::default()
                        },
                    )
                    .await?;
                    let _ = self
                        .ctx
                        .secrets()
                        .delete(&upload_url_entry(job.post_id))
                        .await;
                    Ok(None)
                }
                // TikTok lacks bytes: sending them again cannot duplicate the post.
                _ => self
                    .retry_or_fail(job, post, PublishStep::Uploading, err)
                    .await
                    .map(Some),
            },
            Err(e) => {
                tracing::warn!(post_id = job.post_id, error = %e, "no status after the last chunk failed");
                self.no_status_answer(job, post, e).await.map(Some)
            }
        }
    }
}
