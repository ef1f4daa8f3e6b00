//! The console's shape, driven through egui_kittest on the real pack: one notices queue (a
//! message about one unit never stays on the next one's pane, dismiss, history) and the
//! new-incident form's confirmation for a point outside the prefecture.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;
use egui_kittest::kittest::Queryable;
use onemap::map::ops::OpsRef;
use onemap::model::unit::UnitStatus;
use onemap::ui::notices::{Severity, Source};

fn demo_console() -> egui_kittest::Harness<'static, onemap::ui::OneMapApp> {
    let mut h = common::ui::console(onemap::ui::Database::InMemory);
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    h
}

#[test]
fn a_refused_status_change_is_a_notice_that_leaves_with_the_selection() {
    let mut h = demo_console();
    let mut available = h
        .state()
        .situation
        .units
        .values()
        .filter(|u| u.status == UnitStatus::Available)
        .map(|u| u.id)
        .collect::<Vec<_>>();
    available.sort();
    let (first, second) = (available[0], available[1]);
    h.state_mut().selected_ops = Some(OpsRef::Unit(first));
    h.run_steps(2);
    // Available → on scene is not a legal step: the unit pane says so, nothing is written.
    let seq = h.state().situation.last_seq;
    h.key_press(egui::Key::S);
    h.run_steps(2);
    let n = h.state().notices.get(Source::Dispatch).cloned().expect("a notice");
    assert_eq!(n.severity, Severity::Warning);
    assert!(n.text.contains("当前状态不允许此操作"), "{}", n.text);
    let expected = format!(
        "{} → {}",
        UnitStatus::Available.name_zh(),
        UnitStatus::OnScene.name_zh()
    );
    assert!(n.text.contains(&expected), "{}", n.text);
    assert!(h.query_by_label_contains(&expected).is_some(), "shown on the unit pane");
    assert_eq!(h.state().situation.last_seq, seq, "nothing written");
    // Selecting another unit clears it; it stays in the history.
    h.state_mut().selected_ops = Some(OpsRef::Unit(second));
    h.run_steps(2);
    assert!(
        h.state().notices.get(Source::Dispatch).is_none(),
        "a stale message never survives"
    );
    assert!(h.query_by_label_contains(&expected).is_none());
    assert!(h.state().notices.history().any(|x| x.id == n.id));
    // Raise it again and dismiss it with its × button.
    h.key_press(egui::Key::S);
    h.run_steps(2);
    assert!(h.state().notices.get(Source::Dispatch).is_some());
    h.get_by_label("×").click();
    h.run_steps(2);
    assert!(h.state().notices.get(Source::Dispatch).is_none(), "dismissed");
    assert_eq!(
        h.state()
            .notices
            .history()
            .filter(|x| x.source == Source::Dispatch)
            .count(),
        2
    );
}

/// An empty database, the form opened by Ctrl+N, Beijing's coordinates (about 2 000 km from
/// Xishuangbanna) typed and Ctrl+Enter pressed.
fn submit_beijing(caller: &str) -> egui_kittest::Harness<'static, onemap::ui::OneMapApp> {
    let mut h = common::ui::console(onemap::ui::Database::InMemory);
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("暂不加载").click();
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
    h.run_steps(2);
    h.state_mut().incident_form.location = "116.397,39.909".into();
    h.state_mut().incident_form.caller = caller.into();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(3);
    h
}

#[test]
fn a_location_outside_the_prefecture_needs_an_explicit_confirmation() {
    let mut h = submit_beijing("王五");
    let err = h.state().incident_form.error.clone().expect("a warning");
    assert!(err.contains("本州范围以外"), "{err}");
    assert!(h.state().incident_form.pending.is_none(), "nothing sent");
    h.run_steps(3);
    assert!(
        h.state().situation.incidents.is_empty(),
        "nothing recorded without confirmation"
    );
    assert_eq!(h.state().incident_form.caller, "王五", "nothing typed is lost");
    // Confirm exactly that point: it is recorded there.
    h.get_by_label("确认州外位置并登记").click();
    step_until(&mut h, "the incident", |a| !a.situation.incidents.is_empty());
    let inc = h.state().situation.incidents.values().next().unwrap().clone();
    let ll = inc.lonlat.lonlat();
    assert!(
        (ll[0] - 116.397).abs() < 1e-6 && (ll[1] - 39.909).abs() < 1e-6,
        "{ll:?}"
    );
    assert_eq!(inc.caller.name, "王五");
}

