//! P-calendar / P-queue: a month of the calendar and a queue search at 100 accounts and
//! 100,000 posts (1,000 per account over three years). Goal: p99 ≤ 2 ms through the engine
//! (SQL + DTOs). The reference, measured in the same run, is the same SQL run by the `sqlite3`
//! CLI on the same file.

mod common;
use common::{
    inline, inline_anonymous, insert_accounts, open_engine, quoted, report, runtime,
    sqlite3_reference, CALLS,
};

use std::time::Instant;

use tokdeck_core::db::open::DB_FILE;
use tokdeck_core::posts::{self, QueueQuery};

const ACCOUNTS: i64 = 100;
const POSTS: i64 = 100_000;
const WORDS: &[&str] = &[
    "sunset",
    "coffee",
    "recipe",
    "workout",
    "travel",
    "tutorial",
    "unboxing",
    "review",
    "morning",
    "routine",
    "dance",
    "challenge",
    "comedy",
    "skit",
    "garden",
    "vlog",
    "makeup",
    "fashion",
    "haul",
    "study",
    "tips",
    "budget",
    "minimal",
    "kitchen",
    "puppy",
    "kitten",
    "hiking",
    "beach",
    "city",
    "night",
    "lofi",
    "guitar",
    "piano",
    "cover",
    "behind",
    "scenes",
    "launch",
    "sale",
    "giveaway",
    "storytime",
    "dinner",
    "lunch",
    "breakfast",
    "smoothie",
    "painting",
    "sketch",
    "coding",
    "setup",
    "desk",
    "bookshelf",
];

/// The month view's statement, inlined for the CLI.
fn month_reference(
    db: &std::path::Path,
    start: i64,
    end: i64,
    account: Option<i64>,
) -> Option<f64> {
    let day = 86_400_000i64;
    let bounds: Vec<i64> = (start..=end).step_by(day as usize).collect();
    let n = bounds.len() - 1;
    let mut params: Vec<String> = posts::calendar_day_values(&bounds)
        .into_iter()
        .flatten()
        .map(|v| v.to_string())
        .collect();
    if let Some(a) = account {
        params.extend([a.to_string(), a.to_string()]);
    }
    params.push(posts::MONTH_ITEMS_PER_DAY.to_string());
    sqlite3_reference(
        db,
        &inline_anonymous(&posts::calendar_range_sql(n, account.is_some()), &params),
    )
}

/// The queue's statement for `q`, inlined for the CLI.
fn queue_reference(db: &std::path::Path, q: &QueueQuery) -> Option<f64> {
    let search = posts::queue_search(q);
    let term = q.search.as_deref().unwrap_or_default().trim();
    let params = [
        q.account_id.map_or("NULL".into(), |a| a.to_string()),
        quoted(&posts::like_pattern(term)),
        quoted(&posts::fts_phrase(term)),
        posts::queue_limits(q).0.to_string(),
        posts::queue_limits(q).1.to_string(),
    ];
    let sql = posts::queue_sql(q.account_id.is_some(), search, posts::queue_limits(q).1 > 0);
    sqlite3_reference(db, &inline(&sql, &params))
}

