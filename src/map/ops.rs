//! The operational layers: stations, warehouses, shelters and units from the situation, with a
//! distinct marker per kind and status, clustered when dense (screen-space grid, the way web
//! maps cluster points). Reads the folded situation; never touches the database.

use std::collections::HashMap;

use egui::{Align2, Color32, FontId, Pos2, Rect, Response, Shape, Stroke, Ui, vec2};
use walkers::{MapMemory, Plugin, Projector};

use super::ViewXform;
use crate::model::facility::StationKind;
use crate::model::ids::{IncidentId, ShelterId, StationId, UnitId, WarehouseId};
use crate::model::situation::Situation;

/// Which operational entity a marker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpsRef {
    /// A station.
    Station(StationId),
    /// A unit.
    Unit(UnitId),
    /// A warehouse.
    Warehouse(WarehouseId),
    /// A shelter.
    Shelter(ShelterId),
    /// An incident.
    Incident(IncidentId),
}

/// A marker or cluster on screen this frame, for clicks.
#[derive(Debug, Clone)]
pub enum OpsHit {
    /// One entity.
    One(OpsRef, Pos2),
    /// A cluster of several, with their lon/lat extent.
    Cluster(Pos2, [f64; 4]),
}

/// Which operational layers are shown.
#[derive(Debug, Clone, Copy)]
pub struct OpsVisibility {
    /// Stations.
    pub stations: bool,
    /// Units.
    pub units: bool,
    /// Warehouses.
    pub warehouses: bool,
    /// Shelters.
    pub shelters: bool,
}

/// Below this zoom markers closer than [`CLUSTER_CELL_PT`] merge into counted clusters.
pub const CLUSTER_BELOW_ZOOM: f64 = 14.0;
/// Cluster grid size, points.
pub const CLUSTER_CELL_PT: f32 = 34.0;

/// Incident and unit-status colours are design tokens (`crate::style`); re-exported for callers
/// that found them here.
pub use crate::style::{severity_color, status_color};

fn station_color(k: StationKind) -> Color32 {
    match k {
        StationKind::FireStation => Color32::from_rgb(0xe8, 0x45, 0x3c),
        StationKind::TownshipFireTeamL1 => Color32::from_rgb(0xf0, 0x7a, 0x3a),
        StationKind::TownshipFireTeamL2 => Color32::from_rgb(0xf0, 0xa0, 0x6a),
        StationKind::ForestFireDepot => Color32::from_rgb(0x3c, 0xa0, 0x4c),
        StationKind::Hospital | StationKind::AmbulanceBase => Color32::from_rgb(0xf4, 0xf4, 0xf4),
        StationKind::PolicePost => Color32::from_rgb(0x3c, 0x6c, 0xe8),
        StationKind::WaterRescueBase => Color32::from_rgb(0x3c, 0xc8, 0xe0),
        StationKind::EngineeringDepot => Color32::from_rgb(0xe8, 0xc8, 0x3c),
        StationKind::RescueTeamBase => Color32::from_rgb(0xc8, 0x6c, 0xe8),
        StationKind::TransportReserve => Color32::from_rgb(0xa0, 0x8c, 0x6c),
    }
}

const OUTLINE: Stroke = Stroke {
    width: 1.5,
    color: Color32::from_rgb(0x10, 0x14, 0x1a),
};
const WAREHOUSE: Color32 = Color32::from_rgb(0xb0, 0x7c, 0x4c);
const SHELTER: Color32 = Color32::from_rgb(0x4c, 0xc8, 0xb0);

struct Marker {
    what: OpsRef,
    lonlat: [f64; 2],
    pos: Pos2,
}

