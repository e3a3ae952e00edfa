//! Hooks that only the end-to-end build has (feature `e2e`), each off unless the test sets its
//! environment variable, so every other test drives the app as shipped.
//!
//! - `TOKDECK_E2E_SAMPLER_DELAY_MS`: the analytics sampler's first pass after this many
//!   milliseconds instead of 30 s (`EngineConfig::sampler_delay`).
//! - `TOKDECK_E2E_FOLLOW_SIM_CLOCK=1`: when a test moves the built-in simulator's clock
//!   (`POST /__sim/clock/advance`), the engine's clock follows, as the engine's analytics tests
//!   move both: days of a post's life pass in a test without waiting for them.

use std::time::Duration;

use tauri::{AppHandle, Manager};
use tokdeck_core::EngineConfig;

use crate::state::AppState;

const SAMPLER_DELAY_ENV: &str = "TOKDECK_E2E_SAMPLER_DELAY_MS";
const FOLLOW_SIM_CLOCK_ENV: &str = "TOKDECK_E2E_FOLLOW_SIM_CLOCK";

pub fn tune(config: &mut EngineConfig) {
    if let Some(ms) = std::env::var(SAMPLER_DELAY_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        config.sampler_delay = Duration::from_millis(ms);
    }
}

/// Moves the engine's clock whenever the simulator's is ahead by more than a second. Polls:
/// the simulator has no way to announce a move, and this runs only in e2e builds that ask.
pub fn follow_sim_clock(app: &AppHandle) {
    if std::env::var(FOLLOW_SIM_CLOCK_ENV).as_deref() != Ok("1") {
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let state = app.state::<AppState>();
            let sim_now = state
                .simulator
                .lock()
                .ok()
                .and_then(|s| s.as_ref().map(|s| s.now_ms() as i64));
            let (Some(sim_now), Some(engine)) = (sim_now, state.current()) else {
                continue;
            };
            let ahead = sim_now - engine.clock().now_ms();
            if ahead > 1000 {
                engine.clock().advance(Duration::from_millis(ahead as u64));
            }
        }
    });
}
