//! The real console on the real Xishuangbanna pack, driven through egui_kittest by AccessKit
//! labels: toggle a layer, switch language, search and fly.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;

fn harness_with_db() -> Harness<'static, OneMapApp> {
    common::ui::console(onemap::ui::Database::InMemory)
}

fn harness_with_file(db: &std::path::Path) -> Harness<'static, OneMapApp> {
    common::ui::console(onemap::ui::Database::File(db.to_path_buf()))
}

use egui::accesskit::{Role, Toggled};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use onemap::mappack::MapPack;
use onemap::ui::{OneMapApp, fonts};

/// The console without a database (basemap only).
fn harness() -> Harness<'static, OneMapApp> {
    common::ui::console_with(egui::vec2(1400.0, 900.0), |_, _| {})
}

#[test]
fn layer_panel_toggles_rivers() {
    let mut h = harness();
    h.run_steps(3);
    assert!(h.state().layer_visible("rivers"));
    let cb = h.get_by_role_and_label(Role::CheckBox, "河流");
    assert_eq!(cb.accesskit_node().toggled(), Some(Toggled::True));
    cb.click();
    h.run_steps(3);
    assert!(
        !h.state().layer_visible("rivers"),
        "clicking the checkbox must hide the rivers layer"
    );
    assert_eq!(
        h.get_by_role_and_label(Role::CheckBox, "河流")
            .accesskit_node()
            .toggled(),
        Some(Toggled::False)
    );
    // The toggle is what gets persisted.
    assert_eq!(h.state().settings.layers.get("xishuangbanna/rivers"), Some(&false));
    // Other layers are untouched.
    assert!(h.state().layer_visible("boundaries"));
}

#[test]
fn language_switch_relabels_the_panel() {
    let mut h = harness();
    h.run_steps(3);
    assert!(h.query_by_role_and_label(Role::CheckBox, "Rivers").is_none());
    h.get_by_role_and_label(Role::Button, "English").click();
    h.run_steps(3);
    assert_eq!(h.state().settings.lang, onemap::ui::i18n::Lang::En);
    assert!(h.query_by_role_and_label(Role::CheckBox, "Rivers").is_some());
    assert!(h.query_by_role_and_label(Role::CheckBox, "河流").is_none());
    h.get_by_role_and_label(Role::Button, "中文").click();
    h.run_steps(3);
    assert!(h.query_by_role_and_label(Role::CheckBox, "河流").is_some());
}

/// 关于 opens a panel naming this build exactly as `onemap --version` does, and the pack shown.
#[test]
fn about_shows_the_build_and_the_pack() {
    let mut h = harness();
    h.run_steps(3);
    assert!(h.query_by_label_contains(onemap::build_info::GIT_COMMIT).is_none());
    h.get_by_label("关于").click();
    h.run_steps(3);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .arg("--version")
        .output()
        .unwrap();
    let version = String::from_utf8(out.stdout).unwrap();
    // `onemap 0.1.0 (commit …, built …)`: the panel shows the same text after the program name.
    let long = version.trim().strip_prefix("onemap ").unwrap();
    assert!(h.query_by_label_contains(&format!("版本 {long}")).is_some(), "{long}");
    assert!(h.query_by_label_contains("地图包 西双版纳").is_some());
}

#[test]
fn search_mengla_and_fly_there() {
    let mut h = harness();
    h.run_steps(3);
    let (start, start_zoom) = h.state().view_center_zoom();
    let mengla = MapPack::load(common::xsbn_pack())
        .unwrap()
        .counties()
        .into_iter()
        .find(|c| c.name_zh == "勐腊县")
        .unwrap();
    assert!(!mengla.bbox.contains(start), "the test needs a start outside Mengla");

    let input = h.get_by_role(Role::TextInput);
    input.focus();
    input.type_text("mengla");
    h.run_steps(3);
    assert_eq!(h.state().search.query, "mengla");
    assert!(
        h.state().search.results.first().is_some_and(|r| r.name_zh == "勐腊县"),
        "{:?}",
        h.state().search.results
    );
    assert!(
        h.query_by_label_contains("勐腊县 Mengla County").is_some(),
        "the result is listed"
    );

    h.key_press(egui::Key::Enter);
    h.run_steps(30);
    let (center, zoom) = h.state().view_center_zoom();
    assert!(
        mengla.bbox.contains(center),
        "map centre {center:?} should be inside Mengla County {:?}",
        mengla.bbox
    );
    assert!(zoom > start_zoom, "zoomed in from {start_zoom} to {zoom}");
}

