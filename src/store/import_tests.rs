//! Import/export tests: validation errors name file, line/feature and field; atomicity;
//! idempotent re-import; GeoJSON equals CSV; export → import round trip; the demo scenario.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use super::*;
use crate::model::{StationKind, UnitType};

const STATIONS: &str = "external_id,name_zh,name_en,kind,lon,lat,county,planned,demo\n\
st-1,演示-甲站,Demo A,fire_station,100.770536,22.002969,景洪市,false,true\n\
st-2,\"演示-乙站, 二号\",Demo B,township_fire_team_l1,100.451376,21.960022,勐海县,no,yes\n";

const UNITS: &str = "external_id,callsign,name_zh,type,crew,station_external_id,lon,lat,status,extra_capabilities,demo\n\
u-1,JH-01,演示-水罐车,water_tanker,5,st-1,100.7705,22.0029,available,pumping;drone,true\n\
u-2,MH-01,演示-救护车,ambulance,3,,100.4513,21.96,out_of_service,,true\n";

const WAREHOUSES: &str = "external_id,name_zh,kind,lon,lat\nwh-1,演示-库,relief_supplies,100.79,22.01\n";

const STOCK: &str = "warehouse_external_id,item_code,name_zh,name_en,unit,quantity,demo\n\
wh-1,tent,帐篷,Tent,顶,120,true\nwh-1,quilt,棉被,Quilt,床,500,true\n";

const SHELTERS: &str =
    "external_id,name_zh,lon,lat,capacity,open,occupancy\nsh-1,演示-避难所,100.78,22.0,800,true,25\n";

fn write_set(dir: &Path, files: &[(&str, &str)]) -> Vec<PathBuf> {
    files
        .iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect()
}

fn full_set(dir: &Path) -> Vec<PathBuf> {
    write_set(
        dir,
        &[
            ("units.csv", UNITS),
            ("stations.csv", STATIONS),
            ("warehouses.csv", WAREHOUSES),
            ("stock.csv", STOCK),
            ("shelters.csv", SHELTERS),
        ],
    )
}

#[test]
fn import_is_validated_and_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let paths = full_set(dir.path());
    let mut store = Store::open_in_memory().unwrap();
    let r = store.import(&paths, "tester").unwrap();
    assert_eq!((r.records, r.created, r.updated, r.unchanged), (8, 8, 0, 0));
    assert_eq!(r.events_appended, 9, "8 records + the new shelter's occupancy");
    let sit = store.situation().unwrap().clone();
    assert_eq!(sit.stations.len(), 2);
    let u1 = sit.unit_by_external_id("u-1").unwrap();
    assert_eq!(
        u1.spec.home_station,
        Some(sit.station_by_external_id("st-1").unwrap().id)
    );
    assert_eq!(u1.spec.unit_type, UnitType::WaterTanker);
    assert_eq!(u1.capabilities().len(), 4);
    assert_eq!(
        sit.station_by_external_id("st-2").unwrap().spec.name_zh,
        "演示-乙站, 二号"
    );
    assert_eq!(
        sit.station_by_external_id("st-2").unwrap().spec.kind,
        StationKind::TownshipFireTeamL1
    );
    assert_eq!(sit.shelter_by_external_id("sh-1").unwrap().occupancy, 25);
    assert_eq!(
        sit.warehouse_by_external_id("wh-1").unwrap().stock["quilt"].quantity,
        500
    );

    let count = store.event_count().unwrap();
    let again = store.import(&paths, "tester").unwrap();
    assert_eq!((again.events_appended, again.unchanged), (0, 8));
    assert_eq!(
        store.event_count().unwrap(),
        count,
        "identical re-import appends zero events"
    );

    // One changed record → exactly one upsert event; operational fields (unit position) are not reset.
    store
        .append(
            "op",
            "s",
            None,
            EventKind::UnitPositionReported {
                unit: u1.id,
                lonlat: crate::model::LonLat::from_deg(100.8, 22.1).unwrap(),
            },
        )
        .unwrap();
    write_set(dir.path(), &[("stock.csv", &STOCK.replace("120", "150"))]);
    let changed = store.import(&paths, "tester").unwrap();
    assert_eq!((changed.events_appended, changed.updated), (1, 1));
    let sit = store.situation().unwrap();
    assert_eq!(
        sit.warehouse_by_external_id("wh-1").unwrap().stock["tent"].quantity,
        150
    );
    assert_eq!(sit.unit_by_external_id("u-1").unwrap().lonlat.lon_deg(), 100.8);
}

