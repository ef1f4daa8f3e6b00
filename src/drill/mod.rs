//! Drills and replay: scenario files with timed injects, a pure simulation clock, a
//! deterministic discrete-event simulator that emits events in SIMULATED time, a thin runner that
//! logs them to a store under a drill id, and the after-action report (JSON / CSV / HTML).
//! Drill events carry their drill id, so they never enter the real situation or real reports.
//! The replay reader over any store file lives in `crate::store::replay` (it owns SQLite).
//! Only `run` touches the store; `clock`, `scenario`, `sim` and `report` import neither egui,
//! tokio nor rusqlite.

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
pub use run::{RunOptions, RunOutcome, run_scenario};
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
