//! The secrets tripwire: every credential the simulator issued (tokens, rotated ones too; codes;
//! upload URLs and their tokens; the client secret) must be absent from what Tokdeck writes or
//! shows: the SQLite files (main database and its WAL, read as raw bytes, so a secret written and
//! then overwritten still counts), the log files, every event and every notification.
//!
//! Only std and the simulator's [`IssuedSecret`] are used, so the E2E tests include this file too
//! (`#[path]`) and run it over the app's data folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tokdeck_sim::IssuedSecret;

/// How much of a secret a report may show.
const SHOWN: usize = 6;

pub struct Tripwire {
    /// `(kind, form)`: each secret as written raw and percent-encoded.
    needles: Vec<(String, Vec<u8>)>,
    hits: Vec<String>,
    scanned: Vec<String>,
}

impl Tripwire {
    pub fn new(secrets: &[IssuedSecret]) -> Self {
        let mut needles = vec![];
        for s in secrets {
            if s.value.len() < 8 {
                continue; // too short to tell from ordinary text
            }
            needles.push((s.kind.clone(), s.value.as_bytes().to_vec()));
            let encoded = percent_encode(&s.value);
            if encoded != s.value {
                needles.push((s.kind.clone(), encoded.into_bytes()));
            }
        }
        Self {
            needles,
            hits: vec![],
            scanned: vec![],
        }
    }

    /// Scans `bytes`, reporting hits as `location` plus the byte offset.
    pub fn scan_bytes(&mut self, location: &str, bytes: &[u8]) -> &mut Self {
        self.scanned.push(location.to_owned());
        for (kind, needle) in &self.needles {
            if let Some(at) = find(bytes, needle) {
                let shown = String::from_utf8_lossy(&needle[..SHOWN.min(needle.len())]);
                self.hits
                    .push(format!("{location} (byte {at}): the {kind} {shown}…"));
            }
        }
        self
    }

    pub fn scan_text(&mut self, location: &str, text: &str) -> &mut Self {
        self.scan_bytes(location, text.as_bytes())
    }

    /// Each text of `texts` (events as JSON, notification texts), located by its index.
    pub fn scan_texts(&mut self, what: &str, texts: &[String]) -> &mut Self {
        for (i, t) in texts.iter().enumerate() {
            self.scan_text(&format!("{what} #{i}"), t);
        }
        self
    }

    pub fn scan_file(&mut self, path: &Path) -> &mut Self {
        if let Ok(bytes) = std::fs::read(path) {
            self.scan_bytes(&path.display().to_string(), &bytes);
        }
        self
    }

    /// The SQLite files in `data_dir` (database, `-wal`, `-journal`) and every file under
    /// `data_dir/logs`.
    pub fn scan_data_dir(&mut self, data_dir: &Path) -> &mut Self {
        for path in sqlite_files(data_dir) {
            self.scan_file(&path);
        }
        for path in files_under(&data_dir.join("logs")) {
            self.scan_file(&path);
        }
        self
    }

    pub fn hits(&self) -> &[String] {
        &self.hits
    }

    /// What was scanned (files and texts), for tests that check the tripwire looked.
    pub fn scanned(&self) -> &[String] {
        &self.scanned
    }

    /// Panics listing every place a secret was found.
    pub fn assert_clean(&self) {
        assert!(
            self.hits.is_empty(),
            "secrets tripwire: {} issued secret(s) found where none may be:\n  {}",
            self.hits.len(),
            self.hits.join("\n  ")
        );
    }
}

/// Scans a data folder plus events and notification texts; panics on any hit.
pub fn check(
    secrets: &[IssuedSecret],
    data_dir: &Path,
    events: &[String],
    notifications: &[String],
) {
    Tripwire::new(secrets)
        .scan_data_dir(data_dir)
        .scan_texts("event", events)
        .scan_texts("notification", notifications)
        .assert_clean();
}

/// The database files SQLite keeps in `dir` (the WAL holds recent writes as raw pages).
pub fn sqlite_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.contains(".sqlite")
                || name.ends_with(".db")
                || name.ends_with("-wal")
                || name.ends_with("-journal")
        })
        .collect();
    v.sort();
    v
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `application/x-www-form-urlencoded` spelling of a value (how a code or URL sits in a query).
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
