//! Login Kit v2: authorize page, consent, token exchange/refresh and revoke.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::accounts::{Account, AccountInput};
use crate::errors::OAuthError;
use crate::faults::{gate, Endpoint};
use crate::pages;
use crate::state::{AuthCode, PendingConsent, Sim};
use crate::tokens::{Issued, RefreshError};

type Pairs = Vec<(String, String)>;

fn parse_pairs(s: &str) -> Pairs {
    url::form_urlencoded::parse(s.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn get<'a>(p: &'a Pairs, k: &str) -> Option<&'a str> {
    p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str())
}

/// The authorize parameters TikTok defines, kept to re-post them from the consent forms.
const AUTH_PARAMS: &[&str] = &[
    "client_key",
    "scope",
    "redirect_uri",
    "state",
    "response_type",
    "code_challenge",
    "code_challenge_method",
    "disable_auto_auth",
];

fn auth_params(p: &Pairs) -> Pairs {
    p.iter()
        .filter(|(k, _)| AUTH_PARAMS.contains(&k.as_str()))
        .cloned()
        .collect()
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

fn callback(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    redirect(format!("{redirect_uri}?{}", q.finish()))
}

fn error_page(field: &str, detail: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(pages::error_page(field, detail)),
    )
        .into_response()
}

fn challenge_ok(ch: &str, method: &str, allow_upper: bool) -> bool {
    method == "S256"
        && ch.len() == 64
        && ch.bytes().all(|b| {
            b.is_ascii_digit()
                || (b'a'..=b'f').contains(&b)
                || (allow_upper && (b'A'..=b'F').contains(&b))
        })
}

/// Checks shared by the page and the consent POST. `Err` is the complete answer.
fn validate(sim: &Sim, p: &Pairs) -> Result<Vec<String>, Box<Response>> {
    let st = sim.lock();
    if get(p, "client_key") != Some(st.app.client_key.as_str()) {
        return Err(Box::new(error_page(
            "client_key",
            "Unknown or missing client_key.",
        )));
    }
    if get(p, "response_type") != Some("code") {
        return Err(Box::new(error_page(
            "response_type",
            "response_type must be code.",
        )));
    }
    let redirect_uri = get(p, "redirect_uri").unwrap_or("");
    if !st.app.redirect_registered(redirect_uri) {
        return Err(Box::new(error_page(
            "redirect_uri",
            "The redirect_uri is not registered for this app.",
        )));
    }
    let state = get(p, "state").unwrap_or("");
    let requested: Vec<String> = get(p, "scope")
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if requested.is_empty() || requested.iter().any(|s| !st.app.scopes.contains(s)) {
        return Err(Box::new(callback(
            redirect_uri,
            &[
                ("error", "invalid_scope"),
                (
                    "error_description",
                    "The scope is invalid or not approved for this app.",
                ),
                ("state", state),
            ],
        )));
    }
    let ch = get(p, "code_challenge").unwrap_or("");
    let method = get(p, "code_challenge_method").unwrap_or("");
    if !challenge_ok(ch, method, st.behaviour.accept_uppercase_challenge) {
        return Err(Box::new(callback(
            redirect_uri,
            &[
                ("error", "param_error"),
                ("errCode", "10007"),
                ("error_type", "code_challenge"),
                ("state", state),
            ],
        )));
    }
    Ok(requested)
}

