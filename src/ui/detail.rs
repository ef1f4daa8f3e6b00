//! The detail pane beside the boards: whatever is selected (unit, station, warehouse, incident,
//! shelter), the dispatch suggestion and the reassignment offer (the dispatch pane), a unit's
//! 派往事件, an incident's units and its corrections (note, cancel, close, relocate). Free
//! functions over [`PaneCtx`] (read-only) and the parts they change, returning the [`Action`] the
//! app carries out; nothing here sends to a worker or imports one.

use egui::{RichText, Ui};

use super::action::{Action, Correction};
use super::i18n::{Lang, Msg, tr};
use super::notices::{Notices, Source};
use super::panels::notice_ui;
use super::parts::{DispatchState, TrackState, World};
use super::theme;
use crate::backend::store::Intent;
use crate::map::ops::OpsRef;
use crate::model::ids::{IncidentId, WarehouseId};
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::situation::Situation;
use crate::model::unit::UnitStatus;
use crate::style::{severity_color, status_color};

/// What the pane reads and never changes.
pub struct PaneCtx<'a> {
    /// The pack and what is built from it.
    pub world: &'a World,
    /// The situation drawn.
    pub sit: &'a Situation,
    /// Routes of moving units (ETAs).
    pub tracks: &'a TrackState,
    /// A suggestion is being computed.
    pub recommend_busy: bool,
    /// "Now", ms since the epoch.
    pub now_ms: i64,
    /// The officer's language.
    pub lang: Lang,
}

/// What the officer typed to correct the selected incident, kept until the store confirms it.
#[derive(Debug, Default)]
pub struct CorrectionState {
    /// The incident the typed text belongs to (another selection starts afresh).
    pub incident: Option<IncidentId>,
    /// Note to add.
    pub note: String,
    /// Reason of a cancellation.
    pub reason: String,
    /// The incident this one duplicates.
    pub duplicate_of: Option<IncidentId>,
    /// Corrected location, as typed (coordinates or a place name).
    pub location: String,
    /// The typed location lies outside the prefecture (the confirm button shows).
    pub outside: Option<String>,
    /// Why the typed location cannot be used.
    pub error: Option<String>,
    /// The correction sent and its request id, awaiting the store.
    pub pending: Option<(u64, Correction)>,
}

impl CorrectionState {
    /// The store wrote the correction: clear what it was typed in.
    pub fn done(&mut self, what: Correction) {
        match what {
            Correction::Note => self.note.clear(),
            Correction::Cancel => {
                self.reason.clear();
                self.duplicate_of = None;
            }
            Correction::Close => {}
            Correction::Relocate => {
                self.location.clear();
                self.outside = None;
            }
        }
    }
}

