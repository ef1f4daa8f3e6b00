//! Contraction hierarchies with an uncontracted core ("core-CH") and PHAST sweeps (Delling,
//! Goldberg, Nowatzyk, Werneck): exact one-to-all and all-to-one travel times (milliseconds)
//! in one small upward search plus one linear sweep over the nodes in descending rank.
//!
//! Preprocessing ([`Ch::build`]) contracts nodes in the order of a lazily updated priority
//! (edge difference + deleted neighbours + hierarchy level; neighbours of a contracted node are
//! re-queued with their last simulated shortcut count and re-simulated when they reach the top), adding a shortcut `u→x` for a
//! contracted `v` unless a witness path `u→x` avoiding `v` is at most as long, comparing
//! (time, road distance) lexicographically (witness searches are bounded by a settled-node
//! count and by the shortcut cost; a cut-off search just adds a superfluous but harmless
//! shortcut). Every lexicographically shortest path, hence every fastest time, is kept, so the
//! same hierarchy answers time queries and [`Ch::one_to_all_lex`] (least (time, distance,
//! source) from many sources: coverage by time) exactly; arcs carry their distance apart.
//! [`Ch::build_for`] with [`Weights::DistanceFirst`] builds the same over (distance, time):
//! coverage by road distance. Contraction stops when only
//! [`ChParams::core_share`] of the nodes remain or the cheapest node has more than
//! [`ChParams::max_degree`] edges; the remaining nodes form the *core*, searched with plain
//! Dijkstra during the upward phase (core-PHAST). Upward and downward arcs are stored in CSR
//! indexed by *position* (core first, then contracted nodes by descending level), so the sweep
//! reads memory almost sequentially.
//!
//! The hierarchy is only valid for the unmodified graph it was built from (same source hash
//! and counts, and the same edge times): road closures or changed speeds must discard it
//! (see [`Ch::matches`]) and fall back to plain Dijkstra.

use std::time::Instant;

use super::graph::Graph;
use super::radix_heap::RadixHeap;

/// "Unreached" cost.
const INF: u32 = u32::MAX;

/// Errors installing a hierarchy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChError {
    /// The hierarchy was built for another graph.
    #[error(
        "contraction hierarchy does not match the road graph ({ch_nodes} nodes / {ch_edges} edges vs {graph_nodes} / {graph_edges}, or another source)"
    )]
    GraphMismatch {
        /// Nodes of the hierarchy's graph.
        ch_nodes: usize,
        /// Edges of the hierarchy's graph.
        ch_edges: usize,
        /// Nodes of the router's graph.
        graph_nodes: usize,
        /// Edges of the router's graph.
        graph_edges: usize,
    },
}

/// Preprocessing parameters of [`Ch::build`].
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChParams {
    /// Share of the nodes left uncontracted (the core), 0..1.
    pub core_share: f64,
    /// Contraction stops (leaving a larger core) once the cheapest node has more edges (in +
    /// out) than this.
    pub max_degree: usize,
    /// Witness searches of a real contraction stop after settling this many nodes.
    pub witness_settled_limit: usize,
    /// Witness searches that only estimate a priority stop after this many settled nodes.
    pub priority_settled_limit: usize,
}

impl Default for ChParams {
    fn default() -> Self {
        ChParams {
            core_share: 0.002,
            max_degree: 64,
            witness_settled_limit: 100,
            priority_settled_limit: 60,
        }
    }
}

/// Which of a road piece's two weights a hierarchy minimises first (the other breaks ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Weights {
    /// Time (ms) first, then road distance (cm): ranking, move-up, isochrones, coverage by time.
    TimeFirst,
    /// Road distance (cm) first, then time (ms): coverage by road distance (the ambulance
    /// radius along roads).
    DistanceFirst,
}

/// Figures of one preprocessing run.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ChStats {
    /// Nodes of the graph.
    pub nodes: usize,
    /// Nodes left uncontracted (searched by Dijkstra in the upward phase).
    pub core_nodes: usize,
    /// Shortcut arcs added (new node pairs; lowered existing arcs not counted).
    pub shortcuts: usize,
    /// Upward plus downward arcs stored.
    pub arcs: usize,
    /// Highest hierarchy level reached.
    pub max_level: u32,
    /// Preprocessing wall time, ms.
    pub build_ms: f64,
}

/// One stored arc: the other end's position and the first weight (ms for a
/// [`Weights::TimeFirst`] hierarchy, cm for [`Weights::DistanceFirst`]; the name is the time
/// hierarchy's, which every sweep but the lexicographic one uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Arc {
    to: u32,
    w_ms: u32,
}

/// A contraction hierarchy (with core) over one [`Graph`]'s travel times (or road distances,
/// see [`Weights`]).
#[derive(Debug, Clone)]
pub struct Ch {
    weights: Weights,
    source_hash: u64,
    node_count: usize,
    edge_count: usize,
    weights_hash: u64,
    /// Node id → position (positions `0..core_len` are the core; the rest descend in level).
    pos_of: Vec<u32>,
    core_len: usize,
    /// Per position: arcs `p→q` of the graph with `q` above `p` (core: arcs to core nodes).
    out_first: Vec<u32>,
    out_arcs: Vec<Arc>,
    /// Per position: arcs `q→p` of the graph with `q` above `p` (core: arcs from core nodes).
    in_first: Vec<u32>,
    in_arcs: Vec<Arc>,
    /// The second weight (cm, or ms for [`Weights::DistanceFirst`]) of each arc of
    /// `out_arcs` / `in_arcs`, kept apart so the one-weight sweeps read no more memory; only
    /// the lexicographic query reads them.
    out_second: Vec<u32>,
    in_second: Vec<u32>,
    stats: ChStats,
}

/// Reusable scratch memory of PHAST queries (one cost per node, by position).
pub struct PhastSpace {
    dist_ms: Vec<u32>,
    heap: RadixHeap,
    /// Positions written since the last reset, when few (restricted queries): only these are
    /// reset, instead of the whole array.
    dirty: Vec<u32>,
    /// The last query swept everything: reset the whole array.
    all_dirty: bool,
}

impl PhastSpace {
    /// Scratch memory for a hierarchy over `node_count` nodes.
    pub fn new(node_count: usize) -> PhastSpace {
        PhastSpace {
            dist_ms: vec![INF; node_count],
            heap: RadixHeap::new(),
            dirty: Vec::new(),
            all_dirty: false,
        }
    }

