//! The console's side and edge panels: top bar, search, layers, legend, basemap source, route,
//! status bar and the feature window. Each is a free `*_ui` function that takes only the parts it
//! draws and changes and returns the [`Action`] it wants of the rest; none does I/O or graph work
//! and none takes the whole app.

use std::path::Path;

use egui::{Align, Key, Layout, RichText, Stroke, Ui, vec2};

use super::action::Action;
use super::i18n::{Lang, Msg, tr};
use super::notices::{Notices, Severity, Source};
use super::parts::{MapView, RasterState, RoutingState, SearchState, World};
use super::pending::Arrivals;
use super::settings::{RasterKind, Settings};
use super::{MAX_RESULTS, apply_style, theme};
use crate::backend::jobs::Lane;
use crate::backend::routing::{HierarchyStatus, ISO_MINUTES};
use crate::backend::store::ConnectionState;
use crate::geom::{format_lonlat, mercator_norm_inverse};
use crate::map::basemap::{LegendItem, PointStyle, bilingual, paint_marker};
use crate::mappack::LayerKind;
use crate::search::PlaceKind;

/// The arrival alert: a flashing button naming the unacknowledged new incidents (opens the
/// oldest) and one that acknowledges them all.
fn arrivals_banner_ui(ui: &mut Ui, arrivals: &mut Arrivals, notices: &mut Notices, lang: Lang) -> Option<Action> {
    let first = arrivals.unacked.first().copied()?;
    ui.separator();
    let on = (ui.input(|i| i.time) * 2.0) as i64 % 2 == 0;
    ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
    let ids: Vec<String> = arrivals.unacked.iter().map(|i| format!("#{}", i.0)).collect();
    let text = RichText::new(format!("{} {}", tr(lang, Msg::NewArrivals), ids.join(" ")))
        .strong()
        .color(egui::Color32::BLACK)
        .background_color(if on { theme::WARN_TEXT } else { theme::DANGER });
    let mut action = None;
    if ui.button(text).on_hover_text(tr(lang, Msg::NewArrivalsTip)).clicked() {
        arrivals.ack(first);
        action = Some(Action::OpenArrival(first));
    }
    if ui.small_button(tr(lang, Msg::AckAll)).clicked() {
        arrivals.ack_all();
        notices.clear(Source::Arrival);
    }
    action
}

/// The top bar: title, DEMO badge, arrival alert, fit buttons, replay, language, about, operator
/// and seat, UI scale. `replay_file` is the database a replay may open (none in a drill or a
/// replay).
/// What the top bar shows about the database open.
pub(super) struct TopBarDb<'a> {
    /// The situation holds demo records (the 演示 badge).
    pub demo: bool,
    /// The file a replay would open (the 回放 button).
    pub replay_file: Option<&'a Path>,
    /// A database to follow: whether the wall viewport is open (the 指挥大屏 button).
    pub wall_open: Option<bool>,
}

