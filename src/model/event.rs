//! Events: the only way the situation changes. `Event` is the envelope (seq, time, operator,
//! seat, optional drill id), `EventKind` the serde-tagged payload. Pure; must not import
//! rusqlite, egui, tokio or `crate::store`.

use serde::{Deserialize, Serialize};

use super::alert::{AlertDecision, AlertFormat, AlertRecord, DraftDecision, QuakeArrival};
use super::facility::{ShelterSpec, StationSpec, WarehouseSpec};
use super::ids::{IncidentId, ShelterId, StationId, UnitId, WarehouseId};
use super::incident::{Caller, IncidentDraft, IncidentStatus, IncidentType, Severity};
use super::lonlat::LonLat;
use super::unit::{UnitSpec, UnitStatus};

/// One logged change with its envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log, 1-based, gapless and strictly increasing.
    pub seq: u64,
    /// Log time, UTC ISO-8601 (`2025-06-01T08:30:00.000Z`).
    pub ts_utc: String,
    /// Operator who entered it.
    pub operator: String,
    /// Console seat it came from.
    pub seat: String,
    /// Drill the event belongs to; `None` for real events.
    pub drill_id: Option<String>,
    /// The change itself.
    pub kind: EventKind,
}

/// Every kind of change, tagged by `"type"` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A new incident was reported (id must be unused).
    IncidentReported {
        /// New incident id.
        incident: IncidentId,
        /// Type.
        incident_type: IncidentType,
        /// Initial grade.
        severity: Severity,
        /// Location.
        lonlat: LonLat,
        /// Address / place description as given.
        address: String,
        /// Call time, UTC ISO-8601.
        reported_at_utc: String,
        /// Caller.
        caller: Caller,
        /// Initial note (empty for none).
        notes: String,
    },
    /// The incident was verified, optionally re-graded (reported → verified).
    IncidentVerified {
        /// Incident.
        incident: IncidentId,
        /// New grade, when changed on verification.
        severity: Option<Severity>,
    },
    /// Lifecycle change, checked against [`IncidentStatus::can_transition_to`].
    IncidentStatusChanged {
        /// Incident.
        incident: IncidentId,
        /// New state.
        to: IncidentStatus,
    },
    /// A note was added.
    IncidentNoteAdded {
        /// Incident.
        incident: IncidentId,
        /// Note text (non-empty).
        note: String,
    },
    /// The incident was cancelled (false alarm, duplicate …).
    IncidentCancelled {
        /// Incident.
        incident: IncidentId,
        /// Reason.
        reason: String,
        /// The incident this one duplicates (same event reported twice); links the two.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duplicate_of: Option<IncidentId>,
    },
    /// The incident's location was corrected (caller gave a better position, wrong pin …).
    IncidentRelocated {
        /// Incident.
        incident: IncidentId,
        /// Corrected location.
        lonlat: LonLat,
        /// Corrected address / place description; empty keeps the old one.
        #[serde(default)]
        address: String,
    },
    /// An officer marked the incident sensitive (walls dim it and hide caller and address) or
    /// cleared the mark. Allowed in any state; setting the flag it already has is refused.
    IncidentSensitivitySet {
        /// Incident.
        incident: IncidentId,
        /// The new flag.
        sensitive: bool,
    },
    /// A unit was added (id and external id must be unused).
    UnitAdded {
        /// New unit id.
        unit: UnitId,
        /// Master data.
        spec: UnitSpec,
        /// Initial position.
        lonlat: LonLat,
        /// Initial status (available or out of service).
        status: UnitStatus,
    },
    /// A unit's master data was replaced (status and position are untouched).
    UnitUpdated {
        /// Unit.
        unit: UnitId,
        /// New master data.
        spec: UnitSpec,
    },
    /// Plain status change, checked against [`UnitStatus::can_transition_to`].
    UnitStatusChanged {
        /// Unit.
        unit: UnitId,
        /// New status.
        to: UnitStatus,
    },
    /// A position report (GPS / radio).
    UnitPositionReported {
        /// Unit.
        unit: UnitId,
        /// Reported position.
        lonlat: LonLat,
    },
    /// A unit was dispatched to an incident; a verified incident becomes dispatched.
    UnitDispatched {
        /// Unit.
        unit: UnitId,
        /// Incident.
        incident: IncidentId,
    },
    /// A committed unit was released from its incident and is returning.
    UnitReleased {
        /// Unit.
        unit: UnitId,
    },
    /// A station was created or its master data replaced.
    StationUpserted {
        /// Station id.
        station: StationId,
        /// Master data.
        spec: StationSpec,
    },
    /// A warehouse was created or its master data replaced.
    WarehouseUpserted {
        /// Warehouse id.
        warehouse: WarehouseId,
        /// Master data.
        spec: WarehouseSpec,
    },
    /// A shelter was created or its master data replaced (occupancy kept; must fit the capacity).
    ShelterUpserted {
        /// Shelter id.
        shelter: ShelterId,
        /// Master data.
        spec: ShelterSpec,
    },
    /// Stock-take / master-data import: sets a stock line's names and absolute quantity.
    StockLineSet {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Chinese item name.
        name_zh: String,
        /// English item name.
        name_en: String,
        /// Counting unit.
        unit: String,
        /// New quantity on hand (must not be below the reserved quantity).
        quantity: u64,
        /// Demo / schematic quantity.
        demo: bool,
    },
    /// Stock reserved for an incident (needs that much free stock).
    StockReserved {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Quantity.
        quantity: u64,
        /// Incident it is reserved for.
        incident: Option<IncidentId>,
    },
    /// A reservation was released without issuing.
    StockReservationReleased {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Quantity.
        quantity: u64,
    },
    /// Stock left the warehouse, from the reserved part or from free stock.
    StockIssued {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Quantity.
        quantity: u64,
        /// Take it from the reserved part (else from free stock).
        from_reserved: bool,
        /// Incident it went to.
        incident: Option<IncidentId>,
    },
    /// Stock arrived (creates the line when new).
    StockReceived {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Item code.
        item_code: String,
        /// Chinese item name (used when the line is new).
        name_zh: String,
        /// English item name (used when the line is new).
        name_en: String,
        /// Counting unit (used when the line is new).
        unit: String,
        /// Quantity.
        quantity: u64,
    },
    /// Shelter occupancy set to an absolute number of persons.
    ShelterOccupancyChanged {
        /// Shelter.
        shelter: ShelterId,
        /// Persons now sheltered.
        occupancy: u32,
    },
    /// A road was closed between two points (drill inject or real report); routing for the
    /// scope that logged it avoids the roads of the fastest route between them.
    RoadClosed {
        /// Road name / description (non-empty).
        label: String,
        /// One end.
        from: LonLat,
        /// The other end.
        to: LonLat,
    },
    /// A drill started; its events carry `drill_id`. Logged as a real event.
    DrillStarted {
        /// Drill id (unique).
        drill_id: String,
        /// Name / description.
        name: String,
    },
    /// A drill ended. Logged as a real event.
    DrillEnded {
        /// Drill id.
        drill_id: String,
    },
    /// A warning or earthquake report arrived (file, drop folder or feed), with the raw
    /// document, its hash and what the semantics decided. Every arrival is logged, also
    /// duplicates, ignored and unreadable ones.
    AlertReceived {
        /// File path or feed URL it came from.
        source: String,
        /// Kind of document.
        format: AlertFormat,
        /// SHA-256 of the raw bytes, lowercase hex.
        sha256: String,
        /// The raw document as text (decoded), so replay sees exactly what arrived.
        raw: String,
        /// What was decided (for earthquake files: the most significant of its quakes).
        decision: AlertDecision,
        /// Why (ignored / rejected / expired), empty otherwise.
        reason: String,
        /// The CAP message, summarised (`None` for earthquake files and unreadable documents).
        alert: Option<Box<AlertRecord>>,
        /// The earthquakes of a catalogue, each with its own decision.
        quakes: Vec<QuakeArrival>,
    },
    /// A rule of the pack's `alerts.toml` fired on an arrival: a notice, and possibly a draft
    /// incident that waits for an officer's approval (never an incident by itself).
    AlertRuleFired {
        /// Alert key text (`sender,identifier,sent`) or earthquake id.
        subject: String,
        /// Rule name.
        rule: String,
        /// Notice, Chinese.
        notice_zh: String,
        /// Notice, English.
        notice_en: String,
        /// Draft incident, when the rule proposes one.
        draft: Option<IncidentDraft>,
    },
    /// An officer decided a rule's draft incident: approved (the incident recorded in the same
    /// transaction) or dismissed with a reason. A draft is decided once.
    AlertDraftDecided {
        /// Seq of the `AlertRuleFired` event that proposed the draft.
        firing_seq: u64,
        /// Approved or dismissed.
        decision: DraftDecision,
    },
    /// This centre issued a warning (预警信息发布) as CAP 1.2.
    WarningIssued {
        /// The message, summarised (its key is the GB/T 35965.1-form identifier).
        alert: Box<AlertRecord>,
        /// SHA-256 of the XML written, lowercase hex.
        sha256: String,
        /// The CAP XML written.
        xml: String,
    },
}

