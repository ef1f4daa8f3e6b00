//! Helpers shared by the integration tests (included with `mod common;`).
#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::path::{Path, PathBuf};

/// The bundled Xishuangbanna pack.
pub fn xsbn_pack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("maps/xishuangbanna")
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
