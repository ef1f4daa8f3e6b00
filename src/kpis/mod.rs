//! The commander's figures: one pure function turns a folded [`Situation`] (plus the plans, the
//! routes of moving units and a coverage report) into every figure the wall's KPI page and
//! `onemap kpis` show — active incidents by class × grade, units by status, per-incident timers
//! against the plans' targets (ok / amber / red), units overdue on their ETA, coverage share per
//! force type against its threshold, shelter occupancy and relief stock below a reserve level.
//!
//! Owns the definitions of those figures, nothing else: it never reads the wall clock (callers
//! pass `now_ms`), never writes, and must not import egui, tokio, rusqlite or `crate::store`.
//! [`routes`] and [`KpiContext::figures`] are the only calls that search the road graph; the
//! wall runs them off the UI thread.

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::coverage::{CoverageError, CoverageModel, CoverageOptions, CoverageReport, DemandSpec};
use crate::dispatch::plans::{Limit, Need, Plans, Target};
use crate::dispatch::tracking::Track;
use crate::model::{IncidentClass, IncidentId, Severity, Situation, Unit, UnitId, UnitStatus, WarehouseId};
use crate::roads::router::Router;
use crate::time::{format_utc_ms, parse_utc_ms};

/// A running timer turns amber once this share of its limit has passed.
pub const AMBER_SHARE: f64 = 0.75;

/// Tunables of the figures (the defaults are what the wall and `onemap kpis` use).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KpiOptions {
    /// Relief reserve: the stock needed for this many more affected people (the plans' default
    /// per-person quantities) must stay free in the prefecture's warehouses.
    pub reserve_persons: u32,
    /// Coverage share at or above which a force type is ok.
    pub coverage_ok_share: f64,
    /// Coverage share below which a force type is red (amber in between).
    pub coverage_red_share: f64,
    /// A shelter at or above this occupancy share is listed as nearly full.
    pub shelter_full_share: f64,
}

impl Default for KpiOptions {
    fn default() -> Self {
        KpiOptions {
            reserve_persons: 1000,
            coverage_ok_share: 0.9,
            coverage_red_share: 0.7,
            shelter_full_share: 0.9,
        }
    }
}

/// Traffic-light state of a figure; always shown with its text and an icon, never by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Within the target.
    Ok,
    /// Close to the limit (a running timer past [`AMBER_SHARE`] of it).
    Amber,
    /// Limit missed.
    Red,
}

impl State {
    /// Code as in the JSON.
    pub fn code(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Amber => "amber",
            State::Red => "red",
        }
    }

    /// Icon + word (Chinese), so the state never rests on colour alone.
    pub fn label_zh(self) -> &'static str {
        match self {
            State::Ok => "√ 达标",
            State::Amber => "▲ 预警",
            State::Red => "× 未达标",
        }
    }

    /// Icon + word (English).
    pub fn label_en(self) -> &'static str {
        match self {
            State::Ok => "√ ok",
            State::Amber => "▲ warning",
            State::Red => "× missed",
        }
    }
}

/// Active incidents of one class by grade.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassRow {
    /// Class code.
    pub class: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Counts for grades Ⅰ, Ⅱ, Ⅲ, Ⅳ.
    pub by_grade: [u32; 4],
    /// Sum over the grades.
    pub total: u32,
}

/// Units in one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusCount {
    /// Status code.
    pub status: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Number of units.
    pub count: u32,
}

/// One timer of an incident against a plan target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timer {
    /// Target name in plans.toml.
    pub target: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Limit, s.
    pub limit_s: f64,
    /// Elapsed since the report, s (stopped when the timer's moment happened).
    pub elapsed_s: f64,
    /// The moment it measures has happened (the timer stopped).
    pub done: bool,
    /// ok / amber / red.
    pub state: State,
}

