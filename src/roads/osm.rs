//! Import of OpenStreetMap `.osm.pbf` extracts into a [`Graph`] under the emergency profile.
//!
//! Two passes over the in-memory file: pass 1 decodes every block, keeps the road ways (node
//! refs + profile verdict) and remembers which blocks hold nodes; pass 2 decodes only those
//! blocks and keeps the coordinates of nodes that road ways use. Ways are then split into road
//! pieces at nodes used ≥ 2 times (intersections), at way ends, and where nodes are missing or
//! outside the optional boundary. Every piece keeps its intermediate geometry.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use osmpbf::{BlobDecode, BlobReader, BlobType, Element, ErrorKind};

use super::graph::{BuildError, Graph, GraphBuilder, hash64, split_run};
use super::profile::{SpeedTable, WayRule, classify_way};

/// Errors importing an OSM PBF extract.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    /// The file could not be read.
    #[error("cannot read OSM file {path}: {source}")]
    Io {
        /// The file path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The data is not an OSM PBF file at all.
    #[error("not an OSM PBF file: {0}")]
    NotPbf(String),
    /// The data ends in the middle of a block.
    #[error("OSM PBF file is truncated: {0}")]
    Truncated(String),
    /// A block could not be decoded.
    #[error("OSM PBF file is corrupted: {0}")]
    Corrupt(String),
    /// The extract (inside the boundary, if any) contains no drivable road.
    #[error(
        "no drivable roads in the extract: {road_ways} road ways found, {nodes_inside} of their nodes present{boundary}",
        boundary = if *.boundary { " inside the boundary" } else { "" }
    )]
    NoRoads {
        /// Ways that matched the road profile.
        road_ways: usize,
        /// Referenced nodes that were present (and inside the boundary).
        nodes_inside: usize,
        /// Whether a boundary filter was used.
        boundary: bool,
    },
    /// The same node or way id twice: a corrupt extract, or two extracts concatenated.
    #[error(
        "OSM 文件中{what} {id} 出现两次（文件损坏或两个文件被直接拼接，请用 osmium merge 合并）/ {what} id {id} appears twice in the extract (a corrupt file, or two extracts concatenated: merge them with `osmium merge`)"
    )]
    DuplicateId {
        /// `node` or `way`.
        what: &'static str,
        /// The OSM id.
        id: i64,
    },
    /// The graph could not be built.
    #[error("building the road graph failed: {0}")]
    Build(#[from] BuildError),
}

/// A simple lon/lat polygon (one outer ring, even-odd rule) usable as an import boundary.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Polygon {
    /// Ring vertices as `[lon, lat]` degrees; closing vertex optional.
    pub ring_lonlat: Vec<[f64; 2]>,
}

impl Polygon {
    /// True when (`lon`, `lat`) lies inside the ring (ray casting).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        let r = &self.ring_lonlat;
        if r.len() < 3 {
            return false;
        }
        let mut inside = false;
        let mut j = r.len() - 1;
        for i in 0..r.len() {
            let (xi, yi) = (r[i][0], r[i][1]);
            let (xj, yj) = (r[j][0], r[j][1]);
            if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
        inside
    }
}

/// Options for [`import_pbf_bytes`] / [`import_pbf_path`].
#[derive(Default)]
pub struct ImportOptions<'a> {
    /// Speed table of the profile.
    pub speeds: SpeedTable,
    /// Keep only nodes for which `boundary(lon, lat)` is true (ways are cut at the boundary).
    pub boundary: Option<&'a dyn Fn(f64, f64) -> bool>,
}

/// Counts from one import.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportStats {
    /// Ways in the file.
    pub ways_total: usize,
    /// Ways matching the road profile.
    pub road_ways: usize,
    /// Distinct nodes referenced by road ways.
    pub nodes_referenced: usize,
    /// Referenced nodes absent from the file.
    pub nodes_missing: usize,
    /// Referenced nodes outside the boundary.
    pub nodes_outside: usize,
    /// Nodes of the resulting graph.
    pub graph_nodes: usize,
    /// Road pieces of the resulting graph.
    pub pieces: usize,
    /// Directed edges of the resulting graph.
    pub edges: usize,
    /// Wall time of the import in milliseconds.
    pub import_ms: f64,
}