fn import_err(files: &[(&str, &str)]) -> (ImportError, Store) {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_set(dir.path(), files);
    let mut store = Store::open_in_memory().unwrap();
    let err = match store.import(&paths, "t").unwrap_err() {
        StoreError::Import(e) => e,
        other => panic!("expected an import error, got {other}"),
    };
    assert_eq!(store.event_count().unwrap(), 0, "failed import must write nothing");
    (err, store)
}

#[test]
fn import_errors_name_file_line_and_field() {
    let bad_lat = STATIONS.replace("21.960022", "121.96");
    let (e, _) = import_err(&[("stations.csv", &bad_lat)]);
    assert!(e.file.ends_with("stations.csv"));
    assert_eq!(
        (e.location.clone(), e.field.as_deref()),
        (import::Location::Line(3), Some("lat"))
    );
    assert!(
        e.to_string()
            .contains("stations.csv, line 3, field lat: 121.96 is outside -90..=90"),
        "{e}"
    );

    let (e, _) = import_err(&[("stations.csv", &STATIONS.replace("fire_station", "fire_statoin"))]);
    assert!(
        e.to_string()
            .contains("line 2, field kind: unknown code \"fire_statoin\""),
        "{e}"
    );

    let (e, _) = import_err(&[("units.csv", &UNITS.replace("crew,", "crew_size,"))]);
    assert_eq!(
        (e.location.clone(), e.field.as_deref()),
        (import::Location::Line(1), Some("crew_size"))
    );

    let (e, _) = import_err(&[
        ("stations.csv", STATIONS),
        ("units.csv", &UNITS.replace(",5,st-1,", ",5,st-9,")),
    ]);
    assert!(
        e.to_string()
            .contains("units.csv, line 2, field station_external_id: no station \"st-9\""),
        "{e}"
    );

    let (e, _) = import_err(&[("units.csv", &UNITS.replace(",3,,", ",-3,,"))]);
    assert!(
        e.to_string()
            .contains("line 3, field crew: \"-3\" is not a non-negative integer"),
        "{e}"
    );

    let dup = format!("{STATIONS}st-1,演示-重复,,fire_station,100.7,22.0,,,\n");
    let (e, _) = import_err(&[("stations.csv", &dup)]);
    assert!(
        e.to_string().contains("line 4, field external_id: duplicate \"st-1\""),
        "{e}"
    );

    let (e, _) = import_err(&[
        ("warehouses.csv", WAREHOUSES),
        ("stock.csv", &STOCK.replace("wh-1,quilt", "wh-2,quilt")),
    ]);
    assert!(
        e.to_string().contains("stock.csv, line 3, field warehouse_external_id"),
        "{e}"
    );

    let gj = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","geometry":{"type":"Point","coordinates":[100.77,22.0]},"properties":{"external_id":"s1","name_zh":"演示-站","kind":"hospital"}},
        {"type":"Feature","geometry":{"type":"Point","coordinates":[100.77,22.0]},"properties":{"external_id":"s2","name_zh":"演示-站","kind":"hospital","planned":"maybe"}}]}"#;
    let (e, _) = import_err(&[("stations.geojson", gj)]);
    assert!(
        e.to_string()
            .contains("stations.geojson, features[1], field planned: \"maybe\" is not a boolean"),
        "{e}"
    );

    let (e, _) = import_err(&[("people.csv", "a\n1\n")]);
    assert!(e.to_string().contains("unknown file name"), "{e}");
}

