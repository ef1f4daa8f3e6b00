//! Map-pack loader tests on the real Xishuangbanna pack and on copies broken in every way the
//! loader must catch.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{copy_pack, edit, xsbn_pack};
use onemap::mappack::{LayerData, LayerKind, MapPack, PackError};

fn count_features(file: &str) -> usize {
    let text = std::fs::read_to_string(xsbn_pack().join(file)).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["features"].as_array().unwrap().len()
}

#[test]
fn real_pack_loads_with_every_layer() {
    let pack = MapPack::load(xsbn_pack()).unwrap();
    assert_eq!(pack.manifest.name, "xishuangbanna");
    assert_eq!(pack.manifest.title.zh, "西双版纳傣族自治州");
    // Counts computed independently from the files.
    for (layer, file) in [
        ("boundaries", "boundaries.geojson"),
        ("rivers", "rivers.geojson"),
        ("places", "places.geojson"),
        ("ports", "townships.geojson"),
    ] {
        assert_eq!(
            pack.layer(layer).unwrap().feature_count(),
            count_features(file),
            "{layer}"
        );
    }
    let csv_rows = std::fs::read_to_string(xsbn_pack().join("townships.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(pack.layer("townships").unwrap().feature_count(), csv_rows);
    let LayerData::Terrain(grid) = &pack.layer("terrain").unwrap().data else {
        panic!("terrain is not a grid")
    };
    assert_eq!((grid.ncols, grid.nrows), (64, 49));
    let (lo, hi) = grid.range_m().unwrap();
    assert!(
        (400.0..600.0).contains(&lo) && (2000.0..2500.0).contains(&hi),
        "{lo}..{hi}"
    );
    // Three counties, in file order, each inside the prefecture bbox.
    let counties = pack.counties();
    let names: Vec<&str> = counties.iter().map(|c| c.name_zh.as_str()).collect();
    assert_eq!(names, ["景洪市", "勐海县", "勐腊县"]);
    for c in &counties {
        let [a, b, cc, d] = c.bbox.0;
        assert!(
            pack.bbox().contains([a, b]) && pack.bbox().contains([cc, d]),
            "{}",
            c.name_zh
        );
    }
    assert!(pack.manifest.attribution.iter().any(|a| a.contains("Natural Earth")));
    assert!(pack.layers.iter().any(|l| l.kind == LayerKind::Corridors));
    // G8512 景打高速 (Jinghong–Daluo, 111.59 km) is among the corridors, with its end towns.
    let corridors = pack
        .layers
        .iter()
        .find_map(|l| match &l.data {
            LayerData::Corridors(c) => Some(c),
            _ => None,
        })
        .unwrap();
    let g8512 = corridors
        .iter()
        .find(|c| c.road_ref.as_deref() == Some("G8512"))
        .unwrap();
    assert!(g8512.road.contains("景打高速"), "{}", g8512.road);
    assert_eq!(g8512.towns_in_order, ["景洪", "打洛"]);
}

fn load_err(dir: &std::path::Path) -> (PackError, String) {
    let e = MapPack::load(dir).unwrap_err();
    let s = e.to_string();
    (e, s)
}

#[test]
fn missing_pack_is_named() {
    let (e, s) = load_err(std::path::Path::new("/nonexistent/pack"));
    assert!(matches!(e, PackError::NotFound(_)), "{s}");
    assert!(s.contains("/nonexistent/pack"), "{s}");
}

#[test]
fn manifest_that_is_not_json() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| t.replacen("{", "{\n  oops", 1));
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Json { line: 2, .. }), "{s}");
    assert!(s.contains("manifest.json"), "{s}");
}

#[test]
fn unknown_layer_kind_names_layer_and_kind() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| {
        t.replacen("\"kind\": \"rivers\"", "\"kind\": \"waterways\"", 1)
    });
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::UnknownKind { .. }), "{s}");
    assert!(
        s.contains("\"rivers\"") && s.contains("\"waterways\"") && s.contains("known kinds"),
        "{s}"
    );
}

#[test]
fn invalid_feature_names_file_and_index() {
    let dir = copy_pack(&xsbn_pack());
    // Put the third river into Web-Mercator metres: out of WGS-84 range.
    edit(dir.path(), "rivers.geojson", |t| {
        let mut v: serde_json::Value = serde_json::from_str(&t).unwrap();
        v["features"][2]["geometry"]["coordinates"][0] = serde_json::json!([11220000.0, 2510000.0]);
        v.to_string()
    });
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Feature { index: 2, .. }), "{s}");
    assert!(
        s.contains("rivers.geojson") && s.contains("feature 2") && s.contains("WGS-84"),
        "{s}"
    );
}

#[test]
fn wrong_geometry_for_kind() {
    let dir = copy_pack(&xsbn_pack());
    // A places layer pointing at line data.
    edit(dir.path(), "manifest.json", |t| {
        t.replacen("\"file\": \"places.geojson\"", "\"file\": \"rivers.geojson\"", 1)
    });
    let (_, s) = load_err(dir.path());
    assert!(
        s.contains("feature 0") && s.contains("LineString") && s.contains("\"places\""),
        "{s}"
    );
}

#[test]
fn newer_format_is_refused() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| {
        t.replacen("\"format_version\": 1", "\"format_version\": 99", 1)
    });
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::NewerFormat { found: 99, .. }), "{s}");
}