pub(super) fn top_bar_ui(
    ui: &mut Ui,
    world: &World,
    settings: &mut Settings,
    arrivals: &mut Arrivals,
    notices: &mut Notices,
    db: TopBarDb<'_>,
) -> Option<Action> {
    let TopBarDb {
        demo,
        replay_file,
        wall_open,
    } = db;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        let lang = settings.lang;
        let t = |m| tr(lang, m);
        ui.heading(RichText::new(t(Msg::AppTitle)).strong());
        ui.label(RichText::new(lang.pick(&world.pack.manifest.title.zh, &world.pack.manifest.title.en)).size(16.0));
        if demo {
            ui.label(
                RichText::new(format!(" {} ", t(Msg::DemoBadge)))
                    .strong()
                    .color(egui::Color32::BLACK)
                    .background_color(theme::WARN_TEXT),
            )
            .on_hover_text(t(Msg::DemoBadgeTip));
        }
        if let Some(a) = arrivals_banner_ui(ui, arrivals, notices, lang) {
            action = Some(a);
        }
        ui.separator();
        if ui
            .button(t(Msg::FitPrefecture))
            .on_hover_text(t(Msg::FitPrefectureTip))
            .clicked()
        {
            action = Some(Action::FlyToBBox(world.pack.bbox()));
        }
        for (i, c) in world.counties.iter().enumerate() {
            let tip = format!("{} ({})", t(Msg::FitCountyTip), i + 1);
            if ui
                .button(lang.pick(&c.name_zh, &c.name_en))
                .on_hover_text(tip)
                .clicked()
            {
                action = Some(Action::FlyToBBox(c.bbox));
            }
        }
        if let Some(path) = replay_file
            && ui.button(t(Msg::Replay)).on_hover_text(t(Msg::ReplayOpenTip)).clicked()
        {
            action = Some(Action::StartReplay(path.to_path_buf()));
        }
        // The commander's wall on a second monitor (needs a database to follow).
        if let Some(open) = wall_open {
            // Short, so the top bar keeps to one row.
            let label = t(if open { Msg::WallClose } else { Msg::WallOpen });
            let tip = t(Msg::WallOpenTip);
            if ui.button(label).on_hover_text(tip).clicked() {
                action = Some(Action::ToggleWall);
            }
        }
        // The right-hand group (language, about, operator, UI scale) goes on its own row when
        // what is left of this one is narrower than it was last frame: never drawn over the
        // buttons on the left (at 1440 px the scale slider covered 回放).
        let right_id = egui::Id::unique("onemap_top_bar_right_width");
        let need = ui.ctx().data(|d| d.get_temp::<f32>(right_id)).unwrap_or(0.0);
        // In a wrapping layout `available_width` is the whole row; what is left of it is from
        // the cursor to the right edge.
        let left_in_row = ui.max_rect().max.x - ui.cursor().min.x;
        if left_in_row < need + 12.0 {
            ui.end_row();
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui
                .button(t(Msg::LanguageSwitch))
                .on_hover_text(t(Msg::LanguageTip))
                .clicked()
            {
                settings.lang = settings.lang.other();
            }
            // Which build this is (version, commit, build date) and which pack it shows: the
            // first thing support asks a centre.
            ui.menu_button(t(Msg::About), |ui| {
                ui.label(RichText::new(t(Msg::AppTitle)).strong());
                ui.label(format!("{} {}", t(Msg::AboutVersion), crate::build_info::LONG_VERSION));
                ui.label(format!(
                    "{} {} ({})",
                    t(Msg::AboutPack),
                    lang.pick(&world.pack.manifest.title.zh, &world.pack.manifest.title.en),
                    world.pack.dir.display()
                ));
                ui.label(t(Msg::AboutData));
            });
            let who = format!(
                "{} {} · {} {}",
                t(Msg::Operator),
                settings.operator_name(),
                t(Msg::Seat),
                settings.seat_name()
            );
            ui.menu_button(who, |ui| {
                egui::Grid::new("operator_seat").num_columns(2).show(ui, |ui| {
                    ui.label(t(Msg::Operator));
                    ui.add(egui::TextEdit::singleline(&mut settings.operator).desired_width(140.0));
                    ui.end_row();
                    ui.label(t(Msg::Seat));
                    ui.add(egui::TextEdit::singleline(&mut settings.seat).desired_width(140.0));
                    ui.end_row();
                });
            });
            let mut scale = settings.ui_scale;
            let r = ui
                .add(
                    egui::Slider::new(&mut scale, 0.8..=2.5)
                        .step_by(0.1)
                        .text(t(Msg::UiScale)),
                )
                .on_hover_text(t(Msg::UiScaleTip));
            if r.drag_stopped() || (r.changed() && !r.dragged()) {
                settings.ui_scale = scale;
                apply_style(ui.ctx(), scale);
            } else if r.dragged() {
                settings.ui_scale = scale;
            }
            let used = ui.min_rect().width();
            ui.ctx().data_mut(|d| d.insert_temp(right_id, used));
        });
    });
    action
}

