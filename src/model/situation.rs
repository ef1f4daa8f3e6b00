//! The folded situation and the pure fold: `fold(&mut Situation, &Event)` validates an event
//! against the current state and applies it atomically (on error nothing changes);
//! `Situation::check` runs the same validation without applying. Pure; must not import rusqlite,
//! egui, tokio or `crate::store`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::alert::{AlertDecision, AlertRecord, AlertsState, DraftDecision, DraftRefusal, QuakeArrival, RuleFiring};
use super::event::{Event, EventKind};
use super::ext_index::{ExternalIds, lookup, note_upsert};
use super::facility::{Drill, Shelter, Station, StockLine, Warehouse};
use super::ids::{IncidentId, ShelterId, StationId, UnitId, WarehouseId};
use super::incident::{Incident, IncidentNote, IncidentStatus};
use super::unit::{Unit, UnitSpec, UnitStatus};

/// Why an event cannot be applied to a situation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApplyError {
    /// A rule's draft incident cannot take this decision.
    #[error(transparent)]
    Draft(#[from] DraftRefusal),
    /// Events must be folded in strictly increasing seq order.
    #[error("event seq {seq} is not after the situation's last seq {last_seq}")]
    OutOfOrder {
        /// The event's seq.
        seq: u64,
        /// The situation's last folded seq.
        last_seq: u64,
    },
    /// Unknown incident.
    #[error("unknown {0}")]
    UnknownIncident(IncidentId),
    /// Unknown unit.
    #[error("unknown {0}")]
    UnknownUnit(UnitId),
    /// The incident already has this sensitivity mark.
    #[error("{incident} is already {}", if *sensitive { "marked sensitive" } else { "not marked sensitive" })]
    SensitivityUnchanged {
        /// Incident.
        incident: IncidentId,
        /// The flag it already has.
        sensitive: bool,
    },
    /// Unknown station.
    #[error("unknown {0}")]
    UnknownStation(StationId),
    /// Unknown warehouse.
    #[error("unknown {0}")]
    UnknownWarehouse(WarehouseId),
    /// Unknown shelter.
    #[error("unknown {0}")]
    UnknownShelter(ShelterId),
    /// The id is already in use.
    #[error("{0} already exists")]
    DuplicateId(String),
    /// The external id already belongs to another record of the same kind.
    #[error("external id {external_id:?} is already used by {existing}")]
    DuplicateExternalId {
        /// External id.
        external_id: String,
        /// The record that has it.
        existing: String,
    },
    /// A required text field is empty.
    #[error("field {field} must not be empty")]
    EmptyField {
        /// Field name.
        field: &'static str,
    },
    /// Incident lifecycle violation.
    #[error("{incident} cannot go from {from} to {to}")]
    IncidentTransition {
        /// Incident.
        incident: IncidentId,
        /// Current state.
        from: IncidentStatus,
        /// Requested state.
        to: IncidentStatus,
    },
    /// Units cannot be dispatched to an incident in this state.
    #[error("{incident} is {status}; units can only be dispatched to verified or active incidents")]
    IncidentNotDispatchable {
        /// Incident.
        incident: IncidentId,
        /// Its state.
        status: IncidentStatus,
    },
    /// Unit status violation.
    #[error("{unit} cannot go from {from} to {to}")]
    UnitTransition {
        /// Unit.
        unit: UnitId,
        /// Current status.
        from: UnitStatus,
        /// Requested status.
        to: UnitStatus,
    },
    /// Unit not free for dispatch.
    #[error("{unit} is {status} and cannot be dispatched")]
    UnitNotDispatchable {
        /// Unit.
        unit: UnitId,
        /// Its status.
        status: UnitStatus,
    },
    /// Unit is not committed to an incident.
    #[error("{unit} is {status}, not committed to an incident")]
    UnitNotCommitted {
        /// Unit.
        unit: UnitId,
        /// Its status.
        status: UnitStatus,
    },
    /// Stock item missing from the warehouse.
    #[error("{warehouse} has no stock item {item_code:?}")]
    UnknownStockItem {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
    },
    /// The operation would make stock (or reserved / free stock) negative.
    #[error(
        "{warehouse} item {item_code:?}: {requested} requested but only {available} {what}; stock can never be negative"
    )]
    InsufficientStock {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Requested quantity.
        requested: u64,
        /// What is there.
        available: u64,
        /// Which quantity was short ("free", "reserved" or "on hand").
        what: &'static str,
    },
    /// Quantities in stock movements must be positive.
    #[error("quantity must be positive")]
    ZeroQuantity,
    /// Stock quantity overflow.
    #[error("{warehouse} item {item_code:?}: quantity overflow")]
    StockOverflow {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
    },
    /// Occupancy above capacity.
    #[error("{shelter}: occupancy {occupancy} exceeds capacity {capacity}")]
    OverCapacity {
        /// Shelter.
        shelter: ShelterId,
        /// Requested occupancy.
        occupancy: u32,
        /// Capacity.
        capacity: u32,
    },
    /// Shelter closed.
    #[error("{shelter} is closed; occupancy cannot increase")]
    ShelterClosed {
        /// Shelter.
        shelter: ShelterId,
    },
    /// New units start available or out of service.
    #[error("a new unit must start available or out of service, not {0}")]
    InitialUnitStatus(UnitStatus),
    /// Drill bookkeeping events are real events.
    #[error("drill start/end events must not carry a drill id")]
    DrillEventInDrill,
    /// An incident cannot be marked a duplicate of itself.
    #[error("{0} cannot be a duplicate of itself")]
    DuplicateOfItself(IncidentId),
    /// The original of a duplicate must be a live incident, not a cancelled one.
    #[error("{incident} cannot be a duplicate of {original}, which is cancelled")]
    DuplicateOfCancelled {
        /// The duplicate being cancelled.
        incident: IncidentId,
        /// The cancelled incident named as its original.
        original: IncidentId,
    },
    /// A closed or cancelled incident is not corrected any more.
    #[error("{incident} is {status}; a final incident cannot be relocated")]
    IncidentFinal {
        /// Incident.
        incident: IncidentId,
        /// Its state.
        status: IncidentStatus,
    },
    /// Drill id already used.
    #[error("drill {0:?} already exists")]
    DuplicateDrill(String),
    /// Drill unknown or already ended.
    #[error("drill {0:?} is not active")]
    DrillNotActive(String),
}

