//! The commander's wall in egui_kittest on the demo database (real SQLite file, real road graph,
//! the real read-only follower thread): every figure on the KPI and focus pages equals `onemap
//! kpis --json` on the same database at the same moment; sensitive incidents hide caller and
//! address; the wall writes nothing whatever is clicked; the map's view lock survives a status
//! change but not a new incident; a drill shows its badge; a stale follower is announced.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::kpis::{MIN, kpis_at, script};
use common::ui::{step_wall_until as step_until, wall};
use common::{demo_db, ok, onemap};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use onemap::time::{now_utc_iso, parse_utc_ms};
use onemap::ui::wall::{Page, WallApp};
use serde_json::Value;

fn has(h: &Harness<'static, WallApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

fn now_ms() -> i64 {
    parse_utc_ms(&now_utc_iso()).unwrap()
}

fn event_count(db: &str) -> usize {
    ok(&onemap(&["events", "--db", db])).lines().count()
}

#[test]
fn kpi_and_focus_pages_show_exactly_what_onemap_kpis_prints() {
    let d = demo_db();
    let base_ms = (now_ms() / 1000 + 60) * 1000;
    script(&d, base_ms);
    ok(&onemap(&["incident", "sensitive", "2", "on", "--db", &d.db]));
    let at_ms = base_ms + 80 * MIN;
    let k: Value = kpis_at(&d, at_ms);
    let mut h = wall(&d.db, Some(Page::Kpi), None);
    h.state_mut().clock_override = Some(at_ms);
    step_until(&mut h, "the situation", |w| {
        w.data.as_ref().is_some_and(|x| x.situation.incidents.len() == 4)
    });
    h.run_steps(3);

    let n = |v: &Value| v.as_u64().unwrap();
    assert!(has(
        &h,
        &format!("在办事件 active incidents: {}", n(&k["active_incidents"]))
    ));
    let grades = ["Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"];
    for row in k["by_class_grade"].as_array().unwrap() {
        for (gi, g) in grades.iter().enumerate() {
            let label = format!(
                "{} {g}级: {}",
                row["name_zh"].as_str().unwrap(),
                n(&row["by_grade"][gi])
            );
            assert!(has(&h, &label), "missing {label}");
        }
    }
    for s in k["units_by_status"].as_array().unwrap() {
        let label = format!(
            "{} {}: {}",
            s["name_zh"].as_str().unwrap(),
            s["name_en"].as_str().unwrap(),
            n(&s["count"])
        );
        assert!(has(&h, &label), "missing {label}");
    }
    let timer_label = |prefix: &str, inc: &Value, t: &Value| {
        format!(
            "{prefix}#{} {}: {} / {} {}",
            n(&inc["incident"]),
            t["target"].as_str().unwrap(),
            t["elapsed_s"].as_f64().unwrap(),
            t["limit_s"].as_f64().unwrap(),
            t["state"].as_str().unwrap()
        )
    };
    let incidents = k["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 3);
    let mut timers = 0;
    for inc in incidents {
        for t in inc["timers"].as_array().unwrap() {
            let label = timer_label("", inc, t);
            assert!(has(&h, &label), "missing {label}");
            timers += 1;
        }
    }
    assert!(timers >= 4, "the script's incidents have timers");
    let overdue = k["overdue_units"].as_array().unwrap();
    assert!(!overdue.is_empty());
    for o in overdue.iter().take(4) {
        let label = format!(
            "overdue {} #{} {}",
            n(&o["unit"]),
            n(&o["incident"]),
            o["overdue_s"].as_f64().unwrap()
        );
        assert!(has(&h, &label), "missing {label}");
    }
    for c in k["coverage"].as_array().unwrap() {
        let label = format!(
            "覆盖 coverage {}: {}",
            c["force"].as_str().unwrap(),
            pct(c["covered_share"].as_f64().unwrap())
        );
        assert!(has(&h, &label), "missing {label}");
    }
    let label = format!(
        "避难 shelters: {} / {}",
        n(&k["shelters"]["occupancy"]),
        n(&k["shelters"]["capacity_open"])
    );
    assert!(has(&h, &label), "missing {label}");
    let low = k["low_stock"].as_array().unwrap();
    assert!(!low.is_empty());
    for l in low {
        let label = format!(
            "low stock {}: {} / {}",
            l["item"].as_str().unwrap(),
            n(&l["free"]),
            n(&l["reserve"])
        );
        assert!(has(&h, &label), "missing {label}");
    }
    // Colour is never the only cue: every state is written out.
    assert!(h.query_all_by_label_contains("× 未达标").next().is_some());
    assert!(h.query_all_by_label_contains("▲ 预警").next().is_some());

    // Focus page: each incident in the figures' order, with its timers; #2 is sensitive.
    // The nearest supplies by road, recomputed here: one route per warehouse with free stock.
    let pack = onemap::mappack::MapPack::load(common::xsbn_pack()).unwrap();
    let (g, spec) = pack.roads().unwrap();
    let mut router = onemap::roads::router::Router::with_spec(g, spec);
    let mut store = onemap::store::Store::open_read_only(std::path::Path::new(&d.db)).unwrap();
    let sit = store.situation().unwrap().clone();
    h.get_by_label("重点事件 Focus").click();
    for (i, inc) in incidents.iter().enumerate() {
        h.state_mut().cycle.focus = i;
        h.run_steps(2);
        let id = n(&inc["incident"]);
        assert!(has(&h, &format!("focus incident #{id}")), "focus on #{id}");
        assert!(has(&h, "最近物资 Nearest supplies（道路 by road）"));
        let at = sit.incidents[&onemap::model::IncidentId(id as u32)].lonlat.lonlat();
        let mut near: Vec<(f64, String)> = sit
            .warehouses
            .values()
            .filter(|w| w.stock.values().any(|l| l.free() > 0))
            .map(|w| {
                let r = router.route_lonlat(w.spec.lonlat.lonlat(), at).unwrap();
                let est = if router.route_is_estimate(&r) {
                    " 估算 est."
                } else {
                    ""
                };
                let text = format!(
                    "{} · {} · {:.0} km{est}",
                    w.spec.name_zh,
                    onemap::local_time::duration_zh(r.eta_s),
                    (r.dist_m + r.offroad_dist_m) / 1000.0
                );
                (r.eta_s, text)
            })
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert!(near.len() >= 3);
        for (_, text) in near.iter().take(3) {
            assert!(has(&h, text), "missing supply row {text}");
        }
        for t in inc["timers"].as_array().unwrap() {
            let label = timer_label("focus ", inc, t);
            assert!(has(&h, &label), "missing {label}");
        }
        let address = format!("地点 Place: address {id}");
        if id == 2 {
            assert!(!has(&h, &address), "sensitive: address hidden");
            assert!(
                h.query_by_label_contains("报警人 Caller").is_none(),
                "sensitive: caller hidden"
            );
            assert!(h.query_by_label_contains("caller and address hidden").is_some());
        } else {
            assert!(has(&h, &address), "missing {address}");
            assert!(has(&h, "报警人 Caller: caller"));
        }
    }

    // Map page: coverage bands off, then each force type with the share `onemap kpis` prints,
    // then off again.
    h.get_by_label("态势图 Map").click();
    h.run_steps(3);
    assert_eq!(h.state().coverage_cells_drawn(), 0);
    for c in k["coverage"].as_array().unwrap() {
        h.get_by_label_contains("wall coverage").click();
        h.run_steps(3);
        let label = format!(
            "wall coverage {}: {}",
            c["force"].as_str().unwrap(),
            pct(c["covered_share"].as_f64().unwrap())
        );
        assert!(has(&h, &label), "missing {label}");
        assert!(h.state().coverage_cells_drawn() > 100, "{label}: cells drawn");
    }
    h.get_by_label_contains("wall coverage").click();
    h.run_steps(3);
    assert!(has(&h, "wall coverage off"));
    assert_eq!(h.state().coverage_cells_drawn(), 0);
}

/// Drag on the map from the centre by `dx` points.
fn drag(h: &mut Harness<'static, WallApp>, dx: f32) {
    let from = egui::pos2(900.0, 600.0);
    let press = |pressed, pos| egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: Default::default(),
    };
    h.input_mut().events.push(egui::Event::PointerMoved(from));
    h.run_steps(1);
    h.input_mut().events.push(press(true, from));
    h.run_steps(1);
    for i in 1..=8 {
        let p = from + egui::vec2(dx * i as f32 / 8.0, 0.0);
        h.input_mut().events.push(egui::Event::PointerMoved(p));
        h.run_steps(1);
    }
    h.input_mut().events.push(press(false, from + egui::vec2(dx, 0.0)));
    // walkers glides on after a fling: wait until the view rests.
    let mut last = h.state().map_view();
    for _ in 0..300 {
        h.run_steps(1);
        let now = h.state().map_view();
        if now == last {
            break;
        }
        last = now;
    }
}

#[test]
fn view_lock_survives_a_status_change_but_not_a_new_incident_and_nothing_is_written() {
    let d = demo_db();
    let base_ms = (now_ms() / 1000 + 60) * 1000;
    let (_, eng, _) = script(&d, base_ms);
    let mut h = wall(&d.db, Some(Page::Map), None);
    step_until(&mut h, "the first fit", |w| {
        w.view.fitted.is_some() && w.map_view().is_some()
    });
    h.run_steps(3);
    let fitted = h.state().map_view().unwrap();
    assert_eq!(
        h.state().view.fitted.as_ref().unwrap().len(),
        3,
        "fitted to the three active incidents"
    );
    assert!(!h.state().view.locked);
    assert!(has(&h, "视图自动适配 auto-fit on"));

    drag(&mut h, 300.0);
    assert!(h.state().view.locked, "a manual pan locks the view");
    let panned = h.state().map_view().unwrap();
    assert_ne!(panned, fitted);
    assert!(has(&h, "⊙ 自动适配 Auto-fit"), "the one button to re-enable auto-fit");

    // Another seat records a status change: the view stays where the commander put it.
    let seq = h.state().data.as_ref().unwrap().log_seq;
    let mut store = onemap::store::Store::open(&d.db).unwrap();
    store
        .append(
            "other",
            "seat-2",
            None,
            onemap::model::EventKind::UnitStatusChanged {
                unit: onemap::model::UnitId(eng),
                to: onemap::model::UnitStatus::OnScene,
            },
        )
        .unwrap();
    step_until(&mut h, "the status change", |w| {
        w.data.as_ref().is_some_and(|x| x.log_seq > seq)
    });
    h.run_steps(3);
    assert!(h.state().view.locked);
    assert_eq!(
        h.state().map_view().unwrap(),
        panned,
        "a status change does not move a locked view"
    );

    // A new incident from a second process: the view fits again (it must never be off-screen).
    common::flood_at(&d.db, &d.pack, "勐腊");
    step_until(&mut h, "the new incident", |w| {
        w.data.as_ref().is_some_and(|x| x.situation.incidents.len() == 5)
    });
    h.run_steps(3);
    assert!(!h.state().view.locked, "a new incident refits and unlocks");
    assert_ne!(h.state().map_view().unwrap(), panned);
    assert_eq!(h.state().view.fitted.as_ref().unwrap().len(), 4);

    // Lock again and press the button: fitted again, unlocked.
    drag(&mut h, -250.0);
    assert!(h.state().view.locked);
    h.get_by_label("⊙ 自动适配 Auto-fit").click();
    h.run_steps(3);
    assert!(!h.state().view.locked);

    // Whatever the commander clicks and types, the wall writes nothing: the log and the file
    // are exactly as before.
    let events_before = event_count(&d.db);
    let bytes_before = std::fs::read(&d.db).unwrap();
    for page in ["指标 Figures", "重点事件 Focus", "态势图 Map"] {
        h.get_by_label(page).click();
        h.run_steps(2);
        h.key_press(egui::Key::Enter);
        h.key_press(egui::Key::Delete);
        h.run_steps(2);
    }
    drag(&mut h, 120.0);
    std::thread::sleep(std::time::Duration::from_millis(1200)); // two follower polls
    h.run_steps(2);
    assert_eq!(event_count(&d.db), events_before);
    assert_eq!(
        std::fs::read(&d.db).unwrap(),
        bytes_before,
        "the database file is untouched"
    );
    assert!(h.state().error.is_none());
}

#[test]
fn a_drill_shows_its_badge_and_figures_and_stale_data_is_announced() {
    let d = demo_db();
    let scenario = format!("{}/drills/flood-landslide.toml", d.pack);
    let report = d.dir.path().join("r.json");
    ok(&onemap(&[
        "drill",
        "run",
        "--db",
        &d.db,
        "--pack",
        &d.pack,
        "--auto",
        "--report",
        report.to_str().unwrap(),
        &scenario,
    ]));
    let sit = common::kpis::situation(&d.db);
    let drill = sit["drills"].as_object().unwrap().keys().next().unwrap().clone();
    let k: Value = serde_json::from_str(&ok(&onemap(&[
        "kpis", "--db", &d.db, "--pack", &d.pack, "--drill", &drill, "--json",
    ])))
    .unwrap();
    assert_eq!(k["drill_id"], drill.as_str());
    let mut h = wall(&d.db, Some(Page::Kpi), Some(drill.clone()));
    step_until(&mut h, "the drill's situation", |w| w.data.is_some());
    h.run_steps(3);
    assert!(has(&h, &format!("演练 DRILL {drill}")), "the 演练 badge");
    // Without --at the drill's "now" is its last event time, on the wall as in `onemap kpis`.
    let figures = h.state().kpis().unwrap();
    assert_eq!(serde_json::to_value(&figures).unwrap(), k);

    // The follower stops answering: the header says the data is stale, with its age.
    assert!(h.query_by_label_contains("数据截至").is_some());
    h.state_mut().stop_following();
    h.state_mut().last_checked_ms = Some(now_ms() - 30_000);
    h.run_steps(2);
    assert!(h.query_by_label_contains("数据已 30 秒未更新").is_some());
}
