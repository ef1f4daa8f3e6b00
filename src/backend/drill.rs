//! Drill worker: one thread runs a scenario's simulator for a console drill. It owns its own
//! connection to the console's database file (SQLite WAL allows several) and the simulator's
//! router; the console drives its simulated clock with ticks. Each tick: the operator's own
//! drill events (written by the store worker under the drill id) are observed, the batches due
//! by the tick's time are appended under the drill id stamped with their SIMULATED time, and the
//! units' interpolated positions are reported. Stop ends the drill (a real `DrillEnded`) and
//! writes the after-action report next to the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::time::Duration;

use crate::dispatch::{Geography, Plans};
use crate::drill::scenario::{PlaceNames, Scenario};
use crate::drill::sim::{SimOptions, Simulator};
use crate::mappack::MapPack;
use crate::model::EventKind;
use crate::model::ids::UnitId;
use crate::roads::router::Router;
use crate::store::Store;
use crate::time::format_utc_ms;

/// Why a console drill could not start, run or write its report; cloneable so it keeps its type
/// across the worker's channel.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DrillJobError {
    /// The scenario, the store or the simulator refused.
    #[error(transparent)]
    Drill(Arc<crate::drill::DrillError>),
    /// The pack's response plans do not load.
    #[error(transparent)]
    Plans(Arc<crate::dispatch::PlanError>),
    /// The pack has no road network.
    #[error("pack {0} has no roads: drills need a road network")]
    NoRoads(PathBuf),
    /// A file or directory of the report could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        source: Arc<std::io::Error>,
    },
    /// The worker thread could not start.
    #[error("cannot start the drill worker: {0}")]
    Start(Arc<std::io::Error>),
    /// A stop is already queued.
    #[error("the drill is busy; try again")]
    Busy,
    /// The worker has ended.
    #[error("the drill worker stopped")]
    Stopped,
}

impl From<crate::drill::DrillError> for DrillJobError {
    fn from(e: crate::drill::DrillError) -> Self {
        DrillJobError::Drill(Arc::new(e))
    }
}

impl From<crate::drill::ScenarioError> for DrillJobError {
    fn from(e: crate::drill::ScenarioError) -> Self {
        crate::drill::DrillError::from(e).into()
    }
}

impl From<crate::store::StoreError> for DrillJobError {
    fn from(e: crate::store::StoreError) -> Self {
        crate::drill::DrillError::from(e).into()
    }
}

impl From<crate::dispatch::PlanError> for DrillJobError {
    fn from(e: crate::dispatch::PlanError) -> Self {
        DrillJobError::Plans(Arc::new(e))
    }
}

/// What the console asks.
#[derive(Debug, Clone)]
pub enum DrillCommand {
    /// Simulated time is now this (ms since the epoch): run everything due by then.
    Tick(i64),
    /// End the drill and write the report.
    Stop,
}

/// What the worker reports.
#[derive(Debug, Clone)]
pub enum DrillReport {
    /// The drill started (a real `DrillStarted` is in the log).
    Started {
        /// Drill id every drill event carries.
        drill_id: String,
        /// Scenario name.
        name: String,
        /// Simulated start, ms.
        start_ms: i64,
        /// Simulated end of the scenario, ms (its `end`, else its last inject).
        end_ms: Option<i64>,
    },
    /// After a tick.
    Progress {
        /// Simulated time handled, ms.
        now_ms: i64,
        /// Drill events appended by the simulator in this tick.
        appended: usize,
        /// When the simulator next has something to do (`None`: nothing left).
        next_due_ms: Option<i64>,
        /// Units moving in the simulation, at `now_ms`.
        positions: Arc<Vec<(UnitId, [f64; 2])>>,
    },
    /// The drill ended (a real `DrillEnded` is in the log).
    Ended {
        /// Drill id.
        drill_id: String,
        /// The after-action report (HTML), when it could be written.
        report: Result<PathBuf, DrillJobError>,
    },
    /// Something failed; the drill stops.
    Error(DrillJobError),
}

/// How to start a console drill.
#[derive(Debug, Clone)]
pub struct DrillStart {
    /// The console's database file.
    pub db: PathBuf,
    /// Scenario file.
    pub scenario: PathBuf,
    /// The simulator dispatches and moves the units (else the operator does, as in real work).
    pub auto: bool,
    /// Who starts it.
    pub operator: String,
    /// From which seat.
    pub seat: String,
}

/// Handle to the drill thread.
pub struct DrillWorker {
    tx: SyncSender<DrillCommand>,
    /// Reports.
    pub rx: Receiver<DrillReport>,
}

impl DrillWorker {
    /// Load the scenario and start the drill on a new thread.
    pub fn start(pack: Arc<MapPack>, start: DrillStart, ctx: egui::Context) -> Result<DrillWorker, DrillJobError> {
        let (tx, commands) = mpsc::sync_channel::<DrillCommand>(4);
        let (reports, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("onemap-drill".into())
            .spawn(move || {
                let send = |r: DrillReport| {
                    let _ = reports.send(r);
                    ctx.request_repaint();
                };
                if let Err(e) = run(&pack, &start, &commands, &send) {
                    send(DrillReport::Error(e));
                }
            })
            .map_err(|e| DrillJobError::Start(Arc::new(e)))?;
        Ok(DrillWorker { tx, rx })
    }

    /// Queue a command; a full queue drops a tick (the next frame sends another).
    pub fn send(&self, cmd: DrillCommand) -> Result<(), DrillJobError> {
        match self.tx.try_send(cmd) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(DrillCommand::Tick(_))) => Ok(()),
            Err(TrySendError::Full(_)) => Err(DrillJobError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(DrillJobError::Stopped),
        }
    }
}

