//! The pure rules of composing: which files a drop or a picked folder stands for, which scope
//! a posting mode needs, the rules an inbox upload follows, and local-time helpers.

use std::path::{Path, PathBuf};

use super::dto::CreatorInfoDto;
use crate::accounts::dto::{handle, AccountRow};
use crate::error::{CoreError, CoreResult};
use crate::posts::dto::CreatorRules;
use crate::posts::local_time::{parse_local, parse_zone, resolve_local, LocalResolution};
use crate::posts::status::PostMode;

/// File name endings taken from a dropped or picked folder (one level deep).
pub const VIDEO_EXTENSIONS: &[&str] = &["mp4", "mov", "webm", "mkv"];

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
    let who = handle(&row.username, &row.display_name).unwrap_or_else(|| "This account".to_owned());
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
pub(crate) fn cannot_post(e: &CoreError) -> Option<String> {
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

pub(crate) fn cannot_post_dto(row: &AccountRow, reason: String) -> CreatorInfoDto {
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
    let tz = parse_zone(zone)?;
    let naive = parse_local(local)?;
    Ok(resolve_local(naive, tz))
}