/// An active incident with its timers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentKpi {
    /// Incident number.
    pub incident: u32,
    /// Type code.
    pub incident_type: &'static str,
    /// Type, Chinese.
    pub type_zh: &'static str,
    /// Type, English.
    pub type_en: &'static str,
    /// Class code.
    pub class: &'static str,
    /// Grade code (`I` … `IV`).
    pub severity: &'static str,
    /// Lifecycle status code.
    pub status: &'static str,
    /// Marked sensitive: walls hide caller and address.
    pub sensitive: bool,
    /// Call time, UTC.
    pub reported_at_utc: String,
    /// Units committed to it now.
    pub units: Vec<u32>,
    /// Timers in plans.toml order.
    pub timers: Vec<Timer>,
    /// The worst state of its timers (ok without timers).
    pub state: State,
}

/// A moving unit whose route ETA has passed without an arrival.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OverdueUnit {
    /// Unit id.
    pub unit: u32,
    /// Call sign.
    pub callsign: String,
    /// Incident it is going to.
    pub incident: u32,
    /// Status code (dispatched / en route).
    pub status: &'static str,
    /// Route ETA, s.
    pub eta_s: f64,
    /// Since it set off (its status time), s.
    pub elapsed_s: f64,
    /// elapsed − ETA, s.
    pub overdue_s: f64,
}

/// Coverage of one force type against its threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageShare {
    /// Force type code.
    pub force: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Covered share of the area, 0..1 (4 decimals).
    pub covered_share: f64,
    /// The threshold(s) a point must meet, Chinese.
    pub threshold_zh: String,
    /// The threshold(s), English.
    pub threshold_en: String,
    /// Time limit, s, when the threshold is a time.
    pub limit_s: Option<f64>,
    /// Available units (the search's sources).
    pub units_available: usize,
    /// Units of the force in the situation.
    pub units_total: usize,
    /// ok / amber / red by [`KpiOptions`]' shares.
    pub state: State,
}

/// One shelter nearly full.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShelterLine {
    /// Shelter id.
    pub shelter: u32,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Persons sheltered.
    pub occupancy: u32,
    /// Capacity.
    pub capacity: u32,
}

/// Shelters in the prefecture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shelters {
    /// Open shelters.
    pub open: u32,
    /// All shelters.
    pub total: u32,
    /// Persons sheltered (all shelters).
    pub occupancy: u64,
    /// Capacity of the open shelters.
    pub capacity_open: u64,
    /// occupancy / open capacity (0 without capacity), 4 decimals.
    pub share: f64,
    /// Shelters at or above [`KpiOptions::shelter_full_share`], fullest first.
    pub nearly_full: Vec<ShelterLine>,
}

/// A relief item whose free stock is below the reserve level.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowStock {
    /// Item code.
    pub item: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Counting unit.
    pub unit: String,
    /// Free stock (on hand − reserved) over all warehouses.
    pub free: u64,
    /// Reserve level: per-person quantity × [`KpiOptions::reserve_persons`], rounded up.
    pub reserve: u64,
}

/// Every figure of the KPI page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpis {
    /// The moment the figures are for, UTC.
    pub at_utc: String,
    /// The drill the situation belongs to (`None`: real operations).
    pub drill_id: Option<String>,
    /// Last event folded.
    pub last_seq: u64,
    /// Active incidents (neither closed nor cancelled).
    pub active_incidents: u32,
    /// Active incidents by class (all four, fixed order) × grade.
    pub by_class_grade: Vec<ClassRow>,
    /// Active incidents per grade Ⅰ–Ⅳ.
    pub grade_totals: [u32; 4],
    /// Units by status (every status, fixed order).
    pub units_by_status: Vec<StatusCount>,
    /// Active incidents, grade Ⅰ first, then by number, with their timers.
    pub incidents: Vec<IncidentKpi>,
    /// Units overdue on their ETA, most overdue first.
    pub overdue_units: Vec<OverdueUnit>,
    /// Coverage per force type (empty without a coverage report).
    pub coverage: Vec<CoverageShare>,
    /// Coverage figures are estimates (schematic network).
    pub coverage_estimate: bool,
    /// Why coverage could not be computed, when it could not.
    pub coverage_error: Option<String>,
    /// Shelters.
    pub shelters: Shelters,
    /// People the relief reserve is sized for.
    pub reserve_persons: u32,
    /// Relief items below the reserve level.
    pub low_stock: Vec<LowStock>,
}

