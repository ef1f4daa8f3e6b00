//! The multi-source Xishuangbanna pack (maps/xishuangbanna-osm): real OSM streets of the border
//! band joined to the calibrated prefecture skeleton. Checks that the shipped pack is exactly
//! what the documented command builds, that routes state the share of their length on
//! calibrated pieces (recomputed here from the graph file), and that `info --json` lists both
//! sources.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::path::PathBuf;

use common::{ok, onemap};
use onemap::roads::graph::Graph;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn osm_pack() -> PathBuf {
    root().join("maps/xishuangbanna-osm")
}

fn route(from: &str, to: &str) -> serde_json::Value {
    let pack = osm_pack();
    let out = onemap(&[
        "--pack",
        pack.to_str().unwrap(),
        "route",
        "--from",
        from,
        "--to",
        to,
        "--json",
    ]);
    serde_json::from_str(&ok(&out)).unwrap()
}

/// Jinghong City seat (places.geojson).
const JINGHONG: &str = "100.770536,22.002969";

#[test]
fn shipped_pack_is_what_the_documented_command_builds() {
    let src = root().join("maps/sources/xishuangbanna-osm");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("pack");
    let s = |p: PathBuf| p.to_str().unwrap().to_string();
    let text = ok(&onemap(&[
        "mappack",
        "build",
        "--osm",
        &s(src.join("border-band.osm.pbf")),
        "--skeleton",
        &s(src.join("skeleton.osm.pbf")),
        "--calibration",
        &s(src.join("calibration.json")),
        "--base",
        &s(root().join("maps/xishuangbanna")),
        "--out",
        &s(out.clone()),
    ]));
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        std::fs::read(out.join("roads.graph")).unwrap(),
        std::fs::read(osm_pack().join("roads.graph")).unwrap(),
        "maps/xishuangbanna-osm/roads.graph is stale: rebuild it with the command in its ROADS_README.md"
    );
    // The calibration: every pair placed, the factor a detour, and (independently) the
    // least-squares fit through the origin over the reported pairs.
    let cal = &report["skeleton"]["calibration"];
    let pairs = cal["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 7, "{cal}");
    let (sxy, sxx) = pairs.iter().fold((0.0, 0.0), |(a, b), p| {
        let (pk, sk) = (p["published_km"].as_f64().unwrap(), p["skeleton_km"].as_f64().unwrap());
        (a + pk * sk, b + sk * sk)
    });
    let detour = cal["detour"].as_f64().unwrap();
    assert!(
        (detour - sxy / sxx).abs() < 1e-9 && (1.0..1.6).contains(&detour),
        "{detour}"
    );
}

