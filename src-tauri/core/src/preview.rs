//! Video previews over loopback HTTP. `<video src=asset://…>` does not play on Linux
//! WebKitGTK, so the UI gets `http://127.0.0.1:<port>/media/<token>/<post id>`: the server
//! (started on first use) listens on loopback only, answers only under a random 32-byte session
//! token, serves only the files of existing posts, and honours Range requests so the player can
//! seek. Post thumbnails come from the same server (`/thumb/<token>/<post id>`), so the
//! webview's CSP allows one loopback origin for both and nothing else.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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

use crate::ctx::Ctx;
use crate::db;
use crate::error::{CoreError, CoreResult};
use crate::media::VideoFacts;
use crate::posts::service::Posts;

/// A video player seeks with a few parallel range requests and the queue shows many
/// thumbnails; browsers keep at most six connections per host, so 64 is generous.
pub(crate) const PREVIEW_LIMITS: crate::serve::Limits = crate::serve::Limits {
    max_connections: 64,
    header_timeout: std::time::Duration::from_secs(15),
};

#[derive(Debug)]
pub struct PreviewServer {
    addr: SocketAddr,
    token: String,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone)]
struct Served {
    pool: SqlitePool,
    token: String,
    /// The only folder thumbnails are served from.
    thumbnails: PathBuf,
}

impl PreviewServer {
    pub async fn start(pool: SqlitePool, thumbnails: PathBuf) -> CoreResult<PreviewServer> {
        Self::start_with(pool, thumbnails, PREVIEW_LIMITS).await
    }

    pub(crate) async fn start_with(
        pool: SqlitePool,
        thumbnails: PathBuf,
        limits: crate::serve::Limits,
    ) -> CoreResult<PreviewServer> {
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
            .route("/thumb/{token}/{id}", get(serve_thumbnail))
            .with_state(Served {
                pool,
                token: token.clone(),
                thumbnails,
            });
        let task = tokio::spawn(async move {
            let forever = std::future::pending::<()>();
            crate::serve::serve(listener, app, limits, forever, std::time::Duration::ZERO).await;
        });
        tracing::info!(%addr, "video preview server ready");
        Ok(PreviewServer { addr, token, task })
    }

    pub fn url_for(&self, post_id: i64) -> String {
        format!("http://{}/media/{}/{post_id}", self.addr, self.token)
    }

    /// The UI appends a post id (and, to refresh its cache, anything after `?`).
    pub fn thumbnail_base(&self) -> String {
        format!("http://{}/thumb/{}/", self.addr, self.token)
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

/// The post id of a request that carries this server's token; `None` (answered 404, so a
/// wrong token and an unknown post look the same) otherwise.
fn authorised_post(ctx: &Served, token: &str, id: &str) -> Option<i64> {
    if !same(token, &ctx.token) {
        return None;
    }
    id.parse::<i64>().ok()
}

async fn serve(
    State(ctx): State<Served>,
    Path((token, id)): Path<(String, String)>,
    req: Request<Body>,
) -> Response {
    let Some(id) = authorised_post(&ctx, &token, &id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row = match db::posts::media_of(&ctx.pool, id).await {
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

/// Whether `path` is a file directly inside `dir` (both resolved, so `..` and links cannot
/// lead elsewhere).
async fn inside(dir: &std::path::Path, path: &str) -> bool {
    let (Ok(dir), Ok(file)) = (
        tokio::fs::canonicalize(dir).await,
        tokio::fs::canonicalize(path).await,
    ) else {
        return false;
    };
    file.parent() == Some(dir.as_path()) && file.extension().is_some_and(|e| e == "jpg")
}

async fn serve_thumbnail(
    State(ctx): State<Served>,
    Path((token, id)): Path<(String, String)>,
    req: Request<Body>,
) -> Response {
    let Some(id) = authorised_post(&ctx, &token, &id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = match db::posts::thumbnail_of(&ctx.pool, id).await {
        Ok(r) => r,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    let Some(path) = path else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !inside(&ctx.thumbnails, &path).await {
        return StatusCode::NOT_FOUND.into_response();
    }
    match ServeFile::new(&path).oneshot(req).await {
        Ok(resp) => {
            let mut resp = resp.map(Body::new);
            if resp.status().is_success() {
                resp.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
                // File names follow content and cover; the UI puts the name in the query.
                resp.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, max-age=86400"),
                );
            }
            resp
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The preview server of this engine, started on first use and stopped at shutdown.
pub struct Previews {
    ctx: Ctx,
    posts: Arc<Posts>,
    server: tokio::sync::OnceCell<PreviewServer>,
}

impl Previews {
    pub fn new(ctx: Ctx, posts: Arc<Posts>) -> Self {
        Self {
            ctx,
            posts,
            server: tokio::sync::OnceCell::new(),
        }
    }

    /// The server if it was started.
    pub fn get(&self) -> Option<&PreviewServer> {
        self.server.get()
    }

    async fn preview_server(&self) -> CoreResult<&PreviewServer> {
        self.server
            .get_or_try_init(|| {
                PreviewServer::start(self.ctx.pool().clone(), self.posts.thumbnails().dir())
            })
            .await
    }

    /// The loopback URL that plays this post's video (the server starts on first use).
    pub async fn media_preview_url(&self, post_id: i64) -> CoreResult<String> {
        self.posts.post(post_id).await?;
        // A deleted post stays in Trash, but its video is not played any more.
        if db::posts::media_of(self.ctx.pool(), post_id)
            .await?
            .is_none()
        {
            return Err(CoreError::NotFound(format!("Post {post_id} was deleted.")));
        }
        Ok(self.preview_server().await?.url_for(post_id))
    }

    /// Where post thumbnails are served: the UI appends a post id whose `thumbnailPath` is set.
    pub async fn thumbnail_base_url(&self) -> CoreResult<String> {
        Ok(self.preview_server().await?.thumbnail_base())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_connections_are_bounded_and_closed() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let limits = crate::serve::testing::TIGHT;
        let server = PreviewServer::start_with(store.pool().clone(), dir.path().into(), limits)
            .await
            .unwrap();
        let status =
            crate::serve::testing::flood_then_request(server.addr, limits, "/media/wrong/1").await;
        assert_eq!(status, "HTTP/1.1 404 Not Found");
        server.stop();
    }
}
