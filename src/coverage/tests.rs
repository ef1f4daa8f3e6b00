//! Coverage checked against brute force (one independent lexicographic Dijkstra per demand
//! point) on seeded random graphs and on the Liechtenstein OSM sample; siting greedy checked
//! against exhaustive search; move-up and supplies on a small hand-made case.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::path::Path;

use super::*;
use crate::dispatch::plans::{Limit, Plans};
use crate::model::event::{Event, EventKind};
use crate::model::*;
use crate::roads::graph::{Graph, GraphBuilder, deg_to_e7};
use crate::roads::profile::{Direction, RoadClass};
use crate::roads::router::{Router, RoutingSpec};
use crate::roads::search::{Metric, NearestHit, SearchParams};
use crate::roads::snap::{Snap, scale};
use crate::roads::synth::SplitMix64;

const PLANS: &str = r#"
version = 1
[settings]
urban_radius_km = 5
[items]
tent = { zh = "帐篷", en = "Tent", unit = "顶" }
[[target]]
name = "road_rescue_on_scene"
limit_h = 1.5
all_units = true
[[target]]
name = "ambulance_radius"
urban_km = 5
rural_km = 20
unit_types = ["ambulance"]
"#;

fn plans() -> Plans {
    Plans::parse(Path::new("plans.toml"), PLANS).unwrap()
}

fn random_graph(seed: u64, n: usize, m: usize) -> Graph {
    let mut rng = SplitMix64::new(seed);
    let mut b = GraphBuilder::new();
    let mut pos = Vec::new();
    for i in 0..n {
        let p = [
            (100.7e7 + rng.next_f64() * 1.5e6) as i32,
            (22.0e7 + rng.next_f64() * 1.5e6) as i32,
        ];
        pos.push(p);
        b.add_node(p, Some(i as i64));
    }
    // A ring keeps most of it strongly connected; random chords (some one-way) make it a puzzle.
    for i in 0..n {
        let j = (i + 1) % n;
        b.add_piece(
            i as u32,
            j as u32,
            &[pos[i], pos[j]],
            RoadClass::Secondary,
            Direction::Both,
            40.0,
        );
    }
    for _ in 0..m {
        let u = rng.below(n as u64) as usize;
        let v = rng.below(n as u64) as usize;
        if u == v {
            continue;
        }
        let mut pts = vec![pos[u]];
        if rng.below(2) == 0 {
            pts.push([
                (pos[u][0] + pos[v][0]) / 2 + rng.below(3000) as i32,
                (pos[u][1] + pos[v][1]) / 2,
            ]);
        }
        pts.push(pos[v]);
        let dir = match rng.below(5) {
            0 => Direction::Forward,
            1 => Direction::Backward,
            _ => Direction::Both,
        };
        let speed = [15.0, 30.0, 50.0, 80.0][rng.below(4) as usize];
        b.add_piece(u as u32, v as u32, &pts, RoadClass::Residential, dir, speed);
    }
    b.build(seed).unwrap()
}

fn offroad_cm(p: &SearchParams, m: f64) -> u64 {
    (m.max(0.0) * p.offroad_detour.max(1.0) * 100.0).round() as u64
}

