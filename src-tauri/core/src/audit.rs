//! The append-only audit log of user and engine actions.

use serde::Serialize;
use sqlx::SqlitePool;
use ts_rs::TS;

use crate::error::CoreResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Error,
    Rejected,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Rejected => "rejected",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, sqlx::FromRow)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub account_id: Option<i64>,
    pub action: String,
    pub outcome: String,
    pub detail: String,
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
    let res = sqlx::query(
        "INSERT INTO audit_log (at, account_id, action, outcome, detail) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    .bind(account_id)
    .bind(action)
    .bind(outcome.as_str())
    .bind(&detail)
    .execute(pool)
    .await;
    if let Err(e) = res {
        tracing::warn!(action, error = %e, "could not write audit entry");
    }
}

/// Filters for the audit view. `action` matches a prefix (`account.` → every account action).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    #[ts(optional)]
    pub account_id: Option<i64>,
    #[ts(optional)]
    pub action: Option<String>,
    #[ts(optional)]
    pub outcome: Option<String>,
    /// Newest first; 100 by default, at most 500.
    #[ts(optional)]
    pub limit: Option<i64>,
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
