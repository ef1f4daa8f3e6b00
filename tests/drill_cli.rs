//! `onemap drill run` and `onemap report` as a user runs them: real SQLite files, the real
//! Xishuangbanna pack and its DEMO flood + landslide scenario.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::path::Path;

use common::{fails_with, ok, onemap};
use serde_json::Value;

fn scenario() -> String {
    common::xsbn_pack()
        .join("drills/flood-landslide.toml")
        .to_str()
        .unwrap()
        .to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn headless_drill_is_deterministic_and_writes_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario();
    let mut jsons = Vec::new();
    for name in ["a", "b"] {
        let db = dir.path().join(format!("{name}.db"));
        let rep = dir.path().join(format!("{name}.json"));
        let line = ok(&onemap(&[
            "drill",
            "run",
            &sc,
            "--db",
            s(&db),
            "--auto",
            "--report",
            s(&rep),
        ]));
        assert!(line.starts_with("drill flood-landslide-1 ran "), "{line}");
        jsons.push(std::fs::read(&rep).unwrap());
    }
    assert_eq!(
        jsons[0], jsons[1],
        "same scenario and seed: byte-identical JSON reports"
    );
    let r: Value = serde_json::from_slice(&jsons[0]).unwrap();
    assert_eq!(r["drill_id"], "flood-landslide-1");
    // Run on the default pack: real roads in the border band, a calibrated skeleton elsewhere.
    assert_eq!(
        (&r["schematic"], &r["estimates"]),
        (&Value::Bool(false), &Value::Bool(true))
    );
    assert_eq!(r["incidents"].as_array().unwrap().len(), 2);
    // Ambulance coverage over the drill, hourly: each sample is the coverage of the drill's
    // situation at that moment, computed independently from a replay of the same file.
    let samples = r["coverage"].as_array().expect("coverage samples");
    assert!(samples.len() >= 6, "{samples:?}");
    let pack = onemap::mappack::MapPack::load(common::default_pack()).unwrap();
    let plans = onemap::dispatch::Plans::load_pack(&pack.dir).unwrap();
    let (g, spec) = pack.roads().unwrap();
    let mut router = onemap::roads::router::Router::with_spec(g, spec);
    let model = onemap::coverage::CoverageModel::new(
        &onemap::coverage::DemandSpec::from_pack(&pack),
        &router,
        &plans,
        &onemap::coverage::CoverageOptions::default(),
    );
    let mut replay = onemap::store::replay::Replay::open(dir.path().join("a.db")).unwrap();
    replay.set_scope(Some("flood-landslide-1")).unwrap();
    let t0 = replay.time_range().unwrap().0;
    for smp in samples {
        let t = t0 + (smp["offset_s"].as_f64().unwrap() * 1000.0) as i64;
        let sit = replay.situation_at_time(t - 1).unwrap();
        let want = model
            .compute_type(&sit, &mut router, onemap::coverage::ForceType::Ambulance)
            .unwrap()
            .covered_share;
        assert!(
            (smp["covered"].as_f64().unwrap() - (want * 1000.0).round() / 1000.0).abs() < 1e-9,
            "{smp} vs {want}"
        );
    }

    // The same drill as HTML and CSV, read-only from the database.
    let db = dir.path().join("a.db");
    let html = dir.path().join("r.html");
    ok(&onemap(&[
        "report",
        "--db",
        s(&db),
        "--drill",
        "flood-landslide-1",
        "--format",
        "html",
        "--out",
        s(&html),
    ]));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert_eq!(page.matches("<svg").count(), 3, "map, timeline and interval charts");
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("<script"));
    assert!(page.contains("接报→首车到场") && page.contains("道路救援力量到场"));
    assert!(page.contains("✓ 达标 met") && page.contains("演练 DRILL"));
    assert!(page.contains("北京时间"), "times in Beijing time, zone stated");
    assert!(page.contains("部分路网为标定骨架（示意）"), "estimates stated");
    assert!(page.contains("演练-1"), "drill incidents in their own series");
    assert_no_internal_codes(&page, &pack);
    assert!(
        page.contains("drill-director") && page.contains("drill-auto"),
        "who did what"
    );
    let csv = dir.path().join("r.csv");
    ok(&onemap(&[
        "report",
        "--db",
        s(&db),
        "--drill",
        "flood-landslide-1",
        "--out",
        s(&csv),
    ]));
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("incident,type,grade,subject,measure,"));
    assert!(text.contains(",report_to_first_arrival,") && text.contains(",engineering_linkage,"));

    // Real operations of the same file: the drill's incidents are not there.
    let real = dir.path().join("real.json");
    ok(&onemap(&["report", "--db", s(&db), "--out", s(&real)]));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&real).unwrap()).unwrap();
    assert_eq!(r["incidents"].as_array().unwrap().len(), 0);
    assert_eq!(r["drill_id"], Value::Null);
}

