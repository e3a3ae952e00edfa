//! SQL of the `audit_log` table: append, trim, query.

use sqlx::SqlitePool;

use crate::audit::{AuditEntry, AuditQuery, Outcome, KEEP_DAYS, KEEP_ROWS, TRIM_EVERY};
use crate::error::CoreResult;

fn rfc3339_now_minus(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Records one entry. Audit failures are logged, never propagated: an action must not fail
/// because its record could not be written.
pub async fn record(
    pool: &SqlitePool,
    account_id: Option<i64>,
    action: &str,
    outcome: Outcome,
    detail: &str,
) {
    // Details are often built from error texts; the audit log is kept for months and shown in
    // the UI, so it gets the same redaction as every error message.
    let detail = tiktok_api::redact::redact(detail);
    let res = match crate::db::write_conn(pool).await {
        Ok(mut conn) => insert(&mut conn, account_id, action, outcome, &detail).await,
        Err(e) => Err(e),
    };
    match res {
        Err(e) => tracing::warn!(action, error = %e, "could not write audit entry"),
        Ok(id) if id % TRIM_EVERY == 0 => {
            if let Err(e) = trim(pool, KEEP_DAYS, KEEP_ROWS).await {
                tracing::warn!(error = %e, "could not trim the audit log");
            }
        }
        Ok(_) => {}
    }
}

async fn insert(
    conn: &mut sqlx::SqliteConnection,
    account_id: Option<i64>,
    action: &str,
    outcome: Outcome,
    detail: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO audit_log (at, account_id, action, outcome, detail) VALUES (?, ?, ?, ?, ?) \
         RETURNING id",
    )
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    .bind(account_id)
    .bind(action)
    .bind(outcome.as_str())
    .bind(detail)
    .fetch_one(conn)
    .await
}

/// Deletes entries older than `keep_days` and all but the newest `keep_rows`; answers how many
/// went. Both deletes walk an index (`at`, the id), so a trim with nothing to do is cheap.
pub async fn trim(pool: &SqlitePool, keep_days: i64, keep_rows: i64) -> CoreResult<u64> {
    let mut conn = crate::db::write_conn(pool).await?;
    let old = sqlx::query("DELETE FROM audit_log WHERE at < ?")
        .bind(rfc3339_now_minus(keep_days))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    // Ids only grow (AUTOINCREMENT) and entries go only from the old end, so the newest N are
    // those above MAX(id) - N: two index lookups instead of counting N rows.
    let over = sqlx::query("DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?")
        .bind(keep_rows.max(0))
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(old + over)
}

pub async fn query(pool: &SqlitePool, q: &AuditQuery) -> CoreResult<Vec<AuditEntry>> {
    let mut sql = String::from(
        "SELECT id, at, account_id, action, outcome, detail FROM audit_log WHERE 1 = 1",
    );
    if q.account_id.is_some() {
        sql.push_str(" AND account_id = ?");
    }
    let prefix = q.action.as_deref().filter(|a| !a.is_empty());
    if prefix.is_some() {
        // substr() instead of LIKE: action names contain `_`, a LIKE wildcard.
        sql.push_str(" AND substr(action, 1, length(?)) = ?");
    }
    if q.outcome.is_some() {
        sql.push_str(" AND outcome = ?");
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    let mut query = sqlx::query_as::<_, AuditEntry>(sqlx::AssertSqlSafe(sql));
    if let Some(a) = q.account_id {
        query = query.bind(a);
    }
    if let Some(p) = prefix {
        query = query.bind(p.to_owned()).bind(p.to_owned());
    }
    if let Some(o) = &q.outcome {
        query = query.bind(o.clone());
    }
    Ok(query
        .bind(q.limit.unwrap_or(100).clamp(1, 500))
        .fetch_all(pool)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::SqlitePool;

    async fn count(pool: &SqlitePool) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
            .fetch_one(pool)
            .await
            .unwrap()
    }

    /// `n` entries, the first `old` of them two years old, the rest from today.
    async fn seed(pool: &SqlitePool, n: i64, old: i64) {
        sqlx::query(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < ?) \
             INSERT INTO audit_log (at, account_id, action, outcome, detail) \
             SELECT CASE WHEN i <= ? THEN ? ELSE ? END, NULL, 'seed', 'ok', '' FROM k",
        )
        .bind(n)
        .bind(old)
        .bind(rfc3339_now_minus(2 * 365))
        .bind(rfc3339_now_minus(0))
        .execute(pool)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn recording_keeps_the_log_bounded_by_age_and_size() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        let extra = 3_000;
        seed(pool, KEEP_ROWS + extra, 500).await;
        // Enough inserts that at least one lands on a trim.
        for i in 0..TRIM_EVERY {
            record(pool, None, "test.entry", Outcome::Ok, &i.to_string()).await;
        }
        let n = count(pool).await;
        assert!(
            n <= KEEP_ROWS + TRIM_EVERY,
            "{n} entries kept, bound {KEEP_ROWS} + {TRIM_EVERY}"
        );
        let oldest: String = sqlx::query_scalar("SELECT MIN(at) FROM audit_log")
            .fetch_one(pool)
            .await
            .unwrap();
        assert!(oldest >= rfc3339_now_minus(KEEP_DAYS), "{oldest}");
        // What goes is the oldest: the entries just written are all there, newest first.
        let newest = query(
            pool,
            &AuditQuery {
                action: Some("test.".into()),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(newest.len() as i64, TRIM_EVERY);
        assert_eq!(newest[0].detail, (TRIM_EVERY - 1).to_string());
    }

    #[tokio::test]
    async fn trim_drops_old_entries_and_keeps_the_newest_rows() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        seed(pool, 1_000, 100).await;
        assert_eq!(trim(pool, KEEP_DAYS, 10_000).await.unwrap(), 100);
        assert_eq!(count(pool).await, 900);
        assert_eq!(trim(pool, KEEP_DAYS, 250).await.unwrap(), 650);
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(ids.len(), 250);
        assert_eq!(*ids.last().unwrap(), 1_000);
        assert_eq!(
            trim(pool, KEEP_DAYS, 250).await.unwrap(),
            0,
            "nothing left to do"
        );
    }
}
