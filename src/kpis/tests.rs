//! Unit tests of the figures on hand-built event logs (no pack, no store).
#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::{Caller, Event, EventKind, IncidentType, LonLat, Severity, UnitSpec, UnitType};

fn ev(seq: u64, ts: &str, kind: EventKind) -> Event {
    Event {
        seq,
        ts_utc: ts.into(),
        operator: "t".into(),
        seat: "s".into(),
        drill_id: None,
        kind,
    }
}

fn spec(callsign: &str, t: UnitType) -> UnitSpec {
    UnitSpec {
        external_id: callsign.into(),
        callsign: callsign.into(),
        name_zh: callsign.into(),
        name_en: callsign.into(),
        unit_type: t,
        extra_capabilities: Default::default(),
        crew: 1,
        home_station: None,
        demo: true,
        position_note: String::new(),
    }
}

#[test]
fn timer_states_at_the_boundaries() {
    assert_eq!(timer_state(0.0, 100.0, false), State::Ok);
    assert_eq!(timer_state(74.9, 100.0, false), State::Ok);
    assert_eq!(timer_state(75.0, 100.0, false), State::Amber);
    assert_eq!(timer_state(100.0, 100.0, false), State::Amber);
    assert_eq!(timer_state(100.1, 100.0, false), State::Red);
    // A stopped timer is either within its limit or missed it, never amber.
    assert_eq!(timer_state(90.0, 100.0, true), State::Ok);
    assert_eq!(timer_state(100.1, 100.0, true), State::Red);
}

#[test]
fn counts_skip_final_incidents_and_overdue_needs_a_passed_eta() {
    let p = LonLat::from_deg(100.8, 22.0).unwrap();
    let report = |id: u32, t: IncidentType, s: Severity| EventKind::IncidentReported {
        incident: IncidentId(id),
        incident_type: t,
        severity: s,
        lonlat: p,
        address: String::new(),
        reported_at_utc: "2026-05-01T08:00:00.000Z".into(),
        caller: Caller::default(),
        notes: String::new(),
    };
    let log = vec![
        ev(
            1,
            "2026-05-01T08:00:00.000Z",
            report(1, IncidentType::Flood, Severity::I),
        ),
        ev(
            2,
            "2026-05-01T08:00:00.000Z",
            report(2, IncidentType::Flood, Severity::I),
        ),
        ev(
            3,
            "2026-05-01T08:00:00.000Z",
            report(3, IncidentType::RoadTraffic, Severity::IV),
        ),
        ev(
            4,
            "2026-05-01T08:01:00.000Z",
            EventKind::IncidentCancelled {
                incident: IncidentId(2),
                reason: "dup".into(),
                duplicate_of: None,
            },
        ),
        ev(
            5,
            "2026-05-01T08:01:00.000Z",
            EventKind::UnitAdded {
                unit: UnitId(1),
                spec: spec("A", UnitType::Ambulance),
                lonlat: p,
                status: UnitStatus::Available,
            },
        ),
        ev(
            6,
            "2026-05-01T08:02:00.000Z",
            EventKind::IncidentVerified {
                incident: IncidentId(3),
                severity: None,
            },
        ),
        ev(
            7,
            "2026-05-01T08:02:00.000Z",
            EventKind::UnitDispatched {
                unit: UnitId(1),
                incident: IncidentId(3),
            },
        ),
        ev(
            8,
            "2026-05-01T08:03:00.000Z",
            EventKind::IncidentSensitivitySet {
                incident: IncidentId(3),
                sensitive: true,
            },
        ),
    ];
    let sit = Situation::from_events(&log).unwrap();
    // Setting the mark it already has is refused; clearing it is allowed.
    let again = |on| {
        ev(
            9,
            "2026-05-01T08:04:00.000Z",
            EventKind::IncidentSensitivitySet {
                incident: IncidentId(3),
                sensitive: on,
            },
        )
    };
    assert!(matches!(
        sit.check(&again(true)),
        Err(crate::model::ApplyError::SensitivityUnchanged { .. })
    ));
    assert!(sit.check(&again(false)).is_ok());
    let track = Track {
        unit: UnitId(1),
        incident: IncidentId(3),
        geometry_lonlat: vec![p.lonlat(), p.lonlat()],
        eta_s: 600.0,
        estimate: false,
    };
    let at = |min: i64| parse_utc_ms("2026-05-01T08:02:00.000Z").unwrap() + min * 60_000;
    let k = |now_ms| {
        compute(&KpiInput {
            situation: &sit,
            plans: None,
            now_ms,
            tracks: std::slice::from_ref(&track),
            coverage: None,
            options: KpiOptions::default(),
        })
    };
    let k10 = k(at(10));
    assert_eq!(k10.active_incidents, 2);
    assert_eq!(k10.grade_totals, [1, 0, 0, 1]);
    assert_eq!(k10.by_class_grade[0].by_grade, [1, 0, 0, 0]);
    assert_eq!(k10.by_class_grade[1].by_grade, [0, 0, 0, 1]);
    assert_eq!(k10.incidents.iter().map(|i| i.incident).collect::<Vec<_>>(), vec![1, 3]);
    assert!(k10.incidents[1].sensitive);
    assert!(k10.overdue_units.is_empty(), "exactly at the ETA is not overdue");
    let k11 = k(at(11));
    assert_eq!(k11.overdue_units.len(), 1);
    assert_eq!(k11.overdue_units[0].overdue_s, 60.0);
    // No plans: no timers, no reserve.
    assert!(k11.incidents.iter().all(|i| i.timers.is_empty()));
    assert!(k11.low_stock.is_empty());
    let dispatched = k11.units_by_status.iter().find(|s| s.status == "dispatched").unwrap();
    assert_eq!(dispatched.count, 1);
}
