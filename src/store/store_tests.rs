//! Store tests: refusal writes nothing, append-only triggers, schema/identity checks,
//! snapshots, replay equivalence, time travel and drill isolation.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use rusqlite::Connection;

use super::*;
use crate::model::synth::{synthetic_events, synthetic_kinds};
use crate::model::{
    Caller, IncidentId, IncidentType, LonLat, Severity, StockLine, UnitId, UnitStatus, WarehouseId, WarehouseKind,
    WarehouseSpec,
};

fn opts(snapshot_every: u64) -> StoreOptions {
    StoreOptions {
        snapshot_every,
        durability: Durability::Normal,
        ..StoreOptions::default()
    }
}

fn fill(store: &mut Store, n: u64) {
    for k in synthetic_kinds(n) {
        store.append("op", "seat-1", None, k).unwrap();
    }
}

fn pos() -> LonLat {
    LonLat::from_deg(100.770536, 22.002969).unwrap()
}

fn warehouse_kinds(qty: u64) -> Vec<EventKind> {
    vec![
        EventKind::WarehouseUpserted {
            warehouse: WarehouseId(1),
            spec: WarehouseSpec {
                external_id: "wh".into(),
                name_zh: "演示-库".into(),
                name_en: String::new(),
                kind: WarehouseKind::ReliefSupplies,
                lonlat: pos(),
                county: "景洪市".into(),
                demo: true,
                position_note: String::new(),
            },
        },
        EventKind::StockReceived {
            warehouse: WarehouseId(1),
            item_code: "tent".into(),
            name_zh: "帐篷".into(),
            name_en: "Tent".into(),
            unit: "顶".into(),
            quantity: qty,
        },
    ]
}

fn issue(qty: u64) -> EventKind {
    EventKind::StockIssued {
        warehouse: WarehouseId(1),
        item_code: "tent".into(),
        quantity: qty,
        from_reserved: false,
        incident: None,
    }
}

fn tents(store: &mut Store) -> StockLine {
    store.situation().unwrap().warehouses[&WarehouseId(1)].stock["tent"].clone()
}

#[test]
fn negative_stock_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(1000)).unwrap();
    store.append_batch("op", "s", None, warehouse_kinds(5)).unwrap();
    let before_count = store.event_count().unwrap();
    let before = store.situation().unwrap().clone();
    let err = store.append("op", "s", None, issue(6)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                source: ApplyError::InsufficientStock { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("stock can never be negative"), "{err}");
    assert_eq!(
        store.event_count().unwrap(),
        before_count,
        "refused event must not be written"
    );
    assert_eq!(store.situation().unwrap(), &before);
    // A batch whose third event would go negative writes none of its events.
    let err = store
        .append_batch("op", "s", None, vec![issue(2), issue(2), issue(2)])
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused { index: 2, .. }), "{err}");
    assert_eq!(store.event_count().unwrap(), before_count);
    assert_eq!(tents(&mut store).quantity, 5);
    store.append("op", "s", None, issue(5)).unwrap();
    assert_eq!(tents(&mut store).quantity, 0);
    drop(store);
    let mut reopened = Store::open(&path).unwrap();
    assert_eq!(tents(&mut reopened).quantity, 0);
}

#[test]
fn events_table_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(1000)).unwrap();
    fill(&mut store, 10);
    let raw = Connection::open(&path).unwrap();
    let upd = raw
        .execute("UPDATE events SET operator = 'mallory' WHERE seq = 1", [])
        .unwrap_err();
    assert!(upd.to_string().contains("append-only"), "{upd}");
    let del = raw.execute("DELETE FROM events WHERE seq = 10", []).unwrap_err();
    assert!(del.to_string().contains("append-only"), "{del}");
    let n: i64 = raw.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 10);
    let op: String = raw
        .query_row("SELECT operator FROM events WHERE seq = 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(op, "op");
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 99;")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "database schema version 99 is newer than this program ({}); update OneMap",
            schema::SCHEMA_VERSION
        )
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

