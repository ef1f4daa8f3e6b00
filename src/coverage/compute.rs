//! Coverage per force type (one multi-source search each over snapped-once demand points), the
//! what-if of dispatching a unit and the best single move-up. Pure; must not import egui, tokio
//! or rusqlite.

use std::collections::BTreeMap;

use serde::Serialize;

use super::demand::{CoverageOptions, DemandPoint, DemandSpec, Weighting, build_points};
use super::{CoverageError, ForceType, Threshold, thresholds_for};
use crate::dispatch::plans::{Limit, Plans};
use crate::model::{Situation, StationId, UnitId, UnitStatus};
use crate::roads::router::Router;
use crate::roads::search::{Arrivals, Metric, NearestHit, NearestSources};
use crate::roads::snap::Snap;
use crate::roads::targets::UNREACHED;

/// Why a demand point is not covered.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Uncovered {
    /// The point is too far from any road (the snap error says how far).
    OffNetwork {
        /// The snap error.
        detail: String,
    },
    /// No available unit of the type (or none on the network).
    NoUnit,
    /// No available unit can reach it by road.
    Unreachable,
    /// The nearest unit misses a threshold.
    BeyondLimit {
        /// Name of the first threshold missed.
        threshold: String,
    },
}

/// Coverage of one demand point by one force type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointCoverage {
    /// Nearest available unit (by the type's search metric).
    pub unit: Option<UnitId>,
    /// Its travel time, s (off-road legs included).
    pub eta_s: Option<f64>,
    /// Its road distance, m (off-road legs included).
    pub dist_m: Option<f64>,
    /// Meets every threshold.
    pub covered: bool,
    /// Why not, when not covered.
    pub uncovered: Option<Uncovered>,
    /// The figures are estimates (schematic network or a long off-road leg).
    pub estimate: bool,
}

/// Covered area of one county.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountyCoverage {
    /// County name.
    pub county: String,
    /// Covered grid area, km².
    pub covered_km2: f64,
    /// Grid area, km².
    pub total_km2: f64,
    /// covered / total.
    pub share: f64,
}

/// Coverage of the whole area by one force type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeCoverage {
    /// The force type.
    pub force: ForceType,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Thresholds a point must meet.
    pub thresholds: Vec<Threshold>,
    /// Metric of the search (distance when a threshold is a road distance).
    pub metric: Metric,
    /// Units of the type in the situation.
    pub units_total: usize,
    /// Available units on the network (the search's sources).
    pub bases: Vec<UnitId>,
    /// Available units that could not be placed on the network, with the reason.
    pub unsnapped_units: Vec<(UnitId, String)>,
    /// Covered share of the grid area, 0..1.
    pub covered_share: f64,
    /// Covered grid area, km².
    pub covered_km2: f64,
    /// Grid area, km².
    pub total_km2: f64,
    /// Covered share of the places (by the report's places weighting).
    pub places_covered_share: f64,
    /// Indices (into the report's points) of the places not covered.
    pub uncovered_places: Vec<usize>,
    /// Grid coverage by county.
    pub by_county: Vec<CountyCoverage>,
    /// Per demand point, in the report's point order.
    pub points: Vec<PointCoverage>,
}

impl TypeCoverage {
    /// Overlay band of every demand point: the index of the first edge (seconds, ascending) its
    /// travel time does not exceed, `edges.len()` beyond the last, `None` where no unit reaches it.
    pub fn bands(&self, edges_s: &[f64]) -> Vec<Option<usize>> {
        self.points
            .iter()
            .map(|p| {
                p.eta_s
                    .map(|t| edges_s.iter().position(|&e| t <= e).unwrap_or(edges_s.len()))
            })
            .collect()
    }
}

/// Coverage of every requested force type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageReport {
    /// Every figure rests on a schematic network (estimates).
    pub schematic: bool,
    /// At least one figure is an estimate.
    pub estimate: bool,
    /// Grid weighting (always area: no pack has a population raster).
    pub weighting: Weighting,
    /// Places weighting: population when every place has one, else count.
    pub places_weighting: Weighting,
    /// Grid cell size, km.
    pub cell_km: f64,
    /// Urban radius around seats, km.
    pub urban_radius_km: f64,
    /// Demand points: places first, then grid cells.
    pub points: Vec<DemandPoint>,
    /// One entry per force type.
    pub types: Vec<TypeCoverage>,
}

