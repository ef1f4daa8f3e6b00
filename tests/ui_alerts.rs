//! Alerts in the console (issue 14, item 6), driven through egui_kittest on the real pack with
//! real store workers on a real SQLite file: a CAP warning dropped into the folder next to the
//! database reaches the alerts board, the map overlay and the banner; earthquake drafts are
//! approved through the prefilled new-incident form or dismissed with a reason, and leave the
//! 待审核 list on another seat; the incident pane lists the warnings at its location; a document
//! imported by another process (`onemap alerts import`) appears through the follower; the
//! sources tab shows a feed's last success and last error from a loopback HTTP server.
//!
//! Data: `synthetic_xsbn_rainstorm_orange.cap` is the checked-in synthetic China-shaped warning
//! (tests/data/alerts/README.md: no real Chinese CAP message is public). The earthquakes are the
//! REAL USGS hour feed `usgs_all_hour_2017-12-03.geojson`, ADAPTED here: two of its events are
//! moved into the prefecture and given M5.1 / M4.6 (no real event of that feed lies near it).

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use common::ui::step_until;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use onemap::alerts::areas::AreaIndex;
use onemap::alerts::config::AlertsConfig;
use onemap::alerts::ingest::Importer;
use onemap::backend::store::Intent;
use onemap::mappack::MapPack;
use onemap::model::EventKind;
use onemap::model::alert::DraftDecision;
use onemap::model::incident::{Caller, IncidentDraft, IncidentType, Severity};
use onemap::model::lonlat::LonLat;
use onemap::store::Store;
use onemap::ui::action::AlertRef;
use onemap::ui::{Database, OneMapApp};

/// 2026-07-15T08:00:00Z: the synthetic orange warning (14:00 Beijing on 15 July, expiring a day
/// later) is in force.
const IN_FORCE_MS: i64 = 1_784_102_400_000;

const ORANGE: &str = "synthetic_xsbn_rainstorm_orange.cap";
const ORANGE_KEY: &str = "synthetic.test.sender,SYNTHETIC-532800-20260715140000-0001,2026-07-15T14:00:00+08:00";

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/alerts")
        .join(name)
}

/// The console on `pack` with the database file `db`.
fn console(pack: &Path, db: &Path, size: egui::Vec2) -> Harness<'static, OneMapApp> {
    let db = db.to_path_buf();
    let mut h = common::ui::console_on(pack, size, move |ctx, app| {
        app.attach_database(ctx, Database::File(db));
        app.live.clock_ms = Some(IN_FORCE_MS);
    });
    step_until(&mut h, "the store to open", |a| a.has_store());
    h
}

/// The real USGS hour feed with two events moved into the prefecture (see the module doc).
fn adapted_usgs() -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("usgs_all_hour_2017-12-03.geojson")).unwrap()).unwrap();
    let f = v["features"].as_array_mut().unwrap();
    for (i, (lon, lat, mag)) in [(100.80, 21.95, 5.1), (100.45, 21.95, 4.6)].into_iter().enumerate() {
        f[i]["geometry"]["coordinates"] = serde_json::json!([lon, lat, 10.0]);
        f[i]["properties"]["mag"] = serde_json::json!(mag);
        f[i]["properties"]["place"] = serde_json::json!(format!("ADAPTED test event {} near Jinghong", i + 1));
    }
    serde_json::to_vec(&v).unwrap()
}

/// `onemap alerts import --db DB --pack xishuangbanna` of the orange warning, as another process.
fn cli_import(db: &Path) {
    let out = common::onemap(&[
        "alerts",
        "import",
        "--db",
        db.to_str().unwrap(),
        "--pack",
        common::xsbn_pack().to_str().unwrap(),
        data(ORANGE).to_str().unwrap(),
        "--json",
    ]);
    common::ok(&out);
}

