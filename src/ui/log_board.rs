//! The event-log board: the newest events of the log (every action, by whom, from which seat),
//! newest first, each as one bilingual line naming the things it touched. Reads the log tail
//! the store worker sends; never touches the database.

use egui::{RichText, Ui};

use super::i18n::{Lang, Msg, tr};
use super::theme;
use crate::model::event::{Event, EventKind};
use crate::model::situation::Situation;

/// One line describing an event, with names looked up in `sit` (ids when unknown).
pub fn event_summary(ev: &Event, sit: &Situation, lang: Lang) -> String {
    let unit = |u: &crate::model::UnitId| {
        sit.units
            .get(u)
            .map_or_else(|| u.to_string(), |x| x.spec.callsign.clone())
    };
    // A drill's incidents in their own series (演练-3), never mistaken for a real #3.
    let inc = |i: &crate::model::IncidentId| crate::model::names::incident_label(*i, ev.drill_id.is_some());
    // Items by name, never by code: the warehouse's stock line names it, else the code in words.
    let item = |w: &crate::model::WarehouseId, code: &str| match sit.warehouses.get(w).and_then(|x| x.stock.get(code)) {
        Some(l) => lang.pick(&l.name_zh, &l.name_en).to_string(),
        None => {
            let n = crate::model::names::DisplayNames::default().item(code);
            lang.pick(&n.zh, &n.en).to_string()
        }
    };
    let wh = |w: &crate::model::WarehouseId| {
        sit.warehouses.get(w).map_or_else(
            || w.to_string(),
            |x| lang.pick(&x.spec.name_zh, &x.spec.name_en).to_string(),
        )
    };
    let t = |m: Msg| tr(lang, m);
    match &ev.kind {
        EventKind::IncidentReported {
            incident,
            incident_type,
            severity,
            ..
        } => format!(
            "{} {} {} {}",
            t(Msg::EvReported),
            inc(incident),
            lang.pick(incident_type.name_zh(), incident_type.name_en()),
            severity.code()
        ),
        EventKind::IncidentVerified { incident, severity } => format!(
            "{} {}{}",
            t(Msg::EvVerified),
            inc(incident),
            severity.map_or(String::new(), |s| format!(" → {}", s.code()))
        ),
        EventKind::IncidentStatusChanged { incident, to } => {
            format!(
                "{} {} → {}",
                t(Msg::Incident),
                inc(incident),
                lang.pick(to.name_zh(), to.name_en())
            )
        }
        EventKind::IncidentNoteAdded { incident, note } => format!("{} {}: {note}", t(Msg::EvNote), inc(incident)),
        EventKind::IncidentCancelled { incident, reason, .. } => {
            format!("{} {}: {reason}", t(Msg::EvCancelled), inc(incident))
        }
        EventKind::IncidentRelocated { incident, .. } => {
            format!("{} {}", t(Msg::EvRelocated), inc(incident))
        }
        EventKind::IncidentSensitivitySet { incident, sensitive } => format!(
            "{} {}",
            t(if *sensitive {
                Msg::EvSensitiveSet
            } else {
                Msg::EvSensitiveCleared
            }),
            inc(incident)
        ),
        EventKind::UnitAdded { spec, .. } | EventKind::UnitUpdated { spec, .. } => {
            format!("{} {}", t(Msg::EvUnitRecord), spec.callsign)
        }
        EventKind::UnitStatusChanged { unit: u, to } => {
            format!("{} → {}", unit(u), lang.pick(to.name_zh(), to.name_en()))
        }
        EventKind::UnitPositionReported { unit: u, lonlat } => format!(
            "{} {} {:.5}, {:.5}",
            unit(u),
            t(Msg::EvPosition),
            lonlat.lonlat()[0],
            lonlat.lonlat()[1]
        ),
        EventKind::UnitDispatched { unit: u, incident } => {
            format!("{} {} → {}", t(Msg::EvDispatched), unit(u), inc(incident))
        }
        EventKind::UnitReleased { unit: u } => format!("{} {}", t(Msg::EvReleased), unit(u)),
        EventKind::StationUpserted { spec, .. } => {
            format!("{} {}", t(Msg::EvMasterData), lang.pick(&spec.name_zh, &spec.name_en))
        }
        EventKind::WarehouseUpserted { spec, .. } => {
            format!("{} {}", t(Msg::EvMasterData), lang.pick(&spec.name_zh, &spec.name_en))
        }
        EventKind::ShelterUpserted { spec, .. } => {
            format!("{} {}", t(Msg::EvMasterData), lang.pick(&spec.name_zh, &spec.name_en))
        }
        EventKind::StockLineSet {
            warehouse,
            name_zh,
            name_en,
            quantity,
            unit: u,
            ..
        } => format!(
            "{} {} {} {quantity} {u}",
            t(Msg::EvStockSet),
            wh(warehouse),
            lang.pick(name_zh, name_en)
        ),
        EventKind::StockReserved {
            warehouse,
            item_code,
            quantity,
            incident,
        } => format!(
            "{} {} {} ×{quantity}{}",
            t(Msg::EvReserved),
            wh(warehouse),
            item(warehouse, item_code),
            incident.as_ref().map_or(String::new(), |i| format!(" → {}", inc(i)))
        ),
        EventKind::StockReservationReleased {
            warehouse,
            item_code,
            quantity,
        } => format!(
            "{} {} {} ×{quantity}",
            t(Msg::EvUnreserved),
            wh(warehouse),
            item(warehouse, item_code)
        ),
        EventKind::StockIssued {
            warehouse,
            item_code,
            quantity,
            incident,
            ..
        } => format!(
            "{} {} {} ×{quantity}{}",
            t(Msg::EvIssued),
            wh(warehouse),
            item(warehouse, item_code),
            incident.as_ref().map_or(String::new(), |i| format!(" → {}", inc(i)))
        ),
        EventKind::StockReceived {
            warehouse,
            name_zh,
            name_en,
            quantity,
            unit: u,
            ..
        } => format!(
            "{} {} {} {quantity} {u}",
            t(Msg::EvReceived),
            wh(warehouse),
            lang.pick(name_zh, name_en)
        ),
        EventKind::ShelterOccupancyChanged { shelter, occupancy } => {
            let name = sit.shelters.get(shelter).map_or_else(
                || shelter.to_string(),
                |s| lang.pick(&s.spec.name_zh, &s.spec.name_en).to_string(),
            );
            format!("{} {name} {occupancy}", t(Msg::Occupancy))
        }
        EventKind::RoadClosed { label, .. } => format!("{} {label}", t(Msg::EvRoadClosed)),
        EventKind::DrillStarted { drill_id, name } => format!("{} {drill_id} {name}", t(Msg::EvDrillStarted)),
        EventKind::DrillEnded { drill_id } => format!("{} {drill_id}", t(Msg::EvDrillEnded)),
        EventKind::AlertReceived {
            source,
            decision,
            alert,
            quakes,
            ..
        } => {
            let what = alert
                .as_ref()
                .and_then(|a| a.infos.first())
                .map(|i| i.event.clone())
                .or_else(|| {
                    quakes
                        .first()
                        .map(|q| format!("M{:.1} {}", q.quake.magnitude, q.quake.place))
                })
                .unwrap_or_else(|| source.clone());
            let more = match quakes.len() {
                0 | 1 => String::new(),
                n => format!(" +{}", n - 1),
            };
            format!(
                "{} {what}{more} · {}",
                t(Msg::AlertArrived),
                lang.pick(decision.name_zh(), decision.name_en())
            )
        }
        EventKind::AlertRuleFired {
            notice_zh, notice_en, ..
        } => format!("{} {}", t(Msg::EvRuleFired), lang.pick(notice_zh, notice_en)),
        EventKind::WarningIssued { alert, .. } => format!(
            "{} {} {}",
            t(Msg::EvWarningIssued),
            alert.msg_type,
            alert.key.identifier
        ),
        EventKind::AlertDraftDecided { firing_seq, decision } => match decision {
            crate::model::alert::DraftDecision::Approved { incident } => {
                format!("{} #{firing_seq} → {}", t(Msg::EvDraftApproved), inc(incident))
            }
            crate::model::alert::DraftDecision::Dismissed { reason } => {
                format!("{} #{firing_seq}: {reason}", t(Msg::EvDraftDismissed))
            }
        },
    }
}

