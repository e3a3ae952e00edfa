//! P-analytics: the Analytics page's queries at 100 accounts × 2 years of daily snapshots and
//! 100,000 videos × 10 samples (1,000 per account). Goal: p99 ≤ 2 ms per query through the
//! engine (SQL + DTOs). The reference, measured in the same run, is the same SQL run by the
//! `sqlite3` CLI on the same file (skipped, with a message, when the CLI is not installed).

mod common;
use common::{inline, insert_accounts, open_engine, report, runtime, sqlite3_reference, CALLS};

use std::time::{Duration, Instant};

use tokdeck_core::analytics::schedule::AGE_BUCKETS_H;
use tokdeck_core::analytics::{TopPostsQuery, TopSort};
use tokdeck_core::db::analytics::metrics;
use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::Engine;

const ACCOUNTS: i64 = 100;
const DAYS: i64 = 730;
const VIDEOS: i64 = 100_000;
/// 2025-01-01T00:00Z: two years of history before the bench's "now".
const START_MS: i64 = 1_735_689_600_000;
const DAY_MS: i64 = 86_400_000;

/// Times `CALLS` runs of `call(i)` after 50 warm-up runs; answers the times and the last rows.
async fn measure<F, Fut>(call: F) -> (Vec<Duration>, usize)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(CALLS);
    let mut rows = 0;
    for i in 0..(CALLS + 50) {
        let t = Instant::now();
        rows = call(i).await;
        if i >= 50 {
            times.push(t.elapsed());
        }
    }
    (times, rows)
}

fn account(i: usize) -> i64 {
    1 + (i as i64 * 37) % ACCOUNTS
}

