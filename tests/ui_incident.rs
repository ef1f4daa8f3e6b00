//! Correcting an incident from the console's incident pane (更正事件), driven through
//! egui_kittest on the real pack and a real store worker: a note, a relocation (a point outside
//! the prefecture needs its own confirmation), a cancellation with a reason as a duplicate of
//! another incident, and closing, each checked in the situation the store folded from its log.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use onemap::backend::store::Intent;
use onemap::dispatch::DispatchRequest;
use onemap::map::ops::OpsRef;
use onemap::model::ids::IncidentId;
use onemap::model::incident::{Caller, IncidentDraft, IncidentStatus, IncidentType, Severity};
use onemap::model::lonlat::LonLat;
use onemap::model::unit::UnitStatus;
use onemap::ui::OneMapApp;
use onemap::ui::notices::Source;

/// The demo in memory plus two fresh incidents recorded through the store worker.
fn console_with_two_incidents() -> (Harness<'static, OneMapApp>, IncidentId, IncidentId) {
    // Tall enough that the whole incident pane (units, suggestion, corrections) is on screen.
    let mut h = common::ui::console_with(egui::vec2(1600.0, 1600.0), |ctx, app| {
        app.attach_database(ctx, onemap::ui::Database::InMemory)
    });
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let before = h.state().situation.incidents.len();
    for (x, y) in [(100.80, 22.01), (100.81, 22.02)] {
        h.state_mut().send_intent(Intent::ReportIncident(IncidentDraft {
            incident_type: IncidentType::BuildingFire,
            severity: Severity::III,
            lonlat: LonLat::from_deg(x, y).unwrap(),
            address: "测试".into(),
            caller: Caller::default(),
            notes: String::new(),
        }));
    }
    step_until(&mut h, "two incidents", |a| a.situation.incidents.len() == before + 2);
    let mut ids: Vec<IncidentId> = h.state().situation.incidents.keys().copied().collect();
    ids.sort();
    let (first, second) = (ids[ids.len() - 2], ids[ids.len() - 1]);
    h.state_mut().selected_ops = Some(OpsRef::Incident(second));
    h.run_steps(2);
    h.get_by_label("更正事件").click();
    h.run_steps(2);
    (h, first, second)
}

#[test]
fn a_note_and_a_relocation_from_the_incident_pane_reach_the_log() {
    let (mut h, _, id) = console_with_two_incidents();
    // A note: typed, added, in the folded situation; the field is cleared once stored.
    h.state_mut().correction.note = "报警人回电：火势已蔓延".into();
    h.run_steps(1);
    h.get_by_label("添加备注").click();
    step_until(&mut h, "the note", |a| {
        a.situation.incidents[&id]
            .notes
            .iter()
            .any(|n| n.text == "报警人回电：火势已蔓延")
    });
    h.run_steps(2);
    assert!(
        h.state().correction.note.is_empty(),
        "cleared after the store confirmed it"
    );
    // Beijing: refused until confirmed for that point; nothing written meanwhile.
    let seq = h.state().situation.last_seq;
    h.state_mut().correction.location = "116.397,39.909".into();
    h.run_steps(1);
    h.get_by_label("更正位置").click();
    h.run_steps(3);
    let err = h.state().correction.error.clone().expect("a warning");
    assert!(err.contains("本州范围以外"), "{err}");
    assert_eq!(h.state().situation.last_seq, seq, "nothing written");
    assert!(h.query_by_label("确认州外位置并更正").is_some());
    // The officer types the right point instead: relocated there without a question.
    h.state_mut().correction.location = "100.7001,22.0003".into();
    h.run_steps(2);
    assert!(
        h.query_by_label("确认州外位置并更正").is_none(),
        "the confirmation was for Beijing only"
    );
    h.get_by_label("更正位置").click();
    step_until(&mut h, "the relocation", |a| {
        let ll = a.situation.incidents[&id].lonlat.lonlat();
        (ll[0] - 100.7001).abs() < 1e-6 && (ll[1] - 22.0003).abs() < 1e-6
    });
    h.run_steps(2);
    assert!(h.state().correction.location.is_empty());
}

