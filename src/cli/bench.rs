//! `onemap bench …`: performance figures as medians, for the README tables. Build with
//! `--release`; numbers from a debug build are not comparable.

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, load_pack};
use crate::roads::bench::run_bench;
use crate::ui::OneMapApp;

/// What to measure.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Routing on a synthetic road-like graph plus the OSM samples (tests/data/osm).
    Routing {
        /// Nodes of the synthetic graph.
        #[arg(long, default_value_t = 300_000)]
        nodes: usize,
        /// Share of the nodes the hierarchy leaves uncontracted (its core), 0 < share < 1;
        /// default: the console's.
        #[arg(long)]
        core_share: Option<f64>,
        /// Contraction stops once the cheapest node has more edges than this; default: the
        /// console's.
        #[arg(long)]
        max_degree: Option<usize>,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Durable events/s (one commit per event, batched) and fold speed of the situation store.
    Store {
        /// Events per timed run.
        #[arg(long, default_value_t = 5_000)]
        events: u64,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Dispatch suggestions for one incident: N units on the synthetic road graph (with CH).
    Dispatch {
        /// Nodes of the synthetic graph.
        #[arg(long, default_value_t = 300_000)]
        nodes: usize,
        /// Units in the fleet.
        #[arg(long, default_value_t = 500)]
        units: usize,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Whole-area coverage from N bases (one multi-source search) and one isochrone, on the
    /// synthetic road graph of --nodes, or on a pack's own graph with `--pack DIR`.
    Coverage {
        /// Nodes of the synthetic graph.
        #[arg(long, default_value_t = 300_000)]
        nodes: usize,
        /// Bases (available units) per force type.
        #[arg(long, default_value_t = 60)]
        bases: usize,
        /// Demand grid cell, km.
        #[arg(long, default_value_t = 0.5)]
        cell_km: f64,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Replay: seek by time on a generated 24-hour log (read-only, from snapshots) and playback.
    Replay {
        /// Events in the generated log.
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Folder for the temporary database (default: the system temp folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Master-data import: N generated units (and N/10 stations) into a new database, one
    /// transaction (parse, identity checks, plan, fold, write).
    Import {
        /// Unit records.
        #[arg(long, default_value_t = 50_000)]
        records: usize,
        /// Folder for the temporary files (default: the system temp folder).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Ranking on a pack's own road graph (`--pack`): snapping, ranking all and the top 10, with
    /// and without cached unit snaps, against a plain Dijkstra in the same run.
    Rank {
        /// Source (unit) positions: one `lon,lat` per line (`#` comments and blank lines skipped).
        #[arg(long, value_name = "FILE")]
        sources: PathBuf,
        /// The incident position `lon,lat`.
        #[arg(long, value_name = "LON,LAT", allow_hyphen_values = true)]
        to: String,
        /// Repetitions per figure (the median is reported).
        #[arg(long, default_value_t = 20)]
        reps: usize,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// N seat processes appending to one database for S seconds (file or postgres:// URL):
    /// events/s, lost, duplicates, and how fast one seat's commit is folded at the others.
    Seats {
        /// Database file or postgres://USER@HOST:PORT/DB (default: $ONEMAP_DB).
        #[arg(long, value_name = "FILE|URL")]
        db: Option<PathBuf>,
        /// Seat processes.
        #[arg(long, default_value_t = 4)]
        seats: u32,
        /// Seconds of appending.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// One seat process of `bench seats` (prints one JSON line).
    #[command(hide = true)]
    SeatWorker {
        /// Database.
        #[arg(long)]
        db: PathBuf,
        /// Seat name.
        #[arg(long)]
        seat: String,
        /// Seat number (varies the positions).
        #[arg(long)]
        seat_no: u64,
        /// Seconds of appending.
        #[arg(long)]
        seconds: u64,
    },
    /// Frame time of the whole console (basemap, labels, panels) while panning, headless.
    Frame {
        /// Frames per zoom level.
        #[arg(long, default_value_t = 120)]
        frames: usize,
        /// With an in-memory database and the pack's demo, each zoom measured with the coverage
        /// overlay off and on.
        #[arg(long)]
        coverage: bool,
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
}

impl BenchCommand {
    /// Whether `--json` was given (the hidden seat worker always prints JSON).
    pub fn json(&self) -> bool {
        match self {
            BenchCommand::Routing { json, .. }
            | BenchCommand::Store { json, .. }
            | BenchCommand::Dispatch { json, .. }
            | BenchCommand::Coverage { json, .. }
            | BenchCommand::Replay { json, .. }
            | BenchCommand::Import { json, .. }
            | BenchCommand::Rank { json, .. }
            | BenchCommand::Seats { json, .. }
            | BenchCommand::Frame { json, .. } => *json,
            BenchCommand::SeatWorker { .. } => true,
        }
    }
}

/// Run a benchmark and format its result.
pub fn run(what: &BenchCommand, pack: Option<&Path>) -> Result<String, CliError> {
    match what {
        BenchCommand::Routing {
            nodes,
            core_share,
            max_degree,
            json,
        } => {
            if *nodes < 100 || *nodes > 20_000_000 {
                return Err(CliError::input("--nodes must be between 100 and 20000000"));
            }
            let mut ch_params = crate::roads::ch::ChParams::default();
            if let Some(share) = *core_share {
                if !(share > 0.0 && share < 1.0) {
                    return Err(CliError::input(
                        "--core-share 须在 0 与 1 之间（不含）/ --core-share must be between 0 and 1 (exclusive)",
                    ));
                }
                ch_params.core_share = share;
            }
            if let Some(d) = *max_degree {
                if !(4..=100_000).contains(&d) {
                    return Err(CliError::input(
                        "--max-degree 须在 4 至 100000 之间 / --max-degree must be between 4 and 100000",
                    ));
                }
                ch_params.max_degree = d;
            }
            let samples = samples_dir();
            let report = run_bench(*nodes, samples.as_deref(), &ch_params);
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            if *json {
                return Ok(text);
            }
            Ok(format!("routing bench ({} cores, medians):\n{text}", cores()))
        }
        BenchCommand::Seats {
            db,
            seats,
            seconds,
            json,
        } => {
            let db = super::store::db_path(db.as_deref());
            let report = super::bench_seats::bench_seats(&db, *seats, *seconds)?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!(
                    "seats bench ({} build, {} cores):\n{text}",
                    report.profile, report.cores
                )
            })
        }
        BenchCommand::SeatWorker {
            db,
            seat,
            seat_no,
            seconds,
        } => super::bench_seats::seat_worker(db, seat, *seat_no, *seconds),
        BenchCommand::Store { events, json } => {
            if *events < 10 || *events > 10_000_000 {
                return Err(CliError::input("--events must be between 10 and 10000000"));
            }
            let report = crate::store::bench::bench_store(*events).map_err(|e| CliError::input(e.to_string()))?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("store bench ({} cores, medians):\n{text}", cores())
            })
        }
        BenchCommand::Dispatch { nodes, units, json } => {
            if *nodes < 1_000 || *nodes > 5_000_000 || *units < 1 || *units > 100_000 {
                return Err(CliError::input("--nodes must be 1000–5000000 and --units 1–100000"));
            }
            let pack_dir = super::resolve_pack(pack)?;
            let report = dispatch_bench(&pack_dir, *nodes, *units)?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("dispatch bench ({} cores, medians):\n{text}", cores())
            })
        }
        BenchCommand::Coverage {
            nodes,
            bases,
            cell_km,
            json,
        } => {
            if *nodes < 1_000 || *nodes > 5_000_000 || *bases < 1 || *bases > 10_000 {
                return Err(CliError::input("--nodes must be 1000–5000000 and --bases 1–10000"));
            }
            if !(cell_km.is_finite() && (0.1..=20.0).contains(cell_km)) {
                return Err(CliError::input("--cell-km must be between 0.1 and 20"));
            }
            // `--pack DIR`: the pack's own road graph; otherwise the synthetic graph of --nodes.
            let report = match pack {
                Some(_) => {
                    let pack = load_pack(pack)?;
                    let (graph, spec) = super::roads::router_parts(&pack)?;
                    let demand = crate::coverage::DemandSpec::from_pack(&pack);
                    crate::coverage::bench::coverage_bench_on(
                        graph,
                        Some(spec),
                        demand,
                        &pack.manifest.name,
                        *bases,
                        *cell_km,
                    )
                }
                None => crate::coverage::bench::coverage_bench(*nodes, *bases, *cell_km),
            }
            .map_err(CliError::input)?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("coverage bench ({} cores, medians):\n{text}", cores())
            })
        }
        BenchCommand::Import { records, dir, json } => {
            if !(10..=1_000_000).contains(records) {
                return Err(CliError::input(
                    "--records 须在 10 到 1000000 之间 / --records must be between 10 and 1000000",
                ));
            }
            let tmp = tempdir_in(dir.as_deref())?;
            let report = crate::store::import::bench_import(*records, &tmp).map_err(|e| CliError::input(e.to_string()));
            let _ = std::fs::remove_dir(&tmp);
            let text = serde_json::to_string_pretty(&report?).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("import bench (one run):\n{text}")
            })
        }
        BenchCommand::Replay { events, dir, json } => {
            if *events < 2_000 || *events > 20_000_000 {
                return Err(CliError::input("--events must be between 2000 and 20000000"));
            }
            let report = crate::store::replay_bench::bench_replay(*events, dir.as_deref())
                .map_err(|e| CliError::input(e.to_string()))?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("replay bench ({} cores, medians):\n{text}", cores())
            })
        }
        BenchCommand::Rank {
            sources,
            to,
            reps,
            json,
        } => {
            if *reps < 1 || *reps > 10_000 {
                return Err(CliError::input("--reps must be between 1 and 10000"));
            }
            let to = crate::geom::parse_lonlat(to).map_err(|e| CliError::input(format!("--to: {e}")))?;
            let points = read_sources(sources)?;
            let pack = load_pack(pack)?;
            let mut router = super::roads::router(&pack)?;
            let report = crate::roads::bench::rank_bench(&mut router, &points, to, *reps)
                .map_err(|e| CliError::input(e.to_string()))?;
            let mut v = serde_json::to_value(&report).map_err(|e| CliError::input(e.to_string()))?;
            v["cores"] = cores().into();
            let text = serde_json::to_string_pretty(&v).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!(
                    "rank bench on {} ({} cores, medians):\n{text}",
                    pack.manifest.name,
                    cores()
                )
            })
        }
        BenchCommand::Frame { frames, coverage, json } => {
            let report = frame_bench(load_pack(pack)?, (*frames).clamp(10, 10_000), *coverage)?;
            let text = serde_json::to_string_pretty(&report).map_err(|e| CliError::input(e.to_string()))?;
            Ok(if *json {
                text
            } else {
                format!("frame bench ({} cores, medians):\n{text}", cores())
            })
        }
    }
}

