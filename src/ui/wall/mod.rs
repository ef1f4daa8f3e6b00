//! The commander's wall: a full-screen, read-only situation view for video walls (`onemap
//! --wall`) and a second monitor of the duty console. Its own small app state, not the console's:
//! pages (map, KPI, incident focus) cycling on a timer, paused by any input; a header with the
//! Beijing/UTC clock, "data as of" and a stale warning; the drill's violet frame and 演练 badge.
//!
//! Read-only by construction: [`WallApp`] holds a [`Follower`] (a receiver, nothing to send
//! on) and never a store worker or an intent; every figure comes from [`crate::kpis::figures`],
//! the function behind `onemap kpis`. Must not import `crate::backend::store`, `crate::store` or
//! the console's `OneMapApp`.

mod focus_page;
mod kpi_page;
mod map_page;

use std::sync::Arc;

use egui::{Color32, RichText, Stroke, Ui};

use crate::backend::follower::{Follower, FollowerError, FollowerEvent, WallData};
use crate::kpis::{KpiOptions, Kpis, State};
use crate::local_time;
use crate::mappack::MapPack;
use crate::style as theme;
use crate::time::{format_utc_ms, now_utc_iso, parse_utc_ms};

pub use map_page::ViewLock;

/// Seconds each page stays up while cycling.
pub const PAGE_SECONDS: f64 = 20.0;
/// Seconds the cycle stays paused after the last input.
pub const PAUSE_SECONDS: f64 = 60.0;
/// Without a successful read of the log for this long the wall says its data is stale.
pub const STALE_AFTER_S: i64 = 10;
/// Layout height the sizes are designed for (1920×1080); larger screens scale everything.
pub const DESIGN_HEIGHT: f32 = 1080.0;
/// Smallest text on the wall, points at [`DESIGN_HEIGHT`] (28 px on 1920×1080, 56 px on
/// 3840×2160): legible from about 10 m on a 2 m-wide wall.
pub const MIN_TEXT: f32 = 28.0;

/// Background of the wall's panels.
const PANEL_BG: Color32 = Color32::from_rgb(0x10, 0x14, 0x1a);
/// Text colour.
const TEXT: Color32 = Color32::from_rgb(0xf2, 0xf4, 0xf7);
/// Secondary text.
const MUTED: Color32 = Color32::from_rgb(0xb8, 0xc0, 0xca);
/// Dimmed (sensitive incidents).
const DIM: Color32 = Color32::from_rgb(0x80, 0x88, 0x92);

/// One page of the wall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// The map with active incidents and committed units.
    Map,
    /// The figures.
    Kpi,
    /// One active incident at a time, most serious first.
    Focus,
}

/// Why a wall option is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WallError {
    /// Unknown `--page`.
    #[error("--page \"{0}\": 应为 map、kpi 或 focus / expected map, kpi or focus")]
    UnknownPage(String),
}

impl Page {
    /// Every page, in cycle order.
    pub const ALL: [Page; 3] = [Page::Map, Page::Kpi, Page::Focus];

    /// `--page` name.
    pub fn code(self) -> &'static str {
        match self {
            Page::Map => "map",
            Page::Kpi => "kpi",
            Page::Focus => "focus",
        }
    }

    /// Parses a `--page` name.
    pub fn parse(text: &str) -> Result<Page, WallError> {
        Page::ALL
            .into_iter()
            .find(|p| p.code() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| WallError::UnknownPage(text.to_string()))
    }

    /// Tab title, both languages.
    pub fn title(self) -> &'static str {
        match self {
            Page::Map => "态势图 Map",
            Page::Kpi => "指标 Figures",
            Page::Focus => "重点事件 Focus",
        }
    }
}

/// The page cycle: which page is up, since when, and until when input paused it.
#[derive(Debug, Clone)]
pub struct Cycle {
    /// The page shown.
    pub page: Page,
    /// Pinned by `--page`: never cycles.
    pub pinned: bool,
    /// `ui.input().time` when the page came up.
    pub since: f64,
    /// Cycling resumes at this input time.
    pub paused_until: f64,
    /// Index of the incident on the focus page (into the figures' incident order).
    pub focus: usize,
}

impl Cycle {
    /// Starting on `page`; `pinned` keeps it there.
    pub fn new(page: Page, pinned: bool) -> Cycle {
        Cycle {
            page,
            pinned,
            since: 0.0,
            paused_until: 0.0,
            focus: 0,
        }
    }

