//! The Compose page's engine side: ingesting dropped or picked video files into drafts, the
//! fresh creator_info a posting screen needs, and the post operations that need it (schedule,
//! edit, duplicate, relink) with the creator_info fetched here so the shell stays thin.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::accounts::{self, AccountRow};
use crate::engine::Engine;
use crate::error::{CoreError, CoreResult};
use crate::media::{self, VideoFacts, Violation};
use crate::posts::{
    self, ComposeInput, ComposePatch, CreatorRules, LocalResolution, PostDto, PostMode, PostStatus,
    ScheduleOutcome, When,
};

/// File name endings taken from a dropped or picked folder (one level deep).
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "webm", "mkv"];

/// What happened to one file of a drop or a pick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IngestResult {
    pub path: String,
    /// What probing found; `None` when the file is not a readable video (see `error`).
    pub facts: Option<VideoFacts>,
    /// Why the file cannot be used (not found, not a video, damaged, draft not created…).
    pub error: Option<String>,
    /// TikTok's rules the video breaks (the duration against the account's limit when known).
    pub violations: Vec<Violation>,
    /// The account the draft was created for (or would have been).
    pub account_id: Option<i64>,
    /// Set when the file was acceptable and a draft was created (one draft per video).
    pub draft_id: Option<i64>,
}

/// creator_info for the posting screen (tiktok-api.md §5.1, §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CreatorInfoDto {
    pub account_id: i64,
    /// The nickname the posting screen must show.
    pub nickname: String,
    pub username: String,
    /// TikTok's avatar URL (valid about 2 h); `None` when TikTok gave none.
    pub avatar_url: Option<String>,
    /// TikTok's spellings (`PUBLIC_TO_EVERYONE`, `MUTUAL_FOLLOW_FRIENDS`, `FOLLOWER_OF_CREATOR`,
    /// `SELF_ONLY`); offer exactly these, with no default.
    pub privacy_level_options: Vec<String>,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub max_video_post_duration_sec: Option<u32>,
    /// False when TikTok says this creator cannot post right now (daily cap, app's creator cap,
    /// banned…); the other fields then come from the stored profile.
    pub can_post: bool,
    pub cannot_post_reason: Option<String>,
}

impl CreatorInfoDto {
    pub fn rules(&self) -> CreatorRules {
        CreatorRules {
            nickname: self.nickname.clone(),
            privacy_level_options: self.privacy_level_options.clone(),
            comment_disabled: self.comment_disabled,
            duet_disabled: self.duet_disabled,
            stitch_disabled: self.stitch_disabled,
            max_video_post_duration_sec: self.max_video_post_duration_sec,
        }
    }
}

fn is_video_name(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .map(|e| VIDEO_EXTENSIONS.iter().any(|v| v.eq_ignore_ascii_case(e)))
        .unwrap_or(false)
}

/// Dot files (e.g. macOS `._clip.mp4` resource forks) are not videos.
fn is_hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// The files a drop or pick stands for: files as given, folders walked one level deep for
/// video files (sorted by name, dot files skipped). Order kept, duplicates removed.
pub fn expand_paths(paths: &[String]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let push = |p: PathBuf, out: &mut Vec<PathBuf>| {
        if !out.contains(&p) {
            out.push(p);
        }
    };
    for raw in paths {
        let p = PathBuf::from(raw.trim());
        if p.as_os_str().is_empty() {
            continue;
        }
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&p)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|f| f.is_file() && is_video_name(f) && !is_hidden(f))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            for f in found {
                push(f, &mut out);
            }
        } else {
            push(p, &mut out);
        }
    }
    out
}

/// The scope TikTok's init for `mode` needs (tiktok-api.md §3, §5.2, §5.4): Direct Post needs
/// `video.publish` (as does creator_info), the inbox upload only `video.upload`.
pub fn required_scope(mode: PostMode) -> &'static str {
    match mode {
        PostMode::Direct => "video.publish",
        PostMode::Inbox => "video.upload",
    }
}

