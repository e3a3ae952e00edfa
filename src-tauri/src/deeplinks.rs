//! Routes every `tokdeck://` URL, whether it came at start (argv) or from a second launch
//! (single-instance forwards it through the deep-link plugin).

use tauri::{AppHandle, Manager};
use tokdeck_core::accounts::deeplink::{redact, DeepLink};
use tokdeck_core::audit::Outcome;
use tokdeck_core::events::EngineEvent;

use crate::state::AppState;
use crate::window;

pub fn route(app: &AppHandle, raw: &str) {
    let shown = redact(raw);
    let (handled, detail, outcome) = match DeepLink::parse(raw) {
        Ok(DeepLink::Focus) => {
            window::show_main(app);
            (true, "Window brought to the front".to_owned(), Outcome::Ok)
        }
        Ok(DeepLink::OAuthCallback {
            code,
            state,
            error,
            error_description,
            scopes,
        }) => {
            window::show_main(app);
            // The engine checks the state against the pending flow (single use), audits and
            // emits ConnectFinished; the UI learns the outcome from that event.
            if let Ok(engine) = app.state::<AppState>().engine() {
                let engine = engine.clone();
                let callback = tokdeck_core::tiktok_api::AuthorizationCallback {
                    code: code.map(tokdeck_core::tiktok_api::AuthCode::new),
                    scopes: scopes
                        .map(|s| tokdeck_core::accounts::split_scopes(&s))
                        .unwrap_or_default(),
                    state,
                    error,
                    error_description,
                    ..Default::default()
                };
                tauri::async_runtime::spawn(async move {
                    if let Err(e) = engine.complete_callback(callback).await {
                        tracing::warn!(error = %e, "sign-in link not completed");
                    }
                });
            }
            (
                true,
                "Sign-in answer passed to the pending connect.".to_owned(),
                Outcome::Ok,
            )
        }
        Err(e) => (false, format!("Ignored: {e}"), Outcome::Rejected),
    };
    if handled {
        tracing::info!(url = %shown, "deep link handled");
    } else {
        tracing::warn!(url = %shown, %detail, "deep link ignored");
    }
    let state = app.state::<AppState>();
    if let Ok(engine) = state.engine() {
        let engine = engine.clone();
        let shown = shown.clone();
        let detail = detail.clone();
        tauri::async_runtime::spawn(async move {
            engine
                .record_activity(
                    None,
                    "deeplink.receive",
                    outcome,
                    &format!("{shown}: {detail}"),
                )
                .await;
            engine.events().emit(EngineEvent::DeepLink {
                url: shown,
                handled,
                detail,
            });
        });
    }
}
