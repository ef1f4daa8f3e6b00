//! Road subcommands: `mappack build` (OSM extract → pack with a routing graph), `route` and
//! `isochrone`. Bad input exits 1 with one line; an unreachable destination exits 5 with JSON.

use std::path::Path;

use serde_json::json;

use super::CliError;
use crate::geom::{BBox, parse_lonlat};
use crate::mappack::{LayerKind, MapPack, parse_feature_collection};
use crate::roads::graph::{GraphBuilder, hash64};
use crate::roads::osm::{ImportOptions, ImportStats, import_pbf_builder};
use crate::roads::profile::SpeedTable;
use crate::roads::router::{RoadsError, Router, RoutingSpec};
use crate::roads::search::{Metric, RouteError};
use crate::roads::skeleton;

pub use super::EXIT_UNREACHABLE;

/// The pack's router, or a clear error when the pack has no road layer.
pub fn router(pack: &MapPack) -> Result<Router, CliError> {
    let (graph, spec) = router_parts(pack)?;
    Ok(Router::with_spec(graph, spec))
}

/// The pack's road graph and routing spec, or a clear error when it has no roads layer.
pub fn router_parts(pack: &MapPack) -> Result<(std::sync::Arc<crate::roads::graph::Graph>, RoutingSpec), CliError> {
    pack.roads().ok_or_else(|| {
        CliError::input(format!(
            "pack \"{}\" has no roads layer; build one with `onemap mappack build --osm FILE.osm.pbf --out DIR`",
            pack.manifest.name
        ))
    })
}

fn point(text: &str, what: &str) -> Result<[f64; 2], CliError> {
    parse_lonlat(text).map_err(|e| CliError::input(format!("{what}: {e}")))
}

fn snap_error(e: RoadsError) -> CliError {
    CliError::input(e.to_string())
}

/// `onemap route`: JSON or a human summary.
pub fn route(pack: &MapPack, from: &str, to: &str, metric: &str, json: bool) -> Result<String, CliError> {
    let (a, b) = (point(from, "--from")?, point(to, "--to")?);
    let mut r = router(pack)?;
    r.params.metric = match metric {
        "time" => Metric::Time,
        "distance" => Metric::Distance,
        other => {
            return Err(CliError::input(format!(
                "--metric 只能是 time 或 distance，收到 “{other}” / --metric must be time or distance, not \"{other}\""
            )));
        }
    };
    let sa = r.snap(a).map_err(snap_error)?;
    let sb = r.snap(b).map_err(snap_error)?;
    let route = match r.route_snapped(&sa, &sb) {
        Ok(route) => route,
        Err(RoadsError::Route(e @ RouteError::Unreachable { .. })) => {
            let body = json!({"error": "unreachable", "message": e.to_string(), "from": a, "to": b});
            return Err(CliError {
                code: EXIT_UNREACHABLE,
                message: body.to_string(),
            });
        }
        Err(e) => return Err(CliError::input(e.to_string())),
    };
    let estimate = r.route_is_estimate(&route);
    let share = r.estimated_share(&route);
    let mut geometry = vec![a];
    geometry.extend(route.geometry_lonlat.iter().copied());
    geometry.push(b);
    let v = json!({
        "distance_m": round1(route.dist_m + route.offroad_dist_m),
        "duration_s": round1(route.eta_s),
        "road_distance_m": round1(route.dist_m),
        "road_duration_s": round1(route.road_time_s),
        "offroad_s": round1(route.offroad_s),
        "snap_from_m": round1(sa.snap_dist_m),
        "snap_to_m": round1(sb.snap_dist_m),
        "estimate": estimate,
        // Share of the road length on estimated (schematic or calibrated skeleton) pieces.
        "estimated_share": (share * 1000.0).round() / 1000.0,
        "schematic": r.spec.schematic,
        "geometry": geometry,
    });
    if json {
        return Ok(v.to_string());
    }
    let approx = if estimate { "≈ " } else { "" };
    let (km, road_km, off_m) = (
        (route.dist_m + route.offroad_dist_m) / 1000.0,
        route.dist_m / 1000.0,
        route.offroad_dist_m,
    );
    let (speed, detour) = (r.params.offroad_speed_kmh, r.params.offroad_detour);
    let (note_zh, note_en) = if !estimate {
        (String::new(), String::new())
    } else if share > 0.0 && share < 1.0 {
        let pct = share * 100.0;
        (
            format!("  ［估算：道路长度的 {pct:.0}% 在校准骨架路段上］"),
            format!("  [estimate: {pct:.0} % of the road length on calibrated skeleton pieces]"),
        )
    } else {
        ("  ［估算］".to_string(), "  [estimate]".to_string())
    };
    // Chinese first, English second, like every other text output of the CLI.
    Ok(format!(
        "{approx}{}，{km:.1} 公里（道路 {road_km:.1} 公里；离路段 {off_m:.0} 米，按 {speed} 公里/小时 ×{detour}）{note_zh}\n\
         {approx}{}, {km:.1} km (road {road_km:.1} km; off-road legs {off_m:.0} m at {speed} km/h ×{detour}){note_en}",
        duration_zh(route.eta_s),
        duration_en(route.eta_s),
    ))
}