/// Everything known at one point of the log: the result of folding events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Situation {
    /// `None` for the real situation; `Some(drill)` for that drill's own world: the real state
    /// up to the drill's start without real incidents or commitments, real master-data changes
    /// after it, and the drill's events.
    pub scope_drill_id: Option<String>,
    /// Seq of the last event folded (including drill events that were out of scope).
    pub last_seq: u64,
    /// Incidents by id.
    pub incidents: BTreeMap<IncidentId, Incident>,
    /// Units by id.
    pub units: BTreeMap<UnitId, Unit>,
    /// Stations by id.
    pub stations: BTreeMap<StationId, Station>,
    /// Warehouses by id.
    pub warehouses: BTreeMap<WarehouseId, Warehouse>,
    /// Shelters by id.
    pub shelters: BTreeMap<ShelterId, Shelter>,
    /// Drills by drill id.
    pub drills: BTreeMap<String, Drill>,
    /// Alerts, earthquakes and rule firings (empty in snapshots written before alerts existed).
    #[serde(default)]
    pub alerts: AlertsState,
    /// Version of the fold that produced this situation ([`FOLD_VERSION`] once anything was
    /// folded; 0 in snapshots written before versioning), so older snapshots can be refolded.
    #[serde(default)]
    pub fold_version: u32,
    /// External id → id for units, stations, warehouses and shelters (derived, not stored).
    #[serde(skip)]
    ext_ids: ExternalIds,
}

/// Version of the fold rules; bumped when a fold derives something new from the same events
/// (2: log times of status changes, positions and incident milestones).
pub const FOLD_VERSION: u32 = 2;

/// Fold one event into the situation: validate, then apply. On error the situation is unchanged.
pub fn fold(sit: &mut Situation, ev: &Event) -> Result<(), ApplyError> {
    step(&mut Target::Apply(sit), ev)
}

impl Situation {
    /// An empty real situation.
    pub fn new() -> Self {
        Situation::default()
    }

    /// A copy with the log times cleared (status-since, position and incident milestone times),
    /// for comparing situations folded from equivalent logs written at different times.
    pub fn without_log_times(&self) -> Situation {
        let mut s = self.clone();
        for u in s.units.values_mut() {
            u.status_since_utc.clear();
            u.position_at_utc.clear();
        }
        for i in s.incidents.values_mut() {
            i.first_dispatch_utc = None;
            i.first_arrival_utc = None;
            i.closed_at_utc = None;
        }
        for f in &mut s.alerts.firings {
            f.fired_utc.clear();
        }
        s
    }

    /// An empty situation scoped to a drill (real events plus that drill's events).
    pub fn new_drill(drill_id: &str) -> Self {
        Situation {
            scope_drill_id: Some(drill_id.to_owned()),
            ..Situation::default()
        }
    }

