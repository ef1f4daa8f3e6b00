//! A strict GeoJSON (RFC 7946) reader for map-pack layers: FeatureCollections of Point,
//! MultiPoint, LineString, MultiLineString, Polygon and MultiPolygon, with every position checked
//! against WGS-84 ranges and every error naming the feature index.

use std::path::Path;

use geo::{BoundingRect, Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Value};

use super::{PackError, json_error};
use crate::geom::{BBox, valid_lonlat};

/// One GeoJSON feature: geometry in WGS-84 lon/lat plus its properties.
#[derive(Debug, Clone)]
pub struct Feature {
    /// The geometry (x = lon, y = lat).
    pub geometry: Geometry<f64>,
    /// The `properties` object (empty when null).
    pub props: Map<String, Value>,
}

impl Feature {
    /// A string property, if present and a non-empty string.
    pub fn str_prop(&self, key: &str) -> Option<&str> {
        self.props.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
    }

    /// An integer property (number or numeric string) that fits u32.
    pub fn u32_prop(&self, key: &str) -> Option<u32> {
        match self.props.get(key)? {
            Value::Number(n) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A numeric property.
    pub fn f64_prop(&self, key: &str) -> Option<f64> {
        self.props.get(key).and_then(Value::as_f64)
    }

    /// True for Point / MultiPoint.
    pub fn is_point(&self) -> bool {
        matches!(self.geometry, Geometry::Point(_) | Geometry::MultiPoint(_))
    }

    /// True for LineString / MultiLineString.
    pub fn is_line(&self) -> bool {
        matches!(self.geometry, Geometry::LineString(_) | Geometry::MultiLineString(_))
    }

    /// True for Polygon / MultiPolygon.
    pub fn is_area(&self) -> bool {
        matches!(self.geometry, Geometry::Polygon(_) | Geometry::MultiPolygon(_))
    }

    /// The GeoJSON type name of the geometry.
    pub fn geometry_type(&self) -> &'static str {
        match self.geometry {
            Geometry::Point(_) => "Point",
            Geometry::MultiPoint(_) => "MultiPoint",
            Geometry::LineString(_) => "LineString",
            Geometry::MultiLineString(_) => "MultiLineString",
            Geometry::Polygon(_) => "Polygon",
            Geometry::MultiPolygon(_) => "MultiPolygon",
            _ => "other",
        }
    }

    /// The first point of a point feature, lon/lat.
    pub fn point(&self) -> Option<[f64; 2]> {
        match &self.geometry {
            Geometry::Point(p) => Some([p.x(), p.y()]),
            Geometry::MultiPoint(m) => m.0.first().map(|p| [p.x(), p.y()]),
            _ => None,
        }
    }

    /// Extent of the geometry.
    pub fn bbox(&self) -> BBox {
        match self.geometry.bounding_rect() {
            Some(r) => BBox([r.min().x, r.min().y, r.max().x, r.max().y]),
            None => BBox::EMPTY,
        }
    }
}

/// Parse a GeoJSON FeatureCollection; `path` is only used in error messages.
pub fn parse_feature_collection(path: &Path, text: &str) -> Result<Vec<Feature>, PackError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    let top_err = |msg: &str| PackError::Line {
        path: path.to_path_buf(),
        line: 1,
        msg: msg.to_string(),
    };
    if doc.get("type").and_then(Value::as_str) != Some("FeatureCollection") {
        return Err(top_err(
            "not a GeoJSON FeatureCollection (\"type\" must be \"FeatureCollection\")",
        ));
    }
    let Some(features) = doc.get("features").and_then(Value::as_array) else {
        return Err(top_err("FeatureCollection has no \"features\" array"));
    };
    features
        .iter()
        .enumerate()
        .map(|(index, f)| {
            parse_feature(f).map_err(|msg| PackError::Feature {
                path: path.to_path_buf(),
                index,
                msg,
            })
        })
        .collect()
}

fn parse_feature(f: &Value) -> Result<Feature, String> {
    if f.get("type").and_then(Value::as_str) != Some("Feature") {
        return Err("\"type\" must be \"Feature\"".into());
    }
    let props = match f.get("properties") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err("\"properties\" must be an object or null".into()),
    };
    let geometry = match f.get("geometry") {
        None | Some(Value::Null) => return Err("geometry is missing or null".into()),
        Some(g) => parse_geometry(g)?,
    };
    Ok(Feature { geometry, props })
}