/// "If unit X is dispatched, coverage falls from a to b; moving Y to station Z restores c".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoveUp {
    /// Force type of the dispatched unit.
    pub force: ForceType,
    /// The unit dispatched.
    pub dispatched: UnitId,
    /// Covered share now (grid area).
    pub before_share: f64,
    /// Covered share without the unit.
    pub after_share: f64,
    /// The best single move, if any improves on `after_share`.
    pub best: Option<MoveUpSuggestion>,
    /// Every figure is an estimate (schematic network).
    pub estimate: bool,
}

/// One move-up: unit Y to station Z.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoveUpSuggestion {
    /// Unit to move.
    pub unit: UnitId,
    /// Station to move it to.
    pub station: StationId,
    /// Station name.
    pub station_name: String,
    /// Covered share after the move.
    pub share: f64,
}

/// Demand points snapped once, with the thresholds per force type resolved: build it once per
/// pack and plans, then call [`CoverageModel::compute`] whenever a unit's availability changes.
#[derive(Debug, Clone)]
pub struct CoverageModel {
    /// Demand points (places first, then grid cells).
    pub points: Vec<DemandPoint>,
    /// Snap of each point (or why it failed).
    pub snaps: Vec<Result<Snap, String>>,
    /// Places weighting.
    pub places_weighting: Weighting,
    /// Grid cell size, km.
    pub cell_km: f64,
    /// Urban radius, km.
    pub urban_radius_km: f64,
    /// Force types to report (empty: every type present in the situation).
    pub types: Vec<ForceType>,
    thresholds: BTreeMap<ForceType, Vec<Threshold>>,
    plans_path: String,
}

pub(crate) fn key(metric: Metric, h: &NearestHit) -> (u64, u64) {
    match metric {
        Metric::Time => (h.time_ms, h.dist_cm),
        Metric::Distance => (h.dist_cm, h.time_ms),
    }
}

/// The search metric for a set of thresholds: distance when any is a road distance.
pub fn metric_for(thresholds: &[Threshold]) -> Metric {
    if thresholds.iter().any(Threshold::is_distance) {
        Metric::Distance
    } else {
        Metric::Time
    }
}

/// The largest limit in the metric's units (ms or cm), for bounded searches.
pub(crate) fn search_limit(thresholds: &[Threshold], metric: Metric) -> Option<u32> {
    let mut max: f64 = 0.0;
    for t in thresholds {
        match (t.limit, metric) {
            (Limit::Time { limit_s }, Metric::Time) => max = max.max(limit_s * 1000.0),
            (Limit::Distance { urban_m, rural_m }, Metric::Distance) => max = max.max(urban_m.max(rural_m) * 100.0),
            _ => return None,
        }
    }
    (max > 0.0).then(|| (max.ceil() + 1.0).min(f64::from(u32::MAX - 2)) as u32)
}

/// One source's hit at every demand point.
pub(crate) type PointHits = Vec<Option<NearestHit>>;

/// Per-point hits of each unit and each station alone (the move-up's inputs).
enum SourceHits {
    /// Travel times from the time hierarchy, flat per source then per point (units first),
    /// [`crate::roads::targets::UNREACHED`] where not reached. No road distance (`dist_cm` 0):
    /// only used under time thresholds, which never read it.
    Times {
        points: usize,
        units: usize,
        times: Vec<u32>,
    },
    /// Hits of pruned Dijkstra searches (see [`CoverageModel::pruned_per_source`]).
    Searched {
        units: Vec<PointHits>,
        stations: Vec<PointHits>,
    },
}

impl SourceHits {
    /// Unit `j`'s hit at point `i`.
    fn unit(&self, j: usize, i: usize) -> Option<NearestHit> {
        match self {
            SourceHits::Times { points, times, .. } => time_hit(times, j * points + i),
            SourceHits::Searched { units, .. } => units.get(j).and_then(|h| h.get(i)).copied().flatten(),
        }
    }

    /// Station `k`'s travel times at every point, when these are the hierarchy's times.
    fn station_times(&self, k: usize) -> Option<&[u32]> {
        match self {
            SourceHits::Times { points, units, times } => times.get((units + k) * points..(units + k + 1) * points),
            SourceHits::Searched { .. } => None,
        }
    }

    /// Station `k`'s hit at point `i`.
    fn station(&self, k: usize, i: usize) -> Option<NearestHit> {
        match self {
            SourceHits::Times { points, units, times } => time_hit(times, (units + k) * points + i),
            SourceHits::Searched { stations, .. } => stations.get(k).and_then(|h| h.get(i)).copied().flatten(),
        }
    }
}

fn time_hit(times: &[u32], at: usize) -> Option<NearestHit> {
    times.get(at).filter(|&&t| t != UNREACHED).map(|&t| NearestHit {
        source: 0,
        time_ms: u64::from(t),
        dist_cm: 0,
    })
}

