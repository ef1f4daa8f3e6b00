//! The wall's map page: the pack's basemap, active incidents (grade colour plus the class's
//! first character and a text label), committed units with their routes and dead-reckoned
//! positions (status colour plus status text), and the view lock: the view fits the active
//! incidents when their set changes; a manual pan or zoom locks it, so closing an incident no
//! longer moves the view, but a new incident always does (it must never be off-screen on a
//! wall); one button fits again and unlocks. Coverage bands are optional: one button steps
//! through the force types (grid cells green where the plan's threshold is met, red where not,
//! the legend in words). Must not import the store or the backend's writers.

use std::cell::RefCell;
use std::collections::BTreeSet;

use egui::{Align2, Color32, FontId, Pos2, Rect, Response, RichText, Stroke, Ui, vec2};
use walkers::{Map, MapMemory, Plugin, Projector, lon_lat};

use super::kpi_page::{GRADES, grade_index};
use super::{MUTED, Sizes, TEXT};
use crate::backend::follower::WallData;
use crate::dispatch::tracking::estimate_position;
use crate::geom::{BBox, mercator_norm};
use crate::kpis::Kpis;
use crate::map::basemap::{Basemap, LabelQueue, LabelsPlugin, LayerPlugin};
use crate::map::ops::{severity_color, status_color};
use crate::map::overlay::OverlayPlugin;
use crate::map::{ViewXform, fit_zoom, mercator_center};
use crate::mappack::MapPack;
use crate::model::{IncidentId, UnitStatus};

/// Deepest zoom an automatic fit goes to (one incident should still show its surroundings).
const MAX_FIT_ZOOM: f64 = 12.0;

/// The map's view lock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewLock {
    /// The active incidents the view was last fitted to.
    pub fitted: Option<BTreeSet<u32>>,
    /// A manual pan or zoom locked the view.
    pub locked: bool,
    /// The auto-fit button was pressed: fit on the next frame.
    pub refit: bool,
}

impl ViewLock {
    /// Whether to fit the view to `active` now: on the first frame, on the button, when the set
    /// changed (unlocked), or when a new incident appeared (locked).
    pub fn should_fit(&self, active: &BTreeSet<u32>) -> bool {
        self.refit
            || match &self.fitted {
                None => true,
                Some(f) if self.locked => active.iter().any(|i| !f.contains(i)),
                Some(f) => f != active,
            }
    }

    /// The view was fitted to `active`: auto-fit is on again.
    pub fn fitted_to(&mut self, active: BTreeSet<u32>) {
        self.fitted = Some(active);
        self.locked = false;
        self.refit = false;
    }
}

/// The map page's own state: the prepared basemap and walkers' memory.
pub struct MapState {
    /// Coverage bands shown: index into the coverage report's force types (`None`: off).
    pub coverage: Option<usize>,
    /// Grid cells drawn in the last frame (tests).
    pub cells_drawn: std::rc::Rc<std::cell::Cell<usize>>,
    basemap: Basemap,
    visible: Vec<bool>,
    memory: MapMemory,
    home: [f64; 2],
    pack_bbox: BBox,
}

impl MapState {
    /// Prepare the basemap of `pack` once.
    pub fn new(pack: &MapPack) -> MapState {
        let basemap = Basemap::build(pack);
        let visible = basemap
            .layers
            .iter()
            .map(|l| pack.layer(&l.name).is_some_and(|p| p.spec.visible))
            .collect();
        MapState {
            coverage: None,
            cells_drawn: Default::default(),
            basemap,
            visible,
            memory: MapMemory::default(),
            home: mercator_center(pack.bbox()),
            pack_bbox: pack.bbox(),
        }
    }

    /// The map's centre in normalised Mercator and its zoom (tests check the view lock with it).
    pub fn view(&self) -> Option<([f64; 2], f64)> {
        let c = self.memory.detached()?;
        Some((mercator_norm(c.x(), c.y()), self.memory.zoom()))
    }

