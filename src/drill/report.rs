//! The after-action report: built from a base situation plus the events to report on (a drill's
//! events, or a real period), never from the wall clock. Per incident: report → first dispatch →
//! first arrival → all arrived → closed, each interval scored against the response plan's
//! targets; per unit its leg (dispatch, arrival, road distance); who did what when (operator,
//! seat); an optional coverage series (hook for `crate::coverage`). Output as deterministic JSON
//! (BTreeMaps, floats rounded to 0.1), CSV, or one self-contained HTML page with inline SVG (map
//! and charts, no external URL). Must not import egui, tokio or rusqlite.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::csv_io::{CsvError, CsvWriter};
use crate::dispatch::plans::Limit;
use crate::dispatch::{Geography, Plans};
use crate::mappack::{LayerKind, MapPack};
use crate::model::{
    DisplayNames, Event, EventKind, IncidentId, IncidentStatus, Name, Situation, UnitId, UnitStatus, fold,
    incident_label,
};
use crate::roads::router::Router;
use crate::time::{format_utc_ms, parse_utc_ms};

/// A coverage sampler: share of the prefecture (or of places) covered in the situation, 0–1.
/// `crate::coverage` can plug in here; `None` from the hook means "not computed".
pub type CoverageHook<'a> = &'a mut dyn FnMut(&Situation) -> Option<f64>;

/// Everything a report is built from.
pub struct ReportInput<'a> {
    /// Title (scenario / drill name).
    pub title: String,
    /// Drill reported on (`None` for real operations).
    pub drill_id: Option<String>,
    /// Situation just before the first reported event.
    pub base: Situation,
    /// Events to report on, in seq order (in the base's scope).
    pub events: Vec<Event>,
    /// Response plans for the targets (intervals are unscored without them).
    pub plans: Option<&'a Plans>,
    /// Road router for unit route geometry and road distances (straight lines without it).
    pub router: Option<&'a mut Router>,
    /// Seats (urban / rural distance targets).
    pub geography: Geography,
    /// Outline polygons `[lon, lat]` for the map picture.
    pub outline_lonlat: Vec<Vec<[f64; 2]>>,
    /// Named places (seats, ports) drawn on the map picture: name and `[lon, lat]`.
    pub places_lonlat: Vec<(String, [f64; 2])>,
    /// Extra notes (simulator notes, caveats).
    pub notes: Vec<String>,
    /// Coverage sampler, called hourly (simulated time) over the reported period, less often
    /// when the period is longer than [`MAX_COVERAGE_SAMPLES`] hours.
    pub coverage: Option<CoverageHook<'a>>,
    /// When the drill was stopped (simulated ms), if after its last event: targets whose limit
    /// runs past this moment are not yet due and are not scored.
    pub stopped_at_ms: Option<i64>,
    /// Injects the drill never played (it was ended early), one line each.
    pub unplayed: Vec<String>,
}

/// One interval of an incident's timeline, scored against a plan target when one applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Interval {
    /// Stable name (`report_to_first_dispatch`, …).
    pub name: String,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Length, s (`None` when the end never happened).
    pub seconds: Option<f64>,
    /// Plan target name, if scored.
    pub target: Option<String>,
    /// The target's display name (zh / en).
    pub target_label: Option<String>,
    /// Target limit, s.
    pub target_s: Option<f64>,
    /// Met (`None` when unscored); a missing end with a target counts as not met once the
    /// limit has passed within the period.
    pub met: Option<bool>,
    /// The end never happened but the limit had not passed when the period ended: not scored.
    pub pending: bool,
}

/// One target checked for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTarget {
    /// Target name.
    pub name: String,
    /// English label.
    pub en: String,
    /// Display name (zh / en).
    pub label: String,
    /// Time limit, s.
    pub limit_s: Option<f64>,
    /// Distance limit, m.
    pub limit_m: Option<f64>,
    /// Measured value (s from the report, or road m).
    pub value: Option<f64>,
    /// Met.
    pub met: bool,
    /// Not arrived, but the limit had not passed when the period ended: not scored.
    pub pending: bool,
}

/// One unit's part in an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitLeg {
    /// Unit id.
    pub unit: UnitId,
    /// Call sign.
    pub callsign: String,
    /// Unit type code.
    pub unit_type: String,
    /// Unit type display name (zh / en).
    pub unit_type_name: String,
    /// Dispatched at, UTC.
    pub dispatched_utc: String,
    /// Arrived at, UTC.
    pub arrived_utc: Option<String>,
    /// Dispatch → arrival, s.
    pub travel_s: Option<f64>,
    /// Report → arrival, s.
    pub response_s: Option<f64>,
    /// Road distance from its position at dispatch, m (with a router).
    pub distance_m: Option<f64>,
    /// Route `[lon, lat]` (straight line without a router).
    pub route_lonlat: Vec<[f64; 2]>,
    /// Plan targets applying to it.
    pub targets: Vec<UnitTarget>,
}