#[test]
fn search_nonsense_says_no_match() {
    let mut h = harness();
    h.run_steps(3);
    let input = h.get_by_role(Role::TextInput);
    input.focus();
    input.type_text("xyz");
    h.run_steps(3);
    assert!(h.state().search.results.is_empty());
    assert!(h.query_by_label("无匹配地名").is_some());
}

#[test]
fn every_pack_name_renders_in_the_bundled_font() {
    let pack = MapPack::load(common::xsbn_pack()).unwrap();
    let mut text = String::new();
    for l in &pack.layers {
        let t = l.title();
        text += &t.zh;
        text += &t.en;
        for f in l.features() {
            for k in ["name_zh", "name_en", "label_zh", "label_en"] {
                text += f.str_prop(k).unwrap_or_default();
            }
        }
    }
    text += &pack.manifest.title.zh;
    assert_eq!(fonts::missing_glyphs(&text), Vec::<char>::new());
}

#[derive(Default)]
struct MemStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

#[test]
fn settings_and_view_survive_a_restart() {
    use eframe::App as _;
    let mut h = harness();
    h.run_steps(3);
    h.get_by_role_and_label(Role::CheckBox, "河流").click();
    h.get_by_role_and_label(Role::Button, "English").click();
    h.run_steps(3);
    // Fly to Mengla with the keyboard shortcut "3" (third county).
    h.key_press(egui::Key::Num3);
    h.run_steps(30);
    let (center, zoom) = h.state().view_center_zoom();
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);

    let pack = MapPack::load(common::xsbn_pack()).unwrap();
    let mengla = pack.counties().into_iter().find(|c| c.name_zh == "勐腊县").unwrap();
    assert!(mengla.bbox.contains(center), "shortcut 3 flew to Mengla: {center:?}");
    let mut h2 = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_context_setup(|ctx| ctx.set_fonts(fonts::definitions()))
        .build_eframe(move |cc| OneMapApp::new(&cc.egui_ctx, pack, Some(&storage)));
    h2.run_steps(3);
    let app = h2.state();
    assert_eq!(app.settings.lang, onemap::ui::i18n::Lang::En);
    assert!(!app.layer_visible("rivers"));
    let (c2, z2) = app.view_center_zoom();
    assert!((c2[0] - center[0]).abs() < 1e-6 && (c2[1] - center[1]).abs() < 1e-6 && (z2 - zoom).abs() < 1e-6);
    assert!(h2.query_by_role_and_label(Role::CheckBox, "Rivers").is_some());
}

fn right_click_menu(h: &mut Harness<'static, OneMapApp>, at: egui::Pos2, item: &str) {
    h.hover_at(at);
    h.run_steps(1);
    h.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Secondary,
        pressed: true,
        modifiers: Default::default(),
    });
    h.run_steps(1);
    h.event(egui::Event::PointerButton {
        pos: at,
        button: egui::PointerButton::Secondary,
        pressed: false,
        modifiers: Default::default(),
    });
    h.run_steps(2);
    h.get_by_label(item).click();
    h.run_steps(2);
}

