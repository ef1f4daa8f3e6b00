//! Tests of coverage's nearest-source search over the time and distance hierarchies
//! ([`super::search::nearest_sources_ch`]) against the multi-source Dijkstra and against an
//! independent oracle (one textbook lexicographic Dijkstra per source, then the least
//! (time, distance, source index) per node): seeded graphs full of equal-time paths of different
//! lengths, one-way pieces, zero-length pieces (zero-time cycles) and sources sharing a spot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::ch::{Ch, ChParams, LexSpace, Weights};
use super::graph::{Graph, GraphBuilder};
use super::profile::{Direction, RoadClass};
use super::router::Router;
use super::search::{
    Metric, NearestSources, SearchParams, SearchSpace, leave_seeds, nearest_sources, nearest_sources_ch,
};
use super::snap::{Snap, SnapIndex};
use super::synth::{SplitMix64, SynthParams, synth_graph};

/// A `k`×`k` lattice (≈ 100 m apart) whose pieces take 5 or 10 s over 50–200 m (so many
/// fastest paths tie in time but not in length), some one-way, some missing; plus `dups` extra
/// nodes on top of lattice nodes, joined to them by zero-length pieces (both ways, or one way)
/// and to a neighbour.
fn tie_lattice(seed: u64, k: usize, dups: usize) -> Graph {
    let mut rng = SplitMix64::new(seed);
    let mut b = GraphBuilder::new();
    let pos = |i: usize, j: usize| [(100.8e7 + i as f64 * 1.0e4) as i32, (21.9e7 + j as f64 * 1.0e4) as i32];
    for j in 0..k {
        for i in 0..k {
            b.add_node(pos(i, j), None);
        }
    }
    // (length m, speed km/h): 10 s, 10 s, 10 s, 5 s.
    let kinds = [(100.0, 36.0), (200.0, 72.0), (50.0, 18.0), (100.0, 72.0)];
    let dir = |rng: &mut SplitMix64| match rng.below(6) {
        0 => Direction::Forward,
        1 => Direction::Backward,
        _ => Direction::Both,
    };
    for j in 0..k {
        for i in 0..k {
            let a = (j * k + i) as u32;
            for (ni, nj) in [(i + 1, j), (i, j + 1)] {
                if ni >= k || nj >= k || rng.below(10) == 0 {
                    continue;
                }
                let (len, speed) = kinds[rng.below(4) as usize];
                let d = dir(&mut rng);
                b.add_piece_with_length(
                    a,
                    (nj * k + ni) as u32,
                    &[pos(i, j), pos(ni, nj)],
                    RoadClass::Residential,
                    d,
                    speed,
                    len,
                );
            }
        }
    }
    for _ in 0..dups {
        let (i, j) = (rng.below(k as u64) as usize, rng.below(k as u64) as usize);
        let base = (j * k + i) as u32;
        let dup = b.add_node(pos(i, j), None);
        let d = if rng.below(3) == 0 {
            Direction::Forward
        } else {
            Direction::Both
        };
        b.add_piece(base, dup, &[pos(i, j), pos(i, j)], RoadClass::Residential, d, 36.0);
        let (ni, nj) = if i + 1 < k { (i + 1, j) } else { (i - 1, j) };
        let (len, speed) = kinds[rng.below(4) as usize];
        b.add_piece_with_length(
            dup,
            (nj * k + ni) as u32,
            &[pos(i, j), pos(ni, nj)],
            RoadClass::Residential,
            Direction::Both,
            speed,
            len,
        );
    }
    b.build(seed).unwrap()
}

