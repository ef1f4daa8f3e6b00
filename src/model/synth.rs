//! Deterministic synthetic event streams (always valid) for benchmarks and replay tests. Pure;
//! must not import rusqlite, egui, tokio or `crate::store`.

use std::collections::BTreeSet;

use super::event::{Event, EventKind};
use super::facility::{StationKind, StationSpec, WarehouseKind, WarehouseSpec};
use super::ids::{IncidentId, StationId, UnitId, WarehouseId};
use super::incident::{Caller, IncidentStatus, IncidentType, Severity};
use super::lonlat::LonLat;
use super::unit::{UnitSpec, UnitStatus, UnitType};

/// Units created by [`synthetic_kinds`] before the incident cycles start.
pub const SYNTH_UNITS: u32 = 200;

/// Steps in one incident cycle of [`synthetic_kinds`].
const CYCLE_LEN: u64 = 16;

/// Deterministic position inside Xishuangbanna for step `i`.
fn synth_pos(i: u64) -> LonLat {
    let lon = 100.5 + ((i * 7919) % 10_000) as f64 * 1e-4;
    let lat = 21.5 + ((i * 104_729) % 8_000) as f64 * 1e-4;
    LonLat::from_deg(lon, lat).unwrap_or(LonLat::ORIGIN)
}

/// Event payloads of a valid synthetic log with `n` events: one station, one warehouse,
/// [`SYNTH_UNITS`] units, then incident cycles (report, verify, dispatch, en route, positions,
/// on scene, note, under control, release, stock, close, available).
pub fn synthetic_kinds(n: u64) -> Vec<EventKind> {
    let mut out = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    let station = StationId(1);
    let warehouse = WarehouseId(1);
    let setup = [
        EventKind::StationUpserted {
            station,
            spec: StationSpec {
                external_id: "synth-station".into(),
                name_zh: "合成-消防站".into(),
                name_en: "Synthetic station".into(),
                kind: StationKind::FireStation,
                lonlat: synth_pos(0),
                county: "景洪市".into(),
                planned: false,
                demo: true,
                position_note: String::new(),
            },
        },
        EventKind::WarehouseUpserted {
            warehouse,
            spec: WarehouseSpec {
                external_id: "synth-warehouse".into(),
                name_zh: "合成-仓库".into(),
                name_en: "Synthetic warehouse".into(),
                kind: WarehouseKind::ReliefSupplies,
                lonlat: synth_pos(1),
                county: "景洪市".into(),
                demo: true,
                position_note: String::new(),
            },
        },
    ];
    for k in setup {
        if out.len() as u64 >= n {
            return out;
        }
        out.push(k);
    }
    for u in 1..=SYNTH_UNITS {
        if out.len() as u64 >= n {
            return out;
        }
        out.push(EventKind::UnitAdded {
            unit: UnitId(u),
            spec: UnitSpec {
                external_id: format!("synth-unit-{u}"),
                callsign: format!("S{u}"),
                name_zh: format!("合成-单位{u}"),
                name_en: String::new(),
                unit_type: UnitType::ALL[u as usize % UnitType::ALL.len()],
                extra_capabilities: BTreeSet::new(),
                crew: 4,
                home_station: Some(station),
                demo: true,
                position_note: String::new(),
            },
            lonlat: synth_pos(u64::from(u)),
            status: UnitStatus::Available,
        });
    }
    let mut i: u64 = 0;
    while (out.len() as u64) < n {
        let cycle = i / CYCLE_LEN;
        let incident = IncidentId(u32::try_from(cycle + 1).unwrap_or(u32::MAX));
        let unit = UnitId(u32::try_from(cycle % u64::from(SYNTH_UNITS)).unwrap_or(0) + 1);
        let k = match i % CYCLE_LEN {
            0 => EventKind::IncidentReported {
                incident,
                incident_type: IncidentType::ALL[(cycle % IncidentType::ALL.len() as u64) as usize],
                severity: Severity::IV,
                lonlat: synth_pos(i),
                address: "合成地址".into(),
                reported_at_utc: "2025-06-01T00:00:00.000Z".into(),
                caller: Caller {
                    name: "合成".into(),
                    phone: "0691-0000000".into(),
                },
                notes: String::new(),
            },
            1 => EventKind::IncidentVerified {
                incident,
                severity: Some(Severity::III),
            },
            2 => EventKind::UnitDispatched { unit, incident },
            3 => EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::EnRoute,
            },
            4..=7 => EventKind::UnitPositionReported {
                unit,
                lonlat: synth_pos(i),
            },
            8 => EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::OnScene,
            },
            9 => EventKind::IncidentStatusChanged {
                incident,
                to: IncidentStatus::OnScene,
            },
            10 => EventKind::IncidentNoteAdded {
                incident,
                note: "现场处置中".into(),
            },
            11 => EventKind::IncidentStatusChanged {
                incident,
                to: IncidentStatus::UnderControl,
            },
            12 => EventKind::UnitReleased { unit },
            13 => EventKind::StockReceived {
                warehouse,
                item_code: "tent".into(),
                name_zh: "帐篷".into(),
                name_en: "Tent".into(),
                unit: "顶".into(),
                quantity: 2,
            },
            14 => EventKind::IncidentStatusChanged {
                incident,
                to: IncidentStatus::Closed,
            },
            _ => EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::Available,
            },
        };
        out.push(k);
        i += 1;
    }
    out
}

/// Wrap payloads into events with seq 1.. and a fixed envelope.
pub fn synthetic_events(n: u64) -> Vec<Event> {
    synthetic_kinds(n)
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            seq: i as u64 + 1,
            ts_utc: "2025-06-01T00:00:00.000Z".into(),
            operator: "synth".into(),
            seat: "seat-0".into(),
            drill_id: None,
            kind,
        })
        .collect()
}