/// Per graph node, the best and second best (primary, secondary) costs of distinct sources
/// searched so far, in the metric's order (`u32::MAX` = none).
#[derive(Debug, Clone)]
pub(crate) struct NodeBestTwo {
    first: Vec<(u32, u32)>,
    second: Vec<(u32, u32)>,
}

impl NodeBestTwo {
    fn new(nodes: usize) -> NodeBestTwo {
        NodeBestTwo {
            first: vec![(u32::MAX, u32::MAX); nodes],
            second: vec![(u32::MAX, u32::MAX); nodes],
        }
    }

    /// Takes in one source's labels.
    fn offer(&mut self, ns: &NearestSources, metric: Metric) {
        let (prim, sec) = match metric {
            Metric::Time => (&ns.time_ms, &ns.dist_cm),
            Metric::Distance => (&ns.dist_cm, &ns.time_ms),
        };
        for (((f, s), &p), &q) in self.first.iter_mut().zip(self.second.iter_mut()).zip(prim).zip(sec) {
            if p == u32::MAX {
                continue;
            }
            let k = (p, q);
            if k < *f {
                *s = *f;
                *f = k;
            } else if k < *s {
                *s = k;
            }
        }
    }
}

/// The best two hits of one demand point and the sources they came from.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BestTwo(pub(crate) [Option<(NearestHit, usize)>; 2]);

impl BestTwo {
    fn offer(&mut self, metric: Metric, h: NearestHit, source: usize) {
        let better_than =
            |slot: Option<(NearestHit, usize)>| slot.is_none_or(|(b, _)| key(metric, &h) < key(metric, &b));
        if better_than(self.0[0]) {
            self.0[1] = self.0[0];
            self.0[0] = Some((h, source));
        } else if better_than(self.0[1]) {
            self.0[1] = Some((h, source));
        }
    }

    fn first(&self) -> Option<NearestHit> {
        self.0[0].map(|b| b.0)
    }
}

impl CoverageModel {
    /// Builds and snaps the demand points; resolves thresholds from `plans` and `opts`.
    pub fn new(spec: &DemandSpec, router: &Router, plans: &Plans, opts: &CoverageOptions) -> CoverageModel {
        let urban_radius_km = opts
            .urban_radius_km
            .filter(|r| r.is_finite() && *r >= 0.0)
            .unwrap_or(plans.urban_radius_km);
        let (points, places_weighting) = build_points(spec, urban_radius_km, opts);
        let snaps = points
            .iter()
            .map(|p| router.snap(p.lonlat).map_err(|e| e.to_string()))
            .collect();
        let mut thresholds = BTreeMap::new();
        for &f in ForceType::ALL {
            let t = opts
                .thresholds
                .get(&f)
                .cloned()
                .unwrap_or_else(|| thresholds_for(plans, f));
            thresholds.insert(f, t);
        }
        CoverageModel {
            points,
            snaps,
            places_weighting,
            cell_km: opts.cell_km,
            urban_radius_km,
            types: opts.types.clone(),
            thresholds,
            plans_path: plans.path.display().to_string(),
        }
    }

    /// The thresholds of a force type (error when the plans give none).
    pub fn thresholds(&self, force: ForceType) -> Result<&[Threshold], CoverageError> {
        match self.thresholds.get(&force) {
            Some(t) if !t.is_empty() => Ok(t),
            _ => Err(CoverageError::NoThreshold {
                path: self.plans_path.clone(),
                force: force.code(),
            }),
        }
    }

    /// Available units of `force` snapped onto the network: (ids, snaps, unsnapped with reason).
    pub fn bases(
        &self,
        sit: &Situation,
        router: &Router,
        force: ForceType,
        exclude: Option<UnitId>,
    ) -> (Vec<UnitId>, Vec<Snap>, Vec<(UnitId, String)>) {
        let mut ids = Vec::new();
        let mut snaps = Vec::new();
        let mut bad = Vec::new();
        for u in sit.units.values() {
            if u.status != UnitStatus::Available || !force.matches(u) || Some(u.id) == exclude {
                continue;
            }
            match router.snap(u.lonlat.lonlat()) {
                Ok(s) => {
                    ids.push(u.id);
                    snaps.push(s);
                }
                Err(e) => bad.push((u.id, e.to_string())),
            }
        }
        (ids, snaps, bad)
    }