    /// Advance at time `t` (seconds); `input` pauses the cycle. Returns the seconds the pause has
    /// left (0 when cycling).
    pub fn tick(&mut self, t: f64, input: bool) -> f64 {
        if input {
            self.paused_until = t + PAUSE_SECONDS;
        }
        if t < self.paused_until {
            self.since = t;
            return self.paused_until - t;
        }
        if t - self.since >= PAGE_SECONDS {
            self.since = t;
            if self.pinned {
                if self.page == Page::Focus {
                    self.focus += 1;
                }
            } else {
                let i = Page::ALL.iter().position(|p| *p == self.page).unwrap_or(0);
                self.page = Page::ALL[(i + 1) % Page::ALL.len()];
                if self.page == Page::Focus {
                    self.focus += 1;
                }
            }
        }
        0.0
    }

    /// Show `page` now (a tab click); pauses like any input.
    pub fn show(&mut self, page: Page, t: f64) {
        self.page = page;
        self.since = t;
        self.paused_until = t + PAUSE_SECONDS;
    }
}

/// Text sizes of this frame: the design sizes scaled by the screen height.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Scale from the 1080-point design.
    pub scale: f32,
}

impl Sizes {
    /// Body text (never smaller than [`MIN_TEXT`] × scale).
    pub fn body(self) -> f32 {
        MIN_TEXT * self.scale
    }
    /// Section headings.
    pub fn heading(self) -> f32 {
        36.0 * self.scale
    }
    /// Large figures.
    pub fn figure(self) -> f32 {
        60.0 * self.scale
    }
    /// The clock.
    pub fn clock(self) -> f32 {
        56.0 * self.scale
    }
    /// A length scaled like the text.
    pub fn px(self, v: f32) -> f32 {
        v * self.scale
    }
}

/// Colour of a state (always drawn with its icon and word too).
pub fn state_color(s: State) -> Color32 {
    match s {
        State::Ok => Color32::from_rgb(0x4c, 0xd1, 0x7a),
        State::Amber => Color32::from_rgb(0xff, 0xb8, 0x4c),
        State::Red => Color32::from_rgb(0xff, 0x5c, 0x5c),
    }
}

/// A label whose accessible name is `a11y` (so tests and screen readers read the figure with
/// what it counts, not a bare number).
pub fn figure(ui: &mut Ui, text: RichText, a11y: String) -> egui::Response {
    let r = ui.label(text);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, a11y.clone()));
    r
}

fn system_now_ms() -> i64 {
    parse_utc_ms(&now_utc_iso()).unwrap_or(0)
}

/// The wall's state: the follower's newest data and the view's own state. No writer.
pub struct WallApp {
    pack: Arc<MapPack>,
    follower: Option<Follower>,
    /// Newest data from the follower.
    pub data: Option<Arc<WallData>>,
    /// Last error reported by the follower (cleared by the next good read).
    pub error: Option<FollowerError>,
    /// Wall-clock ms of the last successful read of the log.
    pub last_checked_ms: Option<i64>,
    /// Page cycle.
    pub cycle: Cycle,
    /// Map view lock.
    pub view: ViewLock,
    /// Fixed "now" for the figures (tests, screenshots); `None`: the system clock (a drill's
    /// last event time in a drill).
    pub clock_override: Option<i64>,
    /// Tunables of the figures.
    pub options: KpiOptions,
    map: map_page::MapState,
    /// `ONEMAP_WALL_TRACE` is set: print a line on stderr when new data is shown (the Xvfb
    /// check times the follower with it).
    trace: bool,
    /// Standalone wall: grow the window to its monitor when no window manager made it full
    /// screen (kiosk sessions, Xvfb).
    fill_monitor: bool,
}

impl WallApp {
    /// A wall on `pack`, not yet following anything (see [`WallApp::follow`]).
    pub fn new(pack: Arc<MapPack>, page: Option<Page>) -> WallApp {
        let map = map_page::MapState::new(&pack);
        WallApp {
            pack,
            follower: None,
            data: None,
            error: None,
            last_checked_ms: None,
            cycle: Cycle::new(page.unwrap_or(Page::Map), page.is_some()),
            view: ViewLock::default(),
            clock_override: None,
            options: KpiOptions::default(),
            map,
            trace: std::env::var_os("ONEMAP_WALL_TRACE").is_some(),
            fill_monitor: false,
        }
    }

