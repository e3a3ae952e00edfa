//! Batch edit of many posts (caption template, hashtag set, privacy, interactions) through
//! `Posts::update_post`, each account's creator_info deciding what is allowed, conflicts
//! returned per post; and the caption presets and hashtag sets saved per account.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use super::captions::{add_hashtags, check_caption, render_template, TemplateVars};
use super::dto::{BatchEdit, BatchEditItem, CaptionPreset, PresetKind};
use super::service::{Planning, RulesSource};
use crate::accounts::dto::display;
use crate::compose::rules::inbox_rules;
use crate::db;
use crate::error::{CoreError, CoreResult};
use crate::posts::caps::account_zone;
use crate::posts::dto::{ComposePatch, CreatorRules};
use crate::posts::local_time::{local_text, parse_zone};
use crate::posts::status::{PostMode, PostStatus};

fn conflict_only(post_id: i64, why: String) -> BatchEditItem {
    BatchEditItem {
        post_id,
        saved: false,
        caption: None,
        conflicts: vec![why],
        warnings: Vec::new(),
    }
}

impl Planning {
    /// Applies `edit` to each post, in the order given (`{n}` counts from 1).
    pub async fn batch_edit(
        &self,
        post_ids: &[i64],
        edit: &BatchEdit,
        source: RulesSource<'_>,
    ) -> CoreResult<Vec<BatchEditItem>> {
        let pool = self.ctx.pool();
        let mut seen = HashSet::new();
        let ids: Vec<i64> = post_ids
            .iter()
            .copied()
            .filter(|i| seen.insert(*i))
            .collect();
        let rows: HashMap<i64, _> = db::posts::planning::load_many(pool, &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let wants_rules = edit.privacy_level.is_some()
            || edit.allow_comment == Some(true)
            || edit.allow_duet == Some(true)
            || edit.allow_stitch == Some(true);
        let mut rules: HashMap<(i64, PostMode), Result<CreatorRules, String>> = HashMap::new();
        let mut accounts = HashMap::new();
        let now = self.ctx.clock().now_ms();
        let mut out = Vec::with_capacity(ids.len());
        for (i, id) in ids.iter().enumerate() {
            let Some(row) = rows.get(id) else {
                out.push(conflict_only(*id, "This post no longer exists.".to_owned()));
                continue;
            };
            if !row.status().editable() {
                out.push(conflict_only(
                    *id,
                    format!(
                        "This post is {} and can no longer be edited.",
                        row.status().as_str().replace('_', " ")
                    ),
                ));
                continue;
            }
            if let Entry::Vacant(e) = accounts.entry(row.account_id) {
                let acc = db::accounts::get(pool, row.account_id).await?;
                let zone = parse_zone(&account_zone(pool, row.account_id).await?)?;
                e.insert((acc, zone));
            }
            let (acc, zone) = &accounts[&row.account_id];
            let mode = PostMode::parse(&row.mode);
            let key = (row.account_id, mode);
            let scheduled = row.status() == PostStatus::Scheduled;
            if (wants_rules || scheduled) && !rules.contains_key(&key) {
                let got = match (source, mode, acc) {
                    (_, _, None) => Err("Its account no longer exists in Tokdeck.".to_owned()),
                    (_, PostMode::Inbox, Some(a)) => Ok(inbox_rules(a)),
                    (RulesSource::Given(map), _, Some(a)) => map
                        .get(&row.account_id)
                        .cloned()
                        .ok_or_else(|| format!("{}'s TikTok settings are not known.", display(a))),
                    (RulesSource::Fresh, _, Some(_)) => self
                        .compose
                        .posting_rules(row.account_id, mode)
                        .await
                        .map_err(|e| e.user_message()),
                };
                rules.insert(key, got);
            }
            let creator = rules.get(&key);
            let mut item = BatchEditItem {
                post_id: *id,
                saved: false,
                caption: None,
                conflicts: Vec::new(),
                warnings: Vec::new(),
            };
            let mut patch = ComposePatch::default();
            let who = acc.as_ref().map(display).unwrap_or_default();
            if edit.caption_template.is_some() || edit.hashtags.is_some() {
                let mut caption = row.caption.clone();
                if let Some(t) = &edit.caption_template {
                    let date = match &row.schedule_local {
                        Some(l) if scheduled && l.len() >= 10 => l[..10].to_owned(),
                        _ => local_text(now, *zone)[..10].to_owned(),
                    };
                    caption = render_template(
                        t,
                        &TemplateVars {
                            file: &row.media_path,
                            date: &date,
                            n: i + 1,
                            account: &who,
                            caption: &row.caption,
                        },
                    );
                }
                if let Some(h) = &edit.hashtags {
                    caption = add_hashtags(&caption, h);
                }
                let check = check_caption(&caption);
                item.warnings = check.warnings;
                match check.error {
                    Some(e) => item.conflicts.push(format!("Caption not changed: {e}")),
                    None => patch.caption = Some(caption),
                }
            }
            if let Some(p) = &edit.privacy_level {
                match (mode, creator) {
                    (PostMode::Inbox, _) => item.conflicts.push(
                        "Privacy not changed: an inbox upload's audience is chosen in the TikTok app."
                            .to_owned(),
                    ),
                    (_, Some(Ok(r))) if r.privacy_level_options.iter().any(|o| o == p) => {
                        patch.privacy_level = Some(p.clone())
                    }
                    (_, Some(Ok(r))) => item.conflicts.push(format!(
                        "Privacy not changed: {} does not offer it on TikTok (it offers {}).",
                        if r.nickname.is_empty() { &who } else { &r.nickname },
                        r.privacy_level_options
                            .iter()
                            .map(|o| privacy_words(o))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    (_, Some(Err(why))) => {
                        item.conflicts.push(format!("Privacy not changed: {why}"))
                    }
                    (_, None) => {}
                }
            }
            for (want, what, slot) in [
                (edit.allow_comment, "comments", &mut patch.allow_comment),
                (edit.allow_duet, "duets", &mut patch.allow_duet),
                (edit.allow_stitch, "stitches", &mut patch.allow_stitch),
            ] {
                let Some(on) = want else { continue };
                let disabled = match creator {
                    Some(Ok(r)) => match what {
                        "comments" => r.comment_disabled,
                        "duets" => r.duet_disabled,
                        _ => r.stitch_disabled,
                    },
                    _ => false,
                };
                if on && disabled {
                    item.conflicts.push(format!(
                        "{what} not allowed: {who} has turned {what} off on TikTok."
                    ));
                } else if on && matches!(creator, Some(Err(_))) {
                    item.conflicts.push(format!(
                        "{what} not allowed: {who}'s TikTok settings could not be read."
                    ));
                } else {
                    *slot = Some(on);
                }
            }
            let rules_for_update = creator.and_then(|r| r.as_ref().ok());
            match self.posts.update_post(*id, &patch, rules_for_update).await {
                Ok(p) => {
                    item.saved = true;
                    item.caption = Some(p.caption);
                }
                Err(e) => item.conflicts.push(e.user_message()),
            }
            out.push(item);
        }
        Ok(out)
    }

    pub async fn caption_presets(&self, account_id: i64) -> CoreResult<Vec<CaptionPreset>> {
        Ok(db::caption_presets::list(self.ctx.pool(), account_id)
            .await?
            .into_iter()
            .map(|r| CaptionPreset {
                id: Some(r.id),
                account_id: r.account_id,
                kind: if r.kind == "hashtags" {
                    PresetKind::Hashtags
                } else {
                    PresetKind::Caption
                },
                name: r.name,
                body: r.body,
            })
            .collect())
    }

    pub async fn save_caption_preset(&self, p: &CaptionPreset) -> CoreResult<CaptionPreset> {
        let pool = self.ctx.pool();
        db::posts::live_account(pool, p.account_id).await?;
        let name = p.name.trim();
        if name.is_empty() {
            return Err(CoreError::InvalidInput(
                "Give the preset a name.".to_owned(),
            ));
        }
        if let Some(e) = check_caption(&p.body).error {
            return Err(CoreError::InvalidInput(e));
        }
        let kind = match p.kind {
            PresetKind::Caption => "caption",
            PresetKind::Hashtags => "hashtags",
        };
        let now = self.ctx.clock().now_ms();
        let id = db::caption_presets::save(pool, p.id, p.account_id, kind, name, &p.body, now)
            .await?
            .ok_or_else(|| CoreError::NotFound("That preset no longer exists.".to_owned()))?;
        Ok(CaptionPreset {
            id: Some(id),
            name: name.to_owned(),
            ..p.clone()
        })
    }

    pub async fn delete_caption_preset(&self, id: i64) -> CoreResult<()> {
        db::caption_presets::delete(self.ctx.pool(), id)
            .await?
            .map(|_| ())
            .ok_or_else(|| CoreError::NotFound("That preset no longer exists.".to_owned()))
    }
}

fn privacy_words(p: &str) -> &str {
    match p {
        "PUBLIC_TO_EVERYONE" => "Everyone",
        "MUTUAL_FOLLOW_FRIENDS" => "Friends",
        "FOLLOWER_OF_CREATOR" => "Followers",
        "SELF_ONLY" => "Only me",
        other => other,
    }
}