/// Positions of `onemap bench rank --sources`: one `lon,lat` per line; errors name the line.
fn read_sources(path: &Path) -> Result<Vec<[f64; 2]>, CliError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| CliError::input(format!("--sources {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let p = crate::geom::parse_lonlat(line)
            .map_err(|e| CliError::input(format!("--sources {} line {}: {e}", path.display(), i + 1)))?;
        out.push(p);
    }
    if out.is_empty() {
        return Err(CliError::input(format!("--sources {}: no positions", path.display())));
    }
    Ok(out)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn samples_dir() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("ONEMAP_OSM_SAMPLES").map(PathBuf::from),
        Some(PathBuf::from("tests/data/osm")),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osm")),
    ];
    candidates.into_iter().flatten().find(|d| d.is_dir())
}

/// Frame timings at one zoom.
#[derive(Debug, Serialize)]
pub struct FrameZoom {
    /// walkers zoom.
    pub zoom: f64,
    /// Median time of building the frame (egui pass), ms.
    pub ui_ms: f64,
    /// Median time of tessellating it into triangles, ms.
    pub tessellate_ms: f64,
    /// 95th percentile of ui + tessellate, ms.
    pub p95_total_ms: f64,
    /// Vertices handed to the GPU (median).
    pub vertices: usize,
    /// The coverage overlay was on.
    pub coverage: bool,
}

