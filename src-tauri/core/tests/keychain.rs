//! The real OS keychain: Secret Service via gnome-keyring in CI (`make test` runs this inside
//! `scripts/with-desktop.sh`, which starts a D-Bus session and an unlocked keyring).
//!
//! One test, because the connected store is process-wide: the unreachable-keychain step only
//! means something before any call has connected.

use tokdeck_core::secrets::{Secret, Secrets};

#[tokio::test]
#[ignore = "needs a Secret Service: run through `make test` (scripts/with-desktop.sh)"]
async fn stores_reads_and_deletes_a_secret_in_the_real_keychain() {
    let service = format!("tokdeck-test-{}", std::process::id());
    let secrets = Secrets::native(&service);
    let name = "account:test:refresh";

    // A Secret Service unreachable at the first call is tried again on the next one: the app
    // starts without a keychain, and "start your keyring service and try again" works without a
    // restart (keyring 4's all-in-one `Entry` would keep the first failure: docs/architecture.md,
    // "Keychain: the keyring crate"). No call is in flight while the variable changes.
    #[cfg(target_os = "linux")]
    {
        let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").expect("a D-Bus session");
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/tokdeck-test-bus",
        );
        assert!(secrets.get(name).await.is_err());
        std::env::set_var("DBUS_SESSION_BUS_ADDRESS", bus);
    }

    secrets.delete(name).await.unwrap();
    assert_eq!(secrets.get(name).await.unwrap(), None);

    secrets
        .set(name, &Secret::new("rft.real-keychain-1"))
        .await
        .unwrap();
    assert_eq!(
        secrets
            .get(name)
            .await
            .unwrap()
            .as_ref()
            .map(Secret::expose),
        Some("rft.real-keychain-1")
    );

    // Overwrite in place (a rotated refresh token replaces the old one).
    secrets
        .set(name, &Secret::new("rft.real-keychain-2"))
        .await
        .unwrap();
    assert_eq!(
        secrets
            .get(name)
            .await
            .unwrap()
            .as_ref()
            .map(Secret::expose),
        Some("rft.real-keychain-2")
    );

    // A second handle (as after a restart) sees the same entry.
    let again = Secrets::native(&service);
    assert!(again.get(name).await.unwrap().is_some());

    secrets.delete(name).await.unwrap();
    assert_eq!(again.get(name).await.unwrap(), None);
}
