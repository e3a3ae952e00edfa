//! The time zones the creator picked last, newest first, so the zone picker can offer them
//! before the 597 others. A small JSON document in the `settings` table (`recent_zones`).

use sqlx::SqlitePool;
use tokio::sync::Mutex;

use crate::db::settings::{read_json, write_json};
use crate::error::CoreResult;
use crate::posts::parse_zone;

const KEY: &str = "recent_zones";
/// Enough to hold the few zones a creator posts in; more would crowd the search results.
pub const KEEP: usize = 5;

/// Two pickers remembering at once must not lose each other's zone (read-modify-write).
static WRITE: Mutex<()> = Mutex::const_new(());

/// The remembered zones, newest first; names no longer known (a tz database update) are dropped.
pub async fn list(pool: &SqlitePool) -> CoreResult<Vec<String>> {
    let stored = read_json(pool, KEY).await?;
    let zones: Vec<String> = stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    Ok(zones
        .into_iter()
        .filter(|z| parse_zone(z).is_ok())
        .take(KEEP)
        .collect())
}

/// Puts `zone` first (once), keeps the newest [`KEEP`], and answers the new list. An unknown
/// zone is refused with the reason, so the picker never remembers a typo.
pub async fn remember(pool: &SqlitePool, zone: &str) -> CoreResult<Vec<String>> {
    let zone = parse_zone(zone)?.name().to_owned();
    let _guard = WRITE.lock().await;
    let mut zones = list(pool).await?;
    zones.retain(|z| *z != zone);
    zones.insert(0, zone);
    zones.truncate(KEEP);
    write_json(pool, KEY, &zones).await?;
    Ok(zones)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_newest_zone_comes_first_once_and_only_a_few_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::db::open::Store::open(dir.path()).await.unwrap();
        let pool = store.pool();
        assert!(list(pool).await.unwrap().is_empty());
        for z in [
            "Asia/Kolkata",
            "America/New_York",
            "Europe/Paris",
            "Asia/Tokyo",
            "UTC",
            "Australia/Sydney",
        ] {
            remember(pool, z).await.unwrap();
        }
        let again = remember(pool, "Asia/Tokyo").await.unwrap();
        assert_eq!(
            again,
            [
                "Asia/Tokyo",
                "Australia/Sydney",
                "UTC",
                "Europe/Paris",
                "America/New_York"
            ]
        );
        assert_eq!(list(pool).await.unwrap(), again, "kept across reads");
        let err = remember(pool, "Mars/Olympus").await.unwrap_err();
        assert!(err.to_string().contains("not a time zone"), "{err}");
        assert_eq!(list(pool).await.unwrap(), again, "a typo is not remembered");
        store.close().await;
    }
}
