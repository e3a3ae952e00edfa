//! A keychain that can be locked and unlocked while the engine runs, as a desktop keyring is
//! when the session locks: every call then fails with `NoStorageAccess` (what the Secret Service
//! store answers for a locked collection) until it is unlocked; the entries survive.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use keyring_core::api::{CredentialApi, CredentialPersistence, CredentialStoreApi};
use keyring_core::{Credential, CredentialStore, Entry, Error, Result};

/// Wraps another store; clones of [`Lock`] lock and unlock it.
#[derive(Debug)]
pub struct LockableStore {
    inner: Arc<CredentialStore>,
    locked: Arc<AtomicBool>,
}

/// The switch of a [`LockableStore`].
#[derive(Debug, Clone, Default)]
pub struct Lock(Arc<AtomicBool>);

impl Lock {
    pub fn lock(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn unlock(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
    pub fn is_locked(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl LockableStore {
    /// An in-memory store (keyring's mock) behind `lock`.
    pub fn in_memory(lock: &Lock) -> Arc<CredentialStore> {
        Self::wrap(keyring_core::mock::Store::new().unwrap(), lock)
    }

    pub fn wrap(inner: Arc<CredentialStore>, lock: &Lock) -> Arc<CredentialStore> {
        Arc::new(LockableStore {
            inner,
            locked: lock.0.clone(),
        })
    }
}

fn locked_error() -> Error {
    Error::NoStorageAccess(Box::new(std::io::Error::other(
        "tests: the keychain is locked",
    )))
}

impl CredentialStoreApi for LockableStore {
    fn vendor(&self) -> String {
        "tokdeck-tests lockable keychain".to_owned()
    }

    fn id(&self) -> String {
        format!("lockable:{}", self.inner.id())
    }

    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        let inner = self.inner.build(service, user, modifiers)?;
        Ok(Entry::new_with_credential(Arc::new(LockableCredential {
            inner,
            locked: self.locked.clone(),
            specifiers: (service.to_owned(), user.to_owned()),
        })))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn persistence(&self) -> CredentialPersistence {
        self.inner.persistence()
    }
}

#[derive(Debug)]
struct LockableCredential {
    inner: Entry,
    locked: Arc<AtomicBool>,
    specifiers: (String, String),
}

impl LockableCredential {
    fn open(&self) -> Result<&Entry> {
        if self.locked.load(Ordering::SeqCst) {
            Err(locked_error())
        } else {
            Ok(&self.inner)
        }
    }
}

impl CredentialApi for LockableCredential {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        self.open()?.set_secret(secret)
    }

    fn get_secret(&self) -> Result<Vec<u8>> {
        self.open()?.get_secret()
    }

    fn delete_credential(&self) -> Result<()> {
        self.open()?.delete_credential()
    }

    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.open()?.get_secret().map(|_| None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        Some(self.specifiers.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
