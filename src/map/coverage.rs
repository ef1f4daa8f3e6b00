//! The coverage overlay: every demand grid cell as a quad in normalised Mercator, coloured by the
//! band of its travel time (or road distance, for the ambulance radius) to the nearest available
//! unit, all in ONE mesh under the operational markers; plus siting candidates and the chosen
//! sites. Geometry is derived once per report (pure helpers below, unit-tested); per frame it is
//! a multiply-add per vertex. Reads coverage results only; no searches here.

use egui::epaint::Mesh;
use egui::{Align2, Color32, FontId, Response, Shape, Stroke, Ui, pos2};
use walkers::{MapMemory, Plugin, Projector};

use super::{ViewXform, boxes_overlap};
use crate::coverage::{DemandPoint, TypeCoverage};
use crate::geom::mercator_norm;
use crate::roads::search::Metric;

/// Band edges for time thresholds, minutes.
pub const TIME_EDGES_MIN: [f64; 5] = [10.0, 20.0, 30.0, 60.0, 90.0];
/// Band edges for road-distance thresholds (the ambulance radius), km.
pub const DIST_EDGES_KM: [f64; 5] = [5.0, 10.0, 20.0, 40.0, 60.0];

/// Band colours, fastest first, then "beyond the last edge"; translucent so the basemap reads.
pub const BAND_COLORS: [Color32; 6] = [
    Color32::from_rgba_premultiplied(0x1a, 0x5c, 0x34, 0x78),
    Color32::from_rgba_premultiplied(0x3d, 0x66, 0x1f, 0x78),
    Color32::from_rgba_premultiplied(0x66, 0x5e, 0x14, 0x78),
    Color32::from_rgba_premultiplied(0x6e, 0x3f, 0x10, 0x78),
    Color32::from_rgba_premultiplied(0x6e, 0x1c, 0x16, 0x78),
    Color32::from_rgba_premultiplied(0x4a, 0x14, 0x3c, 0x78),
];
/// Colour of cells no available unit reaches (or off the network).
pub const UNREACHABLE_COLOR: Color32 = Color32::from_rgba_premultiplied(0x30, 0x30, 0x34, 0x90);

/// The band edges of a metric in its base unit (s for time, m for distance).
pub fn band_edges(metric: Metric) -> Vec<f64> {
    match metric {
        Metric::Time => TIME_EDGES_MIN.iter().map(|m| m * 60.0).collect(),
        Metric::Distance => DIST_EDGES_KM.iter().map(|k| k * 1000.0).collect(),
    }
}

/// Band of every demand point of `tc` by its search metric: index of the first edge not
/// exceeded, `edges.len()` beyond the last, `None` where no available unit reaches it.
pub fn point_bands(tc: &TypeCoverage) -> Vec<Option<usize>> {
    let edges = band_edges(tc.metric);
    match tc.metric {
        Metric::Time => tc.bands(&edges),
        Metric::Distance => tc
            .points
            .iter()
            .map(|p| {
                p.dist_m
                    .map(|d| edges.iter().position(|&e| d <= e).unwrap_or(edges.len()))
            })
            .collect(),
    }
}

/// Colour of a band.
pub fn band_color(band: Option<usize>) -> Color32 {
    band.map_or(UNREACHABLE_COLOR, |b| BAND_COLORS[b.min(BAND_COLORS.len() - 1)])
}

/// One grid cell of the demand: index of its point and its corners in normalised Mercator
/// (south-west, south-east, north-east, north-west) with its bbox.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellQuad {
    /// Index into the report's points.
    pub point: usize,
    /// Corners, normalised Mercator.
    pub corners: [[f64; 2]; 4],
    /// `[min_x, min_y, max_x, max_y]` in normalised Mercator.
    pub bbox: [f64; 4],
}

/// The quads of the grid points, using the same cell geometry as the demand grid (rows of
/// `cell_km / 111.195`° latitude, each row's longitude step widened by 1/cos(lat)), so that
/// neighbouring cells share their edges.
pub fn cell_quads(points: &[DemandPoint], cell_km: f64) -> Vec<CellQuad> {
    let dlat = cell_km / 111.195;
    points
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_place())
        .map(|(i, p)| {
            let [lon, lat] = p.lonlat;
            let dlon = dlat / lat.to_radians().cos().max(0.01);
            let (w, e, s, n) = (lon - dlon / 2.0, lon + dlon / 2.0, lat - dlat / 2.0, lat + dlat / 2.0);
            let corners = [
                mercator_norm(w, s),
                mercator_norm(e, s),
                mercator_norm(e, n),
                mercator_norm(w, n),
            ];
            let bbox = [corners[0][0], corners[2][1], corners[2][0], corners[0][1]];
            CellQuad {
                point: i,
                corners,
                bbox,
            }
        })
        .collect()
}

