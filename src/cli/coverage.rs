//! Coverage subcommands: `coverage` (covered share per force type, uncovered places, nearest
//! unit per place; `--what-if UNIT` for the move-up), `siting` (k new sites by lazy greedy) and
//! `supplies` (nearest warehouses holding an item by road). Bad input exits 1 with one line.

use std::path::Path;

use serde_json::{Value, json};

use super::CliError;
use super::dispatch::find_unit;
use super::store::open;
use crate::coverage::{
    CoverageModel, CoverageOptions, CoverageReport, DemandSpec, ForceType, MoveUp, SitingOptions, SitingReport,
    SupplyAnswer, Threshold, Uncovered, nearest_supplies,
};
use crate::dispatch::plans::{Limit, Plans};
use crate::dispatch::{fmt_duration_en, fmt_duration_zh};
use crate::geom::parse_lonlat;
use crate::mappack::MapPack;
use crate::model::{Situation, UnitId};

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e.to_string())
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn r4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Parses `--type` (comma-separated force types; empty = all present).
pub fn parse_types(text: Option<&str>) -> Result<Vec<ForceType>, CliError> {
    text.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| ForceType::parse(s).map_err(err))
        .collect()
}

fn threshold_json(t: &Threshold) -> Value {
    let mut v = json!({"name": t.name, "zh": t.zh, "en": t.en});
    match t.limit {
        Limit::Time { limit_s } => v["limit_s"] = json!(limit_s),
        Limit::Distance { urban_m, rural_m } => {
            v["urban_m"] = json!(urban_m);
            v["rural_m"] = json!(rural_m);
            v["along_roads"] = json!(true);
        }
    }
    v
}

fn reason(u: &Option<Uncovered>) -> Value {
    match u {
        None => Value::Null,
        Some(u) => serde_json::to_value(u).unwrap_or(Value::Null),
    }
}

fn unit_label(sit: &Situation, id: Option<UnitId>) -> Value {
    match id.and_then(|i| sit.units.get(&i)) {
        Some(u) => json!({"id": u.id.0, "callsign": u.spec.callsign, "external_id": u.spec.external_id,
                          "unit_type": u.spec.unit_type.code()}),
        None => Value::Null,
    }
}

/// The coverage report as the CLI's JSON; `grid` adds every grid point.
pub fn coverage_json(rep: &CoverageReport, sit: &Situation, grid: bool) -> Value {
    let types: Vec<Value> = rep
        .types
        .iter()
        .map(|t| {
            let place = |i: usize| {
                let p = &rep.points[i];
                let c = &t.points[i];
                json!({
                    "name": p.place_name(),
                    "lonlat": p.lonlat,
                    "urban": p.urban,
                    "county": p.county,
                    "covered": c.covered,
                    "unit": unit_label(sit, c.unit),
                    "eta_s": c.eta_s.map(r1),
                    "dist_m": c.dist_m.map(r1),
                    "estimate": c.estimate,
                    "uncovered": reason(&c.uncovered),
                })
            };
            let places: Vec<Value> = (0..rep.points.len()).filter(|&i| rep.points[i].is_place()).map(place).collect();
            let mut v = json!({
                "type": t.force.code(),
                "name_zh": t.name_zh,
                "name_en": t.name_en,
                "metric": match t.metric { crate::roads::search::Metric::Time => "time", _ => "distance" },
                "thresholds": t.thresholds.iter().map(threshold_json).collect::<Vec<_>>(),
                "units_total": t.units_total,
                "units_available": t.bases.len(),
                "covered_share": r4(t.covered_share),
                "covered_km2": r1(t.covered_km2),
                "total_km2": r1(t.total_km2),
                "places_covered_share": r4(t.places_covered_share),
                "by_county": t.by_county.iter().map(|c| json!({
                    "county": c.county, "covered_share": r4(c.share),
                    "covered_km2": r1(c.covered_km2), "total_km2": r1(c.total_km2)})).collect::<Vec<_>>(),
                "uncovered_places": t.uncovered_places.iter().map(|&i| place(i)).collect::<Vec<_>>(),
                "places": places,
                "unsnapped_units": t.unsnapped_units.iter().map(|(u, why)| json!({"unit": u.0, "reason": why})).collect::<Vec<_>>(),
            });
            if grid {
                v["grid"] = rep
                    .points
                    .iter()
                    .zip(&t.points)
                    .filter(|(p, _)| !p.is_place())
                    .map(|(p, c)| json!([p.lonlat[0], p.lonlat[1], c.eta_s.map(r1), c.dist_m.map(r1), c.covered]))
                    .collect();
            }
            v
        })
        .collect();
    json!({
        "schematic": rep.schematic,
        "estimate": rep.estimate,
        "weighting": rep.weighting,
        "weighting_note": "grid cells weighted by area (km²): the pack has no population grid",
        "places_weighting": rep.places_weighting,
        "cell_km": rep.cell_km,
        "urban_radius_km": rep.urban_radius_km,
        "grid_points": rep.points.iter().filter(|p| !p.is_place()).count(),
        "places": rep.points.iter().filter(|p| p.is_place()).count(),
        "types": types,
    })
}

