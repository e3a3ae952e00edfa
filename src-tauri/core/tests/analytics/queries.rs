//! The Analytics page's SQL against a brute-force answer on generated data: top posts for every
//! sort, one account or all, over all time or a recent period (the two read different
//! indexes), and the median views per age (alone, and in a post's curve). Ties, missing
//! numbers and private videos included.

use proptest::prelude::*;
use tokdeck_core::analytics::schedule::AGE_BUCKETS_H;
use tokdeck_core::analytics::TopSort;
use tokdeck_core::db::analytics::metrics;
use tokdeck_core::db::open::Store;

const DAY_MS: i64 = 86_400_000;
const NOW: i64 = 1_780_000_000_000;

#[derive(Debug, Clone)]
struct Video {
    account: i64,
    age_days: i64,
    /// views, likes, comments, shares; small ranges so ties are common.
    counts: [Option<i64>; 4],
    private: bool,
    /// 24-hour and 72-hour sample views (a sample per age, when present).
    samples: Vec<(i64, i64)>,
}

fn video() -> impl Strategy<Value = Video> {
    (
        1..=3i64,
        0..200i64,
        prop::array::uniform4(prop::option::weighted(0.9, 0..20i64)),
        prop::bool::weighted(0.1),
        prop::collection::vec((prop::sample::select(vec![24i64, 72]), 0..50i64), 0..2),
    )
        .prop_map(|(account, age_days, counts, private, mut samples)| {
            samples.sort_by_key(|s| s.0);
            samples.dedup_by_key(|s| s.0);
            Video {
                account,
                age_days,
                counts,
                private,
                samples,
            }
        })
}

async fn seed(videos: &[Video]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let pool = store.pool();
    for a in 1..=3 {
        sqlx::query(
            "INSERT INTO accounts (id, open_id, username, display_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, 0, 0)",
        )
        .bind(a)
        .bind(format!("open-{a}"))
        .bind(format!("u{a}"))
        .bind(format!("U {a}"))
        .execute(pool)
        .await
        .unwrap();
    }
    for (i, v) in videos.iter().enumerate() {
        let id = i as i64 + 1;
        let published = NOW - v.age_days * DAY_MS;
        let [views, likes, comments, shares] = v.counts;
        sqlx::query(
            "INSERT INTO post_performance (id, account_id, video_id, match_kind, visibility,
                caption, published_at, views, likes, comments, shares, created_at, updated_at)
             VALUES (?, ?, ?, 'imported', ?, '', ?, ?, ?, ?, ?, 0, 0)",
        )
        .bind(id)
        .bind(v.account)
        .bind(format!("v{id}"))
        .bind(if v.private { "private" } else { "public" })
        .bind(published)
        .bind(views)
        .bind(likes)
        .bind(comments)
        .bind(shares)
        .execute(pool)
        .await
        .unwrap();
        for (bucket, views) in &v.samples {
            sqlx::query(
                "INSERT INTO performance_samples (performance_id, account_id, published_at,
                    age_bucket, sampled_at, views, likes, comments, shares)
                 VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0)",
            )
            .bind(id)
            .bind(v.account)
            .bind(published)
            .bind(bucket)
            .bind(published + bucket * 3_600_000)
            .bind(views)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    (dir, store)
}

/// The expected top list: public videos of the scope and period, best first (a missing
/// number ranks below every number), newest id first among equals.
fn expected_top(
    videos: &[Video],
    account: Option<i64>,
    since: i64,
    sort: TopSort,
    limit: usize,
) -> Vec<i64> {
    let key = |v: &Video| -> Option<i64> {
        match sort {
            TopSort::Views => v.counts[0],
            TopSort::Likes => v.counts[1],
            TopSort::Comments => v.counts[2],
            TopSort::Shares => v.counts[3],
            TopSort::Recent => Some(NOW - v.age_days * DAY_MS),
        }
    };
    let mut rows: Vec<(Option<i64>, i64)> = videos
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.private && account.is_none_or(|a| v.account == a))
        .filter(|(_, v)| NOW - v.age_days * DAY_MS >= since)
        .map(|(i, v)| (key(v), i as i64 + 1))
        .collect();
    rows.sort_by(|a, b| b.cmp(a));
    rows.into_iter().take(limit).map(|(_, id)| id).collect()
}

const SORTS: [TopSort; 5] = [
    TopSort::Views,
    TopSort::Likes,
    TopSort::Comments,
    TopSort::Shares,
    TopSort::Recent,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn top_posts_and_medians_match_a_brute_force_answer(
        videos in prop::collection::vec(video(), 0..60),
    ) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let (_dir, store) = seed(&videos).await;
            let pool = store.pool();
            for sort in SORTS {
                for account in [None, Some(1), Some(2)] {
                    // all time (the sort's index), 30 and 120 days (by publish time)
                    for since in [0, NOW - 30 * DAY_MS, NOW - 120 * DAY_MS] {
                        // read by publish time, or by walking the sort's index
                        for (limit, recent_rows) in [(1usize, 0), (7, 1000), (100, 0), (100, 1000)] {
                            let got: Vec<i64> = metrics::top_choosing(
                                pool, account, since, sort, limit as i64, recent_rows,
                            )
                            .await
                            .unwrap()
                            .into_iter()
                            .map(|r| r.id)
                            .collect();
                            let want = expected_top(&videos, account, since, sort, limit);
                            assert_eq!(
                                got, want,
                                "{sort:?} {account:?} since {since} limit {limit} by {recent_rows}"
                            );
                        }
                    }
                }
            }
            for account in 1..=3 {
                let got = metrics::medians(pool, account, &AGE_BUCKETS_H).await.unwrap();
                let mut want = Vec::new();
                for bucket in [24i64, 72] {
                    let mut views: Vec<i64> = videos
                        .iter()
                        .filter(|v| v.account == account)
                        .flat_map(|v| v.samples.iter().filter(|s| s.0 == bucket).map(|s| s.1))
                        .collect();
                    if views.is_empty() {
                        continue;
                    }
                    views.sort();
                    want.push((bucket, views.len() as i64, views[(views.len() - 1) / 2]));
                }
                assert_eq!(got, want, "account {account}");
                // A post's curve reads the same medians in its one statement, and its own
                // samples, youngest first.
                if let Some(i) = videos.iter().position(|v| v.account == account) {
                    let (row, samples, medians) =
                        metrics::curve_with_medians(pool, i as i64 + 1, &AGE_BUCKETS_H)
                            .await
                            .unwrap()
                            .expect("the post's row");
                    assert_eq!(row.id, i as i64 + 1);
                    assert_eq!(medians, want, "account {account}, post {}", i + 1);
                    let own: Vec<(i64, i64)> = samples.iter().map(|s| (s.0, s.2)).collect();
                    assert_eq!(own, videos[i].samples, "post {}", i + 1);
                }
            }
            let none = metrics::curve_with_medians(pool, videos.len() as i64 + 1, &AGE_BUCKETS_H);
            assert!(none.await.unwrap().is_none());
        });
    }
}
