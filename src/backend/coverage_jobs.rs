//! Coverage jobs of the routing worker: live coverage, move-up hints, siting and nearest
//! supplies for the console. The worker owns one [`CoverageModel`], built lazily from the pack's
//! demand and plans on the first coverage job (snapping every demand point once), and answers on
//! its own lanes so a background coverage refresh never cancels what the operator asked for.
//! Runs only on the routing thread; must not import egui, nor `routing` (its replies are their own
//! enum, [`CoverageReply`], which `routing` wraps).

use std::sync::Arc;

use super::jobs::JobError;
use crate::coverage::siting::{DEFAULT_CANDIDATE_CELL_KM, default_candidates};
use crate::coverage::{
    CoverageModel, CoverageOptions, CoverageReport, DemandSpec, ForceType, MoveUp, SitingOptions, SitingReport,
    nearest_supplies,
};
use crate::dispatch::Plans;
use crate::mappack::MapPack;
use crate::model::ids::UnitId;
use crate::model::situation::Situation;
use crate::roads::router::Router;

/// What the worker needs for coverage: the pack and its plans; the demand (county polygons,
/// grid) and the model (every point snapped) are built on the worker at the first job, so the
/// console's start-up does not wait for them.
pub struct CoverageContext {
    /// The pack (places and county polygons).
    pub pack: Arc<MapPack>,
    /// The pack's plans (thresholds per force type).
    pub plans: Plans,
    model: Option<CoverageModel>,
}

impl CoverageContext {
    /// A context whose model is built on the first job.
    pub fn new(pack: Arc<MapPack>, plans: Plans) -> CoverageContext {
        CoverageContext {
            pack,
            plans,
            model: None,
        }
    }

    fn model(&mut self, router: &Router) -> &mut CoverageModel {
        let (pack, plans) = (&self.pack, &self.plans);
        self.model.get_or_insert_with(|| {
            CoverageModel::new(&DemandSpec::from_pack(pack), router, plans, &CoverageOptions::default())
        })
    }
}

/// Live coverage of one situation.
#[derive(Debug, Clone)]
pub struct CoverageAnswer {
    /// Sequence number of the situation it was computed on.
    pub seq: u64,
    /// Every force type present in the situation (the library's report, unchanged).
    pub report: CoverageReport,
}

/// Move-up hints for units about to be dispatched.
#[derive(Debug, Clone)]
pub struct MoveUpAnswer {
    /// Sequence number of the situation it was computed on.
    pub seq: u64,
    /// One per unit that belongs to a modelled force type (others are skipped).
    pub hints: Vec<MoveUp>,
}

/// A siting proposal with what the map and the curve need.
#[derive(Debug, Clone)]
pub struct SitingAnswer {
    /// The library's report.
    pub report: SitingReport,
    /// Candidate points considered.
    pub candidates_lonlat: Vec<[f64; 2]>,
    /// Per demand point, the nearest of today's units and the chosen sites: (eta_s, dist_m).
    pub with_sites: Vec<Option<(f64, f64)>>,
}

/// A coverage reply.
#[derive(Debug)]
pub enum CoverageReply {
    /// Live coverage.
    Coverage(Box<CoverageAnswer>),
    /// Move-up hints.
    MoveUp(Box<MoveUpAnswer>),
    /// A siting proposal.
    Siting(Box<SitingAnswer>),
    /// Nearest supplies.
    Supplies(Box<crate::coverage::SupplyAnswer>),
}

/// Runs one coverage job.
pub fn answer(
    router: &mut Router,
    ctx: Option<&mut CoverageContext>,
    job: CoverageJob,
) -> Result<CoverageReply, JobError> {
    if let CoverageJob::Supplies { situation, at, item, n } = job {
        let plans = ctx.map(|c| &c.plans);
        let a = nearest_supplies(&situation, router, plans, at, &item, n)?;
        return Ok(CoverageReply::Supplies(Box::new(a)));
    }
    // Coverage needs the plans' targets.
    let ctx = ctx.ok_or(JobError::NoPlans)?;
    match job {
        CoverageJob::Coverage { situation, forces } => {
            let model = ctx.model(router);
            model.types = forces;
            let report = model.compute(&situation, router)?;
            Ok(CoverageReply::Coverage(Box::new(CoverageAnswer {
                seq: situation.last_seq,
                report,
            })))
        }
        CoverageJob::MoveUp { situation, units } => {
            let model = &*ctx.model(router);
            let mut hints = Vec::new();
            for u in units {
                let Some(unit) = situation.units.get(&u) else { continue };
                if ForceType::of_unit(unit).is_none() {
                    continue;
                }
                hints.push(model.what_if_dispatched(&situation, router, u)?);
            }
            Ok(CoverageReply::MoveUp(Box::new(MoveUpAnswer {
                seq: situation.last_seq,
                hints,
            })))
        }
        CoverageJob::Siting { situation, force, k } => {
            let model = &*ctx.model(router);
            let opts = SitingOptions {
                force,
                k,
                candidates: None,
                candidate_cell_km: DEFAULT_CANDIDATE_CELL_KM,
            };
            let report = model.siting(&situation, router, &opts)?;
            let candidates_lonlat = default_candidates(model, &situation, force, DEFAULT_CANDIDATE_CELL_KM)
                .into_iter()
                .map(|(_, p)| p)
                .collect();
            let thresholds = model.thresholds(force)?;
            let metric = crate::coverage::compute::metric_for(thresholds);
            let (_, mut sources, _) = model.bases(&situation, router, force, None);
            sources.extend(report.chosen.iter().filter_map(|c| router.snap(c.lonlat).ok()));
            let hits = model.nearest(router, &sources, metric, None)?;
            let with_sites = hits
                .into_iter()
                .map(|h| h.map(|h| (h.time_ms as f64 / 1000.0, h.dist_cm as f64 / 100.0)))
                .collect();
            Ok(CoverageReply::Siting(Box::new(SitingAnswer {
                report,
                candidates_lonlat,
                with_sites,
            })))
        }
        // Answered above; kept total without a panic.
        CoverageJob::Supplies { .. } => Err(JobError::NoPlans),
    }
}

/// A coverage job (the routing worker's `RouteJob::Coverage`).
#[derive(Debug, Clone)]
pub enum CoverageJob {
    /// Live coverage of every force type in `forces` (empty: every type present).
    Coverage {
        /// The situation as the UI shows it.
        situation: Arc<Situation>,
        /// Force types to compute.
        forces: Vec<ForceType>,
    },
    /// "If X is dispatched …" for each unit.
    MoveUp {
        /// The situation as the UI shows it.
        situation: Arc<Situation>,
        /// Units about to be dispatched.
        units: Vec<UnitId>,
    },
    /// k new sites for a force type.
    Siting {
        /// The situation as the UI shows it.
        situation: Arc<Situation>,
        /// Force type.
        force: ForceType,
        /// Number of sites.
        k: usize,
    },
    /// The n nearest warehouses holding an item.
    Supplies {
        /// The situation as the UI shows it.
        situation: Arc<Situation>,
        /// Where the supplies are needed.
        at: [f64; 2],
        /// Item code or name.
        item: String,
        /// How many warehouses.
        n: usize,
    },
}