/// The AlertReceived events of a log, without where they came from (the path differs).
fn received(events: &[onemap::model::event::Event]) -> Vec<EventKind> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::AlertReceived {
                format,
                sha256,
                raw,
                decision,
                reason,
                alert,
                quakes,
                ..
            } => Some(EventKind::AlertReceived {
                source: String::new(),
                format: *format,
                sha256: sha256.clone(),
                raw: raw.clone(),
                decision: *decision,
                reason: reason.clone(),
                alert: alert.clone(),
                quakes: quakes.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// A console on a fresh database whose drop folder (the default one, next to the database) has
/// taken the orange warning: (folder, database, drop folder, harness).
fn orange_dropped(size: egui::Vec2) -> (tempfile::TempDir, PathBuf, PathBuf, Harness<'static, OneMapApp>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut h = console(&common::xsbn_pack(), &db, size);
    let inbox = dir.path().join("alerts-inbox");
    common::alerts::drop_into(&inbox, ORANGE, &std::fs::read(data(ORANGE)).unwrap());
    step_until(&mut h, "the warning in the situation", |a| {
        a.situation.alerts.alerts.contains_key(ORANGE_KEY)
    });
    (dir, db, inbox, h)
}

#[test]
fn a_warning_dropped_next_to_the_database_reaches_the_board_the_map_and_the_banner() {
    let (dir, db, inbox, mut h) = orange_dropped(egui::vec2(1600.0, 1000.0));
    assert!(inbox.join("imported").join(ORANGE).is_file(), "moved to imported/");
    assert!(!inbox.join(ORANGE).exists());

    // The same events as `onemap alerts import` of the same file into another database.
    let other = dir.path().join("cli.db");
    common::ok(&common::onemap(&["db", "init", "--db", other.to_str().unwrap()]));
    cli_import(&other);
    let cli = received(&Store::open(&other).unwrap().events_since(0).unwrap());
    let console_events = received(&Store::open(&db).unwrap().events_since(0).unwrap());
    assert_eq!(console_events, cli, "the console imports through the CLI's importer");

    // The banner: orange and in force, until acknowledged at this seat.
    h.run_steps(2);
    assert!(
        h.query_by_label("知道了").is_some(),
        "the banner shows the orange warning"
    );
    h.get_by_label("知道了").click();
    h.run_steps(2);
    assert!(h.state().settings.acked_alerts.contains(ORANGE_KEY));
    assert!(h.query_by_label("知道了").is_none(), "acknowledged: the banner is gone");
    let seq = h.state().situation.last_seq;
    assert_eq!(
        Store::open(&db).unwrap().last_seq().unwrap(),
        seq,
        "an acknowledgement is a seat setting, not an event"
    );

    // The board: level chip with its name, type, sender, areas (勐腊 through its parent), expiry.
    h.get_by_label("预警").click();
    h.run_steps(2);
    let row = h.get_by_label_contains("synthetic.test.sender");
    let text = row.accesskit_node().label().unwrap_or_default();
    assert!(text.contains("暴雨"), "{text}");
    assert!(text.contains("景洪市"), "{text}");
    assert!(
        text.contains("勐腊县（上级区域）"),
        "township 532823101 falls back to its county: {text}"
    );
    assert!(
        text.contains("2026-07-16 14:00:00 北京时间"),
        "expiry in Beijing time: {text}"
    );
    assert!(
        h.query_by_label_contains("橙色").is_some(),
        "the level is named, not only coloured"
    );
    row.click();
    h.run_steps(3);
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Alert(ORANGE_KEY.into())));
    step_until(&mut h, "the flight to end", |a| a.map.flight.is_none());
    // Independently: the view is centred over the box of the two counties' pack polygons.
    let pack = MapPack::load(common::xsbn_pack()).unwrap();
    let areas = AreaIndex::from_pack(&pack);
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for code in ["532801", "532823"] {
        use geo::BoundingRect;
        let r = areas
            .get(code)
            .unwrap()
            .shape
            .as_ref()
            .unwrap()
            .bounding_rect()
            .unwrap();
        b = [
            b[0].min(r.min().x),
            b[1].min(r.min().y),
            b[2].max(r.max().x),
            b[3].max(r.max().y),
        ];
    }
    let (c, _) = h.state().view_center_zoom();
    let mid = [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0];
    assert!(
        (c[0] - mid[0]).abs() < 0.05 && (c[1] - mid[1]).abs() < 0.1,
        "{c:?} vs {b:?}"
    );
    assert!(
        h.query_by_label("合成测试：暴雨橙色预警（非真实预警）").is_some(),
        "zh headline"
    );
    h.state_mut().settings.lang = onemap::ui::i18n::Lang::En;
    h.run_steps(2);
    assert!(
        h.query_by_label("SYNTHETIC TEST: orange rainstorm warning (not a real warning)")
            .is_some(),
        "the English info in English"
    );
    h.state_mut().settings.lang = onemap::ui::i18n::Lang::Zh;
    h.run_steps(2);

    // The overlay: one orange area per polygon of 景洪市 and 勐腊县 (昆明 is outside the pack).
    let polys = |code: &str| areas.get(code).unwrap().shape.as_ref().unwrap().0.len();
    let overlay = &h.state().alerts.overlay;
    assert_eq!(overlay.areas.len(), polys("532801") + polys("532823"));
    assert!(
        overlay
            .areas
            .iter()
            .all(|a| a.color == onemap::style::level_color(Some(onemap::model::alert::WarningLevel::Orange)))
    );
    // Its layer switch hides it.
    h.get_by_label("预警区域与地震").click();
    h.run_steps(2);
    assert_eq!(h.state().settings.layers.get("ops/alerts"), Some(&false));

    // After its expiry it moves to the expired list and leaves the map.
    h.state_mut().live.clock_ms = Some(IN_FORCE_MS + 2 * 86_400_000);
    h.run_steps(3);
    assert!(h.state().alerts.overlay.areas.is_empty());
    assert!(h.query_by_label_contains("已过期 (1)").is_some());
}

