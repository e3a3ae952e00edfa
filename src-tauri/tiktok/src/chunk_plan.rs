//! How a file is cut into chunks for `PUT upload_url` (reference §5.3).
//!
//! TikTok's rules, and which reading of "MB" each constant satisfies:
//! 1. `total_chunk_count = floor(video_size / chunk_size)`;
//! 2. every chunk is ≥ 5 MB and ≤ 64 MB, except the final one, which absorbs the remainder and may
//!    reach 128 MB;
//! 3. a file under 5 MB is one chunk with `chunk_size = video_size`;
//! 4. a file over 64 MB needs several chunks;
//! 5. 1 ≤ chunks ≤ 1000.
//!
//! "MB" is ambiguous (10^6 or 2^20), so the plan only uses values valid under both readings:
//! non-final chunks within `5_242_880..=64_000_000` (≥ 5 MiB, ≤ 64 × 10^6), which also keeps
//! the merged final chunk below `2 × 64_000_000 = 128_000_000`.
//!
//! Choice (documented for the engine): files up to [`MAX_CHUNK`] (64,000,000 B) go up in one
//! piece. Both readings allow it, it is the most widely used shape, and it kept working when
//! TikTok began rejecting some multi-chunk inits with "The chunk size is invalid" (Aug 2026).
//! Larger files use the configured preferred chunk size (default 10,000,000 B), clamped into
//! the safe range, halved if needed so there are at least two chunks, and raised if needed to stay
//! within 1000 chunks. Streaming keeps memory flat whatever the chunk size.

use crate::error::{Error, ErrorKind, Result};

/// Smallest non-final chunk valid under both MB readings (5 MiB).
pub const MIN_CHUNK: u64 = 5 * 1024 * 1024;
/// Largest non-final chunk valid under both MB readings (64 × 10^6).
pub const MAX_CHUNK: u64 = 64_000_000;
/// Largest final chunk valid under both readings (128 × 10^6).
pub const MAX_FINAL_CHUNK: u64 = 128_000_000;
/// Most chunks TikTok accepts.
pub const MAX_CHUNKS: u64 = 1000;

/// One byte range of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    /// 0-based position in the plan.
    pub index: u64,
    /// Offset of the first byte.
    pub start: u64,
    /// Number of bytes.
    pub len: u64,
}

impl Chunk {
    /// Offset of the last byte (inclusive), as used in `Content-Range`.
    pub fn last_byte(&self) -> u64 {
        self.start + self.len - 1
    }

    /// Offset one past the last byte.
    pub fn end(&self) -> u64 {
        self.start + self.len
    }
}

/// The three `source_info` numbers and the byte ranges they imply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkPlan {
    video_size: u64,
    chunk_size: u64,
    total_chunk_count: u64,
}

impl ChunkPlan {
    /// Plans a file of `video_size` bytes with the default preferences (single chunk up to
    /// 64,000,000 B, otherwise 10,000,000 B chunks).
    pub fn for_size(video_size: u64) -> Result<Self> {
        Self::with_preferences(video_size, 10_000_000, MAX_CHUNK)
    }

    /// Plans a file with an explicit preferred chunk size and single-chunk threshold (both are
    /// clamped into the range valid under both MB readings).
    pub fn with_preferences(
        video_size: u64,
        preferred_chunk_size: u64,
        single_chunk_max: u64,
    ) -> Result<Self> {
        if video_size == 0 {
            return Err(invalid("the video file is empty"));
        }
        let single_max = single_chunk_max.min(MAX_CHUNK);
        if video_size < MIN_CHUNK || video_size <= single_max {
            return Ok(Self::single(video_size));
        }
        // At least two chunks for files above the single-chunk threshold (mandatory above 64 MB).
        let mut chunk_size = preferred_chunk_size
            .clamp(MIN_CHUNK, MAX_CHUNK)
            .min(video_size / 2);
        if chunk_size < MIN_CHUNK {
            // Only reachable for files below 2 × 5 MiB, which are valid as one chunk.
            return Ok(Self::single(video_size));
        }
        if video_size / chunk_size > MAX_CHUNKS {
            // Smallest chunk_size with floor(size / chunk_size) <= 1000.
            chunk_size = video_size / (MAX_CHUNKS + 1) + 1;
        }
        if chunk_size > MAX_CHUNK {
            return Err(invalid(format!(
                "a {video_size}-byte video cannot be cut into at most {MAX_CHUNKS} chunks of at most {MAX_CHUNK} bytes"
            )));
        }
        Self::from_parts(video_size, chunk_size)
    }