/// A travel time as officers read it: minutes with a tenth under an hour, else `1 小时 42 分`.
fn duration_zh(s: f64) -> String {
    if s < 3600.0 {
        format!("{:.1} 分钟", s / 60.0)
    } else {
        crate::dispatch::fmt_duration_zh(s)
    }
}

/// A travel time: minutes with a tenth under an hour, else `1 h 42 min`.
fn duration_en(s: f64) -> String {
    if s < 3600.0 {
        format!("{:.1} min", s / 60.0)
    } else {
        crate::dispatch::fmt_duration_en(s)
    }
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// `onemap isochrone`: GeoJSON polygons per contour (JSON) or a summary.
pub fn isochrone(pack: &MapPack, at: &str, minutes: &str, json: bool) -> Result<String, CliError> {
    let p = point(at, "--at")?;
    let mins: Vec<f64> = minutes
        .split(',')
        .map(|m| m.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            CliError::input(format!(
                "--minutes 须为数字，如 5,10,15，收到 “{minutes}” / --minutes must be numbers like 5,10,15, not \"{minutes}\""
            ))
        })?;
    if mins.is_empty() || mins.iter().any(|m| !(m.is_finite() && *m > 0.0 && *m <= 24.0 * 60.0)) {
        return Err(CliError::input(
            "--minutes 须大于 0 且不超过 1440 / --minutes must be positive and at most 1440",
        ));
    }
    let max = crate::roads::isochrone::MAX_CONTOURS;
    if mins.len() > max {
        return Err(CliError::input(format!(
            "--minutes 最多 {max} 条等时线，收到 {} 条 / --minutes takes at most {max} contours, not {}",
            mins.len(),
            mins.len()
        )));
    }
    let mut r = router(pack)?;
    let mut gj = r.isochrone_geojson(p, &mins).map_err(snap_error)?;
    let estimate = r.spec.schematic;
    if let Some(features) = gj.get_mut("features").and_then(|f| f.as_array_mut()) {
        for f in features {
            f["properties"]["estimate"] = json!(estimate);
        }
    }
    if json {
        return Ok(gj.to_string());
    }
    let n = gj["features"].as_array().map_or(0, |f| f.len());
    Ok(format!(
        "自 {lon:.6},{lat:.6} 起 {n} 条等时线（{minutes} 分钟）；GeoJSON 请加 --json\n\
         {n} contours ({minutes} min) from {lon:.6},{lat:.6}; use --json for GeoJSON",
        lon = p[0],
        lat = p[1]
    ))
}