/// Answers as `open_id`: a code, or the chosen denial.
fn consent(
    sim: &Sim,
    p: &Pairs,
    requested: &[String],
    open_id: &str,
    scopes: Option<Vec<String>>,
    deny: Option<&str>,
) -> Response {
    let redirect_uri = get(p, "redirect_uri").unwrap_or("").to_string();
    let state = get(p, "state").unwrap_or("").to_string();
    if let Some(err) = deny {
        return callback(
            &redirect_uri,
            &[
                ("error", err),
                (
                    "error_description",
                    "The user denied the authorization request.",
                ),
                ("state", &state),
            ],
        );
    }
    let now = sim.now_ms();
    let mut st = sim.lock();
    if st.account(open_id).is_none() {
        return error_page("account", "Unknown simulated account.");
    }
    if st.app.sandbox && !st.app.sandbox_targets.iter().any(|t| t == open_id) {
        return callback(
            &redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_type", "non_sandbox_target"),
                (
                    "error_description",
                    "This account is not a target user of the sandbox app.",
                ),
                ("state", &state),
            ],
        );
    }
    // Users may grant a subset, never more than was asked for.
    let granted: Vec<String> = match scopes {
        Some(s) => requested
            .iter()
            .filter(|r| s.contains(r))
            .cloned()
            .collect(),
        None => requested.to_vec(),
    };
    let code = crate::ids::auth_code();
    let expires_ms = now + st.behaviour.code_ttl_secs * 1000;
    st.codes.insert(
        code.clone(),
        AuthCode {
            client_key: get(p, "client_key").unwrap_or("").to_string(),
            open_id: open_id.to_string(),
            scopes: granted.clone(),
            redirect_uri: redirect_uri.clone(),
            challenge: get(p, "code_challenge").unwrap_or("").to_string(),
            expires_ms,
            used: false,
        },
    );
    drop(st);
    callback(
        &redirect_uri,
        &[
            ("code", &code),
            ("scopes", &granted.join(",")),
            ("state", &state),
        ],
    )
}

pub async fn authorize_page(State(sim): State<Arc<Sim>>, RawQuery(q): RawQuery) -> Response {
    let ticket = match gate(&sim, Endpoint::Authorize).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let p = parse_pairs(q.as_deref().unwrap_or(""));
    let requested = match validate(&sim, &p) {
        Ok(r) => r,
        Err(resp) => return ticket.finish(*resp),
    };
    let pending = sim.lock().pending_consent.take();
    let resp = if let Some(PendingConsent {
        open_id,
        scopes,
        deny,
    }) = pending
    {
        consent(&sim, &p, &requested, &open_id, scopes, deny.as_deref())
    } else if let Some(open_id) = get(&p, "sim_open_id") {
        let scopes = get(&p, "sim_scopes").map(|s| s.split(',').map(str::to_string).collect());
        consent(&sim, &p, &requested, open_id, scopes, get(&p, "sim_deny"))
    } else {
        let st = sim.lock();
        Html(pages::consent_page(
            "Tokdeck",
            &st.accounts,
            &requested,
            &auth_params(&p),
        ))
        .into_response()
    };
    ticket.finish(resp)
}

pub async fn consent_post(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let p = parse_pairs(&String::from_utf8_lossy(&body));
    let requested = match validate(&sim, &p) {
        Ok(r) => r,
        Err(resp) => return *resp,
    };
    let open_id = get(&p, "open_id").unwrap_or("").to_string();
    if get(&p, "action") == Some("cancel") {
        return consent(&sim, &p, &requested, &open_id, None, Some("access_denied"));
    }
    let granted: Vec<String> = p
        .iter()
        .filter(|(k, _)| k == "granted")
        .map(|(_, v)| v.clone())
        .collect();
    consent(&sim, &p, &requested, &open_id, Some(granted), None)
}

pub async fn create_account_post(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let p = parse_pairs(&String::from_utf8_lossy(&body));
    let input = AccountInput {
        username: get(&p, "username").map(str::to_string),
        private: Some(get(&p, "private").is_some()),
        ..Default::default()
    };
    match Account::create(input) {
        Ok(mut acc) => {
            acc.counts_since = sim.clock.now_secs();
            sim.lock().accounts.push(acc)
        }
        Err(e) => return error_page("username", &e),
    }
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in auth_params(&p) {
        q.append_pair(&k, &v);
    }
    (
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!("/v2/auth/authorize/?{}", q.finish()),
        )],
    )
        .into_response()
}

fn token_json(i: &Issued) -> Response {
    Json(json!({
        "access_token": i.grant.access_token,
        "expires_in": i.expires_in,
        "open_id": i.grant.open_id,
        "refresh_expires_in": i.refresh_expires_in,
        "refresh_token": i.grant.refresh_token,
        "scope": i.grant.scopes.join(","),
        "token_type": "Bearer",
    }))
    .into_response()
}

