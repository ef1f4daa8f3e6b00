//! The kittest console on a PostgreSQL database: an incident recorded by a second seat appears
//! on the first console without any action (LISTEN/NOTIFY → re-read after the last seen seq),
//! and the status bar's connection state says PostgreSQL, connected. Also: the console and the
//! wall take their database from `ONEMAP_DB` when `--db` is not given (no server needed).
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::{fresh_db, second_seat_reports_incident};
use common::ui::{console, step_until};
use common::{ok, onemap};
use onemap::backend::store::Link;
use onemap::store::BackendKind;

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
    let (seq, id) = second_seat_reports_incident(&db.seat);
    // No click, no key: the live feed brings it.
    step_until(&mut h, "the second seat's incident", |a| {
        a.situation.incidents.contains_key(&id)
            && a.live
                .log
                .last()
                .is_some_and(|e| e.seat == "seat-2" && e.operator == "王五")
    });
    step_until(&mut h, "the status bar's last seq", |a| {
        a.mode.writer().is_some_and(|w| w.connection().last_seq == seq)
    });
}

/// `onemap` (no subcommand) with `ONEMAP_DB` set and no display, so nothing can open a window.
fn console_with_env(env_db: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(args)
        .args(["--pack", common::xsbn_pack().to_str().unwrap()])
        .env("ONEMAP_DB", env_db)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap()
}

/// The console and the wall read `ONEMAP_DB` as every CLI command does, and `--db` wins over
/// it: told by the database each one refuses before a window opens (no server needed).
#[test]
fn console_and_wall_read_onemap_db_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("from-env.sqlite");
    let flag_file = dir.path().join("from-flag.sqlite");
    let (env_s, flag_s) = (env_file.to_str().unwrap(), flag_file.to_str().unwrap());
    // The wall only reads: a missing database is named, the one ONEMAP_DB gives…
    let err = common::fails_with(&console_with_env(env_s, &["--wall"]), "no database");
    assert!(err.contains("from-env.sqlite"), "{err}");
    // …unless --db names another.
    let err = common::fails_with(&console_with_env(env_s, &["--wall", "--db", flag_s]), "no database");
    assert!(err.contains("from-flag.sqlite") && !err.contains("from-env"), "{err}");
    // The console: a password in ONEMAP_DB's URL is refused before any window opens…
    let with_pw = "postgres://seat:secret@127.0.0.1:1/onemap";
    let err = common::fails_with(&console_with_env(with_pw, &[]), "no password in --db");
    assert!(!err.contains("secret"), "{err}");
    // …and --db wins over it: its own (bad sslmode) URL is the one refused.
    let bad = "postgres://seat@127.0.0.1:1/onemap?sslmode=bogus";
    let err = common::fails_with(&console_with_env(with_pw, &["--db", bad]), "bad database URL");
    assert!(err.contains("sslmode") && !err.contains("secret"), "{err}");
    assert!(!env_file.exists() && !flag_file.exists(), "nothing created");
}
