//! `Analytics`: what the Analytics page asks (account series, post curves, top posts, the
//! best-time heatmap, CSV export). The sampler's pass, which fills the tables, is in
//! `sampler.rs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use chrono::DateTime;

use crate::accounts::tokens::Tokens;
use crate::clock::rfc3339;
use crate::ctx::Ctx;
use crate::db::analytics::metrics::{self, PerformanceRow};
use crate::error::{CoreError, CoreResult};
use crate::posts::local_time::parse_zone;

use super::csv;
use super::dto::{
    AccountSeries, CsvKind, CurvePoint, Gap, Heatmap, MatchKind, MedianAt, PostCurve,
    PostPerformance, SnapshotPoint, TopPostsQuery, Visibility, GAP_MS,
};
use super::heatmap::heatmap;
use super::schedule::{AGE_BUCKETS_H, DAY_BUCKET_H};

pub struct Analytics {
    pub(super) ctx: Ctx,
    pub(super) tokens: Arc<Tokens>,
    /// Sampler passes since start (the idle wake-up test reads it).
    pub(super) passes: AtomicU64,
    /// Held through a pass: the worker's pass and one asked for (a sync, a test) never run
    /// at once, or both would resolve the same post and one would find its row gone.
    pub(super) pass_lock: tokio::sync::Mutex<()>,
}

fn parse_time(s: Option<&str>, default: i64) -> CoreResult<i64> {
    match s {
        None => Ok(default),
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map(|d| d.timestamp_millis())
            .map_err(|_| CoreError::InvalidInput(format!("\"{t}\" is not a date and time"))),
    }
}

fn dto(r: PerformanceRow) -> PostPerformance {
    PostPerformance {
        id: r.id,
        account_id: r.account_id,
        post_id: r.post_id,
        video_id: r.video_id,
        match_kind: MatchKind::parse(&r.match_kind),
        visibility: Visibility::parse(&r.visibility),
        share_url: r.share_url,
        caption: r.caption,
        published_at: rfc3339(r.published_at),
        live_at: r.live_at.map(rfc3339),
        gone_at: r.gone_at.map(rfc3339),
        views: r.views,
        likes: r.likes,
        comments: r.comments,
        shares: r.shares,
        counted_at: r.counted_at.map(rfc3339),
    }
}