impl EventKind {
    /// True for master data and drill bookkeeping (units, stations, warehouses, shelters added or
    /// replaced; drills started or ended): the real events a running drill's scope still folds.
    pub fn is_master_data(&self) -> bool {
        matches!(
            self,
            EventKind::UnitAdded { .. }
                | EventKind::UnitUpdated { .. }
                | EventKind::StationUpserted { .. }
                | EventKind::WarehouseUpserted { .. }
                | EventKind::ShelterUpserted { .. }
                | EventKind::DrillStarted { .. }
                | EventKind::DrillEnded { .. }
        )
    }

    /// The snake_case tag, as stored in the `kind` column.
    pub fn tag(&self) -> &'static str {
        match self {
            EventKind::IncidentReported { .. } => "incident_reported",
            EventKind::IncidentVerified { .. } => "incident_verified",
            EventKind::IncidentStatusChanged { .. } => "incident_status_changed",
            EventKind::IncidentNoteAdded { .. } => "incident_note_added",
            EventKind::IncidentCancelled { .. } => "incident_cancelled",
            EventKind::IncidentRelocated { .. } => "incident_relocated",
            EventKind::IncidentSensitivitySet { .. } => "incident_sensitivity_set",
            EventKind::UnitAdded { .. } => "unit_added",
            EventKind::UnitUpdated { .. } => "unit_updated",
            EventKind::UnitStatusChanged { .. } => "unit_status_changed",
            EventKind::UnitPositionReported { .. } => "unit_position_reported",
            EventKind::UnitDispatched { .. } => "unit_dispatched",
            EventKind::UnitReleased { .. } => "unit_released",
            EventKind::StationUpserted { .. } => "station_upserted",
            EventKind::WarehouseUpserted { .. } => "warehouse_upserted",
            EventKind::ShelterUpserted { .. } => "shelter_upserted",
            EventKind::StockLineSet { .. } => "stock_line_set",
            EventKind::StockReserved { .. } => "stock_reserved",
            EventKind::StockReservationReleased { .. } => "stock_reservation_released",
            EventKind::StockIssued { .. } => "stock_issued",
            EventKind::StockReceived { .. } => "stock_received",
            EventKind::ShelterOccupancyChanged { .. } => "shelter_occupancy_changed",
            EventKind::RoadClosed { .. } => "road_closed",
            EventKind::DrillStarted { .. } => "drill_started",
            EventKind::DrillEnded { .. } => "drill_ended",
            EventKind::AlertReceived { .. } => "alert_received",
            EventKind::AlertRuleFired { .. } => "alert_rule_fired",
            EventKind::WarningIssued { .. } => "warning_issued",
            EventKind::AlertDraftDecided { .. } => "alert_draft_decided",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tag_matches_serde_tag() {
        let k = EventKind::UnitReleased { unit: UnitId(3) };
        let v = serde_json::to_value(&k).unwrap();
        assert_eq!(v["type"], k.tag());
        let k2 = EventKind::DrillEnded { drill_id: "d".into() };
        assert_eq!(serde_json::to_value(&k2).unwrap()["type"], k2.tag());
    }
}