    /// Every cost back to "unreached" for a hierarchy over `n` nodes.
    fn reset(&mut self, n: usize) {
        if self.dist_ms.len() != n {
            self.dist_ms = vec![INF; n];
        } else if self.all_dirty {
            self.dist_ms.fill(INF);
        } else {
            for &p in &self.dirty {
                if let Some(d) = self.dist_ms.get_mut(p as usize) {
                    *d = INF;
                }
            }
        }
        self.dirty.clear();
        self.all_dirty = false;
    }
}

/// One node's label in a lexicographic query ([`Ch::one_to_all_lex`]): the least first weight
/// (time ms, or cm for a [`Weights::DistanceFirst`] hierarchy), then the least second weight
/// among those paths, then the lowest source index: the order of the fields is the order
/// compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LexLabel {
    /// Least first weight (`u32::MAX` = unreached).
    pub first: u32,
    /// Least second weight among the paths with that first weight.
    pub second: u32,
    /// Lowest source index among those.
    pub source: u32,
}

impl LexLabel {
    /// Not reached by any source.
    pub const UNREACHED: LexLabel = LexLabel {
        first: INF,
        second: INF,
        source: INF,
    };

    /// This label carried over one arc of weights `(w1, w2)` (first, second), saturating below
    /// "unreached" like the Dijkstra's labels.
    fn over(self, w1: u32, w2: u32) -> LexLabel {
        let (first, second) = lex_add((self.first, self.second), (w1, w2));
        LexLabel {
            first,
            second,
            source: self.source,
        }
    }
}

/// Reusable scratch memory of lexicographic PHAST queries (one label per node, by position).
pub struct LexSpace {
    labels: Vec<LexLabel>,
    heap: RadixHeap,
}

impl Default for LexSpace {
    fn default() -> Self {
        LexSpace {
            labels: Vec::new(),
            heap: RadixHeap::new(),
        }
    }
}

/// Sources answered together by one batched sweep ([`Ch::one_to_many_batch`]).
pub const LANES: usize = 16;
/// "Not reached" in a batched sweep: far below `u32::MAX`, so that a label plus one arc weight
/// never wraps and the sweep's inner loop is a plain add and min (vectorised).
pub const FAR: u32 = 0x3FFF_FFFF;

/// "No row" in a [`BatchPlan`]: the position is neither in the core nor in the restriction.
const NO_ROW: u32 = u32::MAX;

/// A forward restriction laid out for batched sweeps ([`Ch::batch_plan`]): the core and the
/// restricted positions numbered densely (core first, then the restriction in sweep order),
/// with the arcs into each restricted position translated to those rows. The sweep then walks
/// one contiguous arc list and one contiguous row table instead of the whole hierarchy's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPlan {
    node_count: usize,
    /// Per position, its row (`NO_ROW` outside the core and the restriction).
    row_of: Vec<u32>,
    core_len: usize,
    /// Arcs into restricted row `core_len + k`: `arcs[first[k]..first[k + 1]]`.
    first: Vec<u32>,
    /// (row the arc comes from, weight ms).
    arcs: Vec<(u32, u32)>,
}

impl BatchPlan {
    /// Rows: the core plus the restricted positions.
    pub fn rows(&self) -> usize {
        self.core_len + self.first.len().saturating_sub(1)
    }

    /// The row of node position `p` ([`Ch::position`]); `None` outside the core and the
    /// restriction (its cost is not computed).
    pub fn row_of(&self, p: u32) -> Option<u32> {
        self.row_of.get(p as usize).copied().filter(|&r| r != NO_ROW)
    }

    /// Nodes of the hierarchy it was built for.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Restricted positions swept.
    pub fn swept(&self) -> usize {
        self.first.len().saturating_sub(1)
    }
}

/// The batched sweep: core rows are final (FAR where no upward search reached them: each query
/// resets the rows it wrote); each restricted row takes the minimum over its arcs from rows
/// swept before it, starting from its upward label when it has one. Compiled for AVX2 and
/// SSE4.1 as well, chosen at run time: plain x86-64 has no 32-bit vector minimum, and this
/// loop is the batched query's cost.
#[multiversion::multiversion(targets("x86_64+avx2", "x86_64+sse4.1"))]
fn sweep_rows(rows: &mut [[u32; LANES]], fresh: &[bool], core_len: usize, first: &[u32], arcs: &[(u32, u32)]) {
    for (k, w) in first.windows(2).enumerate() {
        let r = core_len + k;
        let (Some(&start), Some(&is_fresh)) = (rows.get(r), fresh.get(r)) else {
            continue;
        };
        let mut d = if is_fresh { start } else { [FAR; LANES] };
        for &(from, w_ms) in arcs.get(w[0] as usize..w[1] as usize).unwrap_or(&[]) {
            let Some(src) = rows.get(from as usize) else {
                continue;
            };
            for (x, &f) in d.iter_mut().zip(src) {
                *x = (*x).min(f + w_ms);
            }
        }
        // Labels stay at or below FAR (d starts there): a sum from an unreached lane only ever
        // loses the min.
        if let Some(row) = rows.get_mut(r) {
            *row = d;
        }
    }
}

/// Scratch memory of batched one-to-many queries: per plan row one cost per lane, and the
/// scalar labels of the per-lane upward searches.
pub struct BatchSpace {
    rows: Vec<[u32; LANES]>,
    /// Per row: written by this query's upward searches (else the sweep starts it at FAR).
    fresh: Vec<bool>,
    /// Rows written by the last query's upward searches.
    fresh_rows: Vec<u32>,
    /// One lane's upward search: per position its cost (`FAR` = none), and what it wrote.
    up: Vec<u32>,
    up_dirty: Vec<u32>,
    heap: RadixHeap,
}

impl BatchSpace {
    /// Scratch memory for a hierarchy over `node_count` nodes (rows grow to the plan's size).
    pub fn new(node_count: usize) -> BatchSpace {
        BatchSpace {
            rows: Vec::new(),
            fresh: Vec::new(),
            fresh_rows: Vec::new(),
            up: vec![FAR; node_count],
            up_dirty: Vec::new(),
            heap: RadixHeap::new(),
        }
    }

    /// Per plan row ([`BatchPlan::row_of`]) the costs of all lanes from the last batched
    /// query, [`FAR`] where not reached.
    pub fn rows(&self) -> &[[u32; LANES]] {
        &self.rows
    }

