//! Golden dispatch cases on a small hand-built road grid with a hand-made fleet: ranked lists and
//! ETAs checked against a plain Dijkstra written here; capability matching, no double use, ties,
//! committed units, shortfall messages, the cross-border rule, supplies and replay determinism.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;
use crate::model::*;
use crate::roads::graph::{Graph, GraphBuilder, deg_to_e7, e7_to_deg};
use crate::roads::profile::{Direction, RoadClass};
use crate::roads::router::{Router, RoutingSpec};

const N: usize = 5;
const LON0: f64 = 100.80;
const LAT0: f64 = 22.00;
const STEP: f64 = 0.01;

/// Grid node (col, row) position.
fn at(c: usize, r: usize) -> [f64; 2] {
    e7_to_deg(deg_to_e7([LON0 + STEP * c as f64, LAT0 + STEP * r as f64]))
}

/// 5×5 two-way grid; row 1 is a fast road (80 km/h), column 3 slow (20 km/h), the rest 40 km/h.
fn grid() -> Graph {
    let mut b = GraphBuilder::new();
    let mut id = [0u32; N * N];
    for r in 0..N {
        for c in 0..N {
            id[r * N + c] = b.add_node(deg_to_e7(at(c, r)), None);
        }
    }
    for r in 0..N {
        for c in 0..N {
            let p = deg_to_e7(at(c, r));
            if c + 1 < N {
                let speed = if r == 1 { 80.0 } else { 40.0 };
                let q = deg_to_e7(at(c + 1, r));
                b.add_piece(
                    id[r * N + c],
                    id[r * N + c + 1],
                    &[p, q],
                    RoadClass::Primary,
                    Direction::Both,
                    speed,
                );
            }
            if r + 1 < N {
                let speed = if c == 3 { 20.0 } else { 40.0 };
                let q = deg_to_e7(at(c, r + 1));
                b.add_piece(
                    id[r * N + c],
                    id[(r + 1) * N + c],
                    &[p, q],
                    RoadClass::Primary,
                    Direction::Both,
                    speed,
                );
            }
        }
    }
    b.build(7).unwrap()
}

/// Independent oracle: textbook Dijkstra (linear scan) over the graph's edges, ms.
fn oracle_ms(g: &Graph, from: [f64; 2], to: [f64; 2]) -> u64 {
    let node = |p: [f64; 2]| {
        (0..g.node_count() as u32)
            .find(|&v| deg_to_e7(g.node_lonlat(v)) == deg_to_e7(p))
            .unwrap()
    };
    let (s, t) = (node(from), node(to));
    let n = g.node_count();
    let mut dist = vec![u64::MAX; n];
    let mut done = vec![false; n];
    dist[s as usize] = 0;
    while let Some(v) = (0..n)
        .filter(|&v| !done[v] && dist[v] < u64::MAX)
        .min_by_key(|&v| dist[v])
    {
        done[v] = true;
        for e in g.out_edges(v as u32) {
            let h = g.edge_head(e) as usize;
            let d = dist[v] + u64::from(g.edge_time_ms(e));
            if d < dist[h] {
                dist[h] = d;
            }
        }
    }
    dist[t as usize]
}

const PLANS: &str = r#"
version = 1
[settings]
urban_radius_km = 5
border_radius_km = 20

[items]
tent = { zh = "帐篷", en = "Tent", unit = "顶" }
quilt = { zh = "棉被", en = "Quilt", unit = "床" }

[relief]
per_person = { tent = 0.25, quilt = 1 }

[[target]]
name = "road_rescue_on_scene"
zh = "道路救援到场"
en = "road rescue on scene"
limit_h = 1.5
all_units = true

[[target]]
name = "ambulance_radius"
urban_km = 5
rural_km = 20
unit_types = ["ambulance"]

[[target]]
name = "relief_to_affected"
limit_h = 10
supplies = true

[[plan]]
type = "building_fire"
grade = "III-IV"
require = [
  { unit_type = "fire_engine", count = 2 },
  { unit_type = "ambulance", count = 1 },
]

[[plan]]
type = "building_fire"
grade = "I-II"
require = [
  { capability = "fire_suppression", count = 2 },
  { unit_type = "fire_engine", count = 2 },
]

[[plan]]
type = "water_boat"
grade = "*"
require = [{ unit_type = "water_rescue_team", count = 2 }]

[[plan]]
type = "earthquake"
grade = "*"
require = [{ capability = "collapse_search_rescue", count = 1 }]

