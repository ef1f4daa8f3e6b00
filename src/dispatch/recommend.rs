//! The recommendation: fill what each requirement of the incident's plan still lacks (units
//! already committed to the incident count toward it) from available units ranked by road ETA (ONE many-to-one search for all candidates), route only the chosen units, check the
//! plan's targets, state shortfalls in zh and en, and propose relief supplies from warehouses by
//! ETA. Deterministic: ties go to the lower unit / warehouse id. Pure; must not import egui,
//! tokio or rusqlite.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::geography::Geography;
use super::plans::{Limit, Need, Plan, Plans, Target};
use crate::model::{
    Capability, IncidentId, IncidentStatus, IncidentType, Severity, Situation, Unit, UnitId, UnitStatus, UnitType,
    WarehouseId,
};
use crate::roads::router::Router;
use crate::roads::search::Metric;

/// Inputs of a recommendation beyond the situation and the plans.
#[derive(Debug, Clone, Default)]
pub struct RecommendOptions {
    /// Seats and border of the pack (urban and cross-border rules).
    pub geography: Geography,
    /// Affected people: relief = the plan's per-person quantities × this.
    pub affected: Option<u32>,
    /// Explicit relief needs (item code → quantity); replaces the per-person computation.
    pub supplies: Option<BTreeMap<String, u64>>,
}

/// Why no recommendation can be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecommendError {
    /// No such incident.
    #[error("unknown {0}")]
    UnknownIncident(IncidentId),
    /// The incident is closed or cancelled.
    #[error("{incident} is {status}; nothing to recommend")]
    IncidentFinal {
        /// Incident.
        incident: IncidentId,
        /// Its state.
        status: IncidentStatus,
    },
    /// The plans do not cover this type and grade.
    #[error("{path}: no response plan for {incident_type} grade {severity} and no default plan (type = \"*\")")]
    NoPlan {
        /// Plans file.
        path: String,
        /// Type code.
        incident_type: &'static str,
        /// Grade code.
        severity: &'static str,
    },
    /// The incident (or a route) cannot be placed on the road network.
    #[error("roads: {0}")]
    Roads(String),
}

/// One target checked for one suggestion.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetCheck {
    /// Target name.
    pub name: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Time limit, s (time targets).
    pub limit_s: Option<f64>,
    /// Distance limit, m (distance targets; urban or rural value as applies).
    pub limit_m: Option<f64>,
    /// Whether the suggestion meets it.
    pub met: bool,
}

/// One suggested unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// Unit id.
    pub unit: UnitId,
    /// External id.
    pub external_id: String,
    /// Call sign.
    pub callsign: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Unit type.
    pub unit_type: UnitType,
    /// Road ETA to the scene, s (from the many-to-one ranking).
    pub eta_s: f64,
    /// Route length including the off-road legs, m.
    pub distance_m: f64,
    /// The time is an estimate (schematic network or long off-road legs).
    pub estimate: bool,
    /// Meets the requirement's strictest time target (true when none applies).
    pub on_time: bool,
    /// Route geometry `[lon, lat]` from the unit to the scene.
    pub route_lonlat: Vec<[f64; 2]>,
    /// Every plan target that applies to this unit.
    pub targets: Vec<TargetCheck>,
}

/// A unit already committed to the incident, counted toward a requirement of its plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignedUnit {
    /// Unit id.
    pub unit: UnitId,
    /// Call sign.
    pub callsign: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Unit type.
    pub unit_type: UnitType,
    /// Its status (dispatched, en route or on scene).
    pub status: UnitStatus,
}

/// How one requirement of the plan is filled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementFill {
    /// What is needed.
    pub need: Need,
    /// How many, in all (units already assigned included).
    pub count: u32,
    /// Units already committed to the incident that count toward this requirement.
    pub assigned: Vec<AssignedUnit>,
    /// Strictest time target applying to it, s.
    pub limit_s: Option<f64>,
    /// Suggested units, nearest first: only what the assigned units leave open.
    pub filled: Vec<Suggestion>,
    /// Units missing after the assigned and the suggested ones: no further available,
    /// reachable unit exists.
    pub shortfall: u32,
    /// Plain statement in Chinese.
    pub message_zh: String,
    /// Plain statement in English.
    pub message_en: String,
}

