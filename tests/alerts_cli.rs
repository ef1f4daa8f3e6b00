//! `onemap alerts import|list|drafts` and `onemap warning new|update|cancel` as a user runs them,
//! on a real SQLite file, with the documents of tests/data/alerts (provenance in its README).

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::path::{Path, PathBuf};

use common::{fails_with, ok, onemap};
use serde_json::Value;

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/alerts")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn new_db(dir: &Path) -> String {
    let db = dir.join("a.db").to_str().unwrap().to_owned();
    ok(&onemap(&["db", "init", "--db", &db]));
    db
}

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn import_reports_every_document_per_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let out = ok(&onemap(&[
        "alerts",
        "import",
        "--db",
        &db,
        "--now",
        "2026-07-15T08:00:00Z",
        &data("synthetic_xsbn_rainstorm_orange.cap"),
        &data("canada.cap"),
        &data("xee.cap"),
        &data("usgs_all_hour_2017-12-03.geojson"),
        &data("ny_index.rss"),
        "--json",
    ]));
    let v = json(&out);
    let m = v["messages"].as_array().unwrap();
    assert_eq!(m.len(), 5);
    let orange = &m[0];
    assert_eq!(orange["kind"], "cap");
    assert_eq!(orange["identifier"], "SYNTHETIC-532800-20260715140000-0001");
    assert_eq!(orange["sender"], "synthetic.test.sender");
    assert_eq!(orange["sent"], "2026-07-15T14:00:00+08:00");
    assert_eq!(orange["msg_type"], "Alert");
    assert_eq!(orange["status"], "Actual");
    assert_eq!(orange["decision"], "new");
    assert_eq!(orange["error"], Value::Null);
    assert_eq!(orange["infos"][0]["language"], "zh-CN");
    assert_eq!(orange["infos"][0]["event"], "暴雨橙色预警");
    assert_eq!(orange["infos"][0]["severity"], "Severe");
    assert_eq!(orange["infos"][0]["expires"], "2026-07-16T06:00:00.000Z");
    assert_eq!(orange["areas"][0]["polygons"], 0);
    assert_eq!(
        orange["areas"][0]["geocodes"][0],
        serde_json::json!(["CPEAS Geographic Code", "532801000000"])
    );
    assert_eq!(orange["areas"][0]["resolved"], serde_json::json!(["532801", "532823"]));
    let canada = &m[1];
    assert_eq!(canada["msg_type"], "Update");
    assert_eq!(
        canada["references"][0],
        serde_json::json!([
            "cap@ec.gc.ca",
            "2.49.0.1.124.a3f342a4.2012",
            "2012-05-02T21:45:05-00:00"
        ])
    );
    assert_eq!(canada["decision"], "update");
    assert!(m[2]["error"].as_str().unwrap().contains("xee.cap"));
    assert_eq!(m[2]["decision"], "rejected");
    assert_eq!(m[3]["kind"], "usgs");
    assert_eq!(m[3]["quakes"].as_array().unwrap().len(), 8);
    assert_eq!(m[3]["quakes"][7]["id"], "us1000bknk");
    assert_eq!(m[3]["quakes"][7]["magnitude"], 4.7);
    assert_eq!(m[3]["quakes"][7]["time_ms"], 1_512_339_997_990_i64);
    assert_eq!(m[3]["quakes"][7]["depth_km"], 114.05);
    assert_eq!(m[4]["kind"], "feed");
    assert_eq!(m[4]["entries"], 2);

    // The events are in the log: 4 arrivals (the index is not one) and 1 rule notice.
    let events = ok(&onemap(&["events", "--db", &db]));
    let kinds: Vec<String> = events
        .lines()
        .map(|l| json(l)["kind"]["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(kinds.iter().filter(|k| *k == "alert_received").count(), 4, "{kinds:?}");
    assert_eq!(
        kinds.iter().filter(|k| *k == "alert_rule_fired").count(),
        1,
        "{kinds:?}"
    );
}

#[test]
fn only_unreadable_documents_exit_1_with_the_json_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let junk = dir.path().join("junk.json");
    std::fs::write(&junk, b"{\"hello\": 1}").unwrap();
    let out = onemap(&[
        "alerts",
        "import",
        "--db",
        &db,
        &data("xee.cap"),
        junk.to_str().unwrap(),
        "--json",
    ]);
    // With --json the answer is the one JSON object on stdout (it names each error), exit 1.
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(v["messages"].as_array().unwrap().len(), 2);
    assert!(v["messages"][1]["error"].as_str().unwrap().contains("junk.json"));
}

