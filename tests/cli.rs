//! The `onemap` binary as a user runs it: `info` in text and JSON, and one-line errors with exit
//! code 2 for bad packs.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::process::Command;

fn onemap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_onemap")).args(args).output().unwrap()
}

#[test]
fn info_json_lists_layers_with_counts() {
    let pack = common::xsbn_pack();
    let out = onemap(&["info", "--pack", pack.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "xishuangbanna");
    assert_eq!(v["bbox"], serde_json::json!([99.85, 21.05, 101.95, 22.65]));
    let layers = v["layers"].as_array().unwrap();
    let get = |n: &str| {
        layers
            .iter()
            .find(|l| l["name"] == n)
            .unwrap_or_else(|| panic!("no layer {n}"))
    };
    assert_eq!(get("boundaries")["kind"], "boundaries");
    assert_eq!(get("boundaries")["features"], 5);
    assert_eq!(get("rivers")["features"], 17);
    assert_eq!(get("places")["features"], 7);
    assert_eq!(get("townships")["features"], 42);
    assert_eq!(get("terrain")["kind"], "terrain");
    assert!(get("terrain")["features"].as_u64().unwrap() > 3000);
    // Road sources: the schematic network, its length the sum of its published segment lengths.
    let sources = v["road_sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["kind"], "schematic");
    assert_eq!(sources[0]["name"], "schematic_roads.json");
    let km = sources[0]["length_km"].as_f64().unwrap();
    // 54.2 + 59 + 172 + 183 km published, plus Mengla–Mohan as straight line × 1.4.
    assert!(km > 468.2 && km < 520.0, "{km}");
    assert!(sources[0]["licence"].as_str().unwrap().contains("not road geometry"));
}

#[test]
fn info_text_and_default_pack() {
    // Run from the repository root: the default pack is maps/xishuangbanna.
    let out = Command::new(env!("CARGO_BIN_EXE_onemap"))
        .arg("info")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("西双版纳傣族自治州") && text.contains("rivers") && text.contains("Natural Earth"),
        "{text}"
    );
}

#[test]
fn version_flag() {
    let out = onemap(&["--version"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_packs_exit_2_with_one_line() {
    let missing = onemap(&["info", "--pack", "/nonexistent/pack"]);
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8(missing.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("map pack not found") && err.contains("/nonexistent/pack"),
        "{err}"
    );

    let dir = common::copy_pack(&common::xsbn_pack());
    common::edit(dir.path(), "places.geojson", |t| {
        t.replacen("\"Point\"", "\"Pointy\"", 1)
    });
    let out = onemap(&["info", "--pack", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("places.geojson") && err.contains("feature 0") && err.contains("Pointy"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // With --json the same error is one JSON object on stdout, same exit code, nothing on stderr.
    let out = onemap(&["info", "--pack", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"], "refused");
    assert!(v["message"].as_str().unwrap().contains("feature 0"), "{v}");

    // Opening the console on a broken pack fails the same way, before any window.
    let out = onemap(&["--pack", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = onemap(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sample_pack(name: &str) -> String {
    format!("{}/maps/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn route_on_liechtenstein_pack() {
    let pack = sample_pack("liechtenstein");
    let (from, to) = ("9.5215,47.1410", "9.5096,47.1660");
    let v = json_of(&onemap(&[
        "route", "--pack", &pack, "--from", from, "--to", to, "--json",
    ]));
    let d = v["distance_m"].as_f64().unwrap();
    let t = v["duration_s"].as_f64().unwrap();
    assert!(d > 2_500.0 && d < 8_000.0, "{d}");
    assert!(t > 120.0 && t < 900.0, "{t}");
    assert_eq!(v["estimate"], false);
    assert_eq!(v["estimated_share"], 0.0);
    assert!(v["snap_from_m"].as_f64().unwrap() < 200.0);
    let geom = v["geometry"].as_array().unwrap();
    assert_eq!(geom[0], serde_json::json!([9.5215, 47.141]));
    assert!(geom.len() > 10);
    // The geometry's length equals the reported distance (road + straight off-road legs).
    let pts: Vec<[f64; 2]> = geom
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let len: f64 = pts.windows(2).map(|w| onemap::geom::haversine_m(w[0], w[1])).sum();
    assert!((len - d).abs() < 2.0, "geometry {len} m vs distance {d} m");
    // By distance the route is no longer than by time.
    let vd = json_of(&onemap(&[
        "route", "--pack", &pack, "--from", from, "--to", to, "--metric", "distance", "--json",
    ]));
    assert!(vd["distance_m"].as_f64().unwrap() <= d + 0.5);
}

/// The text outputs of `route` and `isochrone` read Chinese first, English second, with the
/// figures of the JSON (minutes to a tenth, km to a tenth).
#[test]
fn route_and_isochrone_text_are_chinese_first_then_english() {
    let pack = sample_pack("liechtenstein");
    let (from, to) = ("9.5215,47.1410", "9.5096,47.1660");
    let v = json_of(&onemap(&[
        "route", "--pack", &pack, "--from", from, "--to", to, "--json",
    ]));
    let out = onemap(&["route", "--pack", &pack, "--from", from, "--to", to]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let min = format!("{:.1}", v["duration_s"].as_f64().unwrap() / 60.0);
    let km = format!("{:.1}", v["distance_m"].as_f64().unwrap() / 1000.0);
    assert!(lines[0].starts_with(&format!("{min} 分钟，{km} 公里（道路")), "{text}");
    assert!(lines[1].starts_with(&format!("{min} min, {km} km (road")), "{text}");
    let out = onemap(&[
        "isochrone",
        "--pack",
        &pack,
        "--at",
        "9.5215,47.1410",
        "--minutes",
        "5,10",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].contains("2 条等时线（5,10 分钟）"), "{text}");
    assert!(lines[1].starts_with("2 contours (5,10 min)"), "{text}");
}

#[test]
fn route_errors() {
    let pack = sample_pack("liechtenstein");
    let off = onemap(&[
        "route",
        "--pack",
        &pack,
        "--from",
        "9.5215,47.1410",
        "--to",
        "12.0,47.0",
    ]);
    assert_eq!(off.status.code(), Some(1));
    let err = String::from_utf8(off.stderr).unwrap();
    assert!(err.contains("no road within 5.0 km"), "{err}");
    let bad = onemap(&["route", "--pack", &pack, "--from", "9.5", "--to", "9.5,47.1"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8(bad.stderr).unwrap().contains("--from"));
    let range = onemap(&["route", "--pack", &pack, "--from", "9.5,147.1", "--to", "9.5,47.1"]);
    assert_eq!(range.status.code(), Some(1));
}

#[test]
fn xishuangbanna_routes_are_schematic_estimates() {
    let pack = common::xsbn_pack();
    // Menghai seat to the Mohan port: over the schematic network, both ends on its nodes.
    let v = json_of(&onemap(&[
        "route",
        "--pack",
        pack.to_str().unwrap(),
        "--from",
        "100.451376,21.960022",
        "--to",
        "101.682395,21.185585",
        "--json",
    ]));
    assert_eq!(v["estimate"], true);
    assert_eq!(v["schematic"], true);
    assert_eq!(v["estimated_share"], 1.0);
    // Expressway 54.2 km / 30 min + expressway 183 km / 102 min, as published in corridors.json.
    let t = v["duration_s"].as_f64().unwrap();
    assert!((t - (30.0 + 102.0) * 60.0).abs() < 5.0, "{t}");
    let text = onemap(&[
        "route",
        "--pack",
        pack.to_str().unwrap(),
        "--from",
        "100.79,22.0",
        "--to",
        "101.5,21.4",
    ]);
    assert!(String::from_utf8(text.stdout).unwrap().contains("估算"));
}

#[test]
fn isochrone_geojson() {
    let pack = sample_pack("andorra");
    let v = json_of(&onemap(&[
        "isochrone",
        "--pack",
        &pack,
        "--at",
        "1.5218,42.5063",
        "--minutes",
        "5,10,15",
        "--json",
    ]));
    assert_eq!(v["type"], "FeatureCollection");
    let f = v["features"].as_array().unwrap();
    assert_eq!(f.len(), 3);
    assert!(f.iter().all(|f| f["properties"]["estimate"] == false));
    let bad = onemap(&["isochrone", "--pack", &pack, "--at", "1.52,42.50", "--minutes", "5,x"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn mappack_build_from_osm_with_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let osm = format!(
        "{}/tests/data/osm/bayfront_singapore.osm.pbf",
        env!("CARGO_MANIFEST_DIR")
    );
    let boundary = dir.path().join("b.geojson");
    std::fs::write(
        &boundary,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name_zh":"测试"},"geometry":{"type":"Polygon","coordinates":[[[103.84,1.27],[103.87,1.27],[103.87,1.30],[103.84,1.30],[103.84,1.27]]]}}]}"#,
    )
    .unwrap();
    let out = dir.path().join("pack");
    let built = onemap(&[
        "mappack",
        "build",
        "--osm",
        &osm,
        "--boundary",
        boundary.to_str().unwrap(),
        "--name",
        "bay",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let info = json_of(&onemap(&["info", "--pack", out.to_str().unwrap(), "--json"]));
    assert_eq!(info["name"], "bay");
    assert!(info["roads"]["nodes"].as_u64().unwrap() > 50);
    assert!(info["roads"]["islands"].is_u64());
    assert!(info["attribution"][0].as_str().unwrap().contains("OpenStreetMap"));
    assert!(std::fs::read_to_string(out.join("README.md")).unwrap().contains("ODbL"));

    // A boundary that excludes every road.
    let empty = dir.path().join("e.geojson");
    std::fs::write(
        &empty,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[0.1,0],[0.1,0.1],[0,0]]]}}]}"#,
    )
    .unwrap();
    let r = onemap(&[
        "mappack",
        "build",
        "--osm",
        &osm,
        "--boundary",
        empty.to_str().unwrap(),
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8(r.stderr).unwrap().contains("no drivable roads"));

    // A file that is not a PBF, and a truncated one.
    let junk = dir.path().join("junk.osm.pbf");
    std::fs::write(&junk, "<osm></osm>").unwrap();
    let r = onemap(&[
        "mappack",
        "build",
        "--osm",
        junk.to_str().unwrap(),
        "--out",
        dir.path().join("y").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let cut = dir.path().join("cut.osm.pbf");
    std::fs::write(&cut, &std::fs::read(&osm).unwrap()[..30_000]).unwrap();
    let r = onemap(&[
        "mappack",
        "build",
        "--osm",
        cut.to_str().unwrap(),
        "--out",
        dir.path().join("z").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    let err = String::from_utf8(r.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

#[test]
fn mappack_build_onto_a_base_pack_keeps_its_layers() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::write(
        base.join("area.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name_zh":"海湾","level":"prefecture"},"geometry":{"type":"Polygon","coordinates":[[[103.84,1.27],[103.87,1.27],[103.87,1.30],[103.84,1.30],[103.84,1.27]]]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        base.join("places.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name_zh":"滨海湾","name_en":"Marina Bay"},"geometry":{"type":"Point","coordinates":[103.8585,1.2830]}}]}"#,
    )
    .unwrap();
    std::fs::write(
        base.join("manifest.json"),
        r#"{"format_version":1,"name":"bay","title":{"zh":"海湾","en":"Bay"},"bbox":[103.84,1.27,103.87,1.30],
           "attribution":["Base data"],"layers":[
             {"name":"area","kind":"boundaries","file":"area.geojson"},
             {"name":"places","kind":"places","file":"places.geojson"}]}"#,
    )
    .unwrap();
    let osm = format!(
        "{}/tests/data/osm/bayfront_singapore.osm.pbf",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = dir.path().join("out");
    let r = onemap(&[
        "mappack",
        "build",
        "--osm",
        &osm,
        "--base",
        base.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let info = json_of(&onemap(&["info", "--pack", out.to_str().unwrap(), "--json"]));
    assert_eq!(info["name"], "bay-osm");
    let kinds: Vec<&str> = info["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["boundaries", "places", "roads"]);
    let attribution: Vec<&str> = info["attribution"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(attribution.contains(&"Base data") && attribution.iter().any(|a| a.contains("OpenStreetMap")));
    // Routing now works on the combined pack, on real (not schematic) roads.
    let v = json_of(&onemap(&[
        "route",
        "--pack",
        out.to_str().unwrap(),
        "--from",
        "103.8585,1.2830",
        "--to",
        "103.852,1.290",
        "--json",
    ]));
    assert_eq!(v["schematic"], false);
    // The Xishuangbanna boundary keeps none of Singapore's roads: a clear error.
    let r = onemap(&[
        "mappack",
        "build",
        "--osm",
        &osm,
        "--base",
        common::xsbn_pack().to_str().unwrap(),
        "--out",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8(r.stderr).unwrap().contains("no drivable roads"));
}

#[test]
fn bench_commands_report_their_keys() {
    let v = json_of(&onemap(&["bench", "routing", "--nodes", "3000", "--json"]));
    for key in [
        "nodes",
        "load_ms",
        "one_to_all_ms",
        "rank_all_500_ms",
        "rank_top10_ms",
        "p2p_500_ms",
        "coverage_60_ms",
        "isochrone_ms",
        "rss_mb",
    ] {
        assert!(v[key].is_number(), "missing {key}: {v}");
    }
    assert!(v["nodes"].as_u64().unwrap() >= 2500);
    let pack = common::xsbn_pack();
    let f = json_of(&onemap(&[
        "bench",
        "frame",
        "--pack",
        pack.to_str().unwrap(),
        "--frames",
        "10",
        "--json",
    ]));
    let zooms = f["zooms"].as_array().unwrap();
    assert_eq!(zooms.len(), 3);
    assert!(
        zooms.iter().all(|z| z["vertices"].as_u64().unwrap() > 1000),
        "the map is actually drawn: {f}"
    );
    let bad = onemap(&["bench", "routing", "--nodes", "5"]);
    assert_eq!(bad.status.code(), Some(1));
    let d = json_of(&onemap(&[
        "bench",
        "dispatch",
        "--pack",
        pack.to_str().unwrap(),
        "--nodes",
        "3000",
        "--units",
        "40",
        "--json",
    ]));
    // Grade-II landslide: geological team + 2 engineering crews + medical team + ambulance.
    assert_eq!(d["suggested"], 5, "{d}");
    assert!(d["recommend_ms"].as_f64().unwrap() > 0.0 && d["rank_all_ms"].is_number());
}

#[test]
fn bench_rank_on_a_pack() {
    let pack = sample_pack("liechtenstein");
    let dir = std::env::temp_dir().join(format!("onemap-bench-rank-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sources = dir.join("units.txt");
    // Vaduz, Schaan, Triesen, Balzers and one far off the network (not ranked).
    std::fs::write(
        &sources,
        "# units\n9.5215,47.1410\n9.5096,47.1660\n\n9.5280,47.1070\n9.5020,47.0650\n20.0,10.0\n",
    )
    .unwrap();
    let src = sources.to_str().unwrap();
    let rank = |to: &str, extra: &[&str]| {
        let mut args = vec!["bench", "rank", "--pack", &pack, "--sources", src, "--to", to];
        args.extend_from_slice(extra);
        onemap(&args)
    };
    let v = json_of(&rank("9.5200,47.1420", &["--reps", "3", "--json"]));
    for key in [
        "nodes",
        "sources",
        "ranked",
        "snap_ms",
        "rank_all_ms",
        "rank_top10_ms",
        "rank_all_cached_snaps_ms",
        "plain_dijkstra_ms",
        "cores",
    ] {
        assert!(v[key].is_number(), "missing {key}: {v}");
    }
    assert_eq!((v["sources"].as_u64(), v["ranked"].as_u64()), (Some(5), Some(4)), "{v}");
    assert!(v["nodes"].as_u64().unwrap() > 4000);
    std::fs::write(&sources, "9.52,47.14\nnot a point\n").unwrap();
    let bad = rank("9.52,47.14", &[]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("line 2"), "{bad:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