/// One mesh of the visible cells, coloured by `bands` (indexed by point).
pub fn coverage_mesh(x: &ViewXform, quads: &[CellQuad], bands: &[Option<usize>]) -> Mesh {
    let visible = x.visible_norm(4.0);
    let mut mesh = Mesh::default();
    for q in quads.iter().filter(|q| boxes_overlap(&q.bbox, &visible)) {
        let color = band_color(bands.get(q.point).copied().flatten());
        let base = mesh.vertices.len() as u32;
        for c in q.corners {
            mesh.colored_vertex(x.to_screen(c), color);
        }
        mesh.add_triangle(base, base + 1, base + 2);
        mesh.add_triangle(base, base + 2, base + 3);
    }
    mesh
}

/// Covered share of the grid area within each of `xs` (s or m, by `metric`): the curve of the
/// coverage panel. `values[i]` is point `i`'s (eta_s, dist_m), `None` where unreached.
pub fn share_curve(points: &[DemandPoint], values: &[Option<(f64, f64)>], metric: Metric, xs: &[f64]) -> Vec<f64> {
    let total: f64 = points.iter().filter(|p| !p.is_place()).map(|p| p.weight).sum();
    let mut v: Vec<(f64, f64)> = points
        .iter()
        .zip(values)
        .filter(|(p, _)| !p.is_place())
        .filter_map(|(p, v)| {
            v.map(|(t, d)| {
                (
                    match metric {
                        Metric::Time => t,
                        Metric::Distance => d,
                    },
                    p.weight,
                )
            })
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::with_capacity(xs.len());
    let (mut j, mut acc) = (0, 0.0);
    for &x in xs {
        while j < v.len() && v[j].0 <= x {
            acc += v[j].1;
            j += 1;
        }
        out.push(if total > 0.0 { acc / total } else { 0.0 });
    }
    out
}

/// A chosen site to mark: position and label (number and gain, already translated).
#[derive(Debug, Clone)]
pub struct SiteMark {
    /// Position.
    pub lonlat: [f64; 2],
    /// 1-based number.
    pub number: usize,
    /// Text beside the marker.
    pub label: String,
}

/// Draws the coverage cells, siting candidates and chosen sites.
pub struct CoveragePlugin<'a> {
    /// Grid cells.
    pub quads: &'a [CellQuad],
    /// Band per demand point.
    pub bands: &'a [Option<usize>],
    /// Siting candidates (small dots).
    pub candidates: &'a [[f64; 2]],
    /// Chosen sites.
    pub sites: &'a [SiteMark],
}

impl Plugin for CoveragePlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let painter = ui.painter();
        if !self.quads.is_empty() {
            painter.add(Shape::mesh(coverage_mesh(&x, self.quads, self.bands)));
        }
        let dot = Color32::from_rgb(0xc8, 0xd0, 0xda);
        for c in self.candidates {
            let p = x.lonlat_to_screen(*c);
            if x.rect.expand(4.0).contains(p) {
                painter.circle_filled(p, 1.8, dot);
            }
        }
        for s in self.sites {
            let p = x.lonlat_to_screen(s.lonlat);
            painter.circle(
                p,
                10.0,
                Color32::from_rgb(0x3b, 0x82, 0xf6),
                Stroke::new(2.0, Color32::WHITE),
            );
            painter.text(
                p,
                Align2::CENTER_CENTER,
                s.number.to_string(),
                FontId::proportional(12.0),
                Color32::WHITE,
            );
            painter.text(
                pos2(p.x + 13.0, p.y),
                Align2::LEFT_CENTER,
                &s.label,
                FontId::proportional(12.0),
                Color32::from_rgb(0xe8, 0xee, 0xf4),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coverage::{DemandKind, PointCoverage, TypeCoverage};
    use egui::{Rect, vec2};

    fn grid_point(lon: f64, lat: f64) -> DemandPoint {
        DemandPoint {
            lonlat: [lon, lat],
            weight: 4.0,
            kind: DemandKind::Grid { area_km2: 4.0 },
            urban: false,
            county: "x".into(),
        }
    }

    fn pc(eta_s: Option<f64>, dist_m: Option<f64>) -> PointCoverage {
        PointCoverage {
            unit: None,
            eta_s,
            dist_m,
            covered: false,
            uncovered: None,
            estimate: false,
        }
    }

    fn tc(metric: Metric, points: Vec<PointCoverage>) -> TypeCoverage {
        TypeCoverage {
            force: crate::coverage::ForceType::Ambulance,
            name_zh: "",
            name_en: "",
            thresholds: Vec::new(),
            metric,
            units_total: 0,
            bases: Vec::new(),
            unsnapped_units: Vec::new(),
            covered_share: 0.0,
            covered_km2: 0.0,
            total_km2: 0.0,
            places_covered_share: 0.0,
            uncovered_places: Vec::new(),
            by_county: Vec::new(),
            points,
        }
    }

    #[test]
    fn bands_follow_the_metric_and_edges_are_inclusive() {
        let pts = vec![
            pc(Some(600.0), Some(9_000.0)),
            pc(Some(601.0), Some(5_000.0)),
            pc(Some(99_999.0), Some(200_000.0)),
            pc(None, None),
        ];
        let t = tc(Metric::Time, pts.clone());
        assert_eq!(point_bands(&t), vec![Some(0), Some(1), Some(5), None]);
        let d = tc(Metric::Distance, pts);
        assert_eq!(point_bands(&d), vec![Some(1), Some(0), Some(5), None]);
        assert_eq!(band_color(None), UNREACHABLE_COLOR);
        assert_eq!(band_color(Some(99)), BAND_COLORS[5]);
    }

    #[test]
    fn neighbouring_cells_share_edges_and_one_mesh_holds_the_visible_ones() {
        let cell_km = 2.0;
        let dlat = cell_km / 111.195;
        let lat: f64 = 22.0;
        let dlon = dlat / f64::cos(lat.to_radians());
        let mut pts = vec![DemandPoint {
            lonlat: [100.8, 22.0],
            weight: 1.0,
            kind: DemandKind::Place { name: "p".into() },
            urban: true,
            county: "x".into(),
        }];
        pts.push(grid_point(100.8, lat));
        pts.push(grid_point(100.8 + dlon, lat));
        pts.push(grid_point(150.0, lat)); // far off screen
        let quads = cell_quads(&pts, cell_km);
        assert_eq!(quads.len(), 3, "places get no cell");
        assert_eq!(quads[0].point, 1);
        let (a, b) = (quads[0].corners, quads[1].corners);
        for (p, q) in [(a[1], b[0]), (a[2], b[3])] {
            assert!(
                (p[0] - q[0]).abs() < 1e-12 && (p[1] - q[1]).abs() < 1e-12,
                "{p:?} {q:?}"
            );
        }
        let x = ViewXform {
            center_norm: mercator_norm(100.8, 22.0),
            scale: 256.0 * 2f64.powi(10),
            rect: Rect::from_min_size(pos2(0.0, 0.0), vec2(800.0, 600.0)),
            zoom: 10.0,
        };
        let bands = vec![None, Some(0), Some(3), Some(1)];
        let mesh = coverage_mesh(&x, &quads, &bands);
        assert_eq!(mesh.vertices.len(), 8, "two visible cells, four corners each");
        assert_eq!(mesh.indices.len(), 12);
        assert_eq!(mesh.vertices[0].color, BAND_COLORS[0]);
        assert_eq!(mesh.vertices[4].color, BAND_COLORS[3]);
        // The first cell is centred on the view centre.
        let c = (mesh.vertices[0].pos.to_vec2() + mesh.vertices[2].pos.to_vec2()) / 2.0;
        assert!((c - vec2(400.0, 300.0)).length() < 0.01, "{c:?}");
    }

    #[test]
    fn share_curve_is_the_area_weighted_cdf() {
        let pts = vec![
            grid_point(0.0, 0.0),
            grid_point(0.1, 0.0),
            grid_point(0.2, 0.0),
            grid_point(0.3, 0.0),
        ];
        let v = vec![Some((60.0, 10.0)), Some((120.0, 5.0)), Some((600.0, 1.0)), None];
        let c = share_curve(&pts, &v, Metric::Time, &[0.0, 60.0, 119.0, 120.0, 1e9]);
        assert_eq!(c, vec![0.0, 0.25, 0.25, 0.5, 0.75]);
        let d = share_curve(&pts, &v, Metric::Distance, &[4.0, 5.0]);
        assert_eq!(d, vec![0.25, 0.5]);
    }
}
