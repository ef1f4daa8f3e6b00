//! Drill mode in the console: pick a scenario, start it, and the same console runs the exercise
//! under a drill id — a violet 演练 DRILL banner and window frame, a simulated clock (play /
//! pause / 1×–1000×), injects and (with 自动 auto) the simulated dispatcher and units arriving by
//! road ETA, while the operator works as in real life: everything they record carries the drill
//! id and the simulated time, and never touches real units. Ending it writes the after-action
//! report next to the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use egui::{Color32, RichText, Ui};

use super::action::Action;
use super::i18n::{Msg, tr};
use super::notices::{Notices, Severity, Source};
use super::{Mode, OneMapApp, theme};
use crate::backend::drill::{DrillCommand, DrillJobError, DrillReport, DrillStart, DrillWorker};
use crate::backend::store::StoreCommand;
use crate::drill::SimClock;
use crate::model::ids::UnitId;

/// A running console drill.
pub struct DrillState {
    worker: DrillWorker,
    /// Drill id (known once started).
    pub drill_id: Option<String>,
    /// Scenario name.
    pub name: String,
    /// Simulated start, ms.
    pub start_ms: i64,
    /// The simulated clock.
    pub clock: SimClock,
    sim_now: Arc<AtomicI64>,
    last_tick: Option<i64>,
    /// Simulated units' positions at the last tick.
    pub positions: Arc<Vec<(UnitId, [f64; 2])>>,
    /// When the simulator next acts.
    pub next_due_ms: Option<i64>,
    /// Stop was asked.
    pub ending: bool,
    /// Simulated end of the scenario, ms: the clock stops there and asks to end the drill.
    pub end_ms: Option<i64>,
}

/// The drill section's settings and last outcome.
#[derive(Default)]
pub struct DrillSetup {
    /// Scenario files found in the pack's `drills/` folder.
    pub scenarios: Vec<PathBuf>,
    /// Chosen scenario.
    pub chosen: usize,
    /// Simulated dispatcher and units.
    pub auto: bool,
    /// The last drill's report (path or why not).
    pub last_report: Option<Result<PathBuf, DrillJobError>>,
    /// The report the officer last asked to open (打开报告).
    pub opened: Option<PathBuf>,
    /// The training copy's file as typed (empty: a new file next to the database).
    pub training_out: String,
    /// A training copy is being written on the store worker.
    pub training_pending: bool,
    /// The last training copy written.
    pub training_copy: Option<crate::store::training::TrainingCopy>,
}

impl DrillSetup {
    /// Scenarios in `<pack>/drills/*.toml`, sorted.
    pub fn scan(pack_dir: &std::path::Path) -> DrillSetup {
        let mut scenarios: Vec<PathBuf> = std::fs::read_dir(pack_dir.join("drills"))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        scenarios.sort();
        DrillSetup {
            scenarios,
            chosen: 0,
            auto: true,
            last_report: None,
            opened: None,
            training_out: String::new(),
            training_pending: false,
            training_copy: None,
        }
    }
}

/// A new training file next to the live database: `<stem>-training-YYYYMMDD-HHMMSS.<ext>` in
/// Beijing time (the copy refuses any file that already holds data).
pub fn training_default_path(db: &std::path::Path, now_ms: i64) -> PathBuf {
    let stamp: String = crate::local_time::date_time(now_ms)
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let (date, time) = stamp.split_at(stamp.len().min(8));
    let stem = db
        .file_stem()
        .map_or_else(|| "onemap".into(), |s| s.to_string_lossy().to_string());
    let ext = db
        .extension()
        .map_or_else(|| "db".into(), |s| s.to_string_lossy().to_string());
    db.with_file_name(format!("{stem}-training-{date}-{time}.{ext}"))
}