/// Reads and imports an `.osm.pbf` file.
pub fn import_pbf_path(path: &Path, opts: &ImportOptions<'_>) -> Result<(Graph, ImportStats), OsmError> {
    let bytes = std::fs::read(path).map_err(|source| OsmError::Io {
        path: path.display().to_string(),
        source,
    })?;
    import_pbf_bytes(&bytes, opts)
}

/// A byte-slice reader that reports how many bytes have been consumed.
struct CountingReader<'a> {
    data: &'a [u8],
    pos: Arc<AtomicUsize>,
}

impl Read for CountingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let pos = self.pos.load(Ordering::Relaxed);
        let rest = self.data.get(pos..).unwrap_or(&[]);
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos.store(pos + n, Ordering::Relaxed);
        Ok(n)
    }
}

fn map_pbf_error(e: &osmpbf::Error, first_blob: bool, offset: usize) -> OsmError {
    let msg = format!("{e} (at byte {offset})");
    match e.kind() {
        ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            if first_blob {
                OsmError::NotPbf(msg)
            } else {
                OsmError::Truncated(msg)
            }
        }
        _ if first_blob => OsmError::NotPbf(msg),
        _ => OsmError::Corrupt(msg),
    }
}

/// True when the data starts like a PBF file (a small blob header naming `OSMHeader`).
fn looks_like_pbf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64)];
    head.len() > 4 && head[..2] == [0, 0] && head.windows(9).any(|w| w == b"OSMHeader")
}

/// Iterates the blobs of `bytes`, checking framing; calls `f(index, blob)` for each.
fn for_each_blob(
    bytes: &[u8],
    mut f: impl FnMut(usize, &osmpbf::Blob) -> Result<(), OsmError>,
) -> Result<(), OsmError> {
    if bytes.is_empty() {
        return Err(OsmError::NotPbf("the file is empty".into()));
    }
    let pos = Arc::new(AtomicUsize::new(0));
    let reader = BlobReader::new(CountingReader {
        data: bytes,
        pos: Arc::clone(&pos),
    });
    let mut last_end = 0usize;
    for (i, blob) in reader.enumerate() {
        let blob = blob.map_err(|e| {
            if pos.load(Ordering::Relaxed) >= bytes.len() && looks_like_pbf(bytes) {
                OsmError::Truncated(format!(
                    "the file ends inside block {i} (last complete block ends at byte {last_end})"
                ))
            } else {
                map_pbf_error(&e, i == 0, last_end)
            }
        })?;
        if i == 0 && !matches!(blob.get_type(), BlobType::OsmHeader) {
            return Err(OsmError::NotPbf("the first block is not an OSMHeader block".into()));
        }
        f(i, &blob)?;
        last_end = pos.load(Ordering::Relaxed);
    }
    if last_end == 0 {
        return Err(OsmError::NotPbf("no complete block found".into()));
    }
    if last_end != bytes.len() {
        return Err(OsmError::Truncated(format!(
            "{} stray bytes after the last complete block at byte {last_end}",
            bytes.len() - last_end
        )));
    }
    Ok(())
}

/// Per referenced OSM node: how often road ways use it, its position, and graph node id.
struct NodeSlot {
    osm_id: i64,
    uses: u8,
    present: bool,
    lonlat_e7: [i32; 2],
    graph_node: u32,
}

/// Imports an in-memory `.osm.pbf` file (see module docs).
pub fn import_pbf_bytes(bytes: &[u8], opts: &ImportOptions<'_>) -> Result<(Graph, ImportStats), OsmError> {
    let t0 = Instant::now();
    let (builder, mut stats) = import_pbf_builder(bytes, opts)?;
    let graph = builder.build(hash64(bytes))?;
    stats.graph_nodes = graph.node_count();
    stats.edges = graph.edge_count();
    stats.import_ms = t0.elapsed().as_secs_f64() * 1000.0;
    Ok((graph, stats))
}

