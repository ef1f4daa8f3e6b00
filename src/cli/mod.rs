//! The command line: `onemap` (console), `onemap info`, and the shared pack lookup. Every error
//! is one clear line on stderr (one JSON object on stdout with `--json`) and an exit code from
//! the `EXIT_*` table (1 refused input, 2 usage, 3 database, …); nothing panics on input.

pub mod alerts;
pub mod bench;
pub mod bench_seats;
pub mod coverage;
pub mod db_admin;
pub mod dispatch;
pub mod drill;
pub mod kpis;
pub mod package;
pub mod progress;
pub mod roads;
pub mod store;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::mappack::{LayerKind, MapPack, Title};

/// The desktop id (reverse DNS): the .desktop file, the icons, the AppStream id and the window's
/// app id (so the taskbar shows the right icon) must all carry exactly this.
pub const APP_ID: &str = "cn.gov.xsbn.OneMap";

/// Pack opened when `--pack` is not given: real OSM roads in the border band and a calibrated
/// skeleton (示意, estimates) elsewhere. `maps/xishuangbanna` keeps the schematic network for
/// comparison.
pub const DEFAULT_PACK: &str = "xishuangbanna-osm";

/// OneMap (应急管理“一张图”): offline command-and-dispatch console.
#[derive(Debug, Parser)]
#[command(name = "onemap", version = crate::build_info::LONG_VERSION, about, long_about = None)]
pub struct Cli {
    /// Map pack folder. Default: $ONEMAP_PACK, else maps/xishuangbanna-osm in ~/.local/share/onemap,
    /// /usr/share/onemap, the working directory or beside the program (first found).
    #[arg(long, global = true, value_name = "DIR")]
    pub pack: Option<PathBuf>,
    /// Situation database the console (or the wall) opens: a file or postgres://USER@HOST:PORT/DB
    /// (default: $ONEMAP_DB, else onemap.db in the user's data directory).
    #[arg(long = "db", value_name = "FILE|URL")]
    pub console_db: Option<PathBuf>,
    /// Open this database (file or postgres:// URL) read-only in the console's replay mode
    /// (timeline, 1–1000× playback).
    #[arg(long, value_name = "FILE|URL")]
    pub replay: Option<PathBuf>,
    /// With `--replay`: replay this drill (default: the real operations).
    #[arg(long = "replay-drill", value_name = "ID", requires = "replay")]
    pub replay_drill: Option<String>,
    /// Open the commander's wall instead of the console: full screen, read-only, following
    /// the database (`--db`); pages map / kpi / focus cycle.
    #[arg(long)]
    pub wall: bool,
    /// With `--wall`: borderless full screen on this monitor (0, 1, …).
    #[arg(long, value_name = "N", requires = "wall")]
    pub monitor: Option<usize>,
    /// With `--wall`: show only this page: map, kpi or focus.
    #[arg(long, value_name = "NAME", requires = "wall")]
    pub page: Option<String>,
    /// With `--wall`: follow this drill instead of the real situation.
    #[arg(long = "wall-drill", value_name = "ID", requires = "wall")]
    pub wall_drill: Option<String>,
    /// What to do; without a subcommand the console opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the pack's manifest, every layer with its feature count, the bbox and road islands.
    Info {
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build map packs.
    Mappack {
        /// Machine-readable JSON (the build summary is JSON either way; errors become JSON).
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: MappackCommand,
    },
    /// Shortest route between two points over the pack's roads.
    Route {
        /// Start, `LON,LAT` in WGS-84 decimal degrees.
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        from: String,
        /// Destination, `LON,LAT`.
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        to: String,
        /// Minimise `time` or `distance`.
        #[arg(long, default_value = "time")]
        metric: String,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Areas reachable within given minutes (GeoJSON polygons).
    Isochrone {
        /// Origin, `LON,LAT`.
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        at: String,
        /// Contours in minutes, comma-separated.
        #[arg(long, default_value = "5,10,15")]
        minutes: String,
        /// GeoJSON FeatureCollection on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Situation database.
    Db {
        /// Database file or postgres://USER@HOST:PORT/DB (default: $ONEMAP_DB, else the
        /// console's file in the user's data directory). Never a password: use ~/.pgpass.
        #[arg(long, value_name = "FILE|URL", global = true)]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: store::DbCommand,
    },
    /// Import master data (stations, units, warehouses, stock, shelters) from CSV / GeoJSON.
    Import {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
        /// Files, or folders of files.
        paths: Vec<PathBuf>,
    },
    /// Export master data as the same CSV files.
    Export {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// csv, or geojson (points as GeoJSON; stock stays CSV).
        #[arg(long, default_value = "csv")]
        format: String,
        /// Machine-readable JSON (the file list is JSON either way; errors become JSON).
        #[arg(long)]
        json: bool,
    },
    /// Incidents.
    Incident {
        /// Database file.
        #[arg(long, value_name = "FILE", global = true)]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: store::IncidentCommand,
    },
    /// Units.
    Unit {
        /// Database file.
        #[arg(long, value_name = "FILE", global = true)]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: store::UnitCommand,
    },
    /// The event log as JSON lines.
    Events {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Only events after this sequence number.
        #[arg(long, default_value_t = 0)]
        since: u64,
        /// Accepted for consistency: the output is always JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// The current situation (fold of the log) as JSON.
    Situation {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Accepted for consistency: the output is always JSON.
        #[arg(long)]
        json: bool,
    },
    /// Demo scenario of the pack (every record marked demo / 演示).
    Demo {
        /// Database file.
        #[arg(long, value_name = "FILE", global = true)]
        db: Option<PathBuf>,
        /// Machine-readable JSON.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: DemoCommand,
    },
    /// The commander's figures (what the wall's KPI page shows): incidents by class × grade,
    /// units by status, timers against the plans' targets, overdue units, coverage, shelters,
    /// stock below reserve.
    Kpis {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// A drill's situation (default: real operations).
        #[arg(long, value_name = "ID")]
        drill: Option<String>,
        /// The moment: events logged up to it, timers at it. UTC `2026-05-01T08:30:00Z` or
        /// Beijing time `2026-05-01T16:30:00+08:00` (default: now; a drill's last event time).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Suggest units and relief supplies for an incident from the pack's plans.toml, by road ETA.
    Recommend {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Incident number.
        #[arg(long)]
        incident: u32,
        /// Affected people: relief supplies = the plan's per-person quantities × N.
        #[arg(long, value_name = "N")]
        affected: Option<u32>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Dispatch units (and reserve stock) to an incident.
    Dispatch {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Incident number.
        #[arg(long)]
        incident: u32,
        /// Units, comma-separated: number, external id or callsign.
        #[arg(long, value_name = "U1,U2", default_value = "")]
        units: String,
        /// Stock to reserve, comma-separated `WAREHOUSE:ITEM:QUANTITY`.
        #[arg(long, value_name = "WH:ITEM:QTY,…")]
        reserve: Option<String>,
        /// Release units committed to another incident first.
        #[arg(long)]
        reassign: bool,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Coverage per force type: covered share of the area within the plan's targets, uncovered
    /// places, and per place the nearest available unit with its travel time and road distance.
    Coverage {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Force types, comma-separated (ambulance, fire_rescue, forest_fire, water_rescue,
        /// engineering, geo_rescue, medical, police, power); default: every type present.
        #[arg(long = "type", value_name = "T")]
        types: Option<String>,
        /// Grid cell size, km.
        #[arg(long, default_value_t = crate::coverage::demand::DEFAULT_CELL_KM)]
        cell_km: f64,
        /// Include every grid point (`[lon, lat, eta_s, dist_m, covered]`) in the JSON.
        #[arg(long)]
        grid: bool,
        /// Instead: coverage if this unit is dispatched, and the best single move-up.
        #[arg(long, value_name = "UNIT")]
        what_if: Option<String>,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Choose k new sites that maximise the area newly covered within the force's target.
    Siting {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// Force type (e.g. fire, ambulance).
        #[arg(long = "type", value_name = "T")]
        force: String,
        /// Number of new sites.
        #[arg(long, default_value_t = 1)]
        k: usize,
        /// Candidate sites, one `NAME,LON,LAT` (or `LON,LAT`) per line; default: a 5 km grid
        /// plus the planned stations of the matching kind.
        #[arg(long, value_name = "FILE")]
        candidates: Option<PathBuf>,
        /// Demand grid cell size, km.
        #[arg(long, default_value_t = crate::coverage::demand::DEFAULT_CELL_KM)]
        cell_km: f64,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// The nearest warehouses holding an item by road from a point, with totals by county.
    Supplies {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: Option<PathBuf>,
        /// The point, `LON,LAT`.
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        at: String,
        /// Item code or name (tent, 帐篷, Life jacket …).
        #[arg(long)]
        item: String,
        /// How many warehouses.
        #[arg(long, default_value_t = 3)]
        n: usize,
        /// Machine-readable JSON.
        #[arg(long)]
        json: bool,
    },
    /// Drills: run a scenario headless.
    Drill {
        /// Machine-readable JSON.
        #[arg(long, global = true)]
        json: bool,
        /// What to do.
        #[command(subcommand)]
        action: drill::DrillCommand,
    },
    /// After-action report of a database (read-only): one drill, or the real operations.
    Report {
        /// Database file.
        #[arg(long, value_name = "FILE")]
        db: PathBuf,
        /// Report on this drill (default: real events only).
        #[arg(long, value_name = "ID")]
        drill: Option<String>,
        /// html, csv or json (default: from the --out extension).
        #[arg(long)]
        format: Option<String>,
        /// Output file.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Machine-readable JSON summary on stdout (the report itself goes to --out).
        #[arg(long)]
        json: bool,
    },
    /// Warnings and earthquake reports in: CAP 1.2/1.1, feed indexes, USGS GeoJSON, CENC.
    Alerts {
        /// What to do.
        #[command(subcommand)]
        action: Box<alerts::AlertsCommand>,
    },
    /// Warnings out (预警信息发布): CAP 1.2 with a GB/T 35965.1-form identifier.
    Warning {
        /// What to do.
        #[command(subcommand)]
        action: Box<alerts::WarningCommand>,
    },
    /// Measure performance (release build recommended).
    Bench {
        /// What to measure.
        #[command(subcommand)]
        what: bench::BenchCommand,
    },
    /// Write the man pages and shell completions (used by packaging/deb.sh).
    #[command(hide = true, name = "package-files")]
    PackageFiles {
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// `onemap demo …`.
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Load maps/<pack>/demo/ into the database (created if missing).
    Load,
}

/// `onemap mappack …`.
#[derive(Debug, Subcommand)]
pub enum MappackCommand {
    /// Build a pack with a routing graph from an OpenStreetMap extract or the centre's own road
    /// lines (GeoJSON / Shapefile).
    #[command(group(clap::ArgGroup::new("source").required(true).args(["osm", "roads"])))]
    Build {
        /// The `.osm.pbf` extract.
        #[arg(long, value_name = "FILE.osm.pbf")]
        osm: Option<PathBuf>,
        /// Road lines of the centre (GeoJSON or ESRI Shapefile, WGS-84/CGCS2000 lon/lat).
        #[arg(long, value_name = "FILE.geojson|FILE.shp", requires = "class_field")]
        roads: Option<PathBuf>,
        /// Attribute holding the road class (技术等级 / 行政等级 values such as 高速公路, 国道, 县道, or OSM
        /// highway values).
        #[arg(long, value_name = "FIELD")]
        class_field: Option<String>,
        /// JSON object mapping class values the built-in table does not know to OSM highway values,
        /// e.g. {"快速路": "trunk"}.
        #[arg(long, value_name = "FILE.json")]
        class_map: Option<PathBuf>,
        /// Attribute holding a speed in km/h (default: the class speed).
        #[arg(long, value_name = "FIELD")]
        speed_field: Option<String>,
        /// Attribute holding a one-way flag (yes/no/-1, T/F, FT/TF, 是/否).
        #[arg(long, value_name = "FIELD")]
        oneway_field: Option<String>,
        /// A pack with real roads to check the lines against for a GCJ-02 shift (default: --base).
        #[arg(long, value_name = "DIR")]
        reference: Option<PathBuf>,
        /// Keep only roads inside this GeoJSON (Multi)Polygon.
        #[arg(long, value_name = "FILE.geojson")]
        boundary: Option<PathBuf>,
        /// A coarse skeleton network (`.osm.pbf`, straight edges between junctions) joined to the
        /// extract's roads; its lengths are calibrated (--calibration) and drawn as 示意.
        #[arg(long, value_name = "FILE.osm.pbf", requires = "calibration")]
        skeleton: Option<PathBuf>,
        /// Published road lengths between placed points (JSON) that fit the skeleton's detour factor.
        #[arg(long, value_name = "FILE.json", requires = "skeleton")]
        calibration: Option<PathBuf>,
        /// Assumed speed on skeleton edges, km/h (an estimate).
        #[arg(long, value_name = "KM/H", default_value_t = 60.0)]
        skeleton_speed_kmh: f64,
        /// Pack name (default: the extract's file name).
        #[arg(long)]
        name: Option<String>,
        /// Chinese title (default: the name).
        #[arg(long)]
        title_zh: Option<String>,
        /// English title (default: the name).
        #[arg(long)]
        title_en: Option<String>,
        /// Keep every layer of this pack (places, boundaries, terrain …) and replace its roads;
        /// its boundary is the default --boundary.
        #[arg(long, value_name = "DIR")]
        base: Option<PathBuf>,
        /// Output folder.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

/// Exit code: input refused (a bad value, file or record; a command the situation rules refuse).
pub const EXIT_REFUSED: u8 = 1;
/// Exit code: usage error (unknown subcommand or flag, missing argument; clap's own).
pub const EXIT_USAGE: u8 = 2;
/// Exit code: the database or its server (missing, not a OneMap file, unreadable, unreachable).
pub const EXIT_STORE: u8 = 3;
/// Exit code: the event log's history was changed (hash chain broken; `db verify`).
pub const EXIT_INTEGRITY: u8 = 4;
/// Exit code: an answer, not a failure: no road route between the points.
pub const EXIT_UNREACHABLE: u8 = 5;
/// Exit code: anything else (no display for the console, an unexpected failure).
pub const EXIT_FAILED: u8 = 6;

/// A CLI failure: message plus exit code (one of the `EXIT_*` codes).
#[derive(Debug)]
pub struct CliError {
    /// Exit code ([`EXIT_REFUSED`], [`EXIT_STORE`], …).
    pub code: u8,
    /// One line for stderr.
    pub message: String,
}

impl CliError {
    /// An exit code whose answer was already printed (nothing more to say on stderr).
    pub fn silent(code: u8) -> CliError {
        CliError {
            code,
            message: String::new(),
        }
    }

    /// Bad input, refused (exit [`EXIT_REFUSED`]).
    pub fn input(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_REFUSED,
            message: message.into(),
        }
    }

    /// The database or its server failed (exit [`EXIT_STORE`]).
    pub fn store(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_STORE,
            message: message.into(),
        }
    }

    /// Anything else (exit [`EXIT_FAILED`]).
    pub fn failed(message: impl Into<String>) -> CliError {
        CliError {
            code: EXIT_FAILED,
            message: message.into(),
        }
    }
}

/// Where a pack folder was found (`onemap info` reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackSource {
    /// `--pack DIR`.
    Flag,
    /// `$ONEMAP_PACK`.
    Env,
    /// The user's data directory: `~/.local/share/onemap/maps/NAME` (`$XDG_DATA_HOME`).
    User,
    /// Installed with the program: `<prefix>/share/onemap/maps/NAME`, then `/usr/share/onemap/maps/NAME`.
    System,
    /// `maps/NAME` under the working directory.
    WorkingDir,
    /// `maps/NAME` beside the program.
    ProgramDir,
    /// `maps/NAME` in the source tree of a debug build (`cargo run` from anywhere).
    SourceTree,
}

impl PackSource {
    /// The name `onemap info` prints (same as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            PackSource::Flag => "flag",
            PackSource::Env => "env",
            PackSource::User => "user",
            PackSource::System => "system",
            PackSource::WorkingDir => "working_dir",
            PackSource::ProgramDir => "program_dir",
            PackSource::SourceTree => "source_tree",
        }
    }
}

/// A pack folder and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackLocation {
    /// The folder (holds `manifest.json`).
    pub dir: PathBuf,
    /// Which rule of the lookup order chose it.
    pub source: PackSource,
}

/// The user's OneMap data directory (`$XDG_DATA_HOME/onemap`, usually `~/.local/share/onemap`):
/// the database, and user-installed packs under `maps/`. None without a home directory.
pub fn user_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("cn", "xsbn-emergency", "onemap").map(|d| d.data_dir().to_path_buf())
}

/// The lookup candidates after `--pack` and `$ONEMAP_PACK`, in order. The installation's own
/// share folder (`<exe>/../share`) comes before `/usr/share` so that a copy unpacked elsewhere
/// (`dpkg -x`, `/usr/local`) uses its own pack, not another version's.
fn pack_candidates(name: &str) -> Vec<(PathBuf, PackSource)> {
    let rel = Path::new("maps").join(name);
    let mut c = Vec::new();
    if let Some(dir) = user_data_dir() {
        c.push((dir.join(&rel), PackSource::User));
    }
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf));
    if let Some(bin) = &exe_dir
        && let Some(prefix) = bin.parent()
    {
        c.push((prefix.join("share/onemap").join(&rel), PackSource::System));
    }
    c.push((Path::new("/usr/share/onemap").join(&rel), PackSource::System));
    c.push((rel.clone(), PackSource::WorkingDir));
    if let Some(bin) = &exe_dir {
        c.push((bin.join(&rel), PackSource::ProgramDir));
    }
    // Only a development build falls back to the tree it was built from: an installed release
    // must not depend on the build machine's paths.
    if cfg!(debug_assertions) {
        c.push((Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel), PackSource::SourceTree));
    }
    c
}

/// Find the pack folder. Order: `--pack`, `$ONEMAP_PACK`, the user's data directory
/// (`~/.local/share/onemap/maps/NAME`), the installed packs (`<prefix>/share/onemap/maps/NAME`,
/// `/usr/share/onemap/maps/NAME`), then `maps/NAME` under the working directory or beside the
/// program (and, in a debug build, the source tree). An explicit choice is returned as given, so
/// a wrong one fails when loaded instead of silently falling through to another pack.
pub fn locate_pack(explicit: Option<&Path>) -> Result<PackLocation, CliError> {
    if let Some(p) = explicit {
        return Ok(PackLocation {
            dir: p.to_path_buf(),
            source: PackSource::Flag,
        });
    }
    if let Some(p) = std::env::var_os("ONEMAP_PACK").filter(|p| !p.is_empty()) {
        return Ok(PackLocation {
            dir: PathBuf::from(p),
            source: PackSource::Env,
        });
    }
    pack_candidates(DEFAULT_PACK)
        .into_iter()
        .find(|(dir, _)| dir.join("manifest.json").is_file())
        .map(|(dir, source)| PackLocation { dir, source })
        .ok_or_else(|| {
            CliError::input(format!(
                "map pack not found: no maps/{DEFAULT_PACK} in ~/.local/share/onemap, /usr/share/onemap, here or next to the program; pass --pack DIR or set ONEMAP_PACK"
            ))
        })
}

/// Find the pack folder (see [`locate_pack`] for the order).
pub fn resolve_pack(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    locate_pack(explicit).map(|l| l.dir)
}

/// Load a pack, mapping errors to exit code 1.
pub fn load_pack(explicit: Option<&Path>) -> Result<MapPack, CliError> {
    load_located(&locate_pack(explicit)?)
}

/// Load a located pack; an `$ONEMAP_PACK` that is wrong says so.
fn load_located(loc: &PackLocation) -> Result<MapPack, CliError> {
    MapPack::load(&loc.dir).map_err(|e| match loc.source {
        PackSource::Env => CliError::input(format!("{e} (from $ONEMAP_PACK)")),
        _ => CliError::input(e.to_string()),
    })
}

#[derive(Serialize)]
struct InfoLayer<'a> {
    name: &'a str,
    kind: &'a str,
    features: usize,
    file: &'a str,
    title: Title,
    visible: bool,
}

#[derive(Serialize)]
struct Info<'a> {
    name: &'a str,
    title: &'a Title,
    format_version: u32,
    bbox: [f64; 4],
    layers: Vec<InfoLayer<'a>>,
    attribution: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    roads: Option<RoadsInfo>,
    /// Where the road network comes from, one entry per source (empty without a roads layer).
    road_sources: Vec<RoadSourceInfo>,
    /// Where the pack was found, when it was looked up (`onemap info`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pack: Option<&'a PackLocation>,
}

/// One road source of a pack, as `info --json` lists it.
#[derive(Serialize)]
struct RoadSourceInfo {
    name: String,
    /// `real_osm` (real street geometry), `calibrated_skeleton` (straight edges with calibrated
    /// lengths, estimates) or `schematic` (straight lines, every time an estimate).
    kind: &'static str,
    length_km: f64,
    licence: String,
}

#[derive(Serialize)]
struct RoadsInfo {
    nodes: usize,
    edges: usize,
    pieces: usize,
    components: usize,
    largest_component_nodes: usize,
    islands: usize,
    island_nodes: usize,
    schematic: bool,
}

/// The pack's road sources: today one per roads layer (its file, kind, total road length, licence).
fn road_sources(pack: &MapPack) -> Vec<RoadSourceInfo> {
    let Some((g, spec)) = pack.roads() else {
        return Vec::new();
    };
    // Road length of the pieces `keep` selects, km (each piece once).
    let km = |keep: &dyn Fn(u32) -> bool| {
        let m: f64 = (0..g.piece_count() as u32)
            .filter(|&p| keep(p))
            .map(|p| g.edge_len_of_piece_m(p))
            .sum();
        (m / 100.0).round() / 10.0
    };
    let layer = pack.layers.iter().find(|l| l.kind == LayerKind::Roads);
    if let Some(l) = layer.filter(|l| !l.spec.sources.is_empty()) {
        // A multi-source build: real pieces belong to the real source, estimated ones to the skeleton.
        return l
            .spec
            .sources
            .iter()
            .map(|s| {
                let estimated = s.kind != "real_osm";
                RoadSourceInfo {
                    name: s.name.clone(),
                    kind: if estimated { "calibrated_skeleton" } else { "real_osm" },
                    length_km: km(&|p| g.piece_estimated(p) == estimated),
                    licence: s.licence.clone(),
                }
            })
            .collect();
    }
    vec![RoadSourceInfo {
        name: layer.map_or_else(String::new, |l| l.spec.file.clone()),
        kind: if spec.schematic { "schematic" } else { "real_osm" },
        length_km: km(&|_| true),
        licence: layer.and_then(|l| l.spec.licence.clone()).unwrap_or_default(),
    }]
}

/// `onemap info`: text or JSON on stdout.
pub fn info(pack: &MapPack, json: bool) -> Result<String, CliError> {
    info_at(pack, None, json)
}

/// `onemap info` with where the pack was found (JSON `"pack": {"dir", "source"}`).
pub fn info_at(pack: &MapPack, location: Option<&PackLocation>, json: bool) -> Result<String, CliError> {
    let m = &pack.manifest;
    let info = Info {
        name: &m.name,
        title: &m.title,
        format_version: m.format_version,
        bbox: m.bbox,
        layers: pack
            .layers
            .iter()
            .map(|l| InfoLayer {
                name: &l.spec.name,
                kind: l.kind.as_str(),
                features: l.feature_count(),
                file: &l.spec.file,
                title: l.title(),
                visible: l.spec.visible,
            })
            .collect(),
        attribution: &m.attribution,
        road_sources: road_sources(pack),
        roads: pack.roads().map(|(g, spec)| {
            let scc = g.scc();
            RoadsInfo {
                nodes: g.node_count(),
                edges: g.edge_count(),
                pieces: g.piece_count(),
                components: scc.count,
                largest_component_nodes: scc.largest_size,
                islands: scc.island_count,
                island_nodes: scc.island_nodes,
                schematic: spec.schematic,
            }
        }),
        pack: location,
    };
    if json {
        return serde_json::to_string_pretty(&info).map_err(|e| CliError::failed(e.to_string()));
    }
    let mut out = String::new();
    let [a, b, c, d] = m.bbox;
    out.push_str(&format!("{} — {} / {}\n", m.name, m.title.zh, m.title.en));
    out.push_str(&format!(
        "folder:  {}{}\nformat:  {}\nbbox:    {a}, {b} – {c}, {d} (WGS-84 lon/lat)\nlayers:\n",
        pack.dir.display(),
        location
            .map(|l| format!(" (found via {})", l.source.as_str()))
            .unwrap_or_default(),
        m.format_version
    ));
    for l in &info.layers {
        let unit = match l.kind {
            "terrain" => "cells",
            "gazetteer" | "corridors" => "rows",
            _ => "features",
        };
        out.push_str(&format!(
            "  {:<22} {:<11} {:>6} {unit:<8}  {} / {}\n",
            l.name, l.kind, l.features, l.title.zh, l.title.en
        ));
    }
    if let Some(r) = &info.roads {
        out.push_str(&format!(
            "roads:   {} nodes, {} directed edges; {} strongly connected components: the largest has {} nodes, {} islands hold {} nodes{}\n",
            r.nodes, r.edges, r.components, r.largest_component_nodes, r.islands, r.island_nodes,
            if r.schematic { " (SCHEMATIC network: every time is an estimate)" } else { "" }
        ));
    }
    out.push_str("attribution:\n");
    for line in &m.attribution {
        out.push_str(&format!("  {line}\n"));
    }
    Ok(out)
}

/// Run a parsed command line; `None` as the command means "open the console" and is handled by
/// the binary, which owns the window.
pub fn run(cli: &Cli) -> Result<(), CliError> {
    run_command(cli).map_err(|e| {
        if !cli.json_requested() || e.message.is_empty() || e.code == EXIT_UNREACHABLE {
            return e;
        }
        // With --json an error is one JSON object on stdout, same exit code.
        out(&json_error(&e));
        CliError::silent(e.code)
    })
}

/// The JSON form of an error: `{"error": kind, "exit_code": n, "message": …}`.
pub fn json_error(e: &CliError) -> String {
    json_error_of(e.code, &e.message)
}

/// The name of an exit code in JSON errors (`"refused"`, `"usage"`, `"database"`, …).
pub fn exit_kind(code: u8) -> &'static str {
    match code {
        0 => "ok",
        EXIT_REFUSED => "refused",
        EXIT_USAGE => "usage",
        EXIT_STORE => "database",
        EXIT_INTEGRITY => "history_changed",
        EXIT_UNREACHABLE => "unreachable",
        _ => "failed",
    }
}

