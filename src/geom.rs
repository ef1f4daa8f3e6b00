//! Geodesy helpers shared by every module: WGS-84 lon/lat checks, Web Mercator, haversine,
//! bounding boxes and DMS formatting. Pure functions; imports no egui, tokio or rusqlite.

use std::f64::consts::PI;

/// Mean Earth radius in metres (IUGG), used for every haversine distance in OneMap.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Latitude limit of Web Mercator, in degrees.
pub const MERCATOR_MAX_LAT: f64 = 85.051_128_78;

/// True when `lon`, `lat` are finite and inside WGS-84 ranges.
pub fn valid_lonlat(lon: f64, lat: f64) -> bool {
    lon.is_finite() && lat.is_finite() && (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat)
}

/// Web Mercator normalised to 0..1 (x east, y south), the space the map layers are cached in.
pub fn mercator_norm(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MERCATOR_MAX_LAT, MERCATOR_MAX_LAT);
    let x = (1.0 + lon.to_radians() / PI) / 2.0;
    let y = (1.0 - lat.to_radians().tan().asinh() / PI) / 2.0;
    [x, y]
}

/// Inverse of [`mercator_norm`]: normalised Web Mercator back to lon/lat degrees.
pub fn mercator_norm_inverse(x: f64, y: f64) -> [f64; 2] {
    let lon = (x * 2.0 - 1.0) * 180.0;
    let lat = ((1.0 - y * 2.0) * PI).sinh().atan().to_degrees();
    [lon, lat]
}

/// WGS-84 → GCJ-02, the offset that Chinese map providers (Amap, Tencent; Baidu adds BD-09 on
/// top) apply by law; ≈ 300–500 m in Xishuangbanna. The public reverse-engineered formula
/// (Krasovsky ellipsoid constants). Used only to recognise shifted data, never to shift ours.
pub fn wgs84_to_gcj02(lonlat: [f64; 2]) -> [f64; 2] {
    const A: f64 = 6_378_245.0;
    const EE: f64 = 0.006_693_421_622_965_943;
    let (x, y) = (lonlat[0] - 105.0, lonlat[1] - 35.0);
    let mut dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    dlat += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlat += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlat += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let mut dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    dlon += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    dlon += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    dlon += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad = lonlat[1].to_radians();
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sq = magic.sqrt();
    dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sq) * PI);
    dlon = (dlon * 180.0) / (A / sq * rad.cos() * PI);
    [lonlat[0] + dlon, lonlat[1] + dlat]
}

/// GCJ-02 → WGS-84 by fixed-point iteration of [`wgs84_to_gcj02`] (better than 1 cm after a
/// few steps).
pub fn gcj02_to_wgs84(gcj: [f64; 2]) -> [f64; 2] {
    let mut w = gcj;
    for _ in 0..6 {
        let g = wgs84_to_gcj02(w);
        w = [w[0] - (g[0] - gcj[0]), w[1] - (g[1] - gcj[1])];
    }
    w
}

