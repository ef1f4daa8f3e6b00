//! Dispatch suggestions: response plans (run cards, `plans.toml`), the recommendation of units
//! and relief supplies for an incident by road ETA, and the events of a dispatch. Pure and
//! deterministic over `model` + `roads::Router` (+ the pack's places and border for the urban and
//! border rules); must not import egui, tokio or rusqlite.

pub mod commit;
pub mod geography;
pub mod plans;
pub mod recommend;
pub mod tracking;

#[cfg(test)]
mod golden_tests;

pub use commit::{DispatchError, DispatchRequest, dispatch};
pub use geography::Geography;
pub use plans::{Limit, Need, PlanError, Plans, Requirement, Target};
pub use recommend::{
    AssignedUnit, RecommendError, RecommendOptions, Recommendation, RequirementFill, Suggestion, SupplyAllocation,
    SupplyFill, TargetCheck, fmt_duration_en, fmt_duration_zh, recommend,
};
