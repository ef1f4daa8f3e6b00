//! Isochrones: a raster of travel time (seconds) over the reachable area, filled from node
//! times interpolated along every reached edge, then spread off-road (chamfer distance at the
//! off-road speed); contour rings per threshold via marching squares, exportable as GeoJSON.

use super::graph::{Graph, e7_to_deg};
use super::profile::EARTH_RADIUS_M;
use super::search::{RouteError, SearchParams, SearchSpace, one_to_all};
use super::snap::Snap;

/// Default cell size of the isochrone raster, metres.
pub const DEFAULT_CELL_M: f64 = 100.0;
/// Largest raster side in cells (the cell size grows to respect it).
pub const MAX_GRID_SIDE: usize = 1024;

/// Raster of travel time (seconds) from one origin; `f32::INFINITY` = not reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IsoGrid {
    /// `[lon, lat]` of the south-west corner of cell (0, 0).
    pub sw_lonlat: [f64; 2],
    /// Cell size `[dlon, dlat]` in degrees.
    pub cell_deg: [f64; 2],
    /// Cell size in metres (approximately square).
    pub cell_m: f64,
    /// Number of columns (west → east).
    pub cols: usize,
    /// Number of rows (south → north).
    pub rows: usize,
    /// Row-major times in seconds, row 0 is the southernmost.
    pub eta_s: Vec<f32>,
    /// The time limit used, seconds.
    pub max_s: f64,
}

impl IsoGrid {
    /// Time of cell (`col`, `row`) in seconds, if reached.
    pub fn at(&self, col: usize, row: usize) -> Option<f32> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let v = self.eta_s[row * self.cols + col];
        v.is_finite().then_some(v)
    }

    /// Time in seconds of the cell containing `lonlat`, if inside the grid and reached.
    pub fn at_lonlat(&self, lonlat: [f64; 2]) -> Option<f32> {
        let c = (lonlat[0] - self.sw_lonlat[0]) / self.cell_deg[0];
        let r = (lonlat[1] - self.sw_lonlat[1]) / self.cell_deg[1];
        if c < 0.0 || r < 0.0 {
            return None;
        }
        self.at(c as usize, r as usize)
    }

    fn value(&self, col: isize, row: isize) -> f32 {
        if col < 0 || row < 0 || col as usize >= self.cols || row as usize >= self.rows {
            f32::INFINITY
        } else {
            self.eta_s[row as usize * self.cols + col as usize]
        }
    }
}