/// Stock proposed from one warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyAllocation {
    /// Warehouse.
    pub warehouse: WarehouseId,
    /// Its external id.
    pub external_id: String,
    /// Its Chinese name.
    pub name_zh: String,
    /// Quantity proposed (≤ its free stock).
    pub quantity: u64,
    /// Road ETA from the warehouse to the scene, s.
    pub eta_s: f64,
    /// The time is an estimate.
    pub estimate: bool,
    /// Supply targets (e.g. relief within 10 h).
    pub targets: Vec<TargetCheck>,
}

/// How one relief item is covered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplyFill {
    /// Item code.
    pub item_code: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Counting unit.
    pub unit: String,
    /// Quantity needed.
    pub needed: u64,
    /// Warehouses, nearest first.
    pub allocations: Vec<SupplyAllocation>,
    /// Quantity no reachable warehouse can supply.
    pub unmet: u64,
    /// Plain statement in Chinese.
    pub message_zh: String,
    /// Plain statement in English.
    pub message_en: String,
}

/// The whole suggestion for an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// Incident.
    pub incident: IncidentId,
    /// Its type.
    pub incident_type: IncidentType,
    /// Its grade.
    pub severity: Severity,
    /// Title of the plan used.
    pub plan_title: String,
    /// Line of that plan in plans.toml.
    pub plan_line: usize,
    /// The scene is within the urban radius of a seat.
    pub urban: bool,
    /// Distance from the scene to the international border, m.
    pub border_distance_m: Option<f64>,
    /// Cross-border teams were considered.
    pub cross_border_considered: bool,
    /// Every time is an estimate (schematic network).
    pub schematic: bool,
    /// Requirements in plan order.
    pub requirements: Vec<RequirementFill>,
    /// Relief supplies by item code.
    pub supplies: Vec<SupplyFill>,
    /// Candidate units that could not be placed on the road network (id, reason).
    pub unsnapped: Vec<(UnitId, String)>,
    /// Units committed to the incident that no requirement of the plan counts (extra help).
    pub assigned_beyond_plan: Vec<UnitId>,
}

impl Recommendation {
    /// Every suggested unit, in plan order.
    pub fn unit_ids(&self) -> Vec<UnitId> {
        self.requirements
            .iter()
            .flat_map(|r| r.filled.iter().map(|s| s.unit))
            .collect()
    }
}

/// "2 小时 10 分" / "25 分".
pub fn fmt_duration_zh(s: f64) -> String {
    let m = (s / 60.0).round() as u64;
    if m >= 60 {
        format!("{} 小时 {} 分", m / 60, m % 60)
    } else {
        format!("{m} 分")
    }
}

/// "2 h 10 min" / "25 min".
pub fn fmt_duration_en(s: f64) -> String {
    let m = (s / 60.0).round() as u64;
    if m >= 60 {
        format!("{} h {} min", m / 60, m % 60)
    } else {
        format!("{m} min")
    }
}

/// A limit: "1.5 小时" / "30 分钟" (zh), "1.5 h" / "30 min" (en).
fn fmt_limit(s: f64) -> (String, String) {
    if s >= 3600.0 {
        let h = s / 3600.0;
        let h = if (h - h.round()).abs() < 1e-9 {
            format!("{}", h.round())
        } else {
            format!("{h:.1}")
        };
        (format!("{h} 小时"), format!("{h} h"))
    } else {
        let m = (s / 60.0).round();
        (format!("{m} 分钟"), format!("{m} min"))
    }
}