/// Where a pack's roads come from.
pub enum RoadInput<'a> {
    /// An OpenStreetMap `.osm.pbf` extract.
    Osm(&'a Path),
    /// A centre's own road lines (GeoJSON or Shapefile) and how to read their attributes.
    Lines {
        /// The file.
        file: &'a Path,
        /// Attribute fields.
        fields: crate::mappack::road_lines::LineFields,
        /// A pack whose real roads tell whether the lines are GCJ-02-shifted (default: --base).
        reference: Option<&'a Path>,
    },
}

impl RoadInput<'_> {
    fn path(&self) -> &Path {
        match self {
            RoadInput::Osm(p) | RoadInput::Lines { file: p, .. } => p,
        }
    }
}

/// What `onemap mappack build` was asked to do.
pub struct BuildArgs<'a> {
    /// The road data.
    pub input: RoadInput<'a>,
    /// Keep roads inside this (Multi)Polygon GeoJSON.
    pub boundary: Option<&'a Path>,
    /// A skeleton network and its calibration file, joined to the extract's roads.
    pub skeleton: Option<(&'a Path, &'a Path)>,
    /// Assumed speed on skeleton edges, km/h.
    pub skeleton_speed_kmh: f64,
    /// Pack name.
    pub name: Option<&'a str>,
    /// zh, en titles.
    pub titles: [Option<&'a str>; 2],
    /// An existing pack whose layers to keep (its roads layer is replaced); its first
    /// boundaries layer is the default boundary.
    pub base: Option<&'a Path>,
    /// Output folder.
    pub out: &'a Path,
}

