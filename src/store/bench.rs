//! Store benchmark: durable appends per second (one commit per event with synchronous=FULL and
//! NORMAL, and batched commits) and the speed of folding 1 M events from memory. Medians of
//! several runs. Must not import egui or tokio; uses its own temporary files and removes them.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::{Durability, Store, StoreError, StoreOptions};
use crate::model::Situation;
use crate::model::synth::{synthetic_events, synthetic_kinds};

/// Runs per figure; the median is reported.
pub const BENCH_RUNS: usize = 3;

/// Events per transaction in the batched figure.
pub const BENCH_BATCH: usize = 100;

/// Events folded in the fold figure.
pub const BENCH_FOLD_EVENTS: u64 = 1_000_000;

/// Benchmark results (medians over [`BENCH_RUNS`] runs).
#[derive(Debug, Clone, Serialize)]
pub struct StoreBench {
    /// Events appended per run and mode.
    pub events_per_run: u64,
    /// Runs per figure.
    pub runs: usize,
    /// One commit per event, WAL + synchronous=FULL, events/s (the default mode).
    pub single_full_events_per_s: f64,
    /// One commit per event, WAL + synchronous=NORMAL, events/s.
    pub single_normal_events_per_s: f64,
    /// [`BENCH_BATCH`] events per commit, synchronous=FULL, events/s.
    pub batched_full_events_per_s: f64,
    /// Events per batch.
    pub batch_size: usize,
    /// Events folded from an in-memory `Vec<Event>`.
    pub fold_events: u64,
    /// Median time to fold them, ms.
    pub fold_ms: f64,
    /// Fold throughput, events/s.
    pub fold_events_per_s: f64,
    /// Durability used by default and why.
    pub default_durability: String,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn scratch_dir() -> Result<PathBuf, StoreError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("onemap-store-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| StoreError::Io {
        path: dir.display().to_string(),
        source: e,
    })?;
    Ok(dir)
}

fn append_run(path: &Path, n: u64, durability: Durability, batch: usize) -> Result<f64, StoreError> {
    let kinds = synthetic_kinds(n);
    let mut store = Store::open_with(
        path,
        StoreOptions {
            durability,
            ..StoreOptions::default()
        },
    )?;
    let t = Instant::now();
    if batch <= 1 {
        for k in kinds {
            store.append("bench", "seat-0", None, k)?;
        }
    } else {
        for chunk in kinds.chunks(batch) {
            store.append_batch("bench", "seat-0", None, chunk.to_vec())?;
        }
    }
    let s = t.elapsed().as_secs_f64();
    Ok(if s > 0.0 { n as f64 / s } else { 0.0 })
}

/// Run the benchmark with `n` events per append run (e.g. 5000).
pub fn bench_store(n: u64) -> Result<StoreBench, StoreError> {
    let dir = scratch_dir()?;
    let result = bench_in(&dir, n);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn bench_in(dir: &Path, n: u64) -> Result<StoreBench, StoreError> {
    let mut full = Vec::new();
    let mut normal = Vec::new();
    let mut batched = Vec::new();
    for run in 0..BENCH_RUNS {
        full.push(append_run(&dir.join(format!("full-{run}.db")), n, Durability::Full, 1)?);
        normal.push(append_run(
            &dir.join(format!("normal-{run}.db")),
            n,
            Durability::Normal,
            1,
        )?);
        batched.push(append_run(
            &dir.join(format!("batch-{run}.db")),
            n,
            Durability::Full,
            BENCH_BATCH,
        )?);
    }
    let events = synthetic_events(BENCH_FOLD_EVENTS);
    let mut fold_ms = Vec::new();
    for _ in 0..BENCH_RUNS {
        let t = Instant::now();
        let sit = Situation::from_events(&events).map_err(|e| StoreError::Encode(format!("synthetic fold: {e}")))?;
        fold_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(&sit);
    }
    let fold_ms = median(fold_ms);
    Ok(StoreBench {
        events_per_run: n,
        runs: BENCH_RUNS,
        single_full_events_per_s: median(full),
        single_normal_events_per_s: median(normal),
        batched_full_events_per_s: median(batched),
        batch_size: BENCH_BATCH,
        fold_events: BENCH_FOLD_EVENTS,
        fold_ms,
        fold_events_per_s: if fold_ms > 0.0 {
            BENCH_FOLD_EVENTS as f64 / (fold_ms / 1000.0)
        } else {
            0.0
        },
        default_durability: "WAL + synchronous=FULL: an acknowledged dispatch event must survive power loss, \
                             not only a process crash"
            .into(),
    })
}
