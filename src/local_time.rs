//! Beijing time (UTC+8, no daylight saving) for everything an officer reads: clock times as
//! `HH:mm:ss`, the date only when it is not the reference day, the zone stated once per view
//! ([`ZONE_ZH`] / [`ZONE_EN`]), and durations as `1 小时 42 分` / `1 h 42 min`, never an
//! ambiguous `1:42`. The log, exports and JSON stay in UTC; this module formats, and parses the
//! Beijing times that arrive (CENC catalogues) and that CAP warnings we write carry. Pure:
//! never reads the wall clock (callers pass "now" or the report's own reference time) and imports
//! no egui, tokio or rusqlite.

use crate::time::{format_utc_ms, parse_utc_ms};

/// Offset of Beijing time from UTC, ms.
pub const OFFSET_MS: i64 = 8 * 3_600_000;

/// The zone, stated once per view (Chinese).
pub const ZONE_ZH: &str = "北京时间";

/// The zone, stated once per view (English).
pub const ZONE_EN: &str = "Beijing time (UTC+8)";

/// `YYYY-MM-DD HH:MM:SS` of the Beijing wall clock (from the UTC formatter, shifted by 8 h).
fn wall(epoch_ms: i64) -> String {
    let iso = format_utc_ms(epoch_ms.saturating_add(OFFSET_MS));
    // "YYYY-MM-DDTHH:MM:SS.mmmZ": date and clock are fixed-width slices.
    format!("{} {}", &iso[..10], &iso[11..19])
}

/// Beijing date `YYYY-MM-DD`.
pub fn date(epoch_ms: i64) -> String {
    wall(epoch_ms)[..10].to_string()
}

/// Beijing clock time `HH:mm:ss`.
pub fn clock(epoch_ms: i64) -> String {
    wall(epoch_ms)[11..].to_string()
}

/// Beijing date and time `YYYY-MM-DD HH:mm:ss`.
pub fn date_time(epoch_ms: i64) -> String {
    wall(epoch_ms)
}

/// True when both instants fall on the same Beijing calendar day.
pub fn same_day(a_ms: i64, b_ms: i64) -> bool {
    date(a_ms) == date(b_ms)
}

/// `HH:mm:ss` when `epoch_ms` is on the same Beijing day as `reference_ms` ("today" for a live
/// view, the period's start for a report), else `YYYY-MM-DD HH:mm:ss`.
pub fn time_of_day(epoch_ms: i64, reference_ms: i64) -> String {
    if same_day(epoch_ms, reference_ms) {
        clock(epoch_ms)
    } else {
        date_time(epoch_ms)
    }
}

/// [`time_of_day`] of a logged UTC ISO-8601 timestamp; the text itself when it does not parse
/// (an officer still sees what was logged).
pub fn from_utc_iso(ts_utc: &str, reference_ms: i64) -> String {
    match parse_utc_ms(ts_utc) {
        Some(ms) => time_of_day(ms, reference_ms),
        None => ts_utc.to_string(),
    }
}

/// Parse Beijing local time `YYYY-MM-DD HH:MM:SS` (or with `T`) into ms since the epoch (UTC),
/// as CENC catalogues write it.
pub fn parse_beijing_time(text: &str) -> Option<i64> {
    let t = text.trim();
    let (date, time) = t.split_once(' ').or_else(|| t.split_once('T'))?;
    Some(parse_utc_ms(&format!("{date}T{time}Z"))? - OFFSET_MS)
}

/// A CAP dateTime in Beijing time (`2026-07-15T14:00:00+08:00`), for the warnings we write.
pub fn cap_time_beijing(epoch_ms: i64) -> String {
    format!("{}+08:00", &format_utc_ms(epoch_ms.saturating_add(OFFSET_MS))[..19])
}

/// `YYYYMMDDHHMMSS` in Beijing time (the stamp of a GB/T 35965.1-form identifier).
pub fn beijing_stamp(epoch_ms: i64) -> String {
    wall(epoch_ms).chars().filter(char::is_ascii_digit).collect()
}

/// Whole seconds, rounded half up, never negative.
fn whole_secs(secs: f64) -> u64 {
    if secs.is_finite() && secs > 0.0 {
        secs.round() as u64
    } else {
        0
    }
}

