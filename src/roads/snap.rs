//! Snapping a `[lon, lat]` position onto the nearest road: an R-tree (rstar) of all road-piece
//! segments in a local equirectangular projection (metres around the graph's centre), giving the
//! projected point, the snap distance (haversine, metres), the piece and the fraction along it.
//!
//! The projection only picks the nearest segment; reported distances and fractions are
//! haversine-based, consistent with edge lengths.

use rstar::primitives::GeomWithData;
use rstar::{AABB, PointDistance, RTree, RTreeObject};

use super::graph::{Graph, NO_EDGE, e7_to_deg};
use super::profile::{EARTH_RADIUS_M, haversine_m};

/// Default maximum snap distance in metres.
pub const DEFAULT_MAX_SNAP_M: f64 = 5_000.0;

/// A position this close to a graph node (straight line, or along the road from its projected
/// point) IS that node. Why: a point a few centimetres short of a junction, snapped onto a one-way
/// piece ending there, could otherwise only be reached by driving the whole piece (routes up to
/// 12× too long in one-way city centres); as the node it is reached from every road in and left
/// on every road out. 0.5 m is below any position's own accuracy, and the error it adds is at
/// most 0.5 m of driving.
pub const NODE_TOLERANCE_M: f64 = 0.5;

/// Errors snapping a position.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SnapError {
    /// The coordinate is not a finite lon/lat.
    #[error("invalid coordinate lon {lon}, lat {lat}: expected finite degrees within ±180/±90")]
    InvalidCoordinate {
        /// Longitude given.
        lon: f64,
        /// Latitude given.
        lat: f64,
    },
    /// No road segment lies within the maximum distance.
    #[error("no road within {max_km:.1} km of lon {lon:.6}, lat {lat:.6}{}", nearest_text(*.nearest_km))]
    NoRoadWithin {
        /// Longitude queried.
        lon: f64,
        /// Latitude queried.
        lat: f64,
        /// The limit in km.
        max_km: f64,
        /// Distance to the nearest road in km, if any road exists.
        nearest_km: Option<f64>,
    },
}

fn nearest_text(nearest_km: Option<f64>) -> String {
    match nearest_km {
        Some(d) => format!(" (nearest road is {d:.1} km away)"),
        None => " (the snap index is empty)".into(),
    }
}

/// A position snapped onto a road piece.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Snap {
    /// The queried position `[lon, lat]`.
    pub query_lonlat: [f64; 2],
    /// The projected point on the road `[lon, lat]`.
    pub point_lonlat: [f64; 2],
    /// Haversine distance query → projected point, metres.
    pub snap_dist_m: f64,
    /// Road piece snapped to.
    pub piece: u32,
    /// Segment index within the piece's polyline.
    pub seg: u32,
    /// Position within the segment, 0..=1.
    pub seg_t: f64,
    /// Fraction of the piece length from its node `a` to the projected point, 0..=1.
    pub frac: f64,
    /// The piece's end nodes `[a, b]`.
    pub nodes: [u32; 2],
}

impl Snap {
    /// Ways to leave the snapped point by road: `(node, cost)` in the units of `weight`
    /// (driving a→b to `b`, b→a to `a`, and cost 0 at a node the point lies exactly on).
    pub fn partial_costs(&self, g: &Graph, weight: &[u32]) -> [Option<(u32, u32)>; 4] {
        let [fwd, bwd] = g.piece_edges(self.piece);
        let [a, b] = self.nodes;
        [
            (fwd != NO_EDGE).then(|| (b, scale(weight[fwd as usize], 1.0 - self.frac))),
            (bwd != NO_EDGE).then(|| (a, scale(weight[bwd as usize], self.frac))),
            (self.frac <= 0.0).then_some((a, 0)),
            (self.frac >= 1.0).then_some((b, 0)),
        ]
    }

    /// Ways to arrive at the snapped point by road: `(node, extra cost)` — reach `a` then
    /// drive a→point, reach `b` then b→point, or reach the node the point lies exactly on.
    pub fn arrive_costs(&self, g: &Graph, weight: &[u32]) -> [Option<(u32, u32)>; 4] {
        let [fwd, bwd] = g.piece_edges(self.piece);
        let [a, b] = self.nodes;
        [
            (fwd != NO_EDGE).then(|| (a, scale(weight[fwd as usize], self.frac))),
            (bwd != NO_EDGE).then(|| (b, scale(weight[bwd as usize], 1.0 - self.frac))),
            (self.frac <= 0.0).then_some((a, 0)),
            (self.frac >= 1.0).then_some((b, 0)),
        ]
    }