/// The confirmed far-away incident cannot be routed: R says so in the officer's language (the
/// routing error the issue saw in English only), and the message leaves with the selection.
#[test]
fn the_far_incidents_routing_error_reads_in_chinese_and_leaves_with_the_selection() {
    let mut h = submit_beijing("赵六");
    h.get_by_label("确认州外位置并登记").click();
    step_until(&mut h, "the incident", |a| !a.situation.incidents.is_empty());
    let id = *h.state().situation.incidents.keys().next().unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, OpsRef::Incident(id));
    h.run_steps(2);
    h.key_press(egui::Key::R);
    step_until(&mut h, "the refusal", |a| a.notices.get(Source::Dispatch).is_some());
    let n = h.state().notices.get(Source::Dispatch).cloned().unwrap();
    assert!(
        n.text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{}",
        n.text
    );
    assert!(
        !n.text.contains("road") && !n.text.contains("unknown"),
        "no English in the Chinese console: {}",
        n.text
    );
    h.state_mut().selected_ops = None;
    h.run_steps(2);
    assert!(
        h.state().notices.get(Source::Dispatch).is_none(),
        "gone with the selection"
    );
}

#[test]
fn a_confirmation_is_for_one_point_only() {
    let mut h = submit_beijing("");
    assert!(h.query_by_label("确认州外位置并登记").is_some());
    // The officer corrects the point instead: the confirm button goes away, an in-area point
    // records without a question.
    h.state_mut().incident_form.location = "100.797,22.010".into();
    h.run_steps(2);
    assert!(h.query_by_label("确认州外位置并登记").is_none());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    step_until(&mut h, "the incident", |a| !a.situation.incidents.is_empty());
}

/// A console on a database file with the demo loaded, and a second writer on the same file (as
/// another seat or the CLI would be).
fn file_console(
    dir: &std::path::Path,
) -> (
    egui_kittest::Harness<'static, onemap::ui::OneMapApp>,
    std::path::PathBuf,
) {
    let db = dir.join("shift.sqlite");
    let mut h = common::ui::console(onemap::ui::Database::File(db.clone()));
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    (h, db)
}

/// Record an incident from outside this console (another seat on the same file).
fn report_elsewhere(db: &std::path::Path, at: [f64; 2]) -> onemap::model::ids::IncidentId {
    use onemap::model::event::EventKind;
    use onemap::model::incident::{IncidentType, Severity};
    let mut other = onemap::store::Store::open(db).unwrap();
    let id = other.situation().unwrap().next_incident_id();
    other
        .append(
            "王五",
            "seat-2",
            None,
            EventKind::IncidentReported {
                incident: id,
                incident_type: IncidentType::LandslideDebrisFlow,
                severity: Severity::II,
                lonlat: onemap::model::LonLat::from_deg(at[0], at[1]).unwrap(),
                address: String::new(),
                reported_at_utc: onemap::time::now_utc_iso(),
                caller: Default::default(),
                notes: String::new(),
            },
        )
        .unwrap();
    id
}