/// Why `row` cannot be posted to in `mode`, when the creator did not grant the scope it needs;
/// `None` when it was granted.
pub fn missing_scope_message(row: &AccountRow, mode: PostMode) -> Option<String> {
    if row.has_scope(required_scope(mode)) {
        return None;
    }
    let who = accounts::handle(&row.username, &row.display_name)
        .unwrap_or_else(|| "This account".to_owned());
    Some(match mode {
        PostMode::Direct => format!(
            "{who} did not allow posting directly — reconnect and allow it, or send to the inbox."
        ),
        PostMode::Inbox => format!(
            "{who} did not allow sending videos to its TikTok inbox — reconnect and allow it, or post directly."
        ),
    })
}

/// What an inbox upload is checked against: TikTok's inbox init takes no post_info, so there is
/// no creator_info (which needs `video.publish`) and no audience to pick; the inbox accepts
/// videos up to 10 minutes (tiktok-api.md §5.4, §6.3).
pub fn inbox_rules(row: &AccountRow) -> CreatorRules {
    CreatorRules {
        nickname: row.display_name.clone(),
        privacy_level_options: Vec::new(),
        comment_disabled: false,
        duet_disabled: false,
        stitch_disabled: false,
        max_video_post_duration_sec: Some(INBOX_MAX_DURATION_SEC),
    }
}

/// Longest video the inbox upload accepts (the creator can trim it in the app).
pub const INBOX_MAX_DURATION_SEC: u32 = 600;

/// The creator cannot post now (TikTok answers these with HTTP 200 and an error code): the
/// plain reason and what to do, without TikTok's codes.
fn cannot_post(e: &CoreError) -> Option<String> {
    use tiktok_api::{ErrorClass, UserAction};
    match e.tiktok_class() {
        Some(ErrorClass::UserMustAct(
            a @ (UserAction::TooManyPosts
            | UserAction::TooManyPendingShares
            | UserAction::ActiveUserCap
            | UserAction::BannedFromPosting
            | UserAction::SpamRisk),
        )) => Some(format!("{} {}", a.message(), a.next_step())),
        _ => None,
    }
}

impl Engine {
    /// Fresh creator_info for an account, through its token. "Cannot post now" answers become
    /// `canPost: false` with the reason; other failures are errors.
    pub async fn creator_info(&self, account_id: i64) -> CoreResult<CreatorInfoDto> {
        let row = accounts::get_live(self.store().pool(), account_id).await?;
        if let Some(reason) = missing_scope_message(&row, PostMode::Direct) {
            // creator_info needs video.publish: asking would only earn scope_not_authorized.
            return Ok(cannot_post_dto(&row, reason));
        }
        let result = self
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

    /// Why the account cannot be posted to in `mode` (a scope it did not grant), if so.
    pub(crate) async fn missing_scope(
        &self,
        account_id: i64,
        mode: PostMode,
    ) -> CoreResult<Option<String>> {
        let row = accounts::get_live(self.store().pool(), account_id).await?;
        Ok(missing_scope_message(&row, mode))
    }

    /// The rules a post in `mode` is checked against: fresh creator_info for Direct Post, the
    /// inbox's own for inbox uploads. A scope the creator did not grant is refused first, with
    /// that as the reason.
    pub async fn posting_rules(&self, account_id: i64, mode: PostMode) -> CoreResult<CreatorRules> {
        let row = accounts::get_live(self.store().pool(), account_id).await?;
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
            None => self.current_account_id().await,
        }
    }

