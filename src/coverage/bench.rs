//! `onemap bench coverage`: whole-area coverage from N bases on the synthetic road graph or a
//! pack's own graph, and one isochrone (medians). Pure; must not import egui, tokio or rusqlite.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{CoverageModel, CoverageOptions, DemandSpec, ForceType};
use crate::dispatch::Plans;
use crate::model::event::{Event, EventKind};
use crate::model::{LonLat, Situation, StationId, StationKind, StationSpec, UnitId, UnitSpec, UnitStatus, UnitType};
use crate::roads::graph::Graph;
use crate::roads::router::{Router, RoutingSpec};
use crate::roads::search::Metric;
use crate::roads::synth::{SplitMix64, SynthParams, synth_graph};

/// Runs per figure (the median is reported).
pub const RUNS: usize = 7;

/// Fire stations of the move-up what-if (the issue's prefecture-scale case: 60 units × 80).
pub const MOVE_UP_STATIONS: usize = 80;

/// Targets of the bench (the Xishuangbanna plan's: 1.5 h, and 5 / 20 km along roads).
const PLANS: &str = r#"
version = 1
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

/// The coverage benchmark's result (ms are medians).
#[derive(Debug, Clone, Serialize)]
pub struct CoverageBench {
    /// Which graph: "synthetic" or the pack's name.
    pub graph: String,
    /// Graph nodes.
    pub nodes: usize,
    /// Directed edges.
    pub edges: usize,
    /// Available units per force type (the search's sources).
    pub bases: usize,
    /// Demand points (grid cells).
    pub demand_points: usize,
    /// Grid cell, km.
    pub cell_km: f64,
    /// CPU cores.
    pub cores: usize,
    /// Building and snapping the demand once, ms (single run).
    pub snap_demand_ms: f64,
    /// One multi-source search by time over the whole graph, ms.
    pub search_time_ms: f64,
    /// One multi-source search by road distance over the whole graph, ms.
    pub search_distance_ms: f64,
    /// Whole-area coverage of one force by time (search + every demand point + shares), ms.
    pub coverage_time_ms: f64,
    /// The same for the ambulance (road-distance radius), ms.
    pub coverage_distance_ms: f64,
    /// One isochrone (15, 30 and 60 min contours) from the first fire base, ms.
    pub isochrone_ms: f64,
    /// Fire stations in the move-up what-if (existing, at seeded random nodes).
    pub move_up_stations: usize,
    /// One move-up what-if (`CoverageModel::what_if_dispatched`): the first fire engine
    /// dispatched, the best single move of another of the `bases` engines to one of
    /// `move_up_stations` stations, with the time hierarchy installed (per unit and per
    /// station one upward search and one sweep restricted to the demand points, then the
    /// combinations), ms.
    pub move_up_ms: f64,
    /// The same before the hierarchy is built (or with roads closed): one pruned Dijkstra per
    /// unit and per station, ms.
    pub move_up_dijkstra_ms: f64,
    /// Preparing the demand points for the hierarchy (their restricted sweep laid out as a
    /// dense plan), once per set of points and hierarchy (kept in the router, so not part of
    /// `move_up_ms`), ms (single run).
    pub move_up_targets_ms: f64,
    /// Positions that restricted sweep visits.
    pub move_up_swept: usize,
    /// [`CoverageBench::search_time_ms`] with the time hierarchy installed: one lexicographic
    /// multi-source PHAST query, ms.
    pub search_time_ch_ms: f64,
    /// [`CoverageBench::coverage_time_ms`] with the time hierarchy installed, ms.
    pub coverage_time_ch_ms: f64,
    /// Every demand point's hit (time, distance, source) by time is the same with the
    /// hierarchy as with the Dijkstra (checked in this run).
    pub hierarchy_hits_equal: bool,
    /// Building the time hierarchy once per graph, ms.
    pub ch_build_ms: f64,
    /// [`CoverageBench::search_distance_ms`] with the distance-first hierarchy installed, ms.
    pub search_distance_ch_ms: f64,
    /// [`CoverageBench::coverage_distance_ms`] with the distance-first hierarchy installed, ms.
    pub coverage_distance_ch_ms: f64,
    /// Every demand point's hit by road distance (ambulances) is the same with the distance
    /// hierarchy as with the Dijkstra (checked in this run).
    pub distance_hierarchy_hits_equal: bool,
    /// Building the distance-first hierarchy once per graph, ms.
    pub dist_ch_build_ms: f64,
    /// Covered share, time threshold (1.5 h).
    pub share_time: f64,
    /// Covered share, distance threshold (5 / 20 km).
    pub share_distance: f64,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let m = v.get(v.len() / 2).copied().unwrap_or(0.0);
    (m * 1000.0).round() / 1000.0
}

fn time_ms(mut f: impl FnMut()) -> f64 {
    median(
        (0..RUNS)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect(),
    )
}

fn bench_event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        ts_utc: "2026-01-01T00:00:00.000Z".into(),
        operator: "bench".into(),
        seat: "bench".into(),
        drill_id: None,
        kind,
    }
}