    /// Fold a sequence of events into a new real situation (drill events are skipped).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Self, ApplyError> {
        let mut sit = Situation::new();
        for ev in events {
            fold(&mut sit, ev)?;
        }
        Ok(sit)
    }

    /// Fold a sequence of events into a new situation scoped to `drill_id` (or real when `None`).
    pub fn from_events_scoped<'a>(
        events: impl IntoIterator<Item = &'a Event>,
        drill_id: Option<&str>,
    ) -> Result<Self, ApplyError> {
        let mut sit = match drill_id {
            Some(d) => Situation::new_drill(d),
            None => Situation::new(),
        };
        for ev in events {
            fold(&mut sit, ev)?;
        }
        Ok(sit)
    }

    /// Validate an event against this situation without applying it.
    pub fn check(&self, ev: &Event) -> Result<(), ApplyError> {
        step(&mut Target::Check(self), ev)
    }

    /// Fold one event (same as [`fold`]).
    pub fn apply(&mut self, ev: &Event) -> Result<(), ApplyError> {
        fold(self, ev)
    }

    /// True when the event is folded into this situation (real, or of this situation's drill).
    pub fn in_scope(&self, ev: &Event) -> bool {
        match &ev.drill_id {
            None => true,
            Some(d) => self.scope_drill_id.as_deref() == Some(d.as_str()),
        }
    }

    /// True for a real operational event in a drill's scope once that drill has started: the
    /// drill keeps real master data (units, stations, warehouses, shelters added or changed) but
    /// none of the real operations, so real incidents never show on drill boards and real
    /// dispatches never block drill units.
    fn drill_leaves_out(&self, ev: &Event) -> bool {
        ev.drill_id.is_none()
            && !ev.kind.is_master_data()
            && self
                .scope_drill_id
                .as_ref()
                .is_some_and(|d| self.drills.contains_key(d))
    }

    /// The smallest unused incident id.
    pub fn next_incident_id(&self) -> IncidentId {
        self.incidents.keys().next_back().map_or(IncidentId(1), |id| id.next())
    }

    /// The smallest unused unit id above all existing ones.
    pub fn next_unit_id(&self) -> UnitId {
        self.units.keys().next_back().map_or(UnitId(1), |id| id.next())
    }

    /// The next station id.
    pub fn next_station_id(&self) -> StationId {
        self.stations.keys().next_back().map_or(StationId(1), |id| id.next())
    }

    /// The next warehouse id.
    pub fn next_warehouse_id(&self) -> WarehouseId {
        self.warehouses
            .keys()
            .next_back()
            .map_or(WarehouseId(1), |id| id.next())
    }

    /// The next shelter id.
    pub fn next_shelter_id(&self) -> ShelterId {
        self.shelters.keys().next_back().map_or(ShelterId(1), |id| id.next())
    }

    /// Station with this external id.
    pub fn station_by_external_id(&self, external_id: &str) -> Option<&Station> {
        lookup(&self.ext_ids.stations, &self.stations, external_id, None)
    }

    /// Unit with this external id.
    pub fn unit_by_external_id(&self, external_id: &str) -> Option<&Unit> {
        lookup(&self.ext_ids.units, &self.units, external_id, None)
    }

    /// Warehouse with this external id.
    pub fn warehouse_by_external_id(&self, external_id: &str) -> Option<&Warehouse> {
        lookup(&self.ext_ids.warehouses, &self.warehouses, external_id, None)
    }

    /// Shelter with this external id.
    pub fn shelter_by_external_id(&self, external_id: &str) -> Option<&Shelter> {
        lookup(&self.ext_ids.shelters, &self.shelters, external_id, None)
    }
}

/// Either a read-only check or a real application; lets validation and fold share one code path.
enum Target<'a> {
    Check(&'a Situation),
    Apply(&'a mut Situation),
}

impl Target<'_> {
    fn view(&self) -> &Situation {
        match self {
            Target::Check(s) => s,
            Target::Apply(s) => s,
        }
    }

    fn apply(&mut self) -> Option<&mut Situation> {
        match self {
            Target::Check(_) => None,
            Target::Apply(s) => Some(s),
        }
    }
}

fn non_empty(value: &str, field: &'static str) -> Result<(), ApplyError> {
    if value.trim().is_empty() {
        Err(ApplyError::EmptyField { field })
    } else {
        Ok(())
    }
}

fn check_unit_spec(sit: &Situation, unit: UnitId, spec: &UnitSpec) -> Result<(), ApplyError> {
    non_empty(&spec.external_id, "external_id")?;
    non_empty(&spec.name_zh, "name_zh")?;
    if let Some(st) = spec.home_station
        && !sit.stations.contains_key(&st)
    {
        return Err(ApplyError::UnknownStation(st));
    }
    if let Some(other) = lookup(&sit.ext_ids.units, &sit.units, &spec.external_id, Some(unit)) {
        return Err(ApplyError::DuplicateExternalId {
            external_id: spec.external_id.clone(),
            existing: other.id.to_string(),
        });
    }
    Ok(())
}

fn stock_line<'s>(sit: &'s Situation, wh: WarehouseId, item_code: &str) -> Result<&'s StockLine, ApplyError> {
    let w = sit.warehouses.get(&wh).ok_or(ApplyError::UnknownWarehouse(wh))?;
    w.stock.get(item_code).ok_or_else(|| ApplyError::UnknownStockItem {
        warehouse: wh,
        item_code: item_code.to_owned(),
    })
}

/// Mutable access to a stock line that a preceding check proved to exist.
fn stock_line_mut<'s>(sit: &'s mut Situation, wh: WarehouseId, item_code: &str) -> Option<&'s mut StockLine> {
    sit.warehouses.get_mut(&wh).and_then(|w| w.stock.get_mut(item_code))
}

