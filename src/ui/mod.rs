//! The egui console: layout, panels (functions named `*_ui`), keyboard shortcuts and persistence.
//! Reads the map pack and settings; long work (tile downloads) runs in `backend`, never here.

pub mod action;
pub mod alerts_board;
mod boards;
pub mod connection;
pub mod coverage;
pub mod detail;
pub mod drill;
pub mod errors;
pub mod fonts;
pub mod incident_form;
pub mod log_board;
mod map_view;
pub mod mode;
pub mod notices;
mod panels;
pub mod parts;
pub mod pending;
pub mod replay;
pub mod settings;
pub mod wall;
pub mod warning_form;

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui, Vec2, vec2};
use walkers::{MapMemory, lon_lat};

use crate::backend::jobs::{JobError, Lane};
use crate::backend::routing::{DispatchContext, Reply, RouteJob, RouteReply, RoutingWorker};
use crate::backend::store::{Answer, Done, Intent, Refused, StoreCommand, StoreEvent, StoreWorker};
use crate::backend::tiles::{TileFetcher, TileSourceSpec};
use crate::geom::{BBox, mercator_norm, mercator_norm_inverse};
/// The language table lives below both `map` and `ui`; re-exported for the panels.
pub use crate::i18n;
use crate::map::basemap::Basemap;
use crate::map::ops::OpsRef;
use crate::map::raster::RasterTiles;
use crate::map::{MAX_ZOOM, MIN_ZOOM, fit_zoom, mercator_center};
use crate::mappack::MapPack;
use crate::model::situation::Situation;
use crate::search::{PlaceIndex, PlaceKind, Target};
/// The palette lives below both `map` and `ui`; re-exported for the panels.
pub use crate::style as theme;
use action::Action;
use i18n::{Lang, Msg, tr};
pub use mode::Mode;
use notices::{Notices, Severity, Source};
use parts::{BoardsState, DispatchState, LiveView, MapView, RasterState, RoutingState, SearchState, TrackState, World};
use settings::{RasterKind, SavedView, Settings};

/// Search results listed.
const MAX_RESULTS: usize = 8;

const SHORTCUT_SEARCH: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const SHORTCUT_LANG: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::L);

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

/// Which board is shown beside the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    /// Units.
    Units,
    /// Incidents.
    Incidents,
    /// Warehouse stock.
    Stock,
    /// Shelters.
    Shelters,
    /// The event log.
    Log,
    /// Coverage and siting.
    Coverage,
    /// Warnings, earthquakes and rule drafts (预警).
    Alerts,
}

/// Where the console keeps its situation.
#[derive(Debug, Clone)]
pub enum Database {
    /// No database: map only.
    None,
    /// In memory (tests, throw-away demos).
    InMemory,
    /// A SQLite file, created on first use.
    File(PathBuf),
}