#[test]
fn an_incident_from_another_seat_raises_the_alert_until_the_officer_opens_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, db) = file_console(dir.path());
    assert!(
        h.state().live.arrivals.unacked.is_empty(),
        "the demo's incidents are not news"
    );
    let chimes = h.state().live.arrivals.chimes;
    let id = report_elsewhere(&db, [100.797, 22.010]);
    step_until(&mut h, "the arrival alert", |a| a.live.arrivals.unacked == vec![id]);
    h.run_steps(2);
    let n = h.state().notices.get(Source::Arrival).cloned().expect("a notice");
    assert!(n.text.contains(&format!("#{}", id.0)), "{}", n.text);
    assert_eq!(h.state().live.arrivals.chimes, chimes + 1, "the chime was asked for");
    // The banner in the top bar opens it and acknowledges it.
    let banner = format!("新事件 #{}", id.0);
    h.get_by_label(&banner).click();
    h.run_steps(3);
    assert_eq!(h.state().selected_ops, Some(OpsRef::Incident(id)));
    assert!(h.state().live.arrivals.unacked.is_empty());
    assert!(h.query_by_label(&banner).is_none(), "the banner is gone");
    // The incident board lists it with its county and its unit count.
    assert!(
        h.query_all_by_label("景洪市").count() >= 2,
        "county column (plus the top-bar button)"
    );
    // Sound off: the next arrival still shows, silently.
    h.get_by_label("新事件提示音").click();
    h.run_steps(2);
    assert!(!h.state().settings.alert_sound);
    let id2 = report_elsewhere(&db, [100.60, 21.98]);
    step_until(&mut h, "the second alert", |a| a.live.arrivals.unacked == vec![id2]);
    assert_eq!(
        h.state().live.arrivals.chimes,
        chimes + 1,
        "no chime with the sound off"
    );
    h.get_by_label("全部已阅").click();
    h.run_steps(2);
    assert!(h.state().live.arrivals.unacked.is_empty());
}

#[test]
fn undispatched_incidents_age_amber_then_red_and_lead_the_board() {
    use onemap::ui::pending::{Age, age, by_urgency};
    let dir = tempfile::tempdir().unwrap();
    let (mut h, db) = file_console(dir.path());
    let id = report_elsewhere(&db, [100.797, 22.010]);
    step_until(&mut h, "the incident", |a| a.situation.incidents.contains_key(&id));
    let reported = onemap::time::parse_utc_ms(&h.state().situation.incidents[&id].reported_at_utc).unwrap();
    let limits = h.state().settings.pending;
    h.state_mut().boards.board = onemap::ui::Board::Incidents;
    for (min, want) in [(1, Age::Fresh), (4, Age::Amber), (8, Age::Red)] {
        let now = reported + min * 60_000;
        h.state_mut().live.clock_ms = Some(now);
        h.run_steps(2);
        let app = h.state();
        assert_eq!(age(&app.situation.incidents[&id], now, limits), want, "{min} min");
        // Shown as the elapsed time on the board, first row when it is the only one waiting.
        assert!(h.query_by_label(&format!("{min} 分")).is_some(), "{min} min shown");
        let order = by_urgency(&app.situation, now, limits);
        let waiting: Vec<_> = app
            .situation
            .incidents
            .values()
            .filter(|i| onemap::ui::pending::waiting(i))
            .map(|i| i.id)
            .collect();
        assert_eq!(
            &order[..waiting.len()]
                .iter()
                .copied()
                .collect::<std::collections::BTreeSet<_>>(),
            &waiting.iter().copied().collect()
        );
    }
    // Limits are settings: a longer red limit makes the same wait amber.
    h.state_mut().settings.pending.red_min = 30.0;
    let now = reported + 8 * 60_000;
    assert_eq!(
        age(&h.state().situation.incidents[&id], now, h.state().settings.pending),
        Age::Amber
    );
}

#[test]
fn the_incident_lists_its_units_and_r_proposes_only_what_the_plan_still_lacks() {
    use onemap::model::unit::UnitStatus;
    let dir = tempfile::tempdir().unwrap();
    let (mut h, db) = file_console(dir.path());
    let id = report_elsewhere(&db, [100.60, 21.98]);
    step_until(&mut h, "the incident", |a| a.situation.incidents.contains_key(&id));
    h.state_mut().selected_ops = Some(OpsRef::Incident(id));
    h.run_steps(2);
    h.key_press(egui::Key::R);
    step_until(&mut h, "suggestions", |a| a.dispatch.recommendation.is_some());
    h.run_steps(2);
    let first = h.state().dispatch.recommendation.clone().unwrap().unit_ids();
    assert!(first.len() >= 2, "{first:?}");
    // Untick all but the first suggested unit: a partial dispatch.
    for k in 1..first.len().min(9) {
        let key = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
            egui::Key::Num9,
        ][k];
        h.key_press_modifiers(egui::Modifiers::ALT, key);
        h.run_steps(1);
    }
    h.key_press(egui::Key::Enter);
    step_until(&mut h, "the dispatch", |a| {
        a.situation.units[&first[0]].status == UnitStatus::Dispatched
    });
    h.run_steps(3);
    // The pane lists the assigned unit with its status.
    let callsign = h.state().situation.units[&first[0]].spec.callsign.clone();
    assert!(
        h.query_all_by_label(&callsign).count() >= 1,
        "{callsign} listed on the incident pane"
    );
    assert!(h.query_by_label("已派力量 (1)").is_some());
    // R again: only what the plan still lacks, never the unit already there.
    h.key_press(egui::Key::R);
    step_until(&mut h, "new suggestions", |a| a.dispatch.recommendation.is_some());
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    assert!(
        !rec.unit_ids().contains(&first[0]),
        "already assigned: {:?}",
        rec.unit_ids()
    );
    assert!(
        rec.requirements
            .iter()
            .any(|r| r.assigned.iter().any(|a| a.unit == first[0])),
        "counted toward its requirement"
    );
    assert!(rec.unit_ids().len() < first.len(), "fewer than the full plan");
    // A unit's 派往事件 defaults to the incident looked at last.
    let other_unit = rec.unit_ids()[0];
    h.state_mut().selected_ops = Some(OpsRef::Unit(other_unit));
    h.run_steps(2);
    assert_eq!(h.state().dispatch.target, Some(id));
    let _ = db;
}