#[test]
fn routes_state_their_share_on_calibrated_pieces() {
    let g = Graph::load(&osm_pack().join("roads.graph")).unwrap();
    let estimated = (0..g.piece_count() as u32).filter(|&p| g.piece_estimated(p)).count();
    assert!(
        estimated > 100 && estimated < g.piece_count() / 2,
        "{estimated} of {}",
        g.piece_count()
    );

    // Jinghong → Mohan port: skeleton across the prefecture, then real G8511 streets at Mohan.
    let r = route(JINGHONG, "101.68246,21.18582");
    let share = r["estimated_share"].as_f64().unwrap();
    assert_eq!(r["estimate"], true);
    assert!(share > 0.5 && share < 1.0, "{r}");

    // Independent recomputation of the route's real part: the geometry points that lie on
    // real (non-estimated) piece geometry, measured along the route.
    let real_pts: std::collections::HashSet<[i64; 2]> = (0..g.piece_count() as u32)
        .filter(|&p| !g.piece_estimated(p))
        .flat_map(|p| {
            g.piece_points_e7(p)
                .iter()
                .map(|q| [q[0] as i64, q[1] as i64])
                .collect::<Vec<_>>()
        })
        .collect();
    let geom: Vec<[f64; 2]> = r["geometry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let key = |p: [f64; 2]| [(p[0] * 1e7).round() as i64, (p[1] * 1e7).round() as i64];
    let real_m: f64 = geom
        .windows(2)
        .filter(|w| real_pts.contains(&key(w[0])) && real_pts.contains(&key(w[1])))
        .map(|w| onemap::geom::haversine_m(w[0], w[1]))
        .sum();
    let road_m = r["road_distance_m"].as_f64().unwrap();
    let real_share = real_m / road_m;
    assert!(
        (1.0 - share - real_share).abs() < 0.02,
        "estimated {share}, real part recomputed {real_share} of {road_m} m"
    );

    // Jinghong → Menghai seat: no real street there, all calibrated.
    let r = route(JINGHONG, "100.451376,21.960022");
    assert_eq!(r["estimated_share"].as_f64().unwrap(), 1.0, "{r}");
}

#[test]
fn info_lists_both_road_sources() {
    let pack = osm_pack();
    let out = onemap(&["--pack", pack.to_str().unwrap(), "info", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    let src = v["road_sources"].as_array().unwrap();
    let kinds: Vec<&str> = src.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["real_osm", "calibrated_skeleton"]);
    let g = Graph::load(&pack.join("roads.graph")).unwrap();
    let km = |est: bool| {
        (0..g.piece_count() as u32)
            .filter(|&p| g.piece_estimated(p) == est)
            .map(|p| {
                let pts = g.piece_points_e7(p);
                pts.windows(2)
                    .map(|w| {
                        onemap::geom::haversine_m(
                            onemap::roads::graph::e7_to_deg(w[0]),
                            onemap::roads::graph::e7_to_deg(w[1]),
                        )
                    })
                    .sum::<f64>()
            })
            .sum::<f64>()
            / 1000.0
    };
    // Real pieces: their drawn geometry is their length.
    let real = src[0]["length_km"].as_f64().unwrap();
    assert!((real - km(false)).abs() < 0.2, "{real} vs {}", km(false));
    // Skeleton pieces: calibrated, so longer than their straight geometry by the detour factor.
    let skel = src[1]["length_km"].as_f64().unwrap();
    let detour = skel / km(true);
    assert!(
        (1.1..1.5).contains(&detour),
        "{skel} km over {} km of straight lines",
        km(true)
    );
    let layers: Vec<&str> = v["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["kind"].as_str())
        .collect();
    assert!(layers.contains(&"railway"), "{layers:?}");
}

/// The real Mohan roads of the shipped pack written as a centre's GeoJSON would be (class in
/// a Chinese 行政等级-like field), optionally moved by `shift`.
fn mohan_geojson(shift: impl Fn([f64; 2]) -> [f64; 2]) -> String {
    let g = Graph::load(&osm_pack().join("roads.graph")).unwrap();
    let features: Vec<serde_json::Value> = (0..g.piece_count() as u32)
        .filter(|&p| !g.piece_estimated(p))
        .filter(|&p| {
            let q = onemap::roads::graph::e7_to_deg(g.piece_points_e7(p)[0]);
            (101.6..101.75).contains(&q[0]) && (21.15..21.3).contains(&q[1])
        })
        .map(|p| {
            let coords: Vec<[f64; 2]> = g
                .piece_points_e7(p)
                .iter()
                .map(|q| shift(onemap::roads::graph::e7_to_deg(*q)))
                .collect();
            let [f, b] = g.piece_edges(p);
            let oneway = match (f != u32::MAX, b != u32::MAX) {
                (true, true) => "否",
                (true, false) => "是",
                _ => "-1",
            };
            serde_json::json!({"type": "Feature",
                "properties": {"等级": serde_json::to_value(g.piece_class(p)).unwrap(), "单行": oneway},
                "geometry": {"type": "LineString", "coordinates": coords}})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": features}).to_string()
}

#[test]
fn own_road_lines_build_a_pack_and_a_gcj02_shift_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let s = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let build = |name: &str, text: String| {
        let file = tmp.path().join(format!("{name}.geojson"));
        std::fs::write(&file, text).unwrap();
        let out = tmp.path().join(name);
        let o = onemap(&[
            "mappack",
            "build",
            "--roads",
            &s(&file),
            "--class-field",
            "等级",
            "--oneway-field",
            "单行",
            "--base",
            &s(&root().join("maps/xishuangbanna")),
            "--reference",
            &s(&osm_pack()),
            "--out",
            &s(&out),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr).to_string();
        let v: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
        (v, stderr, out)
    };
    let (v, stderr, out) = build("honest", mohan_geojson(|p| p));
    assert_eq!(v["gcj02_check"]["looks_gcj02"], false, "{v}");
    assert!(!stderr.contains("GCJ-02"), "{stderr}");
    // Routes over the imported lines are real-road routes (the library test
    // `roads::lines::tests::lines_of_real_roads_give_the_same_routes_as_the_osm_import` compares
    // them with the OSM import route by route).
    let (a, b) = ([101.68246, 21.18582], [101.7005, 21.2100]);
    let o = onemap(&[
        "--pack",
        &s(&out),
        "route",
        "--from",
        "101.68246,21.18582",
        "--to",
        "101.7005,21.2100",
        "--json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(r["estimated_share"].as_f64().unwrap(), 0.0, "{r}");
    assert!(
        r["road_distance_m"].as_f64().unwrap()
            >= onemap::geom::haversine_m(a, b) - r["snap_from_m"].as_f64().unwrap() - r["snap_to_m"].as_f64().unwrap(),
        "{r}"
    );
    let (v, stderr, _) = build("shifted", mohan_geojson(onemap::geom::wgs84_to_gcj02));
    assert_eq!(v["gcj02_check"]["looks_gcj02"], true, "{v}");
    assert!(stderr.contains("GCJ-02"), "{stderr}");
}

/// Every township seat the default pack places (42, the 14 approximate ones at their county
/// seat) is reachable by road from the Jinghong seat; each route is an estimate unless it lies
/// entirely on real streets.
#[test]
fn every_township_seat_is_reachable_from_jinghong() {
    let pack = onemap::mappack::MapPack::load(osm_pack()).unwrap();
    let (g, spec) = pack.roads().unwrap();
    let mut router = onemap::roads::router::Router::with_spec(g, spec);
    let seats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(osm_pack().join("township_seats.geojson")).unwrap()).unwrap();
    let feats = seats["features"].as_array().unwrap();
    assert_eq!(feats.len(), 42);
    let from = [100.770536, 22.002969];
    for f in feats {
        let c = &f["geometry"]["coordinates"];
        let to = [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()];
        let name = f["properties"]["name_zh"].as_str().unwrap();
        let r = router
            .route_lonlat(from, to)
            .unwrap_or_else(|e| panic!("{name} unreachable: {e}"));
        let straight = onemap::geom::haversine_m(from, to);
        assert!(
            r.dist_m + r.offroad_dist_m >= straight - 1.0,
            "{name}: {} m shorter than the straight line {straight} m",
            r.dist_m + r.offroad_dist_m
        );
        assert!(router.route_is_estimate(&r) || r.estimated_m == 0.0, "{name}");
    }
}

/// Two points in a town the network does not reach (Jinghong city lies ≈1.7 km from the
/// nearest skeleton node) are joined by the straight off-network leg, not sent out to the road
/// and back: its length and time recomputed here from the pack's routing spec.
#[test]
fn nearby_points_off_the_network_take_the_straight_leg() {
    let pack = onemap::mappack::MapPack::load(osm_pack()).unwrap();
    let (g, spec) = pack.roads().unwrap();
    let mut router = onemap::roads::router::Router::with_spec(g, spec);
    let a = [100.770536, 22.002969];
    let b = [100.78, 22.01];
    let (sa, sb) = (router.snap(a).unwrap(), router.snap(b).unwrap());
    let d = onemap::geom::haversine_m(a, b);
    assert!(
        d < sa.snap_dist_m + sb.snap_dist_m,
        "{d} vs {} + {}",
        sa.snap_dist_m,
        sb.snap_dist_m
    );
    let r = router.route_lonlat(a, b).unwrap();
    assert!((r.offroad_dist_m - d * spec.offroad_detour).abs() < 0.01, "{r:?}");
    let want_s = d * spec.offroad_detour / (spec.offroad_speed_kmh / 3.6);
    assert!((r.eta_s - want_s).abs() < 0.01, "{} vs {want_s}", r.eta_s);
    assert_eq!((r.dist_m, r.edges.len()), (0.0, 0));
    assert!(router.route_is_estimate(&r));
    // Ranking agrees: of two units, the one 200 m away ranks first with the same ETA, though
    // both snap to the same skeleton node.
    let near = [100.7725, 22.0035];
    let far = [100.80, 21.99];
    let out = router.rank_units(&[far, near], a, None).unwrap();
    assert_eq!(out.ranked[0].index, 1, "{:?}", out.ranked);
    let r_near = router.route_lonlat(near, a).unwrap();
    assert!((out.ranked[0].eta_s - r_near.eta_s).abs() < 0.01);
    // Two points near real streets never cut across country: Mohan port → Mohan town (OSM
    // place node) keeps its road route.
    let (port, town) = ([101.68246, 21.18582], [101.68772, 21.19079]);
    let (sp, st) = (router.snap(port).unwrap(), router.snap(town).unwrap());
    assert!(onemap::geom::haversine_m(port, town) > sp.snap_dist_m + st.snap_dist_m);
    assert!(router.direct_leg(&sp, &st).is_none());
    let r = router.route_lonlat(port, town).unwrap();
    assert!(r.dist_m > 0.0, "{r:?}");
}
