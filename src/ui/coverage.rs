//! The console half of coverage and siting: the live coverage layer (requested from the routing
//! worker's coverage lane, debounced, whenever the set of available units changes), the coverage
//! board (shares by force type and county, uncovered places, share-vs-time curve, siting,
//! nearest supplies) and the move-up hint beside a dispatch. Every search runs on the worker;
//! replies carry their generation and only the latest of each kind is kept.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use egui::{RichText, Ui};

use super::action::Action;
use super::i18n::{Lang, Msg, tr};
use super::notices::{Notices, Severity, Source};
use super::settings::Settings;
use super::{Board, OneMapApp, theme};
use crate::backend::coverage_jobs::CoverageReply;
use crate::backend::coverage_jobs::{CoverageAnswer, CoverageJob, MoveUpAnswer, SitingAnswer};
use crate::backend::jobs::{JobError, Lane};
use crate::backend::routing::RouteJob;
use crate::coverage::{ForceType, SupplyAnswer, Threshold, TypeCoverage};
use crate::dispatch::plans::Limit;
use crate::map::coverage::{
    BAND_COLORS, CellQuad, DIST_EDGES_KM, SiteMark, TIME_EDGES_MIN, UNREACHABLE_COLOR, cell_quads, point_bands,
    share_curve,
};
use crate::map::ops::OpsRef;
use crate::model::ids::UnitId;
use crate::model::situation::Situation;
use crate::model::unit::UnitStatus;
use crate::roads::search::Metric;
use crate::search::Target;

/// Seconds the availability of units must stay unchanged before coverage is recomputed.
pub const DEBOUNCE_S: f64 = 0.5;
/// Settings key of the coverage layer toggle.
pub const LAYER_KEY: &str = "ops/coverage";
/// Sites proposed by the siting button.
pub const SITING_K: usize = 4;

/// Coverage state of the console (results of the worker's coverage lanes).
pub struct CoverageState {
    /// Force type drawn on the map and detailed in the board.
    pub force: ForceType,
    /// Latest live coverage.
    pub answer: Option<CoverageAnswer>,
    quads: Arc<Vec<CellQuad>>,
    bands: Vec<Option<usize>>,
    bands_key: Option<(ForceType, u64)>,
    curve: Vec<[f64; 2]>,
    sent_sig: Option<u64>,
    sig: (u64, u64),
    dirty_since: Option<f64>,
    /// Latest move-up hints.
    pub moveup: Option<MoveUpAnswer>,
    moveup_key: Option<(Vec<UnitId>, u64)>,
    /// Latest siting proposal.
    pub siting: Option<SitingAnswer>,
    siting_marks: Vec<SiteMark>,
    marks_lang: Lang,
    siting_curve: Vec<[f64; 2]>,
    /// Latest nearest-supplies answer.
    pub supplies: Option<SupplyAnswer>,
    /// Item typed for the supplies query.
    pub supply_item: String,
    /// Warehouses asked for.
    pub supply_n: usize,
}

impl Default for CoverageState {
    fn default() -> Self {
        CoverageState {
            force: ForceType::Ambulance,
            answer: None,
            quads: Arc::new(Vec::new()),
            bands: Vec::new(),
            bands_key: None,
            curve: Vec::new(),
            sent_sig: None,
            sig: (u64::MAX, 0),
            dirty_since: None,
            moveup: None,
            moveup_key: None,
            siting: None,
            siting_marks: Vec::new(),
            marks_lang: Lang::Zh,
            siting_curve: Vec::new(),
            supplies: None,
            supply_item: "帐篷".into(),
            supply_n: 3,
        }
    }
}

/// Cheap signature of what coverage depends on: every unit's id, whether it is available, and
/// where the available ones are.
pub fn availability_signature(sit: &Situation) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for u in sit.units.values() {
        let available = u.status == UnitStatus::Available;
        (u.id.0, available).hash(&mut h);
        if available {
            let [lon, lat] = u.lonlat.lonlat();
            (lon.to_bits(), lat.to_bits()).hash(&mut h);
        }
    }
    h.finish()
}

