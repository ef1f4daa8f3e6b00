//! Earthquake catalogues: the USGS GeoJSON summary format (FeatureCollection or one Feature;
//! `mag`, `place`, `time`/`updated` ms UTC, `ids`, `status` incl. `deleted`, depth from the
//! geometry) and the China Earthquake Networks Center catalogue JSON in both shapes seen in the
//! wild: the older `{"shuju":[{"O_TIME","EPI_LAT","EPI_LON","EPI_DEPTH","M","LOCATION_C",…}]}`
//! (often wrapped in JSONP parentheses) and the newer `{"code","data":[{"uniEventId","oriTime",
//! "epiLon","epiLat","focDepth","magnitude","locName",…}]}`. CENC times are Beijing time (UTC+8).
//! Automatic solutions (USGS `automatic`, CENC `AUTO_FLAG` = `A` or an info type naming 自动测定)
//! are marked provisional. Pure; must not import egui, tokio or rusqlite.

use serde_json::Value;

use super::error::AlertReadError;
use crate::local_time::parse_beijing_time;
use crate::model::alert::{AlertFormat, QuakeRecord};
use crate::model::lonlat::LonLat;

/// Strip a JSONP wrapper `callback( … )` / `( … );` around a JSON document.
pub fn strip_jsonp(text: &str) -> &str {
    let t = text.trim().trim_end_matches(';').trim_end();
    if t.starts_with('{') || t.starts_with('[') {
        return t;
    }
    match (t.find('('), t.ends_with(')')) {
        (Some(open), true) if t[..open].chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') => {
            &t[open + 1..t.len() - 1]
        }
        _ => t,
    }
}

/// Which catalogue shape a parsed JSON document is, if any.
pub fn quake_format(v: &Value) -> Option<AlertFormat> {
    let is_usgs_feature = |f: &Value| f.get("properties").is_some_and(|p| p.get("mag").is_some());
    match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => return Some(AlertFormat::Usgs),
        Some("Feature") if is_usgs_feature(v) => return Some(AlertFormat::Usgs),
        _ => {}
    }
    if v.get("shuju").is_some() {
        return Some(AlertFormat::Cenc);
    }
    let data = v.get("data").or_else(|| v.get("Data"))?;
    let first = match data {
        Value::Array(a) => a.first(),
        o @ Value::Object(_) => Some(o),
        _ => None,
    };
    match first {
        Some(r) if r.get("epiLat").is_some() || r.get("uniEventId").is_some() => Some(AlertFormat::Cenc),
        None if data.is_array() => Some(AlertFormat::Cenc),
        _ => None,
    }
}

fn rec_err(file: &str, record: String, msg: impl Into<String>) -> AlertReadError {
    AlertReadError::Record {
        file: file.to_owned(),
        record,
        msg: msg.into(),
    }
}

/// A number given as a JSON number or as a numeric string.
fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn lonlat(file: &str, record: &str, lon: Option<f64>, lat: Option<f64>) -> Result<LonLat, AlertReadError> {
    match (lon, lat) {
        (Some(lon), Some(lat)) => {
            LonLat::from_deg(lon, lat).map_err(|e| rec_err(file, record.to_owned(), e.to_string()))
        }
        _ => Err(rec_err(
            file,
            record.to_owned(),
            "epicentre longitude/latitude missing or not numbers",
        )),
    }
}

/// Read a USGS GeoJSON summary document (FeatureCollection or a single Feature).
pub fn read_usgs(v: &Value, file: &str) -> Result<Vec<QuakeRecord>, AlertReadError> {
    let features: Vec<&Value> = match v.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => v
            .get("features")
            .and_then(Value::as_array)
            .ok_or_else(|| rec_err(file, "features".into(), "missing or not an array"))?
            .iter()
            .collect(),
        _ => vec![v],
    };
    features
        .into_iter()
        .enumerate()
        .map(|(i, f)| {
            let at = |k: &str| format!("features[{i}].{k}");
            let p = f
                .get("properties")
                .ok_or_else(|| rec_err(file, at("properties"), "missing"))?;
            let id = text(f.get("id"));
            if id.is_empty() {
                return Err(rec_err(file, at("id"), "missing"));
            }
            let coords = f
                .get("geometry")
                .and_then(|g| g.get("coordinates"))
                .and_then(Value::as_array)
                .ok_or_else(|| rec_err(file, at("geometry.coordinates"), "missing"))?;
            let status = text(p.get("status"));
            let mut ids: Vec<String> = text(p.get("ids"))
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            if !ids.contains(&id) {
                ids.insert(0, id.clone());
            }
            let deleted = status == "deleted";
            let magnitude = match num(p.get("mag")) {
                Some(m) => m,
                None if deleted => 0.0,
                None => return Err(rec_err(file, at("properties.mag"), "missing or not a number")),
            };
            let time_ms = num(p.get("time"))
                .ok_or_else(|| rec_err(file, at("properties.time"), "missing or not ms since the epoch"))?
                as i64;
            Ok(QuakeRecord {
                lonlat: lonlat(
                    file,
                    &at("geometry.coordinates"),
                    num(coords.first()),
                    num(coords.get(1)),
                )?,
                depth_km: num(coords.get(2)),
                id,
                ids,
                source: AlertFormat::Usgs,
                magnitude,
                time_ms,
                updated_ms: num(p.get("updated")).map(|u| u as i64),
                place: text(p.get("place")),
                provisional: status == "automatic",
                status,
            })
        })
        .collect()
}

