//! A reader for local PMTiles v3 archives of raster tiles (PNG/JPEG), so a command centre can
//! ship its own basemap as one file and stay offline. Reads only the header, directories and the
//! tiles asked for; every malformed byte is an error naming the file, never a panic.
//! Spec: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const HEADER_LEN: usize = 127;

/// Why an archive or one of its tiles cannot be read; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PmTilesError {
    /// The file cannot be opened.
    #[error("cannot open {0}: {1}")]
    Open(String, std::io::Error),
    /// Shorter than the fixed header.
    #[error("{0}: too short to be a PMTiles archive")]
    TooShort(String),
    /// Wrong magic bytes.
    #[error("{0}: not a PMTiles archive (bad magic bytes)")]
    NotPmTiles(String),
    /// Not version 3.
    #[error("{0}: PMTiles version {1} is not supported (only v3)")]
    Version(String, u8),
    /// Vector tiles (the glow renderer draws rasters only).
    #[error("{0}: vector (MVT) tiles need the wgpu renderer; use a raster (PNG/JPEG) PMTiles")]
    Vector(String),
    /// Another tile format.
    #[error("{0}: tile type {1:?} is not supported; use PNG or JPEG tiles")]
    TileType(String, TileType),
    /// A length no archive has.
    #[error("{0}: a {1}-byte chunk is implausible; the archive is corrupt")]
    Implausible(String, u64),
    /// The reader's lock was poisoned by a panic elsewhere.
    #[error("{0}: reader poisoned")]
    Poisoned(String),
    /// Seeking failed.
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
    /// The file ends before a chunk does.
    #[error("{0}: truncated (wanted {1} bytes at {2})")]
    Truncated(String, u64, u64),
    /// Bad gzip data.
    #[error("{0}: bad gzip data: {1}")]
    Gzip(String, std::io::Error),
    /// Brotli / zstd.
    #[error("{0}: compression {1} (brotli/zstd) is not supported")]
    Compression(String, u8),
    /// A directory that does not parse.
    #[error("{0}: corrupt directory at byte {1}")]
    Directory(String, u64),
    /// Too many directory levels.
    #[error("{0}: directories nest deeper than {MAX_DEPTH}")]
    TooDeep(String),
}
/// Directories nest at most this deep (root + leaves); the spec uses 1–2 levels.
const MAX_DEPTH: usize = 4;
/// No directory or tile this large is plausible; refuse instead of allocating.
const MAX_CHUNK: u64 = 64 << 20;

/// What the archive's tiles are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileType {
    /// Mapbox vector tiles (not drawable with the glow renderer).
    Mvt,
    /// PNG.
    Png,
    /// JPEG.
    Jpeg,
    /// WebP.
    Webp,
    /// AVIF.
    Avif,
    /// Unknown (0).
    Unknown,
}

/// The parts of the header the console uses.
#[derive(Debug, Clone)]
pub struct Header {
    root_offset: u64,
    root_length: u64,
    leaf_offset: u64,
    tile_data_offset: u64,
    internal_compression: u8,
    tile_compression: u8,
    /// Tile format.
    pub tile_type: TileType,
    /// Lowest zoom with tiles.
    pub min_zoom: u8,
    /// Highest zoom with tiles.
    pub max_zoom: u8,
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    pub bounds: [f64; 4],
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u64,
    run_length: u64,
}

/// An open archive.
pub struct PmTilesReader {
    path: PathBuf,
    file: Mutex<File>,
    /// The parsed header.
    pub header: Header,
    root: Vec<Entry>,
}

/// The Hilbert-curve tile id of z/x/y (PMTiles v3): tiles of lower zooms first, then the
/// position along the Hilbert curve (Wikipedia's `xy2d`).
pub fn tile_id(z: u8, x: u32, y: u32) -> u64 {
    let z = z.min(31);
    let acc: u64 = (0..z as u64).map(|a| 1u64 << (2 * a)).sum();
    let n: u64 = 1 << z;
    let (mut x, mut y) = (x as u64 % n, y as u64 % n);
    let mut d: u64 = 0;
    let mut s = n / 2;
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = n - 1 - x;
                y = n - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    acc + d
}

