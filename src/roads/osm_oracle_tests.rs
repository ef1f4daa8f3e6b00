//! Real-data tests: routes on imported OSM extracts against an independent Dijkstra over the
//! raw ways (one edge per consecutive node pair, parsed here with osmpbf directly).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use osmpbf::{Element, ElementReader};

use super::osm::{ImportOptions, import_pbf_path};
use super::profile::{SpeedTable, classify_way};
use super::search::{Metric, RouteError, SearchParams, SearchSpace, one_to_all, rank_to_target, route};
use super::snap::{Snap, SnapIndex};
use super::synth::SplitMix64;
use super::testdata::sample;

struct Raw {
    index: HashMap<i64, usize>,
    /// (head, seconds)
    adj: Vec<Vec<(usize, f64)>>,
    /// (head, metres), same edges as `adj`.
    adj_m: Vec<Vec<(usize, f64)>>,
    /// (tail, seconds): `adj` reversed, for all-to-one oracles.
    radj: Vec<Vec<(usize, f64)>>,
}

fn hav_deg(a: (f64, f64), b: (f64, f64)) -> f64 {
    let r = 6_371_008.8_f64;
    let (x1, y1, x2, y2) = (a.0.to_radians(), a.1.to_radians(), b.0.to_radians(), b.1.to_radians());
    let h = ((y2 - y1) * 0.5).sin().powi(2) + y1.cos() * y2.cos() * ((x2 - x1) * 0.5).sin().powi(2);
    2.0 * r * h.sqrt().asin()
}

fn raw_graph(file: &str) -> Raw {
    let speeds = SpeedTable::default();
    let mut ways: Vec<(Vec<i64>, bool, bool, f64)> = Vec::new();
    let mut coords: HashMap<i64, (f64, f64)> = HashMap::new();
    ElementReader::from_path(sample(file))
        .unwrap()
        .for_each(|el| match el {
            Element::Way(w) => {
                if let Some(rule) = classify_way(w.tags(), &speeds) {
                    ways.push((
                        w.refs().collect(),
                        rule.direction.forward(),
                        rule.direction.backward(),
                        rule.speed_kmh,
                    ));
                }
            }
            Element::DenseNode(n) => {
                coords.insert(
                    n.id(),
                    (n.decimicro_lon() as f64 * 1e-7, n.decimicro_lat() as f64 * 1e-7),
                );
            }
            Element::Node(n) => {
                coords.insert(
                    n.id(),
                    (n.decimicro_lon() as f64 * 1e-7, n.decimicro_lat() as f64 * 1e-7),
                );
            }
            Element::Relation(_) => {}
        })
        .unwrap();
    let mut index = HashMap::new();
    let mut adj: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut adj_m: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut radj: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut id = |osm: i64, adj: &mut Vec<Vec<(usize, f64)>>| {
        *index.entry(osm).or_insert_with(|| {
            adj.push(Vec::new());
            adj.len() - 1
        })
    };
    for (refs, fwd, bwd, speed) in &ways {
        for pair in refs.windows(2) {
            let (Some(&a), Some(&b)) = (coords.get(&pair[0]), coords.get(&pair[1])) else {
                continue;
            };
            if pair[0] == pair[1] {
                continue;
            }
            let m = hav_deg(a, b);
            let t = m * 3.6 / speed;
            let (u, v) = (id(pair[0], &mut adj), id(pair[1], &mut adj));
            adj_m.resize(adj.len(), Vec::new());
            radj.resize(adj.len(), Vec::new());
            if *fwd {
                adj[u].push((v, t));
                adj_m[u].push((v, m));
                radj[v].push((u, t));
            }
            if *bwd {
                adj[v].push((u, t));
                adj_m[v].push((u, m));
                radj[u].push((v, t));
            }
        }
    }
    Raw {
        index,
        adj,
        adj_m,
        radj,
    }
}

