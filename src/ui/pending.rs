//! The pending queue: which incidents wait for a dispatch and how long (fresh → amber → red
//! against configurable limits), the order the incident board lists them in (most urgent first),
//! which county each lies in, and the arrival alert raised for every incident that appears in the
//! situation from any source (another seat, the CLI, a drill inject) until the officer
//! acknowledges it. Pure state and functions over the model: no drawing, no workers, no store.

use std::collections::BTreeSet;

use geo::{Contains, Geometry, MultiPolygon, Point};
use serde::{Deserialize, Serialize};

use crate::mappack::{LayerKind, MapPack};
use crate::model::ids::IncidentId;
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::situation::Situation;

/// How long an undispatched incident may wait before it turns amber, then red, minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PendingLimits {
    /// Amber after this many minutes without a dispatch.
    pub amber_min: f64,
    /// Red after this many minutes without a dispatch.
    pub red_min: f64,
}

impl Default for PendingLimits {
    fn default() -> Self {
        PendingLimits {
            amber_min: 3.0,
            red_min: 7.0,
        }
    }
}

/// How long an incident has waited, against the limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Age {
    /// Dispatched, closed, or waiting less than the amber limit.
    Fresh,
    /// Waiting longer than the amber limit.
    Amber,
    /// Waiting longer than the red limit.
    Red,
}

/// True while an open incident has had no unit dispatched to it.
pub fn waiting(i: &Incident) -> bool {
    matches!(i.status, IncidentStatus::Reported | IncidentStatus::Verified) && i.first_dispatch_utc.is_none()
}

/// Seconds since the incident was reported (0 if its time does not parse).
pub fn elapsed_s(i: &Incident, now_ms: i64) -> f64 {
    crate::time::parse_utc_ms(&i.reported_at_utc).map_or(0.0, |t| ((now_ms - t).max(0)) as f64 / 1000.0)
}

/// The incident's age class: only waiting incidents age.
pub fn age(i: &Incident, now_ms: i64, limits: PendingLimits) -> Age {
    if !waiting(i) {
        return Age::Fresh;
    }
    let min = elapsed_s(i, now_ms) / 60.0;
    if min >= limits.red_min {
        Age::Red
    } else if min >= limits.amber_min {
        Age::Amber
    } else {
        Age::Fresh
    }
}

/// Units committed to the incident.
pub fn assigned_count(sit: &Situation, id: IncidentId) -> usize {
    sit.units.values().filter(|u| u.assignment == Some(id)).count()
}