fn coverage_text(rep: &CoverageReport, sit: &Situation) -> String {
    let mut out = format!(
        "coverage over {} grid cells of {} km (weighted by area) and {} places{}\n",
        rep.points.iter().filter(|p| !p.is_place()).count(),
        rep.cell_km,
        rep.points.iter().filter(|p| p.is_place()).count(),
        if rep.schematic {
            "; SCHEMATIC roads: every figure is an estimate / 示意路网，均为估算"
        } else {
            ""
        }
    );
    for t in &rep.types {
        let limits: Vec<String> = t
            .thresholds
            .iter()
            .map(|th| match th.limit {
                Limit::Time { limit_s } => fmt_duration_en(limit_s),
                Limit::Distance { urban_m, rural_m } => {
                    format!("{} km urban / {} km rural by road", urban_m / 1000.0, rural_m / 1000.0)
                }
            })
            .collect();
        out.push_str(&format!(
            "  {:<13} {:>5.1}% of the area, {:>5.1}% of places within {} ({} of {} units available) / {} 覆盖 {:.1}%\n",
            t.force.code(),
            t.covered_share * 100.0,
            t.places_covered_share * 100.0,
            limits.join(" and "),
            t.bases.len(),
            t.units_total,
            t.name_zh,
            t.covered_share * 100.0,
        ));
        for &i in &t.uncovered_places {
            let p = &rep.points[i];
            let c = &t.points[i];
            let nearest = match (c.unit, c.eta_s, c.dist_m) {
                (Some(u), Some(e), Some(d)) => format!(
                    "nearest {} {} / {:.1} km",
                    unit_label(sit, Some(u))["callsign"].as_str().unwrap_or("?"),
                    fmt_duration_en(e),
                    d / 1000.0
                ),
                _ => match &c.uncovered {
                    Some(Uncovered::OffNetwork { detail }) => detail.clone(),
                    _ => "no available unit reaches it".into(),
                },
            };
            out.push_str(&format!(
                "      uncovered: {} — {nearest}\n",
                p.place_name().unwrap_or("?")
            ));
        }
    }
    out.trim_end().to_string()
}

fn move_up_json(m: &MoveUp, sit: &Situation) -> Value {
    json!({
        "type": m.force.code(),
        "dispatched": unit_label(sit, Some(m.dispatched)),
        "before_share": r4(m.before_share),
        "after_share": r4(m.after_share),
        "best": m.best.as_ref().map(|b| json!({
            "unit": unit_label(sit, Some(b.unit)),
            "station": b.station.0,
            "station_name": b.station_name,
            "share": r4(b.share),
        })),
        "estimate": m.estimate,
        "message_zh": move_up_zh(m, sit),
        "message_en": move_up_en(m, sit),
    })
}

