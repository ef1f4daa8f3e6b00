//! A scripted hour of operations on the demo database, logged at explicit times through the
//! real store: shared by `onemap kpis` and the wall's tests so both check the same situation.

use onemap::model::{Caller, EventKind, IncidentId, IncidentType, LonLat, Severity, UnitId, UnitStatus};
use onemap::store::Store;
use onemap::time::format_utc_ms;
use serde_json::Value;

use super::{DemoDb, ok, onemap};

/// A minute, ms.
pub const MIN: i64 = 60_000;

/// `onemap situation` as JSON.
pub fn situation(db: &str) -> Value {
    serde_json::from_str(&ok(&onemap(&["situation", "--db", db]))).unwrap()
}

/// The first available unit of a type.
fn unit_of(sit: &Value, unit_type: &str) -> u32 {
    sit["units"]
        .as_object()
        .unwrap()
        .values()
        .find(|u| u["spec"]["unit_type"] == unit_type && u["status"] == "available")
        .unwrap()["id"]
        .as_u64()
        .unwrap() as u32
}

/// Scripted operations after the demo load, all logged at explicit times from `base_ms` (which
/// must be later than the demo load: `--at` folds events up to a time).
/// Returns the unit ids used: (water rescue, engineering, ambulance).
pub fn script(d: &DemoDb, base_ms: i64) -> (u32, u32, u32) {
    let sit = situation(&d.db);
    let (w, e, a) = (
        unit_of(&sit, "water_rescue_team"),
        unit_of(&sit, "engineering_crew"),
        unit_of(&sit, "ambulance"),
    );
    let mut store = Store::open(&d.db).unwrap();
    let mut at = |m: i64, kinds: Vec<EventKind>| {
        store
            .append_batch_at(&format_utc_ms(base_ms + m * MIN), "tester", "seat-1", None, kinds)
            .unwrap();
    };
    let report = |id: u32, t: IncidentType, s: Severity, lon: f64, lat: f64, m: i64| EventKind::IncidentReported {
        incident: IncidentId(id),
        incident_type: t,
        severity: s,
        lonlat: LonLat::from_deg(lon, lat).unwrap(),
        address: format!("address {id}"),
        reported_at_utc: format_utc_ms(base_ms + m * MIN),
        caller: Caller {
            name: "caller".into(),
            phone: "13800000000".into(),
        },
        notes: String::new(),
    };
    at(
        0,
        vec![report(1, IncidentType::Flood, Severity::II, 100.7967, 22.0102, 0)],
    );
    at(
        2,
        vec![
            EventKind::IncidentVerified {
                incident: IncidentId(1),
                severity: None,
            },
            EventKind::UnitDispatched {
                unit: UnitId(w),
                incident: IncidentId(1),
            },
            EventKind::UnitDispatched {
                unit: UnitId(e),
                incident: IncidentId(1),
            },
        ],
    );
    at(
        3,
        vec![EventKind::UnitStatusChanged {
            unit: UnitId(e),
            to: UnitStatus::EnRoute,
        }],
    );
    at(
        5,
        vec![report(2, IncidentType::RoadTraffic, Severity::IV, 100.93, 22.03, 5)],
    );
    at(
        6,
        vec![
            EventKind::IncidentVerified {
                incident: IncidentId(2),
                severity: Some(Severity::III),
            },
            EventKind::UnitDispatched {
                unit: UnitId(a),
                incident: IncidentId(2),
            },
        ],
    );
    at(
        10,
        vec![report(3, IncidentType::BuildingFire, Severity::III, 100.48, 21.95, 10)],
    );
    at(
        11,
        vec![report(4, IncidentType::FoodPoisoning, Severity::IV, 100.80, 21.99, 11)],
    );
    at(
        12,
        vec![EventKind::IncidentCancelled {
            incident: IncidentId(4),
            reason: "false alarm".into(),
            duplicate_of: None,
        }],
    );
    at(
        20,
        vec![EventKind::UnitStatusChanged {
            unit: UnitId(w),
            to: UnitStatus::EnRoute,
        }],
    );
    at(
        25,
        vec![EventKind::UnitStatusChanged {
            unit: UnitId(w),
            to: UnitStatus::OnScene,
        }],
    );
    // Shelters: one full, one partly; quilts drained below the 1000-person reserve.
    at(
        30,
        vec![
            EventKind::ShelterOccupancyChanged {
                shelter: onemap::model::ShelterId(1),
                occupancy: 1450,
            },
            EventKind::ShelterOccupancyChanged {
                shelter: onemap::model::ShelterId(2),
                occupancy: 100,
            },
        ],
    );
    let sit = situation(&d.db);
    let mut drain = Vec::new();
    for (wid, wh) in sit["warehouses"].as_object().unwrap() {
        if let Some(line) = wh["stock"].get("quilt") {
            drain.push(EventKind::StockLineSet {
                warehouse: onemap::model::WarehouseId(wid.parse().unwrap()),
                item_code: "quilt".into(),
                name_zh: line["name_zh"].as_str().unwrap().into(),
                name_en: line["name_en"].as_str().unwrap().into(),
                unit: line["unit"].as_str().unwrap().into(),
                quantity: line["reserved"].as_u64().unwrap() + 7,
                demo: true,
            });
        }
    }
    assert!(!drain.is_empty(), "demo stock has quilts");
    at(31, drain);
    (w, e, a)
}

/// `onemap kpis --json` on the demo database at `at_ms`.
pub fn kpis_at(d: &DemoDb, at_ms: i64) -> Value {
    serde_json::from_str(&ok(&onemap(&[
        "kpis",
        "--db",
        &d.db,
        "--pack",
        &d.pack,
        "--at",
        &format_utc_ms(at_ms),
        "--json",
    ])))
    .unwrap()
}
