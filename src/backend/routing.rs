//! Routing worker: one thread owns the pack's `Router` (graph, snap index, search space) and
//! answers route, isochrone, suggestion, track and coverage jobs from the UI. Every job carries
//! its lane and generation (issued by the console's [`super::jobs::Jobs`]); the worker skips
//! jobs superseded within their lane ([`super::jobs::coalesce`]) and answers
//! `(Lane, generation, Result<Reply, JobError>)`.
//!
//! At the start a second thread builds the road hierarchies (time-first, then distance-first;
//! seconds on a prefecture-size graph) and hands them over; the worker installs them before its
//! next job. Until then every search runs as plain Dijkstra with the same results, only slower;
//! [`RoutingWorker::hierarchy`] tells the console how far the build is.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};

use geo::TriangulateEarcut;

use super::coverage_jobs::{self, CoverageContext, CoverageJob, CoverageReply};
use super::jobs::{JobError, Lane, coalesce};
use crate::dispatch::tracking::Track;
use crate::dispatch::{Geography, Plans, RecommendOptions, Recommendation, recommend};
use crate::geom::mercator_norm;
use crate::model::ids::{IncidentId, UnitId};
use crate::model::situation::Situation;
use crate::roads::ch::{Ch, ChParams, Weights};
use crate::roads::graph::Graph;
use crate::roads::isochrone::contour_polygons;
use crate::roads::router::{RoadsError, Router, RoutingSpec};

/// Minutes of the console's isochrone bands.
pub const ISO_MINUTES: [f64; 4] = [5.0, 10.0, 15.0, 30.0];

/// What to compute.
#[derive(Debug, Clone)]
pub enum RouteJob {
    /// Fastest route between two lon/lat points.
    Route {
        /// Start.
        from: [f64; 2],
        /// Destination.
        to: [f64; 2],
    },
    /// Isochrone bands ([`ISO_MINUTES`]) from a point.
    Isochrone {
        /// Origin.
        at: [f64; 2],
    },
    /// Dispatch suggestions for an incident of this situation.
    Recommend {
        /// The situation as the UI shows it.
        situation: Arc<Situation>,
        /// The incident.
        incident: IncidentId,
        /// People affected (relief supplies = plan per person × this).
        affected: Option<u32>,
    },
    /// Routes of committed units to their incidents (for dead reckoning between reports).
    Tracks {
        /// (unit, incident, from, to) per unit.
        legs: Vec<(UnitId, IncidentId, [f64; 2], [f64; 2])>,
    },
    /// Coverage, move-up, siting and supplies (see [`super::coverage_jobs`]).
    Coverage(CoverageJob),
}

impl RouteJob {
    /// The lane of this job.
    pub fn lane(&self) -> Lane {
        match self {
            RouteJob::Tracks { .. } => Lane::Tracks,
            RouteJob::Coverage(CoverageJob::Coverage { .. }) => Lane::Coverage,
            RouteJob::Coverage(CoverageJob::MoveUp { .. }) => Lane::MoveUp,
            RouteJob::Coverage(CoverageJob::Siting { .. }) => Lane::Siting,
            RouteJob::Coverage(CoverageJob::Supplies { .. }) => Lane::Supplies,
            RouteJob::Recommend { .. } => Lane::Recommend,
            RouteJob::Route { .. } | RouteJob::Isochrone { .. } => Lane::Route,
        }
    }
}

/// What the worker needs for dispatch suggestions (loaded from the pack at start).
pub struct DispatchContext {
    /// The pack's response plans.
    pub plans: Plans,
    /// Seats and border.
    pub geography: Geography,
}

/// A computed route, ready to draw.
#[derive(Debug, Clone)]
pub struct RouteAnswer {
    /// Start and destination as asked.
    pub from: [f64; 2],
    /// Destination.
    pub to: [f64; 2],
    /// Road geometry, lon/lat (off-road legs are `from`→first and last→`to`).
    pub geometry: Vec<[f64; 2]>,
    /// Total time, s.
    pub eta_s: f64,
    /// Total distance (road + off-road legs), m.
    pub dist_m: f64,
    /// Off-road legs, m.
    pub offroad_m: f64,
    /// Estimate (schematic network or long off-road legs).
    pub estimate: bool,
}