    /// Nearest source per demand point with ONE multi-source search (`None` where unsnapped or
    /// unreached).
    pub fn nearest(
        &self,
        router: &mut Router,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
    ) -> Result<Vec<Option<NearestHit>>, CoverageError> {
        if sources.is_empty() {
            return Ok(vec![None; self.points.len()]);
        }
        let ns = router
            .nearest_sources(sources, metric, limit)
            .map_err(|e| CoverageError::Roads(e.to_string()))?;
        Ok(self.point_hits(router, &ns, sources, metric, limit, &self.arrivals(router)))
    }

    /// Every demand point's arrivals on the router's current graph (closures change them).
    fn arrivals(&self, router: &Router) -> Vec<Option<Arrivals>> {
        self.snaps
            .iter()
            .map(|s| s.as_ref().ok().map(|s| Arrivals::of(&router.graph, s)))
            .collect()
    }

    /// Every demand point's hit from a finished search over `sources`.
    fn point_hits(
        &self,
        router: &Router,
        ns: &NearestSources,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
        arrivals: &[Option<Arrivals>],
    ) -> Vec<Option<NearestHit>> {
        let mut hits: Vec<Option<NearestHit>> = self
            .snaps
            .iter()
            .zip(arrivals)
            .map(|(s, a)| match (s, a) {
                (Ok(s), Some(a)) => ns.at_arrivals(&router.graph, s, a),
                _ => None,
            })
            .collect();
        if router.spec.schematic {
            self.relax_direct(&mut hits, router, sources, metric, limit);
        }
        hits
    }

    /// Per-point hits of each source alone, each search stopping where two sources searched
    /// before it (or, for the stations, two units) are at least as close: there it can be
    /// neither of the best two, nor anywhere beyond. The hits are exact wherever the source is
    /// among the best two of the units (so for [`BestTwo`]) or, with `against`, strictly better
    /// than the second best of those units; elsewhere they may be missing or too long.
    /// `against`: bound the searches by these node costs and leave them unchanged (stations);
    /// otherwise each search bounds the next (units). Returns the hits and the node costs.
    pub(crate) fn pruned_per_source(
        &self,
        router: &mut Router,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
        against: Option<&NodeBestTwo>,
    ) -> Result<(Vec<PointHits>, NodeBestTwo), CoverageError> {
        let mut node_best = NodeBestTwo::new(router.graph.node_count());
        let mut out = Vec::with_capacity(sources.len());
        let arrivals = self.arrivals(router);
        for s in sources {
            let bound = against.map_or(&node_best.second, |a| &a.second);
            let ns = router
                .nearest_sources_bounded(std::slice::from_ref(s), metric, limit, bound)
                .map_err(|e| CoverageError::Roads(e.to_string()))?;
            if against.is_none() {
                node_best.offer(&ns, metric);
            }
            out.push(self.point_hits(router, &ns, std::slice::from_ref(s), metric, limit, &arrivals));
        }
        Ok((out, node_best))
    }

    /// Per-point travel times of every unit and every station alone, from the router's time
    /// hierarchy (one small upward search per source and one sweep restricted to the demand
    /// points per 16 sources, see [`crate::roads::targets::PointTargets`]): exact travel times,
    /// the same as the Dijkstra searches'. `None` when the thresholds are not all times (the
    /// hierarchy carries no road distance), on a schematic network (whose direct off-road legs
    /// the Dijkstra path adds) or when no valid hierarchy is installed; then the caller searches
    /// with Dijkstra.
    fn hierarchy_times(
        &self,
        router: &mut Router,
        units: &[Snap],
        stations: &[Snap],
        metric: Metric,
        limit: Option<u32>,
    ) -> Option<SourceHits> {
        if metric != Metric::Time || router.spec.schematic {
            return None;
        }
        let points = self.snapped_points();
        let targets = router.point_targets(&points)?;
        let sources: Vec<Snap> = units.iter().chain(stations).copied().collect();
        let mut times = Vec::new();
        router
            .times_to_targets(targets.as_ref(), &sources, limit, &mut times)
            .then_some(SourceHits::Times {
                points: points.len(),
                units: units.len(),
                times,
            })
    }