/// The search box and its results (Enter / click flies to one).
pub(super) fn search_ui(ui: &mut Ui, search: &mut SearchState, world: &World, lang: Lang) -> Option<Action> {
    let t = |m| tr(lang, m);
    ui.label(RichText::new(t(Msg::Search)).strong());
    let edit = egui::TextEdit::singleline(&mut search.query)
        .hint_text(t(Msg::SearchHint))
        .desired_width(f32::INFINITY);
    let resp = ui.add(edit);
    if search.focus {
        resp.request_focus();
        search.focus = false;
    }
    search.run(&world.index, MAX_RESULTS);
    let (enter, up, down, esc) = ui.input(|i| {
        (
            i.key_pressed(Key::Enter),
            i.key_pressed(Key::ArrowUp),
            i.key_pressed(Key::ArrowDown),
            i.key_pressed(Key::Escape),
        )
    });
    let mut action = None;
    if resp.has_focus() || resp.lost_focus() {
        if down && !search.results.is_empty() {
            search.selected = (search.selected + 1).min(search.results.len() - 1);
        }
        if up {
            search.selected = search.selected.saturating_sub(1);
        }
        if esc {
            search.query.clear();
        }
        if enter && resp.lost_focus() {
            action = search
                .results
                .get(search.selected)
                .map(|r| Action::FlyToTarget(r.target));
            resp.request_focus();
        }
    }
    if !search.query.trim().is_empty() && search.results.is_empty() {
        ui.label(RichText::new(t(Msg::NoResults)).italics().weak());
    }
    let mut go = None;
    for (i, r) in search.results.iter().enumerate() {
        let kind = tr(lang, kind_msg(r.kind));
        let name = bilingual(&r.name_zh, &r.name_en, lang);
        let resp = ui.selectable_label(i == search.selected, format!("{name} · {kind}"));
        let resp = if r.approximate {
            resp.on_hover_text(tr(lang, Msg::ApproximateHint))
        } else {
            resp
        };
        if resp.clicked() {
            go = Some(i);
        }
    }
    if let Some(r) = go.and_then(|i| search.results.get(i).map(|r| (i, r.target))) {
        search.selected = r.0;
        action = Some(Action::FlyToTarget(r.1));
    }
    action
}

/// Pack layer and operational layer switches (the latter only with a database).
pub(super) fn layers_ui(ui: &mut Ui, world: &World, settings: &mut Settings, has_store: bool) {
    let lang = settings.lang;
    ui.label(RichText::new(tr(lang, Msg::Layers)).strong());
    for l in &world.pack.layers {
        if matches!(l.kind, LayerKind::Gazetteer | LayerKind::Corridors) {
            continue;
        }
        let title = l.title();
        let mut on = settings.layer_visible(&world.pack, &l.spec.name);
        let mut resp = ui.checkbox(&mut on, lang.pick(&title.zh, &title.en));
        if let Some(licence) = &l.spec.licence {
            resp = resp.on_hover_text(licence);
        }
        if resp.changed() {
            settings.set_layer_visible(&world.pack, &l.spec.name, on);
        }
    }
    if has_store {
        ui.label(RichText::new(tr(lang, Msg::OpsLayers)).strong());
        for (key, msg) in [
            ("stations", Msg::Stations),
            ("units", Msg::Units),
            ("warehouses", Msg::Warehouses),
            ("shelters", Msg::Shelters),
            ("alerts", Msg::AlertsLayer),
        ] {
            let k = format!("ops/{key}");
            let mut on = settings.layers.get(&k).copied().unwrap_or(true);
            if ui.checkbox(&mut on, tr(lang, msg)).changed() {
                settings.layers.insert(k, on);
            }
        }
    }
}

