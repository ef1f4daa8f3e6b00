//! The commander's wall on a PostgreSQL database (`onemap --wall --db postgres://…`): the
//! read-only follower opens the server URL, wakes on LISTEN/NOTIFY and shows an incident that
//! another seat records, without any action; the wall itself writes nothing. Needs the test
//! server (packaging/pg-test-server.sh); skipped without it outside CI.
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::{fresh_db, second_seat_reports_incident};
use common::ui::{step_wall_until as step_until, wall};
use common::{ok, onemap};
use onemap::store::Store;
use onemap::ui::wall::Page;

#[test]
fn pg_wall_follows_a_second_seats_incident_on_the_server() {
    let Some(db) = fresh_db("wall") else { return };
    let pack = common::xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    ok(&onemap(&["demo", "load", "--db", &db.owner, "--pack", &pack]));
    let before = Store::open_read_only(&db.seat).unwrap().last_seq().unwrap();
    let mut h = wall(&db.seat, Some(Page::Kpi), None);
    step_until(&mut h, "the first situation from the server", |w| {
        w.data.as_ref().is_some_and(|d| d.log_seq == before)
    });
    let units = h.state().data.as_ref().unwrap().situation.units.len();
    assert!(units > 100, "the demo's units: {units}");
    // Another seat records an incident.
    let (seq, id) = second_seat_reports_incident(&db.seat);
    step_until(&mut h, "the second seat's incident on the wall", |w| {
        w.data
            .as_ref()
            .is_some_and(|d| d.log_seq == seq && d.situation.incidents.contains_key(&id))
    });
    assert!(h.state().error.is_none(), "{:?}", h.state().error);
    assert!(h.state().stale_s().is_none());
    // The wall only read: the log holds exactly the demo and the second seat's events.
    let after = Store::open_read_only(&db.owner).unwrap();
    assert_eq!(after.last_seq().unwrap(), seq);
    assert_eq!(after.event_count().unwrap(), seq);
    drop(h);
}
