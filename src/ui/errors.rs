//! The console's words for the typed errors its workers answer with: every kind an officer can
//! meet at the console (no road near a point, no route, no plan, a busy or stopped worker, a
//! refused dispatch) in the officer's language through the i18n table, with the error's own
//! figures; the rest (file and database faults, coverage internals) keeps the library's text
//! after a translated lead ("路线计算失败：…"). Pure: imports no panel and no worker.

use super::i18n::{Lang, Msg, tr};
use crate::backend::jobs::JobError;
use crate::backend::store::Refused;
use crate::coverage::{CoverageError, ForceType};
use crate::dispatch::DispatchError;
use crate::dispatch::recommend::RecommendError;
use crate::model::ids::{IncidentId, UnitId};
use crate::model::names::{DisplayNames, incident_label};
use crate::roads::router::RoadsError;
use crate::roads::search::RouteError;
use crate::roads::snap::SnapError;

/// `msg` with `{key}` replaced by each value.
fn fill(lang: Lang, msg: Msg, values: &[(&str, String)]) -> String {
    values
        .iter()
        .fold(tr(lang, msg).to_string(), |s, (k, v)| s.replace(&format!("{{{k}}}"), v))
}

fn incident(id: IncidentId) -> String {
    incident_label(id, false)
}

fn unit(id: UnitId, callsign: &str) -> String {
    if callsign.is_empty() {
        format!("#{}", id.0)
    } else {
        callsign.to_string()
    }
}

fn item(code: &str, lang: Lang) -> String {
    let n = DisplayNames::default().item(code);
    lang.pick(&n.zh, &n.en).to_string()
}

fn lead(lang: Lang, msg: Msg, detail: &dyn std::fmt::Display) -> String {
    format!("{}{} {detail}", tr(lang, msg), lang.pick("：", ":"))
}

/// A routing, suggestion or coverage job's error for the officer.
pub fn job_error(e: &JobError, lang: Lang) -> String {
    match e {
        JobError::Roads(r) => roads_error(r, lang),
        JobError::Recommend(r) => recommend_error(r, lang),
        JobError::Coverage(c) => lead(lang, Msg::ErrCoverage, &coverage_error(c, lang)),
        JobError::NoPlans => tr(lang, Msg::NoPlans).to_string(),
        JobError::NoRoads => tr(lang, Msg::NoRoads).to_string(),
        JobError::Busy => tr(lang, Msg::ErrRoutingBusy).to_string(),
        JobError::Stopped => tr(lang, Msg::ErrRoutingStopped).to_string(),
        JobError::Spawn(io) => lead(lang, Msg::ErrRouting, io),
    }
}

/// A road search's error: no road near a point, no connection, else the library's text.
pub fn roads_error(e: &RoadsError, lang: Lang) -> String {
    match e {
        RoadsError::Snap(SnapError::NoRoadWithin {
            lon,
            lat,
            max_km,
            nearest_km,
        }) => fill(
            lang,
            Msg::ErrNoRoadNear,
            &[
                ("lon", format!("{lon:.5}")),
                ("lat", format!("{lat:.5}")),
                ("km", format!("{max_km:.1}")),
                (
                    "nearest",
                    nearest_km.map_or(String::new(), |d| {
                        fill(lang, Msg::ErrNearestRoad, &[("d", format!("{d:.1}"))])
                    }),
                ),
            ],
        ),
        RoadsError::Snap(SnapError::InvalidCoordinate { lon, lat }) => fill(
            lang,
            Msg::ErrBadCoordinate,
            &[("lon", lon.to_string()), ("lat", lat.to_string())],
        ),
        RoadsError::Route(RouteError::Unreachable { .. }) => tr(lang, Msg::ErrUnreachable).to_string(),
        other => lead(lang, Msg::ErrRouting, other),
    }
}

/// Why no suggestion could be made.
pub fn recommend_error(e: &RecommendError, lang: Lang) -> String {
    match e {
        RecommendError::UnknownIncident(id) => fill(lang, Msg::ErrUnknownIncident, &[("incident", incident(*id))]),
        RecommendError::IncidentFinal { incident: id, status } => fill(
            lang,
            Msg::ErrIncidentFinal,
            &[
                ("incident", incident(*id)),
                ("status", lang.pick(status.name_zh(), status.name_en()).to_string()),
            ],
        ),
        RecommendError::NoPlan {
            incident_type,
            severity,
            ..
        } => fill(
            lang,
            Msg::ErrNoPlanFor,
            &[
                ("type", (*incident_type).to_string()),
                ("grade", (*severity).to_string()),
            ],
        ),
        // The detail is the road search's English text: only the English console shows it.
        RecommendError::Roads(detail) => match lang {
            Lang::Zh => tr(lang, Msg::ErrIncidentOffRoad).to_string(),
            Lang::En => format!("{} ({detail})", tr(lang, Msg::ErrIncidentOffRoad)),
        },
    }
}

