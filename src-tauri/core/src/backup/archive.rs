//! The `.tokdeck-backup` file: a plain (uncompressed) tar holding `manifest.json`, the
//! database copy (`tokdeck.sqlite3`) and, when asked for, `secrets.age`: the keychain
//! entries as JSON, encrypted by the `age` crate to a passphrase (its scrypt recipient).
//!
//! Why tar: it is a stream of named entries with sizes, readable by any system's `tar`, so a
//! creator (or support) can look inside without Tokdeck; the `tar` crate is small and
//! streams (no need to hold the database in memory). Zip would add a central directory at
//! the end (a truncated file loses everything) and compression we do not need: the manifest
//! carries the database's SHA-256 and size, which is what tells a damaged file apart.
//!
//! Blocking I/O: call from `spawn_blocking`.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use sha2::{Digest, Sha256};

use super::dto::Manifest;

pub const EXTENSION: &str = "tokdeck-backup";
pub const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "tokdeck.sqlite3";
const SECRETS: &str = "secrets.age";
/// The manifest and the secrets are small; a larger entry is not ours.
const SMALL_LIMIT: u64 = 4 * 1024 * 1024;

/// Why a file could not be read as a backup, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("The file could not be read ({0}). Check that it is still there and try again.")]
    Unreadable(String),
    #[error("This file is not a Tokdeck backup (it has no {0}). Choose a .tokdeck-backup file.")]
    NotABackup(&'static str),
    #[error("This backup file is incomplete: it ends early (it was probably cut off while being copied). Use another copy of the backup.")]
    Truncated,
    #[error("This backup file is damaged: its database does not match what its manifest recorded. Use another copy of the backup.")]
    Damaged,
    #[error("This backup's manifest cannot be read ({0}). Use another copy of the backup.")]
    BadManifest(String),
    #[error("The backup could not be written: {0}.")]
    Write(String),
}

/// What was read from a backup file; the database is in `db_path` (a staging file).
#[derive(Debug)]
pub struct Opened {
    pub manifest: Manifest,
    pub db_path: PathBuf,
    pub secrets: Option<Vec<u8>>,
}

/// Writes the backup to `dest` through a partial file in the same folder, fsynced and renamed
/// only once complete: a crash never leaves a half-written file under the chosen name.
pub fn write(
    dest: &Path,
    manifest: &Manifest,
    db_path: &Path,
    secrets: Option<&[u8]>,
) -> Result<(), ArchiveError> {
    let name = dest
        .file_name()
        .ok_or_else(|| ArchiveError::Write("choose a file name".to_owned()))?;
    let partial = dest.with_file_name(format!(".{}.partial", name.to_string_lossy()));
    let result = (|| -> std::io::Result<()> {
        let file = File::create(&partial)?;
        let mut tar = tar::Builder::new(BufWriter::new(file));
        let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
        append_bytes(&mut tar, MANIFEST, &json)?;
        tar.append_path_with_name(db_path, DATABASE)?;
        if let Some(s) = secrets {
            append_bytes(&mut tar, SECRETS, s)?;
        }
        let mut out = tar.into_inner()?;
        out.flush()?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        crate::db::backup::commit_file(&partial, dest)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        ArchiveError::Write(crate::db::backup::io_reason(&e))
    })
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
}

/// SHA-256 (hex) and size of a file.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

/// Reads a backup file, writing its database to `staging` and checking it against the
/// manifest. On error `staging` is removed.
pub fn open(path: &Path, staging: &Path) -> Result<Opened, ArchiveError> {
    let result = read_entries(path, staging);
    if result.is_err() {
        let _ = std::fs::remove_file(staging);
    }
    result
}

