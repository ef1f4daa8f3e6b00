//! The deterministic discrete-event drill simulator. It holds the drill's situation, a queue of
//! timed actions (injects, automatic dispatch, units rolling out and arriving per road ETA,
//! incidents closing, units returning) and emits [`Batch`]es of `EventKind`s stamped with
//! SIMULATED time. It never writes anything: the caller appends each batch (to a store, or to a
//! plain list in tests) and feeds the logged events back through [`Simulator::observe`], so the
//! simulator always reasons over exactly what was logged — including the operator's own events
//! when a console drives a drill by hand. Same scenario + seed + situation ⇒ same batches.
//! Must not import egui, tokio or rusqlite.

use std::collections::{BTreeMap, BTreeSet};

use super::DrillError;
use super::scenario::{InjectKind, Resolved, Scenario};
use crate::dispatch::{DispatchRequest, Geography, Plans, RecommendOptions, dispatch, recommend};
use crate::model::{Caller, Event, EventKind, IncidentId, IncidentStatus, LonLat, Situation, UnitId, UnitStatus, fold};
use crate::roads::router::Router;

/// Who the simulator's events are logged as, and whether it plays the dispatcher.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOptions {
    /// Dispatch, roll out, arrive, close and return automatically (`--auto`); otherwise only
    /// injects fire and the operator does the rest.
    pub auto: bool,
    /// Operator name of the exercise director (injects).
    pub director: String,
    /// Operator name of automatic actions.
    pub auto_operator: String,
    /// Seat of every simulated event.
    pub seat: String,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            auto: false,
            director: "drill-director".into(),
            auto_operator: "drill-auto".into(),
            seat: "drill-sim".into(),
        }
    }
}

/// Events to log together at one simulated moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Simulated time, ms since the Unix epoch.
    pub t_ms: i64,
    /// Operator to log them as.
    pub operator: String,
    /// Seat to log them from.
    pub seat: String,
    /// The events, in order (all or nothing).
    pub kinds: Vec<EventKind>,
}

/// A unit travelling along a road route.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Movement {
    /// Unit.
    pub unit: UnitId,
    /// Incident it drives to (`None` when returning home).
    pub incident: Option<IncidentId>,
    /// Leaves at, ms.
    pub depart_ms: i64,
    /// Arrives at, ms.
    pub arrive_ms: i64,
    /// Road length incl. off-road legs, m.
    pub distance_m: f64,
    /// Geometry `[lon, lat]` from start to destination.
    pub route_lonlat: Vec<[f64; 2]>,
}

impl Movement {
    /// Position at `t_ms`: at the start before departure, at the end after arrival, else
    /// interpolated along the route by the share of travel time elapsed.
    pub fn position_at(&self, t_ms: i64) -> [f64; 2] {
        let first = self.route_lonlat.first().copied().unwrap_or([0.0, 0.0]);
        let last = self.route_lonlat.last().copied().unwrap_or(first);
        if t_ms <= self.depart_ms || self.route_lonlat.len() < 2 {
            return if t_ms >= self.arrive_ms { last } else { first };
        }
        if t_ms >= self.arrive_ms {
            return last;
        }
        let f = (t_ms - self.depart_ms) as f64 / (self.arrive_ms - self.depart_ms).max(1) as f64;
        along(&self.route_lonlat, f)
    }
}

/// The point at fraction `f` of a polyline's length.
fn along(line: &[[f64; 2]], f: f64) -> [f64; 2] {
    let lens: Vec<f64> = line.windows(2).map(|w| crate::geom::haversine_m(w[0], w[1])).collect();
    let total: f64 = lens.iter().sum();
    let mut left = f.clamp(0.0, 1.0) * total;
    for (w, l) in line.windows(2).zip(&lens) {
        if left <= *l && *l > 0.0 {
            let t = left / l;
            return [w[0][0] + (w[1][0] - w[0][0]) * t, w[0][1] + (w[1][1] - w[0][1]) * t];
        }
        left -= l;
    }
    line.last().copied().unwrap_or([0.0, 0.0])
}

