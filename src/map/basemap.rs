//! The offline vector basemap: county fills and borders, the international border, rivers, place
//! markers and bilingual labels, and a terrain tint, drawn from the map pack as walkers plugins.
//!
//! Geometry is projected to normalised Web Mercator once, at load, and simplified into a few
//! levels of detail; each frame only culls to the view, picks the level for the zoom and builds
//! one mesh per fill layer. Labels from every layer are placed last, by priority, without overlap.

use std::cell::RefCell;

use egui::epaint::Mesh;
use egui::text::{LayoutJob, TextFormat};
use egui::{Align2, Color32, FontId, Pos2, Rect, Response, Shape, Stroke, Ui, Vec2, vec2};
use geo::{Geometry, InteriorPoint, LineString, Simplify, TriangulateEarcut};
use walkers::{MapMemory, Plugin, Projector};

use super::{ViewXform, boxes_overlap};
use crate::geom::mercator_norm;
use crate::i18n::{Lang, Msg, tr};
use crate::mappack::{LayerData, LayerKind, MapPack, TerrainGrid};
use crate::roads::graph::{Graph, e7_to_deg};
use crate::roads::profile::RoadClass;
use crate::style as theme;

/// Zoom levels the simplified geometry is made for; finer zooms use full resolution.
const LOD_ZOOMS: [f64; 5] = [5.0, 7.0, 9.0, 11.0, 13.0];
/// Simplification tolerance at each LOD's zoom, in screen points.
const LOD_TOLERANCE_PT: f64 = 0.35;

/// A polyline in normalised Mercator at several levels of detail.
#[derive(Debug, Clone)]
pub struct LineShape {
    lod_zooms: &'static [f64],
    lods: Vec<Vec<[f64; 2]>>,
    bbox: [f64; 4],
    /// Stroke.
    pub stroke: Stroke,
    /// Dashed (derived international border).
    pub dashed: bool,
    /// Not drawn below this zoom (minor rivers).
    pub min_zoom: f64,
    /// Closed ring (polygon outline).
    pub closed: bool,
}

impl LineShape {
    fn new(line: &LineString<f64>, stroke: Stroke) -> LineShape {
        Self::with_lods(line, stroke, &LOD_ZOOMS)
    }

    /// A line simplified for each zoom of `lod_zooms`, plus full detail beyond the last.
    fn with_lods(line: &LineString<f64>, stroke: Stroke, lod_zooms: &'static [f64]) -> LineShape {
        let norm: LineString<f64> = line
            .0
            .iter()
            .map(|c| {
                let n = mercator_norm(c.x, c.y);
                geo::Coord { x: n[0], y: n[1] }
            })
            .collect();
        let mut lods: Vec<Vec<[f64; 2]>> = lod_zooms
            .iter()
            .map(|z| {
                let tol = LOD_TOLERANCE_PT / (super::WORLD_SIZE_Z0 * 2f64.powf(*z));
                norm.simplify(tol).0.iter().map(|c| [c.x, c.y]).collect()
            })
            .collect();
        lods.push(norm.0.iter().map(|c| [c.x, c.y]).collect());
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for p in &lods[lods.len() - 1] {
            bbox = [
                bbox[0].min(p[0]),
                bbox[1].min(p[1]),
                bbox[2].max(p[0]),
                bbox[3].max(p[1]),
            ];
        }
        let closed = line.is_closed() && line.0.len() > 3;
        LineShape {
            lod_zooms,
            lods,
            bbox,
            stroke,
            dashed: false,
            min_zoom: 0.0,
            closed,
        }
    }

    /// The points for this zoom.
    fn lod(&self, zoom: f64) -> &[[f64; 2]] {
        let i = self
            .lod_zooms
            .iter()
            .position(|z| zoom <= *z)
            .unwrap_or(self.lod_zooms.len());
        &self.lods[i.min(self.lods.len() - 1)]
    }

    /// Number of points drawn at `zoom` (for tests and stats).
    pub fn points_at(&self, zoom: f64) -> usize {
        self.lod(zoom).len()
    }