pub(super) fn detail_ui(
    ui: &mut Ui,
    cx: &PaneCtx,
    selected: &mut Option<OpsRef>,
    dispatch: &mut DispatchState,
    correction: &mut CorrectionState,
    notices: &mut Notices,
) -> Option<Action> {
    let (lang, now_ms, sit) = (cx.lang, cx.now_ms, cx.sit);
    let mut action = reassign_ui(ui, dispatch, lang);
    let Some(sel) = *selected else { return action };
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
                *selected = None;
                return action;
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
            if let Some(track) = cx.tracks.routes.get(&id)
                && let Some(e) = crate::dispatch::tracking::estimate_position(u, track, now_ms)
            {
                let text = if e.overdue {
                    tr(lang, Msg::Overdue).to_string()
                } else {
                    format!(
                        "{} {}{}",
                        tr(lang, Msg::Remaining),
                        if track.estimate { "≈" } else { "" },
                        duration(lang, e.remaining_s)
                    )
                };
                ui.label(RichText::new(text).color(if e.overdue {
                    theme::WARN_TEXT
                } else {
                    ui.visuals().text_color()
                }))
                .on_hover_text(tr(lang, Msg::EstimatedPosition));
                ui.label(RichText::new(tr(lang, Msg::EstimatedPosition)).small().weak());
            } else if let Some(why) = cx.tracks.failed.get(&id) {
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
                        action = Some(Action::SetUnitStatus(id, to));
                    }
                }
            });
            if let Some(a) = dispatch_unit_ui(ui, sit, dispatch, u, lang) {
                action = Some(a);
            }
            notice_ui(ui, notices, Source::Dispatch, lang);
            demo(ui, u.spec.demo, &u.spec.position_note);
        }
        OpsRef::Station(id) => {
            let Some(s) = sit.stations.get(&id) else {
                *selected = None;
                return action;
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
                *selected = None;
                return action;
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
                        action = Some(Action::Send(Intent::IssueStock {
                            warehouse: w.id,
                            item_code: line.item_code.clone(),
                            quantity: line.reserved,
                            from_reserved: true,
                        }));
                    }
                    ui.end_row();
                }
            });
            demo(ui, w.spec.demo, &w.spec.position_note);
        }
        OpsRef::Incident(id) => {
            let Some(i) = sit.incidents.get(&id) else {
                *selected = None;
                return action;
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
            let timers = crate::dispatch::tracking::incident_timers(i, now_ms);
            ui.horizontal_wrapped(|ui| {
                for (m, v) in [
                    (Msg::SinceReport, timers.since_report_s),
                    (Msg::SinceDispatch, timers.since_dispatch_s),
                    (Msg::SinceArrival, timers.since_arrival_s),
                ] {
                    // `1 小时 42 分` / `12 分 30 秒`, never an ambiguous `1:42`.
                    let text = v.map_or("—".to_string(), |s| duration(lang, s));
                    ui.label(RichText::new(format!("{} {text}", tr(lang, m))).monospace());
                }
            });
            if timers.to_dispatch_s.is_some() || timers.to_arrival_s.is_some() {
                let f = |v: Option<f64>| v.map_or("—".to_string(), |s| duration(lang, s));
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
            let view = super::alerts_board::AlertsBoardView {
                sit,
                context: cx.world.alerts.as_deref(),
                status: None,
                now_ms,
                lang,
            };
            if let Some(a) = super::alerts_board::incident_alerts_ui(ui, view, i.lonlat.lonlat()) {
                action = Some(a);
            }
            let mut sensitive = i.sensitive;
            let text = tr(lang, Msg::SensitiveToggle);
            if !i.status.is_final() && ui.checkbox(&mut sensitive, text).changed() {
                action = Some(Action::Send(Intent::SetIncidentSensitive {
                    incident: id,
                    sensitive,
                }));
            }
            for n in &i.notes {
                let at = crate::local_time::from_utc_iso(&n.ts_utc, now_ms);
                ui.label(RichText::new(format!("{at} {}: {}", n.operator, n.text)).small());
            }
            if let Some(a) = assigned_units_ui(ui, cx, id) {
                action = Some(a);
            }
            ui.horizontal_wrapped(|ui| {
                ui.label(format!("{}:", tr(lang, Msg::SetStatus)));
                let allowed = IncidentStatus::ALL.iter().copied().filter(|to| {
                    !matches!(to, IncidentStatus::Dispatched | IncidentStatus::Cancelled)
                        && i.status.can_transition_to(*to)
                });
                for to in allowed {
                    if ui.button(pick(lang, to.name_zh(), to.name_en())).clicked() {
                        action = Some(Action::Send(Intent::SetIncidentStatus { incident: id, to }));
                    }
                }
            });
            // The suggestion on its own rows, below the status buttons (never beside them).
            if !i.status.is_final()
                && let Some(a) = suggestion_ui(ui, cx, dispatch, notices, id)
            {
                action = Some(a);
            }
            if let Some(a) = corrections_ui(ui, cx, i, correction) {
                action = Some(a);
            }
        }
        OpsRef::Shelter(id) => {
            let Some(s) = sit.shelters.get(&id) else {
                *selected = None;
                return action;
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
    action
}

fn suggestion_ui(
    ui: &mut Ui,
    cx: &PaneCtx,
    dispatch: &mut DispatchState,
    notices: &mut Notices,
    incident: IncidentId,
) -> Option<Action> {
    let lang = cx.lang;
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        let can = cx.world.has_plans && !cx.recommend_busy;
        if ui
            .add_enabled(can, egui::Button::new(RichText::new(tr(lang, Msg::Recommend)).strong()))
            .on_hover_text(tr(lang, Msg::RecommendTip))
            .clicked()
        {
            action = Some(Action::Recommend(incident));
        }
        if cx.recommend_busy {
            ui.label(RichText::new(tr(lang, Msg::RouteComputing)).italics());
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(tr(lang, Msg::AffectedPeople));
        let r = ui
            .add(egui::DragValue::new(&mut dispatch.affected_people).range(0..=1_000_000))
            .on_hover_text(tr(lang, Msg::AffectedPeopleTip));
        // A new count re-asks for the suggestion (relief = plan per person × count).
        if (r.lost_focus() || r.drag_stopped())
            && dispatch.affected_people != dispatch.affected_asked
            && dispatch
                .recommendation
                .as_ref()
                .is_some_and(|rec| rec.incident == incident)
        {
            action = Some(Action::Recommend(incident));
        }
    });
    notice_ui(ui, notices, Source::Dispatch, lang);
    let Some(rec) = dispatch.recommendation.clone().filter(|r| r.incident == incident) else {
        return action;
    };
    ui.add(
        egui::Label::new(
            RichText::new(format!(
                "{}: {} (plans.toml:{})",
                tr(lang, Msg::Plan),
                rec.plan_title,
                rec.plan_line
            ))
            .small(),
        )
        .wrap(),
    );
    let all = dispatch.unticked.is_empty();
    let (label, tip) = if all {
        (Msg::DispatchAll, Msg::DispatchAllTip)
    } else {
        (Msg::DispatchChecked, Msg::DispatchCheckedTip)
    };
    // The action first, so it is on screen however long the plan is.
    if ui
        .button(RichText::new(tr(lang, label)).strong())
        .on_hover_text(format!("{}\n{}", tr(lang, tip), tr(lang, Msg::DispatchCheckedTip)))
        .clicked()
    {
        action = Some(Action::DispatchSuggestion);
    }
    if rec.schematic {
        ui.label(
            RichText::new(tr(lang, Msg::EstimateTip))
                .small()
                .color(theme::WARN_TEXT),
        );
    }
    // One row per unit, wrapping inside the pane's width: nothing is cut at any width.
    ui.vertical(|ui| {
        for req in &rec.requirements {
            let label = match lang {
                Lang::Zh => req.need.label_zh(),
                Lang::En => req.need.label_en(),
            };
            ui.add(egui::Label::new(RichText::new(format!("{label} ×{}", req.count)).strong()).wrap());
            for sug in &req.filled {
                ui.horizontal_wrapped(|ui| {
                    let n = rec.unit_ids().iter().position(|u| *u == sug.unit).map_or(0, |p| p + 1);
                    let mut ticked = !dispatch.unticked.contains(&sug.unit);
                    let hint = if n <= 9 { format!(" (Alt+{n})") } else { String::new() };
                    if ui
                        .checkbox(&mut ticked, sug.callsign.as_str())
                        .on_hover_text(format!("{}{hint}", pick(lang, &sug.name_zh, &sug.name_en)))
                        .changed()
                    {
                        if ticked {
                            dispatch.unticked.remove(&sug.unit);
                        } else {
                            dispatch.unticked.insert(sug.unit);
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
                });
            }
            if req.shortfall > 0 || req.filled.iter().any(|f| !f.on_time) {
                ui.add(
                    egui::Label::new(
                        RichText::new(match lang {
                            Lang::Zh => &req.message_zh,
                            Lang::En => &req.message_en,
                        })
                        .color(theme::WARN_TEXT)
                        .small(),
                    )
                    .wrap(),
                );
            }
        }
    });
    if !rec.supplies.is_empty() {
        ui.label(RichText::new(tr(lang, Msg::Supplies)).strong());
        ui.vertical(|ui| {
            for fill in &rec.supplies {
                ui.add(
                    egui::Label::new(format!(
                        "{} ×{} {}",
                        pick(lang, &fill.name_zh, &fill.name_en),
                        fill.needed,
                        fill.unit
                    ))
                    .wrap(),
                );
                for a in &fill.allocations {
                    let wname = sit_warehouse_name(cx.sit, a.warehouse, lang).unwrap_or(a.name_zh.clone());
                    ui.horizontal_wrapped(|ui| {
                        ui.label(format!("  {wname}"));
                        ui.label(format!("{} {}", a.quantity, fill.unit));
                        ui.label(format!(
                            "{}{:.0} {}",
                            if a.estimate { "≈" } else { "" },
                            a.eta_s / 60.0,
                            tr(lang, Msg::Minutes)
                        ));
                    });
                }
                if fill.unmet > 0 {
                    ui.add(
                        egui::Label::new(
                            RichText::new(match lang {
                                Lang::Zh => &fill.message_zh,
                                Lang::En => &fill.message_en,
                            })
                            .small()
                            .color(theme::WARN_TEXT),
                        )
                        .wrap(),
                    );
                }
            }
        });
        ui.checkbox(&mut dispatch.reserve_supplies, tr(lang, Msg::ReserveSupplies));
    }
    action
}

fn reassign_ui(ui: &mut Ui, dispatch: &DispatchState, lang: Lang) -> Option<Action> {
    let offer = dispatch.reassign_offer.as_ref()?;
    // Named as the log had them at the append: another seat may have committed them.
    let names: Vec<String> = offer
        .committed
        .iter()
        .map(|c| format!("{} {} #{}", c.callsign, tr(lang, Msg::CommittedAt), c.incident.0))
        .collect();
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        for n in names {
            ui.label(RichText::new(n).color(theme::WARN_TEXT));
        }
        if ui
            .button(RichText::new(tr(lang, Msg::Reassign)).strong())
            .on_hover_text(tr(lang, Msg::ReassignTip))
            .clicked()
        {
            action = Some(Action::Reassign);
        }
    });
    action
}

/// Send the selected unit to an open incident by hand (the board's alternative to a
/// suggestion); a unit committed elsewhere is offered for reassignment.
fn dispatch_unit_ui(
    ui: &mut Ui,
    sit: &Situation,
    dispatch: &mut DispatchState,
    u: &crate::model::unit::Unit,
    lang: Lang,
) -> Option<Action> {
    let open: Vec<_> = sit
        .incidents
        .values()
        .filter(|i| !i.status.is_final() && u.assignment != Some(i.id))
        .collect();
    if open.is_empty() || u.status == UnitStatus::OutOfService {
        return None;
    }
    // The incident the officer last looked at, else the nearest open one to the unit.
    if dispatch.target.is_none_or(|t| !open.iter().any(|i| i.id == t)) {
        let here = u.lonlat.lonlat();
        dispatch.target = open
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
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("{}:", tr(lang, Msg::DispatchTo)));
        let current = dispatch
            .target
            .and_then(|t| sit.incidents.get(&t))
            .map(label)
            .unwrap_or_default();
        egui::ComboBox::new("dispatch_target", tr(lang, Msg::Incident))
            .selected_text(current)
            .show_ui(ui, |ui| {
                for i in open.iter().rev() {
                    ui.selectable_value(&mut dispatch.target, Some(i.id), label(i));
                }
            });
        if ui.button(tr(lang, Msg::DispatchOne)).clicked()
            && let Some(t) = dispatch.target
        {
            action = Some(Action::Dispatch(crate::dispatch::DispatchRequest::units(t, vec![u.id])));
        }
    });
    action
}