    /// A zero-distance snap exactly on graph node `v` (on any piece touching it); `None` if no
    /// piece touches `v`.
    pub fn at_node(g: &Graph, v: u32) -> Option<Snap> {
        let piece = (0..g.piece_count() as u32).find(|&p| g.piece_nodes(p).contains(&v))?;
        Some(Snap::at_node_on_piece(g, v, piece))
    }

    /// Like [`Snap::at_node`] but on a given piece touching `v` (fast: no scan).
    pub fn at_node_on_piece(g: &Graph, v: u32, piece: u32) -> Snap {
        let nodes = g.piece_nodes(piece);
        let n_seg = g.piece_points_e7(piece).len().saturating_sub(1) as u32;
        let at_a = nodes[0] == v;
        let p = g.node_lonlat(v);
        Snap {
            query_lonlat: p,
            point_lonlat: p,
            snap_dist_m: 0.0,
            piece,
            seg: if at_a { 0 } else { n_seg.saturating_sub(1) },
            seg_t: if at_a { 0.0 } else { 1.0 },
            frac: if at_a { 0.0 } else { 1.0 },
            nodes,
        }
    }

    /// This snap as reached from the query position `lonlat` (its off-road leg).
    fn queried_from(mut self, lonlat: [f64; 2]) -> Snap {
        self.query_lonlat = lonlat;
        self.snap_dist_m = haversine_m(lonlat, self.point_lonlat);
        self
    }

    /// Whether the snapped point is a graph node (then it is reached from every road into the
    /// node and left on every road out of it).
    pub fn at_node_id(&self) -> Option<u32> {
        if self.frac <= 0.0 {
            Some(self.nodes[0])
        } else if self.frac >= 1.0 {
            Some(self.nodes[1])
        } else {
            None
        }
    }

    /// Polyline `[lon, lat]` from the snapped point to node `b` (`toward_b`) or node `a`.
    pub fn partial_geometry(&self, g: &Graph, toward_b: bool) -> Vec<[f64; 2]> {
        let pts = g.piece_points_e7(self.piece);
        let seg = self.seg as usize;
        let mut out = vec![self.point_lonlat];
        if toward_b {
            out.extend(pts[seg + 1..].iter().map(|&p| e7_to_deg(p)));
        } else {
            out.extend(pts[..=seg].iter().rev().map(|&p| e7_to_deg(p)));
        }
        out
    }
}

/// Snaps of positions already seen, keyed by their exact coordinates: a unit that has not moved
/// is not snapped again (its position comes from events, so an unchanged position is bit-equal).
/// Only valid for one snap index: clear it whenever the index is rebuilt.
#[derive(Debug, Default, Clone)]
pub struct SnapCache {
    map: std::collections::HashMap<[u64; 2], Snap>,
}

impl SnapCache {
    /// Past this many positions the cache starts afresh (old positions of moved units).
    pub const MAX_ENTRIES: usize = 1 << 16;

    /// The snap of `lonlat` from the cache, else from `idx` (then remembered). Errors are not
    /// cached: an off-road position is rare and must be reported each time.
    pub fn snap(&mut self, idx: &SnapIndex, g: &Graph, lonlat: [f64; 2]) -> Result<Snap, SnapError> {
        let key = [lonlat[0].to_bits(), lonlat[1].to_bits()];
        if let Some(s) = self.map.get(&key)
            && s.snap_dist_m <= idx.max_snap_m
        {
            return Ok(*s);
        }
        let s = idx.snap(g, lonlat)?;
        if self.map.len() >= Self::MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert(key, s);
        Ok(s)
    }

    /// Forgets every position (the snap index changed).
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Number of cached positions.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// `v * f` rounded, for partial edge costs.
pub(crate) fn scale(v: u32, f: f64) -> u32 {
    (v as f64 * f.clamp(0.0, 1.0)).round() as u32
}

/// One segment in the R-tree (projected metres).
#[derive(Debug, Clone)]
struct SegObj {
    a: [f64; 2],
    b: [f64; 2],
    piece: u32,
    seg: u32,
}

impl SegObj {
    /// Parameter of the closest point on the segment to `p`, and that point.
    fn project(&self, p: &[f64; 2]) -> (f64, [f64; 2]) {
        let d = [self.b[0] - self.a[0], self.b[1] - self.a[1]];
        let len2 = d[0] * d[0] + d[1] * d[1];
        let t = if len2 > 0.0 {
            (((p[0] - self.a[0]) * d[0] + (p[1] - self.a[1]) * d[1]) / len2).clamp(0.0, 1.0)
        } else {
            0.0
        };
        (t, [self.a[0] + t * d[0], self.a[1] + t * d[1]])
    }
}

impl RTreeObject for SegObj {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners(self.a, self.b)
    }
}

