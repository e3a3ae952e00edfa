//! SQL of `account_post_settings`: an account's posting defaults (its default zone).

use sqlx::SqlitePool;

use crate::error::CoreResult;

/// An account's default zone as stored (`None`: not set).
pub async fn default_zone(pool: &SqlitePool, account_id: i64) -> CoreResult<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT default_zone FROM account_post_settings WHERE account_id = ?")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|(z,)| z))
}

/// Sets (or with `None` clears) an account's default zone.
pub async fn set_default_zone(
    pool: &SqlitePool,
    account_id: i64,
    zone: Option<&str>,
) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO account_post_settings (account_id, default_zone) VALUES (?, ?)
         ON CONFLICT(account_id) DO UPDATE SET default_zone = excluded.default_zone",
    )
    .bind(account_id)
    .bind(zone)
    .execute(pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::posts::tests::{account, store};

    #[tokio::test]
    async fn a_default_zone_is_set_replaced_and_cleared() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "a").await;
        assert_eq!(default_zone(pool, a).await.unwrap(), None);
        set_default_zone(pool, a, Some("Europe/Paris"))
            .await
            .unwrap();
        set_default_zone(pool, a, Some("Asia/Tokyo")).await.unwrap();
        assert_eq!(
            default_zone(pool, a).await.unwrap().as_deref(),
            Some("Asia/Tokyo")
        );
        set_default_zone(pool, a, None).await.unwrap();
        assert_eq!(default_zone(pool, a).await.unwrap(), None);
    }
}
