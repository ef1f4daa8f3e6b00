//! The after-action report: built from a base situation plus the events to report on (a drill's
//! events, or a real period), never from the wall clock. Per incident: report → first dispatch →
//! first arrival → all arrived → closed, each interval scored against the response plan's
//! targets; per unit its leg (dispatch, arrival, road distance); who did what when (operator,
//! seat); an optional coverage series (hook for `crate::coverage`). Output as deterministic JSON
//! (BTreeMaps, floats rounded to 0.1), CSV, or one self-contained HTML page with inline SVG (map
//! and charts, no external URL). Must not import egui, tokio or rusqlite.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::csv_io::{CsvError, CsvWriter};
use crate::dispatch::plans::Limit;
use crate::dispatch::{Geography, Plans};
use crate::mappack::{LayerKind, MapPack};
use crate::model::{Event, EventKind, IncidentId, IncidentStatus, Situation, UnitId, UnitStatus, fold};
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
    /// Extra notes (simulator notes, caveats).
    pub notes: Vec<String>,
    /// Coverage sampler, called hourly (simulated time) over the reported period.
    pub coverage: Option<CoverageHook<'a>>,
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
    /// Target limit, s.
    pub target_s: Option<f64>,
    /// Met (`None` when unscored); a missing end with a target counts as not met.
    pub met: Option<bool>,
}

