//! Hardening as a user (or an attacker) meets it on the command line, on real files and real
//! second processes: 0-byte files, a reader during another process's write transaction, bytes
//! flipped in the database file, `--json` errors, private file modes, truncated CSV imports.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use common::{fails_with, fails_with_code, ok, onemap};

fn new_db(dir: &std::path::Path) -> String {
    let db = dir.join("s.db");
    let db = db.to_str().unwrap().to_owned();
    ok(&onemap(&["db", "init", "--db", &db]));
    db
}

fn add_incident(db: &str, note: &str) -> String {
    ok(&onemap(&[
        "incident",
        "new",
        "--db",
        db,
        "--class",
        "natural",
        "--type",
        "flood",
        "--severity",
        "3",
        "--at",
        "100.8,22.0",
        "--note",
        note,
    ]))
}

#[test]
fn a_zero_byte_file_is_refused_by_read_only_commands_and_left_empty() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    let db = db.to_str().unwrap();
    for cmd in [&["situation", "--db", db][..], &["events", "--db", db][..]] {
        fails_with_code(&onemap(cmd), 3, "0-byte");
    }
    assert_eq!(std::fs::metadata(db).unwrap().len(), 0);
}

#[test]
fn json_errors_are_one_json_object_on_stdout_with_the_same_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    let out = onemap(&["situation", "--db", missing.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let text = String::from_utf8(out.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["error"], "database");
    assert_eq!(v["exit_code"], 3);
    assert!(v["message"].as_str().unwrap().contains("does not exist"), "{v}");
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_reader_succeeds_while_another_process_holds_a_write_transaction() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    add_incident(&db, "first");
    // This test process is the other writer: it holds the write lock for the whole read.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE; CREATE TABLE scratch(x);").unwrap();
    let sit: serde_json::Value = serde_json::from_str(&ok(&onemap(&["situation", "--db", &db]))).unwrap();
    assert_eq!(sit["incidents"].as_object().unwrap().len(), 1);
    let events = ok(&onemap(&["events", "--db", &db]));
    assert_eq!(events.lines().count(), 1);
    conn.execute_batch("ROLLBACK;").unwrap();
}

#[test]
fn a_flipped_byte_is_found_by_db_verify_and_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    for i in 0..5 {
        add_incident(&db, &format!("NOTE-MARK-{i}"));
    }
    let v: serde_json::Value = serde_json::from_str(&ok(&onemap(&["db", "verify", "--db", &db, "--json"]))).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    // Flip one byte of the second incident's note in the file itself.
    let mut bytes = std::fs::read(&db).unwrap();
    // Every occurrence: a page split can leave a stale copy in free space.
    let hits: Vec<usize> = (0..bytes.len().saturating_sub(11))
        .filter(|&i| &bytes[i..i + 11] == b"NOTE-MARK-1")
        .collect();
    assert!(!hits.is_empty());
    for at in hits {
        bytes[at + 10] = b'7';
    }
    std::fs::write(&db, &bytes).unwrap();
    let out = onemap(&["db", "verify", "--db", &db, "--json"]);
    assert_eq!(out.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_str(&String::from_utf8(out.stdout).unwrap()).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken"]["fault"], "mismatch");
    assert_eq!(v["first_broken"]["seq"], 2);
    let out = onemap(&["situation", "--db", &db]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("seq 2") && err.contains("db verify"), "{err}");
}

#[test]
fn a_truncated_csv_is_refused_naming_the_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let db = new_db(dir.path());
    let stock = std::fs::read_to_string(common::xsbn_pack().join("demo/stock.csv")).unwrap();
    let wh = std::fs::read_to_string(common::xsbn_pack().join("demo/warehouses.csv")).unwrap();
    std::fs::write(dir.path().join("warehouses.csv"), wh).unwrap();
    // Cut inside the last record's quantity, as a full disk would.
    let cut = stock.trim_end().len() - 1;
    let path = dir.path().join("stock.csv");
    std::fs::write(&path, &stock[..cut]).unwrap();
    let lines = stock.trim_end().lines().count();
    let err = fails_with(
        &onemap(&[
            "import",
            "--db",
            &db,
            dir.path().join("warehouses.csv").to_str().unwrap(),
            path.to_str().unwrap(),
        ]),
        "truncated",
    );
    assert!(err.contains(&format!("{lines}")), "{err}");
    assert_eq!(ok(&onemap(&["events", "--db", &db])).trim(), "");
}

#[cfg(unix)]
#[test]
fn database_exports_and_reports_are_private_with_umask_022() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data/onemap");
    let db = data.join("s.db");
    let db_s = db.to_str().unwrap();
    // The test process's umask (022 in CI) is inherited by the child.
    ok(&onemap(&["db", "init", "--db", db_s]));
    add_incident(db_s, "x");
    let out = dir.path().join("export");
    ok(&onemap(&["export", "--db", db_s, "--out", out.to_str().unwrap()]));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&out), 0o700);
    for f in std::fs::read_dir(&out).unwrap() {
        assert_eq!(mode(&f.unwrap().path()), 0o600);
    }
}

#[test]
fn isochrone_contours_are_capped_with_a_clear_error() {
    let many: Vec<String> = (1..=25).map(|m| m.to_string()).collect();
    let out = onemap(&["isochrone", "--at", "100.8,22.0", "--minutes", &many.join(",")]);
    let err = fails_with(&out, "at most 24 contours, not 25");
    assert!(err.contains("最多 24 条等时线"), "{err}");
    // 24 is accepted and gives 24 features.
    let text = ok(&onemap(&[
        "isochrone",
        "--at",
        "100.8,22.0",
        "--minutes",
        &many[..24].join(","),
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["features"].as_array().unwrap().len(), 24);
}