/// What the figures are computed from.
#[derive(Debug, Clone, Copy)]
pub struct KpiInput<'a> {
    /// The folded situation (real or one drill's).
    pub situation: &'a Situation,
    /// The pack's plans (targets, relief ratios); without them there are no timers or reserve.
    pub plans: Option<&'a Plans>,
    /// "Now", ms since the epoch (the drill's simulated time in a drill).
    pub now_ms: i64,
    /// Routes of moving units ([`routes`]), for the overdue list.
    pub tracks: &'a [Track],
    /// Coverage of the situation ([`coverage_report`]).
    pub coverage: Option<&'a CoverageReport>,
    /// Tunables.
    pub options: KpiOptions,
}

fn grade_index(s: Severity) -> usize {
    match s {
        Severity::I => 0,
        Severity::II => 1,
        Severity::III => 2,
        Severity::IV => 3,
    }
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn r4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// State of a timer: a stopped one is ok when within its limit, red otherwise; a running one
/// turns amber at [`AMBER_SHARE`] of the limit and red past it.
pub fn timer_state(elapsed_s: f64, limit_s: f64, done: bool) -> State {
    if elapsed_s > limit_s {
        State::Red
    } else if !done && elapsed_s >= AMBER_SHARE * limit_s {
        State::Amber
    } else {
        State::Ok
    }
}

fn time_limit(t: &Target) -> Option<f64> {
    match t.limit {
        Limit::Time { limit_s } => Some(limit_s),
        Limit::Distance { .. } => None,
    }
}

/// True when a unit-target applies to a need of a plan (same unit type or capability).
fn target_covers_need(t: &Target, need: Need) -> bool {
    match need {
        Need::UnitType(u) => t.applies_to.unit_types.contains(&u),
        Need::Capability(c) => t.applies_to.capabilities.contains(&c),
    }
}

fn unit_matches(t: &Target, u: &Unit) -> bool {
    !t.applies_to.all_units && t.applies_to.unit(u.spec.unit_type, &u.capabilities())
}

/// The timers of one incident at `now_ms`:
/// - a time target for all units (road rescue on scene ≤ 1.5 h): report → first unit on scene;
/// - a time target for some unit types / capabilities (engineering linkage ≤ 30 min), when the
///   incident's plan asks for such units or one is committed: report → the first of them on
///   scene (a committed unit's on-scene status time);
/// - a supplies target (relief ≤ 10 h), when the incident's plan has its own relief ratios:
///   report → now while active (deliveries are not logged as events, so it never stops early).
fn incident_timers(sit: &Situation, plans: &Plans, inc: &crate::model::Incident, now_ms: i64) -> Vec<Timer> {
    let Some(report_ms) = parse_utc_ms(&inc.reported_at_utc) else {
        return Vec::new();
    };
    let end_ms = inc
        .closed_at_utc
        .as_deref()
        .and_then(parse_utc_ms)
        .map_or(now_ms, |c| c.min(now_ms));
    let since = |end: i64| ((end - report_ms) as f64 / 1000.0).max(0.0);
    let plan = plans.plan_for(inc.incident_type, inc.severity);
    let committed: Vec<&Unit> = sit.units.values().filter(|u| u.assignment == Some(inc.id)).collect();
    let mut out = Vec::new();
    for t in &plans.targets {
        let Some(limit_s) = time_limit(t) else { continue };
        let stop_ms = if t.applies_to.all_units {
            Some(inc.first_arrival_utc.as_deref().and_then(parse_utc_ms))
        } else if t.applies_to.supplies {
            plan.filter(|p| p.relief_per_person.is_some()).map(|_| None)
        } else {
            let matching: Vec<&&Unit> = committed.iter().filter(|u| unit_matches(t, u)).collect();
            let planned = plan.is_some_and(|p| p.require.iter().any(|r| target_covers_need(t, r.need)));
            (planned || !matching.is_empty()).then(|| {
                matching
                    .iter()
                    .filter(|u| u.status == crate::model::UnitStatus::OnScene)
                    .filter_map(|u| parse_utc_ms(&u.status_since_utc))
                    .min()
            })
        };
        let Some(stop_ms) = stop_ms else { continue };
        let done = stop_ms.is_some_and(|s| s <= end_ms);
        let elapsed_s = r1(since(stop_ms.filter(|_| done).unwrap_or(end_ms)));
        out.push(Timer {
            target: t.name.clone(),
            zh: t.zh.clone(),
            en: t.en.clone(),
            limit_s,
            elapsed_s,
            done,
            state: timer_state(elapsed_s, limit_s, done),
        });
    }
    out
}

/// The (unit, incident, from, to) legs of every moving unit (dispatched or en route): from its
/// last known position to its incident. What [`routes`] routes.
pub fn moving_legs(sit: &Situation) -> Vec<(UnitId, IncidentId, [f64; 2], [f64; 2])> {
    sit.units
        .values()
        .filter(|u| matches!(u.status, UnitStatus::Dispatched | UnitStatus::EnRoute))
        .filter_map(|u| {
            let inc = sit.incidents.get(&u.assignment?)?;
            Some((u.id, inc.id, u.lonlat.lonlat(), inc.lonlat.lonlat()))
        })
        .collect()
}

/// Road routes of every moving unit (legs that cannot be routed are left out: such a unit is
/// never called overdue).
pub fn routes(sit: &Situation, router: &mut Router) -> Vec<Track> {
    moving_legs(sit)
        .into_iter()
        .filter_map(|(unit, incident, from, to)| {
            let r = router.route_lonlat(from, to).ok()?;
            let estimate = router.is_estimate(r.offroad_dist_m);
            let mut geometry_lonlat = vec![from];
            geometry_lonlat.extend(r.geometry_lonlat);
            geometry_lonlat.push(to);
            Some(Track {
                unit,
                incident,
                geometry_lonlat,
                eta_s: r.eta_s,
                estimate,
            })
        })
        .collect()
}

/// Warehouses listed per incident on the wall's focus page.
pub const NEAR_SUPPLIES: usize = 3;

/// A warehouse holding free stock, by road from an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NearSupply {
    /// The warehouse.
    pub warehouse: WarehouseId,
    /// Travel time from the warehouse to the incident, s.
    pub eta_s: f64,
    /// Length of that route (road plus off-network legs), m.
    pub route_m: f64,
    /// The route is an estimate (schematic or skeleton pieces, long off-network legs).
    pub estimate: bool,
}