/// `onemap mappack build`: import, write `roads.graph`, `manifest.json` and `README.md`.
pub fn mappack_build(args: &BuildArgs) -> Result<String, CliError> {
    let BuildArgs {
        ref input,
        boundary,
        skeleton,
        skeleton_speed_kmh,
        name,
        titles,
        base,
        out,
    } = *args;
    let osm = input.path();
    let base_pack = match base {
        Some(b) => Some(MapPack::load(b).map_err(|e| CliError::input(format!("--base: {e}")))?),
        None => None,
    };
    let base_boundary = base_pack.as_ref().and_then(|p| {
        p.layers
            .iter()
            .find(|l| l.kind == LayerKind::Boundaries)
            .map(|l| p.dir.join(&l.spec.file))
    });
    let boundary_file = boundary.map(Path::to_path_buf).or(base_boundary);
    let polygon = match &boundary_file {
        Some(b) => Some(load_boundary(b)?),
        None => None,
    };
    let inside = |lon: f64, lat: f64| {
        use geo::Contains;
        polygon.as_ref().is_none_or(|p| p.contains(&geo::Point::new(lon, lat)))
    };
    let opts = ImportOptions {
        boundary: polygon.as_ref().map(|_| &inside as &dyn Fn(f64, f64) -> bool),
        ..Default::default()
    };
    let t0 = std::time::Instant::now();
    let read = |p: &Path| std::fs::read(p).map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())));
    let mut hashed = read(osm)?;
    let mut shift = None;
    let (mut builder, mut stats) = match input {
        RoadInput::Osm(_) => import_pbf_builder(&hashed, &opts).map_err(|e| CliError::input(e.to_string()))?,
        RoadInput::Lines {
            file,
            fields,
            reference,
        } => {
            let lines = crate::mappack::road_lines::read(file, fields, &SpeedTable::default())
                .map_err(|e| CliError::input(e.to_string()))?;
            let reference = match reference {
                Some(r) => Some(MapPack::load(r).map_err(|e| CliError::input(format!("--reference: {e}")))?),
                None => None,
            };
            if let Some((g, spec)) = reference.as_ref().or(base_pack.as_ref()).and_then(|p| p.roads())
                && !spec.schematic
            {
                shift = crate::roads::lines::gcj02_check(&lines, &g);
            }
            if shift.as_ref().is_some_and(|c| c.looks_gcj02) {
                eprintln!(
                    "警告：{} 看起来是 GCJ-02（火星坐标）偏移数据，应先转换为 WGS-84 / warning: {} looks GCJ-02-shifted (Chinese web-map offset); convert it to WGS-84 first",
                    file.display(),
                    file.display()
                );
            }
            let (b, ls) = crate::roads::lines::build(&lines, opts.boundary)
                .map_err(|e| CliError::input(format!("{}: {e}", file.display())))?;
            let st = ImportStats {
                ways_total: ls.lines,
                road_ways: ls.lines,
                nodes_referenced: ls.vertices,
                nodes_outside: ls.vertices_outside,
                pieces: ls.pieces,
                ..ImportStats::default()
            };
            (b, st)
        }
    };
    let skel = match skeleton {
        None => None,
        Some((file, calibration)) => {
            let (rep, bytes) = join_skeleton(&mut builder, file, calibration, skeleton_speed_kmh, &inside)?;
            hashed.extend_from_slice(&bytes);
            Some(rep)
        }
    };
    let graph = builder
        .build(hash64(&hashed))
        .map_err(|e| CliError::input(e.to_string()))?;
    stats.graph_nodes = graph.node_count();
    stats.edges = graph.edge_count();
    stats.pieces = graph.piece_count();
    stats.import_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let name = name
        .map(str::to_string)
        .or(base_pack.as_ref().map(|p| format!("{}-osm", p.manifest.name)))
        .unwrap_or_else(|| {
            let stem = osm.file_name().and_then(|s| s.to_str()).unwrap_or("pack");
            stem.split('.').next().unwrap_or(stem).to_string()
        });
    std::fs::create_dir_all(out).map_err(|e| CliError::input(format!("cannot create {}: {e}", out.display())))?;
    let write = |file: &str, bytes: &[u8]| {
        std::fs::write(out.join(file), bytes)
            .map_err(|e| CliError::input(format!("cannot write {}: {e}", out.join(file).display())))
    };
    write("roads.graph", &graph.to_bytes())?;
    let file_name = |p: &Path| p.file_name().and_then(|s| s.to_str()).unwrap_or_default().to_string();
    let mut roads_layer = json!({"name": "roads", "kind": LayerKind::Roads.as_str(), "file": "roads.graph",
        "title": {"zh": "道路（OSM）", "en": "Roads (OSM)"}, "licence": "© OpenStreetMap contributors, ODbL 1.0",
        "routing": RoutingSpec::default()});
    let osm_line = "© OpenStreetMap contributors (ODbL 1.0)";
    let mut source = json!({"osm": osm.file_name().and_then(|s| s.to_str()),
        "source_hash": format!("{:016x}", graph.source_hash()), "import": stats});
    let real_licence = match input {
        RoadInput::Osm(_) => "© OpenStreetMap contributors, ODbL 1.0",
        RoadInput::Lines { .. } => "the centre's own road data (see its supplier's terms)",
    };
    if let RoadInput::Lines { .. } = input {
        roads_layer["title"] = json!({"zh": "道路（本单位数据）", "en": "Roads (own data)"});
        roads_layer["licence"] = json!(real_licence);
        source = json!({"roads": file_name(osm), "source_hash": format!("{:016x}", graph.source_hash()),
            "import": stats, "gcj02_check": shift});
    }
    let mut extra_layers = Vec::new();
    if let (Some(rep), Some((file, _))) = (&skel, skeleton) {
        // Off the network a leg stands for roads the skeleton does not model: straight × 1.4 at
        // 30 km/h like the schematic network, up to 45 km (勐龙镇, 40 km from the nearest
        // skeleton node, must stay reachable); longer than 300 m it is an estimate.
        roads_layer["routing"] = json!(RoutingSpec {
            offroad_speed_kmh: 30.0,
            offroad_detour: 1.4,
            max_snap_km: 45.0,
            ..RoutingSpec::default()
        });
        roads_layer["title"] = json!({"zh": "道路（OSM 实测 + 标定骨架·示意）",
            "en": "Roads (real OSM + calibrated skeleton, schematic)"});
        roads_layer["sources"] = json!([
            {"name": file_name(osm), "kind": "real_osm", "licence": real_licence},
            {"name": file_name(file), "kind": "calibrated_skeleton", "licence": SKELETON_LICENCE,
             "detour": (rep.calibration.detour * 1000.0).round() / 1000.0},
        ]);
        source["skeleton"] = json!({"file": file_name(file), "calibration": rep.calibration, "join": rep.join});
        if !rep.rails.rails.is_empty() {
            let rails = skeleton::rails_geojson(&rep.rails, "铁路（示意）", "Railway (schematic)", SKELETON_LICENCE);
            write("railway.geojson", rails.to_string().as_bytes())?;
            extra_layers.push(json!({"name": "railway", "kind": LayerKind::Railway.as_str(), "file": "railway.geojson",
                "title": {"zh": "铁路（骨架·示意）", "en": "Railway (skeleton, schematic)"}, "licence": SKELETON_LICENCE}));
        }
    }
    let manifest = if let Some(bp) = &base_pack {
        // Keep every layer of the base pack, copy its files, swap in the real roads.
        let same = std::fs::canonicalize(&bp.dir).ok() == std::fs::canonicalize(out).ok();
        if !same {
            let entries = std::fs::read_dir(&bp.dir).map_err(|e| CliError::input(format!("--base: {e}")))?;
            for entry in entries.flatten() {
                let file = entry.file_name();
                let file = file.to_string_lossy();
                if entry.path().is_file() && file != "manifest.json" && file != "roads.graph" {
                    std::fs::copy(entry.path(), out.join(&*file))
                        .map_err(|e| CliError::input(format!("cannot copy {file}: {e}")))?;
                } else if entry.path().is_dir() {
                    // demo/ (master data) and drills/ (scenarios) belong to the pack too.
                    copy_dir(&entry.path(), &out.join(&*file))?;
                }
            }
        }
        let mut m = serde_json::to_value(&bp.manifest).map_err(|e| CliError::input(e.to_string()))?;
        let mut layers: Vec<serde_json::Value> = bp
            .manifest
            .layers
            .iter()
            .filter(|l| l.kind != LayerKind::Roads.as_str())
            .filter_map(|l| serde_json::to_value(l).ok())
            .collect();
        let at = bp
            .manifest
            .layers
            .iter()
            .position(|l| l.kind == LayerKind::Roads.as_str())
            .unwrap_or(layers.len());
        let at = at.min(layers.len());
        layers.splice(at..at, std::iter::once(roads_layer).chain(extra_layers));
        m["layers"] = json!(layers);
        m["name"] = json!(name);
        if let Some(t) = titles[0] {
            m["title"]["zh"] = json!(t);
        }
        if let Some(t) = titles[1] {
            m["title"]["en"] = json!(t);
        }
        if let Some(a) = m["attribution"].as_array_mut() {
            a.insert(0, json!(osm_line));
        }
        m["source"] = source;
        m
    } else {
        let mut layers = Vec::new();
        if let Some(b) = &boundary_file {
            let text = std::fs::read(b).map_err(|e| CliError::input(format!("cannot read {}: {e}", b.display())))?;
            write("boundary.geojson", &text)?;
            layers.push(
                json!({"name": "boundary", "kind": "boundaries", "file": "boundary.geojson",
                "title": {"zh": "边界", "en": "Boundary"}}),
            );
        }
        layers.push(roads_layer);
        layers.extend(extra_layers);
        json!({
            "format_version": crate::mappack::FORMAT_VERSION,
            "name": name,
            "title": {"zh": titles[0].unwrap_or(&name), "en": titles[1].unwrap_or(&name)},
            "bbox": BBox(graph.bbox_lonlat()).0,
            "attribution": [osm_line],
            "layers": layers,
            "source": source,
        })
    };
    let text = serde_json::to_string_pretty(&manifest).map_err(|e| CliError::input(e.to_string()))?;
    write("manifest.json", text.as_bytes())?;
    write(
        if base_pack.is_some() {
            "ROADS_README.md"
        } else {
            "README.md"
        },
        (readme(&name, osm, &stats, graph.scc().island_count)
            + &skel.as_ref().map(skeleton_readme).unwrap_or_default())
            .as_bytes(),
    )?;
    // Prove the pack loads before saying it is done.
    MapPack::load(out).map_err(|e| CliError::input(format!("the written pack does not load: {e}")))?;
    let skeleton_json = skel
        .as_ref()
        .map(|r| json!({"calibration": r.calibration, "join": r.join}));
    Ok(serde_json::to_string_pretty(
        &json!({"out": out, "stats": stats, "skeleton": skeleton_json, "gcj02_check": shift}),
    )
    .unwrap_or_default())
}