    /// Follow the database (read-only), the real situation or `drill`'s.
    pub fn follow(&mut self, ctx: &egui::Context, db: std::path::PathBuf, drill: Option<String>) {
        let c = ctx.clone();
        match Follower::start(db, drill, self.pack.clone(), move || c.request_repaint()) {
            Ok(f) => self.follower = Some(f),
            Err(e) => self.error = Some(e),
        }
    }

    /// Stop following (the follower thread ends at its next poll); the data shown goes stale.
    pub fn stop_following(&mut self) {
        self.follower = None;
    }

    /// Coverage grid cells the map page drew in its last frame (0 with the bands off).
    pub fn coverage_cells_drawn(&self) -> usize {
        self.map.cells_drawn.get()
    }

    /// True once the first situation arrived.
    pub fn has_data(&self) -> bool {
        self.data.is_some()
    }

    /// "Now" for the figures.
    pub fn now_ms(&self) -> i64 {
        self.clock_override
            .or_else(|| self.data.as_ref().and_then(|d| d.drill_now_ms))
            .unwrap_or_else(system_now_ms)
    }

    /// The figures the wall shows, now ([`crate::kpis::figures`], as `onemap kpis`).
    pub fn kpis(&self) -> Option<Kpis> {
        let d = self.data.as_ref()?;
        Some(crate::kpis::figures(
            &d.situation,
            d.plans.as_deref(),
            &d.searched,
            self.now_ms(),
            self.options,
        ))
    }

    fn drain(&mut self) {
        let Some(f) = &self.follower else { return };
        while let Ok(ev) = f.rx.try_recv() {
            match ev {
                FollowerEvent::Data(d) => {
                    if self.trace {
                        eprintln!(
                            "wall: shows seq {} ({} incidents) at {}",
                            d.log_seq,
                            d.situation.incidents.len(),
                            now_utc_iso()
                        );
                    }
                    self.data = Some(d);
                }
                FollowerEvent::Checked { at_ms } => {
                    self.last_checked_ms = Some(at_ms);
                    self.error = None;
                }
                FollowerEvent::Error(e) => self.error = Some(e),
            }
        }
    }

    /// Without a window manager a full-screen request does nothing: size the window to the
    /// monitor ourselves (once the monitor's size is known).
    fn grow_to_monitor(&mut self, ctx: &egui::Context) {
        let (monitor, inner) = ctx.input(|i| (i.viewport().monitor_size, i.viewport().inner_rect));
        let (Some(m), Some(r)) = (monitor, inner) else { return };
        self.fill_monitor = false;
        if r.width() + 1.0 < m.x || r.height() + 1.0 < m.y {
            ctx.send_viewport_cmd(egui::ViewportCommand::OuterPosition(egui::pos2(0.0, 0.0)));
            ctx.send_viewport_cmd(egui::ViewportCommand::InnerSize(m));
        }
    }

    /// Seconds since the last successful read, when the data is stale.
    pub fn stale_s(&self) -> Option<i64> {
        let now = system_now_ms();
        match self.last_checked_ms {
            Some(t) if (now - t) / 1000 >= STALE_AFTER_S => Some((now - t) / 1000),
            None if self.error.is_some() => Some(0),
            _ => None,
        }
    }

