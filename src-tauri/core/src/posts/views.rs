//! The calendar (a month or a week in a zone, with each day's count) and the queue (upcoming
//! posts, then optionally the latest finished ones), read through `db::post_views` and shown
//! in the viewer's zone.

use chrono::{
    Datelike, Days, Duration as ChronoDuration, Months, NaiveDate, NaiveTime, TimeZone, Utc,
};
use chrono_tz::Tz;
use sqlx::SqlitePool;

use super::dto::{CalendarDay, CalendarItem, CalendarRange, QueueQuery, MONTH_ITEMS_PER_DAY};
use super::local_time::{check_year, local_text, parse_zone, system_zone};
use super::service::Posts;
use super::status::{PostMode, PostStatus};
use crate::clock::rfc3339;
use crate::db::post_views::{self, CalRow, QueueSearch};
use crate::error::{CoreError, CoreResult};

/// The longest range `calendar_days` lists (six weeks: a month grid's worth).
pub const MAX_RANGE_DAYS: u32 = 42;

/// Midnight at the start of `day` in `tz` (the first instant of the day when midnight is
/// skipped, as in zones that change at 00:00).
fn day_start(tz: Tz, day: NaiveDate) -> i64 {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..(24 * 4) {
        if let Some(d) = tz.from_local_datetime(&t).earliest() {
            return d.timestamp_millis();
        }
        match t.checked_add_signed(ChronoDuration::minutes(15)) {
            Some(next) => t = next,
            None => break,
        }
    }
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
        .timestamp_millis()
}

fn cal_item(r: CalRow, view: Tz) -> CalendarItem {
    let post_tz = r
        .schedule_zone
        .as_deref()
        .and_then(|z| z.parse::<Tz>().ok())
        .unwrap_or(view);
    let title = if !r.label.is_empty() {
        r.label
    } else if !r.display_name.is_empty() {
        r.display_name
    } else {
        format!("@{}", r.username)
    };
    let status = PostStatus::parse(&r.status);
    CalendarItem {
        id: r.id,
        account_id: r.account_id,
        account_title: title,
        status,
        mode: PostMode::parse(&r.mode),
        caption: r.caption,
        thumbnail_path: r.thumbnail_path,
        scheduled_at: rfc3339(r.scheduled_at),
        local: local_text(r.scheduled_at, view),
        post_zone: post_tz.name().to_owned(),
        post_local: local_text(r.scheduled_at, post_tz),
        paused: r.paused_reason.is_some(),
        needs_attention: status == PostStatus::NeedsAttention,
        updated_at: rfc3339(r.updated_at),
    }
}

pub(crate) async fn calendar_range(
    pool: &SqlitePool,
    tz: Tz,
    from: NaiveDate,
    to: NaiveDate,
    account_id: Option<i64>,
    per_day: Option<u32>,
) -> CoreResult<CalendarRange> {
    let mut dates = Vec::new();
    let mut d = from;
    while d < to {
        dates.push(d);
        let Some(next) = d.succ_opt() else { break };
        d = next;
    }
    let bounds: Vec<i64> = dates
        .iter()
        .map(|d| day_start(tz, *d))
        .chain(std::iter::once(day_start(tz, to)))
        .collect();
    let (start, end) = (bounds[0], bounds[bounds.len() - 1]);

    // SQLite reads a negative LIMIT as "no limit".
    let limit = per_day.map_or(-1, i64::from);
    let fetched = post_views::calendar_range(pool, &bounds, account_id, limit).await?;
    let mut days: Vec<CalendarDay> = dates
        .iter()
        .map(|d| CalendarDay {
            date: d.format("%Y-%m-%d").to_string(),
            count: 0,
        })
        .collect();
    let mut rows = Vec::with_capacity(fetched.len());
    for r in fetched {
        if let Some(day) = usize::try_from(r.d).ok().and_then(|i| days.get_mut(i)) {
            day.count = u32::try_from(r.n).unwrap_or(u32::MAX);
        }
        if let Some(row) = r.into_cal_row() {
            rows.push(row);
        }
    }
    rows.sort_by_key(|r| (r.scheduled_at, r.id));
    Ok(CalendarRange {
        zone: tz.name().to_owned(),
        start: rfc3339(start),
        end: rfc3339(end),
        items: rows.into_iter().map(|r| cal_item(r, tz)).collect(),
        days,
        per_day_limit: per_day,
    })
}

/// How `queue` searches `q` (public so the benchmark runs the same statement).
pub fn queue_search(q: &QueueQuery) -> QueueSearch {
    match q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => QueueSearch::None,
        // One account's posts are few: scan them in time order. Over all accounts, a rare
        // term goes through the trigram index; a common one is found quickly by the scan.
        Some(t) if q.account_id.is_none() && t.chars().count() >= 3 => QueueSearch::Trigram,
        Some(_) => QueueSearch::Like,
    }
}

