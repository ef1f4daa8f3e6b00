//! Tests of the fold rules: lifecycles, dispatch, stock never negative, shelters, drills, replay.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use super::*;

fn ev(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        ts_utc: "2025-06-01T00:00:00.000Z".into(),
        operator: "op".into(),
        seat: "s1".into(),
        drill_id: None,
        kind,
    }
}

fn pos() -> LonLat {
    LonLat::from_deg(100.796653, 22.010211).unwrap()
}

/// Folds kinds in order, numbering seq from last_seq + 1; panics on the first error.
fn run(sit: &mut Situation, kinds: Vec<EventKind>) {
    for k in kinds {
        let e = ev(sit.last_seq + 1, k);
        fold(sit, &e).unwrap_or_else(|err| panic!("{e:?}: {err}"));
    }
}

/// Asserts that folding `kind` fails and leaves the situation exactly as it was.
fn refused(sit: &mut Situation, kind: EventKind) -> ApplyError {
    let before = sit.clone();
    let e = ev(sit.last_seq + 1, kind);
    assert!(sit.check(&e).is_err(), "check must refuse too");
    let err = fold(sit, &e).unwrap_err();
    assert_eq!(*sit, before, "a refused event must not change the situation");
    err
}

fn report(id: u32) -> EventKind {
    EventKind::IncidentReported {
        incident: IncidentId(id),
        incident_type: IncidentType::LandslideDebrisFlow,
        severity: Severity::III,
        lonlat: pos(),
        address: "勐海县某村".into(),
        reported_at_utc: "2025-06-01T00:00:00.000Z".into(),
        caller: Caller {
            name: "张三".into(),
            phone: "13800000000".into(),
        },
        notes: "道路被埋".into(),
    }
}

fn station() -> EventKind {
    EventKind::StationUpserted {
        station: StationId(1),
        spec: StationSpec {
            external_id: "st-1".into(),
            name_zh: "演示-站".into(),
            name_en: "Demo station".into(),
            kind: StationKind::FireStation,
            lonlat: pos(),
            county: "景洪市".into(),
            planned: false,
            demo: true,
            position_note: String::new(),
        },
    }
}

fn unit_spec(ext: &str) -> UnitSpec {
    UnitSpec {
        external_id: ext.into(),
        callsign: "JH-01".into(),
        name_zh: "演示-水罐车".into(),
        name_en: String::new(),
        unit_type: UnitType::WaterTanker,
        extra_capabilities: BTreeSet::from([Capability::Pumping]),
        crew: 5,
        home_station: Some(StationId(1)),
        demo: true,
        position_note: String::new(),
    }
}

fn add_unit(id: u32) -> EventKind {
    EventKind::UnitAdded {
        unit: UnitId(id),
        spec: unit_spec(&format!("u-{id}")),
        lonlat: pos(),
        status: UnitStatus::Available,
    }
}

fn base() -> Situation {
    let mut s = Situation::new();
    run(&mut s, vec![station(), add_unit(1), add_unit(2), report(1)]);
    s
}