/// Incidents most urgent first: waiting ones (red, then amber, then fresh; by grade, I first,
/// then longest waiting), then the other open ones by grade and age, closed and cancelled ones
/// last (newest first).
pub fn by_urgency(sit: &Situation, now_ms: i64, limits: PendingLimits) -> Vec<IncidentId> {
    let mut v: Vec<&Incident> = sit.incidents.values().collect();
    v.sort_by(|a, b| {
        let key = |i: &Incident| {
            (
                i.status.is_final(),
                !waiting(i),
                std::cmp::Reverse(age(i, now_ms, limits)),
                i.severity,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| {
                let (ea, eb) = (elapsed_s(a, now_ms), elapsed_s(b, now_ms));
                if a.status.is_final() {
                    ea.total_cmp(&eb)
                } else {
                    eb.total_cmp(&ea)
                }
            })
            .then(a.id.cmp(&b.id))
    });
    v.into_iter().map(|i| i.id).collect()
}

/// New incidents not yet acknowledged by the officer.
#[derive(Debug, Default)]
pub struct Arrivals {
    known: BTreeSet<IncidentId>,
    initialised: bool,
    /// Arrived and not yet acknowledged, oldest first.
    pub unacked: Vec<IncidentId>,
    /// Chimes asked for (one per batch of arrivals while the sound is on).
    pub chimes: u64,
}

impl Arrivals {
    /// Compare the situation with the incidents seen so far; returns those that are new. The
    /// first situation seen (opening the database) raises nothing.
    pub fn observe(&mut self, sit: &Situation) -> Vec<IncidentId> {
        let new: Vec<IncidentId> = sit
            .incidents
            .values()
            .filter(|i| !i.status.is_final() && !self.known.contains(&i.id))
            .map(|i| i.id)
            .collect();
        self.known.extend(sit.incidents.keys().copied());
        if !self.initialised {
            self.initialised = true;
            return Vec::new();
        }
        self.unacked.extend(new.iter().copied());
        new
    }

    /// Forget what was seen (a new database, a drill or a replay starts its own series).
    pub fn reset(&mut self) {
        *self = Arrivals {
            chimes: self.chimes,
            ..Arrivals::default()
        };
    }

    /// The officer has seen this incident.
    pub fn ack(&mut self, id: IncidentId) {
        self.unacked.retain(|x| *x != id);
    }

    /// The officer has seen them all.
    pub fn ack_all(&mut self) {
        self.unacked.clear();
    }
}

/// County polygons of the pack, for naming the county an incident lies in.
#[derive(Debug, Default)]
pub struct Counties(Vec<(String, String, MultiPolygon<f64>)>);

impl Counties {
    /// The county polygons of the pack's boundary layer.
    pub fn from_pack(pack: &MapPack) -> Counties {
        let mut out = Vec::new();
        for layer in pack.layers.iter().filter(|l| l.kind == LayerKind::Boundaries) {
            for f in layer.features() {
                if f.str_prop("level").is_some_and(|l| l != "county") {
                    continue;
                }
                let mp = match &f.geometry {
                    Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
                    Geometry::MultiPolygon(m) => m.clone(),
                    _ => continue,
                };
                let name = |k: &str| f.str_prop(k).unwrap_or_default().to_string();
                out.push((name("name_zh"), name("name_en"), mp));
            }
        }
        Counties(out)
    }

    /// (Chinese, English) name of the county containing the point.
    pub fn of(&self, lonlat: [f64; 2]) -> Option<(&str, &str)> {
        let p = Point::new(lonlat[0], lonlat[1]);
        self.0
            .iter()
            .find(|(_, _, mp)| mp.contains(&p))
            .map(|(zh, en, _)| (zh.as_str(), en.as_str()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::incident::Severity;

    fn incident(id: u32, status: IncidentStatus, severity: Severity, reported: &str) -> Incident {
        Incident {
            id: IncidentId(id),
            incident_type: crate::model::incident::IncidentType::Flood,
            severity,
            lonlat: crate::model::LonLat::from_deg(100.8, 22.0).unwrap(),
            address: String::new(),
            reported_at_utc: reported.to_string(),
            caller: Default::default(),
            status,
            notes: Vec::new(),
            cancel_reason: None,
            duplicate_of: None,
            duplicates: Vec::new(),
            relocations: 0,
            sensitive: false,
            reported_seq: 0,
            updated_seq: 0,
            first_dispatch_utc: (!matches!(status, IncidentStatus::Reported | IncidentStatus::Verified))
                .then(|| reported.to_string()),
            first_arrival_utc: None,
            closed_at_utc: None,
        }
    }

    #[test]
    fn waiting_incidents_age_and_come_first() {
        let now = crate::time::parse_utc_ms("2026-11-30T02:10:00Z").unwrap();
        let mut sit = Situation::default();
        for i in [
            incident(1, IncidentStatus::Dispatched, Severity::I, "2026-11-30T01:00:00Z"),
            incident(2, IncidentStatus::Reported, Severity::IV, "2026-11-30T02:05:00Z"),
            incident(3, IncidentStatus::Reported, Severity::III, "2026-11-30T02:01:00Z"),
            incident(4, IncidentStatus::Closed, Severity::I, "2026-11-30T00:00:00Z"),
            incident(5, IncidentStatus::Verified, Severity::II, "2026-11-30T02:09:00Z"),
        ] {
            sit.incidents.insert(i.id, i);
        }
        let l = PendingLimits::default();
        let ages: Vec<Age> = (1..=5).map(|k| age(&sit.incidents[&IncidentId(k)], now, l)).collect();
        assert_eq!(ages, vec![Age::Fresh, Age::Amber, Age::Red, Age::Fresh, Age::Fresh]);
        let order: Vec<u32> = by_urgency(&sit, now, l).into_iter().map(|i| i.0).collect();
        // Waiting: 3 (9 min), 2 (5 min), 5 (1 min); then open 1; closed 4 last.
        assert_eq!(order, vec![3, 2, 5, 1, 4]);
    }

    #[test]
    fn arrivals_after_the_first_look_are_raised_until_acknowledged() {
        let mut a = Arrivals::default();
        let mut sit = Situation::default();
        let old = incident(1, IncidentStatus::Reported, Severity::IV, "2026-11-30T02:05:00Z");
        sit.incidents.insert(old.id, old);
        assert!(a.observe(&sit).is_empty(), "what the database already held is not news");
        let new = incident(2, IncidentStatus::Reported, Severity::II, "2026-11-30T02:06:00Z");
        sit.incidents.insert(new.id, new);
        assert_eq!(a.observe(&sit), vec![IncidentId(2)]);
        assert!(a.observe(&sit).is_empty(), "raised once");
        assert_eq!(a.unacked, vec![IncidentId(2)]);
        a.ack(IncidentId(2));
        assert!(a.unacked.is_empty());
    }
}