#[test]
fn earthquake_drafts_are_approved_through_the_form_or_dismissed_and_leave_every_seat() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut a = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1400.0));
    let mut b = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1000.0));
    common::alerts::drop_into(&dir.path().join("alerts-inbox"), "usgs.geojson", &adapted_usgs());
    step_until(&mut a, "two drafts", |x| {
        x.situation.alerts.pending_drafts().count() == 2
    });
    step_until(&mut b, "two drafts on the other seat", |x| {
        x.situation.alerts.pending_drafts().count() == 2
    });
    let firings: Vec<_> = a.state().situation.alerts.pending_drafts().cloned().collect();
    // The banner names the quakes that fired a rule: USGS time 1512342790490 ms is
    // 2017-12-03T23:13:10Z, 07:13:10 on 4 December in Beijing; `automatic` is provisional.
    a.run_steps(2);
    assert!(
        a.query_all_by_label(
            "M5.1 ADAPTED test event 1 near Jinghong · 2017-12-04 07:13:10 北京时间 · 深度 10 km · 自动测定（未审核）"
        )
        .count()
            >= 1
    );
    // Both quakes are in the board with Beijing time and depth; the map draws their felt radii.
    assert_eq!(a.state().alerts.overlay.quakes.len(), 8, "every event of the feed");

    // 批准: the form opens prefilled; nothing is recorded until the officer submits it.
    a.get_by_label("预警").click();
    a.run_steps(2);
    a.get_by_label_contains("待审核").click();
    a.run_steps(2);
    let before = a.state().situation.incidents.len();
    a.get_all_by_label("批准").next().unwrap().click();
    a.run_steps(3);
    let form = a.state().incident_form.clone();
    let d = firings[0].draft.clone().unwrap();
    assert!(form.open);
    assert_eq!(form.incident_type, IncidentType::Earthquake);
    assert_eq!(form.severity, d.severity);
    assert_eq!(form.from_draft, Some(firings[0].seq));
    assert!(form.notes.contains("ADAPTED test event"), "{}", form.notes);
    assert_eq!(a.state().situation.incidents.len(), before, "not recorded yet");
    a.get_by_label("登记").click();
    step_until(&mut a, "the approved incident", |x| {
        x.situation.incidents.len() == before + 1
    });
    let sit = a.state().situation.clone();
    let (id, inc) = sit.incidents.iter().next_back().unwrap();
    assert_eq!(inc.incident_type, IncidentType::Earthquake);
    assert_eq!(inc.severity, d.severity);
    let ll = inc.lonlat.lonlat();
    assert!((ll[0] - d.lonlat.lon_deg()).abs() < 1e-5 && (ll[1] - d.lonlat.lat_deg()).abs() < 1e-5);
    let f0 = sit.alerts.firings.iter().find(|f| f.seq == firings[0].seq).unwrap();
    assert_eq!(f0.decided, Some(DraftDecision::Approved { incident: *id }));

    // 驳回 needs a reason; with one, the second draft is dismissed. (Recording selected the new
    // incident on its board: back to the alerts board.)
    a.get_by_label("预警").click();
    a.run_steps(2);
    a.get_by_label_contains("待审核").click();
    a.run_steps(2);
    a.state_mut()
        .alerts
        .reasons
        .insert(firings[1].seq, "震中位于无人区，已电话核实无灾情".into());
    a.run_steps(1);
    a.get_by_label("驳回").click();
    step_until(&mut a, "the dismissal", |x| {
        x.situation.alerts.pending_drafts().count() == 0
    });
    // The other seat sees both decisions through its follower.
    step_until(&mut b, "no drafts on the other seat", |x| {
        x.situation.alerts.pending_drafts().count() == 0
    });
    let f1 = b
        .state()
        .situation
        .alerts
        .firings
        .iter()
        .find(|f| f.seq == firings[1].seq)
        .cloned();
    assert_eq!(
        f1.unwrap().decided,
        Some(DraftDecision::Dismissed {
            reason: "震中位于无人区，已电话核实无灾情".into()
        })
    );

    // The log board names both decisions.
    a.get_by_label("日志").click();
    a.run_steps(3);
    let dismissed = format!("驳回草稿 #{}: 震中位于无人区，已电话核实无灾情", firings[1].seq);
    assert!(a.query_all_by_label_contains(&dismissed).count() >= 1, "{dismissed}");
    let approved = format!("批准草稿 #{} → #{}", firings[0].seq, id.0);
    assert!(a.query_all_by_label_contains(&approved).count() >= 1, "{approved}");
    // Deciding a decided draft again is refused by the store worker; nothing is written.
    let seq = b.state().situation.last_seq;
    b.state_mut().send_intent(Intent::DismissDraft {
        firing_seq: firings[0].seq,
        reason: "again".into(),
    });
    step_until(&mut b, "the refusal", |x| {
        x.notices.text(onemap::ui::notices::Source::Store).is_some()
    });
    let text = b
        .state()
        .notices
        .text(onemap::ui::notices::Source::Store)
        .unwrap()
        .to_string();
    assert!(text.contains("已处理"), "{text}");
    assert_eq!(Store::open(&db).unwrap().last_seq().unwrap(), seq);
}

#[test]
fn the_incident_pane_lists_the_warnings_and_quakes_at_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut h = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1600.0));
    // Imported by another process on the same file: arrives through the follower.
    cli_import(&db);
    step_until(&mut h, "the other process's warning", |a| {
        a.situation.alerts.alerts.contains_key(ORANGE_KEY)
    });
    // Two incidents: one in 景洪市 (in the warning), one in 勐海县 (not in it).
    let pack = MapPack::load(common::xsbn_pack()).unwrap();
    let areas = AreaIndex::from_pack(&pack);
    let jinghong = [100.797, 22.002];
    let menghai = [100.452, 21.957];
    assert!(areas.containing(jinghong).iter().any(|a| a.code == "532801"));
    assert!(
        !areas
            .containing(menghai)
            .iter()
            .any(|a| a.code == "532801" || a.code == "532823")
    );
    for ll in [jinghong, menghai] {
        h.state_mut().send_intent(Intent::ReportIncident(IncidentDraft {
            incident_type: IncidentType::Flood,
            severity: Severity::III,
            lonlat: LonLat::from_deg(ll[0], ll[1]).unwrap(),
            address: "测试".into(),
            caller: Caller::default(),
            notes: String::new(),
        }));
    }
    step_until(&mut h, "two incidents", |a| a.situation.incidents.len() == 2);
    let ids: Vec<_> = h.state().situation.incidents.keys().copied().collect();
    h.state_mut().selected_ops = Some(onemap::map::ops::OpsRef::Incident(ids[0]));
    h.run_steps(3);
    assert!(
        h.query_by_label("本事件位置的预警与地震").is_some(),
        "Jinghong is in the warning"
    );
    h.get_by_label_contains("暴雨 · 失效").click();
    h.run_steps(3);
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Alert(ORANGE_KEY.into())));
    h.state_mut().selected_ops = Some(onemap::map::ops::OpsRef::Incident(ids[1]));
    h.run_steps(3);
    assert!(h.query_by_label("本事件位置的预警与地震").is_none(), "Menghai is not");
}

