//! Elevation grids in ESRI ASCII format (`.asc`): header, then rows north to south.

use std::path::Path;

use super::PackError;
use crate::geom::valid_lonlat;

/// A regular lon/lat elevation grid; `values` are row-major, north row first.
#[derive(Debug, Clone)]
pub struct TerrainGrid {
    /// Columns (west to east).
    pub ncols: usize,
    /// Rows (north to south).
    pub nrows: usize,
    /// Longitude of the west edge of the grid, degrees.
    pub west_lon: f64,
    /// Latitude of the south edge of the grid, degrees.
    pub south_lat: f64,
    /// Cell size, degrees.
    pub cell_deg: f64,
    /// Elevation in metres; `None` where the file has NODATA.
    pub values_m: Vec<Option<f32>>,
}

impl TerrainGrid {
    /// Parse an ESRI ASCII grid; `path` is only used in error messages.
    pub fn parse(path: &Path, text: &str) -> Result<TerrainGrid, PackError> {
        let err = |line: usize, msg: String| PackError::Line {
            path: path.to_path_buf(),
            line,
            msg,
        };
        let mut header = std::collections::HashMap::new();
        let mut lines = text.lines().enumerate().peekable();
        while let Some((_, l)) = lines.peek() {
            let mut parts = l.split_whitespace();
            let Some(key) = parts.next() else {
                lines.next();
                continue;
            };
            if key.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                let (n, l) = lines.next().unwrap_or((0, ""));
                let value = l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok());
                let Some(value) = value else {
                    return Err(err(n + 1, format!("header \"{key}\" has no numeric value")));
                };
                header.insert(key.to_ascii_lowercase(), (value, n + 1));
            } else {
                break;
            }
        }
        let get = |k: &str| header.get(k).map(|(v, _)| *v);
        let need = |k: &str| get(k).ok_or_else(|| err(1, format!("header \"{k}\" is missing")));
        let ncols = need("ncols")?;
        let nrows = need("nrows")?;
        if ncols < 1.0 || nrows < 1.0 || ncols.fract() != 0.0 || nrows.fract() != 0.0 || ncols * nrows > 5.0e7 {
            return Err(err(
                1,
                format!("grid size {ncols} × {nrows} is not a sensible positive integer size"),
            ));
        }
        let (ncols, nrows) = (ncols as usize, nrows as usize);
        let cell_deg = need("cellsize")?;
        if !(cell_deg > 0.0 && cell_deg < 10.0) {
            return Err(err(1, format!("cellsize {cell_deg} must be positive degrees")));
        }
        let west_lon = match (get("xllcorner"), get("xllcenter")) {
            (Some(c), _) => c,
            (None, Some(c)) => c - cell_deg / 2.0,
            _ => return Err(err(1, "header xllcorner or xllcenter is missing".into())),
        };
        let south_lat = match (get("yllcorner"), get("yllcenter")) {
            (Some(c), _) => c,
            (None, Some(c)) => c - cell_deg / 2.0,
            _ => return Err(err(1, "header yllcorner or yllcenter is missing".into())),
        };
        let east = west_lon + cell_deg * ncols as f64;
        let north = south_lat + cell_deg * nrows as f64;
        if !valid_lonlat(west_lon, south_lat) || !valid_lonlat(east, north) {
            return Err(err(
                1,
                format!("grid extent {west_lon},{south_lat} – {east},{north} is outside WGS-84 ranges"),
            ));
        }
        let nodata = get("nodata_value");
        let mut values_m = Vec::with_capacity(ncols * nrows);
        let mut last_line = 1;
        for (n, l) in lines {
            last_line = n + 1;
            for tok in l.split_whitespace() {
                let v: f64 = tok
                    .parse()
                    .map_err(|_| err(n + 1, format!("\"{tok}\" is not a number")))?;
                if values_m.len() == ncols * nrows {
                    return Err(err(n + 1, format!("more than {ncols} × {nrows} values")));
                }
                values_m.push(if Some(v) == nodata || !v.is_finite() {
                    None
                } else {
                    Some(v as f32)
                });
            }
        }
        if values_m.len() != ncols * nrows {
            return Err(err(
                last_line,
                format!("expected {} values, found {}", ncols * nrows, values_m.len()),
            ));
        }
        Ok(TerrainGrid {
            ncols,
            nrows,
            west_lon,
            south_lat,
            cell_deg,
            values_m,
        })
    }

    /// Elevation at row `r` (0 = north), column `c` (0 = west).
    pub fn value(&self, r: usize, c: usize) -> Option<f32> {
        self.values_m.get(r * self.ncols + c).copied().flatten()
    }

    /// `[west, south, east, north]` of cell (r, c), degrees.
    pub fn cell_bounds(&self, r: usize, c: usize) -> [f64; 4] {
        let west = self.west_lon + c as f64 * self.cell_deg;
        let north = self.south_lat + (self.nrows - r) as f64 * self.cell_deg;
        [west, north - self.cell_deg, west + self.cell_deg, north]
    }

    /// Cells that hold a value.
    pub fn cells_with_data(&self) -> usize {
        self.values_m.iter().filter(|v| v.is_some()).count()
    }

    /// Minimum and maximum elevation in metres, if any cell has data.
    pub fn range_m(&self) -> Option<(f32, f32)> {
        self.values_m.iter().flatten().fold(None, |acc, &v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
    }

    /// Elevation at a lon/lat point (nearest cell), if inside the grid.
    pub fn sample(&self, lonlat: [f64; 2]) -> Option<f32> {
        let c = ((lonlat[0] - self.west_lon) / self.cell_deg).floor();
        let r = ((self.south_lat + self.nrows as f64 * self.cell_deg - lonlat[1]) / self.cell_deg).floor();
        if c < 0.0 || r < 0.0 || c >= self.ncols as f64 || r >= self.nrows as f64 {
            return None;
        }
        self.value(r as usize, c as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_center_registered_grid() {
        let t =
            "ncols 3\nnrows 2\nxllcenter 100.0\nyllcenter 21.0\ncellsize 0.5\nNODATA_value -9999\n1 2 3\n4 -9999 6\n";
        let g = TerrainGrid::parse(Path::new("t.asc"), t).unwrap();
        assert_eq!((g.ncols, g.nrows), (3, 2));
        assert_eq!(g.west_lon, 99.75);
        assert_eq!(g.value(0, 0), Some(1.0));
        assert_eq!(g.value(1, 1), None);
        assert_eq!(g.cells_with_data(), 5);
        assert_eq!(g.range_m(), Some((1.0, 6.0)));
        // North row: cell (0,0) spans lat 21.25..21.75; the south row 20.75..21.25.
        assert_eq!(g.cell_bounds(0, 0), [99.75, 21.25, 100.25, 21.75]);
        assert_eq!(g.sample([100.0, 21.5]), Some(1.0));
        assert_eq!(g.sample([101.0, 21.0]), Some(6.0));
        assert_eq!(g.sample([100.5, 21.0]), None);
        assert_eq!(g.sample([90.0, 21.0]), None);
    }

    #[test]
    fn errors_name_the_line() {
        let short = "ncols 3\nnrows 2\nxllcorner 100\nyllcorner 21\ncellsize 0.5\n1 2 3\n4 5\n";
        let e = TerrainGrid::parse(Path::new("t.asc"), short).unwrap_err().to_string();
        assert!(e.contains("line 7") && e.contains("expected 6 values, found 5"), "{e}");
        let bad = "ncols 2\nnrows 1\nxllcorner 100\nyllcorner 21\ncellsize 0.5\n1 x\n";
        let e = TerrainGrid::parse(Path::new("t.asc"), bad).unwrap_err().to_string();
        assert!(e.contains("line 6") && e.contains("\"x\" is not a number"), "{e}");
        let no_size = "nrows 1\nxllcorner 100\nyllcorner 21\ncellsize 0.5\n1\n";
        assert!(
            TerrainGrid::parse(Path::new("t.asc"), no_size)
                .unwrap_err()
                .to_string()
                .contains("ncols")
        );
    }
}
