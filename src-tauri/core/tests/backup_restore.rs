//! "Back up now" and restore, on real SQLite files: a good backup restored into a fresh data
//! folder (accounts, posts and tokens back), and every bad file refused with a clear message
//! while the current data stays as it was.

mod backup_common;

use std::path::{Path, PathBuf};

use backup_common::{counts, mock_keychain, open, seed};
use tokdeck_core::backup::ExportFormat;
use tokdeck_core::db::backup::{list, BackupKind};
use tokdeck_core::Engine;

const PASS: &str = "correct horse battery";

async fn source_backup(dir: &Path, out: &Path, passphrase: Option<&str>) -> PathBuf {
    let engine = open(dir, mock_keychain()).await;
    seed(&engine, 3, 10).await;
    let file = out.join("mine.tokdeck-backup");
    let manifest = engine.back_up_now(&file, passphrase).await.unwrap();
    assert_eq!(manifest.accounts.len(), 3);
    assert_eq!(manifest.accounts[0].handle, "@creator1");
    assert_eq!(manifest.post_counts.values().sum::<i64>(), 30);
    assert_eq!(manifest.tokens_included, passphrase.is_some());
    engine.shutdown().await;
    file
}

/// A running engine with other data, which a refused restore must leave alone.
async fn current(dir: &Path) -> std::sync::Arc<Engine> {
    let engine = open(dir, mock_keychain()).await;
    seed(&engine, 1, 4).await;
    engine
}

async fn assert_refused(engine: &Engine, file: &Path, pass: Option<&str>, words: &str) {
    let before = counts(engine).await;
    let err = engine.restore_backup(file, pass).await.unwrap_err();
    let msg = err.user_message();
    assert!(msg.contains(words), "{msg}");
    assert!(!msg.contains("token-"), "no secret in: {msg}");
    assert!(
        !engine.is_shut_down(),
        "a refused restore leaves the engine running"
    );
    assert_eq!(counts(engine).await, before, "current data untouched");
    let staging: Vec<_> = std::fs::read_dir(engine.data_dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".restore-"))
        .collect();
    assert!(staging.is_empty(), "no staging file left");
}

#[tokio::test]
async fn a_good_backup_restores_into_a_fresh_data_dir_with_its_tokens() {
    let (src, out, fresh) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), Some(PASS)).await;
    let keychain = mock_keychain();
    let engine = open(fresh.path(), keychain.clone()).await;

    let preview = engine.inspect_backup(&file, Some(PASS)).await.unwrap();
    assert!(preview.tokens_unlocked);
    assert_eq!(preview.manifest.accounts.len(), 3);
    assert_eq!(
        preview.missing_videos.len(),
        30,
        "videos of another machine are listed"
    );

    let report = engine.restore_backup(&file, Some(PASS)).await.unwrap();
    assert_eq!(report.tokens_restored, 6);
    assert!(report.tokens_problem.is_none());
    assert!(engine.is_shut_down());
    assert!(
        Path::new(&report.safety_backup).exists(),
        "safety backup taken first"
    );
    drop(engine);

    // The shell's part: a new engine on the same folder, no process restart.
    let engine = open(fresh.path(), keychain.clone()).await;
    assert_eq!(counts(&engine).await, (3, 30));
    let token = keychain
        .get("account:open-2:refresh")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.expose(), "refresh-token-2");
    assert!(list(fresh.path())
        .iter()
        .any(|b| b.kind == BackupKind::PreRestore));
    assert_eq!(engine.missing_videos().await.unwrap().len(), 30);
    engine.shutdown().await;
}

/// However many restores reopen the data, one daily backup task runs: the engine that
/// restored stops every worker of its own for good, and the one opened after it starts its
/// workers once, however often it is asked.
#[tokio::test]
async fn reopening_after_restores_leaves_one_daily_backup_task() {
    let (src, out, dir) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), None).await;
    let keychain = mock_keychain();
    let mut engine = open(dir.path(), keychain.clone()).await;
    engine.start_background();
    for _ in 0..3 {
        engine.restore_backup(&file, None).await.unwrap();
        assert!(
            engine.running_workers().is_empty(),
            "the old engine's workers stopped"
        );
        engine.start_background();
        assert!(engine.running_workers().is_empty(), "and never start again");
        engine = open(dir.path(), keychain.clone()).await;
        engine.start_background();
        engine.start_background();
    }
    let daily = engine
        .running_workers()
        .into_iter()
        .filter(|w| *w == "daily backup")
        .count();
    assert_eq!(daily, 1);
    engine.shutdown().await;
}

