//! UTC wall-clock timestamps as ISO-8601 text (`2025-06-01T08:30:00.123Z`) without a date crate.
//! Pure: owns only formatting and parsing; must not import egui, tokio or rusqlite.

use std::time::{SystemTime, UNIX_EPOCH};

/// Current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ` (1970 if the clock is before the epoch).
pub fn now_utc_iso() -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format_utc_ms(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Format milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn format_utc_ms(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let ms = epoch_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Parse `YYYY-MM-DDTHH:MM:SS[.mmm]Z` (UTC only) into milliseconds since the Unix epoch.
pub fn parse_utc_ms(text: &str) -> Option<i64> {
    let t = text.trim().strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let mut d = date.split('-');
    let (y, m, day) = (
        d.next()?.parse::<i64>().ok()?,
        d.next()?.parse::<i64>().ok()?,
        d.next()?.parse::<i64>().ok()?,
    );
    // Four-digit years only: the day arithmetic below cannot overflow, and a typo such as
    // year 99999999999999 is refused instead of wrapping.
    if d.next().is_some() || !(1000..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut h = hms.split(':');
    let (hh, mm, ss) = (
        h.next()?.parse::<i64>().ok()?,
        h.next()?.parse::<i64>().ok()?,
        h.next()?.parse::<i64>().ok()?,
    );
    if h.next().is_some() || hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 || ss < 0 {
        return None;
    }
    let ms = match frac {
        Some(f) if f.len() == 3 && f.bytes().all(|b| b.is_ascii_digit()) => f.parse::<i64>().ok()?,
        Some(_) => return None,
        None => 0,
    };
    let days = days_from_civil(y, m, day);
    if civil_from_days(days) != (y, m, day) {
        return None;
    }
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000) + ms)
}

/// (year, month, day) to days since 1970-01-01, proleptic Gregorian (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_utc_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_utc_ms(1_748_766_600_123), "2025-06-01T08:30:00.123Z");
    }

    #[test]
    fn parse_rejects_garbage() {
        for ms in [-86_400_000, 4_102_444_799_999] {
            assert_eq!(parse_utc_ms(&format_utc_ms(ms)), Some(ms), "{ms}");
        }
        for bad in [
            "",
            "2025-06-01",
            "2025-13-01T08:30:00Z",
            "2025-06-01T08:30:00",
            "2025-06-01T08:30:00.Z",
            "x025-06-01T08:30:00Z",
        ] {
            assert_eq!(parse_utc_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn parse_round_trips() {
        for ms in [0, 951_782_400_000, 1_748_766_600_123, 1_784_095_200_000] {
            assert_eq!(parse_utc_ms(&format_utc_ms(ms)), Some(ms));
        }
        assert_eq!(parse_utc_ms("2026-07-15T06:00:00Z"), Some(1_784_095_200_000));
        assert_eq!(parse_utc_ms("2026-02-30T06:00:00Z"), None);
        assert_eq!(parse_utc_ms("2026-07-15 06:00:00"), None);
        assert_eq!(parse_utc_ms("99999999999999-01-01T00:00:00Z"), None);
        assert_eq!(parse_utc_ms("10000-01-01T00:00:00Z"), None);
        assert_eq!(parse_utc_ms("9999-12-31T23:59:59.999Z"), Some(253_402_300_799_999));
    }
}
