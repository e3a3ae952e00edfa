//! Many files at once: the videos of a drop or a pick are probed a few at a time (bounded, so a
//! drop of 500 files neither opens 500 files at once nor blocks the runtime), each good one
//! becomes a draft, and the results reach the window in small batches as they arrive
//! (`EngineEvent::IngestProgress`). Thumbnails are made afterwards in the background: ffmpeg is
//! by far the slowest step and the drafts are usable without them.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::dto::IngestResult;
use crate::ctx::Ctx;
use crate::events::EngineEvent;
use crate::media;
use crate::posts::service::Posts;
use crate::posts::{ComposeInput, CreatorRules, PostMode};

/// Files probed and turned into drafts at once. Probing is a few small reads per file; more at
/// once only queues them on the disk and on SQLite's single writer.
pub const PARALLEL: usize = 4;
/// Results are sent to the window at most this often (and once at the end).
const PROGRESS_EVERY: Duration = Duration::from_millis(150);
/// While thumbnails are made in the background, the drafts' views reload at most this often.
const THUMBNAILS_ANNOUNCED_EVERY: Duration = Duration::from_secs(1);

/// What every file of one drop is checked against.
pub struct Batch {
    /// The account the drafts belong to; `None` makes no drafts (each result says why).
    pub account: Option<i64>,
    /// The account's rules when creator_info could be had (the duration limit).
    pub rules: Option<CreatorRules>,
}

/// Probes `files`, makes a draft of each good one, and answers one result per file in the
/// order given. Announces progress while it runs, the new drafts once at the end, and starts
/// their thumbnails in the background.
pub async fn ingest(
    ctx: &Ctx,
    posts: &Arc<Posts>,
    files: Vec<PathBuf>,
    batch: Batch,
) -> Vec<IngestResult> {
    let total = files.len();
    let batch = Arc::new(batch);
    let permits = Arc::new(Semaphore::new(PARALLEL));
    let mut tasks = JoinSet::new();
    let mut index_of = HashMap::with_capacity(total);
    for (i, file) in files.iter().cloned().enumerate() {
        let (posts, batch, permits) = (posts.clone(), batch.clone(), permits.clone());
        let handle = tasks.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = permits.acquire_owned().await.ok();
            one_file(&posts, file, &batch).await
        });
        index_of.insert(handle.id(), i);
    }

    let mut results: Vec<Option<IngestResult>> = vec![None; total];
    let mut unsent = Vec::new();
    let mut done = 0usize;
    let mut last_sent = Instant::now();
    while let Some(joined) = tasks.join_next_with_id().await {
        let (id, result) = match joined {
            Ok((id, r)) => (id, r),
            Err(e) => {
                let id = e.id();
                let path = index_of
                    .get(&id)
                    .map(|&i| files[i].to_string_lossy().into_owned())
                    .unwrap_or_default();
                tracing::error!(error = %e, "an ingest task failed");
                let mut r = blank(path, batch.account);
                r.error = Some("Tokdeck could not check this file (an internal error).".into());
                (id, r)
            }
        };
        done += 1;
        unsent.push(result.clone());
        if let Some(&i) = index_of.get(&id) {
            results[i] = Some(result);
        }
        if done == total || last_sent.elapsed() >= PROGRESS_EVERY {
            ctx.events().emit(EngineEvent::IngestProgress {
                done: done as u32,
                total: total as u32,
                results: std::mem::take(&mut unsent),
            });
            last_sent = Instant::now();
        }
    }
    let results: Vec<IngestResult> = results.into_iter().flatten().collect();
    let drafts: Vec<i64> = results.iter().filter_map(|r| r.draft_id).collect();
    announce(posts, &results);
    if let (Some(account), false) = (batch.account, drafts.is_empty()) {
        tokio::spawn(thumbnails_in_background(
            ctx.clone(),
            posts.clone(),
            account,
            drafts,
        ));
    }
    results
}

fn blank(path: String, account: Option<i64>) -> IngestResult {
    IngestResult {
        path,
        facts: None,
        error: None,
        violations: Vec::new(),
        account_id: account,
        draft_id: None,
    }
}

async fn one_file(posts: &Posts, file: PathBuf, batch: &Batch) -> IngestResult {
    let path_text = file.to_string_lossy().into_owned();
    let mut result = blank(path_text.clone(), batch.account);
    let probed = match tokio::task::spawn_blocking(move || media::probe(&file)).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "probing a dropped file failed");
            result.error = Some("Tokdeck could not read this file.".into());
            return result;
        }
    };
    let facts = match probed {
        Ok(facts) => facts,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let max = batch
        .rules
        .as_ref()
        .and_then(|r| r.max_video_post_duration_sec);
    result.violations = media::validate(&facts, max);
    result.facts = Some(facts);
    if !result.violations.is_empty() {
        return result;
    }
    let Some(account_id) = batch.account else {
        result.error = Some("Connect a TikTok account first: drafts belong to an account.".into());
        return result;
    };
    let input = ComposeInput {
        account_id,
        media_path: path_text,
        caption: String::new(),
        privacy_level: None,
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Default::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    };
    match posts.insert_draft(&input, batch.rules.as_ref()).await {
        Ok(id) => result.draft_id = Some(id),
        Err(e) => result.error = Some(e.user_message()),
    }
    result
}

/// One "posts changed" per account that got drafts (naming the draft when there is only one),
/// instead of one per file: the views reload once.
fn announce(posts: &Posts, results: &[IngestResult]) {
    let accounts: BTreeSet<i64> = results
        .iter()
        .filter(|r| r.draft_id.is_some())
        .filter_map(|r| r.account_id)
        .collect();
    for account in accounts {
        let mut ids = results
            .iter()
            .filter(|r| r.account_id == Some(account))
            .filter_map(|r| r.draft_id);
        let only = match (ids.next(), ids.next()) {
            (Some(id), None) => Some(id),
            _ => None,
        };
        posts.posts_changed(only, Some(account));
    }
}

/// Thumbnails of new drafts, two ffmpeg runs at a time (the thumbnails' own limit), announcing
/// the drafts' views at most once a second. Ends early when the engine has shut down.
async fn thumbnails_in_background(ctx: Ctx, posts: Arc<Posts>, account: i64, drafts: Vec<i64>) {
    let mut last = Instant::now();
    let mut pending = false;
    let mut runs = JoinSet::new();
    for id in drafts {
        if ctx.pool().is_closed() {
            return;
        }
        while runs.len() >= 2 {
            runs.join_next().await;
        }
        let thumbnails = posts.thumbnails().clone();
        runs.spawn(async move { thumbnails.refresh(id).await });
        pending = true;
        if last.elapsed() >= THUMBNAILS_ANNOUNCED_EVERY {
            posts.posts_changed(None, Some(account));
            last = Instant::now();
            pending = false;
        }
    }
    while runs.join_next().await.is_some() {}
    if pending && !ctx.pool().is_closed() {
        posts.posts_changed(None, Some(account));
    }
}
