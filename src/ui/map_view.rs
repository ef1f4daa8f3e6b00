//! The map widget of the console: walkers `Map` with the raster layer, one plugin per pack layer,
//! the operational overlay and labels; hover, click and the right-click menu.

use std::cell::RefCell;

use egui::{RichText, Stroke, Ui};
use walkers::{Map, lon_lat};

use super::i18n::{Msg, tr};
use super::notices::{Severity, Source};
use super::{OneMapApp, theme};
use crate::backend::routing::RouteJob;
use crate::geom::mercator_norm;
use crate::map::basemap::{LabelQueue, LabelsPlugin, LayerPlugin};
use crate::map::ops::{OpsHit, OpsPlugin};
use crate::map::overlay::OverlayPlugin;
use crate::map::{ViewXform, fit_zoom, mercator_center};

impl OneMapApp {
    pub(super) fn map_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.step_flight(&ctx);
        let labels = RefCell::new(LabelQueue::default());
        let ops_hits = RefCell::new(Vec::new());
        let show_ops = self.has_store();
        let ops_visible = self.ops_visibility();
        let markers = RefCell::new(Vec::new());
        let estimated = if show_ops && ops_visible.units {
            self.estimated_positions()
        } else {
            Default::default()
        };
        if !self.tracks.routes.is_empty() {
            // Dead-reckoned markers creep along their routes: a calm 1 Hz is enough.
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        let tracks: Vec<_> = self
            .tracks
            .routes
            .values()
            .filter(|_| show_ops && ops_visible.units)
            .filter_map(|t| {
                let u = self.situation.units.get(&t.unit)?;
                Some((t, crate::style::status_color(u.status)))
            })
            .collect();
        let home = mercator_center(self.world.pack.bbox());
        let raster_on = self.raster.tiles.is_some();
        let opacity = self.settings.raster.opacity;
        let visible: Vec<bool> = self
            .world
            .basemap
            .layers
            .iter()
            .map(|l| self.layer_visible(&l.name))
            .collect();
        let coverage_on = self.coverage_layer_on() && show_ops;
        let alerts_on = show_ops && self.settings.layers.get("ops/alerts").copied().unwrap_or(true);
        let felt_word = tr(self.settings.lang, Msg::FeltRadius);
        let mut map = Map::new(None, &mut self.map.memory, lon_lat(home[0], home[1]))
            .zoom_with_ctrl(false)
            .double_click_to_zoom(true);
        if let Some(r) = self.raster.tiles.as_mut() {
            map = map.with_layer(r, opacity);
        }
        for (i, layer) in self.world.basemap.layers.iter().enumerate() {
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
            map = map.with_plugin(self.coverage.plugin()); // under the operational markers
        }
        if alerts_on {
            // Warning areas and felt radii, under the operational markers too.
            map = map.with_plugin(crate::map::alerts::AlertsPlugin {
                overlay: &self.alerts.overlay,
                estimate_word: felt_word,
            });
        }
        if show_ops {
            map = map.with_plugin(OpsPlugin {
                situation: &self.situation,
                visible: ops_visible,
                hits: &ops_hits,
                selected: self.selected_ops,
                estimated: &estimated,
            });
        }
        map = map.with_plugin(OverlayPlugin {
            route: self.routing.route.as_ref(),
            iso: self.routing.iso.as_ref(),
            pending_from: self.routing.from,
            suggestion: self.dispatch.recommendation.as_ref(),
            tracks,
        });
        map = map.with_plugin(LabelsPlugin { labels: &labels });
        let highlight = self.map.highlight;
        let inner = map.show(ui, |ui, _resp, projector, _memory| {
            let x = ViewXform::from_projector(projector);
            if let Some(h) = highlight {
                let p = x.lonlat_to_screen(h);
                let t = ui.input(|i| i.time) as f32;
                let r = 14.0 + 4.0 * (t * 3.0).sin();
                ui.painter().circle_stroke(p, r, Stroke::new(3.0, theme::HIGHLIGHT));
            }
            x
        });
        let x = inner.inner;
        let response = inner.response;
        if highlight.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_millis(50));
        }
        self.map.center_norm = x.center_norm;
        self.map.map_size = x.rect.size();
        self.map.view = Some(x);
        self.map.markers = markers.into_inner();
        self.map.ops_hits = ops_hits.into_inner();
        self.map.cursor_lonlat = response.hover_pos().map(|p| x.screen_to_lonlat(p));
        if self.map.fit_pending && x.rect.width() > 100.0 {
            self.map.fit_pending = false;
            let b = self.world.pack.bbox();
            let c = mercator_center(b);
            let z = fit_zoom(b, self.map.map_size, 24.0);
            self.map.memory.center_at(lon_lat(c[0], c[1]));
            let _ = self.map.memory.set_zoom(z);
            self.map.center_norm = mercator_norm(c[0], c[1]);
            ctx.request_repaint();
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            // Operational markers first (they sit above the basemap), then place markers.
            let near = |p: egui::Pos2| (p - pos).length();
            let hit = self
                .map
                .ops_hits
                .iter()
                .map(|h| match h {
                    OpsHit::One(_, p) | OpsHit::Cluster(p, _) => (near(*p), h.clone()),
                })
                .filter(|(d, _)| *d < 14.0)
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, h)| h);
            match hit {
                Some(OpsHit::One(what, _)) => {
                    self.selected_ops = Some(what);
                    return;
                }
                Some(OpsHit::Cluster(_, bb)) => {
                    // Zoom into the cluster (at least two levels).
                    let b = crate::geom::BBox(bb);
                    let c = mercator_center(b);
                    let z = fit_zoom(b, self.map.map_size, 80.0).max(self.map.memory.zoom() + 2.0);
                    self.fly_to_norm(&ctx, mercator_norm(c[0], c[1]), z);
                    return;
                }
                None => {}
            }
            self.map.selected_feature = self
                .map
                .markers
                .iter()
                .filter(|m| (m.pos - pos).length() < 14.0)
                .min_by(|a, b| (a.pos - pos).length().total_cmp(&(b.pos - pos).length()))
                .map(|m| (m.layer, m.feature));
        }
        let lang = self.settings.lang;
        let mut action = None;
        // Remember where the menu was opened: the pointer moves on to the menu itself.
        if response.secondary_clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            self.map.context_lonlat = Some(x.screen_to_lonlat(p));
        }
        let context_lonlat = self.map.context_lonlat;
        response.context_menu(|ui| {
            if let Some(ll) = context_lonlat {
                if show_ops
                    && ui
                        .button(RichText::new(tr(lang, Msg::NewIncidentHere)).strong())
                        .clicked()
                {
                    action = Some((4, ll));
                    ui.close();
                }
                for (msg, kind) in [(Msg::RouteFromHere, 0), (Msg::RouteToHere, 1), (Msg::IsochroneHere, 2)] {
                    if ui.button(tr(lang, msg)).clicked() {
                        action = Some((kind, ll));
                        ui.close();
                    }
                }
                if ui.button(tr(lang, Msg::ClearRoute)).clicked() {
                    action = Some((3, ll));
                    ui.close();
                }
                if show_ops && ui.button(tr(lang, Msg::SupplyHere)).clicked() {
                    action = Some((5, ll));
                    ui.close();
                }
                ui.separator();
                let text = format!("{:.6},{:.6}", ll[0], ll[1]);
                if ui.button(format!("{} {text}", tr(lang, Msg::CopyCoords))).clicked() {
                    ui.ctx().copy_text(text);
                    self.notices
                        .push_for(Severity::Info, Source::Toast, tr(lang, Msg::Copied), 3.0);
                    ui.close();
                }
            }
        });
        match action {
            Some((0, ll)) => self.route_from_here(ll),
            Some((1, ll)) => self.route_to_here(ll),
            Some((2, ll)) => self.request(RouteJob::Isochrone { at: ll }),
            Some((4, ll)) => self.open_incident_form(Some(ll)),
            Some((5, _)) => {
                self.boards.board = super::Board::Coverage;
                self.request_supplies();
            }
            Some(_) => self.clear_routing(),
            None => {}
        }
    }
}
