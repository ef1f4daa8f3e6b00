//! The coverage layer and board of the real console on the real Xishuangbanna pack and demo,
//! driven through egui_kittest: every figure the console shows is checked against the coverage
//! library run independently on the same situation.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;

fn harness_with_db() -> Harness<'static, OneMapApp> {
    common::ui::console_with(egui::vec2(1600.0, 1200.0), |ctx, app| {
        app.attach_database(ctx, onemap::ui::Database::InMemory)
    })
}

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use onemap::coverage::{
    CoverageModel, CoverageOptions, CoverageReport, DemandSpec, ForceType, SitingOptions, compute,
    siting::DEFAULT_CANDIDATE_CELL_KM,
};
use onemap::dispatch::Plans;
use onemap::mappack::MapPack;
use onemap::model::situation::Situation;
use onemap::roads::router::Router;
use onemap::ui::OneMapApp;

/// The library, independently of the console: its own router, plans and demand.
struct Oracle {
    router: Router,
    plans: Plans,
    spec: DemandSpec,
}

impl Oracle {
    fn new() -> Oracle {
        let pack = MapPack::load(common::xsbn_pack()).unwrap();
        let (graph, spec) = pack.roads().unwrap();
        Oracle {
            router: Router::with_spec(graph, spec),
            plans: Plans::load_pack(&pack.dir).unwrap(),
            spec: DemandSpec::from_pack(&pack),
        }
    }

    fn coverage(&mut self, sit: &Situation) -> CoverageReport {
        compute(
            sit,
            &mut self.router,
            &self.plans,
            &self.spec,
            &CoverageOptions::default(),
        )
        .unwrap()
    }

    fn model(&self) -> CoverageModel {
        CoverageModel::new(&self.spec, &self.router, &self.plans, &CoverageOptions::default())
    }
}

fn share(r: &CoverageReport, f: ForceType) -> f64 {
    r.types.iter().find(|t| t.force == f).unwrap().covered_share
}

fn live_is_current(a: &OneMapApp) -> bool {
    a.coverage
        .answer
        .as_ref()
        .is_some_and(|c| c.seq == a.situation.last_seq)
}

fn open_coverage_board(h: &mut Harness<'static, OneMapApp>) {
    // The tab is the one "覆盖" that is not a checkbox.
    let tab = h
        .query_all_by_label("覆盖")
        .find(|n| n.accesskit_node().role() != Role::CheckBox)
        .unwrap();
    tab.click();
    h.run_steps(2);
}

