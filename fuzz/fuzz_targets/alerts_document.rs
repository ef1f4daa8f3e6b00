//! Fuzz target: any alert document (CAP 1.2/1.1, Atom/RSS index, USGS GeoJSON, CENC) through the
//! detecting reader, as the drop folder and the feed poller read them. Must not import the UI.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = onemap::alerts::detect::read_document(data, "fuzz");
});
