//! The "emergency" road profile: which OSM ways are roads, which way they may be driven,
//! how fast, and the haversine length of a polyline.
//!
//! Rules (exactly these, nothing else):
//! * a road is a way whose `highway` is one of the sixteen [`RoadClass`] values and that is
//!   not tagged `area=yes`; `access`, `motor_vehicle`, … are ignored (emergency vehicles);
//! * `oneway=yes|true|1` is forward only, `oneway=-1|reverse` backward only; `oneway=no|false|0`
//!   is two-way; otherwise `junction=roundabout` and `highway=motorway|motorway_link` are
//!   forward only and everything else is two-way;
//! * speed is the class default from [`SpeedTable`]; a parsable `maxspeed` (km/h, or `NN mph`)
//!   replaces it, clamped to `[min_speed_kmh, maxspeed_cap_kmh]`, except that on classes listed
//!   in `maxspeed_never_raises` (default: `track`) it may only lower the default.

use serde::{Deserialize, Serialize};

pub use crate::geom::{EARTH_RADIUS_M, haversine_m};

/// The `highway=*` values that form the emergency road network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadClass {
    /// `highway=motorway`
    Motorway,
    /// `highway=motorway_link`
    MotorwayLink,
    /// `highway=trunk`
    Trunk,
    /// `highway=trunk_link`
    TrunkLink,
    /// `highway=primary`
    Primary,
    /// `highway=primary_link`
    PrimaryLink,
    /// `highway=secondary`
    Secondary,
    /// `highway=secondary_link`
    SecondaryLink,
    /// `highway=tertiary`
    Tertiary,
    /// `highway=tertiary_link`
    TertiaryLink,
    /// `highway=unclassified`
    Unclassified,
    /// `highway=residential`
    Residential,
    /// `highway=living_street`
    LivingStreet,
    /// `highway=service`
    Service,
    /// `highway=road` (unknown type)
    Road,
    /// `highway=track` (agricultural / forestry, often unpaved)
    Track,
}

impl RoadClass {
    /// All classes, in a stable order (the `u8` code of a class is its index here).
    pub const ALL: [RoadClass; 16] = [
        RoadClass::Motorway,
        RoadClass::MotorwayLink,
        RoadClass::Trunk,
        RoadClass::TrunkLink,
        RoadClass::Primary,
        RoadClass::PrimaryLink,
        RoadClass::Secondary,
        RoadClass::SecondaryLink,
        RoadClass::Tertiary,
        RoadClass::TertiaryLink,
        RoadClass::Unclassified,
        RoadClass::Residential,
        RoadClass::LivingStreet,
        RoadClass::Service,
        RoadClass::Road,
        RoadClass::Track,
    ];

    /// Parses a `highway=*` value; `None` for values that are not roads in this profile.
    pub fn from_highway(value: &str) -> Option<RoadClass> {
        Some(match value {
            "motorway" => RoadClass::Motorway,
            "motorway_link" => RoadClass::MotorwayLink,
            "trunk" => RoadClass::Trunk,
            "trunk_link" => RoadClass::TrunkLink,
            "primary" => RoadClass::Primary,
            "primary_link" => RoadClass::PrimaryLink,
            "secondary" => RoadClass::Secondary,
            "secondary_link" => RoadClass::SecondaryLink,
            "tertiary" => RoadClass::Tertiary,
            "tertiary_link" => RoadClass::TertiaryLink,
            "unclassified" => RoadClass::Unclassified,
            "residential" => RoadClass::Residential,
            "living_street" => RoadClass::LivingStreet,
            "service" => RoadClass::Service,
            "road" => RoadClass::Road,
            "track" => RoadClass::Track,
            _ => return None,
        })
    }

    /// The OSM tag value of this class.
    pub fn as_str(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::Trunk => "trunk",
            RoadClass::TrunkLink => "trunk_link",
            RoadClass::Primary => "primary",
            RoadClass::PrimaryLink => "primary_link",
            RoadClass::Secondary => "secondary",
            RoadClass::SecondaryLink => "secondary_link",
            RoadClass::Tertiary => "tertiary",
            RoadClass::TertiaryLink => "tertiary_link",
            RoadClass::Unclassified => "unclassified",
            RoadClass::Residential => "residential",
            RoadClass::LivingStreet => "living_street",
            RoadClass::Service => "service",
            RoadClass::Road => "road",
            RoadClass::Track => "track",
        }
    }

    /// Compact code stored in the graph file (index into [`RoadClass::ALL`]).
    pub fn code(self) -> u8 {
        // The position always exists because ALL lists every variant.
        RoadClass::ALL.iter().position(|c| *c == self).unwrap_or(0) as u8
    }

    /// Inverse of [`RoadClass::code`]; `None` for an unknown code.
    pub fn from_code(code: u8) -> Option<RoadClass> {
        RoadClass::ALL.get(code as usize).copied()
    }
}