/// Brute force for ONE demand point: a textbook lexicographic Dijkstra backward from the
/// point over the graph's edges, then the best source over its ways of leaving its snap.
fn brute_force(g: &Graph, sources: &[Snap], at: &Snap, metric: Metric, p: &SearchParams) -> Option<(u64, u64)> {
    let n = g.node_count();
    let mut radj: Vec<Vec<(usize, u64, u64)>> = vec![Vec::new(); n];
    for v in 0..n as u32 {
        for e in g.out_edges(v) {
            let (t, d) = (u64::from(g.time_ms[e]), u64::from(g.dist_cm[e]));
            let w = g.edge_head(e) as usize;
            radj[w].push((v as usize, t, d));
        }
    }
    let order = |t: u64, d: u64| if metric == Metric::Time { (t, d) } else { (d, t) };
    let mut best = vec![(u64::MAX, u64::MAX); n];
    let mut heap = BinaryHeap::new();
    let at_t = at.arrive_costs(g, &g.time_ms);
    let at_d = at.arrive_costs(g, &g.dist_cm);
    for (a, b) in at_t.iter().zip(&at_d) {
        if let (Some((v, t)), Some((_, d))) = (a, b) {
            let k = order(u64::from(*t), u64::from(*d));
            if k < best[*v as usize] {
                best[*v as usize] = k;
                heap.push(Reverse((k, *v as usize)));
            }
        }
    }
    while let Some(Reverse((k, v))) = heap.pop() {
        if k > best[v] {
            continue;
        }
        for &(u, t, d) in &radj[v] {
            let (a, b) = order(t, d);
            let nk = (k.0 + a, k.1 + b);
            if nk < best[u] {
                best[u] = nk;
                heap.push(Reverse((nk, u)));
            }
        }
    }
    let mut out: Option<(u64, u64)> = None;
    let mut offer = |k: (u64, u64)| {
        if out.is_none_or(|o| k < o) {
            out = Some(k);
        }
    };
    for s in sources {
        let off = order(u64::from(p.offroad_ms(s.snap_dist_m)), offroad_cm(p, s.snap_dist_m));
        let lt = s.partial_costs(g, &g.time_ms);
        let ld = s.partial_costs(g, &g.dist_cm);
        for (a, b) in lt.iter().zip(&ld) {
            if let (Some((v, t)), Some((_, d))) = (a, b) {
                let bk = best[*v as usize];
                if bk.0 == u64::MAX {
                    continue;
                }
                let k = order(u64::from(*t), u64::from(*d));
                offer((k.0 + bk.0 + off.0, k.1 + bk.1 + off.1));
            }
        }
        // Directly along a shared piece.
        if s.piece == at.piece {
            let [fwd, bwd] = g.piece_edges(s.piece);
            let direct = |w: &[u32]| {
                if at.frac >= s.frac && fwd != u32::MAX {
                    Some(u64::from(scale(w[fwd as usize], at.frac - s.frac)))
                } else if at.frac <= s.frac && bwd != u32::MAX {
                    Some(u64::from(scale(w[bwd as usize], s.frac - at.frac)))
                } else {
                    None
                }
            };
            if let (Some(t), Some(d)) = (direct(&g.time_ms), direct(&g.dist_cm)) {
                let k = order(t, d);
                offer((k.0 + off.0, k.1 + off.1));
            }
        }
    }
    let off = order(u64::from(p.offroad_ms(at.snap_dist_m)), offroad_cm(p, at.snap_dist_m));
    out.map(|k| (k.0 + off.0, k.1 + off.1))
}

fn hit_key(h: &NearestHit, metric: Metric) -> (u64, u64) {
    if metric == Metric::Time {
        (h.time_ms, h.dist_cm)
    } else {
        (h.dist_cm, h.time_ms)
    }
}

fn random_points(rng: &mut SplitMix64, bb: [f64; 4], count: usize) -> Vec<[f64; 2]> {
    (0..count)
        .map(|_| {
            [
                bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                bb[1] + rng.next_f64() * (bb[3] - bb[1]),
            ]
        })
        .collect()
}