impl PmTilesReader {
    /// Open and validate an archive: magic, version 3, raster tile type, readable root directory.
    pub fn open(path: &Path) -> Result<PmTilesReader, PmTilesError> {
        let name = path.display().to_string();
        let mut file = File::open(path).map_err(|e| PmTilesError::Open(name.clone(), e))?;
        let mut h = [0u8; HEADER_LEN];
        file.read_exact(&mut h)
            .map_err(|_| PmTilesError::TooShort(name.clone()))?;
        if &h[0..7] != b"PMTiles" {
            return Err(PmTilesError::NotPmTiles(name));
        }
        if h[7] != 3 {
            return Err(PmTilesError::Version(name, h[7]));
        }
        let u64_at = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().unwrap_or([0; 8]));
        let i32_at = |o: usize| i32::from_le_bytes(h[o..o + 4].try_into().unwrap_or([0; 4])) as f64 / 1e7;
        let tile_type = match h[99] {
            1 => TileType::Mvt,
            2 => TileType::Png,
            3 => TileType::Jpeg,
            4 => TileType::Webp,
            5 => TileType::Avif,
            _ => TileType::Unknown,
        };
        let header = Header {
            root_offset: u64_at(8),
            root_length: u64_at(16),
            leaf_offset: u64_at(40),
            tile_data_offset: u64_at(56),
            internal_compression: h[97],
            tile_compression: h[98],
            tile_type,
            min_zoom: h[100],
            max_zoom: h[101],
            bounds: [i32_at(102), i32_at(106), i32_at(110), i32_at(114)],
        };
        match tile_type {
            TileType::Png | TileType::Jpeg => {}
            TileType::Mvt => {
                return Err(PmTilesError::Vector(name));
            }
            other => {
                return Err(PmTilesError::TileType(name, other));
            }
        }
        let mut reader = PmTilesReader {
            path: path.to_path_buf(),
            file: Mutex::new(file),
            header,
            root: Vec::new(),
        };
        reader.root = reader.directory(reader.header.root_offset, reader.header.root_length)?;
        Ok(reader)
    }

    fn read_at(&self, offset: u64, length: u64) -> Result<Vec<u8>, PmTilesError> {
        let name = || self.path.display().to_string();
        if length > MAX_CHUNK {
            return Err(PmTilesError::Implausible(name(), length));
        }
        let mut f = self.file.lock().map_err(|_| PmTilesError::Poisoned(name()))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| PmTilesError::Io(name(), e))?;
        let mut buf = vec![0u8; length as usize];
        f.read_exact(&mut buf)
            .map_err(|_| PmTilesError::Truncated(name(), length, offset))?;
        Ok(buf)
    }

    fn decompress(&self, bytes: Vec<u8>, compression: u8) -> Result<Vec<u8>, PmTilesError> {
        match compression {
            0 | 1 => Ok(bytes),
            2 => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&bytes[..])
                    .take(MAX_CHUNK)
                    .read_to_end(&mut out)
                    .map_err(|e| PmTilesError::Gzip(self.path.display().to_string(), e))?;
                Ok(out)
            }
            other => Err(PmTilesError::Compression(self.path.display().to_string(), other)),
        }
    }

    fn directory(&self, offset: u64, length: u64) -> Result<Vec<Entry>, PmTilesError> {
        let raw = self.read_at(offset, length)?;
        let bytes = self.decompress(raw, self.header.internal_compression)?;
        parse_directory(&bytes).ok_or_else(|| PmTilesError::Directory(self.path.display().to_string(), offset))
    }

    /// The tile's bytes (decompressed), or `None` when the archive has no such tile.
    pub fn tile(&self, z: u8, x: u32, y: u32) -> Result<Option<Vec<u8>>, PmTilesError> {
        let id = tile_id(z, x, y);
        let mut dir = self.root.clone();
        for _ in 0..MAX_DEPTH {
            let Some(e) = find(&dir, id) else { return Ok(None) };
            if e.run_length > 0 {
                let bytes = self.read_at(self.header.tile_data_offset + e.offset, e.length)?;
                return self.decompress(bytes, self.header.tile_compression).map(Some);
            }
            dir = self.directory(self.header.leaf_offset + e.offset, e.length)?;
        }
        Err(PmTilesError::TooDeep(self.path.display().to_string()))
    }
}

fn find(dir: &[Entry], id: u64) -> Option<Entry> {
    let i = dir.partition_point(|e| e.tile_id <= id).checked_sub(1)?;
    let e = dir[i];
    if e.run_length == 0 || id < e.tile_id + e.run_length {
        Some(e)
    } else {
        None
    }
}

fn varint(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

fn parse_directory(b: &[u8]) -> Option<Vec<Entry>> {
    let mut pos = 0;
    let n = varint(b, &mut pos)? as usize;
    if n > b.len() {
        return None;
    }
    let mut entries = vec![
        Entry {
            tile_id: 0,
            offset: 0,
            length: 0,
            run_length: 0
        };
        n
    ];
    let mut last = 0u64;
    for e in entries.iter_mut() {
        last = last.checked_add(varint(b, &mut pos)?)?;
        e.tile_id = last;
    }
    for e in entries.iter_mut() {
        e.run_length = varint(b, &mut pos)?;
    }
    for e in entries.iter_mut() {
        e.length = varint(b, &mut pos)?;
    }
    for i in 0..n {
        let v = varint(b, &mut pos)?;
        entries[i].offset = if v == 0 && i > 0 {
            entries[i - 1].offset + entries[i - 1].length
        } else {
            v.checked_sub(1)?
        };
    }
    Some(entries)
}
