//! The `/__sim/` control API: how tests and the demo mode steer the simulated TikTok.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::accounts::{self, Account, AccountInput};
use crate::app::DevAppPatch;
use crate::errors::ControlError;
use crate::faults::FaultSpec;
use crate::png;
use crate::posts::Status;
use crate::state::{PendingConsent, Sim, State as World};

type Result<T> = std::result::Result<T, ControlError>;

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T> {
    let body: &[u8] = if body.iter().all(|b| b.is_ascii_whitespace()) {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ControlError::bad(format!("bad JSON: {e}")))
}

pub async fn reset(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.reset();
    tracing::info!("simulator reset");
    Json(json!({}))
}

/// Every credential issued since start (`[{kind, value}]`), for the secrets tripwire of tests
/// that only reach the simulator over HTTP.
pub async fn issued_secrets(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.issued_secrets()))
}

pub async fn get_app(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().app))
}

pub async fn patch_app(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let patch: DevAppPatch = parse(&body)?;
    let mut st = sim.lock();
    st.app.apply(patch).map_err(ControlError::bad)?;
    Ok(Json(json!(st.app)))
}

pub async fn get_behaviour(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().behaviour))
}

pub async fn post_behaviour(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let patch: Value = parse(&body)?;
    let mut st = sim.lock();
    st.behaviour.patch(&patch).map_err(ControlError::bad)?;
    Ok(Json(json!(st.behaviour)))
}