#[tokio::test]
async fn without_a_passphrase_the_data_is_restored_but_not_the_tokens() {
    let (src, out, fresh) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), Some(PASS)).await;
    let keychain = mock_keychain();
    let engine = open(fresh.path(), keychain.clone()).await;
    let report = engine.restore_backup(&file, None).await.unwrap();
    assert_eq!(report.tokens_restored, 0);
    drop(engine);
    let engine = open(fresh.path(), keychain.clone()).await;
    assert_eq!(counts(&engine).await, (3, 30));
    assert!(keychain
        .get("account:open-1:refresh")
        .await
        .unwrap()
        .is_none());
    engine.shutdown().await;
}

#[tokio::test]
async fn a_wrong_passphrase_is_refused() {
    let (src, out, cur) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), Some(PASS)).await;
    let engine = current(cur.path()).await;
    assert_refused(
        &engine,
        &file,
        Some("not the one"),
        "passphrase is not the one",
    )
    .await;
    let err = engine
        .inspect_backup(&file, Some("nope nope"))
        .await
        .unwrap_err();
    assert!(err.user_message().contains("passphrase"));
    engine.shutdown().await;
}

#[tokio::test]
async fn a_truncated_file_is_refused() {
    let (src, out, cur) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), None).await;
    let bytes = std::fs::read(&file).unwrap();
    let engine = current(cur.path()).await;
    for keep in [bytes.len() / 2, bytes.len() - 2048, 700, 0] {
        let cut = out.path().join(format!("cut-{keep}.tokdeck-backup"));
        std::fs::write(&cut, &bytes[..keep]).unwrap();
        assert_refused(&engine, &cut, None, "incomplete").await;
    }
    engine.shutdown().await;
}

#[tokio::test]
async fn a_corrupted_file_is_refused() {
    let (src, out, cur) = (tempdir(), tempdir(), tempdir());
    let file = source_backup(src.path(), out.path(), None).await;
    let mut bytes = std::fs::read(&file).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5A;
    }
    let bad = out.path().join("bad.tokdeck-backup");
    std::fs::write(&bad, &bytes).unwrap();
    let engine = current(cur.path()).await;
    assert_refused(&engine, &bad, None, "damaged").await;
    let junk = out.path().join("junk.tokdeck-backup");
    std::fs::write(&junk, b"hello, I am a text file".repeat(100)).unwrap();
    assert_refused(&engine, &junk, None, "not a Tokdeck backup").await;
    engine.shutdown().await;
}

#[tokio::test]
async fn a_backup_from_a_newer_schema_is_refused() {
    let (src, out, cur) = (tempdir(), tempdir(), tempdir());
    let engine = open(src.path(), mock_keychain()).await;
    seed(&engine, 1, 2).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99999, 'from the future', 1, x'00', 0)",
    )
    .execute(engine.store().pool())
    .await
    .unwrap();
    let file = out.path().join("future.tokdeck-backup");
    engine.back_up_now(&file, None).await.unwrap();
    engine.shutdown().await;
    let engine = current(cur.path()).await;
    assert_refused(&engine, &file, None, "newer Tokdeck").await;
    engine.shutdown().await;
}

#[tokio::test]
async fn a_short_passphrase_is_refused_before_anything_is_written() {
    let (src, out) = (tempdir(), tempdir());
    let engine = open(src.path(), mock_keychain()).await;
    let file = out.path().join("x.tokdeck-backup");
    let err = engine.back_up_now(&file, Some("short")).await.unwrap_err();
    assert!(err.user_message().contains("at least 8"));
    assert!(!file.exists());
    engine.shutdown().await;
}

