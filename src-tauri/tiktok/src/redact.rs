//! Redaction of credentials from text that is about to become an error message, a log line, an
//! audit entry or a notification.
//!
//! The secret newtypes already print `***`, but error texts are also built from things this
//! crate does not control: reqwest's error text (which carries the request URL, and the upload
//! URL's query holds `upload_token`), response bodies, callback parameters. [`redact`] is the
//! one place that scrubs such text; every error message built by the client and the engine goes
//! through it.
//!
//! What it removes:
//! - the query, fragment and user info of every URL (`https://h/p?upload_token=…` →
//!   `https://h/p?***`);
//! - the value of every secret-looking key in JSON (`"access_token":"…"`, also when the JSON is
//!   itself escaped inside a string), query strings and forms (`code=…&`), and `key: value` text;
//! - `Bearer …` credentials;
//! - bare values shaped like TikTok's tokens (`act.…`, `rft.…`).

/// What replaces a secret.
pub const MASK: &str = "***";

/// True for keys whose value is a credential: `*token`, `code`, `*secret`, `*verifier`,
/// `upload_url`, `authorization`, `password`, cookies. Case, `-` and camelCase are ignored
/// (`accessToken`, `upload-token`). `token_type`, `error_code` and `errCode` are not secrets.
pub fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| *c != '-' && *c != '_' && *c != '.')
        .flat_map(char::to_lowercase)
        .collect();
    k == "code"
        || k == "authcode"
        || k == "authorizationcode"
        || k.ends_with("token")
        || k.ends_with("secret")
        || k.contains("verifier")
        || k.ends_with("uploadurl")
        || k == "authorization"
        || k.contains("password")
        || k == "passwd"
        || k.ends_with("cookie")
        || k == "apikey"
        || k == "signature"
}

/// Returns `text` with every credential replaced by [`MASK`]. Idempotent, and leaves text
/// without credentials unchanged.
pub fn redact(text: &str) -> String {
    let s = strip_urls(text);
    let s = mask_bearer(&s);
    let s = mask_pairs(&s);
    mask_token_shapes(&s)
}

fn is_key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

fn is_scheme_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')
}

/// Where a URL (or a bare value) ends in running text.
fn ends_url(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\'' | b'<' | b'>' | b'\\' | b'`' | b')' | b']' | b'}' | b'|'
        )
}

/// Keeps scheme, host and path of each URL; drops user info, query and fragment.
fn strip_urls(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(rel) = text[i..].find("://") {
        let sep = i + rel;
        let mut start = sep;
        while start > copied && is_scheme_char(b[start - 1]) {
            start -= 1;
        }
        if start == sep || !b[start].is_ascii_alphabetic() {
            i = sep + 3;
            continue;
        }
        let mut end = sep + 3;
        while end < b.len() && !ends_url(b[end]) {
            end += 1;
        }
        out.push_str(&text[copied..start]);
        let url = &text[start..end];
        let authority_start = sep + 3 - start;
        let cut = url.find(['?', '#']).unwrap_or(url.len());
        let path_start = url[authority_start..cut]
            .find('/')
            .map_or(cut, |p| authority_start + p);
        let authority = &url[authority_start..path_start];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        out.push_str(&url[..authority_start]);
        if host.len() != authority.len() {
            out.push_str(MASK);
            out.push('@');
        }
        out.push_str(host);
        out.push_str(&url[path_start..cut]);
        if cut < url.len() {
            out.push('?');
            out.push_str(MASK);
        }
        copied = end;
        i = end.max(sep + 3);
    }
    out.push_str(&text[copied..]);
    out
}

fn mask_bearer(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(rel) = lower[i..].find("bearer") {
        let at = i + rel;
        let mut v = at + "bearer".len();
        let boundary = at == 0 || !b[at - 1].is_ascii_alphanumeric();
        if !boundary || v >= b.len() || !(b[v] == b' ' || b[v] == b'\t') {
            i = v;
            continue;
        }
        while v < b.len() && (b[v] == b' ' || b[v] == b'\t') {
            v += 1;
        }
        let mut end = v;
        while end < b.len() && !ends_url(b[end]) && b[end] != b',' && b[end] != b'&' {
            end += 1;
        }
        if end > v && &text[v..end] != MASK {
            out.push_str(&text[copied..v]);
            out.push_str(MASK);
            copied = end;
        }
        i = end.max(v);
    }
    out.push_str(&text[copied..]);
    out
}

