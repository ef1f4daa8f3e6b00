//! Situation-store subcommands: `db init`, `import`, `export`, `incident new|note|cancel|
//! relocate|close`, `unit status`, `events`, `situation`, `demo load`. All take `--db FILE` (default: the console's database in
//! the user's data directory) and print JSON with `--json`. Bad input exits 2 with one line.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;

use super::CliError;
use crate::geom::parse_lonlat;
use crate::location::{Area, LocateError, Located, locate};
use crate::model::Situation;
use crate::model::event::EventKind;
use crate::model::ids::{IncidentId, UnitId};
use crate::model::incident::{Caller, Incident, IncidentClass, IncidentStatus, IncidentType, Severity};
use crate::model::lonlat::LonLat;
use crate::model::unit::UnitStatus;
use crate::search::PlaceIndex;
use crate::store::Store;
use crate::store::pg::is_url;
use crate::time::now_utc_iso;

/// `onemap db …`.
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create a new, empty database (refuses an existing non-empty file).
    Init,
    /// Walk the whole log read-only: the hash chain (first broken link, gaps, renumbering),
    /// unreadable payloads, events the fold refuses, snapshots that disagree. Exit 4 when the
    /// history was changed.
    Verify,
    /// Backend, schema version, last seq, events, chain head and (on a server) connected seats.
    Status,
    /// Copy a whole log (seqs, times, operators, seats, drill ids, chain) into an EMPTY database,
    /// file ↔ server, then check that both fold to the same situation.
    Copy {
        /// Source: file or postgres:// URL.
        #[arg(long, value_name = "FILE|URL")]
        from: PathBuf,
        /// Target (must hold no event): file or postgres:// URL.
        #[arg(long, value_name = "FILE|URL")]
        to: PathBuf,
    },
}