/// One isochrone band as a triangle mesh in normalised Mercator.
#[derive(Debug, Clone)]
pub struct IsoBand {
    /// Upper bound of the band, minutes.
    pub minutes: f64,
    /// Vertices, normalised Mercator.
    pub verts: Vec<[f64; 2]>,
    /// Triangles.
    pub indices: Vec<u32>,
    /// Outline rings, normalised Mercator.
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// Isochrone bands, largest first.
#[derive(Debug, Clone)]
pub struct IsoAnswer {
    /// Origin.
    pub at: [f64; 2],
    /// Bands.
    pub bands: Vec<IsoBand>,
    /// Estimate (schematic network).
    pub estimate: bool,
}

/// A routing reply.
#[derive(Debug)]
pub enum RouteReply {
    /// A route.
    Route(RouteAnswer),
    /// Isochrone bands.
    Isochrone(IsoAnswer),
    /// Dispatch suggestions.
    Recommendation(Box<Recommendation>),
    /// Unit tracks; units whose route failed are listed with the reason.
    Tracks(Vec<Track>, Vec<(UnitId, RoadsError)>),
}

/// The worker's reply: routing or coverage (the latter defined by `coverage_jobs`).
#[derive(Debug)]
pub enum Reply {
    /// Route, isochrone, suggestions, tracks.
    Route(RouteReply),
    /// Coverage, move-up, siting, supplies.
    Coverage(CoverageReply),
}

/// A reply with the lane and generation of its job.
pub type Tagged = (Lane, u64, Result<Reply, JobError>);

/// Handle to the routing thread.
pub struct RoutingWorker {
    tx: SyncSender<(Lane, u64, RouteJob)>,
    /// Replies.
    pub rx: Receiver<Tagged>,
    /// The hierarchy build's progress in permille; [`HIERARCHY_READY`] when both are built,
    /// [`HIERARCHY_UNAVAILABLE`] when the build could not start.
    hierarchy: Arc<AtomicU32>,
}

/// [`RoutingWorker`]'s hierarchy progress value once both hierarchies are built.
const HIERARCHY_READY: u32 = 1001;
/// [`RoutingWorker`]'s hierarchy progress value when the build thread could not start.
const HIERARCHY_UNAVAILABLE: u32 = u32::MAX;

/// How far the routing worker's road hierarchies are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HierarchyStatus {
    /// Being built: share done, 0..=1 (time-first, then distance-first). Searches run as plain
    /// Dijkstra meanwhile: same results, slower on a large graph.
    Building(f32),
    /// Built and handed to the worker (installed before its next job).
    Ready,
    /// The build thread could not start: plain Dijkstra throughout.
    Unavailable,
}

/// Builds the time-first and then the distance-first hierarchy of `graph`, sending each to the
/// worker as it is done and reporting progress (permille, then [`HIERARCHY_READY`]) in
/// `progress`, waking the console at every step.
fn build_hierarchies(graph: &Graph, to_worker: &Sender<Ch>, progress: &AtomicU32, ctx: &egui::Context) {
    for (i, weights) in [Weights::TimeFirst, Weights::DistanceFirst].into_iter().enumerate() {
        let mut last = u32::MAX;
        let ch = Ch::build_with_progress(graph, weights, &ChParams::default(), &mut |share| {
            let permille = ((i as f32 + share.clamp(0.0, 1.0)) * 500.0) as u32;
            if permille != last {
                last = permille;
                progress.store(permille.min(1000), Ordering::Relaxed);
                ctx.request_repaint();
            }
        });
        if to_worker.send(ch).is_err() {
            return; // the worker is gone
        }
    }
    progress.store(HIERARCHY_READY, Ordering::Relaxed);
    ctx.request_repaint();
}

impl RoutingWorker {
    /// Start a worker over `graph`; `ctx` is woken when a reply is ready.
    pub fn start(
        graph: Arc<Graph>,
        spec: RoutingSpec,
        dispatch: Option<DispatchContext>,
        ctx: egui::Context,
    ) -> Result<RoutingWorker, JobError> {
        RoutingWorker::start_with_coverage(graph, spec, dispatch, None, ctx)
    }

