//! Road closures (`Router::set_closures`): a route that used a closed piece changes, and every
//! route over the closed network equals a textbook Dijkstra that skips the closed pieces' edges
//! of the ORIGINAL graph (independent of `Graph::without_pieces` and of the search code).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use super::graph::Graph;
use super::oracle_tests::random_case;
use super::router::Router;
use super::search::{SearchParams, route};
use super::snap::Snap;

/// Shortest time (ms) from `s` to every node over `g` without the edges of `closed` pieces.
fn oracle_without(g: &Graph, closed: &BTreeSet<u32>, s: u32) -> Vec<u64> {
    let mut best = vec![u64::MAX; g.node_count()];
    let mut heap = BinaryHeap::new();
    best[s as usize] = 0;
    heap.push(Reverse((0u64, s)));
    while let Some(Reverse((c, u))) = heap.pop() {
        if c > best[u as usize] {
            continue;
        }
        for e in g.out_edges(u) {
            if closed.contains(&g.edge_piece(e).0) {
                continue;
            }
            let v = g.edge_head(e);
            let nc = c + u64::from(g.edge_time_ms(e));
            if nc < best[v as usize] {
                best[v as usize] = nc;
                heap.push(Reverse((nc, v)));
            }
        }
    }
    best
}

#[test]
fn closed_pieces_are_avoided_and_match_the_oracle() {
    for seed in [3u64, 11, 29] {
        let case = random_case(seed, 250, 800);
        let open = case.graph.clone();
        let mut router = Router::new(case.graph);
        let params = SearchParams::default();
        let mut changed = 0;
        for (s, t) in [(0u32, 200u32), (17, 111), (42, 7), (150, 90)] {
            router.clear_closures();
            let (a, b) = (Snap::at_node(&open, s).unwrap(), Snap::at_node(&open, t).unwrap());
            let mut space = super::search::SearchSpace::new(open.node_count());
            let Ok(before) = route(&open, &mut space, &a, &b, &params) else {
                continue;
            };
            let Some(&e) = before.edges.get(before.edges.len() / 2) else {
                continue;
            };
            let closed: BTreeSet<u32> = [open.edge_piece(e as usize).0].into();
            router.set_closures(&closed.iter().copied().collect::<Vec<_>>());
            assert_eq!(router.closed_pieces(), closed.iter().copied().collect::<Vec<_>>());
            let g = router.graph.clone();
            let oracle = oracle_without(&open, &closed, s);
            let (a, b) = (Snap::at_node(&g, s).unwrap(), Snap::at_node(&g, t).unwrap());
            let mut space = super::search::SearchSpace::new(g.node_count());
            match route(&g, &mut space, &a, &b, &params) {
                Ok(after) => {
                    assert!(
                        after
                            .edges
                            .iter()
                            .all(|&x| !closed.contains(&g.edge_piece(x as usize).0)),
                        "seed {seed}: route still uses the closed piece"
                    );
                    assert_eq!(
                        (after.road_time_s * 1000.0).round() as u64,
                        oracle[t as usize],
                        "seed {seed} {s}->{t}"
                    );
                    if after.edges != before.edges {
                        changed += 1;
                    }
                }
                Err(_) => assert_eq!(oracle[t as usize], u64::MAX, "seed {seed}: oracle reaches {t}"),
            }
        }
        assert!(changed > 0, "seed {seed}: no route changed");
        router.clear_closures();
        assert!(router.closed_pieces().is_empty());
        assert_eq!(*router.graph, open);
    }
}

#[test]
fn closing_the_jinghong_menghai_expressway_takes_the_old_road() {
    let pack = crate::mappack::MapPack::load(concat!(env!("CARGO_MANIFEST_DIR"), "/maps/xishuangbanna")).unwrap();
    let (graph, spec) = pack.roads().unwrap();
    let mut r = Router::with_spec(graph, spec);
    let (jinghong, menghai) = ([100.770536, 22.002969], [100.451376, 21.960022]);
    let before = r.route_lonlat(jinghong, menghai).unwrap();
    let pieces = r.pieces_between(jinghong, menghai).unwrap();
    assert_eq!(pieces.len(), 1, "{pieces:?}");
    r.set_closures(&pieces);
    let after = r.route_lonlat(jinghong, menghai).unwrap();
    // 54.2 km expressway (30 min) closed: the 59 km G214 old road is slower.
    assert!(
        after.road_time_s > before.road_time_s,
        "{} vs {}",
        after.road_time_s,
        before.road_time_s
    );
    assert!((after.dist_m - 59_000.0).abs() < 1.0, "{}", after.dist_m);
    r.clear_closures();
    assert_eq!(r.route_lonlat(jinghong, menghai).unwrap(), before);
}
