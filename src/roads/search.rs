//! Dijkstra searches over a [`Graph`] with reusable scratch memory ([`SearchSpace`]):
//! point-to-point routes with geometry, one-to-all, one-to-many and many-to-one ETA ranking
//! (k-nearest with a provably safe early stop), and multi-source coverage.
//!
//! Costs are integral: milliseconds ([`Metric::Time`]) or centimetres ([`Metric::Distance`]).
//! Every query starts and ends at a [`Snap`]: the search is seeded on the end node(s) of the
//! snapped piece that can be driven to, with the partial cost of that piece (one-way aware).
//! The off-road legs (query point ↔ snapped point) are a separate term at
//! [`SearchParams::offroad_speed_kmh`] (default [`DEFAULT_OFFROAD_SPEED_KMH`] = 5 km/h, walking
//! pace: the crew covers the last metres on foot).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::ch::{Ch, LexLabel, LexSpace, PhastSpace, Restriction, Weights};
use super::graph::{Graph, NO_EDGE};
use super::radix_heap::RadixHeap;
use super::snap::{Snap, scale};

/// Default speed of the off-road legs, km/h (walking).
pub const DEFAULT_OFFROAD_SPEED_KMH: f64 = 5.0;
/// "Unreached" cost.
const INF: u32 = u32::MAX;

/// What a search minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Metric {
    /// Travel time (edge costs in milliseconds).
    Time,
    /// Road distance (edge costs in centimetres).
    Distance,
}

/// Parameters of a query.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchParams {
    /// Metric minimised by [`route`] (ranking and coverage always use time).
    pub metric: Metric,
    /// Speed of the off-road legs in km/h.
    pub offroad_speed_kmh: f64,
    /// Off-road legs are the straight line times this factor (1.0 on a real road network;
    /// 1.4 on a schematic one, where the leg stands in for roads that are not modelled).
    pub offroad_detour: f64,
}

impl Default for SearchParams {
    fn default() -> Self {
        SearchParams {
            metric: Metric::Time,
            offroad_speed_kmh: DEFAULT_OFFROAD_SPEED_KMH,
            offroad_detour: 1.0,
        }
    }
}

impl SearchParams {
    /// Off-road time in milliseconds for a snap distance.
    pub fn offroad_ms(&self, snap_dist_m: f64) -> u32 {
        let v = if self.offroad_speed_kmh.is_finite() && self.offroad_speed_kmh > 0.0 {
            self.offroad_speed_kmh
        } else {
            DEFAULT_OFFROAD_SPEED_KMH
        };
        let detour = if self.offroad_detour.is_finite() && self.offroad_detour >= 1.0 {
            self.offroad_detour
        } else {
            1.0
        };
        (snap_dist_m.max(0.0) * detour * 3.6 / v * 1000.0)
            .round()
            .min((INF / 4) as f64) as u32
    }
}

/// Errors of a route query.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RouteError {
    /// No drivable connection exists.
    #[error(
        "no drivable road connection from lon {:.6}, lat {:.6} to lon {:.6}, lat {:.6} (one-way streets or separate road networks)",
        .from_lonlat[0], .from_lonlat[1], .to_lonlat[0], .to_lonlat[1]
    )]
    Unreachable {
        /// Start position.
        from_lonlat: [f64; 2],
        /// Destination position.
        to_lonlat: [f64; 2],
    },
    /// The search space was made for another graph.
    #[error("search space has {space} nodes but the graph has {graph}")]
    SpaceMismatch {
        /// Nodes in the space.
        space: usize,
        /// Nodes in the graph.
        graph: usize,
    },
}

/// Offsets, neighbour ids, weights and (backward only) forward edge ids of one adjacency.
type AdjView<'a> = (&'a [u32], &'a [u32], &'a [u32], Option<&'a [u32]>);

/// Reusable Dijkstra scratch memory; only nodes touched by a query are reset.
pub struct SearchSpace {
    cost: Vec<u32>,
    pred: Vec<u32>,
    origin: Vec<u32>,
    touched: Vec<u32>,
    seeded: Vec<u32>,
    heap: RadixHeap,
    used_pred: bool,
    used_origin: bool,
    watch_first: Vec<u32>,
    watched: Vec<u32>,
    final_bound: u32,
    settled: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dir {
    Forward,
    Backward,
}

impl SearchSpace {
    /// Scratch memory for a graph of `node_count` nodes.
    pub fn new(node_count: usize) -> SearchSpace {
        SearchSpace {
            cost: vec![INF; node_count],
            pred: vec![NO_EDGE; node_count],
            origin: vec![NO_EDGE; node_count],
            touched: Vec::new(),
            seeded: Vec::new(),
            heap: RadixHeap::new(),
            used_pred: false,
            used_origin: false,
            watch_first: vec![NO_EDGE; node_count],
            watched: Vec::new(),
            final_bound: 0,
            settled: 0,
        }
    }

    /// Final cost of node `v` from the last search (ms or cm), if it was reached within it.
    pub fn cost(&self, v: u32) -> Option<u32> {
        let c = *self.cost.get(v as usize)?;
        (c != INF && c <= self.final_bound).then_some(c)
    }

    /// Source index that reached `v` first in the last multi-source search.
    pub fn origin(&self, v: u32) -> Option<u32> {
        self.cost(v)
            .and_then(|_| self.origin.get(v as usize).copied())
            .filter(|&o| o != NO_EDGE)
    }

