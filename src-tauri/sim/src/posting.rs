//! Content Posting API: creator_info, Direct Post and inbox init, status fetch, cancel.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::behaviour::UnauditedNonSelfOnly;
use crate::errors::{error_only, ok, ApiError};
use crate::faults::{gate, Endpoint, PublishFault, Ticket};
use crate::ids;
use crate::posts::{Doom, Mode, Post, Status, Upload};
use crate::state::{Sim, State as World};
use crate::upload::check_plan;

const DAY_MS: u64 = 86_400_000;
const MAX_VIDEO_BYTES: u64 = 4 * 1024 * 1024 * 1024;

fn direct_posts_24h(st: &World, open_id: &str, now: u64) -> usize {
    st.posts_of(open_id)
        .filter(|p| p.mode == Mode::Direct && p.created_ms + DAY_MS > now)
        .count()
}

fn active_users_24h(st: &World, now: u64) -> HashSet<String> {
    st.creators_posts()
        .filter(|(_, posts)| {
            // Newest first: an active creator is found at its last publishes.
            posts.iter().rev().any(|&i| {
                let p = &st.posts[i];
                p.mode == Mode::Direct && p.created_ms + DAY_MS > now
            })
        })
        .map(|(open_id, _)| open_id.clone())
        .collect()
}

fn pending_drafts(st: &World, open_id: &str, now: u64) -> usize {
    st.posts_of(open_id)
        .filter(|p| {
            p.mode == Mode::Inbox
                && p.created_ms + DAY_MS > now
                && matches!(p.status, Status::ProcessingUpload | Status::SendToUserInbox)
        })
        .count()
}

/// Why this creator cannot post now, as (code, message); shared by creator_info and init.
fn cannot_post(st: &World, open_id: &str, now: u64) -> Option<(&'static str, &'static str)> {
    let acc = st.account(open_id)?;
    if acc.banned {
        return Some((
            "spam_risk_user_banned_from_posting",
            "The user is banned from making new posts.",
        ));
    }
    if !acc.can_post
        || direct_posts_24h(st, open_id, now) >= st.behaviour.posts_per_day_cap as usize
    {
        return Some((
            "spam_risk_too_many_posts",
            "The daily post cap from the API is reached for the current user.",
        ));
    }
    if !st.app.audited {
        let users = active_users_24h(st, now);
        if !users.contains(open_id) && users.len() >= st.behaviour.unaudited_user_cap as usize {
            return Some((
                "reached_active_user_cap",
                "The daily quota for active publishing users from your client is reached.",
            ));
        }
    }
    None
}

fn respond(ticket: Ticket, r: Result<Response, ApiError>) -> Response {
    ticket.finish(r.unwrap_or_else(IntoResponse::into_response))
}

fn json_body(body: &Bytes, spelling: &str) -> Result<Value, ApiError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(spelling, format!("Invalid JSON body: {e}")))
}

pub async fn creator_info(State(sim): State<Arc<Sim>>, headers: HeaderMap) -> Response {
    let ticket = match gate(&sim, Endpoint::CreatorInfo).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let r = (|| {
        let bearer = sim.authorize_api(&headers, Endpoint::CreatorInfo, &["video.publish"])?;
        let now = sim.now_ms();
        let mut st = sim.lock();
        st.settle(now);
        // "Cannot post now" answers carry HTTP 200 on purpose (reference §5.1).
        if let Some((code, msg)) = cannot_post(&st, &bearer.open_id, now) {
            return Err(ApiError::new(200, code, msg));
        }
        let acc = st
            .account(&bearer.open_id)
            .ok_or_else(ApiError::token_invalid)?;
        Ok(ok(json!({
            "creator_avatar_url": sim.avatar_url(&acc.open_id),
            "creator_username": acc.username,
            "creator_nickname": acc.display_name,
            "privacy_level_options": acc.privacy_options(),
            "comment_disabled": acc.comment_disabled,
            "duet_disabled": acc.duet_disabled || acc.private,
            "stitch_disabled": acc.stitch_disabled || acc.private,
            "max_video_post_duration_sec": acc.max_video_post_duration_sec,
        })))
    })();
    respond(ticket, r)
}

struct Plan {
    video_size: u64,
    chunk_size: u64,
    total_chunks: u64,
}

/// Fields the reference documents for `source_info` (§5.2) and video `post_info` (§5.2).
const SOURCE_FIELDS: &[&str] = &[
    "source",
    "video_size",
    "chunk_size",
    "total_chunk_count",
    "video_url",
];
const POST_INFO_FIELDS: &[&str] = &[
    "privacy_level",
    "title",
    "disable_duet",
    "disable_stitch",
    "disable_comment",
    "video_cover_timestamp_ms",
    "brand_content_toggle",
    "brand_organic_toggle",
    "is_aigc",
];