fn callsign(sit: &Situation, u: UnitId) -> String {
    sit.units
        .get(&u)
        .map_or_else(|| u.to_string(), |u| u.spec.callsign.clone())
}

fn move_up_en(m: &MoveUp, sit: &Situation) -> String {
    let mut s = format!(
        "if {} is dispatched, {} coverage falls from {:.1}% to {:.1}%",
        callsign(sit, m.dispatched),
        m.force.code(),
        m.before_share * 100.0,
        m.after_share * 100.0
    );
    match &m.best {
        Some(b) => s.push_str(&format!(
            "; moving {} to {} restores {:.1}%",
            callsign(sit, b.unit),
            b.station_name,
            b.share * 100.0
        )),
        None => s.push_str("; no single move-up improves it"),
    }
    s
}

fn move_up_zh(m: &MoveUp, sit: &Situation) -> String {
    let mut s = format!(
        "若派出 {}，{}覆盖率由 {:.1}% 降至 {:.1}%",
        callsign(sit, m.dispatched),
        m.force.name_zh(),
        m.before_share * 100.0,
        m.after_share * 100.0
    );
    match &m.best {
        Some(b) => s.push_str(&format!(
            "；将 {} 前移至 {} 可恢复至 {:.1}%",
            callsign(sit, b.unit),
            b.station_name,
            b.share * 100.0
        )),
        None => s.push_str("；单次前移无法改善"),
    }
    s
}

/// Arguments of `onemap coverage`.
pub struct CoverageArgs<'a> {
    /// Database.
    pub db: Option<&'a Path>,
    /// `--type`.
    pub types: Option<&'a str>,
    /// `--cell-km`.
    pub cell_km: f64,
    /// `--grid`.
    pub grid: bool,
    /// `--what-if UNIT`.
    pub what_if: Option<&'a str>,
    /// `--json`.
    pub json: bool,
}

fn check_cell(cell_km: f64) -> Result<(), CliError> {
    if !(cell_km.is_finite() && (0.2..=50.0).contains(&cell_km)) {
        return Err(CliError::input(format!(
            "--cell-km must be between 0.2 and 50, not {cell_km}"
        )));
    }
    Ok(())
}

/// `onemap coverage`.
pub fn coverage(pack: &MapPack, a: &CoverageArgs<'_>) -> Result<String, CliError> {
    check_cell(a.cell_km)?;
    let types = parse_types(a.types)?;
    let plans = Plans::load_pack(&pack.dir).map_err(err)?;
    let mut router = super::roads::router(pack)?;
    let mut store = open(a.db)?;
    let sit = store.situation().map_err(err)?.clone();
    let opts = CoverageOptions {
        cell_km: a.cell_km,
        types: types.clone(),
        ..Default::default()
    };
    for &t in &types {
        if crate::coverage::thresholds_for(&plans, t).is_empty() {
            return Err(err(crate::coverage::CoverageError::NoThreshold {
                path: plans.path.display().to_string(),
                force: t.code(),
            }));
        }
    }
    let model = CoverageModel::new(&DemandSpec::from_pack(pack), &router, &plans, &opts);
    if let Some(key) = a.what_if {
        let unit = find_unit(&sit, key)?;
        let m = model.what_if_dispatched(&sit, &mut router, unit).map_err(err)?;
        return Ok(if a.json {
            move_up_json(&m, &sit).to_string()
        } else {
            format!("{}\n{}", move_up_zh(&m, &sit), move_up_en(&m, &sit))
        });
    }
    let rep = model.compute(&sit, &mut router).map_err(err)?;
    Ok(if a.json {
        coverage_json(&rep, &sit, a.grid).to_string()
    } else {
        coverage_text(&rep, &sit)
    })
}

