//! Travel times from one source at a time to a fixed set of snapped points (the demand points
//! of coverage's move-up) over the time hierarchy: RPHAST one-to-many (Delling, Goldberg and
//! Werneck 2011). The sweep is restricted once to what the points' arrival nodes depend on;
//! each source then costs one small upward search and that restricted sweep, instead of a
//! Dijkstra over the whole graph.
//!
//! The times are exactly those of [`super::search::NearestSources::at_snap`] after a
//! single-source [`super::search::nearest_sources`] by time (same seeds with the source's
//! off-road leg, a node beyond the limit is unreached, the point's arrivals over either end of
//! its piece or the node it lies on, a direct drive along a shared piece, the point's own
//! off-road leg); `roads::targets` tests check it point for point. Time only: the hierarchy is
//! built on travel times, so road distances are not carried. Pure: must not import egui,
//! tokio or rusqlite.

use std::collections::HashMap;

use super::ch::{BatchSpace, Ch, FAR, LANES, Restriction};
use super::graph::{Graph, NO_EDGE};
use super::search::{SearchParams, direct_cost};
use super::snap::Snap;

/// "Not reached" in [`PointTargets::times_from`]'s output.
pub const UNREACHED: u32 = u32::MAX;

/// The points' arrivals by time, prepared once for many sources.
#[derive(Debug, Clone)]
pub struct PointTargets {
    restriction: Restriction,
    /// Per point: up to four (sweep position, extra ms) ways to arrive (`NO_EDGE` = none).
    arrive: Vec<[(u32, u32); 4]>,
    /// Per point: its own off-road leg, ms (`None`: the point did not snap).
    offroad: Vec<Option<u32>>,
    /// Per road piece holding points: those points (a source on the same piece may drive to
    /// them directly).
    on_piece: HashMap<u32, Vec<u32>>,
    snaps: Vec<Option<Snap>>,
}

impl PointTargets {
    /// Prepares `points` (`None` where a point did not snap) for queries over `ch`, built for
    /// `g`.
    pub fn new(g: &Graph, ch: &Ch, points: &[Option<Snap>], params: &SearchParams) -> PointTargets {
        let mut arrive = Vec::with_capacity(points.len());
        let mut offroad = Vec::with_capacity(points.len());
        let mut on_piece: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut nodes = Vec::new();
        for (i, p) in points.iter().enumerate() {
            let mut slots = [(NO_EDGE, 0u32); 4];
            if let Some(s) = p {
                for (slot, a) in slots.iter_mut().zip(s.arrive_costs(g, &g.time_ms)) {
                    if let Some((v, extra)) = a
                        && let Some(pos) = ch.position(v)
                    {
                        *slot = (pos, extra);
                        nodes.push(v);
                    }
                }
                on_piece.entry(s.piece).or_default().push(i as u32);
            }
            arrive.push(slots);
            offroad.push(p.map(|s| params.offroad_ms(s.snap_dist_m)));
        }
        PointTargets {
            restriction: ch.restrict(&nodes, false),
            arrive,
            offroad,
            on_piece,
            snaps: points.to_vec(),
        }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.arrive.len()
    }

    /// True when there are no points.
    pub fn is_empty(&self) -> bool {
        self.arrive.is_empty()
    }

    /// True when these targets were prepared over a hierarchy of `ch`'s size.
    pub fn fits(&self, ch: &Ch) -> bool {
        self.restriction.node_count() == ch.node_count()
    }

    /// Positions the restricted sweep visits.
    pub fn swept(&self) -> usize {
        self.restriction.swept()
    }

