//! The incident lifecycle on the command line (`incident new|note|cancel|relocate|close`) and
//! `recommend` after a partial dispatch, run as a user runs them on a real SQLite file.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{demo_db, fails_with, ok, onemap};
use serde_json::Value;

fn situation(db: &str) -> Value {
    serde_json::from_str(&ok(&onemap(&["situation", "--db", db]))).unwrap()
}

fn event_count(db: &str) -> usize {
    ok(&onemap(&["events", "--db", db])).lines().count()
}

/// `incident new` of a grade-III building fire at `at`, extra args appended.
fn new_incident(db: &str, at: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "incident",
        "new",
        "--db",
        db,
        "--class",
        "accident",
        "--type",
        "building_fire",
        "--severity",
        "3",
        "--at",
        at,
    ];
    args.extend_from_slice(extra);
    onemap(&args)
}

fn new_id(db: &str, at: &str) -> String {
    ok(&new_incident(db, at, &[])).trim().to_string()
}

/// The position of a named place, read straight from the pack's GeoJSON (not through the index).
fn place_from_geojson(name_zh: &str) -> [f64; 2] {
    let text = std::fs::read_to_string(common::xsbn_pack().join("places.geojson")).unwrap();
    let g: Value = serde_json::from_str(&text).unwrap();
    let f = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name_zh"] == name_zh)
        .unwrap();
    let c = &f["geometry"]["coordinates"];
    [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]
}

fn lonlat_of(sit: &Value, id: &str) -> [f64; 2] {
    let l = &sit["incidents"][id]["lonlat"];
    [l[0].as_f64().unwrap(), l[1].as_f64().unwrap()]
}

#[test]
fn new_takes_a_place_name_and_refuses_far_away_points_unless_allowed() {
    let d = demo_db();
    let db = d.db.as_str();
    let id = new_id(db, "勐腊县人民政府驻地");
    let sit = situation(db);
    assert_eq!(lonlat_of(&sit, &id), place_from_geojson("勐腊县人民政府驻地（勐腊镇）"));
    // The seat's map label, as the console's search shows it.
    assert_eq!(sit["incidents"][&id]["address"], "勐腊县 Mengla");
    // Pinyin works as in the console's search box.
    let id2 = new_id(db, "menghaixianrenminzhengfuzhudi");
    assert_eq!(
        lonlat_of(&situation(db), &id2),
        place_from_geojson("勐海县人民政府驻地（勐海镇）")
    );

    // Beijing: refused with the distance, nothing written.
    let before = event_count(db);
    let line = fails_with(&new_incident(db, "116.40,39.90", &[]), "--allow-outside");
    assert!(
        line.contains("在本州范围以外约") && line.contains("outside the prefecture"),
        "{line}"
    );
    fails_with(&new_incident(db, "不存在的地方", &[]), "找不到地名");
    assert_eq!(event_count(db), before);
    // 20 km beyond the pack's eastern edge is inside the margin; 60 km is not.
    let bbox_east = 101.95;
    let km_per_deg = 111.195 * 22.0f64.to_radians().cos();
    let near = format!("{},22.0", bbox_east + 20.0 / km_per_deg);
    let far = format!("{},22.0", bbox_east + 60.0 / km_per_deg);
    ok(&new_incident(db, &near, &[]));
    fails_with(&new_incident(db, &far, &[]), "--allow-outside");
    // Confirmed: recorded where it was said to be.
    let id3 = ok(&new_incident(db, "116.40,39.90", &["--allow-outside"]))
        .trim()
        .to_string();
    assert_eq!(lonlat_of(&situation(db), &id3), [116.40, 39.90]);
}