/// Builds the travel-time raster for `from` up to `max_s` seconds with cells of about
/// `cell_m` metres (grown if the area would exceed [`MAX_GRID_SIDE`]²).
pub fn isochrone_grid(
    g: &Graph,
    space: &mut SearchSpace,
    from: &Snap,
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> Result<IsoGrid, RouteError> {
    let max_s = if max_s.is_finite() { max_s.max(0.0) } else { 0.0 };
    one_to_all(g, space, from, params, Some(max_s))?;
    let limit_ms = (max_s * 1000.0) as u64;
    // Bbox of everything reachable: the origin plus reached nodes.
    let mut bb = [
        from.query_lonlat[0],
        from.query_lonlat[1],
        from.query_lonlat[0],
        from.query_lonlat[1],
    ];
    let n = g.node_count() as u32;
    for v in 0..n {
        if space.cost(v).is_some() {
            let p = g.node_lonlat(v);
            bb[0] = bb[0].min(p[0]);
            bb[1] = bb[1].min(p[1]);
            bb[2] = bb[2].max(p[0]);
            bb[3] = bb[3].max(p[1]);
        }
    }
    let m_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let m_per_deg_lon = m_per_deg_lat * ((bb[1] + bb[3]) * 0.5).to_radians().cos().max(1e-6);
    let w_m = (bb[2] - bb[0]) * m_per_deg_lon;
    let h_m = (bb[3] - bb[1]) * m_per_deg_lat;
    let mut cell_m = if cell_m.is_finite() && cell_m > 1.0 {
        cell_m
    } else {
        DEFAULT_CELL_M
    };
    let side_m = w_m.max(h_m);
    if side_m / cell_m > (MAX_GRID_SIDE - 4) as f64 {
        cell_m = side_m / (MAX_GRID_SIDE - 4) as f64;
    }
    let cell_deg = [cell_m / m_per_deg_lon, cell_m / m_per_deg_lat];
    // One padding cell on each side.
    let sw = [bb[0] - cell_deg[0], bb[1] - cell_deg[1]];
    let cols = ((w_m / cell_m).ceil() as usize + 3).min(MAX_GRID_SIDE);
    let rows = ((h_m / cell_m).ceil() as usize + 3).min(MAX_GRID_SIDE);
    let mut grid = IsoGrid {
        sw_lonlat: sw,
        cell_deg,
        cell_m,
        cols,
        rows,
        eta_s: vec![f32::INFINITY; cols * rows],
        max_s,
    };
    let put = |grid: &mut IsoGrid, p: [f64; 2], t_ms: f64| {
        let c = ((p[0] - sw[0]) / cell_deg[0]) as isize;
        let r = ((p[1] - sw[1]) / cell_deg[1]) as isize;
        if c >= 0 && r >= 0 && (c as usize) < cols && (r as usize) < rows {
            let slot = &mut grid.eta_s[r as usize * cols + c as usize];
            let t = (t_ms / 1000.0) as f32;
            if t < *slot {
                *slot = t;
            }
        }
    };
    // Origin itself (time = its off-road leg back… zero at the query point).
    put(&mut grid, from.query_lonlat, 0.0);
    let step_m = cell_m * 0.5;
    for v in 0..n {
        let Some(tv) = space.cost(v) else { continue };
        put(&mut grid, g.node_lonlat(v), tv as f64);
        for e in g.out_edges(v) {
            let te = g.edge_time_ms(e) as f64;
            if te <= 0.0 {
                continue;
            }
            let len_m = g.edge_dist_m(e).max(1e-9);
            let (piece, rev) = g.edge_piece(e);
            let pts = g.piece_points_e7(piece);
            let count = pts.len();
            let mut along_m = 0.0;
            for i in 0..count - 1 {
                let (a, b) = if rev {
                    (pts[count - 1 - i], pts[count - 2 - i])
                } else {
                    (pts[i], pts[i + 1])
                };
                let (a, b) = (e7_to_deg(a), e7_to_deg(b));
                let seg_m = ((b[0] - a[0]) * m_per_deg_lon).hypot((b[1] - a[1]) * m_per_deg_lat);
                let steps = (seg_m / step_m).ceil().max(1.0) as usize;
                let mut stop = false;
                for s in 1..=steps {
                    let f = s as f64 / steps as f64;
                    let t = tv as f64 + te * ((along_m + f * seg_m) / len_m).min(1.0);
                    if t > limit_ms as f64 {
                        stop = true;
                        break;
                    }
                    put(&mut grid, [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])], t);
                }
                if stop {
                    break;
                }
                along_m += seg_m;
            }
        }
    }
    spread_offroad(&mut grid, params);
    Ok(grid)
}

/// Two-pass chamfer spread of times into cells off the road, at the off-road speed.
fn spread_offroad(grid: &mut IsoGrid, params: &SearchParams) {
    let s_per_km = (params.offroad_ms(1000.0) as f32 / 1000.0).max(1e-3);
    let orth = (grid.cell_m as f32 / 1000.0) * s_per_km;
    let diag = orth * std::f32::consts::SQRT_2;
    let (cols, rows) = (grid.cols, grid.rows);
    let max = grid.max_s as f32;
    let e = &mut grid.eta_s;
    for r in 0..rows {
        for c in 0..cols {
            let mut best = e[r * cols + c];
            if c > 0 {
                best = best.min(e[r * cols + c - 1] + orth);
            }
            if r > 0 {
                best = best.min(e[(r - 1) * cols + c] + orth);
                if c > 0 {
                    best = best.min(e[(r - 1) * cols + c - 1] + diag);
                }
                if c + 1 < cols {
                    best = best.min(e[(r - 1) * cols + c + 1] + diag);
                }
            }
            e[r * cols + c] = best;
        }
    }
    for r in (0..rows).rev() {
        for c in (0..cols).rev() {
            let mut best = e[r * cols + c];
            if c + 1 < cols {
                best = best.min(e[r * cols + c + 1] + orth);
            }
            if r + 1 < rows {
                best = best.min(e[(r + 1) * cols + c] + orth);
                if c + 1 < cols {
                    best = best.min(e[(r + 1) * cols + c + 1] + diag);
                }
                if c > 0 {
                    best = best.min(e[(r + 1) * cols + c - 1] + diag);
                }
            }
            e[r * cols + c] = if best <= max { best } else { f32::INFINITY };
        }
    }
}

