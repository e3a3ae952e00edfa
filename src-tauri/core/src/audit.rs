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
    let res = sqlx::query(
        "INSERT INTO audit_log (at, account_id, action, outcome, detail) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    .bind(account_id)
    .bind(action)
    .bind(outcome.as_str())
    .bind(detail)
    .execute(pool)
    .await;
    if let Err(e) = res {
        tracing::warn!(action, error = %e, "could not write audit entry");
    }
}

pub async fn recent(pool: &SqlitePool, limit: i64) -> CoreResult<Vec<AuditEntry>> {
    Ok(sqlx::query_as(
        "SELECT id, at, account_id, action, outcome, detail FROM audit_log ORDER BY id DESC LIMIT ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
