//! Fuzz target: response plans (`plans.toml`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = onemap::dispatch::plans::Plans::parse(std::path::Path::new("plans.toml"), text);
});