#[test]
fn import_is_atomic_across_files() {
    // Good stations, warehouses, stock and shelters; one bad unit row → nothing at all.
    let bad_units = UNITS.replace("out_of_service", "on_scene");
    let (e, store) = import_err(&[
        ("stations.csv", STATIONS),
        ("warehouses.csv", WAREHOUSES),
        ("stock.csv", STOCK),
        ("shelters.csv", SHELTERS),
        ("units.csv", &bad_units),
    ]);
    assert_eq!(e.field.as_deref(), Some("status"));
    assert!(store.cached_situation().stations.is_empty());
    // A record refused by the situation rules (stock-take below the reserved quantity) also
    // rolls back the whole import and names its row.
    let dir = tempfile::tempdir().unwrap();
    let paths = full_set(dir.path());
    let mut store = Store::open_in_memory().unwrap();
    store.import(&paths, "t").unwrap();
    let wh = store.situation().unwrap().warehouse_by_external_id("wh-1").unwrap().id;
    store
        .append(
            "op",
            "s",
            None,
            EventKind::StockReserved {
                warehouse: wh,
                item_code: "tent".into(),
                quantity: 100,
                incident: None,
            },
        )
        .unwrap();
    let before = store.event_count().unwrap();
    write_set(
        dir.path(),
        &[
            ("stock.csv", &STOCK.replace("120", "50")),
            ("stations.csv", &STATIONS.replace("Demo A", "Demo A2")),
        ],
    );
    let err = store.import(&paths, "t").unwrap_err();
    assert!(
        err.to_string()
            .contains("stock.csv, line 2: refused by the situation rules"),
        "{err}"
    );
    assert_eq!(store.event_count().unwrap(), before);
    assert_eq!(
        store
            .situation()
            .unwrap()
            .station_by_external_id("st-1")
            .unwrap()
            .spec
            .name_en,
        "Demo A"
    );
}

#[test]
fn geojson_import_equals_csv_import() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write_set(dir.path(), &[("stations.csv", STATIONS)]);
    let gj = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","geometry":{"type":"Point","coordinates":[100.770536,22.002969]},
       "properties":{"external_id":"st-1","name_zh":"演示-甲站","name_en":"Demo A","kind":"fire_station","county":"景洪市","planned":false,"demo":true}},
      {"type":"Feature","geometry":{"type":"Point","coordinates":[100.451376,21.960022]},
       "properties":{"external_id":"st-2","name_zh":"演示-乙站, 二号","name_en":"Demo B","kind":"township_fire_team_l1","county":"勐海县","planned":null,"demo":"yes"}}]}"#;
    let gdir = tempfile::tempdir().unwrap();
    let geo = write_set(gdir.path(), &[("stations.geojson", gj)]);
    let mut a = Store::open_in_memory().unwrap();
    a.import(&csv, "t").unwrap();
    let mut b = Store::open_in_memory().unwrap();
    b.import(&geo, "t").unwrap();
    assert_eq!(a.situation().unwrap().stations, b.situation().unwrap().stations);
    // And a GeoJSON re-import onto the CSV-imported store changes nothing.
    assert_eq!(a.import(&geo, "t").unwrap().events_appended, 0);
}

fn demo_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna/demo")
}

#[test]
fn export_then_import_round_trips() {
    let mut a = Store::open_in_memory().unwrap();
    a.load_demo(&demo_dir()).unwrap();
    let out1 = tempfile::tempdir().unwrap();
    let rep = a.export(out1.path()).unwrap();
    assert_eq!(rep.files.len(), 5);
    let mut b = Store::open_in_memory().unwrap();
    b.load_demo(out1.path()).unwrap();
    // Same records; only the log times (when each import ran) differ.
    assert_eq!(
        a.situation().unwrap().without_log_times(),
        b.situation().unwrap().without_log_times()
    );
    // Exporting again gives byte-identical files, and re-importing them appends nothing.
    let out2 = tempfile::tempdir().unwrap();
    b.export(out2.path()).unwrap();
    for f in [
        "stations.csv",
        "units.csv",
        "warehouses.csv",
        "stock.csv",
        "shelters.csv",
    ] {
        assert_eq!(
            std::fs::read(out1.path().join(f)).unwrap(),
            std::fs::read(out2.path().join(f)).unwrap(),
            "{f}"
        );
    }
    assert_eq!(a.load_demo(out2.path()).unwrap().events_appended, 0);
}