/// The units committed to an incident: call sign, status, ETA while moving, time on scene.
fn assigned_units_ui(ui: &mut Ui, cx: &PaneCtx, incident: IncidentId) -> Option<Action> {
    let (lang, now_ms, sit) = (cx.lang, cx.now_ms, cx.sit);
    let mut units: Vec<_> = sit.units.values().filter(|u| u.assignment == Some(incident)).collect();
    if units.is_empty() {
        return None;
    }
    units.sort_by(|a, b| a.spec.callsign.cmp(&b.spec.callsign));
    ui.label(RichText::new(format!("{} ({})", tr(lang, Msg::AssignedUnits), units.len())).strong());
    let mut clicked = None;
    ui.vertical(|ui| {
        for u in units {
            ui.horizontal_wrapped(|ui| {
                if ui.selectable_label(false, &u.spec.callsign).clicked() {
                    clicked = Some(OpsRef::Unit(u.id));
                }
                ui.label(
                    RichText::new(pick(lang, u.status.name_zh(), u.status.name_en())).color(status_color(u.status)),
                );
                let since = |utc: &str| crate::time::parse_utc_ms(utc).map(|t| ((now_ms - t).max(0)) as f64 / 1000.0);
                let detail = match u.status {
                    UnitStatus::OnScene => since(&u.status_since_utc)
                        .map(|s| format!("{} {}", tr(lang, Msg::OnSceneFor), duration(lang, s))),
                    UnitStatus::Dispatched | UnitStatus::EnRoute => cx
                        .tracks
                        .routes
                        .get(&u.id)
                        .and_then(|t| crate::dispatch::tracking::estimate_position(u, t, now_ms))
                        .map(|e| format!("{} {}", tr(lang, Msg::EtaLabel), duration(lang, e.remaining_s))),
                    _ => None,
                };
                ui.label(RichText::new(detail.unwrap_or_default()).monospace());
            });
        }
    });
    clicked.map(Action::Select)
}