/// A loopback server: `/cap` serves the orange warning, anything else 404.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let body = std::fs::read(data(ORANGE)).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut first = String::new();
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
                    break;
                }
            }
            let path = first.split_whitespace().nth(1).unwrap_or("/").to_owned();
            let (status, body): (&str, &[u8]) = if path == "/cap" {
                ("200 OK", &body)
            } else {
                ("404 Not Found", b"no")
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body);
        }
    });
    base
}

#[test]
fn the_sources_tab_shows_each_feeds_success_and_error_and_a_broken_feed_stops_nothing() {
    let base = serve();
    let pack = common::copy_pack(&common::xsbn_pack());
    common::edit(pack.path(), "alerts.toml", |t| {
        format!(
            "{t}\n[[feeds]]\nname = \"broken\"\nurl = \"{base}/missing\"\ninterval_s = 3600\n\n[[feeds]]\nname = \"loopback\"\nurl = \"{base}/cap\"\ninterval_s = 3600\n"
        )
    });
    // The pack's alerts.toml parses (the same check the console makes).
    AlertsConfig::load_for_pack(pack.path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut h = console(pack.path(), &db, egui::vec2(1600.0, 1000.0));
    step_until(&mut h, "the feed's warning", |a| {
        a.situation.alerts.alerts.contains_key(ORANGE_KEY)
    });
    h.get_by_label("预警").click();
    h.run_steps(2);
    h.get_by_label("来源").click();
    step_until(&mut h, "both feeds polled", |a| {
        a.alerts
            .worker
            .as_ref()
            .is_some_and(|w| w.status().feeds.iter().all(|f| f.polls >= 1))
    });
    h.run_steps(2);
    let status = h.state().alerts.worker.as_ref().unwrap().status();
    assert_eq!(
        status.drop_dir.as_deref(),
        Some(dir.path().join("alerts-inbox").as_path())
    );
    let broken = &status.feeds[0];
    assert!(broken.last_error.as_deref().unwrap().contains("HTTP 404"));
    assert!(broken.last_success_utc.is_none());
    assert!(status.feeds[1].last_success_utc.is_some() && status.feeds[1].last_error.is_none());
    assert!(
        h.query_by_label_contains("HTTP 404").is_some(),
        "the reason is on the board"
    );
    assert_eq!(h.query_all_by_label_contains("下次轮询").count(), 2, "one per feed");
    // The same importer: the feed's arrival is the CLI's arrival.
    let events = Store::open(&db).unwrap().events_since(0).unwrap();
    let cfg = AlertsConfig::load_for_pack(pack.path()).unwrap();
    let areas = AreaIndex::from_pack(&MapPack::load(pack.path()).unwrap());
    let mut other = Store::open_in_memory().unwrap();
    Importer {
        cfg: &cfg,
        areas: &areas,
        operator: "t",
        seat: "s",
        drill: None,
    }
    .import_bytes(&mut other, "x", &std::fs::read(data(ORANGE)).unwrap(), now_ms())
    .unwrap();
    assert_eq!(received(&events), received(&other.events_since(0).unwrap()));
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[test]
fn in_a_drill_arrivals_go_to_the_drill_and_an_exercise_counts_only_there() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite");
    let mut h = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1000.0));
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    h.get_by_label("开始演练").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("开始演练").click();
    step_until(&mut h, "the drill to start", |a| {
        a.mode.drill().is_some_and(|d| d.drill_id.is_some())
    });
    let drill_id = h.state().mode.drill().unwrap().drill_id.clone().unwrap();
    h.state_mut().mode.drill_mut().unwrap().clock.pause();
    const EXERCISE_KEY: &str = "synthetic.test.sender,SYNTHETIC-EXERCISE-0001,2026-07-15T14:00:00+08:00";
    common::alerts::drop_into(
        &dir.path().join("alerts-inbox"),
        "exercise.cap",
        &std::fs::read(data("synthetic_exercise.cap")).unwrap(),
    );
    step_until(&mut h, "the exercise in the drill's situation", |a| {
        a.situation.scope_drill_id.as_deref() == Some(drill_id.as_str())
            && a.situation.alerts.alerts.contains_key(EXERCISE_KEY)
    });
    // Logged under the drill id; the real situation has no such alert.
    let mut store = Store::open(&db).unwrap();
    let ev = store
        .events_since(0)
        .unwrap()
        .into_iter()
        .find(|e| matches!(&e.kind, EventKind::AlertReceived { alert: Some(r), .. } if r.key.text() == EXERCISE_KEY))
        .unwrap();
    assert_eq!(ev.drill_id.as_deref(), Some(drill_id.as_str()));
    assert!(!store.situation().unwrap().alerts.alerts.contains_key(EXERCISE_KEY));
    // Stamped and judged by the drill's (paused) simulated clock, not the wall clock: the
    // exercise expires 16 July 06:00Z, long before today, yet in the drill's time it is new.
    let sim_ms = h.state().mode.drill().unwrap().clock.now_ms();
    assert_eq!(onemap::time::parse_utc_ms(&ev.ts_utc), Some(sim_ms), "{}", ev.ts_utc);
    let expires_ms = 1_784_181_600_000;
    assert!(
        sim_ms < expires_ms && now_ms() > expires_ms,
        "the two clocks disagree here"
    );
    assert!(
        matches!(
            ev.kind,
            EventKind::AlertReceived {
                decision: onemap::model::alert::AlertDecision::New,
                ..
            }
        ),
        "{:?}",
        ev.kind
    );
}

/// A console on a fresh database in a temporary folder with the 发布预警 dialog open; `free_map`
/// declines the first-run offer that sits over the map.
fn compose_dialog(free_map: bool) -> (tempfile::TempDir, Harness<'static, OneMapApp>) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut h = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1200.0));
    if free_map {
        h.get_by_label("暂不加载").click();
        h.run_steps(2);
    }
    h.get_by_label("预警").click();
    h.run_steps(2);
    h.get_by_label("发布预警").click();
    h.run_steps(2);
    assert!(h.state().alerts.compose.open);
    (dir, h)
}