#[test]
fn demo_scenario_matches_the_published_counts() {
    let mut s = Store::open_in_memory().unwrap();
    s.load_demo(&demo_dir()).unwrap();
    let sit = s.situation().unwrap();
    let stations = |k: StationKind| sit.stations.values().filter(|s| s.spec.kind == k).count();
    assert_eq!(stations(StationKind::TownshipFireTeamL1), 13);
    assert_eq!(stations(StationKind::TownshipFireTeamL2), 16);
    assert_eq!(sit.stations.values().filter(|s| s.spec.planned).count(), 4);
    assert!(
        sit.stations
            .values()
            .filter(|s| s.spec.planned)
            .all(|s| s.spec.kind == StationKind::FireStation)
    );
    assert_eq!(sit.shelters.len(), 19);
    let wh = |k: crate::model::WarehouseKind| sit.warehouses.values().filter(|w| w.spec.kind == k).count();
    use crate::model::WarehouseKind as W;
    assert_eq!(
        (
            wh(W::ReliefSupplies),
            wh(W::FloodControl),
            wh(W::ForestFire),
            wh(W::WaterRescue),
            wh(W::ForestFireTeamDepot),
            wh(W::Police)
        ),
        (4, 1, 1, 1, 10, 1)
    );
    assert_eq!(
        sit.units
            .values()
            .filter(|u| u.spec.unit_type == UnitType::TransportVehicle)
            .count(),
        50
    );
    let mohan: Vec<_> = sit
        .units
        .values()
        .filter(|u| u.spec.unit_type == UnitType::CrossBorderRescueTeam)
        .collect();
    assert_eq!(mohan.len(), 1);
    assert_eq!(mohan[0].spec.crew, 30);
    assert!(
        sit.warehouses
            .values()
            .any(|w| w.spec.kind == W::TeamEquipment && !w.stock.is_empty())
    );
    // Everything is marked demo and named 演示-…; township teams carry the county-seat caveat.
    assert!(
        sit.stations
            .values()
            .all(|s| s.spec.demo && s.spec.name_zh.starts_with("演示-"))
    );
    assert!(
        sit.units
            .values()
            .all(|u| u.spec.demo && u.spec.name_zh.starts_with("演示-"))
    );
    assert!(
        sit.warehouses
            .values()
            .all(|w| w.spec.demo && w.spec.name_zh.starts_with("演示-"))
    );
    assert!(sit.warehouses.values().flat_map(|w| w.stock.values()).all(|l| l.demo));
    assert!(
        sit.shelters
            .values()
            .all(|s| s.spec.demo && s.spec.name_zh.starts_with("演示-"))
    );
    for s in sit.stations.values().filter(|s| {
        matches!(
            s.spec.kind,
            StationKind::TownshipFireTeamL1 | StationKind::TownshipFireTeamL2
        )
    }) {
        assert_eq!(
            s.spec.position_note, "position unknown: county seat used",
            "{}",
            s.spec.name_zh
        );
    }
    // Every position lies within 1.5 km of one of the seven published anchor points.
    let anchors = [
        [100.770536, 22.002969],
        [100.796653, 22.010211],
        [100.451376, 21.960022],
        [101.563343, 21.461995],
        [101.682395, 21.185585],
        [101.38333, 22.45],
        [100.41695, 22.19939],
    ];
    let near = |p: crate::model::LonLat| {
        anchors
            .iter()
            .any(|a| crate::geom::haversine_m(*a, p.lonlat()) < 1500.0)
    };
    assert!(sit.stations.values().all(|s| near(s.spec.lonlat)));
    assert!(sit.units.values().all(|u| near(u.lonlat)));
    assert!(sit.warehouses.values().all(|w| near(w.spec.lonlat)));
    assert!(sit.shelters.values().all(|s| near(s.spec.lonlat)));
}

