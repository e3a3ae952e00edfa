//! The loopback listener that receives TikTok's redirect (`GET /callback/` on 127.0.0.1) and the
//! page the browser shows afterwards.

use std::future::Future;
use std::net::Ipv4Addr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tiktok_api::AuthorizationCallback;
use tokio::sync::oneshot;

/// What the listener does with a callback: completes the flow and answers the connected
/// account's title, or the creator-facing reason it failed. Given by the flow's owner, so the
/// listener knows nothing of flows, accounts or the engine.
pub(super) type OnCallback = Arc<
    dyn Fn(AuthorizationCallback) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send>>
        + Send
        + Sync,
>;

/// Serves `GET /callback/` on 127.0.0.1 (ephemeral port) until the flow's callback arrives or
/// the flow ends (`stop`, or `lifetime` at the latest). `/favicon.ico` and everything else get
/// a 404.
pub(super) async fn start_listener(
    on_callback: OnCallback,
    lifetime: Duration,
) -> std::io::Result<(u16, oneshot::Sender<()>)> {
    start_listener_with(on_callback, lifetime, CALLBACK_LIMITS).await
}

/// One browser finishing a sign-in needs a few connections; any local program could otherwise
/// hold the port with unlimited idle sockets.
pub(crate) const CALLBACK_LIMITS: crate::serve::Limits = crate::serve::Limits {
    max_connections: 16,
    header_timeout: Duration::from_secs(10),
};

pub(crate) async fn start_listener_with(
    on_callback: OnCallback,
    lifetime: Duration,
    limits: crate::serve::Limits,
) -> std::io::Result<(u16, oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let port = listener.local_addr()?.port();
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let app = axum::Router::new()
        .route("/callback/", get(callback_handler))
        .fallback(|| async { (StatusCode::NOT_FOUND, "Not found") })
        .with_state(on_callback);
    tokio::spawn(async move {
        let stop = async move {
            let _ = stop_rx.await;
        };
        let serve = crate::serve::serve(listener, app, limits, stop, Duration::from_secs(5));
        // Bound the graceful phase: an idle keep-alive browser connection must not keep the
        // port open.
        let _ = tokio::time::timeout(lifetime + Duration::from_secs(60), serve).await;
    });
    Ok((port, stop_tx))
}

async fn callback_handler(
    State(on_callback): State<OnCallback>,
    RawQuery(query): RawQuery,
) -> Response {
    let cb = AuthorizationCallback::parse_query(query.as_deref().unwrap_or(""));
    match on_callback(cb).await {
        Ok(title) => page(
            true,
            &format!(
                "{title} is connected to Tokdeck. You can close this tab and go back to Tokdeck."
            ),
        ),
        Err(message) => page(false, &message),
    }
}

/// The page the browser shows after the redirect. The message is redacted once more: the page
/// stays in the browser's history and cache, out of Tokdeck's reach.
fn page(ok: bool, message: &str) -> Response {
    let message = &tiktok_api::redact::redact(message);
    let (title, colour) = if ok {
        ("Account connected", "#127a3a")
    } else {
        ("Account not connected", "#a1261b")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tokdeck — {title}</title>\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}}\
         h1{{color:{colour};font-size:1.5rem}}</style></head>\
         <body><h1>{title}</h1><p>{}</p><p>You can close this tab.</p></body></html>",
        escape(message)
    );
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        [
            ("cache-control", "no-store"),
            (
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'",
            ),
            ("referrer-policy", "no-referrer"),
        ],
        Html(body),
    )
        .into_response()
}

pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod listener_tests {
    use super::*;

    #[tokio::test]
    async fn the_callback_listener_bounds_and_closes_idle_connections() {
        let limits = crate::serve::testing::TIGHT;
        let nobody: OnCallback = Arc::new(|_| Box::pin(async { Err("no flow".to_owned()) }));
        let (port, stop) = start_listener_with(nobody, Duration::from_secs(60), limits)
            .await
            .unwrap();
        let addr = std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let status =
            crate::serve::testing::flood_then_request(addr, limits, "/callback/?code=c&state=s")
                .await;
        assert!(status.starts_with("HTTP/1.1 "), "{status}");
        let _ = stop.send(());
    }
}