fn touch_warehouse(sit: &mut Situation, wh: WarehouseId, seq: u64) {
    if let Some(w) = sit.warehouses.get_mut(&wh) {
        w.updated_seq = seq;
    }
}

/// Validate `ev` against the target's view and, when applying, mutate. Every check happens before
/// the first mutation, so an error leaves the situation untouched.
fn step(target: &mut Target<'_>, ev: &Event) -> Result<(), ApplyError> {
    let seq = ev.seq;
    {
        let sit = target.view();
        if seq <= sit.last_seq {
            return Err(ApplyError::OutOfOrder {
                seq,
                last_seq: sit.last_seq,
            });
        }
        if !sit.in_scope(ev) || sit.drill_leaves_out(ev) {
            if let Some(s) = target.apply() {
                s.last_seq = seq;
                s.fold_version = FOLD_VERSION;
            }
            return Ok(());
        }
        if let Some(d) = &ev.drill_id {
            if matches!(ev.kind, EventKind::DrillStarted { .. } | EventKind::DrillEnded { .. }) {
                return Err(ApplyError::DrillEventInDrill);
            }
            if !sit.drills.get(d).is_some_and(Drill::is_active) {
                return Err(ApplyError::DrillNotActive(d.clone()));
            }
        }
    }
    step_kind(target, ev)?;
    if let Some(s) = target.apply() {
        s.last_seq = seq;
        s.fold_version = FOLD_VERSION;
    }
    Ok(())
}

