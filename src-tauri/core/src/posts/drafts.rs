//! The drafts library: every unscheduled post with its account and what keeps it from being
//! scheduled (its file, its account, the choices TikTok requires), and taking a post that was
//! just scheduled back to a draft (the calendar's Undo after a draft is dropped on a day).
//!
//! The file check here is a `stat` (is it there, is it the same size), not the fingerprint:
//! the library lists every draft on each change, and scheduling checks the fingerprint anyway.

use std::path::Path;

use super::drafts_dto::{
    DraftAccount, DraftItem, DraftList, DraftProblem, DraftProblemKind, DraftQuery, CAPTION_START,
};
use super::dto::PostDto;
use super::files::blocking;
use super::service::{changed_meanwhile, Posts};
use super::status::{PostMode, PostStatus};
use crate::accounts::avatars;
use crate::accounts::dto::AccountStatus;
use crate::audit::Outcome;
use crate::clock::rfc3339;
use crate::db::audit;
use crate::db::posts::drafts::{self as db, DraftAccountRow};
use crate::db::posts::{self as posts_db, PostRow};
use crate::error::{CoreError, CoreResult};

/// What the file at a draft's path is now, compared with what was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Ok,
    Missing,
    /// Another size, or unreadable: the words say which.
    Changed(String),
}

/// Looks at a draft's file without reading it (blocking: call off the runtime).
pub fn file_state(path: &Path, expected_size: i64) -> FileState {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileState::Missing,
        Err(e) => FileState::Changed(format!("it can no longer be read ({e})")),
        Ok(m) if !m.is_file() => FileState::Changed("it is no longer a file".to_owned()),
        Ok(m) if m.len() as i64 != expected_size => FileState::Changed(format!(
            "it was {} bytes, now {} bytes",
            expected_size,
            m.len()
        )),
        Ok(_) => FileState::Ok,
    }
}

fn file_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// The caption's first [`CAPTION_START`] characters, on one line.
pub fn caption_start(caption: &str) -> String {
    let one_line = caption.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = one_line.chars();
    let start: String = chars.by_ref().take(CAPTION_START).collect();
    if chars.next().is_some() {
        format!("{}…", start.trim_end())
    } else {
        start
    }
}

fn account_name(a: &DraftAccountRow) -> String {
    crate::accounts::handle(&a.username, &a.display_name).unwrap_or_else(|| {
        if a.label.is_empty() {
            "This account".to_owned()
        } else {
            a.label.clone()
        }
    })
}

fn problem(kind: DraftProblemKind, message: impl Into<String>) -> DraftProblem {
    DraftProblem {
        kind,
        message: message.into(),
    }
}

/// Everything that keeps `row` from being scheduled that is known without asking TikTok: its
/// file, its account, the composer's rules. TikTok's account settings (privacy options,
/// duration limit) are checked when it is scheduled.
pub fn problems(
    row: &PostRow,
    file: &FileState,
    account: Option<&DraftAccountRow>,
) -> Vec<DraftProblem> {
    let mut out = Vec::new();
    let name = file_name(&row.media_path);
    match file {
        FileState::Ok => {}
        FileState::Missing => out.push(problem(
            DraftProblemKind::FileMissing,
            format!(
                "The video {name} is no longer at {}. Open the draft and choose the file where it is now.",
                row.media_path
            ),
        )),
        FileState::Changed(what) => out.push(problem(
            DraftProblemKind::FileChanged,
            format!(
                "The video {name} changed since it was added: {what}. Open the draft to choose the original file or check this one again."
            ),
        )),
    }
    if let Some(reason) = row.attention_reason.as_deref().filter(|_| {
        // The stored reason of a moved file says what the file check above already says.
        row.status() == PostStatus::NeedsAttention && *file == FileState::Ok
    }) {
        out.push(problem(DraftProblemKind::Attention, reason));
    }
    match account {
        None => out.push(problem(
            DraftProblemKind::AccountRemoved,
            "Its account is no longer in Tokdeck. Open the draft and choose another account.",
        )),
        Some(a) if a.removed_at.is_some() => out.push(problem(
            DraftProblemKind::AccountRemoved,
            format!(
                "{} was removed from Tokdeck. Reconnect it on the Accounts page, or open the draft and choose another account.",
                account_name(a)
            ),
        )),
        Some(a) if AccountStatus::parse(&a.status) != AccountStatus::Active => {
            out.push(problem(
                DraftProblemKind::AccountDisconnected,
                format!(
                    "{} is disconnected. Reconnect it on the Accounts page before scheduling.",
                    account_name(a)
                ),
            ))
        }
        Some(_) => {}
    }
    let content = row.content();
    if let Ok(facts) = row.facts() {
        if let Err(e) = content.check_draft(&facts) {
            out.push(problem(DraftProblemKind::Rule, e.user_message()));
        }
    }
    if content.mode == PostMode::Direct {
        if content.privacy_level.is_none() {
            out.push(problem(
                DraftProblemKind::Unfinished,
                "Choose who can see it (privacy) before scheduling.",
            ));
        }
        let c = content.commercial;
        if c.enabled && !c.your_brand && !c.branded_content {
            out.push(problem(
                DraftProblemKind::Unfinished,
                "Say whether it promotes your own brand, a third party, or both.",
            ));
        }
    }
    out
}