pub async fn create_account(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Account>> {
    let input: AccountInput = parse(&body)?;
    let mut acc = Account::create(input).map_err(ControlError::bad)?;
    acc.counts_since = sim.clock.now_secs();
    sim.lock().accounts.push(acc.clone());
    Ok(Json(acc))
}

pub async fn list_accounts(State(sim): State<Arc<Sim>>) -> Json<Vec<Account>> {
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    Json(st.accounts.clone())
}

pub async fn patch_account(
    State(sim): State<Arc<Sim>>,
    Path(open_id): Path<String>,
    body: Bytes,
) -> Result<Json<Account>> {
    let input: AccountInput = parse(&body)?;
    let recount = input.follower_count.is_some() || input.likes_count.is_some();
    let now = sim.clock.now_secs();
    let mut st = sim.lock();
    let acc = st
        .account_mut(&open_id)
        .ok_or_else(|| ControlError::not_found("unknown open_id"))?;
    acc.apply(input);
    if recount {
        // Growth counts from the counts just set.
        acc.counts_since = now;
    }
    Ok(Json(acc.clone()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentBody {
    open_id: String,
    scopes: Option<Vec<String>>,
    deny: Option<String>,
}

pub async fn consent(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let c: ConsentBody = parse(&body)?;
    let mut st = sim.lock();
    if c.deny.is_none() && st.account(&c.open_id).is_none() {
        return Err(ControlError::not_found("unknown open_id"));
    }
    st.pending_consent = Some(PendingConsent {
        open_id: c.open_id,
        scopes: c.scopes,
        deny: c.deny,
    });
    Ok(Json(json!({})))
}

#[derive(Deserialize)]
pub struct TokensBody {
    open_id: String,
    #[serde(default)]
    refresh: bool,
}

pub async fn revoke_tokens(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let b: TokensBody = parse(&body)?;
    let now = sim.now_ms();
    sim.lock().revoke_account(&b.open_id, now);
    Ok(Json(json!({})))
}

pub async fn expire_tokens(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let b: TokensBody = parse(&body)?;
    let now = sim.now_ms();
    sim.lock().tokens.expire_account(&b.open_id, b.refresh, now);
    Ok(Json(json!({})))
}

pub async fn list_tokens(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let now = sim.now_ms();
    Json(json!(sim.lock().tokens.view(now)))
}

pub async fn add_fault(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let spec: FaultSpec = parse(&body)?;
    let id = sim.lock().faults.add(spec).map_err(ControlError::bad)?;
    Ok(Json(json!({ "id": id })))
}

pub async fn list_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().faults.list()))
}

pub async fn clear_faults(State(sim): State<Arc<Sim>>) -> Json<Value> {
    sim.lock().faults.clear();
    Json(json!({}))
}

pub async fn list_posts(State(sim): State<Arc<Sim>>) -> Json<Value> {
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    Json(json!(st.posts.iter().map(|p| p.view()).collect::<Vec<_>>()))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishDraft {
    privacy_level: Option<String>,
}

/// The simulated user finishes an inbox draft in the TikTok app.
pub async fn publish_draft(
    State(sim): State<Arc<Sim>>,
    Path(publish_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>> {
    let b: PublishDraft = parse(&body)?;
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    let World {
        posts, accounts, ..
    } = &mut *st;
    let post = posts
        .iter_mut()
        .find(|p| p.publish_id == publish_id)
        .ok_or_else(|| ControlError::not_found("unknown publish_id"))?;
    if post.status != Status::SendToUserInbox {
        return Err(ControlError::bad(
            "the draft is not waiting in the user's inbox",
        ));
    }
    let privacy = b.privacy_level.unwrap_or_else(|| "SELF_ONLY".into());
    let public = privacy == "PUBLIC_TO_EVERYONE";
    let v = accounts::video(now / 1000, "", public);
    if public {
        post.post_ids.push(v.id);
    }
    post.privacy = Some(privacy);
    post.status = Status::PublishComplete;
    if let Some(acc) = accounts.iter_mut().find(|a| a.open_id == post.open_id) {
        acc.videos.push(v);
    }
    Ok(Json(json!(post.view())))
}

pub async fn requests(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!(sim.lock().requests))
}

#[derive(Deserialize)]
pub struct Advance {
    secs: f64,
}

pub async fn advance_clock(State(sim): State<Arc<Sim>>, body: Bytes) -> Result<Json<Value>> {
    let a: Advance = parse(&body)?;
    if !(a.secs.is_finite() && a.secs >= 0.0) {
        return Err(ControlError::bad("secs must be a non-negative number"));
    }
    sim.clock.advance_ms((a.secs * 1000.0) as u64);
    Ok(Json(json!({ "now_ms": sim.now_ms() })))
}

pub async fn get_clock(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({ "now_ms": sim.now_ms() }))
}

/// Avatars and covers: a small PNG in a colour derived from the id. A cover URL carries its
/// expiry (`x-expires`, simulated epoch seconds) and answers 403 after it, as TikTok's signed
/// CDN links do.
pub async fn image(
    State(sim): State<Arc<Sim>>,
    Path(file): Path<String>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let expires = q.get("x-expires").and_then(|e| e.parse::<u64>().ok());
    if expires.is_some_and(|e| e <= sim.clock.now_secs()) {
        return (axum::http::StatusCode::FORBIDDEN, "URL expired").into_response();
    }
    let id = file.strip_suffix(".png").unwrap_or(&file);
    (
        [(header::CONTENT_TYPE, "image/png")],
        png::solid(png::colour_for(id)),
    )
        .into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVideo {
    title: String,
    /// Simulated epoch seconds; now when absent.
    create_time: Option<u64>,
    #[serde(default = "yes")]
    public: bool,
    /// Adds this many videos at once (a creator's back catalogue, for benches): the n-th is
    /// titled "<title> #n" and made `every_secs` before the previous one. Answers their count.
    count: Option<u32>,
    #[serde(default)]
    every_secs: u64,
}

fn yes() -> bool {
    true
}

/// A video the creator posted outside the app (or in the TikTok app itself).
pub async fn add_video(
    State(sim): State<Arc<Sim>>,
    Path(open_id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>> {
    let b: NewVideo = parse(&body)?;
    let now = sim.clock.now_secs();
    let mut st = sim.lock();
    let acc = st
        .account_mut(&open_id)
        .ok_or_else(|| ControlError::not_found("unknown open_id"))?;
    let first = b.create_time.unwrap_or(now);
    if let Some(count) = b.count {
        if count == 0 || count > 100_000 || b.every_secs.saturating_mul(count as u64) > first {
            return Err(ControlError::bad(
                "count must be 1..=100000 and every_secs * count must stay after 1970",
            ));
        }
        for n in 0..count as u64 {
            let title = format!("{} #{}", b.title, n + 1);
            let v = accounts::video(first - n * b.every_secs, &title, b.public);
            acc.videos.push(v);
        }
        return Ok(Json(json!({ "added": count })));
    }
    let v = accounts::video(first, &b.title, b.public);
    acc.videos.push(v.clone());
    Ok(Json(
        json!({"id": v.id.to_string(), "create_time": v.create_time}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VideoPatch {
    public: Option<bool>,
    #[serde(default)]
    removed: bool,
}

/// The creator makes a video private (`public: false`) or public again, or removes it.
pub async fn patch_video(
    State(sim): State<Arc<Sim>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>> {
    let b: VideoPatch = parse(&body)?;
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    for acc in &mut st.accounts {
        if let Some(i) = acc.videos.iter().position(|v| v.id.to_string() == id) {
            if b.removed {
                acc.videos.remove(i);
            } else if let Some(p) = b.public {
                acc.videos[i].public = p;
            }
            return Ok(Json(json!({})));
        }
    }
    Err(ControlError::not_found("unknown video id"))
}
