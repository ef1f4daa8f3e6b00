//! Siting: choose k new sites (from candidate points, or a grid plus the planned stations of the
//! matching kind) that maximise the grid area newly covered within the force's thresholds, on
//! top of today's available units. Greedy with lazy evaluation (CELF): coverage is submodular,
//! so greedy is within (1 − 1/e) of the optimum; [`siting_exhaustive`] gives the optimum on
//! small instances for tests. Pure; must not import egui, tokio or rusqlite.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::compute::{CoverageModel, metric_for, search_limit};
use super::{CoverageError, ForceType, Threshold};
use crate::model::Situation;
use crate::roads::router::Router;

/// Default candidate grid cell, km (coarser than the demand grid: one search per candidate).
pub const DEFAULT_CANDIDATE_CELL_KM: f64 = 5.0;

/// Inputs of a siting run.
#[derive(Debug, Clone)]
pub struct SitingOptions {
    /// Force type to site for.
    pub force: ForceType,
    /// Number of new sites.
    pub k: usize,
    /// Candidate points `(name, [lon, lat])`; `None`: a grid of `candidate_cell_km` plus the
    /// planned stations of the force's station kinds.
    pub candidates: Option<Vec<(String, [f64; 2])>>,
    /// Candidate grid cell, km.
    pub candidate_cell_km: f64,
}

/// One chosen site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteChoice {
    /// Candidate name (`grid r,c` for grid candidates).
    pub name: String,
    /// Position.
    pub lonlat: [f64; 2],
    /// Grid area it newly covers (given the earlier choices), km².
    pub gain_km2: f64,
    /// Covered share after adding it.
    pub share_after: f64,
    /// Places it newly covers.
    pub places: Vec<String>,
}

/// Result of a siting run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SitingReport {
    /// Force type.
    pub force: ForceType,
    /// Sites asked for.
    pub k: usize,
    /// Thresholds used.
    pub thresholds: Vec<Threshold>,
    /// Candidates that could be placed on the network.
    pub candidates: usize,
    /// Candidates refused (off the network), with the reason.
    pub unsnapped_candidates: Vec<(String, String)>,
    /// Covered share today.
    pub share_before: f64,
    /// Covered share with the chosen sites.
    pub share_after: f64,
    /// Chosen sites in greedy order.
    pub chosen: Vec<SiteChoice>,
    /// Gain evaluations made by the lazy greedy (vs candidates × k for plain greedy).
    pub evaluations: usize,
    /// Figures rest on a schematic network.
    pub estimate: bool,
}

#[derive(PartialEq)]
struct Entry(f64, usize, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    // Larger gain first; ties to the lower candidate index.
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0).then(other.1.cmp(&self.1))
    }
}

fn gain(set: &[u32], weights: &[f64], covered: &[bool]) -> f64 {
    set.iter()
        .filter(|&&p| !covered[p as usize])
        .map(|&p| weights[p as usize])
        .sum()
}

