//! The `onemap` binary: without a subcommand it opens the console on a map pack; with one it runs
//! the CLI. A thin front over the `onemap` library.

use std::process::ExitCode;

use clap::Parser;
use onemap::cli::{self, Cli, CliError};
use onemap::store::pg::{PgTarget, is_url};
use onemap::ui::{Database, OneMapApp};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.command.is_some() {
        return match cli::run(&cli) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => cli::report(&e),
        };
    }
    let pack = match cli::load_pack(cli.pack.as_deref()) {
        Ok(p) => p,
        Err(e) => return cli::report(&e),
    };
    // `--db`, else $ONEMAP_DB (as every CLI command), else the user's onemap.db.
    let db_path = cli::store::db_path(cli.console_db.as_deref());
    // A malformed server URL (or one with a password in it) is said here, on the terminal,
    // before any window opens.
    if is_url(&db_path)
        && let Err(e) = PgTarget::parse(&db_path.to_string_lossy())
    {
        return cli::report(&cli::store::store_err(e));
    }
    if cli.wall {
        return run_wall(&cli, pack, db_path);
    }
    // Errors nobody is shown go to onemap.log next to the database file (beside the default
    // database for a server URL); without it they are only lost.
    let log_beside = if is_url(&db_path) {
        cli::store::default_db()
    } else {
        db_path.clone()
    };
    if let Some(dir) = log_beside.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = onemap::backend::file_log::FileLog::install(dir)
    {
        eprintln!("onemap: no log file in {}: {e}", dir.display());
    }
    let db = Database::File(db_path);
    let (replay, replay_drill) = (cli.replay.clone(), cli.replay_drill.clone());
    let title = format!(
        "应急管理“一张图” OneMap {} — {}",
        onemap::build_info::LONG_VERSION,
        pack.manifest.title.zh
    );
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(title)
            // The desktop entry's id: the taskbar matches the window to its menu entry and icon
            // (Wayland app_id, X11 WM_CLASS = the entry's StartupWMClass).
            .with_app_id(cli::APP_ID)
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([800.0, 500.0]),
        // eframe would otherwise derive the settings folder from the app id; keep the one every
        // earlier version used (~/.local/share/onemap/app.ron) so an upgrade keeps the settings.
        persistence_path: eframe::storage_dir("onemap").map(|d| d.join("app.ron")),
        ..Default::default()
    };
    let result = eframe::run_native(
        "onemap",
        options,
        Box::new(move |cc| {
            let mut app = OneMapApp::new(&cc.egui_ctx, pack, cc.storage);
            match replay {
                Some(path) => app.start_replay(&cc.egui_ctx, path, replay_drill),
                None => app.attach_database(&cc.egui_ctx, db),
            }
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cli::report(&CliError {
            code: 1,
            message: format!("cannot open the console window: {e} (is there a display? on a server use xvfb-run)"),
        }),
    }
}

/// `onemap --wall`: the read-only commander's wall (src/ui/wall).
fn run_wall(cli: &Cli, pack: onemap::mappack::MapPack, db: std::path::PathBuf) -> ExitCode {
    use onemap::ui::wall::{Page, WallLaunch, run_native};
    let page = match cli.page.as_deref().map(Page::parse).transpose() {
        Ok(p) => p,
        Err(e) => return cli::report(&CliError::input(e.to_string())),
    };
    if !is_url(&db) && !db.is_file() {
        let msg = format!("没有数据库 {0} / no database {0} (the wall only reads)", db.display());
        return cli::report(&CliError::input(msg));
    }
    let launch = WallLaunch {
        db,
        drill: cli.wall_drill.clone(),
        monitor: cli.monitor,
        page,
    };
    match run_native(pack, launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => cli::report(&CliError {
            code: 1,
            message: format!("cannot open the wall window: {e} (is there a display? on a server use xvfb-run)"),
        }),
    }
}
