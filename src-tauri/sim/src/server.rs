//! Routes: one base URL serves the authorize page, OAuth, Open API, upload host and control.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde_json::json;

use crate::state::Sim;
use crate::{control, display, oauth, posting, upload};

/// The header that carries the per-run control secret on every `/__sim/` request.
pub const CONTROL_TOKEN_HEADER: &str = "x-tokdeck-sim-token";

/// Who may talk to the simulator: requests must name it as `127.0.0.1:<port>` or
/// `localhost:<port>` (a page on another name that resolves to 127.0.0.1 — DNS rebinding —
/// is refused), and `/__sim/` requests must carry the control secret, so a web page the
/// creator opens cannot steer the simulator or read its tokens.
pub struct Gate {
    hosts: [String; 2],
    token: String,
}

impl Gate {
    pub fn new(port: u16, token: String) -> Self {
        Self {
            hosts: [format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            token,
        }
    }
}

fn same(a: &[u8], b: &[u8]) -> bool {
    // Length first, then every byte, so the comparison time does not tell where they differ.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Avatars and covers stand in for TikTok's CDN: the app and its web view load them without
/// the secret (they are generated images, nothing to steer or read).
fn public_sim_path(path: &str) -> bool {
    path.starts_with("/__sim/avatar/") || path.starts_with("/__sim/cover/")
}

async fn gate(State(gate): State<Arc<Gate>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if !host.is_some_and(|h| gate.hosts.iter().any(|ok| ok == h)) {
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"error": "the simulator answers only to 127.0.0.1 or localhost on its own port"})),
        )
            .into_response();
    }
    let path = req.uri().path();
    if path.starts_with("/__sim/") && !public_sim_path(path) {
        let given = req.headers().get(CONTROL_TOKEN_HEADER);
        if !given.is_some_and(|g| same(g.as_bytes(), gate.token.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": format!("the control API needs the {CONTROL_TOKEN_HEADER} header with this run's secret")})),
            )
                .into_response();
        }
    }
    next.run(req).await
}

/// Saves the world after every request that may change it, before its answer leaves: what a
/// client was told (a token, a publish id) is on disk by the time it knows it.
async fn save_after(State(sim): State<Arc<Sim>>, req: Request, next: Next) -> Response {
    // A world without a file has nothing to save: no hop to a blocking thread per request.
    let reads_only = req.method() == axum::http::Method::GET || !sim.persists();
    let resp = next.run(req).await;
    if !reads_only {
        let sim = sim.clone();
        // File I/O off the async workers.
        let _ = tokio::task::spawn_blocking(move || sim.save()).await;
    }
    resp
}

pub fn router(sim: Arc<Sim>, gate_state: Gate) -> Router {
    routes(sim.clone())
        .layer(middleware::from_fn_with_state(sim, save_after))
        .layer(middleware::from_fn_with_state(Arc::new(gate_state), gate))
}

fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/v2/auth/authorize/", get(oauth::authorize_page))
        .route("/v2/auth/authorize/consent", post(oauth::consent_post))
        .route(
            "/v2/auth/authorize/account",
            post(oauth::create_account_post),
        )
        .route("/v2/oauth/token/", post(oauth::token))
        .route("/v2/oauth/revoke/", post(oauth::revoke))
        .route("/v2/user/info/", get(display::user_info))
        .route("/v2/video/list/", post(display::video_list))
        .route("/v2/video/query/", post(display::video_query))
        .route(
            "/v2/post/publish/creator_info/query/",
            post(posting::creator_info),
        )
        .route("/v2/post/publish/video/init/", post(posting::video_init))
        .route(
            "/v2/post/publish/inbox/video/init/",
            post(posting::inbox_init),
        )
        .route("/v2/post/publish/status/fetch/", post(posting::status))
        .route("/v2/post/publish/cancel/", post(posting::cancel))
        .route("/upload/video/", put(upload::put_chunk))
        .route("/__sim/reset", post(control::reset))
        .route(
            "/__sim/app",
            get(control::get_app).patch(control::patch_app),
        )
        .route(
            "/__sim/behaviour",
            get(control::get_behaviour).post(control::post_behaviour),
        )
        .route(
            "/__sim/accounts",
            get(control::list_accounts).post(control::create_account),
        )
        .route("/__sim/accounts/{open_id}", patch(control::patch_account))
        .route("/__sim/consent", post(control::consent))
        .route("/__sim/secrets", get(control::issued_secrets))
        .route("/__sim/tokens", get(control::list_tokens))
        .route("/__sim/tokens/revoke", post(control::revoke_tokens))
        .route("/__sim/tokens/expire", post(control::expire_tokens))
        .route(
            "/__sim/faults",
            get(control::list_faults)
                .post(control::add_fault)
                .delete(control::clear_faults),
        )
        .route("/__sim/posts", get(control::list_posts))
        .route(
            "/__sim/posts/{publish_id}/publish",
            post(control::publish_draft),
        )
        .route("/__sim/requests", get(control::requests))
        .route("/__sim/accounts/{open_id}/videos", post(control::add_video))
        .route("/__sim/videos/{id}", patch(control::patch_video))
        .route("/__sim/clock", get(control::get_clock))
        .route("/__sim/clock/advance", post(control::advance_clock))
        .route("/__sim/avatar/{file}", get(control::image))
        .route("/__sim/cover/{file}", get(control::image))
        .with_state(sim)
}