/// A duration with unit words `[hour, minute, second]`: hours and minutes from an hour up (to
/// the minute), else minutes and seconds, else seconds.
fn duration(secs: f64, [h, m, s]: [&str; 3]) -> String {
    let total = whole_secs(secs);
    if total >= 3600 {
        let mins = (total + 30) / 60;
        return format!("{} {h} {} {m}", mins / 60, mins % 60);
    }
    match (total / 60, total % 60) {
        (0, sec) => format!("{sec} {s}"),
        (min, 0) => format!("{min} {m}"),
        (min, sec) => format!("{min} {m} {sec} {s}"),
    }
}

/// `1 小时 42 分` (an hour or more, to the minute), `12 分 30 秒`, `12 分`, `45 秒`.
pub fn duration_zh(secs: f64) -> String {
    duration(secs, ["小时", "分", "秒"])
}

/// `1 h 42 min` (an hour or more, to the minute), `12 min 30 s`, `12 min`, `45 s`.
pub fn duration_en(secs: f64) -> String {
    duration(secs, ["h", "min", "s"])
}

/// Both forms, `1 小时 42 分 / 1 h 42 min`, for bilingual text (CLI, report).
pub fn duration_bi(secs: f64) -> String {
    format!("{} / {}", duration_zh(secs), duration_en(secs))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cenc_and_cap_times_are_utc_plus_8() {
        assert_eq!(
            parse_beijing_time("2019-12-11 00:02:52").map(format_utc_ms).as_deref(),
            Some("2019-12-10T16:02:52.000Z")
        );
        let ms = parse_utc_ms("2026-07-15T06:00:00Z").unwrap();
        assert_eq!(cap_time_beijing(ms), "2026-07-15T14:00:00+08:00");
        assert_eq!(beijing_stamp(ms), "20260715140000");
    }

    /// 2026-11-30T02:49:03.916Z, the issue's example: 10:49:03 in Beijing.
    const CALL_MS: i64 = 1_796_006_943_916;

    #[test]
    fn the_issues_example_reads_as_beijing_time() {
        assert_eq!(format_utc_ms(CALL_MS), "2026-11-30T02:49:03.916Z");
        assert_eq!(clock(CALL_MS), "10:49:03");
        assert_eq!(date(CALL_MS), "2026-11-30");
        assert_eq!(from_utc_iso("2026-11-30T02:49:03.916Z", CALL_MS), "10:49:03");
    }

    #[test]
    fn the_date_changes_at_beijing_midnight_not_utc_midnight() {
        // 15:59:59Z is 23:59:59 Beijing; one second later it is the next Beijing day while UTC
        // is still on the same day.
        let before = parse_utc_ms("2026-11-30T15:59:59Z").unwrap();
        let after = before + 1000;
        assert_eq!(date_time(before), "2026-11-30 23:59:59");
        assert_eq!(date_time(after), "2026-12-01 00:00:00");
        assert!(!same_day(before, after));
        assert_eq!(time_of_day(after, before), "2026-12-01 00:00:00");
        assert_eq!(time_of_day(before, before - 3_600_000), "23:59:59");
        // 2026-11-29T16:30Z is 00:30 on 2026-11-30 in Beijing: the same Beijing day as 08:30.
        let utc_early = parse_utc_ms("2026-11-30T00:30:00Z").unwrap();
        let utc_late = parse_utc_ms("2026-11-29T16:30:00Z").unwrap();
        assert!(same_day(utc_early, utc_late), "both on 2026-11-30 in Beijing");
    }

    #[test]
    fn unparseable_text_is_shown_as_logged() {
        assert_eq!(from_utc_iso("yesterday", CALL_MS), "yesterday");
    }

    #[test]
    fn durations_are_never_clock_like() {
        let cases = [
            (0.0, "0 秒", "0 s"),
            (45.4, "45 秒", "45 s"),
            (60.0, "1 分", "1 min"),
            (750.0, "12 分 30 秒", "12 min 30 s"),
            (3599.4, "59 分 59 秒", "59 min 59 s"),
            (3600.0, "1 小时 0 分", "1 h 0 min"),
            (6120.0, "1 小时 42 分", "1 h 42 min"),
            (6149.0, "1 小时 42 分", "1 h 42 min"),
            (6150.0, "1 小时 43 分", "1 h 43 min"),
            (-5.0, "0 秒", "0 s"),
            (f64::NAN, "0 秒", "0 s"),
        ];
        for (s, zh, en) in cases {
            assert_eq!(duration_zh(s), zh, "{s}");
            assert_eq!(duration_en(s), en, "{s}");
            assert!(!duration_zh(s).contains(':') && !duration_en(s).contains(':'));
        }
        assert_eq!(duration_bi(6120.0), "1 小时 42 分 / 1 h 42 min");
    }
}