#[test]
fn list_gives_geojson_of_active_alerts_with_placed_areas() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let folder = dir.path().join("drop");
    std::fs::create_dir(&folder).unwrap();
    for f in [
        "synthetic_xsbn_rainstorm_orange.cap",
        "synthetic_prefixed_bom_signed.cap",
        "synthetic_usgs_near_xsbn.geojson",
    ] {
        std::fs::copy(data(f), folder.join(f)).unwrap();
    }
    ok(&onemap(&[
        "alerts",
        "import",
        "--db",
        &db,
        "--now",
        "2026-07-15T08:00:00Z",
        folder.to_str().unwrap(),
    ]));
    let out = ok(&onemap(&[
        "alerts",
        "list",
        "--db",
        &db,
        "--at",
        "2026-07-15T10:00:00Z",
        "--json",
    ]));
    let v = json(&out);
    assert_eq!(v["type"], "FeatureCollection");
    let feats = v["features"].as_array().unwrap();
    let alerts: Vec<&Value> = feats.iter().filter(|f| f["properties"]["kind"] == "alert").collect();
    assert_eq!(alerts.len(), 2);
    let orange = alerts
        .iter()
        .find(|f| f["properties"]["identifier"] == "SYNTHETIC-532800-20260715140000-0001")
        .unwrap();
    assert_eq!(orange["properties"]["level"], "orange");
    assert_eq!(orange["geometry"]["type"], "MultiPolygon");
    // Jinghong's and Mengla's county polygons (the township fell back to its county).
    assert_eq!(orange["geometry"]["coordinates"].as_array().unwrap().len(), 2);
    let res = &orange["properties"]["areas"][0]["resolved"];
    assert_eq!(res[1]["requested"], "532823101000");
    assert_eq!(res[1]["exact"], false);
    assert_eq!(res[2]["used"], Value::Null);
    let geo = alerts
        .iter()
        .find(|f| f["properties"]["identifier"] == "SYNTHETIC-PREFIX-0001")
        .unwrap();
    assert_eq!(geo["properties"]["level"], "yellow", "Moderate → yellow by alerts.toml");
    // Polygon as given plus the circle as a ring.
    assert_eq!(geo["geometry"]["coordinates"].as_array().unwrap().len(), 2);
    let quakes = feats.iter().filter(|f| f["properties"]["kind"] == "earthquake").count();
    assert_eq!(quakes, 3);
    // After the orange warning's expiry only the geological one (expires 06:30Z on the 16th) …
    let later = json(&ok(&onemap(&[
        "alerts",
        "list",
        "--db",
        &db,
        "--at",
        "2026-07-16T06:10:00Z",
    ])));
    let ids: Vec<&str> = later["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["identifier"].as_str())
        .collect();
    assert_eq!(ids, ["SYNTHETIC-PREFIX-0001"]);
    // The earthquake rule proposed drafts awaiting approval.
    let drafts = json(&ok(&onemap(&["alerts", "drafts", "--db", &db, "--json"])));
    let with_draft = drafts["firings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["draft"].is_null())
        .count();
    assert_eq!(with_draft, 2);
}

#[test]
fn warnings_new_update_cancel_write_cap_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let out1: PathBuf = dir.path().join("w1.xml");
    let v = json(&ok(&onemap(&[
        "warning",
        "new",
        "--db",
        &db,
        "--type",
        "rainstorm",
        "--level",
        "orange",
        "--area",
        "532801,532823101000",
        "--headline",
        "西双版纳州发布暴雨橙色预警",
        "--headline-en",
        "Orange rainstorm warning for Jinghong and Mengla",
        "--sent",
        "2026-07-15T06:00:00Z",
        "--expires",
        "2026-07-16T06:00:00Z",
        "--out",
        out1.to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(v["identifier"], "532800000000000000_202607151400000001");
    assert_eq!(v["msg_type"], "Alert");
    // Read back by the importer: the same message is a duplicate of the issued one.
    let imported = json(&ok(&onemap(&[
        "alerts",
        "import",
        "--db",
        &db,
        "--now",
        "2026-07-15T07:00:00Z",
        out1.to_str().unwrap(),
        "--json",
    ])));
    let m = &imported["messages"][0];
    assert_eq!(m["identifier"], v["identifier"]);
    assert_eq!(m["sent"], "2026-07-15T14:00:00+08:00");
    assert_eq!(m["decision"], "duplicate");
    assert_eq!(m["infos"][1]["language"], "en-US");
    assert_eq!(m["areas"][0]["resolved"], serde_json::json!(["532801", "532823"]));

    let out2 = dir.path().join("w2.xml");
    let u = json(&ok(&onemap(&[
        "warning",
        "update",
        "--db",
        &db,
        "--ref",
        "532800000000000000_202607151400000001",
        "--level",
        "red",
        "--sent",
        "2026-07-15T08:00:00Z",
        "--out",
        out2.to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(u["identifier"], "532800000000000000_202607151600000002");
    assert_eq!(
        u["references"][0],
        serde_json::json!([
            "532800000000",
            "532800000000000000_202607151400000001",
            "2026-07-15T14:00:00+08:00"
        ])
    );
    assert_eq!(u["level"], "red");
    let out3 = dir.path().join("w3.xml");
    let c = json(&ok(&onemap(&[
        "warning",
        "cancel",
        "--db",
        &db,
        "--ref",
        "532800000000000000_202607151600000002",
        "--sent",
        "2026-07-15T10:00:00Z",
        "--out",
        out3.to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(c["msg_type"], "Cancel");
    let xml = std::fs::read_to_string(&out3).unwrap();
    assert!(
        xml.contains("<msgType>Cancel</msgType>") && xml.contains("暴雨红色预警解除"),
        "{xml}"
    );
    let list = json(&ok(&onemap(&[
        "alerts",
        "list",
        "--db",
        &db,
        "--at",
        "2026-07-15T11:00:00Z",
    ])));
    assert_eq!(list["features"].as_array().unwrap().len(), 0, "cancelled");
    let mid = json(&ok(&onemap(&[
        "alerts",
        "list",
        "--db",
        &db,
        "--at",
        "2026-07-15T09:00:00Z",
    ])));
    // The log is the truth, but `list` shows the current lifecycle: the chain ended cancelled.
    assert_eq!(mid["features"].as_array().unwrap().len(), 0);
    let new_warning = |args: &[&str]| {
        let mut all = vec!["warning", "new", "--db", &db, "--expires", "2026-07-16T06:00:00Z"];
        all.extend_from_slice(args);
        onemap(&all)
    };
    let tsunami = [
        "--type",
        "tsunami",
        "--level",
        "red",
        "--area",
        "532801",
        "--out",
        "/dev/null",
    ];
    fails_with(&new_warning(&tsunami), "unknown --type tsunami");
    // A polygon that crosses itself (a bow tie) is refused in both languages; nothing written.
    let out = dir.path().join("bowtie.xml");
    let bowtie = "22.0,100.7 22.2,100.9 22.0,100.9 22.2,100.7";
    let args = [
        "--type",
        "rainstorm",
        "--level",
        "yellow",
        "--polygon",
        bowtie,
        "--out",
        out.to_str().unwrap(),
    ];
    let line = fails_with(&new_warning(&args), "自相交");
    assert!(line.contains("crosses itself"), "{line}");
    assert!(!out.exists());
}
