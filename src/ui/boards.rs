//! The boards beside the map: units (sortable, filterable by status/type/station/text),
//! incidents, warehouse stock (searchable) and shelters, plus the detail pane for whatever is
//! selected. Everything shown is read from the folded situation; status changes are sent to the
//! store worker as events.

use egui::{RichText, Ui};

use super::detail::duration;
use super::i18n::{Lang, Msg, tr};
use super::{Board, OneMapApp, theme};
use crate::backend::jobs::Lane;
use crate::map::ops::OpsRef;
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
        ui.horizontal_wrapped(|ui| {
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
        let cx = super::detail::PaneCtx {
            world: &self.world,
            sit: &self.situation,
            tracks: &self.tracks,
            recommend_busy: self.routing.jobs.busy(Lane::Recommend),
            now_ms: self.now_ms(),
            lang,
        };
        // The pane scrolls on its own (the board keeps the rest) and never widens the panel:
        // what does not fit wraps, so the board's width stays the one the officer chose.
        let max_h = (ui.available_height() * 0.65).max(240.0);
        let out = egui::ScrollArea::vertical()
            .id_salt("detail_pane")
            .max_height(max_h)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                super::detail::detail_ui(
                    ui,
                    &cx,
                    &mut self.selected_ops,
                    &mut self.dispatch,
                    &mut self.correction,
                    &mut self.notices,
                )
            });
        self.boards.detail_rect = Some(out.inner_rect);
        let action = out.inner;
        if let Some(a) = action {
            self.apply(ui.ctx(), a);
        }
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
        ui.horizontal_wrapped(|ui| {
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
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}
