//! Calibrated skeleton networks: a coarse, region-wide road topology (junction-like nodes joined
//! by straight edges, such as `skeleton.osm.pbf` of the Xishuangbanna reference data) joined to
//! real OSM street geometry where that exists.
//!
//! A skeleton edge is a straight line, so its length is a straight-line length, shorter than the
//! road it stands for. [`calibrate`] fits one detour factor against published road lengths
//! between known places (least squares through the origin over the pairs that can be placed);
//! [`join`] adds every skeleton edge to a [`GraphBuilder`] with its straight length times that
//! factor, marked as an estimate ([`super::graph::ESTIMATE_BIT`]), and links the skeleton to the
//! real pieces already in the builder with short connector pieces (also estimates) from each
//! skeleton node to the nearest real node within the join distance, and from every real
//! component to the skeleton at its closest point. Routes that use such pieces carry 估算 and
//! the share of their length on them; the map draws them as 示意, never as roads.
//!
//! Pure: no egui, tokio or database. Railways of the skeleton are returned as lines for a layer.

use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};

use osmpbf::{Element, ElementReader};

use super::graph::{GraphBuilder, deg_to_e7, e7_to_deg};
use super::osm::OsmError;
use super::profile::{Direction, RoadClass, haversine_m};
use crate::geom::project_on_segment;

/// A skeleton read from an OSM PBF file: road edges between nodes, and railway lines.
#[derive(Debug, Clone, Default)]
pub struct Skeleton {
    /// Positions of the nodes that road edges use, `[lon, lat]` degrees.
    pub nodes_lonlat: Vec<[f64; 2]>,
    /// Straight road edges as node index pairs (each undirected edge once).
    pub roads: Vec<[u32; 2]>,
    /// Railway lines (`railway=rail`), `[lon, lat]` degrees.
    pub rails: Vec<Vec<[f64; 2]>>,
}

impl Skeleton {
    /// The part that touches `inside(lon, lat)`: road edges with at least one end inside (so
    /// that roads leaving the region to a border crossing or a neighbour keep their last edge;
    /// nodes renumbered), railway lines cut into runs of inside points.
    pub fn clip(&self, inside: &dyn Fn(f64, f64) -> bool) -> Skeleton {
        let keep: Vec<bool> = self.nodes_lonlat.iter().map(|p| inside(p[0], p[1])).collect();
        let mut new_id = vec![u32::MAX; self.nodes_lonlat.len()];
        let mut out = Skeleton::default();
        for &[a, b] in &self.roads {
            if !(keep[a as usize] || keep[b as usize]) {
                continue;
            }
            let mut id = |v: u32| {
                if new_id[v as usize] == u32::MAX {
                    out.nodes_lonlat.push(self.nodes_lonlat[v as usize]);
                    new_id[v as usize] = (out.nodes_lonlat.len() - 1) as u32;
                }
                new_id[v as usize]
            };
            let (na, nb) = (id(a), id(b));
            out.roads.push([na, nb]);
        }
        for line in &self.rails {
            for run in line.split(|p| !inside(p[0], p[1])) {
                if run.len() >= 2 {
                    out.rails.push(run.to_vec());
                }
            }
        }
        out
    }

    /// Straight-line length of road edge `i`, m.
    pub fn edge_straight_m(&self, i: usize) -> f64 {
        let [a, b] = self.roads[i];
        haversine_m(self.nodes_lonlat[a as usize], self.nodes_lonlat[b as usize])
    }

    /// Total straight-line length of the road edges, km.
    pub fn road_straight_km(&self) -> f64 {
        (0..self.roads.len()).map(|i| self.edge_straight_m(i)).sum::<f64>() / 1000.0
    }

