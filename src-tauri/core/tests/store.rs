//! The store against real SQLite files in temporary directories.

use tokdeck_core::db::open::{Store, StoreError, DB_FILE};

#[tokio::test]
async fn fresh_dir_gets_a_migrated_wal_database_with_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/data")).await.unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let (fk,): (i64,) = sqlx::query_as("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type='table' AND name IN ('settings','audit_log') ORDER BY name")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(tables.len(), 2);
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('k', '1', 'now')")
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    }
    let store = Store::open(dir.path()).await.unwrap();
    let (v,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key='k'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(v, "1");
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let garbage = b"this is my thesis, not a database\n".repeat(10);
    std::fs::write(&path, &garbage).unwrap();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("left it untouched"));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[tokio::test]
async fn a_damaged_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        store.close().await;
    }
    let path = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    // Keep the magic header, wreck the page that holds the schema.
    for b in bytes.iter_mut().skip(100).take(3000) {
        *b = 0xAB;
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = std::fs::remove_file(dir.path().join(format!("{DB_FILE}-wal")));
    let err = Store::open(dir.path()).await.unwrap_err();
    // Damage behind a valid header is its own error, naming the latest good backup (none
    // here), so the start screen can offer to restore it.
    assert!(
        matches!(
            err,
            StoreError::Damaged {
                latest_backup: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("No good backup exists yet"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "file must not change");
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
             VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        store.close().await;
    }
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
    assert!(err.to_string().contains("newer version"));
}

#[tokio::test]
async fn a_second_engine_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).await.unwrap();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, StoreError::InUse(_)), "{err:?}");
}

#[tokio::test]
async fn a_database_locked_by_another_program_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).await.unwrap();
        store.close().await;
    }
    // Another program holds an exclusive lock (as `sqlite3` with BEGIN EXCLUSIVE would).
    let path = dir.path().join(DB_FILE);
    let mut other = tokio::process::Command::new("sqlite3")
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("sqlite3 CLI is installed by scripts/setup.sh");
    use tokio::io::AsyncWriteExt;
    let mut stdin = other.stdin.take().unwrap();
    stdin
        .write_all(b"PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO settings VALUES('x','1','t');\n")
        .await
        .unwrap();
    stdin.flush().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let err = Store::open(dir.path()).await.unwrap_err();
    assert!(matches!(err, StoreError::Locked(_)), "{err:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    drop(stdin);
    let _ = other.kill().await;
}

/// Many writers that each read, then write, in one transaction, at once: every one of them must
/// commit. With SQLite's deferred `BEGIN` some fail at once with "database is locked" (a reader
/// whose snapshot went stale cannot become a writer) — seen when an account connected while the
/// publisher wrote.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_read_then_write_transactions_all_commit() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let pool = store.pool().clone();
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..25 {
                let mut tx = tokdeck_core::db::begin_write(&pool).await?;
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM settings")
                    .fetch_one(&mut *tx)
                    .await?;
                tokio::task::yield_now().await;
                sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 'now')")
                    .bind(format!("w{writer}-{round}"))
                    .bind(n.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            Ok::<(), sqlx::Error>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("every writer commits");
    }
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM settings WHERE key LIKE 'w%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 200);
}