/// A closed ring `[lon, lat]` (first point repeated last); counter-clockwise rings are outer
/// boundaries, clockwise rings are holes.
pub type Ring = Vec<[f64; 2]>;

/// Contour rings of `{cell time ≤ threshold_s}` by marching squares on cell centres.
pub fn contour_rings(grid: &IsoGrid, threshold_s: f64) -> Vec<Ring> {
    use std::collections::HashMap;
    let t = threshold_s as f32;
    let big = (grid.max_s.max(threshold_s) as f32) * 2.0 + 1.0;
    let val = |c: isize, r: isize| {
        let v = grid.value(c, r);
        if v.is_finite() { v } else { big }
    };
    // Edge key: (kind, col, row); kind 0 = horizontal (c,r)-(c+1,r), 1 = vertical (c,r)-(c,r+1).
    type Key = (u8, isize, isize);
    let mut next: HashMap<Key, (Key, [f64; 2])> = HashMap::new();
    let point = |k: Key| -> [f64; 2] {
        let (kind, c, r) = k;
        let (c2, r2) = if kind == 0 { (c + 1, r) } else { (c, r + 1) };
        let (v1, v2) = (val(c, r), val(c2, r2));
        let f = if (v2 - v1).abs() > f32::EPSILON {
            ((t - v1) / (v2 - v1)).clamp(0.0, 1.0) as f64
        } else {
            0.5
        };
        let x = c as f64 + f * (c2 - c) as f64;
        let y = r as f64 + f * (r2 - r) as f64;
        [
            grid.sw_lonlat[0] + (x + 0.5) * grid.cell_deg[0],
            grid.sw_lonlat[1] + (y + 0.5) * grid.cell_deg[1],
        ]
    };
    for r in -1..grid.rows as isize {
        for c in -1..grid.cols as isize {
            let inside = |cc: isize, rr: isize| val(cc, rr) <= t;
            let case = u8::from(inside(c, r))
                | (u8::from(inside(c + 1, r)) << 1)
                | (u8::from(inside(c + 1, r + 1)) << 2)
                | (u8::from(inside(c, r + 1)) << 3);
            let b: Key = (0, c, r);
            let tp: Key = (0, c, r + 1);
            let l: Key = (1, c, r);
            let rt: Key = (1, c + 1, r);
            let centre_in = || (val(c, r) + val(c + 1, r) + val(c + 1, r + 1) + val(c, r + 1)) * 0.25 <= t;
            let segs: &[(Key, Key)] = match case {
                0 | 15 => &[],
                1 => &[(b, l)],
                2 => &[(rt, b)],
                3 => &[(rt, l)],
                4 => &[(tp, rt)],
                5 if centre_in() => &[(b, rt), (tp, l)],
                5 => &[(b, l), (tp, rt)],
                6 => &[(tp, b)],
                7 => &[(tp, l)],
                8 => &[(l, tp)],
                9 => &[(b, tp)],
                10 if centre_in() => &[(l, b), (rt, tp)],
                10 => &[(rt, b), (l, tp)],
                11 => &[(rt, tp)],
                12 => &[(l, rt)],
                13 => &[(b, rt)],
                _ => &[(l, b)],
            };
            for &(s, e) in segs {
                next.insert(s, (e, point(s)));
            }
        }
    }
    let mut rings = Vec::new();
    while let Some(&start) = next.keys().next() {
        let mut ring = Vec::new();
        let mut k = start;
        while let Some((e, p)) = next.remove(&k) {
            ring.push(p);
            k = e;
        }
        if ring.len() >= 3 {
            ring.push(ring[0]);
            rings.push(ring);
        }
    }
    rings
}

/// Signed area of a ring in squared degrees (positive = counter-clockwise).
pub fn ring_signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        * 0.5
}

fn ring_contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
    }
    inside
}

