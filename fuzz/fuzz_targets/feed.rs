//! Fuzz target: Atom / RSS feed indexes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = onemap::alerts::feed::read_feed(data, "fuzz.atom");
});