#[test]
fn incident_lifecycle_is_enforced() {
    let mut s = base();
    let inc = IncidentId(1);
    assert_eq!(s.incidents[&inc].status, IncidentStatus::Reported);
    assert_eq!(s.incidents[&inc].notes.len(), 1);
    // Dispatch before verification is refused.
    let e = refused(
        &mut s,
        EventKind::UnitDispatched {
            unit: UnitId(1),
            incident: inc,
        },
    );
    assert!(matches!(e, ApplyError::IncidentNotDispatchable { .. }), "{e}");
    // Skipping states is refused.
    let e = refused(
        &mut s,
        EventKind::IncidentStatusChanged {
            incident: inc,
            to: IncidentStatus::Closed,
        },
    );
    assert_eq!(e.to_string(), "incident#1 cannot go from reported to closed");
    run(
        &mut s,
        vec![EventKind::IncidentVerified {
            incident: inc,
            severity: Some(Severity::II),
        }],
    );
    assert_eq!(s.incidents[&inc].severity, Severity::II);
    // Dispatching promotes verified → dispatched.
    run(
        &mut s,
        vec![EventKind::UnitDispatched {
            unit: UnitId(1),
            incident: inc,
        }],
    );
    assert_eq!(s.incidents[&inc].status, IncidentStatus::Dispatched);
    assert_eq!(s.units[&UnitId(1)].assignment, Some(inc));
    // Already dispatched unit cannot be dispatched again.
    let e = refused(
        &mut s,
        EventKind::UnitDispatched {
            unit: UnitId(1),
            incident: inc,
        },
    );
    assert!(matches!(e, ApplyError::UnitNotDispatchable { .. }), "{e}");
    run(
        &mut s,
        vec![
            EventKind::UnitStatusChanged {
                unit: UnitId(1),
                to: UnitStatus::EnRoute,
            },
            EventKind::UnitStatusChanged {
                unit: UnitId(1),
                to: UnitStatus::OnScene,
            },
            EventKind::IncidentStatusChanged {
                incident: inc,
                to: IncidentStatus::OnScene,
            },
        ],
    );
    // On scene cannot be cancelled any more.
    let e = refused(
        &mut s,
        EventKind::IncidentCancelled {
            incident: inc,
            reason: "误报".into(),
            duplicate_of: None,
        },
    );
    assert!(matches!(e, ApplyError::IncidentTransition { .. }));
    run(
        &mut s,
        vec![
            EventKind::IncidentStatusChanged {
                incident: inc,
                to: IncidentStatus::UnderControl,
            },
            EventKind::IncidentStatusChanged {
                incident: inc,
                to: IncidentStatus::Closed,
            },
        ],
    );
    // Closing released the committed unit.
    assert_eq!(s.units[&UnitId(1)].status, UnitStatus::Returning);
    assert_eq!(s.units[&UnitId(1)].assignment, None);
    let e = refused(
        &mut s,
        EventKind::IncidentStatusChanged {
            incident: inc,
            to: IncidentStatus::Cancelled,
        },
    );
    assert!(matches!(e, ApplyError::IncidentTransition { .. }));
    assert!(matches!(
        refused(
            &mut s,
            EventKind::IncidentNoteAdded {
                incident: IncidentId(9),
                note: "x".into()
            }
        ),
        ApplyError::UnknownIncident(_)
    ));
}

#[test]
fn cancel_needs_reason_and_is_final() {
    let mut s = base();
    let inc = IncidentId(1);
    refused(
        &mut s,
        EventKind::IncidentCancelled {
            incident: inc,
            reason: " ".into(),
            duplicate_of: None,
        },
    );
    run(
        &mut s,
        vec![EventKind::IncidentCancelled {
            incident: inc,
            reason: "重复报警".into(),
            duplicate_of: None,
        }],
    );
    assert_eq!(s.incidents[&inc].status, IncidentStatus::Cancelled);
    refused(
        &mut s,
        EventKind::IncidentVerified {
            incident: inc,
            severity: None,
        },
    );
    refused(&mut s, report(1));
}