/// Which way(s) a road may be driven, relative to the order of its OSM nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Both directions.
    Both,
    /// Only in node order.
    Forward,
    /// Only against node order.
    Backward,
}

impl Direction {
    /// True when driving in node order is allowed.
    pub fn forward(self) -> bool {
        matches!(self, Direction::Both | Direction::Forward)
    }
    /// True when driving against node order is allowed.
    pub fn backward(self) -> bool {
        matches!(self, Direction::Both | Direction::Backward)
    }
}

/// Default speed per road class plus `maxspeed` handling; editable as JSON/TOML (all fields
/// have defaults, so a partial document only overrides what it names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpeedTable {
    /// `motorway` speed in km/h.
    pub motorway_kmh: f64,
    /// `motorway_link` speed in km/h.
    pub motorway_link_kmh: f64,
    /// `trunk` speed in km/h.
    pub trunk_kmh: f64,
    /// `trunk_link` speed in km/h.
    pub trunk_link_kmh: f64,
    /// `primary` speed in km/h.
    pub primary_kmh: f64,
    /// `primary_link` speed in km/h.
    pub primary_link_kmh: f64,
    /// `secondary` speed in km/h.
    pub secondary_kmh: f64,
    /// `secondary_link` speed in km/h.
    pub secondary_link_kmh: f64,
    /// `tertiary` speed in km/h.
    pub tertiary_kmh: f64,
    /// `tertiary_link` speed in km/h.
    pub tertiary_link_kmh: f64,
    /// `unclassified` speed in km/h (rural minor road, slow).
    pub unclassified_kmh: f64,
    /// `residential` speed in km/h.
    pub residential_kmh: f64,
    /// `living_street` speed in km/h.
    pub living_street_kmh: f64,
    /// `service` speed in km/h.
    pub service_kmh: f64,
    /// `road` (unknown type) speed in km/h.
    pub road_kmh: f64,
    /// `track` speed in km/h (unpaved, slow).
    pub track_kmh: f64,
    /// Upper clamp applied to a tagged `maxspeed`, km/h.
    pub maxspeed_cap_kmh: f64,
    /// Lower clamp applied to a tagged `maxspeed`, km/h (also the floor of every speed).
    pub min_speed_kmh: f64,
    /// Classes on which `maxspeed` may lower but never raise the class default.
    pub maxspeed_never_raises: Vec<RoadClass>,
}

impl Default for SpeedTable {
    fn default() -> Self {
        SpeedTable {
            motorway_kmh: 100.0,
            motorway_link_kmh: 50.0,
            trunk_kmh: 80.0,
            trunk_link_kmh: 45.0,
            primary_kmh: 60.0,
            primary_link_kmh: 40.0,
            secondary_kmh: 50.0,
            secondary_link_kmh: 35.0,
            tertiary_kmh: 40.0,
            tertiary_link_kmh: 30.0,
            unclassified_kmh: 30.0,
            residential_kmh: 25.0,
            living_street_kmh: 10.0,
            service_kmh: 15.0,
            road_kmh: 25.0,
            track_kmh: 15.0,
            maxspeed_cap_kmh: 120.0,
            min_speed_kmh: 5.0,
            maxspeed_never_raises: vec![RoadClass::Track],
        }
    }
}

