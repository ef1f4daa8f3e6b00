//! Dispatch subcommands: `recommend` (units and relief supplies for an incident from the pack's
//! `plans.toml`, by road ETA) and `dispatch` (commit units and stock as events). Bad input exits 1
//! with one line; JSON with `--json`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use super::CliError;
use super::store::{open, operator, seat, store_err};
use crate::dispatch::{
    DispatchRequest, Geography, Need, Plans, RecommendOptions, Recommendation, TargetCheck, dispatch as build_dispatch,
    fmt_duration_en, recommend as build_recommendation,
};
use crate::mappack::MapPack;
use crate::model::{IncidentId, Name, Situation, UnitId, WarehouseId};

/// Above this many road nodes the contraction hierarchy is worth building for one query.
pub const CH_MIN_NODES: usize = 20_000;

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e.to_string())
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn targets_json(ts: &[TargetCheck]) -> Value {
    ts.iter()
        .map(|t| {
            let mut v = json!({"name": t.name, "limit_s": t.limit_s, "met": t.met});
            if let Some(m) = t.limit_m {
                v["limit_m"] = json!(m);
            }
            v
        })
        .collect()
}

/// The recommendation as the CLI's JSON.
pub fn recommendation_json(rec: &Recommendation, plans: &Plans) -> Value {
    let requirements: Vec<Value> = rec
        .requirements
        .iter()
        .map(|r| {
            let by = match r.need {
                Need::Capability(_) => "capability",
                Need::UnitType(_) => "unit_type",
            };
            json!({
                "capability": r.need.code(),
                "by": by,
                "label_zh": r.need.label_zh(),
                "label_en": r.need.label_en(),
                "count": r.count,
                "assigned": r.assigned.iter().map(|a| json!({
                    "unit": a.unit.0,
                    "callsign": a.callsign,
                    "name_zh": a.name_zh,
                    "unit_type": a.unit_type.code(),
                    "status": a.status.code(),
                })).collect::<Vec<_>>(),
                "limit_s": r.limit_s,
                "filled": r.filled.iter().map(|s| json!({
                    "unit": s.unit.0,
                    "external_id": s.external_id,
                    "callsign": s.callsign,
                    "name_zh": s.name_zh,
                    "unit_type": s.unit_type.code(),
                    "eta_s": round1(s.eta_s),
                    "distance_m": round1(s.distance_m),
                    "estimate": s.estimate,
                    "on_time": s.on_time,
                    "targets": targets_json(&s.targets),
                    "route": s.route_lonlat,
                })).collect::<Vec<_>>(),
                "shortfall": r.shortfall,
                "message_zh": r.message_zh,
                "message_en": r.message_en,
            })
        })
        .collect();
    let supplies: Vec<Value> = rec
        .supplies
        .iter()
        .map(|s| {
            json!({
                "item": s.item_code,
                "name_zh": s.name_zh,
                "name_en": s.name_en,
                "unit": s.unit,
                "needed": s.needed,
                "from": s.allocations.iter().map(|a| json!({
                    "warehouse": a.warehouse.0,
                    "external_id": a.external_id,
                    "name_zh": a.name_zh,
                    "quantity": a.quantity,
                    "eta_s": round1(a.eta_s),
                    "estimate": a.estimate,
                    "targets": targets_json(&a.targets),
                })).collect::<Vec<_>>(),
                "unmet": s.unmet,
                "message_zh": s.message_zh,
                "message_en": s.message_en,
            })
        })
        .collect();
    json!({
        "incident": rec.incident.0,
        "incident_type": rec.incident_type.code(),
        "severity": rec.severity.code(),
        "plan": {"file": plans.path, "line": rec.plan_line, "title": rec.plan_title},
        "urban": rec.urban,
        "border_distance_m": rec.border_distance_m.map(round1),
        "cross_border_considered": rec.cross_border_considered,
        "schematic": rec.schematic,
        "requirements": requirements,
        "supplies": supplies,
        "unsnapped": rec.unsnapped.iter().map(|(u, why)| json!({"unit": u.0, "reason": why})).collect::<Vec<_>>(),
        "assigned_beyond_plan": rec.assigned_beyond_plan.iter().map(|u| u.0).collect::<Vec<_>>(),
    })
}

/// The recommendation as officers read it: names, never codes; durations as `1 h 42 min`.
fn recommendation_text(rec: &Recommendation, sit: &Situation) -> String {
    let mut out = format!(
        "#{} {} / {} {} — 预案 plan “{}”; {}{}\n",
        rec.incident.0,
        rec.incident_type.name_zh(),
        rec.incident_type.name_en(),
        rec.severity.name_zh(),
        rec.plan_title,
        if rec.urban { "城区 urban" } else { "农村 rural" },
        if rec.schematic {
            "; SCHEMATIC roads: every time is an estimate / 示意路网，时间均为估算"
        } else {
            ""
        }
    );
    for r in &rec.requirements {
        out.push_str(&format!(
            "  {} / {} ×{}\n",
            r.need.label_zh(),
            r.need.label_en(),
            r.count
        ));
        for a in &r.assigned {
            out.push_str(&format!(
                "    {:>4}  {:<24} 已派 assigned · {} / {}\n",
                a.unit.0,
                a.callsign,
                a.status.name_zh(),
                a.status.name_en()
            ));
        }
        for s in &r.filled {
            out.push_str(&format!(
                "    {:>4}  {:<24} {}{:>12} {:>8.1} km{}\n",
                s.unit.0,
                s.callsign,
                if s.estimate { "≈" } else { " " },
                fmt_duration_en(s.eta_s),
                s.distance_m / 1000.0,
                if s.on_time { "" } else { "  LATE / 超时" }
            ));
        }
        out.push_str(&format!("    {}\n    {}\n", r.message_zh, r.message_en));
    }
    for s in &rec.supplies {
        out.push_str(&format!("  {} / {}: {} {}\n", s.name_zh, s.name_en, s.needed, s.unit));
        for a in &s.allocations {
            let name = sit.warehouses.get(&a.warehouse).map_or_else(
                || a.name_zh.clone(),
                |w| Name::new(&w.spec.name_zh, &w.spec.name_en).bi(),
            );
            out.push_str(&format!(
                "    {:<28} {:>8} {}{}\n",
                name,
                a.quantity,
                if a.estimate { "≈" } else { "" },
                fmt_duration_en(a.eta_s)
            ));
        }
        out.push_str(&format!("    {}\n    {}\n", s.message_zh, s.message_en));
    }
    out.trim_end().to_string()
}

