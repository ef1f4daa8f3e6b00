//! The new-incident form: class → type → grade, location (typed, pasted or picked on the map),
//! caller, phone, place and notes. Keyboard-first (Ctrl+N opens, Ctrl+Enter records, Esc closes
//! and keeps the draft). The draft is cleared only when the store confirms the event; an error
//! leaves every field as typed.

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

use super::action::Action;
use super::i18n::{Lang, Msg, tr};
use super::notices::{self, Source};
use super::parts::World;
use super::{OneMapApp, theme};
use crate::backend::store::{Done, Intent, Refused, StoreCommand};
use crate::map::ops::OpsRef;
use crate::model::incident::IncidentDraft;
use crate::model::incident::{Caller, IncidentClass, IncidentType, Severity};

/// Opens the form.
pub const SHORTCUT_NEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::N);
/// Records the incident.
pub const SHORTCUT_SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);

/// The form's state (kept across opening and closing until saved).
#[derive(Debug, Clone)]
pub struct IncidentForm {
    /// Shown.
    pub open: bool,
    /// Class.
    pub class: IncidentClass,
    /// Type (within the class).
    pub incident_type: IncidentType,
    /// Grade.
    pub severity: Severity,
    /// "lon,lat".
    pub location: String,
    /// Caller name.
    pub caller: String,
    /// Caller phone.
    pub phone: String,
    /// Place / address.
    pub address: String,
    /// Notes.
    pub notes: String,
    /// Why the last save failed.
    pub error: Option<String>,
    /// Request id awaiting the store's answer.
    pub pending: Option<u64>,
    /// The typed location that lies outside the prefecture (the confirm button shows).
    pub outside: Option<String>,
    /// The typed location the officer confirmed although it lies outside the prefecture.
    pub confirm_outside: Option<String>,
    /// The pending request is a real call recorded during a drill.
    pub pending_real: bool,
    /// The rule firing whose draft this form approves when submitted (批准).
    pub from_draft: Option<u64>,
    focus_first: bool,
}

impl Default for IncidentForm {
    fn default() -> Self {
        IncidentForm {
            open: false,
            class: IncidentClass::NaturalDisaster,
            incident_type: IncidentType::Flood,
            severity: Severity::IV,
            location: String::new(),
            caller: String::new(),
            phone: String::new(),
            address: String::new(),
            notes: String::new(),
            error: None,
            pending: None,
            outside: None,
            confirm_outside: None,
            pending_real: false,
            from_draft: None,
            focus_first: false,
        }
    }
}

impl IncidentForm {
    /// The draft as typed, its location resolved and checked against the prefecture; `None`
    /// (with the reason in `error`, every field kept) when it cannot be recorded yet.
    pub fn draft(&mut self, world: &World, lang: Lang) -> Option<IncidentDraft> {
        let typed = self.location.trim().to_string();
        let located = match crate::location::locate(&world.index, &typed) {
            Ok(l) => l,
            Err(e) => {
                self.error = Some(format!(
                    "{}: {}",
                    tr(lang, Msg::Location),
                    locate_error_text(&e, &typed, lang)
                ));
                self.confirm_outside = None;
                return None;
            }
        };
        let lonlat = located.lonlat;
        // A point beyond the prefecture (plus a margin) is recorded only after the officer
        // confirms that very point: a typo must not send a call 2 000 km away silently.
        if let Err(e) = crate::location::Area::new(world.pack.bbox()).check(lonlat)
            && self.confirm_outside != Some(typed.clone())
        {
            self.error = Some(locate_error_text(&e, &typed, lang));
            self.outside = Some(typed.clone());
            return None;
        }
        if let Some(name) = located.place
            && self.address.trim().is_empty()
        {
            self.address = if name.contains(&typed) {
                name
            } else {
                format!("{typed} · {name}")
            };
        }
        Some(IncidentDraft {
            incident_type: self.incident_type,
            severity: self.severity,
            lonlat,
            address: self.address.trim().to_string(),
            caller: Caller {
                name: self.caller.trim().to_string(),
                phone: self.phone.trim().to_string(),
            },
            notes: self.notes.trim().to_string(),
        })
    }
}

fn name(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    lang.pick(zh, en)
}

impl OneMapApp {
    /// Open the form, optionally with a location picked on the map.
    pub fn open_incident_form(&mut self, at: Option<[f64; 2]>) {
        self.incident_form.open = true;
        self.incident_form.focus_first = true;
        // A form opened by hand records a call, never a draft's approval.
        self.incident_form.from_draft = None;
        if let Some(p) = at {
            self.incident_form.location = format!("{:.6},{:.6}", p[0], p[1]);
        }
    }

