//! The best-time heatmap and the medians it rests on (pure).

use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Tz;

use super::dto::{HeatCell, Heatmap, HEATMAP_MIN_POSTS};

/// The median of `v` (sorted here); `None` when empty.
pub fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// Weekday (0 = Monday) and hour of `at_ms` in `zone`.
fn slot(at_ms: i64, zone: Tz) -> (u8, u8) {
    let t = zone
        .timestamp_millis_opt(at_ms)
        .single()
        .unwrap_or_else(|| zone.timestamp_millis_opt(0).unwrap());
    (t.weekday().num_days_from_monday() as u8, t.hour() as u8)
}

/// Each cell: the median 24-hour views of the posts published in that weekday and hour,
/// relative to the account's median over all of them, with how many posts it rests on.
pub fn heatmap(account_id: i64, zone: Tz, posts: &[(i64, i64)]) -> Heatmap {
    let mut all: Vec<f64> = posts.iter().map(|&(_, v)| v as f64).collect();
    let account_median = median(&mut all);
    let mut by_cell: Vec<Vec<f64>> = vec![Vec::new(); 7 * 24];
    for &(at, views) in posts {
        let (d, h) = slot(at, zone);
        by_cell[d as usize * 24 + h as usize].push(views as f64);
    }
    let cells = by_cell
        .into_iter()
        .enumerate()
        .map(|(i, mut v)| {
            let n = v.len() as u32;
            let relative = match (median(&mut v), account_median) {
                (Some(m), Some(base)) if base > 0.0 => Some(m / base),
                (Some(_), Some(_)) => Some(1.0),
                _ => None,
            };
            HeatCell {
                weekday: (i / 24) as u8,
                hour: (i % 24) as u8,
                relative,
                posts: n,
            }
        })
        .collect();
    Heatmap {
        account_id,
        zone: zone.name().to_owned(),
        cells,
        posts: posts.len() as u32,
        median_views: account_median,
        enough: posts.len() as u32 >= HEATMAP_MIN_POSTS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_relative_to_the_account_median_in_its_zone() {
        // 2026-01-05 is a Monday; 18:00 UTC is 19:00 in Paris.
        let monday_18 = 1_767_636_000_000;
        let posts = [
            (monday_18, 300),
            (monday_18 + 7 * 86_400_000, 500),
            (monday_18 + 3_600_000 * 10, 100),
            (monday_18 + 3_600_000 * 11, 100),
        ];
        let m = heatmap(1, "Europe/Paris".parse().unwrap(), &posts);
        assert_eq!(m.cells.len(), 168);
        assert_eq!(m.median_views, Some(200.0));
        let cell = &m.cells[19];
        assert_eq!((cell.weekday, cell.hour, cell.posts), (0, 19, 2));
        assert_eq!(cell.relative, Some(2.0));
        assert_eq!(m.cells[0].relative, None);
        assert!(!m.enough);
        assert_eq!(median(&mut []), None);
    }
}
