//! The compact, immutable road graph: CSR forward and backward adjacency, per-edge travel time
//! and length, road "pieces" (the drawable polyline between two graph nodes), strongly connected
//! components, and the versioned binary file format (`ONEMAPRG`).
//!
//! Units: node and geometry coordinates are `[lon, lat]` in 1e-7 degrees (`_e7`, exactly the
//! OSM PBF resolution), edge time is in milliseconds (`time_ms`), edge length in centimetres
//! (`dist_cm`). Keeping them as `u32` keeps Dijkstra keys integral and the file small.

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use super::profile::{Direction, RoadClass, haversine_m};

/// Marker for "no edge" in `u32` edge slots.
pub const NO_EDGE: u32 = u32::MAX;
/// Bit set in an edge's piece reference when the edge runs against the piece's point order.
pub const REVERSED_BIT: u32 = 1 << 31;
/// File magic of a serialized graph.
pub const MAGIC: &[u8; 8] = b"ONEMAPRG";
/// Current binary format version.
pub const FORMAT_VERSION: u32 = 1;
/// Bit set in a piece's class byte when its length is an estimate (a calibrated straight
/// skeleton edge or a connector to it), not measured along real road geometry. Format 1 files
/// written before this bit existed never set it, so they read as all-real.
pub const ESTIMATE_BIT: u8 = 0x80;

/// Converts `[lon, lat]` in 1e-7 degrees to degrees.
pub fn e7_to_deg(p: [i32; 2]) -> [f64; 2] {
    [p[0] as f64 * 1e-7, p[1] as f64 * 1e-7]
}

/// Converts `[lon, lat]` in degrees to 1e-7 degrees (rounded).
pub fn deg_to_e7(p: [f64; 2]) -> [i32; 2] {
    [(p[0] * 1e7).round() as i32, (p[1] * 1e7).round() as i32]
}

/// A 64-bit FNV-1a-style hash over little-endian 64-bit words (tail bytes one by one); own
/// implementation used for the source hash and the file checksum.
pub fn hash64(bytes: &[u8]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h ^= u64::from_le_bytes(w);
        h = h.wrapping_mul(PRIME);
        h ^= h >> 29;
    }
    for &b in chunks.remainder() {
        h ^= b as u64;
        h = h.wrapping_mul(PRIME);
    }
    h ^ (bytes.len() as u64)
}

/// Cuts a run of consecutive vertices of one way/line into road pieces `(first, last)` (index
/// ranges, inclusive): at every vertex where `junction(i)` holds and at the run's end. A piece
/// whose ends are the same vertex (a loop) is split at its middle; a degenerate one is dropped.
pub fn split_run<T: PartialEq>(run: &[T], junction: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
    let mut cuts = Vec::new();
    let mut start = 0usize;
    for j in 1..run.len() {
        if j != run.len() - 1 && !junction(j) {
            continue;
        }
        if run[start] == run[j] {
            if j - start >= 2 {
                let mid = (start + j) / 2;
                cuts.push((start, mid));
                cuts.push((mid, j));
            }
        } else {
            cuts.push((start, j));
        }
        start = j;
    }
    cuts
}

/// Errors building a graph from pieces.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BuildError {
    /// No road pieces were added.
    #[error("the road graph is empty: no drivable road pieces were found")]
    Empty,
    /// A piece refers to a node index that was never added.
    #[error("road piece {piece} refers to node {node}, but only {nodes} nodes exist")]
    BadNode {
        /// Piece index.
        piece: usize,
        /// Offending node index.
        node: u32,
        /// Number of nodes.
        nodes: usize,
    },
    /// A piece has fewer than two points.
    #[error("road piece {piece} has {points} points; at least 2 are needed")]
    ShortPiece {
        /// Piece index.
        piece: usize,
        /// Number of points.
        points: usize,
    },
    /// The graph is too large for 32-bit indices.
    #[error("the road graph is too large: {what} exceeds the 32-bit index limit")]
    TooLarge {
        /// Which count overflowed.
        what: &'static str,
    },
}

/// Errors reading a serialized graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphFileError {
    /// I/O error reading or writing the file.
    #[error("graph file I/O error on {path}: {source}")]
    Io {
        /// The file path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file does not start with `ONEMAPRG`.
    #[error("not a onemap road graph file (bad magic bytes)")]
    BadMagic,
    /// The format version is not supported.
    #[error("unsupported road graph format version {found} (this build reads version {expected})")]
    BadVersion {
        /// Version in the file.
        found: u32,
        /// Version this build understands.
        expected: u32,
    },
    /// The file is shorter than its header says.
    #[error("road graph file is truncated: {expected} bytes expected, {actual} present")]
    Truncated {
        /// Expected total size.
        expected: u64,
        /// Actual size.
        actual: u64,
    },
    /// The file is longer than its header says.
    #[error("road graph file has {extra} unexpected trailing bytes")]
    TrailingBytes {
        /// Number of extra bytes.
        extra: u64,
    },
    /// The checksum does not match the content.
    #[error("road graph file is corrupted: checksum mismatch")]
    Checksum,
    /// The content is structurally invalid.
    #[error("road graph file is corrupted: {0}")]
    Invalid(String),
}

/// Compact immutable road graph (see module docs for units).
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    pub(crate) source_hash: u64,
    pub(crate) node_lonlat_e7: Vec<[i32; 2]>,
    pub(crate) node_osm_id: Vec<i64>,
    pub(crate) first_out: Vec<u32>,
    pub(crate) head: Vec<u32>,
    pub(crate) time_ms: Vec<u32>,
    pub(crate) dist_cm: Vec<u32>,
    pub(crate) edge_piece: Vec<u32>,
    pub(crate) first_in: Vec<u32>,
    pub(crate) in_tail: Vec<u32>,
    pub(crate) in_edge: Vec<u32>,
    pub(crate) in_time_ms: Vec<u32>,
    pub(crate) in_dist_cm: Vec<u32>,
    pub(crate) piece_first_pt: Vec<u32>,
    pub(crate) pts_e7: Vec<[i32; 2]>,
    pub(crate) piece_nodes: Vec<[u32; 2]>,
    pub(crate) piece_edges: Vec<[u32; 2]>,
    pub(crate) piece_class: Vec<u8>,
}

