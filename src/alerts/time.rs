//! Times of arriving documents: CAP dateTime with a UTC offset (`2003-06-17T14:57:00-07:00`)
//! and ms since the epoch, to UTC. Beijing time (CENC's `2019-12-12 10:08:23`, the CAP times and
//! identifier stamps we write) lives in `crate::local_time`, the one place for it. Pure; reuses
//! `crate::time` for the calendar arithmetic (no date crate).

use crate::time::{format_utc_ms, parse_utc_ms};

/// Parse a CAP / ISO-8601 dateTime with `Z` or a `±hh:mm` offset (optional fractional seconds)
/// into ms since the epoch (UTC).
pub fn parse_cap_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() < 19 || !t.is_char_boundary(19) {
        return None;
    }
    let (base, rest) = t.split_at(19);
    let (frac_ms, zone) = match rest.strip_prefix('.') {
        Some(r) => {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                return None;
            }
            let ms_text: String = digits.chars().chain("000".chars()).take(3).collect();
            (ms_text.parse::<i64>().ok()?, &r[digits.len()..])
        }
        None => (0, rest),
    };
    let offset_ms = match zone {
        "Z" | "z" => 0,
        z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && z.as_bytes()[3] == b':' => {
            let h: i64 = z.get(1..3)?.parse().ok()?;
            let m: i64 = z.get(4..6)?.parse().ok()?;
            if h > 14 || m > 59 {
                return None;
            }
            let v = (h * 60 + m) * 60_000;
            if z.starts_with('-') { -v } else { v }
        }
        _ => return None,
    };
    Some(parse_utc_ms(&format!("{base}Z"))? + frac_ms - offset_ms)
}

/// Format ms since the epoch as UTC ISO-8601 with milliseconds.
pub fn utc_iso(ms: i64) -> String {
    format_utc_ms(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_convert_to_utc() {
        // 14:57 at UTC-7 is 21:57 UTC.
        assert_eq!(
            parse_cap_time("2003-06-17T14:57:00-07:00").map(utc_iso).as_deref(),
            Some("2003-06-17T21:57:00.000Z")
        );
        assert_eq!(
            parse_cap_time("2013-01-24T21:26:00-00:00").map(utc_iso).as_deref(),
            Some("2013-01-24T21:26:00.000Z")
        );
        assert_eq!(
            parse_cap_time("2026-07-15T14:00:00+08:00").map(utc_iso).as_deref(),
            Some("2026-07-15T06:00:00.000Z")
        );
        assert_eq!(
            parse_cap_time("2026-07-15T06:00:00.5Z").map(utc_iso).as_deref(),
            Some("2026-07-15T06:00:00.500Z")
        );
        for bad in [
            "",
            "2026-07-15T06:00:00",
            "2026-07-15T06:00:00+8",
            "2026-07-15T06:00:00+25:00",
            "天天天天天天天",
        ] {
            assert_eq!(parse_cap_time(bad), None, "{bad}");
        }
    }
}
