//! The real OS keychain: Secret Service via gnome-keyring in CI (`make test` runs this inside
//! `scripts/with-desktop.sh`, which starts a D-Bus session and an unlocked keyring).

use tokdeck_core::secrets::{Secret, Secrets};

#[tokio::test]
#[ignore = "needs a Secret Service: run through `make test` (scripts/with-desktop.sh)"]
async fn stores_reads_and_deletes_a_secret_in_the_real_keychain() {
    let service = format!("tokdeck-test-{}", std::process::id());
    let secrets = Secrets::native(&service);
    let name = "account:test:refresh";
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