/// One multi-source search vs one brute-force search per demand point, both metrics.
fn check_against_brute_force(router: &mut Router, seed: u64, n_sources: usize, n_points: usize) -> usize {
    let g = router.graph.clone();
    let mut rng = SplitMix64::new(seed);
    let bb = g.bbox_lonlat();
    let sources: Vec<Snap> = random_points(&mut rng, bb, n_sources)
        .into_iter()
        .filter_map(|p| router.snap(p).ok())
        .collect();
    let points: Vec<Snap> = random_points(&mut rng, bb, n_points)
        .into_iter()
        .filter_map(|p| router.snap(p).ok())
        .collect();
    let mut checked = 0;
    for metric in [Metric::Time, Metric::Distance] {
        let ns = router.nearest_sources(&sources, metric, None).unwrap();
        for at in &points {
            let got = ns.at_snap(&g, at);
            let want = brute_force(&g, &sources, at, metric, &router.params);
            assert_eq!(
                got.map(|h| hit_key(&h, metric)),
                want,
                "seed {seed} metric {metric:?} point {:?}",
                at.query_lonlat
            );
            if let Some(h) = got {
                // The source named really achieves that cost on its own.
                let alone = brute_force(&g, &sources[h.source..=h.source], at, metric, &router.params);
                assert_eq!(alone, want, "source {} does not achieve the minimum", h.source);
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn nearest_sources_match_brute_force_on_random_graphs() {
    let mut total = 0;
    for seed in 1..=12 {
        let g = random_graph(seed, 60, 140);
        let mut router = Router::new(g);
        if seed % 3 == 0 {
            router.params.offroad_detour = 1.4;
            router.params.offroad_speed_kmh = 30.0;
        }
        total += check_against_brute_force(&mut router, seed * 7, 1 + (seed as usize % 5), 40);
    }
    assert!(total > 800, "{total}");
}

#[test]
fn nearest_sources_match_brute_force_on_liechtenstein() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/samples/liechtenstein/roads.graph");
    let mut router = Router::load(&path).unwrap();
    let n = check_against_brute_force(&mut router, 42, 8, 25);
    assert!(n >= 40, "{n}");
}

// ── the model end to end ──────────────────────────────────────────────────────────────────

fn event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        ts_utc: "2026-01-01T00:00:00.000Z".into(),
        operator: "t".into(),
        seat: "t".into(),
        drill_id: None,
        kind,
    }
}

fn unit_spec(i: usize, t: UnitType) -> UnitSpec {
    UnitSpec {
        external_id: format!("U{i}"),
        callsign: format!("U-{i}"),
        name_zh: format!("单位{i}"),
        name_en: format!("Unit {i}"),
        unit_type: t,
        extra_capabilities: Default::default(),
        crew: 2,
        home_station: None,
        demo: true,
        position_note: String::new(),
    }
}

fn station_spec(i: usize, kind: StationKind, lonlat: [f64; 2], planned: bool) -> StationSpec {
    StationSpec {
        external_id: format!("S{i}"),
        name_zh: format!("站{i}"),
        name_en: format!("Station {i}"),
        kind,
        lonlat: LonLat::from_deg(lonlat[0], lonlat[1]).unwrap(),
        county: "景洪市".into(),
        planned,
        demo: true,
        position_note: String::new(),
    }
}

/// Situation with units of the given types at the given positions (all available).
fn situation(units: &[(UnitType, [f64; 2])], stations: &[(StationKind, [f64; 2], bool)]) -> Situation {
    let mut ev = Vec::new();
    for (i, (t, p)) in units.iter().enumerate() {
        ev.push(event(
            ev.len() as u64 + 1,
            EventKind::UnitAdded {
                unit: UnitId(i as u32 + 1),
                spec: unit_spec(i, *t),
                lonlat: LonLat::from_deg(p[0], p[1]).unwrap(),
                status: UnitStatus::Available,
            },
        ));
    }
    for (i, (k, p, planned)) in stations.iter().enumerate() {
        ev.push(event(
            ev.len() as u64 + 1,
            EventKind::StationUpserted {
                station: StationId(i as u32 + 1),
                spec: station_spec(i, *k, *p, *planned),
            },
        ));
    }
    Situation::from_events(&ev).unwrap()
}

fn spec_over(g: &Graph) -> DemandSpec {
    DemandSpec {
        places: vec![demand::PlaceSpec {
            name: "centre".into(),
            lonlat: {
                let b = g.bbox_lonlat();
                [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
            },
            population: None,
        }],
        counties: Vec::new(),
        seats_lonlat: Vec::new(),
        bbox: g.bbox_lonlat(),
    }
}

#[test]
fn compute_matches_brute_force_per_point_and_thresholds() {
    let g = random_graph(99, 80, 200);
    let b = g.bbox_lonlat();
    let mut rng = SplitMix64::new(5);
    let pos = random_points(&mut rng, b, 6);
    let sit = situation(
        &[
            (UnitType::Ambulance, pos[0]),
            (UnitType::Ambulance, pos[1]),
            (UnitType::FireEngine, pos[2]),
            (UnitType::FireEngine, pos[3]),
            (UnitType::EngineeringCrew, pos[4]),
        ],
        &[],
    );
    let mut router = Router::new(g.clone());
    let opts = CoverageOptions {
        cell_km: 1.0,
        ..Default::default()
    };
    let report = compute(&sit, &mut router, &plans(), &spec_over(&g), &opts).unwrap();
    assert!(!report.schematic && report.points.len() > 50);
    assert_eq!(report.weighting, Weighting::Area);
    assert_eq!(report.places_weighting, Weighting::Count);
    let codes: Vec<&str> = report.types.iter().map(|t| t.force.code()).collect();
    assert_eq!(codes, ["ambulance", "fire_rescue", "engineering"]);
    for tc in &report.types {
        let metric = if tc.force == ForceType::Ambulance {
            Metric::Distance
        } else {
            Metric::Time
        };
        assert_eq!(tc.metric, metric);
        let sources: Vec<Snap> = sit
            .units
            .values()
            .filter(|u| tc.force.matches(u))
            .map(|u| router.snap(u.lonlat.lonlat()).unwrap())
            .collect();
        let mut covered_km2 = 0.0;
        for (p, pc) in report.points.iter().zip(&tc.points) {
            let at = router.snap(p.lonlat).unwrap();
            let want = brute_force(&g, &sources, &at, metric, &router.params);
            let got = pc.eta_s.zip(pc.dist_m).map(|(t, d)| {
                let (t, d) = ((t * 1000.0).round() as u64, (d * 100.0).round() as u64);
                if metric == Metric::Time { (t, d) } else { (d, t) }
            });
            assert_eq!(got, want, "{} at {:?}", tc.force, p.lonlat);
            let ok = pc
                .eta_s
                .zip(pc.dist_m)
                .is_some_and(|(t, d)| tc.thresholds.iter().all(|th| th.met(t, d, p.urban)));
            assert_eq!(pc.covered, ok);
            if pc.covered && !p.is_place() {
                covered_km2 += p.weight;
            }
        }
        assert!((covered_km2 - tc.covered_km2).abs() < 1e-9);
        assert!(
            tc.covered_share > 0.0 && tc.covered_share <= 1.0,
            "{}",
            tc.covered_share
        );
    }
    let amb = &report.types[0];
    let bands = amb.bands(&[300.0, 600.0]);
    for (b, p) in bands.iter().zip(&amb.points) {
        match (b, p.eta_s) {
            (Some(0), Some(t)) => assert!(t <= 300.0),
            (Some(1), Some(t)) => assert!(t > 300.0 && t <= 600.0),
            (Some(2), Some(t)) => assert!(t > 600.0),
            (None, None) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(amb.thresholds.len(), 1);
    assert!(matches!(amb.thresholds[0].limit, Limit::Distance { .. }));
    assert_eq!(report.types[2].thresholds[0].name, "road_rescue_on_scene");
}

#[test]
fn off_network_points_are_uncovered_with_a_reason() {
    let g = random_graph(3, 30, 60);
    let mut router = Router::with_spec(
        g.clone(),
        RoutingSpec {
            max_snap_km: 0.3,
            ..Default::default()
        },
    );
    let b = g.bbox_lonlat();
    let sit = situation(&[(UnitType::FireEngine, g.node_lonlat(0))], &[]);
    let mut spec = spec_over(&g);
    spec.places.push(demand::PlaceSpec {
        name: "far away".into(),
        lonlat: [b[2] + 0.5, b[3] + 0.5],
        population: None,
    });
    let report = compute(&sit, &mut router, &plans(), &spec, &CoverageOptions::default()).unwrap();
    let fire = &report.types[0];
    let i = report
        .points
        .iter()
        .position(|p| p.place_name() == Some("far away"))
        .unwrap();
    assert!(!fire.points[i].covered);
    assert!(fire.uncovered_places.contains(&i));
    match &fire.points[i].uncovered {
        Some(Uncovered::OffNetwork { detail }) => assert!(detail.contains("no road within"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_type_lists_the_valid_ones() {
    let e = ForceType::parse("fire_brigade").unwrap_err().to_string();
    assert!(e.contains("ambulance, fire_rescue, forest_fire"), "{e}");
    assert_eq!(ForceType::parse("fire").unwrap(), ForceType::FireRescue);
    assert_eq!(ForceType::parse("Water-Rescue").unwrap(), ForceType::WaterRescue);
}

// ── siting ────────────────────────────────────────────────────────────────────────────────

#[test]
fn greedy_siting_vs_exhaustive_on_random_instances() {
    let bound = 1.0 - 1.0 / std::f64::consts::E;
    let mut worst: f64 = 1.0;
    let mut sum = 0.0;
    let mut optimal = 0;
    let runs = 300;
    for seed in 0..runs {
        let mut rng = SplitMix64::new(1000 + seed);
        let n_points = 20 + rng.below(30) as usize;
        let n_cand = 5 + rng.below(8) as usize;
        let k = 1 + rng.below(4) as usize;
        let weights: Vec<f64> = (0..n_points).map(|_| 0.5 + rng.next_f64() * 4.0).collect();
        let covered: Vec<bool> = (0..n_points).map(|_| rng.below(5) == 0).collect();
        let sets: Vec<Vec<u32>> = (0..n_cand)
            .map(|_| {
                let size = 1 + rng.below(n_points as u64 / 2) as usize;
                let mut s: Vec<u32> = (0..size).map(|_| rng.below(n_points as u64) as u32).collect();
                s.sort_unstable();
                s.dedup();
                s
            })
            .collect();
        let (chosen, g, _) = greedy_max_cover(&sets, &weights, &covered, k);
        let (best, opt) = siting_exhaustive(&sets, &weights, &covered, k);
        assert!(chosen.len() <= k && best.len() <= k);
        assert!(g <= opt + 1e-9, "greedy beats the optimum? {g} > {opt}");
        let ratio = if opt > 0.0 { g / opt } else { 1.0 };
        assert!(ratio >= bound - 1e-12, "seed {seed}: greedy {g} < (1-1/e)·{opt}");
        worst = worst.min(ratio);
        sum += ratio;
        if (opt - g).abs() < 1e-9 {
            optimal += 1;
        }
    }
    println!(
        "siting greedy vs exhaustive over {runs} random instances: worst ratio {worst:.4}, mean {:.4}, optimal in {optimal}",
        sum / runs as f64
    );
    assert!(worst >= bound);
}

#[test]
fn lazy_greedy_equals_plain_greedy() {
    for seed in 0..100 {
        let mut rng = SplitMix64::new(seed);
        let n = 40;
        let weights: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
        let covered = vec![false; n];
        let sets: Vec<Vec<u32>> = (0..15)
            .map(|_| (0..8).map(|_| rng.below(n as u64) as u32).collect())
            .collect();
        let (lazy, lg, _) = greedy_max_cover(&sets, &weights, &covered, 4);
        // Plain greedy: re-evaluate everything each round.
        let mut cov = covered.clone();
        let mut plain = Vec::new();
        let mut pg = 0.0;
        for _ in 0..4 {
            let gains: Vec<f64> = sets
                .iter()
                .map(|s| {
                    let mut seen = std::collections::BTreeSet::new();
                    s.iter()
                        .filter(|&&p| !cov[p as usize] && seen.insert(p))
                        .map(|&p| weights[p as usize])
                        .sum()
                })
                .collect();
            let (c, g) = gains
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |b, (i, &g)| if g > b.1 { (i, g) } else { b });
            if g <= 0.0 {
                break;
            }
            for &p in &sets[c] {
                cov[p as usize] = true;
            }
            plain.push(c);
            pg += g;
        }
        assert!((lg - pg).abs() < 1e-9, "seed {seed}: {lazy:?} {lg} vs {plain:?} {pg}");
    }
}

#[test]
fn siting_on_a_graph_adds_coverage_where_there_is_none() {
    let g = random_graph(11, 80, 160);
    let mut router = Router::new(g.clone());
    let sit = situation(&[(UnitType::FireEngine, g.node_lonlat(0))], &[]);
    let mut th = BTreeMap::new();
    th.insert(
        ForceType::FireRescue,
        vec![Threshold {
            name: "fire_10min".into(),
            zh: String::new(),
            en: String::new(),
            limit: Limit::Time { limit_s: 600.0 },
        }],
    );
    let opts = CoverageOptions {
        cell_km: 1.0,
        thresholds: th,
        ..Default::default()
    };
    let model = CoverageModel::new(&spec_over(&g), &router, &plans(), &opts);
    let report = model
        .siting(
            &sit,
            &mut router,
            &SitingOptions {
                force: ForceType::FireRescue,
                k: 3,
                candidates: None,
                candidate_cell_km: 2.0,
            },
        )
        .unwrap();
    assert!(report.candidates > 3);
    assert_eq!(report.chosen.len(), 3);
    assert!(report.share_after > report.share_before);
    let gains: Vec<f64> = report.chosen.iter().map(|c| c.gain_km2).collect();
    assert!(
        gains.windows(2).all(|w| w[0] >= w[1] - 1e-9),
        "greedy gains never grow: {gains:?}"
    );
    assert!(report.evaluations <= report.candidates * 3);
}

// ── move-up and supplies ──────────────────────────────────────────────────────────────────

/// A straight east–west road of 9 nodes 0.05° apart (≈ 5.2 km) at 60 km/h.
fn line_graph() -> Graph {
    let mut b = GraphBuilder::new();
    let ids: Vec<u32> = (0..9)
        .map(|i| b.add_node(deg_to_e7([100.6 + 0.05 * i as f64, 22.0]), None))
        .collect();
    for w in ids.windows(2) {
        let p = [
            deg_to_e7([100.6 + 0.05 * w[0] as f64, 22.0]),
            deg_to_e7([100.6 + 0.05 * w[1] as f64, 22.0]),
        ];
        b.add_piece(w[0], w[1], &p, RoadClass::Primary, Direction::Both, 60.0);
    }
    b.build(1).unwrap()
}

#[test]
fn move_up_restores_coverage_after_a_dispatch() {
    let g = line_graph();
    let mut router = Router::new(g.clone());
    let x = |i: f64| [100.6 + 0.05 * i, 22.0];
    // Two ambulances at the west end, none in the east; an ambulance base in the east.
    let sit = situation(
        &[
            (UnitType::Ambulance, x(0.0)),
            (UnitType::Ambulance, x(1.0)),
            (UnitType::Ambulance, x(7.0)),
        ],
        &[
            (StationKind::AmbulanceBase, x(6.0), false),
            (StationKind::AmbulanceBase, x(8.0), true),
            (StationKind::FireStation, x(4.0), false),
        ],
    );
    let mut th = BTreeMap::new();
    th.insert(
        ForceType::Ambulance,
        vec![Threshold {
            name: "radius".into(),
            zh: String::new(),
            en: String::new(),
            limit: Limit::Distance {
                urban_m: 6_000.0,
                rural_m: 6_000.0,
            },
        }],
    );
    let opts = CoverageOptions {
        cell_km: 1.0,
        thresholds: th,
        ..Default::default()
    };
    let mut spec = spec_over(&g);
    spec.bbox = [100.59, 21.995, 101.01, 22.005];
    let model = CoverageModel::new(&spec, &router, &plans(), &opts);
    let m = model.what_if_dispatched(&sit, &mut router, UnitId(3)).unwrap();
    assert!(m.after_share < m.before_share, "{m:?}");
    let best = m.best.expect("a move-up helps");
    assert_eq!(
        best.station,
        StationId(1),
        "the built base in the east, not the planned one or the fire station"
    );
    assert!(best.unit == UnitId(1) || best.unit == UnitId(2));
    assert!(best.share > m.after_share);
    // The what-if agrees with a full recomputation without the unit.
    let mut sit2 = sit.clone();
    sit2.units.get_mut(&UnitId(3)).unwrap().status = UnitStatus::Dispatched;
    let again = model.compute_type(&sit2, &mut router, ForceType::Ambulance).unwrap();
    assert!((again.covered_share - m.after_share).abs() < 1e-12);
}

/// The oracle of the move-up: every (unit Y, station Z) combination recomputed point by point
/// as the minimum (by the metric, lexicographically) over the remaining units and Z.
fn move_up_brute_force(
    model: &CoverageModel,
    sit: &Situation,
    router: &mut Router,
    unit: UnitId,
    force: ForceType,
) -> (f64, f64, Vec<(UnitId, StationId, f64)>) {
    let thresholds = model.thresholds(force).unwrap().to_vec();
    let metric = compute::metric_for(&thresholds);
    let limit = compute::search_limit(&thresholds, metric);
    let (ids, snaps, _) = model.bases(sit, router, force, None);
    let unit_hits = model.per_source(router, &snaps, metric, limit).unwrap();
    let stations: Vec<(StationId, Snap)> = sit
        .stations
        .values()
        .filter(|s| !s.spec.planned && force.station_kinds().contains(&s.spec.kind))
        .map(|s| (s.id, router.snap(s.spec.lonlat.lonlat()).unwrap()))
        .collect();
    let station_snaps: Vec<Snap> = stations.iter().map(|s| s.1).collect();
    let station_hits = model.per_source(router, &station_snaps, metric, limit).unwrap();
    let n = model.points.len();
    let min_of = |sets: Vec<&Vec<Option<NearestHit>>>| -> Vec<Option<NearestHit>> {
        (0..n)
            .map(|i| sets.iter().filter_map(|h| h[i]).min_by_key(|h| compute::key(metric, h)))
            .collect()
    };
    let x = ids.iter().position(|&i| i == unit).unwrap();
    let before = model.share(&min_of(unit_hits.iter().collect()), &thresholds);
    let rest = |skip: &[usize]| -> Vec<&Vec<Option<NearestHit>>> {
        unit_hits
            .iter()
            .enumerate()
            .filter(|(j, _)| !skip.contains(j))
            .map(|(_, h)| h)
            .collect()
    };
    let after = model.share(&min_of(rest(&[x])), &thresholds);
    let mut all = Vec::new();
    for (j, &y) in ids.iter().enumerate() {
        if j == x {
            continue;
        }
        for (k, (sid, _)) in stations.iter().enumerate() {
            let mut sets = rest(&[x, j]);
            sets.push(&station_hits[k]);
            all.push((y, *sid, model.share(&min_of(sets), &thresholds)));
        }
    }
    (before, after, all)
}

/// The pruned searches of the move-up against unpruned ones: per demand point the best two
/// units (other than X) have exactly the same costs, and a station's hit is exact wherever it
/// beats the second of them.
fn check_pruned_searches(model: &CoverageModel, sit: &Situation, router: &mut Router, unit: UnitId, force: ForceType) {
    let thresholds = model.thresholds(force).unwrap().to_vec();
    let metric = compute::metric_for(&thresholds);
    let limit = compute::search_limit(&thresholds, metric);
    let (ids, snaps, _) = model.bases(sit, router, force, None);
    let x = ids.iter().position(|&i| i == unit);
    let full = model.per_source(router, &snaps, metric, limit).unwrap();
    let want = model.best_two(metric, &full, x);
    let others: Vec<Snap> = snaps
        .iter()
        .enumerate()
        .filter(|(j, _)| Some(*j) != x)
        .map(|(_, s)| *s)
        .collect();
    let (pruned, node_best) = model.pruned_per_source(router, &others, metric, limit, None).unwrap();
    let got = model.best_two(metric, &pruned, None);
    let keys = |b: &compute::BestTwo| b.0.map(|s| s.map(|(h, _)| compute::key(metric, &h)));
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(keys(w), keys(g), "point {i}: best two units without {unit:?}");
    }
    let stations: Vec<Snap> = sit
        .stations
        .values()
        .map(|s| router.snap(s.spec.lonlat.lonlat()).unwrap())
        .collect();
    let full_st = model.per_source(router, &stations, metric, limit).unwrap();
    let (pruned_st, _) = model
        .pruned_per_source(router, &stations, metric, limit, Some(&node_best))
        .unwrap();
    let mut exact_needed = 0;
    for (k, (f, p)) in full_st.iter().zip(&pruned_st).enumerate() {
        for (i, (fh, ph)) in f.iter().zip(p).enumerate() {
            let second = want[i].0[1].map(|(h, _)| compute::key(metric, &h));
            if let Some(fh) = fh
                && second.is_none_or(|s| compute::key(metric, fh) < s)
            {
                exact_needed += 1;
                assert_eq!(
                    ph.map(|h| compute::key(metric, &h)),
                    Some(compute::key(metric, fh)),
                    "station {k} point {i}"
                );
            }
        }
    }
    assert!(exact_needed > 0);
}

/// The move-up's best-two shortcut gives the same shares as recomputing every combination, on
/// random graphs with one-way chords, by time and by road distance, with stations that help,
/// hurt nothing or lie off in a corner.
#[test]
fn move_up_matches_the_brute_force_combination() {
    let mut checked_moves = 0;
    for seed in 0..6u64 {
        let g = random_graph(300 + seed, 70, 160);
        let bb = g.bbox_lonlat();
        let mut rng = SplitMix64::new(seed);
        let pos = random_points(&mut rng, bb, 14);
        let (force, unit_type, kind, limit) = if seed % 2 == 0 {
            (
                ForceType::Ambulance,
                UnitType::Ambulance,
                StationKind::AmbulanceBase,
                Limit::Distance {
                    urban_m: 9_000.0,
                    rural_m: 14_000.0,
                },
            )
        } else {
            (
                ForceType::FireRescue,
                UnitType::FireEngine,
                StationKind::FireStation,
                Limit::Time { limit_s: 600.0 },
            )
        };
        let units: Vec<(UnitType, [f64; 2])> = pos[..6].iter().map(|&p| (unit_type, p)).collect();
        let stations: Vec<(StationKind, [f64; 2], bool)> = pos[6..].iter().map(|&p| (kind, p, false)).collect();
        let sit = situation(&units, &stations);
        let mut th = BTreeMap::new();
        th.insert(
            force,
            vec![Threshold {
                name: "t".into(),
                zh: String::new(),
                en: String::new(),
                limit,
            }],
        );
        let opts = CoverageOptions {
            cell_km: 0.8,
            thresholds: th,
            ..Default::default()
        };
        let mut router = Router::new(g.clone());
        let model = CoverageModel::new(&spec_over(&g), &router, &plans(), &opts);
        // Each case twice: with Dijkstra searches, then with the time hierarchy installed (used
        // for time thresholds; the brute force below always searches with Dijkstra).
        for (x, with_ch) in (1..=6u32).flat_map(|x| [(x, false), (x, true)]) {
            if with_ch && !router.has_ch() {
                router.build_ch();
            } else if !with_ch {
                router.clear_ch();
            }
            check_pruned_searches(&model, &sit, &mut router, UnitId(x), force);
            let got = model.what_if_dispatched(&sit, &mut router, UnitId(x)).unwrap();
            assert_eq!(router.has_ch(), with_ch);
            let (before, after, all) = move_up_brute_force(&model, &sit, &mut router, UnitId(x), force);
            assert!((got.before_share - before).abs() < 1e-12, "seed {seed} x {x}");
            assert!((got.after_share - after).abs() < 1e-12, "seed {seed} x {x}");
            let max = all.iter().map(|a| a.2).fold(f64::MIN, f64::max);
            match &got.best {
                Some(b) => {
                    assert!((b.share - max).abs() < 1e-9, "seed {seed} x {x}: {b:?} vs {max}");
                    let same = all.iter().find(|a| a.0 == b.unit && a.1 == b.station).unwrap();
                    assert!((same.2 - b.share).abs() < 1e-9, "seed {seed} x {x}");
                    checked_moves += 1;
                }
                None => assert!(max <= after + 1e-9, "seed {seed} x {x}: a move to {max} was missed"),
            }
        }
    }
    assert!(
        checked_moves >= 6,
        "the random cases must include helpful moves: {checked_moves}"
    );
}

#[test]
fn nearest_supplies_by_road_with_county_totals() {
    let g = line_graph();
    let mut router = Router::new(g);
    let x = |i: f64| [100.6 + 0.05 * i, 22.0];
    let mut ev = Vec::new();
    for (i, (p, county, qty)) in [(x(0.0), "景洪市", 10u64), (x(5.0), "勐海县", 3), (x(8.0), "勐海县", 7)]
        .into_iter()
        .enumerate()
    {
        let id = WarehouseId(i as u32 + 1);
        ev.push(event(
            ev.len() as u64 + 1,
            EventKind::WarehouseUpserted {
                warehouse: id,
                spec: WarehouseSpec {
                    external_id: format!("W{i}"),
                    name_zh: format!("库{i}"),
                    name_en: String::new(),
                    kind: WarehouseKind::ReliefSupplies,
                    lonlat: LonLat::from_deg(p[0], p[1]).unwrap(),
                    county: county.into(),
                    demo: true,
                    position_note: String::new(),
                },
            },
        ));
        ev.push(event(
            ev.len() as u64 + 1,
            EventKind::StockLineSet {
                warehouse: id,
                item_code: "tent".into(),
                name_zh: "帐篷".into(),
                name_en: "Tent".into(),
                unit: "顶".into(),
                quantity: qty,
                demo: true,
            },
        ));
    }
    let sit = Situation::from_events(&ev).unwrap();
    let ans = nearest_supplies(&sit, &mut router, Some(&plans()), x(6.0), "帐篷", 2).unwrap();
    assert_eq!(ans.item, "tent");
    let ids: Vec<u32> = ans.nearest.iter().map(|s| s.warehouse.0).collect();
    assert_eq!(ids, [2, 3]);
    assert_eq!(ans.nearest_free, 10);
    assert!(
        (ans.nearest[0].dist_m - 5_160.0).abs() < 100.0,
        "{}",
        ans.nearest[0].dist_m
    );
    assert_eq!(ans.by_county["勐海县"].quantity, 10);
    assert_eq!(ans.by_county["景洪市"].warehouses, 1);
    let e = nearest_supplies(&sit, &mut router, Some(&plans()), x(6.0), "pump", 2).unwrap_err();
    assert!(e.to_string().contains("known items: tent"), "{e}");
}
