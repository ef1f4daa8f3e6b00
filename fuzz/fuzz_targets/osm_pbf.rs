//! Fuzz target: OpenStreetMap PBF extracts through the road import (blobs, zlib, ids, ways).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let opts = onemap::roads::osm::ImportOptions {
        speeds: onemap::roads::profile::SpeedTable::default(),
        boundary: None,
    };
    let _ = onemap::roads::osm::import_pbf_bytes(data, &opts);
});