/// Reads a candidates file: one site per line, `NAME,LON,LAT` or `LON,LAT`; `#` comments and
/// a header line (`name,lon,lat`) are skipped. Errors name the file and line.
pub fn read_candidates(path: &Path) -> Result<Vec<(String, [f64; 2])>, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::input(format!("{}: cannot read candidates: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || (i == 0 && l.to_ascii_lowercase().contains("lon")) {
            continue;
        }
        let bad = |why: String| {
            CliError::input(format!(
                "{}:{}: expected NAME,LON,LAT or LON,LAT ({why}), got \"{l}\"",
                path.display(),
                i + 1
            ))
        };
        let parts: Vec<&str> = l.split(',').map(str::trim).collect();
        let (name, lon, lat) = match parts.as_slice() {
            [lon, lat] => (format!("line {}", i + 1), *lon, *lat),
            [name, lon, lat] => ((*name).to_string(), *lon, *lat),
            _ => return Err(bad(format!("{} fields", parts.len()))),
        };
        let p = parse_lonlat(&format!("{lon},{lat}")).map_err(|e| bad(e.to_string()))?;
        out.push((name, p));
    }
    if out.is_empty() {
        return Err(CliError::input(format!(
            "{}: no candidate sites in the file",
            path.display()
        )));
    }
    Ok(out)
}

fn siting_json(r: &SitingReport) -> Value {
    json!({
        "type": r.force.code(),
        "k": r.k,
        "thresholds": r.thresholds.iter().map(threshold_json).collect::<Vec<_>>(),
        "candidates": r.candidates,
        "unsnapped_candidates": r.unsnapped_candidates.iter().map(|(n, why)| json!({"name": n, "reason": why})).collect::<Vec<_>>(),
        "share_before": r4(r.share_before),
        "share_after": r4(r.share_after),
        "chosen": r.chosen.iter().map(|c| json!({
            "name": c.name, "lonlat": c.lonlat, "gain_km2": r1(c.gain_km2),
            "share_after": r4(c.share_after), "places": c.places})).collect::<Vec<_>>(),
        "method": "greedy (lazy evaluation); within 1-1/e of the optimum",
        "evaluations": r.evaluations,
        "weighting": "area",
        "estimate": r.estimate,
    })
}

/// `onemap siting`.
pub fn siting(
    pack: &MapPack,
    db: Option<&Path>,
    force: &str,
    k: usize,
    candidates: Option<&Path>,
    cell_km: f64,
    json_out: bool,
) -> Result<String, CliError> {
    check_cell(cell_km)?;
    let force = ForceType::parse(force).map_err(err)?;
    if !(1..=50).contains(&k) {
        return Err(CliError::input(format!("--k must be between 1 and 50, not {k}")));
    }
    let candidates = candidates.map(read_candidates).transpose()?;
    let plans = Plans::load_pack(&pack.dir).map_err(err)?;
    let mut router = super::roads::router(pack)?;
    let mut store = open(db)?;
    let sit = store.situation().map_err(err)?.clone();
    let copts = CoverageOptions {
        cell_km,
        ..Default::default()
    };
    let model = CoverageModel::new(&DemandSpec::from_pack(pack), &router, &plans, &copts);
    let opts = SitingOptions {
        force,
        k,
        candidates,
        candidate_cell_km: crate::coverage::siting::DEFAULT_CANDIDATE_CELL_KM,
    };
    let r = model.siting(&sit, &mut router, &opts).map_err(err)?;
    if json_out {
        return Ok(siting_json(&r).to_string());
    }
    let mut out = format!(
        "{} siting, k = {}: covered area {:.1}% → {:.1}% ({} candidates{})\n",
        force.code(),
        k,
        r.share_before * 100.0,
        r.share_after * 100.0,
        r.candidates,
        if r.estimate {
            "; schematic roads: estimates / 估算"
        } else {
            ""
        }
    );
    for (i, c) in r.chosen.iter().enumerate() {
        out.push_str(&format!(
            "  {}. {:<24} {:>10.5},{:<9.5} +{:>7.1} km²  → {:.1}%{}\n",
            i + 1,
            c.name,
            c.lonlat[0],
            c.lonlat[1],
            c.gain_km2,
            c.share_after * 100.0,
            if c.places.is_empty() {
                String::new()
            } else {
                format!("  ({})", c.places.join(", "))
            }
        ));
    }
    Ok(out.trim_end().to_string())
}