#[derive(Debug, Clone, PartialEq)]
enum Action {
    End,
    Inject(usize),
    AutoDispatch(IncidentId),
    EnRoute(UnitId, IncidentId),
    Arrive(UnitId, IncidentId),
    IncidentOnScene(IncidentId),
    Close(IncidentId),
    BackHome(UnitId),
}

/// SplitMix64: tiny, seedable, good enough for jitter.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The drill simulator (see the module docs).
pub struct Simulator {
    scenario: Scenario,
    resolved: Vec<Resolved>,
    plans: Plans,
    router: Router,
    geography: Geography,
    opts: SimOptions,
    sit: Situation,
    now_ms: i64,
    queue: BTreeMap<(i64, u64), Action>,
    counter: u64,
    rng: u64,
    moves: BTreeMap<UnitId, Movement>,
    home: BTreeMap<UnitId, LonLat>,
    committed: BTreeMap<IncidentId, BTreeSet<UnitId>>,
    affected: BTreeMap<IncidentId, u32>,
    close_scheduled: BTreeSet<IncidentId>,
    closed_pieces: BTreeSet<u32>,
    notes: Vec<(i64, String)>,
    finished: bool,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("scenario", &self.scenario.id)
            .field("now_ms", &self.now_ms)
            .field("queued", &self.queue.len())
            .finish()
    }
}

impl Simulator {
    /// A simulator for `scenario` over `sit` (the drill's situation right after its start:
    /// real master data plus nothing of the drill yet). Fails when a scenario name does not
    /// resolve (error names the line).
    pub fn new(
        scenario: Scenario,
        plans: Plans,
        router: Router,
        geography: Geography,
        sit: Situation,
        opts: SimOptions,
    ) -> Result<Simulator, DrillError> {
        let resolved = scenario.resolve(&sit)?;
        let home = sit.units.values().map(|u| (u.id, u.lonlat)).collect();
        let mut sim = Simulator {
            now_ms: scenario.start_ms,
            rng: scenario.seed ^ 0x6F6E_656D_6170,
            resolved,
            plans,
            router,
            geography,
            opts,
            sit,
            queue: BTreeMap::new(),
            counter: 0,
            moves: BTreeMap::new(),
            home,
            committed: BTreeMap::new(),
            affected: BTreeMap::new(),
            close_scheduled: BTreeSet::new(),
            closed_pieces: BTreeSet::new(),
            notes: Vec::new(),
            finished: false,
            scenario,
        };
        if let Some(end) = sim.scenario.end_s {
            sim.schedule(sim.at_offset(end), Action::End);
        }
        for i in 0..sim.scenario.injects.len() {
            let t = sim.at_offset(sim.scenario.injects[i].at_s);
            sim.schedule(t, Action::Inject(i));
        }
        Ok(sim)
    }

    fn at_offset(&self, s: u64) -> i64 {
        self.scenario
            .start_ms
            .saturating_add(i64::try_from(s.saturating_mul(1000)).unwrap_or(i64::MAX))
    }