    /// Rebuilds (and validates) the plan used at init, e.g. when resuming a persisted upload.
    pub fn from_parts(video_size: u64, chunk_size: u64) -> Result<Self> {
        if video_size == 0 || chunk_size == 0 || chunk_size > video_size {
            return Err(invalid(format!(
                "chunk_size {chunk_size} does not fit video_size {video_size}"
            )));
        }
        let total_chunk_count = video_size / chunk_size;
        let plan = Self {
            video_size,
            chunk_size,
            total_chunk_count,
        };
        let last = plan.chunk(total_chunk_count - 1).expect("count >= 1").len;
        let ok = if total_chunk_count == 1 {
            video_size <= MAX_CHUNK || video_size < MIN_CHUNK
        } else {
            total_chunk_count <= MAX_CHUNKS
                && (MIN_CHUNK..=MAX_CHUNK).contains(&chunk_size)
                && last <= MAX_FINAL_CHUNK
        };
        if !ok {
            return Err(invalid(format!(
                "chunk_size {chunk_size} breaks TikTok's chunk rules for video_size {video_size}"
            )));
        }
        Ok(plan)
    }

    fn single(video_size: u64) -> Self {
        Self {
            video_size,
            chunk_size: video_size,
            total_chunk_count: 1,
        }
    }

    /// `source_info.video_size`.
    pub fn video_size(&self) -> u64 {
        self.video_size
    }

    /// `source_info.chunk_size`.
    pub fn chunk_size(&self) -> u64 {
        self.chunk_size
    }

    /// `source_info.total_chunk_count`.
    pub fn total_chunk_count(&self) -> u64 {
        self.total_chunk_count
    }

    /// The chunk at `index`, the last one absorbing the remainder.
    pub fn chunk(&self, index: u64) -> Option<Chunk> {
        if index >= self.total_chunk_count {
            return None;
        }
        let start = index * self.chunk_size;
        let len = if index + 1 == self.total_chunk_count {
            self.video_size - start
        } else {
            self.chunk_size
        };
        Some(Chunk { index, start, len })
    }