/// The queue's bounds: upcoming posts (50 by default, 1 to 200) and finished ones (0 to 200).
pub fn queue_limits(q: &QueueQuery) -> (i64, i64) {
    (
        q.limit.unwrap_or(50).clamp(1, 200),
        q.finished_limit.unwrap_or(0).clamp(0, 200),
    )
}

pub(crate) async fn queue(
    pool: &SqlitePool,
    q: &QueueQuery,
    zone: &str,
) -> CoreResult<Vec<CalendarItem>> {
    let tz = parse_zone(zone).unwrap_or(Tz::UTC);
    let search = queue_search(q);
    let term = q.search.as_deref().map(str::trim).unwrap_or_default();
    let (limit, finished_limit) = queue_limits(q);
    let (mut upcoming, mut finished): (Vec<_>, Vec<_>) =
        post_views::queue(pool, q.account_id, search, term, limit, finished_limit)
            .await?
            .into_iter()
            .partition(|(sec, _)| *sec == 0);
    upcoming.sort_by_key(|(_, r)| (r.scheduled_at, r.id));
    finished.sort_by_key(|(_, r)| std::cmp::Reverse((r.scheduled_at, r.id)));
    let take = |n: i64| usize::try_from(n).unwrap_or(0);
    Ok(upcoming
        .into_iter()
        .take(take(limit))
        .chain(finished.into_iter().take(take(finished_limit)))
        .map(|(_, r)| cal_item(r, tz))
        .collect())
}

/// The queue shown in a given zone (the UI's zone rather than the system's).
pub async fn queue_in_zone(
    pool: &SqlitePool,
    q: &QueueQuery,
    zone: &str,
) -> CoreResult<Vec<CalendarItem>> {
    queue(pool, q, zone).await
}

impl Posts {
    /// Posts of a calendar month in `zone` (midnight on the 1st to midnight on the next 1st).
    pub async fn calendar_month(
        &self,
        year: i32,
        month: u32,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        let tz = parse_zone(zone)?;
        check_year(year, &format!("The year {year}"))?;
        let first = NaiveDate::from_ymd_opt(year, month, 1)
            .ok_or_else(|| CoreError::InvalidInput(format!("{year}-{month} is not a month.")))?;
        let next = first
            .checked_add_months(Months::new(1))
            .ok_or_else(|| CoreError::InvalidInput(format!("{year}-{month} is out of range.")))?;
        calendar_range(
            self.ctx.pool(),
            tz,
            first,
            next,
            account_id,
            Some(MONTH_ITEMS_PER_DAY),
        )
        .await
    }

    /// Posts of the week (Monday to Monday, in `zone`) that contains `date` (`YYYY-MM-DD`).
    pub async fn calendar_week(
        &self,
        date: &str,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        let tz = parse_zone(zone)?;
        let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").map_err(|_| {
            CoreError::InvalidInput(format!("\"{date}\" is not a date; use 2027-03-14."))
        })?;
        check_year(day.year(), &format!("\"{date}\""))?;
        let out_of_range =
            || CoreError::InvalidInput(format!("The week of \"{date}\" is out of range."));
        let monday = day
            .checked_sub_days(Days::new(u64::from(day.weekday().num_days_from_monday())))
            .ok_or_else(out_of_range)?;
        let next_monday = monday
            .checked_add_days(Days::new(7))
            .ok_or_else(out_of_range)?;
        calendar_range(self.ctx.pool(), tz, monday, next_monday, account_id, None).await
    }

    /// Every post of `days` days (1 to [`MAX_RANGE_DAYS`]) from `from` (`YYYY-MM-DD`) in
    /// `zone`, none left out: a week that starts on the creator's day, one busy day's full
    /// list, a month of the agenda.
    pub async fn calendar_days(
        &self,
        from: &str,
        days: u32,
        zone: &str,
        account_id: Option<i64>,
    ) -> CoreResult<CalendarRange> {
        let tz = parse_zone(zone)?;
        let first = NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").map_err(|_| {
            CoreError::InvalidInput(format!("\"{from}\" is not a date; use 2027-03-14."))
        })?;
        check_year(first.year(), &format!("\"{from}\""))?;
        if !(1..=MAX_RANGE_DAYS).contains(&days) {
            return Err(CoreError::InvalidInput(format!(
                "Ask for 1 to {MAX_RANGE_DAYS} days, not {days}."
            )));
        }
        let end = first
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or_else(|| {
                CoreError::InvalidInput(format!("{days} days from \"{from}\" is out of range."))
            })?;
        calendar_range(self.ctx.pool(), tz, first, end, account_id, None).await
    }

    /// Upcoming posts (scheduled, needing attention, queued or publishing), soonest first; with
    /// `finished_limit`, then the latest finished ones (published, failed, missed).
    pub async fn queue(&self, q: &QueueQuery) -> CoreResult<Vec<CalendarItem>> {
        queue(self.ctx.pool(), q, &system_zone()).await
    }
}