#[test]
fn missing_layer_file_is_named() {
    let dir = copy_pack(&xsbn_pack());
    std::fs::remove_file(dir.path().join("rivers.geojson")).unwrap();
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Io { .. }), "{s}");
    assert!(s.contains("rivers.geojson"), "{s}");
}

#[test]
fn bad_bbox_is_refused() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| t.replacen("99.85,", "199.85,", 1));
    let (_, s) = load_err(dir.path());
    assert!(s.contains("bbox") && s.contains("WGS-84"), "{s}");
}

#[test]
fn truncated_terrain_names_the_line() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "terrain_2arcmin.asc", |t| {
        t.lines().take(20).collect::<Vec<_>>().join("\n")
    });
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Line { line: 20, .. }), "{s}");
    assert!(
        s.contains("terrain_2arcmin.asc") && s.contains("expected 3136 values"),
        "{s}"
    );
}

#[test]
fn path_escape_is_refused() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| {
        t.replacen("\"file\": \"rivers.geojson\"", "\"file\": \"../rivers.geojson\"", 1)
    });
    let (_, s) = load_err(dir.path());
    assert!(s.contains("inside the pack folder"), "{s}");
}

#[test]
fn township_seats_are_places_with_their_precision() {
    let pack = MapPack::load(xsbn_pack()).unwrap();
    let layer = pack.layers.iter().find(|l| l.spec.name == "township_seats").unwrap();
    assert_eq!(layer.kind, LayerKind::Places);
    let LayerData::Features(fs) = &layer.data else {
        panic!("township_seats is not a feature layer");
    };
    // Every township of the NBS table once: 28 placed, 14 at their county seat (approximate).
    assert_eq!(fs.len(), 42);
    let approx: Vec<_> = fs
        .iter()
        .filter(|f| f.props["approximate"] == serde_json::json!(true))
        .collect();
    assert_eq!(approx.len(), 14);
    let county_seats = [
        ("532801", [100.770536, 22.002969]),
        ("532822", [100.451376, 21.960022]),
        ("532823", [101.563343, 21.461995]),
    ];
    for f in &approx {
        let county = f.str_prop("county_adcode").unwrap();
        let seat = county_seats.iter().find(|(c, _)| *c == county).unwrap().1;
        let geo::Geometry::Point(p) = f.geometry else {
            panic!("not a point")
        };
        assert_eq!([p.x(), p.y()], seat, "{county}");
        assert!(f.props["precision_m"].is_null());
        assert!(f.str_prop("label_zh").unwrap().ends_with("（近似）"));
    }
    // Daluo: the OSM town node, stated precision 300 m.
    let daluo = fs.iter().find(|f| f.str_prop("name_zh") == Some("打洛镇")).unwrap();
    let geo::Geometry::Point(p) = daluo.geometry else {
        panic!("not a point")
    };
    assert_eq!([p.x(), p.y()], [100.052994, 21.699821]);
    assert_eq!(daluo.props["precision_m"], 300);
    assert_eq!(daluo.props["approximate"], false);
}

#[test]
fn a_changed_layer_file_is_named_by_its_hash() {
    let dir = copy_pack(&xsbn_pack());
    // Still valid GeoJSON, but not what the pack was built with.
    edit(dir.path(), "rivers.geojson", |t| format!("{t}\n"));
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Checksum { .. }), "{s}");
    assert!(s.contains("rivers.geojson") && s.contains("SHA-256"), "{s}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_a_pack_are_refused() {
    let dir = copy_pack(&xsbn_pack());
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "caller names and phone numbers").unwrap();
    std::os::unix::fs::symlink(secret.path(), dir.path().join("NOTES.md")).unwrap();
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Symlink { .. }), "{s}");
    assert!(s.contains("NOTES.md"), "{s}");
}

#[test]
fn routing_settings_out_of_range_are_refused_naming_the_field() {
    for (to, needle) in [
        ("\"offroad_speed_kmh\": 0.0", "routing.offroad_speed_kmh"),
        ("\"offroad_speed_kmh\": -5.0", "not -5"),
        ("\"offroad_speed_kmh\": 1e308", "must be 1 to 120"),
    ] {
        let dir = copy_pack(&xsbn_pack());
        edit(dir.path(), "manifest.json", |t| {
            t.replacen("\"offroad_speed_kmh\": 30.0", to, 1)
        });
        let (e, s) = load_err(dir.path());
        assert!(matches!(e, PackError::Manifest { .. }), "{s}");
        assert!(s.contains("manifest.json") && s.contains(needle), "{to}: {s}");
    }
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "manifest.json", |t| {
        t.replacen("\"max_snap_km\": 150.0", "\"max_snap_km\": 0", 1)
    });
    assert!(load_err(dir.path()).1.contains("routing.max_snap_km"));
}

#[test]
fn schematic_figures_out_of_range_name_the_file_and_segment() {
    let dir = copy_pack(&xsbn_pack());
    edit(dir.path(), "schematic_roads.json", |t| {
        t.replacen("\"km\": 54.2, \"minutes\": 30", "\"km\": 54.2, \"minutes\": 1e-9", 1)
    });
    let (e, s) = load_err(dir.path());
    assert!(matches!(e, PackError::Graph { .. }), "{s}");
    assert!(
        s.contains("schematic_roads.json") && s.contains("segment 0") && s.contains("km and minutes give"),
        "{s}"
    );
}
