//! The Direct Post audit of the app in use: stored for the creator's own app, asked of the
//! built-in simulator's control API in demo mode.

use super::types::*;
use crate::error::{CoreError, CoreResult};

/// The header the simulator's control API reads its secret from (tokdeck-sim's
/// `CONTROL_TOKEN_HEADER`; the engine does not depend on the simulator crate).
pub const SIM_CONTROL_TOKEN_HEADER: &str = "x-tokdeck-sim-token";
/// How long Tokdeck waits for the simulator's control API before reporting `unknown`.
const SIM_CONTROL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// A client for the simulator's control API, which wants the run's secret on every request.
fn sim_control(control_token: Option<&str>) -> CoreResult<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = control_token {
        let value = reqwest::header::HeaderValue::from_str(token).map_err(|_| {
            CoreError::Internal("the simulator's control secret is not a header value".into())
        })?;
        headers.insert(SIM_CONTROL_TOKEN_HEADER, value);
    }
    reqwest::Client::builder()
        .timeout(SIM_CONTROL_TIMEOUT)
        .default_headers(headers)
        .build()
        .map_err(|e| CoreError::Internal(format!("HTTP client for the simulator: {e}")))
}

/// The audit state that applies to the app in use: the stored one for the creator's own app;
/// for the simulator its app's live `audited` flag (tests and the demo change it at runtime,
/// so it is asked, not cached).
pub async fn effective_audit(
    stored: &StoredTiktokConfig,
    simulator_url: Option<&str>,
    control_token: Option<&str>,
) -> DirectPostAudit {
    let sim = match (&stored.client_key, simulator_url) {
        (None, Some(sim)) => sim,
        _ => return stored.direct_post_audit,
    };
    let answer = async {
        let app: serde_json::Value = sim_control(control_token)
            .ok()?
            .get(format!("{}/__sim/app", sim.trim_end_matches('/')))
            .send()
            .await
            .ok()?
            .error_for_status()
            .ok()?
            .json()
            .await
            .ok()?;
        app.get("audited")?.as_bool()
    };
    match answer.await {
        Some(true) => DirectPostAudit::Audited,
        Some(false) => DirectPostAudit::NotAudited,
        None => {
            tracing::warn!("the simulator did not say whether its app is audited");
            DirectPostAudit::Unknown
        }
    }
}

/// Applies a patch's audit: stored for the creator's own app; in simulator mode it switches
/// the simulator's app, so what Tokdeck reports stays what the simulator does.
pub async fn apply_audit(
    stored: &mut StoredTiktokConfig,
    audit: DirectPostAudit,
    simulator_url: Option<&str>,
    control_token: Option<&str>,
) -> CoreResult<()> {
    let sim = match (&stored.client_key, simulator_url) {
        (None, Some(sim)) => sim,
        _ => {
            stored.direct_post_audit = audit;
            return Ok(());
        }
    };
    let audited = match audit {
        DirectPostAudit::Audited => true,
        DirectPostAudit::NotAudited => false,
        DirectPostAudit::Unknown => {
            return Err(CoreError::InvalidInput(
                "The simulator's app is either audited or not audited: pick one.".into(),
            ))
        }
    };
    let res = sim_control(control_token)?
        .patch(format!("{}/__sim/app", sim.trim_end_matches('/')))
        .json(&serde_json::json!({ "audited": audited }))
        .send()
        .await
        .and_then(|r| r.error_for_status());
    res.map(|_| ()).map_err(|e| {
        CoreError::Unavailable(format!(
            "The simulator did not take the new audit state ({e}). Restart Tokdeck and try again."
        ))
    })
}