/// Masks the value after every secret key followed by `:` or `=`.
fn mask_pairs(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < b.len() {
        if !is_key_char(b[i]) || (i > 0 && is_key_char(b[i - 1])) {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < b.len() && is_key_char(b[i]) {
            i += 1;
        }
        let key = &text[key_start..i];
        // Closing quote of a quoted key: `"k"`, `\"k\"` (JSON inside a string) or `'k'`.
        let mut j = i;
        if b[j..].starts_with(b"\\\"") {
            j += 2;
        } else if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
            j += 1;
        }
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j >= b.len() || !(b[j] == b':' || b[j] == b'=') || !is_secret_key(key) {
            continue;
        }
        j += 1;
        while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
            j += 1;
        }
        if b[j..].starts_with(b"Some(") {
            j += "Some(".len();
        }
        // `Authorization: Bearer x`: the scheme is not the secret (mask_bearer took the rest).
        if b.len() >= j + 7 && b[j..j + 7].eq_ignore_ascii_case(b"bearer ") {
            j += 7;
        }
        let Some((start, end)) = value_span(b, j) else {
            i = j;
            continue;
        };
        if &text[start..end] != MASK {
            out.push_str(&text[copied..start]);
            out.push_str(MASK);
            copied = end;
        }
        i = end.max(j);
    }
    out.push_str(&text[copied..]);
    out
}

/// The bytes of the value starting at `j` (inside its quotes, if quoted). `None` for no value,
/// objects and arrays (their members are scanned on their own) and `null`.
fn value_span(b: &[u8], j: usize) -> Option<(usize, usize)> {
    if j >= b.len() {
        return None;
    }
    if b[j..].starts_with(b"\\\"") {
        // A string in JSON that is itself escaped inside a string: ends at the next `\"` that
        // is not an escaped backslash-quote (`\\\"`).
        let start = j + 2;
        let mut k = start;
        while k < b.len() {
            if b[k..].starts_with(b"\\\\") {
                k += 2;
            } else if b[k..].starts_with(b"\\\"") {
                return Some((start, k));
            } else {
                k += 1;
            }
        }
        return Some((start, b.len()));
    }
    match b[j] {
        b'"' | b'\'' => {
            let q = b[j];
            let start = j + 1;
            let mut k = start;
            while k < b.len() && b[k] != q {
                k += if b[k] == b'\\' { 2 } else { 1 };
            }
            Some((start, k.min(b.len())))
        }
        b'{' | b'[' => None,
        _ => {
            let mut k = j;
            while k < b.len() && !ends_url(b[k]) && !matches!(b[k], b'&' | b',' | b';') {
                k += 1;
            }
            let v = &b[j..k];
            (k > j && v != b"null").then_some((j, k))
        }
    }
}