#[test]
fn a_warning_composed_in_the_console_is_the_clis_warning_and_is_lifted_from_its_row() {
    let (dir, mut h) = compose_dialog(false);
    // Level and areas by clicking; the type (a combo box) and the texts set in the form's state.
    for label in ["橙色（Ⅱ级）", "532801 景洪市"] {
        h.get_by_label(label).click();
        h.run_steps(2);
    }
    // A township further down the list: found by its name, then ticked.
    h.state_mut().alerts.compose.area_filter = "勐海镇".into();
    h.run_steps(2);
    assert!(h.query_by_label("532801 景洪市").is_none(), "filtered out");
    h.get_by_label("532822101 勐海镇").click();
    h.run_steps(2);
    assert_eq!(
        h.state().alerts.compose.level,
        Some(onemap::model::alert::WarningLevel::Orange)
    );
    let out1 = dir.path().join("out").join("w1.xml");
    {
        let c = &mut h.state_mut().alerts.compose;
        c.warning_type = "rainstorm".into();
        c.texts.headline_zh = "景洪市、勐海镇暴雨橙色预警（测试）".into();
        c.texts.headline_en = "Orange rainstorm warning (test)".into();
        c.texts.instruction_zh = "注意防范山洪".into();
        c.expires = "2026-07-16 14:00".into();
        c.out = out1.display().to_string();
    }
    // A time that is not one: said in the form, nothing sent.
    h.state_mut().alerts.compose.onset = "明天".into();
    h.run_steps(1);
    h.get_by_label("发布").click();
    h.run_steps(2);
    let err = h.state().alerts.compose.error.clone().unwrap();
    assert!(err.contains("北京时间"), "{err}");
    assert!(h.state().alerts.compose.pending.is_none());
    h.state_mut().alerts.compose.onset.clear();
    h.run_steps(1);
    h.get_by_label("发布").click();
    step_until(&mut h, "the issued warning", |a| {
        a.situation.alerts.alerts.values().any(|e| e.issued)
    });
    h.run_steps(2);
    assert!(!h.state().alerts.compose.open, "closed once stored");
    let issued = h
        .state()
        .situation
        .alerts
        .alerts
        .values()
        .find(|e| e.issued)
        .cloned()
        .unwrap();

    // Byte for byte what `onemap warning new` writes for the same facts at the same moment.
    let other = dir.path().join("cli.db");
    common::ok(&common::onemap(&["db", "init", "--db", other.to_str().unwrap()]));
    let cli_out = dir.path().join("cli.xml");
    common::ok(&common::onemap(&[
        "warning",
        "new",
        "--db",
        other.to_str().unwrap(),
        "--pack",
        common::xsbn_pack().to_str().unwrap(),
        "--type",
        "rainstorm",
        "--level",
        "orange",
        "--area",
        "532801,532822101",
        "--headline",
        "景洪市、勐海镇暴雨橙色预警（测试）",
        "--headline-en",
        "Orange rainstorm warning (test)",
        "--instruction",
        "注意防范山洪",
        "--expires",
        "2026-07-16T06:00:00Z",
        "--sent",
        "2026-07-15T08:00:00Z",
        "--out",
        cli_out.to_str().unwrap(),
    ]));
    let xml = std::fs::read_to_string(&out1).unwrap();
    assert_eq!(xml, std::fs::read_to_string(&cli_out).unwrap());
    // Read back by our reader: the facts given.
    let cap = onemap::alerts::cap::read_cap_text(&xml, "w1.xml").unwrap();
    assert_eq!(cap.record.key.identifier, issued.record.key.identifier);
    assert_eq!(issued.record.level, Some(onemap::model::alert::WarningLevel::Orange));
    assert_eq!(
        issued.record.expires_ms,
        Some(1_784_181_600_000),
        "16 July 14:00 Beijing"
    );
    assert!(xml.contains("532801000000") && xml.contains("532822101000"));

    // 解除 from its row: a Cancel referencing it; the warning leaves the active list.
    h.get_by_label("解除预警").click();
    h.run_steps(2);
    let out2 = dir.path().join("out").join("w2.xml");
    h.state_mut().alerts.compose.out = out2.display().to_string();
    h.run_steps(1);
    h.get_by_label("发布").click();
    step_until(&mut h, "the cancellation", |a| {
        matches!(
            a.situation.alerts.alerts[&issued.record.key.text()].lifecycle,
            onemap::model::alert::AlertLifecycle::Cancelled { .. }
        )
    });
    let cancel = std::fs::read_to_string(&out2).unwrap();
    assert!(cancel.contains("<msgType>Cancel</msgType>"));
    assert!(
        cancel.contains(&issued.record.key.identifier),
        "references the warning it lifts"
    );
}