/// Why coverage, move-up, siting or supplies gave no answer, in the officer's language. The
/// road search's and the siting input's own detail is English text: only the English console
/// shows it.
pub fn coverage_error(e: &CoverageError, lang: Lang) -> String {
    let english_detail = |msg: Msg, detail: &str| match lang {
        Lang::Zh => tr(lang, msg).to_string(),
        Lang::En => format!("{} ({detail})", tr(lang, msg)),
    };
    match e {
        CoverageError::UnknownType { given, .. } => {
            fill(lang, Msg::ErrCoverageUnknownType, &[("given", given.clone())])
        }
        CoverageError::NoThreshold { path, force } => {
            let force = ForceType::ALL.iter().find(|f| f.code() == *force).map_or_else(
                || (*force).to_string(),
                |f| lang.pick(f.name_zh(), f.name_en()).to_string(),
            );
            fill(
                lang,
                Msg::ErrCoverageNoThreshold,
                &[("path", path.clone()), ("force", force)],
            )
        }
        CoverageError::NoRoads => tr(lang, Msg::NoRoads).to_string(),
        CoverageError::Roads(detail) => english_detail(Msg::ErrCoverageRoads, detail),
        CoverageError::UnknownUnit(id) => fill(lang, Msg::ErrCoverageUnknownUnit, &[("unit", id.to_string())]),
        CoverageError::NoForceType(id) => fill(lang, Msg::ErrCoverageNoForceType, &[("unit", id.to_string())]),
        CoverageError::UnknownItem { given, .. } => {
            fill(lang, Msg::ErrCoverageUnknownItem, &[("given", item(given, lang))])
        }
        CoverageError::Siting(detail) => english_detail(Msg::ErrCoverageSiting, detail),
    }
}

/// Why the dispatch rules refused a dispatch.
pub fn dispatch_error(e: &DispatchError, lang: Lang) -> String {
    let status = |s: crate::model::unit::UnitStatus| lang.pick(s.name_zh(), s.name_en()).to_string();
    match e {
        DispatchError::UnknownIncident(id) => fill(lang, Msg::ErrUnknownIncident, &[("incident", incident(*id))]),
        DispatchError::IncidentFinal { incident: id, status } => fill(
            lang,
            Msg::ErrIncidentFinal,
            &[
                ("incident", incident(*id)),
                ("status", lang.pick(status.name_zh(), status.name_en()).to_string()),
            ],
        ),
        DispatchError::Empty => tr(lang, Msg::ErrNothingToDispatch).to_string(),
        DispatchError::UnknownUnit(u) => fill(lang, Msg::ErrUnknownUnit, &[("unit", unit(*u, ""))]),
        DispatchError::DuplicateUnit(u) => fill(lang, Msg::ErrUnitTwice, &[("unit", unit(*u, ""))]),
        DispatchError::Committed {
            unit: u,
            callsign,
            status: s,
            incident: id,
        }
        | DispatchError::AlreadyThere {
            unit: u,
            callsign,
            status: s,
            incident: id,
        } => fill(
            lang,
            if matches!(e, DispatchError::Committed { .. }) {
                Msg::ErrCommitted
            } else {
                Msg::ErrAlreadyThere
            },
            &[
                ("unit", unit(*u, callsign)),
                ("status", status(*s)),
                ("incident", incident(*id)),
            ],
        ),
        DispatchError::NotAvailable {
            unit: u,
            callsign,
            status: s,
        } => fill(
            lang,
            Msg::ErrNotAvailable,
            &[("unit", unit(*u, callsign)), ("status", status(*s))],
        ),
        DispatchError::UnknownWarehouse(w) => {
            fill(lang, Msg::ErrUnknownWarehouse, &[("warehouse", format!("#{}", w.0))])
        }
        DispatchError::UnknownItem { name, item_code, .. } => fill(
            lang,
            Msg::ErrUnknownItem,
            &[("warehouse", name.clone()), ("item", item(item_code, lang))],
        ),
        DispatchError::InsufficientStock {
            name,
            item_code,
            requested,
            free,
            quantity,
            reserved,
            ..
        } => fill(
            lang,
            Msg::ErrShortStock,
            &[
                ("warehouse", name.clone()),
                ("item", item(item_code, lang)),
                ("free", free.to_string()),
                ("quantity", quantity.to_string()),
                ("reserved", reserved.to_string()),
                ("requested", requested.to_string()),
            ],
        ),
        DispatchError::ZeroQuantity(code) => fill(lang, Msg::ErrZeroQuantity, &[("item", item(code, lang))]),
    }
}