fn read_entries(path: &Path, staging: &Path) -> Result<Opened, ArchiveError> {
    let file = File::open(path).map_err(|e| ArchiveError::Unreadable(e.to_string()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut archive = tar::Archive::new(file);
    let mut manifest: Option<Manifest> = None;
    let mut db: Option<(String, u64)> = None;
    let mut secrets = None;
    let entries = archive.entries().map_err(|_| not_a_backup(size))?;
    for entry in entries {
        let mut entry = entry.map_err(|_| truncated_or_not(size, &manifest))?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        match name.as_str() {
            MANIFEST => {
                let bytes = read_small(&mut entry)?;
                let m: Manifest = serde_json::from_slice(&bytes)
                    .map_err(|e| ArchiveError::BadManifest(e.to_string()))?;
                manifest = Some(m);
            }
            DATABASE => {
                let mut out = File::create(staging)
                    .map_err(|e| ArchiveError::Write(crate::db::backup::io_reason(&e)))?;
                let mut hasher = HashingWriter {
                    inner: &mut out,
                    hasher: Sha256::new(),
                    size: 0,
                };
                std::io::copy(&mut entry, &mut hasher).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::UnexpectedEof {
                        ArchiveError::Truncated
                    } else {
                        ArchiveError::Write(crate::db::backup::io_reason(&e))
                    }
                })?;
                let (sha, n) = (hex::encode(hasher.hasher.finalize()), hasher.size);
                if n < entry.header().size().unwrap_or(0) {
                    return Err(ArchiveError::Truncated);
                }
                out.sync_all()
                    .map_err(|e| ArchiveError::Write(crate::db::backup::io_reason(&e)))?;
                db = Some((sha, n));
            }
            SECRETS => secrets = Some(read_small(&mut entry)?),
            _ => {}
        }
    }
    let manifest = manifest.ok_or_else(|| truncated_or_not(size, &None))?;
    let (sha, n) = db.ok_or(ArchiveError::Truncated)?;
    if n != manifest.database_size {
        return Err(ArchiveError::Truncated);
    }
    if sha != manifest.database_sha256 {
        return Err(ArchiveError::Damaged);
    }
    if manifest.tokens_included && secrets.is_none() {
        return Err(ArchiveError::Truncated);
    }
    Ok(Opened {
        manifest,
        db_path: staging.to_path_buf(),
        secrets,
    })
}

fn not_a_backup(size: u64) -> ArchiveError {
    if size == 0 {
        ArchiveError::Truncated
    } else {
        ArchiveError::NotABackup("manifest")
    }
}

/// A read error before the manifest means "not ours" unless the file is tiny; after it, the
/// file was cut off.
fn truncated_or_not(size: u64, manifest: &Option<Manifest>) -> ArchiveError {
    if manifest.is_some() || size < 512 {
        ArchiveError::Truncated
    } else {
        ArchiveError::NotABackup("manifest")
    }
}

fn read_small<R: Read>(entry: &mut tar::Entry<'_, R>) -> Result<Vec<u8>, ArchiveError> {
    let want = entry.header().size().unwrap_or(0);
    let mut bytes = Vec::new();
    entry
        .take(SMALL_LIMIT)
        .read_to_end(&mut bytes)
        .map_err(|_| ArchiveError::Truncated)?;
    if (bytes.len() as u64) < want.min(SMALL_LIMIT) {
        return Err(ArchiveError::Truncated);
    }
    Ok(bytes)
}

struct HashingWriter<'a> {
    inner: &'a mut File,
    hasher: Sha256,
    size: u64,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Encrypts `plain` to a passphrase with age's scrypt recipient.
pub fn encrypt(plain: &[u8], passphrase: &str) -> Result<Vec<u8>, ArchiveError> {
    let secret = SecretString::from(passphrase.to_owned());
    let encryptor = age::Encryptor::with_user_passphrase(secret);
    let mut out = Vec::new();
    let mut w = encryptor
        .wrap_output(&mut out)
        .map_err(|e| ArchiveError::Write(e.to_string()))?;
    w.write_all(plain)
        .and_then(|_| w.finish().map(|_| ()))
        .map_err(|e| ArchiveError::Write(e.to_string()))?;
    Ok(out)
}

/// Why the connections in a backup could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnlockError {
    #[error("The passphrase is not the one this backup was made with. Check it (letters, case, spaces) and try again; nothing was changed.")]
    WrongPassphrase,
    #[error("The connections stored in this backup are damaged ({0}). Use another copy of the backup, or restore without them and reconnect the accounts.")]
    Damaged(String),
}

pub fn decrypt(blob: &[u8], passphrase: &str) -> Result<Vec<u8>, UnlockError> {
    let decryptor = age::Decryptor::new(blob).map_err(|e| UnlockError::Damaged(e.to_string()))?;
    let identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed
            | age::DecryptError::KeyDecryptionFailed
            | age::DecryptError::NoMatchingKeys => UnlockError::WrongPassphrase,
            other => UnlockError::Damaged(other.to_string()),
        })?;
    let mut out = Vec::new();
    reader
        .read_to_end(&mut out)
        .map_err(|e| UnlockError::Damaged(e.to_string()))?;
    Ok(out)
}