fn assert_refused_untouched(path: &Path, expect: &str) {
    let before = std::fs::read(path).unwrap();
    let err = Store::open(path).unwrap_err();
    assert!(matches!(err, StoreError::NotOneMap { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!("{} is not a OneMap database: {expect}", path.display())
    );
    assert_eq!(std::fs::read(path).unwrap(), before, "file must be left byte-identical");
    assert!(!path.with_extension("db-wal").exists() || before.is_empty());
}

#[test]
fn foreign_and_corrupt_files_are_reported_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "这不是数据库 / this is not a database\n").unwrap();
    assert_refused_untouched(&text, "file is not a database");
    assert!(matches!(
        Store::init(&text).unwrap_err(),
        StoreError::AlreadyExists { .. }
    ));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "这不是数据库 / this is not a database\n"
    );

    // SQLite magic followed by garbage.
    let garbage = dir.path().join("garbage.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&garbage, &bytes).unwrap();
    let err = Store::open(&garbage).unwrap_err();
    assert!(matches!(err, StoreError::NotOneMap { .. }), "{err}");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes);

    // A valid SQLite database of another program.
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let err = Store::open(&other).unwrap_err();
    assert!(
        err.to_string()
            .contains("is not a OneMap database: SQLite database of another program"),
        "{err}"
    );
    assert_eq!(std::fs::read(&other).unwrap(), before);

    // An empty file is fine to initialise.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let mut s = Store::init(&empty).unwrap();
    fill(&mut s, 3);
    assert_eq!(s.integrity_check().unwrap(), "ok");
}

fn all_events_fold(store: &Store) -> Situation {
    let events = store.events_since(0).unwrap();
    Situation::from_events(&events).unwrap()
}

#[test]
fn snapshots_of_an_older_fold_are_refolded_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(50)).unwrap();
    fill(&mut store, 120);
    let live = store.situation().unwrap().clone();
    drop(store);
    // Rewrite every snapshot as an older fold wrote it (no log times, no version).
    let raw = Connection::open(&path).unwrap();
    let rows: Vec<(i64, String)> = raw
        .prepare("SELECT seq, situation FROM snapshots")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    for (seq, json) in rows {
        let mut old: Situation = serde_json::from_str(&json).unwrap();
        old = old.without_log_times();
        old.fold_version = 0;
        let text = serde_json::to_string(&old).unwrap();
        raw.execute(
            "UPDATE snapshots SET situation = ?1, checksum = ?2 WHERE seq = ?3",
            rusqlite::params![text, snapshot::checksum(&text), seq],
        )
        .unwrap();
    }
    let mut w = Vec::new();
    assert_eq!(snapshot::load_latest_snapshot(&raw, u64::MAX, &mut w).unwrap(), None);
    assert!(w.is_empty(), "an upgrade is not a warning: {w:?}");
    let reopened = Store::open_with(&path, opts(50)).unwrap();
    assert_eq!(reopened.cached_situation(), &live, "log times come back from the log");
}

#[test]
fn snapshots_round_trip_and_bad_ones_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(50)).unwrap();
    fill(&mut store, 230);
    let live = store.situation().unwrap().clone();
    drop(store);
    let raw = Connection::open(&path).unwrap();
    let seqs: Vec<i64> = raw
        .prepare("SELECT seq FROM snapshots ORDER BY seq")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(seqs, vec![50, 100, 150, 200]);
    // The stored snapshot equals folding the first 200 events.
    let mut w = Vec::new();
    let snap = snapshot::load_latest_snapshot(&raw, 230, &mut w).unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    // (The store stamped its own log times; the synthetic events carry fixed ones.)
    assert_eq!(
        snap.without_log_times(),
        Situation::from_events(&synthetic_events(200))
            .unwrap()
            .without_log_times()
    );

    let reopened = Store::open_with(&path, opts(50)).unwrap();
    assert!(reopened.warnings().is_empty());
    assert_eq!(reopened.cached_situation(), &live);
    drop(reopened);

    // Corrupt the newest snapshot (text changed, checksum kept): skipped with a warning.
    raw.execute(
        "UPDATE snapshots SET situation = replace(situation, '合成', '篡改') WHERE seq = 200",
        [],
    )
    .unwrap();
    let mut w = Vec::new();
    let best = snapshot::load_latest_snapshot(&raw, u64::MAX, &mut w).unwrap().unwrap();
    assert_eq!(best.last_seq, 150);
    assert!(w[0].contains("snapshot at seq 200 skipped: checksum mismatch"), "{w:?}");
    let mut reopened = Store::open_with(&path, opts(50)).unwrap();
    let warnings = reopened.warnings().join("\n");
    assert!(
        warnings.contains("snapshot at seq 200 skipped: checksum mismatch"),
        "{warnings}"
    );
    assert_eq!(
        reopened.situation().unwrap(),
        &live,
        "falls back to the snapshot at 150 plus the tail"
    );
    drop(reopened);
    // A checksummed snapshot past the end of the log means events were removed: refused.
    let mut fake = Situation::default();
    fake.last_seq = 9999;
    let fake = serde_json::to_string(&fake).unwrap();
    raw.execute(
        "INSERT INTO snapshots(seq, situation, checksum, created_utc) VALUES (9999, ?1, ?2, 'x')",
        rusqlite::params![fake, snapshot::checksum(&fake)],
    )
    .unwrap();
    let e = Store::open_with(&path, opts(50)).unwrap_err();
    assert!(
        matches!(e, StoreError::Chain(chain::ChainFault::Missing { seq: 9999 })),
        "{e}"
    );
}

