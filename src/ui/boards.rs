//! The boards beside the map: units (sortable, filterable by status/type/station/text),
//! incidents (by urgency), warehouse stock (searchable) and shelters, each a free function over
//! the situation and the part it changes, returning the [`Action`] it wants (select, new
//! incident); `boards_ui` lays out the tabs, the detail pane (`detail`) and the board shown
//! (the log and coverage boards live in their own files) and returns every action.

use egui::{RichText, Ui};

use super::action::Action;
use super::coverage::CoverageState;
use super::detail::CorrectionState;
use super::detail::duration;
use super::i18n::{Lang, Msg, tr};
use super::notices::Notices;
use super::parts::{BoardsState, DispatchState, TrackState, UnitCol, World};
use super::settings::Settings;
use super::{Board, theme};
use crate::map::ops::OpsRef;
use crate::model::event::Event;
use crate::model::situation::Situation;
use crate::model::unit::UnitStatus;
use crate::style::{severity_color, status_color};

/// What a board reads: the situation, the selection (highlighted) and the language.
#[derive(Clone, Copy)]
pub(super) struct BoardView<'a> {
    /// The situation listed.
    pub sit: &'a Situation,
    /// The selected entity (its row is highlighted).
    pub selected: Option<OpsRef>,
    /// The officer's language.
    pub lang: Lang,
}

/// What the boards panel reads and never changes.
pub(super) struct BoardsView<'a> {
    /// The pack and what is built from it.
    pub world: &'a World,
    /// The situation listed.
    pub sit: &'a Situation,
    /// Routes of moving units (ETAs on the pane).
    pub tracks: &'a TrackState,
    /// The newest events of the log.
    pub log: &'a [Event],
    /// A suggestion is being computed.
    pub recommend_busy: bool,
    /// Live coverage is being computed.
    pub coverage_busy: bool,
    /// A siting proposal is being computed.
    pub siting_busy: bool,
    /// "Now", ms since the epoch.
    pub now_ms: i64,
    /// The move-up hint lines for the dispatch in view.
    pub hint_lines: &'a [String],
    /// The hint belongs beside the pane too (a suggestion or unit in view, a hinted unit gone).
    pub hint_beside_pane: bool,
    /// Drop folder and feeds of the alerts worker.
    pub alerts_status: Option<&'a crate::backend::alerts::AlertsStatus>,
}

/// The parts the boards panel changes.
pub(super) struct BoardsParts<'a> {
    /// Language, chime switch, coverage layer.
    pub settings: &'a mut Settings,
    /// Which board and its filters.
    pub boards: &'a mut BoardsState,
    /// The selected entity.
    pub selected: &'a mut Option<OpsRef>,
    /// The dispatch in progress.
    pub dispatch: &'a mut DispatchState,
    /// The incident correction being typed.
    pub correction: &'a mut CorrectionState,
    /// Coverage results and the supplies query.
    pub coverage: &'a mut CoverageState,
    /// The notices queue.
    pub notices: &'a mut Notices,
    /// The alerts board's tab, selection and typed reasons.
    pub alerts: &'a mut super::parts::AlertsView,
}

/// The boards panel: the tabs, the detail / dispatch pane, the move-up hint and the board shown.
/// Returns every action of the pane and the board, in order, for the app to carry out.
pub(super) fn boards_ui(ui: &mut Ui, view: BoardsView, parts: BoardsParts) -> Vec<Action> {
    let BoardsParts {
        settings,
        boards,
        selected,
        dispatch,
        correction,
        coverage,
        notices,
        alerts,
    } = parts;
    let lang = settings.lang;
    let mut actions = Vec::new();
    ui.horizontal_wrapped(|ui| {
        for (b, m) in [
            (Board::Units, Msg::Units),
            (Board::Incidents, Msg::Incidents),
            (Board::Stock, Msg::Stock),
            (Board::Shelters, Msg::Shelters),
            (Board::Log, Msg::Log),
            (Board::Coverage, Msg::Coverage),
            (Board::Alerts, Msg::AlertsBoard),
        ] {
            ui.selectable_value(&mut boards.board, b, tr(lang, m));
        }
    });
    ui.separator();
    let cx = super::detail::PaneCtx {
        world: view.world,
        sit: view.sit,
        tracks: view.tracks,
        recommend_busy: view.recommend_busy,
        now_ms: view.now_ms,
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
            super::detail::detail_ui(ui, &cx, selected, dispatch, correction, notices)
        });
    boards.detail_rect = Some(out.inner_rect);
    actions.extend(out.inner);
    if view.hint_beside_pane {
        super::coverage::move_up_hint_ui(ui, view.hint_lines);
    }
    let sel = *selected;
    let board_view = BoardView {
        sit: view.sit,
        selected: sel,
        lang,
    };
    match boards.board {
        Board::Units => actions.extend(units_board(ui, board_view, boards)),
        Board::Incidents => actions.extend(incidents_board(ui, view.world, view.sit, settings, sel, view.now_ms)),
        Board::Stock => actions.extend(stock_board(ui, board_view, boards)),
        Board::Shelters => actions.extend(shelters_board(ui, board_view)),
        Board::Log => super::log_board::log_board(ui, &mut boards.log, view.log, view.sit, lang, view.now_ms),
        Board::Coverage => {
            let cov_view = super::coverage::BoardView {
                sit: view.sit,
                computing: view.coverage_busy,
                siting_busy: view.siting_busy,
                hint_lines: view.hint_lines,
            };
            actions.extend(super::coverage::coverage_board(
                ui, coverage, settings, notices, cov_view,
            ));
        }
        Board::Alerts => {
            let alerts_view = super::alerts_board::AlertsBoardView {
                sit: view.sit,
                context: view.world.alerts.as_deref(),
                status: view.alerts_status,
                now_ms: view.now_ms,
                lang,
            };
            actions.extend(super::alerts_board::alerts_board_ui(ui, alerts_view, alerts));
        }
    }
    actions
}

