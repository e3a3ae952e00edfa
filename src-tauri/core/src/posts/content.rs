//! The compose fields and the rules they must keep, pure: what even a draft must respect, and
//! everything TikTok requires before a post may be scheduled (§5.2, §7).

use super::dto::{Commercial, ComposePatch, CreatorRules};
use super::status::PostMode;
use crate::error::{CoreError, CoreResult};
use crate::media::{self, VideoFacts};

/// Caption limit in UTF-16 code units (§6.5).
pub const MAX_CAPTION_UTF16: usize = 2200;
/// The compose fields validated together.
#[derive(Debug, Clone)]
pub struct Content {
    pub caption: String,
    pub privacy_level: Option<String>,
    pub allow_comment: bool,
    pub allow_duet: bool,
    pub allow_stitch: bool,
    pub commercial: Commercial,
    pub is_aigc: bool,
    pub cover_timestamp_ms: Option<u32>,
    pub mode: PostMode,
}

impl Content {
    pub fn apply(&mut self, p: &ComposePatch) {
        if let Some(v) = &p.caption {
            self.caption = v.clone();
        }
        if let Some(v) = &p.privacy_level {
            self.privacy_level = Some(v.clone()).filter(|s| !s.is_empty());
        }
        if let Some(v) = p.allow_comment {
            self.allow_comment = v;
        }
        if let Some(v) = p.allow_duet {
            self.allow_duet = v;
        }
        if let Some(v) = p.allow_stitch {
            self.allow_stitch = v;
        }
        if let Some(v) = p.commercial {
            self.commercial = v;
        }
        if let Some(v) = p.is_aigc {
            self.is_aigc = v;
        }
        if let Some(v) = p.cover_timestamp_ms {
            self.cover_timestamp_ms = v;
        }
        if let Some(v) = p.mode {
            self.mode = v;
        }
    }

    /// Rules that hold even for a draft.
    pub fn check_draft(&self, facts: &VideoFacts) -> CoreResult<()> {
        let units = self.caption.encode_utf16().count();
        if units > MAX_CAPTION_UTF16 {
            return Err(CoreError::InvalidInput(format!(
                "The caption is {units} characters long (UTF-16 units); TikTok allows up to {MAX_CAPTION_UTF16}. Shorten it by {}.",
                units - MAX_CAPTION_UTF16
            )));
        }
        if let Some(c) = self.cover_timestamp_ms {
            if u64::from(c) > facts.duration_ms {
                return Err(CoreError::InvalidInput(format!(
                    "The cover frame at {} ms is past the end of the video ({} ms). Pick a frame inside the video.",
                    c, facts.duration_ms
                )));
            }
        }
        if self.commercial.branded_content
            && self.commercial.enabled
            && self.privacy_level.as_deref() == Some("SELF_ONLY")
        {
            return Err(CoreError::InvalidInput(
                "Branded content visibility cannot be set to private. Choose another privacy level or turn off Branded content.".to_owned(),
            ));
        }
        Ok(())
    }

    /// Everything TikTok requires before the post may be scheduled (§5.2, §7).
    pub fn check_for_posting(&self, facts: &VideoFacts, creator: &CreatorRules) -> CoreResult<()> {
        self.check_draft(facts)?;
        if self.mode == PostMode::Inbox {
            // The inbox init takes no post_info (§5.4): audience, interactions and disclosure
            // are chosen in the TikTok app, so only the video itself is checked.
            let violations = media::validate(facts, creator.max_video_post_duration_sec);
            if !violations.is_empty() {
                return Err(CoreError::InvalidInput(media::describe(&violations)));
            }
            return Ok(());
        }
        let who = if creator.nickname.is_empty() {
            "this account".to_owned()
        } else {
            creator.nickname.clone()
        };
        match &self.privacy_level {
            None => {
                return Err(CoreError::InvalidInput(
                    "Choose who can see this post (privacy level) before scheduling it.".to_owned(),
                ))
            }
            Some(p) if !creator.privacy_level_options.iter().any(|o| o == p) => {
                return Err(CoreError::InvalidInput(format!(
                    "Privacy \"{}\" is not offered by {who}; TikTok offers {}. Choose one of those.",
                    privacy_label(p),
                    creator
                        .privacy_level_options
                        .iter()
                        .map(|o| privacy_label(o))
                        .collect::<Vec<_>>()
                        .join(", ")
                )))
            }
            _ => {}
        }
        for (on, disabled, what) in [
            (self.allow_comment, creator.comment_disabled, "comments"),
            (self.allow_duet, creator.duet_disabled, "duets"),
            (self.allow_stitch, creator.stitch_disabled, "stitches"),
        ] {
            if on && disabled {
                return Err(CoreError::InvalidInput(format!(
                    "{who} has turned {what} off on TikTok, so this post cannot allow {what}. Untick it or change the setting on TikTok."
                )));
            }
        }
        if self.commercial.enabled
            && !self.commercial.your_brand
            && !self.commercial.branded_content
        {
            return Err(CoreError::InvalidInput(
                "You need to indicate if your content promotes yourself, a third party, or both."
                    .to_owned(),
            ));
        }
        let violations = media::validate(facts, creator.max_video_post_duration_sec);
        if !violations.is_empty() {
            return Err(CoreError::InvalidInput(media::describe(&violations)));
        }
        Ok(())
    }
}

fn privacy_label(p: &str) -> &str {
    match p {
        "PUBLIC_TO_EVERYONE" => "Everyone",
        "MUTUAL_FOLLOW_FRIENDS" => "Friends",
        "FOLLOWER_OF_CREATOR" => "Followers",
        "SELF_ONLY" => "Only me",
        other => other,
    }
}