    fn paint(&self, x: &ViewXform, view: &[f64; 4], out: &mut Vec<Shape>) {
        if x.zoom < self.min_zoom || !boxes_overlap(&self.bbox, view) {
            return;
        }
        let mut pts: Vec<Pos2> = self.lod(x.zoom).iter().map(|p| x.to_screen(*p)).collect();
        pts.dedup_by(|a, b| (*a - *b).length_sq() < 0.25);
        if pts.len() < 2 {
            return;
        }
        if self.dashed {
            out.extend(Shape::dashed_line(&pts, self.stroke, 10.0, 5.0));
        } else if self.closed {
            pts.pop();
            out.push(Shape::closed_line(pts, self.stroke));
        } else {
            out.push(Shape::line(pts, self.stroke));
        }
    }
}

/// A filled area, triangulated once in normalised Mercator.
#[derive(Debug, Clone)]
pub struct FillShape {
    verts: Vec<[f64; 2]>,
    indices: Vec<u32>,
    bbox: [f64; 4],
    /// Fill colour.
    pub color: Color32,
}

impl FillShape {
    fn add_to_mesh(&self, x: &ViewXform, view: &[f64; 4], mesh: &mut Mesh) {
        if !boxes_overlap(&self.bbox, view) {
            return;
        }
        let base = mesh.vertices.len() as u32;
        for v in &self.verts {
            mesh.colored_vertex(x.to_screen(*v), self.color);
        }
        mesh.indices.extend(self.indices.iter().map(|i| base + i));
    }
}

/// Where and how a point is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointStyle {
    /// A government seat.
    Seat,
    /// A border port.
    Port,
    /// A point whose position the source marks as unverified / coarse.
    Unverified,
    /// Anything else.
    Other,
}

/// A marked, labelled point of a places layer.
#[derive(Debug, Clone)]
pub struct PointSpec {
    /// Chinese label.
    pub label_zh: String,
    /// English label.
    pub label_en: String,
    /// Position, normalised Mercator.
    pub at_norm: [f64; 2],
    /// Position, lon/lat.
    pub lonlat: [f64; 2],
    /// Marker style.
    pub style: PointStyle,
    /// Index of the source feature in its layer.
    pub feature: usize,
}

/// A label to place (collision-checked with every other label of the frame).
#[derive(Debug, Clone)]
pub struct LabelSpec {
    /// Chinese text.
    pub zh: String,
    /// English text.
    pub en: String,
    /// Anchor, normalised Mercator.
    pub at_norm: [f64; 2],
    /// Lower is placed first.
    pub priority: u8,
    /// Main text size.
    pub size: f32,
    /// Text colour.
    pub color: Color32,
    /// Draw a background pill behind the text.
    pub boxed: bool,
    /// Only between these zooms.
    pub zoom_range: (f64, f64),
    /// Offset from the anchor in points (labels beside markers).
    pub offset: Vec2,
}

/// The terrain tint as a grid mesh in normalised Mercator: one vertex per cell centre, coloured
/// by elevation, so the GPU blends between cells instead of drawing 3.5 km blocks.
#[derive(Debug, Clone, Default)]
pub struct TerrainMesh {
    verts: Vec<[f64; 2]>,
    colors: Vec<Color32>,
    indices: Vec<u32>,
    bbox: [f64; 4],
}

/// The drawable content of one pack layer.
#[derive(Debug, Clone)]
pub enum BaseGeom {
    /// Fills, lines and labels (boundaries, rivers).
    Vector {
        /// Area fills.
        fills: Vec<FillShape>,
        /// Lines and outlines.
        lines: Vec<LineShape>,
        /// Labels (county names, river names).
        labels: Vec<LabelSpec>,
    },
    /// Marked points (places).
    Points(Vec<PointSpec>),
    /// Elevation tint.
    Terrain(TerrainMesh),
    /// Not drawn (tables).
    Nothing,
}

/// One drawable layer, in pack order.
#[derive(Debug, Clone)]
pub struct BaseLayer {
    /// The pack layer name.
    pub name: String,
    /// What to draw.
    pub geom: BaseGeom,
}

/// One row of the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendItem {
    /// Dashed international border.
    Border,
    /// County boundary line.
    County,
    /// River.
    River,
    /// Real (OSM) roads.
    Roads,
    /// Schematic road segments.
    SchematicRoads,
    /// Railway lines.
    Railway,
    /// A point marker style.
    Marker(PointStyle),
}