/// For every active incident the [`NEAR_SUPPLIES`] warehouses with free stock that reach it
/// fastest by road (one ranking per incident, then the route of each of those found).
pub fn near_supplies(sit: &Situation, router: &mut Router) -> BTreeMap<IncidentId, Vec<NearSupply>> {
    let holders: Vec<&crate::model::Warehouse> = sit
        .warehouses
        .values()
        .filter(|w| w.stock.values().any(|l| l.free() > 0))
        .collect();
    let positions: Vec<[f64; 2]> = holders.iter().map(|w| w.spec.lonlat.lonlat()).collect();
    let mut out = BTreeMap::new();
    if holders.is_empty() {
        return out;
    }
    for inc in sit.incidents.values().filter(|i| !i.status.is_final()) {
        let to = inc.lonlat.lonlat();
        let Ok(ranked) = router.rank_units(&positions, to, Some(NEAR_SUPPLIES)) else {
            continue;
        };
        let near = ranked
            .ranked
            .iter()
            .filter_map(|r| {
                let w = holders.get(r.index)?;
                let route = router.route_lonlat(w.spec.lonlat.lonlat(), to).ok()?;
                Some(NearSupply {
                    warehouse: w.id,
                    eta_s: r.eta_s,
                    route_m: route.dist_m + route.offroad_dist_m,
                    estimate: router.route_is_estimate(&route),
                })
            })
            .collect();
        out.insert(inc.id, near);
    }
    out
}

