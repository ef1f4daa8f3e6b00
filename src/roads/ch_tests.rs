//! Tests of the contraction hierarchy and PHAST against independent Dijkstra oracles: seeded
//! random graphs with one-way edges, the Liechtenstein and Andorra extracts, and rankings with
//! and without a hierarchy.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::ch::{Ch, ChParams, PhastSpace};
use super::graph::{Graph, GraphBuilder};
use super::oracle_tests::{oracle, random_case};
use super::osm::{ImportOptions, import_pbf_path};
use super::profile::{Direction, RoadClass};
use super::router::{RoadsError, Router};
use super::search::{SearchParams, SearchSpace, leave_nodes, rank_to_target, rank_to_target_ch};
use super::snap::SnapIndex;
use super::synth::{SplitMix64, SynthParams, synth_graph};
use super::testdata::sample;

/// Parameter sets exercised: the default core-CH, a pure CH, and a tiny-witness CH (many
/// superfluous shortcuts) with a degree-limited core.
fn param_sets() -> [ChParams; 3] {
    [
        ChParams::default(),
        ChParams {
            core_share: 0.0,
            max_degree: usize::MAX,
            witness_settled_limit: 1000,
            priority_settled_limit: 1000,
        },
        ChParams {
            core_share: 0.0,
            max_degree: 12,
            witness_settled_limit: 2,
            priority_settled_limit: 5,
        },
    ]
}

/// Textbook Dijkstra over the graph's own edge list (`reverse`: towards `src`).
fn graph_oracle(g: &Graph, src: u32, reverse: bool) -> Vec<u64> {
    let n = g.node_count();
    let mut adj: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
    for v in 0..n as u32 {
        for e in g.out_edges(v) {
            let (h, w) = (g.edge_head(e), g.edge_time_ms(e) as u64);
            if reverse {
                adj[h as usize].push((v, w));
            } else {
                adj[v as usize].push((h, w));
            }
        }
    }
    let mut best = vec![u64::MAX; n];
    let mut heap = BinaryHeap::new();
    best[src as usize] = 0;
    heap.push(Reverse((0u64, src)));
    while let Some(Reverse((c, u))) = heap.pop() {
        if c > best[u as usize] {
            continue;
        }
        for &(v, w) in &adj[u as usize] {
            if c + w < best[v as usize] {
                best[v as usize] = c + w;
                heap.push(Reverse((c + w, v)));
            }
        }
    }
    best
}

fn got(ch: &Ch, space: &PhastSpace, v: u32) -> u64 {
    ch.cost_ms(space, v).map_or(u64::MAX, u64::from)
}

#[test]
fn phast_matches_oracle_on_random_graphs() {
    let mut checked_unreachable = 0usize;
    for (seed, n) in [(1u64, 50usize), (2, 50), (3, 300), (4, 300), (5, 1000), (6, 3000)] {
        let case = random_case(seed, n, n * 5 / 2);
        let g = &case.graph;
        for params in param_sets() {
            if n > 1000 && params.witness_settled_limit < 10 {
                continue;
            }
            let ch = Ch::build(g, &params);
            assert!(ch.matches(g));
            let st = ch.stats();
            assert_eq!(st.nodes, n);
            let mut space = PhastSpace::new(g.node_count());
            let mut rng = SplitMix64::new(seed * 77);
            for _ in 0..6 {
                let s = rng.below(n as u64) as usize;
                let sv = case.to_graph[s];
                for reverse in [false, true] {
                    let want = oracle(&case, s, reverse, false);
                    if reverse {
                        ch.all_to_one(&mut space, &[(sv, 0)]);
                    } else {
                        ch.one_to_all(&mut space, &[(sv, 0)]);
                    }
                    for v in 0..n as u32 {
                        let w = want[case.to_input[v as usize]];
                        checked_unreachable += usize::from(w == u64::MAX);
                        assert_eq!(
                            got(&ch, &space, v),
                            w,
                            "seed {seed} n {n} {params:?} src {s} rev {reverse}"
                        );
                    }
                }
            }
            // Two seeds with offsets = min over both single-seed searches.
            let (a, b) = (case.to_graph[0], case.to_graph[n - 1]);
            ch.all_to_one(&mut space, &[(a, 5_000), (b, 0)]);
            let wa = oracle(&case, 0, true, false);
            let wb = oracle(&case, n - 1, true, false);
            for v in 0..n as u32 {
                let i = case.to_input[v as usize];
                let w = wa[i].saturating_add(5_000).min(wb[i]);
                assert_eq!(got(&ch, &space, v), w, "seed {seed} two seeds");
            }
        }
    }
    assert!(
        checked_unreachable > 0,
        "random graphs should contain unreachable nodes"
    );
}