[[plan]]
type = "cross_border"
grade = "*"
require = [{ capability = "cross_border_coordination", count = 1 }]
"#;

fn plans() -> Plans {
    Plans::parse(Path::new("golden.toml"), PLANS).unwrap()
}

struct World {
    events: Vec<Event>,
    sit: Situation,
}

impl World {
    fn push(&mut self, kind: EventKind) {
        let ev = Event {
            seq: self.sit.last_seq + 1,
            ts_utc: "2025-06-01T00:00:00.000Z".into(),
            operator: "op".into(),
            seat: "s1".into(),
            drill_id: None,
            kind,
        };
        self.sit.apply(&ev).unwrap();
        self.events.push(ev);
    }

    fn unit(&mut self, id: u32, t: UnitType, p: [f64; 2]) {
        self.push(EventKind::UnitAdded {
            unit: UnitId(id),
            spec: UnitSpec {
                external_id: format!("u{id}"),
                callsign: format!("CS{id}"),
                name_zh: format!("单位{id}"),
                name_en: format!("Unit {id}"),
                unit_type: t,
                extra_capabilities: BTreeSet::new(),
                crew: 4,
                home_station: None,
                demo: false,
                position_note: String::new(),
            },
            lonlat: LonLat::from_deg(p[0], p[1]).unwrap(),
            status: UnitStatus::Available,
        });
    }

    fn incident(&mut self, id: u32, t: IncidentType, sev: Severity, p: [f64; 2]) {
        self.push(EventKind::IncidentReported {
            incident: IncidentId(id),
            incident_type: t,
            severity: sev,
            lonlat: LonLat::from_deg(p[0], p[1]).unwrap(),
            address: String::new(),
            reported_at_utc: "2025-06-01T00:00:00.000Z".into(),
            caller: Caller::default(),
            notes: String::new(),
        });
        self.push(EventKind::IncidentVerified {
            incident: IncidentId(id),
            severity: None,
        });
    }

    fn warehouse(&mut self, id: u32, p: [f64; 2], tents: u64, reserved: u64) {
        self.push(EventKind::WarehouseUpserted {
            warehouse: WarehouseId(id),
            spec: WarehouseSpec {
                external_id: format!("w{id}"),
                name_zh: format!("仓库{id}"),
                name_en: format!("Warehouse {id}"),
                kind: WarehouseKind::ReliefSupplies,
                lonlat: LonLat::from_deg(p[0], p[1]).unwrap(),
                county: String::new(),
                demo: false,
                position_note: String::new(),
            },
        });
        self.push(EventKind::StockLineSet {
            warehouse: WarehouseId(id),
            item_code: "tent".into(),
            name_zh: "帐篷".into(),
            name_en: "Tent".into(),
            unit: "顶".into(),
            quantity: tents,
            demo: false,
        });
        if reserved > 0 {
            self.push(EventKind::StockReserved {
                warehouse: WarehouseId(id),
                item_code: "tent".into(),
                quantity: reserved,
                incident: None,
            });
        }
    }
}

/// Incident 1 (building fire III) at the grid centre; a fleet around it; unit 8 (nearest fire
/// engine) committed to incident 2; units 1 and 10 share a position (exact tie).
fn world() -> World {
    let mut w = World {
        events: Vec::new(),
        sit: Situation::new(),
    };
    w.incident(1, IncidentType::BuildingFire, Severity::III, at(2, 2));
    w.incident(2, IncidentType::BuildingFire, Severity::IV, at(4, 0));
    w.unit(1, UnitType::FireEngine, at(0, 0));
    w.unit(2, UnitType::FireEngine, at(4, 4));
    w.unit(3, UnitType::FireEngine, at(2, 3));
    w.unit(4, UnitType::Ambulance, at(2, 0));
    w.unit(5, UnitType::Ambulance, at(0, 2));
    w.unit(6, UnitType::LadderTruck, at(2, 1));
    w.unit(7, UnitType::WaterRescueTeam, at(4, 0));
    w.unit(8, UnitType::FireEngine, at(2, 2));
    w.unit(9, UnitType::CrossBorderRescueTeam, at(3, 2));
    w.unit(10, UnitType::FireEngine, at(0, 0));
    w.push(EventKind::UnitDispatched {
        unit: UnitId(8),
        incident: IncidentId(2),
    });
    w
}

fn router() -> Router {
    Router::with_spec(grid(), RoutingSpec::default())
}

