//! Shapes of the identifiers TikTok hands out, so clients see realistic values.

use rand::Rng;
use std::time::{SystemTime, UNIX_EPOCH};

fn rand_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill(&mut buf[..]);
    hex::encode(buf)
}

/// `YYYYMMDDhhmmss` + 18 uppercase hex digits, like TikTok's `log_id`.
pub fn log_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let tail: u128 = rand::thread_rng().gen::<u128>() & ((1u128 << 72) - 1);
    format!("{}{:018X}", timestamp14(secs), tail)
}

fn timestamp14(epoch_secs: u64) -> String {
    let days = (epoch_secs / 86_400) as i64;
    let rem = epoch_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        y,
        m,
        d,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

// Howard Hinnant's days→civil algorithm; avoids a date crate for one format string.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn access_token() -> String {
    format!("act.{}", rand_hex(24))
}

pub fn refresh_token() -> String {
    format!("rft.{}", rand_hex(24))
}

/// Real codes contain `*` and `!`; including them catches clients that forget to URL-decode.
pub fn auth_code() -> String {
    format!("{}*!{}", rand_hex(12), rand_hex(12))
}

pub fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A UUID-shaped id that is always the same for `seed` (the demo creators' open_ids).
pub fn stable_uuid(seed: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(seed.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    // Version 8 ("custom") and the RFC variant, so it reads as a well-formed UUID.
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).to_string()
}

/// 19-digit numeric id (video ids, post ids): exceeds f64 precision on purpose.
pub fn id19() -> u64 {
    rand::thread_rng().gen_range(1_000_000_000_000_000_000u64..9_000_000_000_000_000_000u64)
}

pub fn upload_token() -> String {
    rand_hex(16)
}

pub fn publish_id(inbox: bool) -> String {
    if inbox {
        format!("v_inbox_file~v2.{}", id19())
    } else {
        format!("v_pub_file~v2-1.{}", id19())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_id_shape() {
        let id = log_id();
        assert_eq!(id.len(), 32);
        assert!(id[..14].bytes().all(|b| b.is_ascii_digit()));
        assert!(id[14..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    }

    #[test]
    fn stable_uuids_repeat_per_seed_only() {
        let a = stable_uuid("demo-open-id:maya.makes");
        assert_eq!(a, stable_uuid("demo-open-id:maya.makes"));
        assert_ne!(a, stable_uuid("demo-open-id:leo_travels"));
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().to_string(), a);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(timestamp14(0), "19700101000000");
        assert_eq!(timestamp14(1_795_455_912), "20261123174512");
    }
}
