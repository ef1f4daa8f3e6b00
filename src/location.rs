//! Where an incident is: `LON,LAT` or a place name resolved against the pack's gazetteer
//! ([`PlaceIndex`]), and whether the point lies in the pack's area (its bbox plus a margin), so a
//! typo that puts a call 2 000 km away is caught before it is logged. Shared by the CLI and the
//! console. Pure: imports no egui, tokio or rusqlite.

use crate::geom::{BBox, haversine_m, parse_lonlat};
use crate::model::LonLat;
use crate::search::{PlaceIndex, Target};

/// Margin around the pack's bbox inside which a point needs no confirmation, km. Generous enough
/// for a call from just across the border (Laos, Myanmar) or a bbox drawn tight to the counties.
pub const AREA_MARGIN_KM: f64 = 30.0;

/// Metres per degree of latitude (spherical Earth, as in [`haversine_m`]).
const M_PER_DEG: f64 = 111_195.0;

/// A resolved location.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// The point.
    pub lonlat: LonLat,
    /// Display name "汉字 English" of the gazetteer place it came from; `None` for coordinates.
    pub place: Option<String>,
    /// The point is a stand-in (the typed name matched an area or a place without coordinates,
    /// and the nearest named point among the matches was taken, usually the county seat).
    pub approximate: bool,
}

/// Why a location cannot be used. Messages are Simplified Chinese first, then English.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LocateError {
    /// Nothing typed.
    #[error("未填写位置 / no location given")]
    Empty,
    /// Looked like coordinates but they are not valid.
    #[error("{0}")]
    BadCoordinates(crate::geom::CoordError),
    /// No place of that name in the pack.
    #[error(
        "找不到地名“{0}”；请输入 经度,纬度 或本州地名 / no place \"{0}\" in the map pack; give LON,LAT or a place name"
    )]
    NotFound(String),
    /// The matches have no coordinates of their own.
    #[error("“{0}”没有坐标，请输入 经度,纬度 / \"{0}\" has no coordinates; give LON,LAT")]
    NoCoordinates(String),
    /// The point lies outside the pack's area plus the margin.
    #[error(
        "位置 {lon:.5},{lat:.5} 在本州范围以外约 {outside_km:.0} km，请核对 / {lon:.5},{lat:.5} is about {outside_km:.0} km outside the prefecture; check it"
    )]
    Outside {
        /// Longitude.
        lon: f64,
        /// Latitude.
        lat: f64,
        /// Distance from the pack's bbox, km.
        outside_km: f64,
    },
}

/// The area in which a point needs no confirmation: the pack's bbox plus a margin.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    /// The pack's bbox `[min_lon, min_lat, max_lon, max_lat]`.
    pub bbox: BBox,
    /// Margin around it, km.
    pub margin_km: f64,
}

impl Area {
    /// The pack's bbox with the default margin [`AREA_MARGIN_KM`].
    pub fn new(bbox: BBox) -> Area {
        Area {
            bbox,
            margin_km: AREA_MARGIN_KM,
        }
    }

    /// Distance from the point to the bbox (0 inside it), km, along the surface.
    pub fn distance_km(&self, lonlat: [f64; 2]) -> f64 {
        let [x0, y0, x1, y1] = self.bbox.0;
        let nearest = [lonlat[0].clamp(x0, x1), lonlat[1].clamp(y0, y1)];
        haversine_m(lonlat, nearest) / 1000.0
    }

    /// True when the point is inside the bbox or within the margin of it.
    pub fn contains(&self, lonlat: [f64; 2]) -> bool {
        self.distance_km(lonlat) <= self.margin_km
    }

    /// `Ok` inside the area; [`LocateError::Outside`] beyond it.
    pub fn check(&self, lonlat: LonLat) -> Result<(), LocateError> {
        let p = lonlat.lonlat();
        if self.contains(p) {
            return Ok(());
        }
        Err(LocateError::Outside {
            lon: p[0],
            lat: p[1],
            outside_km: self.distance_km(p),
        })
    }
}

/// "汉字 English", or whichever of the two exists.
fn display_name(zh: &str, en: &str) -> String {
    match (zh.is_empty(), en.is_empty()) {
        (false, false) => format!("{zh} {en}"),
        _ => format!("{zh}{en}"),
    }
}

