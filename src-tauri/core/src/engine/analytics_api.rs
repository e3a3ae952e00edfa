//! The engine's analytics operations, each delegating in one line to `Analytics`.

use super::Engine;
use crate::analytics::{
    AccountSeries, CsvKind, Heatmap, PostCurve, PostPerformance, TopPostsQuery,
};
use crate::error::CoreResult;

impl Engine {
    /// An account's snapshots (followers, following, likes, videos) from `from` to `to`
    /// (RFC 3339; default: all), oldest first, with the stretches Tokdeck did not see.
    pub async fn account_series(
        &self,
        account_id: i64,
        from: Option<&str>,
        to: Option<&str>,
    ) -> CoreResult<AccountSeries> {
        self.analytics.account_series(account_id, from, to).await
    }

    /// A published post's analytics: its video, how it was found, visibility, latest numbers.
    pub async fn post_performance(&self, post_id: i64) -> CoreResult<Option<PostPerformance>> {
        self.analytics.post_performance(post_id).await
    }

    /// The analytics of several posts at once (the Queue and Published views).
    pub async fn posts_performance(&self, post_ids: &[i64]) -> CoreResult<Vec<PostPerformance>> {
        self.analytics.posts_performance(post_ids).await
    }

    /// A video's views against age, with the account's median at each age.
    pub async fn post_curve(&self, performance_id: i64) -> CoreResult<PostCurve> {
        self.analytics.post_curve(performance_id).await
    }

    /// The best videos of one account or all.
    pub async fn top_posts(&self, q: &TopPostsQuery) -> CoreResult<Vec<PostPerformance>> {
        self.analytics.top_posts(q).await
    }

    /// Best time to post: weekday × hour of publish (in `zone`) → 24-hour views relative to
    /// the account's median, with the posts behind each cell.
    pub async fn best_time_heatmap(&self, account_id: i64, zone: &str) -> CoreResult<Heatmap> {
        self.analytics.heatmap(account_id, zone).await
    }

    /// Snapshots or samples as CSV (one account or all).
    pub async fn export_analytics_csv(
        &self,
        kind: CsvKind,
        account_id: Option<i64>,
    ) -> CoreResult<String> {
        self.analytics.export_csv(kind, account_id).await
    }

    /// Snapshots or samples as a CSV file at `path` (written whole or not at all); answers
    /// the lines written.
    pub async fn save_analytics_csv(
        &self,
        kind: CsvKind,
        account_id: Option<i64>,
        path: &std::path::Path,
    ) -> CoreResult<u32> {
        self.analytics.save_csv(kind, account_id, path).await
    }

    /// Runs one sampler pass now (tests and a "refresh" button); answers when the next is due.
    pub async fn sample_analytics_now(&self) -> CoreResult<Option<i64>> {
        self.analytics.sampler_pass().await
    }

    /// Sampler passes since the engine started.
    pub fn sampler_wakeups(&self) -> u64 {
        self.analytics.sampler_passes()
    }
}