fn opts() -> RecommendOptions {
    RecommendOptions {
        geography: Geography {
            seats_lonlat: vec![at(2, 2)],
            border_lonlat: vec![vec![[99.0, 20.0], [101.0, 20.0]]],
        },
        ..RecommendOptions::default()
    }
}

fn ids(f: &RequirementFill) -> Vec<u32> {
    f.filled.iter().map(|s| s.unit.0).collect()
}

fn pos_of(sit: &Situation, u: UnitId) -> [f64; 2] {
    let l = sit.units[&u].lonlat;
    [l.lon_deg(), l.lat_deg()]
}

#[test]
fn golden_building_fire_matches_oracle() {
    let w = world();
    let g = grid();
    let mut r = router();
    let rec = recommend(&w.sit, &mut r, &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(rec.requirements.len(), 2);
    let engines = &rec.requirements[0];
    let inc = at(2, 2);
    // Expected: every available fire engine by oracle ETA, ties by id; the first two are chosen.
    let mut expected: Vec<(u64, u32)> = [1u32, 2, 3, 10]
        .iter()
        .map(|&u| (oracle_ms(&g, pos_of(&w.sit, UnitId(u)), inc), u))
        .collect();
    expected.sort();
    assert_eq!(ids(engines), expected[..2].iter().map(|e| e.1).collect::<Vec<_>>());
    assert_eq!(ids(engines)[0], 3, "unit 3 is one block away; unit 8 is committed");
    for (s, (ms, _)) in engines.filled.iter().zip(&expected) {
        assert!((s.eta_s - *ms as f64 / 1000.0).abs() < 0.01, "{} vs {ms}", s.eta_s);
        assert!(s.distance_m > 1000.0 && !s.estimate);
        assert!(s.route_lonlat.len() >= 3);
        assert_eq!(s.targets.len(), 1);
        assert!(s.targets[0].met && s.targets[0].limit_s == Some(5400.0));
        assert!(s.on_time);
    }
    assert_eq!(engines.shortfall, 0);
    assert_eq!(engines.message_en, "fire engine 2/2: all within 1.5 h");
    assert_eq!(engines.message_zh, "城市主战消防车 2/2：均可在 1.5 小时内到达");
    let amb = &rec.requirements[1];
    let a4 = oracle_ms(&g, at(2, 0), inc);
    let a5 = oracle_ms(&g, at(0, 2), inc);
    assert_eq!(ids(amb), vec![if a4 <= a5 { 4 } else { 5 }]);
    let names: Vec<&str> = amb.filled[0].targets.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["road_rescue_on_scene", "ambulance_radius"]);
    assert!(rec.urban, "seat at the scene");
    assert_eq!(amb.filled[0].targets[1].limit_m, Some(5000.0));
    assert!(!rec.unit_ids().contains(&UnitId(8)), "committed unit suggested");
    assert!(
        !rec.unit_ids().contains(&UnitId(9)),
        "cross-border team far from the border"
    );
    // Routing each chosen unit on its own gives the same ETA as the one ranking search.
    for s in engines.filled.iter().chain(&amb.filled) {
        let route = r.route_lonlat(pos_of(&w.sit, s.unit), inc).unwrap();
        assert!((route.eta_s - s.eta_s).abs() < 0.01);
        assert!((route.dist_m + route.offroad_dist_m - s.distance_m).abs() < 0.01);
    }
}

#[test]
fn ties_go_to_the_lower_unit_id() {
    // Units 1 and 10 sit on the same node; only one engine beyond unit 3 is wanted.
    let mut w = world();
    w.push(EventKind::UnitStatusChanged {
        unit: UnitId(2),
        to: UnitStatus::OutOfService,
    });
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    let engines = ids(&rec.requirements[0]);
    assert_eq!(engines, vec![3, 1]);
    // Remove unit 3: now both tied units are chosen, lower id first.
    w.push(EventKind::UnitDispatched {
        unit: UnitId(3),
        incident: IncidentId(2),
    });
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(ids(&rec.requirements[0]), vec![1, 10]);
    assert_eq!(rec.requirements[0].filled[0].eta_s, rec.requirements[0].filled[1].eta_s);
}