    /// The road node nearest to `lonlat` and its distance, m.
    pub fn nearest_node(&self, lonlat: [f64; 2]) -> Option<(u32, f64)> {
        self.nodes_lonlat
            .iter()
            .enumerate()
            .map(|(i, p)| (i as u32, haversine_m(*p, lonlat)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Shortest path between two road nodes over straight edge lengths, m (plain Dijkstra).
    pub fn straight_path_m(&self, from: u32, to: u32) -> Option<f64> {
        let n = self.nodes_lonlat.len();
        let mut adj: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for (i, &[a, b]) in self.roads.iter().enumerate() {
            let w = self.edge_straight_m(i);
            adj[a as usize].push((b, w));
            adj[b as usize].push((a, w));
        }
        let mut dist = vec![f64::INFINITY; n];
        let mut heap = BinaryHeap::new();
        *dist.get_mut(from as usize)? = 0.0;
        heap.push(std::cmp::Reverse((Key(0.0), from)));
        while let Some(std::cmp::Reverse((Key(d), v))) = heap.pop() {
            if v == to {
                return Some(d);
            }
            if d > dist[v as usize] {
                continue;
            }
            for &(w, len) in &adj[v as usize] {
                let nd = d + len;
                if nd < dist[w as usize] {
                    dist[w as usize] = nd;
                    heap.push(std::cmp::Reverse((Key(nd), w)));
                }
            }
        }
        None
    }
}

/// A totally ordered f64 for the heap (distances are finite and non-negative).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Errors reading or calibrating a skeleton.
#[derive(Debug, thiserror::Error)]
pub enum SkeletonError {
    /// The PBF file could not be read.
    #[error(transparent)]
    Osm(#[from] OsmError),
    /// The file holds no road edge.
    #[error("骨架路网没有道路边 / the skeleton file has no road edge (highway=*) between known nodes")]
    NoRoads,
    /// No calibration pair could be placed on the skeleton.
    #[error(
        "无法标定骨架路网：{pairs} 组已发布里程都无法落到骨架上 / cannot calibrate the skeleton: none of the {pairs} published lengths could be placed on it (an end farther than {max_snap_m} m from a skeleton node, or ends not connected)"
    )]
    NoPairs {
        /// Pairs given.
        pairs: usize,
        /// The snap limit used, m.
        max_snap_m: f64,
    },
    /// The fitted factor is not a detour (shorter than the straight lines, or absurd).
    #[error(
        "骨架标定系数 {detour:.3} 不合理（应在 1.0–3.0 之间）/ the fitted detour factor {detour:.3} is implausible (expected 1.0–3.0): check the calibration pairs"
    )]
    Implausible {
        /// The fitted factor.
        detour: f64,
    },
}

/// Reads a skeleton from PBF bytes: every way with a `highway` tag becomes straight edges
/// between its consecutive nodes; `railway=rail` ways become lines. Missing nodes split a way.
pub fn read_pbf(bytes: &[u8]) -> Result<Skeleton, SkeletonError> {
    if bytes.is_empty() {
        return Err(OsmError::NotPbf("the file is empty".into()).into());
    }
    let mut node_pos: HashMap<i64, [f64; 2]> = HashMap::new();
    let mut road_ways: Vec<Vec<i64>> = Vec::new();
    let mut rail_ways: Vec<Vec<i64>> = Vec::new();
    ElementReader::new(std::io::Cursor::new(bytes))
        .for_each(|el| match el {
            Element::Node(n) => {
                node_pos.insert(n.id(), [n.lon(), n.lat()]);
            }
            Element::DenseNode(n) => {
                node_pos.insert(n.id(), [n.lon(), n.lat()]);
            }
            Element::Way(w) => {
                let tags: Vec<(&str, &str)> = w.tags().collect();
                if tags.iter().any(|(k, _)| *k == "highway") {
                    road_ways.push(w.refs().collect());
                } else if tags.iter().any(|(k, v)| *k == "railway" && *v == "rail") {
                    rail_ways.push(w.refs().collect());
                }
            }
            Element::Relation(_) => {}
        })
        .map_err(|e| OsmError::Corrupt(e.to_string()))?;
    let valid = |p: &[f64; 2]| p[0].is_finite() && p[1].is_finite() && p[0].abs() <= 180.0 && p[1].abs() <= 90.0;
    let mut index: BTreeMap<i64, u32> = BTreeMap::new();
    let mut sk = Skeleton::default();
    let mut seen: BTreeSet<[u32; 2]> = BTreeSet::new();
    for refs in &road_ways {
        for w in refs.windows(2) {
            let (Some(pa), Some(pb)) = (node_pos.get(&w[0]), node_pos.get(&w[1])) else {
                continue;
            };
            if w[0] == w[1] || !valid(pa) || !valid(pb) {
                continue;
            }
            let mut id = |osm: i64, p: [f64; 2]| {
                *index.entry(osm).or_insert_with(|| {
                    sk.nodes_lonlat.push(p);
                    (sk.nodes_lonlat.len() - 1) as u32
                })
            };
            let a = id(w[0], *pa);
            let b = id(w[1], *pb);
            if seen.insert([a.min(b), a.max(b)]) {
                sk.roads.push([a, b]);
            }
        }
    }
    for refs in &rail_ways {
        let line: Vec<[f64; 2]> = refs
            .iter()
            .filter_map(|r| node_pos.get(r))
            .copied()
            .filter(valid)
            .collect();
        if line.len() >= 2 {
            sk.rails.push(line);
        }
    }
    if sk.roads.is_empty() {
        return Err(SkeletonError::NoRoads);
    }
    Ok(sk)
}