struct PieceSpec {
    nodes: [u32; 2],
    first_pt: u32,
    class: RoadClass,
    direction: Direction,
    speed_kmh: f64,
    /// Published length that replaces the geometry's (schematic networks).
    length_m: Option<f64>,
    /// The length is an estimate (calibrated skeleton edge), see [`ESTIMATE_BIT`].
    estimated: bool,
}

/// Collects nodes and road pieces, then builds a [`Graph`].
#[derive(Default)]
pub struct GraphBuilder {
    nodes_e7: Vec<[i32; 2]>,
    osm_ids: Vec<i64>,
    pieces: Vec<PieceSpec>,
    pts: Vec<[i32; 2]>,
}

impl GraphBuilder {
    /// A new, empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node at `lonlat_e7` (optionally with its OSM id) and returns its index.
    pub fn add_node(&mut self, lonlat_e7: [i32; 2], osm_id: Option<i64>) -> u32 {
        self.nodes_e7.push(lonlat_e7);
        if let Some(id) = osm_id {
            self.osm_ids.resize(self.nodes_e7.len() - 1, 0);
            self.osm_ids.push(id);
        }
        (self.nodes_e7.len() - 1) as u32
    }

    /// Number of nodes added so far.
    pub fn node_count(&self) -> usize {
        self.nodes_e7.len()
    }

    /// Adds a road piece from node `a` to node `b` along `points_e7` (which include both end
    /// points); `direction` is relative to that point order.
    pub fn add_piece(
        &mut self,
        a: u32,
        b: u32,
        points_e7: &[[i32; 2]],
        class: RoadClass,
        direction: Direction,
        speed_kmh: f64,
    ) {
        let first_pt = self.pts.len() as u32;
        self.pts.extend_from_slice(points_e7);
        self.pieces.push(PieceSpec {
            nodes: [a, b],
            first_pt,
            class,
            direction,
            speed_kmh,
            length_m: None,
            estimated: false,
        });
    }

    /// Like [`GraphBuilder::add_piece`], but the piece is `length_m` long whatever its drawn
    /// geometry (a schematic straight segment standing for a road of published length).
    #[allow(clippy::too_many_arguments)]
    pub fn add_piece_with_length(
        &mut self,
        a: u32,
        b: u32,
        points_e7: &[[i32; 2]],
        class: RoadClass,
        direction: Direction,
        speed_kmh: f64,
        length_m: f64,
    ) {
        self.add_piece(a, b, points_e7, class, direction, speed_kmh);
        if let Some(p) = self.pieces.last_mut() {
            p.length_m = Some(length_m).filter(|l| l.is_finite() && *l > 0.0);
        }
    }

    /// Marks the piece added last as an estimate (see [`ESTIMATE_BIT`]).
    pub fn mark_last_estimated(&mut self) {
        if let Some(p) = self.pieces.last_mut() {
            p.estimated = true;
        }
    }

    /// Position of node `v` added so far, 1e-7 degrees.
    pub fn node_lonlat_e7(&self, v: u32) -> Option<[i32; 2]> {
        self.nodes_e7.get(v as usize).copied()
    }