#[test]
fn earthquake_rows_show_beijing_time_depth_review_state_and_withdrawal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let mut h = console(&common::xsbn_pack(), &db, egui::vec2(1600.0, 1200.0));
    let inbox = dir.path().join("alerts-inbox");
    common::alerts::drop_into(
        &inbox,
        "a.geojson",
        &std::fs::read(data("synthetic_usgs_near_xsbn.geojson")).unwrap(),
    );
    step_until(&mut h, "three earthquakes", |a| a.situation.alerts.quakes.len() == 3);
    common::alerts::drop_into(
        &inbox,
        "b.geojson",
        &std::fs::read(data("synthetic_usgs_update_delete.geojson")).unwrap(),
    );
    step_until(&mut h, "the withdrawal", |a| {
        a.situation.alerts.quakes.get("us7000syn2").is_some_and(|q| q.withdrawn)
    });
    h.get_by_label("预警").click();
    h.run_steps(2);
    h.get_by_label("地震 (3)").click();
    h.run_steps(2);
    // The quakes that fired a rule are in the banner too: acknowledge them at this seat first.
    while h.query_all_by_label("知道了").count() > 0 {
        h.get_all_by_label("知道了").next().unwrap().click();
        h.run_steps(2);
    }
    // 1784094000000 ms = 2026-07-15T05:40:00Z = 13:40:00 in Beijing.
    assert!(
        h.query_by_label("M4.5 SYNTHETIC far away · 2026-07-15 13:40:00 北京时间 · 深度 10 km · 已撤销")
            .is_some()
    );
    // The M5.3 automatic report was replaced by the reviewed M5.1 (no longer provisional).
    let row = "M5.1 SYNTHETIC 20 km S of Jinghong, China · 2026-07-15 13:56:40 北京时间 · 深度 12 km";
    assert!(h.query_by_label(row).is_some());
    // 1784093000000 ms = 05:23:20Z = 13:23:20 Beijing; reviewed: no provisional mark.
    assert!(
        h.query_by_label("M4.2 SYNTHETIC 80 km W of Menghai (Myanmar) · 2026-07-15 13:23:20 北京时间 · 深度 15 km")
            .is_some()
    );
    h.get_by_label(row).click();
    step_until(&mut h, "the flight to end", |a| a.map.flight.is_none());
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Quake("us7000syn1".into())));
    let (c, _) = h.state().view_center_zoom();
    assert!((c[0] - 100.81).abs() < 1e-3 && (c[1] - 21.86).abs() < 1e-3, "{c:?}");
    // 10^(0.5·5.1 − 0.8) = 56.2 km, labelled as an estimate.
    assert!(h.query_by_label_contains("估算有感半径：56 km").is_some());
}

/// A primary click at `pos` (moved there, pressed, released: three frames of 0.25 s each, so two
/// clicks in a row are never a double-click unless the test shortens the frames in between).
fn click_map(h: &mut Harness<'static, OneMapApp>, pos: egui::Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Default::default(),
        });
        h.run_steps(1);
    }
    h.run_steps(2);
}