/// The log board: a text filter over the newest events, newest first, in Beijing time (the
/// logged UTC on hover). Changes only its filter; asks nothing of the app.
pub(super) fn log_board(ui: &mut Ui, filter: &mut String, log: &[Event], sit: &Situation, lang: Lang, now_ms: i64) {
    // Beijing time on the board; the logged UTC on hover (the log and exports keep UTC).
    ui.add(
        egui::TextEdit::singleline(filter)
            .hint_text(tr(lang, Msg::Filter))
            .desired_width(f32::INFINITY),
    );
    let needle = filter.trim().to_lowercase();
    egui::ScrollArea::both().id_salt("log_scroll").show(ui, |ui| {
        egui::Grid::new("log_grid").striped(true).num_columns(3).show(ui, |ui| {
            for m in [Msg::Seq, Msg::Time, Msg::What] {
                ui.label(RichText::new(tr(lang, m)).strong());
            }
            ui.end_row();
            for ev in log.iter().rev() {
                let text = event_summary(ev, sit, lang);
                let who = format!("{}@{}", ev.operator, ev.seat);
                if !needle.is_empty()
                    && ![&text, &who, ev.kind.tag()]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
                {
                    continue;
                }
                ui.label(RichText::new(ev.seq.to_string()).monospace().weak());
                ui.label(RichText::new(crate::local_time::from_utc_iso(&ev.ts_utc, now_ms)).monospace())
                    .on_hover_text(format!("{} UTC · {who}", ev.ts_utc));
                let mut line = RichText::new(text);
                if ev.drill_id.is_some() {
                    line = line.color(theme::DRILL);
                }
                ui.label(line).on_hover_text(who);
                ui.end_row();
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::synth::synthetic_events;

    #[test]
    fn every_kind_in_a_synthetic_log_reads_in_both_languages() {
        let events = synthetic_events(400);
        let mut sit = Situation::default();
        let mut tags = std::collections::BTreeSet::new();
        for ev in &events {
            crate::model::situation::fold(&mut sit, ev).unwrap();
            for lang in [Lang::Zh, Lang::En] {
                let s = event_summary(ev, &sit, lang);
                assert!(!s.trim().is_empty(), "{ev:?}");
            }
            tags.insert(ev.kind.tag());
        }
        assert!(tags.len() >= 10, "{tags:?}");
        // Names, not ids, once the unit is known.
        let d = events
            .iter()
            .find(|e| matches!(e.kind, EventKind::UnitDispatched { .. }))
            .unwrap();
        let s = event_summary(d, &sit, Lang::Zh);
        assert!(s.starts_with("调派") && s.contains("→ #"), "{s}");
        // A drill's dispatch names its incident in the drill's own series.
        let mut drill = d.clone();
        drill.drill_id = Some("flood-1".into());
        let s = event_summary(&drill, &sit, Lang::Zh);
        assert!(s.contains("→ 演练-") && !s.contains('#'), "{s}");
    }

    /// Stock movements name the item as its stock line does, in the officer's language; an item
    /// no line names is the code in words, never the raw `snake_case` code.
    #[test]
    fn stock_lines_read_by_item_name_not_code() {
        let events = synthetic_events(400);
        let mut sit = Situation::default();
        for ev in &events {
            crate::model::situation::fold(&mut sit, ev).unwrap();
        }
        let (w, line) = sit
            .warehouses
            .values()
            .find_map(|w| w.stock.values().next().map(|l| (w.id, l.clone())))
            .unwrap();
        let mut ev = events[0].clone();
        ev.kind = EventKind::StockReserved {
            warehouse: w,
            item_code: line.item_code.clone(),
            quantity: 3,
            incident: None,
        };
        let zh = event_summary(&ev, &sit, Lang::Zh);
        let en = event_summary(&ev, &sit, Lang::En);
        assert!(zh.contains(&format!("{} ×3", line.name_zh)), "{zh}");
        assert!(en.contains(&format!("{} ×3", line.name_en)), "{en}");
        ev.kind = EventKind::StockIssued {
            warehouse: w,
            item_code: "life_jacket".into(),
            quantity: 2,
            from_reserved: false,
            incident: None,
        };
        let zh = event_summary(&ev, &sit, Lang::Zh);
        assert!(zh.contains("life jacket ×2") && !zh.contains("life_jacket"), "{zh}");
    }
}
