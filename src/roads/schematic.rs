//! Schematic road networks: when no real road geometry exists (Xishuangbanna today), a pack can
//! declare straight segments between towns of known position, each with its published length
//! and, where published, its travel time. Every time computed over such a network is an
//! estimate and is labelled so by the callers (see `RoutingSpec::schematic`).

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use super::graph::{Graph, GraphBuilder, deg_to_e7, hash64};
use super::profile::{Direction, RoadClass, SpeedTable, haversine_m};
use crate::geom::valid_lonlat;

/// A town of the schematic network.
#[derive(Debug, Clone, Deserialize)]
pub struct SchematicNode {
    /// Short id used by segments.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    #[serde(default)]
    pub name_en: String,
    /// Position, WGS-84.
    pub lonlat: [f64; 2],
    /// Where the position comes from.
    #[serde(default)]
    pub source: String,
}

/// A straight segment standing for a road of published length.
#[derive(Debug, Clone, Deserialize)]
pub struct SchematicSegment {
    /// Node id.
    pub from: String,
    /// Node id.
    pub to: String,
    /// Road name / number.
    pub road: String,
    /// OSM-style highway class, for the class speed and the drawing.
    pub class: String,
    /// Published length in km; `None` means "straight line × `detour`" (an estimate).
    #[serde(default)]
    pub km: Option<f64>,
    /// Factor on the straight line when `km` is unknown.
    #[serde(default = "default_detour")]
    pub detour: f64,
    /// Published travel time in minutes, if any (else the class speed).
    #[serde(default)]
    pub minutes: Option<f64>,
    /// Where the figures come from.
    #[serde(default)]
    pub source: String,
}

/// Longest segment, km (a schematic segment joins neighbouring towns).
pub const MAX_SEGMENT_KM: f64 = 1000.0;

/// Longest published travel time of a segment, minutes (one day).
pub const MAX_SEGMENT_MINUTES: f64 = 1440.0;

/// Largest detour factor on the straight line.
pub const MAX_DETOUR: f64 = 5.0;

/// Slowest speed a published length and time may give, km/h.
pub const MIN_SPEED_KMH: f64 = 1.0;

/// Fastest speed a published length and time may give, km/h (also the graph file's limit).
pub const MAX_SPEED_KMH: f64 = super::graph::MAX_EDGE_SPEED_KMH;

fn default_detour() -> f64 {
    1.4
}

/// A pack's schematic network file.
#[derive(Debug, Clone, Deserialize)]
pub struct SchematicSpec {
    /// Towns.
    pub nodes: Vec<SchematicNode>,
    /// Segments.
    pub segments: Vec<SchematicSegment>,
}

/// One built segment, for the legend and the detail pane.
#[derive(Debug, Clone)]
pub struct BuiltSegment {
    /// Road name.
    pub road: String,
    /// Length used, km.
    pub km: f64,
    /// Whether the length itself is an estimate (no published km).
    pub km_estimated: bool,
    /// Speed used, km/h.
    pub speed_kmh: f64,
}

/// Parse and build; errors name the file and the segment or node.
pub fn load(path: &Path) -> Result<(Graph, Vec<BuiltSegment>), String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let spec: SchematicSpec = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{name}: invalid schematic network at line {}, column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    build(&spec, hash64(text.as_bytes())).map_err(|e| format!("{name}: {e}"))
}

