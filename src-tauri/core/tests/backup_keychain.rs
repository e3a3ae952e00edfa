//! A backup with the connections restores them into the real OS keychain (Secret Service via
//! gnome-keyring: `make test` runs this under `scripts/with-desktop.sh`). The "new laptop" is
//! a fresh data folder and another keychain service name with no entries.

mod backup_common;

use backup_common::{counts, open, seed};
use tokdeck_core::secrets::Secrets;

#[tokio::test]
#[ignore = "needs a Secret Service: run through `make test` (scripts/with-desktop.sh)"]
async fn tokens_in_a_backup_come_back_in_the_real_keychain() {
    let pid = std::process::id();
    let (old, new) = (
        Secrets::native(format!("tokdeck-test-backup-old-{pid}")),
        Secrets::native(format!("tokdeck-test-backup-new-{pid}")),
    );
    let (src, out, fresh) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let engine = open(src.path(), old.clone()).await;
    seed(&engine, 2, 3).await;
    let file = out.path().join("laptop.tokdeck-backup");
    engine
        .back_up_now(&file, Some("a long passphrase"))
        .await
        .unwrap();
    engine.shutdown().await;

    let names: Vec<String> = (1..=2)
        .flat_map(|a| ["access", "refresh"].map(|k| format!("account:open-{a}:{k}")))
        .collect();
    for n in &names {
        assert_eq!(
            new.get(n).await.unwrap(),
            None,
            "the new keychain starts empty"
        );
    }
    let engine = open(fresh.path(), new.clone()).await;
    let report = engine
        .restore_backup(&file, Some("a long passphrase"))
        .await
        .unwrap();
    assert_eq!(report.tokens_restored, 4, "{report:?}");
    drop(engine);
    let engine = open(fresh.path(), new.clone()).await;
    assert_eq!(counts(&engine).await, (2, 6));
    assert_eq!(
        new.get("account:open-2:access")
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "access-token-2"
    );
    engine.shutdown().await;
    for n in &names {
        old.delete(n).await.unwrap();
        new.delete(n).await.unwrap();
    }
}