    /// Per source, per point, the travel time in ms, flat: `out[source * len() + point]`,
    /// [`UNREACHED`] where not reached or where the point did not snap (times beyond
    /// `u32::MAX - 1` ms, 49 days, are clamped there). A node whose time exceeds `limit` ms
    /// counts as not reached, as in the bounded Dijkstra. [`LANES`] sources share one sweep.
    /// `out` is overwritten.
    #[allow(clippy::too_many_arguments)]
    pub fn times_from(
        &self,
        g: &Graph,
        ch: &Ch,
        space: &mut BatchSpace,
        sources: &[Snap],
        params: &SearchParams,
        limit: Option<u32>,
        out: &mut Vec<u32>,
    ) {
        let n = self.arrive.len();
        out.clear();
        out.resize(sources.len() * n, UNREACHED);
        let clamp = |t: u64| u32::try_from(t).unwrap_or(UNREACHED).min(UNREACHED - 1);
        let limit = limit.unwrap_or(FAR - 1).min(FAR - 1);
        for (b, batch) in sources.chunks(LANES).enumerate() {
            let offs: Vec<u32> = batch.iter().map(|s| params.offroad_ms(s.snap_dist_m)).collect();
            let seeds: Vec<Vec<(u32, u32)>> = batch
                .iter()
                .zip(&offs)
                .map(|(s, &off)| {
                    s.partial_costs(g, &g.time_ms)
                        .into_iter()
                        .flatten()
                        .map(|(v, c)| (v, c.saturating_add(off)))
                        .collect()
                })
                .collect();
            ch.one_to_many_batch(space, &seeds, &self.restriction);
            let first = b * LANES;
            let lanes = batch.len();
            for (i, (slots, own)) in self.arrive.iter().zip(&self.offroad).enumerate() {
                let Some(own) = *own else { continue };
                let mut best = [u64::MAX; LANES];
                for &(pos, extra) in slots {
                    let Some(row) = (pos != NO_EDGE).then(|| space.row(pos)).flatten() else {
                        continue;
                    };
                    for (b, &t) in best.iter_mut().zip(row) {
                        if t <= limit {
                            *b = (*b).min(u64::from(t) + u64::from(extra));
                        }
                    }
                }
                for (lane, &b) in best.iter().enumerate().take(lanes) {
                    if b != u64::MAX
                        && let Some(slot) = out.get_mut((first + lane) * n + i)
                    {
                        *slot = clamp(b + u64::from(own));
                    }
                }
            }
            // A direct drive along a source's own piece to the points on it.
            for (lane, (source, &off)) in batch.iter().zip(&offs).enumerate() {
                let Some(list) = self.on_piece.get(&source.piece) else {
                    continue;
                };
                for &i in list {
                    let i = i as usize;
                    let (Some(Some(at)), Some(Some(own))) = (self.snaps.get(i), self.offroad.get(i)) else {
                        continue;
                    };
                    if let Some(t) = direct_cost(g, source, at, &g.time_ms) {
                        let t = clamp(u64::from(t) + u64::from(off) + u64::from(*own));
                        if let Some(slot) = out.get_mut((first + lane) * n + i) {
                            *slot = (*slot).min(t);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::ch::ChParams;
    use super::super::search::{Metric, SearchSpace, nearest_sources};
    use super::super::snap::SnapIndex;
    use super::super::synth::{SplitMix64, SynthParams, synth_graph};
    use super::*;

    /// Point for point, the hierarchy's times equal a single-source Dijkstra's evaluated at
    /// each point (`NearestSources::at_snap`), with and without a limit, for sources and
    /// points anywhere (on pieces, one-way streets, the same piece as the source).
    #[test]
    fn times_equal_a_dijkstra_per_source_at_every_point() {
        let g = synth_graph(&SynthParams {
            nodes: 6_000,
            ..Default::default()
        })
        .unwrap();
        let idx = SnapIndex::build(&g, None);
        let ch = Ch::build(&g, &ChParams::default());
        let mut batch = BatchSpace::new(g.node_count());
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let bb = g.bbox_lonlat();
        let mut rng = SplitMix64::new(7);
        let mut random_point = || {
            [
                bb[0] + rng.next_f64() * (bb[2] - bb[0]),
                bb[1] + rng.next_f64() * (bb[3] - bb[1]),
            ]
        };
        let mut points: Vec<Option<Snap>> = (0..800).map(|_| idx.snap(&g, random_point()).ok()).collect();
        points.push(None);
        // More sources than one batch's lanes, so a second, partly filled batch follows.
        let sources: Vec<Snap> = (0..LANES + 5)
            .filter_map(|_| idx.snap(&g, random_point()).ok())
            .collect();
        // A source on the same piece as a point, just before it.
        let mut twin = points[0].unwrap();
        twin.frac = (twin.frac - 0.01).max(0.0);
        let sources: Vec<Snap> = sources.into_iter().chain([twin]).collect();
        // A second, smaller set of points: queries over it and over the first alternate in one
        // scratch space, so rows an earlier query's sweep left behind must never be read.
        let others: Vec<Option<Snap>> = (0..60).map(|_| idx.snap(&g, random_point()).ok()).collect();
        let targets = PointTargets::new(&g, &ch, &points, &params);
        let other_targets = PointTargets::new(&g, &ch, &others, &params);
        assert!(targets.swept() > other_targets.swept() && targets.len() == points.len());
        let mut got = Vec::new();
        let (mut reached, mut compared) = (0, 0);
        for limit in [None, Some(240_000), None] {
            for (t, pts) in [(&other_targets, &others), (&targets, &points)] {
                t.times_from(&g, &ch, &mut batch, &sources, &params, limit, &mut got);
                assert_eq!(got.len(), sources.len() * pts.len());
                for (k, s) in sources.iter().enumerate() {
                    let ns =
                        nearest_sources(&g, &mut space, std::slice::from_ref(s), Metric::Time, &params, limit).unwrap();
                    for (i, p) in pts.iter().enumerate() {
                        let want = p.as_ref().and_then(|p| ns.at_snap(&g, p)).map(|h| h.time_ms);
                        let have = got[k * pts.len() + i];
                        let have = (have != UNREACHED).then_some(u64::from(have));
                        assert_eq!(have, want, "source {k} {s:?} point {i} limit {limit:?}");
                        compared += 1;
                        reached += usize::from(want.is_some());
                    }
                }
            }
        }
        assert!(reached > compared / 3 && reached < compared, "{reached} of {compared}");
    }
}
