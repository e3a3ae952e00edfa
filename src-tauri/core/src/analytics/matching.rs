//! Finding a published post among the account's public videos when TikTok did not give its
//! public id (pure). A post is matched by TikTok's create time and its caption; when only one
//! of the two agrees, or two videos fit, the match is kept but marked uncertain.

use std::collections::HashSet;

use super::dto::MatchKind;

/// A video from video.list.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    /// TikTok's create_time, ms.
    pub create_ms: i64,
    /// `video_description`, else `title`.
    pub caption: String,
}

/// Within this of the publish time, a video is "at the same time" (TikTok stamps the video
/// when processing ends, Tokdeck when the status says so).
pub const CLOSE_MS: i64 = 30 * 60 * 1000;
/// A video with the same caption further away than this is not considered.
pub const NEAR_MS: i64 = 6 * 3600 * 1000;

/// Lower case, whitespace collapsed: TikTok may trim or re-space a caption.
fn normalize(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Same caption, allowing TikTok's cut of long descriptions (one a prefix of the other).
fn same_caption(post: &str, video: &str) -> bool {
    let (p, v) = (normalize(post), normalize(video));
    if p.is_empty() || v.is_empty() {
        return p == v;
    }
    p == v || (v.len() >= 20 && p.starts_with(&v)) || (p.len() >= 20 && v.starts_with(&p))
}

/// The video that is this post, and how sure that is; `None` when nothing fits (yet).
/// `taken` are videos already tied to other posts: never chosen, but a twin among them (the
/// same caption at about the same time) still makes the choice uncertain.
pub fn match_post(
    published_at: i64,
    caption: &str,
    videos: &[Candidate],
    taken: &HashSet<String>,
) -> Option<(String, MatchKind)> {
    let dist = |c: &Candidate| (c.create_ms - published_at).abs();
    let twins = videos
        .iter()
        .filter(|c| dist(c) <= NEAR_MS && same_caption(caption, &c.caption))
        .count();
    let free: Vec<&Candidate> = videos.iter().filter(|c| !taken.contains(&c.id)).collect();
    let close: Vec<&Candidate> = free
        .iter()
        .copied()
        .filter(|c| dist(c) <= CLOSE_MS)
        .collect();
    let mut near_same: Vec<&Candidate> = free
        .iter()
        .copied()
        .filter(|c| dist(c) <= NEAR_MS && same_caption(caption, &c.caption))
        .collect();
    near_same.sort_by_key(|c| dist(c));
    let close_same: Vec<&Candidate> = close
        .iter()
        .copied()
        .filter(|c| same_caption(caption, &c.caption))
        .collect();
    match (close_same.as_slice(), close.as_slice()) {
        // Time and caption agree, and no other video (taken or not) has that caption then.
        ([one], _) if twins == 1 => Some((one.id.clone(), MatchKind::Matched)),
        ([one, ..], _) => Some((one.id.clone(), MatchKind::Uncertain)),
        // The only video at that time, with another caption (edited in the TikTok app?).
        ([], [one]) => Some((one.id.clone(), MatchKind::Uncertain)),
        // The same caption, further from the publish time than expected.
        _ => near_same
            .first()
            .map(|c| (c.id.clone(), MatchKind::Uncertain)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_800_000_000_000;

    fn c(id: &str, dt_min: i64, caption: &str) -> Candidate {
        Candidate {
            id: id.into(),
            create_ms: T + dt_min * 60_000,
            caption: caption.into(),
        }
    }

    #[test]
    fn time_and_caption_agreeing_is_a_match() {
        let v = [c("1", 1, "Glaze test #3"), c("2", -300, "Studio tour")];
        let none = HashSet::new();
        assert_eq!(
            match_post(T, "glaze  test #3", &v, &none),
            Some(("1".into(), MatchKind::Matched))
        );
    }

    #[test]
    fn doubt_is_said() {
        let none = HashSet::new();
        // Two videos with the caption posted minutes apart; still when one is taken.
        let twins = [c("1", 1, "Same"), c("2", 3, "Same")];
        assert_eq!(
            match_post(T, "Same", &twins, &none).unwrap().1,
            MatchKind::Uncertain
        );
        let taken: HashSet<String> = ["1".to_owned()].into();
        assert_eq!(
            match_post(T, "Same", &twins, &taken),
            Some(("2".into(), MatchKind::Uncertain))
        );
        // The only video at the time, with a caption edited in the TikTok app.
        let edited = [c("1", 2, "New words")];
        assert_eq!(
            match_post(T, "Old words", &edited, &none),
            Some(("1".into(), MatchKind::Uncertain))
        );
        // The caption matches but hours away.
        let late = [c("9", 180, "Late one")];
        assert_eq!(
            match_post(T, "Late one", &late, &none),
            Some(("9".into(), MatchKind::Uncertain))
        );
        // Nothing fits.
        assert_eq!(match_post(T, "Other", &[c("3", 600, "Other")], &none), None);
        assert_eq!(match_post(T, "x", &[], &none), None);
    }
}
