//! `tokdeck://` links, parsed into typed actions.
//!
//! Anyone can start the binary with a forged URL, so everything here is treated as untrusted
//! input: only known hosts and paths become actions, and an OAuth callback still has to match a
//! pending authorization (single-use state) before it does anything.

pub const SCHEME: &str = "tokdeck";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeepLink {
    /// `tokdeck://focus` — bring the window to the front (used by the browser's success page).
    Focus,
    /// `tokdeck://oauth/callback?code=…&state=…` (or `?error=…&state=…`).
    OAuthCallback {
        code: Option<String>,
        state: Option<String>,
        error: Option<String>,
        error_description: Option<String>,
        scopes: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeepLinkError {
    #[error("not a URL: {0}")]
    NotAUrl(String),
    #[error("not a tokdeck:// link")]
    WrongScheme,
    #[error("unknown tokdeck link {0}")]
    Unknown(String),
}

impl DeepLink {
    pub fn parse(raw: &str) -> Result<DeepLink, DeepLinkError> {
        let url = url::Url::parse(raw).map_err(|_| DeepLinkError::NotAUrl(redact(raw)))?;
        if url.scheme() != SCHEME {
            return Err(DeepLinkError::WrongScheme);
        }
        let host = url.host_str().unwrap_or_default();
        let path = url.path().trim_end_matches('/');
        match (host, path) {
            ("focus", "") => Ok(DeepLink::Focus),
            ("oauth", "/callback") => {
                let mut link = DeepLink::OAuthCallback {
                    code: None,
                    state: None,
                    error: None,
                    error_description: None,
                    scopes: None,
                };
                if let DeepLink::OAuthCallback {
                    code,
                    state,
                    error,
                    error_description,
                    scopes,
                } = &mut link
                {
                    for (k, v) in url.query_pairs() {
                        let slot = match k.as_ref() {
                            "code" => &mut *code,
                            "state" => &mut *state,
                            "error" => &mut *error,
                            "error_description" => &mut *error_description,
                            "scopes" => &mut *scopes,
                            _ => continue,
                        };
                        slot.get_or_insert_with(|| v.into_owned());
                    }
                }
                Ok(link)
            }
            _ => Err(DeepLinkError::Unknown(redact(raw))),
        }
    }
}

/// A link without its query, for logs: an OAuth code must never reach a log file.
pub fn redact(raw: &str) -> String {
    match raw.find(['?', '#']) {
        Some(i) => format!("{}?…", &raw[..i]),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_focus_with_or_without_slash() {
        assert_eq!(DeepLink::parse("tokdeck://focus"), Ok(DeepLink::Focus));
        assert_eq!(DeepLink::parse("tokdeck://focus/"), Ok(DeepLink::Focus));
    }

    #[test]
    fn parses_oauth_callback_and_decodes_the_code() {
        let link = DeepLink::parse(
            "tokdeck://oauth/callback?code=ab%2Acd%21&scopes=user.info.basic%2Cvideo.publish&state=s1",
        )
        .unwrap();
        assert_eq!(
            link,
            DeepLink::OAuthCallback {
                code: Some("ab*cd!".into()),
                state: Some("s1".into()),
                error: None,
                error_description: None,
                scopes: Some("user.info.basic,video.publish".into()),
            }
        );
    }

    #[test]
    fn first_value_wins_for_repeated_parameters() {
        let DeepLink::OAuthCallback { state, .. } =
            DeepLink::parse("tokdeck://oauth/callback?state=a&state=b").unwrap()
        else {
            panic!("expected a callback")
        };
        assert_eq!(state.as_deref(), Some("a"));
    }

    #[test]
    fn rejects_other_schemes_hosts_and_garbage() {
        assert_eq!(
            DeepLink::parse("https://focus"),
            Err(DeepLinkError::WrongScheme)
        );
        assert!(matches!(
            DeepLink::parse("tokdeck://delete-everything"),
            Err(DeepLinkError::Unknown(_))
        ));
        assert!(matches!(
            DeepLink::parse("tokdeck://oauth/other?code=x"),
            Err(DeepLinkError::Unknown(_))
        ));
        assert!(matches!(
            DeepLink::parse("not a url"),
            Err(DeepLinkError::NotAUrl(_))
        ));
    }

    #[test]
    fn redaction_drops_the_query() {
        assert_eq!(
            redact("tokdeck://oauth/callback?code=secret&state=s"),
            "tokdeck://oauth/callback?…"
        );
        assert_eq!(redact("tokdeck://focus"), "tokdeck://focus");
        let err = DeepLink::parse("tokdeck://nope?code=secret").unwrap_err();
        assert!(!err.to_string().contains("secret"));
    }
}
