//! Reader, semantics and rule tests on the real messages in tests/data/alerts (provenance in its
//! README) and on the synthetic edge cases there. Expected values are read off the documents by
//! hand (or, for times, from a second field of the same document), never from our own output.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use super::areas::AreaIndex;
use super::cap::read_cap;
use super::config::AlertsConfig;
use super::detect::{Document, read_document};
use super::error::AlertReadError;
use super::feed::read_feed;
use super::ingest::Importer;
use super::time::parse_cap_time;
use super::writer::{self, MsgType, WarningSpec, WarningTexts};
use crate::mappack::MapPack;
use crate::model::alert::{AlertDecision, AlertFormat, AlertKey, AlertLifecycle, WarningLevel};
use crate::model::incident::Severity;
use crate::store::Store;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/alerts")
        .join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap()
}

fn pack() -> MapPack {
    MapPack::load(Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna")).unwrap()
}

fn quakes_of(name: &str) -> (AlertFormat, Vec<crate::model::QuakeRecord>) {
    match read_document(&bytes(name), name).unwrap().0 {
        Document::Quakes { format, quakes } => (format, quakes),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn usgs_cap_with_circle_lat_lon_swapped() {
    let a = read_cap(&bytes("earthquake.cap"), "earthquake.cap").unwrap();
    let r = &a.record;
    assert_eq!(r.key.identifier, "USGS-earthquakes-us2010apcd.6.20100831T000925.496Z");
    assert_eq!(r.msg_type, "Alert");
    assert_eq!(r.status, "Actual");
    let c = &r.areas[0].circles[0];
    // <circle>-16.053,-173.274 0.0</circle>: latitude first.
    assert_eq!(c.center_lonlat, [-173.274, -16.053]);
    assert_eq!(c.radius_km, 0.0);
    // The file declares CAP 1.1 (`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1">`).
    assert_eq!(a.namespace, "urn:oasis:names:tc:emergency:cap:1.1");
}

#[test]
fn iso_8859_1_signed_and_prefixed_messages_read() {
    let a = read_cap(&bytes("earthquake-iso8859-1.cap"), "x").unwrap();
    assert!(
        a.record.infos[0].headline.contains("Usulután"),
        "{}",
        a.record.infos[0].headline
    );
    let s = read_cap(&bytes("earthquake_signed.cap"), "x").unwrap();
    assert!(s.record.key.identifier.starts_with("USGS-earthquakes-"));
    let au = read_cap(&bytes("australia.cap"), "x").unwrap();
    assert_eq!(au.record.key.identifier, "tag:www.rfs.nsw.gov.au2011-10-06:40184");
    assert_eq!(au.record.key.sent, "2011-10-05T23:04:00+10:00");
    assert_eq!(au.record.sent_ms, parse_cap_time("2011-10-05T13:04:00Z"));
    let syn = read_cap(&bytes("synthetic_prefixed_bom_signed.cap"), "x").unwrap();
    assert_eq!(syn.record.key.identifier, "SYNTHETIC-PREFIX-0001");
    assert_eq!(syn.record.areas[0].polygons[0][0], [100.10, 21.95]);
    assert_eq!(syn.record.areas[0].circles[0].radius_km, 10.0);
}

#[test]
fn canada_update_references_and_languages() {
    let a = read_cap(&bytes("canada.cap"), "canada.cap").unwrap();
    let r = &a.record;
    assert_eq!(r.msg_type, "Update");
    assert_eq!(
        r.references,
        vec![
            AlertKey {
                sender: "cap@ec.gc.ca".into(),
                identifier: "2.49.0.1.124.a3f342a4.2012".into(),
                sent: "2012-05-02T21:45:05-00:00".into()
            },
            AlertKey {
                sender: "cap@ec.gc.ca".into(),
                identifier: "2.49.0.1.124.60f31a3a.2012".into(),
                sent: "2012-05-02T21:55:21-00:00".into()
            },
        ]
    );
    let langs: Vec<&str> = r.infos.iter().map(|i| i.language.as_str()).collect();
    assert_eq!(langs, ["en-CA", "fr-CA"]);
    // First polygon point "42.3481,-82.9314".
    assert_eq!(r.areas[0].polygons[0][0], [-82.9314, 42.3481]);
    let signed = read_cap(&bytes("canada_signed.cap"), "x").unwrap();
    assert_eq!(signed.record.references.len(), 9);
}

#[test]
fn xxe_refused_and_bad_documents_name_the_file() {
    let e = read_cap(&bytes("xee.cap"), "tests/xee.cap").unwrap_err();
    assert_eq!(
        e,
        AlertReadError::Dtd {
            file: "tests/xee.cap".into()
        }
    );
    // Missing scope is tolerated (empty); a missing identifier is not.
    let inv = read_cap(&bytes("invalid.cap"), "invalid.cap").unwrap();
    assert_eq!(inv.record.scope, "");
    let no_id = String::from_utf8(bytes("invalid.cap"))
        .unwrap()
        .replace("<identifier>12345</identifier>", "");
    let e = read_cap(no_id.as_bytes(), "noid.cap").unwrap_err();
    assert!(
        e.to_string().contains("noid.cap") && e.to_string().contains("alert/identifier"),
        "{e}"
    );
    let bad_poly = String::from_utf8(bytes("synthetic_prefixed_bom_signed.cap"))
        .unwrap()
        .replace("21.95,100.10 21.95,100.40", "100.10,21.95 21.95,200.40");
    let e = read_cap(bad_poly.as_bytes(), "p.cap").unwrap_err();
    assert!(e.to_string().contains("alert/info[0]/area[0]/polygon[0]"), "{e}");
    assert!(matches!(
        read_document(b"<html><body/></html>", "page.html"),
        Err(AlertReadError::UnknownRoot { .. })
    ));
}

#[test]
fn feed_indexes() {
    let atom = read_feed(&bytes("earthquake_index.atom"), "x").unwrap();
    assert_eq!(atom.len(), 1);
    assert_eq!(atom[0].id, "urn:earthquake-usgs-gov:us:2010apcd");
    assert_eq!(
        atom[0].cap_url.as_deref(),
        Some("http://earthquake.usgs.gov/earthquakes/catalogs/cap/us2010apcd")
    );
    let rss = read_feed(&bytes("ny_index.rss"), "x").unwrap();
    assert_eq!(rss.len(), 2);
    assert_eq!(rss[0].id, "NYAlert-ALLHAZALERT-3167113");
    assert_eq!(
        rss[0].cap_url.as_deref(),
        Some("http://www.nyalert.gov/Public/News/GetCapAlert.aspx?capID=NYAlert-ALLHAZALERT-3167113")
    );
    let nws = read_feed(&bytes("weather_index.atom"), "x").unwrap();
    let expected = String::from_utf8(bytes("weather_index.atom"))
        .unwrap()
        .matches("<entry>")
        .count();
    assert!(expected > 0);
    assert_eq!(nws.len(), expected);
    assert!(nws.iter().all(|e| e.cap_url.is_some()));
}

#[test]
fn usgs_summary_feed() {
    let (format, q) = quakes_of("usgs_all_hour_2017-12-03.geojson");
    assert_eq!(format, AlertFormat::Usgs);
    assert_eq!(q.len(), 8);
    assert_eq!(q[0].id, "nc72934355");
    assert_eq!(q[0].magnitude, 1.93);
    assert_eq!(q[0].time_ms, 1_512_342_790_490);
    assert_eq!(q[0].updated_ms, Some(1_512_342_889_220));
    assert_eq!(q[0].lonlat.lonlat(), [-122.127_166_7, 40.369_998_9]);
    assert_eq!(q[0].depth_km, Some(7.93));
    assert!(q[0].provisional);
    assert_eq!(q[7].id, "us1000bknk");
    assert_eq!(q[7].status, "reviewed");
    assert!(!q[7].provisional);
}

#[test]
fn cenc_both_shapes_beijing_time_to_utc() {
    let (format, old) = quakes_of("cenc_speedsearch_2019-12-12.json");
    assert_eq!(format, AlertFormat::Cenc);
    assert_eq!(old.len(), 10);
    let yn = old.iter().find(|q| q.place == "云南保山市施甸县").unwrap();
    assert_eq!(yn.id, "CD20191211000252");
    assert!(yn.ids.contains(&"CD20191211000252.00".to_string()));
    assert_eq!(yn.magnitude, 3.4);
    assert_eq!(yn.depth_km, Some(8.0));
    // O_TIME 2019-12-11 00:02:52 is Beijing time: 2019-12-10 16:02:52 UTC.
    assert_eq!(Some(yn.time_ms), parse_cap_time("2019-12-10T16:02:52Z"));
    assert!(!yn.provisional);
    let (_, new) = quakes_of("cenc_catalogs_2026-03-24.json");
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].id, "CC1774327070000");
    // Independent check: the record's own earthquakeEvent.origin.oriTime in ms.
    assert_eq!(new[0].time_ms, 1_774_327_070_000);
    assert_eq!(new[0].magnitude, 7.6);
    assert_eq!(new[0].place, "汤加群岛");
    // A JSONP wrapper is accepted, a broken record names its index and field.
    let wrapped = format!(
        "({})",
        String::from_utf8(bytes("cenc_speedsearch_2019-12-12.json")).unwrap()
    );
    assert!(read_document(wrapped.as_bytes(), "w").is_ok());
    let broken = String::from_utf8(bytes("cenc_speedsearch_2019-12-12.json"))
        .unwrap()
        .replacen("\"O_TIME\":\"2019-12-12 10:08:23\"", "\"O_TIME\":\"yesterday\"", 1);
    let e = read_document(broken.as_bytes(), "c.json").unwrap_err();
    assert!(e.to_string().contains("c.json: shuju[0].O_TIME"), "{e}");
}

#[test]
fn cpeas_codes_resolve_with_township_fallback() {
    let areas = AreaIndex::from_pack(&pack());
    assert_eq!(areas.root.as_deref(), Some("532800"));
    let jh = areas.resolve("532801000000");
    assert_eq!(
        (jh.used.as_deref(), jh.exact, jh.name_zh.as_str()),
        (Some("532801"), true, "景洪市")
    );
    let six = areas.resolve("532822");
    assert_eq!((six.used.as_deref(), six.exact), (Some("532822"), true));
    let town = areas.resolve("532823101000");
    assert_eq!((town.used.as_deref(), town.exact), (Some("532823"), false));
    assert!(
        town.note.contains("勐腊镇") && town.note.contains("勐腊县"),
        "{}",
        town.note
    );
    let pref = areas.resolve("532800000000");
    assert_eq!((pref.used.as_deref(), pref.exact), (Some("532800"), true));
    let unknown_county = areas.resolve("532899");
    assert_eq!(
        (unknown_county.used.as_deref(), unknown_county.exact),
        (Some("532800"), false)
    );
    let kunming = areas.resolve("530100000000");
    assert_eq!(kunming.used, None);
    assert!(!kunming.note.is_empty());
    assert_eq!(areas.resolve("53280").used, None);
    // Jinghong's seat is inside Jinghong; Kunming is far outside the prefecture.
    let inside: Vec<&str> = areas
        .containing([100.797, 22.001])
        .iter()
        .map(|a| a.code.as_str())
        .collect();
    assert!(inside.contains(&"532801") && inside.contains(&"532800"), "{inside:?}");
    let d = areas.distance_km("532800", [102.71, 25.04]).unwrap();
    assert!((250.0..600.0).contains(&d), "{d}");
}

struct Env {
    store: Store,
    cfg: AlertsConfig,
    areas: AreaIndex,
}

impl Env {
    fn new() -> Env {
        let p = pack();
        Env {
            store: Store::open_in_memory().unwrap(),
            cfg: AlertsConfig::load_for_pack(&p.dir).unwrap(),
            areas: AreaIndex::from_pack(&p),
        }
    }

    fn import(&mut self, name: &str, now: &str, drill: Option<&str>) -> super::ingest::ImportedMessage {
        let imp = Importer {
            cfg: &self.cfg,
            areas: &self.areas,
            operator: "t",
            seat: "s",
            drill,
        };
        imp.import_bytes(&mut self.store, name, &bytes(name), parse_cap_time(now).unwrap())
            .unwrap()
    }
}

const NOW: &str = "2026-07-15T08:00:00Z";

#[test]
fn update_and_cancel_chain() {
    let mut env = Env::new();
    let a = env.import("synthetic_xsbn_rainstorm_orange.cap", NOW, None);
    assert_eq!(a.decision, AlertDecision::New);
    assert_eq!(a.level.as_deref(), Some("orange"));
    assert_eq!(a.warning_type.as_deref(), Some("rainstorm"));
    assert_eq!(a.areas[0].resolved, ["532801", "532823"]);
    assert_eq!(a.notices.len(), 1, "orange rainstorm in the prefecture → notice");
    assert!(
        a.notices[0].contains("暴雨橙色预警") && a.notices[0].contains("景洪市"),
        "{:?}",
        a.notices
    );
    // Same message again: duplicate, logged, nothing changes.
    let dup = env.import("synthetic_xsbn_rainstorm_orange.cap", NOW, None);
    assert_eq!(dup.decision, AlertDecision::Duplicate);
    let u = env.import("synthetic_xsbn_rainstorm_update_red.cap", NOW, None);
    assert_eq!(u.decision, AlertDecision::Update);
    assert_eq!(u.level.as_deref(), Some("red"));
    let at = parse_cap_time("2026-07-15T12:00:00Z").unwrap();
    let sit = env.store.situation().unwrap().clone();
    let active: Vec<&str> = sit
        .alerts
        .active_at(at)
        .map(|e| e.record.key.identifier.as_str())
        .collect();
    assert_eq!(active, ["SYNTHETIC-532800-20260715180000-0002"]);
    let orange_key = "synthetic.test.sender,SYNTHETIC-532800-20260715140000-0001,2026-07-15T14:00:00+08:00";
    assert!(matches!(
        sit.alerts.alerts[orange_key].lifecycle,
        AlertLifecycle::Superseded { .. }
    ));
    let c = env.import("synthetic_xsbn_rainstorm_cancel.cap", NOW, None);
    assert_eq!(c.decision, AlertDecision::Cancel);
    let sit = env.store.situation().unwrap().clone();
    assert_eq!(sit.alerts.active_at(at).count(), 0);
    assert_eq!(sit.alerts.arrivals, 4);
    assert_eq!(sit.alerts.firings.len(), 2, "orange and red each gave a notice");
}

#[test]
fn exercise_test_and_expired() {
    let mut env = Env::new();
    let ex = env.import("synthetic_exercise.cap", NOW, None);
    assert_eq!(ex.decision, AlertDecision::Ignored);
    let t = env.import("synthetic_status_test.cap", NOW, None);
    assert_eq!(t.decision, AlertDecision::Ignored);
    assert!(t.reason.contains("Test"));
    // Arrived after its expiry (2026-07-16T06:00Z): kept, but expired.
    let late = env.import("synthetic_xsbn_rainstorm_orange.cap", "2026-07-17T00:00:00Z", None);
    assert_eq!(late.decision, AlertDecision::Expired);
    let sit = env.store.situation().unwrap().clone();
    assert_eq!(sit.alerts.alerts.len(), 1);
    assert_eq!(
        sit.alerts
            .active_at(parse_cap_time("2026-07-17T00:00:00Z").unwrap())
            .count(),
        0
    );
    assert_eq!(sit.alerts.arrivals, 3);
    // In a drill the exercise counts.
    env.store
        .append(
            "t",
            "s",
            None,
            crate::model::EventKind::DrillStarted {
                drill_id: "D1".into(),
                name: "演练".into(),
            },
        )
        .unwrap();
    let in_drill = env.import("synthetic_exercise.cap", NOW, Some("D1"));
    assert_eq!(in_drill.decision, AlertDecision::New);
    let real = env.store.situation().unwrap().clone();
    assert_eq!(
        real.alerts.alerts.len(),
        1,
        "drill arrivals stay out of the real situation"
    );
    let drill = env.store.drill_situation("D1").unwrap();
    assert_eq!(drill.alerts.alerts.len(), 2);
}

#[test]
fn earthquakes_dedupe_update_withdraw_and_draft() {
    let mut env = Env::new();
    let first = env.import("synthetic_usgs_near_xsbn.geojson", NOW, None);
    assert_eq!(first.decision, AlertDecision::New);
    assert!(first.quakes.iter().all(|q| q.decision == AlertDecision::New));
    let sit = env.store.situation().unwrap().clone();
    let drafts: Vec<_> = sit.alerts.firings.iter().filter_map(|f| f.draft.clone()).collect();
    // M5.3 inside → III (5.0–6.0 inside); M4.2 west of the border within 100 km → IV; far one: none.
    let areas = &env.areas;
    let d_west = areas.distance_km("532800", [99.40, 22.00]).unwrap();
    assert!((0.0..100.0).contains(&d_west) && d_west > 0.0, "{d_west}");
    assert_eq!(areas.distance_km("532800", [100.80, 21.85]), Some(0.0));
    let sev: Vec<Severity> = drafts.iter().map(|d| d.severity).collect();
    assert_eq!(sev, [Severity::III, Severity::IV]);
    assert!(
        sit.alerts.firings[0].notice_zh.contains("自动测定"),
        "{}",
        sit.alerts.firings[0].notice_zh
    );
    let second = env.import("synthetic_usgs_update_delete.geojson", NOW, None);
    let decisions: Vec<AlertDecision> = second.quakes.iter().map(|q| q.decision).collect();
    assert_eq!(decisions, [AlertDecision::Update, AlertDecision::Cancel]);
    let sit = env.store.situation().unwrap().clone();
    assert_eq!(sit.alerts.quakes.len(), 3, "the re-issued id maps onto the known event");
    assert_eq!(sit.alerts.quakes["us7000syn1"].quake.magnitude, 5.1);
    assert!(sit.alerts.quakes["us7000syn2"].withdrawn);
    assert_eq!(
        sit.alerts.firings.len(),
        2,
        "an update of a drafted quake drafts nothing new"
    );
    let again = env.import("synthetic_usgs_update_delete.geojson", NOW, None);
    assert!(
        again.quakes.iter().all(|q| q.decision == AlertDecision::Duplicate),
        "{again:?}"
    );
    // Real catalogues far from the prefecture draft nothing.
    env.import("usgs_all_hour_2017-12-03.geojson", NOW, None);
    env.import("cenc_speedsearch_2019-12-12.json", NOW, None);
    assert_eq!(env.store.situation().unwrap().alerts.firings.len(), 2);
}

#[test]
fn every_real_document_imports() {
    let mut env = Env::new();
    let mut names: Vec<String> = std::fs::read_dir(data(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md") && !n.starts_with("synthetic"))
        .collect();
    names.sort();
    for n in &names {
        let m = env.import(n, NOW, None);
        if n == "xee.cap" {
            assert_eq!(m.decision, AlertDecision::Rejected);
            assert!(m.error.as_deref().unwrap().contains("XXE"));
        } else {
            assert!(m.error.is_none(), "{n}: {:?}", m.error);
        }
    }
    assert_eq!(
        env.store.situation().unwrap().alerts.arrivals as usize,
        names.len() - 3,
        "feeds are not logged"
    );
}

#[test]
fn issued_warning_round_trips_through_the_reader() {
    let sent = parse_cap_time("2026-07-15T06:00:00Z").unwrap();
    let spec = WarningSpec {
        msg_type: MsgType::Update,
        status: "Actual".into(),
        sender: "532800000000".into(),
        sender_name: "西双版纳傣族自治州应急管理局".into(),
        identifier: writer::identifier("532800", "000000", sent, 7),
        sent_ms: sent,
        type_zh: "暴雨".into(),
        type_en: "Rainstorm".into(),
        level: WarningLevel::Orange,
        areas: vec![
            ("532801".into(), "景洪市".into()),
            ("532823101".into(), "勐腊镇".into()),
        ],
        polygon: Some(vec![[100.1, 21.9], [100.4, 21.9], [100.4, 22.2], [100.1, 21.9]]),
        texts: WarningTexts {
            headline_zh: "州应急管理局发布暴雨橙色预警 <测试> & 演示".into(),
            headline_en: "Orange rainstorm warning".into(),
            description_zh: "未来6小时景洪市降雨量将达50毫米以上。".into(),
            description_en: String::new(),
            instruction_zh: "注意防范山洪、滑坡。".into(),
            instruction_en: String::new(),
        },
        onset_ms: Some(sent),
        expires_ms: sent + 86_400_000,
        references: vec![AlertKey {
            sender: "532800000000".into(),
            identifier: "532800000000000000_202607151000000001".into(),
            sent: "2026-07-15T10:00:00+08:00".into(),
        }],
    };
    assert_eq!(spec.identifier, "532800000000000000_202607151400000007");
    let xml = writer::write_cap(&spec);
    let back = read_cap(xml.as_bytes(), "out.xml").unwrap();
    let r = &back.record;
    assert_eq!(r.key.identifier, spec.identifier);
    assert_eq!(r.key.sent, "2026-07-15T14:00:00+08:00");
    assert_eq!(r.sent_ms, Some(sent));
    assert_eq!(r.msg_type, "Update");
    assert_eq!(r.references, spec.references);
    assert_eq!(r.infos.len(), 2);
    assert_eq!(r.infos[0].language, "zh-CN");
    assert_eq!(r.infos[0].event, "暴雨橙色预警");
    assert_eq!(r.infos[0].headline, spec.texts.headline_zh);
    assert_eq!(r.infos[0].severity, "Severe");
    assert_eq!(r.infos[0].expires_ms, Some(sent + 86_400_000));
    assert_eq!(r.areas[0].polygons[0], spec.polygon.clone().unwrap());
    let codes: Vec<&str> = r.areas[0].geocodes.iter().map(|(_, v)| v.as_str()).collect();
    assert_eq!(codes, ["532801000000", "532823101000"]);
    let env = Env::new();
    let rec = super::semantics::enrich(&back, &env.cfg, &env.areas);
    assert_eq!(rec.level, Some(WarningLevel::Orange));
    assert_eq!(rec.warning_type.as_deref(), Some("rainstorm"));
    let used: Vec<Option<&str>> = rec.areas[0].resolved.iter().map(|x| x.used.as_deref()).collect();
    assert_eq!(used, [Some("532801"), Some("532823")]);
}

/// Seeded xorshift: reproducible "random" mutations without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Property: for any byte mutation of a real document, every reader returns Ok or a typed
/// error naming the file — it never panics. (fuzz/ does not exist on main yet; this stands in.)
#[test]
fn mutated_documents_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let tokens: [&[u8]; 10] = [
        b"<",
        b">",
        b"&",
        b"\"",
        b",",
        b" ",
        b"\xff",
        b"{",
        b"]",
        b"<!DOCTYPE x>",
    ];
    let mut errors = 0usize;
    for name in [
        "canada.cap",
        "earthquake-iso8859-1.cap",
        "weather_index.atom",
        "usgs_all_hour_2017-12-03.geojson",
        "cenc_catalogs_2026-03-24.json",
        "cenc_speedsearch_2019-12-12.json",
        "synthetic_prefixed_bom_signed.cap",
    ] {
        let orig = bytes(name);
        for _ in 0..300 {
            let mut b = orig.clone();
            for _ in 0..(1 + rng.below(4)) {
                match rng.below(4) {
                    0 => {
                        let i = rng.below(b.len());
                        b[i] = rng.next() as u8;
                    }
                    1 => {
                        let cut = rng.below(b.len());
                        b.truncate(cut);
                    }
                    2 => {
                        let i = rng.below(b.len());
                        let t = tokens[rng.below(tokens.len())];
                        b.splice(i..i, t.iter().copied());
                    }
                    _ => {
                        let i = rng.below(b.len());
                        let j = (i + rng.below(64)).min(b.len());
                        b.drain(i..j);
                    }
                }
                if b.is_empty() {
                    b.push(b'<');
                }
            }
            if let Err(e) = read_document(&b, "mutant") {
                errors += 1;
                assert!(e.to_string().starts_with("mutant"), "{e}");
            }
        }
    }
    assert!(errors > 100, "mutations should break many documents: {errors}");
}

#[test]
fn server_databases_drop_into_alerts_tomls_folder_or_the_users_data_folder() {
    let mut c = super::ingest::AlertContext {
        config: AlertsConfig::load_for_pack(&pack().dir).unwrap(),
        areas: AreaIndex::default(),
    };
    let user = Path::new("/home/duty/.local/share/onemap");
    assert_eq!(c.server_drop_dir(Some(user)), Some(user.join("alerts-inbox")));
    assert_eq!(c.server_drop_dir(None), None, "no home, no folder");
    c.config.drop_folder = Some("inbox-2".into());
    assert_eq!(c.server_drop_dir(Some(user)), Some(user.join("inbox-2")));
    c.config.drop_folder = Some("/srv/onemap/alerts".into());
    assert_eq!(c.server_drop_dir(None), Some(PathBuf::from("/srv/onemap/alerts")));
    // A file database keeps its folder beside the file.
    assert_eq!(
        c.drop_dir(Path::new("/data/ops.db")),
        PathBuf::from("/srv/onemap/alerts")
    );
}