/// The frame benchmark's result.
#[derive(Debug, Serialize)]
pub struct FrameReport {
    /// Pack measured.
    pub pack: String,
    /// Window size in points.
    pub window: [f32; 2],
    /// CPU cores.
    pub cores: usize,
    /// One entry per zoom.
    pub zooms: Vec<FrameZoom>,
}

/// Drive the real console with a bare egui context, panning a little every frame (so nothing
/// is cached between frames), at the overview, county and town zooms.
pub fn frame_bench(pack: crate::mappack::MapPack, frames: usize, coverage: bool) -> Result<FrameReport, CliError> {
    let ctx = egui::Context::default();
    let name = pack.manifest.name.clone();
    let center = crate::map::mercator_center(pack.bbox());
    let mut app = OneMapApp::new(&ctx, pack, None);
    let size = egui::vec2(1600.0, 1000.0);
    let input = |t: f64| egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, size)),
        time: Some(t),
        ..Default::default()
    };
    let mut zooms = Vec::new();
    let mut t = 0.0;
    let mut runs = vec![(9.0, false), (11.0, false), (13.5, false)];
    if coverage {
        // The demo in memory; wait (real time) for the store and the first coverage report.
        app = app.with_database(&ctx, crate::ui::Database::InMemory);
        let mut pump = |app: &mut OneMapApp, what: &str, done: &dyn Fn(&OneMapApp) -> bool| {
            let deadline = Instant::now() + std::time::Duration::from_secs(300);
            while !done(app) {
                if Instant::now() > deadline {
                    return Err(CliError::input(format!("frame bench: timed out waiting for {what}")));
                }
                t += 1.0 / 60.0;
                ctx.run_ui(input(t), |ui| app.show(ui)).textures_delta.clear();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Ok(())
        };
        pump(&mut app, "the store", &|a| a.has_store())?;
        app.load_demo();
        pump(&mut app, "the demo", &|a| a.situation.units.len() > 10)?;
        app.set_coverage_layer(true);
        pump(&mut app, "coverage", &|a| a.coverage.answer.is_some())?;
        runs = [9.0, 11.0, 13.5]
            .iter()
            .flat_map(|&z| [(z, false), (z, true)])
            .collect();
    }
    for (zoom, overlay) in runs {
        app.set_coverage_layer(overlay);
        let (mut ui_ms, mut tess_ms, mut total, mut verts) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..frames + 5 {
            let dx = (i as f64 * 0.002).sin() * 0.05;
            app.set_view([center[0] + dx, center[1] + dx / 2.0], zoom);
            t += 1.0 / 60.0;
            let t0 = Instant::now();
            let mut out = ctx.run_ui(input(t), |ui| app.show(ui));
            out.textures_delta.clear(); // no GPU here: nothing to upload
            let t1 = Instant::now();
            let prims = ctx.tessellate(out.shapes, out.pixels_per_point);
            let t2 = Instant::now();
            if i < 5 {
                continue; // warm-up: font atlas, galley caches
            }
            let v: usize = prims
                .iter()
                .map(|p| match &p.primitive {
                    egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                    egui::epaint::Primitive::Callback(_) => 0,
                })
                .sum();
            ui_ms.push((t1 - t0).as_secs_f64() * 1000.0);
            tess_ms.push((t2 - t1).as_secs_f64() * 1000.0);
            total.push((t2 - t0).as_secs_f64() * 1000.0);
            verts.push(v as f64);
        }
        zooms.push(FrameZoom {
            zoom,
            ui_ms: pct(&mut ui_ms, 0.5),
            tessellate_ms: pct(&mut tess_ms, 0.5),
            p95_total_ms: pct(&mut total, 0.95),
            vertices: pct(&mut verts, 0.5) as usize,
            coverage: overlay,
        });
    }
    Ok(FrameReport {
        pack: name,
        window: [size.x, size.y],
        cores: cores(),
        zooms,
    })
}