#[test]
fn a_drill_never_touches_real_incidents_or_units() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("real.db");
    let pack = common::xsbn_pack();
    ok(&onemap(&["demo", "load", "--db", s(&db), "--pack", s(&pack)]));
    ok(&onemap(&[
        "incident",
        "new",
        "--db",
        s(&db),
        "--class",
        "natural",
        "--type",
        "flood",
        "--severity",
        "3",
        "--at",
        "100.80,22.02",
    ]));
    let view = |v: &Value| {
        (
            v["incidents"].clone(),
            v["units"].clone(),
            v["warehouses"].clone(),
            v["shelters"].clone(),
        )
    };
    let before: Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", s(&db)]))).unwrap();
    ok(&onemap(&["drill", "run", &scenario(), "--db", s(&db), "--auto"]));
    let after: Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", s(&db)]))).unwrap();
    assert_eq!(view(&before), view(&after));
    assert!(after["drills"]["flood-landslide-1"].is_object());
    // A second run in the same file gets the next drill id.
    let line = ok(&onemap(&["drill", "run", &scenario(), "--db", s(&db)]));
    assert!(line.starts_with("drill flood-landslide-2 "), "{line}");
}

#[test]
fn bad_scenarios_and_arguments_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let text = std::fs::read_to_string(scenario()).unwrap();
    let write = |name: &str, body: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let p = write("type.toml", text.replace("type = \"flood\"", "type = \"flod\""));
    let e = fails_with(
        &onemap(&["drill", "run", &p, "--db", s(&db)]),
        "unknown incident type \"flod\"; one of: flood,",
    );
    assert!(
        e.contains(&format!("type.toml:{}:", line_of("type = \"flood\""))),
        "{e}"
    );
    let p = write("place.toml", text.replace("place = \"勐腊县\"", "place = \"勐蜡\""));
    let e = fails_with(
        &onemap(&["drill", "run", &p, "--db", s(&db)]),
        "unknown place \"勐蜡\"; one of: ",
    );
    assert!(
        e.contains(&format!("place.toml:{}:", line_of("place = \"勐腊县\""))) && e.contains("勐腊县"),
        "{e}"
    );
    let p = write("unit.toml", text.replace("demo-u-ml-road", "demo-u-ml-raod"));
    let e = fails_with(
        &onemap(&["drill", "run", &p, "--db", s(&db)]),
        "unknown unit \"demo-u-ml-raod\"",
    );
    assert!(
        e.contains(&format!("unit.toml:{}:", line_of("demo-u-ml-road"))) && e.contains("demo-u-ml-road"),
        "{e}"
    );
    let p = write("time.toml", text.replace("at = \"T+01:30:00\"", "at = \"90 min\""));
    fails_with(&onemap(&["drill", "run", &p, "--db", s(&db)]), "at must be hh:mm:ss");
    let p = write("item.toml", text.replace("item = \"tent\"", "item = \"tents\""));
    fails_with(
        &onemap(&["drill", "run", &p, "--db", s(&db)]),
        "has no item \"tents\"; one of: ",
    );
    fails_with(
        &onemap(&["drill", "run", "/nonexistent.toml", "--db", s(&db)]),
        "cannot read scenario",
    );
    fails_with(
        &onemap(&["drill", "run", &scenario(), "--db", s(&db), "--speed", "5000"]),
        "--speed must be between 1 and 1000",
    );
    let out = dir.path().join("r.pdf");
    fails_with(
        &onemap(&["report", "--db", s(&db), "--out", s(&out)]),
        "--format must be html, csv or json",
    );
    fails_with(
        &onemap(&["report", "--db", s(&db), "--drill", "nope", "--out", "/tmp/x.json"]),
        "no drill \"nope\"",
    );
    fails_with(
        &onemap(&["report", "--db", "/nonexistent.db", "--out", "/tmp/x.json"]),
        "no such database file",
    );
}

#[test]
fn bench_replay_runs_on_a_small_log() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&onemap(&[
        "bench",
        "replay",
        "--events",
        "3000",
        "--dir",
        s(dir.path()),
        "--json",
    ]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["events"], 3000);
    assert_eq!(v["snapshots"], 3);
    assert!(v["seek_median_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files removed"
    );
}

/// No code an officer should not read: snake_case codes of unit and incident types, statuses,
/// plan targets and relief items, warehouse and unit external ids, `plans.toml` line references.
fn assert_no_internal_codes(page: &str, pack: &onemap::mappack::MapPack) {
    use onemap::model::{IncidentStatus, IncidentType, UnitStatus, UnitType};
    let plans = onemap::dispatch::Plans::load_pack(&pack.dir).unwrap();
    let mut codes: Vec<String> = Vec::new();
    codes.extend(UnitType::ALL.iter().map(|t| t.code().to_string()));
    codes.extend(IncidentType::ALL.iter().map(|t| t.code().to_string()));
    codes.extend(IncidentStatus::ALL.iter().map(|t| t.code().to_string()));
    codes.extend(UnitStatus::ALL.iter().map(|t| t.code().to_string()));
    codes.extend(plans.targets.iter().map(|t| t.name.clone()));
    codes.extend(plans.items.keys().cloned());
    // Only codes that cannot be ordinary words ("flood", "closed" are English text too).
    codes.retain(|c| c.contains('_'));
    assert!(codes.len() > 30, "{codes:?}");
    let demo = pack.dir.join("demo");
    for file in ["warehouses.csv", "units.csv"] {
        let text = std::fs::read_to_string(demo.join(file)).unwrap();
        codes.extend(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split(',').next())
                .map(str::to_string),
        );
    }
    codes.push("plans.toml".into());
    let found: Vec<&String> = codes.iter().filter(|c| page.contains(c.as_str())).collect();
    assert!(found.is_empty(), "internal codes in the report: {found:?}");
}
