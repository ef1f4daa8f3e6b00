//! The map widget of the console: walkers `Map` with the raster layer, one plugin per pack layer,
//! the operational overlay and labels; hover, click and the right-click menu. A free function
//! over the camera (`MapView`) and what it draws; what a click asks for comes back as an
//! [`Action`]. Imports no worker.

use std::cell::RefCell;
use std::collections::HashMap;

use egui::{RichText, Stroke, Ui};
use walkers::{Map, lon_lat};

use super::action::Action;
use super::coverage::CoverageState;
use super::i18n::{Msg, tr};
use super::notices::{Notices, Severity, Source};
use super::parts::{Flight, MapView, RasterState, RoutingState, TrackState, World};
use super::settings::Settings;
use super::theme;
use crate::dispatch::Recommendation;
use crate::geom::{mercator_norm, mercator_norm_inverse};
use crate::map::basemap::{LabelQueue, LabelsPlugin, LayerPlugin};
use crate::map::ops::{OpsHit, OpsPlugin, OpsRef, OpsVisibility};
use crate::map::overlay::OverlayPlugin;
use crate::map::{MAX_ZOOM, MIN_ZOOM, ViewXform, fit_zoom, mercator_center};
use crate::model::ids::UnitId;
use crate::model::situation::Situation;

/// Seconds a fly-to animation takes.
const FLIGHT_S: f64 = 0.6;

/// What the map draws and never changes.
pub(super) struct MapCtx<'a> {
    /// The pack, basemap and its layers.
    pub world: &'a World,
    /// Layer visibility, raster opacity, language.
    pub settings: &'a Settings,
    /// The situation's operational markers.
    pub situation: &'a Situation,
    /// The selected entity (highlighted).
    pub selected: Option<OpsRef>,
    /// Route, isochrone and the picked start.
    pub routing: &'a RoutingState,
    /// The dispatch suggestion drawn.
    pub recommendation: Option<&'a Recommendation>,
    /// Routes of moving units.
    pub tracks: &'a TrackState,
    /// The coverage layer.
    pub coverage: &'a CoverageState,
    /// Warning areas and earthquakes.
    pub alerts: &'a crate::map::alerts::AlertsOverlay,
    /// Drawing a warning area: the vertices so far (`[lon, lat]`); clicks add vertices.
    pub sketch: Option<&'a [[f64; 2]]>,
    /// The drawn warning area while the compose dialog is open (closed ring).
    pub drawn: Option<&'a [[f64; 2]]>,
    /// Estimated positions of moving units.
    pub estimated: &'a HashMap<UnitId, [f64; 2]>,
    /// A store is open: operational markers and their menu entries show.
    pub show_ops: bool,
}

/// Which operational layers the settings show.
pub(super) fn ops_visibility(settings: &Settings) -> OpsVisibility {
    let on = |k: &str| settings.layers.get(&format!("ops/{k}")).copied().unwrap_or(true);
    OpsVisibility {
        stations: on("stations"),
        units: on("units"),
        warehouses: on("warehouses"),
        shelters: on("shelters"),
    }
}

impl MapView {
    /// Start a fly-to from where the camera is.
    pub fn fly_to_norm(&mut self, ctx: &egui::Context, to_norm: [f64; 2], to_zoom: f64) {
        self.flight = Some(Flight {
            from_norm: self.center_norm,
            from_zoom: self.memory.zoom(),
            to_norm,
            to_zoom: to_zoom.clamp(MIN_ZOOM, MAX_ZOOM),
            start_s: ctx.input(|i| i.time),
        });
        ctx.request_repaint();
    }

    /// Move the camera one frame along the running fly-to.
    pub fn step_flight(&mut self, ctx: &egui::Context) {
        let Some(f) = self.flight else { return };
        let now = ctx.input(|i| i.time);
        let t = ((now - f.start_s) / FLIGHT_S).clamp(0.0, 1.0);
        let e = t * t * (3.0 - 2.0 * t);
        let n = [
            f.from_norm[0] + (f.to_norm[0] - f.from_norm[0]) * e,
            f.from_norm[1] + (f.to_norm[1] - f.from_norm[1]) * e,
        ];
        let z = f.from_zoom + (f.to_zoom - f.from_zoom) * e;
        let c = mercator_norm_inverse(n[0], n[1]);
        self.memory.center_at(lon_lat(c[0], c[1]));
        let _ = self.memory.set_zoom(z);
        self.center_norm = n;
        if t >= 1.0 {
            self.flight = None;
        } else {
            ctx.request_repaint();
        }
    }
}

