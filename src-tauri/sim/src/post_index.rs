//! Lookups over the world's publishes that stay cheap as the world grows. TikTok answers a
//! creator's ten-thousandth post as fast as the first; a simulator that scans every publish
//! on each request does not (P2 publishes 11,000 posts in one world: with a scan per lookup,
//! a publish took 18 ms at the first thousand and 30 ms by the end, so the capacity the bench
//! calibrated at the start was no longer there at the end).
//!
//! Publishes are only ever appended to the world (`State::add_post`) or replaced wholesale (a
//! loaded world: `State::reindex`); their ids, creator and upload id never change.

use std::collections::HashMap;

use crate::posts::Post;

#[derive(Debug, Default)]
pub struct PostIndex {
    by_publish_id: HashMap<String, usize>,
    by_upload_id: HashMap<String, usize>,
    /// Each creator's publishes, oldest first.
    by_creator: HashMap<String, Vec<usize>>,
    /// Every publish before this one has left PROCESSING_UPLOAD (none ever goes back to it),
    /// so settling starts here.
    settled_below: usize,
    len: usize,
}

impl PostIndex {
    /// The index of `posts` (a loaded world).
    pub fn of(posts: &[Post]) -> Self {
        let mut index = Self::default();
        for (i, p) in posts.iter().enumerate() {
            index.add(i, p);
        }
        index
    }

    /// `post` was appended at `i`.
    pub fn add(&mut self, i: usize, post: &Post) {
        debug_assert_eq!(i, self.len, "publishes are appended in order");
        self.by_publish_id.insert(post.publish_id.clone(), i);
        self.by_upload_id.insert(post.upload.upload_id.clone(), i);
        self.by_creator
            .entry(post.open_id.clone())
            .or_default()
            .push(i);
        self.len = i + 1;
    }

    pub fn publish(&self, publish_id: &str) -> Option<usize> {
        self.by_publish_id.get(publish_id).copied()
    }

    pub fn upload(&self, upload_id: &str) -> Option<usize> {
        self.by_upload_id.get(upload_id).copied()
    }

    /// The creator's publishes, oldest first.
    pub fn of_creator(&self, open_id: &str) -> &[usize] {
        self.by_creator.get(open_id).map_or(&[], Vec::as_slice)
    }

    /// Creators with at least one publish.
    pub fn creators(&self) -> impl Iterator<Item = (&String, &Vec<usize>)> {
        self.by_creator.iter()
    }

    /// Where settling starts: publishes before it are all settled.
    pub fn unsettled_from(&self) -> usize {
        self.settled_below
    }

    /// Moves the settled mark past the leading publishes that are no longer in flight.
    pub fn advance_settled(&mut self, posts: &[Post]) {
        while self.settled_below < posts.len() && !posts[self.settled_below].in_flight() {
            self.settled_below += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::posts::{Mode, RunningSha256, Status, Upload};
    use serde_json::Value;

    fn post(n: u32, open_id: &str, status: Status) -> Post {
        Post {
            publish_id: format!("v_pub_{n}"),
            open_id: open_id.into(),
            mode: Mode::Direct,
            post_info: Value::Null,
            source_info: Value::Null,
            privacy: None,
            created_ms: u64::from(n),
            video_size: 1,
            chunk_size: 1,
            total_chunks: 1,
            upload: Upload {
                upload_id: format!("up_{n}"),
                token: String::new(),
                expires_ms: 0,
                force_expired: false,
                offset: 0,
                hasher: RunningSha256::new(),
                busy: false,
            },
            sha256: None,
            ready_ms: None,
            status,
            fail_reason: None,
            post_ids: vec![],
            doom: None,
            polls_since_complete: 0,
        }
    }

    #[test]
    fn finds_publishes_by_id_upload_and_creator() {
        let posts = vec![
            post(0, "a", Status::PublishComplete),
            post(1, "b", Status::ProcessingUpload),
            post(2, "a", Status::Failed),
        ];
        let index = PostIndex::of(&posts);
        assert_eq!(index.publish("v_pub_2"), Some(2));
        assert_eq!(index.publish("v_pub_9"), None);
        assert_eq!(index.upload("up_1"), Some(1));
        assert_eq!(index.of_creator("a"), &[0, 2]);
        assert!(index.of_creator("nobody").is_empty());
        assert_eq!(index.creators().count(), 2);
        assert_eq!(index.len(), 3);
    }

    #[test]
    fn the_settled_mark_stops_at_the_first_publish_still_in_flight() {
        let mut posts = vec![
            post(0, "a", Status::PublishComplete),
            post(1, "a", Status::ProcessingUpload),
            post(2, "b", Status::PublishComplete),
        ];
        let mut index = PostIndex::of(&posts);
        index.advance_settled(&posts);
        // Publish 1 (stalled, say) keeps the later ones in view even though 2 is done.
        assert_eq!(index.unsettled_from(), 1);
        posts[1].status = Status::PublishComplete;
        index.advance_settled(&posts);
        assert_eq!(index.unsettled_from(), 3);
        let next = post(3, "b", Status::ProcessingUpload);
        index.add(3, &next);
        posts.push(next);
        index.advance_settled(&posts);
        assert_eq!(index.unsettled_from(), 3, "a new publish is in flight");
    }
}