/// The calibration file: published road lengths between placed points.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct CalibrationFile {
    /// What the file is and where its figures come from.
    #[serde(default)]
    pub about: String,
    /// The pairs.
    pub pairs: Vec<CalibrationPair>,
}

/// A published road length between two placed points (a calibration input).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct CalibrationPair {
    /// What the pair is, e.g. `景洪–勐海 (G214 old road)`.
    pub label: String,
    /// Start, `[lon, lat]` WGS-84.
    pub from: [f64; 2],
    /// End, `[lon, lat]` WGS-84.
    pub to: [f64; 2],
    /// Published road length, km.
    pub km: f64,
    /// Where the length and the positions come from.
    #[serde(default)]
    pub source: String,
}

/// How one pair fitted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PairFit {
    /// The pair's label.
    pub label: String,
    /// Published length, km.
    pub published_km: f64,
    /// Straight-line length over the skeleton (ends to their nearest nodes included), km.
    pub skeleton_km: f64,
    /// `published_km / skeleton_km`.
    pub ratio: f64,
    /// Calibrated length (`skeleton_km × detour`), km.
    pub calibrated_km: f64,
}

/// The fitted detour factor and the fit of each pair.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Calibration {
    /// Road length ÷ straight skeleton length, fitted over `pairs`.
    pub detour: f64,
    /// Pairs used.
    pub pairs: Vec<PairFit>,
    /// Pairs that could not be placed (label and reason).
    pub unused: Vec<(String, String)>,
}

/// Pairs whose ends lie farther than this from any skeleton node are not used, m.
pub const CALIBRATION_MAX_SNAP_M: f64 = 10_000.0;

/// Fits the detour factor `f` minimising Σ (published − f·skeleton)² over the pairs that can
/// be placed (both ends within [`CALIBRATION_MAX_SNAP_M`] of a connected skeleton node).
pub fn calibrate(sk: &Skeleton, pairs: &[CalibrationPair]) -> Result<Calibration, SkeletonError> {
    let mut used: Vec<(String, f64, f64)> = Vec::new();
    let mut unused = Vec::new();
    for p in pairs {
        if !(p.km.is_finite() && p.km > 0.0) {
            unused.push((p.label.clone(), format!("published length {} km is not positive", p.km)));
            continue;
        }
        let (Some((a, da)), Some((b, db))) = (sk.nearest_node(p.from), sk.nearest_node(p.to)) else {
            unused.push((p.label.clone(), "empty skeleton".into()));
            continue;
        };
        if da > CALIBRATION_MAX_SNAP_M || db > CALIBRATION_MAX_SNAP_M {
            unused.push((
                p.label.clone(),
                format!("an end is {:.1} km from the skeleton", da.max(db) / 1000.0),
            ));
            continue;
        }
        let Some(path_m) = sk.straight_path_m(a, b) else {
            unused.push((p.label.clone(), "the ends are not connected on the skeleton".into()));
            continue;
        };
        used.push((p.label.clone(), p.km, (path_m + da + db) / 1000.0));
    }
    if used.is_empty() {
        return Err(SkeletonError::NoPairs {
            pairs: pairs.len(),
            max_snap_m: CALIBRATION_MAX_SNAP_M,
        });
    }
    let sxy: f64 = used.iter().map(|(_, p, s)| p * s).sum();
    let sxx: f64 = used.iter().map(|(_, _, s)| s * s).sum();
    let detour = sxy / sxx;
    if !(detour.is_finite() && (1.0..=3.0).contains(&detour)) {
        return Err(SkeletonError::Implausible { detour });
    }
    let pairs = used
        .into_iter()
        .map(|(label, published_km, skeleton_km)| PairFit {
            label,
            published_km,
            skeleton_km,
            ratio: published_km / skeleton_km,
            calibrated_km: skeleton_km * detour,
        })
        .collect();
    Ok(Calibration { detour, pairs, unused })
}