impl PointDistance for SegObj {
    fn distance_2(&self, point: &[f64; 2]) -> f64 {
        let (_, q) = self.project(point);
        (q[0] - point[0]).powi(2) + (q[1] - point[1]).powi(2)
    }
}

/// R-tree of road segments for snapping.
pub struct SnapIndex {
    tree: RTree<SegObj>,
    /// End nodes of the indexed pieces (projected), each with one indexed piece touching it.
    nodes: RTree<GeomWithData<[f64; 2], (u32, u32)>>,
    lon0: f64,
    lat0: f64,
    m_per_deg_lon: f64,
    m_per_deg_lat: f64,
    /// Maximum snap distance in metres.
    pub max_snap_m: f64,
}

impl SnapIndex {
    /// Indexes every piece for which `keep_piece` is true (all if `None`), max distance
    /// [`DEFAULT_MAX_SNAP_M`].
    pub fn build(g: &Graph, keep_piece: Option<&dyn Fn(u32) -> bool>) -> SnapIndex {
        let bb = g.bbox_lonlat();
        let lon0 = (bb[0] + bb[2]) * 0.5;
        let lat0 = (bb[1] + bb[3]) * 0.5;
        let m_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
        let m_per_deg_lon = m_per_deg_lat * lat0.to_radians().cos();
        let mut idx = SnapIndex {
            tree: RTree::new(),
            nodes: RTree::new(),
            lon0,
            lat0,
            m_per_deg_lon,
            m_per_deg_lat,
            max_snap_m: DEFAULT_MAX_SNAP_M,
        };
        let mut segs = Vec::new();
        let mut seen = vec![false; g.node_count()];
        let mut nodes = Vec::new();
        for piece in 0..g.piece_count() as u32 {
            if keep_piece.is_some_and(|keep| !keep(piece)) {
                continue;
            }
            for v in g.piece_nodes(piece) {
                if let Some(s) = seen.get_mut(v as usize)
                    && !*s
                {
                    *s = true;
                    nodes.push(GeomWithData::new(idx.project(g.node_lonlat(v)), (v, piece)));
                }
            }
            let pts = g.piece_points_e7(piece);
            for (i, w) in pts.windows(2).enumerate() {
                segs.push(SegObj {
                    a: idx.project(e7_to_deg(w[0])),
                    b: idx.project(e7_to_deg(w[1])),
                    piece,
                    seg: i as u32,
                });
            }
        }
        idx.tree = RTree::bulk_load(segs);
        idx.nodes = RTree::bulk_load(nodes);
        idx
    }

    /// Indexes only pieces whose two end nodes are in the largest strongly connected
    /// component, so that every snapped point can reach and be reached from every other.
    pub fn build_largest_scc(g: &Graph) -> SnapIndex {
        let scc = g.scc();
        let mask = scc.largest_mask();
        let keep = |p: u32| {
            let [a, b] = g.piece_nodes(p);
            mask[a as usize] && mask[b as usize]
        };
        SnapIndex::build(g, Some(&keep))
    }

    /// Number of indexed segments.
    pub fn segment_count(&self) -> usize {
        self.tree.size()
    }

    fn project(&self, lonlat: [f64; 2]) -> [f64; 2] {
        [
            (lonlat[0] - self.lon0) * self.m_per_deg_lon,
            (lonlat[1] - self.lat0) * self.m_per_deg_lat,
        ]
    }

    fn unproject(&self, xy: [f64; 2]) -> [f64; 2] {
        [
            xy[0] / self.m_per_deg_lon + self.lon0,
            xy[1] / self.m_per_deg_lat + self.lat0,
        ]
    }

