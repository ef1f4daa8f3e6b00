//! The real console and the commander's wall in egui_kittest: harness builders with the bundled
//! CJK font loaded, and a time-based wait for background workers.

use std::sync::Arc;

use egui_kittest::Harness;
use onemap::mappack::MapPack;
use onemap::ui::wall::{Page, WallApp, WallLaunch};
use onemap::ui::{Database, OneMapApp, fonts};

/// The console on the bundled pack, `size` points, after `setup` (e.g. attach a database).
pub fn console_with(
    size: egui::Vec2,
    setup: impl FnOnce(&egui::Context, &mut OneMapApp) + 'static,
) -> Harness<'static, OneMapApp> {
    console_on(&super::xsbn_pack(), size, setup)
}

/// [`console_with`] on another pack (e.g. the default pack, whose title is longer).
pub fn console_on(
    pack: &std::path::Path,
    size: egui::Vec2,
    setup: impl FnOnce(&egui::Context, &mut OneMapApp) + 'static,
) -> Harness<'static, OneMapApp> {
    let pack = MapPack::load(pack).unwrap();
    Harness::builder()
        .with_size(size)
        .with_context_setup(|ctx| ctx.set_fonts(fonts::definitions()))
        .with_max_steps(200)
        .build_eframe(move |cc| {
            let mut app = OneMapApp::new(&cc.egui_ctx, pack, None);
            setup(&cc.egui_ctx, &mut app);
            app
        })
}

/// The console, 1600×1000, on a database.
pub fn console(db: Database) -> Harness<'static, OneMapApp> {
    console_with(egui::vec2(1600.0, 1000.0), move |ctx, app| app.attach_database(ctx, db))
}

/// Step the harness until `done` holds. Time-based and generous (60 s): background workers share
/// two cores with parallel tests and builds. The panic says what the console last reported.
pub fn step_until(h: &mut Harness<'static, OneMapApp>, what: &str, done: impl Fn(&OneMapApp) -> bool) {
    step_until_or(h, what, done, |a| format!("notices: {:?}", a.notices.current()));
}

/// The wall on `db` (file or URL), 1920×1080, following the real situation or `drill`'s.
pub fn wall(db: &str, page: Option<Page>, drill: Option<String>) -> Harness<'static, WallApp> {
    let pack = Arc::new(MapPack::load(super::xsbn_pack()).unwrap());
    let launch = WallLaunch {
        db: db.into(),
        drill,
        monitor: None,
        page,
    };
    Harness::builder()
        .with_size(egui::vec2(1920.0, 1080.0))
        .with_max_steps(200)
        .build_eframe(move |cc| WallApp::start(&cc.egui_ctx, pack, &launch))
}

/// [`step_until`] for the wall; the panic says the follower's last error.
pub fn step_wall_until(h: &mut Harness<'static, WallApp>, what: &str, done: impl Fn(&WallApp) -> bool) {
    step_until_or(h, what, done, |w| format!("follower error: {:?}", w.error));
}

fn step_until_or<S>(h: &mut Harness<'static, S>, what: &str, done: impl Fn(&S) -> bool, last: impl Fn(&S) -> String) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        h.run_steps(1);
        if done(h.state()) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}; {}", last(h.state()));
}
