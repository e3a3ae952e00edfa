//! The append-only audit log of user and engine actions: its types and limits. Services write
//! it through `Ctx::audit`; the SQL is in `db::audit`.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Error,
    Rejected,
}

impl Outcome {
    pub(crate) fn as_str(self) -> &'static str {
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

/// How much history the log keeps: entries older than this many days go...
pub const KEEP_DAYS: i64 = 365;
/// ...and beyond this many entries the oldest go, so a busy install stays small too
/// (~200 bytes an entry: about 20 MB).
pub const KEEP_ROWS: i64 = 100_000;
/// The trim runs on every this-many-th insert, so one insert in many pays for it and the log
/// overshoots [`KEEP_ROWS`] by less than this.
pub const TRIM_EVERY: i64 = 256;

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
