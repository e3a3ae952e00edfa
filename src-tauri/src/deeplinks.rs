//! Routes every `tokdeck://` URL, whether it came at start (argv) or from a second launch
//! (single-instance forwards it through the deep-link plugin).

use tauri::{AppHandle, Manager};
use tokdeck_core::audit::{self, Outcome};
use tokdeck_core::deeplink::{redact, DeepLink};
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
        Ok(DeepLink::OAuthCallback { .. }) => {
            window::show_main(app);
            (
                false,
                "No sign-in is waiting for this link; it was ignored.".to_owned(),
                Outcome::Rejected,
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
            audit::record(
                engine.store().pool(),
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
