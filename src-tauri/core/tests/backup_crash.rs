//! Backups when things go wrong, on real SQLite files: the process killed mid-backup, the
//! disk full mid-backup, a migration that fails, a damaged database at start, a failed
//! automatic backup. Each leaves the live database and the earlier backups as they were.
//!
//! The kill and the disk-full cases run the backup in a child process: this test binary run
//! again with `TOKDECK_BACKUP_CHILD` set, which makes `child_entry` do the backing up.

mod backup_common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use backup_common::{counts, file_counts, mock_keychain, open, seed};
use tokdeck_core::db::backup::{check, list, BackupKind, BACKUP_DIR};
use tokdeck_core::db::open::{Store, StoreError, DB_FILE, MIGRATOR};
use tokdeck_core::events::EngineEvent;
use tokdeck_core::{Engine, ErrorCode};

const CHILD_ENV: &str = "TOKDECK_BACKUP_CHILD";

/// Not a test of its own: the child process's body (returns at once in a normal run).
#[tokio::test]
async fn child_entry() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    let dir = std::path::PathBuf::from(std::env::var("TOKDECK_DATA_DIR").unwrap());
    let engine = open(&dir, mock_keychain()).await;
    match mode.as_str() {
        "loop" => loop {
            engine
                .backup_into_data_dir(BackupKind::Daily)
                .await
                .unwrap();
        },
        "disk-full" => {
            // Files may grow to half the database: the backup's copy cannot fit.
            let db = std::fs::metadata(dir.join(DB_FILE)).unwrap().len();
            limit_file_size(db / 2);
            let err = engine
                .backup_into_data_dir(BackupKind::Daily)
                .await
                .unwrap_err();
            println!("BACKUP-ERROR: {}", err.user_message());
            println!("STATUS: {:?}", engine.backup_status().last_failure);
        }
        _ => unreachable!(),
    }
}

fn limit_file_size(bytes: u64) {
    use nix::sys::resource::{setrlimit, Resource};
    use nix::sys::signal::{signal, SigHandler, Signal};
    // Past the limit the kernel sends SIGXFSZ, which would kill the process: ignored, the
    // write fails with EFBIG as a full disk would fail it.
    unsafe { signal(Signal::SIGXFSZ, SigHandler::SigIgn) }.unwrap();
    setrlimit(Resource::RLIMIT_FSIZE, bytes, bytes).unwrap();
}

fn child(dir: &Path, mode: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_entry", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .env("TOKDECK_DATA_DIR", dir);
    cmd
}

fn partials(dir: &Path) -> usize {
    std::fs::read_dir(dir.join(BACKUP_DIR))
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
                .count()
        })
        .unwrap_or(0)
}

async fn seeded(dir: &Path, posts_each: i64) {
    let engine = open(dir, mock_keychain()).await;
    seed(&engine, 20, posts_each).await;
    engine
        .backup_into_data_dir(BackupKind::PreRestore)
        .await
        .unwrap();
    engine.shutdown().await;
}

#[tokio::test]
async fn sigkill_during_a_backup_leaves_the_database_and_earlier_backups_intact() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), 1000).await;
    let before = list(dir.path());
    assert_eq!(before.len(), 1);

    let mut proc = child(dir.path(), "loop")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it the moment a backup is being written.
    let deadline = Instant::now() + Duration::from_secs(60);
    while partials(dir.path()) == 0 {
        assert!(
            Instant::now() < deadline,
            "the child never started a backup"
        );
        assert!(proc.try_wait().unwrap().is_none(), "the child ended early");
        std::thread::yield_now();
    }
    proc.kill().unwrap(); // SIGKILL
    proc.wait().unwrap();
    assert_eq!(partials(dir.path()), 1, "killed mid-backup");

    // The partial file is not a backup; the earlier one is intact.
    let after = list(dir.path());
    assert!(after
        .iter()
        .all(|b| !b.path.to_string_lossy().contains("partial")));
    assert!(after.contains(&before[0]));
    for b in &after {
        assert!(check::check_file(&b.path).await.unwrap().is_some(), "{b:?}");
    }
    assert_eq!(file_counts(&before[0].path).await, (20, 20_000));

    // The live database opens (its quick check passes) with every row; the next backup
    // removes the partial file.
    let engine = open(dir.path(), mock_keychain()).await;
    assert_eq!(counts(&engine).await, (20, 20_000));
    engine
        .backup_into_data_dir(BackupKind::Daily)
        .await
        .unwrap();
    assert_eq!(partials(dir.path()), 0);
    engine.shutdown().await;
}

#[tokio::test]
async fn a_full_disk_during_a_backup_is_a_clear_error_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), 500).await;
    let before = list(dir.path());
    let out = child(dir.path(), "disk-full").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find(|l| l.contains("BACKUP-ERROR: "))
        .unwrap_or_else(|| panic!("no error line in {stdout}"));
    assert!(line.contains("Tokdeck could not make a backup"), "{line}");
    assert!(line.contains("disk"), "names the cause: {line}");
    assert!(line.contains("Free some space"), "says what to do: {line}");
    assert!(
        stdout.contains("STATUS: Some("),
        "the status keeps the failure: {stdout}"
    );

    assert_eq!(partials(dir.path()), 0, "the partial copy was removed");
    assert_eq!(list(dir.path()), before, "earlier backups untouched");
    let engine = open(dir.path(), mock_keychain()).await;
    assert_eq!(counts(&engine).await, (20, 10_000));
    engine.shutdown().await;
}