    /// On a schematic network the off-road legs stand in for the roads that are not modelled
    /// (straight line × detour at the off-road speed). Two places off the network can then be
    /// close to each other yet far from the schematic lines: a unit at the prefecture seat would
    /// "drive" to the nearest schematic node and back. There the direct leg between source and
    /// point, under the same rule, is also a path: take it when shorter by the search's metric.
    /// Never on a real road network, where distances are along roads only.
    fn relax_direct(
        &self,
        hits: &mut [Option<NearestHit>],
        router: &Router,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
    ) {
        let p = &router.params;
        let detour = if p.offroad_detour.is_finite() && p.offroad_detour >= 1.0 {
            p.offroad_detour
        } else {
            1.0
        };
        let speed_ms = if p.offroad_speed_kmh.is_finite() && p.offroad_speed_kmh > 0.0 {
            p.offroad_speed_kmh / 3.6
        } else {
            return;
        };
        for (i, hit) in hits.iter_mut().enumerate() {
            if self.snaps[i].is_err() {
                continue; // off the network entirely: stays uncovered with its reason
            }
            let at = self.points[i].lonlat;
            for (k, s) in sources.iter().enumerate() {
                let dist_m = crate::geom::haversine_m(s.query_lonlat, at) * detour;
                let direct = NearestHit {
                    source: k,
                    time_ms: (dist_m / speed_ms * 1000.0).round() as u64,
                    dist_cm: (dist_m * 100.0).round() as u64,
                };
                let key = |h: &NearestHit| match metric {
                    Metric::Time => h.time_ms,
                    Metric::Distance => h.dist_cm,
                };
                if limit.is_some_and(|l| key(&direct) > u64::from(l)) {
                    continue;
                }
                if hit.as_ref().is_none_or(|h| key(&direct) < key(h)) {
                    *hit = Some(direct);
                }
            }
        }
    }