/// x values of the share curve (s or m) and their display scale (minutes or km).
fn curve_xs(metric: Metric) -> (Vec<f64>, f64) {
    match metric {
        Metric::Time => ((0..=120).map(|m| f64::from(m) * 60.0).collect(), 60.0),
        Metric::Distance => ((0..=80).map(|k| f64::from(k) * 1000.0).collect(), 1000.0),
    }
}

fn curve_points(
    points: &[crate::coverage::DemandPoint],
    values: &[Option<(f64, f64)>],
    metric: Metric,
) -> Vec<[f64; 2]> {
    let (xs, scale) = curve_xs(metric);
    let ys = share_curve(points, values, metric, &xs);
    xs.iter().zip(ys).map(|(x, y)| [x / scale, y * 100.0]).collect()
}

fn pct(share: f64) -> String {
    format!("{:.1}", share * 100.0)
}

/// "≤ 30 min" / "5 / 20 km (urban / rural)" for a threshold.
pub fn threshold_text(lang: Lang, t: &Threshold) -> String {
    let name = lang.pick(&t.zh, &t.en);
    match t.limit {
        Limit::Time { limit_s } => format!("{name} ≤ {:.0} {}", limit_s / 60.0, tr(lang, Msg::Minutes)),
        Limit::Distance { urban_m, rural_m } => format!(
            "{name} ≤ {:.0} / {:.0} {} ({})",
            urban_m / 1000.0,
            rural_m / 1000.0,
            tr(lang, Msg::Km),
            tr(lang, Msg::UrbanRural)
        ),
    }
}

/// Legend rows of the bands for a metric: (colour, label).
pub fn legend_rows(lang: Lang, metric: Metric) -> Vec<(egui::Color32, String)> {
    let (edges, unit): (&[f64], Msg) = match metric {
        Metric::Time => (&TIME_EDGES_MIN, Msg::Minutes),
        Metric::Distance => (&DIST_EDGES_KM, Msg::Km),
    };
    let unit = tr(lang, unit);
    let mut rows = Vec::new();
    let mut lo = 0.0;
    for (i, e) in edges.iter().enumerate() {
        let text = if i == 0 {
            format!("≤ {e:.0} {unit}")
        } else {
            format!("{lo:.0}–{e:.0} {unit}")
        };
        rows.push((BAND_COLORS[i], text));
        lo = *e;
    }
    rows.push((
        BAND_COLORS[edges.len()],
        format!("> {lo:.0} {unit} {}", tr(lang, Msg::Beyond)),
    ));
    rows.push((UNREACHABLE_COLOR, tr(lang, Msg::NotReachable).to_string()));
    rows
}

