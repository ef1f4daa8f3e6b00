//! The named parts the console is made of (the app context, the map view, search, raster tiles,
//! routing, the live store's view, boards, tracks, dispatch): plain state, each owned by the
//! panels that draw and change it. No drawing and no workers started here; imports nothing from
//! the panels (only their small value types).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use egui::{Vec2, vec2};
use walkers::MapMemory;

use super::action::AlertRef;
use super::{Board, ResultRow};
use crate::backend::alerts::{AlertContext, AlertsWorker};
use crate::backend::jobs::Jobs;
use crate::backend::routing::{IsoAnswer, RouteAnswer, RoutingWorker};
use crate::backend::store::ReassignOffer;
use crate::dispatch::Recommendation;
use crate::dispatch::tracking::Track;
use crate::map::ViewXform;
use crate::map::alerts::AlertsOverlay;
use crate::map::basemap::{Basemap, MarkerHit};
use crate::map::ops::{OpsHit, OpsRef};
use crate::map::raster::RasterTiles;
use crate::mappack::{Area, MapPack};
use crate::model::event::Event;
use crate::model::ids::{IncidentId, UnitId};
use crate::model::unit::UnitStatus;
use crate::search::PlaceIndex;

/// What the console was opened on and never changes while it runs: the pack and what is built
/// from it once.
pub struct World {
    /// The loaded map pack.
    pub pack: Arc<MapPack>,
    /// Vector basemap built from the pack.
    pub basemap: Basemap,
    /// Gazetteer search index.
    pub index: PlaceIndex,
    /// Counties, for the 1/2/3 keys.
    pub counties: Vec<Area>,
    /// The pack has response plans (suggestions are possible).
    pub has_plans: bool,
    /// The pack's roads are schematic (routes are estimates).
    pub schematic_roads: bool,
    /// County polygons, for naming an incident's county.
    pub county_shapes: super::pending::Counties,
    /// The pack's alerts.toml and areas (`None` when alerts.toml is broken: said in a notice).
    pub alerts: Option<Arc<AlertContext>>,
}

impl World {
    /// Terrain height at `ll` from the pack's elevation grid, m.
    pub fn elevation_at(&self, ll: [f64; 2]) -> Option<f32> {
        self.pack.layers.iter().find_map(|l| match &l.data {
            crate::mappack::LayerData::Terrain(g) => g.sample(ll),
            _ => None,
        })
    }
}

/// A fly-to animation.
#[derive(Debug, Clone, Copy)]
pub struct Flight {
    /// Start centre, normalised Mercator.
    pub from_norm: [f64; 2],
    /// Start zoom.
    pub from_zoom: f64,
    /// End centre, normalised Mercator.
    pub to_norm: [f64; 2],
    /// End zoom.
    pub to_zoom: f64,
    /// egui time the flight started, s.
    pub start_s: f64,
}

/// The map's camera and what the last frame drew on it.
pub struct MapView {
    /// walkers' camera.
    pub memory: MapMemory,
    /// Centre, normalised Mercator (f64: exact at street zooms).
    pub center_norm: [f64; 2],
    /// The running fly-to.
    pub flight: Option<Flight>,
    /// Fit the pack on the first frame (no saved view).
    pub fit_pending: bool,
    /// Pointer position on the map.
    pub cursor_lonlat: Option<[f64; 2]>,
    /// Size of the map area, points.
    pub map_size: Vec2,
    /// The last frame's projection.
    pub view: Option<ViewXform>,
    /// Basemap markers drawn last frame (for clicks).
    pub markers: Vec<MarkerHit>,
    /// Basemap feature shown in the feature window (layer, feature).
    pub selected_feature: Option<(usize, usize)>,
    /// Search hit highlighted on the map.
    pub highlight: Option<[f64; 2]>,
    /// Operational markers drawn last frame (for clicks).
    pub ops_hits: Vec<OpsHit>,
    /// Where the context menu was opened.
    pub context_lonlat: Option<[f64; 2]>,
}