fn sit_warehouse_name(sit: &Situation, id: WarehouseId, lang: Lang) -> Option<String> {
    sit.warehouses
        .get(&id)
        .map(|w| pick(lang, &w.spec.name_zh, &w.spec.name_en).to_string())
}

fn pick<'a>(lang: Lang, zh: &'a str, en: &'a str) -> &'a str {
    lang.pick(zh, en)
}

/// 更正事件: add a note, cancel (with a reason; "duplicate of #n" links the two), close, relocate
/// (checked against the prefecture: a point outside needs its own confirmation). Each becomes an
/// intent the store worker checks against the log; the text stays until the store confirms it.
fn corrections_ui(ui: &mut Ui, cx: &PaneCtx, inc: &Incident, c: &mut CorrectionState) -> Option<Action> {
    let (lang, id) = (cx.lang, inc.id);
    if c.incident != Some(id) {
        *c = CorrectionState {
            incident: Some(id),
            ..Default::default()
        };
    }
    let mut action = None;
    let busy = c.pending.is_some();
    egui::CollapsingHeader::new(tr(lang, Msg::Correct))
        .id_salt(("correct", id.0))
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                let r = ui.add(
                    egui::TextEdit::singleline(&mut c.note)
                        .hint_text(tr(lang, Msg::NoteHint))
                        .desired_width(200.0),
                );
                let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                if (ui
                    .add_enabled(!busy, egui::Button::new(tr(lang, Msg::AddNote)))
                    .clicked()
                    || enter)
                    && !busy
                {
                    action = Some(Action::Correct(
                        Correction::Note,
                        Intent::AddNote {
                            incident: id,
                            text: c.note.clone(),
                        },
                    ));
                }
            });
            if inc.status.is_final() {
                return;
            }
            ui.horizontal_wrapped(|ui| {
                ui.add(
                    egui::TextEdit::singleline(&mut c.location)
                        .hint_text(tr(lang, Msg::LocationHint))
                        .desired_width(200.0),
                );
                if ui
                    .add_enabled(!busy, egui::Button::new(tr(lang, Msg::Relocate)))
                    .clicked()
                {
                    action = relocate(cx, c, id, false);
                }
            });
            if let Some(e) = &c.error {
                ui.colored_label(theme::WARN_TEXT, e);
            }
            if c.outside.as_deref() == Some(c.location.trim())
                && !busy
                && ui
                    .button(RichText::new(tr(lang, Msg::ConfirmOutsideRelocate)).color(theme::WARN_TEXT))
                    .clicked()
            {
                action = relocate(cx, c, id, true);
            }
            ui.horizontal_wrapped(|ui| {
                ui.label(tr(lang, Msg::CancelReason));
                ui.add(
                    egui::TextEdit::singleline(&mut c.reason)
                        .hint_text(tr(lang, Msg::CancelReasonHint))
                        .desired_width(160.0),
                );
                let shown = c
                    .duplicate_of
                    .map_or_else(|| tr(lang, Msg::NotDuplicate).to_string(), |n| format!("#{}", n.0));
                egui::ComboBox::new(("duplicate_of", id.0), tr(lang, Msg::DuplicateOf))
                    .selected_text(shown)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut c.duplicate_of, None, tr(lang, Msg::NotDuplicate));
                        for o in cx.sit.incidents.values().rev() {
                            if o.id != id && o.status != IncidentStatus::Cancelled {
                                let text = format!(
                                    "#{} {}",
                                    o.id.0,
                                    pick(lang, o.incident_type.name_zh(), o.incident_type.name_en())
                                );
                                ui.selectable_value(&mut c.duplicate_of, Some(o.id), text);
                            }
                        }
                    });
            });
            ui.horizontal_wrapped(|ui| {
                if ui
                    .add_enabled(
                        !busy,
                        egui::Button::new(RichText::new(tr(lang, Msg::CancelIncident)).color(theme::WARN_TEXT)),
                    )
                    .clicked()
                {
                    action = Some(Action::Correct(
                        Correction::Cancel,
                        Intent::CancelIncident {
                            incident: id,
                            reason: c.reason.clone(),
                            duplicate_of: c.duplicate_of,
                        },
                    ));
                }
                if ui
                    .add_enabled(!busy, egui::Button::new(tr(lang, Msg::CloseIncident)))
                    .on_hover_text(tr(lang, Msg::CloseIncidentTip))
                    .clicked()
                {
                    action = Some(Action::Correct(
                        Correction::Close,
                        Intent::CloseIncident { incident: id },
                    ));
                }
            });
        });
    action
}