impl CoverageState {
    /// The coverage layer for the map: quads, bands, siting candidates and sites.
    pub fn plugin(&self) -> crate::map::coverage::CoveragePlugin<'_> {
        let siting_shown = self.siting.as_ref().filter(|s| s.report.force == self.force);
        crate::map::coverage::CoveragePlugin {
            quads: if self.answer.is_some() { &self.quads } else { &[] },
            bands: &self.bands,
            candidates: siting_shown.map_or(&[][..], |s| &s.candidates_lonlat),
            sites: if siting_shown.is_some() {
                &self.siting_marks
            } else {
                &[]
            },
        }
    }

    /// Coverage of the selected force type in the latest report.
    pub fn selected(&self) -> Option<&TypeCoverage> {
        self.answer
            .as_ref()
            .and_then(|a| a.report.types.iter().find(|t| t.force == self.force))
    }

    /// Take a coverage lane's reply ([`crate::backend::jobs::Jobs`] has checked it is the
    /// latest of its lane).
    pub fn accept(&mut self, reply: Result<CoverageReply, JobError>, notices: &mut Notices, lang: Lang) {
        match reply {
            Ok(CoverageReply::Coverage(a)) => {
                if self.quads.is_empty()
                    || self.answer.as_ref().map(|x| x.report.points.len()) != Some(a.report.points.len())
                {
                    self.quads = Arc::new(cell_quads(&a.report.points, a.report.cell_km));
                }
                self.answer = Some(*a);
                self.bands_key = None;
                notices.clear(Source::Coverage);
            }
            Ok(CoverageReply::MoveUp(a)) => self.moveup = Some(*a),
            Ok(CoverageReply::Siting(a)) => {
                self.siting = Some(*a);
                self.bands_key = None; // the proposal's curve
                notices.clear(Source::Coverage);
            }
            Ok(CoverageReply::Supplies(a)) => {
                self.supplies = Some(*a);
                notices.clear(Source::Coverage);
            }
            Err(e) => {
                notices.push(Severity::Warning, Source::Coverage, super::errors::job_error(&e, lang));
            }
        }
    }

    /// Recompute the bands and the curve of the selected force when the report or the force
    /// changed (once per change, not per frame).
    fn refresh_derived(&mut self) {
        let Some(a) = &self.answer else { return };
        let key = (self.force, a.seq);
        if self.bands_key == Some(key) {
            return;
        }
        self.bands_key = Some(key);
        match a.report.types.iter().find(|t| t.force == self.force) {
            Some(tc) => {
                self.bands = point_bands(tc);
                let values: Vec<_> = tc.points.iter().map(|p| p.eta_s.zip(p.dist_m)).collect();
                self.curve = curve_points(&a.report.points, &values, tc.metric);
            }
            None => {
                self.bands = vec![None; a.report.points.len()];
                self.curve.clear();
            }
        }
        self.siting_curve.clear();
        if let Some(s) = self.siting.as_ref().filter(|s| s.report.force == self.force) {
            let metric = crate::coverage::compute::metric_for(&s.report.thresholds);
            self.siting_curve = curve_points(&a.report.points, &s.with_sites, metric);
        }
    }
}

impl OneMapApp {
    /// Whether the coverage layer is on.
    pub fn coverage_layer_on(&self) -> bool {
        layer_on(&self.settings)
    }

    /// Turn the coverage layer on or off.
    pub fn set_coverage_layer(&mut self, on: bool) {
        self.settings.layers.insert(LAYER_KEY.to_string(), on);
    }

    fn coverage_wanted(&self, move_up_focus: &[UnitId]) -> bool {
        self.has_store()
            && self.situation.last_seq > 0
            && (self.coverage_layer_on()
                || self.boards.board == Board::Coverage
                || self.coverage.moveup.is_some()
                || !move_up_focus.is_empty())
    }

    fn submit_coverage(&mut self, job: CoverageJob) -> Option<u64> {
        self.routing.worker.as_ref()?;
        match self.submit_job(RouteJob::Coverage(job)) {
            Ok(g) => Some(g),
            Err(e) => {
                let text = super::errors::job_error(&e, self.settings.lang);
                self.notices.push(Severity::Warning, Source::Coverage, text);
                None
            }
        }
    }

    /// Whether live coverage is being computed.
    pub fn coverage_computing(&self) -> bool {
        self.routing.jobs.busy(Lane::Coverage)
    }

    /// Once per frame, before drawing: ask for coverage when the available units changed and
    /// stayed unchanged for [`DEBOUNCE_S`]; ask for move-up hints when the dispatch in view
    /// changed. Never computes anything itself.
    pub(super) fn coverage_tick(&mut self, ctx: &egui::Context) {
        let units = self.move_up_focus();
        if !self.coverage_wanted(&units) {
            return;
        }
        let now = ctx.input(|i| i.time);
        if self.coverage.sig.0 != self.situation.last_seq {
            self.coverage.sig = (self.situation.last_seq, availability_signature(&self.situation));
        }
        let sig = self.coverage.sig.1;
        if self.coverage.sent_sig != Some(sig) {
            let since = *self.coverage.dirty_since.get_or_insert(now);
            if now - since >= DEBOUNCE_S {
                let job = CoverageJob::Coverage {
                    situation: self.situation.clone(),
                    forces: Vec::new(),
                };
                if self.submit_coverage(job).is_some() {
                    self.coverage.sent_sig = Some(sig);
                    self.coverage.dirty_since = None;
                }
            } else {
                ctx.request_repaint_after(std::time::Duration::from_secs_f64(DEBOUNCE_S - (now - since) + 0.01));
            }
        }
        if !units.is_empty() {
            let key = (units.clone(), sig);
            if self.coverage.moveup_key.as_ref() != Some(&key) {
                let job = CoverageJob::MoveUp {
                    situation: self.situation.clone(),
                    units,
                };
                if self.submit_coverage(job).is_some() {
                    self.coverage.moveup_key = Some(key);
                }
            }
        }
        self.coverage.refresh_derived();
        let lang = self.settings.lang;
        if let Some(s) = &self.coverage.siting
            && (self.coverage.siting_marks.len() != s.report.chosen.len() || self.coverage.marks_lang != lang)
        {
            self.coverage.marks_lang = lang;
            self.coverage.siting_marks = s
                .report
                .chosen
                .iter()
                .enumerate()
                .map(|(i, c)| SiteMark {
                    lonlat: c.lonlat,
                    number: i + 1,
                    label: format!(
                        "+{:.0} {}{}",
                        c.gain_km2,
                        tr(lang, Msg::SquareKm),
                        if s.report.estimate {
                            format!(" ({})", tr(lang, Msg::Estimate))
                        } else {
                            String::new()
                        }
                    ),
                })
                .collect();
        }
    }

