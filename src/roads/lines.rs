//! Road lines from any source (a centre's own GeoJSON or Shapefile, read and mapped to the
//! emergency profile by `mappack::road_lines`) into a [`GraphBuilder`], the same graph the OSM
//! import builds. Lines are split into road pieces where a vertex is shared by two or more
//! lines or reused within one (equal at 1e-7°, as topologically clean GIS data store their
//! junctions), at line ends, and where the optional boundary cuts them.
//!
//! Also a check that recognises data shifted to GCJ-02 (the offset of Chinese web-map
//! providers, ≈ 300–500 m here): the lines are compared with real road geometry already known
//! to be WGS-84 (the pack's OSM pieces), as they are and as if converted back from GCJ-02.
//!
//! Pure: no egui, tokio, database or file formats here.

use std::collections::HashMap;

use super::graph::{BuildError, Graph, GraphBuilder, deg_to_e7, e7_to_deg, split_run};
use super::profile::{Direction, RoadClass, haversine_m};
use crate::geom::{gcj02_to_wgs84, project_on_segment};

/// One road line with its profile verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadLine {
    /// Vertices, `[lon, lat]` WGS-84 / CGCS2000 degrees.
    pub points_lonlat: Vec<[f64; 2]>,
    /// Road class.
    pub class: RoadClass,
    /// Driving direction relative to the vertex order.
    pub direction: Direction,
    /// Speed, km/h.
    pub speed_kmh: f64,
}

/// Counts from [`build`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct LinesStats {
    /// Lines read.
    pub lines: usize,
    /// Road pieces made.
    pub pieces: usize,
    /// Distinct vertices used.
    pub vertices: usize,
    /// Vertices outside the boundary (lines are cut there).
    pub vertices_outside: usize,
    /// Length of the pieces made, km.
    pub km: f64,
}

/// Builds road pieces from `lines` (see module docs). Errors when nothing drivable remains.
pub fn build(
    lines: &[RoadLine],
    boundary: Option<&dyn Fn(f64, f64) -> bool>,
) -> Result<(GraphBuilder, LinesStats), BuildError> {
    let mut stats = LinesStats {
        lines: lines.len(),
        ..LinesStats::default()
    };
    // Uses of each vertex (consecutive repeats collapsed).
    let mut uses: HashMap<[i32; 2], u32> = HashMap::new();
    let e7_lines: Vec<Vec<[i32; 2]>> = lines
        .iter()
        .map(|l| {
            let mut v: Vec<[i32; 2]> = Vec::with_capacity(l.points_lonlat.len());
            for p in &l.points_lonlat {
                let q = deg_to_e7(*p);
                if v.last() != Some(&q) {
                    v.push(q);
                }
            }
            v
        })
        .collect();
    for l in &e7_lines {
        for q in l {
            *uses.entry(*q).or_default() += 1;
        }
    }
    stats.vertices = uses.len();
    let inside: HashMap<[i32; 2], bool> = uses
        .keys()
        .map(|q| {
            let d = e7_to_deg(*q);
            (*q, boundary.is_none_or(|f| f(d[0], d[1])))
        })
        .collect();
    stats.vertices_outside = inside.values().filter(|v| !**v).count();
    let mut builder = GraphBuilder::new();
    let mut node_of: HashMap<[i32; 2], u32> = HashMap::new();
    for (line, pts) in lines.iter().zip(&e7_lines) {
        for run in pts.split(|q| !inside.get(q).copied().unwrap_or(false)) {
            if run.len() < 2 {
                continue;
            }
            for (a, b) in split_run(run, |j| uses.get(&run[j]).copied().unwrap_or(0) >= 2) {
                let mut node = |q: [i32; 2]| *node_of.entry(q).or_insert_with(|| builder.add_node(q, None));
                let (na, nb) = (node(run[a]), node(run[b]));
                let piece = &run[a..=b];
                stats.km += piece
                    .windows(2)
                    .map(|w| haversine_m(e7_to_deg(w[0]), e7_to_deg(w[1])))
                    .sum::<f64>()
                    / 1000.0;
                builder.add_piece(na, nb, piece, line.class, line.direction, line.speed_kmh);
                stats.pieces += 1;
            }
        }
    }
    if stats.pieces == 0 {
        return Err(BuildError::Empty);
    }
    Ok((builder, stats))
}

/// How the lines compare with known WGS-84 road geometry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShiftCheck {
    /// Line vertices compared (those within 2 km of a reference road).
    pub sampled: usize,
    /// Median distance to the nearest reference road as the data stand, m.
    pub median_as_is_m: f64,
    /// The same after converting the data from GCJ-02 to WGS-84, m.
    pub median_if_gcj02_m: f64,
    /// The data look GCJ-02-shifted: far from the reference as they stand, close once converted.
    pub looks_gcj02: bool,
}