/// Restricted sweeps (RPHAST) give the oracle's costs at the nodes they were built for, in both
/// directions, for every parameter set (pure CH, core-CH, many superfluous shortcuts), and
/// sweep fewer positions than the whole hierarchy when the set is small.
#[test]
fn restricted_phast_matches_oracle_at_its_nodes() {
    for (seed, n) in [(11u64, 300usize), (12, 1200)] {
        let case = random_case(seed, n, n * 5 / 2);
        let g = &case.graph;
        for params in param_sets() {
            if n > 1000 && params.witness_settled_limit < 10 {
                continue;
            }
            let ch = Ch::build(g, &params);
            let mut space = PhastSpace::new(n);
            let mut rng = SplitMix64::new(seed * 31);
            let targets: Vec<u32> = (0..n / 20).map(|_| rng.below(n as u64) as u32).collect();
            for backward in [true, false] {
                let r = ch.restrict(&targets, backward);
                assert!(r.covers(&targets, backward) && !r.covers(&targets, !backward));
                assert!(r.swept() < n, "seed {seed} {params:?}: {} of {n}", r.swept());
                for _ in 0..4 {
                    let s = rng.below(n as u64) as usize;
                    let want = oracle(&case, s, backward, false);
                    let seeds = [(case.to_graph[s], 0)];
                    if backward {
                        ch.all_to_one_restricted(&mut space, &seeds, &r);
                    } else {
                        ch.one_to_all_restricted(&mut space, &seeds, &r);
                    }
                    for &v in &targets {
                        assert_eq!(
                            got(&ch, &space, v),
                            want[case.to_input[v as usize]],
                            "seed {seed} {params:?} src {s} backward {backward} node {v}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn unreachable_nodes_stay_unreachable() {
    // 0 <-> 1 <-> 2 -> 3 (sink), 4 <-> 5 (separate island).
    let mut b = GraphBuilder::new();
    let pts: Vec<[i32; 2]> = (0..6).map(|i| [80_000_000 + i * 10_000, 460_000_000]).collect();
    for (i, p) in pts.iter().enumerate() {
        b.add_node(*p, Some(i as i64));
    }
    for (x, y, d) in [
        (0, 1, Direction::Both),
        (1, 2, Direction::Both),
        (2, 3, Direction::Forward),
        (4, 5, Direction::Both),
    ] {
        b.add_piece(x, y, &[pts[x as usize], pts[y as usize]], RoadClass::Road, d, 30.0);
    }
    let g = b.build(1).unwrap();
    let node = |osm: i64| (0..6u32).find(|&v| g.node_osm_id(v) == Some(osm)).unwrap();
    for params in param_sets() {
        let ch = Ch::build(&g, &params);
        let mut space = PhastSpace::new(6);
        ch.one_to_all(&mut space, &[(node(3), 0)]);
        assert_eq!(ch.cost_ms(&space, node(3)), Some(0));
        for o in [0, 1, 2, 4, 5] {
            assert_eq!(ch.cost_ms(&space, node(o)), None, "{params:?} {o}");
        }
        ch.all_to_one(&mut space, &[(node(0), 0)]);
        assert!(ch.cost_ms(&space, node(2)).is_some());
        for o in [3, 4, 5] {
            assert_eq!(ch.cost_ms(&space, node(o)), None, "{params:?} {o}");
        }
        // Out-of-range queries never panic.
        assert_eq!(ch.cost_ms(&space, 99), None);
        ch.one_to_all(&mut space, &[(99, 0)]);
        assert_eq!(ch.cost_ms(&space, node(0)), None);
    }
}

#[test]
fn rank_with_ch_equals_dijkstra_on_random_graphs() {
    for seed in 40..=45u64 {
        let case = random_case(seed, 600, 1500);
        let g = &case.graph;
        let idx = SnapIndex::build(g, None);
        let ch = Ch::build(g, &ChParams::default());
        let mut phast = PhastSpace::new(g.node_count());
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let mut rng = SplitMix64::new(seed);
        let mut rand_snap = || {
            let p = [8.0 + rng.next_f64() * 0.05, 46.0 + rng.next_f64() * 0.05];
            idx.snap(g, p).unwrap()
        };
        let target = rand_snap();
        let mut units: Vec<_> = (0..300).map(|_| rand_snap()).collect();
        for f in [0.0, 0.3, 1.0] {
            let mut u = target;
            u.frac = f;
            units.push(u);
        }
        let want = rank_to_target(g, &mut space, &units, &target, None, &params).unwrap();
        let have = rank_to_target_ch(g, &ch, &mut phast, None, &units, &target, None, &params).unwrap();
        assert_eq!(have, want, "seed {seed}");
        // Restricted to the units' nodes (RPHAST): the same ranking from a partial sweep.
        let r = ch.restrict(&leave_nodes(g, &units), true);
        assert!(r.swept() < g.node_count(), "seed {seed}: {} swept", r.swept());
        let restricted = rank_to_target_ch(g, &ch, &mut phast, Some(&r), &units, &target, None, &params).unwrap();
        assert_eq!(restricted, want, "seed {seed} restricted");
        // A restriction for other nodes is not used (full sweep, same answer).
        let other = ch.restrict(&[0], true);
        let fallback = rank_to_target_ch(g, &ch, &mut phast, Some(&other), &units, &target, None, &params).unwrap();
        assert_eq!(fallback, want, "seed {seed} fallback");
        let top = rank_to_target_ch(g, &ch, &mut phast, None, &units, &target, Some(7), &params).unwrap();
        assert_eq!(top[..], want[..7.min(want.len())]);
    }
}

fn check_osm_extract(file: &str) {
    let (g, _) = import_pbf_path(&sample(file), &ImportOptions::default()).unwrap();
    let ch = Ch::build(&g, &ChParams::default());
    let st = ch.stats();
    assert!(st.core_nodes <= g.node_count() / 20 + 1, "{file}: {st:?}");
    let mut space = PhastSpace::new(g.node_count());
    let mut rng = SplitMix64::new(0xc4);
    let n = g.node_count() as u32;
    for _ in 0..4 {
        let s = rng.below(n as u64) as u32;
        for reverse in [false, true] {
            let want = graph_oracle(&g, s, reverse);
            if reverse {
                ch.all_to_one(&mut space, &[(s, 0)]);
            } else {
                ch.one_to_all(&mut space, &[(s, 0)]);
            }
            let mismatches = (0..n).filter(|&v| got(&ch, &space, v) != want[v as usize]).count();
            assert_eq!(mismatches, 0, "{file} src {s} reverse {reverse}");
        }
    }
}

#[test]
fn phast_matches_oracle_on_liechtenstein() {
    check_osm_extract("liechtenstein.osm.pbf");
}

#[test]
fn phast_matches_oracle_on_andorra() {
    check_osm_extract("andorra.osm.pbf");
}

#[test]
fn router_rank_units_same_with_and_without_ch_liechtenstein() {
    let (g, _) = import_pbf_path(&sample("liechtenstein.osm.pbf"), &ImportOptions::default()).unwrap();
    let mut r = Router::new(g);
    let bb = r.graph.bbox_lonlat();
    let mut rng = SplitMix64::new(99);
    let mut pt = || {
        [
            bb[0] + rng.next_f64() * (bb[2] - bb[0]),
            bb[1] + rng.next_f64() * (bb[3] - bb[1]),
        ]
    };
    let incidents: Vec<[f64; 2]> = (0..5).map(|_| pt()).collect();
    let mut units: Vec<[f64; 2]> = (0..200).map(|_| pt()).collect();
    units.push([20.0, 10.0]); // unsnappable
    let without: Vec<_> = incidents
        .iter()
        .map(|&i| r.rank_units(&units, i, None).unwrap())
        .collect();
    assert!(!r.has_ch());
    let stats = r.build_ch();
    assert!(r.has_ch());
    assert_eq!(stats.nodes, r.graph.node_count());
    for (inc, old) in incidents.iter().zip(&without) {
        let new = r.rank_units(&units, *inc, None).unwrap();
        assert_eq!(new.unsnapped, old.unsnapped);
        assert!(new.unsnapped.iter().any(|u| u.0 == 200));
        assert_eq!(new.ranked.len(), old.ranked.len());
        for (a, b) in new.ranked.iter().zip(&old.ranked) {
            assert_eq!(a.index, b.index);
            assert!((a.eta_s - b.eta_s).abs() < 1e-6, "{a:?} {b:?}");
            assert_eq!(a.offroad_s, b.offroad_s);
        }
        // k below the unit count keeps the early-stopping Dijkstra: same top 5.
        let top = r.rank_units(&units, *inc, Some(5)).unwrap();
        for (a, b) in top.ranked.iter().zip(&old.ranked) {
            assert_eq!(a.eta_s, b.eta_s);
        }
    }
    let ch = r.clear_ch().unwrap();
    assert!(!r.has_ch());
    r.set_ch(ch).unwrap();
    assert!(r.has_ch());
}

#[test]
fn set_ch_refuses_other_graph() {
    let g1 = synth_graph(&SynthParams {
        nodes: 400,
        ..Default::default()
    })
    .unwrap();
    let g2 = synth_graph(&SynthParams {
        nodes: 400,
        seed: 5,
        ..Default::default()
    })
    .unwrap();
    let ch = Ch::build(&g2, &ChParams::default());
    assert!(!ch.matches(&g1));
    let mut r = Router::new(g1);
    let err = r.set_ch(ch).unwrap_err();
    assert!(matches!(err, RoadsError::Ch(_)), "{err}");
    assert!(!r.has_ch());
}