/// The raster basemap source: off, URL template or PMTiles file, with its opacity.
pub(super) fn raster_ui(
    ui: &mut Ui,
    settings: &mut Settings,
    raster: &mut RasterState,
    notices: &mut Notices,
) -> Option<Action> {
    let lang = settings.lang;
    let t = |m| tr(lang, m);
    ui.label(RichText::new(t(Msg::Basemap)).strong());
    let rs = &mut settings.raster;
    // Off, URL template, or PMTiles file: one radio group over (enabled, kind).
    let current = rs.enabled.then_some(rs.kind);
    let mut choice = current;
    ui.radio_value(&mut choice, None, t(Msg::RasterOff));
    ui.radio_value(&mut choice, Some(RasterKind::Url), t(Msg::RasterUrl))
        .on_hover_text(t(Msg::RasterUrlTip));
    ui.radio_value(&mut choice, Some(RasterKind::Pmtiles), t(Msg::RasterPmtiles))
        .on_hover_text(t(Msg::RasterPmtilesTip));
    let mut apply = false;
    match choice {
        Some(RasterKind::Url) => {
            ui.add(egui::TextEdit::singleline(&mut raster.url_edit).desired_width(f32::INFINITY))
                .on_hover_text(t(Msg::RasterUrlTip));
            ui.label(t(Msg::RasterAttributionLabel));
            ui.add(egui::TextEdit::singleline(&mut rs.attribution).desired_width(f32::INFINITY));
            let dirty = raster.url_edit.trim() != rs.url_template;
            apply |= ui.add_enabled(dirty, egui::Button::new(t(Msg::RasterApply))).clicked();
        }
        Some(RasterKind::Pmtiles) => {
            let r = ui.add(
                egui::TextEdit::singleline(&mut rs.pmtiles_path)
                    .hint_text(t(Msg::RasterPmtilesHint))
                    .desired_width(f32::INFINITY),
            );
            apply |=
                ui.button(t(Msg::RasterApply)).clicked() || (r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter)));
        }
        None => {}
    }
    if choice.is_some() {
        ui.add(egui::Slider::new(&mut rs.opacity, 0.1..=1.0).text(t(Msg::RasterOpacity)));
    }
    let mut action = None;
    if choice != current || apply {
        match choice {
            None => {
                rs.enabled = false;
                raster.tiles = None;
                notices.clear(Source::Raster);
            }
            Some(kind) => {
                rs.enabled = true;
                rs.kind = kind;
                rs.url_template = raster.url_edit.trim().to_string();
                // An empty PMTiles path waits for the user instead of failing at once.
                if kind == RasterKind::Url || !rs.pmtiles_path.trim().is_empty() {
                    action = Some(Action::StartRaster);
                } else {
                    raster.tiles = None;
                }
            }
        }
    }
    notice_ui(ui, notices, Source::Raster, lang);
    action
}

/// The legend: only what this pack draws, and the elevation tints when terrain is shown.
pub(super) fn legend_ui(ui: &mut Ui, world: &World, settings: &Settings) {
    let lang = settings.lang;
    ui.label(RichText::new(tr(lang, Msg::Legend)).strong());
    let row = |ui: &mut Ui, draw: &dyn Fn(&egui::Painter, egui::Rect), text: &str| {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(vec2(28.0, 16.0), egui::Sense::hover());
            draw(ui.painter(), rect);
            ui.label(text);
        });
    };
    // Only what this pack actually draws.
    for item in &world.basemap.legend {
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
        row(ui, &*draw, tr(lang, msg));
    }
    if world.basemap.has_terrain && settings.layer_visible(&world.pack, "terrain") {
        ui.horizontal(|ui| {
            ui.label(format!("{}:", tr(lang, Msg::Elevation)));
            for e in [500.0, 1000.0, 1500.0, 2000.0] {
                let (rect, _) = ui.allocate_exact_size(vec2(18.0, 12.0), egui::Sense::hover());
                ui.painter()
                    .rect_filled(rect, 2.0, theme::elevation_tint(e).to_opaque());
                ui.label(RichText::new(format!("{e:.0}")).small());
            }
            ui.label(tr(lang, Msg::Metres));
        });
    }
}

/// What the background workers report in the status bar.
pub(super) struct WorkerStatus {
    /// The store's connection (a server seat), if any.
    pub connection: Option<ConnectionState>,
    /// The routing worker's road hierarchy build, if there is a road network.
    pub hierarchy: Option<HierarchyStatus>,
}