    /// Units a move-up hint is wanted for: the ticked units of the suggestion in view (up to
    /// three), else the selected unit; only available units of a modelled force type.
    pub fn move_up_focus(&self) -> Vec<UnitId> {
        match (&self.dispatch.recommendation, self.selected_ops) {
            (Some(rec), _) => rec
                .unit_ids()
                .into_iter()
                .filter(|u| !self.dispatch.unticked.contains(u))
                .filter(|u| {
                    self.situation
                        .units
                        .get(u)
                        .is_some_and(|x| x.status == UnitStatus::Available && ForceType::of_unit(x).is_some())
                })
                .take(3)
                .collect(),
            (None, Some(OpsRef::Unit(id))) => self
                .situation
                .units
                .get(&id)
                .filter(|u| u.status == UnitStatus::Available && ForceType::of_unit(u).is_some())
                .map(|u| vec![u.id])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// Ask the worker for a siting proposal for the force type shown.
    pub(super) fn request_siting(&mut self) {
        let job = CoverageJob::Siting {
            situation: self.situation.clone(),
            force: self.coverage.force,
            k: SITING_K,
        };
        if self.submit_coverage(job).is_some() {
            self.coverage.siting = None;
            self.coverage.siting_marks.clear();
        }
    }

    /// Where supplies are asked for: the map point last right-clicked, else the selected incident.
    pub fn supplies_point(&self) -> Option<[f64; 2]> {
        self.map.context_lonlat.or_else(|| match self.selected_ops {
            Some(OpsRef::Incident(id)) => self.situation.incidents.get(&id).map(|i| i.lonlat.lonlat()),
            _ => None,
        })
    }

    /// Ask the worker for the nearest warehouses holding the typed item.
    pub fn request_supplies(&mut self) {
        let Some(at) = self.supplies_point() else {
            self.notices.push(
                Severity::Warning,
                Source::Coverage,
                tr(self.settings.lang, Msg::SupplyNoPoint).to_string(),
            );
            return;
        };
        let job = CoverageJob::Supplies {
            situation: self.situation.clone(),
            at,
            item: self.coverage.supply_item.trim().to_string(),
            n: self.coverage.supply_n.max(1),
        };
        self.submit_coverage(job);
    }

    /// The move-up hint lines for the dispatch in view (empty when there is none).
    pub fn move_up_hint_lines(&self) -> Vec<String> {
        let focus = self.move_up_focus();
        move_up_hint_lines(&self.coverage, &self.situation, &focus, self.settings.lang)
    }

    /// Whether the move-up hint belongs beside the detail pane now: a suggestion or a unit is in
    /// view, or a hinted unit has left.
    pub(super) fn move_up_relevant(&self) -> bool {
        self.dispatch.recommendation.is_some()
            || matches!(self.selected_ops, Some(OpsRef::Unit(_)))
            || self.coverage.moveup.as_ref().is_some_and(|m| {
                m.hints.iter().any(|h| {
                    self.situation
                        .units
                        .get(&h.dispatched)
                        .is_some_and(|u| u.status != UnitStatus::Available)
                })
            })
    }
}

/// Whether the coverage layer is on in these settings.
pub fn layer_on(settings: &Settings) -> bool {
    settings.layers.get(LAYER_KEY).copied().unwrap_or(false)
}

fn force_selector_ui(ui: &mut Ui, cov: &mut CoverageState, lang: Lang) {
    let present: Vec<ForceType> = match &cov.answer {
        Some(a) => a.report.types.iter().map(|t| t.force).collect(),
        None => ForceType::ALL.to_vec(),
    };
    let before = cov.force;
    egui::ComboBox::new("coverage_force", tr(lang, Msg::ForceTypeLabel))
        .selected_text(lang.pick(before.name_zh(), before.name_en()))
        .show_ui(ui, |ui| {
            for f in present {
                ui.selectable_value(&mut cov.force, f, lang.pick(f.name_zh(), f.name_en()));
            }
        });
    if cov.force != before {
        cov.bands_key = None;
        cov.siting_marks.clear();
    }
}

/// Side-panel section: the layer toggle, the force type and the band legend (drawn only with a
/// store and a road network; the caller checks).
pub(super) fn coverage_side_ui(ui: &mut Ui, cov: &mut CoverageState, settings: &mut Settings, computing: bool) {
    let lang = settings.lang;
    let mut on = layer_on(settings);
    if ui
        .checkbox(&mut on, tr(lang, Msg::Coverage))
        .on_hover_text(tr(lang, Msg::CoverageLayerTip))
        .changed()
    {
        settings.layers.insert(LAYER_KEY.to_string(), on);
    }
    if !on {
        return;
    }
    force_selector_ui(ui, cov, lang);
    let metric = cov.selected().map_or(
        if cov.force == ForceType::Ambulance {
            Metric::Distance
        } else {
            Metric::Time
        },
        |t| t.metric,
    );
    let title = match metric {
        Metric::Time => Msg::CoverageTimeBands,
        Metric::Distance => Msg::CoverageDistBands,
    };
    ui.label(RichText::new(tr(lang, title)).small());
    for (color, text) in legend_rows(lang, metric) {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(18.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 2.0, color.to_opaque());
            ui.label(RichText::new(text).small());
        });
    }
    if computing {
        ui.label(RichText::new(tr(lang, Msg::CoverageComputing)).small().weak());
    }
    if cov.answer.as_ref().is_some_and(|a| a.report.estimate) {
        ui.label(RichText::new(tr(lang, Msg::Estimate)).small().color(theme::WARN_TEXT))
            .on_hover_text(tr(lang, Msg::EstimateTip));
    }
}