    /// Like [`RoutingWorker::start`], also answering coverage jobs from `coverage`.
    pub fn start_with_coverage(
        graph: Arc<Graph>,
        spec: RoutingSpec,
        dispatch: Option<DispatchContext>,
        mut coverage: Option<CoverageContext>,
        ctx: egui::Context,
    ) -> Result<RoutingWorker, JobError> {
        let (tx, jobs) = mpsc::sync_channel::<(Lane, u64, RouteJob)>(8);
        let (done, rx) = mpsc::channel();
        let hierarchy = Arc::new(AtomicU32::new(0));
        let progress = Arc::clone(&hierarchy);
        std::thread::Builder::new()
            .name("onemap-routing".into())
            .spawn(move || {
                let mut router = Router::with_spec(graph, spec);
                let (to_worker, built) = mpsc::channel::<Ch>();
                let graph = Arc::clone(&router.graph);
                let wake = ctx.clone();
                let builder = Arc::clone(&progress);
                let started = std::thread::Builder::new()
                    .name("onemap-hierarchy".into())
                    .spawn(move || build_hierarchies(&graph, &to_worker, &builder, &wake));
                if started.is_err() {
                    progress.store(HIERARCHY_UNAVAILABLE, Ordering::Relaxed);
                }
                while let Ok(job) = jobs.recv() {
                    // A hierarchy built meanwhile is installed first (refused, and the search
                    // stays on Dijkstra, only if it no longer fits the graph).
                    for ch in built.try_iter() {
                        let _ = router.set_ch(ch);
                    }
                    // Latest wins within a lane: drain what queued up meanwhile.
                    let mut batch = vec![job];
                    batch.extend(jobs.try_iter());
                    for (lane, generation, job) in coalesce(batch) {
                        let reply = match job {
                            RouteJob::Coverage(job) => {
                                coverage_jobs::answer(&mut router, coverage.as_mut(), job).map(Reply::Coverage)
                            }
                            job => answer(&mut router, dispatch.as_ref(), job).map(Reply::Route),
                        };
                        if done.send((lane, generation, reply)).is_err() {
                            return;
                        }
                        ctx.request_repaint();
                    }
                }
            })
            .map_err(JobError::Spawn)?;
        Ok(RoutingWorker { tx, rx, hierarchy })
    }

    /// How far the road hierarchies are (see [`HierarchyStatus`]).
    pub fn hierarchy(&self) -> HierarchyStatus {
        match self.hierarchy.load(Ordering::Relaxed) {
            HIERARCHY_READY => HierarchyStatus::Ready,
            HIERARCHY_UNAVAILABLE => HierarchyStatus::Unavailable,
            permille => HierarchyStatus::Building(permille.min(1000) as f32 / 1000.0),
        }
    }

    /// Queue a job under `generation` (from [`super::jobs::Jobs`]); refused, never blocked on,
    /// when the queue is full or the worker is gone.
    pub fn submit(&self, generation: u64, job: RouteJob) -> Result<(), JobError> {
        match self.tx.try_send((job.lane(), generation, job)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => Err(JobError::Busy),
            Err(TrySendError::Disconnected(_)) => Err(JobError::Stopped),
        }
    }
}

fn answer(router: &mut Router, dispatch: Option<&DispatchContext>, job: RouteJob) -> Result<RouteReply, JobError> {
    match job {
        // The worker loop sends these to `coverage_jobs::answer`; kept total without a panic.
        RouteJob::Coverage(_) => Err(JobError::NoPlans),
        RouteJob::Tracks { legs } => {
            let mut tracks = Vec::new();
            let mut failed = Vec::new();
            for (unit, incident, from, to) in legs {
                match router.route_lonlat(from, to) {
                    Ok(r) => tracks.push(Track {
                        unit,
                        incident,
                        estimate: router.route_is_estimate(&r),
                        eta_s: r.eta_s,
                        geometry_lonlat: with_ends(from, r.geometry_lonlat, to),
                    }),
                    Err(e) => failed.push((unit, e)),
                }
            }
            Ok(RouteReply::Tracks(tracks, failed))
        }
        RouteJob::Recommend {
            situation,
            incident,
            affected,
        } => {
            let d = dispatch.ok_or(JobError::NoPlans)?;
            let opts = RecommendOptions {
                geography: d.geography.clone(),
                affected,
                ..Default::default()
            };
            let rec = recommend(&situation, router, &d.plans, incident, &opts)?;
            Ok(RouteReply::Recommendation(Box::new(rec)))
        }
        RouteJob::Route { from, to } => {
            let r = router.route_lonlat(from, to)?;
            let estimate = router.route_is_estimate(&r);
            Ok(RouteReply::Route(RouteAnswer {
                from,
                to,
                geometry: r.geometry_lonlat,
                eta_s: r.eta_s,
                dist_m: r.dist_m + r.offroad_dist_m,
                offroad_m: r.offroad_dist_m,
                estimate,
            }))
        }
        RouteJob::Isochrone { at } => {
            let max = ISO_MINUTES.iter().copied().fold(0.0, f64::max);
            let grid = router.isochrone_grid(at, max)?;
            let mut bands = Vec::new();
            for &m in ISO_MINUTES.iter().rev() {
                let mut band = IsoBand {
                    minutes: m,
                    verts: Vec::new(),
                    indices: Vec::new(),
                    rings: Vec::new(),
                };
                for poly in contour_polygons(&grid, m * 60.0) {
                    let norm: Vec<Vec<[f64; 2]>> = poly
                        .iter()
                        .map(|r| r.iter().map(|p| mercator_norm(p[0], p[1])).collect())
                        .collect();
                    let to_ls =
                        |r: &Vec<[f64; 2]>| geo::LineString::from(r.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>());
                    let Some(outer) = norm.first() else { continue };
                    let polygon = geo::Polygon::new(to_ls(outer), norm[1..].iter().map(to_ls).collect());
                    let tri = polygon.earcut_triangles_raw();
                    let base = band.verts.len() as u32;
                    band.verts.extend(tri.vertices);
                    band.indices
                        .extend(tri.triangle_indices.iter().map(|&i| base + i as u32));
                    band.rings.extend(norm);
                }
                bands.push(band);
            }
            Ok(RouteReply::Isochrone(IsoAnswer {
                at,
                bands,
                estimate: router.has_estimates(),
            }))
        }
    }
}

