//! Benchmark of the routing core on a synthetic graph (and optionally OSM import of the sample
//! extracts): medians over repeated runs of load, one-to-all, many-to-one ranking (plain
//! Dijkstra and core-CH PHAST, plus the hierarchy's preprocessing time), the
//! equivalent separate point-to-point searches, coverage, and an isochrone.

use std::path::Path;
use std::time::Instant;

use super::ch::{Ch, ChParams, PhastSpace};
use super::graph::Graph;
use super::isochrone::{
    DEFAULT_CELL_M, IsoSpace, contour_polygons, isochrone_grid, isochrone_grid_ch, rasterise, rasterise_prepared,
    reached_ch,
};
use super::osm::{ImportOptions, import_pbf_path};
use super::router::{RoadsError, Router};
use super::search::{
    SearchParams, SearchSpace, coverage, leave_nodes, one_to_all, rank_to_target, rank_to_target_ch, route,
};
use super::snap::{Snap, SnapIndex};
use super::synth::{SplitMix64, SynthParams, synth_graph};

/// Runs per measured figure (the median is reported).
pub const BENCH_RUNS: usize = 5;

/// Import figures for one OSM sample file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SampleBench {
    /// File name.
    pub file: String,
    /// Median import time, ms.
    pub import_ms: f64,
    /// Graph nodes.
    pub nodes: usize,
    /// Directed edges.
    pub edges: usize,
}

/// Benchmark results (medians in milliseconds).
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchReport {
    /// Nodes of the synthetic graph.
    pub nodes: usize,
    /// Directed edges of the synthetic graph.
    pub edges: usize,
    /// Synthetic graph generation + build, ms (single run).
    pub build_ms: f64,
    /// Size of the serialized graph, MB.
    pub file_mb: f64,
    /// Loading the serialized graph from a file (read + validate + backward CSR), ms.
    pub load_ms: f64,
    /// Snap-index build, ms (single run).
    pub snap_index_ms: f64,
    /// Snapping 500 positions, ms.
    pub snap_500_ms: f64,
    /// One search to all nodes, ms.
    pub one_to_all_ms: f64,
    /// Ranking 500 units by ETA to one incident: the fastest exact method available once the
    /// contraction hierarchy is built (min of the two figures below), ms.
    pub rank_all_500_ms: f64,
    /// The same with one plain backward Dijkstra (radix heap), ms.
    pub rank_all_500_dijkstra_ms: f64,
    /// The same with one all-to-one core-PHAST query over the hierarchy, ms.
    pub rank_all_500_phast_ms: f64,
    /// The same with the sweep restricted to what the 500 units' nodes depend on (RPHAST; the
    /// restriction is built once per set of unit positions and kept while they do not move), ms.
    pub rank_all_500_rphast_ms: f64,
    /// Building that restriction (once per set of unit positions), ms (single run).
    pub rphast_restrict_ms: f64,
    /// Positions the restricted sweep visits (the full sweep visits every contracted node).
    pub rphast_swept: usize,
    /// Contraction hierarchy preprocessing, ms (single run).
    pub ch_build_ms: f64,
    /// Nodes left in the hierarchy's uncontracted core.
    pub ch_core_nodes: usize,
    /// Shortcut arcs added by the hierarchy.
    pub ch_shortcuts: usize,
    /// The same, top 10 with early stop, ms.
    pub rank_top10_ms: f64,
    /// The same 500 ETAs as 500 separate point-to-point searches, ms.
    pub p2p_500_ms: f64,
    /// `p2p_500_ms / rank_all_500_ms`.
    pub rank_speedup: f64,
    /// Coverage (nearest of 60 sources for every node), ms.
    pub coverage_60_ms: f64,
    /// One isochrone raster up to 20 min plus 4 contours (5/10/15/20 min), node times from
    /// one PHAST query over the hierarchy (what the console does once it is built), ms.
    pub isochrone_ms: f64,
    /// The same with the node times from a bounded Dijkstra (before the hierarchy is ready, or
    /// with roads closed), ms.
    pub isochrone_dijkstra_ms: f64,
    /// Of `isochrone_ms`: the PHAST query alone (sweeping only the blocks of the hierarchy
    /// within reach, see `IsoSpace::reach`), ms.
    pub isochrone_search_ms: f64,
    /// The same node times from a PHAST query that sweeps the whole hierarchy, ms.
    pub isochrone_search_full_ms: f64,
    /// Hierarchy positions the isochrone's query sweeps (of `nodes`).
    pub isochrone_swept: usize,
    /// Of `isochrone_ms`: filling the raster from the node times (roads, then off-road), ms.
    pub isochrone_raster_ms: f64,
    /// The same raster drawn without the kept scratch and road layout (what a one-off call to
    /// `rasterise` costs), ms.
    pub isochrone_raster_unprepared_ms: f64,
    /// `isochrone_raster_ms` drawn on one thread (no thread to wait for), ms.
    pub isochrone_raster_one_thread_ms: f64,
    /// Building the isochrones' road layout in edge order and the hierarchy's sweep blocks,
    /// once per graph, ms.
    pub isochrone_prepare_ms: f64,
    /// Of `isochrone_ms`: the 4 contours (marching squares and polygons), ms.
    pub isochrone_contours_ms: f64,
    /// Nodes within the isochrone's 20 minutes.
    pub isochrone_reached: usize,
    /// Cells of its raster.
    pub isochrone_cells: usize,
    /// Parameters of the hierarchy measured here.
    pub ch_params: ChParams,
    /// Resident set size at the end, MB.
    pub rss_mb: f64,
    /// OSM import figures for the sample extracts found.
    pub samples: Vec<SampleBench>,
}