/// `{"error": kind, "exit_code": code, "message": message}` as one line.
pub fn json_error_of(code: u8, message: &str) -> String {
    serde_json::json!({"error": exit_kind(code), "exit_code": code, "message": message}).to_string()
}

/// Every option that takes a value, in every subcommand, takes a negative number as its value
/// (`--at -0.5,51.4`, `--since -1`), so a range check can say what is wrong instead of clap
/// reading the number as an unknown flag.
fn negative_values(cmd: clap::Command) -> clap::Command {
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    let mut cmd = cmd.mut_args(|a| {
        if a.get_action().takes_values() {
            a.allow_negative_numbers(true)
        } else {
            a
        }
    });
    for name in subs {
        cmd = cmd.mut_subcommand(name, negative_values);
    }
    cmd
}

/// Parse the command line. A usage error (exit [`EXIT_USAGE`]) is clap's usual text on stderr,
/// or, when `--json` is among the arguments, one JSON error object on stdout; `--help` and
/// `--version` print as usual.
pub fn parse_args() -> Result<Cli, ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let parsed = negative_values(Cli::command())
        .try_get_matches_from(&args)
        .and_then(|m| Cli::from_arg_matches(&m));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            let informational = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if informational || !args.iter().skip(1).any(|a| a == "--json") {
                let _ = e.print();
                return Err(ExitCode::from(if informational { 0 } else { EXIT_USAGE }));
            }
            // clap's text without its styling and "For more information" tail, on one line.
            let text = e.render().to_string();
            let message = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .map(|l| l.trim_start_matches("error: "))
                .collect::<Vec<_>>()
                .join(" ");
            out(&json_error_of(EXIT_USAGE, &message));
            Err(ExitCode::from(EXIT_USAGE))
        }
    }
}