/// Reads the road pieces of an in-memory `.osm.pbf` file into a [`GraphBuilder`] without building
/// the graph, so that other sources (a calibrated skeleton, see `roads::skeleton`) can be joined
/// to them first. `graph_nodes`, `edges` and `import_ms` of the stats are left for the caller.
pub fn import_pbf_builder(bytes: &[u8], opts: &ImportOptions<'_>) -> Result<(GraphBuilder, ImportStats), OsmError> {
    let mut stats = ImportStats::default();
    // Pass 1: road ways, and which blocks have nodes.
    let mut way_refs: Vec<i64> = Vec::new();
    let mut ways: Vec<(usize, usize, WayRule)> = Vec::new();
    let mut node_blobs: Vec<usize> = Vec::new();
    // Every way id once (ways are few next to nodes, so all of them are remembered).
    let mut way_ids: std::collections::HashSet<i64> = std::collections::HashSet::new();
    for_each_blob(bytes, |i, blob| {
        let decoded = blob.decode().map_err(|e| map_pbf_error(&e, i == 0, 0))?;
        if let BlobDecode::OsmData(block) = decoded {
            let mut has_nodes = false;
            for el in block.elements() {
                match el {
                    Element::Way(w) => {
                        if !way_ids.insert(w.id()) {
                            return Err(OsmError::DuplicateId {
                                what: "way",
                                id: w.id(),
                            });
                        }
                        stats.ways_total += 1;
                        if let Some(rule) = classify_way(w.tags(), &opts.speeds) {
                            stats.road_ways += 1;
                            let start = way_refs.len();
                            for r in w.refs() {
                                if way_refs.len() == start || way_refs.last() != Some(&r) {
                                    way_refs.push(r);
                                }
                            }
                            if way_refs.len() - start >= 2 {
                                ways.push((start, way_refs.len(), rule));
                            } else {
                                way_refs.truncate(start);
                            }
                        }
                    }
                    Element::Node(_) | Element::DenseNode(_) => has_nodes = true,
                    Element::Relation(_) => {}
                }
            }
            if has_nodes {
                node_blobs.push(i);
            }
        }
        Ok(())
    })?;

    // Count uses of every referenced node.
    let mut slot_of: HashMap<i64, u32> = HashMap::with_capacity(way_refs.len());
    let mut slots: Vec<NodeSlot> = Vec::new();
    for &(s, e, _) in &ways {
        for &r in &way_refs[s..e] {
            let idx = *slot_of.entry(r).or_insert_with(|| {
                slots.push(NodeSlot {
                    osm_id: r,
                    uses: 0,
                    present: false,
                    lonlat_e7: [0, 0],
                    graph_node: u32::MAX,
                });
                (slots.len() - 1) as u32
            });
            let slot = &mut slots[idx as usize];
            slot.uses = slot.uses.saturating_add(1);
        }
    }
    stats.nodes_referenced = slots.len();

    // Pass 2: coordinates of the referenced nodes. A node id twice is refused when a road uses
    // it (exactly) or when the copies are adjacent (the usual sorted extract); remembering every
    // node id of a country would cost more than the check is worth.
    let mut next_node_blob = 0usize;
    let mut last_node_id: Option<i64> = None;
    for_each_blob(bytes, |i, blob| {
        if node_blobs.get(next_node_blob) != Some(&i) {
            return Ok(());
        }
        next_node_blob += 1;
        let decoded = blob.decode().map_err(|e| map_pbf_error(&e, false, 0))?;
        if let BlobDecode::OsmData(block) = decoded {
            for el in block.elements() {
                let (id, lon, lat) = match el {
                    Element::DenseNode(n) => (n.id(), n.decimicro_lon(), n.decimicro_lat()),
                    Element::Node(n) => (n.id(), n.decimicro_lon(), n.decimicro_lat()),
                    _ => continue,
                };
                if last_node_id.replace(id) == Some(id) {
                    return Err(OsmError::DuplicateId { what: "node", id });
                }
                // The decoder's delta sums wrap on a hostile file: what comes out must still be
                // a place on Earth.
                if !(-1_800_000_000..=1_800_000_000).contains(&lon) || !(-900_000_000..=900_000_000).contains(&lat) {
                    return Err(OsmError::Corrupt(format!(
                        "节点 {id} 的坐标不可能（经度 {lon}e-7，纬度 {lat}e-7）/ node {id} has impossible coordinates (lon {lon}e-7, lat {lat}e-7)"
                    )));
                }
                if let Some(&idx) = slot_of.get(&id) {
                    let slot = &mut slots[idx as usize];
                    if slot.present {
                        return Err(OsmError::DuplicateId { what: "node", id });
                    }
                    slot.present = true;
                    slot.lonlat_e7 = [lon, lat];
                }
            }
        }
        Ok(())
    })?;
    for slot in &mut slots {
        if !slot.present {
            stats.nodes_missing += 1;
        } else if let Some(inside) = opts.boundary
            && !inside(slot.lonlat_e7[0] as f64 * 1e-7, slot.lonlat_e7[1] as f64 * 1e-7)
        {
            slot.present = false;
            stats.nodes_outside += 1;
        }
    }

    // Split ways into pieces.
    let mut builder = GraphBuilder::new();
    let mut run: Vec<u32> = Vec::new();
    let mut pts: Vec<[i32; 2]> = Vec::new();
    for &(s, e, rule) in &ways {
        let refs = &way_refs[s..e];
        let mut i = 0;
        while i < refs.len() {
            // Collect a run of consecutive present nodes.
            run.clear();
            while i < refs.len() {
                let idx = slot_of.get(&refs[i]).copied().unwrap_or(u32::MAX);
                i += 1;
                if idx != u32::MAX && slots[idx as usize].present {
                    run.push(idx);
                } else {
                    break;
                }
            }
            if run.len() < 2 {
                continue;
            }
            let cuts = split_run(&run, |j| slots[run[j] as usize].uses >= 2);
            for (a, b) in cuts {
                let na = graph_node(&mut slots[run[a] as usize], &mut builder);
                let nb = graph_node(&mut slots[run[b] as usize], &mut builder);
                pts.clear();
                pts.extend(run[a..=b].iter().map(|&k| slots[k as usize].lonlat_e7));
                builder.add_piece(na, nb, &pts, rule.class, rule.direction, rule.speed_kmh);
                stats.pieces += 1;
            }
        }
    }
    if stats.pieces == 0 {
        return Err(OsmError::NoRoads {
            road_ways: stats.road_ways,
            nodes_inside: stats.nodes_referenced - stats.nodes_missing - stats.nodes_outside,
            boundary: opts.boundary.is_some(),
        });
    }
    Ok((builder, stats))
}