#[test]
fn replay_equivalence_live_full_fold_and_snapshot_tail() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(100)).unwrap();
    let kinds = synthetic_kinds(777);
    for chunk in kinds.chunks(37) {
        store.append_batch("op", "s", None, chunk.to_vec()).unwrap();
    }
    let live = store.situation().unwrap().clone();
    assert_eq!(live.last_seq, 777);
    assert_eq!(all_events_fold(&store), live);
    let same_kinds: Vec<EventKind> = store.events_since(0).unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(same_kinds, kinds, "the log holds exactly what was appended, in order");
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.cached_situation(), &live, "latest snapshot + tail");
}

#[test]
fn situation_at_equals_prefix_fold() {
    let mut store = Store::open_in_memory_with(opts(50)).unwrap();
    fill(&mut store, 260);
    let events = store.events_since(0).unwrap();
    for k in [0usize, 1, 49, 50, 51, 137, 200, 259, 260] {
        let expect = Situation::from_events(&events[..k]).unwrap();
        assert_eq!(store.situation_at(k as u64).unwrap(), expect, "seq {k}");
    }
    assert!(matches!(
        store.situation_at(261),
        Err(StoreError::SeqBeyondEnd {
            seq: 261,
            last_seq: 260
        })
    ));
    assert_eq!(store.events_since(250).unwrap().len(), 10);
}

fn report(id: u32) -> EventKind {
    EventKind::IncidentReported {
        incident: IncidentId(id),
        incident_type: IncidentType::Earthquake,
        severity: Severity::II,
        lonlat: pos(),
        address: "演练地点".into(),
        reported_at_utc: "2025-06-01T00:00:00.000Z".into(),
        caller: Caller::default(),
        notes: String::new(),
    }
}

#[test]
fn drill_events_are_excluded_from_the_real_situation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mut store = Store::open_with(&path, opts(5)).unwrap();
    fill(&mut store, 202); // station, warehouse, 200 units; no incident yet
    assert!(store.situation().unwrap().incidents.is_empty());
    // Drill events before the drill starts are refused.
    let err = store.append("op", "s", Some("D1"), report(1)).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Refused {
                source: ApplyError::DrillNotActive(_),
                ..
            }
        ),
        "{err}"
    );
    store
        .append(
            "op",
            "s",
            None,
            EventKind::DrillStarted {
                drill_id: "D1".into(),
                name: "地震演练".into(),
            },
        )
        .unwrap();
    store.append("op", "s", Some("D1"), report(1)).unwrap();
    store
        .append(
            "op",
            "s",
            Some("D1"),
            EventKind::IncidentVerified {
                incident: IncidentId(1),
                severity: None,
            },
        )
        .unwrap();
    store
        .append(
            "op",
            "s",
            Some("D1"),
            EventKind::UnitDispatched {
                unit: UnitId(1),
                incident: IncidentId(1),
            },
        )
        .unwrap();
    // A real incident with the same id is independent of the drill one.
    store.append("op", "s", None, report(1)).unwrap();
    let real = store.situation().unwrap().clone();
    assert_eq!(real.incidents.len(), 1);
    assert_eq!(real.incidents[&IncidentId(1)].status, IncidentStatus::Reported);
    assert_eq!(
        real.units[&UnitId(1)].status,
        UnitStatus::Available,
        "drill dispatch must not touch the real unit"
    );
    let drill = store.drill_situation("D1").unwrap();
    assert_eq!(drill.units[&UnitId(1)].status, UnitStatus::Dispatched);
    assert_eq!(drill.incidents[&IncidentId(1)].status, IncidentStatus::Dispatched);
    store
        .append("op", "s", None, EventKind::DrillEnded { drill_id: "D1".into() })
        .unwrap();
    let err = store
        .append(
            "op",
            "s",
            Some("D1"),
            EventKind::IncidentNoteAdded {
                incident: IncidentId(1),
                note: "x".into(),
            },
        )
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused { .. }), "{err}");
    assert!(matches!(
        store.drill_situation("nope"),
        Err(StoreError::UnknownDrill(_))
    ));
    let real = store.situation().unwrap().clone();
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(
        reopened.cached_situation(),
        &real,
        "snapshots (every 5) never contain drill state"
    );
    assert!(reopened.warnings().is_empty(), "{:?}", reopened.warnings());
}

use crate::model::IncidentStatus;
