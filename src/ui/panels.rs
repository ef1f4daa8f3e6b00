//! The console's panels: top bar, search, layers, legend, basemap source, route, status bar and
//! the detail window. Each is a `*_ui` method on [`OneMapApp`]; none does I/O or graph work.

use egui::{Align, Key, Layout, RichText, Stroke, Ui, vec2};

use super::i18n::{Lang, Msg, tr};
use super::settings::RasterKind;
use super::{OneMapApp, apply_style, theme};
use crate::backend::jobs::Lane;
use crate::backend::routing::ISO_MINUTES;
use crate::geom::{format_lonlat, mercator_norm_inverse};
use crate::map::basemap::{LegendItem, PointStyle, bilingual, paint_marker};
use crate::mappack::LayerKind;
use crate::search::PlaceKind;

impl OneMapApp {
    pub(super) fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let lang = self.settings.lang;
            ui.heading(RichText::new(self.t(Msg::AppTitle)).strong());
            ui.label(RichText::new(lang.pick(&self.pack.manifest.title.zh, &self.pack.manifest.title.en)).size(16.0));
            if self.has_demo_records() {
                ui.label(
                    RichText::new(format!(" {} ", self.t(Msg::DemoBadge)))
                        .strong()
                        .color(egui::Color32::BLACK)
                        .background_color(theme::WARN_TEXT),
                )
                .on_hover_text(self.t(Msg::DemoBadgeTip));
            }
            ui.separator();
            if ui
                .button(self.t(Msg::FitPrefecture))
                .on_hover_text(self.t(Msg::FitPrefectureTip))
                .clicked()
            {
                let b = self.pack.bbox();
                self.fly_to_bbox(ui.ctx(), b);
            }
            for (i, c) in self.counties.clone().iter().enumerate() {
                let tip = format!("{} ({})", self.t(Msg::FitCountyTip), i + 1);
                if ui
                    .button(lang.pick(&c.name_zh, &c.name_en))
                    .on_hover_text(tip)
                    .clicked()
                {
                    self.fly_to_bbox(ui.ctx(), c.bbox);
                }
            }
            if self.mode.replay().is_none()
                && self.mode.drill().is_none()
                && let Some(path) = self.store_path.clone().filter(|p| p.is_file())
                && ui
                    .button(self.t(Msg::Replay))
                    .on_hover_text(self.t(Msg::ReplayOpenTip))
                    .clicked()
            {
                let ctx = ui.ctx().clone();
                self.start_replay(&ctx, path, None);
            }
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button(self.t(Msg::LanguageSwitch))
                    .on_hover_text(self.t(Msg::LanguageTip))
                    .clicked()
                {
                    self.toggle_lang();
                }
                // Which build this is (version, commit, build date) and which pack it shows: the
                // first thing support asks a centre.
                ui.menu_button(self.t(Msg::About), |ui| {
                    ui.label(RichText::new(self.t(Msg::AppTitle)).strong());
                    ui.label(format!(
                        "{} {}",
                        tr(lang, Msg::AboutVersion),
                        crate::build_info::LONG_VERSION
                    ));
                    ui.label(format!(
                        "{} {} ({})",
                        tr(lang, Msg::AboutPack),
                        lang.pick(&self.pack.manifest.title.zh, &self.pack.manifest.title.en),
                        self.pack.dir.display()
                    ));
                    ui.label(tr(lang, Msg::AboutData));
                });
                let who = format!(
                    "{} {} · {} {}",
                    self.t(Msg::Operator),
                    self.operator(),
                    self.t(Msg::Seat),
                    self.seat()
                );
                ui.menu_button(who, |ui| {
                    egui::Grid::new("operator_seat").num_columns(2).show(ui, |ui| {
                        ui.label(tr(lang, Msg::Operator));
                        ui.add(egui::TextEdit::singleline(&mut self.settings.operator).desired_width(140.0));
                        ui.end_row();
                        ui.label(tr(lang, Msg::Seat));
                        ui.add(egui::TextEdit::singleline(&mut self.settings.seat).desired_width(140.0));
                        ui.end_row();
                    });
                });
                let mut scale = self.settings.ui_scale;
                let r = ui
                    .add(
                        egui::Slider::new(&mut scale, 0.8..=2.5)
                            .step_by(0.1)
                            .text(self.t(Msg::UiScale)),
                    )
                    .on_hover_text(self.t(Msg::UiScaleTip));
                if r.drag_stopped() || (r.changed() && !r.dragged()) {
                    self.settings.ui_scale = scale;
                    apply_style(ui.ctx(), scale);
                } else if r.dragged() {
                    self.settings.ui_scale = scale;
                }
            });
        });
    }

    pub(super) fn search_ui(&mut self, ui: &mut Ui) {
        ui.label(RichText::new(self.t(Msg::Search)).strong());
        let hint = self.t(Msg::SearchHint);
        let edit = egui::TextEdit::singleline(&mut self.search_query)
            .hint_text(hint)
            .desired_width(f32::INFINITY);
        let resp = ui.add(edit);
        if self.focus_search {
            resp.request_focus();
            self.focus_search = false;
        }
        self.run_search();
        let (enter, up, down, esc) = ui.input(|i| {
            (
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::ArrowUp),
                i.key_pressed(Key::ArrowDown),
                i.key_pressed(Key::Escape),
            )
        });
        if resp.has_focus() || resp.lost_focus() {
            if down && !self.results.is_empty() {
                self.selected_result = (self.selected_result + 1).min(self.results.len() - 1);
            }
            if up {
                self.selected_result = self.selected_result.saturating_sub(1);
            }
            if esc {
                self.search_query.clear();
            }
            if enter && resp.lost_focus() {
                if let Some(r) = self.results.get(self.selected_result).cloned() {
                    self.fly_to_target(ui.ctx(), r.target);
                }
                resp.request_focus();
            }
        }
        if !self.search_query.trim().is_empty() && self.results.is_empty() {
            ui.label(RichText::new(self.t(Msg::NoResults)).italics().weak());
        }
        let lang = self.settings.lang;
        let mut go = None;
        for (i, r) in self.results.iter().enumerate() {
            let kind = tr(lang, kind_msg(r.kind));
            let name = bilingual(&r.name_zh, &r.name_en, lang);
            let text = format!("{name} · {kind}");
            let resp = ui.selectable_label(i == self.selected_result, text);
            let resp = if r.approximate {
                resp.on_hover_text(tr(lang, Msg::ApproximateHint))
            } else {
                resp
            };
            if resp.clicked() {
                go = Some(i);
            }
        }
        if let Some(i) = go {
            self.selected_result = i;
            let t = self.results[i].target;
            self.fly_to_target(ui.ctx(), t);
        }
    }

    pub(super) fn layers_ui(&mut self, ui: &mut Ui) {
        ui.label(RichText::new(self.t(Msg::Layers)).strong());
        let lang = self.settings.lang;
        let layers: Vec<(String, String, Option<String>, LayerKind)> = self
            .pack
            .layers
            .iter()
            .map(|l| {
                let t = l.title();
                (
                    l.spec.name.clone(),
                    lang.pick(&t.zh, &t.en).to_string(),
                    l.spec.licence.clone(),
                    l.kind,
                )
            })
            .collect();
        for (name, title, licence, kind) in layers {
            if matches!(kind, LayerKind::Gazetteer | LayerKind::Corridors) {
                continue;
            }
            let mut on = self.layer_visible(&name);
            let mut resp = ui.checkbox(&mut on, title);
            if let Some(l) = licence {
                resp = resp.on_hover_text(l);
            }
            if resp.changed() {
                self.set_layer_visible(&name, on);
            }
        }
        if self.has_store() {
            ui.label(RichText::new(self.t(Msg::OpsLayers)).strong());
            for (key, msg) in [
                ("stations", Msg::Stations),
                ("units", Msg::Units),
                ("warehouses", Msg::Warehouses),
                ("shelters", Msg::Shelters),
            ] {
                let k = format!("ops/{key}");
                let mut on = self.settings.layers.get(&k).copied().unwrap_or(true);
                if ui.checkbox(&mut on, self.t(msg)).changed() {
                    self.settings.layers.insert(k, on);
                }
            }
        }
    }

    pub(super) fn raster_ui(&mut self, ui: &mut Ui) {
        ui.label(RichText::new(self.t(Msg::Basemap)).strong());
        // Off, URL template, or PMTiles file: one radio group over (enabled, kind).
        let current = self.settings.raster.enabled.then_some(self.settings.raster.kind);
        let mut choice = current;
        ui.radio_value(&mut choice, None, self.t(Msg::RasterOff));
        ui.radio_value(&mut choice, Some(RasterKind::Url), self.t(Msg::RasterUrl))
            .on_hover_text(self.t(Msg::RasterUrlTip));
        ui.radio_value(&mut choice, Some(RasterKind::Pmtiles), self.t(Msg::RasterPmtiles))
            .on_hover_text(self.t(Msg::RasterPmtilesTip));
        let mut apply = false;
        match choice {
            Some(RasterKind::Url) => {
                ui.add(egui::TextEdit::singleline(&mut self.raster_url_edit).desired_width(f32::INFINITY))
                    .on_hover_text(self.t(Msg::RasterUrlTip));
                ui.label(self.t(Msg::RasterAttributionLabel));
                ui.add(egui::TextEdit::singleline(&mut self.settings.raster.attribution).desired_width(f32::INFINITY));
                let dirty = self.raster_url_edit.trim() != self.settings.raster.url_template;
                apply |= ui
                    .add_enabled(dirty, egui::Button::new(self.t(Msg::RasterApply)))
                    .clicked();
            }
            Some(RasterKind::Pmtiles) => {
                let hint = self.t(Msg::RasterPmtilesHint);
                let r = ui.add(
                    egui::TextEdit::singleline(&mut self.settings.raster.pmtiles_path)
                        .hint_text(hint)
                        .desired_width(f32::INFINITY),
                );
                apply |= ui.button(self.t(Msg::RasterApply)).clicked()
                    || (r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)));
            }
            None => {}
        }
        if choice.is_some() {
            let label = self.t(Msg::RasterOpacity);
            ui.add(egui::Slider::new(&mut self.settings.raster.opacity, 0.1..=1.0).text(label));
        }
        if choice != current || apply {
            match choice {
                None => {
                    self.settings.raster.enabled = false;
                    self.raster = None;
                    self.raster_error = None;
                }
                Some(kind) => {
                    self.settings.raster.enabled = true;
                    self.settings.raster.kind = kind;
                    self.settings.raster.url_template = self.raster_url_edit.trim().to_string();
                    // An empty PMTiles path waits for the user instead of failing at once.
                    if kind == RasterKind::Url || !self.settings.raster.pmtiles_path.trim().is_empty() {
                        self.start_raster(ui.ctx());
                    } else {
                        self.raster = None;
                    }
                }
            }
        }
        if let Some(e) = &self.raster_error {
            ui.colored_label(theme::WARN_TEXT, e);
        }
    }

    pub(super) fn legend_ui(&self, ui: &mut Ui) {
        ui.label(RichText::new(self.t(Msg::Legend)).strong());
        let row = |ui: &mut Ui, draw: &dyn Fn(&egui::Painter, egui::Rect), text: &str| {
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(vec2(28.0, 16.0), egui::Sense::hover());
                draw(ui.painter(), rect);
                ui.label(text);
            });
        };
        // Only what this pack actually draws.
        for item in &self.basemap.legend {
            let (draw, msg): (Box<Swatch>, Msg) = match item {
                LegendItem::Border => (Box::new(|p, r| dashed(p, r, theme::BORDER_LINE)), Msg::LegendBorder),
                LegendItem::County => (Box::new(|p, r| solid(p, r, theme::COUNTY_LINE)), Msg::LegendCounty),
                LegendItem::River => (
                    Box::new(|p, r| solid(p, r, Stroke::new(2.2, theme::RIVER))),
                    Msg::LegendRiver,
                ),
                LegendItem::Roads => (
                    Box::new(|p, r| solid(p, r, Stroke::new(2.4, theme::ROAD_PRIMARY))),
                    Msg::LegendRoads,
                ),
                LegendItem::SchematicRoads => (
                    Box::new(|p, r| dashed(p, r, Stroke::new(2.6, theme::ROAD_SCHEMATIC))),
                    Msg::LegendSchematic,
                ),
                LegendItem::Railway => (
                    Box::new(|p, r| dashed(p, r, Stroke::new(2.0, theme::RAILWAY))),
                    Msg::LegendRailway,
                ),
                LegendItem::Marker(style) => {
                    let style = *style;
                    let msg = match style {
                        PointStyle::Seat => Msg::LegendSeat,
                        PointStyle::Port => Msg::ResultPort,
                        PointStyle::Unverified => Msg::LegendUnverified,
                        PointStyle::Other => Msg::ResultPlace,
                    };
                    (Box::new(move |p, r| paint_marker(p, r.center(), style)), msg)
                }
            };
            row(ui, &*draw, self.t(msg));
        }
        if self.basemap.has_terrain && self.layer_visible("terrain") {
            ui.horizontal(|ui| {
                ui.label(format!("{}:", self.t(Msg::Elevation)));
                for e in [500.0, 1000.0, 1500.0, 2000.0] {
                    let (rect, _) = ui.allocate_exact_size(vec2(18.0, 12.0), egui::Sense::hover());
                    ui.painter()
                        .rect_filled(rect, 2.0, theme::elevation_tint(e).to_opaque());
                    ui.label(RichText::new(format!("{e:.0}")).small());
                }
                ui.label(self.t(Msg::Metres));
            });
        }
    }

    pub(super) fn status_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let lang = self.settings.lang;
            ui.label(format!("{}:", self.t(Msg::Cursor)));
            let mono = |s: String| RichText::new(s).monospace();
            match self.cursor_lonlat {
                Some(ll) => {
                    let (dec, dms) = format_lonlat(ll);
                    ui.label(mono(dec));
                    ui.label(mono(dms).weak());
                    if let Some(e) = self.elevation_at(ll) {
                        ui.label(format!("{} ≈{e:.0} {}", self.t(Msg::Elevation), self.t(Msg::Metres)))
                            .on_hover_text("2′ grid, coarse estimate / 2′格网，粗略估计");
                    }
                }
                None => {
                    ui.label(mono("—".into()));
                }
            }
            ui.separator();
            ui.label(format!("{} {:.1}", self.t(Msg::Zoom), self.memory.zoom()));
            ui.separator();
            self.scale_bar_ui(ui);
            ui.separator();
            if let Some(r) = &self.raster {
                let s = r.status();
                if let Some(err) = &s.last_error {
                    ui.colored_label(theme::WARN_TEXT, format!("{}: {err}", self.t(Msg::TilesFailed)))
                        .on_hover_text(format!("{} ok / {} failed", s.loaded, s.failed));
                } else if s.in_flight > 0 {
                    ui.label(format!("{} ({})", self.t(Msg::TilesLoading), s.in_flight));
                } else {
                    ui.label(self.t(Msg::TilesOk));
                }
                ui.separator();
            }
            let mut attribution: Vec<String> = self.pack.manifest.attribution.clone();
            if self.raster.is_some() && !self.settings.raster.attribution.is_empty() {
                attribution.insert(0, self.settings.raster.attribution.clone());
            }
            let first = attribution.first().cloned().unwrap_or_default();
            let more = if attribution.len() > 1 {
                format!(" (+{})", attribution.len() - 1)
            } else {
                String::new()
            };
            ui.label(RichText::new(format!("{}: {first}{more}", self.t(Msg::Attribution))).small())
                .on_hover_text(format!(
                    "{}\n\n{}",
                    tr(lang, Msg::AttributionTip),
                    attribution.join("\n")
                ));
            if let Some((msg, until)) = &self.toast
                && ui.input(|i| i.time) < *until
            {
                ui.separator();
                ui.colored_label(theme::HIGHLIGHT, msg);
            }
        });
    }

    pub(super) fn scale_bar_ui(&self, ui: &mut Ui) {
        let lat = mercator_norm_inverse(self.center_norm[0], self.center_norm[1])[1];
        let pt_per_m = 256.0 * 2f64.powf(self.memory.zoom()) / (40_075_016.686 * lat.to_radians().cos());
        let max_m = 120.0 / pt_per_m;
        let exp = 10f64.powf(max_m.log10().floor());
        let nice = [5.0, 2.0, 1.0]
            .iter()
            .map(|f| f * exp)
            .find(|m| *m <= max_m)
            .unwrap_or(exp);
        let w = (nice * pt_per_m) as f32;
        let (rect, _) = ui.allocate_exact_size(vec2(w + 4.0, 14.0), egui::Sense::hover());
        let p = ui.painter();
        let y = rect.center().y + 3.0;
        let stroke = Stroke::new(2.0, ui.visuals().text_color());
        p.line_segment(
            [egui::pos2(rect.left() + 2.0, y), egui::pos2(rect.left() + 2.0 + w, y)],
            stroke,
        );
        for x in [rect.left() + 2.0, rect.left() + 2.0 + w] {
            p.line_segment([egui::pos2(x, y - 6.0), egui::pos2(x, y)], stroke);
        }
        let text = if nice >= 1000.0 {
            format!("{} km", nice / 1000.0)
        } else {
            format!("{nice} m")
        };
        ui.label(text);
    }

    pub(super) fn feature_window(&mut self, ctx: &egui::Context) {
        let Some((li, fi)) = self.selected_feature else { return };
        let Some(f) = self.pack.layers.get(li).and_then(|l| l.features().get(fi)) else {
            self.selected_feature = None;
            return;
        };
        let lang = self.settings.lang;
        let title = bilingual(
            f.str_prop("label_zh").or(f.str_prop("name_zh")).unwrap_or_default(),
            f.str_prop("label_en").or(f.str_prop("name_en")).unwrap_or_default(),
            lang,
        );
        let mut open = true;
        egui::Window::new(title)
            .open(&mut open)
            .resizable(false)
            .collapsible(false)
            .show(ctx, |ui| {
                if let Some(p) = f.point() {
                    let (dec, dms) = format_lonlat(p);
                    ui.label(RichText::new(dec).monospace());
                    ui.label(RichText::new(dms).monospace().weak());
                }
                for key in ["name_zh", "name_en", "kind", "adcode"] {
                    if let Some(v) = f.props.get(key).filter(|v| !v.is_null()) {
                        ui.label(format!(
                            "{key}: {}",
                            v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
                        ));
                    }
                }
                if let Some(m) = f.f64_prop("coord_accuracy_m_est") {
                    ui.label(format!("{}: ±{m:.0} m", tr(lang, Msg::AccuracyEst)));
                }
                for key in ["note", "confidence", "coord_source", "source"] {
                    if let Some(v) = f.str_prop(key) {
                        ui.label(RichText::new(format!("{key}: {v}")).small().weak());
                    }
                }
            });
        if !open {
            self.selected_feature = None;
        }
    }

    pub(super) fn route_ui(&mut self, ui: &mut Ui) {
        if self.route.is_none()
            && self.iso.is_none()
            && self.route_from.is_none()
            && self.routing_msg.is_none()
            && !self.jobs.busy(Lane::Route)
        {
            return;
        }
        let lang = self.settings.lang;
        ui.label(RichText::new(self.t(Msg::Route)).strong());
        self.route_details_ui(ui, lang);
        ui.separator();
    }

    pub(super) fn route_details_ui(&mut self, ui: &mut Ui, lang: Lang) {
        if let Some(p) = self.route_from {
            ui.label(format!("{}: {:.5}, {:.5}", self.t(Msg::RouteStart), p[0], p[1]));
            ui.label(RichText::new(self.t(Msg::RoutePickEnd)).weak());
        }
        if let Some(r) = &self.route {
            let mins = r.eta_s / 60.0;
            let head = format!(
                "{}{:.0} {} · {:.1} {}",
                if r.estimate { "≈ " } else { "" },
                mins,
                tr(lang, Msg::Minutes),
                r.dist_m / 1000.0,
                tr(lang, Msg::Km)
            );
            ui.horizontal(|ui| {
                ui.label(RichText::new(head).size(20.0).strong().color(theme::ROUTE));
                if r.estimate {
                    ui.label(RichText::new(tr(lang, Msg::Estimate)).color(theme::WARN_TEXT).strong())
                        .on_hover_text(tr(lang, Msg::EstimateTip));
                }
            });
            ui.label(
                RichText::new(format!(
                    "{} {:.5}, {:.5} → {} {:.5}, {:.5}",
                    tr(lang, Msg::RouteStart),
                    r.from[0],
                    r.from[1],
                    tr(lang, Msg::RouteEnd),
                    r.to[0],
                    r.to[1]
                ))
                .small(),
            );
            if r.offroad_m >= 1.0 {
                ui.label(
                    RichText::new(format!("{}: {:.0} m", tr(lang, Msg::OffroadLegs), r.offroad_m))
                        .small()
                        .weak(),
                );
            }
        }
        if let Some(iso) = &self.iso {
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{}:", tr(lang, Msg::Isochrone)));
                for (i, m) in ISO_MINUTES.iter().enumerate() {
                    let (rect, _) = ui.allocate_exact_size(vec2(18.0, 12.0), egui::Sense::hover());
                    ui.painter().rect_filled(rect, 2.0, theme::ISO_BANDS[i].to_opaque());
                    ui.label(format!("≤{m:.0}"));
                }
                ui.label(tr(lang, Msg::Minutes));
                if iso.estimate {
                    ui.label(RichText::new(tr(lang, Msg::Estimate)).color(theme::WARN_TEXT))
                        .on_hover_text(tr(lang, Msg::EstimateTip));
                }
            });
        }
        if self.jobs.busy(Lane::Route) {
            ui.label(RichText::new(tr(lang, Msg::RouteComputing)).italics());
        }
        if let Some(m) = &self.routing_msg {
            ui.colored_label(theme::WARN_TEXT, m);
        }
        if ui.button(tr(lang, Msg::ClearRoute)).clicked() {
            self.clear_routing();
        }
    }
}

/// Draws a legend swatch into its rectangle.
type Swatch = dyn Fn(&egui::Painter, egui::Rect);

fn solid(p: &egui::Painter, r: egui::Rect, stroke: Stroke) {
    p.line_segment([r.left_center(), r.right_center()], stroke);
}

fn dashed(p: &egui::Painter, r: egui::Rect, stroke: Stroke) {
    p.extend(egui::Shape::dashed_line(
        &[r.left_center(), r.right_center()],
        stroke,
        6.0,
        3.0,
    ));
}

fn kind_msg(k: PlaceKind) -> Msg {
    match k {
        PlaceKind::County => Msg::ResultCounty,
        PlaceKind::Seat => Msg::ResultSeat,
        PlaceKind::Prefecture => Msg::ResultPrefecture,
        PlaceKind::Township => Msg::ResultTownship,
        PlaceKind::Place => Msg::ResultPlace,
        PlaceKind::Port => Msg::ResultPort,
        PlaceKind::River => Msg::ResultRiver,
    }
}