/// Licence line of the skeleton network of the Xishuangbanna reference data.
const SKELETON_LICENCE: &str =
    "derived from OpenStreetMap (ODbL 1.0) via routrs_highways_dataset / routrs_railways_dataset 0.1.0 (MIT)";

/// What joining a skeleton did (for the manifest, the README and the command's output).
struct SkeletonBuild {
    calibration: skeleton::Calibration,
    join: skeleton::JoinStats,
    /// The clipped skeleton (its railways become a layer).
    rails: skeleton::Skeleton,
    /// How it was joined (speed, join distance).
    opts: skeleton::JoinOptions,
}

/// Joins the calibrated skeleton (clipped to the boundary) to the real pieces in `builder`;
/// returns what it did and the skeleton file's bytes (for the source hash).
fn join_skeleton(
    builder: &mut GraphBuilder,
    file: &Path,
    calibration: &Path,
    speed_kmh: f64,
    inside: &dyn Fn(f64, f64) -> bool,
) -> Result<(SkeletonBuild, Vec<u8>), CliError> {
    if !(speed_kmh.is_finite() && (5.0..=130.0).contains(&speed_kmh)) {
        return Err(CliError::input(format!(
            "--skeleton-speed-kmh {speed_kmh}: 应在 5–130 之间 / must be between 5 and 130 km/h"
        )));
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| CliError::input(format!("cannot read {}: {e}", p.display())));
    let skel_bytes = read(file)?;
    let sk = skeleton::read_pbf(&skel_bytes)
        .map_err(|e| CliError::input(format!("--skeleton {}: {e}", file.display())))?
        .clip(inside);
    let cal_file: skeleton::CalibrationFile = serde_json::from_slice(&read(calibration)?)
        .map_err(|e| CliError::input(format!("--calibration {}: {e}", calibration.display())))?;
    let cal = skeleton::calibrate(&sk, &cal_file.pairs)
        .map_err(|e| CliError::input(format!("--calibration {}: {e}", calibration.display())))?;
    let join_opts = skeleton::JoinOptions {
        detour: cal.detour,
        speed_kmh,
        ..skeleton::JoinOptions::default()
    };
    let join = skeleton::join(builder, &sk, &join_opts);
    Ok((
        SkeletonBuild {
            calibration: cal,
            join,
            rails: sk,
            opts: join_opts,
        },
        skel_bytes,
    ))
}