/// The strictest time target that applies to a requirement.
fn governing_limit_s(targets: &[Target], need: Need) -> Option<f64> {
    targets
        .iter()
        .filter(|t| match need {
            Need::UnitType(ty) => {
                let caps: BTreeSet<Capability> = ty.base_capabilities().iter().copied().collect();
                t.applies_to.unit(ty, &caps)
            }
            Need::Capability(c) => t.applies_to.all_units || t.applies_to.capabilities.contains(&c),
        })
        .filter_map(|t| match t.limit {
            Limit::Time { limit_s } => Some(limit_s),
            Limit::Distance { .. } => None,
        })
        .min_by(f64::total_cmp)
}

fn check(t: &Target, eta_s: f64, distance_m: f64, urban: bool) -> TargetCheck {
    let (limit_s, limit_m, met) = match t.limit {
        Limit::Time { limit_s } => (Some(limit_s), None, eta_s <= limit_s),
        Limit::Distance { urban_m, rural_m } => {
            let l = if urban { urban_m } else { rural_m };
            (None, Some(l), distance_m <= l)
        }
    };
    TargetCheck {
        name: t.name.clone(),
        zh: t.zh.clone(),
        en: t.en.clone(),
        limit_s,
        limit_m,
        met,
    }
}

fn messages(need: Need, count: u32, assigned: u32, limit_s: Option<f64>, filled: &[Suggestion]) -> (String, String) {
    let (lz, le) = (need.label_zh(), need.label_en());
    if assigned > 0 && assigned >= count {
        return (
            format!("{lz} {assigned}/{count}：已派足，无需增派"),
            format!("{le} {assigned}/{count}: already assigned, none to add"),
        );
    }
    let n = filled.len() as u32;
    let wanted = count.saturating_sub(assigned);
    let shortfall = wanted.saturating_sub(n);
    let late: Vec<&Suggestion> = filled.iter().filter(|s| !s.on_time).collect();
    if shortfall == 0 && late.is_empty() {
        let (hz, he) = if assigned == 0 {
            (format!("{lz} {n}/{count}"), format!("{le} {n}/{count}"))
        } else {
            (
                format!("{lz} {}/{count}（已派 {assigned}，建议增派 {n}）", assigned + n),
                format!("{le} {}/{count} ({assigned} assigned, {n} to add)", assigned + n),
            )
        };
        return match limit_s {
            Some(l) => {
                let (z, e) = fmt_limit(l);
                (format!("{hz}：均可在 {z}内到达"), format!("{he}: all within {e}"))
            }
            None => (format!("{hz}：已满足"), format!("{he}: filled")),
        };
    }
    let (mut zh, mut en) = (Vec::new(), Vec::new());
    if assigned > 0 {
        zh.push(format!("{lz}已派 {assigned}（需 {count}）"));
        en.push(format!("{le}: {assigned} assigned (need {count})"));
    }
    if let (Some(first_late), Some(l)) = (late.first(), limit_s) {
        let (z, e) = fmt_limit(l);
        let ok = n as usize - late.len();
        let (ez, ee) = (fmt_duration_zh(first_late.eta_s), fmt_duration_en(first_late.eta_s));
        let cs = &first_late.callsign;
        if ok == 0 {
            zh.push(format!("无 {z}内可达的{lz}；最近：{cs} {ez}"));
            en.push(format!("no {le} within {e}; nearest: {cs} at {ez_en}", ez_en = ee));
        } else {
            zh.push(format!("{z}内可达的{lz}仅 {ok} 个（需 {wanted}）；其余最近：{cs} {ez}"));
            en.push(format!("only {ok} {le} within {e} (need {wanted}); next: {cs} at {ee}"));
        }
    }
    if shortfall > 0 {
        if n == 0 {
            zh.push(format!("无可用的{lz}（缺 {wanted}）"));
            en.push(format!("no available {le} at all ({wanted} short)"));
        } else {
            zh.push(format!("{lz}缺 {shortfall}：无其他可用力量"));
            en.push(format!("{le}: {shortfall} short, no other available unit"));
        }
    }
    (zh.join("；"), en.join("; "))
}

