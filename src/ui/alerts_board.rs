//! The alerts board (预警) and the other places alerts show in the console: the board's lists
//! (warnings active / expired / cancelled, earthquakes, rule drafts 待审核, sources), the details
//! of the selected one, the banner for red and orange warnings in force and earthquakes that fired
//! a rule (acknowledged per seat), the warnings and earthquakes at an incident's location, and the
//! prefilling of the new-incident form from a draft. Free functions over the parts they draw;
//! they return an [`Action`]. Reads the situation and the sources' status; imports only value
//! types from `backend` (never a worker handle or the store: intents go out as actions).

use std::collections::BTreeSet;

use egui::{RichText, Sense, Ui, vec2};

use super::action::{Action, AlertRef};
use super::i18n::{Lang, Msg, tr};
use super::incident_form::IncidentForm;
use super::parts::{AlertTab, AlertsView};
use super::theme;
use crate::alerts::place::{alert_bbox, alert_covers, felt_radius_km, quake_reaches};
use crate::alerts::writer::MsgType;
use crate::backend::alerts::{AlertContext, AlertsStatus};
use crate::backend::store::Intent;
use crate::local_time;
use crate::model::alert::{AlertEntry, AlertInfo, AlertLifecycle, QuakeEntry, RuleFiring, WarningLevel};
use crate::model::situation::Situation;
use crate::search::Target;
use crate::style::{QUAKE, level_color};

/// What the alerts board reads.
#[derive(Clone, Copy)]
pub struct AlertsBoardView<'a> {
    /// The situation listed.
    pub sit: &'a Situation,
    /// The pack's alerts context (area names, types).
    pub context: Option<&'a AlertContext>,
    /// Drop folder and feeds.
    pub status: Option<&'a AlertsStatus>,
    /// Console "now", ms since the epoch.
    pub now_ms: i64,
    /// The officer's language.
    pub lang: Lang,
}

/// The level's name (the chip's colour is never the only cue).
fn level_name(level: Option<WarningLevel>, lang: Lang) -> &'static str {
    level.map_or(tr(lang, Msg::NoLevel), |l| lang.pick(l.name_zh(), l.name_en()))
}

