//! Road subcommands: `mappack build` (OSM extract → pack with a routing graph), `route` and
//! `isochrone`. Bad input exits 2 with one line; an unreachable destination exits 3 with JSON.

use std::path::Path;

use serde_json::json;

use super::CliError;
use crate::geom::{BBox, parse_lonlat};
use crate::mappack::{LayerKind, MapPack, parse_feature_collection};
use crate::roads::osm::{ImportOptions, ImportStats, import_pbf_path};
use crate::roads::router::{RoadsError, Router, RoutingSpec};
use crate::roads::search::{Metric, RouteError};

/// Exit code for "no route between the points".
pub const EXIT_UNREACHABLE: u8 = 3;

/// The pack's router, or a clear error when the pack has no road layer.
pub fn router(pack: &MapPack) -> Result<Router, CliError> {
    let (graph, spec) = pack.roads().ok_or_else(|| {
        CliError::input(format!(
            "pack \"{}\" has no roads layer; build one with `onemap mappack build --osm FILE.osm.pbf --out DIR`",
            pack.manifest.name
        ))
    })?;
    Ok(Router::with_spec(graph, spec))
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
                "--metric must be time or distance, not \"{other}\""
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
    let estimate = r.is_estimate(route.offroad_dist_m);
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
        // Share of the road length on estimated (schematic or calibrated) pieces: today a pack's
        // network is either all schematic or all real.
        "estimated_share": if r.spec.schematic { 1.0 } else { 0.0 },
        "schematic": r.spec.schematic,
        "geometry": geometry,
    });
    if json {
        return Ok(v.to_string());
    }
    Ok(format!(
        "{}{} min, {:.1} km (road {:.1} km; off-road legs {:.0} m at {} km/h ×{}){}",
        if estimate { "≈ " } else { "" },
        (route.eta_s / 60.0 * 10.0).round() / 10.0,
        (route.dist_m + route.offroad_dist_m) / 1000.0,
        route.dist_m / 1000.0,
        route.offroad_dist_m,
        r.params.offroad_speed_kmh,
        r.params.offroad_detour,
        if estimate { "  [estimate / 估算]" } else { "" }
    ))
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
        .map_err(|_| CliError::input(format!("--minutes must be numbers like 5,10,15, not \"{minutes}\"")))?;
    if mins.is_empty() || mins.iter().any(|m| !(m.is_finite() && *m > 0.0 && *m <= 24.0 * 60.0)) {
        return Err(CliError::input("--minutes must be positive and at most 1440"));
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
        "{n} contours ({minutes} min) from {:.6},{:.6}; use --json for GeoJSON",
        p[0], p[1]
    ))
}

/// What `onemap mappack build` was asked to do.
pub struct BuildArgs<'a> {
    /// The extract.
    pub osm: &'a Path,
    /// Keep roads inside this (Multi)Polygon GeoJSON.
    pub boundary: Option<&'a Path>,
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
        osm,
        boundary,
        name,
        titles,
        base,
        out,
    } = *args;
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
    let (graph, stats) = import_pbf_path(osm, &opts).map_err(|e| CliError::input(e.to_string()))?;
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
    let roads_layer = json!({"name": "roads", "kind": LayerKind::Roads.as_str(), "file": "roads.graph",
        "title": {"zh": "道路（OSM）", "en": "Roads (OSM)"}, "licence": "© OpenStreetMap contributors, ODbL 1.0",
        "routing": RoutingSpec::default()});
    let osm_line = "© OpenStreetMap contributors (ODbL 1.0)";
    let source = json!({"osm": osm.file_name().and_then(|s| s.to_str()),
        "source_hash": format!("{:016x}", graph.source_hash()), "import": stats});
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
        layers.insert(at.min(layers.len()), roads_layer);
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
        readme(&name, osm, &stats, graph.scc().island_count).as_bytes(),
    )?;
    // Prove the pack loads before saying it is done.
    MapPack::load(out).map_err(|e| CliError::input(format!("the written pack does not load: {e}")))?;
    Ok(serde_json::to_string_pretty(&json!({"out": out, "stats": stats})).unwrap_or_default())
}

fn readme(name: &str, osm: &Path, stats: &ImportStats, islands: usize) -> String {
    format!(
        "# Map pack: {name}\n\nBuilt by `onemap mappack build --osm {}` from an OpenStreetMap extract.\n\n\
         **© OpenStreetMap contributors**, Open Database License (ODbL 1.0). This pack is a derived \
         database: if you publish it, publish it under the ODbL.\n\n\
         - road ways: {} of {} ways (emergency profile: motorway … track; access tags ignored; \
         no turn restrictions yet)\n- graph: {} nodes, {} road pieces, {} directed edges, {} islands \
         (strongly connected components outside the largest)\n",
        osm.display(),
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