    /// End nodes of every piece added so far, in insertion order.
    pub fn piece_end_nodes(&self) -> impl Iterator<Item = [u32; 2]> + '_ {
        self.pieces.iter().map(|p| p.nodes)
    }

    /// Builds the graph. Nodes are renumbered in Morton (Z-)order for memory locality; every
    /// piece becomes one or two directed edges. `source_hash` identifies the input data.
    pub fn build(self, source_hash: u64) -> Result<Graph, BuildError> {
        let n = self.nodes_e7.len();
        if self.pieces.is_empty() || n == 0 {
            return Err(BuildError::Empty);
        }
        if n >= u32::MAX as usize {
            return Err(BuildError::TooLarge { what: "node count" });
        }
        if self.pts.len() >= u32::MAX as usize {
            return Err(BuildError::TooLarge {
                what: "geometry point count",
            });
        }
        if self.pieces.len() * 2 >= (REVERSED_BIT as usize) {
            return Err(BuildError::TooLarge { what: "edge count" });
        }
        let mut ends: Vec<u32> = self.pieces.iter().map(|p| p.first_pt).collect();
        ends.push(self.pts.len() as u32);
        for (i, p) in self.pieces.iter().enumerate() {
            for &v in &p.nodes {
                if v as usize >= n {
                    return Err(BuildError::BadNode {
                        piece: i,
                        node: v,
                        nodes: n,
                    });
                }
            }
            let cnt = (ends[i + 1] - ends[i]) as usize;
            if cnt < 2 {
                return Err(BuildError::ShortPiece { piece: i, points: cnt });
            }
        }

        // Morton order of nodes.
        let perm = morton_order(&self.nodes_e7);
        let mut new_id = vec![0u32; n];
        for (new, &old) in perm.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let node_lonlat_e7: Vec<[i32; 2]> = perm.iter().map(|&o| self.nodes_e7[o as usize]).collect();
        let node_osm_id: Vec<i64> = if self.osm_ids.is_empty() {
            Vec::new()
        } else {
            let mut ids = self.osm_ids;
            ids.resize(n, 0);
            perm.iter().map(|&o| ids[o as usize]).collect()
        };

        // Directed edges: (tail, head, time_ms, dist_cm, piece_ref).
        let mut edges: Vec<(u32, u32, u32, u32, u32)> = Vec::with_capacity(self.pieces.len() * 2);
        let mut piece_nodes = Vec::with_capacity(self.pieces.len());
        let mut piece_class = Vec::with_capacity(self.pieces.len());
        for (i, p) in self.pieces.iter().enumerate() {
            let pts = &self.pts[ends[i] as usize..ends[i + 1] as usize];
            let len_m: f64 = p.length_m.unwrap_or_else(|| {
                pts.windows(2)
                    .map(|w| haversine_m(e7_to_deg(w[0]), e7_to_deg(w[1])))
                    .sum()
            });
            let speed = if p.speed_kmh.is_finite() && p.speed_kmh > 0.0 {
                p.speed_kmh
            } else {
                1.0
            };
            let time_ms = clamp_u32((len_m * 3.6 / speed * 1000.0).round());
            let dist_cm = clamp_u32((len_m * 100.0).round());
            let a = new_id[p.nodes[0] as usize];
            let b = new_id[p.nodes[1] as usize];
            piece_nodes.push([a, b]);
            piece_class.push(p.class.code() | if p.estimated { ESTIMATE_BIT } else { 0 });
            if p.direction.forward() {
                edges.push((a, b, time_ms, dist_cm, i as u32));
            }
            if p.direction.backward() {
                edges.push((b, a, time_ms, dist_cm, i as u32 | REVERSED_BIT));
            }
        }
        edges.sort_by_key(|e| (e.0, e.1));
        let m = edges.len();
        let mut first_out = vec![0u32; n + 1];
        for e in &edges {
            first_out[e.0 as usize + 1] += 1;
        }
        for v in 0..n {
            first_out[v + 1] += first_out[v];
        }
        let mut piece_edges = vec![[NO_EDGE; 2]; self.pieces.len()];
        for (id, e) in edges.iter().enumerate() {
            let p = (e.4 & !REVERSED_BIT) as usize;
            let slot = usize::from(e.4 & REVERSED_BIT != 0);
            piece_edges[p][slot] = id as u32;
        }
        let mut g = Graph {
            source_hash,
            node_lonlat_e7,
            node_osm_id,
            first_out,
            head: edges.iter().map(|e| e.1).collect(),
            time_ms: edges.iter().map(|e| e.2).collect(),
            dist_cm: edges.iter().map(|e| e.3).collect(),
            edge_piece: edges.iter().map(|e| e.4).collect(),
            first_in: Vec::new(),
            in_tail: Vec::new(),
            in_edge: Vec::new(),
            in_time_ms: Vec::new(),
            in_dist_cm: Vec::new(),
            piece_first_pt: ends,
            pts_e7: self.pts,
            piece_nodes,
            piece_edges,
            piece_class,
        };
        debug_assert_eq!(g.head.len(), m);
        g.build_backward();
        Ok(g)
    }
}

fn clamp_u32(v: f64) -> u32 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= u32::MAX as f64 {
        u32::MAX - 1
    } else {
        v as u32
    }
}

/// Interleaves the bits of two 32-bit values.
fn morton(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = v as u64;
        v = (v | (v << 16)) & 0x0000_ffff_0000_ffff;
        v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff;
        v = (v | (v << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    }
    spread(x) | (spread(y) << 1)
}

fn morton_order(pts: &[[i32; 2]]) -> Vec<u32> {
    let mut keyed: Vec<(u64, u32)> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = (p[0] as i64 - i32::MIN as i64) as u32;
            let y = (p[1] as i64 - i32::MIN as i64) as u32;
            (morton(x, y), i as u32)
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k.1).collect()
}

/// Summary of the strongly connected components of a graph.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SccReport {
    /// Number of components.
    pub count: usize,
    /// Node count of the largest component.
    pub largest_size: usize,
    /// Id of the largest component (index into the component numbering of `component`).
    pub largest_id: u32,
    /// Number of components other than the largest ("islands").
    pub island_count: usize,
    /// Total nodes outside the largest component.
    pub island_nodes: usize,
    /// Sizes of the up to ten largest islands, descending.
    pub top_island_sizes: Vec<usize>,
    /// Component id of every node.
    #[serde(skip)]
    pub component: Vec<u32>,
}

impl SccReport {
    /// A per-node mask that is true for nodes in the largest component.
    pub fn largest_mask(&self) -> Vec<bool> {
        self.component.iter().map(|&c| c == self.largest_id).collect()
    }
}

