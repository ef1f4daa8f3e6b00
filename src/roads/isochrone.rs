//! Isochrones: a raster of travel time (seconds) over the reachable area, filled from node
//! times interpolated along every reached edge, then spread off-road (chamfer distance at the
//! off-road speed); contour rings per threshold via marching squares, exportable as GeoJSON.
//! Owns [`IsoSpace`], the reusable scratch and edge-ordered road layout of repeated
//! isochrones. Imports only the rest of `roads` (no egui, tokio or rusqlite).

use super::ch::{Ch, PhastSpace, SweepBlocks};
use super::graph::{Graph, NO_EDGE};
use super::profile::EARTH_RADIUS_M;
use super::search::{RouteError, SearchParams, SearchSpace, leave_seeds, one_to_all};
use super::snap::Snap;

/// Default cell size of the isochrone raster, metres.
pub const DEFAULT_CELL_M: f64 = 100.0;
/// Largest raster side in cells (the cell size grows to respect it).
pub const MAX_GRID_SIDE: usize = 1024;

/// Raster of travel time (seconds) from one origin; `f32::INFINITY` = not reached.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IsoGrid {
    /// `[lon, lat]` of the south-west corner of cell (0, 0).
    pub sw_lonlat: [f64; 2],
    /// Cell size `[dlon, dlat]` in degrees.
    pub cell_deg: [f64; 2],
    /// Cell size in metres (approximately square).
    pub cell_m: f64,
    /// Number of columns (west → east).
    pub cols: usize,
    /// Number of rows (south → north).
    pub rows: usize,
    /// Row-major times in seconds, row 0 is the southernmost.
    pub eta_s: Vec<f32>,
    /// The time limit used, seconds.
    pub max_s: f64,
}

impl IsoGrid {
    /// Time of cell (`col`, `row`) in seconds, if reached.
    pub fn at(&self, col: usize, row: usize) -> Option<f32> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        let v = self.eta_s[row * self.cols + col];
        v.is_finite().then_some(v)
    }

    /// Time in seconds of the cell containing `lonlat`, if inside the grid and reached.
    pub fn at_lonlat(&self, lonlat: [f64; 2]) -> Option<f32> {
        let c = (lonlat[0] - self.sw_lonlat[0]) / self.cell_deg[0];
        let r = (lonlat[1] - self.sw_lonlat[1]) / self.cell_deg[1];
        if c < 0.0 || r < 0.0 {
            return None;
        }
        self.at(c as usize, r as usize)
    }

    fn value(&self, col: isize, row: isize) -> f32 {
        if col < 0 || row < 0 || col as usize >= self.cols || row as usize >= self.rows {
            f32::INFINITY
        } else {
            self.eta_s[row as usize * self.cols + col as usize]
        }
    }
}

