//! The developer app registered with the simulated TikTok, and its redirect-URI rules.

use serde::{Deserialize, Serialize};

pub const ALL_SCOPES: &[&str] = &[
    "user.info.basic",
    "user.info.profile",
    "user.info.stats",
    "video.list",
    "video.upload",
    "video.publish",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DevApp {
    pub client_key: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
    pub scopes: Vec<String>,
    pub audited: bool,
    pub sandbox: bool,
    pub sandbox_targets: Vec<String>,
}

impl Default for DevApp {
    fn default() -> Self {
        Self {
            client_key: "sim_client_key".into(),
            client_secret: "sim_client_secret".into(),
            redirect_uris: vec![
                "http://127.0.0.1:*/callback/".into(),
                "http://localhost:*/callback/".into(),
                "tokdeck://oauth/callback".into(),
            ],
            scopes: ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
            audited: true,
            sandbox: false,
            sandbox_targets: vec![],
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevAppPatch {
    pub client_key: Option<String>,
    pub client_secret: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub audited: Option<bool>,
    pub sandbox: Option<bool>,
    pub sandbox_targets: Option<Vec<String>>,
}

impl DevApp {
    pub fn apply(&mut self, p: DevAppPatch) -> Result<(), String> {
        if let Some(uris) = &p.redirect_uris {
            if uris.len() > 10 {
                return Err("at most 10 redirect URIs".into());
            }
            for u in uris {
                validate_registered_uri(u)?;
            }
        }
        if let Some(scopes) = &p.scopes {
            if let Some(bad) = scopes.iter().find(|s| !ALL_SCOPES.contains(&s.as_str())) {
                return Err(format!("unknown scope {bad}"));
            }
        }
        if let Some(v) = p.client_key {
            self.client_key = v;
        }
        if let Some(v) = p.client_secret {
            self.client_secret = v;
        }
        if let Some(v) = p.redirect_uris {
            self.redirect_uris = v;
        }
        if let Some(v) = p.scopes {
            self.scopes = v;
        }
        if let Some(v) = p.audited {
            self.audited = v;
        }
        if let Some(v) = p.sandbox {
            self.sandbox = v;
        }
        if let Some(v) = p.sandbox_targets {
            self.sandbox_targets = v;
        }
        Ok(())
    }

    pub fn redirect_registered(&self, candidate: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|r| redirect_matches(r, candidate))
    }
}

/// Desktop rules (reference §2.2): http/https, host localhost or 127.0.0.1, a port (or `*`),
/// no query or fragment, < 512 chars. `tokdeck://` is allowed too: the app's deep-link mode
/// needs a registration even though real TikTok refuses custom schemes for desktop.
pub fn validate_registered_uri(uri: &str) -> Result<(), String> {
    if uri.len() >= 512 {
        return Err(format!("redirect URI too long: {uri}"));
    }
    if uri.contains('?') || uri.contains('#') {
        return Err(format!(
            "redirect URI may not have a query or fragment: {uri}"
        ));
    }
    if uri.starts_with("tokdeck://") {
        return Ok(());
    }
    let rest = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"))
        .ok_or_else(|| format!("redirect URI must be http(s) on loopback: {uri}"))?;
    let authority = rest.split('/').next().unwrap_or("");
    let (host, port) = authority
        .rsplit_once(':')
        .ok_or_else(|| format!("redirect URI needs a port: {uri}"))?;
    if host != "localhost" && host != "127.0.0.1" {
        return Err(format!(
            "redirect URI host must be localhost or 127.0.0.1: {uri}"
        ));
    }
    if port != "*" && port.parse::<u16>().map(|p| p == 0).unwrap_or(true) {
        return Err(format!("redirect URI port must be a number or *: {uri}"));
    }
    Ok(())
}

/// Byte-for-byte equality, except that a registered `:*` matches any explicit port.
pub fn redirect_matches(registered: &str, candidate: &str) -> bool {
    if registered == candidate {
        return true;
    }
    let Some((prefix, suffix)) = registered.split_once(":*") else {
        return false;
    };
    let Some(mid) = candidate
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix(':'))
        .and_then(|r| r.strip_suffix(suffix))
    else {
        return false;
    };
    !mid.is_empty()
        && mid.len() <= 5
        && mid.bytes().all(|b| b.is_ascii_digit())
        && mid
            .parse::<u32>()
            .map(|p| (1..=65535).contains(&p))
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_port() {
        let r = "http://127.0.0.1:*/callback/";
        assert!(redirect_matches(r, "http://127.0.0.1:5173/callback/"));
        assert!(!redirect_matches(r, "http://127.0.0.1/callback/"));
        assert!(!redirect_matches(r, "http://127.0.0.1:5173/callback"));
        assert!(!redirect_matches(r, "http://127.0.0.1:99999/callback/"));
        assert!(!redirect_matches(r, "http://localhost:5173/callback/"));
        assert!(redirect_matches(
            "tokdeck://oauth/callback",
            "tokdeck://oauth/callback"
        ));
    }

    #[test]
    fn registration_rules() {
        assert!(validate_registered_uri("http://127.0.0.1:*/cb/").is_ok());
        assert!(validate_registered_uri("https://localhost:3455/cb/").is_ok());
        assert!(validate_registered_uri("http://example.com:80/cb/").is_err());
        assert!(validate_registered_uri("http://localhost/cb/").is_err());
        assert!(validate_registered_uri("http://localhost:1/cb/?a=b").is_err());
        assert!(validate_registered_uri("myapp://cb").is_err());
    }
}