/// The move-up hint lines for the units in `focus` (and hinted units that have left).
pub fn move_up_hint_lines(cov: &CoverageState, sit: &Situation, focus: &[UnitId], lang: Lang) -> Vec<String> {
    let Some(m) = &cov.moveup else {
        return Vec::new();
    };
    let callsign = |u: UnitId| {
        sit.units
            .get(&u)
            .map_or_else(|| u.0.to_string(), |x| x.spec.callsign.clone())
    };
    let mut out = Vec::new();
    for h in &m.hints {
        let gone = sit
            .units
            .get(&h.dispatched)
            .is_none_or(|u| u.status != UnitStatus::Available);
        if !focus.contains(&h.dispatched) && !gone {
            continue; // a hint for a unit no longer in view
        }
        let force = lang.pick(h.force.name_zh(), h.force.name_en());
        let dispatched = sit
            .units
            .get(&h.dispatched)
            .is_some_and(|u| u.status != UnitStatus::Available);
        let mut line = tr(lang, Msg::MoveUpIf)
            .replace("{unit}", &callsign(h.dispatched))
            .replace("{force}", force)
            .replace("{a}", &pct(h.before_share))
            .replace("{b}", &pct(h.after_share));
        match &h.best {
            Some(b) => {
                line += &tr(lang, Msg::MoveUpRestore)
                    .replace("{unit}", &callsign(b.unit))
                    .replace("{station}", &b.station_name)
                    .replace("{c}", &pct(b.share));
            }
            None => line += tr(lang, Msg::MoveUpNone),
        }
        if h.estimate {
            line += &format!("（{}）", tr(lang, Msg::Estimate));
        }
        out.push(line);
        // After the dispatch the live figure (recomputed on the worker) is what counts.
        if dispatched
            && let Some(t) = cov
                .answer
                .as_ref()
                .and_then(|a| a.report.types.iter().find(|t| t.force == h.force))
        {
            out.push(
                tr(lang, Msg::MoveUpLive)
                    .replace("{force}", force)
                    .replace("{b}", &pct(t.covered_share)),
            );
        }
    }
    out
}

