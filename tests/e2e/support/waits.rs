//! Waiting for a condition, a probe or a command, within [`PATIENCE`].

use super::*;

pub async fn wait_until(limit: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `probe` until it answers `Ok`, for up to [`PATIENCE`]; on timeout the test fails
/// naming `what` and the probe's last answer (what it saw instead).
pub async fn wait_for<T>(what: &str, mut probe: impl AsyncFnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        match probe().await {
            Ok(v) => return v,
            Err(last) => assert!(
                Instant::now() < deadline,
                "timed out after {PATIENCE:?} waiting for {what}; last seen: {last}"
            ),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls a command until `done` accepts its answer; answers that answer.
pub async fn wait_invoke(
    app: &App,
    what: &str,
    cmd: &str,
    args: Value,
    mut done: impl FnMut(&Value) -> bool,
) -> Value {
    wait_for(what, async || {
        let out = app
            .invoke(cmd, args.clone())
            .await
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"));
        if done(&out) {
            Ok(out)
        } else {
            Err(out.to_string())
        }
    })
    .await
}

/// Waits until post `id` is in `status`; answers the post.
pub async fn post_status(app: &App, id: i64, status: &str) -> Value {
    wait_invoke(
        app,
        &format!("post {id} to be {status}"),
        "get_post",
        json!({ "postId": id }),
        |p| p["status"] == status,
    )
    .await
}

/// Waits until the element `css` shows text for which `ok` holds; answers that text.
pub async fn wait_text(app: &App, css: &str, what: &str, ok: impl Fn(&str) -> bool) -> String {
    wait_for(what, async || {
        let text = match app.client.find(Locator::Css(css)).await {
            Ok(el) => el.text().await.unwrap_or_default(),
            Err(_) => return Err(format!("no {css} yet")),
        };
        if ok(&text) {
            Ok(text)
        } else {
            Err(text)
        }
    })
    .await
}