/// Which units already committed to `incident` count toward which requirement: scarcest
/// requirement first (fewest matching assigned units), then plan order, units by id, so a unit
/// that several requirements accept goes where it is hardest to replace. Returns, per
/// requirement, indices into `on_incident`, and the indices no requirement took.
fn allocate_assigned(
    require: &[super::plans::Requirement],
    on_incident: &[(&Unit, BTreeSet<Capability>)],
) -> (Vec<Vec<usize>>, Vec<usize>) {
    let matching = |need: Need| {
        on_incident
            .iter()
            .filter(|(u, caps)| need.matched_by(u.spec.unit_type, caps))
            .count()
    };
    let mut order: Vec<usize> = (0..require.len()).collect();
    order.sort_by_key(|&i| (matching(require[i].need), i));
    let mut taken = vec![false; on_incident.len()];
    let mut per_req = vec![Vec::new(); require.len()];
    for i in order {
        for (k, (u, caps)) in on_incident.iter().enumerate() {
            if per_req[i].len() as u32 >= require[i].count {
                break;
            }
            if !taken[k] && require[i].need.matched_by(u.spec.unit_type, caps) {
                taken[k] = true;
                per_req[i].push(k);
            }
        }
    }
    let beyond = (0..on_incident.len()).filter(|&k| !taken[k]).collect();
    (per_req, beyond)
}

