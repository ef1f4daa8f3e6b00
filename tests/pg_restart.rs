//! A server restart (`pg_ctl restart`) while four seat processes append and follow: they
//! reconnect by themselves, catch up exactly, and nothing acknowledged is lost or doubled.
//! Its own test binary: restarting the shared test server would disturb the other pg_* tests
//! (cargo runs test binaries one after another).
#![allow(clippy::unwrap_used)]

mod common;

use common::pg::fresh_db;
use common::{ok, onemap};

#[test]
fn pg_server_restart_mid_stream_loses_and_doubles_nothing() {
    let Some(db) = fresh_db("restart") else { return };
    let dir = std::env::var("ONEMAP_TEST_PG_DIR").unwrap();
    ok(&onemap(&["db", "init", "--db", &db.owner]));
    let bench = std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args([
            "bench",
            "seats",
            "--seats",
            "4",
            "--seconds",
            "12",
            "--json",
            "--db",
            &db.seat,
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(4));
    let restart = std::process::Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/packaging/pg-test-server.sh"))
        .arg("restart")
        .env("ONEMAP_PG_DIR", &dir)
        .status()
        .unwrap();
    assert!(restart.success(), "pg_ctl restart");
    let out = bench.wait_with_output().unwrap();
    let r: serde_json::Value = serde_json::from_str(&ok(&out)).unwrap();
    eprintln!("{r}");
    assert!(r["errors"].as_u64().unwrap() > 0, "the restart was felt: {r}");
    assert!(r["acknowledged"].as_u64().unwrap() > 100, "{r}");
    assert_eq!(r["lost"], 0, "{r}");
    assert_eq!(r["duplicates"], 0, "{r}");
    assert_eq!(r["gapless"], true, "{r}");
    assert_eq!(r["seat_folds_equal"], 4, "every seat caught up exactly: {r}");
}
