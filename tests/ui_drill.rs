//! A drill in the real console: start the DEMO flood + landslide scenario from the side panel,
//! let the simulated clock run, act as the operator during it, end it, get the report; the real
//! situation is untouched and every drill event carries the drill id and simulated time.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;

use egui_kittest::kittest::Queryable;
use onemap::ui::Database;

type Console = egui_kittest::Harness<'static, onemap::ui::OneMapApp>;

/// A console on a new database file with the demo loaded (returns the real situation then),
/// and the DEMO drill started from the side panel.
fn demo_drill(db: &std::path::Path) -> (Console, onemap::model::situation::Situation) {
    let mut h = common::ui::console(Database::File(db.to_path_buf()));
    step_until(&mut h, "the store", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    let real_before = onemap::store::Store::open(db).unwrap().situation().unwrap().clone();
    // The side panel scrolls: bring the button into view, then click it.
    h.get_by_label("开始演练").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("开始演练").click();
    step_until(&mut h, "the drill to start", |a| {
        a.mode.drill().is_some_and(|d| d.drill_id.is_some())
    });
    (h, real_before)
}

#[test]
fn console_drill_runs_is_kept_apart_and_reports() {
    use onemap::model::unit::UnitStatus;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite");
    let (mut h, real_before) = demo_drill(&db);
    h.run_steps(2);
    assert!(h.query_by_label_contains("演练 DRILL").is_some(), "banner");
    let drill_id = h.state().mode.drill().unwrap().drill_id.clone().unwrap();
    let start_ms = h.state().mode.drill().unwrap().start_ms;
    h.state_mut().mode.drill_mut().unwrap().clock.set_speed(1000.0);
    // Injects arrive: the console shows the drill's situation.
    step_until(&mut h, "drill incidents", |a| {
        a.situation.scope_drill_id.as_deref() == Some(drill_id.as_str()) && !a.situation.incidents.is_empty()
    });

    // The operator acts during the drill: the event carries the drill id and simulated time.
    h.state_mut().mode.drill_mut().unwrap().clock.pause();
    h.run_steps(2);
    let sim_now = h.state().mode.drill().unwrap().clock.now_ms();
    let unit = h
        .state()
        .situation
        .units
        .values()
        .find(|u| u.status == UnitStatus::Available)
        .unwrap()
        .id;
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, onemap::map::ops::OpsRef::Unit(unit));
    h.run_steps(1);
    h.key_press(egui::Key::O);
    step_until(&mut h, "the operator's drill event", |a| {
        a.situation.units[&unit].status == UnitStatus::OutOfService
    });
    // The operator's own event (an inject played meanwhile may follow it in the log).
    let mine = move |e: &&onemap::model::event::Event| matches!(e.kind, onemap::model::EventKind::UnitStatusChanged { unit: u, to: UnitStatus::OutOfService } if u == unit);
    step_until(&mut h, "the log tail", |a| a.live.log.iter().rev().any(|e| mine(&e)));
    let ev = h.state().live.log.iter().rev().find(mine).unwrap().clone();
    assert_eq!(ev.drill_id.as_deref(), Some(drill_id.as_str()));
    let ts = onemap::time::parse_utc_ms(&ev.ts_utc).unwrap();
    assert!(
        ts >= start_ms && (ts - sim_now).abs() <= 1000,
        "stamped with simulated time: {} vs {sim_now}",
        ev.ts_utc
    );

    // End it: live again, report written, real situation untouched.
    let early = h.state().mode.drill().unwrap().next_due_ms.is_some();
    h.get_by_label("结束演练").click();
    step_until(&mut h, "the drill to end", |a| {
        a.mode.drill().is_none() && a.drill_setup.last_report.is_some()
    });
    let report = h.state().drill_setup.last_report.clone().unwrap().unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("<svg") && html.contains(&drill_id),
        "{}",
        report.display()
    );
    assert!(!html.contains("http://") && !html.contains("https://"), "offline HTML");
    // Stopped with injects still to come: the report lists them and scores only what came due.
    assert_eq!(
        html.contains("未执行的情景注入"),
        early,
        "early stop reported iff it was early"
    );
    h.run_steps(2);
    h.get_by_label("打开报告").scroll_to_me();
    h.run_steps(2);
    assert!(
        h.query_by_label("打开报告").is_some(),
        "the report is linked from the console"
    );
    step_until(&mut h, "the real situation again", |a| {
        a.situation.scope_drill_id.is_none()
    });
    let mut store = onemap::store::Store::open(&db).unwrap();
    let real_after = store.situation().unwrap().clone();
    assert_eq!(real_after.units, real_before.units, "no real unit changed");
    assert_eq!(real_after.incidents, real_before.incidents, "no real incident");
    assert_eq!(
        h.state().situation.units[&unit].status,
        UnitStatus::Available,
        "the console shows real units again"
    );
    assert!(real_after.drills[&drill_id].ended_seq.is_some() || !real_after.drills[&drill_id].is_active());
}

