//! Account texts as a creator reads them: TikTok's error codes (`invalid_grant`, …) are for
//! the log file, not the card. What stays is the sentence with its next step, and TikTok's
//! log id (support asks for it) as a plain reference.

/// `message` without TikTok's raw error code: "(TikTok code X, log id L)" becomes
/// "(TikTok reference L)", "(TikTok code X)" goes.
pub fn creator_text(message: &str) -> String {
    const OPEN: &str = " (TikTok code ";
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let tail = &rest[at + OPEN.len()..];
        let Some(close) = tail.find(')') else {
            rest = "";
            break;
        };
        let inside = &tail[..close];
        if let Some((_, log)) = inside.split_once(", log id ") {
            out.push_str(" (TikTok reference ");
            out.push_str(log.trim());
            out.push(')');
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::creator_text;

    #[test]
    fn raw_codes_go_and_the_next_step_stays() {
        assert_eq!(
            creator_text("TikTok no longer accepts this account's sign-in (TikTok code invalid_grant). Reconnect the account (Accounts → Reconnect)."),
            "TikTok no longer accepts this account's sign-in. Reconnect the account (Accounts → Reconnect)."
        );
        assert_eq!(
            creator_text("Refused (TikTok code access_token_invalid, log id 2026ABC). Try again."),
            "Refused (TikTok reference 2026ABC). Try again."
        );
        assert_eq!(creator_text("Plain words."), "Plain words.");
        assert_eq!(creator_text("Cut (TikTok code x"), "Cut");
    }
}
