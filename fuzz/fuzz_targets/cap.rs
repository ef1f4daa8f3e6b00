//! Fuzz target: the CAP reader alone (XML decoding, namespaces, areas, references).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = onemap::alerts::cap::read_cap(data, "fuzz.xml");
    if let Ok(text) = std::str::from_utf8(data) {
        let mut notes = Vec::new();
        let _ = onemap::alerts::cap::parse_references(text, &mut notes);
        let _ = onemap::alerts::cap::parse_polygon(text);
        let _ = onemap::alerts::cap::parse_circle(text);
    }
});
