//! `onemap coverage`, `onemap siting` and `onemap supplies` as a user runs them: a real SQLite
//! file with the demo scenario, the real Xishuangbanna pack (schematic roads) and its plans.toml.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{fails_with, ok, onemap};

use serde_json::Value;

use common::{DemoDb as Demo, demo_db as demo};

fn json(d: &Demo, args: &[&str]) -> Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--db", &d.db, "--pack", &d.pack, "--json"]);
    serde_json::from_str(&ok(&onemap(&all))).unwrap()
}

fn share(rep: &Value, t: &str) -> f64 {
    rep["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["type"] == t)
        .unwrap()["covered_share"]
        .as_f64()
        .unwrap()
}

#[test]
fn coverage_of_the_demo_per_type() {
    let d = demo();
    let rep = json(&d, &["coverage"]);
    assert_eq!(rep["schematic"], true);
    assert_eq!(rep["estimate"], true, "schematic network: every figure is an estimate");
    assert_eq!(rep["weighting"], "area", "the pack has no population grid");
    assert_eq!(rep["places_weighting"], "count", "only one place has a population");
    // 7 places + Mohan port + the 42 township seats (14 of them approximate, at their county seat).
    assert_eq!(rep["places"], 50);
    let cells = rep["grid_points"].as_u64().unwrap();
    // 2 km cells over the three counties (≈ 19 064 km²).
    assert!((4_500..5_100).contains(&cells), "{cells}");
    let types: Vec<&str> = rep["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["type"].as_str().unwrap())
        .collect();
    for t in ["ambulance", "fire_rescue", "forest_fire", "water_rescue", "engineering"] {
        assert!(types.contains(&t), "{t} in {types:?}");
    }
    for t in rep["types"].as_array().unwrap() {
        let s = t["covered_share"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s), "{t}");
        let places = t["places"].as_array().unwrap();
        assert_eq!(places.len(), 50);
        let uncovered = t["uncovered_places"].as_array().unwrap();
        assert_eq!(
            uncovered.len(),
            places.iter().filter(|p| p["covered"] == false).count(),
            "{}",
            t["type"]
        );
        for p in places {
            assert_eq!(p["estimate"], true);
            assert!(p["unit"]["callsign"].is_string(), "{p}");
            assert!(p["eta_s"].as_f64().unwrap() >= 0.0 && p["dist_m"].as_f64().unwrap() >= 0.0);
            assert_eq!(p["uncovered"].is_null(), p["covered"] == true);
        }
        let county_km2: f64 = t["by_county"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["total_km2"].as_f64().unwrap())
            .sum();
        assert!((county_km2 - t["total_km2"].as_f64().unwrap()).abs() < 1.0);
    }
    let amb = rep["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "ambulance")
        .unwrap();
    assert_eq!(
        amb["metric"], "distance",
        "the ambulance radius is measured along roads"
    );
    assert_eq!(amb["thresholds"][0]["name"], "ambulance_radius");
    assert_eq!(amb["thresholds"][0]["urban_m"], 5000.0);
    assert_eq!(amb["thresholds"][0]["rural_m"], 20000.0);
    // Jinghong's seat has ambulances in town: covered within the urban 5 km.
    let jh = amb["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "景洪市人民政府驻地")
        .unwrap();
    assert_eq!(jh["covered"], true, "{jh}");
    assert_eq!(jh["urban"], true);
    assert!(jh["dist_m"].as_f64().unwrap() <= 5000.0);
    let fire = rep["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "fire_rescue")
        .unwrap();
    assert_eq!(fire["metric"], "time");
    assert_eq!(fire["thresholds"][0]["name"], "road_rescue_on_scene");
    assert_eq!(fire["thresholds"][0]["limit_s"], 5400.0);
    let eng = rep["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "engineering")
        .unwrap();
    assert_eq!(eng["thresholds"][0]["limit_s"], 1800.0, "engineering linkage ≤ 30 min");

    // One type only, with the grid for an overlay.
    let one = json(&d, &["coverage", "--type", "ambulance", "--grid"]);
    assert_eq!(one["types"].as_array().unwrap().len(), 1);
    assert_eq!(one["types"][0]["grid"].as_array().unwrap().len() as u64, cells);
    assert_eq!(share(&one, "ambulance"), share(&rep, "ambulance"));
}

#[test]
fn dispatching_units_lowers_coverage_and_what_if_agrees() {
    let d = demo();
    let before = json(&d, &["coverage", "--type", "water_rescue,ambulance"]);
    let wr = before["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "water_rescue")
        .unwrap();
    assert_eq!(wr["units_available"], 1);
    assert!(share(&before, "water_rescue") > 0.0);
    // What if the only water-rescue team goes?
    let w = json(&d, &["coverage", "--what-if", "演示-SJ-01"]);
    assert_eq!(w["type"], "water_rescue");
    assert!((w["before_share"].as_f64().unwrap() - share(&before, "water_rescue")).abs() < 1e-4);
    assert_eq!(w["after_share"], 0.0);
    assert!(w["best"].is_null(), "no other team to move up");
    assert!(w["message_en"].as_str().unwrap().contains("falls from"));
    // Dispatch it for real: coverage recomputed from the log drops to zero.
    let id = ok(&onemap(&[
        "incident",
        "new",
        "--db",
        &d.db,
        "--class",
        "natural",
        "--type",
        "flood",
        "--severity",
        "3",
        "--at",
        "100.80,22.02",
    ]))
    .trim()
    .to_string();
    ok(&onemap(&[
        "dispatch",
        "--db",
        &d.db,
        "--incident",
        &id,
        "--units",
        "演示-SJ-01",
    ]));
    let after = json(&d, &["coverage", "--type", "water_rescue"]);
    assert_eq!(share(&after, "water_rescue"), 0.0);
    let p = &after["types"][0]["places"][0];
    assert_eq!(p["covered"], false);
    assert_eq!(p["uncovered"]["reason"], "no_unit");
    // An ambulance in Mengla: another of the three there keeps the county covered.
    let m = json(&d, &["coverage", "--what-if", "演示-120-ML-0"]);
    assert_eq!(m["type"], "ambulance");
    assert!(m["after_share"].as_f64().unwrap() <= m["before_share"].as_f64().unwrap());
    if let Some(b) = m["best"].as_object() {
        assert!(b["share"].as_f64().unwrap() > m["after_share"].as_f64().unwrap());
    }
}

#[test]
fn siting_new_fire_stations() {
    let d = demo();
    let r = json(&d, &["siting", "--type", "fire", "--k", "4"]);
    assert_eq!(r["type"], "fire_rescue");
    let chosen = r["chosen"].as_array().unwrap();
    assert_eq!(chosen.len(), 4);
    let before = r["share_before"].as_f64().unwrap();
    let after = r["share_after"].as_f64().unwrap();
    assert!(after > before, "{before} → {after}");
    let gains: Vec<f64> = chosen.iter().map(|c| c["gain_km2"].as_f64().unwrap()).collect();
    assert!(gains.windows(2).all(|w| w[0] >= w[1]), "{gains:?}");
    assert_eq!(r["estimate"], true);
    let cov = json(&d, &["coverage", "--type", "fire_rescue"]);
    assert!((share(&cov, "fire_rescue") - before).abs() < 1e-4);

    // From a candidates file: only those sites.
    let path = d.dir.path().join("cand.csv");
    std::fs::write(
        &path,
        "name,lon,lat\n# two sites along the Jinghong–Mengla corridor, one far off it\nA,101.16325,21.73791\nB,101.44999,21.37818\n勐旺,101.38333,22.45\n",
    )
    .unwrap();
    let r = json(
        &d,
        &[
            "siting",
            "--type",
            "fire_rescue",
            "--k",
            "2",
            "--candidates",
            path.to_str().unwrap(),
        ],
    );
    let names: Vec<&str> = r["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // On the schematic network a site off the roads still covers its surroundings (the direct
    // leg under the off-road rule): Mengwang, far from every existing fire station, gains most;
    // then the corridor site that adds most. Never a site twice.
    assert_eq!(names, ["勐旺", "A"]);
    assert_eq!(r["candidates"], 3);
}

#[test]
fn nearest_supplies_by_road() {
    let d = demo();
    let a = json(&d, &["supplies", "--at", "100.80,22.02", "--item", "tent", "--n", "2"]);
    assert_eq!(a["item"], "tent");
    let near = a["nearest"].as_array().unwrap();
    assert_eq!(near.len(), 2);
    assert!(near[0]["eta_s"].as_f64().unwrap() <= near[1]["eta_s"].as_f64().unwrap());
    assert_eq!(
        a["nearest_free"].as_u64().unwrap(),
        near.iter().map(|s| s["free"].as_u64().unwrap()).sum::<u64>()
    );
    // Totals by county add up to the demo's stock of tents.
    let stock = std::fs::read_to_string(common::xsbn_pack().join("demo/stock.csv")).unwrap();
    let total: u64 = stock
        .lines()
        .filter(|l| l.split(',').nth(1) == Some("tent"))
        .map(|l| l.split(',').nth(5).unwrap().parse::<u64>().unwrap())
        .sum();
    let by_county: u64 = a["by_county"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["quantity"].as_u64().unwrap())
        .sum();
    assert_eq!(by_county, total);
    // By Chinese name too.
    let b = json(&d, &["supplies", "--at", "100.80,22.02", "--item", "救生衣"]);
    assert_eq!(b["item"], "life_jacket");
    assert!(b["nearest"].as_array().unwrap().len() <= 3);
}

/// The text output reads Chinese first, English second, names every warehouse by its display
/// name (as the JSON's warehouse ids resolve in the demo's warehouses.csv) and never by its
/// external id, and gives the same figures as the JSON.
#[test]
fn supplies_text_is_chinese_first_with_warehouse_names() {
    let d = demo();
    let a = json(&d, &["supplies", "--at", "100.80,22.02", "--item", "tent", "--n", "2"]);
    let text = ok(&onemap(&[
        "supplies",
        "--at",
        "100.80,22.02",
        "--item",
        "tent",
        "--n",
        "2",
        "--db",
        &d.db,
        "--pack",
        &d.pack,
    ]));
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("帐篷 / "), "{first}");
    assert!(
        first.contains("按道路最近 2 处") && first.contains("nearest 2 by road"),
        "{first}"
    );
    let wh = std::fs::read_to_string(common::xsbn_pack().join("demo/warehouses.csv")).unwrap();
    let header: Vec<&str> = wh.lines().next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    for s in a["nearest"].as_array().unwrap() {
        let ext = s["external_id"].as_str().unwrap();
        let row: Vec<&str> = wh
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|r| r[col("external_id")] == ext)
            .unwrap();
        let name = format!("{} / {}", row[col("name_zh")], row[col("name_en")]);
        assert!(text.contains(&name), "{name} missing in:\n{text}");
        assert!(!text.contains(ext), "external id {ext} shown:\n{text}");
        let figures = format!("可用 {} / 库存 {}", s["free"], s["quantity"]);
        let figures_en = format!("{} free of {}", s["free"], s["quantity"]);
        assert!(text.contains(&figures) && text.contains(&figures_en), "{text}");
    }
    assert!(text.contains("按县合计 / by county:"), "{text}");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let d = demo();
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&["--db", &d.db, "--pack", &d.pack]);
        onemap(&all)
    };
    fails_with(
        &run(&["coverage", "--type", "firee"]),
        "one of: ambulance, fire_rescue, forest_fire",
    );
    fails_with(
        &run(&["siting", "--type", "ambulanc", "--k", "2"]),
        "unknown force type \"ambulanc\"",
    );
    fails_with(
        &run(&["siting", "--type", "fire", "--k", "0"]),
        "--k must be between 1 and 50",
    );
    let path = d.dir.path().join("bad.csv");
    std::fs::write(&path, "name,lon,lat\nA,100.5,22.1\nB;100.6;22.0\n").unwrap();
    fails_with(
        &run(&["siting", "--type", "fire", "--candidates", path.to_str().unwrap()]),
        "bad.csv:3: expected NAME,LON,LAT or LON,LAT",
    );
    fails_with(
        &run(&["supplies", "--at", "100.8,22.0", "--item", "unicorn"]),
        "known items:",
    );
    fails_with(&run(&["supplies", "--at", "100.8", "--item", "tent"]), "--at");
    fails_with(
        &run(&["coverage", "--what-if", "no-such-unit"]),
        "no unit \"no-such-unit\"",
    );
}

/// On the schematic network two places off the lines but close together are close: the
/// prefecture seat is covered by the ambulance stationed there, at the direct leg (straight
/// line × the pack's detour), not via the nearest schematic node and back.
#[test]
fn nearby_places_off_the_schematic_lines_are_close() {
    let d = demo();
    let cov = json(&d, &["coverage", "--type", "ambulance"]);
    let t = &cov["types"][0];
    let seat = t["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["name"]
                .as_str()
                .unwrap()
                .starts_with("西双版纳傣族自治州人民政府驻地")
        })
        .unwrap();
    assert_eq!(seat["covered"], true, "{seat}");
    let sit: Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", &d.db]))).unwrap();
    let unit = &sit["units"][seat["unit"]["id"].to_string()];
    let ll = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
    let want = onemap::geom::haversine_m(ll(&unit["lonlat"]), ll(&seat["lonlat"])) * 1.4;
    let got = seat["dist_m"].as_f64().unwrap();
    assert!((got - want).abs() < 0.2, "{got} vs {want}");
}
