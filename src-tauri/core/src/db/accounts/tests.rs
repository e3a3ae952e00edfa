//! The `accounts` queries on a real SQLite file.

use super::*;

fn profile(open_id: &str, username: &str) -> Profile {
    Profile {
        open_id: open_id.into(),
        username: Some(username.into()),
        display_name: Some(format!("{username} display")),
        follower_count: Some(10),
        ..Default::default()
    }
}

fn facts() -> TokenFacts {
    TokenFacts {
        scopes: vec!["user.info.basic".into(), "video.publish".into()],
        access_expires_at: 5_000,
        refresh_expires_at: 9_000,
    }
}

/// Connects (or reconnects) `username` as TikTok user `open_id` of the demo app at `at`.
async fn connect(pool: &sqlx::SqlitePool, open_id: &str, username: &str, at: i64) -> i64 {
    upsert_connected(pool, &profile(open_id, username), &facts(), "demo", at)
        .await
        .unwrap()
}

async fn open() -> (tempfile::TempDir, crate::db::open::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::db::open::Store::open(dir.path()).await.unwrap();
    (dir, store)
}

#[tokio::test]
async fn upsert_inserts_then_restores_the_same_row_by_open_id() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let a = connect(pool, "o1", "ann", 1).await;
    let b = connect(pool, "o2", "bob", 2).await;
    let first = get_live(pool, a).await.unwrap();
    assert!(first.is_default, "the first account becomes the default");
    assert!(!get_live(pool, b).await.unwrap().is_default);
    assert_eq!(first.scopes(), vec!["user.info.basic", "video.publish"]);
    assert_eq!(first.status(), AccountStatus::Active);

    mark_removed(pool, a, 3).await.unwrap();
    assert!(get_live(pool, a).await.is_err());
    assert!(matches!(
        ensure_connected(pool, a).await,
        Err(CoreError::Conflict(m)) if m.starts_with("@ann is disconnected")
    ));
    assert!(matches!(
        ensure_connected(pool, 999).await,
        Err(CoreError::NotFound(_))
    ));

    let again = connect(pool, "o1", "ann2", 4).await;
    assert_eq!(again, a, "a reconnect restores the removed row");
    let row = get_by_open_id(pool, "o1").await.unwrap().unwrap();
    assert_eq!(row.removed_at, None);
    assert_eq!(row.username, "ann2");
    assert_eq!(row.app_key.as_deref(), Some("demo"));
}

#[tokio::test]
async fn list_pages_filters_and_searches_live_accounts() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let mut ids = Vec::new();
    for (i, name) in ["ann", "bob", "cat", "dan"].iter().enumerate() {
        let id = connect(pool, &format!("o{i}"), name, 1).await;
        ids.push(id);
    }
    set_status(pool, ids[1], AccountStatus::NeedsReconnect, Some("gone"), 2)
        .await
        .unwrap();
    mark_removed(pool, ids[3], 2).await.unwrap();

    let page = |cursor: Option<&str>| AccountQuery {
        limit: Some(2),
        cursor: cursor.map(str::to_owned),
        ..Default::default()
    };
    let (rows, more) = list(pool, &page(None)).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids[..2]);
    assert!(more);
    let (rows, more) = list(pool, &page(Some(&ids[1].to_string()))).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), ids[2..3]);
    assert!(!more, "the removed account is not listed");

    let q = AccountQuery {
        status: Some(AccountStatus::NeedsReconnect),
        ..Default::default()
    };
    assert_eq!(list(pool, &q).await.unwrap().0[0].id, ids[1]);
    let q = AccountQuery {
        search: Some(" @CAT ".into()),
        ..Default::default()
    };
    assert_eq!(list(pool, &q).await.unwrap().0[0].id, ids[2]);
    let q = AccountQuery {
        cursor: Some("x".into()),
        ..Default::default()
    };
    assert!(matches!(
        list(pool, &q).await,
        Err(CoreError::InvalidInput(_))
    ));

    let s = summary(pool, "demo", 0).await.unwrap();
    assert_eq!((s.accounts, s.active, s.needs_reconnect), (3, 2, 1));
    assert_eq!(s.total_followers, 30);
    let s = summary(pool, "other-app", 0).await.unwrap();
    assert_eq!((s.active, s.needs_reconnect), (0, 3));
    assert_eq!(syncable_ids(pool).await.unwrap(), ids[..3]);
}