/// Runs of each isochrone figure: tens of ms each, so more runs than [`BENCH_RUNS`] cost
/// little and steady the median on a busy machine.
const ISO_RUNS: usize = 15;

fn median_ms(f: impl FnMut()) -> f64 {
    median_ms_n(BENCH_RUNS, f)
}

/// Resident set size of this process in MB (0 if `/proc` is unavailable).
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn random_snaps(g: &Graph, idx: &SnapIndex, rng: &mut SplitMix64, count: usize) -> Vec<Snap> {
    let bb = g.bbox_lonlat();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        let p = [
            bb[0] + rng.next_f64() * (bb[2] - bb[0]),
            bb[1] + rng.next_f64() * (bb[3] - bb[1]),
        ];
        if let Ok(s) = idx.snap(g, p) {
            out.push(s);
        }
    }
    out
}

/// Runs the benchmark on a synthetic graph of about `nodes` nodes; if `samples_dir` is given,
/// also times the import of the OSM samples found there.
pub fn run_bench(nodes: usize, samples_dir: Option<&Path>, ch_params: &ChParams) -> BenchReport {
    let t0 = Instant::now();
    let g = match synth_graph(&SynthParams {
        nodes,
        ..Default::default()
    }) {
        Ok(g) => g,
        Err(e) => {
            // Only possible for absurd sizes; report zeros rather than panic.
            eprintln!("bench: synthetic graph failed: {e}");
            return empty_report(nodes, ch_params);
        }
    };
    let build_ms = t0.elapsed().as_secs_f64() * 1000.0;

    let bytes = g.to_bytes();
    let path = std::env::temp_dir().join(format!("onemap-roads-bench-{}.onemaprg", std::process::id()));
    let load_ms = if std::fs::write(&path, &bytes).is_ok() {
        let ms = median_ms(|| {
            let _ = std::hint::black_box(Graph::load(&path));
        });
        let _ = std::fs::remove_file(&path);
        ms
    } else {
        median_ms(|| {
            let _ = std::hint::black_box(Graph::from_bytes(&bytes));
        })
    };

    let t0 = Instant::now();
    let idx = SnapIndex::build_largest_scc(&g);
    let snap_index_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let mut rng = SplitMix64::new(0x5eed);
    let units = random_snaps(&g, &idx, &mut rng, 500);
    let incident = random_snaps(&g, &idx, &mut rng, 1)[0];
    let stations = random_snaps(&g, &idx, &mut rng, 60);
    let bb = g.bbox_lonlat();
    let pts: Vec<[f64; 2]> = (0..500)
        .map(|_| {
            [
                bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                bb[1] + rng.next_f64() * (bb[3] - bb[1]),
            ]
        })
        .collect();
    let snap_500_ms = median_ms(|| {
        for p in &pts {
            let _ = std::hint::black_box(idx.snap(&g, *p));
        }
    });

    let mut space = SearchSpace::new(g.node_count());
    let params = SearchParams::default();
    let one_to_all_ms = median_ms(|| {
        let _ = std::hint::black_box(one_to_all(&g, &mut space, &incident, &params, None));
    });
    let rank_all_500_dijkstra_ms = median_ms(|| {
        let _ = std::hint::black_box(rank_to_target(&g, &mut space, &units, &incident, None, &params));
    });
    let ch = Ch::build(&g, ch_params);
    let ch_stats = ch.stats();
    let mut phast = PhastSpace::new(g.node_count());
    let rank_all_500_phast_ms = median_ms(|| {
        let _ = std::hint::black_box(rank_to_target_ch(
            &g, &ch, &mut phast, None, &units, &incident, None, &params,
        ));
    });
    let t0 = Instant::now();
    let restriction = ch.restrict(&leave_nodes(&g, &units), true);
    let rphast_restrict_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let rank_all_500_rphast_ms = median_ms(|| {
        let _ = std::hint::black_box(rank_to_target_ch(
            &g,
            &ch,
            &mut phast,
            Some(&restriction),
            &units,
            &incident,
            None,
            &params,
        ));
    });
    let rank_all_500_ms = rank_all_500_dijkstra_ms
        .min(rank_all_500_phast_ms)
        .min(rank_all_500_rphast_ms);
    let rank_top10_ms = median_ms(|| {
        let _ = std::hint::black_box(rank_to_target(&g, &mut space, &units, &incident, Some(10), &params));
    });
    let p2p_500_ms = median_ms(|| {
        for u in &units {
            let _ = std::hint::black_box(route(&g, &mut space, u, &incident, &params));
        }
    });
    let coverage_60_ms = median_ms(|| {
        let _ = std::hint::black_box(coverage(&g, &mut space, &stations, &params, None));
    });
    let contours = |grid: &super::isochrone::IsoGrid| {
        for m in [5.0, 10.0, 15.0, 20.0] {
            std::hint::black_box(contour_polygons(grid, m * 60.0));
        }
    };
    let isochrone_dijkstra_ms = median_ms_n(ISO_RUNS, || {
        if let Ok(grid) = isochrone_grid(&g, &mut space, &incident, &params, 20.0 * 60.0, DEFAULT_CELL_M) {
            contours(&grid);
        }
    });

    let iso_s = 20.0 * 60.0;
    let mut iso = IsoSpace::new();
    let t0 = Instant::now();
    iso.prepare_hierarchy(&g, &ch);
    let isochrone_prepare_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let isochrone_ms = median_ms_n(ISO_RUNS, || {
        if let Ok(grid) = isochrone_grid_ch(&g, &ch, &mut phast, &mut iso, &incident, &params, iso_s, DEFAULT_CELL_M) {
            contours(&grid);
        }
    });
    let isochrone_search_ms = median_ms_n(ISO_RUNS, || {
        let _ = std::hint::black_box(
            iso.reach(&g, &ch, &mut phast, &incident, &params, iso_s)
                .map(|r| r.len()),
        );
    });
    let isochrone_search_full_ms = median_ms_n(ISO_RUNS, || {
        let _ = std::hint::black_box(reached_ch(&g, &ch, &mut phast, &incident, &params, iso_s));
    });
    let isochrone_swept = iso.swept(&g, &incident, &params, iso_s);
    let reached = reached_ch(&g, &ch, &mut phast, &incident, &params, iso_s).unwrap_or_default();
    let raster = |iso: &mut IsoSpace| {
        std::hint::black_box(rasterise_prepared(
            &g,
            iso,
            &incident,
            &reached,
            &params,
            iso_s,
            DEFAULT_CELL_M,
        ));
    };
    let isochrone_raster_ms = median_ms_n(ISO_RUNS, || raster(&mut iso));
    iso.set_threads(Some(1));
    let isochrone_raster_one_thread_ms = median_ms_n(ISO_RUNS, || raster(&mut iso));
    iso.set_threads(None);
    let isochrone_raster_unprepared_ms = median_ms_n(ISO_RUNS, || {
        std::hint::black_box(rasterise(&g, &incident, &reached, &params, iso_s, DEFAULT_CELL_M));
    });
    let grid = rasterise_prepared(&g, &mut iso, &incident, &reached, &params, iso_s, DEFAULT_CELL_M);
    let isochrone_contours_ms = median_ms_n(ISO_RUNS, || contours(&grid));

    let mut samples = Vec::new();
    if let Some(dir) = samples_dir {
        for file in ["liechtenstein.osm.pbf", "andorra.osm.pbf", "monaco.osm.pbf"] {
            let p = dir.join(file);
            let Ok((sg, _)) = import_pbf_path(&p, &ImportOptions::default()) else {
                continue;
            };
            let import_ms = median_ms(|| {
                let _ = std::hint::black_box(import_pbf_path(&p, &ImportOptions::default()));
            });
            samples.push(SampleBench {
                file: file.into(),
                import_ms,
                nodes: sg.node_count(),
                edges: sg.edge_count(),
            });
        }
    }
    BenchReport {
        nodes: g.node_count(),
        edges: g.edge_count(),
        build_ms,
        file_mb: bytes.len() as f64 / 1e6,
        load_ms,
        snap_index_ms,
        snap_500_ms,
        one_to_all_ms,
        rank_all_500_ms,
        rank_all_500_dijkstra_ms,
        rank_all_500_phast_ms,
        rank_all_500_rphast_ms,
        rphast_restrict_ms,
        rphast_swept: restriction.swept(),
        ch_build_ms: ch_stats.build_ms,
        ch_core_nodes: ch_stats.core_nodes,
        ch_shortcuts: ch_stats.shortcuts,
        rank_top10_ms,
        p2p_500_ms,
        rank_speedup: p2p_500_ms / rank_all_500_ms.max(1e-9),
        coverage_60_ms,
        isochrone_ms,
        isochrone_dijkstra_ms,
        isochrone_search_ms,
        isochrone_search_full_ms,
        isochrone_swept,
        isochrone_raster_ms,
        isochrone_raster_unprepared_ms,
        isochrone_raster_one_thread_ms,
        isochrone_prepare_ms,
        isochrone_contours_ms,
        isochrone_reached: reached.len(),
        isochrone_cells: grid.cols * grid.rows,
        ch_params: *ch_params,
        rss_mb: rss_mb(),
        samples,
    }
}