    /// One result per video file (folders one level deep): facts or a clear error, violations
    /// against the account's duration limit when creator_info can be had, and a draft for each
    /// acceptable file. The one path for drops and the file picker.
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
            Some(id) if !files.is_empty() => match self.creator_info(id).await {
                Ok(info) if info.can_post => Some(info.rules()),
                Ok(_) => None,
                Err(e) => {
                    tracing::info!(account = id, error = %e, "creator_info unavailable for ingest");
                    None
                }
            },
            _ => None,
        };
        let max = rules.as_ref().and_then(|r| r.max_video_post_duration_sec);
        let mut out = Vec::with_capacity(files.len());
        for file in files {
            let path_text = file.to_string_lossy().into_owned();
            let probed = {
                let f = file.clone();
                tokio::task::spawn_blocking(move || media::probe(&f))
                    .await
                    .map_err(|e| CoreError::Internal(e.to_string()))?
            };
            let mut result = IngestResult {
                path: path_text.clone(),
                facts: None,
                error: None,
                violations: Vec::new(),
                account_id: account,
                draft_id: None,
            };
            match probed {
                Err(e) => result.error = Some(e.to_string()),
                Ok(facts) => {
                    result.violations = media::validate(&facts, max);
                    result.facts = Some(facts);
                    if result.violations.is_empty() {
                        match account {
                            None => {
                                result.error = Some(
                                    "Connect a TikTok account first: drafts belong to an account."
                                        .to_owned(),
                                )
                            }
                            Some(id) => {
                                let input = ComposeInput {
                                    account_id: id,
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
                                match self.create_draft(&input, rules.as_ref()).await {
                                    Ok(post) => result.draft_id = Some(post.id),
                                    Err(e) => result.error = Some(e.user_message()),
                                }
                            }
                        }
                    }
                }
            }
            out.push(result);
        }
        Ok(out)
    }

    /// Edits a post; a scheduled one is checked against the rules of its (new) mode.
    pub async fn update_post_fresh(&self, id: i64, patch: &ComposePatch) -> CoreResult<PostDto> {
        let post = self.post(id).await?;
        let rules = if post.status == PostStatus::Scheduled {
            let mode = patch.mode.unwrap_or(post.mode);
            Some(self.posting_rules(post.account_id, mode).await?)
        } else {
            None
        };
        self.update_post(id, patch, rules.as_ref()).await
    }

    /// Schedules (or publishes now) against fresh creator_info (Direct Post) or the inbox's
    /// rules (inbox upload).
    pub async fn schedule_post_fresh(&self, id: i64, when: &When) -> CoreResult<ScheduleOutcome> {
        let post = self.post(id).await?;
        let rules = self.posting_rules(post.account_id, post.mode).await?;
        self.schedule_post(id, when, &rules).await
    }

    /// Copies a post to other accounts, each checked against its own rules for the post's mode.
    pub async fn duplicate_post_fresh(
        &self,
        id: i64,
        account_ids: &[i64],
    ) -> CoreResult<Vec<ScheduleOutcome>> {
        let post = self.post(id).await?;
        let mut targets = Vec::with_capacity(account_ids.len());
        for &a in account_ids {
            targets.push((a, self.posting_rules(a, post.mode).await?));
        }
        self.duplicate_post(id, &targets).await
    }

    /// Relinks a post's file; a changed file is checked against fresh creator_info when it can
    /// be had (else the limit stored at scheduling).
    pub async fn relink_post_media_fresh(
        &self,
        id: i64,
        new_path: &str,
        accept_changed: bool,
    ) -> CoreResult<PostDto> {
        let post = self.post(id).await?;
        let rules = if accept_changed {
            self.posting_rules(post.account_id, post.mode).await.ok()
        } else {
            None
        };
        self.relink_post_media(id, new_path, accept_changed, rules.as_ref())
            .await
    }
}

fn cannot_post_dto(row: &AccountRow, reason: String) -> CreatorInfoDto {
    CreatorInfoDto {
        account_id: row.id,
        nickname: row.display_name.clone(),
        username: row.username.clone(),
        avatar_url: None,
        privacy_level_options: Vec::new(),
        comment_disabled: true,
        duet_disabled: true,
        stitch_disabled: true,
        max_video_post_duration_sec: None,
        can_post: false,
        cannot_post_reason: Some(reason),
    }
}

/// Every IANA zone name chrono-tz knows, sorted.
pub fn time_zone_names() -> Vec<String> {
    let mut v: Vec<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name().to_owned())
        .collect();
    v.sort();
    v
}

/// What a wall-clock time means in a zone, so the UI can offer the gap/overlap choice before
/// scheduling.
pub fn resolve_local_time(local: &str, zone: &str) -> CoreResult<LocalResolution> {
    let tz = posts::parse_zone(zone)?;
    let naive = posts::parse_local(local)?;
    Ok(posts::resolve_local(naive, tz))
}
