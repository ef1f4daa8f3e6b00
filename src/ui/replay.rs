//! Replay mode: any database, real or a drill, opened read-only; a timeline under the map with
//! the events' density, a scrubber, play / pause and 1×–1000× playback. The map, boards, log,
//! timers and dead-reckoned positions all show the moment under the cursor (they read the
//! situation the replay worker folded for it). Nothing can be written while replaying.

use std::path::PathBuf;
use std::sync::Arc;

use egui::{Color32, Key, RichText, Sense, Stroke, Ui, vec2};

use super::action::Action;
use super::i18n::Lang;
use super::i18n::{Msg, tr};
use super::notices::{Notices, Severity, Source};
use super::{Mode, OneMapApp, theme};
use crate::backend::replay::{ReplayCommand, ReplayEvent, ReplayWorker};
use crate::drill::SimClock;

/// Playback speeds offered.
pub const SPEEDS: [f64; 6] = [1.0, 10.0, 60.0, 100.0, 300.0, 1000.0];

/// State of replay mode.
pub struct ReplayState {
    worker: ReplayWorker,
    /// Database file.
    pub path: PathBuf,
    /// `None` = real operations, else the drill id.
    pub scope: Option<String>,
    /// Time axis, ms.
    pub range: Option<(i64, i64)>,
    /// Events on the axis.
    pub events: u64,
    histogram: Arc<Vec<u32>>,
    /// Drills in the file.
    pub drills: Vec<String>,
    /// Replay clock (play / pause / speed over the axis).
    pub clock: SimClock,
    /// Time of the last answer, ms.
    pub shown_ms: Option<i64>,
    /// Seq of the last answer.
    pub shown_seq: u64,
    asked_ms: Option<i64>,
    in_flight: bool,
}