fn pct(v: &mut [f64], q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * q).round() as usize;
    (v.get(i).copied().unwrap_or(0.0) * 1000.0).round() / 1000.0
}

/// The dispatch benchmark's result.
#[derive(Debug, Serialize)]
pub struct DispatchBench {
    /// Nodes of the synthetic graph.
    pub nodes: usize,
    /// Units in the fleet.
    pub units: usize,
    /// Units suggested for the incident.
    pub suggested: usize,
    /// CH preprocessing, ms (once per graph).
    pub ch_build_ms: f64,
    /// Median of a whole `recommend` (ranking all candidates + routing the chosen units), ms.
    pub recommend_ms: f64,
    /// Median of the ranking alone (`rank_units` for the whole fleet, PHAST), ms.
    pub rank_all_ms: f64,
}

/// A fleet of `units` at seeded random nodes of the synthetic graph, one grade-II landslide in
/// the middle, the pack's plans; times `recommend` end to end.
pub fn dispatch_bench(pack_dir: &Path, nodes: usize, units: usize) -> Result<DispatchBench, CliError> {
    use crate::dispatch::{Plans, RecommendOptions, recommend};
    use crate::model::event::{Event, EventKind};
    use crate::model::ids::{IncidentId, UnitId};
    use crate::model::incident::{Caller, IncidentType, Severity};
    use crate::model::lonlat::LonLat;
    use crate::model::situation::Situation;
    use crate::model::unit::{UnitSpec, UnitStatus, UnitType};
    use crate::roads::router::Router;
    use crate::roads::synth::{SplitMix64, SynthParams, synth_graph};

    let err = |e: String| CliError::input(e);
    let plans = Plans::load_pack(pack_dir).map_err(|e| err(e.to_string()))?;
    let graph = synth_graph(&SynthParams {
        nodes,
        ..Default::default()
    })
    .map_err(|e| err(e.to_string()))?;
    let mut rng = SplitMix64::new(7);
    let mut node_at = |g: &crate::roads::graph::Graph| g.node_lonlat(rng.below(g.node_count() as u64) as u32);
    let types = [
        UnitType::EarthquakeGeoRescueTeam,
        UnitType::EngineeringCrew,
        UnitType::MedicalTeam,
        UnitType::Ambulance,
        UnitType::FireEngine,
        UnitType::WaterTanker,
        UnitType::Police,
        UnitType::TransportVehicle,
    ];
    let mut events = Vec::new();
    let mut push = |kind: EventKind| {
        let seq = events.len() as u64 + 1;
        events.push(Event {
            seq,
            ts_utc: "2026-01-01T00:00:00.000Z".into(),
            operator: "bench".into(),
            seat: "bench".into(),
            drill_id: None,
            kind,
        });
    };
    for i in 0..units {
        let ll = node_at(&graph);
        let lonlat = LonLat::from_deg(ll[0], ll[1]).map_err(|e| err(e.to_string()))?;
        let spec = UnitSpec {
            external_id: format!("B{i}"),
            callsign: format!("B-{i}"),
            name_zh: format!("基准-{i}"),
            name_en: format!("Bench {i}"),
            unit_type: types[i % types.len()],
            extra_capabilities: Default::default(),
            crew: 4,
            home_station: None,
            demo: true,
            position_note: String::new(),
        };
        push(EventKind::UnitAdded {
            unit: UnitId(i as u32 + 1),
            spec,
            lonlat,
            status: UnitStatus::Available,
        });
    }
    let c = SynthParams::default().center_lonlat;
    let incident = IncidentId(1);
    push(EventKind::IncidentReported {
        incident,
        incident_type: IncidentType::LandslideDebrisFlow,
        severity: Severity::II,
        lonlat: LonLat::from_deg(c[0], c[1]).map_err(|e| err(e.to_string()))?,
        address: String::new(),
        reported_at_utc: "2026-01-01T00:00:00.000Z".into(),
        caller: Caller {
            name: String::new(),
            phone: String::new(),
        },
        notes: String::new(),
    });
    let sit = Situation::from_events(&events).map_err(|e| err(e.to_string()))?;
    let mut router = Router::new(graph);
    let t = Instant::now();
    router.build_ch();
    let ch_build_ms = t.elapsed().as_secs_f64() * 1000.0;
    let opts = RecommendOptions::default();
    let (mut rec_ms, mut rank_ms) = (Vec::new(), Vec::new());
    let mut suggested = 0;
    let positions: Vec<[f64; 2]> = sit.units.values().map(|u| u.lonlat.lonlat()).collect();
    for _ in 0..7 {
        let t = Instant::now();
        let rec = recommend(&sit, &mut router, &plans, incident, &opts).map_err(|e| err(e.to_string()))?;
        rec_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        suggested = rec.unit_ids().len();
        let t = Instant::now();
        let _ = std::hint::black_box(router.rank_units(&positions, c, None));
        rank_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(DispatchBench {
        nodes,
        units,
        suggested,
        ch_build_ms,
        recommend_ms: pct(&mut rec_ms, 0.5),
        rank_all_ms: pct(&mut rank_ms, 0.5),
    })
}

/// A new private folder for a benchmark's files under `dir` (default: the system temp folder).
fn tempdir_in(dir: Option<&Path>) -> Result<PathBuf, CliError> {
    let base = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tmp = base.join(format!("onemap-bench-{}-{nanos}", std::process::id()));
    crate::private_fs::create_private_dir_all(&tmp)
        .map_err(|e| CliError::input(format!("cannot create {}: {e}", tmp.display())))?;
    Ok(tmp)
}