/// Why the store refused an intent (a refusal writes nothing).
pub fn refused(e: &Refused, lang: Lang) -> String {
    match e {
        Refused::Reassign(offer) => {
            let units: Vec<String> = offer
                .committed
                .iter()
                .map(|c| format!("{} → {}", c.callsign, incident(c.incident)))
                .collect();
            fill(lang, Msg::ErrCommittedElsewhere, &[("units", units.join(", "))])
        }
        Refused::Dispatch(d) => dispatch_error(d, lang),
        // Already in both languages, as the CLI says it: keep the officer's half.
        Refused::Incident(_) | Refused::Draft(_) | Refused::Warning(_) | Refused::WriteCap { .. } => {
            let text = e.to_string();
            match text.split_once(" / ") {
                Some((zh, en)) => lang.pick(zh, en).to_string(),
                None => text,
            }
        }
        Refused::Store(s) => lead(lang, Msg::ErrStore, s),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::model::unit::UnitStatus;

    fn han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn a_point_off_the_roads_reads_in_the_officers_language_with_its_figures() {
        let e = JobError::Roads(RoadsError::Snap(SnapError::NoRoadWithin {
            lon: 116.4,
            lat: 39.9,
            max_km: 150.0,
            nearest_km: Some(1834.26),
        }));
        let zh = job_error(&e, Lang::Zh);
        assert!(han(&zh) && zh.contains("116.40000,39.90000") && zh.contains("150.0") && zh.contains("1834.3"));
        assert!(!zh.contains("no road"), "{zh}");
        let en = job_error(&e, Lang::En);
        assert!(!han(&en) && en.contains("1834.3 km"), "{en}");
    }

    #[test]
    fn a_committed_unit_names_call_sign_status_and_incident_without_cli_flags() {
        let e = Refused::Dispatch(DispatchError::Committed {
            unit: UnitId(7),
            callsign: "景洪消防1".into(),
            status: UnitStatus::EnRoute,
            incident: IncidentId(3),
        });
        for lang in [Lang::Zh, Lang::En] {
            let t = refused(&e, lang);
            assert!(t.contains("景洪消防1") && t.contains("#3"), "{t}");
            assert!(t.contains(lang.pick(UnitStatus::EnRoute.name_zh(), UnitStatus::EnRoute.name_en())));
            assert!(!t.contains("--reassign") && !t.contains('{'), "{t}");
        }
        assert!(han(&refused(&e, Lang::Zh)));
    }

    #[test]
    fn short_stock_names_the_item_not_its_code() {
        let e = DispatchError::InsufficientStock {
            warehouse: crate::model::ids::WarehouseId(1),
            name: "州救灾物资储备库".into(),
            item_code: "life_jacket".into(),
            requested: 50,
            free: 20,
            quantity: 30,
            reserved: 10,
        };
        let zh = dispatch_error(&e, Lang::Zh);
        assert!(
            zh.contains("life jacket") && !zh.contains("life_jacket") && zh.contains("20"),
            "{zh}"
        );
    }

    #[test]
    fn every_placeholder_of_the_error_messages_is_filled() {
        use crate::model::incident::IncidentStatus;
        let samples = [
            job_error(&JobError::Busy, Lang::Zh),
            recommend_error(
                &RecommendError::IncidentFinal {
                    incident: IncidentId(2),
                    status: IncidentStatus::Closed,
                },
                Lang::Zh,
            ),
            recommend_error(
                &RecommendError::NoPlan {
                    path: "plans.toml".into(),
                    incident_type: "flood",
                    severity: "II",
                },
                Lang::En,
            ),
            dispatch_error(&DispatchError::DuplicateUnit(UnitId(4)), Lang::Zh),
            coverage_error(
                &CoverageError::NoThreshold {
                    path: "plans.toml".into(),
                    force: "ambulance",
                },
                Lang::Zh,
            ),
            coverage_error(&CoverageError::UnknownUnit(9), Lang::En),
            dispatch_error(&DispatchError::ZeroQuantity("tent".into()), Lang::En),
        ];
        for s in samples {
            assert!(!s.contains('{') && !s.is_empty(), "{s}");
        }
    }

    #[test]
    fn coverage_errors_read_in_the_officers_language() {
        let e = JobError::Coverage(CoverageError::Roads("no path between the points".into()));
        let zh = job_error(&e, Lang::Zh);
        assert!(han(&zh) && !zh.contains("no path"), "{zh}");
        let en = job_error(&e, Lang::En);
        assert!(!han(&en) && en.contains("no path between the points"), "{en}");
        let e = CoverageError::NoThreshold {
            path: "plans.toml".into(),
            force: "ambulance",
        };
        let zh = coverage_error(&e, Lang::Zh);
        assert!(
            zh.contains(ForceType::Ambulance.name_zh()) && zh.contains("plans.toml"),
            "{zh}"
        );
        assert!(!zh.contains("no [[target]]") && !zh.contains("ambulance"), "{zh}");
        let zh = coverage_error(&CoverageError::NoForceType(7), Lang::Zh);
        assert!(han(&zh) && zh.contains("#7") && !zh.contains("force type"), "{zh}");
    }
}
