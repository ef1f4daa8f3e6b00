//! The CLI's exit codes, one test per code (0 ok, 1 refused input, 2 usage, 3 database,
//! 4 history changed is `harden_cli::a_flipped_byte_is_found_by_db_verify_and_refused_at_open`),
//! and `--json` accepted by every subcommand a script drives, its errors one JSON object on
//! stdout with the same code. Runs the real binary on real files.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{fails_with_code, ok, onemap};

/// One JSON error object on stdout, nothing on stderr, with this exit code and kind.
fn json_error(out: &std::process::Output, code: i32, kind: &str) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {} stderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert_eq!(text.trim().lines().count(), 1, "one line: {text}");
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["error"], kind, "{v}");
    assert_eq!(v["exit_code"], code, "{v}");
    assert!(!v["message"].as_str().unwrap().is_empty(), "{v}");
    v
}

fn new_db(dir: &std::path::Path) -> String {
    let db = dir.join("s.db").to_str().unwrap().to_owned();
    ok(&onemap(&["db", "init", "--db", &db]));
    db
}

#[test]
fn exit_0_ok() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let out = onemap(&["situation", "--db", &db, "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["incidents"].as_object().unwrap().is_empty(), "{v}");
}

#[test]
fn exit_1_refused_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    // An incident that does not exist: the situation rules refuse to close it.
    let args = ["incident", "close", "--db", &db, "99"];
    fails_with_code(&onemap(&args), 1, "99");
    let mut json = args.to_vec();
    json.push("--json");
    let v = json_error(&onemap(&json), 1, "refused");
    assert!(v["message"].as_str().unwrap().contains("99"), "{v}");
    // Nothing was written.
    assert_eq!(ok(&onemap(&["events", "--db", &db])).trim(), "");
}

#[test]
fn exit_2_usage_plain_and_as_json() {
    let out = onemap(&["situation", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
    // With --json anywhere on the line, clap's error is one JSON object on stdout.
    let v = json_error(&onemap(&["situation", "--no-such-flag", "--json"]), 2, "usage");
    assert!(v["message"].as_str().unwrap().contains("--no-such-flag"), "{v}");
    json_error(&onemap(&["drill", "run", "--json"]), 2, "usage");
    // A negative number is read as the option's value (and refused by its type), never as an
    // unknown flag.
    let out = onemap(&["events", "--since", "-1"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value '-1' for '--since") && !err.contains("unexpected argument"),
        "{err}"
    );
    // Help is not an error.
    let help = onemap(&["drill", "--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--json"));
}

#[test]
fn exit_3_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    let missing = missing.to_str().unwrap();
    fails_with_code(&onemap(&["events", "--db", missing]), 3, "does not exist");
    let zero = dir.path().join("zero.db");
    std::fs::write(&zero, b"").unwrap();
    let zero = zero.to_str().unwrap();
    let v = json_error(&onemap(&["situation", "--db", zero, "--json"]), 3, "database");
    assert!(v["message"].as_str().unwrap().contains("0-byte"), "{v}");
    let not_onemap = dir.path().join("notes.txt");
    std::fs::write(&not_onemap, "shopping list\n").unwrap();
    json_error(
        &onemap(&["events", "--db", not_onemap.to_str().unwrap(), "--json"]),
        3,
        "database",
    );
}

#[test]
fn every_scripted_subcommand_takes_json_and_answers_errors_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    let missing = missing.to_str().unwrap();
    let out = dir.path().join("out");
    let out = out.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["export", "--db", missing, "--out", out, "--json"], 3),
        (vec!["report", "--db", missing, "--out", "r.json", "--json"], 3),
        (
            vec!["drill", "run", "/nonexistent/s.toml", "--db", missing, "--json"],
            1,
        ),
        (
            vec!["drill", "--json", "run", "/nonexistent/s.toml", "--db", missing],
            1,
        ),
        (
            vec![
                "mappack",
                "build",
                "--osm",
                "/nonexistent/x.osm.pbf",
                "--out",
                out,
                "--json",
            ],
            1,
        ),
        (vec!["alerts", "watch", "--db", missing, "--once", "--json"], 3),
        (vec!["alerts", "drafts", "--db", missing, "--json"], 3),
        (vec!["bench", "import", "--records", "5", "--json"], 1),
        (vec!["kpis", "--db", missing, "--json"], 3),
    ];
    for (args, code) in cases {
        let kind = if code == 3 { "database" } else { "refused" };
        let out = onemap(&args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        json_error(&out, code, kind);
    }
}
