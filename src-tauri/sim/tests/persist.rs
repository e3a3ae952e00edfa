//! The world in a file (`SimOptions::state_file`, the app's demo mode): a restart keeps the
//! creators, their open_ids, the tokens a client holds and the publishes it may ask about.
//! Without a file the world lives in memory, as `make sim` runs it.

mod common;

use common::*;
use reqwest::Method;
use serde_json::Value;
use tokdeck_sim::SimOptions;

fn opts(file: Option<std::path::PathBuf>) -> SimOptions {
    SimOptions {
        seed: true,
        behaviour: small_chunks(),
        state_file: file,
        ..Default::default()
    }
}

async fn open_id(c: &Ctx, username: &str) -> String {
    let accounts = c.ctl(Method::GET, "/__sim/accounts", Value::Null).await;
    accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .unwrap_or_else(|| panic!("no {username}: {accounts}"))["open_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_restart_keeps_the_creators_their_tokens_and_publishes() {
    let dir = tempfile_dir();
    let file = dir.join("demo/world.json");
    let c = start_opts(opts(Some(file.clone()))).await;
    let maya = open_id(&c, "maya.makes").await;
    let tokens = c.login(&maya, ALL).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let data = bytes(3000, 7);
    let (status, init) = c.init_direct(&access, "SELF_ONLY", 3000, 3000, 1).await;
    assert_eq!(status, 200, "{init}");
    let publish_id = init["data"]["publish_id"].as_str().unwrap().to_owned();
    let url = init["data"]["upload_url"].as_str().unwrap().to_owned();
    assert!(c
        .put(&url, &data, 0, 3000)
        .await
        .unwrap()
        .status()
        .is_success());
    c.advance(5.0).await;
    let clock_before = c.sim.now_ms();
    c.sim.shutdown().await;
    assert!(file.exists(), "the world was saved");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "only the owner reads the tokens");
    }

    let c = start_opts(opts(Some(file.clone()))).await;
    assert_eq!(
        open_id(&c, "maya.makes").await,
        maya,
        "same creator, same open_id"
    );
    let accounts = c.ctl(Method::GET, "/__sim/accounts", Value::Null).await;
    assert_eq!(
        accounts.as_array().unwrap().len(),
        3,
        "seeded once, not again"
    );
    assert!(
        c.sim.now_ms() >= clock_before,
        "the clock never runs backwards"
    );
    let (status, info) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &access,
            None,
        )
        .await;
    assert_eq!(status, 200, "the access token still works: {info}");
    let (status, st) = c.status(&access, &publish_id).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["data"]["status"], "PUBLISH_COMPLETE", "{st}");
    let resp = c.refresh(&refresh).await;
    assert_eq!(resp.status(), 200, "the refresh token still works");
    let secrets: Vec<String> = c
        .sim
        .issued_secrets()
        .into_iter()
        .map(|s| s.value)
        .collect();
    assert!(
        secrets.contains(&access),
        "earlier secrets are still known to the tripwire"
    );
    c.sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn without_a_file_each_start_is_a_new_world_with_the_same_demo_creators() {
    let c = start_opts(opts(None)).await;
    let maya = open_id(&c, "maya.makes").await;
    let access = c.login(&maya, ALL).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    c.sim.shutdown().await;

    let c = start_opts(opts(None)).await;
    assert_eq!(
        open_id(&c, "maya.makes").await,
        maya,
        "the demo creators are the same TikTok users in every run"
    );
    let (status, _) = c
        .api(
            Method::POST,
            "/v2/post/publish/creator_info/query/",
            &access,
            None,
        )
        .await;
    assert_eq!(status, 401, "an in-memory world forgets its tokens");
    c.sim.shutdown().await;
}

#[tokio::test]
async fn an_unreadable_file_is_set_aside_and_a_new_world_starts() {
    let dir = tempfile_dir();
    let file = dir.join("world.json");
    std::fs::write(&file, b"{ not json").unwrap();
    let c = start_opts(opts(Some(file.clone()))).await;
    assert_eq!(
        c.ctl(Method::GET, "/__sim/accounts", Value::Null)
            .await
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(dir.join("world.json.broken").exists());
    let saved: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(saved["accounts"].as_array().unwrap().len(), 3);
    c.sim.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "tokdeck-sim-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