fn wait_for_routing(h: &mut Harness<'static, OneMapApp>) {
    for _ in 0..200 {
        h.run_steps(1);
        if !h.state().routing_busy() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("routing did not answer");
}

#[test]
fn right_click_route_on_the_schematic_network_is_an_estimate() {
    let mut h = harness();
    h.run_steps(3);
    assert!(h.state().routing.route.is_none());
    // Two points well inside the map area.
    right_click_menu(&mut h, egui::pos2(700.0, 450.0), "从此处出发");
    right_click_menu(&mut h, egui::pos2(1000.0, 600.0), "到达此处");
    wait_for_routing(&mut h);
    let r = h.state().routing.route.clone().expect("a route was computed");
    assert!(r.eta_s > 60.0 && r.dist_m > 1000.0, "{r:?}");
    assert!(
        r.estimate,
        "Xishuangbanna's network is schematic: every route is an estimate"
    );
    assert!(r.geometry.len() >= 2);
    // The panel says so, in Chinese.
    assert!(h.query_by_label("估算").is_some());

    right_click_menu(&mut h, egui::pos2(800.0, 500.0), "从此处的等时圈（5/10/15/30 分钟）");
    wait_for_routing(&mut h);
    let iso = h.state().routing.iso.clone().expect("an isochrone was computed");
    assert_eq!(iso.bands.len(), 4);
    assert!(iso.bands.iter().any(|b| !b.indices.is_empty()), "some band has area");

    h.get_by_label("清除路线与等时圈").click();
    h.run_steps(2);
    assert!(h.state().routing.route.is_none() && h.state().routing.iso.is_none());
}

#[test]
fn first_run_offers_the_demo_and_the_boards_change_unit_status() {
    let mut h = harness_with_db();
    step_until(&mut h, "the store to open", |a| a.has_store());
    assert!(h.state().live.offer_demo, "a new database with a pack demo offers it");
    assert!(
        h.query_by_label_contains("演示 DEMO").is_none(),
        "no demo records yet, no badge"
    );
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo to load", |a| a.situation.units.len() > 100);
    h.run_steps(2);
    assert!(!h.state().live.offer_demo);
    assert!(
        h.query_by_label_contains("演示 DEMO").is_some(),
        "the DEMO badge shows once demo records exist"
    );

    // The unit board lists units: pick the Mohan cross-border team by its callsign.
    let (id, callsign) = {
        let sit = &h.state().situation;
        let u = sit
            .units
            .values()
            .find(|u| u.spec.unit_type == onemap::model::unit::UnitType::CrossBorderRescueTeam)
            .unwrap();
        (u.id, u.spec.callsign.clone())
    };
    h.get_by_label(&callsign).scroll_to_me();
    h.run_steps(3);
    h.get_by_label(&callsign).click();
    h.run_steps(3);
    assert_eq!(h.state().selected_ops, Some(onemap::map::ops::OpsRef::Unit(id)));
    // Set it out of service from the detail pane: an event goes through the store worker.
    h.get_by_label("停用").click();
    step_until(&mut h, "the status change", |a| {
        a.situation
            .units
            .get(&id)
            .is_some_and(|u| u.status == onemap::model::unit::UnitStatus::OutOfService)
    });
    let seq_before = h.state().situation.last_seq;
    assert!(
        seq_before > 300,
        "demo events plus the change are in the log: {seq_before}"
    );
    // The log board shows it, newest first, by callsign.
    h.get_by_label("日志").click();
    step_until(&mut h, "the log tail", |a| {
        a.live.log.last().is_some_and(|e| e.seq == seq_before)
    });
    h.run_steps(2);
    assert!(h.query_by_label(&format!("{callsign} → 停用")).is_some());
}

#[test]
fn new_incident_form_keeps_input_on_error_and_records_on_success() {
    let mut h = harness_with_db();
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("暂不加载").click();
    h.run_steps(2);
    // Ctrl+N opens the form.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    assert!(h.state().incident_form.open);
    h.state_mut().incident_form.caller = "李四".into();
    h.state_mut().incident_form.location = "100.79".into(); // missing latitude
    h.run_steps(1);
    h.get_by_label("登记").click();
    h.run_steps(2);
    let err = h.state().incident_form.error.clone().expect("a clear error");
    assert!(err.contains("位置"), "{err}");
    assert_eq!(h.state().incident_form.caller, "李四", "nothing typed is lost");
    assert!(h.state().situation.incidents.is_empty());

    h.state_mut().incident_form.location = "100.797,22.010".into();
    h.state_mut().incident_form.incident_type = onemap::model::incident::IncidentType::FlashFlood;
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the incident to be recorded", |a| {
        !a.situation.incidents.is_empty()
    });
    h.run_steps(3);
    let app = h.state();
    let (id, inc) = app.situation.incidents.iter().next().unwrap();
    assert_eq!(inc.caller.name, "李四");
    assert_eq!(inc.incident_type, onemap::model::incident::IncidentType::FlashFlood);
    assert!(!app.incident_form.open, "closed after the store confirmed");
    assert!(app.incident_form.caller.is_empty(), "cleared only after success");
    assert_eq!(app.selected_ops, Some(onemap::map::ops::OpsRef::Incident(*id)));
    // The detail pane offers verification; clicking it records an event.
    h.get_by_label("已核实").click();
    step_until(&mut h, "verification", |a| {
        a.situation
            .incidents
            .values()
            .next()
            .is_some_and(|i| i.status == onemap::model::incident::IncidentStatus::Verified)
    });
}