/// Build the graph of a parsed spec.
pub fn build(spec: &SchematicSpec, source_hash: u64) -> Result<(Graph, Vec<BuiltSegment>), String> {
    let speeds = SpeedTable::default();
    let mut b = GraphBuilder::new();
    let mut ids = HashMap::new();
    for (i, n) in spec.nodes.iter().enumerate() {
        if !valid_lonlat(n.lonlat[0], n.lonlat[1]) {
            return Err(format!("node {i} ({}): {:?} is outside WGS-84 ranges", n.id, n.lonlat));
        }
        if ids
            .insert(n.id.clone(), (b.add_node(deg_to_e7(n.lonlat), None), n.lonlat))
            .is_some()
        {
            return Err(format!("node {i}: id \"{}\" appears twice", n.id));
        }
    }
    let mut built = Vec::new();
    for (i, s) in spec.segments.iter().enumerate() {
        let end = |id: &str| {
            ids.get(id)
                .copied()
                .ok_or_else(|| format!("segment {i} ({}): unknown node \"{id}\"", s.road))
        };
        let ((a, pa), (c, pc)) = (end(&s.from)?, end(&s.to)?);
        let class = RoadClass::from_highway(&s.class)
            .ok_or_else(|| format!("segment {i} ({}): unknown class \"{}\"", s.road, s.class))?;
        let seg = |msg: String| format!("segment {i} ({}): {msg}", s.road);
        let (km, km_estimated) = match s.km {
            Some(km) if km.is_finite() && km > 0.0 && km <= MAX_SEGMENT_KM => (km, false),
            Some(km) => {
                return Err(seg(format!(
                    "km 须大于 0、不超过 {MAX_SEGMENT_KM} / km must be above 0 and at most {MAX_SEGMENT_KM}, not {km}"
                )));
            }
            None if s.detour.is_finite() && (1.0..=MAX_DETOUR).contains(&s.detour) => {
                (haversine_m(pa, pc) / 1000.0 * s.detour, true)
            }
            None => {
                return Err(seg(format!(
                    "detour 须在 1 到 {MAX_DETOUR} 之间 / detour must be 1 to {MAX_DETOUR}, not {}",
                    s.detour
                )));
            }
        };
        let speed_kmh = match s.minutes {
            Some(m) if m.is_finite() && m > 0.0 && m <= MAX_SEGMENT_MINUTES => km / (m / 60.0),
            Some(m) => {
                return Err(seg(format!(
                    "minutes 须大于 0、不超过 {MAX_SEGMENT_MINUTES} / minutes must be above 0 and at most {MAX_SEGMENT_MINUTES}, not {m}"
                )));
            }
            None => speeds.speed_kmh(class, None),
        };
        if !(MIN_SPEED_KMH..=MAX_SPEED_KMH).contains(&speed_kmh) {
            return Err(seg(format!(
                "km {km} 与 minutes 给出 {speed_kmh:.1} km/h，不在 {MIN_SPEED_KMH}–{MAX_SPEED_KMH} km/h 之内 / km and minutes give {speed_kmh:.1} km/h, outside {MIN_SPEED_KMH}–{MAX_SPEED_KMH} km/h"
            )));
        }
        b.add_piece_with_length(
            a,
            c,
            &[deg_to_e7(pa), deg_to_e7(pc)],
            class,
            Direction::Both,
            speed_kmh,
            km * 1000.0,
        );
        built.push(BuiltSegment {
            road: s.road.clone(),
            km,
            km_estimated,
            speed_kmh,
        });
    }
    let g = b.build(source_hash).map_err(|e| e.to_string())?;
    Ok((g, built))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> SchematicSpec {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn published_length_and_time_are_used() {
        let s = spec(
            r#"{"nodes":[{"id":"a","name_zh":"甲","lonlat":[100.0,22.0]},{"id":"b","name_zh":"乙","lonlat":[100.5,22.0]}],
                "segments":[{"from":"a","to":"b","road":"X","class":"motorway","km":54.2,"minutes":30}]}"#,
        );
        let (g, built) = build(&s, 1).unwrap();
        assert_eq!(g.edge_count(), 2, "two-way");
        assert!((g.edge_dist_m(0) - 54_200.0).abs() < 0.01);
        assert_eq!(g.edge_time_ms(0), 1_800_000);
        assert!(!built[0].km_estimated);
    }

    #[test]
    fn unknown_length_is_straight_line_times_detour() {
        let s = spec(
            r#"{"nodes":[{"id":"a","name_zh":"甲","lonlat":[100.0,22.0]},{"id":"b","name_zh":"乙","lonlat":[100.0,22.1]}],
                "segments":[{"from":"a","to":"b","road":"G213","class":"primary"}]}"#,
        );
        let (g, built) = build(&s, 1).unwrap();
        let straight = haversine_m([100.0, 22.0], [100.0, 22.1]);
        assert!((g.edge_dist_m(0) - straight * 1.4).abs() < 0.02);
        assert!(built[0].km_estimated);
    }

    #[test]
    fn errors_name_the_segment() {
        let s = spec(
            r#"{"nodes":[{"id":"a","name_zh":"甲","lonlat":[100.0,22.0]}],
                "segments":[{"from":"a","to":"zz","road":"G213","class":"primary","km":3}]}"#,
        );
        assert!(
            build(&s, 1)
                .unwrap_err()
                .contains("segment 0 (G213): unknown node \"zz\"")
        );
        let s = spec(
            r#"{"nodes":[{"id":"a","name_zh":"甲","lonlat":[100.0,22.0]},{"id":"b","name_zh":"乙","lonlat":[100.5,22.0]}],
                "segments":[{"from":"a","to":"b","road":"X","class":"footway","km":3}]}"#,
        );
        assert!(build(&s, 1).unwrap_err().contains("unknown class \"footway\""));
    }

    #[test]
    fn out_of_range_figures_are_refused_naming_the_field() {
        let with = |extra: &str| {
            spec(&format!(
                r#"{{"nodes":[{{"id":"a","name_zh":"甲","lonlat":[100.0,22.0]}},{{"id":"b","name_zh":"乙","lonlat":[100.5,22.0]}}],
                    "segments":[{{"from":"a","to":"b","road":"X","class":"primary"{extra}}}]}}"#
            ))
        };
        for (extra, needle) in [
            (r#","km":55,"minutes":1e-9"#, "km and minutes give"),
            (r#","km":1e12"#, "km must be above 0 and at most 1000"),
            (r#","km":0"#, "km must be above 0"),
            (r#","km":-3"#, "km must be above 0"),
            (r#","km":55,"minutes":0"#, "minutes must be above 0"),
            (r#","km":55,"minutes":1e300"#, "at most 1440"),
            (r#","km":1,"minutes":1400"#, "outside 1–"),
            (r#","detour":0.2"#, "detour must be 1 to 5"),
        ] {
            let e = build(&with(extra), 1).unwrap_err();
            assert!(e.contains("segment 0 (X)") && e.contains(needle), "{extra}: {e}");
        }
        assert!(build(&with(r#","km":55,"minutes":40"#), 1).is_ok());
    }
}