#[test]
fn cancel_needs_a_reason_and_links_the_duplicate_and_close_needs_someone_on_scene() {
    let (mut h, first, second) = console_with_two_incidents();
    // No reason: refused by the store worker, a notice on the pane, nothing written.
    let seq = h.state().situation.last_seq;
    h.get_by_label("撤销事件").click();
    step_until(&mut h, "the refusal", |a| a.notices.get(Source::Dispatch).is_some());
    let n = h.state().notices.get(Source::Dispatch).cloned().unwrap();
    assert!(n.text.contains("撤销须填写原因"), "{}", n.text);
    assert_eq!(h.state().situation.last_seq, seq, "nothing written");
    // With a reason, as a duplicate of the first: cancelled, the two linked.
    h.state_mut().correction.reason = "重复报警".into();
    h.state_mut().correction.duplicate_of = Some(first);
    h.run_steps(1);
    h.get_by_label("撤销事件").click();
    step_until(&mut h, "the cancellation", |a| {
        a.situation.incidents[&second].status == IncidentStatus::Cancelled
    });
    let sit = h.state().situation.clone();
    assert_eq!(sit.incidents[&second].cancel_reason.as_deref(), Some("重复报警"));
    assert_eq!(sit.incidents[&second].duplicate_of, Some(first));
    assert!(sit.incidents[&first].duplicates.contains(&second));
    h.run_steps(2);
    assert!(
        h.query_by_label("撤销事件").is_none(),
        "a final incident offers no cancel"
    );

    // The first incident: nobody on scene yet, so 结案 is refused with the reason.
    h.state_mut().selected_ops = Some(OpsRef::Incident(first));
    h.run_steps(2);
    h.get_by_label("更正事件").click();
    h.run_steps(2);
    let seq = h.state().situation.last_seq;
    h.get_by_label("结案").click();
    step_until(&mut h, "the refusal", |a| a.notices.get(Source::Dispatch).is_some());
    let n = h.state().notices.get(Source::Dispatch).cloned().unwrap();
    assert!(n.text.contains("尚无力量到场"), "{}", n.text);
    assert_eq!(h.state().situation.last_seq, seq, "nothing written");
    // A unit goes and arrives; 结案 then walks the lifecycle to closed.
    let unit = *h
        .state()
        .situation
        .units
        .values()
        .find(|u| u.status == UnitStatus::Available)
        .map(|u| &u.id)
        .unwrap();
    h.state_mut()
        .send_intent(Intent::Dispatch(DispatchRequest::units(first, vec![unit])));
    step_until(&mut h, "the dispatch", |a| {
        a.situation.units[&unit].status == UnitStatus::Dispatched
    });
    for to in [UnitStatus::EnRoute, UnitStatus::OnScene] {
        h.state_mut().send_intent(Intent::SetUnitStatus { unit, to });
        step_until(&mut h, "the unit status", |a| a.situation.units[&unit].status == to);
    }
    h.run_steps(2);
    let inc = &h.state().situation.incidents[&first];
    assert!(
        inc.first_arrival_utc.is_some(),
        "{:?} {:?}",
        inc.status,
        inc.first_arrival_utc
    );
    h.get_by_label("结案").click();
    step_until(&mut h, "closed", |a| {
        a.situation.incidents[&first].status == IncidentStatus::Closed
    });
}

/// The incident pane's 敏感 checkbox records the sensitive mark through the store worker (the
/// wall then dims the incident and hides caller and address), and clears it again.
#[test]
fn the_sensitive_mark_is_set_and_cleared_from_the_incident_pane() {
    let (mut h, _, id) = console_with_two_incidents();
    assert!(!h.state().situation.incidents[&id].sensitive);
    let seq = h.state().situation.last_seq;
    h.get_by_label("敏感（大屏隐藏报警人和地址）").click();
    step_until(&mut h, "the sensitive mark", |a| a.situation.incidents[&id].sensitive);
    assert_eq!(h.state().situation.last_seq, seq + 1, "one event");
    h.run_steps(2);
    h.get_by_label("敏感（大屏隐藏报警人和地址）").click();
    step_until(&mut h, "the mark cleared", |a| !a.situation.incidents[&id].sensitive);
    assert_eq!(h.state().situation.last_seq, seq + 2);
}
