//! When a video is sampled (pure): at fixed ages, each taken only while the video's age is
//! still close to it, so a sample missed while Tokdeck was closed is not back-filled with a
//! number measured days later.

/// The ages (hours) a video is sampled at: 1 h, 6 h, 24 h, 72 h, 7 d, 30 d, then weekly to 90 d.
pub const AGE_BUCKETS_H: [u32; 15] = [
    1, 6, 24, 72, 168, 720, 888, 1056, 1224, 1392, 1560, 1728, 1896, 2064, 2160,
];

const HOUR_MS: i64 = 3_600_000;

/// The bucket a sample is the 24-hour sample of (the heatmap reads it).
pub const DAY_BUCKET_H: u32 = 24;

/// Until which age (ms) a sample still stands for bucket `i`: half the bucket's age later (at
/// least an hour, a week for the last one), and never into the next bucket.
fn window_end_ms(i: usize) -> i64 {
    let b = AGE_BUCKETS_H[i] as i64;
    let slack = match AGE_BUCKETS_H.get(i + 1) {
        Some(&next) => (b / 2).max(1).min(next as i64 - b),
        None => 168,
    };
    (b + slack) * HOUR_MS
}

/// The bucket a sample taken at `age_ms` stands for, if any.
pub fn bucket_at(age_ms: i64) -> Option<u32> {
    AGE_BUCKETS_H
        .iter()
        .enumerate()
        .find(|(i, &b)| age_ms >= b as i64 * HOUR_MS && age_ms < window_end_ms(*i))
        .map(|(_, &b)| b)
}

/// The age (ms) the next sample is due at, given the video's age now and whether the bucket of
/// this age (if any) was just taken: now when a bucket is open and not taken, else the start of
/// the next bucket; `None` once the schedule is over.
pub fn next_sample_age(age_ms: i64, current_taken: bool) -> Option<i64> {
    if !current_taken && bucket_at(age_ms).is_some() {
        return Some(age_ms);
    }
    AGE_BUCKETS_H
        .iter()
        .map(|&b| b as i64 * HOUR_MS)
        .find(|&start| start > age_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    #[test]
    fn each_bucket_is_taken_only_near_its_age() {
        assert_eq!(bucket_at(0), None);
        assert_eq!(bucket_at(H), Some(1));
        assert_eq!(bucket_at(2 * H - 1), Some(1));
        assert_eq!(bucket_at(2 * H), None);
        assert_eq!(bucket_at(25 * H), Some(24));
        assert_eq!(
            bucket_at(36 * H),
            None,
            "a day-and-a-half-old count is not a 24-h count"
        );
        assert_eq!(bucket_at(800 * H), Some(720));
        assert_eq!(bucket_at(2160 * H), Some(2160));
        assert_eq!(bucket_at(2400 * H), None);
    }

    #[test]
    fn the_next_sample_waits_for_the_next_bucket_after_a_gap() {
        assert_eq!(next_sample_age(0, false), Some(H));
        assert_eq!(next_sample_age(H, false), Some(H));
        assert_eq!(next_sample_age(H, true), Some(6 * H));
        // Woken at 50 h (the app was closed): the 24-h bucket is gone, wait for 72 h.
        assert_eq!(next_sample_age(50 * H, false), Some(72 * H));
        assert_eq!(next_sample_age(2160 * H, true), None);
        assert_eq!(next_sample_age(3000 * H, false), None);
    }
}
