//! The boards beside the map: units (sortable, filterable by status/type/station/text),
//! incidents, warehouse stock (searchable) and shelters, plus the detail pane for whatever is
//! selected. Everything shown is read from the folded situation; status changes are sent to the
//! store worker as events.

use egui::{RichText, Ui};

use super::i18n::{Lang, Msg, tr};
use super::notices::Source;
use super::{Board, OneMapApp, theme};
use crate::backend::jobs::Lane;
use crate::backend::store::Intent;
use crate::map::ops::OpsRef;
use crate::model::ids::{IncidentId, WarehouseId};
use crate::model::incident::IncidentStatus;
use crate::model::unit::UnitStatus;
use crate::style::{severity_color, status_color};

/// Unit-board columns, for sorting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCol {
    /// Callsign.
    Callsign,
    /// Type.
    Type,
    /// Status.
    Status,
    /// Home station.
    Station,
    /// Crew.
    Crew,
}

impl OneMapApp {
    pub(super) fn boards_ui(&mut self, ui: &mut Ui) {
        let lang = self.settings.lang;
        ui.horizontal(|ui| {
            for (b, m) in [
                (Board::Units, Msg::Units),
                (Board::Incidents, Msg::Incidents),
                (Board::Stock, Msg::Stock),
                (Board::Shelters, Msg::Shelters),
                (Board::Log, Msg::Log),
                (Board::Coverage, Msg::Coverage),
            ] {
                ui.selectable_value(&mut self.boards.board, b, tr(lang, m));
            }
        });
        ui.separator();
        self.detail_ui(ui, lang);
        self.move_up_hint_ui(ui, lang);
        match self.boards.board {
            Board::Units => self.units_board(ui, lang),
            Board::Incidents => self.incidents_board(ui, lang),
            Board::Stock => self.stock_board(ui, lang),
            Board::Shelters => self.shelters_board(ui, lang),
            Board::Log => self.log_board(ui, lang),
            Board::Coverage => self.coverage_board(ui, lang),
        }
    }