/// The status bar: cursor position and height, connection, zoom, scale, tiles, the road
/// hierarchy's build, attribution, the store's and toasts' notices, the notice history.
pub(super) fn status_bar_ui(
    ui: &mut Ui,
    world: &World,
    map: &MapView,
    workers: WorkerStatus,
    raster: &RasterState,
    settings: &Settings,
    notices: &mut Notices,
) {
    let WorkerStatus { connection, hierarchy } = workers;
    ui.horizontal(|ui| {
        let lang = settings.lang;
        let t = |m| tr(lang, m);
        ui.label(format!("{}:", t(Msg::Cursor)));
        let mono = |s: String| RichText::new(s).monospace();
        match map.cursor_lonlat {
            Some(ll) => {
                let (dec, dms) = format_lonlat(ll);
                ui.label(mono(dec));
                ui.label(mono(dms).weak());
                if let Some(e) = world.elevation_at(ll) {
                    ui.label(format!("{} ≈{e:.0} {}", t(Msg::Elevation), t(Msg::Metres)))
                        .on_hover_text(t(Msg::ElevationTip));
                }
            }
            None => {
                ui.label(mono("—".into()));
            }
        }
        ui.separator();
        if let Some(c) = connection {
            super::connection::connection_ui(ui, &c, &settings.seat, lang);
            ui.separator();
        }
        ui.label(format!("{} {:.1}", t(Msg::Zoom), map.memory.zoom()));
        ui.separator();
        scale_bar_ui(ui, map);
        ui.separator();
        if let Some(r) = &raster.tiles {
            let s = r.status();
            if let Some(err) = &s.last_error {
                ui.colored_label(theme::WARN_TEXT, format!("{}: {err}", t(Msg::TilesFailed)))
                    .on_hover_text(format!("{} ok / {} failed", s.loaded, s.failed));
            } else if s.in_flight > 0 {
                ui.label(format!("{} ({})", t(Msg::TilesLoading), s.in_flight));
            } else {
                ui.label(t(Msg::TilesOk));
            }
            ui.separator();
        }
        if let Some(line) = hierarchy.and_then(|h| hierarchy_line(h, lang)) {
            ui.add(egui::ProgressBar::new(line.0).desired_width(90.0).text(line.1.clone()))
                .on_hover_text(t(Msg::HierarchyBuildingTip));
            ui.separator();
        }
        let mut attribution: Vec<String> = world.pack.manifest.attribution.clone();
        if raster.tiles.is_some() && !settings.raster.attribution.is_empty() {
            attribution.insert(0, settings.raster.attribution.clone());
        }
        let first = attribution.first().cloned().unwrap_or_default();
        let more = if attribution.len() > 1 {
            format!(" (+{})", attribution.len() - 1)
        } else {
            String::new()
        };
        ui.label(RichText::new(format!("{}: {first}{more}", t(Msg::Attribution))).small())
            .on_hover_text(format!("{}\n\n{}", t(Msg::AttributionTip), attribution.join("\n")));
        for source in [Source::Store, Source::Toast] {
            if notices.get(source).is_some() {
                ui.separator();
                notice_ui(ui, notices, source, lang);
            }
        }
        notices_history_ui(ui, notices, lang);
    });
}

/// The status bar's progress line for the road hierarchy build: (share, text) while it is being
/// built or could not start; nothing once it is ready.
pub(super) fn hierarchy_line(h: HierarchyStatus, lang: Lang) -> Option<(f32, String)> {
    match h {
        HierarchyStatus::Ready => None,
        HierarchyStatus::Building(share) => Some((
            share,
            format!("{} {:.0}%", tr(lang, Msg::HierarchyBuilding), share * 100.0),
        )),
        HierarchyStatus::Unavailable => Some((0.0, tr(lang, Msg::HierarchyUnavailable).to_owned())),
    }
}

/// A scale bar for the map's centre latitude and zoom.
fn scale_bar_ui(ui: &mut Ui, map: &MapView) {
    let lat = mercator_norm_inverse(map.center_norm[0], map.center_norm[1])[1];
    let pt_per_m = 256.0 * 2f64.powf(map.memory.zoom()) / (40_075_016.686 * lat.to_radians().cos());
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

/// The window describing the basemap feature clicked on the map (× closes it).
pub(super) fn feature_window(ctx: &egui::Context, world: &World, map: &mut MapView, lang: Lang) {
    let Some((li, fi)) = map.selected_feature else {
        return;
    };
    let Some(f) = world.pack.layers.get(li).and_then(|l| l.features().get(fi)) else {
        map.selected_feature = None;
        return;
    };
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
        map.selected_feature = None;
    }
}

