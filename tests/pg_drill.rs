//! Drills on the server: the seat that starts a drill holds its advisory lock for as long as its
//! session lives, so a drill whose seat process was SIGKILLed is closed (a real `DrillEnded` from
//! the recovery seat, with the same note as on a file) when the next seat opens the database,
//! while a drill whose seat still runs is left alone. Needs the test server
//! (packaging/pg-test-server.sh); skipped without it outside CI.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::pg::fresh_db;
use common::{ok, onemap};
use onemap::model::EventKind;
use onemap::store::Store;

const DRILL: &str = "flood-landslide-1";

fn drill_active(url: &str) -> Option<bool> {
    let mut s = Store::open_read_only(url).unwrap();
    s.situation().unwrap().drills.get(DRILL).map(|d| d.is_active())
}

#[test]
fn pg_a_killed_seats_drill_is_closed_on_open_and_a_running_one_is_not() {
    let Some(db) = fresh_db("drill") else { return };
    let pack = common::xsbn_pack();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    ok(&onemap(&[
        "demo",
        "load",
        "--db",
        &db.owner,
        "--pack",
        pack.to_str().unwrap(),
    ]));
    // A seat process runs a drill in real time (speed 1: hours of simulated time).
    let mut seat = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(["drill", "run"])
        .arg(pack.join("drills/flood-landslide.toml"))
        .args(["--db", &db.seat, "--speed", "1", "--pack"])
        .arg(&pack)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while drill_active(&db.seat) != Some(true) {
        assert!(Instant::now() < deadline, "the drill never started");
        assert!(seat.try_wait().unwrap().is_none(), "the drill process ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Another seat opens for writing while the drill's seat runs: the drill is left alone.
    let other = Store::open(&db.seat).unwrap();
    assert!(other.warnings().is_empty(), "{:?}", other.warnings());
    let before = other.last_seq().unwrap();
    drop(other);
    assert_eq!(drill_active(&db.seat), Some(true));
    // The drill's seat dies without ending it.
    seat.kill().unwrap();
    seat.wait().unwrap();
    let next = Store::open(&db.seat).unwrap();
    let note = next.warnings().join("\n");
    assert!(
        note.contains(DRILL) && note.contains("自动结束") && note.contains("left open by a process that stopped"),
        "{note}"
    );
    assert_eq!(drill_active(&db.seat), Some(false));
    let last = next.events_since(before).unwrap().pop().unwrap();
    assert!(
        matches!(last.kind, EventKind::DrillEnded { ref drill_id } if drill_id == DRILL),
        "{last:?}"
    );
    assert!(last.seat.contains("recovery") && last.drill_id.is_none(), "{last:?}");
    // Closed once: the next seat finds nothing to close.
    let seq = next.last_seq().unwrap();
    drop(next);
    let again = Store::open(&db.seat).unwrap();
    assert!(again.warnings().is_empty(), "{:?}", again.warnings());
    assert_eq!(again.last_seq().unwrap(), seq);
}