/// `onemap recommend --incident ID [--affected N]`.
pub fn recommend(
    db: Option<&Path>,
    pack: &MapPack,
    incident: u32,
    affected: Option<u32>,
    json_out: bool,
) -> Result<String, CliError> {
    let plans = Plans::load_pack(&pack.dir).map_err(err)?;
    let mut router = super::roads::router(pack)?;
    if router.graph.node_count() > CH_MIN_NODES {
        let mut bar = super::progress::bar("路网分层预处理 / preparing road hierarchy", !json_out);
        router.build_ch_with_progress(&mut |share| bar((share * 1000.0) as u64, 1000));
    }
    let mut store = open(db)?;
    let sit = store.situation().map_err(store_err)?;
    let opts = RecommendOptions {
        geography: Geography::from_pack(pack),
        affected,
        supplies: None,
    };
    let rec = build_recommendation(sit, &mut router, &plans, IncidentId(incident), &opts).map_err(err)?;
    Ok(if json_out {
        recommendation_json(&rec, &plans).to_string()
    } else {
        recommendation_text(&rec, sit)
    })
}

/// A unit by number, external id or callsign.
pub(crate) fn find_unit(sit: &Situation, key: &str) -> Result<UnitId, CliError> {
    if let Ok(n) = key.parse::<u32>()
        && sit.units.contains_key(&UnitId(n))
    {
        return Ok(UnitId(n));
    }
    sit.units
        .values()
        .find(|u| u.spec.external_id == key || u.spec.callsign == key)
        .map(|u| u.id)
        .ok_or_else(|| CliError::input(format!("no unit \"{key}\" (give its number, external id or callsign)")))
}

fn find_warehouse(sit: &Situation, key: &str) -> Result<WarehouseId, CliError> {
    if let Ok(n) = key.parse::<u32>()
        && sit.warehouses.contains_key(&WarehouseId(n))
    {
        return Ok(WarehouseId(n));
    }
    sit.warehouses
        .values()
        .find(|w| w.spec.external_id == key)
        .map(|w| w.id)
        .ok_or_else(|| CliError::input(format!("no warehouse \"{key}\" (give its number or external id)")))
}

/// `onemap dispatch --incident ID --units U1,U2 [--reserve WH:ITEM:QTY,…] [--reassign]`.
pub fn dispatch(
    db: Option<&Path>,
    incident: u32,
    units: &str,
    reserve: Option<&str>,
    reassign: bool,
    json_out: bool,
) -> Result<String, CliError> {
    let mut store = open(db)?;
    let sit = store.situation().map_err(store_err)?;
    let keys: Vec<&str> = units.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    let mut ids = Vec::with_capacity(keys.len());
    for k in &keys {
        ids.push(find_unit(sit, k)?);
    }
    let mut lines = Vec::new();
    for part in reserve
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let bad = || CliError::input(format!("--reserve takes WAREHOUSE:ITEM:QUANTITY, not \"{part}\""));
        let mut it = part.split(':');
        let (Some(w), Some(item), Some(q), None) = (it.next(), it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        let q: u64 = q.trim().parse().map_err(|_| bad())?;
        lines.push((find_warehouse(sit, w.trim())?, item.trim().to_string(), q));
    }
    let req = DispatchRequest {
        incident: IncidentId(incident),
        units: ids,
        reserve: lines,
        reassign,
    };
    let events = build_dispatch(sit, &req).map_err(err)?;
    let verified = events
        .iter()
        .any(|e| matches!(e, crate::model::EventKind::IncidentVerified { .. }));
    let seqs = store
        .append_batch(&operator(), &seat(), None, events)
        .map_err(store_err)?;
    let unique: BTreeSet<u32> = req.units.iter().map(|u| u.0).collect();
    Ok(if json_out {
        json!({
            "incident": incident,
            "units": req.units.iter().map(|u| u.0).collect::<Vec<_>>(),
            "reserved": req.reserve.iter().map(|(w, i, q)| json!({"warehouse": w.0, "item": i, "quantity": q})).collect::<Vec<_>>(),
            "verified": verified,
            "seqs": seqs,
        })
        .to_string()
    } else {
        format!(
            "dispatched {} unit(s) to incident#{incident}{}; events {}–{}",
            unique.len(),
            if req.reserve.is_empty() {
                String::new()
            } else {
                format!(", {} stock line(s) reserved", req.reserve.len())
            },
            seqs.first().copied().unwrap_or(0),
            seqs.last().copied().unwrap_or(0)
        )
    })
}