    /// Every node reached by the last search within its bound, with its cost: only the nodes
    /// the search touched are visited (not the whole graph).
    pub fn reached(&self) -> Vec<(u32, u32)> {
        self.touched
            .iter()
            .filter_map(|&v| self.cost(v).map(|c| (v, c)))
            .collect()
    }

    /// Number of nodes settled by the last search.
    pub fn settled_count(&self) -> usize {
        self.settled
    }

    fn check(&self, g: &Graph) -> Result<(), RouteError> {
        if self.cost.len() != g.node_count() {
            return Err(RouteError::SpaceMismatch {
                space: self.cost.len(),
                graph: g.node_count(),
            });
        }
        Ok(())
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            self.cost[v as usize] = INF;
        }
        // Seeds always write pred/origin; relaxations only when the search asked for them.
        let all = self.used_pred || self.used_origin;
        for &v in if all { &self.touched[..] } else { &self.seeded[..] } {
            self.pred[v as usize] = NO_EDGE;
            self.origin[v as usize] = NO_EDGE;
        }
        self.seeded.clear();
        self.used_pred = false;
        self.used_origin = false;
        self.touched.clear();
        for &v in &self.watched {
            self.watch_first[v as usize] = NO_EDGE;
        }
        self.watched.clear();
        self.heap.clear();
        self.final_bound = 0;
        self.settled = 0;
    }

    fn seed(&mut self, v: u32, c: u32, origin: u32) {
        let slot = &mut self.cost[v as usize];
        if c < *slot {
            if *slot == INF {
                self.touched.push(v);
            }
            *slot = c;
            self.pred[v as usize] = NO_EDGE;
            self.origin[v as usize] = origin;
            self.seeded.push(v);
            self.heap.push(c, v);
        }
    }

    /// Runs Dijkstra from the seeds; `on_settle(v, cost)` returning false stops the search.
    /// Nodes with cost above `limit` are not settled.
    fn run<const PRED: bool, const ORIGIN: bool>(
        &mut self,
        g: &Graph,
        dir: Dir,
        metric: Metric,
        limit: u32,
        mut on_settle: impl FnMut(&mut Self, u32, u32) -> bool,
    ) {
        let (offsets, adj, weights, edge_ids): AdjView<'_> = match (dir, metric) {
            (Dir::Forward, Metric::Time) => (&g.first_out, &g.head, &g.time_ms, None),
            (Dir::Forward, Metric::Distance) => (&g.first_out, &g.head, &g.dist_cm, None),
            (Dir::Backward, Metric::Time) => (&g.first_in, &g.in_tail, &g.in_time_ms, Some(&g.in_edge)),
            (Dir::Backward, Metric::Distance) => (&g.first_in, &g.in_tail, &g.in_dist_cm, Some(&g.in_edge)),
        };
        self.used_pred |= PRED;
        self.used_origin |= ORIGIN;
        while let Some((c, v)) = self.heap.pop() {
            if c > self.cost[v as usize] {
                continue;
            }
            if c > limit {
                self.final_bound = limit;
                return;
            }
            if !on_settle(self, v, c) {
                self.final_bound = c;
                return;
            }
            self.settled += 1;
            let o = if ORIGIN { self.origin[v as usize] } else { NO_EDGE };
            let (lo, hi) = (offsets[v as usize] as usize, offsets[v as usize + 1] as usize);
            let (Some(heads), Some(ws)) = (adj.get(lo..hi), weights.get(lo..hi)) else {
                continue;
            };
            for (j, (&w, &wt)) in heads.iter().zip(ws).enumerate() {
                let nc = c.saturating_add(wt).min(INF - 1);
                let Some(slot) = self.cost.get_mut(w as usize) else {
                    continue;
                };
                if nc < *slot {
                    if *slot == INF {
                        self.touched.push(w);
                    }
                    *slot = nc;
                    if PRED {
                        self.pred[w as usize] = match edge_ids {
                            None => (lo + j) as u32,
                            Some(ids) => ids[lo + j],
                        };
                    }
                    if ORIGIN {
                        self.origin[w as usize] = o;
                    }
                    self.heap.push(nc, w);
                }
            }
        }
        self.final_bound = limit;
    }
}

fn weights(g: &Graph, metric: Metric) -> &[u32] {
    match metric {
        Metric::Time => &g.time_ms,
        Metric::Distance => &g.dist_cm,
    }
}

/// Cost of driving directly along one piece from snap `from` to snap `to`, if both are on the
/// same piece and the direction is allowed.
pub(super) fn direct_cost(g: &Graph, from: &Snap, to: &Snap, w: &[u32]) -> Option<u32> {
    if from.piece != to.piece {
        return None;
    }
    let [fwd, bwd] = g.piece_edges(from.piece);
    if to.frac >= from.frac && fwd != NO_EDGE {
        Some(scale(w[fwd as usize], to.frac - from.frac))
    } else if to.frac <= from.frac && bwd != NO_EDGE {
        Some(scale(w[bwd as usize], from.frac - to.frac))
    } else {
        None
    }
}

/// Seeds (node, cost) for leaving `s` by road.
pub(super) fn leave_seeds(g: &Graph, s: &Snap, w: &[u32]) -> [Option<(u32, u32)>; 4] {
    s.partial_costs(g, w)
}

