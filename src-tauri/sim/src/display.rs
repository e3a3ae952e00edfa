//! Display API: user info, video list and video query.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::accounts::{Account, Video};
use crate::errors::{ok, ApiError};
use crate::faults::{gate, Endpoint};
use crate::state::Sim;

/// user/info fields and the scope each needs (reference §4.1).
const USER_FIELDS: &[(&str, &str)] = &[
    ("open_id", "user.info.basic"),
    ("union_id", "user.info.basic"),
    ("avatar_url", "user.info.basic"),
    ("avatar_url_100", "user.info.basic"),
    ("avatar_large_url", "user.info.basic"),
    ("display_name", "user.info.basic"),
    ("bio_description", "user.info.profile"),
    ("profile_deep_link", "user.info.profile"),
    ("is_verified", "user.info.profile"),
    ("username", "user.info.profile"),
    ("follower_count", "user.info.stats"),
    ("following_count", "user.info.stats"),
    ("likes_count", "user.info.stats"),
    ("video_count", "user.info.stats"),
];

const VIDEO_FIELDS: &[&str] = &[
    "id",
    "create_time",
    "cover_image_url",
    "share_url",
    "video_description",
    "duration",
    "height",
    "width",
    "title",
    "embed_html",
    "embed_link",
    "like_count",
    "comment_count",
    "share_count",
    "view_count",
];

fn fields(q: &HashMap<String, String>, spelling: &str) -> Result<Vec<String>, ApiError> {
    let f: Vec<String> = q
        .get("fields")
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    if f.is_empty() {
        return Err(ApiError::invalid(
            spelling,
            "The fields parameter is required.",
        ));
    }
    Ok(f)
}

/// How long a cover image URL stays valid (reference §6.6: 6 h).
pub const COVER_TTL_SECS: u64 = 6 * 3600;

/// Evolution seed and simulated now (seconds), when the counts evolve.
type Evolve = Option<(u64, u64)>;

fn user_field(sim: &Sim, a: &Account, f: &str, evolve: Evolve) -> Value {
    let grown = evolve.map(|(seed, now)| crate::evolution::account_counts(seed, a, now));
    match f {
        "open_id" => json!(a.open_id),
        "union_id" => json!(a.union_id),
        "avatar_url" | "avatar_url_100" | "avatar_large_url" => json!(sim.avatar_url(&a.open_id)),
        "display_name" => json!(a.display_name),
        "bio_description" => json!(a.bio),
        "profile_deep_link" => json!(format!("{}/__sim/profile/@{}", sim.base_url, a.username)),
        "is_verified" => json!(a.verified),
        "username" => json!(a.username),
        "follower_count" => json!(grown.map_or(a.follower_count, |g| g.0)),
        "following_count" => json!(a.following_count),
        "likes_count" => json!(grown.map_or(a.likes_count, |g| g.1)),
        "video_count" => json!(a.public_video_count()),
        _ => Value::Null,
    }
}

pub async fn user_info(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ticket = match gate(&sim, Endpoint::UserInfo).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    ticket.finish(user_info_inner(&sim, &headers, &q).unwrap_or_else(|e| e.into_response()))
}

fn user_info_inner(
    sim: &Sim,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
) -> Result<Response, ApiError> {
    let bearer = sim.authorize_api(headers, Endpoint::UserInfo, &[])?;
    let st = sim.lock();
    let spelling = st.behaviour.invalid_param_spelling.clone();
    let wanted = fields(q, &spelling)?;
    let mut missing = vec![];
    for f in &wanted {
        let scope = USER_FIELDS
            .iter()
            .find(|(n, _)| n == f)
            .map(|(_, s)| *s)
            .ok_or_else(|| ApiError::invalid(&spelling, format!("Invalid field: {f}")))?;
        if !bearer.scopes.iter().any(|s| s == scope) {
            missing.push(scope);
        }
    }
    if !missing.is_empty() {
        missing.dedup();
        let msg = format!(
            "The user did not authorize the scope required for the requested fields: {}",
            missing.join(",")
        );
        return Err(
            if st.behaviour.field_scope_error == "scope_not_authorized" {
                ApiError::new(401, "scope_not_authorized", msg)
            } else {
                ApiError::new(400, "scope_permission_missed", msg)
            },
        );
    }
    let acc = st
        .account(&bearer.open_id)
        .ok_or_else(ApiError::token_invalid)?;
    let evolve = st
        .behaviour
        .evolution_seed
        .map(|s| (s, sim.clock.now_secs()));
    let user: Map<String, Value> = wanted
        .iter()
        .map(|f| (f.clone(), user_field(sim, acc, f, evolve)))
        .collect();
    Ok(ok(json!({ "user": user })))
}

