//! The situation-store commands as a user runs them, on a real SQLite file.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{fails_with, ok, onemap};

#[test]
fn incident_and_unit_commands_append_events() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    ok(&onemap(&["db", "init", "--db", db]));
    let demo = ok(&onemap(&[
        "demo",
        "load",
        "--db",
        db,
        "--json",
        "--pack",
        common::xsbn_pack().to_str().unwrap(),
    ]));
    let demo: serde_json::Value = serde_json::from_str(&demo).unwrap();
    let loaded = demo["events_appended"].as_u64().unwrap();
    assert!(loaded > 200, "{demo}");

    let out = ok(&onemap(&[
        "incident",
        "new",
        "--db",
        db,
        "--class",
        "natural",
        "--type",
        "landslide_debris_flow",
        "--severity",
        "2",
        "--at",
        "100.8,22.0",
        "--caller",
        "张三",
        "--phone",
        "13800000000",
        "--note",
        "山体滑坡阻断道路",
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["seq"].as_u64().unwrap(), loaded + 1);

    // A unit by external id: the first unit of the demo.
    let sit: serde_json::Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", db]))).unwrap();
    let (_, unit) = sit["units"].as_object().unwrap().iter().next().unwrap();
    let ext = unit["spec"]["external_id"].as_str().unwrap().to_string();
    ok(&onemap(&["unit", "status", "--db", db, &ext, "out_of_service"]));

    let events = ok(&onemap(&["events", "--db", db, "--since", &loaded.to_string()]));
    let lines: Vec<serde_json::Value> = events.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["kind"]["type"], "incident_reported");
    assert_eq!(lines[0]["operator"], "tester");
    assert_eq!(lines[0]["seat"], "seat-1");
    assert_eq!(lines[1]["kind"]["type"], "unit_status_changed");
    assert_eq!(lines[1]["seq"].as_u64().unwrap(), lines[0]["seq"].as_u64().unwrap() + 1);

    let sit: serde_json::Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", db]))).unwrap();
    assert_eq!(sit["incidents"]["1"]["caller"]["name"], "张三");
    assert_eq!(sit["incidents"]["1"]["status"], "reported");
    let u = sit["units"]
        .as_object()
        .unwrap()
        .values()
        .find(|u| u["spec"]["external_id"] == ext.as_str())
        .unwrap();
    assert_eq!(u["status"], "out_of_service");

    // Re-importing the demo changes nothing.
    let again = ok(&onemap(&[
        "import",
        "--db",
        db,
        "--json",
        common::xsbn_pack().join("demo").to_str().unwrap(),
    ]));
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["events_appended"], 0);
}

#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    common::fails_with_code(&onemap(&["situation", "--db", db]), 3, "does not exist");
    ok(&onemap(&["db", "init", "--db", db]));
    fails_with(&onemap(&["db", "init", "--db", db]), "refusing to initialise");
    let new = |class: &str, t: &str, sev: &str, at: &str| {
        onemap(&[
            "incident",
            "new",
            "--db",
            db,
            "--class",
            class,
            "--type",
            t,
            "--severity",
            sev,
            "--at",
            at,
        ])
    };
    fails_with(&new("weather", "flood", "2", "100.8,22.0"), "--class must be");
    fails_with(
        &new("health", "flood", "2", "100.8,22.0"),
        "belongs to natural_disaster",
    );
    fails_with(&new("natural", "volcano", "2", "100.8,22.0"), "unknown --type");
    fails_with(&new("natural", "flood", "5", "100.8,22.0"), "--severity must be 1–4");
    fails_with(&new("natural", "flood", "2", "100.8"), "--at");
    fails_with(&new("natural", "flood", "2", "200,22"), "outside WGS-84");
    fails_with(
        &onemap(&["unit", "status", "--db", db, "42", "available"]),
        "no unit \"42\"",
    );
    fails_with(
        &onemap(&["unit", "status", "--db", db, "42", "sleeping"]),
        "unknown status",
    );
    // Nothing above was written.
    assert_eq!(ok(&onemap(&["events", "--db", db])).trim(), "");

    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database, a letter").unwrap();
    common::fails_with_code(
        &onemap(&["situation", "--db", junk.to_str().unwrap()]),
        3,
        "is not a OneMap database",
    );
    assert_eq!(std::fs::read_to_string(&junk).unwrap(), "not a database, a letter");

    let bad_csv = dir.path().join("stations.csv");
    std::fs::write(
        &bad_csv,
        "external_id,name_zh,kind,lon,lat\nS1,测试站,fire_station,100.8,122.0\n",
    )
    .unwrap();
    fails_with(
        &onemap(&["import", "--db", db, bad_csv.to_str().unwrap()]),
        "stations.csv, line 2, field lat",
    );
}