/// Per source and node the least (metric, other measure) — (time ms, distance cm) or
/// (distance cm, time ms) — each from its own textbook Dijkstra on pairs over the graph's edge
/// list.
fn oracle(g: &Graph, sources: &[Snap], params: &SearchParams, metric: Metric) -> Vec<Vec<(u64, u64)>> {
    let n = g.node_count();
    let order = |t: u64, d: u64| if metric == Metric::Time { (t, d) } else { (d, t) };
    let mut adj: Vec<Vec<(usize, u64, u64)>> = vec![Vec::new(); n];
    for v in 0..n as u32 {
        for e in g.out_edges(v) {
            let (a, b) = order(g.edge_time_ms(e) as u64, g.dist_cm[e] as u64);
            adj[v as usize].push((g.edge_head(e) as usize, a, b));
        }
    }
    let mut per = Vec::new();
    for s in sources {
        let off_t = params.offroad_ms(s.snap_dist_m) as u64;
        let off_d = (s.snap_dist_m * params.offroad_detour.max(1.0) * 100.0).round() as u64;
        let mut lab = vec![(u64::MAX, u64::MAX); n];
        let mut heap = BinaryHeap::new();
        let (st, sd) = (leave_seeds(g, s, &g.time_ms), leave_seeds(g, s, &g.dist_cm));
        for (a, b) in st.iter().zip(&sd) {
            if let (Some((v, t)), Some((_, d))) = (a, b) {
                let k = order(*t as u64 + off_t, *d as u64 + off_d);
                if k < lab[*v as usize] {
                    lab[*v as usize] = k;
                    heap.push(Reverse((k, *v as usize)));
                }
            }
        }
        while let Some(Reverse((k, u))) = heap.pop() {
            if k > lab[u] {
                continue;
            }
            for &(w, t, d) in &adj[u] {
                let nk = (k.0 + t, k.1 + d);
                if nk < lab[w] {
                    lab[w] = nk;
                    heap.push(Reverse((nk, w)));
                }
            }
        }
        per.push(lab);
    }
    per
}

/// The least (metric, other measure, source index) per node, `None` where no source reaches.
fn least(per: &[Vec<(u64, u64)>], v: usize) -> Option<(u64, u64, u32)> {
    per.iter()
        .enumerate()
        .filter(|(_, lab)| lab[v].0 != u64::MAX)
        .map(|(i, lab)| (lab[v].0, lab[v].1, i as u32))
        .min()
}

/// A search's label at node `v` as (metric, other measure, source index).
fn labels(ns: &NearestSources, v: usize, metric: Metric) -> Option<(u64, u64, u32)> {
    let (t, d) = (ns.time_ms[v] as u64, ns.dist_cm[v] as u64);
    let (a, b) = if metric == Metric::Time { (t, d) } else { (d, t) };
    (ns.time_ms[v] != u32::MAX).then_some((a, b, ns.source[v]))
}

/// Sources at random spots of the graph's box, some on top of each other.
fn random_sources(g: &Graph, idx: &SnapIndex, rng: &mut SplitMix64, count: usize) -> Vec<Snap> {
    let bb = g.bbox_lonlat();
    let mut out: Vec<Snap> = Vec::new();
    while out.len() < count {
        if !out.is_empty() && rng.below(4) == 0 {
            let again = out[rng.below(out.len() as u64) as usize];
            out.push(again);
            continue;
        }
        let p = if rng.below(2) == 0 {
            g.node_lonlat(rng.below(g.node_count() as u64) as u32)
        } else {
            [
                bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                bb[1] + rng.next_f64() * (bb[3] - bb[1]),
            ]
        };
        if let Ok(s) = idx.snap(g, p) {
            out.push(s);
        }
    }
    out
}

