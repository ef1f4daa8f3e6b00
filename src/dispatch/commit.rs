//! Turning a chosen set of units and stock into events: `UnitDispatched` per unit (after checking
//! it is still free), `UnitReleased` first when reassigning, `StockReserved` per stock line (never
//! more than the free stock). A reported incident is verified by the dispatch itself. Pure; must
//! not import egui, tokio or rusqlite.

use std::collections::BTreeMap;

use crate::model::{EventKind, IncidentId, IncidentStatus, Situation, UnitId, UnitStatus, WarehouseId};

/// What the operator decided to send.
#[derive(Debug, Clone, PartialEq)]
pub struct DispatchRequest {
    /// Incident.
    pub incident: IncidentId,
    /// Units to send.
    pub units: Vec<UnitId>,
    /// Stock to reserve: (warehouse, item code, quantity).
    pub reserve: Vec<(WarehouseId, String, u64)>,
    /// Release units committed elsewhere before dispatching them.
    pub reassign: bool,
}

impl DispatchRequest {
    /// Units to send to an incident (no stock, no reassignment).
    pub fn units(incident: IncidentId, units: Vec<UnitId>) -> DispatchRequest {
        DispatchRequest {
            incident,
            units,
            reserve: Vec::new(),
            reassign: false,
        }
    }
}

/// Why a dispatch cannot be made; nothing is written.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DispatchError {
    /// No such incident.
    #[error("unknown {0}")]
    UnknownIncident(IncidentId),
    /// Closed or cancelled.
    #[error("{incident} is {status}; units cannot be dispatched to it")]
    IncidentFinal {
        /// Incident.
        incident: IncidentId,
        /// Its state.
        status: IncidentStatus,
    },
    /// Nothing to do.
    #[error("nothing to dispatch: give at least one unit or stock line")]
    Empty,
    /// No such unit.
    #[error("unknown {0}")]
    UnknownUnit(UnitId),
    /// Listed twice.
    #[error("{0} is listed twice")]
    DuplicateUnit(UnitId),
    /// Committed to another incident.
    #[error("{unit} ({callsign}) is {status} at {incident}; use `--reassign` to release it first")]
    Committed {
        /// Unit.
        unit: UnitId,
        /// Its call sign.
        callsign: String,
        /// Its status.
        status: UnitStatus,
        /// Where it is committed.
        incident: IncidentId,
    },
    /// Already committed to this incident.
    #[error("{unit} ({callsign}) is already {status} at {incident}")]
    AlreadyThere {
        /// Unit.
        unit: UnitId,
        /// Its call sign.
        callsign: String,
        /// Its status.
        status: UnitStatus,
        /// This incident.
        incident: IncidentId,
    },
    /// Out of service (or otherwise not dispatchable).
    #[error("{unit} ({callsign}) is {status} and cannot be dispatched")]
    NotAvailable {
        /// Unit.
        unit: UnitId,
        /// Its call sign.
        callsign: String,
        /// Its status.
        status: UnitStatus,
    },
    /// No such warehouse.
    #[error("unknown {0}")]
    UnknownWarehouse(WarehouseId),
    /// The warehouse has no such item.
    #[error("{warehouse} ({name}) has no stock item \"{item_code}\"")]
    UnknownItem {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Its name.
        name: String,
        /// Item code.
        item_code: String,
    },
    /// Not enough free stock; stock never goes negative.
    #[error(
        "{warehouse} ({name}) has only {free} \"{item_code}\" free ({quantity} on hand, {reserved} reserved); {requested} requested"
    )]
    InsufficientStock {
        /// Warehouse.
        warehouse: WarehouseId,
        /// Its name.
        name: String,
        /// Item code.
        item_code: String,
        /// Requested in total.
        requested: u64,
        /// Free.
        free: u64,
        /// On hand.
        quantity: u64,
        /// Reserved.
        reserved: u64,
    },
    /// Zero quantity.
    #[error("quantity of \"{0}\" must be positive")]
    ZeroQuantity(String),
}

/// The events of a dispatch, checked against `sit`: optional `IncidentVerified` (a reported
/// incident is confirmed by dispatching to it), then per unit `UnitReleased` (only with
/// `reassign`) and `UnitDispatched`, then one `StockReserved` per line.
pub fn dispatch(sit: &Situation, req: &DispatchRequest) -> Result<Vec<EventKind>, DispatchError> {
    let inc = sit
        .incidents
        .get(&req.incident)
        .ok_or(DispatchError::UnknownIncident(req.incident))?;
    if inc.status.is_final() {
        return Err(DispatchError::IncidentFinal {
            incident: inc.id,
            status: inc.status,
        });
    }
    if req.units.is_empty() && req.reserve.is_empty() {
        return Err(DispatchError::Empty);
    }
    let mut events = Vec::new();
    if inc.status == IncidentStatus::Reported {
        events.push(EventKind::IncidentVerified {
            incident: inc.id,
            severity: None,
        });
    }
    for (i, id) in req.units.iter().enumerate() {
        if req.units[..i].contains(id) {
            return Err(DispatchError::DuplicateUnit(*id));
        }
        let u = sit.units.get(id).ok_or(DispatchError::UnknownUnit(*id))?;
        let callsign = u.spec.callsign.clone();
        if u.status.is_committed() {
            let at = u.assignment.unwrap_or(req.incident);
            if at == req.incident {
                return Err(DispatchError::AlreadyThere {
                    unit: *id,
                    callsign,
                    status: u.status,
                    incident: at,
                });
            }
            if !req.reassign {
                return Err(DispatchError::Committed {
                    unit: *id,
                    callsign,
                    status: u.status,
                    incident: at,
                });
            }
            events.push(EventKind::UnitReleased { unit: *id });
        } else if !u.status.can_be_dispatched() {
            return Err(DispatchError::NotAvailable {
                unit: *id,
                callsign,
                status: u.status,
            });
        }
        events.push(EventKind::UnitDispatched {
            unit: *id,
            incident: req.incident,
        });
    }
    let mut totals: BTreeMap<(WarehouseId, &str), u64> = BTreeMap::new();
    for (wid, code, qty) in &req.reserve {
        if *qty == 0 {
            return Err(DispatchError::ZeroQuantity(code.clone()));
        }
        let w = sit.warehouses.get(wid).ok_or(DispatchError::UnknownWarehouse(*wid))?;
        let line = w.stock.get(code).ok_or_else(|| DispatchError::UnknownItem {
            warehouse: *wid,
            name: w.spec.name_zh.clone(),
            item_code: code.clone(),
        })?;
        let total = totals.entry((*wid, code.as_str())).or_insert(0);
        *total = total.saturating_add(*qty);
        if *total > line.free() {
            return Err(DispatchError::InsufficientStock {
                warehouse: *wid,
                name: w.spec.name_zh.clone(),
                item_code: code.clone(),
                requested: *total,
                free: line.free(),
                quantity: line.quantity,
                reserved: line.reserved,
            });
        }
        events.push(EventKind::StockReserved {
            warehouse: *wid,
            item_code: code.clone(),
            quantity: *qty,
            incident: Some(req.incident),
        });
    }
    Ok(events)
}