#[test]
fn suggest_and_dispatch_from_the_incident_pane() {
    use onemap::model::unit::UnitStatus;
    let mut h = harness_with_db();
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    // A landslide near Menghai, recorded through the form.
    h.state_mut().open_incident_form(Some([100.60, 21.98]));
    h.state_mut().incident_form.class = onemap::model::incident::IncidentClass::NaturalDisaster;
    h.state_mut().incident_form.incident_type = onemap::model::incident::IncidentType::LandslideDebrisFlow;
    h.state_mut().incident_form.severity = onemap::model::incident::Severity::II;
    h.run_steps(2);
    h.get_by_label("登记").click();
    step_until(&mut h, "the incident", |a| !a.situation.incidents.is_empty());
    h.run_steps(2);
    // R asks for suggestions (the incident is selected after recording).
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    h.run_steps(2);
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    let units = rec.unit_ids();
    assert!(
        units.len() >= 4,
        "geological team + 2 engineering crews + medical team + ambulance: {units:?}"
    );
    assert!(rec.schematic && rec.requirements.iter().flat_map(|r| &r.filled).all(|s| s.estimate));
    assert!(h.query_by_label("全部派遣").is_some());
    // Enter dispatches them all: the units become dispatched through events.
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the dispatch", |a| {
        units.iter().all(|u| {
            a.situation
                .units
                .get(u)
                .is_some_and(|x| x.status == UnitStatus::Dispatched)
        })
    });
    assert!(h.state().dispatch.recommendation.is_none());
}

fn report_landslide(h: &mut Harness<'static, OneMapApp>, at: [f64; 2]) -> onemap::model::ids::IncidentId {
    // Other seats' incidents may arrive meanwhile (live feed): ours is the new one at `at`.
    let before: Vec<_> = h.state().situation.incidents.keys().copied().collect();
    let ours = move |a: &OneMapApp| {
        a.situation
            .incidents
            .iter()
            .find(|(id, i)| {
                !before.contains(id)
                    && i.lonlat
                        .dist_m(onemap::model::lonlat::LonLat::from_deg(at[0], at[1]).unwrap())
                        < 1.0
            })
            .map(|(id, _)| *id)
    };
    h.state_mut().open_incident_form(Some(at));
    h.state_mut().incident_form.class = onemap::model::incident::IncidentClass::NaturalDisaster;
    h.state_mut().incident_form.incident_type = onemap::model::incident::IncidentType::LandslideDebrisFlow;
    h.state_mut().incident_form.severity = onemap::model::incident::Severity::II;
    h.run_steps(2);
    h.get_by_label("登记").click();
    step_until(h, "the incident", |a| ours(a).is_some());
    h.run_steps(2);
    ours(h.state()).unwrap()
}

