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