/// Every pack layer prepared for drawing.
#[derive(Debug, Clone)]
pub struct Basemap {
    /// Same order as the pack's layers.
    pub layers: Vec<BaseLayer>,
    /// What the legend should list for this pack, in display order.
    pub legend: Vec<LegendItem>,
    /// The pack has a terrain layer.
    pub has_terrain: bool,
}

impl Basemap {
    /// Project, simplify and triangulate the pack once.
    pub fn build(pack: &MapPack) -> Basemap {
        let first_boundaries = pack.layers.iter().position(|l| l.kind == LayerKind::Boundaries);
        let layers: Vec<BaseLayer> = pack
            .layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let geom = match (&layer.kind, &layer.data) {
                    (LayerKind::Boundaries, LayerData::Features(fs)) => boundaries(fs, Some(i) == first_boundaries),
                    (LayerKind::Rivers, LayerData::Features(fs)) => rivers(fs),
                    (LayerKind::Railway, LayerData::Features(fs)) => railway(fs),
                    (LayerKind::Places, LayerData::Features(fs)) => places(fs),
                    (LayerKind::Terrain, LayerData::Terrain(g)) => terrain(g),
                    (LayerKind::Roads, LayerData::Roads(g)) => {
                        roads(g, layer.spec.routing.is_some_and(|r| r.schematic))
                    }
                    _ => BaseGeom::Nothing,
                };
                BaseLayer {
                    name: layer.spec.name.clone(),
                    geom,
                }
            })
            .collect();
        let legend = legend_items(pack, &layers);
        let has_terrain = pack.layers.iter().any(|l| l.kind == LayerKind::Terrain);
        Basemap {
            layers,
            legend,
            has_terrain,
        }
    }
}

fn legend_items(pack: &MapPack, layers: &[BaseLayer]) -> Vec<LegendItem> {
    let mut legend = Vec::new();
    let mut add = |item| {
        if !legend.contains(&item) {
            legend.push(item);
        }
    };
    for layer in &pack.layers {
        match (&layer.kind, &layer.data) {
            (LayerKind::Boundaries, LayerData::Features(fs)) => {
                if fs
                    .iter()
                    .any(|f| f.str_prop("level").is_some_and(|l| l.contains("border")))
                {
                    add(LegendItem::Border);
                }
                add(LegendItem::County);
            }
            (LayerKind::Rivers, _) => add(LegendItem::River),
            (LayerKind::Roads, _) if layer.spec.routing.is_some_and(|r| r.schematic) => add(LegendItem::SchematicRoads),
            (LayerKind::Roads, LayerData::Roads(g)) if g.has_estimated_pieces() => {
                add(LegendItem::Roads);
                add(LegendItem::SchematicRoads);
            }
            (LayerKind::Roads, _) => add(LegendItem::Roads),
            (LayerKind::Railway, _) => add(LegendItem::Railway),
            _ => {}
        }
    }
    let styles: Vec<PointStyle> = layers
        .iter()
        .filter_map(|l| match &l.geom {
            BaseGeom::Points(p) => Some(p.iter().map(|p| p.style)),
            _ => None,
        })
        .flatten()
        .collect();
    for style in [
        PointStyle::Seat,
        PointStyle::Port,
        PointStyle::Other,
        PointStyle::Unverified,
    ] {
        if styles.contains(&style) {
            add(LegendItem::Marker(style));
        }
    }
    legend
}

