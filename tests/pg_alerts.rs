//! Alerts on a PostgreSQL server database (issue 14), against the private test server of
//! packaging/pg-test-server.sh (skipped with a message when none runs, outside CI): a server
//! database has no folder to sit next to, so the drop folder is alerts.toml's `drop_folder` or
//! the user's data folder, shown on the 来源 tab; and exactly one seat of the database polls —
//! the holder of a session advisory lock — while the others show who, and take over when it goes.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::path::{Path, PathBuf};

use common::alerts::{arrivals_of, drop_into, one_poller_for_the_room, pack_with_drop_folder, poller, seat_console};
use common::pg::fresh_db;
use common::ui::step_until;
use egui_kittest::kittest::Queryable;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/alerts")
        .join(name)
}

/// One test (it sets `XDG_DATA_HOME` for this process, so nothing else may run beside it).
#[test]
fn pg_seats_share_one_poller_and_a_drop_folder_they_can_name() {
    let Some(db) = fresh_db("alerts") else { return };
    common::ok(&common::onemap(&["db", "init", "--db", &db.owner]));
    let seat_url = PathBuf::from(&db.seat);
    let orange = std::fs::read(data("synthetic_xsbn_rainstorm_orange.cap")).unwrap();
    let exercise = std::fs::read(data("synthetic_exercise.cap")).unwrap();

    // 1. No drop_folder in alerts.toml: the user's data folder (XDG_DATA_HOME/onemap), written
    //    out here rather than asked of the `directories` crate the console uses.
    let home = tempfile::tempdir().unwrap();
    // SAFETY: the only test of this binary, set before any thread of it reads the environment.
    unsafe { std::env::set_var("XDG_DATA_HOME", home.path()) };
    let expected = home.path().join("onemap").join("alerts-inbox");
    let mut h = seat_console(&common::xsbn_pack(), &seat_url, "seat-solo");
    let status = h.state().alerts.worker.as_ref().unwrap().status();
    assert_eq!(status.drop_dir.as_deref(), Some(expected.as_path()));
    step_until(&mut h, "the lease", |a| {
        a.alerts
            .worker
            .as_ref()
            .and_then(|w| w.status().poller)
            .is_some_and(|p| p.this_seat)
    });
    h.get_by_label("预警").click();
    h.run_steps(2);
    h.get_by_label("来源").click();
    h.run_steps(2);
    assert!(
        h.query_by_label(&expected.display().to_string()).is_some(),
        "the 来源 tab shows where to drop files"
    );
    assert!(h.query_by_label_contains("seat-solo（本席位）").is_some());
    drop_into(&expected, "orange.cap", &orange);
    step_until(&mut h, "the dropped warning", |a| !a.situation.alerts.alerts.is_empty());
    assert_eq!(arrivals_of(&seat_url, &orange).len(), 1);
    assert!(poller(&h).unwrap().error.is_none());
    drop(h);

    // 2. An absolute drop_folder in alerts.toml; two seats, one poller, takeover.
    let shared = tempfile::tempdir().unwrap();
    let inbox = shared.path().join("inbox");
    let (_pack_dir, pack) = pack_with_drop_folder(&inbox);
    // A fresh log for this part (the orange warning above would be a duplicate now).
    let Some(db2) = fresh_db("alerts_room") else { return };
    common::ok(&common::onemap(&["db", "init", "--db", &db2.owner]));
    one_poller_for_the_room(&pack, Path::new(&db2.seat), &inbox, &orange, &exercise);
}