#[test]
fn capabilities_are_matched_and_no_unit_is_used_twice() {
    let mut w = world();
    w.incident(3, IncidentType::BuildingFire, Severity::I, at(2, 2));
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(3), &opts()).unwrap();
    let all = rec.unit_ids();
    let distinct: BTreeSet<_> = all.iter().collect();
    assert_eq!(all.len(), 4);
    assert_eq!(distinct.len(), 4, "a unit filled two requirements: {all:?}");
    // The ladder truck (fire suppression, not a fire engine) goes to the capability line.
    assert!(ids(&rec.requirements[0]).contains(&6));
    for s in &rec.requirements[0].filled {
        assert!(
            w.sit.units[&s.unit]
                .capabilities()
                .contains(&Capability::FireSuppression)
        );
    }
    for s in &rec.requirements[1].filled {
        assert_eq!(s.unit_type, UnitType::FireEngine);
    }
}

#[test]
fn shortfalls_are_stated_plainly() {
    let mut w = world();
    w.incident(3, IncidentType::WaterBoat, Severity::III, at(0, 4));
    let tight = PLANS.replace("limit_h = 1.5", "limit_min = 1");
    let p = Plans::parse(Path::new("t.toml"), &tight).unwrap();
    let rec = recommend(&w.sit, &mut router(), &p, IncidentId(3), &opts()).unwrap();
    let f = &rec.requirements[0];
    assert_eq!(ids(f), vec![7], "late units are still suggested");
    assert_eq!(f.shortfall, 1);
    assert!(!f.filled[0].on_time && !f.filled[0].targets[0].met);
    let eta_zh = fmt_duration_zh(f.filled[0].eta_s);
    let eta_en = fmt_duration_en(f.filled[0].eta_s);
    assert_eq!(
        f.message_zh,
        format!("无 1 分钟内可达的水上救援队；最近：CS7 {eta_zh}；水上救援队缺 1：无其他可用力量")
    );
    assert_eq!(
        f.message_en,
        format!(
            "no water-rescue team within 1 min; nearest: CS7 at {eta_en}; water-rescue team: 1 short, no other available unit"
        )
    );
    // Commit the only team: nothing at all.
    w.push(EventKind::UnitDispatched {
        unit: UnitId(7),
        incident: IncidentId(2),
    });
    let rec = recommend(&w.sit, &mut router(), &p, IncidentId(3), &opts()).unwrap();
    assert_eq!(rec.requirements[0].shortfall, 2);
    assert_eq!(
        rec.requirements[0].message_en,
        "no available water-rescue team at all (2 short)"
    );
    assert_eq!(rec.requirements[0].message_zh, "无可用的水上救援队（缺 2）");
    assert_eq!(fmt_duration_zh(7800.0), "2 小时 10 分");
    assert_eq!(fmt_duration_en(7800.0), "2 h 10 min");
}

#[test]
fn cross_border_team_only_near_the_border_or_for_cross_border_incidents() {
    let mut w = world();
    w.incident(3, IncidentType::Earthquake, Severity::II, at(3, 3));
    let far = recommend(&w.sit, &mut router(), &plans(), IncidentId(3), &opts()).unwrap();
    assert!(!far.cross_border_considered);
    assert_eq!(far.requirements[0].shortfall, 1, "{:?}", far.requirements[0]);
    assert!(far.border_distance_m.unwrap() > 200_000.0);
    // A border 10 km south of the scene.
    let mut near = opts();
    near.geography.border_lonlat = vec![vec![[100.0, LAT0 + 0.03 - 0.09], [101.5, LAT0 + 0.03 - 0.09]]];
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(3), &near).unwrap();
    assert!(rec.cross_border_considered);
    assert_eq!(ids(&rec.requirements[0]), vec![9]);
    // 25 km away: beyond the default 20 km.
    near.geography.border_lonlat = vec![vec![[100.0, LAT0 + 0.03 - 0.225], [101.5, LAT0 + 0.03 - 0.225]]];
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(3), &near).unwrap();
    assert_eq!(ids(&rec.requirements[0]), Vec::<u32>::new());
    // A cross-border incident anywhere.
    w.incident(4, IncidentType::CrossBorder, Severity::III, at(1, 1));
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(4), &opts()).unwrap();
    assert_eq!(ids(&rec.requirements[0]), vec![9]);
}

