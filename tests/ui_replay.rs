//! Replay mode on the real console: a drill run headless by the CLI, then replayed read-only
//! through the timeline; what the console shows at a moment equals an independent fold of the
//! log up to that moment, playback moves forward, and nothing can be written.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::ui::step_until;

fn harness(setup: impl FnOnce(&egui::Context, &mut OneMapApp) + 'static) -> Harness<'static, OneMapApp> {
    common::ui::console_with(egui::vec2(1600.0, 1000.0), setup)
}

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use onemap::ui::OneMapApp;

fn drill_db(dir: &std::path::Path) -> (std::path::PathBuf, String) {
    let db = dir.join("drill.sqlite");
    let scenario = common::xsbn_pack().join("drills/flood-landslide.toml");
    common::ok(&common::onemap(&[
        "drill",
        "run",
        scenario.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--auto",
    ]));
    let replay = onemap::store::replay::Replay::open(&db).unwrap();
    let drill = replay.drills().into_iter().next().expect("one drill in the file");
    (db, drill)
}

#[test]
fn replay_a_drill_with_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let (db, drill) = drill_db(dir.path());
    let bytes_before = std::fs::read(&db).unwrap();
    let (path, scope) = (db.clone(), Some(drill.clone()));
    let mut h = harness(move |ctx, app| app.start_replay(ctx, path, scope));
    step_until(&mut h, "the replay to open", |a| {
        a.mode
            .replay()
            .is_some_and(|r| r.range.is_some() && r.shown_ms.is_some())
    });
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("演练回放 DRILL REPLAY").is_some(),
        "drill badge"
    );
    let (t0, t1) = h.state().mode.replay().unwrap().range.unwrap();
    assert!(t1 - t0 > 3_600_000, "a drill of hours: {t0}..{t1}");

    // An independent reader of the same file, for the expected situations.
    let mut oracle = onemap::store::replay::Replay::open(&db).unwrap();
    oracle.set_scope(Some(&drill)).unwrap();
    for frac in [0.1, 0.45, 0.8, 0.3] {
        let t = t0 + ((t1 - t0) as f64 * frac) as i64;
        h.state_mut().replay_seek(t);
        step_until(&mut h, "the seek", |a| a.mode.replay().unwrap().shown_ms == Some(t));
        let want = oracle.situation_at_time(t).unwrap();
        assert_eq!(*h.state().situation, want, "situation at T+{} s", (t - t0) / 1000);
        assert_eq!(h.state().now_ms(), t, "timers and estimates run on replay time");
        // The log board shows this drill's events up to that moment, none after it.
        let shown = h.state().mode.replay().unwrap().shown_seq;
        let log = h.state().live.log.clone();
        assert!(
            !log.is_empty()
                && log
                    .iter()
                    .all(|e| e.seq <= shown && e.drill_id.as_deref() == Some(&*drill))
        );
        assert_eq!(log.last().unwrap().seq, shown);
    }
    // Early on fewer incidents exist than at the end.
    h.state_mut().replay_seek(t0);
    step_until(&mut h, "the start", |a| a.mode.replay().unwrap().shown_ms == Some(t0));
    let early = h.state().situation.incidents.len();
    h.state_mut().replay_seek(t1);
    step_until(&mut h, "the end", |a| a.mode.replay().unwrap().shown_ms == Some(t1));
    assert!(h.state().situation.incidents.len() > early);

    // Space plays at the chosen speed: the shown moment moves forward.
    h.state_mut().replay_seek(t0);
    step_until(&mut h, "the start again", |a| {
        a.mode.replay().unwrap().shown_ms == Some(t0)
    });
    h.state_mut().mode.replay_mut().unwrap().clock.set_speed(1000.0);
    h.key_press(egui::Key::Space);
    step_until(&mut h, "playback", |a| {
        a.mode.replay().unwrap().shown_ms.is_some_and(|t| t > t0 + 60_000)
    });
    assert!(h.state().mode.replay().unwrap().clock.is_playing());

    // Read-only: a status key on a unit records nothing and says so; the file is untouched.
    let unit = *h.state().situation.units.keys().next().unwrap();
    let ctx = h.ctx.clone();
    h.state_mut().select_ops(&ctx, onemap::map::ops::OpsRef::Unit(unit));
    h.run_steps(1);
    // Replay mode holds no store worker, so there is no writer to send an intent through.
    assert!(matches!(h.state().mode, onemap::ui::Mode::Replay { .. }));
    assert!(h.state().mode.writer().is_none());
    let sent = h
        .state_mut()
        .send_intent(onemap::backend::store::Intent::SetUnitStatus {
            unit,
            to: onemap::model::unit::UnitStatus::OutOfService,
        });
    assert_eq!(sent, None, "no intent leaves a replay");
    h.run_steps(2);
    assert!(h.query_by_label_contains("回放模式为只读").is_some());
    drop(h);
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes_before,
        "replay never writes the file"
    );
}

#[test]
fn replay_a_live_database_then_return() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = drill_db(dir.path());
    let path = db.clone();
    let mut h = harness(move |ctx, app| app.attach_database(ctx, onemap::ui::Database::File(path)));
    step_until(&mut h, "the store", |a| a.has_store() && !a.situation.units.is_empty());
    let live = h.state().situation.clone();
    h.get_by_label("回放").click();
    step_until(&mut h, "the replay", |a| {
        a.mode.replay().is_some_and(|r| r.shown_ms.is_some())
    });
    h.run_steps(2);
    assert!(h.query_by_label_contains("回放 REPLAY").is_some());
    // Real scope: the drill's incidents are not in the real situation.
    assert!(h.state().situation.incidents.is_empty());
    h.get_by_label("退出回放").click();
    step_until(&mut h, "live again", |a| {
        a.mode.replay().is_none() && a.situation.last_seq == live.last_seq
    });
    assert_eq!(h.state().situation.without_log_times(), live.without_log_times());
}