fn draft_account(a: &DraftAccountRow, avatar: Option<String>) -> DraftAccount {
    let handle = if a.username.is_empty() {
        String::new()
    } else {
        format!("@{}", a.username)
    };
    let title = [&a.label, &a.display_name, &handle]
        .into_iter()
        .find(|s| !s.is_empty())
        .cloned()
        .unwrap_or_else(|| "TikTok account".to_owned());
    DraftAccount {
        id: a.id,
        title,
        handle,
        label: a.label.clone(),
        avatar,
        status: AccountStatus::parse(&a.status),
        removed: a.removed_at.is_some(),
        drafts: u32::try_from(a.drafts).unwrap_or(u32::MAX),
    }
}

fn item(row: &PostRow, problems: Vec<DraftProblem>) -> DraftItem {
    DraftItem {
        id: row.id,
        account_id: row.account_id,
        status: row.status(),
        mode: PostMode::parse(&row.mode),
        caption: caption_start(&row.caption),
        media_path: row.media_path.clone(),
        file_name: file_name(&row.media_path),
        duration_ms: row.facts().map(|f| f.duration_ms).unwrap_or(0),
        thumbnail_path: row.thumbnail_path.clone(),
        privacy_level: row.privacy_level.clone(),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        problems,
    }
}

impl Posts {
    /// Every unscheduled post (of one account, or all), most recently changed first, each with
    /// its problems; and the accounts that have drafts, with their avatars.
    pub async fn drafts(&self, q: &DraftQuery) -> CoreResult<DraftList> {
        let pool = self.ctx.pool();
        let rows = db::list(pool, q.account_id).await?;
        let account_rows = db::accounts(pool).await?;
        let checks: Vec<(String, i64)> = rows
            .iter()
            .map(|r| (r.media_path.clone(), r.media_size))
            .collect();
        let avatar_files: Vec<Option<String>> =
            account_rows.iter().map(|a| a.avatar_file.clone()).collect();
        let avatar_dir = avatars::dir_in(self.ctx.data_dir());
        let (files, avatar_urls) = blocking(move || {
            let files: Vec<FileState> = checks
                .iter()
                .map(|(p, size)| file_state(Path::new(p), *size))
                .collect();
            let urls: Vec<Option<String>> = avatar_files
                .iter()
                .map(|f| avatars::read_data_url(&avatar_dir, f.as_deref()?))
                .collect();
            (files, urls)
        })
        .await?;
        let items = rows
            .iter()
            .zip(&files)
            .map(|(row, file)| {
                let account = account_rows.iter().find(|a| a.id == row.account_id);
                item(row, problems(row, file, account))
            })
            .collect();
        let total = account_rows.iter().map(|a| a.drafts).sum::<i64>();
        Ok(DraftList {
            items,
            accounts: account_rows
                .iter()
                .zip(avatar_urls)
                .map(|(a, avatar)| draft_account(a, avatar))
                .collect(),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    /// Takes a scheduled post back to a draft: no time, no consent (scheduling it again asks
    /// for both). Refused once the publisher has taken it.
    pub async fn unschedule_post(&self, id: i64) -> CoreResult<PostDto> {
        let pool = self.ctx.pool();
        let row = posts_db::load(pool, id).await?;
        if row.status() != PostStatus::Scheduled {
            return Err(CoreError::Conflict(format!(
                "Only a scheduled post can go back to the drafts; this one is {}.",
                row.status().as_str().replace('_', " ")
            )));
        }
        let now = self.ctx.clock().now_ms();
        if db::unschedule(pool, id, now).await? == 0 {
            return Err(changed_meanwhile());
        }
        audit::record(
            pool,
            Some(row.account_id),
            "post.unschedule",
            Outcome::Ok,
            &format!("post {id}"),
        )
        .await;
        self.posts_changed(Some(id), Some(row.account_id));
        posts_db::load(pool, id).await?.dto()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_caption_shows_its_start_on_one_line() {
        assert_eq!(caption_start("  hi\n there  "), "hi there");
        let long = "word ".repeat(60);
        let start = caption_start(&long);
        assert!(start.ends_with('…') && start.chars().count() <= CAPTION_START + 1);
    }

    #[test]
    fn a_missing_or_resized_file_is_seen_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.mp4");
        assert_eq!(file_state(&path, 3), FileState::Missing);
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(file_state(&path, 3), FileState::Ok);
        assert!(matches!(file_state(&path, 4), FileState::Changed(w) if w.contains("now 3 bytes")));
        assert!(matches!(file_state(dir.path(), 3), FileState::Changed(_)));
    }
}