    fn reset(&mut self, node_count: usize, rows: usize) {
        if self.up.len() != node_count {
            self.up = vec![FAR; node_count];
            self.up_dirty.clear();
        }
        if self.rows.len() != rows {
            self.rows = vec![[FAR; LANES]; rows];
            self.fresh = vec![false; rows];
        } else {
            for &r in &self.fresh_rows {
                if let (Some(row), Some(f)) = (self.rows.get_mut(r as usize), self.fresh.get_mut(r as usize)) {
                    *row = [FAR; LANES];
                    *f = false;
                }
            }
        }
        self.fresh_rows.clear();
    }
}

/// The part of a PHAST sweep that a fixed set of nodes needs ([`Ch::restrict`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restriction {
    backward: bool,
    node_count: usize,
    /// The nodes it was built for, sorted and deduplicated.
    nodes: Vec<u32>,
    /// Contracted positions to sweep, ascending.
    positions: Vec<u32>,
}

impl Restriction {
    /// True when every one of `nodes` is among those it was built for (direction `backward`).
    pub fn covers(&self, nodes: &[u32], backward: bool) -> bool {
        self.backward == backward && nodes.iter().all(|v| self.nodes.binary_search(v).is_ok())
    }

    /// The nodes it was built for (sorted).
    pub fn nodes(&self) -> &[u32] {
        &self.nodes
    }

    /// Nodes of the hierarchy it was built for.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Positions swept (the full sweep visits every contracted node).
    pub fn swept(&self) -> usize {
        self.positions.len()
    }
}

/// Hash of the edge times and lengths, so a hierarchy is refused after any weight change.
fn weights_hash(g: &Graph) -> u64 {
    let mut bytes = Vec::with_capacity(g.time_ms.len() * 12);
    for ((h, t), d) in g.head.iter().zip(&g.time_ms).zip(&g.dist_cm) {
        bytes.extend_from_slice(&h.to_le_bytes());
        bytes.extend_from_slice(&t.to_le_bytes());
        bytes.extend_from_slice(&d.to_le_bytes());
    }
    super::graph::hash64(&bytes)
}

/// A lexicographic weight: (first, second) — (time ms, distance cm) in a time-first hierarchy,
/// (distance cm, time ms) in a distance-first one — compared first weight first.
type Lex = (u32, u32);

/// `a + b` per component, saturating below "unreached" like the Dijkstra's labels.
fn lex_add(a: Lex, b: Lex) -> Lex {
    (
        a.0.saturating_add(b.0).min(INF - 1),
        a.1.saturating_add(b.1).min(INF - 1),
    )
}

/// Dynamic adjacency during contraction: arcs `(other end, first weight, second weight)` to
/// not yet contracted nodes only.
struct Dyn {
    out: Vec<Vec<(u32, u32, u32)>>,
    inn: Vec<Vec<(u32, u32, u32)>>,
}

/// Inserts `(to, w)` or lowers an existing arc's (first, second) weight lexicographically;
/// true if a new pair was added.
fn add_or_lower(list: &mut Vec<(u32, u32, u32)>, to: u32, w: Lex) -> bool {
    for a in list.iter_mut() {
        if a.0 == to {
            if w < (a.1, a.2) {
                (a.1, a.2) = w;
            }
            return false;
        }
    }
    list.push((to, w.0, w.1));
    true
}

/// Bounded forward Dijkstra used to look for witness paths, by (first, second) weight: a
/// witness must be at least as good in that order, so the hierarchy keeps every
/// lexicographically shortest path (and therefore every least first weight) and
/// [`Ch::one_to_all_lex`] is exact.
struct Witness {
    dist: Vec<Lex>,
    touched: Vec<u32>,
    heap: RadixHeap,
}

impl Witness {
    fn new(n: usize) -> Witness {
        Witness {
            dist: vec![(INF, INF); n],
            touched: Vec::new(),
            heap: RadixHeap::new(),
        }
    }

    /// Costs from `src` avoiding `avoid`, exact up to `bound` unless `limit` nodes were settled
    /// first; unsettled tentative costs are still lengths of real paths.
    fn run(&mut self, dy: &Dyn, src: u32, avoid: u32, bound: u32, limit: usize) {
        for &v in &self.touched {
            self.dist[v as usize] = (INF, INF);
        }
        self.touched.clear();
        self.heap.clear();
        self.dist[src as usize] = (0, 0);
        self.touched.push(src);
        self.heap.push(0, src);
        let mut settled = 0usize;
        while let Some((c, v)) = self.heap.pop() {
            // A label lowered in distance at the same time is pushed again and rescanned.
            let cv = self.dist[v as usize];
            if c > cv.0 {
                continue;
            }
            if c > bound || settled >= limit {
                break;
            }
            settled += 1;
            for &(x, w, d) in &dy.out[v as usize] {
                if x == avoid {
                    continue;
                }
                let nc = lex_add(cv, (w, d));
                let slot = &mut self.dist[x as usize];
                if nc < *slot {
                    if slot.0 == INF {
                        self.touched.push(x);
                    }
                    *slot = nc;
                    self.heap.push(nc.0, x);
                }
            }
        }
    }

    /// Shortcuts `(u, x, (first, second))` needed to contract `v`, appended to `out`.
    fn shortcuts(&mut self, dy: &Dyn, v: u32, limit: usize, out: &mut Vec<(u32, u32, Lex)>) {
        out.clear();
        let outs = &dy.out[v as usize];
        if outs.is_empty() {
            return;
        }
        for &(u, w1, d1) in &dy.inn[v as usize] {
            let max_w2 = outs.iter().filter(|a| a.0 != u).map(|a| a.1).max();
            let Some(max_w2) = max_w2 else {
                continue;
            };
            self.run(dy, u, v, w1.saturating_add(max_w2), limit);
            for &(x, w2, d2) in outs {
                if x == u {
                    continue;
                }
                let c = lex_add((w1, d1), (w2, d2));
                if self.dist[x as usize] > c {
                    out.push((u, x, c));
                }
            }
        }
    }
}

/// Contraction priority: lower is contracted first.
fn priority(dy: &Dyn, v: u32, shortcuts: usize, deleted: u32, level: u32) -> i64 {
    let removed = (dy.out[v as usize].len() + dy.inn[v as usize].len()) as i64;
    2 * (shortcuts as i64 - removed) + deleted as i64 + 2 * level as i64
}

impl Ch {
    /// Builds the hierarchy for `g`'s travel times (see the module docs; deterministic).
    pub fn build(g: &Graph, params: &ChParams) -> Ch {
        Ch::build_for(g, Weights::TimeFirst, params)
    }