/// One target checked for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitTarget {
    /// Target name.
    pub name: String,
    /// English label.
    pub en: String,
    /// Time limit, s.
    pub limit_s: Option<f64>,
    /// Distance limit, m.
    pub limit_m: Option<f64>,
    /// Measured value (s from the report, or road m).
    pub value: Option<f64>,
    /// Met.
    pub met: bool,
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
    /// Grade.
    pub grade: String,
    /// Address.
    pub address: String,
    /// Position.
    pub lonlat: [f64; 2],
    /// Urban (within the urban radius of a seat).
    pub urban: bool,
    /// Plan used for the targets.
    pub plan: Option<String>,
    /// Status at the end of the period.
    pub final_status: String,
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
    /// Items and quantities (`tent×100, quilt×400`).
    pub items: String,
    /// First reservation, UTC.
    pub reserved_utc: String,
    /// Road ETA warehouse → scene, s (with a router).
    pub eta_s: Option<f64>,
    /// Report → estimated delivery (reservation + ETA; loading time not modelled), s.
    pub delivery_s: Option<f64>,
    /// Supply target name.
    pub target: Option<String>,
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
    /// Outline for the map (not in JSON).
    #[serde(skip)]
    pub outline_lonlat: Vec<Vec<[f64; 2]>>,
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
                next_sample += 3_600_000;
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
            summary: summarize(&ev.kind, &sit),
        });
        if let Err(e) = fold(&mut sit, ev) {
            input
                .notes
                .push(format!("event seq {} ({}) skipped: {e}", ev.seq, ev.kind.tag()));
            sit.last_seq = sit.last_seq.max(ev.seq);
        }
    }
    let mut score = Score { met: 0, missed: 0 };
    let mut incidents = Vec::new();
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
        let mk = |name: &str, zh: &str, en: &str, secs: Option<f64>, target: Option<&(String, f64)>| {
            let met = target.map(|(_, l)| secs.is_some_and(|s| s <= *l));
            Interval {
                name: name.into(),
                zh: zh.into(),
                en: en.into(),
                seconds: secs,
                target: target.map(|t| t.0.clone()),
                target_s: target.map(|t| t.1),
                met,
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
                        limit_s: Some(limit_s),
                        limit_m: None,
                        value: response_s,
                        met: response_s.is_some_and(|s| s <= limit_s),
                    },
                    Limit::Distance { urban_m, rural_m } => {
                        let l = if urban { urban_m } else { rural_m };
                        UnitTarget {
                            name: t.name.clone(),
                            en: t.en.clone(),
                            limit_s: None,
                            limit_m: Some(l),
                            value: distance_m,
                            met: distance_m.is_some_and(|d| d <= l),
                        }
                    }
                };
                if ut.met {
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
                items: items
                    .iter()
                    .map(|(k, q)| format!("{k}×{q}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                reserved_utc: format_utc_ms(*reserved_ms),
                eta_s,
                delivery_s,
                target: supply_target.as_ref().map(|t| t.0.clone()),
                target_s: supply_target.as_ref().map(|t| t.1),
                met,
            });
        }
        incidents.push(IncidentReport {
            incident: *id,
            incident_type: inc.incident_type.code().to_owned(),
            type_zh: inc.incident_type.name_zh().to_owned(),
            grade: inc.severity.code().to_owned(),
            address: inc.address.clone(),
            lonlat: [round6(at[0]), round6(at[1])],
            urban,
            plan: plan.map(|p| format!("{} (plans.toml:{})", p.title, p.line)),
            final_status: inc.status.code().to_owned(),
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
    if let Some(r) = input.router.as_deref_mut() {
        r.clear_closures();
    }
    if schematic {
        input.notes.push(
            "SCHEMATIC road network: every travel time and distance is an estimate / 示意路网，时间均为估算".into(),
        );
    }
    Report {
        title: input.title,
        drill_id: input.drill_id,
        start_utc: format_utc_ms(start_ms),
        end_utc: format_utc_ms(end_ms),
        duration_s: r1((end_ms - start_ms) as f64 / 1000.0),
        schematic,
        score,
        incidents,
        actions,
        coverage,
        road_closures: closures,
        notes: input.notes,
        outline_lonlat: input.outline_lonlat,
    }
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

/// One line saying what an event did, with call signs and names from the situation before it.
pub fn summarize(kind: &EventKind, sit: &Situation) -> String {
    let unit = |u: &UnitId| sit.units.get(u).map_or(u.to_string(), |x| x.spec.callsign.clone());
    match kind {
        EventKind::IncidentReported {
            incident,
            incident_type,
            severity,
            address,
            ..
        } => format!(
            "{incident} reported: {} grade {} at {address}",
            incident_type.code(),
            severity.code()
        ),
        EventKind::IncidentVerified { incident, .. } => format!("{incident} verified"),
        EventKind::IncidentStatusChanged { incident, to } => format!("{incident} → {}", to.code()),
        EventKind::UnitDispatched { unit: u, incident } => format!("{} dispatched to {incident}", unit(u)),
        EventKind::UnitStatusChanged { unit: u, to } => format!("{} → {}", unit(u), to.code()),
        EventKind::UnitReleased { unit: u } => format!("{} released", unit(u)),
        EventKind::UnitPositionReported { unit: u, lonlat } => {
            format!("{} at {:.5}, {:.5}", unit(u), lonlat.lon_deg(), lonlat.lat_deg())
        }
        EventKind::StockReserved {
            warehouse,
            item_code,
            quantity,
            incident,
        } => {
            let w = sit
                .warehouses
                .get(warehouse)
                .map_or(warehouse.to_string(), |w| w.spec.external_id.clone());
            let to = incident.map(|i| format!(" for {i}")).unwrap_or_default();
            format!("{quantity} {item_code} reserved at {w}{to}")
        }
        EventKind::StockLineSet {
            warehouse,
            item_code,
            quantity,
            ..
        } => {
            let w = sit
                .warehouses
                .get(warehouse)
                .map_or(warehouse.to_string(), |w| w.spec.external_id.clone());
            format!("{w} {item_code} on hand set to {quantity}")
        }
        EventKind::ShelterOccupancyChanged { shelter, occupancy } => {
            let s = sit.shelters.get(shelter);
            let name = s.map_or(shelter.to_string(), |s| s.spec.external_id.clone());
            let cap = s.map(|s| format!(" / {}", s.spec.capacity)).unwrap_or_default();
            format!("{name} occupancy {occupancy}{cap}")
        }
        EventKind::RoadClosed { label, .. } => format!("road closed: {label}"),
        EventKind::DrillStarted { drill_id, name } => format!("drill {drill_id} started: {name}"),
        EventKind::DrillEnded { drill_id } => format!("drill {drill_id} ended"),
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

/// Seconds as "1 h 05 min" / "12 min 30 s".
pub fn fmt_secs(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    if s >= 3600 {
        format!("{} h {:02} min", s / 3600, (s / 60) % 60)
    } else {
        let mut out = String::new();
        let _ = write!(out, "{} min {:02} s", s / 60, s % 60);
        out
    }
}
