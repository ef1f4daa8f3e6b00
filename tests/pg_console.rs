//! The kittest console on a PostgreSQL database: an incident recorded by a second seat appears
//! on the first console without any action (LISTEN/NOTIFY → re-read after the last seen seq),
//! and the status bar's connection state says PostgreSQL, connected.
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::fresh_db;
use common::ui::{console, step_until};
use common::{ok, onemap};
use onemap::backend::store::{Intent, Link, execute_intent};
use onemap::model::incident::IncidentDraft;
use onemap::model::incident::{Caller, IncidentType, Severity};
use onemap::model::lonlat::LonLat;
use onemap::store::{BackendKind, Store};

#[test]
fn pg_console_sees_a_second_seats_incident_without_action() {
    let Some(db) = fresh_db("console") else { return };
    let pack = common::xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    ok(&onemap(&["demo", "load", "--db", &db.owner, "--pack", &pack]));
    let mut h = console(onemap::ui::Database::File(db.seat.clone().into()));
    step_until(&mut h, "the console's store", |a| a.situation.units.len() > 100);
    let conn = h.state().mode.writer().unwrap().connection();
    assert_eq!(conn.backend, BackendKind::Postgres);
    assert_eq!(conn.link, Link::Connected);
    assert!(conn.server.contains("127.0.0.1"), "{conn:?}");
    // The second seat: another connection, another operator.
    let mut other = Store::open(&db.seat).unwrap();
    let done = execute_intent(
        &mut other,
        "王五",
        "seat-2",
        &Intent::ReportIncident(IncidentDraft {
            incident_type: IncidentType::Flood,
            severity: Severity::II,
            lonlat: LonLat::from_deg(100.79, 22.0).unwrap(),
            address: "第二席位记录".into(),
            caller: Caller {
                name: "赵六".into(),
                phone: "2".into(),
            },
            notes: String::new(),
        }),
    )
    .unwrap();
    let id = done.incident.unwrap();
    // No click, no key: the live feed brings it.
    step_until(&mut h, "the second seat's incident", |a| {
        a.situation.incidents.contains_key(&id)
            && a.live
                .log
                .last()
                .is_some_and(|e| e.seat == "seat-2" && e.operator == "王五")
    });
    step_until(&mut h, "the status bar's last seq", |a| {
        a.mode.writer().is_some_and(|w| w.connection().last_seq == done.seq)
    });
}
