//! Bulk planning: posting slots across clock changes and zones, caps-aware placement, the
//! preview/commit/undo of "Schedule all into slots" with its compare-and-sets, and a model
//! test that no plan ever breaks a cap or the minimum gap.

#[path = "../media_common/mod.rs"]
mod media_common;

mod batch;
mod bulk;
mod csv;
mod model;
mod schedule;
mod slots;

use std::collections::HashMap;
use std::path::PathBuf;

use media_common::{engine, h264, public_creator, Env};
use tokdeck_core::planning::{SlotInput, SlotPlan};
use tokdeck_core::posts::{Commercial, ComposeInput, CreatorRules, PostMode};

fn input(account_id: i64, path: &std::path::Path, caption: &str) -> ComposeInput {
    ComposeInput {
        account_id,
        media_path: path.to_string_lossy().into_owned(),
        caption: caption.to_owned(),
        privacy_level: Some("PUBLIC_TO_EVERYONE".into()),
        allow_comment: false,
        allow_duet: false,
        allow_stitch: false,
        commercial: Commercial::default(),
        is_aigc: false,
        cover_timestamp_ms: None,
        mode: PostMode::Direct,
    }
}

fn slot(days: &[u8], time: &str) -> SlotInput {
    SlotInput {
        weekdays: days.to_vec(),
        time: time.to_owned(),
    }
}

struct Rig {
    env: Env,
    video: PathBuf,
    rules: HashMap<i64, CreatorRules>,
}

impl Rig {
    async fn new() -> Rig {
        let env = engine().await;
        let video = h264(env.path(), "v.mp4", 1.0);
        Rig {
            env,
            video,
            rules: HashMap::new(),
        }
    }

    /// An account in `zone` (public creator rules).
    async fn account(&mut self, name: &str, zone: &str) -> i64 {
        let a = self.env.account(name).await;
        self.env
            .engine
            .set_account_default_zone(a, Some(zone))
            .await
            .unwrap();
        self.rules.insert(a, public_creator(name));
        a
    }

    async fn drafts(&self, account: i64, n: usize) -> Vec<i64> {
        let mut out = Vec::new();
        for i in 0..n {
            let p = self
                .env
                .engine
                .create_draft(&input(account, &self.video, &format!("d{i}")), None)
                .await
                .unwrap();
            out.push(p.id);
        }
        out
    }

    async fn preview(&self, ids: &[i64]) -> SlotPlan {
        self.env
            .engine
            .preview_slot_schedule_with(ids, &self.rules)
            .await
            .unwrap()
    }
}

fn planned(plan: &SlotPlan) -> Vec<tokdeck_core::planning::PlannedPost> {
    plan.items
        .iter()
        .filter(|i| i.problem.is_none())
        .map(|i| tokdeck_core::planning::PlannedPost {
            post_id: i.post_id,
            at_ms: i.at_ms.unwrap(),
            updated_at: i.updated_at,
        })
        .collect()
}
