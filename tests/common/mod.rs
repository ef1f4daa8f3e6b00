//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

pub mod alerts;
pub mod kpis;
pub mod pg;
pub mod ui;

use std::path::{Path, PathBuf};

/// The bundled Xishuangbanna pack.
pub fn xsbn_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna")
}

/// The pack opened without `--pack` (real OSM roads + calibrated skeleton; `xsbn_pack` keeps
/// the schematic network).
pub fn default_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna-osm")
}

/// Copy a pack into a fresh temporary folder so a test can break it.
pub fn copy_pack(src: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
        }
    }
    dir
}

/// Edit a file of a copied pack in place.
pub fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, f(text)).unwrap();
}

/// Run the `onemap` binary as operator "tester" at seat "seat-1".
pub fn onemap(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_onemap"))
        .args(args)
        .env("ONEMAP_OPERATOR", "tester")
        .env("ONEMAP_SEAT", "seat-1")
        .output()
        .unwrap()
}

/// Assert success and return stdout.
pub fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Assert success and parse stdout as JSON.
pub fn ok_json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Assert exit code 1 (input refused) with one stderr line containing `needle`; returns that line.
pub fn fails_with(out: &std::process::Output, needle: &str) -> String {
    fails_with_code(out, 1, needle)
}

/// Assert exit `code` with one stderr line containing `needle`; returns that line.
pub fn fails_with_code(out: &std::process::Output, code: i32, needle: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {} stderr: {err}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(err.contains(needle), "expected \"{needle}\" in: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

/// A fresh SQLite file with the bundled pack's demo scenario, loaded through the CLI.
pub struct DemoDb {
    /// The temporary folder holding the file (removed on drop).
    pub dir: tempfile::TempDir,
    /// Database path.
    pub db: String,
    /// Pack folder.
    pub pack: String,
}

/// `onemap db init` + `onemap demo load` into a new temporary database.
pub fn demo_db() -> DemoDb {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_str().unwrap().to_string();
    let pack = xsbn_pack().to_str().unwrap().to_string();
    ok(&onemap(&["db", "init", "--db", &db]));
    ok(&onemap(&["demo", "load", "--db", &db, "--pack", &pack]));
    DemoDb { dir, db, pack }
}

/// Record a grade-Ⅱ flood at a place of `pack` through the CLI (a second process); returns
/// stdout.
pub fn flood_at(db: &str, pack: &str, place: &str) -> String {
    ok(&onemap(&[
        "incident",
        "new",
        "--db",
        db,
        "--pack",
        pack,
        "--class",
        "natural",
        "--type",
        "flood",
        "--severity",
        "2",
        "--at",
        place,
    ]))
}