    /// Draw the page.
    pub fn ui(&mut self, ui: &mut Ui, sizes: Sizes, d: &WallData, k: &Kpis, view: &mut ViewLock, now_ms: i64) {
        let sit = &d.situation;
        ui.horizontal(|ui| {
            ui.label(
                RichText::new("● 事件：颜色 = 等级，字 = 类别   ■ 力量：颜色 + 文字 = 状态   — 路线")
                    .size(sizes.body())
                    .color(MUTED),
            );
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.coverage_button(ui, sizes, d);
                if view.locked {
                    let b = egui::Button::new(
                        RichText::new("⊙ 自动适配 Auto-fit")
                            .size(sizes.body())
                            .strong()
                            .color(Color32::BLACK),
                    )
                    .fill(crate::style::HIGHLIGHT)
                    .min_size(vec2(sizes.px(220.0), sizes.px(48.0)));
                    if ui.add(b).clicked() {
                        view.refit = true;
                    }
                    ui.label(RichText::new("视图已锁定 view locked").size(sizes.body()).color(TEXT));
                } else {
                    ui.label(
                        RichText::new("视图自动适配 auto-fit on")
                            .size(sizes.body())
                            .color(MUTED),
                    );
                }
            });
        });
        let active: BTreeSet<u32> = k.incidents.iter().map(|i| i.incident).collect();
        let labels = RefCell::new(LabelQueue::default());
        let markers = RefCell::new(Vec::new());
        let tracks: Vec<_> = d
            .searched
            .tracks
            .iter()
            .filter_map(|t| Some((t, status_color(sit.units.get(&t.unit)?.status))))
            .collect();
        let mut incidents = Vec::new();
        for ki in &k.incidents {
            let Some(inc) = sit.incidents.get(&IncidentId(ki.incident)) else {
                continue;
            };
            incidents.push(IncidentMark {
                lonlat: inc.lonlat.lonlat(),
                color: severity_color(inc.severity),
                glyph: inc.class().name_zh().chars().next().unwrap_or('?'),
                label: format!(
                    "#{} {}级 {}",
                    ki.incident,
                    GRADES[grade_index(ki.severity)],
                    inc.incident_type.name_zh()
                ),
                dim: ki.sensitive,
            });
        }
        let units: Vec<UnitMark> = sit
            .units
            .values()
            .filter(|u| u.assignment.is_some() && u.status != UnitStatus::Available)
            .map(|u| {
                let est = d
                    .searched
                    .tracks
                    .iter()
                    .find(|t| t.unit == u.id)
                    .and_then(|t| estimate_position(u, t, now_ms));
                UnitMark {
                    lonlat: est.map_or(u.lonlat.lonlat(), |e| e.lonlat),
                    color: status_color(u.status),
                    label: format!("{} {}", u.spec.callsign, u.status.name_zh()),
                    estimated: est.is_some(),
                }
            })
            .collect();
        let mut map = Map::new(None, &mut self.memory, lon_lat(self.home[0], self.home[1]))
            .zoom_with_ctrl(false)
            .double_click_to_zoom(true);
        for (i, layer) in self.basemap.layers.iter().enumerate() {
            if self.visible.get(i).copied().unwrap_or(false) {
                map = map.with_plugin(LayerPlugin {
                    index: i,
                    layer,
                    labels: &labels,
                    markers: &markers,
                    raster_under: false,
                });
            }
        }
        if let Some(bands) = self.coverage.and_then(|i| coverage_bands(d, i, &self.cells_drawn)) {
            map = map.with_plugin(bands);
        } else {
            self.cells_drawn.set(0);
        }
        map = map.with_plugin(OverlayPlugin {
            route: None,
            iso: None,
            pending_from: None,
            suggestion: None,
            tracks,
        });
        map = map.with_plugin(LabelsPlugin { labels: &labels });
        map = map.with_plugin(WallMarks {
            incidents,
            units,
            sizes,
        });
        // The basemap's fills reach past the map's rect: keep them off the legend row above.
        let clip = ui.available_rect_before_wrap();
        let inner = ui
            .scope(|ui| {
                ui.set_clip_rect(clip);
                map.show(ui, |_ui, _resp, projector, _memory| {
                    ViewXform::from_projector(projector)
                })
            })
            .inner;
        let x = inner.inner;
        let response = inner.response;
        let scrolled =
            response.hovered() && ui.input(|i| i.smooth_scroll_delta != egui::Vec2::ZERO || i.zoom_delta() != 1.0);
        if response.dragged() || scrolled || response.double_clicked() {
            view.locked = true;
        }
        if view.should_fit(&active) && x.rect.width() > 100.0 {
            let b = self.fit_box(d, &active);
            let c = mercator_center(b);
            let z = fit_zoom(b, x.rect.size(), sizes.px(80.0)).min(MAX_FIT_ZOOM);
            self.memory.center_at(lon_lat(c[0], c[1]));
            let _ = self.memory.set_zoom(z);
            view.fitted_to(active);
            ui.ctx().request_repaint();
        }
    }

    /// The coverage toggle: off → each force type → off, with the type's covered share.
    fn coverage_button(&mut self, ui: &mut Ui, sizes: Sizes, d: &WallData) {
        let types = d.searched.coverage.as_ref().map_or(0, |c| c.types.len());
        if types == 0 {
            self.coverage = None;
            return;
        }
        if self.coverage.is_some_and(|i| i >= types) {
            self.coverage = None;
        }
        let (text, a11y) = match self.coverage.and_then(|i| d.searched.coverage.as_ref()?.types.get(i)) {
            Some(t) => (
                format!(
                    "覆盖 Coverage：{} {:.1}%（绿 达标 / 红 未达标）",
                    t.name_zh,
                    t.covered_share * 100.0
                ),
                format!("wall coverage {}: {:.1}%", t.force.code(), t.covered_share * 100.0),
            ),
            None => ("覆盖 Coverage：关 off".to_string(), "wall coverage off".to_string()),
        };
        let b = egui::Button::new(RichText::new(text).size(sizes.body()).color(TEXT))
            .min_size(vec2(sizes.px(220.0), sizes.px(48.0)));
        let r = ui.add(b);
        r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, a11y.clone()));
        if r.clicked() {
            self.coverage = match self.coverage {
                None => Some(0),
                Some(i) if i + 1 < types => Some(i + 1),
                Some(_) => None,
            };
        }
    }

    /// The box the view fits: the active incidents (padded), or the whole pack without any.
    fn fit_box(&self, d: &WallData, active: &BTreeSet<u32>) -> BBox {
        let pts: Vec<[f64; 2]> = active
            .iter()
            .filter_map(|i| d.situation.incidents.get(&IncidentId(*i)))
            .map(|i| i.lonlat.lonlat())
            .collect();
        if pts.is_empty() {
            return self.pack_bbox;
        }
        let (mut a, mut b, mut c, mut e) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &pts {
            a = a.min(p[0]);
            b = b.min(p[1]);
            c = c.max(p[0]);
            e = e.max(p[1]);
        }
        let pad = ((c - a).max(e - b) * 0.15).max(0.05);
        BBox([a - pad, b - pad, c + pad, e + pad])
    }
}