/// A colour chip followed by the level's name.
fn level_chip(ui: &mut Ui, level: Option<WarningLevel>, lang: Lang) {
    let (rect, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
    ui.painter().rect_filled(rect, 2.0, level_color(level));
    ui.label(
        RichText::new(level_name(level, lang))
            .color(level_color(level))
            .strong(),
    );
}

/// The info in the officer's language when the message has it, else the other one (else the
/// first).
pub fn info_for(entry: &AlertEntry, lang: Lang) -> Option<&AlertInfo> {
    let zh = |i: &&AlertInfo| i.language.to_ascii_lowercase().starts_with("zh");
    let infos = &entry.record.infos;
    match lang {
        Lang::Zh => infos.iter().find(zh).or_else(|| infos.first()),
        Lang::En => infos.iter().find(|i| !zh(i)).or_else(|| infos.first()),
    }
}

/// The warning type's name (from alerts.toml), else the message's event.
pub fn type_name(entry: &AlertEntry, context: Option<&AlertContext>, lang: Lang) -> String {
    entry
        .record
        .warning_type
        .as_deref()
        .and_then(|k| context.and_then(|c| c.config.type_by_key(k)))
        .map(|t| lang.pick(&t.zh, &t.en).to_string())
        .or_else(|| info_for(entry, lang).map(|i| i.event.clone()))
        .unwrap_or_default()
}

/// The areas' names: resolved codes by the pack's names, "(上级区域)" when a parent stood in,
/// else the message's own area description.
pub fn area_names(entry: &AlertEntry, context: Option<&AlertContext>, lang: Lang) -> String {
    let mut names = Vec::new();
    for a in &entry.record.areas {
        let mut any = false;
        for r in &a.resolved {
            let Some(code) = &r.used else { continue };
            any = true;
            let name = context
                .and_then(|c| c.areas.get(code))
                .map(|x| lang.pick(&x.name_zh, &x.name_en).to_string())
                .unwrap_or_else(|| r.name_zh.clone());
            let n = if r.exact {
                name
            } else {
                format!("{name}{}", tr(lang, Msg::ParentArea))
            };
            if !names.contains(&n) {
                names.push(n);
            }
        }
        if !any && !a.desc.is_empty() {
            names.push(a.desc.clone());
        }
    }
    names.join(lang.pick("、", ", "))
}

/// Beijing date and time with the zone.
fn beijing(ms: i64, lang: Lang) -> String {
    format!(
        "{} {}",
        local_time::date_time(ms),
        lang.pick(local_time::ZONE_ZH, local_time::ZONE_EN)
    )
}

fn expiry(entry: &AlertEntry, lang: Lang) -> String {
    match entry.record.expires_ms {
        Some(ms) => format!("{} {}", tr(lang, Msg::Expires), beijing(ms, lang)),
        None => tr(lang, Msg::NoExpiry).to_string(),
    }
}

/// One line of an earthquake: magnitude, place, Beijing time, depth, provisional / withdrawn.
pub fn quake_line(q: &QuakeEntry, lang: Lang) -> String {
    let r = &q.quake;
    let mut s = format!("M{:.1} {} · {}", r.magnitude, r.place, beijing(r.time_ms, lang));
    if let Some(d) = r.depth_km {
        s.push_str(&format!(" · {} {d:.0} km", tr(lang, Msg::Depth)));
    }
    if q.withdrawn {
        s.push_str(&format!(" · {}", tr(lang, Msg::QuakeWithdrawn)));
    } else if r.provisional {
        s.push_str(&format!(" · {}", tr(lang, Msg::QuakeProvisional)));
    }
    s
}

/// Where the map flies for an alert or earthquake.
pub fn fly_action(sit: &Situation, context: Option<&AlertContext>, r: &AlertRef) -> Option<Action> {
    match r {
        AlertRef::Alert(k) => {
            let e = sit.alerts.alerts.get(k)?;
            alert_bbox(&e.record, &context?.areas).map(Action::FlyToBBox)
        }
        AlertRef::Quake(id) => {
            let q = sit.alerts.quakes.get(id)?;
            Some(Action::FlyToTarget(Target::Point(q.quake.lonlat.lonlat())))
        }
    }
}

fn tab_of(entry: &AlertEntry, now_ms: i64) -> Option<AlertTab> {
    match entry.lifecycle {
        AlertLifecycle::CancelNotice => None,
        AlertLifecycle::Superseded { .. } | AlertLifecycle::Cancelled { .. } => Some(AlertTab::Cancelled),
        AlertLifecycle::Active if entry.is_active_at(now_ms) => Some(AlertTab::Active),
        AlertLifecycle::Active => Some(AlertTab::Expired),
    }
}

/// The alerts board: tabs, the list, the selected one's details.
pub fn alerts_board_ui(ui: &mut Ui, v: AlertsBoardView, part: &mut AlertsView) -> Option<Action> {
    let AlertsBoardView {
        sit,
        context,
        status,
        now_ms,
        lang,
    } = v;
    let count = |t: AlertTab| {
        sit.alerts
            .alerts
            .values()
            .filter(|e| tab_of(e, now_ms) == Some(t))
            .count()
    };
    let drafts = sit.alerts.pending_drafts().count();
    let mut action = None;
    if ui
        .button(RichText::new(tr(lang, Msg::ComposeWarning)).strong())
        .clicked()
    {
        action = Some(Action::ComposeWarning {
            replaces: None,
            msg_type: MsgType::Alert,
        });
    }
    ui.horizontal_wrapped(|ui| {
        for (t, m, n) in [
            (AlertTab::Active, Msg::AlertsActive, Some(count(AlertTab::Active))),
            (AlertTab::Expired, Msg::AlertsExpired, Some(count(AlertTab::Expired))),
            (
                AlertTab::Cancelled,
                Msg::AlertsCancelled,
                Some(count(AlertTab::Cancelled)),
            ),
            (AlertTab::Quakes, Msg::Quakes, Some(sit.alerts.quakes.len())),
            (AlertTab::Drafts, Msg::Drafts, Some(drafts)),
            (AlertTab::Sources, Msg::AlertSources, None),
        ] {
            let text = match n {
                Some(n) => format!("{} ({n})", tr(lang, m)),
                None => tr(lang, m).to_string(),
            };
            let text = if t == AlertTab::Drafts && drafts > 0 {
                RichText::new(text).color(theme::WARN_TEXT).strong()
            } else {
                RichText::new(text)
            };
            ui.selectable_value(&mut part.tab, t, text);
        }
    });
    ui.separator();
    let max_h = (ui.available_height() * 0.55).max(160.0);
    egui::ScrollArea::vertical()
        .id_salt("alerts_list")
        .max_height(max_h)
        .auto_shrink([false, true])
        .show(ui, |ui| match part.tab {
            AlertTab::Quakes => {
                let mut quakes: Vec<_> = sit.alerts.quakes.iter().collect();
                quakes.sort_by_key(|(_, q)| std::cmp::Reverse(q.quake.time_ms));
                if quakes.is_empty() {
                    ui.weak(tr(lang, Msg::NoneListed));
                }
                for (id, q) in quakes {
                    let r = AlertRef::Quake(id.clone());
                    ui.horizontal_wrapped(|ui| {
                        let (rect, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
                        ui.painter().circle_filled(rect.center(), 6.0, QUAKE);
                        let sel = part.selected.as_ref() == Some(&r);
                        if ui.selectable_label(sel, quake_line(q, lang)).clicked() {
                            action = Some(Action::ShowAlert(r.clone()));
                        }
                    });
                }
            }
            AlertTab::Drafts => {
                action = drafts_ui(ui, sit, lang, part);
            }
            AlertTab::Sources => sources_ui(ui, status, lang, now_ms),
            tab => {
                let mut rows: Vec<&AlertEntry> = sit
                    .alerts
                    .alerts
                    .values()
                    .filter(|e| tab_of(e, now_ms) == Some(tab))
                    .collect();
                rows.sort_by_key(|e| {
                    (
                        e.record.level.map_or(9, |l| l.rank()),
                        std::cmp::Reverse(e.received_seq),
                    )
                });
                if rows.is_empty() {
                    ui.weak(tr(lang, Msg::NoneListed));
                }
                for e in rows {
                    let r = AlertRef::Alert(e.record.key.text());
                    ui.horizontal_wrapped(|ui| {
                        level_chip(ui, e.record.level, lang);
                        let mut text = format!(
                            "{} · {} · {} · {}",
                            type_name(e, context, lang),
                            e.record.key.sender,
                            area_names(e, context, lang),
                            expiry(e, lang)
                        );
                        if let AlertLifecycle::Superseded { .. } = e.lifecycle {
                            text.push_str(&format!(" · {}", tr(lang, Msg::Superseded)));
                        }
                        if e.issued {
                            text.push_str(&format!(" · {}", tr(lang, Msg::IssuedByUs)));
                        }
                        let sel = part.selected.as_ref() == Some(&r);
                        if ui.selectable_label(sel, text).clicked() {
                            action = Some(Action::ShowAlert(r.clone()));
                        }
                        // Our own warnings in force can be updated or lifted from their row.
                        if e.issued && tab == AlertTab::Active {
                            for (m, msg_type) in [
                                (Msg::UpdateWarning, MsgType::Update),
                                (Msg::CancelWarning, MsgType::Cancel),
                            ] {
                                if ui.small_button(tr(lang, m)).clicked() {
                                    action = Some(Action::ComposeWarning {
                                        replaces: Some(e.record.key.text()),
                                        msg_type,
                                    });
                                }
                            }
                        }
                    });
                }
            }
        });
    ui.separator();
    if let Some(sel) = &part.selected {
        details_ui(ui, v, sel);
    }
    action
}

/// The selected alert's or earthquake's details, in the officer's language where the message
/// has it.
fn details_ui(ui: &mut Ui, v: AlertsBoardView, sel: &AlertRef) {
    let lang = v.lang;
    match sel {
        AlertRef::Alert(k) => {
            let Some(e) = v.sit.alerts.alerts.get(k) else { return };
            ui.horizontal_wrapped(|ui| {
                level_chip(ui, e.record.level, lang);
                ui.label(RichText::new(type_name(e, v.context, lang)).strong());
            });
            let grid = |ui: &mut Ui, label: Msg, text: &str| {
                if !text.trim().is_empty() {
                    ui.label(RichText::new(tr(lang, label)).weak());
                    ui.label(text);
                    ui.end_row();
                }
            };
            egui::Grid::new("alert_details").num_columns(2).show(ui, |ui| {
                if let Some(i) = info_for(e, lang) {
                    grid(ui, Msg::Headline, &i.headline);
                    grid(ui, Msg::Description, &i.description);
                    grid(ui, Msg::Instruction, &i.instruction);
                }
                grid(ui, Msg::Sender, &e.record.key.sender);
                grid(ui, Msg::AreasLabel, &area_names(e, v.context, lang));
                grid(ui, Msg::Expires, &expiry(e, lang));
            });
            for a in &e.record.areas {
                for r in a.resolved.iter().filter(|r| !r.note.is_empty()) {
                    ui.label(RichText::new(&r.note).small().weak());
                }
            }
        }
        AlertRef::Quake(id) => {
            let Some(q) = v.sit.alerts.quakes.get(id) else { return };
            ui.label(RichText::new(quake_line(q, lang)).strong());
            ui.label(format!(
                "{}：{:.0} km（{}）",
                tr(lang, Msg::FeltRadius),
                felt_radius_km(q.quake.magnitude),
                tr(lang, Msg::EstimateSeeReadme)
            ));
            ui.label(
                RichText::new(format!("{} · {}", q.quake.source, q.quake.id))
                    .small()
                    .weak(),
            );
        }
    }
}

/// The drafts awaiting an officer: 批准 opens the prefilled form, 驳回 needs a reason.
fn drafts_ui(ui: &mut Ui, sit: &Situation, lang: Lang, part: &mut AlertsView) -> Option<Action> {
    let mut action = None;
    let pending: Vec<&RuleFiring> = sit.alerts.pending_drafts().collect();
    if pending.is_empty() {
        ui.weak(tr(lang, Msg::NoneListed));
    }
    for f in pending {
        let Some(d) = &f.draft else { continue };
        ui.group(|ui| {
            ui.label(RichText::new(lang.pick(&f.notice_zh, &f.notice_en)).strong());
            ui.label(format!(
                "{}：{} {} · {:.4},{:.4}",
                tr(lang, Msg::Proposed),
                lang.pick(d.incident_type.name_zh(), d.incident_type.name_en()),
                lang.pick(d.severity.name_zh(), d.severity.name_en()),
                d.lonlat.lon_deg(),
                d.lonlat.lat_deg()
            ));
            let reason = part.reasons.entry(f.seq).or_default();
            ui.horizontal_wrapped(|ui| {
                if ui.button(RichText::new(tr(lang, Msg::Approve)).strong()).clicked() {
                    action = Some(Action::ApproveDraft(f.seq));
                }
                let label = ui.label(tr(lang, Msg::DismissReason));
                ui.add(egui::TextEdit::singleline(reason).desired_width(160.0))
                    .labelled_by(label.id);
                let ok = !reason.trim().is_empty();
                if ui
                    .add_enabled(ok, egui::Button::new(tr(lang, Msg::DismissDraft)))
                    .on_disabled_hover_text(tr(lang, Msg::DismissReason))
                    .clicked()
                {
                    action = Some(Action::Send(Intent::DismissDraft {
                        firing_seq: f.seq,
                        reason: reason.trim().to_string(),
                    }));
                }
            });
        });
    }
    action
}

/// Drop folder and feeds: last success, last error with its reason, next poll.
fn sources_ui(ui: &mut Ui, status: Option<&AlertsStatus>, lang: Lang, now_ms: i64) {
    let Some(s) = status else {
        ui.weak(tr(lang, Msg::NoDropFolder));
        return;
    };
    if let Some(p) = &s.poller {
        match &p.holder {
            Some(h) => {
                let mut seat = h.seat.clone();
                if p.this_seat {
                    seat.push_str(tr(lang, Msg::ThisSeatMark));
                }
                ui.label(
                    tr(lang, Msg::PollerLine)
                        .replace("{seat}", &seat)
                        .replace("{since}", &local_time::date_time(h.since_ms)),
                );
            }
            None => {
                ui.weak(tr(lang, Msg::PollerUnknown));
            }
        }
        if let Some(e) = &p.error {
            ui.colored_label(theme::WARN_TEXT, e);
        }
        ui.separator();
    }
    ui.label(RichText::new(tr(lang, Msg::DropFolder)).strong());
    match &s.drop_dir {
        Some(d) => {
            ui.label(RichText::new(d.display().to_string()).monospace());
            ui.label(format!("{}: {}", tr(lang, Msg::Taken), s.dropped));
        }
        None => {
            ui.weak(tr(lang, Msg::NoDropFolder));
        }
    }
    if let Some(e) = &s.drop_error {
        ui.colored_label(theme::WARN_TEXT, e);
    }
    ui.separator();
    ui.label(RichText::new(tr(lang, Msg::Feeds)).strong());
    if s.feeds.is_empty() {
        ui.weak(tr(lang, Msg::NoFeeds));
    }
    let at = |t: &Option<String>| {
        t.as_deref()
            .map_or_else(|| "—".to_string(), |t| local_time::from_utc_iso(t, now_ms))
    };
    for f in &s.feeds {
        ui.group(|ui| {
            ui.label(RichText::new(&f.name).strong());
            ui.label(RichText::new(&f.url).small().monospace());
            ui.label(format!("{}: {}", tr(lang, Msg::LastSuccess), at(&f.last_success_utc)));
            if let Some(e) = &f.last_error {
                ui.colored_label(
                    theme::WARN_TEXT,
                    format!("{}: {} — {e}", tr(lang, Msg::LastError), at(&f.last_error_utc)),
                );
            }
            ui.label(format!("{}: {}", tr(lang, Msg::NextPoll), at(&f.next_poll_utc)));
        });
    }
}

/// One banner line: what, how serious, the text.
#[derive(Debug, Clone, PartialEq)]
pub struct BannerItem {
    /// The alert or earthquake.
    pub what: AlertRef,
    /// Level (`None` for an earthquake).
    pub level: Option<WarningLevel>,
    /// Text in the officer's language.
    pub text: String,
}

/// An earthquake that fired a rule leaves the banner this long (24 h) after the later of its
/// origin time and the moment the rule fired: old news by then, and a late report still gets
/// its day.
pub const QUAKE_BANNER_MS: i64 = 24 * 3_600_000;

/// At most this many acknowledgements are kept per seat (there are never that many red and
/// orange warnings in force at once; the bound only guards the settings file).
pub const MAX_ACKED: usize = 256;

/// What the banner would show at `now_ms`, acknowledged or not: red and orange warnings in
/// force, most serious first, then the earthquakes (not withdrawn) that fired a rule within
/// [`QUAKE_BANNER_MS`].
fn banner_candidates(sit: &Situation, now_ms: i64) -> Vec<AlertRef> {
    let mut warnings: Vec<_> = sit
        .alerts
        .active_at(now_ms)
        .filter(|e| matches!(e.record.level, Some(WarningLevel::Red | WarningLevel::Orange)))
        .collect();
    warnings.sort_by_key(|e| e.record.level.map_or(9, |l| l.rank()));
    let mut out: Vec<AlertRef> = warnings.iter().map(|e| AlertRef::Alert(e.record.key.text())).collect();
    let mut seen = BTreeSet::new();
    for f in &sit.alerts.firings {
        let Some(q) = sit.alerts.quakes.get(&f.subject).filter(|q| !q.withdrawn) else {
            continue;
        };
        let fired_ms = crate::time::parse_utc_ms(&f.fired_utc).unwrap_or(q.quake.time_ms);
        if now_ms - q.quake.time_ms.max(fired_ms) > QUAKE_BANNER_MS || !seen.insert(f.subject.clone()) {
            continue;
        }
        out.push(AlertRef::Quake(f.subject.clone()));
    }
    out
}

/// Forget this seat's acknowledgements of what the banner no longer shows (expired, cancelled,
/// aged-out or unknown), keeping at most [`MAX_ACKED`]. Call it only on the live situation of
/// the database (not a drill's or a replay's, not before the first load).
pub fn prune_acked(acked: &mut BTreeSet<String>, sit: &Situation, now_ms: i64) {
    if acked.is_empty() {
        return;
    }
    let shown: BTreeSet<String> = banner_candidates(sit, now_ms).iter().map(AlertRef::ack_key).collect();
    acked.retain(|k| shown.contains(k));
    while acked.len() > MAX_ACKED {
        acked.pop_first();
    }
}

/// Red and orange warnings in force and earthquakes that fired a rule in the last
/// [`QUAKE_BANNER_MS`], not yet acknowledged at this seat; most serious first.
pub fn banner_items(
    sit: &Situation,
    context: Option<&AlertContext>,
    acked: &BTreeSet<String>,
    now_ms: i64,
    lang: Lang,
) -> Vec<BannerItem> {
    banner_candidates(sit, now_ms)
        .into_iter()
        .filter(|r| !acked.contains(&r.ack_key()))
        .filter_map(|r| match &r {
            AlertRef::Alert(k) => {
                let e = sit.alerts.alerts.get(k)?;
                let headline = info_for(e, lang).map(|i| i.headline.clone()).unwrap_or_default();
                Some(BannerItem {
                    level: e.record.level,
                    text: format!(
                        "{} · {} · {} {}",
                        type_name(e, context, lang),
                        area_names(e, context, lang),
                        expiry(e, lang),
                        headline
                    ),
                    what: r,
                })
            }
            AlertRef::Quake(id) => {
                let q = sit.alerts.quakes.get(id)?;
                Some(BannerItem {
                    level: None,
                    text: quake_line(q, lang),
                    what: r,
                })
            }
        })
        .collect()
}

/// The banner under the top bar: one line per item with 查看 and 知道了 (per seat).
pub fn alerts_banner_ui(ui: &mut Ui, items: &[BannerItem], acked: &mut BTreeSet<String>, lang: Lang) -> Option<Action> {
    let mut action = None;
    for it in items {
        ui.horizontal_wrapped(|ui| {
            match it.level {
                Some(_) => level_chip(ui, it.level, lang),
                None => {
                    ui.label(RichText::new(tr(lang, Msg::Quakes)).color(QUAKE).strong());
                }
            }
            ui.label(RichText::new(&it.text).strong());
            if ui.button(tr(lang, Msg::ViewAlert)).clicked() {
                action = Some(Action::ShowAlert(it.what.clone()));
            }
            if ui.button(tr(lang, Msg::Acknowledge)).clicked() {
                acked.insert(it.what.ack_key());
            }
        });
    }
    action
}

/// The warnings in force whose area contains `lonlat` and the earthquakes whose estimated felt
/// radius reaches it (for the incident pane).
pub fn alerts_at(sit: &Situation, context: &AlertContext, lonlat: [f64; 2], now_ms: i64) -> Vec<AlertRef> {
    let mut out: Vec<AlertRef> = sit
        .alerts
        .active_at(now_ms)
        .filter(|e| alert_covers(&e.record, &context.areas, lonlat))
        .map(|e| AlertRef::Alert(e.record.key.text()))
        .collect();
    out.extend(
        sit.alerts
            .quakes
            .iter()
            .filter(|(_, q)| !q.withdrawn && quake_reaches(&q.quake, lonlat))
            .map(|(id, _)| AlertRef::Quake(id.clone())),
    );
    out
}

/// The incident pane's list of warnings and earthquakes at its location; a click opens one.
pub fn incident_alerts_ui(ui: &mut Ui, v: AlertsBoardView, lonlat: [f64; 2]) -> Option<Action> {
    let context = v.context?;
    let found = alerts_at(v.sit, context, lonlat, v.now_ms);
    if found.is_empty() {
        return None;
    }
    let lang = v.lang;
    let mut action = None;
    ui.label(RichText::new(tr(lang, Msg::AlertsHere)).strong());
    for r in found {
        ui.horizontal_wrapped(|ui| {
            let text = match &r {
                AlertRef::Alert(k) => {
                    let Some(e) = v.sit.alerts.alerts.get(k) else { return };
                    level_chip(ui, e.record.level, lang);
                    format!("{} · {}", type_name(e, v.context, lang), expiry(e, lang))
                }
                AlertRef::Quake(id) => {
                    let Some(q) = v.sit.alerts.quakes.get(id) else { return };
                    ui.label(RichText::new(tr(lang, Msg::Quakes)).color(QUAKE));
                    format!("{} ({})", quake_line(q, lang), tr(lang, Msg::FeltRadius))
                }
            };
            if ui.link(text).clicked() {
                action = Some(Action::ShowAlert(r.clone()));
            }
        });
    }
    action
}

/// Fill the new-incident form from a rule's draft (批准): type, grade, location, place and a
/// note naming the alert; submitting the form approves the draft.
pub fn prefill_from_draft(form: &mut IncidentForm, firing: &RuleFiring) {
    let Some(d) = &firing.draft else { return };
    form.incident_type = d.incident_type;
    form.class = d.incident_type.class();
    form.severity = d.severity;
    form.location = format!("{:.6},{:.6}", d.lonlat.lon_deg(), d.lonlat.lat_deg());
    form.address = d.address.clone();
    form.caller = d.caller.name.clone();
    form.phone = d.caller.phone.clone();
    form.notes = if d.notes.is_empty() {
        firing.notice_zh.clone()
    } else {
        format!("{} — {}", firing.notice_zh, d.notes)
    };
    form.error = None;
    form.outside = None;
    form.confirm_outside = None;
    form.from_draft = Some(firing.seq);
}