/// The console application: a short list of named parts (see `parts`), each drawn and changed
/// by the panels it concerns.
pub struct OneMapApp {
    /// The pack and what is built from it once.
    pub world: World,
    /// Persisted settings.
    pub settings: Settings,
    /// Live, drill or replay, with the handles of that mode.
    pub mode: Mode,
    /// The folded situation the console draws (empty until the store reports).
    pub situation: Arc<Situation>,
    /// The store's other news: file, demo offer, log tail, clock.
    pub live: LiveView,
    /// Camera and what the map drew.
    pub map: MapView,
    /// The search box.
    pub search: SearchState,
    /// The raster basemap.
    pub raster: RasterState,
    /// Routes, isochrones and the routing worker.
    pub routing: RoutingState,
    /// Selected operational entity.
    pub selected_ops: Option<OpsRef>,
    /// The dispatch in progress.
    pub dispatch: DispatchState,
    /// Routes of moving units.
    pub tracks: TrackState,
    /// Which board and its filters.
    pub boards: BoardsState,
    /// Live coverage, move-up hints, siting and supplies (from the worker's coverage lanes).
    pub coverage: coverage::CoverageState,
    /// Drill scenarios and the last drill's outcome.
    pub drill_setup: drill::DrillSetup,
    /// The new-incident form (kept until the store confirms it).
    pub incident_form: incident_form::IncidentForm,
    /// Everything the console tells the officer (one queue; panels show their sources).
    pub notices: Notices,
    /// The selected incident's corrections being typed (note, cancel, relocate).
    pub correction: detail::CorrectionState,
    /// Alerts: sources worker, board, overlay.
    pub alerts: parts::AlertsView,
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
            world: World {
                pack: Arc::new(pack),
                basemap,
                index,
                counties,
                has_plans: false,
                schematic_roads: false,
                county_shapes: pending::Counties::default(),
                alerts: None,
            },
            settings,
            mode: Mode::MapOnly,
            situation: Arc::new(Situation::default()),
            live: LiveView::default(),
            map: MapView::new(memory, center, saved.is_none()),
            search: SearchState::default(),
            raster: RasterState {
                tiles: None,
                url_edit: raster_url_edit,
                cache_dir,
            },
            routing: RoutingState::default(),
            selected_ops: None,
            dispatch: DispatchState::default(),
            tracks: TrackState::default(),
            boards: BoardsState::default(),
            coverage: Default::default(),
            drill_setup: drill::DrillSetup::default(),
            incident_form: incident_form::IncidentForm::default(),
            notices: Notices::default(),
            correction: detail::CorrectionState::default(),
            alerts: parts::AlertsView::default(),
        };
        match crate::backend::alerts::AlertContext::for_pack(&app.world.pack) {
            Ok(c) => app.world.alerts = Some(Arc::new(c)),
            // A broken alerts.toml is said once; the console runs without alerts.
            Err(e) => {
                app.notices.push(Severity::Warning, Source::Alerts, e.to_string());
            }
        }
        app.world.county_shapes = pending::Counties::from_pack(&app.world.pack);
        let mut coverage_ctx = None;
        app.drill_setup = drill::DrillSetup::scan(&app.world.pack.dir);
        let dispatch = match crate::dispatch::Plans::load_pack(&app.world.pack.dir) {
            Ok(plans) => {
                coverage_ctx = Some(crate::backend::coverage_jobs::CoverageContext::new(
                    app.world.pack.clone(),
                    plans.clone(),
                ));
                Some(DispatchContext {
                    plans,
                    geography: crate::dispatch::Geography::from_pack(&app.world.pack),
                })
            }
            Err(e) => {
                // A pack without plans simply has no suggestions; a broken plans file is reported.
                if app.world.pack.dir.join("plans.toml").exists() {
                    app.notices.push(Severity::Warning, Source::Dispatch, e.to_string());
                }
                None
            }
        };
        app.world.has_plans = dispatch.is_some();
        if let Some((graph, spec)) = app.world.pack.roads() {
            app.world.schematic_roads = spec.schematic;
            match RoutingWorker::start_with_coverage(graph, spec, dispatch, coverage_ctx, ctx.clone()) {
                Ok(w) => app.routing.worker = Some(w),
                Err(e) => {
                    app.notices.push(Severity::Warning, Source::Routing, e.to_string());
                }
            }
        }
        if app.settings.raster.enabled {
            app.start_raster(ctx);
        }
        app
    }

    /// Attach the situation database (opened on the store worker thread).
    pub fn with_database(mut self, ctx: &egui::Context, db: Database) -> OneMapApp {
        self.attach_database(ctx, db);
        self
    }

    /// Open the situation database on a (new) store worker, replacing any other.
    pub fn attach_database(&mut self, ctx: &egui::Context, db: Database) {
        let path = match db {
            Database::None => return,
            Database::InMemory => None,
            Database::File(p) => Some(p),
        };
        let drop_dir = match (&path, &self.world.alerts) {
            (Some(p), Some(c)) if !crate::store::pg::is_url(p) => Some(c.drop_dir(p)),
            // A server database has no folder of its own: alerts.toml's, or this user's.
            (Some(_), Some(c)) => {
                let data = directories::ProjectDirs::from("cn", "xsbn-emergency", "onemap")
                    .map(|d| d.data_dir().to_path_buf());
                c.server_drop_dir(data.as_deref())
            }
            _ => None,
        };
        let lease_db = path.clone();
        match StoreWorker::start(path, ctx.clone()) {
            Ok(w) => {
                self.start_alerts(ctx, &w, drop_dir, lease_db);
                self.mode = Mode::Live { store: w };
            }
            Err(e) => {
                self.notices.push(Severity::Error, Source::Store, e.to_string());
            }
        }
    }

    /// Watch `drop_dir` (if any) and poll the pack's feeds, handing documents to `store`.
    fn start_alerts(
        &mut self,
        ctx: &egui::Context,
        store: &StoreWorker,
        drop_dir: Option<PathBuf>,
        lease_db: Option<PathBuf>,
    ) {
        self.alerts.worker = None;
        let Some(context) = self.world.alerts.clone() else {
            return;
        };
        let who = crate::backend::alerts::Recorder {
            operator: self.operator(),
            seat: self.seat(),
        };
        match crate::backend::alerts::AlertsWorker::start(context, drop_dir, lease_db, store.sender(), who, ctx.clone())
        {
            Ok(w) => self.alerts.worker = Some(w),
            Err(e) => {
                self.notices.push(Severity::Warning, Source::Alerts, e.to_string());
            }
        }
    }

    /// Whether the store is open.
    pub fn has_store(&self) -> bool {
        self.live.store_path.is_some()
    }

    /// The last database error shown to the operator.
    pub fn store_error(&self) -> Option<&str> {
        self.notices.text(Source::Store)
    }

    fn drain_store(&mut self) {
        let mut answers = Vec::new();
        let seq = self.situation.last_seq;
        self.drain_store_events(&mut answers);
        if self.situation.last_seq != seq {
            self.sync_tracks();
        }
        for a in answers {
            self.answered(a);
        }
    }

    fn drain_store_events(&mut self, answers: &mut Vec<Answer>) {
        let Some(w) = self.mode.writer() else { return };
        let mut changed = false;
        let mut imported = Vec::new();
        let mut copied = None;
        while let Ok(ev) = w.rx.try_recv() {
            match ev {
                StoreEvent::Opened {
                    path,
                    created,
                    situation,
                    warnings,
                } => {
                    self.live.store_path = Some(path);
                    self.situation = situation;
                    self.live.arrivals.reset();
                    self.live.arrivals.observe(&self.situation);
                    let empty = self.situation.last_seq == 0;
                    self.live.offer_demo = created && empty && self.world.pack.dir.join("demo").is_dir();
                    if !warnings.is_empty() {
                        self.notices.push(Severity::Error, Source::Store, warnings.join("; "));
                    }
                }
                StoreEvent::Situation { situation, answer } => {
                    self.situation = situation;
                    changed = true;
                    answers.extend(answer);
                }
                StoreEvent::Answer(a) => answers.push(a),
                StoreEvent::Log(l) => self.live.log = l,
                StoreEvent::AlertImported(m) => imported.push(m),
                StoreEvent::TrainingCopied(r) => copied = Some(r),
                StoreEvent::Error(e) => {
                    self.notices.push(Severity::Error, Source::Store, e.to_string());
                }
            }
        }
        for m in imported {
            self.alert_imported(&m);
        }
        if let Some(r) = copied {
            self.training_copied(r);
        }
        if changed {
            self.arrivals_observed();
        }
    }

    /// Raise the arrival alert for incidents new in the situation: a notice, the banner in the
    /// top bar (until acknowledged) and, when switched on, the chime.
    fn arrivals_observed(&mut self) {
        let new = self.live.arrivals.observe(&self.situation);
        if new.is_empty() {
            return;
        }
        let lang = self.settings.lang;
        let ids: Vec<String> = new.iter().map(|i| format!("#{}", i.0)).collect();
        let text = format!("{}: {}", tr(lang, Msg::NewArrivals), ids.join(" "));
        self.notices.push(Severity::Warning, Source::Arrival, text);
        if self.settings.alert_sound {
            self.live.arrivals.chimes += 1;
            crate::backend::desktop::chime();
        }
    }

    /// Tell the officer what arrived: new warnings and earthquakes, unreadable documents.
    fn alert_imported(&mut self, m: &crate::alerts::ingest::ImportedMessage) {
        use crate::model::alert::AlertDecision as D;
        let lang = self.settings.lang;
        let what = m
            .infos
            .first()
            .map(|i| i.event.clone())
            .or_else(|| m.quakes.first().map(|q| format!("M{:.1}", q.magnitude)))
            .unwrap_or_default();
        match m.decision {
            D::Rejected => self.notices.push(
                Severity::Warning,
                Source::Alerts,
                format!(
                    "{}: {} — {}",
                    tr(lang, Msg::AlertUnreadable),
                    m.file,
                    m.error.as_deref().unwrap_or_default()
                ),
            ),
            D::New | D::Update | D::Cancel => self.notices.push_for(
                Severity::Info,
                Source::Alerts,
                format!(
                    "{}: {what} ({})",
                    tr(lang, Msg::AlertArrived),
                    lang.pick(m.decision.name_zh(), m.decision.name_en())
                ),
                10.0,
            ),
            D::Duplicate | D::Expired | D::Ignored => 0,
        };
    }

    /// Default CAP file of a warning composed now: `alerts-outbox/` next to the database.
    fn warning_out_path(&self, now_ms: i64) -> PathBuf {
        let dir = self
            .live
            .store_path
            .as_deref()
            .filter(|p| !crate::store::pg::is_url(p))
            .and_then(|p| p.parent())
            .map(|d| d.join("alerts-outbox"))
            .unwrap_or_else(|| PathBuf::from("alerts-outbox"));
        dir.join(format!("warning-{}.xml", crate::local_time::beijing_stamp(now_ms)))
    }

    /// Send a composed warning to the store worker; the dialog waits for its answer.
    fn issue_warning(&mut self, (draft, replaces, out): (crate::alerts::issue::WarningDraft, Option<String>, PathBuf)) {
        let lang = self.settings.lang;
        let Some(context) = self.world.alerts.clone() else {
            return;
        };
        let (operator, seat) = (self.operator(), self.seat());
        let Some(store) = self.mode.writer() else {
            self.alerts.compose.error = Some(tr(lang, Msg::NoDatabase).to_string());
            return;
        };
        self.live.next_req += 1;
        let cmd = StoreCommand::IssueWarning {
            req: self.live.next_req,
            operator,
            seat,
            order: Box::new(crate::backend::store::WarningOrder {
                draft,
                replaces,
                out,
                context,
            }),
        };
        match store.send(cmd) {
            Ok(()) => self.alerts.compose.pending = Some(self.live.next_req),
            Err(e) => self.alerts.compose.error = Some(e.to_string()),
        }
    }

    /// Send an intent to the store worker (refused in replay, which is read-only). Returns its
    /// request id, which the answer echoes.
    pub fn send_intent(&mut self, intent: Intent) -> Option<u64> {
        // Only live work and drills hold a writer: replay cannot send an intent.
        let Some(store) = self.mode.writer() else {
            if self.mode.replay().is_some() {
                self.notices.push(
                    Severity::Warning,
                    Source::Dispatch,
                    tr(self.settings.lang, Msg::ReadOnly).to_string(),
                );
            }
            return None;
        };
        self.live.next_req += 1;
        let cmd = StoreCommand::Intent {
            req: self.live.next_req,
            operator: self.operator(),
            seat: self.seat(),
            intent,
        };
        match store.send(cmd) {
            Ok(()) => Some(self.live.next_req),
            Err(e) => {
                self.notices.push(Severity::Error, Source::Store, e.to_string());
                None
            }
        }
    }

    /// The store worker answered an intent: hand it to whoever asked.
    fn answered(&mut self, a: Answer) {
        if self.incident_form.pending == Some(a.req) {
            return self.incident_saved(a.result);
        }
        if let Some((req, what)) = self.correction.pending
            && req == a.req
        {
            self.correction.pending = None;
            match a.result {
                Ok(_) => self.correction.done(what),
                Err(e) => {
                    let text = errors::refused(&e, self.settings.lang);
                    self.notices.push(Severity::Warning, Source::Dispatch, text);
                }
            }
            return;
        }
        if self.alerts.compose.pending == Some(a.req) {
            self.alerts.compose.pending = None;
            match a.result {
                Ok(_) => {
                    let out = std::mem::take(&mut self.alerts.compose.out);
                    self.alerts.compose.open = false;
                    let text = format!("{} {out}", tr(self.settings.lang, Msg::WarningIssuedOut));
                    self.notices.push_for(Severity::Info, Source::Toast, text, 8.0);
                }
                Err(e) => self.alerts.compose.error = Some(errors::refused(&e, self.settings.lang)),
            }
            return;
        }
        if self.dispatch.pending == Some(a.req) {
            self.dispatch.pending = None;
            return self.dispatch_answered(a.result);
        }
        if let Err(e) = a.result {
            let text = errors::refused(&e, self.settings.lang);
            self.notices.push(Severity::Error, Source::Store, text);
        }
    }

    /// Load the pack's demo scenario into the database.
    pub fn load_demo(&mut self) {
        self.live.offer_demo = false;
        let dir = self.world.pack.dir.join("demo");
        if let Some(store) = self.mode.writer()
            && let Err(e) = store.send(StoreCommand::LoadDemo(dir))
        {
            self.notices.push(Severity::Error, Source::Store, e.to_string());
        }
    }

    /// Whether the situation holds demo records (the DEMO badge shows).
    pub fn has_demo_records(&self) -> bool {
        let s = &self.situation;
        s.units.values().any(|u| u.spec.demo)
            || s.stations.values().any(|x| x.spec.demo)
            || s.warehouses.values().any(|x| x.spec.demo)
            || s.shelters.values().any(|x| x.spec.demo)
    }

    /// Select an operational entity and centre the map on it.
    pub fn select_ops(&mut self, ctx: &egui::Context, what: OpsRef) {
        self.selected_ops = Some(what);
        if let Some(ll) = self.ops_lonlat(what) {
            let z = self.map.memory.zoom().max(12.0);
            self.fly_to_norm(ctx, mercator_norm(ll[0], ll[1]), z);
        }
    }

    fn ops_lonlat(&self, what: OpsRef) -> Option<[f64; 2]> {
        let s = &self.situation;
        match what {
            OpsRef::Station(id) => s.stations.get(&id).map(|x| x.spec.lonlat.lonlat()),
            OpsRef::Unit(id) => s.units.get(&id).map(|x| x.lonlat.lonlat()),
            OpsRef::Warehouse(id) => s.warehouses.get(&id).map(|x| x.spec.lonlat.lonlat()),
            OpsRef::Shelter(id) => s.shelters.get(&id).map(|x| x.spec.lonlat.lonlat()),
            OpsRef::Incident(id) => s.incidents.get(&id).map(|x| x.lonlat.lonlat()),
        }
    }

    /// The loaded pack.
    pub fn pack(&self) -> &MapPack {
        &self.world.pack
    }

    /// Whether a pack layer is shown.
    pub fn layer_visible(&self, name: &str) -> bool {
        self.settings.layer_visible(&self.world.pack, name)
    }

    /// Current map centre (lon/lat) and zoom.
    pub fn view_center_zoom(&self) -> ([f64; 2], f64) {
        let c = mercator_norm_inverse(self.map.center_norm[0], self.map.center_norm[1]);
        (c, self.map.memory.zoom())
    }

    fn t(&self, msg: Msg) -> &'static str {
        tr(self.settings.lang, msg)
    }

    fn fly_to_norm(&mut self, ctx: &egui::Context, to_norm: [f64; 2], to_zoom: f64) {
        self.map.fly_to_norm(ctx, to_norm, to_zoom);
    }

    /// Fly to fit a lon/lat box.
    pub fn fly_to_bbox(&mut self, ctx: &egui::Context, bbox: BBox) {
        let c = mercator_center(bbox);
        let z = fit_zoom(bbox, self.map.map_size, 24.0);
        self.fly_to_norm(ctx, mercator_norm(c[0], c[1]), z);
    }

    /// Fly to a search target.
    pub fn fly_to_target(&mut self, ctx: &egui::Context, target: Target) {
        match target {
            Target::Point(p) => {
                self.map.highlight = Some(p);
                let z = self.map.memory.zoom().max(12.0);
                self.fly_to_norm(ctx, mercator_norm(p[0], p[1]), z);
            }
            Target::Area(b) => {
                self.map.highlight = None;
                self.fly_to_bbox(ctx, b);
            }
        }
    }

    fn start_raster(&mut self, ctx: &egui::Context) {
        self.raster.tiles = None;
        let spec = match self.settings.raster.kind {
            RasterKind::Url => TileSourceSpec::Url(self.settings.raster.url_template.clone()),
            RasterKind::Pmtiles => TileSourceSpec::Pmtiles(PathBuf::from(self.settings.raster.pmtiles_path.trim())),
        };
        match TileFetcher::start(spec, self.raster.cache_dir.clone(), ctx.clone()) {
            Ok(f) => {
                self.raster.tiles = Some(RasterTiles::new(f));
                self.notices.clear(Source::Raster);
            }
            Err(e) => {
                // Say why and fall back to the vector basemap; the choice stays editable.
                self.notices.push(Severity::Error, Source::Raster, e);
            }
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.input_mut(|i| i.consume_shortcut(&SHORTCUT_SEARCH)) {
            self.search.focus = true;
        }
        if ctx.input_mut(|i| i.consume_shortcut(&incident_form::SHORTCUT_NEW)) {
            self.open_incident_form(None);
        }
        if ctx.input_mut(|i| i.consume_shortcut(&SHORTCUT_LANG)) {
            self.settings.lang = self.settings.lang.other();
        }
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if self.alerts.compose.sketch.is_some() {
            // Drawing the warning area: these keys are the drawing's, nothing else's.
            use action::DrawStep;
            for (key, step) in [
                (Key::Enter, DrawStep::Close),
                (Key::Backspace, DrawStep::Undo),
                (Key::Escape, DrawStep::Cancel),
            ] {
                if ctx.input_mut(|i| i.consume_key(egui::Modifiers::NONE, key)) {
                    self.alerts.compose.draw(step);
                }
            }
            return;
        }
        if let Some(OpsRef::Incident(id)) = self.selected_ops {
            let (r, enter, shift_enter, alt_digit) = ctx.input(|i| {
                let digits = [
                    Key::Num1,
                    Key::Num2,
                    Key::Num3,
                    Key::Num4,
                    Key::Num5,
                    Key::Num6,
                    Key::Num7,
                    Key::Num8,
                    Key::Num9,
                ];
                (
                    i.key_pressed(Key::R) && i.modifiers.is_none(),
                    i.key_pressed(Key::Enter) && !i.modifiers.shift,
                    i.key_pressed(Key::Enter) && i.modifiers.shift,
                    digits.iter().position(|k| i.modifiers.alt && i.key_pressed(*k)),
                )
            });
            if r {
                self.request_recommendation(id);
            }
            if shift_enter
                && self
                    .dispatch
                    .reassign_offer
                    .as_ref()
                    .is_some_and(|o| o.request.incident == id)
            {
                self.accept_reassign();
            } else if enter
                && self
                    .dispatch
                    .recommendation
                    .as_ref()
                    .is_some_and(|rec| rec.incident == id)
            {
                self.accept_recommendation();
            }
            if let Some(n) = alt_digit
                && let Some(rec) = &self.dispatch.recommendation
                && let Some(u) = rec.unit_ids().get(n).copied()
                && !self.dispatch.unticked.remove(&u)
            {
                self.dispatch.unticked.insert(u);
            }
        }
        if let Some(OpsRef::Unit(id)) = self.selected_ops {
            use crate::model::unit::UnitStatus;
            let to = ctx.input(|i| {
                if !i.modifiers.is_none() {
                    return None;
                }
                [
                    (Key::E, UnitStatus::EnRoute),
                    (Key::S, UnitStatus::OnScene),
                    (Key::B, UnitStatus::Returning),
                    (Key::A, UnitStatus::Available),
                    (Key::O, UnitStatus::OutOfService),
                ]
                .into_iter()
                .find(|(k, _)| i.key_pressed(*k))
                .map(|(_, s)| s)
            });
            if let Some(to) = to {
                self.set_unit_status(id, to);
            }
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
            let b = self.world.pack.bbox();
            self.fly_to_bbox(ctx, b);
        }
        if let Some(d) = digit
            && let Some(c) = self.world.counties.get(d)
        {
            let b = c.bbox;
            self.fly_to_bbox(ctx, b);
        }
        let z = self.map.memory.zoom();
        if zoom_in {
            self.fly_to_norm(ctx, self.map.center_norm, (z + 1.0).round());
        }
        if zoom_out {
            self.fly_to_norm(ctx, self.map.center_norm, (z - 1.0).round());
        }
        if pan != Vec2::ZERO {
            let step = 0.25 * self.map.map_size.x.min(self.map.map_size.y) as f64 / (256.0 * 2f64.powf(z));
            let to = [
                self.map.center_norm[0] + pan.x as f64 * step,
                self.map.center_norm[1] + pan.y as f64 * step,
            ];
            self.fly_to_norm(ctx, to, z);
        }
    }

    /// Change a unit's status (an event), or say why it is not allowed from where it is.
    pub fn set_unit_status(&mut self, unit: crate::model::ids::UnitId, to: crate::model::unit::UnitStatus) {
        let Some(u) = self.situation.units.get(&unit) else {
            return;
        };
        if u.status.can_transition_to(to) {
            self.notices.clear(Source::Dispatch);
            self.send_intent(Intent::SetUnitStatus { unit, to });
        } else {
            let lang = self.settings.lang;
            let text = format!(
                "{}: {} → {}",
                tr(lang, Msg::NotAllowed),
                lang.pick(u.status.name_zh(), u.status.name_en()),
                lang.pick(to.name_zh(), to.name_en())
            );
            self.notices.push(Severity::Warning, Source::Dispatch, text);
        }
    }

    /// Ask for dispatch suggestions for an incident (computed on the routing worker).
    pub fn request_recommendation(&mut self, incident: crate::model::ids::IncidentId) {
        if !self.world.has_plans {
            self.notices.push(
                Severity::Warning,
                Source::Dispatch,
                tr(self.settings.lang, Msg::NoPlans).to_string(),
            );
            return;
        }
        self.dispatch.recommendation = None;
        let affected = (self.dispatch.affected_people > 0).then_some(self.dispatch.affected_people);
        self.dispatch.affected_asked = self.dispatch.affected_people;
        self.request(RouteJob::Recommend {
            situation: self.situation.clone(),
            incident,
            affected,
        });
    }

    /// Dispatch the ticked suggested units (all by default), with the suggested supplies when
    /// `reserve_supplies` is on: validated against the current situation, then sent to the store
    /// as one batch (all or nothing). Units committed elsewhere meanwhile are offered for
    /// reassignment instead.
    pub fn accept_recommendation(&mut self) {
        let Some(rec) = self.dispatch.recommendation.clone() else {
            return;
        };
        let units: Vec<_> = rec
            .unit_ids()
            .into_iter()
            .filter(|u| !self.dispatch.unticked.contains(u))
            .collect();
        let mut req = crate::dispatch::DispatchRequest::units(rec.incident, units);
        if self.dispatch.reserve_supplies {
            req.reserve = rec
                .supplies
                .iter()
                .flat_map(|s| {
                    s.allocations
                        .iter()
                        .map(|a| (a.warehouse, s.item_code.clone(), a.quantity))
                })
                .filter(|(_, _, q)| *q > 0)
                .collect();
        }
        self.tracks.prefetched = rec
            .requirements
            .iter()
            .flat_map(|r| r.filled.iter())
            .filter(|s| req.units.contains(&s.unit))
            .map(|s| crate::dispatch::tracking::Track {
                unit: s.unit,
                incident: rec.incident,
                geometry_lonlat: s.route_lonlat.clone(),
                eta_s: s.eta_s,
                estimate: s.estimate,
            })
            .collect();
        self.submit_dispatch(req);
    }

    /// Send a dispatch intent. The store worker builds and validates its events against the log
    /// inside the append (never against this console's copy, which may be a polling second old);
    /// units committed elsewhere come back as a reassignment offer. Returns whether it was sent.
    pub fn submit_dispatch(&mut self, req: crate::dispatch::DispatchRequest) -> bool {
        match self.send_intent(Intent::Dispatch(req)) {
            Some(id) => {
                self.dispatch.pending = Some(id);
                self.dispatch.reassign_offer = None;
                true
            }
            None => false,
        }
    }

    /// The store's answer to the last dispatch intent.
    fn dispatch_answered(&mut self, result: Result<Done, Refused>) {
        match result {
            Ok(_) => {
                self.notices.clear(Source::Dispatch);
                self.dispatch.reassign_offer = None;
                self.dispatch.recommendation = None;
                self.dispatch.unticked.clear();
            }
            Err(Refused::Reassign(offer)) => {
                self.notices.clear(Source::Dispatch);
                self.dispatch.reassign_offer = Some(offer);
            }
            Err(e) => {
                self.dispatch.reassign_offer = None;
                let text = errors::refused(&e, self.settings.lang);
                self.notices.push(Severity::Warning, Source::Dispatch, text);
            }
        }
    }

    /// Accept the pending reassignment offer: releases and re-dispatches in one batch.
    pub fn accept_reassign(&mut self) {
        if let Some(offer) = self.dispatch.reassign_offer.take() {
            self.submit_dispatch(offer.request);
        }
    }

    /// Operator name written into events.
    pub fn operator(&self) -> String {
        self.settings.operator_name()
    }

    /// Console seat written into events.
    pub fn seat(&self) -> String {
        self.settings.seat_name()
    }

    /// "Now" for timers and estimates, ms since the epoch.
    pub fn now_ms(&self) -> i64 {
        self.live.clock_ms.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        })
    }

    /// Keep a route for every moving unit: drop those of units that stopped or were sent
    /// elsewhere, reuse the suggestion's route for a fresh dispatch, ask the routing worker for
    /// the rest (e.g. after a restart).
    fn sync_tracks(&mut self) {
        use crate::model::unit::UnitStatus;
        let sit = self.situation.clone();
        let moving = |u: &crate::model::unit::Unit| matches!(u.status, UnitStatus::Dispatched | UnitStatus::EnRoute);
        self.tracks.routes.retain(|id, t| {
            sit.units
                .get(id)
                .is_some_and(|u| moving(u) && u.assignment == Some(t.incident))
        });
        self.tracks.failed.retain(|id, _| sit.units.get(id).is_some_and(moving));
        let mut legs = Vec::new();
        for u in sit.units.values().filter(|u| moving(u)) {
            let Some(inc) = u.assignment.and_then(|i| sit.incidents.get(&i)) else {
                continue;
            };
            if self.tracks.routes.contains_key(&u.id) || self.tracks.failed.contains_key(&u.id) {
                continue;
            }
            if let Some(k) = self
                .tracks
                .prefetched
                .iter()
                .position(|t| t.unit == u.id && t.incident == inc.id)
            {
                let t = self.tracks.prefetched.swap_remove(k);
                self.tracks.routes.insert(u.id, t);
                continue;
            }
            if self.tracks.pending.insert((u.id, inc.id)) {
                legs.push((u.id, inc.id, u.lonlat.lonlat(), inc.lonlat.lonlat()));
            }
        }
        if !legs.is_empty()
            && self.routing.worker.is_some()
            && self.submit_job(RouteJob::Tracks { legs: legs.clone() }).is_err()
        {
            // Busy: forget them so the next situation update asks again.
            for (u, i, _, _) in legs {
                self.tracks.pending.remove(&(u, i));
            }
        }
    }

    /// Estimated positions of moving units now, by unit id.
    pub fn estimated_positions(&self) -> std::collections::HashMap<crate::model::ids::UnitId, [f64; 2]> {
        let now = self.now_ms();
        let mut out: std::collections::HashMap<crate::model::ids::UnitId, [f64; 2]> = self
            .tracks
            .routes
            .values()
            .filter_map(|t| {
                let u = self.situation.units.get(&t.unit)?;
                crate::dispatch::tracking::estimate_position(u, t, now).map(|e| (t.unit, e.lonlat))
            })
            .collect();
        // In a simulated drill the simulator knows where its units are.
        for (u, ll) in self.drill_positions().unwrap_or(&[]) {
            out.insert(*u, *ll);
        }
        out
    }

    /// Ask the worker for a route, an isochrone or suggestions; the newest request of its lane
    /// wins.
    pub fn request(&mut self, job: RouteJob) {
        if matches!(job, RouteJob::Recommend { .. }) {
            self.dispatch.unticked.clear();
            self.dispatch.reassign_offer = None;
        }
        if self.routing.worker.is_none() {
            self.notices.push(
                Severity::Warning,
                Source::Routing,
                tr(self.settings.lang, Msg::NoRoads).to_string(),
            );
            return;
        }
        match self.submit_job(job) {
            Ok(_) => self.notices.clear(Source::Routing),
            Err(e) => {
                let text = errors::job_error(&e, self.settings.lang);
                self.notices.push(Severity::Warning, Source::Routing, text);
            }
        }
    }

    /// Send a job to the routing worker under a new generation of its lane.
    fn submit_job(&mut self, job: RouteJob) -> Result<u64, JobError> {
        let w = self.routing.worker.as_ref().ok_or(JobError::NoRoads)?;
        let lane = job.lane();
        self.routing.jobs.submit(lane, |generation| w.submit(generation, job))
    }

    /// Start a route at a point (the destination comes next).
    pub fn route_from_here(&mut self, p: [f64; 2]) {
        self.routing.from = Some(p);
        self.routing.route = None;
    }

    /// Finish a route at a point: from the chosen start, else from the last route's start.
    pub fn route_to_here(&mut self, p: [f64; 2]) {
        let from = self.routing.from.or(self.routing.route.as_ref().map(|r| r.from));
        match from {
            Some(from) => self.request(RouteJob::Route { from, to: p }),
            None => {
                self.notices.push(
                    Severity::Warning,
                    Source::Routing,
                    tr(self.settings.lang, Msg::RoutePickEnd).to_string(),
                );
            }
        }
    }

    /// Whether a routing job is in flight.
    pub fn routing_busy(&self) -> bool {
        self.routing.jobs.busy(Lane::Route) || self.routing.jobs.busy(Lane::Recommend)
    }

    /// Hand each routing reply to the state of its lane; [`Jobs`] drops superseded ones.
    fn drain_routing(&mut self) {
        let Some(w) = self.routing.worker.as_ref() else { return };
        let replies: Vec<_> = w.rx.try_iter().collect();
        let lang = self.settings.lang;
        for (lane, generation, reply) in replies {
            // Every tracks reply carries routes of other units: none supersedes another.
            if !self.routing.jobs.accept(lane, generation) && lane != Lane::Tracks {
                continue;
            }
            match (lane, reply) {
                (_, Ok(Reply::Coverage(c))) => self.coverage.accept(Ok(c), &mut self.notices, lang),
                (Lane::Coverage | Lane::MoveUp | Lane::Siting | Lane::Supplies, Err(e)) => {
                    self.coverage.accept(Err(e), &mut self.notices, lang)
                }
                (_, Ok(Reply::Route(RouteReply::Tracks(tracks, failed)))) => {
                    for t in tracks {
                        self.tracks.pending.remove(&(t.unit, t.incident));
                        self.tracks.routes.insert(t.unit, t);
                    }
                    for (u, e) in failed {
                        self.tracks.pending.retain(|(pu, _)| *pu != u);
                        self.tracks.failed.insert(u, errors::roads_error(&e, lang));
                    }
                }
                (_, Ok(Reply::Route(RouteReply::Route(r)))) => {
                    self.routing.from = None;
                    self.routing.route = Some(r);
                }
                (_, Ok(Reply::Route(RouteReply::Isochrone(i)))) => self.routing.iso = Some(i),
                (_, Ok(Reply::Route(RouteReply::Recommendation(r)))) => {
                    self.dispatch.recommendation = Some(*r);
                    self.notices.clear(Source::Dispatch);
                }
                (Lane::Recommend, Err(e)) => {
                    self.notices
                        .push(Severity::Warning, Source::Dispatch, errors::job_error(&e, lang));
                }
                (_, Err(e)) => {
                    self.notices
                        .push(Severity::Warning, Source::Routing, errors::job_error(&e, lang));
                }
            }
        }
    }

    fn clear_routing(&mut self) {
        self.routing.route = None;
        self.routing.iso = None;
        self.routing.from = None;
        self.notices.clear(Source::Routing);
    }

    fn remember_view(&mut self) {
        let (c, z) = self.view_center_zoom();
        self.settings.views.insert(
            self.world.pack.manifest.name.clone(),
            SavedView {
                lon: c[0],
                lat: c[1],
                zoom: z,
            },
        );
    }
}

