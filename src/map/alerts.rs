//! The warnings overlay: the areas of the warnings in force (the pack polygons their geocodes
//! resolved to, CAP polygons and circles as given) filled translucent in the level colour
//! (红/橙/黄/蓝) with an outline, and earthquake epicentres with their estimated felt radius
//! (dashed, labelled 估算; formula in `crate::alerts::place`). Geometry is projected to
//! normalised Mercator and triangulated once per change of the alerts ([`AlertsOverlay::build`]);
//! per frame it is a multiply-add per vertex. Drawn under the operational markers. Reads the
//! situation's alerts and the pack's areas; imports no `ui`.

use egui::epaint::{Mesh, PathShape, PathStroke};
use egui::{Align2, Color32, FontId, Response, Shape, Stroke, Ui};
use geo::{Coord, LineString, MapCoords, Polygon, TriangulateEarcut};
use walkers::{MapMemory, Plugin, Projector};

use super::{ViewXform, boxes_overlap};
use crate::alerts::areas::AreaIndex;
use crate::alerts::place::{circle_ring, felt_radius_km};
use crate::geom::mercator_norm;
use crate::model::alert::AlertsState;
use crate::style::{QUAKE, level_color};

/// One filled area in normalised Mercator.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaShape {
    /// Key text of the warning it belongs to.
    pub alert_key: String,
    /// Level colour (opaque; the fill is drawn translucent).
    pub color: Color32,
    /// Triangle vertices.
    pub verts: Vec<[f64; 2]>,
    /// Triangle indices into `verts`.
    pub indices: Vec<u32>,
    /// Outlines (exterior and holes).
    pub rings: Vec<Vec<[f64; 2]>>,
    /// Box `[min_x, min_y, max_x, max_y]` for culling.
    pub bbox: [f64; 4],
}

/// An earthquake epicentre with its estimated felt radius.
#[derive(Debug, Clone, PartialEq)]
pub struct QuakeMark {
    /// The earthquake's id (key of `AlertsState::quakes`).
    pub quake_id: String,
    /// Epicentre, normalised Mercator.
    pub center: [f64; 2],
    /// The felt-radius ring, normalised Mercator.
    pub ring: Vec<[f64; 2]>,
    /// `M5.3`.
    pub label: String,
    /// Estimated felt radius, km.
    pub radius_km: f64,
}

/// Everything the overlay draws, rebuilt only when the alerts change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertsOverlay {
    /// Warning areas, least serious first (red is drawn last, on top).
    pub areas: Vec<AreaShape>,
    /// Earthquakes not withdrawn.
    pub quakes: Vec<QuakeMark>,
}

fn norm(p: [f64; 2]) -> [f64; 2] {
    mercator_norm(p[0], p[1])
}

fn shape_of(poly: &Polygon<f64>, color: Color32, alert_key: &str) -> AreaShape {
    let n = poly.map_coords(|c| {
        let m = norm([c.x, c.y]);
        Coord { x: m[0], y: m[1] }
    });
    let tri = n.earcut_triangles_raw();
    let verts: Vec<[f64; 2]> = tri.vertices;
    let rings: Vec<Vec<[f64; 2]>> = std::iter::once(n.exterior())
        .chain(n.interiors())
        .map(|r| r.coords().map(|c| [c.x, c.y]).collect())
        .collect();
    let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for p in rings.iter().flatten() {
        bbox = [
            bbox[0].min(p[0]),
            bbox[1].min(p[1]),
            bbox[2].max(p[0]),
            bbox[3].max(p[1]),
        ];
    }
    AreaShape {
        alert_key: alert_key.to_owned(),
        color,
        verts,
        indices: tri.triangle_indices.iter().map(|&i| i as u32).collect(),
        rings,
        bbox,
    }
}

fn ring_polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    Polygon::new(
        LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()),
        vec![],
    )
}

impl AlertsOverlay {
    /// The overlay of the warnings in force at `now_ms` and the earthquakes not withdrawn.
    pub fn build(state: &AlertsState, areas: &AreaIndex, now_ms: i64) -> AlertsOverlay {
        let mut active: Vec<_> = state.active_at(now_ms).collect();
        // Most serious last, so red is on top; unknown levels first.
        active.sort_by_key(|e| std::cmp::Reverse(e.record.level.map_or(9, |l| l.rank())));
        let mut out = AlertsOverlay::default();
        for e in active {
            let color = level_color(e.record.level);
            let key = e.record.key.text();
            let mut drawn = std::collections::BTreeSet::new();
            for a in &e.record.areas {
                for code in a.resolved.iter().filter_map(|r| r.used.as_deref()) {
                    // Two township codes falling back to one county draw it once.
                    if !drawn.insert(code.to_owned()) {
                        continue;
                    }
                    if let Some(mp) = areas.get(code).and_then(|x| x.shape.as_ref()) {
                        out.areas.extend(mp.0.iter().map(|p| shape_of(p, color, &key)));
                    }
                }
                for ring in a.polygons.iter().filter(|r| r.len() >= 3) {
                    out.areas.push(shape_of(&ring_polygon(ring), color, &key));
                }
                for c in &a.circles {
                    out.areas.push(shape_of(
                        &ring_polygon(&circle_ring(c.center_lonlat, c.radius_km, 64)),
                        color,
                        &key,
                    ));
                }
            }
        }
        for (id, q) in state.quakes.iter().filter(|(_, q)| !q.withdrawn) {
            let ll = q.quake.lonlat.lonlat();
            out.quakes.push(QuakeMark {
                quake_id: id.clone(),
                center: norm(ll),
                ring: circle_ring(ll, felt_radius_km(q.quake.magnitude), 72)
                    .into_iter()
                    .map(norm)
                    .collect(),
                label: format!("M{:.1}", q.quake.magnitude),
                radius_km: felt_radius_km(q.quake.magnitude),
            });
        }
        out
    }
}