    /// Draw the wall into `ui` (the root of a frame or of the console's second viewport).
    pub fn show(&mut self, ui: &mut Ui) {
        self.drain();
        let ctx = ui.ctx().clone();
        if self.fill_monitor {
            self.grow_to_monitor(&ctx);
        }
        // The clocks tick and timers run: a calm 1 Hz.
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
        let t = ctx.input(|i| i.time);
        let input = ctx.input(|i| {
            i.events.iter().any(|e| {
                matches!(
                    e,
                    egui::Event::PointerButton { .. }
                        | egui::Event::Key { .. }
                        | egui::Event::MouseWheel { .. }
                        | egui::Event::Text(_)
                )
            }) || i.pointer.delta().length() > 0.0
        });
        let paused_s = self.cycle.tick(t, input);
        let sizes = Sizes {
            scale: (ctx.content_rect().height() / DESIGN_HEIGHT).max(0.4),
        };
        let kpis = self.kpis();
        let now = self.now_ms();
        let drill = self.data.as_ref().and_then(|d| d.situation.scope_drill_id.clone());
        let frame_rect = ui.ctx().content_rect();
        egui::Panel::top("wall_header")
            .frame(egui::Frame::new().fill(PANEL_BG).inner_margin(sizes.px(8.0)))
            .show(ui, |ui| self.header_ui(ui, sizes, drill.as_deref(), paused_s, t));
        egui::CentralPanel::no_frame()
            .frame(egui::Frame::new().fill(PANEL_BG).inner_margin(sizes.px(8.0)))
            .show(ui, |ui| match (&kpis, self.data.clone()) {
                (Some(k), Some(d)) => match self.cycle.page {
                    Page::Map => self.map.ui(ui, sizes, &d, k, &mut self.view, now),
                    Page::Kpi => kpi_page::ui(ui, sizes, k),
                    Page::Focus => focus_page::ui(ui, sizes, &d, k, self.cycle.focus, now),
                },
                _ => {
                    ui.label(
                        RichText::new(match &self.error {
                            Some(e) => format!("无法读取态势 / cannot read the situation: {e}"),
                            None => "正在读取态势… / reading the situation…".to_string(),
                        })
                        .size(sizes.heading())
                        .color(TEXT),
                    );
                }
            });
        if drill.is_some() {
            // The drill's violet frame, as in the console, above everything.
            ui.ctx()
                .layer_painter(egui::LayerId::new(
                    egui::Order::Foreground,
                    egui::Id::unique("wall_drill_frame"),
                ))
                .rect_stroke(
                    frame_rect.shrink(sizes.px(4.0)),
                    0.0,
                    Stroke::new(sizes.px(8.0), theme::DRILL),
                    egui::StrokeKind::Inside,
                );
        }
    }

    fn header_ui(&mut self, ui: &mut Ui, sizes: Sizes, drill: Option<&str>, paused_s: f64, t: f64) {
        let now = system_now_ms();
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = sizes.px(18.0);
            if let Some(d) = drill {
                egui::Frame::new()
                    .fill(theme::DRILL)
                    .inner_margin(sizes.px(6.0))
                    .show(ui, |ui| {
                        ui.label(
                            RichText::new(format!("演练 DRILL {d}"))
                                .size(sizes.heading())
                                .strong()
                                .color(Color32::BLACK),
                        );
                    });
            }
            for p in Page::ALL {
                let selected = self.cycle.page == p;
                let text =
                    RichText::new(p.title())
                        .size(sizes.body())
                        .color(if selected { Color32::BLACK } else { TEXT });
                let b = egui::Button::new(text)
                    .fill(if selected {
                        theme::HIGHLIGHT
                    } else {
                        Color32::from_rgb(0x2a, 0x32, 0x3c)
                    })
                    .min_size(egui::vec2(sizes.px(160.0), sizes.px(48.0)));
                if ui.add(b).clicked() {
                    self.cycle.show(p, t);
                }
            }
            if paused_s > 0.0 && !self.cycle.pinned {
                ui.label(
                    RichText::new(format!("‖ 轮播暂停 {paused_s:.0} 秒 / cycle paused {paused_s:.0} s"))
                        .size(sizes.body())
                        .color(MUTED),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.spacing_mut().item_spacing.x = sizes.px(24.0);
                let as_of = self.last_checked_ms.map_or_else(|| "—".to_string(), local_time::clock);
                match self.stale_s() {
                    Some(s) => {
                        let why = self.error.as_ref().map(|e| format!(" — {e}")).unwrap_or_default();
                        egui::Frame::new()
                            .fill(state_color(State::Red))
                            .inner_margin(sizes.px(6.0))
                            .show(ui, |ui| {
                                ui.label(
                                    RichText::new(format!(
                                        "▲ 数据已 {s} 秒未更新 / data stale for {s} s (截至 as of {as_of}){why}"
                                    ))
                                    .size(sizes.body())
                                    .strong()
                                    .color(Color32::BLACK),
                                );
                            });
                    }
                    None => {
                        ui.label(
                            RichText::new(format!("数据截至 {as_of} / data as of {as_of}"))
                                .size(sizes.body())
                                .color(MUTED),
                        );
                    }
                }
                ui.label(
                    RichText::new(format!("UTC {}", &format_utc_ms(now)[11..19]))
                        .size(sizes.body())
                        .color(MUTED),
                );
                ui.label(
                    RichText::new(format!("{} {}", local_time::ZONE_ZH, local_time::clock(now)))
                        .size(sizes.clock())
                        .strong()
                        .color(TEXT),
                );
            });
        });
    }
}