/// (node, extra cost) pairs for arriving at `s` by road.
fn arrive_watches(g: &Graph, s: &Snap, w: &[u32]) -> [Option<(u32, u32)>; 4] {
    s.arrive_costs(g, w)
}

/// A computed route.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Route {
    /// Total estimated time: road time plus both off-road legs, seconds.
    pub eta_s: f64,
    /// Driving time on roads, seconds.
    pub road_time_s: f64,
    /// Time of both off-road legs, seconds.
    pub offroad_s: f64,
    /// Driving distance on roads, metres.
    pub dist_m: f64,
    /// Length of both off-road legs (straight lines × the detour factor), metres.
    pub offroad_dist_m: f64,
    /// Road metres on estimated pieces (calibrated skeleton edges, see
    /// [`super::graph::ESTIMATE_BIT`]), partial first/last pieces included.
    pub estimated_m: f64,
    /// Full graph edges driven, in order (partial first/last pieces excluded).
    pub edges: Vec<u32>,
    /// Road geometry `[lon, lat]` from the snapped start to the snapped destination.
    pub geometry_lonlat: Vec<[f64; 2]>,
}

impl Route {
    /// Share of the road length on estimated pieces, 0..=1.
    pub fn estimated_share(&self) -> f64 {
        if self.dist_m > 0.0 {
            (self.estimated_m / self.dist_m).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Point-to-point route between two snapped positions, minimising `params.metric`.
pub fn route(
    g: &Graph,
    space: &mut SearchSpace,
    from: &Snap,
    to: &Snap,
    params: &SearchParams,
) -> Result<Route, RouteError> {
    space.check(g)?;
    space.reset();
    let w = weights(g, params.metric);
    for (node, c) in leave_seeds(g, from, w).into_iter().flatten() {
        space.seed(node, c, 0);
    }
    let targets = arrive_watches(g, to, w);
    // Best known: (cost, Some(end node) or None for the direct drive).
    let mut best: (u32, Option<(u32, usize)>) = (INF, None);
    if let Some(c) = direct_cost(g, from, to, w) {
        best = (c, None);
    }
    space.run::<true, false>(g, Dir::Forward, params.metric, INF - 1, |_, v, c| {
        if c >= best.0 {
            return false;
        }
        for (slot, t) in targets.iter().enumerate() {
            if let Some((node, extra)) = t
                && *node == v
                && c.saturating_add(*extra) < best.0
            {
                best = (c.saturating_add(*extra), Some((v, slot)));
            }
        }
        true
    });
    if best.0 == INF {
        return Err(RouteError::Unreachable {
            from_lonlat: from.query_lonlat,
            to_lonlat: to.query_lonlat,
        });
    }
    let off_m = (from.snap_dist_m + to.snap_dist_m) * params.offroad_detour.max(1.0);
    let offroad_ms = params.offroad_ms(from.snap_dist_m) as u64 + params.offroad_ms(to.snap_dist_m) as u64;
    let offroad_s = offroad_ms as f64 / 1000.0;
    let road_ms: u64;
    let mut route = Route {
        eta_s: 0.0,
        road_time_s: 0.0,
        offroad_s,
        dist_m: 0.0,
        offroad_dist_m: off_m,
        estimated_m: 0.0,
        edges: Vec::new(),
        geometry_lonlat: Vec::new(),
    };
    match best.1 {
        None => {
            let tm = direct_cost(g, from, to, &g.time_ms).unwrap_or(0);
            let dc = direct_cost(g, from, to, &g.dist_cm).unwrap_or(0);
            road_ms = u64::from(tm);
            route.road_time_s = tm as f64 / 1000.0;
            route.dist_m = dc as f64 / 100.0;
            if g.piece_estimated(from.piece) {
                route.estimated_m = route.dist_m;
            }
            route.geometry_lonlat = sub_piece_geometry(g, from, to);
        }
        Some((end, slot)) => {
            // Walk predecessors back to the seed node.
            let mut edges = Vec::new();
            let mut v = end;
            while space.pred[v as usize] != NO_EDGE {
                let e = space.pred[v as usize];
                edges.push(e);
                v = g.edge_tail(e as usize);
            }
            edges.reverse();
            let start = v;
            // Which way of leaving `from` the path used: the cheapest option at `start`.
            let w = weights(g, params.metric);
            let leave_opts = leave_seeds(g, from, w);
            let leave_slot = (0..4)
                .filter(|&i| leave_opts[i].is_some_and(|(n, _)| n == start))
                .min_by_key(|&i| leave_opts[i].map_or(INF, |(_, c)| c))
                .unwrap_or(0);
            // Slots 0 and 3 leave toward node b, 1 and 2 toward node a.
            let toward_b = leave_slot == 0 || leave_slot == 3;
            let pick = |opts: [Option<(u32, u32)>; 4], i: usize| opts[i].map_or(0, |(_, c)| c as u64);
            let lt = pick(leave_seeds(g, from, &g.time_ms), leave_slot);
            let ld = pick(leave_seeds(g, from, &g.dist_cm), leave_slot);
            let at = pick(arrive_watches(g, to, &g.time_ms), slot);
            let ad = pick(arrive_watches(g, to, &g.dist_cm), slot);
            let tm: u64 = edges.iter().map(|&e| g.time_ms[e as usize] as u64).sum::<u64>() + lt + at;
            let dc: u64 = edges.iter().map(|&e| g.dist_cm[e as usize] as u64).sum::<u64>() + ld + ad;
            road_ms = tm;
            route.road_time_s = tm as f64 / 1000.0;
            route.dist_m = dc as f64 / 100.0;
            let est_cm: u64 = edges
                .iter()
                .filter(|&&e| g.piece_estimated(g.edge_piece(e as usize).0))
                .map(|&e| g.dist_cm[e as usize] as u64)
                .sum::<u64>()
                + if g.piece_estimated(from.piece) { ld } else { 0 }
                + if g.piece_estimated(to.piece) { ad } else { 0 };
            route.estimated_m = est_cm as f64 / 100.0;
            let mut geo = from.partial_geometry(g, toward_b);
            for &e in &edges {
                let eg = g.edge_geometry_lonlat(e as usize);
                geo.extend_from_slice(&eg[1..]);
            }
            // Arrival slots 0 and 2 come from node a's side, 1 and 3 from node b's side.
            let mut tail = to.partial_geometry(g, slot == 1 || slot == 3);
            tail.reverse();
            geo.extend_from_slice(&tail[1..]);
            route.geometry_lonlat = geo;
            route.edges = edges;
        }
    }
    route.eta_s = (road_ms + offroad_ms) as f64 / 1000.0;
    Ok(route)
}

/// Geometry along one piece between two snaps on it.
fn sub_piece_geometry(g: &Graph, from: &Snap, to: &Snap) -> Vec<[f64; 2]> {
    let pts = g.piece_points_e7(from.piece);
    let mut out = vec![from.point_lonlat];
    let (fs, ts) = (from.seg as usize, to.seg as usize);
    let forward = (to.seg, to.seg_t) >= (from.seg, from.seg_t);
    if forward {
        for p in pts.iter().take(ts + 1).skip(fs + 1) {
            out.push(super::graph::e7_to_deg(*p));
        }
    } else {
        for i in (ts + 1..=fs).rev() {
            out.push(super::graph::e7_to_deg(pts[i]));
        }
    }
    out.push(to.point_lonlat);
    out
}

/// Searches from `from` to every node (or every node within `limit_s` seconds), by time.
/// Read results with [`SearchSpace::cost`]; returns the number of settled nodes.
pub fn one_to_all(
    g: &Graph,
    space: &mut SearchSpace,
    from: &Snap,
    params: &SearchParams,
    limit_s: Option<f64>,
) -> Result<usize, RouteError> {
    space.check(g)?;
    space.reset();
    let off = params.offroad_ms(from.snap_dist_m);
    for (node, c) in leave_seeds(g, from, &g.time_ms).into_iter().flatten() {
        space.seed(node, c.saturating_add(off), 0);
    }
    let limit = limit_s.map_or(INF - 1, |s| (s.max(0.0) * 1000.0).min((INF - 1) as f64) as u32);
    space.run::<false, false>(g, Dir::Forward, Metric::Time, limit, |_, _, _| true);
    Ok(space.settled_count())
}

/// One ranked position (unit or target) with its ETA.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Ranked {
    /// Index into the input slice.
    pub index: usize,
    /// Estimated time including both off-road legs, seconds.
    pub eta_s: f64,
    /// Off-road part of `eta_s`, seconds.
    pub offroad_s: f64,
}

/// Shared engine of the ranking queries: items are reached when one of their watched nodes is
/// settled (cost + extra). Stops once the k best items are certain.
fn rank_items(
    g: &Graph,
    space: &mut SearchSpace,
    dir: Dir,
    watches: &mut [(u32, u32, u32)],
    bounds: &mut [u32],
    k: usize,
) {
    watches.sort_unstable();
    for (i, &(node, _, _)) in watches.iter().enumerate() {
        if space.watch_first[node as usize] == NO_EDGE {
            space.watch_first[node as usize] = i as u32;
            space.watched.push(node);
        }
    }
    let n = bounds.len();
    let k = k.min(n);
    if k == 0 {
        return;
    }
    // Items whose bound is ≤ the current settle cost are final (later improvements would be
    // ≥ that cost); once k items are final the k best are known. `pending` holds every bound
    // ever set, lazily skipping stale entries.
    let mut pending: BinaryHeap<Reverse<(u32, u32)>> = bounds
        .iter()
        .enumerate()
        .filter(|(_, b)| **b < INF - 1)
        .map(|(i, &b)| Reverse((b, i as u32)))
        .collect();
    let mut counted = vec![false; n];
    let mut n_final = 0usize;
    space.run::<false, false>(g, dir, Metric::Time, INF - 1, |sp, v, c| {
        while let Some(&Reverse((b, item))) = pending.peek() {
            if b > c {
                break;
            }
            pending.pop();
            if b == bounds[item as usize] && !counted[item as usize] {
                counted[item as usize] = true;
                n_final += 1;
            }
        }
        if n_final >= k {
            return false;
        }
        let first = sp.watch_first[v as usize];
        if first != NO_EDGE {
            let mut i = first as usize;
            while let Some(&(node, extra, item)) = watches.get(i) {
                if node != v {
                    break;
                }
                let nb = c.saturating_add(extra);
                if nb < bounds[item as usize] {
                    bounds[item as usize] = nb;
                    pending.push(Reverse((nb, item)));
                }
                i += 1;
            }
        }
        true
    });
}

fn ranked_output(bounds: &[u32], offroad_ms: &[u32], k: usize) -> Vec<Ranked> {
    let mut out: Vec<Ranked> = bounds
        .iter()
        .enumerate()
        .filter(|(_, b)| **b < INF - 1)
        .map(|(i, &b)| Ranked {
            index: i,
            eta_s: b as f64 / 1000.0,
            offroad_s: offroad_ms[i] as f64 / 1000.0,
        })
        .collect();
    out.sort_by(|a, b| a.eta_s.total_cmp(&b.eta_s).then(a.index.cmp(&b.index)));
    out.truncate(k);
    out
}

/// Ranks `units` by ETA **to** `target` with ONE backward search (many-to-one). With
/// `k = Some(n)` only the n fastest are returned and the search stops as soon as they are
/// certain; unreachable units are left out. Sorted by ETA.
pub fn rank_to_target(
    g: &Graph,
    space: &mut SearchSpace,
    units: &[Snap],
    target: &Snap,
    k: Option<usize>,
    params: &SearchParams,
) -> Result<Vec<Ranked>, RouteError> {
    space.check(g)?;
    space.reset();
    let w = &g.time_ms;
    let target_off = params.offroad_ms(target.snap_dist_m);
    // Backward seeds: reaching the target point from node a (a→point) or node b.
    for (node, c) in arrive_watches(g, target, w).into_iter().flatten() {
        space.seed(node, c, 0);
    }
    let mut offroad = Vec::with_capacity(units.len());
    let mut bounds = Vec::with_capacity(units.len());
    let mut watches = Vec::with_capacity(units.len() * 2);
    for (i, u) in units.iter().enumerate() {
        let off = params.offroad_ms(u.snap_dist_m).saturating_add(target_off);
        offroad.push(off);
        bounds.push(direct_cost(g, u, target, w).map_or(INF - 1, |c| c.saturating_add(off)));
        for (node, c) in leave_seeds(g, u, w).into_iter().flatten() {
            watches.push((node, c.saturating_add(off), i as u32));
        }
    }
    let k = k.unwrap_or(units.len());
    rank_items(g, space, Dir::Backward, &mut watches, &mut bounds, k);
    Ok(ranked_output(&bounds, &offroad, k))
}

/// The nodes a unit leaves from by road (what a [`Restriction`] for ranking must cover).
pub fn leave_nodes(g: &Graph, units: &[Snap]) -> Vec<u32> {
    let w = &g.time_ms;
    let mut nodes: Vec<u32> = units
        .iter()
        .flat_map(|u| leave_seeds(g, u, w).into_iter().flatten().map(|(n, _)| n))
        .collect();
    nodes.sort_unstable();
    nodes.dedup();
    nodes
}

/// Like [`rank_to_target`], but exact times come from one all-to-one PHAST query over the
/// hierarchy `ch` (built for `g`): best when all (or most) units are wanted. Same results as
/// [`rank_to_target`] (same seeds, partial costs and off-road legs); `k` truncates the output.
/// With a `restriction` that covers the units' [`leave_nodes`] (built backward), the sweep
/// visits only the part of the hierarchy those nodes depend on (RPHAST); otherwise all of it.
#[allow(clippy::too_many_arguments)]
pub fn rank_to_target_ch(
    g: &Graph,
    ch: &Ch,
    space: &mut PhastSpace,
    restriction: Option<&Restriction>,
    units: &[Snap],
    target: &Snap,
    k: Option<usize>,
    params: &SearchParams,
) -> Result<Vec<Ranked>, RouteError> {
    if !ch.fits(g) {
        return Err(RouteError::SpaceMismatch {
            space: ch.node_count(),
            graph: g.node_count(),
        });
    }
    let w = &g.time_ms;
    let target_off = params.offroad_ms(target.snap_dist_m);
    let seeds: Vec<(u32, u32)> = arrive_watches(g, target, w).into_iter().flatten().collect();
    match restriction {
        Some(r) if r.covers(&leave_nodes(g, units), true) => ch.all_to_one_restricted(space, &seeds, r),
        _ => ch.all_to_one(space, &seeds),
    }
    let mut offroad = Vec::with_capacity(units.len());
    let mut bounds = Vec::with_capacity(units.len());
    for u in units {
        let off = params.offroad_ms(u.snap_dist_m).saturating_add(target_off);
        offroad.push(off);
        let mut b = direct_cost(g, u, target, w).map_or(INF - 1, |c| c.saturating_add(off));
        for (node, c) in leave_seeds(g, u, w).into_iter().flatten() {
            if let Some(d) = ch.cost_ms(space, node) {
                b = b.min(d.saturating_add(c.saturating_add(off)));
            }
        }
        bounds.push(b);
    }
    let k = k.unwrap_or(units.len());
    Ok(ranked_output(&bounds, &offroad, k))
}

/// ETAs **from** `origin` to `targets` with one forward search (one-to-many); `k = Some(n)`
/// returns only the n nearest by time, stopping early. Sorted by ETA.
pub fn etas_from(
    g: &Graph,
    space: &mut SearchSpace,
    origin: &Snap,
    targets: &[Snap],
    k: Option<usize>,
    params: &SearchParams,
) -> Result<Vec<Ranked>, RouteError> {
    space.check(g)?;
    space.reset();
    let w = &g.time_ms;
    let origin_off = params.offroad_ms(origin.snap_dist_m);
    for (node, c) in leave_seeds(g, origin, w).into_iter().flatten() {
        space.seed(node, c, 0);
    }
    let mut offroad = Vec::with_capacity(targets.len());
    let mut bounds = Vec::with_capacity(targets.len());
    let mut watches = Vec::with_capacity(targets.len() * 2);
    for (i, t) in targets.iter().enumerate() {
        let off = params.offroad_ms(t.snap_dist_m).saturating_add(origin_off);
        offroad.push(off);
        bounds.push(direct_cost(g, origin, t, w).map_or(INF - 1, |c| c.saturating_add(off)));
        for (node, c) in arrive_watches(g, t, w).into_iter().flatten() {
            watches.push((node, c.saturating_add(off), i as u32));
        }
    }
    let k = k.unwrap_or(targets.len());
    rank_items(g, space, Dir::Forward, &mut watches, &mut bounds, k);
    Ok(ranked_output(&bounds, &offroad, k))
}

/// Result of a multi-source search: per node, the fastest source and its time.
#[derive(Debug, Clone)]
pub struct Coverage {
    /// Per node: time from the nearest source in ms (`u32::MAX` = not reached).
    pub eta_ms: Vec<u32>,
    /// Per node: index of that source (`u32::MAX` = none).
    pub source: Vec<u32>,
}

impl Coverage {
    /// Time in seconds from the nearest source to node `v`.
    pub fn eta_s(&self, v: u32) -> Option<f64> {
        self.eta_ms
            .get(v as usize)
            .filter(|&&c| c != INF)
            .map(|&c| c as f64 / 1000.0)
    }

    /// Index of the nearest source of node `v`.
    pub fn source_of(&self, v: u32) -> Option<usize> {
        self.source
            .get(v as usize)
            .filter(|&&s| s != NO_EDGE)
            .map(|&s| s as usize)
    }
}

/// Multi-source forward search (coverage): the nearest source by time for every node within
/// `limit_s` (all nodes if `None`). Source off-road legs are included.
pub fn coverage(
    g: &Graph,
    space: &mut SearchSpace,
    sources: &[Snap],
    params: &SearchParams,
    limit_s: Option<f64>,
) -> Result<Coverage, RouteError> {
    space.check(g)?;
    space.reset();
    for (i, s) in sources.iter().enumerate() {
        let off = params.offroad_ms(s.snap_dist_m);
        for (node, c) in leave_seeds(g, s, &g.time_ms).into_iter().flatten() {
            space.seed(node, c.saturating_add(off), i as u32);
        }
    }
    let limit = limit_s.map_or(INF - 1, |s| (s.max(0.0) * 1000.0).min((INF - 1) as f64) as u32);
    space.run::<false, true>(g, Dir::Forward, Metric::Time, limit, |_, _, _| true);
    let n = g.node_count();
    let mut cov = Coverage {
        eta_ms: vec![INF; n],
        source: vec![NO_EDGE; n],
    };
    for &v in &space.touched {
        if let Some(c) = space.cost(v) {
            cov.eta_ms[v as usize] = c;
            cov.source[v as usize] = space.origin[v as usize];
        }
    }
    Ok(cov)
}

/// One demand point's nearest source in a [`NearestSources`] search.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct NearestHit {
    /// Index of the source (into the slice given to [`nearest_sources`]).
    pub source: usize,
    /// Travel time source → point, both off-road legs included, ms.
    pub time_ms: u64,
    /// Road distance source → point, both off-road legs (straight line × detour) included, cm.
    pub dist_cm: u64,
}

/// Result of [`nearest_sources`]: per node, the nearest source by the search's metric and the
/// time and distance of that path (with the sources' off-road legs).
#[derive(Debug, Clone)]
pub struct NearestSources {
    /// The metric minimised; the other one is carried along the chosen path.
    pub metric: Metric,
    /// Per node: time of the chosen path, ms (`u32::MAX` = not reached).
    pub time_ms: Vec<u32>,
    /// Per node: road distance of the chosen path, cm (`u32::MAX` = not reached).
    pub dist_cm: Vec<u32>,
    /// Per node: index of the source (`u32::MAX` = none).
    pub source: Vec<u32>,
    /// Per road piece holding a source: those sources (a point on the same piece may be
    /// reached directly along it, without passing a node).
    on_piece: std::collections::HashMap<u32, Vec<u32>>,
    /// `params.offroad_ms`/detour of the search, so points are evaluated the same way.
    params: SearchParams,
    sources: Vec<Snap>,
}

/// How a snapped point is reached from its piece's end nodes, by time and by distance
/// (`(node, extra ms / cm)`, see [`Snap::arrive_costs`]): fixed for a point and a graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrivals {
    time: [Option<(u32, u32)>; 4],
    dist: [Option<(u32, u32)>; 4],
}