    /// Builds the hierarchy minimising `weights` (time or road distance first, the other
    /// second); deterministic.
    pub fn build_for(g: &Graph, weights: Weights, params: &ChParams) -> Ch {
        Ch::build_with_progress(g, weights, params, &mut |_| {})
    }

    /// [`Ch::build_for`], calling `progress` with the share done (0..=1, rising, about every
    /// percent; the first ≈ 30 % is the initial priorities, the rest the contraction).
    pub fn build_with_progress(g: &Graph, weights: Weights, params: &ChParams, progress: &mut dyn FnMut(f32)) -> Ch {
        let t0 = Instant::now();
        let n = g.node_count();
        let (w_first, w_second) = match weights {
            Weights::TimeFirst => (&g.time_ms, &g.dist_cm),
            Weights::DistanceFirst => (&g.dist_cm, &g.time_ms),
        };
        let mut dy = Dyn {
            out: vec![Vec::new(); n],
            inn: vec![Vec::new(); n],
        };
        for v in 0..n {
            for e in g.out_edges(v as u32) {
                let (h, w) = (g.head[e], (w_first[e], w_second[e]));
                if h as usize == v || h as usize >= n {
                    continue;
                }
                add_or_lower(&mut dy.out[v], h, w);
                add_or_lower(&mut dy.inn[h as usize], v as u32, w);
            }
        }
        let limit = params.witness_settled_limit.max(1);
        let plimit = params.priority_settled_limit.max(1);
        let core_share = if params.core_share.is_finite() {
            params.core_share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let core_target = (n as f64 * core_share).ceil() as usize;
        let mut ws = Witness::new(n);
        let mut sc = Vec::new();
        let mut deleted = vec![0u32; n];
        let mut level = vec![0u32; n];
        let mut prio = vec![0i64; n];
        let mut last_sc = vec![0u32; n];
        let mut contracted = vec![false; n];
        let mut heap = std::collections::BinaryHeap::new();
        let step = (n / 100).max(1);
        for v in 0..n as u32 {
            if (v as usize).is_multiple_of(step) {
                progress(0.3 * v as f32 / n as f32);
            }
            ws.shortcuts(&dy, v, plimit, &mut sc);
            last_sc[v as usize] = sc.len() as u32;
            prio[v as usize] = priority(&dy, v, sc.len(), 0, 0);
            heap.push(std::cmp::Reverse((prio[v as usize], v)));
        }
        // Saved upward arcs per node (node ids), filled at contraction time.
        let mut up_out: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); n];
        let mut up_in: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); n];
        let mut order: Vec<u32> = Vec::with_capacity(n);
        let mut shortcuts = 0usize;
        let mut remaining = n;
        while remaining > core_target {
            let Some(std::cmp::Reverse((p, v))) = heap.pop() else {
                break;
            };
            let vi = v as usize;
            if contracted[vi] || p != prio[vi] {
                continue;
            }
            // Lazy update: recompute; if it got worse than the next candidate, requeue.
            ws.shortcuts(&dy, v, plimit, &mut sc);
            last_sc[vi] = sc.len() as u32;
            let p2 = priority(&dy, v, sc.len(), deleted[vi], level[vi]);
            if p2 > p
                && let Some(std::cmp::Reverse((top, _))) = heap.peek()
                && p2 > *top
            {
                prio[vi] = p2;
                heap.push(std::cmp::Reverse((p2, v)));
                continue;
            }
            if dy.out[vi].len() + dy.inn[vi].len() > params.max_degree {
                break;
            }
            // Contract v: its remaining arcs all lead to higher nodes.
            if limit != plimit {
                ws.shortcuts(&dy, v, limit, &mut sc);
            }
            contracted[vi] = true;
            remaining -= 1;
            if remaining.is_multiple_of(step) {
                let to_go = n.saturating_sub(core_target).max(1);
                progress(0.3 + 0.7 * (n - remaining) as f32 / to_go as f32);
            }
            order.push(v);
            let outs = std::mem::take(&mut dy.out[vi]);
            let ins = std::mem::take(&mut dy.inn[vi]);
            for &(x, ..) in &outs {
                dy.inn[x as usize].retain(|a| a.0 != v);
            }
            for &(u, ..) in &ins {
                dy.out[u as usize].retain(|a| a.0 != v);
            }
            for &(u, x, w) in &sc {
                if add_or_lower(&mut dy.out[u as usize], x, w) {
                    shortcuts += 1;
                }
                add_or_lower(&mut dy.inn[x as usize], u, w);
            }
            let mut nbrs: Vec<u32> = outs.iter().chain(&ins).map(|a| a.0).collect();
            nbrs.sort_unstable();
            nbrs.dedup();
            up_out[vi] = outs;
            up_in[vi] = ins;
            for &x in &nbrs {
                let xi = x as usize;
                deleted[xi] += 1;
                level[xi] = level[xi].max(level[vi] + 1);
                // Cheap update with the last simulated shortcut count; the exact priority is
                // recomputed lazily when the node reaches the top of the queue.
                prio[xi] = priority(&dy, x, last_sc[xi] as usize, deleted[xi], level[xi]);
                heap.push(std::cmp::Reverse((prio[xi], x)));
            }
        }
        // Core: all remaining nodes, in node-id (Morton) order, above every contracted node.
        let core: Vec<u32> = (0..n as u32).filter(|&v| !contracted[v as usize]).collect();
        let max_level = level.iter().copied().max().unwrap_or(0);
        for &v in &core {
            up_out[v as usize] = std::mem::take(&mut dy.out[v as usize]);
            up_in[v as usize] = std::mem::take(&mut dy.inn[v as usize]);
        }
        // Positions: core, then contracted nodes by descending level, which is a valid sweep
        // order since every upward arc rises at least one level. Within a level, node-id
        // (Morton) order: the sweep then reads and writes rows of nearby places together
        // (the PHAST reordering, Delling, Goldberg, Nowatzyk and Werneck 2011).
        let mut rest = order;
        rest.sort_unstable_by_key(|&v| (std::cmp::Reverse(level[v as usize]), v));
        let mut pos_of = vec![0u32; n];
        for (p, &v) in core.iter().chain(&rest).enumerate() {
            pos_of[v as usize] = p as u32;
        }
        let csr = |lists: &[Vec<(u32, u32, u32)>]| {
            let mut first = Vec::with_capacity(n + 1);
            let mut arcs = Vec::new();
            let mut second = Vec::new();
            let mut one: Vec<(u32, u32, u32)> = Vec::new();
            first.push(0u32);
            for &v in core.iter().chain(&rest) {
                one.clear();
                one.extend(lists[v as usize].iter().map(|&(x, w, d)| (pos_of[x as usize], w, d)));
                one.sort_unstable_by_key(|a| a.0);
                arcs.extend(one.iter().map(|&(to, w_ms, _)| Arc { to, w_ms }));
                second.extend(one.iter().map(|a| a.2));
                first.push(arcs.len() as u32);
            }
            (first, arcs, second)
        };
        let (out_first, out_arcs, out_second) = csr(&up_out);
        let (in_first, in_arcs, in_second) = csr(&up_in);
        progress(1.0);
        let stats = ChStats {
            nodes: n,
            core_nodes: core.len(),
            shortcuts,
            arcs: out_arcs.len() + in_arcs.len(),
            max_level,
            build_ms: t0.elapsed().as_secs_f64() * 1000.0,
        };
        Ch {
            weights,
            source_hash: g.source_hash(),
            node_count: n,
            edge_count: g.edge_count(),
            weights_hash: weights_hash(g),
            pos_of,
            core_len: core.len(),
            out_first,
            out_arcs,
            in_first,
            in_arcs,
            out_second,
            in_second,
            stats,
        }
    }

    /// Which weight this hierarchy minimises first.
    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// Figures of the preprocessing run that built this hierarchy.
    pub fn stats(&self) -> ChStats {
        self.stats
    }

    /// Whether this hierarchy was built for exactly `g` (source, counts and edge times).
    pub fn matches(&self, g: &Graph) -> bool {
        self.source_hash == g.source_hash()
            && self.node_count == g.node_count()
            && self.edge_count == g.edge_count()
            && self.weights_hash == weights_hash(g)
    }

    /// Cheap check that `g` has this hierarchy's size and source (no edge-time hash).
    pub(crate) fn fits(&self, g: &Graph) -> bool {
        self.source_hash == g.source_hash() && self.node_count == g.node_count() && self.edge_count == g.edge_count()
    }

    /// The error describing a mismatch with `g`.
    pub(crate) fn mismatch(&self, g: &Graph) -> ChError {
        ChError::GraphMismatch {
            ch_nodes: self.node_count,
            ch_edges: self.edge_count,
            graph_nodes: g.node_count(),
            graph_edges: g.edge_count(),
        }
    }

    /// Number of nodes covered.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// Cost in ms of node `v` from the last query run in `space`, if reached.
    pub fn cost_ms(&self, space: &PhastSpace, v: u32) -> Option<u32> {
        let p = *self.pos_of.get(v as usize)?;
        space.dist_ms.get(p as usize).copied().filter(|&c| c != INF)
    }

    /// Every node whose cost in the last full query run in `space` is at most `limit_ms`, with
    /// that cost, in node-id order (the graph's Morton order: what is read next lies near).
    pub fn reached_within(&self, space: &PhastSpace, limit_ms: u32) -> Vec<(u32, u32)> {
        self.pos_of
            .iter()
            .enumerate()
            .filter_map(|(v, &p)| {
                let c = *space.dist_ms.get(p as usize)?;
                (c != INF && c <= limit_ms).then_some((v as u32, c))
            })
            .collect()
    }

    /// The costs of the last full query run in `space`, by node id (`u32::MAX` = unreached),
    /// written into `out` (resized to the node count).
    pub fn costs_by_node(&self, space: &PhastSpace, out: &mut Vec<u32>) {
        out.clear();
        out.extend(
            self.pos_of
                .iter()
                .map(|&p| space.dist_ms.get(p as usize).copied().unwrap_or(INF)),
        );
    }

    /// One-to-all: fastest times from the seeds `(node, initial ms)` to every node.
    pub fn one_to_all(&self, space: &mut PhastSpace, seeds: &[(u32, u32)]) {
        self.phast(space, seeds, false);
    }

    /// All-to-one: fastest times from every node to the seeds `(node, final ms)` (a node's
    /// cost is the time to reach a seed plus that seed's cost).
    pub fn all_to_one(&self, space: &mut PhastSpace, seeds: &[(u32, u32)]) {
        self.phast(space, seeds, true);
    }

    /// The sweep positions that the costs of `nodes` depend on (RPHAST, Delling, Goldberg and
    /// Werneck 2011): every contracted node reachable from them over the arcs the sweep reads,
    /// ascending (so in sweep order). `backward` for [`Ch::all_to_one_restricted`], forward
    /// for [`Ch::one_to_all_restricted`]. Built once per set of nodes and reused: a unit that
    /// has not moved keeps its nodes, so ranking the same units again sweeps only this part.
    pub fn restrict(&self, nodes: &[u32], backward: bool) -> Restriction {
        let (down_first, down_arcs) = if backward {
            (&self.out_first, &self.out_arcs)
        } else {
            (&self.in_first, &self.in_arcs)
        };
        let mut keyed: Vec<u32> = nodes
            .iter()
            .copied()
            .filter(|&v| (v as usize) < self.node_count)
            .collect();
        keyed.sort_unstable();
        keyed.dedup();
        let mut seen = vec![false; self.node_count];
        let mut stack: Vec<u32> = Vec::new();
        for &v in &keyed {
            let p = self.pos_of[v as usize];
            if p as usize >= self.core_len && !seen[p as usize] {
                seen[p as usize] = true;
                stack.push(p);
            }
        }
        let mut positions = Vec::new();
        while let Some(p) = stack.pop() {
            positions.push(p);
            let (lo, hi) = (down_first[p as usize] as usize, down_first[p as usize + 1] as usize);
            for a in down_arcs.get(lo..hi).unwrap_or(&[]) {
                let q = a.to as usize;
                if q >= self.core_len && !seen[q] {
                    seen[q] = true;
                    stack.push(a.to);
                }
            }
        }
        positions.sort_unstable();
        Restriction {
            backward,
            node_count: self.node_count,
            nodes: keyed,
            positions,
        }
    }

    /// [`Ch::all_to_one`], exact only at the nodes of `r` (built with `backward = true`): the
    /// sweep visits just the positions they depend on. Other nodes' costs are left unfinished.
    /// A restriction built for another direction or hierarchy size falls back to the full sweep.
    pub fn all_to_one_restricted(&self, space: &mut PhastSpace, seeds: &[(u32, u32)], r: &Restriction) {
        if r.backward && r.node_count == self.node_count {
            self.upward(space, seeds, true);
            self.sweep(space, true, r.positions.iter().map(|&p| p as usize));
            space.dirty.extend_from_slice(&r.positions);
        } else {
            self.phast(space, seeds, true);
        }
    }

    /// [`Ch::one_to_all`], exact only at the nodes of `r` (built with `backward = false`).
    pub fn one_to_all_restricted(&self, space: &mut PhastSpace, seeds: &[(u32, u32)], r: &Restriction) {
        if !r.backward && r.node_count == self.node_count {
            self.upward(space, seeds, false);
            self.sweep(space, false, r.positions.iter().map(|&p| p as usize));
            space.dirty.extend_from_slice(&r.positions);
        } else {
            self.phast(space, seeds, false);
        }
    }

    /// Position of node `v` in the sweep order (what [`BatchSpace::row`] is indexed by).
    pub fn position(&self, v: u32) -> Option<u32> {
        self.pos_of.get(v as usize).copied()
    }

    /// The batched one-to-many layout for `nodes` ([`Ch::one_to_many_batch`]): the forward
    /// restriction to them ([`Ch::restrict`]) laid out densely.
    pub fn batch_plan(&self, nodes: &[u32]) -> BatchPlan {
        let r = self.restrict(nodes, false);
        let mut row_of = vec![NO_ROW; self.node_count];
        for (p, slot) in row_of.iter_mut().enumerate().take(self.core_len) {
            *slot = p as u32;
        }
        for (k, &p) in r.positions.iter().enumerate() {
            if let Some(slot) = row_of.get_mut(p as usize) {
                *slot = (self.core_len + k) as u32;
            }
        }
        let mut first = Vec::with_capacity(r.positions.len() + 1);
        let mut arcs = Vec::new();
        first.push(0u32);
        for &p in &r.positions {
            let p = p as usize;
            let (lo, hi) = (self.in_first[p] as usize, self.in_first[p + 1] as usize);
            for a in self.in_arcs.get(lo..hi).unwrap_or(&[]) {
                // Every arc into a restricted position comes from the core or from an earlier
                // restricted position (`Ch::restrict` follows exactly these arcs).
                if let Some(&from) = row_of.get(a.to as usize)
                    && from != NO_ROW
                {
                    arcs.push((from, a.w_ms.min(FAR)));
                }
            }
            first.push(arcs.len() as u32);
        }
        BatchPlan {
            node_count: self.node_count,
            row_of,
            core_len: self.core_len,
            first,
            arcs,
        }
    }

    /// One-to-many for up to [`LANES`] sources at once (`seeds[lane]`: `(node, initial ms)`),
    /// exact at the core and the nodes of `plan`'s restriction: per lane an upward search,
    /// then ONE sweep over the plan's rows carrying all lanes. Read [`BatchSpace::rows`] at
    /// [`BatchPlan::row_of`]. Lanes beyond `seeds.len()` stay unreached; extra seeds are
    /// ignored. A plan for another hierarchy size leaves every row unreached.
    pub fn one_to_many_batch(&self, space: &mut BatchSpace, seeds: &[Vec<(u32, u32)>], plan: &BatchPlan) {
        space.reset(self.node_count, plan.rows());
        if plan.node_count != self.node_count {
            return;
        }
        let BatchSpace {
            rows,
            fresh,
            fresh_rows,
            up,
            up_dirty,
            heap,
        } = space;
        for (lane, lane_seeds) in seeds.iter().take(LANES).enumerate() {
            heap.clear();
            for &(v, c) in lane_seeds {
                let Some(&p) = self.pos_of.get(v as usize) else {
                    continue;
                };
                let c = c.min(FAR);
                if let Some(slot) = up.get_mut(p as usize)
                    && c < *slot
                {
                    *slot = c;
                    up_dirty.push(p);
                    heap.push(c, p);
                }
            }
            while let Some((c, p)) = heap.pop() {
                if up.get(p as usize).is_none_or(|&d| c > d) {
                    continue;
                }
                let (lo, hi) = (
                    self.out_first[p as usize] as usize,
                    self.out_first[p as usize + 1] as usize,
                );
                for a in self.out_arcs.get(lo..hi).unwrap_or(&[]) {
                    let nc = c.saturating_add(a.w_ms).min(FAR);
                    if let Some(slot) = up.get_mut(a.to as usize)
                        && nc < *slot
                    {
                        *slot = nc;
                        up_dirty.push(a.to);
                        heap.push(nc, a.to);
                    }
                }
            }
            // This lane's labels into the plan's rows (a row's first write in this query
            // clears what an earlier query left there); the scalar labels back to FAR.
            for &p in up_dirty.iter() {
                let Some(c) = up.get_mut(p as usize) else { continue };
                let cost = std::mem::replace(c, FAR);
                let Some(r) = plan.row_of(p) else { continue };
                if let (Some(row), Some(f)) = (rows.get_mut(r as usize), fresh.get_mut(r as usize)) {
                    if !*f {
                        *f = true;
                        *row = [FAR; LANES];
                        fresh_rows.push(r);
                    }
                    row[lane] = row[lane].min(cost);
                }
            }
            up_dirty.clear();
        }
        sweep_rows(rows, fresh, plan.core_len, &plan.first, &plan.arcs);
    }

    /// Lexicographic one-to-all from several sources: per node the least [`LexLabel`] over
    /// the seeds `(node, label at that node)`, i.e. the fastest time, the least distance among
    /// the fastest paths and the lowest source among those: the labels of a Dijkstra by
    /// (time, distance, source), in one upward search and one sweep. Exact because the
    /// hierarchy's witnesses compare (time, distance) (see [`Witness`]). Read the result with
    /// [`Ch::lex_by_node`].
    pub fn one_to_all_lex(&self, space: &mut LexSpace, seeds: &[(u32, LexLabel)]) {
        let LexSpace { labels, heap } = space;
        labels.clear();
        labels.resize(self.node_count, LexLabel::UNREACHED);
        heap.clear();
        for &(v, l) in seeds {
            let Some(&p) = self.pos_of.get(v as usize) else {
                continue;
            };
            if let Some(slot) = labels.get_mut(p as usize)
                && l < *slot
            {
                *slot = l;
                heap.push(l.first, p);
            }
        }
        // Upward: label-correcting by time order; a label lowered in distance or source at
        // the same time is pushed again and rescanned, so the result is exact.
        while let Some((c, p)) = heap.pop() {
            let Some(&l) = labels.get(p as usize) else { continue };
            if c > l.first {
                continue;
            }
            let (lo, hi) = (
                self.out_first[p as usize] as usize,
                self.out_first[p as usize + 1] as usize,
            );
            let arcs = self.out_arcs.get(lo..hi).unwrap_or(&[]);
            let dists = self.out_second.get(lo..hi).unwrap_or(&[]);
            for (a, &d) in arcs.iter().zip(dists) {
                let nl = l.over(a.w_ms, d);
                if let Some(slot) = labels.get_mut(a.to as usize)
                    && nl < *slot
                {
                    *slot = nl;
                    heap.push(nl.first, a.to);
                }
            }
        }
        for p in self.core_len..self.node_count {
            let (Some(&lo), Some(&hi)) = (self.in_first.get(p), self.in_first.get(p + 1)) else {
                continue;
            };
            let (lo, hi) = (lo as usize, hi as usize);
            let arcs = self.in_arcs.get(lo..hi).unwrap_or(&[]);
            let dists = self.in_second.get(lo..hi).unwrap_or(&[]);
            let Some(&best) = labels.get(p) else { continue };
            // (time, distance) packed into one key (each part saturated on its own first, so
            // the packing is exact), then the source: scalars the compiler keeps in registers.
            let pack = |t: u32, d: u32| (u64::from(t) << 32) | u64::from(d);
            let (mut key, mut src) = (pack(best.first, best.second), best.source);
            for (a, &d) in arcs.iter().zip(dists) {
                let Some(&x) = labels.get(a.to as usize) else { continue };
                if x.first == INF {
                    continue;
                }
                let k = pack(
                    x.first.saturating_add(a.w_ms).min(INF - 1),
                    x.second.saturating_add(d).min(INF - 1),
                );
                if k < key || (k == key && x.source < src) {
                    key = k;
                    src = x.source;
                }
            }
            labels[p] = LexLabel {
                first: (key >> 32) as u32,
                second: key as u32,
                source: src,
            };
        }
    }

    /// The labels of the last [`Ch::one_to_all_lex`] run in `space`, by node id.
    pub fn lex_by_node<'a>(&'a self, space: &'a LexSpace) -> impl Iterator<Item = LexLabel> + 'a {
        self.pos_of
            .iter()
            .map(|&p| space.labels.get(p as usize).copied().unwrap_or(LexLabel::UNREACHED))
    }

    fn phast(&self, space: &mut PhastSpace, seeds: &[(u32, u32)], backward: bool) {
        self.upward(space, seeds, backward);
        self.sweep(space, backward, self.core_len..self.node_count);
        space.all_dirty = true;
    }

    /// Upward phase: Dijkstra from the seeds over upward arcs (and the whole core).
    fn upward(&self, space: &mut PhastSpace, seeds: &[(u32, u32)], backward: bool) {
        space.reset(self.node_count);
        let (up_first, up_arcs) = if backward {
            (&self.in_first, &self.in_arcs)
        } else {
            (&self.out_first, &self.out_arcs)
        };
        let dist = &mut space.dist_ms;
        let heap = &mut space.heap;
        let dirty = &mut space.dirty;
        heap.clear();
        for &(v, c) in seeds {
            let Some(&p) = self.pos_of.get(v as usize) else {
                continue;
            };
            if c < dist[p as usize] {
                dist[p as usize] = c;
                dirty.push(p);
                heap.push(c, p);
            }
        }
        while let Some((c, p)) = heap.pop() {
            if c > dist[p as usize] {
                continue;
            }
            let (lo, hi) = (up_first[p as usize] as usize, up_first[p as usize + 1] as usize);
            for a in up_arcs.get(lo..hi).unwrap_or(&[]) {
                let nc = c.saturating_add(a.w_ms).min(INF - 1);
                if let Some(slot) = dist.get_mut(a.to as usize)
                    && nc < *slot
                {
                    *slot = nc;
                    dirty.push(a.to);
                    heap.push(nc, a.to);
                }
            }
        }
    }

    /// Downward sweep over `positions` (ascending): every arc read comes from a smaller
    /// position, already final.
    fn sweep(&self, space: &mut PhastSpace, backward: bool, positions: impl Iterator<Item = usize>) {
        let (down_first, down_arcs) = if backward {
            (&self.out_first, &self.out_arcs)
        } else {
            (&self.in_first, &self.in_arcs)
        };
        let dist = &mut space.dist_ms;
        for p in positions {
            let (Some(&lo), Some(&hi)) = (down_first.get(p), down_first.get(p + 1)) else {
                continue;
            };
            let Some(&d0) = dist.get(p) else { continue };
            let mut d = d0;
            for a in down_arcs.get(lo as usize..hi as usize).unwrap_or(&[]) {
                d = d.min(dist.get(a.to as usize).map_or(INF, |&x| x.saturating_add(a.w_ms)));
            }
            dist[p] = d;
        }
    }
}

