//! High-level facade for the console and CLI: build a map pack from a PBF, load it, and answer
//! lon/lat queries (route, rank units, coverage, isochrone) with one owned search space.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use super::ch::{BatchSpace, Ch, ChError, ChParams, ChStats, LexSpace, PhastSpace, Restriction, Weights};
use super::graph::{Graph, GraphFileError};
use super::isochrone::{DEFAULT_CELL_M, IsoGrid, IsoSpace, isochrone_geojson, isochrone_grid, isochrone_grid_ch};
use super::osm::{ImportOptions, ImportStats, OsmError, import_pbf_path};
use super::search::{
    Coverage, Metric, NearestSources, Ranked, Route, RouteError, SearchParams, SearchSpace, coverage, leave_nodes,
    nearest_sources, nearest_sources_bounded, nearest_sources_ch, rank_to_target, rank_to_target_ch, route,
};
use super::snap::{Snap, SnapCache, SnapError, SnapIndex};
use super::targets::PointTargets;

/// Any error of the road-routing core.
#[derive(Debug, thiserror::Error)]
pub enum RoadsError {
    /// OSM import failed.
    #[error(transparent)]
    Osm(#[from] OsmError),
    /// Reading or writing the graph file failed.
    #[error(transparent)]
    File(#[from] GraphFileError),
    /// A position could not be snapped to a road.
    #[error(transparent)]
    Snap(#[from] SnapError),
    /// A search failed.
    #[error(transparent)]
    Route(#[from] RouteError),
    /// A contraction hierarchy does not fit the graph.
    #[error(transparent)]
    Ch(#[from] ChError),
}

/// Imports `pbf` and writes the graph file `out` (the "map pack" road layer).
pub fn build_mappack(pbf: &Path, out: &Path, opts: &ImportOptions<'_>) -> Result<ImportStats, RoadsError> {
    let (graph, stats) = import_pbf_path(pbf, opts)?;
    graph.save(out)?;
    Ok(stats)
}

/// Routing settings of a `roads` layer.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(default)]
pub struct RoutingSpec {
    /// The network is drawn schematically (straight segments between known towns with
    /// published lengths), so every time over it is an estimate.
    pub schematic: bool,
    /// Speed of the leg from a point to the network, km/h.
    pub offroad_speed_kmh: f64,
    /// That leg is the straight line times this factor.
    pub offroad_detour: f64,
    /// Points farther than this from the network are refused, km.
    pub max_snap_km: f64,
    /// A real-network route whose off-road legs exceed this is also marked an estimate, m.
    pub estimate_offroad_m: f64,
}

impl Default for RoutingSpec {
    fn default() -> Self {
        RoutingSpec {
            schematic: false,
            offroad_speed_kmh: 5.0,
            offroad_detour: 1.0,
            max_snap_km: 5.0,
            estimate_offroad_m: 300.0,
        }
    }
}

/// Result of ranking units: the ranked ones plus those that could not be snapped.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RankOutcome {
    /// Reachable units by ETA (indices refer to the input slice).
    pub ranked: Vec<Ranked>,
    /// Units (input index) whose position is too far from any road.
    pub unsnapped: Vec<(usize, String)>,
}

/// A loaded graph with its snap index and a reusable search space.
pub struct Router {
    /// The road graph (shared with the map pack and the map layer).
    pub graph: Arc<Graph>,
    /// Snap index over the largest strongly connected component.
    pub snap_index: SnapIndex,
    /// Query parameters (metric, off-road speed).
    pub params: SearchParams,
    /// The pack's routing settings.
    pub spec: RoutingSpec,
    space: SearchSpace,
    /// Snaps of unit positions already seen (cleared with the snap index).
    unit_snaps: SnapCache,
    /// Optional contraction hierarchy (valid only for the unmodified graph) and its scratch.
    ch: Option<(Ch, PhastSpace)>,
    /// Optional distance-first hierarchy ([`Weights::DistanceFirst`]): coverage by road
    /// distance. Dropped with the time hierarchy.
    dist_ch: Option<Ch>,
    /// The part of the hierarchy that ranking the last units needed (RPHAST), kept while they
    /// do not move; dropped with the hierarchy.
    rank_restriction: Option<Restriction>,
    /// Scratch of batched one-to-many queries over the hierarchy (made on first use: one cost
    /// per lane for each row of the demand points' plan).
    batch: Option<BatchSpace>,
    /// Scratch of the lexicographic query of coverage by time over the hierarchy
    /// ([`nearest_sources_ch`]), kept between coverage refreshes.
    lex: LexSpace,
    /// The last demand points prepared for the hierarchy, with a hash of their snaps; dropped
    /// with the hierarchy.
    targets: Option<(u64, std::sync::Arc<PointTargets>)>,
    /// Whether the graph holds estimated (calibrated skeleton) pieces: asked for every
    /// coverage point, so found once per graph, not by scanning the pieces each time.
    estimated_pieces: bool,
    /// Road closures: the graph as loaded (restored by [`Router::clear_closures`]) and the
    /// closed pieces. Empty when nothing is closed.
    closures: Option<(Arc<Graph>, BTreeSet<u32>)>,
    /// Scratch and road layout of isochrones over the hierarchy, kept between them; made
    /// anew with the graph.
    iso: IsoSpace,
}

impl Router {
    /// Wraps a graph (builds the snap index on its largest strongly connected component).
    pub fn new(graph: impl Into<Arc<Graph>>) -> Router {
        let graph: Arc<Graph> = graph.into();
        let snap_index = SnapIndex::build_largest_scc(&graph);
        let space = SearchSpace::new(graph.node_count());
        let estimated_pieces = graph.has_estimated_pieces();
        Router {
            graph,
            snap_index,
            params: SearchParams::default(),
            spec: RoutingSpec::default(),
            space,
            unit_snaps: SnapCache::default(),
            ch: None,
            dist_ch: None,
            rank_restriction: None,
            batch: None,
            lex: LexSpace::default(),
            targets: None,
            estimated_pieces,
            closures: None,
            iso: IsoSpace::new(),
        }
    }

    /// Wraps a pack's graph with its routing settings (off-road speed and detour, snap limit).
    pub fn with_spec(graph: impl Into<Arc<Graph>>, spec: RoutingSpec) -> Router {
        let mut r = Router::new(graph);
        r.params.offroad_speed_kmh = spec.offroad_speed_kmh;
        r.params.offroad_detour = spec.offroad_detour;
        r.snap_index.max_snap_m = spec.max_snap_km * 1000.0;
        r.spec = spec;
        r
    }

    /// Whether a time is an estimate: always on a schematic network, and on a real one when its
    /// off-road legs are long. Without a path (ranking, supplies) a network with calibrated
    /// skeleton pieces counts as an estimate too; [`Router::route_is_estimate`] is exact.
    pub fn is_estimate(&self, offroad_dist_m: f64) -> bool {
        self.spec.schematic || offroad_dist_m > self.spec.estimate_offroad_m || self.estimated_pieces
    }

    /// Whether a route's time is an estimate: schematic network, long off-road legs, or any of
    /// its length on a calibrated skeleton piece.
    pub fn route_is_estimate(&self, route: &Route) -> bool {
        self.spec.schematic || route.offroad_dist_m > self.spec.estimate_offroad_m || route.estimated_m > 0.0
    }

    /// Share of a route's road length that is an estimate: 1 on a schematic network.
    pub fn estimated_share(&self, route: &Route) -> f64 {
        if self.spec.schematic {
            1.0
        } else {
            route.estimated_share()
        }
    }

    /// Whether the network has estimated pieces at all (schematic, or calibrated skeleton).
    pub fn has_estimates(&self) -> bool {
        self.spec.schematic || self.estimated_pieces
    }

    /// Builds a contraction hierarchy over the graph (seconds on large graphs; the console may
    /// instead build [`Ch::build`] on a background thread and call [`Router::set_ch`]). From then
    /// on [`Router::rank_units`] ranks all units with one PHAST sweep. The hierarchy is only
    /// valid for the unmodified graph: call [`Router::clear_ch`] when roads are closed.
    pub fn build_ch(&mut self) -> ChStats {
        self.build_ch_with_progress(&mut |_| {})
    }

    /// [`Router::build_ch`], reporting the share done (0..=1) as it goes.
    pub fn build_ch_with_progress(&mut self, progress: &mut dyn FnMut(f32)) -> ChStats {
        let ch = Ch::build_with_progress(&self.graph, Weights::TimeFirst, &ChParams::default(), progress);
        let stats = ch.stats();
        let space = PhastSpace::new(ch.node_count());
        self.ch = Some((ch, space));
        self.rank_restriction = None;
        self.targets = None;
        stats
    }

    /// Builds the distance-first hierarchy ([`Weights::DistanceFirst`]): from then on
    /// coverage by road distance takes one lexicographic PHAST query instead of the Dijkstra.
    pub fn build_dist_ch(&mut self) -> ChStats {
        let ch = Ch::build_for(&self.graph, Weights::DistanceFirst, &ChParams::default());
        let stats = ch.stats();
        self.dist_ch = Some(ch);
        stats
    }

    /// Installs a hierarchy built elsewhere (time- or distance-first, by its
    /// [`Ch::weights`]); refused if it was built for another graph.
    pub fn set_ch(&mut self, ch: Ch) -> Result<(), RoadsError> {
        if !ch.matches(&self.graph) {
            return Err(ch.mismatch(&self.graph).into());
        }
        if ch.weights() == Weights::DistanceFirst {
            self.dist_ch = Some(ch);
            return Ok(());
        }
        let space = PhastSpace::new(ch.node_count());
        self.ch = Some((ch, space));
        self.rank_restriction = None;
        self.targets = None;
        Ok(())
    }

    /// Drops the hierarchies (queries fall back to plain Dijkstra), returning the time one.
    pub fn clear_ch(&mut self) -> Option<Ch> {
        self.rank_restriction = None;
        self.targets = None;
        self.dist_ch = None;
        self.ch.take().map(|(ch, _)| ch)
    }

    /// Whether a usable hierarchy is installed.
    pub fn has_ch(&self) -> bool {
        self.ch.as_ref().is_some_and(|(ch, _)| ch.fits(&self.graph))
    }

    /// Closes road pieces (e.g. a drill's road closure): every later search avoids them, in both
    /// directions, until [`Router::clear_closures`]. Replaces any earlier closure set; drops the
    /// contraction hierarchy (it no longer fits) and rebuilds the snap index without them.
    pub fn set_closures(&mut self, pieces: &[u32]) {
        let open = match self.closures.take() {
            Some((open, _)) => open,
            None => Arc::clone(&self.graph),
        };
        let closed: BTreeSet<u32> = pieces
            .iter()
            .copied()
            .filter(|&p| (p as usize) < open.piece_count())
            .collect();
        self.ch = None;
        self.dist_ch = None;
        self.rank_restriction = None;
        self.targets = None;
        let graph = if closed.is_empty() {
            Arc::clone(&open)
        } else {
            Arc::new(open.without_pieces(&closed))
        };
        self.install_graph(graph);
        if !closed.is_empty() {
            self.closures = Some((open, closed));
        }
    }

    /// Reopens every closed piece (the graph as loaded).
    pub fn clear_closures(&mut self) {
        if let Some((open, _)) = self.closures.take() {
            self.install_graph(open);
        }
    }

    /// Pieces closed by [`Router::set_closures`], ascending.
    pub fn closed_pieces(&self) -> Vec<u32> {
        self.closures
            .as_ref()
            .map(|(_, c)| c.iter().copied().collect())
            .unwrap_or_default()
    }

    /// The road pieces of the fastest route between the road nodes nearest to two positions
    /// (over the current, possibly already closed, graph): what "close the road from town A to
    /// town B" means. A plain Dijkstra with predecessors, run once per closure.
    pub fn pieces_between(&mut self, from: [f64; 2], to: [f64; 2]) -> Result<Vec<u32>, RoadsError> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let g = Arc::clone(&self.graph);
        let nearest = |p: [f64; 2]| {
            (0..g.node_count() as u32)
                .filter(|&v| !g.out_edges(v).is_empty())
                .min_by(|&x, &y| {
                    crate::geom::haversine_m(g.node_lonlat(x), p)
                        .total_cmp(&crate::geom::haversine_m(g.node_lonlat(y), p))
                })
        };
        let unreachable = || {
            RoadsError::Route(super::search::RouteError::Unreachable {
                from_lonlat: from,
                to_lonlat: to,
            })
        };
        let (Some(s), Some(t)) = (nearest(from), nearest(to)) else {
            return Err(unreachable());
        };
        let mut best = vec![u64::MAX; g.node_count()];
        let mut pred = vec![usize::MAX; g.node_count()];
        let mut heap = BinaryHeap::new();
        best[s as usize] = 0;
        heap.push(Reverse((0u64, s)));
        while let Some(Reverse((c, u))) = heap.pop() {
            if u == t {
                break;
            }
            if c > best[u as usize] {
                continue;
            }
            for e in g.out_edges(u) {
                let v = g.edge_head(e) as usize;
                let nc = c + u64::from(g.edge_time_ms(e));
                if nc < best[v] {
                    best[v] = nc;
                    pred[v] = e;
                    heap.push(Reverse((nc, v as u32)));
                }
            }
        }
        if best[t as usize] == u64::MAX {
            return Err(unreachable());
        }
        let mut pieces = Vec::new();
        let mut v = t;
        while v != s {
            let e = pred[v as usize];
            pieces.push(g.edge_piece(e).0);
            v = g.edge_tail(e);
        }
        pieces.sort_unstable();
        pieces.dedup();
        Ok(pieces)
    }

    fn install_graph(&mut self, graph: Arc<Graph>) {
        let max_snap_m = self.snap_index.max_snap_m;
        let closed = graph.clone();
        let scc = graph.scc();
        let mask = scc.largest_mask();
        let keep = |p: u32| {
            let [a, b] = closed.piece_nodes(p);
            closed.piece_edges(p) != [super::graph::NO_EDGE; 2] && mask[a as usize] && mask[b as usize]
        };
        self.snap_index = SnapIndex::build(&graph, Some(&keep));
        self.snap_index.max_snap_m = max_snap_m;
        self.space = SearchSpace::new(graph.node_count());
        self.unit_snaps.clear();
        self.estimated_pieces = graph.has_estimated_pieces();
        self.iso = IsoSpace::new();
        self.graph = graph;
    }

    /// Loads a graph file written by [`build_mappack`] / [`Graph::save`].
    pub fn load(path: &Path) -> Result<Router, RoadsError> {
        Ok(Router::new(Graph::load(path)?))
    }

    /// Snaps a `[lon, lat]` position.
    pub fn snap(&self, lonlat: [f64; 2]) -> Result<Snap, RoadsError> {
        Ok(self.snap_index.snap(&self.graph, lonlat)?)
    }

    /// Route between two already snapped positions: by road, or the straight off-network leg
    /// between them when that is cheaper (see [`Router::direct_leg`]).
    pub fn route_snapped(&mut self, from: &Snap, to: &Snap) -> Result<Route, RoadsError> {
        let by_road = route(&self.graph, &mut self.space, from, to, &self.params);
        let Some((direct_m, direct_ms)) = self.direct_leg(from, to) else {
            return Ok(by_road?);
        };
        let direct_wins = match &by_road {
            Err(_) => true,
            Ok(r) => match self.params.metric {
                Metric::Time => f64::from(direct_ms) < r.eta_s * 1000.0,
                Metric::Distance => direct_m < r.dist_m + r.offroad_dist_m,
            },
        };
        if !direct_wins {
            return Ok(by_road?);
        }
        let s = f64::from(direct_ms) / 1000.0;
        Ok(Route {
            eta_s: s,
            road_time_s: 0.0,
            offroad_s: s,
            dist_m: 0.0,
            offroad_dist_m: direct_m,
            estimated_m: 0.0,
            edges: Vec::new(),
            geometry_lonlat: Vec::new(),
        })
    }

    /// Route between two positions.
    pub fn route_lonlat(&mut self, from: [f64; 2], to: [f64; 2]) -> Result<Route, RoadsError> {
        let a = self.snap(from)?;
        let b = self.snap(to)?;
        self.route_snapped(&a, &b)
    }

    /// The straight off-network leg between two snapped positions — metres (× the detour) and
    /// ms at the off-road speed — when it is an option: its straight length is at most the two
    /// off-network legs a road route would already assume (so two points in a town the network
    /// does not reach are not sent out to the nearest road and back, while two points on the
    /// network never cut across country), and at most the snapping limit.
    pub fn direct_leg(&self, from: &Snap, to: &Snap) -> Option<(f64, u32)> {
        let d = crate::geom::haversine_m(from.query_lonlat, to.query_lonlat);
        if !(d.is_finite() && d <= from.snap_dist_m + to.snap_dist_m && d <= self.snap_index.max_snap_m) {
            return None;
        }
        Some((d * self.params.offroad_detour.max(1.0), self.params.offroad_ms(d)))
    }

    /// Snaps a unit position through the unit-snap cache: a position seen before (bit-equal)
    /// is not snapped again.
    pub fn snap_unit(&mut self, lonlat: [f64; 2]) -> Result<Snap, RoadsError> {
        Ok(self.unit_snaps.snap(&self.snap_index, &self.graph, lonlat)?)
    }

    /// Forgets the cached unit snaps (benchmarks measure the uncached path with it).
    pub fn clear_unit_snaps(&mut self) {
        self.unit_snaps.clear();
    }

    /// Ranks unit positions by ETA to the incident (one backward search, or one PHAST sweep when
    /// a hierarchy is installed and all units are wanted); `k` limits to the k fastest. Unit
    /// positions are snapped through the cache, so only moved units are snapped again.
    pub fn rank_units(
        &mut self,
        units: &[[f64; 2]],
        incident: [f64; 2],
        k: Option<usize>,
    ) -> Result<RankOutcome, RoadsError> {
        let target = self.snap(incident)?;
        let mut snaps = Vec::with_capacity(units.len());
        let mut index = Vec::with_capacity(units.len());
        let mut unsnapped = Vec::new();
        for (i, &u) in units.iter().enumerate() {
            match self.unit_snaps.snap(&self.snap_index, &self.graph, u) {
                Ok(s) => {
                    snaps.push(s);
                    index.push(i);
                }
                Err(e) => unsnapped.push((i, e.to_string())),
            }
        }
        let mut ranked = self.rank_snapped(&snaps, &target, k)?;
        for r in &mut ranked {
            r.index = index[r.index];
        }
        Ok(RankOutcome { ranked, unsnapped })
    }

    /// Ranks already snapped units by ETA to a snapped target (PHAST when a hierarchy is
    /// installed and all are wanted, else one backward search with early stop).
    /// A unit whose straight off-network leg to the target is cheaper than any road route
    /// ([`Router::direct_leg`]) is ranked by that leg.
    pub fn rank_snapped(&mut self, units: &[Snap], target: &Snap, k: Option<usize>) -> Result<Vec<Ranked>, RoadsError> {
        let all = k.is_none_or(|k| k >= units.len());
        let mut ranked = match &mut self.ch {
            Some((ch, phast)) if all && ch.fits(&self.graph) => {
                let needed = leave_nodes(&self.graph, units);
                if !self.rank_restriction.as_ref().is_some_and(|r| r.covers(&needed, true)) {
                    // Keep the nodes of units seen before unless they outnumber today's
                    // (units come and go with their status; a unit that moved leaves a node).
                    let mut nodes = needed.clone();
                    if let Some(old) = &self.rank_restriction
                        && old.nodes().len() <= needed.len()
                    {
                        nodes.extend_from_slice(old.nodes());
                    }
                    self.rank_restriction = Some(ch.restrict(&nodes, true));
                }
                let r = self.rank_restriction.as_ref();
                rank_to_target_ch(&self.graph, ch, phast, r, units, target, k, &self.params)?
            }
            _ => rank_to_target(&self.graph, &mut self.space, units, target, k, &self.params)?,
        };
        // Units the search ranked take the cheaper of road and direct leg; a unit it left out
        // (beyond the k best, or unreachable by road) can only enter by its direct leg.
        let mut by_road: Vec<Option<usize>> = vec![None; units.len()];
        for (at, r) in ranked.iter().enumerate() {
            if let Some(slot) = by_road.get_mut(r.index) {
                *slot = Some(at);
            }
        }
        let mut changed = false;
        for (i, unit) in units.iter().enumerate() {
            let Some((_, ms)) = self.direct_leg(unit, target) else {
                continue;
            };
            let s = f64::from(ms) / 1000.0;
            match by_road[i] {
                Some(at) if s < ranked[at].eta_s => {
                    ranked[at].eta_s = s;
                    ranked[at].offroad_s = s;
                    changed = true;
                }
                Some(_) => {}
                None => {
                    ranked.push(Ranked {
                        index: i,
                        eta_s: s,
                        offroad_s: s,
                    });
                    changed = true;
                }
            }
        }
        if changed {
            ranked.sort_by(|a, b| a.eta_s.total_cmp(&b.eta_s).then(a.index.cmp(&b.index)));
            if let Some(k) = k {
                ranked.truncate(k);
            }
        }
        Ok(ranked)
    }

    /// Nearest source (by time) for every node, within `limit_s` seconds if given.
    pub fn coverage_lonlat(&mut self, sources: &[[f64; 2]], limit_s: Option<f64>) -> Result<Coverage, RoadsError> {
        let snaps = sources.iter().map(|&s| self.snap(s)).collect::<Result<Vec<_>, _>>()?;
        Ok(coverage(&self.graph, &mut self.space, &snaps, &self.params, limit_s)?)
    }

    /// Nearest of already snapped `sources` for every node by `metric`, carrying the other
    /// measure (see [`nearest_sources`]); `limit` in ms or cm.
    pub fn nearest_sources(
        &mut self,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
    ) -> Result<NearestSources, RoadsError> {
        // With a hierarchy for the metric that fits: one lexicographic PHAST query
        // ([`nearest_sources_ch`]), the same labels as the Dijkstra.
        let ch = match metric {
            Metric::Time => self.ch.as_ref().map(|(ch, _)| ch),
            Metric::Distance => self.dist_ch.as_ref(),
        };
        if let Some(ch) = ch.filter(|ch| ch.fits(&self.graph))
            && let Some(ns) = nearest_sources_ch(&self.graph, ch, &mut self.lex, sources, &self.params, limit)
        {
            return Ok(ns);
        }
        Ok(nearest_sources(
            &self.graph,
            &mut self.space,
            sources,
            metric,
            &self.params,
            limit,
        )?)
    }

    /// [`Router::nearest_sources`] that stops at nodes where `bound` (per node, in the metric's
    /// order) is already met (see [`nearest_sources_bounded`]).
    pub fn nearest_sources_bounded(
        &mut self,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
        bound: &[(u32, u32)],
    ) -> Result<NearestSources, RoadsError> {
        Ok(nearest_sources_bounded(
            &self.graph,
            &mut self.space,
            sources,
            metric,
            &self.params,
            limit,
            Some(bound),
        )?)
    }

    /// The demand `points` prepared for one-to-many travel times over the hierarchy
    /// ([`PointTargets`]); `None` while no hierarchy valid for the current graph is installed
    /// (not built yet, or roads closed): then use the Dijkstra searches. The last preparation
    /// is kept and reused while the points and the hierarchy stay the same.
    pub fn point_targets(&mut self, points: &[Option<Snap>]) -> Option<std::sync::Arc<PointTargets>> {
        let (ch, _) = self.ch.as_ref().filter(|(ch, _)| ch.fits(&self.graph))?;
        let key = points_key(points);
        if let Some((k, t)) = &self.targets
            && *k == key
            && t.fits(ch)
        {
            return Some(t.clone());
        }
        let t = std::sync::Arc::new(PointTargets::new(&self.graph, ch, points, &self.params));
        self.targets = Some((key, t.clone()));
        Some(t)
    }

    /// Travel times from each of `sources` to every point of `targets` (made by
    /// [`Router::point_targets`] for this router), into `out` (flat, per source then per point,
    /// see [`PointTargets::times_from`]); false (and `out` untouched) when the hierarchy is gone
    /// or does not match `targets`.
    pub fn times_to_targets(
        &mut self,
        targets: &PointTargets,
        sources: &[Snap],
        limit: Option<u32>,
        out: &mut Vec<u32>,
    ) -> bool {
        match &self.ch {
            Some((ch, _)) if ch.fits(&self.graph) && targets.fits(ch) => {
                let space = self.batch.get_or_insert_with(|| BatchSpace::new(ch.node_count()));
                targets.times_from(&self.graph, ch, space, sources, &self.params, limit, out);
                true
            }
            _ => false,
        }
    }

    /// Travel-time raster up to `max_minutes` from `origin`.
    pub fn isochrone_grid(&mut self, origin: [f64; 2], max_minutes: f64) -> Result<IsoGrid, RoadsError> {
        let from = self.snap(origin)?;
        let max_s = max_minutes * 60.0;
        Ok(match &mut self.ch {
            Some((ch, phast)) if ch.fits(&self.graph) => isochrone_grid_ch(
                &self.graph,
                ch,
                phast,
                &mut self.iso,
                &from,
                &self.params,
                max_s,
                DEFAULT_CELL_M,
            )?,
            _ => isochrone_grid(&self.graph, &mut self.space, &from, &self.params, max_s, DEFAULT_CELL_M)?,
        })
    }

    /// GeoJSON isochrone polygons for the given minutes.
    pub fn isochrone_geojson(&mut self, origin: [f64; 2], minutes: &[f64]) -> Result<serde_json::Value, RoadsError> {
        let max = minutes.iter().copied().fold(0.0, f64::max);
        let grid = self.isochrone_grid(origin, max)?;
        Ok(isochrone_geojson(&grid, minutes))
    }
}

/// A hash of snapped points (piece, position along it, off-road distance; `None` included),
/// to recognise the same demand points again.
fn points_key(points: &[Option<Snap>]) -> u64 {
    let mut bytes = Vec::with_capacity(points.len() * 20);
    for p in points {
        match p {
            Some(s) => {
                bytes.extend_from_slice(&s.piece.to_le_bytes());
                bytes.extend_from_slice(&s.frac.to_bits().to_le_bytes());
                bytes.extend_from_slice(&s.snap_dist_m.to_bits().to_le_bytes());
            }
            None => bytes.extend_from_slice(&u32::MAX.to_le_bytes()),
        }
    }
    super::graph::hash64(&bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::testdata::{sample, temp_path};
    use super::*;

    #[test]
    fn mappack_build_load_and_query_liechtenstein() {
        let out = temp_path("li.onemaprg");
        let stats = build_mappack(&sample("liechtenstein.osm.pbf"), &out, &ImportOptions::default()).unwrap();
        assert!(stats.graph_nodes > 4000);
        let mut r = Router::load(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        // Vaduz centre → Schaan (≈ 4 km by road).
        let route = r.route_lonlat([9.5215, 47.1410], [9.5096, 47.1660]).unwrap();
        assert!(route.dist_m > 2_500.0 && route.dist_m < 8_000.0, "{}", route.dist_m);
        assert!(route.eta_s > 120.0 && route.eta_s < 900.0, "{}", route.eta_s);
        let units = [[9.5096, 47.1660], [9.5215, 47.1410], [9.55, 47.10], [20.0, 10.0]];
        let out = r.rank_units(&units, [9.5200, 47.1420], None).unwrap();
        assert_eq!(out.unsnapped.len(), 1);
        assert_eq!(out.unsnapped[0].0, 3);
        assert!(out.unsnapped[0].1.contains("no road within 5.0 km"));
        assert_eq!(out.ranked[0].index, 1);
        let gj = r.isochrone_geojson([9.5215, 47.1410], &[5.0, 10.0]).unwrap();
        assert_eq!(gj["features"].as_array().unwrap().len(), 2);
        let err = r.route_lonlat([0.0, 0.0], [9.5, 47.1]).unwrap_err();
        assert!(matches!(err, RoadsError::Snap(SnapError::NoRoadWithin { .. })), "{err}");
    }
}
