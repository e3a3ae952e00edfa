//! The pure rules of composing: which files a drop or a picked folder stands for, which scope
//! a posting mode needs, the rules an inbox upload follows, and local-time helpers.

use std::path::{Path, PathBuf};

use super::dto::CreatorInfoDto;
use crate::accounts::dto::{handle, AccountRow};
use crate::error::{CoreError, CoreResult};
use crate::posts::dto::CreatorRules;
use crate::posts::local_time::{parse_local, parse_zone, resolve_local, LocalResolution};
use crate::posts::status::PostMode;

/// File name endings taken from a dropped or picked folder.
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

/// How deep a dropped folder is walked, and how many videos one drop may add: a drop of a whole
/// home folder must end quickly with a clear message instead of walking the disk.
pub const MAX_FOLDER_DEPTH: usize = 8;
pub const MAX_FILES_PER_DROP: usize = 2_000;

/// The files a drop or pick stands for.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    pub files: Vec<PathBuf>,
    /// More videos were found than one drop may add (`MAX_FILES_PER_DROP`); the rest were left.
    pub truncated: bool,
}

/// Files as given; folders walked recursively (up to `MAX_FOLDER_DEPTH`, symbolic links not
/// followed so a link loop cannot trap the walk) for video files, each folder's entries sorted
/// by name, dot files and dot folders skipped. Order kept, duplicates removed.
pub fn expand_paths(paths: &[String]) -> Expanded {
    let mut out = Expanded::default();
    let mut seen = std::collections::HashSet::new();
    let mut push = |p: PathBuf, out: &mut Expanded| {
        if seen.contains(&p) {
            return true;
        }
        if out.files.len() >= MAX_FILES_PER_DROP {
            out.truncated = true;
            return false;
        }
        seen.insert(p.clone());
        out.files.push(p);
        true
    };
    for raw in paths {
        let p = PathBuf::from(raw.trim());
        if p.as_os_str().is_empty() {
            continue;
        }
        if !p.is_dir() {
            if !push(p, &mut out) {
                break;
            }
            continue;
        }
        let walk = walkdir::WalkDir::new(&p)
            .max_depth(MAX_FOLDER_DEPTH)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            // The dropped folder itself may be a dot folder; what is inside it is judged by name.
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
        for entry in walk.filter_map(Result::ok) {
            let f = entry.path();
            if entry.file_type().is_file() && is_video_name(f) && !push(f.to_path_buf(), &mut out) {
                break;
            }
        }
        if out.truncated {
            break;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(p: &Path) {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }

    #[test]
    fn folders_are_walked_recursively_for_videos_only_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.mp4",
            "a.MOV",
            "notes.txt",
            ".hidden.mp4",
            "sub/c.webm",
            "sub/deeper/d.mkv",
            ".cache/e.mp4",
        ] {
            touch(&root.join(f));
        }
        let text = root.to_string_lossy().into_owned();
        let got = expand_paths(&[text.clone(), text]);
        let names: Vec<String> = got
            .files
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.MOV", "b.mp4", "sub/c.webm", "sub/deeper/d.mkv"]);
        assert!(!got.truncated);
    }

    #[test]
    fn a_link_loop_ends_the_walk_and_files_given_directly_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(&root.join("sub/a.mp4"));
        #[cfg(unix)]
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        let readme = root.join("readme.txt");
        touch(&readme);
        let got = expand_paths(&[
            readme.to_string_lossy().into_owned(),
            root.to_string_lossy().into_owned(),
        ]);
        assert_eq!(got.files, vec![readme, root.join("sub/a.mp4")]);
    }

    #[test]
    fn a_drop_stops_at_the_per_drop_limit_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..MAX_FILES_PER_DROP + 3 {
            touch(&dir.path().join(format!("v{i:05}.mp4")));
        }
        let got = expand_paths(&[dir.path().to_string_lossy().into_owned()]);
        assert_eq!(got.files.len(), MAX_FILES_PER_DROP);
        assert!(got.truncated);
    }
}