fn polygons(g: &Geometry<f64>) -> Vec<&geo::Polygon<f64>> {
    match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

fn lines(g: &Geometry<f64>) -> Vec<&LineString<f64>> {
    match g {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(m) => m.0.iter().collect(),
        _ => Vec::new(),
    }
}

fn boundaries(fs: &[crate::mappack::Feature], primary: bool) -> BaseGeom {
    let mut fills = Vec::new();
    let mut out_lines = Vec::new();
    let mut labels = Vec::new();
    let mut county_n = 0;
    for f in fs {
        let level = f.str_prop("level").unwrap_or("county");
        if level.contains("border") {
            for l in lines(&f.geometry) {
                let mut s = LineShape::new(l, if primary { theme::BORDER_LINE } else { theme::CHECK_LINE });
                s.dashed = true;
                out_lines.push(s);
            }
            continue;
        }
        let stroke = match (primary, level) {
            (false, _) => theme::CHECK_LINE,
            (true, "prefecture") => theme::PREFECTURE_LINE,
            _ => theme::COUNTY_LINE,
        };
        for p in polygons(&f.geometry) {
            if primary && level == "prefecture" {
                fills.push(outside_mask(p));
            }
            if primary && level != "prefecture" {
                let color = theme::COUNTY_FILLS[county_n % theme::COUNTY_FILLS.len()];
                let norm = p.map_coords(|c| {
                    let n = mercator_norm(c.x, c.y);
                    geo::Coord { x: n[0], y: n[1] }
                });
                let tri = norm.earcut_triangles_raw();
                let shape = LineShape::new(p.exterior(), stroke);
                fills.push(FillShape {
                    verts: tri.vertices,
                    indices: tri.triangle_indices.iter().map(|&i| i as u32).collect(),
                    bbox: shape.bbox,
                    color,
                });
            }
            out_lines.push(LineShape::new(p.exterior(), stroke));
            for hole in p.interiors() {
                out_lines.push(LineShape::new(hole, stroke));
            }
        }
        if primary && level == "county" {
            county_n += 1;
            if let Some(pt) = f.geometry.interior_point() {
                labels.push(LabelSpec {
                    zh: f.str_prop("name_zh").unwrap_or_default().to_string(),
                    en: f.str_prop("name_en").unwrap_or_default().to_string(),
                    at_norm: mercator_norm(pt.x(), pt.y()),
                    priority: 0,
                    size: theme::COUNTY_LABEL_SIZE,
                    color: theme::COUNTY_LABEL,
                    boxed: false,
                    zoom_range: (6.5, 11.0),
                    offset: Vec2::ZERO,
                });
            }
        }
    }
    BaseGeom::Vector {
        fills,
        lines: out_lines,
        labels,
    }
}

use geo::MapCoords;

/// Roads get two levels of detail: short OSM pieces barely simplify.
const ROAD_LOD_ZOOMS: [f64; 1] = [11.0];

/// Stroke and first zoom at which a road class is drawn.
fn road_style(class: RoadClass) -> (Stroke, f64) {
    use RoadClass::*;
    match class {
        Motorway | MotorwayLink | Trunk | TrunkLink => (Stroke::new(3.0, theme::ROAD_MAJOR), 0.0),
        Primary | PrimaryLink => (Stroke::new(2.4, theme::ROAD_PRIMARY), 0.0),
        Secondary | SecondaryLink => (Stroke::new(1.8, theme::ROAD_SECONDARY), 8.0),
        Tertiary | TertiaryLink => (Stroke::new(1.4, theme::ROAD_MINOR), 10.0),
        Unclassified | Residential | LivingStreet | Road => (Stroke::new(1.0, theme::ROAD_MINOR), 12.0),
        Service | Track => (Stroke::new(0.8, theme::ROAD_TRACK), 13.0),
    }
}

fn roads(g: &Graph, schematic: bool) -> BaseGeom {
    let mut lines = Vec::with_capacity(g.piece_count());
    let mut labels = Vec::new();
    for piece in 0..g.piece_count() as u32 {
        let pts: LineString<f64> = g
            .piece_points_e7(piece)
            .iter()
            .map(|p| {
                let d = e7_to_deg(*p);
                (d[0], d[1])
            })
            .collect();
        let class = g.piece_class(piece);
        let (mut stroke, min_zoom) = road_style(class);
        // A whole schematic network, or one calibrated skeleton piece of a mixed network: 示意.
        let estimate = schematic || g.piece_estimated(piece);
        if estimate {
            stroke = Stroke::new(2.6, theme::ROAD_SCHEMATIC);
        }
        let mut shape = LineShape::with_lods(&pts, stroke, &ROAD_LOD_ZOOMS);
        shape.min_zoom = if estimate { 0.0 } else { min_zoom };
        shape.dashed = estimate || class == RoadClass::Track;
        // Label long pieces only (connectors and short skeleton edges would bury the map).
        let long = schematic || g.edge_len_of_piece_m(piece) > 8_000.0;
        if estimate
            && long
            && let (Some(a), Some(b)) = (pts.0.first(), pts.0.last())
        {
            labels.push(LabelSpec {
                zh: tr(Lang::Zh, Msg::SchematicLabel).into(),
                en: tr(Lang::En, Msg::SchematicLabel).into(),
                at_norm: mercator_norm((a.x + b.x) / 2.0, (a.y + b.y) / 2.0),
                priority: 6,
                size: theme::PLACE_LABEL_SIZE * 0.9,
                color: theme::ROAD_SCHEMATIC,
                boxed: true,
                zoom_range: (0.0, 30.0),
                offset: Vec2::ZERO,
            });
        }
        lines.push(shape);
    }
    BaseGeom::Vector {
        fills: Vec::new(),
        lines,
        labels,
    }
}

/// A dimming veil over everything around the prefecture: a polygon of the surrounding 3° box
/// with the prefecture as its hole, triangulated once.
fn outside_mask(p: &geo::Polygon<f64>) -> FillShape {
    use geo::BoundingRect;
    let r = p.bounding_rect().unwrap_or(geo::Rect::new((0.0, 0.0), (0.0, 0.0)));
    let (a, b, c, d) = (r.min().x - 3.0, r.min().y - 3.0, r.max().x + 3.0, r.max().y + 3.0);
    let outer = LineString::from(vec![(a, b), (c, b), (c, d), (a, d), (a, b)]);
    let veil = geo::Polygon::new(outer, vec![p.exterior().clone()]);
    let norm = veil.map_coords(|c| {
        let n = mercator_norm(c.x, c.y);
        geo::Coord { x: n[0], y: n[1] }
    });
    let tri = norm.earcut_triangles_raw();
    let bb = mercator_norm(a, d);
    let bb2 = mercator_norm(c, b);
    FillShape {
        verts: tri.vertices,
        indices: tri.triangle_indices.iter().map(|&i| i as u32).collect(),
        bbox: [bb[0], bb[1], bb2[0], bb2[1]],
        color: theme::OUTSIDE_VEIL,
    }
}

fn railway(fs: &[crate::mappack::Feature]) -> BaseGeom {
    let mut out = Vec::new();
    for f in fs {
        for l in lines(&f.geometry) {
            let mut s = LineShape::new(l, Stroke::new(2.0, theme::RAILWAY));
            s.dashed = true;
            out.push(s);
        }
    }
    BaseGeom::Vector {
        fills: Vec::new(),
        lines: out,
        labels: Vec::new(),
    }
}

fn rivers(fs: &[crate::mappack::Feature]) -> BaseGeom {
    let mut out = Vec::new();
    let mut labels = Vec::new();
    for f in fs {
        let level = f.f64_prop("wdb_level").unwrap_or(0.0);
        let named = f.str_prop("name_en").is_some() || f.str_prop("name_zh").is_some();
        let (width, min_zoom) = match (named, level as i64) {
            (true, _) | (false, 1) => (2.2, 0.0),
            (false, 3) => (1.4, 7.5),
            _ => (1.0, 9.0),
        };
        for l in lines(&f.geometry) {
            let mut s = LineShape::new(l, Stroke::new(width, theme::RIVER));
            s.min_zoom = min_zoom;
            out.push(s);
            if named && l.0.len() > 2 {
                let c = l.0[l.0.len() / 2];
                // The pack's label first: a river without a Chinese name carries its English
                // one marked as such (「Ou」（英文名）), never a made-up translation.
                labels.push(LabelSpec {
                    zh: f
                        .str_prop("label_zh")
                        .or(f.str_prop("name_zh"))
                        .unwrap_or_default()
                        .to_string(),
                    en: f
                        .str_prop("label_en")
                        .or(f.str_prop("name_en"))
                        .unwrap_or_default()
                        .to_string(),
                    at_norm: mercator_norm(c.x, c.y),
                    priority: 5,
                    size: theme::PLACE_LABEL_SIZE,
                    color: theme::RIVER,
                    boxed: true,
                    zoom_range: (7.0, 30.0),
                    offset: Vec2::ZERO,
                });
            }
        }
    }
    BaseGeom::Vector {
        fills: Vec::new(),
        lines: out,
        labels,
    }
}

fn places(fs: &[crate::mappack::Feature]) -> BaseGeom {
    let points = fs
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let p = f.point()?;
            let kind = f.str_prop("kind").unwrap_or_default();
            let coarse = f.f64_prop("coord_accuracy_m_est").is_some_and(|m| m >= 1000.0)
                || f.str_prop("confidence") == Some("low") && !kind.contains("port")
                // A township without coordinates of its own sits at its county seat: approximate.
                || f.props.get("approximate").and_then(|v| v.as_bool()) == Some(true);
            // Port before seat: the Mohan point's kind is "border_port_not_seat".
            let style = if kind.contains("port") {
                PointStyle::Port
            } else if kind.ends_with("_seat") {
                PointStyle::Seat
            } else if coarse {
                PointStyle::Unverified
            } else {
                PointStyle::Other
            };
            Some(PointSpec {
                label_zh: f
                    .str_prop("label_zh")
                    .or(f.str_prop("name_zh"))
                    .unwrap_or_default()
                    .to_string(),
                label_en: f
                    .str_prop("label_en")
                    .or(f.str_prop("name_en"))
                    .unwrap_or_default()
                    .to_string(),
                at_norm: mercator_norm(p[0], p[1]),
                lonlat: p,
                style,
                feature: i,
            })
        })
        .collect();
    BaseGeom::Points(points)
}

