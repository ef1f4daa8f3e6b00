//! Rules of `alerts.toml` applied to an arrival: an earthquake of M ≥ the threshold within the
//! distance of the prefecture → a draft earthquake incident graded by the magnitude/distance
//! table; an orange/red warning of a listed type for an area of the prefecture → a notice (and a
//! draft when the rule asks). Drafts are events awaiting an officer; nothing here creates an
//! incident. Pure; must not import egui, tokio or rusqlite.

use super::areas::AreaIndex;
use super::config::AlertsConfig;
use super::time::utc_iso;
use crate::model::EventKind;
use crate::model::alert::{AlertDecision, AlertRecord, AlertsState, QuakeArrival};
use crate::model::incident::IncidentDraft;
use crate::model::incident::IncidentType;
use crate::model::lonlat::LonLat;

/// Rule firings for the earthquakes of an arrival.
pub fn quake_firings(
    cfg: &AlertsConfig,
    areas: &AreaIndex,
    state: &AlertsState,
    quakes: &[QuakeArrival],
) -> Vec<EventKind> {
    let rule = &cfg.earthquake;
    let Some(root) = areas.root.clone() else {
        return Vec::new();
    };
    let root_name = areas.get(&root).map(|a| a.name_zh.clone()).unwrap_or_default();
    let mut out = Vec::new();
    for qa in quakes {
        if !matches!(qa.decision, AlertDecision::New | AlertDecision::Update) {
            continue;
        }
        let q = &qa.quake;
        let primary = q
            .ids
            .iter()
            .chain(std::iter::once(&q.id))
            .find_map(|id| state.quake_ids.get(id).cloned())
            .unwrap_or_else(|| q.id.clone());
        if state
            .firings
            .iter()
            .any(|f| f.rule == rule.name && f.subject == primary)
        {
            continue;
        }
        if q.magnitude < rule.min_magnitude {
            continue;
        }
        let Some(dist_km) = areas.distance_km(&root, q.lonlat.lonlat()) else {
            continue;
        };
        if dist_km > rule.max_distance_km {
            continue;
        }
        let Some(severity) = cfg.quake_grade(q.magnitude, dist_km) else {
            continue;
        };
        let provisional_zh = if q.provisional {
            "（自动测定，待正式测定）"
        } else {
            ""
        };
        let provisional_en = if q.provisional { " (automatic, provisional)" } else { "" };
        let where_zh = if dist_km == 0.0 {
            format!("震中位于{root_name}境内")
        } else {
            format!("距{root_name}边界 {dist_km:.0} km")
        };
        let where_en = if dist_km == 0.0 {
            "epicentre inside the prefecture".to_owned()
        } else {
            format!("{dist_km:.0} km from the prefecture boundary")
        };
        let time = utc_iso(q.time_ms);
        out.push(EventKind::AlertRuleFired {
            subject: primary,
            rule: rule.name.clone(),
            notice_zh: format!(
                "{} M{:.1} 地震{provisional_zh}，{where_zh}；建议{}，草稿待审批",
                q.place,
                q.magnitude,
                severity.name_zh()
            ),
            notice_en: format!(
                "M{:.1} earthquake {}{provisional_en}, {where_en}; proposed {}, draft awaiting approval",
                q.magnitude,
                q.place,
                severity.name_en()
            ),
            draft: Some(IncidentDraft {
                incident_type: IncidentType::Earthquake,
                severity,
                lonlat: q.lonlat,
                address: q.place.clone(),
                caller: Default::default(),
                notes: format!(
                    "{} M{:.1}, {time}, depth {} km, {where_en}{provisional_en}; source {} {}",
                    q.place,
                    q.magnitude,
                    q.depth_km.map_or("?".into(), |d| format!("{d:.0}")),
                    q.source,
                    q.id
                ),
            }),
        });
    }
    out
}

/// Rule firings for a CAP message (new or updated warnings only).
pub fn alert_firings(
    cfg: &AlertsConfig,
    areas: &AreaIndex,
    rec: &AlertRecord,
    decision: AlertDecision,
) -> Vec<EventKind> {
    if !matches!(decision, AlertDecision::New | AlertDecision::Update) {
        return Vec::new();
    }
    let (Some(type_key), Some(level)) = (rec.warning_type.as_deref(), rec.level) else {
        return Vec::new();
    };
    let Some(wt) = cfg.type_by_key(type_key) else {
        return Vec::new();
    };
    let placed: Vec<(String, String)> = rec
        .areas
        .iter()
        .flat_map(|a| &a.resolved)
        .filter_map(|r| r.used.clone().map(|u| (u, r.name_zh.clone())))
        .collect();
    let root = areas.root.clone();
    let geometry_inside = root.as_deref().is_some_and(|root| {
        rec.areas.iter().any(|a| {
            a.polygons
                .iter()
                .flatten()
                .any(|p| areas.distance_km(root, *p) == Some(0.0))
                || a.circles.iter().any(|c| {
                    areas
                        .distance_km(root, c.center_lonlat)
                        .is_some_and(|d| d <= c.radius_km)
                })
        })
    });
    if placed.is_empty() && !geometry_inside {
        return Vec::new();
    }
    let mut names: Vec<String> = placed.iter().map(|(_, n)| n.clone()).collect();
    names.dedup();
    let area_text = if names.is_empty() {
        rec.areas.iter().map(|a| a.desc.clone()).collect::<Vec<_>>().join("、")
    } else {
        names.join("、")
    };
    let mut out = Vec::new();
    for rule in &cfg.notices {
        if !rule.types.iter().any(|t| t == type_key) || level.rank() > rule.min_level.rank() {
            continue;
        }
        let draft = match (rule.draft, wt.incident_type) {
            (true, Some(incident_type)) => {
                let centre = placed.first().and_then(|(code, _)| areas.centre(code)).or_else(|| {
                    rec.areas
                        .iter()
                        .flat_map(|a| a.polygons.iter().flatten())
                        .next()
                        .copied()
                });
                centre
                    .and_then(|c| LonLat::from_deg(c[0], c[1]).ok())
                    .map(|lonlat| IncidentDraft {
                        incident_type,
                        severity: match level.rank() {
                            1 => crate::model::Severity::I,
                            2 => crate::model::Severity::II,
                            3 => crate::model::Severity::III,
                            _ => crate::model::Severity::IV,
                        },
                        lonlat,
                        address: area_text.clone(),
                        caller: Default::default(),
                        notes: format!(
                            "{} ({})",
                            rec.infos.first().map_or("", |i| i.event.as_str()),
                            rec.key.text()
                        ),
                    })
            }
            _ => None,
        };
        out.push(EventKind::AlertRuleFired {
            subject: rec.key.text(),
            rule: rule.name.clone(),
            notice_zh: format!("{}{}预警：{area_text}", wt.zh, level.colour_zh()),
            notice_en: format!("{} {} warning: {area_text}", level.name_en(), wt.en),
            draft,
        });
    }
    out
}