/// A route's road geometry with the off-road legs from `from` and to `to` added.
pub fn with_ends(from: [f64; 2], mut road: Vec<[f64; 2]>, to: [f64; 2]) -> Vec<[f64; 2]> {
    if road.first() != Some(&from) {
        road.insert(0, from);
    }
    if road.last() != Some(&to) {
        road.push(to);
    }
    road
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    /// On the Liechtenstein sample's real roads: the worker's hierarchy build reports rising
    /// progress and ends ready; an isochrone answered after that (over the installed hierarchy)
    /// is the one a router without any hierarchy gives, band for band.
    #[test]
    fn the_worker_builds_its_hierarchies_and_answers_the_same() {
        let pack =
            crate::mappack::MapPack::load(concat!(env!("CARGO_MANIFEST_DIR"), "/maps/samples/liechtenstein")).unwrap();
        let (g, spec) = pack.roads().unwrap();
        let graph: Arc<Graph> = g;
        let worker = RoutingWorker::start(Arc::clone(&graph), spec, None, egui::Context::default()).unwrap();
        let t0 = Instant::now();
        let mut last = 0.0f32;
        loop {
            match worker.hierarchy() {
                HierarchyStatus::Ready => break,
                HierarchyStatus::Building(share) => {
                    assert!((0.0..=1.0).contains(&share) && share >= last, "{share} after {last}");
                    last = share;
                }
                HierarchyStatus::Unavailable => panic!("the hierarchy thread did not start"),
            }
            assert!(
                t0.elapsed() < Duration::from_secs(300),
                "hierarchy not ready after 300 s"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let bb = graph.bbox_lonlat();
        let at = [(bb[0] + bb[2]) / 2.0, (bb[1] + bb[3]) / 2.0];
        worker.submit(1, RouteJob::Isochrone { at }).unwrap();
        let (_, generation, reply) = worker.rx.recv_timeout(Duration::from_secs(120)).unwrap();
        assert_eq!(generation, 1);
        let Ok(Reply::Route(RouteReply::Isochrone(got))) = reply else {
            panic!("not an isochrone: {reply:?}");
        };
        let mut plain = Router::with_spec(Arc::clone(&graph), spec);
        assert!(!plain.has_ch());
        let Ok(RouteReply::Isochrone(want)) = answer(&mut plain, None, RouteJob::Isochrone { at }) else {
            panic!("no isochrone without the hierarchy");
        };
        assert_eq!(got.bands.len(), want.bands.len());
        assert!(
            want.bands.iter().any(|b| !b.indices.is_empty()),
            "empty isochrone: nothing compared"
        );
        for (a, b) in got.bands.iter().zip(&want.bands) {
            assert_eq!(a.minutes, b.minutes);
            assert_eq!(
                (&a.verts, &a.indices, &a.rings),
                (&b.verts, &b.indices, &b.rings),
                "{} min",
                a.minutes
            );
        }
    }
}