/// Sweep positions in blocks of this many, each with the bounding box of its nodes.
const BLOCK: usize = 64;

/// The sweep positions of one hierarchy grouped into blocks of [`BLOCK`] consecutive positions
/// with the bounding box of their nodes (within a level positions follow the nodes' Morton
/// order, so most blocks cover a small area), plus the graph's fastest straight-line progress
/// per ms along either axis. With these a one-to-all query bounded in time sweeps only the
/// blocks that can hold a node within the bound ([`Ch::one_to_all_in_box`]). Built once per
/// hierarchy ([`Ch::sweep_blocks`]).
#[derive(Debug, Clone)]
pub struct SweepBlocks {
    /// Which hierarchy: `[node_count, core_len, out arcs, in arcs]`, its two hashes and what
    /// it minimises first.
    shape: ([usize; 4], u64, u64, Weights),
    /// Per position: the node there.
    node_of: Vec<u32>,
    /// Per block: `[min lon, min lat, max lon, max lat]` of its nodes in 1e-7 degrees.
    boxes: Vec<[i32; 4]>,
    /// Most 1e-7 degrees of longitude and of latitude any edge covers per ms of its time
    /// (`INFINITY` if an edge of 0 ms moves): no drive of `t` ms gets further along an axis.
    reach_e7_per_ms: [f64; 2],
}