/// A field the reference does not document for this object is a client mistake: 400.
fn only_documented(obj: &Value, allowed: &[&str], what: &str, sp: &str) -> Result<(), ApiError> {
    match obj
        .as_object()
        .and_then(|o| o.keys().find(|k| !allowed.contains(&k.as_str())))
    {
        Some(extra) => Err(ApiError::invalid(
            sp,
            format!("{extra} is not a field of {what}."),
        )),
        None => Ok(()),
    }
}

fn source_plan(source: &Value, st: &World) -> Result<Plan, ApiError> {
    let sp = &st.behaviour.invalid_param_spelling;
    if !source.is_object() {
        return Err(ApiError::invalid(sp, "source_info is required."));
    }
    only_documented(source, SOURCE_FIELDS, "source_info", sp)?;
    match source["source"].as_str() {
        Some("FILE_UPLOAD") => {}
        Some("PULL_FROM_URL") => {
            return Err(ApiError::new(
                403,
                "url_ownership_unverified",
                "The URL domain or prefix is not verified for this app.",
            ))
        }
        _ => {
            return Err(ApiError::invalid(
                sp,
                "source_info.source must be FILE_UPLOAD or PULL_FROM_URL.",
            ))
        }
    }
    let num = |k: &str| {
        source[k].as_u64().ok_or_else(|| {
            ApiError::invalid(sp, format!("source_info.{k} must be a positive integer."))
        })
    };
    let plan = Plan {
        video_size: num("video_size")?,
        chunk_size: num("chunk_size")?,
        total_chunks: num("total_chunk_count")?,
    };
    if plan.video_size == 0 || plan.video_size > MAX_VIDEO_BYTES {
        return Err(ApiError::invalid(sp, "The video size is invalid"));
    }
    check_plan(
        &st.behaviour,
        plan.video_size,
        plan.chunk_size,
        plan.total_chunks,
    )
    .map_err(|_| ApiError::invalid(sp, "The chunk size is invalid"))?;
    Ok(plan)
}

fn check_post_info(info: &Value, sp: &str) -> Result<(), ApiError> {
    if !info.is_object() {
        return Err(ApiError::invalid(sp, "post_info is required."));
    }
    only_documented(info, POST_INFO_FIELDS, "post_info", sp)?;
    match &info["title"] {
        Value::Null => {}
        Value::String(t) if t.encode_utf16().count() <= 2200 => {}
        Value::String(_) => {
            return Err(ApiError::invalid(
                sp,
                "post_info.title exceeds 2200 UTF-16 code units.",
            ))
        }
        _ => return Err(ApiError::invalid(sp, "post_info.title must be a string.")),
    }
    for k in [
        "disable_duet",
        "disable_stitch",
        "disable_comment",
        "brand_content_toggle",
        "brand_organic_toggle",
        "is_aigc",
    ] {
        if !(info[k].is_null() || info[k].is_boolean()) {
            return Err(ApiError::invalid(
                sp,
                format!("post_info.{k} must be a boolean."),
            ));
        }
    }
    let ts = &info["video_cover_timestamp_ms"];
    if !(ts.is_null() || ts.as_u64().is_some_and(|v| v <= i32::MAX as u64)) {
        return Err(ApiError::invalid(
            sp,
            "post_info.video_cover_timestamp_ms must be an int32 >= 0.",
        ));
    }
    if !(info["privacy_level"].is_null() || info["privacy_level"].is_string()) {
        return Err(ApiError::invalid(
            sp,
            "post_info.privacy_level must be a string.",
        ));
    }
    Ok(())
}

fn mismatch() -> ApiError {
    ApiError::new(
        403,
        "privacy_level_option_mismatch",
        "privacy_level is missing or not one of the creator's privacy_level_options.",
    )
}

struct NewPost {
    open_id: String,
    mode: Mode,
    post_info: Value,
    source_info: Value,
    privacy: Option<String>,
    plan: Plan,
    fault: Option<PublishFault>,
}