/// How the skeleton is added and joined.
#[derive(Debug, Clone, Copy)]
pub struct JoinOptions {
    /// Road length ÷ straight length (from [`calibrate`]).
    pub detour: f64,
    /// Class recorded for skeleton pieces (drawn as 示意 whatever the class).
    pub class: RoadClass,
    /// Assumed speed on skeleton pieces, km/h.
    pub speed_kmh: f64,
    /// Real nodes within this distance of a skeleton node (or edge) are joined to it, m.
    pub join_m: f64,
    /// Real components with less road than this are not joined (left as islands), m.
    pub min_component_m: f64,
}

impl Default for JoinOptions {
    fn default() -> Self {
        JoinOptions {
            detour: 1.0,
            class: RoadClass::Primary,
            speed_kmh: 60.0,
            join_m: 3_000.0,
            min_component_m: 500.0,
        }
    }
}

/// What [`join`] added.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct JoinStats {
    /// Skeleton nodes added.
    pub skeleton_nodes: usize,
    /// Skeleton edges added (estimate pieces).
    pub skeleton_edges: usize,
    /// Their calibrated length, km.
    pub skeleton_km: f64,
    /// Connector pieces between real nodes and skeleton nodes.
    pub connectors: usize,
    /// Their calibrated length, km.
    pub connector_km: f64,
    /// Connected components of the real pieces (before joining).
    pub real_components: usize,
    /// Of those, the ones joined to the skeleton.
    pub real_components_joined: usize,
    /// Real nodes in components that stay unjoined (no skeleton node within the join distance).
    pub real_nodes_unjoined: usize,
}

/// Square-ish cells at least `join_m` (and 2 km) wide in both directions (degrees, conservatively: a
/// degree of latitude is taken as 110 km, of longitude as 110 km × cos of the highest latitude
/// present), so every point within `join_m` of another lies in the same or a neighbouring cell.
struct JoinGrid {
    cell_deg: [f64; 2],
}

impl JoinGrid {
    fn new<'a>(join_m: f64, points: impl Iterator<Item = &'a [f64; 2]>) -> JoinGrid {
        let max_lat = points
            .filter(|p| p[1].is_finite())
            .fold(0.0f64, |m, p| m.max(p[1].abs()));
        // Never narrower than 2 km, so a long skeleton edge lists itself in few cells.
        let join_m = if join_m.is_finite() {
            join_m.max(2_000.0)
        } else {
            2_000.0
        };
        let dlat = join_m / 110_000.0;
        let cos = (max_lat + dlat).min(89.0).to_radians().cos().max(1e-3);
        JoinGrid {
            cell_deg: [dlat / cos, dlat],
        }
    }

    fn cell(&self, p: [f64; 2]) -> (i64, i64) {
        (
            (p[0] / self.cell_deg[0]).floor() as i64,
            (p[1] / self.cell_deg[1]).floor() as i64,
        )
    }
}