impl OneMapApp {
    /// Start the chosen scenario as a drill on the console's database file.
    pub fn start_drill(&mut self, ctx: &egui::Context) {
        let lang = self.settings.lang;
        self.notices.clear(Source::Drill);
        let db = self
            .live
            .store_path
            .clone()
            .filter(|p| p.is_file() && self.mode.writer().is_some());
        let (Some(db), Mode::Live { .. }) = (db, &self.mode) else {
            self.notices.push(
                Severity::Warning,
                Source::Drill,
                tr(lang, Msg::DrillNeedsFile).to_string(),
            );
            return;
        };
        let Some(scenario) = self.drill_setup.scenarios.get(self.drill_setup.chosen).cloned() else {
            self.notices
                .push(Severity::Warning, Source::Drill, tr(lang, Msg::NoScenarios).to_string());
            return;
        };
        let start = DrillStart {
            db,
            scenario,
            auto: self.drill_setup.auto,
            operator: self.operator(),
            seat: self.seat(),
        };
        match DrillWorker::start(self.world.pack.clone(), start, ctx.clone()) {
            Ok(worker) => {
                self.dispatch.recommendation = None;
                self.tracks.routes.clear();
                let drill = DrillState {
                    worker,
                    drill_id: None,
                    name: String::new(),
                    start_ms: 0,
                    clock: SimClock::new(0),
                    sim_now: Arc::new(AtomicI64::new(0)),
                    last_tick: None,
                    positions: Arc::new(Vec::new()),
                    next_due_ms: None,
                    ending: false,
                    end_ms: None,
                };
                // Only from live work (checked above): one drill at a time, none in a replay.
                if self.mode.enter_drill(drill).is_err() {
                    self.notices.push(
                        Severity::Warning,
                        Source::Drill,
                        tr(lang, Msg::DrillNeedsFile).to_string(),
                    );
                }
            }
            Err(e) => {
                self.notices.push(Severity::Warning, Source::Drill, e);
            }
        }
    }

    /// Ask the running drill to end (its report is written, then live work resumes).
    pub fn end_drill(&mut self) {
        if let Some(d) = self.mode.drill_mut()
            && !d.ending
        {
            match d.worker.send(DrillCommand::Stop) {
                Ok(()) => d.ending = true,
                Err(e) => {
                    self.notices.push(Severity::Warning, Source::Drill, e);
                }
            }
        }
    }

    /// Write a training copy of the master data on the store worker (live work on a file only):
    /// to `out`, else to a new file next to the database; the answer arrives as
    /// `StoreEvent::TrainingCopied`.
    pub fn training_copy(&mut self, out: Option<PathBuf>) {
        let lang = self.settings.lang;
        self.notices.clear(Source::Drill);
        let (Some(db), Mode::Live { store }) = (self.live.store_path.clone(), &self.mode) else {
            self.notices.push(
                Severity::Warning,
                Source::Drill,
                tr(lang, Msg::DrillNeedsFile).to_string(),
            );
            return;
        };
        let out = out.unwrap_or_else(|| training_default_path(&db, self.now_ms()));
        let cmd = StoreCommand::TrainingCopy {
            out,
            operator: self.settings.operator_name(),
        };
        match store.send(cmd) {
            Ok(()) => self.drill_setup.training_pending = true,
            Err(e) => {
                self.notices.push(Severity::Error, Source::Store, e.to_string());
            }
        }
    }

    /// The store worker's answer to a training copy.
    pub(super) fn training_copied(
        &mut self,
        result: Result<crate::store::training::TrainingCopy, crate::backend::store::StoreWorkerError>,
    ) {
        let lang = self.settings.lang;
        self.drill_setup.training_pending = false;
        match result {
            Ok(c) => {
                self.drill_setup.training_out = c.db.display().to_string();
                self.drill_setup.training_copy = Some(c);
            }
            Err(e) => {
                let text = format!("{}: {e}", tr(lang, Msg::TrainingCopyFailed));
                self.notices.push(Severity::Warning, Source::Drill, text);
            }
        }
    }

