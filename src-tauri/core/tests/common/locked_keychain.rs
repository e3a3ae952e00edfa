//! A keychain that can be locked from the test: the in-memory mock store behind a gate that
//! refuses (as a locked Secret Service does, `NoStorageAccess`) every call, or only writes of
//! entries whose name contains a given text.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use keyring_core::api::{CredentialApi, CredentialPersistence, CredentialStoreApi};
use keyring_core::{Credential, CredentialStore, Entry, Error, Result};

/// What the keychain refuses right now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Refuse {
    #[default]
    Nothing,
    /// Locked: every read, write and delete.
    Everything,
    /// Writes of entries whose name contains this text (e.g. `upload_url`).
    WritesOf(String),
}

/// The test's handle on the lock.
#[derive(Debug, Clone, Default)]
pub struct Lock(Arc<Mutex<Refuse>>);

impl Lock {
    pub fn set(&self, r: Refuse) {
        *self.0.lock().unwrap() = r;
    }
    /// Whether every call is refused right now.
    pub fn is_locked(&self) -> bool {
        *self.0.lock().unwrap() == Refuse::Everything
    }
    fn refuses(&self, name: &str, write: bool) -> bool {
        match &*self.0.lock().unwrap() {
            Refuse::Nothing => false,
            Refuse::Everything => true,
            Refuse::WritesOf(part) => write && name.contains(part.as_str()),
        }
    }
}

#[derive(Debug)]
pub struct LockableStore {
    inner: Arc<CredentialStore>,
    lock: Lock,
}

impl LockableStore {
    pub fn open(lock: Lock) -> Arc<CredentialStore> {
        Arc::new(LockableStore {
            inner: keyring_core::mock::Store::new().unwrap(),
            lock,
        })
    }
}

impl CredentialStoreApi for LockableStore {
    fn vendor(&self) -> String {
        "tokdeck-tests lockable keychain".to_owned()
    }
    fn id(&self) -> String {
        "lockable".to_owned()
    }
    fn build(
        &self,
        service: &str,
        user: &str,
        modifiers: Option<&HashMap<&str, &str>>,
    ) -> Result<Entry> {
        let entry = self.inner.build(service, user, modifiers)?;
        Ok(Entry::new_with_credential(Arc::new(Gated {
            entry,
            name: user.to_owned(),
            lock: self.lock.clone(),
        })))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn persistence(&self) -> CredentialPersistence {
        CredentialPersistence::ProcessOnly
    }
}

#[derive(Debug)]
struct Gated {
    entry: Entry,
    name: String,
    lock: Lock,
}

fn locked() -> Error {
    Error::NoStorageAccess(Box::new(std::io::Error::other(
        "the collection is locked (test)",
    )))
}

impl Gated {
    fn gate(&self, write: bool) -> Result<()> {
        if self.lock.refuses(&self.name, write) {
            Err(locked())
        } else {
            Ok(())
        }
    }
}

impl CredentialApi for Gated {
    fn set_secret(&self, secret: &[u8]) -> Result<()> {
        self.gate(true)?;
        self.entry.set_secret(secret)
    }
    fn get_secret(&self) -> Result<Vec<u8>> {
        self.gate(false)?;
        self.entry.get_secret()
    }
    fn delete_credential(&self) -> Result<()> {
        self.gate(true)?;
        self.entry.delete_credential()
    }
    fn get_credential(&self) -> Result<Option<Arc<Credential>>> {
        self.gate(false)?;
        self.get_secret().map(|_| None)
    }
    fn get_specifiers(&self) -> Option<(String, String)> {
        self.entry.get_specifiers()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