/// Adds the skeleton to `builder` (which holds the real pieces) and joins them (module docs).
pub fn join(builder: &mut GraphBuilder, sk: &Skeleton, opts: &JoinOptions) -> JoinStats {
    let n_real = builder.node_count();
    // Components of the real pieces (union-find).
    let mut parent: Vec<u32> = (0..n_real as u32).collect();
    fn find(parent: &mut [u32], mut v: u32) -> u32 {
        while parent[v as usize] != v {
            parent[v as usize] = parent[parent[v as usize] as usize];
            v = parent[v as usize];
        }
        v
    }
    let ends: Vec<[u32; 2]> = builder.piece_end_nodes().collect();
    for [a, b] in ends {
        if (a as usize) < n_real && (b as usize) < n_real {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra as usize] = rb;
            }
        }
    }
    let real_pos: Vec<[f64; 2]> = (0..n_real as u32)
        .map(|v| builder.node_lonlat_e7(v).map_or([f64::NAN; 2], e7_to_deg))
        .collect();
    let comp: Vec<u32> = (0..n_real as u32).map(|v| find(&mut parent, v)).collect();
    let mut stats = JoinStats {
        real_components: comp.iter().copied().collect::<BTreeSet<_>>().len(),
        ..JoinStats::default()
    };

    // Each real component's road length (small fragments are not joined: a connector of
    // kilometres to a 50 m driveway would invent a road).
    let mut comp_len_m: BTreeMap<u32, f64> = BTreeMap::new();
    for [a, b] in builder.piece_end_nodes().collect::<Vec<_>>() {
        if (a as usize) < n_real && (b as usize) < n_real {
            *comp_len_m.entry(comp[a as usize]).or_default() += haversine_m(real_pos[a as usize], real_pos[b as usize]);
        }
    }
    let joinable = |c: u32| comp_len_m.get(&c).copied().unwrap_or(0.0) >= opts.min_component_m;

    // 1. Skeleton nodes to the nearest real node of a joinable component within join_m (ties:
    //    the lowest node id). A grid of cells at least join_m wide limits the search to the
    //    3 × 3 cells around each skeleton node; a full prefecture extract has ~300 000 nodes.
    let grid = JoinGrid::new(opts.join_m, real_pos.iter().chain(&sk.nodes_lonlat));
    let mut real_cells: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (v, rp) in real_pos.iter().enumerate() {
        if rp[0].is_finite() && rp[1].is_finite() && joinable(comp[v]) {
            real_cells.entry(grid.cell(*rp)).or_default().push(v as u32);
        }
    }
    let mut node_links: Vec<(usize, u32)> = Vec::new();
    let mut joined: BTreeSet<u32> = BTreeSet::new();
    for (s, sp) in sk.nodes_lonlat.iter().enumerate() {
        let (cx, cy) = grid.cell(*sp);
        let mut best: Option<(f64, u32)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &v in real_cells.get(&(cx + dx, cy + dy)).map_or(&[][..], |c| &c[..]) {
                    let d = haversine_m(*sp, real_pos[v as usize]);
                    if d.is_finite() && d <= opts.join_m && best.is_none_or(|(bd, bv)| d < bd || (d == bd && v < bv)) {
                        best = Some((d, v));
                    }
                }
            }
        }
        if let Some((_, v)) = best {
            node_links.push((s, v));
            joined.insert(comp[v as usize]);
        }
    }
    // 2. Every other joinable component to the closest point of a skeleton edge within join_m
    //    (the edge is split there). Each edge is listed in the cells its box, widened by a
    //    cell, overlaps; a node looks only at its own cell's edges, in edge order.
    let mut edge_cells: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, &[a, b]) in sk.roads.iter().enumerate() {
        let (pa, pb) = (sk.nodes_lonlat[a as usize], sk.nodes_lonlat[b as usize]);
        let (lo, hi) = (
            grid.cell([pa[0].min(pb[0]), pa[1].min(pb[1])]),
            grid.cell([pa[0].max(pb[0]), pa[1].max(pb[1])]),
        );
        for x in lo.0 - 1..=hi.0 + 1 {
            for y in lo.1 - 1..=hi.1 + 1 {
                edge_cells.entry((x, y)).or_default().push(i);
            }
        }
    }
    let mut splits: BTreeMap<usize, Vec<(f64, u32)>> = BTreeMap::new();
    let mut best_per_comp: BTreeMap<u32, (f64, usize, f64, u32)> = BTreeMap::new();
    for (v, rp) in real_pos.iter().enumerate() {
        let c = comp[v];
        if joined.contains(&c) || !joinable(c) || !rp[0].is_finite() || !rp[1].is_finite() {
            continue;
        }
        for &i in edge_cells.get(&grid.cell(*rp)).map_or(&[][..], |e| &e[..]) {
            let [a, b] = sk.roads[i];
            let (t, d) = project_on_segment(*rp, sk.nodes_lonlat[a as usize], sk.nodes_lonlat[b as usize]);
            if d <= opts.join_m && best_per_comp.get(&c).is_none_or(|x| d < x.0) {
                best_per_comp.insert(c, (d, i, t, v as u32));
            }
        }
    }
    for (c, (_, i, t, v)) in best_per_comp {
        splits.entry(i).or_default().push((t, v));
        joined.insert(c);
    }

    // Skeleton nodes and edges (split where components join), then the connectors.
    let sk_ids: Vec<u32> = sk
        .nodes_lonlat
        .iter()
        .map(|p| builder.add_node(deg_to_e7(*p), None))
        .collect();
    stats.skeleton_nodes = sk_ids.len();
    let add_estimate = |builder: &mut GraphBuilder, a: u32, b: u32, pa: [f64; 2], pb: [f64; 2]| -> f64 {
        let len_m = (haversine_m(pa, pb) * opts.detour).max(1.0);
        builder.add_piece_with_length(
            a,
            b,
            &[deg_to_e7(pa), deg_to_e7(pb)],
            opts.class,
            Direction::Both,
            opts.speed_kmh,
            len_m,
        );
        builder.mark_last_estimated();
        len_m
    };
    let mut connectors: Vec<(u32, [f64; 2], u32)> = node_links
        .iter()
        .map(|&(s, v)| (sk_ids[s], sk.nodes_lonlat[s], v))
        .collect();
    for (i, &[a, b]) in sk.roads.iter().enumerate() {
        let (pa, pb) = (sk.nodes_lonlat[a as usize], sk.nodes_lonlat[b as usize]);
        let mut chain: Vec<(u32, [f64; 2])> = vec![(sk_ids[a as usize], pa)];
        let mut cuts = splits.remove(&i).unwrap_or_default();
        cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
        for (t, v) in cuts {
            let p = [pa[0] + (pb[0] - pa[0]) * t, pa[1] + (pb[1] - pa[1]) * t];
            let id = builder.add_node(deg_to_e7(p), None);
            stats.skeleton_nodes += 1;
            chain.push((id, p));
            connectors.push((id, p, v));
        }
        chain.push((sk_ids[b as usize], pb));
        for w in chain.windows(2) {
            stats.skeleton_km += add_estimate(builder, w[0].0, w[1].0, w[0].1, w[1].1) / 1000.0;
            stats.skeleton_edges += 1;
        }
    }
    for (s_id, sp, v) in connectors {
        stats.connector_km += add_estimate(builder, v, s_id, real_pos[v as usize], sp) / 1000.0;
        stats.connectors += 1;
    }
    stats.real_components_joined = joined.len();
    stats.real_nodes_unjoined = comp.iter().filter(|c| !joined.contains(c)).count();
    stats
}