/// One incident's timeline and scores.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentReport {
    /// Incident id.
    pub incident: IncidentId,
    /// Type code.
    pub incident_type: String,
    /// Type in Chinese.
    pub type_zh: String,
    /// Type display name (zh / en).
    pub type_name: String,
    /// Grade.
    pub grade: String,
    /// How the incident is shown: `#3`, or `演练-3` for a drill's (its own series).
    pub label: String,
    /// Address.
    pub address: String,
    /// Position.
    pub lonlat: [f64; 2],
    /// Urban (within the urban radius of a seat).
    pub urban: bool,
    /// Plan used for the targets (title and its line in plans.toml).
    pub plan: Option<String>,
    /// Title of that plan, for officers.
    pub plan_title: Option<String>,
    /// Status at the end of the period.
    pub final_status: String,
    /// Its display name (zh / en).
    pub final_status_name: String,
    /// Milestones, UTC (`None` when not reached).
    pub reported_utc: String,
    /// First dispatch.
    pub first_dispatch_utc: Option<String>,
    /// First arrival.
    pub first_arrival_utc: Option<String>,
    /// Last of the committed units arrived.
    pub all_arrived_utc: Option<String>,
    /// Closed.
    pub closed_utc: Option<String>,
    /// The intervals, scored.
    pub intervals: Vec<Interval>,
    /// The units.
    pub units: Vec<UnitLeg>,
    /// Relief supplies reserved for it, per warehouse, with the estimated delivery.
    pub relief: Vec<ReliefLeg>,
}

/// Relief supplies reserved at one warehouse for an incident.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliefLeg {
    /// Warehouse external id.
    pub warehouse: String,
    /// Warehouse display name (zh / en).
    pub warehouse_name: String,
    /// Items and quantities (`tent×100, quilt×400`).
    pub items: String,
    /// The same with display names (`帐篷 Tent ×100`).
    pub items_named: String,
    /// First reservation, UTC.
    pub reserved_utc: String,
    /// Road ETA warehouse → scene, s (with a router).
    pub eta_s: Option<f64>,
    /// Report → estimated delivery (reservation + ETA; loading time not modelled), s.
    pub delivery_s: Option<f64>,
    /// Supply target name.
    pub target: Option<String>,
    /// Its display name (zh / en).
    pub target_label: Option<String>,
    /// Its limit, s.
    pub target_s: Option<f64>,
    /// Met (`None` when unscored).
    pub met: Option<bool>,
}

/// Who did what when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Seq in the log.
    pub seq: u64,
    /// Time, UTC.
    pub ts_utc: String,
    /// Offset from the start, `T+hh:mm:ss`.
    pub offset: String,
    /// Operator.
    pub operator: String,
    /// Seat.
    pub seat: String,
    /// Event kind.
    pub kind: String,
    /// Plain summary.
    pub summary: String,
}

/// One coverage sample.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageSample {
    /// Offset from the start, s.
    pub offset_s: f64,
    /// Covered share, 0–1.
    pub covered: f64,
}

/// Totals of the scored intervals and unit targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    /// Scored items met.
    pub met: u32,
    /// Scored items missed.
    pub missed: u32,
    /// Items not yet due when the period ended (a drill stopped early): not scored.
    pub pending: u32,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Title.
    pub title: String,
    /// Drill id (`None` for real operations).
    pub drill_id: Option<String>,
    /// Start of the period, UTC.
    pub start_utc: String,
    /// End of the period, UTC.
    pub end_utc: String,
    /// Length, s.
    pub duration_s: f64,
    /// Every time rests on a schematic road network (estimates).
    pub schematic: bool,
    /// Some times rest on estimated road pieces (a calibrated skeleton, 示意) or on a
    /// schematic network: the report says so.
    pub estimates: bool,
    /// Score totals.
    pub score: Score,
    /// Incidents by id.
    pub incidents: Vec<IncidentReport>,
    /// Who did what when.
    pub actions: Vec<Action>,
    /// Coverage over the period (`None` when no sampler was plugged in).
    pub coverage: Option<Vec<CoverageSample>>,
    /// Roads closed during the period.
    pub road_closures: Vec<String>,
    /// Notes and caveats.
    pub notes: Vec<String>,
    /// Injects never played (the drill was ended early).
    pub unplayed: Vec<String>,
    /// Outline for the map (not in JSON).
    #[serde(skip)]
    pub outline_lonlat: Vec<Vec<[f64; 2]>>,
    /// Named places for the map (not in JSON).
    #[serde(skip)]
    pub places_lonlat: Vec<(String, [f64; 2])>,
}

/// Polygons of the pack's first boundary layer, for the report's map.
pub fn outline_from_pack(pack: &MapPack) -> Vec<Vec<[f64; 2]>> {
    use geo::Geometry;
    let mut out = Vec::new();
    let Some(layer) = pack.layers.iter().find(|l| l.kind == LayerKind::Boundaries) else {
        return out;
    };
    let ring = |l: &geo::LineString<f64>| l.coords().map(|c| [c.x, c.y]).collect::<Vec<_>>();
    for f in layer.features() {
        match &f.geometry {
            Geometry::Polygon(p) => out.push(ring(p.exterior())),
            Geometry::MultiPolygon(m) => out.extend(m.0.iter().map(|p| ring(p.exterior()))),
            _ => {}
        }
    }
    out
}