impl Arrivals {
    /// The arrivals of `at` on `g`.
    pub fn of(g: &Graph, at: &Snap) -> Arrivals {
        Arrivals {
            time: arrive_watches(g, at, &g.time_ms),
            dist: arrive_watches(g, at, &g.dist_cm),
        }
    }
}

/// Off-road leg as road distance in cm (straight line × detour, as [`route`] reports it).
fn offroad_cm(params: &SearchParams, snap_dist_m: f64) -> u32 {
    (snap_dist_m.max(0.0) * params.offroad_detour.max(1.0) * 100.0)
        .round()
        .min((INF / 4) as f64) as u32
}

impl NearestSources {
    fn pair(&self, metric_first: bool, t: u64, d: u64) -> (u64, u64) {
        if metric_first { (t, d) } else { (d, t) }
    }

    /// Nearest source of the snapped point `at`: arrival over either end of its piece, or a
    /// direct drive along the piece from a source on it, plus the point's own off-road leg.
    /// `None` when no source reaches it (within the search's limit).
    pub fn at_snap(&self, g: &Graph, at: &Snap) -> Option<NearestHit> {
        self.at_arrivals(g, at, &Arrivals::of(g, at))
    }

    /// [`NearestSources::at_snap`] with the point's arrivals computed once ([`Arrivals::of`])
    /// for many searches over the same graph.
    pub fn at_arrivals(&self, g: &Graph, at: &Snap, arrivals: &Arrivals) -> Option<NearestHit> {
        let time_first = self.metric == Metric::Time;
        let (at_t, at_d) = (&arrivals.time, &arrivals.dist);
        let mut best: Option<((u64, u64), NearestHit)> = None;
        let mut offer = |hit: NearestHit| {
            let key = self.pair(time_first, hit.time_ms, hit.dist_cm);
            if best.is_none_or(|(k, _)| key < k) {
                best = Some((key, hit));
            }
        };
        for (slot_t, slot_d) in at_t.iter().zip(at_d) {
            let (Some((v, et)), Some((_, ed))) = (slot_t, slot_d) else {
                continue;
            };
            let (Some(&t), Some(&d), Some(&s)) = (
                self.time_ms.get(*v as usize),
                self.dist_cm.get(*v as usize),
                self.source.get(*v as usize),
            ) else {
                continue;
            };
            if t == INF || s == NO_EDGE {
                continue;
            }
            offer(NearestHit {
                source: s as usize,
                time_ms: u64::from(t) + u64::from(*et),
                dist_cm: u64::from(d) + u64::from(*ed),
            });
        }
        if let Some(list) = self.on_piece.get(&at.piece) {
            for &i in list {
                let src = &self.sources[i as usize];
                if let (Some(t), Some(d)) = (direct_cost(g, src, at, &g.time_ms), direct_cost(g, src, at, &g.dist_cm)) {
                    offer(NearestHit {
                        source: i as usize,
                        time_ms: u64::from(t) + u64::from(self.params.offroad_ms(src.snap_dist_m)),
                        dist_cm: u64::from(d) + u64::from(offroad_cm(&self.params, src.snap_dist_m)),
                    });
                }
            }
        }
        let (_, mut hit) = best?;
        hit.time_ms += u64::from(self.params.offroad_ms(at.snap_dist_m));
        hit.dist_cm += u64::from(offroad_cm(&self.params, at.snap_dist_m));
        Some(hit)
    }
}