/// The status bar shows the log's verification state: the chain head this seat verified,
/// equal to what `onemap db status --json` reads from the file, and it follows a new event.
#[test]
fn the_status_bar_shows_the_verified_chain_head() {
    let d = common::demo_db();
    let head = |db: &str| -> String {
        let v = common::ok_json(&common::onemap(&["db", "status", "--db", db, "--json"]));
        v["chain_head"].as_str().unwrap().chars().take(8).collect()
    };
    let mut h = common::ui::console(onemap::ui::Database::File(d.db.clone().into()));
    step_until(&mut h, "the store to open", |a| {
        a.has_store() && a.situation.units.len() > 100
    });
    h.run_steps(3);
    let want = format!("· 日志链 √ {}", head(&d.db));
    assert!(h.query_by_label(&want).is_some(), "missing {want}");
    // A second process appends: the seat folds it, verifies the new link and shows it.
    common::flood_at(&d.db, &d.pack, "景洪");
    step_until(&mut h, "the new incident", |a| a.situation.incidents.len() == 1);
    let want = format!("· 日志链 √ {}", head(&d.db));
    for _ in 0..100 {
        if h.query_by_label(&want).is_some() {
            break;
        }
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(h.query_by_label(&want).is_some(), "missing {want} after the new event");
}

/// The duty console opens the commander's wall on a second monitor (here, where the harness
/// has one viewport, as an embedded window): the same read-only wall, following the console's
/// database, shows the incident a second process records; the button closes it again.
#[test]
fn the_console_opens_the_wall_for_a_second_monitor() {
    let d = common::demo_db();
    let mut h = common::ui::console(onemap::ui::Database::File(d.db.clone().into()));
    step_until(&mut h, "the store to open", |a| {
        a.has_store() && a.situation.units.len() > 100
    });
    h.get_by_label(onemap::i18n::tr(onemap::i18n::Lang::Zh, onemap::i18n::Msg::WallOpen))
        .click();
    h.run_steps(2);
    common::flood_at(&d.db, &d.pack, "景洪");
    let shown = |h: &egui_kittest::Harness<'static, onemap::ui::OneMapApp>| {
        h.query_by_label("在办事件 active incidents: 1").is_some()
    };
    for _ in 0..600 {
        if shown(&h) {
            break;
        }
        if let Some(b) = h.query_by_label("指标 Figures") {
            b.click();
        }
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(shown(&h), "the wall's figures follow the database");
    // The button now closes it (the embedded wall window lies over the top bar here, so the
    // test sends the button's action).
    assert!(
        h.query_by_label(onemap::i18n::tr(onemap::i18n::Lang::Zh, onemap::i18n::Msg::WallClose))
            .is_some()
    );
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, onemap::ui::action::Action::ToggleWall);
    h.run_steps(2);
    assert!(h.query_by_label("指标 Figures").is_none(), "closed");
    assert!(
        h.query_by_label(onemap::i18n::tr(onemap::i18n::Lang::Zh, onemap::i18n::Msg::WallOpen))
            .is_some()
    );
}