/// Keyboard-only dispatch of part of a suggestion, dead reckoning of the dispatched units, unit
/// status keys, incident timers, the reassignment offer, and tracks rebuilt after a restart.
#[test]
fn partial_dispatch_tracking_timers_and_reassign() {
    use onemap::dispatch::tracking::{point_along, seconds_since};
    use onemap::map::ops::OpsRef;
    use onemap::model::unit::UnitStatus;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("console.sqlite");
    let mut h = harness_with_file(&db);
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let incident = report_landslide(&mut h, [100.60, 21.98]);
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    h.run_steps(2);
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    let units = rec.unit_ids();
    assert!(units.len() >= 4, "{units:?}");
    // Alt+2 unticks the second suggested unit; the button now says "dispatch selected".
    h.key_press_modifiers(egui::Modifiers::ALT, egui::Key::Num2);
    h.run_steps(2);
    assert!(h.state().dispatch.unticked.contains(&units[1]));
    assert!(h.query_by_label("派遣所选").is_some() && h.query_by_label("全部派遣").is_none());
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the dispatch", |a| {
        a.situation.units[&units[0]].status == UnitStatus::Dispatched
    });
    h.run_steps(2);
    {
        let app = h.state();
        for (k, u) in units.iter().enumerate() {
            let status = app.situation.units[u].status;
            let want = if k == 1 {
                UnitStatus::Available
            } else {
                UnitStatus::Dispatched
            };
            assert_eq!(status, want, "unit {k} {u}");
        }
        assert_eq!(
            app.tracks.routes.len(),
            units.len() - 1,
            "the suggestion routes became tracks"
        );
        assert!(app.situation.incidents[&incident].first_dispatch_utc.is_some());
    }

    // Half way through the first unit's ETA the estimate sits half way along its route.
    let sug = rec
        .requirements
        .iter()
        .flat_map(|r| &r.filled)
        .find(|s| s.unit == units[0])
        .unwrap()
        .clone();
    let since = h.state().situation.units[&units[0]].status_since_utc.clone();
    let now_ms = onemap::time::parse_utc_ms(&since).unwrap() + (sug.eta_s * 500.0) as i64;
    h.state_mut().live.clock_ms = Some(now_ms);
    let est = h.state().estimated_positions()[&units[0]];
    let want = point_along(&sug.route_lonlat, 0.5).unwrap();
    assert!(
        (est[0] - want[0]).abs() < 1e-6 && (est[1] - want[1]).abs() < 1e-6,
        "{est:?} vs {want:?}"
    );
    // The unit pane says how long it still has to go.
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, OpsRef::Unit(units[0]));
    h.run_steps(2);
    assert!(h.query_by_label_contains("剩余").is_some(), "remaining time shown");

    // A: not allowed from dispatched (no event); E then S move it on by keyboard.
    let seq = h.state().situation.last_seq;
    h.key_press(egui::Key::A);
    h.run_steps(2);
    assert_eq!(h.state().situation.last_seq, seq, "nothing recorded");
    h.key_press(egui::Key::E);
    step_until(&mut h, "en route", |a| {
        a.situation.units[&units[0]].status == UnitStatus::EnRoute
    });
    h.key_press(egui::Key::S);
    step_until(&mut h, "on scene", |a| {
        a.situation.units[&units[0]].status == UnitStatus::OnScene
    });
    let inc = h.state().situation.incidents[&incident].clone();
    let arrival = inc.first_arrival_utc.clone().expect("first arrival recorded");
    assert!(
        !h.state().estimated_positions().contains_key(&units[0]),
        "on scene: no estimate"
    );

    // The incident pane's timers run from the log times.
    h.state_mut().live.clock_ms = Some(onemap::time::parse_utc_ms(&arrival).unwrap() + 65_000);
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, OpsRef::Incident(incident));
    h.run_steps(2);
    // A duration in words (issue 17: never an ambiguous `1:05`).
    assert!(h.query_by_label("到场后 1 分 5 秒").is_some(), "arrival timer");
    // The call time reads in Beijing time (UTC+8), the zone said once; the log keeps UTC.
    let bj_ms = onemap::time::parse_utc_ms(&inc.reported_at_utc).unwrap() + 8 * 3_600_000;
    let sod = bj_ms.rem_euclid(86_400_000) / 1000;
    let bj = format!("{:02}:{:02}:{:02}", sod / 3600, sod / 60 % 60, sod % 60);
    assert!(
        h.query_by_label_contains(&format!("{bj} 北京时间")).is_some(),
        "{bj} 北京时间 (logged {})",
        inc.reported_at_utc
    );
    assert!(
        h.query_by_label_contains(&inc.reported_at_utc.replace('T', " "))
            .is_none()
    );
    let since_report = seconds_since(&inc.reported_at_utc, h.state().now_ms()).unwrap();
    let want = format!("报警后 {}", onemap::local_time::duration_zh(since_report));
    assert!(h.query_by_label(&want).is_some(), "{want}");

    // Sending the on-scene unit to a second incident is refused and offered as a reassignment.
    let second = report_landslide(&mut h, [100.45, 21.95]);
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, OpsRef::Unit(units[0]));
    h.run_steps(2);
    h.get_by_label("派遣").click();
    // The store worker checks the dispatch against the log and answers with the offer.
    step_until(&mut h, "the reassignment offer", |a| {
        a.dispatch.reassign_offer.is_some()
    });
    let offer = h.state().dispatch.reassign_offer.clone().expect("reassignment offered");
    assert_eq!(
        (offer.request.incident, offer.request.units.clone()),
        (second, vec![units[0]])
    );
    assert_eq!(offer.committed.len(), 1);
    assert_eq!(
        (offer.committed[0].unit, offer.committed[0].incident),
        (units[0], incident)
    );
    assert_eq!(
        h.state().situation.units[&units[0]].assignment,
        Some(incident),
        "nothing changed yet"
    );
    h.get_by_label("改派（先解除原任务）").click();
    step_until(&mut h, "the reassignment", |a| {
        a.situation.units[&units[0]].assignment == Some(second)
    });

    // After a restart the moving units get their tracks back from the routing worker.
    let moving: Vec<_> = h
        .state()
        .situation
        .units
        .values()
        .filter(|u| matches!(u.status, UnitStatus::Dispatched | UnitStatus::EnRoute))
        .map(|u| u.id)
        .collect();
    drop(h);
    let mut h = harness_with_file(&db);
    step_until(&mut h, "tracks after restart", |a| {
        a.tracks.routes.len() == moving.len()
    });
    for u in &moving {
        let t = &h.state().tracks.routes[u];
        assert_eq!(Some(t.incident), h.state().situation.units[u].assignment);
        assert!(t.eta_s > 0.0 && t.estimate, "schematic network: an estimate");
    }
}

