//! Video previews over loopback HTTP. `<video src=asset://…>` does not play on Linux
//! WebKitGTK, so the UI gets `http://127.0.0.1:<port>/media/<token>/<post id>`: the server
//! (started on first use) listens on loopback only, answers only under a random 32-byte session
//! token, serves only the files of existing posts, and honours Range requests so the player can
//! seek.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rand::RngCore;
use sqlx::SqlitePool;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::engine::Engine;
use crate::error::{CoreError, CoreResult};
use crate::media::VideoFacts;

#[derive(Debug)]
pub struct PreviewServer {
    addr: SocketAddr,
    token: String,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct Ctx {
    pool: SqlitePool,
    token: String,
}

impl PreviewServer {
    pub async fn start(pool: SqlitePool) -> CoreResult<PreviewServer> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| {
                CoreError::Unavailable(format!("The video preview server could not start ({e})."))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let app = Router::new()
            .route("/media/{token}/{id}", get(serve))
            .with_state(Ctx {
                pool,
                token: token.clone(),
            });
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "video preview server stopped");
            }
        });
        tracing::info!(%addr, "video preview server ready");
        Ok(PreviewServer { addr, token, task })
    }

    pub fn url_for(&self, post_id: i64) -> String {
        format!("http://{}/media/{}/{post_id}", self.addr, self.token)
    }

    pub fn stop(&self) {
        self.task.abort();
    }
}

fn same(a: &str, b: &str) -> bool {
    // Length first, then every byte, so the comparison time does not tell where they differ.
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn serve(
    State(ctx): State<Ctx>,
    Path((token, id)): Path<(String, String)>,
    req: Request<Body>,
) -> Response {
    if !same(&token, &ctx.token) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Ok(id) = id.parse::<i64>() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row: Option<(String, String)> =
        match sqlx::query_as("SELECT media_path, media_facts FROM posts WHERE id = ?")
            .bind(id)
            .fetch_optional(&ctx.pool)
            .await
        {
            Ok(r) => r,
            Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
        };
    let Some((path, facts)) = row else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mime = serde_json::from_str::<VideoFacts>(&facts)
        .map(|f| f.container.mime())
        .unwrap_or("application/octet-stream");
    match ServeFile::new(&path).oneshot(req).await {
        Ok(resp) => {
            let mut resp = resp.map(Body::new);
            if resp.status().is_success() {
                resp.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
                resp.headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            resp
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

impl Engine {
    /// The loopback URL that plays this post's video (the server starts on first use).
    pub async fn media_preview_url(&self, post_id: i64) -> CoreResult<String> {
        self.post(post_id).await?;
        let server = self
            .preview_slot()
            .get_or_try_init(|| PreviewServer::start(self.store().pool().clone()))
            .await?;
        Ok(server.url_for(post_id))
    }
}
