//! How the `onemap` binary finds its map pack without `--pack` (the order a workstation install
//! relies on): `$ONEMAP_PACK`, the user's data directory, the installed packs, then `maps/NAME`
//! under the working directory; `onemap info --json` says which one it used. The installed
//! layout itself (`/usr/share/onemap/maps`) is tested on the real .deb by packaging/test-deb.sh.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::path::Path;
use std::process::Command;

/// `onemap info --json` run in `cwd` with a fresh HOME and the given extra environment.
fn info(cwd: &Path, home: &Path, env: &[(&str, &Path)]) -> serde_json::Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onemap"));
    cmd.args(["info", "--json"])
        .current_dir(cwd)
        .env("HOME", home)
        .env_remove("XDG_DATA_HOME")
        .env_remove("ONEMAP_PACK");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn samples() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/samples")
}

#[test]
fn lookup_order_env_then_user_dir_then_working_dir() {
    let home = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));

    // From the repository: maps/xishuangbanna-osm under the working directory.
    let v = info(repo, home.path(), &[]);
    assert_eq!(v["pack"]["source"], "working_dir");
    assert_eq!(v["pack"]["dir"], "maps/xishuangbanna-osm");
    assert_eq!(v["name"], "xishuangbanna-osm");

    // A pack in the user's data directory wins over the working directory.
    let user = home.path().join(".local/share/onemap/maps/xishuangbanna-osm");
    std::fs::create_dir_all(&user).unwrap();
    for e in std::fs::read_dir(samples().join("andorra")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), user.join(e.file_name())).unwrap();
    }
    let v = info(repo, home.path(), &[]);
    assert_eq!(v["pack"]["source"], "user");
    assert_eq!(v["pack"]["dir"], user.to_str().unwrap());
    assert_eq!(v["name"], "andorra");

    // XDG_DATA_HOME moves the user's data directory.
    let xdg = tempfile::tempdir().unwrap();
    let v = info(repo, home.path(), &[("XDG_DATA_HOME", xdg.path())]);
    assert_eq!(v["pack"]["source"], "working_dir", "{v}");

    // $ONEMAP_PACK wins over both.
    let lie = samples().join("liechtenstein");
    let v = info(repo, home.path(), &[("ONEMAP_PACK", &lie)]);
    assert_eq!(v["pack"]["source"], "env");
    assert_eq!(v["name"], "liechtenstein");
}

#[test]
fn unrelated_directory_falls_back_to_installed_or_source_tree() {
    // No pack under the working directory or in the user's data directory: a machine with the
    // package installed uses /usr/share/onemap; a development build the tree it was built from.
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let v = info(elsewhere.path(), home.path(), &[]);
    let source = v["pack"]["source"].as_str().unwrap();
    assert!(source == "system" || source == "source_tree", "{v}");
    assert!(
        v["pack"]["dir"].as_str().unwrap().ends_with("maps/xishuangbanna-osm"),
        "{v}"
    );
}

#[test]
fn wrong_env_pack_fails_and_says_where_it_came_from() {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_onemap"))
        // Without --json: with it the same error is a JSON object on stdout (issue 18).
        .args(["info"])
        .env("HOME", home.path())
        .env("ONEMAP_PACK", "/nonexistent/pack")
        .output()
        .unwrap();
    let err = common::fails_with(&out, "ONEMAP_PACK");
    assert!(err.contains("/nonexistent/pack"), "{err}");
}

#[test]
fn version_names_commit_and_build_date() {
    let out = Command::new(env!("CARGO_BIN_EXE_onemap"))
        .arg("--version")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim(), format!("onemap {}", onemap::build_info::LONG_VERSION));
    assert!(text.contains(" (commit ") && text.contains(", built 20"), "{text}");
}
