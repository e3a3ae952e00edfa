//! What the creator reads about a publish: the messages a post ends with, TikTok's reasons
//! in plain words with the next step, and the native notifications.

use tiktok_api::ErrorClass;

use crate::error::CoreError;

pub const KEYCHAIN_WAIT_MESSAGE: &str = "Unlock your keychain: the system keychain is locked or not answering, so Tokdeck cannot read this account's sign-in (or the upload link). Tokdeck tries again by itself every few minutes, or press Retry once it is unlocked.";
/// A run of the publisher found its post taken from it (cancelled, deleted, edited, or moved
/// on by another actor) and stopped.
pub(crate) const TAKEN: &str = "This post changed meanwhile (cancelled, edited or moved on by the publisher). Look at it again.";

pub const EXPIRED_URL_MESSAGE: &str =
    "The upload link expired before the video was fully sent. Check TikTok before retrying: open the account's profile (or inbox) and see whether the post is there.";
pub const UNKNOWN_OUTCOME_MESSAGE: &str =
    "Outcome unknown — TikTok may or may not have received this post. Check TikTok before retrying, then mark it as posted or dismiss it.";

pub(crate) const AUDIENCE_UNCONFIRMED_CODE: &str = "audience_unconfirmed";
pub(crate) const AUDIENCE_UNCONFIRMED_MESSAGE: &str = "TikTok may have posted it as \"Only me\": your TikTok app is not audited for Direct Post, and TikTok does not say which audience it applied. Check the post in the TikTok app.";

pub(crate) const AUDIT_WAY_OUT: &str =
    "Or have your TikTok developer app pass TikTok's Direct Post audit, which lifts this rule.";

/// TikTok refused at init an audience its fresh creator_info offered: what an app TikTok has
/// not audited gets for anything but "Only me".
pub(crate) const UNAUDITED_AUDIENCE_MESSAGE: &str = "TikTok refused the chosen audience although this account offers it: apps that TikTok has not audited may only post with the audience \"Only me\". Pick \"Only me\" for this post and schedule it again, or have your TikTok developer app pass TikTok's Direct Post audit.";

pub(crate) fn taken() -> CoreError {
    CoreError::Conflict(TAKEN.to_owned())
}

/// The post was taken from this actor by another one (see `Publisher::set_state`).
pub fn is_taken(e: &CoreError) -> bool {
    matches!(e, CoreError::Conflict(m) if m == TAKEN)
}

/// A user's action met a post the publisher (or another action) moved meanwhile.
pub(crate) fn user_taken(e: CoreError) -> CoreError {
    if is_taken(&e) {
        CoreError::Conflict(
            "This post changed while you acted on it (the publisher or another action moved it). Look at it again."
                .into(),
        )
    } else {
        e
    }
}

pub(crate) fn caption_start(caption: &str) -> String {
    let t: String = caption.chars().take(40).collect();
    if caption.chars().count() > 40 {
        format!("{t}…")
    } else if t.is_empty() {
        "(no caption)".to_owned()
    } else {
        t
    }
}

pub(crate) fn user_action_text(class: ErrorClass, fallback: &str) -> (bool, String) {
    match class {
        ErrorClass::UserMustAct(a) => (false, plain(a)),
        ErrorClass::RetryLater => (true, fallback.to_owned()),
        _ => (false, fallback.to_owned()),
    }
}

/// TikTok's reason in plain words, then the next step.
pub(crate) fn plain(action: tiktok_api::UserAction) -> String {
    let text = format!("{} {}", action.message(), action.next_step());
    if action == tiktok_api::UserAction::AccountMustBePrivate {
        // The rule is the developer app's, and creators bring their own app: its audit is the
        // other way out.
        return format!("{text} {AUDIT_WAY_OUT}");
    }
    text
}

/// A native notification's body about a post: "@account — “caption start…”. body".
pub(crate) fn post_body(who: &str, caption: &str, body: &str) -> String {
    format!("{who} — “{}”. {body}", caption_start(caption))
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_names_the_account_and_the_start_of_the_caption() {
        assert_eq!(post_body("@a", "hello", "Posted."), "@a — “hello”. Posted.");
        assert_eq!(post_body("@a", "", ""), "@a — “(no caption)”.");
        let long = "x".repeat(41);
        assert_eq!(caption_start(&long), format!("{}…", "x".repeat(40)));
    }

    #[test]
    fn only_the_publisher_s_own_conflict_counts_as_taken() {
        assert!(is_taken(&taken()));
        assert!(!is_taken(&CoreError::Conflict("other".into())));
        let e = user_taken(taken());
        assert!(!is_taken(&e) && matches!(e, CoreError::Conflict(_)));
    }

    #[test]
    fn an_account_that_must_be_private_is_told_of_the_audit_too() {
        use tiktok_api::UserAction as A;
        assert!(plain(A::AccountMustBePrivate).ends_with(AUDIT_WAY_OUT));
        assert!(!plain(A::Duration).contains(AUDIT_WAY_OUT));
        let (retry, text) = user_action_text(ErrorClass::RetryLater, "fallback");
        assert!(retry);
        assert_eq!(text, "fallback");
    }
}
