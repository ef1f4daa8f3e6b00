//! PMTiles v3 reading: tile ids against the spec's published values, an archive written here by
//! an independent minimal writer (root + leaf directories, gzip), and broken archives.

#![allow(clippy::unwrap_used)] // tests may panic on broken fixtures

use std::io::Write;

use onemap::backend::pmtiles::{PmTilesError, PmTilesReader, tile_id};
use onemap::backend::tiles::{TileFetcher, TileSourceSpec};

#[test]
fn tile_ids_match_the_spec() {
    // Values from the PMTiles v3 specification and its reference test suite.
    assert_eq!(tile_id(0, 0, 0), 0);
    assert_eq!(tile_id(1, 0, 0), 1);
    assert_eq!(tile_id(1, 0, 1), 2);
    assert_eq!(tile_id(1, 1, 1), 3);
    assert_eq!(tile_id(1, 1, 0), 4);
    assert_eq!(tile_id(2, 0, 0), 5);
    assert_eq!(tile_id(12, 3423, 1763), 19_078_479);
    // Every id of zoom 0..=6 is distinct and ids of zoom z fill [sum 4^i, sum 4^i + 4^z).
    let mut seen = std::collections::HashSet::new();
    for z in 0..=6u8 {
        let base: u64 = (0..z as u64).map(|i| 4u64.pow(i as u32)).sum();
        for x in 0..(1u32 << z) {
            for y in 0..(1u32 << z) {
                let id = tile_id(z, x, y);
                assert!(id >= base && id < base + 4u64.pow(z as u32));
                assert!(seen.insert(id));
            }
        }
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

/// (tile_id, offset, length, run_length), sorted by tile id.
fn directory(entries: &[(u64, u64, u64, u64)]) -> Vec<u8> {
    let mut raw = Vec::new();
    varint(&mut raw, entries.len() as u64);
    let mut last = 0;
    for e in entries {
        varint(&mut raw, e.0 - last);
        last = e.0;
    }
    for e in entries {
        varint(&mut raw, e.3);
    }
    for e in entries {
        varint(&mut raw, e.2);
    }
    for e in entries {
        varint(&mut raw, e.1 + 1);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

const PNG_1X1: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D,
    0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// An archive with tiles 0/0/0 (PNG) and 1/1/0 (bytes "B") in the root directory, and 2/3/3
/// (bytes "CC") reachable through a leaf directory. `tile_type` 2 = PNG, 1 = MVT.
fn write_archive(tile_type: u8) -> (tempfile::TempDir, std::path::PathBuf) {
    let tiles: Vec<&[u8]> = vec![PNG_1X1, b"B", b"CC"];
    let mut data = Vec::new();
    let mut offs = Vec::new();
    for t in &tiles {
        offs.push(data.len() as u64);
        data.extend_from_slice(t);
    }
    let leaf = directory(&[(tile_id(2, 3, 3), offs[2], 2, 1)]);
    let root = directory(&[
        (tile_id(0, 0, 0), offs[0], tiles[0].len() as u64, 1),
        (tile_id(1, 1, 0), offs[1], 1, 1),
        (tile_id(2, 0, 0), 0, leaf.len() as u64, 0), // leaf directory covering zoom 2
    ]);
    let root_off = 127u64;
    let leaf_off = root_off + root.len() as u64;
    let data_off = leaf_off + leaf.len() as u64;
    let mut h = vec![0u8; 127];
    h[0..7].copy_from_slice(b"PMTiles");
    h[7] = 3;
    let put = |h: &mut Vec<u8>, o: usize, v: u64| h[o..o + 8].copy_from_slice(&v.to_le_bytes());
    put(&mut h, 8, root_off);
    put(&mut h, 16, root.len() as u64);
    put(&mut h, 24, data_off);
    put(&mut h, 32, 0);
    put(&mut h, 40, leaf_off);
    put(&mut h, 48, leaf.len() as u64);
    put(&mut h, 56, data_off);
    put(&mut h, 64, data.len() as u64);
    h[97] = 2; // directories gzip
    h[98] = 1; // tiles uncompressed
    h[99] = tile_type;
    h[100] = 0;
    h[101] = 2;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pmtiles");
    let mut f = std::fs::File::create(&path).unwrap();
    for part in [&h, &root, &leaf, &data] {
        f.write_all(part).unwrap();
    }
    (dir, path)
}

#[test]
fn reads_root_and_leaf_tiles() {
    let (_dir, path) = write_archive(2);
    let r = PmTilesReader::open(&path).unwrap();
    assert_eq!((r.header.min_zoom, r.header.max_zoom), (0, 2));
    assert_eq!(r.tile(0, 0, 0).unwrap().as_deref(), Some(PNG_1X1));
    assert_eq!(r.tile(1, 1, 0).unwrap().as_deref(), Some(&b"B"[..]));
    assert_eq!(r.tile(2, 3, 3).unwrap().as_deref(), Some(&b"CC"[..]));
    // Not in the archive: no tile, no error.
    assert_eq!(r.tile(1, 0, 0).unwrap(), None);
    assert_eq!(r.tile(2, 0, 1).unwrap(), None);
}

#[test]
fn fetcher_serves_pmtiles_tiles() {
    let (_dir, path) = write_archive(2);
    let f = TileFetcher::start(TileSourceSpec::Pmtiles(path), None, egui::Context::default()).unwrap();
    assert_eq!(f.max_zoom, 2);
    assert!(f.request(walkers::TileId { x: 0, y: 0, zoom: 0 }));
    let (_, r) = f.rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(matches!(r, Ok(Some(walkers::Tile::Raster(_)))));
    assert!(f.request(walkers::TileId { x: 0, y: 0, zoom: 1 }));
    let (_, r) = f.rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert!(
        matches!(r, Ok(None)),
        "a tile outside the archive is empty, not an error"
    );
}

#[test]
fn broken_archives_are_clear_errors() {
    let (dir, path) = write_archive(2);
    let bytes = std::fs::read(&path).unwrap();

    let not = dir.path().join("not.pmtiles");
    std::fs::write(&not, b"<html>this is not a tile archive at all, just some text that is long enough to pass the header length check of 127 bytes ........................................</html>").unwrap();
    assert!(
        PmTilesReader::open(&not)
            .err()
            .unwrap()
            .to_string()
            .contains("not a PMTiles archive")
    );

    let short = dir.path().join("short.pmtiles");
    std::fs::write(&short, &bytes[..60]).unwrap();
    assert!(
        PmTilesReader::open(&short)
            .err()
            .unwrap()
            .to_string()
            .contains("too short")
    );

    // Header intact, root directory cut off.
    let cut = dir.path().join("cut.pmtiles");
    std::fs::write(&cut, &bytes[..140]).unwrap();
    assert!(
        PmTilesReader::open(&cut)
            .err()
            .unwrap()
            .to_string()
            .contains("truncated")
    );

    let (_d2, mvt) = write_archive(1);
    assert!(matches!(PmTilesReader::open(&mvt), Err(PmTilesError::Vector(_))));
    assert!(PmTilesReader::open(&mvt).err().unwrap().to_string().contains("vector"));

    let missing = TileFetcher::start(
        TileSourceSpec::Pmtiles("/nonexistent.pmtiles".into()),
        None,
        egui::Context::default(),
    );
    assert!(
        missing
            .err()
            .unwrap()
            .to_string()
            .contains("cannot open /nonexistent.pmtiles")
    );
}
