//! Wall-clock times in IANA zones, pure: parsing what the creator typed, and what a local time
//! means where the clocks jump. Times that do not exist (spring-forward gap) or exist twice
//! (fall-back overlap) are never shifted silently: [`resolve_local`] says so and scheduling
//! them needs an explicit [`DstChoice`].

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, LocalResult, NaiveDateTime, Offset, TimeZone,
    Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, CoreResult};

/// The local wall-clock format stored and accepted (`2027-03-14T02:30`; seconds optional).
pub const LOCAL_FORMAT: &str = "%Y-%m-%dT%H:%M";
/// Which instant a gap or overlap local time means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DstChoice {
    /// The earlier instant: the first occurrence of a repeated time; for a skipped time, the
    /// same distance before the jump (02:30 in a 02:00→03:00 gap means 01:30 standard time).
    Earlier,
    /// The later instant: the second occurrence; for a skipped time, after the jump (03:30).
    Later,
}

/// What a local date-time means in a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum LocalResolution {
    Unique {
        #[ts(type = "string")]
        instant: DateTime<Utc>,
    },
    /// The clocks go back: the time happens twice.
    Ambiguous {
        #[ts(type = "string")]
        earlier: DateTime<Utc>,
        #[ts(type = "string")]
        later: DateTime<Utc>,
    },
    /// The clocks go forward: the time does not happen. `before`/`after` are the instants a
    /// [`DstChoice::Earlier`] / [`DstChoice::Later`] choice means.
    Nonexistent {
        #[ts(type = "string")]
        before: DateTime<Utc>,
        #[ts(type = "string")]
        after: DateTime<Utc>,
    },
}

impl LocalResolution {
    pub fn pick(&self, choice: Option<DstChoice>) -> Option<DateTime<Utc>> {
        match (*self, choice) {
            (Self::Unique { instant }, _) => Some(instant),
            (Self::Ambiguous { earlier, .. }, Some(DstChoice::Earlier)) => Some(earlier),
            (Self::Ambiguous { later, .. }, Some(DstChoice::Later)) => Some(later),
            (Self::Nonexistent { before, .. }, Some(DstChoice::Earlier)) => Some(before),
            (Self::Nonexistent { after, .. }, Some(DstChoice::Later)) => Some(after),
            _ => None,
        }
    }
}

/// Resolves a wall-clock time in a zone without shifting anything silently.
pub fn resolve_local(local: NaiveDateTime, zone: Tz) -> LocalResolution {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => LocalResolution::Unique {
            instant: t.with_timezone(&Utc),
        },
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            LocalResolution::Ambiguous {
                earlier: a.min(b),
                later: a.max(b),
            }
        }
        LocalResult::None => {
            // The offsets in force on either side of the gap (gaps are at most a day long).
            let off = |t: NaiveDateTime| -> Option<i64> {
                zone.from_local_datetime(&t)
                    .earliest()
                    .map(|d| i64::from(d.offset().fix().local_minus_utc()))
            };
            // Checked steps: a gap at the very edge of chrono's range must not panic (parse_local
            // keeps user input far from it, but this is public).
            let before_off = (1..=48)
                .filter_map(|h| local.checked_sub_signed(ChronoDuration::minutes(30 * h)))
                .find_map(off)
                .unwrap_or(0);
            let after_off = (1..=48)
                .filter_map(|h| local.checked_add_signed(ChronoDuration::minutes(30 * h)))
                .find_map(off)
                .unwrap_or(0);
            let as_utc = |offset_s: i64| {
                Utc.from_utc_datetime(
                    &local
                        .checked_sub_signed(ChronoDuration::seconds(offset_s))
                        .unwrap_or(local),
                )
            };
            // Read with the later offset the time lands before the jump, with the earlier
            // offset after it.
            let (x, y) = (as_utc(after_off), as_utc(before_off));
            LocalResolution::Nonexistent {
                before: x.min(y),
                after: x.max(y),
            }
        }
    }
}

pub fn parse_zone(zone: &str) -> CoreResult<Tz> {
    zone.trim().parse::<Tz>().map_err(|_| {
        CoreError::InvalidInput(format!(
            "\"{zone}\" is not a time zone Tokdeck knows. Use an IANA name such as Europe/London or America/New_York."
        ))
    })
}

/// The years the calendar and the scheduler accept. chrono reaches year 262142, but date
/// arithmetic near that edge overflows, and nothing a creator schedules lies outside these.
pub const FIRST_YEAR: i32 = 1970;
pub const LAST_YEAR: i32 = 9999;

pub(crate) fn check_year(year: i32, what: &str) -> CoreResult<()> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(CoreError::InvalidInput(format!(
            "{what} is outside the years Tokdeck handles ({FIRST_YEAR} to {LAST_YEAR})."
        )))
    }
}

/// Parses `YYYY-MM-DDTHH:MM` (a space instead of `T` and `:SS` are accepted), years
/// [`FIRST_YEAR`] to [`LAST_YEAR`].
pub fn parse_local(text: &str) -> CoreResult<NaiveDateTime> {
    let t = text.trim().replace(' ', "T");
    let local = NaiveDateTime::parse_from_str(&t, LOCAL_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(&t, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            CoreError::InvalidInput(format!(
                "\"{text}\" is not a date and time Tokdeck understands; use the form 2027-03-14T09:30."
            ))
        })?;
    check_year(local.year(), &format!("\"{text}\""))?;
    Ok(local)
}

/// The system's IANA zone, or UTC when it cannot be told.
pub fn system_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|z| z.parse::<Tz>().is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

pub(crate) fn local_text(instant_ms: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(instant_ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

pub(crate) fn fmt_instant_in(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%H:%M %Z (UTC%:z)")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_and_overlap() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let t = parse_local("2027-03-14T02:30").unwrap();
        match resolve_local(t, ny) {
            LocalResolution::Nonexistent { before, after } => {
                assert_eq!(before.to_rfc3339(), "2027-03-14T06:30:00+00:00");
                assert_eq!(after.to_rfc3339(), "2027-03-14T07:30:00+00:00");
            }
            other => panic!("{other:?}"),
        }
        let london: Tz = "Europe/London".parse().unwrap();
        let t = parse_local("2027-10-31T01:30").unwrap();
        match resolve_local(t, london) {
            LocalResolution::Ambiguous { earlier, later } => {
                assert_eq!(earlier.to_rfc3339(), "2027-10-31T00:30:00+00:00");
                assert_eq!(later.to_rfc3339(), "2027-10-31T01:30:00+00:00");
            }
            other => panic!("{other:?}"),
        }
    }
}