#[tokio::test]
async fn label_default_and_current_account() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let a = connect(pool, "o1", "ann", 1).await;
    let b = connect(pool, "o2", "bob", 1).await;
    assert_eq!(current_account_id(pool).await.unwrap(), Some(a));
    set_default(pool, b, 2).await.unwrap();
    assert!(!get_live(pool, a).await.unwrap().is_default);
    assert_eq!(current_account_id(pool).await.unwrap(), Some(b));
    crate::settings::write_json(pool, CURRENT_KEY, &a)
        .await
        .unwrap();
    assert_eq!(current_account_id(pool).await.unwrap(), Some(a));
    mark_removed(pool, a, 3).await.unwrap();
    assert_eq!(current_account_id(pool).await.unwrap(), Some(b));

    set_label(pool, b, "Travel", 4).await.unwrap();
    let q = AccountQuery {
        search: Some("travel".into()),
        ..Default::default()
    };
    assert_eq!(list(pool, &q).await.unwrap().0[0].label, "Travel");
    assert!(matches!(
        set_label(pool, a, "x", 5).await,
        Err(CoreError::NotFound(_))
    ));
    assert!(matches!(
        set_default(pool, a, 5).await,
        Err(CoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn token_facts_status_and_profile_updates() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let id = connect(pool, "o1", "ann", 1).await;
    set_status(pool, id, AccountStatus::NeedsReconnect, Some("revoked"), 2)
        .await
        .unwrap();
    assert!(live_with_status(pool, AccountStatus::Active)
        .await
        .unwrap()
        .is_empty());
    let t = TokenFacts {
        scopes: vec!["user.info.basic".into()],
        access_expires_at: 7_000,
        refresh_expires_at: 11_000,
    };
    set_tokens(pool, id, &t, 3).await.unwrap();
    let row = get(pool, id).await.unwrap().unwrap();
    assert_eq!(row.status(), AccountStatus::Active);
    assert_eq!(row.last_error, None);
    assert_eq!(
        (row.access_expires_at, row.refresh_expires_at),
        (Some(7_000), Some(11_000))
    );
    mark_refresh_warned(pool, id, 4).await.unwrap();
    set_last_error(pool, id, "slow", 5).await.unwrap();
    set_avatar_file(pool, id, Some("o1.png")).await.unwrap();
    let p = Profile {
        open_id: "o1".into(),
        display_name: Some("Ann B".into()),
        ..Default::default()
    };
    update_profile(pool, id, &p, 6).await.unwrap();
    let row = get(pool, id).await.unwrap().unwrap();
    assert_eq!(row.refresh_warned_at, Some(4));
    assert_eq!(row.last_error, None, "a sync clears the last error");
    assert_eq!(row.avatar_file.as_deref(), Some("o1.png"));
    assert_eq!(
        (row.username.as_str(), row.display_name.as_str()),
        ("ann", "Ann B")
    );
    assert_eq!(
        row.follower_count,
        Some(10),
        "fields TikTok left out are kept"
    );
    assert_eq!(
        live_with_status(pool, AccountStatus::Active).await.unwrap()[0].id,
        id
    );
}

#[tokio::test]
async fn removed_accounts_are_listed_newest_first_until_reconnected() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let a = connect(pool, "o1", "ann", 1).await;
    let b = connect(pool, "o2", "bob", 1).await;
    assert!(list_removed(pool).await.unwrap().is_empty());
    mark_removed(pool, a, 10).await.unwrap();
    mark_removed(pool, b, 20).await.unwrap();
    let removed: Vec<i64> = list_removed(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(removed, vec![b, a]);
    let again = connect(pool, "o2", "bob", 30).await;
    assert_eq!(again, b, "the same card comes back");
    let removed: Vec<i64> = list_removed(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(removed, vec![a]);
}

#[tokio::test]
async fn the_same_person_through_another_app_lands_on_their_card() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    let mut first = profile("o1", "ann");
    first.union_id = Some("u-ann".into());
    let a = upsert_connected(pool, &first, &facts(), "app-a", 1)
        .await
        .unwrap();
    mark_removed(pool, a, 2).await.unwrap();
    let mut other_app = profile("o1-b", "ann");
    other_app.union_id = Some("u-ann".into());
    let again = upsert_connected(pool, &other_app, &facts(), "app-b", 3)
        .await
        .unwrap();
    assert_eq!(again, a, "one card per person");
    let row = get_live(pool, a).await.unwrap();
    assert_eq!(
        (row.open_id.as_str(), row.app_key.as_deref()),
        ("o1-b", Some("app-b"))
    );
    assert_eq!(get_by_union_id(pool, "u-ann").await.unwrap().unwrap().id, a);
    let mut stranger = profile("o9", "zed");
    stranger.union_id = Some("u-zed".into());
    let z = upsert_connected(pool, &stranger, &facts(), "app-b", 4)
        .await
        .unwrap();
    assert_ne!(z, a);
}

#[tokio::test]
async fn a_run_out_sign_in_counts_as_needing_a_reconnect() {
    let (_dir, store) = open().await;
    let pool = store.pool();
    connect(pool, "o1", "ann", 1).await;
    let s = summary(pool, "demo", 8_999).await.unwrap();
    assert_eq!((s.active, s.needs_reconnect), (1, 0));
    let s = summary(pool, "demo", 9_000).await.unwrap();
    assert_eq!((s.active, s.needs_reconnect), (0, 1));
}