/// Multi-source forward search for coverage that minimises `metric` and carries the OTHER
/// measure along the chosen path (ties in the metric go to the smaller other measure, then to
/// the lower source index, so the result is the lexicographic minimum of (metric, other,
/// source) and independent of search order).
///
/// Why a distance metric for distance targets: a service radius "measured along roads" (the
/// ambulance's 5 km urban / 20 km rural) is the SHORTEST road distance from a unit; the distance
/// of the fastest route is often longer (a detour by the expressway) and would understate
/// coverage. So a distance target is checked with `Metric::Distance` (its reported time is that
/// of the shortest road), a time target with `Metric::Time` (its reported distance is that of
/// the fastest route). Sources' off-road legs are included; `limit` (in the metric's units: ms
/// or cm) stops the search early. Evaluate points with [`NearestSources::at_snap`].
pub fn nearest_sources(
    g: &Graph,
    space: &mut SearchSpace,
    sources: &[Snap],
    metric: Metric,
    params: &SearchParams,
    limit: Option<u32>,
) -> Result<NearestSources, RouteError> {
    nearest_sources_bounded(g, space, sources, metric, params, limit, None)
}

/// [`nearest_sources`] that does not go on from a node whose (primary, secondary) cost is at
/// or beyond `bound[node]` (the node keeps its label). With `bound` = what two other sources
/// already achieve there, the labels stay exact wherever these sources are strictly better
/// than those two: a path through a bounded node costs at least the bound plus the rest, which
/// the two others also reach (the pruned searches of coverage's move-up).
pub fn nearest_sources_bounded(
    g: &Graph,
    space: &mut SearchSpace,
    sources: &[Snap],
    metric: Metric,
    params: &SearchParams,
    limit: Option<u32>,
    bound: Option<&[(u32, u32)]>,
) -> Result<NearestSources, RouteError> {
    space.check(g)?;
    space.reset();
    let n = g.node_count();
    let mut out = NearestSources {
        metric,
        time_ms: vec![INF; n],
        dist_cm: vec![INF; n],
        source: vec![NO_EDGE; n],
        on_piece: std::collections::HashMap::new(),
        params: *params,
        sources: sources.to_vec(),
    };
    let time_first = metric == Metric::Time;
    let (prim, sec, wp, ws) = if time_first {
        (&mut out.time_ms, &mut out.dist_cm, &g.time_ms, &g.dist_cm)
    } else {
        (&mut out.dist_cm, &mut out.time_ms, &g.dist_cm, &g.time_ms)
    };
    let heap = &mut space.heap;
    for (i, s) in sources.iter().enumerate() {
        out.on_piece.entry(s.piece).or_default().push(i as u32);
        let (off_t, off_d) = (params.offroad_ms(s.snap_dist_m), offroad_cm(params, s.snap_dist_m));
        let (off_p, off_s) = if time_first { (off_t, off_d) } else { (off_d, off_t) };
        let seeds_p = leave_seeds(g, s, wp);
        let seeds_s = leave_seeds(g, s, ws);
        for (sp, ss) in seeds_p.iter().zip(&seeds_s) {
            let (Some((v, cp)), Some((_, cs))) = (sp, ss) else {
                continue;
            };
            let (p, q) = (
                cp.saturating_add(off_p).min(INF - 1),
                cs.saturating_add(off_s).min(INF - 1),
            );
            let vi = *v as usize;
            if (p, q, i as u32) < (prim[vi], sec[vi], out.source[vi]) {
                prim[vi] = p;
                sec[vi] = q;
                out.source[vi] = i as u32;
                heap.push(p, *v);
            }
        }
    }
    let limit = limit.unwrap_or(INF - 1);
    let mut settled = 0usize;
    while let Some((c, v)) = heap.pop() {
        let vi = v as usize;
        // A node whose secondary measure improved at the same primary cost is popped again and
        // re-relaxed; stale entries with a higher primary cost are skipped.
        if c > prim[vi] {
            continue;
        }
        if c > limit {
            break;
        }
        settled += 1;
        let (s, o) = (sec[vi], out.source[vi]);
        if bound.and_then(|b| b.get(vi)).is_some_and(|&b| (c, s) >= b) {
            continue;
        }
        let (lo, hi) = (g.first_out[vi] as usize, g.first_out[vi + 1] as usize);
        for e in lo..hi {
            let w = g.head[e] as usize;
            let nc = c.saturating_add(wp[e]).min(INF - 1);
            let ns = s.saturating_add(ws[e]).min(INF - 1);
            if (nc, ns, o) < (prim[w], sec[w], out.source[w]) {
                prim[w] = nc;
                sec[w] = ns;
                out.source[w] = o;
                heap.push(nc, w as u32);
            }
        }
    }
    heap.clear();
    space.settled = settled;
    if limit < INF - 1 {
        // Nodes labelled beyond the limit were never settled: report them unreached.
        let (prim, sec) = if time_first {
            (&mut out.time_ms, &mut out.dist_cm)
        } else {
            (&mut out.dist_cm, &mut out.time_ms)
        };
        for v in 0..n {
            if prim[v] != INF && prim[v] > limit {
                prim[v] = INF;
                sec[v] = INF;
                out.source[v] = NO_EDGE;
            }
        }
    }
    Ok(out)
}

