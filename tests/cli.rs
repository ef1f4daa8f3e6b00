//! The `onemap` binary as a user runs it: `info` in text and JSON, and one-line errors with exit
//! code 2 for bad packs.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

mod common;

use std::process::Command;

fn onemap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_onemap")).args(args).output().unwrap()
}

#[test]
fn info_json_lists_layers_with_counts() {
    let pack = common::xsbn_pack();
    let out = onemap(&["info", "--pack", pack.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["name"], "xishuangbanna");
    assert_eq!(v["bbox"], serde_json::json!([99.85, 21.05, 101.95, 22.65]));
    let layers = v["layers"].as_array().unwrap();
    let get = |n: &str| {
        layers
            .iter()
            .find(|l| l["name"] == n)
            .unwrap_or_else(|| panic!("no layer {n}"))
    };
    assert_eq!(get("boundaries")["kind"], "boundaries");
    assert_eq!(get("boundaries")["features"], 5);
    assert_eq!(get("rivers")["features"], 17);
    assert_eq!(get("places")["features"], 7);
    assert_eq!(get("townships")["features"], 42);
    assert_eq!(get("terrain")["kind"], "terrain");
    assert!(get("terrain")["features"].as_u64().unwrap() > 3000);
}

#[test]
fn info_text_and_default_pack() {
    // Run from the repository root: the default pack is maps/xishuangbanna.
    let out = Command::new(env!("CARGO_BIN_EXE_onemap"))
        .arg("info")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("西双版纳傣族自治州") && text.contains("rivers") && text.contains("Natural Earth"),
        "{text}"
    );
}

#[test]
fn version_flag() {
    let out = onemap(&["--version"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_packs_exit_2_with_one_line() {
    let missing = onemap(&["info", "--pack", "/nonexistent/pack"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8(missing.stderr).unwrap();
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("map pack not found") && err.contains("/nonexistent/pack"),
        "{err}"
    );

    let dir = common::copy_pack(&common::xsbn_pack());
    common::edit(dir.path(), "places.geojson", |t| {
        t.replacen("\"Point\"", "\"Pointy\"", 1)
    });
    let out = onemap(&["info", "--pack", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("places.geojson") && err.contains("feature 0") && err.contains("Pointy"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // Opening the console on a broken pack fails the same way, before any window.
    let out = onemap(&["--pack", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let out = onemap(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}