/// The graph node of a slot, created on first use.
fn graph_node(slot: &mut NodeSlot, builder: &mut GraphBuilder) -> u32 {
    if slot.graph_node == u32::MAX {
        slot.graph_node = builder.add_node(slot.lonlat_e7, Some(slot.osm_id));
    }
    slot.graph_node
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::testdata::{sample, temp_path};
    use super::*;

    /// The input the osm_pbf fuzz target found (session 9): in the fuzz build its dense-node
    /// metadata deltas overflowed inside the decoder (a panic with overflow checks; the
    /// decoder's arithmetic now wraps as in release, see Cargo.toml). This build's zlib
    /// rejects one of its blocks before the nodes are read, so here it checks that the file
    /// is refused with an error; the overflow itself is replayed by the fuzz target, which
    /// takes tests/data/osm/fuzz-*.osm.pbf as seeds (packaging/fuzz.sh).
    #[test]
    fn the_fuzz_found_file_is_refused_without_a_panic() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/osm/fuzz-dense-info-overflow.osm.pbf"
        );
        let bytes = std::fs::read(path).unwrap();
        let r = import_pbf_bytes(&bytes, &ImportOptions::default());
        eprintln!("{r:?}");
        assert!(r.is_err());
    }

    #[test]
    fn imports_liechtenstein() {
        let (g, st) = import_pbf_path(&sample("liechtenstein.osm.pbf"), &ImportOptions::default()).unwrap();
        eprintln!("{st:?}");
        assert!(st.road_ways > 3000, "{st:?}");
        assert_eq!(st.nodes_missing, 0);
        assert!(g.node_count() > 4000 && g.edge_count() > g.node_count());
        let scc = g.scc();
        eprintln!(
            "scc: count {} largest {} islands {} ({} nodes) top {:?}",
            scc.count, scc.largest_size, scc.island_count, scc.island_nodes, scc.top_island_sizes
        );
        assert!(scc.largest_size * 10 > g.node_count() * 9);
        let bb = g.bbox_lonlat();
        assert!(bb[0] > 9.3 && bb[2] < 9.7 && bb[1] > 46.7 && bb[3] < 47.6, "{bb:?}");
        // Deterministic: same bytes, same graph.
        let (g2, _) = import_pbf_path(&sample("liechtenstein.osm.pbf"), &ImportOptions::default()).unwrap();
        assert_eq!(g, g2);
        let round = Graph::from_bytes(&g.to_bytes()).unwrap();
        assert_eq!(round, g);
    }

    #[test]
    fn boundary_filter_cuts_and_can_exclude_everything() {
        let path = sample("andorra.osm.pbf");
        let all = import_pbf_path(&path, &ImportOptions::default()).unwrap().0;
        let poly = Polygon {
            ring_lonlat: vec![[1.40, 42.40], [1.60, 42.40], [1.60, 42.60], [1.40, 42.60]],
        };
        let inside = |lon: f64, lat: f64| poly.contains(lon, lat);
        let opts = ImportOptions {
            boundary: Some(&inside),
            ..Default::default()
        };
        let (part, st) = import_pbf_path(&path, &opts).unwrap();
        assert!(st.nodes_outside > 0);
        assert!(part.node_count() < all.node_count() && part.node_count() > 100);
        for v in 0..part.node_count() as u32 {
            let p = part.node_lonlat(v);
            assert!(poly.contains(p[0], p[1]));
        }
        let nowhere = |_: f64, _: f64| false;
        let opts = ImportOptions {
            boundary: Some(&nowhere),
            ..Default::default()
        };
        let err = import_pbf_path(&path, &opts).unwrap_err();
        assert!(matches!(err, OsmError::NoRoads { boundary: true, .. }), "{err}");
        assert!(err.to_string().contains("no drivable roads"), "{err}");
    }

    #[test]
    fn bad_files_give_clear_errors() {
        let bytes = std::fs::read(sample("monaco.osm.pbf")).unwrap();
        for cut in [bytes.len() / 2, bytes.len() - 1, 100, bytes.len() - 3] {
            let p = temp_path("trunc.osm.pbf");
            std::fs::write(&p, &bytes[..cut]).unwrap();
            let err = import_pbf_path(&p, &ImportOptions::default()).unwrap_err();
            std::fs::remove_file(&p).unwrap();
            assert!(matches!(err, OsmError::Truncated(_)), "cut {cut}: {err}");
        }
        let err = import_pbf_bytes(b"<?xml version='1.0'?><osm></osm>\n", &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, OsmError::NotPbf(_)), "{err}");
        let err = import_pbf_bytes(&[], &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, OsmError::NotPbf(_)), "{err}");
        // Corrupted compressed data in the middle of the file.
        let mut bad = bytes.clone();
        let mid = bad.len() / 2;
        for b in &mut bad[mid..mid + 64] {
            *b ^= 0x5a;
        }
        let err = import_pbf_bytes(&bad, &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, OsmError::Corrupt(_) | OsmError::Truncated(_)), "{err}");
        let err = import_pbf_path(&temp_path("missing.osm.pbf"), &ImportOptions::default()).unwrap_err();
        assert!(matches!(err, OsmError::Io { .. }), "{err}");
    }

    /// Byte ranges of the blobs of a PBF file (4-byte header length, BlobHeader, Blob), read
    /// from the framing alone: a second, independent reading of the format.
    fn blob_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
        fn varint(b: &[u8], at: &mut usize) -> u64 {
            let mut v = 0u64;
            for shift in (0..64).step_by(7) {
                let byte = b[*at];
                *at += 1;
                v |= u64::from(byte & 0x7f) << shift;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            v
        }
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let start = at;
            let hlen = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            at += 4;
            let header = &bytes[at..at + hlen];
            at += hlen;
            // BlobHeader: 1 type (bytes), 2 indexdata (bytes), 3 datasize (varint).
            let (mut h, mut datasize) = (0, 0);
            while h < header.len() {
                let key = varint(header, &mut h);
                match key & 7 {
                    0 if key >> 3 == 3 => datasize = varint(header, &mut h) as usize,
                    0 => {
                        varint(header, &mut h);
                    }
                    2 => h += varint(header, &mut h) as usize,
                    _ => panic!("unexpected wire type in BlobHeader"),
                }
            }
            at += datasize;
            out.push(start..at);
        }
        out
    }

    #[test]
    fn duplicate_ids_are_refused_naming_the_id() {
        let bytes = std::fs::read(sample("monaco.osm.pbf")).unwrap();
        let blobs = blob_ranges(&bytes);
        assert_eq!(blobs.last().unwrap().end, bytes.len());
        // Two extracts concatenated: every way twice; the first way of the copy is named.
        let twice = [bytes.as_slice(), bytes.as_slice()].concat();
        let err = import_pbf_bytes(&twice, &ImportOptions::default()).unwrap_err();
        let OsmError::DuplicateId { what: "way", id } = err else {
            panic!("expected a duplicate way, got {err}")
        };
        let first_way = osmpbf::ElementReader::new(std::io::Cursor::new(bytes.clone()))
            .par_map_reduce(
                |e| match e {
                    Element::Way(w) => Some(w.id()),
                    _ => None,
                },
                || None,
                |a, b| match (a, b) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                },
            )
            .unwrap();
        assert_eq!(
            Some(id),
            first_way,
            "ways are sorted: the copy's first way repeats first"
        );
        assert!(err.to_string().contains(&format!("way id {id} appears twice")), "{err}");
        // A block of nodes repeated at the end: a node a road uses is named.
        let node_blob = blobs
            .iter()
            .skip(1)
            .find(|r| {
                let mut one = bytes[blobs[0].clone()].to_vec();
                one.extend_from_slice(&bytes[(*r).clone()]);
                let mut nodes = false;
                for_each_blob(&one, |i, b| {
                    if i == 1
                        && let Ok(BlobDecode::OsmData(block)) = b.decode()
                    {
                        nodes = block
                            .elements()
                            .any(|e| matches!(e, Element::DenseNode(_) | Element::Node(_)));
                    }
                    Ok(())
                })
                .unwrap();
                nodes
            })
            .unwrap()
            .clone();
        let mut again = bytes.clone();
        again.extend_from_slice(&bytes[node_blob.clone()]);
        let err = import_pbf_bytes(&again, &ImportOptions::default()).unwrap_err();
        let OsmError::DuplicateId { what: "node", id } = err else {
            panic!("expected a duplicate node, got {err}")
        };
        // The named id is in the repeated block.
        let mut in_block = false;
        let mut one = bytes[blobs[0].clone()].to_vec();
        one.extend_from_slice(&bytes[node_blob]);
        for_each_blob(&one, |i, b| {
            if i == 1
                && let Ok(BlobDecode::OsmData(block)) = b.decode()
            {
                in_block = block.elements().any(|e| match e {
                    Element::DenseNode(n) => n.id() == id,
                    Element::Node(n) => n.id() == id,
                    _ => false,
                });
            }
            Ok(())
        })
        .unwrap();
        assert!(in_block, "node {id} is in the repeated block");
        assert!(
            err.to_string().contains(&format!("node id {id} appears twice")),
            "{err}"
        );
        // The file itself imports.
        assert!(import_pbf_bytes(&bytes, &ImportOptions::default()).is_ok());
    }

    #[test]
    fn polygon_contains() {
        let sq = Polygon {
            ring_lonlat: vec![[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]],
        };
        assert!(sq.contains(0.5, 0.5));
        assert!(!sq.contains(1.5, 0.5));
        assert!(!sq.contains(-0.1, 0.5));
        assert!(!Polygon { ring_lonlat: vec![] }.contains(0.0, 0.0));
    }
}
