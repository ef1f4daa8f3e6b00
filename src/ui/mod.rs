//! The egui console: layout, panels (functions named `*_ui`), keyboard shortcuts and persistence.
//! Reads the map pack and settings; long work (tile downloads) runs in `backend`, never here.

pub mod fonts;
pub mod i18n;
pub mod settings;
pub mod theme;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Align, Key, KeyboardShortcut, Layout, Modifiers, RichText, Stroke, Ui, Vec2, vec2};
use walkers::{Map, MapMemory, lon_lat};

use crate::backend::routing::{ISO_MINUTES, IsoAnswer, RouteAnswer, RouteJob, RouteReply, RoutingWorker};
use crate::backend::tiles::{TileFetcher, TileSourceSpec};
use crate::geom::{BBox, format_lonlat, mercator_norm, mercator_norm_inverse};
use crate::map::basemap::{
    Basemap, LabelQueue, LabelsPlugin, LayerPlugin, LegendItem, MarkerHit, PointStyle, bilingual, paint_marker,
};
use crate::map::overlay::OverlayPlugin;
use crate::map::raster::RasterTiles;
use crate::map::{MAX_ZOOM, MIN_ZOOM, ViewXform, fit_zoom, mercator_center};
use crate::mappack::{Area, LayerData, LayerKind, MapPack};
use crate::search::{PlaceIndex, PlaceKind, Target};
use i18n::{Lang, Msg, tr};
use settings::{RasterKind, SavedView, Settings};

/// Seconds a fly-to animation takes.
const FLIGHT_S: f64 = 0.6;
/// Search results listed.
const MAX_RESULTS: usize = 8;

const SHORTCUT_SEARCH: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const SHORTCUT_LANG: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::L);

#[derive(Debug, Clone, Copy)]
struct Flight {
    from_norm: [f64; 2],
    from_zoom: f64,
    to_norm: [f64; 2],
    to_zoom: f64,
    start_s: f64,
}

/// One listed search result (owned, so the list survives re-indexing).
#[derive(Debug, Clone)]
pub struct ResultRow {
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Kind.
    pub kind: PlaceKind,
    /// Where to fly.
    pub target: Target,
    /// Only the county is known.
    pub approximate: bool,
}

/// The console application.
pub struct OneMapApp {
    pack: Arc<MapPack>,
    basemap: Basemap,
    index: PlaceIndex,
    counties: Vec<Area>,
    /// Persisted settings.
    pub settings: Settings,
    memory: MapMemory,
    center_norm: [f64; 2],
    flight: Option<Flight>,
    fit_pending: bool,
    /// Text in the search box.
    pub search_query: String,
    last_query: String,
    /// Current results for `search_query`.
    pub results: Vec<ResultRow>,
    selected_result: usize,
    focus_search: bool,
    cursor_lonlat: Option<[f64; 2]>,
    map_size: Vec2,
    view: Option<ViewXform>,
    markers: Vec<MarkerHit>,
    selected_feature: Option<(usize, usize)>,
    highlight: Option<[f64; 2]>,
    raster: Option<RasterTiles>,
    raster_error: Option<String>,
    raster_url_edit: String,
    cache_dir: Option<PathBuf>,
    toast: Option<(String, f64)>,
    routing: Option<RoutingWorker>,
    routing_gen: u64,
    routing_busy: bool,
    routing_msg: Option<String>,
    route_from: Option<[f64; 2]>,
    /// The last computed route.
    pub route: Option<RouteAnswer>,
    /// The last computed isochrone.
    pub iso: Option<IsoAnswer>,
    schematic_roads: bool,
    context_lonlat: Option<[f64; 2]>,
}

