//! A centre's own road data: line features from GeoJSON (RFC 7946) or an ESRI Shapefile in
//! lon/lat (WGS-84 or CGCS2000, which agree to centimetres here), mapped to the emergency
//! profile by named attribute fields. The result feeds `roads::lines::build`, the same graph the
//! OSM import builds.
//!
//! Nothing is guessed: a class value that neither the mapping file nor the built-in table knows,
//! a speed outside 5–130 km/h, an unknown one-way value, a projected coordinate system or a
//! non-line geometry is an error naming the file, the feature and the field.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{PackError, parse_feature_collection};
use crate::roads::lines::RoadLine;
use crate::roads::profile::{Direction, RoadClass, SpeedTable};

/// Which attribute fields carry what.
#[derive(Debug, Clone, Default)]
pub struct LineFields {
    /// Field holding the road class (e.g. 技术等级 or 行政等级 values, or OSM highway values).
    pub class_field: String,
    /// Class value → OSM `highway` value, overriding the built-in table.
    pub class_map: BTreeMap<String, String>,
    /// Field holding a speed in km/h (empty: class speed).
    pub speed_field: Option<String>,
    /// Field holding a one-way flag (yes/no/-1, T/F, FT/TF, 是/否 …).
    pub oneway_field: Option<String>,
}

/// Errors reading road lines.
#[derive(Debug, thiserror::Error)]
pub enum RoadLinesError {
    /// The file could not be read.
    #[error("无法读取 {path}：{msg} / cannot read {path}: {msg}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        msg: String,
    },
    /// The GeoJSON is malformed (the message names the feature).
    #[error(transparent)]
    GeoJson(#[from] PackError),
    /// A projected coordinate system (the `.prj` says PROJCS).
    #[error(
        "{path}：投影坐标系（{name}），请先转换为经纬度（WGS-84 或 CGCS2000）/ {path}: projected coordinate system ({name}); reproject to lon/lat (WGS-84 or CGCS2000) first"
    )]
    Projected {
        /// The .prj file.
        path: PathBuf,
        /// Its PROJCS name.
        name: String,
    },
    /// A feature is not a line.
    #[error("{path} 要素 {feature}：几何类型 {kind} 不是线 / {path} feature {feature}: geometry {kind} is not a line")]
    NotLine {
        /// The file.
        path: PathBuf,
        /// Feature index (0-based).
        feature: usize,
        /// Its geometry type.
        kind: String,
    },
    /// A vertex outside lon/lat ranges (Shapefile; GeoJSON is checked by its parser).
    #[error(
        "{path} 要素 {feature}：坐标 ({x}, {y}) 不是经纬度（投影坐标？）/ {path} feature {feature}: ({x}, {y}) is not lon/lat (projected coordinates?)"
    )]
    NotLonLat {
        /// The file.
        path: PathBuf,
        /// Feature index.
        feature: usize,
        /// X.
        x: f64,
        /// Y.
        y: f64,
    },
    /// The class field is missing on a feature.
    #[error(
        "{path} 要素 {feature}：缺少道路等级字段 \"{field}\" / {path} feature {feature}: no class field \"{field}\""
    )]
    MissingClass {
        /// The file.
        path: PathBuf,
        /// Feature index.
        feature: usize,
        /// The field.
        field: String,
    },
    /// Class values that nothing maps.
    #[error(
        "{path}：字段 \"{field}\" 的取值无法对应道路等级：{values}；请用 --class-map 文件补充 / {path}: values of \"{field}\" with no road class: {values}; add them to a --class-map file"
    )]
    UnmappedClasses {
        /// The file.
        path: PathBuf,
        /// The field.
        field: String,
        /// `value (count)` list.
        values: String,
    },
    /// A class map entry names no OSM highway class.
    #[error(
        "--class-map：\"{value}\" → \"{highway}\" 不是已知道路等级 / --class-map: \"{value}\" → \"{highway}\" is not a known highway class"
    )]
    BadClassMap {
        /// The data value.
        value: String,
        /// The target given.
        highway: String,
    },
    /// A speed outside the plausible range.
    #[error(
        "{path} 要素 {feature}：速度 \"{value}\" 应在 5–130 km/h 之间 / {path} feature {feature}: speed \"{value}\" must be 5–130 km/h"
    )]
    BadSpeed {
        /// The file.
        path: PathBuf,
        /// Feature index.
        feature: usize,
        /// The value.
        value: String,
    },
    /// An unknown one-way value.
    #[error(
        "{path} 要素 {feature}：单行字段取值 \"{value}\" 无法识别（yes/no/-1、T/F、FT/TF、是/否）/ {path} feature {feature}: one-way value \"{value}\" not understood (yes/no/-1, T/F, FT/TF, 是/否)"
    )]
    BadOneway {
        /// The file.
        path: PathBuf,
        /// Feature index.
        feature: usize,
        /// The value.
        value: String,
    },
}

