//! Fuzz target: schematic road networks (JSON towns and segments) through to the built graph.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(spec) = serde_json::from_slice::<onemap::roads::schematic::SchematicSpec>(data) else {
        return;
    };
    if spec.nodes.len() + spec.segments.len() > 10_000 {
        return;
    }
    let _ = onemap::roads::schematic::build(&spec, 1);
});
