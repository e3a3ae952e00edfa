//! Login Kit v2 for desktop: authorize URL with hex PKCE, callback parsing, token exchange,
//! refresh and revoke.

use std::fmt;
use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::Method;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::error::{Error, ErrorKind, Result};
use crate::http::{Body, Endpoint, TikTokClient};
use crate::tokens::{AccessToken, AuthCode, CodeVerifier, RefreshToken};

/// Scopes this app uses (TikTok accepts any string; these are the documented ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `user.info.basic`: open_id, union_id, avatar, display_name.
    UserInfoBasic,
    /// `user.info.profile`: bio, deep link, verified flag, username.
    UserInfoProfile,
    /// `user.info.stats`: follower/following/likes/video counts.
    UserInfoStats,
    /// `video.list`: public video list and query.
    VideoList,
    /// `video.upload`: inbox (draft) uploads.
    VideoUpload,
    /// `video.publish`: Direct Post and creator_info.
    VideoPublish,
}

impl Scope {
    /// Every scope Tokdeck asks for.
    pub const ALL: [Scope; 6] = [
        Scope::UserInfoBasic,
        Scope::UserInfoProfile,
        Scope::UserInfoStats,
        Scope::VideoList,
        Scope::VideoUpload,
        Scope::VideoPublish,
    ];

    /// TikTok's name for the scope.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UserInfoBasic => "user.info.basic",
            Self::UserInfoProfile => "user.info.profile",
            Self::UserInfoStats => "user.info.stats",
            Self::VideoList => "video.list",
            Self::VideoUpload => "video.upload",
            Self::VideoPublish => "video.publish",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

impl CodeVerifier {
    /// A fresh 64-character verifier from the OS-seeded CSPRNG.
    pub fn generate() -> Self {
        Self::generate_with_len(64).expect("64 is within 43..=128")
    }

    /// A fresh verifier of `len` characters (PKCE allows 43–128) from `[A-Za-z0-9-._~]`.
    pub fn generate_with_len(len: usize) -> Result<Self> {
        if !(43..=128).contains(&len) {
            return Err(Error::invalid_input(format!(
                "PKCE verifier length {len} outside 43..=128"
            )));
        }
        let mut rng = rand::rngs::OsRng;
        let s: String = (0..len)
            .map(|_| UNRESERVED[rng.gen_range(0..UNRESERVED.len())] as char)
            .collect();
        Ok(Self::new(s))
    }

    /// TikTok's desktop challenge: lowercase hex of SHA-256(verifier). Not RFC 7636's base64url,
    /// which TikTok rejects like a missing challenge.
    pub fn code_challenge(&self) -> String {
        hex::encode(Sha256::digest(self.secret().as_bytes()))
    }
}

/// A CSRF `state` value: 32 random hex characters.
pub fn generate_state() -> String {
    let bytes: [u8; 16] = rand::rngs::OsRng.gen();
    hex::encode(bytes)
}

/// A prepared login: open `url` in the browser, keep `state`, `verifier` and `redirect_uri` until
/// the callback arrives.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    /// The consent page URL to open.
    pub url: Url,
    /// The `state` sent; the callback must echo it.
    pub state: String,
    /// The PKCE verifier; needed again for the token exchange.
    pub verifier: CodeVerifier,
    /// The redirect URI sent; the token exchange must send the identical string.
    pub redirect_uri: String,
}

/// A parsed login callback (`redirect_uri?code=…&scopes=…&state=…` or `?error=…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationCallback {
    /// The authorization code, URL-decoded.
    pub code: Option<AuthCode>,
    /// Scopes the user actually granted (`scopes`, comma-separated).
    pub scopes: Vec<String>,
    /// The echoed `state`.
    pub state: Option<String>,
    /// `error`, e.g. `access_denied`, `param_error`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `error_type`, e.g. `code_challenge`, `non_sandbox_target`.
    pub error_type: Option<String>,
    /// `errCode`, e.g. `10007`.
    pub err_code: Option<String>,
}

/// A successful callback after the state check.
#[derive(Debug, Clone)]
pub struct AuthorizedCode {
    /// The code to exchange.
    pub code: AuthCode,
    /// Scopes granted by the user (may be a subset of those requested).
    pub scopes: Vec<String>,
}