/// Built-in class table: OSM `highway` values themselves, and China's road grades
/// (技术等级 JTG B01) and administrative classes (行政等级).
pub fn builtin_class(value: &str) -> Option<RoadClass> {
    let v = value.trim();
    if let Some(c) = RoadClass::from_highway(&v.to_ascii_lowercase()) {
        return Some(c);
    }
    Some(match v {
        "高速公路" | "高速" => RoadClass::Motorway,
        "一级公路" | "一级" | "国道" => RoadClass::Trunk,
        "二级公路" | "二级" | "省道" => RoadClass::Primary,
        "三级公路" | "三级" | "县道" => RoadClass::Secondary,
        "四级公路" | "四级" | "乡道" => RoadClass::Tertiary,
        "村道" => RoadClass::Unclassified,
        "城市道路" | "街道" => RoadClass::Residential,
        "专用公路" => RoadClass::Service,
        "等外公路" | "等外" | "机耕路" => RoadClass::Track,
        _ => return None,
    })
}

/// Reads road lines from `path` (`.geojson`/`.json` or `.shp`).
pub fn read(path: &Path, fields: &LineFields, speeds: &SpeedTable) -> Result<Vec<RoadLine>, RoadLinesError> {
    for (value, highway) in &fields.class_map {
        if RoadClass::from_highway(highway).is_none() {
            return Err(RoadLinesError::BadClassMap {
                value: value.clone(),
                highway: highway.clone(),
            });
        }
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let raw: RawLines = if ext == "shp" {
        read_shapefile(path, fields)?
    } else {
        read_geojson(path, fields)?
    };
    // Map classes first, so that every unknown value is reported at once.
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let class_of = |v: &str| {
        fields
            .class_map
            .get(v.trim())
            .and_then(|h| RoadClass::from_highway(h))
            .or_else(|| builtin_class(v))
    };
    for (i, (_, attrs)) in raw.iter().enumerate() {
        let Some(v) = attrs.get(&fields.class_field) else {
            return Err(RoadLinesError::MissingClass {
                path: path.to_path_buf(),
                feature: i,
                field: fields.class_field.clone(),
            });
        };
        if class_of(v).is_none() {
            *unmapped.entry(v.clone()).or_default() += 1;
        }
    }
    if !unmapped.is_empty() {
        let values: Vec<String> = unmapped
            .iter()
            .take(12)
            .map(|(v, n)| format!("\"{v}\" ({n})"))
            .collect();
        return Err(RoadLinesError::UnmappedClasses {
            path: path.to_path_buf(),
            field: fields.class_field.clone(),
            values: values.join(", "),
        });
    }
    let mut out = Vec::new();
    for (i, (parts, attrs)) in raw.into_iter().enumerate() {
        let class = class_of(attrs.get(&fields.class_field).map_or("", String::as_str)).unwrap_or(RoadClass::Road);
        let speed_kmh = match fields.speed_field.as_deref().and_then(|f| attrs.get(f).cloned()) {
            Some(v) if !v.trim().is_empty() => match v.trim().parse::<f64>() {
                Ok(s) if s.is_finite() && (5.0..=130.0).contains(&s) => s,
                _ => {
                    return Err(RoadLinesError::BadSpeed {
                        path: path.to_path_buf(),
                        feature: i,
                        value: v,
                    });
                }
            },
            _ => speeds.class_speed_kmh(class),
        };
        let direction = match fields.oneway_field.as_deref().and_then(|f| attrs.get(f).cloned()) {
            None => Direction::Both,
            Some(v) => oneway(&v).ok_or_else(|| RoadLinesError::BadOneway {
                path: path.to_path_buf(),
                feature: i,
                value: v.clone(),
            })?,
        };
        for points_lonlat in parts {
            if points_lonlat.len() >= 2 {
                out.push(RoadLine {
                    points_lonlat,
                    class,
                    direction,
                    speed_kmh,
                });
            }
        }
    }
    Ok(out)
}

/// A one-way flag: `None` when not understood.
fn oneway(v: &str) -> Option<Direction> {
    Some(match v.trim().to_lowercase().as_str() {
        "yes" | "true" | "1" | "t" | "y" | "ft" | "是" | "单行" | "单向" => Direction::Forward,
        "-1" | "tf" | "reverse" | "反向" => Direction::Backward,
        "" | "no" | "false" | "0" | "f" | "n" | "b" | "否" | "双向" | "双行" => Direction::Both,
        _ => return None,
    })
}

type RawLines = Vec<(Vec<Vec<[f64; 2]>>, BTreeMap<String, String>)>;

fn read_geojson(path: &Path, fields: &LineFields) -> Result<RawLines, RoadLinesError> {
    let text = std::fs::read_to_string(path).map_err(|e| RoadLinesError::Read {
        path: path.to_path_buf(),
        msg: e.to_string(),
    })?;
    let features = parse_feature_collection(path, &text)?;
    let wanted: Vec<&str> = std::iter::once(fields.class_field.as_str())
        .chain(fields.speed_field.as_deref())
        .chain(fields.oneway_field.as_deref())
        .collect();
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let parts: Vec<Vec<[f64; 2]>> = match &f.geometry {
            geo::Geometry::LineString(l) => vec![l.coords().map(|c| [c.x, c.y]).collect()],
            geo::Geometry::MultiLineString(m) => m.0.iter().map(|l| l.coords().map(|c| [c.x, c.y]).collect()).collect(),
            _ => {
                return Err(RoadLinesError::NotLine {
                    path: path.to_path_buf(),
                    feature: i,
                    kind: f.geometry_type().to_string(),
                });
            }
        };
        let attrs = wanted
            .iter()
            .filter_map(|k| {
                let v = match f.props.get(*k)? {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.to_string(),
                    serde_json::Value::Bool(b) => b.to_string(),
                    _ => return None,
                };
                Some((k.to_string(), v))
            })
            .collect();
        out.push((parts, attrs));
    }
    Ok(out)
}

