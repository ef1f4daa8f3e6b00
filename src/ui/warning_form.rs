//! The warning compose dialog (发布预警 / 更新 / 解除): type from the pack's alerts.toml, level,
//! areas picked from the pack's coded areas (counties and townships), headline / description /
//! instruction in Chinese and English, onset and expiry in Beijing time, and the CAP file to
//! write. It only gathers and checks what was typed; composing, the serial and the file are the
//! store worker's (`alerts::issue::compose`, the code path of `onemap warning`). Returns an
//! [`Action`]; imports no worker.

use std::collections::BTreeSet;
use std::path::PathBuf;

use egui::RichText;

use super::action::{Action, DrawStep};
use super::i18n::{Lang, Msg, tr};
use super::theme;
use crate::alerts::ingest::AlertContext;
use crate::alerts::issue::WarningDraft;
use crate::alerts::writer::{MsgType, WarningTexts};
use crate::model::alert::{AlertEntry, WarningLevel};

/// The dialog's state (kept until the store confirms the warning).
#[derive(Debug, Clone, Default)]
pub struct WarningCompose {
    /// Shown.
    pub open: bool,
    /// New, update or cancel.
    pub msg_type: Option<MsgType>,
    /// Key text of the issued warning updated or cancelled.
    pub replaces: Option<String>,
    /// Type key.
    pub warning_type: String,
    /// Level.
    pub level: Option<WarningLevel>,
    /// Area codes ticked.
    pub areas: BTreeSet<String>,
    /// Filter of the area list (code or name).
    pub area_filter: String,
    /// Headline, description and instruction in both languages (an empty Chinese headline gets
    /// a default naming sender, type and level).
    pub texts: WarningTexts,
    /// Onset, Beijing time `YYYY-MM-DD HH:MM` (empty: none).
    pub onset: String,
    /// Expiry, Beijing time `YYYY-MM-DD HH:MM`.
    pub expires: String,
    /// CAP file to write.
    pub out: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Request id awaiting the store.
    pub pending: Option<u64>,
    /// Drawing the area on the map: the vertices clicked so far (`[lon, lat]`); the dialog
    /// steps aside for the map meanwhile.
    pub sketch: Option<Vec<[f64; 2]>>,
    /// The drawn area, a checked closed ring `[lon, lat]` (first = last).
    pub polygon: Option<Vec<[f64; 2]>>,
}

/// What the form itself refuses (everything else the store worker checks); shown with
/// [`FormError::text`] in the officer's language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormError {
    /// Not a Beijing time.
    #[error("{0:?} is not a Beijing time YYYY-MM-DD HH:MM")]
    BadTime(String),
    /// No output file.
    #[error("no CAP file given")]
    NoOutFile,
}

impl FormError {
    /// The message in the officer's language.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            FormError::BadTime(t) => tr(lang, Msg::BadBeijingTime).replace("{time}", t),
            FormError::NoOutFile => tr(lang, Msg::NoOutFile).to_string(),
        }
    }
}

/// Beijing `YYYY-MM-DD HH:MM` (seconds optional) to ms since the epoch.
pub fn parse_beijing_minutes(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() == 16 {
        crate::local_time::parse_beijing_time(&format!("{t}:00"))
    } else {
        crate::local_time::parse_beijing_time(t)
    }
}

fn minutes(ms: i64) -> String {
    crate::local_time::date_time(ms)[..16].to_string()
}

impl WarningCompose {
    /// Open for a new warning (`previous: None`) or to update / cancel an issued one, prefilled
    /// from it; the file goes to `out`.
    pub fn start(&mut self, msg_type: MsgType, previous: Option<&AlertEntry>, out: PathBuf, now_ms: i64) {
        *self = WarningCompose {
            open: true,
            msg_type: Some(msg_type),
            expires: minutes(now_ms + 24 * 3_600_000),
            out: out.display().to_string(),
            ..WarningCompose::default()
        };
        if let Some(e) = previous {
            let r = &e.record;
            self.replaces = Some(r.key.text());
            self.warning_type = r.warning_type.clone().unwrap_or_default();
            self.level = r.level;
            self.areas = r
                .areas
                .iter()
                .flat_map(|a| &a.geocodes)
                .filter_map(|g| crate::alerts::areas::canonical_code(&g.1))
                .collect();
            if let Some(x) = r.expires_ms {
                self.expires = minutes(x);
            }
            if msg_type == MsgType::Update {
                let zh = r.infos.iter().find(|i| i.language.starts_with("zh"));
                let en = r.infos.iter().find(|i| i.language.starts_with("en"));
                let text = |info: Option<&crate::model::alert::AlertInfo>,
                            f: fn(&crate::model::alert::AlertInfo) -> &String| {
                    info.map(|i| f(i).clone()).unwrap_or_default()
                };
                self.texts = WarningTexts {
                    headline_zh: text(zh, |i| &i.headline),
                    headline_en: text(en, |i| &i.headline),
                    description_zh: text(zh, |i| &i.description),
                    description_en: text(en, |i| &i.description),
                    instruction_zh: text(zh, |i| &i.instruction),
                    instruction_en: text(en, |i| &i.instruction),
                };
            }
        }
    }