async fn seed(engine: &Engine) {
    let pool = engine.store().pool();
    let seeding = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    insert_accounts(&mut tx, ACCOUNTS).await;
    // Daily snapshots for two years, at a per-account minute of the day.
    sqlx::query(
        "WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < ?1 - 1)
         INSERT INTO account_snapshots (account_id, taken_at, follower_count, following_count,
                                        likes_count, video_count)
         SELECT a.id, ?2 + d.i * ?3 + a.id * 60000, 1000 + d.i * 20 + a.id, 180,
                50000 + d.i * 150, d.i / 2
           FROM accounts a, d",
    )
    .bind(DAYS)
    .bind(START_MS)
    .bind(DAY_MS)
    .execute(&mut *tx)
    .await
    .unwrap();
    // 1,000 videos per account over the two years, pseudo-random hours and reach.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
         INSERT INTO post_performance (id, account_id, video_id, match_kind, visibility, caption,
                published_at, live_at, views, likes, comments, shares, counted_at, created_at,
                updated_at)
         SELECT i + 1, 1 + i % 100, CAST(7300000000000000000 + i AS TEXT), 'imported', 'public',
                'video number ' || i, ?2 + (i / 100) * (?3 * 730 / 1000) + (i * 7919) % ?3,
                ?2, (i * 48271) % 250000, (i * 48271) % 250000 / 12, (i * 16807) % 900,
                (i * 69621) % 400, ?2, ?2, ?2
           FROM n",
    )
    .bind(VIDEOS)
    .bind(START_MS)
    .bind(DAY_MS)
    .execute(&mut *tx)
    .await
    .unwrap();
    // Ten samples each (1 h to 58 d), growing with age.
    sqlx::query(
        "WITH b(k, h) AS (VALUES (0, 1), (1, 6), (2, 24), (3, 72), (4, 168), (5, 720), (6, 888),
                                 (7, 1056), (8, 1224), (9, 1392))
         INSERT INTO performance_samples (performance_id, account_id, published_at, age_bucket,
                                          sampled_at, views, likes, comments, shares)
         SELECT p.id, p.account_id, p.published_at, b.h, p.published_at + b.h * 3600000,
                p.views * (b.k + 1) / 10, p.likes * (b.k + 1) / 10, p.comments * (b.k + 1) / 10,
                p.shares * (b.k + 1) / 10
           FROM post_performance p, b",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    println!(
        "seeded {ACCOUNTS} accounts x {DAYS} daily snapshots and {VIDEOS} videos x 10 samples in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = open_engine(dir.path()).await;
        seed(&engine).await;
        let db = dir.path().join(DB_FILE);
        let e = &engine;
        let n = |s: i64| s.to_string();

        // Growth chart: one account's two years of snapshots.
        let (mut t, rows) = measure(|i| async move {
            e.account_series(account(i), None, None)
                .await
                .unwrap()
                .points
                .len()
        })
        .await;
        let sql = inline(metrics::SERIES_SQL, &[n(42), n(0), n(i64::MAX)]);
        report(
            "P-analytics account series (730 days)",
            &mut t,
            sqlite3_reference(&db, &sql),
            rows,
        );

        // A post's curve with the account's median at each age.
        let (mut t, rows) = measure(|i| async move {
            let id = 1 + (i as i64 * 7919) % VIDEOS;
            e.post_curve(id).await.unwrap().points.len()
        })
        .await;
        // One statement: the row, its samples and the account's medians per age.
        let mut params = vec![n(4242)];
        params.extend(AGE_BUCKETS_H.iter().map(|b| n(*b as i64)));
        let script = inline(&metrics::post_curve_sql(AGE_BUCKETS_H.len()), &params);
        report(
            "P-analytics post curve + account medians",
            &mut t,
            sqlite3_reference(&db, &script),
            rows,
        );

        // Top posts: every sort, of one account and of all accounts, over all time; and the
        // last 30 days of all accounts and of one.
        let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
        let sorts = [
            TopSort::Views,
            TopSort::Likes,
            TopSort::Comments,
            TopSort::Shares,
            TopSort::Recent,
        ];
        let cases = sorts
            .iter()
            .flat_map(|s| [(*s, false, false), (*s, true, false)])
            .chain([(TopSort::Views, true, true), (TopSort::Likes, false, true)]);
        for (sort, all, recent) in cases {
            let since = recent.then(|| month_ago.to_rfc3339());
            let (mut t, rows) = measure(|i| {
                let since = since.clone();
                async move {
                    let q = TopPostsQuery {
                        account_id: (!all).then(|| account(i)),
                        sort,
                        limit: Some(50),
                        since,
                    };
                    e.top_posts(&q).await.unwrap().len()
                }
            })
            .await;
            let account = if all { "NULL".into() } else { n(42) };
            let from = if recent {
                n(month_ago.timestamp_millis())
            } else {
                n(0)
            };
            // The engine counts the period's rows first: one account's month (~40 rows) is read
            // by publish time, all accounts' (~4,100) walk the sort's index.
            let reads_period = recent && !all;
            let mut sql = inline(
                &metrics::top_sql(sort, !all, reads_period),
                &[account.clone(), from.clone(), n(50)],
            );
            if recent {
                sql = format!(
                    "{};\n{sql}",
                    if all {
                        inline(metrics::PERIOD_ROWS_ALL_SQL, &[from])
                    } else {
                        inline(metrics::PERIOD_ROWS_SQL, &[account, from])
                    }
                );
            }
            let name = format!(
                "P-analytics top 50 by {sort:?} ({}{})",
                if all { "all 100 accounts" } else { "1 account" },
                if recent { ", last 30 days" } else { "" }
            );
            report(&name, &mut t, sqlite3_reference(&db, &sql), rows);
        }

        // Best time to post: one account's 24-hour views by weekday and hour, in a zone.
        let (mut t, rows) = measure(|i| async move {
            e.best_time_heatmap(account(i), "Europe/Paris")
                .await
                .unwrap()
                .posts as usize
        })
        .await;
        let sql = inline(metrics::DAY_VIEWS_SQL, &[n(42), n(24)]);
        report(
            "P-analytics best-time heatmap (1 account)",
            &mut t,
            sqlite3_reference(&db, &sql),
            rows,
        );
        engine.shutdown().await;
    });
}