/// The move-up hint beside the detail pane (its lines, computed by the app).
pub(super) fn move_up_hint_ui(ui: &mut Ui, lines: &[String]) {
    for line in lines {
        ui.label(RichText::new(line).color(theme::WARN_TEXT));
    }
}

/// What the coverage board reads besides its own state.
pub(super) struct BoardView<'a> {
    /// The situation (names of warehouses).
    pub sit: &'a Situation,
    /// Live coverage is being computed.
    pub computing: bool,
    /// A siting proposal is being computed.
    pub siting_busy: bool,
    /// The move-up hint lines for the dispatch in view.
    pub hint_lines: &'a [String],
}

/// The coverage board: shares by force type and county, uncovered places, the share curve,
/// siting and nearest supplies. Returns what it wants of the app (fly, siting, supplies).
pub(super) fn coverage_board(
    ui: &mut Ui,
    cov: &mut CoverageState,
    settings: &mut Settings,
    notices: &mut Notices,
    view: BoardView,
) -> Vec<Action> {
    let lang = settings.lang;
    let mut actions = Vec::new();
    egui::ScrollArea::both().id_salt("coverage_board").show(ui, |ui| {
        ui.horizontal(|ui| {
            let mut on = layer_on(settings);
            if ui.checkbox(&mut on, tr(lang, Msg::Coverage)).changed() {
                settings.layers.insert(LAYER_KEY.to_string(), on);
            }
            force_selector_ui(ui, cov, lang);
        });
        super::panels::notice_ui(ui, notices, Source::Coverage, lang);
        if view.computing {
            ui.label(RichText::new(tr(lang, Msg::CoverageComputing)).weak());
        }
        let Some(a) = &cov.answer else { return };
        if a.report.estimate {
            ui.label(
                RichText::new(format!("{} — {}", tr(lang, Msg::Estimate), tr(lang, Msg::EstimateTip)))
                    .small()
                    .color(theme::WARN_TEXT),
            );
        }
        ui.label(RichText::new(tr(lang, Msg::WeightingArea)).small().weak());
        let mut pick_force = None;
        egui::Grid::new("coverage_types").striped(true).show(ui, |ui| {
            for t in &a.report.types {
                let name = lang.pick(t.name_zh, t.name_en);
                if ui.selectable_label(t.force == cov.force, name).clicked() {
                    pick_force = Some(t.force);
                }
                ui.label(RichText::new(format!("{}: {}%", tr(lang, Msg::CoveredShare), pct(t.covered_share))).strong());
                ui.label(format!(
                    "{} {}/{}",
                    tr(lang, Msg::AvailableUnits),
                    t.bases.len(),
                    t.units_total
                ));
                let th: Vec<String> = t.thresholds.iter().map(|x| threshold_text(lang, x)).collect();
                ui.label(RichText::new(th.join("; ")).small().weak());
                if a.report.estimate {
                    ui.label(RichText::new(tr(lang, Msg::Estimate)).small().color(theme::WARN_TEXT))
                        .on_hover_text(tr(lang, Msg::EstimateTip));
                }
                ui.end_row();
            }
        });
        if let Some(f) = pick_force {
            cov.force = f;
            cov.bands_key = None;
            cov.siting_marks.clear();
        }
        let Some(a) = &cov.answer else { return };
        let Some(t) = a.report.types.iter().find(|t| t.force == cov.force) else {
            return;
        };
        ui.separator();
        ui.label(RichText::new(lang.pick(t.name_zh, t.name_en)).strong());
        ui.label(format!("{}: {}%", tr(lang, Msg::CoveredShare), pct(t.covered_share)));
        for th in &t.thresholds {
            ui.label(RichText::new(format!("{}: {}", tr(lang, Msg::Thresholds), threshold_text(lang, th))).small());
        }
        egui::CollapsingHeader::new(tr(lang, Msg::ByCounty))
            .id_salt("coverage_by_county")
            .show(ui, |ui| {
                egui::Grid::new("coverage_counties").striped(true).show(ui, |ui| {
                    for c in &t.by_county {
                        ui.label(&c.county);
                        ui.label(format!("{}%", pct(c.share)));
                        ui.label(format!(
                            "{:.0}/{:.0} {}",
                            c.covered_km2,
                            c.total_km2,
                            tr(lang, Msg::SquareKm)
                        ));
                        ui.end_row();
                    }
                });
            });
        let mut fly = None;
        egui::CollapsingHeader::new(format!(
            "{} ({})",
            tr(lang, Msg::UncoveredPlaces),
            t.uncovered_places.len()
        ))
        .id_salt("coverage_uncovered")
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                for &i in &t.uncovered_places {
                    let p = &a.report.points[i];
                    if ui.small_button(p.place_name().unwrap_or_default()).clicked() {
                        fly = Some(p.lonlat);
                    }
                }
            });
        });
        // Share vs time / distance: today, and with the proposal when one exists.
        let (title, unit) = match t.metric {
            Metric::Time => (Msg::CoverageCurve, Msg::Minutes),
            Metric::Distance => (Msg::CoverageCurveDist, Msg::Km),
        };
        let today = cov.curve.clone();
        let proposal = cov.siting_curve.clone();
        egui::CollapsingHeader::new(format!("{} ({})", tr(lang, title), tr(lang, unit)))
            .id_salt("coverage_curve_header")
            .default_open(true)
            .show(ui, |ui| {
                egui_plot::Plot::new("coverage_curve")
                    .height(140.0)
                    .include_y(0.0)
                    .include_y(100.0)
                    .allow_drag(false)
                    .allow_zoom(false)
                    .allow_scroll(false)
                    .legend(egui_plot::Legend::default())
                    .show(ui, |p| {
                        p.line(egui_plot::Line::new(tr(lang, Msg::CurveToday), today));
                        if !proposal.is_empty() {
                            p.line(egui_plot::Line::new(tr(lang, Msg::CurveProposal), proposal));
                        }
                    });
            });
        if let Some(ll) = fly {
            actions.push(Action::FlyToTarget(Target::Point(ll)));
        }
        ui.separator();
        move_up_hint_ui(ui, view.hint_lines);
        actions.extend(siting_ui(ui, cov, view.siting_busy, lang));
        ui.separator();
        actions.extend(supplies_ui(ui, cov, view.sit, lang));
    });
    actions
}

