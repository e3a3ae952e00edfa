//! P-accounts: one page of the account list (and of a search) at 100 accounts.
//! Goal: p99 ≤ 2 ms through the engine (SQL + DTOs). The reference, measured in the same run,
//! is the same SQL run by the `sqlite3` CLI on the same file.

mod common;
use common::{inline_anonymous, open_engine, pct, runtime, sqlite3_reference, CALLS};

use std::time::{Duration, Instant};

use tokdeck_core::accounts::{self, AccountQuery, Profile, TokenFacts};
use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::Engine;

const N: usize = 100;

async fn measure(engine: &Engine, q: &AccountQuery) -> Vec<Duration> {
    for _ in 0..50 {
        engine.list_accounts(q).await.unwrap();
    }
    let mut times = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let page = engine.list_accounts(q).await.unwrap();
        times.push(t.elapsed());
        assert!(!page.items.is_empty());
    }
    times.sort();
    times
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = open_engine(dir.path()).await;
        let pool = engine.store().pool();
        let now = engine.clock().now_ms();
        for i in 0..N {
            let p = Profile {
                open_id: format!("bench-{i:04}"),
                username: Some(format!("creator_{i:04}")),
                display_name: Some(if i % 3 == 0 { format!("Travel diaries {i}") } else { format!("Kitchen {i}") }),
                bio: Some("A creator with a reasonably long bio to make rows realistic.".into()),
                follower_count: Some(1000 + i as i64),
                likes_count: Some(50_000),
                video_count: Some(42),
                ..Default::default()
            };
            let t = TokenFacts {
                scopes: tokdeck_core::tiktok_config::DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect(),
                access_expires_at: now + 86_400_000,
                refresh_expires_at: now + 300 * 86_400_000,
            };
            accounts::upsert_connected(pool, &p, &t, tokdeck_core::tiktok_config::DEMO_APP, now).await.unwrap();
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();

        let list_q = AccountQuery::default();
        let search_q = AccountQuery { search: Some("travel".into()), ..Default::default() };
        let list = measure(&engine, &list_q).await;
        let search = measure(&engine, &search_q).await;

        let db = dir.path().join(DB_FILE);
        let limit = (accounts::DEFAULT_PAGE + 1).to_string();
        let list_sql = inline_anonymous(&accounts::list_sql(false, false), &["0".into(), limit.clone()]);
        let search_sql = inline_anonymous(
            &accounts::list_sql(false, true),
            &["0".into(), "'travel'".into(), limit.clone()],
        );
        for (name, times, sql) in [("list", &list, list_sql), ("search", &search, search_sql)] {
            let (p50, p99) = (pct(times, 0.50), pct(times, 0.99));
            println!(
                "P-accounts {name} p50/p99 {p50:.3}/{p99:.3} ms (goal p99 <= 2 ms) {}",
                if p99 <= 2.0 { "OK" } else { "MISSED" }
            );
            match sqlite3_reference(&db, &sql) {
                Some(r) => println!(
                    "  reference: sqlite3 CLI, same SQL and file, {r:.3} ms per statement; engine p50 / reference = {:.2}x",
                    p50 / r
                ),
                None => println!("  reference: sqlite3 CLI not available"),
            }
        }
        engine.shutdown().await;
    });
}