fn read_shapefile(path: &Path, fields: &LineFields) -> Result<RawLines, RoadLinesError> {
    let err = |msg: String| RoadLinesError::Read {
        path: path.to_path_buf(),
        msg,
    };
    let prj = path.with_extension("prj");
    if let Ok(text) = std::fs::read_to_string(&prj) {
        let t = text.trim_start();
        if t.starts_with("PROJCS") {
            let name = t.split('"').nth(1).unwrap_or("?").to_string();
            return Err(RoadLinesError::Projected { path: prj, name });
        }
    }
    let mut reader = shapefile::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| err(format!("feature {i}: {e}")))?;
        let parts: Vec<Vec<[f64; 2]>> = match shape {
            shapefile::Shape::Polyline(p) => p
                .parts()
                .iter()
                .map(|l| l.iter().map(|q| [q.x, q.y]).collect())
                .collect(),
            shapefile::Shape::PolylineM(p) => p
                .parts()
                .iter()
                .map(|l| l.iter().map(|q| [q.x, q.y]).collect())
                .collect(),
            shapefile::Shape::PolylineZ(p) => p
                .parts()
                .iter()
                .map(|l| l.iter().map(|q| [q.x, q.y]).collect())
                .collect(),
            shapefile::Shape::NullShape => continue,
            other => {
                return Err(RoadLinesError::NotLine {
                    path: path.to_path_buf(),
                    feature: i,
                    kind: other.shapetype().to_string(),
                });
            }
        };
        for part in &parts {
            if let Some(q) = part.iter().find(|q| !crate::geom::valid_lonlat(q[0], q[1])) {
                return Err(RoadLinesError::NotLonLat {
                    path: path.to_path_buf(),
                    feature: i,
                    x: q[0],
                    y: q[1],
                });
            }
        }
        let wanted = std::iter::once(fields.class_field.as_str())
            .chain(fields.speed_field.as_deref())
            .chain(fields.oneway_field.as_deref());
        let mut attrs = BTreeMap::new();
        for k in wanted {
            use shapefile::dbase::FieldValue as V;
            let v = match record.get(k) {
                Some(V::Character(Some(s))) | Some(V::Memo(s)) => s.trim().to_string(),
                Some(V::Numeric(Some(n))) | Some(V::Double(n)) | Some(V::Currency(n)) => n.to_string(),
                Some(V::Float(Some(n))) => n.to_string(),
                Some(V::Integer(n)) => n.to_string(),
                Some(V::Logical(Some(b))) => b.to_string(),
                _ => continue,
            };
            attrs.insert(k.to_string(), v);
        }
        out.push((parts, attrs));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn fields() -> LineFields {
        LineFields {
            class_field: "等级".into(),
            speed_field: Some("速度".into()),
            oneway_field: Some("单行".into()),
            ..LineFields::default()
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn geojson_lines_are_mapped_and_bad_values_named() {
        let dir = tempfile::tempdir().unwrap();
        let ok = write(
            dir.path(),
            "r.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"等级":"省道","速度":70,"单行":"否"},"geometry":{"type":"LineString","coordinates":[[100.7,22.0],[100.71,22.0]]}},
              {"type":"Feature","properties":{"等级":"村道","单行":"FT"},"geometry":{"type":"MultiLineString","coordinates":[[[100.71,22.0],[100.72,22.0]],[[100.72,22.0],[100.73,22.01]]]}}]}"#,
        );
        let lines = read(&ok, &fields(), &SpeedTable::default()).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            (lines[0].class, lines[0].direction, lines[0].speed_kmh),
            (RoadClass::Primary, Direction::Both, 70.0)
        );
        assert_eq!(lines[1].class, RoadClass::Unclassified);
        assert_eq!(lines[1].direction, Direction::Forward);
        assert_eq!(
            lines[1].speed_kmh,
            SpeedTable::default().class_speed_kmh(RoadClass::Unclassified)
        );

        let bad = write(
            dir.path(),
            "bad.geojson",
            r#"{"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"等级":"快速路"},"geometry":{"type":"LineString","coordinates":[[100.7,22.0],[100.71,22.0]]}},
              {"type":"Feature","properties":{"等级":"快速路"},"geometry":{"type":"LineString","coordinates":[[100.7,22.0],[100.71,22.0]]}}]}"#,
        );
        let e = read(&bad, &fields(), &SpeedTable::default()).unwrap_err().to_string();
        assert!(e.contains("\"快速路\" (2)") && e.contains("--class-map"), "{e}");
        let mut mapped = fields();
        mapped.class_map.insert("快速路".into(), "trunk".into());
        assert_eq!(
            read(&bad, &mapped, &SpeedTable::default()).unwrap()[0].class,
            RoadClass::Trunk
        );
        mapped.class_map.insert("快速路".into(), "expressway".into());
        assert!(matches!(
            read(&bad, &mapped, &SpeedTable::default()),
            Err(RoadLinesError::BadClassMap { .. })
        ));

        let speed = write(
            dir.path(),
            "s.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"等级":"县道","速度":"900"},"geometry":{"type":"LineString","coordinates":[[100.7,22.0],[100.71,22.0]]}}]}"#,
        );
        let e = read(&speed, &fields(), &SpeedTable::default()).unwrap_err().to_string();
        assert!(e.contains("要素 0") && e.contains("900"), "{e}");
        let point = write(
            dir.path(),
            "p.geojson",
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"等级":"县道"},"geometry":{"type":"Point","coordinates":[100.7,22.0]}}]}"#,
        );
        assert!(matches!(
            read(&point, &fields(), &SpeedTable::default()),
            Err(RoadLinesError::NotLine { feature: 0, .. })
        ));
    }

    #[test]
    fn shapefile_lines_read_like_geojson_and_projected_data_is_refused() {
        use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
        let dir = tempfile::tempdir().unwrap();
        let shp = dir.path().join("roads.shp");
        let table = TableWriterBuilder::new()
            .add_character_field("等级".try_into().unwrap(), 20)
            .add_numeric_field("速度".try_into().unwrap(), 6, 1)
            .add_character_field("单行".try_into().unwrap(), 4);
        let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
        for (class, speed, one, pts) in [
            ("高速公路", Some(100.0), "TF", vec![(100.7, 22.0), (100.71, 22.0)]),
            ("乡道", None, "", vec![(100.71, 22.0), (100.72, 22.005), (100.73, 22.0)]),
        ] {
            let line = shapefile::Polyline::new(pts.into_iter().map(|(x, y)| shapefile::Point::new(x, y)).collect());
            let mut r = Record::default();
            r.insert("等级".into(), FieldValue::Character(Some(class.into())));
            r.insert("速度".into(), FieldValue::Numeric(speed));
            r.insert("单行".into(), FieldValue::Character(Some(one.into())));
            w.write_shape_and_record(&line, &r).unwrap();
        }
        drop(w);
        let lines = read(&shp, &fields(), &SpeedTable::default()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[0].class, lines[0].direction, lines[0].speed_kmh),
            (RoadClass::Motorway, Direction::Backward, 100.0)
        );
        assert_eq!(
            (lines[1].class, lines[1].direction),
            (RoadClass::Tertiary, Direction::Both)
        );
        assert_eq!(
            lines[1].points_lonlat,
            vec![[100.71, 22.0], [100.72, 22.005], [100.73, 22.0]]
        );
        write(
            dir.path(),
            "roads.prj",
            r#"PROJCS["CGCS2000_3_Degree_GK_CM_102E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]"#,
        );
        let e = read(&shp, &fields(), &SpeedTable::default()).unwrap_err().to_string();
        assert!(
            e.contains("CGCS2000_3_Degree_GK_CM_102E") && e.contains("投影坐标系"),
            "{e}"
        );
    }
}
