//! The sampler's pass (`workers/sampler.rs` runs it): registers newly published posts, finds
//! their TikTok videos, walks each account's public videos daily (a snapshot, imports, gone
//! videos), and takes the samples that are due, 20 ids per video.query. Every call goes
//! through `Tokens::with_token` (a rejected token is refreshed once) and the client's pacing
//! (600 a minute per token). An account whose calls fail waits, longer each time, and its
//! videos wait with it: nothing is retried in a loop, nothing is invented.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;

use tiktok_api::{UserField, Video, VideoField};

use crate::accounts::dto::{display, Profile};
use crate::analytics::dto::{Counts, MatchKind, Visibility};
use crate::db::accounts as accounts_db;
use crate::db::analytics::{self as db, performance as perf, performance::VideoCounts};
use crate::error::{CoreError, CoreResult};
use crate::events::{EngineEvent, NotificationKind};

use super::matching::{match_post, Candidate, CLOSE_MS, NEAR_MS};
use super::schedule::{bucket_at, next_sample_age};
use super::service::Analytics;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// A published post not found yet is looked for again this often...
const RESOLVE_EVERY_MS: i64 = 15 * MINUTE_MS;
/// ...for this long after it was published (moderation can take hours), then given up.
const RESOLVE_FOR_MS: i64 = 48 * HOUR_MS;
/// After a failed call, an account waits 5 min, doubling up to 6 h.
const BACKOFF_FIRST_MS: i64 = 5 * MINUTE_MS;
const BACKOFF_MAX_MS: i64 = 6 * HOUR_MS;
/// Rows handled per pass; more are left to the next pass, which then comes at once.
const PASS_ROWS: i64 = 2000;

const LIST_FIELDS: [VideoField; 9] = [
    VideoField::Id,
    VideoField::CreateTime,
    VideoField::VideoDescription,
    VideoField::Title,
    VideoField::ShareUrl,
    VideoField::ViewCount,
    VideoField::LikeCount,
    VideoField::CommentCount,
    VideoField::ShareCount,
];

const STATS: [UserField; 4] = [
    UserField::FollowerCount,
    UserField::FollowingCount,
    UserField::LikesCount,
    UserField::VideoCount,
];

fn counts(v: &Video) -> VideoCounts {
    VideoCounts {
        views: v.view_count.unwrap_or(0),
        likes: v.like_count.unwrap_or(0),
        comments: v.comment_count.unwrap_or(0),
        shares: v.share_count.unwrap_or(0),
    }
}

fn caption_of(v: &Video) -> String {
    v.video_description
        .clone()
        .filter(|d| !d.is_empty())
        .or_else(|| v.title.clone())
        .unwrap_or_default()
}

fn parse_ids(json: Option<&str>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str::<Vec<String>>(j).ok())
        .unwrap_or_default()
}

impl Analytics {
    /// One pass of the sampler; answers when the next one is due (`None`: nothing to wait for).
    pub async fn sampler_pass(&self) -> CoreResult<Option<i64>> {
        let _one_at_a_time = self.pass_lock.lock().await;
        self.passes.fetch_add(1, Ordering::Relaxed);
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        perf::register_published(pool, now).await?;
        for account_id in db::accounts_due(pool, now).await? {
            if let Err(e) = self.walk_account(account_id).await {
                self.failed(account_id, e).await?;
            }
        }
        let mut pending: BTreeMap<i64, Vec<perf::Pending>> = BTreeMap::new();
        for p in perf::pending_due(pool, now).await? {
            pending.entry(p.account_id).or_default().push(p);
        }
        for (account_id, rows) in pending {
            if let Err(e) = self.resolve(account_id, rows, None).await {
                self.failed(account_id, e).await?;
            }
        }
        // Rows found above are due from when they were found, after this pass began.
        let now = self.ctx.clock().now_ms();
        let due = perf::samples_due(pool, now, PASS_ROWS).await?;
        let full = due.len() as i64 == PASS_ROWS;
        let mut by_account: BTreeMap<i64, Vec<perf::Due>> = BTreeMap::new();
        for d in due {
            by_account.entry(d.account_id).or_default().push(d);
        }
        for (account_id, rows) in by_account {
            for chunk in rows.chunks(tiktok_api::display::MAX_VIDEOS_PER_CALL) {
                if let Err(e) = self.sample(account_id, chunk).await {
                    self.failed(account_id, e).await?;
                    break;
                }
            }
        }
        if full {
            return Ok(Some(now));
        }
        // A waiting account's walk and rows are already put off to its retry time.
        let next = [
            perf::next_due(pool).await?,
            db::next_account_due(pool).await?,
        ];
        Ok(next.into_iter().flatten().min())
    }