fn terrain(g: &TerrainGrid) -> BaseGeom {
    let mut m = TerrainMesh {
        bbox: [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
        ..Default::default()
    };
    for r in 0..g.nrows {
        for c in 0..g.ncols {
            let [w, s, e, n] = g.cell_bounds(r, c);
            let p = mercator_norm((w + e) / 2.0, (s + n) / 2.0);
            m.bbox = [
                m.bbox[0].min(p[0]),
                m.bbox[1].min(p[1]),
                m.bbox[2].max(p[0]),
                m.bbox[3].max(p[1]),
            ];
            m.verts.push(p);
            m.colors
                .push(g.value(r, c).map(theme::elevation_tint).unwrap_or(Color32::TRANSPARENT));
        }
    }
    for r in 0..g.nrows.saturating_sub(1) {
        for c in 0..g.ncols.saturating_sub(1) {
            let i = (r * g.ncols + c) as u32;
            let (right, down) = (i + 1, i + g.ncols as u32);
            let quad = [i, right, down, down + 1];
            if quad.iter().all(|&q| g.values_m[q as usize].is_some()) {
                m.indices.extend([i, right, down + 1, i, down + 1, down]);
            }
        }
    }
    BaseGeom::Terrain(m)
}

/// Labels gathered from every layer during a frame, placed by [`LabelsPlugin`].
#[derive(Default)]
pub struct LabelQueue {
    labels: Vec<(LabelSpec, Pos2)>,
}

/// A point marker on screen this frame, for hover and click.
#[derive(Debug, Clone)]
pub struct MarkerHit {
    /// Layer index in the pack.
    pub layer: usize,
    /// Feature index in that layer.
    pub feature: usize,
    /// Marker position on screen.
    pub pos: Pos2,
}

/// Draws one pack layer.
pub struct LayerPlugin<'a> {
    /// Index in the pack.
    pub index: usize,
    /// The prepared layer.
    pub layer: &'a BaseLayer,
    /// Label sink shared by the frame's plugins.
    pub labels: &'a RefCell<LabelQueue>,
    /// Markers drawn, for hit-testing.
    pub markers: &'a RefCell<Vec<MarkerHit>>,
    /// Raster tiles are drawn underneath: skip opaque fills, soften the terrain tint.
    pub raster_under: bool,
}

