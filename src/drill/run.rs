//! The headless runner: starts a drill in a store (a real `DrillStarted` event), drives the
//! [`Simulator`] to its end appending each batch under the drill id with its SIMULATED
//! timestamp, and ends the drill. With a speed it sleeps so simulated time runs at speed × real
//! time; without one it runs as fast as it can. The only drill module that touches the store.

use super::DrillError;
use super::clock::SimClock;
use super::report::{Report, ReportInput, build_report, outline_from_pack, places_from_pack};
use super::scenario::Scenario;
use super::sim::{SimOptions, Simulator};
use crate::dispatch::{Geography, Plans};
use crate::model::{Event, EventKind};
use crate::roads::router::Router;
use crate::store::{Replay, Store};
use crate::time::format_utc_ms;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Play the dispatcher and the units (`--auto`).
    pub auto: bool,
    /// Simulated seconds per real second (1–1000); `None` = as fast as possible.
    pub speed: Option<f64>,
    /// Operator who starts and ends the drill (real bookkeeping events).
    pub operator: String,
    /// Their seat.
    pub seat: String,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    /// The drill id every drill event carries.
    pub drill_id: String,
    /// Seq of the `DrillStarted` event.
    pub started_seq: u64,
    /// Drill events logged.
    pub events: u64,
    /// Simulated start and end, ms.
    pub start_ms: i64,
    /// Simulated end, ms.
    pub end_ms: i64,
    /// Simulator notes (shortfalls, unreachable units …) with their simulated time.
    pub notes: Vec<(i64, String)>,
}

/// The first unused drill id `<scenario id>-<n>` in this store.
pub fn next_drill_id(store: &mut Store, scenario_id: &str) -> Result<String, DrillError> {
    let sit = store.situation()?;
    let mut n = 1u32;
    loop {
        let id = format!("{scenario_id}-{n}");
        if !sit.drills.contains_key(&id) {
            return Ok(id);
        }
        n += 1;
    }
}

/// Runs `scenario` to its end in `store` (see the module docs). `on_batch` sees the simulator
/// and the events just logged (tests compare live drill states with replays through it).
pub fn run_scenario(
    store: &mut Store,
    scenario: &Scenario,
    plans: &Plans,
    router: Router,
    geography: Geography,
    opts: &RunOptions,
    mut on_batch: impl FnMut(&Simulator, &[Event]),
) -> Result<RunOutcome, DrillError> {
    let drill_id = next_drill_id(store, &scenario.id)?;
    // Validate against the situation the drill will start from BEFORE anything is written, so
    // a scenario that names a missing unit or warehouse leaves no open drill behind.
    scenario.resolve(store.situation()?)?;
    let started_seq = store.append(
        &opts.operator,
        &opts.seat,
        None,
        EventKind::DrillStarted {
            drill_id: drill_id.clone(),
            name: scenario.name.clone(),
        },
    )?;
    // Whatever happens in the loop, the drill is ended before an error is reported, so a failed
    // run leaves no open drill (a killed one is closed by the next opener).
    let driven = drive(
        store,
        scenario,
        plans,
        router,
        geography,
        opts,
        &drill_id,
        &mut on_batch,
    );
    store.append(
        &opts.operator,
        &opts.seat,
        None,
        EventKind::DrillEnded {
            drill_id: drill_id.clone(),
        },
    )?;
    let (count, end_ms, notes) = driven?;
    Ok(RunOutcome {
        drill_id,
        started_seq,
        events: count,
        start_ms: scenario.start_ms,
        end_ms,
        notes,
    })
}

/// What the simulation loop did: (drill events logged, simulated end, notes).
type Driven = (u64, i64, Vec<(i64, String)>);

