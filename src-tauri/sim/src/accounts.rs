//! Simulated TikTok users and their (public or private) videos.

use serde::{Deserialize, Serialize};

use crate::ids;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Video {
    /// 19 digits: serialised as a string in the Display API, like TikTok's `id`.
    pub id: u64,
    pub create_time: u64,
    pub title: String,
    pub description: String,
    pub duration: u32,
    pub width: u32,
    pub height: u32,
    pub public: bool,
    pub like_count: u32,
    pub comment_count: u32,
    pub share_count: u32,
    pub view_count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Account {
    pub open_id: String,
    pub union_id: String,
    pub username: String,
    pub display_name: String,
    pub private: bool,
    pub bio: String,
    pub verified: bool,
    pub follower_count: u64,
    pub following_count: u64,
    pub likes_count: u64,
    /// `None` = count the public videos.
    pub video_count: Option<u64>,
    pub max_video_post_duration_sec: u32,
    pub comment_disabled: bool,
    pub duet_disabled: bool,
    pub stitch_disabled: bool,
    pub can_post: bool,
    pub banned: bool,
    pub videos: Vec<Video>,
    /// When the counts above were set (simulated epoch seconds; 0 = not known): the
    /// analytics evolution grows followers from here.
    #[serde(default)]
    pub counts_since: u64,
    /// When the user last removed the app (control revoke); publishes in flight then fail.
    #[serde(skip)]
    pub revoked_at: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub private: Option<bool>,
    pub bio: Option<String>,
    pub verified: Option<bool>,
    pub follower_count: Option<u64>,
    pub following_count: Option<u64>,
    pub likes_count: Option<u64>,
    pub video_count: Option<u64>,
    pub max_video_post_duration_sec: Option<u32>,
    pub comment_disabled: Option<bool>,
    pub duet_disabled: Option<bool>,
    pub stitch_disabled: Option<bool>,
    pub can_post: Option<bool>,
    pub banned: Option<bool>,
}

impl Account {
    pub fn create(input: AccountInput) -> Result<Self, String> {
        let username = input
            .username
            .clone()
            .filter(|u| !u.trim().is_empty())
            .ok_or("username is required")?;
        let mut acc = Account {
            open_id: ids::uuid(),
            union_id: ids::uuid(),
            display_name: username.clone(),
            username,
            private: false,
            bio: String::new(),
            verified: false,
            follower_count: 0,
            following_count: 0,
            likes_count: 0,
            video_count: None,
            max_video_post_duration_sec: 300,
            comment_disabled: false,
            duet_disabled: false,
            stitch_disabled: false,
            can_post: true,
            banned: false,
            videos: vec![],
            counts_since: 0,
            revoked_at: None,
        };
        acc.apply(input);
        Ok(acc)
    }

    pub fn apply(&mut self, p: AccountInput) {
        macro_rules! set {
            ($($f:ident),*) => { $( if let Some(v) = p.$f { self.$f = v; } )* };
        }
        set!(
            username,
            display_name,
            private,
            bio,
            verified,
            follower_count,
            following_count,
            likes_count,
            max_video_post_duration_sec,
            comment_disabled,
            duet_disabled,
            stitch_disabled,
            can_post,
            banned
        );
        if p.video_count.is_some() {
            self.video_count = p.video_count;
        }
    }

    pub fn public_video_count(&self) -> u64 {
        self.video_count
            .unwrap_or_else(|| self.videos.iter().filter(|v| v.public).count() as u64)
    }

    /// The creator_info options follow the account's privacy (reference §5.1).
    pub fn privacy_options(&self) -> Vec<&'static str> {
        if self.private {
            vec!["FOLLOWER_OF_CREATOR", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        } else {
            vec!["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"]
        }
    }
}

pub fn video(create_time: u64, title: &str, public: bool) -> Video {
    let id = ids::id19();
    Video {
        id,
        create_time,
        title: title.to_string(),
        description: title.to_string(),
        duration: 15 + (id % 45) as u32,
        width: 1080,
        height: 1920,
        public,
        like_count: (id % 5000) as u32,
        comment_count: (id % 300) as u32,
        share_count: (id % 90) as u32,
        view_count: id % 200_000,
    }
}

/// `--seed`: three creators, one private, each with a few public videos in the past week.
pub fn demo(now_secs: u64) -> Vec<Account> {
    let specs: [(&str, &str, bool, &[&str]); 3] = [
        (
            "maya.makes",
            "Maya Makes",
            false,
            &["Clay mug in 60 seconds", "Glaze test #3", "Studio tour"],
        ),
        (
            "leo_travels",
            "Leo Travels",
            false,
            &[
                "Night train to Vienna",
                "Best street food?",
                "Packing light",
                "Sunrise hike",
            ],
        ),
        (
            "quiet.kitchen",
            "Quiet Kitchen",
            true,
            &["Miso soup, slowly", "Knife care basics"],
        ),
    ];
    specs
        .iter()
        .map(|(user, name, private, titles)| {
            let mut acc = Account::create(AccountInput {
                username: Some(user.to_string()),
                display_name: Some(name.to_string()),
                private: Some(*private),
                bio: Some(format!("{name} (simulated creator)")),
                follower_count: Some(1200 + user.len() as u64 * 37),
                following_count: Some(180),
                likes_count: Some(45_000 + user.len() as u64 * 1000),
                ..Default::default()
            })
            .expect("demo account is valid");
            acc.counts_since = now_secs;
            // The same creator is the same TikTok user in every run and every install, even
            // when the saved world is lost: a reconnect then still names the card it had.
            acc.open_id = ids::stable_uuid(&format!("demo-open-id:{user}"));
            acc.union_id = ids::stable_uuid(&format!("demo-union-id:{user}"));
            acc.videos = titles
                .iter()
                .enumerate()
                .map(|(i, t)| video(now_secs - (i as u64 + 1) * 86_400 - 3600, t, true))
                .collect();
            acc
        })
        .collect()
}
