//! Live tracking between reports: where a moving unit probably is (dead reckoning along its
//! route by the time elapsed since it set off) and the incident timers (since report, since
//! first dispatch, since first arrival). Everything here is derived from the folded situation
//! (its log times) plus a route; it never writes. Pure; must not import egui, tokio or rusqlite.

use crate::geom::haversine_m;
use crate::model::incident::Incident;
use crate::model::unit::{Unit, UnitStatus};
use crate::model::{IncidentId, UnitId};
use crate::time::parse_utc_ms;

/// The road route a committed unit was sent along.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Unit.
    pub unit: UnitId,
    /// Incident it was sent to.
    pub incident: IncidentId,
    /// Route geometry, lon/lat, from the unit's position to the incident.
    pub geometry_lonlat: Vec<[f64; 2]>,
    /// Travel time of the whole route, s.
    pub eta_s: f64,
    /// The route is an estimate (schematic network or long off-road legs).
    pub estimate: bool,
}

/// An estimated position of a moving unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EstimatedPosition {
    /// Where it probably is.
    pub lonlat: [f64; 2],
    /// Share of the route covered, 0..=1.
    pub progress: f64,
    /// Time still to go by the route's ETA, s (0 once the ETA has passed).
    pub remaining_s: f64,
    /// The ETA has passed but no arrival was reported.
    pub overdue: bool,
}

/// The point at `fraction` (0..=1) of a polyline's length; the ends for out-of-range values,
/// `None` for an empty line.
pub fn point_along(line: &[[f64; 2]], fraction: f64) -> Option<[f64; 2]> {
    let first = *line.first()?;
    let legs: Vec<f64> = line.windows(2).map(|w| haversine_m(w[0], w[1])).collect();
    let total: f64 = legs.iter().sum();
    if total.is_nan() || total <= 0.0 || !fraction.is_finite() {
        return Some(first);
    }
    let mut left = fraction.clamp(0.0, 1.0) * total;
    for (w, len) in line.windows(2).zip(&legs) {
        if left <= *len {
            let t = if *len > 0.0 { left / len } else { 0.0 };
            return Some([w[0][0] + (w[1][0] - w[0][0]) * t, w[0][1] + (w[1][1] - w[0][1]) * t]);
        }
        left -= len;
    }
    line.last().copied()
}

/// Where a unit probably is at `now_ms`, if it is moving towards the incident of `track`
/// (dispatched or en route to it) and has not reported a position since it set off. The
/// estimate starts at the log time of its current status: a dispatched unit is assumed to leave
/// at once, and marking it en route restarts the clock from its station.
pub fn estimate_position(unit: &Unit, track: &Track, now_ms: i64) -> Option<EstimatedPosition> {
    if !matches!(unit.status, UnitStatus::Dispatched | UnitStatus::EnRoute)
        || unit.assignment != Some(track.incident)
        || unit.id != track.unit
    {
        return None;
    }
    let start_ms = parse_utc_ms(&unit.status_since_utc)?;
    if parse_utc_ms(&unit.position_at_utc).is_some_and(|p| p >= start_ms) {
        return None; // a real report is newer than the estimate's start
    }
    let elapsed_s = ((now_ms - start_ms) as f64 / 1000.0).max(0.0);
    let progress = if track.eta_s > 0.0 {
        (elapsed_s / track.eta_s).min(1.0)
    } else {
        1.0
    };
    Some(EstimatedPosition {
        lonlat: point_along(&track.geometry_lonlat, progress)?,
        progress,
        remaining_s: (track.eta_s - elapsed_s).max(0.0),
        overdue: elapsed_s > track.eta_s,
    })
}

/// Seconds from a log time to `now_ms` (`None` when the time does not parse).
pub fn seconds_since(ts_utc: &str, now_ms: i64) -> Option<f64> {
    parse_utc_ms(ts_utc).map(|t| ((now_ms - t) as f64 / 1000.0).max(0.0))
}