fn step_kind(target: &mut Target<'_>, ev: &Event) -> Result<(), ApplyError> {
    let seq = ev.seq;
    let sit = target.view();
    match &ev.kind {
        EventKind::IncidentReported {
            incident,
            incident_type,
            severity,
            lonlat,
            address,
            reported_at_utc,
            caller,
            notes,
        } => {
            if sit.incidents.contains_key(incident) {
                return Err(ApplyError::DuplicateId(incident.to_string()));
            }
            non_empty(reported_at_utc, "reported_at_utc")?;
            let Some(s) = target.apply() else { return Ok(()) };
            let mut note_list = Vec::new();
            if !notes.trim().is_empty() {
                note_list.push(IncidentNote {
                    seq,
                    ts_utc: ev.ts_utc.clone(),
                    operator: ev.operator.clone(),
                    text: notes.clone(),
                });
            }
            s.incidents.insert(
                *incident,
                Incident {
                    id: *incident,
                    incident_type: *incident_type,
                    severity: *severity,
                    lonlat: *lonlat,
                    address: address.clone(),
                    reported_at_utc: reported_at_utc.clone(),
                    caller: caller.clone(),
                    status: IncidentStatus::Reported,
                    notes: note_list,
                    cancel_reason: None,
                    duplicate_of: None,
                    duplicates: Vec::new(),
                    relocations: 0,
                    reported_seq: seq,
                    updated_seq: seq,
                    first_dispatch_utc: None,
                    first_arrival_utc: None,
                    closed_at_utc: None,
                    sensitive: false,
                },
            );
        }
        EventKind::IncidentVerified { incident, severity } => {
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            let to = IncidentStatus::Verified;
            if !inc.status.can_transition_to(to) {
                return Err(ApplyError::IncidentTransition {
                    incident: *incident,
                    from: inc.status,
                    to,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(inc) = s.incidents.get_mut(incident) {
                inc.status = to;
                if let Some(sev) = severity {
                    inc.severity = *sev;
                }
                inc.updated_seq = seq;
            }
        }
        EventKind::IncidentStatusChanged { incident, to } => {
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            if !inc.status.can_transition_to(*to) {
                return Err(ApplyError::IncidentTransition {
                    incident: *incident,
                    from: inc.status,
                    to: *to,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            set_incident_status(s, *incident, *to, seq, &ev.ts_utc);
        }
        EventKind::IncidentNoteAdded { incident, note } => {
            if !sit.incidents.contains_key(incident) {
                return Err(ApplyError::UnknownIncident(*incident));
            }
            non_empty(note, "note")?;
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(inc) = s.incidents.get_mut(incident) {
                inc.notes.push(IncidentNote {
                    seq,
                    ts_utc: ev.ts_utc.clone(),
                    operator: ev.operator.clone(),
                    text: note.clone(),
                });
                inc.updated_seq = seq;
            }
        }
        EventKind::IncidentCancelled {
            incident,
            reason,
            duplicate_of,
        } => {
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            let to = IncidentStatus::Cancelled;
            if !inc.status.can_transition_to(to) {
                return Err(ApplyError::IncidentTransition {
                    incident: *incident,
                    from: inc.status,
                    to,
                });
            }
            non_empty(reason, "reason")?;
            if let Some(original) = duplicate_of {
                if original == incident {
                    return Err(ApplyError::DuplicateOfItself(*incident));
                }
                let o = sit
                    .incidents
                    .get(original)
                    .ok_or(ApplyError::UnknownIncident(*original))?;
                // A closed original is fine (a late second call about a finished event); a
                // cancelled one is not: the link would point at something that never happened.
                if o.status == IncidentStatus::Cancelled {
                    return Err(ApplyError::DuplicateOfCancelled {
                        incident: *incident,
                        original: *original,
                    });
                }
            }
            let Some(s) = target.apply() else { return Ok(()) };
            set_incident_status(s, *incident, to, seq, &ev.ts_utc);
            if let Some(inc) = s.incidents.get_mut(incident) {
                inc.cancel_reason = Some(reason.clone());
                inc.duplicate_of = *duplicate_of;
            }
            if let Some(o) = duplicate_of.and_then(|o| s.incidents.get_mut(&o)) {
                o.duplicates.push(*incident);
                o.updated_seq = seq;
            }
        }
        EventKind::IncidentRelocated {
            incident,
            lonlat,
            address,
        } => {
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            if inc.status.is_final() {
                return Err(ApplyError::IncidentFinal {
                    incident: *incident,
                    status: inc.status,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(inc) = s.incidents.get_mut(incident) {
                inc.lonlat = *lonlat;
                if !address.trim().is_empty() {
                    inc.address = address.clone();
                }
                inc.relocations += 1;
                inc.updated_seq = seq;
            }
        }
        EventKind::IncidentSensitivitySet { incident, sensitive } => {
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            if inc.sensitive == *sensitive {
                return Err(ApplyError::SensitivityUnchanged {
                    incident: *incident,
                    sensitive: *sensitive,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(inc) = s.incidents.get_mut(incident) {
                inc.sensitive = *sensitive;
                inc.updated_seq = seq;
            }
        }
        EventKind::UnitAdded {
            unit,
            spec,
            lonlat,
            status,
        } => {
            if sit.units.contains_key(unit) {
                return Err(ApplyError::DuplicateId(unit.to_string()));
            }
            if !matches!(status, UnitStatus::Available | UnitStatus::OutOfService) {
                return Err(ApplyError::InitialUnitStatus(*status));
            }
            check_unit_spec(sit, *unit, spec)?;
            let Some(s) = target.apply() else { return Ok(()) };
            s.units.insert(
                *unit,
                Unit {
                    id: *unit,
                    spec: spec.clone(),
                    lonlat: *lonlat,
                    status: *status,
                    assignment: None,
                    updated_seq: seq,
                    status_since_utc: ev.ts_utc.clone(),
                    position_at_utc: String::new(),
                },
            );
            note_upsert(&mut s.ext_ids.units, &s.units, *unit, None);
        }
        EventKind::UnitUpdated { unit, spec } => {
            if !sit.units.contains_key(unit) {
                return Err(ApplyError::UnknownUnit(*unit));
            }
            check_unit_spec(sit, *unit, spec)?;
            let Some(s) = target.apply() else { return Ok(()) };
            let mut old = None;
            if let Some(u) = s.units.get_mut(unit) {
                old = Some(std::mem::replace(&mut u.spec, spec.clone()).external_id);
                u.updated_seq = seq;
            }
            note_upsert(&mut s.ext_ids.units, &s.units, *unit, old.as_deref());
        }
        EventKind::UnitStatusChanged { unit, to } => {
            let u = sit.units.get(unit).ok_or(ApplyError::UnknownUnit(*unit))?;
            if !u.status.can_transition_to(*to) {
                return Err(ApplyError::UnitTransition {
                    unit: *unit,
                    from: u.status,
                    to: *to,
                });
            }
            let assignment = u.assignment;
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(u) = s.units.get_mut(unit) {
                u.status = *to;
                if !to.is_committed() {
                    u.assignment = None;
                }
                u.updated_seq = seq;
                u.status_since_utc = ev.ts_utc.clone();
            }
            if *to == UnitStatus::OnScene
                && let Some(inc) = assignment.and_then(|i| s.incidents.get_mut(&i))
                && inc.first_arrival_utc.is_none()
            {
                inc.first_arrival_utc = Some(ev.ts_utc.clone());
            }
        }
        EventKind::UnitPositionReported { unit, lonlat } => {
            if !sit.units.contains_key(unit) {
                return Err(ApplyError::UnknownUnit(*unit));
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(u) = s.units.get_mut(unit) {
                u.lonlat = *lonlat;
                u.updated_seq = seq;
                u.position_at_utc = ev.ts_utc.clone();
            }
        }
        EventKind::UnitDispatched { unit, incident } => {
            let u = sit.units.get(unit).ok_or(ApplyError::UnknownUnit(*unit))?;
            let inc = sit
                .incidents
                .get(incident)
                .ok_or(ApplyError::UnknownIncident(*incident))?;
            if !u.status.can_be_dispatched() {
                return Err(ApplyError::UnitNotDispatchable {
                    unit: *unit,
                    status: u.status,
                });
            }
            if !inc.status.accepts_dispatch() {
                return Err(ApplyError::IncidentNotDispatchable {
                    incident: *incident,
                    status: inc.status,
                });
            }
            let promote = inc.status == IncidentStatus::Verified;
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(u) = s.units.get_mut(unit) {
                u.status = UnitStatus::Dispatched;
                u.assignment = Some(*incident);
                u.updated_seq = seq;
                u.status_since_utc = ev.ts_utc.clone();
            }
            if let Some(inc) = s.incidents.get_mut(incident) {
                if promote {
                    inc.status = IncidentStatus::Dispatched;
                }
                inc.updated_seq = seq;
                if inc.first_dispatch_utc.is_none() {
                    inc.first_dispatch_utc = Some(ev.ts_utc.clone());
                }
            }
        }
        EventKind::UnitReleased { unit } => {
            let u = sit.units.get(unit).ok_or(ApplyError::UnknownUnit(*unit))?;
            if !u.status.is_committed() {
                return Err(ApplyError::UnitNotCommitted {
                    unit: *unit,
                    status: u.status,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(u) = s.units.get_mut(unit) {
                u.status = UnitStatus::Returning;
                u.assignment = None;
                u.updated_seq = seq;
                u.status_since_utc = ev.ts_utc.clone();
            }
        }
        EventKind::StationUpserted { station, spec } => {
            non_empty(&spec.external_id, "external_id")?;
            non_empty(&spec.name_zh, "name_zh")?;
            if let Some(other) = lookup(&sit.ext_ids.stations, &sit.stations, &spec.external_id, Some(*station)) {
                return Err(ApplyError::DuplicateExternalId {
                    external_id: spec.external_id.clone(),
                    existing: other.id.to_string(),
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            let old = s.stations.insert(
                *station,
                Station {
                    id: *station,
                    spec: spec.clone(),
                    updated_seq: seq,
                },
            );
            note_upsert(
                &mut s.ext_ids.stations,
                &s.stations,
                *station,
                old.as_ref().map(|o| o.spec.external_id.as_str()),
            );
        }
        EventKind::WarehouseUpserted { warehouse, spec } => {
            non_empty(&spec.external_id, "external_id")?;
            non_empty(&spec.name_zh, "name_zh")?;
            if let Some(other) = lookup(
                &sit.ext_ids.warehouses,
                &sit.warehouses,
                &spec.external_id,
                Some(*warehouse),
            ) {
                return Err(ApplyError::DuplicateExternalId {
                    external_id: spec.external_id.clone(),
                    existing: other.id.to_string(),
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            let mut old = None;
            match s.warehouses.get_mut(warehouse) {
                Some(w) => {
                    old = Some(std::mem::replace(&mut w.spec, spec.clone()).external_id);
                    w.updated_seq = seq;
                }
                None => {
                    s.warehouses.insert(
                        *warehouse,
                        Warehouse {
                            id: *warehouse,
                            spec: spec.clone(),
                            stock: BTreeMap::new(),
                            updated_seq: seq,
                        },
                    );
                }
            }
            note_upsert(&mut s.ext_ids.warehouses, &s.warehouses, *warehouse, old.as_deref());
        }
        EventKind::ShelterUpserted { shelter, spec } => {
            non_empty(&spec.external_id, "external_id")?;
            non_empty(&spec.name_zh, "name_zh")?;
            if let Some(other) = lookup(&sit.ext_ids.shelters, &sit.shelters, &spec.external_id, Some(*shelter)) {
                return Err(ApplyError::DuplicateExternalId {
                    external_id: spec.external_id.clone(),
                    existing: other.id.to_string(),
                });
            }
            let occupancy = sit.shelters.get(shelter).map_or(0, |x| x.occupancy);
            if occupancy > spec.capacity {
                return Err(ApplyError::OverCapacity {
                    shelter: *shelter,
                    occupancy,
                    capacity: spec.capacity,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            let old = s.shelters.insert(
                *shelter,
                Shelter {
                    id: *shelter,
                    spec: spec.clone(),
                    occupancy,
                    updated_seq: seq,
                },
            );
            note_upsert(
                &mut s.ext_ids.shelters,
                &s.shelters,
                *shelter,
                old.as_ref().map(|o| o.spec.external_id.as_str()),
            );
        }
        EventKind::StockLineSet {
            warehouse,
            item_code,
            name_zh,
            name_en,
            unit,
            quantity,
            demo,
        } => {
            let w = sit
                .warehouses
                .get(warehouse)
                .ok_or(ApplyError::UnknownWarehouse(*warehouse))?;
            non_empty(item_code, "item_code")?;
            non_empty(name_zh, "name_zh")?;
            let reserved = w.stock.get(item_code).map_or(0, |l| l.reserved);
            if *quantity < reserved {
                return Err(ApplyError::InsufficientStock {
                    warehouse: *warehouse,
                    item_code: item_code.clone(),
                    requested: reserved,
                    available: *quantity,
                    what: "on hand after the stock-take (below the reserved quantity)",
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(w) = s.warehouses.get_mut(warehouse) {
                w.stock.insert(
                    item_code.clone(),
                    StockLine {
                        item_code: item_code.clone(),
                        name_zh: name_zh.clone(),
                        name_en: name_en.clone(),
                        unit: unit.clone(),
                        quantity: *quantity,
                        reserved,
                        demo: *demo,
                    },
                );
                w.updated_seq = seq;
            }
        }
        EventKind::StockReserved {
            warehouse,
            item_code,
            quantity,
            incident,
        } => {
            let line = stock_line(sit, *warehouse, item_code)?;
            if *quantity == 0 {
                return Err(ApplyError::ZeroQuantity);
            }
            if let Some(i) = incident
                && !sit.incidents.contains_key(i)
            {
                return Err(ApplyError::UnknownIncident(*i));
            }
            if line.free() < *quantity {
                return Err(ApplyError::InsufficientStock {
                    warehouse: *warehouse,
                    item_code: item_code.clone(),
                    requested: *quantity,
                    available: line.free(),
                    what: "free",
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(l) = stock_line_mut(s, *warehouse, item_code) {
                l.reserved += quantity;
            }
            touch_warehouse(s, *warehouse, seq);
        }
        EventKind::StockReservationReleased {
            warehouse,
            item_code,
            quantity,
        } => {
            let line = stock_line(sit, *warehouse, item_code)?;
            if *quantity == 0 {
                return Err(ApplyError::ZeroQuantity);
            }
            if line.reserved < *quantity {
                return Err(ApplyError::InsufficientStock {
                    warehouse: *warehouse,
                    item_code: item_code.clone(),
                    requested: *quantity,
                    available: line.reserved,
                    what: "reserved",
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(l) = stock_line_mut(s, *warehouse, item_code) {
                l.reserved -= quantity;
            }
            touch_warehouse(s, *warehouse, seq);
        }
        EventKind::StockIssued {
            warehouse,
            item_code,
            quantity,
            from_reserved,
            incident,
        } => {
            let line = stock_line(sit, *warehouse, item_code)?;
            if *quantity == 0 {
                return Err(ApplyError::ZeroQuantity);
            }
            if let Some(i) = incident
                && !sit.incidents.contains_key(i)
            {
                return Err(ApplyError::UnknownIncident(*i));
            }
            let (available, what) = if *from_reserved {
                (line.reserved, "reserved")
            } else {
                (line.free(), "free")
            };
            if available < *quantity {
                return Err(ApplyError::InsufficientStock {
                    warehouse: *warehouse,
                    item_code: item_code.clone(),
                    requested: *quantity,
                    available,
                    what,
                });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(l) = stock_line_mut(s, *warehouse, item_code) {
                l.quantity -= quantity;
                if *from_reserved {
                    l.reserved -= quantity;
                }
            }
            touch_warehouse(s, *warehouse, seq);
        }
        EventKind::StockReceived {
            warehouse,
            item_code,
            name_zh,
            name_en,
            unit,
            quantity,
        } => {
            let w = sit
                .warehouses
                .get(warehouse)
                .ok_or(ApplyError::UnknownWarehouse(*warehouse))?;
            non_empty(item_code, "item_code")?;
            if *quantity == 0 {
                return Err(ApplyError::ZeroQuantity);
            }
            match w.stock.get(item_code) {
                Some(l) => {
                    if l.quantity.checked_add(*quantity).is_none() {
                        return Err(ApplyError::StockOverflow {
                            warehouse: *warehouse,
                            item_code: item_code.clone(),
                        });
                    }
                }
                None => non_empty(name_zh, "name_zh")?,
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(w) = s.warehouses.get_mut(warehouse) {
                let line = w.stock.entry(item_code.clone()).or_insert_with(|| StockLine {
                    item_code: item_code.clone(),
                    name_zh: name_zh.clone(),
                    name_en: name_en.clone(),
                    unit: unit.clone(),
                    quantity: 0,
                    reserved: 0,
                    demo: false,
                });
                line.quantity += quantity;
                w.updated_seq = seq;
            }
        }
        EventKind::ShelterOccupancyChanged { shelter, occupancy } => {
            let x = sit.shelters.get(shelter).ok_or(ApplyError::UnknownShelter(*shelter))?;
            if *occupancy > x.spec.capacity {
                return Err(ApplyError::OverCapacity {
                    shelter: *shelter,
                    occupancy: *occupancy,
                    capacity: x.spec.capacity,
                });
            }
            if !x.spec.open && *occupancy > x.occupancy {
                return Err(ApplyError::ShelterClosed { shelter: *shelter });
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(x) = s.shelters.get_mut(shelter) {
                x.occupancy = *occupancy;
                x.updated_seq = seq;
            }
        }
        EventKind::RoadClosed { label, .. } => {
            // No situation state: routers of the event's scope apply the closure.
            non_empty(label, "label")?;
        }
        EventKind::DrillStarted { drill_id, name } => {
            non_empty(drill_id, "drill_id")?;
            if sit.drills.contains_key(drill_id) {
                return Err(ApplyError::DuplicateDrill(drill_id.clone()));
            }
            let Some(s) = target.apply() else { return Ok(()) };
            s.drills.insert(
                drill_id.clone(),
                Drill {
                    drill_id: drill_id.clone(),
                    name: name.clone(),
                    started_seq: seq,
                    ended_seq: None,
                },
            );
            if s.scope_drill_id.as_deref() == Some(drill_id.as_str()) {
                begin_drill_scope(s, seq, &ev.ts_utc);
            }
        }
        EventKind::DrillEnded { drill_id } => {
            if !sit.drills.get(drill_id).is_some_and(Drill::is_active) {
                return Err(ApplyError::DrillNotActive(drill_id.clone()));
            }
            let Some(s) = target.apply() else { return Ok(()) };
            if let Some(d) = s.drills.get_mut(drill_id) {
                d.ended_seq = Some(seq);
            }
        }
        EventKind::AlertReceived {
            decision,
            alert,
            quakes,
            ..
        } => {
            check_alert_arrival(&sit.alerts, *decision, alert.as_deref(), quakes)?;
            let Some(s) = target.apply() else { return Ok(()) };
            s.alerts.arrivals += 1;
            s.alerts
                .apply_alert(seq, &ev.ts_utc, *decision, alert.as_deref(), false);
            s.alerts.apply_quakes(seq, quakes);
        }
        EventKind::AlertRuleFired {
            subject,
            rule,
            notice_zh,
            notice_en,
            draft,
        } => {
            non_empty(subject, "subject")?;
            non_empty(rule, "rule")?;
            let Some(s) = target.apply() else { return Ok(()) };
            s.alerts.firings.push(RuleFiring {
                seq,
                subject: subject.clone(),
                rule: rule.clone(),
                fired_utc: ev.ts_utc.clone(),
                notice_zh: notice_zh.clone(),
                notice_en: notice_en.clone(),
                draft: draft.clone(),
                decided: None,
            });
        }
        EventKind::AlertDraftDecided { firing_seq, decision } => {
            sit.alerts.check_draft_decision(*firing_seq, decision)?;
            if let DraftDecision::Approved { incident } = decision
                && !sit.incidents.contains_key(incident)
            {
                return Err(ApplyError::UnknownIncident(*incident));
            }
            let Some(s) = target.apply() else { return Ok(()) };
            s.alerts.apply_draft_decision(*firing_seq, decision);
        }
        EventKind::WarningIssued { alert, .. } => {
            let decision = match alert.msg_type.as_str() {
                "Update" => AlertDecision::Update,
                "Cancel" => AlertDecision::Cancel,
                _ => AlertDecision::New,
            };
            check_alert_arrival(&sit.alerts, decision, Some(alert.as_ref()), &[])?;
            let Some(s) = target.apply() else { return Ok(()) };
            s.alerts
                .apply_alert(seq, &ev.ts_utc, decision, Some(alert.as_ref()), true);
        }
    }
    Ok(())
}

/// An alert that enters the situation must be new; a new earthquake must not be known yet.
fn check_alert_arrival(
    state: &AlertsState,
    decision: AlertDecision,
    alert: Option<&AlertRecord>,
    quakes: &[QuakeArrival],
) -> Result<(), ApplyError> {
    let enters = matches!(
        decision,
        AlertDecision::New | AlertDecision::Update | AlertDecision::Cancel | AlertDecision::Expired
    );
    if let Some(rec) = alert {
        non_empty(&rec.key.identifier, "identifier")?;
        non_empty(&rec.key.sender, "sender")?;
        if enters && state.alerts.contains_key(&rec.key.text()) {
            return Err(ApplyError::DuplicateId(format!("alert {}", rec.key.text())));
        }
    }
    for qa in quakes {
        if qa.decision == AlertDecision::New
            && let Some(known) = state.quake_by_any_id(qa.quake.ids.iter().chain(std::iter::once(&qa.quake.id)))
        {
            return Err(ApplyError::DuplicateId(format!("earthquake {}", known.quake.id)));
        }
    }
    Ok(())
}

/// The drill's own world at its start: no real incidents (the drill numbers its incidents from
/// 1 in its own series) and no real commitments (committed units are available where they are).
fn begin_drill_scope(s: &mut Situation, seq: u64, ts_utc: &str) {
    s.incidents.clear();
    for u in s.units.values_mut() {
        if u.status.is_committed() || u.assignment.is_some() {
            u.status = UnitStatus::Available;
            u.assignment = None;
            u.updated_seq = seq;
            u.status_since_utc = ts_utc.to_string();
        }
    }
}

/// Set an incident's status; on closed/cancelled, committed units are released (returning).
fn set_incident_status(s: &mut Situation, incident: IncidentId, to: IncidentStatus, seq: u64, ts_utc: &str) {
    if let Some(inc) = s.incidents.get_mut(&incident) {
        inc.status = to;
        inc.updated_seq = seq;
        if to.is_final() {
            inc.closed_at_utc = Some(ts_utc.to_string());
        }
    }
    if to.is_final() {
        for u in s.units.values_mut() {
            if u.assignment == Some(incident) {
                u.assignment = None;
                if u.status.is_committed() {
                    u.status = UnitStatus::Returning;
                    u.status_since_utc = ts_utc.to_string();
                }
                u.updated_seq = seq;
            }
        }
    }
}
