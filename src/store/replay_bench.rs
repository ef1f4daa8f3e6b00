//! Replay benchmark: writes a 24-hour log of N events (default 1 M: mostly GPS position reports
//! of 200 units, with incident cycles interleaved; snapshots every 1000 events as the store
//! writes them) into a temporary file, opens it read-only with [`Replay`] and measures the
//! timeline load, random seeks by time (median, p95, max) and forward playback throughput.
//! Must not import egui or tokio; removes its files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;

use super::replay::Replay;
use super::{Durability, Store, StoreError, StoreOptions, log, snapshot};
use crate::model::synth::{SYNTH_UNITS, synthetic_kinds};
use crate::model::{Event, EventKind, LonLat, UnitId};
use crate::time::format_utc_ms;

/// Seeks measured.
pub const BENCH_SEEKS: usize = 200;

/// One incident-cycle event per this many events; the rest are position reports.
const CYCLE_EVERY: u64 = 100;

/// Results.
#[derive(Debug, Clone, Serialize)]
pub struct ReplayBench {
    /// Events in the log.
    pub events: u64,
    /// Simulated span of the log, h.
    pub span_h: f64,
    /// Snapshots in the file.
    pub snapshots: u64,
    /// Database size, MB.
    pub file_mb: f64,
    /// Time to write the log, s (not a replay figure).
    pub write_s: f64,
    /// Open read-only and load the timeline, ms.
    pub open_ms: f64,
    /// Seeks by time measured.
    pub seeks: usize,
    /// Median seek (situation at a random time), ms.
    pub seek_median_ms: f64,
    /// 95th percentile seek, ms.
    pub seek_p95_ms: f64,
    /// Slowest seek, ms.
    pub seek_max_ms: f64,
    /// Forward playback (incremental fold from the file), events/s.
    pub playback_events_per_s: f64,
    /// Events/s needed to play this log at 1000×.
    pub needed_at_1000x_events_per_s: f64,
}

fn position(i: u64) -> LonLat {
    let lon = 100.3 + ((i * 7919) % 14_000) as f64 * 1e-4;
    let lat = 21.3 + ((i * 104_729) % 11_000) as f64 * 1e-4;
    LonLat::from_deg(lon, lat).unwrap_or(LonLat::ORIGIN)
}

/// The log's payloads: the synthetic set-up first, then one incident-cycle event every
/// [`CYCLE_EVERY`] events among unit position reports.
pub fn replay_kinds(n: u64) -> Vec<EventKind> {
    let synth = synthetic_kinds(n / CYCLE_EVERY + u64::from(SYNTH_UNITS) + 8);
    let setup = synth
        .iter()
        .position(|k| matches!(k, EventKind::IncidentReported { .. }))
        .unwrap_or(synth.len());
    let mut out: Vec<EventKind> = synth[..setup].to_vec();
    let mut rest = synth[setup..].iter();
    let mut i = 0u64;
    while (out.len() as u64) < n {
        let next = if i.is_multiple_of(CYCLE_EVERY) {
            rest.next().cloned()
        } else {
            None
        };
        out.push(next.unwrap_or_else(|| EventKind::UnitPositionReported {
            unit: UnitId((i % u64::from(SYNTH_UNITS)) as u32 + 1),
            lonlat: position(i),
        }));
        i += 1;
    }
    out
}