/// Recommends units (and relief supplies) for `incident` from its plan. All candidates are ranked
/// with ONE many-to-one search ([`Router::rank_units`]); only the chosen units are routed.
pub fn recommend(
    sit: &Situation,
    router: &mut Router,
    plans: &Plans,
    incident: IncidentId,
    opts: &RecommendOptions,
) -> Result<Recommendation, RecommendError> {
    let inc = sit
        .incidents
        .get(&incident)
        .ok_or(RecommendError::UnknownIncident(incident))?;
    if inc.status.is_final() {
        return Err(RecommendError::IncidentFinal {
            incident,
            status: inc.status,
        });
    }
    let plan = plans
        .plan_for(inc.incident_type, inc.severity)
        .ok_or_else(|| RecommendError::NoPlan {
            path: plans.path.display().to_string(),
            incident_type: inc.incident_type.code(),
            severity: inc.severity.code(),
        })?;
    let at = [inc.lonlat.lon_deg(), inc.lonlat.lat_deg()];
    let urban = opts
        .geography
        .seat_distance_m(at)
        .is_some_and(|d| d <= plans.urban_radius_km * 1000.0);
    let border_distance_m = opts.geography.border_distance_m(at);
    let cross_border_considered = inc.incident_type == IncidentType::CrossBorder
        || border_distance_m.is_some_and(|d| d <= plans.border_radius_km * 1000.0);

    // Units already committed to the incident count toward the plan: only the rest is proposed,
    // so pressing R again after a partial dispatch never invites a double dispatch.
    let on_incident: Vec<(&Unit, BTreeSet<Capability>)> = sit
        .units
        .values()
        .filter(|u| u.assignment == Some(incident) && u.status.is_committed())
        .map(|u| (u, u.capabilities()))
        .collect();
    let (assigned_idx, beyond_idx) = allocate_assigned(&plan.require, &on_incident);
    let wanted: Vec<u32> = plan
        .require
        .iter()
        .zip(&assigned_idx)
        .map(|(r, a)| r.count.saturating_sub(a.len() as u32))
        .collect();

    // Candidates in unit-id order, so the ranking's (ETA, index) order breaks ties by unit id.
    let cands: Vec<(&Unit, BTreeSet<Capability>)> = sit
        .units
        .values()
        .filter(|u| u.status == UnitStatus::Available && u.assignment.is_none())
        .filter(|u| cross_border_considered || u.spec.unit_type != UnitType::CrossBorderRescueTeam)
        .map(|u| (u, u.capabilities()))
        .filter(|(u, caps)| {
            plan.require
                .iter()
                .zip(&wanted)
                .any(|(r, w)| *w > 0 && r.need.matched_by(u.spec.unit_type, caps))
        })
        .collect();
    let positions: Vec<[f64; 2]> = cands
        .iter()
        .map(|(u, _)| [u.lonlat.lon_deg(), u.lonlat.lat_deg()])
        .collect();
    let roads = |e: crate::roads::router::RoadsError| RecommendError::Roads(e.to_string());
    let outcome = router.rank_units(&positions, at, None).map_err(roads)?;
    let unsnapped = outcome
        .unsnapped
        .iter()
        .map(|(i, why)| (cands[*i].0.id, why.clone()))
        .collect();

    // Scarcest requirement first (fewest reachable candidates), then plan order: a unit that
    // several requirements could use goes where it is hardest to replace.
    let eligible = |need: Need| {
        outcome
            .ranked
            .iter()
            .filter(|r| need.matched_by(cands[r.index].0.spec.unit_type, &cands[r.index].1))
            .count()
    };
    let mut order: Vec<usize> = (0..plan.require.len()).collect();
    order.sort_by_key(|&i| (eligible(plan.require[i].need), i));
    let mut used = vec![false; cands.len()];
    let mut picks: Vec<Vec<(usize, f64)>> = vec![Vec::new(); plan.require.len()];
    for i in order {
        let req = &plan.require[i];
        for r in &outcome.ranked {
            if picks[i].len() as u32 >= wanted[i] {
                break;
            }
            let (u, caps) = &cands[r.index];
            if !used[r.index] && req.need.matched_by(u.spec.unit_type, caps) {
                used[r.index] = true;
                picks[i].push((r.index, r.eta_s));
            }
        }
    }

    let saved_metric = router.params.metric;
    router.params.metric = Metric::Time;
    let mut requirements = Vec::with_capacity(plan.require.len());
    for ((req, picked), assigned_here) in plan.require.iter().zip(&picks).zip(&assigned_idx) {
        let limit_s = governing_limit_s(&plans.targets, req.need);
        let mut filled = Vec::with_capacity(picked.len());
        for &(ci, eta_s) in picked {
            let (u, caps) = &cands[ci];
            let route = router.route_lonlat(positions[ci], at);
            let route = match route {
                Ok(r) => r,
                Err(e) => {
                    router.params.metric = saved_metric;
                    return Err(roads(e));
                }
            };
            let distance_m = route.dist_m + route.offroad_dist_m;
            let mut geometry = vec![positions[ci]];
            geometry.extend(route.geometry_lonlat.iter().copied());
            geometry.push(at);
            let targets = plans
                .targets
                .iter()
                .filter(|t| t.applies_to.unit(u.spec.unit_type, caps))
                .map(|t| check(t, eta_s, distance_m, urban))
                .collect();
            filled.push(Suggestion {
                unit: u.id,
                external_id: u.spec.external_id.clone(),
                callsign: u.spec.callsign.clone(),
                name_zh: u.spec.name_zh.clone(),
                name_en: u.spec.name_en.clone(),
                unit_type: u.spec.unit_type,
                eta_s,
                distance_m,
                estimate: router.route_is_estimate(&route),
                on_time: limit_s.is_none_or(|l| eta_s <= l),
                route_lonlat: geometry,
                targets,
            });
        }
        let assigned: Vec<AssignedUnit> = assigned_here
            .iter()
            .map(|&k| {
                let u = on_incident[k].0;
                AssignedUnit {
                    unit: u.id,
                    callsign: u.spec.callsign.clone(),
                    name_zh: u.spec.name_zh.clone(),
                    name_en: u.spec.name_en.clone(),
                    unit_type: u.spec.unit_type,
                    status: u.status,
                }
            })
            .collect();
        let n_assigned = assigned.len() as u32;
        let (message_zh, message_en) = messages(req.need, req.count, n_assigned, limit_s, &filled);
        requirements.push(RequirementFill {
            need: req.need,
            count: req.count,
            assigned,
            limit_s,
            shortfall: req.count.saturating_sub(n_assigned + filled.len() as u32),
            filled,
            message_zh,
            message_en,
        });
    }
    router.params.metric = saved_metric;

    let supplies = supplies(sit, router, plans, plan, at, opts)?;
    Ok(Recommendation {
        incident,
        incident_type: inc.incident_type,
        severity: inc.severity,
        plan_title: plan.title.clone(),
        plan_line: plan.line,
        urban,
        border_distance_m,
        cross_border_considered,
        schematic: router.spec.schematic,
        requirements,
        supplies,
        unsnapped,
        assigned_beyond_plan: beyond_idx.iter().map(|&k| on_incident[k].0.id).collect(),
    })
}