#[test]
fn note_cancel_as_duplicate_relocate_and_close_are_events() {
    let d = demo_db();
    let db = d.db.as_str();
    let a = new_id(db, "100.8,22.0");
    let b = new_id(db, "100.801,22.001");
    let start = event_count(db);

    ok(&onemap(&["incident", "note", "--db", db, &a, "二楼仍有人员被困"]));
    let sit = situation(db);
    let notes = sit["incidents"][&a]["notes"].as_array().unwrap();
    assert_eq!(notes.last().unwrap()["text"], "二楼仍有人员被困");
    assert_eq!(notes.last().unwrap()["operator"], "tester");

    // Duplicate of an unknown incident, of itself, or without a reason: refused, nothing written.
    let cancel = |id: &str, extra: &[&str]| {
        let mut args = vec!["incident", "cancel", "--db", db, id];
        args.extend_from_slice(extra);
        onemap(&args)
    };
    fails_with(&cancel(&b, &["--reason", "重复报警", "--duplicate-of", "99"]), "#99");
    fails_with(
        &cancel(&b, &["--reason", "重复报警", "--duplicate-of", &b]),
        "duplicate of itself",
    );
    fails_with(&cancel(&b, &["--reason", " "]), "--reason");
    fails_with(&cancel("77", &["--reason", "误报"]), "没有事件 #77");
    assert_eq!(event_count(db), start + 1);

    let out = ok(&cancel(&b, &["--reason", "重复报警", "--duplicate-of", &a, "--json"]));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["incident"].as_u64().unwrap().to_string(), b);
    let sit = situation(db);
    assert_eq!(sit["incidents"][&b]["status"], "cancelled");
    assert_eq!(sit["incidents"][&b]["cancel_reason"], "重复报警");
    assert_eq!(sit["incidents"][&b]["duplicate_of"].as_u64().unwrap().to_string(), a);
    assert_eq!(sit["incidents"][&a]["duplicates"][0].as_u64().unwrap().to_string(), b);
    // Cancelled is final.
    fails_with(&cancel(&b, &["--reason", "再次撤销"]), "refused, nothing written");

    // Relocate by coordinates, then by place name; outside is refused.
    let relocate = |id: &str, at: &str| onemap(&["incident", "relocate", "--db", db, id, "--at", at]);
    ok(&relocate(&a, "100.79,22.01"));
    assert_eq!(lonlat_of(&situation(db), &a), [100.79, 22.01]);
    ok(&relocate(&a, "勐海县人民政府驻地"));
    let sit = situation(db);
    assert_eq!(lonlat_of(&sit, &a), place_from_geojson("勐海县人民政府驻地（勐海镇）"));
    assert_eq!(sit["incidents"][&a]["relocations"], 2);
    assert_eq!(sit["incidents"][&a]["address"], "勐海县 Menghai");
    let before = event_count(db);
    fails_with(&relocate(&a, "116.40,39.90"), "--allow-outside");
    fails_with(&relocate(&b, "100.8,22.0"), "cannot be relocated");
    assert_eq!(event_count(db), before);

    // Close: refused while nobody is on scene; after a unit arrives, closed via under control.
    fails_with(&onemap(&["incident", "close", "--db", db, &a]), "incident cancel");
    let unit = first_available_unit(&sit);
    ok(&onemap(&["dispatch", "--db", db, "--incident", &a, "--units", &unit]));
    fails_with(&onemap(&["incident", "close", "--db", db, &a]), "nobody is on scene");
    ok(&onemap(&["unit", "status", "--db", db, &unit, "en_route"]));
    ok(&onemap(&["unit", "status", "--db", db, &unit, "on_scene"]));
    let before = event_count(db);
    ok(&onemap(&["incident", "close", "--db", db, &a]));
    let events = ok(&onemap(&["events", "--db", db, "--since", &before.to_string()]));
    let kinds: Vec<Value> = events.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let to: Vec<&str> = kinds.iter().map(|e| e["kind"]["to"].as_str().unwrap()).collect();
    assert_eq!(to, ["on_scene", "under_control", "closed"]);
    let sit = situation(db);
    assert_eq!(sit["incidents"][&a]["status"], "closed");
    assert_eq!(sit["units"][&unit]["status"], "returning", "closing released the unit");
    fails_with(&onemap(&["incident", "close", "--db", db, &a]), "already closed");
}

fn first_available_unit(sit: &Value) -> String {
    sit["units"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, u)| u["status"] == "available")
        .map(|(id, _)| id.clone())
        .unwrap()
}

/// Unit ids suggested per requirement, and the ones listed as already assigned.
fn lines(rec: &Value) -> Vec<(Vec<u64>, Vec<u64>)> {
    rec["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let ids = |k: &str| {
                r[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|u| u["unit"].as_u64().unwrap())
                    .collect()
            };
            (ids("filled"), ids("assigned"))
        })
        .collect()
}

#[test]
fn recommend_after_a_partial_dispatch_proposes_only_the_rest() {
    let d = demo_db();
    let db = d.db.as_str();
    let id = new_id(db, "景洪市人民政府驻地");
    let rec = |db: &str| -> Value {
        serde_json::from_str(&ok(&onemap(&[
            "recommend",
            "--db",
            db,
            "--pack",
            &d.pack,
            "--incident",
            &id,
            "--json",
        ])))
        .unwrap()
    };
    let first = rec(db);
    let before = lines(&first);
    let (line, (filled, _)) = before
        .iter()
        .enumerate()
        .find(|(_, (f, _))| !f.is_empty())
        .map(|(i, x)| (i, x.clone()))
        .unwrap();
    let chosen = filled[0];
    ok(&onemap(&[
        "dispatch",
        "--db",
        db,
        "--incident",
        &id,
        "--units",
        &chosen.to_string(),
    ]));
    let after = lines(&rec(db));
    assert_eq!(after[line].1, vec![chosen], "the dispatched unit is listed as assigned");
    assert!(!after.iter().any(|(f, _)| f.contains(&chosen)), "proposed twice");
    assert_eq!(
        after[line].0,
        filled[1..].to_vec(),
        "the rest of the same line, unchanged"
    );
    for (i, (f, a)) in after.iter().enumerate() {
        if i != line {
            assert!(a.is_empty());
            assert_eq!(f, &before[i].0, "other lines unchanged");
        }
    }
    // The text form says so too.
    let text = ok(&onemap(&[
        "recommend",
        "--db",
        db,
        "--pack",
        &d.pack,
        "--incident",
        &id,
    ]));
    assert!(text.contains("已派 assigned"), "{text}");
}