/// Vertices farther than this from every reference road are not compared, m.
const SHIFT_SEARCH_M: f64 = 2_000.0;
/// At most this many vertices are compared.
const SHIFT_SAMPLES: usize = 4_000;

/// Compares `lines` with the real (non-estimated) pieces of `reference` (module docs); `None`
/// when fewer than 20 vertices lie near a reference road (nothing to compare).
pub fn gcj02_check(lines: &[RoadLine], reference: &Graph) -> Option<ShiftCheck> {
    let grid = SegmentGrid::new(reference);
    let all: Vec<[f64; 2]> = lines.iter().flat_map(|l| l.points_lonlat.iter().copied()).collect();
    let step = (all.len() / SHIFT_SAMPLES).max(1);
    let mut as_is = Vec::new();
    let mut conv = Vec::new();
    for p in all.iter().step_by(step) {
        let (Some(a), Some(b)) = (grid.nearest_m(*p), grid.nearest_m(gcj02_to_wgs84(*p))) else {
            continue;
        };
        as_is.push(a);
        conv.push(b);
    }
    if as_is.len() < 20 {
        return None;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (m_as_is, m_conv) = (median(&mut as_is), median(&mut conv));
    Some(ShiftCheck {
        sampled: as_is.len(),
        median_as_is_m: m_as_is,
        median_if_gcj02_m: m_conv,
        looks_gcj02: m_as_is > 100.0 && m_conv < 0.5 * m_as_is,
    })
}

/// A straight segment `[lon, lat]` → `[lon, lat]`.
type Segment = ([f64; 2], [f64; 2]);

/// Real road segments bucketed in 0.01° cells for nearest-road queries.
struct SegmentGrid {
    cells: HashMap<(i32, i32), Vec<Segment>>,
}

const CELL_DEG: f64 = 0.01;

impl SegmentGrid {
    fn new(g: &Graph) -> SegmentGrid {
        let mut cells: HashMap<(i32, i32), Vec<Segment>> = HashMap::new();
        for p in (0..g.piece_count() as u32).filter(|&p| !g.piece_estimated(p)) {
            for w in g.piece_points_e7(p).windows(2) {
                let (a, b) = (e7_to_deg(w[0]), e7_to_deg(w[1]));
                let (x0, x1) = (cell(a[0].min(b[0])), cell(a[0].max(b[0])));
                let (y0, y1) = (cell(a[1].min(b[1])), cell(a[1].max(b[1])));
                if (x1 - x0 + 1) * (y1 - y0 + 1) > 400 {
                    continue; // a degenerate, enormous segment: not a reference
                }
                for x in x0..=x1 {
                    for y in y0..=y1 {
                        cells.entry((x, y)).or_default().push((a, b));
                    }
                }
            }
        }
        SegmentGrid { cells }
    }

    /// Distance to the nearest reference segment within [`SHIFT_SEARCH_M`], m.
    fn nearest_m(&self, p: [f64; 2]) -> Option<f64> {
        let r = (SHIFT_SEARCH_M / 111_000.0 / CELL_DEG).ceil() as i32 + 1;
        let (cx, cy) = (cell(p[0]), cell(p[1]));
        let mut best = f64::INFINITY;
        for x in cx - r..=cx + r {
            for y in cy - r..=cy + r {
                for &(a, b) in self.cells.get(&(x, y)).into_iter().flatten() {
                    best = best.min(project_on_segment(p, a, b).1);
                }
            }
        }
        (best <= SHIFT_SEARCH_M).then_some(best)
    }
}

fn cell(v: f64) -> i32 {
    (v / CELL_DEG).floor() as i32
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::geom::wgs84_to_gcj02;
    use crate::roads::osm::{ImportOptions, import_pbf_path};
    use crate::roads::search::{Metric, SearchParams, SearchSpace, route};
    use crate::roads::snap::SnapIndex;

    fn line(points: &[[f64; 2]], direction: Direction) -> RoadLine {
        RoadLine {
            points_lonlat: points.to_vec(),
            class: RoadClass::Secondary,
            direction,
            speed_kmh: 50.0,
        }
    }

    #[test]
    fn shared_vertices_become_junctions() {
        // A cross: two lines sharing their middle vertex, plus a one-way spur.
        let lines = vec![
            line(&[[100.0, 22.0], [100.01, 22.0], [100.02, 22.0]], Direction::Both),
            line(&[[100.01, 21.99], [100.01, 22.0], [100.01, 22.01]], Direction::Both),
            line(&[[100.02, 22.0], [100.03, 22.0]], Direction::Forward),
        ];
        let (b, st) = build(&lines, None).unwrap();
        assert_eq!(
            st.pieces, 5,
            "each line of the cross splits at the middle; the spur is one piece"
        );
        let g = b.build(1).unwrap();
        assert_eq!(g.node_count(), 6);
        assert_eq!(g.edge_count(), 9, "four two-way pieces and one one-way");
        // A boundary west of 100.015 keeps the west half of the cross.
        let west = |lon: f64, _: f64| lon < 100.015;
        let (b, st) = build(&lines, Some(&west)).unwrap();
        assert_eq!((st.pieces, st.vertices_outside), (3, 2));
        assert_eq!(b.build(1).unwrap().node_count(), 4);
        let none = |_: f64, _: f64| false;
        assert!(build(&lines, Some(&none)).is_err());
    }

    /// The real Mohan border-band roads as lines (as a centre's GeoJSON export of them would be).
    fn band_lines() -> (Graph, Vec<RoadLine>) {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/sources/xishuangbanna-osm/border-band.osm.pbf");
        let mohan = |lon: f64, lat: f64| (101.60..101.75).contains(&lon) && (21.15..21.30).contains(&lat);
        let opts = ImportOptions {
            boundary: Some(&mohan),
            ..ImportOptions::default()
        };
        let (g, _) = import_pbf_path(&path, &opts).unwrap();
        let lines = (0..g.piece_count() as u32)
            .map(|p| {
                let [f, b] = g.piece_edges(p);
                let direction = match (f != u32::MAX, b != u32::MAX) {
                    (true, true) => Direction::Both,
                    (true, false) => Direction::Forward,
                    _ => Direction::Backward,
                };
                let e = if f != u32::MAX { f } else { b } as usize;
                RoadLine {
                    points_lonlat: g.piece_points_e7(p).iter().map(|q| e7_to_deg(*q)).collect(),
                    class: g.piece_class(p),
                    direction,
                    speed_kmh: g.edge_dist_m(e) / (g.edge_time_ms(e) as f64 / 1000.0) * 3.6,
                }
            })
            .collect();
        (g, lines)
    }

    #[test]
    fn lines_of_real_roads_give_the_same_routes_as_the_osm_import() {
        let (osm, lines) = band_lines();
        let (b, st) = build(&lines, None).unwrap();
        let g = b.build(2).unwrap();
        assert_eq!(st.pieces, osm.piece_count());
        assert_eq!(g.node_count(), osm.node_count());
        // Routes between the same positions agree (the oracle is the OSM import's graph).
        let (si_osm, si_lines) = (SnapIndex::build_largest_scc(&osm), SnapIndex::build_largest_scc(&g));
        let (mut s1, mut s2) = (SearchSpace::new(osm.node_count()), SearchSpace::new(g.node_count()));
        let params = SearchParams {
            metric: Metric::Time,
            ..SearchParams::default()
        };
        let pts: Vec<[f64; 2]> = (0..osm.node_count() as u32)
            .step_by(23)
            .map(|v| osm.node_lonlat(v))
            .collect();
        let mut compared = 0;
        for a in &pts {
            for b in pts.iter().step_by(5).take(8) {
                let (Ok(fa), Ok(fb)) = (si_osm.snap(&osm, *a), si_osm.snap(&osm, *b)) else {
                    continue;
                };
                let (Ok(la), Ok(lb)) = (si_lines.snap(&g, *a), si_lines.snap(&g, *b)) else {
                    continue;
                };
                let (Ok(r1), Ok(r2)) = (
                    route(&osm, &mut s1, &fa, &fb, &params),
                    route(&g, &mut s2, &la, &lb, &params),
                ) else {
                    continue;
                };
                assert!(
                    (r1.dist_m - r2.dist_m).abs() < 1.0,
                    "{a:?}→{b:?}: {} vs {}",
                    r1.dist_m,
                    r2.dist_m
                );
                compared += 1;
            }
        }
        assert!(compared > 20, "{compared}");
    }

    #[test]
    fn gcj02_shifted_lines_are_recognised() {
        let (osm, lines) = band_lines();
        let honest = gcj02_check(&lines, &osm).unwrap();
        assert!(!honest.looks_gcj02 && honest.median_as_is_m < 1.0, "{honest:?}");
        let shifted: Vec<RoadLine> = lines
            .iter()
            .map(|l| RoadLine {
                points_lonlat: l.points_lonlat.iter().map(|p| wgs84_to_gcj02(*p)).collect(),
                ..l.clone()
            })
            .collect();
        let c = gcj02_check(&shifted, &osm).unwrap();
        assert!(
            c.looks_gcj02 && c.median_as_is_m > 100.0 && c.median_if_gcj02_m < 5.0,
            "{c:?}"
        );
    }
}