/// The relocation of `id` to the typed location, or why not (a point outside the prefecture
/// goes only after its own confirmation, for that very text).
fn relocate(cx: &PaneCtx, c: &mut CorrectionState, id: IncidentId, confirmed: bool) -> Option<Action> {
    let typed = c.location.trim().to_string();
    c.error = None;
    let located = match crate::location::locate(&cx.world.index, &typed) {
        Ok(l) => l,
        Err(e) => {
            c.error = Some(super::incident_form::locate_error_text(&e, &typed, cx.lang));
            return None;
        }
    };
    if let Err(e) = crate::location::Area::new(cx.world.pack.bbox()).check(located.lonlat)
        && !(confirmed && c.outside.as_deref() == Some(typed.as_str()))
    {
        c.error = Some(super::incident_form::locate_error_text(&e, &typed, cx.lang));
        c.outside = Some(typed);
        return None;
    }
    Some(Action::Correct(
        Correction::Relocate,
        Intent::RelocateIncident {
            incident: id,
            lonlat: located.lonlat,
            address: located.place.unwrap_or_default(),
        },
    ))
}

/// A duration in the officer's language: `1 小时 42 分` / `1 h 42 min`, never an ambiguous `1:42`.
pub(super) fn duration(lang: Lang, secs: f64) -> String {
    match lang {
        Lang::Zh => crate::local_time::duration_zh(secs),
        Lang::En => crate::local_time::duration_en(secs),
    }
}