    /// Snaps `lonlat` onto the nearest indexed road segment within `max_snap_m`.
    pub fn snap(&self, g: &Graph, lonlat: [f64; 2]) -> Result<Snap, SnapError> {
        let [lon, lat] = lonlat;
        if !(lon.is_finite() && lat.is_finite() && lon.abs() <= 180.0 && lat.abs() <= 90.0) {
            return Err(SnapError::InvalidCoordinate { lon, lat });
        }
        let q = self.project(lonlat);
        let no_road = |nearest_km| SnapError::NoRoadWithin {
            lon,
            lat,
            max_km: self.max_snap_m / 1000.0,
            nearest_km,
        };
        if let Some(hit) = self.nodes.nearest_neighbor(q) {
            let (v, piece) = hit.data;
            let node_dist_m = haversine_m(lonlat, g.node_lonlat(v));
            if node_dist_m <= NODE_TOLERANCE_M {
                return Ok(Snap::at_node_on_piece(g, v, piece).queried_from(lonlat));
            }
        }
        let Some(seg) = self.tree.nearest_neighbor(q) else {
            return Err(no_road(None));
        };
        let (t, pxy) = seg.project(&q);
        let point_lonlat = self.unproject(pxy);
        let snap_dist_m = haversine_m(lonlat, point_lonlat);
        if snap_dist_m > self.max_snap_m {
            return Err(no_road(Some(snap_dist_m / 1000.0)));
        }
        // Fraction along the piece by haversine length.
        let pts = g.piece_points_e7(seg.piece);
        let mut before = 0.0;
        let mut total = 0.0;
        for (i, w) in pts.windows(2).enumerate() {
            let l = haversine_m(e7_to_deg(w[0]), e7_to_deg(w[1]));
            if (i as u32) < seg.seg {
                before += l;
            } else if i as u32 == seg.seg {
                before += t * l;
            }
            total += l;
        }
        let frac = if total > 0.0 {
            (before / total).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let nodes = g.piece_nodes(seg.piece);
        // Within the tolerance of an end node along the road: the point is that node.
        for (v, along_m) in [(nodes[0], before), (nodes[1], total - before)] {
            if along_m <= NODE_TOLERANCE_M {
                return Ok(Snap::at_node_on_piece(g, v, seg.piece).queried_from(lonlat));
            }
        }
        Ok(Snap {
            query_lonlat: lonlat,
            point_lonlat,
            snap_dist_m,
            piece: seg.piece,
            seg: seg.seg,
            seg_t: t,
            frac,
            nodes,
        })
    }

    /// Snaps a graph node's own position (distance 0): handy for tests and benchmarks.
    pub fn snap_node(&self, g: &Graph, node: u32) -> Result<Snap, SnapError> {
        self.snap(g, g.node_lonlat(node))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::graph::{GraphBuilder, deg_to_e7};
    use super::super::profile::{Direction, RoadClass};
    use super::*;

    /// An L-shaped one-way road 0 → 1 via a corner, plus a two-way road 1 – 2.
    fn l_graph() -> Graph {
        let mut b = GraphBuilder::new();
        let p0 = deg_to_e7([10.0, 45.0]);
        let corner = deg_to_e7([10.01, 45.0]);
        let p1 = deg_to_e7([10.01, 45.01]);
        let p2 = deg_to_e7([10.02, 45.01]);
        let n0 = b.add_node(p0, None);
        let n1 = b.add_node(p1, None);
        let n2 = b.add_node(p2, None);
        b.add_piece(n0, n1, &[p0, corner, p1], RoadClass::Primary, Direction::Forward, 36.0);
        b.add_piece(n1, n2, &[p1, p2], RoadClass::Primary, Direction::Both, 36.0);
        b.build(1).unwrap()
    }

    #[test]
    fn snaps_to_projection_with_fraction() {
        let g = l_graph();
        let idx = SnapIndex::build(&g, None);
        assert_eq!(idx.segment_count(), 3);
        // 100 m south of the middle of the first leg.
        let s = idx.snap(&g, [10.005, 45.0 - 100.0 / 111_195.0]).unwrap();
        assert!((s.snap_dist_m - 100.0).abs() < 1.0, "{}", s.snap_dist_m);
        assert!((s.point_lonlat[0] - 10.005).abs() < 1e-6);
        assert!((s.point_lonlat[1] - 45.0).abs() < 1e-6);
        let piece0 = (0..2).find(|&p| g.piece_edges(p)[1] == NO_EDGE).unwrap();
        assert_eq!(s.piece, piece0);
        assert_eq!(s.seg, 0);
        // Legs are ~786 m (east) and ~1112 m (north): fraction ≈ 393 / 1898.
        let leg1 = haversine_m([10.0, 45.0], [10.01, 45.0]);
        let leg2 = haversine_m([10.01, 45.0], [10.01, 45.01]);
        assert!((s.frac - 0.5 * leg1 / (leg1 + leg2)).abs() < 1e-3, "{}", s.frac);
        // One-way: only the a→b partial cost exists, = (1 - frac) of the edge time.
        let [to_b, to_a, at_a, at_b] = s.partial_costs(&g, &g.time_ms);
        assert!(to_a.is_none() && at_a.is_none() && at_b.is_none());
        let fwd = g.piece_edges(s.piece)[0] as usize;
        let (node, cost) = to_b.unwrap();
        assert_eq!(node, s.nodes[1]);
        assert_eq!(cost, scale(g.time_ms[fwd], 1.0 - s.frac));
        let geo = s.partial_geometry(&g, true);
        assert_eq!(geo.len(), 3);
        assert_eq!(*geo.last().unwrap(), g.node_lonlat(s.nodes[1]));
    }

    #[test]
    fn snap_beyond_max_distance_is_an_error() {
        let g = l_graph();
        let mut idx = SnapIndex::build(&g, None);
        let far = [10.0, 45.2]; // ~21 km north
        let err = idx.snap(&g, far).unwrap_err();
        match &err {
            SnapError::NoRoadWithin {
                max_km,
                nearest_km: Some(d),
                ..
            } => {
                assert_eq!(*max_km, 5.0);
                assert!(*d > 20.0 && *d < 23.0, "{d}");
            }
            e => panic!("unexpected {e:?}"),
        }
        assert!(err.to_string().contains("no road within 5.0 km"), "{err}");
        idx.max_snap_m = 30_000.0;
        assert!(idx.snap(&g, far).is_ok());
        assert!(matches!(
            idx.snap(&g, [f64::NAN, 1.0]),
            Err(SnapError::InvalidCoordinate { .. })
        ));
        let empty = SnapIndex::build(&g, Some(&|_| false));
        assert!(matches!(
            empty.snap(&g, [10.0, 45.0]),
            Err(SnapError::NoRoadWithin { nearest_km: None, .. })
        ));
    }

    #[test]
    fn a_point_within_tolerance_of_a_junction_is_the_junction() {
        let g = l_graph();
        let idx = SnapIndex::build(&g, None);
        let n1 = (0..3).find(|&v| g.node_lonlat(v) == [10.01, 45.01]).unwrap();
        // 0.3 m south of node 1 on the one-way leg that ENDS there: without the node rule it
        // could only be reached by driving that whole leg.
        let q = [10.01, 45.01 - 0.3 / 111_195.0];
        let s = idx.snap(&g, q).unwrap();
        assert_eq!(s.at_node_id(), Some(n1), "{s:?}");
        assert!((s.snap_dist_m - 0.3).abs() < 0.01, "{}", s.snap_dist_m);
        assert_eq!(s.point_lonlat, g.node_lonlat(n1));
        assert!(s.arrive_costs(&g, &g.time_ms).contains(&Some((n1, 0))));
        assert!(s.partial_costs(&g, &g.time_ms).contains(&Some((n1, 0))));
        // 2 m short of it along the leg: a point on the leg, reached only along it.
        let q = [10.01, 45.01 - 2.0 / 111_195.0];
        let s = idx.snap(&g, q).unwrap();
        assert_eq!(s.at_node_id(), None);
        assert!(!s.arrive_costs(&g, &g.time_ms).iter().flatten().any(|&(v, _)| v == n1));
    }

    #[test]
    fn cache_returns_the_same_snap_and_forgets_on_clear() {
        let g = l_graph();
        let idx = SnapIndex::build(&g, None);
        let mut cache = SnapCache::default();
        let p = [10.005, 45.0005];
        let a = cache.snap(&idx, &g, p).unwrap();
        assert_eq!(a, idx.snap(&g, p).unwrap());
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.snap(&idx, &g, p).unwrap(), a);
        assert_eq!(cache.len(), 1, "an unchanged position is not snapped again");
        // A moved unit is snapped anew; an off-road position is an error and not cached.
        assert_ne!(cache.snap(&idx, &g, [10.015, 45.0101]).unwrap(), a);
        assert!(cache.snap(&idx, &g, [10.0, 45.2]).is_err());
        assert_eq!(cache.len(), 2);
        cache.clear();
        assert!(cache.is_empty());
    }
}
