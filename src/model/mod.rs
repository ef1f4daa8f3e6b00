//! Pure domain model of the emergency situation: ids, incidents, units, stations, warehouses,
//! shelters, drills, events and the fold that turns an event log into a [`Situation`].
//! Owns no I/O. Must not import rusqlite, egui, tokio or anything under `crate::store`.

pub mod alert;
pub mod event;
mod ext_index;
pub mod facility;
pub mod ids;
pub mod incident;
pub mod lonlat;
pub mod names;
pub mod situation;
pub mod synth;
pub mod unit;

#[cfg(test)]
mod fold_tests;

pub use alert::{AlertDecision, AlertFormat, AlertKey, AlertRecord, AlertsState, QuakeRecord, WarningLevel};
pub use event::{Event, EventKind};
pub use facility::{
    Drill, Shelter, ShelterSpec, Station, StationKind, StationSpec, StockLine, Warehouse, WarehouseKind, WarehouseSpec,
};
pub use ids::{IncidentId, ShelterId, StationId, UnitId, WarehouseId};
pub use incident::{Caller, Incident, IncidentClass, IncidentNote, IncidentStatus, IncidentType, Severity};
pub use lonlat::{LonLat, LonLatError};
pub use names::{DisplayNames, Name, incident_label};
pub use situation::{ApplyError, Situation, fold};
pub use unit::{Capability, Unit, UnitSpec, UnitStatus, UnitType};