/// What a click on the overlay selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertHit {
    /// A warning, by key text.
    Alert(String),
    /// An earthquake, by id.
    Quake(String),
}

/// Points from an epicentre within which a click selects the earthquake.
pub const QUAKE_HIT_PT: f32 = 12.0;

/// Area of a ring in normalised Mercator (shoelace, unsigned).
fn ring_area(ring: &[[f64; 2]]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum::<f64>()
        .abs()
        / 2.0
}

impl AlertsOverlay {
    /// What a click at `pos` (screen) selects: the nearest epicentre within [`QUAKE_HIT_PT`],
    /// else the warning area under the pointer. Where areas overlap the SMALLEST area wins (on
    /// equal areas the more severe, drawn later): a small area inside a large one could not be
    /// reached otherwise, while the large one stays clickable everywhere outside the small one.
    pub fn hit(&self, x: &ViewXform, pos: egui::Pos2) -> Option<AlertHit> {
        let quake = self
            .quakes
            .iter()
            .map(|q| ((x.to_screen(q.center) - pos).length(), q))
            .filter(|(d, _)| *d <= QUAKE_HIT_PT)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, q)) = quake {
            return Some(AlertHit::Quake(q.quake_id.clone()));
        }
        let ll = x.screen_to_lonlat(pos);
        let p = norm(ll);
        let mut best: Option<(f64, &AreaShape)> = None;
        for a in &self.areas {
            let inside_box = p[0] >= a.bbox[0] && p[0] <= a.bbox[2] && p[1] >= a.bbox[1] && p[1] <= a.bbox[3];
            // Even-odd over the exterior and the holes.
            if !inside_box
                || a.rings
                    .iter()
                    .filter(|r| crate::alerts::place::ring_contains(r, p))
                    .count()
                    % 2
                    == 0
            {
                continue;
            }
            let area = a.rings.first().map_or(0.0, |r| ring_area(r))
                - a.rings.iter().skip(1).map(|r| ring_area(r)).sum::<f64>();
            // `<=`: later shapes are more severe, so they win a tie.
            if best.is_none_or(|(b, _)| area <= b) {
                best = Some((area, a));
            }
        }
        best.map(|(_, a)| AlertHit::Alert(a.alert_key.clone()))
    }
}

/// Translucent version of a level colour for the fill.
fn fill_of(c: Color32) -> Color32 {
    Color32::from_rgba_unmultiplied(c.r(), c.g(), c.b(), 0x50)
}

/// The overlay as a walkers plugin.
pub struct AlertsPlugin<'a> {
    /// What to draw.
    pub overlay: &'a AlertsOverlay,
    /// "估算有感半径" / "estimated felt radius", in the officer's language.
    pub estimate_word: &'a str,
}

impl Plugin for AlertsPlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let visible = x.visible_norm(20.0);
        let painter = ui.painter();
        for a in &self.overlay.areas {
            if !boxes_overlap(&a.bbox, &visible) {
                continue;
            }
            let mut mesh = Mesh::default();
            let fill = fill_of(a.color);
            for v in &a.verts {
                mesh.colored_vertex(x.to_screen(*v), fill);
            }
            mesh.indices = a.indices.clone();
            painter.add(Shape::mesh(mesh));
            for r in &a.rings {
                let pts = r.iter().map(|p| x.to_screen(*p)).collect();
                painter.add(PathShape::closed_line(pts, PathStroke::new(2.0, a.color)));
            }
        }
        for q in &self.overlay.quakes {
            let pts: Vec<_> = q.ring.iter().map(|p| x.to_screen(*p)).collect();
            let mut closed = pts.clone();
            if let Some(first) = pts.first() {
                closed.push(*first);
            }
            painter.extend(Shape::dashed_line(&closed, Stroke::new(1.5, QUAKE), 8.0, 5.0));
            let c = x.to_screen(q.center);
            painter.circle(c, 6.0, QUAKE, Stroke::new(2.0, Color32::WHITE));
            painter.text(
                c + egui::vec2(9.0, -9.0),
                Align2::LEFT_BOTTOM,
                format!("{} · {} {:.0} km", q.label, self.estimate_word, q.radius_km),
                FontId::proportional(13.0),
                Color32::WHITE,
            );
        }
    }
}

/// The warning area being drawn (`closed: false`: an open path) or drawn (a closed ring), with a
/// marker on every vertex, over everything else of the map.
pub fn paint_sketch(painter: &egui::Painter, x: &ViewXform, lonlat: &[[f64; 2]], closed: bool) {
    let pts: Vec<egui::Pos2> = lonlat.iter().map(|p| x.lonlat_to_screen(*p)).collect();
    let stroke = Stroke::new(2.5, crate::style::SKETCH);
    if closed {
        painter.add(PathShape::closed_line(pts.clone(), PathStroke::from(stroke)));
    } else if pts.len() >= 2 {
        painter.add(PathShape::line(pts.clone(), PathStroke::from(stroke)));
    }
    for p in &pts {
        painter.circle(*p, 4.5, Color32::WHITE, stroke);
    }
}