fn empty_report(nodes: usize, ch_params: &ChParams) -> BenchReport {
    BenchReport {
        nodes,
        edges: 0,
        build_ms: 0.0,
        file_mb: 0.0,
        load_ms: 0.0,
        snap_index_ms: 0.0,
        snap_500_ms: 0.0,
        one_to_all_ms: 0.0,
        rank_all_500_ms: 0.0,
        rank_all_500_dijkstra_ms: 0.0,
        rank_all_500_phast_ms: 0.0,
        rank_all_500_rphast_ms: 0.0,
        rphast_restrict_ms: 0.0,
        rphast_swept: 0,
        ch_build_ms: 0.0,
        ch_core_nodes: 0,
        ch_shortcuts: 0,
        rank_top10_ms: 0.0,
        p2p_500_ms: 0.0,
        rank_speedup: 0.0,
        coverage_60_ms: 0.0,
        isochrone_ms: 0.0,
        isochrone_dijkstra_ms: 0.0,
        isochrone_search_ms: 0.0,
        isochrone_search_full_ms: 0.0,
        isochrone_swept: 0,
        isochrone_raster_ms: 0.0,
        isochrone_raster_unprepared_ms: 0.0,
        isochrone_raster_one_thread_ms: 0.0,
        isochrone_prepare_ms: 0.0,
        isochrone_contours_ms: 0.0,
        isochrone_reached: 0,
        isochrone_cells: 0,
        ch_params: *ch_params,
        rss_mb: 0.0,
        samples: Vec::new(),
    }
}

