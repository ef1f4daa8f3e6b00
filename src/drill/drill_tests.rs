//! Drill tests on the Xishuangbanna pack and its DEMO flood + landslide scenario: determinism
//! (two runs, byte-identical reports), replay equivalence (the situation replayed at time t is
//! what the live drill showed at t), isolation (the real situation and units are untouched), and
//! the manual (non-auto) mode.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::*;
use crate::dispatch::{Geography, Plans};
use crate::mappack::MapPack;
use crate::model::{EventKind, Situation};
use crate::roads::router::Router;
use crate::store::{Replay, Store};
use crate::time::parse_utc_ms;

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna")
}

fn pack() -> MapPack {
    MapPack::load(pack_dir()).unwrap()
}

fn router(pack: &MapPack) -> Router {
    let (g, spec) = pack.roads().unwrap();
    Router::with_spec(g, spec)
}

fn scenario(pack: &MapPack) -> Scenario {
    Scenario::load(
        &pack_dir().join("drills/flood-landslide.toml"),
        &PlaceNames::from_pack(pack),
    )
    .unwrap()
}

fn demo_store(path: &Path) -> Store {
    let mut s = Store::open(path).unwrap();
    s.load_demo(&pack_dir().join("demo")).unwrap();
    s
}

fn opts(auto: bool) -> RunOptions {
    RunOptions {
        auto,
        speed: None,
        operator: "tester".into(),
        seat: "seat-1".into(),
    }
}

/// Run `sc` with the pack's plans, roads and geography into `store` (the runner as the CLI uses it).
fn run_demo(
    store: &mut Store,
    pack: &MapPack,
    sc: &Scenario,
    auto: bool,
    on_batch: impl FnMut(&crate::drill::sim::Simulator, &[crate::model::Event]),
) -> crate::drill::RunOutcome {
    let plans = Plans::load_pack(&pack.dir).unwrap();
    run_scenario(
        store,
        sc,
        &plans,
        router(pack),
        Geography::from_pack(pack),
        &opts(auto),
        on_batch,
    )
    .unwrap()
}

/// The report of one drill, read back from the file like `onemap report` does.
fn report_json(db: &Path, pack: &MapPack, drill: &str) -> String {
    report_from_db(db, pack, Some(drill), Vec::new()).unwrap().to_json()
}

/// Real state that a drill must never change.
fn real_view(s: &Situation) -> String {
    serde_json::to_string(&(&s.incidents, &s.units, &s.stations, &s.warehouses, &s.shelters)).unwrap()
}