    /// Apply one drawing step; a refused close keeps drawing and says why in `error`.
    pub fn draw(&mut self, step: DrawStep) {
        match step {
            DrawStep::Start => {
                self.sketch = Some(Vec::new());
                self.error = None;
            }
            DrawStep::Add(p) => {
                if let Some(s) = &mut self.sketch {
                    s.push(p);
                    self.error = None;
                }
            }
            DrawStep::Undo => {
                if let Some(s) = &mut self.sketch {
                    s.pop();
                    self.error = None;
                }
            }
            DrawStep::Close => {
                if let Some(s) = &self.sketch {
                    match crate::alerts::place::closed_ring(s) {
                        Ok(ring) => {
                            self.polygon = Some(ring);
                            self.sketch = None;
                            self.error = None;
                        }
                        Err(e) => self.error = Some(e.to_string()),
                    }
                }
            }
            DrawStep::Cancel => {
                self.sketch = None;
                self.error = None;
            }
            DrawStep::Clear => self.polygon = None,
        }
    }

    /// The draft of what was typed, checked for what only the form knows (times, file).
    pub fn draft(&self, now_ms: i64) -> Result<(WarningDraft, Option<String>, PathBuf), FormError> {
        let time = |t: &str| match t.trim() {
            "" => Ok(None),
            t => parse_beijing_minutes(t)
                .map(Some)
                .ok_or_else(|| FormError::BadTime(t.to_string())),
        };
        let expires_ms = time(&self.expires)?;
        let onset_ms = time(&self.onset)?;
        let out = self.out.trim();
        if out.is_empty() {
            return Err(FormError::NoOutFile);
        }
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let msg_type = self.msg_type.unwrap_or(MsgType::Alert);
        Ok((
            WarningDraft {
                msg_type,
                warning_type: opt(&self.warning_type),
                level: self.level,
                area_codes: self.areas.iter().cloned().collect(),
                polygon: self.polygon.clone(),
                texts: self.texts.trimmed(),
                onset_ms,
                expires_ms,
                sender: None,
                sender_name: crate::alerts::issue::DEFAULT_SENDER_NAME.to_string(),
                agency: "000000".to_string(),
                exercise: false,
                sent_ms: now_ms,
            },
            self.replaces.clone(),
            PathBuf::from(out),
        ))
    }
}