/// Paint one entity's marker.
pub fn paint_ops_marker(painter: &egui::Painter, pos: Pos2, what: OpsRef, sit: &Situation) {
    match what {
        OpsRef::Station(id) => {
            let Some(s) = sit.stations.get(&id) else {
                return;
            };
            let r = Rect::from_center_size(pos, vec2(12.0, 12.0));
            if s.spec.planned {
                // Planned (not yet built): hollow, dashed.
                let c = station_color(s.spec.kind);
                let pts = [
                    r.left_top(),
                    r.right_top(),
                    r.right_bottom(),
                    r.left_bottom(),
                    r.left_top(),
                ];
                painter.extend(Shape::dashed_line(&pts, Stroke::new(2.0, c), 3.0, 2.0));
            } else {
                painter.rect(r, 2.0, station_color(s.spec.kind), OUTLINE, egui::StrokeKind::Outside);
                if matches!(s.spec.kind, StationKind::Hospital | StationKind::AmbulanceBase) {
                    let red = Stroke::new(2.5, Color32::from_rgb(0xe8, 0x30, 0x30));
                    painter.line_segment([pos - vec2(4.0, 0.0), pos + vec2(4.0, 0.0)], red);
                    painter.line_segment([pos - vec2(0.0, 4.0), pos + vec2(0.0, 4.0)], red);
                }
            }
        }
        OpsRef::Unit(id) => {
            let Some(u) = sit.units.get(&id) else { return };
            painter.circle(pos, 5.0, status_color(u.status), OUTLINE);
        }
        OpsRef::Warehouse(_) => {
            let pts = vec![pos + vec2(0.0, -8.0), pos + vec2(7.0, 5.0), pos + vec2(-7.0, 5.0)];
            painter.add(Shape::convex_polygon(pts, WAREHOUSE, OUTLINE));
        }
        OpsRef::Incident(id) => {
            let Some(i) = sit.incidents.get(&id) else {
                return;
            };
            let color = severity_color(i.severity);
            let pts = vec![pos + vec2(0.0, -11.0), pos + vec2(10.0, 7.0), pos + vec2(-10.0, 7.0)];
            painter.add(Shape::convex_polygon(
                pts,
                color,
                Stroke::new(2.0, Color32::from_rgb(0x10, 0x14, 0x1a)),
            ));
            painter.text(
                pos + vec2(0.0, 1.5),
                Align2::CENTER_CENTER,
                "!",
                FontId::proportional(12.0),
                Color32::BLACK,
            );
        }
        OpsRef::Shelter(id) => {
            let open = sit.shelters.get(&id).is_some_and(|s| s.spec.open);
            let pts = vec![
                pos + vec2(0.0, -8.0),
                pos + vec2(7.0, -2.0),
                pos + vec2(5.0, 6.0),
                pos + vec2(-5.0, 6.0),
                pos + vec2(-7.0, -2.0),
            ];
            let fill = if open { SHELTER } else { SHELTER.gamma_multiply(0.35) };
            painter.add(Shape::convex_polygon(pts, fill, OUTLINE));
        }
    }
}

fn ring(c: Pos2, r: f32) -> Vec<Pos2> {
    (0..=24)
        .map(|i| {
            let a = i as f32 / 24.0 * std::f32::consts::TAU;
            c + vec2(a.cos(), a.sin()) * r
        })
        .collect()
}

/// Draws the operational layers and reports what is where.
pub struct OpsPlugin<'a> {
    /// The situation.
    pub situation: &'a Situation,
    /// Layer toggles.
    pub visible: OpsVisibility,
    /// Filled with this frame's markers and clusters.
    pub hits: &'a std::cell::RefCell<Vec<OpsHit>>,
    /// Highlighted entity.
    pub selected: Option<OpsRef>,
    /// Units drawn at an estimated position (dead reckoning along their route), by unit id.
    pub estimated: &'a HashMap<UnitId, [f64; 2]>,
}