impl MapView {
    /// A camera at `center` (lon/lat); `fit` fits the pack on the first frame.
    pub fn new(memory: MapMemory, center: [f64; 2], fit: bool) -> MapView {
        MapView {
            memory,
            center_norm: crate::geom::mercator_norm(center[0], center[1]),
            flight: None,
            fit_pending: fit,
            cursor_lonlat: None,
            map_size: vec2(1000.0, 700.0),
            view: None,
            markers: Vec::new(),
            selected_feature: None,
            highlight: None,
            ops_hits: Vec::new(),
            context_lonlat: None,
        }
    }
}

/// The search box.
#[derive(Default)]
pub struct SearchState {
    /// Text in the search box.
    pub query: String,
    /// The query the results are for.
    pub last_query: String,
    /// Current results for `query`.
    pub results: Vec<ResultRow>,
    /// Highlighted result.
    pub selected: usize,
    /// Focus the box next frame (Ctrl+F).
    pub focus: bool,
}

/// The optional raster basemap.
pub struct RasterState {
    /// The tiles layer, when a source is set and started.
    pub tiles: Option<RasterTiles>,
    /// The URL template being edited.
    pub url_edit: String,
    /// Disk cache for downloaded tiles.
    pub cache_dir: Option<PathBuf>,
}

impl SearchState {
    /// Re-run the search when the query changed since the last run.
    pub fn run(&mut self, index: &PlaceIndex, max: usize) {
        if self.query == self.last_query {
            return;
        }
        self.last_query = self.query.clone();
        self.selected = 0;
        self.results = index
            .search(&self.query, max)
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
}

/// Routes, isochrones and the routing worker with its lanes.
#[derive(Default)]
pub struct RoutingState {
    /// The worker (none without a road network).
    pub worker: Option<RoutingWorker>,
    /// Latest generation per lane.
    pub jobs: Jobs,
    /// The chosen start of the next route.
    pub from: Option<[f64; 2]>,
    /// The last computed route.
    pub route: Option<RouteAnswer>,
    /// The last computed isochrone.
    pub iso: Option<IsoAnswer>,
}

/// What the console knows of the situation database besides the situation itself.
#[derive(Default)]
pub struct LiveView {
    /// The database file (or replay file) open.
    pub store_path: Option<PathBuf>,
    /// The demo-scenario offer is showing (a new, empty database).
    pub offer_demo: bool,
    /// The newest events of the log, oldest first.
    pub log: Arc<Vec<Event>>,
    /// Last request id sent to the store.
    pub next_req: u64,
    /// Fixed "now" in ms since the epoch for tests, drills and replays (`None` = the wall clock).
    pub clock_ms: Option<i64>,
    /// New incidents not yet acknowledged (the arrival alert).
    pub arrivals: super::pending::Arrivals,
    /// The commander's wall opened from this console on a second monitor (read-only, its own
    /// follower of the same database).
    pub wall: Option<super::wall::WallApp>,
}

/// Unit-board columns, for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCol {
    /// Callsign.
    Callsign,
    /// Type.
    Type,
    /// Status.
    Status,
    /// Home station.
    Station,
    /// Crew.
    Crew,
}

/// Which board shows and its filters.
pub struct BoardsState {
    /// The board beside the map.
    pub board: Board,
    /// Unit board: status filter.
    pub unit_status: Option<UnitStatus>,
    /// Unit board: text filter.
    pub unit_text: String,
    /// Unit board: sort column and ascending.
    pub unit_sort: (UnitCol, bool),
    /// Stock board: text filter.
    pub stock: String,
    /// Log board: text filter.
    pub log: String,
    /// Where the boards panel was drawn last frame (its width is the officer's choice).
    pub panel_rect: Option<egui::Rect>,
    /// The detail / dispatch pane's visible area last frame.
    pub detail_rect: Option<egui::Rect>,
}

