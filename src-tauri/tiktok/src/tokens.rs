//! Secret-bearing newtypes.
//!
//! Every credential the client touches is wrapped so that an accidental `{:?}` or `{}` in a log
//! line, a panic message or a UI error string prints `***` instead of the value. Reading the value
//! requires calling `.secret()`, which makes each exposure greppable in review.

use std::fmt;

macro_rules! secret_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub struct $name(String);

        impl $name {
            /// Wraps a secret value.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// Exposes the secret value. Call only where the value must leave the process
            /// (a request, the OS keychain).
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// Consumes the wrapper and returns the secret value.
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(***)"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("***")
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_newtype!(
    /// A user access token (`act.…`), sent as `Authorization: Bearer`.
    AccessToken
);
secret_newtype!(
    /// A user refresh token (`rft.…`). May be rotated by every refresh: always persist the one
    /// returned last.
    RefreshToken
);
secret_newtype!(
    /// The app's client secret, needed by the token, refresh and revoke endpoints.
    ClientSecret
);
secret_newtype!(
    /// A single-use authorization code from the login callback (already URL-decoded).
    AuthCode
);
secret_newtype!(
    /// A PKCE code verifier; see [`crate::oauth::PkceVerifier`] for generation. Kept secret because
    /// together with a leaked code it redeems tokens.
    CodeVerifier
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact_every_secret() {
        let values = [
            (
                format!("{:?}", AccessToken::new("act.xyz")),
                "AccessToken(***)",
            ),
            (
                format!("{:?}", RefreshToken::new("rft.xyz")),
                "RefreshToken(***)",
            ),
            (
                format!("{:?}", ClientSecret::new("s3cr3t")),
                "ClientSecret(***)",
            ),
            (format!("{:?}", AuthCode::new("code!*")), "AuthCode(***)"),
            (
                format!("{:?}", CodeVerifier::new("v".repeat(43))),
                "CodeVerifier(***)",
            ),
            (format!("{}", AccessToken::new("act.xyz")), "***"),
            (format!("{}", RefreshToken::new("rft.xyz")), "***"),
        ];
        for (shown, expected) in values {
            assert_eq!(shown, expected);
            assert!(!shown.contains("xyz"));
        }
        // Redaction must survive nesting inside derived Debug output too.
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: AccessToken,
        }
        let nested = format!(
            "{:?}",
            Holder {
                token: AccessToken::new("act.leak")
            }
        );
        assert!(!nested.contains("leak"), "{nested}");
    }

    #[test]
    fn secret_accessor_exposes_value() {
        let t = AccessToken::new("act.value");
        assert_eq!(t.secret(), "act.value");
        assert_eq!(t.clone().into_secret(), "act.value");
    }
}