/// Projects `p` onto the segment `a`–`b` (all `[lon, lat]`, local equirectangular plane at
/// `a`'s latitude): `(t in 0..=1 along the segment, haversine distance from p to that point, m)`.
pub fn project_on_segment(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> (f64, f64) {
    let k = a[1].to_radians().cos();
    let (dx, dy) = ((b[0] - a[0]) * k, b[1] - a[1]);
    let (px, py) = ((p[0] - a[0]) * k, p[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        ((px * dx + py * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (t, haversine_m(p, [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]))
}

/// Great-circle distance in metres between two lon/lat points.
pub fn haversine_m(a_lonlat: [f64; 2], b_lonlat: [f64; 2]) -> f64 {
    let (lat1, lat2) = (a_lonlat[1].to_radians(), b_lonlat[1].to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b_lonlat[0] - a_lonlat[0]).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// An axis-aligned lon/lat box: `[min_lon, min_lat, max_lon, max_lat]`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BBox(pub [f64; 4]);

impl BBox {
    /// The empty box, which grows with [`BBox::extend`].
    pub const EMPTY: BBox = BBox([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY]);

    /// Grow the box to contain a lon/lat point.
    pub fn extend(&mut self, lonlat: [f64; 2]) {
        let b = &mut self.0;
        b[0] = b[0].min(lonlat[0]);
        b[1] = b[1].min(lonlat[1]);
        b[2] = b[2].max(lonlat[0]);
        b[3] = b[3].max(lonlat[1]);
    }

    /// True when no point was added.
    pub fn is_empty(&self) -> bool {
        !(self.0[0] <= self.0[2] && self.0[1] <= self.0[3])
    }

    /// The centre of the box, lon/lat.
    pub fn center(&self) -> [f64; 2] {
        [(self.0[0] + self.0[2]) / 2.0, (self.0[1] + self.0[3]) / 2.0]
    }

    /// True when the lon/lat point lies inside or on the edge of the box.
    pub fn contains(&self, lonlat: [f64; 2]) -> bool {
        lonlat[0] >= self.0[0] && lonlat[0] <= self.0[2] && lonlat[1] >= self.0[1] && lonlat[1] <= self.0[3]
    }
}

/// Degrees as D°M′S.S″ with a hemisphere letter, e.g. `100°47′48.0″E`.
pub fn format_dms(value_deg: f64, positive: char, negative: char) -> String {
    let hemi = if value_deg < 0.0 { negative } else { positive };
    let total_s = (value_deg.abs() * 3600.0 * 10.0).round() / 10.0;
    let d = (total_s / 3600.0).floor();
    let m = ((total_s - d * 3600.0) / 60.0).floor();
    let s = total_s - d * 3600.0 - m * 60.0;
    format!("{d:.0}°{m:02.0}′{s:04.1}″{hemi}")
}

/// A lon/lat pair as `22.010211°N 100.796653°E` and in DMS.
pub fn format_lonlat(lonlat: [f64; 2]) -> (String, String) {
    let [lon, lat] = lonlat;
    let ns = if lat < 0.0 { 'S' } else { 'N' };
    let ew = if lon < 0.0 { 'W' } else { 'E' };
    let dec = format!("{:.6}°{ns} {:.6}°{ew}", lat.abs(), lon.abs());
    let dms = format!("{} {}", format_dms(lat, 'N', 'S'), format_dms(lon, 'E', 'W'));
    (dec, dms)
}

/// Why a typed or pasted coordinate pair was refused (Chinese first, English second).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoordError {
    /// Not two numbers.
    #[error("应为“经度,纬度”两个十进制度数，收到“{0}” / expected LON,LAT in decimal degrees, got \"{0}\"")]
    NotAPair(String),
    /// The longitude is not a number.
    #[error("经度“{0}”不是数字 / longitude \"{0}\" is not a number")]
    Lon(String),
    /// The latitude is not a number.
    #[error("纬度“{0}”不是数字 / latitude \"{0}\" is not a number")]
    Lat(String),
    /// Outside WGS-84 ranges.
    #[error(
        "{lon},{lat} 超出 WGS-84 范围（经度 -180..180，纬度 -90..90）/ {lon},{lat} is outside WGS-84 ranges (lon -180..180, lat -90..90)"
    )]
    OutOfRange {
        /// Longitude given.
        lon: f64,
        /// Latitude given.
        lat: f64,
    },
}

/// Parse a pasted coordinate pair "LON,LAT" (decimal degrees, comma or whitespace separated).
pub fn parse_lonlat(text: &str) -> Result<[f64; 2], CoordError> {
    let parts: Vec<&str> = text
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect();
    let [lon, lat] = parts.as_slice() else {
        return Err(CoordError::NotAPair(text.to_owned()));
    };
    let lon_v: f64 = lon.parse().map_err(|_| CoordError::Lon((*lon).to_owned()))?;
    let lat_v: f64 = lat.parse().map_err(|_| CoordError::Lat((*lat).to_owned()))?;
    if !valid_lonlat(lon_v, lat_v) {
        return Err(CoordError::OutOfRange { lon: lon_v, lat: lat_v });
    }
    Ok([lon_v, lat_v])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcj02_offset_here_is_a_few_hundred_metres_and_inverts() {
        // Mohan port, OSM (WGS-84). The reference data README measured its raw Amap (GCJ-02)
        // position 349 m away.
        let mohan = [101.68246, 21.18582];
        let shift = haversine_m(mohan, wgs84_to_gcj02(mohan));
        assert!((320.0..380.0).contains(&shift), "{shift}");
        for p in [mohan, [100.770536, 22.002969], [116.39, 39.91]] {
            let back = gcj02_to_wgs84(wgs84_to_gcj02(p));
            assert!(haversine_m(p, back) < 0.01, "{p:?} → {back:?}");
        }
    }

    #[test]
    fn coordinate_errors_are_chinese_first_then_english() {
        for bad in ["100.79", "abc,22", "100.79,x", "200,10", "1,2,3"] {
            let e = parse_lonlat(bad).unwrap_err().to_string();
            let (zh, en) = e.split_once("/ ").unwrap_or_else(|| panic!("{e}"));
            assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{e}");
            assert!(
                !zh.contains("expected") && !zh.contains("number") && en.is_ascii(),
                "{e}"
            );
        }
        assert_eq!(parse_lonlat(" 100.79，22.01 "), Ok([100.79, 22.01]));
    }

    #[test]
    fn mercator_round_trip() {
        for &(lon, lat) in &[(100.79, 22.01), (-73.9, 40.7), (0.0, 0.0), (179.9, -60.0)] {
            let [x, y] = mercator_norm(lon, lat);
            let [lon2, lat2] = mercator_norm_inverse(x, y);
            assert!((lon - lon2).abs() < 1e-9 && (lat - lat2).abs() < 1e-9, "{lon},{lat}");
        }
        assert_eq!(mercator_norm(0.0, 0.0), [0.5, 0.5]);
    }

    #[test]
    fn haversine_one_degree_of_latitude() {
        // One degree of arc on the mean sphere: 2πR/360.
        let d = haversine_m([100.0, 22.0], [100.0, 23.0]);
        assert!((d - 2.0 * PI * EARTH_RADIUS_M / 360.0).abs() < 0.01, "{d}");
    }

    #[test]
    fn dms_formats_carry() {
        assert_eq!(format_dms(22.0, 'N', 'S'), "22°00′00.0″N");
        assert_eq!(format_dms(100.5, 'E', 'W'), "100°30′00.0″E");
        assert_eq!(format_dms(-0.25, 'N', 'S'), "0°15′00.0″S");
        // 59.99999 s rounds up into the next minute, not "60.0″".
        assert_eq!(
            format_dms(10.0 + 59.0 / 60.0 + 59.99999 / 3600.0, 'E', 'W'),
            "11°00′00.0″E"
        );
    }

    #[test]
    fn parse_lonlat_accepts_and_rejects() {
        assert_eq!(parse_lonlat("100.79, 22.01"), Ok([100.79, 22.01]));
        assert_eq!(parse_lonlat("100.79 22.01"), Ok([100.79, 22.01]));
        assert!(parse_lonlat("22.01").is_err());
        assert!(parse_lonlat("200,10").unwrap_err().to_string().contains("outside"));
        assert!(parse_lonlat("abc,10").unwrap_err().to_string().contains("not a number"));
    }
}
