//! Drill subcommands: `drill run` (a scenario headless, to its end, then the report) and
//! `report` (the after-action report of any database, real or one drill, read-only). Bad input
//! exits 1 with one line; `--json` gives one JSON object.

use std::path::Path;

use clap::Subcommand;

use super::CliError;
use super::store::{operator, seat, store_err};
use crate::dispatch::{Geography, Plans};
use crate::drill::{PlaceNames, Report, RunOptions, Scenario, report_from_db, run_scenario};
use crate::mappack::MapPack;
use crate::store::Store;

/// `onemap drill …`.
#[derive(Debug, Subcommand)]
pub enum DrillCommand {
    /// Run a scenario to its end under a new drill id and write the after-action report.
    Run {
        /// Scenario file (TOML), e.g. maps/xishuangbanna/drills/flood-landslide.toml.
        scenario: std::path::PathBuf,
        /// Database the drill runs in (created with the pack's demo data when missing or empty).
        #[arg(long, value_name = "FILE")]
        db: std::path::PathBuf,
        /// Simulated seconds per real second (1–1000); default: as fast as possible.
        #[arg(long, value_name = "N")]
        speed: Option<f64>,
        /// Dispatch, move, arrive, close and return automatically.
        #[arg(long)]
        auto: bool,
        /// Write the report here (.html, .csv or .json by extension).
        #[arg(long, value_name = "PATH")]
        report: Option<std::path::PathBuf>,
    },
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e.to_string())
}

/// A drill error at the CLI edge: store failures keep their exit code (3 database, 4 history).
fn drill_err(e: crate::drill::DrillError) -> CliError {
    match e {
        crate::drill::DrillError::Store(s) => store_err(s),
        other => err(other),
    }
}

/// Report format from a name or a file extension.
fn format_of(format: Option<&str>, out: &Path) -> Result<&'static str, CliError> {
    let f = format
        .map(str::to_owned)
        .or_else(|| out.extension().and_then(|e| e.to_str()).map(str::to_lowercase))
        .unwrap_or_else(|| "json".into());
    match f.as_str() {
        "html" | "htm" => Ok("html"),
        "csv" => Ok("csv"),
        "json" => Ok("json"),
        other => Err(CliError::input(format!(
            "--format must be html, csv or json, not \"{other}\""
        ))),
    }
}

/// The report of `db` (read-only): one drill, or the real events when `drill` is `None`.
pub fn build_db_report(db: &Path, pack: &MapPack, drill: Option<&str>, notes: Vec<String>) -> Result<Report, CliError> {
    report_from_db(db, pack, drill, notes).map_err(drill_err)
}

fn write_report(report: &Report, out: &Path, format: &str) -> Result<(), CliError> {
    let text = match format {
        "html" => report.to_html(),
        "csv" => report
            .to_csv()
            .map_err(|e| err(format!("cannot write {}: {e}", out.display())))?,
        _ => report.to_json() + "\n",
    };
    crate::private_fs::write_private(out, text.as_bytes())
        .map_err(|e| err(format!("cannot write {}: {e}", out.display())))
}

/// `onemap report --db FILE [--drill ID] --format html|csv|json --out PATH`.
pub fn report(
    db: &Path,
    pack: &MapPack,
    drill: Option<&str>,
    format: Option<&str>,
    out: &Path,
    json: bool,
) -> Result<String, CliError> {
    let format = format_of(format, out)?;
    let r = build_db_report(db, pack, drill, Vec::new())?;
    write_report(&r, out, format)?;
    if json {
        return Ok(serde_json::json!({
            "drill": drill,
            "incidents": r.incidents.len(),
            "met": r.score.met,
            "missed": r.score.missed,
            "format": format,
            "out": out,
        })
        .to_string());
    }
    Ok(format!(
        "report of {} ({} incident(s), {} met / {} missed) written to {}",
        drill.unwrap_or("real operations"),
        r.incidents.len(),
        r.score.met,
        r.score.missed,
        out.display()
    ))
}