#[test]
fn supplies_split_across_warehouses_with_unmet_remainder() {
    let mut w = world();
    w.warehouse(1, at(2, 1), 40, 10); // 30 free, near
    w.warehouse(2, at(0, 4), 50, 0); // 50 free, farther
    w.warehouse(3, at(4, 4), 0, 0); // nothing
    let mut o = opts();
    o.supplies = Some(BTreeMap::from([("tent".to_string(), 100u64)]));
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &o).unwrap();
    assert_eq!(rec.supplies.len(), 1);
    let s = &rec.supplies[0];
    let got: Vec<(u32, u64)> = s.allocations.iter().map(|a| (a.warehouse.0, a.quantity)).collect();
    assert_eq!(got, vec![(1, 30), (2, 50)]);
    assert!(s.allocations[0].eta_s < s.allocations[1].eta_s);
    assert_eq!(s.unmet, 20);
    assert_eq!(s.message_en, "Tent: 20 顶 short (need 100, available 80)");
    assert!(s.allocations[0].targets[0].met && s.allocations[0].targets[0].name == "relief_to_affected");
    // Per affected person: 120 people → 30 tents (0.25 each) + 120 quilts (no stock at all).
    o.supplies = None;
    o.affected = Some(120);
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &o).unwrap();
    let by: BTreeMap<_, _> = rec.supplies.iter().map(|s| (s.item_code.as_str(), s)).collect();
    assert_eq!(by["tent"].needed, 30);
    assert_eq!(by["tent"].allocations.len(), 1);
    assert_eq!(by["tent"].unmet, 0);
    assert_eq!(by["quilt"].needed, 120);
    assert_eq!(by["quilt"].unmet, 120);
    assert!(by["quilt"].message_zh.starts_with("棉被缺 120"));
}

