//! Fuzz target: master-data import files (CSV framing, encodings, columns, values, ids) for each
//! table and as GeoJSON; the first byte picks the file name.
#![no_main]

const NAMES: [&str; 10] = [
    "units.csv",
    "stations.csv",
    "warehouses.csv",
    "stock.csv",
    "shelters.csv",
    "units.geojson",
    "stations.geojson",
    "warehouses.geojson",
    "stock.geojson",
    "shelters.geojson",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let _ = onemap::store::import::check_master_bytes(name, rest.to_vec());
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = onemap::csv_io::parse_csv(text);
    }
});