/// A drill left open by a console that stopped (nobody holds its lock) is closed when the next
/// console opens the file, as a real event from the recovery seat, and the officer is told.
#[test]
fn a_drill_left_open_is_closed_on_open_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite");
    {
        let mut store = onemap::store::Store::init(&db).unwrap();
        store
            .append(
                "op",
                "seat",
                None,
                onemap::model::EventKind::DrillStarted {
                    drill_id: "left-open-1".into(),
                    name: "demo".into(),
                },
            )
            .unwrap();
    }
    let mut h = common::ui::console(Database::File(db.clone()));
    step_until(&mut h, "the store", |a| a.has_store() && !a.situation.drills.is_empty());
    h.run_steps(2);
    assert!(
        !h.state().situation.drills["left-open-1"].is_active(),
        "the orphan drill is closed"
    );
    let shown = h.state().store_error().unwrap_or_default().to_string();
    assert!(shown.contains("left-open-1") && shown.contains("自动结束"), "{shown}");
    assert!(h.query_by_label_contains("未结束的演练 left-open-1").is_none());
    let store = onemap::store::Store::open_read_only(&db).unwrap();
    let last = store.events_since(1).unwrap().pop().unwrap();
    assert!(matches!(last.kind, onemap::model::EventKind::DrillEnded { ref drill_id } if drill_id == "left-open-1"));
    assert!(last.seat.contains("recovery") && last.drill_id.is_none(), "{last:?}");
}

/// A genuine call taken while the seat is in a drill: Ctrl+Enter records nothing and asks real
/// or drill (two buttons, no default); 登记为真实警情 writes to the real log (real time, no drill
/// id) — not shown on the drill's boards, shown once the drill ends — and 登记为演练事件 stays
/// in the drill.
#[test]
fn a_real_call_during_a_drill_needs_a_choice_and_reaches_the_real_situation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite");
    let (mut h, _) = demo_drill(&db);
    step_until(&mut h, "the drill's situation", |a| {
        a.situation.scope_drill_id.is_some()
    });
    h.state_mut().mode.drill_mut().unwrap().clock.pause();
    let drill_id = h.state().mode.drill().unwrap().drill_id.clone().unwrap();
    let real_seq = onemap::store::Store::open(&db).unwrap().situation().unwrap().last_seq;

    let fill = |h: &mut Console, caller: &str| {
        h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::N);
        h.run_steps(2);
        h.state_mut().incident_form.location = "100.7971,22.0102".into();
        h.state_mut().incident_form.caller = caller.into();
        h.run_steps(1);
    };
    fill(&mut h, "真实报警人");
    // Ctrl+Enter chooses nothing: nothing sent, the two choices shown.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    h.run_steps(3);
    assert!(
        h.state().incident_form.pending.is_none(),
        "nothing sent without a choice"
    );
    let err = h.state().incident_form.error.clone().unwrap_or_default();
    assert!(err.contains("登记为真实警情"), "{err}");
    assert!(h.query_by_label("登记").is_none(), "no plain save in a drill");
    assert!(h.query_by_label("登记为演练事件").is_some());
    let by_caller = |s: &onemap::model::situation::Situation, name: &str| {
        s.incidents.values().filter(|i| i.caller.name == name).count()
    };
    // Real: into the real log, real time, no drill id; the drill's boards do not show it.
    h.get_by_label("登记为真实警情").click();
    step_until(&mut h, "the real call stored", |a| {
        a.incident_form.pending.is_none() && a.incident_form.caller.is_empty()
    });
    let mut store = onemap::store::Store::open(&db).unwrap();
    let real = store.situation().unwrap().clone();
    assert_eq!(by_caller(&real, "真实报警人"), 1, "in the real situation");
    let ev = store.events_since(real_seq).unwrap();
    // The call's event (drill injects played meanwhile are in the same file, with their id).
    let reported: Vec<_> = ev
        .iter()
        .filter(|e| {
            matches!(&e.kind, onemap::model::EventKind::IncidentReported { caller, .. } if caller.name == "真实报警人")
        })
        .collect();
    assert_eq!(reported.len(), 1, "{ev:?}");
    assert_eq!(reported[0].drill_id, None, "a real event");
    let ts = onemap::time::parse_utc_ms(&reported[0].ts_utc).unwrap();
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        (wall - ts).abs() < 120_000,
        "real time, not the drill clock: {}",
        reported[0].ts_utc
    );
    h.run_steps(2);
    assert_eq!(
        by_caller(&h.state().situation, "真实报警人"),
        0,
        "not on the drill's boards"
    );

    // Drill: stays in the drill.
    fill(&mut h, "演练报警人");
    h.get_by_label("登记为演练事件").click();
    step_until(&mut h, "the drill incident", |a| {
        by_caller(&a.situation, "演练报警人") == 1
    });
    assert_eq!(h.state().situation.scope_drill_id.as_deref(), Some(drill_id.as_str()));
    let real = onemap::store::Store::open(&db).unwrap().situation().unwrap().clone();
    assert_eq!(by_caller(&real, "演练报警人"), 0, "never in the real situation");

    // Leaving the drill: the real call is on the live boards, the drill one is not.
    h.get_by_label("结束演练").click();
    step_until(&mut h, "live again", |a| {
        a.mode.drill().is_none() && a.situation.scope_drill_id.is_none()
    });
    step_until(&mut h, "the real call on the live boards", |a| {
        by_caller(&a.situation, "真实报警人") == 1
    });
    assert_eq!(by_caller(&h.state().situation, "演练报警人"), 0);
}