/// Builds the travel-time raster for `from` up to `max_s` seconds with cells of about
/// `cell_m` metres (grown if the area would exceed [`MAX_GRID_SIDE`]²): one bounded Dijkstra,
/// then [`rasterise`].
pub fn isochrone_grid(
    g: &Graph,
    space: &mut SearchSpace,
    from: &Snap,
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> Result<IsoGrid, RouteError> {
    let max_s = clean_max_s(max_s);
    one_to_all(g, space, from, params, Some(max_s))?;
    Ok(rasterise(g, from, &space.reached(), params, max_s, cell_m))
}

/// [`isochrone_grid`] with the node times from one PHAST query over the hierarchy `ch` (built
/// for `g`) instead of Dijkstra: the same exact times (same seeds, partial costs and off-road
/// leg), one upward search plus one sweep over the part of the hierarchy within reach
/// ([`IsoSpace::reach`]); the raster is drawn by
/// [`rasterise_prepared`] with the scratch and road layout kept in `iso` between calls.
#[allow(clippy::too_many_arguments)]
pub fn isochrone_grid_ch(
    g: &Graph,
    ch: &Ch,
    phast: &mut PhastSpace,
    iso: &mut IsoSpace,
    from: &Snap,
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> Result<IsoGrid, RouteError> {
    let max_s = clean_max_s(max_s);
    iso.reach(g, ch, phast, from, params, max_s)?;
    let reached = std::mem::take(&mut iso.reached);
    let grid = rasterise_prepared(g, iso, from, &reached, params, max_s, cell_m);
    iso.reached = reached;
    Ok(grid)
}

/// The road pieces in directed-edge order, for drawing rasters: what drawing the pieces that
/// leave a run of nodes reads then lies in a few sequential streams (edges are numbered by
/// tail node, and node ids are in Morton order) instead of at each piece's input position.
struct EdgeLayout {
    /// Which graph this was built for: `[nodes, edges, pieces]` and its source hash.
    shape: ([usize; 3], u64),
    /// Per edge: the time in ms of the same piece driven the other way, [`NO_TIME`] if it
    /// cannot be (an edge of `u32::MAX` ms, 49 days, would count as not drivable).
    back_ms: Vec<u32>,
    /// Per edge (and one past the last): where its piece's points start in `pts`. Only the
    /// edge that normally draws the piece holds them (a→b, or b→a on a piece with no a→b);
    /// the others have an empty range and read the graph in the rare case they draw.
    first_pt: Vec<u32>,
    /// Piece points in 1e-7 degrees, a → b as in the graph, in edge order.
    pts: Vec<[i32; 2]>,
}

/// No drive: the value of [`EdgeLayout::back_ms`] and of node times not reached.
const NO_TIME: u32 = u32::MAX;

impl EdgeLayout {
    fn shape_of(g: &Graph) -> ([usize; 3], u64) {
        ([g.node_count(), g.edge_count(), g.piece_count()], g.source_hash())
    }

    fn build(g: &Graph) -> EdgeLayout {
        let m = g.edge_count();
        let mut back_ms = Vec::with_capacity(m);
        let mut first_pt = Vec::with_capacity(m + 1);
        let mut pts = Vec::new();
        first_pt.push(0);
        for e in 0..m {
            let (piece, rev) = g.edge_piece(e);
            let [ef, eb] = g.piece_edges(piece);
            let other = if rev { ef } else { eb };
            back_ms.push(if other == NO_EDGE {
                NO_TIME
            } else {
                g.edge_time_ms(other as usize)
            });
            if !rev || ef == NO_EDGE {
                pts.extend_from_slice(g.piece_points_e7(piece));
            }
            first_pt.push(u32::try_from(pts.len()).unwrap_or(u32::MAX));
        }
        EdgeLayout {
            shape: EdgeLayout::shape_of(g),
            back_ms,
            first_pt,
            pts,
        }
    }

    /// Points of the piece of edge `e` (a → b), from the layout when it holds them.
    fn points<'a>(&'a self, g: &'a Graph, e: usize, piece: u32) -> &'a [[i32; 2]] {
        let lo = self.first_pt.get(e).map_or(0, |&i| i as usize);
        let hi = self.first_pt.get(e + 1).map_or(0, |&i| i as usize);
        match self.pts.get(lo..hi) {
            Some(p) if hi > lo => p,
            _ => g.piece_points_e7(piece),
        }
    }
}

/// Scratch of repeated isochrones on one graph, kept between calls (the console computes
/// isochrones again and again): the edge-ordered road layout (built on first use, rebuilt if
/// the graph's shape changes), the node times and the rasters of the extra drawing threads.
#[derive(Default)]
pub struct IsoSpace {
    layout: Option<EdgeLayout>,
    /// Node times in ms, [`NO_TIME`] everywhere between calls.
    time: Vec<u32>,
    /// One raster per extra drawing thread.
    rasters: Vec<Vec<f32>>,
    /// Most drawing threads (`None`: up to [`MAX_RASTER_THREADS`] as the machine has).
    threads: Option<usize>,
    /// The hierarchy's sweep positions in blocks with their boxes (built on first use, rebuilt
    /// for another hierarchy).
    blocks: Option<SweepBlocks>,
    /// One bit per node, all clear between calls: the reached nodes, to list them in node order.
    marks: Vec<u64>,
    /// The nodes the last [`IsoSpace::reach`] found, with their ms, in node order.
    reached: Vec<(u32, u32)>,
}

impl IsoSpace {
    /// Empty scratch; everything is made on first use.
    pub fn new() -> IsoSpace {
        IsoSpace::default()
    }

    /// Draws with at most `threads` threads (at least one; `None`: as many as the machine
    /// has, up to 4) from now on.
    pub fn set_threads(&mut self, threads: Option<usize>) {
        self.threads = threads.map(|n| n.clamp(1, MAX_RASTER_THREADS));
    }

    /// Builds the road layout for `g` now (else the first isochrone does), unless it exists.
    pub fn prepare(&mut self, g: &Graph) {
        if self.layout.as_ref().is_none_or(|l| l.shape != EdgeLayout::shape_of(g)) {
            self.layout = Some(EdgeLayout::build(g));
        }
    }

    /// [`IsoSpace::prepare`] plus the sweep blocks of the hierarchy `ch` (built for `g`), unless
    /// they exist.
    pub fn prepare_hierarchy(&mut self, g: &Graph, ch: &Ch) {
        self.prepare(g);
        if self.blocks.as_ref().is_none_or(|b| !b.fits(ch)) {
            self.blocks = Some(ch.sweep_blocks(g));
        }
    }

    /// The nodes `from` reaches within `max_s` seconds with their times in ms, in node order:
    /// the same as [`reached_ch`], from one PHAST query that sweeps only the blocks of the
    /// hierarchy that can hold a node within reach (no drive covers more degrees per ms than
    /// the graph's fastest edge), then reads just those blocks.
    pub fn reach(
        &mut self,
        g: &Graph,
        ch: &Ch,
        phast: &mut PhastSpace,
        from: &Snap,
        params: &SearchParams,
        max_s: f64,
    ) -> Result<&[(u32, u32)], RouteError> {
        fits(g, ch)?;
        self.prepare_hierarchy(g, ch);
        let limit = limit_ms(clean_max_s(max_s));
        let seeds = seeds_of(g, from, params);
        let IsoSpace {
            blocks,
            marks,
            reached,
            time,
            ..
        } = self;
        reached.clear();
        if seeds.iter().all(|&(_, c)| c > limit) {
            return Ok(reached); // every node lies further than its seed
        }
        let bb = blocks
            .as_ref()
            .and_then(|b| b.reach_box(g, &seeds, limit).map(|bb| (b, bb)));
        let Some((blocks, bb)) = bb else {
            ch.one_to_all(phast, &seeds);
            reached.extend(ch.reached_within(phast, limit));
            return Ok(reached);
        };
        ch.one_to_all_in_box(phast, &seeds, blocks, bb);
        // Listed in position order; put in node order through one bit and the time per node.
        let n = g.node_count();
        if time.len() != n {
            *time = vec![NO_TIME; n];
        }
        marks.resize(n.div_ceil(64), 0);
        ch.for_each_within_box(phast, blocks, bb, limit, |v, c| {
            if let (Some(t), Some(w)) = (time.get_mut(v as usize), marks.get_mut(v as usize / 64)) {
                *t = c;
                *w |= 1 << (v % 64);
            }
        });
        for (i, w) in marks.iter_mut().enumerate() {
            let mut bits = std::mem::take(w);
            while bits != 0 {
                let v = i * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if let Some(t) = time.get_mut(v) {
                    reached.push((v as u32, std::mem::replace(t, NO_TIME)));
                }
            }
        }
        Ok(reached)
    }
}

impl IsoSpace {
    /// How many hierarchy positions [`IsoSpace::reach`] sweeps for `from` and `max_s` (all of
    /// them before the blocks are prepared, or where no box bounds the reach).
    pub fn swept(&self, g: &Graph, from: &Snap, params: &SearchParams, max_s: f64) -> usize {
        let seeds = seeds_of(g, from, params);
        let limit = limit_ms(clean_max_s(max_s));
        if seeds.iter().all(|&(_, c)| c > limit) {
            return 0;
        }
        self.blocks
            .as_ref()
            .and_then(|b| Some(b.swept_in(b.reach_box(g, &seeds, limit)?)))
            .unwrap_or(g.node_count())
    }
}

/// `Ok` if `ch` was built for `g`.
fn fits(g: &Graph, ch: &Ch) -> Result<(), RouteError> {
    if ch.fits(g) {
        Ok(())
    } else {
        Err(RouteError::SpaceMismatch {
            space: ch.node_count(),
            graph: g.node_count(),
        })
    }
}

/// The PHAST seeds of `from`: the nodes it leaves to, with the ms of the partial edge and the
/// off-road leg.
fn seeds_of(g: &Graph, from: &Snap, params: &SearchParams) -> Vec<(u32, u32)> {
    let off = params.offroad_ms(from.snap_dist_m);
    leave_seeds(g, from, &g.time_ms)
        .into_iter()
        .flatten()
        .map(|(v, c)| (v, c.saturating_add(off)))
        .collect()
}

/// The nodes `from` reaches within `max_s` seconds with their times in ms, from one PHAST
/// query over `ch` (the node times of [`isochrone_grid_ch`]).
pub fn reached_ch(
    g: &Graph,
    ch: &Ch,
    phast: &mut PhastSpace,
    from: &Snap,
    params: &SearchParams,
    max_s: f64,
) -> Result<Vec<(u32, u32)>, RouteError> {
    fits(g, ch)?;
    let seeds = seeds_of(g, from, params);
    ch.one_to_all(phast, &seeds);
    Ok(ch.reached_within(phast, limit_ms(clean_max_s(max_s))))
}

fn clean_max_s(max_s: f64) -> f64 {
    if max_s.is_finite() { max_s.max(0.0) } else { 0.0 }
}

/// The search limit of `max_s` seconds in ms, as [`one_to_all`] applies it.
fn limit_ms(max_s: f64) -> u32 {
    (max_s * 1000.0).min(f64::from(u32::MAX - 2)) as u32
}

/// Most threads one raster is drawn with.
const MAX_RASTER_THREADS: usize = 4;
/// Fewer reached nodes than this per thread: not worth a thread.
const MIN_NODES_PER_THREAD: usize = 4_000;

/// Where the raster lies: positions in cell units (x east, y north from the south-west corner).
struct Frame {
    sw: [f64; 2],
    cell_deg: [f64; 2],
    cols: usize,
    rows: usize,
}

impl Frame {
    /// Cell coordinates of a position, computed exactly as [`IsoGrid::at_lonlat`] does (so a
    /// node lands in the cell that reading its position returns).
    fn to_cell(&self, p: [i32; 2]) -> [f64; 2] {
        let d = super::graph::e7_to_deg(p);
        [
            (d[0] - self.sw[0]) / self.cell_deg[0],
            (d[1] - self.sw[1]) / self.cell_deg[1],
        ]
    }

    /// Lowers the cell at (`x`, `y`) (cell units) to `t_ms` if inside the raster.
    fn put(&self, eta: &mut [f32], x: f64, y: f64, t_ms: f64) {
        if x >= 0.0 && y >= 0.0 {
            let (c, r) = (x as usize, y as usize);
            if c < self.cols
                && r < self.rows
                && let Some(slot) = eta.get_mut(r * self.cols + c)
            {
                let t = (t_ms * 0.001) as f32;
                if t < *slot {
                    *slot = t;
                }
            }
        }
    }

    /// Draws every road piece with an end in `run` (reached nodes with their ms) that it can
    /// be driven from, once per piece: the faster of driving in from either end (a's forward
    /// edge, b's backward edge, with the node `time`s in ms, [`NO_TIME`] = not reached). Node
    /// ids are in Morton order, so a run is a compact area and what it reads lies near; with
    /// a `layout` the piece points and opposite edge times are read in edge order.
    fn draw_roads(
        &self,
        g: &Graph,
        layout: Option<&EdgeLayout>,
        run: &[(u32, u32)],
        time: &[u32],
        limit_ms: f64,
        eta: &mut [f32],
    ) {
        let reached = |v: u32| time.get(v as usize).copied().filter(|&t| t != NO_TIME);
        let mut cells: Vec<[f64; 2]> = Vec::new();
        for &(v, tv) in run {
            for e in g.out_edges(v) {
                let (piece, rev) = g.edge_piece(e);
                let (te, other) = (f64::from(g.edge_time_ms(e)), g.edge_head(e));
                // Time of the piece driven the other way, if it can be (read only when needed:
                // without a layout it lies far away).
                let back = || match layout {
                    Some(l) => l.back_ms.get(e).copied().filter(|&t| t != NO_TIME),
                    None => {
                        let [ef, eb] = g.piece_edges(piece);
                        let o = if rev { ef } else { eb };
                        (o != NO_EDGE).then(|| g.edge_time_ms(o as usize))
                    }
                };
                // (time at a, a→b ms) and (time at b, b→a ms) where those drives exist.
                let (from_a, from_b) = if rev {
                    // e is b→a: draw the piece from here only when a→b cannot be (not driven,
                    // or a not reached), else it is drawn from a.
                    if reached(other).is_some() && back().is_some() {
                        continue;
                    }
                    (None, Some((f64::from(tv), te)))
                } else {
                    let back = reached(other).and_then(|tb| back().map(|b| (f64::from(tb), f64::from(b))));
                    (Some((f64::from(tv), te)), back)
                };
                let pts = match layout {
                    Some(l) => l.points(g, e, piece),
                    None => g.piece_points_e7(piece),
                };
                self.draw_piece(pts, from_a, from_b, limit_ms, eta, &mut cells);
            }
        }
    }

    /// Draws one piece (points a → b) at each step of half a cell with the faster of
    /// `from_a` and `from_b` (time at that end, ms to drive the whole piece from it).
    fn draw_piece(
        &self,
        pts: &[[i32; 2]],
        from_a: Option<(f64, f64)>,
        from_b: Option<(f64, f64)>,
        limit_ms: f64,
        eta: &mut [f32],
        cells: &mut Vec<[f64; 2]>,
    ) {
        cells.clear();
        cells.extend(pts.iter().map(|&q| self.to_cell(q)));
        let total = cells
            .windows(2)
            .map(|w| ((w[1][0] - w[0][0]) * (w[1][0] - w[0][0]) + (w[1][1] - w[0][1]) * (w[1][1] - w[0][1])).sqrt())
            .sum::<f64>()
            .max(1e-9);
        // A missing end as (∞, 0): ∞ + 0 × frac is ∞, what `None` stood for.
        let (ta0, tea) = from_a.unwrap_or((f64::INFINITY, 0.0));
        let (tb0, teb) = from_b.unwrap_or((f64::INFINITY, 0.0));
        let at = |frac: f64| (ta0 + tea * frac).min(tb0 + teb * (1.0 - frac));
        let mut along = 0.0;
        for w in cells.windows(2) {
            let (p, q) = (w[0], w[1]);
            let (dx, dy) = (q[0] - p[0], q[1] - p[1]);
            let seg = (dx * dx + dy * dy).sqrt();
            let steps = (seg * 2.0).ceil().max(1.0) as usize;
            let fracs = STEP_FRACS.get(steps);
            for s in 1..=steps {
                let f = fracs.and_then(|r| r.get(s)).copied().unwrap_or(s as f64 / steps as f64);
                let t = at(((along + f * seg) / total).min(1.0));
                if t <= limit_ms {
                    self.put(eta, p[0] + f * dx, p[1] + f * dy, t);
                }
            }
            along += seg;
        }
    }
}

/// Most steps per segment whose fractions [`STEP_FRACS`] holds.
const MAX_TABLE_STEPS: usize = 24;

/// `STEP_FRACS[steps][s]` = `s / steps` as f64, computed once (the same correctly rounded
/// division as at run time), so drawing a segment divides once per step instead of twice.
static STEP_FRACS: [[f64; MAX_TABLE_STEPS + 1]; MAX_TABLE_STEPS + 1] = {
    let mut t = [[0.0; MAX_TABLE_STEPS + 1]; MAX_TABLE_STEPS + 1];
    let mut steps = 1;
    while steps <= MAX_TABLE_STEPS {
        let mut s = 0;
        while s <= steps {
            t[steps][s] = s as f64 / steps as f64;
            s += 1;
        }
        steps += 1;
    }
    t
};

/// The raster of the `reached` nodes `(node, ms from the origin)`: node times interpolated
/// along every edge leaving a reached node (until the time passes `max_s`), the origin at 0,
/// then spread off-road. Only the reached nodes are visited; the pieces are read from the
/// graph itself (see [`rasterise_prepared`] for repeated calls).
pub fn rasterise(
    g: &Graph,
    from: &Snap,
    reached: &[(u32, u32)],
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> IsoGrid {
    let (mut time, mut rasters) = (Vec::new(), Vec::new());
    let scratch = Scratch {
        time: &mut time,
        rasters: &mut rasters,
        threads: None,
    };
    rasterise_with(g, None, scratch, from, reached, params, max_s, cell_m)
}

/// [`rasterise`] with the scratch of `iso` (kept between calls) and its road layout in edge
/// order (built for `g` on first use): the same raster, cell for cell.
pub fn rasterise_prepared(
    g: &Graph,
    iso: &mut IsoSpace,
    from: &Snap,
    reached: &[(u32, u32)],
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> IsoGrid {
    iso.prepare(g);
    let IsoSpace {
        layout,
        time,
        rasters,
        threads,
        ..
    } = iso;
    let scratch = Scratch {
        time,
        rasters,
        threads: *threads,
    };
    rasterise_with(g, layout.as_ref(), scratch, from, reached, params, max_s, cell_m)
}

/// What one raster borrows from [`IsoSpace`] (or makes for one call).
struct Scratch<'a> {
    /// [`NO_TIME`] for every node (or empty) before and after.
    time: &'a mut Vec<u32>,
    /// The extra threads' rasters, reused.
    rasters: &'a mut Vec<Vec<f32>>,
    /// Most drawing threads, `None`: as the machine has.
    threads: Option<usize>,
}

/// The raster, drawn with `layout` when given.
#[allow(clippy::too_many_arguments)]
fn rasterise_with(
    g: &Graph,
    layout: Option<&EdgeLayout>,
    scratch: Scratch<'_>,
    from: &Snap,
    reached: &[(u32, u32)],
    params: &SearchParams,
    max_s: f64,
    cell_m: f64,
) -> IsoGrid {
    let Scratch { time, rasters, threads } = scratch;
    let limit_ms = f64::from(limit_ms(max_s));
    // Bbox of everything reachable: the origin plus reached nodes.
    let mut bb = [
        from.query_lonlat[0],
        from.query_lonlat[1],
        from.query_lonlat[0],
        from.query_lonlat[1],
    ];
    for &(v, _) in reached {
        let p = g.node_lonlat(v);
        bb[0] = bb[0].min(p[0]);
        bb[1] = bb[1].min(p[1]);
        bb[2] = bb[2].max(p[0]);
        bb[3] = bb[3].max(p[1]);
    }
    let m_per_deg_lat = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let m_per_deg_lon = m_per_deg_lat * ((bb[1] + bb[3]) * 0.5).to_radians().cos().max(1e-6);
    let w_m = (bb[2] - bb[0]) * m_per_deg_lon;
    let h_m = (bb[3] - bb[1]) * m_per_deg_lat;
    let mut cell_m = if cell_m.is_finite() && cell_m > 1.0 {
        cell_m
    } else {
        DEFAULT_CELL_M
    };
    let side_m = w_m.max(h_m);
    if side_m / cell_m > (MAX_GRID_SIDE - 4) as f64 {
        cell_m = side_m / (MAX_GRID_SIDE - 4) as f64;
    }
    let cell_deg = [cell_m / m_per_deg_lon, cell_m / m_per_deg_lat];
    // One padding cell on each side.
    let sw = [bb[0] - cell_deg[0], bb[1] - cell_deg[1]];
    let cols = ((w_m / cell_m).ceil() as usize + 3).min(MAX_GRID_SIDE);
    let rows = ((h_m / cell_m).ceil() as usize + 3).min(MAX_GRID_SIDE);
    let mut grid = IsoGrid {
        sw_lonlat: sw,
        cell_deg,
        cell_m,
        cols,
        rows,
        eta_s: vec![f32::INFINITY; cols * rows],
        max_s,
    };
    let frame = Frame {
        sw,
        cell_deg,
        cols,
        rows,
    };
    // Origin itself (time = its off-road leg back… zero at the query point).
    frame.put(
        &mut grid.eta_s,
        (from.query_lonlat[0] - sw[0]) / cell_deg[0],
        (from.query_lonlat[1] - sw[1]) / cell_deg[1],
        0.0,
    );
    // Node times (ms, `NO_TIME` = not reached), and the nodes themselves.
    if time.len() != g.node_count() {
        *time = vec![NO_TIME; g.node_count()];
    }
    for &(v, tv) in reached {
        if let Some(slot) = time.get_mut(v as usize) {
            *slot = tv;
        }
        let p = frame.to_cell(g.node_e7(v));
        frame.put(&mut grid.eta_s, p[0], p[1], f64::from(tv));
    }
    // The roads in parallel: each thread draws the pieces leaving a contiguous run of the
    // reached nodes into its own raster; the rasters are merged by minimum, which is what one
    // thread drawing everything would have written.
    let threads = threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, MAX_RASTER_THREADS);
    let threads = if reached.len() < MIN_NODES_PER_THREAD * 2 {
        1
    } else {
        threads
    };
    let chunk = reached.len().div_ceil(threads).max(1);
    let mut runs = reached.chunks(chunk);
    let first = runs.next().unwrap_or(&[]);
    let others: Vec<&[(u32, u32)]> = runs.collect();
    if rasters.len() < others.len() {
        rasters.resize_with(others.len(), Vec::new);
    }
    for r in rasters.iter_mut().take(others.len()) {
        r.clear();
        r.resize(cols * rows, f32::INFINITY);
    }
    let (frame, times) = (&frame, &*time);
    let drawn: Vec<bool> = std::thread::scope(|scope| {
        let handles: Vec<_> = others
            .iter()
            .zip(rasters.iter_mut())
            .map(|(run, eta)| scope.spawn(move || frame.draw_roads(g, layout, run, times, limit_ms, eta)))
            .collect();
        frame.draw_roads(g, layout, first, times, limit_ms, &mut grid.eta_s);
        handles.into_iter().map(|h| h.join().is_ok()).collect()
    });
    for ((run, eta), ok) in others.iter().zip(rasters.iter_mut()).zip(drawn) {
        if !ok {
            // Drawing cannot panic (every index is checked); should it ever, draw that run
            // again here rather than lose it.
            eta.clear();
            eta.resize(cols * rows, f32::INFINITY);
            frame.draw_roads(g, layout, run, times, limit_ms, eta);
        }
        for (e, &p) in grid.eta_s.iter_mut().zip(eta.iter()) {
            *e = lower(*e, p);
        }
    }
    for &(v, _) in reached {
        if let Some(slot) = time.get_mut(v as usize) {
            *slot = NO_TIME;
        }
    }
    spread_offroad(&mut grid, params);
    grid
}

/// The smaller of two times (neither is NaN: times are finite or `INFINITY`), without the
/// NaN handling of `f32::min`.
#[inline]
fn lower(a: f32, b: f32) -> f32 {
    if b < a { b } else { a }
}

/// Lowers each cell of `row` to its diagonal and straight neighbours in the adjacent `other`
/// row plus the step costs (the cross-row half of one chamfer pass).
fn relax_from_row(row: &mut [f32], other: &[f32], orth: f32, diag: f32) {
    let n = row.len();
    if n == 0 || other.len() != n {
        return;
    }
    if n == 1 {
        row[0] = lower(row[0], other[0] + orth);
        return;
    }
    row[0] = lower(lower(row[0], other[0] + orth), other[1] + diag);
    row[n - 1] = lower(lower(row[n - 1], other[n - 1] + orth), other[n - 2] + diag);
    let inner = &mut row[1..n - 1];
    for (((x, &l), &c), &r) in inner
        .iter_mut()
        .zip(&other[..n - 2])
        .zip(&other[1..n - 1])
        .zip(&other[2..])
    {
        *x = lower(lower(*x, c + orth), lower(l + diag, r + diag));
    }
}

/// Two-pass chamfer spread of times into cells off the road, at the off-road speed. Each pass
/// takes, row by row, the minimum over the previous row's three neighbours first (independent
/// cells) and then the chain along the row: the same minimum as visiting cell by cell.
fn spread_offroad(grid: &mut IsoGrid, params: &SearchParams) {
    let s_per_km = (params.offroad_ms(1000.0) as f32 / 1000.0).max(1e-3);
    let orth = (grid.cell_m as f32 / 1000.0) * s_per_km;
    let diag = orth * std::f32::consts::SQRT_2;
    let (cols, rows) = (grid.cols, grid.rows);
    let max = grid.max_s as f32;
    let e = &mut grid.eta_s;
    if cols == 0 || e.len() < cols * rows {
        return;
    }
    for r in 0..rows {
        let (done, rest) = e.split_at_mut(r * cols);
        let row = &mut rest[..cols];
        if r > 0 {
            relax_from_row(row, &done[(r - 1) * cols..], orth, diag);
        }
        for c in 1..cols {
            row[c] = lower(row[c], row[c - 1] + orth);
        }
    }
    for r in (0..rows).rev() {
        let (head, below) = e.split_at_mut((r + 1) * cols);
        let row = &mut head[r * cols..];
        if r + 1 < rows {
            relax_from_row(row, &below[..cols], orth, diag);
        }
        let mut right = f32::INFINITY;
        for x in row.iter_mut().rev() {
            let best = lower(*x, right + orth);
            *x = if best <= max { best } else { f32::INFINITY };
            right = *x;
        }
    }
}

/// A closed ring `[lon, lat]` (first point repeated last); counter-clockwise rings are outer
/// boundaries, clockwise rings are holes.
pub type Ring = Vec<[f64; 2]>;

/// Contour rings of `{cell time ≤ threshold_s}` by marching squares on cell centres.
pub fn contour_rings(grid: &IsoGrid, threshold_s: f64) -> Vec<Ring> {
    let t = threshold_s as f32;
    let big = (grid.max_s.max(threshold_s) as f32) * 2.0 + 1.0;
    let val = |c: isize, r: isize| {
        let v = grid.value(c, r);
        if v.is_finite() { v } else { big }
    };
    // Edge key: (kind, col, row); kind 0 = horizontal (c,r)-(c+1,r), 1 = vertical (c,r)-(c,r+1).
    type Key = (u8, isize, isize);
    // Edge keys index one dense array (columns and rows -1..=cols/rows): `next[key]` is the key
    // the boundary goes on to, `NONE` where no boundary passes.
    const NONE: u32 = u32::MAX;
    let (w, h) = (grid.cols + 2, grid.rows + 2);
    let slot = |k: Key| (usize::from(k.0) * h + (k.2 + 1) as usize) * w + (k.1 + 1) as usize;
    let key_of = |i: usize| -> Key {
        let (kind, rest) = (i / (w * h), i % (w * h));
        (kind as u8, (rest % w) as isize - 1, (rest / w) as isize - 1)
    };
    let mut next = vec![NONE; 2 * w * h];
    let mut starts: Vec<u32> = Vec::new();
    let point = |k: Key| -> [f64; 2] {
        let (kind, c, r) = k;
        let (c2, r2) = if kind == 0 { (c + 1, r) } else { (c, r + 1) };
        let (v1, v2) = (val(c, r), val(c2, r2));
        let f = if (v2 - v1).abs() > f32::EPSILON {
            ((t - v1) / (v2 - v1)).clamp(0.0, 1.0) as f64
        } else {
            0.5
        };
        let x = c as f64 + f * (c2 - c) as f64;
        let y = r as f64 + f * (r2 - r) as f64;
        [
            grid.sw_lonlat[0] + (x + 0.5) * grid.cell_deg[0],
            grid.sw_lonlat[1] + (y + 0.5) * grid.cell_deg[1],
        ]
    };
    // Inside flags with a one-cell border of "outside" all round (index (c + 1, r + 1)), so
    // the many cells wholly inside or outside cost four flag reads and no interpolation.
    let mut ins = vec![false; w * h];
    for r in 0..grid.rows {
        for c in 0..grid.cols {
            ins[(r + 1) * w + c + 1] = grid.eta_s[r * grid.cols + c] <= t;
        }
    }
    for r in -1..grid.rows as isize {
        let (row0, row1) = ((r + 1) as usize * w, (r + 2) as usize * w);
        for c in -1..grid.cols as isize {
            let i = (c + 1) as usize;
            let case = u8::from(ins[row0 + i])
                | (u8::from(ins[row0 + i + 1]) << 1)
                | (u8::from(ins[row1 + i + 1]) << 2)
                | (u8::from(ins[row1 + i]) << 3);
            if case == 0 || case == 15 {
                continue;
            }
            let b: Key = (0, c, r);
            let tp: Key = (0, c, r + 1);
            let l: Key = (1, c, r);
            let rt: Key = (1, c + 1, r);
            let centre_in = || (val(c, r) + val(c + 1, r) + val(c + 1, r + 1) + val(c, r + 1)) * 0.25 <= t;
            let segs: &[(Key, Key)] = match case {
                0 | 15 => &[],
                1 => &[(b, l)],
                2 => &[(rt, b)],
                3 => &[(rt, l)],
                4 => &[(tp, rt)],
                5 if centre_in() => &[(b, rt), (tp, l)],
                5 => &[(b, l), (tp, rt)],
                6 => &[(tp, b)],
                7 => &[(tp, l)],
                8 => &[(l, tp)],
                9 => &[(b, tp)],
                10 if centre_in() => &[(l, b), (rt, tp)],
                10 => &[(rt, b), (l, tp)],
                11 => &[(rt, tp)],
                12 => &[(l, rt)],
                13 => &[(b, rt)],
                _ => &[(l, b)],
            };
            for &(s, e) in segs {
                let i = slot(s);
                next[i] = slot(e) as u32;
                starts.push(i as u32);
            }
        }
    }
    let mut rings = Vec::new();
    for start in starts {
        let mut ring = Vec::new();
        let mut i = start as usize;
        while let Some(&j) = next.get(i).filter(|&&j| j != NONE) {
            ring.push(point(key_of(i)));
            next[i] = NONE;
            i = j as usize;
        }
        if ring.is_empty() {
            continue; // already part of an earlier ring
        }
        if ring.len() >= 3 {
            ring.push(ring[0]);
            rings.push(ring);
        }
    }
    rings
}

/// Signed area of a ring in squared degrees (positive = counter-clockwise).
pub fn ring_signed_area(ring: &[[f64; 2]]) -> f64 {
    ring.windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum::<f64>()
        * 0.5
}

/// Whether `p` lies inside `ring` (even-odd crossings): the plain test, the oracle of
/// [`RingBands::contains`].
#[cfg(test)]
fn ring_contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
    }
    inside
}