impl Analytics {
    pub fn new(ctx: Ctx, tokens: Arc<Tokens>) -> Self {
        Self {
            ctx,
            tokens,
            passes: AtomicU64::new(0),
            pass_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn sampler_passes(&self) -> u64 {
        self.passes.load(Ordering::Relaxed)
    }

    /// The account's snapshots from `from` (default: the beginning) to `to` (default: now),
    /// with the stretches Tokdeck did not see.
    pub async fn account_series(
        &self,
        account_id: i64,
        from: Option<&str>,
        to: Option<&str>,
    ) -> CoreResult<AccountSeries> {
        let from = parse_time(from, 0)?;
        let to = parse_time(to, self.ctx.clock().now_ms() + 1)?;
        let rows = metrics::series(self.ctx.pool(), account_id, from, to).await?;
        let gaps = rows
            .windows(2)
            .filter(|w| w[1].0 - w[0].0 > GAP_MS)
            .map(|w| Gap {
                from: rfc3339(w[0].0),
                to: rfc3339(w[1].0),
            })
            .collect();
        Ok(AccountSeries {
            account_id,
            points: rows
                .into_iter()
                .map(|(at, counts)| SnapshotPoint {
                    taken_at: rfc3339(at),
                    counts,
                })
                .collect(),
            gaps,
        })
    }

    /// A published post's analytics row (`None` before the sampler saw it published).
    pub async fn post_performance(&self, post_id: i64) -> CoreResult<Option<PostPerformance>> {
        Ok(metrics::by_post(self.ctx.pool(), post_id).await?.map(dto))
    }

    /// The rows of several posts (the Queue and Published views' latest numbers).
    pub async fn posts_performance(&self, post_ids: &[i64]) -> CoreResult<Vec<PostPerformance>> {
        Ok(metrics::by_posts(self.ctx.pool(), post_ids)
            .await?
            .into_iter()
            .map(dto)
            .collect())
    }

    /// One video's samples (views against age) and the account's median at each age.
    pub async fn post_curve(&self, performance_id: i64) -> CoreResult<PostCurve> {
        let (row, samples, medians) =
            metrics::curve_with_medians(self.ctx.pool(), performance_id, &AGE_BUCKETS_H)
                .await?
                .ok_or_else(|| CoreError::NotFound("That video has no analytics.".into()))?;
        let published = row.published_at;
        let points = samples
            .into_iter()
            .map(|(bucket, at, views, likes, comments, shares)| CurvePoint {
                age_bucket_hours: bucket as u32,
                age_hours: (at - published) as f64 / 3_600_000.0,
                sampled_at: rfc3339(at),
                views,
                likes,
                comments,
                shares,
            })
            .collect();
        let account_median = medians
            .into_iter()
            .map(|(bucket, n, views)| MedianAt {
                age_bucket_hours: bucket as u32,
                views: views as f64,
                videos: n as u32,
            })
            .collect();
        Ok(PostCurve {
            post: dto(row),
            points,
            account_median,
        })
    }

    /// The best videos of one account or all, by views (default), likes, comments, shares or
    /// recency. Private posts are left out: TikTok reports no numbers for them.
    pub async fn top_posts(&self, q: &TopPostsQuery) -> CoreResult<Vec<PostPerformance>> {
        let since = parse_time(q.since.as_deref(), 0)?;
        let limit = q.limit.unwrap_or(50).clamp(1, 200) as i64;
        Ok(
            metrics::top(self.ctx.pool(), q.account_id, since, q.sort, limit)
                .await?
                .into_iter()
                .map(dto)
                .collect(),
        )
    }

    /// Weekday × hour of publish in `zone` → 24-hour views relative to the account's median.
    pub async fn heatmap(&self, account_id: i64, zone: &str) -> CoreResult<Heatmap> {
        let zone = parse_zone(zone)?;
        let rows = metrics::day_views(self.ctx.pool(), account_id, DAY_BUCKET_H).await?;
        Ok(heatmap(account_id, zone, &rows))
    }

    /// [`Self::export_csv`] into `path`: a `.partial` file synced then renamed, so a full disk
    /// or a crash never leaves half a file under the chosen name. Answers the data lines.
    pub async fn save_csv(
        &self,
        kind: CsvKind,
        account_id: Option<i64>,
        path: &std::path::Path,
    ) -> CoreResult<u32> {
        let text = self.export_csv(kind, account_id).await?;
        let lines = text.lines().count().saturating_sub(1) as u32;
        let path = path.to_path_buf();
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            use std::io::Write;
            let partial = path.with_extension("csv.partial");
            let mut f = std::fs::File::create(&partial)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            std::fs::rename(&partial, &path)
        })
        .await
        .map_err(|e| CoreError::Internal(e.to_string()))?;
        written.map_err(|e| {
            CoreError::Unavailable(format!(
                "The CSV file could not be saved: {}. Choose another folder or free some space.",
                crate::db::backup::io_reason(&e)
            ))
        })?;
        Ok(lines)
    }

    /// The snapshots or the samples as CSV, of one account or all.
    pub async fn export_csv(&self, kind: CsvKind, account_id: Option<i64>) -> CoreResult<String> {
        let pool = self.ctx.pool();
        Ok(match kind {
            CsvKind::Snapshots => {
                let rows = metrics::all_snapshots(pool, account_id).await?;
                csv::document(
                    "account_id,username,taken_at,followers,following,likes,videos",
                    rows.into_iter().map(|(a, user, at, f, g, l, v)| {
                        format!(
                            "{a},{},{},{},{},{},{}",
                            csv::field(&user),
                            csv::time(at),
                            csv::opt(f),
                            csv::opt(g),
                            csv::opt(l),
                            csv::opt(v)
                        )
                    }),
                )
            }
            CsvKind::Samples => {
                let rows = metrics::all_samples(pool, account_id).await?;
                csv::document(
                    "account_id,username,post_id,video_id,caption,published_at,age_hours,sampled_at,views,likes,comments,shares",
                    rows.into_iter().map(|r| {
                        format!(
                            "{},{},{},{},{},{},{},{},{},{},{},{}",
                            r.account_id,
                            csv::field(&r.username),
                            csv::opt(r.post_id),
                            csv::field(r.video_id.as_deref().unwrap_or("")),
                            csv::field(&r.caption),
                            csv::time(r.published_at),
                            r.age_bucket,
                            csv::time(r.sampled_at),
                            r.views,
                            r.likes,
                            r.comments,
                            r.shares
                        )
                    }),
                )
            }
        })
    }
}