#[test]
fn export_order_lists_every_column_once() {
    for t in import::tests_support::tables() {
        let (req, opt) = import::tests_support::columns(t);
        let mut a: Vec<&str> = [req, opt].concat();
        let mut b = import::tests_support::order(t).to_vec();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
    }
}

#[test]
fn ambiguous_or_invisible_unit_identities_are_refused_naming_both_records() {
    let units = |rows: &str| format!("{}{rows}", UNITS.lines().next().unwrap().to_owned() + "\n");
    let row = |ext: &str, call: &str| format!("{ext},{call},演示-车,ambulance,3,,100.45,21.96,available,,true\n");
    let cases: Vec<(String, usize, &str, &str)> = vec![
        // duplicate callsign
        (
            units(&(row("u-1", "JH-01") + &row("u-2", "JH-01"))),
            3,
            "callsign",
            "is already the callsign of unit \"u-1\"",
        ),
        // a callsign equal to another unit's external id
        (
            units(&(row("u-1", "JH-01") + &row("u-2", "u-1"))),
            3,
            "callsign",
            "is already the external_id of unit \"u-1\"",
        ),
        // an external id equal to another unit's callsign
        (
            units(&(row("u-1", "JH-01") + &row("JH-01", "MH-01"))),
            3,
            "external_id",
            "callsign of unit \"u-1\"",
        ),
        // numeric ids shadow unit numbers
        (
            units(&row("7", "JH-01")),
            2,
            "external_id",
            "would be taken for unit number 7",
        ),
        (units(&row("u-1", "0042")), 2, "callsign", "bare number"),
        // invisible and control characters
        (units(&row("u-1\u{0}", "JH-01")), 2, "external_id", "U+0000"),
        (units(&row("u-1", "JH\u{200B}-01")), 2, "callsign", "U+200B"),
        (units(&row("u-1", "\u{202E}10-HJ")), 2, "callsign", "U+202E"),
        (units(&row("\"u-1\nx\"", "JH-01")), 2, "external_id", "U+000A"),
    ];
    for (text, line, field, needle) in cases {
        let (e, _) = import_err(&[("units.csv", &text)]);
        assert_eq!(e.location, super::import::Location::Line(line), "{text:?}: {e}");
        assert_eq!(e.field.as_deref(), Some(field), "{text:?}: {e}");
        assert!(e.to_string().contains(needle), "{text:?}: {e}");
    }
    // Station and stock ids are checked for invisible characters too.
    let (e, _) = import_err(&[("stations.csv", &STATIONS.replace("st-2", "st-2\u{FEFF}"))]);
    assert!(
        e.to_string().contains("U+FEFF") && e.field.as_deref() == Some("external_id"),
        "{e}"
    );

    // Against the store: a second import whose callsign is a stored unit's callsign.
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_in_memory().unwrap();
    store
        .import(
            &write_set(dir.path(), &[("units.csv", &units(&row("u-1", "JH-01")))]),
            "t",
        )
        .unwrap();
    let before = store.event_count().unwrap();
    let err = store
        .import(
            &write_set(dir.path(), &[("units.csv", &units(&row("u-9", "JH-01")))]),
            "t",
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("line 2") && err.contains("unit number 1 in the store"),
        "{err}"
    );
    assert_eq!(store.event_count().unwrap(), before);
    // Re-importing the same unit with a changed callsign is an update, not a conflict.
    let r = store
        .import(
            &write_set(dir.path(), &[("units.csv", &units(&row("u-1", "JH-02")))]),
            "t",
        )
        .unwrap();
    assert_eq!(r.updated, 1);
}