    /// Open a second console on `db` (a training copy), with this console's pack.
    pub(super) fn open_console_on(&mut self, db: &std::path::Path) {
        if let Err(e) = crate::backend::desktop::open_console(&self.world.pack.dir, db) {
            let text = format!(
                "{}: {}: {e}",
                tr(self.settings.lang, Msg::OpenTrainingConsole),
                db.display()
            );
            self.notices.push(Severity::Warning, Source::Drill, text);
        }
    }

    /// Whether a console drill is running.
    pub fn in_drill(&self) -> bool {
        self.mode.drill().is_some()
    }

    fn store_send(&mut self, cmd: StoreCommand) {
        if let Some(s) = self.mode.writer()
            && let Err(e) = s.send(cmd)
        {
            self.notices.push(Severity::Error, Source::Store, e.to_string());
        }
    }

    pub(super) fn drain_drill(&mut self, ctx: &egui::Context) {
        let Some(d) = self.mode.drill_mut() else { return };
        let mut to_store = Vec::new();
        let mut finished: Option<Option<Result<PathBuf, DrillJobError>>> = None;
        let mut scenario_over = false;
        while let Ok(r) = d.worker.rx.try_recv() {
            match r {
                DrillReport::Started {
                    drill_id,
                    name,
                    start_ms,
                    end_ms,
                } => {
                    d.end_ms = end_ms;
                    d.clock = SimClock::new(start_ms);
                    d.clock.set_speed(60.0);
                    d.clock.play();
                    d.sim_now.store(start_ms, Ordering::Relaxed);
                    d.start_ms = start_ms;
                    d.name = name;
                    d.drill_id = Some(drill_id.clone());
                    to_store.push(StoreCommand::SetDrill(Some((drill_id, d.sim_now.clone()))));
                    to_store.push(StoreCommand::Refresh);
                }
                DrillReport::Progress {
                    appended,
                    next_due_ms,
                    positions,
                    ..
                } => {
                    d.positions = positions;
                    d.next_due_ms = next_due_ms;
                    if appended > 0 {
                        to_store.push(StoreCommand::Refresh);
                    }
                }
                DrillReport::Ended { report, .. } => finished = Some(Some(report)),
                DrillReport::Error(e) => {
                    self.notices.push(Severity::Warning, Source::Drill, e);
                    finished = Some(None);
                }
            }
        }
        if let Some(d) = self.mode.drill_mut()
            && d.drill_id.is_some()
            && finished.is_none()
        {
            let dt = ctx.input(|i| i.stable_dt).clamp(0.0, 0.25);
            if d.clock.is_playing() {
                d.clock.advance(std::time::Duration::from_secs_f32(dt));
                ctx.request_repaint_after(std::time::Duration::from_millis(100));
                // The scenario is over: the clock stops there and the bar asks to end the drill.
                if let Some(end) = d.end_ms
                    && d.clock.now_ms() >= end
                {
                    d.clock.seek(end);
                    d.clock.pause();
                    scenario_over = true;
                }
            }
            let now = d.clock.now_ms();
            d.sim_now.store(now, Ordering::Relaxed);
            if d.last_tick != Some(now) && d.worker.send(DrillCommand::Tick(now)).is_ok() {
                d.last_tick = Some(now);
            }
            self.live.clock_ms = Some(now);
        }
        if scenario_over {
            let text = tr(self.settings.lang, Msg::ScenarioOver);
            self.notices.push(Severity::Warning, Source::Drill, text);
        }
        if let Some(report) = finished {
            self.mode.leave_drill();
            self.live.clock_ms = None;
            self.tracks.routes.clear();
            if let Some(r) = report {
                self.drill_setup.last_report = Some(r);
            }
            to_store.push(StoreCommand::SetDrill(None));
            to_store.push(StoreCommand::Refresh);
        }
        for c in to_store {
            self.store_send(c);
        }
    }