/// The pack's seats and ports with their Chinese map labels, for the report's map.
pub fn places_from_pack(pack: &MapPack) -> Vec<(String, [f64; 2])> {
    use crate::search::{PlaceIndex, PlaceKind, Target};
    PlaceIndex::build(pack)
        .places()
        .iter()
        .filter(|p| matches!(p.kind, PlaceKind::Seat | PlaceKind::Port) && !p.approximate)
        .filter_map(|p| match p.target {
            Target::Point(ll) => {
                let name = if p.name_zh.is_empty() { &p.name_en } else { &p.name_zh };
                Some((name.clone(), ll))
            }
            Target::Area(_) => None,
        })
        .collect()
}

fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn offset(s: i64) -> String {
    let s = s.max(0) / 1000;
    format!("T+{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

#[derive(Default)]
struct Track {
    reported_ms: i64,
    first_dispatch_ms: Option<i64>,
    closed_ms: Option<i64>,
    legs: BTreeMap<UnitId, LegTrack>,
    /// Stock reserved per warehouse: first reservation time and items.
    relief: BTreeMap<crate::model::WarehouseId, (i64, BTreeMap<String, u64>)>,
}

struct LegTrack {
    dispatched_ms: i64,
    from: [f64; 2],
    arrived_ms: Option<i64>,
}

/// Most coverage samples one report computes (each is a coverage search): longer periods are
/// sampled every few hours instead of hourly, so a far-future event cannot make the report run
/// for minutes.
pub const MAX_COVERAGE_SAMPLES: i64 = 200;

const HOUR_MS: i64 = 3_600_000;

/// The sampling interval for a period: hourly, or whole hours such that at most
/// [`MAX_COVERAGE_SAMPLES`] samples fall in it.
pub fn coverage_interval_ms(start_ms: i64, end_ms: i64) -> i64 {
    let span_h = end_ms.saturating_sub(start_ms).max(0) / HOUR_MS + 1;
    let every_h = (span_h + MAX_COVERAGE_SAMPLES - 1) / MAX_COVERAGE_SAMPLES;
    every_h.max(1).saturating_mul(HOUR_MS)
}

/// Builds the report (see the module docs).
pub fn build_report(mut input: ReportInput<'_>) -> Report {
    let mut sit = input.base.clone();
    let times: Vec<i64> = input.events.iter().filter_map(|e| parse_utc_ms(&e.ts_utc)).collect();
    let start_ms = times.iter().copied().min().unwrap_or(0);
    let end_ms = times.iter().copied().max().unwrap_or(start_ms);
    let mut tracks: BTreeMap<IncidentId, Track> = BTreeMap::new();
    let mut actions = Vec::with_capacity(input.events.len());
    let mut closures = Vec::new();
    let mut closed_pieces: Vec<u32> = Vec::new();
    let mut coverage = input.coverage.as_ref().map(|_| Vec::new());
    let sample_every_ms = coverage_interval_ms(start_ms, end_ms);
    if coverage.is_some() && sample_every_ms > HOUR_MS {
        input.notes.push(format!(
            "覆盖率每 {h} 小时采样一次（时段较长，最多 {MAX_COVERAGE_SAMPLES} 个样本） / coverage sampled every {h} h (a long period: at most {MAX_COVERAGE_SAMPLES} samples)",
            h = sample_every_ms / HOUR_MS
        ));
    }
    let mut next_sample = start_ms;
    for ev in &input.events {
        let t = parse_utc_ms(&ev.ts_utc).unwrap_or(start_ms);
        if let (Some(hook), Some(samples)) = (input.coverage.as_mut(), coverage.as_mut()) {
            while next_sample <= t {
                if let Some(c) = hook(&sit) {
                    samples.push(CoverageSample {
                        offset_s: ((next_sample - start_ms) / 1000) as f64,
                        covered: (c * 1000.0).round() / 1000.0,
                    });
                }
                next_sample = next_sample.saturating_add(sample_every_ms);
            }
        }
        // Before folding: where the unit is and where it is committed.
        match &ev.kind {
            EventKind::IncidentReported { incident, .. } => {
                tracks.insert(
                    *incident,
                    Track {
                        reported_ms: t,
                        ..Track::default()
                    },
                );
            }
            EventKind::UnitDispatched { unit, incident } => {
                if let Some(tr) = tracks.get_mut(incident) {
                    tr.first_dispatch_ms.get_or_insert(t);
                    let from = sit.units.get(unit).map_or([0.0, 0.0], |u| u.lonlat.lonlat());
                    tr.legs.insert(
                        *unit,
                        LegTrack {
                            dispatched_ms: t,
                            from,
                            arrived_ms: None,
                        },
                    );
                }
            }
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::OnScene,
            } => {
                if let Some(inc) = sit.units.get(unit).and_then(|u| u.assignment)
                    && let Some(leg) = tracks.get_mut(&inc).and_then(|tr| tr.legs.get_mut(unit))
                {
                    leg.arrived_ms.get_or_insert(t);
                }
            }
            EventKind::IncidentStatusChanged {
                incident,
                to: IncidentStatus::Closed,
            } => {
                if let Some(tr) = tracks.get_mut(incident) {
                    tr.closed_ms = Some(t);
                }
            }
            EventKind::StockReserved {
                warehouse,
                item_code,
                quantity,
                incident: Some(incident),
            } => {
                if let Some(tr) = tracks.get_mut(incident) {
                    let e = tr.relief.entry(*warehouse).or_insert((t, BTreeMap::new()));
                    *e.1.entry(item_code.clone()).or_insert(0) += quantity;
                }
            }
            EventKind::RoadClosed { label, from, to } => {
                closures.push(format!("{} {label}", offset(t - start_ms)));
                if let Some(r) = input.router.as_deref_mut()
                    && let Ok(p) = r.pieces_between(from.lonlat(), to.lonlat())
                {
                    closed_pieces.extend(p);
                    r.set_closures(&closed_pieces);
                }
            }
            _ => {}
        }
        actions.push(Action {
            seq: ev.seq,
            ts_utc: ev.ts_utc.clone(),
            offset: offset(t - start_ms),
            operator: ev.operator.clone(),
            seat: ev.seat.clone(),
            kind: ev.kind.tag().to_owned(),
            summary: summarize(&ev.kind, &sit, input.drill_id.is_some()),
        });
        if let Err(e) = fold(&mut sit, ev) {
            input
                .notes
                .push(format!("event seq {} ({}) skipped: {e}", ev.seq, ev.kind.tag()));
            sit.last_seq = sit.last_seq.max(ev.seq);
        }
    }
    let mut score = Score {
        met: 0,
        missed: 0,
        pending: 0,
    };
    // A drill stopped early: limits running past this moment have not come due.
    let horizon_ms = input.stopped_at_ms.map_or(end_ms, |s| s.max(end_ms));
    let mut incidents = Vec::new();
    let names = input
        .plans
        .map_or_else(|| DisplayNames::from_situation(&sit), |p| p.display_names(&sit));
    let in_drill = input.drill_id.is_some();
    for (id, tr) in &tracks {
        let Some(inc) = sit.incidents.get(id) else { continue };
        let at = inc.lonlat.lonlat();
        let urban = input.plans.is_some_and(|p| {
            input
                .geography
                .seat_distance_m(at)
                .is_some_and(|d| d <= p.urban_radius_km * 1000.0)
        });
        let plan = input.plans.and_then(|p| p.plan_for(inc.incident_type, inc.severity));
        // The strictest time target for every unit ("on scene ≤ 1.5 h").
        let all_units_target = input.plans.and_then(|p| {
            p.targets
                .iter()
                .filter(|t| t.applies_to.all_units)
                .filter_map(|t| match t.limit {
                    Limit::Time { limit_s } => Some((t.name.clone(), limit_s)),
                    Limit::Distance { .. } => None,
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
        });
        let arrivals: Vec<i64> = tr.legs.values().filter_map(|l| l.arrived_ms).collect();
        let first_arrival = arrivals.iter().copied().min();
        let all_arrived = (!tr.legs.is_empty() && arrivals.len() == tr.legs.len())
            .then(|| arrivals.iter().copied().max())
            .flatten();
        let since = |end: Option<i64>| end.map(|e| r1((e - tr.reported_ms) as f64 / 1000.0));
        let not_due = |limit_s: f64| tr.reported_ms as f64 + limit_s * 1000.0 > horizon_ms as f64;
        let mk = |name: &str, zh: &str, en: &str, secs: Option<f64>, target: Option<&(String, f64)>| {
            let pending = secs.is_none() && target.is_some_and(|(_, l)| not_due(*l));
            let met = target.filter(|_| !pending).map(|(_, l)| secs.is_some_and(|s| s <= *l));
            Interval {
                name: name.into(),
                zh: zh.into(),
                en: en.into(),
                seconds: secs,
                target: target.map(|t| t.0.clone()),
                target_label: target.map(|t| names.target(&t.0).bi()),
                target_s: target.map(|t| t.1),
                met,
                pending,
            }
        };
        let intervals = vec![
            mk(
                "report_to_first_dispatch",
                "接报→首次调派",
                "report → first dispatch",
                since(tr.first_dispatch_ms),
                None,
            ),
            mk(
                "report_to_first_arrival",
                "接报→首车到场",
                "report → first arrival",
                since(first_arrival),
                all_units_target.as_ref(),
            ),
            mk(
                "report_to_all_arrived",
                "接报→全部到场",
                "report → all arrived",
                since(all_arrived),
                all_units_target.as_ref(),
            ),
            mk(
                "report_to_closed",
                "接报→结案",
                "report → closed",
                since(tr.closed_ms),
                None,
            ),
        ];
        for i in &intervals {
            match i.met {
                Some(true) => score.met += 1,
                Some(false) => score.missed += 1,
                None if i.pending => score.pending += 1,
                None => {}
            }
        }
        let mut units = Vec::new();
        for (uid, leg) in &tr.legs {
            let Some(u) = sit.units.get(uid) else { continue };
            let caps = u.capabilities();
            let (distance_m, route_lonlat) = match input.router.as_deref_mut().map(|r| r.route_lonlat(leg.from, at)) {
                Some(Ok(r)) => {
                    let mut g = vec![leg.from];
                    g.extend(r.geometry_lonlat.iter().copied());
                    g.push(at);
                    (Some(r1(r.dist_m + r.offroad_dist_m)), g)
                }
                _ => (None, vec![leg.from, at]),
            };
            let response_s = leg.arrived_ms.map(|a| r1((a - tr.reported_ms) as f64 / 1000.0));
            let mut targets = Vec::new();
            for t in input.plans.map(|p| p.targets.as_slice()).unwrap_or_default() {
                if !t.applies_to.unit(u.spec.unit_type, &caps) {
                    continue;
                }
                let ut = match t.limit {
                    Limit::Time { limit_s } => UnitTarget {
                        name: t.name.clone(),
                        en: t.en.clone(),
                        label: names.target(&t.name).bi(),
                        limit_s: Some(limit_s),
                        limit_m: None,
                        value: response_s,
                        met: response_s.is_some_and(|s| s <= limit_s),
                        pending: response_s.is_none() && not_due(limit_s),
                    },
                    Limit::Distance { urban_m, rural_m } => {
                        let l = if urban { urban_m } else { rural_m };
                        UnitTarget {
                            name: t.name.clone(),
                            en: t.en.clone(),
                            label: names.target(&t.name).bi(),
                            limit_s: None,
                            limit_m: Some(l),
                            value: distance_m,
                            met: distance_m.is_some_and(|d| d <= l),
                            pending: false,
                        }
                    }
                };
                if ut.pending {
                    score.pending += 1;
                } else if ut.met {
                    score.met += 1;
                } else {
                    score.missed += 1;
                }
                targets.push(ut);
            }
            units.push(UnitLeg {
                unit: *uid,
                callsign: u.spec.callsign.clone(),
                unit_type: u.spec.unit_type.code().to_owned(),
                unit_type_name: Name::new(u.spec.unit_type.name_zh(), u.spec.unit_type.name_en()).bi(),
                dispatched_utc: format_utc_ms(leg.dispatched_ms),
                arrived_utc: leg.arrived_ms.map(format_utc_ms),
                travel_s: leg.arrived_ms.map(|a| r1((a - leg.dispatched_ms) as f64 / 1000.0)),
                response_s,
                distance_m,
                route_lonlat: route_lonlat.iter().map(|p| [round6(p[0]), round6(p[1])]).collect(),
                targets,
            });
        }
        let supply_target = input.plans.and_then(|p| {
            p.targets
                .iter()
                .filter(|t| t.applies_to.supplies)
                .find_map(|t| match t.limit {
                    Limit::Time { limit_s } => Some((t.name.clone(), limit_s)),
                    Limit::Distance { .. } => None,
                })
        });
        let mut relief = Vec::new();
        for (wid, (reserved_ms, items)) in &tr.relief {
            let Some(w) = sit.warehouses.get(wid) else { continue };
            let eta_s = input
                .router
                .as_deref_mut()
                .and_then(|r| r.route_lonlat(w.spec.lonlat.lonlat(), at).ok())
                .map(|r| r1(r.eta_s));
            let delivery_s = eta_s.map(|e| r1((reserved_ms - tr.reported_ms) as f64 / 1000.0 + e));
            let met = supply_target.as_ref().map(|(_, l)| delivery_s.is_some_and(|d| d <= *l));
            match met {
                Some(true) => score.met += 1,
                Some(false) => score.missed += 1,
                None => {}
            }
            relief.push(ReliefLeg {
                warehouse: w.spec.external_id.clone(),
                warehouse_name: Name::new(&w.spec.name_zh, &w.spec.name_en).bi(),
                items: items
                    .iter()
                    .map(|(k, q)| format!("{k}×{q}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                items_named: items
                    .iter()
                    .map(|(k, q)| format!("{} ×{q}", names.item(k).bi()))
                    .collect::<Vec<_>>()
                    .join(", "),
                reserved_utc: format_utc_ms(*reserved_ms),
                eta_s,
                delivery_s,
                target: supply_target.as_ref().map(|t| t.0.clone()),
                target_label: supply_target.as_ref().map(|t| names.target(&t.0).bi()),
                target_s: supply_target.as_ref().map(|t| t.1),
                met,
            });
        }
        incidents.push(IncidentReport {
            incident: *id,
            incident_type: inc.incident_type.code().to_owned(),
            type_zh: inc.incident_type.name_zh().to_owned(),
            type_name: Name::new(inc.incident_type.name_zh(), inc.incident_type.name_en()).bi(),
            grade: inc.severity.code().to_owned(),
            label: incident_label(*id, in_drill),
            address: inc.address.clone(),
            lonlat: [round6(at[0]), round6(at[1])],
            urban,
            plan: plan.map(|p| format!("{} (plans.toml:{})", p.title, p.line)),
            plan_title: plan.map(|p| p.title.clone()),
            final_status: inc.status.code().to_owned(),
            final_status_name: Name::new(inc.status.name_zh(), inc.status.name_en()).bi(),
            reported_utc: format_utc_ms(tr.reported_ms),
            first_dispatch_utc: tr.first_dispatch_ms.map(format_utc_ms),
            first_arrival_utc: first_arrival.map(format_utc_ms),
            all_arrived_utc: all_arrived.map(format_utc_ms),
            closed_utc: tr.closed_ms.map(format_utc_ms),
            intervals,
            units,
            relief,
        });
    }
    let schematic = input.router.as_ref().is_some_and(|r| r.spec.schematic);
    let estimates = input.router.as_ref().is_some_and(|r| r.has_estimates());
    if let Some(r) = input.router.as_deref_mut() {
        r.clear_closures();
    }
    if schematic {
        input.notes.push(
            "SCHEMATIC road network: every travel time and distance is an estimate / 示意路网，时间均为估算".into(),
        );
    } else if estimates {
        input.notes.push(
            "部分路网为标定骨架（示意）：经过它的时间与距离为估算 / part of the road network is a calibrated skeleton (schematic): times and distances over it are estimates".into(),
        );
    }
    Report {
        title: input.title,
        drill_id: input.drill_id,
        start_utc: format_utc_ms(start_ms),
        end_utc: format_utc_ms(end_ms),
        duration_s: r1((end_ms - start_ms) as f64 / 1000.0),
        schematic,
        estimates,
        score,
        incidents,
        actions,
        coverage,
        road_closures: closures,
        notes: input.notes,
        unplayed: input.unplayed,
        outline_lonlat: input.outline_lonlat,
        places_lonlat: input.places_lonlat,
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// One line saying what an event did (Chinese first, then English), with call signs and names
/// from the situation before it; incidents as `#3`, or `演练-3` in a drill. No internal codes.
pub fn summarize(kind: &EventKind, sit: &Situation, in_drill: bool) -> String {
    let unit = |u: &UnitId| {
        sit.units
            .get(u)
            .map_or(format!("#{}", u.0), |x| x.spec.callsign.clone())
    };
    let inc = |i: &IncidentId| incident_label(*i, in_drill);
    let wh = |w: &crate::model::WarehouseId| {
        sit.warehouses.get(w).map_or(format!("#{}", w.0), |w| {
            Name::new(&w.spec.name_zh, &w.spec.name_en).bi()
        })
    };
    let item = |w: &crate::model::WarehouseId, code: &str| {
        sit.warehouses
            .get(w)
            .and_then(|w| w.stock.get(code))
            .map_or_else(|| code.replace('_', " "), |l| Name::new(&l.name_zh, &l.name_en).bi())
    };
    match kind {
        EventKind::IncidentReported {
            incident,
            incident_type,
            severity,
            address,
            ..
        } => format!(
            "{} 接报 reported: {} / {} {} @ {address}",
            inc(incident),
            incident_type.name_zh(),
            incident_type.name_en(),
            severity.name_zh()
        ),
        EventKind::IncidentVerified { incident, .. } => format!("{} 已核实 verified", inc(incident)),
        EventKind::IncidentStatusChanged { incident, to } => {
            format!("{} → {} / {}", inc(incident), to.name_zh(), to.name_en())
        }
        EventKind::IncidentNoteAdded { incident, note } => format!("{} 备注 note: {note}", inc(incident)),
        EventKind::IncidentCancelled {
            incident,
            reason,
            duplicate_of,
        } => match duplicate_of {
            Some(o) => format!(
                "{} 已撤销 cancelled: {reason}（与 {} 重复 duplicate）",
                inc(incident),
                inc(o)
            ),
            None => format!("{} 已撤销 cancelled: {reason}", inc(incident)),
        },
        EventKind::IncidentRelocated { incident, .. } => format!("{} 位置更正 relocated", inc(incident)),
        EventKind::IncidentSensitivitySet { incident, sensitive } => format!(
            "{} {}",
            inc(incident),
            if *sensitive {
                "标记敏感 marked sensitive"
            } else {
                "取消敏感 sensitive mark cleared"
            }
        ),
        EventKind::UnitDispatched { unit: u, incident } => {
            format!("{} 调派至 dispatched to {}", unit(u), inc(incident))
        }
        EventKind::UnitStatusChanged { unit: u, to } => {
            format!("{} → {} / {}", unit(u), to.name_zh(), to.name_en())
        }
        EventKind::UnitReleased { unit: u } => format!("{} 已释放 released", unit(u)),
        EventKind::UnitPositionReported { unit: u, lonlat } => {
            format!("{} 位置 at {:.5}, {:.5}", unit(u), lonlat.lon_deg(), lonlat.lat_deg())
        }
        EventKind::StockReserved {
            warehouse,
            item_code,
            quantity,
            incident,
        } => {
            let to = incident.map(|i| format!(" → {}", inc(&i))).unwrap_or_default();
            format!(
                "{} ×{quantity} 预留 reserved @ {}{to}",
                item(warehouse, item_code),
                wh(warehouse)
            )
        }
        EventKind::StockLineSet {
            warehouse,
            item_code,
            quantity,
            ..
        } => format!(
            "{} {} 库存 on hand = {quantity}",
            wh(warehouse),
            item(warehouse, item_code)
        ),
        EventKind::ShelterOccupancyChanged { shelter, occupancy } => {
            let s = sit.shelters.get(shelter);
            let name = s.map_or(format!("#{}", shelter.0), |s| {
                Name::new(&s.spec.name_zh, &s.spec.name_en).bi()
            });
            let cap = s.map(|s| format!(" / {}", s.spec.capacity)).unwrap_or_default();
            format!("{name} 安置 occupancy {occupancy}{cap}")
        }
        EventKind::RoadClosed { label, .. } => format!("道路封闭 road closed: {label}"),
        EventKind::DrillStarted { name, .. } => format!("演练开始 drill started: {name}"),
        EventKind::DrillEnded { .. } => "演练结束 drill ended".to_string(),
        other => other.tag().replace('_', " "),
    }
}

impl Report {
    /// Pretty JSON (deterministic: fixed field order, rounded floats, no wall clock).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// CSV: one row per incident interval and per unit target.
    pub fn to_csv(&self) -> Result<String, CsvError> {
        let mut out = CsvWriter::new();
        out.row(&[
            "incident",
            "type",
            "grade",
            "subject",
            "measure",
            "start_utc",
            "end_utc",
            "value",
            "target",
            "limit",
            "met",
        ])?;
        for inc in &self.incidents {
            for i in &inc.intervals {
                let end = match i.name.as_str() {
                    "report_to_first_dispatch" => inc.first_dispatch_utc.clone(),
                    "report_to_first_arrival" => inc.first_arrival_utc.clone(),
                    "report_to_all_arrived" => inc.all_arrived_utc.clone(),
                    _ => inc.closed_utc.clone(),
                };
                let row = [
                    inc.incident.0.to_string(),
                    inc.incident_type.clone(),
                    inc.grade.clone(),
                    "incident".into(),
                    i.name.clone(),
                    inc.reported_utc.clone(),
                    end.unwrap_or_default(),
                    i.seconds.map(|s| format!("{s:.1}")).unwrap_or_default(),
                    i.target.clone().unwrap_or_default(),
                    i.target_s.map(|s| format!("{s:.1}")).unwrap_or_default(),
                    i.met.map(|m| m.to_string()).unwrap_or_default(),
                ];
                out.row(&row)?;
            }
            for r in &inc.relief {
                let row = [
                    inc.incident.0.to_string(),
                    inc.incident_type.clone(),
                    inc.grade.clone(),
                    r.warehouse.clone(),
                    "report_to_relief_delivery_estimate".into(),
                    inc.reported_utc.clone(),
                    String::new(),
                    r.delivery_s.map(|v| format!("{v:.1}")).unwrap_or_default(),
                    r.target.clone().unwrap_or_default(),
                    r.target_s.map(|v| format!("{v:.1}")).unwrap_or_default(),
                    r.met.map(|m| m.to_string()).unwrap_or_default(),
                ];
                out.row(&row)?;
            }
            for u in &inc.units {
                for t in &u.targets {
                    let row = [
                        inc.incident.0.to_string(),
                        inc.incident_type.clone(),
                        inc.grade.clone(),
                        u.callsign.clone(),
                        if t.limit_m.is_some() {
                            "road_distance_m"
                        } else {
                            "report_to_arrival"
                        }
                        .into(),
                        inc.reported_utc.clone(),
                        u.arrived_utc.clone().unwrap_or_default(),
                        t.value.map(|v| format!("{v:.1}")).unwrap_or_default(),
                        t.name.clone(),
                        t.limit_s.or(t.limit_m).map(|v| format!("{v:.1}")).unwrap_or_default(),
                        t.met.to_string(),
                    ];
                    out.row(&row)?;
                }
            }
        }
        out.finish()
    }
}

/// Seconds as "1 小时 5 分 / 1 h 5 min" or "12 分 30 秒 / 12 min 30 s" (never clock-like).
pub fn fmt_secs(s: f64) -> String {
    crate::local_time::duration_bi(s)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::model::{Caller, IncidentType, LonLat, Severity, UnitSpec, UnitType};

    const PLANS: &str = r#"
version = 1
[[target]]
name = "road_rescue_on_scene"
zh = "道路救援力量到场 ≤ 1.5 小时"
en = "road rescue on scene ≤ 1.5 h"
limit_h = 1.5
all_units = true

[[plan]]
type = "*"
grade = "*"
require = [{ unit_type = "ambulance", count = 1 }]
"#;

    const T0: &str = "2026-07-15T06:00:00.000Z";

    fn event(seq: u64, ts: &str, kind: EventKind) -> Event {
        Event {
            seq,
            ts_utc: ts.into(),
            operator: "op".into(),
            seat: "s".into(),
            drill_id: None,
            kind,
        }
    }

    /// A unit, then an incident reported at T0 and the unit dispatched a minute later; nothing
    /// arrives before the period ends.
    fn input<'a>(plans: &'a Plans, stopped_at_ms: Option<i64>) -> ReportInput<'a> {
        let p = LonLat::from_deg(100.8, 22.0).unwrap();
        let base = Situation::from_events(&[event(
            1,
            T0,
            EventKind::UnitAdded {
                unit: UnitId(1),
                spec: UnitSpec {
                    external_id: "u1".into(),
                    callsign: "A1".into(),
                    name_zh: "救护车".into(),
                    name_en: "Ambulance".into(),
                    unit_type: UnitType::Ambulance,
                    extra_capabilities: BTreeSet::new(),
                    crew: 3,
                    home_station: None,
                    demo: false,
                    position_note: String::new(),
                },
                lonlat: p,
                status: UnitStatus::Available,
            },
        )])
        .unwrap();
        let events = vec![
            event(
                2,
                T0,
                EventKind::IncidentReported {
                    incident: IncidentId(1),
                    incident_type: IncidentType::Flood,
                    severity: Severity::III,
                    lonlat: p,
                    address: "景洪".into(),
                    reported_at_utc: T0.into(),
                    caller: Caller::default(),
                    notes: String::new(),
                },
            ),
            event(
                3,
                T0,
                EventKind::IncidentVerified {
                    incident: IncidentId(1),
                    severity: None,
                },
            ),
            event(
                4,
                "2026-07-15T06:01:00.000Z",
                EventKind::UnitDispatched {
                    unit: UnitId(1),
                    incident: IncidentId(1),
                },
            ),
        ];
        ReportInput {
            title: "t".into(),
            drill_id: Some("d-1".into()),
            base,
            events,
            plans: Some(plans),
            router: None,
            geography: Geography::default(),
            outline_lonlat: Vec::new(),
            places_lonlat: Vec::new(),
            notes: Vec::new(),
            coverage: None,
            stopped_at_ms,
            unplayed: vec!["T+03:00:00 道路封闭 road closed: G213".into()],
        }
    }

    #[test]
    fn results_not_yet_due_are_not_scored_and_due_ones_are() {
        let plans = Plans::parse(Path::new("p.toml"), PLANS).unwrap();
        let t0 = parse_utc_ms(T0).unwrap();
        // Stopped 10 minutes in: the 1.5 h limit has not passed for anything.
        let early = build_report(input(&plans, Some(t0 + 600_000)));
        let inc = &early.incidents[0];
        assert_eq!(inc.label, "演练-1");
        let arrival = inc
            .intervals
            .iter()
            .find(|i| i.name == "report_to_first_arrival")
            .unwrap();
        assert!(arrival.pending && arrival.met.is_none());
        assert!(inc.units[0].targets[0].pending);
        // First arrival, all arrived, the unit's time target: three pending, none scored.
        assert_eq!(
            early.score,
            Score {
                met: 0,
                missed: 0,
                pending: 3
            }
        );
        assert_eq!(early.unplayed.len(), 1);
        let page = early.to_html();
        assert!(page.contains("未到时限 not yet due") && page.contains("未执行的情景注入"));
        assert!(page.contains("T+03:00:00 道路封闭 road closed: G213"));
        // Stopped 2 h in: the limit passed without an arrival, so the same three are missed.
        let late = build_report(input(&plans, Some(t0 + 7_200_000)));
        assert_eq!(
            late.score,
            Score {
                met: 0,
                missed: 3,
                pending: 0
            }
        );
        assert!(!late.incidents[0].intervals.iter().any(|i| i.pending));
    }
}

#[cfg(test)]
mod sampling_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::{IncidentId, LonLat};

    #[test]
    fn interval_is_hourly_up_to_the_cap_then_whole_hours() {
        let h = HOUR_MS;
        assert_eq!(coverage_interval_ms(0, 0), h);
        assert_eq!(coverage_interval_ms(0, 199 * h), h);
        assert_eq!(coverage_interval_ms(0, 200 * h), 2 * h);
        assert_eq!(coverage_interval_ms(0, 100_000 * h), 501 * h);
        assert_eq!(
            coverage_interval_ms(i64::MIN, i64::MAX),
            coverage_interval_ms(0, i64::MAX)
        );
        assert!(coverage_interval_ms(5, 1) >= h);
    }

    /// A far-future event (a typo like T+100000:00:00 in a log) costs at most
    /// MAX_COVERAGE_SAMPLES coverage calls, and the report says how it sampled.
    #[test]
    fn a_far_future_event_is_sampled_a_bounded_number_of_times() {
        let p = LonLat::from_deg(100.8, 22.0).unwrap();
        let ev = |seq: u64, ts: &str| Event {
            seq,
            ts_utc: ts.into(),
            operator: "op".into(),
            seat: "s".into(),
            drill_id: None,
            kind: EventKind::IncidentReported {
                incident: IncidentId(seq as u32),
                incident_type: crate::model::IncidentType::Flood,
                severity: crate::model::Severity::III,
                lonlat: p,
                address: "景洪".into(),
                reported_at_utc: ts.into(),
                caller: crate::model::Caller::default(),
                notes: String::new(),
            },
        };
        let mut calls = 0u32;
        let mut hook = |_: &Situation| {
            calls += 1;
            Some(0.5)
        };
        // 2026 → 2037: ≈ 100 000 hours.
        let r = build_report(ReportInput {
            title: "t".into(),
            drill_id: None,
            base: Situation::default(),
            events: vec![ev(1, "2026-07-15T06:00:00.000Z"), ev(2, "2037-12-31T06:00:00.000Z")],
            plans: None,
            router: None,
            geography: Geography::default(),
            outline_lonlat: Vec::new(),
            places_lonlat: Vec::new(),
            notes: Vec::new(),
            coverage: Some(&mut hook),
            stopped_at_ms: None,
            unplayed: Vec::new(),
        });
        let samples = r.coverage.unwrap();
        assert!(samples.len() as i64 <= MAX_COVERAGE_SAMPLES, "{}", samples.len());
        assert!(samples.len() > 100, "{}", samples.len());
        assert_eq!(calls as usize, samples.len());
        let step_s = samples[1].offset_s - samples[0].offset_s;
        assert!(step_s > 3600.0 && step_s % 3600.0 == 0.0, "{step_s}");
        assert!(
            r.notes.iter().any(|n| n.contains("coverage sampled every")),
            "{:?}",
            r.notes
        );
    }
}