/// Ranking figures on a pack's own graph (`onemap bench rank`), medians in milliseconds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RankBench {
    /// Graph nodes.
    pub nodes: usize,
    /// Source positions given.
    pub sources: usize,
    /// Sources ranked (snapped and reachable).
    pub ranked: usize,
    /// Repetitions per figure.
    pub reps: usize,
    /// Snapping every source (no cache), ms.
    pub snap_ms: f64,
    /// Ranking all sources including snapping each of them, as without the cache, ms.
    pub rank_all_ms: f64,
    /// The 10 fastest (early stop), unit snaps cached, ms.
    pub rank_top10_ms: f64,
    /// Ranking all sources with their snaps cached (units that have not moved), ms.
    pub rank_all_cached_snaps_ms: f64,
    /// The same ETAs from a textbook binary-heap Dijkstra (all-to-one, no early stop) on
    /// pre-snapped nodes: the peer figure, ms.
    pub plain_dijkstra_ms: f64,
    /// `plain_dijkstra_ms / rank_all_cached_snaps_ms`.
    pub speedup_vs_plain_dijkstra: f64,
    /// Whether ranking all used the contraction hierarchy (PHAST).
    pub phast: bool,
    /// Hierarchy preprocessing, ms (single run, once per graph).
    pub ch_build_ms: f64,
}

