//! Fuzz target: map-pack GeoJSON layers (boundaries, rivers, places) and the pack manifest.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = onemap::mappack::parse_feature_collection(std::path::Path::new("fuzz.geojson"), text);
    let _ = serde_json::from_str::<onemap::mappack::Manifest>(text);
});
