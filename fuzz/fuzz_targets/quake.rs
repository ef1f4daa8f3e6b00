//! Fuzz target: earthquake catalogues (USGS GeoJSON, CENC in both shapes, JSONP wrappers).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(v) = serde_json::from_str::<serde_json::Value>(onemap::alerts::quake::strip_jsonp(text)) else {
        return;
    };
    let _ = onemap::alerts::quake::quake_format(&v);
    let _ = onemap::alerts::quake::read_usgs(&v, "fuzz.json");
    let _ = onemap::alerts::quake::read_cenc(&v, "fuzz.json");
});