impl Plugin for LayerPlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let view = x.visible_norm(8.0);
        let painter = ui.painter();
        match &self.layer.geom {
            BaseGeom::Vector { fills, lines, labels } => {
                if !fills.is_empty() && !self.raster_under {
                    let mut mesh = Mesh::default();
                    for f in fills {
                        f.add_to_mesh(&x, &view, &mut mesh);
                    }
                    painter.add(Shape::mesh(mesh));
                }
                let mut shapes = Vec::new();
                for l in lines {
                    l.paint(&x, &view, &mut shapes);
                }
                painter.extend(shapes);
                let mut q = self.labels.borrow_mut();
                for l in labels {
                    if x.zoom >= l.zoom_range.0 && x.zoom < l.zoom_range.1 {
                        q.labels.push((l.clone(), x.to_screen(l.at_norm)));
                    }
                }
            }
            BaseGeom::Terrain(t) => {
                if boxes_overlap(&t.bbox, &view) {
                    let fade = if self.raster_under { 0.4 } else { 1.0 };
                    let mut mesh = Mesh::default();
                    mesh.vertices.reserve(t.verts.len());
                    for (v, c) in t.verts.iter().zip(&t.colors) {
                        mesh.colored_vertex(x.to_screen(*v), c.gamma_multiply(fade));
                    }
                    mesh.indices.clone_from(&t.indices);
                    painter.add(Shape::mesh(mesh));
                }
            }
            BaseGeom::Points(points) => {
                let mut q = self.labels.borrow_mut();
                let mut markers = self.markers.borrow_mut();
                for p in points {
                    let pos = x.to_screen(p.at_norm);
                    if !x.rect.expand(40.0).contains(pos) {
                        continue;
                    }
                    paint_marker(painter, pos, p.style);
                    markers.push(MarkerHit {
                        layer: self.index,
                        feature: p.feature,
                        pos,
                    });
                    let (size, priority) = match p.style {
                        PointStyle::Seat => (theme::SEAT_LABEL_SIZE, 1),
                        PointStyle::Port => (theme::PLACE_LABEL_SIZE, 2),
                        _ => (theme::PLACE_LABEL_SIZE, 3),
                    };
                    q.labels.push((
                        LabelSpec {
                            zh: p.label_zh.clone(),
                            en: p.label_en.clone(),
                            at_norm: p.at_norm,
                            priority,
                            size,
                            color: theme::LABEL_TEXT,
                            boxed: true,
                            zoom_range: (0.0, 30.0),
                            offset: vec2(0.0, -(size + 6.0)),
                        },
                        pos,
                    ));
                }
            }
            BaseGeom::Nothing => {}
        }
    }
}