/// Node labels and per-point hits: hierarchy = Dijkstra = oracle, with and without a limit,
/// by time (time-first hierarchy) and by road distance (distance-first hierarchy). Returns the
/// nodes where another source ties on the metric (the tie rule was exercised).
fn check(g: &Graph, seed: u64, source_counts: &[usize]) -> usize {
    let params = SearchParams::default();
    let idx = SnapIndex::build(g, None);
    let mut rng = SplitMix64::new(seed ^ 0x5eed);
    let mut space = SearchSpace::new(g.node_count());
    let mut lex = LexSpace::default();
    let mut ties = 0usize;
    let cases = [
        (Metric::Time, Weights::TimeFirst, 60_000),
        (Metric::Distance, Weights::DistanceFirst, 100_000),
    ];
    for (metric, weights, some_limit) in cases {
        for chp in [
            ChParams::default(),
            ChParams {
                core_share: 0.0,
                max_degree: 12,
                witness_settled_limit: 2,
                priority_settled_limit: 5,
            },
        ] {
            let ch = Ch::build_for(g, weights, &chp);
            for &count in source_counts {
                let sources = random_sources(g, &idx, &mut rng, count);
                let per = oracle(g, &sources, &params, metric);
                for limit in [None, Some(some_limit)] {
                    let dij = nearest_sources(g, &mut space, &sources, metric, &params, limit).unwrap();
                    let hier = nearest_sources_ch(g, &ch, &mut lex, &sources, &params, limit).unwrap();
                    assert_eq!(hier.metric, metric);
                    for v in 0..g.node_count() {
                        let w = least(&per, v).filter(|&(c, _, _)| limit.is_none_or(|l| c <= l as u64));
                        let at = format!("node {v}, seed {seed}, {metric:?}, limit {limit:?}");
                        assert_eq!(labels(&dij, v, metric), w, "Dijkstra, {at}");
                        assert_eq!(labels(&hier, v, metric), w, "hierarchy, {at}");
                        // A tie: another source reaches the node at the same cost.
                        if let Some((c, _, s)) = w
                            && per.iter().enumerate().any(|(i, lab)| i as u32 != s && lab[v].0 == c)
                        {
                            ties += 1;
                        }
                    }
                    for _ in 0..40 {
                        let bb = g.bbox_lonlat();
                        let p = [
                            bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                            bb[1] + rng.next_f64() * (bb[3] - bb[1]),
                        ];
                        if let Ok(at) = idx.snap(g, p) {
                            assert_eq!(dij.at_snap(g, &at), hier.at_snap(g, &at), "point {p:?}, seed {seed}");
                        }
                    }
                }
            }
        }
    }
    ties
}

#[test]
fn hierarchy_labels_match_dijkstra_and_oracle_with_ties_and_zero_length_pieces() {
    let mut ties = 0;
    for (seed, k, dups) in [(1u64, 6usize, 4usize), (2, 9, 10), (3, 12, 20), (4, 15, 5)] {
        let g = tie_lattice(seed, k, dups);
        assert!(
            (0..g.node_count() as u32).any(|v| g.out_edges(v).any(|e| g.edge_time_ms(e) == 0)),
            "seed {seed}: no zero-time edge to test"
        );
        ties += check(&g, seed, &[1, 2, 4, 9]);
    }
    assert!(ties > 0, "no equal-time sources met: the tie rule went untested");
}

#[test]
fn hierarchy_labels_match_on_a_synthetic_graph() {
    let g = synth_graph(&SynthParams {
        nodes: 3_000,
        seed: 7,
        ..Default::default()
    })
    .unwrap();
    check(&g, 7, &[3, 20]);
}

/// Through the router: with the time hierarchy installed, nearest sources by time take it and
/// by distance stay on the Dijkstra; with the distance hierarchy as well, both take a
/// hierarchy; the labels are the Dijkstra's every time.
#[test]
fn router_nearest_sources_same_with_and_without_hierarchy() {
    let g = tie_lattice(11, 10, 8);
    let mut router = Router::new(g);
    let mut rng = SplitMix64::new(11);
    let idx = SnapIndex::build(&router.graph, None);
    let sources = random_sources(&router.graph.clone(), &idx, &mut rng, 5);
    let before: Vec<NearestSources> = [Metric::Time, Metric::Distance]
        .iter()
        .map(|&m| router.nearest_sources(&sources, m, None).unwrap())
        .collect();
    router.build_ch();
    assert!(router.has_ch());
    for step in ["time hierarchy", "both hierarchies"] {
        if step == "both hierarchies" {
            router.build_dist_ch();
        }
        for (m, b) in [Metric::Time, Metric::Distance].iter().zip(&before) {
            let after = router.nearest_sources(&sources, *m, None).unwrap();
            assert_eq!(after.metric, *m);
            assert_eq!(
                (&after.time_ms, &after.dist_cm, &after.source),
                (&b.time_ms, &b.dist_cm, &b.source),
                "{m:?}, {step}"
            );
        }
    }
}
