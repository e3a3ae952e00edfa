//! Analytics history written into the app's database as another process would (SQLite in WAL
//! mode), for what a test cannot wait for: two years of daily counts for the render bench, and
//! a few months of a demo's life for the screenshots. The rows are the ones the sampler writes
//! (`core/src/db/analytics/`); their numbers follow the simulator's evolution (views that rise
//! over about a day, evenings and weekends doing better).

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::support::App;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

pub(crate) async fn pool(app: &App) -> SqlitePool {
    let db = app.data_dir.join("tokdeck.sqlite3");
    let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))
        .unwrap()
        .busy_timeout(Duration::from_secs(30));
    SqlitePool::connect_with(opts).await.unwrap()
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `n` copies of account `template` (new open ids and handles), signed out so nothing asks
/// TikTok about them; answers their ids.
pub(crate) async fn clone_accounts(pool: &SqlitePool, template: i64, n: usize) -> Vec<i64> {
    let columns: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info('accounts') WHERE name != 'id'")
            .fetch_all(pool)
            .await
            .unwrap();
    let values: Vec<String> = columns
        .iter()
        .map(|c| match c.as_str() {
            "open_id" => "'bench-' || ?2".to_owned(),
            "username" => "'creator_' || ?2".to_owned(),
            "display_name" => "'Creator ' || ?2".to_owned(),
            "search_text" => "'creator_' || ?2".to_owned(),
            "status" => "'needs_reconnect'".to_owned(),
            "is_default" => "0".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let sql = format!(
        "INSERT INTO accounts ({}) SELECT {} FROM accounts WHERE id = ?1 RETURNING id",
        columns.join(", "),
        values.join(", ")
    );
    let mut ids = vec![];
    for i in 0..n {
        let id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
            .bind(template)
            .bind(i as i64 + 1)
            .fetch_one(pool)
            .await
            .unwrap();
        ids.push(id);
    }
    ids
}

/// A daily snapshot of each account for the last `days` days (growth with day-to-day noise),
/// none on the days of `gap` (days back from today): Tokdeck was closed then.
pub(crate) async fn snapshots(
    pool: &SqlitePool,
    accounts: &[i64],
    days: i64,
    gap: Option<(i64, i64)>,
) {
    let (g0, g1) = gap.unwrap_or((-1, -1));
    let ids = serde_json::to_string(accounts).unwrap();
    sqlx::query(
        "WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM d WHERE i < ?2 - 1)
         INSERT INTO account_snapshots
             (account_id, taken_at, follower_count, following_count, likes_count, video_count)
         SELECT a.value,
                ?3 - (?2 - 1 - d.i) * 86400000 - (a.value * 7919) % 3600000,
                800 + (a.value % 7) * 900 + d.i * (4 + a.value % 9) + d.i * d.i / 60
                    + ((d.i * 7919 + a.value * 31) % 17) * 3,
                120 + a.value % 50,
                20000 + (a.value % 5) * 4000 + d.i * (60 + (a.value % 11) * 9)
                    + ((d.i * 104729 + a.value) % 29) * 25,
                10 + d.i / 4
         FROM d, json_each(?1) a
         WHERE NOT (?2 - 1 - d.i BETWEEN ?4 AND ?5)",
    )
    .bind(ids)
    .bind(days)
    .bind(now_ms())
    .bind(g0)
    .bind(g1)
    .execute(pool)
    .await
    .unwrap();
}

/// splitmix64, as the simulator's evolution.
fn unit(a: u64, b: u64) -> f64 {
    let mut z = a.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ b.wrapping_add(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// The simulator's reach by posting slot, for a publish time in ms (UTC).
fn slot_factor(ms: i64) -> f64 {
    tokdeck_sim::evolution::slot_factor((ms / 1000) as u64)
}

const CAPTIONS: [&str; 8] = [
    "Trying the viral feta pasta",
    "Day in my life ☕",
    "Answering your questions",
    "Quick tip you didn't know you needed",
    "Before and after",
    "Storytime: the worst commute ever",
    "Tutorial part 2",
    "Weekend reset routine",
];

/// `n` public videos the account posted outside Tokdeck over the last `days` days, each
/// sampled at the ages it has reached (1 h, 6 h, 1 day, 3 days, a week, a month).
pub(crate) async fn videos(pool: &SqlitePool, account: i64, n: u64, days: i64) {
    let now = now_ms();
    for k in 0..n {
        let key = account as u64 * 1000 + k;
        let day = (unit(key, 1) * days as f64) as i64 + 1;
        let hour = [8, 12, 13, 16, 18, 19, 20, 21, 22, 2][(unit(key, 2) * 10.0) as usize];
        let published = (now - day * DAY_MS) / DAY_MS * DAY_MS + hour * HOUR_MS;
        let reach = 3000.0 * (0.3 + 2.4 * unit(key, 3)) * slot_factor(published);
        let tau = 24.0 * (0.7 + unit(key, 4));
        let like_rate = 0.04 + 0.08 * unit(key, 5);
        let at = |age_h: f64| {
            let x = age_h / tau;
            (reach * (1.0 - (1.0 + x) * (-x).exp())).floor() as i64
        };
        let age_now = (now - published) as f64 / HOUR_MS as f64;
        let views = at(age_now);
        let likes = (views as f64 * like_rate) as i64;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO post_performance (account_id, post_id, video_id, match_kind, visibility,
                 share_url, caption, published_at, live_at, views, likes, comments, shares,
                 counted_at, next_at, created_at, updated_at)
             VALUES (?1, NULL, ?2, 'imported', 'public', NULL, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9,
                 NULL, ?9, ?9) RETURNING id",
        )
        .bind(account)
        .bind(format!("demo-{key}"))
        .bind(format!("{} #{}", CAPTIONS[(key % 8) as usize], k + 1))
        .bind(published)
        .bind(views)
        .bind(likes)
        .bind(likes / 16)
        .bind(likes / 33)
        .bind(now)
        .fetch_one(pool)
        .await
        .unwrap();
        for bucket in [1i64, 6, 24, 72, 168, 720] {
            if bucket as f64 > age_now {
                break;
            }
            let v = at(bucket as f64);
            let l = (v as f64 * like_rate) as i64;
            sqlx::query(
                "INSERT INTO performance_samples (performance_id, account_id, published_at,
                     age_bucket, sampled_at, views, likes, comments, shares)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(id)
            .bind(account)
            .bind(published)
            .bind(bucket)
            .bind(published + bucket * HOUR_MS + 60_000)
            .bind(v)
            .bind(l)
            .bind(l / 16)
            .bind(l / 33)
            .execute(pool)
            .await
            .unwrap();
        }
    }
}