impl Default for BoardsState {
    fn default() -> Self {
        BoardsState {
            board: Board::Units,
            unit_status: None,
            unit_text: String::new(),
            unit_sort: (UnitCol::Callsign, true),
            stock: String::new(),
            log: String::new(),
            panel_rect: None,
            detail_rect: None,
        }
    }
}

/// Routes of moving units, for dead reckoning between position reports.
#[derive(Default)]
pub struct TrackState {
    /// Route per moving unit.
    pub routes: BTreeMap<UnitId, Track>,
    /// Asked of the routing worker.
    pub pending: BTreeSet<(UnitId, IncidentId)>,
    /// Routes of a suggestion being dispatched, waiting for the store to confirm.
    pub prefetched: Vec<Track>,
    /// Units whose route failed, and why.
    pub failed: BTreeMap<UnitId, String>,
}

/// The dispatch in progress: the suggestion, what the officer changed in it, the store's answer.
pub struct DispatchState {
    /// The latest dispatch suggestion.
    pub recommendation: Option<Recommendation>,
    /// Suggested units the operator unticked.
    pub unticked: BTreeSet<UnitId>,
    /// Also reserve the suggested supplies when dispatching.
    pub reserve_supplies: bool,
    /// A dispatch refused because units are committed elsewhere, offered as a reassignment.
    pub reassign_offer: Option<ReassignOffer>,
    /// Request id of the dispatch awaiting the store.
    pub pending: Option<u64>,
    /// The incident the unit pane's 派往事件 sends to.
    pub target: Option<IncidentId>,
    /// People affected, typed by the operator for the relief part of the suggestion.
    pub affected_people: u32,
    /// The count the current suggestion was asked with.
    pub affected_asked: u32,
    /// The selection the dispatch notice was raised for (a new selection clears it).
    pub notice_selection: Option<OpsRef>,
}

impl Default for DispatchState {
    fn default() -> Self {
        DispatchState {
            recommendation: None,
            unticked: BTreeSet::new(),
            reserve_supplies: true,
            reassign_offer: None,
            pending: None,
            target: None,
            affected_people: 0,
            affected_asked: 0,
            notice_selection: None,
        }
    }
}

/// Which list the alerts board shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertTab {
    /// Warnings in force.
    #[default]
    Active,
    /// Past their expiry.
    Expired,
    /// Cancelled or superseded by an update.
    Cancelled,
    /// Earthquakes.
    Quakes,
    /// Rule drafts awaiting an officer (待审核).
    Drafts,
    /// Drop folder and feed status.
    Sources,
}

/// Alerts in the console: the sources worker, the board's tab and
/// selection, dismissal reasons being typed, and the map overlay built from the situation.
#[derive(Default)]
pub struct AlertsView {
    /// Drop folder and feed poller (with a database).
    pub worker: Option<AlertsWorker>,
    /// The list shown.
    pub tab: AlertTab,
    /// The alert or earthquake whose details show.
    pub selected: Option<AlertRef>,
    /// Dismissal reasons being typed, by firing seq.
    pub reasons: BTreeMap<u64, String>,
    /// What the map draws.
    pub overlay: AlertsOverlay,
    /// (situation seq, minute) the overlay was built for.
    pub overlay_key: Option<(u64, i64)>,
    /// The warning compose dialog.
    pub compose: super::warning_form::WarningCompose,
}

impl AlertsView {
    /// Rebuild the overlay when the alerts changed or a minute passed (expiry).
    pub fn refresh_overlay(
        &mut self,
        sit: &crate::model::situation::Situation,
        context: Option<&AlertContext>,
        now_ms: i64,
    ) {
        let key = (sit.last_seq, now_ms.div_euclid(60_000));
        if self.overlay_key == Some(key) {
            return;
        }
        self.overlay_key = Some(key);
        if let Some(c) = context {
            self.overlay = AlertsOverlay::build(&sit.alerts, &c.areas, now_ms);
        }
    }
}