#[test]
fn replay_gives_the_same_recommendation_with_and_without_ch() {
    let w = world();
    let replayed = Situation::from_events(&w.events).unwrap();
    assert_eq!(replayed, w.sit);
    let a = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    let b = recommend(&replayed, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(a, b);
    let mut with_ch = router();
    with_ch.build_ch();
    let c = recommend(&replayed, &mut with_ch, &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(a, c);
}

#[test]
fn dispatch_checks_availability_and_stock() {
    let mut w = world();
    w.warehouse(1, at(2, 1), 40, 10);
    w.incident(3, IncidentType::BuildingFire, Severity::III, at(1, 1));
    let req = DispatchRequest {
        incident: IncidentId(1),
        units: vec![UnitId(3), UnitId(4)],
        reserve: vec![(WarehouseId(1), "tent".into(), 30)],
        reassign: false,
    };
    let evs = dispatch(&w.sit, &req).unwrap();
    assert_eq!(evs.len(), 3, "incident 1 is verified already: {evs:?}");
    for e in evs {
        w.push(e);
    }
    assert_eq!(w.sit.units[&UnitId(3)].status, UnitStatus::Dispatched);
    assert_eq!(w.sit.warehouses[&WarehouseId(1)].stock["tent"].free(), 0);
    // Same unit to another incident: refused, naming the unit and its incident.
    let again = DispatchRequest::units(IncidentId(3), vec![UnitId(3)]);
    let e = dispatch(&w.sit, &again).unwrap_err().to_string();
    assert_eq!(
        e,
        "unit#3 (CS3) is dispatched at incident#1; use `--reassign` to release it first"
    );
    let evs = dispatch(
        &w.sit,
        &DispatchRequest {
            reassign: true,
            ..again.clone()
        },
    )
    .unwrap();
    assert!(matches!(evs[0], EventKind::UnitReleased { unit: UnitId(3) }));
    for e in evs {
        w.push(e);
    }
    assert_eq!(w.sit.units[&UnitId(3)].assignment, Some(IncidentId(3)));
    // Stock never negative.
    let e = dispatch(
        &w.sit,
        &DispatchRequest {
            reserve: vec![(WarehouseId(1), "tent".into(), 1)],
            ..DispatchRequest::units(IncidentId(3), Vec::new())
        },
    )
    .unwrap_err();
    assert!(matches!(e, DispatchError::InsufficientStock { free: 0, .. }), "{e}");
    // A reported incident is verified by the dispatch.
    w.push(EventKind::IncidentReported {
        incident: IncidentId(4),
        incident_type: IncidentType::Flood,
        severity: Severity::IV,
        lonlat: LonLat::from_deg(100.8, 22.0).unwrap(),
        address: String::new(),
        reported_at_utc: "2025-06-01T00:00:00.000Z".into(),
        caller: Caller::default(),
        notes: String::new(),
    });
    let evs = dispatch(&w.sit, &DispatchRequest::units(IncidentId(4), vec![UnitId(5)])).unwrap();
    assert!(matches!(evs[0], EventKind::IncidentVerified { .. }));
    for e in evs {
        w.push(e);
    }
    assert_eq!(w.sit.incidents[&IncidentId(4)].status, IncidentStatus::Dispatched);
}

#[test]
fn after_a_partial_dispatch_only_the_rest_is_proposed() {
    let mut w = world();
    let g = grid();
    let inc = at(2, 2);
    // Fresh: two engines (3 nearest) and one ambulance.
    let full = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(full.requirements[0].filled.len(), 2);
    assert!(full.requirements.iter().all(|r| r.assigned.is_empty()));
    // Dispatch engine 3 only; it goes on scene.
    w.push(EventKind::UnitDispatched {
        unit: UnitId(3),
        incident: IncidentId(1),
    });
    w.push(EventKind::UnitStatusChanged {
        unit: UnitId(3),
        to: UnitStatus::EnRoute,
    });
    w.push(EventKind::UnitStatusChanged {
        unit: UnitId(3),
        to: UnitStatus::OnScene,
    });
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    let engines = &rec.requirements[0];
    let assigned: Vec<u32> = engines.assigned.iter().map(|a| a.unit.0).collect();
    assert_eq!(assigned, vec![3]);
    assert_eq!(engines.assigned[0].status, UnitStatus::OnScene);
    // Exactly one more engine: the nearest available one by the oracle, ties by id.
    let best = [1u32, 2, 10]
        .iter()
        .map(|&u| (oracle_ms(&g, pos_of(&w.sit, UnitId(u)), inc), u))
        .min()
        .unwrap();
    assert_eq!(ids(engines), vec![best.1]);
    assert_eq!(engines.shortfall, 0);
    assert_eq!(
        engines.message_zh,
        "城市主战消防车 2/2（已派 1，建议增派 1）：均可在 1.5 小时内到达"
    );
    assert_eq!(
        engines.message_en,
        "fire engine 2/2 (1 assigned, 1 to add): all within 1.5 h"
    );
    // The ambulance line is untouched by the engine on scene.
    assert_eq!(rec.requirements[1].filled.len(), 1);
    assert_eq!(rec.requirements[1].filled, full.requirements[1].filled);
    // Dispatch the rest as suggested: nothing more is proposed, and nothing is short.
    for u in rec.unit_ids() {
        w.push(EventKind::UnitDispatched {
            unit: u,
            incident: IncidentId(1),
        });
    }
    // A water-rescue team sent along counts toward no line of this plan.
    w.push(EventKind::UnitDispatched {
        unit: UnitId(7),
        incident: IncidentId(1),
    });
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    assert!(rec.unit_ids().is_empty(), "{:?}", rec.unit_ids());
    assert!(rec.requirements.iter().all(|r| r.shortfall == 0));
    assert_eq!(rec.requirements[0].message_zh, "城市主战消防车 2/2：已派足，无需增派");
    assert_eq!(
        rec.requirements[1].message_en,
        "ambulance 1/1: already assigned, none to add"
    );
    assert_eq!(rec.assigned_beyond_plan, vec![UnitId(7)]);
    // Releasing engine 3 (returning) reopens exactly one engine slot.
    w.push(EventKind::UnitReleased { unit: UnitId(3) });
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(1), &opts()).unwrap();
    assert_eq!(rec.requirements[0].assigned.len(), 1);
    assert_eq!(rec.requirements[0].filled.len(), 1);
    assert!(
        !rec.unit_ids().contains(&UnitId(3)),
        "a returning unit is not available"
    );
}

#[test]
fn an_assigned_unit_counts_where_it_is_hardest_to_replace() {
    // Plan I-II: 2 × fire suppression (any) + 2 × fire engine. A ladder truck (suppression, not
    // an engine) and one engine are already there: the engine must count as an engine.
    let mut w = world();
    w.incident(3, IncidentType::BuildingFire, Severity::I, at(2, 2));
    for u in [6, 3] {
        w.push(EventKind::UnitDispatched {
            unit: UnitId(u),
            incident: IncidentId(3),
        });
    }
    let rec = recommend(&w.sit, &mut router(), &plans(), IncidentId(3), &opts()).unwrap();
    let got = |i: usize| -> Vec<u32> { rec.requirements[i].assigned.iter().map(|a| a.unit.0).collect() };
    assert_eq!(got(0), vec![6], "the ladder truck fills a suppression slot");
    assert_eq!(got(1), vec![3], "the engine fills an engine slot");
    assert_eq!(rec.requirements[0].filled.len(), 1);
    assert_eq!(rec.requirements[1].filled.len(), 1);
    let all = rec.unit_ids();
    assert_eq!(all.len(), 2);
    assert!(!all.contains(&UnitId(3)) && !all.contains(&UnitId(6)));
    assert!(rec.assigned_beyond_plan.is_empty());
}