/// A clock offset as the scenario files write it, `T+hh:mm:ss` without the `T+`: always three
/// fields, so `00:01:42` is never read as an hour and 42 minutes.
pub(super) fn offset_hms(secs: f64) -> String {
    let s = if secs.is_finite() { secs.max(0.0) as u64 } else { 0 };
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

/// Play / pause and the speed choice of a simulated clock (the replay's and the drill's bars).
pub(super) fn clock_controls_ui(ui: &mut Ui, clock: &mut SimClock, id: &str, keys_tip: Msg, lang: Lang) {
    let play = if clock.is_playing() { Msg::Pause } else { Msg::Play };
    if ui
        .button(RichText::new(tr(lang, play)).strong())
        .on_hover_text(tr(lang, keys_tip))
        .clicked()
    {
        clock.toggle();
    }
    egui::ComboBox::new(id, tr(lang, Msg::Speed))
        .selected_text(format!("{}×", clock.speed()))
        .show_ui(ui, |ui| {
            for s in SPEEDS {
                if ui.selectable_label(clock.speed() == s, format!("{s}×")).clicked() {
                    clock.set_speed(s);
                }
            }
        });
}

impl ReplayState {
    /// Move the replay's clock to a time (ms since the epoch), within the file's range.
    pub fn seek(&mut self, ms: i64) {
        let ms = self.range.map_or(ms, |(a, b)| ms.clamp(a, b));
        self.clock.seek(ms);
    }
}

impl OneMapApp {
    /// Open a database read-only in replay mode (`scope`: a drill id, or `None` for the real
    /// operations). Live editing stops until [`OneMapApp::exit_replay`].
    pub fn start_replay(&mut self, ctx: &egui::Context, path: PathBuf, scope: Option<String>) {
        if !self.mode.may_replay() {
            // A running drill owns the live store; end it first.
            self.notices.push(
                Severity::Warning,
                Source::Drill,
                tr(self.settings.lang, Msg::EndDrillFirst).to_string(),
            );
            return;
        }
        match ReplayWorker::start(path.clone(), scope.clone(), ctx.clone()) {
            Ok(worker) => {
                self.live.store_path = Some(path.clone());
                self.dispatch.recommendation = None;
                self.dispatch.reassign_offer = None;
                self.tracks.routes.clear();
                // Replaces the live store: replay has no writer.
                self.mode = Mode::Replay {
                    replay: Box::new(ReplayState {
                        worker,
                        path,
                        scope,
                        range: None,
                        events: 0,
                        histogram: Arc::new(Vec::new()),
                        drills: Vec::new(),
                        clock: SimClock::new(0),
                        shown_ms: None,
                        shown_seq: 0,
                        asked_ms: None,
                        in_flight: false,
                    }),
                };
            }
            Err(e) => {
                self.notices.push(Severity::Error, Source::Store, e);
            }
        }
    }

    /// Leave replay mode and reopen the file live.
    pub fn exit_replay(&mut self, ctx: &egui::Context) {
        let Some(r) = self.mode.take_replay() else { return };
        self.live.clock_ms = None;
        self.tracks.routes.clear();
        self.live.store_path = None;
        self.situation = Arc::new(crate::model::situation::Situation::default());
        self.live.log = Arc::new(Vec::new());
        let db = if r.path.as_os_str() == ":memory:" {
            super::Database::InMemory
        } else {
            super::Database::File(r.path)
        };
        self.attach_database(ctx, db);
    }

    /// Whether the console is replaying (read-only).
    pub fn is_replaying(&self) -> bool {
        self.mode.replay().is_some()
    }

    /// Seek the replay to a time (ms since the epoch).
    pub fn replay_seek(&mut self, ms: i64) {
        if let Some(r) = self.mode.replay_mut() {
            r.seek(ms);
        }
    }

    /// Show the real operations (`None`) or one drill of the replayed file.
    pub(super) fn replay_scope(&mut self, scope: Option<String>) {
        if let Some(r) = self.mode.replay_mut()
            && r.worker.send(ReplayCommand::SetScope(scope)).is_err()
        {
            let e = crate::backend::replay::ReplayError::Stopped;
            self.notices.push(Severity::Error, Source::Replay, e.to_string());
        }
    }

    pub(super) fn drain_replay(&mut self, ctx: &egui::Context) {
        let Some(r) = self.mode.replay_mut() else { return };
        let mut changed = false;
        while let Ok(ev) = r.worker.rx.try_recv() {
            match ev {
                ReplayEvent::Opened {
                    path,
                    scope,
                    range,
                    events,
                    histogram,
                    drills,
                    warnings,
                } => {
                    r.path = path;
                    r.scope = scope;
                    r.range = range;
                    r.events = events;
                    r.histogram = histogram;
                    r.drills = drills;
                    r.clock = SimClock::new(range.map_or(0, |(a, _)| a));
                    r.asked_ms = None;
                    r.in_flight = false;
                    if warnings.is_empty() {
                        self.notices.clear(Source::Replay);
                    } else {
                        self.notices
                            .push(Severity::Warning, Source::Replay, warnings.join("; "));
                    }
                }
                ReplayEvent::At {
                    ts_ms,
                    seq,
                    situation,
                    log,
                } => {
                    r.in_flight = false;
                    r.shown_ms = Some(ts_ms);
                    r.shown_seq = seq;
                    self.situation = situation;
                    self.live.log = log;
                    changed = true;
                }
                ReplayEvent::Error(e) => {
                    r.in_flight = false;
                    self.notices.push(Severity::Error, Source::Replay, e.to_string());
                }
            }
        }
        // Advance the clock and ask for the moment under it (one seek in flight at a time).
        let dt = ctx.input(|i| i.stable_dt).clamp(0.0, 0.25);
        if r.clock.is_playing() {
            r.clock.advance(std::time::Duration::from_secs_f32(dt));
            if let Some((_, end)) = r.range
                && r.clock.now_ms() >= end
            {
                r.clock.seek(end);
                r.clock.pause();
            }
            ctx.request_repaint();
        }
        let now = r.clock.now_ms();
        if r.range.is_some() && !r.in_flight && r.asked_ms != Some(now) {
            if r.worker.send(ReplayCommand::Seek(now)).is_ok() {
                r.in_flight = true;
                r.asked_ms = Some(now);
            } else {
                let e = crate::backend::replay::ReplayError::Stopped;
                self.notices.push(Severity::Error, Source::Replay, e.to_string());
            }
        }
        self.live.clock_ms = r.shown_ms;
        if changed {
            self.sync_tracks();
        }
    }

    pub(super) fn replay_shortcuts(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        if let Some(d) = self.mode.drill_mut()
            && ctx.input(|i| i.key_pressed(Key::Space))
        {
            d.clock.toggle();
        }
        let Some(r) = self.mode.replay_mut() else { return };
        let (space, back, fwd) = ctx.input(|i| {
            (
                i.key_pressed(Key::Space),
                i.key_pressed(Key::OpenBracket),
                i.key_pressed(Key::CloseBracket),
            )
        });
        if space {
            r.clock.toggle();
        }
        let step = 5 * 60_000;
        if back || fwd {
            let to = r.clock.now_ms() + if fwd { step } else { -step };
            r.seek(to);
        }
    }
}

/// The timeline panel: density strip, scrubber, play / pause, speed, scope. Seeks move the
/// replay's own clock; a new scope and leaving the replay are returned.
pub(super) fn replay_bar_ui(ui: &mut Ui, r: &mut ReplayState, notices: &mut Notices, lang: Lang) -> Option<Action> {
    let mut seek_to = None;
    let mut scope_to = None;
    let mut exit = false;
    ui.horizontal(|ui| {
        let drill = r.scope.is_some();
        let badge = if drill { Msg::DrillReplayBadge } else { Msg::ReplayBadge };
        ui.label(
            RichText::new(format!(" {} ", tr(lang, badge)))
                .strong()
                .color(Color32::BLACK)
                .background_color(if drill { theme::DRILL } else { theme::REPLAY }),
        )
        .on_hover_text(tr(lang, Msg::ReplayTip));
        clock_controls_ui(ui, &mut r.clock, "replay_speed", Msg::ReplayKeysTip, lang);
        let now = r.clock.now_ms();
        let since = r.range.map_or(0, |(a, _)| now - a);
        ui.label(
            RichText::new(format!(
                "{} {}  T+{}",
                crate::local_time::date_time(now),
                super::lang_zone(lang),
                offset_hms(since as f64 / 1000.0)
            ))
            .monospace()
            .size(15.0),
        );
        ui.label(
            RichText::new(format!("#{} · {} {}", r.shown_seq, r.events, tr(lang, Msg::EventsWord)))
                .small()
                .weak(),
        );
        let current = r
            .scope
            .clone()
            .unwrap_or_else(|| tr(lang, Msg::RealOperations).to_string());
        egui::ComboBox::new("replay_scope", tr(lang, Msg::ReplayScope))
            .selected_text(current)
            .show_ui(ui, |ui| {
                if ui
                    .selectable_label(r.scope.is_none(), tr(lang, Msg::RealOperations))
                    .clicked()
                {
                    scope_to = Some(None);
                }
                for d in &r.drills {
                    if ui.selectable_label(r.scope.as_deref() == Some(d), d).clicked() {
                        scope_to = Some(Some(d.clone()));
                    }
                }
            });
        if ui.button(tr(lang, Msg::ExitReplay)).clicked() {
            exit = true;
        }
        super::panels::notice_ui(ui, notices, Source::Replay, lang);
    });
    // Scrubber: event density as bars, the cursor, click or drag to seek.
    let (rect, resp) = ui.allocate_exact_size(vec2(ui.available_width(), 34.0), Sense::click_and_drag());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, Color32::from_rgb(0x1c, 0x24, 0x2e));
    if let Some((a, b)) = r.range {
        let max = r.histogram.iter().copied().max().unwrap_or(1).max(1) as f32;
        let n = r.histogram.len().max(1) as f32;
        for (i, c) in r.histogram.iter().enumerate().filter(|(_, c)| **c > 0) {
            let x0 = rect.left() + rect.width() * i as f32 / n;
            let w = (rect.width() / n).max(1.0);
            let h = (rect.height() - 6.0) * (0.15 + 0.85 * (*c as f32 / max).sqrt());
            painter.rect_filled(
                egui::Rect::from_min_size(egui::pos2(x0, rect.bottom() - h), vec2(w, h)),
                0.0,
                Color32::from_rgb(0x4f, 0x7d, 0xa8),
            );
        }
        let span = (b - a).max(1) as f32;
        let x = rect.left() + rect.width() * ((r.clock.now_ms() - a) as f32 / span).clamp(0.0, 1.0);
        painter.line_segment(
            [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
            Stroke::new(2.5, theme::HIGHLIGHT),
        );
        if let Some(p) = resp.interact_pointer_pos()
            && (resp.clicked() || resp.dragged())
        {
            let f = ((p.x - rect.left()) / rect.width()).clamp(0.0, 1.0) as f64;
            seek_to = Some(a + (f * (b - a) as f64).round() as i64);
        }
    } else {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            tr(lang, Msg::ReplayEmpty),
            egui::FontId::proportional(13.0),
            Color32::GRAY,
        );
    }
    let resp = resp.on_hover_text(tr(lang, Msg::ReplayKeysTip));
    let _ = resp;
    if let Some(t) = seek_to {
        r.seek(t);
    }
    if exit {
        return Some(Action::ExitReplay);
    }
    scope_to.map(Action::ReplayScope)
}

#[cfg(test)]
mod tests {
    use super::offset_hms;

    #[test]
    fn offsets_always_have_three_fields() {
        assert_eq!(offset_hms(102.0), "00:01:42");
        assert_eq!(offset_hms(6120.4), "01:42:00");
        assert_eq!(offset_hms(-5.0), "00:00:00");
        assert_eq!(offset_hms(f64::NAN), "00:00:00");
    }
}