/// The dialog. 发布 returns [`Action::IssueWarning`]; a typing error stays in the form.
pub fn warning_compose_ui(
    ctx: &egui::Context,
    form: &mut WarningCompose,
    context: &AlertContext,
    now_ms: i64,
    lang: Lang,
) -> Option<Action> {
    if !form.open {
        return None;
    }
    if let Some(sketch) = &form.sketch {
        return drawing_toolbar_ui(ctx, sketch.len(), form.error.as_deref(), lang);
    }
    let mut open = true;
    let mut action = None;
    let title = match form.msg_type {
        Some(MsgType::Update) => tr(lang, Msg::UpdateWarning),
        Some(MsgType::Cancel) => tr(lang, Msg::CancelWarning),
        _ => tr(lang, Msg::ComposeWarning),
    };
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .default_width(520.0)
        .show(ctx, |ui| {
            let cancel = form.msg_type == Some(MsgType::Cancel);
            egui::Grid::new("warning_form")
                .num_columns(2)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    ui.label(tr(lang, Msg::Type));
                    let current = context
                        .config
                        .type_by_key(&form.warning_type)
                        .map_or("—".to_string(), |t| lang.pick(&t.zh, &t.en).to_string());
                    ui.add_enabled_ui(!cancel, |ui| {
                        egui::ComboBox::new("warning_type", "")
                            .selected_text(current)
                            .show_ui(ui, |ui| {
                                for t in &context.config.types {
                                    ui.selectable_value(&mut form.warning_type, t.key.clone(), lang.pick(&t.zh, &t.en));
                                }
                            });
                    });
                    ui.end_row();
                    ui.label(tr(lang, Msg::Level));
                    ui.horizontal_wrapped(|ui| {
                        for l in [
                            WarningLevel::Red,
                            WarningLevel::Orange,
                            WarningLevel::Yellow,
                            WarningLevel::Blue,
                        ] {
                            ui.add_enabled_ui(!cancel, |ui| {
                                ui.radio_value(&mut form.level, Some(l), lang.pick(l.name_zh(), l.name_en()));
                            });
                        }
                    });
                    ui.end_row();
                    ui.label(tr(lang, Msg::AreasLabel));
                    ui.vertical(|ui| {
                        let name = ui.label(RichText::new(tr(lang, Msg::AreaFilter)).small());
                        ui.add(egui::TextEdit::singleline(&mut form.area_filter).desired_width(200.0))
                            .labelled_by(name.id);
                        let needle = form.area_filter.trim().to_lowercase();
                        egui::ScrollArea::vertical()
                            .id_salt("warning_areas")
                            .max_height(120.0)
                            .show(ui, |ui| {
                                let shown = context.areas.areas_by_code().filter(|a| {
                                    needle.is_empty()
                                        || a.code.contains(&needle)
                                        || a.name_zh.contains(&needle)
                                        || a.name_en.to_lowercase().contains(&needle)
                                });
                                for a in shown {
                                    let mut on = form.areas.contains(&a.code);
                                    let text = format!("{} {}", a.code, lang.pick(&a.name_zh, &a.name_en));
                                    if ui.add_enabled(!cancel, egui::Checkbox::new(&mut on, text)).changed() {
                                        if on {
                                            form.areas.insert(a.code.clone());
                                        } else {
                                            form.areas.remove(&a.code);
                                        }
                                    }
                                }
                            });
                    });
                    ui.end_row();
                    ui.label(tr(lang, Msg::PolygonArea));
                    ui.horizontal_wrapped(|ui| {
                        if let Some(ring) = &form.polygon {
                            let n = ring.len().saturating_sub(1).to_string();
                            ui.label(tr(lang, Msg::VertexCount).replace("{n}", &n));
                            if ui
                                .add_enabled(!cancel, egui::Button::new(tr(lang, Msg::ClearPolygon)))
                                .clicked()
                            {
                                action = Some(Action::DrawArea(DrawStep::Clear));
                            }
                        }
                        if ui
                            .add_enabled(!cancel, egui::Button::new(tr(lang, Msg::DrawArea)))
                            .clicked()
                        {
                            action = Some(Action::DrawArea(DrawStep::Start));
                        }
                    });
                    ui.end_row();
                    let rows: [(Msg, &mut String); 9] = [
                        (Msg::HeadlineZh, &mut form.texts.headline_zh),
                        (Msg::HeadlineEn, &mut form.texts.headline_en),
                        (Msg::DescriptionZh, &mut form.texts.description_zh),
                        (Msg::DescriptionEn, &mut form.texts.description_en),
                        (Msg::InstructionZh, &mut form.texts.instruction_zh),
                        (Msg::InstructionEn, &mut form.texts.instruction_en),
                        (Msg::Onset, &mut form.onset),
                        (Msg::Expires, &mut form.expires),
                        (Msg::OutFile, &mut form.out),
                    ];
                    for (label, value) in rows {
                        let name = ui.label(tr(lang, label));
                        ui.add(egui::TextEdit::singleline(value).desired_width(320.0))
                            .labelled_by(name.id);
                        ui.end_row();
                    }
                });
            ui.label(RichText::new(tr(lang, Msg::WarningFormHint)).small().weak());
            if let Some(e) = &form.error {
                ui.colored_label(theme::WARN_TEXT, e);
            }
            if form.pending.is_some() {
                ui.label(RichText::new(tr(lang, Msg::Saving)).italics());
            } else if ui.button(RichText::new(tr(lang, Msg::IssueWarning)).strong()).clicked() {
                match form.draft(now_ms) {
                    Ok((draft, replaces, out)) => {
                        form.error = None;
                        action = Some(Action::IssueWarning(Box::new((draft, replaces, out))));
                    }
                    Err(e) => form.error = Some(e.text(lang)),
                }
            }
        });
    if !open {
        form.open = false;
    }
    action
}

/// While the area is drawn: a small bar (count, hint, the reason a close was refused, and the
/// keyboard's steps as buttons) in the top-right corner, leaving the map free.
fn drawing_toolbar_ui(ctx: &egui::Context, vertices: usize, error: Option<&str>, lang: Lang) -> Option<Action> {
    let mut action = None;
    egui::Window::new(tr(lang, Msg::DrawingTitle))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, 60.0))
        .show(ctx, |ui| {
            ui.label(tr(lang, Msg::VertexCount).replace("{n}", &vertices.to_string()));
            ui.label(RichText::new(tr(lang, Msg::DrawingHint)).small().weak());
            if let Some(e) = error {
                ui.colored_label(theme::WARN_TEXT, e);
            }
            ui.horizontal(|ui| {
                for (msg, step) in [
                    (Msg::DrawClose, DrawStep::Close),
                    (Msg::DrawUndo, DrawStep::Undo),
                    (Msg::DrawCancel, DrawStep::Cancel),
                ] {
                    if ui.button(tr(lang, msg)).clicked() {
                        action = Some(Action::DrawArea(step));
                    }
                }
            });
        });
    action
}