impl SpeedTable {
    /// Default speed of a class in km/h (never below `min_speed_kmh`, never below 1 km/h).
    pub fn class_speed_kmh(&self, class: RoadClass) -> f64 {
        let v = match class {
            RoadClass::Motorway => self.motorway_kmh,
            RoadClass::MotorwayLink => self.motorway_link_kmh,
            RoadClass::Trunk => self.trunk_kmh,
            RoadClass::TrunkLink => self.trunk_link_kmh,
            RoadClass::Primary => self.primary_kmh,
            RoadClass::PrimaryLink => self.primary_link_kmh,
            RoadClass::Secondary => self.secondary_kmh,
            RoadClass::SecondaryLink => self.secondary_link_kmh,
            RoadClass::Tertiary => self.tertiary_kmh,
            RoadClass::TertiaryLink => self.tertiary_link_kmh,
            RoadClass::Unclassified => self.unclassified_kmh,
            RoadClass::Residential => self.residential_kmh,
            RoadClass::LivingStreet => self.living_street_kmh,
            RoadClass::Service => self.service_kmh,
            RoadClass::Road => self.road_kmh,
            RoadClass::Track => self.track_kmh,
        };
        sane_speed(v).max(sane_speed(self.min_speed_kmh))
    }

    /// Effective speed in km/h for a class and an optional raw `maxspeed` tag value.
    pub fn speed_kmh(&self, class: RoadClass, maxspeed: Option<&str>) -> f64 {
        let base = self.class_speed_kmh(class);
        let Some(tagged) = maxspeed.and_then(parse_maxspeed_kmh) else {
            return base;
        };
        let lo = sane_speed(self.min_speed_kmh);
        let hi = sane_speed(self.maxspeed_cap_kmh).max(lo);
        let v = tagged.clamp(lo, hi);
        if self.maxspeed_never_raises.contains(&class) {
            v.min(base)
        } else {
            v
        }
    }
}

/// A finite, positive speed (1 km/h if the configured value is nonsense).
fn sane_speed(v: f64) -> f64 {
    if v.is_finite() && v >= 1.0 { v } else { 1.0 }
}

/// Parses an OSM `maxspeed` value into km/h: `"50"`, `"50 km/h"`, `"30 mph"`, `"30mph"`.
/// Anything else (`"none"`, `"walk"`, `"RU:urban"`, `"50;70"`, zero, negative) gives `None`.
pub fn parse_maxspeed_kmh(raw: &str) -> Option<f64> {
    let s = raw.trim();
    let (num, factor) = if let Some(n) = s.strip_suffix("mph") {
        (n.trim_end(), 1.609_344)
    } else if let Some(n) = s.strip_suffix("km/h").or_else(|| s.strip_suffix("kmh")) {
        (n.trim_end(), 1.0)
    } else {
        (s, 1.0)
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v * factor)
}

/// Profile verdict for one OSM way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WayRule {
    /// The road class from `highway=*`.
    pub class: RoadClass,
    /// Allowed driving direction(s).
    pub direction: Direction,
    /// Effective speed in km/h.
    pub speed_kmh: f64,
}

/// Applies the emergency profile to a way's tags; `None` if the way is not a road.
pub fn classify_way<'a, I>(tags: I, speeds: &SpeedTable) -> Option<WayRule>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut highway = None;
    let mut area_yes = false;
    let mut oneway = None;
    let mut roundabout = false;
    let mut maxspeed = None;
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "area" => area_yes = v == "yes",
            "oneway" => oneway = Some(v),
            "junction" => roundabout = v == "roundabout",
            "maxspeed" => maxspeed = Some(v),
            _ => {}
        }
    }
    let class = RoadClass::from_highway(highway?)?;
    if area_yes {
        return None;
    }
    let direction = match oneway {
        Some("yes" | "true" | "1") => Direction::Forward,
        Some("-1" | "reverse") => Direction::Backward,
        Some("no" | "false" | "0") => Direction::Both,
        _ if roundabout || matches!(class, RoadClass::Motorway | RoadClass::MotorwayLink) => Direction::Forward,
        _ => Direction::Both,
    };
    Some(WayRule {
        class,
        direction,
        speed_kmh: speeds.speed_kmh(class, maxspeed),
    })
}

/// Length in metres of a polyline of `[lon, lat]` points (sum of haversine hops).
pub fn polyline_length_m(points_lonlat: &[[f64; 2]]) -> f64 {
    points_lonlat.windows(2).map(|w| haversine_m(w[0], w[1])).sum()
}

