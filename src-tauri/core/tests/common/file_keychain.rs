//! A keychain store kept in files, for tests that run the engine in more than one process.
//!
//! The other tests use `keyring_core::mock::Store`, which lives in one process's memory: an
//! engine started in a child process would not see the tokens the parent stored while
//! connecting the accounts, and a restarted child would not find the upload URL its killed
//! predecessor stored. The real Secret Service would survive both, but only inside a desktop
//! session (`scripts/with-desktop.sh`); this store works in any `cargo test`. Each entry is one
//! file, replaced by an atomic rename, so a process killed mid-write leaves the old value or the
//! new one, as a real keychain daemon would.

use std::any::Any;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::api::{CredentialApi, CredentialPersistence, CredentialStoreApi};
use keyring_core::{Credential, CredentialStore, Entry, Error, Result};

#[derive(Debug)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store whose entries live in `dir` (created if needed). Every process opening the same
    /// folder sees the same entries.
    pub fn open(dir: &Path) -> Arc<CredentialStore> {
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("test keychain folder {}: {e}", dir.display()));
        Arc::new(FileStore {
            dir: dir.to_path_buf(),
        })
    }
}

impl CredentialStoreApi for FileStore {
    fn vendor(&self) -> String {
        "tokdeck-tests file keychain".to_owned()
    }

    fn id(&self) -> String {
        self.dir.display().to_string()
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        if modifiers.is_some_and(|m| !m.is_empty()) {
            return Err(Error::NotSupportedByStore(
                "the file keychain takes no modifiers".to_owned(),
            ));
        }
        // Hex keeps any service or entry name (`publish:7:upload_url`) a valid file name.
        let file = format!("{}.{}", hex::encode(service), hex::encode(user));
        Ok(Entry::new_with_credential(Arc::new(FileCredential {
            path: self.dir.join(file),
            service: service.to_owned(),
            user: user.to_owned(),
        })))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::UntilDelete
    }
}

#[derive(Debug)]
struct FileCredential {
    path: PathBuf,
    service: String,
    user: String,
}

fn platform(e: std::io::Error) -> Error {
    Error::PlatformFailure(Box::new(e))
}

impl CredentialApi for FileCredential {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let mut f = std::fs::File::create(&tmp).map_err(platform)?;
        f.write_all(secret).map_err(platform)?;
        std::fs::rename(&tmp, &self.path).map_err(platform)
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        match std::fs::read(&self.path) {
            Ok(v) => Ok(v),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoEntry),
            Err(e) => Err(platform(e)),
        }
    }

    fn delete_credential(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::NoEntry),
            Err(e) => Err(platform(e)),
        }
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.get_secret().map(|_| None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some((self.service.clone(), self.user.clone()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
