//! The queue's finished posts after the upcoming ones, and a search over many matches.

use super::*;

#[tokio::test]
async fn queue_lists_recently_finished_posts_after_upcoming_ones() {
    let (env, a, video) = setup().await;
    let b = env.account("bob").await;
    let e = &env.engine;
    let c = public_creator("X");
    let year = Utc::now().year() + 1;
    let mut ids = Vec::new();
    for (i, (acct, caption)) in [
        (a, "up one"),
        (b, "up two"),
        (a, "done published early"),
        (b, "done failed"),
        (a, "done missed"),
        (b, "done published late"),
        (a, "gone cancelled"),
        (a, "up three"),
    ]
    .into_iter()
    .enumerate()
    {
        let p = e
            .create_draft(&input(acct, &video, caption), None)
            .await
            .unwrap();
        let local = format!("{year}-05-{:02}T10:00", i + 1);
        e.schedule_post(p.id, &at(&local, "Europe/Paris", None), &c)
            .await
            .unwrap();
        ids.push(p.id);
    }
    set_status(&env, &[ids[2], ids[5]], "published").await;
    set_status(&env, &[ids[3]], "failed").await;
    set_status(&env, &[ids[4]], "missed").await;
    set_status(&env, &[ids[7]], "needs_attention").await;
    e.cancel_post(ids[6]).await.unwrap();
    e.create_draft(&input(a, &video, "draft only"), None)
        .await
        .unwrap();

    // Without finished posts: the upcoming ones only, as before.
    let q = e.queue(&QueueQuery::default()).await.unwrap();
    assert_eq!(captions(&q), ["up one", "up two", "up three"]);

    // With them: upcoming soonest first, then finished latest first; drafts and cancelled
    // posts in neither.
    let all = QueueQuery {
        finished_limit: Some(10),
        ..Default::default()
    };
    let q = e.queue(&all).await.unwrap();
    assert_eq!(
        captions(&q),
        [
            "up one",
            "up two",
            "up three",
            "done published late",
            "done missed",
            "done failed",
            "done published early"
        ]
    );
    let statuses: Vec<_> = q.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses[3..],
        [
            PostStatus::Published,
            PostStatus::Missed,
            PostStatus::Failed,
            PostStatus::Published
        ]
    );
    // Each part has its own bound.
    let q = e
        .queue(&QueueQuery {
            limit: Some(1),
            finished_limit: Some(2),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        captions(&q),
        ["up one", "done published late", "done missed"]
    );
    // Search and account filter apply to both parts, through every search path: a short term
    // (scan), a long one over all accounts (trigram index), and one account's (scan).
    for (account_id, search, want) in [
        (None, "up", vec!["up one", "up two", "up three"]),
        (
            None,
            "PUBLISHED",
            vec!["done published late", "done published early"],
        ),
        (
            None,
            "ne",
            vec![
                "up one",
                "done published late",
                "done missed",
                "done failed",
                "done published early",
            ],
        ),
        (Some(b), "done", vec!["done published late", "done failed"]),
        (
            Some(a),
            "e",
            vec!["up one", "up three", "done missed", "done published early"],
        ),
    ] {
        let q = e
            .queue(&QueueQuery {
                account_id,
                search: Some(search.into()),
                ..all.clone()
            })
            .await
            .unwrap();
        assert_eq!(captions(&q), want, "{account_id:?} {search}");
    }
}

#[tokio::test]
async fn queue_search_over_many_matches_scans_in_time_order() {
    // Past FTS_RARE matches the search leaves the trigram index for the time-ordered scan;
    // both must list the same posts in the same order.
    let (env, a, video) = setup().await;
    let e = &env.engine;
    let c = public_creator("X");
    let year = Utc::now().year() + 1;
    let p = e
        .create_draft(&input(a, &video, "seed"), None)
        .await
        .unwrap();
    e.schedule_post(p.id, &at(&format!("{year}-01-01T00:00"), "UTC", None), &c)
        .await
        .unwrap();
    let total = tokdeck_core::posts::FTS_RARE + 50;
    // Copies of the seed, later ones scheduled earlier (time order is not id order), every
    // fifth one published.
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) \
         INSERT INTO posts (account_id, status, mode, caption, privacy_level, media_path, \
             media_size, media_mtime_ms, media_head_sha256, media_tail_sha256, media_facts, \
             scheduled_at, schedule_zone, schedule_local, consent_at, created_at, updated_at) \
         SELECT account_id, CASE WHEN i % 5 = 0 THEN 'published' ELSE 'scheduled' END, mode, \
             'bulk item ' || i, privacy_level, media_path, media_size, media_mtime_ms, \
             media_head_sha256, media_tail_sha256, media_facts, \
             scheduled_at + (1000 - i) * 60000, schedule_zone, schedule_local, consent_at, \
             created_at, updated_at \
         FROM n, posts WHERE posts.id = ?",
    )
    .bind(total)
    .bind(p.id)
    .execute(e.store().pool())
    .await
    .unwrap();
    let listed = |search: &str| {
        let q = QueueQuery {
            search: Some(search.into()),
            limit: Some(3),
            finished_limit: Some(2),
            ..Default::default()
        };
        async move { e.queue(&q).await.unwrap() }
    };
    // Many matches (scan): the highest-numbered items are the soonest upcoming ones, the
    // lowest-numbered published ones the latest finished.
    let n = total;
    let q = listed("bulk item").await;
    let want: Vec<String> = [n - 1, n - 2, n - 3, 5, 10]
        .iter()
        .map(|i| format!("bulk item {i}"))
        .collect();
    assert_eq!(captions(&q), want);
    // Few matches (trigram index): "item 4" matches 4, 40-49 and 400-449.
    let q = listed("item 4").await;
    assert_eq!(
        captions(&q),
        [
            "bulk item 449",
            "bulk item 448",
            "bulk item 447",
            "bulk item 40",
            "bulk item 45"
        ]
    );
}