/// The route section: start picked, route, isochrone, "computing", its notice, 清除路线.
pub(super) fn route_ui(ui: &mut Ui, routing: &RoutingState, notices: &mut Notices, lang: Lang) -> Option<Action> {
    if routing.route.is_none()
        && routing.iso.is_none()
        && routing.from.is_none()
        && notices.get(Source::Routing).is_none()
        && !routing.jobs.busy(Lane::Route)
    {
        return None;
    }
    ui.label(RichText::new(tr(lang, Msg::Route)).strong());
    let action = route_details_ui(ui, routing, notices, lang);
    ui.separator();
    action
}

fn route_details_ui(ui: &mut Ui, routing: &RoutingState, notices: &mut Notices, lang: Lang) -> Option<Action> {
    if let Some(p) = routing.from {
        ui.label(format!("{}: {:.5}, {:.5}", tr(lang, Msg::RouteStart), p[0], p[1]));
        ui.label(RichText::new(tr(lang, Msg::RoutePickEnd)).weak());
    }
    if let Some(r) = &routing.route {
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
    if let Some(iso) = &routing.iso {
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
    if routing.jobs.busy(Lane::Route) {
        ui.label(RichText::new(tr(lang, Msg::RouteComputing)).italics());
    }
    notice_ui(ui, notices, Source::Routing, lang);
    ui.button(tr(lang, Msg::ClearRoute))
        .clicked()
        .then_some(Action::ClearRouting)
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

/// The current notice of `source`, coloured by severity, with a button that dismisses it.
pub(super) fn notice_ui(ui: &mut Ui, notices: &mut Notices, source: Source, lang: Lang) {
    let Some(n) = notices.get(source) else { return };
    let (id, colour) = (
        n.id,
        match n.severity {
            Severity::Info => theme::HIGHLIGHT,
            Severity::Warning | Severity::Error => theme::WARN_TEXT,
        },
    );
    let text = n.text.clone();
    let mut dismiss = false;
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(colour, text);
        dismiss = ui.small_button("×").on_hover_text(tr(lang, Msg::Dismiss)).clicked();
    });
    if dismiss {
        notices.dismiss(id);
    }
}

/// A status-bar button opening the history of every notice raised, newest first.
fn notices_history_ui(ui: &mut Ui, notices: &Notices, lang: Lang) {
    let count = notices.history().count();
    if count == 0 {
        return;
    }
    ui.separator();
    ui.menu_button(format!("{} ({count})", tr(lang, Msg::NoticeHistory)), |ui| {
        egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
            for n in notices.history().rev() {
                let colour = match n.severity {
                    Severity::Info => ui.visuals().text_color(),
                    Severity::Warning | Severity::Error => theme::WARN_TEXT,
                };
                let secs = n.at_s.max(0.0) as u64;
                ui.colored_label(
                    colour,
                    format!("+{:02}:{:02}:{:02} {}", secs / 3600, secs / 60 % 60, secs % 60, n.text),
                );
            }
        });
    });
}

#[cfg(test)]
mod hierarchy_line_tests {
    use super::{HierarchyStatus, Lang, hierarchy_line};

    #[test]
    fn the_line_shows_the_share_while_building_and_goes_when_ready() {
        let (share, text) = hierarchy_line(HierarchyStatus::Building(0.424), Lang::Zh).unwrap_or_default();
        assert_eq!((share, text.as_str()), (0.424, "路网分层预处理 42%"));
        let (_, text) = hierarchy_line(HierarchyStatus::Building(1.0), Lang::En).unwrap_or_default();
        assert_eq!(text, "Preparing road hierarchy 100%");
        assert_eq!(hierarchy_line(HierarchyStatus::Ready, Lang::Zh), None);
        let (share, text) = hierarchy_line(HierarchyStatus::Unavailable, Lang::Zh).unwrap_or_default();
        assert!(share == 0.0 && text.starts_with("路网分层未启动"), "{text}");
    }
}