/// The map with its layers and overlays; clicks select or pick a place, the right-click menu
/// asks for routes, isochrones, a new incident or supplies there. Changes only the camera, the
/// raster layer's cache and the copy toast; returns the rest.
pub(super) fn map_ui(
    ui: &mut Ui,
    map_view: &mut MapView,
    raster: &mut RasterState,
    notices: &mut Notices,
    cx: MapCtx,
) -> Option<Action> {
    let MapCtx {
        world,
        settings,
        situation,
        selected,
        routing,
        recommendation,
        tracks: track_state,
        coverage,
        alerts,
        sketch,
        drawn,
        estimated,
        show_ops,
    } = cx;
    let ctx = ui.ctx().clone();
    map_view.step_flight(&ctx);
    let labels = RefCell::new(LabelQueue::default());
    let ops_hits = RefCell::new(Vec::new());
    let ops_visible = ops_visibility(settings);
    let markers = RefCell::new(Vec::new());
    if !track_state.routes.is_empty() {
        // Dead-reckoned markers creep along their routes: a calm 1 Hz is enough.
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
    }
    let tracks: Vec<_> = track_state
        .routes
        .values()
        .filter(|_| show_ops && ops_visible.units)
        .filter_map(|t| {
            let u = situation.units.get(&t.unit)?;
            Some((t, crate::style::status_color(u.status)))
        })
        .collect();
    let home = mercator_center(world.pack.bbox());
    let raster_on = raster.tiles.is_some();
    let opacity = settings.raster.opacity;
    let visible: Vec<bool> = world
        .basemap
        .layers
        .iter()
        .map(|l| settings.layer_visible(&world.pack, &l.name))
        .collect();
    let coverage_on = super::coverage::layer_on(settings) && show_ops;
    let alerts_on = show_ops && settings.layers.get("ops/alerts").copied().unwrap_or(true);
    let mut map = Map::new(None, &mut map_view.memory, lon_lat(home[0], home[1]))
        .zoom_with_ctrl(false)
        .double_click_to_zoom(sketch.is_none());
    if let Some(r) = raster.tiles.as_mut() {
        map = map.with_layer(r, opacity);
    }
    for (i, layer) in world.basemap.layers.iter().enumerate() {
        if visible[i] {
            map = map.with_plugin(LayerPlugin {
                index: i,
                layer,
                labels: &labels,
                markers: &markers,
                raster_under: raster_on,
            });
        }
    }
    if coverage_on {
        map = map.with_plugin(coverage.plugin()); // under the operational markers
    }
    if alerts_on {
        // Warning areas and felt radii, under the operational markers too.
        map = map.with_plugin(crate::map::alerts::AlertsPlugin {
            overlay: alerts,
            estimate_word: super::i18n::tr(settings.lang, super::i18n::Msg::FeltRadius),
        });
    }
    if show_ops {
        map = map.with_plugin(OpsPlugin {
            situation,
            visible: ops_visible,
            hits: &ops_hits,
            selected,
            estimated,
        });
    }
    map = map.with_plugin(OverlayPlugin {
        route: routing.route.as_ref(),
        iso: routing.iso.as_ref(),
        pending_from: routing.from,
        suggestion: recommendation,
        tracks,
    });
    map = map.with_plugin(LabelsPlugin { labels: &labels });
    let highlight = map_view.highlight;
    let inner = map.show(ui, |ui, _resp, projector, _memory| {
        let x = ViewXform::from_projector(projector);
        if let Some(h) = highlight {
            let p = x.lonlat_to_screen(h);
            let t = ui.input(|i| i.time) as f32;
            let r = 14.0 + 4.0 * (t * 3.0).sin();
            ui.painter().circle_stroke(p, r, Stroke::new(3.0, theme::HIGHLIGHT));
        }
        if let Some(v) = sketch {
            crate::map::alerts::paint_sketch(ui.painter(), &x, v, false);
        } else if let Some(ring) = drawn {
            crate::map::alerts::paint_sketch(ui.painter(), &x, ring, true);
        }
        x
    });
    let x = inner.inner;
    let response = inner.response;
    if highlight.is_some() {
        ctx.request_repaint_after(std::time::Duration::from_millis(50));
    }
    map_view.center_norm = x.center_norm;
    map_view.map_size = x.rect.size();
    map_view.view = Some(x);
    map_view.markers = markers.into_inner();
    map_view.ops_hits = ops_hits.into_inner();
    map_view.cursor_lonlat = response.hover_pos().map(|p| x.screen_to_lonlat(p));
    if map_view.fit_pending && x.rect.width() > 100.0 {
        map_view.fit_pending = false;
        let b = world.pack.bbox();
        let c = mercator_center(b);
        let z = fit_zoom(b, map_view.map_size, 24.0);
        map_view.memory.center_at(lon_lat(c[0], c[1]));
        let _ = map_view.memory.set_zoom(z);
        map_view.center_norm = mercator_norm(c[0], c[1]);
        ctx.request_repaint();
    }
    if sketch.is_some() {
        // Drawing a warning area: a click is a vertex, a double-click closes the ring.
        use super::action::DrawStep;
        if response.double_clicked() || response.triple_clicked() {
            return Some(Action::DrawArea(DrawStep::Close));
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            return Some(Action::DrawArea(DrawStep::Add(x.screen_to_lonlat(pos))));
        }
        return None;
    }
    if response.clicked()
        && let Some(pos) = response.interact_pointer_pos()
    {
        // Operational markers first (they sit above the basemap), then place markers.
        let near = |p: egui::Pos2| (p - pos).length();
        let hit = map_view
            .ops_hits
            .iter()
            .map(|h| match h {
                OpsHit::One(_, p) | OpsHit::Cluster(p, _) => (near(*p), h.clone()),
            })
            .filter(|(d, _)| *d < 14.0)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, h)| h);
        match hit {
            Some(OpsHit::One(what, _)) => return Some(Action::Pick(what)),
            Some(OpsHit::Cluster(_, bb)) => {
                // Zoom into the cluster (at least two levels).
                let b = crate::geom::BBox(bb);
                let c = mercator_center(b);
                let z = fit_zoom(b, map_view.map_size, 80.0).max(map_view.memory.zoom() + 2.0);
                map_view.fly_to_norm(&ctx, mercator_norm(c[0], c[1]), z);
                return None;
            }
            None => {}
        }
        map_view.selected_feature = map_view
            .markers
            .iter()
            .filter(|m| (m.pos - pos).length() < 14.0)
            .min_by(|a, b| (a.pos - pos).length().total_cmp(&(b.pos - pos).length()))
            .map(|m| (m.layer, m.feature));
        // Then warnings and earthquakes (only where no marker is): as a click on the board's row.
        if map_view.selected_feature.is_none()
            && alerts_on
            && let Some(hit) = alerts.hit(&x, pos)
        {
            return Some(Action::ShowAlert(match hit {
                crate::map::alerts::AlertHit::Alert(k) => super::action::AlertRef::Alert(k),
                crate::map::alerts::AlertHit::Quake(id) => super::action::AlertRef::Quake(id),
            }));
        }
    }
    let lang = settings.lang;
    let mut action = None;
    // Remember where the menu was opened: the pointer moves on to the menu itself.
    if response.secondary_clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        map_view.context_lonlat = Some(x.screen_to_lonlat(p));
    }
    let context_lonlat = map_view.context_lonlat;
    response.context_menu(|ui| {
        if let Some(ll) = context_lonlat {
            if show_ops
                && ui
                    .button(RichText::new(tr(lang, Msg::NewIncidentHere)).strong())
                    .clicked()
            {
                action = Some(Action::NewIncidentAt(ll));
                ui.close();
            }
            for (msg, what) in [
                (Msg::RouteFromHere, Action::RouteFrom(ll)),
                (Msg::RouteToHere, Action::RouteTo(ll)),
                (Msg::IsochroneHere, Action::Isochrone(ll)),
                (Msg::ClearRoute, Action::ClearRouting),
            ] {
                if ui.button(tr(lang, msg)).clicked() {
                    action = Some(what);
                    ui.close();
                }
            }
            if show_ops && ui.button(tr(lang, Msg::SupplyHere)).clicked() {
                action = Some(Action::SuppliesHere);
                ui.close();
            }
            ui.separator();
            let text = format!("{:.6},{:.6}", ll[0], ll[1]);
            if ui.button(format!("{} {text}", tr(lang, Msg::CopyCoords))).clicked() {
                ui.ctx().copy_text(text);
                notices.push_for(Severity::Info, Source::Toast, tr(lang, Msg::Copied), 3.0);
                ui.close();
            }
        }
    });
    action
}