/// Relief needs, then warehouses with free stock by ETA, split until each need is covered.
fn supplies(
    sit: &Situation,
    router: &mut Router,
    plans: &Plans,
    plan: &Plan,
    at: [f64; 2],
    opts: &RecommendOptions,
) -> Result<Vec<SupplyFill>, RecommendError> {
    let needs: BTreeMap<String, u64> = match (&opts.supplies, opts.affected) {
        (Some(explicit), _) => explicit
            .iter()
            .filter(|(_, q)| **q > 0)
            .map(|(k, q)| (k.clone(), *q))
            .collect(),
        (None, Some(people)) => plans
            .relief_for(plan)
            .iter()
            .map(|(k, per)| (k.clone(), (per * f64::from(people)).ceil() as u64))
            .filter(|(_, q)| *q > 0)
            .collect(),
        (None, None) => BTreeMap::new(),
    };
    if needs.is_empty() {
        return Ok(Vec::new());
    }
    let whs: Vec<_> = sit
        .warehouses
        .values()
        .filter(|w| needs.keys().any(|k| w.stock.get(k).is_some_and(|l| l.free() > 0)))
        .collect();
    let positions: Vec<[f64; 2]> = whs
        .iter()
        .map(|w| [w.spec.lonlat.lon_deg(), w.spec.lonlat.lat_deg()])
        .collect();
    let ranked = router
        .rank_units(&positions, at, None)
        .map_err(|e| RecommendError::Roads(e.to_string()))?
        .ranked;
    let supply_targets: Vec<&Target> = plans.targets.iter().filter(|t| t.applies_to.supplies).collect();
    let offroad_mps = router.params.offroad_speed_kmh / 3.6;
    let mut out = Vec::new();
    for (code, &needed) in &needs {
        let mut remaining = needed;
        let mut allocations = Vec::new();
        let mut names: Option<(String, String, String)> = plans
            .items
            .get(code)
            .map(|i| (i.zh.clone(), i.en.clone(), i.unit.clone()));
        for r in &ranked {
            if remaining == 0 {
                break;
            }
            let w = whs[r.index];
            let Some(line) = w.stock.get(code) else { continue };
            names.get_or_insert_with(|| (line.name_zh.clone(), line.name_en.clone(), line.unit.clone()));
            let take = line.free().min(remaining);
            if take == 0 {
                continue;
            }
            remaining -= take;
            allocations.push(SupplyAllocation {
                warehouse: w.id,
                external_id: w.spec.external_id.clone(),
                name_zh: w.spec.name_zh.clone(),
                quantity: take,
                eta_s: r.eta_s,
                estimate: router.is_estimate(r.offroad_s * offroad_mps),
                targets: supply_targets.iter().map(|t| check(t, r.eta_s, 0.0, false)).collect(),
            });
        }
        let (name_zh, name_en, unit) = names.unwrap_or_else(|| (code.clone(), code.clone(), String::new()));
        let (message_zh, message_en) = if remaining == 0 {
            (
                format!("{name_zh} {needed} {unit}：由 {} 个仓库供应", allocations.len()),
                format!("{name_en} {needed} {unit}: from {} warehouse(s)", allocations.len()),
            )
        } else {
            (
                format!(
                    "{name_zh}缺 {remaining} {unit}（需 {needed}，可调 {}）",
                    needed - remaining
                ),
                format!(
                    "{name_en}: {remaining} {unit} short (need {needed}, available {})",
                    needed - remaining
                ),
            )
        };
        out.push(SupplyFill {
            item_code: code.clone(),
            name_zh,
            name_en,
            unit,
            needed,
            allocations,
            unmet: remaining,
            message_zh,
            message_en,
        });
    }
    Ok(out)
}
