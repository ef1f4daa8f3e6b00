//! `LonLat`: a WGS-84 position stored as integer 1e-7 degrees (~1 cm) so that equality, JSON and
//! CSV round trips are exact. Pure; must not import rusqlite, egui, tokio or `crate::store`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Scale between degrees and the stored integer units (1e-7 degree).
pub const LONLAT_SCALE: f64 = 1e7;

/// A WGS-84 longitude/latitude, quantised to 1e-7 degree; serialised as `[lon, lat]` degrees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LonLat {
    lon_e7: i32,
    lat_e7: i32,
}

/// Why a lon/lat pair was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid WGS-84 position lon={lon_deg}, lat={lat_deg}: lon must be -180..=180 and lat -90..=90, finite")]
pub struct LonLatError {
    /// The refused longitude, degrees.
    pub lon_deg: f64,
    /// The refused latitude, degrees.
    pub lat_deg: f64,
}

impl LonLat {
    /// 0°, 0° (a placeholder, never a real position in OneMap).
    pub const ORIGIN: LonLat = LonLat { lon_e7: 0, lat_e7: 0 };

    /// Build from degrees, rounding to 1e-7 degree; refuses non-finite or out-of-range values.
    pub fn from_deg(lon_deg: f64, lat_deg: f64) -> Result<Self, LonLatError> {
        if !crate::geom::valid_lonlat(lon_deg, lat_deg) {
            return Err(LonLatError { lon_deg, lat_deg });
        }
        // In range, so the products fit in i32 (180e7 < 2^31).
        Ok(LonLat {
            lon_e7: (lon_deg * LONLAT_SCALE).round() as i32,
            lat_e7: (lat_deg * LONLAT_SCALE).round() as i32,
        })
    }

    /// Longitude in degrees.
    pub fn lon_deg(self) -> f64 {
        f64::from(self.lon_e7) / LONLAT_SCALE
    }

    /// Latitude in degrees.
    pub fn lat_deg(self) -> f64 {
        f64::from(self.lat_e7) / LONLAT_SCALE
    }

    /// `[lon, lat]` in degrees, the order used by `crate::geom`.
    pub fn lonlat(self) -> [f64; 2] {
        [self.lon_deg(), self.lat_deg()]
    }

    /// Great-circle distance to another position, metres.
    pub fn dist_m(self, other: LonLat) -> f64 {
        crate::geom::haversine_m(self.lonlat(), other.lonlat())
    }

    /// Shift by metres east and north (local flat approximation, fine for offsets of a few km).
    pub fn offset_m(self, east_m: f64, north_m: f64) -> Result<Self, LonLatError> {
        let lat_rad = self.lat_deg().to_radians();
        let m_per_deg_lat = crate::geom::EARTH_RADIUS_M.to_radians();
        let m_per_deg_lon = m_per_deg_lat * lat_rad.cos();
        LonLat::from_deg(
            self.lon_deg() + east_m / m_per_deg_lon,
            self.lat_deg() + north_m / m_per_deg_lat,
        )
    }
}

impl Serialize for LonLat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.lon_deg(), self.lat_deg()].serialize(s)
    }
}

impl<'de> Deserialize<'de> for LonLat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let [lon, lat] = <[f64; 2]>::deserialize(d)?;
        LonLat::from_deg(lon, lat).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_round_trip_is_exact_and_validates() {
        let p = LonLat::from_deg(100.770536, 22.002969).unwrap();
        let s = serde_json::to_string(&p).unwrap();
        assert_eq!(s, "[100.770536,22.002969]");
        assert_eq!(serde_json::from_str::<LonLat>(&s).unwrap(), p);
        assert!(serde_json::from_str::<LonLat>("[200.0,1.0]").is_err());
        assert!(LonLat::from_deg(f64::NAN, 0.0).is_err());
        let q = p.offset_m(300.0, -200.0).unwrap();
        assert!((p.dist_m(q) - 360.555).abs() < 1.0, "{}", p.dist_m(q));
    }
}