fn create_post(sim: &Sim, st: &mut World, new: NewPost, now: u64) -> Response {
    let NewPost {
        open_id,
        mode,
        post_info,
        source_info,
        privacy,
        plan,
        fault,
    } = new;
    let upload_id = ids::id19().to_string();
    let token = ids::upload_token();
    let mut post = Post {
        publish_id: ids::publish_id(mode == Mode::Inbox),
        open_id: open_id.clone(),
        mode,
        post_info,
        source_info,
        privacy,
        created_ms: now,
        video_size: plan.video_size,
        chunk_size: plan.chunk_size,
        total_chunks: plan.total_chunks,
        upload: Upload {
            upload_id,
            token,
            expires_ms: now + st.behaviour.upload_url_ttl_secs * 1000,
            force_expired: false,
            offset: 0,
            hasher: crate::posts::RunningSha256::new(),
            busy: false,
        },
        sha256: None,
        ready_ms: None,
        status: Status::ProcessingUpload,
        fail_reason: None,
        post_ids: vec![],
        doom: None,
        polls_since_complete: 0,
    };
    apply_fault(&mut post, fault);
    let data = json!({
        "publish_id": post.publish_id,
        "upload_url": crate::state::upload_url(&sim.base_url, &post.upload),
    });
    tracing::info!(publish_id = %post.publish_id, %open_id, ?mode, "publish initialised");
    st.add_post(post);
    ok(data)
}

/// Attaches a publish-level fault to a post; returns true if the account must lose its
/// tokens right now (the publish is already processing).
pub fn apply_fault(post: &mut Post, fault: Option<PublishFault>) -> bool {
    match fault {
        Some(PublishFault::ExpireUploadUrl) => post.upload.force_expired = true,
        Some(PublishFault::FailReason(r)) => post.doom = Some(Doom::FailReason(r)),
        Some(PublishFault::StallProcessing) => post.doom = Some(Doom::Stall),
        Some(PublishFault::RevokeMidPublish) => {
            post.doom = Some(Doom::AuthRemoved);
            return post.ready_ms.is_some() && post.in_flight();
        }
        None => {}
    }
    false
}

pub async fn video_init(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut ticket = match gate(&sim, Endpoint::VideoInit).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let fault = ticket.publish_fault.take();
    let r = (|| {
        let bearer = sim.authorize_api(&headers, Endpoint::VideoInit, &["video.publish"])?;
        let now = sim.now_ms();
        let mut st = sim.lock();
        st.settle(now);
        let sp = st.behaviour.invalid_param_spelling.clone();
        let b = json_body(&body, &sp)?;
        only_documented(&b, &["post_info", "source_info"], "the video init", &sp)?;
        check_post_info(&b["post_info"], &sp)?;
        let plan = source_plan(&b["source_info"], &st)?;
        let acc = st
            .account(&bearer.open_id)
            .ok_or_else(ApiError::token_invalid)?;
        let (private, options) = (acc.private, acc.privacy_options());
        if acc.banned {
            return Err(ApiError::new(
                403,
                "spam_risk_user_banned_from_posting",
                "The user is banned from making new posts.",
            ));
        }
        if !st.app.audited && !private {
            return Err(ApiError::new(
                403,
                "unaudited_client_can_only_post_to_private_accounts",
                "Unaudited clients can only post to private accounts.",
            ));
        }
        if let Some((code, msg)) = cannot_post(&st, &bearer.open_id, now) {
            return Err(ApiError::new(403, code, msg));
        }
        let requested = b["post_info"]["privacy_level"]
            .as_str()
            .ok_or_else(mismatch)?;
        if !options.contains(&requested) {
            return Err(mismatch());
        }
        let mut privacy = requested.to_string();
        if !st.app.audited && privacy != "SELF_ONLY" {
            match st.behaviour.unaudited_non_self_only {
                UnauditedNonSelfOnly::Reject => return Err(mismatch()),
                UnauditedNonSelfOnly::Downgrade => privacy = "SELF_ONLY".into(),
            }
        }
        if b["post_info"]["brand_content_toggle"] == json!(true) && privacy == "SELF_ONLY" {
            return Err(ApiError::invalid(
                &sp,
                "Branded content visibility cannot be set to private.",
            ));
        }
        let mut post_info = b["post_info"].clone();
        post_info["privacy_level"] = json!(privacy);
        let new = NewPost {
            open_id: bearer.open_id,
            mode: Mode::Direct,
            post_info,
            source_info: b["source_info"].clone(),
            privacy: Some(privacy),
            plan,
            fault,
        };
        Ok(create_post(&sim, &mut st, new, now))
    })();
    respond(ticket, r)
}

