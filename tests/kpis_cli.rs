//! `onemap kpis --json` on the demo database with a scripted hour of operations (real SQLite
//! file, real road graph): every figure is checked against an independent computation from
//! `onemap situation`, plans.toml read as plain TOML, `onemap route` and `onemap coverage`.
//! Also `incident sensitive` and the readable table.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::collections::BTreeMap;

use common::kpis::{MIN, kpis_at, script, situation};
use common::{demo_db, fails_with, ok, onemap};
use onemap::model::IncidentType;
use onemap::time::{format_utc_ms, parse_utc_ms};
use serde_json::Value;

fn limit_s(t: &toml::Value) -> Option<f64> {
    t.get("limit_h")
        .and_then(toml::Value::as_float)
        .map(|h| h * 3600.0)
        .or_else(|| {
            t.get("limit_min")
                .and_then(toml::Value::as_integer)
                .map(|m| m as f64 * 60.0)
        })
        .or_else(|| {
            t.get("limit_h")
                .and_then(toml::Value::as_integer)
                .map(|h| h as f64 * 3600.0)
        })
}

fn grade_in(range: &str, grade: &str) -> bool {
    let order = ["I", "II", "III", "IV"];
    let idx = |g: &str| order.iter().position(|o| *o == g);
    if range == "*" {
        return true;
    }
    match range.split_once('-') {
        Some((a, b)) => match (idx(a), idx(b), idx(grade)) {
            (Some(a), Some(b), Some(g)) => a <= g && g <= b,
            _ => false,
        },
        None => range == grade,
    }
}

/// The plan of plans.toml for a type and grade, as raw TOML (type-specific first, then default).
fn plan_for<'a>(plans: &'a toml::Value, ty: &str, grade: &str) -> Option<&'a toml::Value> {
    let list = plans["plan"].as_array().unwrap();
    let grades = |p: &toml::Value| p.get("grade").and_then(toml::Value::as_str).unwrap_or("*").to_string();
    list.iter()
        .find(|p| p.get("type").and_then(toml::Value::as_str) == Some(ty) && grade_in(&grades(p), grade))
        .or_else(|| {
            list.iter()
                .find(|p| p.get("type").is_none() && grade_in(&grades(p), grade))
        })
}

fn state(elapsed: f64, limit: f64, done: bool) -> &'static str {
    if elapsed > limit {
        "red"
    } else if !done && elapsed >= 0.75 * limit {
        "amber"
    } else {
        "ok"
    }
}

fn ms(v: &Value) -> Option<i64> {
    v.as_str().and_then(parse_utc_ms)
}

