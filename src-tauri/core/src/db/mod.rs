//! The only place with SQL. Each module is one table (or one aggregate whose rows change
//! together in one transaction) and knows nothing but types: no services, no events, no
//! TikTok. Services call these functions with the pool from their `Ctx`.

pub mod account_post_settings;
pub mod accounts;
pub mod analytics;
pub mod audit;
pub mod backup;
pub mod caption_presets;
pub mod export;
pub mod open;
pub mod post_views;
pub mod posting_slots;
pub mod posts;
pub mod publish_jobs;
pub mod schedule;
pub mod settings;
pub mod store_files;

use sqlx::{Sqlite, SqlitePool, Transaction};

/// A transaction that will write. SQLite's default `BEGIN` (deferred) takes the write lock only
/// at the first write; in WAL mode a transaction that read first and finds another connection
/// committed since then fails at once with "database is locked", without waiting for the busy
/// timeout. `BEGIN IMMEDIATE` takes the write lock up front, so writers queue behind each other
/// (up to the busy timeout) instead of failing: an account connecting while the publisher
/// writes must not be refused.
pub async fn begin_write(pool: &SqlitePool) -> sqlx::Result<Transaction<'static, Sqlite>> {
    pool.begin_with("BEGIN IMMEDIATE").await
}