/// A ring's edges bucketed by latitude band, for many point-in-ring tests against one ring:
/// a point tests only the edges of its band, with the same crossing test as
/// `ring_contains` (the parity of crossings does not depend on their order), so the answer
/// is the same.
struct RingBands {
    lo: f64,
    per_band: f64,
    /// Per band (and one past the last): where its edge indices start in `edges`.
    first: Vec<u32>,
    edges: Vec<u32>,
}

/// Bands of a [`RingBands`] per edge of the ring (at most).
const BAND_EVERY_EDGES: usize = 4;

impl RingBands {
    fn new(ring: &[[f64; 2]]) -> RingBands {
        let (lo, hi) = ring
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), p| (lo.min(p[1]), hi.max(p[1])));
        let bands = (ring.len() / BAND_EVERY_EDGES).clamp(1, 4096);
        let per_band = if hi > lo { bands as f64 / (hi - lo) } else { 0.0 };
        let mut rb = RingBands {
            lo,
            per_band,
            first: vec![0; bands + 1],
            edges: Vec::new(),
        };
        let span = |rb: &RingBands, w: &[[f64; 2]]| {
            let (a, b) = (w[0][1], w[1][1]);
            rb.band(a.min(b))..=rb.band(a.max(b))
        };
        for w in ring.windows(2) {
            for k in span(&rb, w) {
                rb.first[k + 1] += 1;
            }
        }
        for k in 0..bands {
            rb.first[k + 1] += rb.first[k];
        }
        let mut at = rb.first.clone();
        rb.edges = vec![0; rb.first[bands] as usize];
        for (i, w) in ring.windows(2).enumerate() {
            for k in span(&rb, w) {
                rb.edges[at[k] as usize] = i as u32;
                at[k] += 1;
            }
        }
        rb
    }

    /// The band of latitude `y` (clamped to the ring's).
    fn band(&self, y: f64) -> usize {
        let last = self.first.len().saturating_sub(2);
        let k = (y - self.lo) * self.per_band;
        if k > 0.0 { (k as usize).min(last) } else { 0 }
    }

    /// `ring_contains(ring, p)` (the test oracle), reading only the edges of `p`'s band.
    fn contains(&self, ring: &[[f64; 2]], p: [f64; 2]) -> bool {
        let k = self.band(p[1]);
        let (lo, hi) = (self.first[k] as usize, self.first[k + 1] as usize);
        let mut inside = false;
        for &i in &self.edges[lo..hi] {
            let (a, b) = (ring[i as usize], ring[i as usize + 1]);
            if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0] {
                inside = !inside;
            }
        }
        inside
    }
}

