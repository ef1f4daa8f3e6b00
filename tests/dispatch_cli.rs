//! `onemap recommend` and `onemap dispatch` as a user runs them: a real SQLite file, the real
//! Xishuangbanna pack (schematic roads, demo fleet) and its plans.toml.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{fails_with, ok, onemap};

use serde_json::Value;

use common::{DemoDb as Demo, demo_db as demo};

fn incident(d: &Demo, class: &str, t: &str, sev: &str, at: &str) -> String {
    ok(&onemap(&[
        "incident",
        "new",
        "--db",
        &d.db,
        "--class",
        class,
        "--type",
        t,
        "--severity",
        sev,
        "--at",
        at,
    ]))
    .trim()
    .to_string()
}

fn recommend(d: &Demo, id: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "recommend",
        "--db",
        &d.db,
        "--pack",
        &d.pack,
        "--incident",
        id,
        "--json",
    ];
    args.extend_from_slice(extra);
    serde_json::from_str(&ok(&onemap(&args))).unwrap()
}

fn situation(d: &Demo) -> Value {
    serde_json::from_str(&ok(&onemap(&["situation", "--db", &d.db]))).unwrap()
}

#[test]
fn recommend_then_dispatch_on_the_demo() {
    let d = demo();
    // Landslide grade II just north-east of Jinghong.
    let id = incident(&d, "natural", "landslide_debris_flow", "2", "100.80,22.02");
    let rec = recommend(&d, &id, &["--affected", "200"]);
    assert_eq!(rec["incident"].as_u64().unwrap().to_string(), id);
    assert_eq!(rec["schematic"], true);
    let reqs = rec["requirements"].as_array().unwrap();
    let need: Vec<(&str, u64)> = reqs
        .iter()
        .map(|r| (r["capability"].as_str().unwrap(), r["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        need,
        [
            ("geological_rescue", 1),
            ("engineering_crew", 2),
            ("medical_team", 1),
            ("ambulance", 1)
        ]
    );
    let mut callsigns = Vec::new();
    for r in reqs {
        let filled = r["filled"].as_array().unwrap();
        assert_eq!(
            filled.len() as u64 + r["shortfall"].as_u64().unwrap(),
            r["count"].as_u64().unwrap()
        );
        assert!(!filled.is_empty(), "{r}");
        for f in filled {
            assert_eq!(f["estimate"], true, "schematic network: every ETA is an estimate");
            assert!(f["eta_s"].as_f64().unwrap() > 0.0 && f["distance_m"].as_f64().unwrap() > 0.0);
            assert!(!f["targets"].as_array().unwrap().is_empty());
            callsigns.push(f["callsign"].as_str().unwrap().to_string());
        }
        assert!(!r["message_zh"].as_str().unwrap().is_empty() && !r["message_en"].as_str().unwrap().is_empty());
    }
    assert_eq!(reqs[0]["filled"][0]["callsign"], "演示-PF-04");
    assert_eq!(
        reqs[1]["filled"][0]["callsign"], "演示-QX-JH",
        "nearest engineering crew first"
    );
    // The second crew comes from another county: beyond the 30-minute linkage target, still
    // suggested, and said so.
    let second = &reqs[1]["filled"][1];
    assert_eq!(second["on_time"], false, "{second}");
    let linkage = second["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "engineering_linkage")
        .unwrap();
    assert_eq!(linkage["limit_s"], 1800.0);
    assert_eq!(linkage["met"], false);
    assert!(
        reqs[1]["message_en"]
            .as_str()
            .unwrap()
            .starts_with("only 1 engineering / road-repair crew within 30 min")
    );
    // Relief for 200 people: 50 tents, 200 quilts … from the nearest warehouses.
    let supplies = rec["supplies"].as_array().unwrap();
    let tent = supplies.iter().find(|s| s["item"] == "tent").unwrap();
    assert_eq!(tent["needed"], 50);
    assert_eq!(tent["unmet"], 0);
    assert_eq!(tent["from"][0]["estimate"], true);

    // Text output names the plan and the estimate.
    let text = ok(&onemap(&[
        "recommend",
        "--db",
        &d.db,
        "--pack",
        &d.pack,
        "--incident",
        &id,
    ]));
    assert!(text.contains("SCHEMATIC") && text.contains("演示-PF-04"), "{text}");

    // Dispatch every suggested unit (callsigns), reserving the tents.
    let units = callsigns.join(",");
    let wh = tent["from"][0]["external_id"].as_str().unwrap();
    let reserve = format!("{wh}:tent:{}", tent["from"][0]["quantity"]);
    let out = ok(&onemap(&[
        "dispatch",
        "--db",
        &d.db,
        "--incident",
        &id,
        "--units",
        &units,
        "--reserve",
        &reserve,
        "--json",
    ]));
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["verified"], true, "a reported incident is verified by dispatching");
    assert_eq!(out["units"].as_array().unwrap().len(), callsigns.len());
    let sit = situation(&d);
    assert_eq!(sit["incidents"][&id]["status"], "dispatched");
    for u in sit["units"].as_object().unwrap().values() {
        if callsigns.iter().any(|c| u["spec"]["callsign"] == c.as_str()) {
            assert_eq!(u["status"], "dispatched");
            assert_eq!(u["assignment"].as_u64().unwrap().to_string(), id);
        }
    }
    // Committed units are no longer suggested.
    let again = recommend(&d, &id, &[]);
    for r in again["requirements"].as_array().unwrap() {
        for f in r["filled"].as_array().unwrap() {
            assert!(!callsigns.contains(&f["callsign"].as_str().unwrap().to_string()), "{f}");
        }
    }

    // The same unit to a second incident: exit 2, naming the unit and its incident.
    let id2 = incident(&d, "accident", "building_fire", "3", "100.77,22.00");
    let first = &callsigns[0];
    let err = fails_with(
        &onemap(&["dispatch", "--db", &d.db, "--incident", &id2, "--units", first]),
        "--reassign",
    );
    assert!(
        err.contains(first.as_str()) && err.contains(&format!("incident#{id}")),
        "{err}"
    );
    // Stock never goes negative.
    let over = format!("{wh}:tent:100000");
    fails_with(
        &onemap(&["dispatch", "--db", &d.db, "--incident", &id2, "--reserve", &over]),
        "free",
    );
    // With --reassign the unit moves.
    ok(&onemap(&[
        "dispatch",
        "--db",
        &d.db,
        "--incident",
        &id2,
        "--units",
        first,
        "--reassign",
    ]));
    let sit = situation(&d);
    let u = sit["units"]
        .as_object()
        .unwrap()
        .values()
        .find(|u| u["spec"]["callsign"] == first.as_str())
        .unwrap();
    assert_eq!(u["assignment"].as_u64().unwrap().to_string(), id2);
}

#[test]
fn shortfall_and_cross_border_on_the_demo() {
    let d = demo();
    // Drowning at Mohan (on the border): the only water-rescue team is in Jinghong, > 1.5 h away.
    let id = incident(&d, "accident", "water_boat", "4", "101.68,21.19");
    let rec = recommend(&d, &id, &[]);
    let water = &rec["requirements"][0];
    assert_eq!(water["filled"][0]["callsign"], "演示-SJ-01");
    assert_eq!(water["filled"][0]["on_time"], false);
    let zh = water["message_zh"].as_str().unwrap();
    assert!(
        zh.starts_with("无 1.5 小时内可达的水上救援队；最近：演示-SJ-01 "),
        "{zh}"
    );
    assert!(
        water["message_en"]
            .as_str()
            .unwrap()
            .starts_with("no water-rescue team within 1.5 h; nearest: 演示-SJ-01 at ")
    );
    assert_eq!(rec["cross_border_considered"], true);
    assert_eq!(rec["urban"], false, "Mohan port is not a county seat");
    // Earthquake at Mohan: the Mohan cross-border team is proposed for search and rescue.
    let eq = incident(&d, "natural", "earthquake", "3", "101.68,21.19");
    let rec = recommend(&d, &eq, &[]);
    assert_eq!(rec["requirements"][0]["filled"][0]["callsign"], "演示-KJ-MOHAN");
    // Earthquake in Jinghong, far from the border: never the cross-border team.
    let far = incident(&d, "natural", "earthquake", "3", "100.78,22.01");
    let rec = recommend(&d, &far, &[]);
    assert_eq!(rec["cross_border_considered"], false);
    for r in rec["requirements"].as_array().unwrap() {
        for f in r["filled"].as_array().unwrap() {
            assert_ne!(f["callsign"], "演示-KJ-MOHAN");
        }
    }
}

#[test]
fn plans_errors_are_one_clear_line() {
    let d = demo();
    let id = incident(&d, "accident", "building_fire", "3", "100.77,22.00");
    let pack = common::copy_pack(&common::xsbn_pack());
    let p = pack.path().to_str().unwrap();
    common::edit(pack.path(), "plans.toml", |t| {
        t.replacen("unit_type = \"fire_engine\"", "unit_type = \"fire_engin\"", 1)
    });
    let text = std::fs::read_to_string(pack.path().join("plans.toml")).unwrap();
    let line = text.lines().position(|l| l.contains("fire_engin\"")).unwrap() + 1;
    fails_with(
        &onemap(&["recommend", "--db", &d.db, "--pack", p, "--incident", &id]),
        &format!("plans.toml:{line}: unknown unit type \"fire_engin\""),
    );
    std::fs::remove_file(pack.path().join("plans.toml")).unwrap();
    fails_with(
        &onemap(&["recommend", "--db", &d.db, "--pack", p, "--incident", &id]),
        "no response plans",
    );
    fails_with(
        &onemap(&["recommend", "--db", &d.db, "--pack", &d.pack, "--incident", "99"]),
        "unknown incident#99",
    );
    fails_with(
        &onemap(&["dispatch", "--db", &d.db, "--incident", &id, "--units", "no-such-unit"]),
        "no unit \"no-such-unit\"",
    );
}