/// Writes `n` events spread evenly over `span_ms` from `start_ms` into a new store at `path`,
/// with a snapshot every 1000 events, in large transactions.
pub fn write_log(path: &Path, n: u64, start_ms: i64, span_ms: i64) -> Result<(), StoreError> {
    let opts = StoreOptions {
        durability: Durability::Normal,
        ..StoreOptions::default()
    };
    let mut store = Store::open_with(path, opts)?;
    let every = store.opts.snapshot_every.max(1);
    let kinds = replay_kinds(n);
    let mut sit = store.situation.clone();
    let mut warnings = Vec::new();
    // The bench fills a fresh store from seq 1, so its chain starts at the genesis link.
    let mut head = super::chain::ChainHead::default();
    let step = span_ms as f64 / n.max(1) as f64;
    for (chunk_no, chunk) in kinds.chunks(50_000).enumerate() {
        let conn = store
            .sqlite_mut()
            .ok_or(StoreError::Unsupported("the replay benchmark writes a SQLite file"))?;
        let tx = conn.transaction()?;
        for (j, kind) in chunk.iter().enumerate() {
            let i = (chunk_no * 50_000 + j) as u64;
            let ev = Event {
                seq: i + 1,
                ts_utc: format_utc_ms(start_ms + (i as f64 * step) as i64),
                operator: "bench".into(),
                seat: "seat-0".into(),
                drill_id: None,
                kind: kind.clone(),
            };
            log::insert_event(&*tx, &ev, &mut head)?;
            log::fold_lenient(&mut sit, &ev, &mut warnings);
            if ev.seq.is_multiple_of(every) {
                snapshot::write_snapshot(&*tx, &sit)?;
            }
        }
        tx.commit()?;
    }
    Ok(())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs the benchmark in `dir` (a temporary directory when `None`).
pub fn bench_replay(n: u64, dir: Option<&Path>) -> Result<ReplayBench, StoreError> {
    let base = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let path: PathBuf = base.join(format!("onemap-replay-bench-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let start_ms = 1_784_073_600_000; // 2026-07-15T00:00:00Z
    let span_ms = 24 * 3_600_000;
    let t0 = Instant::now();
    let result = (|| {
        write_log(&path, n, start_ms, span_ms)?;
        let write_s = t0.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut replay = Replay::open(&path)?;
        let open_ms = t.elapsed().as_secs_f64() * 1000.0;
        let snapshots = replay.conn.log().snapshot_seqs_desc(u64::MAX)?.len();
        let mut rng: u64 = 0x5EED;
        let mut times = Vec::with_capacity(BENCH_SEEKS);
        for _ in 0..BENCH_SEEKS {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let at = start_ms + ((rng >> 33) % span_ms as u64) as i64;
            let t = Instant::now();
            let sit = replay.situation_at_time(at)?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(sit.last_seq);
        }
        times.sort_by(f64::total_cmp);
        // Playback: fold forward 100 000 events from the middle, as a 1000× scrubber would.
        let mid = n / 2;
        let mut sit = replay.situation_at(mid)?;
        let t = Instant::now();
        let played = 100_000.min(n - mid);
        replay.advance(&mut sit, mid + played)?;
        let play_s = t.elapsed().as_secs_f64().max(1e-9);
        Ok(ReplayBench {
            events: n,
            span_h: 24.0,
            snapshots: u64::try_from(snapshots).unwrap_or(0),
            file_mb: std::fs::metadata(&path).map_or(0.0, |m| m.len() as f64 / 1e6),
            write_s,
            open_ms,
            seeks: BENCH_SEEKS,
            seek_median_ms: percentile(&times, 0.5),
            seek_p95_ms: percentile(&times, 0.95),
            seek_max_ms: times.last().copied().unwrap_or(0.0),
            playback_events_per_s: played as f64 / play_s,
            needed_at_1000x_events_per_s: n as f64 / (span_ms as f64 / 1000.0) * 1000.0,
        })
    })();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    result
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn small_log_replays_like_a_plain_fold() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        write_log(&path, 5_500, 0, 3_600_000).unwrap();
        let mut replay = Replay::open(&path).unwrap();
        assert_eq!(replay.timeline().len(), 5_500);
        let kinds = replay_kinds(5_500);
        for seq in [0u64, 1, 999, 1000, 1001, 2500, 5_500] {
            let mut plain = crate::model::Situation::new();
            for (i, k) in kinds.iter().take(seq as usize).enumerate() {
                let ev = Event {
                    seq: i as u64 + 1,
                    ts_utc: format_utc_ms((i as f64 * (3_600_000.0 / 5_500.0)) as i64),
                    operator: "bench".into(),
                    seat: "seat-0".into(),
                    drill_id: None,
                    kind: k.clone(),
                };
                crate::model::fold(&mut plain, &ev).unwrap();
            }
            assert!(replay.situation_at(seq).unwrap() == plain, "seq {seq}");
        }
        // Times: event i at i × (1 h / 5500).
        let t = 2_000 * 3_600_000 / 5_500;
        assert_eq!(replay.seq_at_time(t), 2_001);
        let mut sit = replay.situation_at(100).unwrap();
        replay.advance(&mut sit, 4_000).unwrap();
        assert!(sit == replay.situation_at(4_000).unwrap());
        let b = bench_replay(3_000, Some(dir.path())).unwrap();
        assert_eq!(b.snapshots, 3);
        assert!(b.seek_median_ms > 0.0);
    }
}