/// Relief for the people affected is suggested by road ETA, reserved with the dispatch (events),
/// and issued from the warehouse pane.
#[test]
fn relief_supplies_are_reserved_with_the_dispatch_and_issued() {
    use onemap::map::ops::OpsRef;
    let mut h = harness_with_db();
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let _incident = report_landslide(&mut h, [100.80, 22.01]);
    h.state_mut().dispatch.affected_people = 120;
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    h.run_steps(2);
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    assert!(!rec.supplies.is_empty(), "120 people need relief");
    assert!(h.query_by_label("同时预留物资").is_some());
    let allocs: Vec<_> = rec
        .supplies
        .iter()
        .flat_map(|f| {
            f.allocations
                .iter()
                .map(move |a| (a.warehouse, f.item_code.clone(), a.quantity))
        })
        .collect();
    assert!(!allocs.is_empty());
    let reserved = |a: &OneMapApp, w, item: &str| a.situation.warehouses[&w].stock[item].reserved;
    let before: Vec<u64> = allocs.iter().map(|(w, i, _)| reserved(h.state(), *w, i)).collect();
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the reservation", |a| {
        allocs
            .iter()
            .zip(&before)
            .all(|((w, i, q), b)| reserved(a, *w, i) == b + q)
    });
    // Issue the first reserved line from its warehouse's pane.
    let (w, item, _) = allocs[0].clone();
    let (qty, res) = {
        let line = &h.state().situation.warehouses[&w].stock[&item];
        (line.quantity, line.reserved)
    };
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, OpsRef::Warehouse(w));
    h.run_steps(2);
    h.get_by_label(&format!("发放预留 {res}")).click();
    step_until(&mut h, "the issue", |a| {
        a.situation.warehouses[&w].stock[&item].reserved == 0
    });
    assert_eq!(h.state().situation.warehouses[&w].stock[&item].quantity, qty - res);
}

/// The duty officer's path without the mouse: Ctrl+N, type a place name, Ctrl+Enter, R, Enter.
#[test]
fn keyboard_only_call_to_dispatch_with_a_place_name() {
    use onemap::model::unit::UnitStatus;
    let mut h = harness_with_db();
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    // A name that is not a place: a clear error, the draft kept.
    h.get_by_label("位置（经度,纬度或地名）").focus();
    h.run_steps(1);
    h.get_by_label("位置（经度,纬度或地名）").type_text("xyzzy");
    h.run_steps(1);
    assert_eq!(h.state().incident_form.location, "xyzzy");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(2);
    let err = h.state().incident_form.error.clone().expect("error");
    assert!(err.contains("找不到此地名") && err.contains("xyzzy"), "{err}");
    assert!(!err.contains("place"), "no English in the Chinese UI: {err}");
    // Select all, delete, type the place.
    h.get_by_label("位置（经度,纬度或地名）").focus();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run_steps(1);
    h.get_by_label("位置（经度,纬度或地名）").type_text("景洪");
    h.run_steps(1);
    assert_eq!(h.state().incident_form.location, "景洪");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the incident", |a| !a.situation.incidents.is_empty());
    h.run_steps(2);
    let inc = h.state().situation.incidents.values().next().unwrap().clone();
    // Placed at the gazetteer's Jinghong (independently: the pack's place index).
    let pack = MapPack::load(common::xsbn_pack()).unwrap();
    let index = onemap::search::PlaceIndex::build(&pack);
    let best = index
        .search("景洪", 5)
        .into_iter()
        .find(|h| matches!(h.place.target, onemap::search::Target::Point(_)))
        .unwrap()
        .place;
    let onemap::search::Target::Point(want) = best.target else {
        panic!("景洪 has a point")
    };
    let got = inc.lonlat.lonlat();
    assert!(
        (got[0] - want[0]).abs() < 1e-6 && (got[1] - want[1]).abs() < 1e-6,
        "{got:?} {want:?}"
    );
    assert!(inc.address.contains("景洪"), "{}", inc.address);
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    let units = h.state().dispatch.recommendation.as_ref().unwrap().unit_ids();
    assert!(!units.is_empty());
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the dispatch", |a| {
        units
            .iter()
            .all(|u| a.situation.units[u].status == UnitStatus::Dispatched)
    });
}