impl OneMapApp {
    /// Build the console for a loaded pack. `storage` restores persisted settings (none in tests).
    pub fn new(ctx: &egui::Context, pack: MapPack, storage: Option<&dyn eframe::Storage>) -> OneMapApp {
        fonts::install(ctx);
        let settings: Settings = storage
            .and_then(|s| eframe::get_value(s, settings::STORAGE_KEY))
            .unwrap_or_default();
        apply_style(ctx, settings.ui_scale);
        let basemap = Basemap::build(&pack);
        let index = PlaceIndex::build(&pack);
        let counties = pack.counties();
        let saved = settings.views.get(&pack.manifest.name).copied();
        let center = saved
            .map(|v| [v.lon, v.lat])
            .unwrap_or_else(|| mercator_center(pack.bbox()));
        let mut memory = MapMemory::default();
        memory.center_at(lon_lat(center[0], center[1]));
        let _ = memory.set_zoom(saved.map(|v| v.zoom).unwrap_or(9.0).clamp(MIN_ZOOM, MAX_ZOOM));
        let cache_dir =
            directories::ProjectDirs::from("cn", "xsbn-emergency", "onemap").map(|d| d.cache_dir().join("tiles"));
        let raster_url_edit = settings.raster.url_template.clone();
        let mut app = OneMapApp {
            pack: Arc::new(pack),
            basemap,
            index,
            counties,
            settings,
            memory,
            center_norm: mercator_norm(center[0], center[1]),
            flight: None,
            fit_pending: saved.is_none(),
            search_query: String::new(),
            last_query: String::new(),
            results: Vec::new(),
            selected_result: 0,
            focus_search: false,
            cursor_lonlat: None,
            map_size: vec2(1000.0, 700.0),
            view: None,
            markers: Vec::new(),
            selected_feature: None,
            highlight: None,
            raster: None,
            raster_error: None,
            raster_url_edit,
            cache_dir,
            toast: None,
            routing: None,
            routing_gen: 0,
            routing_busy: false,
            routing_msg: None,
            route_from: None,
            route: None,
            iso: None,
            schematic_roads: false,
            context_lonlat: None,
        };
        if let Some((graph, spec)) = app.pack.roads() {
            app.schematic_roads = spec.schematic;
            match RoutingWorker::start(graph, spec, ctx.clone()) {
                Ok(w) => app.routing = Some(w),
                Err(e) => app.routing_msg = Some(e),
            }
        }
        if app.settings.raster.enabled {
            app.start_raster(ctx);
        }
        app
    }

    /// The loaded pack.
    pub fn pack(&self) -> &MapPack {
        &self.pack
    }

    /// Whether a pack layer is shown.
    pub fn layer_visible(&self, name: &str) -> bool {
        let key = format!("{}/{name}", self.pack.manifest.name);
        match self.settings.layers.get(&key) {
            Some(v) => *v,
            None => self.pack.layer(name).is_some_and(|l| l.spec.visible),
        }
    }

    fn set_layer_visible(&mut self, name: &str, visible: bool) {
        let key = format!("{}/{name}", self.pack.manifest.name);
        self.settings.layers.insert(key, visible);
    }

    /// Current map centre (lon/lat) and zoom.
    pub fn view_center_zoom(&self) -> ([f64; 2], f64) {
        let c = mercator_norm_inverse(self.center_norm[0], self.center_norm[1]);
        (c, self.memory.zoom())
    }

