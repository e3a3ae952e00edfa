//! TikTok's sign-in answers in the creator's words, and the profile fields a grant allows.

use tiktok_api::UserField;

use crate::error::CoreError;

/// The profile fields the granted scopes allow (asking for more is an error at TikTok).
pub fn fields_for(scopes: &[String]) -> Vec<UserField> {
    let has = |s: &str| scopes.iter().any(|x| x == s);
    let mut f = vec![
        UserField::OpenId,
        UserField::UnionId,
        UserField::AvatarUrl,
        UserField::AvatarUrl100,
        UserField::DisplayName,
    ];
    if has("user.info.profile") {
        f.extend([
            UserField::BioDescription,
            UserField::ProfileDeepLink,
            UserField::IsVerified,
            UserField::Username,
        ]);
    }
    if has("user.info.stats") {
        f.extend([
            UserField::FollowerCount,
            UserField::FollowingCount,
            UserField::LikesCount,
            UserField::VideoCount,
        ]);
    }
    f
}

/// A callback that carries an error (or no code), in words for the creator.
pub(super) fn callback_error(e: tiktok_api::Error) -> CoreError {
    use tiktok_api::ErrorKind;
    let message = match e.kind() {
        ErrorKind::Authorization {
            error,
            description,
            error_type,
            err_code,
        } => {
            let error_type = error_type.as_deref().unwrap_or("");
            match (error.as_str(), error_type) {
                (_, "non_sandbox_target") => "This TikTok account is not a target user of your sandbox app, so TikTok refused it. Add it under Sandbox → Target users in the TikTok developer portal, or sign in with a listed account.".to_owned(),
                ("access_denied", _) => "You declined on TikTok's page, so nothing was connected. Click Add account to try again and approve the permissions.".to_owned(),
                ("invalid_scope", _) | (_, "scope") => "TikTok refused the requested permissions (scopes). Check that your app is approved for them in the TikTok developer portal, or remove them in Settings → TikTok app.".to_owned(),
                (_, "code_challenge") | ("param_error", _) => format!(
                    "TikTok rejected Tokdeck's sign-in request (PKCE check{}). This is a Tokdeck problem: update Tokdeck or report it.",
                    err_code.as_deref().map(|c| format!(", errCode {c}")).unwrap_or_default()
                ),
                _ => format!(
                    "TikTok could not complete the sign-in{}. Click Add account (or Reconnect on the account) to try again.",
                    description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
                ),
            }
        }
        ErrorKind::MissingCode => {
            "TikTok's answer carried no sign-in code. Click Add account to try again.".to_owned()
        }
        _ => return CoreError::from(e),
    };
    CoreError::Tiktok {
        message,
        class: e.class(),
        log_id: e.log_id().map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::connect::listener::escape;
    use tiktok_api::AuthorizationCallback;

    #[test]
    fn fields_follow_scopes() {
        assert_eq!(fields_for(&["user.info.basic".into()]).len(), 5);
        assert_eq!(
            fields_for(&[
                "user.info.basic".into(),
                "user.info.stats".into(),
                "user.info.profile".into()
            ])
            .len(),
            13
        );
    }

    #[test]
    fn callback_errors_read_well() {
        let e = AuthorizationCallback::parse_query("error=access_denied&state=s")
            .into_code("s")
            .unwrap_err();
        assert!(callback_error(e).to_string().contains("declined"));
        let e = AuthorizationCallback::parse_query(
            "error=access_denied&error_type=non_sandbox_target&state=s",
        )
        .into_code("s")
        .unwrap_err();
        assert!(callback_error(e).to_string().contains("sandbox"));
        let e = AuthorizationCallback::parse_query(
            "error=param_error&errCode=10007&error_type=code_challenge&state=s",
        )
        .into_code("s")
        .unwrap_err();
        assert!(callback_error(e).to_string().contains("10007"));
        assert_eq!(escape("<b>&"), "&lt;b&gt;&amp;");
    }
}