#[derive(PartialEq)]
struct Item(f64, usize);
impl Eq for Item {}
impl PartialOrd for Item {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Item {
    fn cmp(&self, o: &Self) -> Ordering {
        o.0.total_cmp(&self.0).then(o.1.cmp(&self.1))
    }
}

/// Textbook Dijkstra: (seconds, hop count) per raw node.
fn raw_dijkstra(raw: &Raw, src: usize) -> Vec<(f64, usize)> {
    dijkstra_over(&raw.adj, src)
}

/// Textbook Dijkstra over one adjacency: (cost, hop count) per raw node.
fn dijkstra_over(adj: &[Vec<(usize, f64)>], src: usize) -> Vec<(f64, usize)> {
    let mut best = vec![(f64::INFINITY, 0usize); adj.len()];
    best[src] = (0.0, 0);
    let mut heap = BinaryHeap::new();
    heap.push(Item(0.0, src));
    while let Some(Item(c, u)) = heap.pop() {
        if c > best[u].0 {
            continue;
        }
        for &(v, w) in &adj[u] {
            if c + w < best[v].0 {
                best[v] = (c + w, best[u].1 + 1);
                heap.push(Item(c + w, v));
            }
        }
    }
    best
}

fn compare_file(file: &str, seed: u64) {
    let (g, _) = import_pbf_path(&sample(file), &ImportOptions::default()).unwrap();
    let raw = raw_graph(file);
    // Every graph node is a raw node.
    for v in 0..g.node_count() as u32 {
        assert!(raw.index.contains_key(&g.node_osm_id(v).unwrap()));
    }
    let mut space = SearchSpace::new(g.node_count());
    let params = SearchParams::default();
    let mut rng = SplitMix64::new(seed);
    let (mut reachable, mut unreachable, mut max_err) = (0, 0, 0.0f64);
    for _ in 0..25 {
        let s = rng.below(g.node_count() as u64) as u32;
        let from = Snap::at_node(&g, s).unwrap();
        let orc = raw_dijkstra(&raw, raw.index[&g.node_osm_id(s).unwrap()]);
        for _ in 0..12 {
            let t = rng.below(g.node_count() as u64) as u32;
            let to = Snap::at_node(&g, t).unwrap();
            let (want_s, hops) = orc[raw.index[&g.node_osm_id(t).unwrap()]];
            match route(&g, &mut space, &from, &to, &params) {
                Ok(r) => {
                    assert!(
                        want_s.is_finite(),
                        "{file}: {s}->{t} routed but oracle says unreachable"
                    );
                    let tol = 0.0005 * (r.edges.len() + hops) as f64 + 1e-6;
                    let err = (r.eta_s - want_s).abs();
                    max_err = max_err.max(err);
                    assert!(
                        err <= tol,
                        "{file}: {s}->{t}: ours {} oracle {want_s} (tol {tol})",
                        r.eta_s
                    );
                    reachable += 1;
                }
                Err(RouteError::Unreachable { .. }) => {
                    assert!(want_s.is_infinite(), "{file}: {s}->{t} unreachable but oracle {want_s}");
                    unreachable += 1;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    eprintln!("{file}: {reachable} routes agree (max error {max_err:.4} s), {unreachable} unreachable agree");
    assert!(reachable > 200, "too few reachable pairs: {reachable}");
}

#[test]
fn liechtenstein_routes_match_raw_way_dijkstra() {
    compare_file("liechtenstein.osm.pbf", 1);
}

#[test]
fn andorra_routes_match_raw_way_dijkstra() {
    compare_file("andorra.osm.pbf", 2);
}

/// A position within `r_m` metres of `p` in a random direction.
fn jitter(rng: &mut SplitMix64, p: [f64; 2], r_m: f64) -> [f64; 2] {
    let ang = rng.next_f64() * std::f64::consts::TAU;
    let d = rng.next_f64() * r_m;
    let m_lat = 111_195.0;
    let m_lon = m_lat * p[1].to_radians().cos();
    [p[0] + d * ang.cos() / m_lon, p[1] + d * ang.sin() / m_lat]
}

/// Positions ON graph nodes (exactly, or within 0.3 m) snapped the way the console snaps them:
/// every route, ranking and one-to-all time must equal the raw-way Dijkstra between those
/// nodes — routes within 0.5 m and never shorter. Fails without the node rule of
/// `SnapIndex::snap` on one-way extracts (a point just short of a junction on a one-way piece).
fn compare_snapped(file: &str, seed: u64) {
    let (g, _) = import_pbf_path(&sample(file), &ImportOptions::default()).unwrap();
    let raw = raw_graph(file);
    let idx = SnapIndex::build_largest_scc(&g);
    let in_scc = g.scc().largest_mask();
    let scc_nodes: Vec<u32> = (0..g.node_count() as u32).filter(|&v| in_scc[v as usize]).collect();
    let mut rng = SplitMix64::new(seed);
    let snapped = |rng: &mut SplitMix64| -> (Snap, usize) {
        let v = scc_nodes[rng.below(scc_nodes.len() as u64) as usize];
        let p = g.node_lonlat(v);
        let q = if rng.below(2) == 0 { p } else { jitter(rng, p, 0.3) };
        let s = idx.snap(&g, q).unwrap();
        let at = s
            .at_node_id()
            .unwrap_or_else(|| panic!("{file}: {q:?} near node {v} not snapped to a node: {s:?}"));
        (s, raw.index[&g.node_osm_id(at).unwrap()])
    };
    let mut space = SearchSpace::new(g.node_count());
    let dist = SearchParams {
        metric: Metric::Distance,
        ..SearchParams::default()
    };
    let time = SearchParams::default();
    let (mut pairs, mut worst_m) = (0usize, 0.0f64);
    for _ in 0..20 {
        let (from, raw_from) = snapped(&mut rng);
        let orc_m = dijkstra_over(&raw.adj_m, raw_from);
        let orc_t = dijkstra_over(&raw.adj, raw_from);
        // Every node the one-to-all search reaches: the oracle's time (+ the off-road leg).
        one_to_all(&g, &mut space, &from, &time, None).unwrap();
        let off_s = time.offroad_ms(from.snap_dist_m) as f64 / 1000.0;
        for v in (0..g.node_count() as u32).step_by(7) {
            let (want, hops) = orc_t[raw.index[&g.node_osm_id(v).unwrap()]];
            match space.cost(v) {
                Some(ms) => {
                    let got = ms as f64 / 1000.0 - off_s;
                    let tol = 0.001 * hops as f64 + 0.002;
                    assert!(
                        (got - want).abs() <= tol,
                        "{file}: one-to-all to {v}: {got} vs oracle {want}"
                    );
                }
                None => assert!(want.is_infinite(), "{file}: node {v} unreached, oracle {want}"),
            }
        }
        for _ in 0..12 {
            let (to, raw_to) = snapped(&mut rng);
            let (want_m, hops) = orc_m[raw_to];
            let r = route(&g, &mut space, &from, &to, &dist).unwrap();
            let rounding = 0.005 * (r.edges.len() + 2) as f64 + 1e-6;
            assert!(
                r.dist_m >= want_m - rounding && r.dist_m <= want_m + 0.5,
                "{file}: route {:?} -> {:?}: {} m, oracle {want_m} m ({hops} hops)",
                from.query_lonlat,
                to.query_lonlat,
                r.dist_m
            );
            worst_m = worst_m.max(r.dist_m - want_m);
            pairs += 1;
        }
    }
    // Ranking: 60 snapped unit positions to one snapped incident (one backward search).
    let (target, raw_target) = snapped(&mut rng);
    let back = dijkstra_over(&raw.radj, raw_target);
    let units: Vec<(Snap, usize)> = (0..60).map(|_| snapped(&mut rng)).collect();
    let snaps: Vec<Snap> = units.iter().map(|u| u.0).collect();
    let ranked = rank_to_target(&g, &mut space, &snaps, &target, None, &time).unwrap();
    assert_eq!(ranked.len(), units.len(), "{file}: every unit in the SCC is ranked");
    for r in &ranked {
        let (want, hops) = back[units[r.index].1];
        let got = r.eta_s - r.offroad_s;
        let tol = 0.001 * hops as f64 + 0.002;
        assert!(
            (got - want).abs() <= tol,
            "{file}: unit {} ranked {got} s, oracle {want} s",
            r.index
        );
    }
    eprintln!("{file}: {pairs} snapped routes within 0.5 m (worst +{worst_m:.3} m), 60 ranked");
}

#[test]
fn snapped_nodes_match_raw_way_dijkstra_liechtenstein() {
    compare_snapped("liechtenstein.osm.pbf", 11);
}

#[test]
fn snapped_nodes_match_raw_way_dijkstra_andorra() {
    compare_snapped("andorra.osm.pbf", 12);
}

#[test]
fn snapped_nodes_match_raw_way_dijkstra_monaco_one_way_streets() {
    compare_snapped("monaco.osm.pbf", 13);
}

#[test]
fn snapped_nodes_match_raw_way_dijkstra_singapore_bayfront() {
    compare_snapped("bayfront_singapore.osm.pbf", 14);
}