pub async fn token(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let ticket = match gate(&sim, Endpoint::Token).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let resp = match exchange(&sim, &parse_pairs(&String::from_utf8_lossy(&body))) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    ticket.finish(resp)
}

fn exchange(sim: &Sim, p: &Pairs) -> Result<Response, OAuthError> {
    let now = sim.now_ms();
    let mut st = sim.lock();
    let status = st.behaviour.oauth_error_status;
    let err = |e: &str, d: &str| OAuthError::new(status, e, d);
    if get(p, "client_key") != Some(st.app.client_key.as_str())
        || get(p, "client_secret") != Some(st.app.client_secret.as_str())
    {
        return Err(err("invalid_client", "Client key or secret is incorrect."));
    }
    match get(p, "grant_type") {
        Some("authorization_code") => {
            let code = get(p, "code").ok_or_else(|| err("invalid_request", "Code is missing."))?;
            let ac = st
                .codes
                .get(code)
                .cloned()
                .ok_or_else(|| err("invalid_grant", "Authorization code is invalid."))?;
            if ac.used {
                return Err(err("invalid_grant", "Authorization code has been used."));
            }
            if now >= ac.expires_ms {
                return Err(err("invalid_grant", "Authorization code is expired."));
            }
            if ac.client_key != st.app.client_key {
                return Err(err(
                    "invalid_grant",
                    "Authorization code was issued to another client.",
                ));
            }
            if get(p, "redirect_uri") != Some(ac.redirect_uri.as_str()) {
                return Err(err(
                    "invalid_request",
                    "Redirect_uri is not matched with the uri when requesting code.",
                ));
            }
            let verifier = get(p, "code_verifier").unwrap_or("");
            let digest = hex::encode(Sha256::digest(verifier.as_bytes()));
            let matches = if st.behaviour.accept_uppercase_challenge {
                digest.eq_ignore_ascii_case(&ac.challenge)
            } else {
                digest == ac.challenge
            };
            if verifier.is_empty() || !matches {
                return Err(err(
                    "invalid_request",
                    "Code verifier or code challenge is invalid.",
                ));
            }
            if let Some(c) = st.codes.get_mut(code) {
                c.used = true;
            }
            let b = st.behaviour.clone();
            let issued = st.tokens.issue(&ac.open_id, ac.scopes, &b, now);
            Ok(token_json(&issued))
        }
        Some("refresh_token") => {
            let rt = get(p, "refresh_token")
                .ok_or_else(|| err("invalid_request", "Refresh token is missing."))?;
            let b = st.behaviour.clone();
            match st.tokens.refresh(rt, &b, now) {
                Ok(issued) => Ok(token_json(&issued)),
                Err(RefreshError::Invalid) => {
                    Err(err("invalid_grant", "Refresh token is invalid or revoked."))
                }
                Err(RefreshError::Expired) => {
                    Err(err("invalid_grant", "Refresh token is expired."))
                }
            }
        }
        Some(_) => Err(err(
            "unsupported_grant_type",
            "The grant type is not supported.",
        )),
        None => Err(err("invalid_request", "grant_type is missing.")),
    }
}

pub async fn revoke(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    let ticket = match gate(&sim, Endpoint::Revoke).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let p = parse_pairs(&String::from_utf8_lossy(&body));
    let now = sim.now_ms();
    let mut st = sim.lock();
    let status = st.behaviour.oauth_error_status;
    let resp = if get(&p, "client_key") != Some(st.app.client_key.as_str())
        || get(&p, "client_secret") != Some(st.app.client_secret.as_str())
    {
        OAuthError::new(
            status,
            "invalid_client",
            "Client key or secret is incorrect.",
        )
        .into_response()
    } else {
        let token = get(&p, "token").unwrap_or("");
        match st.tokens.bearer(token, now) {
            Some(b) => {
                // Revoking removes the app from the user's account: all its tokens die.
                st.revoke_account(&b.open_id, now);
                Json(json!({})).into_response()
            }
            None => OAuthError::new(
                status,
                "invalid_request",
                "Access token is invalid or expired.",
            )
            .into_response(),
        }
    };
    drop(st);
    ticket.finish(resp)
}