fn video_json(sim: &Sim, v: &Video, wanted: &[String], evolve: Evolve) -> Value {
    let share = format!("{}/__sim/video/{}", sim.base_url, v.id);
    let now = sim.clock.now_secs();
    let (views, likes, comments, shares) = match evolve {
        Some((seed, now)) => crate::evolution::video_counts(seed, v, now),
        None => (v.view_count, v.like_count, v.comment_count, v.share_count),
    };
    let obj: Map<String, Value> = wanted
        .iter()
        .map(|f| {
            let val = match f.as_str() {
                "id" => json!(v.id.to_string()),
                "create_time" => json!(v.create_time),
                "cover_image_url" => json!(format!(
                    "{}/__sim/cover/{}.png?x-expires={}",
                    sim.base_url,
                    v.id,
                    now + COVER_TTL_SECS
                )),
                "share_url" | "embed_link" => json!(share),
                "video_description" => json!(v.description),
                "duration" => json!(v.duration),
                "height" => json!(v.height),
                "width" => json!(v.width),
                "title" => json!(v.title),
                "embed_html" => json!(format!("<blockquote cite=\"{share}\"></blockquote>")),
                "like_count" => json!(likes),
                "comment_count" => json!(comments),
                "share_count" => json!(shares),
                "view_count" => json!(views),
                _ => Value::Null,
            };
            (f.clone(), val)
        })
        .collect();
    Value::Object(obj)
}

fn video_fields(q: &HashMap<String, String>, spelling: &str) -> Result<Vec<String>, ApiError> {
    let wanted = fields(q, spelling)?;
    if let Some(bad) = wanted.iter().find(|f| !VIDEO_FIELDS.contains(&f.as_str())) {
        return Err(ApiError::invalid(spelling, format!("Invalid field: {bad}")));
    }
    Ok(wanted)
}

fn json_body(body: &Bytes, spelling: &str) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(spelling, format!("Invalid JSON body: {e}")))
}

pub async fn video_list(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let ticket = match gate(&sim, Endpoint::VideoList).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    ticket.finish(video_list_inner(&sim, &headers, &q, &body).unwrap_or_else(|e| e.into_response()))
}

fn video_list_inner(
    sim: &Sim,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let bearer = sim.authorize_api(headers, Endpoint::VideoList, &["video.list"])?;
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    let spelling = st.behaviour.invalid_param_spelling.clone();
    let wanted = video_fields(q, &spelling)?;
    let b = json_body(body, &spelling)?;
    let max = match &b["max_count"] {
        Value::Null => 10,
        v => v
            .as_u64()
            .filter(|n| (1..=20).contains(n))
            .ok_or_else(|| ApiError::invalid(&spelling, "max_count must be between 1 and 20."))?,
    } as usize;
    let cursor = match &b["cursor"] {
        Value::Null => None,
        v => Some(v.as_u64().ok_or_else(|| {
            ApiError::invalid(&spelling, "cursor must be an int64 timestamp in ms.")
        })?),
    };
    let acc = st
        .account(&bearer.open_id)
        .ok_or_else(ApiError::token_invalid)?;
    let mut vids: Vec<&Video> = acc
        .videos
        .iter()
        .filter(|v| v.public && cursor.is_none_or(|c| v.create_time * 1000 < c))
        .collect();
    vids.sort_by(|a, b| b.create_time.cmp(&a.create_time).then(b.id.cmp(&a.id)));
    let has_more = vids.len() > max;
    vids.truncate(max);
    let next_cursor = vids
        .last()
        .map(|v| v.create_time * 1000)
        .unwrap_or(cursor.unwrap_or(0));
    let evolve = st
        .behaviour
        .evolution_seed
        .map(|s| (s, sim.clock.now_secs()));
    let videos: Vec<Value> = vids
        .iter()
        .map(|v| video_json(sim, v, &wanted, evolve))
        .collect();
    Ok(ok(
        json!({"videos": videos, "cursor": next_cursor, "has_more": has_more}),
    ))
}

pub async fn video_query(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let ticket = match gate(&sim, Endpoint::VideoQuery).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    ticket
        .finish(video_query_inner(&sim, &headers, &q, &body).unwrap_or_else(|e| e.into_response()))
}

fn video_query_inner(
    sim: &Sim,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let bearer = sim.authorize_api(headers, Endpoint::VideoQuery, &["video.list"])?;
    let now = sim.now_ms();
    let mut st = sim.lock();
    st.settle(now);
    let spelling = st.behaviour.invalid_param_spelling.clone();
    let wanted = video_fields(q, &spelling)?;
    let b = json_body(body, &spelling)?;
    let ids: Vec<String> = b["filters"]["video_ids"]
        .as_array()
        .ok_or_else(|| ApiError::invalid(&spelling, "filters.video_ids is required."))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        })
        .collect();
    if ids.is_empty() || ids.len() > 20 {
        return Err(ApiError::invalid(
            &spelling,
            "filters.video_ids must hold 1 to 20 ids.",
        ));
    }
    let acc = st
        .account(&bearer.open_id)
        .ok_or_else(ApiError::token_invalid)?;
    // Ownership: ids of other users' (or private) videos are silently left out.
    let evolve = st
        .behaviour
        .evolution_seed
        .map(|s| (s, sim.clock.now_secs()));
    let videos: Vec<Value> = acc
        .videos
        .iter()
        .filter(|v| v.public && ids.contains(&v.id.to_string()))
        .map(|v| video_json(sim, v, &wanted, evolve))
        .collect();
    Ok(ok(
        json!({"videos": videos, "cursor": 0, "has_more": false}),
    ))
}
