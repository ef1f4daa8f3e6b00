//! Tests of the searches against an independent textbook Dijkstra on seeded random graphs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::graph::{Graph, GraphBuilder};
use super::profile::{Direction, RoadClass};
use super::search::*;
use super::snap::{Snap, SnapIndex};
use super::synth::SplitMix64;

const R: f64 = 6_371_008.8;

fn hav(a: [i32; 2], b: [i32; 2]) -> f64 {
    let (x1, y1) = ((a[0] as f64 * 1e-7).to_radians(), (a[1] as f64 * 1e-7).to_radians());
    let (x2, y2) = ((b[0] as f64 * 1e-7).to_radians(), (b[1] as f64 * 1e-7).to_radians());
    let h = ((y2 - y1) / 2.0).sin().powi(2) + y1.cos() * y2.cos() * ((x2 - x1) / 2.0).sin().powi(2);
    2.0 * R * h.sqrt().asin()
}

/// Oracle input: directed edges over the caller's node ids.
pub(super) struct Case {
    pub(super) graph: Graph,
    pub(super) n: usize,
    /// (tail, head, time_ms, dist_cm) in input ids.
    pub(super) edges: Vec<(usize, usize, u64, u64)>,
    /// graph node -> input id, input id -> graph node.
    pub(super) to_input: Vec<usize>,
    pub(super) to_graph: Vec<u32>,
}