/// Draw a point marker of the given style.
pub fn paint_marker(painter: &egui::Painter, pos: Pos2, style: PointStyle) {
    let outline = Stroke::new(1.5, Color32::from_rgb(0x10, 0x14, 0x1a));
    match style {
        PointStyle::Seat => {
            painter.circle(pos, 6.0, theme::SEAT_MARKER, outline);
            painter.circle_filled(pos, 2.0, Color32::from_rgb(0x10, 0x14, 0x1a));
        }
        PointStyle::Port => {
            let r = 7.0;
            let pts = vec![
                pos + vec2(0.0, -r),
                pos + vec2(r, 0.0),
                pos + vec2(0.0, r),
                pos + vec2(-r, 0.0),
            ];
            painter.add(Shape::convex_polygon(pts, theme::PORT_MARKER, outline));
        }
        PointStyle::Unverified => {
            painter.circle_stroke(pos, 5.0, Stroke::new(2.0, theme::UNVERIFIED_MARKER));
        }
        PointStyle::Other => {
            painter.circle(pos, 4.5, theme::LABEL_TEXT, outline);
        }
    }
}

/// Places every queued label, highest priority first, skipping those that would overlap.
pub struct LabelsPlugin<'a> {
    /// Labels queued by the layer plugins this frame.
    pub labels: &'a RefCell<LabelQueue>,
}

impl Plugin for LabelsPlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let painter = ui.painter();
        let rect = projector.clip_rect();
        let mut q = self.labels.borrow_mut();
        q.labels.sort_by_key(|(l, _)| l.priority);
        let mut placed: Vec<Rect> = Vec::new();
        for (l, anchor) in q.labels.drain(..) {
            let job = label_job(&l.zh, &l.en, l.size, l.color);
            let galley = painter.layout_job(job);
            let center = anchor + l.offset;
            let text_rect = Align2::CENTER_CENTER.anchor_size(center, galley.size());
            let bg = text_rect.expand2(vec2(5.0, 2.0));
            if !rect.intersects(bg) || placed.iter().any(|r| r.intersects(bg)) {
                continue;
            }
            if l.boxed {
                painter.rect_filled(bg, 4.0, theme::LABEL_BG);
            }
            // A centred job lays out around x = 0: shift by the galley's own origin.
            painter.galley(text_rect.min - galley.rect.min.to_vec2(), galley, l.color);
            placed.push(bg);
        }
    }
}