fn supplies_json(a: &SupplyAnswer) -> Value {
    json!({
        "item": a.item, "name_zh": a.name_zh, "name_en": a.name_en, "unit": a.unit,
        "at": a.at_lonlat,
        "nearest": a.nearest.iter().map(|s| json!({
            "warehouse": s.warehouse.0, "external_id": s.external_id, "name_zh": s.name_zh,
            "county": s.county, "quantity": s.quantity, "free": s.free,
            "eta_s": r1(s.eta_s), "dist_m": r1(s.dist_m), "estimate": s.estimate})).collect::<Vec<_>>(),
        "nearest_free": a.nearest_free,
        "by_county": a.by_county,
        "unsnapped": a.unsnapped.iter().map(|(w, why)| json!({"warehouse": w.0, "reason": why})).collect::<Vec<_>>(),
        "schematic": a.schematic,
    })
}

/// `onemap supplies --at LON,LAT --item NAME [--n N]`.
pub fn supplies(
    pack: &MapPack,
    db: Option<&Path>,
    at: &str,
    item: &str,
    n: usize,
    json_out: bool,
) -> Result<String, CliError> {
    let p = parse_lonlat(at).map_err(|e| CliError::input(format!("--at: {e}")))?;
    if !(1..=1000).contains(&n) {
        return Err(CliError::input(format!(
            "--n 须在 1 到 1000 之间，收到 {n} / --n must be between 1 and 1000, not {n}"
        )));
    }
    let plans = Plans::load_pack(&pack.dir).ok();
    let mut router = super::roads::router(pack)?;
    let mut store = open(db)?;
    let sit = store.situation().map_err(err)?.clone();
    let a = nearest_supplies(&sit, &mut router, plans.as_ref(), p, item, n).map_err(err)?;
    if json_out {
        return Ok(supplies_json(&a).to_string());
    }
    // Chinese first, English second; warehouses by name, never by their external id.
    let mut out = format!(
        "{} / {}（{}）：按道路最近 {n} 处 / nearest {n} by road{}\n",
        a.name_zh,
        a.name_en,
        a.unit,
        if a.schematic {
            "（示意路网，均为估算 / schematic roads: estimates）"
        } else {
            ""
        },
        n = a.nearest.len(),
    );
    for s in &a.nearest {
        let name = sit.warehouses.get(&s.warehouse).map_or_else(
            || s.name_zh.clone(),
            |w| crate::model::names::Name::new(&w.spec.name_zh, &w.spec.name_en).bi(),
        );
        let approx = if s.estimate { "≈" } else { "" };
        out.push_str(&format!(
            "  {name}（{}）\n    可用 {} / 库存 {} · {approx}{} · {:.1} 公里\n    {} free of {} · {approx}{} · {:.1} km\n",
            s.county,
            s.free,
            s.quantity,
            fmt_duration_zh(s.eta_s),
            s.dist_m / 1000.0,
            s.free,
            s.quantity,
            fmt_duration_en(s.eta_s),
            s.dist_m / 1000.0,
        ));
    }
    out.push_str("  按县合计 / by county:\n");
    for (c, t) in &a.by_county {
        out.push_str(&format!(
            "    {c}: 可用 {} / 库存 {}，{} 个仓库 / {} free of {} in {} warehouse(s)\n",
            t.free, t.quantity, t.warehouses, t.free, t.quantity, t.warehouses
        ));
    }
    Ok(out.trim_end().to_string())
}