/// Two seats on one database file: what the other seat records shows up here without any action.
#[test]
fn another_seats_events_show_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.sqlite");
    let mut h = harness_with_file(&db);
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let mut other = onemap::store::Store::open(&db).unwrap();
    let unit = *other.situation().unwrap().units.keys().next().unwrap();
    other
        .append(
            "王五",
            "seat-2",
            None,
            onemap::model::event::EventKind::UnitStatusChanged {
                unit,
                to: onemap::model::unit::UnitStatus::OutOfService,
            },
        )
        .unwrap();
    step_until(&mut h, "the other seat's change", |a| {
        a.situation.units[&unit].status == onemap::model::unit::UnitStatus::OutOfService
            && a.live
                .log
                .last()
                .is_some_and(|e| e.seat == "seat-2" && e.operator == "王五")
    });
}

/// The race between seats: seat B commits a unit; a moment later seat A (whose copy of the
/// situation may be a polling second old) presses Enter on a suggestion containing it. The store
/// worker checks against the log inside the append, so A gets the reassignment offer naming B's
/// incident, nothing is written twice, and accepting releases and re-dispatches in one batch.
#[test]
fn two_seats_race_for_a_unit_and_the_loser_gets_the_reassignment_offer() {
    use onemap::map::ops::OpsRef;
    use onemap::model::event::EventKind;
    use onemap::model::unit::UnitStatus;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two_seats.sqlite");
    let mut a = harness_with_file(&db);
    a.state_mut().settings.seat = "seat-A".into();
    step_until(&mut a, "seat A's store", |x| x.has_store());
    a.get_by_label("加载演示场景").click();
    step_until(&mut a, "the demo", |x| x.situation.units.len() > 100);
    let mut b = harness_with_file(&db);
    b.state_mut().settings.seat = "seat-B".into();
    step_until(&mut b, "seat B's store", |x| x.situation.units.len() > 100);

    // A records a landslide and asks for suggestions.
    let ours = report_landslide(&mut a, [100.60, 21.98]);
    a.key_press(egui::Key::R);
    step_until(&mut a, "suggestions", |x| x.dispatch.recommendation.is_some());
    let u = a.state().dispatch.recommendation.as_ref().unwrap().unit_ids()[0];

    // B records its own incident and sends U there from the unit pane.
    let theirs = report_landslide(&mut b, [100.45, 21.95]);
    assert_ne!(theirs, ours);
    let ctx = b.ctx.clone();
    b.state_mut().select_ops(&ctx, OpsRef::Unit(u));
    b.run_steps(2);
    b.get_by_label("派遣").click();
    step_until(&mut b, "B's dispatch", |x| {
        x.situation.units[&u].assignment == Some(theirs)
    });
    let before = onemap::store::Store::open(&db).unwrap().last_seq().unwrap();

    // ~100 ms later A presses Enter on its suggestion, which still lists U.
    std::thread::sleep(std::time::Duration::from_millis(100));
    let ctx = a.ctx.clone();
    a.state_mut().select_ops(&ctx, OpsRef::Incident(ours));
    a.run_steps(1);
    assert!(
        a.state()
            .dispatch
            .recommendation
            .as_ref()
            .unwrap()
            .unit_ids()
            .contains(&u)
    );
    a.key_press(egui::Key::Enter);
    step_until(&mut a, "the reassignment offer", |x| {
        x.dispatch.reassign_offer.is_some()
    });
    a.run_steps(2);
    let offer = a.state().dispatch.reassign_offer.clone().unwrap();
    assert_eq!(offer.request.incident, ours);
    assert!(offer.request.reassign && offer.request.units.contains(&u));
    assert_eq!(offer.committed.len(), 1, "{offer:?}");
    assert_eq!((offer.committed[0].unit, offer.committed[0].incident), (u, theirs));
    let callsign = &offer.committed[0].callsign;
    let label = format!("{callsign} 已承担事件 #{}", theirs.0);
    assert!(
        a.query_by_label(&label).is_some(),
        "the offer names B's incident: {label}"
    );
    // Nothing written twice: A's refused dispatch wrote no event at all.
    let store = onemap::store::Store::open(&db).unwrap();
    assert_eq!(store.last_seq().unwrap(), before, "the refusal wrote nothing");
    let dispatched_u = |events: &[onemap::model::event::Event]| {
        events
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::UnitDispatched { unit, .. } if *unit == u))
            .count()
    };
    assert_eq!(dispatched_u(&store.events_since(0).unwrap()), 1);

    // Accepting (Shift+Enter) releases U from B's incident and re-dispatches it in one batch.
    a.key_press_modifiers(egui::Modifiers::SHIFT, egui::Key::Enter);
    step_until(&mut a, "the reassignment", |x| {
        x.situation.units[&u].assignment == Some(ours)
    });
    let events = onemap::store::Store::open(&db).unwrap().events_since(before).unwrap();
    let release = events
        .iter()
        .position(|e| matches!(&e.kind, EventKind::UnitReleased { unit, .. } if *unit == u))
        .expect("U released");
    let redispatch = &events[release + 1];
    assert!(
        matches!(&redispatch.kind, EventKind::UnitDispatched { unit, incident, .. } if *unit == u && *incident == ours),
        "{:?}",
        redispatch.kind
    );
    // One batch: one transaction, one log time, from seat A.
    assert_eq!(events[release].ts_utc, redispatch.ts_utc);
    assert!(events.iter().all(|e| e.seat == "seat-A"));
    assert_eq!(dispatched_u(&events), 1, "U dispatched once more, to A's incident");
    assert_eq!(a.state().situation.units[&u].status, UnitStatus::Dispatched);
    // B sees it too.
    step_until(&mut b, "B sees the reassignment", |x| {
        x.situation.units[&u].assignment == Some(ours)
    });
}