/// The three incident timers, seconds; each `None` until its moment has happened. Once the
/// incident is closed the timers stop at the closing time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentTimers {
    /// Since the report.
    pub since_report_s: Option<f64>,
    /// Since the first dispatch.
    pub since_dispatch_s: Option<f64>,
    /// Since the first unit arrived.
    pub since_arrival_s: Option<f64>,
    /// Report to first dispatch, s.
    pub to_dispatch_s: Option<f64>,
    /// Report to first arrival, s.
    pub to_arrival_s: Option<f64>,
}

/// Timers of an incident at `now_ms`.
pub fn incident_timers(inc: &Incident, now_ms: i64) -> IncidentTimers {
    let end = inc
        .closed_at_utc
        .as_deref()
        .and_then(parse_utc_ms)
        .map_or(now_ms, |c| c.min(now_ms));
    let report = parse_utc_ms(&inc.reported_at_utc);
    let dispatch = inc.first_dispatch_utc.as_deref().and_then(parse_utc_ms);
    let arrival = inc.first_arrival_utc.as_deref().and_then(parse_utc_ms);
    let since = |t: Option<i64>| t.map(|t| ((end - t) as f64 / 1000.0).max(0.0));
    let between = |a: Option<i64>, b: Option<i64>| match (a, b) {
        (Some(a), Some(b)) => Some(((b - a) as f64 / 1000.0).max(0.0)),
        _ => None,
    };
    IncidentTimers {
        since_report_s: since(report),
        since_dispatch_s: since(dispatch),
        since_arrival_s: since(arrival),
        to_dispatch_s: between(report, dispatch),
        to_arrival_s: between(report, arrival),
    }
}