/// A Queue page case: its name, the search of call `i`, the search the CLI runs.
type PageCase = (&'static str, fn(usize) -> Option<String>, Option<String>);

/// What the Queue page sends first (ui/src/pages/QueuePage.svelte): every account, 50
/// upcoming and the 25 latest finished posts ("Show more" asks for the next page).
fn page_query(search: Option<String>) -> QueueQuery {
    QueueQuery {
        account_id: None,
        search,
        limit: Some(50),
        finished_limit: Some(25),
    }
}

fn main() {
    let rt = runtime();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let engine = open_engine(dir.path()).await;
        let pool = engine.store().pool();

        let seeding = Instant::now();
        let mut tx = pool.begin().await.unwrap();
        insert_accounts(&mut tx, ACCOUNTS).await;
        let facts = r#"{"container":"mp4","codec":"h264","codecTag":"avc1","width":1080,"height":1920,"frameRate":30.0,"durationMs":30000,"sizeBytes":50000000}"#;
        // 2026-01-01T00:00Z + three years, spread evenly with jitter.
        let start_ms: i64 = 1_767_225_600_000;
        let span_ms: i64 = 3 * 365 * 24 * 3600 * 1000;
        let mut rng = fastrand::Rng::with_seed(7);
        let statuses = ["scheduled", "scheduled", "scheduled", "published", "draft", "needs_attention"];
        for i in 0..POSTS {
            let account = 1 + i % ACCOUNTS;
            let at = start_ms + (span_ms / POSTS) * i + rng.i64(0..3_600_000);
            let caption: Vec<&str> = (0..6).map(|_| WORDS[rng.usize(..WORDS.len())]).collect();
            sqlx::query(
                "INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path,
                    media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts,
                    scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at)
                 VALUES (?, ?, 'direct', ?, 'PUBLIC_TO_EVERYONE', ?, 50000000, 0, 'h', 't', ?, ?,
                    'Europe/Paris', '', 0, 0, 0)",
            )
            .bind(account)
            .bind(statuses[rng.usize(..statuses.len())])
            .bind(format!("#{} {} post {i}", caption[0], caption[1..].join(" ")))
            .bind(format!("/videos/{account}/{i}.mp4"))
            .bind(facts)
            .bind(at)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        // No ANALYZE: the app never runs it, so the plans measured here are the app's (the
        // queue's SQL names its indexes; with statistics FTS5 also re-prepares on every search).
        println!(
            "seeded {ACCOUNTS} accounts x {} posts = {POSTS} posts in {:.1} s",
            POSTS / ACCOUNTS,
            seeding.elapsed().as_secs_f64()
        );
        let db = dir.path().join(DB_FILE);
        // A copy of the seeded file to study plans with the CLI afterwards.
        if let Ok(keep) = std::env::var("TOKDECK_BENCH_KEEP_DB") {
            let _ = std::fs::remove_file(&keep);
            sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO {}", quoted(&keep))))
                .execute(pool)
                .await
                .unwrap();
            println!("seeded file copied to {keep}");
        }

        // P-calendar: a month of one account (the calendar filtered by account).
        let (month_start, month_end) = (1_798_761_600_000i64, 1_801_440_000_000i64); // 2027-01 UTC
        let mut times = Vec::with_capacity(CALLS);
        let mut rows = 0;
        for i in 0..(CALLS + 50) {
            let account = 1 + (i as i64 % ACCOUNTS);
            let t = Instant::now();
            let r = engine
                .calendar_month(2027, 1, "UTC", Some(account))
                .await
                .unwrap();
            if i >= 50 {
                times.push(t.elapsed());
            }
            rows = r.items.len();
        }
        let reference = month_reference(&db, month_start, month_end, Some(42));
        report("P-calendar month (1 account)", &mut times, reference, rows);

        // The same month over all 100 accounts (~2,800 posts): reported, not the goal's case.
        let mut times = Vec::with_capacity(100);
        for _ in 0..100 {
            let t = Instant::now();
            rows = engine.calendar_month(2027, 1, "UTC", None).await.unwrap().items.len();
            times.push(t.elapsed());
        }
        let reference = month_reference(&db, month_start, month_end, None);
        report("P-calendar month (all 100 accounts)", &mut times, reference, rows);

        // P-queue: one account's posts with a caption search.
        let mut times = Vec::with_capacity(CALLS);
        for i in 0..(CALLS + 50) {
            let q = QueueQuery {
                account_id: Some(1 + (i as i64 % ACCOUNTS)),
                search: Some(WORDS[i % WORDS.len()].to_owned()),
                limit: Some(50),
                finished_limit: Some(50),
            };
            let t = Instant::now();
            let r = engine.queue(&q).await.unwrap();
            if i >= 50 {
                times.push(t.elapsed());
            }
            rows = r.len();
        }
        let reference = queue_reference(
            &db,
            &QueueQuery {
                account_id: Some(42),
                search: Some("guitar".into()),
                limit: Some(50),
                finished_limit: Some(50),
            },
        );
        report("P-queue search (1 account)", &mut times, reference, rows);

        // The Queue page as it opens and as the user types: all accounts, 50 upcoming and the 25
        // latest finished posts; no search, common words (time-ordered scans) and a rare phrase
        // (trigram index).
        let cases: [PageCase; 3] = [
            ("P-queue page, no search (all accounts)", |_| None, None),
            (
                "P-queue page, common word (all accounts)",
                |i| Some(WORDS[i % WORDS.len()].to_owned()),
                Some("guitar".into()),
            ),
            (
                "P-queue page, rare phrase (all accounts)",
                |i| Some(format!("post {}", 1000 + i * 37)),
                Some("post 4242".into()),
            ),
        ];
        // The same searches with the engine's defaults (50 upcoming posts, no finished ones):
        // the shape measured before the page listed finished posts.
        let defaults = |search| QueueQuery {
            search,
            ..Default::default()
        };
        for (shape, query) in [
            ("", page_query as fn(Option<String>) -> QueueQuery),
            (", defaults", defaults),
        ] {
            for (name, search, reference_search) in cases.clone() {
                let mut times = Vec::with_capacity(CALLS);
                for i in 0..(CALLS + 50) {
                    let q = query(search(i));
                    let t = Instant::now();
                    let r = engine.queue(&q).await.unwrap();
                    if i >= 50 {
                        times.push(t.elapsed());
                    }
                    rows = r.len();
                }
                let reference = queue_reference(&db, &query(reference_search));
                report(&format!("{name}{shape}"), &mut times, reference, rows);
            }
        }
        engine.shutdown().await;
    });
}