/// The GeoNames towns and the river the sources name only in English (issue 17, "Words"): in
/// both shipped packs each gets a Chinese label only from a cited source — checked here against
/// the pack's NBS township list, independently of the generator: same code, name and county,
/// and the English name is that township's romanisation — or shows its English name marked
/// 「…」（英文名）. Chinese mode's search then lists them that way.
#[test]
fn towns_and_rivers_without_a_chinese_name_are_sourced_or_marked_english() {
    let key = |s: &str| -> String { s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect() };
    for dir in [common::xsbn_pack(), common::default_pack()] {
        let pack = MapPack::load(&dir).unwrap();
        let csv = std::fs::read_to_string(dir.join("townships.csv")).unwrap();
        // nbs_code,name_zh,name_pinyin_machine,kind,county_adcode,county_name_zh
        let towns: std::collections::HashMap<String, Vec<String>> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .map(|r| (r[0].clone(), r))
            .collect();
        let (mut sourced, mut marked) = (Vec::new(), Vec::new());
        for l in pack
            .layers
            .iter()
            .filter(|l| matches!(l.spec.kind.as_str(), "places" | "rivers"))
        {
            for f in l.features() {
                let (Some(en), None) = (f.str_prop("name_en"), f.str_prop("name_zh")) else {
                    continue;
                };
                let label = f.str_prop("label_zh").unwrap_or_default();
                let source = f.str_prop("label_zh_source").unwrap_or_default();
                match source.strip_prefix("NBS 2023 township ") {
                    Some(rest) => {
                        let code = rest.split(' ').next().unwrap();
                        let row = &towns[code];
                        assert_eq!(label, row[1], "{en}: {source}");
                        let county = f.f64_prop("county_adcode").unwrap() as u32;
                        assert_eq!(row[4], county.to_string(), "{en}: same county");
                        let pinyin = row[2].trim_end_matches("Zhen").trim_end_matches("Xiang");
                        assert_eq!(key(pinyin), key(en), "{en}: the township's romanisation");
                        sourced.push(label.to_string());
                    }
                    None => {
                        assert_eq!(label, format!("「{en}」（英文名）"), "{en}: {source}");
                        assert!(source.contains("no Chinese name"), "{en}: {source}");
                        marked.push(en.to_string());
                    }
                }
            }
        }
        sourced.sort();
        marked.sort();
        assert_eq!(sourced, ["勐旺乡", "勐阿镇"], "{}", dir.display());
        assert_eq!(marked, ["Mengman", "Ou"], "{}", dir.display());
    }

    let mut h = harness();
    h.run_steps(3);
    let input = h.get_by_role(Role::TextInput);
    input.focus();
    input.type_text("Mengwang");
    h.run_steps(3);
    let listed = |h: &Harness<'static, OneMapApp>, zh: &str, en: &str| {
        h.state()
            .search
            .results
            .iter()
            .any(|r| r.name_zh == zh && r.name_en == en)
            && h.query_all_by_label_contains(&format!("{zh} {en} · ")).next().is_some()
    };
    assert!(listed(&h, "勐旺乡", "Mengwang"), "{:?}", h.state().search.results);
    let input = h.get_by_role(Role::TextInput);
    input.focus();
    for _ in 0.."Mengwang".len() {
        h.key_press(egui::Key::Backspace);
    }
    input.type_text("Ou");
    h.run_steps(3);
    assert!(listed(&h, "「Ou」（英文名）", "Ou"), "{:?}", h.state().search.results);
}