/// The skeleton's railways as a GeoJSON FeatureCollection of LineStrings with `name_zh`,
/// `name_en` and `source` properties.
pub fn rails_geojson(sk: &Skeleton, name_zh: &str, name_en: &str, source: &str) -> serde_json::Value {
    let features: Vec<serde_json::Value> = sk
        .rails
        .iter()
        .map(|line| {
            serde_json::json!({
                "type": "Feature",
                "properties": {"name_zh": name_zh, "name_en": name_en, "kind": "railway", "source": source},
                "geometry": {"type": "LineString", "coordinates": line},
            })
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::roads::graph::Graph;

    /// A square skeleton 0–1–2–3 with sides of ≈ 11.1 km (0.1° of latitude) and one diagonal
    /// missing; the real network is a short piece near node 2.
    fn square() -> Skeleton {
        Skeleton {
            nodes_lonlat: vec![[100.0, 22.0], [100.0, 22.1], [100.1, 22.1], [100.1, 22.0]],
            roads: vec![[0, 1], [1, 2], [2, 3]],
            rails: vec![vec![[100.0, 22.0], [100.1, 22.1]]],
        }
    }

    #[test]
    fn calibration_is_least_squares_through_the_origin() {
        let sk = square();
        let side = haversine_m([100.0, 22.0], [100.0, 22.1]) / 1000.0;
        let top = haversine_m([100.0, 22.1], [100.1, 22.1]) / 1000.0;
        let pairs = vec![
            CalibrationPair {
                label: "0-1".into(),
                from: [100.0, 22.0],
                to: [100.0, 22.1],
                km: side * 1.2,
                source: String::new(),
            },
            CalibrationPair {
                label: "0-3 via 1, 2".into(),
                from: [100.0, 22.0],
                to: [100.1, 22.0],
                km: (2.0 * side + top) * 1.5,
                source: String::new(),
            },
            CalibrationPair {
                label: "far away".into(),
                from: [90.0, 22.0],
                to: [100.1, 22.0],
                km: 10.0,
                source: String::new(),
            },
        ];
        let cal = calibrate(&sk, &pairs).unwrap();
        // Independent closed form: f = Σ p s / Σ s².
        let s = [side, 2.0 * side + top];
        let p = [side * 1.2, (2.0 * side + top) * 1.5];
        let f = (s[0] * p[0] + s[1] * p[1]) / (s[0] * s[0] + s[1] * s[1]);
        assert!((cal.detour - f).abs() < 1e-9, "{} vs {f}", cal.detour);
        assert_eq!(cal.pairs.len(), 2);
        assert_eq!(cal.unused.len(), 1);
        assert!((cal.pairs[1].skeleton_km - s[1]).abs() < 1e-6);
    }

    #[test]
    fn clip_keeps_edges_with_an_end_inside() {
        let sk = square();
        let c = sk.clip(&|lon, lat| lon < 100.05 && lat < 22.05);
        assert_eq!(c.roads.len(), 1, "only 0–1 touches the south-west corner");
        assert_eq!(c.nodes_lonlat, vec![[100.0, 22.0], [100.0, 22.1]]);
        assert!(c.rails.is_empty(), "the diagonal rail has one point inside");
    }

    #[test]
    fn calibration_refuses_what_cannot_be_placed_or_is_no_detour() {
        let sk = square();
        let far = CalibrationPair {
            label: "far".into(),
            from: [90.0, 22.0],
            to: [91.0, 22.0],
            km: 10.0,
            source: String::new(),
        };
        assert!(matches!(calibrate(&sk, &[far]), Err(SkeletonError::NoPairs { .. })));
        let short = CalibrationPair {
            label: "shorter than straight".into(),
            from: [100.0, 22.0],
            to: [100.0, 22.1],
            km: 1.0,
            source: String::new(),
        };
        assert!(matches!(
            calibrate(&sk, &[short]),
            Err(SkeletonError::Implausible { .. })
        ));
    }

    #[test]
    fn join_marks_estimates_and_links_real_pieces() {
        let sk = square();
        let mut b = GraphBuilder::new();
        // A real two-piece road 300 m east of node 2, and a far island that stays unjoined.
        let r0 = b.add_node(deg_to_e7([100.103, 22.1]), Some(1));
        let r1 = b.add_node(deg_to_e7([100.103, 22.11]), Some(2));
        b.add_piece(
            r0,
            r1,
            &[deg_to_e7([100.103, 22.1]), deg_to_e7([100.103, 22.11])],
            RoadClass::Secondary,
            Direction::Both,
            50.0,
        );
        let f0 = b.add_node(deg_to_e7([101.0, 23.0]), Some(3));
        let f1 = b.add_node(deg_to_e7([101.0, 23.01]), Some(4));
        b.add_piece(
            f0,
            f1,
            &[deg_to_e7([101.0, 23.0]), deg_to_e7([101.0, 23.01])],
            RoadClass::Secondary,
            Direction::Both,
            50.0,
        );
        let opts = JoinOptions {
            detour: 1.4,
            ..JoinOptions::default()
        };
        let st = join(&mut b, &sk, &opts);
        assert_eq!(st.skeleton_edges, 3);
        assert_eq!(st.real_components, 2);
        assert_eq!(st.real_components_joined, 1);
        assert_eq!(st.real_nodes_unjoined, 2);
        assert_eq!(st.connectors, 1);
        let g: Graph = b.build(1).unwrap();
        let estimated: Vec<u32> = (0..g.piece_count() as u32).filter(|&p| g.piece_estimated(p)).collect();
        assert_eq!(estimated.len(), 4, "three skeleton edges and one connector");
        assert!(!g.piece_estimated(0) && !g.piece_estimated(1));
        // Calibrated lengths: straight × 1.4.
        let straight: f64 = (0..3).map(|i| sk.edge_straight_m(i)).sum::<f64>() / 1000.0;
        assert!((st.skeleton_km - straight * 1.4).abs() < 1e-6);
        // The estimate bit survives the file format.
        let back = Graph::from_bytes(&g.to_bytes()).unwrap();
        assert_eq!(back, g);
        assert!(back.has_estimated_pieces());
        assert_eq!(back.piece_class(estimated[0]), RoadClass::Primary);
    }

    #[test]
    fn reads_the_real_skeleton_file() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/sources/xishuangbanna-osm/skeleton.osm.pbf");
        let bytes = std::fs::read(&path).unwrap();
        let sk = read_pbf(&bytes).unwrap();
        assert!(
            sk.nodes_lonlat.len() > 100 && sk.roads.len() > 100,
            "{} nodes",
            sk.nodes_lonlat.len()
        );
        assert!(!sk.rails.is_empty());
        assert!(read_pbf(&bytes[..bytes.len() / 2]).is_err());
        assert!(read_pbf(b"").is_err());
    }
}