/// Masks bare words that look like TikTok's access (`act.`) and refresh (`rft.`) tokens.
fn mask_token_shapes(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    let tok =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'!' | b'*' | b'_' | b'-' | b'~');
    while i + 4 <= b.len() {
        let prefix = &b[i..i + 4];
        let boundary = i == 0 || !tok(b[i - 1]);
        if boundary && (prefix == b"act." || prefix == b"rft.") {
            let mut end = i + 4;
            while end < b.len() && tok(b[end]) {
                end += 1;
            }
            if end - i >= 12 {
                out.push_str(&text[copied..i]);
                out.push_str(MASK);
                copied = end;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_url_in_reqwest_text_loses_its_query() {
        let s = "error sending request for url (http://127.0.0.1:4000/upload/video/?upload_id=123&upload_token=abcdef0123): connection closed";
        let r = redact(s);
        assert_eq!(
            r,
            "error sending request for url (http://127.0.0.1:4000/upload/video/?***): connection closed"
        );
    }

    #[test]
    fn user_info_and_fragment_are_dropped() {
        assert_eq!(
            redact("see https://user:pw@example.com/a/b#frag now"),
            "see https://***@example.com/a/b?*** now"
        );
        assert_eq!(
            redact("http://127.0.0.1:53682/callback/"),
            "http://127.0.0.1:53682/callback/"
        );
    }

    #[test]
    fn token_bodies_lose_their_values() {
        let body = r#"{"access_token":"act.1234567890abcdef","expires_in":86400,"open_id":"o1","refresh_token":"rft.zzzzzzzzzzzzzzzz","scope":"user.info.basic","token_type":"Bearer"}"#;
        let r = redact(body);
        assert!(!r.contains("act.123") && !r.contains("rft.zzz"), "{r}");
        assert!(
            r.contains(r#""open_id":"o1""#) && r.contains(r#""token_type":"Bearer""#),
            "{r}"
        );
        // Truncated mid-value, pretty-printed, or escaped inside another string.
        assert_eq!(
            redact(r#"{"access_token": "act.12345"#),
            r#"{"access_token": "***"#
        );
        assert_eq!(
            redact(r#"detail: "{\"refresh_token\":\"x1y2z3\",\"a\":1}""#),
            r#"detail: "{\"refresh_token\":\"***\",\"a\":1}""#
        );
    }

    #[test]
    fn forms_queries_and_debug_text() {
        assert_eq!(
            redact("code=ab*!cd&state=s1&client_secret=shh&grant_type=authorization_code"),
            "code=***&state=s1&client_secret=***&grant_type=authorization_code"
        );
        assert_eq!(
            redact(r#"Grant { access_token: Some("abc"), code_verifier: "v" }"#),
            r#"Grant { access_token: Some("***"), code_verifier: "***" }"#
        );
        assert_eq!(
            redact("Authorization: Bearer act.sekrit, next"),
            "Authorization: Bearer ***, next"
        );
        assert_eq!(
            redact("a stray act.0123456789abcdef here"),
            "a stray *** here"
        );
    }

    #[test]
    fn plain_messages_are_untouched() {
        for s in [
            "TikTok error access_token_invalid: The access token is invalid or not found in the request. (HTTP 401) [log_id 2024]",
            "TikTok OAuth error invalid_grant: Refresh token is invalid or revoked.",
            "TikTok did not accept this account's sign-in (TikTok code invalid_grant, log id X).",
            "chunk upload rejected with HTTP 400: upload_url expired",
            "token_type: Bearer",
            "error_code: 10007, errCode=10007",
        ] {
            assert_eq!(redact(s), s);
        }
    }

    #[test]
    fn secret_keys() {
        for k in [
            "access_token",
            "refresh_token",
            "upload_token",
            "accessToken",
            "token",
            "code",
            "client_secret",
            "code_verifier",
            "upload_url",
            "Authorization",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "token_type",
            "error_code",
            "errCode",
            "open_id",
            "scope",
            "log_id",
            "code_challenge",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::{Map, Value};

        const SECRET_KEYS: &[&str] = &[
            "access_token",
            "refresh_token",
            "upload_token",
            "code",
            "client_secret",
            "code_verifier",
            "upload_url",
            "token",
        ];
        const PLAIN_KEYS: &[&str] = &["open_id", "scope", "expires_in", "log_id", "token_type"];

        /// Secrets as TikTok and the simulator shape them: `act.`/`rft.` tokens, codes with
        /// `*` and `!`, hex upload tokens, URLs with the token in the query.
        fn secret() -> impl Strategy<Value = String> {
            let core = "[A-Za-z0-9]{8,32}";
            prop_oneof![
                core.prop_map(|s| format!("act.{s}")),
                core.prop_map(|s| format!("rft.{s}!1234.va")),
                (core, core).prop_map(|(a, b)| format!("{a}*!{b}")),
                "[0-9a-f]{32}",
                "[A-Za-z0-9._~*!-]{12,40}",
                (core, core).prop_map(|(a, b)| format!(
                    "https://open-upload.tiktokapis.com/video/?upload_id={a}&upload_token={b}"
                )),
            ]
        }

        fn plain() -> impl Strategy<Value = Value> {
            prop_oneof![
                "[a-z ._]{0,12}".prop_map(Value::String),
                any::<u32>().prop_map(Value::from),
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
            ]
        }

        /// A JSON object mixing secret and plain fields, possibly nested one level.
        fn object() -> impl Strategy<Value = (Value, Vec<String>)> {
            let field = prop_oneof![
                (prop::sample::select(SECRET_KEYS), secret()).prop_map(|(k, s)| (
                    k.to_string(),
                    Value::String(s.clone()),
                    Some(s)
                )),
                (prop::sample::select(PLAIN_KEYS), plain()).prop_map(|(k, v)| (
                    k.to_string(),
                    v,
                    None
                )),
            ];
            (prop::collection::vec(field, 1..8), any::<bool>()).prop_map(|(fields, nest)| {
                let mut m = Map::new();
                let mut secrets = vec![];
                for (k, v, s) in fields {
                    // A repeated key keeps only the last value; the secrets not in the text
                    // are filtered out by the tests.
                    m.insert(k, v);
                    secrets.extend(s);
                }
                let obj = Value::Object(m);
                if nest {
                    (
                        serde_json::json!({ "data": obj, "error": {"code": "ok"} }),
                        secrets,
                    )
                } else {
                    (obj, secrets)
                }
            })
        }

        fn query(pairs: &[(String, String)]) -> String {
            let mut s = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in pairs {
                s.append_pair(k, v);
            }
            s.finish()
        }

        fn assert_clean(text: &str, secrets: &[String]) -> Result<(), TestCaseError> {
            let r = redact(text);
            for s in secrets {
                // The secret as written in the text: raw, JSON-escaped or URL-encoded.
                let enc = url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                for form in [s.as_str(), enc.as_str()] {
                    prop_assert!(!r.contains(form), "{form} survived in {r} (from {text})");
                }
            }
            prop_assert_eq!(redact(&r), r.clone(), "not idempotent");
            Ok(())
        }

        proptest! {
            #[test]
            fn json_bodies_never_keep_a_secret((obj, secrets) in object(), prefix in "[a-zA-Z :(]{0,20}") {
                let compact = obj.to_string();
                let pretty = serde_json::to_string_pretty(&obj).unwrap();
                let escaped = serde_json::to_string(&compact).unwrap();
                for text in [
                    format!("{prefix}{compact}"),
                    format!("{prefix}{pretty} trailing"),
                    format!("HTTP 200: {escaped}"),
                    // Cut anywhere, like a body snippet.
                    compact[..compact.len() * 2 / 3].to_owned(),
                ] {
                    let present: Vec<String> = secrets
                        .iter()
                        .filter(|s| text.contains(s.as_str()))
                        .cloned()
                        .collect();
                    assert_clean(&text, &present)?;
                }
            }

            #[test]
            fn query_strings_never_keep_a_secret(
                fields in prop::collection::vec(
                    (prop::sample::select(SECRET_KEYS), secret()), 1..5),
                plain in prop::collection::vec(
                    (prop::sample::select(PLAIN_KEYS), "[a-z0-9.]{0,10}"), 0..4),
                host in "[a-z]{3,10}",
            ) {
                let mut pairs: Vec<(String, String)> =
                    fields.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
                pairs.extend(plain.iter().map(|(k, v)| (k.to_string(), v.clone())));
                let secrets: Vec<String> = fields.into_iter().map(|(_, v)| v).collect();
                let q = query(&pairs);
                for text in [
                    q.clone(),
                    format!("error sending request for url (http://{host}.test/x?{q})"),
                    format!("request body {q} rejected"),
                ] {
                    assert_clean(&text, &secrets)?;
                }
            }
        }
    }
}
