//! Captions, pure: the live checks (TikTok's 2,200 UTF-16 units, the 5-hashtag product rule,
//! @mentions) and the batch caption template.
//!
//! **Template variables** (anything else is kept as written):
//! - `{file}`: the video's file name without its extension (`beach day` for `beach day.mp4`);
//! - `{date}`: the post's date, `YYYY-MM-DD`, in its account's zone (its scheduled day, else
//!   today);
//! - `{n}`: a counter, 1 for the first post of the batch, 2 for the next…;
//! - `{account}`: the account's @handle (else its display name);
//! - `{caption}`: the post's caption before the edit.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::posts::content::MAX_CAPTION_UTF16;

/// TikTok refuses captions with more than this many hashtags (a product rule since
/// September 2025, not in the API documentation): a warning, not a block.
pub const MAX_HASHTAGS: usize = 5;

/// What the caption field shows while the creator types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CaptionCheck {
    pub utf16_units: u32,
    pub max_units: u32,
    pub hashtags: Vec<String>,
    /// `@name`s, as written, each once.
    pub mentions: Vec<String>,
    /// Over the length (blocks scheduling) — in plain words.
    pub error: Option<String>,
    /// More than 5 hashtags — in plain words.
    pub warnings: Vec<String>,
}

fn tags(text: &str, sigil: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace()) {
        let mut rest = word;
        while let Some(i) = rest.find(sigil) {
            let after = &rest[i + sigil.len_utf8()..];
            let end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(after.len());
            let name = after[..end].trim_end_matches('.');
            if !name.is_empty() {
                let tag = format!("{sigil}{name}");
                if !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                    out.push(tag);
                }
            }
            rest = &after[end..];
        }
    }
    out
}

pub fn check_caption(text: &str) -> CaptionCheck {
    let units = text.encode_utf16().count();
    let hashtags = tags(text, '#');
    let mentions = tags(text, '@');
    let error = (units > MAX_CAPTION_UTF16).then(|| {
        format!(
            "The caption is {units} characters long; TikTok allows up to {MAX_CAPTION_UTF16}. Shorten it by {}.",
            units - MAX_CAPTION_UTF16
        )
    });
    let mut warnings = Vec::new();
    if hashtags.len() > MAX_HASHTAGS {
        warnings.push(format!(
            "{} hashtags: TikTok allows at most {MAX_HASHTAGS} since September 2025, so this post may be refused. Keep the {MAX_HASHTAGS} that matter most.",
            hashtags.len()
        ));
    }
    CaptionCheck {
        utf16_units: units as u32,
        max_units: MAX_CAPTION_UTF16 as u32,
        hashtags,
        mentions,
        error,
        warnings,
    }
}

/// What a template's variables stand for, for one post.
pub struct TemplateVars<'a> {
    pub file: &'a str,
    pub date: &'a str,
    pub n: usize,
    pub account: &'a str,
    pub caption: &'a str,
}

pub fn render_template(template: &str, v: &TemplateVars<'_>) -> String {
    let stem = std::path::Path::new(v.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    template
        .replace("{caption}", "\u{0}CAPTION\u{0}")
        .replace("{file}", &stem)
        .replace("{date}", v.date)
        .replace("{n}", &v.n.to_string())
        .replace("{account}", v.account)
        .replace("\u{0}CAPTION\u{0}", v.caption)
}

/// Appends a hashtag set to a caption (tags already in it are not repeated).
pub fn add_hashtags(caption: &str, set: &str) -> String {
    let have = tags(caption, '#');
    let new: Vec<String> = tags(set, '#')
        .into_iter()
        .filter(|t| !have.iter().any(|h| h.eq_ignore_ascii_case(t)))
        .collect();
    if new.is_empty() {
        return caption.to_owned();
    }
    let sep = if caption.is_empty() || caption.ends_with(char::is_whitespace) {
        ""
    } else {
        " "
    };
    format!("{caption}{sep}{}", new.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_count_utf16_hashtags_and_mentions() {
        let c = check_caption("hi @ana and @ana.b! #one #two,#three #four #five #six #One");
        assert_eq!(c.mentions, ["@ana", "@ana.b"]);
        assert_eq!(c.hashtags.len(), 6);
        assert!(c.warnings[0].starts_with("6 hashtags"));
        let c = check_caption(&"😀".repeat(1101));
        assert_eq!(c.utf16_units, 2202);
        assert!(c.error.unwrap().contains("Shorten it by 2"));
    }

    #[test]
    fn templates_and_hashtag_sets() {
        let v = TemplateVars {
            file: "/v/beach day.mp4",
            date: "2027-05-01",
            n: 3,
            account: "@ana",
            caption: "old {n}",
        };
        assert_eq!(
            render_template("{file} #{n} {date} by {account}: {caption} {x}", &v),
            "beach day #3 2027-05-01 by @ana: old {n} {x}"
        );
        assert_eq!(add_hashtags("hello #a", "#A #b #c"), "hello #a #b #c");
        assert_eq!(add_hashtags("", "#b"), "#b");
    }
}