fn threshold_text(rep: &crate::coverage::TypeCoverage) -> (String, String, Option<f64>) {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let mut limit = None;
    for t in &rep.thresholds {
        zh.push(t.zh.clone());
        en.push(t.en.clone());
        if let Limit::Time { limit_s } = t.limit {
            limit = Some(limit.map_or(limit_s, |l: f64| l.min(limit_s)));
        }
    }
    (zh.join("；"), en.join("; "), limit)
}

/// Every figure of the KPI page.
pub fn compute(input: &KpiInput<'_>) -> Kpis {
    let sit = input.situation;
    let opts = input.options;
    let active: Vec<&crate::model::Incident> = sit.incidents.values().filter(|i| !i.status.is_final()).collect();

    let mut by_class_grade: Vec<ClassRow> = IncidentClass::ALL
        .iter()
        .map(|c| ClassRow {
            class: c.code(),
            name_zh: c.name_zh(),
            name_en: c.name_en(),
            by_grade: [0; 4],
            total: 0,
        })
        .collect();
    let mut grade_totals = [0u32; 4];
    for inc in &active {
        let g = grade_index(inc.severity);
        if let Some(row) = by_class_grade.iter_mut().find(|r| r.class == inc.class().code()) {
            row.by_grade[g] += 1;
            row.total += 1;
        }
        grade_totals[g] += 1;
    }

    let units_by_status = UnitStatus::ALL
        .iter()
        .map(|s| StatusCount {
            status: s.code(),
            name_zh: s.name_zh(),
            name_en: s.name_en(),
            count: sit.units.values().filter(|u| u.status == *s).count() as u32,
        })
        .collect();

    let mut incidents: Vec<IncidentKpi> = active
        .iter()
        .map(|inc| {
            let timers = input
                .plans
                .map(|p| incident_timers(sit, p, inc, input.now_ms))
                .unwrap_or_default();
            IncidentKpi {
                incident: inc.id.0,
                incident_type: inc.incident_type.code(),
                type_zh: inc.incident_type.name_zh(),
                type_en: inc.incident_type.name_en(),
                class: inc.class().code(),
                severity: inc.severity.code(),
                status: inc.status.code(),
                sensitive: inc.sensitive,
                reported_at_utc: inc.reported_at_utc.clone(),
                units: sit
                    .units
                    .values()
                    .filter(|u| u.assignment == Some(inc.id))
                    .map(|u| u.id.0)
                    .collect(),
                state: timers.iter().map(|t| t.state).max().unwrap_or(State::Ok),
                timers,
            }
        })
        .collect();
    incidents.sort_by_key(|i| (Severity::from_code(i.severity).map_or(4, grade_index), i.incident));

    let mut overdue_units: Vec<OverdueUnit> = input
        .tracks
        .iter()
        .filter_map(|t| {
            let u = sit.units.get(&t.unit)?;
            if !matches!(u.status, UnitStatus::Dispatched | UnitStatus::EnRoute) || u.assignment != Some(t.incident) {
                return None;
            }
            let start = parse_utc_ms(&u.status_since_utc)?;
            let elapsed_s = ((input.now_ms - start) as f64 / 1000.0).max(0.0);
            (elapsed_s > t.eta_s).then(|| OverdueUnit {
                unit: u.id.0,
                callsign: u.spec.callsign.clone(),
                incident: t.incident.0,
                status: u.status.code(),
                eta_s: r1(t.eta_s),
                elapsed_s: r1(elapsed_s),
                overdue_s: r1(elapsed_s - t.eta_s),
            })
        })
        .collect();
    overdue_units.sort_by(|a, b| b.overdue_s.total_cmp(&a.overdue_s).then(a.unit.cmp(&b.unit)));

    let coverage = input
        .coverage
        .map(|rep| {
            rep.types
                .iter()
                .map(|t| {
                    let (threshold_zh, threshold_en, limit_s) = threshold_text(t);
                    let share = r4(t.covered_share);
                    CoverageShare {
                        force: t.force.code(),
                        name_zh: t.name_zh,
                        name_en: t.name_en,
                        covered_share: share,
                        threshold_zh,
                        threshold_en,
                        limit_s,
                        units_available: t.bases.len(),
                        units_total: t.units_total,
                        state: if share >= opts.coverage_ok_share {
                            State::Ok
                        } else if share >= opts.coverage_red_share {
                            State::Amber
                        } else {
                            State::Red
                        },
                    }
                })
                .collect()
        })
        .unwrap_or_default();

    let capacity_open: u64 = sit
        .shelters
        .values()
        .filter(|s| s.spec.open)
        .map(|s| u64::from(s.spec.capacity))
        .sum();
    let occupancy: u64 = sit.shelters.values().map(|s| u64::from(s.occupancy)).sum();
    let mut nearly_full: Vec<ShelterLine> = sit
        .shelters
        .values()
        .filter(|s| {
            s.spec.capacity > 0 && f64::from(s.occupancy) >= opts.shelter_full_share * f64::from(s.spec.capacity)
        })
        .map(|s| ShelterLine {
            shelter: s.id.0,
            name_zh: s.spec.name_zh.clone(),
            name_en: s.spec.name_en.clone(),
            occupancy: s.occupancy,
            capacity: s.spec.capacity,
        })
        .collect();
    nearly_full.sort_by(|a, b| {
        let share = |l: &ShelterLine| f64::from(l.occupancy) / f64::from(l.capacity);
        share(b).total_cmp(&share(a)).then(a.shelter.cmp(&b.shelter))
    });
    let shelters = Shelters {
        open: sit.shelters.values().filter(|s| s.spec.open).count() as u32,
        total: sit.shelters.len() as u32,
        occupancy,
        capacity_open,
        share: if capacity_open > 0 {
            r4(occupancy as f64 / capacity_open as f64)
        } else {
            0.0
        },
        nearly_full,
    };

    let mut low_stock = Vec::new();
    if let Some(plans) = input.plans {
        for (item, per_person) in &plans.relief_per_person {
            let reserve = (per_person * f64::from(opts.reserve_persons)).ceil().max(0.0) as u64;
            let lines = sit.warehouses.values().filter_map(|w| w.stock.get(item));
            let free: u64 = lines.clone().map(|l| l.free()).sum();
            if free < reserve {
                let first = lines.clone().next();
                let cat = plans.items.get(item);
                low_stock.push(LowStock {
                    item: item.clone(),
                    name_zh: cat
                        .map(|c| c.zh.clone())
                        .or(first.map(|l| l.name_zh.clone()))
                        .unwrap_or_default(),
                    name_en: cat
                        .map(|c| c.en.clone())
                        .or(first.map(|l| l.name_en.clone()))
                        .unwrap_or_default(),
                    unit: cat
                        .map(|c| c.unit.clone())
                        .or(first.map(|l| l.unit.clone()))
                        .unwrap_or_default(),
                    free,
                    reserve,
                });
            }
        }
    }

    Kpis {
        at_utc: format_utc_ms(input.now_ms),
        drill_id: sit.scope_drill_id.clone(),
        last_seq: sit.last_seq,
        active_incidents: active.len() as u32,
        by_class_grade,
        grade_totals,
        units_by_status,
        incidents,
        overdue_units,
        coverage,
        coverage_estimate: input.coverage.is_some_and(|c| c.estimate),
        coverage_error: None,
        shelters,
        reserve_persons: opts.reserve_persons,
        low_stock,
    }
}

