//! Serving a loopback HTTP server with bounded resources: at most `max_connections` open at
//! once (further ones wait in the kernel's accept queue), and a connection that does not send a
//! complete request head within `header_timeout` (a fresh one or an idle keep-alive one) is
//! closed. `axum::serve` has neither: any local program could hold unlimited sockets open.
//!
//! Its own crate because the engine (OAuth callback, video previews) and the TikTok simulator
//! both serve on loopback, and the simulator does not depend on the engine.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish for
/// at most `grace`.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // The permit is taken before accepting, so at the cap new connections stay queued in
        // the kernel instead of costing a task and buffers here.
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::debug!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::trace!(error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
}

#[cfg(feature = "testing")]
pub mod testing {
    use std::net::SocketAddr;
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::Limits;

    /// Limits small enough for a test to exceed them quickly.
    pub const TIGHT: Limits = Limits {
        max_connections: 8,
        header_timeout: Duration::from_millis(400),
    };

    /// Opens three times `limits.max_connections` idle connections, then asks `path`: the
    /// answer must come (after the idle ones time out and free their places), and the server
    /// must close every idle connection. Returns the answer's status line.
    pub async fn flood_then_request(addr: SocketAddr, limits: Limits, path: &str) -> String {
        let patience = limits.header_timeout * 8 + Duration::from_secs(2);
        let mut idle = Vec::new();
        for _ in 0..limits.max_connections * 3 {
            idle.push(TcpStream::connect(addr).await.unwrap());
        }
        let started = Instant::now();
        let mut legit = TcpStream::connect(addr).await.unwrap();
        legit
            .write_all(
                format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(patience, legit.read_to_end(&mut answer))
            .await
            .expect("the request is answered despite the idle connections")
            .unwrap();
        assert!(started.elapsed() < patience);
        let mut closed = tokio::task::JoinSet::new();
        for mut s in idle {
            closed.spawn(async move {
                let mut buf = [0u8; 64];
                // EOF or a reset: either way the server let go of it.
                matches!(
                    tokio::time::timeout(patience, s.read(&mut buf)).await,
                    Ok(Ok(0) | Err(_))
                )
            });
        }
        let mut open = 0;
        while let Some(r) = closed.join_next().await {
            if !r.unwrap() {
                open += 1;
            }
        }
        assert_eq!(open, 0, "idle connections the server never closed");
        let text = String::from_utf8_lossy(&answer);
        text.lines().next().unwrap_or_default().to_owned()
    }
}
