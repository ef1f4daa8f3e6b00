//! Jobs with lanes: every worker reply is `(Lane, generation, Result<Reply, JobError>)`. The
//! worker coalesces its queue per lane ([`coalesce`]: latest wins within a lane, lanes never
//! cancel each other); the console's one [`Jobs`] value issues generations, remembers the latest
//! per lane and says whether a reply is still wanted, so each reply reaches the state that asked.
//! Pure bookkeeping: no threads, no egui; imported by `routing` and `coverage_jobs`, imports
//! neither.

use crate::coverage::CoverageError;
use crate::dispatch::RecommendError;
use crate::roads::router::RoadsError;

/// Jobs of one lane supersede each other; jobs of different lanes never do (a background
/// track request must not cancel the route the operator asked for, nor the other way round).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// A route or an isochrone the operator asked for.
    Route,
    /// Dispatch suggestions for an incident.
    Recommend,
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

impl Lane {
    /// Every lane.
    pub const ALL: [Lane; 7] = [
        Lane::Route,
        Lane::Recommend,
        Lane::Tracks,
        Lane::Coverage,
        Lane::MoveUp,
        Lane::Siting,
        Lane::Supplies,
    ];

    fn index(self) -> usize {
        self as usize
    }
}

/// Why a job produced no answer (the library's typed errors, kept across the channel).
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Routing failed (snap, no path …).
    #[error(transparent)]
    Roads(#[from] RoadsError),
    /// Suggestions failed.
    #[error(transparent)]
    Recommend(#[from] RecommendError),
    /// Coverage, move-up, siting or supplies failed.
    #[error(transparent)]
    Coverage(#[from] CoverageError),
    /// The pack has no plans.toml: no suggestions, no coverage targets.
    #[error("this pack has no response plans (plans.toml)")]
    NoPlans,
    /// The pack has no road network.
    #[error("this pack has no road network")]
    NoRoads,
    /// The worker's queue is full.
    #[error("routing is busy; try again")]
    Busy,
    /// The worker is gone.
    #[error("the routing worker stopped")]
    Stopped,
    /// The worker thread could not start.
    #[error("cannot start the routing worker: {0}")]
    Spawn(#[source] std::io::Error),
}

/// Keep only the newest job of each lane from a queue (oldest first), in queue order: what the
/// worker runs after draining its channel. Generations rise with submission, so "newest" is the
/// last one of its lane in the queue.
pub fn coalesce<J>(queue: Vec<(Lane, u64, J)>) -> Vec<(Lane, u64, J)> {
    let mut last = [None; Lane::ALL.len()];
    for (k, (lane, _, _)) in queue.iter().enumerate() {
        last[lane.index()] = Some(k);
    }
    queue
        .into_iter()
        .enumerate()
        .filter(|(k, (lane, _, _))| last[lane.index()] == Some(*k))
        .map(|(_, job)| job)
        .collect()
}

/// The console's side of the lanes: generations issued and the latest still wanted per lane.
#[derive(Debug, Clone, Default)]
pub struct Jobs {
    next_gen: u64,
    latest: [Option<u64>; Lane::ALL.len()],
}

impl Jobs {
    /// A new generation for `lane`; it supersedes any job of that lane still in flight.
    pub fn issue(&mut self, lane: Lane) -> u64 {
        self.next_gen += 1;
        self.latest[lane.index()] = Some(self.next_gen);
        self.next_gen
    }

    /// Send a job with `send` under a new generation of `lane`; only a job that was sent
    /// supersedes the one in flight (a full queue leaves the older job's answer wanted).
    pub fn submit(&mut self, lane: Lane, send: impl FnOnce(u64) -> Result<(), JobError>) -> Result<u64, JobError> {
        let generation = self.next_gen + 1;
        send(generation)?;
        Ok(self.issue(lane))
    }

    /// Whether a reply is the answer to its lane's latest job; if so the lane is idle again.
    /// Stale replies (superseded, or of a forgotten job) are refused.
    pub fn accept(&mut self, lane: Lane, generation: u64) -> bool {
        let slot = &mut self.latest[lane.index()];
        if *slot == Some(generation) {
            *slot = None;
            true
        } else {
            false
        }
    }

    /// Whether a job of `lane` is in flight.
    pub fn busy(&self, lane: Lane) -> bool {
        self.latest[lane.index()].is_some()
    }

    /// Stop waiting for `lane` (its reply, when it comes, is dropped).
    pub fn forget(&mut self, lane: Lane) {
        self.latest[lane.index()] = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coalesce_keeps_the_newest_job_per_lane_in_queue_order() {
        let q = vec![
            (Lane::Route, 1, "r1"),
            (Lane::Tracks, 2, "t2"),
            (Lane::Coverage, 3, "c3"),
            (Lane::Route, 4, "r4"),
            (Lane::Tracks, 5, "t5"),
            (Lane::Siting, 6, "s6"),
        ];
        let kept: Vec<_> = coalesce(q).into_iter().map(|(_, g, j)| (g, j)).collect();
        assert_eq!(kept, vec![(3, "c3"), (4, "r4"), (5, "t5"), (6, "s6")]);
    }

    #[test]
    fn coalesce_against_a_per_lane_maximum() {
        // Independent computation: per lane, the job with the highest generation.
        let lanes = Lane::ALL;
        let mut q = Vec::new();
        let mut x: u64 = 12345;
        for g in 1..=200u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            q.push((lanes[(x >> 33) as usize % lanes.len()], g, g * 10));
        }
        let kept = coalesce(q.clone());
        for lane in lanes {
            let want = q.iter().filter(|j| j.0 == lane).map(|j| j.1).max();
            let got: Vec<_> = kept.iter().filter(|j| j.0 == lane).map(|j| j.1).collect();
            assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{lane:?}");
        }
        assert!(kept.windows(2).all(|w| w[0].1 < w[1].1), "queue order kept");
    }

    /// Replies arriving out of order each reach their own lane; superseded ones are dropped.
    #[test]
    fn each_lane_keeps_its_own_latest_reply_even_out_of_order() {
        let mut jobs = Jobs::default();
        let route_old = jobs.issue(Lane::Route);
        let cov = jobs.issue(Lane::Coverage);
        let route_new = jobs.issue(Lane::Route);
        let rec = jobs.issue(Lane::Recommend);
        assert!(jobs.busy(Lane::Route) && jobs.busy(Lane::Coverage) && jobs.busy(Lane::Recommend));
        assert!(!jobs.busy(Lane::Siting));
        // Replies come back in the opposite order.
        let mut state: std::collections::BTreeMap<Lane, u64> = Default::default();
        for (lane, generation) in [
            (Lane::Recommend, rec),
            (Lane::Route, route_new),
            (Lane::Coverage, cov),
            (Lane::Route, route_old),
        ] {
            if jobs.accept(lane, generation) {
                state.insert(lane, generation);
            }
        }
        assert_eq!(state.get(&Lane::Route), Some(&route_new), "the old route is stale");
        assert_eq!(state.get(&Lane::Coverage), Some(&cov), "not cancelled by the route");
        assert_eq!(state.get(&Lane::Recommend), Some(&rec));
        assert!(Lane::ALL.iter().all(|l| !jobs.busy(*l)));
        // A reply of another lane's generation is not taken by this lane.
        let s = jobs.issue(Lane::Siting);
        assert!(!jobs.accept(Lane::Supplies, s));
        assert!(jobs.busy(Lane::Siting));
        jobs.forget(Lane::Siting);
        assert!(!jobs.accept(Lane::Siting, s), "forgotten");
    }
}