/// Screen point → lon/lat from the map's centre and zoom as the app reports them, by the Web
/// Mercator inverse written out here (not the app's `geom` function): 256·2^zoom points per world.
fn screen_to_lonlat_independent(h: &Harness<'static, OneMapApp>, p: egui::Pos2) -> [f64; 2] {
    let view = h.state().map.view.unwrap();
    let (center, zoom) = h.state().view_center_zoom();
    let scale = 256.0 * 2f64.powf(zoom);
    let cx = (center[0] + 180.0) / 360.0;
    let lat0 = center[1].to_radians();
    let cy = (1.0 - (lat0.tan() + 1.0 / lat0.cos()).ln() / std::f64::consts::PI) / 2.0;
    let x = cx + f64::from(p.x - view.rect.center().x) / scale;
    let y = cy + f64::from(p.y - view.rect.center().y) / scale;
    let lon = x * 360.0 - 180.0;
    let lat = (std::f64::consts::PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    [lon, lat]
}

#[test]
fn a_warning_area_drawn_on_the_map_is_the_caps_polygon() {
    let (dir, mut h) = compose_dialog(true);
    h.get_by_label("橙色（Ⅱ级）").click();
    h.run_steps(1);
    let out = dir.path().join("drawn.xml");
    {
        let c = &mut h.state_mut().alerts.compose;
        c.warning_type = "rainstorm".into();
        c.expires = "2026-07-16 14:00".into();
        c.out = out.display().to_string();
    }
    h.get_by_label("在地图上绘制区域").click();
    h.run_steps(3);
    assert_eq!(h.state().alerts.compose.sketch.as_deref(), Some(&[][..]));
    assert!(
        h.query_by_label("删除上一点").is_some(),
        "the drawing bar replaces the dialog"
    );
    assert!(h.query_by_label("发布").is_none(), "the dialog steps aside");
    let c = h.state().map.view.unwrap().rect.center();
    let at = |dx: f32, dy: f32| egui::pos2(c.x + dx, c.y + dy);
    let (p1, p2, p3, p4) = (at(-100.0, -60.0), at(110.0, -70.0), at(120.0, 80.0), at(-90.0, 70.0));
    // Two vertices are no area: refused, still drawing.
    let clicks_then_enter = |h: &mut Harness<'static, OneMapApp>, points: [egui::Pos2; 2]| {
        for p in points {
            click_map(h, p);
        }
        h.key_press(egui::Key::Enter);
        h.run_steps(2);
        h.state().alerts.compose.error.clone().unwrap()
    };
    let err = clicks_then_enter(&mut h, [p1, p2]);
    assert!(err.contains("至少需要 3 个") && err.contains("at least 3"), "{err}");
    assert_eq!(h.state().alerts.compose.sketch.as_ref().unwrap().len(), 2);
    // A bow tie (p1 p2 p4 p3): the outline crosses itself.
    let err = clicks_then_enter(&mut h, [p4, p3]);
    assert!(err.contains("自相交") && err.contains("crosses itself"), "{err}");
    assert!(
        h.query_by_label(&err).is_some(),
        "the reason is shown on the drawing bar"
    );
    assert!(h.state().alerts.compose.polygon.is_none());
    // Backspace twice takes p3 and p4 back.
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    assert_eq!(h.state().alerts.compose.sketch.as_ref().unwrap().len(), 2);
    click_map(&mut h, p3);
    // A double-click on p4 adds it and closes the ring (frames here are 0.25 s: the double-click
    // delay is widened, and p3's click is left well behind so this is not a triple click).
    h.run_steps(12);
    h.ctx.options_mut(|o| o.input_options.max_double_click_delay = 2.0);
    click_map(&mut h, p4);
    h.event(egui::Event::PointerButton {
        pos: p4,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.event(egui::Event::PointerButton {
        pos: p4,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.run_steps(2);
    h.ctx.options_mut(|o| o.input_options.max_double_click_delay = 0.3);
    assert!(h.state().alerts.compose.sketch.is_none(), "closed");
    let ring = h.state().alerts.compose.polygon.clone().unwrap();
    assert_eq!(ring.len(), 5, "four vertices and the closing one: {ring:?}");
    // Esc while drawing again keeps the closed polygon.
    h.get_by_label("在地图上绘制区域").click();
    h.run_steps(2);
    click_map(&mut h, at(0.0, 0.0));
    h.key_press(egui::Key::Escape);
    h.run_steps(2);
    assert!(h.state().alerts.compose.sketch.is_none());
    assert_eq!(h.state().alerts.compose.polygon.as_ref(), Some(&ring));
    assert!(
        h.query_by_label("4 个顶点").is_some(),
        "the dialog says how many vertices"
    );

    // Where the clicks were, converted now (the banner of the issued warning moves the map).
    let expected: Vec<[f64; 2]> = [p1, p2, p3, p4, p1]
        .into_iter()
        .map(|p| screen_to_lonlat_independent(&h, p))
        .collect();
    h.get_by_label("发布").click();
    step_until(&mut h, "the issued warning", |a| {
        a.situation.alerts.alerts.values().any(|e| e.issued)
    });
    let xml = std::fs::read_to_string(&out).unwrap();
    let cap = onemap::alerts::cap::read_cap_text(&xml, "drawn.xml").unwrap();
    let got = &cap.record.areas[0].polygons[0];
    assert_eq!(got.len(), 5);
    assert_eq!(got.first(), got.last(), "closed ring");
    // The XML carries 6 decimals (≤ 5e-7° rounding, 5 cm); the clicks are whole points at this
    // zoom (tens of metres each), so 1e-6° separates a right conversion from any wrong one.
    for (g, e) in got.iter().zip(&expected) {
        assert!(
            (g[0] - e[0]).abs() < 1e-6 && (g[1] - e[1]).abs() < 1e-6,
            "{g:?} vs {e:?}"
        );
    }
    // Lat,lon order in the XML: the first pair is the first vertex's latitude, then longitude.
    let first = format!("{:.6},{:.6}", expected[0][1], expected[0][0]);
    assert!(xml.contains(&format!("<polygon>{first} ")), "{xml}");
    // The overlay shows it: one area of the issued warning.
    h.run_steps(2);
    let key = cap.record.key.text();
    assert!(h.state().alerts.overlay.areas.iter().any(|a| a.alert_key == key));
}

/// Put the camera on `lonlat` at zoom 12 (no flight running) and return the map's centre on
/// screen, where that place now is.
fn look_at(h: &mut Harness<'static, OneMapApp>, lonlat: [f64; 2]) -> egui::Pos2 {
    {
        let m = &mut h.state_mut().map;
        m.flight = None;
        m.memory.center_at(walkers::lon_lat(lonlat[0], lonlat[1]));
        let _ = m.memory.set_zoom(12.0);
    }
    h.run_steps(2);
    let (c, _) = h.state().view_center_zoom();
    assert!(
        (c[0] - lonlat[0]).abs() < 1e-6 && (c[1] - lonlat[1]).abs() < 1e-6,
        "{c:?}"
    );
    h.state().map.view.unwrap().rect.center()
}

#[test]
fn a_click_on_a_warning_area_or_an_epicentre_selects_it_on_the_board_and_the_smallest_area_wins() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ops.db");
    let (dbs, pack) = (db.to_str().unwrap(), common::xsbn_pack());
    common::ok(&common::onemap(&["db", "init", "--db", dbs]));
    // Orange over all of Jinghong (by code), a small yellow square inside it (a polygon we
    // issue), and the adapted USGS earthquakes.
    cli_import(&db);
    let yellow_xml = dir.path().join("yellow.xml");
    common::ok(&common::onemap(&[
        "warning",
        "new",
        "--db",
        dbs,
        "--pack",
        pack.to_str().unwrap(),
        "--type",
        "rainstorm",
        "--level",
        "yellow",
        "--polygon",
        "22.15,100.90 22.15,101.00 22.25,101.00 22.25,100.90",
        "--headline",
        "黄色小区域（测试）",
        "--sent",
        "2026-07-15T08:00:00Z",
        "--expires",
        "2026-07-16T06:00:00Z",
        "--out",
        yellow_xml.to_str().unwrap(),
    ]));
    let yellow_key = onemap::alerts::cap::read_cap_text(&std::fs::read_to_string(&yellow_xml).unwrap(), "y")
        .unwrap()
        .record
        .key
        .text();
    let quakes = dir.path().join("usgs.geojson");
    std::fs::write(&quakes, adapted_usgs()).unwrap();
    common::ok(&common::onemap(&[
        "alerts",
        "import",
        "--db",
        dbs,
        "--pack",
        pack.to_str().unwrap(),
        quakes.to_str().unwrap(),
    ]));
    let quake_id = {
        let mut store = Store::open(&db).unwrap();
        let sit = store.situation().unwrap();
        let (id, _) = sit
            .alerts
            .quakes
            .iter()
            .find(|(_, q)| (q.quake.lonlat.lonlat()[0] - 100.80).abs() < 1e-9)
            .unwrap();
        id.clone()
    };
    // Independently of the overlay: the orange-only point lies in Jinghong's pack polygon and
    // outside the yellow square; the yellow point inside both.
    let jinghong = MapPack::load(&pack).unwrap();
    let areas = AreaIndex::from_pack(&jinghong);
    let shape = areas.get("532801").unwrap().shape.clone().unwrap();
    use geo::Contains;
    let (in_yellow, orange_only) = ([100.95, 22.20], [100.70, 22.30]);
    for p in [in_yellow, orange_only] {
        assert!(shape.contains(&geo::Point::new(p[0], p[1])), "{p:?} in Jinghong");
    }

    let mut h = console(&pack, &db, egui::vec2(1600.0, 1200.0));
    if let Some(n) = h.query_by_label("暂不加载") {
        n.click();
    }
    h.run_steps(2);
    assert_eq!(
        h.state().boards.board,
        onemap::ui::Board::Units,
        "another board to start with"
    );
    step_until(&mut h, "the three alerts", |a| {
        a.situation.alerts.alerts.contains_key(ORANGE_KEY) && a.situation.alerts.alerts.contains_key(&yellow_key)
    });

    // Inside both areas: the smaller (yellow) wins over the more severe (orange).
    let at = look_at(&mut h, in_yellow);
    click_map(&mut h, at);
    h.run_steps(2);
    assert_eq!(h.state().boards.board, onemap::ui::Board::Alerts, "the board opened");
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Alert(yellow_key.clone())));
    assert_eq!(h.state().alerts.tab, onemap::ui::parts::AlertTab::Active);
    assert!(
        h.query_by_label_contains("黄色小区域（测试）").is_some(),
        "its details show"
    );

    // In the orange area only: orange.
    let at = look_at(&mut h, orange_only);
    click_map(&mut h, at);
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Alert(ORANGE_KEY.into())));

    // On the epicentre (inside orange too): the earthquake, on the 地震 tab.
    let at = look_at(&mut h, [100.80, 21.95]);
    click_map(&mut h, at + egui::vec2(4.0, -3.0));
    assert_eq!(h.state().alerts.selected, Some(AlertRef::Quake(quake_id)));
    assert_eq!(h.state().alerts.tab, onemap::ui::parts::AlertTab::Quakes);

    // Outside every area (west of the prefecture): nothing new is selected.
    let at = look_at(&mut h, [99.0, 22.3]);
    click_map(&mut h, at);
    assert_eq!(h.state().alerts.tab, onemap::ui::parts::AlertTab::Quakes);
}