    fn schedule(&mut self, t_ms: i64, a: Action) {
        self.counter += 1;
        self.queue.insert((t_ms, self.counter), a);
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Simulated now, ms since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// The drill's situation as observed so far.
    pub fn situation(&self) -> &Situation {
        &self.sit
    }

    /// Time of the next queued action; `None` when the drill has nothing left to do.
    pub fn next_due_ms(&self) -> Option<i64> {
        if self.finished {
            return None;
        }
        self.queue.keys().next().map(|k| k.0)
    }

    /// True once the end was reached or nothing is left to do.
    pub fn is_finished(&self) -> bool {
        self.finished || self.queue.is_empty()
    }

    /// Notes of the simulator (shortfalls, unreachable units, skipped injects), with their time.
    pub fn notes(&self) -> &[(i64, String)] {
        &self.notes
    }

    /// Units on the move (or parked after arriving) and their routes.
    pub fn movements(&self) -> &BTreeMap<UnitId, Movement> {
        &self.moves
    }

    /// Where every moving unit is at `t_ms` (the console draws these between events).
    pub fn unit_positions_at(&self, t_ms: i64) -> Vec<(UnitId, [f64; 2])> {
        self.moves.iter().map(|(u, m)| (*u, m.position_at(t_ms))).collect()
    }

    /// Road pieces closed so far in this drill.
    pub fn closed_pieces(&self) -> Vec<u32> {
        self.closed_pieces.iter().copied().collect()
    }

    /// The next batch due at or before `until_ms`, advancing simulated time to it; `None` when
    /// nothing is due yet (time advances to `until_ms`) or the drill is over.
    pub fn next_batch(&mut self, until_ms: i64) -> Result<Option<Batch>, DrillError> {
        while !self.finished {
            let Some((&(t, c), _)) = self.queue.iter().next() else {
                break;
            };
            if t > until_ms {
                break;
            }
            let Some(action) = self.queue.remove(&(t, c)) else {
                break;
            };
            self.now_ms = self.now_ms.max(t);
            let (operator, kinds) = self.act(action)?;
            if !kinds.is_empty() {
                return Ok(Some(Batch {
                    t_ms: self.now_ms,
                    operator,
                    seat: self.opts.seat.clone(),
                    kinds,
                }));
            }
        }
        if !self.finished && until_ms > self.now_ms && until_ms != i64::MAX {
            self.now_ms = until_ms;
        }
        Ok(None)
    }

    fn note(&mut self, text: String) {
        self.notes.push((self.now_ms, text));
    }

    fn act(&mut self, action: Action) -> Result<(String, Vec<EventKind>), DrillError> {
        let director = self.opts.director.clone();
        let auto = self.opts.auto_operator.clone();
        let now_utc = crate::time::format_utc_ms(self.now_ms);
        let kinds = match action {
            Action::End => {
                self.finished = true;
                self.queue.clear();
                return Ok((director, Vec::new()));
            }
            Action::Inject(i) => return Ok((director, self.inject(i, now_utc))),
            Action::AutoDispatch(inc) => self.auto_dispatch(inc),
            Action::EnRoute(u, inc) => match self.sit.units.get(&u) {
                Some(x) if x.status == UnitStatus::Dispatched && x.assignment == Some(inc) => {
                    vec![EventKind::UnitStatusChanged {
                        unit: u,
                        to: UnitStatus::EnRoute,
                    }]
                }
                _ => Vec::new(),
            },
            Action::Arrive(u, inc) => {
                let scene = self.sit.incidents.get(&inc).map(|i| i.lonlat);
                match (self.sit.units.get(&u), scene) {
                    (Some(x), Some(lonlat)) if x.status == UnitStatus::EnRoute && x.assignment == Some(inc) => vec![
                        EventKind::UnitPositionReported { unit: u, lonlat },
                        EventKind::UnitStatusChanged {
                            unit: u,
                            to: UnitStatus::OnScene,
                        },
                    ],
                    _ => Vec::new(),
                }
            }
            Action::IncidentOnScene(inc) => match self.sit.incidents.get(&inc) {
                Some(i) if i.status == IncidentStatus::Dispatched => vec![EventKind::IncidentStatusChanged {
                    incident: inc,
                    to: IncidentStatus::OnScene,
                }],
                _ => Vec::new(),
            },
            Action::Close(inc) => match self.sit.incidents.get(&inc).map(|i| i.status) {
                Some(IncidentStatus::OnScene) => vec![
                    EventKind::IncidentStatusChanged {
                        incident: inc,
                        to: IncidentStatus::UnderControl,
                    },
                    EventKind::IncidentStatusChanged {
                        incident: inc,
                        to: IncidentStatus::Closed,
                    },
                ],
                Some(IncidentStatus::UnderControl) => vec![EventKind::IncidentStatusChanged {
                    incident: inc,
                    to: IncidentStatus::Closed,
                }],
                _ => Vec::new(),
            },
            Action::BackHome(u) => match (self.sit.units.get(&u), self.home.get(&u)) {
                (Some(x), Some(home)) if x.status == UnitStatus::Returning => vec![
                    EventKind::UnitPositionReported { unit: u, lonlat: *home },
                    EventKind::UnitStatusChanged {
                        unit: u,
                        to: UnitStatus::Available,
                    },
                ],
                _ => Vec::new(),
            },
        };
        Ok((auto, kinds))
    }

    fn inject(&mut self, i: usize, now_utc: String) -> Vec<EventKind> {
        let Some(inj) = self.scenario.injects.get(i).cloned() else {
            return Vec::new();
        };
        let resolved = self.resolved.get(i).cloned();
        match (&inj.what, resolved) {
            (
                InjectKind::Incident {
                    incident_type,
                    severity,
                    lonlat,
                    address,
                    affected,
                    note,
                },
                _,
            ) => {
                let id = self.sit.next_incident_id();
                if let Some(a) = affected {
                    self.affected.insert(id, *a);
                }
                vec![EventKind::IncidentReported {
                    incident: id,
                    incident_type: *incident_type,
                    severity: *severity,
                    lonlat: *lonlat,
                    address: address.clone(),
                    reported_at_utc: now_utc,
                    caller: Caller {
                        name: "演练导调 exercise control".into(),
                        phone: String::new(),
                    },
                    notes: note.clone(),
                }]
            }
            (InjectKind::UnitUnavailable { unit }, Some(Resolved::Unit(u))) => {
                let Some(x) = self.sit.units.get(&u) else {
                    return Vec::new();
                };
                let out = EventKind::UnitStatusChanged {
                    unit: u,
                    to: UnitStatus::OutOfService,
                };
                match x.status {
                    s if s.is_committed() => vec![EventKind::UnitReleased { unit: u }, out],
                    UnitStatus::Available | UnitStatus::Returning => vec![out],
                    s => {
                        self.note(format!("line {}: unit {unit} is already {s}", inj.line));
                        Vec::new()
                    }
                }
            }
            (InjectKind::RoadClosed { road, from, to }, _) => vec![EventKind::RoadClosed {
                label: road.clone(),
                from: *from,
                to: *to,
            }],
            (InjectKind::StockShort { item, quantity, .. }, Some(Resolved::Stock(w))) => {
                let Some(line) = self.sit.warehouses.get(&w).and_then(|x| x.stock.get(item)) else {
                    return Vec::new();
                };
                vec![EventKind::StockLineSet {
                    warehouse: w,
                    item_code: item.clone(),
                    name_zh: line.name_zh.clone(),
                    name_en: line.name_en.clone(),
                    unit: line.unit.clone(),
                    quantity: (*quantity).max(line.reserved),
                    demo: line.demo,
                }]
            }
            (InjectKind::ShelterFull { occupancy, .. }, Some(Resolved::Shelter(s))) => {
                let Some(x) = self.sit.shelters.get(&s) else {
                    return Vec::new();
                };
                let occ = occupancy.unwrap_or(x.spec.capacity);
                if !x.spec.open && occ > x.occupancy {
                    self.note(format!("line {}: shelter {} is closed", inj.line, x.spec.external_id));
                    return Vec::new();
                }
                vec![EventKind::ShelterOccupancyChanged {
                    shelter: s,
                    occupancy: occ,
                }]
            }
            _ => Vec::new(),
        }
    }

    fn auto_dispatch(&mut self, inc: IncidentId) -> Vec<EventKind> {
        if self.sit.incidents.get(&inc).is_none_or(|i| i.status.is_final()) {
            return Vec::new();
        }
        let opts = RecommendOptions {
            geography: self.geography.clone(),
            affected: self.affected.get(&inc).copied(),
            supplies: None,
        };
        let rec = match recommend(&self.sit, &mut self.router, &self.plans, inc, &opts) {
            Ok(r) => r,
            Err(e) => {
                self.note(format!("{inc}: no recommendation: {e}"));
                return Vec::new();
            }
        };
        for r in &rec.requirements {
            if r.shortfall > 0 || r.filled.iter().any(|s| !s.on_time) {
                let m = format!("{inc}: {}", r.message_en);
                self.note(m);
            }
        }
        let reserve: Vec<_> = rec
            .supplies
            .iter()
            .flat_map(|s| {
                s.allocations
                    .iter()
                    .map(|a| (a.warehouse, s.item_code.clone(), a.quantity))
            })
            .collect();
        for s in rec.supplies.iter().filter(|s| s.unmet > 0) {
            let m = format!("{inc}: {}", s.message_en);
            self.note(m);
        }
        let req = DispatchRequest {
            incident: inc,
            units: rec.unit_ids(),
            reserve,
            reassign: false,
        };
        match dispatch(&self.sit, &req) {
            Ok(kinds) => kinds,
            Err(e) => {
                self.note(format!("{inc}: not dispatched: {e}"));
                Vec::new()
            }
        }
    }

    /// Folds logged events (the batch just appended, or the operator's own) into the drill's
    /// situation and reacts: schedules dispatch, movements, closing and return per the settings.
    /// Events of other drills are ignored. Events that no longer apply are noted, not fatal.
    pub fn observe(&mut self, events: &[Event]) {
        for ev in events {
            if ev.seq <= self.sit.last_seq {
                continue;
            }
            let in_scope = self.sit.in_scope(ev);
            if let Err(e) = fold(&mut self.sit, ev) {
                self.note(format!("event seq {} ({}) not applied: {e}", ev.seq, ev.kind.tag()));
                self.sit.last_seq = ev.seq;
                continue;
            }
            if in_scope {
                self.react(ev);
            }
        }
    }

    fn jittered(&mut self, s: f64) -> f64 {
        let u = (splitmix(&mut self.rng) >> 11) as f64 / (1u64 << 53) as f64;
        s * (1.0 + self.scenario.settings.jitter * (2.0 * u - 1.0))
    }

    fn ms(s: f64) -> i64 {
        (s * 1000.0).round() as i64
    }

    fn react(&mut self, ev: &Event) {
        let auto = self.opts.auto;
        let now = self.now_ms;
        let settings = self.scenario.settings.clone();
        match &ev.kind {
            EventKind::IncidentReported { incident, .. } if auto => {
                self.schedule(
                    now + Self::ms(settings.call_handling_s),
                    Action::AutoDispatch(*incident),
                );
            }
            EventKind::UnitDispatched { unit, incident } => {
                self.committed.entry(*incident).or_default().insert(*unit);
                let from = self.sit.units.get(unit).map(|u| u.lonlat.lonlat());
                let to = self.sit.incidents.get(incident).map(|i| i.lonlat.lonlat());
                let (Some(from), Some(to)) = (from, to) else { return };
                match self.router.route_lonlat(from, to) {
                    Ok(r) => {
                        let depart = now + Self::ms(settings.turnout_s);
                        let arrive = depart + Self::ms(r.eta_s);
                        let mut route_lonlat = vec![from];
                        route_lonlat.extend(r.geometry_lonlat.iter().copied());
                        route_lonlat.push(to);
                        self.moves.insert(
                            *unit,
                            Movement {
                                unit: *unit,
                                incident: Some(*incident),
                                depart_ms: depart,
                                arrive_ms: arrive,
                                distance_m: r.dist_m + r.offroad_dist_m,
                                route_lonlat,
                            },
                        );
                        if auto {
                            self.schedule(depart, Action::EnRoute(*unit, *incident));
                            self.schedule(arrive, Action::Arrive(*unit, *incident));
                        }
                    }
                    Err(e) => self.note(format!("{unit} cannot reach {incident}: {e}")),
                }
            }
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::OnScene,
            } if auto => {
                let Some(inc) = self.sit.units.get(unit).and_then(|u| u.assignment) else {
                    return;
                };
                self.schedule(now, Action::IncidentOnScene(inc));
                self.maybe_schedule_close(inc);
            }
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::OutOfService,
            } => {
                self.moves.remove(unit);
                for inc in self.committed.keys().copied().collect::<Vec<_>>() {
                    if auto {
                        self.maybe_schedule_close(inc);
                    }
                }
            }
            EventKind::IncidentStatusChanged {
                incident,
                to: IncidentStatus::Closed,
            } => {
                let units: Vec<UnitId> = self
                    .committed
                    .remove(incident)
                    .map(|s| s.into_iter().collect())
                    .unwrap_or_default();
                for u in units {
                    let (Some(x), Some(home)) = (self.sit.units.get(&u), self.home.get(&u).copied()) else {
                        continue;
                    };
                    if x.status != UnitStatus::Returning {
                        continue;
                    }
                    let from = x.lonlat.lonlat();
                    let back = self.router.route_lonlat(from, home.lonlat());
                    let (eta_s, dist, geom) = match back {
                        Ok(r) => (r.eta_s, r.dist_m + r.offroad_dist_m, r.geometry_lonlat),
                        Err(_) => (0.0, 0.0, Vec::new()),
                    };
                    let mut route_lonlat = vec![from];
                    route_lonlat.extend(geom);
                    route_lonlat.push(home.lonlat());
                    self.moves.insert(
                        u,
                        Movement {
                            unit: u,
                            incident: None,
                            depart_ms: now,
                            arrive_ms: now + Self::ms(eta_s),
                            distance_m: dist,
                            route_lonlat,
                        },
                    );
                    if auto {
                        self.schedule(now + Self::ms(eta_s), Action::BackHome(u));
                    }
                }
            }
            EventKind::UnitStatusChanged {
                unit,
                to: UnitStatus::Available,
            } => {
                self.moves.remove(unit);
            }
            EventKind::RoadClosed { label, from, to } => match self.router.pieces_between(from.lonlat(), to.lonlat()) {
                Ok(pieces) => {
                    self.closed_pieces.extend(pieces);
                    let all: Vec<u32> = self.closed_pieces.iter().copied().collect();
                    self.router.set_closures(&all);
                }
                Err(e) => self.note(format!("road \"{label}\" not closed: {e}")),
            },
            _ => {}
        }
    }

    /// Close the incident after the on-scene time once every committed unit that can get there
    /// is there.
    fn maybe_schedule_close(&mut self, inc: IncidentId) {
        if self.close_scheduled.contains(&inc) {
            return;
        }
        let assigned: Vec<&crate::model::Unit> =
            self.sit.units.values().filter(|u| u.assignment == Some(inc)).collect();
        let any_there = assigned.iter().any(|u| u.status == UnitStatus::OnScene);
        let all_there = assigned
            .iter()
            .all(|u| u.status == UnitStatus::OnScene || !self.moves.contains_key(&u.id));
        if any_there && all_there {
            self.close_scheduled.insert(inc);
            let d = self.jittered(self.scenario.settings.on_scene_s);
            let t = self.now_ms + Self::ms(d);
            self.schedule(t, Action::Close(inc));
        }
    }

    /// Runs to the end without a store: each batch becomes events numbered after the
    /// situation's last seq (tests, previews). Returns every event, in order.
    pub fn run_to_end(&mut self, drill_id: &str) -> Result<Vec<Event>, DrillError> {
        let mut all = Vec::new();
        while let Some(due) = self.next_due_ms() {
            let Some(batch) = self.next_batch(due)? else { continue };
            let ts = crate::time::format_utc_ms(batch.t_ms);
            let base = self.sit.last_seq;
            let events: Vec<Event> = batch
                .kinds
                .into_iter()
                .enumerate()
                .map(|(i, kind)| Event {
                    seq: base + 1 + i as u64,
                    ts_utc: ts.clone(),
                    operator: batch.operator.clone(),
                    seat: batch.seat.clone(),
                    drill_id: Some(drill_id.to_owned()),
                    kind,
                })
                .collect();
            self.observe(&events);
            all.extend(events);
        }
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn movement_interpolates_along_the_route() {
        let m = Movement {
            unit: UnitId(1),
            incident: None,
            depart_ms: 1000,
            arrive_ms: 3000,
            distance_m: 0.0,
            route_lonlat: vec![[100.0, 22.0], [100.1, 22.0], [100.1, 22.1]],
        };
        assert_eq!(m.position_at(0), [100.0, 22.0]);
        assert_eq!(m.position_at(5000), [100.1, 22.1]);
        let mid = m.position_at(2000);
        assert!(
            (mid[0] - 100.1).abs() < 1e-9 && mid[1] > 22.0 && mid[1] < 22.01,
            "{mid:?}"
        );
    }

    #[test]
    fn splitmix_is_deterministic() {
        let (mut a, mut b) = (42, 42);
        assert_eq!(splitmix(&mut a), splitmix(&mut b));
        assert_ne!(splitmix(&mut a), splitmix(&mut a.wrapping_add(1)));
    }
}
