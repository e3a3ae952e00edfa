//! "Find moved files in a folder": after a restore on another machine (or a reorganised
//! disk), each missing video is looked for by its content fingerprint (size first, then the
//! hashes of its first and last MiB) and its post relinked through `Posts`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::dto::{MissingVideo, RelinkReport};
use super::service::{blocking, Backups};
use crate::db::export as db;
use crate::error::{CoreError, CoreResult};
use crate::media;

/// How deep and how wide the search goes: a videos folder, not the whole disk.
const MAX_DEPTH: usize = 6;
const MAX_FILES: usize = 50_000;

impl Backups {
    /// Posts whose video is not at its recorded path on this machine.
    pub async fn missing_videos(&self) -> CoreResult<Vec<MissingVideo>> {
        let rows = db::media_rows(self.ctx.pool()).await?;
        blocking(move || {
            rows.into_iter()
                .filter(|r| !Path::new(&r.media_path).exists())
                .map(|r| MissingVideo {
                    post_id: r.post_id,
                    status: r.status,
                    path: r.media_path,
                })
                .collect()
        })
        .await
    }

    /// Looks in `folder` (and below) for each missing video and relinks the posts found.
    pub async fn relink_folder(&self, folder: &Path) -> CoreResult<RelinkReport> {
        if !folder.is_dir() {
            return Err(CoreError::InvalidInput(format!(
                "{} is not a folder. Choose the folder your videos are in now.",
                folder.display()
            )));
        }
        let missing: Vec<db::MediaRow> = db::media_rows(self.ctx.pool())
            .await?
            .into_iter()
            .filter(|r| !Path::new(&r.media_path).exists())
            .collect();
        let wanted: HashMap<u64, Vec<db::MediaRow>> =
            missing.iter().fold(HashMap::new(), |mut m, r| {
                m.entry(r.media_size as u64).or_default().push(r.clone());
                m
            });
        let root = folder.to_path_buf();
        // post id → the file found for it.
        let found: HashMap<i64, PathBuf> = blocking(move || search(&root, &wanted)).await?;
        let mut report = RelinkReport {
            relinked: Vec::new(),
            still_missing: Vec::new(),
            not_relinked: Vec::new(),
        };
        for row in missing {
            let Some(path) = found.get(&row.post_id) else {
                report.still_missing.push(MissingVideo {
                    post_id: row.post_id,
                    status: row.status,
                    path: row.media_path,
                });
                continue;
            };
            let text = path.to_string_lossy().into_owned();
            match self
                .posts
                .relink_post_media(row.post_id, &text, false, None)
                .await
            {
                Ok(_) => report.relinked.push(row.post_id),
                Err(e) => {
                    report
                        .not_relinked
                        .push(format!("Post {}: {}", row.post_id, e.user_message()))
                }
            }
        }
        Ok(report)
    }
}

fn search(root: &Path, wanted: &HashMap<u64, Vec<db::MediaRow>>) -> HashMap<i64, PathBuf> {
    let mut found = HashMap::new();
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut seen = 0usize;
    while let Some((dir, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            seen += 1;
            if seen > MAX_FILES {
                return found;
            }
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() && depth < MAX_DEPTH {
                stack.push((e.path(), depth + 1));
                continue;
            }
            if !kind.is_file() {
                continue;
            }
            let Some(rows) = e.metadata().ok().and_then(|m| wanted.get(&m.len())) else {
                continue;
            };
            let Ok(fp) = media::fingerprint(&e.path()) else {
                continue;
            };
            for r in rows {
                if fp.head_sha256 == r.media_head_sha256 && fp.tail_sha256 == r.media_tail_sha256 {
                    found.entry(r.post_id).or_insert_with(|| e.path());
                }
            }
        }
    }
    found
}