impl AuthorizationCallback {
    /// Parses a query string (with or without the leading `?`), decoding percent escapes.
    pub fn parse_query(query: &str) -> Self {
        let mut cb = Self::default();
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "code" => cb.code = Some(AuthCode::new(v)),
                "scopes" => cb.scopes = split_scopes(&v),
                "state" => cb.state = Some(v),
                "error" => cb.error = Some(v),
                "error_description" => cb.error_description = Some(v),
                "error_type" => cb.error_type = Some(v),
                "errCode" => cb.err_code = Some(v),
                _ => {}
            }
        }
        cb
    }

    /// Parses the callback URL the loopback listener received.
    pub fn from_url(url: &Url) -> Self {
        Self::parse_query(url.query().unwrap_or(""))
    }

    /// Turns the callback into a code, checking `state` against the one sent. An `error` in the
    /// callback wins (it carries no secret and explains the failure).
    pub fn into_code(self, expected_state: &str) -> Result<AuthorizedCode> {
        if let Some(error) = self.error {
            return Err(Error::new(ErrorKind::Authorization {
                error,
                description: self.error_description,
                error_type: self.error_type,
                err_code: self.err_code,
            }));
        }
        if self.state.as_deref() != Some(expected_state) {
            return Err(Error::new(ErrorKind::StateMismatch));
        }
        match self.code {
            Some(code) if !code.secret().is_empty() => Ok(AuthorizedCode {
                code,
                scopes: self.scopes,
            }),
            _ => Err(Error::new(ErrorKind::MissingCode)),
        }
    }
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Tokens for one account, as TikTok returned them.
#[derive(Debug, Clone)]
pub struct TokenSet {
    /// The account's per-app user id.
    pub open_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The access token.
    pub access_token: AccessToken,
    /// Lifetime of the access token as TikTok stated it (24 h or 2 h depending on the docs'
    /// era; never assumed).
    pub expires_in: Duration,
    /// The refresh token; persist it before using the access token (it may have rotated).
    pub refresh_token: RefreshToken,
    /// Lifetime of the refresh token as TikTok stated it.
    pub refresh_expires_in: Duration,
    /// Usually `Bearer`.
    pub token_type: String,
    /// When the answer was received; expiry instants count from here.
    pub received_at: SystemTime,
    /// TikTok's `log_id` for the exchange.
    pub log_id: Option<String>,
}

impl TokenSet {
    /// When the access token expires.
    pub fn access_expires_at(&self) -> SystemTime {
        self.received_at + self.expires_in
    }

    /// When the refresh token expires.
    pub fn refresh_expires_at(&self) -> SystemTime {
        self.received_at + self.refresh_expires_in
    }
}

#[derive(Deserialize)]
struct RawTokens {
    open_id: String,
    #[serde(default)]
    scope: String,
    access_token: String,
    #[serde(deserialize_with = "crate::display::de_u64_lenient")]
    expires_in: u64,
    refresh_token: String,
    #[serde(deserialize_with = "crate::display::de_u64_lenient")]
    refresh_expires_in: u64,
    #[serde(default)]
    token_type: String,
}