/// 建立培训副本 under the drill controls: the store worker writes a new file next to the
/// database that holds the live master data (the same stations, units, warehouses, stock and
/// shelters, read back with the library's own `Store`) and none of the live incidents; asking
/// again for that very file is refused with a notice and leaves it as it was.
#[test]
fn one_click_training_copy_holds_master_data_and_no_incident() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("centre.sqlite");
    let mut h = common::ui::console(Database::File(db.clone()));
    step_until(&mut h, "the store", |a| a.has_store());
    h.get_by_label("加载演示场景").click();
    step_until(&mut h, "the demo", |a| a.situation.units.len() > 100);
    // A live incident recorded by a second process: it must stay behind.
    let pack = common::xsbn_pack();
    common::flood_at(db.to_str().unwrap(), pack.to_str().unwrap(), "100.79,22.0");
    step_until(&mut h, "the live incident", |a| !a.situation.incidents.is_empty());
    let live = onemap::store::Store::open(&db).unwrap().situation().unwrap().clone();

    h.get_by_label("建立培训副本").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("建立培训副本").click();
    step_until(&mut h, "the training copy", |a| a.drill_setup.training_copy.is_some());
    let copy = h.state().drill_setup.training_copy.clone().unwrap();
    assert_eq!(copy.db.parent(), Some(dir.path()), "next to the database");
    assert_ne!(copy.db, db);
    assert_eq!(copy.incidents_left, live.incidents.len());
    let trained = onemap::store::Store::open(&copy.db)
        .unwrap()
        .situation()
        .unwrap()
        .clone();
    assert!(trained.incidents.is_empty(), "no incident copied");
    let callsigns = |s: &onemap::model::situation::Situation| {
        s.units
            .values()
            .map(|u| u.spec.callsign.clone())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert_eq!(callsigns(&trained), callsigns(&live));
    assert_eq!(trained.stations.len(), live.stations.len());
    assert_eq!(trained.shelters.len(), live.shelters.len());
    let stock = |s: &onemap::model::situation::Situation| {
        s.warehouses
            .values()
            .map(|w| {
                (
                    w.spec.external_id.clone(),
                    w.stock.values().map(|l| l.quantity).sum::<u64>(),
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    assert_eq!(stock(&trained), stock(&live));
    assert!(trained.units.values().all(|u| u.assignment.is_none()));
    // The console shows the copy and offers a second console on it.
    h.run_steps(2);
    assert!(h.query_by_label("在新窗口打开副本").is_some());

    // The same file again (the field now holds it): refused, nothing overwritten.
    let before = std::fs::read(&copy.db).unwrap();
    h.get_by_label("建立培训副本").click();
    step_until(&mut h, "the refusal", |a| {
        a.notices
            .text(onemap::ui::notices::Source::Drill)
            .is_some_and(|t| t.contains("培训副本未建立"))
    });
    let notice = h
        .state()
        .notices
        .text(onemap::ui::notices::Source::Drill)
        .unwrap_or_default()
        .to_string();
    assert!(
        notice.contains("培训副本未建立") && notice.contains("已存在"),
        "{notice}"
    );
    assert_eq!(std::fs::read(&copy.db).unwrap(), before);
}
