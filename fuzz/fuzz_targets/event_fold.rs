//! Fuzz target: the event payload decoder (JSON lines as stored and exported) folded into a
//! situation, as replay and `db verify` do with a damaged log.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sit = onemap::model::Situation::default();
    for line in text.lines().take(1000) {
        if let Ok(ev) = serde_json::from_str::<onemap::model::Event>(line) {
            let _ = sit.apply(&ev);
        }
    }
});