/// The bands of force type `i`: every grid cell's centre and whether it is covered.
fn coverage_bands<'a>(
    d: &'a WallData,
    i: usize,
    drawn: &std::rc::Rc<std::cell::Cell<usize>>,
) -> Option<CoverageBands<'a>> {
    let report = d.searched.coverage.as_ref()?;
    let force = report.types.get(i)?;
    Some(CoverageBands {
        report,
        force,
        // As the demand grid is laid out (coverage::demand): rows `cell_km / 111.195` degrees apart.
        dlat: report.cell_km / 111.195,
        drawn: drawn.clone(),
    })
}

/// Coverage bands: one translucent quad per grid cell in view, read straight from the
/// follower's coverage report (nothing copied per frame).
struct CoverageBands<'a> {
    report: &'a crate::coverage::CoverageReport,
    force: &'a crate::coverage::TypeCoverage,
    dlat: f64,
    drawn: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Plugin for CoverageBands<'_> {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let clip = ui.clip_rect();
        let covered = Color32::from_rgba_unmultiplied(0x2e, 0xa0, 0x43, 0x50);
        let missed = Color32::from_rgba_unmultiplied(0xd0, 0x30, 0x30, 0x60);
        let mut mesh = egui::Mesh::default();
        let mut drawn = 0;
        let cells = self
            .report
            .points
            .iter()
            .zip(&self.force.points)
            .filter(|(p, _)| matches!(p.kind, crate::coverage::DemandKind::Grid { .. }));
        for (p, cov) in cells {
            let (c, ok) = (p.lonlat, cov.covered);
            let dlon = self.dlat / c[1].to_radians().cos().max(0.01);
            let a = x.lonlat_to_screen([c[0] - dlon / 2.0, c[1] + self.dlat / 2.0]);
            let b = x.lonlat_to_screen([c[0] + dlon / 2.0, c[1] - self.dlat / 2.0]);
            let r = Rect::from_two_pos(a, b);
            if !clip.intersects(r) {
                continue;
            }
            mesh.add_colored_rect(r, if ok { covered } else { missed });
            drawn += 1;
        }
        self.drawn.set(drawn);
        ui.painter().add(egui::Shape::mesh(mesh));
    }
}

