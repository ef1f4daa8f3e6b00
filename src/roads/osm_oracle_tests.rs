//! Real-data tests: routes on imported OSM extracts against an independent Dijkstra over the
//! raw ways (one edge per consecutive node pair, parsed here with osmpbf directly).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use osmpbf::{Element, ElementReader};

use super::osm::{ImportOptions, import_pbf_path};
use super::profile::{SpeedTable, classify_way};
use super::search::{RouteError, SearchParams, SearchSpace, route};
use super::snap::Snap;
use super::synth::SplitMix64;
use super::testdata::sample;

struct Raw {
    index: HashMap<i64, usize>,
    /// (head, seconds)
    adj: Vec<Vec<(usize, f64)>>,
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
            let t = hav_deg(a, b) * 3.6 / speed;
            let (u, v) = (id(pair[0], &mut adj), id(pair[1], &mut adj));
            if *fwd {
                adj[u].push((v, t));
            }
            if *bwd {
                adj[v].push((u, t));
            }
        }
    }
    Raw { index, adj }
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
    let mut best = vec![(f64::INFINITY, 0usize); raw.adj.len()];
    best[src] = (0.0, 0);
    let mut heap = BinaryHeap::new();
    heap.push(Item(0.0, src));
    while let Some(Item(c, u)) = heap.pop() {
        if c > best[u].0 {
            continue;
        }
        for &(v, w) in &raw.adj[u] {
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
