//! Seed-driven evolution of the Display API's counts, so analytics have something that looks
//! like TikTok to sample (`Behaviour::evolution_seed`). Everything is a pure function of the
//! seed, the video or account, and the simulated clock: advancing the clock moves the numbers,
//! two runs with the same seed and clock give the same numbers, and nothing runs in the
//! background.
//!
//! - A video's views follow a gamma(2) curve: the views per hour rise to a peak at about a day
//!   (between 0.7 and 1.7 days, per video) and then decay; cumulative counts never go down.
//! - Its total reach depends on the weekday and hour it was posted (UTC): evenings and
//!   weekends do better, nights worse, so a best-time heatmap shows a pattern.
//! - Likes, comments and shares are fixed per-video shares of the views.
//! - Followers grow by a per-account daily rate with day-to-day noise, plus a little from the
//!   account's views; likes are the account's base plus its videos' likes.

use crate::accounts::{Account, Video};

/// splitmix64: a good, cheap 64-bit mix for deterministic noise.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in [0, 1) from the seed and two keys.
fn unit(seed: u64, a: u64, b: u64) -> f64 {
    (mix(seed ^ mix(a ^ mix(b))) >> 11) as f64 / (1u64 << 53) as f64
}

fn text_key(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// How much a post's reach is multiplied by for its weekday and hour of posting (UTC).
pub fn slot_factor(create_time_secs: u64) -> f64 {
    let hour = (create_time_secs / 3600) % 24;
    // 1970-01-01 was a Thursday: 0 = Monday.
    let weekday = (create_time_secs / 86_400 + 3) % 7;
    let by_hour = match hour {
        18..=21 => 2.0,
        12..=13 => 1.4,
        7..=11 | 14..=17 => 1.0,
        22..=23 => 0.9,
        _ => 0.45,
    };
    let by_day = match weekday {
        5 | 6 => 1.3,
        0 => 0.8,
        _ => 1.0,
    };
    by_hour * by_day
}

/// A video's counts at `now_secs`: (views, likes, comments, shares).
pub fn video_counts(seed: u64, v: &Video, now_secs: u64) -> (u64, u32, u32, u32) {
    let age_h = now_secs.saturating_sub(v.create_time) as f64 / 3600.0;
    let reach = 3000.0 * (0.3 + 2.4 * unit(seed, v.id, 1)) * slot_factor(v.create_time);
    let tau_h = 24.0 * (0.7 + unit(seed, v.id, 2));
    let x = age_h / tau_h;
    let share = 1.0 - (1.0 + x) * (-x).exp();
    let views = (reach * share).floor();
    let like_rate = 0.04 + 0.08 * unit(seed, v.id, 3);
    (
        views as u64,
        (views * like_rate) as u32,
        (views * like_rate * 0.06) as u32,
        (views * like_rate * 0.03) as u32,
    )
}

/// An account's (followers, likes) at `now_secs`: the counts it was given plus its growth since
/// then. An account whose start is unknown (`counts_since` 0) does not grow.
pub fn account_counts(seed: u64, a: &Account, now_secs: u64) -> (u64, u64) {
    let mut followers = a.follower_count as f64;
    let mut likes = a.likes_count;
    if a.counts_since > 0 && now_secs > a.counts_since {
        let key = text_key(&a.open_id);
        let days = (now_secs - a.counts_since) as f64 / 86_400.0;
        let rate = 8.0 + 40.0 * unit(seed, key, 1);
        // Noise of the day (a few unfollows on some days), never more than the growth so far.
        let day = now_secs / 86_400;
        let noise = (unit(seed, key, day) - 0.5) * rate * 0.8;
        followers += (rate * days + noise).max(0.0);
    }
    for v in a.videos.iter().filter(|v| v.public) {
        let (views, l, _, _) = video_counts(seed, v, now_secs);
        followers += views as f64 / 400.0;
        likes += l as u64;
    }
    (followers as u64, likes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vid(id: u64, at: u64) -> Video {
        let mut v = crate::accounts::video(at, "t", true);
        v.id = id;
        v
    }

    #[test]
    fn views_rise_then_slow_and_never_fall() {
        let v = vid(7_300_000_000_000_000_001, 1_767_225_600);
        let at = |h: u64| video_counts(9, &v, v.create_time + h * 3600).0;
        assert_eq!(at(0), 0);
        let mut last = 0;
        for h in 1..24 * 90 {
            assert!(at(h) >= last);
            last = at(h);
        }
        // The first day's views outnumber those of days 10 to 11 (the curve decays).
        assert!(at(24) - at(0) > 5 * (at(264) - at(240)));
        assert_eq!(at(100), video_counts(9, &v, v.create_time + 100 * 3600).0);
        assert_ne!(at(100), video_counts(10, &v, v.create_time + 100 * 3600).0);
    }

    #[test]
    fn evenings_reach_more_than_nights() {
        let monday = 1_767_571_200; // 2026-01-05T00:00Z
        assert!(slot_factor(monday + 19 * 3600) > 3.0 * slot_factor(monday + 3 * 3600));
        assert!(slot_factor(monday + 5 * 86_400 + 19 * 3600) > slot_factor(monday + 19 * 3600));
    }
}