    fn units_board(&mut self, ui: &mut Ui, lang: Lang) {
        ui.horizontal(|ui| {
            ui.label(tr(lang, Msg::Filter));
            let current = self
                .boards
                .unit_status
                .map_or(tr(lang, Msg::AllStatuses), |s| pick(lang, s.name_zh(), s.name_en()));
            egui::ComboBox::new("unit_status_filter", tr(lang, Msg::Status))
                .selected_text(current)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.boards.unit_status, None, tr(lang, Msg::AllStatuses));
                    for s in UnitStatus::ALL {
                        ui.selectable_value(
                            &mut self.boards.unit_status,
                            Some(*s),
                            pick(lang, s.name_zh(), s.name_en()),
                        );
                    }
                });
            ui.add(
                egui::TextEdit::singleline(&mut self.boards.unit_text)
                    .hint_text(tr(lang, Msg::Filter))
                    .desired_width(120.0),
            );
        });
        let sit = self.situation.clone();
        let needle = self.boards.unit_text.trim().to_lowercase();
        let station_name = |u: &crate::model::unit::Unit| {
            u.spec
                .home_station
                .and_then(|s| sit.stations.get(&s))
                .map(|s| pick(lang, &s.spec.name_zh, &s.spec.name_en).to_string())
                .unwrap_or_default()
        };
        // The text filter matches callsign, name, type and home station, in either language.
        let mut rows: Vec<_> = sit
            .units
            .values()
            .filter(|u| self.boards.unit_status.is_none_or(|s| u.status == s))
            .filter(|u| {
                needle.is_empty()
                    || [
                        u.spec.callsign.as_str(),
                        &u.spec.name_zh,
                        &u.spec.name_en,
                        u.spec.unit_type.name_zh(),
                        u.spec.unit_type.name_en(),
                        &station_name(u),
                    ]
                    .iter()
                    .any(|t| t.to_lowercase().contains(&needle))
            })
            .collect();
        let (col, asc) = self.boards.unit_sort;
        rows.sort_by(|a, b| {
            let o = match col {
                UnitCol::Callsign => a.spec.callsign.cmp(&b.spec.callsign),
                UnitCol::Type => a.spec.unit_type.code().cmp(b.spec.unit_type.code()),
                UnitCol::Status => (a.status as u8).cmp(&(b.status as u8)),
                UnitCol::Station => station_name(a).cmp(&station_name(b)),
                UnitCol::Crew => a.spec.crew.cmp(&b.spec.crew),
            }
            .then(a.id.cmp(&b.id));
            if asc { o } else { o.reverse() }
        });
        ui.label(
            RichText::new(format!(
                "{} {} / {}",
                tr(lang, Msg::Showing),
                rows.len(),
                sit.units.len()
            ))
            .small()
            .weak(),
        );
        let mut clicked = None;
        egui::ScrollArea::both().id_salt("units_scroll").show(ui, |ui| {
            egui::Grid::new("units_grid")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for (c, m) in [
                        (UnitCol::Callsign, Msg::Callsign),
                        (UnitCol::Type, Msg::Type),
                        (UnitCol::Status, Msg::Status),
                        (UnitCol::Station, Msg::Station),
                        (UnitCol::Crew, Msg::Crew),
                    ] {
                        let arrow = if self.boards.unit_sort.0 == c {
                            if self.boards.unit_sort.1 { " ▲" } else { " ▼" }
                        } else {
                            ""
                        };
                        if ui
                            .button(RichText::new(format!("{}{arrow}", tr(lang, m))).strong())
                            .clicked()
                        {
                            self.boards.unit_sort = if self.boards.unit_sort.0 == c {
                                (c, !self.boards.unit_sort.1)
                            } else {
                                (c, true)
                            };
                        }
                    }
                    ui.end_row();
                    for u in rows.iter().take(500) {
                        let sel = self.selected_ops == Some(OpsRef::Unit(u.id));
                        if ui.selectable_label(sel, &u.spec.callsign).clicked() {
                            clicked = Some(OpsRef::Unit(u.id));
                        }
                        ui.label(pick(lang, u.spec.unit_type.name_zh(), u.spec.unit_type.name_en()));
                        ui.label(
                            RichText::new(pick(lang, u.status.name_zh(), u.status.name_en()))
                                .color(status_color(u.status)),
                        );
                        ui.label(station_name(u));
                        ui.label(u.spec.crew.to_string());
                        ui.end_row();
                    }
                });
        });
        if let Some(c) = clicked {
            self.select_ops(ui.ctx(), c);
        }
    }

    fn incidents_board(&mut self, ui: &mut Ui, lang: Lang) {
        // Officers read Beijing time (the log keeps UTC): HH:mm:ss today, the date otherwise.
        let now_ms = self.now_ms();
        let sit = self.situation.clone();
        let mut clicked = None;
        if ui
            .button(tr(lang, Msg::NewIncident))
            .on_hover_text(tr(lang, Msg::NewIncidentTip))
            .clicked()
        {
            self.open_incident_form(None);
        }
        if sit.incidents.is_empty() {
            ui.label(RichText::new(tr(lang, Msg::NoIncidents)).weak());
            return;
        }
        let limits = self.settings.pending;
        ui.horizontal_wrapped(|ui| {
            ui.checkbox(&mut self.settings.alert_sound, tr(lang, Msg::AlertSound));
            ui.label(
                RichText::new(format!(
                    "{} {:.0} / {:.0}",
                    tr(lang, Msg::PendingLimitsLabel),
                    limits.amber_min,
                    limits.red_min
                ))
                .small()
                .weak(),
            )
            .on_hover_text(tr(lang, Msg::PendingLimitsTip));
        });
        let order = super::pending::by_urgency(&sit, now_ms, limits);
        egui::ScrollArea::both().id_salt("incidents_scroll").show(ui, |ui| {
            egui::Grid::new("incidents_grid")
                .striped(true)
                .num_columns(7)
                .show(ui, |ui| {
                    for m in [
                        Msg::Type,
                        Msg::Severity,
                        Msg::Status,
                        Msg::CountyCol,
                        Msg::WaitingCol,
                        Msg::AssignedCol,
                        Msg::Caller,
                    ] {
                        ui.label(RichText::new(tr(lang, m)).strong());
                    }
                    ui.end_row();
                    for i in order.iter().filter_map(|id| sit.incidents.get(id)) {
                        let text = format!(
                            "#{} {}",
                            i.id.0,
                            pick(lang, i.incident_type.name_zh(), i.incident_type.name_en())
                        );
                        if ui
                            .selectable_label(self.selected_ops == Some(OpsRef::Incident(i.id)), text)
                            .clicked()
                        {
                            clicked = Some(OpsRef::Incident(i.id));
                        }
                        ui.label(
                            RichText::new(i.severity.code())
                                .color(severity_color(i.severity))
                                .strong(),
                        );
                        ui.label(pick(lang, i.status.name_zh(), i.status.name_en()));
                        let county = self.world.county_shapes.of(i.lonlat.lonlat());
                        ui.label(county.map_or("—", |(zh, en)| pick(lang, zh, en)));
                        let age = super::pending::age(i, now_ms, limits);
                        let elapsed = duration(lang, super::pending::elapsed_s(i, now_ms));
                        let colour = match age {
                            super::pending::Age::Red => theme::DANGER,
                            super::pending::Age::Amber => theme::WARN_TEXT,
                            super::pending::Age::Fresh => ui.visuals().text_color(),
                        };
                        ui.label(RichText::new(elapsed).monospace().color(colour))
                            .on_hover_text(format!(
                                "{} {} {}",
                                tr(lang, Msg::Reported),
                                crate::local_time::from_utc_iso(&i.reported_at_utc, now_ms),
                                lang.pick(crate::local_time::ZONE_ZH, crate::local_time::ZONE_EN)
                            ));
                        ui.label(super::pending::assigned_count(&sit, i.id).to_string());
                        ui.label(&i.caller.name);
                        ui.end_row();
                    }
                });
        });
        if sit.incidents.values().any(|i| !i.status.is_final()) {
            ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
        }
        if let Some(c) = clicked {
            self.select_ops(ui.ctx(), c);
        }
    }

    fn stock_board(&mut self, ui: &mut Ui, lang: Lang) {
        ui.add(
            egui::TextEdit::singleline(&mut self.boards.stock)
                .hint_text(tr(lang, Msg::Filter))
                .desired_width(f32::INFINITY),
        );
        let sit = self.situation.clone();
        let needle = self.boards.stock.trim().to_lowercase();
        let mut clicked = None;
        egui::ScrollArea::both().id_salt("stock_scroll").show(ui, |ui| {
            egui::Grid::new("stock_grid")
                .striped(true)
                .num_columns(4)
                .show(ui, |ui| {
                    for m in [Msg::Warehouse, Msg::Item, Msg::Quantity, Msg::Reserved] {
                        ui.label(RichText::new(tr(lang, m)).strong());
                    }
                    ui.end_row();
                    for w in sit.warehouses.values() {
                        let wname = pick(lang, &w.spec.name_zh, &w.spec.name_en);
                        for line in w.stock.values() {
                            let hay = [wname, &line.name_zh, &line.name_en, &line.item_code];
                            if !needle.is_empty() && !hay.iter().any(|t| t.to_lowercase().contains(&needle)) {
                                continue;
                            }
                            if ui
                                .selectable_label(self.selected_ops == Some(OpsRef::Warehouse(w.id)), wname)
                                .clicked()
                            {
                                clicked = Some(OpsRef::Warehouse(w.id));
                            }
                            ui.label(pick(lang, &line.name_zh, &line.name_en));
                            ui.label(format!("{} {}", line.quantity, line.unit));
                            ui.label(line.reserved.to_string());
                            ui.end_row();
                        }
                    }
                });
        });
        if let Some(c) = clicked {
            self.select_ops(ui.ctx(), c);
        }
    }

    fn shelters_board(&mut self, ui: &mut Ui, lang: Lang) {
        let sit = self.situation.clone();
        let mut clicked = None;
        egui::ScrollArea::both().id_salt("shelters_scroll").show(ui, |ui| {
            egui::Grid::new("shelters_grid")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    for m in [Msg::Name, Msg::Occupancy, Msg::Status] {
                        ui.label(RichText::new(tr(lang, m)).strong());
                    }
                    ui.end_row();
                    for s in sit.shelters.values() {
                        if ui
                            .selectable_label(
                                self.selected_ops == Some(OpsRef::Shelter(s.id)),
                                pick(lang, &s.spec.name_zh, &s.spec.name_en),
                            )
                            .clicked()
                        {
                            clicked = Some(OpsRef::Shelter(s.id));
                        }
                        ui.label(format!("{} / {}", s.occupancy, s.spec.capacity));
                        ui.label(tr(lang, if s.spec.open { Msg::Open } else { Msg::Closed }));
                        ui.end_row();
                    }
                });
        });
        if let Some(c) = clicked {
            self.select_ops(ui.ctx(), c);
        }
    }

    fn detail_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let now_ms = self.now_ms();
        self.reassign_ui(ui, lang);
        let Some(sel) = self.selected_ops else { return };
        let sit = self.situation.clone();
        ui.label(RichText::new(tr(lang, Msg::Selected)).strong());
        let demo = |ui: &mut Ui, is_demo: bool, note: &str| {
            if is_demo {
                ui.label(RichText::new(tr(lang, Msg::DemoBadge)).color(theme::WARN_TEXT))
                    .on_hover_text(tr(lang, Msg::DemoBadgeTip));
            }
            if !note.is_empty() {
                ui.label(
                    RichText::new(format!("{}: {note}", tr(lang, Msg::PositionNote)))
                        .small()
                        .weak(),
                );
            }
        };
        match sel {
            OpsRef::Unit(id) => {
                let Some(u) = sit.units.get(&id) else {
                    return self.clear_selection();
                };
                ui.label(
                    RichText::new(format!(
                        "{} · {}",
                        u.spec.callsign,
                        pick(lang, &u.spec.name_zh, &u.spec.name_en)
                    ))
                    .size(17.0),
                );
                ui.label(format!(
                    "{} · {} {}",
                    pick(lang, u.spec.unit_type.name_zh(), u.spec.unit_type.name_en()),
                    u.spec.crew,
                    tr(lang, Msg::Crew)
                ));
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("{}:", tr(lang, Msg::Status)));
                    ui.label(
                        RichText::new(pick(lang, u.status.name_zh(), u.status.name_en()))
                            .color(status_color(u.status))
                            .strong(),
                    );
                });
                if let Some(inc) = u.assignment.and_then(|i| sit.incidents.get(&i)) {
                    ui.label(format!(
                        "→ #{} {}",
                        inc.id.0,
                        pick(lang, inc.incident_type.name_zh(), inc.incident_type.name_en())
                    ));
                }
                if let Some(track) = self.tracks.routes.get(&id)
                    && let Some(e) = crate::dispatch::tracking::estimate_position(u, track, self.now_ms())
                {
                    let text = if e.overdue {
                        tr(lang, Msg::Overdue).to_string()
                    } else {
                        format!(
                            "{} {}{}",
                            tr(lang, Msg::Remaining),
                            if track.estimate { "≈" } else { "" },
                            crate::dispatch::tracking::fmt_clock(e.remaining_s)
                        )
                    };
                    ui.label(RichText::new(text).color(if e.overdue {
                        theme::WARN_TEXT
                    } else {
                        ui.visuals().text_color()
                    }))
                    .on_hover_text(tr(lang, Msg::EstimatedPosition));
                    ui.label(RichText::new(tr(lang, Msg::EstimatedPosition)).small().weak());
                } else if let Some(why) = self.tracks.failed.get(&id) {
                    ui.label(
                        RichText::new(format!("{}: {why}", tr(lang, Msg::TrackFailed)))
                            .small()
                            .color(theme::WARN_TEXT),
                    );
                }
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("{}:", tr(lang, Msg::SetStatus)));
                    for to in UnitStatus::ALL
                        .iter()
                        .copied()
                        .filter(|to| *to != UnitStatus::Dispatched && u.status.can_transition_to(*to))
                    {
                        let key = match to {
                            UnitStatus::EnRoute => "E",
                            UnitStatus::OnScene => "S",
                            UnitStatus::Returning => "B",
                            UnitStatus::Available => "A",
                            UnitStatus::OutOfService => "O",
                            UnitStatus::Dispatched => "",
                        };
                        if ui
                            .button(RichText::new(pick(lang, to.name_zh(), to.name_en())).color(status_color(to)))
                            .on_hover_text(format!("({key}) {}", tr(lang, Msg::UnitKeysTip)))
                            .clicked()
                        {
                            self.set_unit_status(id, to);
                        }
                    }
                });
                self.dispatch_unit_ui(ui, lang, u);
                super::panels::notice_ui(ui, &mut self.notices, Source::Dispatch, lang);
                demo(ui, u.spec.demo, &u.spec.position_note);
            }
            OpsRef::Station(id) => {
                let Some(s) = sit.stations.get(&id) else {
                    return self.clear_selection();
                };
                ui.label(RichText::new(pick(lang, &s.spec.name_zh, &s.spec.name_en)).size(17.0));
                let planned = if s.spec.planned {
                    format!(" · {}", tr(lang, Msg::Planned))
                } else {
                    String::new()
                };
                ui.label(format!(
                    "{}{planned}",
                    pick(lang, s.spec.kind.name_zh(), s.spec.kind.name_en())
                ));
                let n = sit.units.values().filter(|u| u.spec.home_station == Some(s.id)).count();
                ui.label(format!("{}: {n}", tr(lang, Msg::Units)));
                demo(ui, s.spec.demo, &s.spec.position_note);
            }
            OpsRef::Warehouse(id) => {
                let Some(w) = sit.warehouses.get(&id) else {
                    return self.clear_selection();
                };
                ui.label(RichText::new(pick(lang, &w.spec.name_zh, &w.spec.name_en)).size(17.0));
                ui.label(pick(lang, w.spec.kind.name_zh(), w.spec.kind.name_en()));
                egui::Grid::new("warehouse_stock").num_columns(3).show(ui, |ui| {
                    for line in w.stock.values().take(24) {
                        ui.label(pick(lang, &line.name_zh, &line.name_en));
                        ui.label(format!("{} {}", line.free(), line.unit))
                            .on_hover_text(format!(
                                "{} {} · {} {}",
                                tr(lang, Msg::Quantity),
                                line.quantity,
                                tr(lang, Msg::Reserved),
                                line.reserved
                            ));
                        if line.reserved > 0
                            && ui
                                .button(format!("{} {}", tr(lang, Msg::IssueReserved), line.reserved))
                                .on_hover_text(tr(lang, Msg::IssueReservedTip))
                                .clicked()
                        {
                            self.send_intent(Intent::IssueStock {
                                warehouse: w.id,
                                item_code: line.item_code.clone(),
                                quantity: line.reserved,
                                from_reserved: true,
                            });
                        }
                        ui.end_row();
                    }
                });
                demo(ui, w.spec.demo, &w.spec.position_note);
            }
            OpsRef::Incident(id) => {
                let Some(i) = sit.incidents.get(&id) else {
                    return self.clear_selection();
                };
                let title = format!(
                    "#{} {}",
                    i.id.0,
                    pick(lang, i.incident_type.name_zh(), i.incident_type.name_en())
                );
                ui.label(RichText::new(title).size(17.0).color(severity_color(i.severity)));
                ui.label(format!(
                    "{} · {} · {}",
                    pick(
                        lang,
                        i.incident_type.class().name_zh(),
                        i.incident_type.class().name_en()
                    ),
                    pick(lang, i.severity.name_zh(), i.severity.name_en()),
                    pick(lang, i.status.name_zh(), i.status.name_en())
                ));
                ui.label(format!(
                    "{}: {} {}",
                    tr(lang, Msg::Reported),
                    crate::local_time::from_utc_iso(&i.reported_at_utc, now_ms),
                    lang.pick(crate::local_time::ZONE_ZH, crate::local_time::ZONE_EN)
                ))
                .on_hover_text(format!("{} UTC", i.reported_at_utc));
                let timers = crate::dispatch::tracking::incident_timers(i, self.now_ms());
                ui.horizontal_wrapped(|ui| {
                    for (m, v) in [
                        (Msg::SinceReport, timers.since_report_s),
                        (Msg::SinceDispatch, timers.since_dispatch_s),
                        (Msg::SinceArrival, timers.since_arrival_s),
                    ] {
                        let text = v.map_or("—".to_string(), crate::dispatch::tracking::fmt_clock);
                        ui.label(RichText::new(format!("{} {text}", tr(lang, m))).monospace());
                    }
                });
                if timers.to_dispatch_s.is_some() || timers.to_arrival_s.is_some() {
                    let f = |v: Option<f64>| v.map_or("—".to_string(), crate::dispatch::tracking::fmt_clock);
                    ui.label(
                        RichText::new(format!(
                            "{} {} · {} {}",
                            tr(lang, Msg::ToDispatch),
                            f(timers.to_dispatch_s),
                            tr(lang, Msg::ToArrival),
                            f(timers.to_arrival_s)
                        ))
                        .small()
                        .weak(),
                    );
                }
                if !i.status.is_final() {
                    ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
                }
                if !i.caller.name.is_empty() || !i.caller.phone.is_empty() {
                    ui.label(format!(
                        "{}: {} {}",
                        tr(lang, Msg::Caller),
                        i.caller.name,
                        i.caller.phone
                    ));
                }
                if !i.address.is_empty() {
                    ui.label(format!("{}: {}", tr(lang, Msg::Address), i.address));
                }
                for n in &i.notes {
                    let at = crate::local_time::from_utc_iso(&n.ts_utc, now_ms);
                    ui.label(RichText::new(format!("{at} {}: {}", n.operator, n.text)).small());
                }
                self.assigned_units_ui(ui, lang, id, now_ms);
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("{}:", tr(lang, Msg::SetStatus)));
                    let allowed = IncidentStatus::ALL.iter().copied().filter(|to| {
                        !matches!(to, IncidentStatus::Dispatched | IncidentStatus::Cancelled)
                            && i.status.can_transition_to(*to)
                    });
                    if !i.status.is_final() {
                        self.suggestion_ui(ui, lang, id);
                    }
                    for to in allowed {
                        if ui.button(pick(lang, to.name_zh(), to.name_en())).clicked() {
                            self.send_intent(Intent::SetIncidentStatus { incident: id, to });
                        }
                    }
                });
            }
            OpsRef::Shelter(id) => {
                let Some(s) = sit.shelters.get(&id) else {
                    return self.clear_selection();
                };
                ui.label(RichText::new(pick(lang, &s.spec.name_zh, &s.spec.name_en)).size(17.0));
                ui.label(format!(
                    "{}: {} / {}",
                    tr(lang, Msg::Occupancy),
                    s.occupancy,
                    s.spec.capacity
                ));
                demo(ui, s.spec.demo, &s.spec.position_note);
            }
        }
        ui.separator();
    }

    fn suggestion_ui(&mut self, ui: &mut Ui, lang: Lang, incident: IncidentId) {
        ui.horizontal(|ui| {
            let can = self.world.has_plans && !self.routing.jobs.busy(Lane::Recommend);
            if ui
                .add_enabled(can, egui::Button::new(RichText::new(tr(lang, Msg::Recommend)).strong()))
                .on_hover_text(tr(lang, Msg::RecommendTip))
                .clicked()
            {
                self.request_recommendation(incident);
            }
            if self.routing.jobs.busy(Lane::Recommend) {
                ui.label(RichText::new(tr(lang, Msg::RouteComputing)).italics());
            }
        });
        ui.horizontal(|ui| {
            ui.label(tr(lang, Msg::AffectedPeople));
            let r = ui
                .add(egui::DragValue::new(&mut self.dispatch.affected_people).range(0..=1_000_000))
                .on_hover_text(tr(lang, Msg::AffectedPeopleTip));
            // A new count re-asks for the suggestion (relief = plan per person × count).
            if (r.lost_focus() || r.drag_stopped())
                && self.dispatch.affected_people != self.dispatch.affected_asked
                && self
                    .dispatch
                    .recommendation
                    .as_ref()
                    .is_some_and(|rec| rec.incident == incident)
            {
                self.request_recommendation(incident);
            }
        });
        super::panels::notice_ui(ui, &mut self.notices, Source::Dispatch, lang);
        let Some(rec) = self.dispatch.recommendation.clone().filter(|r| r.incident == incident) else {
            return;
        };
        ui.label(
            RichText::new(format!(
                "{}: {} (plans.toml:{})",
                tr(lang, Msg::Plan),
                rec.plan_title,
                rec.plan_line
            ))
            .small(),
        );
        if rec.schematic {
            ui.label(
                RichText::new(tr(lang, Msg::EstimateTip))
                    .small()
                    .color(theme::WARN_TEXT),
            );
        }
        egui::Grid::new("suggestions")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for req in &rec.requirements {
                    let label = match lang {
                        Lang::Zh => req.need.label_zh(),
                        Lang::En => req.need.label_en(),
                    };
                    ui.label(RichText::new(format!("{label} ×{}", req.count)).strong());
                    ui.end_row();
                    for sug in &req.filled {
                        let n = rec.unit_ids().iter().position(|u| *u == sug.unit).map_or(0, |p| p + 1);
                        let mut ticked = !self.dispatch.unticked.contains(&sug.unit);
                        let hint = if n <= 9 { format!(" (Alt+{n})") } else { String::new() };
                        if ui
                            .checkbox(&mut ticked, sug.callsign.as_str())
                            .on_hover_text(format!("{}{hint}", pick(lang, &sug.name_zh, &sug.name_en)))
                            .changed()
                        {
                            if ticked {
                                self.dispatch.unticked.remove(&sug.unit);
                            } else {
                                self.dispatch.unticked.insert(sug.unit);
                            }
                        }
                        let eta = format!(
                            "{}{:.0} {}",
                            if sug.estimate { "≈" } else { "" },
                            sug.eta_s / 60.0,
                            tr(lang, Msg::Minutes)
                        );
                        let color = if sug.on_time {
                            egui::Color32::from_rgb(0x4c, 0xd1, 0x7a)
                        } else {
                            theme::WARN_TEXT
                        };
                        ui.label(RichText::new(eta).color(color));
                        ui.label(format!(
                            "{:.1} {}{}",
                            sug.distance_m / 1000.0,
                            tr(lang, Msg::Km),
                            if sug.on_time { "" } else { " ⚠" }
                        ));
                        ui.end_row();
                    }
                    if req.shortfall > 0 || req.filled.iter().any(|f| !f.on_time) {
                        ui.label(
                            RichText::new(match lang {
                                Lang::Zh => &req.message_zh,
                                Lang::En => &req.message_en,
                            })
                            .color(theme::WARN_TEXT)
                            .small(),
                        );
                        ui.end_row();
                    }
                }
            });
        if !rec.supplies.is_empty() {
            ui.label(RichText::new(tr(lang, Msg::Supplies)).strong());
            egui::Grid::new("supplies").striped(true).num_columns(3).show(ui, |ui| {
                for fill in &rec.supplies {
                    ui.label(format!(
                        "{} ×{} {}",
                        pick(lang, &fill.name_zh, &fill.name_en),
                        fill.needed,
                        fill.unit
                    ));
                    ui.end_row();
                    for a in &fill.allocations {
                        let wname = sit_warehouse_name(&self.situation, a.warehouse, lang).unwrap_or(a.name_zh.clone());
                        ui.label(format!("  {wname}"));
                        ui.label(format!("{} {}", a.quantity, fill.unit));
                        ui.label(format!(
                            "{}{:.0} {}",
                            if a.estimate { "≈" } else { "" },
                            a.eta_s / 60.0,
                            tr(lang, Msg::Minutes)
                        ));
                        ui.end_row();
                    }
                    if fill.unmet > 0 {
                        ui.label(
                            RichText::new(match lang {
                                Lang::Zh => &fill.message_zh,
                                Lang::En => &fill.message_en,
                            })
                            .small()
                            .color(theme::WARN_TEXT),
                        );
                        ui.end_row();
                    }
                }
            });
            ui.checkbox(&mut self.dispatch.reserve_supplies, tr(lang, Msg::ReserveSupplies));
        }
        let all = self.dispatch.unticked.is_empty();
        let (label, tip) = if all {
            (Msg::DispatchAll, Msg::DispatchAllTip)
        } else {
            (Msg::DispatchChecked, Msg::DispatchCheckedTip)
        };
        if ui
            .button(RichText::new(tr(lang, label)).strong())
            .on_hover_text(format!("{}\n{}", tr(lang, tip), tr(lang, Msg::DispatchCheckedTip)))
            .clicked()
        {
            self.accept_recommendation();
        }
    }

    fn reassign_ui(&mut self, ui: &mut Ui, lang: Lang) {
        let Some(offer) = &self.dispatch.reassign_offer else {
            return;
        };
        // Named as the log had them at the append: another seat may have committed them.
        let names: Vec<String> = offer
            .committed
            .iter()
            .map(|c| format!("{} {} #{}", c.callsign, tr(lang, Msg::CommittedAt), c.incident.0))
            .collect();
        ui.horizontal_wrapped(|ui| {
            for n in names {
                ui.label(RichText::new(n).color(theme::WARN_TEXT));
            }
            if ui
                .button(RichText::new(tr(lang, Msg::Reassign)).strong())
                .on_hover_text(tr(lang, Msg::ReassignTip))
                .clicked()
            {
                self.accept_reassign();
            }
        });
    }

    /// Send the selected unit to an open incident by hand (the board's alternative to a
    /// suggestion); a unit committed elsewhere is offered for reassignment.
    fn dispatch_unit_ui(&mut self, ui: &mut Ui, lang: Lang, u: &crate::model::unit::Unit) {
        let sit = self.situation.clone();
        let open: Vec<_> = sit
            .incidents
            .values()
            .filter(|i| !i.status.is_final() && u.assignment != Some(i.id))
            .collect();
        if open.is_empty() || u.status == UnitStatus::OutOfService {
            return;
        }
        // The incident the officer last looked at, else the nearest open one to the unit.
        if self.dispatch.target.is_none_or(|t| !open.iter().any(|i| i.id == t)) {
            let here = u.lonlat.lonlat();
            self.dispatch.target = open
                .iter()
                .min_by(|a, b| {
                    let d = |i: &&&crate::model::incident::Incident| crate::geom::haversine_m(here, i.lonlat.lonlat());
                    d(a).total_cmp(&d(b))
                })
                .map(|i| i.id);
        }
        let label = |i: &crate::model::incident::Incident| {
            format!(
                "#{} {} {}",
                i.id.0,
                pick(lang, i.incident_type.name_zh(), i.incident_type.name_en()),
                i.severity.code()
            )
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}:", tr(lang, Msg::DispatchTo)));
            let current = self
                .dispatch
                .target
                .and_then(|t| sit.incidents.get(&t))
                .map(label)
                .unwrap_or_default();
            egui::ComboBox::new("dispatch_target", tr(lang, Msg::Incident))
                .selected_text(current)
                .show_ui(ui, |ui| {
                    for i in open.iter().rev() {
                        ui.selectable_value(&mut self.dispatch.target, Some(i.id), label(i));
                    }
                });
            if ui.button(tr(lang, Msg::DispatchOne)).clicked()
                && let Some(t) = self.dispatch.target
            {
                self.submit_dispatch(crate::dispatch::DispatchRequest::units(t, vec![u.id]));
            }
        });
    }

    /// The units committed to an incident: call sign, status, ETA while moving, time on scene.
    fn assigned_units_ui(&mut self, ui: &mut Ui, lang: Lang, incident: IncidentId, now_ms: i64) {
        let sit = self.situation.clone();
        let mut units: Vec<_> = sit.units.values().filter(|u| u.assignment == Some(incident)).collect();
        if units.is_empty() {
            return;
        }
        units.sort_by(|a, b| a.spec.callsign.cmp(&b.spec.callsign));
        ui.label(RichText::new(format!("{} ({})", tr(lang, Msg::AssignedUnits), units.len())).strong());
        let mut clicked = None;
        egui::Grid::new("assigned_units")
            .striped(true)
            .num_columns(3)
            .show(ui, |ui| {
                for u in units {
                    if ui.selectable_label(false, &u.spec.callsign).clicked() {
                        clicked = Some(OpsRef::Unit(u.id));
                    }
                    ui.label(
                        RichText::new(pick(lang, u.status.name_zh(), u.status.name_en())).color(status_color(u.status)),
                    );
                    let since =
                        |utc: &str| crate::time::parse_utc_ms(utc).map(|t| ((now_ms - t).max(0)) as f64 / 1000.0);
                    let detail = match u.status {
                        UnitStatus::OnScene => since(&u.status_since_utc)
                            .map(|s| format!("{} {}", tr(lang, Msg::OnSceneFor), duration(lang, s))),
                        UnitStatus::Dispatched | UnitStatus::EnRoute => self
                            .tracks
                            .routes
                            .get(&u.id)
                            .and_then(|t| crate::dispatch::tracking::estimate_position(u, t, now_ms))
                            .map(|e| format!("{} {}", tr(lang, Msg::EtaLabel), duration(lang, e.remaining_s))),
                        _ => None,
                    };
                    ui.label(RichText::new(detail.unwrap_or_default()).monospace());
                    ui.end_row();
                }
            });
        if let Some(c) = clicked {
            self.select_ops(ui.ctx(), c);
        }
    }

    fn clear_selection(&mut self) {
        self.selected_ops = None;
    }
}

fn sit_warehouse_name(sit: &crate::model::situation::Situation, id: WarehouseId, lang: Lang) -> Option<String> {
    sit.warehouses
        .get(&id)
        .map(|w| pick(lang, &w.spec.name_zh, &w.spec.name_en).to_string())
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}

/// A duration in the officer's language: `1 小时 42 分` / `1 h 42 min`, never an ambiguous `1:42`.
fn duration(lang: Lang, secs: f64) -> String {
    match lang {
        Lang::Zh => crate::local_time::duration_zh(secs),
        Lang::En => crate::local_time::duration_en(secs),
    }
}