/// The README section on the skeleton: its calibration and how it was joined.
fn skeleton_readme(r: &SkeletonBuild) -> String {
    let mut s = format!(
        "\n## Calibrated skeleton (示意, estimates)\n\nOutside the real OSM geometry the network is a coarse \
         skeleton: straight edges between junction-like nodes (rounded to ≈100 m). Their straight lengths \
         are multiplied by one detour factor, **{:.3}**, fitted by least squares through the origin against \
         published road lengths between placed points (table). Every route or coverage figure that uses \
         these pieces is an estimate (估算) and states the share of its length on them; the map draws \
         them as 示意, never as roads. Speed on skeleton pieces: an assumed {:.0} km/h (conservative: the \
         published expressway times are faster; `--skeleton-speed-kmh`).\n\n\
         | pair | published km | skeleton km (straight) | ratio | calibrated km |\n|---|---|---|---|---|\n",
        r.calibration.detour, r.opts.speed_kmh
    );
    for p in &r.calibration.pairs {
        s += &format!(
            "| {} | {:.1} | {:.1} | {:.2} | {:.1} |\n",
            p.label, p.published_km, p.skeleton_km, p.ratio, p.calibrated_km
        );
    }
    for (label, why) in &r.calibration.unused {
        s += &format!("\nNot used: {label} ({why}).");
    }
    let j = &r.join;
    s += &format!(
        "\n\nJoin: {} skeleton nodes, {} edges ({:.0} km calibrated); {} connectors ({:.1} km) from skeleton \
         nodes or edges to the nearest real node within {:.1} km (components with at least {:.0} m of road); \
         {} of {} real components joined, {} real nodes in components left unjoined (unreachable islands).\n",
        j.skeleton_nodes,
        j.skeleton_edges,
        j.skeleton_km,
        j.connectors,
        j.connector_km,
        r.opts.join_m / 1000.0,
        r.opts.min_component_m,
        j.real_components_joined,
        j.real_components,
        j.real_nodes_unjoined
    );
    s
}