#[tokio::test]
async fn export_writes_posts_accounts_activity_and_analytics_without_secrets() {
    let (src, out) = (tempdir(), tempdir());
    let engine = open(src.path(), mock_keychain()).await;
    seed(&engine, 2, 3).await;
    // Analytics history: two snapshots of creator 2, one video of creator 1 with two samples.
    sqlx::raw_sql(
        "INSERT INTO account_snapshots (account_id, taken_at, follower_count, following_count,
                                        likes_count, video_count)
         VALUES (2, 1767225600000, 1500, 10, 90000, 12), (2, 1767312000000, 1523, 10, 91000, 13);
         INSERT INTO post_performance (id, account_id, video_id, match_kind, visibility, caption,
                                       published_at, created_at, updated_at)
         VALUES (1, 1, '7400000000000000001', 'imported', 'public', 'a dance', 1767225600000, 0, 0);
         INSERT INTO performance_samples (performance_id, account_id, published_at, age_bucket,
                                          sampled_at, views, likes, comments, shares)
         VALUES (1, 1, 1767225600000, 1, 1767229200000, 321, 12, 3, 1),
                (1, 1, 1767225600000, 24, 1767312000000, 98765, 4321, 55, 21);",
    )
    .execute(engine.store().pool())
    .await
    .unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        let report = engine.export_data(out.path(), format).await.unwrap();
        assert_eq!((report.posts, report.accounts), (6, 2));
        assert_eq!((report.snapshots, report.samples), (2, 2));
        let ext = if format == ExportFormat::Csv {
            "csv"
        } else {
            "json"
        };
        let history =
            std::fs::read_to_string(out.path().join(format!("tokdeck-account-history.{ext}")))
                .unwrap();
        assert!(
            history.contains("1523") && history.contains("@creator2"),
            "{history}"
        );
        let samples =
            std::fs::read_to_string(out.path().join(format!("tokdeck-post-samples.{ext}")))
                .unwrap();
        assert!(samples.contains("98765") && samples.contains("7400000000000000001"));
        let all: String = report
            .files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        assert!(all.contains("2026-01-01T00:00:00.000Z"), "UTC time");
        assert!(
            all.contains("2025-12-31T19:00:00-05:00"),
            "the post's own zone"
        );
        assert!(all.contains("@creator2"));
        assert!(!all.contains("token-"), "no secrets in exports");
    }
    let csv = std::fs::read_to_string(out.path().join("tokdeck-posts.csv")).unwrap();
    assert!(csv.contains("\"post 0 of creator 1, with a \"\"quote\"\", a comma\""));
    engine.shutdown().await;
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

mod media_common;

#[tokio::test]
async fn moved_videos_are_found_in_a_folder_by_their_content() {
    let (data, videos, moved) = (tempdir(), tempdir(), tempdir());
    let engine = open(data.path(), mock_keychain()).await;
    seed(&engine, 1, 0).await;
    let video = media_common::h264(videos.path(), "clip.mp4", 1.0);
    let other = media_common::h264(videos.path(), "other.mp4", 2.0);
    let input = tokdeck_core::posts::ComposeInput {
        account_id: 1,
        media_path: video.to_string_lossy().into_owned(),
        caption: "moved".into(),
        privacy_level: Some("SELF_ONLY".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Default::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: tokdeck_core::posts::PostMode::Direct,
    };
    let post = engine.create_draft(&input, None).await.unwrap();
    assert!(engine.missing_videos().await.unwrap().is_empty());

    // On the new machine the file is elsewhere, under another name, next to a different one.
    let nested = moved.path().join("2026/december");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::rename(&video, nested.join("renamed.mp4")).unwrap();
    std::fs::rename(&other, moved.path().join("clip.mp4")).unwrap();
    let missing = engine.missing_videos().await.unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].post_id, post.id);

    let report = engine.relink_folder(moved.path()).await.unwrap();
    assert_eq!(report.relinked, vec![post.id], "{report:?}");
    assert!(report.still_missing.is_empty() && report.not_relinked.is_empty());
    assert!(engine.missing_videos().await.unwrap().is_empty());
    let (path,): (String,) = sqlx::query_as("SELECT media_path FROM posts WHERE id = ?")
        .bind(post.id)
        .fetch_one(engine.store().pool())
        .await
        .unwrap();
    assert!(path.ends_with("2026/december/renamed.mp4"), "{path}");
    engine.shutdown().await;
}