fn siting_ui(ui: &mut Ui, cov: &CoverageState, busy: bool, lang: Lang) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        if ui
            .button(tr(lang, Msg::SitingButton))
            .on_hover_text(tr(lang, Msg::SitingTip))
            .clicked()
        {
            action = Some(Action::RequestSiting);
        }
        if busy {
            ui.label(RichText::new(tr(lang, Msg::SitingComputing)).weak());
        }
    });
    let Some(s) = &cov.siting else { return action };
    let r = &s.report;
    ui.label(
        RichText::new(format!(
            "{} · {} — {} {} · {}% → {}%{}",
            tr(lang, Msg::SitingSites),
            lang.pick(r.force.name_zh(), r.force.name_en()),
            r.candidates,
            tr(lang, Msg::Candidates),
            pct(r.share_before),
            pct(r.share_after),
            if r.estimate {
                format!("（{}）", tr(lang, Msg::Estimate))
            } else {
                String::new()
            }
        ))
        .strong(),
    );
    let mut fly = None;
    for (i, c) in r.chosen.iter().enumerate() {
        let text = format!(
            "{}. {} — {} +{:.0} {} · {} {}%",
            i + 1,
            c.name,
            tr(lang, Msg::Gain),
            c.gain_km2,
            tr(lang, Msg::SquareKm),
            tr(lang, Msg::ShareAfter),
            pct(c.share_after)
        );
        if ui.selectable_label(false, text).clicked() {
            fly = Some(c.lonlat);
        }
    }
    fly.map(|ll| Action::FlyToTarget(Target::Point(ll))).or(action)
}