    /// Validate and send the draft to the store; the form stays as typed until confirmed. During
    /// a drill `real` sends it to the real situation (a genuine call), else it is a drill event.
    pub fn submit_incident(&mut self, real: bool) {
        let real = real && self.mode.drill().is_some();
        let lang = self.settings.lang;
        let (operator, seat) = (self.operator(), self.seat());
        if self.incident_form.pending.is_some() {
            return;
        }
        let Some(draft) = self.incident_form.draft(&self.world, lang) else {
            return;
        };
        let f = &mut self.incident_form;
        let Some(store) = self.mode.writer() else {
            f.error = Some(tr(lang, Msg::NoDatabase).to_string());
            return;
        };
        self.live.next_req += 1;
        let cmd = StoreCommand::Intent {
            req: self.live.next_req,
            operator,
            seat,
            intent: {
                let inner = match f.from_draft {
                    Some(firing_seq) => Intent::ApproveDraft { firing_seq, draft },
                    None => Intent::ReportIncident(draft),
                };
                if real { Intent::Real(Box::new(inner)) } else { inner }
            },
        };
        match store.send(cmd) {
            Ok(()) => {
                f.pending = Some(self.live.next_req);
                f.pending_real = real;
                f.error = None;
            }
            Err(e) => f.error = Some(e.to_string()),
        }
    }

    /// The store answered a request.
    pub(super) fn incident_saved(&mut self, result: Result<Done, Refused>) {
        self.incident_form.pending = None;
        let real_in_drill = std::mem::take(&mut self.incident_form.pending_real);
        match result.map(|d| d.incident) {
            Ok(Some(_)) if real_in_drill => {
                // Written to the real log: the drill's boards do not show it (nor select it).
                let keep = (self.incident_form.class, self.incident_form.incident_type);
                self.incident_form = IncidentForm {
                    class: keep.0,
                    incident_type: keep.1,
                    ..IncidentForm::default()
                };
                let lang = self.settings.lang;
                self.notices.push_for(
                    notices::Severity::Info,
                    Source::Toast,
                    tr(lang, Msg::RealRecordedInDrill).to_string(),
                    6.0,
                );
            }
            Ok(Some(id)) => {
                // Recorded here: not news to this officer.
                self.live.arrivals.ack(id);
                let keep = (self.incident_form.class, self.incident_form.incident_type);
                self.incident_form = IncidentForm {
                    class: keep.0,
                    incident_type: keep.1,
                    ..IncidentForm::default()
                };
                self.selected_ops = Some(OpsRef::Incident(id));
                self.boards.board = super::Board::Incidents;
                let lang = self.settings.lang;
                self.notices.push_for(
                    notices::Severity::Info,
                    Source::Toast,
                    format!("{} #{}", tr(lang, Msg::IncidentRecorded), id.0),
                    4.0,
                );
            }
            Ok(None) => self.incident_form.error = Some(tr(self.settings.lang, Msg::NotRecorded).to_string()),
            Err(e) => self.incident_form.error = Some(super::errors::refused(&e, self.settings.lang)),
        }
    }
}