impl SweepBlocks {
    /// A box `[min lon, min lat, max lon, max lat]` (1e-7 degrees) holding every node that
    /// can be reached within `limit_ms` from the `seeds` (node, ms already spent), or `None`
    /// if no box can be bounded (an edge of 0 ms that moves, or no seed within the limit).
    pub fn reach_box(&self, g: &Graph, seeds: &[(u32, u32)], limit_ms: u32) -> Option<[i32; 4]> {
        let mut bb: Option<[i32; 4]> = None;
        for &(v, c) in seeds {
            if c > limit_ms || v as usize >= g.node_count() {
                continue;
            }
            let p = g.node_e7(v);
            let budget = f64::from(limit_ms - c);
            // One unit of 1e-7 degrees of slack for the rounding of the products.
            let reach = |axis: usize| (budget * self.reach_e7_per_ms[axis]).ceil() + 1.0;
            let (rx, ry) = (reach(0), reach(1));
            if !(rx.is_finite() && ry.is_finite()) {
                return None;
            }
            let clamp = |x: f64| x.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32;
            let b = [
                clamp(f64::from(p[0]) - rx),
                clamp(f64::from(p[1]) - ry),
                clamp(f64::from(p[0]) + rx),
                clamp(f64::from(p[1]) + ry),
            ];
            bb = Some(match bb {
                None => b,
                Some(a) => [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])],
            });
        }
        bb
    }

    /// How many positions a query in the box `bb` sweeps (the core is searched, not swept).
    pub fn swept_in(&self, bb: [i32; 4]) -> usize {
        self.ranges(self.shape.0[1], bb).map(|r| r.len()).sum()
    }

    /// Whether these blocks were made for `ch`.
    pub fn fits(&self, ch: &Ch) -> bool {
        self.shape == SweepBlocks::shape_of(ch)
    }

    fn shape_of(ch: &Ch) -> ([usize; 4], u64, u64, Weights) {
        (
            [ch.node_count, ch.core_len, ch.out_arcs.len(), ch.in_arcs.len()],
            ch.source_hash,
            ch.weights_hash,
            ch.weights,
        )
    }

    /// Position ranges of the blocks meeting `bb` (contracted positions only), ascending.
    fn ranges<'a>(&'a self, core_len: usize, bb: [i32; 4]) -> impl Iterator<Item = std::ops::Range<usize>> + 'a {
        let n = self.node_of.len();
        self.boxes.iter().enumerate().filter_map(move |(b, x)| {
            let meets = x[0] <= bb[2] && x[2] >= bb[0] && x[1] <= bb[3] && x[3] >= bb[1];
            let lo = (b * BLOCK).max(core_len);
            let hi = ((b + 1) * BLOCK).min(n);
            (meets && lo < hi).then_some(lo..hi)
        })
    }
}

