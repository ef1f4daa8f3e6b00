//! Routing worker: one thread owns the pack's `Router` (graph, snap index, search space) and
//! answers route and isochrone jobs from the UI. Jobs carry a generation number; the UI keeps
//! only the answer to its latest job, and the worker skips jobs already superseded in its queue.

use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};

use geo::TriangulateEarcut;

use super::coverage_jobs::{self, CoverageAnswer, CoverageContext, CoverageJob, MoveUpAnswer, SitingAnswer};
use crate::dispatch::tracking::Track;
use crate::dispatch::{Geography, Plans, RecommendOptions, Recommendation, recommend};
use crate::geom::mercator_norm;
use crate::model::ids::{IncidentId, UnitId};
use crate::model::situation::Situation;
use crate::roads::graph::Graph;
use crate::roads::isochrone::contour_polygons;
use crate::roads::router::{Router, RoutingSpec};

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

/// Jobs of one lane supersede each other; jobs of different lanes never do (a background
/// track request must not cancel the route the operator asked for, nor the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// What the operator asked for: route, isochrone, suggestions.
    Interactive,
    /// Background routes of moving units.
    Tracks,
    /// Background live coverage.
    Coverage,
    /// Move-up hints ("if X is dispatched …").
    MoveUp,
    /// Siting proposals.
    Siting,
    /// Nearest supplies.
    Supplies,
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
            _ => Lane::Interactive,
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

/// The worker's reply.
#[derive(Debug, Clone)]
pub enum RouteReply {
    /// A route.
    Route(RouteAnswer),
    /// Isochrone bands.
    Isochrone(IsoAnswer),
    /// Dispatch suggestions.
    Recommendation(Box<Recommendation>),
    /// Unit tracks; units whose route failed are listed with the reason.
    Tracks(Vec<Track>, Vec<(UnitId, String)>),
    /// Live coverage.
    Coverage(Box<CoverageAnswer>),
    /// Move-up hints.
    MoveUp(Box<MoveUpAnswer>),
    /// A siting proposal.
    Siting(Box<SitingAnswer>),
    /// Nearest supplies.
    Supplies(Box<crate::coverage::SupplyAnswer>),
}

/// A reply with the generation of its job.
pub type Tagged = (u64, Result<RouteReply, String>);

/// Handle to the routing thread.
pub struct RoutingWorker {
    tx: SyncSender<(u64, RouteJob)>,
    /// Replies.
    pub rx: Receiver<Tagged>,
    next_gen: u64,
}

impl RoutingWorker {
    /// Start a worker over `graph`; `ctx` is woken when a reply is ready.
    pub fn start(
        graph: Arc<Graph>,
        spec: RoutingSpec,
        dispatch: Option<DispatchContext>,
        ctx: egui::Context,
    ) -> Result<RoutingWorker, String> {
        RoutingWorker::start_with_coverage(graph, spec, dispatch, None, ctx)
    }

    /// Like [`RoutingWorker::start`], also answering coverage jobs from `coverage`.
    pub fn start_with_coverage(
        graph: Arc<Graph>,
        spec: RoutingSpec,
        dispatch: Option<DispatchContext>,
        mut coverage: Option<CoverageContext>,
        ctx: egui::Context,
    ) -> Result<RoutingWorker, String> {
        let (tx, jobs) = mpsc::sync_channel::<(u64, RouteJob)>(8);
        let (done, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("onemap-routing".into())
            .spawn(move || {
                let mut router = Router::with_spec(graph, spec);
                while let Ok(job) = jobs.recv() {
                    // Latest wins within a lane: drain what queued up meanwhile.
                    let mut batch = vec![job];
                    while let Ok(newer) = jobs.try_recv() {
                        batch.retain(|(_, j)| j.lane() != newer.1.lane());
                        batch.push(newer);
                    }
                    for (generation, job) in batch {
                        let reply = match job {
                            RouteJob::Coverage(job) => coverage_jobs::answer(&mut router, coverage.as_mut(), job),
                            job => answer(&mut router, dispatch.as_ref(), job),
                        };
                        if done.send((generation, reply)).is_err() {
                            return;
                        }
                        ctx.request_repaint();
                    }
                }
            })
            .map_err(|e| format!("cannot start the routing worker: {e}"))?;
        Ok(RoutingWorker { tx, rx, next_gen: 1 })
    }

    /// Queue a job; returns its generation, or an error when the worker is gone or busy.
    pub fn submit(&mut self, job: RouteJob) -> Result<u64, String> {
        let generation = self.next_gen;
        self.next_gen += 1;
        match self.tx.try_send((generation, job)) {
            Ok(()) => Ok(generation),
            Err(TrySendError::Full(_)) => Err("routing is busy; try again".into()),
            Err(TrySendError::Disconnected(_)) => Err("the routing worker stopped".into()),
        }
    }
}

fn answer(router: &mut Router, dispatch: Option<&DispatchContext>, job: RouteJob) -> Result<RouteReply, String> {
    match job {
        RouteJob::Coverage(_) => Err("coverage jobs are answered by coverage_jobs".into()),
        RouteJob::Tracks { legs } => {
            let mut tracks = Vec::new();
            let mut failed = Vec::new();
            for (unit, incident, from, to) in legs {
                match router.route_lonlat(from, to) {
                    Ok(r) => tracks.push(Track {
                        unit,
                        incident,
                        estimate: router.is_estimate(r.offroad_dist_m),
                        eta_s: r.eta_s,
                        geometry_lonlat: with_ends(from, r.geometry_lonlat, to),
                    }),
                    Err(e) => failed.push((unit, e.to_string())),
                }
            }
            Ok(RouteReply::Tracks(tracks, failed))
        }
        RouteJob::Recommend {
            situation,
            incident,
            affected,
        } => {
            let d = dispatch.ok_or("this pack has no response plans (plans.toml)")?;
            let opts = RecommendOptions {
                geography: d.geography.clone(),
                affected,
                ..Default::default()
            };
            let rec = recommend(&situation, router, &d.plans, incident, &opts).map_err(|e| e.to_string())?;
            Ok(RouteReply::Recommendation(Box::new(rec)))
        }
        RouteJob::Route { from, to } => {
            let r = router.route_lonlat(from, to).map_err(|e| e.to_string())?;
            Ok(RouteReply::Route(RouteAnswer {
                from,
                to,
                geometry: r.geometry_lonlat,
                eta_s: r.eta_s,
                dist_m: r.dist_m + r.offroad_dist_m,
                offroad_m: r.offroad_dist_m,
                estimate: router.is_estimate(r.offroad_dist_m),
            }))
        }
        RouteJob::Isochrone { at } => {
            let max = ISO_MINUTES.iter().copied().fold(0.0, f64::max);
            let grid = router.isochrone_grid(at, max).map_err(|e| e.to_string())?;
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
                estimate: router.spec.schematic,
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
