//! What the tray says while the window is closed: the next post (time and account) and the
//! uploads under way with their percent. Read from SQLite (the publisher saves the bytes TikTok
//! confirmed on every chunk), so it is right after a restart too, and moved on by the bytes the
//! publisher has sent since (a one-chunk upload confirms nothing before its end, and its
//! percent sat at 0 % until TikTok processed it).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::ctx::Ctx;
use crate::db::post_views;
use crate::error::CoreResult;
use crate::publisher::Publisher;
use crate::settings_service::SettingsService;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextPost {
    pub at_ms: i64,
    pub account: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub account: String,
    /// Bytes sent (at least those TikTok confirmed), out of 100; `None` before the upload
    /// started (checking, init) or after it (TikTok processing).
    pub percent: Option<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayStatus {
    pub paused: bool,
    pub next: Option<NextPost>,
    pub uploads: Vec<Upload>,
}

fn handle(username: &str, display_name: &str) -> String {
    crate::accounts::handle(username, display_name).unwrap_or_else(|| "an account".to_owned())
}

/// What the tray shows, read for the shell (it owns no state of its own).
pub struct Tray {
    ctx: Ctx,
    settings: Arc<SettingsService>,
    publisher: Arc<Publisher>,
}

impl Tray {
    pub fn new(ctx: Ctx, settings: Arc<SettingsService>, publisher: Arc<Publisher>) -> Self {
        Self {
            ctx,
            settings,
            publisher,
        }
    }

    pub async fn tray_status(&self) -> CoreResult<TrayStatus> {
        let pool = self.ctx.pool();
        let next = post_views::tray_next(pool).await?;
        let uploads = post_views::tray_uploads(pool).await?;
        Ok(TrayStatus {
            paused: self.settings.get().await.publishing_paused,
            next: next.map(|(at_ms, u, d)| NextPost {
                at_ms,
                account: handle(&u, &d),
            }),
            uploads: uploads
                .into_iter()
                .map(|(post_id, state, confirmed, size, u, d)| {
                    let sent = self.publisher.bytes_sent(post_id).unwrap_or(0) as i64;
                    Upload {
                        account: handle(&u, &d),
                        percent: match (state.as_str(), size) {
                            ("uploading", Some(size)) if size > 0 => {
                                let done = confirmed.max(sent).clamp(0, size);
                                Some(((done * 100) / size) as u8)
                            }
                            _ => None,
                        },
                    }
                })
                .collect(),
        })
    }
}

/// "Next post: today 14:30 · @maya" in the user's zone; the day is named when it is not today.
pub fn next_line(status: &TrayStatus, zone: Tz, now_ms: i64) -> String {
    let Some(next) = &status.next else {
        return "No post scheduled".to_owned();
    };
    let (Some(at), Some(now)) = (
        DateTime::<Utc>::from_timestamp_millis(next.at_ms),
        DateTime::<Utc>::from_timestamp_millis(now_ms),
    ) else {
        return "No post scheduled".to_owned();
    };
    let (at, now) = (at.with_timezone(&zone), now.with_timezone(&zone));
    let days = (at.date_naive() - now.date_naive()).num_days();
    let when = match days {
        i64::MIN..=0 => format!("today {}", at.format("%H:%M")),
        1 => format!("tomorrow {}", at.format("%H:%M")),
        2..=6 => at.format("%a %H:%M").to_string(),
        _ => at.format("%-d %b %H:%M").to_string(),
    };
    let prefix = if status.paused {
        "Paused · next post"
    } else {
        "Next post"
    };
    format!("{prefix}: {when} · {}", next.account)
}

/// [`next_line`] in this computer's time zone.
pub fn next_line_here(status: &TrayStatus, now_ms: i64) -> String {
    let zone = crate::posts::local_time::system_zone()
        .parse()
        .unwrap_or(Tz::UTC);
    next_line(status, zone, now_ms)
}

/// How long until the next local midnight (plus a second, to land on the new day), so the
/// "today"/"tomorrow" wording is refreshed once a day rather than polled.
pub fn until_next_midnight_here(now_ms: i64) -> std::time::Duration {
    let zone: Tz = crate::posts::local_time::system_zone()
        .parse()
        .unwrap_or(Tz::UTC);
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&zone);
    let tomorrow = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    let next = tomorrow
        .and_hms_opt(0, 0, 1)
        .and_then(|t| t.and_local_timezone(zone).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or(now_ms + 3_600_000);
    std::time::Duration::from_millis((next - now_ms).clamp(1_000, 25 * 3_600_000) as u64)
}

/// "Uploading: @maya 42 %, @sam checking" or `None` when nothing is being published.
pub fn uploads_line(status: &TrayStatus) -> Option<String> {
    if status.uploads.is_empty() {
        return None;
    }
    let parts: Vec<String> = status
        .uploads
        .iter()
        .map(|u| match u.percent {
            Some(p) => format!("{} {p} %", u.account),
            None => format!("{} …", u.account),
        })
        .collect();
    Some(format!("Publishing: {}", parts.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn with_next(at_ms: i64, paused: bool) -> TrayStatus {
        TrayStatus {
            paused,
            next: Some(NextPost {
                at_ms,
                account: "@maya".into(),
            }),
            uploads: vec![],
        }
    }

    #[test]
    fn the_next_post_is_told_in_the_users_zone() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let now = at("2027-03-10T15:00:00Z"); // 10:00 in New York
        assert_eq!(
            next_line(&with_next(at("2027-03-10T19:30:00Z"), false), ny, now),
            "Next post: today 14:30 · @maya"
        );
        // 01:30 UTC on the 11th is still the 10th in New York.
        assert_eq!(
            next_line(&with_next(at("2027-03-11T01:30:00Z"), false), ny, now),
            "Next post: today 20:30 · @maya"
        );
        assert_eq!(
            next_line(&with_next(at("2027-03-11T14:00:00Z"), true), ny, now),
            "Paused · next post: tomorrow 09:00 · @maya"
        );
        // Across the spring-forward change of the 14th: 14:00 UTC is 10:00, no longer 09:00.
        assert_eq!(
            next_line(&with_next(at("2027-03-15T14:00:00Z"), false), ny, now),
            "Next post: Mon 10:00 · @maya"
        );
        assert_eq!(
            next_line(&with_next(at("2027-05-01T14:00:00Z"), false), ny, now),
            "Next post: 1 May 10:00 · @maya"
        );
        assert_eq!(
            next_line(&TrayStatus::default(), ny, now),
            "No post scheduled"
        );
    }

    #[test]
    fn uploads_show_their_percent_or_that_they_are_under_way() {
        assert_eq!(uploads_line(&TrayStatus::default()), None);
        let s = TrayStatus {
            uploads: vec![
                Upload {
                    account: "@maya".into(),
                    percent: Some(42),
                },
                Upload {
                    account: "@sam".into(),
                    percent: None,
                },
            ],
            ..Default::default()
        };
        assert_eq!(
            uploads_line(&s).as_deref(),
            Some("Publishing: @maya 42 %, @sam …")
        );
    }
}