/// A timer as `m:ss` below an hour, `h:mm:ss` from there.
pub fn fmt_clock(seconds: f64) -> String {
    let s = if seconds.is_finite() {
        seconds.max(0.0) as u64
    } else {
        0
    };
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::event::{Event, EventKind};
    use crate::model::situation::{Situation, fold};
    use crate::time::format_utc_ms;

    #[test]
    fn point_along_walks_by_length() {
        // Two legs along the equator: 1° then 3°; 50% of the length is 1° into the second leg.
        let line = [[100.0, 0.0], [101.0, 0.0], [104.0, 0.0]];
        let p = point_along(&line, 0.5).unwrap();
        assert!((p[0] - 102.0).abs() < 1e-9 && p[1].abs() < 1e-12, "{p:?}");
        assert_eq!(point_along(&line, 0.0), Some([100.0, 0.0]));
        assert_eq!(point_along(&line, 1.0), Some([104.0, 0.0]));
        assert_eq!(point_along(&line, 7.0), Some([104.0, 0.0]));
        assert_eq!(point_along(&line, f64::NAN), Some([100.0, 0.0]));
        assert_eq!(point_along(&[], 0.5), None);
        assert_eq!(point_along(&[[1.0, 2.0]], 0.5), Some([1.0, 2.0]));
    }

    fn demo_situation() -> (Situation, UnitId, IncidentId) {
        let mut sit = Situation::default();
        let t0 = 1_748_766_600_000;
        // The synthetic log's set-up (station, warehouse, units) and its first incident report.
        let kinds = crate::model::synth::synthetic_kinds(400);
        let first_report = kinds
            .iter()
            .position(|k| matches!(k, EventKind::IncidentReported { .. }))
            .unwrap();
        for (i, kind) in kinds.into_iter().take(first_report + 1).enumerate() {
            let ev = Event {
                seq: i as u64 + 1,
                ts_utc: format_utc_ms(t0),
                operator: "t".into(),
                seat: "s".into(),
                drill_id: None,
                kind,
            };
            fold(&mut sit, &ev).unwrap();
        }
        let unit = *sit
            .units
            .values()
            .find(|u| u.status == UnitStatus::Available)
            .map(|u| &u.id)
            .unwrap();
        let incident = *sit.incidents.keys().next().unwrap();
        (sit, unit, incident)
    }

    fn apply(sit: &mut Situation, ms: i64, kind: EventKind) {
        let ev = Event {
            seq: sit.last_seq + 1,
            ts_utc: format_utc_ms(ms),
            operator: "op".into(),
            seat: "s".into(),
            drill_id: None,
            kind,
        };
        fold(sit, &ev).unwrap();
    }

    #[test]
    fn dead_reckoning_follows_the_log() {
        let (mut sit, unit, incident) = demo_situation();
        let t0 = 1_748_766_600_000;
        let track = Track {
            unit,
            incident,
            geometry_lonlat: vec![[100.0, 22.0], [100.1, 22.0]],
            eta_s: 600.0,
            estimate: false,
        };
        // Not moving yet: no estimate.
        assert_eq!(estimate_position(&sit.units[&unit], &track, t0), None);
        apply(
            &mut sit,
            t0 + 30_000,
            EventKind::IncidentVerified {
                incident,
                severity: None,
            },
        );
        apply(&mut sit, t0 + 60_000, EventKind::UnitDispatched { unit, incident });
        let inc = &sit.incidents[&incident];
        assert_eq!(inc.first_dispatch_utc.as_deref(), Some("2025-06-01T08:31:00.000Z"));
        // 5 min of a 10 min route after dispatch: half way.
        let e = estimate_position(&sit.units[&unit], &track, t0 + 360_000).unwrap();
        assert!((e.progress - 0.5).abs() < 1e-9 && (e.remaining_s - 300.0).abs() < 1e-9);
        assert!((e.lonlat[0] - 100.05).abs() < 1e-6);
        // En route 2 min after dispatch restarts the clock from the station.
        apply(
            &mut sit,
            t0 + 180_000,
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::EnRoute,
            },
        );
        let e = estimate_position(&sit.units[&unit], &track, t0 + 360_000).unwrap();
        assert!((e.progress - 0.3).abs() < 1e-9, "{e:?}");
        // Past the ETA: at the incident, overdue.
        let e = estimate_position(&sit.units[&unit], &track, t0 + 3_600_000).unwrap();
        assert!(e.overdue && e.progress == 1.0 && e.remaining_s == 0.0);
        // A position report after setting off replaces the estimate.
        let lonlat = crate::model::LonLat::from_deg(100.02, 22.0).unwrap();
        apply(&mut sit, t0 + 200_000, EventKind::UnitPositionReported { unit, lonlat });
        assert_eq!(estimate_position(&sit.units[&unit], &track, t0 + 360_000), None);
        // On scene: timers see the arrival; no estimate.
        apply(
            &mut sit,
            t0 + 900_000,
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::OnScene,
            },
        );
        assert_eq!(estimate_position(&sit.units[&unit], &track, t0 + 960_000), None);
        let timers = incident_timers(&sit.incidents[&incident], t0 + 960_000);
        let report = parse_utc_ms(&sit.incidents[&incident].reported_at_utc).unwrap();
        assert_eq!(timers.since_dispatch_s, Some(900.0));
        assert_eq!(timers.since_arrival_s, Some(60.0));
        assert_eq!(timers.since_report_s, Some((t0 + 960_000 - report) as f64 / 1000.0));
        assert_eq!(timers.to_arrival_s, Some((t0 + 900_000 - report) as f64 / 1000.0));
        // A track for another incident never applies.
        let other = Track {
            incident: IncidentId(incident.0 + 99),
            ..track
        };
        assert_eq!(estimate_position(&sit.units[&unit], &other, t0 + 360_000), None);
    }

    #[test]
    fn clock_format() {
        assert_eq!(fmt_clock(0.0), "0:00");
        assert_eq!(fmt_clock(754.9), "12:34");
        assert_eq!(fmt_clock(3600.0 + 62.0), "1:01:02");
        assert_eq!(fmt_clock(f64::NAN), "0:00");
        assert_eq!(fmt_clock(-5.0), "0:00");
    }
}