impl TikTokClient {
    /// Builds the consent-page URL for `redirect_uri` (e.g. `http://127.0.0.1:53682/callback/`)
    /// with a fresh PKCE verifier and state.
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
        scopes: &[Scope],
    ) -> Result<AuthorizationRequest> {
        self.authorization_request_with(
            redirect_uri,
            scopes,
            CodeVerifier::generate(),
            generate_state(),
        )
    }

    /// Like [`Self::authorization_request`] with a caller-chosen verifier and state (e.g. a state
    /// that encodes which account slot is being connected).
    pub fn authorization_request_with(
        &self,
        redirect_uri: &str,
        scopes: &[Scope],
        verifier: CodeVerifier,
        state: String,
    ) -> Result<AuthorizationRequest> {
        if scopes.is_empty() {
            return Err(Error::invalid_input("at least one scope is required"));
        }
        let scope = scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let mut url = self.inner.config.authorize_url.clone();
        url.query_pairs_mut()
            .append_pair("client_key", &self.inner.config.client_key)
            .append_pair("scope", &scope)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", &state)
            .append_pair("code_challenge", &verifier.code_challenge())
            .append_pair("code_challenge_method", "S256");
        Ok(AuthorizationRequest {
            url,
            state,
            verifier,
            redirect_uri: redirect_uri.to_owned(),
        })
    }

    /// Exchanges an authorization code (`grant_type=authorization_code`). `redirect_uri` must be
    /// byte-identical to the one in the authorize URL. Not retried after the request was sent:
    /// codes are single-use.
    pub async fn exchange_code(
        &self,
        code: &AuthCode,
        verifier: &CodeVerifier,
        redirect_uri: &str,
    ) -> Result<TokenSet> {
        let cfg = &self.inner.config;
        let form = [
            ("client_key", cfg.client_key.as_str()),
            ("client_secret", cfg.client_secret.secret()),
            ("code", code.secret()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.secret()),
        ];
        self.token_call(&form).await
    }

    /// Refreshes tokens (`grant_type=refresh_token`). The answer may carry a new refresh token and
    /// the old one may stop working at once (rotation): persist the returned set atomically before
    /// using it, and never refresh one account concurrently (the engine single-flights this).
    pub async fn refresh(&self, refresh_token: &RefreshToken) -> Result<TokenSet> {
        let cfg = &self.inner.config;
        let form = [
            ("client_key", cfg.client_key.as_str()),
            ("client_secret", cfg.client_secret.secret()),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.secret()),
        ];
        self.token_call(&form).await
    }

    async fn token_call(&self, form: &[(&str, &str)]) -> Result<TokenSet> {
        let (raw, log_id): (RawTokens, _) = self
            .call(
                Endpoint::Token,
                Method::POST,
                "/v2/oauth/token/",
                &[],
                None,
                Body::Form(form),
            )
            .await?;
        Ok(TokenSet {
            open_id: raw.open_id,
            scopes: split_scopes(&raw.scope),
            access_token: AccessToken::new(raw.access_token),
            expires_in: Duration::from_secs(raw.expires_in),
            refresh_token: RefreshToken::new(raw.refresh_token),
            refresh_expires_in: Duration::from_secs(raw.refresh_expires_in),
            token_type: raw.token_type,
            received_at: SystemTime::now(),
            log_id,
        })
    }

    /// Revokes the user's access token (disconnects the app from the account). TikTok refuses an
    /// expired token, so refresh first if needed.
    pub async fn revoke(&self, access_token: &AccessToken) -> Result<Option<String>> {
        let cfg = &self.inner.config;
        let form = [
            ("client_key", cfg.client_key.as_str()),
            ("client_secret", cfg.client_secret.secret()),
            ("token", access_token.secret()),
        ];
        let (_, log_id): (serde::de::IgnoredAny, _) = self
            .call(
                Endpoint::Revoke,
                Method::POST,
                "/v2/oauth/revoke/",
                &[],
                None,
                Body::Form(&form),
            )
            .await?;
        Ok(log_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ClientConfig;
    use crate::error::ErrorClass;
    use crate::tokens::ClientSecret;

    #[test]
    fn verifier_shape_and_hex_challenge() {
        for len in [43, 64, 128] {
            let v = CodeVerifier::generate_with_len(len).unwrap();
            assert_eq!(v.secret().len(), len);
            assert!(v.secret().bytes().all(|b| UNRESERVED.contains(&b)));
        }
        assert!(CodeVerifier::generate_with_len(42).is_err());
        assert!(CodeVerifier::generate_with_len(129).is_err());
        assert_ne!(CodeVerifier::generate(), CodeVerifier::generate());
        // sha256("abc")
        assert_eq!(
            CodeVerifier::new("abc").code_challenge(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn authorize_url_has_every_parameter() {
        let client = TikTokClient::new(ClientConfig::new("ck", ClientSecret::new("cs"))).unwrap();
        let req = client
            .authorization_request(
                "http://127.0.0.1:4321/callback/",
                &[Scope::UserInfoBasic, Scope::VideoPublish],
            )
            .unwrap();
        assert!(req
            .url
            .as_str()
            .starts_with("https://www.tiktok.com/v2/auth/authorize/?"));
        let q: std::collections::HashMap<_, _> = req.url.query_pairs().into_owned().collect();
        assert_eq!(q["client_key"], "ck");
        assert_eq!(q["scope"], "user.info.basic,video.publish");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:4321/callback/");
        assert_eq!(q["state"], req.state);
        assert_eq!(q["code_challenge"], req.verifier.code_challenge());
        assert_eq!(q["code_challenge_method"], "S256");
        assert!(!format!("{req:?}").contains(req.verifier.secret()));
    }

    #[test]
    fn callback_decodes_code_and_checks_state() {
        let cb = AuthorizationCallback::parse_query(
            "?code=abc%2A%21def&scopes=user.info.basic%2Cvideo.publish&state=s1",
        );
        let ok = cb.clone().into_code("s1").unwrap();
        assert_eq!(ok.code.secret(), "abc*!def");
        assert_eq!(ok.scopes, vec!["user.info.basic", "video.publish"]);
        assert!(matches!(
            cb.into_code("other").unwrap_err().kind(),
            ErrorKind::StateMismatch
        ));
        let missing = AuthorizationCallback::parse_query("state=s1")
            .into_code("s1")
            .unwrap_err();
        assert!(matches!(missing.kind(), ErrorKind::MissingCode));
    }

    #[test]
    fn callback_errors_are_classified() {
        let e = AuthorizationCallback::parse_query(
            "error=param_error&errCode=10007&error_type=code_challenge&state=s",
        )
        .into_code("s")
        .unwrap_err();
        assert_eq!(e.class(), ErrorClass::Bug);
        assert!(e.to_string().contains("10007"));
        let e = AuthorizationCallback::parse_query(
            "error=access_denied&error_type=non_sandbox_target&error_description=no",
        )
        .into_code("s")
        .unwrap_err();
        assert!(e.user_action().is_some());
    }
}
