//! `onemap bench seats`: N seat processes append to one database (server or file) for S
//! seconds while each also follows the log through its live feed; the parent checks that every
//! acknowledged event is stored exactly once, the log is gapless, and each seat's fold equals
//! the log's fold at the same seq, and reports events/s and how fast one seat's commit became
//! visible (folded) at the others. Also the hidden `bench seat-worker` that one seat process
//! runs. Must not import egui.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::CliError;
use super::store::store_err;
use crate::model::{EventKind, LonLat, Situation, UnitId};
use crate::store::feed::{ChangeFeed, FeedWake};
use crate::store::{Store, StoreError};

/// Events per append transaction of a bench seat.
const BATCH: u64 = 10;

/// What one seat process reports on stdout (one JSON line).
#[derive(Debug, Serialize, Deserialize)]
pub struct SeatReport {
    /// Seat name.
    pub seat: String,
    /// Acknowledged seqs with the wall-clock commit time, ms since the epoch.
    pub acks: Vec<(u64, i64)>,
    /// Seqs this seat's follower folded, with the wall-clock time, ms.
    pub seen: Vec<(u64, i64)>,
    /// The seq of the follower's last fold.
    pub last_seq: u64,
    /// SHA-256 of the follower's situation JSON at `last_seq`.
    pub digest: String,
    /// Appends refused or failed (with the first error).
    pub errors: u64,
    /// First error, if any.
    pub first_error: Option<String>,
}