    /// Simulated positions of the drill's moving units, by unit id.
    pub fn drill_positions(&self) -> Option<&[(UnitId, [f64; 2])]> {
        self.mode.drill().map(|d| d.positions.as_slice())
    }
}

/// What the drill section reads besides its own state.
pub(super) struct SetupView<'a> {
    /// The console's mode (a drill running, a replay, a writer).
    pub mode: &'a Mode,
    /// The database file open (a training copy is offered for a file, not a server).
    pub db_file: Option<&'a std::path::Path>,
    /// The situation (drills left running).
    pub sit: &'a crate::model::situation::Situation,
    /// The officer's language.
    pub lang: crate::i18n::Lang,
}

/// The drill section of the side panel: scenario, auto, start / last report, drills left
/// running. Returns start, or the intent ending a stale drill.
pub(super) fn drill_setup_ui(
    ui: &mut Ui,
    setup: &mut DrillSetup,
    notices: &mut Notices,
    view: SetupView,
) -> Option<Action> {
    let SetupView {
        mode,
        db_file,
        sit,
        lang,
    } = view;
    let mut action = None;
    ui.label(RichText::new(tr(lang, Msg::Drill)).strong());
    if mode.drill().is_none() {
        let names: Vec<String> = setup
            .scenarios
            .iter()
            .map(|p| p.file_stem().map_or(String::new(), |s| s.to_string_lossy().to_string()))
            .collect();
        if names.is_empty() {
            ui.label(RichText::new(tr(lang, Msg::NoScenarios)).small().weak());
        } else {
            let current = names.get(setup.chosen).cloned().unwrap_or_default();
            egui::ComboBox::new("drill_scenario", tr(lang, Msg::Scenario))
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for (i, n) in names.iter().enumerate() {
                        ui.selectable_value(&mut setup.chosen, i, n);
                    }
                });
            ui.checkbox(&mut setup.auto, tr(lang, Msg::DrillAuto))
                .on_hover_text(tr(lang, Msg::DrillAutoTip));
            let can = mode.replay().is_none() && mode.writer().is_some();
            if ui
                .add_enabled(
                    can,
                    egui::Button::new(RichText::new(tr(lang, Msg::StartDrill)).strong()),
                )
                .on_hover_text(tr(lang, Msg::StartDrillTip))
                .clicked()
            {
                action = Some(Action::StartDrill);
            }
        }
    }
    if mode.drill().is_none() {
        super::panels::notice_ui(ui, notices, Source::Drill, lang);
    }
    // A drill left running by a closed console or a failed worker can be ended here.
    if mode.drill().is_none() && mode.replay().is_none() {
        let stale: Vec<String> = sit
            .drills
            .values()
            .filter(|d| d.is_active())
            .map(|d| d.drill_id.clone())
            .collect();
        for id in stale {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("{} {id}", tr(lang, Msg::StaleDrill))).color(theme::WARN_TEXT));
                if ui.button(tr(lang, Msg::EndDrill)).clicked() {
                    action = Some(Action::Send(crate::backend::store::Intent::EndDrill {
                        drill_id: id.clone(),
                    }));
                }
            });
        }
    }
    if matches!(mode, Mode::Live { .. })
        && db_file.is_some()
        && let Some(a) = training_copy_ui(ui, setup, lang)
    {
        action = Some(a);
    }
    match &setup.last_report {
        Some(Ok(p)) => {
            let p = p.clone();
            ui.label(RichText::new(format!("{}: {}", tr(lang, Msg::DrillReport), p.display())).small());
            if ui
                .button(tr(lang, Msg::OpenReport))
                .on_hover_text(p.display().to_string())
                .clicked()
            {
                setup.opened = Some(p.clone());
                if let Err(e) = crate::backend::desktop::open_path(&p) {
                    let text = format!("{}: {}: {e}", tr(lang, Msg::OpenReport), p.display());
                    notices.push(Severity::Warning, Source::Drill, text);
                }
            }
        }
        Some(Err(e)) => {
            ui.colored_label(theme::WARN_TEXT, format!("{}: {e}", tr(lang, Msg::DrillReport)));
        }
        None => {}
    }
    action
}