/// What the figures need from a map pack, built once: the plans, the router and the coverage
/// model (demand snapped once). The wall's follower keeps one; `onemap kpis` builds one.
pub struct KpiContext {
    /// The pack's plans (`None`: the pack has no plans.toml; no timers, no reserve).
    pub plans: Option<Arc<Plans>>,
    router: Option<Router>,
    model: Option<CoverageModel>,
}

/// The graph-search part of the figures for one situation: what [`compute`] needs besides the
/// situation, the plans and "now" (the wall recomputes it only when the situation changes).
#[derive(Debug, Clone, Default)]
pub struct Searched {
    /// Routes of the moving units.
    pub tracks: Vec<Track>,
    /// Per active incident, the warehouses with free stock nearest by road (empty without
    /// roads).
    pub supplies: BTreeMap<IncidentId, Vec<NearSupply>>,
    /// Coverage, when the pack has plans and roads and it could be computed.
    pub coverage: Option<CoverageReport>,
    /// Why coverage could not be computed.
    pub coverage_error: Option<CoverageError>,
}

impl KpiContext {
    /// From a loaded pack. A pack without plans.toml gives no timers; a broken one is an error.
    pub fn from_pack(pack: &crate::mappack::MapPack) -> Result<KpiContext, crate::dispatch::PlanError> {
        let plans = if pack.dir.join(crate::dispatch::plans::PLANS_FILE).is_file() {
            Some(Arc::new(Plans::load_pack(&pack.dir)?))
        } else {
            None
        };
        let router = pack.roads().map(|(graph, spec)| Router::with_spec(graph, spec));
        let model = match (&plans, &router) {
            (Some(p), Some(r)) => Some(CoverageModel::new(
                &DemandSpec::from_pack(pack),
                r,
                p,
                &CoverageOptions::default(),
            )),
            _ => None,
        };
        Ok(KpiContext { plans, router, model })
    }