fn median_ms_n(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..reps.max(1))
        .map(|_| {
            let t0 = Instant::now();
            f();
            t0.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Textbook all-to-one Dijkstra (binary heap, no early stop, full reset) from the target's
/// arrival nodes over the backward adjacency, then each unit's best leave option: what a
/// plain graph library does with pre-snapped node ids. Returns the ETAs in ms (`u64::MAX` =
/// unreachable) so the figure cannot be optimised away and can be checked.
pub fn plain_dijkstra_rank(g: &Graph, units: &[Snap], target: &Snap) -> Vec<u64> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut dist = vec![u64::MAX; g.node_count()];
    let mut heap = BinaryHeap::new();
    for (v, c) in target.arrive_costs(g, &g.time_ms).into_iter().flatten() {
        if u64::from(c) < dist[v as usize] {
            dist[v as usize] = u64::from(c);
            heap.push(Reverse((u64::from(c), v)));
        }
    }
    while let Some(Reverse((c, v))) = heap.pop() {
        if c > dist[v as usize] {
            continue;
        }
        let (lo, hi) = (g.first_in[v as usize] as usize, g.first_in[v as usize + 1] as usize);
        for i in lo..hi {
            let u = g.in_tail[i];
            let nc = c + u64::from(g.in_time_ms[i]);
            if nc < dist[u as usize] {
                dist[u as usize] = nc;
                heap.push(Reverse((nc, u)));
            }
        }
    }
    units
        .iter()
        .map(|u| {
            u.partial_costs(g, &g.time_ms)
                .into_iter()
                .flatten()
                .filter_map(|(v, c)| dist[v as usize].checked_add(u64::from(c)))
                .min()
                .unwrap_or(u64::MAX)
        })
        .collect()
}

/// Measures ranking `sources` to `to` on the router's graph (after building its hierarchy):
/// snapping, ranking all with and without cached snaps, the top 10, and a plain Dijkstra.
pub fn rank_bench(
    router: &mut Router,
    sources: &[[f64; 2]],
    to: [f64; 2],
    reps: usize,
) -> Result<RankBench, RoadsError> {
    let target = router.snap(to)?;
    let ch_build_ms = router.build_ch().build_ms;
    let snap_ms = median_ms_n(reps, || {
        for p in sources {
            let _ = std::hint::black_box(router.snap_index.snap(&router.graph, *p));
        }
    });
    let mut ranked = 0;
    let rank_all_ms = median_ms_n(reps, || {
        router.clear_unit_snaps();
        if let Ok(out) = std::hint::black_box(router.rank_units(sources, to, None)) {
            ranked = out.ranked.len();
        }
    });
    let rank_all_cached_snaps_ms = median_ms_n(reps, || {
        let _ = std::hint::black_box(router.rank_units(sources, to, None));
    });
    let rank_top10_ms = median_ms_n(reps, || {
        let _ = std::hint::black_box(router.rank_units(sources, to, Some(10)));
    });
    let snaps: Vec<Snap> = sources.iter().filter_map(|&p| router.snap_unit(p).ok()).collect();
    let g = std::sync::Arc::clone(&router.graph);
    let plain_dijkstra_ms = median_ms_n(reps, || {
        std::hint::black_box(plain_dijkstra_rank(&g, &snaps, &target));
    });
    Ok(RankBench {
        nodes: g.node_count(),
        sources: sources.len(),
        ranked,
        reps,
        snap_ms,
        rank_all_ms,
        rank_top10_ms,
        rank_all_cached_snaps_ms,
        plain_dijkstra_ms,
        speedup_vs_plain_dijkstra: plain_dijkstra_ms / rank_all_cached_snaps_ms.max(1e-9),
        phast: router.has_ch(),
        ch_build_ms,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn small_bench_reports_all_keys() {
        let r = run_bench(5_000, None, &ChParams::default());
        let v = serde_json::to_value(&r).unwrap();
        for k in [
            "nodes",
            "load_ms",
            "one_to_all_ms",
            "rank_all_500_ms",
            "rank_all_500_dijkstra_ms",
            "rank_all_500_phast_ms",
            "rank_all_500_rphast_ms",
            "ch_build_ms",
            "ch_core_nodes",
            "ch_shortcuts",
            "rank_top10_ms",
            "p2p_500_ms",
            "coverage_60_ms",
            "isochrone_ms",
            "isochrone_dijkstra_ms",
            "isochrone_raster_ms",
            "isochrone_raster_unprepared_ms",
            "isochrone_raster_one_thread_ms",
            "isochrone_prepare_ms",
            "rss_mb",
        ] {
            assert!(v.get(k).is_some_and(|x| x.is_number()), "{k}");
        }
        assert!(r.nodes >= 5_000 && r.nodes < 5_200, "{}", r.nodes);
        assert!(r.rss_mb > 0.0);
        assert!(r.rank_all_500_ms > 0.0 && r.p2p_500_ms > r.rank_all_500_ms);
        assert!(r.rank_all_500_ms <= r.rank_all_500_dijkstra_ms && r.rank_all_500_ms <= r.rank_all_500_phast_ms);
        assert!(r.ch_build_ms > 0.0 && r.ch_core_nodes < r.nodes);
    }

    #[test]
    fn rank_bench_agrees_with_plain_dijkstra() {
        let g = synth_graph(&SynthParams {
            nodes: 3_000,
            ..Default::default()
        })
        .unwrap();
        let mut r = Router::new(g);
        let bb = r.graph.bbox_lonlat();
        let mut rng = SplitMix64::new(7);
        let pts: Vec<[f64; 2]> = (0..50)
            .map(|_| {
                [
                    bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                    bb[1] + rng.next_f64() * (bb[3] - bb[1]),
                ]
            })
            .collect();
        let to = [(bb[0] + bb[2]) * 0.5, (bb[1] + bb[3]) * 0.5];
        let b = rank_bench(&mut r, &pts, to, 3).unwrap();
        assert_eq!((b.sources, b.reps), (50, 3));
        assert!(b.ranked > 40 && b.phast, "{b:?}");
        assert!(b.snap_ms > 0.0 && b.plain_dijkstra_ms > 0.0);
        // The peer figure computes the same ETAs (else the comparison would be meaningless).
        let snaps: Vec<Snap> = pts.iter().filter_map(|&p| r.snap_unit(p).ok()).collect();
        let target = r.snap(to).unwrap();
        let plain = plain_dijkstra_rank(&r.graph, &snaps, &target);
        let ranked = r.rank_snapped(&snaps, &target, None).unwrap();
        assert_eq!(ranked.len(), b.ranked);
        for x in &ranked {
            let road_ms = ((x.eta_s - x.offroad_s) * 1000.0).round() as u64;
            let same_piece = snaps[x.index].piece == target.piece;
            assert!(
                road_ms == plain[x.index] || (same_piece && road_ms < plain[x.index]),
                "{x:?} vs {}",
                plain[x.index]
            );
        }
    }

    /// Full-size figures: `cargo test --release -j 1 bench_full -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn bench_full() {
        let dir = super::super::testdata::samples_dir();
        let r = run_bench(300_000, Some(&dir), &ChParams::default());
        println!("{}", serde_json::to_string_pretty(&r).unwrap());
    }
}