/// Polygons (outer ring + holes) of `{time ≤ threshold_s}`.
pub fn contour_polygons(grid: &IsoGrid, threshold_s: f64) -> Vec<Vec<Ring>> {
    let rings = contour_rings(grid, threshold_s);
    let (outers, holes): (Vec<Ring>, Vec<Ring>) = rings.into_iter().partition(|r| ring_signed_area(r) > 0.0);
    let mut polys: Vec<Vec<Ring>> = outers.into_iter().map(|o| vec![o]).collect();
    for h in holes {
        if let Some(poly) = polys.iter_mut().find(|p| ring_contains(&p[0], h[0])) {
            poly.push(h);
        }
    }
    polys
}

/// Most contours one isochrone request may ask for: each is a full marching-squares pass and a
/// polygon set (1 000 contours once took 744 MB). Callers refuse more with a message; the
/// library draws only the first ones.
pub const MAX_CONTOURS: usize = 24;

/// A GeoJSON FeatureCollection with one MultiPolygon per threshold (property `minutes`), for at
/// most [`MAX_CONTOURS`] thresholds.
pub fn isochrone_geojson(grid: &IsoGrid, minutes: &[f64]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = minutes
        .iter()
        .take(MAX_CONTOURS)
        .map(|&m| {
            let polys = contour_polygons(grid, m * 60.0);
            serde_json::json!({
                "type": "Feature",
                "properties": { "minutes": m },
                "geometry": { "type": "MultiPolygon", "coordinates": polys },
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::search::SearchSpace;
    use super::super::snap::SnapIndex;
    use super::super::synth::{SynthParams, synth_graph};
    use super::*;

    #[test]
    fn grid_times_are_consistent_and_contours_nest() {
        let g = synth_graph(&SynthParams {
            nodes: 20_000,
            ..Default::default()
        })
        .unwrap();
        let idx = SnapIndex::build(&g, None);
        let from = idx.snap(&g, [100.80, 22.00]).unwrap();
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let grid = isochrone_grid(&g, &mut space, &from, &params, 600.0, 100.0).unwrap();
        assert!(grid.cols > 10 && grid.rows > 10);
        // Every reached node's cell time is ≤ its own time (min over the cell).
        let mut checked = 0;
        for v in 0..g.node_count() as u32 {
            if let Some(c) = space.cost(v) {
                let cell = grid.at_lonlat(g.node_lonlat(v)).unwrap();
                assert!(cell as f64 <= c as f64 / 1000.0 + 1e-3);
                checked += 1;
            }
        }
        assert!(checked > 100);
        assert!(grid.at_lonlat(from.query_lonlat).unwrap() < 1.0);
        assert!(grid.eta_s.iter().all(|t| !t.is_finite() || *t as f64 <= 600.0));
        // Nested contours: area grows with time; the origin is inside each.
        let mut last_area = 0.0;
        for min in [2.0, 5.0, 10.0] {
            let polys = contour_polygons(&grid, min * 60.0);
            assert!(!polys.is_empty());
            let area: f64 = polys
                .iter()
                .map(|p| p.iter().map(|r| ring_signed_area(r)).sum::<f64>())
                .sum();
            assert!(area > last_area, "{min}: {area} <= {last_area}");
            last_area = area;
            assert!(polys.iter().any(|p| ring_contains(&p[0], from.query_lonlat)));
            for p in &polys {
                for r in p {
                    assert_eq!(r.first(), r.last());
                }
            }
        }
        let gj = isochrone_geojson(&grid, &[5.0, 10.0]);
        assert_eq!(gj["features"].as_array().unwrap().len(), 2);
        assert_eq!(gj["features"][0]["geometry"]["type"], "MultiPolygon");
    }

    #[test]
    fn marching_squares_single_cell_square() {
        // A 3×3 grid with only the centre reached gives one CCW ring around it.
        let mut eta = vec![f32::INFINITY; 9];
        eta[4] = 10.0;
        let grid = IsoGrid {
            sw_lonlat: [0.0, 0.0],
            cell_deg: [1.0, 1.0],
            cell_m: 1.0,
            cols: 3,
            rows: 3,
            eta_s: eta,
            max_s: 100.0,
        };
        let rings = contour_rings(&grid, 50.0);
        assert_eq!(rings.len(), 1);
        assert!(ring_signed_area(&rings[0]) > 0.0);
        assert!(ring_contains(&rings[0], [1.5, 1.5]));
        assert!(!ring_contains(&rings[0], [0.4, 0.4]));
        assert!(contour_rings(&grid, 5.0).is_empty());
    }
}