/// How `onemap --wall` starts.
#[derive(Debug, Clone)]
pub struct WallLaunch {
    /// Database to follow (read-only).
    pub db: std::path::PathBuf,
    /// Follow this drill instead of the real situation.
    pub drill: Option<String>,
    /// Borderless full screen on this monitor (`available_monitors()` order); else full screen
    /// on the current one.
    pub monitor: Option<usize>,
    /// Show only this page (no cycling).
    pub page: Option<Page>,
}

impl WallApp {
    /// Set up fonts and the dark look on `ctx`, then a wall following `launch.db`.
    pub fn start(ctx: &egui::Context, pack: Arc<MapPack>, launch: &WallLaunch) -> WallApp {
        ctx.set_fonts(super::fonts::definitions());
        ctx.set_visuals(egui::Visuals::dark());
        let mut app = WallApp::new(pack, launch.page);
        app.follow(ctx, launch.db.clone(), launch.drill.clone());
        app.fill_monitor = true;
        app
    }

    /// The map page's centre (normalised Mercator) and zoom, once it has been drawn.
    pub fn map_view(&self) -> Option<([f64; 2], f64)> {
        self.map.view()
    }
}

/// The native viewport of `onemap --wall`: full screen, titled, on the chosen monitor.
pub fn viewport(title: &str, monitor: Option<usize>) -> egui::ViewportBuilder {
    let vb = egui::ViewportBuilder::default()
        .with_title(title)
        .with_app_id(crate::cli::APP_ID)
        .with_inner_size([1920.0, 1080.0]);
    match monitor {
        Some(n) => vb.with_monitor(n),
        None => vb.with_fullscreen(true),
    }
}

/// Run `onemap --wall` until its window closes.
pub fn run_native(pack: MapPack, launch: WallLaunch) -> Result<(), eframe::Error> {
    let title = format!("应急管理“一张图”指挥大屏 OneMap wall — {}", pack.manifest.title.zh);
    let options = eframe::NativeOptions {
        viewport: viewport(&title, launch.monitor),
        persistence_path: None,
        ..Default::default()
    };
    let pack = Arc::new(pack);
    eframe::run_native(
        "onemap-wall",
        options,
        Box::new(move |cc| Ok(Box::new(WallApp::start(&cc.egui_ctx, pack, &launch)))),
    )
}

impl eframe::App for WallApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.show(ui);
    }

    fn clear_color(&self, _visuals: &egui::Visuals) -> [f32; 4] {
        PANEL_BG.to_normalized_gamma_f32()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cycle_and_input_pauses_them() {
        let mut c = Cycle::new(Page::Map, false);
        assert_eq!(c.tick(1.0, false), 0.0);
        assert_eq!(c.page, Page::Map);
        c.tick(PAGE_SECONDS, false);
        assert_eq!(c.page, Page::Kpi);
        c.tick(2.0 * PAGE_SECONDS, false);
        assert_eq!((c.page, c.focus), (Page::Focus, 1));
        // Input pauses: the page stays for the pause, then the cycle goes on.
        let t = 2.0 * PAGE_SECONDS + 1.0;
        assert_eq!(c.tick(t, true), PAUSE_SECONDS);
        assert!(c.tick(t + PAUSE_SECONDS - 1.0, false) > 0.0);
        assert_eq!(c.page, Page::Focus);
        c.tick(t + PAUSE_SECONDS + PAGE_SECONDS, false);
        assert_eq!(c.page, Page::Map);
        // Pinned: never leaves its page; the focus page steps through incidents.
        let mut p = Cycle::new(Page::Focus, true);
        p.tick(PAGE_SECONDS, false);
        p.tick(2.0 * PAGE_SECONDS, false);
        assert_eq!((p.page, p.focus), (Page::Focus, 2));
        assert_eq!(Page::parse("KPI"), Ok(Page::Kpi));
        assert!(Page::parse("wall").is_err());
    }
}