/// Lazy greedy maximum coverage: `sets[c]` lists the points candidate `c` covers, `covered`
/// the points already covered. Returns the chosen candidates (in order), the total newly covered
/// weight, and the number of gain evaluations.
pub fn greedy_max_cover(sets: &[Vec<u32>], weights: &[f64], covered: &[bool], k: usize) -> (Vec<usize>, f64, usize) {
    // A point listed twice in a set must not count twice.
    let sets: Vec<Vec<u32>> = sets
        .iter()
        .map(|s| {
            let mut s = s.clone();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    let mut covered = covered.to_vec();
    let mut heap: BinaryHeap<Entry> = sets
        .iter()
        .enumerate()
        .map(|(c, s)| Entry(gain(s, weights, &covered), c, 0))
        .collect();
    let mut evaluations = sets.len();
    let mut chosen = Vec::new();
    let mut total = 0.0;
    while chosen.len() < k {
        let Some(Entry(g, c, round)) = heap.pop() else { break };
        if round == chosen.len() {
            // Fresh for this round and still the best upper bound: take it.
            if g <= 0.0 {
                break;
            }
            for &p in &sets[c] {
                covered[p as usize] = true;
            }
            chosen.push(c);
            total += g;
        } else {
            evaluations += 1;
            heap.push(Entry(gain(&sets[c], weights, &covered), c, chosen.len()));
        }
    }
    (chosen, total, evaluations)
}

/// Optimal maximum coverage by trying every combination of `k` candidates (small instances
/// only: C(n, k) combinations). Returns the best combination and its newly covered weight.
pub fn siting_exhaustive(sets: &[Vec<u32>], weights: &[f64], covered: &[bool], k: usize) -> (Vec<usize>, f64) {
    let n = sets.len();
    let k = k.min(n);
    let mut best = (Vec::new(), 0.0);
    let mut idx: Vec<usize> = (0..k).collect();
    if k == 0 {
        return best;
    }
    let mut cov = covered.to_vec();
    loop {
        cov.copy_from_slice(covered);
        let mut g = 0.0;
        for &c in &idx {
            for &p in &sets[c] {
                if !cov[p as usize] {
                    cov[p as usize] = true;
                    g += weights[p as usize];
                }
            }
        }
        if g > best.1 + 1e-12 {
            best = (idx.clone(), g);
        }
        // Next combination in lexicographic order.
        let mut i = k;
        while i > 0 && idx[i - 1] == n - k + i - 1 {
            i -= 1;
        }
        if i == 0 {
            return best;
        }
        idx[i - 1] += 1;
        for j in i..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Grid candidates over the demand grid's extent plus the planned stations of the force's kinds.
pub fn default_candidates(
    model: &CoverageModel,
    sit: &Situation,
    force: ForceType,
    cell_km: f64,
) -> Vec<(String, [f64; 2])> {
    let mut out: Vec<(String, [f64; 2])> = sit
        .stations
        .values()
        .filter(|s| s.spec.planned && force.station_kinds().contains(&s.spec.kind))
        .map(|s| (format!("{} (planned)", s.spec.name_zh), s.spec.lonlat.lonlat()))
        .collect();
    let grid: Vec<[f64; 2]> = model
        .points
        .iter()
        .filter(|p| !p.is_place())
        .map(|p| p.lonlat)
        .collect();
    if grid.is_empty() {
        return out;
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in &grid {
        lo = [lo[0].min(p[0]), lo[1].min(p[1])];
        hi = [hi[0].max(p[0]), hi[1].max(p[1])];
    }
    let cell = if cell_km.is_finite() && cell_km > 0.05 {
        cell_km
    } else {
        DEFAULT_CANDIDATE_CELL_KM
    };
    let dlat = cell / 111.195;
    // Keep a candidate cell only where the demand grid has a point (inside the counties).
    let mut r = 0;
    let mut lat = lo[1];
    while lat <= hi[1] + 1e-9 {
        let dlon = dlat / lat.to_radians().cos().max(0.01);
        let mut c = 0;
        let mut lon = lo[0];
        while lon <= hi[0] + 1e-9 {
            let near = grid
                .iter()
                .any(|g| (g[0] - lon).abs() <= dlon / 2.0 && (g[1] - lat).abs() <= dlat / 2.0);
            if near {
                out.push((format!("grid {r},{c}"), [lon, lat]));
            }
            lon += dlon;
            c += 1;
        }
        lat += dlat;
        r += 1;
    }
    out
}

impl CoverageModel {
    /// Chooses `opts.k` new sites for `opts.force` by lazy greedy (see the module docs).
    pub fn siting(
        &self,
        sit: &Situation,
        router: &mut Router,
        opts: &SitingOptions,
    ) -> Result<SitingReport, CoverageError> {
        let force = opts.force;
        let thresholds = self.thresholds(force)?.to_vec();
        let metric = metric_for(&thresholds);
        let limit = search_limit(&thresholds, metric);
        let (_, bases, _) = self.bases(sit, router, force, None);
        let today = self.nearest(router, &bases, metric, limit)?;
        let covered: Vec<bool> = (0..self.points.len())
            .map(|i| self.judge(i, today[i], &thresholds, !bases.is_empty()).is_ok())
            .collect();
        let candidates = match &opts.candidates {
            Some(c) => c.clone(),
            None => default_candidates(self, sit, force, opts.candidate_cell_km),
        };
        let mut names = Vec::new();
        let mut snaps = Vec::new();
        let mut unsnapped = Vec::new();
        for (name, p) in candidates {
            match router.snap(p) {
                Ok(s) => {
                    names.push((name, p));
                    snaps.push(s);
                }
                Err(e) => unsnapped.push((name, e.to_string())),
            }
        }
        let per = self.per_source(router, &snaps, metric, limit)?;
        let sets: Vec<Vec<u32>> = per
            .iter()
            .map(|hits| {
                (0..self.points.len())
                    .filter(|&i| self.judge(i, hits[i], &thresholds, true).is_ok())
                    .map(|i| i as u32)
                    .collect()
            })
            .collect();
        // Objective: grid area (places weigh 0 here; they are reported per site).
        let weights: Vec<f64> = self
            .points
            .iter()
            .map(|p| if p.is_place() { 0.0 } else { p.weight })
            .collect();
        let total: f64 = weights.iter().sum();
        let share_of = |cov: &[bool]| {
            let c: f64 = cov.iter().zip(&weights).filter(|(c, _)| **c).map(|(_, w)| w).sum();
            if total > 0.0 { c / total } else { 0.0 }
        };
        let share_before = share_of(&covered);
        let (chosen_idx, _, evaluations) = greedy_max_cover(&sets, &weights, &covered, opts.k);
        let mut cov = covered.clone();
        let mut chosen = Vec::new();
        for c in chosen_idx {
            let mut gain_km2 = 0.0;
            let mut places = Vec::new();
            for &p in &sets[c] {
                let p = p as usize;
                if !cov[p] {
                    cov[p] = true;
                    gain_km2 += weights[p];
                    if let Some(n) = self.points[p].place_name() {
                        places.push(n.to_string());
                    }
                }
            }
            chosen.push(SiteChoice {
                name: names[c].0.clone(),
                lonlat: names[c].1,
                gain_km2,
                share_after: share_of(&cov),
                places,
            });
        }
        Ok(SitingReport {
            force,
            k: opts.k,
            thresholds,
            candidates: snaps.len(),
            unsnapped_candidates: unsnapped,
            share_before,
            share_after: share_of(&cov),
            chosen,
            evaluations,
            estimate: router.has_estimates(),
        })
    }
}