fn run(
    pack: &MapPack,
    start: &DrillStart,
    commands: &Receiver<DrillCommand>,
    send: &dyn Fn(DrillReport),
) -> Result<(), DrillJobError> {
    let scenario = Scenario::load(&start.scenario, &PlaceNames::from_pack(pack))?;
    let plans = Plans::load_pack(&pack.dir)?;
    let (graph, spec) = pack.roads().ok_or_else(|| DrillJobError::NoRoads(pack.dir.clone()))?;
    let router = Router::with_spec(graph, spec);
    let mut store = Store::open(&start.db)?;
    let drill_id = crate::drill::run::next_drill_id(&mut store, &scenario.id)?;
    store.append(
        &start.operator,
        &start.seat,
        None,
        EventKind::DrillStarted {
            drill_id: drill_id.clone(),
            name: scenario.name.clone(),
        },
    )?;
    let mut seen = store.last_seq()?;
    let base = store.drill_situation(&drill_id)?;
    let opts = SimOptions {
        auto: start.auto,
        ..SimOptions::default()
    };
    let mut sim = Simulator::new(scenario.clone(), plans, router, Geography::from_pack(pack), base, opts)?;
    let end_ms = scenario
        .end_s
        .or_else(|| scenario.injects.iter().map(|i| i.at_s).max())
        .map(|s| scenario.start_ms.saturating_add(s as i64 * 1000));
    send(DrillReport::Started {
        drill_id: drill_id.clone(),
        name: scenario.name.clone(),
        start_ms: scenario.start_ms,
        end_ms,
    });
    let mut now_ms = scenario.start_ms;
    loop {
        let cmd = match commands.recv_timeout(Duration::from_millis(500)) {
            Ok(c) => Some(c),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        let stop = matches!(cmd, Some(DrillCommand::Stop));
        if let Some(DrillCommand::Tick(t)) = cmd {
            now_ms = now_ms.max(t);
        }
        // The operator's own drill events first (they may change what the simulator does).
        let observe = |store: &Store, sim: &mut Simulator, seen: &mut u64| -> Result<usize, DrillJobError> {
            let events: Vec<_> = store
                .events_since(*seen)?
                .into_iter()
                .filter(|e| e.drill_id.as_deref() == Some(drill_id.as_str()))
                .collect();
            *seen = store.last_seq()?.max(*seen);
            sim.observe(&events);
            Ok(events.len())
        };
        observe(&store, &mut sim, &mut seen)?;
        let mut appended = 0;
        while let Some(batch) = sim.next_batch(now_ms)? {
            store.append_batch_at(
                &format_utc_ms(batch.t_ms),
                &batch.operator,
                &batch.seat,
                Some(&drill_id),
                batch.kinds,
            )?;
            appended += observe(&store, &mut sim, &mut seen)?;
        }
        send(DrillReport::Progress {
            now_ms,
            appended,
            next_due_ms: sim.next_due_ms(),
            positions: Arc::new(sim.unit_positions_at(now_ms)),
        });
        if stop {
            store.append(
                &start.operator,
                &start.seat,
                None,
                EventKind::DrillEnded {
                    drill_id: drill_id.clone(),
                },
            )?;
            drop(store);
            // Stopped before the scenario's end: score only what came due, list what never played.
            let early = (end_ms.is_some_and(|e| now_ms < e) || sim.next_due_ms().is_some()).then(|| {
                crate::drill::run::EarlyStop {
                    at_ms: now_ms,
                    unplayed: scenario.unplayed(now_ms),
                }
            });
            let report = write_report(pack, start, &drill_id, sim.notes(), early);
            send(DrillReport::Ended { drill_id, report });
            return Ok(());
        }
    }
}

fn write_report(
    pack: &MapPack,
    start: &DrillStart,
    drill_id: &str,
    notes: &[(i64, String)],
    early: Option<crate::drill::run::EarlyStop>,
) -> Result<PathBuf, DrillJobError> {
    let notes = notes
        .iter()
        // The report's times are Beijing time (its header states the zone once).
        .map(|(t, n)| format!("{} {n}", crate::local_time::clock(*t)))
        .collect();
    let report = crate::drill::run::report_from_db_stopped(&start.db, pack, Some(drill_id), notes, early)?;
    let dir = start
        .db
        .parent()
        .map_or_else(|| PathBuf::from("reports"), |d| d.join("reports"));
    crate::private_fs::create_private_dir_all(&dir).map_err(|e| DrillJobError::Write {
        path: dir.clone(),
        source: Arc::new(e),
    })?;
    let path = dir.join(format!("{drill_id}.html"));
    crate::private_fs::write_private(&path, report.to_html().as_bytes()).map_err(|e| DrillJobError::Write {
        path: path.clone(),
        source: Arc::new(e),
    })?;
    Ok(path)
}