pub async fn inbox_init(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut ticket = match gate(&sim, Endpoint::InboxInit).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let fault = ticket.publish_fault.take();
    let r = (|| {
        let bearer = sim.authorize_api(&headers, Endpoint::InboxInit, &["video.upload"])?;
        let now = sim.now_ms();
        let mut st = sim.lock();
        st.settle(now);
        let sp = st.behaviour.invalid_param_spelling.clone();
        let b = json_body(&body, &sp)?;
        // The inbox init takes only source_info (reference §5.4): privacy, caption and the
        // rest are chosen in the TikTok app, so a post_info here is a client mistake.
        only_documented(&b, &["source_info"], "the inbox video init", &sp)?;
        let plan = source_plan(&b["source_info"], &st)?;
        let acc = st
            .account(&bearer.open_id)
            .ok_or_else(ApiError::token_invalid)?;
        if acc.banned {
            return Err(ApiError::new(
                403,
                "spam_risk_user_banned_from_posting",
                "The user is banned from making new posts.",
            ));
        }
        if pending_drafts(&st, &bearer.open_id, now) >= st.behaviour.pending_drafts_cap as usize {
            return Err(ApiError::new(
                403,
                "spam_risk_too_many_pending_share",
                "The user has too many pending shares in the last 24 hours.",
            ));
        }
        let new = NewPost {
            open_id: bearer.open_id,
            mode: Mode::Inbox,
            post_info: Value::Null,
            source_info: b["source_info"].clone(),
            privacy: None,
            plan,
            fault,
        };
        Ok(create_post(&sim, &mut st, new, now))
    })();
    respond(ticket, r)
}

/// Finds the publish named in the body and checks it belongs to the token's user.
fn find_post(st: &World, b: &Value, open_id: &str) -> Result<usize, ApiError> {
    let id = b["publish_id"].as_str().unwrap_or("");
    let i = st.post_by_publish_id(id).ok_or_else(|| {
        ApiError::new(400, "invalid_publish_id", "The publish_id does not exist.")
    })?;
    if st.posts[i].open_id != open_id {
        return Err(ApiError::new(
            400,
            "token_not_authorized_for_specified_publish_id",
            "The token is not authorized for this publish_id.",
        ));
    }
    Ok(i)
}

pub async fn status(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let mut ticket = match gate(&sim, Endpoint::Status).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let fault = ticket.publish_fault.take();
    let r = (|| {
        let bearer = sim.authorize_api(
            &headers,
            Endpoint::Status,
            &["video.upload", "video.publish"],
        )?;
        let now = sim.now_ms();
        let mut st = sim.lock();
        let sp = st.behaviour.invalid_param_spelling.clone();
        let b = json_body(&body, &sp)?;
        let i = find_post(&st, &b, &bearer.open_id)?;
        if apply_fault(&mut st.posts[i], fault) {
            let open_id = st.posts[i].open_id.clone();
            st.revoke_account(&open_id, now);
        }
        st.settle(now);
        let hold = st.behaviour.public_id_after_polls;
        let omit = st.behaviour.omit_public_post_id;
        let p = &mut st.posts[i];
        let mut ids = p.post_ids.clone();
        if p.status == crate::posts::Status::PublishComplete {
            p.polls_since_complete += 1;
            if p.polls_since_complete <= hold || omit {
                ids.clear();
            }
        }
        let mut data = json!({
            "status": p.status,
            "uploaded_bytes": p.upload.offset,
            "publicaly_available_post_id": ids,
        });
        if let Some(r) = &p.fail_reason {
            data["fail_reason"] = json!(r);
        }
        Ok(ok(data))
    })();
    respond(ticket, r)
}

pub async fn cancel(State(sim): State<Arc<Sim>>, headers: HeaderMap, body: Bytes) -> Response {
    let ticket = match gate(&sim, Endpoint::Cancel).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let r = (|| -> Result<Response, ApiError> {
        let bearer = sim.authorize_api(
            &headers,
            Endpoint::Cancel,
            &["video.upload", "video.publish"],
        )?;
        let st = sim.lock();
        let sp = st.behaviour.invalid_param_spelling.clone();
        let b = json_body(&body, &sp)?;
        find_post(&st, &b, &bearer.open_id)?;
        // Only PULL_FROM_URL downloads can be cancelled, and the simulator has none.
        Ok(error_only(
            StatusCode::BAD_REQUEST,
            "publish_not_cancellable",
            "Only an ongoing PULL_FROM_URL download can be cancelled.",
        ))
    })();
    let r = r.map_err(|e| {
        // Cancel answers carry only the `error` object, even on failure.
        error_only(e.status, &e.code, &e.message)
    });
    ticket.finish(r.unwrap_or_else(|resp| resp))
}