#[test]
fn cancel_as_duplicate_links_both_incidents() {
    let mut s = base();
    run(&mut s, vec![report(2), report(3)]);
    let cancel = |incident: u32, original: u32| EventKind::IncidentCancelled {
        incident: IncidentId(incident),
        reason: "重复报警".into(),
        duplicate_of: Some(IncidentId(original)),
    };
    assert_eq!(
        refused(&mut s, cancel(2, 2)),
        ApplyError::DuplicateOfItself(IncidentId(2))
    );
    assert_eq!(
        refused(&mut s, cancel(2, 9)),
        ApplyError::UnknownIncident(IncidentId(9))
    );
    run(&mut s, vec![cancel(2, 1)]);
    assert_eq!(s.incidents[&IncidentId(2)].status, IncidentStatus::Cancelled);
    assert_eq!(s.incidents[&IncidentId(2)].duplicate_of, Some(IncidentId(1)));
    assert_eq!(s.incidents[&IncidentId(1)].duplicates, vec![IncidentId(2)]);
    assert_eq!(
        s.incidents[&IncidentId(1)].status,
        IncidentStatus::Reported,
        "the original lives on"
    );
    // The cancelled duplicate cannot be the original of another one.
    assert_eq!(
        refused(&mut s, cancel(3, 2)),
        ApplyError::DuplicateOfCancelled {
            incident: IncidentId(3),
            original: IncidentId(2)
        }
    );
    run(&mut s, vec![cancel(3, 1)]);
    assert_eq!(
        s.incidents[&IncidentId(1)].duplicates,
        vec![IncidentId(2), IncidentId(3)]
    );
    // An old log line without the field still reads, as a plain cancellation.
    let old: EventKind = serde_json::from_str(r#"{"type":"incident_cancelled","incident":1,"reason":"误报"}"#).unwrap();
    assert_eq!(
        old,
        EventKind::IncidentCancelled {
            incident: IncidentId(1),
            reason: "误报".into(),
            duplicate_of: None
        }
    );
    assert!(!serde_json::to_string(&old).unwrap().contains("duplicate_of"));
    // Replay gives the same links.
    let mut replayed = Situation::new();
    let mut seq = 0;
    for k in [
        station(),
        add_unit(1),
        add_unit(2),
        report(1),
        report(2),
        report(3),
        cancel(2, 1),
        cancel(3, 1),
    ] {
        seq += 1;
        fold(&mut replayed, &ev(seq, k)).unwrap();
    }
    assert_eq!(replayed, s);
}

#[test]
fn relocation_moves_the_incident_until_it_is_final() {
    let mut s = base();
    let inc = IncidentId(1);
    let to = LonLat::from_deg(100.43, 21.95).unwrap();
    let relocate = |address: &str| EventKind::IncidentRelocated {
        incident: inc,
        lonlat: to,
        address: address.into(),
    };
    run(&mut s, vec![relocate("")]);
    assert_eq!(s.incidents[&inc].lonlat, to);
    assert_eq!(
        s.incidents[&inc].address, "勐海县某村",
        "an empty address keeps the old one"
    );
    run(&mut s, vec![relocate("勐海县勐遮镇")]);
    assert_eq!(s.incidents[&inc].address, "勐海县勐遮镇");
    assert_eq!(s.incidents[&inc].relocations, 2);
    assert_eq!(s.incidents[&inc].updated_seq, s.last_seq);
    let unknown = EventKind::IncidentRelocated {
        incident: IncidentId(7),
        lonlat: to,
        address: String::new(),
    };
    assert_eq!(refused(&mut s, unknown), ApplyError::UnknownIncident(IncidentId(7)));
    run(
        &mut s,
        vec![EventKind::IncidentCancelled {
            incident: inc,
            reason: "误报".into(),
            duplicate_of: None,
        }],
    );
    assert!(matches!(
        refused(&mut s, relocate("x")),
        ApplyError::IncidentFinal {
            status: IncidentStatus::Cancelled,
            ..
        }
    ));
}

#[test]
fn unit_transitions_and_master_data_rules() {
    let mut s = base();
    let e = refused(
        &mut s,
        EventKind::UnitStatusChanged {
            unit: UnitId(2),
            to: UnitStatus::OnScene,
        },
    );
    assert_eq!(e.to_string(), "unit#2 cannot go from available to on_scene");
    refused(
        &mut s,
        EventKind::UnitStatusChanged {
            unit: UnitId(2),
            to: UnitStatus::Dispatched,
        },
    );
    refused(&mut s, EventKind::UnitReleased { unit: UnitId(2) });
    run(
        &mut s,
        vec![EventKind::UnitStatusChanged {
            unit: UnitId(2),
            to: UnitStatus::OutOfService,
        }],
    );
    let inc = IncidentId(1);
    run(
        &mut s,
        vec![EventKind::IncidentVerified {
            incident: inc,
            severity: None,
        }],
    );
    refused(
        &mut s,
        EventKind::UnitDispatched {
            unit: UnitId(2),
            incident: inc,
        },
    );
    // Duplicate id / external id, unknown home station, bad initial status.
    refused(&mut s, add_unit(1));
    let e = refused(
        &mut s,
        EventKind::UnitAdded {
            unit: UnitId(3),
            spec: unit_spec("u-1"),
            lonlat: pos(),
            status: UnitStatus::Available,
        },
    );
    assert!(matches!(e, ApplyError::DuplicateExternalId { .. }), "{e}");
    let mut spec = unit_spec("u-3");
    spec.home_station = Some(StationId(42));
    refused(
        &mut s,
        EventKind::UnitAdded {
            unit: UnitId(3),
            spec,
            lonlat: pos(),
            status: UnitStatus::Available,
        },
    );
    refused(
        &mut s,
        EventKind::UnitAdded {
            unit: UnitId(3),
            spec: unit_spec("u-3"),
            lonlat: pos(),
            status: UnitStatus::OnScene,
        },
    );
    assert!(s.units[&UnitId(1)].capabilities().contains(&Capability::Pumping));
    assert!(s.units[&UnitId(1)].capabilities().contains(&Capability::WaterSupply));
}

fn warehouse_with_tents(qty: u64) -> Situation {
    let mut s = base();
    run(
        &mut s,
        vec![
            EventKind::WarehouseUpserted {
                warehouse: WarehouseId(1),
                spec: WarehouseSpec {
                    external_id: "wh-1".into(),
                    name_zh: "演示-库".into(),
                    name_en: String::new(),
                    kind: WarehouseKind::ReliefSupplies,
                    lonlat: pos(),
                    county: "景洪市".into(),
                    demo: true,
                    position_note: String::new(),
                },
            },
            EventKind::StockReceived {
                warehouse: WarehouseId(1),
                item_code: "tent".into(),
                name_zh: "帐篷".into(),
                name_en: "Tent".into(),
                unit: "顶".into(),
                quantity: qty,
            },
        ],
    );
    s
}

fn issue(qty: u64, from_reserved: bool) -> EventKind {
    EventKind::StockIssued {
        warehouse: WarehouseId(1),
        item_code: "tent".into(),
        quantity: qty,
        from_reserved,
        incident: None,
    }
}

#[test]
fn stock_never_negative() {
    let mut s = warehouse_with_tents(10);
    let line = |s: &Situation| s.warehouses[&WarehouseId(1)].stock["tent"].clone();
    let e = refused(&mut s, issue(11, false));
    assert!(e.to_string().contains("stock can never be negative"), "{e}");
    refused(&mut s, issue(0, false));
    run(
        &mut s,
        vec![EventKind::StockReserved {
            warehouse: WarehouseId(1),
            item_code: "tent".into(),
            quantity: 6,
            incident: Some(IncidentId(1)),
        }],
    );
    // Only 4 are free now; reserved ones are protected.
    refused(&mut s, issue(5, false));
    refused(&mut s, issue(7, true));
    run(&mut s, vec![issue(4, false), issue(6, true)]);
    assert_eq!((line(&s).quantity, line(&s).reserved), (0, 0));
    refused(&mut s, issue(1, false));
    refused(
        &mut s,
        EventKind::StockReservationReleased {
            warehouse: WarehouseId(1),
            item_code: "tent".into(),
            quantity: 1,
        },
    );
    refused(
        &mut s,
        EventKind::StockReserved {
            warehouse: WarehouseId(1),
            item_code: "rope".into(),
            quantity: 1,
            incident: None,
        },
    );
    // A stock-take cannot go below the reserved quantity.
    run(
        &mut s,
        vec![
            EventKind::StockReceived {
                warehouse: WarehouseId(1),
                item_code: "tent".into(),
                name_zh: String::new(),
                name_en: String::new(),
                unit: String::new(),
                quantity: 5,
            },
            EventKind::StockReserved {
                warehouse: WarehouseId(1),
                item_code: "tent".into(),
                quantity: 3,
                incident: None,
            },
        ],
    );
    let set = |q| EventKind::StockLineSet {
        warehouse: WarehouseId(1),
        item_code: "tent".into(),
        name_zh: "帐篷".into(),
        name_en: "Tent".into(),
        unit: "顶".into(),
        quantity: q,
        demo: false,
    };
    refused(&mut s, set(2));
    run(&mut s, vec![set(3)]);
    assert_eq!((line(&s).quantity, line(&s).reserved, line(&s).free()), (3, 3, 0));
}

#[test]
fn shelter_capacity_and_closed() {
    let mut s = Situation::new();
    let spec = |open, capacity| ShelterSpec {
        external_id: "sh-1".into(),
        name_zh: "演示-避难所".into(),
        name_en: String::new(),
        lonlat: pos(),
        county: "景洪市".into(),
        capacity,
        open,
        demo: true,
        position_note: String::new(),
    };
    let sh = ShelterId(1);
    run(
        &mut s,
        vec![EventKind::ShelterUpserted {
            shelter: sh,
            spec: spec(true, 100),
        }],
    );
    refused(
        &mut s,
        EventKind::ShelterOccupancyChanged {
            shelter: sh,
            occupancy: 101,
        },
    );
    run(
        &mut s,
        vec![EventKind::ShelterOccupancyChanged {
            shelter: sh,
            occupancy: 80,
        }],
    );
    refused(
        &mut s,
        EventKind::ShelterUpserted {
            shelter: sh,
            spec: spec(true, 50),
        },
    );
    run(
        &mut s,
        vec![EventKind::ShelterUpserted {
            shelter: sh,
            spec: spec(false, 100),
        }],
    );
    assert_eq!(s.shelters[&sh].occupancy, 80, "upsert keeps occupancy");
    refused(
        &mut s,
        EventKind::ShelterOccupancyChanged {
            shelter: sh,
            occupancy: 81,
        },
    );
    run(
        &mut s,
        vec![EventKind::ShelterOccupancyChanged {
            shelter: sh,
            occupancy: 10,
        }],
    );
}

#[test]
fn drill_events_are_scoped() {
    let drill = "D1";
    let mut events = vec![ev(1, station()), ev(2, add_unit(1))];
    let mut e = ev(3, report(1));
    e.drill_id = Some(drill.into());
    // A drill event before the drill started is refused.
    assert!(Situation::new_drill(drill).check(&e).is_err());
    let real_before = Situation::from_events(&events).unwrap();
    events.push(ev(
        3,
        EventKind::DrillStarted {
            drill_id: drill.into(),
            name: "演练".into(),
        },
    ));
    let mut d4 = ev(4, report(1));
    d4.drill_id = Some(drill.into());
    events.push(d4);
    let mut d5 = ev(
        5,
        EventKind::IncidentVerified {
            incident: IncidentId(1),
            severity: None,
        },
    );
    d5.drill_id = Some(drill.into());
    events.push(d5);
    events.push(ev(6, EventKind::DrillEnded { drill_id: drill.into() }));
    let real = Situation::from_events(&events).unwrap();
    assert!(
        real.incidents.is_empty(),
        "drill incidents must not appear in the real situation"
    );
    assert_eq!(real.last_seq, 6);
    assert_eq!(real.units, real_before.units);
    let drilled = Situation::from_events_scoped(&events, Some(drill)).unwrap();
    assert_eq!(drilled.incidents[&IncidentId(1)].status, IncidentStatus::Verified);
    // After the drill ended, its events are refused.
    let mut late = ev(
        7,
        EventKind::IncidentNoteAdded {
            incident: IncidentId(1),
            note: "x".into(),
        },
    );
    late.drill_id = Some(drill.into());
    assert!(matches!(drilled.check(&late), Err(ApplyError::DrillNotActive(_))));
    // Drill bookkeeping cannot itself be a drill event.
    let mut bad = ev(
        7,
        EventKind::DrillStarted {
            drill_id: "D2".into(),
            name: String::new(),
        },
    );
    bad.drill_id = Some(drill.into());
    assert!(drilled.check(&bad).is_err());
}

#[test]
fn a_drill_does_not_inherit_real_incidents_or_commitments() {
    let drill = "D1";
    let verify = |id: u32| EventKind::IncidentVerified {
        incident: IncidentId(id),
        severity: None,
    };
    let dispatch = |unit: u32, incident: u32| EventKind::UnitDispatched {
        unit: UnitId(unit),
        incident: IncidentId(incident),
    };
    // Real: two incidents, unit 1 committed to real incident 1, unit 2 out of service.
    let mut kinds = vec![
        station(),
        add_unit(1),
        add_unit(2),
        add_unit(3),
        report(1),
        verify(1),
        report(2),
        dispatch(1, 1),
        EventKind::UnitStatusChanged {
            unit: UnitId(2),
            to: UnitStatus::OutOfService,
        },
        EventKind::DrillStarted {
            drill_id: drill.into(),
            name: "演练".into(),
        },
    ];
    let mut events: Vec<Event> = Vec::new();
    for k in kinds.drain(..) {
        events.push(ev(events.len() as u64 + 1, k));
    }
    let at_start = Situation::from_events_scoped(&events, Some(drill)).unwrap();
    assert!(at_start.incidents.is_empty(), "real incidents leaked into the drill");
    assert_eq!(
        at_start.next_incident_id(),
        IncidentId(1),
        "drill incidents start their own series"
    );
    assert_eq!(at_start.units[&UnitId(1)].status, UnitStatus::Available);
    assert_eq!(at_start.units[&UnitId(1)].assignment, None);
    assert_eq!(
        at_start.units[&UnitId(2)].status,
        UnitStatus::OutOfService,
        "not a commitment"
    );
    // The drill reports its own incident 1 and dispatches unit 1 to it; meanwhile the real side
    // goes on: unit 1 is on scene at real incident 1, real incident 3 arrives, unit 4 is added.
    let mut push = |kind: EventKind, in_drill: bool| {
        let mut e = ev(events.len() as u64 + 1, kind);
        if in_drill {
            e.drill_id = Some(drill.into());
        }
        events.push(e);
    };
    push(report(1), true);
    push(verify(1), true);
    push(dispatch(1, 1), true);
    push(
        EventKind::UnitStatusChanged {
            unit: UnitId(1),
            to: UnitStatus::EnRoute,
        },
        false,
    );
    push(report(3), false);
    push(add_unit(4), false);
    let drilled = Situation::from_events_scoped(&events, Some(drill)).unwrap();
    assert_eq!(
        drilled.incidents.keys().copied().collect::<Vec<_>>(),
        vec![IncidentId(1)]
    );
    assert_eq!(
        drilled.units[&UnitId(1)].status,
        UnitStatus::Dispatched,
        "the drill's own state"
    );
    assert!(
        drilled.units.contains_key(&UnitId(4)),
        "real master data still reaches the drill"
    );
    let real = Situation::from_events(&events).unwrap();
    assert_eq!(
        real.incidents.keys().copied().collect::<Vec<_>>(),
        vec![IncidentId(1), IncidentId(2), IncidentId(3)]
    );
    assert_eq!(real.units[&UnitId(1)].status, UnitStatus::EnRoute);
    assert_eq!(real.units[&UnitId(1)].assignment, Some(IncidentId(1)));
    assert_eq!(
        real.incidents[&IncidentId(1)].lonlat,
        drilled.incidents[&IncidentId(1)].lonlat
    );
    assert_eq!(
        real.incidents[&IncidentId(1)].reported_seq,
        5,
        "the real #1, not the drill's"
    );
    assert_eq!(drilled.incidents[&IncidentId(1)].reported_seq, 11);
}

#[test]
fn out_of_order_refused() {
    let mut s = base();
    let e = ev(
        s.last_seq,
        EventKind::IncidentNoteAdded {
            incident: IncidentId(1),
            note: "x".into(),
        },
    );
    assert!(matches!(fold(&mut s, &e), Err(ApplyError::OutOfOrder { .. })));
}

#[test]
fn synthetic_log_folds_and_serde_round_trips() {
    let events = synth::synthetic_events(20_000);
    let s = Situation::from_events(&events).unwrap();
    assert_eq!(s.last_seq, 20_000);
    assert_eq!(s.units.len(), synth::SYNTH_UNITS as usize);
    assert!(s.incidents.len() > 1000);
    let json = serde_json::to_string(&s).unwrap();
    let back: Situation = serde_json::from_str(&json).unwrap();
    assert_eq!(back, s);
    // Prefix folds are consistent with incremental folds.
    let half = Situation::from_events(&events[..10_000]).unwrap();
    let mut cont = half.clone();
    for e in &events[10_000..] {
        fold(&mut cont, e).unwrap();
    }
    assert_eq!(cont, s);
}

/// The fold's external-id index against a plain scan: stations upserted under external ids
/// drawn from a small pool (renames, collisions the fold refuses, re-upserts), then every pool
/// id looked up through the index and by scanning, also after a JSON round trip (no index).
#[test]
fn external_id_lookups_match_a_scan_through_renames_and_refusals() {
    use crate::model::{StationKind, StationSpec};
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let spec = |ext: String| StationSpec {
        external_id: ext,
        name_zh: "站".into(),
        name_en: String::new(),
        kind: StationKind::FireStation,
        lonlat: pos(),
        county: String::new(),
        planned: false,
        demo: false,
        position_note: String::new(),
    };
    let mut sit = Situation::new();
    let (mut applied, mut refused) = (0, 0);
    for seq in 1..=2_000u64 {
        let station = StationId(next(40) as u32 + 1);
        let kind = EventKind::StationUpserted {
            station,
            spec: spec(format!("st-{}", next(60))),
        };
        match sit.apply(&ev(seq, kind)) {
            Ok(()) => applied += 1,
            Err(ApplyError::DuplicateExternalId { .. }) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(applied > 100 && refused > 100, "{applied} applied, {refused} refused");
    let reloaded: Situation = serde_json::from_str(&serde_json::to_string(&sit).unwrap()).unwrap();
    for s in [&sit, &reloaded] {
        for i in 0..60 {
            let ext = format!("st-{i}");
            let scan = s.stations.values().find(|x| x.spec.external_id == ext).map(|x| x.id);
            assert_eq!(s.station_by_external_id(&ext).map(|x| x.id), scan, "{ext}");
        }
    }
    assert_eq!(sit, reloaded, "the index is not part of equality");
}

#[test]
fn a_rule_draft_is_decided_once_and_an_approval_names_a_real_incident() {
    use crate::model::alert::{DraftDecision, DraftRefusal};
    use crate::model::incident::IncidentDraft;
    let mut sit = Situation::new();
    let fired = |draft: bool| EventKind::AlertRuleFired {
        subject: "us7000syn1".into(),
        rule: "earthquake_m4_100km".into(),
        notice_zh: "地震".into(),
        notice_en: "earthquake".into(),
        draft: draft.then(|| IncidentDraft {
            incident_type: IncidentType::Earthquake,
            severity: Severity::II,
            lonlat: pos(),
            address: "景洪".into(),
            caller: Caller::default(),
            notes: String::new(),
        }),
    };
    run(&mut sit, vec![fired(true), fired(false), fired(true)]);
    assert_eq!(sit.alerts.pending_drafts().count(), 2);
    let dismiss = |seq: u64, reason: &str| EventKind::AlertDraftDecided {
        firing_seq: seq,
        decision: DraftDecision::Dismissed { reason: reason.into() },
    };
    // A notice without a draft, an unknown seq, an empty reason: refused, nothing changed.
    assert_eq!(
        refused(&mut sit, dismiss(2, "x")),
        ApplyError::Draft(DraftRefusal::Unknown(2))
    );
    assert_eq!(
        refused(&mut sit, dismiss(99, "x")),
        ApplyError::Draft(DraftRefusal::Unknown(99))
    );
    assert_eq!(
        refused(&mut sit, dismiss(1, "  ")),
        ApplyError::Draft(DraftRefusal::NoReason)
    );
    // Approval must name an incident of the log.
    let approve = |seq: u64, id: u32| EventKind::AlertDraftDecided {
        firing_seq: seq,
        decision: DraftDecision::Approved {
            incident: IncidentId(id),
        },
    };
    assert_eq!(
        refused(&mut sit, approve(1, 1)),
        ApplyError::UnknownIncident(IncidentId(1))
    );
    run(&mut sit, vec![report(1), approve(1, 1), dismiss(3, "已核实无灾情")]);
    assert_eq!(sit.alerts.pending_drafts().count(), 0);
    assert_eq!(
        sit.alerts.firings[0].decided,
        Some(DraftDecision::Approved {
            incident: IncidentId(1)
        })
    );
    // Decided once: a second decision of either kind is refused.
    assert_eq!(
        refused(&mut sit, dismiss(1, "x")),
        ApplyError::Draft(DraftRefusal::AlreadyDecided(1))
    );
    assert_eq!(
        refused(&mut sit, approve(3, 1)),
        ApplyError::Draft(DraftRefusal::AlreadyDecided(3))
    );
}