pub(super) fn random_case(seed: u64, n: usize, m: usize) -> Case {
    let mut rng = SplitMix64::new(seed);
    let mut b = GraphBuilder::new();
    let mut pos = Vec::new();
    for i in 0..n {
        let p = [
            (8.0e7 + rng.next_f64() * 5.0e5) as i32,
            (46.0e7 + rng.next_f64() * 5.0e5) as i32,
        ];
        pos.push(p);
        b.add_node(p, Some(i as i64));
    }
    let mut edges = Vec::new();
    for _ in 0..m {
        let u = rng.below(n as u64) as usize;
        let v = rng.below(n as u64) as usize;
        if u == v {
            continue;
        }
        let mut pts = vec![pos[u]];
        if rng.below(2) == 0 {
            pts.push([
                (pos[u][0] + pos[v][0]) / 2 + rng.below(2000) as i32,
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
        let len: f64 = pts.windows(2).map(|w| hav(w[0], w[1])).sum();
        let t = (len * 3.6 / speed * 1000.0).round() as u64;
        let d = (len * 100.0).round() as u64;
        if matches!(dir, Direction::Forward | Direction::Both) {
            edges.push((u, v, t, d));
        }
        if matches!(dir, Direction::Backward | Direction::Both) {
            edges.push((v, u, t, d));
        }
        b.add_piece(u as u32, v as u32, &pts, RoadClass::Residential, dir, speed);
    }
    let graph = b.build(seed).unwrap();
    let to_input: Vec<usize> = (0..n as u32).map(|v| graph.node_osm_id(v).unwrap() as usize).collect();
    let mut to_graph = vec![0u32; n];
    for (g, &i) in to_input.iter().enumerate() {
        to_graph[i] = g as u32;
    }
    Case {
        graph,
        n,
        edges,
        to_input,
        to_graph,
    }
}

/// Textbook Dijkstra over an adjacency list; `reverse` searches the reversed graph.
pub(super) fn oracle(case: &Case, src: usize, reverse: bool, dist: bool) -> Vec<u64> {
    let mut adj: Vec<Vec<(usize, u64)>> = vec![Vec::new(); case.n];
    for &(u, v, t, d) in &case.edges {
        let w = if dist { d } else { t };
        if reverse {
            adj[v].push((u, w));
        } else {
            adj[u].push((v, w));
        }
    }
    let mut best = vec![u64::MAX; case.n];
    let mut heap = BinaryHeap::new();
    best[src] = 0;
    heap.push(Reverse((0u64, src)));
    while let Some(Reverse((c, u))) = heap.pop() {
        if c > best[u] {
            continue;
        }
        for &(v, w) in &adj[u] {
            if c + w < best[v] {
                best[v] = c + w;
                heap.push(Reverse((c + w, v)));
            }
        }
    }
    best
}

fn node_snap(case: &Case, input_id: usize) -> Option<Snap> {
    Snap::at_node(&case.graph, case.to_graph[input_id])
}

#[test]
fn one_to_all_and_routes_match_oracle() {
    for seed in 1..=6u64 {
        let case = random_case(seed, 300, 700);
        let g = &case.graph;
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let mut rng = SplitMix64::new(seed * 31);
        for _ in 0..10 {
            let s = rng.below(case.n as u64) as usize;
            let Some(snap) = node_snap(&case, s) else {
                continue;
            };
            let want = oracle(&case, s, false, false);
            one_to_all(g, &mut space, &snap, &params, None).unwrap();
            for v in 0..g.node_count() as u32 {
                let w = want[case.to_input[v as usize]];
                let got = space.cost(v).map_or(u64::MAX, |c| c as u64);
                assert_eq!(got, w, "seed {seed} src {s} node {}", case.to_input[v as usize]);
            }
            // Point-to-point with both metrics.
            let want_d = oracle(&case, s, false, true);
            for _ in 0..10 {
                let t = rng.below(case.n as u64) as usize;
                let Some(tsnap) = node_snap(&case, t) else {
                    continue;
                };
                for (metric, want) in [(Metric::Time, &want), (Metric::Distance, &want_d)] {
                    let p = SearchParams { metric, ..params };
                    match route(g, &mut space, &snap, &tsnap, &p) {
                        Ok(r) => {
                            let got = match metric {
                                Metric::Time => (r.road_time_s * 1000.0).round() as u64,
                                Metric::Distance => (r.dist_m * 100.0).round() as u64,
                            };
                            assert_eq!(got, want[t], "seed {seed} {s}->{t} {metric:?}");
                            // Path consistency: consecutive edges, geometry ends at the nodes.
                            for w2 in r.edges.windows(2) {
                                assert_eq!(g.edge_head(w2[0] as usize), g.edge_tail(w2[1] as usize));
                            }
                            assert_eq!(r.geometry_lonlat[0], g.node_lonlat(case.to_graph[s]));
                            assert_eq!(*r.geometry_lonlat.last().unwrap(), g.node_lonlat(case.to_graph[t]));
                            assert_eq!(r.eta_s, r.road_time_s);
                        }
                        Err(RouteError::Unreachable { .. }) => {
                            assert_eq!(want[t], u64::MAX, "seed {seed} {s}->{t} reported unreachable")
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
            }
        }
    }
}

#[test]
fn ranking_one_to_many_and_coverage_match_oracle() {
    for seed in 10..=14u64 {
        let case = random_case(seed, 400, 900);
        let g = &case.graph;
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let mut rng = SplitMix64::new(seed);
        let pick = |rng: &mut SplitMix64| loop {
            let i = rng.below(case.n as u64) as usize;
            if let Some(s) = node_snap(&case, i) {
                return (i, s);
            }
        };
        let (t, tsnap) = pick(&mut rng);
        let units: Vec<(usize, Snap)> = (0..60).map(|_| pick(&mut rng)).collect();
        let snaps: Vec<Snap> = units.iter().map(|u| u.1).collect();
        // Many-to-one: oracle on the reversed graph from the target.
        let rev = oracle(&case, t, true, false);
        let all = rank_to_target(g, &mut space, &snaps, &tsnap, None, &params).unwrap();
        let reachable: Vec<usize> = (0..units.len()).filter(|&i| rev[units[i].0] != u64::MAX).collect();
        assert_eq!(all.len(), reachable.len());
        for r in &all {
            assert_eq!((r.eta_s * 1000.0).round() as u64, rev[units[r.index].0], "seed {seed}");
        }
        assert!(all.windows(2).all(|w| w[0].eta_s <= w[1].eta_s));
        for k in [1, 5, 10] {
            let top = rank_to_target(g, &mut space, &snaps, &tsnap, Some(k), &params).unwrap();
            assert_eq!(top.len(), k.min(all.len()));
            for (a, b) in top.iter().zip(&all) {
                assert_eq!(a.eta_s, b.eta_s, "seed {seed} k {k}");
            }
        }
        // One-to-many forward.
        let fwd = oracle(&case, t, false, false);
        let many = etas_from(g, &mut space, &tsnap, &snaps, None, &params).unwrap();
        for r in &many {
            assert_eq!((r.eta_s * 1000.0).round() as u64, fwd[units[r.index].0]);
        }
        assert_eq!(many.len(), units.iter().filter(|u| fwd[u.0] != u64::MAX).count());
        let near = etas_from(g, &mut space, &tsnap, &snaps, Some(3), &params).unwrap();
        for (a, b) in near.iter().zip(&many) {
            assert_eq!(a.eta_s, b.eta_s);
        }
        // Coverage from 5 sources: min over the sources' oracles.
        let sources: Vec<(usize, Snap)> = (0..5).map(|_| pick(&mut rng)).collect();
        let per_src: Vec<Vec<u64>> = sources.iter().map(|s| oracle(&case, s.0, false, false)).collect();
        let ss: Vec<Snap> = sources.iter().map(|s| s.1).collect();
        let cov = coverage(g, &mut space, &ss, &params, None).unwrap();
        for v in 0..g.node_count() as u32 {
            let i = case.to_input[v as usize];
            let want = per_src.iter().map(|d| d[i]).min().unwrap();
            let got = cov.eta_s(v).map_or(u64::MAX, |s| (s * 1000.0).round() as u64);
            assert_eq!(got, want, "seed {seed} node {i}");
            if let Some(src) = cov.source_of(v) {
                assert_eq!(per_src[src][i], want);
            }
        }
        // Coverage with a limit stops at it.
        let cov = coverage(g, &mut space, &ss, &params, Some(60.0)).unwrap();
        for v in 0..g.node_count() as u32 {
            let i = case.to_input[v as usize];
            let want = per_src.iter().map(|d| d[i]).min().unwrap();
            assert_eq!(cov.eta_s(v).is_some(), want <= 60_000, "node {i}");
        }
    }
}

#[test]
fn mid_edge_snaps_rank_equals_individual_routes() {
    for seed in 20..=35u64 {
        let case = random_case(seed, 300, 800);
        let g = &case.graph;
        let idx = SnapIndex::build(g, None);
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let mut rng = SplitMix64::new(seed);
        let rand_snap = |rng: &mut SplitMix64| {
            let p = [8.0 + rng.next_f64() * 0.05, 46.0 + rng.next_f64() * 0.05];
            idx.snap(g, p).unwrap()
        };
        let target = rand_snap(&mut rng);
        let units: Vec<Snap> = (0..400).map(|_| rand_snap(&mut rng)).collect();
        // Also a unit on the target's own piece, on both sides of it.
        let mut units = units;
        for f in [0.1, 0.9] {
            let mut u = target;
            u.frac = f;
            u.snap_dist_m = 0.0;
            units.push(u);
        }
        let ranked = rank_to_target(g, &mut space, &units, &target, None, &params).unwrap();
        let mut found = vec![None; units.len()];
        for r in &ranked {
            found[r.index] = Some(r.eta_s);
        }
        let mut individual = Vec::new();
        for (i, u) in units.iter().enumerate() {
            match route(g, &mut space, u, &target, &params) {
                Ok(r) => {
                    let got = found[i].expect("ranked misses a reachable unit");
                    assert!(
                        (got - r.eta_s).abs() < 1e-9,
                        "seed {seed} unit {i}: rank {got} route {}",
                        r.eta_s
                    );
                    let off = params.offroad_ms(u.snap_dist_m) + params.offroad_ms(target.snap_dist_m);
                    assert!((r.offroad_s - off as f64 / 1000.0).abs() < 1e-9);
                    assert_eq!(r.geometry_lonlat[0], u.point_lonlat);
                    assert_eq!(*r.geometry_lonlat.last().unwrap(), target.point_lonlat);
                    individual.push(r.eta_s);
                }
                Err(RouteError::Unreachable { .. }) => assert!(found[i].is_none()),
                Err(e) => panic!("{e}"),
            }
        }
        // Top-k with early stop equals the k best individual routes.
        individual.sort_by(f64::total_cmp);
        for k in [1, 2, 3, 5, 10, 20, 40] {
            let top = rank_to_target(g, &mut space, &units, &target, Some(k), &params).unwrap();
            let got: Vec<f64> = top.iter().map(|r| r.eta_s).collect();
            assert_eq!(got, individual[..k.min(individual.len())].to_vec(), "seed {seed} k {k}");
        }
    }
}

#[test]
fn one_way_partial_costs_respected() {
    // a --(one-way a→b, 1000 m @ 36 km/h = 100 s)--> b, plus a slow two-way detour b–c–a.
    let mut b = GraphBuilder::new();
    let pa = [100_000_000, 200_000_000];
    let pb = [100_000_000 + 127_960, 200_000_000]; // ~1 km east at lat 20
    let pc = [100_000_000 + 63_980, 200_000_000 + 50_000];
    let na = b.add_node(pa, Some(0));
    let nb = b.add_node(pb, Some(1));
    let nc = b.add_node(pc, Some(2));
    b.add_piece(na, nb, &[pa, pb], RoadClass::Primary, Direction::Forward, 36.0);
    b.add_piece(nb, nc, &[pb, pc], RoadClass::Track, Direction::Both, 10.0);
    b.add_piece(nc, na, &[pc, pa], RoadClass::Track, Direction::Both, 10.0);
    let g = b.build(0).unwrap();
    let idx = SnapIndex::build(&g, None);
    let mut space = SearchSpace::new(g.node_count());
    let params = SearchParams::default();
    let on_ab = |f: f64| {
        let lon = 10.0 + f * 0.012796;
        idx.snap(&g, [lon, 20.0]).unwrap()
    };
    let p25 = on_ab(0.25);
    let p75 = on_ab(0.75);
    let ab_ms = g.piece_edges(p25.piece)[0];
    let t_ab = g.edge_time_ms(ab_ms as usize) as f64 / 1000.0;
    // Forward along the one-way: half the edge.
    let r = route(&g, &mut space, &p25, &p75, &params).unwrap();
    assert!((r.road_time_s - 0.5 * t_ab).abs() < 0.01, "{r:?}");
    assert!(r.edges.is_empty());
    // Backward must go around: 0.25 to b, detour b→c→a, 0.75 from a.
    let r = route(&g, &mut space, &p75, &p25, &params).unwrap();
    let detour: f64 = r
        .edges
        .iter()
        .map(|&e| g.edge_time_ms(e as usize) as f64 / 1000.0)
        .sum();
    assert_eq!(r.edges.len(), 2);
    assert!(
        (r.road_time_s - (0.25 * t_ab + detour + 0.25 * t_ab)).abs() < 0.01,
        "{r:?}"
    );
}