    fn t(&self, msg: Msg) -> &'static str {
        tr(self.settings.lang, msg)
    }

    fn fly_to_norm(&mut self, ctx: &egui::Context, to_norm: [f64; 2], to_zoom: f64) {
        self.flight = Some(Flight {
            from_norm: self.center_norm,
            from_zoom: self.memory.zoom(),
            to_norm,
            to_zoom: to_zoom.clamp(MIN_ZOOM, MAX_ZOOM),
            start_s: ctx.input(|i| i.time),
        });
        ctx.request_repaint();
    }

    /// Fly to fit a lon/lat box.
    pub fn fly_to_bbox(&mut self, ctx: &egui::Context, bbox: BBox) {
        let c = mercator_center(bbox);
        let z = fit_zoom(bbox, self.map_size, 24.0);
        self.fly_to_norm(ctx, mercator_norm(c[0], c[1]), z);
    }

    /// Fly to a search target.
    pub fn fly_to_target(&mut self, ctx: &egui::Context, target: Target) {
        match target {
            Target::Point(p) => {
                self.highlight = Some(p);
                let z = self.memory.zoom().max(12.0);
                self.fly_to_norm(ctx, mercator_norm(p[0], p[1]), z);
            }
            Target::Area(b) => {
                self.highlight = None;
                self.fly_to_bbox(ctx, b);
            }
        }
    }

    fn step_flight(&mut self, ctx: &egui::Context) {
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

    fn run_search(&mut self) {
        if self.search_query == self.last_query {
            return;
        }
        self.last_query = self.search_query.clone();
        self.selected_result = 0;
        self.results = self
            .index
            .search(&self.search_query, MAX_RESULTS)
            .into_iter()
            .map(|h| ResultRow {
                name_zh: h.place.name_zh.clone(),
                name_en: h.place.name_en.clone(),
                kind: h.place.kind,
                target: h.place.target,
                approximate: h.place.approximate,
            })
            .collect();
    }

    fn start_raster(&mut self, ctx: &egui::Context) {
        self.raster = None;
        let spec = match self.settings.raster.kind {
            RasterKind::Url => TileSourceSpec::Url(self.settings.raster.url_template.clone()),
            RasterKind::Pmtiles => TileSourceSpec::Pmtiles(PathBuf::from(self.settings.raster.pmtiles_path.trim())),
        };
        match TileFetcher::start(spec, self.cache_dir.clone(), ctx.clone()) {
            Ok(f) => {
                self.raster = Some(RasterTiles::new(f));
                self.raster_error = None;
            }
            Err(e) => {
                // Say why and fall back to the vector basemap; the choice stays editable.
                self.raster_error = Some(e);
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_shortcut(&SHORTCUT_SEARCH)) {
            self.focus_search = true;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&SHORTCUT_LANG)) {
            self.toggle_lang();
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let (home, digit, zoom_in, zoom_out, pan) = ctx.input(|i| {
            let digit = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6]
                .iter()
                .position(|k| i.key_pressed(*k) && i.modifiers.is_none());
            let zoom_in = i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals);
            let zoom_out = i.key_pressed(Key::Minus);
            let mut pan = Vec2::ZERO;
            for (k, d) in [
                (Key::ArrowLeft, vec2(-1.0, 0.0)),
                (Key::ArrowRight, vec2(1.0, 0.0)),
                (Key::ArrowUp, vec2(0.0, -1.0)),
                (Key::ArrowDown, vec2(0.0, 1.0)),
            ] {
                if i.key_pressed(k) {
                    pan += d;
                }
            }
            (
                i.key_pressed(Key::Home),
                digit,
                zoom_in && !i.modifiers.command,
                zoom_out && !i.modifiers.command,
                pan,
            )
        });
        if home {
            let b = self.pack.bbox();
            self.fly_to_bbox(ctx, b);
        }
        if let Some(d) = digit
            && let Some(c) = self.counties.get(d)
        {
            let b = c.bbox;
            self.fly_to_bbox(ctx, b);
        }
        let z = self.memory.zoom();
        if zoom_in {
            self.fly_to_norm(ctx, self.center_norm, (z + 1.0).round());
        }
        if zoom_out {
            self.fly_to_norm(ctx, self.center_norm, (z - 1.0).round());
        }
        if pan != Vec2::ZERO {
            let step = 0.25 * self.map_size.x.min(self.map_size.y) as f64 / (256.0 * 2f64.powf(z));
            let to = [
                self.center_norm[0] + pan.x as f64 * step,
                self.center_norm[1] + pan.y as f64 * step,
            ];
            self.fly_to_norm(ctx, to, z);
        }
    }

    fn toggle_lang(&mut self) {
        self.settings.lang = match self.settings.lang {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        };
    }

    fn top_bar_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let lang = self.settings.lang;
            ui.heading(RichText::new(self.t(Msg::AppTitle)).strong());
            ui.label(RichText::new(lang.pick(&self.pack.manifest.title.zh, &self.pack.manifest.title.en)).size(16.0));
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
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button(self.t(Msg::LanguageSwitch))
                    .on_hover_text(self.t(Msg::LanguageTip))
                    .clicked()
                {
                    self.toggle_lang();
                }
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

    fn search_ui(&mut self, ui: &mut Ui) {
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

    fn layers_ui(&mut self, ui: &mut Ui) {
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
    }

    fn raster_ui(&mut self, ui: &mut Ui) {
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

    fn legend_ui(&self, ui: &mut Ui) {
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

    fn status_bar_ui(&mut self, ui: &mut Ui) {
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

    fn scale_bar_ui(&self, ui: &mut Ui) {
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

    fn elevation_at(&self, ll: [f64; 2]) -> Option<f32> {
        self.pack.layers.iter().find_map(|l| match &l.data {
            LayerData::Terrain(g) => g.sample(ll),
            _ => None,
        })
    }

    fn map_ui(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.step_flight(&ctx);
        let labels = RefCell::new(LabelQueue::default());
        let markers = RefCell::new(Vec::new());
        let home = mercator_center(self.pack.bbox());
        let raster_on = self.raster.is_some();
        let opacity = self.settings.raster.opacity;
        let visible: Vec<bool> = self
            .basemap
            .layers
            .iter()
            .map(|l| self.layer_visible(&l.name))
            .collect();
        let mut map = Map::new(None, &mut self.memory, lon_lat(home[0], home[1]))
            .zoom_with_ctrl(false)
            .double_click_to_zoom(true);
        if let Some(r) = self.raster.as_mut() {
            map = map.with_layer(r, opacity);
        }
        for (i, layer) in self.basemap.layers.iter().enumerate() {
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
        map = map.with_plugin(OverlayPlugin {
            route: self.route.as_ref(),
            iso: self.iso.as_ref(),
            pending_from: self.route_from,
        });
        map = map.with_plugin(LabelsPlugin { labels: &labels });
        let highlight = self.highlight;
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
        self.center_norm = x.center_norm;
        self.map_size = x.rect.size();
        self.view = Some(x);
        self.markers = markers.into_inner();
        self.cursor_lonlat = response.hover_pos().map(|p| x.screen_to_lonlat(p));
        if self.fit_pending && x.rect.width() > 100.0 {
            self.fit_pending = false;
            let b = self.pack.bbox();
            let c = mercator_center(b);
            let z = fit_zoom(b, self.map_size, 24.0);
            self.memory.center_at(lon_lat(c[0], c[1]));
            let _ = self.memory.set_zoom(z);
            self.center_norm = mercator_norm(c[0], c[1]);
            ctx.request_repaint();
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            self.selected_feature = self
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
            self.context_lonlat = Some(x.screen_to_lonlat(p));
        }
        let context_lonlat = self.context_lonlat;
        response.context_menu(|ui| {
            if let Some(ll) = context_lonlat {
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
                ui.separator();
                let text = format!("{:.6},{:.6}", ll[0], ll[1]);
                if ui.button(format!("{} {text}", tr(lang, Msg::CopyCoords))).clicked() {
                    ui.ctx().copy_text(text);
                    self.toast = Some((tr(lang, Msg::Copied).to_string(), ui.input(|i| i.time) + 3.0));
                    ui.close();
                }
            }
        });
        match action {
            Some((0, ll)) => self.route_from_here(ll),
            Some((1, ll)) => self.route_to_here(ll),
            Some((2, ll)) => self.request(RouteJob::Isochrone { at: ll }),
            Some(_) => self.clear_routing(),
            None => {}
        }
    }

    fn feature_window(&mut self, ctx: &egui::Context) {
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

    /// Ask the worker for a route or an isochrone; the newest request wins.
    pub fn request(&mut self, job: RouteJob) {
        let Some(w) = self.routing.as_mut() else {
            self.routing_msg = Some(tr(self.settings.lang, Msg::NoRoads).to_string());
            return;
        };
        match w.submit(job) {
            Ok(generation) => {
                self.routing_gen = generation;
                self.routing_busy = true;
                self.routing_msg = None;
            }
            Err(e) => self.routing_msg = Some(e),
        }
    }

    /// Start a route at a point (the destination comes next).
    pub fn route_from_here(&mut self, p: [f64; 2]) {
        self.route_from = Some(p);
        self.route = None;
    }

    /// Finish a route at a point: from the chosen start, else from the last route's start.
    pub fn route_to_here(&mut self, p: [f64; 2]) {
        let from = self.route_from.or(self.route.as_ref().map(|r| r.from));
        match from {
            Some(from) => self.request(RouteJob::Route { from, to: p }),
            None => self.routing_msg = Some(tr(self.settings.lang, Msg::RoutePickEnd).to_string()),
        }
    }

    /// Whether a routing job is in flight.
    pub fn routing_busy(&self) -> bool {
        self.routing_busy
    }

    fn drain_routing(&mut self) {
        let Some(w) = self.routing.as_ref() else { return };
        while let Ok((generation, reply)) = w.rx.try_recv() {
            if generation != self.routing_gen {
                continue; // superseded
            }
            self.routing_busy = false;
            match reply {
                Ok(RouteReply::Route(r)) => {
                    self.route_from = None;
                    self.route = Some(r);
                }
                Ok(RouteReply::Isochrone(i)) => self.iso = Some(i),
                Err(e) => self.routing_msg = Some(e),
            }
        }
    }

    fn route_ui(&mut self, ui: &mut Ui) {
        if self.route.is_none()
            && self.iso.is_none()
            && self.route_from.is_none()
            && self.routing_msg.is_none()
            && !self.routing_busy
        {
            return;
        }
        let lang = self.settings.lang;
        ui.label(RichText::new(self.t(Msg::Route)).strong());
        self.route_details_ui(ui, lang);
        ui.separator();
    }

    fn route_details_ui(&mut self, ui: &mut Ui, lang: Lang) {
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
        if self.routing_busy {
            ui.label(RichText::new(tr(lang, Msg::RouteComputing)).italics());
        }
        if let Some(m) = &self.routing_msg {
            ui.colored_label(theme::WARN_TEXT, m);
        }
        if ui.button(tr(lang, Msg::ClearRoute)).clicked() {
            self.clear_routing();
        }
    }

    fn clear_routing(&mut self) {
        self.route = None;
        self.iso = None;
        self.route_from = None;
        self.routing_msg = None;
    }

    fn remember_view(&mut self) {
        let (c, z) = self.view_center_zoom();
        self.settings.views.insert(
            self.pack.manifest.name.clone(),
            SavedView {
                lon: c[0],
                lat: c[1],
                zoom: z,
            },
        );
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

/// Dark, calm visuals with larger text, scaled by `ui_scale` for video walls.
pub fn apply_style(ctx: &egui::Context, ui_scale: f32) {
    use egui::{FontId, TextStyle};
    ctx.set_visuals(egui::Visuals::dark());
    ctx.global_style_mut(|s| {
        s.text_styles.insert(TextStyle::Heading, FontId::proportional(21.0));
        s.text_styles.insert(TextStyle::Body, FontId::proportional(15.0));
        s.text_styles.insert(TextStyle::Button, FontId::proportional(15.0));
        s.text_styles.insert(TextStyle::Small, FontId::proportional(12.0));
        s.text_styles.insert(TextStyle::Monospace, FontId::monospace(14.0));
        s.spacing.item_spacing = vec2(8.0, 6.0);
        s.spacing.button_padding = vec2(8.0, 4.0);
    });
    ctx.set_zoom_factor(ui_scale.clamp(0.5, 3.0));
}

impl eframe::App for OneMapApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.remember_view();
        eframe::set_value(storage, settings::STORAGE_KEY, &self.settings);
    }

    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        theme::MAP_BG.to_normalized_gamma_f32()
    }
}

impl OneMapApp {
    /// Draw the whole console into `ui` (the root of a frame). Separate from `eframe::App` so
    /// benchmarks can drive it with a bare `egui::Context`.
    pub fn show(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        self.drain_routing();
        self.shortcuts(&ctx);
        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar_ui(ui));
        egui::Panel::left("side_panel")
            .default_size(280.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    self.search_ui(ui);
                    ui.separator();
                    self.route_ui(ui);
                    self.layers_ui(ui);
                    ui.separator();
                    if self.settings.legend {
                        self.legend_ui(ui);
                        ui.separator();
                    }
                    self.raster_ui(ui);
                    ui.separator();
                    ui.label(RichText::new(self.t(Msg::Shortcuts)).strong());
                    ui.label(RichText::new(self.t(Msg::ShortcutsText)).small());
                });
            });
        egui::CentralPanel::no_frame()
            .frame(egui::Frame::NONE.fill(theme::MAP_BG))
            .show(ui, |ui| self.map_ui(ui));
        self.feature_window(&ctx);
        if self.flight.is_none() {
            self.remember_view();
        }
    }

    /// Jump (no animation) to a view: centre lon/lat and zoom.
    pub fn set_view(&mut self, lonlat: [f64; 2], zoom: f64) {
        self.flight = None;
        self.fit_pending = false;
        self.memory.center_at(lon_lat(lonlat[0], lonlat[1]));
        let _ = self.memory.set_zoom(zoom.clamp(MIN_ZOOM, MAX_ZOOM));
        self.center_norm = mercator_norm(lonlat[0], lonlat[1]);
    }
}
