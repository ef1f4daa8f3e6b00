//! What an arrival means, decided against the folded [`AlertsState`]: CAP messages are
//! de-duplicated on (sender, identifier, sent); Update and Cancel act on every referenced
//! message; an Alert already past its expiry is kept but marked expired; `Exercise` counts only
//! inside a drill; `Test`, `Draft`, `System`, `Ack` and `Error` are logged and ignored.
//! Earthquakes are de-duplicated on their id and every id in `ids`, replaced when `updated` is
//! newer (or, without `updated`, when the solution changed), withdrawn on `deleted`.
//! Also enriches a read CAP message with the pack's type, level and placed areas.
//! Pure; must not import egui, tokio or rusqlite.

use std::collections::BTreeSet;

use super::areas::AreaIndex;
use super::cap::CapAlert;
use super::config::{AlertsConfig, level_in_text};
use crate::model::alert::{AlertDecision, AlertRecord, AlertsState, QuakeArrival, QuakeRecord};

/// The record of a read CAP message with its warning type, colour level and administrative
/// geocodes placed on the pack's areas.
pub fn enrich(cap: &CapAlert, cfg: &AlertsConfig, areas: &AreaIndex) -> AlertRecord {
    let mut rec = cap.record.clone();
    let texts: Vec<&str> = rec
        .infos
        .iter()
        .flat_map(|i| [i.event.as_str(), i.headline.as_str()])
        .collect();
    rec.warning_type = cfg.type_for(&texts, &cap.event_codes).map(|t| t.key.clone());
    rec.level = texts
        .iter()
        .find_map(|t| level_in_text(t))
        .or_else(|| rec.infos.iter().find_map(|i| cfg.level_for_severity(&i.severity)));
    for area in &mut rec.areas {
        area.resolved = area
            .geocodes
            .iter()
            .filter(|(name, _)| cfg.geocode_names.iter().any(|n| n.eq_ignore_ascii_case(name.trim())))
            .map(|(_, value)| areas.resolve(value))
            .collect();
    }
    rec
}

/// Decide about a CAP message. `in_drill`: the arrival belongs to a drill (exercises count).
pub fn decide_cap(state: &AlertsState, rec: &AlertRecord, now_ms: i64, in_drill: bool) -> (AlertDecision, String) {
    if state.alerts.contains_key(&rec.key.text()) {
        return (
            AlertDecision::Duplicate,
            "already received (same sender, identifier, sent)".into(),
        );
    }
    match rec.status.as_str() {
        "Actual" => {}
        "Exercise" if in_drill => {}
        "Exercise" => {
            return (
                AlertDecision::Ignored,
                "status Exercise outside a drill: logged, not shown (import it into a drill)".into(),
            );
        }
        other => return (AlertDecision::Ignored, format!("status {other}: logged, not shown")),
    }
    match rec.msg_type.as_str() {
        "Update" => (AlertDecision::Update, String::new()),
        "Cancel" => (AlertDecision::Cancel, String::new()),
        "Alert" => match rec.expires_ms {
            Some(e) if e <= now_ms => (AlertDecision::Expired, "already past its expiry when it arrived".into()),
            _ => (AlertDecision::New, String::new()),
        },
        other => (AlertDecision::Ignored, format!("msgType {other}: logged, not shown")),
    }
}

/// Decide about every earthquake of a catalogue (in file order; repeats within it are duplicates).
pub fn decide_quakes(state: &AlertsState, quakes: &[QuakeRecord]) -> Vec<QuakeArrival> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    quakes
        .iter()
        .map(|q| {
            let all_ids: Vec<&String> = q.ids.iter().chain(std::iter::once(&q.id)).collect();
            let decision = if all_ids.iter().any(|id| seen.contains(*id)) {
                AlertDecision::Duplicate
            } else {
                match state.quake_by_any_id(all_ids.iter().copied()) {
                    None => {
                        if q.status == "deleted" {
                            AlertDecision::Cancel
                        } else {
                            AlertDecision::New
                        }
                    }
                    Some(known) if q.status == "deleted" => {
                        if known.withdrawn {
                            AlertDecision::Duplicate
                        } else {
                            AlertDecision::Cancel
                        }
                    }
                    Some(known) => {
                        let newer = match (q.updated_ms, known.quake.updated_ms) {
                            (Some(a), Some(b)) => a > b,
                            (Some(_), None) => true,
                            (None, _) => false,
                        };
                        let changed = q.magnitude != known.quake.magnitude
                            || q.lonlat != known.quake.lonlat
                            || q.provisional != known.quake.provisional;
                        // Without `updated` (CENC), a changed solution is the newer one.
                        if newer || (changed && q.updated_ms.is_none()) {
                            AlertDecision::Update
                        } else {
                            AlertDecision::Duplicate
                        }
                    }
                }
            };
            for id in all_ids {
                seen.insert(id.clone());
            }
            QuakeArrival {
                quake: q.clone(),
                decision,
            }
        })
        .collect()
}

/// The most significant decision of a catalogue: new > update > cancel > duplicate.
pub fn summary_decision(quakes: &[QuakeArrival]) -> AlertDecision {
    [
        AlertDecision::New,
        AlertDecision::Update,
        AlertDecision::Cancel,
        AlertDecision::Duplicate,
    ]
    .into_iter()
    .find(|d| quakes.iter().any(|q| q.decision == *d))
    .unwrap_or(AlertDecision::Ignored)
}
