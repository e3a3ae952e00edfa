//! SQL of `posting_slots`: each account's weekly recurring posting times (weekday 0 = Monday,
//! minute of the day), in the account's zone. Which post takes a slot is never stored.

use sqlx::SqlitePool;

use crate::error::CoreResult;

/// A stored slot: (id, account, weekday 0 = Monday, minute of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SlotRow {
    pub id: i64,
    pub account_id: i64,
    pub weekday: i64,
    pub minute: i64,
}

/// An account's slots, in week order.
pub async fn list(pool: &SqlitePool, account_id: i64) -> CoreResult<Vec<SlotRow>> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, weekday, minute FROM posting_slots WHERE account_id = ?
         ORDER BY weekday, minute",
    )
    .bind(account_id)
    .fetch_all(pool)
    .await?)
}

/// The slots of several accounts at once (all accounts when `account_ids` is empty).
pub async fn list_all(pool: &SqlitePool) -> CoreResult<Vec<SlotRow>> {
    Ok(sqlx::query_as(
        "SELECT id, account_id, weekday, minute FROM posting_slots
         ORDER BY account_id, weekday, minute",
    )
    .fetch_all(pool)
    .await?)
}

/// Adds slots (an existing one is kept as it is).
pub async fn add(pool: &SqlitePool, account_id: i64, slots: &[(i64, i64)]) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    insert_all(&mut tx, account_id, slots).await?;
    tx.commit().await?;
    Ok(())
}

/// Inserts slots in the caller's transaction, keeping any that already exist.
async fn insert_all(
    tx: &mut sqlx::SqliteConnection,
    account_id: i64,
    slots: &[(i64, i64)],
) -> CoreResult<()> {
    for (weekday, minute) in slots {
        sqlx::query(
            "INSERT INTO posting_slots (account_id, weekday, minute) VALUES (?, ?, ?)
             ON CONFLICT (account_id, weekday, minute) DO NOTHING",
        )
        .bind(account_id)
        .bind(weekday)
        .bind(minute)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Replaces all of an account's slots, in one transaction.
pub async fn replace(pool: &SqlitePool, account_id: i64, slots: &[(i64, i64)]) -> CoreResult<()> {
    let mut tx = crate::db::begin_write(pool).await?;
    sqlx::query("DELETE FROM posting_slots WHERE account_id = ?")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    insert_all(&mut tx, account_id, slots).await?;
    tx.commit().await?;
    Ok(())
}

/// Removes one slot; returns the account it belonged to (`None`: no such slot).
pub async fn remove(pool: &SqlitePool, slot_id: i64) -> CoreResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("DELETE FROM posting_slots WHERE id = ? RETURNING account_id")
            .bind(slot_id)
            .fetch_optional(pool)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::posts::tests::{account, store};

    #[tokio::test]
    async fn slots_are_added_once_replaced_and_removed() {
        let (_dir, store) = store().await;
        let pool = store.pool();
        let a = account(pool, "a").await;
        add(pool, a, &[(0, 540), (0, 540), (4, 1080)])
            .await
            .unwrap();
        let rows = list(pool, a).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(remove(pool, rows[0].id).await.unwrap(), Some(a));
        assert_eq!(remove(pool, rows[0].id).await.unwrap(), None);
        replace(pool, a, &[(6, 0)]).await.unwrap();
        let rows = list_all(pool).await.unwrap();
        assert_eq!((rows.len(), rows[0].weekday, rows[0].minute), (1, 6, 0));
    }
}