/// Builds the synthetic graph of about `nodes` nodes, `bases` fire engines and `bases`
/// ambulances at seeded random nodes, a demand grid of `cell_km` over the graph, and times
/// whole-area coverage.
pub fn coverage_bench(nodes: usize, bases: usize, cell_km: f64) -> Result<CoverageBench, String> {
    let graph = synth_graph(&SynthParams {
        nodes,
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    let demand = DemandSpec {
        bbox: graph.bbox_lonlat(),
        ..Default::default()
    };
    coverage_bench_on(std::sync::Arc::new(graph), None, demand, "synthetic", bases, cell_km)
}

/// The same on a given graph (a pack's `roads.graph` with its routing spec) and demand (a
/// pack's area: `DemandSpec::from_pack`): bases at seeded random nodes.
pub fn coverage_bench_on(
    graph: std::sync::Arc<Graph>,
    routing: Option<RoutingSpec>,
    spec: DemandSpec,
    name: &str,
    bases: usize,
    cell_km: f64,
) -> Result<CoverageBench, String> {
    if graph.node_count() == 0 {
        return Err(format!("graph {name} has no nodes"));
    }
    let plans = Plans::parse(Path::new("bench-plans.toml"), PLANS).map_err(|e| e.to_string())?;
    let mut rng = SplitMix64::new(60);
    let mut events = Vec::new();
    for i in 0..2 * bases {
        let p = graph.node_lonlat(rng.below(graph.node_count() as u64) as u32);
        let t = if i < bases {
            UnitType::FireEngine
        } else {
            UnitType::Ambulance
        };
        events.push(bench_event(
            i as u64 + 1,
            EventKind::UnitAdded {
                unit: UnitId(i as u32 + 1),
                spec: UnitSpec {
                    external_id: format!("B{i}"),
                    callsign: format!("B-{i}"),
                    name_zh: format!("基准-{i}"),
                    name_en: format!("Bench {i}"),
                    unit_type: t,
                    extra_capabilities: Default::default(),
                    crew: 2,
                    home_station: None,
                    demo: true,
                    position_note: String::new(),
                },
                lonlat: LonLat::from_deg(p[0], p[1]).map_err(|e| e.to_string())?,
                status: UnitStatus::Available,
            },
        ));
    }
    for i in 0..MOVE_UP_STATIONS {
        let p = graph.node_lonlat(rng.below(graph.node_count() as u64) as u32);
        events.push(bench_event(
            events.len() as u64 + 1,
            EventKind::StationUpserted {
                station: StationId(i as u32 + 1),
                spec: StationSpec {
                    external_id: format!("S{i}"),
                    name_zh: format!("基准站-{i}"),
                    name_en: format!("Bench station {i}"),
                    kind: StationKind::FireStation,
                    lonlat: LonLat::from_deg(p[0], p[1]).map_err(|e| e.to_string())?,
                    county: String::new(),
                    planned: false,
                    demo: true,
                    position_note: String::new(),
                },
            },
        ));
    }
    let sit = Situation::from_events(&events).map_err(|e| e.to_string())?;
    let (node_count, edge_count) = (graph.node_count(), graph.edge_count());
    let mut router = match routing {
        Some(routing) => Router::with_spec(graph, routing),
        None => Router::new(graph),
    };
    let opts = CoverageOptions {
        cell_km,
        ..Default::default()
    };
    let t = Instant::now();
    let model = CoverageModel::new(&spec, &router, &plans, &opts);
    let snap_demand_ms = (t.elapsed().as_secs_f64() * 1_000_000.0).round() / 1000.0;
    let (_, fire, _) = model.bases(&sit, &router, ForceType::FireRescue, None);
    let search_time_ms = time_ms(|| {
        let _ = std::hint::black_box(router.nearest_sources(&fire, Metric::Time, None));
    });
    let search_distance_ms = time_ms(|| {
        let _ = std::hint::black_box(router.nearest_sources(&fire, Metric::Distance, None));
    });
    let mut share_time = 0.0;
    let coverage_time_ms = time_ms(|| {
        if let Ok(c) = model.compute_type(&sit, &mut router, ForceType::FireRescue) {
            share_time = c.covered_share;
        }
    });
    let mut share_distance = 0.0;
    let coverage_distance_ms = time_ms(|| {
        if let Ok(c) = model.compute_type(&sit, &mut router, ForceType::Ambulance) {
            share_distance = c.covered_share;
        }
    });
    let dijkstra_hits = model
        .nearest(&mut router, &fire, Metric::Time, None)
        .map_err(|e| e.to_string())?;
    let (_, ambulances, _) = model.bases(&sit, &router, ForceType::Ambulance, None);
    let dijkstra_distance_hits = model
        .nearest(&mut router, &ambulances, Metric::Distance, None)
        .map_err(|e| e.to_string())?;
    let move_up_dijkstra_ms = time_ms(|| {
        let _ = std::hint::black_box(model.what_if_dispatched(&sit, &mut router, UnitId(1)));
    });
    // The console builds the time hierarchy on a background thread once per graph; from then
    // on the move-up (time targets) and isochrones use it.
    let ch_build_ms = router.build_ch().build_ms;
    let t = Instant::now();
    let swept = router.point_targets(&model.snapped_points()).map_or(0, |t| t.swept());
    let move_up_targets_ms = t.elapsed().as_secs_f64() * 1000.0;
    let search_time_ch_ms = time_ms(|| {
        let _ = std::hint::black_box(router.nearest_sources(&fire, Metric::Time, None));
    });
    let coverage_time_ch_ms = time_ms(|| {
        let _ = std::hint::black_box(model.compute_type(&sit, &mut router, ForceType::FireRescue));
    });
    let hierarchy_hits_equal = model
        .nearest(&mut router, &fire, Metric::Time, None)
        .map_err(|e| e.to_string())?
        == dijkstra_hits;
    let move_up_ms = time_ms(|| {
        let _ = std::hint::black_box(model.what_if_dispatched(&sit, &mut router, UnitId(1)));
    });
    let dist_ch_build_ms = router.build_dist_ch().build_ms;
    let search_distance_ch_ms = time_ms(|| {
        let _ = std::hint::black_box(router.nearest_sources(&fire, Metric::Distance, None));
    });
    let coverage_distance_ch_ms = time_ms(|| {
        let _ = std::hint::black_box(model.compute_type(&sit, &mut router, ForceType::Ambulance));
    });
    let distance_hierarchy_hits_equal = model
        .nearest(&mut router, &ambulances, Metric::Distance, None)
        .map_err(|e| e.to_string())?
        == dijkstra_distance_hits;
    let origin = events.first().map_or([0.0, 0.0], |e| match &e.kind {
        EventKind::UnitAdded { lonlat, .. } => lonlat.lonlat(),
        _ => [0.0, 0.0],
    });
    let isochrone_ms = time_ms(|| {
        let _ = std::hint::black_box(router.isochrone_geojson(origin, &[15.0, 30.0, 60.0]));
    });
    Ok(CoverageBench {
        graph: name.to_owned(),
        isochrone_ms,
        nodes: node_count,
        edges: edge_count,
        bases,
        demand_points: model.points.len(),
        cell_km,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        snap_demand_ms,
        search_time_ms,
        search_distance_ms,
        coverage_time_ms,
        coverage_distance_ms,
        share_time,
        share_distance,
        search_time_ch_ms,
        coverage_time_ch_ms,
        hierarchy_hits_equal,
        move_up_stations: MOVE_UP_STATIONS,
        move_up_ms,
        move_up_dijkstra_ms,
        move_up_targets_ms,
        move_up_swept: swept,
        ch_build_ms,
        search_distance_ch_ms,
        coverage_distance_ch_ms,
        distance_hierarchy_hits_equal,
        dist_ch_build_ms,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn small_coverage_bench_runs() {
        let r = super::coverage_bench(3_000, 6, 1.0).unwrap();
        assert!(r.nodes >= 3_000 && r.demand_points > 10, "{r:?}");
        assert!(r.share_time > 0.0 && r.share_time <= 1.0);
        assert!(r.coverage_time_ms > 0.0 && r.search_distance_ms > 0.0 && r.isochrone_ms > 0.0);
        assert!(r.move_up_ms > 0.0 && r.move_up_dijkstra_ms > 0.0 && r.move_up_stations == super::MOVE_UP_STATIONS);
        assert!(r.move_up_swept > 0 && r.ch_build_ms > 0.0, "{r:?}");
        assert!(r.hierarchy_hits_equal && r.search_time_ch_ms > 0.0, "{r:?}");
        assert!(
            r.distance_hierarchy_hits_equal && r.coverage_distance_ch_ms > 0.0,
            "{r:?}"
        );
        assert!(
            r.share_distance > 0.0 && r.share_distance <= 1.0,
            "no ambulance coverage to compare: {r:?}"
        );
    }

    /// On a real pack's graph (the Liechtenstein sample): the bases cover part of it, and
    /// what the bench reports matches a coverage computed here independently of the bench's
    /// timing loop.
    #[test]
    fn coverage_bench_runs_on_a_pack_graph() {
        let pack =
            crate::mappack::MapPack::load(concat!(env!("CARGO_MANIFEST_DIR"), "/maps/samples/liechtenstein")).unwrap();
        let (g, spec) = pack.roads().unwrap();
        let nodes = g.node_count();
        let r = super::coverage_bench_on(
            g,
            Some(spec),
            super::DemandSpec::from_pack(&pack),
            "liechtenstein",
            4,
            1.0,
        )
        .unwrap();
        assert_eq!((r.graph.as_str(), r.nodes), ("liechtenstein", nodes));
        assert!(r.share_time > 0.0 && r.share_time <= 1.0, "{r:?}");
        assert!(r.isochrone_ms > 0.0);
    }
}