/// The form's window (when open). Returns the record asked for (real or drill during a drill);
/// a record without that choice during a drill only tells the officer to choose.
pub(super) fn incident_form_ui(
    ctx: &egui::Context,
    f: &mut IncidentForm,
    in_drill: bool,
    lang: Lang,
) -> Option<Action> {
    if !f.open {
        return None;
    }
    let mut open = true;
    // `Some(None)`: record without saying real or drill (Ctrl+Enter, Save); `Some(Some(real))`.
    let mut submit: Option<Option<bool>> = ctx.input_mut(|i| i.consume_shortcut(&SHORTCUT_SAVE)).then_some(None);
    if ctx.input(|i| i.key_pressed(Key::Escape)) {
        open = false;
    }
    egui::Window::new(tr(lang, Msg::NewIncident))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .default_width(420.0)
        .show(ctx, |ui| {
            egui::Grid::new("incident_form")
                .num_columns(2)
                .spacing([10.0, 8.0])
                .show(ui, |ui| {
                    ui.label(tr(lang, Msg::Class));
                    let before = f.class;
                    let r = egui::ComboBox::new("incident_class", "")
                        .selected_text(name(lang, f.class.name_zh(), f.class.name_en()))
                        .show_ui(ui, |ui| {
                            for c in IncidentClass::ALL {
                                ui.selectable_value(&mut f.class, *c, name(lang, c.name_zh(), c.name_en()));
                            }
                        });
                    if f.focus_first {
                        r.response.request_focus();
                        f.focus_first = false;
                    }
                    if (f.class != before || f.incident_type.class() != f.class)
                        && let Some(t) = IncidentType::ALL.iter().find(|t| t.class() == f.class)
                    {
                        f.incident_type = *t;
                    }
                    ui.end_row();
                    ui.label(tr(lang, Msg::Type));
                    egui::ComboBox::new("incident_type", "")
                        .selected_text(name(lang, f.incident_type.name_zh(), f.incident_type.name_en()))
                        .show_ui(ui, |ui| {
                            for t in IncidentType::ALL.iter().filter(|t| t.class() == f.class) {
                                ui.selectable_value(&mut f.incident_type, *t, name(lang, t.name_zh(), t.name_en()));
                            }
                        });
                    ui.end_row();
                    ui.label(tr(lang, Msg::Severity));
                    ui.horizontal(|ui| {
                        for s in Severity::ALL {
                            ui.radio_value(&mut f.severity, *s, s.code()).on_hover_text(name(
                                lang,
                                s.name_zh(),
                                s.name_en(),
                            ));
                        }
                    });
                    ui.end_row();
                    let rows: [(Msg, &mut String, Option<Msg>); 5] = [
                        (Msg::Location, &mut f.location, Some(Msg::LocationHint)),
                        (Msg::Caller, &mut f.caller, None),
                        (Msg::Phone, &mut f.phone, None),
                        (Msg::Address, &mut f.address, None),
                        (Msg::Notes, &mut f.notes, None),
                    ];
                    for (label, value, hint) in rows {
                        let name = ui.label(tr(lang, label));
                        let mut edit = egui::TextEdit::singleline(value).desired_width(280.0);
                        if let Some(h) = hint {
                            edit = edit.hint_text(tr(lang, h));
                        }
                        // Labelled for screen readers and UI tests.
                        ui.add(edit).labelled_by(name.id);
                        ui.end_row();
                    }
                });
            if f.from_draft.is_some() {
                ui.label(RichText::new(tr(lang, Msg::FromDraft)).color(theme::WARN_TEXT));
            }
            if let Some(e) = &f.error {
                ui.colored_label(theme::WARN_TEXT, e);
            }
            if let Some(typed) = f.outside.clone()
                && typed == f.location.trim()
                && f.pending.is_none()
                && ui
                    .button(RichText::new(tr(lang, Msg::ConfirmOutside)).color(theme::WARN_TEXT))
                    .clicked()
            {
                f.confirm_outside = Some(typed);
                f.outside = None;
                submit = Some(None);
            }
            ui.horizontal_wrapped(|ui| {
                if f.pending.is_some() {
                    ui.label(RichText::new(tr(lang, Msg::Saving)).italics());
                } else if in_drill {
                    // Two explicit choices and no default: a real call must never become a
                    // drill event by habit, nor a drill event reach the real log.
                    if ui.button(RichText::new(tr(lang, Msg::RecordReal)).strong()).clicked() {
                        submit = Some(Some(true));
                    }
                    if ui
                        .button(RichText::new(tr(lang, Msg::RecordDrill)).color(theme::DRILL))
                        .clicked()
                    {
                        submit = Some(Some(false));
                    }
                } else if ui
                    .button(RichText::new(tr(lang, Msg::Save)).strong())
                    .on_hover_text(tr(lang, Msg::SaveTip))
                    .clicked()
                {
                    submit = Some(None);
                }
            });
        });
    f.open = open;
    match submit {
        Some(None) if in_drill => {
            f.error = Some(tr(lang, Msg::ChooseRealOrDrill).to_string());
            None
        }
        Some(choice) => Some(Action::SubmitIncident {
            real: choice.unwrap_or(false),
        }),
        None => None,
    }
}

/// A location error in the officer's language only (the library's text is bilingual).
pub(super) fn locate_error_text(e: &crate::location::LocateError, typed: &str, lang: Lang) -> String {
    use crate::location::LocateError as E;
    match e {
        E::Empty => tr(lang, Msg::LocationEmpty).to_string(),
        E::BadCoordinates(_) | E::NotFound(_) => format!("“{typed}” {}", tr(lang, Msg::PlaceNotFound)),
        E::NoCoordinates(name) => format!("{name} {}", tr(lang, Msg::PlaceNoCoordinates)),
        E::Outside { lon, lat, outside_km } => format!(
            "{lon:.5},{lat:.5}: {} {outside_km:.0} km — {}",
            tr(lang, Msg::OutsideArea),
            tr(lang, Msg::OutsideConfirmHint)
        ),
    }
}
