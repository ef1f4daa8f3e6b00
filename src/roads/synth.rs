//! Deterministic synthetic road-like graphs for benchmarks and tests: a jittered grid with some
//! missing streets, some one-way streets, bent geometry, and a faster two-way arterial
//! sub-grid every `arterial_every` rows/columns. Seeded with an own SplitMix64 PRNG.

use super::graph::{BuildError, Graph, GraphBuilder, deg_to_e7, hash64};
use super::profile::{Direction, EARTH_RADIUS_M, RoadClass};

/// Small deterministic PRNG (SplitMix64).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform float in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform integer in [0, n) (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// Parameters of the synthetic generator.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SynthParams {
    /// Approximate node count (a grid of ⌈√n⌉ columns).
    pub nodes: usize,
    /// PRNG seed.
    pub seed: u64,
    /// Grid spacing in metres.
    pub spacing_m: f64,
    /// Share of minor streets left out, 0..1.
    pub drop_share: f64,
    /// Share of minor streets that are one-way, 0..1.
    pub oneway_share: f64,
    /// Every n-th row and column is a two-way arterial (primary, 60 km/h).
    pub arterial_every: usize,
    /// Centre `[lon, lat]` of the grid (default: Jinghong, Xishuangbanna).
    pub center_lonlat: [f64; 2],
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            nodes: 300_000,
            seed: 0x0e3a_9d15_7a7c_4e11,
            spacing_m: 120.0,
            drop_share: 0.12,
            oneway_share: 0.08,
            arterial_every: 10,
            center_lonlat: [100.80, 22.00],
        }
    }
}

/// Builds the synthetic graph described by `p`.
pub fn synth_graph(p: &SynthParams) -> Result<Graph, BuildError> {
    let cols = ((p.nodes.max(4) as f64).sqrt().ceil() as usize).max(2);
    let rows = p.nodes.max(4).div_ceil(cols).max(2);
    let m_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let dlat = p.spacing_m / m_per_deg_lat;
    let dlon = p.spacing_m / (m_per_deg_lat * p.center_lonlat[1].to_radians().cos());
    let lon0 = p.center_lonlat[0] - dlon * cols as f64 / 2.0;
    let lat0 = p.center_lonlat[1] - dlat * rows as f64 / 2.0;
    let mut rng = SplitMix64::new(p.seed);
    let mut b = GraphBuilder::new();
    let mut pos = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let jx = (rng.next_f64() - 0.5) * 0.3 * dlon;
            let jy = (rng.next_f64() - 0.5) * 0.3 * dlat;
            let ll = [lon0 + c as f64 * dlon + jx, lat0 + r as f64 * dlat + jy];
            pos.push(ll);
            b.add_node(deg_to_e7(ll), None);
        }
    }
    let id = |r: usize, c: usize| (r * cols + c) as u32;
    let every = p.arterial_every.max(1);
    let add = |b: &mut GraphBuilder, rng: &mut SplitMix64, u: u32, v: u32, arterial: bool| {
        let (class, speed) = if arterial {
            (RoadClass::Primary, 60.0)
        } else if rng.next_f64() < 0.3 {
            (RoadClass::Tertiary, 40.0)
        } else {
            (RoadClass::Residential, 25.0)
        };
        if !arterial && rng.next_f64() < p.drop_share {
            return;
        }
        let dir = if !arterial && rng.next_f64() < p.oneway_share {
            if rng.below(2) == 0 {
                Direction::Forward
            } else {
                Direction::Backward
            }
        } else {
            Direction::Both
        };
        let a = pos[u as usize];
        let z = pos[v as usize];
        let mut pts = vec![deg_to_e7(a)];
        if rng.next_f64() < 0.3 {
            let bend = (rng.next_f64() - 0.5) * 0.2;
            let mid = [
                (a[0] + z[0]) / 2.0 + bend * (z[1] - a[1]) * dlon / dlat,
                (a[1] + z[1]) / 2.0 - bend * (z[0] - a[0]) * dlat / dlon,
            ];
            pts.push(deg_to_e7(mid));
        }
        pts.push(deg_to_e7(z));
        b.add_piece(u, v, &pts, class, dir, speed);
    };
    for r in 0..rows {
        for c in 0..cols {
            if c + 1 < cols {
                add(&mut b, &mut rng, id(r, c), id(r, c + 1), r % every == 0);
            }
            if r + 1 < rows {
                add(&mut b, &mut rng, id(r, c), id(r + 1, c), c % every == 0);
            }
        }
    }
    let hash = hash64(serde_json::to_string(p).unwrap_or_default().as_bytes());
    b.build(hash)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_mostly_connected() {
        let p = SynthParams {
            nodes: 10_000,
            ..Default::default()
        };
        let g1 = synth_graph(&p).unwrap();
        let g2 = synth_graph(&p).unwrap();
        assert_eq!(g1, g2);
        assert_eq!(g1.node_count(), 10_000);
        let oneway = (0..g1.piece_count() as u32)
            .filter(|&q| g1.piece_edges(q).contains(&super::super::graph::NO_EDGE))
            .count();
        assert!(oneway > 100, "{oneway}");
        let scc = g1.scc();
        assert!(scc.largest_size > 9_000, "{scc:?}");
        let other = synth_graph(&SynthParams { seed: 7, ..p }).unwrap();
        assert_ne!(other, g1);
    }
}
