//! Shared by the backup tests: an engine on a temp data folder with an in-memory keychain,
//! seeded by SQL with accounts and posts (and keychain tokens) so every test starts from
//! real data in a real SQLite file.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use tokdeck_core::secrets::{Secret, Secrets};
use tokdeck_core::{Engine, EngineConfig};

pub fn config(dir: &Path, secrets: Secrets) -> EngineConfig {
    EngineConfig::new(dir.to_path_buf(), secrets)
}

pub fn mock_keychain() -> Secrets {
    Secrets::with_store(
        "tokdeck-backup-test",
        keyring_core::mock::Store::new().unwrap(),
    )
}

pub async fn open(dir: &Path, secrets: Secrets) -> Arc<Engine> {
    Engine::open(config(dir, secrets)).await.unwrap()
}

/// `accounts` accounts (`creator1`…) with `posts_each` posts each, and their tokens.
pub async fn seed(engine: &Engine, accounts: i64, posts_each: i64) {
    let pool = engine.store().pool();
    let mut tx = pool.begin().await.unwrap();
    for a in 1..=accounts {
        sqlx::query(
            "INSERT INTO accounts (id, open_id, username, display_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, 0, 0)",
        )
        .bind(a)
        .bind(format!("open-{a}"))
        .bind(format!("creator{a}"))
        .bind(format!("Creator {a}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        for i in 0..posts_each {
            let status = ["draft", "scheduled", "published"][(i % 3) as usize];
            sqlx::query(
                "INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path,
                    media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
                    scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at)
                 VALUES (?, ?, 'direct', ?, 'PUBLIC_TO_EVERYONE', ?, 5000, 0, 'h', 't', '{}',
                    1767225600000, 'America/New_York', '2025-12-31T19:00', 0, 0, 0)",
            )
            .bind(a)
            .bind(status)
            .bind(format!(
                "post {i} of creator {a}, with a \"quote\", a comma"
            ))
            .bind(format!("/nowhere/videos/{a}/{i}.mp4"))
            .execute(&mut *tx)
            .await
            .unwrap();
        }
    }
    tx.commit().await.unwrap();
    for a in 1..=accounts {
        for kind in ["access", "refresh"] {
            engine
                .secrets()
                .set(
                    &format!("account:open-{a}:{kind}"),
                    &Secret::new(format!("{kind}-token-{a}")),
                )
                .await
                .unwrap();
        }
    }
}

/// (accounts, posts) in the engine's database.
pub async fn counts(engine: &Engine) -> (i64, i64) {
    let pool = engine.store().pool();
    let (a,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
        .fetch_one(pool)
        .await
        .unwrap();
    let (p,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts")
        .fetch_one(pool)
        .await
        .unwrap();
    (a, p)
}

/// (accounts, posts) in a database file, read-only.
pub async fn file_counts(path: &Path) -> (i64, i64) {
    let pool = tokdeck_core::db::export::open_file(path).await.unwrap();
    let (a,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (p,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM posts")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    (a, p)
}