/// Travel time in seconds for `dist_m` metres at `speed_kmh`.
pub fn travel_time_s(dist_m: f64, speed_kmh: f64) -> f64 {
    dist_m * 3.6 / speed_kmh
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn rule(tags: &[(&str, &str)]) -> Option<WayRule> {
        classify_way(tags.iter().copied(), &SpeedTable::default())
    }

    #[test]
    fn road_classes_and_areas() {
        assert!(rule(&[("highway", "footway")]).is_none());
        assert!(rule(&[("highway", "path")]).is_none());
        assert!(rule(&[("name", "x")]).is_none());
        assert!(rule(&[("highway", "service"), ("area", "yes")]).is_none());
        assert!(rule(&[("highway", "service"), ("area", "no")]).is_some());
        assert!(rule(&[("highway", "track"), ("access", "no")]).is_some());
        for c in RoadClass::ALL {
            assert_eq!(RoadClass::from_highway(c.as_str()), Some(c));
            assert_eq!(RoadClass::from_code(c.code()), Some(c));
        }
    }

    #[test]
    fn directions() {
        let d = |t: &[(&str, &str)]| rule(t).unwrap().direction;
        assert_eq!(d(&[("highway", "primary")]), Direction::Both);
        for v in ["yes", "true", "1"] {
            assert_eq!(d(&[("highway", "primary"), ("oneway", v)]), Direction::Forward);
        }
        for v in ["-1", "reverse"] {
            assert_eq!(d(&[("highway", "primary"), ("oneway", v)]), Direction::Backward);
        }
        assert_eq!(d(&[("highway", "motorway")]), Direction::Forward);
        assert_eq!(d(&[("highway", "motorway_link")]), Direction::Forward);
        assert_eq!(d(&[("highway", "motorway"), ("oneway", "no")]), Direction::Both);
        assert_eq!(
            d(&[("highway", "tertiary"), ("junction", "roundabout")]),
            Direction::Forward
        );
        assert_eq!(
            d(&[("highway", "tertiary"), ("junction", "roundabout"), ("oneway", "no")]),
            Direction::Both
        );
        assert_eq!(d(&[("highway", "trunk"), ("oneway", "reversible")]), Direction::Both);
    }

    #[test]
    fn speeds_and_maxspeed() {
        assert_eq!(parse_maxspeed_kmh("50"), Some(50.0));
        assert_eq!(parse_maxspeed_kmh(" 80 km/h"), Some(80.0));
        assert!((parse_maxspeed_kmh("30 mph").unwrap() - 48.28032).abs() < 1e-9);
        assert!((parse_maxspeed_kmh("30mph").unwrap() - 48.28032).abs() < 1e-9);
        for bad in ["none", "walk", "RU:urban", "50;70", "", "0", "-5", "fast"] {
            assert_eq!(parse_maxspeed_kmh(bad), None, "{bad}");
        }
        let s = |t: &[(&str, &str)]| rule(t).unwrap().speed_kmh;
        assert_eq!(s(&[("highway", "track")]), 15.0);
        assert_eq!(s(&[("highway", "unclassified")]), 30.0);
        assert_eq!(s(&[("highway", "primary"), ("maxspeed", "80")]), 80.0);
        assert_eq!(s(&[("highway", "motorway"), ("maxspeed", "300")]), 120.0);
        assert_eq!(s(&[("highway", "primary"), ("maxspeed", "none")]), 60.0);
        assert_eq!(s(&[("highway", "track"), ("maxspeed", "80")]), 15.0);
        assert_eq!(s(&[("highway", "track"), ("maxspeed", "10")]), 10.0);
    }

    #[test]
    fn speed_table_is_editable_json() {
        let t: SpeedTable = serde_json::from_str(r#"{"track_kmh": 8.0}"#).unwrap();
        assert_eq!(t.class_speed_kmh(RoadClass::Track), 8.0);
        assert_eq!(t.class_speed_kmh(RoadClass::Primary), 60.0);
        let back: SpeedTable = serde_json::from_str(&serde_json::to_string(&SpeedTable::default()).unwrap()).unwrap();
        assert_eq!(back, SpeedTable::default());
    }

    #[test]
    fn haversine_known_values() {
        // One degree of latitude on the mean sphere.
        let d = haversine_m([0.0, 0.0], [0.0, 1.0]);
        assert!((d - EARTH_RADIUS_M * std::f64::consts::PI / 180.0).abs() < 1e-6);
        assert_eq!(haversine_m([7.4, 43.7], [7.4, 43.7]), 0.0);
        let l = polyline_length_m(&[[0.0, 0.0], [0.0, 1.0], [0.0, 2.0]]);
        assert!((l - 2.0 * d).abs() < 1e-6);
        assert!((travel_time_s(1000.0, 36.0) - 100.0).abs() < 1e-12);
    }
}