/// Whether a store path is a database server's URL (postgres://…), not a file.
fn is_server_url(p: &std::path::Path) -> bool {
    p.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// The first-run offer of the pack's demo scenario (a new, empty database).
fn demo_offer_window(ctx: &egui::Context, live: &mut LiveView, lang: Lang) -> Option<Action> {
    if !live.offer_demo {
        return None;
    }
    let mut action = None;
    egui::Window::new(tr(lang, Msg::FirstRun))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(tr(lang, Msg::FirstRunText));
            if let Some(p) = &live.store_path {
                ui.label(
                    RichText::new(format!("{}: {}", tr(lang, Msg::Database), p.display()))
                        .small()
                        .weak(),
                );
            }
            ui.horizontal(|ui| {
                if ui.button(RichText::new(tr(lang, Msg::LoadDemo)).strong()).clicked() {
                    action = Some(Action::LoadDemo);
                }
                if ui.button(tr(lang, Msg::NotNow)).clicked() {
                    live.offer_demo = false;
                }
            });
        });
    action
}

/// The zone beside a shown clock: officers read Beijing time; the log keeps UTC.
fn lang_zone(lang: Lang) -> &'static str {
    lang.pick(crate::local_time::ZONE_ZH, crate::local_time::ZONE_EN)
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
        self.notices.set_now(ctx.input(|i| i.time));
        // Looking at a new incident acknowledges its arrival.
        if let Some(OpsRef::Incident(id)) = self.selected_ops {
            self.live.arrivals.ack(id);
            // 派往事件 on a unit's pane defaults to the incident looked at last.
            self.dispatch.target = Some(id);
        }
        // A message about one incident or unit never stays on the next one's pane.
        if self.selected_ops != self.dispatch.notice_selection {
            self.dispatch.notice_selection = self.selected_ops;
            self.notices.clear(Source::Dispatch);
        }
        self.drain_routing();
        self.drain_store();
        self.coverage_tick(&ctx);
        self.drain_replay(&ctx);
        self.drain_drill(&ctx);
        self.shortcuts(&ctx);
        self.replay_shortcuts(&ctx);
        let mut actions: Vec<Action> = Vec::new();
        let demo = self.has_demo_records();
        let replay_file = if self.mode.replay().is_none() && self.mode.drill().is_none() {
            self.live.store_path.clone().filter(|p| p.is_file())
        } else {
            None
        };
        let now_ms = self.now_ms();
        self.alerts
            .refresh_overlay(&self.situation, self.world.alerts.as_deref(), now_ms);
        egui::Panel::top("top_bar").show(ui, |ui| {
            actions.extend(panels::top_bar_ui(
                ui,
                &self.world,
                &mut self.settings,
                &mut self.live.arrivals,
                &mut self.notices,
                panels::TopBarDb {
                    demo,
                    replay_file: replay_file.as_deref(),
                    wall_open: self.live.store_path.as_ref().map(|_| self.live.wall.is_some()),
                },
            ))
        });
        if self.has_store()
            && self.situation.last_seq > 0
            && self.mode.drill().is_none()
            && self.mode.replay().is_none()
        {
            alerts_board::prune_acked(&mut self.settings.acked_alerts, &self.situation, now_ms);
        }
        let banner = alerts_board::banner_items(
            &self.situation,
            self.world.alerts.as_deref(),
            &self.settings.acked_alerts,
            now_ms,
            self.settings.lang,
        );
        if !banner.is_empty() {
            egui::Panel::top("alerts_banner").show(ui, |ui| {
                actions.extend(alerts_board::alerts_banner_ui(
                    ui,
                    &banner,
                    &mut self.settings.acked_alerts,
                    self.settings.lang,
                ))
            });
        }
        let connection = self.mode.writer().map(|w| w.connection());
        let hierarchy = self.routing.worker.as_ref().map(|w| w.hierarchy());
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            panels::status_bar_ui(
                ui,
                &self.world,
                &self.map,
                panels::WorkerStatus { connection, hierarchy },
                &self.raster,
                &self.settings,
                &mut self.notices,
            )
        });
        let lang = self.settings.lang;
        if let Some(r) = self.mode.replay_mut() {
            let notices = &mut self.notices;
            let a = egui::Panel::bottom("replay_bar").show(ui, |ui| replay::replay_bar_ui(ui, r, notices, lang));
            actions.extend(a.inner);
        }
        if let Some(d) = self.mode.drill_mut() {
            let notices = &mut self.notices;
            let a = egui::Panel::bottom("drill_bar").show(ui, |ui| drill::drill_bar_ui(ui, d, notices, lang));
            actions.extend(a.inner);
        }
        if self.has_store() {
            let hint_lines = self.move_up_hint_lines();
            let alerts_status = self.alerts.worker.as_ref().map(|w| w.status());
            let view = boards::BoardsView {
                world: &self.world,
                sit: &self.situation,
                tracks: &self.tracks,
                log: &self.live.log,
                recommend_busy: self.routing.jobs.busy(Lane::Recommend),
                coverage_busy: self.routing.jobs.busy(Lane::Coverage),
                siting_busy: self.routing.jobs.busy(Lane::Siting),
                now_ms: self.now_ms(),
                hint_lines: &hint_lines,
                hint_beside_pane: self.move_up_relevant(),
                alerts_status: alerts_status.as_ref(),
            };
            let parts = boards::BoardsParts {
                settings: &mut self.settings,
                boards: &mut self.boards,
                selected: &mut self.selected_ops,
                dispatch: &mut self.dispatch,
                correction: &mut self.correction,
                coverage: &mut self.coverage,
                notices: &mut self.notices,
                alerts: &mut self.alerts,
            };
            // The map stays the largest thing on screen: wide boards scroll instead of growing.
            let max_board = (ctx.content_rect().width() * 0.4).max(380.0);
            let out = egui::Panel::right("boards")
                .default_size(380.0)
                .max_size(max_board)
                .resizable(true)
                .show(ui, |ui| boards::boards_ui(ui, view, parts));
            self.boards.panel_rect = Some(out.response.rect);
            actions.extend(out.inner);
        }
        egui::Panel::left("side_panel")
            .default_size(280.0)
            .resizable(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    let lang = self.settings.lang;
                    actions.extend(panels::search_ui(ui, &mut self.search, &self.world, lang));
                    ui.separator();
                    actions.extend(panels::route_ui(ui, &self.routing, &mut self.notices, lang));
                    let has_store = self.has_store();
                    panels::layers_ui(ui, &self.world, &mut self.settings, has_store);
                    if has_store && self.routing.worker.is_some() {
                        let computing = self.routing.jobs.busy(Lane::Coverage);
                        coverage::coverage_side_ui(ui, &mut self.coverage, &mut self.settings, computing);
                    }
                    ui.separator();
                    if self.settings.legend {
                        panels::legend_ui(ui, &self.world, &self.settings);
                        ui.separator();
                    }
                    actions.extend(panels::raster_ui(
                        ui,
                        &mut self.settings,
                        &mut self.raster,
                        &mut self.notices,
                    ));
                    ui.separator();
                    if self.has_store() {
                        let db_file = self.live.store_path.as_deref().filter(|p| !is_server_url(p));
                        let view = drill::SetupView {
                            mode: &self.mode,
                            db_file,
                            sit: &self.situation,
                            lang,
                        };
                        actions.extend(drill::drill_setup_ui(
                            ui,
                            &mut self.drill_setup,
                            &mut self.notices,
                            view,
                        ));
                        ui.separator();
                    }
                    ui.label(RichText::new(self.t(Msg::Shortcuts)).strong());
                    ui.label(RichText::new(self.t(Msg::ShortcutsText)).small());
                });
            });
        let show_ops = self.has_store();
        let estimated = if show_ops && map_view::ops_visibility(&self.settings).units {
            self.estimated_positions()
        } else {
            Default::default()
        };
        let cx = map_view::MapCtx {
            world: &self.world,
            settings: &self.settings,
            situation: &self.situation,
            selected: self.selected_ops,
            routing: &self.routing,
            recommendation: self.dispatch.recommendation.as_ref(),
            tracks: &self.tracks,
            coverage: &self.coverage,
            alerts: &self.alerts.overlay,
            sketch: self.alerts.compose.sketch.as_deref(),
            drawn: self
                .alerts
                .compose
                .polygon
                .as_deref()
                .filter(|_| self.alerts.compose.open),
            estimated: &estimated,
            show_ops,
        };
        let (map, raster, notices) = (&mut self.map, &mut self.raster, &mut self.notices);
        let a = egui::CentralPanel::no_frame()
            .frame(egui::Frame::NONE.fill(theme::MAP_BG))
            .show(ui, |ui| map_view::map_ui(ui, map, raster, notices, cx));
        actions.extend(a.inner);
        panels::feature_window(&ctx, &self.world, &mut self.map, self.settings.lang);
        actions.extend(demo_offer_window(&ctx, &mut self.live, lang));
        let in_drill = self.mode.drill().is_some();
        actions.extend(incident_form::incident_form_ui(
            &ctx,
            &mut self.incident_form,
            in_drill,
            lang,
        ));
        for a in actions {
            self.apply(&ctx, a);
        }
        if let Some(c) = self.world.alerts.clone() {
            let now_ms = self.now_ms();
            if let Some(a) = warning_form::warning_compose_ui(&ctx, &mut self.alerts.compose, &c, now_ms, lang) {
                self.apply(&ctx, a);
            }
        }
        self.wall_viewport_ui(&ctx);
        // A frame round the whole window in replay / drill mode: never mistaken for live work.
        let frame = match self.mode.replay() {
            Some(r) if r.scope.is_some() => Some(theme::DRILL),
            Some(_) => Some(theme::REPLAY),
            None => self.mode.drill().map(|_| theme::DRILL),
        };
        if let Some(c) = frame {
            let rect = ctx.content_rect();
            ctx.layer_painter(egui::LayerId::new(
                egui::Order::Foreground,
                egui::Id::unique("mode_frame"),
            ))
            .rect_stroke(
                rect.shrink(2.0),
                0.0,
                egui::Stroke::new(4.0, c),
                egui::StrokeKind::Inside,
            );
        }
    }

    /// The wall's own viewport on monitor 1 (an embedded window where the backend has only
    /// one viewport); closing it there closes the wall.
    fn wall_viewport_ui(&mut self, ctx: &egui::Context) {
        let Some(wall) = self.live.wall.as_mut() else { return };
        let mut close = false;
        ctx.show_viewport_immediate(
            egui::ViewportId::from_hash_of("onemap_wall"),
            wall::viewport("应急管理“一张图”指挥大屏 OneMap wall", Some(1)),
            |ui, _class| {
                wall.show(ui);
                close = ui.input(|i| i.viewport().close_requested());
            },
        );
        if close {
            self.live.wall = None;
        }
    }

    /// Open the wall on the console's database (the running drill's situation in a drill), or
    /// close it.
    fn toggle_wall(&mut self, ctx: &egui::Context) {
        if self.live.wall.take().is_some() {
            return;
        }
        let Some(path) = self.live.store_path.clone() else {
            return;
        };
        let mut w = wall::WallApp::new(self.world.pack.clone(), None);
        let drill = self.mode.drill().and_then(|d| d.drill_id.clone());
        w.follow(ctx, path, drill);
        self.live.wall = Some(w);
    }

    /// Carry out what a panel asked of parts it was not handed.
    pub fn apply(&mut self, ctx: &egui::Context, action: Action) {
        match action {
            Action::ToggleWall => self.toggle_wall(ctx),
            Action::FlyToBBox(b) => self.fly_to_bbox(ctx, b),
            Action::FlyToTarget(t) => self.fly_to_target(ctx, t),
            Action::Select(what) => self.select_ops(ctx, what),
            Action::OpenArrival(id) => {
                self.boards.board = Board::Incidents;
                self.live.arrivals.ack(id);
                self.select_ops(ctx, OpsRef::Incident(id));
            }
            Action::NewIncident => self.open_incident_form(None),
            Action::StartReplay(path) => self.start_replay(ctx, path, None),
            Action::StartRaster => self.start_raster(ctx),
            Action::ClearRouting => self.clear_routing(),
            Action::Send(intent) => {
                self.send_intent(intent);
            }
            Action::Recommend(incident) => self.request_recommendation(incident),
            Action::DispatchSuggestion => self.accept_recommendation(),
            Action::Reassign => self.accept_reassign(),
            Action::Dispatch(req) => {
                self.submit_dispatch(req);
            }
            Action::SetUnitStatus(unit, to) => self.set_unit_status(unit, to),
            Action::ShowAlert(r) => {
                self.boards.board = Board::Alerts;
                self.alerts.tab = match &r {
                    action::AlertRef::Quake(_) => parts::AlertTab::Quakes,
                    action::AlertRef::Alert(k) => match self.situation.alerts.alerts.get(k) {
                        Some(e) if e.is_active_at(self.now_ms()) => parts::AlertTab::Active,
                        Some(e) if e.lifecycle == crate::model::alert::AlertLifecycle::Active => {
                            parts::AlertTab::Expired
                        }
                        _ => parts::AlertTab::Cancelled,
                    },
                };
                let fly = alerts_board::fly_action(&self.situation, self.world.alerts.as_deref(), &r);
                self.alerts.selected = Some(r);
                if let Some(a) = fly {
                    self.apply(ctx, a);
                }
            }
            Action::ComposeWarning { replaces, msg_type } => {
                let previous = replaces.as_ref().and_then(|k| self.situation.alerts.alerts.get(k));
                let now_ms = self.now_ms();
                let out = self.warning_out_path(now_ms);
                self.alerts.compose.start(msg_type, previous, out, now_ms);
            }
            Action::IssueWarning(order) => self.issue_warning(*order),
            Action::DrawArea(step) => self.alerts.compose.draw(step),
            Action::ApproveDraft(seq) => {
                if let Some(f) = self.situation.alerts.firings.iter().find(|f| f.seq == seq) {
                    alerts_board::prefill_from_draft(&mut self.incident_form, f);
                    self.incident_form.open = true;
                }
            }
            Action::Correct(what, intent) => {
                self.notices.clear(Source::Dispatch);
                if let Some(req) = self.send_intent(intent) {
                    self.correction.pending = Some((req, what));
                }
            }
            Action::Pick(what) => self.selected_ops = Some(what),
            Action::RouteFrom(ll) => self.route_from_here(ll),
            Action::RouteTo(ll) => self.route_to_here(ll),
            Action::Isochrone(ll) => self.request(RouteJob::Isochrone { at: ll }),
            Action::NewIncidentAt(ll) => self.open_incident_form(Some(ll)),
            Action::SuppliesHere => {
                self.boards.board = Board::Coverage;
                self.request_supplies();
            }
            Action::RequestSupplies => self.request_supplies(),
            Action::RequestSiting => self.request_siting(),
            Action::SubmitIncident { real } => self.submit_incident(real),
            Action::LoadDemo => self.load_demo(),
            Action::StartDrill => self.start_drill(ctx),
            Action::EndDrill => self.end_drill(),
            Action::ReplayScope(scope) => self.replay_scope(scope),
            Action::ExitReplay => self.exit_replay(ctx),
            Action::TrainingCopy(out) => self.training_copy(out),
            Action::OpenConsoleOn(db) => self.open_console_on(&db),
        }
    }

    /// Jump (no animation) to a view: centre lon/lat and zoom.
    pub fn set_view(&mut self, lonlat: [f64; 2], zoom: f64) {
        self.map.flight = None;
        self.map.fit_pending = false;
        self.map.memory.center_at(lon_lat(lonlat[0], lonlat[1]));
        let _ = self.map.memory.set_zoom(zoom.clamp(MIN_ZOOM, MAX_ZOOM));
        self.map.center_norm = mercator_norm(lonlat[0], lonlat[1]);
    }
}