fn supplies_ui(ui: &mut Ui, cov: &mut CoverageState, sit: &Situation, lang: Lang) -> Option<Action> {
    ui.label(RichText::new(tr(lang, Msg::SuppliesTitle)).strong());
    ui.label(RichText::new(tr(lang, Msg::SupplyAtHint)).small().weak());
    let mut go = false;
    ui.horizontal(|ui| {
        ui.label(tr(lang, Msg::SupplyItem));
        let r = ui.add(egui::TextEdit::singleline(&mut cov.supply_item).desired_width(90.0));
        go |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.add(egui::DragValue::new(&mut cov.supply_n).range(1..=10).prefix("N="));
        go |= ui.button(tr(lang, Msg::SupplyNearest)).clicked();
    });
    let action = go.then_some(Action::RequestSupplies);
    let Some(a) = &cov.supplies else { return action };
    ui.label(format!(
        "{} @ {:.4},{:.4}{}",
        lang.pick(&a.name_zh, &a.name_en),
        a.at_lonlat[0],
        a.at_lonlat[1],
        if a.schematic {
            format!("（{}）", tr(lang, Msg::Estimate))
        } else {
            String::new()
        }
    ));
    egui::Grid::new("supplies_nearest").striped(true).show(ui, |ui| {
        for s in &a.nearest {
            // The warehouse's name in the officer's language (the answer carries the Chinese).
            let name = sit
                .warehouses
                .get(&s.warehouse)
                .map_or(s.name_zh.as_str(), |w| lang.pick(&w.spec.name_zh, &w.spec.name_en));
            ui.label(name);
            ui.label(format!("{} {} {}", tr(lang, Msg::SupplyFree), s.free, a.unit));
            ui.label(format!("{} {}", tr(lang, Msg::SupplyQuantity), s.quantity));
            ui.label(format!(
                "{:.0} {} · {:.1} {}",
                s.eta_s / 60.0,
                tr(lang, Msg::Minutes),
                s.dist_m / 1000.0,
                tr(lang, Msg::Km)
            ));
            ui.end_row();
        }
    });
    ui.label(RichText::new(tr(lang, Msg::SupplyTotals)).small().strong());
    for (county, c) in &a.by_county {
        ui.label(
            RichText::new(format!(
                "{county}: {} {} / {} {} ({})",
                tr(lang, Msg::SupplyFree),
                c.free,
                tr(lang, Msg::SupplyQuantity),
                c.quantity,
                c.warehouses
            ))
            .small(),
        );
    }
    action
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legend_has_a_row_per_band_plus_beyond_and_unreachable() {
        let rows = legend_rows(Lang::Zh, Metric::Distance);
        assert_eq!(rows.len(), DIST_EDGES_KM.len() + 2);
        assert_eq!(rows[0].1, "≤ 5 公里");
        assert_eq!(rows[1].1, "5–10 公里");
        assert_eq!(rows.last().map(|r| r.1.as_str()), Some("不可达"));
        let rows = legend_rows(Lang::En, Metric::Time);
        assert_eq!(rows[5].1, "> 90 min and beyond");
        assert_eq!(rows[5].0, BAND_COLORS[5]);
    }

    #[test]
    fn threshold_text_names_both_distance_limits() {
        let t = Threshold {
            name: "amb".into(),
            zh: "救护车".into(),
            en: "Ambulance".into(),
            limit: Limit::Distance {
                urban_m: 5000.0,
                rural_m: 20000.0,
            },
        };
        assert_eq!(threshold_text(Lang::En, &t), "Ambulance ≤ 5 / 20 km (urban / rural)");
    }

    #[test]
    fn empty_situations_have_equal_signatures() {
        assert_eq!(
            availability_signature(&Situation::default()),
            availability_signature(&Situation::default())
        );
    }
}