#[test]
fn every_figure_matches_an_independent_computation() {
    let d = demo_db();
    let base_ms = (parse_utc_ms(&onemap::time::now_utc_iso()).unwrap() / 1000 + 60) * 1000;
    let (w, e, a) = script(&d, base_ms);
    // The CLI's own sensitive flag (logged now, before `at`).
    ok(&onemap(&["incident", "sensitive", "2", "on", "--db", &d.db]));
    fails_with(
        &onemap(&["incident", "sensitive", "2", "on", "--db", &d.db]),
        "already marked sensitive",
    );
    fails_with(
        &onemap(&["incident", "sensitive", "9", "on", "--db", &d.db]),
        "no incident #9",
    );
    let at_ms = base_ms + 80 * MIN;
    let at = format_utc_ms(at_ms);
    let k: Value = kpis_at(&d, at_ms);
    let sit = situation(&d.db);
    assert_eq!(k["at_utc"], at);
    assert_eq!(k["last_seq"], sit["last_seq"]);
    assert_eq!(k["drill_id"], Value::Null);

    // Incidents by class × grade (active = neither closed nor cancelled).
    let active: Vec<&Value> = sit["incidents"]
        .as_object()
        .unwrap()
        .values()
        .filter(|i| !matches!(i["status"].as_str(), Some("closed" | "cancelled")))
        .collect();
    assert_eq!(active.len(), 3);
    assert_eq!(k["active_incidents"], 3);
    let grades = ["I", "II", "III", "IV"];
    for row in k["by_class_grade"].as_array().unwrap() {
        for (gi, g) in grades.iter().enumerate() {
            let n = active
                .iter()
                .filter(|i| {
                    let t = IncidentType::from_code(i["incident_type"].as_str().unwrap()).unwrap();
                    t.class().code() == row["class"] && i["severity"] == *g
                })
                .count();
            assert_eq!(row["by_grade"][gi], n, "{} {g}", row["class"]);
        }
    }
    assert_eq!(k["grade_totals"], serde_json::json!([0, 1, 2, 0]));

    // Units by status.
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    for u in sit["units"].as_object().unwrap().values() {
        *by_status.entry(u["status"].as_str().unwrap().into()).or_default() += 1;
    }
    for s in k["units_by_status"].as_array().unwrap() {
        let want = by_status.get(s["status"].as_str().unwrap()).copied().unwrap_or(0);
        assert_eq!(s["count"], want, "{}", s["status"]);
    }
    assert_eq!(
        k["units_by_status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["count"].as_u64().unwrap())
            .sum::<u64>(),
        sit["units"].as_object().unwrap().len() as u64
    );

    // Timers from plans.toml as plain TOML.
    let plans: toml::Value =
        toml::from_str(&std::fs::read_to_string(format!("{}/plans.toml", d.pack)).unwrap()).unwrap();
    let targets = plans["target"].as_array().unwrap();
    let incidents = k["incidents"].as_array().unwrap();
    assert_eq!(
        incidents
            .iter()
            .map(|i| i["incident"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        vec![1, 2, 3],
        "grade II first, then III by number"
    );
    for ki in incidents {
        let id = ki["incident"].as_u64().unwrap().to_string();
        let inc = &sit["incidents"][&id];
        assert_eq!(ki["sensitive"], id == "2");
        let rep = ms(&inc["reported_at_utc"]).unwrap();
        let plan = plan_for(
            &plans,
            inc["incident_type"].as_str().unwrap(),
            inc["severity"].as_str().unwrap(),
        );
        let committed: Vec<&Value> = sit["units"]
            .as_object()
            .unwrap()
            .values()
            .filter(|u| u["assignment"].as_u64().map(|x| x.to_string()) == Some(id.clone()))
            .collect();
        let mut want = Vec::new();
        for t in targets {
            let Some(limit) = limit_s(t) else { continue };
            let stop: Option<Option<i64>> = if t.get("all_units").is_some() {
                Some(ms(&inc["first_arrival_utc"]))
            } else if t.get("supplies").is_some() {
                plan.filter(|p| p.get("relief_per_person").is_some()).map(|_| None)
            } else {
                let types: Vec<&str> = t["unit_types"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                let planned = plan.is_some_and(|p| {
                    p["require"].as_array().unwrap().iter().any(|r| {
                        r.get("unit_type")
                            .and_then(toml::Value::as_str)
                            .is_some_and(|u| types.contains(&u))
                    })
                });
                let matching: Vec<&&Value> = committed
                    .iter()
                    .filter(|u| types.contains(&u["spec"]["unit_type"].as_str().unwrap()))
                    .collect();
                (planned || !matching.is_empty()).then(|| {
                    matching
                        .iter()
                        .filter(|u| u["status"] == "on_scene")
                        .filter_map(|u| ms(&u["status_since_utc"]))
                        .min()
                })
            };
            let Some(stop) = stop else { continue };
            let elapsed = ((stop.unwrap_or(at_ms) - rep) as f64 / 1000.0 * 10.0).round() / 10.0;
            want.push((
                t["name"].as_str().unwrap().to_string(),
                limit,
                elapsed,
                stop.is_some(),
                state(elapsed, limit, stop.is_some()),
            ));
        }
        let got: Vec<(String, f64, f64, bool, &str)> = ki["timers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["target"].as_str().unwrap().to_string(),
                    t["limit_s"].as_f64().unwrap(),
                    t["elapsed_s"].as_f64().unwrap(),
                    t["done"].as_bool().unwrap(),
                    t["state"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, want, "incident {id}");
    }
    // The script's story, spelled out: #1 reached in 25 min (ok), its engineering crew still on
    // the way after 80 min (red, limit 30 min); #2 and #3 unreached after 75 / 70 min (amber).
    let timer = |i: usize, name: &str| {
        incidents[i]["timers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["target"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(timer(0, "road_rescue_on_scene")["elapsed_s"], 1500.0);
    assert_eq!(timer(0, "road_rescue_on_scene")["state"], "ok");
    assert_eq!(timer(0, "engineering_linkage")["state"], "red");
    assert_eq!(timer(1, "road_rescue_on_scene")["state"], "amber");
    assert_eq!(timer(2, "road_rescue_on_scene")["state"], "amber");
    assert_eq!(incidents[0]["state"], "red");

    // Overdue units: route ETA by `onemap route` from the unit's position to its incident.
    let mut want_overdue = Vec::new();
    for u in [w, e, a] {
        let unit = &sit["units"][u.to_string()];
        if !matches!(unit["status"].as_str(), Some("dispatched" | "en_route")) {
            continue;
        }
        let inc = &sit["incidents"][unit["assignment"].as_u64().unwrap().to_string()];
        let p = |v: &Value| format!("{},{}", v[0], v[1]);
        let r: Value = serde_json::from_str(&ok(&onemap(&[
            "route",
            "--pack",
            &d.pack,
            "--from",
            &p(&unit["lonlat"]),
            "--to",
            &p(&inc["lonlat"]),
            "--json",
        ])))
        .unwrap();
        let eta = r["duration_s"].as_f64().unwrap();
        let elapsed = (at_ms - ms(&unit["status_since_utc"]).unwrap()) as f64 / 1000.0;
        if elapsed > eta {
            want_overdue.push((u, ((elapsed - eta) * 10.0).round() / 10.0));
        }
    }
    want_overdue.sort_by(|x, y| y.1.total_cmp(&x.1));
    let got_overdue: Vec<(u32, f64)> = k["overdue_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["unit"].as_u64().unwrap() as u32, o["overdue_s"].as_f64().unwrap()))
        .collect();
    assert_eq!(got_overdue.len(), want_overdue.len());
    for (g, w) in got_overdue.iter().zip(&want_overdue) {
        assert_eq!(g.0, w.0);
        assert!((g.1 - w.1).abs() <= 0.2, "{g:?} vs {w:?}");
    }
    assert!(
        !want_overdue.is_empty(),
        "the ambulance sent at minute 6 is overdue at minute 80"
    );

    // Coverage: the same shares as `onemap coverage`.
    let cov: Value =
        serde_json::from_str(&ok(&onemap(&["coverage", "--db", &d.db, "--pack", &d.pack, "--json"]))).unwrap();
    let want_cov: Vec<(String, f64)> = cov["types"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["type"].as_str().unwrap().to_string(),
                t["covered_share"].as_f64().unwrap(),
            )
        })
        .collect();
    let got_cov: Vec<(String, f64)> = k["coverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["force"].as_str().unwrap().to_string(),
                t["covered_share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_cov, want_cov);
    for c in k["coverage"].as_array().unwrap() {
        let s = c["covered_share"].as_f64().unwrap();
        let want = if s >= 0.9 {
            "ok"
        } else if s >= 0.7 {
            "amber"
        } else {
            "red"
        };
        assert_eq!(c["state"], want);
    }

    // Shelters.
    let shelters: Vec<&Value> = sit["shelters"].as_object().unwrap().values().collect();
    let occ: u64 = shelters.iter().map(|s| s["occupancy"].as_u64().unwrap()).sum();
    let cap: u64 = shelters
        .iter()
        .filter(|s| s["spec"]["open"] == true)
        .map(|s| s["spec"]["capacity"].as_u64().unwrap())
        .sum();
    assert_eq!(occ, 1550);
    assert_eq!(k["shelters"]["occupancy"], occ);
    assert_eq!(k["shelters"]["capacity_open"], cap);
    assert_eq!(
        k["shelters"]["share"],
        ((occ as f64 / cap as f64) * 10_000.0).round() / 10_000.0
    );
    let full: Vec<u64> = k["shelters"]["nearly_full"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shelter"].as_u64().unwrap())
        .collect();
    assert_eq!(full, vec![1], "1450 of 1500 is nearly full, 100 of 800 is not");

    // Stock below the reserve for 1000 people (the plans' default per-person ratios).
    let per_person = plans["relief"]["per_person"].as_table().unwrap();
    let mut want_low = Vec::new();
    for (item, q) in per_person {
        let q = q.as_float().or_else(|| q.as_integer().map(|i| i as f64)).unwrap();
        let reserve = (q * 1000.0).ceil() as u64;
        let free: u64 = sit["warehouses"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|w| w["stock"].get(item))
            .map(|l| l["quantity"].as_u64().unwrap() - l["reserved"].as_u64().unwrap())
            .sum();
        if free < reserve {
            want_low.push((item.clone(), free, reserve));
        }
    }
    let got_low: Vec<(String, u64, u64)> = k["low_stock"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["item"].as_str().unwrap().to_string(),
                l["free"].as_u64().unwrap(),
                l["reserve"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got_low, want_low);
    assert!(got_low.iter().any(|l| l.0 == "quilt"), "quilts were drained");

    // The table says the same in both languages.
    let text = ok(&onemap(&["kpis", "--db", &d.db, "--pack", &d.pack, "--at", &at]));
    assert!(text.contains("在办事件 Active incidents: 3"), "{text}");
    assert!(text.contains("敏感 sensitive"), "{text}");
    assert!(text.contains("× 未达标 × missed"), "{text}");
    assert!(text.contains("棉被 Quilt"), "{text}");

    // Earlier moments see fewer events: before incident 3 was reported only two are active.
    let early: Value = kpis_at(&d, base_ms + 7 * MIN);
    assert_eq!(early["active_incidents"], 2);
    // Beijing time with +08:00 is the same moment.
    let bj = format_utc_ms(base_ms + 7 * MIN + 8 * 3_600_000).replace(".000Z", "+08:00");
    let early_bj: Value = serde_json::from_str(&ok(&onemap(&[
        "kpis", "--db", &d.db, "--pack", &d.pack, "--at", &bj, "--json",
    ])))
    .unwrap();
    assert_eq!(early_bj["at_utc"], early["at_utc"]);
}

#[test]
fn bad_input_is_one_clear_line() {
    let d = demo_db();
    fails_with(
        &onemap(&["kpis", "--db", &d.db, "--pack", &d.pack, "--at", "yesterday"]),
        "北京时间",
    );
    fails_with(
        &onemap(&["kpis", "--db", &d.db, "--pack", &d.pack, "--drill", "nope"]),
        "no drill \"nope\"",
    );
    common::fails_with_code(
        &onemap(&["kpis", "--db", "/nonexistent/x.db", "--pack", &d.pack]),
        3,
        "x.db",
    );
}