impl Cli {
    /// Whether the command line asked for JSON output.
    pub fn json_requested(&self) -> bool {
        match &self.command {
            Some(
                Command::Info { json }
                | Command::Mappack { json, .. }
                | Command::Export { json, .. }
                | Command::Drill { json, .. }
                | Command::Report { json, .. }
                | Command::Route { json, .. }
                | Command::Isochrone { json, .. }
                | Command::Db { json, .. }
                | Command::Import { json, .. }
                | Command::Incident { json, .. }
                | Command::Unit { json, .. }
                | Command::Events { json, .. }
                | Command::Situation { json, .. }
                | Command::Demo { json, .. }
                | Command::Recommend { json, .. }
                | Command::Kpis { json, .. }
                | Command::Dispatch { json, .. }
                | Command::Coverage { json, .. }
                | Command::Siting { json, .. }
                | Command::Supplies { json, .. },
            ) => *json,
            Some(Command::Alerts { action }) => action.json(),
            Some(Command::Warning { action }) => action.json(),
            Some(Command::Bench { what }) => what.json(),
            Some(Command::PackageFiles { .. }) | None => false,
        }
    }
}

fn run_command(cli: &Cli) -> Result<(), CliError> {
    match &cli.command {
        Some(Command::Info { json }) => {
            let location = locate_pack(cli.pack.as_deref())?;
            let pack = load_located(&location)?;
            out(info_at(&pack, Some(&location), *json)?.trim_end());
        }
        Some(Command::Mappack {
            json: _,
            action:
                MappackCommand::Build {
                    osm,
                    roads: road_lines,
                    class_field,
                    class_map,
                    speed_field,
                    oneway_field,
                    reference,
                    boundary,
                    skeleton,
                    calibration,
                    skeleton_speed_kmh,
                    name,
                    title_zh,
                    title_en,
                    base,
                    out,
                },
        }) => {
            let input = match (osm, road_lines) {
                (Some(p), _) => roads::RoadInput::Osm(p),
                (None, Some(file)) => {
                    let class_map = match class_map {
                        Some(f) => {
                            let text = std::fs::read_to_string(f)
                                .map_err(|e| CliError::input(format!("--class-map {}: {e}", f.display())))?;
                            serde_json::from_str(&text)
                                .map_err(|e| CliError::input(format!("--class-map {}: {e}", f.display())))?
                        }
                        None => Default::default(),
                    };
                    roads::RoadInput::Lines {
                        file,
                        fields: crate::mappack::road_lines::LineFields {
                            class_field: class_field.clone().unwrap_or_default(),
                            class_map,
                            speed_field: speed_field.clone(),
                            oneway_field: oneway_field.clone(),
                        },
                        reference: reference.as_deref(),
                    }
                }
                (None, None) => return Err(CliError::input("--osm or --roads is required".to_string())),
            };
            let args = roads::BuildArgs {
                input,
                boundary: boundary.as_deref(),
                skeleton: skeleton.as_deref().zip(calibration.as_deref()),
                skeleton_speed_kmh: *skeleton_speed_kmh,
                name: name.as_deref(),
                titles: [title_zh.as_deref(), title_en.as_deref()],
                base: base.as_deref(),
                out,
            };
            self::out(&roads::mappack_build(&args)?);
        }
        Some(Command::Route { from, to, metric, json }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&roads::route(&pack, from, to, metric, *json)?);
        }
        Some(Command::Isochrone { at, minutes, json }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&roads::isochrone(&pack, at, minutes, *json)?);
        }
        Some(Command::Db {
            db,
            action: store::DbCommand::Init,
            ..
        }) => out(&store::db_init(db.as_deref())?),
        Some(Command::Db {
            db,
            json,
            action: store::DbCommand::Verify,
        }) => out(&store::db_verify(db.as_deref(), *json)?),
        Some(Command::Db {
            db,
            json,
            action: store::DbCommand::Status,
        }) => out(&db_admin::db_status(db.as_deref(), *json)?),
        Some(Command::Db {
            json,
            action: store::DbCommand::Copy { from, to },
            ..
        }) => out(&db_admin::db_copy(from, to, *json)?),
        Some(Command::Db {
            db,
            json,
            action: store::DbCommand::Training { out: file },
        }) => out(&store::db_training(db.as_deref(), file, *json)?),
        Some(Command::Import { db, json, paths }) => out(&store::import(db.as_deref(), paths, *json)?),
        Some(Command::Export { db, out, format, .. }) => self::out(&store::export(db.as_deref(), out, format)?),
        Some(Command::Incident { db, json, action }) => {
            out(&store::incident(db.as_deref(), cli.pack.as_deref(), action, *json)?)
        }
        Some(Command::Unit { db, json, action }) => out(&store::unit_status(db.as_deref(), action, *json)?),
        Some(Command::Events { db, since, .. }) => {
            let out = store::events(db.as_deref(), *since)?;
            if !out.is_empty() {
                self::out(&out);
            }
        }
        Some(Command::Situation { db, .. }) => out(&store::situation(db.as_deref())?),
        Some(Command::Demo {
            db,
            json,
            action: DemoCommand::Load,
        }) => {
            let dir = resolve_pack(cli.pack.as_deref())?;
            out(&store::demo_load(db.as_deref(), &dir, *json)?);
        }
        Some(Command::Kpis { db, drill, at, json }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            let args = kpis::KpisArgs {
                db: db.as_deref(),
                drill: drill.as_deref(),
                at: at.as_deref(),
                json: *json,
            };
            out(&kpis::kpis(&pack, &args)?);
        }
        Some(Command::Recommend {
            db,
            incident,
            affected,
            json,
        }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&dispatch::recommend(db.as_deref(), &pack, *incident, *affected, *json)?);
        }
        Some(Command::Dispatch {
            db,
            incident,
            units,
            reserve,
            reassign,
            json,
        }) => out(&dispatch::dispatch(
            db.as_deref(),
            *incident,
            units,
            reserve.as_deref(),
            *reassign,
            *json,
        )?),
        Some(Command::Coverage {
            db,
            types,
            cell_km,
            grid,
            what_if,
            json,
        }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            let args = coverage::CoverageArgs {
                db: db.as_deref(),
                types: types.as_deref(),
                cell_km: *cell_km,
                grid: *grid,
                what_if: what_if.as_deref(),
                json: *json,
            };
            out(&coverage::coverage(&pack, &args)?);
        }
        Some(Command::Siting {
            db,
            force,
            k,
            candidates,
            cell_km,
            json,
        }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&coverage::siting(
                &pack,
                db.as_deref(),
                force,
                *k,
                candidates.as_deref(),
                *cell_km,
                *json,
            )?);
        }
        Some(Command::Supplies { db, at, item, n, json }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&coverage::supplies(&pack, db.as_deref(), at, item, *n, *json)?);
        }
        Some(Command::Drill { action, json }) => out(&drill::run(action, cli.pack.as_deref(), *json)?),
        Some(Command::Report {
            db,
            drill: id,
            format,
            out: path,
            json,
        }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&drill::report(
                db,
                &pack,
                id.as_deref(),
                format.as_deref(),
                path,
                *json,
            )?);
        }
        Some(Command::Alerts { action }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            let (text, any_read) = alerts::run_alerts(action, &pack)?;
            out(&text);
            if !any_read {
                // With --json the answer printed above already names every document's error.
                return Err(if action.json() {
                    CliError::silent(EXIT_REFUSED)
                } else {
                    CliError::input("no document could be read")
                });
            }
        }
        Some(Command::Warning { action }) => {
            let pack = load_pack(cli.pack.as_deref())?;
            out(&alerts::run_warning(action, &pack)?);
        }
        Some(Command::Bench { what }) => out(&bench::run(what, cli.pack.as_deref())?),
        Some(Command::PackageFiles { out: dir }) => out(&package::write(dir)?),
        None => {}
    }
    Ok(())
}

/// Print a result on stdout; a closed pipe (`onemap events | head`) is not an error.
pub fn out(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Print an error the CLI way and return its exit code. "Unreachable" (exit 3) is an answer,
/// not a failure: its JSON goes to stdout for scripts.
pub fn report(e: &CliError) -> ExitCode {
    if e.message.is_empty() {
        // Already answered on stdout (a JSON error object, a verify report).
    } else if e.code == EXIT_UNREACHABLE {
        out(&e.message);
    } else {
        eprintln!("onemap: error: {}", e.message);
    }
    ExitCode::from(e.code)
}