    /// Whether point `i` is covered by `hit` under `thresholds` (and why not).
    pub fn judge(
        &self,
        i: usize,
        hit: Option<NearestHit>,
        thresholds: &[Threshold],
        have_units: bool,
    ) -> Result<(), Uncovered> {
        if let Err(e) = &self.snaps[i] {
            return Err(Uncovered::OffNetwork { detail: e.clone() });
        }
        if !have_units {
            return Err(Uncovered::NoUnit);
        }
        let Some(h) = hit else {
            return Err(Uncovered::Unreachable);
        };
        let (eta_s, dist_m) = (h.time_ms as f64 / 1000.0, h.dist_cm as f64 / 100.0);
        match thresholds.iter().find(|t| !t.met(eta_s, dist_m, self.points[i].urban)) {
            Some(t) => Err(Uncovered::BeyondLimit {
                threshold: t.name.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Covered grid area share for per-point hits.
    pub fn share(&self, hits: &[Option<NearestHit>], thresholds: &[Threshold]) -> f64 {
        let (mut cov, mut tot) = (0.0, 0.0);
        for (i, p) in self.points.iter().enumerate() {
            if p.is_place() {
                continue;
            }
            tot += p.weight;
            if self.judge(i, hits[i], thresholds, true).is_ok() {
                cov += p.weight;
            }
        }
        if tot > 0.0 { cov / tot } else { 0.0 }
    }

    /// Coverage of one force type from its currently available units.
    pub fn compute_type(
        &self,
        sit: &Situation,
        router: &mut Router,
        force: ForceType,
    ) -> Result<TypeCoverage, CoverageError> {
        let thresholds = self.thresholds(force)?.to_vec();
        let metric = metric_for(&thresholds);
        let (ids, snaps, unsnapped_units) = self.bases(sit, router, force, None);
        let hits = self.nearest(router, &snaps, metric, None)?;
        let units_total = sit.units.values().filter(|u| force.matches(u)).count();
        let mut points = Vec::with_capacity(self.points.len());
        let (mut cov_km2, mut tot_km2, mut place_w, mut place_cov) = (0.0, 0.0, 0.0, 0.0);
        let mut uncovered_places = Vec::new();
        let mut counties: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
        for (i, p) in self.points.iter().enumerate() {
            let hit = hits[i];
            let verdict = self.judge(i, hit, &thresholds, !ids.is_empty());
            let covered = verdict.is_ok();
            let offroad_m = self.snaps[i].as_ref().map_or(0.0, |s| s.snap_dist_m)
                + hit.map_or(0.0, |h| snaps[h.source].snap_dist_m);
            points.push(PointCoverage {
                unit: hit.map(|h| ids[h.source]),
                eta_s: hit.map(|h| h.time_ms as f64 / 1000.0),
                dist_m: hit.map(|h| h.dist_cm as f64 / 100.0),
                covered,
                uncovered: verdict.err(),
                estimate: router.is_estimate(offroad_m),
            });
            if p.is_place() {
                place_w += p.weight;
                if covered {
                    place_cov += p.weight;
                } else {
                    uncovered_places.push(i);
                }
            } else {
                tot_km2 += p.weight;
                let c = counties.entry(p.county.as_str()).or_default();
                c.1 += p.weight;
                if covered {
                    cov_km2 += p.weight;
                    c.0 += p.weight;
                }
            }
        }
        let share = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        Ok(TypeCoverage {
            force,
            name_zh: force.name_zh(),
            name_en: force.name_en(),
            thresholds,
            metric,
            units_total,
            bases: ids,
            unsnapped_units,
            covered_share: share(cov_km2, tot_km2),
            covered_km2: cov_km2,
            total_km2: tot_km2,
            places_covered_share: share(place_cov, place_w),
            uncovered_places,
            by_county: counties
                .into_iter()
                .map(|(c, (a, b))| CountyCoverage {
                    county: c.to_string(),
                    covered_km2: a,
                    total_km2: b,
                    share: share(a, b),
                })
                .collect(),
            points,
        })
    }

    /// Force types reported: the model's list, else every type with a unit in the situation.
    pub fn types_for(&self, sit: &Situation) -> Vec<ForceType> {
        if !self.types.is_empty() {
            return self.types.clone();
        }
        ForceType::ALL
            .iter()
            .copied()
            .filter(|f| sit.units.values().any(|u| f.matches(u)))
            .collect()
    }

    /// Coverage of every reported force type.
    pub fn compute(&self, sit: &Situation, router: &mut Router) -> Result<CoverageReport, CoverageError> {
        let mut types = Vec::new();
        for f in self.types_for(sit) {
            types.push(self.compute_type(sit, router, f)?);
        }
        let estimate = router.has_estimates() || types.iter().any(|t| t.points.iter().any(|p| p.estimate));
        Ok(CoverageReport {
            schematic: router.spec.schematic,
            estimate,
            weighting: Weighting::Area,
            places_weighting: self.places_weighting,
            cell_km: self.cell_km,
            urban_radius_km: self.urban_radius_km,
            points: self.points.clone(),
            types,
        })
    }

    /// Per demand point its snap, `None` where it did not snap (what [`Router::point_targets`]
    /// prepares).
    pub(crate) fn snapped_points(&self) -> Vec<Option<Snap>> {
        self.snaps.iter().map(|s| s.as_ref().ok().copied()).collect()
    }

    /// Per point, the best two of the sources' hits by `metric` (ties: the earlier source),
    /// skipping source `skip`: what remains when one more source is taken away is the second.
    #[cfg(test)]
    pub(crate) fn best_two(
        &self,
        metric: Metric,
        per_source: &[Vec<Option<NearestHit>>],
        skip: Option<usize>,
    ) -> Vec<BestTwo> {
        self.best_two_of(metric, per_source.len(), skip, |j, i| {
            per_source.get(j).and_then(|h| h.get(i)).copied().flatten()
        })
    }

    /// [`CoverageModel::best_two`] over `sources` sources whose hits `hit(source, point)` gives.
    fn best_two_of(
        &self,
        metric: Metric,
        sources: usize,
        skip: Option<usize>,
        hit: impl Fn(usize, usize) -> Option<NearestHit>,
    ) -> Vec<BestTwo> {
        let mut out = vec![BestTwo::default(); self.points.len()];
        for j in (0..sources).filter(|&j| Some(j) != skip) {
            for (i, slot) in out.iter_mut().enumerate() {
                if let Some(h) = hit(j, i) {
                    slot.offer(metric, h, j);
                }
            }
        }
        out
    }

    /// [`CoverageModel::best_two`] over travel times only (flat per source then per point,
    /// [`UNREACHED`] where not reached; keys `(time, 0)`). A time no smaller than a point's
    /// current second is skipped at once: it could change neither of the two.
    fn best_two_times(&self, metric: Metric, times: &[u32], skip: Option<usize>) -> Vec<BestTwo> {
        let n = self.points.len();
        let mut out = vec![BestTwo::default(); n];
        let mut second = vec![UNREACHED; n];
        for (j, row) in times.chunks(n.max(1)).enumerate().filter(|(j, _)| Some(*j) != skip) {
            for ((slot, sec), &t) in out.iter_mut().zip(&mut second).zip(row) {
                if t < *sec
                    && let Some(h) = time_hit(&[t], 0)
                {
                    slot.offer(metric, h, j);
                    *sec = slot.0[1].map_or(UNREACHED, |b| u32::try_from(b.0.time_ms).unwrap_or(UNREACHED));
                }
            }
        }
        out
    }

    /// Per-point hits of each source alone (one bounded search per source).
    pub(crate) fn per_source(
        &self,
        router: &mut Router,
        sources: &[Snap],
        metric: Metric,
        limit: Option<u32>,
    ) -> Result<Vec<Vec<Option<NearestHit>>>, CoverageError> {
        sources
            .iter()
            .map(|s| self.nearest(router, std::slice::from_ref(s), metric, limit))
            .collect()
    }

    /// If `unit` is dispatched: its force's covered share before and after, and the best single
    /// move of another available unit of the same force to an existing (not planned) station of
    /// a matching kind. One search per unit and per station, each pruned where two units already
    /// do at least as well (after the first few units they stay local). The combinations are not
    /// recomputed point by point: per point the best two units (other than X) are kept, so
    /// "without Y" is the second where Y was the best, and a station changes only the points
    /// its own search reached, and what moving a unit changes there is summed once per station,
    /// with a correction per unit where that unit was the best: O(units × points + stations ×
    /// points + units × stations) instead of O(units² × stations × points). `move_up_matches_the_brute_force_combination` checks it
    /// against the per-point minimum over every combination.
    pub fn what_if_dispatched(
        &self,
        sit: &Situation,
        router: &mut Router,
        unit: UnitId,
    ) -> Result<MoveUp, CoverageError> {
        let u = sit.units.get(&unit).ok_or(CoverageError::UnknownUnit(unit.0))?;
        let force = ForceType::of_unit(u).ok_or(CoverageError::NoForceType(unit.0))?;
        let thresholds = self.thresholds(force)?.to_vec();
        let metric = metric_for(&thresholds);
        let limit = search_limit(&thresholds, metric);
        let (ids, snaps, _) = self.bases(sit, router, force, None);
        let stations: Vec<(StationId, String, Snap)> = sit
            .stations
            .values()
            .filter(|s| !s.spec.planned && force.station_kinds().contains(&s.spec.kind))
            .filter_map(|s| {
                router
                    .snap(s.spec.lonlat.lonlat())
                    .ok()
                    .map(|snap| (s.id, s.spec.name_zh.clone(), snap))
            })
            .collect();
        let x = ids.iter().position(|&i| i == unit);
        let station_snaps: Vec<Snap> = stations.iter().map(|s| s.2).collect();
        let (before_share, hits) = match self.hierarchy_times(router, &snaps, &station_snaps, metric, limit) {
            // Every unit's and station's exact times from the hierarchy (time targets).
            Some(hits) => (None, hits),
            None => {
                let before_share = self.share(&self.nearest(router, &snaps, metric, limit)?, &thresholds);
                // The other units one by one, then the stations, each search pruned where
                // two units already do at least as well (see `pruned_per_source`).
                let others: Vec<Snap> = snaps
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| Some(*j) != x)
                    .map(|(_, s)| *s)
                    .collect();
                let (mut units, node_best) = self.pruned_per_source(router, &others, metric, limit, None)?;
                if let Some(x) = x {
                    units.insert(x, vec![None; self.points.len()]);
                }
                let (stations, _) = self.pruned_per_source(router, &station_snaps, metric, limit, Some(&node_best))?;
                (Some(before_share), SourceHits::Searched { units, stations })
            }
        };
        let without_x = match &hits {
            SourceHits::Times { points, units, times } => {
                self.best_two_times(metric, times.get(..units * points).unwrap_or(&[]), x)
            }
            SourceHits::Searched { .. } => self.best_two_of(metric, snaps.len(), x, |j, i| hits.unit(j, i)),
        };
        // From the hierarchy's times: before X leaves, per point the better of X and the best
        // of the others.
        let before_share = before_share.unwrap_or_else(|| {
            let before: Vec<Option<NearestHit>> = without_x
                .iter()
                .enumerate()
                .map(|(i, t)| match (x.and_then(|x| hits.unit(x, i)), t.first()) {
                    (Some(a), Some(b)) => Some(if key(metric, &a) <= key(metric, &b) { a } else { b }),
                    (a, b) => a.or(b),
                })
                .collect();
            self.share(&before, &thresholds)
        });
        let covered = |i: usize, h: Option<NearestHit>| h.is_some() && self.judge(i, h, &thresholds, true).is_ok();
        let after_hits: Vec<Option<NearestHit>> = without_x.iter().map(|t| t.first()).collect();
        let after_share = self.share(&after_hits, &thresholds);
        // Per point: whether the best (and the second best) unit other than X covers it.
        let grid: Vec<(usize, f64)> = self
            .points
            .iter()
            .enumerate()
            .filter(|(_, p)| !p.is_place())
            .map(|(i, p)| (i, p.weight))
            .collect();
        let total: f64 = grid.iter().map(|g| g.1).sum();
        let mut cov = vec![[false; 2]; self.points.len()];
        for &(i, _) in &grid {
            cov[i] = [
                covered(i, without_x[i].0[0].map(|b| b.0)),
                covered(i, without_x[i].0[1].map(|b| b.0)),
            ];
        }
        // Moving unit Y away changes only the points where Y is the best other than X: there
        // the second best takes over. Per unit, the covered weight that loses (one pass).
        let best_unit = |i: usize| without_x[i].0[0].map(|b| b.1);
        let mut lost_by = vec![0.0; snaps.len()];
        for &(i, w) in &grid {
            if let Some(j) = best_unit(i)
                && cov[i][0] != cov[i][1]
                && let Some(l) = lost_by.get_mut(j)
            {
                *l += if cov[i][0] { w } else { -w };
            }
        }
        // Per station: the grid points where it beats the second best unit other than X (only
        // there can it change anything: it must beat whichever of the two is in use). What it
        // changes at a point, against the best (slot 0) or, where the moved unit Y was the best,
        // the second best (slot 1): the station's gain with any other Y is `gain[k]`, with Y
        // `gain[k] + fix[Y][k]`. One pass over the stations' reach instead of one per unit.
        let second_key: Vec<Option<(u64, u64)>> = without_x.iter().map(|t| t.0[1].map(|b| key(metric, &b.0))).collect();
        // With the hierarchy's times (keys (time, 0)), a station beats the second best exactly
        // where its time is smaller: a cheap test that skips most points.
        let second_ms: Vec<u32> = without_x
            .iter()
            .map(|t| t.0[1].map_or(UNREACHED, |b| u32::try_from(b.0.time_ms).unwrap_or(UNREACHED)))
            .collect();
        let n_stations = stations.len();
        let mut gain = vec![0.0; n_stations];
        let mut fix = vec![0.0; snaps.len() * n_stations];
        for (k, g) in gain.iter_mut().enumerate() {
            let row = hits.station_times(k);
            for &(i, w) in &grid {
                if let Some(row) = row
                    && row.get(i).is_none_or(|&t| t >= second_ms[i])
                {
                    continue;
                }
                let Some(h) = hits.station(k, i) else { continue };
                let hk = key(metric, &h);
                if second_key[i].is_some_and(|s| hk >= s) {
                    continue;
                }
                let ck = covered(i, Some(h));
                let change = |slot: usize| {
                    let cur_key = without_x[i].0[slot].map(|b| key(metric, &b.0));
                    if ck != cov[i][slot] && cur_key.is_none_or(|c| hk < c) {
                        if ck { w } else { -w }
                    } else {
                        0.0
                    }
                };
                let (g0, g1) = (change(0), change(1));
                *g += g0;
                if g1 != g0
                    && let Some(f) = best_unit(i).and_then(|j| fix.get_mut(j * n_stations + k))
                {
                    *f += g1 - g0;
                }
            }
        }
        let covered_after: f64 = grid.iter().filter(|(i, _)| cov[*i][0]).map(|g| g.1).sum();
        let mut best: Option<MoveUpSuggestion> = None;
        for (j, &y) in ids.iter().enumerate() {
            if Some(j) == x {
                continue;
            }
            let base = covered_after - lost_by[j];
            for (k, (sid, name, _)) in stations.iter().enumerate() {
                let share = if total > 0.0 {
                    (base + gain[k] + fix[j * n_stations + k]) / total
                } else {
                    0.0
                };
                if share > after_share + 1e-12 && best.as_ref().is_none_or(|b| share > b.share + 1e-12) {
                    best = Some(MoveUpSuggestion {
                        unit: y,
                        station: *sid,
                        station_name: name.clone(),
                        share,
                    });
                }
            }
        }
        Ok(MoveUp {
            force,
            dispatched: unit,
            before_share,
            after_share,
            best,
            estimate: router.has_estimates(),
        })
    }
}

/// Coverage of the situation in one call (builds and snaps the demand; for repeated use keep a
/// [`CoverageModel`]).
pub fn compute(
    sit: &Situation,
    router: &mut Router,
    plans: &Plans,
    spec: &DemandSpec,
    opts: &CoverageOptions,
) -> Result<CoverageReport, CoverageError> {
    for &t in &opts.types {
        let th = opts
            .thresholds
            .get(&t)
            .cloned()
            .unwrap_or_else(|| thresholds_for(plans, t));
        if th.is_empty() {
            return Err(CoverageError::NoThreshold {
                path: plans.path.display().to_string(),
                force: t.code(),
            });
        }
    }
    CoverageModel::new(spec, router, plans, opts).compute(sit, router)
}