fn parse_geometry(g: &Value) -> Result<Geometry<f64>, String> {
    let kind = g
        .get("type")
        .and_then(Value::as_str)
        .ok_or("geometry has no \"type\"")?;
    let c = g
        .get("coordinates")
        .ok_or_else(|| format!("{kind} geometry has no \"coordinates\""))?;
    Ok(match kind {
        "Point" => Geometry::Point(Point::from(position(c)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint::new(
            array(c)?
                .iter()
                .map(|p| position(p).map(Point::from))
                .collect::<Result<_, _>>()?,
        )),
        "LineString" => Geometry::LineString(line(c, 2)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString::new(
            array(c)?.iter().map(|l| line(l, 2)).collect::<Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(c)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon::new(
            array(c)?.iter().map(polygon).collect::<Result<_, _>>()?,
        )),
        other => return Err(format!("unsupported geometry type \"{other}\"")),
    })
}

fn array(v: &Value) -> Result<&Vec<Value>, String> {
    v.as_array()
        .ok_or_else(|| format!("expected an array of coordinates, got {}", short(v)))
}

fn position(v: &Value) -> Result<Coord<f64>, String> {
    let a = array(v)?;
    if a.len() < 2 {
        return Err(format!("position {} needs longitude and latitude", short(v)));
    }
    let (Some(lon), Some(lat)) = (a[0].as_f64(), a[1].as_f64()) else {
        return Err(format!("position {} is not numeric", short(v)));
    };
    if !valid_lonlat(lon, lat) {
        return Err(format!(
            "position [{lon}, {lat}] is outside WGS-84 ranges (lon -180..180, lat -90..90); is it projected or lat/lon swapped?"
        ));
    }
    Ok(Coord { x: lon, y: lat })
}

fn line(v: &Value, min: usize) -> Result<LineString<f64>, String> {
    let pts = array(v)?.iter().map(position).collect::<Result<Vec<_>, _>>()?;
    if pts.len() < min {
        return Err(format!("a line needs at least {min} positions, got {}", pts.len()));
    }
    Ok(LineString::new(pts))
}

fn polygon(v: &Value) -> Result<Polygon<f64>, String> {
    let rings = array(v)?;
    let mut rings = rings.iter().map(|r| {
        let ring = line(r, 4)?;
        if ring.0.first() != ring.0.last() {
            return Err("polygon ring is not closed (first and last positions differ)".to_string());
        }
        Ok(ring)
    });
    let exterior = rings.next().ok_or("polygon has no rings")??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<Feature>, PackError> {
        parse_feature_collection(Path::new("t.geojson"), text)
    }

    #[test]
    fn reads_points_lines_polygons() {
        let fc = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{"name_zh":"景洪"},"geometry":{"type":"Point","coordinates":[100.8,22.0]}},
          {"type":"Feature","properties":null,"geometry":{"type":"LineString","coordinates":[[100,22],[101,22.5]]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[100,21],[101,21],[101,22],[100,21]]]}}]}"#;
        let f = parse(fc).unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].str_prop("name_zh"), Some("景洪"));
        assert_eq!(f[0].point(), Some([100.8, 22.0]));
        assert!(f[1].is_line() && f[2].is_area());
        assert_eq!(f[2].bbox(), BBox([100.0, 21.0, 101.0, 22.0]));
    }

    #[test]
    fn errors_name_the_feature() {
        let fc = r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[100,22]}},
          {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[12000000,2500000]}}]}"#;
        let e = parse(fc).unwrap_err().to_string();
        assert!(e.contains("feature 1") && e.contains("outside WGS-84"), "{e}");

        let open_ring = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
          "geometry":{"type":"Polygon","coordinates":[[[100,21],[101,21],[101,22],[100,22]]]}}]}"#;
        assert!(parse(open_ring).unwrap_err().to_string().contains("not closed"));

        let e = parse(r#"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature 0: geometry is missing"), "{e}");

        let e = parse(r#"{"type":"Feature"}"#).unwrap_err().to_string();
        assert!(e.contains("not a GeoJSON FeatureCollection"), "{e}");

        let e = parse("{\"type\":\n\"FeatureCollection\",").unwrap_err().to_string();
        assert!(e.contains("invalid JSON at line 2"), "{e}");
    }
}