/// `onemap drill …`: load the pack (`run` needs it) and do it.
pub fn run(cmd: &DrillCommand, pack: Option<&Path>, json: bool) -> Result<String, CliError> {
    match cmd {
        DrillCommand::Run {
            scenario,
            db,
            speed,
            auto,
            report,
        } => {
            let pack = super::load_pack(pack)?;
            let args = RunArgs {
                scenario,
                db,
                speed: *speed,
                auto: *auto,
                report: report.as_deref(),
            };
            run_drill(&args, &pack, json)
        }
    }
}

/// The arguments of `drill run`.
struct RunArgs<'a> {
    scenario: &'a Path,
    db: &'a Path,
    speed: Option<f64>,
    auto: bool,
    report: Option<&'a Path>,
}

/// `onemap drill run SCENARIO --db FILE [--speed N] [--auto] [--report PATH] [--json]`.
fn run_drill(args: &RunArgs, pack: &MapPack, json: bool) -> Result<String, CliError> {
    let RunArgs {
        scenario,
        db,
        speed,
        auto,
        report,
    } = *args;
    if let Some(s) = speed
        && !(1.0..=1000.0).contains(&s)
    {
        return Err(CliError::input(format!("--speed must be between 1 and 1000, not {s}")));
    }
    let format = report.map(|p| format_of(None, p)).transpose()?;
    let scenario = Scenario::load(scenario, &PlaceNames::from_pack(pack)).map_err(err)?;
    let plans = Plans::load_pack(&pack.dir).map_err(err)?;
    let router = super::roads::router(pack)?;
    let mut store = Store::open(db).map_err(store_err)?;
    if store.situation().map_err(store_err)?.units.is_empty() {
        let demo = super::store::demo_dir(&pack.dir).ok_or_else(|| {
            CliError::input(format!(
                "{} has no units and pack {} has no demo/ data; import master data first",
                db.display(),
                pack.dir.display()
            ))
        })?;
        store.load_demo(&demo).map_err(store_err)?;
    }
    let opts = RunOptions {
        auto,
        speed,
        operator: operator(),
        seat: seat(),
    };
    let outcome = run_scenario(
        &mut store,
        &scenario,
        &plans,
        router,
        Geography::from_pack(pack),
        &opts,
        |_, _| {},
    )
    .map_err(drill_err)?;
    drop(store);
    let notes: Vec<String> = outcome
        .notes
        .iter()
        .map(|(t, n)| {
            format!(
                "{} {n}",
                crate::drill::scenario::fmt_offset(((t - outcome.start_ms) / 1000).max(0) as u64)
            )
        })
        .collect();
    let mut line = format!(
        "drill {} ran {} events from {} to {} {} {} ({})",
        outcome.drill_id,
        outcome.events,
        crate::local_time::date_time(outcome.start_ms),
        crate::local_time::time_of_day(outcome.end_ms, outcome.start_ms),
        crate::local_time::ZONE_ZH,
        crate::local_time::ZONE_EN,
        crate::local_time::duration_bi(((outcome.end_ms - outcome.start_ms) as f64 / 1000.0).max(0.0))
    );
    let mut summary = serde_json::json!({
        "drill_id": outcome.drill_id,
        "events": outcome.events,
        "start_ms": outcome.start_ms,
        "end_ms": outcome.end_ms,
    });
    if let (Some(out), Some(format)) = (report, format) {
        let r = build_db_report(db, pack, Some(&outcome.drill_id), notes)?;
        write_report(&r, out, format)?;
        line.push_str(&format!(
            "; report ({} met / {} missed) written to {}",
            r.score.met,
            r.score.missed,
            out.display()
        ));
        summary["report"] =
            serde_json::json!({"out": out, "format": format, "met": r.score.met, "missed": r.score.missed});
    }
    Ok(if json { summary.to_string() } else { line })
}