impl Graph {
    fn build_backward(&mut self) {
        let n = self.node_count();
        let m = self.edge_count();
        let mut first_in = vec![0u32; n + 1];
        for &h in &self.head {
            first_in[h as usize + 1] += 1;
        }
        for v in 0..n {
            first_in[v + 1] += first_in[v];
        }
        let mut fill = first_in.clone();
        let mut in_tail = vec![0u32; m];
        let mut in_edge = vec![0u32; m];
        for u in 0..n {
            for e in self.first_out[u]..self.first_out[u + 1] {
                let h = self.head[e as usize] as usize;
                let slot = fill[h] as usize;
                fill[h] += 1;
                in_tail[slot] = u as u32;
                in_edge[slot] = e;
            }
        }
        self.in_time_ms = in_edge.iter().map(|&e| self.time_ms[e as usize]).collect();
        self.in_dist_cm = in_edge.iter().map(|&e| self.dist_cm[e as usize]).collect();
        self.first_in = first_in;
        self.in_tail = in_tail;
        self.in_edge = in_edge;
    }

    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_lonlat_e7.len()
    }

    /// Number of directed edges.
    pub fn edge_count(&self) -> usize {
        self.head.len()
    }

    /// Number of road pieces (drawable polylines between two nodes).
    pub fn piece_count(&self) -> usize {
        self.piece_nodes.len()
    }

    /// Hash of the source data this graph was built from.
    pub fn source_hash(&self) -> u64 {
        self.source_hash
    }

    /// Node position `[lon, lat]` in 1e-7 degrees.
    pub fn node_e7(&self, v: u32) -> [i32; 2] {
        self.node_lonlat_e7[v as usize]
    }

    /// Node position `[lon, lat]` in degrees.
    pub fn node_lonlat(&self, v: u32) -> [f64; 2] {
        e7_to_deg(self.node_lonlat_e7[v as usize])
    }

    /// OSM id of a node, if the graph came from OSM.
    pub fn node_osm_id(&self, v: u32) -> Option<i64> {
        self.node_osm_id.get(v as usize).copied()
    }

    /// Range of edge ids leaving node `v`.
    pub fn out_edges(&self, v: u32) -> Range<usize> {
        self.first_out[v as usize] as usize..self.first_out[v as usize + 1] as usize
    }

    /// Head node of edge `e`.
    pub fn edge_head(&self, e: usize) -> u32 {
        self.head[e]
    }

    /// Tail node of edge `e`.
    pub fn edge_tail(&self, e: usize) -> u32 {
        let p = self.edge_piece[e];
        let nodes = self.piece_nodes[(p & !REVERSED_BIT) as usize];
        if p & REVERSED_BIT != 0 { nodes[1] } else { nodes[0] }
    }

    /// Travel time of edge `e` in milliseconds.
    pub fn edge_time_ms(&self, e: usize) -> u32 {
        self.time_ms[e]
    }

    /// Length of edge `e` in metres.
    pub fn edge_dist_m(&self, e: usize) -> f64 {
        self.dist_cm[e] as f64 / 100.0
    }

    /// Road piece of edge `e` and whether the edge runs against the piece's point order.
    pub fn edge_piece(&self, e: usize) -> (u32, bool) {
        let p = self.edge_piece[e];
        (p & !REVERSED_BIT, p & REVERSED_BIT != 0)
    }

    /// Road class of a piece.
    pub fn piece_class(&self, piece: u32) -> RoadClass {
        RoadClass::from_code(self.piece_class[piece as usize] & !ESTIMATE_BIT).unwrap_or(RoadClass::Road)
    }

    /// Whether a piece's length is an estimate (calibrated skeleton edge, drawn as 示意).
    pub fn piece_estimated(&self, piece: u32) -> bool {
        self.piece_class
            .get(piece as usize)
            .is_some_and(|c| c & ESTIMATE_BIT != 0)
    }

    /// Length of a piece (of its forward edge, else its backward one), m; 0 without edges.
    pub fn edge_len_of_piece_m(&self, piece: u32) -> f64 {
        self.piece_edges(piece)
            .into_iter()
            .find(|&e| e != NO_EDGE)
            .map_or(0.0, |e| self.edge_dist_m(e as usize))
    }

    /// Whether any piece is an estimate (a mixed real + skeleton network).
    pub fn has_estimated_pieces(&self) -> bool {
        self.piece_class.iter().any(|c| c & ESTIMATE_BIT != 0)
    }

    /// End nodes `[a, b]` of a piece (its points run from `a` to `b`).
    pub fn piece_nodes(&self, piece: u32) -> [u32; 2] {
        self.piece_nodes[piece as usize]
    }

    /// Directed edges of a piece: `[a→b, b→a]`, [`NO_EDGE`] where driving is not allowed.
    pub fn piece_edges(&self, piece: u32) -> [u32; 2] {
        self.piece_edges[piece as usize]
    }

    /// Points of a piece in 1e-7 degrees, from node `a` to node `b`.
    pub fn piece_points_e7(&self, piece: u32) -> &[[i32; 2]] {
        let p = piece as usize;
        &self.pts_e7[self.piece_first_pt[p] as usize..self.piece_first_pt[p + 1] as usize]
    }

    /// Geometry of edge `e` as `[lon, lat]` degrees in driving order (including both ends).
    pub fn edge_geometry_lonlat(&self, e: usize) -> Vec<[f64; 2]> {
        let (piece, rev) = self.edge_piece(e);
        let pts = self.piece_points_e7(piece);
        if rev {
            pts.iter().rev().map(|&p| e7_to_deg(p)).collect()
        } else {
            pts.iter().map(|&p| e7_to_deg(p)).collect()
        }
    }

    /// Bounding box `[min_lon, min_lat, max_lon, max_lat]` of the nodes, degrees.
    pub fn bbox_lonlat(&self) -> [f64; 4] {
        let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        for &p in &self.node_lonlat_e7 {
            let d = e7_to_deg(p);
            b[0] = b[0].min(d[0]);
            b[1] = b[1].min(d[1]);
            b[2] = b[2].max(d[0]);
            b[3] = b[3].max(d[1]);
        }
        b
    }

    /// A copy without the directed edges of the given pieces (road closures): node and piece
    /// numbering is kept, so snaps and geometry stay valid; closed pieces get [`NO_EDGE`].
    pub fn without_pieces(&self, closed: &std::collections::BTreeSet<u32>) -> Graph {
        let mut g = self.clone();
        let n = self.node_count();
        let keep: Vec<bool> = (0..self.edge_count())
            .map(|e| !closed.contains(&self.edge_piece(e).0))
            .collect();
        let mut new_of = vec![NO_EDGE; self.edge_count()];
        g.first_out = vec![0u32; n + 1];
        g.head.clear();
        g.time_ms.clear();
        g.dist_cm.clear();
        g.edge_piece.clear();
        for v in 0..n {
            for e in self.out_edges(v as u32) {
                if keep[e] {
                    new_of[e] = g.head.len() as u32;
                    g.head.push(self.head[e]);
                    g.time_ms.push(self.time_ms[e]);
                    g.dist_cm.push(self.dist_cm[e]);
                    g.edge_piece.push(self.edge_piece[e]);
                }
            }
            g.first_out[v + 1] = g.head.len() as u32;
        }
        for pe in &mut g.piece_edges {
            for slot in pe.iter_mut() {
                if *slot != NO_EDGE {
                    *slot = new_of[*slot as usize];
                }
            }
        }
        g.build_backward();
        g
    }

    /// Strongly connected components (iterative Tarjan, no recursion).
    pub fn scc(&self) -> SccReport {
        let n = self.node_count();
        const UNSEEN: u32 = u32::MAX;
        let mut index = vec![UNSEEN; n];
        let mut low = vec![0u32; n];
        let mut on_stack = vec![false; n];
        let mut comp = vec![UNSEEN; n];
        let mut stack: Vec<u32> = Vec::new();
        // Call stack of (node, next edge position).
        let mut call: Vec<(u32, u32)> = Vec::new();
        let mut next_index = 0u32;
        let mut sizes: Vec<usize> = Vec::new();
        for root in 0..n as u32 {
            if index[root as usize] != UNSEEN {
                continue;
            }
            call.push((root, self.first_out[root as usize]));
            index[root as usize] = next_index;
            low[root as usize] = next_index;
            next_index += 1;
            stack.push(root);
            on_stack[root as usize] = true;
            while let Some(&mut (v, ref mut pos)) = call.last_mut() {
                let end = self.first_out[v as usize + 1];
                if *pos < end {
                    let w = self.head[*pos as usize];
                    *pos += 1;
                    if index[w as usize] == UNSEEN {
                        index[w as usize] = next_index;
                        low[w as usize] = next_index;
                        next_index += 1;
                        stack.push(w);
                        on_stack[w as usize] = true;
                        call.push((w, self.first_out[w as usize]));
                    } else if on_stack[w as usize] {
                        low[v as usize] = low[v as usize].min(index[w as usize]);
                    }
                } else {
                    call.pop();
                    if let Some(&(parent, _)) = call.last() {
                        low[parent as usize] = low[parent as usize].min(low[v as usize]);
                    }
                    if low[v as usize] == index[v as usize] {
                        let id = sizes.len() as u32;
                        let mut size = 0;
                        while let Some(w) = stack.pop() {
                            on_stack[w as usize] = false;
                            comp[w as usize] = id;
                            size += 1;
                            if w == v {
                                break;
                            }
                        }
                        sizes.push(size);
                    }
                }
            }
        }
        let (largest_id, largest_size) = sizes
            .iter()
            .enumerate()
            .max_by_key(|(i, s)| (**s, std::cmp::Reverse(*i)))
            .map(|(i, s)| (i as u32, *s))
            .unwrap_or((0, 0));
        let mut islands: Vec<usize> = sizes
            .iter()
            .enumerate()
            .filter(|(i, _)| *i as u32 != largest_id)
            .map(|(_, s)| *s)
            .collect();
        islands.sort_unstable_by(|a, b| b.cmp(a));
        SccReport {
            count: sizes.len(),
            largest_size,
            largest_id,
            island_count: islands.len(),
            island_nodes: islands.iter().sum(),
            top_island_sizes: islands.iter().take(10).copied().collect(),
            component: comp,
        }
    }

    /// Serializes the graph (format version [`FORMAT_VERSION`], little-endian, checksummed).
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.node_count();
        let m = self.edge_count();
        let p = self.piece_count();
        let k = self.pts_e7.len();
        let has_osm = !self.node_osm_id.is_empty();
        let mut out = Vec::with_capacity(expected_len(n as u64, m as u64, p as u64, k as u64, has_osm) as usize);
        out.extend_from_slice(MAGIC);
        put_u32(&mut out, FORMAT_VERSION);
        put_u32(&mut out, u32::from(has_osm));
        out.extend_from_slice(&self.source_hash.to_le_bytes());
        for c in [n, m, p, k] {
            put_u32(&mut out, c as u32);
        }
        for q in &self.node_lonlat_e7 {
            out.extend_from_slice(&q[0].to_le_bytes());
            out.extend_from_slice(&q[1].to_le_bytes());
        }
        for id in &self.node_osm_id {
            out.extend_from_slice(&id.to_le_bytes());
        }
        for arr in [
            &self.first_out,
            &self.head,
            &self.time_ms,
            &self.dist_cm,
            &self.edge_piece,
            &self.piece_first_pt,
        ] {
            for &v in arr.iter() {
                put_u32(&mut out, v);
            }
        }
        for q in &self.pts_e7 {
            out.extend_from_slice(&q[0].to_le_bytes());
            out.extend_from_slice(&q[1].to_le_bytes());
        }
        for arr in [&self.piece_nodes, &self.piece_edges] {
            for q in arr.iter() {
                put_u32(&mut out, q[0]);
                put_u32(&mut out, q[1]);
            }
        }
        out.extend_from_slice(&self.piece_class);
        let sum = hash64(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Writes the serialized graph to `path` (via a temporary file and rename).
    pub fn save(&self, path: &Path) -> Result<(), GraphFileError> {
        let io = |source| GraphFileError::Io {
            path: path.display().to_string(),
            source,
        };
        let tmp = path.with_extension("tmp-onemaprg");
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&self.to_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a graph file written by [`Graph::save`].
    pub fn load(path: &Path) -> Result<Graph, GraphFileError> {
        let bytes = std::fs::read(path).map_err(|source| GraphFileError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Graph::from_bytes(&bytes)
    }

    /// Parses and validates a serialized graph; never panics and never allocates more than the
    /// input size justifies.
    pub fn from_bytes(bytes: &[u8]) -> Result<Graph, GraphFileError> {
        const HEADER: usize = 8 + 4 + 4 + 8 + 16;
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(if bytes.len() < 8 && MAGIC.starts_with(bytes) {
                GraphFileError::Truncated {
                    expected: HEADER as u64,
                    actual: bytes.len() as u64,
                }
            } else {
                GraphFileError::BadMagic
            });
        }
        if bytes.len() < HEADER {
            return Err(GraphFileError::Truncated {
                expected: HEADER as u64,
                actual: bytes.len() as u64,
            });
        }
        let mut r = Reader { b: bytes, pos: 8 };
        let version = r.u32();
        if version != FORMAT_VERSION {
            return Err(GraphFileError::BadVersion {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let flags = r.u32();
        if flags > 1 {
            return Err(GraphFileError::Invalid(format!("unknown flags {flags:#x}")));
        }
        let has_osm = flags & 1 != 0;
        let source_hash = r.u64();
        let n = r.u32() as u64;
        let m = r.u32() as u64;
        let p = r.u32() as u64;
        let k = r.u32() as u64;
        let expected = expected_len(n, m, p, k, has_osm);
        let actual = bytes.len() as u64;
        if actual < expected {
            return Err(GraphFileError::Truncated { expected, actual });
        }
        if actual > expected {
            return Err(GraphFileError::TrailingBytes {
                extra: actual - expected,
            });
        }
        let body_end = bytes.len() - 8;
        let mut sum = [0u8; 8];
        sum.copy_from_slice(&bytes[body_end..]);
        if hash64(&bytes[..body_end]) != u64::from_le_bytes(sum) {
            return Err(GraphFileError::Checksum);
        }
        let (n, m, p, k) = (n as usize, m as usize, p as usize, k as usize);
        let node_lonlat_e7 = r.pairs_i32(n);
        let node_osm_id = if has_osm { r.i64s(n) } else { Vec::new() };
        let first_out = r.u32s(n + 1);
        let head = r.u32s(m);
        let time_ms = r.u32s(m);
        let dist_cm = r.u32s(m);
        let edge_piece = r.u32s(m);
        let piece_first_pt = r.u32s(p + 1);
        let pts_e7 = r.pairs_i32(k);
        let piece_nodes = r.pairs_u32(p);
        let piece_edges = r.pairs_u32(p);
        let piece_class = r.b[r.pos..r.pos + p].to_vec();

        let bad = |s: String| Err(GraphFileError::Invalid(s));
        if n == 0 || p == 0 {
            return bad("graph has no nodes or no road pieces".into());
        }
        if first_out[0] != 0 || first_out[n] as usize != m {
            return bad("edge offsets do not span the edge array".into());
        }
        if first_out.windows(2).any(|w| w[0] > w[1]) {
            return bad("edge offsets are not monotonic".into());
        }
        if let Some(h) = head.iter().find(|&&h| h as usize >= n) {
            return bad(format!("edge head {h} out of range ({n} nodes)"));
        }
        if piece_first_pt[0] != 0 || piece_first_pt[p] as usize != k {
            return bad("geometry offsets do not span the point array".into());
        }
        if piece_first_pt.windows(2).any(|w| w[1] < w[0].saturating_add(2)) {
            return bad("a road piece has fewer than 2 points".into());
        }
        for (e, &pr) in edge_piece.iter().enumerate() {
            let pi = (pr & !REVERSED_BIT) as usize;
            if pi >= p || piece_edges[pi][usize::from(pr & REVERSED_BIT != 0)] != e as u32 {
                return bad(format!("edge {e} has an inconsistent road piece reference"));
            }
        }
        for (i, pn) in piece_nodes.iter().enumerate() {
            if pn[0] as usize >= n || pn[1] as usize >= n {
                return bad(format!("road piece {i} has an out-of-range node"));
            }
            let pe = piece_edges[i];
            if pe == [NO_EDGE, NO_EDGE] {
                return bad(format!("road piece {i} has no drivable edge"));
            }
            for (slot, &e) in pe.iter().enumerate() {
                if e != NO_EDGE {
                    let e = e as usize;
                    let (tail, hd) = if slot == 0 { (pn[0], pn[1]) } else { (pn[1], pn[0]) };
                    if e >= m
                        || head[e] != hd
                        || !(first_out[tail as usize] as usize..first_out[tail as usize + 1] as usize).contains(&e)
                    {
                        return bad(format!("road piece {i} has an inconsistent edge"));
                    }
                }
            }
        }
        if let Some(c) = piece_class
            .iter()
            .find(|&&c| RoadClass::from_code(c & !ESTIMATE_BIT).is_none())
        {
            return bad(format!("unknown road class code {c}"));
        }
        if let Some(i) = node_lonlat_e7.iter().position(|&p| !valid_e7(p)) {
            let [lon, lat] = e7_to_deg(node_lonlat_e7[i]);
            return bad(format!(
                "node {i} at lon {lon}, lat {lat} is outside WGS-84 ranges / 节点坐标超出范围"
            ));
        }
        if let Some(i) = pts_e7.iter().position(|&p| !valid_e7(p)) {
            let [lon, lat] = e7_to_deg(pts_e7[i]);
            return bad(format!(
                "geometry point {i} at lon {lon}, lat {lat} is outside WGS-84 ranges / 几何点坐标超出范围"
            ));
        }
        if let Some(e) = (0..m).find(|&e| implausibly_fast(time_ms[e], dist_cm[e])) {
            return bad(format!(
                "edge {e}: {} m in {} ms is faster than {MAX_EDGE_SPEED_KMH} km/h / 路段行驶时间过短",
                f64::from(dist_cm[e]) / 100.0,
                time_ms[e]
            ));
        }
        let mut g = Graph {
            source_hash,
            node_lonlat_e7,
            node_osm_id,
            first_out,
            head,
            time_ms,
            dist_cm,
            edge_piece,
            first_in: Vec::new(),
            in_tail: Vec::new(),
            in_edge: Vec::new(),
            in_time_ms: Vec::new(),
            in_dist_cm: Vec::new(),
            piece_first_pt,
            pts_e7,
            piece_nodes,
            piece_edges,
            piece_class,
        };
        g.build_backward();
        Ok(g)
    }
}

/// Fastest speed an edge of a graph file may imply, km/h: a 0 ms edge of real length or a
/// published time too short for its length is a damaged or crafted file.
pub const MAX_EDGE_SPEED_KMH: f64 = 250.0;

/// Whether a fixed-point position lies within WGS-84 ranges.
fn valid_e7(p: [i32; 2]) -> bool {
    (-1_800_000_000..=1_800_000_000).contains(&p[0]) && (-900_000_000..=900_000_000).contains(&p[1])
}

/// Whether an edge is faster than [`MAX_EDGE_SPEED_KMH`] even allowing for the rounding of both
/// figures to whole ms and cm (so millimetre pieces that round to 0 ms stay valid).
fn implausibly_fast(time_ms: u32, dist_cm: u32) -> bool {
    let dist_m = (f64::from(dist_cm) - 0.5).max(0.0) / 100.0;
    let time_s = (f64::from(time_ms) + 0.5) / 1000.0;
    dist_m / time_s * 3.6 > MAX_EDGE_SPEED_KMH
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Total file size implied by the header counts (saturating, so absurd counts just mismatch).
fn expected_len(n: u64, m: u64, p: u64, k: u64, has_osm: bool) -> u64 {
    let header = 8 + 4 + 4 + 8 + 16u64;
    let parts = [
        n.saturating_mul(8),
        if has_osm { n.saturating_mul(8) } else { 0 },
        (n + 1).saturating_mul(4),
        m.saturating_mul(16),
        (p + 1).saturating_mul(4),
        k.saturating_mul(8),
        p.saturating_mul(16),
        p,
        8,
    ];
    parts.iter().fold(header, |a, &b| a.saturating_add(b))
}

/// Sequential little-endian reader; callers guarantee the length up front.
struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.b[self.pos..self.pos + N]);
        self.pos += N;
        a
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn slice(&mut self, len: usize) -> &[u8] {
        let s = &self.b[self.pos..self.pos + len];
        self.pos += len;
        s
    }
    fn u32s(&mut self, count: usize) -> Vec<u32> {
        self.slice(count * 4)
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }
    fn i64s(&mut self, count: usize) -> Vec<i64> {
        self.slice(count * 8)
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect()
    }
    fn pairs_u32(&mut self, count: usize) -> Vec<[u32; 2]> {
        self.slice(count * 8)
            .chunks_exact(8)
            .map(|c| {
                [
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                ]
            })
            .collect()
    }
    fn pairs_i32(&mut self, count: usize) -> Vec<[i32; 2]> {
        self.slice(count * 8)
            .chunks_exact(8)
            .map(|c| {
                [
                    i32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    i32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                ]
            })
            .collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// Builds a tiny graph from (a, b, direction) with nodes on a line.
    fn hand_graph(n: u32, pieces: &[(u32, u32, Direction)]) -> Graph {
        let mut b = GraphBuilder::new();
        for i in 0..n {
            b.add_node([i as i32 * 1000, (i as i32 % 3) * 700], Some(100 + i as i64));
        }
        for &(x, y, d) in pieces {
            let px = b.nodes_e7[x as usize];
            let py = b.nodes_e7[y as usize];
            b.add_piece(x, y, &[px, py], RoadClass::Residential, d, 25.0);
        }
        b.build(42).unwrap()
    }

    fn osm(g: &Graph, v: u32) -> i64 {
        g.node_osm_id(v).unwrap() - 100
    }

    #[test]
    fn scc_hand_graph() {
        use Direction::*;
        // Cycle 0->1->2->0, two-way 2-3 (so 3 joins), one-way 3->4 (4 alone),
        // 5<->6 island, 7 isolated sink reached from 6.
        let g = hand_graph(
            8,
            &[
                (0, 1, Forward),
                (1, 2, Forward),
                (2, 0, Forward),
                (2, 3, Both),
                (3, 4, Forward),
                (5, 6, Both),
                (6, 7, Forward),
            ],
        );
        let r = g.scc();
        assert_eq!(r.count, 4);
        assert_eq!(r.largest_size, 4);
        assert_eq!(r.island_count, 3);
        assert_eq!(r.island_nodes, 4);
        assert_eq!(r.top_island_sizes, vec![2, 1, 1]);
        let comp_of = |osm_id: i64| {
            let v = (0..8u32).find(|&v| osm(&g, v) == osm_id).unwrap();
            r.component[v as usize]
        };
        assert_eq!(comp_of(0), comp_of(1));
        assert_eq!(comp_of(0), comp_of(3));
        assert_ne!(comp_of(0), comp_of(4));
        assert_eq!(comp_of(5), comp_of(6));
        assert_ne!(comp_of(6), comp_of(7));
        assert_eq!(comp_of(0), r.largest_id);
        assert_eq!(r.largest_mask().iter().filter(|b| **b).count(), 4);
    }

    #[test]
    fn scc_long_path_no_recursion() {
        // A 200k-node two-way path would overflow a recursive Tarjan.
        let mut b = GraphBuilder::new();
        for i in 0..200_000 {
            b.add_node([i * 10, 0], None);
        }
        for i in 0..199_999u32 {
            b.add_piece(
                i,
                i + 1,
                &[[i as i32 * 10, 0], [(i as i32 + 1) * 10, 0]],
                RoadClass::Road,
                Direction::Both,
                30.0,
            );
        }
        let g = b.build(0).unwrap();
        let r = g.scc();
        assert_eq!(r.count, 1);
        assert_eq!(r.largest_size, 200_000);
    }

    #[test]
    fn edges_and_backward_adjacency() {
        use Direction::*;
        let g = hand_graph(3, &[(0, 1, Forward), (1, 2, Both)]);
        assert_eq!(g.edge_count(), 3);
        for v in 0..3u32 {
            for e in g.out_edges(v) {
                assert_eq!(g.edge_tail(e), v);
                let h = g.edge_head(e);
                let ins = g.first_in[h as usize] as usize..g.first_in[h as usize + 1] as usize;
                assert!(ins.clone().any(|i| g.in_edge[i] as usize == e && g.in_tail[i] == v));
                let geo = g.edge_geometry_lonlat(e);
                assert_eq!(geo[0], g.node_lonlat(v));
                assert_eq!(*geo.last().unwrap(), g.node_lonlat(h));
            }
        }
    }

    #[test]
    fn binary_round_trip_and_errors() {
        use Direction::*;
        let g = hand_graph(5, &[(0, 1, Forward), (1, 2, Both), (2, 3, Backward), (3, 4, Both)]);
        let bytes = g.to_bytes();
        let back = Graph::from_bytes(&bytes).unwrap();
        assert_eq!(back, g);
        assert_eq!(back.source_hash(), 42);

        // Truncated at every length: always a clean error.
        for len in 0..bytes.len() {
            let err = Graph::from_bytes(&bytes[..len]).unwrap_err();
            assert!(
                matches!(err, GraphFileError::Truncated { .. } | GraphFileError::BadMagic),
                "len {len}: {err}"
            );
        }
        // Trailing bytes.
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            Graph::from_bytes(&longer),
            Err(GraphFileError::TrailingBytes { extra: 1 })
        ));
        // Every single-bit flip is detected (by checksum or header checks), never a panic.
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert!(Graph::from_bytes(&bad).is_err(), "flip at {i} accepted");
        }
        // Wrong magic / version.
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(matches!(Graph::from_bytes(&bad), Err(GraphFileError::BadMagic)));
        let mut bad = bytes.clone();
        bad[8] = 9;
        assert!(matches!(
            Graph::from_bytes(&bad),
            Err(GraphFileError::BadVersion { found: 9, .. })
        ));
        // Absurd counts with a valid-looking header: no huge allocation, just Truncated.
        let mut bad = bytes[..40].to_vec();
        bad[24..28].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(matches!(Graph::from_bytes(&bad), Err(GraphFileError::Truncated { .. })));
        // A structurally bad body with a recomputed checksum is reported as Invalid.
        let mut bad = bytes.clone();
        let head_off = 40 + 5 * 8 + 5 * 8 + 6 * 4;
        bad[head_off..head_off + 4].copy_from_slice(&77u32.to_le_bytes());
        let end = bad.len() - 8;
        let sum = hash64(&bad[..end]);
        bad[end..].copy_from_slice(&sum.to_le_bytes());
        let err = Graph::from_bytes(&bad).unwrap_err();
        assert!(matches!(err, GraphFileError::Invalid(_)), "{err}");

        // Crafted values with a recomputed checksum: a 0 ms edge of real length, a longitude of
        // 200°, a latitude of -91°.
        let m = g.edge_count();
        let time_off = head_off + m * 4;
        let resum = |b: &mut Vec<u8>| {
            let end = b.len() - 8;
            let sum = hash64(&b[..end]);
            b[end..].copy_from_slice(&sum.to_le_bytes());
        };
        assert!(g.edge_dist_m(0) > 1.0);
        let mut bad = bytes.clone();
        bad[time_off..time_off + 4].copy_from_slice(&0u32.to_le_bytes());
        resum(&mut bad);
        let err = Graph::from_bytes(&bad).unwrap_err().to_string();
        assert!(err.contains("edge 0") && err.contains("faster than 250 km/h"), "{err}");
        let mut bad = bytes.clone();
        bad[40..44].copy_from_slice(&2_000_000_000i32.to_le_bytes());
        resum(&mut bad);
        let err = Graph::from_bytes(&bad).unwrap_err().to_string();
        assert!(err.contains("node 0 at lon 200") && err.contains("WGS-84"), "{err}");
        let mut bad = bytes.clone();
        bad[44..48].copy_from_slice(&(-910_000_000i32).to_le_bytes());
        resum(&mut bad);
        assert!(Graph::from_bytes(&bad).unwrap_err().to_string().contains("lat -91"));
        // A millimetre piece that rounds to 0 ms is real data and stays valid.
        assert!(!implausibly_fast(0, 1) && !implausibly_fast(0, 0) && implausibly_fast(0, 5));

        // File round trip.
        let path = std::env::temp_dir().join(format!("onemap-roads-{}-rt.onemaprg", std::process::id()));
        g.save(&path).unwrap();
        assert_eq!(Graph::load(&path).unwrap(), g);
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(Graph::load(&path), Err(GraphFileError::Io { .. })));
    }

    #[test]
    fn builder_rejects_bad_input() {
        let b = GraphBuilder::new();
        assert_eq!(b.build(0).unwrap_err(), BuildError::Empty);
        let mut b = GraphBuilder::new();
        b.add_node([0, 0], None);
        b.add_piece(0, 3, &[[0, 0], [1, 1]], RoadClass::Road, Direction::Both, 10.0);
        assert!(matches!(b.build(0), Err(BuildError::BadNode { node: 3, .. })));
        let mut b = GraphBuilder::new();
        b.add_node([0, 0], None);
        b.add_piece(0, 0, &[[0, 0]], RoadClass::Road, Direction::Both, 10.0);
        assert!(matches!(b.build(0), Err(BuildError::ShortPiece { .. })));
    }
}
