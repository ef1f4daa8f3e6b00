//! Fuzz target: drill scenario TOML (offsets, injects, places), with two known place names.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let places = onemap::drill::scenario::PlaceNames::from_list(&[("景洪", [100.8, 22.0]), ("勐腊", [101.56, 21.48])]);
    let _ = onemap::drill::scenario::Scenario::parse(std::path::Path::new("fuzz.toml"), text, &places);
    let _ = onemap::drill::scenario::parse_offset_s(text);
});