#[test]
fn closed_stdout_is_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    ok(&onemap(&[
        "demo",
        "load",
        "--db",
        db,
        "--pack",
        common::xsbn_pack().to_str().unwrap(),
    ]));
    // `onemap events | head -1`: the reader goes away early.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(["events", "--db", db])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn masters(db: &str) -> serde_json::Value {
    // Master data only, without sequence numbers and log times (a fresh import numbers and
    // stamps its events anew).
    let mut v: serde_json::Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", db]))).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| !k.ends_with("seq") && !k.ends_with("_utc"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    serde_json::json!({"units": v["units"], "stations": v["stations"], "warehouses": v["warehouses"], "shelters": v["shelters"]})
}

#[test]
fn export_round_trips_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    let db = db.to_str().unwrap();
    ok(&onemap(&[
        "demo",
        "load",
        "--db",
        db,
        "--pack",
        common::xsbn_pack().to_str().unwrap(),
    ]));
    let original = masters(db);
    for format in ["csv", "geojson"] {
        let out = dir.path().join(format);
        ok(&onemap(&[
            "export",
            "--db",
            db,
            "--out",
            out.to_str().unwrap(),
            "--format",
            format,
        ]));
        if format == "geojson" {
            let st: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(out.join("stations.geojson")).unwrap()).unwrap();
            assert_eq!(st["type"], "FeatureCollection");
            assert_eq!(st["features"][0]["geometry"]["type"], "Point");
            assert!(out.join("stock.csv").is_file(), "stock has no position: stays CSV");
        }
        let fresh = dir.path().join(format!("{format}.db"));
        let fresh = fresh.to_str().unwrap();
        ok(&onemap(&["db", "init", "--db", fresh]));
        ok(&onemap(&["import", "--db", fresh, out.to_str().unwrap()]));
        assert_eq!(
            masters(fresh),
            original,
            "{format} export → import gives the same master data"
        );
    }
    fails_with(
        &onemap(&[
            "export",
            "--db",
            db,
            "--out",
            dir.path().join("x").to_str().unwrap(),
            "--format",
            "xml",
        ]),
        "--format must be",
    );
}

/// `db training`: a new file with exactly the live master data (its `situation` lists the same
/// units, stations, warehouses and shelters) and no incident; the live log is unchanged; an
/// existing non-empty target is refused with nothing written.
#[test]
fn training_database_copies_master_data_only() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let live = live.to_str().unwrap();
    let pack = common::xsbn_pack();
    ok(&onemap(&[
        "demo",
        "load",
        "--db",
        live,
        "--pack",
        pack.to_str().unwrap(),
    ]));
    common::flood_at(live, pack.to_str().unwrap(), "景洪");
    let events_before = ok(&onemap(&["events", "--db", live]));
    let out = dir.path().join("train.db");
    let out = out.to_str().unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&ok(&onemap(&["db", "training", "--db", live, "--out", out, "--json"]))).unwrap();
    assert_eq!(report["incidents_left"], 1);
    assert_eq!(ok(&onemap(&["events", "--db", live])), events_before);
    let (a, b) = (masters(live), masters(out));
    assert_eq!(a, b, "same master data");
    let sit: serde_json::Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", out]))).unwrap();
    assert_eq!(sit["incidents"].as_object().unwrap().len(), 0);
    let again = onemap(&["db", "training", "--db", live, "--out", out]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("训练库文件已存在且非空"));
}