#[test]
fn acknowledgements_are_pruned_to_what_is_in_force_and_quakes_leave_the_banner_after_a_day() {
    let (_dir, db, inbox, mut h) = orange_dropped(egui::vec2(1600.0, 1400.0));
    common::alerts::drop_into(&inbox, "usgs.geojson", &adapted_usgs());
    step_until(&mut h, "the warning and two drafts", |a| {
        a.situation.alerts.alerts.contains_key(ORANGE_KEY) && a.situation.alerts.pending_drafts().count() == 2
    });
    // When the rules fired, read from the log itself.
    let fired: Vec<(String, i64)> = Store::open(&db)
        .unwrap()
        .events_since(0)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::AlertRuleFired { subject, .. } => {
                Some((subject, onemap::time::parse_utc_ms(&e.ts_utc).unwrap()))
            }
            _ => None,
        })
        .filter(|(s, _)| !s.contains(','))
        .collect();
    assert_eq!(fired.len(), 2, "{fired:?}");
    let quake_keys: std::collections::BTreeSet<String> = fired.iter().map(|(s, _)| format!("quake:{s}")).collect();
    // Acknowledgements of things this database never had (or no longer shows) are forgotten.
    h.state_mut()
        .settings
        .acked_alerts
        .extend(["gone,ID,2020-01-01T00:00:00Z".to_string(), "quake:us0000gone".into()]);
    h.run_steps(2);
    while h.query_all_by_label("知道了").count() > 0 {
        h.get_all_by_label("知道了").next().unwrap().click();
        h.run_steps(2);
    }
    let mut expected = quake_keys.clone();
    expected.insert(ORANGE_KEY.to_string());
    assert_eq!(h.state().settings.acked_alerts, expected);

    // Past the orange warning's expiry (16 July 14:00 Beijing = 06:00Z): its acknowledgement goes.
    h.state_mut().live.clock_ms = Some(1_784_181_600_000 + 60_000);
    h.run_steps(2);
    assert_eq!(h.state().settings.acked_alerts, quake_keys);

    // Unacknowledged, the quakes show until a day after their rule fired (their origin is older).
    h.state_mut().settings.acked_alerts.clear();
    let first = fired.iter().map(|f| f.1).min().unwrap();
    let last = fired.iter().map(|f| f.1).max().unwrap();
    h.state_mut().live.clock_ms = Some(first + 24 * 3_600_000 - 60_000);
    h.run_steps(2);
    assert_eq!(
        h.query_all_by_label("知道了").count(),
        2,
        "both quakes still on the banner"
    );
    h.state_mut().live.clock_ms = Some(last + 24 * 3_600_000 + 60_000);
    h.run_steps(2);
    assert_eq!(h.query_all_by_label("知道了").count(), 0, "a day later they are gone");
    assert!(
        h.state().situation.alerts.quakes.len() >= 2,
        "still known, only off the banner"
    );
}

#[test]
fn one_seat_of_a_sqlite_file_polls_and_another_takes_over_when_it_goes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("room.db");
    common::alerts::one_poller_for_the_room(
        &common::xsbn_pack(),
        &db,
        &dir.path().join("alerts-inbox"),
        &std::fs::read(data(ORANGE)).unwrap(),
        &std::fs::read(data("synthetic_exercise.cap")).unwrap(),
    );
    assert!(
        dir.path().join("room.db.poller.lock").is_file(),
        "the lease file beside the database"
    );
}