/// Read a CENC catalogue response, either shape.
pub fn read_cenc(v: &Value, file: &str) -> Result<Vec<QuakeRecord>, AlertReadError> {
    if let Some(rows) = v.get("shuju") {
        let rows = rows
            .as_array()
            .ok_or_else(|| rec_err(file, "shuju".into(), "not an array"))?;
        return rows
            .iter()
            .enumerate()
            .map(|(i, r)| read_cenc_old(r, i, file))
            .collect();
    }
    let data = v
        .get("data")
        .or_else(|| v.get("Data"))
        .ok_or_else(|| rec_err(file, "data".into(), "missing"))?;
    match data {
        Value::Array(rows) => rows
            .iter()
            .enumerate()
            .map(|(i, r)| read_cenc_new(r, i, file))
            .collect(),
        Value::Object(_) => Ok(vec![read_cenc_new(data, 0, file)?]),
        _ => Err(rec_err(file, "data".into(), "not an array or object")),
    }
}

fn read_cenc_old(r: &Value, i: usize, file: &str) -> Result<QuakeRecord, AlertReadError> {
    let at = |k: &str| format!("shuju[{i}].{k}");
    let cata = text(r.get("CATA_ID"));
    let did = text(r.get("NEW_DID"));
    let row_id = text(r.get("id"));
    let id = [&did, &cata, &row_id]
        .into_iter()
        .find(|s| !s.is_empty())
        .cloned()
        .ok_or_else(|| rec_err(file, at("CATA_ID"), "no NEW_DID, CATA_ID or id"))?;
    let mut ids: Vec<String> = Vec::new();
    for s in [&did, &cata] {
        if !s.is_empty() && !ids.contains(s) {
            ids.push(s.clone());
        }
    }
    if !ids.contains(&id) {
        ids.push(id.clone());
    }
    let o_time = text(r.get("O_TIME"));
    let time_ms = parse_beijing_time(&o_time).ok_or_else(|| {
        rec_err(
            file,
            at("O_TIME"),
            format!("\"{o_time}\" is not YYYY-MM-DD hh:mm:ss (Beijing time)"),
        )
    })?;
    let auto = text(r.get("AUTO_FLAG"));
    let deleted = !text(r.get("IS_DEL")).is_empty() && text(r.get("IS_DEL")) != "0";
    Ok(QuakeRecord {
        lonlat: lonlat(
            file,
            &at("EPI_LON/EPI_LAT"),
            num(r.get("EPI_LON")),
            num(r.get("EPI_LAT")),
        )?,
        depth_km: num(r.get("EPI_DEPTH")),
        magnitude: num(r.get("M")).ok_or_else(|| rec_err(file, at("M"), "missing or not a number"))?,
        id,
        ids,
        source: AlertFormat::Cenc,
        time_ms,
        updated_ms: parse_beijing_time(&text(r.get("SAVE_TIME"))),
        place: text(r.get("LOCATION_C")),
        provisional: auto.eq_ignore_ascii_case("A"),
        status: if deleted { "deleted".into() } else { auto },
    })
}

fn read_cenc_new(r: &Value, i: usize, file: &str) -> Result<QuakeRecord, AlertReadError> {
    let at = |k: &str| format!("data[{i}].{k}");
    let uni = text(r.get("uniEventId"));
    let row_id = text(r.get("id"));
    let id = if uni.is_empty() { row_id.clone() } else { uni.clone() };
    if id.is_empty() {
        return Err(rec_err(file, at("uniEventId"), "no uniEventId or id"));
    }
    let ids = vec![id.clone()];
    let ori = text(r.get("oriTime"));
    let time_ms = parse_beijing_time(&ori).ok_or_else(|| {
        rec_err(
            file,
            at("oriTime"),
            format!("\"{ori}\" is not YYYY-MM-DD hh:mm:ss (Beijing time)"),
        )
    })?;
    let info_type = text(r.get("infoTypeName"));
    let deleted = num(r.get("isDeleted")).is_some_and(|d| d != 0.0);
    let updated = text(r.get("gmtUpdate"));
    let created = text(r.get("gmtCreate"));
    Ok(QuakeRecord {
        lonlat: lonlat(file, &at("epiLon/epiLat"), num(r.get("epiLon")), num(r.get("epiLat")))?,
        depth_km: num(r.get("focDepth")).or_else(|| num(r.get("depth"))),
        magnitude: num(r.get("magnitude")).ok_or_else(|| rec_err(file, at("magnitude"), "missing or not a number"))?,
        id,
        ids,
        source: AlertFormat::Cenc,
        time_ms,
        updated_ms: parse_beijing_time(&updated).or_else(|| parse_beijing_time(&created)),
        place: text(r.get("locName")),
        provisional: info_type.contains("自动"),
        status: if deleted {
            "deleted".into()
        } else if info_type.is_empty() {
            text(r.get("eqType"))
        } else {
            info_type
        },
    })
}