impl Plugin for OpsPlugin<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let sit = self.situation;
        let v = self.visible;
        let mut markers = Vec::new();
        let mut push = |what: OpsRef, ll: [f64; 2]| {
            let pos = x.lonlat_to_screen(ll);
            if x.rect.expand(20.0).contains(pos) {
                markers.push(Marker { what, lonlat: ll, pos });
            }
        };
        if v.stations {
            sit.stations
                .values()
                .for_each(|s| push(OpsRef::Station(s.id), s.spec.lonlat.lonlat()));
        }
        if v.warehouses {
            sit.warehouses
                .values()
                .for_each(|w| push(OpsRef::Warehouse(w.id), w.spec.lonlat.lonlat()));
        }
        if v.shelters {
            sit.shelters
                .values()
                .for_each(|s| push(OpsRef::Shelter(s.id), s.spec.lonlat.lonlat()));
        }
        if v.units {
            sit.units.values().for_each(|u| {
                let at = self.estimated.get(&u.id).copied();
                push(OpsRef::Unit(u.id), at.unwrap_or(u.lonlat.lonlat()));
            });
        }
        let painter = ui.painter();
        let mut hits = self.hits.borrow_mut();
        if x.zoom >= CLUSTER_BELOW_ZOOM {
            for m in &markers {
                paint_ops_marker(painter, m.pos, m.what, sit);
                hits.push(OpsHit::One(m.what, m.pos));
                if let OpsRef::Unit(id) = m.what
                    && self.estimated.contains_key(&id)
                {
                    // Estimated, not reported: a dashed ring around the marker.
                    painter.add(Shape::dashed_line(
                        &ring(m.pos, 9.0),
                        Stroke::new(1.5, Color32::WHITE),
                        3.0,
                        3.0,
                    ));
                }
            }
        } else {
            let mut cells: HashMap<(i32, i32), Vec<usize>> = HashMap::new();
            for (i, m) in markers.iter().enumerate() {
                let key = (
                    (m.pos.x / CLUSTER_CELL_PT).floor() as i32,
                    (m.pos.y / CLUSTER_CELL_PT).floor() as i32,
                );
                cells.entry(key).or_default().push(i);
            }
            let mut cells: Vec<_> = cells.into_values().collect();
            cells.sort_by_key(|c| c[0]);
            for members in cells {
                if let [only] = members[..] {
                    let m = &markers[only];
                    paint_ops_marker(painter, m.pos, m.what, sit);
                    hits.push(OpsHit::One(m.what, m.pos));
                    continue;
                }
                let n = members.len() as f32;
                let center = members
                    .iter()
                    .fold(egui::Vec2::ZERO, |a, &i| a + markers[i].pos.to_vec2())
                    / n;
                let center = center.to_pos2();
                let mut bb = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
                for &i in &members {
                    let [lon, lat] = markers[i].lonlat;
                    bb = [bb[0].min(lon), bb[1].min(lat), bb[2].max(lon), bb[3].max(lat)];
                }
                let radius = 11.0 + 3.0 * n.log2();
                painter.circle(
                    center,
                    radius,
                    Color32::from_rgba_unmultiplied(0x30, 0x3c, 0x4c, 0xe0),
                    Stroke::new(2.0, Color32::from_rgb(0xc8, 0xd0, 0xda)),
                );
                painter.text(
                    center,
                    Align2::CENTER_CENTER,
                    members.len().to_string(),
                    FontId::proportional(13.0),
                    Color32::WHITE,
                );
                hits.push(OpsHit::Cluster(center, bb));
            }
        }
        // Open incidents: never clustered, always on top.
        for i in sit.incidents.values().filter(|i| !i.status.is_final()) {
            let ll = i.lonlat.lonlat();
            let pos = x.lonlat_to_screen(ll);
            if x.rect.expand(20.0).contains(pos) {
                paint_ops_marker(painter, pos, OpsRef::Incident(i.id), sit);
                hits.push(OpsHit::One(OpsRef::Incident(i.id), pos));
                markers.push(Marker {
                    what: OpsRef::Incident(i.id),
                    lonlat: ll,
                    pos,
                });
            }
        }
        if let Some(sel) = self.selected
            && let Some(m) = markers.iter().find(|m| m.what == sel)
        {
            painter.circle_stroke(m.pos, 13.0, Stroke::new(2.5, crate::style::HIGHLIGHT));
        }
    }
}