struct IncidentMark {
    lonlat: [f64; 2],
    color: Color32,
    glyph: char,
    label: String,
    dim: bool,
}

struct UnitMark {
    lonlat: [f64; 2],
    color: Color32,
    label: String,
    estimated: bool,
}

/// Large markers for a wall: units under incidents, every marker with its text.
struct WallMarks {
    incidents: Vec<IncidentMark>,
    units: Vec<UnitMark>,
    sizes: Sizes,
}

fn text_box(painter: &egui::Painter, at: Pos2, text: &str, size: f32, color: Color32) {
    let galley = painter.layout_no_wrap(text.to_string(), FontId::proportional(size), color);
    let rect = Rect::from_min_size(at, galley.size()).expand(size * 0.15);
    painter.rect_filled(rect, 4.0, Color32::from_rgba_premultiplied(0x10, 0x14, 0x1a, 0xd8));
    painter.galley(at, galley, color);
}

impl Plugin for WallMarks {
    fn run(self: Box<Self>, ui: &mut Ui, _response: &Response, projector: &Projector, _memory: &MapMemory) {
        let x = ViewXform::from_projector(projector);
        let painter = ui.painter();
        let s = self.sizes;
        for u in &self.units {
            let p = x.lonlat_to_screen(u.lonlat);
            let half = s.px(9.0);
            painter.rect_filled(Rect::from_center_size(p, vec2(half * 2.0, half * 2.0)), 2.0, u.color);
            painter.rect_stroke(
                Rect::from_center_size(p, vec2(half * 2.0, half * 2.0)),
                2.0,
                Stroke::new(if u.estimated { s.px(3.0) } else { 1.5 }, Color32::WHITE),
                egui::StrokeKind::Outside,
            );
            text_box(
                painter,
                p + vec2(half + 4.0, -s.body() * 0.5),
                &u.label,
                s.body() * 0.8,
                TEXT,
            );
        }
        for i in &self.incidents {
            let p = x.lonlat_to_screen(i.lonlat);
            let r = s.px(22.0);
            let fill = if i.dim { i.color.gamma_multiply(0.45) } else { i.color };
            painter.circle(p, r, fill, Stroke::new(s.px(3.0), Color32::BLACK));
            painter.text(
                p,
                Align2::CENTER_CENTER,
                i.glyph,
                FontId::proportional(s.body()),
                Color32::BLACK,
            );
            text_box(
                painter,
                p + vec2(r + 6.0, -s.body() * 0.6),
                &i.label,
                s.body(),
                if i.dim { super::DIM } else { TEXT },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_lock_rules() {
        let set = |v: &[u32]| v.iter().copied().collect::<BTreeSet<u32>>();
        let mut v = ViewLock::default();
        assert!(v.should_fit(&set(&[])), "first frame");
        v.fitted_to(set(&[1, 2]));
        assert!(!v.should_fit(&set(&[1, 2])));
        assert!(v.should_fit(&set(&[1])), "unlocked: a closed incident refits");
        v.locked = true;
        assert!(
            !v.should_fit(&set(&[1])),
            "locked: a closed incident does not move the view"
        );
        assert!(!v.should_fit(&set(&[1, 2])), "locked: nothing changed");
        assert!(v.should_fit(&set(&[1, 2, 3])), "locked: a new incident always refits");
        v.refit = true;
        assert!(v.should_fit(&set(&[1])), "the button refits");
        v.fitted_to(set(&[1]));
        assert!(!v.locked && !v.refit);
    }
}