    /// All chunks in upload order.
    pub fn chunks(&self) -> impl Iterator<Item = Chunk> + '_ {
        (0..self.total_chunk_count).filter_map(|i| self.chunk(i))
    }

    /// The chunk containing byte `offset`, if `offset < video_size`.
    pub fn chunk_containing(&self, offset: u64) -> Option<Chunk> {
        if offset >= self.video_size {
            return None;
        }
        let index = (offset / self.chunk_size).min(self.total_chunk_count - 1);
        self.chunk(index)
    }
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidInput(msg.into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reference_examples() {
        // §5.3: 50,000,123 B with chunk_size 10,000,000 → 5 chunks, last 10,000,123 B.
        let p = ChunkPlan::from_parts(50_000_123, 10_000_000).unwrap();
        assert_eq!(p.total_chunk_count(), 5);
        let last = p.chunk(4).unwrap();
        assert_eq!((last.start, last.last_byte()), (40_000_000, 50_000_122));
        // 4,194,304 B → one chunk.
        let p = ChunkPlan::for_size(4_194_304).unwrap();
        assert_eq!((p.chunk_size(), p.total_chunk_count()), (4_194_304, 1));
    }

    #[test]
    fn policy_choices() {
        assert_eq!(
            ChunkPlan::for_size(64_000_000).unwrap().total_chunk_count(),
            1
        );
        let p = ChunkPlan::for_size(64_000_001).unwrap();
        assert_eq!((p.chunk_size(), p.total_chunk_count()), (10_000_000, 6));
        let p = ChunkPlan::for_size(1 << 30).unwrap();
        assert_eq!(p.total_chunk_count(), 107);
        // Preference clamped into the dual-reading range.
        let p = ChunkPlan::with_preferences(200_000_000, 1, 0).unwrap();
        assert_eq!(p.chunk_size(), MIN_CHUNK);
        let p = ChunkPlan::with_preferences(200_000_000, u64::MAX, 0).unwrap();
        assert_eq!(p.chunk_size(), MAX_CHUNK);
        assert!(ChunkPlan::for_size(0).is_err());
        assert!(ChunkPlan::for_size(65_000_000_000).is_err());
    }

    #[test]
    fn chunk_containing_maps_into_last_chunk() {
        let p = ChunkPlan::from_parts(50_000_123, 10_000_000).unwrap();
        assert_eq!(p.chunk_containing(0).unwrap().index, 0);
        assert_eq!(p.chunk_containing(19_999_999).unwrap().index, 1);
        assert_eq!(p.chunk_containing(50_000_000).unwrap().index, 4);
        assert_eq!(p.chunk_containing(50_000_123), None);
    }

    #[test]
    fn from_parts_rejects_rule_breakers() {
        assert!(ChunkPlan::from_parts(100_000_000, 100_000_000).is_err()); // > 64 MB single
        assert!(ChunkPlan::from_parts(20_000_000, 1_000_000).is_err()); // chunks < 5 MB
        assert!(ChunkPlan::from_parts(1_000_000_000, 999_999).is_err()); // > 1000 chunks
        assert!(ChunkPlan::from_parts(10, 11).is_err());
    }

    fn check_rules(p: &ChunkPlan, size: u64) {
        let chunks: Vec<Chunk> = p.chunks().collect();
        assert_eq!(p.video_size(), size);
        // floor rule and count bounds
        assert_eq!(p.total_chunk_count(), size / p.chunk_size());
        assert_eq!(chunks.len() as u64, p.total_chunk_count());
        assert!((1..=MAX_CHUNKS).contains(&p.total_chunk_count()));
        // contiguous, sums to the file
        let mut next = 0;
        for c in &chunks {
            assert_eq!(c.start, next);
            assert!(c.len > 0);
            next = c.end();
        }
        assert_eq!(next, size);
        // size bounds
        let (last, rest) = chunks.split_last().unwrap();
        for c in rest {
            assert_eq!(c.len, p.chunk_size());
            assert!((MIN_CHUNK..=MAX_CHUNK).contains(&c.len), "{c:?}");
        }
        assert!(last.len >= p.chunk_size());
        if chunks.len() == 1 {
            assert_eq!(
                p.chunk_size(),
                size,
                "single chunk means chunk_size == video_size"
            );
            assert!(size <= MAX_CHUNK);
        } else {
            assert!(last.len <= MAX_FINAL_CHUNK);
            assert!(last.len < 2 * p.chunk_size());
        }
        if size < MIN_CHUNK {
            assert_eq!(chunks.len(), 1);
        }
        if size > MAX_CHUNK {
            assert!(chunks.len() >= 2);
        }
        // the plan survives a persist/restore round trip
        assert_eq!(ChunkPlan::from_parts(size, p.chunk_size()).unwrap(), *p);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn default_plan_obeys_every_rule(size in 1u64..=(4u64 << 30)) {
            check_rules(&ChunkPlan::for_size(size).unwrap(), size);
        }

        #[test]
        fn any_preference_obeys_every_rule(
            size in prop_oneof![1u64..=20_000_000, 60_000_000u64..=70_000_000, 1u64..=(4u64 << 30)],
            preferred in 0u64..=200_000_000,
            single in 0u64..=200_000_000,
        ) {
            check_rules(&ChunkPlan::with_preferences(size, preferred, single).unwrap(), size);
        }

        #[test]
        fn boundary_sizes(k in 1u64..=1000, delta in -2i64..=2, base in prop_oneof![Just(MIN_CHUNK), Just(MAX_CHUNK), Just(5_000_000u64), Just(10_000_000u64), Just(1u64 << 20)]) {
            let size = (k * base).saturating_add_signed(delta).clamp(1, 4u64 << 30);
            check_rules(&ChunkPlan::for_size(size).unwrap(), size);
        }
    }
}