/// [`nearest_sources`] from a hierarchy: one lexicographic multi-source PHAST query
/// ([`Ch::one_to_all_lex`]) gives every node the least (metric, other measure, source index)
/// over all sources and paths: the labels the Dijkstra settles, which minimises the same key
/// (the hierarchy's witnesses compare both weights in that order, so no lexicographically
/// shortest path is lost). The metric is the hierarchy's ([`Weights`]: time for a time
/// hierarchy, road distance for a distance one). `None` when the hierarchy was built for
/// another graph size. `limit` in ms or cm as in [`nearest_sources`].
pub fn nearest_sources_ch(
    g: &Graph,
    ch: &Ch,
    space: &mut LexSpace,
    sources: &[Snap],
    params: &SearchParams,
    limit: Option<u32>,
) -> Option<NearestSources> {
    if ch.node_count() != g.node_count() {
        return None;
    }
    let time_first = ch.weights() == Weights::TimeFirst;
    let mut out = NearestSources {
        metric: if time_first { Metric::Time } else { Metric::Distance },
        time_ms: Vec::new(),
        dist_cm: Vec::new(),
        source: Vec::new(),
        on_piece: std::collections::HashMap::new(),
        params: *params,
        sources: sources.to_vec(),
    };
    // Seeds as the Dijkstra makes them: (node, (metric, other, source)).
    let mut seeds: Vec<(u32, LexLabel)> = Vec::with_capacity(2 * sources.len());
    for (i, s) in sources.iter().enumerate() {
        out.on_piece.entry(s.piece).or_default().push(i as u32);
        let (off_t, off_d) = (params.offroad_ms(s.snap_dist_m), offroad_cm(params, s.snap_dist_m));
        for (st, sd) in leave_seeds(g, s, &g.time_ms).iter().zip(&leave_seeds(g, s, &g.dist_cm)) {
            if let (Some((v, ct)), Some((_, cd))) = (st, sd) {
                let t = ct.saturating_add(off_t).min(INF - 1);
                let d = cd.saturating_add(off_d).min(INF - 1);
                let (first, second) = if time_first { (t, d) } else { (d, t) };
                let source = i as u32;
                seeds.push((*v, LexLabel { first, second, source }));
            }
        }
    }
    ch.one_to_all_lex(space, &seeds);
    let limit = limit.unwrap_or(INF - 1);
    let n = g.node_count();
    out.time_ms.reserve(n);
    out.dist_cm.reserve(n);
    out.source.reserve(n);
    for l in ch.lex_by_node(space) {
        if l.first == INF || l.first > limit {
            out.time_ms.push(INF);
            out.dist_cm.push(INF);
            out.source.push(NO_EDGE);
        } else {
            let (t, d) = if time_first {
                (l.first, l.second)
            } else {
                (l.second, l.first)
            };
            out.time_ms.push(t);
            out.dist_cm.push(d);
            out.source.push(l.source);
        }
    }
    Some(out)
}