/// The simulation loop of [`run_scenario`].
#[allow(clippy::too_many_arguments)]
fn drive(
    store: &mut Store,
    scenario: &Scenario,
    plans: &Plans,
    router: Router,
    geography: Geography,
    opts: &RunOptions,
    drill_id: &str,
    on_batch: &mut impl FnMut(&Simulator, &[Event]),
) -> Result<Driven, DrillError> {
    let base = store.drill_situation(drill_id)?;
    let sim_opts = SimOptions {
        auto: opts.auto,
        ..SimOptions::default()
    };
    let mut sim = Simulator::new(scenario.clone(), plans.clone(), router, geography, base, sim_opts)?;
    let mut clock = SimClock::new(scenario.start_ms);
    if let Some(s) = opts.speed {
        clock.set_speed(s);
    }
    clock.play();
    let mut count = 0u64;
    while let Some(due) = sim.next_due_ms() {
        if opts.speed.is_some() && due > clock.now_ms() {
            let wait = clock.real_for(due - clock.now_ms());
            std::thread::sleep(wait);
            clock.seek(due);
        }
        let Some(batch) = sim.next_batch(due)? else { continue };
        let seqs = store.append_batch_at(
            &format_utc_ms(batch.t_ms),
            &batch.operator,
            &batch.seat,
            Some(drill_id),
            batch.kinds,
        )?;
        let first = seqs.first().copied().unwrap_or(0);
        let events = store.events_since(first.saturating_sub(1))?;
        count += events.len() as u64;
        sim.observe(&events);
        on_batch(&sim, &events);
    }
    Ok((count, sim.now_ms(), sim.notes().to_vec()))
}

/// The after-action report of a database file, read-only: one drill (real state at its start
/// plus its events), or the real events when `drill` is `None`. Plans, roads and the outline come
/// from the pack (intervals stay unscored if it has no plans).
pub fn report_from_db(
    db: &std::path::Path,
    pack: &crate::mappack::MapPack,
    drill: Option<&str>,
    notes: Vec<String>,
) -> Result<Report, DrillError> {
    report_from_db_stopped(db, pack, drill, notes, None)
}

/// Where a drill ended early: the simulated moment it was stopped and the injects it never
/// played (`Scenario::unplayed`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EarlyStop {
    /// Simulated time of the stop, ms.
    pub at_ms: i64,
    /// Injects not played, one line each.
    pub unplayed: Vec<String>,
}

/// [`report_from_db`] for a drill that may have been stopped early: targets not yet due at the
/// stop are not scored and the unplayed injects are listed.
pub fn report_from_db_stopped(
    db: &std::path::Path,
    pack: &crate::mappack::MapPack,
    drill: Option<&str>,
    notes: Vec<String>,
    stop: Option<EarlyStop>,
) -> Result<Report, DrillError> {
    let mut replay = Replay::open(db)?;
    replay.set_scope(drill)?;
    let last = replay.timeline().last().map_or(0, |e| e.seq);
    let (base, events, title) = match drill {
        Some(d) => {
            let started = replay.drill_started_seq();
            let base = replay.situation_at(started)?;
            let title = base.drills.get(d).map_or(d.to_owned(), |x| x.name.clone());
            let events: Vec<Event> = replay
                .events(started, last)?
                .into_iter()
                .filter(|e| e.drill_id.as_deref() == Some(d))
                .collect();
            (base, events, title)
        }
        None => {
            let events: Vec<Event> = replay
                .events(0, last)?
                .into_iter()
                .filter(|e| e.drill_id.is_none())
                .collect();
            (
                crate::model::Situation::new(),
                events,
                format!("{} — 实战记录 operations", db.display()),
            )
        }
    };
    let plans = Plans::load_pack(&pack.dir).ok();
    let mut router = pack.roads().map(|(g, spec)| Router::with_spec(g, spec));
    // Ambulance coverage over the drill (the plan's 5 km urban / 20 km rural along roads),
    // sampled by the report: its own router and demand model, built once.
    let mut cov_router = pack.roads().map(|(g, spec)| Router::with_spec(g, spec));
    let cov_model = match (&plans, &cov_router) {
        (Some(p), Some(r)) => Some(crate::coverage::CoverageModel::new(
            &crate::coverage::DemandSpec::from_pack(pack),
            r,
            p,
            &crate::coverage::CoverageOptions::default(),
        )),
        _ => None,
    };
    let mut sample = |sit: &crate::model::Situation| -> Option<f64> {
        let (m, r) = (cov_model.as_ref()?, cov_router.as_mut()?);
        m.compute_type(sit, r, crate::coverage::ForceType::Ambulance)
            .ok()
            .map(|t| t.covered_share)
    };
    let has_cov = cov_model.is_some();
    Ok(build_report(ReportInput {
        title,
        drill_id: drill.map(str::to_owned),
        base,
        events,
        plans: plans.as_ref(),
        router: router.as_mut(),
        geography: Geography::from_pack(pack),
        outline_lonlat: outline_from_pack(pack),
        places_lonlat: places_from_pack(pack),
        notes,
        coverage: if has_cov { Some(&mut sample) } else { None },
        stopped_at_ms: stop.as_ref().map(|s| s.at_ms),
        unplayed: stop.map(|s| s.unplayed).unwrap_or_default(),
    }))
}
