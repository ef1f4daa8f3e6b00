//! Replay and the after-action report on the server: a drill run against PostgreSQL replays and
//! reports exactly as a `db copy` of it to a SQLite file does (same timeline, same situation at
//! every seq, byte-identical JSON report), and as the report the run itself wrote. Needs the
//! test server (packaging/pg-test-server.sh); skipped without it outside CI.
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::fresh_db;
use common::{ok, onemap};
use onemap::model::Situation;
use onemap::store::replay::Replay;

const DRILL: &str = "flood-landslide-1";

fn json(s: &Situation) -> String {
    serde_json::to_string(s).unwrap()
}

#[test]
fn pg_drill_replays_and_reports_as_its_file_copy() {
    let Some(db) = fresh_db("replay") else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let scenario = common::xsbn_pack().join("drills/flood-landslide.toml");
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    let line = ok(&onemap(&[
        "drill",
        "run",
        scenario.to_str().unwrap(),
        "--db",
        &db.seat,
        "--auto",
        "--report",
        &path("run.json"),
    ]));
    assert!(line.starts_with(&format!("drill {DRILL} ran ")), "{line}");
    ok(&onemap(&[
        "db",
        "copy",
        "--from",
        &db.seat,
        "--to",
        &path("copy.sqlite"),
    ]));
    // The report, read back from the server and from the file copy.
    for (from, out) in [(db.seat.clone(), "pg.json"), (path("copy.sqlite"), "file.json")] {
        ok(&onemap(&[
            "report",
            "--db",
            &from,
            "--drill",
            DRILL,
            "--format",
            "json",
            "--out",
            &path(out),
        ]));
    }
    let on_pg = std::fs::read_to_string(path("pg.json")).unwrap();
    assert!(
        on_pg == std::fs::read_to_string(path("file.json")).unwrap(),
        "server and file reports differ"
    );
    // The run's own report differs only by the run's notes (what the auto-dispatcher lacked).
    let without_notes = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v.as_object_mut().unwrap().remove("notes");
        v
    };
    let run = std::fs::read_to_string(path("run.json")).unwrap();
    assert!(
        without_notes(&on_pg) == without_notes(&run),
        "the run's own report differs"
    );
    let r: serde_json::Value = serde_json::from_str(&on_pg).unwrap();
    assert_eq!(r["drill_id"], DRILL);
    assert_eq!(r["incidents"].as_array().unwrap().len(), 2);

    // Replay: the same timeline and the same situation at every step, real and drill scope.
    let mut pg = Replay::open(&db.seat).unwrap();
    let mut file = Replay::open(path("copy.sqlite")).unwrap();
    assert_eq!(pg.timeline(), file.timeline());
    assert_eq!(pg.drills(), vec![DRILL.to_string()]);
    let last = file.timeline().last().unwrap().seq;
    assert!(last > 100, "the demo and the drill: {last} events");
    for scope in [None, Some(DRILL)] {
        pg.set_scope(scope).unwrap();
        file.set_scope(scope).unwrap();
        assert_eq!(pg.drill_started_seq(), file.drill_started_seq());
        assert_eq!(pg.time_range(), file.time_range());
        for seq in (0..=last).step_by(7).chain([last]) {
            assert_eq!(
                json(&pg.situation_at(seq).unwrap()),
                json(&file.situation_at(seq).unwrap()),
                "{scope:?} at {seq}"
            );
        }
        let (t0, t1) = file.time_range().unwrap();
        for k in 0..=10 {
            let t = t0 + (t1 - t0) * k / 10;
            assert_eq!(
                json(&pg.situation_at_time(t).unwrap()),
                json(&file.situation_at_time(t).unwrap())
            );
        }
    }
    // The drill's end state on the server is the drill's fold of the log.
    pg.set_scope(Some(DRILL)).unwrap();
    let end = pg.situation_at(last).unwrap();
    assert_eq!(end.scope_drill_id.as_deref(), Some(DRILL));
    let mut store = onemap::store::Store::open_read_only(&db.seat).unwrap();
    assert_eq!(json(&end), json(&store.drill_situation(DRILL).unwrap()));
}