fn readme(name: &str, osm: &Path, stats: &ImportStats, islands: usize) -> String {
    format!(
        "# Map pack: {name}\n\nBuilt by `onemap {}` from an OpenStreetMap extract.\n\n\
         **© OpenStreetMap contributors**, Open Database License (ODbL 1.0). This pack is a derived \
         database: if you publish it, publish it under the ODbL.\n\n\
         - road ways: {} of {} ways (emergency profile: motorway … track; access tags ignored; \
         no turn restrictions yet)\n- graph: {} nodes, {} road pieces, {} directed edges, {} islands \
         (strongly connected components outside the largest)\n",
        command_line(osm),
        stats.road_ways,
        stats.ways_total,
        stats.graph_nodes,
        stats.pieces,
        stats.edges,
        islands
    )
}

fn load_boundary(path: &Path) -> Result<geo::MultiPolygon<f64>, CliError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::input(format!("cannot read {}: {e}", path.display())))?;
    let features = parse_feature_collection(path, &text).map_err(|e| CliError::input(e.to_string()))?;
    let polys: Vec<geo::Polygon<f64>> = features
        .into_iter()
        .flat_map(|f| match f.geometry {
            geo::Geometry::Polygon(p) => vec![p],
            geo::Geometry::MultiPolygon(m) => m.0,
            _ => Vec::new(),
        })
        .collect();
    if polys.is_empty() {
        return Err(CliError::input(format!(
            "{}: boundary has no Polygon or MultiPolygon feature",
            path.display()
        )));
    }
    Ok(geo::MultiPolygon::new(polys))
}

/// Copy a folder of the base pack (its files, and its folders in turn) into the new pack.
fn copy_dir(from: &Path, to: &Path) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::input(format!("cannot copy {}: {e}", from.display()));
    std::fs::create_dir_all(to).map_err(fail)?;
    for entry in std::fs::read_dir(from).map_err(fail)?.flatten() {
        let path = entry.path();
        let dest = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &dest)?;
        } else if path.is_file() {
            std::fs::copy(&path, &dest).map_err(fail)?;
        }
    }
    Ok(())
}

/// The command as typed (`mappack build …`), for the pack's README; `--osm FILE` when the
/// arguments are not at hand.
fn command_line(osm: &Path) -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) != Some("mappack") {
        return format!("mappack build --osm {}", osm.display());
    }
    args.iter()
        .map(|a| if a.contains(' ') { format!("'{a}'") } else { a.clone() })
        .collect::<Vec<_>>()
        .join(" ")
}