    /// A call for the account failed: it waits (5 min, doubling to 6 h) with its due videos.
    /// Anything but a TikTok or network failure (the database, the keychain) fails the pass.
    async fn failed(&self, account_id: i64, e: CoreError) -> CoreResult<()> {
        if e.tiktok_class().is_none() {
            return Err(e);
        }
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let n = db::failures(pool, account_id).await?;
        let wait = (BACKOFF_FIRST_MS << n.min(10)).min(BACKOFF_MAX_MS);
        db::mark_failed(pool, account_id, now + wait).await?;
        perf::postpone_account(pool, account_id, now, now + wait).await?;
        tracing::info!(account_id, error = %e, wait_ms = wait, "analytics: TikTok call failed; waiting");
        Ok(())
    }

    /// The account's public videos, newest first, back to `until_ms` (create time) or all.
    async fn list(&self, account_id: i64, until_ms: Option<i64>) -> CoreResult<(Vec<Video>, bool)> {
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .tokens
                .with_token(account_id, |client, token| async move {
                    client.list_videos(&token, &LIST_FIELDS, cursor, 20).await
                })
                .await?;
            let oldest = page.videos.last().and_then(|v| v.create_time);
            out.extend(page.videos);
            let reached = matches!((until_ms, oldest), (Some(u), Some(o)) if o * 1000 < u);
            if !page.has_more || reached || page.cursor.is_none() || page.cursor == cursor {
                return Ok((out, !page.has_more));
            }
            cursor = page.cursor;
        }
    }

    /// The daily look at an account: a snapshot of its counts, then every public video:
    /// published posts found, others imported, numbers refreshed, vanished ones said.
    async fn walk_account(&self, account_id: i64) -> CoreResult<()> {
        let pool = self.ctx.pool();
        let row = accounts_db::get_live(pool, account_id).await?;
        if row.has_scope("user.info.stats") {
            let info = self
                .tokens
                .with_token(account_id, |client, token| async move {
                    client.user_info(&token, &STATS).await
                })
                .await?;
            let now = self.ctx.clock().now_ms();
            let c = Counts {
                follower_count: info.follower_count,
                following_count: info.following_count,
                likes_count: info.likes_count,
                video_count: info.video_count,
            };
            if !c.is_empty() {
                db::insert_snapshot(pool, account_id, &c, now).await?;
                let mut profile = Profile::from(&info);
                profile.open_id = row.open_id.clone();
                accounts_db::update_profile(pool, account_id, &profile, now).await?;
                self.ctx.events().emit(EngineEvent::AccountsChanged {
                    account_id: Some(account_id),
                });
            }
        }
        if row.has_scope("video.list") {
            let (videos, complete) = self.list(account_id, None).await?;
            let now = self.ctx.clock().now_ms();
            let pending = perf::pending_of(pool, account_id).await?;
            if !pending.is_empty() {
                self.resolve(account_id, pending, Some(&videos)).await?;
            }
            let tracked = perf::tracked(pool, account_id).await?;
            let listed: HashSet<String> = videos.iter().filter_map(|v| v.id.clone()).collect();
            let captions: Vec<String> = videos.iter().map(caption_of).collect();
            let new: Vec<perf::Imported> = videos
                .iter()
                .zip(&captions)
                .filter_map(|(v, caption)| {
                    let id = v.id.as_deref().filter(|id| !tracked.contains_key(*id))?;
                    Some(perf::Imported {
                        video_id: id,
                        caption,
                        create_ms: v.create_time.map(|t| t * 1000).unwrap_or(now),
                    })
                })
                .collect();
            perf::import_many(pool, account_id, &new, now).await?;
            let tracked = perf::tracked(pool, account_id).await?;
            let seen: Vec<(i64, &Video)> = videos
                .iter()
                .filter_map(|v| Some((tracked.get(v.id.as_ref()?)?.0, v)))
                .collect();
            self.record(account_id, &seen, now).await?;
            if complete {
                for (id, (row_id, vis)) in &tracked {
                    if *vis == Visibility::Public && !listed.contains(id) {
                        self.gone(*row_id, account_id).await?;
                    }
                }
            }
            db::mark_listed(pool, account_id, now).await?;
        } else {
            db::mark_listed(pool, account_id, self.ctx.clock().now_ms()).await?;
        }
        db::clear_failures(pool, account_id).await?;
        self.ctx.events().emit(EngineEvent::AnalyticsChanged {
            account_id: Some(account_id),
        });
        Ok(())
    }

    /// Finds the videos of published posts: the public id when TikTok gave one, else the
    /// account's recent public videos by create time and caption (`listed`, or listed now).
    async fn resolve(
        &self,
        account_id: i64,
        rows: Vec<perf::Pending>,
        listed: Option<&[Video]>,
    ) -> CoreResult<()> {
        let pool = self.ctx.pool();
        let now = self.ctx.clock().now_ms();
        let mut rest = Vec::new();
        for r in rows {
            match parse_ids(r.public_post_ids.as_deref()).first() {
                Some(id) => perf::resolve(pool, r.id, id, MatchKind::PublicId, now).await?,
                None => rest.push(r),
            }
        }
        // A match by time and caption is decided once every video that could compete for it
        // (posted within CLOSE_MS of it) has had time to appear.
        let (rest, early): (Vec<_>, Vec<_>) = rest
            .into_iter()
            .partition(|r| now >= r.published_at + CLOSE_MS);
        for r in early {
            perf::defer_pending(pool, r.id, Some(r.published_at + CLOSE_MS), now).await?;
        }
        if rest.is_empty() {
            return Ok(());
        }
        let fetched;
        let videos = match listed {
            Some(v) => v,
            None => {
                let oldest = rest.iter().map(|r| r.published_at).min().unwrap_or(now);
                fetched = self.list(account_id, Some(oldest - NEAR_MS)).await?.0;
                &fetched
            }
        };
        let now = self.ctx.clock().now_ms();
        // Videos already tied to a post are not candidates (imported ones are).
        let mut taken: HashSet<String> = perf::matched_video_ids(pool, account_id).await?;
        let candidates: Vec<Candidate> = videos
            .iter()
            .filter_map(|v| {
                Some(Candidate {
                    id: v.id.clone()?,
                    create_ms: v.create_time.unwrap_or(0) * 1000,
                    caption: caption_of(v),
                })
            })
            .collect();
        for r in rest {
            match match_post(r.published_at, &r.caption, &candidates, &taken) {
                Some((id, kind)) => {
                    perf::resolve(pool, r.id, &id, kind, now).await?;
                    taken.insert(id);
                }
                None if now - r.published_at < RESOLVE_FOR_MS => {
                    perf::defer_pending(pool, r.id, Some(now + RESOLVE_EVERY_MS), now).await?
                }
                None => perf::defer_pending(pool, r.id, None, now).await?,
            }
        }
        Ok(())
    }

    /// Up to 20 due videos of one account in one video.query.
    async fn sample(&self, account_id: i64, rows: &[perf::Due]) -> CoreResult<()> {
        let pool = self.ctx.pool();
        if !db::may_call(pool, account_id, self.ctx.clock().now_ms()).await? {
            return Ok(());
        }
        let ids: Vec<String> = rows.iter().map(|r| r.video_id.clone()).collect();
        let page = self
            .tokens
            .with_token(account_id, |client, token| {
                let ids = ids.clone();
                async move { client.query_videos(&token, &LIST_FIELDS, &ids).await }
            })
            .await?;
        let now = self.ctx.clock().now_ms();
        let mut seen = Vec::with_capacity(rows.len());
        for r in rows {
            match page
                .videos
                .iter()
                .find(|v| v.id.as_deref() == Some(&r.video_id))
            {
                Some(v) => seen.push((r.id, v)),
                None if r.visibility == Visibility::Public.as_str() => {
                    self.gone(r.id, account_id).await?
                }
                // Known but never seen live (under review): look again in an hour, for two days.
                None => {
                    let next = (now - r.published_at < RESOLVE_FOR_MS).then_some(now + HOUR_MS);
                    perf::set_next(pool, r.id, next).await?
                }
            }
        }
        self.record(account_id, &seen, now).await?;
        db::clear_failures(pool, account_id).await?;
        self.ctx.events().emit(EngineEvent::AnalyticsChanged {
            account_id: Some(account_id),
        });
        Ok(())
    }

    /// TikTok reported these videos (row id, video) at `now`: their latest numbers, the sample
    /// of each one's age if one is open, and when to look next; one transaction.
    async fn record(&self, account_id: i64, seen: &[(i64, &Video)], now: i64) -> CoreResult<()> {
        let seen: Vec<perf::Seen> = seen
            .iter()
            .map(|(id, v)| perf::Seen {
                id: *id,
                counts: counts(v),
                share_url: v.share_url.as_deref(),
                create_ms: v.create_time.map(|t| t * 1000),
            })
            .collect();
        let plan = |published: i64| {
            let age = now - published;
            let bucket = bucket_at(age);
            let next = next_sample_age(age, bucket.is_some()).map(|a| published + a);
            (bucket, next)
        };
        perf::record_seen(self.ctx.pool(), account_id, &seen, now, &plan).await
    }

    /// A video TikTok reported is no longer reported: said once, in a notification for
    /// Tokdeck's own posts.
    async fn gone(&self, row_id: i64, account_id: i64) -> CoreResult<()> {
        let pool = self.ctx.pool();
        if !perf::mark_gone(pool, row_id, self.ctx.clock().now_ms()).await? {
            return Ok(());
        }
        let row = crate::db::analytics::metrics::by_id(pool, row_id).await?;
        if let Some(row) = row.filter(|r| r.post_id.is_some()) {
            let who = accounts_db::get(pool, account_id)
                .await?
                .map(|a| display(&a))
                .unwrap_or_default();
            let caption: String = row.caption.chars().take(60).collect();
            self.ctx.events().emit(EngineEvent::Notify {
                notification: NotificationKind::General,
                title: "A post is no longer on TikTok".into(),
                body: format!(
                    "“{caption}” ({who}) is no longer shown on TikTok: it was removed, hidden by moderation or made private. Its numbers stay as they were last seen."
                ),
            });
        }
        self.ctx.events().emit(EngineEvent::AnalyticsChanged {
            account_id: Some(account_id),
        });
        Ok(())
    }
}
