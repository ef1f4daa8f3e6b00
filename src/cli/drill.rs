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
    /// Every drill of the database (read-only): running, ended, or orphaned (its process stopped
    /// before ending it; the next writer closes it).
    List {
        /// Database file or postgres:// URL.
        #[arg(long, value_name = "FILE|URL")]
        db: Option<std::path::PathBuf>,
    },
    /// End a drill whose process is gone (a real `DrillEnded` from the abandon seat); refused
    /// while its process still runs.
    Abandon {
        /// Drill id (as `drill list` shows it).
        id: String,
        /// Database file or postgres:// URL.
        #[arg(long, value_name = "FILE|URL")]
        db: Option<std::path::PathBuf>,
    },
}

/// Seat of the `DrillEnded` that `drill abandon` writes.
pub const ABANDON_SEAT: &str = "abandon / 放弃";

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
        DrillCommand::List { db } => list(db.as_deref(), json),
        DrillCommand::Abandon { id, db } => abandon(db.as_deref(), id, json),
    }
}

/// A drill as `drill list` shows it.
#[derive(serde::Serialize)]
struct DrillRow {
    drill_id: String,
    name: String,
    started_seq: u64,
    ended_seq: Option<u64>,
    /// `ended`, `running`, `orphaned` or `unknown`.
    state: &'static str,
}

fn drill_rows(store: &mut Store) -> Result<Vec<DrillRow>, CliError> {
    use crate::store::DrillRunState;
    let drills: Vec<crate::model::Drill> = store.situation().map_err(store_err)?.drills.values().cloned().collect();
    Ok(drills
        .into_iter()
        .map(|d| DrillRow {
            state: match (d.is_active(), store.drill_run_state(&d.drill_id)) {
                (false, _) => "ended",
                (true, DrillRunState::Running) => "running",
                (true, DrillRunState::Orphaned) => "orphaned",
                (true, DrillRunState::Unknown) => "unknown",
            },
            drill_id: d.drill_id,
            name: d.name,
            started_seq: d.started_seq,
            ended_seq: d.ended_seq,
        })
        .collect())
}

/// `onemap drill list [--db FILE] [--json]`.
fn list(db: Option<&Path>, json: bool) -> Result<String, CliError> {
    let rows = drill_rows(&mut super::store::open_read(db)?)?;
    if json {
        return Ok(serde_json::json!({ "drills": rows }).to_string());
    }
    if rows.is_empty() {
        return Ok("无演练 / no drills".to_owned());
    }
    Ok(rows
        .iter()
        .map(|r| {
            let state = match r.state {
                "ended" => "已结束 ended",
                "running" => "进行中 running",
                "orphaned" => "进程已停止，未结束 orphaned (its process stopped; `onemap drill abandon` ends it)",
                _ => "未结束，无法判断进程 open, process unknown",
            };
            format!("{}  {}  seq {}  {state}", r.drill_id, r.name, r.started_seq)
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// `onemap drill abandon ID [--db FILE] [--json]`: the writable open closes a drill whose lock
/// nobody holds (recovery); a drill whose process cannot be told (server database, no lock file)
/// is ended here; a running one is refused.
fn abandon(db: Option<&Path>, id: &str, json: bool) -> Result<String, CliError> {
    let before = drill_rows(&mut super::store::open_read(db)?)?;
    let Some(row) = before.iter().find(|r| r.drill_id == id) else {
        return Err(CliError::input(format!("没有演练 {id:?} / no drill {id:?}")));
    };
    if row.state == "ended" {
        return Err(CliError::input(format!(
            "演练 {id} 已结束（事件 {}）/ drill {id} already ended (seq {})",
            row.ended_seq.unwrap_or(0),
            row.ended_seq.unwrap_or(0)
        )));
    }
    if row.state == "running" {
        return Err(CliError::input(format!(
            "演练 {id} 仍在运行（其进程持有锁）/ drill {id} is still running (its process holds the drill's lock); stop it there"
        )));
    }
    let mut store = super::store::open(db)?;
    let ended = store
        .situation()
        .map_err(store_err)?
        .drills
        .get(id)
        .and_then(|d| d.ended_seq);
    let (seq, how) = match ended {
        // The open found nobody holding the lock and closed it (recovery seat).
        Some(seq) => (seq, "recovered_on_open"),
        None => {
            if store.drill_run_state(id) == crate::store::DrillRunState::Running {
                return Err(CliError::input(format!(
                    "演练 {id} 仍在运行 / drill {id} is still running"
                )));
            }
            let seq = store
                .append(
                    &operator(),
                    ABANDON_SEAT,
                    None,
                    crate::model::EventKind::DrillEnded {
                        drill_id: id.to_owned(),
                    },
                )
                .map_err(store_err)?;
            (seq, "abandoned")
        }
    };
    Ok(if json {
        serde_json::json!({"drill_id": id, "ended_seq": seq, "how": how}).to_string()
    } else {
        format!("演练 {id} 已结束（事件 {seq}）/ drill {id} ended by DrillEnded seq {seq} ({how})")
    })
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
    // Drills an earlier run left open (killed) were closed by this open: say so.
    let opened_with = store.warnings().to_vec();
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
        "opened_with": opened_with,
    });
    for w in &opened_with {
        line.push_str(&format!("; {w}"));
    }
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
