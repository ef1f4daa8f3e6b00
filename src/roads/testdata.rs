//! Test-only helpers: locating the OSM sample extracts and unique temporary paths.

use std::path::PathBuf;

/// Directory of the OSM sample extracts: `$ONEMAP_OSM_SAMPLES`, else the copies committed
/// under `tests/data/osm/`.
pub fn samples_dir() -> PathBuf {
    match std::env::var_os("ONEMAP_OSM_SAMPLES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/osm")),
    }
}

/// Path of one sample extract; panics (failing the test) with a clear message if it is missing.
pub fn sample(name: &str) -> PathBuf {
    let p = samples_dir().join(name);
    assert!(
        p.is_file(),
        "OSM sample {} not found; set ONEMAP_OSM_SAMPLES to the directory holding the \
         osm-samples extracts (liechtenstein.osm.pbf, andorra.osm.pbf, ...)",
        p.display()
    );
    p
}

/// A fresh path in the system temp dir (not created).
pub fn temp_path(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "onemap-roads-{}-{}-{}-{tag}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    ))
}
