//! Drills and replay: scenario files with timed injects, a pure simulation clock, a
//! deterministic discrete-event simulator that emits events in SIMULATED time, a thin runner that
//! logs them to a store under a drill id, and the after-action report (JSON / CSV / HTML).
//! Drill events carry their drill id, so they never enter the real situation or real reports.
//! The replay reader over any store file lives in `crate::store::replay` (it owns SQLite).
//! Only `run` touches the store; `clock`, `scenario`, `sim` and `report` import neither egui,
//! tokio nor rusqlite (they use only the pure text helpers of `crate::time`).
//!
//! How the console drives a drill (headless parts here, widgets elsewhere):
//! 1. the store thread appends `DrillStarted` (real event) and returns
//!    `Store::drill_situation(id)`; build `Simulator::new(scenario, plans, router, geography,
//!    that situation, SimOptions { auto, .. })` and `SimClock::new(scenario.start_ms)`;
//! 2. each frame: `clock.advance(dt)`; `while let Some(b) = sim.next_batch(clock.now_ms())?` send
//!    `b` to the store thread (`Store::append_batch_at(format_utc_ms(b.t_ms), …, Some(id), b.kinds)`)
//!    and pass the logged events back to `sim.observe`; operator actions during the drill are
//!    appended under the same drill id (stamped `format_utc_ms(clock.now_ms())`) and observed too;
//! 3. draw `sim.unit_positions_at(clock.now_ms())` between events; the banner shows the drill id;
//! 4. at the end append `DrillEnded` and build the report (`run::report_from_db`).
//!
//! Replay: `Replay::open(file)`, `set_scope(Some(drill) | None)`, `scoped_timeline()` for the
//! scrubber, `situation_at_time(ms)` on a seek, `advance(&mut sit, seq)` while playing.

pub mod clock;
mod html;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sim;

#[cfg(test)]
mod drill_tests;

pub use crate::store::replay::{Replay, TimelineEntry};
pub use clock::SimClock;
pub use report::{Report, ReportInput, build_report};
pub use run::{RunOptions, RunOutcome, report_from_db, run_scenario};
pub use scenario::{Inject, InjectKind, PlaceNames, Scenario, ScenarioError, SimSettings};
pub use sim::{Batch, Movement, SimOptions, Simulator};

/// Anything that stops a drill.
#[derive(Debug, thiserror::Error)]
pub enum DrillError {
    /// The scenario is invalid (names file and line).
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Something else, stated plainly.
    #[error("{0}")]
    Other(String),
}