    /// Routes the moving units, finds the nearest supplies and computes coverage.
    pub fn search(&mut self, sit: &Situation) -> Searched {
        let tracks = self.router.as_mut().map(|r| routes(sit, r)).unwrap_or_default();
        let supplies = self.router.as_mut().map(|r| near_supplies(sit, r)).unwrap_or_default();
        let (coverage, coverage_error) = match (&self.model, self.router.as_mut()) {
            (Some(m), Some(r)) => match m.compute(sit, r) {
                Ok(rep) => (Some(rep), None),
                Err(e) => (None, Some(e)),
            },
            _ => (None, None),
        };
        Searched {
            tracks,
            supplies,
            coverage,
            coverage_error,
        }
    }

    /// Every figure of `sit` at `now_ms` ([`KpiContext::search`], then [`figures`]).
    pub fn figures(&mut self, sit: &Situation, now_ms: i64, options: KpiOptions) -> Kpis {
        let searched = self.search(sit);
        figures(sit, self.plans.as_deref(), &searched, now_ms, options)
    }
}

/// [`compute`] over a [`Searched`]: the one call the wall and `onemap kpis` share.
pub fn figures(sit: &Situation, plans: Option<&Plans>, searched: &Searched, now_ms: i64, options: KpiOptions) -> Kpis {
    let mut k = compute(&KpiInput {
        situation: sit,
        plans,
        now_ms,
        tracks: &searched.tracks,
        coverage: searched.coverage.as_ref(),
        options,
    });
    k.coverage_error = searched.coverage_error.as_ref().map(ToString::to_string);
    k
}