fn load_demo(h: &mut Harness<'static, OneMapApp>) {
    step_until(h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(h, "the demo", |a| a.situation.units.len() > 100);
}

fn report_landslide(h: &mut Harness<'static, OneMapApp>, at: [f64; 2]) {
    let before = h.state().situation.incidents.len();
    h.state_mut().open_incident_form(Some(at));
    h.state_mut().incident_form.class = onemap::model::incident::IncidentClass::NaturalDisaster;
    h.state_mut().incident_form.incident_type = onemap::model::incident::IncidentType::LandslideDebrisFlow;
    h.state_mut().incident_form.severity = onemap::model::incident::Severity::II;
    h.run_steps(2);
    h.get_by_label("登记").click();
    step_until(h, "the incident", |a| a.situation.incidents.len() > before);
    h.run_steps(2);
}

fn lib_points(oracle: &mut Oracle, sit: &Situation) -> usize {
    oracle.coverage(sit).points.len()
}

#[test]
fn coverage_layer_board_move_up_and_dispatch_match_the_library() {
    use onemap::model::unit::UnitStatus;
    let mut h = harness_with_db();
    load_demo(&mut h);
    assert!(!h.state().coverage_layer_on(), "off by default");
    h.get_by_role_and_label(Role::CheckBox, "覆盖").click();
    h.run_steps(1);
    assert!(h.state().coverage_layer_on());
    step_until(&mut h, "live coverage", live_is_current);
    let mut oracle = Oracle::new();
    let sit = h.state().situation.clone();
    let lib = oracle.coverage(&sit);
    let live = h.state().coverage.answer.clone().unwrap();
    assert_eq!(live.report.types.len(), lib.types.len());
    for (a, b) in live.report.types.iter().zip(&lib.types) {
        assert_eq!(a.force, b.force);
        assert_eq!(a.covered_share, b.covered_share, "{}", a.force);
        assert_eq!(a.uncovered_places, b.uncovered_places, "{}", a.force);
    }
    assert!(
        live.report.estimate,
        "the schematic network: every figure is an estimate"
    );
    // The legend is by road distance for the ambulance.
    assert!(h.query_by_label_contains("≤ 5 公里").is_some());
    assert!(h.query_by_label("不可达").is_some());

    // The board shows the same share for the ambulance.
    open_coverage_board(&mut h);
    let amb = share(&lib, ForceType::Ambulance);
    let text = format!("覆盖率: {:.1}%", amb * 100.0);
    assert!(h.query_all_by_label(&text).count() >= 1, "{text} shown");
    assert!(h.query_by_label_contains("按面积加权").is_some(), "weighting stated");

    // Pick an available ambulance whose dispatch lowers coverage (the library says which).
    let model = oracle.model();
    let (unit, what_if) = sit
        .units
        .values()
        .filter(|u| u.status == UnitStatus::Available && ForceType::of_unit(u) == Some(ForceType::Ambulance))
        .map(|u| (u.id, model.what_if_dispatched(&sit, &mut oracle.router, u.id).unwrap()))
        .find(|(_, m)| m.after_share < m.before_share)
        .unwrap();
    let callsign = sit.units[&unit].spec.callsign.clone();
    // Selecting it shows the move-up hint, computed on the worker.
    h.state_mut().selected_ops = Some(onemap::map::ops::OpsRef::Unit(unit));
    step_until(&mut h, "the move-up hint", |a| {
        a.coverage
            .moveup
            .as_ref()
            .is_some_and(|m| m.hints.iter().any(|x| x.dispatched == unit))
    });
    let hint = h.state().coverage.moveup.clone().unwrap();
    assert_eq!(hint.hints[0], what_if, "the same move-up as the library");
    h.run_steps(2);
    let line = format!(
        "若派出 {callsign}，急救（救护车）覆盖率由 {:.1}% 降至 {:.1}%",
        what_if.before_share * 100.0,
        what_if.after_share * 100.0
    );
    assert!(h.query_all_by_label_contains(&line).count() >= 1, "hint shown: {line}");

    // Dispatch it: live coverage is recomputed on the new situation and drops.
    let seq = h.state().situation.last_seq;
    report_landslide(&mut h, [100.80, 22.00]);
    let incident = *h.state().situation.incidents.keys().next().unwrap();
    h.state_mut().selected_ops = Some(onemap::map::ops::OpsRef::Unit(unit));
    assert!(
        h.state_mut()
            .submit_dispatch(onemap::dispatch::DispatchRequest::units(incident, vec![unit]))
    );
    step_until(&mut h, "the dispatch", |a| {
        a.situation.units[&unit].status == UnitStatus::Dispatched && a.situation.last_seq > seq
    });
    step_until(&mut h, "coverage after the dispatch", live_is_current);
    open_coverage_board(&mut h); // recording the incident switched to the incidents board
    let sit2 = h.state().situation.clone();
    let lib2 = oracle.coverage(&sit2);
    let live2 = h.state().coverage.answer.clone().unwrap();
    let after = share(&live2.report, ForceType::Ambulance);
    assert_eq!(after, share(&lib2, ForceType::Ambulance));
    assert!(after < amb, "coverage dropped: {amb} → {after}");
    assert_eq!(after, what_if.after_share, "as the what-if predicted");
    h.run_steps(2);
    let live_line = format!("实时：急救（救护车）覆盖率现为 {:.1}%", after * 100.0);
    assert!(h.query_all_by_label(&live_line).count() >= 1, "{live_line}");
    let all: Vec<String> = h
        .query_all_by_label_contains("覆盖率")
        .map(|n| format!("{:?}", n.accesskit_node().label()))
        .collect();
    assert!(
        h.query_all_by_label(&format!("覆盖率: {:.1}%", after * 100.0)).count() >= 1,
        "the board shows the new share: {all:?}"
    );
}

#[test]
fn siting_button_proposes_the_library_sites() {
    let mut h = harness_with_db();
    load_demo(&mut h);
    open_coverage_board(&mut h);
    step_until(&mut h, "live coverage", live_is_current);
    h.run_steps(2);
    h.get_by_label("选址（k=4）").scroll_to_me();
    h.run_steps(30);
    h.get_by_label("选址（k=4）").click();
    step_until(&mut h, "the siting proposal", |a| a.coverage.siting.is_some());
    let got = h.state().coverage.siting.clone().unwrap();
    let mut oracle = Oracle::new();
    let sit = h.state().situation.clone();
    let lib = oracle
        .model()
        .siting(
            &sit,
            &mut oracle.router,
            &SitingOptions {
                force: ForceType::Ambulance,
                k: 4,
                candidates: None,
                candidate_cell_km: DEFAULT_CANDIDATE_CELL_KM,
            },
        )
        .unwrap();
    assert_eq!(got.report, lib);
    assert_eq!(got.report.chosen.len(), 4);
    assert!(got.candidates_lonlat.len() >= got.report.candidates);
    h.run_steps(2);
    for (i, c) in lib.chosen.iter().enumerate() {
        assert!(
            h.query_by_label_contains(&format!("{}. {} — 新增", i + 1, c.name))
                .is_some(),
            "site {} listed",
            c.name
        );
    }
    assert_eq!(got.with_sites.len(), lib_points(&mut oracle, &sit));
    // With the sites every demand point is at least as close as today.
    let today = h.state().coverage.answer.clone().unwrap();
    let amb = today
        .report
        .types
        .iter()
        .find(|t| t.force == ForceType::Ambulance)
        .unwrap();
    for (p, w) in amb.points.iter().zip(&got.with_sites) {
        if let Some(d) = p.dist_m {
            assert!(w.is_some_and(|w| w.1 <= d + 1e-6), "{d} vs {w:?}");
        }
    }
}

#[test]
fn nearest_supplies_for_the_selected_incident() {
    let mut h = harness_with_db();
    load_demo(&mut h);
    report_landslide(&mut h, [100.80, 22.00]);
    open_coverage_board(&mut h);
    step_until(&mut h, "live coverage", live_is_current);
    h.run_steps(2);
    h.get_by_label("查询最近 N 处").scroll_to_me();
    h.run_steps(30);
    h.get_by_label("查询最近 N 处").click();
    step_until(&mut h, "supplies", |a| a.coverage.supplies.is_some());
    let got = h.state().coverage.supplies.clone().unwrap();
    let mut oracle = Oracle::new();
    let sit = h.state().situation.clone();
    let at = sit.incidents.values().next().unwrap().lonlat.lonlat();
    let lib = onemap::coverage::nearest_supplies(&sit, &mut oracle.router, Some(&oracle.plans), at, "帐篷", 3).unwrap();
    assert_eq!(got, lib);
    assert!(!got.nearest.is_empty());
    h.run_steps(2);
    assert!(h.query_by_label(&got.nearest[0].name_zh).is_some());
}

#[test]
fn suggestion_shows_move_up_and_dispatching_it_lowers_live_coverage() {
    use onemap::model::unit::UnitStatus;
    let mut h = harness_with_db();
    load_demo(&mut h);
    h.get_by_role_and_label(Role::CheckBox, "覆盖").click();
    step_until(&mut h, "live coverage", live_is_current);
    // A landslide in Jinghong: the suggestion includes an ambulance.
    report_landslide(&mut h, [100.80, 22.01]);
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    let sit = h.state().situation.clone();
    let focus = h.state().move_up_focus();
    assert!(!focus.is_empty() && focus.iter().all(|u| rec.unit_ids().contains(u)));
    step_until(&mut h, "move-up hints for the suggestion", |a| {
        a.coverage
            .moveup
            .as_ref()
            .is_some_and(|m| m.seq == sit.last_seq && m.hints.len() == focus.len())
    });
    let mut oracle = Oracle::new();
    let model = oracle.model();
    let hints = h.state().coverage.moveup.clone().unwrap().hints;
    for (u, got) in focus.iter().zip(&hints) {
        assert_eq!(got, &model.what_if_dispatched(&sit, &mut oracle.router, *u).unwrap());
    }
    h.run_steps(2);
    assert!(
        h.query_all_by_label_contains("若派出").count() >= 1,
        "the hint is shown"
    );
    let before = h.state().coverage.answer.clone().unwrap().report;
    // Enter dispatches the suggestion; coverage follows the new situation.
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the dispatch", |a| {
        rec.unit_ids()
            .iter()
            .all(|u| a.situation.units[u].status == UnitStatus::Dispatched)
    });
    step_until(&mut h, "coverage after the dispatch", live_is_current);
    let after = h.state().coverage.answer.clone().unwrap().report;
    let lib = oracle.coverage(&h.state().situation.clone());
    for (a, b) in after.types.iter().zip(&lib.types) {
        assert_eq!(a.covered_share, b.covered_share, "{}", a.force);
    }
    let dropped = after
        .types
        .iter()
        .zip(&before.types)
        .any(|(a, b)| a.covered_share < b.covered_share || a.uncovered_places.len() > b.uncovered_places.len());
    assert!(dropped, "dispatching the suggestion lowers some coverage");
    h.run_steps(2);
    assert!(
        h.query_all_by_label_contains("实时：").count() >= 1,
        "the hint now states the live share"
    );
}

#[test]
fn selecting_an_available_ambulance_shows_the_hint_with_the_layer_off() {
    use onemap::model::unit::UnitStatus;
    let mut h = harness_with_db();
    load_demo(&mut h);
    h.run_steps(2);
    assert!(!h.state().coverage_layer_on());
    let unit = h
        .state()
        .situation
        .units
        .values()
        .find(|u| u.status == UnitStatus::Available && ForceType::of_unit(u) == Some(ForceType::Ambulance))
        .unwrap()
        .id;
    h.state_mut().selected_ops = Some(onemap::map::ops::OpsRef::Unit(unit));
    step_until(&mut h, "the move-up hint", |a| a.coverage.moveup.is_some());
    h.run_steps(2);
    assert!(h.query_all_by_label_contains("若派出").count() >= 1);
}