impl Ch {
    /// The [`SweepBlocks`] of this hierarchy over `g` (the graph it was built for).
    pub fn sweep_blocks(&self, g: &Graph) -> SweepBlocks {
        let n = self.node_count;
        let mut node_of = vec![0u32; n];
        for (v, &p) in self.pos_of.iter().enumerate() {
            if let Some(slot) = node_of.get_mut(p as usize) {
                *slot = v as u32;
            }
        }
        let boxes = node_of
            .chunks(BLOCK)
            .map(|vs| {
                vs.iter()
                    .map(|&v| g.node_e7(v))
                    .fold([i32::MAX, i32::MAX, i32::MIN, i32::MIN], |b, p| {
                        [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
                    })
            })
            .collect();
        let mut reach = [0.0f64; 2];
        for (v, e) in (0..g.node_count() as u32).flat_map(|v| g.out_edges(v).map(move |e| (v, e))) {
            let (a, b) = (g.node_e7(v), g.node_e7(g.edge_head(e)));
            let t = f64::from(g.edge_time_ms(e));
            for (axis, r) in reach.iter_mut().enumerate() {
                let d = (i64::from(a[axis]) - i64::from(b[axis])).abs() as f64;
                let per_ms = if d == 0.0 {
                    0.0
                } else if t > 0.0 {
                    d / t
                } else {
                    f64::INFINITY
                };
                *r = r.max(per_ms);
            }
        }
        // The bound holds for costs in ms only: a distance-first hierarchy sweeps everything.
        let reach = match self.weights {
            Weights::TimeFirst => reach.map(|r| r * (1.0 + 1e-9)),
            Weights::DistanceFirst => [f64::INFINITY; 2],
        };
        SweepBlocks {
            shape: SweepBlocks::shape_of(self),
            node_of,
            boxes,
            reach_e7_per_ms: reach,
        }
    }

    /// [`Ch::one_to_all`] exact at every node inside `bb` whose cost lies within reach of the
    /// box (every node whose fastest drive stays inside `bb`, in particular every node a
    /// [`SweepBlocks::reach_box`] of the same seeds and limit bounds): the sweep visits only
    /// the blocks of `blocks` meeting `bb`. Costs elsewhere are upper bounds or unreached.
    /// Blocks made for another hierarchy fall back to the full sweep.
    pub fn one_to_all_in_box(&self, space: &mut PhastSpace, seeds: &[(u32, u32)], blocks: &SweepBlocks, bb: [i32; 4]) {
        if !blocks.fits(self) {
            self.phast(space, seeds, false);
            return;
        }
        self.upward(space, seeds, false);
        for r in blocks.ranges(self.core_len, bb) {
            space.dirty.extend(r.start as u32..r.end as u32);
            self.sweep(space, false, r);
        }
    }

    /// Calls `f(node, ms)` for every node of the core or of a block meeting `bb` whose cost in
    /// the last [`Ch::one_to_all_in_box`] query (same `blocks` and `bb`) is at most
    /// `limit_ms`: in position order, each node once.
    pub fn for_each_within_box(
        &self,
        space: &PhastSpace,
        blocks: &SweepBlocks,
        bb: [i32; 4],
        limit_ms: u32,
        mut f: impl FnMut(u32, u32),
    ) {
        let mut visit = |r: std::ops::Range<usize>| {
            let (Some(costs), Some(nodes)) = (space.dist_ms.get(r.clone()), blocks.node_of.get(r)) else {
                return;
            };
            for (&c, &v) in costs.iter().zip(nodes) {
                if c <= limit_ms && c != INF {
                    f(v, c);
                }
            }
        };
        if !blocks.fits(self) {
            visit(0..self.node_count);
            return;
        }
        visit(0..self.core_len);
        for r in blocks.ranges(self.core_len, bb) {
            visit(r);
        }
    }
}