/// Polygons (outer ring + holes) of `{time ≤ threshold_s}`.
pub fn contour_polygons(grid: &IsoGrid, threshold_s: f64) -> Vec<Vec<Ring>> {
    let rings = contour_rings(grid, threshold_s);
    let (outers, holes): (Vec<Ring>, Vec<Ring>) = rings.into_iter().partition(|r| ring_signed_area(r) > 0.0);
    let bbox = |r: &Ring| {
        r.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
            [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
        })
    };
    let boxes: Vec<[f64; 4]> = outers.iter().map(bbox).collect();
    let mut polys: Vec<Vec<Ring>> = outers.into_iter().map(|o| vec![o]).collect();
    // Each outer ring's bands, made the first time a hole is tested against it.
    let mut bands: Vec<Option<RingBands>> = polys.iter().map(|_| None).collect();
    for h in holes {
        let p = h[0];
        let found = polys
            .iter()
            .zip(&boxes)
            .zip(bands.iter_mut())
            .position(|((poly, b), bands)| {
                p[0] >= b[0]
                    && p[0] <= b[2]
                    && p[1] >= b[1]
                    && p[1] <= b[3]
                    && bands
                        .get_or_insert_with(|| RingBands::new(&poly[0]))
                        .contains(&poly[0], p)
            });
        if let Some(poly) = found.and_then(|i| polys.get_mut(i)) {
            poly.push(h);
        }
    }
    polys
}