/// The training copy under the drill controls: the file (empty: next to the database), the
/// button, the progress line while the store worker writes it, and the copy written with
/// 在新窗口打开副本.
fn training_copy_ui(ui: &mut Ui, setup: &mut DrillSetup, lang: crate::i18n::Lang) -> Option<Action> {
    let mut action = None;
    let hint = ui.label(RichText::new(tr(lang, Msg::TrainingCopyHint)).small());
    ui.add(egui::TextEdit::singleline(&mut setup.training_out).desired_width(f32::INFINITY))
        .labelled_by(hint.id);
    if setup.training_pending {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new(tr(lang, Msg::TrainingCopying)).weak());
        });
    } else if ui
        .button(tr(lang, Msg::TrainingCopy))
        .on_hover_text(tr(lang, Msg::TrainingCopyTip))
        .clicked()
    {
        let typed = setup.training_out.trim();
        action = Some(Action::TrainingCopy((!typed.is_empty()).then(|| PathBuf::from(typed))));
    }
    if let Some(c) = &setup.training_copy {
        ui.label(RichText::new(format!("{}: {}", tr(lang, Msg::TrainingCopyDone), c.db.display())).small());
        ui.label(
            RichText::new(
                tr(lang, Msg::TrainingCopyCounts)
                    .replace("{records}", &c.records.to_string())
                    .replace("{left}", &c.incidents_left.to_string()),
            )
            .small()
            .weak(),
        );
        if ui
            .button(tr(lang, Msg::OpenTrainingConsole))
            .on_hover_text(tr(lang, Msg::OpenTrainingConsoleTip))
            .clicked()
        {
            action = Some(Action::OpenConsoleOn(c.db.clone()));
        }
    }
    action
}

/// The drill bar under the map: banner, simulated clock, speed, end. Returns end.
pub(super) fn drill_bar_ui(
    ui: &mut Ui,
    d: &mut DrillState,
    notices: &mut Notices,
    lang: crate::i18n::Lang,
) -> Option<Action> {
    let mut end = false;
    ui.horizontal(|ui| {
        let id = d.drill_id.clone().unwrap_or_else(|| "…".into());
        ui.label(
            RichText::new(format!(" {} {id} ", tr(lang, Msg::DrillBadge)))
                .strong()
                .size(18.0)
                .color(Color32::BLACK)
                .background_color(theme::DRILL),
        )
        .on_hover_text(tr(lang, Msg::DrillBadgeTip));
        ui.label(RichText::new(&d.name).strong());
        super::replay::clock_controls_ui(ui, &mut d.clock, "drill_speed", Msg::DrillKeysTip, lang);
        let now = d.clock.now_ms();
        ui.label(
            RichText::new(format!(
                "{} {}  T+{}",
                crate::local_time::date_time(now),
                super::lang_zone(lang),
                super::replay::offset_hms((now - d.start_ms) as f64 / 1000.0)
            ))
            .monospace()
            .size(15.0),
        );
        if let Some(next) = d.next_due_ms {
            ui.label(
                RichText::new(format!(
                    "{} T+{}",
                    tr(lang, Msg::NextInject),
                    super::replay::offset_hms((next - d.start_ms) as f64 / 1000.0)
                ))
                .small()
                .weak(),
            );
        }
        let label = if d.ending { Msg::EndingDrill } else { Msg::EndDrill };
        if ui.add_enabled(!d.ending, egui::Button::new(tr(lang, label))).clicked() {
            end = true;
        }
    });
    super::panels::notice_ui(ui, notices, Source::Drill, lang);
    end.then_some(Action::EndDrill)
}
