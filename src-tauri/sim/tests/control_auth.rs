//! Who may use the simulator: `/__sim/` needs this run's secret, every request must name the
//! simulator by its loopback address, and idle connections are bounded and closed.

mod common;

use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokdeck_sim::{Limits, SimOptions, Simulator, CONTROL_TOKEN_HEADER};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn status(req: reqwest::RequestBuilder) -> StatusCode {
    req.send().await.unwrap().status()
}

#[tokio::test]
async fn the_control_api_needs_the_runs_secret_and_a_loopback_host() {
    let c = common::start().await;
    let bare = Client::new();
    let url = |p: &str| format!("{}{p}", c.base);
    let token = c.sim.control_token().to_owned();
    assert!(token.len() >= 32, "a real secret: {token}");

    // No secret, a wrong one, or another run's: refused, and nothing changes.
    let other = Simulator::start(SimOptions::default()).await.unwrap();
    assert_ne!(other.control_token(), token, "each run has its own secret");
    for header in [None, Some("wrong"), Some(other.control_token())] {
        for (method, path, body) in [
            (Method::GET, "/__sim/tokens", Value::Null),
            (Method::POST, "/__sim/accounts", json!({"username": "eve"})),
            (Method::PATCH, "/__sim/app", json!({"audited": false})),
            (Method::POST, "/__sim/reset", json!({})),
        ] {
            let mut req = bare.request(method.clone(), url(path)).json(&body);
            if let Some(h) = header {
                req = req.header(CONTROL_TOKEN_HEADER, h);
            }
            assert_eq!(
                status(req).await,
                StatusCode::UNAUTHORIZED,
                "{method} {path} {header:?}"
            );
        }
    }
    assert_eq!(
        c.ctl(Method::GET, "/__sim/accounts", Value::Null).await,
        json!([])
    );
    assert_eq!(
        c.ctl(Method::GET, "/__sim/app", Value::Null).await["audited"],
        true
    );

    // With it: works.
    let ok = bare
        .get(url("/__sim/accounts"))
        .header(CONTROL_TOKEN_HEADER, &token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    // A page reached through another name for 127.0.0.1 (DNS rebinding) is refused, secret
    // or not; localhost on the right port is fine; the images stay public.
    let port = c.sim.addr().port();
    for host in [
        "evil.example",
        "evil.example:80",
        &format!("127.0.0.1:{}", port + 1),
    ] {
        let req = bare
            .get(url("/__sim/accounts"))
            .header(CONTROL_TOKEN_HEADER, &token)
            .header("host", host);
        assert_eq!(status(req).await, StatusCode::FORBIDDEN, "{host}");
        let req = bare.get(url("/v2/auth/authorize/")).header("host", host);
        assert_eq!(status(req).await, StatusCode::FORBIDDEN, "{host}");
    }
    let req = bare
        .get(url("/__sim/accounts"))
        .header(CONTROL_TOKEN_HEADER, &token)
        .header("host", format!("localhost:{port}"));
    assert_eq!(status(req).await, StatusCode::OK);
    assert_eq!(
        status(bare.get(url("/__sim/avatar/x.png"))).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn idle_connections_are_bounded_and_closed() {
    let limits = Limits {
        max_connections: 8,
        header_timeout: Duration::from_millis(400),
    };
    let sim = Simulator::start(SimOptions {
        limits: Some(limits),
        ..Default::default()
    })
    .await
    .unwrap();
    let addr = sim.addr();
    let patience = limits.header_timeout * 8 + Duration::from_secs(2);
    let mut idle = Vec::new();
    for _ in 0..limits.max_connections * 3 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    let started = Instant::now();
    let mut legit = TcpStream::connect(addr).await.unwrap();
    legit
        .write_all(
            format!(
                "GET /__sim/clock HTTP/1.1\r\nHost: {addr}\r\n{CONTROL_TOKEN_HEADER}: {}\r\nConnection: close\r\n\r\n",
                sim.control_token()
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(patience, legit.read_to_end(&mut answer))
        .await
        .expect("answered despite the idle connections")
        .unwrap();
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    assert!(started.elapsed() < patience);
    for mut s in idle {
        let mut buf = [0u8; 16];
        let closed = matches!(
            tokio::time::timeout(patience, s.read(&mut buf)).await,
            Ok(Ok(0) | Err(_))
        );
        assert!(closed, "the simulator let go of every idle connection");
    }
}
