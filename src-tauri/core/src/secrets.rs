//! The OS keychain: the only place a token or a client secret is read or written.
//!
//! Keychain calls block (the Linux store talks D-Bus synchronously and must not run on an async
//! worker), so every call goes through `spawn_blocking`. The store is explicit rather than the
//! process-wide default so tests can use a separate service name and run in parallel.
//!
//! keyring-core and the per-OS stores are wired here by hand rather than through the all-in-one
//! `keyring` 4 crate: that one only reaches the process-global default store, keeps a failed
//! first connection for the life of the process, and leaves the Linux store on the async-io
//! runtime (docs/architecture.md, "Keychain: the keyring crate").

use std::sync::{Arc, OnceLock};

use keyring_core::{CredentialStore, Entry};

/// A secret value whose Debug and Display never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The value itself; call only where it is sent to its one legitimate destination.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("The system keychain is locked or unavailable. Unlock it (or start your keyring service) and try again.")]
    Unavailable(String),
    #[error("The system keychain refused the operation: {0}")]
    Platform(String),
    #[error("The system keychain failed: {0}")]
    Other(String),
}

impl From<keyring_core::Error> for SecretsError {
    fn from(e: keyring_core::Error) -> Self {
        match e {
            keyring_core::Error::NoStorageAccess(inner) => {
                SecretsError::Unavailable(inner.to_string())
            }
            keyring_core::Error::PlatformFailure(inner) => {
                SecretsError::Platform(inner.to_string())
            }
            other => SecretsError::Other(other.to_string()),
        }
    }
}

/// Access to one keychain service (e.g. `tokdeck`), whose entries are keyed by a name such as
/// `account:<open_id>:refresh`.
#[derive(Clone)]
pub struct Secrets {
    service: String,
    /// Filled on first use: connecting to the platform store can fail (no Secret Service, locked
    /// keychain), and that must not stop the app from starting.
    store: Arc<OnceLock<Arc<CredentialStore>>>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("service", &self.service)
            .finish()
    }
}

impl Secrets {
    /// The platform's native keychain (Secret Service on Linux, Keychain on macOS, Credential
    /// Manager on Windows).
    /// The store is connected lazily, on the first call.
    pub fn native(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            store: Arc::new(OnceLock::new()),
        }
    }

    pub fn with_store(service: impl Into<String>, store: Arc<CredentialStore>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(store);
        Self {
            service: service.into(),
            store: Arc::new(cell),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    pub async fn set(&self, name: &str, value: &Secret) -> Result<(), SecretsError> {
        let value = value.clone();
        self.with_entry(name, move |entry| entry.set_password(value.expose()))
            .await
    }

    /// `Ok(None)` when no such entry exists.
    pub async fn get(&self, name: &str) -> Result<Option<Secret>, SecretsError> {
        self.with_entry(name, |entry| match entry.get_password() {
            Ok(v) => Ok(Some(Secret::new(v))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    /// Deleting a missing entry is not an error: the goal state is reached.
    pub async fn delete(&self, name: &str) -> Result<(), SecretsError> {
        self.with_entry(name, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(e),
        })
        .await
    }

    async fn with_entry<T, F>(&self, name: &str, op: F) -> Result<T, SecretsError>
    where
        T: Send + 'static,
        F: FnOnce(&Entry) -> keyring_core::Result<T> + Send + 'static,
    {
        let store = self.store.clone();
        let service = self.service.clone();
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || {
            let store = match store.get() {
                Some(s) => s.clone(),
                None => {
                    let s = shared_native_store()?;
                    store.get_or_init(|| s).clone()
                }
            };
            let entry = store.build(&service, &name, None)?;
            op(&entry).map_err(SecretsError::from)
        })
        .await
        .map_err(|e| SecretsError::Other(e.to_string()))?
    }
}

/// One platform store per process, never dropped: the Linux store owns a Tokio runtime for its
/// D-Bus calls, and dropping a runtime from async code (an engine dropped in a test, say) panics.
/// Only a connected store is kept: a failure is tried again on the next call, so starting the
/// keyring service is enough to recover.
fn shared_native_store() -> Result<Arc<CredentialStore>, SecretsError> {
    static NATIVE: OnceLock<Arc<CredentialStore>> = OnceLock::new();
    if let Some(s) = NATIVE.get() {
        return Ok(s.clone());
    }
    let s = native_store()?;
    Ok(NATIVE.get_or_init(|| s).clone())
}

#[cfg(target_os = "linux")]
fn native_store() -> Result<Arc<CredentialStore>, SecretsError> {
    let store = zbus_secret_service_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(target_os = "macos")]
fn native_store() -> Result<Arc<CredentialStore>, SecretsError> {
    let store = apple_native_keyring_store::keychain::Store::new()?;
    Ok(store)
}

#[cfg(windows)]
fn native_store() -> Result<Arc<CredentialStore>, SecretsError> {
    let store = windows_native_keyring_store::Store::new()?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_in_debug_and_display() {
        let s = Secret::new("rft.super-secret");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose(), "rft.super-secret");
    }

    #[tokio::test]
    async fn mock_store_round_trip() {
        let secrets =
            Secrets::with_store("tokdeck-unit", keyring_core::mock::Store::new().unwrap());
        assert_eq!(secrets.get("a").await.unwrap(), None);
        secrets.set("a", &Secret::new("v1")).await.unwrap();
        assert_eq!(secrets.get("a").await.unwrap(), Some(Secret::new("v1")));
        secrets.delete("a").await.unwrap();
        secrets.delete("a").await.unwrap();
        assert_eq!(secrets.get("a").await.unwrap(), None);
    }
}