#[tokio::test]
async fn a_failed_automatic_backup_is_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path(), mock_keychain()).await;
    let mut events = engine.events().subscribe();
    // A file where the backups folder should be: the folder cannot be created.
    std::fs::write(dir.path().join(BACKUP_DIR), b"in the way").unwrap();
    let err = engine
        .backup_into_data_dir(BackupKind::Daily)
        .await
        .unwrap_err();
    assert!(err.user_message().contains("could not make a backup"));
    let status = engine.backup_status();
    assert!(status.last_good_at.is_none());
    let failure = status
        .last_failure
        .expect("the failure is kept for Settings");
    assert!(failure.reason.contains("folder"), "{}", failure.reason);
    let notified = loop {
        match events.try_recv() {
            Ok(EngineEvent::Notify { title, body, .. }) => break (title, body),
            Ok(_) => continue,
            Err(e) => panic!("no notification: {e:?}"),
        }
    };
    assert_eq!(notified.0, "Backup failed");
    std::fs::remove_file(dir.path().join(BACKUP_DIR)).unwrap();
    engine
        .backup_into_data_dir(BackupKind::Daily)
        .await
        .unwrap();
    let status = engine.backup_status();
    assert!(status.last_failure.is_none() && status.last_good_at.is_some());
    engine.shutdown().await;
}

/// This app's migrations plus `extra` (name, SQL) in a folder, for `Migrator::new`.
async fn migrator_with(dir: &Path, extra: &[(&str, &str)]) -> sqlx::migrate::Migrator {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for e in std::fs::read_dir(src).unwrap().flatten() {
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    for (name, sql) in extra {
        std::fs::write(dir.join(name), sql).unwrap();
    }
    sqlx::migrate::Migrator::new(dir).await.unwrap()
}

#[tokio::test]
async fn a_migration_runs_only_after_a_backup_and_a_failing_one_leaves_the_database_as_it_was() {
    let (dir, m_ok, m_bad) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    seeded(dir.path(), 10).await;
    let known = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    let v1 = known + 1;

    // A good update: the pre-migration backup holds the data as it was before.
    let good = migrator_with(
        m_ok.path(),
        &[(&format!("{v1}_extra.sql"), "CREATE TABLE extra (x);")],
    )
    .await;
    let store = Store::open_with(dir.path(), &good).await.unwrap();
    store.close().await;
    drop(store);
    let pre = list(dir.path())
        .into_iter()
        .find(|b| b.kind == BackupKind::PreMigration)
        .expect("a pre-migration backup");
    assert_eq!(
        check::check_file(&pre.path)
            .await
            .unwrap()
            .unwrap()
            .schema_version,
        Some(known)
    );

    // A bad update: the first new migration applies, the second fails; the database goes back
    // to exactly what it had (schema and rows).
    let v2 = v1 + 1;
    let bad = migrator_with(
        m_bad.path(),
        &[
            (&format!("{v1}_extra.sql"), "CREATE TABLE extra (x);"),
            (
                &format!("{v2}_more.sql"),
                "CREATE TABLE more (y); INSERT INTO posts (id) VALUES (1);",
            ),
            (&format!("{}_broken.sql", v2 + 1), "THIS IS NOT SQL;"),
        ],
    )
    .await;
    let before = file_counts(&dir.path().join(DB_FILE)).await;
    let err = Store::open_with(dir.path(), &bad).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Migrate {
                restored_from: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("put back as it was"), "{err}");
    let store = Store::open_with(dir.path(), &good).await.unwrap();
    let (more,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'more'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(more, 0, "the half-applied update is gone");
    let (version,): (i64,) = sqlx::query_as("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(version, v1);
    store.close().await;
    assert_eq!(file_counts(&dir.path().join(DB_FILE)).await, before);
}

#[tokio::test]
async fn a_damaged_database_names_the_latest_good_backup_which_restores_it() {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), 200).await;
    let good = list(dir.path())[0].clone();
    let path = dir.path().join(DB_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let len = bytes.len();
    for b in &mut bytes[len / 2..len / 2 + 8192] {
        *b = 0xAB;
    }
    std::fs::write(&path, &bytes).unwrap();

    let err = Engine::open(backup_common::config(dir.path(), mock_keychain()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Damaged, "{err}");
    let msg = err.user_message();
    assert!(
        msg.contains("Restore the latest good backup, from"),
        "{msg}"
    );
    assert!(
        msg.contains(&good.created_at.format("%-d %b %Y").to_string()),
        "{msg}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), bytes, "left untouched");
    // The damaged-start screen names the same backup by its date.
    let latest = Engine::latest_good_backup(dir.path())
        .await
        .expect("a date");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(&latest).unwrap(),
        good.created_at,
        "{latest}"
    );

    let recovered = Engine::recover_damaged(dir.path()).await.unwrap();
    let kept = Path::new(&recovered.damaged_kept_in).join(DB_FILE);
    assert_eq!(
        std::fs::read(kept).unwrap(),
        bytes,
        "the damaged file is kept aside"
    );
    let engine = open(dir.path(), mock_keychain()).await;
    assert_eq!(counts(&engine).await, (20, 4000));
    engine.shutdown().await;
}