/// Most contours one isochrone request may ask for: each is a full marching-squares pass and a
/// polygon set (1 000 contours once took 744 MB). Callers refuse more with a message; the
/// library draws only the first ones.
pub const MAX_CONTOURS: usize = 24;

/// A GeoJSON FeatureCollection with one MultiPolygon per threshold (property `minutes`), for at
/// most [`MAX_CONTOURS`] thresholds.
pub fn isochrone_geojson(grid: &IsoGrid, minutes: &[f64]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = minutes
        .iter()
        .take(MAX_CONTOURS)
        .map(|&m| {
            let polys = contour_polygons(grid, m * 60.0);
            serde_json::json!({
                "type": "Feature",
                "properties": { "minutes": m },
                "geometry": { "type": "MultiPolygon", "coordinates": polys },
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::search::SearchSpace;
    use super::super::snap::SnapIndex;
    use super::super::synth::{SynthParams, synth_graph};
    use super::*;

    /// The synthetic graph of about `nodes` nodes and its snap index.
    fn synth(nodes: usize) -> (Graph, SnapIndex) {
        let g = synth_graph(&SynthParams {
            nodes,
            ..Default::default()
        })
        .unwrap();
        let idx = SnapIndex::build(&g, None);
        (g, idx)
    }

    #[test]
    fn grid_times_are_consistent_and_contours_nest() {
        let (g, idx) = synth(20_000);
        let from = idx.snap(&g, [100.80, 22.00]).unwrap();
        let mut space = SearchSpace::new(g.node_count());
        let params = SearchParams::default();
        let grid = isochrone_grid(&g, &mut space, &from, &params, 600.0, 100.0).unwrap();
        assert!(grid.cols > 10 && grid.rows > 10);
        // Every reached node's cell time is ≤ its own time (min over the cell).
        let mut checked = 0;
        for v in 0..g.node_count() as u32 {
            if let Some(c) = space.cost(v) {
                let cell = grid.at_lonlat(g.node_lonlat(v)).unwrap();
                assert!(cell as f64 <= c as f64 / 1000.0 + 1e-3);
                checked += 1;
            }
        }
        assert!(checked > 100);
        assert!(grid.at_lonlat(from.query_lonlat).unwrap() < 1.0);
        assert!(grid.eta_s.iter().all(|t| !t.is_finite() || *t as f64 <= 600.0));
        // Nested contours: area grows with time; the origin is inside each.
        let mut last_area = 0.0;
        for min in [2.0, 5.0, 10.0] {
            let polys = contour_polygons(&grid, min * 60.0);
            assert!(!polys.is_empty());
            let area: f64 = polys
                .iter()
                .map(|p| p.iter().map(|r| ring_signed_area(r)).sum::<f64>())
                .sum();
            assert!(area > last_area, "{min}: {area} <= {last_area}");
            last_area = area;
            assert!(polys.iter().any(|p| ring_contains(&p[0], from.query_lonlat)));
            for p in &polys {
                for r in p {
                    assert_eq!(r.first(), r.last());
                }
            }
        }
        let gj = isochrone_geojson(&grid, &[5.0, 10.0]);
        assert_eq!(gj["features"].as_array().unwrap().len(), 2);
        assert_eq!(gj["features"][0]["geometry"]["type"], "MultiPolygon");
    }

    /// The hierarchy's node times (one PHAST query) are the bounded Dijkstra's, node for
    /// node, and the raster drawn from them (in node order, split over threads) is the same
    /// raster cell for cell.
    #[test]
    fn the_hierarchy_isochrone_equals_the_dijkstra_one() {
        use super::super::ch::{Ch, ChParams, PhastSpace};
        let (g, idx) = synth(30_000);
        let ch = Ch::build(&g, &ChParams::default());
        let mut phast = PhastSpace::new(g.node_count());
        let mut space = SearchSpace::new(g.node_count());
        let mut iso = IsoSpace::new();
        let params = SearchParams::default();
        // The large one twice (the second time on one thread): the scratch kept in `iso` from
        // one call must not leak into the next (node times, the extra threads' rasters).
        // Then the box of the reach (`IsoSpace::reach`) where it bites: centres at the graph's
        // corners and edges, and limits long enough to reach everything.
        let bb = g.bbox_lonlat();
        for (i, (at, max_s)) in [
            ([100.80, 22.00], 900.0),
            ([100.83, 22.02], 300.0),
            ([100.78, 21.99], 1.0),
            ([100.80, 22.00], 900.0),
            ([bb[0], bb[1]], 600.0),
            ([bb[2], bb[3]], 1200.0),
            ([bb[0], (bb[1] + bb[3]) * 0.5], 450.0),
            ([bb[2], bb[1]], 3.0 * 3600.0),
            ([100.80, 22.00], 3.0 * 3600.0),
        ]
        .into_iter()
        .enumerate()
        {
            if i == 3 {
                iso.set_threads(Some(1));
            }
            if i == 4 {
                iso.set_threads(None);
            }
            let from = idx.snap(&g, at).unwrap();
            let by_dijkstra = isochrone_grid(&g, &mut space, &from, &params, max_s, 100.0).unwrap();
            let mut dijkstra_nodes = space.reached();
            dijkstra_nodes.sort_unstable();
            let ch_nodes = reached_ch(&g, &ch, &mut phast, &from, &params, max_s).unwrap();
            assert_eq!(ch_nodes, dijkstra_nodes, "{at:?} {max_s}");
            let boxed = iso.reach(&g, &ch, &mut phast, &from, &params, max_s).unwrap().to_vec();
            assert_eq!(boxed, dijkstra_nodes, "{at:?} {max_s}");
            assert!(iso.marks.iter().all(|&w| w == 0));
            // Where the box bites, the sweep skips part of the hierarchy.
            let swept = iso.swept(&g, &from, &params, max_s);
            if max_s <= 600.0 {
                assert!(swept < g.node_count() * 3 / 4, "{at:?} {max_s}: {swept}");
            }
            let by_ch = isochrone_grid_ch(&g, &ch, &mut phast, &mut iso, &from, &params, max_s, 100.0).unwrap();
            assert_eq!(by_ch, by_dijkstra, "{at:?} {max_s}");
            assert!(iso.time.iter().all(|&t| t == NO_TIME));
            if max_s > 600.0 {
                assert!(ch_nodes.len() > 2 * MIN_NODES_PER_THREAD, "{}", ch_nodes.len());
            }
        }
    }

    /// The chamfer spread (row minimum first, then the chain along the row) gives the
    /// cell-by-cell two-pass spread, bit for bit, on random rasters with unreached cells.
    #[test]
    fn the_spread_equals_the_cell_by_cell_one() {
        fn cell_by_cell(e: &mut [f32], cols: usize, rows: usize, orth: f32, diag: f32, max: f32) {
            for r in 0..rows {
                for c in 0..cols {
                    let mut best = e[r * cols + c];
                    if c > 0 {
                        best = best.min(e[r * cols + c - 1] + orth);
                    }
                    if r > 0 {
                        best = best.min(e[(r - 1) * cols + c] + orth);
                        if c > 0 {
                            best = best.min(e[(r - 1) * cols + c - 1] + diag);
                        }
                        if c + 1 < cols {
                            best = best.min(e[(r - 1) * cols + c + 1] + diag);
                        }
                    }
                    e[r * cols + c] = best;
                }
            }
            for r in (0..rows).rev() {
                for c in (0..cols).rev() {
                    let mut best = e[r * cols + c];
                    if c + 1 < cols {
                        best = best.min(e[r * cols + c + 1] + orth);
                    }
                    if r + 1 < rows {
                        best = best.min(e[(r + 1) * cols + c] + orth);
                        if c + 1 < cols {
                            best = best.min(e[(r + 1) * cols + c + 1] + diag);
                        }
                        if c > 0 {
                            best = best.min(e[(r + 1) * cols + c - 1] + diag);
                        }
                    }
                    e[r * cols + c] = if best <= max { best } else { f32::INFINITY };
                }
            }
        }
        let params = SearchParams::default();
        let s_per_km = (params.offroad_ms(1000.0) as f32 / 1000.0).max(1e-3);
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for (cols, rows, cell_m) in [
            (1, 1, 100.0),
            (1, 7, 100.0),
            (9, 1, 50.0),
            (2, 2, 100.0),
            (37, 23, 80.0),
        ] {
            let mut eta = Vec::with_capacity(cols * rows);
            for _ in 0..cols * rows {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                eta.push(if seed.is_multiple_of(7) {
                    (seed % 900) as f32 * 0.37
                } else {
                    f32::INFINITY
                });
            }
            eta[cols * rows / 2] = 12.5; // at least one reached cell
            let mut grid = IsoGrid {
                sw_lonlat: [0.0, 0.0],
                cell_deg: [1.0, 1.0],
                cell_m,
                cols,
                rows,
                eta_s: eta.clone(),
                max_s: 600.0,
            };
            let orth = (cell_m as f32 / 1000.0) * s_per_km;
            cell_by_cell(&mut eta, cols, rows, orth, orth * std::f32::consts::SQRT_2, 600.0);
            spread_offroad(&mut grid, &params);
            let same = grid.eta_s.iter().zip(&eta).all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "{cols}×{rows}: {:?} vs {eta:?}", grid.eta_s);
            assert!(eta.iter().any(|t| t.is_finite()));
        }
    }

    /// The box of the reach bounds times only: the blocks of a distance-first hierarchy never
    /// give one (its query sweeps everything), those of a time-first one do.
    #[test]
    fn only_a_time_first_hierarchy_bounds_the_sweep() {
        use super::super::ch::{Ch, ChParams, Weights};
        let (g, _) = synth(5_000);
        let seeds = [(g.node_count() as u32 / 2, 0)];
        let by_time = Ch::build_for(&g, Weights::TimeFirst, &ChParams::default()).sweep_blocks(&g);
        let bb = by_time.reach_box(&g, &seeds, 60_000).unwrap();
        assert!(by_time.swept_in(bb) < g.node_count());
        let by_distance = Ch::build_for(&g, Weights::DistanceFirst, &ChParams::default()).sweep_blocks(&g);
        assert!(by_distance.reach_box(&g, &seeds, 60_000).is_none());
    }

    /// The table of step fractions holds exactly what dividing at run time gives.
    #[test]
    fn the_step_fractions_are_the_run_time_division() {
        for (steps, row) in STEP_FRACS.iter().enumerate().skip(1) {
            for (s, frac) in row.iter().enumerate().take(steps + 1) {
                let (a, b) = (std::hint::black_box(s) as f64, std::hint::black_box(steps) as f64);
                assert_eq!(frac.to_bits(), (a / b).to_bits(), "{s}/{steps}");
            }
        }
    }

    /// The banded point-in-ring test answers as the plain one, on the contour rings of a real
    /// isochrone (points on and near the ring's vertices, its bands' edges and outside).
    #[test]
    fn the_banded_ring_test_is_the_plain_one() {
        let (g, idx) = synth(20_000);
        let from = idx.snap(&g, [100.80, 22.00]).unwrap();
        let mut space = SearchSpace::new(g.node_count());
        let grid = isochrone_grid(&g, &mut space, &from, &SearchParams::default(), 600.0, 100.0).unwrap();
        let rings = contour_rings(&grid, 300.0);
        assert!(rings.iter().any(|r| r.len() > 40));
        let mut seed = 0x9e37_79b9_u64;
        let (mut inside, mut tested) = (0, 0);
        for ring in &rings {
            let bands = RingBands::new(ring);
            let bb = ring.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| {
                [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]
            });
            let mut points: Vec<[f64; 2]> = ring
                .iter()
                .flat_map(|&p| [p, [p[0] + 1e-4, p[1]], [p[0], p[1] - 1e-5]])
                .collect();
            for _ in 0..500 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let (u, v) = (
                    (seed % 1000) as f64 / 900.0 - 0.05,
                    ((seed >> 20) % 1000) as f64 / 900.0 - 0.05,
                );
                points.push([bb[0] + u * (bb[2] - bb[0]), bb[1] + v * (bb[3] - bb[1])]);
            }
            for p in points {
                let plain = ring_contains(ring, p);
                assert_eq!(bands.contains(ring, p), plain, "{p:?}");
                inside += usize::from(plain);
                tested += 1;
            }
        }
        assert!(inside > 0 && inside < tested, "{inside} of {tested}");
    }

    #[test]
    fn marching_squares_single_cell_square() {
        // A 3×3 grid with only the centre reached gives one CCW ring around it.
        let mut eta = vec![f32::INFINITY; 9];
        eta[4] = 10.0;
        let grid = IsoGrid {
            sw_lonlat: [0.0, 0.0],
            cell_deg: [1.0, 1.0],
            cell_m: 1.0,
            cols: 3,
            rows: 3,
            eta_s: eta,
            max_s: 100.0,
        };
        let rings = contour_rings(&grid, 50.0);
        assert_eq!(rings.len(), 1);
        assert!(ring_signed_area(&rings[0]) > 0.0);
        assert!(ring_contains(&rings[0], [1.5, 1.5]));
        assert!(!ring_contains(&rings[0], [0.4, 0.4]));
        assert!(contour_rings(&grid, 5.0).is_empty());
    }
}
