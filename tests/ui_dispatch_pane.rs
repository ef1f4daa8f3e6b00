//! The dispatch pane at the widths a duty room uses (1440 and 1920 px) in both languages, with
//! the largest suggestion the pack's plans make (an earthquake of grade I: six requirements):
//! every widget of the pane lies inside the boards panel, 全部派遣 is on screen, and the board
//! keeps its width (content never widens it; only the officer's drag does).

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;
use egui_kittest::kittest::{By, NodeT, Queryable};
use onemap::backend::store::Intent;
use onemap::i18n::{Lang, Msg, tr};
use onemap::map::ops::OpsRef;
use onemap::model::incident::{Caller, IncidentDraft, IncidentType, Severity};
use onemap::model::lonlat::LonLat;

fn six_requirements_fit(width: f32, height: f32, lang: Lang) {
    let mut h = common::ui::console_with(egui::vec2(width, height), move |ctx, app| {
        app.settings.lang = lang;
        app.attach_database(ctx, onemap::ui::Database::InMemory)
    });
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.get_by_label(tr(lang, Msg::LoadDemo)).click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let before = h.state().situation.incidents.len();
    h.state_mut().send_intent(Intent::ReportIncident(IncidentDraft {
        incident_type: IncidentType::Earthquake,
        severity: Severity::I,
        lonlat: LonLat::from_deg(100.80, 22.01).unwrap(),
        address: "景洪市区".into(),
        caller: Caller::default(),
        notes: String::new(),
    }));
    step_until(&mut h, "the incident", |a| a.situation.incidents.len() == before + 1);
    let id = *h.state().situation.incidents.keys().max().unwrap();
    h.state_mut().selected_ops = Some(OpsRef::Incident(id));
    h.run_steps(3);
    let width_before = h.state().boards.panel_rect.unwrap().width();
    assert!(
        width_before <= 400.0,
        "the default width, not grown by its content: {width_before}"
    );
    h.key_press(egui::Key::R);
    step_until(&mut h, "the suggestion", |a| a.dispatch.recommendation.is_some());
    h.run_steps(5);
    let rec = h.state().dispatch.recommendation.clone().unwrap();
    assert_eq!(rec.requirements.len(), 6, "the largest plan");
    let panel = h.state().boards.panel_rect.unwrap();
    let pane = h.state().boards.detail_rect.unwrap();
    assert!(
        (panel.width() - width_before).abs() < 0.5,
        "the board kept its width ({width_before} → {})",
        panel.width()
    );
    // Every widget of the dispatch pane (the detail area of the boards) inside the panel.
    let mut checked = 0;
    for node in h.query_all(By::new().predicate(|n| n.bounding_box().is_some())) {
        let r = node.rect();
        let c = r.center();
        // The resize handle straddles the panel's edge by design.
        let splitter = node.accesskit_node().role() == egui::accesskit::Role::Splitter;
        if splitter || r.width() <= 0.0 || c.x < panel.min.x || c.y < pane.min.y || c.y > pane.max.y {
            continue;
        }
        assert!(
            r.min.x >= panel.min.x - 0.5 && r.max.x <= panel.max.x + 0.5,
            "{width}px {lang:?}: {node:?} at {r:?} is cut by the panel {panel:?}"
        );
        checked += 1;
    }
    let callsigns: Vec<String> = rec
        .requirements
        .iter()
        .flat_map(|r| r.filled.iter().map(|f| f.callsign.clone()))
        .collect();
    assert!(checked > callsigns.len(), "{checked} widgets checked");
    // The action is on screen, whole, inside the pane's visible area.
    let all = h.get_by_label(tr(lang, Msg::DispatchAll)).rect();
    assert!(
        pane.contains_rect(all) && panel.contains_rect(all),
        "{all:?} not within {pane:?}"
    );
    // And it works: the ticked units go.
    h.get_by_label(tr(lang, Msg::DispatchAll)).click();
    step_until(&mut h, "the dispatch", |a| {
        a.situation.units.values().filter(|u| u.assignment == Some(id)).count() == rec.unit_ids().len()
    });
}

#[test]
fn dispatch_pane_fits_1440_zh() {
    six_requirements_fit(1440.0, 900.0, Lang::Zh);
}

#[test]
fn dispatch_pane_fits_1440_en() {
    six_requirements_fit(1440.0, 900.0, Lang::En);
}

#[test]
fn dispatch_pane_fits_1920_zh() {
    six_requirements_fit(1920.0, 1080.0, Lang::Zh);
}

#[test]
fn dispatch_pane_fits_1920_en() {
    six_requirements_fit(1920.0, 1080.0, Lang::En);
}

/// The top bar at 1440 and 1024 px with a database file (so 回放 is there), in both languages, on
/// the default pack: no two of
/// its controls overlap — the right-hand group moves to its own row instead of being drawn over
/// the buttons on the left.
fn top_bar_has_no_overlap(width: f32, lang: Lang) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    // The default pack: its title (OSM 边境带 + 标定骨架) is the longest.
    let mut h = common::ui::console_on(&common::default_pack(), egui::vec2(width, 900.0), move |ctx, app| {
        app.settings.lang = lang;
        app.attach_database(ctx, onemap::ui::Database::File(db))
    });
    step_until(&mut h, "the store to open", |a| a.has_store());
    h.run_steps(4);
    let mut rects = Vec::new();
    for m in [Msg::FitPrefecture, Msg::Replay, Msg::LanguageSwitch, Msg::About] {
        rects.push((format!("{m:?}"), h.get_by_label(tr(lang, m)).rect()));
    }
    let slider = h
        .query_all(By::new().predicate(|n| n.role() == egui::accesskit::Role::Slider))
        .next()
        .unwrap()
        .rect();
    rects.push(("scale slider".into(), slider));
    // The slider's own text (界面缩放) and value box are widgets of their own.
    let scale_text = tr(lang, Msg::UiScale);
    let texts: Vec<_> = h
        .query_all(By::new().predicate(move |n| {
            n.role() != egui::accesskit::Role::Slider && n.label().is_some_and(|l| l == scale_text)
        }))
        .map(|n| n.rect())
        .collect();
    for (i, r) in texts.into_iter().enumerate() {
        rects.push((format!("scale text {i}"), r));
    }
    for (i, (a, ra)) in rects.iter().enumerate() {
        assert!(ra.max.x <= width + 0.5, "{a} off screen: {ra:?}");
        for (b, rb) in &rects[i + 1..] {
            assert!(
                !ra.shrink(1.0).intersects(rb.shrink(1.0)),
                "{a} {ra:?} overlaps {b} {rb:?}"
            );
        }
    }
}

#[test]
fn top_bar_fits_1440_zh() {
    top_bar_has_no_overlap(1440.0, Lang::Zh);
}

#[test]
fn top_bar_fits_1440_en() {
    top_bar_has_no_overlap(1440.0, Lang::En);
}

#[test]
fn top_bar_fits_1024_en() {
    top_bar_has_no_overlap(1024.0, Lang::En);
}
