//! P-backup: an automatic backup of a 100-account × 100,000-post database against
//! `sqlite3 .backup` of the same file in the same run (goal: ratio ≤ 1.2×), and the time to
//! restore a `.tokdeck-backup` of it into a fresh data folder (checks, safety backup, swap,
//! and the new engine opened on it).
//!
//! Three figures for ours: the copy alone (`VACUUM INTO`), the whole automatic backup (copy,
//! `PRAGMA integrity_check` of the copy, fsync, rename), each the best of 3 runs, like the
//! reference.

mod common;
use common::{insert_accounts, open_engine, runtime, secrets};

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use tokdeck_core::db::backup::{copy_into, BackupKind};
use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::{Engine, EngineConfig};

const ACCOUNTS: i64 = 100;
const POSTS: i64 = 100_000;
const RUNS: usize = 3;

fn best(times: &[Duration]) -> f64 {
    times.iter().min().unwrap().as_secs_f64() * 1000.0
}

async fn seed(engine: &Engine) {
    let pool = engine.store().pool();
    let mut tx = pool.begin().await.unwrap();
    insert_accounts(&mut tx, ACCOUNTS).await;
    let facts = r#"{"container":"mp4","codec":"h264","codecTag":"avc1","width":1080,"height":1920,"frameRate":30.0,"durationMs":30000,"sizeBytes":50000000}"#;
    let statuses = [
        "scheduled",
        "scheduled",
        "published",
        "draft",
        "needs_attention",
    ];
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..POSTS {
        let account = 1 + i % ACCOUNTS;
        sqlx::query(
            "INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path,
                media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
                scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at)
             VALUES (?, ?, 'direct', ?, 'PUBLIC_TO_EVERYONE', ?, 50000000, 0, ?, ?, ?, ?,
                'Europe/Paris', '', 0, 0, 0)",
        )
        .bind(account)
        .bind(statuses[rng.usize(..statuses.len())])
        .bind(format!("#sunset coffee recipe {} post {i}", rng.u32(..)))
        .bind(format!("/videos/{account}/{i}.mp4"))
        .bind(format!("{:064x}", rng.u128(..)))
        .bind(format!("{:064x}", rng.u128(..)))
        .bind(facts)
        .bind(1_767_225_600_000 + i * 900_000)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn sqlite3_backup(db: &Path, dest: &Path) -> Option<Duration> {
    let t = Instant::now();
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(format!(".backup '{}'", dest.display()))
        .output()
        .ok()?;
    let took = t.elapsed();
    out.status.success().then_some(took)
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let scratch = tempfile::tempdir().unwrap();
        let engine = open_engine(dir.path()).await;
        seed(&engine).await;
        let db = dir.path().join(DB_FILE);
        let size = std::fs::metadata(&db).unwrap().len();

        let (mut reference, mut copy, mut full) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..RUNS {
            let r = scratch.path().join(format!("ref-{i}.sqlite3"));
            match sqlite3_backup(&db, &r) {
                Some(t) => reference.push(t),
                None => println!("backup: sqlite3 CLI not available (scripts/setup.sh installs it)"),
            }
            let c = scratch.path().join(format!("copy-{i}.sqlite3"));
            let t = Instant::now();
            copy_into(engine.store().pool(), &c).await.unwrap();
            copy.push(t.elapsed());
            let t = Instant::now();
            engine.backup_into_data_dir(BackupKind::Daily).await.unwrap();
            full.push(t.elapsed());
        }
        let (copy_ms, full_ms) = (best(&copy), best(&full));
        let mb = size as f64 / 1e6;
        if reference.is_empty() {
            println!("backup {full_ms:.0} ms ({mb:.1} MB), copy alone {copy_ms:.0} ms");
        } else {
            let r = best(&reference);
            let verdict = if full_ms / r <= 1.2 { "met" } else { "not met" };
            println!(
                "backup of {ACCOUNTS} accounts x {POSTS} posts ({mb:.1} MB): sqlite3 .backup {r:.0} ms; \
                 ours copy alone (VACUUM INTO) {copy_ms:.0} ms = {:.2}x; \
                 ours whole automatic backup (copy + integrity check + fsync + rename) {full_ms:.0} ms = {:.2}x \
                 (goal <= 1.2x: {verdict})",
                copy_ms / r,
                full_ms / r,
            );
        }

        let file = scratch.path().join("bench.tokdeck-backup");
        let t = Instant::now();
        engine.back_up_now(&file, None).await.unwrap();
        let now_ms = t.elapsed().as_secs_f64() * 1000.0;
        engine.shutdown().await;

        let fresh = tempfile::tempdir().unwrap();
        let config = EngineConfig::new(fresh.path().to_path_buf(), secrets());
        let target = Engine::open(config.clone()).await.unwrap();
        let t = Instant::now();
        target.inspect_backup(&file, None).await.unwrap();
        let inspect_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        target.restore_backup(&file, None).await.unwrap();
        drop(target);
        let reopened = Engine::open(config).await.unwrap();
        let restore_ms = t.elapsed().as_secs_f64() * 1000.0;
        reopened.shutdown().await;
        println!(
            "back up now to a .tokdeck-backup {now_ms:.0} ms; inspect (preview) {inspect_ms:.0} ms; \
             restore into a fresh data folder incl. checks, safety backup, swap and reopening {restore_ms:.0} ms"
        );
    });
}