/// The unit board: status and text filters, sortable columns; a click selects.
pub(super) fn units_board(ui: &mut Ui, view: BoardView, boards: &mut BoardsState) -> Option<Action> {
    let BoardView { sit, selected, lang } = view;
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, Msg::Filter));
        let current = boards
            .unit_status
            .map_or(tr(lang, Msg::AllStatuses), |s| pick(lang, s.name_zh(), s.name_en()));
        egui::ComboBox::new("unit_status_filter", tr(lang, Msg::Status))
            .selected_text(current)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut boards.unit_status, None, tr(lang, Msg::AllStatuses));
                for s in UnitStatus::ALL {
                    ui.selectable_value(&mut boards.unit_status, Some(*s), pick(lang, s.name_zh(), s.name_en()));
                }
            });
        ui.add(
            egui::TextEdit::singleline(&mut boards.unit_text)
                .hint_text(tr(lang, Msg::Filter))
                .desired_width(120.0),
        );
    });
    let needle = boards.unit_text.trim().to_lowercase();
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
        .filter(|u| boards.unit_status.is_none_or(|s| u.status == s))
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
    let (col, asc) = boards.unit_sort;
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
                    let arrow = if boards.unit_sort.0 == c {
                        if boards.unit_sort.1 { " ▲" } else { " ▼" }
                    } else {
                        ""
                    };
                    if ui
                        .button(RichText::new(format!("{}{arrow}", tr(lang, m))).strong())
                        .clicked()
                    {
                        boards.unit_sort = if boards.unit_sort.0 == c {
                            (c, !boards.unit_sort.1)
                        } else {
                            (c, true)
                        };
                    }
                }
                ui.end_row();
                for u in rows.iter().take(500) {
                    let sel = selected == Some(OpsRef::Unit(u.id));
                    if ui.selectable_label(sel, &u.spec.callsign).clicked() {
                        clicked = Some(OpsRef::Unit(u.id));
                    }
                    ui.label(pick(lang, u.spec.unit_type.name_zh(), u.spec.unit_type.name_en()));
                    ui.label(
                        RichText::new(pick(lang, u.status.name_zh(), u.status.name_en())).color(status_color(u.status)),
                    );
                    ui.label(station_name(u));
                    ui.label(u.spec.crew.to_string());
                    ui.end_row();
                }
            });
    });
    clicked.map(Action::Select)
}

/// The incident board, most urgent first: county, waiting time, units, caller; 新建事件 and
/// the arrival chime switch.
pub(super) fn incidents_board(
    ui: &mut Ui,
    world: &World,
    sit: &Situation,
    settings: &mut Settings,
    selected: Option<OpsRef>,
    now_ms: i64,
) -> Option<Action> {
    // Officers read Beijing time (the log keeps UTC): HH:mm:ss today, the date otherwise.
    let lang = settings.lang;
    let mut action = None;
    let mut clicked = None;
    if ui
        .button(tr(lang, Msg::NewIncident))
        .on_hover_text(tr(lang, Msg::NewIncidentTip))
        .clicked()
    {
        action = Some(Action::NewIncident);
    }
    if sit.incidents.is_empty() {
        ui.label(RichText::new(tr(lang, Msg::NoIncidents)).weak());
        return action;
    }
    let limits = settings.pending;
    ui.horizontal_wrapped(|ui| {
        ui.checkbox(&mut settings.alert_sound, tr(lang, Msg::AlertSound));
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
    let order = super::pending::by_urgency(sit, now_ms, limits);
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
                        .selectable_label(selected == Some(OpsRef::Incident(i.id)), text)
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
                    let county = world.county_shapes.of(i.lonlat.lonlat());
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
                    ui.label(super::pending::assigned_count(sit, i.id).to_string());
                    ui.label(&i.caller.name);
                    ui.end_row();
                }
            });
    });
    if sit.incidents.values().any(|i| !i.status.is_final()) {
        ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
    }
    clicked.map(Action::Select).or(action)
}

/// Warehouse stock, filtered by warehouse or item in either language; a click selects.
pub(super) fn stock_board(ui: &mut Ui, view: BoardView, boards: &mut BoardsState) -> Option<Action> {
    let BoardView { sit, selected, lang } = view;
    ui.add(
        egui::TextEdit::singleline(&mut boards.stock)
            .hint_text(tr(lang, Msg::Filter))
            .desired_width(f32::INFINITY),
    );
    let needle = boards.stock.trim().to_lowercase();
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
                            .selectable_label(selected == Some(OpsRef::Warehouse(w.id)), wname)
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
    clicked.map(Action::Select)
}

/// Shelters: occupancy and open/closed; a click selects.
pub(super) fn shelters_board(ui: &mut Ui, view: BoardView) -> Option<Action> {
    let BoardView { sit, selected, lang } = view;
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
                            selected == Some(OpsRef::Shelter(s.id)),
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
    clicked.map(Action::Select)
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}