/// The result of `bench seats`.
#[derive(Debug, Serialize)]
pub struct SeatsBench {
    /// Backend ("sqlite" / "postgres").
    pub backend: crate::store::BackendKind,
    /// Seat processes.
    pub seats: u32,
    /// Seconds of appending.
    pub seconds: u64,
    /// Events the seats were told were committed.
    pub acknowledged: u64,
    /// Bench events found in the log.
    pub stored: u64,
    /// Acknowledged events missing from the log.
    pub lost: u64,
    /// Seqs claimed by two acknowledgements, plus stored bench events nobody acknowledged.
    pub duplicates: u64,
    /// The whole log is gapless 1..=last.
    pub gapless: bool,
    /// Seats whose fold equals the log's fold at the same seq.
    pub seat_folds_equal: u32,
    /// Acknowledged events per second, all seats together.
    pub events_per_s: f64,
    /// Median time from a commit at one seat to another seat having folded it, ms.
    pub visible_p50_ms: f64,
    /// 95th percentile of the same, ms.
    pub visible_p95_ms: f64,
    /// Events per append transaction.
    pub batch: u64,
    /// Append failures reported by the seats.
    pub errors: u64,
    /// Build profile of this binary.
    pub profile: &'static str,
    /// CPU cores.
    pub cores: usize,
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn digest(sit: &Situation) -> String {
    use sha2::Digest as _;
    let json = serde_json::to_string(sit).unwrap_or_default();
    crate::store::chain::ChainHash(sha2::Sha256::digest(json.as_bytes()).into()).to_hex()
}

fn position(seat_no: u64, i: u64) -> Option<EventKind> {
    let lon = 100.5 + ((seat_no * 7919 + i) % 5000) as f64 * 1e-4;
    Some(EventKind::UnitPositionReported {
        unit: UnitId(1 + u32::try_from(i % 2).unwrap_or(0)),
        lonlat: LonLat::from_deg(lon, 22.0).ok()?,
    })
}

/// One seat process: append batches until `seconds` pass while a follower folds the log.
pub fn seat_worker(db: &Path, seat: &str, seat_no: u64, seconds: u64) -> Result<String, CliError> {
    let mut writer = Store::open(db).map_err(store_err)?;
    let mut follower = Store::open_read_only(db).map_err(store_err)?;
    let mut feed = ChangeFeed::open(db).map_err(store_err)?;
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = Arc::clone(&stop);
    let follow = std::thread::spawn(move || -> (Vec<(u64, i64)>, Situation) {
        let mut seen = Vec::new();
        let mut idle_after_stop = 0;
        loop {
            let wake = feed.wait(Duration::from_millis(50));
            let before = follower.cached_situation().last_seq;
            if let Err(e) = follower.refresh() {
                // Server restarting: the next refresh reconnects and catches up exactly.
                log::warn!("follower: {e}");
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            let after = follower.cached_situation().last_seq;
            let t = now_ms();
            seen.extend((before + 1..=after).map(|s| (s, t)));
            if stop2.load(Ordering::Relaxed) {
                idle_after_stop += usize::from(matches!(wake, Ok(FeedWake::Idle)));
                if idle_after_stop >= 4 {
                    return (seen, follower.cached_situation().clone());
                }
            }
        }
    });
    let mut acks = Vec::new();
    let (mut errors, mut first_error) = (0u64, None);
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut i = 0u64;
    while Instant::now() < end {
        let kinds: Vec<EventKind> = (0..BATCH).filter_map(|k| position(seat_no, i + k)).collect();
        i += BATCH;
        match writer.append_batch("bench", seat, None, kinds) {
            Ok(seqs) => {
                let t = now_ms();
                acks.extend(seqs.into_iter().map(|s| (s, t)));
            }
            Err(e) => {
                errors += 1;
                first_error.get_or_insert_with(|| e.to_string());
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let (seen, sit) = follow.join().map_err(|_| CliError::input("follower thread panicked"))?;
    let report = SeatReport {
        seat: seat.to_owned(),
        acks,
        seen,
        last_seq: sit.last_seq,
        digest: digest(&sit),
        errors,
        first_error,
    };
    serde_json::to_string(&report).map_err(|e| CliError::input(e.to_string()))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Make sure units 1 and 2 exist (the bench reports their positions).
fn seed(store: &mut Store) -> Result<(), StoreError> {
    let sit = store.situation()?;
    if sit.units.contains_key(&UnitId(1)) && sit.units.contains_key(&UnitId(2)) {
        return Ok(());
    }
    let kinds: Vec<EventKind> = crate::model::synth::synthetic_kinds(40)
        .into_iter()
        .filter(|k| {
            matches!(
                k,
                EventKind::StationUpserted { .. } | EventKind::WarehouseUpserted { .. } | EventKind::UnitAdded { .. }
            )
        })
        .collect();
    store.append_batch("bench", "bench-setup", None, kinds)?;
    Ok(())
}

/// `onemap bench seats --db FILE|URL --seats N --seconds S`.
pub fn bench_seats(db: &Path, seats: u32, seconds: u64) -> Result<SeatsBench, CliError> {
    if !(1..=32).contains(&seats) || !(1..=3600).contains(&seconds) {
        return Err(CliError::input("--seats must be 1–32 and --seconds 1–3600"));
    }
    let mut store = Store::open(db).map_err(store_err)?;
    seed(&mut store).map_err(store_err)?;
    let start_seq = store.last_seq().map_err(store_err)?;
    let exe = std::env::current_exe().map_err(|e| CliError::input(format!("cannot find this program: {e}")))?;
    let run = now_ms();
    let mut children = Vec::new();
    for n in 0..seats {
        let child = Command::new(&exe)
            .args([
                "bench",
                "seat-worker",
                "--seat-no",
                &n.to_string(),
                "--seconds",
                &seconds.to_string(),
            ])
            .arg("--seat")
            .arg(format!("bench-{run}-{n}"))
            .arg("--db")
            .arg(db)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| CliError::input(format!("cannot start a seat process: {e}")))?;
        children.push(child);
    }
    let mut reports = Vec::new();
    for mut child in children {
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let status = child.wait().map_err(|e| CliError::input(e.to_string()))?;
        if !status.success() {
            return Err(CliError::input(format!("a seat process failed ({status})")));
        }
        let r: SeatReport =
            serde_json::from_str(line.trim()).map_err(|e| CliError::input(format!("seat report: {e}")))?;
        reports.push(r);
    }
    // The log as stored.
    let events = store.events_since(start_seq).map_err(store_err)?;
    let all_seqs: Vec<u64> = store
        .events_since(0)
        .map_err(store_err)?
        .iter()
        .map(|e| e.seq)
        .collect();
    let gapless = all_seqs.iter().enumerate().all(|(i, s)| *s == i as u64 + 1);
    let bench_seats: Vec<&str> = reports.iter().map(|r| r.seat.as_str()).collect();
    let stored_by_seq: HashMap<u64, &str> = events
        .iter()
        .filter(|e| bench_seats.contains(&e.seat.as_str()))
        .map(|e| (e.seq, e.seat.as_str()))
        .collect();
    let mut claimed: BTreeMap<u64, u32> = BTreeMap::new();
    let mut lost = 0u64;
    for r in &reports {
        for (seq, _) in &r.acks {
            *claimed.entry(*seq).or_default() += 1;
            if stored_by_seq.get(seq) != Some(&r.seat.as_str()) {
                lost += 1;
            }
        }
    }
    let doubly = claimed.values().filter(|n| **n > 1).count() as u64;
    let unclaimed = stored_by_seq.keys().filter(|s| !claimed.contains_key(s)).count() as u64;
    // Visibility: commit at the writer → folded at each other seat.
    let mut lat = Vec::new();
    for w in &reports {
        for r in reports.iter().filter(|r| r.seat != w.seat) {
            let seen: HashMap<u64, i64> = r.seen.iter().copied().collect();
            for (seq, t) in &w.acks {
                if let Some(s) = seen.get(seq) {
                    lat.push((s - t).max(0) as f64);
                }
            }
        }
    }
    lat.sort_by(f64::total_cmp);
    let mut folds_equal = 0;
    for r in &reports {
        let at = store.situation_at(r.last_seq).map_err(store_err)?;
        folds_equal += u32::from(digest(&at) == r.digest);
    }
    let acknowledged: u64 = reports.iter().map(|r| r.acks.len() as u64).sum();
    Ok(SeatsBench {
        backend: store.backend_kind(),
        seats,
        seconds,
        acknowledged,
        stored: stored_by_seq.len() as u64,
        lost,
        duplicates: doubly + unclaimed,
        gapless,
        seat_folds_equal: folds_equal,
        events_per_s: acknowledged as f64 / seconds as f64,
        visible_p50_ms: percentile(&lat, 0.5),
        visible_p95_ms: percentile(&lat, 0.95),
        batch: BATCH,
        errors: reports.iter().map(|r| r.errors).sum(),
        profile: if cfg!(debug_assertions) { "debug" } else { "release" },
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}
