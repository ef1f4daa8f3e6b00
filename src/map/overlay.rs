//! Operational overlays drawn above the basemap: the current route (with its straight off-road
//! legs dashed) and isochrone bands. Geometry comes from the routing worker, already projected.

use egui::epaint::Mesh;
use egui::{Color32, Response, Shape, Stroke, Ui};
use walkers::{MapMemory, Plugin, Projector};

use super::ViewXform;
use crate::backend::routing::{IsoAnswer, RouteAnswer};
use crate::geom::mercator_norm;
use crate::style as theme;

/// Draws the route, its end markers and the isochrone bands.
pub struct OverlayPlugin<'a> {
    /// Route to draw.
    pub route: Option<&'a RouteAnswer>,
    /// Isochrone to draw.
    pub iso: Option<&'a IsoAnswer>,
    /// A chosen start without a destination yet.
    pub pending_from: Option<[f64; 2]>,
    /// Dispatch suggestion whose unit routes to draw.
    pub suggestion: Option<&'a crate::dispatch::Recommendation>,
    /// Routes of moving units (dispatched / en route), with the status colour of each.
    pub tracks: Vec<(&'a crate::dispatch::tracking::Track, Color32)>,
}

impl Plugin for OverlayPlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let painter = ui.painter();
        if let Some(iso) = self.iso {
            // Largest band first, so faster bands paint over slower ones.
            for (i, band) in iso.bands.iter().enumerate() {
                let color = theme::ISO_BANDS[(iso.bands.len() - 1 - i).min(theme::ISO_BANDS.len() - 1)];
                let mut mesh = Mesh::default();
                for v in &band.verts {
                    mesh.colored_vertex(x.to_screen(*v), color);
                }
                mesh.indices.clone_from(&band.indices);
                painter.add(Shape::mesh(mesh));
                let outline = Stroke::new(1.2, color.to_opaque().gamma_multiply(1.6));
                for ring in &band.rings {
                    let pts: Vec<_> = ring.iter().map(|p| x.to_screen(*p)).collect();
                    painter.add(Shape::closed_line(pts, outline));
                }
            }
            marker(painter, x.lonlat_to_screen(iso.at), Color32::from_rgb(0x7d, 0xe0, 0x9a));
        }
        if let Some(r) = self.route {
            let road: Vec<_> = r
                .geometry
                .iter()
                .map(|p| x.to_screen(mercator_norm(p[0], p[1])))
                .collect();
            let (a, b) = (x.lonlat_to_screen(r.from), x.lonlat_to_screen(r.to));
            if let (Some(first), Some(last)) = (road.first(), road.last()) {
                let leg = Stroke::new(2.0, theme::ROUTE);
                painter.extend(Shape::dashed_line(&[a, *first], leg, 6.0, 4.0));
                painter.extend(Shape::dashed_line(&[*last, b], leg, 6.0, 4.0));
            }
            painter.add(Shape::line(road.clone(), Stroke::new(7.0, theme::ROUTE_CASING)));
            painter.add(Shape::line(road, Stroke::new(4.0, theme::ROUTE)));
            marker(painter, a, Color32::from_rgb(0x7d, 0xe0, 0x9a));
            marker(painter, b, Color32::from_rgb(0xff, 0x6b, 0x6b));
        }
        for (t, color) in &self.tracks {
            let pts: Vec<_> = t
                .geometry_lonlat
                .iter()
                .map(|p| x.to_screen(mercator_norm(p[0], p[1])))
                .collect();
            painter.add(Shape::line(pts.clone(), Stroke::new(4.0, theme::ROUTE_CASING)));
            painter.add(Shape::line(pts, Stroke::new(2.0, color.gamma_multiply(0.8))));
        }
        if let Some(rec) = self.suggestion {
            for sug in rec.requirements.iter().flat_map(|r| r.filled.iter()) {
                let pts: Vec<_> = sug
                    .route_lonlat
                    .iter()
                    .map(|p| x.to_screen(mercator_norm(p[0], p[1])))
                    .collect();
                let color = if sug.on_time { theme::ROUTE } else { theme::WARN_TEXT };
                painter.add(Shape::line(pts.clone(), Stroke::new(5.0, theme::ROUTE_CASING)));
                painter.add(Shape::line(pts, Stroke::new(2.5, color)));
            }
        }
        if let Some(p) = self.pending_from {
            marker(painter, x.lonlat_to_screen(p), Color32::from_rgb(0x7d, 0xe0, 0x9a));
        }
    }
}

fn marker(painter: &egui::Painter, at: egui::Pos2, color: Color32) {
    painter.circle(at, 7.0, color, Stroke::new(2.0, Color32::from_rgb(0x10, 0x14, 0x1a)));
}