#[test]
fn same_scenario_and_seed_give_identical_reports() {
    let pack = pack();
    let dir = tempfile::tempdir().unwrap();
    let mut reports = Vec::new();
    for name in ["a.db", "b.db"] {
        let db = dir.path().join(name);
        let mut store = demo_store(&db);
        let out = run_demo(&mut store, &pack, &scenario(&pack), true, |_, _| {});
        assert_eq!(out.drill_id, "flood-landslide-1");
        drop(store);
        reports.push(report_json(&db, &pack, &out.drill_id));
    }
    assert_eq!(reports[0], reports[1]);
    let r: serde_json::Value = serde_json::from_str(&reports[0]).unwrap();
    let incidents = r["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 2, "flood + landslide");
    assert_eq!(incidents[0]["incident_type"], "flood");
    assert_eq!(incidents[1]["incident_type"], "landslide_debris_flow");
    for inc in incidents {
        assert_eq!(inc["final_status"], "closed", "{inc}");
        assert!(inc["first_arrival_utc"].is_string());
        let scored = inc["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["met"].is_boolean())
            .count();
        assert_eq!(scored, 2, "first arrival and all arrived are scored against the plan");
        let relief = inc["relief"].as_array().unwrap();
        assert!(!relief.is_empty(), "affected people get relief supplies");
        assert!(
            relief
                .iter()
                .all(|r| r["target"] == "relief_to_affected" && r["met"].is_boolean())
        );
    }
    assert_eq!(r["road_closures"].as_array().unwrap().len(), 1);
    assert_eq!(
        r["start_utc"], "2026-07-15T06:00:00.000Z",
        "simulated time, not the wall clock"
    );
    // Another seed changes the on-scene jitter, hence the closing times.
    let db = dir.path().join("c.db");
    let mut store = demo_store(&db);
    let mut sc = scenario(&pack);
    sc.seed += 1;
    let out = run_demo(&mut store, &pack, &sc, true, |_, _| {});
    drop(store);
    assert_ne!(report_json(&db, &pack, &out.drill_id), reports[0]);
}

#[test]
fn replay_at_time_t_equals_the_live_drill_and_reality_is_untouched() {
    let pack = pack();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let mut store = demo_store(&db);
    let real_before = store.situation().unwrap().clone();
    let mut live: BTreeMap<i64, Situation> = BTreeMap::new();
    let out = run_demo(&mut store, &pack, &scenario(&pack), true, |sim, events| {
        let t = parse_utc_ms(&events[0].ts_utc).unwrap();
        live.insert(t, sim.situation().clone());
    });
    assert!(out.events > 50, "{}", out.events);
    assert!(live.len() > 20);

    // Isolation: the real situation (incidents, units, stock, shelters) is exactly as before;
    // only the drill's bookkeeping was added. Every drill event carries the drill id.
    let real_after = store.situation().unwrap().clone();
    assert_eq!(real_view(&real_before), real_view(&real_after));
    assert!(real_after.drills.contains_key(&out.drill_id));
    let all = store.events_since(out.started_seq).unwrap();
    let (drill_events, real_events): (Vec<_>, Vec<_>) = all.iter().partition(|e| e.drill_id.is_some());
    assert_eq!(drill_events.len() as u64, out.events);
    assert_eq!(real_events.len(), 1, "only DrillEnded is real: {real_events:?}");
    assert!(matches!(real_events[0].kind, EventKind::DrillEnded { .. }));
    let drill_sit = store.drill_situation(&out.drill_id).unwrap();
    assert!(drill_sit.incidents.len() >= real_after.incidents.len() + 2);
    drop(store);

    // Replay equivalence, read-only.
    let mut replay = Replay::open(&db).unwrap();
    replay.set_scope(Some(&out.drill_id)).unwrap();
    for (t, sit) in &live {
        assert_eq!(&replay.situation_at_time(*t).unwrap(), sit, "at {t}");
        // Between events the situation is the last event's.
        assert_eq!(&replay.situation_at_time(t + 500).unwrap(), sit, "just after {t}");
    }
    let (first, last) = replay.time_range().unwrap();
    assert_eq!(first, parse_utc_ms("2026-07-15T06:00:00Z").unwrap());
    assert!(last > first);
    // Before the first inject: the real state at the drill's start.
    let before = replay.situation_at_time(first - 1).unwrap();
    assert_eq!(real_view(&before), real_view(&real_before));
    // The real scope never sees drill incidents.
    replay.set_scope(None).unwrap();
    let real_end = replay.situation_at(u64::MAX).unwrap();
    assert_eq!(real_view(&real_end), real_view(&real_before));
    // The file was not written by the replay.
    let mut again = Store::open(&db).unwrap();
    assert_eq!(again.last_seq().unwrap(), replay.timeline().last().unwrap().seq);
    assert_eq!(real_view(again.situation().unwrap()), real_view(&real_before));
}

#[test]
fn without_auto_only_the_injects_happen() {
    let pack = pack();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("m.db");
    let mut store = demo_store(&db);
    let out = run_demo(&mut store, &pack, &scenario(&pack), false, |_, _| {});
    let events = store.events_since(out.started_seq).unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e.drill_id.is_some())
        .map(|e| e.kind.tag())
        .collect();
    assert_eq!(
        kinds,
        [
            "incident_reported",
            "road_closed",
            "incident_reported",
            "unit_status_changed",
            "stock_line_set",
            "shelter_occupancy_changed"
        ]
    );
    let sit = store.drill_situation(&out.drill_id).unwrap();
    let tents = &sit.warehouse_by_external_id("demo-wh-pf-relief").unwrap().stock["tent"];
    assert_eq!(tents.quantity, 40);
    let sh = sit.shelter_by_external_id("demo-sh-ml-01").unwrap();
    assert_eq!(sh.occupancy, sh.spec.capacity);
    let u = sit.unit_by_external_id("demo-u-ml-road").unwrap();
    assert_eq!(u.status, crate::model::UnitStatus::OutOfService);
    // …and none of it in reality.
    let real = store.situation().unwrap();
    assert_eq!(
        real.unit_by_external_id("demo-u-ml-road").unwrap().status,
        crate::model::UnitStatus::Available
    );
}

#[test]
fn pure_simulator_matches_the_store_runner() {
    let pack = pack();
    let plans = Plans::load_pack(&pack.dir).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let mut store = demo_store(&db);
    store
        .append(
            "t",
            "s",
            None,
            EventKind::DrillStarted {
                drill_id: "x".into(),
                name: "x".into(),
            },
        )
        .unwrap();
    let base = store.drill_situation("x").unwrap();
    let mk = || {
        Simulator::new(
            scenario(&pack),
            plans.clone(),
            router(&pack),
            Geography::from_pack(&pack),
            base.clone(),
            SimOptions {
                auto: true,
                ..SimOptions::default()
            },
        )
        .unwrap()
    };
    let a = mk().run_to_end("x").unwrap();
    let b = mk().run_to_end("x").unwrap();
    assert_eq!(a, b);
    // Movements: a unit en route is between its start and the scene.
    let mut sim = mk();
    let mut seen_moving = false;
    while let Some(due) = sim.next_due_ms() {
        if let Some(batch) = sim.next_batch(due).unwrap() {
            let ts = crate::time::format_utc_ms(batch.t_ms);
            let seqs = store
                .append_batch_at(&ts, &batch.operator, &batch.seat, Some("x"), batch.kinds)
                .unwrap();
            let evs = store.events_since(seqs[0] - 1).unwrap();
            sim.observe(&evs);
        }
        for m in sim.movements().values() {
            if m.depart_ms < sim.now_ms() && sim.now_ms() < m.arrive_ms {
                let p = m.position_at(sim.now_ms());
                assert!(p != m.route_lonlat[0] || m.route_lonlat.len() < 2);
                seen_moving = true;
            }
        }
    }
    assert!(seen_moving);
    let stored: Vec<_> = store
        .events_since(base.last_seq)
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.ts_utc, e.kind))
        .collect();
    let pure: Vec<_> = a.into_iter().map(|e| (e.seq, e.ts_utc, e.kind)).collect();
    assert_eq!(stored, pure);
}