/// `onemap incident …`.
#[derive(Debug, Subcommand)]
pub enum IncidentCommand {
    /// Report a new incident; prints its id (JSON: {"id":…, "seq":…}).
    New {
        /// natural | accident | health | social
        #[arg(long)]
        class: String,
        /// Incident type code, e.g. flood, landslide_debris_flow, building_fire (see `--type help`).
        #[arg(long = "type")]
        incident_type: String,
        /// Grade 1–4 (1 = I, particularly serious).
        #[arg(long)]
        severity: u8,
        /// Location: `LON,LAT`, or a place name of the pack (汉字, pinyin or English).
        #[arg(long, value_name = "LON,LAT|PLACE", allow_hyphen_values = true)]
        at: String,
        /// Accept a location outside the prefecture (the pack's area plus 30 km).
        #[arg(long)]
        allow_outside: bool,
        /// Caller name.
        #[arg(long, default_value = "")]
        caller: String,
        /// Caller phone.
        #[arg(long, default_value = "")]
        phone: String,
        /// Address or place as described by the caller.
        #[arg(long, default_value = "")]
        address: String,
        /// First note.
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Add a note to an incident.
    Note {
        /// Incident number.
        id: u32,
        /// The note.
        text: String,
    },
    /// Cancel an incident (false alarm, duplicate call …); its units are released.
    Cancel {
        /// Incident number.
        id: u32,
        /// Why (shown in the log and the report).
        #[arg(long)]
        reason: String,
        /// The incident this one duplicates; links the two.
        #[arg(long, value_name = "N")]
        duplicate_of: Option<u32>,
    },
    /// Correct an incident's location.
    Relocate {
        /// Incident number.
        id: u32,
        /// New location: `LON,LAT`, or a place name of the pack.
        #[arg(long, value_name = "LON,LAT|PLACE", allow_hyphen_values = true)]
        at: String,
        /// New address / place description (default: the place name when `--at` is one).
        #[arg(long)]
        address: Option<String>,
        /// Accept a location outside the prefecture (the pack's area plus 30 km).
        #[arg(long)]
        allow_outside: bool,
    },
    /// Close an incident whose units are on scene or that is under control.
    Close {
        /// Incident number.
        id: u32,
    },
    /// Mark an incident sensitive (walls show it dimmed, caller and address hidden) or clear it.
    Sensitive {
        /// Incident number.
        id: u32,
        /// `on` or `off`.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

/// `onemap unit …`.
#[derive(Debug, Subcommand)]
pub enum UnitCommand {
    /// Change a unit's status (available, en_route, on_scene, returning, out_of_service …).
    Status {
        /// Unit id (number) or external id.
        unit: String,
        /// New status code.
        status: String,
    },
}

/// The default database: `$XDG_DATA_HOME/onemap/onemap.db` (or the platform equivalent).
pub fn default_db() -> PathBuf {
    directories::ProjectDirs::from("cn", "xsbn-emergency", "onemap")
        .map(|d| d.data_dir().join("onemap.db"))
        .unwrap_or_else(|| PathBuf::from("onemap.db"))
}

/// `--db`, else `$ONEMAP_DB`, else [`default_db`]: a file path or a `postgres://` URL.
pub fn db_path(db: Option<&Path>) -> PathBuf {
    db.map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os("ONEMAP_DB")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(default_db)
}

/// The database path, which must exist (only `db init` and `demo load` create one).
pub(crate) fn existing_db(db: Option<&Path>) -> Result<PathBuf, CliError> {
    let path = db_path(db);
    if !is_url(&path) && !path.is_file() {
        return Err(CliError::input(format!(
            "database {} does not exist; create it with `onemap db init --db {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(path)
}

pub(crate) fn open(db: Option<&Path>) -> Result<Store, CliError> {
    Store::open(existing_db(db)?).map_err(store_err)
}

/// Open an existing database read-only (read-only commands: never initialise, never wait for a
/// writer).
pub(crate) fn open_read(db: Option<&Path>) -> Result<Store, CliError> {
    Store::open_read_only(existing_db(db)?).map_err(store_err)
}

/// A store error at the CLI edge: a changed history exits 4 (`db verify` tells more).
pub fn store_err(e: crate::store::StoreError) -> CliError {
    match e {
        crate::store::StoreError::Chain(_) => CliError {
            code: EXIT_INTEGRITY,
            message: e.to_string(),
        },
        other => CliError::input(other.to_string()),
    }
}

/// Exit code when the event log's history was changed (hash chain broken).
pub const EXIT_INTEGRITY: u8 = 4;

/// `onemap db verify [--json]`.
pub fn db_verify(db: Option<&Path>, json_out: bool) -> Result<String, CliError> {
    let path = existing_db(db)?;
    let report = if is_url(&path) {
        Store::open_read_only(&path).and_then(|s| s.verify())
    } else {
        crate::store::verify::verify_file(&path, crate::store::DEFAULT_BUSY_TIMEOUT_MS)
    }
    .map_err(store_err)?;
    let text = if json_out {
        let mut v = serde_json::to_value(&report).map_err(err)?;
        v["db"] = json!(path);
        v["ok"] = json!(report.chain_ok());
        v["first_broken"] = json!(report.first_broken());
        serde_json::to_string_pretty(&v).map_err(err)?
    } else {
        let mut t = format!(
            "{}: {} events, last seq {}, {} snapshots, chain head {}\n",
            path.display(),
            report.events,
            report.last_seq,
            report.snapshots,
            report.chain_head
        );
        match report.first_broken() {
            None => t.push_str("事件链完整 / hash chain intact\n"),
            Some(f) => t.push_str(&format!("第一处断裂 / first broken link: {f}\n")),
        }
        for f in report.chain_faults.iter().skip(1) {
            t.push_str(&format!("  {f}\n"));
        }
        for b in &report.bad_snapshots {
            t.push_str(&format!("快照 / snapshot {}: {}\n", b.seq, b.problem));
        }
        for u in &report.unreadable {
            t.push_str(&format!(
                "无法读取 / unreadable event {} ({}): {}\n",
                u.seq, u.kind, u.reason
            ));
        }
        for r in &report.refused {
            let scope = r.drill_id.as_deref().map_or(String::new(), |d| format!(" [drill {d}]"));
            t.push_str(&format!(
                "折叠拒绝 / refused by the fold: event {} ({}){scope}: {}\n",
                r.seq, r.kind, r.reason
            ));
        }
        t.trim_end().to_owned()
    };
    if report.chain_ok() {
        return Ok(text);
    }
    // The report is the answer; the exit code says the history was changed.
    super::out(&text);
    Err(if json_out {
        CliError::silent(EXIT_INTEGRITY)
    } else {
        CliError {
            code: EXIT_INTEGRITY,
            message: "事件历史被改动 / the event history was changed".into(),
        }
    })
}

pub(crate) fn operator() -> String {
    std::env::var("ONEMAP_OPERATOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "cli".into())
}

pub(crate) fn seat() -> String {
    std::env::var("ONEMAP_SEAT").unwrap_or_else(|_| "cli".into())
}

fn err(e: impl std::fmt::Display) -> CliError {
    CliError::input(e.to_string())
}

/// `onemap db init`.
pub fn db_init(db: Option<&Path>) -> Result<String, CliError> {
    let path = db_path(db);
    if is_url(&path) {
        let store = Store::init(&path).map_err(err)?;
        return Ok(json!({"db": store.path(), "created": true}).to_string());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_fs::create_private_dir_all(dir)
            .map_err(|e| err(format!("cannot create {}: {e}", dir.display())))?;
    }
    Store::init(&path).map_err(err)?;
    Ok(json!({"db": path, "created": true}).to_string())
}

/// `onemap import PATH…` (CSV / GeoJSON master data; a folder means every file in it).
pub fn import(db: Option<&Path>, paths: &[PathBuf], json_out: bool) -> Result<String, CliError> {
    if paths.is_empty() {
        return Err(CliError::input("import needs at least one file or folder"));
    }
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| err(format!("cannot read {}: {e}", p.display())))?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|x| x == "csv" || x == "geojson"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    let mut store = open(db)?;
    let report = store.import(&files, &operator()).map_err(err)?;
    if json_out {
        return serde_json::to_string_pretty(&report).map_err(err);
    }
    Ok(format!(
        "{} records in {} files: {} created, {} updated, {} unchanged; {} events appended",
        report.records,
        report.files.len(),
        report.created,
        report.updated,
        report.unchanged,
        report.events_appended
    ))
}

/// `onemap export --out DIR [--format csv|geojson]`.
pub fn export(db: Option<&Path>, out: &Path, format: &str) -> Result<String, CliError> {
    let mut store = open_read(db)?;
    crate::private_fs::create_private_dir_all(out).map_err(|e| err(format!("cannot create {}: {e}", out.display())))?;
    let report = match format {
        "csv" => store.export(out),
        "geojson" => store.export_geojson(out),
        other => {
            return Err(CliError::input(format!(
                "--format must be csv or geojson, not \"{other}\""
            )));
        }
    }
    .map_err(err)?;
    let files: Vec<_> = report
        .files
        .iter()
        .map(|(p, n)| json!({"file": p, "records": n}))
        .collect();
    Ok(json!({"files": files}).to_string())
}

fn class_code(class: &str) -> Result<IncidentClass, CliError> {
    Ok(match class {
        "natural" | "natural_disaster" => IncidentClass::NaturalDisaster,
        "accident" | "accident_disaster" => IncidentClass::AccidentDisaster,
        "health" | "public_health" => IncidentClass::PublicHealth,
        "social" | "social_security" => IncidentClass::SocialSecurity,
        other => {
            return Err(CliError::input(format!(
                "--class must be natural, accident, health or social, not \"{other}\""
            )));
        }
    })
}

/// Resolve `--at` (coordinates or a place name of the pack) and refuse a point outside the
/// prefecture unless `allow_outside`. Coordinates with `--allow-outside` need no pack.
fn resolve_at(pack: Option<&Path>, at: &str, allow_outside: bool) -> Result<Located, CliError> {
    let at_err = |e: LocateError| CliError::input(format!("--at: {e}"));
    if allow_outside
        && let Ok(p) = parse_lonlat(at)
        && let Ok(lonlat) = LonLat::from_deg(p[0], p[1])
    {
        return Ok(Located {
            lonlat,
            place: None,
            approximate: false,
        });
    }
    let pack = super::load_pack(pack)?;
    let located = locate(&PlaceIndex::build(&pack), at).map_err(at_err)?;
    if !allow_outside {
        Area::new(pack.bbox()).check(located.lonlat).map_err(|e| {
            CliError::input(format!(
                "--at: {e}（确属实请加 --allow-outside / add --allow-outside to record it anyway）"
            ))
        })?;
    }
    Ok(located)
}

/// `onemap incident …`: new, note, cancel, relocate, close. Each is one or more events
/// validated by the fold against the up-to-date log; a refused one writes nothing.
pub fn incident(
    db: Option<&Path>,
    pack: Option<&Path>,
    cmd: &IncidentCommand,
    json_out: bool,
) -> Result<String, CliError> {
    match cmd {
        IncidentCommand::New { .. } => incident_new(db, pack, cmd, json_out),
        IncidentCommand::Note { id, text } => {
            if text.trim().is_empty() {
                return Err(CliError::input("备注不能为空 / the note is empty"));
            }
            let kind = EventKind::IncidentNoteAdded {
                incident: IncidentId(*id),
                note: text.clone(),
            };
            let seqs = append_for(db, *id, |_, _| Ok(vec![kind.clone()]))?;
            Ok(done(json_out, *id, &seqs, || {
                format!("事件 #{id} 已加备注 / note added to incident #{id}")
            }))
        }
        IncidentCommand::Cancel {
            id,
            reason,
            duplicate_of,
        } => {
            if reason.trim().is_empty() {
                return Err(CliError::input("撤销须说明原因 / --reason must not be empty"));
            }
            let kind = EventKind::IncidentCancelled {
                incident: IncidentId(*id),
                reason: reason.clone(),
                duplicate_of: duplicate_of.map(IncidentId),
            };
            let seqs = append_for(db, *id, |sit, _| {
                if let Some(n) = duplicate_of
                    && !sit.incidents.contains_key(&IncidentId(*n))
                {
                    return Err(CliError::input(format!(
                        "没有事件 #{n}（--duplicate-of）/ no incident #{n} (--duplicate-of)"
                    )));
                }
                Ok(vec![kind.clone()])
            })?;
            Ok(done(json_out, *id, &seqs, || match duplicate_of {
                Some(n) => format!(
                    "事件 #{id} 已撤销：与 #{n} 重复（{reason}）/ incident #{id} cancelled as a duplicate of #{n} ({reason})"
                ),
                None => format!("事件 #{id} 已撤销（{reason}）/ incident #{id} cancelled ({reason})"),
            }))
        }
        IncidentCommand::Relocate {
            id,
            at,
            address,
            allow_outside,
        } => {
            let located = resolve_at(pack, at, *allow_outside)?;
            let address = address.clone().or_else(|| located.place.clone()).unwrap_or_default();
            let kind = EventKind::IncidentRelocated {
                incident: IncidentId(*id),
                lonlat: located.lonlat,
                address,
            };
            let seqs = append_for(db, *id, |_, _| Ok(vec![kind.clone()]))?;
            let [lon, lat] = located.lonlat.lonlat();
            Ok(done(json_out, *id, &seqs, || {
                format!(
                    "事件 #{id} 位置已更正为 {lon:.5},{lat:.5}{} / incident #{id} relocated{}",
                    place_suffix(&located).0,
                    place_suffix(&located).1
                )
            }))
        }
        IncidentCommand::Sensitive { id, state } => {
            let sensitive = state == "on";
            let seqs = append_for(db, *id, |_, inc| {
                if inc.sensitive == sensitive {
                    return Err(CliError::input(if sensitive {
                        format!("事件 #{id} 已标记为敏感 / incident #{id} is already marked sensitive")
                    } else {
                        format!("事件 #{id} 未标记为敏感 / incident #{id} is not marked sensitive")
                    }));
                }
                Ok(vec![EventKind::IncidentSensitivitySet {
                    incident: IncidentId(*id),
                    sensitive,
                }])
            })?;
            Ok(done(json_out, *id, &seqs, || {
                if sensitive {
                    format!(
                        "事件 #{id} 已标记为敏感（大屏隐藏报警人和地址）/ incident #{id} marked sensitive (walls hide caller and address)"
                    )
                } else {
                    format!("事件 #{id} 已取消敏感标记 / incident #{id} no longer marked sensitive")
                }
            }))
        }
        IncidentCommand::Close { id } => {
            let seqs = append_for(db, *id, |_, inc| {
                let status = inc.status;
                let path = status.close_path(inc.first_arrival_utc.is_some()).ok_or_else(|| {
                    CliError::input(match status {
                        IncidentStatus::Closed | IncidentStatus::Cancelled => format!(
                            "事件 #{id} 已{}，无需结案 / incident #{id} is already {}",
                            status.name_zh().trim_start_matches('已'),
                            status.name_en().to_lowercase()
                        ),
                        _ => format!(
                            "事件 #{id} 为“{}”，尚无力量到场，不能结案；误报或重复请用 incident cancel / incident #{id} is {}: nobody is on scene yet, so it cannot be closed; use `incident cancel` for a false alarm or duplicate",
                            status.name_zh(),
                            status.name_en().to_lowercase()
                        ),
                    })
                })?;
                Ok(path
                    .iter()
                    .map(|to| EventKind::IncidentStatusChanged {
                        incident: IncidentId(*id),
                        to: *to,
                    })
                    .collect())
            })?;
            Ok(done(json_out, *id, &seqs, || {
                format!("事件 #{id} 已结案 / incident #{id} closed")
            }))
        }
    }
}

/// " · 景洪市 Jinghong（近似）" and its English form, for a location from a place name.
fn place_suffix(l: &Located) -> (String, String) {
    match &l.place {
        Some(p) if l.approximate => (format!("（{p}，近似位置）"), format!(" ({p}, approximate)")),
        Some(p) => (format!("（{p}）"), format!(" ({p})")),
        None => (String::new(), String::new()),
    }
}

/// Append the events `build` makes for incident `id` from the up-to-date situation (unknown
/// incident: one clear line); a domain refusal writes nothing.
fn append_for(
    db: Option<&Path>,
    id: u32,
    mut build: impl FnMut(&Situation, &Incident) -> Result<Vec<EventKind>, CliError>,
) -> Result<Vec<u64>, CliError> {
    let mut store = open(db)?;
    let mut refusal: Option<CliError> = None;
    let seqs = store.append_with(&operator(), &seat(), None, |sit| {
        refusal = None;
        let Some(inc) = sit.incidents.get(&IncidentId(id)) else {
            refusal = Some(CliError::input(format!("没有事件 #{id} / no incident #{id}")));
            return Ok(Vec::new());
        };
        match build(sit, inc) {
            Ok(kinds) => Ok(kinds),
            Err(e) => {
                refusal = Some(e);
                Ok(Vec::new())
            }
        }
    });
    if let Some(e) = refusal {
        return Err(e);
    }
    seqs.map_err(err)
}

/// The one-line answer of a lifecycle command: JSON `{"incident", "seqs"}` or the text.
fn done(json_out: bool, id: u32, seqs: &[u64], text: impl FnOnce() -> String) -> String {
    if json_out {
        json!({"incident": id, "seqs": seqs}).to_string()
    } else {
        text()
    }
}

/// `onemap incident new`.
fn incident_new(
    db: Option<&Path>,
    pack: Option<&Path>,
    cmd: &IncidentCommand,
    json_out: bool,
) -> Result<String, CliError> {
    let IncidentCommand::New {
        class,
        incident_type,
        severity,
        at,
        allow_outside,
        caller,
        phone,
        address,
        note,
    } = cmd
    else {
        return Err(CliError::input("not `incident new`"));
    };
    let class = class_code(class)?;
    let types_of_class = || {
        IncidentType::ALL
            .iter()
            .filter(|t| t.class() == class)
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let t = IncidentType::from_code(incident_type).ok_or_else(|| {
        CliError::input(format!(
            "unknown --type \"{incident_type}\"; for this class: {}",
            types_of_class()
        ))
    })?;
    if t.class() != class {
        return Err(CliError::input(format!(
            "--type {incident_type} belongs to {}, not to {}; for this class: {}",
            t.class().code(),
            class.code(),
            types_of_class()
        )));
    }
    let sev = match severity {
        1 => Severity::I,
        2 => Severity::II,
        3 => Severity::III,
        4 => Severity::IV,
        other => {
            return Err(CliError::input(format!(
                "--severity must be 1–4 (1 = I, most severe), not {other}"
            )));
        }
    };
    let located = resolve_at(pack, at, *allow_outside)?;
    // Like the console: a place name fills an empty address, so the log says where the pin came from.
    let address = match (&located.place, address.trim().is_empty()) {
        (Some(p), true) if located.approximate => format!("{at} · {p}（近似位置）"),
        (Some(p), true) => p.clone(),
        _ => address.clone(),
    };
    let mut store = open(db)?;
    let mut new_id = None;
    let seqs = store
        .append_with(&operator(), &seat(), None, |sit| {
            let id = sit.next_incident_id();
            new_id = Some(id);
            Ok(vec![EventKind::IncidentReported {
                incident: id,
                incident_type: t,
                severity: sev,
                lonlat: located.lonlat,
                address: address.clone(),
                reported_at_utc: now_utc_iso(),
                caller: Caller {
                    name: caller.clone(),
                    phone: phone.clone(),
                },
                notes: note.clone(),
            }])
        })
        .map_err(err)?;
    let (Some(id), Some(seq)) = (new_id, seqs.last()) else {
        return Err(CliError::input("the incident was not recorded"));
    };
    Ok(if json_out {
        json!({"id": id.0, "seq": seq}).to_string()
    } else {
        format!("{}", id.0)
    })
}

/// `onemap unit status UNIT STATUS`.
pub fn unit_status(db: Option<&Path>, cmd: &UnitCommand, json_out: bool) -> Result<String, CliError> {
    let UnitCommand::Status { unit, status } = cmd;
    let to = UnitStatus::from_code(status).ok_or_else(|| {
        let all: Vec<_> = UnitStatus::ALL.iter().map(|s| s.code()).collect();
        CliError::input(format!("unknown status \"{status}\"; one of: {}", all.join(", ")))
    })?;
    let mut store = open(db)?;
    let sit = store.situation().map_err(err)?;
    let id = match unit.parse::<u32>() {
        Ok(n) if sit.units.contains_key(&UnitId(n)) => UnitId(n),
        _ => sit
            .units
            .values()
            .find(|u| u.spec.external_id == *unit || u.spec.callsign == *unit)
            .map(|u| u.id)
            .ok_or_else(|| CliError::input(format!("no unit \"{unit}\" (give its number, external id or callsign)")))?,
    };
    let seq = store
        .append(
            &operator(),
            &seat(),
            None,
            EventKind::UnitStatusChanged { unit: id, to },
        )
        .map_err(err)?;
    Ok(if json_out {
        json!({"unit": id.0, "status": to.code(), "seq": seq}).to_string()
    } else {
        format!("{seq}")
    })
}

/// `onemap events [--since SEQ]`: one JSON object per line. Events this program cannot read
/// do not hide the others: every readable event is printed, then the command fails (exit 1)
/// naming the unreadable ones.
pub fn events(db: Option<&Path>, since: u64) -> Result<String, CliError> {
    let store = open_read(db)?;
    let (events, unreadable) = store.events_since_lenient(since).map_err(store_err)?;
    let lines: Result<Vec<String>, _> = events.iter().map(serde_json::to_string).collect();
    let text = lines.map_err(err)?.join("\n");
    if unreadable.is_empty() {
        return Ok(text);
    }
    let list: Vec<String> = unreadable
        .iter()
        .map(|u| format!("seq {} ({}): {}", u.seq, u.kind, u.reason))
        .collect();
    if !text.is_empty() {
        super::out(&text);
    }
    Err(CliError {
        code: 1,
        message: format!(
            "{} 条事件无法读取 / {} unreadable events (printed the other {}): {}",
            unreadable.len(),
            unreadable.len(),
            events.len(),
            list.join("; ")
        ),
    })
}

/// `onemap situation`: the folded state as JSON.
pub fn situation(db: Option<&Path>) -> Result<String, CliError> {
    let mut store = open_read(db)?;
    let sit = store.situation().map_err(err)?;
    serde_json::to_string_pretty(sit).map_err(err)
}

/// The demo scenario folder of a pack, if it has one.
pub fn demo_dir(pack_dir: &Path) -> Option<PathBuf> {
    let d = pack_dir.join("demo");
    d.is_dir().then_some(d)
}

/// `onemap demo load`: import the pack's demo scenario (records marked demo).
pub fn demo_load(db: Option<&Path>, pack_dir: &Path, json_out: bool) -> Result<String, CliError> {
    let dir = demo_dir(pack_dir)
        .ok_or_else(|| CliError::input(format!("pack {} has no demo/ scenario", pack_dir.display())))?;
    let path = db_path(db);
    let mut store = if path.is_file() || is_url(&path) {
        open(Some(&path))?
    } else {
        db_init(db)?;
        open(db)?
    };
    let report = store.load_demo(&dir).map_err(err)?;
    if json_out {
        return serde_json::to_string_pretty(&report).map_err(err);
    }
    Ok(format!(
        "demo scenario: {} records, {} events appended",
        report.records, report.events_appended
    ))
}