#[test]
fn ambiguous_or_invisible_station_warehouse_and_shelter_identities_are_refused() {
    let header = |t: &str| t.lines().next().unwrap().to_owned() + "\n";
    let st_row = |ext: &str| format!("{ext},演示-站,,fire_station,100.77,22.0,,false,true\n");
    let wh_row = |ext: &str| format!("{ext},演示-库,relief_supplies,100.79,22.01\n");
    let sh_row = |ext: &str| format!("{ext},演示-避难所,100.78,22.0,800,true,0\n");
    let stock_row = |wh: &str, item: &str| format!("{wh},{item},帐篷,Tent,顶,1,true\n");
    let st = |rows: String| ("stations.csv", header(STATIONS) + &rows);
    let wh = |rows: String| ("warehouses.csv", header(WAREHOUSES) + &rows);
    let sh = |rows: String| ("shelters.csv", header(SHELTERS) + &rows);
    /// Files of one import, and the file, line, field and text of the refusal.
    type Case<'a> = (Vec<(&'a str, String)>, &'a str, usize, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        // The same external id twice in one import (also across two files of one table).
        (
            vec![st(st_row("st-1") + &st_row("st-1"))],
            "stations.csv",
            3,
            "external_id",
            "duplicate \"st-1\" (first at ",
        ),
        (
            vec![wh(wh_row("wh-1") + &wh_row("wh-1"))],
            "warehouses.csv",
            3,
            "external_id",
            "duplicate \"wh-1\"",
        ),
        (
            vec![sh(sh_row("sh-1") + &sh_row("sh-1"))],
            "shelters.csv",
            3,
            "external_id",
            "duplicate \"sh-1\"",
        ),
        // Bare numbers would be taken for the record's own number.
        (
            vec![st(st_row("12"))],
            "stations.csv",
            2,
            "external_id",
            "would be taken for station number 12",
        ),
        (
            vec![wh(wh_row("3"))],
            "warehouses.csv",
            2,
            "external_id",
            "would be taken for warehouse number 3",
        ),
        (
            vec![sh(sh_row("007"))],
            "shelters.csv",
            2,
            "external_id",
            "would be taken for shelter number 007",
        ),
        // Invisible and control characters.
        (
            vec![wh(wh_row("wh\u{200B}-1"))],
            "warehouses.csv",
            2,
            "external_id",
            "U+200B",
        ),
        (
            vec![sh(sh_row("\u{202E}1-hs"))],
            "shelters.csv",
            2,
            "external_id",
            "U+202E",
        ),
        (
            vec![st(st_row("st-1\u{7}"))],
            "stations.csv",
            2,
            "external_id",
            "U+0007",
        ),
        // Separators of --reserve WAREHOUSE:ITEM:QUANTITY.
        (
            vec![wh(wh_row("wh:1"))],
            "warehouses.csv",
            2,
            "external_id",
            "must not hold ':'",
        ),
        (
            vec![
                wh(wh_row("wh-1")),
                ("stock.csv", header(STOCK) + &stock_row("wh-1", "\"tent,large\"")),
            ],
            "stock.csv",
            2,
            "item_code",
            "must not hold ','",
        ),
    ];
    for (files, file, line, field, needle) in cases {
        let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
        let (e, _) = import_err(&files);
        assert!(e.file.ends_with(file), "{files:?}: {e}");
        assert_eq!(e.location, super::import::Location::Line(line), "{files:?}: {e}");
        assert_eq!(e.field.as_deref(), Some(field), "{files:?}: {e}");
        assert!(e.to_string().contains(needle), "{files:?}: {e}");
    }
    // A station id in both a CSV and a GeoJSON file of the same import.
    let dir = tempfile::tempdir().unwrap();
    let geo = r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[100.7,22.0]},"properties":{"external_id":"st-1","name_zh":"演示-站","kind":"fire_station"}}]}"#;
    let paths = write_set(
        dir.path(),
        &[
            ("stations.csv", &(header(STATIONS) + &st_row("st-1"))),
            ("stations.geojson", geo),
        ],
    );
    let mut store = Store::open_in_memory().unwrap();
    let err = store.import(&paths, "t").unwrap_err().to_string();
    assert!(err.contains("duplicate \"st-1\""), "{err}");
    assert_eq!(store.event_count().unwrap(), 0);
}