/// Chinese on the first line, English (smaller, dimmer) on the second.
pub fn label_job(zh: &str, en: &str, size: f32, color: Color32) -> LayoutJob {
    let mut job = LayoutJob {
        halign: egui::Align::Center,
        ..Default::default()
    };
    let main = TextFormat {
        font_id: FontId::proportional(size),
        color,
        ..Default::default()
    };
    let second = TextFormat {
        font_id: FontId::proportional(size * 0.72),
        color: color.gamma_multiply(0.8),
        ..Default::default()
    };
    match (zh.is_empty(), en.is_empty()) {
        (false, false) => {
            job.append(zh, 0.0, main);
            job.append(&format!("\n{en}"), 0.0, second);
        }
        (false, true) => job.append(zh, 0.0, main),
        (true, _) => job.append(en, 0.0, main),
    }
    job
}

/// A bilingual label string for lists: "勐腊县 Mengla County", or whichever part exists.
pub fn bilingual(zh: &str, en: &str, lang: Lang) -> String {
    match (zh.is_empty(), en.is_empty()) {
        (false, false) => match lang {
            Lang::Zh => format!("{zh} {en}"),
            Lang::En => format!("{en} {zh}"),
        },
        (false, true) => zh.to_string(),
        _ => en.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> MapPack {
        MapPack::load(concat!(env!("CARGO_MANIFEST_DIR"), "/maps/xishuangbanna")).unwrap()
    }

    #[test]
    fn legend_lists_only_what_the_pack_draws() {
        let xsbn = Basemap::build(&pack());
        use LegendItem::*;
        assert_eq!(
            xsbn.legend,
            [
                Border,
                County,
                River,
                SchematicRoads,
                Marker(PointStyle::Seat),
                Marker(PointStyle::Port),
                // Township seats with coordinates of their own (township_seats layer).
                Marker(PointStyle::Other),
                Marker(PointStyle::Unverified)
            ]
        );
        let li = MapPack::load(concat!(env!("CARGO_MANIFEST_DIR"), "/maps/samples/liechtenstein")).unwrap();
        let li = Basemap::build(&li);
        assert_eq!(li.legend, [Roads]);
        assert!(!li.has_terrain && xsbn.has_terrain);
    }

    #[test]
    fn point_styles_follow_the_data() {
        let map = Basemap::build(&pack());
        let styles: Vec<(String, PointStyle)> = map
            .layers
            .iter()
            .filter_map(|l| match &l.geom {
                BaseGeom::Points(p) => Some(p.iter().map(|p| (p.label_en.clone(), p.style)).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect();
        let style = |n: &str| styles.iter().find(|(l, _)| l == n).map(|(_, s)| *s);
        assert_eq!(style("Mengla"), Some(PointStyle::Seat));
        assert_eq!(style("Mohan port"), Some(PointStyle::Port));
        // GeoNames towns carry a 5 km accuracy estimate: drawn as unverified.
        assert_eq!(style("Mengwang"), Some(PointStyle::Unverified));
    }

    #[test]
    fn lods_shrink_at_low_zoom_and_keep_full_detail_close_up() {
        let map = Basemap::build(&pack());
        let BaseGeom::Vector { lines, fills, .. } = &map.layers[1].geom else {
            panic!("boundaries")
        };
        let prefecture = lines.iter().max_by_key(|l| l.points_at(30.0)).unwrap();
        assert!(prefecture.points_at(30.0) > 2000, "full resolution kept");
        assert!(
            prefecture.points_at(5.0) * 4 < prefecture.points_at(30.0),
            "simplified for the overview"
        );
        assert!(prefecture.points_at(9.0) <= prefecture.points_at(11.0));
        // Three county fills plus the outside veil, each triangulated.
        assert_eq!(fills.len(), 4);
        assert!(fills.iter().all(|f| !f.indices.is_empty() && f.indices.len() % 3 == 0));
    }
}