/// True when the text is meant as coordinates (starts like a number), so a bad number is
/// reported as such instead of as an unknown place name.
fn looks_numeric(text: &str) -> bool {
    text.chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')
}

/// Resolve typed text: `LON,LAT` (comma, full-width comma or space), else a place name in
/// 汉字, pinyin or English, as the console's search box does. A name that matches only an area
/// (a county, a township without coordinates) takes the first named point among the best five
/// matches and is marked approximate.
pub fn locate(index: &PlaceIndex, text: &str) -> Result<Located, LocateError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(LocateError::Empty);
    }
    if looks_numeric(text) {
        let p = parse_lonlat(text).map_err(LocateError::BadCoordinates)?;
        let lonlat = LonLat::from_deg(p[0], p[1])
            .map_err(|_| LocateError::BadCoordinates(crate::geom::CoordError::OutOfRange { lon: p[0], lat: p[1] }))?;
        return Ok(Located {
            lonlat,
            place: None,
            approximate: false,
        });
    }
    if text.chars().count() < 2 {
        return Err(LocateError::NotFound(text.to_string()));
    }
    let hits = index.search(text, 5);
    let Some(best) = hits.first() else {
        return Err(LocateError::NotFound(text.to_string()));
    };
    let is_point = |p: &crate::search::Place| matches!(p.target, Target::Point(_)) && !p.approximate;
    let Some(chosen) = hits.iter().find(|h| is_point(h.place)) else {
        return Err(LocateError::NoCoordinates(display_name(
            &best.place.name_zh,
            &best.place.name_en,
        )));
    };
    let Target::Point(ll) = chosen.place.target else {
        return Err(LocateError::NoCoordinates(display_name(
            &best.place.name_zh,
            &best.place.name_en,
        )));
    };
    let lonlat = LonLat::from_deg(ll[0], ll[1])
        .map_err(|_| LocateError::BadCoordinates(crate::geom::CoordError::OutOfRange { lon: ll[0], lat: ll[1] }))?;
    Ok(Located {
        lonlat,
        place: Some(display_name(&chosen.place.name_zh, &chosen.place.name_en)),
        approximate: !is_point(best.place),
    })
}

/// Metres per degree of longitude at a latitude (for tests and margins).
pub fn m_per_deg_lon(lat_deg: f64) -> f64 {
    M_PER_DEG * lat_deg.to_radians().cos()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn area() -> Area {
        Area::new(BBox([99.85, 21.05, 101.95, 22.65]))
    }

    #[test]
    fn inside_margin_and_far_away() {
        let a = area();
        assert_eq!(a.distance_km([100.8, 22.0]), 0.0);
        // 20 km east of the east edge, at a latitude inside the box: within the margin.
        let lat = 22.0;
        let east = 101.95 + 20_000.0 / m_per_deg_lon(lat);
        assert!(
            (a.distance_km([east, lat]) - 20.0).abs() < 0.05,
            "{}",
            a.distance_km([east, lat])
        );
        assert!(a.contains([east, lat]));
        let east40 = 101.95 + 40_000.0 / m_per_deg_lon(lat);
        assert!(!a.contains([east40, lat]));
        // Beijing: about 2 000 km away.
        let e = a.check(LonLat::from_deg(116.40, 39.90).unwrap()).unwrap_err();
        let LocateError::Outside { outside_km, .. } = e else {
            panic!("{e:?}")
        };
        let expected = haversine_m([116.40, 39.90], [101.95, 22.65]) / 1000.0;
        assert!((outside_km - expected).abs() < 1e-6 && outside_km > 1900.0);
        assert!(
            e.to_string().starts_with("位置 116.40000,39.90000 在本州范围以外约"),
            "{e}"
        );
    }

    #[test]
    fn coordinates_parse_or_say_why() {
        let idx = PlaceIndex::default();
        let l = locate(&idx, " 100.79，22.01 ").unwrap();
        assert_eq!(l.lonlat, LonLat::from_deg(100.79, 22.01).unwrap());
        assert!(l.place.is_none() && !l.approximate);
        assert!(matches!(locate(&idx, "100.79"), Err(LocateError::BadCoordinates(_))));
        assert!(matches!(locate(&idx, "200,10"), Err(LocateError::BadCoordinates(_))));
        assert_eq!(locate(&idx, "  "), Err(LocateError::Empty));
        assert_eq!(locate(&idx, "景洪"), Err(LocateError::NotFound("景洪".into())));
    }
}
